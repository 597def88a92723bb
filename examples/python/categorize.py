"""Categorize a few card payments, ask a model only about the ones nothing else knows, then
learn a correction.

The engine never calls a model itself: when no stage is confident it returns an LlmRequest; the
host sends its messages to its own model and hands the answer text back with engine.resolve.

Run: python examples/python/categorize.py (after `pip install ./bindings-py`)
"""

import json

import xspense


def ask_my_model(messages):
    """A fake model that finds a restaurant in everything. Replace the body with your client,
    e.g. OpenAI's client.chat.completions.create(model=..., messages=messages,
    response_format={"type": "json_object"}).choices[0].message.content"""
    return json.dumps({"category": "food.restaurants", "confidence": 0.85, "reason": "a place to eat"})


def payment(id, descriptor, amount):
    return {"id": id, "tenant": "ana", "descriptor": descriptor, "amount": amount, "date": "2026-11-02"}


engine = xspense.Engine()
engine.add_rules("ana", 'merchant contains "blue bottle" => food.coffee')

payments = [
    payment("1", "SQ *BLUE BOTTLE 0042 OAKLAND CA", "-4.75"),  # the tenant's own rule
    payment("2", "STARBUCKS STORE 10358 SEATTLE WA", "-5.25"),  # built-in merchant knowledge
    payment("3", "Kartenzahlung Baeckerei Schmidt Berlin", "-3.20"),  # nothing knows it: the model
    payment("4", "TRATTORIA DA LUIGI 55 MILANO", "-48.00"),  # nothing knows it: the model
]
expected = {"1": ("food.coffee", "rule"), "2": ("food.coffee", "knowledge"),
            "3": ("food.restaurants", "llm"), "4": ("food.restaurants", "llm")}

model_calls = 0
for got in engine.categorize_batch(payments):
    if isinstance(got, xspense.LlmRequest):
        model_calls += 1
        got = engine.resolve(got, ask_my_model(got.messages()))  # checked, then learned
    print(f"{got.merchant:<18} {got.category:<17} {got.source:<10} {got.confidence:.2f}  {got.reason}")
    assert (got.category, got.source) == expected[got.transaction_id], got.to_dict()
assert model_calls == 2

# The answers were learned: the same trattoria next week needs no model.
again = engine.categorize(payment("5", "TRATTORIA DA LUIGI 55 MILANO", "-31.00"))
assert (again.category, again.source) == ("food.restaurants", "alias"), again

# Ana files her bakery under groceries: one correction, and the next payment there follows it.
engine.feedback(payments[2], "food.groceries")
bread = engine.categorize(payment("6", "Kartenzahlung Baeckerei Schmidt Berlin", "-2.90"))
print(f"after the correction: {bread.merchant} -> {bread.category} ({bread.source})")
assert (bread.category, bread.source) == ("food.groceries", "alias"), bread

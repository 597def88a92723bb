"""Engine through the uniffi scaffolding: the shared vectors and the foreign LLM client."""

from __future__ import annotations

import pytest
from conftest import load_vectors, vector_tx, xm


@pytest.mark.parametrize("case", load_vectors("categorize.json"), ids=lambda c: c["name"])
def test_categorize_vectors(case: dict) -> None:
    e = xm.Engine()
    e.add_rules("vectors", case["rules"])
    for i, f in enumerate(case["feedback"]):
        e.feedback(vector_tx(i, f), f["category"])
    d = e.categorize(vector_tx(999, case["transaction"]))
    exp = case["expect"]
    if exp["decision"] == "categorized":
        assert d.is_CATEGORIZED(), d
        c = d.categorization
        assert c.category == exp["category"]
        assert c.source.name.lower() == exp["source"]
        if "merchant_key" in exp:
            assert c.merchant_key == exp["merchant_key"]
    else:
        assert d.is_NEEDS_LLM(), d


@pytest.mark.parametrize("case", load_vectors("rule_errors.json"), ids=lambda c: c["rules"][:30])
def test_rule_error_vectors(case: dict) -> None:
    e = xm.Engine()
    variant = "".join(w.capitalize() for w in case["code"].split("_"))
    with pytest.raises(getattr(xm.XspenseError, variant)) as info:
        e.add_rules("vectors", case["rules"])
    if "line" in case:
        assert f"line {case['line']}, column {case['column']}" in info.value.detail
    assert e.rules_json("vectors") == "[]"


@pytest.mark.parametrize("case", load_vectors("llm_answers.json"), ids=lambda c: c["answer"][:30])
def test_llm_answer_vectors(case: dict) -> None:
    e = xm.Engine()
    d = e.categorize(vector_tx(1, {"descriptor": "ODD SHOP 42", "amount": "3.00"}))
    assert d.is_NEEDS_LLM()
    if case["ok"]:
        assert e.resolve(d.request, case["answer"]).category == case["category"]
    else:
        with pytest.raises(xm.XspenseError.InvalidAnswer):
            e.resolve(d.request, case["answer"])


class Model(xm.LlmClient):
    def __init__(self) -> None:
        self.prompts: list = []

    def complete(self, request: "xm.LlmRequest") -> str:
        self.prompts.append(request.prompt)
        return '{"category": "food.groceries", "confidence": 0.8}'


def test_foreign_llm_client_is_called_once_per_merchant() -> None:
    e = xm.Engine()
    model = Model()
    tx = vector_tx(1, {"descriptor": "Baeckerei Schmidt 4111 1111 1111 1111", "amount": "3.00"})
    assert e.categorize_with(tx, model).source == xm.DecisionSource.LLM
    assert e.categorize_with(tx, model).source == xm.DecisionSource.ALIAS
    assert len(model.prompts) == 1 and "4111" not in model.prompts[0]


def test_batch_changes_snapshot_and_errors() -> None:
    e = xm.Engine()
    txs = [vector_tx(i, {"descriptor": d, "amount": "5.00"}) for i, d in enumerate(["STARBUCKS 1", "UBER *TRIP"])]
    out = e.categorize_batch(txs)
    assert [d.categorization.category for d in out] == ["food.coffee", "transport.taxi"]
    e.feedback(vector_tx(3, {"descriptor": "POS KALOMI TASHI 0042"}), "food.restaurants")
    changes = e.drain_changes()
    f = xm.Engine()
    f.apply_changes(changes)
    assert f.categorize(vector_tx(4, {"descriptor": "POS KALOMI TASHI 0042"})).categorization.source == xm.DecisionSource.ALIAS
    g = xm.Engine()
    assert g.import_snapshot(e.export_snapshot(None)) == ["vectors"]
    with pytest.raises(xm.XspenseError.CorruptSnapshot):
        g.import_snapshot("nope")
    with pytest.raises(xm.XspenseError.InvalidInput):
        e.categorize(vector_tx(5, {"descriptor": "X", "amount": "-1"}))
    with pytest.raises(xm.XspenseError.NotFound):
        e.remove_rule("vectors", "nope")
    assert len(xm.error_codes()) == 19

"""Engine through the uniffi scaffolding: the shared vectors and the foreign LLM client."""

from __future__ import annotations

import json

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


@pytest.mark.parametrize("case", load_vectors("replay.json"), ids=lambda c: c["name"])
def test_replay_vectors(case: dict) -> None:
    """A tenant's naming habits travel in change events and snapshots (core/tests/vectors/README.md)."""
    e = xm.Engine()
    for c in case["categories"]:
        e.add_category("vectors", c["id"], c["name"], None)
    for i, f in enumerate(case["feedback"]):
        e.feedback(vector_tx(i, f), f["category"])
    stored = e.drain_changes()  # each a JSON document, as a host stores it
    assert sum(json.loads(c)["type"] == "label_voted" for c in stored) == case["expect"]["label_voted"]
    replayed = xm.Engine()
    replayed.apply_changes(stored)
    imported = xm.Engine()
    imported.import_snapshot(e.export_snapshot(None))
    t = vector_tx(999, case["transaction"])
    for engine in (e, replayed, imported):
        c = engine.categorize(t).categorization
        assert (c.category, c.source) == (case["expect"]["category"], getattr(xm.DecisionSource, case["expect"]["source"].upper())), c


@pytest.mark.parametrize("case", load_vectors("semantic_supplied.json"), ids=lambda c: c["name"])
def test_semantic_supplied_vectors(case: dict) -> None:
    """An engine with supplied vectors, before and after they come (core/tests/vectors/README.md)."""
    e = xm.Engine()
    e.use_supplied_vectors(case["dim"])
    for i, f in enumerate(case["feedback"]):
        e.feedback(vector_tx(i, f), f["category"])
    t = vector_tx(999, case["transaction"])
    texts = e.semantic_texts([t])
    for want in case["listed"]:
        assert want in texts
    before = e.categorize(t)
    decision = "categorized" if before.is_CATEGORIZED() else "needs_llm"
    assert decision == case["expect_without_vectors"]["decision"]
    known = [text for text in texts if text in case["vectors"]]
    assert len(known) == len(case["vectors"])
    assert e.supply_semantic_vectors(known, [case["vectors"][k] for k in known]) == len(known)
    d = e.categorize(t)
    assert d.is_CATEGORIZED(), d
    c = d.categorization
    assert (c.category, c.source.name.lower()) == (case["expect"]["category"], case["expect"]["source"])
    steps = [s.detail for s in c.trace if s.stage == "semantic"]
    assert steps and case["expect"]["semantic_step"] in steps[0], c.trace


def test_supplied_vectors_refuse_a_wrong_vector_and_an_engine_not_built_for_them() -> None:
    e = xm.Engine()
    query = [vector_tx(0, {"descriptor": "ORTHO CARE PLUS"})]
    with pytest.raises(xm.XspenseError.InvalidInput) as info:
        e.supply_semantic_vectors(["x"], [[1.0, 0.0]])
    assert "with_supplied_vectors" in info.value.detail
    assert e.semantic_texts(query) == []
    e.use_supplied_vectors(2)
    with pytest.raises(xm.XspenseError.InvalidInput) as info:
        e.supply_semantic_vectors(["ortho care plus", "b"], [[1.0, 0.0], [float("nan"), 1.0]])
    assert "vector 1 holds NaN" in info.value.detail
    assert "ortho care plus" in e.semantic_texts(query)
    assert e.warm_semantic() == 0


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

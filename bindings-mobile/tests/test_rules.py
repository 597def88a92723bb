"""Rule suggestions (core module ``rules``) through the uniffi scaffolding: the shared vectors."""

import json

import pytest
from conftest import load_vectors, vector_tx, xm


def _options(o: dict) -> "xm.MiningOptions":
    # an absent option stays None: the core's default
    return xm.MiningOptions(**o)


@pytest.mark.parametrize("case", load_vectors("suggest.json"), ids=lambda c: c["name"])
def test_suggest_vectors(case: dict) -> None:
    e = xm.Engine()
    e.add_rules("vectors", case["rules"])
    history = [
        xm.LabelledTransaction(transaction=vector_tx(i, h), category=h["category"])
        for i, h in enumerate(case["history"])
    ]
    got = e.suggest_rules("vectors", history, _options(case["options"]))
    assert [s.text for s in got] == [w["text"] for w in case["expect"]]
    for g, w in zip(got, case["expect"]):
        for k in ["category", "support", "matched", "precision", "coverage", "new_rows",
                  "merchants", "conflicts", "conflicting_rules"]:
            assert getattr(g, k) == w[k], (case["name"], k)


def test_accepting_the_json_form_and_errors() -> None:
    e = xm.Engine()
    history = [
        xm.LabelledTransaction(
            transaction=vector_tx(i, {"descriptor": f"NETFLIX.COM {i}"}), category="entertainment.streaming"
        )
        for i in range(3)
    ]
    [s] = e.suggest_rules("vectors", history, _options({}))
    assert json.loads(s.rule_json)["id"] == "suggested-netflix"
    e.add_rules_json("vectors", "[" + s.rule_json + "]")
    assert e.suggest_rules("vectors", history, _options({})) == []
    with pytest.raises(xm.XspenseError.InvalidInput):
        e.suggest_rules("other", history, _options({}))
    with pytest.raises(xm.XspenseError.InvalidInput):
        e.suggest_rules("vectors", history, _options({"min_precision": 2.0}))

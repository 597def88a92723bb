"""Rule suggestions (core module ``rules``): the shared suggest vectors and the Python surface."""

from __future__ import annotations

from typing import Any, Dict

import pytest
import xspense
from conftest import load_vectors, vector_tx

FIGURES = [
    "category",
    "support",
    "matched",
    "precision",
    "coverage",
    "new_rows",
    "merchants",
    "conflicts",
    "conflicting_rules",
]


@pytest.mark.parametrize("case", load_vectors("suggest.json"), ids=lambda c: c["name"])
def test_suggest_vectors(case: Dict[str, Any]) -> None:
    e = xspense.Engine()
    e.add_rules("vectors", case["rules"])
    history = [(vector_tx(i, h), h["category"]) for i, h in enumerate(case["history"])]
    got = e.suggest_rules("vectors", history, **case["options"])
    assert [s["text"] for s in got] == [w["text"] for w in case["expect"]]
    for g, w in zip(got, case["expect"]):
        assert {k: g[k] for k in FIGURES} == {k: w[k] for k in FIGURES}


def _history() -> list[tuple[xspense.Transaction, str]]:
    return [
        (
            xspense.Transaction(d, "4.75", date="2026-11-01", tenant="alice", id=f"t{i}"),
            "food.coffee",
        )
        for i, d in enumerate(["SQ *BLUE BOTTLE 0042", "BLUE BOTTLE COFFEE", "SQ *BLUE BOTTLE 7"])
    ]


def test_accepting_a_suggestion_adds_its_rule() -> None:
    e = xspense.Engine()
    s = e.suggest_rules("alice", _history())
    assert len(s) == 1 and s[0]["rule"]["id"] == "suggested-blue-bottle"
    assert e.rules("alice") == [], "suggesting adds nothing"
    e.add_rules("alice", [s[0]["rule"]])
    d = e.categorize(_history()[0][0])
    assert (d.category, d.source) == ("food.coffee", "rule")
    # the text form is the same rule
    assert xspense.Engine.check_rules(s[0]["text"]) == [s[0]["rule"]]
    assert e.suggest_rules("alice", _history()) == [], "rows now covered by the rule"


def test_dict_rows_and_options() -> None:
    e = xspense.Engine()
    rows = [{"transaction": t, "category": c} for t, c in _history()]
    assert e.suggest_rules("alice", rows) == e.suggest_rules("alice", _history())
    assert e.suggest_rules("alice", rows, min_support=4) == []


def test_bad_history_is_a_typed_error() -> None:
    e = xspense.Engine()
    with pytest.raises(xspense.InvalidInputError, match="another tenant"):
        e.suggest_rules("bob", _history())
    with pytest.raises(xspense.NotFoundError):
        e.suggest_rules("alice", [(_history()[0][0], "no.such")])
    with pytest.raises(xspense.InvalidInputError, match="pair"):
        e.suggest_rules("alice", ["just a string"])
    with pytest.raises(xspense.InvalidInputError, match="min_precision"):
        e.suggest_rules("alice", _history(), min_precision=0.0)
    with pytest.raises(xspense.InvalidInputError, match="min_suport"):
        e.suggest_rules("alice", _history(), min_suport=4)  # type: ignore[call-arg]
    with pytest.raises(xspense.InvalidInputError, match="missing"):
        e.suggest_rules("alice", [{"category": "food.coffee"}])

"""Host-owned persistence: change events and snapshots."""

from __future__ import annotations

import json

import pytest
import xspense
from conftest import load_vectors, vector_tx

TX = {"tenant": "a", "descriptor": "POS KALOMI TASHI 0042", "amount": "9", "date": "2026-01-01"}


def test_change_events_replay_into_a_fresh_engine() -> None:
    e = xspense.Engine()
    e.add_category("a", "pets", "Pets")
    e.add_rules("a", 'rule vet: merchant contains "paws" => pets')
    e.feedback(TX, "food.restaurants")
    changes = e.drain_changes()
    assert [c["type"] for c in changes][:2] == ["category_added", "rule_added"]
    assert e.drain_changes() == [], "drained"
    stored = json.loads(json.dumps(changes))  # what a host writes to its database
    f = xspense.Engine()
    f.apply_changes(stored)
    assert f.categorize(TX).to_dict() == e.categorize(TX).to_dict()
    assert [r["id"] for r in f.rules("a")] == ["vet"]


def test_bad_change_is_refused_whole() -> None:
    e = xspense.Engine()
    good = {"type": "rule_removed", "tenant": "a", "id": "nope"}
    with pytest.raises(xspense.XspenseError):
        e.apply_changes([{"type": "no_such_change", "tenant": "a"}])
    e.add_rules("a", 'rule keep: merchant = x => food.coffee')
    with pytest.raises(xspense.InvalidInputError, match="rule not found"):
        e.apply_changes([{"type": "rule_removed", "tenant": "a", "id": "keep"}, good])
    assert [r["id"] for r in e.rules("a")] == ["keep"], "the good change before it was not applied"


def test_snapshot_round_trip_and_corruption() -> None:
    e = xspense.Engine()
    e.feedback(TX, "food.restaurants")
    snap = e.export_snapshot()
    f = xspense.Engine()
    assert f.import_snapshot(snap) == ["a"]
    assert f.categorize(TX).source == "alias"
    only_a = e.export_snapshot("a")
    assert json.loads(only_a)
    bad = snap.replace("food.restaurants", "food.coffee!")
    with pytest.raises(xspense.CorruptSnapshotError):
        xspense.Engine().import_snapshot(bad)
    with pytest.raises(xspense.CorruptSnapshotError):
        xspense.Engine().import_snapshot("not json")


@pytest.mark.parametrize("case", load_vectors("replay.json"), ids=lambda c: c["name"])
def test_replay_vectors(case: dict) -> None:
    """A tenant's naming habits travel in change events and snapshots (core/tests/vectors/README.md)."""
    e = xspense.Engine()
    for c in case["categories"]:
        e.add_category("vectors", c["id"], c["name"])
    for i, f in enumerate(case["feedback"]):
        e.feedback(vector_tx(i, f), f["category"])
    stored = json.loads(json.dumps(e.drain_changes()))
    assert sum(c["type"] == "label_voted" for c in stored) == case["expect"]["label_voted"]
    replayed = xspense.Engine()
    replayed.apply_changes(stored)
    imported = xspense.Engine()
    imported.import_snapshot(e.export_snapshot())
    t = vector_tx(999, case["transaction"])
    for engine in (e, replayed, imported):
        d = engine.categorize(t)
        assert (d.category, d.source) == (case["expect"]["category"], case["expect"]["source"]), d

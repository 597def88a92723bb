"""Stores opened by URL through the uniffi scaffolding: TaskQueue, RateLimiter, AuditLog and
Engine on a SQLite file in a temp dir, each state seen by a second instance opened on the same
URL. The mobile binding has SQLite alone: a postgres:// URL is refused (no PostgreSQL case to
run, so XSPENSE_TEST_DATABASE_URL is not read here)."""

from __future__ import annotations

import json
import pathlib

import pytest
from conftest import xm

T0 = 1_800_000_000_000


@pytest.fixture
def url(tmp_path: pathlib.Path) -> str:
    return f"sqlite:{tmp_path / 'stores.db'}"


def test_a_task_enqueued_in_one_queue_is_claimed_and_completed_in_another(url: str) -> None:
    a = xm.TaskQueue.open(url)
    b = xm.TaskQueue.open(url)
    opts = xm.EnqueueOptions(idempotency_key="k1")
    e = a.enqueue("acme", "q", "categorize", json.dumps({"n": 1}), opts, T0)
    assert e.created
    again = b.enqueue("acme", "q", "categorize", json.dumps({"n": 2}), opts, T0)
    assert not again.created and again.task.id == e.task.id
    job = b.claim("q", "w1", 30_000, T0)
    assert job is not None and job.id == e.task.id and json.loads(job.payload_json) == {"n": 1}
    assert a.claim("q", "w2", 30_000, T0) is None
    with pytest.raises(xm.XspenseError.LeaseLost):
        a.complete("acme", job.id, "w2", "null", T0 + 1)
    b.complete("acme", job.id, "w1", json.dumps({"ok": True}), T0 + 1)
    done = a.get("acme", job.id)
    assert done.state == xm.TaskState.COMPLETED and json.loads(done.result_json) == {"ok": True}
    with pytest.raises(xm.XspenseError.InvalidTransition):
        a.complete("acme", job.id, "w1", "null", T0 + 2)
    with pytest.raises(xm.XspenseError.NotFound):
        a.get("acme", "no-such-task")
    assert a.location() == url and xm.TaskQueue.in_memory().location() is None


def test_limiter_decisions_persist_across_two_limiters(url: str) -> None:
    first = xm.RateLimiter.open(url, 2, 60_000, 2)
    assert first.check("acme", "/categorize", T0).allowed
    assert first.check("acme", "/categorize", T0).allowed
    second = xm.RateLimiter.open(url, 2, 60_000, 2)
    refused = second.check("acme", "/categorize", T0)
    assert not refused.allowed and refused.retry_after_ms > 0
    assert second.check("other", "/categorize", T0).allowed
    assert second.check("acme", "/categorize", T0 + 30_000).allowed
    with pytest.raises(xm.XspenseError.InvalidInput):
        xm.RateLimiter.open(url, 0, 60_000, 0)


def test_audit_appends_and_verifies_across_two_logs(url: str) -> None:
    a = xm.AuditLog.open(url)
    a.append("acme", "user:7", "correction", "tx-1", '{"c": "a"}', '{"c": "b"}', T0)
    b = xm.AuditLog.open(url)
    e = json.loads(
        b.append("acme", "api", "rule_change", "r1", None, '{"when": "4111 1111 1111 1111"}', T0 + 1)
    )
    assert e["seq"] == 1 and "[CARD]" in json.dumps(e["new"])
    assert a.verify("acme") == 2
    assert [x["actor"] for x in json.loads(a.entries_json("acme"))] == ["user:7", "api"]
    assert json.loads(b.append("other", "api", "other", "x", None, None, T0))["seq"] == 0
    assert b.verify("other") == 1
    for call in (a.entries_json, a.verify):
        with pytest.raises(xm.XspenseError.InvalidInput, match="needs a tenant"):
            call()


def test_in_memory_audit_keeps_one_chain() -> None:
    log = xm.AuditLog()
    log.append("a", "api", "other", "x", None, None, T0)
    log.append("b", "api", "other", "y", None, None, T0)
    assert (log.verify(), log.verify("a")) == (2, 1)
    assert len(json.loads(log.entries_json())) == 2 and log.location() is None


def test_bad_urls_and_postgres_are_refused(tmp_path: pathlib.Path) -> None:
    for bad in ["", "redis://localhost:6379", "sqlite:", "postgres://app:s3cr3t@127.0.0.1:1/db"]:
        for opener in (
            xm.TaskQueue.open,
            xm.AuditLog.open,
            lambda u: xm.RateLimiter.open(u, 1, 1000, 1),
        ):
            with pytest.raises(xm.XspenseError.InvalidInput) as err:
                opener(bad)
            assert "s3cr3t" not in str(err.value)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(xm.XspenseError.Internal):
        xm.TaskQueue.open(str(junk))


def test_engine_state_persists_across_two_engines(url: str) -> None:
    tx = xm.Transaction(
        id="t1",
        tenant="ana",
        descriptor="SQ *BLUE BOTTLE 0042 OAKLAND CA",
        amount="4.75",
        direction=xm.TxDirection.DEBIT,
        date="2026-11-02",
    )
    a = xm.Engine.open(url)
    assert len(a.add_rules("ana", 'merchant contains "zork" => shopping.other')) == 1
    a.feedback(tx, "food.restaurants")
    assert a.drain_changes() == []  # appended to the store by each call
    b = xm.Engine.open(url, None)
    assert b.categorize(tx).categorization.category == "food.restaurants"
    assert [r["then"]["category"] for r in json.loads(b.rules_json("ana"))] == ["shopping.other"]
    # a picks up b's change before its next call
    b.add_rules("ana", 'merchant contains "qux" => transport.taxi')
    assert len(json.loads(a.rules_json("ana"))) == 2
    assert [d.categorization.category for d in xm.Engine.open(url).categorize_batch([tx])] == [
        "food.restaurants"
    ]
    assert a.location() == url and xm.Engine().location() is None
    with pytest.raises(xm.XspenseError.InvalidInput):
        a.apply_changes([])
    with pytest.raises(xm.XspenseError.InvalidInput):
        a.import_snapshot(xm.Engine().export_snapshot(None))

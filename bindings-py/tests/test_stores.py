"""Stores opened by URL: TaskQueue, RateLimiter, AuditLog and Engine on a SQLite file in a temp
dir (and on PostgreSQL when XSPENSE_TEST_DATABASE_URL names a database: those cases are skipped
otherwise), each state seen by a second instance opened on the same URL. Against a throwaway
server: `bash scripts/test-postgres.sh $VENV/bin/python -m pytest
bindings-py/tests/test_stores.py` ($VENV: the venv of scripts/test-python.sh)."""

from __future__ import annotations

import os
import pathlib
import re
from typing import Iterator

import pytest
import xspense

T0 = 1_800_000_000_000
PG = os.environ.get("XSPENSE_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:{tmp_path / 'stores.db'}"
    else:
        if not PG:
            pytest.skip("PostgreSQL cases run only when XSPENSE_TEST_DATABASE_URL is set")
        xspense.migrate_store(PG)
        yield PG


def unique(tmp_path: pathlib.Path, name: str) -> str:
    """A tenant name no earlier run used (a PostgreSQL database outlives the test)."""
    return f"{name}-{tmp_path.name}"


def test_a_task_enqueued_in_one_queue_is_claimed_and_completed_in_another(
    url: str, tmp_path: pathlib.Path
) -> None:
    tenant = unique(tmp_path, "acme")
    a = xspense.TaskQueue.open(url)
    b = xspense.TaskQueue.open(url)
    queue = f"q-{tmp_path.name}"
    e = a.enqueue(tenant, queue, "categorize", {"n": 1}, idempotency_key="k1", now=T0)
    assert e["created"]
    again = b.enqueue(tenant, queue, "categorize", {"n": 2}, idempotency_key="k1", now=T0)
    assert not again["created"] and again["task"]["id"] == e["task"]["id"]
    job = b.claim(queue, "w1", lease_ms=30_000, now=T0)
    assert job is not None and job["id"] == e["task"]["id"] and job["payload"] == {"n": 1}
    assert a.claim(queue, "w2", now=T0) is None
    with pytest.raises(xspense.LeaseLostError):
        a.complete(tenant, job["id"], "w2", None, now=T0 + 1)
    b.complete(tenant, job["id"], "w1", {"ok": True}, now=T0 + 1)
    done = a.get(tenant, job["id"])
    assert done["status"] == "completed" and done["result"] == {"ok": True}
    with pytest.raises(xspense.InvalidTransitionError):
        a.complete(tenant, job["id"], "w1", None, now=T0 + 2)
    with pytest.raises(xspense.NotFoundError):
        a.get(tenant, "no-such-task")


def test_the_in_memory_queue_stays_the_default(url: str) -> None:
    memory = xspense.TaskQueue()
    assert memory.location is None and repr(memory) == "TaskQueue(store=in-memory)"
    opened = xspense.TaskQueue.open(url)
    assert opened.location is not None and opened.store is None
    assert repr(opened) == f"TaskQueue(store={opened.location})"


def test_limiter_decisions_persist_across_two_limiters(url: str, tmp_path: pathlib.Path) -> None:
    tenant = unique(tmp_path, "acme")
    first = xspense.RateLimiter.open(url, 2, 60_000)
    assert first.check(tenant, "/categorize", now=T0).allowed
    assert first.check(tenant, "/categorize", now=T0).allowed
    second = xspense.RateLimiter.open(url, 2, 60_000)
    refused = second.check(tenant, "/categorize", now=T0)
    assert not refused.allowed and refused.retry_after_ms > 0
    with pytest.raises(xspense.RateLimitedError):
        second.enforce(tenant, "/categorize", now=T0)
    assert second.check(unique(tmp_path, "other"), "/categorize", now=T0).allowed
    assert second.check(tenant, "/categorize", now=T0 + 30_000).allowed
    assert repr(second) == f"RateLimiter(store={second.location})"
    with pytest.raises(xspense.InvalidInputError):
        xspense.RateLimiter.open(url, 0, 60_000)


def test_audit_appends_and_verifies_across_two_logs(url: str, tmp_path: pathlib.Path) -> None:
    tenant = unique(tmp_path, "acme")
    a = xspense.AuditLog.open(url)
    a.append(tenant, "user:7", "correction", "tx-1", old={"c": "a"}, new={"c": "b"}, at=T0)
    b = xspense.AuditLog.open(url)
    e = b.append(tenant, "api", "rule_change", "r1", new={"when": "4111 1111 1111 1111"}, at=T0 + 1)
    assert e["seq"] == 1 and "[CARD]" in str(e["new"])
    assert a.verify(tenant) == 2
    assert [x["actor"] for x in a.entries(tenant)] == ["user:7", "api"]
    other = unique(tmp_path, "other")
    assert b.append(other, "api", "other", "x", at=T0)["seq"] == 0
    assert b.verify(other) == 1
    for call in (a.entries, a.verify, lambda: len(a)):
        with pytest.raises(xspense.InvalidInputError, match="needs a tenant"):
            call()
    with pytest.raises(xspense.InvalidInputError):
        a.append(tenant, "api", "not-an-action", "x")


def test_in_memory_audit_keeps_one_chain() -> None:
    log = xspense.AuditLog()
    log.append("a", "api", "other", "x", at=T0)
    log.append("b", "api", "other", "y", at=T0)
    assert (log.verify(), log.verify("a"), len(log)) == (2, 1, 2)
    assert log.location is None and repr(log) == "AuditLog(store=in-memory)"


def test_bad_urls_raise_invalid_input(tmp_path: pathlib.Path) -> None:
    for bad in ["", "redis://localhost:6379", "sqlite:"]:
        for opener in (
            xspense.TaskQueue.open,
            xspense.AuditLog.open,
            lambda u: xspense.RateLimiter.open(u, 1, 1000),
        ):
            with pytest.raises(xspense.InvalidInputError):
                opener(bad)
    # a file that is no database: the store's error, with a stable code
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(xspense.XspenseError) as err:
        xspense.TaskQueue.open(str(junk))
    assert err.value.code == "internal"


def test_a_password_never_shows() -> None:
    # nothing listens on port 1: the connection fails at once
    url = "postgres://app:s3cr3t-pw@127.0.0.1:1/xspense"
    for opener in (
        xspense.TaskQueue.open,
        xspense.AuditLog.open,
        lambda u: xspense.RateLimiter.open(u, 1, 1000),
        xspense.migrate_store,
    ):
        with pytest.raises(xspense.XspenseError) as err:
            opener(url)
        assert "s3cr3t" not in str(err.value) and "s3cr3t" not in repr(err.value)


def test_a_password_never_shows_in_location_or_repr() -> None:
    found = re.match(r"[a-z]+://[^/@:]*:([^/@]*)@", PG or "")
    if not PG or not found:
        pytest.skip("needs XSPENSE_TEST_DATABASE_URL with a password")
    password = found.group(1)
    for opened in (
        xspense.TaskQueue.open(PG),
        xspense.AuditLog.open(PG),
        xspense.RateLimiter.open(PG, 1, 1000),
    ):
        assert opened.location is not None and password not in opened.location
        assert password not in repr(opened) and ":***@" in opened.location


def test_engine_state_persists_across_two_engines(url: str, tmp_path: pathlib.Path) -> None:
    tenant = unique(tmp_path, "ana")
    tx = {
        "tenant": tenant,
        "descriptor": "SQ *BLUE BOTTLE 0042 OAKLAND CA",
        "amount": "-4.75",
        "date": "2026-11-02",
    }
    a = xspense.Engine.open(url)
    assert a.add_rules(tenant, 'merchant contains "zork" => shopping.other')
    a.feedback(tx, "food.restaurants")
    assert a.drain_changes() == []  # appended to the store by each call
    b = xspense.Engine(store=url)
    got = b.categorize(tx)
    assert isinstance(got, xspense.Categorization) and got.category == "food.restaurants"
    assert [r["then"]["category"] for r in b.rules(tenant)] == ["shopping.other"]
    # a picks up b's change before its next call
    b.add_rules(tenant, 'merchant contains "qux" => transport.taxi')
    assert len(a.rules(tenant)) == 2
    assert isinstance(a, xspense.Engine) and hasattr(a, "categorize_frame")
    assert a.location is not None and repr(a).startswith(f"Engine(store={a.location}")
    # a third engine, opened after everything, loads the tenant whole
    c = xspense.Engine.open(url)
    assert len(c.rules(tenant)) == 2
    assert tenant in xspense.Engine.open(url).export_snapshot(tenant)
    with pytest.raises(xspense.InvalidInputError, match="keeps its state there"):
        a.apply_changes([])
    with pytest.raises(xspense.InvalidInputError, match="keeps its state there"):
        a.import_snapshot(xspense.Engine().export_snapshot())


def test_a_plain_engine_is_still_in_memory() -> None:
    e = xspense.Engine()
    e.add_rules("ana", 'merchant contains "zork" => shopping.other')
    assert len(e.drain_changes()) == 1 and e.location is None and repr(e) == "Engine(tenants=1)"

"""Task engine: the same contract against the built-in store, the SQLite example store (a
Python object) and the SQLite store opened by URL (`TaskQueue.open`)."""

from __future__ import annotations

import pathlib
from typing import Callable, Iterator

import pytest
import xspense
from sqlite_store import SqliteTaskStore

T0 = 1_800_000_000_000


@pytest.fixture(params=["memory", "sqlite", "sqlite-url"])
def queue(
    request: pytest.FixtureRequest, tmp_path: pathlib.Path
) -> Iterator[xspense.TaskQueue]:
    retry = xspense.RetryPolicy(base_ms=100, factor=2.0, max_ms=1_000, jitter=0.0)
    if request.param == "memory":
        yield xspense.TaskQueue(retry=retry)
    elif request.param == "sqlite-url":
        yield xspense.TaskQueue.open(f"sqlite:{tmp_path / 'tasks.db'}", retry=retry)
    else:
        store = SqliteTaskStore()
        yield xspense.TaskQueue(store, retry=retry)
        store.close()


def test_enqueue_is_idempotent_per_tenant(queue: xspense.TaskQueue) -> None:
    a = queue.enqueue("acme", "q", "work", {"n": 1}, idempotency_key="k", now=T0)
    b = queue.enqueue("acme", "q", "work", {"n": 2}, idempotency_key="k", now=T0)
    c = queue.enqueue("other", "q", "work", {"n": 3}, idempotency_key="k", now=T0)
    assert a["created"] and not b["created"] and c["created"]
    assert b["task"]["id"] == a["task"]["id"]
    assert b["task"]["payload"] == {"n": 1}
    assert a["task"]["status"] == "pending" and a["task"]["correlation_id"] == a["task"]["id"]


def test_claim_order_lease_and_complete(queue: xspense.TaskQueue) -> None:
    low = queue.enqueue("acme", "q", "low", now=T0)["task"]
    high = queue.enqueue("acme", "q", "high", priority=5, now=T0 + 1)["task"]
    later = queue.enqueue("acme", "q", "later", run_at=T0 + 10_000, now=T0)["task"]
    first = queue.claim("q", "w1", lease_ms=1_000, now=T0 + 2)
    assert first is not None and first["id"] == high["id"]
    assert (first["status"], first["lease_owner"], first["attempts"]) == ("claimed", "w1", 1)
    second = queue.claim("q", "w2", lease_ms=1_000, now=T0 + 2)
    assert second is not None and second["id"] == low["id"]
    assert queue.claim("q", "w3", now=T0 + 3) is None, "the delayed task is not due"
    assert queue.heartbeat("acme", first["id"], "w1", lease_ms=5_000, now=T0 + 500) == T0 + 5_500
    with pytest.raises(xspense.LeaseLostError):
        queue.complete("acme", first["id"], "w2", now=T0 + 600)
    queue.complete("acme", first["id"], "w1", {"ok": True}, now=T0 + 600)
    done = queue.get("acme", first["id"])
    assert (done["status"], done["result"], done["finished_at"]) == ("completed", {"ok": True}, T0 + 600)
    with pytest.raises(xspense.InvalidTransitionError):
        queue.cancel("acme", first["id"], now=T0 + 700)
    queue.cancel("acme", second["id"], now=T0 + 700)
    assert queue.claim("q", "w3", now=T0 + 10_000)["id"] == later["id"]  # type: ignore[index]


def test_expired_lease_is_retried_then_dead(queue: xspense.TaskQueue) -> None:
    t = queue.enqueue("acme", "q", "flaky", max_attempts=2, now=T0)["task"]
    assert queue.claim("q", "w1", lease_ms=100, now=T0) is not None
    # w1 "crashes"; after expiry w2 takes over
    again = queue.claim("q", "w2", lease_ms=100, now=T0 + 200)
    assert again is not None and again["id"] == t["id"] and again["attempts"] == 2
    with pytest.raises(xspense.LeaseLostError):
        queue.complete("acme", t["id"], "w1", now=T0 + 250)
    assert queue.fail("acme", t["id"], "w2", "boom", now=T0 + 250) == "dead"
    stats = queue.stats(now=T0 + 300)
    assert stats["dead_letters"] == 1
    assert stats["failed_total"] == 2
    assert stats["queues"]["q"]["by_status"] == {"dead": 1}


def test_fail_backs_off(queue: xspense.TaskQueue) -> None:
    t = queue.enqueue("acme", "q", "x", max_attempts=5, now=T0)["task"]
    queue.claim("q", "w", now=T0)
    assert queue.fail("acme", t["id"], "w", "e1", now=T0) == "pending"
    assert queue.get("acme", t["id"])["run_at"] == T0 + 100
    assert queue.claim("q", "w", now=T0 + 99) is None
    queue.claim("q", "w", now=T0 + 100)
    slow = xspense.RetryPolicy(base_ms=1_000, factor=3.0, max_ms=60_000, jitter=0.0)
    queue.fail("acme", t["id"], "w", "e2", retry=slow, now=T0 + 100)
    assert queue.get("acme", t["id"])["run_at"] == T0 + 100 + 3_000


def test_tenants_cannot_touch_each_other(queue: xspense.TaskQueue) -> None:
    t = queue.enqueue("acme", "q", "x", now=T0)["task"]
    with pytest.raises(xspense.NotFoundError):
        queue.get("globex", t["id"])
    with pytest.raises(xspense.NotFoundError):
        queue.cancel("globex", t["id"], now=T0)
    assert queue.get("acme", t["id"])["status"] == "pending"


def test_downstream_carries_correlation(queue: xspense.TaskQueue) -> None:
    parent = queue.enqueue("acme", "ingest", "parse", correlation_id="upload-9", now=T0)["task"]
    child = queue.enqueue_downstream(parent, "categorize", "batch", {"rows": 3}, now=T0)["task"]
    assert (child["tenant"], child["correlation_id"], child["from"]) == ("acme", "upload-9", "ingest")


def test_purge_and_bad_input(queue: xspense.TaskQueue) -> None:
    t = queue.enqueue("acme", "q", "x", now=T0)["task"]
    queue.cancel("acme", t["id"], now=T0)
    assert queue.purge(1_000, now=T0 + 500) == 0
    assert queue.purge(1_000, now=T0 + 2_000) == 1
    with pytest.raises(xspense.InvalidInputError):
        queue.enqueue("", "q", "x", now=T0)
    with pytest.raises(xspense.InvalidInputError):
        queue.claim("q", "w", lease_ms=0, now=T0)
    with pytest.raises(xspense.InvalidInputError):
        xspense.RetryPolicy(factor=0.5)
    with pytest.raises(TypeError):
        queue.enqueue("acme", "q", "x", {"f": object()}, now=T0)


def test_store_must_implement_the_protocol() -> None:
    class Half:
        def enqueue(self) -> None: ...

    with pytest.raises(xspense.InvalidInputError, match="lacks claim"):
        xspense.TaskQueue(Half())  # type: ignore[arg-type]


def test_store_exceptions_keep_their_code_or_become_internal() -> None:
    class Broken(SqliteTaskStore):
        def get(self, tenant: str, id: str):  # type: ignore[no-untyped-def]
            raise OSError("disk on fire")

        def claim(self, queue: str, worker: str, lease_ms: int, now: int):  # type: ignore[no-untyped-def]
            return {"not": "a task"}

    q = xspense.TaskQueue(Broken())
    with pytest.raises(xspense.InternalError, match="disk on fire"):
        q.get("acme", "x")
    with pytest.raises(xspense.InternalError, match="unexpected value"):
        q.claim("q", "w")
    with pytest.raises(xspense.NotFoundError):
        xspense.TaskQueue(SqliteTaskStore()).get("acme", "missing")


def test_many_workers_process_each_task_once() -> None:
    import threading

    q = xspense.TaskQueue()
    for i in range(300):
        q.enqueue("acme", "q", "x", {"i": i}, now=T0)
    done: list = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while True:
            t = q.claim("q", name, lease_ms=60_000, now=T0 + 1)
            if t is None:
                return
            q.complete("acme", t["id"], name, now=T0 + 2)
            with lock:
                done.append(t["payload"]["i"])

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(done) == list(range(300))

"""Task engine through the uniffi scaffolding, over a store written in Python (a foreign
trait, as a Kotlin Room or Swift Core Data store would be)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from conftest import xm

T0 = 1_800_000_000_000


class DictStore(xm.TaskStore):
    """The smallest complete store: tasks in a dict."""

    def __init__(self) -> None:
        self.tasks: dict = {}
        self.done = 0
        self.failed = 0

    def _own(self, tenant, id):  # type: ignore[no-untyped-def]
        t = self.tasks.get(id)
        if t is None or t.tenant != tenant:
            raise xm.XspenseError.NotFound(f"task not found: {id}")
        return t

    def _held(self, tenant, id, worker, now):  # type: ignore[no-untyped-def]
        t = self._own(tenant, id)
        if t.state != xm.TaskState.CLAIMED or t.lease_owner != worker or t.lease_expires_at <= now:
            raise xm.XspenseError.LeaseLost(f"task {id} is not leased to {worker}")
        return t

    def enqueue(self, task, now):  # type: ignore[no-untyped-def]
        for t in self.tasks.values():
            if task.idempotency_key and (t.tenant, t.idempotency_key) == (task.tenant, task.idempotency_key):
                return xm.Enqueued(task=t, created=False)
        id = f"py_{len(self.tasks) + 1}"
        t = xm.Task(id=id, tenant=task.tenant, queue=task.queue, sender=task.sender, intent=task.intent,
                    payload_json=task.payload_json, correlation_id=task.correlation_id or id,
                    idempotency_key=task.idempotency_key, priority=task.priority,
                    run_at=task.run_at if task.run_at is not None else now, attempts=0,
                    max_attempts=task.max_attempts, state=xm.TaskState.PENDING, lease_owner=None,
                    lease_expires_at=None, result_json=None, error=None, created_at=now, updated_at=now,
                    finished_at=None)
        self.tasks[id] = t
        return xm.Enqueued(task=t, created=True)

    def claim(self, queue, worker, lease_ms, now):  # type: ignore[no-untyped-def]
        due = [t for t in self.tasks.values() if t.queue == queue and t.state == xm.TaskState.PENDING and t.run_at <= now]
        if not due:
            return None
        t = sorted(due, key=lambda t: (-t.priority, t.run_at, t.id))[0]
        t.state, t.attempts, t.lease_owner, t.lease_expires_at = xm.TaskState.CLAIMED, t.attempts + 1, worker, now + lease_ms
        return t

    def heartbeat(self, tenant, id, worker, lease_ms, now):  # type: ignore[no-untyped-def]
        t = self._held(tenant, id, worker, now)
        t.lease_expires_at = now + lease_ms
        return t.lease_expires_at

    def complete(self, tenant, id, worker, result_json, now):  # type: ignore[no-untyped-def]
        t = self._held(tenant, id, worker, now)
        t.state, t.result_json, t.finished_at, t.lease_owner = xm.TaskState.COMPLETED, result_json, now, None
        self.done += 1

    def fail(self, tenant, id, worker, error, retry, now):  # type: ignore[no-untyped-def]
        t = self._held(tenant, id, worker, now)
        self.failed += 1
        t.error, t.lease_owner, t.lease_expires_at = error, None, None
        if t.attempts >= t.max_attempts:
            t.state, t.finished_at = xm.TaskState.DEAD, now
        else:
            t.state, t.run_at = xm.TaskState.PENDING, now + retry.delay_ms(t.id, t.attempts)
        return t.state

    def cancel(self, tenant, id, now):  # type: ignore[no-untyped-def]
        t = self._own(tenant, id)
        if t.state in (xm.TaskState.COMPLETED, xm.TaskState.DEAD, xm.TaskState.CANCELLED):
            raise xm.XspenseError.InvalidTransition(f"task {id} is final")
        t.state, t.finished_at = xm.TaskState.CANCELLED, now

    def get(self, tenant, id):  # type: ignore[no-untyped-def]
        return self._own(tenant, id)

    def stats(self, now):  # type: ignore[no-untyped-def]
        queues: dict = {}
        for t in self.tasks.values():
            q = queues.setdefault(t.queue, xm.QueueCounts(by_state={}, due=0, oldest_due_age_ms=None))
            name = t.state.name.lower()
            q.by_state[name] = q.by_state.get(name, 0) + 1
        total = self.done + self.failed
        dead = sum(1 for t in self.tasks.values() if t.state == xm.TaskState.DEAD)
        return xm.QueueStats(queues=queues, completed_total=self.done, failed_total=self.failed,
                             error_rate=self.failed / total if total else 0.0, dead_letters=dead)

    def purge(self, retention_ms, now):  # type: ignore[no-untyped-def]
        return 0


def opts(**kw):  # type: ignore[no-untyped-def]
    base = dict(sender="app", idempotency_key=None, correlation_id=None, priority=0, run_at=None, max_attempts=2)
    base.update(kw)
    return xm.EnqueueOptions(**base)


@pytest.mark.parametrize("make", [xm.TaskQueue.in_memory, lambda: xm.TaskQueue.with_store(DictStore(), 100, 1000)], ids=["memory", "foreign"])
def test_lifecycle(make) -> None:  # type: ignore[no-untyped-def]
    q = make()
    a = q.enqueue("acme", "q", "work", '{"n": 1}', opts(idempotency_key="k"), T0)
    b = q.enqueue("acme", "q", "work", '{"n": 2}', opts(idempotency_key="k"), T0)
    assert a.created and not b.created and json.loads(b.task.payload_json) == {"n": 1}
    t = q.claim("q", "w1", 1_000, T0)
    assert t is not None and t.state == xm.TaskState.CLAIMED and t.attempts == 1
    with pytest.raises(xm.XspenseError.LeaseLost):
        q.complete("acme", t.id, "w2", "null", T0 + 1)
    assert q.fail("acme", t.id, "w1", "boom", T0 + 1) == xm.TaskState.PENDING
    assert q.get("acme", t.id).run_at > T0 + 1
    t = q.claim("q", "w2", 1_000, T0 + 10_000)
    assert t is not None and t.attempts == 2
    q.complete("acme", t.id, "w2", '{"ok": true}', T0 + 10_001)
    assert q.get("acme", t.id).state == xm.TaskState.COMPLETED
    with pytest.raises(xm.XspenseError.NotFound):
        q.get("globex", t.id)
    assert q.stats(T0 + 20_000).completed_total == 1
    with pytest.raises(xm.XspenseError.InvalidInput):
        q.enqueue("acme", "q", "work", "{not json", opts(), T0)

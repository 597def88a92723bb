"""A task store for ``xspense.TaskQueue`` on SQLite, in plain Python (``sqlite3`` only).

The queue logic (validation, defaults, retry delays, lease checks) is shared with the built-in
store through ``xspense.TaskQueue``; this class only keeps the rows. Each method runs in one
``BEGIN IMMEDIATE`` transaction, so several processes can share one database file.

    queue = xspense.TaskQueue(SqliteTaskStore("tasks.db"))
    queue.enqueue("acme", "categorize", "categorize_batch", {"rows": 120})
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional, cast

import xspense
from xspense.types import Enqueued, NewTask, QueueStats, RetryPolicyLike, Task, TaskStatus

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    tenant TEXT NOT NULL,
    queue TEXT NOT NULL,
    sender TEXT NOT NULL,
    intent TEXT NOT NULL,
    payload TEXT NOT NULL,
    correlation_id TEXT,
    idempotency_key TEXT,
    priority INTEGER NOT NULL,
    run_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    status TEXT NOT NULL,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    result TEXT,
    error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (tenant, idempotency_key)
);
CREATE INDEX IF NOT EXISTS tasks_ready ON tasks (queue, status, priority DESC, run_at, seq);
CREATE TABLE IF NOT EXISTS totals (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO totals VALUES ('completed', 0), ('failed', 0);
"""

_FINAL = ("completed", "dead", "cancelled")


class SqliteTaskStore:
    """Implements ``xspense.TaskStoreProtocol`` on one SQLite database."""

    def __init__(self, path: str = ":memory:") -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()  # one connection, many threads
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @staticmethod
    def _task(row: sqlite3.Row) -> Task:
        return cast(
            Task,
            {
                "id": row["id"],
                "tenant": row["tenant"],
                "queue": row["queue"],
                "from": row["sender"],
                "intent": row["intent"],
                "payload": json.loads(row["payload"]),
                "correlation_id": row["correlation_id"],
                "idempotency_key": row["idempotency_key"],
                "priority": row["priority"],
                "run_at": row["run_at"],
                "attempts": row["attempts"],
                "max_attempts": row["max_attempts"],
                "status": row["status"],
                "lease_owner": row["lease_owner"],
                "lease_expires_at": row["lease_expires_at"],
                "result": None if row["result"] is None else json.loads(row["result"]),
                "error": row["error"],
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
                "finished_at": row["finished_at"],
            },
        )

    def _row(self, db: sqlite3.Connection, tenant: str, id: str) -> sqlite3.Row:
        row = db.execute("SELECT * FROM tasks WHERE id = ? AND tenant = ?", (id, tenant)).fetchone()
        if row is None:
            raise xspense.NotFoundError(f"task not found: {id}")
        return cast(sqlite3.Row, row)

    def _held(self, db: sqlite3.Connection, tenant: str, id: str, worker: str, now: int) -> sqlite3.Row:
        row = self._row(db, tenant, id)
        if row["status"] == "pending":
            raise xspense.LeaseLostError(f"task {id} is pending again: its lease expired")
        if row["status"] != "claimed":
            raise xspense.InvalidTransitionError(f"task {id} is {row['status']}")
        if row["lease_owner"] != worker:
            raise xspense.LeaseLostError(f"task {id} is held by another worker")
        if row["lease_expires_at"] is None or row["lease_expires_at"] <= now:
            raise xspense.LeaseLostError(f"the lease on task {id} expired")
        return row

    def _bump(self, db: sqlite3.Connection, name: str) -> None:
        db.execute("UPDATE totals SET value = value + 1 WHERE name = ?", (name,))

    def enqueue(self, task: NewTask, now: int) -> Enqueued:
        with self._tx() as db:
            key = task["idempotency_key"]
            if key is not None:
                row = db.execute(
                    "SELECT * FROM tasks WHERE tenant = ? AND idempotency_key = ?",
                    (task["tenant"], key),
                ).fetchone()
                if row is not None:
                    return {"task": self._task(row), "created": False}
            run_at = task["run_at"] if task["run_at"] is not None else now
            cur = db.execute(
                "INSERT INTO tasks (tenant, queue, sender, intent, payload, idempotency_key, priority,"
                " run_at, max_attempts, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                (
                    task["tenant"], task["queue"], task["from"], task["intent"],
                    json.dumps(task["payload"]), key, task["priority"], run_at,
                    task["max_attempts"], now, now,
                ),
            )
            seq = cur.lastrowid
            tid = f"sq_{seq:012x}"
            db.execute(
                "UPDATE tasks SET id = ?, correlation_id = COALESCE(?, ?) WHERE seq = ?",
                (tid, task["correlation_id"], tid, seq),
            )
            return {"task": self._task(self._row(db, task["tenant"], tid)), "created": True}

    def claim(self, queue: str, worker: str, lease_ms: int, now: int) -> Optional[Task]:
        with self._tx() as db:
            # expired leases count as failed attempts: retry now, or dead when none are left
            expired = db.execute(
                "SELECT seq, attempts, max_attempts FROM tasks"
                " WHERE queue = ? AND status = 'claimed' AND lease_expires_at <= ?",
                (queue, now),
            ).fetchall()
            for r in expired:
                self._bump(db, "failed")
                dead = r["attempts"] >= r["max_attempts"]
                db.execute(
                    "UPDATE tasks SET status = ?, lease_owner = NULL, lease_expires_at = NULL,"
                    " updated_at = ?, error = ?, run_at = CASE WHEN ? THEN run_at ELSE ? END,"
                    " finished_at = CASE WHEN ? THEN ? ELSE NULL END WHERE seq = ?",
                    (
                        "dead" if dead else "pending", now,
                        f"lease expired at attempt {r['attempts']}", dead, now, dead, now, r["seq"],
                    ),
                )
            row = db.execute(
                "SELECT seq FROM tasks WHERE queue = ? AND status = 'pending' AND run_at <= ?"
                " ORDER BY priority DESC, run_at, seq LIMIT 1",
                (queue, now),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE tasks SET status = 'claimed', attempts = attempts + 1, lease_owner = ?,"
                " lease_expires_at = ?, updated_at = ? WHERE seq = ?",
                (worker, now + lease_ms, now, row["seq"]),
            )
            return self._task(db.execute("SELECT * FROM tasks WHERE seq = ?", (row["seq"],)).fetchone())

    def heartbeat(self, tenant: str, id: str, worker: str, lease_ms: int, now: int) -> int:
        with self._tx() as db:
            self._held(db, tenant, id, worker, now)
            db.execute(
                "UPDATE tasks SET lease_expires_at = ?, updated_at = ? WHERE id = ?",
                (now + lease_ms, now, id),
            )
            return now + lease_ms

    def complete(self, tenant: str, id: str, worker: str, result: Any, now: int) -> None:
        with self._tx() as db:
            self._held(db, tenant, id, worker, now)
            self._bump(db, "completed")
            db.execute(
                "UPDATE tasks SET status = 'completed', result = ?, lease_owner = NULL,"
                " lease_expires_at = NULL, updated_at = ?, finished_at = ? WHERE id = ?",
                (json.dumps(result), now, now, id),
            )

    def fail(
        self, tenant: str, id: str, worker: str, error: str, retry: RetryPolicyLike, now: int
    ) -> TaskStatus:
        with self._tx() as db:
            row = self._held(db, tenant, id, worker, now)
            self._bump(db, "failed")
            dead = row["attempts"] >= row["max_attempts"]
            status: TaskStatus = "dead" if dead else "pending"
            run_at = row["run_at"] if dead else now + retry.delay_ms(id, row["attempts"])
            db.execute(
                "UPDATE tasks SET status = ?, error = ?, lease_owner = NULL, lease_expires_at = NULL,"
                " updated_at = ?, run_at = ?, finished_at = ? WHERE id = ?",
                (status, error[:1000], now, run_at, now if dead else None, id),
            )
            return status

    def cancel(self, tenant: str, id: str, now: int) -> None:
        with self._tx() as db:
            row = self._row(db, tenant, id)
            if row["status"] in _FINAL:
                raise xspense.InvalidTransitionError(f"task {id} is already {row['status']}")
            db.execute(
                "UPDATE tasks SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL,"
                " updated_at = ?, finished_at = ? WHERE id = ?",
                (now, now, id),
            )

    def get(self, tenant: str, id: str) -> Task:
        with self._tx() as db:
            return self._task(self._row(db, tenant, id))

    def stats(self, now: int) -> QueueStats:
        with self._tx() as db:
            queues: Dict[str, Any] = {}
            for r in db.execute("SELECT queue, status, COUNT(*) AS n FROM tasks GROUP BY queue, status"):
                q = queues.setdefault(r["queue"], {"by_status": {}, "due": 0, "oldest_due_age_ms": None})
                q["by_status"][r["status"]] = r["n"]
            for r in db.execute(
                "SELECT queue, COUNT(*) AS n, MIN(run_at) AS oldest FROM tasks"
                " WHERE status = 'pending' AND run_at <= ? GROUP BY queue",
                (now,),
            ):
                queues[r["queue"]]["due"] = r["n"]
                queues[r["queue"]]["oldest_due_age_ms"] = now - r["oldest"]
            totals = {r["name"]: r["value"] for r in db.execute("SELECT name, value FROM totals")}
            done, failed = totals["completed"], totals["failed"]
            dead = db.execute("SELECT COUNT(*) FROM tasks WHERE status = 'dead'").fetchone()[0]
            return {
                "queues": queues,
                "completed_total": done,
                "failed_total": failed,
                "error_rate": failed / (failed + done) if failed + done else 0.0,
                "dead_letters": dead,
            }

    def purge(self, retention_ms: int, now: int) -> int:
        with self._tx() as db:
            cur = db.execute(
                "DELETE FROM tasks WHERE status IN ('completed', 'dead', 'cancelled')"
                " AND finished_at < ?",
                (now - retention_ms,),
            )
            return cur.rowcount


if __name__ == "__main__":
    store = SqliteTaskStore()
    queue = xspense.TaskQueue(store, retry=xspense.RetryPolicy(base_ms=100, jitter=0.0))
    t0 = 1_800_000_000_000
    first = queue.enqueue("acme", "categorize", "categorize_batch", {"rows": 120}, idempotency_key="upload-7", now=t0)
    again = queue.enqueue("acme", "categorize", "categorize_batch", {"rows": 120}, idempotency_key="upload-7", now=t0)
    print("enqueued", first["task"]["id"], "duplicate absorbed:", not again["created"])
    task = queue.claim("categorize", "worker-1", lease_ms=1_000, now=t0)
    assert task is not None
    print("claimed", task["id"], "attempt", task["attempts"])
    print("failed ->", queue.fail("acme", task["id"], "worker-1", "model timed out", now=t0 + 10))
    task = queue.claim("categorize", "worker-2", lease_ms=1_000, now=t0 + 200)
    assert task is not None
    queue.complete("acme", task["id"], "worker-2", {"categorized": 120}, now=t0 + 300)
    print("stats", json.dumps(queue.stats(now=t0 + 400)))

//! [`SqliteTaskStore`]: the core's [`TaskStore`] in a SQLite file, with the semantics of
//! [`xspense::tasks::InMemoryTaskStore`], shared safely by several processes.
//!
//! Every operation is one transaction; writers take the write lock up front
//! (`BEGIN IMMEDIATE`), so a claim reads and updates the task it picks with no other writer
//! in between: two workers never hold the same task, and a killed process leaves either the
//! whole transition or none of it.
//!
//! Claims cost O(p · log n) for `p` distinct priorities among a queue's pending tasks: for
//! each priority, highest first, one index seek finds the earliest due task. `stats` counts
//! rows (O(n) over an index), `purge` is O(log n) per task it removes.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{named_params, params, OptionalExtension, Row, Transaction};
use serde_json::Value;
use xspense::clock::Millis;
use xspense::tasks::{
    Enqueued, NewTask, QueueCounts, QueueStats, RetryPolicy, Task, TaskStatus, TaskStore,
};

use crate::connection::{self, Options, Shared};
use crate::error::{narrow, Error, Result};

const ID_PREFIX: &str = "task_";

/// Longest error text kept on a task, in characters (as the in-memory store).
const MAX_ERROR_CHARS: usize = 1_000;

/// The columns every task query reads, in the order [`read_task`] expects.
const COLUMNS: &str = "seq, tenant, queue, sender, intent, payload, correlation_id, \
    idempotency_key, priority, run_at, attempts, max_attempts, status, lease_owner, \
    lease_expires_at, result, error, created_at, updated_at, finished_at";

/// Expired leases of a queue back to pending (due now), or dead without attempts left.
const RESCUE_EXPIRED: &str = "UPDATE tasks SET
             status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
             finished_at = CASE WHEN attempts >= max_attempts THEN :now END,
             run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE :now END,
             error = 'lease expired at attempt ' || attempts,
             lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
         WHERE queue = :queue AND status = 'claimed' AND lease_expires_at <= :now
         RETURNING tenant";

/// The highest priority among a queue's pending tasks.
const TOP_PRIORITY: &str = "SELECT priority FROM tasks WHERE queue = ?1 AND status = 'pending'
         ORDER BY priority DESC LIMIT 1";

/// The next lower priority among a queue's pending tasks.
const LOWER_PRIORITY: &str =
    "SELECT priority FROM tasks WHERE queue = ?1 AND status = 'pending' AND priority < ?2
         ORDER BY priority DESC LIMIT 1";

/// The due task of one priority that runs first.
const EARLIEST_DUE: &str = "SELECT seq FROM tasks
         WHERE queue = ?1 AND status = 'pending' AND priority = ?2 AND run_at <= ?3
         ORDER BY run_at, seq LIMIT 1";

/// Tasks in a SQLite database.
#[derive(Debug)]
pub struct SqliteTaskStore {
    db: Shared,
}

impl SqliteTaskStore {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteTaskStore> {
        SqliteTaskStore::open_with(path, Options::default())
    }

    /// Opens the database at `path` with explicit options.
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<SqliteTaskStore> {
        Ok(SqliteTaskStore {
            db: Shared::new(connection::open(path.as_ref(), options)?),
        })
    }

    /// A store in a private in-memory database.
    pub fn in_memory() -> Result<SqliteTaskStore> {
        Ok(SqliteTaskStore {
            db: Shared::new(connection::open_in_memory()?),
        })
    }
}

fn task_id(seq: i64) -> String {
    format!("{ID_PREFIX}{seq:012x}")
}

/// The row key of a task id; `None` for an id this store never gave out.
fn seq_of(id: &str) -> Option<i64> {
    id.strip_prefix(ID_PREFIX)
        .and_then(|h| i64::from_str_radix(h, 16).ok())
}

fn status_of(text: &str) -> Result<TaskStatus> {
    TaskStatus::ALL
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| Error::Corrupt(format!("unknown task status {text:?}")))
}

fn json_of(what: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::Corrupt(format!("task {what}: {e}")))
}

fn json_text(v: &Value) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Corrupt(format!("unencodable JSON: {e}")))
}

fn read_task(row: &Row<'_>) -> Result<Task> {
    let seq: i64 = row.get(0)?;
    let id = task_id(seq);
    let correlation: Option<String> = row.get(6)?;
    let payload: String = row.get(5)?;
    let result: Option<String> = row.get(15)?;
    let status: String = row.get(12)?;
    Ok(Task {
        correlation_id: correlation.unwrap_or_else(|| id.clone()),
        id,
        tenant: row.get(1)?,
        queue: row.get(2)?,
        from: row.get(3)?,
        intent: row.get(4)?,
        payload: json_of("payload", &payload)?,
        idempotency_key: row.get(7)?,
        priority: narrow("priority", row.get(8)?)?,
        run_at: row.get(9)?,
        attempts: narrow("attempts", row.get(10)?)?,
        max_attempts: narrow("max_attempts", row.get(11)?)?,
        status: status_of(&status)?,
        lease_owner: row.get(13)?,
        lease_expires_at: row.get(14)?,
        result: result
            .as_deref()
            .map(|r| json_of("result", r))
            .transpose()?,
        error: row.get(16)?,
        created_at: row.get(17)?,
        updated_at: row.get(18)?,
        finished_at: row.get(19)?,
    })
}

/// The task `id` of `tenant`; another tenant's task is as absent as a missing one.
fn load(tx: &Transaction<'_>, tenant: &str, id: &str) -> Result<Task> {
    let not_found = || {
        Error::Core(xspense::Error::NotFound {
            kind: "task",
            id: id.into(),
        })
    };
    let seq = seq_of(id).ok_or_else(not_found)?;
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tasks WHERE seq = ?1 AND tenant = ?2"
    ))?;
    let mut rows = stmt.query(params![seq, tenant])?;
    match rows.next()? {
        Some(row) => read_task(row),
        None => Err(not_found()),
    }
}

fn load_seq(tx: &Transaction<'_>, seq: i64) -> Result<Task> {
    let mut stmt = tx.prepare_cached(&format!("SELECT {COLUMNS} FROM tasks WHERE seq = ?1"))?;
    let mut rows = stmt.query(params![seq])?;
    match rows.next()? {
        Some(row) => read_task(row),
        None => Err(Error::Corrupt(format!("task {} vanished", task_id(seq)))),
    }
}

/// Checks that `worker` holds an unexpired lease on the task (the in-memory store's rule and
/// messages).
fn held(t: &Task, worker: &str, now: Millis) -> Result<()> {
    let id = &t.id;
    if t.status != TaskStatus::Claimed {
        return Err(Error::Core(if t.status == TaskStatus::Pending {
            xspense::Error::LeaseLost(format!("task {id} is pending again: its lease expired"))
        } else {
            xspense::Error::InvalidTransition(format!("task {id} is {}", t.status.as_str()))
        }));
    }
    if t.lease_owner.as_deref() != Some(worker) {
        return Err(Error::Core(xspense::Error::LeaseLost(format!(
            "task {id} is held by another worker"
        ))));
    }
    if t.lease_expires_at.is_none_or(|e| e <= now) {
        return Err(Error::Core(xspense::Error::LeaseLost(format!(
            "the lease on task {id} expired"
        ))));
    }
    Ok(())
}

/// Adds to the completion and failure counters of a tenant's queue.
pub(crate) fn count(
    tx: &Transaction<'_>,
    tenant: &str,
    queue: &str,
    completed: i64,
    failed: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO task_counters (tenant, queue, completed, failed) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (tenant, queue) DO UPDATE SET
             completed = completed + excluded.completed, failed = failed + excluded.failed",
    )?
    .execute(params![tenant, queue, completed, failed])?;
    Ok(())
}

fn invalid(msg: &str) -> Error {
    Error::Core(xspense::Error::InvalidInput(msg.into()))
}

/// `now + lease_ms`, refused when it does not fit.
fn lease_end(lease_ms: Millis, now: Millis) -> Result<Millis> {
    if lease_ms <= 0 {
        return Err(invalid("lease_ms must be positive"));
    }
    now.checked_add(lease_ms)
        .ok_or_else(|| invalid("now + lease_ms is beyond the representable time"))
}

/// Moves the queue's claimed tasks whose lease ended by `now` back to pending (due now), or to
/// dead when they used all their attempts; each counts as a failure.
fn rescue_expired(tx: &Transaction<'_>, queue: &str, now: Millis) -> Result<()> {
    let mut stmt = tx.prepare_cached(RESCUE_EXPIRED)?;
    let mut per_tenant: BTreeMap<String, i64> = BTreeMap::new();
    let mut rows = stmt.query(named_params! {":queue": queue, ":now": now})?;
    while let Some(row) = rows.next()? {
        *per_tenant.entry(row.get(0)?).or_default() += 1;
    }
    drop(rows);
    for (tenant, n) in per_tenant {
        count(tx, &tenant, queue, 0, n)?;
    }
    Ok(())
}

/// The next task to claim: for each priority of the queue's pending tasks, highest first, the
/// due task with the earliest `run_at` (then the earliest enqueued).
fn next_due(tx: &Transaction<'_>, queue: &str, now: Millis) -> Result<Option<i64>> {
    let mut top = tx.prepare_cached(TOP_PRIORITY)?;
    let mut lower = tx.prepare_cached(LOWER_PRIORITY)?;
    let mut due = tx.prepare_cached(EARLIEST_DUE)?;
    let mut priority: Option<i64> = top.query_row(params![queue], |r| r.get(0)).optional()?;
    while let Some(p) = priority {
        if let Some(seq) = due
            .query_row(params![queue, p, now], |r| r.get(0))
            .optional()?
        {
            return Ok(Some(seq));
        }
        priority = lower
            .query_row(params![queue, p], |r| r.get(0))
            .optional()?;
    }
    Ok(None)
}

impl SqliteTaskStore {
    fn enqueue_tx(&self, new: NewTask, now: Millis) -> Result<Enqueued> {
        new.validate()?;
        let payload = json_text(&new.payload)?;
        self.db.write(|tx| {
            if let Some(key) = &new.idempotency_key {
                let existing = tx
                    .prepare_cached(&format!(
                        "SELECT {COLUMNS} FROM tasks WHERE tenant = ?1 AND idempotency_key = ?2"
                    ))?
                    .query(params![new.tenant, key])?
                    .next()?
                    .map(read_task)
                    .transpose()?;
                if let Some(task) = existing {
                    return Ok(Enqueued {
                        task,
                        created: false,
                    });
                }
            }
            let seq: i64 = tx
                .prepare_cached(
                    // the next number after every one ever given (ids are never reused)
                    "INSERT INTO tasks (seq, tenant, queue, sender, intent, payload,
                         correlation_id, idempotency_key, priority, run_at, attempts,
                         max_attempts, status, created_at, updated_at)
                     VALUES ((SELECT seq + 1 FROM sqlite_sequence WHERE name = 'tasks'),
                         ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, 'pending', ?11, ?11)
                     RETURNING seq",
                )?
                .query_row(
                    params![
                        new.tenant,
                        new.queue,
                        new.from,
                        new.intent,
                        payload,
                        new.correlation_id,
                        new.idempotency_key,
                        new.priority,
                        new.run_at.unwrap_or(now),
                        new.max_attempts,
                        now
                    ],
                    |r| r.get(0),
                )?;
            Ok(Enqueued {
                task: load_seq(tx, seq)?,
                created: true,
            })
        })
    }

    fn claim_tx(
        &self,
        queue: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> Result<Option<Task>> {
        let expires = lease_end(lease_ms, now)?;
        if worker.is_empty() {
            return Err(invalid("worker name must not be empty"));
        }
        self.db.write(|tx| {
            rescue_expired(tx, queue, now)?;
            let Some(seq) = next_due(tx, queue, now)? else {
                return Ok(None);
            };
            tx.prepare_cached(
                "UPDATE tasks SET status = 'claimed', attempts = attempts + 1, lease_owner = ?2,
                     lease_expires_at = ?3, updated_at = ?4
                 WHERE seq = ?1",
            )?
            .execute(params![seq, worker, expires, now])?;
            load_seq(tx, seq).map(Some)
        })
    }

    fn heartbeat_tx(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> Result<Millis> {
        let expires = lease_end(lease_ms, now)?;
        self.db.write(|tx| {
            let t = load(tx, tenant, id)?;
            held(&t, worker, now)?;
            tx.prepare_cached(
                "UPDATE tasks SET lease_expires_at = ?2, updated_at = ?3 WHERE seq = ?1",
            )?
            .execute(params![seq_of(id), expires, now])?;
            Ok(expires)
        })
    }

    fn complete_tx(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        result: Value,
        now: Millis,
    ) -> Result<()> {
        let result = json_text(&result)?;
        self.db.write(|tx| {
            let t = load(tx, tenant, id)?;
            held(&t, worker, now)?;
            tx.prepare_cached(
                "UPDATE tasks SET status = 'completed', result = ?2, lease_owner = NULL,
                     lease_expires_at = NULL, updated_at = ?3, finished_at = ?3
                 WHERE seq = ?1",
            )?
            .execute(params![seq_of(id), result, now])?;
            count(tx, tenant, &t.queue, 1, 0)
        })
    }

    fn fail_tx(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        error: &str,
        retry: &RetryPolicy,
        now: Millis,
    ) -> Result<TaskStatus> {
        retry.validate()?;
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        self.db.write(|tx| {
            let t = load(tx, tenant, id)?;
            held(&t, worker, now)?;
            let (status, run_at, finished_at) = if t.attempts >= t.max_attempts {
                (TaskStatus::Dead, t.run_at, Some(now))
            } else {
                let delay = retry.delay(&t.id, t.attempts);
                (TaskStatus::Pending, now.saturating_add(delay), None)
            };
            tx.prepare_cached(
                "UPDATE tasks SET status = ?2, run_at = ?3, finished_at = ?4, error = ?5,
                     lease_owner = NULL, lease_expires_at = NULL, updated_at = ?6
                 WHERE seq = ?1",
            )?
            .execute(params![
                seq_of(id),
                status.as_str(),
                run_at,
                finished_at,
                error,
                now
            ])?;
            count(tx, tenant, &t.queue, 0, 1)?;
            Ok(status)
        })
    }

    fn cancel_tx(&self, tenant: &str, id: &str, now: Millis) -> Result<()> {
        self.db.write(|tx| {
            let t = load(tx, tenant, id)?;
            if t.status.is_final() {
                return Err(Error::Core(xspense::Error::InvalidTransition(format!(
                    "task {id} is already {}",
                    t.status.as_str()
                ))));
            }
            tx.prepare_cached(
                "UPDATE tasks SET status = 'cancelled', lease_owner = NULL,
                     lease_expires_at = NULL, updated_at = ?2, finished_at = ?2
                 WHERE seq = ?1",
            )?
            .execute(params![seq_of(id), now])?;
            Ok(())
        })
    }

    fn stats_tx(&self, now: Millis) -> Result<QueueStats> {
        self.db.read(|tx| {
            let mut s = QueueStats::default();
            let mut by_status = tx.prepare_cached(
                "SELECT queue, status, COUNT(*) FROM tasks GROUP BY queue, status",
            )?;
            let mut rows = by_status.query([])?;
            while let Some(row) = rows.next()? {
                let status = status_of(&row.get::<_, String>(1)?)?;
                let n: usize = narrow("count", row.get(2)?)?;
                if status == TaskStatus::Dead {
                    s.dead_letters += n;
                }
                s.queues
                    .entry(row.get(0)?)
                    .or_insert_with(QueueCounts::default)
                    .by_status
                    .insert(status, n);
            }
            drop(rows);
            let mut due = tx.prepare_cached(
                "SELECT queue, COUNT(*), MIN(run_at) FROM tasks
                 WHERE status = 'pending' AND run_at <= ?1 GROUP BY queue",
            )?;
            let mut rows = due.query(params![now])?;
            while let Some(row) = rows.next()? {
                let queue: String = row.get(0)?;
                let oldest: Millis = row.get(2)?;
                if let Some(q) = s.queues.get_mut(&queue) {
                    q.due = narrow("count", row.get(1)?)?;
                    q.oldest_due_age_ms = Some(now.saturating_sub(oldest));
                }
            }
            drop(rows);
            let (completed, failed): (i64, i64) = tx
                .prepare_cached(
                    "SELECT COALESCE(SUM(completed), 0), COALESCE(SUM(failed), 0)
                     FROM task_counters",
                )?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            s.set_totals(
                narrow("completed_total", completed)?,
                narrow("failed_total", failed)?,
            );
            Ok(s)
        })
    }

    fn purge_tx(&self, retention_ms: Millis, now: Millis) -> Result<usize> {
        // a task goes once `finished_at + retention_ms < now`
        let Some(cutoff) = now.checked_sub(retention_ms) else {
            return Ok(0);
        };
        self.db.write(|tx| {
            let n = tx
                .prepare_cached(
                    "DELETE FROM tasks WHERE finished_at IS NOT NULL AND finished_at < ?1",
                )?
                .execute(params![cutoff])?;
            Ok(n)
        })
    }
}

impl TaskStore for SqliteTaskStore {
    fn enqueue(&self, task: NewTask, now: Millis) -> xspense::Result<Enqueued> {
        Ok(self.enqueue_tx(task, now)?)
    }

    fn claim(
        &self,
        queue: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> xspense::Result<Option<Task>> {
        Ok(self.claim_tx(queue, worker, lease_ms, now)?)
    }

    fn heartbeat(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> xspense::Result<Millis> {
        Ok(self.heartbeat_tx(tenant, id, worker, lease_ms, now)?)
    }

    fn complete(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        result: Value,
        now: Millis,
    ) -> xspense::Result<()> {
        Ok(self.complete_tx(tenant, id, worker, result, now)?)
    }

    fn fail(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        error: &str,
        retry: &RetryPolicy,
        now: Millis,
    ) -> xspense::Result<TaskStatus> {
        Ok(self.fail_tx(tenant, id, worker, error, retry, now)?)
    }

    fn cancel(&self, tenant: &str, id: &str, now: Millis) -> xspense::Result<()> {
        Ok(self.cancel_tx(tenant, id, now)?)
    }

    fn get(&self, tenant: &str, id: &str) -> xspense::Result<Task> {
        Ok(self.db.read(|tx| load(tx, tenant, id))?)
    }

    fn stats(&self, now: Millis) -> xspense::Result<QueueStats> {
        Ok(self.stats_tx(now)?)
    }

    fn purge(&self, retention_ms: Millis, now: Millis) -> xspense::Result<usize> {
        Ok(self.purge_tx(retention_ms, now)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The query plan of `sql`, one line per step.
    fn plan(conn: &rusqlite::Connection, sql: &str) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        // parameters left unbound: the plan does not depend on their values
        let mut rows = stmt.raw_query();
        let mut steps = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            steps.push(row.get::<_, String>(3).unwrap());
        }
        steps.join("\n")
    }

    /// Claims stay O(log n) with millions of due tasks: every claim query seeks an index and
    /// none sorts or scans the table.
    #[test]
    fn claim_queries_seek_indexes() {
        let conn = connection::open_in_memory().unwrap();
        for (sql, index) in [
            (TOP_PRIORITY, "tasks_pending"),
            (LOWER_PRIORITY, "tasks_pending"),
            (EARLIEST_DUE, "tasks_pending"),
            (RESCUE_EXPIRED, "tasks_leased"),
        ] {
            let p = plan(&conn, sql);
            assert!(
                p.starts_with("SEARCH tasks USING") && p.contains(&format!("INDEX {index} (")),
                "{sql}\n{p}"
            );
            assert!(!p.contains("TEMP B-TREE"), "{sql}\n{p}");
        }
    }
}

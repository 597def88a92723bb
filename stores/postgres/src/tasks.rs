//! [`PgTaskStore`]: the core's [`TaskStore`] in PostgreSQL, with the semantics of
//! [`xspense::tasks::InMemoryTaskStore`], shared by any number of worker processes and
//! machines.
//!
//! Every operation is one transaction. A claim moves the queue's expired leases back to
//! pending (or to dead), then picks the due tasks in claim order with `FOR UPDATE SKIP
//! LOCKED`, so concurrent workers never wait for nor take the same task; a transition locks
//! its task (`FOR UPDATE`) before checking the lease. A killed process leaves either the whole
//! transition or none of it.
//!
//! The hot path takes as few round trips as it can. A claim and a completion are one each:
//! a single prepared call of the schema's `xspense_claim` or `xspense_complete` (migration
//! 5), its own transaction, which takes its role and tenant itself. An enqueue is 3: `BEGIN`
//! with the role and tenant in one (`Pool::run_fast`), the insert prepared once per pooled
//! connection with its NOTIFY riding in it, then `COMMIT`.
//!
//! Each enqueue notifies the channel [`CHANNEL`] (delivered at commit);
//! [`PgTaskStore::wait_for_task`] lets an idle worker sleep until then.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::Json;
use postgres::{GenericClient, Row};
use serde_json::Value;
use xspense::clock::Millis;
use xspense::tasks::{
    Enqueued, NewTask, QueueCounts, QueueStats, RetryPolicy, Task, TaskStatus, TaskStore,
};

use crate::error::{invalid, narrow, Error, Result};
use crate::pool::{Pool, Scope};

const ID_PREFIX: &str = "task_";

/// Longest error text kept on a task, in characters (as the in-memory store).
const MAX_ERROR_CHARS: usize = 1_000;

/// The notification channel of enqueues; the payload is the queue.
pub const CHANNEL: &str = "xspense_tasks";

/// The columns every task query reads, in the order [`read_task`] expects.
const COLUMNS: &str = "seq, tenant, queue, sender, intent, payload, correlation_id, \
    idempotency_key, priority, run_at, attempts, max_attempts, status, lease_owner, \
    lease_expires_at, result, error, created_at, updated_at, finished_at";

/// Adds to the completion ($3) and failure ($4) counters of a tenant's ($1) queue ($2).
const COUNT: &str = "INSERT INTO task_counters (tenant, queue, completed, failed)
        VALUES ($1, $2, $3, $4)
    ON CONFLICT (tenant, queue) DO UPDATE SET
        completed = task_counters.completed + excluded.completed,
        failed = task_counters.failed + excluded.failed";

/// Claims up to $3 due tasks of queue $1 for worker $2 at $4 until $5, after the rescue of
/// the queue's expired leases: one statement, its own transaction.
fn claim_sql() -> String {
    format!("SELECT {COLUMNS} FROM xspense_claim($1, $2, $3, $4, $5)")
}

/// Completes task $2 of tenant $1 for worker $3 with result $4 at $5 when the worker holds
/// its lease; `false` when nothing changed. One statement, its own transaction.
const COMPLETE: &str = "SELECT xspense_complete($1, $2, $3, $4, $5)";
const LISTEN: &str = "LISTEN xspense_tasks";
const UNLISTEN: &str = "UNLISTEN xspense_tasks";

/// The task of a tenant ($2) with an idempotency key ($1).
fn select_key_sql() -> String {
    format!("SELECT {COLUMNS} FROM tasks WHERE tenant = $1 AND idempotency_key = $2")
}

/// Inserts a pending task (unless its tenant has one with its idempotency key) and, when
/// inserted, notifies [`CHANNEL`] ($12) with its queue: one statement, returning the row and
/// the notification's (void) result after it.
fn insert_sql() -> String {
    format!(
        "WITH inserted AS (
            INSERT INTO tasks (tenant, queue, sender, intent, payload, correlation_id,
                idempotency_key, priority, run_at, attempts, max_attempts, status,
                created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, 'pending', $11, $11)
            ON CONFLICT (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL
                DO NOTHING
            RETURNING {COLUMNS}
        )
        SELECT {COLUMNS}, pg_notify($12, queue) FROM inserted"
    )
}

/// Tasks in a PostgreSQL database.
#[derive(Debug)]
pub struct PgTaskStore {
    pool: Pool,
    sql: &'static Sql,
}

/// The hot path's statements, built once per process (prepared by their text, once per
/// pooled connection).
#[derive(Debug)]
struct Sql {
    claim: &'static str,
    select_key: &'static str,
    insert: &'static str,
}

fn sql() -> &'static Sql {
    static SQL: std::sync::OnceLock<Sql> = std::sync::OnceLock::new();
    SQL.get_or_init(|| Sql {
        claim: claim_sql().leak(),
        select_key: select_key_sql().leak(),
        insert: insert_sql().leak(),
    })
}

impl PgTaskStore {
    /// Connects to the migrated database at `url`.
    pub fn connect(url: &str) -> Result<PgTaskStore> {
        Ok(PgTaskStore {
            pool: Pool::connect(url)?,
            sql: sql(),
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

fn read_task(row: &Row) -> Result<Task> {
    let seq: i64 = row.try_get(0)?;
    let id = task_id(seq);
    let correlation: Option<String> = row.try_get(6)?;
    let payload: Json<Value> = row.try_get(5)?;
    let result: Option<Json<Value>> = row.try_get(15)?;
    let status: String = row.try_get(12)?;
    Ok(Task {
        correlation_id: correlation.unwrap_or_else(|| id.clone()),
        id,
        tenant: row.try_get(1)?,
        queue: row.try_get(2)?,
        from: row.try_get(3)?,
        intent: row.try_get(4)?,
        payload: payload.0,
        idempotency_key: row.try_get(7)?,
        priority: row.try_get(8)?,
        run_at: row.try_get(9)?,
        attempts: narrow("attempts", i64::from(row.try_get::<_, i32>(10)?))?,
        max_attempts: narrow("max_attempts", i64::from(row.try_get::<_, i32>(11)?))?,
        status: status_of(&status)?,
        lease_owner: row.try_get(13)?,
        lease_expires_at: row.try_get(14)?,
        result: result.map(|r| r.0),
        error: row.try_get(16)?,
        created_at: row.try_get(17)?,
        updated_at: row.try_get(18)?,
        finished_at: row.try_get(19)?,
    })
}

fn not_found(id: &str) -> Error {
    Error::Core(xspense::Error::NotFound {
        kind: "task",
        id: id.into(),
    })
}

/// The task `id` of the transaction's tenant, locked for update when `lock`; another
/// tenant's task is as absent as a missing one (row-level security hides it).
fn load(tx: &mut impl GenericClient, tenant: &str, id: &str, lock: bool) -> Result<Task> {
    let seq = seq_of(id).ok_or_else(|| not_found(id))?;
    let sql = format!(
        "SELECT {COLUMNS} FROM tasks WHERE seq = $1 AND tenant = $2{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    match tx.query_opt(&sql, &[&seq, &tenant])? {
        Some(row) => read_task(&row),
        None => Err(not_found(id)),
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

fn count(
    tx: &mut impl GenericClient,
    tenant: &str,
    queue: &str,
    completed: i64,
    failed: i64,
) -> Result<()> {
    tx.execute(COUNT, &[&tenant, &queue, &completed, &failed])?;
    Ok(())
}

/// `now + lease_ms`, refused when it does not fit.
fn lease_end(lease_ms: Millis, now: Millis) -> Result<Millis> {
    if lease_ms <= 0 {
        return Err(invalid("lease_ms must be positive"));
    }
    now.checked_add(lease_ms)
        .ok_or_else(|| invalid("now + lease_ms is beyond the representable time"))
}

/// Claim order: priority (highest first), then `run_at`, then enqueue order.
fn claim_order(a: &Task, b: &Task) -> std::cmp::Ordering {
    b.priority
        .cmp(&a.priority)
        .then(a.run_at.cmp(&b.run_at))
        .then(seq_of(&a.id).cmp(&seq_of(&b.id)))
}

impl PgTaskStore {
    fn enqueue_tx(&self, new: NewTask, now: Millis) -> Result<Enqueued> {
        new.validate()?;
        let max_attempts = i32::try_from(new.max_attempts)
            .map_err(|_| invalid("max_attempts is beyond what the store holds"))?;
        let sql = self.sql;
        self.pool.run_fast(Scope::Tenant(&new.tenant), |tx, p| {
            if let Some(key) = &new.idempotency_key {
                // looked up first, so a repeated enqueue uses no task number
                let select_key = p.get(tx, sql.select_key)?;
                if let Some(row) = tx.query_opt(&select_key, &[&new.tenant, key])? {
                    return Ok(Enqueued {
                        task: read_task(&row)?,
                        created: false,
                    });
                }
            }
            let insert = p.get(tx, sql.insert)?;
            let inserted = tx.query_opt(
                &insert,
                &[
                    &new.tenant,
                    &new.queue,
                    &new.from,
                    &new.intent,
                    &Json(&new.payload),
                    &new.correlation_id,
                    &new.idempotency_key,
                    &new.priority,
                    &new.run_at.unwrap_or(now),
                    &max_attempts,
                    &now,
                    &CHANNEL,
                ],
            )?;
            match inserted {
                // notified by the insert itself
                Some(row) => Ok(Enqueued {
                    task: read_task(&row)?,
                    created: true,
                }),
                // another transaction enqueued the same key meanwhile (and committed)
                None => {
                    let select_key = p.get(tx, sql.select_key)?;
                    let row = tx.query_one(&select_key, &[&new.tenant, &new.idempotency_key])?;
                    Ok(Enqueued {
                        task: read_task(&row)?,
                        created: false,
                    })
                }
            }
        })
    }

    /// Claims up to `max` due tasks of `queue` for `worker` in one transaction, in claim
    /// order (after moving the queue's expired leases back to pending or to dead).
    pub fn claim_many(
        &self,
        queue: &str,
        worker: &str,
        max: usize,
        lease_ms: Millis,
        now: Millis,
    ) -> Result<Vec<Task>> {
        let expires = lease_end(lease_ms, now)?;
        if worker.is_empty() {
            return Err(invalid("worker name must not be empty"));
        }
        if max == 0 {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let sql = self.sql;
        self.pool.run_alone(|client, p| {
            let claim = p.get(client, sql.claim)?;
            let rows = client.query(&claim, &[&queue, &worker, &limit, &now, &expires])?;
            let mut tasks = rows.iter().map(read_task).collect::<Result<Vec<_>>>()?;
            tasks.sort_by(claim_order);
            Ok(tasks)
        })
    }

    /// Waits up to `timeout` for an enqueue on any queue (a notification on [`CHANNEL`]);
    /// `true` when one came. An idle worker calls it between claims instead of polling. An
    /// enqueue committed just before the wait began is not seen: claim once more after a
    /// timeout.
    pub fn wait_for_task(&self, timeout: Duration) -> Result<bool> {
        let mut client = self.pool.take()?;
        let out = (|| {
            client.batch_execute(LISTEN)?;
            let came = client
                .notifications()
                .timeout_iter(timeout)
                .next()?
                .is_some();
            client.batch_execute(UNLISTEN)?;
            // drop what arrived meanwhile, so the next wait starts clean
            while client.notifications().iter().next()?.is_some() {}
            Ok(came)
        })();
        self.pool.give(client);
        out
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
        self.pool.run(Scope::Tenant(tenant), |tx| {
            let t = load(tx, tenant, id, true)?;
            held(&t, worker, now)?;
            tx.execute(
                "UPDATE tasks SET lease_expires_at = $2, updated_at = $3 WHERE seq = $1",
                &[&seq_of(id), &expires, &now],
            )?;
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
        let seq = seq_of(id).ok_or_else(|| not_found(id))?;
        let done: bool = self.pool.run_alone(|client, p| {
            let complete = p.get(client, COMPLETE)?;
            let row =
                client.query_one(&complete, &[&tenant, &seq, &worker, &Json(&result), &now])?;
            Ok(row.try_get(0)?)
        })?;
        if done {
            return Ok(());
        }
        // nothing changed; the task as it is now says why
        let t = self
            .pool
            .run(Scope::Tenant(tenant), |tx| load(tx, tenant, id, false))?;
        held(&t, worker, now)?;
        Err(Error::Core(xspense::Error::LeaseLost(format!(
            "task {id} changed hands while it was completed"
        ))))
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
        self.pool.run(Scope::Tenant(tenant), |tx| {
            let t = load(tx, tenant, id, true)?;
            held(&t, worker, now)?;
            let (status, run_at, finished_at) = if t.attempts >= t.max_attempts {
                (TaskStatus::Dead, t.run_at, Some(now))
            } else {
                let delay = retry.delay(&t.id, t.attempts);
                (TaskStatus::Pending, now.saturating_add(delay), None)
            };
            tx.execute(
                "UPDATE tasks SET status = $2, run_at = $3, finished_at = $4, error = $5,
                     lease_owner = NULL, lease_expires_at = NULL, updated_at = $6
                 WHERE seq = $1",
                &[
                    &seq_of(id),
                    &status.as_str(),
                    &run_at,
                    &finished_at,
                    &error,
                    &now,
                ],
            )?;
            count(tx, tenant, &t.queue, 0, 1)?;
            Ok(status)
        })
    }

    fn cancel_tx(&self, tenant: &str, id: &str, now: Millis) -> Result<()> {
        self.pool.run(Scope::Tenant(tenant), |tx| {
            let t = load(tx, tenant, id, true)?;
            if t.status.is_final() {
                return Err(Error::Core(xspense::Error::InvalidTransition(format!(
                    "task {id} is already {}",
                    t.status.as_str()
                ))));
            }
            tx.execute(
                "UPDATE tasks SET status = 'cancelled', lease_owner = NULL,
                     lease_expires_at = NULL, updated_at = $2, finished_at = $2
                 WHERE seq = $1",
                &[&seq_of(id), &now],
            )?;
            Ok(())
        })
    }

    fn stats_tx(&self, now: Millis) -> Result<QueueStats> {
        self.pool.run(Scope::EveryTenant, |tx| {
            let mut s = QueueStats::default();
            for row in tx.query(
                "SELECT queue, status, count(*) FROM tasks GROUP BY queue, status",
                &[],
            )? {
                let status = status_of(row.try_get(1)?)?;
                let n: usize = narrow("count", row.try_get(2)?)?;
                if status == TaskStatus::Dead {
                    s.dead_letters += n;
                }
                s.queues
                    .entry(row.try_get(0)?)
                    .or_insert_with(QueueCounts::default)
                    .by_status
                    .insert(status, n);
            }
            for row in tx.query(
                "SELECT queue, count(*), min(run_at) FROM tasks
                 WHERE status = 'pending' AND run_at <= $1 GROUP BY queue",
                &[&now],
            )? {
                let queue: String = row.try_get(0)?;
                let oldest: Millis = row.try_get(2)?;
                if let Some(q) = s.queues.get_mut(&queue) {
                    q.due = narrow("count", row.try_get(1)?)?;
                    q.oldest_due_age_ms = Some(now.saturating_sub(oldest));
                }
            }
            let totals = tx.query_one(
                "SELECT coalesce(sum(completed), 0)::bigint, coalesce(sum(failed), 0)::bigint
                 FROM task_counters",
                &[],
            )?;
            s.set_totals(
                narrow("completed_total", totals.try_get(0)?)?,
                narrow("failed_total", totals.try_get(1)?)?,
            );
            Ok(s)
        })
    }

    fn purge_tx(&self, retention_ms: Millis, now: Millis) -> Result<usize> {
        // a task goes once `finished_at + retention_ms < now`
        let Some(cutoff) = now.checked_sub(retention_ms) else {
            return Ok(0);
        };
        self.pool.run(Scope::EveryTenant, |tx| {
            let n = tx.execute(
                "DELETE FROM tasks WHERE finished_at IS NOT NULL AND finished_at < $1",
                &[&cutoff],
            )?;
            narrow("purged", i64::try_from(n).unwrap_or(i64::MAX))
        })
    }
}

impl TaskStore for PgTaskStore {
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
        Ok(self
            .claim_many(queue, worker, 1, lease_ms, now)?
            .into_iter()
            .next())
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
        Ok(self
            .pool
            .run(Scope::Tenant(tenant), |tx| load(tx, tenant, id, false))?)
    }

    fn stats(&self, now: Millis) -> xspense::Result<QueueStats> {
        Ok(self.stats_tx(now)?)
    }

    fn purge(&self, retention_ms: Millis, now: Millis) -> xspense::Result<usize> {
        Ok(self.purge_tx(retention_ms, now)?)
    }

    /// Sleeps on LISTEN/NOTIFY ([`PgTaskStore::wait_for_task`]): woken by an enqueue on any
    /// queue, or after `timeout`.
    fn wait_for_work(&self, _queue: &str, timeout: Duration) -> xspense::Result<bool> {
        Ok(self.wait_for_task(timeout)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_foreign_ids_are_refused() {
        for seq in [0, 1, 0xabc, i64::MAX] {
            assert_eq!(seq_of(&task_id(seq)), Some(seq));
        }
        for bad in ["", "task_", "task_zz", "job_000000000001", "task_-1x"] {
            assert_eq!(seq_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_claim_reads_every_column_from_the_schema_function() {
        let sql = claim_sql();
        assert!(sql.ends_with("FROM xspense_claim($1, $2, $3, $4, $5)"));
        assert!(sql.contains(COLUMNS));
    }
}

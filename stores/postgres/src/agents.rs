//! [`PgAgentRegistry`]: the core's [`AgentRegistry`] in PostgreSQL, with the semantics of
//! [`xspense::tasks::InMemoryAgentRegistry`]. Agents are cluster-wide (every transaction runs
//! as `xspense_worker`); reaping or deregistering an agent and releasing its task leases is
//! one transaction.

use postgres::types::Json;
use postgres::{Row, Transaction};
use xspense::clock::Millis;
use xspense::tasks::agents::{check_timeout, gone_error, unknown_agent};
use xspense::tasks::{
    Agent, AgentRegistry, AgentStatus, NewAgent, Reaped, Released, Serving, SLOT_SEPARATOR,
};

use crate::error::{narrow, Error, Result};
use crate::pool::{Pool, Scope};

/// The columns every agent query reads, in the order [`read_agent`] expects.
const COLUMNS: &str =
    "id, queues, intents, version, host, started_at, last_heartbeat, status, stopped_at";

/// Ends every lease of agent $1 (its id, or a name starting with $2: `id#`) at $3 as an
/// expiry does, counts each as a failure of its tenant's queue, and returns how many went
/// back to pending and how many died.
const RELEASE: &str = "WITH released AS (
        UPDATE tasks SET
            status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
            finished_at = CASE WHEN attempts >= max_attempts THEN $3::bigint END,
            run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE $3::bigint END,
            error = 'agent ' || $1::text || ' gone at attempt ' || attempts,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = $3
        WHERE status = 'claimed' AND (lease_owner = $1 OR starts_with(lease_owner, $2))
        RETURNING tenant, queue, status
    ), counted AS (
        INSERT INTO task_counters (tenant, queue, failed)
            SELECT tenant, queue, count(*) FROM released GROUP BY tenant, queue
        ON CONFLICT (tenant, queue) DO UPDATE SET
            failed = task_counters.failed + excluded.failed
    )
    SELECT count(*) FILTER (WHERE status <> 'dead'), count(*) FILTER (WHERE status = 'dead')
    FROM released";

const UPSERT: &str = "INSERT INTO agents (id, queues, intents, version, host, started_at,
        last_heartbeat, status, stopped_at)
    VALUES ($1, $2, $3, $4, $5, $6, $6, 'live', NULL)
    ON CONFLICT (id) DO UPDATE SET queues = excluded.queues, intents = excluded.intents,
        version = excluded.version, host = excluded.host, started_at = excluded.started_at,
        last_heartbeat = excluded.last_heartbeat, status = 'live', stopped_at = NULL";

/// Agents in a PostgreSQL database (the one holding the tasks whose leases they take).
#[derive(Debug)]
pub struct PgAgentRegistry {
    pool: Pool,
}

impl PgAgentRegistry {
    /// Connects to the migrated database at `url`.
    pub fn connect(url: &str) -> Result<PgAgentRegistry> {
        Ok(PgAgentRegistry {
            pool: Pool::connect(url)?,
        })
    }
}

fn read_agent(row: &Row) -> Result<Agent> {
    let status: String = row.try_get(7)?;
    let queues: Json<Vec<String>> = row.try_get(1)?;
    let intents: Json<Vec<String>> = row.try_get(2)?;
    Ok(Agent {
        id: row.try_get(0)?,
        queues: queues.0,
        intents: intents.0,
        version: row.try_get(3)?,
        host: row.try_get(4)?,
        started_at: row.try_get(5)?,
        last_heartbeat: row.try_get(6)?,
        status: AgentStatus::parse(&status)
            .ok_or_else(|| Error::Corrupt(format!("unknown agent status {status:?}")))?,
        stopped_at: row.try_get(8)?,
    })
}

fn select(tx: &mut Transaction<'_>, filter: &str) -> Result<Vec<Agent>> {
    let sql = format!("SELECT {COLUMNS} FROM agents {filter} ORDER BY id");
    tx.query(&sql, &[])?.iter().map(read_agent).collect()
}

/// The status of agent `id`, locked, if known.
fn status_of(tx: &mut Transaction<'_>, id: &str) -> Result<Option<AgentStatus>> {
    let Some(row) = tx.query_opt("SELECT status FROM agents WHERE id = $1 FOR UPDATE", &[&id])?
    else {
        return Ok(None);
    };
    let s: String = row.try_get(0)?;
    AgentStatus::parse(&s)
        .map(Some)
        .ok_or_else(|| Error::Corrupt(format!("unknown agent status {s:?}")))
}

/// Ends the leases of agent `id` at `now`, counting each as a failure of its queue.
fn release(tx: &mut Transaction<'_>, id: &str, now: Millis) -> Result<Released> {
    let prefix = format!("{id}{SLOT_SEPARATOR}");
    let row = tx.query_one(RELEASE, &[&id, &prefix, &now])?;
    Ok(Released {
        pending: narrow("released", row.try_get(0)?)?,
        dead: narrow("released", row.try_get(1)?)?,
    })
}

impl PgAgentRegistry {
    fn register_tx(&self, agent: NewAgent, now: Millis) -> Result<Agent> {
        agent.validate()?;
        self.pool.run(Scope::EveryTenant, |tx| {
            release(tx, &agent.id, now)?;
            tx.execute(
                UPSERT,
                &[
                    &agent.id,
                    &Json(&agent.queues),
                    &Json(&agent.intents),
                    &agent.version,
                    &agent.host,
                    &now,
                ],
            )?;
            Ok(Agent::started(agent.clone(), now))
        })
    }

    fn heartbeat_tx(&self, id: &str, now: Millis) -> Result<()> {
        self.pool
            .run(Scope::EveryTenant, |tx| match status_of(tx, id)? {
                None => Err(Error::Core(unknown_agent(id))),
                Some(AgentStatus::Gone) => Err(Error::Core(gone_error(id))),
                Some(AgentStatus::Live) => {
                    tx.execute(
                        "UPDATE agents SET last_heartbeat = greatest(last_heartbeat, $2)
                     WHERE id = $1",
                        &[&id, &now],
                    )?;
                    Ok(())
                }
            })
    }

    fn deregister_tx(&self, id: &str, now: Millis) -> Result<Reaped> {
        self.pool.run(Scope::EveryTenant, |tx| {
            let status = status_of(tx, id)?.ok_or_else(|| Error::Core(unknown_agent(id)))?;
            let mut out = Reaped::default();
            if status == AgentStatus::Live {
                tx.execute(
                    "UPDATE agents SET status = 'gone', stopped_at = $2 WHERE id = $1",
                    &[&id, &now],
                )?;
                out.agents.push(id.to_string());
            }
            out.released = release(tx, id, now)?;
            Ok(out)
        })
    }

    fn reap_tx(&self, now: Millis, timeout_ms: Millis) -> Result<Reaped> {
        check_timeout(timeout_ms)?;
        let cutoff = now.saturating_sub(timeout_ms);
        self.pool.run(Scope::EveryTenant, |tx| {
            let mut ids: Vec<String> = tx
                .query(
                    "UPDATE agents SET status = 'gone', stopped_at = $1
                     WHERE status = 'live' AND last_heartbeat <= $2 RETURNING id",
                    &[&now, &cutoff],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<std::result::Result<_, _>>()?;
            ids.sort();
            let mut out = Reaped::default();
            for id in &ids {
                out.released.add(release(tx, id, now)?);
            }
            out.agents = ids;
            Ok(out)
        })
    }
}

impl AgentRegistry for PgAgentRegistry {
    fn register(&self, agent: NewAgent, now: Millis) -> xspense::Result<Agent> {
        Ok(self.register_tx(agent, now)?)
    }

    fn heartbeat(&self, id: &str, now: Millis) -> xspense::Result<()> {
        Ok(self.heartbeat_tx(id, now)?)
    }

    fn deregister(&self, id: &str, now: Millis) -> xspense::Result<Reaped> {
        Ok(self.deregister_tx(id, now)?)
    }

    fn live(&self, serving: &Serving) -> xspense::Result<Vec<Agent>> {
        let live = self
            .pool
            .run(Scope::EveryTenant, |tx| select(tx, "WHERE status = 'live'"))?;
        Ok(live.into_iter().filter(|a| a.serves(serving)).collect())
    }

    fn list(&self) -> xspense::Result<Vec<Agent>> {
        Ok(self.pool.run(Scope::EveryTenant, |tx| select(tx, ""))?)
    }

    fn reap(&self, now: Millis, timeout_ms: Millis) -> xspense::Result<Reaped> {
        Ok(self.reap_tx(now, timeout_ms)?)
    }
}

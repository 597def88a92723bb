//! [`SqliteAgentRegistry`]: the core's [`AgentRegistry`] in the same SQLite file as the tasks,
//! with the semantics of [`xspense::tasks::InMemoryAgentRegistry`]. Reaping or deregistering
//! an agent and releasing its task leases is one transaction.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{named_params, params, Row, Transaction};
use xspense::clock::Millis;
use xspense::tasks::agents::{check_timeout, gone_error, unknown_agent};
use xspense::tasks::{
    Agent, AgentRegistry, AgentStatus, NewAgent, Reaped, Released, Serving, SLOT_SEPARATOR,
};

use crate::connection::{self, Options, Shared};
use crate::error::{Error, Result};
use crate::tasks::count;

/// The columns every agent query reads, in the order [`read_agent`] expects.
const COLUMNS: &str =
    "id, queues, intents, version, host, started_at, last_heartbeat, status, stopped_at";

/// Ends every lease of agent `:agent` (its id, or `id#slot`) as an expiry does.
const RELEASE: &str = "UPDATE tasks SET
             status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
             finished_at = CASE WHEN attempts >= max_attempts THEN :now END,
             run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE :now END,
             error = 'agent ' || :agent || ' gone at attempt ' || attempts,
             lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
         WHERE status = 'claimed'
             AND (lease_owner = :agent OR substr(lease_owner, 1, length(:prefix)) = :prefix)
         RETURNING tenant, queue, status";

const UPSERT: &str = "INSERT INTO agents (id, queues, intents, version, host, started_at,
             last_heartbeat, status, stopped_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 'live', NULL)
         ON CONFLICT (id) DO UPDATE SET queues = excluded.queues, intents = excluded.intents,
             version = excluded.version, host = excluded.host,
             started_at = excluded.started_at, last_heartbeat = excluded.last_heartbeat,
             status = 'live', stopped_at = NULL";

/// Agents in a SQLite database (the one holding the tasks whose leases they take).
#[derive(Debug)]
pub struct SqliteAgentRegistry {
    db: Shared,
}

impl SqliteAgentRegistry {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteAgentRegistry> {
        SqliteAgentRegistry::open_with(path, Options::default())
    }

    /// Opens the database at `path` with explicit options.
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<SqliteAgentRegistry> {
        Ok(SqliteAgentRegistry {
            db: Shared::new(connection::open(path.as_ref(), options)?),
        })
    }
}

fn json_list(what: &str, text: &str) -> Result<Vec<String>> {
    serde_json::from_str(text).map_err(|e| Error::Corrupt(format!("agent {what}: {e}")))
}

fn list_text(list: &[String]) -> Result<String> {
    serde_json::to_string(list).map_err(|e| Error::Corrupt(format!("unencodable list: {e}")))
}

fn read_agent(row: &Row<'_>) -> Result<Agent> {
    let status: String = row.get(7)?;
    Ok(Agent {
        id: row.get(0)?,
        queues: json_list("queues", &row.get::<_, String>(1)?)?,
        intents: json_list("intents", &row.get::<_, String>(2)?)?,
        version: row.get(3)?,
        host: row.get(4)?,
        started_at: row.get(5)?,
        last_heartbeat: row.get(6)?,
        status: AgentStatus::parse(&status)
            .ok_or_else(|| Error::Corrupt(format!("unknown agent status {status:?}")))?,
        stopped_at: row.get(8)?,
    })
}

fn select(tx: &Transaction<'_>, filter: &str) -> Result<Vec<Agent>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM agents {filter} ORDER BY id"
    ))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(read_agent(row)?);
    }
    Ok(out)
}

/// The status of agent `id`, if known.
fn status_of(tx: &Transaction<'_>, id: &str) -> Result<Option<AgentStatus>> {
    let mut stmt = tx.prepare_cached("SELECT status FROM agents WHERE id = ?1")?;
    let mut rows = stmt.query(params![id])?;
    match rows.next()? {
        Some(row) => {
            let s: String = row.get(0)?;
            Ok(Some(AgentStatus::parse(&s).ok_or_else(|| {
                Error::Corrupt(format!("unknown agent status {s:?}"))
            })?))
        }
        None => Ok(None),
    }
}

/// Ends the leases of agent `id` at `now`, counting each as a failure of its queue.
fn release(tx: &Transaction<'_>, id: &str, now: Millis) -> Result<Released> {
    let prefix = format!("{id}{SLOT_SEPARATOR}");
    let mut stmt = tx.prepare_cached(RELEASE)?;
    let mut rows = stmt.query(named_params! {":agent": id, ":prefix": prefix, ":now": now})?;
    let mut released = Released::default();
    let mut failures: BTreeMap<(String, String), i64> = BTreeMap::new();
    while let Some(row) = rows.next()? {
        *failures.entry((row.get(0)?, row.get(1)?)).or_default() += 1;
        if row.get::<_, String>(2)? == "dead" {
            released.dead += 1;
        } else {
            released.pending += 1;
        }
    }
    drop(rows);
    for ((tenant, queue), n) in failures {
        count(tx, &tenant, &queue, 0, n)?;
    }
    Ok(released)
}

impl SqliteAgentRegistry {
    fn register_tx(&self, agent: NewAgent, now: Millis) -> Result<Agent> {
        agent.validate()?;
        let (queues, intents) = (list_text(&agent.queues)?, list_text(&agent.intents)?);
        self.db.write(|tx| {
            release(tx, &agent.id, now)?;
            tx.prepare_cached(UPSERT)?.execute(params![
                agent.id,
                queues,
                intents,
                agent.version,
                agent.host,
                now
            ])?;
            Ok(Agent::started(agent.clone(), now))
        })
    }

    fn heartbeat_tx(&self, id: &str, now: Millis) -> Result<()> {
        self.db.write(|tx| match status_of(tx, id)? {
            None => Err(Error::Core(unknown_agent(id))),
            Some(AgentStatus::Gone) => Err(Error::Core(gone_error(id))),
            Some(AgentStatus::Live) => {
                tx.prepare_cached(
                    "UPDATE agents SET last_heartbeat = max(last_heartbeat, ?2) WHERE id = ?1",
                )?
                .execute(params![id, now])?;
                Ok(())
            }
        })
    }

    fn deregister_tx(&self, id: &str, now: Millis) -> Result<Reaped> {
        self.db.write(|tx| {
            let status = status_of(tx, id)?.ok_or_else(|| Error::Core(unknown_agent(id)))?;
            let mut out = Reaped::default();
            if status == AgentStatus::Live {
                tx.prepare_cached(
                    "UPDATE agents SET status = 'gone', stopped_at = ?2 WHERE id = ?1",
                )?
                .execute(params![id, now])?;
                out.agents.push(id.to_string());
            }
            out.released = release(tx, id, now)?;
            Ok(out)
        })
    }

    fn reap_tx(&self, now: Millis, timeout_ms: Millis) -> Result<Reaped> {
        check_timeout(timeout_ms)?;
        let cutoff = now.saturating_sub(timeout_ms);
        self.db.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "UPDATE agents SET status = 'gone', stopped_at = ?1
                 WHERE status = 'live' AND last_heartbeat <= ?2 RETURNING id",
            )?;
            let mut ids: Vec<String> = stmt
                .query_map(params![now, cutoff], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
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

impl AgentRegistry for SqliteAgentRegistry {
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
        let live = self.db.read(|tx| select(tx, "WHERE status = 'live'"))?;
        Ok(live.into_iter().filter(|a| a.serves(serving)).collect())
    }

    fn list(&self) -> xspense::Result<Vec<Agent>> {
        Ok(self.db.read(|tx| select(tx, ""))?)
    }

    fn reap(&self, now: Millis, timeout_ms: Millis) -> xspense::Result<Reaped> {
        Ok(self.reap_tx(now, timeout_ms)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Releasing an agent's leases reads only claimed tasks (the partial index of leases),
    /// never the whole table.
    #[test]
    fn a_release_scans_only_claimed_tasks() {
        let conn = connection::open_in_memory().unwrap();
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {RELEASE}"))
            .unwrap();
        // parameters left unbound: the plan does not depend on their values
        let mut rows = stmt.raw_query();
        let mut steps = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            steps.push(row.get::<_, String>(3).unwrap());
        }
        let plan = steps.join("\n");
        assert!(plan.contains("USING INDEX tasks_leased"), "{plan}");
    }
}

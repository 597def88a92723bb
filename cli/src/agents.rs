//! `xspense agents`: the agents (worker processes) registered on a store.

use xspense::tasks::{Agent, AgentStatus, Serving};
use xspense_stores::StoreUrl;

use crate::stdio::Stdout;
use crate::CliResult;

/// Options of `xspense agents`.
pub struct Options<'a> {
    pub store: &'a str,
    pub queue: Option<&'a str>,
    pub all: bool,
    pub json: bool,
}

/// Lists the live agents (serving `--queue` when given), or every agent with `--all`.
pub fn run(o: &Options<'_>) -> CliResult<()> {
    let at = StoreUrl::parse(o.store).map_err(|e| e.to_string())?;
    let registry = xspense_stores::open_agents(&at).map_err(|e| format!("{at}: {}", e))?;
    let serving = o.queue.map_or(Serving::Any, |q| Serving::Queue(q.into()));
    let listed = if o.all {
        registry.list().map(|all| {
            all.into_iter()
                .filter(|a| a.serves(&serving))
                .collect::<Vec<_>>()
        })
    } else {
        registry.live(&serving)
    }
    .map_err(|e| format!("{at}: {e}"))?;
    let mut out = Stdout::lock();
    if o.json {
        for a in &listed {
            let line = serde_json::to_string(a).map_err(|e| e.to_string())?;
            writeln!(out, "{line}")?;
        }
    } else {
        table(&mut out, &listed)?;
    }
    out.flush()
}

fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

fn table(out: &mut Stdout, agents: &[Agent]) -> CliResult<()> {
    writeln!(
        out,
        "id\tstatus\tqueues\tintents\tversion\thost\tstarted_at\tlast_heartbeat"
    )?;
    for a in agents {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            a.id,
            a.status.as_str(),
            a.queues.join(","),
            a.intents.join(","),
            a.version,
            a.host,
            time(a.started_at),
            match a.status {
                AgentStatus::Live => time(a.last_heartbeat),
                AgentStatus::Gone => format!(
                    "{} (gone {})",
                    time(a.last_heartbeat),
                    a.stopped_at.map_or_else(String::new, time)
                ),
            }
        )?;
    }
    Ok(())
}

//! The agent registry: worker processes ("agents") register what they serve when they start,
//! heartbeat while they run and deregister when they stop; [`AgentRegistry::reap`] marks the
//! agents that missed their heartbeats as gone and releases their task leases at once,
//! instead of when each lease expires.
//!
//! Lease semantics: an agent takes its leases under its own id or under
//! [`lease_owner`]`(id, slot)` (one name per worker thread). Releasing a gone agent's lease
//! is exactly what a lease expiry does, only earlier: the attempt (counted at the claim)
//! counts as a failure, and the task is pending again and due at once, or dead when that
//! attempt was its last. So a task still ends completed or dead after all its attempts, and
//! a late completion by the gone agent is refused with `lease_lost`, as after an expiry.
//! The registry only speeds recovery up: an agent that claims after it was reaped keeps a
//! normal lease, which expires as usual.
//!
//! ```
//! use std::sync::Arc;
//! use serde_json::json;
//! use xspense::tasks::{
//!     lease_owner, AgentRegistry, InMemoryAgentRegistry, InMemoryTaskStore, NewAgent, NewTask,
//!     Serving, TaskStatus, TaskStore,
//! };
//!
//! let tasks = Arc::new(InMemoryTaskStore::new());
//! let agents = InMemoryAgentRegistry::new(tasks.clone());
//! let t0 = 1_000_000;
//! agents.register(NewAgent::new("w1", ["categorizer"]).intents(["categorize"]), t0).unwrap();
//! assert_eq!(agents.live(&Serving::Intent("categorize".into())).unwrap().len(), 1);
//! let e = tasks.enqueue(NewTask::new("alice", "categorizer", "categorize", json!({})), t0).unwrap();
//! tasks.claim("categorizer", &lease_owner("w1", 0), 600_000, t0).unwrap().unwrap();
//! // w1 stops heart-beating; three minutes later it is reaped and its task is free again
//! let reaped = agents.reap(t0 + 180_000, 180_000).unwrap();
//! assert_eq!((reaped.agents.len(), reaped.released.pending), (1, 1));
//! assert_eq!(tasks.get("alice", &e.task.id).unwrap().status, TaskStatus::Pending);
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::store::{InMemoryTaskStore, Released, SLOT_SEPARATOR};
use crate::clock::Millis;
use crate::error::{Error, Result};

/// Longest agent id, queue, intent, version or host name.
const MAX_NAME_CHARS: usize = 200;

/// Most queues or intents one agent may list.
const MAX_LIST: usize = 100;

/// Whether an agent is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    /// Registered and heart-beating.
    Live,
    /// Deregistered, or reaped after missing its heartbeats.
    Gone,
}

impl AgentStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStatus::Live => "live",
            AgentStatus::Gone => "gone",
        }
    }

    /// The status of a stable name.
    pub fn parse(text: &str) -> Option<AgentStatus> {
        [AgentStatus::Live, AgentStatus::Gone]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// What an agent says about itself when it registers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewAgent {
    /// Unique per running process (e.g. `host-pid`); must not contain `#`.
    pub id: String,
    /// The queues it claims from.
    pub queues: Vec<String>,
    /// The intents it can run.
    pub intents: Vec<String>,
    /// Its software version.
    pub version: String,
    /// The machine it runs on.
    pub host: String,
}

impl NewAgent {
    /// An agent of `id` on `queues`, serving no declared intent, of unknown version and host.
    pub fn new<I, S>(id: impl Into<String>, queues: I) -> NewAgent
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        NewAgent {
            id: id.into(),
            queues: queues.into_iter().map(Into::into).collect(),
            intents: Vec::new(),
            version: String::new(),
            host: String::new(),
        }
    }

    /// Sets the intents it serves.
    pub fn intents<I, S>(mut self, intents: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.intents = intents.into_iter().map(Into::into).collect();
        self
    }

    /// Sets its version.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Sets its host.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    /// Checks names and limits.
    pub fn validate(&self) -> Result<()> {
        validate_id(&self.id)?;
        for (what, list) in [("queues", &self.queues), ("intents", &self.intents)] {
            if list.len() > MAX_LIST {
                return Err(Error::invalid(format!(
                    "an agent lists at most {MAX_LIST} {what}"
                )));
            }
            if list.iter().any(|v| v.trim().is_empty() || too_long(v)) {
                return Err(Error::invalid(format!(
                    "agent {what} must be 1 to {MAX_NAME_CHARS} characters"
                )));
            }
        }
        if too_long(&self.version) || too_long(&self.host) {
            return Err(Error::invalid(format!(
                "agent version and host must be at most {MAX_NAME_CHARS} characters"
            )));
        }
        Ok(())
    }
}

fn too_long(text: &str) -> bool {
    text.chars().count() > MAX_NAME_CHARS
}

/// Checks an agent id: 1 to 200 characters, not blank, without `#` (which separates the id
/// from a slot in a lease owner's name).
pub fn validate_id(id: &str) -> Result<()> {
    if id.trim().is_empty() || too_long(id) || id.contains(SLOT_SEPARATOR) {
        return Err(Error::invalid(format!(
            "agent id must be 1 to {MAX_NAME_CHARS} characters without '{SLOT_SEPARATOR}'"
        )));
    }
    Ok(())
}

/// A registered agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Agent {
    /// Unique id.
    pub id: String,
    /// The queues it claims from.
    pub queues: Vec<String>,
    /// The intents it can run.
    pub intents: Vec<String>,
    /// Its software version.
    pub version: String,
    /// The machine it runs on.
    pub host: String,
    /// When it (last) registered.
    pub started_at: Millis,
    /// Its last sign of life (registration or heartbeat).
    pub last_heartbeat: Millis,
    /// Live or gone.
    pub status: AgentStatus,
    /// When it deregistered or was reaped.
    pub stopped_at: Option<Millis>,
}

impl Agent {
    /// A live agent of `new` registered at `now`.
    pub fn started(new: NewAgent, now: Millis) -> Agent {
        Agent {
            id: new.id,
            queues: new.queues,
            intents: new.intents,
            version: new.version,
            host: new.host,
            started_at: now,
            last_heartbeat: now,
            status: AgentStatus::Live,
            stopped_at: None,
        }
    }

    /// Whether it serves what `serving` asks for (live or not).
    pub fn serves(&self, serving: &Serving) -> bool {
        match serving {
            Serving::Any => true,
            Serving::Queue(q) => self.queues.iter().any(|x| x == q),
            Serving::Intent(i) => self.intents.iter().any(|x| x == i),
        }
    }

    /// Whether it is live and missed its heartbeats: none for `timeout_ms` up to `now`.
    pub fn missed_heartbeats(&self, now: Millis, timeout_ms: Millis) -> bool {
        self.status == AgentStatus::Live && now.saturating_sub(self.last_heartbeat) >= timeout_ms
    }
}

/// Which agents [`AgentRegistry::live`] lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serving {
    /// Every live agent.
    Any,
    /// The live agents claiming from this queue.
    Queue(String),
    /// The live agents running this intent.
    Intent(String),
}

/// What [`AgentRegistry::reap`] or [`AgentRegistry::deregister`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reaped {
    /// The agents marked gone, by id.
    pub agents: Vec<String>,
    /// Their task leases, ended.
    pub released: Released,
}

/// The method names of [`AgentRegistry`].
pub const REGISTRY_METHODS: [&str; 6] = [
    "register",
    "heartbeat",
    "deregister",
    "live",
    "list",
    "reap",
];

/// Where agents are registered, beside the task store whose leases they hold. Each method is
/// atomic; `reap` and `deregister` change the agents and their tasks in one step.
pub trait AgentRegistry: Send + Sync {
    /// Registers (or registers again) the agent, live from `now`. Leases still held under its
    /// id (a previous run that died: a restart) are released first, as
    /// [`AgentRegistry::reap`] releases them; so ids must be unique among running processes.
    fn register(&self, agent: NewAgent, now: Millis) -> Result<Agent>;

    /// Records a sign of life. Refused with `not_found` for an unknown agent and with
    /// `lease_lost` for a gone one (reaped): it must register again.
    fn heartbeat(&self, id: &str, now: Millis) -> Result<()>;

    /// Marks the agent gone and releases the leases it still holds. Deregistering a gone
    /// agent releases what it may hold and changes nothing else; an unknown one is
    /// `not_found`.
    fn deregister(&self, id: &str, now: Millis) -> Result<Reaped>;

    /// The live agents serving `serving`, by id.
    fn live(&self, serving: &Serving) -> Result<Vec<Agent>>;

    /// Every agent, live and gone, by id.
    fn list(&self) -> Result<Vec<Agent>>;

    /// Marks gone every live agent with no heartbeat for `timeout_ms` up to `now`, and
    /// releases their leases at once (each as a lease expiry: a failed attempt).
    fn reap(&self, now: Millis, timeout_ms: Millis) -> Result<Reaped>;
}

/// The reap timeout must be positive.
pub fn check_timeout(timeout_ms: Millis) -> Result<()> {
    if timeout_ms <= 0 {
        return Err(Error::invalid("the reap timeout must be positive"));
    }
    Ok(())
}

/// The refusal of a heartbeat from a gone agent.
pub fn gone_error(id: &str) -> Error {
    Error::LeaseLost(format!(
        "agent {id} is gone (deregistered or reaped); register again"
    ))
}

/// The refusal of an unknown agent.
pub fn unknown_agent(id: &str) -> Error {
    Error::not_found("agent", id)
}

/// An [`AgentRegistry`] in memory, over an [`InMemoryTaskStore`] whose leases it releases.
#[derive(Debug)]
pub struct InMemoryAgentRegistry {
    tasks: Arc<InMemoryTaskStore>,
    agents: Mutex<BTreeMap<String, Agent>>,
}

impl InMemoryAgentRegistry {
    /// An empty registry for the agents working on `tasks`.
    pub fn new(tasks: Arc<InMemoryTaskStore>) -> InMemoryAgentRegistry {
        InMemoryAgentRegistry {
            tasks,
            agents: Mutex::new(BTreeMap::new()),
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, BTreeMap<String, Agent>>> {
        self.agents.lock().map_err(|_| {
            Error::Internal("agent registry lock poisoned by a panicking thread".into())
        })
    }
}

impl AgentRegistry for InMemoryAgentRegistry {
    fn register(&self, agent: NewAgent, now: Millis) -> Result<Agent> {
        agent.validate()?;
        let mut agents = self.lock()?;
        self.tasks.release_leases_of(&agent.id, now)?;
        let a = Agent::started(agent, now);
        agents.insert(a.id.clone(), a.clone());
        Ok(a)
    }

    fn heartbeat(&self, id: &str, now: Millis) -> Result<()> {
        let mut agents = self.lock()?;
        let a = agents.get_mut(id).ok_or_else(|| unknown_agent(id))?;
        if a.status == AgentStatus::Gone {
            return Err(gone_error(id));
        }
        a.last_heartbeat = a.last_heartbeat.max(now);
        Ok(())
    }

    fn deregister(&self, id: &str, now: Millis) -> Result<Reaped> {
        let mut agents = self.lock()?;
        let a = agents.get_mut(id).ok_or_else(|| unknown_agent(id))?;
        let mut out = Reaped::default();
        if a.status == AgentStatus::Live {
            a.status = AgentStatus::Gone;
            a.stopped_at = Some(now);
            out.agents.push(id.to_string());
        }
        out.released = self.tasks.release_leases_of(id, now)?;
        Ok(out)
    }

    fn live(&self, serving: &Serving) -> Result<Vec<Agent>> {
        Ok(self
            .lock()?
            .values()
            .filter(|a| a.status == AgentStatus::Live && a.serves(serving))
            .cloned()
            .collect())
    }

    fn list(&self) -> Result<Vec<Agent>> {
        Ok(self.lock()?.values().cloned().collect())
    }

    fn reap(&self, now: Millis, timeout_ms: Millis) -> Result<Reaped> {
        check_timeout(timeout_ms)?;
        let mut agents = self.lock()?;
        let mut out = Reaped::default();
        for a in agents.values_mut() {
            if a.missed_heartbeats(now, timeout_ms) {
                a.status = AgentStatus::Gone;
                a.stopped_at = Some(now);
                out.released.add(self.tasks.release_leases_of(&a.id, now)?);
                out.agents.push(a.id.clone());
            }
        }
        Ok(out)
    }
}

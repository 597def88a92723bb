//! The agent registry and its interaction with task leases: examples, then a state-machine
//! property test against a model.

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::clock::Millis;
use crate::error::ErrorCode;

const T0: Millis = 1_700_000_000_000;
const LEASE: Millis = 10_000;
const RETRY: RetryPolicy = RetryPolicy {
    base_ms: 0,
    factor: 1.0,
    max_ms: 0,
    jitter: 0.0,
};

fn setup() -> (Arc<InMemoryTaskStore>, InMemoryAgentRegistry) {
    let tasks = Arc::new(InMemoryTaskStore::new());
    let agents = InMemoryAgentRegistry::new(tasks.clone());
    (tasks, agents)
}

fn agent(id: &str) -> NewAgent {
    NewAgent::new(id, ["q"])
        .intents(["categorize", "redact"])
        .version("1.0")
        .host("h")
}

#[test]
fn registered_agents_are_listed_by_queue_and_intent() {
    let (_, r) = setup();
    r.register(agent("a"), T0).unwrap();
    r.register(NewAgent::new("b", ["other"]).intents(["redact"]), T0)
        .unwrap();
    let ids =
        |s: Serving| -> Vec<String> { r.live(&s).unwrap().into_iter().map(|a| a.id).collect() };
    assert_eq!(ids(Serving::Any), ["a", "b"]);
    assert_eq!(ids(Serving::Queue("q".into())), ["a"]);
    assert_eq!(ids(Serving::Intent("redact".into())), ["a", "b"]);
    assert_eq!(ids(Serving::Intent("categorize".into())), ["a"]);
    r.deregister("b", T0 + 1).unwrap();
    assert_eq!(ids(Serving::Any), ["a"]);
    let all = r.list().unwrap();
    assert_eq!(all[1].status, AgentStatus::Gone);
    assert_eq!(all[1].stopped_at, Some(T0 + 1));
}

#[test]
fn bad_ids_and_unknown_agents_are_typed_errors() {
    let (_, r) = setup();
    for bad in ["", "  ", "a#1"] {
        let e = r.register(agent(bad), T0).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{bad:?}");
    }
    assert_eq!(
        r.heartbeat("nobody", T0).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        r.deregister("nobody", T0).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(r.reap(T0, 0).unwrap_err().code(), ErrorCode::InvalidInput);
}

#[test]
fn reaping_releases_leases_as_an_expiry_does() {
    let (tasks, r) = setup();
    r.register(agent("a"), T0).unwrap();
    r.register(agent("b"), T0).unwrap();
    let last = tasks.enqueue(new_task().max_attempts(1), T0).unwrap().task;
    let retried = tasks.enqueue(new_task(), T0).unwrap().task;
    let held_by_b = tasks.enqueue(new_task(), T0).unwrap().task;
    for (owner, want) in [("a#0", &last), ("a#1", &retried), ("b#0", &held_by_b)] {
        let t = tasks.claim("q", owner, 600_000, T0).unwrap().unwrap();
        assert_eq!(t.id, want.id);
    }
    r.heartbeat("b", T0 + 50_000).unwrap();
    let reaped = r.reap(T0 + 60_000, 60_000).unwrap();
    assert_eq!(reaped.agents, ["a"]);
    assert_eq!(
        reaped.released,
        Released {
            pending: 1,
            dead: 1
        }
    );
    let t = tasks.get("alice", &last.id).unwrap();
    assert_eq!((t.status, t.attempts), (TaskStatus::Dead, 1));
    assert_eq!(t.error.as_deref(), Some("agent a gone at attempt 1"));
    let t = tasks.get("alice", &retried.id).unwrap();
    assert_eq!((t.status, t.run_at), (TaskStatus::Pending, T0 + 60_000));
    assert_eq!(
        tasks.get("alice", &held_by_b.id).unwrap().status,
        TaskStatus::Claimed
    );
    // the gone agent's late work is refused, its heartbeat too
    let late = tasks
        .complete("alice", &retried.id, "a#1", json!(1), T0 + 60_001)
        .unwrap_err();
    assert_eq!(late.code(), ErrorCode::LeaseLost);
    assert_eq!(
        r.heartbeat("a", T0 + 60_001).unwrap_err().code(),
        ErrorCode::LeaseLost
    );
    let s = tasks.stats(T0 + 60_001).unwrap();
    assert_eq!(s.failed_total, 2);
    // registering again makes it live
    r.register(agent("a"), T0 + 70_000).unwrap();
    r.heartbeat("a", T0 + 70_001).unwrap();
}

#[test]
fn a_restart_under_the_same_id_frees_the_previous_runs_leases() {
    let (tasks, r) = setup();
    r.register(agent("a"), T0).unwrap();
    let t = tasks.enqueue(new_task(), T0).unwrap().task;
    tasks.claim("q", "a#0", 600_000, T0).unwrap().unwrap();
    r.register(agent("a"), T0 + 5).unwrap();
    let again = tasks.claim("q", "a#0", 600_000, T0 + 6).unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (t.id, 2));
}

#[test]
fn deregistering_releases_what_is_left() {
    let (tasks, r) = setup();
    r.register(agent("a"), T0).unwrap();
    tasks.enqueue(new_task(), T0).unwrap();
    tasks.claim("q", "a", 600_000, T0).unwrap().unwrap();
    let out = r.deregister("a", T0 + 1).unwrap();
    assert_eq!(out.agents, ["a"]);
    assert_eq!(out.released.pending, 1);
    assert!(r.live(&Serving::Any).unwrap().is_empty());
    // again: nothing more to do
    assert_eq!(r.deregister("a", T0 + 2).unwrap(), Reaped::default());
}

fn new_task() -> NewTask {
    NewTask::new("alice", "q", "work", json!({}))
}

/// One step of the state-machine test.
#[derive(Debug, Clone)]
enum Op {
    Enqueue(u32),
    Register(usize),
    Heartbeat(usize),
    Deregister(usize),
    Claim(usize, usize),
    Complete(usize),
    Fail(usize),
    Advance(Millis),
    Reap(Millis),
}

const AGENTS: [&str; 3] = ["a", "b", "c"];

fn op() -> impl Strategy<Value = Op> {
    let a = 0..AGENTS.len();
    prop_oneof![
        (1u32..4).prop_map(Op::Enqueue),
        a.clone().prop_map(Op::Register),
        a.clone().prop_map(Op::Heartbeat),
        a.clone().prop_map(Op::Deregister),
        (a, 0usize..2).prop_map(|(a, s)| Op::Claim(a, s)),
        (0usize..8).prop_map(Op::Complete),
        (0usize..8).prop_map(Op::Fail),
        (0 as Millis..8_000).prop_map(Op::Advance),
        (1 as Millis..12_000).prop_map(Op::Reap),
    ]
}

/// What the test knows: each agent's liveness and last heartbeat, the leases taken.
#[derive(Default)]
struct Model {
    agents: BTreeMap<String, (AgentStatus, Millis)>,
    held: Vec<(String, String)>,
    tasks: Vec<String>,
}

impl Model {
    fn agent_of(owner: &str) -> &str {
        owner.split(SLOT_SEPARATOR).next().unwrap_or(owner)
    }
}

fn check_invariants(
    tasks: &InMemoryTaskStore,
    m: &Model,
    now: Millis,
) -> Result<(), TestCaseError> {
    let s = tasks.stats(now).unwrap();
    let mut attempts = 0u64;
    let (mut completed, mut claimed) = (0u64, 0u64);
    for id in &m.tasks {
        let t = tasks.get("alice", id).unwrap();
        attempts += u64::from(t.attempts);
        prop_assert!(t.attempts <= t.max_attempts);
        match t.status {
            TaskStatus::Completed => completed += 1,
            TaskStatus::Claimed => claimed += 1,
            TaskStatus::Dead => prop_assert_eq!(t.attempts, t.max_attempts),
            _ => {}
        }
    }
    // every attempt ended exactly once: completed, failed (fail, expiry, release) or running
    prop_assert_eq!(s.completed_total, completed);
    prop_assert_eq!(s.completed_total + s.failed_total + claimed, attempts);
    Ok(())
}

/// No claimed task is held by the gone agent `id` (right after it was reaped or
/// deregistered).
fn check_released(tasks: &InMemoryTaskStore, m: &Model, id: &str) -> Result<(), TestCaseError> {
    for t in &m.tasks {
        let t = tasks.get("alice", t).unwrap();
        if t.status == TaskStatus::Claimed {
            let owner = t.lease_owner.unwrap_or_default();
            prop_assert!(!is_lease_of(&owner, id), "{owner} still holds {}", t.id);
        }
    }
    Ok(())
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let (tasks, r) = setup();
    let mut m = Model::default();
    let mut now = T0;
    for op in ops {
        match op {
            Op::Enqueue(max) => {
                let t = tasks.enqueue(new_task().max_attempts(max), now).unwrap();
                m.tasks.push(t.task.id);
            }
            Op::Register(i) => {
                r.register(agent(AGENTS[i]), now).unwrap();
                m.agents.insert(AGENTS[i].into(), (AgentStatus::Live, now));
                m.held.retain(|(_, o)| Model::agent_of(o) != AGENTS[i]);
                check_released(&tasks, &m, AGENTS[i])?;
            }
            Op::Heartbeat(i) => {
                let got = r.heartbeat(AGENTS[i], now).map_err(|e| e.code());
                match m.agents.get_mut(AGENTS[i]) {
                    None => prop_assert_eq!(got, Err(ErrorCode::NotFound)),
                    Some((AgentStatus::Gone, _)) => prop_assert_eq!(got, Err(ErrorCode::LeaseLost)),
                    Some((AgentStatus::Live, last)) => {
                        prop_assert_eq!(got, Ok(()));
                        *last = now;
                    }
                }
            }
            Op::Deregister(i) => {
                let got = r.deregister(AGENTS[i], now);
                match m.agents.get_mut(AGENTS[i]) {
                    None => prop_assert_eq!(got.unwrap_err().code(), ErrorCode::NotFound),
                    Some((status, _)) => {
                        let out = got.unwrap();
                        prop_assert_eq!(
                            out.agents.len(),
                            usize::from(*status == AgentStatus::Live)
                        );
                        *status = AgentStatus::Gone;
                        check_released(&tasks, &m, AGENTS[i])?;
                    }
                }
            }
            Op::Claim(i, slot) => {
                let owner = lease_owner(AGENTS[i], slot);
                if let Some(t) = tasks.claim("q", &owner, LEASE, now).unwrap() {
                    m.held.push((t.id, owner));
                }
            }
            Op::Complete(k) | Op::Fail(k) if k < m.held.len() => {
                let (id, owner) = m.held.remove(k);
                let before = tasks.get("alice", &id).unwrap();
                let holds = before.status == TaskStatus::Claimed
                    && before.lease_owner.as_deref() == Some(owner.as_str())
                    && before.lease_expires_at.is_some_and(|e| e > now);
                let got = if matches!(op, Op::Complete(_)) {
                    tasks.complete("alice", &id, &owner, json!(1), now)
                } else {
                    tasks
                        .fail("alice", &id, &owner, "x", &RETRY, now)
                        .map(|_| ())
                };
                prop_assert_eq!(got.is_ok(), holds, "{:?} on {} by {}", op, id, owner);
            }
            Op::Complete(_) | Op::Fail(_) => {}
            Op::Advance(ms) => now += ms,
            Op::Reap(timeout) => {
                let out = r.reap(now, timeout).unwrap();
                let want: Vec<String> = m
                    .agents
                    .iter()
                    .filter(|(_, (s, last))| *s == AgentStatus::Live && now - last >= timeout)
                    .map(|(id, _)| id.clone())
                    .collect();
                prop_assert_eq!(&out.agents, &want);
                for id in &want {
                    m.agents.insert(id.clone(), (AgentStatus::Gone, now));
                    check_released(&tasks, &m, id)?;
                }
            }
        }
        check_invariants(&tasks, &m, now)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Registry and leases together: reaping finds exactly the agents that missed their
    /// heartbeats, leaves none of their leases behind, and every attempt of every task ends
    /// exactly once (completed, failed, released or still running).
    #[test]
    fn registry_and_leases_agree_with_the_model(ops in prop::collection::vec(op(), 1..80)) {
        run(ops)?;
    }
}

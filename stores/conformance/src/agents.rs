//! The agent registry's behaviour, checked on any store: each function takes a task store and
//! the registry over the same database (empty), as the in-memory pair
//! (`xspense::tasks::InMemoryAgentRegistry` over an `InMemoryTaskStore`) behaves. Each
//! store's `tests/agents.rs` calls them under the same names.

use serde_json::json;
use xspense::tasks::{
    lease_owner, AgentRegistry, AgentStatus, NewAgent, NewTask, Reaped, Released, Serving,
    TaskStatus, TaskStore,
};
use xspense::ErrorCode;

use crate::tasks::T0;

/// A lease longer than any check, so only the registry ends it.
const LONG_LEASE: i64 = 600_000;
/// The reap timeout of the checks.
const TIMEOUT: i64 = 60_000;

fn agent(id: &str) -> NewAgent {
    NewAgent::new(id, ["q"])
        .intents(["categorize", "redact"])
        .version("1.2.3")
        .host("box")
}

fn task() -> NewTask {
    NewTask::new("alice", "q", "work", json!({}))
}

fn ids(r: &dyn AgentRegistry, s: Serving) -> Vec<String> {
    r.live(&s).unwrap().into_iter().map(|a| a.id).collect()
}

/// Checked by the stores' test of the same name.
pub fn registered_agents_are_listed_by_queue_and_intent(_: &dyn TaskStore, r: &dyn AgentRegistry) {
    let a = r.register(agent("a"), T0).unwrap();
    assert_eq!(
        (a.started_at, a.last_heartbeat, a.status),
        (T0, T0, AgentStatus::Live)
    );
    r.register(NewAgent::new("b", ["other"]).intents(["redact"]), T0 + 1)
        .unwrap();
    assert_eq!(ids(r, Serving::Any), ["a", "b"]);
    assert_eq!(ids(r, Serving::Queue("q".into())), ["a"]);
    assert_eq!(ids(r, Serving::Intent("redact".into())), ["a", "b"]);
    assert_eq!(ids(r, Serving::Intent("categorize".into())), ["a"]);
    assert!(ids(r, Serving::Queue("none".into())).is_empty());
    let listed = r.live(&Serving::Queue("q".into())).unwrap();
    assert_eq!(listed, [a]);
    r.deregister("b", T0 + 2).unwrap();
    assert_eq!(ids(r, Serving::Any), ["a"]);
    let all = r.list().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[1].status, all[1].stopped_at),
        (AgentStatus::Gone, Some(T0 + 2))
    );
}

/// Checked by the stores' test of the same name.
pub fn bad_ids_and_unknown_agents_are_typed_errors(_: &dyn TaskStore, r: &dyn AgentRegistry) {
    for bad in ["", "  ", "a#1"] {
        let e = r.register(agent(bad), T0).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{bad:?}");
    }
    let code = |e: xspense::Error| e.code();
    assert_eq!(
        code(r.heartbeat("nobody", T0).unwrap_err()),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(r.deregister("nobody", T0).unwrap_err()),
        ErrorCode::NotFound
    );
    assert_eq!(code(r.reap(T0, 0).unwrap_err()), ErrorCode::InvalidInput);
    assert!(r.list().unwrap().is_empty());
}

/// Checked by the stores' test of the same name.
pub fn reaping_releases_leases_as_an_expiry_does(s: &dyn TaskStore, r: &dyn AgentRegistry) {
    r.register(agent("a"), T0).unwrap();
    r.register(agent("b"), T0).unwrap();
    // "a1" is another agent, whose name only starts like a's
    r.register(agent("a1"), T0).unwrap();
    let last = s.enqueue(task().max_attempts(1), T0).unwrap().task;
    let retried = s.enqueue(task(), T0).unwrap().task;
    let held_by_b = s.enqueue(task(), T0).unwrap().task;
    let held_by_a1 = s.enqueue(task(), T0).unwrap().task;
    for (owner, want) in [
        (lease_owner("a", 0), &last),
        (lease_owner("a", 1), &retried),
        (lease_owner("b", 0), &held_by_b),
        (lease_owner("a1", 0), &held_by_a1),
    ] {
        let t = s.claim("q", &owner, LONG_LEASE, T0).unwrap().unwrap();
        assert_eq!(t.id, want.id);
    }
    r.heartbeat("b", T0 + 50_000).unwrap();
    r.heartbeat("a1", T0 + 50_000).unwrap();
    assert!(r.reap(T0 + 59_999, TIMEOUT).unwrap().agents.is_empty());
    let reaped = r.reap(T0 + TIMEOUT, TIMEOUT).unwrap();
    assert_eq!(reaped.agents, ["a"]);
    assert_eq!(
        reaped.released,
        Released {
            pending: 1,
            dead: 1
        }
    );
    let now = T0 + TIMEOUT;
    let t = s.get("alice", &last.id).unwrap();
    assert_eq!(
        (t.status, t.attempts, t.finished_at),
        (TaskStatus::Dead, 1, Some(now))
    );
    assert_eq!(t.error.as_deref(), Some("agent a gone at attempt 1"));
    let t = s.get("alice", &retried.id).unwrap();
    assert_eq!(
        (t.status, t.run_at, t.lease_owner),
        (TaskStatus::Pending, now, None)
    );
    for id in [&held_by_b.id, &held_by_a1.id] {
        assert_eq!(s.get("alice", id).unwrap().status, TaskStatus::Claimed);
    }
    // the gone agent's late work is refused, and so is its heartbeat
    let late = s
        .complete(
            "alice",
            &retried.id,
            &lease_owner("a", 1),
            json!(1),
            now + 1,
        )
        .unwrap_err();
    assert_eq!(late.code(), ErrorCode::LeaseLost);
    assert_eq!(
        r.heartbeat("a", now + 1).unwrap_err().code(),
        ErrorCode::LeaseLost
    );
    assert_eq!(
        s.stats(now + 1).unwrap().failed_total,
        2,
        "each release is a failure"
    );
    assert_eq!(ids(r, Serving::Any), ["a1", "b"]);
    // the released task is claimable at once; the agent may register again
    let again = s.claim("q", "b#1", LONG_LEASE, now + 1).unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (retried.id, 2));
    r.register(agent("a"), now + 2).unwrap();
    r.heartbeat("a", now + 3).unwrap();
    // a second reap finds nothing more
    assert_eq!(r.reap(now + 3, TIMEOUT).unwrap(), Reaped::default());
}

/// Checked by the stores' test of the same name.
pub fn a_restart_under_the_same_id_frees_the_previous_runs_leases(
    s: &dyn TaskStore,
    r: &dyn AgentRegistry,
) {
    r.register(agent("a"), T0).unwrap();
    let t = s.enqueue(task(), T0).unwrap().task;
    s.claim("q", &lease_owner("a", 0), LONG_LEASE, T0)
        .unwrap()
        .unwrap();
    let restarted = r.register(agent("a"), T0 + 5).unwrap();
    assert_eq!(restarted.started_at, T0 + 5);
    let again = s
        .claim("q", &lease_owner("a", 0), LONG_LEASE, T0 + 6)
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (t.id, 2));
    assert_eq!(r.list().unwrap().len(), 1);
}

/// Checked by the stores' test of the same name.
pub fn deregistering_releases_what_is_left(s: &dyn TaskStore, r: &dyn AgentRegistry) {
    r.register(agent("a"), T0).unwrap();
    let t = s.enqueue(task(), T0).unwrap().task;
    s.claim("q", "a", LONG_LEASE, T0).unwrap().unwrap();
    let out = r.deregister("a", T0 + 1).unwrap();
    assert_eq!(out.agents, ["a"]);
    assert_eq!(
        out.released,
        Released {
            pending: 1,
            dead: 0
        }
    );
    assert_eq!(s.get("alice", &t.id).unwrap().status, TaskStatus::Pending);
    assert!(r.live(&Serving::Any).unwrap().is_empty());
    assert_eq!(r.deregister("a", T0 + 2).unwrap(), Reaped::default());
    assert_eq!(
        r.heartbeat("a", T0 + 3).unwrap_err().code(),
        ErrorCode::LeaseLost
    );
}

/// One check of this module.
pub type Check = fn(&dyn TaskStore, &dyn AgentRegistry);

/// Runs every check above, each on a fresh pair from `fresh`.
pub fn all<F, S, R>(fresh: F)
where
    F: Fn() -> (S, R),
    S: std::ops::Deref,
    S::Target: TaskStore + Sized,
    R: std::ops::Deref,
    R::Target: AgentRegistry + Sized,
{
    let checks: [(&str, Check); 5] = [
        ("listed", registered_agents_are_listed_by_queue_and_intent),
        ("errors", bad_ids_and_unknown_agents_are_typed_errors),
        ("reap", reaping_releases_leases_as_an_expiry_does),
        (
            "restart",
            a_restart_under_the_same_id_frees_the_previous_runs_leases,
        ),
        ("deregister", deregistering_releases_what_is_left),
    ];
    for (name, check) in checks {
        eprintln!("agents check: {name}");
        let (s, r) = fresh();
        check(&*s, &*r);
    }
}

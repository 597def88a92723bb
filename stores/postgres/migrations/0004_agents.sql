-- 4: the agent registry (worker processes, their heartbeats).
--
-- Agents are cluster-wide, like the worker role and the queues: an agent serves every
-- tenant's tasks, so the table has no tenant column. Row-level security is on and forced, as
-- on every table; only `xspense_worker` has a policy (and grants): a tenant's transaction
-- (`xspense_app`) sees no agent. Reaping an agent releases its task leases in the same
-- transaction, as `xspense_worker`, which may already update every tenant's tasks and
-- counters.
--
-- (Numbered 0004: 0003 is the engine state's. Applied in file order.)
CREATE TABLE agents (
    id             text   PRIMARY KEY,
    queues         json   NOT NULL,               -- array of queue names
    intents        json   NOT NULL,               -- array of intents
    version        text   NOT NULL,
    host           text   NOT NULL,
    started_at     bigint NOT NULL,
    last_heartbeat bigint NOT NULL,
    status         text   NOT NULL CHECK (status IN ('live', 'gone')),
    stopped_at     bigint
);
-- reap: live agents by their last heartbeat
CREATE INDEX agents_live ON agents (last_heartbeat) WHERE status = 'live';

ALTER TABLE agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE agents FORCE ROW LEVEL SECURITY;
CREATE POLICY every_agent ON agents TO xspense_worker USING (true) WITH CHECK (true);

REVOKE ALL ON agents FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON agents TO xspense_worker;

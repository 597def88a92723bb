-- 1: roles, tasks, task counters, rate limits, audit log; row-level security on every table.

-- Roles are cluster-wide: created once, by whichever database migrates first. Neither logs in:
-- the stores connect as the schema's owner (who runs the migrations) and take one of them for
-- every transaction (`SET LOCAL ROLE`), so row-level security applies even to the owner.
--   xspense_app     one tenant's rows, chosen by the setting `xspense.tenant`
--   xspense_worker  the queue-wide task operations (claim, stats, purge): every tenant's tasks
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xspense_app') THEN
        CREATE ROLE xspense_app NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xspense_worker') THEN
        CREATE ROLE xspense_worker NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$
BEGIN
    GRANT xspense_app, xspense_worker TO CURRENT_USER;
EXCEPTION WHEN unique_violation THEN NULL; -- granted meanwhile by a migration of another database
END $$;

-- The tenant of the current transaction; NULL (no row matches) when none was set.
CREATE FUNCTION xspense_tenant() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('xspense.tenant', true), '') $$;

-- ids from task_000000000000, as the in-memory store gives them
CREATE SEQUENCE tasks_seq MINVALUE 0 START 0;
CREATE TABLE tasks (
    seq              bigint  PRIMARY KEY DEFAULT nextval('tasks_seq'), -- id: task_<seq as hex>
    tenant           text    NOT NULL,
    queue            text    NOT NULL,
    sender           text    NOT NULL,                                 -- Task::from
    intent           text    NOT NULL,
    payload          json    NOT NULL,          -- json, not jsonb: read back byte for byte
    correlation_id   text,                                             -- NULL: the task's own id
    idempotency_key  text,
    priority         integer NOT NULL,
    run_at           bigint  NOT NULL,
    attempts         integer NOT NULL,
    max_attempts     integer NOT NULL,
    status           text    NOT NULL
        CHECK (status IN ('pending', 'claimed', 'completed', 'dead', 'cancelled')),
    lease_owner      text,
    lease_expires_at bigint,
    result           json,
    error            text,
    created_at       bigint  NOT NULL,
    updated_at       bigint  NOT NULL,
    finished_at      bigint
);
ALTER SEQUENCE tasks_seq OWNED BY tasks.seq;
-- enqueue: one task per (tenant, idempotency key)
CREATE UNIQUE INDEX tasks_idempotency ON tasks (tenant, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- claim: a queue's pending tasks in claim order
CREATE INDEX tasks_pending ON tasks (queue, priority DESC, run_at, seq) WHERE status = 'pending';
-- claim: expired leases of a queue
CREATE INDEX tasks_leased ON tasks (queue, lease_expires_at) WHERE status = 'claimed';
-- purge: final tasks by the time they finished
CREATE INDEX tasks_finished ON tasks (finished_at) WHERE finished_at IS NOT NULL;

-- completions and failures (lease expiries included) since the database was created
CREATE TABLE task_counters (
    tenant    text   NOT NULL,
    queue     text   NOT NULL,
    completed bigint NOT NULL DEFAULT 0,
    failed    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, queue)
);

-- GCRA: the theoretical arrival time per (tenant, key)
CREATE TABLE rate_limits (
    tenant text   NOT NULL,
    key    text   NOT NULL,
    tat    bigint NOT NULL,
    PRIMARY KEY (tenant, key)
);

-- One GCRA decision, atomic: the key's row is created if absent (a time of `now` behaves as
-- no row), locked, and moved on by `cost` only when the request fits within `tau`. Returns
-- whether it was allowed and the key's time after the decision.
CREATE FUNCTION gcra_take(p_tenant text, p_key text, p_now bigint, p_cost bigint, p_tau bigint,
                          OUT allowed boolean, OUT tat bigint)
LANGUAGE plpgsql AS $$
DECLARE
    base bigint;
BEGIN
    INSERT INTO rate_limits (tenant, key, tat) VALUES (p_tenant, p_key, p_now)
        ON CONFLICT (tenant, key) DO NOTHING;
    SELECT greatest(r.tat, p_now) INTO base FROM rate_limits r
        WHERE r.tenant = p_tenant AND r.key = p_key FOR UPDATE;
    IF base + p_cost - p_tau > p_now THEN
        allowed := false;
        tat := base;
        RETURN;
    END IF;
    UPDATE rate_limits r SET tat = base + p_cost WHERE r.tenant = p_tenant AND r.key = p_key;
    allowed := true;
    tat := base + p_cost;
END $$;

-- one hash chain per tenant; rows are never changed or removed
CREATE TABLE audit_log (
    tenant    text   NOT NULL,
    seq       bigint NOT NULL,
    at        bigint NOT NULL,
    actor     text   NOT NULL,
    action    text   NOT NULL,
    subject   text   NOT NULL,
    old       json,
    new       json,
    prev_hash text   NOT NULL,
    hash      text   NOT NULL,
    PRIMARY KEY (tenant, seq)
);
CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();

-- Row-level security on every table, forced on the owner too: a transaction sees and writes
-- only the rows of the tenant in `xspense.tenant`, whatever its queries say.
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;
ALTER TABLE task_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_counters FORCE ROW LEVEL SECURITY;
ALTER TABLE rate_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE rate_limits FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;

CREATE POLICY one_tenant ON tasks TO xspense_app
    USING (tenant = xspense_tenant()) WITH CHECK (tenant = xspense_tenant());
CREATE POLICY one_tenant ON task_counters TO xspense_app
    USING (tenant = xspense_tenant()) WITH CHECK (tenant = xspense_tenant());
CREATE POLICY one_tenant ON rate_limits TO xspense_app
    USING (tenant = xspense_tenant()) WITH CHECK (tenant = xspense_tenant());
CREATE POLICY one_tenant ON audit_log TO xspense_app
    USING (tenant = xspense_tenant()) WITH CHECK (tenant = xspense_tenant());
-- the queue is shared by every tenant: a worker claims, counts and purges across them
CREATE POLICY every_tenant ON tasks TO xspense_worker USING (true) WITH CHECK (true);
CREATE POLICY every_tenant ON task_counters TO xspense_worker USING (true) WITH CHECK (true);
CREATE POLICY every_tenant ON rate_limits TO xspense_worker USING (true);

-- Grants: no UPDATE or DELETE on the audit log for anyone but its owner (whom the trigger
-- refuses); deletes of tasks and limits only queue-wide (purges).
REVOKE ALL ON tasks, task_counters, rate_limits, audit_log FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON tasks TO xspense_app;
GRANT USAGE ON SEQUENCE tasks_seq TO xspense_app;
GRANT SELECT, INSERT, UPDATE ON task_counters TO xspense_app, xspense_worker;
GRANT SELECT, UPDATE, DELETE ON tasks TO xspense_worker;
GRANT SELECT, INSERT, UPDATE ON rate_limits TO xspense_app;
GRANT SELECT, DELETE ON rate_limits TO xspense_worker;
GRANT SELECT, INSERT ON audit_log TO xspense_app;

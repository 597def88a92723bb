-- 5: the task queue's claim and completion, one statement each.
--
-- A store calls each as a single prepared statement outside any explicit transaction: the
-- call is its own transaction and one round trip to the server. Each function first takes
-- its role and tenant with `set_config(..., true)`, as the stores' transactions do (the
-- settings end with the call's transaction), so row-level security applies to what follows
-- in it exactly as before.

-- Claims up to `p_limit` due tasks of `p_queue` at `p_now` for `p_worker`, leased until
-- `p_expires`, as `xspense_worker`. The queue's expired leases go back to pending (or to dead
-- without attempts left, counted as a failure of their tenant) first, in a statement of their
-- own, so a rescued task is claimable by this very call. Leases and tasks another transaction
-- holds locked are skipped, never waited for. Returns the claimed rows (in no given order).
CREATE FUNCTION xspense_claim(p_queue text, p_worker text, p_limit bigint, p_now bigint,
                              p_expires bigint)
RETURNS SETOF tasks LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('role', 'xspense_worker', true), set_config('xspense.tenant', '', true);
    WITH expired AS (
        SELECT seq FROM tasks
        WHERE queue = p_queue AND status = 'claimed' AND lease_expires_at <= p_now
        FOR UPDATE SKIP LOCKED
    ), rescued AS (
        UPDATE tasks t SET
            status = CASE WHEN t.attempts >= t.max_attempts THEN 'dead' ELSE 'pending' END,
            finished_at = CASE WHEN t.attempts >= t.max_attempts THEN p_now END,
            run_at = CASE WHEN t.attempts >= t.max_attempts THEN t.run_at ELSE p_now END,
            error = 'lease expired at attempt ' || t.attempts,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = p_now
        FROM expired WHERE t.seq = expired.seq
        RETURNING t.tenant
    )
    INSERT INTO task_counters (tenant, queue, failed)
        SELECT r.tenant, p_queue, count(*) FROM rescued r GROUP BY r.tenant
    ON CONFLICT (tenant, queue) DO UPDATE SET failed = task_counters.failed + excluded.failed;

    RETURN QUERY
    WITH picked AS (
        SELECT seq FROM tasks
        WHERE queue = p_queue AND status = 'pending' AND run_at <= p_now
        ORDER BY priority DESC, run_at, seq
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    )
    UPDATE tasks t SET status = 'claimed', attempts = t.attempts + 1, lease_owner = p_worker,
        lease_expires_at = p_expires, updated_at = p_now
    FROM picked WHERE t.seq = picked.seq
    RETURNING t.*;
END $$;

-- Completes task `p_seq` of tenant `p_tenant` with `p_result` at `p_now`, as `xspense_app`
-- with `xspense.tenant` set, when `p_worker` holds an unexpired lease on it, and counts the
-- completion for its tenant and queue. Returns whether it did; when not, nothing changed (a
-- missing task, another tenant's, a lost lease or a final status: the caller reads the task
-- to say which).
CREATE FUNCTION xspense_complete(p_tenant text, p_seq bigint, p_worker text, p_result json,
                                 p_now bigint)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('role', 'xspense_app', true), set_config('xspense.tenant', p_tenant, true);
    WITH done AS (
        UPDATE tasks SET status = 'completed', result = p_result, lease_owner = NULL,
            lease_expires_at = NULL, updated_at = p_now, finished_at = p_now
        WHERE seq = p_seq AND tenant = p_tenant AND status = 'claimed'
            AND lease_owner = p_worker AND lease_expires_at > p_now
        RETURNING tenant, queue
    )
    INSERT INTO task_counters (tenant, queue, completed, failed)
        SELECT d.tenant, d.queue, 1, 0 FROM done d
    ON CONFLICT (tenant, queue) DO UPDATE SET completed = task_counters.completed + 1;
    RETURN FOUND;
END $$;

REVOKE ALL ON FUNCTION xspense_claim(text, text, bigint, bigint, bigint),
    xspense_complete(text, bigint, text, json, bigint) FROM PUBLIC;

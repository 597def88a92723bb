-- 3: engine state (xspense::store::state): each tenant's change log, numbered from 1 per
-- tenant, on top of its latest snapshot. Every append notifies `xspense_engine_changes` with
-- the tenant, so engine processes sharing a tenant can read on without polling hard.

CREATE TABLE engine_changes (
    tenant text   NOT NULL,
    seq    bigint NOT NULL CHECK (seq > 0),
    change json   NOT NULL,                     -- one xspense::store::Change
    PRIMARY KEY (tenant, seq)                   -- two appends after one sequence: one wins
);

-- the snapshot holds every change up to `seq` (0: imported, before any change)
CREATE TABLE engine_snapshots (
    tenant   text   PRIMARY KEY,
    seq      bigint NOT NULL CHECK (seq >= 0),
    snapshot text   NOT NULL                    -- checksummed one-tenant snapshot, byte-exact
);

-- notifications are sent at commit, once per tenant and transaction (duplicates collapse)
CREATE FUNCTION engine_changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('xspense_engine_changes', NEW.tenant);
    RETURN NULL;
END $$;
CREATE TRIGGER engine_changes_notify AFTER INSERT ON engine_changes
    FOR EACH ROW EXECUTE FUNCTION engine_changes_notify();

ALTER TABLE engine_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE engine_changes FORCE ROW LEVEL SECURITY;
ALTER TABLE engine_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE engine_snapshots FORCE ROW LEVEL SECURITY;

CREATE POLICY one_tenant ON engine_changes TO xspense_app
    USING (tenant = xspense_tenant()) WITH CHECK (tenant = xspense_tenant());
CREATE POLICY one_tenant ON engine_snapshots TO xspense_app
    USING (tenant = xspense_tenant()) WITH CHECK (tenant = xspense_tenant());

-- changes are never updated: compaction deletes those a snapshot holds
REVOKE ALL ON engine_changes, engine_snapshots FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON engine_changes TO xspense_app;
GRANT SELECT, INSERT, UPDATE ON engine_snapshots TO xspense_app;

-- 2: the audit chain verified in SQL, with the core's hash (xspense::audit::AuditEntry::
-- content_hash): SHA-256 over seq and at as 8 little-endian bytes, each text field prefixed
-- by its length in UTF-8 bytes (8 little-endian bytes), old and new as their JSON text (the
-- `json` columns keep the text the store wrote) or 8 bytes 0xff when absent, then prev_hash.

-- v as 8 little-endian bytes
CREATE FUNCTION audit_le8(v bigint) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT decode(string_agg(lpad(to_hex((v >> (8 * i)) & 255), 2, '0'), '' ORDER BY i), 'hex')
    FROM generate_series(0, 7) AS i
$$;

-- a text field: its length in bytes, then its UTF-8 bytes
CREATE FUNCTION audit_field(t text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT audit_le8(octet_length(convert_to(t, 'UTF8'))) || convert_to(t, 'UTF8')
$$;

-- the hash an entry must carry
CREATE FUNCTION audit_entry_hash(e audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(
        audit_le8(e.seq) || audit_le8(e.at)
        || audit_field(e.tenant) || audit_field(e.actor) || audit_field(e.action)
        || audit_field(e.subject)
        || coalesce(audit_field(e.old::text), '\xffffffffffffffff'::bytea)
        || coalesce(audit_field(e.new::text), '\xffffffffffffffff'::bytea)
        || audit_field(e.prev_hash)), 'hex')
$$;

-- The first entry of the tenant's chain that fails (as xspense::audit::verify: a seq out of
-- place, a hash that does not match the content, or a link that does not match the entry
-- before), with the problem; no row when the chain holds. Row-level security applies: the
-- caller's tenant only.
CREATE FUNCTION audit_verify(p_tenant text, OUT seq bigint, OUT problem text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
    WITH chain AS (
        SELECT a.seq AS stored_seq, row_number() OVER w - 1 AS expected,
               a.hash = audit_entry_hash(a) AS hash_ok,
               a.prev_hash = coalesce(lag(a.hash) OVER w, repeat('0', 64)) AS link_ok
        FROM audit_log a WHERE a.tenant = p_tenant
        WINDOW w AS (ORDER BY a.seq)
    )
    SELECT expected,
           CASE WHEN stored_seq <> expected THEN 'out of place'
                WHEN NOT hash_ok THEN 'altered'
                ELSE 'unlinked' END
    FROM chain
    WHERE stored_seq <> expected OR NOT hash_ok OR NOT link_ok
    ORDER BY expected
    LIMIT 1
$$;

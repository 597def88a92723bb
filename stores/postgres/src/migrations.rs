//! The schema, as numbered migrations in `migrations/*.sql`, applied in order by [`migrate`]
//! and recorded in the table `schema_migrations` (one row per version applied). The stores
//! check the version when they connect: a database from a newer build is refused with
//! [`Error::SchemaTooNew`], one not migrated yet with [`Error::SchemaTooOld`].

use postgres::{Client, GenericClient, NoTls};

use crate::error::{Error, Result};

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_schema.sql"),
    include_str!("../migrations/0002_audit_verify.sql"),
    include_str!("../migrations/0003_engine_state.sql"),
    include_str!("../migrations/0004_agents.sql"),
    include_str!("../migrations/0005_task_hot_path.sql"),
];

/// The schema version this build migrates to.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Key of the transaction lock that serializes migrations of one database (two machines
/// starting at once migrate it once). Any fixed number: it names no row.
const MIGRATION_LOCK: i64 = 0x7873_7065_6e73_6501;

const LOCK: &str = "SELECT pg_advisory_xact_lock($1)";
const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
        version    bigint      PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
    )";
const TABLE_EXISTS: &str = "SELECT to_regclass('schema_migrations') IS NOT NULL";
const CURRENT: &str = "SELECT coalesce(max(version), 0) FROM schema_migrations";
const RECORD: &str = "INSERT INTO schema_migrations (version) VALUES ($1)";

/// The schema version of a database (0: never migrated).
pub fn version(client: &mut impl GenericClient) -> Result<i64> {
    if !client.query_one(TABLE_EXISTS, &[])?.get::<_, bool>(0) {
        return Ok(0);
    }
    Ok(client.query_one(CURRENT, &[])?.get(0))
}

/// Refuses a database whose schema is not the one this build knows.
pub(crate) fn check(client: &mut impl GenericClient) -> Result<()> {
    match version(client)? {
        found if found > LATEST => Err(Error::SchemaTooNew {
            found,
            known: LATEST,
        }),
        found if found < LATEST => Err(Error::SchemaTooOld {
            found,
            known: LATEST,
        }),
        _ => Ok(()),
    }
}

/// Connects to `url` and applies the missing migrations in one transaction; returns the
/// schema version. The role of `url` becomes the owner of the tables and must be allowed to
/// create roles (the first database of a cluster creates `xspense_app` and `xspense_worker`).
pub fn migrate(url: &str) -> Result<i64> {
    let mut client = Client::connect(url, NoTls)?;
    migrate_client(&mut client)
}

/// Connects to `url` and reads its schema version, changing nothing (0: never migrated).
pub fn database_version(url: &str) -> Result<i64> {
    let mut client = Client::connect(url, NoTls)?;
    version(&mut client)
}

/// [`migrate`] on an open connection.
pub fn migrate_client(client: &mut Client) -> Result<i64> {
    let mut tx = client.transaction()?;
    tx.execute(LOCK, &[&MIGRATION_LOCK])?;
    tx.batch_execute(CREATE_TABLE)?;
    let found = version(&mut tx)?;
    if found > LATEST {
        return Err(Error::SchemaTooNew {
            found,
            known: LATEST,
        });
    }
    let start = usize::try_from(found)
        .map_err(|_| Error::Corrupt(format!("schema version {found} is negative")))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.batch_execute(sql)?;
        tx.execute(RECORD, &[&(i as i64 + 1)])?;
    }
    tx.commit()?;
    Ok(LATEST)
}

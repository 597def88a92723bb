//! `--state`: the engine's state in a store of the core's [`EngineStateStore`] (one change
//! log per tenant): a SQLite database, or a PostgreSQL database (through `xspense-stores`).
//!
//! `--state` takes a database file, a `sqlite:PATH` URL, a directory (which holds
//! `state.sqlite`), or a `postgres://USER@HOST:PORT/DB` URL (a database migrated
//! beforehand). A directory of the old layout (`DIR/state.json`, one snapshot of every
//! tenant) is imported into `DIR/state.sqlite` on first use, and `state.json` is renamed
//! `state.json.migrated` so it is never imported twice.
//!
//! Saving is optimistic (the rule of `xspense::store::state`): a run loads its tenant at sequence `seq`, works, and appends its
//! changes after `seq`. If another process appended first, the run reloads the tenant
//! (which now holds the other process's changes), does its own change again on top of that
//! state, and retries. The run's changes are re-derived rather than replayed as recorded,
//! because change events do not commute: rule order decides ties, and removing a rule the
//! other process already removed fails.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use xspense::store::{Appended, EngineStateStore};
use xspense::Engine;
use xspense_sqlite::{Error as StoreError, SqliteEngineState};
use xspense_stores::StoreUrl;

use crate::stdio::note;
use crate::CliResult;

/// The database inside a `--state` directory.
pub const STATE_DB: &str = "state.sqlite";
/// The state file of the old directory layout.
pub const LEGACY_STATE_FILE: &str = "state.json";
/// What the old state file is renamed to once imported.
pub const MIGRATED_STATE_FILE: &str = "state.json.migrated";

/// Extensions that make a `--state` path that does not exist yet a database file (anything
/// else is a directory, created, as before).
const DB_EXTENSIONS: [&str; 3] = ["sqlite", "sqlite3", "db"];

/// Sequence conflicts a save rides out before giving up (each one means another run saved).
const MAX_SAVE_ATTEMPTS: usize = 1_000;

/// How often, and how long apart, a run waits for another run that imported `state.json`
/// to rename it.
const MIGRATION_WAITS: usize = 100;
const MIGRATION_WAIT: Duration = Duration::from_millis(50);

/// Where `--state` keeps the database.
#[derive(Debug, PartialEq, Eq)]
enum Location {
    /// A SQLite database file.
    Sqlite {
        /// The database file.
        db: PathBuf,
        /// The directory of a `--state DIR`, created if missing, where an old `state.json`
        /// may be.
        dir: Option<PathBuf>,
    },
    /// A database `xspense-stores` opens (PostgreSQL).
    Url(StoreUrl),
}

/// Schemes `--state` hands to `xspense-stores` as they are.
const URL_SCHEMES: [&str; 2] = ["postgres:", "postgresql:"];

fn resolve(arg: &Path) -> CliResult<Location> {
    let text = arg.to_string_lossy();
    let lower = text.to_ascii_lowercase();
    if URL_SCHEMES.iter().any(|s| lower.starts_with(s)) {
        return match StoreUrl::parse(&text).map_err(|e| format!("--state: {e}"))? {
            url @ StoreUrl::Postgres(_) => Ok(Location::Url(url)),
            StoreUrl::Sqlite(_) => Err(format!(
                "--state: {} is not a PostgreSQL URL; give postgres://USER@HOST:PORT/DB",
                xspense_stores::masked(&text)
            )
            .into()),
        };
    }
    if let Some(rest) = text.strip_prefix("sqlite:") {
        let path = rest.strip_prefix("//").unwrap_or(rest);
        if path.is_empty() {
            return Err("--state: sqlite: URL without a path".into());
        }
        return Ok(Location::Sqlite {
            db: PathBuf::from(path),
            dir: None,
        });
    }
    let is_db_name = arg
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DB_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
    match std::fs::metadata(arg) {
        Ok(m) if m.is_dir() => Ok(Location::Sqlite {
            db: arg.join(STATE_DB),
            dir: Some(arg.to_path_buf()),
        }),
        Ok(_) => Ok(Location::Sqlite {
            db: arg.to_path_buf(),
            dir: None,
        }),
        Err(_) if is_db_name => Ok(Location::Sqlite {
            db: arg.to_path_buf(),
            dir: None,
        }),
        Err(_) => Ok(Location::Sqlite {
            db: arg.join(STATE_DB),
            dir: Some(arg.to_path_buf()),
        }),
    }
}

/// Refuses a `--state` this command cannot use, without touching any file.
pub fn check(arg: &Path) -> CliResult<()> {
    resolve(arg).map(|_| ())
}

/// The opened state of one `--state`.
pub struct State {
    store: Arc<dyn EngineStateStore>,
    /// Where it is, for messages (a URL with its password masked).
    location: String,
}

fn store_error(location: &str, e: impl std::fmt::Display) -> crate::CliError {
    format!("{location}: {e}").into()
}

impl State {
    /// Opens (creating if needed) the database `--state` names, importing an old
    /// `state.json` beside it first.
    pub fn open(arg: &Path) -> CliResult<State> {
        match resolve(arg)? {
            Location::Sqlite { db, dir } => State::open_sqlite(db, dir),
            Location::Url(url) => {
                let location = url.to_string();
                let store =
                    xspense_stores::open_state(&url).map_err(|e| store_error(&location, e))?;
                Ok(State { store, location })
            }
        }
    }

    fn open_sqlite(db: PathBuf, dir: Option<PathBuf>) -> CliResult<State> {
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let location = db.display().to_string();
        let store = SqliteEngineState::open(&db).map_err(|e| store_error(&location, e))?;
        if let Some(dir) = &dir {
            migrate_legacy(&store, &location, dir)?;
        }
        Ok(State {
            store: Arc::new(store),
            location,
        })
    }
}

/// Imports `dir/state.json` (if there is one) into `store` (at `db`) and renames it
/// `state.json.migrated`. When another run imports it at the same time, waits for that run
/// to rename it.
fn migrate_legacy(store: &SqliteEngineState, db: &str, dir: &Path) -> CliResult<()> {
    let json = dir.join(LEGACY_STATE_FILE);
    for _ in 0..MIGRATION_WAITS {
        if std::fs::symlink_metadata(&json).is_err() {
            return Ok(());
        }
        match store.migrate_state_file(&json) {
            Ok(tenants) => {
                let to = dir.join(MIGRATED_STATE_FILE);
                match std::fs::rename(&json, &to) {
                    Ok(()) => {}
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(format!(
                            "{} was imported into {db}, but cannot be renamed {}: {e}",
                            json.display(),
                            to.display()
                        )
                        .into())
                    }
                }
                note!(
                    "{}: imported into {db} ({} tenant(s)); the old file is now {}",
                    json.display(),
                    tenants.len(),
                    to.display()
                );
                return Ok(());
            }
            Err(StoreError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                return Ok(())
            }
            // another run imported it and is about to rename it
            Err(StoreError::Core(xspense::Error::Conflict(_))) => {
                std::thread::sleep(MIGRATION_WAIT)
            }
            Err(e) => return Err(store_error(&json.display().to_string(), e)),
        }
    }
    Err(format!(
        "{} cannot be imported: a tenant in it already has state in {db}; move one of them away",
        json.display(),
    )
    .into())
}

impl State {
    /// Makes `engine`'s state of `tenant` the stored one; returns the sequence it is at.
    pub fn load_into(&self, engine: &mut Engine, tenant: &str) -> CliResult<u64> {
        let load = self
            .store
            .load(tenant)
            .map_err(|e| store_error(&self.location, e))?;
        load.apply_to(engine)
            .map_err(|e| store_error(&self.location, format!("tenant {tenant:?}: {e}")))?;
        Ok(load.seq)
    }

    /// Appends `changes` of `tenant` after `seq`. On a sequence conflict (another run saved
    /// first), `redo` builds the tenant's latest stored state in a new engine, does the run's
    /// change again on it and returns its changes, which are appended after the new sequence.
    /// Returns the sequence saved at.
    pub fn save(
        &self,
        tenant: &str,
        mut seq: u64,
        mut changes: Vec<xspense::store::Change>,
        mut redo: impl FnMut(&State) -> CliResult<(u64, Vec<xspense::store::Change>)>,
    ) -> CliResult<u64> {
        for _ in 0..MAX_SAVE_ATTEMPTS {
            if changes.is_empty() {
                return Ok(seq);
            }
            match self.store.append(tenant, seq, &changes) {
                Ok(Appended::At(at)) => return Ok(at),
                Ok(Appended::Stale { .. }) => (seq, changes) = redo(self)?,
                Err(e) => return Err(store_error(&self.location, e)),
            }
        }
        Err(store_error(
            &self.location,
            format!("tenant {tenant:?}: gave up after {MAX_SAVE_ATTEMPTS} concurrent saves"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(state: &State, tenant: &str) -> (Engine, u64) {
        let mut engine = Engine::new();
        let seq = state.load_into(&mut engine, tenant).unwrap();
        engine.drain_changes();
        (engine, seq)
    }

    #[test]
    fn a_save_that_lost_the_race_redoes_its_change_on_the_other_runs_state() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.sqlite");
        let mine = State::open(&db).unwrap();
        let theirs = State::open(&db).unwrap();
        let rule = |m: &str, c: &str| format!("merchant contains \"{m}\" => {c}\n");
        // both load sequence 0
        let (mut e1, seq1) = loaded(&mine, "t");
        let (mut e2, seq2) = loaded(&theirs, "t");
        e1.add_rules("t", &rule("tesco", "food.groceries")).unwrap();
        e2.add_rules("t", &rule("uber", "transport.taxi")).unwrap();
        assert_eq!(
            theirs
                .save("t", seq2, e2.drain_changes(), |_| panic!())
                .unwrap(),
            1
        );
        let mut redone = 0;
        let at = mine
            .save("t", seq1, e1.drain_changes(), |state| {
                redone += 1;
                let (mut e, seq) = loaded(state, "t");
                e.add_rules("t", &rule("tesco", "food.groceries")).unwrap();
                Ok((seq, e.drain_changes()))
            })
            .unwrap();
        assert_eq!((redone, at), (1, 2));
        let (e, seq) = loaded(&mine, "t");
        assert_eq!(seq, 2);
        let cats: Vec<_> = e
            .rules("t")
            .into_iter()
            .map(|r| r.then.category.unwrap())
            .collect();
        assert_eq!(cats, ["transport.taxi", "food.groceries"]);
        // nothing to save: nothing appended, even at a stale sequence
        assert_eq!(mine.save("t", 0, Vec::new(), |_| panic!()).unwrap(), 0);
    }

    #[test]
    fn resolves_urls_files_and_directories() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let db = |arg: &Path| match resolve(arg).unwrap() {
            Location::Sqlite { db, .. } => db,
            other => panic!("{arg:?} is not a SQLite file: {other:?}"),
        };
        assert_eq!(
            resolve(Path::new("sqlite:/tmp/x.db")).unwrap(),
            Location::Sqlite {
                db: "/tmp/x.db".into(),
                dir: None
            }
        );
        assert_eq!(db(Path::new("sqlite:///tmp/x")), PathBuf::from("/tmp/x"));
        assert_eq!(db(Path::new("sqlite:rel/x")), PathBuf::from("rel/x"));
        assert!(resolve(Path::new("sqlite:")).is_err());
        let new_db = d.join("new.sqlite");
        assert_eq!(db(&new_db), new_db);
        let new_dir = d.join("state");
        assert_eq!(
            resolve(&new_dir).unwrap(),
            Location::Sqlite {
                db: new_dir.join(STATE_DB),
                dir: Some(new_dir.clone())
            }
        );
        std::fs::write(d.join("plain"), "").unwrap();
        assert_eq!(db(&d.join("plain")), d.join("plain"));
        for url in ["postgres://h/db", "postgresql://u:secret@h:5432/db"] {
            let Location::Url(at) = resolve(Path::new(url)).unwrap() else {
                panic!("{url} is a store URL");
            };
            assert!(!at.to_string().contains("secret"), "{at}");
        }
        assert!(resolve(Path::new("POSTGRES:x")).is_err());
    }

    #[test]
    fn an_unreachable_postgres_state_names_it_without_the_password() {
        // port 1 on the loopback: nothing listens there
        let url = "postgres://u:hunter2@127.0.0.1:1/db";
        let Err(crate::CliError::Failed(msg)) = State::open(Path::new(url)) else {
            panic!("nothing listens on port 1");
        };
        assert!(msg.contains("127.0.0.1"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
    }
}

//! A small pool of connections to one database, and the transactions every store runs in.
//!
//! Idle connections wait in a `Mutex<Vec<Client>>`; a call takes one (or opens a new one when
//! none is idle), runs one transaction and gives it back, unless it broke. That is all a
//! synchronous store needs, without a pool crate and its threads.
//!
//! Every transaction first takes a role and a tenant (`set_config(..., true)`: they end with
//! the transaction, so a pooled connection never carries them over):
//! [`Scope::Tenant`] runs as `xspense_app` with `xspense.tenant` set, and row-level security
//! shows it that tenant's rows only; [`Scope::EveryTenant`] runs as `xspense_worker`, for the
//! queue-wide task operations (claim, stats, purge).

use std::collections::HashMap;
use std::sync::Mutex;

use postgres::{Client, Config, GenericClient, NoTls, Statement, Transaction};

use crate::error::{Error, Result};
use crate::migrations;

/// Idle connections kept per pool; more may be open at once, the rest are closed when given
/// back.
pub const DEFAULT_MAX_IDLE: usize = 8;

/// Takes the role and tenant of a transaction.
const ENTER: &str = "SELECT set_config('role', $1, true), set_config('xspense.tenant', $2, true)";

const ROLE_APP: &str = "xspense_app";
const ROLE_WORKER: &str = "xspense_worker";

/// Whose rows a transaction may see.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// One tenant's.
    Tenant(&'a str),
    /// Every tenant's tasks and counters (queue-wide operations).
    EveryTenant,
}

/// Statements prepared on one connection, by their text: a cached statement is bound and
/// run in one round trip instead of two.
#[derive(Default)]
pub(crate) struct Prepared {
    statements: HashMap<&'static str, Statement>,
}

impl Prepared {
    /// `sql` prepared on the connection of `tx` (once per connection).
    pub(crate) fn get(
        &mut self,
        tx: &mut impl GenericClient,
        sql: &'static str,
    ) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = tx.prepare(sql)?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }
}

/// An idle connection and the statements prepared on it.
struct Conn {
    client: Client,
    prepared: Prepared,
}

/// Connections to one database.
pub(crate) struct Pool {
    config: Config,
    idle: Mutex<Vec<Conn>>,
    max_idle: usize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("max_idle", &self.max_idle)
            .finish_non_exhaustive()
    }
}

impl Pool {
    /// Connects to `url` (`postgresql://user@host:port/db`) and checks that the database is
    /// migrated to the schema this build knows.
    pub(crate) fn connect(url: &str) -> Result<Pool> {
        let config: Config = url.parse()?;
        let mut client = config.connect(NoTls)?;
        migrations::check(&mut client)?;
        Ok(Pool {
            config,
            idle: Mutex::new(vec![Conn {
                client,
                prepared: Prepared::default(),
            }]),
            max_idle: DEFAULT_MAX_IDLE,
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Vec<Conn>>> {
        self.idle.lock().map_err(|_| {
            Error::Core(xspense::Error::Internal(
                "postgres pool lock poisoned by a panicking thread".into(),
            ))
        })
    }

    /// An idle connection, or a new one.
    pub(crate) fn take(&self) -> Result<Client> {
        Ok(self.take_conn()?.client)
    }

    fn take_conn(&self) -> Result<Conn> {
        if let Some(c) = self.lock()?.pop() {
            if !c.client.is_closed() {
                return Ok(c);
            }
        }
        Ok(Conn {
            client: self.config.connect(NoTls)?,
            prepared: Prepared::default(),
        })
    }

    /// Gives a connection back (dropped when broken or when enough are idle).
    pub(crate) fn give(&self, client: Client) {
        self.give_conn(Conn {
            client,
            prepared: Prepared::default(),
        });
    }

    fn give_conn(&self, conn: Conn) {
        if conn.client.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < self.max_idle {
                idle.push(conn);
            }
        }
    }

    /// Runs `f` in one transaction of `scope`; rolled back if `f` fails.
    pub(crate) fn run<T>(
        &self,
        scope: Scope<'_>,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.run_prepared(scope, |tx, _| f(tx))
    }

    /// [`Pool::run`], with the statements prepared on the connection at hand: the role and
    /// tenant are taken, and `f`'s statements run, one round trip each.
    pub(crate) fn run_prepared<T>(
        &self,
        scope: Scope<'_>,
        f: impl FnOnce(&mut Transaction<'_>, &mut Prepared) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.take_conn()?;
        let Conn { client, prepared } = &mut conn;
        let out = (|| {
            let mut tx = client.transaction()?;
            let (role, tenant) = match scope {
                Scope::Tenant(t) => (ROLE_APP, t),
                Scope::EveryTenant => (ROLE_WORKER, ""),
            };
            let enter = prepared.get(&mut tx, ENTER)?;
            tx.execute(&enter, &[&role, &tenant])?;
            let out = f(&mut tx, prepared)?;
            tx.commit()?;
            Ok(out)
        })();
        self.give_conn(conn);
        out
    }

    /// [`Pool::run_prepared`] in fewer round trips, for the task queue's hot path: `BEGIN`
    /// and the role and tenant go to the server as one simple query (one round trip instead
    /// of two), and `f` runs its statements on the connection itself, inside that
    /// transaction; committed when `f` succeeds, else rolled back. A connection whose
    /// rollback fails (or whose `f` panics) is closed, never given back mid-transaction.
    pub(crate) fn run_fast<T>(
        &self,
        scope: Scope<'_>,
        f: impl FnOnce(&mut Client, &mut Prepared) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.take_conn()?;
        let Conn { client, prepared } = &mut conn;
        let out = match client.batch_execute(&begin(scope)) {
            Ok(()) => f(client, prepared).and_then(|v| {
                client.batch_execute("COMMIT")?;
                Ok(v)
            }),
            Err(e) => Err(e.into()),
        };
        if out.is_err() && client.batch_execute("ROLLBACK").is_err() {
            // the connection's state is unknown: closed (dropped) rather than pooled
            return out;
        }
        self.give_conn(conn);
        out
    }
    /// Runs `f` on a pooled connection with the statements prepared on it, outside any
    /// transaction: each statement `f` runs is a transaction of its own. For the schema's
    /// functions that take their role and tenant themselves (`xspense_claim`,
    /// `xspense_complete`): one statement, one round trip, and no setting outlives it.
    pub(crate) fn run_alone<T>(
        &self,
        f: impl FnOnce(&mut Client, &mut Prepared) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.take_conn()?;
        let Conn { client, prepared } = &mut conn;
        let out = f(client, prepared);
        self.give_conn(conn);
        out
    }
}

/// `BEGIN` and [`ENTER`] as one simple query (which takes no parameters: the tenant is
/// quoted as an escape string literal, `E'...'`, whose only special characters are `'` and
/// `\`, whatever `standard_conforming_strings` says).
fn begin(scope: Scope<'_>) -> String {
    let (role, tenant) = match scope {
        Scope::Tenant(t) => (ROLE_APP, t),
        Scope::EveryTenant => (ROLE_WORKER, ""),
    };
    format!(
        "BEGIN; SELECT set_config('role', '{role}', true), \
         set_config('xspense.tenant', {}, true)",
        quote(tenant)
    )
}

/// `text` as an escape string literal.
fn quote(text: &str) -> String {
    let mut q = String::with_capacity(text.len() + 3);
    q.push_str("E'");
    for c in text.chars() {
        match c {
            '\'' => q.push_str("''"),
            '\\' => q.push_str("\\\\"),
            c => q.push(c),
        }
    }
    q.push('\'');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_are_quoted_as_escape_string_literals() {
        assert_eq!(quote(""), "E''");
        assert_eq!(quote("alice"), "E'alice'");
        assert_eq!(quote("o'brien"), "E'o''brien'");
        assert_eq!(quote(r"a\'; DROP"), r"E'a\\''; DROP'");
        assert!(begin(Scope::EveryTenant).contains("'xspense_worker'"));
        assert!(begin(Scope::Tenant("bob")).ends_with("set_config('xspense.tenant', E'bob', true)"));
    }
}

//! [`PgLimitStore`]: the GCRA state (one theoretical arrival time per key) shared by every
//! machine on the database.
//!
//! Two ways in: the core's [`LimitStore`] (so a [`xspense::limits::RateLimiter`] runs on
//! it), where the core's function decides between the read and the write in
//! one transaction (under a transaction lock on the key); and [`PgLimitStore::check`], where the server decides in one statement
//! (the SQL function `gcra_take` of the schema) with the core's arithmetic, one round trip.
//!
//! The limiter's keys are `tenant NUL route`; the tenant part is kept in its own column and
//! is the transaction's tenant, so row-level security applies.

use postgres::Transaction;
use xspense::clock::Millis;
use xspense::limits::{Decision, LimitStore, Quota};

use crate::error::{invalid, Result};
use crate::pool::{Pool, Scope};

/// Separates the tenant from the route in the limiter's keys.
const KEY_SEPARATOR: char = '\0';

/// The first key of the per-key transaction locks of [`LimitStore::update`] (the second is a
/// hash of the tenant and key): any fixed number.
const KEY_LOCK_CLASS: i32 = 0x7873_726c; // "xsrl"

/// Serializes the decisions on one key, present or not (`FOR UPDATE` locks only a row that
/// exists, and two first requests would both read none).
const LOCK_KEY: &str = "SELECT pg_advisory_xact_lock($1, hashtext($2 || '/' || $3))";
const SELECT_TAT: &str = "SELECT tat FROM rate_limits WHERE tenant = $1 AND key = $2";
const UPSERT_TAT: &str = "INSERT INTO rate_limits (tenant, key, tat) VALUES ($1, $2, $3)
    ON CONFLICT (tenant, key) DO UPDATE SET tat = excluded.tat";
const TAKE: &str = "SELECT allowed, tat FROM gcra_take($1, $2, $3, $4, $5)";
const PURGE: &str = "DELETE FROM rate_limits WHERE tat <= $1";

/// Rate-limit state in a PostgreSQL database.
#[derive(Debug)]
pub struct PgLimitStore {
    pool: Pool,
}

/// `(tenant, rest)` of a limiter key; a key without a separator belongs to the tenant `""`.
fn split(key: &str) -> (&str, &str) {
    key.split_once(KEY_SEPARATOR).unwrap_or(("", key))
}

fn stored_tat(tx: &mut Transaction<'_>, tenant: &str, key: &str) -> Result<Option<Millis>> {
    Ok(tx
        .query_opt(SELECT_TAT, &[&tenant, &key])?
        .map(|r| r.try_get(0))
        .transpose()?)
}

impl PgLimitStore {
    /// Connects to the migrated database at `url`.
    pub fn connect(url: &str) -> Result<PgLimitStore> {
        Ok(PgLimitStore {
            pool: Pool::connect(url)?,
        })
    }

    /// Drops keys whose time is in the past (they behave exactly like absent keys), of every
    /// tenant; returns how many.
    pub fn purge(&self, now: Millis) -> Result<usize> {
        self.pool.run(Scope::EveryTenant, |tx| {
            Ok(usize::try_from(tx.execute(PURGE, &[&now])?).unwrap_or(usize::MAX))
        })
    }

    /// Counts `n` requests of `tenant` on `route` at `now` under `quota` (all or none), decided
    /// by the server in one statement; the same answers as
    /// [`xspense::limits::RateLimiter::check_n`].
    pub fn check(
        &self,
        quota: &Quota,
        tenant: &str,
        route: &str,
        n: u32,
        now: Millis,
    ) -> Result<Decision> {
        if n == 0 || n > quota.burst {
            return Err(invalid(&format!(
                "a check counts 1 to {} requests",
                quota.burst
            )));
        }
        let t = quota.period_ms / i64::from(quota.count.max(1));
        if t <= 0 {
            return Err(invalid(
                "a quota allows at most one request per millisecond",
            ));
        }
        let tau = t * i64::from(quota.burst);
        let cost = t * i64::from(n);
        let (allowed, tat): (bool, Millis) = self.pool.run(Scope::Tenant(tenant), |tx| {
            let row = tx.query_one(TAKE, &[&tenant, &route, &now, &cost, &tau])?;
            Ok((row.try_get(0)?, row.try_get(1)?))
        })?;
        let remaining = |tat: Millis| u32::try_from(((tau - (tat - now)) / t).max(0)).unwrap_or(0);
        Ok(if allowed {
            Decision {
                allowed,
                remaining: remaining(tat),
                retry_after_ms: 0,
                reset_after_ms: tat - now,
            }
        } else {
            Decision {
                allowed,
                remaining: remaining(tat),
                retry_after_ms: tat + cost - tau - now,
                reset_after_ms: tat - now,
            }
        })
    }

    fn update_tx(
        &self,
        key: &str,
        f: &mut dyn FnMut(Option<Millis>) -> Option<Millis>,
    ) -> Result<()> {
        let (tenant, rest) = split(key);
        self.pool.run(Scope::Tenant(tenant), |tx| {
            tx.execute(LOCK_KEY, &[&KEY_LOCK_CLASS, &tenant, &rest])?;
            let stored = stored_tat(tx, tenant, rest)?;
            if let Some(tat) = f(stored) {
                tx.execute(UPSERT_TAT, &[&tenant, &rest, &tat])?;
            }
            Ok(())
        })
    }
}

impl LimitStore for PgLimitStore {
    fn update(
        &self,
        key: &str,
        f: &mut dyn FnMut(Option<Millis>) -> Option<Millis>,
    ) -> xspense::Result<()> {
        Ok(self.update_tx(key, f)?)
    }
}

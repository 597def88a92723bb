//! Databases named by URL (`xspense-stores`): what is not one store's class.

use napi_derive::napi;

use crate::errors::{IntoJs, JsError};

/// Creates or upgrades the schema of the database at `url` (`sqlite:PATH`, a file path, or
/// `postgres://...`) and returns the schema version it is at. A PostgreSQL database is migrated
/// this way before a store is opened on it; a SQLite file migrates itself on open.
#[napi]
pub fn migrate_store(url: String) -> Result<i64, JsError> {
    xspense_stores::migrate(&url).js()
}

//! Databases named by URL (`xspense-stores`): what is not one store's class.

use pyo3::prelude::*;

use crate::errors::IntoPy;

/// Creates or upgrades the schema of the database at `url` (`sqlite:PATH`, a file path, or
/// `postgres://...`) and returns the schema version it is at. A PostgreSQL database is
/// migrated this way before a store is opened on it; a SQLite file migrates itself on open.
#[pyfunction]
pub fn migrate_store(py: Python<'_>, url: &str) -> PyResult<i64> {
    py.detach(|| xspense_stores::migrate(url)).py()
}

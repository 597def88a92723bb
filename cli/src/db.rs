//! `xspense db migrate URL` and `xspense db status URL`: the schema of a store's database.

use xspense_stores::StoreUrl;

use crate::stdio::Stdout;
use crate::CliResult;

/// The URL as messages show it: a PostgreSQL password is masked.
fn shown(url: &str) -> String {
    StoreUrl::parse(url).map_or_else(|_| xspense_stores::masked(url), |at| at.to_string())
}

fn print(line: &str) -> CliResult<()> {
    let mut out = Stdout::lock();
    writeln!(out, "{line}")?;
    out.flush()
}

/// Creates or upgrades the schema, then prints the version it is at. A database of a newer
/// build is refused (nothing is changed).
pub fn migrate(url: &str) -> CliResult<()> {
    let at = shown(url);
    let before = xspense_stores::schema_version(url).map_err(|e| format!("{at}: {}", e))?;
    if before.found > before.latest {
        return Err(too_new(&at, before).into());
    }
    let version = xspense_stores::migrate(url).map_err(|e| format!("{at}: {}", e))?;
    print(&format!("{at}: schema version {version}"))?;
    if version > before.found {
        crate::stdio::note!(
            "migrated {at} from schema version {} to {version}",
            before.found
        );
    }
    Ok(())
}

/// Prints the schema version of the database and whether it needs migrating.
pub fn status(url: &str) -> CliResult<()> {
    let at = shown(url);
    let v = xspense_stores::schema_version(url).map_err(|e| format!("{at}: {}", e))?;
    if v.found > v.latest {
        return Err(too_new(&at, v).into());
    }
    let state = if v.found == v.latest {
        "up to date".to_string()
    } else {
        format!("needs migrating to {} (xspense db migrate)", v.latest)
    };
    print(&format!("{at}: schema version {}, {state}", v.found))
}

fn too_new(at: &str, v: xspense_stores::SchemaVersion) -> String {
    format!(
        "{at}: schema version {} is newer than version {} that this xspense knows; use a newer \
         xspense",
        v.found, v.latest
    )
}

//! [`StoreUrl`]: which database a URL names.

use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// What a store URL names.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// A SQLite database file (`sqlite:PATH`, `sqlite://PATH` or a plain path).
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://user:password@host:port/db`), as given.
    #[cfg(feature = "postgres")]
    Postgres(String),
}

const SQLITE_SCHEME: &str = "sqlite:";
const POSTGRES_SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];
const URL_FORMS: &str = "sqlite:PATH, a file path, or postgres://USER@HOST:PORT/DB";

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

impl StoreUrl {
    /// Reads a store URL. A text with no scheme is a SQLite file path.
    ///
    /// ```
    /// use xspense_stores::StoreUrl;
    /// assert_eq!(StoreUrl::parse("sqlite:///var/x.db").unwrap(), StoreUrl::Sqlite("/var/x.db".into()));
    /// assert_eq!(StoreUrl::parse("state.db").unwrap(), StoreUrl::Sqlite("state.db".into()));
    /// assert!(StoreUrl::parse("redis://h").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<StoreUrl> {
        let url = url.trim();
        if url.is_empty() {
            return Err(Error::Url(format!("empty store URL; give {URL_FORMS}")));
        }
        if starts_with_ignore_case(url, SQLITE_SCHEME) {
            let rest = &url[SQLITE_SCHEME.len()..];
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(Error::Url("sqlite: URL without a path".into()));
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if POSTGRES_SCHEMES
            .iter()
            .any(|s| starts_with_ignore_case(url, s))
        {
            return postgres(url);
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(Error::Url(format!(
                "unknown store scheme {scheme:?}; give {URL_FORMS}"
            )));
        }
        Ok(StoreUrl::Sqlite(PathBuf::from(url)))
    }
}

#[cfg(feature = "postgres")]
fn postgres(url: &str) -> Result<StoreUrl> {
    Ok(StoreUrl::Postgres(url.to_string()))
}

#[cfg(not(feature = "postgres"))]
fn postgres(_url: &str) -> Result<StoreUrl> {
    Err(Error::Unsupported(
        "this build has no PostgreSQL store; give a sqlite:PATH URL".into(),
    ))
}

/// A URL with its password replaced by `***`, safe for messages and logs.
pub fn masked(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => match authority[..at].find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &url[..scheme_end],
                &authority[..colon],
                &rest[at..]
            ),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Shows the URL with any password masked.
impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            #[cfg(feature = "postgres")]
            StoreUrl::Postgres(url) => f.write_str(&masked(url)),
        }
    }
}

/// As [`fmt::Display`]: a password never reaches a debug print either.
impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sqlite_forms() {
        for (url, path) in [
            ("sqlite:/tmp/x.db", "/tmp/x.db"),
            ("sqlite:///tmp/x.db", "/tmp/x.db"),
            ("SQLITE:rel/x.db", "rel/x.db"),
            ("plain.sqlite", "plain.sqlite"),
        ] {
            assert_eq!(StoreUrl::parse(url).unwrap(), StoreUrl::Sqlite(path.into()));
        }
        assert!(StoreUrl::parse("sqlite:").is_err());
        assert!(StoreUrl::parse("  ").is_err());
        let e = StoreUrl::parse("redis://h:6379").unwrap_err().to_string();
        assert!(e.contains("\"redis\"") && e.contains("sqlite:PATH"), "{e}");
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn a_postgres_password_never_shows() {
        let url = "postgresql://app:s3cr3t@db.internal:5432/xspense?sslmode=disable";
        let at = StoreUrl::parse(url).unwrap();
        assert_eq!(at, StoreUrl::Postgres(url.into()));
        for shown in [at.to_string(), format!("{at:?}")] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(
                shown.contains("app:***@db.internal:5432/xspense"),
                "{shown}"
            );
        }
        assert_eq!(masked("postgres://app@h/db"), "postgres://app@h/db");
        assert_eq!(masked("postgres://h/db"), "postgres://h/db");
    }
}

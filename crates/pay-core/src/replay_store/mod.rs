//! Durable [`ReplayGuard`]s: the inbox of processed notifications in SQLite or PostgreSQL, so
//! that replay protection survives restarts and is shared by several servers.
//!
//! - `SqliteReplayGuard` (feature `sqlite`): one file, shared by the processes of one machine.
//! - `PostgresReplayGuard` (feature `postgres`): one database, shared by any number of
//!   servers.
//! - [`open`]: either, from a URL (`sqlite:///var/lib/shop/inbox.db`,
//!   `postgres://user:password@host/db`), as an `Arc<dyn ReplayGuard>` for a
//!   [`NotificationInbox`](crate::NotificationInbox).
//!
//! # Schema
//!
//! One table, `cnpay_inbox` unless named otherwise, created on first use
//! (`CREATE TABLE IF NOT EXISTS`):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `key` | text, primary key | the notification's [replay key](crate::NotificationEvent::replay_key) |
//! | `state` | text | `claimed` (being processed), `done` (processed), or `released` (given back; this crate deletes the row instead, but accepts the state) |
//! | `claimed_at` | 64-bit integer | when it was last claimed, unix milliseconds from the guard's [`Clock`](crate::Clock) |
//!
//! What each method does, in one statement each (no explicit transaction):
//!
//! - [`try_claim`](ReplayGuard::try_claim):
//!   `INSERT INTO t(key, state, claimed_at) VALUES ($key, 'claimed', $now) ON CONFLICT(key) DO
//!   UPDATE SET state = 'claimed', claimed_at = $now WHERE t.state = 'released' OR (t.state =
//!   'claimed' AND t.claimed_at <= $now - claim_timeout)`. One row inserted or updated (the
//!   statement's affected-row count, the same as what `RETURNING key` would return):
//!   [`Claimed`](crate::ClaimOutcome::Claimed) (new, released, or abandoned by a handler that
//!   died). SQLite's `RETURNING` costs ~1.5 µs more per claim than the count, so it is not used.
//!   No row: `SELECT state FROM t WHERE key = $key`; `done` is [`Done`](crate::ClaimOutcome::Done),
//!   anything else [`InProgress`](crate::ClaimOutcome::InProgress).
//! - [`complete`](ReplayGuard::complete): `UPDATE t SET state = 'done' WHERE key = $key`.
//! - [`release`](ReplayGuard::release): `DELETE FROM t WHERE key = $key AND state = 'claimed'`.
//!
//! The database decides every race: two handlers claiming one key at once both run the
//! `INSERT`, and exactly one of them inserts or updates the row.
//!
//! Rows are never deleted once `done`; a merchant who wants to forget old notifications deletes
//! `done` rows older than the providers' resend window (days) with a scheduled job.
//!
//! # Errors
//!
//! A failure of the store (the file cannot be opened, the server is unreachable, a statement
//! fails) is [`Error::Io`], with the driver's error kept as the source of its
//! `io::Error`: the notification was not processed, answer an error status so the provider sends
//! it again. Passwords in URLs are never shown in errors or in `Debug`.

use std::sync::Arc;
use std::time::Duration;

use crate::{Error, ReplayGuard};

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::PostgresReplayGuard;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sqlite::SqliteReplayGuard;

/// The table name used unless another is given.
pub const DEFAULT_TABLE: &str = "cnpay_inbox";

/// Opens a durable guard from a URL, on the table [`DEFAULT_TABLE`].
///
/// - `sqlite://PATH` (feature `sqlite`): `sqlite:///var/lib/shop/inbox.db` is the absolute path
///   `/var/lib/shop/inbox.db`, `sqlite://inbox.db` a path relative to the working directory,
///   `sqlite::memory:` a private in-memory database (for tests).
/// - `postgres://…` or `postgresql://…` (feature `postgres`): a libpq-style URL, connected
///   without TLS (see `PostgresReplayGuard`).
///
/// # Errors
/// [`Error::InvalidInput`] for an unknown scheme, a scheme whose feature is off, or a malformed
/// URL; [`Error::Io`] when the store cannot be opened or reached.
pub async fn open(url: &str) -> Result<Arc<dyn ReplayGuard>, Error> {
    open_with_table(url, DEFAULT_TABLE).await
}

/// [`open`], on the table `table` (letters, digits and `_`, optionally `schema.table`).
///
/// # Errors
/// As [`open`], and [`Error::InvalidInput`] for a table name that is not a plain identifier.
pub async fn open_with_table(url: &str, table: &str) -> Result<Arc<dyn ReplayGuard>, Error> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        return open_sqlite(path, table).await;
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return open_postgres(url, table).await;
    }
    let scheme = url.split_once(':').map_or("", |(s, _)| s);
    Err(Error::invalid_input(
        "url",
        format!(
            "unknown inbox store scheme `{}`: expected `sqlite://PATH` or `postgres://…`",
            scheme.chars().take(20).collect::<String>()
        ),
    ))
}

#[cfg(feature = "sqlite")]
async fn open_sqlite(rest: &str, table: &str) -> Result<Arc<dyn ReplayGuard>, Error> {
    let path = sqlite_path(rest)?;
    let table = table.to_owned();
    let guard = tokio::task::spawn_blocking(move || {
        if path == ":memory:" {
            SqliteReplayGuard::open_in_memory_with_table(&table)
        } else {
            SqliteReplayGuard::open_with_table(&path, &table)
        }
    })
    .await
    .map_err(|e| Error::io(std::io::Error::other(e)))??;
    Ok(Arc::new(guard))
}

#[cfg(not(feature = "sqlite"))]
async fn open_sqlite(_rest: &str, _table: &str) -> Result<Arc<dyn ReplayGuard>, Error> {
    Err(Error::invalid_input(
        "url",
        "a `sqlite:` inbox store needs pay-core's cargo feature `sqlite`",
    ))
}

#[cfg(feature = "postgres")]
async fn open_postgres(url: &str, table: &str) -> Result<Arc<dyn ReplayGuard>, Error> {
    Ok(Arc::new(
        PostgresReplayGuard::connect_with_table(url, table).await?,
    ))
}

#[cfg(not(feature = "postgres"))]
async fn open_postgres(_url: &str, _table: &str) -> Result<Arc<dyn ReplayGuard>, Error> {
    Err(Error::invalid_input(
        "url",
        "a `postgres:` inbox store needs pay-core's cargo feature `postgres`",
    ))
}

/// The path of a `sqlite:` URL, after the scheme's colon.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
fn sqlite_path(rest: &str) -> Result<String, Error> {
    let path = rest.strip_prefix("//").unwrap_or(rest);
    if path.is_empty() {
        return Err(Error::invalid_input(
            "url",
            "a `sqlite:` URL needs a path: `sqlite:///absolute/path.db` or `sqlite://relative.db`",
        ));
    }
    if path.contains('?') || path.contains('#') {
        return Err(Error::invalid_input(
            "url",
            "a `sqlite:` URL takes no query or fragment",
        ));
    }
    Ok(path.to_owned())
}

/// Checks a table name: an SQL identifier of letters, digits and `_`, optionally qualified by a
/// schema (`schema.table`), at most 63 bytes each part.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
fn check_table(table: &str) -> Result<(), Error> {
    let ok = !table.is_empty()
        && table.split('.').count() <= 2
        && table.split('.').all(|part| {
            !part.is_empty()
                && part.len() <= 63
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !part.as_bytes()[0].is_ascii_digit()
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "table",
            "must be an identifier of ASCII letters, digits and `_` (optionally `schema.table`)",
        ))
    }
}

/// The claim timeout in milliseconds, saturating.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
fn timeout_millis(timeout: Duration) -> i64 {
    i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX)
}

/// A store failure as [`Error::Io`], keeping the driver's error.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
fn store_error(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::io(std::io::Error::other(e))
}

/// The URL with its password (if any) replaced by `***`, for `Debug` and messages.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
fn mask_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() && u.set_password(Some("***")).is_err() {
                return "<url>".to_owned();
            }
            u.to_string()
        }
        // Not parseable: show the scheme only, the rest may hold a password.
        Err(_) => match url.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://…"),
            None => "<url>".to_owned(),
        },
    }
}

/// The SQL of one table, built once per guard.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
#[derive(Debug, Clone)]
struct Statements {
    claim: String,
    state: String,
    complete: String,
    release: String,
}

#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
impl Statements {
    /// With placeholders `$1` (key), `$2` (now) and `$3` (the oldest claim still held).
    fn new(table: &str) -> Self {
        Statements {
            claim: format!(
                "INSERT INTO {table} (key, state, claimed_at) VALUES ($1, 'claimed', $2) \
                 ON CONFLICT (key) DO UPDATE SET state = 'claimed', claimed_at = $2 \
                 WHERE {table}.state = 'released' \
                 OR ({table}.state = 'claimed' AND {table}.claimed_at <= $3)"
            ),
            state: format!("SELECT state FROM {table} WHERE key = $1"),
            complete: format!("UPDATE {table} SET state = 'done' WHERE key = $1"),
            release: format!("DELETE FROM {table} WHERE key = $1 AND state = 'claimed'"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names() {
        for ok in ["cnpay_inbox", "shop.inbox", "_t1", "T"] {
            assert!(check_table(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "1t", "a b", "t;drop", "a.b.c", ".t", "t.", "\"t\"", "t-1",
        ] {
            assert!(check_table(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("///var/lib/shop/inbox.db").ok().as_deref(),
            Some("/var/lib/shop/inbox.db")
        );
        assert_eq!(sqlite_path("//inbox.db").ok().as_deref(), Some("inbox.db"));
        assert_eq!(sqlite_path(":memory:").ok().as_deref(), Some(":memory:"));
        assert!(sqlite_path("//").is_err());
        assert!(sqlite_path("///x.db?mode=ro").is_err());
    }

    #[test]
    fn urls_are_masked() {
        assert_eq!(
            mask_url("postgres://shop:s3cret@db.example:5432/shop"),
            "postgres://shop:***@db.example:5432/shop"
        );
        assert_eq!(
            mask_url("postgres://shop@db.example/shop"),
            "postgres://shop@db.example/shop"
        );
        let odd = mask_url("postgres://shop:s3cret@[bad/shop");
        assert!(!odd.contains("s3cret"), "{odd}");
    }

    #[test]
    fn timeouts_saturate() {
        assert_eq!(timeout_millis(Duration::from_secs(300)), 300_000);
        assert_eq!(timeout_millis(Duration::MAX), i64::MAX);
    }

    #[tokio::test]
    async fn unknown_schemes_are_invalid_input() {
        for url in ["mysql://x/y", "inbox.db", "redis://h"] {
            match open(url).await {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "url"),
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[cfg(not(feature = "sqlite"))]
    #[tokio::test]
    async fn sqlite_without_its_feature_says_so() {
        match open("sqlite:///tmp/x.db").await {
            Err(e @ Error::InvalidInput { .. }) => {
                assert!(e.to_string().contains("feature `sqlite`"), "{e}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[cfg(not(feature = "postgres"))]
    #[tokio::test]
    async fn postgres_without_its_feature_says_so() {
        match open("postgres://u:p@localhost/db").await {
            Err(e @ Error::InvalidInput { .. }) => {
                assert!(e.to_string().contains("feature `postgres`"), "{e}")
            }
            other => panic!("{other:?}"),
        }
    }
}

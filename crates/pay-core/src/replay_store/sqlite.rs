//! [`SqliteReplayGuard`]: the inbox in a SQLite file.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::{DEFAULT_TABLE, Statements, check_table, store_error, timeout_millis};
use crate::{ClaimOutcome, Error, InMemoryReplayGuard, ReplayGuard, SharedClock, SystemClock};

/// How long a statement waits for another connection's (or process's) write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A durable [`ReplayGuard`] on a SQLite file (feature `sqlite`; SQLite is compiled in).
///
/// The file is opened in WAL mode with a busy timeout, so several guards, and several processes
/// on one machine, can share it; the table is created on first use (schema and statements in
/// the [module docs](crate::replay_store)). Each guard holds one connection and runs its
/// statements on tokio's blocking pool (SQLite serialises writers anyway); polled outside a
/// tokio runtime, it runs them in place, blocking the caller's thread. Commits are synchronous (`synchronous = FULL`, an `fsync` of the
/// WAL per statement): a key reported `complete` survives a crash or a power cut.
/// [`with_synchronous_normal`](Self::with_synchronous_normal) trades that for speed.
///
/// ```
/// # async fn demo() -> Result<(), pay_core::Error> {
/// use pay_core::{ClaimOutcome, ReplayGuard};
/// use pay_core::replay_store::SqliteReplayGuard;
///
/// let guard = SqliteReplayGuard::open_in_memory()?;
/// assert_eq!(guard.try_claim("n1").await?, ClaimOutcome::Claimed);
/// guard.complete("n1").await?;
/// assert_eq!(guard.try_claim("n1").await?, ClaimOutcome::Done);
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
/// ```
pub struct SqliteReplayGuard {
    conn: Arc<Mutex<Connection>>,
    sql: Arc<Statements>,
    path: Option<PathBuf>,
    table: String,
    clock: SharedClock,
    claim_timeout: Duration,
}

impl fmt::Debug for SqliteReplayGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteReplayGuard")
            .field(
                "path",
                &self.path.as_deref().unwrap_or(Path::new(":memory:")),
            )
            .field("table", &self.table)
            .field("claim_timeout", &self.claim_timeout)
            .finish_non_exhaustive()
    }
}

impl SqliteReplayGuard {
    /// Opens (creating it if needed) the SQLite file at `path`, on the table `cnpay_inbox`.
    ///
    /// This blocks while the file is opened and the table created: call it at startup, or in
    /// `spawn_blocking`.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened or the table not created.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with_table(path, DEFAULT_TABLE)
    }

    /// [`open`](Self::open), on the table `table`.
    ///
    /// # Errors
    /// As [`open`](Self::open); [`Error::InvalidInput`] for a table name that is not a plain
    /// identifier.
    pub fn open_with_table(path: impl AsRef<Path>, table: &str) -> Result<Self, Error> {
        check_table(table)?;
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(store_error)?;
        Self::init(conn, Some(path.to_owned()), table)
    }

    /// A private in-memory database (gone when the guard is dropped), for tests.
    ///
    /// # Errors
    /// [`Error::Io`] if SQLite cannot allocate it.
    pub fn open_in_memory() -> Result<Self, Error> {
        Self::open_in_memory_with_table(DEFAULT_TABLE)
    }

    /// [`open_in_memory`](Self::open_in_memory), on the table `table`.
    ///
    /// # Errors
    /// As [`open_in_memory`](Self::open_in_memory); [`Error::InvalidInput`] for a table name
    /// that is not a plain identifier.
    pub fn open_in_memory_with_table(table: &str) -> Result<Self, Error> {
        check_table(table)?;
        let conn = Connection::open_in_memory().map_err(store_error)?;
        Self::init(conn, None, table)
    }

    fn init(conn: Connection, path: Option<PathBuf>, table: &str) -> Result<Self, Error> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(store_error)?;
        if path.is_some() {
            // Returns the mode; "memory" for an in-memory database.
            let _mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(store_error)?;
        }
        conn.execute_batch(&format!(
            "PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS {table} (
                 key TEXT PRIMARY KEY NOT NULL,
                 state TEXT NOT NULL CHECK (state IN ('claimed', 'done', 'released')),
                 claimed_at INTEGER NOT NULL
             ) WITHOUT ROWID;"
        ))
        .map_err(store_error)?;
        // SQLite's numbered parameters are `?N`.
        let pg = Statements::new(table);
        let sql = Statements {
            claim: pg.claim.replace('$', "?"),
            state: pg.state.replace('$', "?"),
            complete: pg.complete.replace('$', "?"),
            release: pg.release.replace('$', "?"),
        };
        Ok(SqliteReplayGuard {
            conn: Arc::new(Mutex::new(conn)),
            sql: Arc::new(sql),
            path,
            table: table.to_owned(),
            clock: Arc::new(SystemClock),
            claim_timeout: InMemoryReplayGuard::DEFAULT_CLAIM_TIMEOUT,
        })
    }

    /// Sets how long a claim holds before it is taken to be abandoned (default
    /// [`InMemoryReplayGuard::DEFAULT_CLAIM_TIMEOUT`]): longer than the slowest processing of
    /// one notification.
    #[must_use]
    pub fn with_claim_timeout(mut self, timeout: Duration) -> Self {
        self.claim_timeout = timeout;
        self
    }

    /// Sets the clock claims are stamped with (default [`SystemClock`]).
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Sets `synchronous = NORMAL`: the WAL is no longer flushed to disk at each commit, which
    /// is several times faster on most disks. A crash of the process loses nothing, but a power
    /// cut or an OS crash can lose the last claims and completions: a notification completed
    /// just before it can be processed again when the provider resends it, so the processing
    /// itself must then be idempotent (as it should be anyway). This blocks for a moment: call it
    /// at startup.
    ///
    /// # Errors
    /// [`Error::Io`] if SQLite refuses the setting.
    pub fn with_synchronous_normal(self) -> Result<Self, Error> {
        self.conn
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .execute_batch("PRAGMA synchronous = NORMAL")
            .map_err(store_error)?;
        Ok(self)
    }

    /// Runs `f` on the connection on tokio's blocking pool.
    async fn run<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Statements) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let sql = Arc::clone(&self.sql);
        let job = move || {
            // A poisoned lock only means a statement panicked; the connection is still valid.
            let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn, &sql)
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => runtime
                .spawn_blocking(job)
                .await
                .map_err(store_error)?
                .map_err(store_error),
            // Polled outside tokio: run in place (blocking this thread) rather than panic.
            Err(_) => job().map_err(store_error),
        }
    }
}

#[async_trait::async_trait]
impl ReplayGuard for SqliteReplayGuard {
    async fn try_claim(&self, key: &str) -> Result<ClaimOutcome, Error> {
        let key = key.to_owned();
        let now = self.clock.now().unix_millis();
        let oldest_held = now.saturating_sub(timeout_millis(self.claim_timeout));
        self.run(move |conn, sql| {
            // A row released between the two statements is claimed again (twice at most).
            for _ in 0..3 {
                // One row inserted or updated: claimed.
                let changed =
                    conn.prepare_cached(&sql.claim)?
                        .execute(params![key, now, oldest_held])?;
                if changed == 1 {
                    return Ok(ClaimOutcome::Claimed);
                }
                let state: Option<String> = conn
                    .prepare_cached(&sql.state)?
                    .query_row(params![key], |r| r.get(0))
                    .optional()?;
                match state.as_deref() {
                    Some("done") => return Ok(ClaimOutcome::Done),
                    Some(_) => return Ok(ClaimOutcome::InProgress),
                    None => {}
                }
            }
            Ok(ClaimOutcome::InProgress)
        })
        .await
    }

    async fn complete(&self, key: &str) -> Result<(), Error> {
        let key = key.to_owned();
        self.run(move |conn, sql| {
            conn.prepare_cached(&sql.complete)?.execute(params![key])?;
            Ok(())
        })
        .await
    }

    async fn release(&self, key: &str) -> Result<(), Error> {
        let key = key.to_owned();
        self.run(move |conn, sql| {
            conn.prepare_cached(&sql.release)?.execute(params![key])?;
            Ok(())
        })
        .await
    }
}

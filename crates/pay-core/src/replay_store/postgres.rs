//! [`PostgresReplayGuard`]: the inbox in a PostgreSQL table.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::OnceCell;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls, Statement};

use super::{DEFAULT_TABLE, Statements, check_table, mask_url, store_error, timeout_millis};
use crate::{ClaimOutcome, Error, InMemoryReplayGuard, ReplayGuard, SharedClock, SystemClock};

/// A durable [`ReplayGuard`] on PostgreSQL (feature `postgres`, built on tokio-postgres).
///
/// Any number of guards, in any number of processes, can share one table: every decision is one
/// statement, and the database settles races (schema and statements in the
/// [module docs](crate::replay_store)). A guard holds one connection; concurrent calls on it are
/// pipelined by tokio-postgres, and its four statements are prepared once, on first use, after
/// the table is created (`CREATE TABLE IF NOT EXISTS`).
///
/// **TLS.** [`connect`](Self::connect) connects without TLS: use it for a server on the same
/// machine or network namespace (`127.0.0.1`, or a Unix socket with
/// `postgresql://user@%2Frun%2Fpostgresql/db`). To reach a remote server over TLS, connect a
/// [`tokio_postgres::Client`] with the TLS connector of your choice (`tokio-postgres-rustls`,
/// `postgres-native-tls`) and pass it to [`from_client`](Self::from_client).
///
/// If the connection breaks, calls fail with [`Error::Io`]; open a new guard.
pub struct PostgresReplayGuard {
    client: Client,
    prepared: OnceCell<Prepared>,
    sql: Statements,
    target: String,
    table: String,
    clock: SharedClock,
    claim_timeout: Duration,
}

#[derive(Debug)]
struct Prepared {
    claim: Statement,
    state: Statement,
    complete: Statement,
    release: Statement,
}

impl fmt::Debug for PostgresReplayGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `target` is the URL with its password masked.
        f.debug_struct("PostgresReplayGuard")
            .field("target", &self.target)
            .field("table", &self.table)
            .field("claim_timeout", &self.claim_timeout)
            .finish_non_exhaustive()
    }
}

impl PostgresReplayGuard {
    /// Connects to `url` (`postgres://user:password@host:port/db`, or any libpq-style
    /// connection string) without TLS, on the table `cnpay_inbox`. The connection runs on a
    /// task spawned on the current tokio runtime.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed URL (the message never shows the password);
    /// [`Error::Io`] when the server cannot be reached or refuses the login.
    pub async fn connect(url: &str) -> Result<Self, Error> {
        Self::connect_with_table(url, DEFAULT_TABLE).await
    }

    /// [`connect`](Self::connect), on the table `table` (an identifier, optionally
    /// `schema.table` in an existing schema).
    ///
    /// # Errors
    /// As [`connect`](Self::connect); [`Error::InvalidInput`] for a table name that is not a
    /// plain identifier.
    pub async fn connect_with_table(url: &str, table: &str) -> Result<Self, Error> {
        check_table(table)?;
        let target = mask_url(url);
        let config: tokio_postgres::Config = url.parse().map_err(|_| {
            Error::invalid_input("url", format!("not a valid PostgreSQL URL: {target}"))
        })?;
        // The connection is a task on the current tokio runtime: without one, an error, not a
        // panic.
        let runtime = tokio::runtime::Handle::try_current().map_err(store_error)?;
        let (client, connection) = config.connect(NoTls).await.map_err(store_error)?;
        runtime.spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "cnpay inbox: PostgreSQL connection closed");
            }
        });
        let mut guard = Self::from_client_with_table(client, table)?;
        guard.target = target;
        // Create the table and prepare the statements now, so that a wrong database fails here.
        guard.prepared().await?;
        Ok(guard)
    }

    /// A guard on a connected client (for TLS, a pool's connection, or a Unix socket), on the
    /// table `cnpay_inbox`. The table is created on first use. The client's connection must be
    /// polled (spawned) by the caller, as tokio-postgres requires.
    pub fn from_client(client: Client) -> Self {
        PostgresReplayGuard {
            client,
            prepared: OnceCell::new(),
            sql: Statements::new(DEFAULT_TABLE),
            target: "<client>".to_owned(),
            table: DEFAULT_TABLE.to_owned(),
            clock: Arc::new(SystemClock),
            claim_timeout: InMemoryReplayGuard::DEFAULT_CLAIM_TIMEOUT,
        }
    }

    /// [`from_client`](Self::from_client), on the table `table`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a table name that is not a plain identifier.
    pub fn from_client_with_table(client: Client, table: &str) -> Result<Self, Error> {
        check_table(table)?;
        let mut guard = Self::from_client(client);
        guard.sql = Statements::new(table);
        guard.table = table.to_owned();
        Ok(guard)
    }

    /// Sets how long a claim holds before it is taken to be abandoned (default
    /// [`InMemoryReplayGuard::DEFAULT_CLAIM_TIMEOUT`]): longer than the slowest processing of
    /// one notification.
    #[must_use]
    pub fn with_claim_timeout(mut self, timeout: Duration) -> Self {
        self.claim_timeout = timeout;
        self
    }

    /// Sets the clock claims are stamped with (default [`SystemClock`]). Guards sharing a table
    /// compare each other's stamps: their clocks should agree to well under the claim timeout.
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The table created and the statements prepared, once.
    async fn prepared(&self) -> Result<&Prepared, Error> {
        self.prepared
            .get_or_try_init(|| async {
                let create = format!(
                    "CREATE TABLE IF NOT EXISTS {} (
                         key TEXT PRIMARY KEY,
                         state TEXT NOT NULL CHECK (state IN ('claimed', 'done', 'released')),
                         claimed_at BIGINT NOT NULL
                     )",
                    self.table
                );
                if let Err(e) = self.client.batch_execute(&create).await {
                    // Two guards creating the table at the same moment: one wins, the other
                    // sees its catalogue row.
                    let raced = matches!(
                        e.code(),
                        Some(c) if *c == SqlState::UNIQUE_VIOLATION
                            || *c == SqlState::DUPLICATE_TABLE
                            || *c == SqlState::DUPLICATE_OBJECT
                    );
                    if !raced {
                        return Err(store_error(e));
                    }
                }
                let prepare = |sql: &str| {
                    let sql = sql.to_owned();
                    async move { self.client.prepare(&sql).await.map_err(store_error) }
                };
                Ok(Prepared {
                    claim: prepare(&self.sql.claim).await?,
                    state: prepare(&self.sql.state).await?,
                    complete: prepare(&self.sql.complete).await?,
                    release: prepare(&self.sql.release).await?,
                })
            })
            .await
    }
}

#[async_trait::async_trait]
impl ReplayGuard for PostgresReplayGuard {
    async fn try_claim(&self, key: &str) -> Result<ClaimOutcome, Error> {
        let p = self.prepared().await?;
        let now = self.clock.now().unix_millis();
        let oldest_held = now.saturating_sub(timeout_millis(self.claim_timeout));
        // A row released between the two statements is claimed again (twice at most).
        for _ in 0..3 {
            // One row inserted or updated: claimed.
            let changed = self
                .client
                .execute(&p.claim, &[&key, &now, &oldest_held])
                .await
                .map_err(store_error)?;
            if changed == 1 {
                return Ok(ClaimOutcome::Claimed);
            }
            let state = self
                .client
                .query_opt(&p.state, &[&key])
                .await
                .map_err(store_error)?;
            let state: Option<String> = match state {
                Some(row) => Some(row.try_get(0).map_err(store_error)?),
                None => None,
            };
            match state.as_deref() {
                Some("done") => return Ok(ClaimOutcome::Done),
                Some(_) => return Ok(ClaimOutcome::InProgress),
                None => {}
            }
        }
        Ok(ClaimOutcome::InProgress)
    }

    async fn complete(&self, key: &str) -> Result<(), Error> {
        let p = self.prepared().await?;
        self.client
            .execute(&p.complete, &[&key])
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), Error> {
        let p = self.prepared().await?;
        self.client
            .execute(&p.release, &[&key])
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

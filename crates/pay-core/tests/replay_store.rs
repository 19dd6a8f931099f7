//! The durable replay guards (`pay_core::replay_store`) against real stores: a SQLite file, and
//! a PostgreSQL server when `CNPAY_TEST_POSTGRES_URL` is set (required when `CI` is set).
#![cfg(any(feature = "sqlite", feature = "postgres"))]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pay_core::{ClaimOutcome, Error, FixedClock, ReplayGuard, Timestamp};

/// A small xorshift generator: the order of deliveries differs per seed, no extra dependency.
struct Rng(u64);

impl Rng {
    fn seeded(salt: u64) -> Self {
        let mut seed = [0u8; 8];
        getrandom::fill(&mut seed).unwrap();
        Rng((u64::from_le_bytes(seed) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

const KEYS: usize = 200;
const COPIES: usize = 4;
const TASKS_PER_GUARD: usize = 8;

/// Two inboxes (guards) on one store, 8 tasks each, delivering every one of 200 keys 4 times in
/// random order. A delivery answered `InProgress` is sent again later (as a provider does) until
/// it is `Done`. Every key must be processed (claimed, then completed) exactly once in total.
async fn deliver_concurrently(guards: [Arc<dyn ReplayGuard>; 2], salt: u64) {
    let mut rng = Rng::seeded(salt);
    let mut deliveries: Vec<String> = (0..KEYS)
        .flat_map(|k| std::iter::repeat_n(format!("notify-{k:03}"), COPIES))
        .collect();
    rng.shuffle(&mut deliveries);

    let processed = Arc::new(Mutex::new(HashSet::new()));
    let twice = Arc::new(Mutex::new(Vec::new()));
    let processings = Arc::new(AtomicUsize::new(0));
    let duplicates = Arc::new(AtomicUsize::new(0));
    let tasks = guards.len() * TASKS_PER_GUARD;
    let mut handles = Vec::new();
    for t in 0..tasks {
        let guard = Arc::clone(&guards[t % guards.len()]);
        let mut queue: std::collections::VecDeque<String> =
            deliveries.iter().skip(t).step_by(tasks).cloned().collect();
        let (processed, twice, processings, duplicates) = (
            Arc::clone(&processed),
            Arc::clone(&twice),
            Arc::clone(&processings),
            Arc::clone(&duplicates),
        );
        handles.push(tokio::spawn(async move {
            while let Some(key) = queue.pop_front() {
                match guard.try_claim(&key).await.unwrap() {
                    ClaimOutcome::Claimed => {
                        if !processed.lock().unwrap().insert(key.clone()) {
                            twice.lock().unwrap().push(key.clone());
                        }
                        processings.fetch_add(1, Ordering::SeqCst);
                        // "Processing": let other deliveries of the key arrive meanwhile.
                        tokio::task::yield_now().await;
                        guard.complete(&key).await.unwrap();
                    }
                    ClaimOutcome::Done => {
                        duplicates.fetch_add(1, Ordering::SeqCst);
                    }
                    ClaimOutcome::InProgress => {
                        // The provider sends it again later.
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        queue.push_back(key);
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(
        *twice.lock().unwrap(),
        Vec::<String>::new(),
        "processed twice"
    );
    assert_eq!(processings.load(Ordering::SeqCst), KEYS);
    assert_eq!(processed.lock().unwrap().len(), KEYS);
    assert_eq!(duplicates.load(Ordering::SeqCst), KEYS * (COPIES - 1));
    // Every key is now done, on either guard.
    for k in [0, KEYS / 2, KEYS - 1] {
        let key = format!("notify-{k:03}");
        for g in &guards {
            assert_eq!(g.try_claim(&key).await.unwrap(), ClaimOutcome::Done);
        }
    }
}

/// The lifecycle every durable guard must follow; `reopen` opens a new guard on the same store
/// (a restart) with the given clock and claim timeout.
async fn lifecycle<F, Fut>(reopen: F)
where
    F: Fn(Arc<FixedClock>, Duration) -> Fut,
    Fut: std::future::Future<Output = Arc<dyn ReplayGuard>>,
{
    let clock = Arc::new(FixedClock::new(Timestamp::from_unix_seconds(1_700_000_000)));
    let timeout = Duration::from_secs(60);

    let guard = reopen(Arc::clone(&clock), timeout).await;
    assert_eq!(
        guard.try_claim("paid-1").await.unwrap(),
        ClaimOutcome::Claimed
    );
    assert_eq!(
        guard.try_claim("paid-1").await.unwrap(),
        ClaimOutcome::InProgress
    );
    guard.complete("paid-1").await.unwrap();
    assert_eq!(guard.try_claim("paid-1").await.unwrap(), ClaimOutcome::Done);
    // A handler that dies: claimed, never completed nor released.
    assert_eq!(
        guard.try_claim("crashed-1").await.unwrap(),
        ClaimOutcome::Claimed
    );
    // A handler that fails and gives the key back.
    assert_eq!(
        guard.try_claim("failed-1").await.unwrap(),
        ClaimOutcome::Claimed
    );
    guard.release("failed-1").await.unwrap();
    // Releasing or completing a key never claimed changes nothing.
    guard.release("never").await.unwrap();
    guard.complete("never").await.unwrap();
    drop(guard);

    // The restart: a new guard on the same store.
    let guard = reopen(Arc::clone(&clock), timeout).await;
    // The resent notification of a processed key is a duplicate.
    assert_eq!(guard.try_claim("paid-1").await.unwrap(), ClaimOutcome::Done);
    // Release is durable: the key is free.
    assert_eq!(
        guard.try_claim("failed-1").await.unwrap(),
        ClaimOutcome::Claimed
    );
    guard.complete("failed-1").await.unwrap();
    // Releasing a done key does not free it.
    guard.release("failed-1").await.unwrap();
    assert_eq!(
        guard.try_claim("failed-1").await.unwrap(),
        ClaimOutcome::Done
    );
    assert_eq!(
        guard.try_claim("never").await.unwrap(),
        ClaimOutcome::Claimed
    );
    // The dead handler's claim holds until the timeout...
    clock.advance_millis(59_999);
    assert_eq!(
        guard.try_claim("crashed-1").await.unwrap(),
        ClaimOutcome::InProgress
    );
    // ... and is taken over after it, once.
    clock.advance_millis(1);
    assert_eq!(
        guard.try_claim("crashed-1").await.unwrap(),
        ClaimOutcome::Claimed
    );
    assert_eq!(
        guard.try_claim("crashed-1").await.unwrap(),
        ClaimOutcome::InProgress
    );
    guard.complete("crashed-1").await.unwrap();
    clock.advance_millis(3_600_000);
    assert_eq!(
        guard.try_claim("crashed-1").await.unwrap(),
        ClaimOutcome::Done
    );
    assert_eq!(guard.try_claim("paid-1").await.unwrap(), ClaimOutcome::Done);
}

#[tokio::test]
async fn open_rejects_unknown_schemes() {
    for url in ["mysql://h/db", "/var/lib/inbox.db"] {
        assert!(
            matches!(
                pay_core::replay_store::open(url).await,
                Err(Error::InvalidInput { .. })
            ),
            "{url}"
        );
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use pay_core::SqliteReplayGuard;

    fn temp_db(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "cnpay-inbox-{}-{}",
            std::process::id(),
            Rng::seeded(0).next()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[tokio::test]
    async fn sqlite_survives_restart_takes_over_dead_claims_and_releases() {
        let path = temp_db("inbox.db");
        let p = path.clone();
        lifecycle(move |clock, timeout| {
            let p = p.clone();
            async move {
                Arc::new(
                    SqliteReplayGuard::open(&p)
                        .unwrap()
                        .with_clock(clock)
                        .with_claim_timeout(timeout),
                ) as Arc<dyn ReplayGuard>
            }
        })
        .await;
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[tokio::test]
    async fn sqlite_with_synchronous_normal_follows_the_same_lifecycle() {
        let path = temp_db("normal.db");
        let p = path.clone();
        lifecycle(move |clock, timeout| {
            let p = p.clone();
            async move {
                Arc::new(
                    SqliteReplayGuard::open(&p)
                        .unwrap()
                        .with_synchronous_normal()
                        .unwrap()
                        .with_clock(clock)
                        .with_claim_timeout(timeout),
                ) as Arc<dyn ReplayGuard>
            }
        })
        .await;
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite_two_inboxes_eight_tasks_each_process_every_key_once() {
        let path = temp_db("shared.db");
        let a: Arc<dyn ReplayGuard> = Arc::new(SqliteReplayGuard::open(&path).unwrap());
        let b: Arc<dyn ReplayGuard> = Arc::new(SqliteReplayGuard::open(&path).unwrap());
        deliver_concurrently([a, b], 1).await;
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[tokio::test]
    async fn sqlite_open_from_url_and_in_memory() {
        let path = temp_db("url.db");
        let url = format!("sqlite://{}", path.display());
        assert!(url.starts_with("sqlite:///"), "{url}");
        let guard = pay_core::replay_store::open(&url).await.unwrap();
        assert_eq!(guard.try_claim("k").await.unwrap(), ClaimOutcome::Claimed);
        guard.complete("k").await.unwrap();
        drop(guard);
        let guard = pay_core::replay_store::open_with_table(&url, "cnpay_inbox")
            .await
            .unwrap();
        assert_eq!(guard.try_claim("k").await.unwrap(), ClaimOutcome::Done);
        // Another table in the same file is another inbox.
        let other = pay_core::replay_store::open_with_table(&url, "other_inbox")
            .await
            .unwrap();
        assert_eq!(other.try_claim("k").await.unwrap(), ClaimOutcome::Claimed);
        assert!(format!("{other:?}").contains("other_inbox"));

        let memory = pay_core::replay_store::open("sqlite::memory:")
            .await
            .unwrap();
        assert_eq!(memory.try_claim("k").await.unwrap(), ClaimOutcome::Claimed);
        assert!(matches!(
            pay_core::replay_store::open_with_table(&url, "x; DROP TABLE y").await,
            Err(Error::InvalidInput { .. })
        ));
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn sqlite_works_outside_a_tokio_runtime() {
        // Polled by a plain executor, the statements run in place instead of panicking.
        let guard = SqliteReplayGuard::open_in_memory().unwrap();
        let outcome = futures_util::FutureExt::now_or_never(guard.try_claim("k"));
        assert!(
            matches!(outcome, Some(Ok(ClaimOutcome::Claimed))),
            "{outcome:?}"
        );
    }

    #[tokio::test]
    async fn sqlite_schema_qualified_table() {
        let guard = SqliteReplayGuard::open_in_memory_with_table("main.inbox")
            .unwrap()
            .with_claim_timeout(Duration::ZERO);
        assert_eq!(guard.try_claim("k").await.unwrap(), ClaimOutcome::Claimed);
        // A zero timeout: every claim is taken over at once (the UPDATE branch runs).
        assert_eq!(guard.try_claim("k").await.unwrap(), ClaimOutcome::Claimed);
        guard.complete("k").await.unwrap();
        assert_eq!(guard.try_claim("k").await.unwrap(), ClaimOutcome::Done);
    }

    #[tokio::test]
    async fn sqlite_store_failures_are_io_errors() {
        let dir = temp_db("x");
        // A directory is not a database file.
        std::fs::create_dir_all(&dir).unwrap();
        match SqliteReplayGuard::open(&dir) {
            Err(e @ Error::Io { .. }) => {
                assert!(std::error::Error::source(&e).is_some(), "{e:?}");
            }
            other => panic!("{other:?}"),
        }
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use pay_core::PostgresReplayGuard;

    /// The test server's URL; `None` (skip) when unset, unless `CI` is set: CI must run these.
    fn postgres_url() -> Option<String> {
        match std::env::var("CNPAY_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(url),
            _ if std::env::var_os("CI").is_some() => panic!(
                "CI is set but CNPAY_TEST_POSTGRES_URL is not: the PostgreSQL inbox tests must \
                 run in CI (.ci/run starts a server and sets it)"
            ),
            _ => {
                eprintln!("skipping: CNPAY_TEST_POSTGRES_URL is not set (no PostgreSQL server)");
                None
            }
        }
    }

    /// A table name of this test run alone.
    fn table(test: &str) -> String {
        format!(
            "cnpay_inbox_test_{test}_{}_{}",
            std::process::id(),
            Rng::seeded(0).next() % 1_000_000
        )
    }

    async fn drop_table(url: &str, table: &str) {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .batch_execute(&format!("DROP TABLE IF EXISTS {table}"))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn postgres_survives_restart_takes_over_dead_claims_and_releases() {
        let Some(url) = postgres_url() else { return };
        let table = table("lifecycle");
        let (u, t) = (url.clone(), table.clone());
        lifecycle(move |clock, timeout| {
            let (u, t) = (u.clone(), t.clone());
            async move {
                Arc::new(
                    PostgresReplayGuard::connect_with_table(&u, &t)
                        .await
                        .unwrap()
                        .with_clock(clock)
                        .with_claim_timeout(timeout),
                ) as Arc<dyn ReplayGuard>
            }
        })
        .await;
        drop_table(&url, &table).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres_two_inboxes_eight_tasks_each_process_every_key_once() {
        let Some(url) = postgres_url() else { return };
        let table = table("concurrent");
        // Both guards create the table at once on first use.
        let (a, b) = tokio::join!(
            PostgresReplayGuard::connect_with_table(&url, &table),
            PostgresReplayGuard::connect_with_table(&url, &table),
        );
        deliver_concurrently([Arc::new(a.unwrap()), Arc::new(b.unwrap())], 2).await;
        drop_table(&url, &table).await;
    }

    #[tokio::test]
    async fn postgres_open_from_url_and_from_client() {
        let Some(url) = postgres_url() else { return };
        let table = table("url");
        let guard = pay_core::replay_store::open_with_table(&url, &table)
            .await
            .unwrap();
        assert_eq!(guard.try_claim("k").await.unwrap(), ClaimOutcome::Claimed);
        guard.complete("k").await.unwrap();
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        let from_client = PostgresReplayGuard::from_client_with_table(client, &table).unwrap();
        assert_eq!(
            from_client.try_claim("k").await.unwrap(),
            ClaimOutcome::Done
        );
        drop_table(&url, &table).await;
    }

    #[tokio::test]
    async fn postgres_schema_qualified_table() {
        let Some(url) = postgres_url() else { return };
        let schema = table("schema");
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        let guard = PostgresReplayGuard::connect_with_table(&url, &format!("{schema}.inbox"))
            .await
            .unwrap()
            .with_claim_timeout(Duration::ZERO);
        assert_eq!(guard.try_claim("k").await.unwrap(), ClaimOutcome::Claimed);
        // A zero timeout: every claim is taken over at once (the UPDATE branch runs).
        assert_eq!(guard.try_claim("k").await.unwrap(), ClaimOutcome::Claimed);
        guard.complete("k").await.unwrap();
        assert_eq!(guard.try_claim("k").await.unwrap(), ClaimOutcome::Done);
        client
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .unwrap();
    }

    #[test]
    fn postgres_connect_outside_a_tokio_runtime_is_an_error() {
        let outcome = futures_util::FutureExt::now_or_never(PostgresReplayGuard::connect(
            "postgres://u:secret@127.0.0.1:1/db",
        ));
        match outcome {
            Some(Err(e @ Error::Io { .. })) => assert!(!format!("{e:?}").contains("secret")),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn postgres_passwords_never_show() {
        // A server that refuses the password: the error and Debug never show it.
        let Some(url) = postgres_url() else { return };
        let mut bad = url::Url::parse(&url).unwrap();
        bad.set_password(Some("wrong-Pa55word")).unwrap();
        match PostgresReplayGuard::connect(bad.as_str()).await {
            Err(e @ Error::Io { .. }) => {
                let shown = format!("{e} {e:?} {}", std::error::Error::source(&e).unwrap());
                assert!(!shown.contains("wrong-Pa55word"), "{shown}");
            }
            other => panic!("{other:?}"),
        }
        let table = table("mask");
        let guard = PostgresReplayGuard::connect_with_table(&url, &table)
            .await
            .unwrap();
        let password = url::Url::parse(&url)
            .unwrap()
            .password()
            .unwrap_or("")
            .to_owned();
        let debug = format!("{guard:?}");
        assert!(debug.contains("***"), "{debug}");
        if !password.is_empty() {
            assert!(!debug.contains(&password), "{debug}");
        }
        // Nor does a malformed URL.
        match PostgresReplayGuard::connect("postgres://u:s3cr3t@host:notaport/db").await {
            Err(e @ Error::InvalidInput { .. }) => {
                assert!(!e.to_string().contains("s3cr3t"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        drop_table(&url, &table).await;
    }
}

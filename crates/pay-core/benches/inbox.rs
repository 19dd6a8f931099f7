//! The durable inbox: claim + complete of a new key through `SqliteReplayGuard` /
//! `PostgresReplayGuard` ("ours"), next to hand-written SQL doing the same on the same store in
//! the same run ("baseline": `INSERT … ON CONFLICT DO NOTHING`, then `UPDATE … SET state =
//! 'done'`, prepared once, each statement its own async call as a merchant's handler makes it:
//! on tokio's blocking pool for SQLite, pipelined on one connection for PostgreSQL).
//!
//! Groups (a mean is the wall time per claim + complete, so with 8 tasks it is the inverse of
//! the throughput):
//! - `inbox-sqlite-full-claim-complete-8-tasks`: 8 concurrent tasks on one guard, a SQLite file
//!   in WAL mode with the guard's default `synchronous = FULL` on both sides (an `fsync` per
//!   commit: this measures the disk as much as the code).
//! - `inbox-sqlite-normal-claim-complete` and `…-8-tasks`: one task, then 8, with
//!   `synchronous = NORMAL` on both sides (`SqliteReplayGuard::with_synchronous_normal`): no
//!   `fsync` per commit, so what the guard adds shows.
//! - `inbox-postgres-claim-complete-8-tasks`: 8 concurrent tasks on one guard (one
//!   connection, pipelined); only when `CNPAY_TEST_POSTGRES_URL` is set.
//!
//! Run: `cargo bench -p pay-core --features sqlite,postgres --bench inbox` (without both
//! features it only says so, so that `cargo bench --workspace` still runs).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[cfg(all(feature = "sqlite", feature = "postgres"))]
mod inbox {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use criterion::{Criterion, criterion_group};
    use pay_core::{
        ClaimOutcome, Clock, PostgresReplayGuard, ReplayGuard, SqliteReplayGuard, SystemClock,
    };

    const TASKS: u64 = 8;

    /// Unique keys across the whole run.
    static NEXT: AtomicU64 = AtomicU64::new(0);

    fn next_key() -> String {
        format!("bench-{}", NEXT.fetch_add(1, Ordering::Relaxed))
    }

    const SCHEMA: &str = "(key TEXT PRIMARY KEY NOT NULL,
         state TEXT NOT NULL CHECK (state IN ('claimed', 'done', 'released')),
         claimed_at BIGINT NOT NULL)";

    /// Runs `iters` claim + complete operations, spread over `tasks` concurrent tasks, and returns
    /// the wall time.
    fn timed<F, Fut>(rt: &tokio::runtime::Runtime, iters: u64, tasks: u64, op: F) -> Duration
    where
        F: Fn() -> Fut + Send + Sync + Clone + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        rt.block_on(async {
            let start = Instant::now();
            if tasks == 1 {
                for _ in 0..iters {
                    op().await;
                }
            } else {
                let mut handles = Vec::new();
                for t in 0..tasks {
                    let n = iters / tasks + u64::from(t < iters % tasks);
                    let op = op.clone();
                    handles.push(tokio::spawn(async move {
                        for _ in 0..n {
                            op().await;
                        }
                    }));
                }
                for h in handles {
                    h.await.unwrap();
                }
            }
            start.elapsed()
        })
    }

    /// With `CNPAY_BENCH_INTERLEAVED` set: times ours and the baseline in alternating rounds of
    /// about 50 ms and prints the best and median round of each (steadier than criterion's
    /// one-side-then-the-other on a busy machine; printed, not in the table).
    #[allow(clippy::print_stdout)]
    fn interleaved<FO, FutO, FB, FutB>(
        name: &str,
        rt: &tokio::runtime::Runtime,
        tasks: u64,
        ours: FO,
        baseline: FB,
    ) where
        FO: Fn() -> FutO + Send + Sync + Clone + 'static,
        FutO: std::future::Future<Output = ()> + Send,
        FB: Fn() -> FutB + Send + Sync + Clone + 'static,
        FutB: std::future::Future<Output = ()> + Send,
    {
        if std::env::var_os("CNPAY_BENCH_INTERLEAVED").is_none() {
            return;
        }
        let once = timed(rt, 16, tasks, ours.clone()).as_nanos() / 16;
        let n = u64::try_from(50_000_000 / once.max(1))
            .unwrap_or(1)
            .clamp(16, 100_000);
        let per_op = |d: Duration| d.as_nanos() / u128::from(n);
        let (mut o, mut b) = (Vec::new(), Vec::new());
        for i in 0..40 {
            if i % 2 == 0 {
                o.push(per_op(timed(rt, n, tasks, ours.clone())));
                b.push(per_op(timed(rt, n, tasks, baseline.clone())));
            } else {
                b.push(per_op(timed(rt, n, tasks, baseline.clone())));
                o.push(per_op(timed(rt, n, tasks, ours.clone())));
            }
        }
        o.sort_unstable();
        b.sort_unstable();
        let ratio = |x: u128, y: u128| {
            let hundredths = x * 100 / y.max(1);
            format!("{}.{:02}", hundredths / 100, hundredths % 100)
        };
        let (best_o, best_b, med_o, med_b) = (o[0], b[0], o[o.len() / 2], b[b.len() / 2]);
        println!(
            "interleaved {name}: best ours {best_o} ns, baseline {best_b} ns, ratio {}; \
             median ours {med_o} ns, baseline {med_b} ns, ratio {}",
            ratio(best_o, best_b),
            ratio(med_o, med_b),
        );
    }

    /// The hand-written SQLite baseline: one connection with the guard's settings.
    struct RawSqlite {
        conn: Arc<Mutex<rusqlite::Connection>>,
    }

    impl RawSqlite {
        fn open(path: &std::path::Path, synchronous: &str) -> Self {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.busy_timeout(Duration::from_secs(10)).unwrap();
            let _: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .unwrap();
            conn.execute_batch(&format!(
                "PRAGMA synchronous = {synchronous}; CREATE TABLE IF NOT EXISTS raw_inbox {SCHEMA} WITHOUT ROWID;"
            ))
            .unwrap();
            RawSqlite {
                conn: Arc::new(Mutex::new(conn)),
            }
        }

        async fn claim_complete(&self, key: String) {
            let now = SystemClock.now().unix_millis();
            let conn = Arc::clone(&self.conn);
            let k = key.clone();
            let inserted = tokio::task::spawn_blocking(move || {
                conn.lock()
                    .unwrap()
                    .prepare_cached(
                        "INSERT INTO raw_inbox (key, state, claimed_at) VALUES (?1, 'claimed', ?2) \
                         ON CONFLICT DO NOTHING",
                    )
                    .unwrap()
                    .execute(rusqlite::params![k, now])
                    .unwrap()
            })
            .await
            .unwrap();
            assert_eq!(inserted, 1);
            let conn = Arc::clone(&self.conn);
            tokio::task::spawn_blocking(move || {
                conn.lock()
                    .unwrap()
                    .prepare_cached("UPDATE raw_inbox SET state = 'done' WHERE key = ?1")
                    .unwrap()
                    .execute(rusqlite::params![key])
                    .unwrap()
            })
            .await
            .unwrap();
        }
    }

    async fn guard_claim_complete(guard: &dyn ReplayGuard) {
        let key = next_key();
        assert_eq!(guard.try_claim(&key).await.unwrap(), ClaimOutcome::Claimed);
        guard.complete(&key).await.unwrap();
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    fn sqlite(c: &mut Criterion) {
        let rt = runtime();
        let dir = std::env::temp_dir().join(format!("cnpay-inbox-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("inbox.db");
        let full: Arc<dyn ReplayGuard> = Arc::new(SqliteReplayGuard::open(&path).unwrap());
        let raw_full = Arc::new(RawSqlite::open(&path, "FULL"));
        let normal_path = dir.join("inbox-normal.db");
        let normal: Arc<dyn ReplayGuard> = Arc::new(
            SqliteReplayGuard::open(&normal_path)
                .unwrap()
                .with_synchronous_normal()
                .unwrap(),
        );
        let raw_normal = Arc::new(RawSqlite::open(&normal_path, "NORMAL"));

        for (name, tasks, guard, raw) in [
            (
                "inbox-sqlite-full-claim-complete-8-tasks",
                TASKS,
                &full,
                &raw_full,
            ),
            (
                "inbox-sqlite-normal-claim-complete",
                1,
                &normal,
                &raw_normal,
            ),
            (
                "inbox-sqlite-normal-claim-complete-8-tasks",
                TASKS,
                &normal,
                &raw_normal,
            ),
        ] {
            let mut g = c.benchmark_group(name);
            g.sample_size(30).measurement_time(Duration::from_secs(6));
            let ours = Arc::clone(guard);
            g.bench_function("ours", |b| {
                b.iter_custom(|iters| {
                    let guard = Arc::clone(&ours);
                    timed(&rt, iters, tasks, move || {
                        let guard = Arc::clone(&guard);
                        async move { guard_claim_complete(&*guard).await }
                    })
                })
            });
            let base = Arc::clone(raw);
            g.bench_function("baseline", |b| {
                b.iter_custom(|iters| {
                    let raw = Arc::clone(&base);
                    timed(&rt, iters, tasks, move || {
                        let raw = Arc::clone(&raw);
                        async move { raw.claim_complete(next_key()).await }
                    })
                })
            });
            g.finish();
            let (ours, base) = (Arc::clone(guard), Arc::clone(raw));
            interleaved(
                name,
                &rt,
                tasks,
                move || {
                    let guard = Arc::clone(&ours);
                    async move { guard_claim_complete(&*guard).await }
                },
                move || {
                    let raw = Arc::clone(&base);
                    async move { raw.claim_complete(next_key()).await }
                },
            );
        }
        drop((full, raw_full, normal, raw_normal));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The hand-written PostgreSQL baseline: its own connection, statements prepared once.
    struct RawPostgres {
        client: tokio_postgres::Client,
        insert: tokio_postgres::Statement,
        update: tokio_postgres::Statement,
    }

    impl RawPostgres {
        async fn connect(url: &str, table: &str) -> Self {
            let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client
                .batch_execute(&format!(
                    "DROP TABLE IF EXISTS {table}; CREATE TABLE {table} {SCHEMA}"
                ))
                .await
                .unwrap();
            let insert = client
                .prepare(&format!(
                    "INSERT INTO {table} (key, state, claimed_at) VALUES ($1, 'claimed', $2) \
                     ON CONFLICT DO NOTHING"
                ))
                .await
                .unwrap();
            let update = client
                .prepare(&format!("UPDATE {table} SET state = 'done' WHERE key = $1"))
                .await
                .unwrap();
            RawPostgres {
                client,
                insert,
                update,
            }
        }

        async fn claim_complete(&self, key: String) {
            let now = SystemClock.now().unix_millis();
            let inserted = self
                .client
                .execute(&self.insert, &[&key, &now])
                .await
                .unwrap();
            assert_eq!(inserted, 1);
            self.client.execute(&self.update, &[&key]).await.unwrap();
        }
    }

    fn postgres(c: &mut Criterion) {
        let Ok(url) = std::env::var("CNPAY_TEST_POSTGRES_URL") else {
            eprintln!("skipping the PostgreSQL inbox benches: CNPAY_TEST_POSTGRES_URL is not set");
            return;
        };
        let rt = runtime();
        let (guard, raw) = rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client
                .batch_execute("DROP TABLE IF EXISTS cnpay_inbox_bench")
                .await
                .unwrap();
            let guard: Arc<dyn ReplayGuard> = Arc::new(
                PostgresReplayGuard::connect_with_table(&url, "cnpay_inbox_bench")
                    .await
                    .unwrap(),
            );
            let raw = Arc::new(RawPostgres::connect(&url, "cnpay_inbox_bench_raw").await);
            (guard, raw)
        });

        let mut g = c.benchmark_group("inbox-postgres-claim-complete-8-tasks");
        g.sample_size(30).measurement_time(Duration::from_secs(8));
        let ours = Arc::clone(&guard);
        g.bench_function("ours", |b| {
            b.iter_custom(|iters| {
                let guard = Arc::clone(&ours);
                timed(&rt, iters, TASKS, move || {
                    let guard = Arc::clone(&guard);
                    async move { guard_claim_complete(&*guard).await }
                })
            })
        });
        let base = Arc::clone(&raw);
        g.bench_function("baseline", |b| {
            b.iter_custom(|iters| {
                let raw = Arc::clone(&base);
                timed(&rt, iters, TASKS, move || {
                    let raw = Arc::clone(&raw);
                    async move { raw.claim_complete(next_key()).await }
                })
            })
        });
        g.finish();
        let (ours, base) = (Arc::clone(&guard), Arc::clone(&raw));
        interleaved(
            "inbox-postgres-claim-complete-8-tasks",
            &rt,
            TASKS,
            move || {
                let guard = Arc::clone(&ours);
                async move { guard_claim_complete(&*guard).await }
            },
            move || {
                let raw = Arc::clone(&base);
                async move { raw.claim_complete(next_key()).await }
            },
        );

        rt.block_on(async {
            raw.client
                .batch_execute("DROP TABLE IF EXISTS cnpay_inbox_bench, cnpay_inbox_bench_raw")
                .await
                .unwrap();
        });
    }

    criterion_group!(benches, sqlite, postgres);
}

#[cfg(all(feature = "sqlite", feature = "postgres"))]
criterion::criterion_main!(inbox::benches);

#[cfg(not(all(feature = "sqlite", feature = "postgres")))]
fn main() {
    eprintln!("skipping the inbox benches: they need `--features sqlite,postgres`");
}

//! Reconciliation of a day of 1,000,000 orders on each side, generated in memory with a
//! realistic mix (about 99.4 % matched; amount mismatches, returns the ledger counts as paid,
//! pending orders, orders missing on either side, an order on two provider rows), the provider
//! side in a different order from the ledger's.
//!
//! The time includes generating the 2,000,000 records (an id string each, as a file reader
//! would allocate); the generation alone is timed too. Peak memory is `/proc/self/status`
//! VmHWM after resetting it through `/proc/self/clear_refs` (Linux; the workspace forbids
//! `unsafe`, so no counting allocator). The result is written to
//! `target/criterion/reconcile-1M-orders/cnpay-note.txt` for `cargo xtask bench`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::float_arithmetic
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use pay_core::reconcile::{Record, Report, reconcile};
use pay_core::{Error, Money, TxStatus};

const N: u64 = 1_000_000;
/// Coprime with `N`: the provider's file lists the same orders in another order.
const STRIDE: u64 = 7_919;

fn order_id(i: u64) -> String {
    format!("20261205{i:012}")
}

fn amount(i: u64) -> i64 {
    i64::try_from(1 + (i * 7_919) % 500_000).unwrap()
}

fn ledger() -> impl Iterator<Item = Result<Record, Error>> {
    (0..N).map(|i| {
        Ok(Record {
            order_id: order_id(i),
            amount: Money::from_fen(amount(i)),
            status: TxStatus::Succeeded,
            fee: None,
        })
    })
}

/// The provider's rows for order `i` (by `i % 1000`: 0 amount mismatch, 1 returned, 2
/// processing, 3 挂单, 4 missing here but another order unknown to the ledger instead, 5 on
/// two rows; the rest match).
fn provider_rows(i: u64) -> Vec<Result<Record, Error>> {
    let row = |id: String, fen: i64, status: TxStatus| {
        Ok(Record {
            order_id: id,
            amount: Money::from_fen(fen),
            status,
            fee: Some(Money::from_fen(fen * 7 / 100)),
        })
    };
    let (id, fen) = (order_id(i), amount(i));
    match i % 1000 {
        0 => vec![row(id, fen + 1, TxStatus::Succeeded)],
        1 => vec![row(id, fen, TxStatus::Returned)],
        2 => vec![row(id, fen, TxStatus::Processing)],
        3 => vec![row(id, fen, TxStatus::Unknown("挂单".to_owned()))],
        4 => vec![row(format!("X{id}"), fen, TxStatus::Succeeded)],
        5 => vec![
            row(id.clone(), fen / 2, TxStatus::Succeeded),
            row(id, fen - fen / 2, TxStatus::Succeeded),
        ],
        _ => vec![row(id, fen, TxStatus::Succeeded)],
    }
}

fn provider() -> impl Iterator<Item = Result<Record, Error>> {
    (0..N).flat_map(|k| provider_rows((k * STRIDE) % N))
}

fn run() -> Report {
    reconcile(provider(), ledger()).unwrap()
}

fn check(report: &Report) {
    let t = &report.totals;
    let per_class = N / 1000;
    assert_eq!(t.amount_mismatch.count, per_class);
    assert_eq!(t.status_mismatch.count, per_class);
    assert_eq!(t.pending_at_provider.count, 2 * per_class);
    assert_eq!(t.missing_at_provider.count, per_class);
    assert_eq!(t.missing_in_ledger.count, per_class);
    assert_eq!(t.matched.count, N - 5 * per_class);
    assert_eq!(report.items.len(), usize::try_from(6 * per_class).unwrap());
}

/// A `/proc/self/status` field in KiB.
fn status_kib(field: &str) -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// This process's CPU time (user + system) in seconds, from `/proc/self/stat` (clock ticks at
/// the usual 100 Hz): on a machine shared with other work the wall time overstates the cost.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the `(comm)`: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<u64>() as f64 / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

fn generation_only() -> u64 {
    let mut n = 0;
    for r in provider().chain(ledger()) {
        n += r.unwrap().order_id.len() as u64;
    }
    n
}

fn bench(c: &mut Criterion) {
    let t = Instant::now();
    std::hint::black_box(generation_only());
    let gen_secs = t.elapsed().as_secs_f64();

    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = status_kib("VmRSS:").unwrap_or(0);
    let (t, cpu) = (Instant::now(), cpu_secs());
    let report = run();
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu;
    let hwm = status_kib("VmHWM:").unwrap_or(0);
    check(&report);
    drop(report);
    let peak_mib = hwm as f64 / 1024.0;
    let note = format!(
        "1,000,000 orders a side in {secs:.2} s, CPU {cpu:.2} s, load average {} (generating the records alone {gen_secs:.2} s); peak RSS {peak_mib:.1} MiB {} (RSS {:.1} MiB before) | targets < 1 s, < 200 MiB: {}",
        load_average(),
        if reset {
            "during the run"
        } else {
            "(VmHWM not resettable: whole process)"
        },
        rss_before as f64 / 1024.0,
        if secs < 1.0 && peak_mib < 200.0 {
            "pass"
        } else {
            "FAIL"
        },
    );
    println!("{note}");

    let mut g = c.benchmark_group("reconcile-1M-orders");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("ours", |b| b.iter(run));
    g.finish();

    let out = criterion_dir().join("reconcile-1M-orders");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("cnpay-note.txt"), format!("{note}\n")).unwrap();
}

/// `target/criterion` of this build (`CARGO_TARGET_DIR` or the workspace's `target`).
fn criterion_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("criterion")
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The daily bill reader on a generated 200 MB (uncompressed) CSV file, gzipped as downloaded:
//! throughput of `BillFileReader::from_gz` in MB/s of CSV, and the peak memory of the reading
//! pass, measured with `/proc/self/status` VmHWM after resetting it through
//! `/proc/self/clear_refs` (Linux; the workspace forbids `unsafe`, so no counting allocator).
//! The result is written to `target/criterion/yunzhanghu-bill-csv-200MB/cnpay-note.txt`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::float_arithmetic
)]

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use flate2::Compression;
use flate2::write::GzEncoder;
use yunzhanghu::bill::BillFileReader;

const TARGET_BYTES: u64 = 200 * 1000 * 1000;
const HEADER: &str = "商户订单号,订单流水号,流水号,流水类型,流水状态,支付渠道,姓名,经纪公司ID,金额,渠道流水号,创建时间,完成时间\n";

/// Writes the file; returns (uncompressed bytes, rows, total fen).
fn generate(path: &Path) -> (u64, u64, i64) {
    let file = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    let mut gz = GzEncoder::new(file, Compression::fast());
    gz.write_all(HEADER.as_bytes()).unwrap();
    let mut bytes = HEADER.len() as u64;
    let (mut rows, mut fen) = (0u64, 0i64);
    let mut line = String::with_capacity(256);
    while bytes < TARGET_BYTES {
        line.clear();
        let amount = i64::try_from(rows % 100_000).unwrap() + 1;
        let (kind, channel) = match rows % 3 {
            0 => ("经纪公司打款", "银行卡"),
            1 => ("经纪公司打款", "支付宝"),
            _ => ("经纪公司打款", "微信"),
        };
        use std::fmt::Write as _;
        writeln!(
            line,
            "2017{:012},1053817{:011},1053817548{:08},{kind},成功,{channel},彭**,yiyun**,{}.{:02},10000417012017{:015},2017-11-20 00:00:02,2017-11-20 00:02:38",
            rows, rows, rows, amount / 100, amount % 100, rows
        )
        .unwrap();
        gz.write_all(line.as_bytes()).unwrap();
        bytes += line.len() as u64;
        rows += 1;
        fen += amount;
    }
    gz.finish().unwrap().flush().unwrap();
    (bytes, rows, fen)
}

fn read_all(path: &Path) -> (u64, i64) {
    let reader =
        BillFileReader::from_gz(BufReader::with_capacity(1 << 16, File::open(path).unwrap()));
    let (mut rows, mut fen) = (0u64, 0i64);
    for r in reader {
        let r = r.unwrap();
        rows += 1;
        fen += r.amount.fen();
    }
    (rows, fen)
}

/// A `/proc/self/status` field in KiB.
fn status_kib(field: &str) -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn bill(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("cnpay-bench-bill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join("bill.csv.gz");
    let started = Instant::now();
    let (bytes, rows, fen) = generate(&path);
    let gz_len = std::fs::metadata(&path).unwrap().len();
    println!(
        "generated {rows} rows, {bytes} bytes of CSV, {gz_len} bytes gz, in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    // One measured pass: time and peak memory.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = status_kib("VmRSS:").unwrap_or(0);
    let t = Instant::now();
    assert_eq!(read_all(&path), (rows, fen));
    let secs = t.elapsed().as_secs_f64();
    let hwm = status_kib("VmHWM:").unwrap_or(0);
    let mbps = bytes as f64 / 1e6 / secs;
    let growth_mib = hwm.saturating_sub(rss_before) as f64 / 1024.0;
    let note = format!(
        "{mbps:.0} MB/s of CSV ({} MB, {rows} rows, {:.1} MB gz, {secs:.2} s); peak RSS growth {} {growth_mib:.1} MiB (RSS {:.1} MiB before, peak {:.1} MiB) | targets >= 100 MB/s, < 32 MiB: {}",
        bytes / 1_000_000,
        gz_len as f64 / 1e6,
        if reset {
            "while reading"
        } else {
            "(VmHWM not resettable: whole process)"
        },
        rss_before as f64 / 1024.0,
        hwm as f64 / 1024.0,
        if mbps >= 100.0 && growth_mib < 32.0 {
            "pass"
        } else {
            "FAIL"
        },
    );
    println!("{note}");

    let mut g = c.benchmark_group("yunzhanghu-bill-csv-200MB");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    g.bench_function("ours", |b| b.iter(|| read_all(&path)));
    g.finish();

    // Written after criterion made the group's directory.
    let out = criterion_dir().join("yunzhanghu-bill-csv-200MB");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("cnpay-note.txt"), format!("{note}\n")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `target/criterion` of this build (`CARGO_TARGET_DIR` or the workspace's `target`).
fn criterion_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("criterion")
}

criterion_group!(benches, bill);
criterion_main!(benches);

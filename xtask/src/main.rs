//! cnpay's build tasks, run as `cargo xtask <task>`.
//!
//! - `ci`: everything CI checks, in order, stopping at the first failure.
//! - `bench`: the criterion benchmarks (the round trips a second time pinned to one CPU where
//!   `taskset` exists), summarised into `BENCHMARKS.md`; `bench --report` only rebuilds the
//!   table from the last results (after re-running one bench by hand).
//! - `fuzz --seconds N`: every cargo-fuzz target for N seconds (needs nightly and cargo-fuzz).
//!
//! Benchmark ratios are timing statistics, the one place floating point is right.
#![allow(clippy::float_arithmetic)]

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <ci [--skip-deny]|bench [--report]|fuzz --seconds N>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn cargo() -> Command {
    let mut c = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn run(step: &str, mut cmd: Command) -> Result<(), String> {
    println!("==> {step}");
    let started = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| format!("{step}: could not start: {e}"))?;
    println!("    {step}: {:.1}s", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{step} failed ({status})"))
    }
}

/// The license texts every package must ship (the licence is `MIT OR Apache-2.0`).
const LICENSE_FILES: [&str; 2] = ["LICENSE-MIT", "LICENSE-APACHE"];

/// Every crate under `crates/` (each directory is named after its package) ships both license
/// texts: `cargo package --list` shows them.
fn check_license_files() -> Result<(), String> {
    println!("==> license files in every package");
    let dirs = std::fs::read_dir(root().join("crates")).map_err(|e| format!("crates/: {e}"))?;
    let mut packages: Vec<String> = dirs
        .filter_map(|d| d.ok())
        .filter(|d| d.path().join("Cargo.toml").is_file())
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .collect();
    packages.sort();
    for package in &packages {
        let mut c = cargo();
        c.args(["package", "--list", "--allow-dirty", "-p", package]);
        let listed = output(c)?;
        for file in LICENSE_FILES {
            if !listed.lines().any(|l| l == file) {
                return Err(format!("package {package} does not ship {file}"));
            }
        }
    }
    println!(
        "    {} packages ship {}",
        packages.len(),
        LICENSE_FILES.join(" and ")
    );
    Ok(())
}

/// `cargo package --workspace` verifies each package against the others through a temporary
/// local registry, and cargo unpacks that registry's crates under
/// `$CARGO_HOME/registry/src/-<hash>/` (a local registry has no name, hence the leading `-`).
/// An unpacked crate is reused while its version is unchanged, so a second run would verify
/// against the sources of the first. Those unpacked copies are removed first: they are a
/// cache, unpacked again on demand. crates.io's sources (`index.crates.io-…`) are kept.
fn forget_unpacked_workspace_packages() -> Result<(), String> {
    let home = match env::var_os("CARGO_HOME") {
        Some(h) => PathBuf::from(h),
        None => match env::var_os("HOME") {
            Some(h) => PathBuf::from(h).join(".cargo"),
            None => return Ok(()),
        },
    };
    let Ok(dirs) = std::fs::read_dir(home.join("registry").join("src")) else {
        return Ok(());
    };
    for dir in dirs.filter_map(Result::ok) {
        if dir.file_name().to_string_lossy().starts_with('-') {
            std::fs::remove_dir_all(dir.path())
                .map_err(|e| format!("cannot remove {}: {e}", dir.path().display()))?;
        }
    }
    Ok(())
}

fn output(mut cmd: Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The provider features of the facade, and the crates each must not pull in.
const PROVIDERS: &[(&str, &[&str])] = &[
    (
        "aggregate-pay",
        &[
            "protocol-pay",
            "huifu",
            "yunzhanghu",
            "crypto-3des",
            "des",
            "cbc",
            "hmac",
            "sha2",
        ],
    ),
    (
        "protocol-pay",
        &[
            "aggregate-pay",
            "huifu",
            "yunzhanghu",
            "crypto-3des",
            "des",
            "cbc",
            "hmac",
            "sha2",
        ],
    ),
    (
        "huifu",
        &[
            "aggregate-pay",
            "protocol-pay",
            "yunzhanghu",
            "crypto-3des",
            "des",
            "cbc",
            "hmac",
            "sha2",
        ],
    ),
    (
        "yunzhanghu",
        &["aggregate-pay", "protocol-pay", "huifu", "sign-md5", "md-5"],
    ),
];

fn ci(args: &[String]) -> Result<(), String> {
    let skip_deny = args.iter().any(|a| a == "--skip-deny");
    let started = Instant::now();

    let mut c = cargo();
    c.args(["fmt", "--all", "--check"]);
    run("fmt", c)?;

    let mut c = cargo();
    c.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]);
    run("clippy", c)?;

    let mut c = cargo();
    c.args(["test", "--workspace", "--all-features", "--locked"]);
    run("test", c)?;

    // Default features too: `--all-features` turns on `table-des`, so only this run exercises
    // the default `des` core through `TripleDes` (and any code a feature would hide).
    let mut c = cargo();
    c.args(["test", "--workspace", "--locked"]);
    run("test (default features)", c)?;

    // The fuzz targets build on stable (running them needs nightly: `cargo xtask fuzz`), so an
    // API change cannot silently break them. `fuzz/` is its own workspace with its own lock file.
    let mut c = cargo();
    c.args([
        "check",
        "--manifest-path",
        "fuzz/Cargo.toml",
        "--bins",
        "--locked",
    ]);
    run("check fuzz", c)?;

    let mut c = cargo();
    c.args([
        "doc",
        "--workspace",
        "--no-deps",
        "--all-features",
        "--locked",
    ]);
    c.env("RUSTDOCFLAGS", "-D warnings");
    run("doc", c)?;

    // Every publishable crate packages and its package builds on its own (cargo's verify: the
    // `.crate` is unpacked and compiled against the other packages of the workspace, so a
    // file missing from `include`, a path outside the package or a dependency only the
    // workspace provides fails here, not at publishing).
    forget_unpacked_workspace_packages()?;
    let mut c = cargo();
    c.args([
        "package",
        "--workspace",
        "--allow-dirty",
        "--exclude",
        "cnpay-e2e",
        "--exclude",
        "xtask",
    ]);
    run("package", c)?;
    check_license_files()?;

    // Each provider alone: it builds, and pulls in no other provider nor its crypto.
    for (feature, banned) in PROVIDERS {
        let mut c = cargo();
        c.args([
            "check",
            "-p",
            "cnpay",
            "--no-default-features",
            "--features",
            feature,
            "--locked",
        ]);
        run(&format!("check cnpay --features {feature}"), c)?;
        let mut c = cargo();
        c.args([
            "tree",
            "-p",
            "cnpay",
            "--no-default-features",
            "--features",
            feature,
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--locked",
        ]);
        let tree = output(c)?;
        let names: Vec<&str> = tree
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        for b in *banned {
            if names.contains(b) {
                return Err(format!("cnpay --features {feature} pulls in `{b}`"));
            }
        }
        println!(
            "    cnpay --features {feature}: no {}",
            banned.join(", no ")
        );
    }

    if skip_deny {
        println!("==> deny: skipped (--skip-deny)");
    } else {
        let mut probe = cargo();
        probe.args(["deny", "--version"]);
        if output(probe).is_err() {
            // A fresh machine: install the pinned cargo-deny from crates.io.
            let mut c = cargo();
            c.args(["install", "cargo-deny", "--locked", "--version", "0.20.2"]);
            run("install cargo-deny", c)?;
        }
        let mut c = cargo();
        c.args(["deny", "--locked", "check", "bans", "licenses", "sources"]);
        run("deny", c)?;
    }

    println!("==> ci passed in {:.0}s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Targets: a group whose name starts with the prefix must have ours/baseline at most this.
const BENCH_TARGETS: &[(&str, f64)] = &[
    ("yunzhanghu-envelope", 1.1),
    ("3des-", 1.1),
    ("aggregate-md5-sign", 2.0),
    ("protocol-envelope", 1.2),
    ("round-trip", 1.15),
    ("inbox-", 1.2),
];

fn bench(args: &[String]) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("--report") {
        // Only rebuild the table from the last results (after re-running one bench by hand).
        return bench_report();
    }
    let mut c = cargo();
    c.args(["bench", "--workspace", "--bench", "*", "--"]);
    c.args(args);
    run("bench", c)?;
    // Yunzhanghu again on the table-driven 3DES core (groups named `…-table-des`).
    let mut c = cargo();
    c.args([
        "bench",
        "-p",
        "yunzhanghu",
        "--features",
        "table-des",
        "--bench",
        "envelope",
        "--bench",
        "round_trip",
        "--",
    ]);
    c.args(args);
    run("bench (yunzhanghu, table-des)", c)?;
    // The durable inbox needs its stores' features (PostgreSQL only with
    // CNPAY_TEST_POSTGRES_URL set; .ci/run shows how to provision one).
    let mut c = cargo();
    c.args([
        "bench",
        "-p",
        "pay-core",
        "--features",
        "sqlite,postgres",
        "--bench",
        "inbox",
        "--",
    ]);
    c.args(args);
    run("bench (pay-core inbox, sqlite + postgres)", c)?;
    // The round trips again with every thread on one CPU (`taskset -c 0`, Linux), rows suffixed
    // `-one-cpu`: the exchange then never waits for an idle CPU to wake, which on some VMs
    // decides whether it takes ~26 or ~90 µs (see BENCHMARKS.md).
    if Command::new("taskset").arg("--version").output().is_ok() {
        let passes: [(&str, &[&str]); 3] = [
            ("aggregate-pay", &[]),
            ("yunzhanghu", &[]),
            ("yunzhanghu", &["--features", "table-des"]),
        ];
        for (package, features) in passes {
            let mut c = Command::new("taskset");
            c.current_dir(root())
                .env("CNPAY_BENCH_SUFFIX", "-one-cpu")
                .args(["-c", "0"])
                .arg(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["bench", "-p", package])
                .args(features)
                .args(["--bench", "round_trip", "--", "round-trip|transport-only"]);
            c.args(args);
            run(
                &format!(
                    "bench ({package} {} round trip, one CPU)",
                    features.join(" ")
                ),
                c,
            )?;
        }
    } else {
        println!("    taskset not found: the one-CPU round trips are skipped");
    }
    bench_report()
}

/// Summarises `target/criterion` into the table at the top of `BENCHMARKS.md`.
fn bench_report() -> Result<(), String> {
    // Where cargo wrote the results: CARGO_TARGET_DIR when set, else the workspace's target/.
    let dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
        .join("criterion");
    let mut rows = Vec::new();
    let mut groups: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    groups.sort();
    for g in groups {
        let name = g
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ours = mean_ns(&g.join("ours"));
        let base = mean_ns(&g.join("baseline"));
        let extra = extra_stat(&g);
        match (ours, base) {
            (Some(o), Some(b)) => {
                let ratio = o / b;
                let target = BENCH_TARGETS
                    .iter()
                    .find(|(p, _)| name.starts_with(p))
                    .map(|(_, t)| *t);
                let verdict = match target {
                    Some(t) if ratio <= t => "pass".to_owned(),
                    Some(_) => "FAIL".to_owned(),
                    None => "-".to_owned(),
                };
                rows.push(format!(
                    "| {name} | {} | {} | {ratio:.2}x | {} | {verdict} |",
                    fmt_ns(o),
                    fmt_ns(b),
                    target
                        .map(|t| format!("<= {t}x"))
                        .unwrap_or_else(|| "-".into())
                ));
            }
            (Some(o), None) => rows.push(format!(
                "| {name} | {} | - | - | {} | - |",
                fmt_ns(o),
                extra.unwrap_or_else(|| "-".into())
            )),
            _ => {}
        }
    }
    let machine = machine();
    let table = format!(
        "# Benchmarks\n\nProduced by `cargo xtask bench` (criterion; mean of each estimate).\n\nMachine: {machine}\n\n| benchmark | ours | baseline | ratio | target | result |\n|---|---|---|---|---|---|\n{}\n",
        rows.join("\n")
    );
    println!("{table}");
    // Keep the hand-written sections (`## …`) that follow the table.
    let path = root().join("BENCHMARKS.md");
    let notes = std::fs::read_to_string(&path)
        .ok()
        .and_then(|old| old.find("\n## ").map(|i| old[i..].to_owned()))
        .unwrap_or_default();
    std::fs::write(&path, format!("{table}{notes}")).map_err(|e| e.to_string())?;
    println!("written to BENCHMARKS.md");
    Ok(())
}

fn mean_ns(dir: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(dir.join("new").join("estimates.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

/// A free-form measurement a bench wrote next to its estimates (e.g. MB/s and peak memory).
fn extra_stat(group: &Path) -> Option<String> {
    std::fs::read_to_string(group.join("cnpay-note.txt"))
        .ok()
        .map(|s| s.trim().to_owned())
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {rustc}")
}

fn fuzz(args: &[String]) -> Result<(), String> {
    let seconds = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "60".into());
    let dir = root().join("fuzz");
    if !dir.exists() {
        return Err("no fuzz/ directory".into());
    }
    let mut c = Command::new("cargo");
    c.current_dir(&dir).args(["+nightly", "fuzz", "list"]);
    let targets = output(c)?;
    for t in targets.lines().filter(|l| !l.trim().is_empty()) {
        let mut c = Command::new("cargo");
        c.current_dir(&dir).args([
            "+nightly",
            "fuzz",
            "run",
            t,
            "--",
            &format!("-max_total_time={seconds}"),
        ]);
        run(&format!("fuzz {t}"), c)?;
    }
    Ok(())
}

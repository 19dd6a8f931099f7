//! cnpay's build tasks, run as `cargo xtask <task>`.
//!
//! - `ci`: everything CI checks, in order, stopping at the first failure.
//! - `bench`: the criterion benchmarks, summarised into `BENCHMARKS.md`.
//! - `fuzz --seconds N`: every cargo-fuzz target for N seconds (needs nightly and cargo-fuzz).

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
            eprintln!("usage: cargo xtask <ci [--skip-deny]|bench|fuzz --seconds N>");
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
        let mut c = cargo();
        c.args(["deny", "--locked", "check", "bans", "licenses", "sources"]);
        run("deny", c)?;
    }

    println!("==> ci passed in {:.0}s", started.elapsed().as_secs_f64());
    Ok(())
}

fn bench(args: &[String]) -> Result<(), String> {
    let mut c = cargo();
    c.args(["bench", "--workspace", "--bench", "*"]);
    c.args(args);
    run("bench", c)
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

use assert_cmd::Command;
use serde_json::Value;

/// The `cnpay` binary with a clean environment (no CNPAY_* variables from the caller).
pub(crate) fn cnpay() -> Command {
    let mut cmd = Command::cargo_bin("cnpay").unwrap();
    for (k, _) in std::env::vars() {
        if k.starts_with("CNPAY_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// The entries of a shared vector file.
pub(crate) fn vectors(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub(crate) fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

/// stdout of a finished command as a string.
pub(crate) fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// stderr of a finished command, parsed as the JSON error report.
pub(crate) fn report(out: &std::process::Output) -> Value {
    let text = String::from_utf8(out.stderr.clone()).unwrap();
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Runs a prepared command off the async runtime (the mock server keeps serving).
pub(crate) async fn run(cmd: &mut assert_cmd::Command) -> std::process::Output {
    let mut cmd = std::mem::replace(cmd, Command::new("true"));
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

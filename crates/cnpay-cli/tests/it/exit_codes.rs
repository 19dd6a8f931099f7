//! Usage errors, settings and the secrets rule.

use crate::common::{cnpay, report};

#[test]
fn usage_errors_are_exit_2() {
    // unknown subcommand
    let out = cnpay()
        .args(["yunzhanghu", "no-such-tool"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // missing setting, named by its environment variable
    let out = cnpay()
        .args(["yunzhanghu", "encrypt", "--data", "{}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let r = report(&out);
    assert_eq!(r["error"], "usage");
    assert_eq!(
        r["message"],
        "missing setting `CNPAY_YUNZHANGHU_DES3_KEY` (or `des3_key` in [yunzhanghu] of the --config file)"
    );
    // a 3DES key of the wrong length
    let out = cnpay()
        .env("CNPAY_YUNZHANGHU_DES3_KEY", "short-secret-value")
        .args(["yunzhanghu", "encrypt", "--data", "{}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("short-secret-value"), "{stderr}");
    // --data @file that does not exist
    let out = cnpay()
        .env("CNPAY_AGGREGATE_PAY_KEY", "K")
        .args(["aggregate-pay", "sign", "--data", "@/nonexistent/file.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // … is a local I/O failure, reported as such and naming the file
    let r = report(&out);
    assert_eq!(r["error"], "io", "{r}");
    assert_eq!(r["retry_safe"], true);
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("cannot read `/nonexistent/file.json`"),
        "{r}"
    );
}

#[test]
fn help_on_every_level_has_an_example() {
    for args in [
        vec!["--help"],
        vec!["aggregate-pay", "--help"],
        vec!["aggregate-pay", "sign", "--help"],
        vec!["aggregate-pay", "verify", "--help"],
        vec!["protocol-pay", "--help"],
        vec!["protocol-pay", "sign", "--help"],
        vec!["protocol-pay", "verify", "--help"],
        vec!["yunzhanghu", "--help"],
        vec!["yunzhanghu", "encrypt", "--help"],
        vec!["yunzhanghu", "decrypt", "--help"],
        vec!["yunzhanghu", "sign", "--help"],
        vec!["yunzhanghu", "seal", "--help"],
        vec!["yunzhanghu", "open", "--help"],
    ] {
        let out = cnpay().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        let example = text.split_once("Example").map(|(_, e)| e).unwrap_or("");
        assert!(example.contains("cnpay "), "{args:?}: {text}");
    }
}

#[test]
fn config_file_settings_and_environment_precedence() {
    let dir = std::env::temp_dir().join(format!("cnpay-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cnpay.toml");
    std::fs::write(
        &path,
        "[protocol-pay]\napp_id = \"LFT1001\"\nkey = \"a8f5f167f44f4964e6c998dee827110c\"\n",
    )
    .unwrap();
    let sign = |extra_env: Option<(&str, &str)>| {
        let mut c = cnpay();
        c.args(["--config", path.to_str().unwrap(), "protocol-pay", "sign"])
            .args(["--data", "{\"a\":1}", "--timestamp", "20201010123015123"]);
        if let Some((k, v)) = extra_env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            v["appId"].as_str().unwrap().to_owned(),
            v["sign"].as_str().unwrap().to_owned(),
        )
    };
    let (app, from_file) = sign(None);
    assert_eq!(app, "LFT1001");
    assert_eq!(from_file, "604115997dc49d53583e3857829f92fe");
    // the environment overrides the file
    let (app, _) = sign(Some(("CNPAY_PROTOCOL_PAY_APP_ID", "OTHER")));
    assert_eq!(app, "OTHER");

    // an unknown key is refused, the secret is not echoed
    std::fs::write(&path, "[protocol-pay]\nkye = \"topsecretvalue\"\n").unwrap();
    let out = cnpay()
        .args([
            "--config",
            path.to_str().unwrap(),
            "protocol-pay",
            "verify",
            "--data",
            "{}",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("unknown setting `kye`"), "{stderr}");
    assert!(!stderr.contains("topsecretvalue"), "{stderr}");

    // invalid TOML: the line is named, its content (maybe a secret) is not quoted
    std::fs::write(&path, "[protocol-pay]\nkey = \"topsecretvalue\n").unwrap();
    let out = cnpay()
        .args([
            "--config",
            path.to_str().unwrap(),
            "protocol-pay",
            "verify",
            "--data",
            "{}",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(!stderr.contains("topsecretvalue"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

//! Hostile input: repeated keys, oversized and non-UTF-8 input, amounts in the wrong unit,
//! stale notifications, bad settings and line numbers in `--lines` mode.

use serde_json::{Value, json};

use crate::common::{cnpay, report};

const YZH_DES3: &str = "123456788765432112345678";
const YZH_APP_KEY: &str = "78f9b4fad3481fbce1df0b30eee58577";

/// Yunzhanghu settings pointing at a port nothing listens on: a request that gets past
/// validation fails with a transport error (exit 5), one refused before sending exits 2.
fn yzh() -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_YUNZHANGHU_DEALER_ID", "D1")
        .env("CNPAY_YUNZHANGHU_BROKER_ID", "B1")
        .env("CNPAY_YUNZHANGHU_APP_KEY", YZH_APP_KEY)
        .env("CNPAY_YUNZHANGHU_DES3_KEY", YZH_DES3)
        .env("CNPAY_YUNZHANGHU_BASE_URL", "http://127.0.0.1:9");
    c
}

#[test]
fn a_repeated_key_in_data_is_refused_naming_the_key() {
    let data = r#"{"order_id":"O1","real_name":"张三","card_no":"6228880199872220","id_card":"11010519491231002X","pay":"1.00","pay":"1000.00"}"#;
    let out = yzh()
        .args(["yunzhanghu", "order-realtime", "--data", data])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "invalid_input");
    assert_eq!(r["field"], "pay");
    assert_eq!(r["sent"], false);
    assert_eq!(
        r["reason"],
        "appears more than once in data: which value is meant cannot be told"
    );
}

#[test]
fn a_repeated_nested_key_is_refused_by_sign_like_verify() {
    let out = cnpay()
        .env("CNPAY_AGGREGATE_PAY_KEY", "k")
        .args([
            "aggregate-pay",
            "sign",
            "--data",
            r#"{"mchOrderNo":"A1","extra":{"a":[{"b":1,"b":2}]}}"#,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "extra.a[0].b");

    let out = cnpay()
        .env("CNPAY_AGGREGATE_PAY_KEY", "k")
        .args([
            "aggregate-pay",
            "sign",
            "--data",
            r#"{"amount":1,"amount":100}"#,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "amount");

    // seal signs the plaintext as given: a repeated key there is refused too.
    let out = yzh()
        .args([
            "yunzhanghu",
            "seal",
            "--mess",
            "1",
            "--timestamp",
            "1479892123",
        ])
        .write_stdin(r#"{"pay":"1.00","pay":"1000.00"}"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "pay");

    let out = cnpay()
        .env("CNPAY_PROTOCOL_PAY_APP_ID", "LFT1001")
        .env("CNPAY_PROTOCOL_PAY_KEY", "k")
        .args(["protocol-pay", "sign", "--timestamp", "20201010123015123"])
        .write_stdin(r#"{"amount":"1.00","amount":"1000.00"}"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "amount");
}

#[test]
fn input_over_the_limit_is_refused_before_it_is_read_whole() {
    // /dev/zero never ends: without a limit this grows until memory runs out.
    let out = cnpay()
        .env("CNPAY_AGGREGATE_PAY_KEY", "k")
        .args(["aggregate-pay", "verify", "--data", "@/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "invalid_input");
    assert_eq!(r["field"], "input");
    assert_eq!(
        r["reason"],
        "`/dev/zero` is larger than the input limit of 16777216 bytes (raise it with --max-input BYTES)"
    );

    // --max-input lowers and raises it, for standard input too, and anywhere on the line.
    let out = yzh()
        .args(["--max-input", "10", "yunzhanghu", "encrypt"])
        .write_stdin("12345678901")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        report(&out)["reason"],
        "standard input is larger than the input limit of 10 bytes (raise it with --max-input BYTES)"
    );
    let out = yzh()
        .args(["yunzhanghu", "encrypt", "--max-input", "11"])
        .write_stdin("12345678901")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    // An operation's own --max-input, and --file.
    let big = std::env::temp_dir().join(format!("cnpay-hostile-{}.bin", std::process::id()));
    std::fs::write(&big, vec![b'x'; 21]).unwrap();
    let out = yzh()
        .args([
            "yunzhanghu",
            "sign-idcard-image",
            "--max-input",
            "20",
            "--data",
            "{}",
        ])
        .arg("--file")
        .arg(format!("id_card_image={}", big.display()))
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&big);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "--file id_card_image");
}

#[test]
fn a_notification_that_is_not_utf8_is_not_acknowledged() {
    let out = yzh()
        .args(["yunzhanghu", "notify"])
        .write_stdin(b"data=\xff\xfe&mess=1".to_vec())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "decode");
    assert_eq!(r["acknowledge"], false);
    assert_eq!(r["notification"], true);
    assert_eq!(r.get("retry_safe"), None);

    // Another command given bytes that are not text: invalid input, not a local I/O error.
    let out = yzh()
        .args(["yunzhanghu", "encrypt"])
        .write_stdin(b"\xff".to_vec())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "invalid_input");
    assert_eq!(r["reason"], "is not UTF-8 text (at byte 0)");
}

#[test]
fn lines_mode_reports_the_input_line_number() {
    let out = cnpay()
        .env("CNPAY_AGGREGATE_PAY_KEY", "k")
        .args(["--lines", "aggregate-pay", "sign"])
        .write_stdin("\n\n{\"a\":\"1\"}\n  \n\r\nnot json\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    let first = err.lines().next().unwrap();
    assert!(first.starts_with("line 6: "), "{err}");
    let lines: Vec<Value> = stdout_lines(&out.stdout);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["a"], "1");
    assert_eq!(lines[1]["line"], 6);
    assert_eq!(lines[1]["error"]["error"], "invalid_input");
}

fn stdout_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| json!(l)))
        .collect()
}

/// Runs `provider operation --data data` against a port nothing listens on.
fn call(c: &mut assert_cmd::Command, provider: &str, op: &str, data: &Value) -> Value {
    let out = c
        .args([provider, op, "--data", &data.to_string()])
        .output()
        .unwrap();
    let mut r = report(&out);
    r["exit_code"] = json!(out.status.code());
    r
}

fn protocol() -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_PROTOCOL_PAY_APP_ID", "LFT1001")
        .env("CNPAY_PROTOCOL_PAY_KEY", "k")
        .env("CNPAY_PROTOCOL_PAY_BASE_URL", "http://127.0.0.1:9");
    c
}

fn huifu() -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_HUIFU_MER_CUST_ID", "6666000000000001")
        .env("CNPAY_HUIFU_KEY", "client")
        .env("CNPAY_HUIFU_SECRET", "secret")
        .env("CNPAY_HUIFU_BASE_URL", "http://127.0.0.1:9");
    c
}

fn aggregate() -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_AGGREGATE_PAY_MCH_ID", "20001222")
        .env("CNPAY_AGGREGATE_PAY_APP_ID", "app")
        .env("CNPAY_AGGREGATE_PAY_KEY", "k")
        .env("CNPAY_AGGREGATE_PAY_BASE_URL", "http://127.0.0.1:9");
    c
}

fn yuan_refused(field: &str) -> Value {
    json!({
        "error": "invalid_input",
        "field": field,
        "reason": "is in yuan: write it as a string such as \"100.00\", not a number",
        "message": format!("invalid input in `{field}`: is in yuan: write it as a string such as \"100.00\", not a number"),
        "sent": false,
        "exit_code": 2,
    })
}

#[test]
fn a_number_in_a_yuan_field_is_refused_for_every_yuan_provider() {
    let payout = json!({
        "order_id": "O1", "real_name": "张三", "card_no": "6228880199872220",
        "id_card": "11010519491231002X", "pay": 100,
    });
    assert_eq!(
        call(&mut yzh(), "yunzhanghu", "order-realtime", &payout),
        yuan_refused("pay")
    );
    let outpay = json!({
        "transNo": "T20201010001", "outReqNo": "LFT1001202010100009", "amount": 100,
        "channelType": "LFT", "outNotifyUrl": "https://merchant.example/lft/out",
        "bankAccName": "张三", "bankAccNum": "6225880137705555", "bankName": "招商银行",
        "bankCnaps": "308584000013", "outType": "OUT",
    });
    assert_eq!(
        call(&mut protocol(), "protocol-pay", "outpay", &outpay),
        yuan_refused("amount")
    );
    let withdrawal = json!({
        "user_cust_id": "6666000000000002", "order_id": "W20240101", "order_date": "20240101",
        "trans_amt": 100, "cash_bind_card_id": "BC0001", "cash_type": "T0", "fee_obj": "M",
        "fee_acct_id": "216548", "sms_code": "123456", "ret_url": "https://shop.example/ret",
        "bg_ret_url": "https://shop.example/cb",
    });
    assert_eq!(
        call(&mut huifu(), "huifu", "withdrawal", &withdrawal),
        yuan_refused("trans_amt")
    );
    // The same requests with yuan strings get past validation (to the closed port: exit 5).
    let mut fixed = payout.clone();
    fixed["pay"] = json!("100.00");
    assert_eq!(
        call(&mut yzh(), "yunzhanghu", "order-realtime", &fixed)["exit_code"],
        5
    );
    let mut fixed = withdrawal.clone();
    fixed["trans_amt"] = json!("100.00");
    assert_eq!(
        call(&mut huifu(), "huifu", "withdrawal", &fixed)["exit_code"],
        5
    );
}

#[test]
fn aggregate_pay_amounts_are_fen_integers_and_yuan_is_refused() {
    let order = |amount: Value| {
        json!({
            "mchOrderNo": "O9", "productId": 8001, "amount": amount,
            "notifyUrl": "https://shop.example/n", "subject": "s", "body": "b",
        })
    };
    // 100 fen is accepted (and reaches the closed port).
    let r = call(
        &mut aggregate(),
        "aggregate-pay",
        "pay-create-order",
        &order(json!(100)),
    );
    assert_eq!(r["exit_code"], 5, "{r}");
    assert_eq!(r["error"], "transport", "{r}");
    let r = call(
        &mut aggregate(),
        "aggregate-pay",
        "pay-create-order",
        &order(json!("1.00")),
    );
    assert_eq!(
        r,
        json!({
            "error": "invalid_input",
            "field": "amount",
            "reason": "is in fen: write it as a whole number of fen such as 100 (for 1.00 yuan), not yuan",
            "message": "invalid input in `amount`: is in fen: write it as a whole number of fen such as 100 (for 1.00 yuan), not yuan",
            "sent": false,
            "exit_code": 2,
        })
    );
}

#[test]
fn every_operation_help_gives_each_amount_field_its_unit() {
    for (provider, op, line) in [
        (
            "yunzhanghu",
            "order-realtime",
            "  pay: yuan, a string such as \"100.00\"; a JSON number is refused",
        ),
        (
            "protocol-pay",
            "outpay",
            "  amount: yuan, a string such as \"100.00\"; a JSON number is refused",
        ),
        (
            "huifu",
            "withdrawal",
            "  trans_amt: yuan, a string such as \"100.00\"; a JSON number is refused",
        ),
        (
            "aggregate-pay",
            "pay-create-order",
            "  amount: fen, an integer such as 100 (1.00 yuan); a yuan string is refused",
        ),
        (
            "aggregate-pay",
            "trans-create-order",
            "  amount: fen, an integer such as 100 (1.00 yuan); a yuan string is refused",
        ),
    ] {
        let out = cnpay().args([provider, op, "--help"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Amounts:\n"), "{provider} {op}: {text}");
        assert!(text.lines().any(|l| l == line), "{provider} {op}: {text}");
    }
    let out = cnpay()
        .args(["protocol-pay", "outquery", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("This operation takes no amount."), "{text}");
}

#[test]
fn a_base_url_with_a_query_or_fragment_is_refused_naming_the_setting() {
    type Case = (&'static str, fn() -> assert_cmd::Command, &'static str);
    let cases: [Case; 4] = [
        ("yunzhanghu", yzh, "query-accounts"),
        ("protocol-pay", protocol, "outquery"),
        ("huifu", huifu, "balance-query"),
        ("aggregate-pay", aggregate, "pay-query-order"),
    ];
    for (provider, cmd, op) in cases {
        let var = format!(
            "CNPAY_{}_BASE_URL",
            provider.to_ascii_uppercase().replace('-', "_")
        );
        for url in ["http://127.0.0.1:9/x?token=S", "http://127.0.0.1:9/x#frag"] {
            let out = cmd()
                .env(&var, url)
                .args([provider, op, "--data", "{}"])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{provider} {url}: {out:?}");
            let r = report(&out);
            assert_eq!(r["error"], "usage", "{r}");
            let key = "base_url";
            assert_eq!(
                r["message"],
                format!(
                    "`{var}` (or `{key}` in [{provider}] of the --config file) must not have a query (?…) or a fragment (#…): request paths are appended to it"
                ),
                "{r}"
            );
            assert!(!r.to_string().contains("token=S"), "{r}");
        }
    }
}

#[test]
fn a_timeout_setting_is_bounded() {
    for bad in ["18446744073709551615", "301", "0", "-1"] {
        let out = yzh()
            .env("CNPAY_YUNZHANGHU_TIMEOUT", bad)
            .args(["yunzhanghu", "query-accounts", "--data", "{}"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {out:?}");
        assert_eq!(
            report(&out)["message"],
            "`CNPAY_YUNZHANGHU_TIMEOUT` (or `timeout` in [yunzhanghu] of the --config file) must be a whole number of seconds from 1 to 300",
            "{bad}"
        );
    }
    let out = yzh()
        .env("CNPAY_YUNZHANGHU_TIMEOUT", "300")
        .args(["yunzhanghu", "query-accounts", "--data", "{}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let out = cnpay().args(["yunzhanghu", "--help"]).output().unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("_TIMEOUT\n(seconds, 1 to 300)"),
    );
}

#[test]
fn offline_timestamps_must_be_real_times() {
    for bad in [
        "20201310123015123",
        "00000000000000000",
        "20200230123015123",
        "20201010243015123",
    ] {
        let out = cnpay()
            .env("CNPAY_PROTOCOL_PAY_APP_ID", "LFT1001")
            .env("CNPAY_PROTOCOL_PAY_KEY", "k")
            .args(["protocol-pay", "sign", "--data", "{}", "--timestamp", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {out:?}");
        let r = report(&out);
        assert_eq!(r["field"], "timestamp");
        assert_eq!(
            r["reason"],
            "must be a real date and time written yyyyMMddHHmmssSSS (17 digits)"
        );
    }
    for bad in ["-1", "0", "253402300800", "-9223372036854775808"] {
        for command in ["seal", "sign"] {
            let out = yzh()
                .args(["yunzhanghu", command, "--mess", "1"])
                .arg(format!("--timestamp={bad}"))
                .write_stdin("{}")
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{command} {bad}: {out:?}");
            assert_eq!(
                report(&out)["reason"],
                "must be unix seconds from 1 to 253402300799 (9999-12-31), as an integer without sign or leading zeros",
                "{command} {bad}"
            );
        }
    }
}

#[test]
fn a_weak_3des_key_is_refused() {
    // K1 = K2 (single DES), and K2 = K3.
    for weak in ["abcdefghabcdefgh12345678", "12345678abcdefghabcdefgh"] {
        for args in [
            &["yunzhanghu", "encrypt"][..],
            &["yunzhanghu", "query-accounts", "--data", "{}"],
        ] {
            let out = yzh()
                .env("CNPAY_YUNZHANGHU_DES3_KEY", weak)
                .args(args)
                .write_stdin("{}")
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
            let r = report(&out);
            assert_eq!(
                r["message"],
                "`CNPAY_YUNZHANGHU_DES3_KEY` (or `des3_key` in [yunzhanghu] of the --config file) is weak: its 8-byte thirds K1 and K2, or K2 and K3, are equal, which reduces 3DES to single DES",
                "{args:?}"
            );
            assert!(!r.to_string().contains("abcdefgh"), "{r}");
        }
    }
}

fn now_secs() -> i64 {
    pay_core::Clock::now(&pay_core::SystemClock).unix_seconds()
}

/// A Yunzhanghu callback body sealed with `timestamp`.
fn yzh_callback(timestamp: i64) -> String {
    use cnpay::yunzhanghu::sign::{Keys, seal};
    let keys = Keys::new(
        pay_core::KeyRing::from(YZH_APP_KEY),
        &pay_core::SecretKey::new(YZH_DES3),
    )
    .unwrap();
    let plain = r#"{"notify_id":"N-7","notify_time":"2018-04-23 10:00:00","data":{"order_id":"O-7","pay":"12.30","status":1,"status_detail":0,"ref":"R-7"}}"#;
    seal(plain, "m1", timestamp, &keys).to_form()
}

fn expired(out: &std::process::Output) {
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let r = report(out);
    assert_eq!(r["error"], "signature", "{r}");
    assert_eq!(r["kind"], "timestamp outside the accepted window");
    assert_eq!(r["acknowledge"], false);
    assert!(out.stdout.is_empty());
}

#[test]
fn notify_max_age_refuses_stale_future_and_unreadable_times() {
    let notify = |body: String, max_age: Option<&str>| {
        let mut c = yzh();
        c.args(["yunzhanghu", "notify"]);
        if let Some(m) = max_age {
            c.args(["--max-age", m]);
        }
        c.write_stdin(body).output().unwrap()
    };
    let now = now_secs();
    let out = notify(yzh_callback(now), Some("300"));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for ts in [now - 301, now + 301, -1, i64::MIN, 99_999_999_999, 0] {
        expired(&notify(yzh_callback(ts), Some("300")));
    }
    // Without --max-age nothing is checked (the library's behaviour).
    assert_eq!(notify(yzh_callback(-1), None).status.code(), Some(0));

    // protocol-pay: 19700101000000000 and a stale time are refused.
    let lft = |ts: &str| {
        let data = r#"{"outReqNo":"LFT1001202010100001","transNo":"T1","payStatus":"SUCCESS","amount":"1000.50","channelType":"LFT"}"#;
        let body = json!({
            "appId": "LFT1001", "data": data, "timestamp": ts,
            "sign": sign_md5::EnvelopeSigner::new("LFT1001", "k").sign(data, ts),
        })
        .to_string();
        cnpay()
            .env("CNPAY_PROTOCOL_PAY_APP_ID", "LFT1001")
            .env("CNPAY_PROTOCOL_PAY_KEY", "k")
            .args([
                "protocol-pay",
                "notify",
                "--kind",
                "pay-result",
                "--max-age",
                "60",
            ])
            .write_stdin(body)
            .output()
            .unwrap()
    };
    expired(&lft("19700101000000000"));
    expired(&lft("20201010123500000"));
    let fresh = pay_core::Timestamp::from_unix_seconds(now).beijing_compact_millis();
    assert_eq!(lft(&fresh).status.code(), Some(0));

    // A provider whose notifications carry no time cannot check it: a usage error.
    let out = aggregate()
        .args(["aggregate-pay", "notify", "--max-age", "60"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        report(&out)["message"],
        "--max-age: aggregate-pay notifications carry no sent time to check"
    );

    // The help says so, and that the caller must deduplicate.
    let out = cnpay()
        .args(["yunzhanghu", "notify", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("--max-age <SECONDS>"), "{help}");
    assert!(help.contains("the caller must deduplicate"), "{help}");
}

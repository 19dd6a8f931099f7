//! Every offline tool against every shared vector.

use serde_json::{Value, json};

use crate::common::{cnpay, report, s, stdout, vectors};

fn aggregate(key: &str) -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_AGGREGATE_PAY_KEY", "unused-request-key")
        .env("CNPAY_AGGREGATE_PAY_RESPONSE_KEY", key);
    c
}

#[test]
fn aggregate_pay_sign_matches_every_request_vector() {
    let mut n = 0;
    for (i, v) in vectors("aggregate-pay").iter().enumerate() {
        if v["kind"] != "request" {
            continue;
        }
        n += 1;
        let out = cnpay()
            .env("CNPAY_AGGREGATE_PAY_KEY", s(&v["key"]))
            .args(["aggregate-pay", "sign"])
            .write_stdin(v["params"].to_string())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "vector {i}: {out:?}");
        let signed: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(signed["sign"], v["sign"], "vector {i} {}", v["name"]);
        // every parameter is kept as sent
        for (k, val) in v["params"].as_object().unwrap() {
            assert_eq!(&signed[k], val, "vector {i}: {k}");
        }
        // and what was signed verifies with the same key as the request key
        let out = cnpay()
            .env("CNPAY_AGGREGATE_PAY_KEY", s(&v["key"]))
            .args(["aggregate-pay", "verify", "--signed-by", "request"])
            .write_stdin(signed.to_string())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "vector {i}: {out:?}");
    }
    assert_eq!(n, 3);
}

#[test]
fn aggregate_pay_sign_turns_structured_values_into_json_text() {
    // The vector's `extra` as an object gives the same sign as its JSON text.
    let v = &vectors("aggregate-pay")[2];
    let mut params = v["params"].clone();
    params["extra"] = json!({"openId": "o2RvowBf7sOVJf8kJksUEMceaDqo"});
    let out = cnpay()
        .env("CNPAY_AGGREGATE_PAY_KEY", s(&v["key"]))
        .args(["aggregate-pay", "sign", "--data", &params.to_string()])
        .output()
        .unwrap();
    let signed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        signed["extra"],
        "{\"openId\":\"o2RvowBf7sOVJf8kJksUEMceaDqo\"}"
    );
    assert_eq!(signed["sign"], "46277C9CAF5DA492B5E09E8A13DB60DF");
}

#[test]
fn aggregate_pay_sign_rejects_fractional_numbers() {
    let out = cnpay()
        .env("CNPAY_AGGREGATE_PAY_KEY", "K")
        .args(["aggregate-pay", "sign", "--data", r#"{"amount":1.5}"#])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let r = report(&out);
    assert_eq!(r["error"], "invalid_input");
    assert_eq!(r["field"], "amount");
    assert!(out.stdout.is_empty());
}

#[test]
fn aggregate_pay_verify_matches_every_response_and_notify_vector() {
    let mut n = 0;
    for (i, v) in vectors("aggregate-pay").iter().enumerate() {
        let input = match s(&v["kind"]) {
            "response" => s(&v["body"]).to_owned(),
            "notify" => format!("{}{}", s(&v["query"]), s(&v["body"])),
            _ => continue,
        };
        n += 1;
        let out = aggregate(s(&v["key"]))
            .args(["aggregate-pay", "verify"])
            .write_stdin(input)
            .output()
            .unwrap();
        let want = if v["valid"] == true { 0 } else { 4 };
        assert_eq!(
            out.status.code(),
            Some(want),
            "vector {i} {}: {out:?}",
            v["name"]
        );
        if want == 4 {
            assert_eq!(report(&out)["kind"], "signature mismatch");
            assert!(out.stdout.is_empty());
        } else {
            let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
            assert!(shown.get("sign").is_none());
        }
    }
    assert_eq!(n, 7);
}

#[test]
fn aggregate_pay_verify_prints_verified_params_and_keeps_nested_result() {
    let v = &vectors("aggregate-pay")[5];
    assert_eq!(v["name"], "query-order-response");
    let out = aggregate(s(&v["key"]))
        .args(["aggregate-pay", "verify", "--data", s(&v["body"])])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["result"]["payOrderId"], "P01000020181013115051810");
    assert_eq!(shown["result"]["amount"], 100);
    assert_eq!(shown["retCode"], "SUCCESS");
}

#[test]
fn aggregate_pay_verify_without_sign_is_exit_4() {
    let out = aggregate("K")
        .args(["aggregate-pay", "verify", "--data", "a=1&b=2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(report(&out)["kind"], "signature missing");
}

#[test]
fn aggregate_pay_verify_uses_the_response_key() {
    // The pay-notify vector is signed with the response key: verifying with only the
    // (different) request key configured as response key fails.
    let v = &vectors("aggregate-pay")[6];
    let out = cnpay()
        .env("CNPAY_AGGREGATE_PAY_KEY", s(&v["key"]))
        .env("CNPAY_AGGREGATE_PAY_RESPONSE_KEY", "another-key")
        .args(["aggregate-pay", "verify", "--data", s(&v["query"])])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    // without a response key, the request key is used
    let out = cnpay()
        .env("CNPAY_AGGREGATE_PAY_KEY", s(&v["key"]))
        .args(["aggregate-pay", "verify", "--data", s(&v["query"])])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["subject"], "测试商品 & 名称");
}

fn protocol(v: &Value) -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_PROTOCOL_PAY_APP_ID", s(&v["app_id"]))
        .env("CNPAY_PROTOCOL_PAY_KEY", s(&v["key"]));
    c
}

#[test]
fn protocol_pay_sign_matches_every_vector() {
    for (i, v) in vectors("protocol-pay").iter().enumerate() {
        let out = protocol(v)
            .args([
                "protocol-pay",
                "sign",
                "--data",
                s(&v["data"]),
                "--timestamp",
                s(&v["timestamp"]),
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "vector {i}: {out:?}");
        let env: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(
            env,
            json!({
                "appId": v["app_id"],
                "data": v["data"],
                "timestamp": v["timestamp"],
                "sign": v["sign"],
            }),
            "vector {i} {}",
            v["name"]
        );
    }
}

#[test]
fn protocol_pay_verify_matches_every_vector() {
    for (i, v) in vectors("protocol-pay").iter().enumerate() {
        let out = protocol(v)
            .args(["protocol-pay", "verify"])
            .write_stdin(s(&v["envelope"]))
            .output()
            .unwrap();
        if v["valid"] == true {
            assert_eq!(out.status.code(), Some(0), "vector {i}: {out:?}");
            let data: Value = serde_json::from_str(&stdout(&out)).unwrap();
            let want: Value = serde_json::from_str(s(&v["data"])).unwrap();
            assert_eq!(data, want, "vector {i}");
        } else {
            assert_eq!(out.status.code(), Some(4), "vector {i}: {out:?}");
            assert_eq!(report(&out)["kind"], "signature mismatch");
        }
    }
}

#[test]
fn protocol_pay_sign_validates_its_input() {
    let v = &vectors("protocol-pay")[0];
    let out = protocol(v)
        .args([
            "protocol-pay",
            "sign",
            "--data",
            "{}",
            "--timestamp",
            "2020",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(report(&out)["field"], "timestamp");
    let out = protocol(v)
        .args([
            "protocol-pay",
            "sign",
            "--data",
            "not json",
            "--timestamp",
            "20201010123015123",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(report(&out)["field"], "data");
}

fn yzh(v: &Value) -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_YUNZHANGHU_DES3_KEY", s(&v["des3_key"]))
        .env("CNPAY_YUNZHANGHU_APP_KEY", s(&v["app_key"]));
    c
}

#[test]
fn yunzhanghu_encrypt_decrypt_sign_match_every_vector() {
    for (i, v) in vectors("yunzhanghu").iter().enumerate() {
        let out = yzh(v)
            .args(["yunzhanghu", "encrypt"])
            .write_stdin(s(&v["plaintext"]))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "vector {i}");
        assert_eq!(stdout(&out), format!("{}\n", s(&v["data"])), "vector {i}");

        let out = yzh(v)
            .args(["yunzhanghu", "decrypt", "--data", s(&v["data"])])
            .output()
            .unwrap();
        assert_eq!(
            stdout(&out),
            format!("{}\n", s(&v["plaintext"])),
            "vector {i}"
        );

        let ts = v["timestamp"].to_string();
        let out = yzh(v)
            .args(["yunzhanghu", "sign", "--data", s(&v["data"]), "--mess"])
            .args([s(&v["mess"]), "--timestamp", &ts])
            .output()
            .unwrap();
        assert_eq!(stdout(&out), format!("{}\n", s(&v["sign"])), "vector {i}");
    }
}

#[test]
fn yunzhanghu_seal_and_open_match_every_vector() {
    for (i, v) in vectors("yunzhanghu").iter().enumerate() {
        let ts = v["timestamp"].to_string();
        let out = yzh(v)
            .args([
                "yunzhanghu",
                "seal",
                "--mess",
                s(&v["mess"]),
                "--timestamp",
                &ts,
            ])
            .write_stdin(format!("{}\n", s(&v["plaintext"])))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "vector {i}: {out:?}");
        let sealed: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(
            sealed,
            json!({
                "data": v["data"], "mess": v["mess"], "timestamp": v["timestamp"],
                "sign": v["sign"], "sign_type": "sha256",
            }),
            "vector {i}"
        );
        // open the JSON form …
        let out = yzh(v)
            .args(["yunzhanghu", "open"])
            .write_stdin(sealed.to_string())
            .output()
            .unwrap();
        assert_eq!(
            stdout(&out),
            format!("{}\n", s(&v["plaintext"])),
            "vector {i}"
        );
        // … and the form body, as a callback arrives
        let form = format!(
            "data={}&mess={}&timestamp={ts}&sign={}&sign_type=sha256",
            urlencode(s(&v["data"])),
            urlencode(s(&v["mess"])),
            s(&v["sign"])
        );
        let out = yzh(v)
            .args(["yunzhanghu", "open", "--data", &form])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "vector {i}: {out:?}");
        assert_eq!(
            stdout(&out),
            format!("{}\n", s(&v["plaintext"])),
            "vector {i}"
        );
        // a changed mess fails the sign
        let tampered = form.replacen("mess=", "mess=x", 1);
        let out = yzh(v)
            .args(["yunzhanghu", "open", "--data", &tampered])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "vector {i}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn yunzhanghu_seal_without_mess_and_timestamp_opens_again() {
    let v = &vectors("yunzhanghu")[1];
    let out = yzh(v)
        .args(["yunzhanghu", "seal", "--data", "{}"])
        .output()
        .unwrap();
    let sealed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(s(&sealed["mess"]).len(), 32);
    assert!(sealed["timestamp"].as_i64().unwrap() > 1_700_000_000);
    let out = yzh(v)
        .args(["yunzhanghu", "open", "--data", &sealed.to_string()])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "{}\n");
}

#[test]
fn yunzhanghu_decrypt_with_the_wrong_key_is_exit_4() {
    let v = &vectors("yunzhanghu")[4];
    let out = cnpay()
        .env("CNPAY_YUNZHANGHU_DES3_KEY", "123456788765432112345678")
        .args(["yunzhanghu", "decrypt", "--data", s(&v["data"])])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert_eq!(report(&out)["error"], "decrypt");
}

#[test]
fn yunzhanghu_lines_mode_gives_one_output_line_per_input_line() {
    // every vector under the spec's key
    let vs: Vec<Value> = vectors("yunzhanghu")
        .into_iter()
        .filter(|v| v["des3_key"] == "123456788765432112345678")
        .collect();
    assert_eq!(vs.len(), 5);
    let v = &vs[0];
    let input: String = vs
        .iter()
        .map(|v| format!("{}\n", s(&v["data"])))
        .chain(["not-base64!\n".to_owned()])
        .collect();
    let out = yzh(v)
        .args(["--lines", "yunzhanghu", "decrypt"])
        .write_stdin(input)
        .output()
        .unwrap();
    // the failed line makes the run exit 4, after every line was processed
    assert_eq!(out.status.code(), Some(4));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), vs.len() + 1);
    for (line, v) in lines.iter().zip(&vs) {
        assert_eq!(*line, s(&v["plaintext"]));
    }
    let last: Value = serde_json::from_str(lines[vs.len()]).unwrap();
    assert_eq!(last["error"]["error"], "decrypt");
}

#[test]
fn aggregate_lines_mode_signs_each_line() {
    let vs = vectors("aggregate-pay");
    let input: String = vs[..2]
        .iter()
        .map(|v| format!("{}\n", v["params"]))
        .collect();
    let out = cnpay()
        .env("CNPAY_AGGREGATE_PAY_KEY", s(&vs[0]["key"]))
        .args(["aggregate-pay", "sign", "--lines"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let signs: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["sign"].clone())
        .collect();
    assert_eq!(signs, [vs[0]["sign"].clone(), vs[1]["sign"].clone()]);
}

#[test]
fn aggregate_pay_verify_refuses_repeated_fields() {
    // A notification whose parameter comes twice: which value was signed cannot be told.
    let v = &vectors("aggregate-pay")[6];
    let doubled = format!("{}&subject=other", s(&v["query"]));
    let out = aggregate(s(&v["key"]))
        .args(["aggregate-pay", "verify", "--data", &doubled])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert_eq!(report(&out)["kind"], "signature malformed");
    assert!(out.stdout.is_empty());
    // A response body repeating a field is not a JSON object to verify: invalid input, naming
    // the repeated field.
    let out = aggregate("K")
        .args([
            "aggregate-pay",
            "verify",
            "--data",
            r#"{"retCode":"SUCCESS","amount":"1","amount":"2","sign":"AC4797E4BF58426484C11F9F2F96458B"}"#,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "amount");
    // Not JSON at all.
    let out = aggregate("K")
        .args(["aggregate-pay", "verify", "--data", "{not json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn yunzhanghu_encrypt_and_decrypt_need_only_the_3des_key() {
    let v = &vectors("yunzhanghu")[0];
    let out = cnpay()
        .env("CNPAY_YUNZHANGHU_DES3_KEY", s(&v["des3_key"]))
        .args(["yunzhanghu", "encrypt", "--data", s(&v["plaintext"])])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout(&out), format!("{}\n", s(&v["data"])));
    // sealing signs too: the app key is required, and named
    let out = cnpay()
        .env("CNPAY_YUNZHANGHU_DES3_KEY", s(&v["des3_key"]))
        .args(["yunzhanghu", "seal", "--data", "{}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        report(&out)["message"],
        "missing setting `CNPAY_YUNZHANGHU_APP_KEY` (or `app_key` in [yunzhanghu] of the --config file)"
    );
}

#[test]
fn yunzhanghu_sign_and_seal_refuse_a_timestamp_that_would_not_sign_as_given() {
    let v = &vectors("yunzhanghu")[0];
    for ts in ["0123", "+1479892123", "1479892123.0", "now"] {
        let out = yzh(v)
            .args(["yunzhanghu", "sign", "--data", s(&v["data"]), "--mess", "1"])
            .args(["--timestamp", ts])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{ts}: {out:?}");
        assert_eq!(report(&out)["field"], "timestamp");
        let out = yzh(v)
            .args(["yunzhanghu", "seal", "--data", "{}", "--mess", "1"])
            .args(["--timestamp", ts])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{ts}: {out:?}");
        assert_eq!(report(&out)["field"], "timestamp");
    }
}

#[test]
fn yunzhanghu_open_refuses_repeated_missing_and_foreign_fields() {
    let v = &vectors("yunzhanghu")[0];
    let ts = v["timestamp"].to_string();
    let form = format!(
        "data={}&mess={}&timestamp={ts}&sign={}&sign_type=sha256",
        urlencode(s(&v["data"])),
        urlencode(s(&v["mess"])),
        s(&v["sign"])
    );
    let cases = [
        // a field given twice
        (format!("{form}&mess=other"), "signature malformed"),
        // no sign
        (
            form.replace(&format!("&sign={}", s(&v["sign"])), ""),
            "signature missing",
        ),
        // another sign type
        (
            form.replace("sign_type=sha256", "sign_type=md5"),
            "signature malformed",
        ),
        // a sign of the wrong length
        (
            form.replace(s(&v["sign"]), &s(&v["sign"])[..40]),
            "signature malformed",
        ),
    ];
    for (input, kind) in cases {
        let out = yzh(v)
            .args(["yunzhanghu", "open", "--data", &input])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "{input}: {out:?}");
        assert_eq!(report(&out)["kind"], kind, "{input}");
        assert!(out.stdout.is_empty());
    }
    // the untouched form opens
    let out = yzh(v)
        .args(["yunzhanghu", "open", "--data", &form])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

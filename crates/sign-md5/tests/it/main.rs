#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every shared vector in the workspace's `vectors/`.

use serde_json::Value;
use sign_md5::{EnvelopeSigner, ParamSigner, SortOrder, ct_eq_hex};

fn vectors(file: &str) -> Vec<Value> {
    let text = match file {
        "aggregate" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vectors/aggregate-pay.json"
        )),
        _ => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vectors/protocol-pay.json"
        )),
    };
    serde_json::from_str(text).expect("vector file is JSON")
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("missing {k}"))
}

#[test]
fn aggregate_request_vectors() {
    let mut n = 0;
    for (i, v) in vectors("aggregate").iter().enumerate() {
        if s(v, "kind") != "request" {
            continue;
        }
        n += 1;
        let signer = ParamSigner::new(s(v, "key"));
        let params: Vec<(&str, &str)> = v["params"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        assert_eq!(
            signer.sign_string(params.iter().copied(), SortOrder::Ascii),
            s(v, "sign_string"),
            "vector {i} ({})",
            s(v, "name")
        );
        assert_eq!(
            signer.sign(params.iter().copied()),
            s(v, "sign"),
            "vector {i}"
        );
        assert!(
            signer.verify(params.iter().copied(), s(v, "sign")),
            "vector {i}"
        );
    }
    assert_eq!(n, 3);
}

/// Response vectors: every top-level field except `sign` and `payParams`, values as their raw
/// JSON text for objects (the query's nested `result` is signed over its exact text).
#[test]
fn aggregate_response_vectors() {
    let mut n = 0;
    for (i, v) in vectors("aggregate").iter().enumerate() {
        if s(v, "kind") != "response" {
            continue;
        }
        n += 1;
        let body = s(v, "body");
        let raw: std::collections::BTreeMap<String, &serde_json::value::RawValue> =
            serde_json::from_str(body).unwrap();
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut sign = String::new();
        for (k, rv) in &raw {
            let text = match serde_json::from_str::<Value>(rv.get()).unwrap() {
                Value::String(s) => s,
                _ => rv.get().to_owned(),
            };
            match k.as_str() {
                "sign" => sign = text,
                "payParams" => {}
                _ => pairs.push((k.clone(), text)),
            }
        }
        let signer = ParamSigner::new(s(v, "key"));
        let it = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        if let Some(ss) = v["sign_string"].as_str() {
            assert_eq!(
                signer.sign_string(it.clone(), SortOrder::Ascii),
                ss,
                "vector {i}"
            );
        }
        assert_eq!(
            signer.verify(it, &sign),
            v["valid"].as_bool().unwrap(),
            "vector {i}"
        );
    }
    assert_eq!(n, 3);
}

#[test]
fn aggregate_notify_vectors() {
    let mut n = 0;
    for (i, v) in vectors("aggregate").iter().enumerate() {
        if s(v, "kind") != "notify" {
            continue;
        }
        n += 1;
        let mut pairs: Vec<(String, String)> = url_decode(s(v, "query"));
        pairs.extend(url_decode(s(v, "body")));
        let sign = pairs
            .iter()
            .find(|(k, _)| k == "sign")
            .map(|(_, v)| v.clone())
            .unwrap();
        let signer = ParamSigner::new(s(v, "key"));
        let it = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        if let Some(ss) = v["sign_string"].as_str() {
            let ascii = signer.sign_string(it.clone(), SortOrder::Ascii);
            let ci = signer.sign_string(it.clone(), SortOrder::CaseInsensitive);
            assert!(ss == ascii || ss == ci, "vector {i}: {ss}");
        }
        assert_eq!(
            signer.verify(it, &sign),
            v["valid"].as_bool().unwrap(),
            "vector {i} ({})",
            s(v, "name")
        );
    }
    assert_eq!(n, 4);
}

fn url_decode(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (pct(k), pct(v))
        })
        .collect()
}

fn pct(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let h = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(h, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn protocol_envelope_vectors() {
    let all = vectors("protocol");
    assert_eq!(all.len(), 4);
    for (i, v) in all.iter().enumerate() {
        let signer = EnvelopeSigner::new(s(v, "app_id"), s(v, "key"));
        assert_eq!(
            signer.sign_string(s(v, "data"), s(v, "timestamp")),
            s(v, "sign_string"),
            "vector {i}"
        );
        assert_eq!(
            signer.sign(s(v, "data"), s(v, "timestamp")),
            s(v, "sign"),
            "vector {i}"
        );
        let env: Value = serde_json::from_str(s(v, "envelope")).unwrap();
        let ok = signer.verify(s(&env, "data"), s(&env, "timestamp"), s(&env, "sign"));
        assert_eq!(
            ok,
            v["valid"].as_bool().unwrap(),
            "vector {i} ({})",
            s(v, "name")
        );
    }
}

#[test]
fn hand_checked_envelope_edge_cases() {
    // a key containing '&' is hashed verbatim
    let e = EnvelopeSigner::new("A", "k&ey");
    assert_eq!(e.sign_string("{}", "1"), "A&{}&1&k&ey");
    assert!(ct_eq_hex(
        &e.sign("{}", "1"),
        &e.sign("{}", "1").to_uppercase()
    ));
}

//! Every entry of `vectors/aggregate-pay.json` at the workspace root, through this crate's signer and verifiers.

use aggregate_pay::sign::{sign_params, verify_response_body};
use aggregate_pay::{Client, Config, CreateOrderRequest, ProductId, TransOrderRequest};
use pay_core::{Error, IncomingNotification, KeyRing, Money, SecretKey};
use serde_json::Value;
use sign_md5::{ParamSigner, SortOrder};

fn vectors() -> Vec<Value> {
    serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/aggregate-pay.json"
    )))
    .unwrap()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_default()
}

/// The typed request of a vector, where the vector is a whole request.
fn typed_params(v: &Value) -> Option<String> {
    let p = &v["params"];
    let key = s(v, "key");
    match s(v, "name") {
        "create-order" => {
            let req = CreateOrderRequest::new(
                s(p, "mchOrderNo"),
                ProductId::from_wire(s(p, "productId")),
                Money::from_fen_str(s(p, "amount")).unwrap(),
                s(p, "notifyUrl"),
                s(p, "subject"),
                s(p, "body"),
            )
            .client_ip(s(p, "clientIp"))
            .device(s(p, "device"))
            .return_url(s(p, "returnUrl"))
            .param1(s(p, "param1"))
            .param2(s(p, "param2"));
            let c = Client::with_transport(
                Config::new(s(p, "mchId"), s(p, "appId"), key, "unused").base_url("http://x"),
                std::sync::Arc::new(pay_core::test_util::RecordingTransport::new()),
            );
            Some(c.sign_create_order(&req).unwrap().params_json().to_owned())
        }
        "trans-create-order" => {
            let req = TransOrderRequest::new(
                s(p, "mchTransOrderNo"),
                Money::from_fen_str(s(p, "amount")).unwrap(),
                s(p, "notifyUrl"),
                aggregate_pay::BankCode::from_wire(s(p, "bankCode")),
                s(p, "bankName"),
                aggregate_pay::AccountType::from_wire(s(p, "accountType")),
                s(p, "accountName"),
                s(p, "accountNo"),
                s(p, "province"),
                s(p, "city"),
            )
            .account_attr(aggregate_pay::AccountAttr::from_wire(s(p, "accountAttr")));
            let c = Client::with_transport(
                Config::new(s(p, "mchId"), s(p, "appId"), key, "unused").base_url("http://x"),
                std::sync::Arc::new(pay_core::test_util::RecordingTransport::new()),
            );
            Some(
                c.sign_trans_create_order(&req)
                    .unwrap()
                    .params_json()
                    .to_owned(),
            )
        }
        _ => None,
    }
}

#[test]
fn every_vector() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 10);
    for (i, v) in vectors.iter().enumerate() {
        let name = s(v, "name");
        let key = s(v, "key");
        let ctx = format!("vector {i} ({name})");
        match s(v, "kind") {
            "request" => {
                let params = v["params"].as_object().unwrap();
                // the generic signer (the CLI's `sign`)
                let mut input = params.clone();
                if let Some(Value::String(extra)) = params.get("extra") {
                    // a structured value given as an object is sent and signed as its JSON text
                    input.insert("extra".into(), serde_json::from_str(extra).unwrap());
                }
                let signed = sign_params(&input, &SecretKey::new(key)).unwrap();
                assert_eq!(signed["sign"], v["sign"], "{ctx}");
                if let Some(e) = params.get("extra") {
                    assert_eq!(&signed["extra"], e, "{ctx}");
                }
                // the sign string
                let pairs: Vec<(&str, &str)> = params
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
                    .collect();
                assert_eq!(
                    ParamSigner::new(key).sign_string(pairs.iter().copied(), SortOrder::Ascii),
                    s(v, "sign_string"),
                    "{ctx}"
                );
                // the typed request
                if let Some(json) = typed_params(v) {
                    let sent: serde_json::Map<String, Value> = serde_json::from_str(&json).unwrap();
                    assert_eq!(sent["sign"], v["sign"], "{ctx}");
                    // exactly the vector's non-empty parameters, plus the sign
                    let mut expected: serde_json::Map<String, Value> = params
                        .iter()
                        .filter(|(_, v)| v.as_str() != Some(""))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    expected.insert("sign".into(), v["sign"].clone());
                    assert_eq!(sent, expected, "{ctx}");
                }
            }
            "response" => {
                let body = s(v, "body");
                let r = verify_response_body(body.as_bytes(), &KeyRing::from(key));
                assert_eq!(r.is_ok(), v["valid"].as_bool().unwrap(), "{ctx}: {r:?}");
                if !v["valid"].as_bool().unwrap() {
                    assert!(matches!(r, Err(Error::Signature { .. })), "{ctx}");
                }
                if let Some(ss) = v["sign_string"].as_str() {
                    // the MD5 of the documented sign string is the body's sign
                    let body_json: Value = serde_json::from_str(body).unwrap();
                    assert_eq!(
                        md5_upper(ss),
                        body_json["sign"].as_str().unwrap().to_owned(),
                        "{ctx}"
                    );
                }
            }
            "notify" => {
                let method = http::Method::from_bytes(s(v, "method").as_bytes()).unwrap();
                let n = IncomingNotification::new(method, s(v, "query"), s(v, "body").to_owned());
                let c = Client::with_transport(
                    Config::new("20001222", "a", "unused", key).base_url("http://x"),
                    std::sync::Arc::new(pay_core::test_util::RecordingTransport::new()),
                );
                let r = c.verify_notification(&n);
                // `valid` is about the sign. A correctly signed notification that names no
                // merchant order (`extension-field-gateway-order`) is refused after
                // verification, as undecodable, never as forged.
                let verified = match &r {
                    Ok(_) => true,
                    Err(Error::Decode { source, .. }) => {
                        assert_eq!(s(v, "name"), "extension-field-gateway-order", "{ctx}");
                        assert!(source.to_string().contains("mchOrderNo"), "{ctx}");
                        true
                    }
                    Err(_) => false,
                };
                assert_eq!(verified, v["valid"].as_bool().unwrap(), "{ctx}: {r:?}");
                if !v["valid"].as_bool().unwrap() {
                    assert!(
                        matches!(
                            r,
                            Err(Error::Signature {
                                kind: pay_core::SignatureErrorKind::Mismatch,
                                ..
                            })
                        ),
                        "{ctx}"
                    );
                }
            }
            other => panic!("{ctx}: unknown kind {other}"),
        }
    }
}

/// The uppercase MD5 of a documented sign string `a=1&b=2&key=K` (no `&` inside values):
/// split it back into pairs, check the signer rebuilds exactly that text, and sign.
fn md5_upper(s: &str) -> String {
    let (head, key) = s.rsplit_once("&key=").unwrap();
    let pairs: Vec<(&str, &str)> = head
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let signer = ParamSigner::new(key);
    assert_eq!(
        signer.sign_string(pairs.iter().copied(), SortOrder::Ascii),
        s
    );
    signer.sign(pairs.iter().copied())
}

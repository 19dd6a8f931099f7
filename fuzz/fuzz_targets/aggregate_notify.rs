#![no_main]
//! Aggregate-pay notification parse-and-verify over arbitrary requests: errors, never panics.
//!
//! Mode bit 0 clear: the bytes are split into a query string and a body as received (mostly
//! rejected at the signature). Mode bit 0 set: the bytes are decoded as form parameters and
//! correctly signed first, so the typed parsing behind the signature check is reached.

use aggregate_pay::{Client, Config};
use libfuzzer_sys::fuzz_target;
use pay_core::{IncomingNotification, KeyRing, NotificationVerifier, SecretKey};
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let (mode, rest) = cnpay_fuzz::split_mode(data);
    let config = Config::builder(
        "20001222",
        "app",
        SecretKey::new("request-key"),
        KeyRing::new(SecretKey::new(cnpay_fuzz::AGGREGATE_KEY)),
    )
    .base_url("http://127.0.0.1:1").build().unwrap();
    let client =
        Client::with_transport(config, cnpay_fuzz::answering(200, bytes::Bytes::new())).unwrap();

    let n = if mode & 1 == 0 {
        let cut = usize::from(mode >> 1).min(rest.len());
        let (q, body) = rest.split_at(cut);
        let query = String::from_utf8_lossy(q).into_owned();
        let mut n = IncomingNotification::new(
            if mode & 2 == 0 {
                http::Method::GET
            } else {
                http::Method::POST
            },
            query,
            bytes::Bytes::copy_from_slice(body),
        );
        if mode & 4 != 0 {
            n = n.with_header("content-type", "application/x-www-form-urlencoded");
        }
        n
    } else {
        let mut map = Map::new();
        for (k, v) in pay_core::form::decode(rest) {
            map.insert(k, Value::String(v));
        }
        // A name the signer refuses (empty, or holding `&`/`=`) is not a notification to verify.
        let Ok(signed) =
            aggregate_pay::sign::sign_params(&map, &SecretKey::new(cnpay_fuzz::AGGREGATE_KEY))
        else {
            return;
        };
        let pairs: Vec<(String, String)> = signed
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
            .collect();
        let query = pay_core::form::encode(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        IncomingNotification::get(query)
    };
    let _ = client.verify_pay_notification(&n);
    let _ = client.verify_trans_notification(&n);
    let _ = client.notification_json(&n);
    if let Ok(event) = cnpay_fuzz::block_on(NotificationVerifier::verify_notification(&client, &n)) {
        let _ = pay_core::NotificationEvent::replay_key(&event);
        let _ = pay_core::NotificationEvent::transition(&event);
        let _ = format!("{event:?}");
    }
});

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Integration tests.

mod cli;
mod notify;
mod pay;
mod payout;
mod redaction;
mod unified;
mod vectors;

use std::sync::Arc;

use aggregate_pay::{Client, Config};
use pay_core::{KeyRing, SecretKey};
use serde_json::{Map, Value};

/// The request key of the shared vectors.
pub(crate) const REQ_KEY: &str = "M86l522AV6q613Ii4W6u8K48uW8vM1N6bFgyv769220MdYe9u37N4y7rI5mQ";
/// The response key of the shared vectors.
pub(crate) const RESP_KEY: &str = "Hpcl522AV6q613KIi46u6g6XuW8vM1N8bFgyv769770MdYe9u37M4y7rIpl8";
pub(crate) const MCH_ID: &str = "20001222";
pub(crate) const APP_ID: &str = "0ae8be35ff634e2abe94f5f32f6d5c4f";

pub(crate) fn config(base: &str) -> Config {
    Config::builder(MCH_ID, APP_ID, REQ_KEY, RESP_KEY)
        .base_url(base)
        .build()
        .unwrap()
}

pub(crate) fn client(base: &str) -> Client {
    Client::new(config(base)).unwrap()
}

pub(crate) fn resp_key() -> SecretKey {
    SecretKey::new(RESP_KEY)
}

/// The `params` object a server received, after checking the envelope: a form POST with
/// exactly one field, `params`, whose sign verifies with the request key.
pub(crate) fn received_params(req: &wiremock::Request) -> (String, Map<String, Value>) {
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(
        req.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/x-www-form-urlencoded")
    );
    let pairs = pay_core::test_util::form_pairs(&req.body);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    let text = pay_core::test_util::form_value(&pairs, "params")
        .unwrap()
        .to_owned();
    let map: Map<String, Value> = serde_json::from_str(&text).unwrap();
    aggregate_pay::sign::verify_params(&map, &KeyRing::from(REQ_KEY)).unwrap();
    // The spec's JSON types: numbers for int / long, booleans for Boolean, strings otherwise.
    for (name, value) in &map {
        let typed = match name.as_str() {
            "productId" | "amount" => value.is_i64(),
            // `long` everywhere but in the pay order query (2.2.3), where it is String(30)
            "mchId" => value.is_i64() || value.is_string(),
            "executeNotify" => value.is_boolean(),
            _ => value.is_string(),
        };
        assert!(typed, "{name} has the wrong JSON type in {text}");
    }
    (text, map)
}

/// The JSON text of `params` in the last request `t` recorded.
pub(crate) fn last_params(t: &pay_core::test_util::RecordingTransport) -> String {
    let requests = t.requests();
    let body = requests.last().expect("a request was sent").body();
    let pairs = pay_core::test_util::form_pairs(body);
    pay_core::test_util::form_value(&pairs, "params")
        .unwrap()
        .to_owned()
}

pub(crate) fn recording() -> (Arc<pay_core::test_util::RecordingTransport>, Client) {
    let t = Arc::new(pay_core::test_util::RecordingTransport::new());
    let c = Client::with_transport(config("http://gw.example:3020"), t.clone()).unwrap();
    (t, c)
}

#[test]
fn client_is_clone_debug_send_sync_and_hides_keys() {
    fn assert_traits<T: Clone + std::fmt::Debug + Send + Sync>() {}
    assert_traits::<Client>();
    let shown = format!("{:?}", client("http://x"));
    assert!(
        !shown.contains(REQ_KEY) && !shown.contains(RESP_KEY),
        "{shown}"
    );
    assert!(shown.contains("SecretKey(***)"), "{shown}");
}

#[test]
fn a_timeout_is_never_silently_ignored() {
    let t = Arc::new(pay_core::test_util::RecordingTransport::new());
    let timed = Config::builder(MCH_ID, APP_ID, REQ_KEY, RESP_KEY)
        .base_url("http://gw.example:3020")
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    // The default transport applies it…
    assert_eq!(
        Client::new(timed.clone()).unwrap().config().timeout(),
        std::time::Duration::from_secs(5)
    );
    // …an injected one cannot, so the config is refused, naming the setting.
    let e = Client::with_transport(timed, t).unwrap_err();
    assert!(
        matches!(&e, pay_core::Error::InvalidInput { field, .. } if field == "timeout"),
        "{e:?}"
    );
}

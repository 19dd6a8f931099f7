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
    Config::new(MCH_ID, APP_ID, REQ_KEY, RESP_KEY).base_url(base)
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
    assert!(map.values().all(Value::is_string), "{text}");
    (text, map)
}

pub(crate) fn recording() -> (Arc<pay_core::test_util::RecordingTransport>, Client) {
    let t = Arc::new(pay_core::test_util::RecordingTransport::new());
    let c = Client::with_transport(config("http://gw.example:3020"), t.clone());
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

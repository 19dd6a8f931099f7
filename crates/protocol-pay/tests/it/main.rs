//! Integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod endpoints;
mod errors;
mod notify;
mod operations;
mod redaction;
mod unified;
mod vectors;

use std::sync::Arc;

use pay_core::{FixedClock, SequentialIds, Timestamp};
use protocol_pay::{Client, Config};
use serde_json::Value;
use wiremock::{MockServer, ResponseTemplate};

pub(crate) const APP: &str = "LFT1001";
pub(crate) const KEY: &str = "a8f5f167f44f4964e6c998dee827110c";
/// 2020-10-10 12:30:15.123 in Beijing.
pub(crate) const NOW_MS: i64 = 1_602_304_215_123;
pub(crate) const NOW: &str = "20201010123015123";
pub(crate) const OUT_REQ_NO: &str = "LFT1001202010100001";

pub(crate) fn config(base: &str) -> Config {
    Config::builder(APP, KEY).base_url(base).build().unwrap()
}

pub(crate) fn client(base: &str) -> Client {
    Client::with_transport(
        config(base),
        Arc::new(pay_core::ReqwestTransport::new().unwrap()),
    )
    .unwrap()
    .with_clock(Arc::new(FixedClock::new(Timestamp::from_unix_millis(
        NOW_MS,
    ))))
    .with_ids(Arc::new(SequentialIds::new("id-")))
}

/// A signed `0000` response carrying `data` (exact text), stamped `ts`.
pub(crate) fn ok_response(data: &str) -> ResponseTemplate {
    let body = protocol_pay::test_util::signed_response_raw(
        &config("http://x"),
        "0000",
        "SUCCESS",
        data,
        "20201010123016000",
    );
    ResponseTemplate::new(200).set_body_raw(body, "application/json")
}

/// The single request the server received: its envelope and parsed `data`, after checking the
/// method, the path, the content type and the sign.
pub(crate) async fn received(server: &MockServer, path: &str) -> (Value, Value) {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "exactly one request is sent");
    let req = &requests[0];
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(req.url.path(), path);
    assert_eq!(
        req.headers.get("content-type").unwrap().to_str().unwrap(),
        "application/json; charset=utf-8"
    );
    let env: Value = serde_json::from_slice(&req.body).unwrap();
    let obj = env.as_object().unwrap();
    assert_eq!(obj.len(), 4, "{env}");
    assert_eq!(env["appId"], APP);
    assert_eq!(env["timestamp"], NOW);
    let data_text = env["data"].as_str().unwrap();
    let expected_sign = protocol_pay::sign::sign(APP, KEY, data_text, NOW);
    assert_eq!(env["sign"], expected_sign.as_str());
    let data: Value = serde_json::from_str(data_text).unwrap();
    (env, data)
}

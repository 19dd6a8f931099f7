//! Integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bill;
mod catalog;
mod endpoints;
mod notify;
mod payout;
mod redaction;
mod unified;
mod vectors;

use std::sync::Arc;

use pay_core::{FixedClock, SecretKey, SequentialIds, Timestamp};
use serde_json::Value;
use wiremock::MockServer;
use yunzhanghu::sign::{self, Envelope, Keys};
use yunzhanghu::{Client, Config};

pub(crate) const DES3: &str = "123456788765432112345678";
pub(crate) const APP_KEY: &str = "78f9b4fad3481fbce1df0b30eee58577";
pub(crate) const NOW: i64 = 1_700_000_000;
/// A resident ID number with a valid check digit.
pub(crate) const ID: &str = "11010519491231002X";

pub(crate) fn config(base: &str) -> Config {
    Config::builder("sixcn", "yiyun73", APP_KEY, DES3)
        .base_url(base)
        .build()
        .unwrap()
}

pub(crate) fn keys() -> Keys {
    Keys::new(APP_KEY, &SecretKey::new(DES3)).unwrap()
}

pub(crate) fn client_for(base: &str) -> Client {
    Client::with_transport(
        config(base),
        Arc::new(pay_core::ReqwestTransport::new().unwrap()),
    )
    .unwrap()
    .with_clock(Arc::new(FixedClock::new(Timestamp::from_unix_seconds(NOW))))
    .with_ids(Arc::new(SequentialIds::new("id-")))
}

pub(crate) async fn server_and_client() -> (MockServer, Client) {
    let server = pay_core::test_util::mock_server().await;
    let client = client_for(&server.uri());
    (server, client)
}

/// What the server received: the envelope fields (from the form body, the query string or the
/// multipart text parts), checked and opened.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) dealer_id: String,
    pub(crate) request_id: String,
    pub(crate) content_type: String,
    pub(crate) envelope: Envelope,
    pub(crate) plaintext: Value,
    pub(crate) files: Vec<(String, String, Vec<u8>)>,
}

fn multipart_parts(content_type: &str, body: &[u8]) -> Vec<(String, Option<String>, Vec<u8>)> {
    let boundary = content_type.split("boundary=").nth(1).unwrap();
    let delim = format!("--{boundary}");
    let text = body.to_vec();
    let mut parts = Vec::new();
    let mut rest: &[u8] = &text;
    while let Some(start) = find(rest, delim.as_bytes()) {
        rest = &rest[start + delim.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        rest = &rest[2..]; // \r\n
        let header_end = find(rest, b"\r\n\r\n").unwrap();
        let headers = String::from_utf8(rest[..header_end].to_vec()).unwrap();
        let content_start = header_end + 4;
        let next = find(&rest[content_start..], delim.as_bytes()).unwrap();
        let content = rest[content_start..content_start + next - 2].to_vec();
        let name = headers
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let file = headers
            .split("filename=\"")
            .nth(1)
            .map(|f| f.split('"').next().unwrap().to_owned());
        parts.push((name, file, content));
        rest = &rest[content_start + next..];
    }
    parts
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub(crate) fn received(req: &wiremock::Request) -> Received {
    let header = |n: &str| {
        req.headers
            .get(n)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let content_type = header("content-type");
    let mut files = Vec::new();
    let params: Vec<(String, String)> = if req.method.as_str() == "GET" {
        assert!(req.body.is_empty());
        pay_core::form::decode(req.url.query().unwrap_or("").as_bytes())
    } else if content_type.starts_with("multipart/form-data") {
        let mut params = Vec::new();
        for (name, file, content) in multipart_parts(&content_type, &req.body) {
            match file {
                Some(f) => files.push((name, f, content)),
                None => params.push((name, String::from_utf8(content).unwrap())),
            }
        }
        params
    } else {
        assert_eq!(content_type, "application/x-www-form-urlencoded");
        pay_core::test_util::form_pairs(&req.body)
    };
    let names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["data", "mess", "timestamp", "sign", "sign_type"]);
    let envelope = Envelope::from_params(&params).unwrap();
    assert_eq!(envelope.sign_type, "sha256");
    // The sign is the spec's HMAC over data=…&mess=…&timestamp=…&key=APPKEY.
    assert_eq!(
        envelope.sign,
        sign::sign(
            &envelope.data,
            &envelope.mess,
            envelope.timestamp,
            &SecretKey::new(APP_KEY)
        )
    );
    let plaintext = sign::open(&envelope, &keys()).unwrap();
    Received {
        method: req.method.to_string(),
        path: req.url.path().to_owned(),
        dealer_id: header("dealer-id"),
        request_id: header("request-id"),
        content_type,
        envelope,
        plaintext: serde_json::from_str(&plaintext).unwrap(),
        files,
    }
}

/// The one request the server received other than `path`-less catch-alls.
pub(crate) async fn only_request(server: &MockServer) -> Received {
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1, "expected exactly one request");
    received(&reqs[0])
}

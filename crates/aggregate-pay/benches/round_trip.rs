//! A full pay-order round trip (validate, build, sign, send, receive, verify the response sign,
//! decode) through `aggregate_pay::Client` on the default reqwest transport, next to a raw
//! `reqwest` POST of the same prepared bytes (the order signed once, outside the loop) to the
//! same server.
//!
//! The server is `pay_core::test_util::start_answer_server`, a minimal HTTP/1.1 keep-alive
//! responder on 127.0.0.1 answering every request with the same signed `SUCCESS` answer; both
//! clients reuse their keep-alive connection. Group `round-trip-aggregate-create-order`.
//!
//! Two groups take the round trip apart: `client-cpu-aggregate-create-order` is the same call on
//! a transport answering from memory (the CPU the client adds), and `transport-only-aggregate`
//! is the default transport sending the prepared request next to the same raw reqwest POST
//! (what the transport layer adds to the exchange).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use aggregate_pay::test_util::signed_create_order_response;
use aggregate_pay::{
    Client, Config, CreateOrderRequest, CreateOrderResponse, PayParams, ProductId,
};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use pay_core::{Money, SecretKey};

const REQ_KEY: &str = "M86l522AV6q613Ii4W6u8K48uW8vM1N6bFgyv769220MdYe9u37N4y7rI5mQ";
const RESP_KEY: &str = "Hpcl522AV6q613KIi46u6g6XuW8vM1N8bFgyv769770MdYe9u37M4y7rIpl8";

fn order() -> CreateOrderRequest {
    CreateOrderRequest::new(
        "20160427210604000490",
        ProductId::UnionPayQuick,
        Money::from_fen(100),
        "http://domain/notify.htm",
        "测试商品名称",
        "测试商品描述",
    )
    .client_ip("210.73.10.148")
    .device("ios10.3.1")
    .return_url("https://shop.example/return")
    .param1("p1")
    .param2("p2")
    .extra(
        "extra",
        serde_json::json!({"openId": "o2RvowBf7sOVJf8kJksUEMceaDqo"}),
    )
}

fn round_trip(c: &mut Criterion) {
    let answer = signed_create_order_response(
        &CreateOrderResponse::new(
            "P01000020181013115051810",
            Some(PayParams::with_pay_url("https://qr.example/pay?orderId=P1")),
        ),
        &SecretKey::new(RESP_KEY),
    )
    .unwrap();
    let addr = pay_core::test_util::start_answer_server("application/json", &answer).unwrap();
    let base = format!("http://{addr}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // Ours: the client as a merchant builds it (default transport).
    let config = Config::builder(
        "20001222",
        "0ae8be35ff634e2abe94f5f32f6d5c4f",
        REQ_KEY,
        RESP_KEY,
    )
    .base_url(&base)
    .build()
    .unwrap();
    let client = rt.block_on(async { Client::new(config.clone()).unwrap() });
    let order = order();
    let ours = || async { client.create_order(black_box(&order)).await.unwrap() };
    assert_eq!(rt.block_on(ours()).pay_order_id, "P01000020181013115051810");

    // Baseline: a reqwest client with the same settings (timeout, no redirects), sending the
    // body the client would send, signed once beforehand.
    let raw = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The body the client sends, recorded once (signing is deterministic).
    let recording = std::sync::Arc::new(pay_core::test_util::RecordingTransport::new());
    let recorder = Client::with_transport(config.clone(), recording.clone()).unwrap();
    let _ = rt.block_on(recorder.create_order(&order));
    let body = recording.requests()[0].body().clone();
    let url = format!("{base}/api/pay/create_order");
    let raw_send = || async {
        raw.post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    };
    assert_eq!(rt.block_on(raw_send()), answer.as_bytes());

    // The same call with no network: a transport answering at once from memory. This is the
    // CPU time the client adds to an exchange (validate, sign, encode, verify, decode).
    let canned = bytes::Bytes::from(answer.clone());
    let in_memory = pay_core::transport::transport_fn(move |_req| {
        let canned = canned.clone();
        async move {
            http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(canned)
                .map_err(pay_core::transport::TransportError::io)
        }
    });
    let offline = Client::with_transport(config, std::sync::Arc::new(in_memory)).unwrap();
    let mut g = c.benchmark_group(pay_core::test_util::bench_group(
        "client-cpu-aggregate-create-order",
    ));
    g.bench_function("ours", |b| {
        b.iter(|| {
            rt.block_on(offline.create_order(black_box(&order)))
                .unwrap()
        })
    });
    g.finish();

    // The transport alone: the default transport sending the same prepared request, next to
    // the same raw reqwest POST. What the transport layer (http -> reqwest conversion, header
    // move, body read) adds to the exchange.
    let transport = pay_core::ReqwestTransport::new().unwrap();
    let via_transport = || async {
        let request = http::Request::builder()
            .method(http::Method::POST)
            .uri(&url)
            .header(http::header::CONTENT_TYPE, pay_core::form::CONTENT_TYPE)
            .header(http::header::ACCEPT, "application/json")
            .body(body.clone())
            .unwrap();
        pay_core::transport::HttpTransport::send(&transport, request)
            .await
            .unwrap()
            .into_body()
    };
    assert_eq!(rt.block_on(via_transport()), answer.as_bytes());
    let name = pay_core::test_util::bench_group("transport-only-aggregate");
    let mut g = c.benchmark_group(&name);
    g.bench_function("ours", |b| b.iter(|| rt.block_on(via_transport())));
    g.bench_function("baseline", |b| b.iter(|| rt.block_on(raw_send())));
    g.finish();
    pay_core::test_util::interleaved(
        &name,
        || rt.block_on(via_transport()),
        || rt.block_on(raw_send()),
    );

    let name = pay_core::test_util::bench_group("round-trip-aggregate-create-order");
    let mut g = c.benchmark_group(&name);
    g.bench_function("ours", |b| b.iter(|| rt.block_on(ours())));
    g.bench_function("baseline", |b| b.iter(|| rt.block_on(raw_send())));
    g.finish();
    pay_core::test_util::interleaved(&name, || rt.block_on(ours()), || rt.block_on(raw_send()));
}

criterion_group!(benches, round_trip);
criterion_main!(benches);

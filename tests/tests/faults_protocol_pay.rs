//! The fault matrix for protocol-pay: `prepay` (moves money) and `inquery` (read-only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use cnpay_e2e::faults::{self, Canned, Endpoint, Kind};
use pay_core::{FixedClock, Money, SequentialIds, SharedTransport, Timestamp};
use protocol_pay::test_util::signed_response_raw;
use protocol_pay::{Client, Config, InqueryRequest, PrepayRequest, ProdCatalog};

const PROVIDER: &str = "protocol-pay";
const APP: &str = "LFT1001";
const KEY: &str = "a8f5f167f44f4964e6c998dee827110c";
const OUT_REQ_NO: &str = "LFT1001202010100001";
/// 2020-10-10 12:30:15.123 in Beijing.
const NOW_MS: i64 = 1_602_304_215_123;
const ORDER: &str = r#"{"transNo":"T1","outReqNo":"LFT1001202010100001","amount":"1000.50","posCode":"654321","payStatus":"UNPAID","cashierType":"POS"}"#;

fn config(base: &str) -> Config {
    Config::builder(APP, KEY).base_url(base).build().unwrap()
}

fn client(base: &str, transport: SharedTransport) -> Client {
    Client::with_transport(config(base), transport)
        .unwrap()
        .with_clock(Arc::new(FixedClock::new(Timestamp::from_unix_millis(
            NOW_MS,
        ))))
        .with_ids(Arc::new(SequentialIds::new("id-")))
}

/// A signed `0000` answer carrying the order, the same unsigned, and the same signed with
/// another key.
fn responses() -> (Canned, Canned, Canned) {
    let signed = signed_response_raw(
        &config("http://x"),
        "0000",
        "SUCCESS",
        ORDER,
        "20201010123016000",
    );
    let mut unsigned: serde_json::Value = serde_json::from_str(&signed).unwrap();
    assert!(unsigned.as_object_mut().unwrap().remove("sign").is_some());
    let wrong = signed_response_raw(
        &Config::new(APP, "another-key-entirely").unwrap(),
        "0000",
        "SUCCESS",
        ORDER,
        "20201010123016000",
    );
    assert_ne!(signed, wrong);
    (
        Canned::json(signed),
        Canned::json(unsigned.to_string()),
        Canned::json(wrong),
    )
}

fn prepay() -> Endpoint {
    let (success, unsigned, wrong) = responses();
    Endpoint {
        provider: PROVIDER,
        name: "prepay",
        method: "POST",
        path: "/api/protocol/prepay".to_owned(),
        kind: Kind::Mutation {
            order_id: OUT_REQ_NO.to_owned(),
        },
        success,
        unsigned: Some(unsigned),
        wrongly_signed: Some(wrong),
        bugs: Vec::new(),
        call: Arc::new(|base, transport| {
            Box::pin(async move {
                let request = PrepayRequest::new(
                    "T1",
                    OUT_REQ_NO,
                    Money::from_fen(100_050),
                    "https://merchant.example/lft/paid",
                    ProdCatalog::DebitOnly,
                );
                let order = client(&base, transport).prepay(&request).await?;
                assert_eq!(order.out_req_no, OUT_REQ_NO);
                assert_eq!(order.amount, Some(Money::from_fen(100_050)));
                Ok(())
            })
        }),
    }
}

fn inquery() -> Endpoint {
    let (success, unsigned, wrong) = responses();
    Endpoint {
        provider: PROVIDER,
        name: "inquery",
        method: "POST",
        path: "/api/protocol/inquery".to_owned(),
        // A query: retry-safe, no order id, never `needs_query` (pay-core's one rule).
        kind: Kind::Query,
        success,
        unsigned: Some(unsigned),
        wrongly_signed: Some(wrong),
        bugs: Vec::new(),
        call: Arc::new(|base, transport| {
            Box::pin(async move {
                let order = client(&base, transport)
                    .inquery(&InqueryRequest::new(OUT_REQ_NO))
                    .await?;
                assert_eq!(order.out_req_no, OUT_REQ_NO);
                Ok(())
            })
        }),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_matrix() {
    let rows = faults::run_matrix(&[prepay(), inquery()]).await;
    faults::check_doc(PROVIDER, &rows);
}

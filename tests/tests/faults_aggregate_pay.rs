//! The fault matrix for aggregate-pay: `trans/create_order` (a payout, moves money) and
//! `trans/query_order` (read-only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use aggregate_pay::test_util::signed_response_body;
use aggregate_pay::{
    AccountAttr, AccountType, BankCode, Client, Config, TransOrderRequest, TransQueryRequest,
    TransStatus,
};
use cnpay_e2e::faults::{self, Canned, Endpoint, Kind};
use pay_core::{Money, SecretKey, SharedTransport};
use serde_json::{Map, Value, json};

const PROVIDER: &str = "aggregate-pay";
const MCH_ID: &str = "20001222";
const APP_ID: &str = "0ae8be35ff634e2abe94f5f32f6d5c4f";
const REQ_KEY: &str = "M86l522AV6q613Ii4W6u8K48uW8vM1N6bFgyv769220MdYe9u37N4y7rI5mQ";
const RESP_KEY: &str = "Hpcl522AV6q613KIi46u6g6XuW8vM1N8bFgyv769770MdYe9u37M4y7rIpl8";
const ORDER_NO: &str = "T20160427210604000491";

fn client(base: &str, transport: SharedTransport) -> Client {
    Client::with_transport(
        Config::builder(MCH_ID, APP_ID, REQ_KEY, RESP_KEY)
            .base_url(base)
            .build()
            .unwrap(),
        transport,
    )
    .unwrap()
}

/// The gateway's answer for the payout (top-level fields): signed with the response key,
/// the same without `sign`, and signed with another key.
fn responses() -> (Canned, Canned, Canned) {
    let fields: Map<String, Value> = json!({
        "retCode": "SUCCESS",
        "retMsg": "",
        "transOrderId": "T01000020181013115051811",
        "mchId": MCH_ID,
        "mchTransOrderNo": ORDER_NO,
        "amount": 12345,
        "status": 1,
        "createTime": 1_505_049_094_262_i64
    })
    .as_object()
    .unwrap()
    .clone();
    let signed = signed_response_body(&fields, &SecretKey::new(RESP_KEY)).unwrap();
    let mut unsigned: Map<String, Value> = serde_json::from_str(&signed).unwrap();
    assert!(unsigned.remove("sign").is_some(), "{signed}");
    let wrong =
        signed_response_body(&fields, &SecretKey::new("another-response-key-entirely")).unwrap();
    assert_ne!(signed, wrong);
    (
        Canned::json(signed),
        Canned::json(Value::Object(unsigned).to_string()),
        Canned::json(wrong),
    )
}

fn trans_create_order() -> Endpoint {
    let (success, unsigned, wrong) = responses();
    Endpoint {
        provider: PROVIDER,
        name: "trans/create_order",
        method: "POST",
        path: "/api/trans/create_order".to_owned(),
        kind: Kind::Mutation {
            order_id: ORDER_NO.to_owned(),
        },
        success,
        unsigned: Some(unsigned),
        wrongly_signed: Some(wrong),
        bugs: Vec::new(),
        call: Arc::new(|base, transport| {
            Box::pin(async move {
                let payout = TransOrderRequest::new(
                    ORDER_NO,
                    Money::from_fen(12345),
                    "https://shop.example/trans-notify",
                    BankCode::ChinaMerchantsBank,
                    "招商银行南京分行",
                    AccountType::BankCard,
                    "张三",
                    "6225880137705555",
                    "江苏",
                    "南京",
                )
                .account_attr(AccountAttr::Private);
                let order = client(&base, transport).trans_create_order(&payout).await?;
                assert_eq!(order.trans_order_id, "T01000020181013115051811");
                assert_eq!(order.amount, Money::from_fen(12345));
                assert_eq!(order.status, TransStatus::Transferring);
                Ok(())
            })
        }),
    }
}

fn trans_query_order() -> Endpoint {
    let (success, unsigned, wrong) = responses();
    Endpoint {
        provider: PROVIDER,
        name: "trans/query_order",
        method: "POST",
        path: "/api/trans/query_order".to_owned(),
        // A query: retry-safe, no order id, never `needs_query` (pay-core's one rule).
        kind: Kind::Query,
        success,
        unsigned: Some(unsigned),
        wrongly_signed: Some(wrong),
        bugs: Vec::new(),
        call: Arc::new(|base, transport| {
            Box::pin(async move {
                let order = client(&base, transport)
                    .trans_query_order(&TransQueryRequest::by_mch_trans_order_no(ORDER_NO))
                    .await?;
                assert_eq!(order.mch_trans_order_no.as_deref(), Some(ORDER_NO));
                assert_eq!(order.amount, Money::from_fen(12345));
                Ok(())
            })
        }),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_matrix() {
    let rows = faults::run_matrix(&[trans_create_order(), trans_query_order()]).await;
    faults::check_doc(PROVIDER, &rows);
}

//! The fault matrix for yunzhanghu: `order-realtime` (a bank-card payout, moves money) and
//! `query-realtime-order` (read-only, a GET).
//!
//! Yunzhanghu signs requests and notifications but not its answers
//! (`{code, message, request_id, data}` in clear; see `yunzhanghu::test_util`), so the two
//! signature cells do not apply.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use cnpay_e2e::faults::{self, Canned, Endpoint, Kind};
use pay_core::{FixedClock, Money, SequentialIds, SharedTransport, Timestamp};
use serde_json::json;
use yunzhanghu::payout::BankCardOrder;
use yunzhanghu::query::QueryOrder;
use yunzhanghu::test_util::response_body;
use yunzhanghu::{Channel, Client, Config, OrderStatus};

const PROVIDER: &str = "yunzhanghu";
const DES3: &str = "123456788765432112345678";
const APP_KEY: &str = "78f9b4fad3481fbce1df0b30eee58577";
const NOW: i64 = 1_700_000_000;
const ORDER_ID: &str = "20240101000001";

fn client(base: &str, transport: SharedTransport) -> Client {
    Client::with_transport(
        Config::builder("sixcn", "yiyun73", APP_KEY, DES3)
            .base_url(base)
            .build()
            .unwrap(),
        transport,
    )
    .unwrap()
    .with_clock(Arc::new(FixedClock::new(Timestamp::from_unix_seconds(NOW))))
    .with_ids(Arc::new(SequentialIds::new("id-")))
}

fn order_realtime() -> Endpoint {
    let body = response_body(
        &json!({"order_id": ORDER_ID, "ref": "176826728298982", "pay": "100.00"}),
        "req-1",
    )
    .unwrap();
    Endpoint {
        provider: PROVIDER,
        name: "order-realtime",
        method: "POST",
        path: "/api/payment/v1/order-realtime".to_owned(),
        kind: Kind::Mutation {
            order_id: ORDER_ID.to_owned(),
        },
        success: Canned::json(body),
        unsigned: None,
        wrongly_signed: None,
        bugs: Vec::new(),
        call: Arc::new(|base, transport| {
            Box::pin(async move {
                let order = BankCardOrder {
                    order_id: ORDER_ID.into(),
                    real_name: "张三".into(),
                    card_no: "6228880199872220".into(),
                    id_card: "11010519491231002X".into(),
                    pay: Money::from_fen(10_000),
                    pay_remark: Some("一月劳务费".into()),
                    ..Default::default()
                };
                let accepted = client(&base, transport).order_realtime(&order).await?;
                assert_eq!(accepted.order_id, ORDER_ID);
                assert_eq!(accepted.reference, "176826728298982");
                assert_eq!(accepted.pay, Some(Money::from_fen(10_000)));
                Ok(())
            })
        }),
    }
}

fn query_realtime_order() -> Endpoint {
    let body = response_body(
        &json!({"order_id": ORDER_ID, "pay": "100.00", "status": 1, "ref": "176826728298982"}),
        "req-2",
    )
    .unwrap();
    Endpoint {
        provider: PROVIDER,
        name: "query-realtime-order",
        method: "GET",
        path: "/api/payment/v1/query-realtime-order".to_owned(),
        // A query: retry-safe, no order id, never `needs_query` (pay-core's one rule).
        kind: Kind::Query,
        success: Canned::json(body),
        unsigned: None,
        wrongly_signed: None,
        bugs: Vec::new(),
        call: Arc::new(|base, transport| {
            Box::pin(async move {
                let detail = client(&base, transport)
                    .query_realtime_order(&QueryOrder::new(ORDER_ID, Channel::BankCard))
                    .await?;
                assert_eq!(detail.order_id, ORDER_ID);
                assert_eq!(detail.status, OrderStatus::Paid);
                // Paid, not final: a return (9) may follow.
                assert!(!detail.transition().is_final);
                Ok(())
            })
        }),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_matrix() {
    let rows = faults::run_matrix(&[order_realtime(), query_realtime_order()]).await;
    faults::check_doc(PROVIDER, &rows);
}

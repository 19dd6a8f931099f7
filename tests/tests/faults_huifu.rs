//! The fault matrix for huifu: `withdrawal` (moves money) and `order_query` (read-only).
//!
//! Huifu's gateway does not sign its answers (see `huifu::test_util::response_body`), so the
//! two signature cells do not apply.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use cnpay_e2e::faults::{self, Canned, CountingTransport, Endpoint, Kind};
use huifu::codes::{CashType, QueryTransType};
use huifu::trade::{OrderQueryRequest, WithdrawalRequest};
use huifu::{Client, Config, OAuthTokenProvider};
use pay_core::{Error, FixedClock, Money, SequentialIds, SharedTransport, Timestamp};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const PROVIDER: &str = "huifu";
const MER: &str = "6666000000000001";
const USER: &str = "6666000000000002";
const ORDER_ID: &str = "W20240101000001";
/// 2023-11-15 06:13:20 in Beijing.
const NOW: i64 = 1_700_000_000;

fn config(base: &str) -> huifu::ConfigBuilder {
    Config::builder(MER, "app-key", "app-secret").base_url(base)
}

fn client_with(config: huifu::ConfigBuilder, transport: SharedTransport) -> Client {
    Client::with_transport(config.build().unwrap(), transport)
        .unwrap()
        .with_clock(Arc::new(FixedClock::new(Timestamp::from_unix_seconds(NOW))))
        .with_ids(Arc::new(SequentialIds::new("b")))
}

fn withdrawal_request() -> WithdrawalRequest {
    WithdrawalRequest {
        user_cust_id: USER.into(),
        order_id: ORDER_ID.into(),
        order_date: "20231115".into(),
        trans_amt: Money::from_fen(10_000),
        cash_bind_card_id: "BC1".into(),
        cash_type: CashType::T1,
        fee_obj: None,
        fee_acct_id: None,
        sms_code: None,
        ret_url: None,
        bg_ret_url: "https://shop.example/huifu/cb".into(),
        mer_priv: None,
        extra: Default::default(),
    }
}

fn success() -> Canned {
    Canned::json(
        json!({
            "resp_code": "C00001", "resp_desc": "处理中", "mer_cust_id": MER,
            "user_cust_id": USER, "order_id": ORDER_ID, "order_date": "20231115",
            "trans_amt": "100.00"
        })
        .to_string(),
    )
}

fn withdrawal() -> Endpoint {
    Endpoint {
        provider: PROVIDER,
        name: "withdrawal",
        method: "POST",
        path: "/api/hfpay/v1/trade/withdrawal".to_owned(),
        kind: Kind::Mutation {
            order_id: ORDER_ID.to_owned(),
        },
        success: success(),
        unsigned: None,
        wrongly_signed: None,
        bugs: Vec::new(),
        call: Arc::new(|base, transport| {
            Box::pin(async move {
                let r = client_with(config(&base), transport)
                    .withdrawal(&withdrawal_request())
                    .await?;
                assert_eq!(r.order_id.as_deref(), Some(ORDER_ID));
                assert_eq!(r.trans_amt, Some(Money::from_fen(10_000)));
                Ok(())
            })
        }),
    }
}

fn order_query() -> Endpoint {
    Endpoint {
        provider: PROVIDER,
        name: "order_query",
        method: "POST",
        path: "/api/hfpay/v1/trade/order_query".to_owned(),
        // A query: retry-safe, no order id, never `needs_query` (pay-core's one rule).
        kind: Kind::Query,
        success: success(),
        unsigned: None,
        wrongly_signed: None,
        bugs: Vec::new(),
        call: Arc::new(|base, transport| {
            Box::pin(async move {
                let r = client_with(config(&base), transport)
                    .order_query(&OrderQueryRequest {
                        user_cust_id: USER.into(),
                        order_id: ORDER_ID.into(),
                        order_date: "20231115".into(),
                        trans_type: QueryTransType::Withdrawal,
                        mer_priv: None,
                        extra: Default::default(),
                    })
                    .await?;
                assert_eq!(r.order_id.as_deref(), Some(ORDER_ID));
                Ok(())
            })
        }),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_matrix() {
    let rows = faults::run_matrix(&[withdrawal(), order_query()]).await;
    faults::check_doc(PROVIDER, &rows);
}

/// With `OAuthTokenProvider`, a gateway `401` on a withdrawal refreshes the token and sends the
/// withdrawal once more: the one resend the library makes by itself (issue 10 asks for it).
/// It is safe because the gateway rejected the first request at authentication, before any
/// business processing, and because the resend is byte-for-byte the same request (same
/// `order_id` and `order_date`, which Huifu keeps unique) so the provider can execute it at most
/// once. A second `401` is returned to the caller, never resent again.
#[tokio::test(flavor = "multi_thread")]
async fn oauth_401_on_withdrawal_is_resent_once_identically() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tok", "token_type": "Bearer", "expires_in": 7200
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/hfpay/v1/trade/withdrawal"))
        .respond_with(ResponseTemplate::new(401).set_body_string(
            r#"{"result":"error","error":{"code":"invalid_token","message":"expired"}}"#,
        ))
        .mount(&server)
        .await;
    let transport = CountingTransport::new();
    let client = client_with(
        config(&server.uri()).auth(OAuthTokenProvider::new("app-key", "app-secret").store(
            std::sync::Arc::new(huifu::oauth::MemoryTokenStore::with(
                huifu::oauth::OAuthToken {
                    access_token: "user-token".into(),
                    refresh_token: Some("rt".into()),
                    expires_at: pay_core::Timestamp::from_unix_seconds(NOW + 7200),
                    session_id: None,
                },
            )),
        )),
        transport.clone(),
    );
    let err = client.withdrawal(&withdrawal_request()).await.unwrap_err();
    let received = server.received_requests().await.unwrap();
    let withdrawals: Vec<_> = received
        .iter()
        .filter(|r| r.url.path() == "/api/hfpay/v1/trade/withdrawal")
        .collect();
    assert_eq!(
        withdrawals.len(),
        2,
        "one send and exactly one resend after the refresh"
    );
    assert_eq!(
        withdrawals[0].body, withdrawals[1].body,
        "the resend is the identical request"
    );
    assert!(
        String::from_utf8_lossy(&withdrawals[0].body).contains(ORDER_ID),
        "the same order id both times"
    );
    match &err {
        Error::Provider(p) => assert_eq!(p.code, "invalid_token"),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.order_id(), Some(ORDER_ID));
}

/// The same 401 without OAuth (the default Prism authentication) is not resent: the cell the
/// OAuth case above is measured against.
#[tokio::test(flavor = "multi_thread")]
async fn a_401_on_withdrawal_with_prism_auth_is_sent_once() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/hfpay/v1/trade/withdrawal"))
        .respond_with(ResponseTemplate::new(401).set_body_string(
            r#"{"result":"error","error":{"code":"invalid_client","message":"bad secret"}}"#,
        ))
        .mount(&server)
        .await;
    let transport = CountingTransport::new();
    let err = client_with(config(&server.uri()), transport.clone())
        .withdrawal(&withdrawal_request())
        .await
        .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(transport.calls(), 1);
    match &err {
        Error::Provider(p) => {
            assert_eq!(p.code, "invalid_client");
            assert_eq!(p.kind, pay_core::ProviderErrorKind::Unauthorized);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.order_id(), Some(ORDER_ID));
    assert!(!err.is_retry_safe() && !err.needs_query());
}

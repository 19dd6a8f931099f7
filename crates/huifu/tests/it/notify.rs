//! Callbacks: the authenticated path (unsgin + order_query), the tampered case, and the
//! explicitly unverified local decoding.

use base64::Engine;
use huifu::ConfirmedCallback;
use huifu::codes::{QueryTransType, TransStat};
use pay_core::test_util::mock_server;
use pay_core::{
    Error, InMemoryReplayGuard, IncomingNotification, Money, NotificationEvent, NotificationInbox,
    NotificationVerifier, SignatureErrorKind, TxStatus,
};
use serde_json::json;
use wiremock::matchers::{body_string_contains, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::*;

const CLAIM: &str = r#"{"resp_code":"C00000","resp_desc":"成功","mer_cust_id":"6666000000000001","user_cust_id":"6666000000000002","order_id":"20240101P1","order_date":"20240101","trans_amt":"12.30","pay_type":"10"}"#;

fn callback(json: &str) -> (String, IncomingNotification) {
    let cv = base64::engine::general_purpose::STANDARD.encode(json);
    let n = IncomingNotification::post_form(pay_core::form::encode([
        ("check_value", cv.as_str()),
        ("x", "1"),
    ]));
    (cv, n)
}

async fn gateway(claim: &str, queried_amt: &str) -> wiremock::MockServer {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/unsgin"))
        .and(body_string_contains("unsign_type=1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(claim.to_owned()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/trade/order_query"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resp_code": "C00000", "order_id": "20240101P1", "order_date": "20240101",
            "trans_amt": queried_amt, "trans_stat": "S"
        })))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn callback_is_confirmed_through_unsgin_and_order_query() {
    let server = gateway(CLAIM, "12.30").await;
    let client = client_with(config(&server));
    let (cv, n) = callback(CLAIM);
    let e = client.verify_callback(&n, None).await.unwrap();
    assert_eq!(e.order_id, "20240101P1");
    assert_eq!(e.order_date, "20240101");
    assert_eq!(e.trans_amt, Some(Money::from_fen(1230)));
    assert_eq!(e.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(e.trans_type, QueryTransType::Pay);
    assert_eq!(e.claimed.extra_str("pay_type"), Some("10"));
    let reqs = server.received_requests().await.unwrap();
    let unsign = pay_core::test_util::form_pairs(&reqs[0].body);
    assert_eq!(get(&unsign, "check_value"), Some(cv.as_str()));
    assert_eq!(get(&unsign, "mer_cust_id"), Some(MER));
    let q = pay_core::test_util::form_pairs(&reqs[1].body);
    assert_eq!(get(&q, "order_id"), Some("20240101P1"));
    assert_eq!(get(&q, "order_date"), Some("20240101"));
    assert_eq!(get(&q, "user_cust_id"), Some("6666000000000002"));
    assert_eq!(get(&q, "trans_type"), Some("01"));
}

#[tokio::test]
async fn notification_json_returns_the_confirmed_event() {
    let server = gateway(CLAIM, "12.30").await;
    let client = client_with(config(&server));
    let (_, n) = callback(CLAIM);
    let v = client.notification_json(&n).await.unwrap();
    assert_eq!(v["order_id"], "20240101P1");
    assert_eq!(v["trans_amt"], "12.30");
    assert_eq!(v["trans_stat"], "S");
    assert_eq!(v["trans_type"], "01");
    assert_eq!(v.get("callback"), None);
}

#[tokio::test]
async fn a_tampered_amount_is_rejected() {
    let forged = CLAIM.replace("12.30", "99.99");
    let server = gateway(&forged, "12.30").await;
    let client = client_with(config(&server));
    let (_, n) = callback(&forged);
    match client
        .verify_callback(&n, Some(QueryTransType::Pay))
        .await
        .unwrap_err()
    {
        Error::Signature { kind, context } => {
            assert_eq!(kind, SignatureErrorKind::Mismatch);
            assert_eq!(context.order_id(), Some("20240101P1"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn missing_check_value_sends_nothing() {
    let server = mock_server().await;
    let client = client_with(config(&server));
    let e = client
        .verify_callback(&IncomingNotification::post_form("order_id=1"), None)
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        Error::Signature {
            kind: SignatureErrorKind::Missing,
            ..
        }
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A gateway answering `unsgin` with `claim` and `order_query` with `answer`, any number of
/// times.
async fn gateway_any(claim: &str, answer: serde_json::Value) -> wiremock::MockServer {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/unsgin"))
        .respond_with(ResponseTemplate::new(200).set_body_string(claim.to_owned()))
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/trade/order_query"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_verifier_confirms_and_the_inbox_dedups_by_business_event() {
    let server = gateway_any(
        CLAIM,
        json!({"resp_code": "C00000", "order_id": "20240101P1", "mer_cust_id": MER,
            "trans_amt": "12.30", "trans_stat": "S", "platform_seq_id": "H1"}),
    )
    .await;
    let client = client_with(config(&server));
    let (_, n) = callback(CLAIM);
    assert_eq!(client.success_reply().body, "SUCCESS");
    let inbox = NotificationInbox::new(
        client.clone(),
        std::sync::Arc::new(InMemoryReplayGuard::new()),
    );
    let claimed = inbox
        .accept(&n)
        .await
        .unwrap()
        .into_new()
        .expect("a new event");
    assert_eq!(claimed.key, "huifu:payment:succeeded:20240101:20240101P1");
    let t = claimed.event.transition().unwrap();
    assert_eq!(t.status, TxStatus::Succeeded);
    assert!(t.is_final);
    assert_eq!(t.amount, Some(Money::from_fen(1230)));
    assert_eq!(t.provider_order_id.as_deref(), Some("H1"));
    client
        .expect("20240101P1", Money::from_fen(1230))
        .check(&t)
        .unwrap();
    match client.expect("20240101P1", Money::from_fen(1231)).check(&t) {
        Err(Error::Mismatch { field, .. }) => assert_eq!(field, "amount"),
        other => panic!("{other:?}"),
    }
    // claimed, not yet completed: in progress; completed: a duplicate
    assert!(matches!(
        inbox.accept(&n).await,
        Ok(pay_core::Accepted::InProgress { .. })
    ));
    inbox.complete(&claimed).await.unwrap();
    assert!(matches!(
        inbox.accept(&n).await,
        Ok(pay_core::Accepted::Duplicate { .. })
    ));
    let custom = client_with(config(&server).callback_reply("RECV_ORD_ID_X"));
    assert_eq!(custom.success_reply().body, "RECV_ORD_ID_X");
    // every accept went to the gateway: unsgin and order_query, three times each
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
}

#[tokio::test]
async fn success_without_trans_stat_is_processing_never_paid() {
    let server = gateway_any(
        CLAIM,
        json!({"resp_code": "C00000", "order_id": "20240101P1", "trans_amt": "12.30"}),
    )
    .await;
    let client = client_with(config(&server));
    let (_, n) = callback(CLAIM);
    let e = client.verify_notification(&n).await.unwrap();
    let t = e.transition().unwrap();
    assert_eq!(t.status, TxStatus::Processing);
    assert!(!t.is_final);
    assert_eq!(t.code, "C00000");
    assert_eq!(
        e.replay_key(),
        "huifu:payment:processing:20240101:20240101P1"
    );
}

#[tokio::test]
async fn another_merchant_in_the_query_is_a_mismatch() {
    let server = gateway_any(
        CLAIM,
        json!({"resp_code": "C00000", "order_id": "20240101P1", "trans_amt": "12.30",
            "trans_stat": "S", "mer_cust_id": "6666000000000999"}),
    )
    .await;
    let client = client_with(config(&server));
    let (_, n) = callback(CLAIM);
    match client.verify_notification(&n).await.unwrap_err() {
        Error::Mismatch { field, got, .. } => {
            assert_eq!(field, "mer_cust_id");
            assert_eq!(got.as_deref(), Some("6666000000000999"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_kind_endpoint_confirms_under_its_kind() {
    let server = gateway_any(
        CLAIM,
        json!({"resp_code": "C00000", "order_id": "20240101P1", "trans_amt": "12.30",
            "trans_stat": "F"}),
    )
    .await;
    let client = client_with(config(&server));
    let (_, n) = callback(CLAIM);
    let e = client
        .callbacks_of(QueryTransType::Withdrawal)
        .verify_notification(&n)
        .await
        .unwrap();
    assert_eq!(e.replay_key(), "huifu:payout:failed:20240101:20240101P1");
    let reqs = server.received_requests().await.unwrap();
    let q = pay_core::test_util::form_pairs(&reqs[1].body);
    assert_eq!(get(&q, "trans_type"), Some("03"));
}

const OPENING: &str = r#"{"resp_code":"C00000","resp_desc":"开户成功","mer_cust_id":"6666000000000001","user_cust_id":"6666000000000002","acct_id":"A6666000000000002","order_id":"20240101U1","order_date":"20240101"}"#;

#[tokio::test]
async fn an_opening_is_confirmed_by_balance_query_and_moves_no_money() {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/unsgin"))
        .respond_with(ResponseTemplate::new(200).set_body_string(OPENING.to_owned()))
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/merchant/balance_query"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resp_code": "C00000", "user_cust_id": "6666000000000002",
            "acct_balance": "0.00", "avl_balance": "0.00", "frz_balance": "0.00"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(config(&server));
    let (_, n) = callback(OPENING);
    let e = client.verify_notification(&n).await.unwrap();
    let ConfirmedCallback::Opening(o) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(o.user_cust_id, "6666000000000002");
    assert_eq!(o.acct_id.as_deref(), Some("A6666000000000002"));
    assert_eq!(e.transition(), None);
    assert_eq!(e.replay_key(), "huifu:opening:6666000000000002:20240101U1");
    assert_eq!(e.to_json().unwrap()["callback"], "opening");
    let reqs = server.received_requests().await.unwrap();
    let q = pay_core::test_util::form_pairs(&reqs[1].body);
    assert_eq!(get(&q, "user_cust_id"), Some("6666000000000002"));
    assert_eq!(get(&q, "acct_id"), Some("A6666000000000002"));
}

#[tokio::test]
async fn an_opening_of_an_unknown_user_is_refused() {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/unsgin"))
        .respond_with(ResponseTemplate::new(200).set_body_string(OPENING.to_owned()))
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/merchant/balance_query"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resp_code": "C10005", "resp_desc": "用户不存在"
        })))
        .mount(&server)
        .await;
    let client = client_with(config(&server));
    let (_, n) = callback(OPENING);
    match client.verify_notification(&n).await.unwrap_err() {
        Error::Provider(p) => {
            assert_eq!(p.code, "C10005");
            assert_eq!(p.order_id.as_deref(), Some("20240101U1"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_card_binding_is_a_typed_not_confirmable_outcome() {
    let claim = r#"{"resp_code":"C00000","user_cust_id":"6666000000000002","order_id":"20240101B1","order_date":"20240101","card_id":"100001","bank_id":"03080000"}"#;
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/unsgin"))
        .respond_with(ResponseTemplate::new(200).set_body_string(claim.to_owned()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(config(&server));
    let (_, n) = callback(claim);
    let e = client.verify_notification(&n).await.unwrap();
    assert_eq!(
        e,
        ConfirmedCallback::CardBinding(huifu::notify::CardBindingCallback {
            claimed_order_id: "20240101B1".into(),
            claimed_order_date: "20240101".into(),
        })
    );
    assert_eq!(e.transition(), None);
    assert_eq!(e.replay_key(), "huifu:card_binding:20240101:20240101B1");
    let v = e.to_json().unwrap();
    assert_eq!(v["callback"], "card_binding");
    assert_eq!(v["confirmed"], false);
    assert_eq!(v["action"], huifu::notify::CARD_BINDING_ACTION);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[cfg(feature = "test-util")]
#[tokio::test]
async fn test_util_builders_round_trip() {
    let event: huifu::HfResponse = serde_json::from_str(CLAIM).unwrap();
    let n = huifu::test_util::callback(&event);
    let server = mock_server().await;
    let client = client_with(config(&server));
    let unverified = |n: &IncomingNotification| {
        huifu::notify::decode_check_value_unverified(&huifu::notify::check_value(n).unwrap())
            .unwrap()
    };
    assert_eq!(unverified(&n), event);
    let t = huifu::test_util::tampered_callback(&event);
    assert_eq!(unverified(&t).trans_amt, Some(Money::from_fen(1231)));
    drop(client);
    let body = huifu::test_util::unsign_response_body(&event);
    assert_eq!(
        serde_json::from_str::<huifu::HfResponse>(&body).unwrap(),
        event
    );
}

/// A confirmation whose `order_query` (or `unsgin`) gets an HTML page instead of JSON: a
/// gateway fault on a read-only call (retry-safe, no query needed), never a forged callback.
#[tokio::test]
async fn an_html_page_during_confirmation_is_a_retry_safe_gateway_fault() {
    for html_on in ["order_query", "unsgin"] {
        let server = mock_server().await;
        let json_claim = ResponseTemplate::new(200).set_body_string(CLAIM.to_owned());
        let html = ResponseTemplate::new(200)
            .set_body_string("<html><body>502 Bad Gateway</body></html>")
            .insert_header("content-type", "text/html");
        Mock::given(path("/api/hfpay/v1/trade/unsgin"))
            .respond_with(if html_on == "unsgin" {
                html.clone()
            } else {
                json_claim
            })
            .mount(&server)
            .await;
        Mock::given(path("/api/hfpay/v1/trade/order_query"))
            .respond_with(html)
            .mount(&server)
            .await;
        let client = client_with(config(&server));
        let (_, n) = callback(CLAIM);
        let e = client.verify_callback(&n, None).await.unwrap_err();
        assert!(
            matches!(
                &e,
                Error::Decode { context, .. } if context.is_read_only() && context.order_id().is_none()
            ),
            "{html_on}: {e:?}"
        );
        assert!(e.is_retry_safe(), "{html_on}");
        assert!(!e.needs_query(), "{html_on}");
    }
}

//! Callbacks: the authenticated path (unsgin + order_query), the tampered case, and the
//! explicitly unverified local decoding.

use base64::Engine;
use huifu::codes::{QueryTransType, TransStat};
use pay_core::test_util::mock_server;
use pay_core::{
    Error, InMemoryReplayGuard, IncomingNotification, Money, NotificationInbox,
    NotificationVerifier, SignatureErrorKind,
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
        Error::Signature { kind, order_id, .. } => {
            assert_eq!(kind, SignatureErrorKind::Mismatch);
            assert_eq!(order_id.as_deref(), Some("20240101P1"));
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

#[tokio::test]
async fn the_sync_verifier_is_explicitly_unverified_and_replies_as_configured() {
    let server = mock_server().await;
    let client = client_with(config(&server));
    let (cv, n) = callback(CLAIM);
    let u = client.verify_notification(&n).unwrap();
    assert_eq!(u.check_value, cv);
    assert_eq!(u.claimed.trans_amt, Some(Money::from_fen(1230)));
    assert_eq!(client.success_reply().body, "SUCCESS");
    let inbox = NotificationInbox::new(
        client.clone(),
        std::sync::Arc::new(InMemoryReplayGuard::new()),
    );
    let claimed = inbox.accept(&n).await.unwrap();
    assert_eq!(claimed.key, "huifu:20240101:20240101P1:C00000");
    // claimed, not yet completed: in progress; completed: a duplicate
    assert!(matches!(
        inbox.accept(&n).await,
        Err(Error::NotificationInProgress { .. })
    ));
    inbox.complete(&claimed).await.unwrap();
    assert!(matches!(
        inbox.accept(&n).await,
        Err(Error::DuplicateNotification { .. })
    ));
    let custom = client_with(config(&server).callback_reply("RECV_ORD_ID_X"));
    assert_eq!(custom.success_reply().body, "RECV_ORD_ID_X");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[cfg(feature = "test-util")]
#[tokio::test]
async fn test_util_builders_round_trip() {
    let event: huifu::HfResponse = serde_json::from_str(CLAIM).unwrap();
    let n = huifu::test_util::callback(&event);
    let server = mock_server().await;
    let client = client_with(config(&server));
    assert_eq!(client.verify_notification(&n).unwrap().claimed, event);
    let t = huifu::test_util::tampered_callback(&event);
    assert_eq!(
        client.verify_notification(&t).unwrap().claimed.trans_amt,
        Some(Money::from_fen(1231))
    );
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
                Error::Decode {
                    read_only: true,
                    order_id: None,
                    ..
                }
            ),
            "{html_on}: {e:?}"
        );
        assert!(e.is_retry_safe(), "{html_on}");
        assert!(!e.needs_query(), "{html_on}");
    }
}

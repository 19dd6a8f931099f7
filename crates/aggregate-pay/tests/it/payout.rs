//! `/api/trans/create_order` and `/api/trans/query_order` against a mock server.

use aggregate_pay::test_util::{signed_business_error, signed_response_body};
use aggregate_pay::{
    AccountAttr, AccountType, BankCode, TransOrderRequest, TransQueryRequest, TransStatus,
};
use pay_core::test_util::mock_server;
use pay_core::transport::TransportError;
use pay_core::{Error, Money, ProviderErrorKind, SignatureErrorKind};
use serde_json::{Map, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::{client, received_params, recording, resp_key};

fn payout() -> TransOrderRequest {
    TransOrderRequest::new(
        "T20160427210604000491",
        Money::from_fen(12345),
        "http://domain/trans-notify",
        BankCode::ChinaMerchantsBank,
        "招商银行",
        AccountType::BankCard,
        "张三",
        "6225880137705555",
        "江苏",
        "南京",
    )
    .account_attr(AccountAttr::Private)
    .bank_type("308301000010")
}

fn fixture(name: &str) -> Map<String, Value> {
    let text = match name {
        "create" => include_str!("../fixtures/trans_create_order.json"),
        _ => include_str!("../fixtures/trans_query_order.json"),
    };
    serde_json::from_str(text).unwrap()
}

async fn mount(server: &wiremock::MockServer, p: &str, status: u16, body: String) {
    Mock::given(method("POST"))
        .and(path(p))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn create_payout_sends_exact_params_and_parses_the_answer() {
    let server = mock_server().await;
    mount(
        &server,
        "/api/trans/create_order",
        200,
        signed_response_body(&fixture("create"), &resp_key()).unwrap(),
    )
    .await;
    let c = client(&server.uri());
    let o = c.trans_create_order(&payout()).await.unwrap();
    assert_eq!(o.trans_order_id, "T01000020181013115051811");
    assert_eq!(
        o.mch_trans_order_no.as_deref(),
        Some("T20160427210604000491")
    );
    assert_eq!(o.mch_id.as_deref(), Some("20001222"));
    assert_eq!(o.amount, Money::from_fen(12345));
    assert_eq!(o.status, TransStatus::Transferring);
    assert_eq!(o.channel_order_no, None);
    assert_eq!(o.created_at().unwrap().unix_millis(), 1_505_049_094_262);
    assert_eq!(o.extra["gatewayHint"], "an extension field");

    let reqs = server.received_requests().await.unwrap();
    let (text, map) = received_params(&reqs[0]);
    assert_eq!(
        text,
        format!(
            concat!(
                r#"{{"mchId":"20001222","appId":"0ae8be35ff634e2abe94f5f32f6d5c4f","#,
                r#""mchTransOrderNo":"T20160427210604000491","currency":"cny","amount":"12345","#,
                r#""notifyUrl":"http://domain/trans-notify","accountAttr":"0","bankType":"308301000010","#,
                r#""bankCode":"HPT00005","bankName":"招商银行","accountType":"1","accountName":"张三","#,
                r#""accountNo":"6225880137705555","province":"江苏","city":"南京","sign":"{}"}}"#
            ),
            map["sign"].as_str().unwrap()
        )
    );
}

#[tokio::test]
async fn create_payout_failures() {
    // retCode=FAIL
    let server = mock_server().await;
    mount(
        &server,
        "/api/trans/create_order",
        200,
        r#"{"retCode":"FAIL","retMsg":"参数格式校验错误"}"#.into(),
    )
    .await;
    let c = client(&server.uri());
    match c.trans_create_order(&payout()).await.unwrap_err() {
        Error::Provider(p) => {
            assert_eq!(
                (p.code.as_str(), p.message.as_str()),
                ("FAIL", "参数格式校验错误")
            );
            assert_eq!(p.kind, ProviderErrorKind::Rejected);
            assert_eq!(p.order_id.as_deref(), Some("T20160427210604000491"));
        }
        other => panic!("{other:?}"),
    }

    // resCode=FAIL
    let server = mock_server().await;
    mount(
        &server,
        "/api/trans/create_order",
        200,
        signed_business_error("2001", "余额不足", &resp_key()).unwrap(),
    )
    .await;
    let c = client(&server.uri());
    match c.trans_create_order(&payout()).await.unwrap_err() {
        Error::Provider(p) => {
            assert_eq!((p.code.as_str(), p.message.as_str()), ("2001", "余额不足"));
        }
        other => panic!("{other:?}"),
    }

    // a bad sign: the amount was changed
    let server = mock_server().await;
    let body = signed_response_body(&fixture("create"), &resp_key())
        .unwrap()
        .replace("\"amount\":12345", "\"amount\":12346");
    mount(&server, "/api/trans/create_order", 200, body).await;
    let c = client(&server.uri());
    let e = c.trans_create_order(&payout()).await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Signature {
                kind: SignatureErrorKind::Mismatch,
                ..
            }
        ) && e.order_id() == Some("T20160427210604000491"),
        "{e:?}"
    );
    assert!(e.needs_query());

    // an HTTP error and garbage
    let server = mock_server().await;
    mount(&server, "/api/trans/create_order", 503, "busy".into()).await;
    let c = client(&server.uri());
    let e = c.trans_create_order(&payout()).await.unwrap_err();
    assert!(matches!(e, Error::HttpStatus { status: 503, .. }) && e.needs_query());
    let server = mock_server().await;
    mount(
        &server,
        "/api/trans/create_order",
        200,
        "{\"retCode\":".into(),
    )
    .await;
    let c = client(&server.uri());
    let e = c.trans_create_order(&payout()).await.unwrap_err();
    assert!(
        matches!(e, Error::Decode { .. }) && e.needs_query(),
        "{e:?}"
    );

    // a signed answer without the fields of an order
    let server = mock_server().await;
    let mut m = Map::new();
    m.insert("transOrderId".into(), "T1".into());
    mount(
        &server,
        "/api/trans/create_order",
        200,
        signed_response_body(&m, &resp_key()).unwrap(),
    )
    .await;
    let c = client(&server.uri());
    let e = c.trans_create_order(&payout()).await.unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert_eq!(e.order_id(), Some("T20160427210604000491"));
}

#[tokio::test]
async fn payout_timeout_is_unknown_outcome_and_0010_resubmits() {
    let (t, c) = recording();
    t.push_error(TransportError::io(std::io::Error::from(
        std::io::ErrorKind::ConnectionReset,
    )));
    let e = c.trans_create_order(&payout()).await.unwrap_err();
    assert!(matches!(e, Error::UnknownOutcome { .. }) && !e.is_retry_safe());
    assert_eq!(e.order_id(), Some("T20160427210604000491"));
    assert_eq!(t.requests().len(), 1);

    t.push_response(
        200,
        signed_business_error("0010", "系统错误", &resp_key()).unwrap(),
    );
    t.push_response(
        200,
        signed_response_body(&fixture("create"), &resp_key()).unwrap(),
    );
    let signed = c.sign_trans_create_order(&payout()).unwrap();
    let e = c.submit(&signed).await.unwrap_err();
    assert!(e.is_retry_safe());
    let o = c.resubmit(&signed).await.unwrap();
    assert_eq!(o.trans_order_id, "T01000020181013115051811");
    let reqs = t.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[1].body(), reqs[2].body());
    assert_eq!(reqs[0].body(), reqs[2].body());
    let dbg = format!("{signed:?}");
    assert!(!dbg.contains("6225880137705555"), "{dbg}");
}

#[tokio::test]
async fn query_payout() {
    let server = mock_server().await;
    mount(
        &server,
        "/api/trans/query_order",
        200,
        signed_response_body(&fixture("query"), &resp_key()).unwrap(),
    )
    .await;
    let c = client(&server.uri());
    let o = c
        .trans_query_order(&TransQueryRequest::by_trans_order_id(
            "T01000020181013115051811",
        ))
        .await
        .unwrap();
    assert_eq!(o.status, TransStatus::Succeeded);
    assert_eq!(
        o.app_id.as_deref(),
        Some("0ae8be35ff634e2abe94f5f32f6d5c4f")
    );
    assert_eq!(o.currency.as_deref(), Some("cny"));
    assert_eq!(o.channel_order_no.as_deref(), Some("C9988"));
    assert_eq!(o.trans_succ_at().unwrap().unix_millis(), 1_505_049_094_262);
    let reqs = server.received_requests().await.unwrap();
    let (_, map) = received_params(&reqs[0]);
    assert_eq!(map.len(), 4, "{map:?}");
    assert_eq!(map["transOrderId"], "T01000020181013115051811");

    // flat answer, merchant number as `mchOrderNo`
    let (t, c) = recording();
    let mut flat = Map::new();
    for (k, v) in [
        ("transOrderId", "T1"),
        ("mchOrderNo", "M1"),
        ("amount", "5"),
        ("status", "3"),
    ] {
        flat.insert(k.into(), Value::String(v.into()));
    }
    t.push_response(200, signed_response_body(&flat, &resp_key()).unwrap());
    t.push_response(404, "");
    let o = c
        .trans_query_order(&TransQueryRequest::by_mch_trans_order_no("M1"))
        .await
        .unwrap();
    assert_eq!(o.mch_trans_order_no.as_deref(), Some("M1"));
    assert_eq!(o.status, TransStatus::Failed);
    assert_eq!(o.amount, Money::from_fen(5));
    let e = c
        .trans_query_order(&TransQueryRequest::by_mch_trans_order_no("M1"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::HttpStatus { status: 404, .. }), "{e:?}");
    // A payout query moved no money: send it again, nothing to query.
    assert!(e.is_retry_safe() && !e.needs_query(), "{e:?}");
    assert_eq!(e.order_id(), None);
}

/// `&` and `=` in a field the gateway echoes into a signed notification or answer: refused
/// before anything is sent, naming the field.
#[tokio::test]
async fn separators_in_echoed_fields_are_refused_before_sending() {
    let (t, c) = recording();
    let cases: Vec<(&str, TransOrderRequest)> = vec![
        ("param1", payout().param1("z&mchOrderNo=BIG1")),
        ("param2", payout().param2("a=b")),
        ("mchTransOrderNo", {
            let mut p = payout();
            p.mch_trans_order_no = "T1&x".into();
            p
        }),
        ("extra.k=v", payout().extra("k=v", "1")),
    ];
    for (field, req) in cases {
        let e = c.trans_create_order(&req).await.unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { field: f, .. } if f == field),
            "{field}: {e:?}"
        );
    }
    let e = c
        .trans_query_order(&TransQueryRequest::by_mch_trans_order_no("T1=2"))
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::InvalidInput { field, .. } if field == "mchTransOrderNo"));
    assert!(t.requests().is_empty());
}

/// A reused payout number (`0011`, pay-sandbox's code) is "query it", never a plain refusal.
#[tokio::test]
async fn a_reused_payout_number_needs_a_query() {
    let server = mock_server().await;
    let c = client(&server.uri());
    Mock::given(method("POST"))
        .and(path("/api/trans/create_order"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            signed_business_error("0011", "商户代付订单号重复", &resp_key()).unwrap(),
        ))
        .mount(&server)
        .await;
    let e = c.trans_create_order(&payout()).await.unwrap_err();
    assert!(
        matches!(&e, Error::Provider(p) if p.kind == ProviderErrorKind::DuplicateOrder && p.code == "0011"),
        "{e:?}"
    );
    assert!(e.needs_query());
    assert!(!e.is_retry_safe());
    assert_eq!(e.order_id(), Some("T20160427210604000491"));
}

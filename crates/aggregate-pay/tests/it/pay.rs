//! `/api/pay/create_order` and `/api/pay/query_order` against a mock server.

use aggregate_pay::test_util::{
    signed_business_error, signed_create_order_response, signed_query_order_response,
};
use aggregate_pay::{
    CreateOrderRequest, CreateOrderResponse, PayOrder, PayParams, PayStatus, ProductId,
    QueryOrderRequest, Remitter,
};
use pay_core::test_util::mock_server;
use pay_core::transport::TransportError;
use pay_core::{Error, Extensions, Money, PaymentAction, ProviderErrorKind, SignatureErrorKind};
use serde_json::{Map, Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::{client, received_params, recording, resp_key};

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
    .extra("extra", json!({"openId": "o2RvowBf7sOVJf8kJksUEMceaDqo"}))
}

fn created(pay_url: &str) -> CreateOrderResponse {
    let mut pay_params = Map::new();
    pay_params.insert("payUrl".into(), Value::String(pay_url.into()));
    CreateOrderResponse {
        pay_order_id: "P01000020181013115051810".into(),
        pay_params: Some(PayParams {
            pay_url: Some(pay_url.into()),
            extra: Extensions::new(),
        }),
        extra: Extensions::new(),
    }
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
async fn create_order_sends_exact_params_and_parses_the_answer() {
    let server = mock_server().await;
    let body = signed_create_order_response(
        &created("POST;https://bank.example/gateway?orderId=P1&sign=ab%2Bcd&name=%E5%BC%A0"),
        &resp_key(),
    )
    .unwrap();
    mount(&server, "/api/pay/create_order", 200, body).await;
    let c = client(&server.uri());
    let resp = c.create_order(&order()).await.unwrap();
    assert_eq!(resp.pay_order_id, "P01000020181013115051810");
    assert_eq!(resp.extra["retCode"], "SUCCESS");
    assert_eq!(
        resp.action(),
        PaymentAction::FormPost {
            url: "https://bank.example/gateway".into(),
            fields: vec![
                ("orderId".into(), "P1".into()),
                ("sign".into(), "ab+cd".into()),
                ("name".into(), "张".into()),
            ],
        }
    );

    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
    let (text, map) = received_params(&reqs[0]);
    let sign = map["sign"].as_str().unwrap();
    assert_eq!(
        text,
        format!(
            concat!(
                r#"{{"mchId":"20001222","appId":"0ae8be35ff634e2abe94f5f32f6d5c4f","productId":"8001","#,
                r#""mchOrderNo":"20160427210604000490","currency":"cny","amount":"100","#,
                r#""clientIp":"210.73.10.148","device":"ios10.3.1","notifyUrl":"http://domain/notify.htm","#,
                r#""subject":"测试商品名称","body":"测试商品描述","#,
                r#""extra":"{{\"openId\":\"o2RvowBf7sOVJf8kJksUEMceaDqo\"}}","sign":"{}"}}"#
            ),
            sign
        )
    );
}

#[tokio::test]
async fn create_order_online_banking_builds_param1() {
    let (t, c) = recording();
    t.push_response(
        200,
        signed_create_order_response(&created("https://qr.example/x?a=%2525"), &resp_key())
            .unwrap(),
    );
    let mut req = order().remitter(Remitter::new("ICBC", "张三", "6222020000000000"));
    req.product_id = ProductId::OnlineBanking;
    let resp = c.create_order(&req).await.unwrap();
    assert_eq!(
        resp.action(),
        PaymentAction::Redirect {
            url: "https://qr.example/x?a=%2525".into()
        }
    );
    let sent = &t.requests()[0];
    assert_eq!(
        sent.uri().to_string(),
        "http://gw.example:3020/api/pay/create_order"
    );
    let pairs = pay_core::test_util::form_pairs(sent.body());
    let params: Map<String, Value> =
        serde_json::from_str(pay_core::test_util::form_value(&pairs, "params").unwrap()).unwrap();
    assert_eq!(params["productId"], "8000");
    assert_eq!(params["param1"], "ICBC;张三;6222020000000000");
}

#[tokio::test]
async fn create_order_failures() {
    let server = mock_server().await;
    let c = client(&server.uri());

    // retCode=FAIL: a rejected, unsigned parameter error
    mount(
        &server,
        "/api/pay/create_order",
        200,
        r#"{"retCode":"FAIL","retMsg":"签名失败"}"#.into(),
    )
    .await;
    match c.create_order(&order()).await.unwrap_err() {
        Error::Provider(p) => {
            assert_eq!(p.code, "FAIL");
            assert_eq!(p.message, "签名失败");
            assert_eq!(p.kind, ProviderErrorKind::Rejected);
            assert_eq!(p.order_id.as_deref(), Some("20160427210604000490"));
        }
        other => panic!("{other:?}"),
    }

    // SUCCESS + resCode=FAIL: a business error
    let server = mock_server().await;
    let c = client(&server.uri());
    mount(
        &server,
        "/api/pay/create_order",
        200,
        signed_business_error("1111", "余额不足", &resp_key()).unwrap(),
    )
    .await;
    match c.create_order(&order()).await.unwrap_err() {
        Error::Provider(p) => {
            assert_eq!(p.code, "1111");
            assert_eq!(p.message, "余额不足");
            assert_eq!(p.kind, ProviderErrorKind::Rejected);
        }
        other => panic!("{other:?}"),
    }

    // a bad sign
    let server = mock_server().await;
    let c = client(&server.uri());
    let body = signed_create_order_response(&created("https://x.example/"), &resp_key())
        .unwrap()
        .replace("P01000020181013115051810", "P01000020181013115051811");
    mount(&server, "/api/pay/create_order", 200, body).await;
    let e = c.create_order(&order()).await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Signature {
                kind: SignatureErrorKind::Mismatch,
                ..
            }
        ) && e.order_id() == Some("20160427210604000490"),
        "{e:?}"
    );
    assert!(e.needs_query());

    // a missing sign
    let server = mock_server().await;
    let c = client(&server.uri());
    mount(
        &server,
        "/api/pay/create_order",
        200,
        r#"{"retCode":"SUCCESS","payOrderId":"P1","payParams":{"payUrl":"https://x.example/"}}"#
            .into(),
    )
    .await;
    let e = c.create_order(&order()).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Signature {
                kind: SignatureErrorKind::Missing,
                ..
            }
        ),
        "{e:?}"
    );

    // an HTTP error
    let server = mock_server().await;
    let c = client(&server.uri());
    mount(&server, "/api/pay/create_order", 502, "bad gateway".into()).await;
    match c.create_order(&order()).await.unwrap_err() {
        Error::HttpStatus {
            status,
            body,
            context,
            ..
        } => {
            assert_eq!(status, 502);
            assert_eq!(body.as_bytes(), b"bad gateway");
            assert_eq!(context.order_id(), Some("20160427210604000490"));
        }
        other => panic!("{other:?}"),
    }

    // garbage
    let server = mock_server().await;
    let c = client(&server.uri());
    mount(
        &server,
        "/api/pay/create_order",
        200,
        "<html>oops</html>".into(),
    )
    .await;
    let e = c.create_order(&order()).await.unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert_eq!(e.order_id(), Some("20160427210604000490"));

    // an unexpected retCode
    let server = mock_server().await;
    let c = client(&server.uri());
    mount(
        &server,
        "/api/pay/create_order",
        200,
        r#"{"retCode":"WAIT"}"#.into(),
    )
    .await;
    assert!(matches!(
        c.create_order(&order()).await.unwrap_err(),
        Error::Decode { .. }
    ));

    // a repeated field (the signed and the decoded value could differ)
    let server = mock_server().await;
    let c = client(&server.uri());
    mount(
        &server,
        "/api/pay/create_order",
        200,
        r#"{"retCode":"SUCCESS","payOrderId":"P1","payOrderId":"P2","sign":"00"}"#.into(),
    )
    .await;
    assert!(matches!(
        c.create_order(&order()).await.unwrap_err(),
        Error::Decode { .. }
    ));
}

#[tokio::test]
async fn error_0010_resubmits_identical_params() {
    let (t, c) = recording();
    t.push_response(
        200,
        signed_business_error("0010", "系统错误", &resp_key()).unwrap(),
    );
    t.push_response(
        200,
        signed_create_order_response(&created("https://qr.example/"), &resp_key()).unwrap(),
    );
    let signed = c.sign_create_order(&order()).unwrap();
    assert_eq!(signed.order_id(), Some("20160427210604000490"));
    let e = c.submit(&signed).await.unwrap_err();
    assert!(e.is_retry_safe(), "{e:?}");
    match &e {
        Error::Provider(p) => {
            assert_eq!(p.code, "0010");
            assert_eq!(p.kind, ProviderErrorKind::RetrySameParams);
            assert_eq!(p.order_id.as_deref(), Some("20160427210604000490"));
        }
        other => panic!("{other:?}"),
    }
    let resp = c.resubmit(&signed).await.unwrap();
    assert_eq!(resp.pay_order_id, "P01000020181013115051810");
    let reqs = t.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body(), reqs[1].body());
    assert_eq!(reqs[0].uri(), reqs[1].uri());
    // signing the same request again gives the same bytes
    assert_eq!(
        c.sign_create_order(&order()).unwrap().params_json(),
        signed.params_json()
    );
    // the signed request's Debug does not show the parameters
    let dbg = format!("{signed:?}");
    assert!(!dbg.contains("测试") && !dbg.contains("sign\""), "{dbg}");
}

#[tokio::test]
async fn timeout_after_sending_is_unknown_outcome_and_not_resent() {
    let (t, c) = recording();
    t.push_error(TransportError::timeout(std::io::Error::from(
        std::io::ErrorKind::TimedOut,
    )));
    let e = c.create_order(&order()).await.unwrap_err();
    assert!(matches!(e, Error::UnknownOutcome { .. }), "{e:?}");
    assert_eq!(e.order_id(), Some("20160427210604000490"));
    assert_eq!(t.requests().len(), 1);
}

#[tokio::test]
async fn invalid_input_is_never_sent() {
    let (t, c) = recording();
    let mut req = order();
    req.amount = Money::ZERO;
    let e = c.create_order(&req).await.unwrap_err();
    assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "amount"));
    let bad = aggregate_pay::Client::with_transport(
        aggregate_pay::Config::new("20001222", "app", "k", "k"),
        t.clone(),
    );
    let e = bad.create_order(&order()).await.unwrap_err();
    assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "base_url"));
    assert!(t.requests().is_empty());
}

fn pay_order() -> PayOrder {
    PayOrder {
        mch_id: Some("20001222".into()),
        app_id: Some("0ae8be35ff634e2abe94f5f32f6d5c4f".into()),
        product_id: Some(ProductId::WechatQr),
        pay_order_id: "P01000020181013115051810".into(),
        mch_order_no: "20160427210604000490".into(),
        amount: Money::from_fen(100),
        currency: Some("cny".into()),
        status: PayStatus::Succeeded,
        channel_user: Some("jmdhappy@126.com".into()),
        channel_order_no: Some("wx20170910211043fb206e92260071822007".into()),
        channel_attach: Some(r#"{"bank_type":"CMB_DEBIT"}"#.into()),
        pay_succ_time: Some("1505049094262".into()),
        extra: Extensions::new(),
    }
}

#[tokio::test]
async fn query_order_reads_the_nested_result() {
    let server = mock_server().await;
    mount(
        &server,
        "/api/pay/query_order",
        200,
        signed_query_order_response(&pay_order(), &resp_key()).unwrap(),
    )
    .await;
    let c = client(&server.uri());
    let o = c
        .query_order(
            &QueryOrderRequest::by_mch_order_no("20160427210604000490").execute_notify(true),
        )
        .await
        .unwrap();
    assert_eq!(o, pay_order());
    assert_eq!(o.pay_succ_at().unwrap().unix_millis(), 1_505_049_094_262);
    let reqs = server.received_requests().await.unwrap();
    let (_, map) = received_params(&reqs[0]);
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    assert_eq!(
        keys.len(),
        5,
        "{keys:?}" // mchId, appId, mchOrderNo, executeNotify, sign
    );
    assert_eq!(map["mchOrderNo"], "20160427210604000490");
    assert_eq!(map["executeNotify"], "true");
    assert_eq!(map["mchId"], "20001222");
    assert!(map.get("payOrderId").is_none());
}

#[tokio::test]
async fn query_order_vector_body_through_the_client() {
    let v: Vec<Value> = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/aggregate-pay.json"
    )))
    .unwrap();
    let body = v
        .iter()
        .find(|v| v["name"] == "query-order-response")
        .unwrap()["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let (t, c) = recording();
    t.push_response(200, body.clone());
    let o = c
        .query_order(&QueryOrderRequest::by_pay_order_id(
            "P01000020181013115051810",
        ))
        .await
        .unwrap();
    assert_eq!(o.status, PayStatus::Succeeded);
    assert_eq!(o.amount, Money::from_fen(100));
    assert_eq!(o.mch_order_no, "20160427210604000490");
    assert_eq!(o.extra["subject"], "测试");
    // re-serialising the nested object would change its text: the raw text is what is verified
    t.push_response(200, body.replace(r#""amount":100,"#, r#""amount": 100,"#));
    let e = c
        .query_order(&QueryOrderRequest::by_pay_order_id(
            "P01000020181013115051810",
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Signature { .. }), "{e:?}");
    assert!(e.is_retry_safe() && !e.needs_query(), "{e:?}");
    assert_eq!(e.order_id(), None);
}

#[tokio::test]
async fn query_order_failures() {
    let (t, c) = recording();
    t.push_response(500, "boom");
    t.push_response(200, "not json");
    t.push_response(
        200,
        signed_business_error("0010", "系统错误", &resp_key()).unwrap(),
    );
    t.push_error(TransportError::timeout(std::io::Error::from(
        std::io::ErrorKind::TimedOut,
    )));
    let q = QueryOrderRequest::by_mch_order_no("M1");
    // A query moved no money: its failures are retry-safe, ask for no query and carry no
    // order id, even though it names the order.
    let e = c.query_order(&q).await.unwrap_err();
    assert!(matches!(e, Error::HttpStatus { status: 500, .. }), "{e:?}");
    assert!(e.is_retry_safe() && !e.needs_query(), "{e:?}");
    assert_eq!(e.order_id(), None);
    let e = c.query_order(&q).await.unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(e.is_retry_safe() && !e.needs_query(), "{e:?}");
    assert_eq!(e.order_id(), None);
    let e = c.query_order(&q).await.unwrap_err();
    assert!(
        matches!(&e, Error::Provider(p) if p.order_id.is_none()),
        "{e:?}"
    );
    assert!(e.is_retry_safe());
    let e = c.query_order(&q).await.unwrap_err();
    assert!(
        matches!(e, Error::Transport { .. }) && e.is_retry_safe(),
        "{e:?}"
    );
}

/// `&` and `=` in a field the gateway echoes into a signed notification or answer would let
/// the sign string be re-partitioned: refused before anything is sent, naming the field.
#[tokio::test]
async fn separators_in_echoed_fields_are_refused_before_sending() {
    let (t, c) = recording();
    let cases: Vec<(&str, CreateOrderRequest)> = vec![
        ("param1", order().param1("z&mchOrderNo=BIG1")),
        ("param2", order().param2("a=b")),
        ("subject", {
            let mut o = order();
            o.subject = "A&B".into();
            o
        }),
        ("body", {
            let mut o = order();
            o.body = "x=1".into();
            o
        }),
        ("mchOrderNo", {
            let mut o = order();
            o.mch_order_no = "S1&x".into();
            o
        }),
        ("device", order().device("ios&x=1")),
        ("clientIp", order().client_ip("1.2.3.4=")),
        ("extra.a=b", order().extra("a=b", "1")),
        ("extra.a&b", order().extra("a&b", "1")),
    ];
    for (field, req) in cases {
        let e = c.create_order(&req).await.unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { field: f, .. } if f == field),
            "{field}: {e:?}"
        );
    }
    for (field, req) in [
        ("mchOrderNo", QueryOrderRequest::by_mch_order_no("S1&x=1")),
        ("payOrderId", QueryOrderRequest::by_pay_order_id("P=1")),
    ] {
        let e = c.query_order(&req).await.unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { field: f, .. } if f == field),
            "{field}: {e:?}"
        );
    }
    assert!(t.requests().is_empty());
}

/// A reused order number is "query it", never a plain refusal: `0011` (pay-sandbox's code; the
/// spec names none) or a message saying so, on a money-moving call. A retry is not safe (the
/// first attempt may have gone through); on a query the same answer stays a rejection.
#[tokio::test]
async fn a_reused_order_number_needs_a_query() {
    for (code, message) in [
        ("0011", "商户订单号重复 (mchOrderNo already used)"),
        ("0011", ""),
        ("9999", "商户订单号重复"),
        ("FAIL", "订单已存在"),
    ] {
        let server = mock_server().await;
        let c = client(&server.uri());
        let body = if code == "FAIL" {
            json!({"retCode": "FAIL", "retMsg": message}).to_string()
        } else {
            signed_business_error(code, message, &resp_key()).unwrap()
        };
        mount(&server, "/api/pay/create_order", 200, body.clone()).await;
        mount(&server, "/api/pay/query_order", 200, body).await;
        let e = c.create_order(&order()).await.unwrap_err();
        assert!(
            matches!(&e, Error::Provider(p) if p.kind == ProviderErrorKind::DuplicateOrder && p.code == code),
            "{code} {message}: {e:?}"
        );
        assert!(e.needs_query(), "{code} {message}");
        assert!(!e.is_retry_safe(), "{code} {message}");
        assert_eq!(e.order_id(), Some("20160427210604000490"));
        let e = c
            .query_order(&QueryOrderRequest::by_mch_order_no("20160427210604000490"))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, Error::Provider(p) if p.kind == ProviderErrorKind::Rejected),
            "{code} {message}: {e:?}"
        );
        assert!(!e.needs_query());
    }
}

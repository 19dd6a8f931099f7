//! The money-moving endpoints in detail: exact fields, validation before sending, the outcome
//! of a timeout, a duplicate order.

use std::sync::Arc;

use pay_core::test_util::RecordingTransport;
use pay_core::{
    Error, FixedClock, Money, ProviderErrorKind, SequentialIds, Timestamp, TransportError,
};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};
use yunzhanghu::Client;
use yunzhanghu::payout::{AlipayOrder, BankCardOrder, WxpayOrder};

use crate::{ID, NOW, only_request, server_and_client};

pub(crate) fn bank_order() -> BankCardOrder {
    BankCardOrder {
        order_id: "201609010016562012987".into(),
        real_name: "张三".into(),
        card_no: "6228880199872220".into(),
        phone_no: Some("13488795491".into()),
        id_card: ID.into(),
        pay: Money::from_yuan("100000.00").unwrap(),
        anchor_id: Some("56244623".into()),
        notes: Some("n".into()),
        pay_remark: Some("十月劳务费".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn order_realtime_sends_every_field_and_reads_the_answer() {
    let (server, client) = server_and_client().await;
    Mock::given(method("POST"))
        .and(path("/api/payment/v1/order-realtime"))
        .and(header("dealer-id", "sixcn"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"code":"0000","data":{"order_id":"201609010016562012987","ref":"176826728298982","pay":"100000.00"},"message":"操作成功","request_id":"id-2"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut order = bank_order();
    order.extra.insert("project_id".into(), json!("P1"));
    let r = client.order_realtime(&order).await.unwrap();
    assert_eq!(r.order_id, "201609010016562012987");
    assert_eq!(r.reference, "176826728298982");
    assert_eq!(r.pay, Some(Money::from_fen(10_000_000)));
    assert_eq!(r.message, "操作成功");
    assert_eq!(r.request_id, "id-2");

    let got = only_request(&server).await;
    assert_eq!(got.method, "POST");
    assert_eq!(got.path, "/api/payment/v1/order-realtime");
    assert_eq!(got.dealer_id, "sixcn");
    assert_eq!(got.request_id, "id-2");
    assert_eq!(got.envelope.mess, "id-1");
    assert_eq!(got.envelope.timestamp, NOW);
    assert_eq!(
        got.plaintext,
        json!({
            "order_id": "201609010016562012987",
            "dealer_id": "sixcn",
            "broker_id": "yiyun73",
            "real_name": "张三",
            "card_no": "6228880199872220",
            "phone_no": "13488795491",
            "id_card": ID,
            "pay": "100000.00",
            "anchor_id": "56244623",
            "notes": "n",
            "pay_remark": "十月劳务费",
            "project_id": "P1",
        })
    );
}

#[tokio::test]
async fn alipay_and_wxpay_fields() {
    let (server, client) = server_and_client().await;
    for p in [
        "/api/payment/v1/order-alipay",
        "/api/payment/v1/order-wxpay",
    ] {
        Mock::given(method("POST"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_string(
                r#"{"code":"0000","data":{"pay":"1.00","ref":"176826728298982","order_id":"A1"},"message":"操作成功","request_id":"1234"}"#,
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let r = client
        .order_alipay(&AlipayOrder {
            order_id: "A1".into(),
            broker_id: Some("56244623".into()),
            real_name: "张三".into(),
            id_card: ID.into(),
            card_no: "123@sina.com".into(),
            pay: Money::from_fen(100),
            notes: Some("备注信息".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (r.pay, r.request_id.as_str()),
        (Some(Money::from_fen(100)), "1234")
    );
    client
        .order_wxpay(&WxpayOrder {
            order_id: "A1".into(),
            real_name: "张三".into(),
            id_card: ID.into(),
            openid: "wx2319u9jk231bhbhbhwad21".into(),
            pay: Money::from_fen(100),
            pay_remark: Some("".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 2);
    let a = crate::received(&reqs[0]);
    assert_eq!(a.path, "/api/payment/v1/order-alipay");
    assert_eq!(
        a.plaintext,
        json!({"order_id":"A1","dealer_id":"sixcn","broker_id":"56244623","real_name":"张三",
               "id_card":ID,"card_no":"123@sina.com","pay":"1.00","notes":"备注信息"})
    );
    let w = crate::received(&reqs[1]);
    assert_eq!(w.path, "/api/payment/v1/order-wxpay");
    assert_eq!(
        w.plaintext,
        json!({"order_id":"A1","dealer_id":"sixcn","broker_id":"yiyun73","real_name":"张三",
               "id_card":ID,"openid":"wx2319u9jk231bhbhbhwad21","pay":"1.00","pay_remark":""})
    );
    assert_eq!(
        (a.request_id.as_str(), w.request_id.as_str()),
        ("id-2", "id-4")
    );
}

fn recording() -> (Arc<RecordingTransport>, Client) {
    let t = Arc::new(RecordingTransport::new());
    let c = Client::with_transport(crate::config("http://yzh.test"), t.clone())
        .unwrap()
        .with_clock(Arc::new(FixedClock::new(Timestamp::from_unix_seconds(NOW))))
        .with_ids(Arc::new(SequentialIds::new("id-")));
    (t, c)
}

#[tokio::test]
async fn invalid_input_is_never_sent() {
    let (t, c) = recording();
    let cases: Vec<(BankCardOrder, &str)> = vec![
        (
            BankCardOrder {
                order_id: "".into(),
                ..bank_order()
            },
            "order_id",
        ),
        (
            BankCardOrder {
                pay: Money::ZERO,
                ..bank_order()
            },
            "pay",
        ),
        (
            BankCardOrder {
                id_card: "110105194912310021".into(),
                ..bank_order()
            },
            "id_card",
        ),
        (
            BankCardOrder {
                id_card: "5326123123123211".into(),
                ..bank_order()
            },
            "id_card",
        ),
        (
            BankCardOrder {
                phone_no: Some("2348879549".into()),
                ..bank_order()
            },
            "phone_no",
        ),
        (
            BankCardOrder {
                card_no: "62288801998722a0".into(),
                ..bank_order()
            },
            "card_no",
        ),
        (
            BankCardOrder {
                real_name: "".into(),
                ..bank_order()
            },
            "real_name",
        ),
        (
            BankCardOrder {
                pay_remark: Some("a-b".into()),
                ..bank_order()
            },
            "pay_remark",
        ),
        (
            BankCardOrder {
                pay_remark: Some("一二三四五六七八九十1".into()),
                ..bank_order()
            },
            "pay_remark",
        ),
        (
            BankCardOrder {
                pay_remark: Some("¥100".into()),
                ..bank_order()
            },
            "pay_remark",
        ),
        (
            BankCardOrder {
                dealer_id: Some("other".into()),
                ..bank_order()
            },
            "dealer_id",
        ),
    ];
    for (order, field) in cases {
        match c.order_realtime(&order).await {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    let mut dup = bank_order();
    dup.extra.insert("pay".into(), json!("1.00"));
    match c.order_realtime(&dup).await {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "extra.pay"),
        other => panic!("{other:?}"),
    }
    assert!(t.requests().is_empty());
}

#[tokio::test]
async fn amounts_above_a_channels_ceiling_are_never_sent() {
    let (t, c) = recording();
    let over = |yuan: &str| Money::from_fen(Money::from_yuan(yuan).unwrap().fen() + 1);
    let bank = BankCardOrder {
        pay: over("5000000.00"),
        ..bank_order()
    };
    let alipay = AlipayOrder {
        order_id: "A1".into(),
        real_name: "张三".into(),
        id_card: ID.into(),
        card_no: "123@sina.com".into(),
        pay: over("1000000.00"),
        ..Default::default()
    };
    let wechat = WxpayOrder {
        order_id: "W1".into(),
        real_name: "张三".into(),
        id_card: ID.into(),
        openid: "wx2319u9jk231bhbhbhwad21".into(),
        pay: over("4999.00"),
        ..Default::default()
    };
    let errors = [
        c.order_realtime(&bank).await.unwrap_err(),
        c.order_alipay(&alipay).await.unwrap_err(),
        c.order_wxpay(&wechat).await.unwrap_err(),
    ];
    for (e, ceiling) in errors.iter().zip(["5000000.00", "1000000.00", "4999.00"]) {
        match e {
            Error::InvalidInput { field, reason } => {
                assert_eq!(field, "pay");
                assert!(reason.contains(ceiling), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(t.requests().is_empty());
    // The ceilings themselves are allowed.
    t.push_response(200, r#"{"code":"0000","data":{"order_id":"A1","ref":"1","pay":"1000000.00"},"message":"ok","request_id":"r1"}"#);
    let at_ceiling = AlipayOrder {
        pay: Money::from_yuan("1000000.00").unwrap(),
        ..alipay
    };
    c.order_alipay(&at_ceiling).await.unwrap();
    assert_eq!(t.requests().len(), 1);
}

#[tokio::test]
async fn timeout_after_sending_is_unknown_outcome_and_not_resent() {
    let (t, c) = recording();
    t.push_error(TransportError::timeout(std::io::Error::from(
        std::io::ErrorKind::TimedOut,
    )));
    let e = c.order_realtime(&bank_order()).await.unwrap_err();
    assert!(matches!(e, Error::UnknownOutcome { .. }), "{e:?}");
    assert_eq!(e.order_id(), Some("201609010016562012987"));
    assert!(e.needs_query() && !e.is_retry_safe());
    assert_eq!(t.requests().len(), 1);
    // Refused before sending: a transport error, safe to retry.
    t.push_error(TransportError::connect(std::io::Error::from(
        std::io::ErrorKind::ConnectionRefused,
    )));
    let e = c.order_realtime(&bank_order()).await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }) && e.is_retry_safe());
}

#[tokio::test]
async fn duplicate_order_says_query_it() {
    let (t, c) = recording();
    t.push_response(
        200,
        r#"{"code":"2002","message":"已上传过该笔流水","request_id":"r9"}"#,
    );
    let e = c.order_realtime(&bank_order()).await.unwrap_err();
    match &e {
        Error::Provider(p) => {
            assert_eq!(p.code, "2002");
            assert_eq!(p.message, "已上传过该笔流水");
            assert_eq!(p.kind, ProviderErrorKind::DuplicateOrder);
            assert_eq!(p.request_id.as_deref(), Some("r9"));
            assert_eq!(p.order_id.as_deref(), Some("201609010016562012987"));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.needs_query());
    assert_eq!(
        e.to_string(),
        "provider error 2002: 已上传过该笔流水 (duplicate order: query it)"
    );
}

#[tokio::test]
async fn caller_request_id_and_debug_masking() {
    let (t, c) = recording();
    t.push_response(
        200,
        r#"{"code":"0000","data":{"order_id":"x","ref":"1","pay":"1.00"},"message":"ok"}"#,
    );
    let r = c
        .with_request_id("my-req-1")
        .order_realtime(&bank_order())
        .await
        .unwrap();
    // The provider echoed no request id: the one sent is kept.
    assert_eq!(r.request_id, "my-req-1");
    let req = &t.requests()[0];
    assert_eq!(req.headers()["request-id"], "my-req-1");
    assert_eq!(req.headers()["dealer-id"], "sixcn");
    let s = format!("{:?}", bank_order());
    for secret in ["张三", "6228880199872220", ID, "13488795491"] {
        assert!(!s.contains(secret), "{secret} in {s}");
    }
}

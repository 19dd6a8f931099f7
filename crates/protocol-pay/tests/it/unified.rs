//! `Payments` and `Payouts` on the typed endpoints.

use pay_core::{
    Error, Extra, Money, Payee, PayeeAccount, PaymentAction, PaymentRequest, Payments,
    PayoutRequest, Payouts, TxStatus,
};
use protocol_pay::test_util::{pay_in_notification, pay_out_notification};
use serde_json::json;
use wiremock::Mock;
use wiremock::matchers::path;

use crate::{OUT_REQ_NO, client, config, ok_response, received};

fn payment(extra: Extra) -> PaymentRequest {
    PaymentRequest {
        order_id: OUT_REQ_NO.into(),
        amount: Money::from_fen(100_050),
        subject: "定金".into(),
        notify_url: "https://m.example/paid".into(),
        return_url: None,
        client_ip: None,
        method: None,
        extra,
    }
}

fn extra(pairs: &[(&str, &str)]) -> Extra {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect()
}

#[tokio::test]
async fn create_and_query_payment() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(path("/api/protocol/prepay"))
        .respond_with(ok_response(r#"{"outReqNo":"LFT1001202010100001","payStatus":"UNPAID","posCode":"123456","payOrderNo":"P1","amount":"1000.50"}"#))
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let r = c
        .create_payment(&payment(extra(&[
            ("transNo", "T1"),
            ("prodCatalog", "01"),
            ("outArrivedNotifyUrl", "https://m.example/arrived"),
        ])))
        .await
        .unwrap();
    let (_, sent) = received(&server, "/api/protocol/prepay").await;
    assert_eq!(
        sent,
        json!({"transNo":"T1","outReqNo":OUT_REQ_NO,"amount":"1000.50","outSuccessNotifyUrl":"https://m.example/paid","outArrivedNotifyUrl":"https://m.example/arrived","prodCatalog":"01"})
    );
    assert_eq!(r.transition.provider, "protocol-pay");
    assert_eq!(r.transition.order_id, OUT_REQ_NO);
    assert_eq!(r.transition.provider_order_id.as_deref(), Some("P1"));
    assert_eq!(r.transition.status, TxStatus::Unpaid);
    assert_eq!(r.transition.amount, Some(Money::from_fen(100_050)));
    assert_eq!(
        r.action,
        Some(PaymentAction::Code {
            code: "123456".into()
        })
    );

    let server = pay_core::test_util::mock_server().await;
    Mock::given(path("/api/protocol/inquery"))
        .respond_with(ok_response(
            r#"{"outReqNo":"LFT1001202010100001","payStatus":"SUCCESS","arrivedStatus":"01"}"#,
        ))
        .mount(&server)
        .await;
    let r = client(&server.uri())
        .query_payment(OUT_REQ_NO)
        .await
        .unwrap();
    assert_eq!(r.status, TxStatus::Succeeded);
    assert!(r.is_final);
    assert_eq!(
        r.dedup_key(),
        "protocol-pay:payment:succeeded:LFT1001202010100001"
    );
    // The answer states no amount: unconfirmed, `None`.
    assert_eq!(r.amount, None);

    // An answer about another order, or for another amount, is refused.
    let server = pay_core::test_util::mock_server().await;
    Mock::given(path("/api/protocol/inquery"))
        .respond_with(ok_response(
            r#"{"outReqNo":"LFT1001202010100002","payStatus":"SUCCESS","arrivedStatus":"01"}"#,
        ))
        .mount(&server)
        .await;
    match client(&server.uri())
        .query_payment(OUT_REQ_NO)
        .await
        .unwrap_err()
    {
        Error::Mismatch { field, got, .. } => {
            assert_eq!(field, "order_id");
            assert_eq!(got.as_deref(), Some("LFT1001202010100002"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn payment_fields_that_cannot_be_carried() {
    let c = client("http://127.0.0.1:9");
    let field = |e: Error| match e {
        Error::InvalidInput { field, .. } => field.to_string(),
        other => panic!("{other:?}"),
    };
    let ok_extra = extra(&[("transNo", "T1"), ("prodCatalog", "01")]);
    let mut p = payment(ok_extra.clone());
    p.client_ip = Some("1.2.3.4".into());
    assert_eq!(field(c.create_payment(&p).await.unwrap_err()), "client_ip");
    let mut p = payment(ok_extra.clone());
    p.method = Some("QP".into());
    assert_eq!(field(c.create_payment(&p).await.unwrap_err()), "method");
    let mut with_unknown = ok_extra.clone();
    with_unknown.insert("foo".into(), json!("bar"));
    assert_eq!(
        field(c.create_payment(&payment(with_unknown)).await.unwrap_err()),
        "extra.foo"
    );
    assert_eq!(
        field(
            c.create_payment(&payment(extra(&[("prodCatalog", "01")])))
                .await
                .unwrap_err()
        ),
        "transNo"
    );
    assert_eq!(
        field(
            c.create_payment(&payment(extra(&[("transNo", "T1")])))
                .await
                .unwrap_err()
        ),
        "prodCatalog"
    );
}

fn payout(account: PayeeAccount, extra: Extra) -> PayoutRequest {
    PayoutRequest {
        order_id: "LFT1001202010100002".into(),
        amount: Money::from_fen(50_000),
        payee: Payee {
            name: "李四".into(),
            account,
            id_number: None,
            phone: None,
        },
        remark: Some("尾款".into()),
        notify_url: Some("https://m.example/out".into()),
        extra,
    }
}

fn card() -> PayeeAccount {
    PayeeAccount::BankCard {
        card_no: "6225880137705555".into(),
        bank_name: Some("招商银行北京海淀支行".into()),
        bank_code: Some("308100005027".into()),
        corporate: false,
    }
}

#[tokio::test]
async fn create_and_query_payout() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(path("/api/protocol/outpay"))
        .respond_with(ok_response(r#"{"outReqNo":"LFT1001202010100002","payStatus":"PROCESSING","payOrderNo":"PO2","amount":"500.00","outType":"OUT"}"#))
        .mount(&server)
        .await;
    let r = client(&server.uri())
        .create_payout(&payout(card(), extra(&[("transNo", "T1")])))
        .await
        .unwrap();
    let (_, sent) = received(&server, "/api/protocol/outpay").await;
    assert_eq!(
        sent,
        json!({"transNo":"T1","outReqNo":"LFT1001202010100002","amount":"500.00","channelType":"LFT","outNotifyUrl":"https://m.example/out","bankAccName":"李四","bankAccNum":"6225880137705555","bankName":"招商银行北京海淀支行","bankCnaps":"308100005027","outType":"OUT","remark":"尾款"})
    );
    assert_eq!(r.status, TxStatus::Processing);
    assert_eq!(r.order_id, "LFT1001202010100002");
    assert_eq!(r.provider_order_id.as_deref(), Some("PO2"));
    assert_eq!(r.amount, Some(Money::from_fen(50_000)));

    let server = pay_core::test_util::mock_server().await;
    Mock::given(path("/api/protocol/outquery"))
        .respond_with(ok_response(r#"{"outReqNo":"LFT1001202010100002","payStatus":"FAILURE","channelReturnMsg":"户名不符"}"#))
        .mount(&server)
        .await;
    let r = client(&server.uri())
        .query_payout("LFT1001202010100002")
        .await
        .unwrap();
    assert_eq!(r.status, TxStatus::Failed);
    assert_eq!(r.message.as_deref(), Some("户名不符"));
}

#[tokio::test]
async fn payout_fields_that_cannot_be_carried() {
    let c = client("http://127.0.0.1:9");
    let field = |e: Error| match e {
        Error::InvalidInput { field, .. } => field.to_string(),
        other => panic!("{other:?}"),
    };
    let t = extra(&[("transNo", "T1")]);
    let mut p = payout(card(), t.clone());
    p.payee.id_number = Some("11010519491231002X".into());
    assert_eq!(
        field(c.create_payout(&p).await.unwrap_err()),
        "payee.id_number"
    );
    let mut p = payout(card(), t.clone());
    p.payee.phone = Some("13812345678".into());
    assert_eq!(field(c.create_payout(&p).await.unwrap_err()), "payee.phone");
    let p = payout(
        PayeeAccount::Alipay {
            account: "a@b.c".into(),
        },
        t.clone(),
    );
    assert_eq!(
        field(c.create_payout(&p).await.unwrap_err()),
        "payee.account"
    );
    let mut p = payout(card(), t.clone());
    p.notify_url = None;
    assert_eq!(
        field(c.create_payout(&p).await.unwrap_err()),
        "outNotifyUrl"
    );
    let no_code = PayeeAccount::BankCard {
        card_no: "6225880137705555".into(),
        bank_name: Some("b".into()),
        bank_code: None,
        corporate: false,
    };
    assert_eq!(
        field(
            c.create_payout(&payout(no_code, t.clone()))
                .await
                .unwrap_err()
        ),
        "bankCnaps"
    );
    let no_name = PayeeAccount::BankCard {
        card_no: "6225880137705555".into(),
        bank_name: None,
        bank_code: Some("308100005027".into()),
        corporate: false,
    };
    assert_eq!(
        field(
            c.create_payout(&payout(no_name, t.clone()))
                .await
                .unwrap_err()
        ),
        "bankName"
    );
    assert_eq!(
        field(
            c.create_payout(&payout(card(), Extra::new()))
                .await
                .unwrap_err()
        ),
        "transNo"
    );
    let mut bad = t.clone();
    bad.insert("outType".into(), json!("REFUND"));
    assert_eq!(
        field(c.create_payout(&payout(card(), bad)).await.unwrap_err()),
        "extra.outType"
    );
}

#[tokio::test]
async fn unified_notifications() {
    let c = client("http://x");
    let order: protocol_pay::PayInOrder = serde_json::from_value(json!({"outReqNo": OUT_REQ_NO, "payStatus": "SUCCESS", "amount": "1.00", "payOrderNo": "P1"})).unwrap();
    let n = pay_in_notification(&config("http://x"), &order, "20201010123500000").unwrap();
    let r = c.parse_payment_notification(&n).await.unwrap();
    assert_eq!(r.status, TxStatus::Succeeded);
    assert_eq!(r.amount, Some(Money::from_fen(100)));
    assert_eq!(r.provider_order_id.as_deref(), Some("P1"));
    assert!(
        c.parse_payment_notification(&protocol_pay::test_util::tampered(&n))
            .await
            .is_err()
    );

    let out: protocol_pay::PayOutOrder = serde_json::from_value(
        json!({"outReqNo": "LFT10012", "payStatus": "FAILURE", "outType": "OUT"}),
    )
    .unwrap();
    let n = pay_out_notification(&config("http://x"), &out, "20201010123500000").unwrap();
    let r = c.parse_payout_notification(&n).await.unwrap();
    assert_eq!(r.status, TxStatus::Failed);
    assert_eq!(r.order_id, "LFT10012");
    assert!(
        c.parse_payout_notification(&protocol_pay::test_util::tampered(&n))
            .await
            .is_err()
    );
}

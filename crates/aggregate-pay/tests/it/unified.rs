//! `pay_core::Payments` and `pay_core::Payouts`.

use aggregate_pay::test_util::{
    signed_create_order_response, signed_pay_notification, signed_query_order_response,
    signed_response_body, signed_trans_notification,
};
use aggregate_pay::{CreateOrderResponse, PayOrder, PayParams, PayStatus};
use pay_core::{
    Extensions, Extra, Money, Payee, PayeeAccount, PaymentAction, PaymentRequest, Payments,
    PayoutRequest, Payouts, TxStatus,
};
use serde_json::{Map, Value};

use crate::{recording, resp_key};

#[tokio::test]
async fn payments() {
    let (t, c) = recording();
    let resp = CreateOrderResponse {
        pay_order_id: "P1".into(),
        pay_params: Some(PayParams {
            pay_url: Some("https://qr.example/p".into()),
            extra: Extensions::new(),
        }),
        extra: Extensions::new(),
    };
    t.push_response(
        200,
        signed_create_order_response(&resp, &resp_key()).unwrap(),
    );
    let order = PayOrder {
        mch_id: None,
        app_id: None,
        product_id: None,
        pay_order_id: "P1".into(),
        mch_order_no: "O1".into(),
        amount: Money::from_fen(250),
        currency: None,
        status: PayStatus::Completed,
        channel_user: None,
        channel_order_no: None,
        channel_attach: None,
        pay_succ_time: None,
        extra: Extensions::new(),
    };
    t.push_response(
        200,
        signed_query_order_response(&order, &resp_key()).unwrap(),
    );
    let mut extra = Extra::new();
    extra.insert("param2".into(), "p2".into());
    let r = c
        .create_payment(&PaymentRequest {
            order_id: "O1".into(),
            amount: Money::from_fen(250),
            subject: "s".into(),
            notify_url: "https://shop.example/n".into(),
            return_url: None,
            client_ip: None,
            method: Some("8002".into()),
            extra,
        })
        .await
        .unwrap();
    assert_eq!(r.provider, "aggregate-pay");
    assert_eq!(r.order_id, "O1");
    assert_eq!(r.provider_order_id.as_deref(), Some("P1"));
    assert_eq!(r.status, TxStatus::Unpaid);
    assert_eq!(
        r.action,
        Some(PaymentAction::Redirect {
            url: "https://qr.example/p".into()
        })
    );
    let q = c.query_payment("O1").await.unwrap();
    assert_eq!(q.status, TxStatus::Succeeded);
    assert_eq!(q.amount, Some(Money::from_fen(250)));
    let reqs = t.requests();
    let pairs = pay_core::test_util::form_pairs(reqs[0].body());
    let params: Map<String, Value> =
        serde_json::from_str(pay_core::test_util::form_value(&pairs, "params").unwrap()).unwrap();
    assert_eq!(params["productId"], "8002");
    assert_eq!(params["param2"], "p2");
    assert_eq!(params["body"], "s");
    let pairs = pay_core::test_util::form_pairs(reqs[1].body());
    let params: Map<String, Value> =
        serde_json::from_str(pay_core::test_util::form_value(&pairs, "params").unwrap()).unwrap();
    assert_eq!(params["mchOrderNo"], "O1");

    let n = aggregate_pay::PayNotification {
        pay_order_id: "P1".into(),
        mch_id: "20001222".into(),
        app_id: None,
        product_id: None,
        mch_order_no: Some("O1".into()),
        amount: Money::from_fen(250),
        status: PayStatus::Failed,
        channel_order_no: None,
        channel_attach: None,
        param1: None,
        param2: None,
        pay_succ_time: None,
        back_type: None,
        extra: Extensions::new(),
    };
    let r = c
        .parse_payment_notification(&signed_pay_notification(&n, &resp_key()).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status, TxStatus::Failed);
    assert_eq!(r.order_id, "O1");
}

#[tokio::test]
async fn payouts() {
    let (t, c) = recording();
    let mut created = Map::new();
    for (k, v) in [
        ("transOrderId", "T1"),
        ("mchTransOrderNo", "M1"),
        ("amount", "100"),
        ("status", "0"),
    ] {
        created.insert(k.into(), Value::String(v.into()));
    }
    t.push_response(200, signed_response_body(&created, &resp_key()).unwrap());
    created.insert("status".into(), "4".into());
    t.push_response(200, signed_response_body(&created, &resp_key()).unwrap());
    let mut extra = Extra::new();
    extra.insert("province".into(), "江苏".into());
    extra.insert("city".into(), "南京".into());
    extra.insert("bankType".into(), serde_json::json!(102100099996_i64));
    let req = PayoutRequest {
        order_id: "M1".into(),
        amount: Money::from_fen(100),
        payee: Payee {
            name: "某某公司".into(),
            account: PayeeAccount::BankCard {
                card_no: "1234567890123".into(),
                bank_name: Some("中国工商银行".into()),
                bank_code: Some("HPT00002".into()),
                corporate: true,
            },
            id_number: None,
            phone: None,
        },
        remark: None,
        notify_url: Some("https://shop.example/t".into()),
        extra,
    };
    let r = c.create_payout(&req).await.unwrap();
    assert_eq!(r.status, TxStatus::Processing);
    assert_eq!(r.order_id, "M1");
    assert_eq!(r.provider_order_id.as_deref(), Some("T1"));
    let q = c.query_payout("M1").await.unwrap();
    assert_eq!(q.status, TxStatus::Unknown("4".into()));
    let reqs = t.requests();
    let pairs = pay_core::test_util::form_pairs(reqs[0].body());
    let params: Map<String, Value> =
        serde_json::from_str(pay_core::test_util::form_value(&pairs, "params").unwrap()).unwrap();
    assert_eq!(params["accountAttr"], "1");
    assert_eq!(params["accountType"], "1");
    assert_eq!(params["bankCode"], "HPT00002");
    assert_eq!(params["bankType"], "102100099996");
    assert_eq!(params["accountName"], "某某公司");

    let mut bad = req.clone();
    bad.remark = Some("工资".into());
    assert!(matches!(
        c.create_payout(&bad).await.unwrap_err(),
        pay_core::Error::InvalidInput { ref field, .. } if field == "remark"
    ));
    assert_eq!(t.requests().len(), 2);

    let n = aggregate_pay::TransNotification {
        trans_order_id: "T1".into(),
        mch_id: "20001222".into(),
        mch_trans_order_no: Some("M1".into()),
        amount: Money::from_fen(100),
        status: aggregate_pay::TransStatus::Failed,
        channel_order_no: None,
        param1: None,
        param2: None,
        trans_succ_time: None,
        back_type: None,
        extra: Extensions::new(),
    };
    let r = c
        .parse_payout_notification(&signed_trans_notification(&n, &resp_key()).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status, TxStatus::Failed);
    assert_eq!(r.order_id, "M1");
    assert_eq!(Payouts::provider(&c), "aggregate-pay");
}

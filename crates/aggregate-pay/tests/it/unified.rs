//! `pay_core::Payments` and `pay_core::Payouts`.

use aggregate_pay::test_util::{
    signed_create_order_response, signed_pay_notification, signed_query_order_response,
    signed_response_body, signed_trans_notification,
};
use aggregate_pay::{CreateOrderResponse, PayOrder, PayParams, PayStatus};
use pay_core::{
    Extra, Money, Payee, PayeeAccount, PaymentAction, PaymentRequest, Payments, PayoutRequest,
    Payouts, TxStatus,
};
use serde_json::{Map, Value};

use crate::{recording, resp_key};

#[tokio::test]
async fn payments() {
    let (t, c) = recording();
    let resp =
        CreateOrderResponse::new("P1", Some(PayParams::with_pay_url("https://qr.example/p")));
    t.push_response(
        200,
        signed_create_order_response(&resp, &resp_key()).unwrap(),
    );
    let order = PayOrder::new("P1", "O1", Money::from_fen(250), PayStatus::Completed);
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
    let created = &r.transition;
    assert_eq!(created.provider, "aggregate-pay");
    assert_eq!(created.order_id, "O1");
    assert_eq!(created.provider_order_id.as_deref(), Some("P1"));
    assert_eq!(created.status, TxStatus::Unpaid);
    assert_eq!(created.code, "0");
    // The create answer states no amount: unconfirmed, not copied from the request.
    assert_eq!(created.amount, None);
    assert_eq!(
        r.action,
        Some(PaymentAction::Redirect {
            url: "https://qr.example/p".into()
        })
    );
    let q = c.query_payment("O1").await.unwrap();
    assert_eq!(q.status, TxStatus::Succeeded);
    assert_eq!(q.code, "3");
    assert!(q.is_final);
    assert_eq!(q.amount, Some(Money::from_fen(250)));
    assert_eq!(q.dedup_key(), "aggregate-pay:payment:succeeded:O1");
    let reqs = t.requests();
    let pairs = pay_core::test_util::form_pairs(reqs[0].body());
    let params: Map<String, Value> =
        serde_json::from_str(pay_core::test_util::form_value(&pairs, "params").unwrap()).unwrap();
    assert_eq!(params["productId"], 8002);
    assert_eq!(params["param2"], "p2");
    assert_eq!(params["body"], "s");
    let pairs = pay_core::test_util::form_pairs(reqs[1].body());
    let params: Map<String, Value> =
        serde_json::from_str(pay_core::test_util::form_value(&pairs, "params").unwrap()).unwrap();
    assert_eq!(params["mchOrderNo"], "O1");

    let n = aggregate_pay::PayNotification::new(
        "P1",
        "20001222",
        "O1",
        Money::from_fen(250),
        PayStatus::Failed,
    );
    let r = c
        .parse_payment_notification(&signed_pay_notification(&n, &resp_key()).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status, TxStatus::Failed);
    assert_eq!(r.order_id, "O1");
    assert!(r.is_final);
    c.expect_payment("O1", Money::from_fen(250))
        .check(&r)
        .unwrap();
    match c.expect_payment("O1", Money::from_fen(251)).check(&r) {
        Err(pay_core::Error::Mismatch {
            field,
            expected,
            got,
            ..
        }) => {
            assert_eq!(field, "amount");
            assert_eq!(&*expected, "2.51");
            assert_eq!(got.as_deref(), Some("2.50"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn answers_that_disagree_with_the_order_are_refused() {
    let (t, c) = recording();
    let order = |mch_order_no: &str, mch_id: Option<&str>, app_id: Option<&str>| {
        let mut o = PayOrder::new(
            "P1",
            mch_order_no,
            Money::from_fen(250),
            PayStatus::Succeeded,
        );
        o.mch_id = mch_id.map(Into::into);
        o.app_id = app_id.map(Into::into);
        o
    };
    let mismatch = |e: pay_core::Error| match e {
        pay_core::Error::Mismatch { field, got, .. } => (field, got.map(String::from)),
        other => panic!("{other:?}"),
    };
    // Another order than the one asked for.
    t.push_response(
        200,
        signed_query_order_response(&order("O2", None, None), &resp_key()).unwrap(),
    );
    assert_eq!(
        mismatch(c.query_payment("O1").await.unwrap_err()),
        ("order_id", Some("O2".to_owned()))
    );
    // Another merchant.
    t.push_response(
        200,
        signed_query_order_response(&order("O1", Some("999"), None), &resp_key()).unwrap(),
    );
    assert_eq!(
        mismatch(c.query_payment("O1").await.unwrap_err()),
        ("mchId", Some("999".to_owned()))
    );
    // Another app.
    t.push_response(
        200,
        signed_query_order_response(&order("O1", Some("20001222"), Some("other")), &resp_key())
            .unwrap(),
    );
    assert_eq!(
        mismatch(c.query_payment("O1").await.unwrap_err()),
        ("appId", Some("other".to_owned()))
    );
    // The right one: mchId and appId stated and equal.
    t.push_response(
        200,
        signed_query_order_response(
            &order(
                "O1",
                Some("20001222"),
                Some("0ae8be35ff634e2abe94f5f32f6d5c4f"),
            ),
            &resp_key(),
        )
        .unwrap(),
    );
    let q = c.query_payment("O1").await.unwrap();
    assert_eq!(q.status, TxStatus::Succeeded);
    assert!(!q.is_final);
    assert_eq!(q.parties[0], ("mchId", "20001222".to_owned()));
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
    assert_eq!(r.amount, Some(Money::from_fen(100)));
    let q = c.query_payout("M1").await.unwrap();
    // 4 (业务处理完成): the gateway's completion of a succeeded transfer.
    assert_eq!(q.status, TxStatus::Succeeded);
    assert!(q.is_final);
    assert_eq!(q.dedup_key(), "aggregate-pay:payout:succeeded:M1");
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

    let n = aggregate_pay::TransNotification::new(
        "T1",
        "20001222",
        "M1",
        Money::from_fen(100),
        aggregate_pay::TransStatus::Failed,
    );
    let r = c
        .parse_payout_notification(&signed_trans_notification(&n, &resp_key()).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status, TxStatus::Failed);
    assert_eq!(r.order_id, "M1");
    assert_eq!(Payouts::provider(&c), "aggregate-pay");

    // A create answer for another amount is refused, naming the field.
    let mut wrong = Map::new();
    for (k, v) in [
        ("transOrderId", "T2"),
        ("mchTransOrderNo", "M1"),
        ("amount", "10000"),
        ("status", "0"),
    ] {
        wrong.insert(k.into(), Value::String(v.into()));
    }
    t.push_response(200, signed_response_body(&wrong, &resp_key()).unwrap());
    match c.create_payout(&req).await.unwrap_err() {
        pay_core::Error::Mismatch {
            field,
            expected,
            got,
            order_id,
        } => {
            assert_eq!(field, "amount");
            assert_eq!(&*expected, "1.00");
            assert_eq!(got.as_deref(), Some("100.00"));
            assert_eq!(order_id.as_deref(), Some("M1"));
        }
        other => panic!("{other:?}"),
    }
}

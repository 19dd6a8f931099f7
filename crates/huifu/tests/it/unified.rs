//! The unified Payments / Payouts traits.

use std::sync::Arc;

use pay_core::test_util::{RecordingTransport, mock_server};
use pay_core::{
    Error, Extra, Money, Payee, PayeeAccount, PaymentRequest, Payments, PayoutRequest, Payouts,
    TxStatus,
};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, ResponseTemplate};

use crate::support::*;

fn payout(extra: Extra) -> PayoutRequest {
    PayoutRequest {
        order_id: "20240105W7".into(),
        amount: Money::from_fen(10_000),
        payee: Payee {
            name: "张三".into(),
            account: PayeeAccount::BankCard {
                card_no: "6225880137705555".into(),
                bank_name: None,
                bank_code: None,
                corporate: false,
            },
            id_number: None,
            phone: None,
        },
        remark: None,
        notify_url: Some("https://shop.example/cb".into()),
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
async fn create_and_query_payout() {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/withdrawal"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"resp_code":"C00002","order_id":"20240105W7","trans_amt":"100.00"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/trade/order_query"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"resp_code":"C00000","order_id":"20240105W7","trans_stat":"F","resp_desc":"失败","trans_amt":"100.00"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(config(&server));
    let r = client
        .create_payout(&payout(extra(&[
            ("user_cust_id", "6666000000000002"),
            ("cash_bind_card_id", "BC1"),
            ("mer_priv", "m"),
        ])))
        .await
        .unwrap();
    assert_eq!(r.status, TxStatus::Processing);
    assert!(!r.is_final);
    assert_eq!(r.code, "C00002");
    assert_eq!(r.amount, Some(Money::from_fen(10_000)));
    assert_eq!(r.dedup_key(), "huifu:payout:processing:20240105:20240105W7");
    let q = client.query_payout("20240105W7").await.unwrap();
    assert_eq!(q.status, TxStatus::Failed);
    assert!(q.is_final);
    assert_eq!(q.message.as_deref(), Some("失败"));
    let reqs = server.received_requests().await.unwrap();
    let mut form = pay_core::test_util::form_pairs(&reqs[0].body);
    form.sort();
    let expect: Vec<(String, String)> = [
        ("bg_ret_url", "https://shop.example/cb"),
        ("cash_bind_card_id", "BC1"),
        ("cash_type", "T1"),
        ("mer_cust_id", MER),
        ("mer_priv", "m"),
        ("order_date", "20240105"),
        ("order_id", "20240105W7"),
        ("trans_amt", "100.00"),
        ("user_cust_id", "6666000000000002"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(form, expect);
    let q = pay_core::test_util::form_pairs(&reqs[1].body);
    assert_eq!(get(&q, "trans_type"), Some("03"));
    assert_eq!(get(&q, "order_date"), Some("20240105"));
    assert_eq!(get(&q, "user_cust_id"), Some(MER));
}

#[tokio::test]
async fn payout_fields_huifu_cannot_carry_are_refused() {
    let t = Arc::new(RecordingTransport::new());
    let client = huifu::Client::with_transport(
        huifu::Config::builder(MER, CLIENT_ID, SECRET)
            .base_url("http://gw.example")
            .build()
            .unwrap(),
        t.clone(),
    )
    .unwrap();
    let ok = extra(&[("user_cust_id", "U"), ("cash_bind_card_id", "BC1")]);
    let field = |e: Error| match e {
        Error::InvalidInput { field, .. } => field.into_owned(),
        other => panic!("{other:?}"),
    };
    let mut r = payout(ok.clone());
    r.remark = Some("hi".into());
    assert_eq!(field(client.create_payout(&r).await.unwrap_err()), "remark");
    let mut r = payout(ok.clone());
    r.payee.phone = Some("13812345678".into());
    assert_eq!(
        field(client.create_payout(&r).await.unwrap_err()),
        "payee.phone"
    );
    let mut r = payout(ok.clone());
    r.payee.account = PayeeAccount::Alipay {
        account: "a@b.cn".into(),
    };
    assert_eq!(
        field(client.create_payout(&r).await.unwrap_err()),
        "payee.account"
    );
    let mut r = payout(ok.clone());
    r.notify_url = None;
    assert_eq!(
        field(client.create_payout(&r).await.unwrap_err()),
        "notify_url"
    );
    let mut e = ok.clone();
    e.insert("trans_amt".into(), json!("1.00"));
    assert_eq!(
        field(client.create_payout(&payout(e)).await.unwrap_err()),
        "trans_amt"
    );
    let r = payout(extra(&[("user_cust_id", "U")]));
    assert_eq!(field(client.create_payout(&r).await.unwrap_err()), "extra");
    assert!(t.requests().is_empty());
}

#[tokio::test]
async fn create_app_payment_and_quick_confirmation() {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/app_pay"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"resp_code":"C00001","order_id":"20240101P1","trans_amt":"12.30","trans_stat":"I","pay_info":"https://qr.example/x"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/trade/quick_pay"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(
                r#"{"resp_code":"C00000","order_id":"20240101Q2","trans_stat":"S"}"#,
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(config(&server));
    let mut req = PaymentRequest {
        order_id: "20240101P1".into(),
        amount: Money::from_fen(1230),
        subject: "商品".into(),
        notify_url: "https://shop.example/cb".into(),
        return_url: None,
        client_ip: None,
        method: Some("05".into()),
        extra: extra(&[("user_cust_id", "6666000000000002")]),
    };
    let r = client.create_payment(&req).await.unwrap();
    assert_eq!(r.transition.status, TxStatus::Processing);
    assert_eq!(r.transition.amount, Some(Money::from_fen(1230)));
    assert_eq!(
        r.action,
        Some(pay_core::PaymentAction::Redirect {
            url: "https://qr.example/x".into()
        })
    );
    let form = pay_core::test_util::form_pairs(&server.received_requests().await.unwrap()[0].body);
    assert_eq!(get(&form, "pay_type"), Some("05"));
    assert_eq!(get(&form, "trans_amt"), Some("12.30"));
    assert_eq!(get(&form, "goods_desc"), Some("商品"));
    assert_eq!(get(&form, "in_cust_id"), Some(MER));
    assert_eq!(get(&form, "order_date"), Some("20240101"));

    req.method = Some("quick".into());
    req.order_id = "20240101Q2".into();
    req.extra = extra(&[
        ("user_cust_id", "U2"),
        ("ori_order_id", "Q1"),
        ("ori_order_date", "20240101"),
        ("sms_code", "123456"),
    ]);
    let r = client.create_payment(&req).await.unwrap();
    assert_eq!(r.transition.status, TxStatus::Succeeded);
    // quick_pay states no amount: unconfirmed, reported as None
    assert_eq!(r.transition.amount, None);

    req.client_ip = Some("1.2.3.4".into());
    assert!(
        matches!(client.create_payment(&req).await, Err(Error::InvalidInput { ref field, .. }) if field == "client_ip")
    );
    req.client_ip = None;
    req.method = None;
    assert!(
        matches!(client.create_payment(&req).await, Err(Error::InvalidInput { ref field, .. }) if field == "method")
    );
    // A method that is neither `quick` nor a listed pay_type is refused, naming `method`.
    req.method = Some("99".into());
    assert!(
        matches!(client.create_payment(&req).await, Err(Error::InvalidInput { ref field, ref reason })
            if field == "method" && reason.starts_with("must be one of 04, 05, 10"))
    );
    // Nothing refused was sent: the two accepted calls only.
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn answers_that_disagree_with_the_order_are_refused() {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/withdrawal"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"resp_code":"C00002","order_id":"20240105W7","trans_amt":"1.00"}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/trade/order_query"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(
                r#"{"resp_code":"C00000","order_id":"20240105W8","trans_stat":"S"}"#,
            ),
        )
        .mount(&server)
        .await;
    let client = client_with(config(&server));
    let field = |e: Error| match e {
        Error::Mismatch { field, .. } => field,
        other => panic!("{other:?}"),
    };
    let e = client
        .create_payout(&payout(extra(&[
            ("user_cust_id", "6666000000000002"),
            ("cash_bind_card_id", "BC1"),
        ])))
        .await
        .unwrap_err();
    assert_eq!(field(e), "amount");
    assert_eq!(
        field(client.query_payout("20240105W7").await.unwrap_err()),
        "order_id"
    );
    // the expected order names the configured merchant
    let t = pay_core::Transition::new(&huifu::lifecycle::WITHDRAWAL, "20240105W7", "S")
        .amount(Some(Money::from_fen(10_000)));
    assert_eq!(
        field(
            client
                .expect_payout("20240105W7", Money::from_fen(10_000))
                .check(&t)
                .unwrap_err()
        ),
        "mer_cust_id"
    );
}

//! `pay_core::Payouts` on the client.

use std::sync::Arc;

use pay_core::test_util::RecordingTransport;
use pay_core::{
    Error, Extra, FixedClock, IncomingNotification, Money, Payee, PayeeAccount, PayoutRequest,
    Payouts, SequentialIds, Timestamp, TxStatus,
};
use serde_json::{Value, json};
use yunzhanghu::Client;
use yunzhanghu::sign::{self, Envelope};

use crate::{ID, NOW, keys};

fn client() -> (Arc<RecordingTransport>, Client) {
    let t = Arc::new(RecordingTransport::new());
    let c = Client::with_transport(crate::config("http://yzh.test"), t.clone())
        .unwrap()
        .with_clock(Arc::new(FixedClock::new(Timestamp::from_unix_seconds(NOW))))
        .with_ids(Arc::new(SequentialIds::new("id-")));
    (t, c)
}

fn request(account: PayeeAccount) -> PayoutRequest {
    PayoutRequest {
        order_id: "U1".into(),
        amount: Money::from_fen(12_345),
        payee: Payee {
            name: "张三".into(),
            account,
            id_number: Some(ID.into()),
            phone: None,
        },
        remark: Some("劳务费".into()),
        notify_url: None,
        extra: Extra::new(),
    }
}

fn sent(t: &RecordingTransport, i: usize) -> (String, Value) {
    let req = &t.requests()[i];
    let pairs = if req.method() == http::Method::GET {
        pay_core::form::decode(req.uri().query().unwrap().as_bytes())
    } else {
        pay_core::form::decode(req.body())
    };
    let env = Envelope::from_params(&pairs).unwrap();
    let plain = sign::open(&env, &keys()).unwrap();
    (
        req.uri().path().to_owned(),
        serde_json::from_str(&plain).unwrap(),
    )
}

const OK: &str = r#"{"code":"0000","message":"操作成功","request_id":"r","data":{"order_id":"U1","ref":"R1","pay":"123.45"}}"#;

#[tokio::test]
async fn each_account_kind_goes_to_its_endpoint() {
    let (t, c) = client();
    t.push_response(200, OK)
        .push_response(200, OK)
        .push_response(200, OK);
    let mut bank = request(PayeeAccount::BankCard {
        card_no: "6228880199872220".into(),
        bank_name: None,
        bank_code: None,
        corporate: false,
    });
    bank.payee.phone = Some("13812345678".into());
    bank.extra.insert("project_id".into(), json!("P9"));
    bank.extra.insert("anchor_id".into(), json!("A7"));
    let r = c.create_payout(&bank).await.unwrap();
    assert_eq!(r.provider, "yunzhanghu");
    assert_eq!(r.order_id, "U1");
    assert_eq!(r.provider_order_id.as_deref(), Some("R1"));
    assert_eq!(r.status, TxStatus::Processing);
    assert_eq!(r.code, "0");
    assert!(!r.is_final);
    assert_eq!(r.amount, Some(Money::from_fen(12_345)));
    let (p, body) = sent(&t, 0);
    assert_eq!(p, "/api/payment/v1/order-realtime");
    assert_eq!(
        body,
        json!({"order_id":"U1","dealer_id":"sixcn","broker_id":"yiyun73","real_name":"张三",
               "card_no":"6228880199872220","phone_no":"13812345678","id_card":ID,"pay":"123.45",
               "anchor_id":"A7","pay_remark":"劳务费","project_id":"P9"})
    );
    c.create_payout(&request(PayeeAccount::Alipay {
        account: "a@b.cn".into(),
    }))
    .await
    .unwrap();
    let (p, body) = sent(&t, 1);
    assert_eq!(p, "/api/payment/v1/order-alipay");
    assert_eq!(body["card_no"], "a@b.cn");
    c.create_payout(&request(PayeeAccount::Wechat {
        openid: "oX".into(),
    }))
    .await
    .unwrap();
    let (p, body) = sent(&t, 2);
    assert_eq!(p, "/api/payment/v1/order-wxpay");
    assert_eq!(body["openid"], "oX");
}

#[tokio::test]
async fn fields_the_provider_cannot_carry_are_rejected() {
    let (t, c) = client();
    let bank = |name: Option<&str>, corporate| {
        request(PayeeAccount::BankCard {
            card_no: "6228880199872220".into(),
            bank_name: name.map(str::to_owned),
            bank_code: None,
            corporate,
        })
    };
    let mut with_url = bank(None, false);
    with_url.notify_url = Some("https://shop.example/n".into());
    let mut no_id = bank(None, false);
    no_id.payee.id_number = None;
    let mut ali_phone = request(PayeeAccount::Alipay {
        account: "a".into(),
    });
    ali_phone.payee.phone = Some("13812345678".into());
    for (req, field) in [
        (with_url, "notify_url"),
        (bank(Some("招商银行"), false), "bank_name"),
        (bank(None, true), "corporate"),
        (no_id, "id_card"),
        (ali_phone, "phone_no"),
    ] {
        match c.create_payout(&req).await {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(t.requests().is_empty());
}

#[tokio::test]
async fn query_walks_the_channels_until_found() {
    let (t, c) = client();
    t.push_response(200, r#"{"code":"2018","message":"该笔订单不存在","request_id":"r"}"#)
        .push_response(
            200,
            r#"{"code":"0000","message":"ok","request_id":"r","data":{"order_id":"U1","pay":"1.00","status":1,"status_detail":0,"status_message":"已打款","ref":"R"}}"#,
        );
    let r = c.query_payout("U1").await.unwrap();
    assert_eq!(r.status, TxStatus::Succeeded);
    assert_eq!(r.amount, Some(Money::from_fen(100)));
    assert_eq!(r.message.as_deref(), Some("已打款"));
    assert_eq!(sent(&t, 0).1, json!({"order_id":"U1","channel":"银行卡"}));
    assert_eq!(sent(&t, 1).1, json!({"order_id":"U1","channel":"支付宝"}));
    assert_eq!(t.requests().len(), 2);
}

#[tokio::test]
async fn notification_maps_to_a_payout_result() {
    let (_t, c) = client();
    let plain = r#"{"notify_id":"n","notify_time":"2017-05-25 11:49:34","data":{"order_id":"U1","pay":"1.00","status":1,"status_detail":27,"ref":"R"}}"#;
    let e = sign::seal(plain, "m", 1, &keys());
    let n = IncomingNotification::post_form(e.to_form());
    let r = c.parse_payout_notification(&n).await.unwrap();
    assert_eq!(r.order_id, "U1");
    assert_eq!(r.status, TxStatus::Processing); // red packet not opened yet
    assert_eq!(r.code, "1/27");
    assert!(!r.is_final);
    assert_eq!(r.dedup_key(), "yunzhanghu:payout:processing:U1");
}

fn mismatch_field(r: Result<pay_core::Transition, Error>) -> (String, Option<String>) {
    match r {
        Err(Error::Mismatch { field, got, .. }) => (field.to_owned(), got.map(String::from)),
        other => panic!("{other:?}"),
    }
}

fn bank() -> PayoutRequest {
    request(PayeeAccount::BankCard {
        card_no: "6228880199872220".into(),
        bank_name: None,
        bank_code: None,
        corporate: false,
    })
}

#[tokio::test]
async fn create_answers_are_checked_and_an_unstated_amount_stays_none() {
    let (t, c) = client();
    // Another amount than the request's.
    t.push_response(
        200,
        r#"{"code":"0000","message":"ok","request_id":"r","data":{"order_id":"U1","ref":"R1","pay":"1.00"}}"#,
    );
    assert_eq!(
        mismatch_field(c.create_payout(&bank()).await),
        ("amount".into(), Some("1.00".into()))
    );
    // Another order id.
    t.push_response(
        200,
        r#"{"code":"0000","message":"ok","request_id":"r","data":{"order_id":"U2","ref":"R1","pay":"123.45"}}"#,
    );
    assert_eq!(
        mismatch_field(c.create_payout(&bank()).await),
        ("order_id".into(), Some("U2".into()))
    );
    // No `pay` in the answer: the amount is not confirmed, so it is None.
    t.push_response(
        200,
        r#"{"code":"0000","message":"ok","request_id":"r","data":{"order_id":"U1","ref":"R1"}}"#,
    );
    let r = c.create_payout(&bank()).await.unwrap();
    assert_eq!(r.amount, None);
    assert_eq!(r.provider_order_id.as_deref(), Some("R1"));
    assert_eq!(
        c.expect_payout("U1", Money::from_fen(12_345)),
        c.expect("U1", Money::from_fen(12_345))
    );
}

#[tokio::test]
async fn query_answers_naming_another_dealer_or_broker_are_refused() {
    let (t, c) = client();
    let answer = |dealer: &str, broker: &str| {
        format!(
            r#"{{"code":"0000","message":"ok","request_id":"r","data":{{"order_id":"U1","pay":"1.00","dealer_id":"{dealer}","broker_id":"{broker}","status":9,"status_detail":213}}}}"#
        )
    };
    t.push_response(200, answer("other", "yiyun73"));
    assert_eq!(
        mismatch_field(c.query_payout("U1").await),
        ("dealer_id".into(), Some("other".into()))
    );
    t.push_response(200, answer("sixcn", "b2"));
    assert_eq!(
        mismatch_field(c.query_payout("U1").await),
        ("broker_id".into(), Some("b2".into()))
    );
    // The typed query for an order sent with another broker, and a wrong amount.
    t.push_response(200, answer("sixcn", "b2"));
    let r = c
        .query_payout_expecting(&c.expect_with_broker("U1", Money::from_fen(100), "b2"))
        .await
        .unwrap();
    assert_eq!(r.status, TxStatus::Returned);
    assert!(r.is_final);
    t.push_response(200, answer("sixcn", "yiyun73"));
    assert_eq!(
        mismatch_field(
            c.query_payout_expecting(&c.expect("U1", Money::from_fen(99)))
                .await
        ),
        ("amount".into(), Some("1.00".into()))
    );
    // The right ids: the return, final.
    t.push_response(200, answer("sixcn", "yiyun73"));
    let r = c.query_payout("U1").await.unwrap();
    assert_eq!(r.dedup_key(), "yunzhanghu:payout:returned:U1");
    c.expect("U1", Money::from_fen(100)).check(&r).unwrap();
}

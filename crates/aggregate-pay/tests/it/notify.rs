//! Pay (POST) and payout (GET) notifications, valid and tampered.

use aggregate_pay::test_util::{
    signed_pay_notification, signed_trans_notification, tampered_pay_notification,
    tampered_trans_notification,
};
use aggregate_pay::{
    BackType, Notification, PayNotification, PayStatus, ProductId, TransNotification, TransStatus,
};
use pay_core::{
    Error, Extensions, InMemoryReplayGuard, IncomingNotification, Money, NotificationEvent,
    NotificationInbox, NotificationVerifier, SignatureErrorKind,
};

use crate::{client, resp_key};

fn pay_event() -> PayNotification {
    PayNotification {
        pay_order_id: "P01000020181013115051810".into(),
        mch_id: "20001222".into(),
        app_id: Some("0ae8be35ff634e2abe94f5f32f6d5c4f".into()),
        product_id: Some(ProductId::WechatQr),
        mch_order_no: "20160427210604000490".into(),
        amount: Money::from_fen(100),
        status: PayStatus::Succeeded,
        channel_order_no: Some("wx2016".into()),
        channel_attach: None,
        param1: Some("a=b&c 测".into()),
        param2: None,
        pay_succ_time: Some("1539402651000".into()),
        back_type: Some(BackType::Back),
        extra: Extensions::new(),
    }
}

fn trans_event() -> TransNotification {
    TransNotification {
        trans_order_id: "T01000020181013115051811".into(),
        mch_id: "20001222".into(),
        mch_trans_order_no: "T20160427210604000491".into(),
        amount: Money::from_fen(12345),
        status: TransStatus::Succeeded,
        channel_order_no: Some("C9988".into()),
        param1: None,
        param2: None,
        trans_succ_time: Some("Tue Nov 28 10:00:00 CST 2017".into()),
        back_type: Some(BackType::Back),
        extra: Extensions::new(),
    }
}

#[test]
fn pay_notification_round_trip_and_tamper() {
    let c = client("http://x");
    let n = signed_pay_notification(&pay_event(), &resp_key()).unwrap();
    assert_eq!(n.method, http::Method::POST);
    assert_eq!(c.verify_pay_notification(&n).unwrap(), pay_event());
    assert_eq!(
        c.verify_notification(&n).unwrap(),
        Notification::Pay(pay_event())
    );
    assert_eq!(
        pay_event().pay_succ_at().unwrap().unix_millis(),
        1_539_402_651_000
    );
    let bad = tampered_pay_notification(&pay_event(), &resp_key()).unwrap();
    assert!(matches!(
        c.verify_pay_notification(&bad).unwrap_err(),
        Error::Signature {
            kind: SignatureErrorKind::Mismatch,
            ..
        }
    ));
    // the same parameters as a form body verify too
    let form = IncomingNotification::post_form(n.query.clone());
    assert_eq!(c.verify_pay_notification(&form).unwrap(), pay_event());
    // a parameter in both the query and the body is refused
    let mut both = IncomingNotification::post_form("amount=100");
    both.query = n.query.clone();
    assert!(matches!(
        c.verify_pay_notification(&both).unwrap_err(),
        Error::Signature {
            kind: SignatureErrorKind::Malformed,
            ..
        }
    ));
    // twice in the query (the same value, or another one) is refused too
    for extra in ["&amount=100", "&amount=1", "&sign=00"] {
        let twice = IncomingNotification::new(
            http::Method::POST,
            format!("{}{extra}", n.query),
            bytes::Bytes::new(),
        );
        assert!(matches!(
            c.verify_pay_notification(&twice).unwrap_err(),
            Error::Signature {
                kind: SignatureErrorKind::Malformed,
                ..
            }
        ));
    }
    // unsigned
    let unsigned = IncomingNotification::new(
        http::Method::POST,
        "payOrderId=P1&mchId=1&amount=1&status=2",
        bytes::Bytes::new(),
    );
    assert!(matches!(
        c.verify_pay_notification(&unsigned).unwrap_err(),
        Error::Signature {
            kind: SignatureErrorKind::Missing,
            ..
        }
    ));
    // a wrong key
    let other = signed_pay_notification(&pay_event(), &"other".into()).unwrap();
    assert!(c.verify_pay_notification(&other).is_err());
    // a payout notification is not a pay notification
    let t = signed_trans_notification(&trans_event(), &resp_key()).unwrap();
    assert!(matches!(
        c.verify_pay_notification(&t).unwrap_err(),
        Error::Decode { .. }
    ));
}

/// The attack: a genuine notification for order SMALL1 whose `param1` is `z&mchOrderNo=BIG1`
/// has the sign string `…&mchId=20001222&mchOrderNo=SMALL1&param1=z&mchOrderNo=BIG1&…`, which
/// the parameters `mchId=20001222&mchOrderNo=SMALL1&param1=z`, `mchOrderNo=BIG1` (no `param1`)
/// sign exactly as well: without the check it verified as a payment of BIG1.
#[test]
fn a_genuine_notification_re_partitioned_into_another_order_is_refused() {
    let c = client("http://x");
    let mut small = pay_event();
    small.mch_order_no = "SMALL1".into();
    small.param1 = Some("z&mchOrderNo=BIG1".into());
    let genuine = signed_pay_notification(&small, &resp_key()).unwrap();
    let params = genuine.params();
    let sign = params
        .iter()
        .find(|(k, _)| k == "sign")
        .map(|(_, v)| v.clone())
        .unwrap();
    let forged_params: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "param1" && k != "sign")
        .map(|(k, v)| match k.as_str() {
            "mchId" => (k.clone(), format!("{v}&mchOrderNo=SMALL1&param1=z")),
            "mchOrderNo" => (k.clone(), "BIG1".to_owned()),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    // The same sign string, so the gateway's genuine sign matches the forged set.
    let signer = sign_md5::ParamSigner::new(crate::RESP_KEY);
    let text = |p: &[(String, String)]| {
        signer.sign_string(
            p.iter()
                .filter(|(k, _)| k != "sign")
                .map(|(k, v)| (k.as_str(), v.as_str())),
            sign_md5::SortOrder::Ascii,
        )
    };
    assert_eq!(text(&forged_params), text(&params));
    assert!(text(&params).contains("&mchOrderNo=SMALL1&param1=z&mchOrderNo=BIG1&"));
    let mut forged_query = forged_params.clone();
    forged_query.push(("sign".to_owned(), sign));
    let forged = IncomingNotification::new(
        http::Method::POST,
        pay_core::form::encode(forged_query.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        bytes::Bytes::new(),
    );
    for n in [&forged, &genuine] {
        assert!(matches!(
            c.verify_notification(n).unwrap_err(),
            Error::Signature {
                kind: SignatureErrorKind::Malformed,
                ..
            }
        ));
        assert!(matches!(
            c.notification_json(n).unwrap_err(),
            Error::Signature {
                kind: SignatureErrorKind::Malformed,
                ..
            }
        ));
    }
    // A name holding `=` or `&` is refused the same way, and so is a payout notification.
    let renamed = IncomingNotification::new(
        http::Method::POST,
        genuine.query.replacen("amount=", "amount%3D1%26x=", 1),
        bytes::Bytes::new(),
    );
    assert!(matches!(
        c.verify_notification(&renamed).unwrap_err(),
        Error::Signature {
            kind: SignatureErrorKind::Malformed,
            ..
        }
    ));
    let mut t = trans_event();
    t.param2 = Some("x&status=3".into());
    let t = signed_trans_notification(&t, &resp_key()).unwrap();
    assert!(matches!(
        c.verify_trans_notification(&t).unwrap_err(),
        Error::Signature {
            kind: SignatureErrorKind::Malformed,
            ..
        }
    ));
}

#[test]
fn trans_notification_round_trip_and_tamper() {
    let c = client("http://x");
    let n = signed_trans_notification(&trans_event(), &resp_key()).unwrap();
    assert_eq!(n.method, http::Method::GET);
    assert!(n.query.contains("mchOrderNo=T20160427210604000491"));
    assert_eq!(c.verify_trans_notification(&n).unwrap(), trans_event());
    assert_eq!(trans_event().trans_succ_at(), None);
    let bad = tampered_trans_notification(&trans_event(), &resp_key()).unwrap();
    assert!(c.verify_trans_notification(&bad).is_err());
    assert_eq!(c.success_reply().body, "success");
    assert_eq!(c.success_reply().status, 200);
}

#[test]
fn the_vectors_parse_into_typed_events() {
    let v: Vec<serde_json::Value> = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/aggregate-pay.json"
    )))
    .unwrap();
    let c = client("http://x");
    let get = |name: &str| {
        let e = v.iter().find(|e| e["name"] == name).unwrap();
        IncomingNotification::new(
            http::Method::from_bytes(e["method"].as_str().unwrap().as_bytes()).unwrap(),
            e["query"].as_str().unwrap(),
            bytes::Bytes::new(),
        )
    };
    let p = c.verify_pay_notification(&get("pay-notify")).unwrap();
    assert_eq!(p.pay_order_id, "P01000020181013115051810");
    assert_eq!(p.mch_order_no, "20160427210604000490");
    assert_eq!(p.amount, Money::from_fen(100));
    assert_eq!(p.status, PayStatus::Succeeded);
    assert_eq!(p.back_type, Some(BackType::Back));
    assert_eq!(p.param1, None);
    assert_eq!(p.extra["subject"], "测试商品 & 名称");
    assert_eq!(p.extra["channelId"], "WX_NATIVE");
    assert_eq!(p.pay_succ_at().unwrap().unix_millis(), 1_539_402_651_000);
    assert_eq!(
        p.replay_key(),
        "aggregate-pay:payment:succeeded:20160427210604000490"
    );

    let t = c.verify_trans_notification(&get("trans-notify")).unwrap();
    assert_eq!(t.trans_order_id, "T01000020181013115051811");
    assert_eq!(t.mch_trans_order_no, "T20160427210604000491");
    assert_eq!(t.amount, Money::from_fen(12345));
    assert_eq!(t.status, TransStatus::Succeeded);
    assert_eq!(
        t.trans_succ_time.as_deref(),
        Some("Tue Nov 28 10:00:00 CST 2017")
    );
    assert_eq!(
        t.replay_key(),
        "aggregate-pay:payout:succeeded:T20160427210604000491"
    );

    // Its sign verifies (the gateway's case-insensitive order), but it names no merchant
    // order: refused as undecodable, not as forged.
    match c
        .verify_pay_notification(&get("extension-field-gateway-order"))
        .unwrap_err()
    {
        Error::Decode { source, .. } => {
            assert!(source.to_string().contains("mchOrderNo"), "{source}");
        }
        other => panic!("{other:?}"),
    }

    let json = c.notification_json(&get("trans-notify")).unwrap();
    assert_eq!(json["type"], "trans");
    assert_eq!(json["mchTransOrderNo"], "T20160427210604000491");
    assert_eq!(json["amount"], 12345);
    assert_eq!(json["status"], "2");
}

#[tokio::test]
async fn inbox_processes_a_notification_once() {
    let c = client("http://x");
    let inbox = NotificationInbox::new(c, std::sync::Arc::new(InMemoryReplayGuard::new()));
    let n = signed_pay_notification(&pay_event(), &resp_key()).unwrap();
    let claimed = inbox
        .accept(&n)
        .await
        .unwrap()
        .into_new()
        .expect("a new event");
    inbox.complete(&claimed).await.unwrap();
    assert!(matches!(
        inbox.accept(&n).await.unwrap(),
        pay_core::Accepted::Duplicate { .. }
    ));
    // front and back notifications of the same status are one event
    let mut front = pay_event();
    front.back_type = Some(BackType::Front);
    let n2 = signed_pay_notification(&front, &resp_key()).unwrap();
    assert!(matches!(
        inbox.accept(&n2).await.unwrap(),
        pay_core::Accepted::Duplicate { .. }
    ));
    assert_eq!(inbox.success_reply().body, "success");
}

#[tokio::test]
async fn unified_parse_refuses_a_notification_without_the_merchant_order_number() {
    use pay_core::{Payments, Payouts};
    let c = client("http://x");
    // With the number: the unified result is keyed by it.
    let n = signed_pay_notification(&pay_event(), &resp_key()).unwrap();
    let r = c.parse_payment_notification(&n).await.unwrap();
    assert_eq!(r.order_id, "20160427210604000490");
    assert_eq!(r.amount, Some(Money::from_fen(100)));
    assert_eq!(
        r.parties,
        vec![
            ("mchId", "20001222".to_owned()),
            ("appId", "0ae8be35ff634e2abe94f5f32f6d5c4f".to_owned())
        ]
    );
    let n = signed_trans_notification(&trans_event(), &resp_key()).unwrap();
    let r = c.parse_payout_notification(&n).await.unwrap();
    assert_eq!(r.order_id, "T20160427210604000491");

    // Correctly signed, but without mchOrderNo / mchTransOrderNo (required by 2.3.2 and
    // 3.3.2): a decode error keeping what was received, never an empty order id.
    let mut pay = pay_event();
    pay.mch_order_no = String::new();
    let n = signed_pay_notification(&pay, &resp_key()).unwrap();
    assert!(!n.query.contains("mchOrderNo"), "{}", n.query);
    assert!(matches!(
        c.verify_pay_notification(&n).unwrap_err(),
        Error::Decode { .. }
    ));
    match c.parse_payment_notification(&n).await.unwrap_err() {
        Error::Decode { body, source, .. } => {
            assert!(source.to_string().contains("mchOrderNo"), "{source}");
            assert!(!body.as_bytes().is_empty());
        }
        other => panic!("{other:?}"),
    }
    let mut trans = trans_event();
    trans.mch_trans_order_no = String::new();
    let n = signed_trans_notification(&trans, &resp_key()).unwrap();
    assert_eq!(n.method, http::Method::GET);
    match c.parse_payout_notification(&n).await.unwrap_err() {
        Error::Decode { body, source, .. } => {
            assert!(source.to_string().contains("mchTransOrderNo"), "{source}");
            // A GET notification's parameters are in the query: that is what is kept.
            assert!(
                std::str::from_utf8(body.as_bytes())
                    .unwrap()
                    .contains("transOrderId=")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn paid_and_completed_notices_are_one_credit() {
    let c = client("http://x");
    let inbox = NotificationInbox::new(c, std::sync::Arc::new(InMemoryReplayGuard::new()));
    // 2 (支付成功), then 3 (业务处理完成(支付成功)) with another send time: one event.
    let paid = signed_pay_notification(&pay_event(), &resp_key()).unwrap();
    let claimed = inbox
        .accept(&paid)
        .await
        .unwrap()
        .into_new()
        .expect("a new event");
    let t = claimed.event.transition().unwrap();
    assert_eq!(
        t.dedup_key(),
        "aggregate-pay:payment:succeeded:20160427210604000490"
    );
    assert_eq!(t.status, pay_core::TxStatus::Succeeded);
    assert!(!t.is_final);
    inbox.complete(&claimed).await.unwrap();
    let mut completed = pay_event();
    completed.status = PayStatus::Completed;
    completed.pay_succ_time = Some("1539402652000".into());
    let n = signed_pay_notification(&completed, &resp_key()).unwrap();
    match inbox.accept(&n).await.unwrap() {
        pay_core::Accepted::Duplicate { key } => {
            assert_eq!(key, "aggregate-pay:payment:succeeded:20160427210604000490");
        }
        other => panic!("{other:?}"),
    }
    // A failure of the same order is another event (and a different order another key).
    let mut failed = pay_event();
    failed.status = PayStatus::Failed;
    let claimed = inbox
        .accept(&signed_pay_notification(&failed, &resp_key()).unwrap())
        .await
        .unwrap()
        .into_new()
        .expect("a new event");
    assert_eq!(
        claimed.event.replay_key(),
        "aggregate-pay:payment:failed:20160427210604000490"
    );
}

#[test]
fn a_notification_for_another_app_is_refused() {
    let c = client("http://x");
    let mut other = pay_event();
    other.app_id = Some("another-app".into());
    let n = signed_pay_notification(&other, &resp_key()).unwrap();
    match c.verify_notification(&n).unwrap_err() {
        Error::Mismatch {
            field,
            expected,
            got,
            order_id,
        } => {
            assert_eq!(field, "appId");
            assert_eq!(&*expected, "0ae8be35ff634e2abe94f5f32f6d5c4f");
            assert_eq!(got.as_deref(), Some("another-app"));
            assert_eq!(order_id.as_deref(), Some("20160427210604000490"));
        }
        other => panic!("{other:?}"),
    }
    // Without appId (as the gateway's own sample sends it): nothing to compare.
    let mut bare = pay_event();
    bare.app_id = None;
    let n = signed_pay_notification(&bare, &resp_key()).unwrap();
    assert_eq!(c.verify_pay_notification(&n).unwrap(), bare);
}

#[test]
fn a_notify_url_with_a_query_string_is_refused_before_sending() {
    use aggregate_pay::{AccountType, BankCode, CreateOrderRequest, TransOrderRequest};
    let reason_of = |e: Error| match e {
        Error::InvalidInput { field, reason } => (field.into_owned(), reason.into_owned()),
        other => panic!("{other:?}"),
    };
    let pay = |url: &str| {
        CreateOrderRequest::new("O1", ProductId::WechatQr, Money::from_fen(1), url, "s", "b")
    };
    let (field, reason) = reason_of(pay("https://shop/notify?tenant=1").validate().unwrap_err());
    assert_eq!(field, "notifyUrl");
    assert!(reason.contains("query string"), "{reason}");
    assert_eq!(
        reason_of(pay("https://shop/notify?").validate().unwrap_err()).0,
        "notifyUrl"
    );
    pay("https://shop/notify/tenant-1").validate().unwrap();
    let payout = |url: &str| {
        TransOrderRequest::new(
            "T1",
            Money::from_fen(1),
            url,
            BankCode::ChinaMerchantsBank,
            "招商银行",
            AccountType::BankCard,
            "张三",
            "6225880137705555",
            "江苏",
            "南京",
        )
    };
    assert_eq!(
        reason_of(payout("https://shop/t?x=1").validate().unwrap_err()).0,
        "notifyUrl"
    );
    payout("https://shop/t").validate().unwrap();
    assert!(aggregate_pay::check_notify_url("https://shop/t").is_ok());
}

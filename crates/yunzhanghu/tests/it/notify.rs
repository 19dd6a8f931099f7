//! The status callback: valid, tampered sign, tampered data, wrong key, flat body, string
//! timestamp, key rotation, replay.

use std::sync::Arc;

use pay_core::{
    Error, InMemoryReplayGuard, IncomingNotification, KeyRing, Money, NotificationInbox,
    NotificationVerifier, SecretKey, SignatureErrorKind, TxStatus,
};
use yunzhanghu::codes::{OrderStatus, StatusDetail};
use yunzhanghu::notify::NotifyEvent;
use yunzhanghu::sign::{self, Keys};
use yunzhanghu::{Client, Config};

use crate::{APP_KEY, DES3, keys};

const NESTED: &str = r#"{"notify_id":"N-7","notify_time":"2018-04-23 10:00:00","data":{"order_id":"O-7","pay":"12.30","status":2,"status_detail":262,"status_message":"打款失败","status_detail_message":"支付宝账号与姓名不匹配","real_name":"张三","id_card":"11010519491231002X","card_no":"123@sina.com","phone_no":"13812345678","ref":"R-7","pay_remark":"十月"}}"#;

fn client() -> Client {
    crate::client_for("http://127.0.0.1:9")
}

fn form(data: &str, mess: &str, ts: &str, sign: &str) -> IncomingNotification {
    IncomingNotification::post_form(pay_core::form::encode([
        ("data", data),
        ("mess", mess),
        ("timestamp", ts),
        ("sign", sign),
        ("sign_type", "sha256"),
    ]))
}

fn sealed(plain: &str) -> IncomingNotification {
    let e = sign::seal(plain, "m1", 1_524_448_800, &keys());
    form(&e.data, &e.mess, &e.timestamp.to_string(), &e.sign)
}

fn check_event(ev: &NotifyEvent) {
    assert_eq!(ev.notify_id, "N-7");
    assert_eq!(ev.notify_time, "2018-04-23 10:00:00");
    assert_eq!(ev.data.order_id, "O-7");
    assert_eq!(ev.data.pay, Some(Money::from_fen(1230)));
    assert_eq!(ev.data.status, OrderStatus::Failed);
    assert_eq!(
        ev.data.status_detail,
        Some(StatusDetail::AlipayNameMismatch)
    );
    assert_eq!(ev.data.reference, "R-7");
    assert_eq!(ev.data.pay_remark, "十月");
    assert_eq!(ev.data.tx_status(), TxStatus::Failed);
}

#[test]
fn valid_nested() {
    let ev = client().verify_notify(&sealed(NESTED)).unwrap();
    check_event(&ev);
    assert_eq!(ev.timestamp, 1_524_448_800);
    assert_eq!(client().success_reply().body, "success");
    assert_eq!(client().success_reply().status, 200);
}

#[test]
fn flat_body() {
    let flat = r#"{"notify_id":"N-7","notify_time":"2018-04-23 10:00:00","order_id":"O-7","pay":"12.30","status":"2","status_detail":"262","ref":"R-7","pay_remark":"十月"}"#;
    let ev = client().verify_notify(&sealed(flat)).unwrap();
    check_event(&ev);
}

#[test]
fn json_body_with_string_timestamp() {
    let e = sign::seal(NESTED, "m1", 1_524_448_800, &keys());
    let body = serde_json::json!({
        "data": e.data, "mess": e.mess, "timestamp": "1524448800", "sign": e.sign, "sign_type": "sha256"
    })
    .to_string();
    let ev = client()
        .verify_notify(&IncomingNotification::post_json(body))
        .unwrap();
    check_event(&ev);
    // and as a number
    let body = serde_json::json!({
        "data": e.data, "mess": e.mess, "timestamp": 1_524_448_800, "sign": e.sign, "sign_type": "sha256"
    })
    .to_string();
    check_event(
        &client()
            .verify_notify(&IncomingNotification::post_json(body))
            .unwrap(),
    );
}

fn sig_kind(r: Result<NotifyEvent, Error>) -> SignatureErrorKind {
    match r {
        Err(Error::Signature { kind, .. }) => kind,
        other => panic!("expected a signature error, got {other:?}"),
    }
}

#[test]
fn tampered_sign() {
    let e = sign::seal(NESTED, "m1", 1_524_448_800, &keys());
    let mut s = e.sign.clone();
    let last = if s.ends_with('0') { '1' } else { '0' };
    s.pop();
    s.push(last);
    assert_eq!(
        sig_kind(client().verify_notify(&form(&e.data, "m1", "1524448800", &s))),
        SignatureErrorKind::Mismatch
    );
    assert_eq!(
        sig_kind(client().verify_notify(&form(&e.data, "m1", "1524448800", ""))),
        SignatureErrorKind::Missing
    );
    assert_eq!(
        sig_kind(client().verify_notify(&form(&e.data, "m1", "1524448800", "zz"))),
        SignatureErrorKind::Malformed
    );
    // Timestamp and mess are signed too.
    assert_eq!(
        sig_kind(client().verify_notify(&form(&e.data, "m1", "1524448801", &e.sign))),
        SignatureErrorKind::Mismatch
    );
    assert_eq!(
        sig_kind(client().verify_notify(&form(&e.data, "m2", "1524448800", &e.sign))),
        SignatureErrorKind::Mismatch
    );
}

#[test]
fn tampered_data() {
    let e = sign::seal(NESTED, "m1", 1_524_448_800, &keys());
    // Swap in another valid ciphertext under the old sign.
    let other = keys().encrypt(NESTED.replace("12.30", "99.99").as_bytes());
    assert_ne!(other, e.data);
    assert_eq!(
        sig_kind(client().verify_notify(&form(&other, "m1", "1524448800", &e.sign))),
        SignatureErrorKind::Mismatch
    );
}

#[test]
fn wrong_keys() {
    // Wrong app key: the sign fails, nothing is decrypted.
    let other_app = Keys::new("another-app-key", &SecretKey::new(DES3)).unwrap();
    let e = sign::seal(NESTED, "m1", 1_524_448_800, &other_app);
    assert_eq!(
        sig_kind(client().verify_notify(&form(&e.data, "m1", "1524448800", &e.sign))),
        SignatureErrorKind::Mismatch
    );
    // Right app key, wrong 3DES key: the sign holds but the data does not decrypt.
    let other_des = Keys::new(APP_KEY, &SecretKey::new("0123456789abcdefghijklmn")).unwrap();
    let e = sign::seal(NESTED, "m1", 1_524_448_800, &other_des);
    match client().verify_notify(&form(&e.data, "m1", "1524448800", &e.sign)) {
        Err(Error::Decrypt { .. }) => {}
        // A wrong key may by chance leave valid padding: then the text is not JSON.
        Err(Error::Decode { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn previous_app_key_is_accepted_during_rotation() {
    let old = Keys::new("old-app-key", &SecretKey::new(DES3)).unwrap();
    let e = sign::seal(NESTED, "m1", 1_524_448_800, &old);
    let n = form(&e.data, "m1", "1524448800", &e.sign);
    let rotating = Client::with_transport(
        Config::new(
            "sixcn",
            "b",
            KeyRing::new(SecretKey::new(APP_KEY)).with_previous(SecretKey::new("old-app-key")),
            DES3,
        ),
        Arc::new(pay_core::test_util::RecordingTransport::new()),
    );
    check_event(&rotating.verify_notify(&n).unwrap());
    assert!(client().verify_notify(&n).is_err());
}

#[test]
fn garbage_bodies_are_errors() {
    assert_eq!(
        sig_kind(client().verify_notify(&IncomingNotification::post_form("hello=1"))),
        SignatureErrorKind::Missing
    );
    assert!(matches!(
        client().verify_notify(&IncomingNotification::post_json("{not json")),
        Err(Error::Decode { .. })
    ));
    // A signed plaintext that is not an order.
    assert!(matches!(
        client().verify_notify(&sealed(r#"{"notify_id":"1","data":5}"#)),
        Err(Error::Decode { .. })
    ));
}

#[tokio::test]
async fn inbox_dedups_by_transition_not_by_notify_id() {
    let inbox = NotificationInbox::new(client(), Arc::new(InMemoryReplayGuard::new()));
    let n = sealed(NESTED);
    let claimed = inbox
        .accept(&n)
        .await
        .unwrap()
        .into_new()
        .expect("a new event");
    assert_eq!(claimed.key, "yunzhanghu:payout:failed:O-7");
    assert_eq!(
        pay_core::NotificationEvent::transition(&claimed.event).map(|t| t.is_final),
        Some(true)
    );
    inbox.complete(&claimed).await.unwrap();
    assert!(matches!(
        inbox.accept(&n).await,
        Ok(pay_core::Accepted::Duplicate { key }) if key == "yunzhanghu:payout:failed:O-7"
    ));
    // The same transition resent under a new notify_id is the same event.
    let resent = sealed(&NESTED.replace("N-7", "N-8"));
    assert!(matches!(
        inbox.accept(&resent).await,
        Ok(pay_core::Accepted::Duplicate { key }) if key == "yunzhanghu:payout:failed:O-7"
    ));
}

const PAID: &str = r#"{"notify_id":"N-1","notify_time":"2018-04-23 10:00:00","data":{"order_id":"O-1","pay":"12.30","dealer_id":"sixcn","broker_id":"yiyun73","status":1,"status_detail":0,"status_message":"已打款","ref":"R-1"}}"#;

#[tokio::test]
async fn a_return_after_the_payment_is_a_new_final_event() {
    let inbox = NotificationInbox::new(client(), Arc::new(InMemoryReplayGuard::new()));
    let paid = inbox
        .accept(&sealed(PAID))
        .await
        .unwrap()
        .into_new()
        .expect("a new event");
    let t = pay_core::NotificationEvent::transition(&paid.event).unwrap();
    assert_eq!(t.status, TxStatus::Succeeded);
    assert!(!t.is_final);
    assert_eq!(t.amount, Some(Money::from_fen(1230)));
    client()
        .expect("O-1", Money::from_fen(1230))
        .check(&t)
        .unwrap();
    inbox.complete(&paid).await.unwrap();
    let returned_plain = PAID.replace("N-1", "N-2").replace(
        r#""status":1,"status_detail":0"#,
        r#""status":9,"status_detail":213"#,
    );
    let returned = inbox
        .accept(&sealed(&returned_plain))
        .await
        .unwrap()
        .into_new()
        .expect("a new event");
    assert_eq!(returned.key, "yunzhanghu:payout:returned:O-1");
    let t = pay_core::NotificationEvent::transition(&returned.event).unwrap();
    assert_eq!(t.status, TxStatus::Returned);
    assert!(t.is_final);
    assert_eq!(t.code, "9");
}

#[test]
fn another_dealer_or_a_wrong_amount_is_a_mismatch() {
    let other = PAID.replace(r#""dealer_id":"sixcn""#, r#""dealer_id":"other""#);
    match client().verify_notify(&sealed(&other)) {
        Err(Error::Mismatch {
            field,
            expected,
            got,
            order_id,
        }) => {
            assert_eq!(field, "dealer_id");
            assert_eq!(&*expected, "sixcn");
            assert_eq!(got.as_deref(), Some("other"));
            assert_eq!(order_id.as_deref(), Some("O-1"));
        }
        other => panic!("{other:?}"),
    }
    let t = client()
        .verify_notify(&sealed(PAID))
        .unwrap()
        .data
        .transition();
    let c = client();
    match c.expect("O-1", Money::from_fen(1200)).check(&t) {
        Err(Error::Mismatch { field, .. }) => assert_eq!(field, "amount"),
        other => panic!("{other:?}"),
    }
    match c
        .expect_with_broker("O-1", Money::from_fen(1230), "b2")
        .check(&t)
    {
        Err(Error::Mismatch { field, .. }) => assert_eq!(field, "broker_id"),
        other => panic!("{other:?}"),
    }
    // A notification that names no amount is not confirmed: strictly, a mismatch.
    let bare = client()
        .verify_notify(&sealed(&PAID.replace(r#""pay":"12.30","#, "")))
        .unwrap()
        .data
        .transition();
    assert_eq!(bare.amount, None);
    match c.expect("O-1", Money::from_fen(1230)).check(&bare) {
        Err(Error::Mismatch { field, got, .. }) => {
            assert_eq!(field, "amount");
            assert_eq!(got, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn debug_masks_personal_data() {
    let ev = client().verify_notify(&sealed(NESTED)).unwrap();
    let s = format!("{ev:?}");
    for secret in ["张三", "11010519491231002X", "13812345678", "123@sina.com"] {
        assert!(!s.contains(secret), "{secret} in {s}");
    }
    let json = client().notification_json(&sealed(NESTED)).unwrap();
    assert_eq!(json["notify_id"], "N-7");
    assert_eq!(json["data"]["status"], 2);
    assert_eq!(json["data"]["status_detail"], 262);
    assert_eq!(json["data"]["pay"], "12.30");
    assert_eq!(json["data"]["ref"], "R-7");
}

#[cfg(feature = "test-util")]
#[test]
fn test_util_builders_round_trip() {
    use yunzhanghu::query::OrderDetail;
    use yunzhanghu::test_util;
    let config = crate::config("http://127.0.0.1:9");
    let event = NotifyEvent {
        notify_id: "N1".into(),
        notify_time: "2017-05-25 11:49:34".into(),
        data: OrderDetail {
            order_id: "O1".into(),
            status: OrderStatus::Paid,
            status_detail: Some(StatusDetail::Success),
            pay: Some(Money::from_fen(100)),
            ..Default::default()
        },
        ..Default::default()
    };
    let n = test_util::signed_notification(&config, &event, "m", 5).unwrap();
    let got = client().verify_notify(&n).unwrap();
    assert_eq!(got.data, event.data);
    assert_eq!(got.notify_id, "N1");
    let bad = test_util::tampered_notification(&config, &event, "m", 5).unwrap();
    assert_eq!(
        sig_kind(client().verify_notify(&bad)),
        SignatureErrorKind::Mismatch
    );
}

/// A parameter given twice (twice in the form, in the query and the body, or a JSON key twice)
/// is refused as malformed: before, the first copy was read, so a second parser in the
/// merchant's stack could read another (genuinely signed) envelope.
#[test]
fn repeated_parameters_are_malformed() {
    let c = client();
    let a = sign::seal(NESTED, "m1", 1_524_448_800, &keys());
    let other = NESTED.replace("O-7", "O-8");
    let b = sign::seal(&other, "m1", 1_524_448_801, &keys());
    let fields = |e: &sign::Envelope| {
        vec![
            ("data".to_owned(), e.data.clone()),
            ("mess".to_owned(), e.mess.clone()),
            ("timestamp".to_owned(), e.timestamp.to_string()),
            ("sign".to_owned(), e.sign.clone()),
        ]
    };
    let enc = |p: &[(String, String)]| {
        pay_core::form::encode(p.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    };
    let malformed = |n: &IncomingNotification| {
        matches!(
            c.verify_notify(n),
            Err(Error::Signature {
                kind: SignatureErrorKind::Malformed,
                ..
            })
        )
    };
    // each alone verifies
    let only_a = IncomingNotification::post_form(enc(&fields(&a)));
    assert_eq!(c.verify_notify(&only_a).unwrap().data.order_id, "O-7");
    // both envelopes in one form body
    let mut twice = fields(&a);
    twice.extend(fields(&b));
    assert!(malformed(&IncomingNotification::post_form(enc(&twice))));
    // one in the query, the other in the body
    let mut split = IncomingNotification::post_form(enc(&fields(&a)));
    split.query = enc(&fields(&b));
    assert!(malformed(&split));
    // the same value twice is still refused
    let mut same = fields(&a);
    same.push(("mess".to_owned(), a.mess.clone()));
    assert!(malformed(&IncomingNotification::post_form(enc(&same))));
    // a JSON body repeating a key, or with the key in the query too
    let json = |extra: &str| {
        format!(
            r#"{{"data":"{}","mess":"{}","timestamp":{},"sign":"{}"{extra}}}"#,
            a.data, a.mess, a.timestamp, a.sign
        )
    };
    let ok = IncomingNotification::post_json(json(""));
    assert_eq!(c.verify_notify(&ok).unwrap().data.order_id, "O-7");
    let dup = IncomingNotification::post_json(json(&format!(r#","data":"{}""#, b.data)));
    assert!(malformed(&dup));
    let mut in_query = IncomingNotification::post_json(json(""));
    in_query.query = enc(&fields(&b));
    assert!(malformed(&in_query));
}

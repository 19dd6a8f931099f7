//! The three notifications, valid and tampered, the replies, and the replay key.

use std::sync::Arc;

use pay_core::{
    Error, InMemoryReplayGuard, IncomingNotification, Money, NotificationEvent, NotificationInbox,
    NotificationVerifier, SignatureErrorKind,
};
use protocol_pay::test_util::{
    pay_in_notification, pay_out_notification, signed_notification, tampered,
};
use protocol_pay::*;
use serde_json::json;

use crate::{APP, KEY, OUT_REQ_NO, client, config};

fn pay_in(status: &str, arrived: &str) -> PayInOrder {
    serde_json::from_value(json!({
        "transNo": "T1", "appId": APP, "channelType": "LFT", "amount": "1000.50",
        "outReqNo": OUT_REQ_NO, "posCode": "123456", "payOrderNo": "P1",
        "payStatus": status, "arrivedStatus": arrived, "cardNum": "6225880137705555",
        "payFinishTime": "2020-10-10 12:31:00", "cashierType": "POS"
    }))
    .unwrap()
}

fn pay_out(status: &str) -> PayOutOrder {
    serde_json::from_value(json!({
        "transNo": "T1", "appId": APP, "amount": "500.00", "outReqNo": "LFT1001202010100002",
        "payOrderNo": "PO2", "bankAccName": "李四", "bankAccNum": "6225880137705555",
        "bankName": "招行", "bankCnaps": "308100005027", "outType": "REFUND", "payStatus": status
    }))
    .unwrap()
}

const TS: &str = "20201010123500000";

#[test]
fn pay_result_notification() {
    let c = client("http://x");
    let n = pay_in_notification(&config("http://x"), &pay_in("SUCCESS", "01"), TS).unwrap();
    let ev = c.verify_notification(&n).unwrap();
    assert_eq!(ev.kind, NotificationKind::PayResult);
    assert_eq!(ev.timestamp.as_deref(), Some(TS));
    assert_eq!(ev.out_req_no(), OUT_REQ_NO);
    assert_eq!(ev.pay_status(), &PayStatus::Success);
    let o = ev.pay_in().unwrap();
    assert_eq!(o.amount, Some(Money::from_fen(100_050)));
    assert_eq!(o.arrived_status, Some(ArrivedStatus::NotArrived));
    assert_eq!(o.pay_order_no.as_deref(), Some("P1"));
    assert_eq!(
        ev.replay_key(),
        "protocol-pay:payment:succeeded:LFT1001202010100001"
    );
    let t = ev.transition().unwrap();
    assert_eq!(t.amount, Some(Money::from_fen(100_050)));
    assert!(t.is_final);
    assert_eq!(ev.sent_at().unwrap().unix_millis(), 1_602_304_500_000);
    assert!(ev.pay_out().is_none());
    let err = c.verify_notification(&tampered(&n)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Signature {
                kind: SignatureErrorKind::Mismatch,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn funds_arrived_notification() {
    let c = client("http://x");
    let n = pay_in_notification(&config("http://x"), &pay_in("SUCCESS", "02"), TS).unwrap();
    // At a shared endpoint it is ambiguous: §10, or a §9 resent after the funds arrived.
    match c.verify_notification(&n).unwrap_err() {
        Error::Decode { source, .. } => {
            assert!(source.to_string().contains("ambiguous"), "{source}")
        }
        other => panic!("{other:?}"),
    }
    let ev = c
        .verify_notification_as(&n, NotificationKind::FundsArrived)
        .unwrap();
    assert_eq!(ev.kind, NotificationKind::FundsArrived);
    assert_eq!(
        ev.pay_in().unwrap().arrived_status,
        Some(ArrivedStatus::Arrived)
    );
    assert_eq!(
        ev.replay_key(),
        "protocol-pay:funds_arrived:succeeded:LFT1001202010100001"
    );
    // At the pay-result endpoint the same data is the paid event (a late §9).
    let ev = c
        .verify_notification_as(&n, NotificationKind::PayResult)
        .unwrap();
    assert_eq!(ev.kind, NotificationKind::PayResult);
    assert_eq!(
        ev.replay_key(),
        "protocol-pay:payment:succeeded:LFT1001202010100001"
    );
    // A funds-arrived endpoint refuses a payload whose funds have not arrived, and pay-out data.
    let not_yet = pay_in_notification(&config("http://x"), &pay_in("SUCCESS", "01"), TS).unwrap();
    assert!(matches!(
        c.verify_notification_as(&not_yet, NotificationKind::FundsArrived),
        Err(Error::Decode { .. })
    ));
    let out = pay_out_notification(&config("http://x"), &pay_out("SUCCESS"), TS).unwrap();
    assert!(matches!(
        c.verify_notification_as(&out, NotificationKind::FundsArrived),
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        c.verify_notification_as(&out, NotificationKind::PayResult),
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        c.verify_notification_as(&n, NotificationKind::PayoutArrived),
        Err(Error::Decode { .. })
    ));
    assert!(
        c.verify_notification_as(&tampered(&n), NotificationKind::FundsArrived)
            .is_err()
    );
}

#[test]
fn kinds_parse_from_their_cli_names() {
    assert_eq!(
        "pay-result".parse::<NotificationKind>().unwrap(),
        NotificationKind::PayResult
    );
    assert_eq!(
        "funds-arrived".parse::<NotificationKind>().unwrap(),
        NotificationKind::FundsArrived
    );
    assert_eq!(
        "payout".parse::<NotificationKind>().unwrap(),
        NotificationKind::PayoutArrived
    );
    assert_eq!(
        "payout-arrived".parse::<NotificationKind>().unwrap(),
        NotificationKind::PayoutArrived
    );
    assert!(matches!(
        "refund".parse::<NotificationKind>(),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn payout_notification() {
    let c = client("http://x");
    let n = pay_out_notification(&config("http://x"), &pay_out("SUCCESS"), TS).unwrap();
    let ev = c.verify_notification(&n).unwrap();
    assert_eq!(ev.kind, NotificationKind::PayoutArrived);
    let o = ev.pay_out().unwrap();
    assert_eq!(o.pay_status, PayStatus::Success);
    assert_eq!(o.out_type, Some(OutType::Refund));
    assert_eq!(o.amount, Some(Money::from_fen(50_000)));
    assert_eq!(
        ev.replay_key(),
        "protocol-pay:refund:succeeded:LFT1001202010100002"
    );
    assert!(!format!("{ev:?}").contains("6225880137705555"));
    let err = c.verify_notification(&tampered(&n)).unwrap_err();
    assert!(matches!(err, Error::Signature { .. }));
    // A pay-out notification read as a pay-in is still a typed result: outReqNo and payStatus.
    let failed = pay_out_notification(&config("http://x"), &pay_out("FAILURE"), TS).unwrap();
    let t = tampered(&failed);
    assert!(String::from_utf8_lossy(&t.body).contains("SUCCESS"));
    assert!(c.verify_notification(&t).is_err());
}

#[test]
fn tampered_vector_is_rejected() {
    let v: serde_json::Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/protocol-pay.json"
    )))
    .unwrap();
    let envelope = v[3]["envelope"].as_str().unwrap();
    let n = IncomingNotification::post_json(envelope.to_owned());
    let err = client("http://x").verify_notification(&n).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Signature {
                kind: SignatureErrorKind::Mismatch,
                ..
            }
        ),
        "{err:?}"
    );
    // The same data as signed verifies.
    let data = v[3]["data"].as_str().unwrap();
    let n = signed_notification(
        &config("http://x"),
        data,
        v[3]["timestamp"].as_str().unwrap(),
    );
    let body: serde_json::Value = serde_json::from_slice(&n.body).unwrap();
    assert_eq!(body["sign"], v[3]["sign"]);
    let ev = client("http://x")
        .verify_notification_as(&n, NotificationKind::PayResult)
        .unwrap();
    assert_eq!(ev.pay_in().unwrap().amount, Some(Money::from_fen(100_050)));
}

#[test]
fn unsigned_garbage_and_form_bodies() {
    let c = client("http://x");
    let unsigned = IncomingNotification::post_json(
        json!({"appId": APP, "data": "{\"outReqNo\":\"LFT10011\",\"payStatus\":\"SUCCESS\"}", "timestamp": TS}).to_string(),
    );
    assert!(matches!(
        c.verify_notification(&unsigned),
        Err(Error::Signature {
            kind: SignatureErrorKind::Missing,
            ..
        })
    ));
    assert!(
        c.verify_notification(&IncomingNotification::post_json("{not json"))
            .is_err()
    );
    assert!(matches!(
        c.verify_notification(&IncomingNotification::post_json("")),
        Err(Error::Signature {
            kind: SignatureErrorKind::Missing,
            ..
        })
    ));
    // The same envelope posted as a form is accepted.
    let data = r#"{"outReqNo":"LFT10011","payStatus":"FAILURE"}"#;
    let sign = protocol_pay::sign::sign(APP, KEY, data, TS);
    let form: String = form_urlencoded_pairs(&[
        ("appId", APP),
        ("data", data),
        ("timestamp", TS),
        ("sign", &sign),
    ]);
    let ev = c
        .verify_notification_as(
            &IncomingNotification::post_form(form),
            NotificationKind::PayResult,
        )
        .unwrap();
    assert_eq!(ev.pay_status(), &PayStatus::Failure);
    // A verified data that is not an order is a decode error.
    let n = signed_notification(&config("http://x"), r#"{"foo":1}"#, TS);
    assert!(matches!(
        c.verify_notification(&n),
        Err(Error::Decode { .. })
    ));
}

/// A parameter or JSON key given twice (twice in the form, in the query and the body, twice in
/// the JSON envelope) is refused as malformed, never the first (or last) copy read.
#[test]
fn repeated_parameters_are_malformed() {
    let c = client("http://x");
    let data = r#"{"outReqNo":"LFT10011","payStatus":"FAILURE"}"#;
    let sign = protocol_pay::sign::sign(APP, KEY, data, TS);
    let pairs = [
        ("appId", APP),
        ("data", data),
        ("timestamp", TS),
        ("sign", &sign),
    ];
    let malformed = |n: &IncomingNotification| {
        matches!(
            c.verify_notification(n),
            Err(Error::Signature {
                kind: SignatureErrorKind::Malformed,
                ..
            })
        )
    };
    let form = form_urlencoded_pairs(&pairs);
    assert!(!malformed(&IncomingNotification::post_form(form.clone())));
    let twice = format!("{form}&{}", form_urlencoded_pairs(&[("data", "{}")]));
    assert!(malformed(&IncomingNotification::post_form(twice)));
    let mut split = IncomingNotification::post_form(form.clone());
    split.query = form_urlencoded_pairs(&[("timestamp", TS)]);
    assert!(malformed(&split));
    let json_text = json!({"appId": APP, "data": data, "timestamp": TS, "sign": sign}).to_string();
    assert_eq!(
        c.verify_notification_as(
            &IncomingNotification::post_json(json_text.clone()),
            protocol_pay::NotificationKind::PayResult,
        )
        .unwrap()
        .pay_status(),
        &PayStatus::Failure
    );
    let dup = json_text.replacen('{', r#"{"data":"{}","#, 1);
    assert!(malformed(&IncomingNotification::post_json(dup)));
    let mut in_query = IncomingNotification::post_json(json_text);
    in_query.query = "sign=00".to_owned();
    assert!(malformed(&in_query));
}

fn form_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn replies() {
    let c = client("http://x");
    let r = c.success_reply();
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "SUCCESS");
    assert_eq!(r.content_type, "text/plain; charset=utf-8");
    let signed = c.signed_notification_reply(OUT_REQ_NO);
    assert_eq!(signed.content_type, "application/json");
    let v: serde_json::Value = serde_json::from_str(&signed.body).unwrap();
    assert_eq!(v["code"], "0000");
    assert_eq!(v["msg"], "SUCCESS");
    assert_eq!(v["data"], r#"{"outReqNo":"LFT1001202010100001"}"#);
    assert_eq!(v["timestamp"], crate::NOW);
    // It is a valid signed envelope.
    verify_envelope_json(APP, &pay_core::KeyRing::from(KEY), signed.body.as_bytes()).unwrap();
}

#[test]
fn notification_json() {
    let c = client("http://x");
    let n = pay_in_notification(&config("http://x"), &pay_in("FAILURE", "01"), TS).unwrap();
    let v = c.notification_json(&n).unwrap();
    assert_eq!(v["kind"], "pay-result");
    assert_eq!(v["timestamp"], TS);
    assert_eq!(v["data"]["outReqNo"], OUT_REQ_NO);
    assert_eq!(v["data"]["payStatus"], "FAILURE");
    assert_eq!(v["data"]["amount"], "1000.50");
    assert_eq!(v["data"]["cardNum"], "6225880137705555");
}

#[tokio::test]
async fn inbox_processes_once() {
    let inbox = NotificationInbox::new(client("http://x"), Arc::new(InMemoryReplayGuard::new()));
    let n = pay_in_notification(&config("http://x"), &pay_in("SUCCESS", "01"), TS).unwrap();
    let claimed = inbox
        .accept(&n)
        .await
        .unwrap()
        .into_new()
        .expect("a new event");
    inbox.complete(&claimed).await.unwrap();
    assert!(matches!(
        inbox.accept(&n).await,
        Ok(pay_core::Accepted::Duplicate { .. })
    ));
    // The funds-arrived one for the same order is a different event, at its own endpoint.
    let arrived = pay_in_notification(&config("http://x"), &pay_in("SUCCESS", "02"), TS).unwrap();
    let c = client("http://x");
    let funds = NotificationInbox::new(
        c.notifications(NotificationKind::FundsArrived),
        Arc::new(InMemoryReplayGuard::new()),
    );
    let claimed = funds
        .accept(&arrived)
        .await
        .unwrap()
        .into_new()
        .expect("a new event");
    assert_eq!(
        claimed.event.replay_key(),
        "protocol-pay:funds_arrived:succeeded:LFT1001202010100001"
    );
    // At the shared endpoint it is refused as ambiguous, never read as a pay-in.
    assert!(matches!(
        inbox.accept(&arrived).await,
        Err(Error::Decode { .. })
    ));
    assert_eq!(inbox.success_reply().body, "SUCCESS");
    assert_eq!(funds.success_reply().body, "SUCCESS");
}

//! Every entry of the shared vectors (`vectors/yunzhanghu.json` at the workspace root).

use pay_core::{IncomingNotification, Money, SecretKey};
use serde::Deserialize;
use yunzhanghu::codes::{OrderStatus, StatusDetail};
use yunzhanghu::sign::{self, Envelope, Keys};

#[derive(Deserialize)]
struct Vector {
    name: String,
    des3_key: String,
    app_key: String,
    plaintext: String,
    data: String,
    mess: String,
    timestamp: i64,
    sign_type: String,
    sign: String,
}

fn vectors() -> Vec<Vector> {
    serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/yunzhanghu.json"
    )))
    .unwrap()
}

#[test]
fn every_vector_encrypts_signs_seals_and_opens() {
    let vs = vectors();
    assert_eq!(vs.len(), 6);
    for (i, v) in vs.iter().enumerate() {
        let keys = Keys::new(v.app_key.as_str(), &SecretKey::new(v.des3_key.as_str())).unwrap();
        assert_eq!(
            keys.encrypt(v.plaintext.as_bytes()),
            v.data,
            "vector {i} ({})",
            v.name
        );
        assert_eq!(
            sign::sign(
                &v.data,
                &v.mess,
                v.timestamp,
                &SecretKey::new(v.app_key.as_str())
            ),
            v.sign,
            "vector {i} ({})",
            v.name
        );
        let sealed = sign::seal(&v.plaintext, &v.mess, v.timestamp, &keys);
        let expected = Envelope {
            data: v.data.clone(),
            mess: v.mess.clone(),
            timestamp: v.timestamp,
            sign: v.sign.clone(),
            sign_type: v.sign_type.clone(),
        };
        assert_eq!(sealed, expected, "vector {i} ({})", v.name);
        assert_eq!(
            sign::open(&expected, &keys).unwrap(),
            v.plaintext,
            "vector {i}"
        );
    }
}

#[test]
fn spec_example_sign_is_the_printed_one() {
    let v = &vectors()[0];
    assert_eq!(v.name, "spec-example");
    assert_eq!(
        v.sign,
        "a55c3129a230a4d8abdd5f39bb5f1188a46f6c18adb8146a67f1888650da799d"
    );
}

#[test]
fn notify_vector_through_the_verifier() {
    let v = vectors().into_iter().find(|v| v.name == "notify").unwrap();
    let body = pay_core::form::encode([
        ("data", v.data.as_str()),
        ("mess", v.mess.as_str()),
        ("timestamp", v.timestamp.to_string().as_str()),
        ("sign", v.sign.as_str()),
        ("sign_type", v.sign_type.as_str()),
    ]);
    let client = crate::client_for("http://127.0.0.1:9");
    let event = client
        .verify_notify(&IncomingNotification::post_form(body))
        .unwrap();
    assert_eq!(event.notify_id, "14732279660721952");
    assert_eq!(event.notify_time, "2017-05-25 11:49:34");
    assert_eq!(event.timestamp, 1_495_684_174);
    assert_eq!(event.data.order_id, "201609010016562012999");
    assert_eq!(event.data.pay, Some(Money::from_fen(10_000)));
    assert_eq!(event.data.status, OrderStatus::Paid);
    assert_eq!(event.data.status_detail, Some(StatusDetail::Success));
    assert_eq!(event.data.status_message, "已打款");
    assert_eq!(event.data.real_name.expose(), "测试");
    assert_eq!(event.data.reference, "79822056820047883");
    assert_eq!(
        pay_core::NotificationEvent::replay_key(&event),
        "yunzhanghu:payout:succeeded:201609010016562012999"
    );
}

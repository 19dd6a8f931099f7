//! `Debug` and decode errors never print personal data in full.

use protocol_pay::{PayInOrder, ReceivedEnvelope};
use serde_json::json;

#[test]
fn extension_fields_are_masked_in_debug_and_kept_on_the_wire() {
    let wire = json!({
        "outReqNo": "LFT1001202010100001", "payStatus": "SUCCESS",
        "idCardNo": "11010519491231002X", "payerMobile": "13812345678",
        "payerName": "张三", "channelNote": "ref 6225880137705555"
    });
    let order: PayInOrder = serde_json::from_value(wire.clone()).unwrap();
    let shown = format!("{order:?} {order:#?}");
    for secret in [
        "11010519491231002X",
        "13812345678",
        "张三",
        "6225880137705555",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    // `idCardNo` is recognised as an ID number (first and last character kept).
    for kept in [
        "1****************X",
        "138****5678",
        "张*",
        "ref ************5555",
    ] {
        assert!(shown.contains(kept), "{kept} not in {shown}");
    }
    assert_eq!(order.extra["payerMobile"], "13812345678");
    assert_eq!(serde_json::to_value(&order).unwrap(), wire);
}

#[test]
fn an_envelope_that_is_not_an_object_is_not_quoted() {
    let body = br#""13812345678""#;
    let e = ReceivedEnvelope::parse(body).unwrap_err();
    let source = std::error::Error::source(&e).unwrap().to_string();
    assert_eq!(source, "not a JSON envelope object at line 1 column 13");
    assert!(!format!("{e} {source}").contains("13812345678"));
    match e {
        pay_core::Error::Decode { body: raw, .. } => assert_eq!(raw.as_bytes(), body),
        other => panic!("{other:?}"),
    }
}

//! `Debug` never prints personal data in full: the extension fields and the echoed params.

use aggregate_pay::{PayOrder, PayStatus, TransNotification, TransOrder};
use serde_json::json;

fn assert_hidden(shown: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!shown.contains(s), "{s} in {shown}");
    }
}

#[test]
fn extension_fields_are_masked_in_debug_and_kept_on_the_wire() {
    let wire = json!({
        "payOrderId": "P1", "mchOrderNo": "M1", "amount": 100, "status": 2,
        "accountNo": "6225880137705555", "accountName": "张三", "mobile": "13812345678",
        "channelId": "WX_NATIVE"
    });
    let order: PayOrder = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(order.status, PayStatus::Succeeded);
    let shown = format!("{order:?} {order:#?}");
    assert_hidden(&shown, &["6225880137705555", "张三", "13812345678"]);
    for kept in [
        "6225********5555",
        "张*",
        "138****5678",
        "WX_NATIVE",
        "\"P1\"",
    ] {
        assert!(shown.contains(kept), "{kept} not in {shown}");
    }
    assert_eq!(order.extra["accountNo"], "6225880137705555");
    assert_eq!(serde_json::to_value(&order).unwrap()["accountName"], "张三");

    let trans: TransOrder = serde_json::from_value(json!({
        "transOrderId": "T1", "amount": 100, "status": 2, "cardNo": "6225880137705555"
    }))
    .unwrap();
    assert_hidden(&format!("{trans:?}"), &["6225880137705555"]);
}

#[test]
fn echoed_params_are_masked_in_debug() {
    let n: TransNotification = serde_json::from_value(json!({
        "transOrderId": "T1", "mchId": "20001222", "mchTransOrderNo": "M1", "amount": "100",
        "status": "2", "param1": "ICBC;张三;6222020000000000", "param2": "tel 13812345678"
    }))
    .unwrap();
    let shown = format!("{n:?}");
    assert_hidden(&shown, &["6222020000000000", "张三", "13812345678"]);
    assert!(
        shown.contains("param1: Some(\"ICBC;张*;6222********0000\")"),
        "{shown}"
    );
    assert!(
        shown.contains("param2: Some(\"tel *******5678\")"),
        "{shown}"
    );
    assert_eq!(n.param1.as_deref(), Some("ICBC;张三;6222020000000000"));
}

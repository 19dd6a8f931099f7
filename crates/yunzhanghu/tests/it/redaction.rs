//! `Debug` never prints personal data or a secret in full.

use serde_json::json;
use yunzhanghu::bill::BillFileReader;
use yunzhanghu::identity::VerifyConfirm;
use yunzhanghu::query::OrderDetail;

fn assert_hidden(shown: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!shown.contains(s), "{s} in {shown}");
    }
}

#[test]
fn extension_fields_are_masked_in_debug_and_kept_on_the_wire() {
    let order: OrderDetail = serde_json::from_value(json!({
        "order_id": "O1", "status": "1", "cert_no": "11010519491231002X",
        "user_mobile": "13812345678", "payee_name": "张三", "project_id": "P9"
    }))
    .unwrap();
    let shown = format!("{order:?} {order:#?}");
    assert_hidden(&shown, &["11010519491231002X", "13812345678", "张三"]);
    for kept in ["1****************X", "138****5678", "张*", "\"P9\""] {
        assert!(shown.contains(kept), "{kept} not in {shown}");
    }
    assert_eq!(order.extra["user_mobile"], "13812345678");
    assert_eq!(
        serde_json::to_value(&order).unwrap()["cert_no"],
        "11010519491231002X"
    );
}

#[test]
fn the_sms_code_is_hidden() {
    let confirm: VerifyConfirm = serde_json::from_value(json!({
        "card_no": "6225880137705555", "id_card": "11010519491231002X", "real_name": "张三",
        "mobile": "13812345678", "captcha": "734529", "ref": "R1"
    }))
    .unwrap();
    let shown = format!("{confirm:?}");
    assert_hidden(
        &shown,
        &[
            "734529",
            "6225880137705555",
            "11010519491231002X",
            "13812345678",
            "张三",
        ],
    );
    assert!(shown.contains("captcha: \"***\""), "{shown}");
    assert!(shown.contains("reference: \"R1\""), "{shown}");
    assert_eq!(confirm.captcha, "734529");
}

#[test]
fn unknown_bill_columns_are_masked_in_debug() {
    let csv = "商户订单号,金额,流水类型,备用手机\nA1,1.5,经纪公司打款,13812345678\n";
    let rows: Vec<_> = BillFileReader::from_csv(csv.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert_eq!(rows[0].extra["备用手机"], "13812345678");
    let shown = format!("{:?}", rows[0]);
    assert_hidden(&shown, &["13812345678"]);
    assert!(
        shown.contains("\"备用手机\": String(\"*******5678\")"),
        "{shown}"
    );
}

//! `Debug` never prints personal data or a secret in full: not the response's extra fields, not
//! the plain-string fields of the requests, not the callback blob, not the request being signed.

use http::{HeaderMap, HeaderValue, Method};
use huifu::auth::AuthRequest;
use huifu::merchant::{MerchantOpeningRequest, PersonOpeningRequest};
use huifu::trade::{BalancePayRequest, UnsignRequest, WithdrawalRequest};
use huifu::{HfResponse, UnverifiedCallback};
use serde_json::json;

const CARD: &str = "6225880137705555";
const ID: &str = "11010519491231002X";
const MOBILE: &str = "13812345678";

fn assert_hidden(shown: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!shown.contains(s), "{s} in {shown}");
    }
}

#[test]
fn response_extra_is_masked_in_debug_and_sent_unchanged() {
    let body = json!({
        "resp_code": "C00000", "order_id": "O1", "card_no": CARD, "cert_id": ID,
        "user_mobile": MOBILE, "user_name": "张三", "bank_name": "招商银行",
        "memo": "call 13812345678"
    });
    let r: HfResponse = serde_json::from_value(body.clone()).unwrap();
    let shown = format!("{r:?} {r:#?}");
    assert_hidden(&shown, &[CARD, ID, MOBILE, "张三"]);
    for kept in [
        "6225********5555",
        "138****5678",
        "1****************X",
        "张*",
        "招商银行",
    ] {
        assert!(shown.contains(kept), "{kept} not in {shown}");
    }
    assert!(shown.contains("\"O1\""), "{shown}");
    assert_eq!(r.extra["card_no"], CARD);
    assert_eq!(r.extra_str("user_mobile"), Some(MOBILE));
    assert_eq!(serde_json::to_value(&r).unwrap(), body);
}

#[test]
fn callback_blob_and_unsign_request_show_only_a_length() {
    let claimed: HfResponse = serde_json::from_value(json!({"card_no": CARD})).unwrap();
    let cb = UnverifiedCallback {
        check_value: "eyJjYXJkX25vIjoiNjIyNTg4MDEzNzcwNTU1NSJ9".into(),
        claimed,
    };
    let shown = format!("{cb:?}");
    assert_hidden(&shown, &["eyJjYXJk", CARD]);
    assert!(shown.contains("check_value: \"<40 bytes>\""), "{shown}");
    let req: UnsignRequest =
        serde_json::from_value(json!({"check_value": "eyJjYXJk", "unsign_type": "base64"}))
            .unwrap();
    let shown = format!("{req:?}");
    assert!(shown.contains("check_value: \"<8 bytes>\""), "{shown}");
    assert_hidden(&shown, &["eyJjYXJk"]);
}

#[test]
fn sms_codes_are_hidden() {
    let pay: BalancePayRequest = serde_json::from_value(json!({
        "in_cust_id": "6666000000000001", "out_cust_id": "6666000000000002",
        "trans_amt": "0.01", "order_id": "B1", "order_date": "20240101",
        "sms_code": "734529", "bg_ret_url": "https://m.example/n"
    }))
    .unwrap();
    let shown = format!("{pay:?}");
    assert_hidden(&shown, &["734529"]);
    assert!(shown.contains("sms_code: Some(\"***\")"), "{shown}");
    assert!(shown.contains("order_id: \"B1\""), "{shown}");
    assert_eq!(pay.sms_code.as_deref(), Some("734529"));
    let w: WithdrawalRequest = serde_json::from_value(json!({
        "user_cust_id": "6666000000000002", "order_id": "W1", "order_date": "20240101",
        "trans_amt": "1.00", "cash_bind_card_id": "BC0001", "cash_type": "T0",
        "sms_code": "734529", "bg_ret_url": "https://m.example/n"
    }))
    .unwrap();
    assert_hidden(&format!("{w:?}"), &["734529"]);
}

#[test]
fn plain_personal_fields_of_the_openings_are_masked() {
    let person: PersonOpeningRequest = serde_json::from_value(json!({
        "order_id": "U1", "order_date": "20240101", "user_name": "张三", "cert_id": ID,
        "user_mobile": MOBILE, "vali_date": "20290420", "cust_address": "上海市某路1号",
        "user_email": "zhangsan@m.example", "bg_ret_url": "https://m.example/n",
        "ext_phone": MOBILE
    }))
    .unwrap();
    let shown = format!("{person:?}");
    assert_hidden(&shown, &[ID, MOBILE, "张三", "上海市某路1号", "zhangsan@"]);
    assert!(shown.contains("\"z*******@m.example\""), "{shown}");
    assert!(
        shown.contains("cust_address: Some(\"上******\")"),
        "{shown}"
    );
    let solo: MerchantOpeningRequest = serde_json::from_value(json!({
        "order_id": "M1", "order_date": "20240101", "apply_id": "A1",
        "operate_type": "00090001", "user_name": "张三小店",
        "business_code": "310000000000002", "license_start_date": "20100101",
        "license_end_date": "永久", "solo_business_address": "上海经营地址",
        "solo_reg_address": "上海注册地址", "solo_fixed_telephone": "02112345678",
        "business_scope": "零售", "legal_name": "张三", "legal_cert_type": "01020100",
        "legal_cert_id": ID, "legal_cert_start_date": "20100101",
        "legal_cert_end_date": "永久", "legal_mobile": MOBILE, "contact_name": "李四",
        "contact_mobile": MOBILE, "contact_email": "shop@m.example",
        "address": "上海住址", "bg_ret_url": "https://m.example/n"
    }))
    .unwrap();
    let shown = format!("{solo:?}");
    assert_hidden(
        &shown,
        &[
            ID,
            MOBILE,
            "张三",
            "李四",
            "02112345678",
            "上海住址",
            "shop@",
        ],
    );
    assert!(
        shown.contains("solo_fixed_telephone: Some(\"021****5678\")"),
        "{shown}"
    );
    assert!(shown.contains("\"s***@m.example\""), "{shown}");
}

#[test]
fn the_request_being_signed_shows_names_not_values() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        HeaderValue::from_static("Bearer tok-SECRET"),
    );
    let form = vec![("card_no".to_owned(), CARD.to_owned())];
    let req = AuthRequest {
        method: &Method::GET,
        path: "/api/hfpay/app/bank_check/card/6225880137705555",
        query: vec![("user_mobile".into(), MOBILE.into())],
        headers,
        form: &form,
    };
    let shown = format!("{req:?}");
    assert_hidden(&shown, &[CARD, MOBILE, "tok-SECRET"]);
    for kept in [
        "/api/hfpay/app/bank_check/card/6225********5555",
        "\"card_no\"",
        "\"user_mobile\"",
        "\"authorization\"",
        "GET",
    ] {
        assert!(shown.contains(kept), "{kept} not in {shown}");
    }
}

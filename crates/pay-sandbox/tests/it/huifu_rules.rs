//! Huifu's request rules as the spec states them (a refusal per rule class, naming the field),
//! and the callbacks of card bindings, unbindings, sub-accounts, card uploads and the quick
//! pay's SMS request.

use pay_sandbox::Provider;
use pay_sandbox::credentials::huifu as cred;
use serde_json::{Value, json};

use crate::huifu_flows::{business_opening_form, call, decode, merchant_opening_form, open_user};
use crate::{Receiver, form_map, sandbox};

const M: &str = cred::MER_CUST_ID;
const DAY: &str = "20240102";
const BUSINESS: &str = "/api/hfpay/v1/merchant/business_opening";
const MERCHANT: &str = "/api/hfpay/v1/merchant/merchant_opening";
const AGENT: &str = "/api/hfpay/v1/merchant/agent_merchant_opening";
const PERSON: &str = "/api/hfpay/v1/merchant/person_opening";

/// `form` with `name` set to `value`, or left out for `None`.
fn with<'a>(
    form: &[(&'a str, &'a str)],
    name: &'a str,
    value: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<_> = form.iter().filter(|(k, _)| *k != name).copied().collect();
    if let Some(v) = value {
        out.push((name, v));
    }
    out
}

/// Asserts `C10001` with `field` named in `resp_desc`.
async fn refused(base: &str, path: &str, form: &[(&str, &str)], field: &str) {
    let r = call(base, path, form).await;
    assert_eq!(r["resp_code"], "C10001", "{field}: {r}");
    let desc = r["resp_desc"].as_str().unwrap();
    assert!(
        desc.starts_with(&format!("参数错误: {field} ")),
        "{field}: {r}"
    );
}

/// An `agent_merchant_opening` form with every field the spec requires, valid (an ordinary
/// licence, so its three codes).
fn agent_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("mer_cust_id", M),
        ("mer_name", "某某代理有限公司"),
        ("mer_short_name", "某某代理"),
        ("reg_fund", "1000000.00"),
        ("mer_prov", "0031"),
        ("mer_area", "3100"),
        ("mer_addr", "上海市某某路 3 号"),
        ("mer_reg_addr", "上海市某某路 3 号"),
        ("license_type", "01030100"),
        ("business_code", "310000000000002"),
        ("institution_code", "MA1FL000-0"),
        ("tax_code", "310000000000003"),
        ("license_start_date", "20200101"),
        ("license_end_date", "永久"),
        ("business_scope", "支付代理"),
        (
            "stockholders",
            r#"[{"name":"关羽","certType":"01","certId":"330204199008187881"}]"#,
        ),
        ("legal_name", "关羽"),
        ("legal_cert_type", "01020101"),
        ("legal_cert_id", "E12345678"),
        ("legal_id_start_date", "20200101"),
        ("legal_id_end_date", "20300101"),
        ("legal_mobile", "13812345678"),
        ("contact_name", "关羽"),
        ("contact_mobile", "13812345678"),
        ("bank_id", "03080000"),
        ("bank_acct_no", "6225880137705555"),
        ("bank_branch", "招商银行上海分行"),
        ("bank_prov", "0031"),
        ("bank_area", "3100"),
        ("card_type", "1"),
    ]
}

fn person_form(order_id: &str) -> Vec<(&str, &str)> {
    vec![
        ("mer_cust_id", M),
        ("order_id", order_id),
        ("order_date", DAY),
        ("user_name", "张三"),
        ("cert_id", "11010519491231002X"),
        ("user_mobile", "13812345678"),
        ("vali_date", "20301231"),
    ]
}

#[tokio::test]
async fn every_opening_rule_class_is_refused_naming_the_field() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let b = business_opening_form("BX", "APX");
    let cases: [(&str, Option<&str>); 13] = [
        // required
        ("bank_branch", None),
        ("controlling_shareholder", None),
        // enumerations
        ("corp_type", Some("01030002")),
        ("legal_cert_type", Some("01020108")),
        ("operate_type", Some("00090002")),
        // dates, and 永久 only where the spec allows it
        ("license_start_date", Some("永久")),
        ("legal_cert_end_date", Some("20240230")),
        // phone, identity number (by its type), e-mail
        ("contact_mobile", Some("1381234567")),
        ("legal_cert_id", Some("110105194912310021")),
        ("contact_email", Some("a@b")),
        // the shareholders' JSON
        ("controlling_shareholder", Some(r#"[{"name":"王五"}]"#)),
        // a three-in-one licence needs its social credit code
        ("social_credit_code", None),
        // the account named as the company
        ("bank_acct_name", Some("别的公司")),
    ];
    for (name, value) in cases {
        refused(&base, BUSINESS, &with(&b, name, value), name).await;
    }
    // an ordinary licence needs its three codes and no social credit code
    let ordinary = with(&b, "corp_license_type", Some("01030100"));
    refused(&base, BUSINESS, &ordinary, "business_code").await;
    let ordinary = [
        ordinary,
        vec![
            ("business_code", "1"),
            ("institution_code", "2"),
            ("tax_code", "3"),
        ],
    ]
    .concat();
    refused(&base, BUSINESS, &ordinary, "social_credit_code").await;
    assert_eq!(sb.order(Provider::Huifu, "BX"), None);
    let ordinary = with(&ordinary, "social_credit_code", None);
    assert_eq!(
        call(&base, BUSINESS, &ordinary).await["resp_code"],
        "C00002"
    );

    let m = merchant_opening_form("MX", "APY");
    refused(
        &base,
        MERCHANT,
        &with(&m, "business_code", None),
        "business_code",
    )
    .await;
    refused(
        &base,
        MERCHANT,
        &with(&m, "attach_nos", Some("a1,,a2")),
        "attach_nos",
    )
    .await;
    assert_eq!(sb.order(Provider::Huifu, "MX"), None);
    assert_eq!(call(&base, MERCHANT, &m).await["resp_code"], "C00002");

    let a = agent_form();
    for (name, value) in [
        ("reg_fund", Some("一百万")),
        ("extension", Some("proxy")),
        ("card_type", Some("3")),
        ("license_type", Some("01030102")),
        ("tax_code", None),
        ("stockholders", Some("[]")),
        ("legal_id_end_date", Some("2030-01-01")),
    ] {
        refused(&base, AGENT, &with(&a, name, value), name).await;
    }
    let with_extension = with(&a, "extension", Some(r#"{"eacloud":"proxy"}"#));
    assert_eq!(
        call(&base, AGENT, &with_extension).await["resp_code"],
        "C00002"
    );

    let p = person_form("PX");
    refused(&base, PERSON, &with(&p, "vali_date", None), "vali_date").await;
    refused(
        &base,
        PERSON,
        &with(&p, "user_email", Some("x")),
        "user_email",
    )
    .await;
    refused(
        &base,
        PERSON,
        &with(&p, "order_date", Some("2024012")),
        "order_date",
    )
    .await;
    assert_eq!(sb.order(Provider::Huifu, "PX"), None);
    assert_eq!(call(&base, PERSON, &p).await["resp_code"], "C00000");
    sb.shutdown().await;
}

#[tokio::test]
async fn the_other_rules_the_spec_states_are_refused_naming_the_field() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let user = open_user(&base, "U1").await;
    let trade = |op: &str| format!("/api/hfpay/v1/trade/{op}");
    let merchant = |op: &str| format!("/api/hfpay/v1/merchant/{op}");

    let pay = [
        ("mer_cust_id", M),
        ("user_cust_id", user.as_str()),
        ("order_id", "AP1"),
        ("order_date", DAY),
        ("trans_amt", "1.00"),
        ("pay_type", "04"),
        ("in_cust_id", M),
    ];
    let app_pay = trade("app_pay");
    refused(
        &base,
        &app_pay,
        &with(&pay, "pay_type", Some("10")),
        "app_id",
    )
    .await;
    refused(
        &base,
        &app_pay,
        &with(&pay, "pay_type", Some("13")),
        "buyer_id",
    )
    .await;
    refused(
        &base,
        &app_pay,
        &with(&pay, "pay_type", Some("19")),
        "buyer_id",
    )
    .await;
    refused(
        &base,
        &app_pay,
        &with(&pay, "in_cust_id", None),
        "in_cust_id",
    )
    .await;
    refused(&base, &app_pay, &with(&pay, "is_raw", Some("2")), "is_raw").await;
    assert_eq!(sb.order(Provider::Huifu, "AP1"), None);
    let recharge = with(
        &with(&pay, "in_cust_id", None),
        "trans_type",
        Some("recharge"),
    );
    assert_eq!(
        call(&base, &app_pay, &recharge).await["resp_code"],
        "C00001"
    );

    let balance = [("mer_cust_id", M), ("user_cust_id", M)];
    refused(&base, &merchant("balance_query"), &balance, "acct_id").await;

    let bind = [
        ("mer_cust_id", M),
        ("user_cust_id", user.as_str()),
        ("order_id", "B1"),
        ("order_date", DAY),
        ("bank_id", "03080000"),
        ("card_no", "6225880137705555"),
        ("card_mobile", "13812345678"),
    ];
    let bind_path = merchant("bind_bank_card");
    refused(
        &base,
        &bind_path,
        &with(&bind, "card_mobile", Some("138")),
        "card_mobile",
    )
    .await;
    refused(
        &base,
        &bind_path,
        &with(&bind, "dc_flag", Some("1")),
        "dc_flag",
    )
    .await;
    let card = call(&base, &bind_path, &bind).await["card_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let cash = [
        ("mer_cust_id", M),
        ("user_cust_id", user.as_str()),
        ("order_id", "W1"),
        ("order_date", DAY),
        ("trans_amt", "1.00"),
        ("cash_bind_card_id", card.as_str()),
        ("cash_type", "T1"),
        ("fee_obj", "M"),
    ];
    refused(&base, &trade("withdrawal"), &cash, "fee_acct_id").await;
    assert_eq!(sb.order(Provider::Huifu, "W1"), None);
    let cash = with(&cash, "fee_acct_id", Some("A0"));
    assert_eq!(
        call(&base, &trade("withdrawal"), &cash).await["resp_code"],
        "C00002"
    );

    let sms = [
        ("mer_cust_id", M),
        ("user_cust_id", user.as_str()),
        ("order_id", "S1"),
        ("order_date", DAY),
        ("user_mobile", "13812345678"),
        ("busi_type", "T07"),
    ];
    let sms_path = merchant("send_sms_code");
    refused(
        &base,
        &sms_path,
        &with(&sms, "busi_type", None),
        "busi_type",
    )
    .await;
    refused(
        &base,
        &sms_path,
        &with(&sms, "user_mobile", Some("x")),
        "user_mobile",
    )
    .await;
    assert_eq!(call(&base, &sms_path, &sms).await["resp_code"], "C00000");

    let sub = [
        ("mer_cust_id", M),
        ("user_cust_id", user.as_str()),
        ("order_id", "SA1"),
        ("order_date", DAY),
    ];
    let sub_path = merchant("sub_merchant_create");
    refused(&base, &sub_path, &sub, "acct_type").await;
    refused(
        &base,
        &sub_path,
        &with(&sub, "acct_type", Some("300")),
        "acct_type",
    )
    .await;

    let card_upload = upload_card_form(&user, "UC1", None);
    let upload_path = merchant("upload_card");
    for (name, value) in [
        ("cert_type", Some("01")),
        ("cert_id", Some("123")),
        ("cert_name", None),
        ("source_channel", Some("3")),
        ("file2", None),
    ] {
        refused(&base, &upload_path, &with(&card_upload, name, value), name).await;
    }
    let file = [
        ("mer_cust_id", M),
        ("attach_no", "AT9"),
        ("trans_type", "05"),
        ("attach_type", "13"),
        ("file", "card.jpg"),
        ("file_upload_type", "02"),
    ];
    let file_path = merchant("upload_merchant_file");
    refused(&base, &file_path, &file, "file_upload_type").await;
    let file = with(&file, "file_upload_type", Some("01"));
    assert_eq!(call(&base, &file_path, &file).await["resp_code"], "C00000");
    sb.shutdown().await;
}

fn upload_card_form<'a>(
    user: &'a str,
    order_id: &'a str,
    url: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("mer_cust_id", M),
        ("user_cust_id", user),
        ("order_id", order_id),
        ("order_date", DAY),
        ("cert_id", "11010519491231002X"),
        ("cert_name", "张三"),
        ("cert_type", "00"),
        ("source_channel", "0"),
        ("file1", "front.jpg"),
        ("file2", "back.jpg"),
    ];
    if let Some(url) = url {
        f.push(("bg_ret_url", url));
    }
    f
}

/// The `check_value` of the last callback, decoded; asserts `unsgin` takes it (the gateway
/// issued it) and gives back the same JSON.
async fn last_callback(base: &str, rx: &Receiver, n: usize) -> Value {
    let got = rx.wait(n).await;
    assert_eq!(got.len(), n);
    let last = &got[n - 1];
    assert_eq!(last.method, "POST");
    let cv = form_map(&last.body)["check_value"].clone();
    let r = call(
        base,
        "/api/hfpay/v1/trade/unsgin",
        &[
            ("mer_cust_id", M),
            ("check_value", &cv),
            ("unsign_type", "1"),
        ],
    )
    .await;
    assert_eq!(r["resp_code"], "C00000", "{r}");
    let decoded = decode(&last.body);
    assert_eq!(
        serde_json::from_str::<Value>(r["json_data"].as_str().unwrap()).unwrap(),
        decoded
    );
    decoded
}

#[tokio::test]
async fn bindings_sub_accounts_card_uploads_and_sms_requests_call_back() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let rx = Receiver::start(&["RECV_ORD_ID_X"]).await;
    let url = rx.url.as_str();
    let user = open_user(&base, "U1").await;
    let seq = |id: &str| sb.order(Provider::Huifu, id).unwrap().provider_id;
    let merchant = |op: &str| format!("/api/hfpay/v1/merchant/{op}");

    let bind = [
        ("mer_cust_id", M),
        ("user_cust_id", user.as_str()),
        ("order_id", "B1"),
        ("order_date", DAY),
        ("bank_id", "03080000"),
        ("card_no", "6225880137705555"),
        ("card_mobile", "13812345678"),
        ("mer_priv", "p1"),
        ("bg_ret_url", url),
    ];
    let r = call(&base, &merchant("bind_bank_card"), &bind).await;
    let card = r["card_id"].as_str().unwrap().to_owned();
    assert_eq!(
        last_callback(&base, &rx, 1).await,
        json!({"resp_code": "C00000", "resp_desc": "绑卡成功", "mer_cust_id": M,
               "user_cust_id": user, "mer_priv": "p1", "order_id": "B1", "order_date": DAY,
               "platform_seq_id": seq("B1"), "card_id": card, "bank_id": "03080000"})
    );

    let untie = [
        ("mer_cust_id", M),
        ("user_cust_id", user.as_str()),
        ("order_id", "UT1"),
        ("order_date", DAY),
        ("card_id", card.as_str()),
        ("card_buss_type", "0"),
        ("bg_ret_url", url),
    ];
    assert_eq!(
        call(&base, &merchant("untie_bank_card"), &untie).await["resp_code"],
        "C00000"
    );
    assert_eq!(
        last_callback(&base, &rx, 2).await,
        json!({"resp_code": "C00000", "resp_desc": "解绑成功", "mer_cust_id": M,
               "user_cust_id": user, "order_id": "UT1", "order_date": DAY,
               "platform_seq_id": seq("UT1"), "card_id": card})
    );

    let sub = [
        ("mer_cust_id", M),
        ("user_cust_id", user.as_str()),
        ("order_id", "SA1"),
        ("order_date", DAY),
        ("acct_type", "200"),
        ("bg_ret_url", url),
    ];
    let r = call(&base, &merchant("sub_merchant_create"), &sub).await;
    assert_eq!(r["resp_code"], "C00000");
    assert_eq!(
        last_callback(&base, &rx, 3).await,
        json!({"resp_code": "C00000", "resp_desc": "成功", "mer_cust_id": M,
               "user_cust_id": user, "order_id": "SA1", "order_date": DAY,
               "platform_seq_id": seq("SA1"), "acct_id": r["acct_id"]})
    );

    let r = call(
        &base,
        &merchant("upload_card"),
        &upload_card_form(&user, "UC1", Some(url)),
    )
    .await;
    assert_eq!(r["resp_code"], "C00000");
    assert_eq!(
        last_callback(&base, &rx, 4).await,
        json!({"resp_code": "C00000", "resp_desc": "上传成功", "mer_cust_id": M,
               "user_cust_id": user, "order_id": "UC1", "order_date": DAY,
               "file_id": r["file_id"]})
    );

    let sms = [
        ("mer_cust_id", M),
        ("user_cust_id", user.as_str()),
        ("order_id", "S1"),
        ("order_date", DAY),
        ("trans_amt", "8.00"),
        ("card_no", "6225880137705555"),
        ("card_mobile", "13812345678"),
        ("bg_ret_url", url),
    ];
    let sms_path = "/api/hfpay/v1/trade/send_quick_pay_sms_code";
    assert_eq!(call(&base, sms_path, &sms).await["resp_code"], "C00000");
    assert_eq!(
        last_callback(&base, &rx, 5).await,
        json!({"resp_code": "C00000", "resp_desc": "短信发送成功", "mer_cust_id": M,
               "user_cust_id": user, "trans_amt": "8.00", "order_id": "S1",
               "order_date": DAY})
    );
    // a refusal calls nobody back
    let again = call(&base, sms_path, &sms).await;
    assert_eq!(again["resp_code"], "C10003");
    assert_eq!(rx.received().len(), 5);
    sb.shutdown().await;
}

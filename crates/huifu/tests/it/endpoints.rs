//! Every endpoint through `call_json`: method, path, Prism sign, every form field; then the
//! response parsing paths (success, business error, gateway error, HTTP error, garbage,
//! timeout) and the JSON encoding.

use std::sync::Arc;

use huifu::{BodyEncoding, Client};
use pay_core::test_util::{RecordingTransport, mock_server};
use pay_core::transport::TransportError;
use pay_core::{Error, Money, ProviderErrorKind};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::*;

const SH: &str = r#"[{"name":"关羽","certType":"01020100","certId":"11010519491231002X"}]"#;
const DIV: &str = r#"[{"divAmt":"0.05","divAcctId":"216548","divCustId":"6666000000118348"}]"#;
const URL: &str = "https://shop.example/cb";

fn cases() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "agent-merchant-opening",
            "/api/hfpay/v1/merchant/agent_merchant_opening",
            json!({
                "mer_name": "上海某某有限公司", "mer_short_name": "某某", "mer_en_name": "MM",
                "reg_fund": "1000000.00", "paid_in_fund": "500000.00", "mer_website": "https://m.example",
                "per_icp_code": "沪ICP备1号", "est_date": "20100101", "mer_prov": "0031", "mer_area": "3100",
                "mer_addr": "上海", "mer_reg_addr": "上海", "license_type": "01030101",
                "social_credit_code": "91310000MA1FL0000X", "license_start_date": "20100101",
                "license_end_date": "永久", "business_scope": "软件", "stockholders": SH,
                "legal_name": "张三", "legal_cert_type": "01020100", "legal_cert_id": "11010519491231002X",
                "legal_id_start_date": "20100101", "legal_id_end_date": "20300101",
                "legal_mobile": "13812345678", "contact_name": "李四", "contact_mobile": "13912345678",
                "contact_email": "a@b.cn", "bank_id": "01030000", "bank_acct_no": "6225880137705555",
                "bank_branch": "浦东支行", "bank_prov": "0031", "bank_area": "3100",
                "attach_nos": "abc123,abc1234", "card_type": "1", "bg_ret_url": URL,
                "mer_priv": "p", "extension": r#"{"eacloud":"proxy"}"#
            }),
        ),
        (
            "app-pay",
            "/api/hfpay/v1/trade/app_pay",
            json!({
                "user_cust_id": "6666000000000002", "order_date": "20240101", "order_id": "20240101P1",
                "pay_type": "10", "trans_amt": "12.30", "in_cust_id": "6666000000000003",
                "div_detail": DIV, "trans_type": "guarantee", "is_raw": "1", "app_id": "wx123",
                "buyer_id": "o-1", "goods_desc": "商品", "goods_type": "1", "attach_info": "a",
                "good_tag": "t", "ret_url": "https://shop.example/ret", "bg_ret_url": URL,
                "mer_priv": "p", "dev_info": "d", "div_type": "01"
            }),
        ),
        (
            "balance-pay",
            "/api/hfpay/v1/trade/balance_pay",
            json!({
                "in_cust_id": "6666000000000003", "out_cust_id": "6666000000000002",
                "trans_amt": "1.00", "order_id": "B1", "order_date": "20240101", "sms_code": "123456",
                "trans_type": "2", "ret_url": "https://shop.example/ret", "bg_ret_url": URL, "mer_priv": "p"
            }),
        ),
        (
            "balance-query",
            "/api/hfpay/v1/merchant/balance_query",
            json!({
                "user_cust_id": MER, "acct_id": "216548"
            }),
        ),
        (
            "bind-bank-card",
            "/api/hfpay/v1/merchant/bind_bank_card",
            json!({
                "user_cust_id": "6666000000000002", "order_id": "C1", "order_date": "20240101",
                "bank_id": "01030000", "card_no": "6225880137705555", "dc_flag": "0",
                "card_prov": "0031", "card_area": "3100", "card_mobile": "13812345678",
                "bg_ret_url": URL, "mer_priv": "p"
            }),
        ),
        (
            "business-opening",
            "/api/hfpay/v1/merchant/business_opening",
            json!({
                "order_id": "E1", "order_date": "20240101", "apply_id": "A1", "operate_type": "00090000",
                "corp_license_type": "01030100", "corp_type": "01030000", "corp_name": "某某公司",
                "business_code": "310000000000001", "institution_code": "12345678-9", "tax_code": "310000123456789",
                "license_start_date": "20100101", "license_end_date": "永久",
                "corp_business_address": "上海", "corp_reg_address": "上海", "corp_fixed_telephone": "021-1234567",
                "business_scope": "软件", "controlling_shareholder": SH, "legal_name": "张三",
                "legal_cert_type": "01020101", "legal_cert_id": "E12345678",
                "legal_cert_start_date": "20100101", "legal_cert_end_date": "永久",
                "legal_mobile": "13812345678", "contact_name": "李四", "contact_mobile": "13912345678",
                "contact_email": "a@b.cn", "bank_acct_name": "某某公司", "bank_id": "01030000",
                "bank_acct_no": "6225880137705555", "bank_branch": "浦东支行", "bank_prov": "0031",
                "bank_area": "3100", "industry": "IT", "ret_url": "https://shop.example/ret",
                "bg_ret_url": URL, "mer_priv": "p"
            }),
        ),
        (
            "fz",
            "/api/hfpay/v1/trade/fz",
            json!({
                "order_id": "F1", "order_date": "20240101", "trans_amt": "0.05", "old_order_id": "P1",
                "old_order_date": "20240101", "div_detail": DIV, "bg_ret_url": URL, "mer_priv": "p",
                "extension": r#"{"eacloud":"proxy"}"#, "dev_info": "d"
            }),
        ),
        (
            "merchant-opening",
            "/api/hfpay/v1/merchant/merchant_opening",
            json!({
                "order_id": "M1", "order_date": "20240101", "apply_id": "A2", "operate_type": "00090001",
                "user_name": "某某小店", "business_code": "310000000000002", "license_start_date": "20100101",
                "license_end_date": "20300101", "solo_business_address": "上海", "solo_reg_address": "上海",
                "solo_fixed_telephone": "021-1", "business_scope": "零售", "legal_name": "张三",
                "legal_cert_type": "01020100", "legal_cert_id": "11010519491231002X",
                "legal_cert_start_date": "20100101", "legal_cert_end_date": "永久",
                "legal_mobile": "13812345678", "contact_name": "李四", "contact_mobile": "13912345678",
                "contact_email": "a@b.cn", "occupation": "01", "address": "上海", "attach_nos": "x1",
                "bg_ret_url": URL, "mer_priv": "p"
            }),
        ),
        (
            "order-affirm",
            "/api/hfpay/v1/trade/order_affirm",
            json!({
                "old_order_id": "G1", "old_order_date": "20240101", "order_id": "G2", "order_date": "20240102",
                "trans_amt": "5.00", "in_cust_id": "6666000000000003", "out_cust_id": "6666000000000002",
                "bg_ret_url": URL, "mer_priv": "p"
            }),
        ),
        (
            "order-download",
            "/api/hfpay/v1/merchant/order_download",
            json!({
                "order_date": "20240101", "trans_type": "01"
            }),
        ),
        (
            "order-query",
            "/api/hfpay/v1/trade/order_query",
            json!({
                "user_cust_id": "6666000000000002", "order_id": "P1", "order_date": "20240101",
                "trans_type": "01", "mer_priv": "p"
            }),
        ),
        (
            "order-reverse",
            "/api/hfpay/v1/trade/order_reverse",
            json!({
                "old_order_id": "G1", "old_order_date": "20240101", "order_id": "G3", "order_date": "20240102",
                "trans_amt": "5.00", "in_cust_id": "6666000000000003", "out_cust_id": "6666000000000002",
                "bg_ret_url": URL, "mer_priv": "p"
            }),
        ),
        (
            "person-opening",
            "/api/hfpay/v1/merchant/person_opening",
            json!({
                "order_id": "U1", "order_date": "20240101", "user_name": "张三",
                "cert_id": "11010519491231002X", "user_mobile": "13812345678", "vali_date": "20290420",
                "cust_prov": "0031", "cust_area": "3100", "cust_address": "上海", "occupation": "01",
                "user_email": "a@b.cn", "bg_ret_url": URL, "mer_priv": "p"
            }),
        ),
        (
            "quick-pay",
            "/api/hfpay/v1/trade/quick_pay",
            json!({
                "user_cust_id": "6666000000000002", "order_id": "Q2", "order_date": "20240101",
                "ori_order_id": "Q1", "ori_order_date": "20240101", "sms_code": "123456",
                "ret_url": "https://shop.example/ret", "request_type": "01", "bg_ret_url": URL,
                "mer_priv": "p", "secondary_mer_id": "S1"
            }),
        ),
        (
            "refund",
            "/api/hfpay/v1/trade/refund",
            json!({
                "user_cust_id": "6666000000000002", "order_date": "20240102", "order_id": "R1",
                "trans_amt": "1.00", "org_order_id": "P1", "org_order_date": "20240101",
                "bg_ret_url": URL, "mer_priv": "p", "div_detail": DIV
            }),
        ),
        (
            "send-quick-pay-sms-code",
            "/api/hfpay/v1/trade/send_quick_pay_sms_code",
            json!({
                "user_cust_id": "6666000000000002", "order_id": "Q1", "order_date": "20240101",
                "trans_amt": "9.99", "card_no": "6225880137705555", "card_mobile": "13812345678",
                "card_prov": "0031", "card_area": "3100", "in_cust_id": "6666000000000003",
                "div_detail": DIV, "trans_type": "other", "bg_ret_url": URL, "mer_priv": "p",
                "payer_term_type": "01", "payer_term_no": "T1", "goods_short_name": "商品"
            }),
        ),
        (
            "send-sms-code",
            "/api/hfpay/v1/merchant/send_sms_code",
            json!({
                "user_cust_id": "6666000000000002", "order_id": "S1", "order_date": "20240101",
                "user_mobile": "13812345678", "busi_type": "T07", "mer_priv": "p"
            }),
        ),
        (
            "sub-merchant-create",
            "/api/hfpay/v1/merchant/sub_merchant_create",
            json!({
                "user_cust_id": "6666000000000002", "order_id": "SM1", "order_date": "20240101",
                "acct_type": "100", "sms_code": "123456", "ret_url": "https://shop.example/ret",
                "bg_ret_url": URL, "mer_priv": "p"
            }),
        ),
        (
            "unsgin",
            "/api/hfpay/v1/trade/unsgin",
            json!({
                "check_value": "eyJhIjoxfQ==", "unsign_type": 1
            }),
        ),
        (
            "untie-bank-card",
            "/api/hfpay/v1/merchant/untie_bank_card",
            json!({
                "user_cust_id": "6666000000000002", "order_id": "UT1", "order_date": "20240101",
                "bank_id": "01030000", "card_id": "BC1", "card_mobile": "13812345678",
                "card_buss_type": "2", "bg_ret_url": URL, "mer_priv": "p"
            }),
        ),
        (
            "withdrawal",
            "/api/hfpay/v1/trade/withdrawal",
            json!({
                "user_cust_id": "6666000000000002", "order_id": "W1", "order_date": "20240101",
                "trans_amt": "100.00", "cash_bind_card_id": "BC1", "cash_type": "T0", "fee_obj": "M",
                "fee_acct_id": "216548", "sms_code": "123456", "ret_url": "https://shop.example/ret",
                "bg_ret_url": URL, "mer_priv": "p"
            }),
        ),
    ]
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn every_form_endpoint_sends_every_field_and_a_valid_prism_sign() {
    let all = cases();
    assert_eq!(all.len(), 21); // + 3 uploads (upload.rs) + bank-check-card below = 25
    for (op, p, data) in all {
        let server = mock_server().await;
        Mock::given(method("POST"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "resp_code": "C00000", "resp_desc": "成功", "order_id": data.get("order_id"),
                "trans_amt": data.get("trans_amt"), "new_field": "kept"
            })))
            .expect(1)
            .mount(&server)
            .await;
        let client = client_with(config(&server));
        let out = client
            .call_json(op, data.clone(), Vec::new())
            .await
            .unwrap_or_else(|e| panic!("{op}: {e:?}"));
        assert_eq!(out["resp_code"], "C00000", "{op}");
        assert_eq!(out["new_field"], "kept", "{op}");
        assert_eq!(
            out.get("order_id"),
            data.get("order_id").filter(|v| !v.is_null()),
            "{op}"
        );

        let reqs = server.received_requests().await.unwrap();
        assert_eq!(reqs.len(), 1, "{op}");
        let req = &reqs[0];
        assert_eq!(
            req.headers.get("content-type").unwrap(),
            "application/x-www-form-urlencoded",
            "{op}"
        );
        let form = pay_core::test_util::form_pairs(&req.body);
        // every field, exactly, plus mer_cust_id, and nothing else
        let mut expected: Vec<(String, String)> = data
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), text(v)))
            .collect();
        expected.push(("mer_cust_id".into(), MER.into()));
        expected.sort();
        let mut got = form.clone();
        got.sort();
        assert_eq!(got, expected, "{op}");
        // Prism plain-HTTP signing
        let q = query_pairs(req);
        assert_eq!(get(&q, "client_id"), Some(CLIENT_ID), "{op}");
        assert_eq!(get(&q, "sign_method"), Some("md5"), "{op}");
        assert_eq!(get(&q, "sign_time"), Some("1700000000"), "{op}");
        assert_eq!(get(&q, "client_secret"), None, "{op}");
        assert_eq!(
            get(&q, "sign"),
            Some(expected_sign(req, &form).as_str()),
            "{op}"
        );
    }
}

#[tokio::test]
async fn bank_check_card_is_a_get_with_the_id_path_escaped() {
    let server = mock_server().await;
    Mock::given(method("GET"))
        .and(path("/api/hfpay/app/bank_check/card/62%2F25%20x"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"resp_code":"C00000","bank_id":"01030000"}"#),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = client_with(config(&server));
    let r = client.bank_check_card(&"62/25 x".into()).await.unwrap();
    assert_eq!(r.bank_id.as_deref(), Some("01030000"));
    assert!(r.extra.is_empty(), "{r:?}");
    let out = client
        .call_json("bank-check-card", json!({"card_id": "62/25 x"}), Vec::new())
        .await
        .unwrap();
    assert_eq!(out["bank_id"], "01030000");
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs[0].body.is_empty());
    assert_eq!(
        get(&query_pairs(&reqs[0]), "sign"),
        Some(expected_sign(&reqs[0], &[]).as_str())
    );
    assert!(matches!(
        client.bank_check_card(&"".into()).await,
        Err(Error::InvalidInput { ref field, .. }) if field == "card_id"
    ));
}

fn withdrawal_data() -> Value {
    cases().into_iter().find(|c| c.0 == "withdrawal").unwrap().2
}

async fn withdraw_against(status: u16, body: &str) -> Error {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/withdrawal"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body.to_owned()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(config(&server));
    client
        .call_json("withdrawal", withdrawal_data(), Vec::new())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn response_paths() {
    // business error
    match withdraw_against(
        200,
        r#"{"resp_code":"E11012","resp_desc":"余额不足","order_id":"W1"}"#,
    )
    .await
    {
        Error::Provider(p) => {
            assert_eq!(p.code, "E11012");
            assert_eq!(p.message, "余额不足");
            assert_eq!(p.order_id.as_deref(), Some("W1"));
            assert_eq!(p.kind, ProviderErrorKind::Rejected);
        }
        other => panic!("{other:?}"),
    }
    // gateway error envelope with 401 and Prism auth: nothing to refresh, Unauthorized, sent once
    match withdraw_against(
        401,
        r#"{"result":"error","error":{"code":"0040","message":"invalid sign"}}"#,
    )
    .await
    {
        Error::Provider(p) => {
            assert_eq!(
                (p.code.as_str(), p.message.as_str()),
                ("0040", "invalid sign")
            );
            assert_eq!(p.kind, ProviderErrorKind::Unauthorized);
        }
        other => panic!("{other:?}"),
    }
    // gateway error envelope with 200
    match withdraw_against(
        200,
        r#"{"result":"error","error":{"code":40001,"message":"limit"}}"#,
    )
    .await
    {
        Error::Provider(p) => {
            assert_eq!((p.code.as_str(), p.message.as_str()), ("40001", "limit"));
            assert_eq!(p.kind, ProviderErrorKind::Rejected);
        }
        other => panic!("{other:?}"),
    }
    // HTTP error
    let e = withdraw_against(502, "bad gateway").await;
    match &e {
        Error::HttpStatus {
            status,
            body,
            context,
            ..
        } => {
            assert_eq!(*status, 502);
            assert_eq!(body.as_bytes(), b"bad gateway");
            assert_eq!(context.order_id(), Some("W1"));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.needs_query());
    // garbage
    match withdraw_against(200, "<html>oops</html>").await {
        Error::Decode { body, context, .. } => {
            assert_eq!(body.as_bytes(), b"<html>oops</html>");
            assert_eq!(context.order_id(), Some("W1"));
        }
        other => panic!("{other:?}"),
    }
    // a JSON body of the wrong type in a typed field
    match withdraw_against(200, r#"{"resp_code":"C00000","trans_amt":1.5}"#).await {
        Error::Decode {
            context, source, ..
        } => {
            assert_eq!(context.order_id(), Some("W1"));
            assert!(
                source.to_string().starts_with("at `trans_amt`: "),
                "{source}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn timeouts_on_money_moving_calls_are_unknown_outcome_with_the_order_id() {
    for (op, order) in [
        ("app-pay", "20240101P1"),
        ("quick-pay", "Q2"),
        ("refund", "R1"),
        ("fz", "F1"),
        ("withdrawal", "W1"),
        ("order-reverse", "G3"),
        ("balance-pay", "B1"),
    ] {
        let t = Arc::new(RecordingTransport::new());
        t.push_error(TransportError::timeout(std::io::Error::from(
            std::io::ErrorKind::TimedOut,
        )));
        let client = Client::with_transport(
            huifu::Config::new(MER, CLIENT_ID, SECRET).base_url("http://gw.example"),
            t.clone(),
        );
        let data = cases().into_iter().find(|c| c.0 == op).unwrap().2;
        let e = client.call_json(op, data, Vec::new()).await.unwrap_err();
        assert!(matches!(e, Error::UnknownOutcome { .. }), "{op}: {e:?}");
        assert_eq!(e.order_id(), Some(order), "{op}");
        assert_eq!(t.requests().len(), 1, "{op}: never resent");
    }
    // a query is retry-safe
    let t = Arc::new(RecordingTransport::new());
    t.push_error(TransportError::timeout(std::io::Error::from(
        std::io::ErrorKind::TimedOut,
    )));
    let client = Client::with_transport(
        huifu::Config::new(MER, CLIENT_ID, SECRET).base_url("http://gw.example"),
        t,
    );
    let data = cases()
        .into_iter()
        .find(|c| c.0 == "order-query")
        .unwrap()
        .2;
    let e = client
        .call_json("order-query", data, Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }) && e.is_retry_safe());
}

#[tokio::test]
async fn json_encoding_sends_one_object() {
    let server = mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/hfpay/v1/trade/fz"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"resp_code":"C00001","trans_amt":"0.05"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(config(&server).encoding(BodyEncoding::Json));
    let data = cases().into_iter().find(|c| c.0 == "fz").unwrap().2;
    let r = client.call_json("fz", data, Vec::new()).await.unwrap();
    assert_eq!(r["trans_amt"], "0.05");
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.headers.get("content-type").unwrap(), "application/json");
    let body: Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body,
        json!({
            "mer_cust_id": MER, "order_id": "F1", "order_date": "20240101", "trans_amt": "0.05",
            "old_order_id": "P1", "old_order_date": "20240101", "div_detail": DIV,
            "bg_ret_url": URL, "mer_priv": "p", "extension": r#"{"eacloud":"proxy"}"#, "dev_info": "d"
        })
    );
    // a JSON body is not covered by the Prism sign: the form part is empty
    assert_eq!(
        get(&query_pairs(req), "sign"),
        Some(expected_sign(req, &[]).as_str())
    );

    // unsign_type is an int in JSON
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/unsgin"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let client = client_with(config(&server).encoding(BodyEncoding::Json));
    client
        .call_json(
            "unsgin",
            json!({"check_value": "eyJhIjoxfQ==", "unsign_type": "1"}),
            Vec::new(),
        )
        .await
        .unwrap();
    let req = &server.received_requests().await.unwrap()[0];
    let body: Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body,
        json!({"mer_cust_id": MER, "check_value": "eyJhIjoxfQ==", "unsign_type": 1})
    );
}

#[tokio::test]
async fn typed_values_become_json_text_and_validation_names_the_field() {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/refund"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"resp_code":"C00000"}"#))
        .mount(&server)
        .await;
    let client = client_with(config(&server));
    let req = huifu::trade::RefundRequest {
        user_cust_id: None,
        order_date: "20240102".into(),
        order_id: "R9".into(),
        trans_amt: Money::from_fen(1230),
        org_order_id: "P1".into(),
        org_order_date: "20240101".into(),
        bg_ret_url: URL.into(),
        mer_priv: None,
        div_detail: Some(vec![huifu::DivDetail {
            div_amt: Money::from_fen(1230),
            div_acct_id: "216548".into(),
            div_cust_id: "6666000000118348".into(),
        }]),
        extra: Default::default(),
    };
    client.refund(&req).await.unwrap();
    let form = pay_core::test_util::form_pairs(&server.received_requests().await.unwrap()[0].body);
    assert_eq!(get(&form, "trans_amt"), Some("12.30"));
    assert_eq!(
        get(&form, "div_detail"),
        Some(r#"[{"divAmt":"12.30","divAcctId":"216548","divCustId":"6666000000118348"}]"#)
    );
    assert_eq!(get(&form, "user_cust_id"), None);

    let bad = |f: &dyn Fn(&mut Value), field: &str| {
        let mut d = withdrawal_data();
        f(&mut d);
        (d, field.to_owned())
    };
    for (data, field) in [
        bad(&|d| d["trans_amt"] = json!("0.00"), "trans_amt"),
        bad(&|d| d["order_date"] = json!("2024-01-01"), "order_date"),
        bad(
            &|d| {
                d.as_object_mut().unwrap().remove("fee_acct_id");
            },
            "fee_acct_id",
        ),
        bad(
            &|d| d["bg_ret_url"] = json!("https://shop.example/回调"),
            "bg_ret_url",
        ),
        bad(&|d| d["cash_type"] = json!("T2"), "cash_type"),
        bad(
            &|d| d["mer_cust_id"] = json!("6666000000009999"),
            "mer_cust_id",
        ),
    ] {
        let e = client
            .call_json("withdrawal", data, Vec::new())
            .await
            .unwrap_err();
        match e {
            Error::InvalidInput { field: f, .. } => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    let mut d = cases()
        .into_iter()
        .find(|c| c.0 == "person-opening")
        .unwrap()
        .2;
    d["cert_id"] = json!("110105194912310021");
    let e = client
        .call_json("person-opening", d, Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "cert_id"));
    let mut d = cases()
        .into_iter()
        .find(|c| c.0 == "send-sms-code")
        .unwrap()
        .2;
    d["user_mobile"] = json!("2381234567");
    let e = client
        .call_json("send-sms-code", d, Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "user_mobile"));
    let mut d = cases()
        .into_iter()
        .find(|c| c.0 == "agent-merchant-opening")
        .unwrap()
        .2;
    d.as_object_mut().unwrap().remove("social_credit_code");
    let e = client
        .call_json("agent-merchant-opening", d, Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "social_credit_code"));
    let e = client
        .call_json("nope", json!({}), Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "operation"));
    // nothing invalid was sent
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[test]
fn debug_masks_personal_data_and_secrets() {
    let data = cases()
        .into_iter()
        .find(|c| c.0 == "agent-merchant-opening")
        .unwrap()
        .2;
    let req: huifu::merchant::AgentMerchantOpeningRequest = serde_json::from_value(data).unwrap();
    let dbg = format!("{req:?}");
    for secret in [
        "张三",
        "李四",
        "关羽",
        "11010519491231002X",
        "6225880137705555",
        "13812345678",
        "13912345678",
    ] {
        assert!(!dbg.contains(secret), "{secret} in {dbg}");
    }
    let cfg = huifu::Config::new(MER, CLIENT_ID, "top-secret-value");
    let client = Client::with_transport(cfg, Arc::new(RecordingTransport::new()));
    assert!(!format!("{client:?}").contains("top-secret-value"));
    let o = huifu::OAuthTokenProvider::new("id", "oauth-secret-value");
    assert!(!format!("{o:?}").contains("oauth-secret-value"));
}

fn case(operation: &str) -> Value {
    cases()
        .into_iter()
        .find(|c| c.0 == operation)
        .map(|c| c.2)
        .unwrap_or_else(|| panic!("no case for {operation}"))
}

#[tokio::test]
async fn values_outside_the_spec_lists_are_refused_before_sending() {
    let server = mock_server().await;
    let client = client_with(config(&server));
    for (operation, field, value) in [
        ("app-pay", "pay_type", "99"),
        ("app-pay", "trans_type", "loan"),
        ("app-pay", "div_type", "02"),
        ("balance-pay", "trans_type", "3"),
        ("quick-pay", "request_type", "02"),
        ("send-quick-pay-sms-code", "trans_type", "loan"),
        ("order-query", "trans_type", "05"),
        ("order-download", "trans_type", "02"),
        ("agent-merchant-opening", "legal_cert_type", "01020199"),
        ("merchant-opening", "legal_cert_type", "01020199"),
        ("business-opening", "legal_cert_type", "01020199"),
    ] {
        let mut data = case(operation);
        data[field] = json!(value);
        let e = client
            .call_json(operation, data, Vec::new())
            .await
            .unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { field: f, reason }
                if f == field && reason.starts_with("must be one of ")),
            "{operation}.{field}={value}: {e:?}"
        );
    }
    // Each listed value still goes through (the cases use one of them).
    assert_eq!(
        case("order-query")["trans_type"],
        json!("01"),
        "the order-query case uses a listed trans_type"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_seven_split_limit_applies_where_the_spec_sets_it() {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/app_pay"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"resp_code":"C00000"}"#))
        .mount(&server)
        .await;
    let client = client_with(config(&server));
    let split = r#"{"divAmt":"0.05","divAcctId":"216548","divCustId":"6666000000118348"}"#;
    let eight = format!("[{}]", [split; 8].join(","));
    // App pay: the spec sets no limit, so eight splits are sent.
    let mut data = case("app-pay");
    data["div_detail"] = json!(eight);
    client.call_json("app-pay", data, Vec::new()).await.unwrap();
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1);
    let form = pay_core::test_util::form_pairs(&sent[0].body);
    assert_eq!(
        get(&form, "div_detail").map(|d| d.matches("divAmt").count()),
        Some(8)
    );
    // Split and refund: 最多7个.
    for operation in ["fz", "refund"] {
        let mut data = case(operation);
        data["trans_amt"] = json!("1.00");
        data["div_detail"] = json!(eight);
        let e = client
            .call_json(operation, data, Vec::new())
            .await
            .unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { field, reason }
                if field == "div_detail" && reason == "must list at most 7 splits"),
            "{operation}: {e:?}"
        );
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// A request's flattened `extra` cannot override a typed (validated) field nor `mer_cust_id`:
/// refused before sending, naming the field. A name the request does not type goes through.
#[tokio::test]
async fn extra_cannot_override_a_typed_field() {
    let t = Arc::new(RecordingTransport::new());
    let client = Client::with_transport(
        huifu::Config::new(MER, CLIENT_ID, SECRET).base_url("http://gw.example"),
        t.clone(),
    );
    let refund = || -> huifu::trade::RefundRequest {
        serde_json::from_value(json!({
            "order_date": "20240102", "order_id": "R1", "trans_amt": "1.00",
            "org_order_id": "P1", "org_order_date": "20240101",
            "bg_ret_url": "https://shop.example/cb"
        }))
        .unwrap()
    };
    for (name, value) in [
        ("trans_amt", json!("999999.00")),
        ("order_id", json!("R2")),
        ("bg_ret_url", json!("http://127.0.0.1/cb")),
        ("mer_cust_id", json!("6666000000000999")),
        // typed fields the request left unset: they belong in the typed field, validated
        ("mer_priv", json!("p")),
        ("user_cust_id", json!("6666000000000002")),
    ] {
        let mut req = refund();
        req.extra.insert(name.to_owned(), value);
        match client.refund(&req).await {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(t.requests().is_empty(), "nothing was sent");

    t.push_response(200, r#"{"resp_code":"C00002"}"#);
    let mut req = refund();
    req.extra.insert("new_field".to_owned(), json!("x"));
    client.refund(&req).await.unwrap();
    let sent = pay_core::test_util::form_pairs(t.requests()[0].body());
    assert_eq!(get(&sent, "new_field"), Some("x"));
    assert_eq!(get(&sent, "trans_amt"), Some("1.00"));
}

/// `bg_ret_url` 必须是外网地址: a loopback or private callback URL is refused before sending,
/// unless the config opts in for a test environment.
#[tokio::test]
async fn a_private_callback_url_is_refused_unless_opted_in() {
    let refund = |url: &str| -> huifu::trade::RefundRequest {
        serde_json::from_value(json!({
            "order_date": "20240102", "order_id": "R1", "trans_amt": "1.00",
            "org_order_id": "P1", "org_order_date": "20240101", "bg_ret_url": url
        }))
        .unwrap()
    };
    let t = Arc::new(RecordingTransport::new());
    let strict = Client::with_transport(
        huifu::Config::new(MER, CLIENT_ID, SECRET).base_url("http://gw.example"),
        t.clone(),
    );
    for url in [
        "http://127.0.0.1:8080/cb",
        "http://192.168.0.10/cb",
        "http://localhost/cb",
    ] {
        match strict.refund(&refund(url)).await {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "bg_ret_url", "{url}"),
            other => panic!("{url}: {other:?}"),
        }
    }
    assert!(t.requests().is_empty(), "nothing was sent");

    let opted_in = Client::with_transport(
        huifu::Config::new(MER, CLIENT_ID, SECRET)
            .base_url("http://gw.example")
            .allow_private_callback_urls(),
        t.clone(),
    );
    t.push_response(200, r#"{"resp_code":"C00002"}"#);
    opted_in
        .refund(&refund("http://127.0.0.1:8080/cb"))
        .await
        .unwrap();
    let sent = pay_core::test_util::form_pairs(t.requests()[0].body());
    assert_eq!(get(&sent, "bg_ret_url"), Some("http://127.0.0.1:8080/cb"));
}

/// The result fields the gateway answers with are typed; an unknown one stays in `extra`; a
/// malformed balance is a decode error, never `None`.
#[tokio::test]
async fn result_fields_are_typed() {
    let t = Arc::new(RecordingTransport::new());
    let client = Client::with_transport(
        huifu::Config::new(MER, CLIENT_ID, SECRET).base_url("http://gw.example"),
        t.clone(),
    );
    let balance = || huifu::merchant::BalanceQueryRequest {
        user_cust_id: "6666000000000002".into(),
        acct_id: None,
        extra: Default::default(),
    };
    t.push_response(
        200,
        r#"{"resp_code":"C00000","avl_balance":"100.01","frz_balance":"0.99","acct_balance":"101.00","new_thing":"n"}"#,
    );
    let r = client.balance_query(&balance()).await.unwrap();
    assert_eq!(r.avl_balance, Some(Money::from_fen(10_001)));
    assert_eq!(r.frz_balance, Some(Money::from_fen(99)));
    assert_eq!(r.acct_balance, Some(Money::from_fen(10_100)));
    assert_eq!(r.extra_str("new_thing"), Some("n"));
    assert_eq!(r.extra.len(), 1);

    t.push_response(200, r#"{"resp_code":"C00000","avl_balance":"1.0.0"}"#);
    let e = client.balance_query(&balance()).await.unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");

    let r: huifu::HfResponse = serde_json::from_value(json!({
        "resp_code": "C00000", "card_id": "6225880137705555", "bank_id": "03080000",
        "bank_name": "招商银行", "file_id": "F9", "file_url": "https://gw.example/f.txt",
        "pay_info": "weixin://wxpay/bizpayurl?pr=abc", "user_cust_id": "6666000000000002"
    }))
    .unwrap();
    assert_eq!(
        r.card_id.as_ref().map(|c| c.expose()),
        Some("6225880137705555")
    );
    assert_eq!(r.bank_id.as_deref(), Some("03080000"));
    assert_eq!(r.bank_name.as_deref(), Some("招商银行"));
    assert_eq!(r.file_id.as_deref(), Some("F9"));
    assert_eq!(r.file_url.as_deref(), Some("https://gw.example/f.txt"));
    assert_eq!(
        r.pay_info.as_deref(),
        Some("weixin://wxpay/bizpayurl?pr=abc")
    );
    assert_eq!(r.user_cust_id.as_deref(), Some("6666000000000002"));
    assert!(r.extra.is_empty());
    assert!(
        !format!("{r:?}").contains("6225880137705555"),
        "card masked in Debug"
    );
}

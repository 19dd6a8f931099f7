//! Every endpoint through `call_json` (which runs the typed method): the request the server
//! received (method, path, headers, every field, the sign) and the parsing of a success, a
//! business error, an HTTP error and a garbage body.

use pay_core::Error;
use pay_core::multipart::FilePart;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};
use yunzhanghu::OPERATIONS;

use crate::{ID, NOW, only_request, server_and_client};

struct Case {
    op: &'static str,
    method: &'static str,
    path: &'static str,
    input: Value,
    plaintext: Value,
    answer: Value,
    output: Value,
}

fn files() -> Vec<FilePart> {
    vec![
        yunzhanghu::identity::image_part(
            "id_card_image",
            "front.jpg",
            "image/jpeg",
            &b"\xff\xd8front"[..],
        ),
        yunzhanghu::identity::image_part(
            "id_card_image_background",
            "back.jpg",
            "image/jpeg",
            &b"\xff\xd8back"[..],
        ),
    ]
}

fn cases() -> Vec<Case> {
    let four = json!({"card_no":"6214833103928337","id_card":ID,"real_name":"张三","mobile":"18612341234"});
    let accepted = json!({"order_id":"O1","ref":"176826728298982","pay":"100.00"});
    let report_bank = json!({"order_id":"O1","real_name":"张三","card_no":"6228880199872220",
        "phone_no":"13488795491","id_card":ID,"pay":"100.00","anchor_id":"56244623",
        "created_at":"2017-08-15 17:41:48","result":"1","notes":""});
    let mut report_bank_plain = report_bank.clone();
    report_bank_plain["dealer_id"] = json!("sixcn");
    report_bank_plain["broker_id"] = json!("yiyun73");
    let report_ali = json!({"order_id":"O1","broker_id":"56244623","real_name":"张三","id_card":ID,
        "card_no":"123@sina.com","pay":"100.00","created_at":"2017-08-15 17:41:48","result":"2","notes":"账户异常"});
    let mut report_ali_plain = report_ali.clone();
    report_ali_plain["dealer_id"] = json!("sixcn");
    let report_wx = json!({"order_id":"O1","real_name":"张三","id_card":ID,
        "openid":"wx2319u9jk231bhbhbhwad21","pay":"100.00","created_at":"2017-08-15 17:41:48","result":"1"});
    let mut report_wx_plain = report_wx.clone();
    report_wx_plain["dealer_id"] = json!("sixcn");
    report_wx_plain["broker_id"] = json!("yiyun73");
    let bank = json!({"order_id":"O1","real_name":"张三","card_no":"6228880199872220","id_card":ID,"pay":"100.00"});
    let mut bank_plain = bank.clone();
    bank_plain["dealer_id"] = json!("sixcn");
    bank_plain["broker_id"] = json!("yiyun73");
    let ali = json!({"order_id":"O1","real_name":"张三","card_no":"123@sina.com","id_card":ID,"pay":"100.00","notes":"备注信息"});
    let mut ali_plain = ali.clone();
    ali_plain["dealer_id"] = json!("sixcn");
    ali_plain["broker_id"] = json!("yiyun73");
    let wx = json!({"order_id":"O1","real_name":"张三","openid":"wx2319u9jk231bhbhbhwad21","id_card":ID,"pay":"100.00","pay_remark":"劳务费"});
    let mut wx_plain = wx.clone();
    wx_plain["dealer_id"] = json!("sixcn");
    wx_plain["broker_id"] = json!("yiyun73");
    let order_detail = json!({"pay":"100.00","anchor_id":"test","broker_amount":"-/-","broker_id":"yunyi",
        "card_no":"6228021232235288058","dealer_id":"sixcn","id_card":"120101198812142146",
        "order_id":"201609010016562012999","phone_no":"18601318616","real_name":"测试","ref":"79822056820047883",
        "notes":"56244623 20160901-1","status":1,"status_detail":0,"status_message":"已打款",
        "status_detail_message":"已打款","sys_amount":"100.00","pay_remark":"","tax":"-/-","tax_level":"",
        "created_at":"2017-10-16 20:58:29","finished_time":"2017-10-16 20:58:30"});
    let accounts = json!({"dealer_infos":[{"broker_id":"yiyun73","bank_card_balance":"997.84","is_bank_card":true,
        "alipay_balance":"0","is_alipay":false,"wxpay_balance":"997.84","is_wxpay":false,"rebate_fee_balance":"0.00"}]});
    vec![
        Case {
            op: "auth-alipay",
            method: "GET",
            path: "/api/payment/v1/auth-alipay",
            input: json!({}),
            plaintext: json!({"broker_id":"yiyun73"}),
            answer: json!({"info":"scope=kuaijie&target_id=29399119769856"}),
            output: json!({"info":"scope=kuaijie&target_id=29399119769856"}),
        },
        Case {
            op: "bill-downloadurl",
            method: "GET",
            path: "/api/dataservice/v1/bill/downloadurl",
            input: json!({"bill_date":"2017-11-11"}),
            plaintext: json!({"bill_date":"2017-11-11"}),
            answer: json!({"bill_download_url":"http://xxxxx"}),
            output: json!({"bill_download_url":"http://xxxxx"}),
        },
        Case {
            op: "notify-order-alipay",
            method: "POST",
            path: "/api/notify/order-alipay",
            input: report_ali,
            plaintext: report_ali_plain,
            answer: accepted.clone(),
            output: accepted.clone(),
        },
        Case {
            op: "notify-order-bankcard",
            method: "POST",
            path: "/api/notify/order-bankcard",
            input: report_bank,
            plaintext: report_bank_plain,
            answer: accepted.clone(),
            output: accepted.clone(),
        },
        Case {
            op: "notify-order-wxpay",
            method: "POST",
            path: "/api/notify/order-wxpay",
            input: report_wx,
            plaintext: report_wx_plain,
            answer: accepted.clone(),
            output: accepted.clone(),
        },
        Case {
            op: "order-alipay",
            method: "POST",
            path: "/api/payment/v1/order-alipay",
            input: ali,
            plaintext: ali_plain,
            answer: accepted.clone(),
            output: accepted.clone(),
        },
        Case {
            op: "order-downloadurl",
            method: "GET",
            path: "/api/dataservice/v1/order/downloadurl",
            input: json!({"order_date":"2017-11-27"}),
            plaintext: json!({"order_date":"2017-11-27"}),
            answer: json!({"order_download_url":"http://xxxxx"}),
            output: json!({"order_download_url":"http://xxxxx"}),
        },
        Case {
            op: "order-realtime",
            method: "POST",
            path: "/api/payment/v1/order-realtime",
            input: bank,
            plaintext: bank_plain,
            answer: accepted.clone(),
            output: accepted.clone(),
        },
        Case {
            op: "order-wxpay",
            method: "POST",
            path: "/api/payment/v1/order-wxpay",
            input: wx,
            plaintext: wx_plain,
            answer: accepted.clone(),
            output: accepted,
        },
        Case {
            op: "query-accounts",
            method: "GET",
            path: "/api/payment/v1/query-accounts",
            input: json!({}),
            plaintext: json!({"dealer_id":"sixcn"}),
            answer: accounts,
            output: json!({"dealer_infos":[{"broker_id":"yiyun73","bank_card_balance":"997.84","is_bank_card":true,
                "alipay_balance":"0.00","is_alipay":false,"wxpay_balance":"997.84","is_wxpay":false,"rebate_fee_balance":"0.00"}]}),
        },
        Case {
            op: "query-realtime-order",
            method: "GET",
            path: "/api/payment/v1/query-realtime-order",
            input: json!({"order_id":"201609010016562012999","channel":"银行卡"}),
            plaintext: json!({"order_id":"201609010016562012999","channel":"银行卡"}),
            answer: order_detail.clone(),
            output: order_detail,
        },
        Case {
            op: "sign-idcard-image",
            method: "POST",
            path: "/api/payment/v1/sign/idcard/image",
            input: json!({"real_name":"张三","id_card":ID}),
            plaintext: json!({"dealer_id":"sixcn","broker_id":"yiyun73","real_name":"张三","id_card":ID}),
            answer: json!({}),
            output: json!({}),
        },
        Case {
            op: "verify-bankcard-four-factor",
            method: "POST",
            path: "/authentication/verify-bankcard-four-factor",
            input: four.clone(),
            plaintext: four.clone(),
            answer: Value::Null,
            output: json!({}),
        },
        Case {
            op: "verify-bankcard-three-factor",
            method: "POST",
            path: "/authentication/verify-bankcard-three-factor",
            input: json!({"card_no":"6214833103928337","id_card":ID,"real_name":"张三"}),
            plaintext: json!({"card_no":"6214833103928337","id_card":ID,"real_name":"张三"}),
            answer: Value::Null,
            output: json!({}),
        },
        Case {
            op: "verify-confirm",
            method: "POST",
            path: "/authentication/verify-confirm",
            input: json!({"card_no":"6214833103928337","id_card":ID,"real_name":"张三","mobile":"18612341234","captcha":"861134","ref":"rx0g4iiLWoWA=="}),
            plaintext: json!({"card_no":"6214833103928337","id_card":ID,"real_name":"张三","mobile":"18612341234","captcha":"861134","ref":"rx0g4iiLWoWA=="}),
            answer: Value::Null,
            output: json!({}),
        },
        Case {
            op: "verify-id",
            method: "POST",
            path: "/authentication/verify-id",
            input: json!({"id_card":ID,"real_name":"张三"}),
            plaintext: json!({"id_card":ID,"real_name":"张三"}),
            answer: Value::Null,
            output: json!({}),
        },
        Case {
            op: "verify-request",
            method: "POST",
            path: "/authentication/verify-request",
            input: four.clone(),
            plaintext: four,
            answer: json!({"ref":"rx0g4iiLWoWA=="}),
            output: json!({"ref":"rx0g4iiLWoWA=="}),
        },
    ]
}

/// Every key of `expected` (recursively) has exactly that value in `actual`.
fn assert_subset(actual: &Value, expected: &Value, at: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (k, v) in e {
                let got = a
                    .get(k)
                    .unwrap_or_else(|| panic!("{at}.{k} missing in {actual}"));
                assert_subset(got, v, &format!("{at}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{at}");
            for (i, (x, y)) in a.iter().zip(e).enumerate() {
                assert_subset(x, y, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(actual, expected, "{at}"),
    }
}

fn files_for(op: &str) -> Vec<FilePart> {
    if op == "sign-idcard-image" {
        files()
    } else {
        Vec::new()
    }
}

#[test]
fn the_table_covers_every_operation() {
    let ops: Vec<&str> = cases().iter().map(|c| c.op).collect();
    assert_eq!(ops, OPERATIONS);
}

#[tokio::test]
async fn success_sends_exactly_the_fields_and_parses_the_answer() {
    for c in cases() {
        let (server, client) = server_and_client().await;
        let mut body = json!({"code":"0000","message":"操作成功","request_id":"rid-1"});
        if !c.answer.is_null() {
            body["data"] = c.answer.clone();
        }
        Mock::given(method(c.method))
            .and(path(c.path))
            .respond_with(ResponseTemplate::new(200).set_body_json(&body))
            .expect(1)
            .mount(&server)
            .await;
        let out = client
            .call_json(c.op, c.input.clone(), files_for(c.op))
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", c.op));
        assert_eq!(out["message"], "操作成功", "{}", c.op);
        assert_eq!(out["request_id"], "rid-1", "{}", c.op);
        assert_subset(&out["data"], &c.output, c.op);
        let got = only_request(&server).await;
        assert_eq!(got.method, c.method, "{}", c.op);
        assert_eq!(got.path, c.path, "{}", c.op);
        assert_eq!(got.dealer_id, "sixcn", "{}", c.op);
        assert_eq!(got.request_id, "id-2", "{}", c.op);
        assert_eq!(got.envelope.mess, "id-1", "{}", c.op);
        assert_eq!(got.envelope.timestamp, NOW, "{}", c.op);
        assert_eq!(got.plaintext, c.plaintext, "{}", c.op);
        if c.op == "sign-idcard-image" {
            assert!(
                got.content_type
                    .starts_with("multipart/form-data; boundary=")
            );
            assert_eq!(
                got.files,
                vec![
                    (
                        "id_card_image".to_owned(),
                        "front.jpg".to_owned(),
                        b"\xff\xd8front".to_vec()
                    ),
                    (
                        "id_card_image_background".to_owned(),
                        "back.jpg".to_owned(),
                        b"\xff\xd8back".to_vec()
                    ),
                ]
            );
        }
    }
}

#[tokio::test]
async fn business_error_http_error_and_garbage() {
    for c in cases() {
        // business error
        let (server, client) = server_and_client().await;
        Mock::given(method(c.method))
            .and(path(c.path))
            .respond_with(ResponseTemplate::new(200).set_body_string(
                r#"{"code":"2001","message":"上传数据有误","request_id":"rid-e"}"#,
            ))
            .mount(&server)
            .await;
        match client
            .call_json(c.op, c.input.clone(), files_for(c.op))
            .await
        {
            Err(Error::Provider(p)) => {
                assert_eq!(
                    (p.code.as_str(), p.message.as_str()),
                    ("2001", "上传数据有误"),
                    "{}",
                    c.op
                );
                assert_eq!(p.request_id.as_deref(), Some("rid-e"), "{}", c.op);
            }
            other => panic!("{}: {other:?}", c.op),
        }
        // HTTP error
        let (server, client) = server_and_client().await;
        Mock::given(method(c.method))
            .and(path(c.path))
            .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
            .mount(&server)
            .await;
        let e = client
            .call_json(c.op, c.input.clone(), files_for(c.op))
            .await
            .unwrap_err();
        match &e {
            Error::HttpStatus { status, body, .. } => {
                assert_eq!(*status, 502, "{}", c.op);
                assert_eq!(body.as_bytes(), b"bad gateway", "{}", c.op);
            }
            other => panic!("{}: {other:?}", c.op),
        }
        assert_classified(c.op, &e);
        // garbage
        let (server, client) = server_and_client().await;
        Mock::given(method(c.method))
            .and(path(c.path))
            .respond_with(ResponseTemplate::new(200).set_body_string("<html>oops</html>"))
            .mount(&server)
            .await;
        let e = client
            .call_json(c.op, c.input.clone(), files_for(c.op))
            .await
            .unwrap_err();
        match &e {
            Error::Decode { body, .. } => {
                assert_eq!(body.as_bytes(), b"<html>oops</html>", "{}", c.op)
            }
            other => panic!("{}: {other:?}", c.op),
        }
        assert_classified(c.op, &e);
    }
}

/// The read-only operations (`MUTATION = false`).
const READ_ONLY: &[&str] = &[
    "auth-alipay",
    "bill-downloadurl",
    "order-downloadurl",
    "query-accounts",
    "query-realtime-order",
    "verify-bankcard-four-factor",
    "verify-bankcard-three-factor",
    "verify-id",
];

/// The payouts: money moves.
const MONEY_MOVING: &[&str] = &["order-alipay", "order-realtime", "order-wxpay"];

/// An answer error of a read-only call is retry-safe and asks for no query; one of a payout
/// carries its order id and asks for a query.
fn assert_classified(op: &str, e: &Error) {
    if READ_ONLY.contains(&op) {
        assert!(e.is_retry_safe(), "{op}: {e:?}");
        assert!(!e.needs_query(), "{op}: {e:?}");
        assert_eq!(e.order_id(), None, "{op}");
    } else {
        assert!(!e.is_retry_safe(), "{op}: {e:?}");
        assert_eq!(e.needs_query(), e.order_id().is_some(), "{op}: {e:?}");
        if MONEY_MOVING.contains(&op) {
            assert!(e.needs_query(), "{op}: {e:?}");
        }
    }
}

#[tokio::test]
async fn encrypted_query_answer_is_decrypted() {
    let (server, client) = server_and_client().await;
    let detail = r#"{"order_id":"O9","pay":"8.88","status":9,"status_detail":213,"ref":"R9","real_name":"测试"}"#;
    let body = json!({"code":"0000","message":"操作成功","request_id":"r",
        "data":{"encry_data": crate::keys().encrypt(detail.as_bytes())}});
    Mock::given(method("GET"))
        .and(path("/api/payment/v1/query-realtime-order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&body))
        .mount(&server)
        .await;
    let q = yunzhanghu::query::QueryOrder::new("O9", yunzhanghu::Channel::Alipay).encrypted();
    let r = client.query_realtime_order(&q).await.unwrap();
    assert_eq!(r.order_id, "O9");
    assert_eq!(r.pay, Some(pay_core::Money::from_fen(888)));
    assert_eq!(r.status, yunzhanghu::OrderStatus::Returned);
    assert_eq!(r.status_detail, Some(yunzhanghu::StatusDetail::BothFailed));
    assert_eq!(r.tx_status(), pay_core::TxStatus::Returned);
    assert!(r.transition().is_final);
    let got = only_request(&server).await;
    assert_eq!(
        got.plaintext,
        json!({"order_id":"O9","channel":"支付宝","data_type":"encryption"})
    );
    // Undecryptable encry_data is an error, not data.
    let (server, client) = server_and_client().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(
                r#"{"code":"0000","data":{"encry_data":"AAAA"},"request_id":"r"}"#,
            ),
        )
        .mount(&server)
        .await;
    let e = client.query_realtime_order(&q).await.unwrap_err();
    assert!(matches!(e, Error::Decrypt { .. }), "{e:?}");
    // The answer of a query: retry-safe, nothing to query.
    assert!(e.is_retry_safe() && !e.needs_query(), "{e:?}");
}

#[tokio::test]
async fn unknown_operation_and_bad_input() {
    let (_server, client) = server_and_client().await;
    match client.call_json("pay-everyone", json!({}), vec![]).await {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "operation"),
        other => panic!("{other:?}"),
    }
    match client
        .call_json("verify-id", json!({"id_card": 5}), vec![])
        .await
    {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "data"),
        other => panic!("{other:?}"),
    }
    match client.call_json("verify-id", json!({}), files()).await {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "files"),
        other => panic!("{other:?}"),
    }
    match client
        .call_json(
            "sign-idcard-image",
            json!({"real_name":"张三","id_card":ID}),
            vec![],
        )
        .await
    {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "id_card_image"),
        other => panic!("{other:?}"),
    }
    match client
        .call_json(
            "query-realtime-order",
            json!({"order_id":"1","channel":"现金"}),
            vec![],
        )
        .await
    {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "channel"),
        other => panic!("{other:?}"),
    }
    match client
        .call_json("bill-downloadurl", json!({"bill_date":"20171111"}), vec![])
        .await
    {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "bill_date"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn error_2002_on_an_identity_check_is_not_a_duplicate_order() {
    let (server, client) = server_and_client().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"code":"2002","message":"身份证号有误","request_id":"1234"}"#),
        )
        .mount(&server)
        .await;
    match client
        .call_json(
            "verify-id",
            json!({"id_card":ID,"real_name":"张三"}),
            vec![],
        )
        .await
    {
        Err(Error::Provider(p)) => {
            assert_eq!(p.kind, pay_core::ProviderErrorKind::Rejected);
            assert_eq!(p.code, "2002");
        }
        other => panic!("{other:?}"),
    }
}

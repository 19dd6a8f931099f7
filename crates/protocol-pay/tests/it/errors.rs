//! Failures of every endpoint: not-found codes, bad response signs, HTTP errors, garbage,
//! timeouts, and input rejected before sending.

use std::sync::Arc;
use std::time::Duration;

use pay_core::{Error, ProviderErrorKind, SignatureErrorKind};
use protocol_pay::test_util::signed_response_raw;
use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, ResponseTemplate};

use crate::{APP, OUT_REQ_NO, client, config};

struct Case {
    op: &'static str,
    data: Value,
    /// The order id a failure carries: a mutation's `outReqNo`; never on a query, not even
    /// one by `outReqNo`.
    order_id: Option<&'static str>,
    /// The error code the spec gives this endpoint, and what it says was not found.
    code: &'static str,
    not_found: Option<&'static str>,
    /// Whether the call may have moved money (a failure needs a query).
    mutation: bool,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            op: "create",
            data: json!({"channelType":"LFT","transDesc":"d","businessId":"B9","cashierType":"POS"}),
            order_id: None,
            code: "EP10010",
            not_found: None,
            mutation: true,
        },
        Case {
            op: "find",
            data: json!({"transNo":"T404"}),
            order_id: None,
            code: "EP20001",
            not_found: Some("protocol"),
            mutation: false,
        },
        Case {
            op: "prepay",
            data: json!({"transNo":"T404","outReqNo":OUT_REQ_NO,"amount":"1000.50","outSuccessNotifyUrl":"https://m.example/p","prodCatalog":"01"}),
            order_id: Some(OUT_REQ_NO),
            code: "EP20001",
            not_found: Some("protocol"),
            mutation: true,
        },
        Case {
            op: "posclose",
            data: json!({"outReqNo":OUT_REQ_NO}),
            order_id: Some(OUT_REQ_NO),
            code: "EP20002",
            not_found: Some("pay-in order"),
            mutation: true,
        },
        Case {
            op: "inquery",
            data: json!({"outReqNo":OUT_REQ_NO}),
            order_id: None,
            code: "EP20002",
            not_found: Some("pay-in order"),
            mutation: false,
        },
        Case {
            op: "outpay",
            data: json!({"transNo":"T1","outReqNo":"LFT10019","amount":"5.00","channelType":"LFT","outNotifyUrl":"https://m.example/o","bankAccName":"李四","bankAccNum":"6225880137705555","bankName":"招行","bankCnaps":"308100005027","outType":"OUT"}),
            order_id: Some("LFT10019"),
            code: "EP20001",
            not_found: Some("protocol"),
            mutation: true,
        },
        Case {
            op: "outquery",
            data: json!({"outReqNo":"LFT10019"}),
            order_id: None,
            code: "EP20003",
            not_found: Some("pay-out order"),
            mutation: false,
        },
        Case {
            op: "querybankcnaps",
            data: json!({"bankNameKeyWord":"海淀"}),
            order_id: None,
            code: "EP10011",
            not_found: None,
            mutation: false,
        },
    ]
}

/// An error about the answer: a mutation's is not retry-safe and needs a query when it has an
/// order id; a query's is retry-safe, needs no query and carries no order id.
fn assert_classified(case: &Case, err: &Error) {
    assert_eq!(err.order_id(), case.order_id, "{}: {err:?}", case.op);
    assert_eq!(err.is_retry_safe(), !case.mutation, "{}: {err:?}", case.op);
    assert_eq!(
        err.needs_query(),
        case.mutation && case.order_id.is_some(),
        "{}: {err:?}",
        case.op
    );
}

async fn run(case: &Case, response: ResponseTemplate) -> (Error, usize) {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(path(format!("/api/protocol/{}", case.op)))
        .respond_with(response)
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .call_json(case.op, case.data.clone(), Vec::new())
        .await
        .expect_err(case.op);
    let sent = server.received_requests().await.unwrap().len();
    (err, sent)
}

#[tokio::test]
async fn provider_codes_signed_and_unsigned() {
    for case in cases() {
        let signed = signed_response_raw(&config("http://x"), case.code, "不存在", "", "t");
        let unsigned = json!({"code": case.code, "msg": "不存在"}).to_string();
        for body in [signed, unsigned] {
            let (err, sent) = run(&case, ResponseTemplate::new(200).set_body_string(body)).await;
            assert_eq!(sent, 1, "{}", case.op);
            let Error::Provider(p) = &err else {
                panic!("{}: {err:?}", case.op)
            };
            assert_eq!(p.code, case.code, "{}", case.op);
            assert_eq!(p.message, "不存在");
            assert_eq!(p.order_id.as_deref(), case.order_id, "{}", case.op);
            let expected = match case.not_found {
                Some(what) => ProviderErrorKind::NotFound { what: what.into() },
                None => ProviderErrorKind::Rejected,
            };
            assert_eq!(p.kind, expected, "{}", case.op);
            assert!(!err.is_retry_safe());
        }
    }
}

#[tokio::test]
async fn refusal_with_a_wrong_sign_is_a_signature_error() {
    let case = &cases()[2];
    let body = json!({"code":"EP20001","msg":"x","data":"","appId":APP,"timestamp":"t","sign":"00000000000000000000000000000000"}).to_string();
    let (err, _) = run(case, ResponseTemplate::new(200).set_body_string(body)).await;
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
    assert_eq!(err.order_id(), Some(OUT_REQ_NO));
}

#[tokio::test]
async fn bad_response_sign() {
    for case in cases() {
        // Signed over one data, carrying another (a forged SUCCESS).
        let good = signed_response_raw(
            &config("http://x"),
            "0000",
            "SUCCESS",
            r#"{"payStatus":"FAILURE"}"#,
            "t",
        );
        let forged = good.replace("FAILURE", "SUCCESS");
        let (err, _) = run(&case, ResponseTemplate::new(200).set_body_string(forged)).await;
        assert!(
            matches!(
                err,
                Error::Signature {
                    kind: SignatureErrorKind::Mismatch,
                    ..
                }
            ),
            "{}: {err:?}",
            case.op
        );
        assert_classified(&case, &err);

        // A different key.
        let other = signed_response_raw(
            &protocol_pay::Config::new(APP, "other"),
            "0000",
            "SUCCESS",
            "{}",
            "t",
        );
        let (err, _) = run(&case, ResponseTemplate::new(200).set_body_string(other)).await;
        assert!(
            matches!(
                err,
                Error::Signature {
                    kind: SignatureErrorKind::Mismatch,
                    ..
                }
            ),
            "{}: {err:?}",
            case.op
        );

        // Another app id, signed with its own id and our key.
        let other_app = signed_response_raw(
            &protocol_pay::Config::new("LFT2002", crate::KEY),
            "0000",
            "SUCCESS",
            "{}",
            "t",
        );
        let (err, _) = run(&case, ResponseTemplate::new(200).set_body_string(other_app)).await;
        assert!(
            matches!(
                err,
                Error::Signature {
                    kind: SignatureErrorKind::Mismatch,
                    ..
                }
            ),
            "{}: {err:?}",
            case.op
        );

        // No sign on a 0000.
        let unsigned =
            json!({"code":"0000","msg":"SUCCESS","data":"{}","appId":APP,"timestamp":"t"})
                .to_string();
        let (err, _) = run(&case, ResponseTemplate::new(200).set_body_string(unsigned)).await;
        assert!(
            matches!(
                err,
                Error::Signature {
                    kind: SignatureErrorKind::Missing,
                    ..
                }
            ),
            "{}: {err:?}",
            case.op
        );
    }
}

#[tokio::test]
async fn http_error() {
    for case in cases() {
        let (err, sent) = run(
            &case,
            ResponseTemplate::new(502).set_body_string("bad gateway"),
        )
        .await;
        assert_eq!(sent, 1);
        match &err {
            Error::HttpStatus {
                status,
                body,
                context,
                ..
            } => {
                assert_eq!(*status, 502);
                assert_eq!(body.as_bytes(), b"bad gateway");
                assert_eq!(context.order_id(), case.order_id, "{}", case.op);
            }
            other => panic!("{}: {other:?}", case.op),
        }
        assert_classified(&case, &err);
    }
}

#[tokio::test]
async fn garbage_body() {
    for case in cases() {
        let (err, _) = run(
            &case,
            ResponseTemplate::new(200).set_body_string("<html>oops</html>"),
        )
        .await;
        match &err {
            Error::Decode { body, .. } => assert_eq!(body.as_bytes(), b"<html>oops</html>"),
            other => panic!("{}: {other:?}", case.op),
        }
        assert_classified(&case, &err);
    }
}

#[tokio::test]
async fn signed_data_of_the_wrong_shape_is_a_decode_error() {
    for case in cases() {
        let body = signed_response_raw(
            &config("http://x"),
            "0000",
            "SUCCESS",
            r#"{"payStatus":7,"transNo":[]}"#,
            "t",
        );
        let (err, _) = run(&case, ResponseTemplate::new(200).set_body_string(body)).await;
        assert!(matches!(err, Error::Decode { .. }), "{}: {err:?}", case.op);
        assert_classified(&case, &err);
        let body = signed_response_raw(&config("http://x"), "0000", "SUCCESS", "", "t");
        let (err, _) = run(&case, ResponseTemplate::new(200).set_body_string(body)).await;
        assert!(matches!(err, Error::Decode { .. }), "{}: {err:?}", case.op);
        assert_classified(&case, &err);
    }
}

fn slow_client(base: &str) -> protocol_pay::Client {
    let transport = pay_core::ReqwestTransport::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    protocol_pay::Client::with_transport(config(base), Arc::new(transport))
}

#[tokio::test]
async fn timeouts_after_sending() {
    for case in cases() {
        let server = pay_core::test_util::mock_server().await;
        Mock::given(path(format!("/api/protocol/{}", case.op)))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
            .mount(&server)
            .await;
        let err = slow_client(&server.uri())
            .call_json(case.op, case.data.clone(), Vec::new())
            .await
            .unwrap_err();
        // Sent once, never resent.
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            1,
            "{}",
            case.op
        );
        if case.mutation {
            assert!(
                matches!(err, Error::UnknownOutcome { .. }),
                "{}: {err:?}",
                case.op
            );
            assert_eq!(err.order_id(), case.order_id, "{}", case.op);
            assert!(err.needs_query() && !err.is_retry_safe());
        } else {
            assert!(
                matches!(err, Error::Transport { .. }),
                "{}: {err:?}",
                case.op
            );
            assert!(err.is_retry_safe());
        }
    }
}

#[tokio::test]
async fn create_protocol_timeout_is_unknown_outcome_without_order_id() {
    // `create` changes state but has no merchant id: the outcome is unknown all the same.
    let server = pay_core::test_util::mock_server().await;
    Mock::given(path("/api/protocol/create"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let err = slow_client(&server.uri())
        .call_json("create", cases()[0].data.clone(), Vec::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UnknownOutcome { order_id: None, .. }),
        "{err:?}"
    );
}

async fn rejected(op: &str, data: Value) -> Error {
    let server = pay_core::test_util::mock_server().await;
    let err = client(&server.uri())
        .call_json(op, data, Vec::new())
        .await
        .unwrap_err();
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing is sent"
    );
    err
}

fn field(err: &Error) -> String {
    match err {
        Error::InvalidInput { field, .. } => field.to_string(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn invalid_input_is_never_sent() {
    let prepay = cases()[2].data.clone();
    let outpay = cases()[5].data.clone();
    let with = |base: &Value, k: &str, v: Value| {
        let mut d = base.clone();
        d[k] = v;
        d
    };
    let table: Vec<(&str, Value, &str)> = vec![
        (
            "prepay",
            with(&prepay, "outReqNo", json!("XYZ202010100001")),
            "outReqNo",
        ),
        ("prepay", with(&prepay, "outReqNo", json!(APP)), "outReqNo"),
        (
            "prepay",
            with(&prepay, "outReqNo", json!("LFT1001 1")),
            "outReqNo",
        ),
        ("prepay", with(&prepay, "amount", json!("0.00")), "amount"),
        ("prepay", with(&prepay, "amount", json!("1.005")), "data"),
        (
            "prepay",
            with(&prepay, "outSuccessNotifyUrl", json!("not a url")),
            "outSuccessNotifyUrl",
        ),
        (
            "prepay",
            with(&prepay, "outArrivedNotifyUrl", json!("ftp://x/y")),
            "outArrivedNotifyUrl",
        ),
        (
            "prepay",
            with(&prepay, "prodCatalog", json!("03")),
            "prodCatalog",
        ),
        ("prepay", with(&prepay, "transNo", json!(" ")), "transNo"),
        (
            "prepay",
            with(&prepay, "qpCertNumber", json!("110105194912310021")),
            "qpCertNumber",
        ),
        (
            "prepay",
            with(&prepay, "returnUrl", json!("/relative")),
            "returnUrl",
        ),
        (
            "outpay",
            with(&outpay, "outType", json!("PAYBACK")),
            "outType",
        ),
        (
            "outpay",
            with(&outpay, "channelType", json!("ALI")),
            "channelType",
        ),
        (
            "outpay",
            with(&outpay, "bankCnaps", json!("3081")),
            "bankCnaps",
        ),
        (
            "outpay",
            with(&outpay, "bankAccNum", json!("6225-8801")),
            "bankAccNum",
        ),
        (
            "outpay",
            with(&outpay, "bankAccName", json!("")),
            "bankAccName",
        ),
        ("outpay", with(&outpay, "bankName", json!("")), "bankName"),
        (
            "outpay",
            with(&outpay, "outNotifyUrl", json!("x")),
            "outNotifyUrl",
        ),
        ("outpay", with(&outpay, "amount", json!("-1.00")), "amount"),
        ("outquery", json!({"outReqNo": "OTHER1"}), "outReqNo"),
        ("inquery", json!({}), "data"),
        (
            "create",
            json!({"channelType":"LFT","transDesc":"d","businessId":"B","cashierType":"CARD"}),
            "cashierType",
        ),
        ("find", json!({"transNo":""}), "transNo"),
        (
            "querybankcnaps",
            json!({"bankNameKeyWord":""}),
            "bankNameKeyWord",
        ),
        ("nope", json!({}), "operation"),
    ];
    for (op, data, expected) in table {
        let err = rejected(op, data.clone()).await;
        assert_eq!(field(&err), expected, "{op} {data}");
    }
    // Files are refused.
    let server = pay_core::test_util::mock_server().await;
    let part = pay_core::multipart::FilePart {
        field: "f".into(),
        file_name: "a".into(),
        content_type: "text/plain".into(),
        data: bytes::Bytes::from_static(b"x"),
    };
    let err = client(&server.uri())
        .call_json("find", json!({"transNo":"T"}), vec![part])
        .await
        .unwrap_err();
    assert_eq!(field(&err), "files");
    // A missing base URL is named.
    let err = protocol_pay::Client::with_transport(
        protocol_pay::Config::new(APP, crate::KEY),
        Arc::new(pay_core::test_util::RecordingTransport::new()),
    )
    .call_json("find", json!({"transNo":"T"}), Vec::new())
    .await
    .unwrap_err();
    assert_eq!(field(&err), "base_url");
}

#[tokio::test]
async fn extra_fields_are_sent_but_may_not_repeat_typed_ones() {
    let mut req = protocol_pay::InqueryRequest::new(OUT_REQ_NO);
    req.extra.insert("outReqNo".into(), json!("LFT10010"));
    let server = pay_core::test_util::mock_server().await;
    let err = client(&server.uri()).inquery(&req).await.unwrap_err();
    assert_eq!(field(&err), "extra.outReqNo");
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A reused `outReqNo` on a money-moving call (`prepay`, `outpay`) is "query it", never a
/// plain refusal: `EP10004` (pay-sandbox's code; the spec names none) or a message saying so.
/// A retry is not safe. On any other call the same answer stays a rejection.
#[tokio::test]
async fn a_reused_out_req_no_needs_a_query() {
    for case in cases() {
        for (code, msg) in [
            ("EP10004", "业务系统请求流水号重复"),
            ("EP19999", "订单号重复"),
        ] {
            let signed = signed_response_raw(&config("http://x"), code, msg, "", "t");
            let unsigned = json!({"code": code, "msg": msg}).to_string();
            for body in [signed, unsigned] {
                let (err, _) = run(&case, ResponseTemplate::new(200).set_body_string(body)).await;
                let Error::Provider(p) = &err else {
                    panic!("{}: {err:?}", case.op)
                };
                assert_eq!(p.code, code);
                if matches!(case.op, "prepay" | "outpay") {
                    assert_eq!(p.kind, ProviderErrorKind::DuplicateOrder, "{}", case.op);
                    assert!(err.needs_query(), "{}", case.op);
                    assert!(!err.is_retry_safe(), "{}", case.op);
                    assert_eq!(err.order_id(), case.order_id, "{}", case.op);
                } else {
                    assert_eq!(p.kind, ProviderErrorKind::Rejected, "{}", case.op);
                    assert!(!err.needs_query(), "{}", case.op);
                }
            }
        }
    }
}

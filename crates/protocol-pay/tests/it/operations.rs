//! `OPERATIONS` and `call_json`.

use protocol_pay::OPERATIONS;
use serde_json::json;
use wiremock::Mock;
use wiremock::matchers::path;

use crate::{OUT_REQ_NO, client, ok_response, received};

#[test]
fn operation_names() {
    assert_eq!(
        OPERATIONS,
        [
            "create",
            "find",
            "inquery",
            "outpay",
            "outquery",
            "posclose",
            "prepay",
            "querybankcnaps"
        ]
    );
}

#[tokio::test]
async fn call_json_returns_wire_names() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(path("/api/protocol/inquery"))
        .respond_with(ok_response(r#"{"outReqNo":"LFT1001202010100001","payStatus":"SUCCESS","amount":"1000.5","arrivedStatus":"02","cardNum":"6225880137705555","x":1}"#))
        .mount(&server)
        .await;
    let v = client(&server.uri())
        .call_json("inquery", json!({"outReqNo": OUT_REQ_NO}), Vec::new())
        .await
        .unwrap();
    let (_, sent) = received(&server, "/api/protocol/inquery").await;
    assert_eq!(sent, json!({"outReqNo": OUT_REQ_NO}));
    assert_eq!(
        v,
        json!({"outReqNo": OUT_REQ_NO, "payStatus": "SUCCESS", "amount": "1000.50", "arrivedStatus": "02", "cardNum": "6225880137705555", "x": 1})
    );
}

#[tokio::test]
async fn call_json_list() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(path("/api/protocol/querybankcnaps"))
        .respond_with(ok_response(
            r#"[{"bankName":"工行海淀支行","bankCnaps":"102100000458"}]"#,
        ))
        .mount(&server)
        .await;
    let v = client(&server.uri())
        .call_json(
            "querybankcnaps",
            json!({"bankNameKeyWord": "海淀"}),
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        v,
        json!([{"bankName":"工行海淀支行","bankCnaps":"102100000458"}])
    );
}

/// Every catalog entry's `EXAMPLE` passes the operation's validation (including the client's
/// app-id check of `outReqNo`): `call_json` gets as far as the transport, which refuses to send.
#[tokio::test]
async fn every_example_passes_validation() {
    use std::sync::Arc;

    let refusing = pay_core::transport::transport_fn(|_| async {
        Err(pay_core::TransportError::connect(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused,
        )))
    });
    let client = protocol_pay::Client::with_transport(
        crate::config("http://pay.invalid"),
        Arc::new(refusing),
    )
    .unwrap();
    for doc in protocol_pay::CATALOG {
        let data: serde_json::Value = serde_json::from_str(doc.example).unwrap();
        let err = client
            .call_json(doc.name, data, Vec::new())
            .await
            .unwrap_err();
        assert!(
            matches!(err, pay_core::Error::Transport { .. }),
            "{}: {err:?}",
            doc.name
        );
    }
}

#[test]
fn the_catalog_is_checked() {
    pay_core::test_util::check_catalog(protocol_pay::CATALOG);
    let names: Vec<&str> = protocol_pay::CATALOG.iter().map(|d| d.name).collect();
    assert_eq!(names, OPERATIONS);
}

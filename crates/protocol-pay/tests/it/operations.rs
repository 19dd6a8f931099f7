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

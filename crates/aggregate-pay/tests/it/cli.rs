//! `call_json` and `OPERATIONS`.

use aggregate_pay::OPERATIONS;
use aggregate_pay::test_util::signed_response_body;
use pay_core::Error;
use serde_json::{Map, Value, json};

use crate::{recording, resp_key};

#[tokio::test]
async fn call_json_runs_the_typed_method() {
    assert_eq!(
        OPERATIONS,
        [
            "pay-create-order",
            "pay-query-order",
            "trans-create-order",
            "trans-query-order"
        ]
    );
    let (t, c) = recording();
    let mut body = Map::new();
    body.insert("payOrderId".into(), "P9".into());
    body.insert(
        "payParams".into(),
        json!({"payUrl": "POST;https://b.example/p?x=1"}),
    );
    t.push_response(200, signed_response_body(&body, &resp_key()).unwrap());
    let out = c
        .call_json(
            "pay-create-order",
            json!({
                "mchOrderNo": "O9", "productId": 8001, "amount": 100,
                "notifyUrl": "https://shop.example/n", "subject": "s", "body": "b",
                "extra": {"openId": "o1"}
            }),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(out["payOrderId"], "P9");
    assert_eq!(out["payParams"]["payUrl"], "POST;https://b.example/p?x=1");
    assert_eq!(
        out["action"],
        json!({"form_post": {"url": "https://b.example/p", "fields": [["x", "1"]]}})
    );
    let pairs = pay_core::test_util::form_pairs(t.requests()[0].body());
    let params: Map<String, Value> =
        serde_json::from_str(pay_core::test_util::form_value(&pairs, "params").unwrap()).unwrap();
    assert_eq!(params["productId"], 8001);
    assert_eq!(params["amount"], 100);
    assert_eq!(params["currency"], "cny");
    assert_eq!(params["extra"], "{\"openId\":\"o1\"}");

    // validation is the typed method's
    let e = c
        .call_json(
            "trans-create-order",
            json!({
                "mchTransOrderNo": "T9", "amount": 0, "notifyUrl": "https://shop.example/n",
                "bankCode": "HPT00001", "bankName": "中国银行", "accountType": "1",
                "accountName": "张三", "accountNo": "6222", "province": "江苏", "city": "南京"
            }),
            vec![],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::InvalidInput { ref field, .. } if field == "amount"),
        "{e:?}"
    );
    let e = c
        .call_json("pay-refund", json!({}), vec![])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "operation"));
    let e = c
        .call_json("pay-query-order", json!({"mchOrderNo": 5}), vec![])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "data"));
    assert_eq!(t.requests().len(), 1);
}

//! `list` for every wired provider, and operations of aggregate-pay and yunzhanghu against
//! wiremock.

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{cnpay, report, run, s, stdout, vectors};

#[test]
fn list_prints_the_spec_endpoints() {
    // aggregate-pay: /api/pay/create_order, /api/pay/query_order, /api/trans/create_order,
    // /api/trans/query_order
    let out = cnpay().args(["aggregate-pay", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "pay-create-order\npay-query-order\ntrans-create-order\ntrans-query-order\n"
    );
    // yunzhanghu: /api/payment/v1/…, /api/authentication/…, /api/notify/…, /api/dataservice/…
    let out = cnpay().args(["yunzhanghu", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let ops: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    for op in [
        "order-realtime",
        "order-alipay",
        "order-wxpay",
        "query-realtime-order",
        "query-accounts",
        "order-downloadurl",
        "bill-downloadurl",
        "verify-id",
        "auth-alipay",
        "sign-idcard-image",
        "notify-order-bankcard",
        "notify-order-alipay",
        "notify-order-wxpay",
    ] {
        assert!(ops.iter().any(|o| o == op), "{op} missing from {ops:?}");
    }
}

const AGG_REQ_KEY: &str = "M86l522AV6q613Ii4W6u8K48uW8vM1N6bFgyv769220MdYe9u37N4y7rI5mQ";
const AGG_RESP_KEY: &str = "Hpcl522AV6q613KIi46u6g6XuW8vM1N8bFgyv769770MdYe9u37M4y7rIpl8";

fn aggregate(base: &str) -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_AGGREGATE_PAY_MCH_ID", "20001222")
        .env(
            "CNPAY_AGGREGATE_PAY_APP_ID",
            "0ae8be35ff634e2abe94f5f32f6d5c4f",
        )
        .env("CNPAY_AGGREGATE_PAY_KEY", AGG_REQ_KEY)
        .env("CNPAY_AGGREGATE_PAY_RESPONSE_KEY", AGG_RESP_KEY)
        .env("CNPAY_AGGREGATE_PAY_BASE_URL", base);
    c
}

#[tokio::test(flavor = "multi_thread")]
async fn aggregate_pay_query_order_prints_the_verified_order() {
    let server = pay_core::test_util::mock_server().await;
    let v = &vectors("aggregate-pay")[5];
    assert_eq!(v["name"], "query-order-response");
    Mock::given(method("POST"))
        .and(path("/api/pay/query_order"))
        .respond_with(ResponseTemplate::new(200).set_body_string(s(&v["body"])))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(aggregate(&server.uri()).args([
        "aggregate-pay",
        "pay-query-order",
        "--data",
        r#"{"mchOrderNo":"20160427210604000490"}"#,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(printed["payOrderId"], "P01000020181013115051810");
    assert_eq!(printed["mchOrderNo"], "20160427210604000490");
    // the request was one signed `params` form field
    let req = &server.received_requests().await.unwrap()[0];
    let pairs = pay_core::test_util::form_pairs(&req.body);
    let params: Value =
        serde_json::from_str(pay_core::test_util::form_value(&pairs, "params").unwrap()).unwrap();
    assert_eq!(params["mchId"], "20001222");
    assert_eq!(params["mchOrderNo"], "20160427210604000490");
    let mut unsigned = params.as_object().unwrap().clone();
    let sign = unsigned.remove("sign").unwrap();
    assert_eq!(
        sign,
        json!(sign_md5::ParamSigner::new(AGG_REQ_KEY).sign_json(&unsigned))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn aggregate_pay_refusal_is_exit_3_and_a_tampered_answer_exit_4() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/trans/query_order"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"retCode": "FAIL", "retMsg": "签名错误", "errCode": "0001"})),
        )
        .mount(&server)
        .await;
    let out = run(aggregate(&server.uri()).args([
        "aggregate-pay",
        "trans-query-order",
        "--data",
        r#"{"mchTransOrderNo":"T20160427210604000491"}"#,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let r = report(&out);
    assert_eq!(r["code"], "0001");
    assert_eq!(r["message"], "签名错误");

    let v = &vectors("aggregate-pay")[4];
    assert_eq!(v["valid"], false);
    Mock::given(method("POST"))
        .and(path("/api/pay/query_order"))
        .respond_with(ResponseTemplate::new(200).set_body_string(s(&v["body"])))
        .mount(&server)
        .await;
    let out = run(aggregate(&server.uri()).args([
        "aggregate-pay",
        "pay-query-order",
        "--data",
        r#"{"mchOrderNo":"20160427210604000490"}"#,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(4), "{out:?}");
}

#[test]
fn aggregate_pay_notify_verifies_the_shared_vectors() {
    for v in vectors("aggregate-pay")
        .iter()
        .filter(|v| v["kind"] == "notify")
    {
        let out = cnpay()
            .env("CNPAY_AGGREGATE_PAY_MCH_ID", "20001222")
            .env("CNPAY_AGGREGATE_PAY_APP_ID", "A")
            .env("CNPAY_AGGREGATE_PAY_KEY", AGG_REQ_KEY)
            .env("CNPAY_AGGREGATE_PAY_RESPONSE_KEY", s(&v["key"]))
            .args(["aggregate-pay", "notify", "--method", s(&v["method"])])
            .args(["--query", s(&v["query"])])
            .write_stdin(s(&v["body"]))
            .output()
            .unwrap();
        let names_the_order = [s(&v["query"]), s(&v["body"])]
            .iter()
            .any(|p| p.contains("mchOrderNo=") || p.contains("transOrderId="));
        if v["valid"] == true && names_the_order {
            assert_eq!(out.status.code(), Some(0), "{}: {out:?}", v["name"]);
            let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
            assert_eq!(printed["reply"]["body"], "success", "{}", v["name"]);
        } else if v["valid"] == true {
            // Genuinely signed, but without the merchant's order number (required by spec
            // 2.3.2): verified, then refused as unreadable, never as forged.
            assert_eq!(out.status.code(), Some(4), "{}: {out:?}", v["name"]);
            let report: Value = serde_json::from_slice(&out.stderr).unwrap();
            assert_eq!(report["error"], "decode", "{}: {report}", v["name"]);
            assert!(
                s(&report["message"]).contains("no mchOrderNo"),
                "{}: {report}",
                v["name"]
            );
        } else {
            assert_eq!(out.status.code(), Some(4), "{}: {out:?}", v["name"]);
        }
    }
}

/// The re-partition attack through the CLI: a genuine notification for order SMALL1 whose
/// `param1` is `z&mchOrderNo=BIG1`, re-sent as `mchId=20001222&mchOrderNo=SMALL1&param1=z`,
/// `mchOrderNo=BIG1` under the same sign, is not accepted as a payment of BIG1 (exit 4), and
/// neither is the genuine one, whose sign string is ambiguous.
#[test]
fn aggregate_pay_notify_refuses_a_re_partitioned_notification() {
    let genuine = [
        ("payOrderId", "P01000020181013115051810"),
        ("mchId", "20001222"),
        ("mchOrderNo", "SMALL1"),
        ("amount", "100"),
        ("status", "2"),
        ("param1", "z&mchOrderNo=BIG1"),
        ("paySuccTime", "1539402651000"),
        ("backType", "2"),
    ];
    let sign = sign_md5::ParamSigner::new(AGG_RESP_KEY).sign(genuine);
    let forged = [
        ("payOrderId", "P01000020181013115051810"),
        ("mchId", "20001222&mchOrderNo=SMALL1&param1=z"),
        ("mchOrderNo", "BIG1"),
        ("amount", "100"),
        ("status", "2"),
        ("paySuccTime", "1539402651000"),
        ("backType", "2"),
    ];
    assert_eq!(sign_md5::ParamSigner::new(AGG_RESP_KEY).sign(forged), sign);
    for params in [&genuine[..], &forged[..]] {
        let query = pay_core::form::encode(params.iter().copied().chain([("sign", sign.as_str())]));
        let out = cnpay()
            .env("CNPAY_AGGREGATE_PAY_MCH_ID", "20001222")
            .env("CNPAY_AGGREGATE_PAY_APP_ID", "A")
            .env("CNPAY_AGGREGATE_PAY_KEY", AGG_REQ_KEY)
            .env("CNPAY_AGGREGATE_PAY_RESPONSE_KEY", AGG_RESP_KEY)
            .args(["aggregate-pay", "notify", "--method", "POST"])
            .args(["--query", &query])
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "{out:?}");
        assert!(out.stdout.is_empty(), "{out:?}");
        let r = report(&out);
        assert_eq!(r["error"], "signature", "{r}");
        assert_eq!(r["acknowledge"], false, "{r}");
    }
}

fn yzh(base: &str) -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_YUNZHANGHU_DEALER_ID", "sixcn")
        .env("CNPAY_YUNZHANGHU_BROKER_ID", "0")
        .env(
            "CNPAY_YUNZHANGHU_APP_KEY",
            "78f9b4fad3481fbce1df0b30eee58577",
        )
        .env("CNPAY_YUNZHANGHU_DES3_KEY", "123456788765432112345678")
        .env("CNPAY_YUNZHANGHU_BASE_URL", base);
    c
}

#[tokio::test(flavor = "multi_thread")]
async fn yunzhanghu_business_error_is_exit_3_with_request_id() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("GET"))
        .and(path("/api/payment/v1/query-realtime-order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": "2018", "message": "订单不存在", "request_id": "req-77"}),
        ))
        .mount(&server)
        .await;
    let out = run(yzh(&server.uri()).args([
        "yunzhanghu",
        "query-realtime-order",
        "--data",
        r#"{"order_id":"201609010016562012987","channel":"银行卡"}"#,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let r = report(&out);
    assert_eq!(r["code"], "2018");
    assert_eq!(r["message"], "订单不存在");
    assert_eq!(r["request_id"], "req-77");
    // the request carried the dealer-id header
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.headers.get("dealer-id").unwrap(), "sixcn");
}

#[test]
fn yunzhanghu_transport_failure_is_exit_5() {
    // Nothing listens on port 9 (discard): the connection is refused, nothing was sent.
    let out = yzh("http://127.0.0.1:9")
        .args([
            "yunzhanghu",
            "query-realtime-order",
            "--data",
            r#"{"order_id":"201609010016562012987","channel":"银行卡"}"#,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "transport");
    assert_eq!(r["retry_safe"], true);
}

#[test]
fn huifu_list_prints_the_spec_endpoints() {
    let out = cnpay().args(["huifu", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let ops: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(ops.len(), 25, "{ops:?}");
    for op in [
        "quick-pay",
        "bank-check-card",
        "withdrawal",
        "upload-card",
        "unsgin",
    ] {
        assert!(ops.iter().any(|o| o == op), "{op} missing from {ops:?}");
    }
}

#[test]
fn huifu_missing_settings_are_exit_2_before_anything_is_sent() {
    let out = cnpay()
        .args([
            "huifu",
            "bank-check-card",
            "--data",
            r#"{"card_id":"6225880137705555"}"#,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        report(&out)["message"],
        "missing setting `CNPAY_HUIFU_MER_CUST_ID` (or `mer_cust_id` in [huifu] of the --config file)"
    );
}

use std::time::Duration;

use pay_sandbox::credentials::aggregate as cred;
use pay_sandbox::{Fault, NOTIFY_ROUTE, Provider};
use serde_json::{Value, json};
use sign_md5::ParamSigner;

use crate::{Receiver, form_map, sandbox, wait_status};

/// `mchId` as the `long` the spec's tables give it.
fn mch_id() -> i64 {
    cred::MCH_ID.parse().unwrap()
}

fn signed_params(mut params: Value, key: &str) -> String {
    let obj = params.as_object_mut().unwrap();
    let sign = ParamSigner::new(key).sign_json(obj);
    obj.insert("sign".into(), sign.into());
    params.to_string()
}

async fn post(base: &str, path: &str, params: String) -> Value {
    let resp = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .form(&[("params", params)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.text()
        .await
        .map(|t| serde_json::from_str::<Value>(&t).unwrap())
        .unwrap()
}

/// Verifies a SUCCESS response as a client must: every top-level field except sign/payParams.
fn response_sign_ok(body: &Value) -> bool {
    let obj = body.as_object().unwrap();
    let mut fields = obj.clone();
    fields.remove("payParams");
    let pairs = sign_md5::json_pairs(&fields);
    ParamSigner::new(cred::RESPONSE_KEY).verify(
        pairs.iter().map(|(k, v)| (*k, v.as_ref())),
        obj["sign"].as_str().unwrap(),
    )
}

fn trans(no: &str, amount: i64, notify: &str) -> Value {
    json!({
        "mchId": mch_id(), "appId": cred::APP_ID, "mchTransOrderNo": no, "currency": "cny",
        "amount": amount, "notifyUrl": notify, "accountAttr": "0", "bankCode": "HPT00005",
        "bankName": "招商银行", "accountType": "1", "accountName": "张三",
        "accountNo": "6225880137705555", "province": "江苏", "city": "南京"
    })
}

#[tokio::test]
async fn payout_is_signed_settled_notified_by_get_and_queryable() {
    let sb = sandbox(Provider::AggregatePay).await;
    let rx = Receiver::start(&["success"]).await;
    let base = sb.aggregate_pay_url();
    let body = post(
        &base,
        "/api/trans/create_order",
        signed_params(trans("T1", 12345, &rx.url), cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(body["retCode"], "SUCCESS");
    assert_eq!(body["resCode"], "SUCCESS");
    assert_eq!(body["status"], 1);
    assert_eq!(body["amount"], 12345);
    assert_eq!(body["mchTransOrderNo"], "T1");
    assert!(response_sign_ok(&body));

    let got = rx.wait(1).await;
    assert_eq!(got[0].method, "GET");
    let q = form_map(&got[0].query);
    assert_eq!(q["mchOrderNo"], "T1");
    assert_eq!(q["status"], "2");
    assert_eq!(q["amount"], "12345");
    assert_eq!(q["transOrderId"], body["transOrderId"].as_str().unwrap());
    let pairs: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert!(ParamSigner::new(cred::RESPONSE_KEY).verify(pairs.iter().copied(), &q["sign"]));
    let ack = sb
        .notifications()
        .wait_acknowledged(
            Provider::AggregatePay,
            "T1",
            Some("payout"),
            Duration::from_secs(2),
        )
        .await
        .unwrap();
    assert_eq!(ack.attempt, 1);

    let query = json!({"mchId": mch_id(), "appId": cred::APP_ID, "mchTransOrderNo": "T1"});
    let body = post(
        &base,
        "/api/trans/query_order",
        signed_params(query, cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(body["result"]["status"], 2);
    assert_eq!(body["result"]["amount"], 12345);
    assert!(response_sign_ok(&body));
    assert_eq!(
        sb.requests()
            .count(Provider::AggregatePay, "/api/trans/create_order", "T1"),
        1
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_sign_unknown_merchant_and_bad_amount_fail_unsigned() {
    let sb = sandbox(Provider::AggregatePay).await;
    let base = sb.aggregate_pay_url();
    let url = "http://127.0.0.1:9/n";
    let body = post(
        &base,
        "/api/trans/create_order",
        signed_params(trans("T2", 100, url), "wrong-key"),
    )
    .await;
    assert_eq!(body, json!({"retCode": "FAIL", "retMsg": "签名失败"}));
    let body = post(
        &base,
        "/api/trans/create_order",
        signed_params(trans("T2", 0, url), cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(body["retCode"], "FAIL");
    assert!(body["retMsg"].as_str().unwrap().contains("amount"));
    assert!(body.get("sign").is_none());
    let body = post(
        &base,
        "/api/trans/create_order",
        signed_params(trans("T2", 100, "http://example.com/n"), cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(body["retCode"], "FAIL");
    assert!(body["retMsg"].as_str().unwrap().contains("notifyUrl"));
    assert!(sb.order(Provider::AggregatePay, "T2").is_none());
    sb.shutdown().await;
}

/// The spec's MD5 sign is uppercase hex: the right sign in lowercase is refused like a wrong
/// one (`retCode` `FAIL`, `签名失败`, unsigned) and nothing is created; in uppercase it passes.
#[tokio::test]
async fn a_lowercase_request_sign_is_refused() {
    let sb = sandbox(Provider::AggregatePay).await;
    let base = sb.aggregate_pay_url();
    let url = "http://127.0.0.1:9/n";
    let signed: Value =
        serde_json::from_str(&signed_params(trans("T4", 100, url), cred::REQUEST_KEY)).unwrap();
    let sign = signed["sign"].as_str().unwrap().to_owned();
    assert!(sign.bytes().any(|b| b.is_ascii_uppercase()), "{sign}");
    let mut lower = signed.clone();
    lower["sign"] = sign.to_lowercase().into();
    for path in ["/api/trans/create_order", "/api/trans/query_order"] {
        let body = post(&base, path, lower.to_string()).await;
        assert_eq!(
            body,
            json!({"retCode": "FAIL", "retMsg": "签名失败"}),
            "{path}"
        );
    }
    assert!(sb.order(Provider::AggregatePay, "T4").is_none());
    let body = post(&base, "/api/trans/create_order", signed.to_string()).await;
    assert_eq!(body["retCode"], "SUCCESS", "{body}");
    assert_eq!(body["resCode"], "SUCCESS", "{body}");
    sb.shutdown().await;
}

#[tokio::test]
async fn resend_returns_the_same_payout_and_a_conflict_is_refused() {
    let sb = sandbox(Provider::AggregatePay).await;
    let base = sb.aggregate_pay_url();
    let url = "http://127.0.0.1:9/n";
    let a = post(
        &base,
        "/api/trans/create_order",
        signed_params(trans("T3", 500, url), cred::REQUEST_KEY),
    )
    .await;
    let b = post(
        &base,
        "/api/trans/create_order",
        signed_params(trans("T3", 500, url), cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(a["transOrderId"], b["transOrderId"]);
    let c = post(
        &base,
        "/api/trans/create_order",
        signed_params(trans("T3", 501, url), cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(c["retCode"], "SUCCESS");
    assert_eq!(c["resCode"], "FAIL");
    assert_eq!(c["errCode"], "0011");
    assert!(response_sign_ok(&c));
    assert_eq!(
        sb.order(Provider::AggregatePay, "T3").unwrap().amount.fen(),
        500
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn pay_notification_is_repeated_until_success() {
    let sb = sandbox(Provider::AggregatePay).await;
    let rx = Receiver::start(&["fail", "fail", "success"]).await;
    let params = json!({
        "mchId": mch_id(), "appId": cred::APP_ID, "productId": 8002, "mchOrderNo": "P1",
        "currency": "cny", "amount": 100, "notifyUrl": rx.url, "subject": "测试", "body": "测试商品"
    });
    let body = post(
        &sb.aggregate_pay_url(),
        "/api/pay/create_order",
        signed_params(params, cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(body["retCode"], "SUCCESS");
    assert!(
        body["payParams"]["payUrl"]
            .as_str()
            .unwrap()
            .starts_with(&sb.aggregate_pay_url())
    );
    assert!(response_sign_ok(&body));
    let got = rx.wait(3).await;
    assert!(
        got.iter()
            .all(|r| r.method == "POST" && form_map(&r.query)["status"] == "2")
    );
    let log = sb
        .notifications()
        .wait_acknowledged(Provider::AggregatePay, "P1", None, Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(log.attempt, 3);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(rx.received().len(), 3, "no attempt after success");
    sb.shutdown().await;
}

#[tokio::test]
async fn faults_system_error_wrong_signature_garbage_and_dropped_notifications() {
    let sb = sandbox(Provider::AggregatePay).await;
    let rx = Receiver::start(&["success"]).await;
    let base = sb.aggregate_pay_url();
    let route = "/api/trans/create_order";
    sb.faults()
        .set_times(Provider::AggregatePay, route, Fault::SystemError, 1);
    let body = post(
        &base,
        route,
        signed_params(trans("T4", 100, &rx.url), cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(body["errCode"], "0010");
    assert!(
        sb.order(Provider::AggregatePay, "T4").is_none(),
        "0010 does not create"
    );

    sb.faults()
        .set_times(Provider::AggregatePay, route, Fault::WrongSignature, 1);
    let body = post(
        &base,
        route,
        signed_params(trans("T4", 100, &rx.url), cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(body["resCode"], "SUCCESS");
    assert!(!response_sign_ok(&body));

    sb.faults().set(
        Provider::AggregatePay,
        NOTIFY_ROUTE,
        Fault::DropNotification,
    );
    sb.faults()
        .set_times(Provider::AggregatePay, route, Fault::GarbageBody, 1);
    let resp = reqwest::Client::new()
        .post(format!("{base}{route}"))
        .form(&[(
            "params",
            signed_params(trans("T5", 200, &rx.url), cred::REQUEST_KEY),
        )])
        .send()
        .await
        .unwrap();
    assert!(resp.text().await.unwrap().starts_with("<html>"));
    wait_status(&sb, Provider::AggregatePay, "T5", "2").await;
    sb.notifications()
        .wait_for(Duration::from_secs(2), |r| {
            r.order_id == "T5" && r.attempt == 6
        })
        .await
        .unwrap();
    assert!(
        sb.notifications()
            .for_order(Provider::AggregatePay, "T5")
            .iter()
            .all(|r| r.dropped)
    );
    assert_eq!(
        sb.notifications()
            .for_order(Provider::AggregatePay, "T5")
            .len(),
        6
    );

    sb.faults()
        .set_times(Provider::AggregatePay, route, Fault::ServerError(502), 1);
    let resp = reqwest::Client::new()
        .post(format!("{base}{route}"))
        .form(&[("params", "{}")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 502);
    sb.shutdown().await;
}

/// The sign string joins `name=value` with `&`: a value the gateway echoes into a signed
/// notification (`param1=z&mchOrderNo=BIG1`) could be re-partitioned into another order, so
/// the gateway refuses `&` and `=` in echoed fields, and in any parameter name, as a parameter
/// error (unsigned), and creates nothing.
#[tokio::test]
async fn separators_in_echoed_fields_and_names_are_refused() {
    let sb = sandbox(Provider::AggregatePay).await;
    let base = sb.aggregate_pay_url();
    let url = "http://127.0.0.1:9/n";
    let pay = |no: &str| {
        json!({
            "mchId": mch_id(), "appId": cred::APP_ID, "productId": 8002, "mchOrderNo": no,
            "currency": "cny", "amount": 100, "notifyUrl": url, "subject": "s", "body": "b"
        })
    };
    let mut with_param1 = pay("SMALL1");
    with_param1["param1"] = json!("z&mchOrderNo=BIG1");
    let mut with_subject = pay("SMALL2");
    with_subject["subject"] = json!("a=b");
    let mut with_name = pay("SMALL3");
    with_name["x&mchOrderNo"] = json!("BIG1");
    let mut payout = trans("T9", 100, url);
    payout["param2"] = json!("x&status=3");
    for (path, params, needle) in [
        ("/api/pay/create_order", with_param1, "param1"),
        ("/api/pay/create_order", with_subject, "subject"),
        ("/api/pay/create_order", with_name, "x&mchOrderNo"),
        ("/api/trans/create_order", payout, "param2"),
    ] {
        let body = post(&base, path, signed_params(params, cred::REQUEST_KEY)).await;
        assert_eq!(body["retCode"], "FAIL", "{needle}: {body}");
        assert!(body.get("sign").is_none());
        let msg = body["retMsg"].as_str().unwrap();
        assert!(msg.starts_with("参数格式校验错误"), "{msg}");
        assert!(msg.contains(needle), "{msg}");
    }
    for no in ["SMALL1", "SMALL2", "SMALL3", "T9", "BIG1"] {
        assert!(sb.order(Provider::AggregatePay, no).is_none(), "{no}");
    }
    // `&` or `=` in a value that is never echoed (a notify URL's query) is accepted.
    let mut ok = pay("OK1");
    ok["notifyUrl"] = json!("http://127.0.0.1:9/n?a=1&b=2");
    let body = post(
        &base,
        "/api/pay/create_order",
        signed_params(ok, cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(body["resCode"], "SUCCESS", "{body}");
    sb.shutdown().await;
}

/// The request tables type `mchId` `long`, `productId` and `amount` `int`, `executeNotify`
/// `Boolean`: a string in their place is a parameter error (unsigned), even correctly signed;
/// the pay order query's `mchId` (`String(30)` in 2.2.3) may be either.
#[tokio::test]
async fn typed_fields_given_as_strings_are_refused() {
    let sb = sandbox(Provider::AggregatePay).await;
    let base = sb.aggregate_pay_url();
    let url = "http://127.0.0.1:9/n";
    for (name, text) in [("mchId", cred::MCH_ID), ("amount", "100")] {
        let mut params = trans("S1", 100, url);
        params[name] = json!(text);
        let body = post(
            &base,
            "/api/trans/create_order",
            signed_params(params, cred::REQUEST_KEY),
        )
        .await;
        assert_eq!(body["retCode"], "FAIL", "{name}: {body}");
        assert!(body["retMsg"].as_str().unwrap().contains(name), "{body}");
        assert!(body.get("sign").is_none());
    }
    let query = json!({"mchId": mch_id(), "appId": cred::APP_ID, "mchTransOrderNo": "S1", "executeNotify": "true"});
    let body = post(
        &base,
        "/api/trans/query_order",
        signed_params(query, cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(body["retCode"], "FAIL", "{body}");
    assert!(
        body["retMsg"].as_str().unwrap().contains("executeNotify"),
        "{body}"
    );
    // 2.2.3: mchId String(30) is accepted as a string in the pay order query (no such order).
    let query = json!({"mchId": cred::MCH_ID, "appId": cred::APP_ID, "mchOrderNo": "NONE"});
    let body = post(
        &base,
        "/api/pay/query_order",
        signed_params(query, cred::REQUEST_KEY),
    )
    .await;
    assert_eq!(body["retCode"], "SUCCESS", "{body}");
    assert_eq!(body["errCode"], "0012", "{body}");
}

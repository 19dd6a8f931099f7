use std::time::Duration;

use pay_sandbox::credentials::protocol as cred;
use pay_sandbox::{Fault, Provider};
use serde_json::{Value, json};
use sign_md5::EnvelopeSigner;

use crate::{Receiver, sandbox, wait_status};

const TS: &str = "20201010123015123";

async fn call(base: &str, op: &str, data: &Value, key: &str) -> Value {
    let data = data.to_string();
    let sign = EnvelopeSigner::new(cred::APP_ID, key).sign(&data, TS);
    let env = json!({"appId": cred::APP_ID, "data": data, "timestamp": TS, "sign": sign});
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/protocol/{op}"))
        .header("content-type", "application/json")
        .body(env.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    serde_json::from_str(&resp.text().await.unwrap()).unwrap()
}

fn data_of(resp: &Value) -> Value {
    assert_eq!(resp["code"], "0000", "{resp}");
    let d = resp["data"].as_str().unwrap();
    assert!(EnvelopeSigner::new(cred::APP_ID, cred::KEY).verify(
        d,
        resp["timestamp"].as_str().unwrap(),
        resp["sign"].as_str().unwrap()
    ));
    serde_json::from_str(d).unwrap()
}

#[tokio::test]
async fn protocol_pay_in_notifications_and_pay_out() {
    let sb = sandbox(Provider::ProtocolPay).await;
    let rx = Receiver::start(&["SUCCESS"]).await;
    let base = sb.protocol_pay_url();
    let p = data_of(
        &call(
            &base,
            "create",
            &json!({"channelType": "LFT", "transDesc": "购房", "businessId": cred::BUSINESS_ID}),
            cred::KEY,
        )
        .await,
    );
    let trans_no = p["transNo"].as_str().unwrap().to_owned();
    assert_eq!(p["amount"], "0.00");
    assert_eq!(p["cashierType"], "POS");

    let bad = call(&base, "prepay", &json!({"transNo": trans_no, "outReqNo": "X1", "amount": "1000.50", "outSuccessNotifyUrl": rx.url, "prodCatalog": "01"}), cred::KEY).await;
    assert_eq!(bad["code"], "EP10001");
    assert!(bad["msg"].as_str().unwrap().contains("outReqNo"));
    let out_no = format!("{}0001", cred::APP_ID);
    let d = data_of(&call(&base, "prepay", &json!({"transNo": trans_no, "outReqNo": out_no, "amount": "1000.50", "outSuccessNotifyUrl": rx.url, "outArrivedNotifyUrl": rx.url, "prodCatalog": "01"}), cred::KEY).await);
    assert_eq!(d["payStatus"], "UNPAID");
    assert_eq!(d["posCode"].as_str().unwrap().len(), 6);
    let dup = call(&base, "prepay", &json!({"transNo": trans_no, "outReqNo": out_no, "amount": "1000.50", "outSuccessNotifyUrl": rx.url, "prodCatalog": "01"}), cred::KEY).await;
    assert_eq!(dup["code"], "EP10004");

    let got = rx.wait(2).await;
    for r in &got {
        let env: Value = serde_json::from_str(&r.body).unwrap();
        assert!(EnvelopeSigner::new(cred::APP_ID, cred::KEY).verify(
            env["data"].as_str().unwrap(),
            env["timestamp"].as_str().unwrap(),
            env["sign"].as_str().unwrap()
        ));
    }
    let last: Value = serde_json::from_str(
        serde_json::from_str::<Value>(&got[1].body).unwrap()["data"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["arrivedStatus"], "02");
    let found = data_of(&call(&base, "find", &json!({"transNo": trans_no}), cred::KEY).await);
    assert_eq!(found["amount"], "1000.50");

    let out = |no: &str, amount: &str| json!({"transNo": trans_no, "outReqNo": no, "amount": amount, "channelType": "LFT", "outNotifyUrl": rx.url, "bankAccName": "张三", "bankAccNum": "6225880137705555", "bankName": "招商银行北京海淀支行", "bankCnaps": "308100005158", "outType": "OUT"});
    let r = call(
        &base,
        "outpay",
        &out(&format!("{}0002", cred::APP_ID), "2000.00"),
        cred::KEY,
    )
    .await;
    assert_eq!(r["code"], "EP10005");
    let o = data_of(
        &call(
            &base,
            "outpay",
            &out(&format!("{}0003", cred::APP_ID), "1000.00"),
            cred::KEY,
        )
        .await,
    );
    assert_eq!(o["payStatus"], "PROCESSING");
    wait_status(
        &sb,
        Provider::ProtocolPay,
        &format!("{}0003", cred::APP_ID),
        "SUCCESS",
    )
    .await;
    sb.notifications()
        .wait_acknowledged(
            Provider::ProtocolPay,
            &format!("{}0003", cred::APP_ID),
            Some("pay-out"),
            Duration::from_secs(2),
        )
        .await
        .unwrap();
    let q = data_of(
        &call(
            &base,
            "outquery",
            &json!({"outReqNo": format!("{}0003", cred::APP_ID)}),
            cred::KEY,
        )
        .await,
    );
    assert_eq!(q["payStatus"], "SUCCESS");
    let found = data_of(&call(&base, "find", &json!({"transNo": trans_no}), cred::KEY).await);
    assert_eq!(found["amount"], "0.50");
    assert_eq!(found["outAmount"], "1000.00");
    let nf = call(
        &base,
        "inquery",
        &json!({"outReqNo": "LFT1001nope"}),
        cred::KEY,
    )
    .await;
    assert_eq!(nf["code"], "EP20002");
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_sign_and_wrong_response_signature() {
    let sb = sandbox(Provider::ProtocolPay).await;
    let base = sb.protocol_pay_url();
    let r = call(&base, "find", &json!({"transNo": "x"}), "wrong").await;
    assert_eq!(r["code"], "EP10002");
    assert!(r.get("sign").is_none());
    sb.faults().set_times(
        Provider::ProtocolPay,
        "/api/protocol/create",
        Fault::WrongSignature,
        1,
    );
    let r = call(
        &base,
        "create",
        &json!({"channelType": "LFT", "transDesc": "d", "businessId": "B9"}),
        cred::KEY,
    )
    .await;
    assert_eq!(r["code"], "0000");
    assert!(!EnvelopeSigner::new(cred::APP_ID, cred::KEY).verify(
        r["data"].as_str().unwrap(),
        r["timestamp"].as_str().unwrap(),
        r["sign"].as_str().unwrap()
    ));
    sb.shutdown().await;
}

/// The spec's envelope sign is lowercase hex: the same sign in uppercase is refused `EP10002`,
/// unsigned, and nothing is created.
#[tokio::test]
async fn an_uppercase_request_sign_is_refused() {
    let sb = sandbox(Provider::ProtocolPay).await;
    let base = sb.protocol_pay_url();
    let data = json!({"channelType": "LFT", "transDesc": "购房", "businessId": cred::BUSINESS_ID})
        .to_string();
    let sign = EnvelopeSigner::new(cred::APP_ID, cred::KEY).sign(&data, TS);
    assert!(sign.bytes().any(|b| b.is_ascii_lowercase()), "{sign}");
    let post = |sign: String| {
        let env = json!({"appId": cred::APP_ID, "data": data, "timestamp": TS, "sign": sign});
        let base = base.clone();
        async move {
            let resp = reqwest::Client::new()
                .post(format!("{base}/api/protocol/create"))
                .header("content-type", "application/json")
                .body(env.to_string())
                .send()
                .await
                .unwrap();
            serde_json::from_str::<Value>(&resp.text().await.unwrap()).unwrap()
        }
    };
    let r = post(sign.to_uppercase()).await;
    assert_eq!(r["code"], "EP10002", "{r}");
    assert!(r.get("sign").is_none());
    assert!(r["data"].is_null());
    // The same request, signed as the spec says, is accepted.
    let ok = post(sign).await;
    assert_eq!(ok["code"], "0000", "{ok}");
    sb.shutdown().await;
}

/// `amount` is a JSON string of yuan with exactly two decimals: every other form is refused
/// `EP10001` naming `amount`, on prepay and outpay, and no order is made.
#[tokio::test]
async fn amounts_in_other_forms_are_refused() {
    let sb = sandbox(Provider::ProtocolPay).await;
    let rx = Receiver::start(&["SUCCESS"]).await;
    let base = sb.protocol_pay_url();
    let p = data_of(
        &call(
            &base,
            "create",
            &json!({"channelType": "LFT", "transDesc": "购房", "businessId": cred::BUSINESS_ID}),
            cred::KEY,
        )
        .await,
    );
    let trans_no = p["transNo"].as_str().unwrap().to_owned();
    let bad = [
        json!("1000.5"),
        json!("1000"),
        json!("1000.500"),
        json!("01000.50"),
        json!("+1000.50"),
        json!("-1000.50"),
        json!(" 1000.50"),
        json!("1,000.50"),
        json!("0.00"),
        json!(1000.55),
        json!(100_050),
    ];
    for (i, amount) in bad.iter().enumerate() {
        let no = format!("{}A{i:02}", cred::APP_ID);
        let r = call(&base, "prepay", &json!({"transNo": trans_no, "outReqNo": no, "amount": amount, "outSuccessNotifyUrl": rx.url, "prodCatalog": "01"}), cred::KEY).await;
        assert_eq!(r["code"], "EP10001", "prepay {amount}: {r}");
        assert!(r["msg"].as_str().unwrap().contains("amount"), "{r}");
        assert!(sb.order(Provider::ProtocolPay, &no).is_none());
        let r = call(&base, "outpay", &json!({"transNo": trans_no, "outReqNo": no, "amount": amount, "channelType": "LFT", "outNotifyUrl": rx.url, "bankAccName": "张三", "bankAccNum": "6225880137705555", "bankName": "招商银行北京海淀支行", "bankCnaps": "308100005158", "outType": "OUT"}), cred::KEY).await;
        assert_eq!(r["code"], "EP10001", "outpay {amount}: {r}");
        assert!(r["msg"].as_str().unwrap().contains("amount"), "{r}");
        assert!(sb.order(Provider::ProtocolPay, &no).is_none());
    }
    let no = format!("{}A99", cred::APP_ID);
    let d = data_of(&call(&base, "prepay", &json!({"transNo": trans_no, "outReqNo": no, "amount": "0.50", "outSuccessNotifyUrl": rx.url, "prodCatalog": "01"}), cred::KEY).await);
    assert_eq!(d["amount"], "0.50");
    sb.shutdown().await;
}

/// An acknowledgement the spec does not allow (lowercase `success`, an unsigned or wrongly
/// signed `PayCommonVo` with `code` `0000`) is not one: the notification is sent again, until a
/// signed `PayCommonVo` acknowledges it, and not after.
#[tokio::test]
async fn invalid_acknowledgements_are_retried_until_a_signed_one() {
    let sb = sandbox(Provider::ProtocolPay).await;
    let signed = {
        let data = json!({"outReqNo": "LFT1001A1"}).to_string();
        let sign = EnvelopeSigner::new(cred::APP_ID, cred::KEY).sign(&data, TS);
        json!({"code": "0000", "msg": "SUCCESS", "data": data, "appId": cred::APP_ID, "timestamp": TS, "sign": sign})
    };
    let mut wrong = signed.clone();
    wrong["sign"] = json!(signed["sign"].as_str().unwrap().to_uppercase());
    let unsigned = json!({"code": "0000", "msg": "SUCCESS"}).to_string();
    let (wrong, signed) = (wrong.to_string(), signed.to_string());
    let rx = Receiver::start(&["success", &unsigned, &wrong, &signed]).await;
    let base = sb.protocol_pay_url();
    let p = data_of(
        &call(
            &base,
            "create",
            &json!({"channelType": "LFT", "transDesc": "购房", "businessId": cred::BUSINESS_ID}),
            cred::KEY,
        )
        .await,
    );
    let no = format!("{}0001", cred::APP_ID);
    data_of(&call(&base, "prepay", &json!({"transNo": p["transNo"], "outReqNo": no, "amount": "10.00", "outSuccessNotifyUrl": rx.url, "prodCatalog": "01"}), cred::KEY).await);
    let log = sb
        .notifications()
        .wait_acknowledged(
            Provider::ProtocolPay,
            &no,
            Some("pay-in"),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(log.attempt, 4);
    let attempts = sb.notifications().for_order(Provider::ProtocolPay, &no);
    let acks: Vec<bool> = attempts.iter().map(|a| a.acknowledged).collect();
    assert_eq!(acks, [false, false, false, true], "{attempts:?}");
    assert!(attempts.iter().all(|a| a.status == Some(200)));
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        rx.received().len(),
        4,
        "no attempt after the acknowledgement"
    );
    sb.shutdown().await;
}

/// The data of a received notification envelope, after checking its sign.
fn notified_data(body: &str) -> Value {
    let env: Value = serde_json::from_str(body).unwrap();
    let d = env["data"].as_str().unwrap();
    assert!(EnvelopeSigner::new(cred::APP_ID, cred::KEY).verify(
        d,
        env["timestamp"].as_str().unwrap(),
        env["sign"].as_str().unwrap()
    ));
    serde_json::from_str(d).unwrap()
}

/// On request (amounts in fen ending in 66): a pay-in's §9 is sent again after its §10, with
/// the data then current; a pay-out's §11 carries only the fields every pay-out answer has.
#[tokio::test]
async fn scripted_late_pay_result_and_a_lean_pay_out_notification() {
    let sb = sandbox(Provider::ProtocolPay).await;
    let rx = Receiver::start(&["SUCCESS"]).await;
    let base = sb.protocol_pay_url();
    let p = data_of(
        &call(
            &base,
            "create",
            &json!({"channelType": "LFT", "transDesc": "购房", "businessId": cred::BUSINESS_ID}),
            cred::KEY,
        )
        .await,
    );
    let trans_no = p["transNo"].as_str().unwrap().to_owned();
    let in_no = format!("{}0066", cred::APP_ID);
    data_of(&call(&base, "prepay", &json!({"transNo": trans_no, "outReqNo": in_no, "amount": "1000.66", "outSuccessNotifyUrl": format!("{}/paid", rx.url), "outArrivedNotifyUrl": format!("{}/arrived", rx.url), "prodCatalog": "01"}), cred::KEY).await);
    sb.notifications()
        .wait_acknowledged(
            Provider::ProtocolPay,
            &in_no,
            Some("pay-in-resend"),
            Duration::from_secs(2),
        )
        .await
        .unwrap();
    let attempts = sb.notifications().for_order(Provider::ProtocolPay, &in_no);
    let seen: Vec<(&str, String)> = attempts
        .iter()
        .map(|a| (a.kind.as_str(), a.url.replace(&rx.url, "")))
        .collect();
    assert_eq!(
        seen,
        [
            ("pay-in", "/paid".to_owned()),
            ("arrived", "/arrived".to_owned()),
            ("pay-in-resend", "/paid".to_owned())
        ]
    );
    let (first, arrived, late) = (
        notified_data(&attempts[0].body),
        notified_data(&attempts[1].body),
        notified_data(&attempts[2].body),
    );
    assert_eq!(first["payStatus"], "SUCCESS");
    assert_eq!(first["arrivedStatus"], "01");
    assert_eq!(arrived["arrivedStatus"], "02");
    assert_eq!(late["outReqNo"], in_no.as_str());
    assert_eq!(late["payStatus"], "SUCCESS");
    assert_eq!(late["arrivedStatus"], "02");
    assert_eq!(late["amount"], "1000.66");

    let out_no = format!("{}0067", cred::APP_ID);
    data_of(&call(&base, "outpay", &json!({"transNo": trans_no, "outReqNo": out_no, "amount": "100.66", "channelType": "LFT", "outNotifyUrl": format!("{}/out", rx.url), "bankAccName": "张三", "bankAccNum": "6225880137705555", "bankName": "招商银行北京海淀支行", "bankCnaps": "308100005158", "outType": "OUT"}), cred::KEY).await);
    sb.notifications()
        .wait_acknowledged(
            Provider::ProtocolPay,
            &out_no,
            Some("pay-out"),
            Duration::from_secs(2),
        )
        .await
        .unwrap();
    let attempts = sb.notifications().for_order(Provider::ProtocolPay, &out_no);
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0].url, format!("{}/out", rx.url));
    let lean = notified_data(&attempts[0].body);
    let mut keys: Vec<&str> = lean
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "amount",
            "appId",
            "channelType",
            "createTime",
            "outReqNo",
            "payOrderNo",
            "payStatus",
            "transNo"
        ]
    );
    assert_eq!(lean["payStatus"], "SUCCESS");
    assert_eq!(lean["amount"], "100.66");
    // The query still answers the whole VO.
    let q = data_of(&call(&base, "outquery", &json!({"outReqNo": out_no}), cred::KEY).await);
    assert_eq!(q["outType"], "OUT");
    assert_eq!(q["bankCnaps"], "308100005158");

    // An amount not ending in 66: no resend, the whole VO in §11.
    let plain = format!("{}0068", cred::APP_ID);
    data_of(&call(&base, "outpay", &json!({"transNo": trans_no, "outReqNo": plain, "amount": "100.00", "channelType": "LFT", "outNotifyUrl": format!("{}/out", rx.url), "bankAccName": "张三", "bankAccNum": "6225880137705555", "bankName": "招商银行北京海淀支行", "bankCnaps": "308100005158", "outType": "OUT"}), cred::KEY).await);
    let got = rx.wait(5).await;
    let full = notified_data(&got[4].body);
    assert_eq!(full["outReqNo"], plain.as_str());
    assert_eq!(full["outType"], "OUT");
    assert_eq!(full["bankAccNum"], "6225880137705555");
    assert_eq!(got.len(), 5);
    sb.shutdown().await;
}

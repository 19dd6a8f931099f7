//! `cnpay protocol-pay <operation>` and `notify` against wiremock.

use serde_json::{Value, json};
use sign_md5::EnvelopeSigner;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{cnpay, report, run, s, stdout, vectors};

const APP: &str = "LFT1001";
const KEY: &str = "a8f5f167f44f4964e6c998dee827110c";

fn cmd(base: &str) -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_PROTOCOL_PAY_APP_ID", APP)
        .env("CNPAY_PROTOCOL_PAY_KEY", KEY)
        .env("CNPAY_PROTOCOL_PAY_BASE_URL", base);
    c
}

fn signed_vo(code: &str, msg: &str, data: &Value) -> Value {
    let data = data.to_string();
    let ts = "20201010123120456";
    json!({
        "code": code, "msg": msg, "appId": APP, "data": data, "timestamp": ts,
        "sign": EnvelopeSigner::new(APP, KEY).sign(&data, ts),
    })
}

fn outpay_data() -> Value {
    json!({
        "transNo": "T20201010001",
        "outReqNo": "LFT1001202010100009",
        "amount": "1000.50",
        "channelType": "LFT",
        "outNotifyUrl": "https://merchant.example/lft/out",
        "bankAccName": "张三",
        "bankAccNum": "6225880137705555",
        "bankName": "招商银行",
        "bankCnaps": "308584000013",
        "outType": "OUT",
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn outpay_sends_a_signed_envelope_and_prints_the_verified_answer() {
    let server = pay_core::test_util::mock_server().await;
    let answer = json!({
        "outReqNo": "LFT1001202010100009", "payStatus": "PROCESSING", "transNo": "T20201010001",
        "amount": "1000.50",
    });
    Mock::given(method("POST"))
        .and(path("/api/protocol/outpay"))
        .respond_with(ResponseTemplate::new(200).set_body_json(signed_vo("0000", "成功", &answer)))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(cmd(&server.uri()).args([
        "protocol-pay",
        "outpay",
        "--data",
        &outpay_data().to_string(),
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(printed["outReqNo"], "LFT1001202010100009");
    assert_eq!(printed["payStatus"], "PROCESSING");
    assert_eq!(printed["amount"], "1000.50");

    // What the server received: a signed envelope whose data carries every field given.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let env: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(env["appId"], APP);
    let data = s(&env["data"]);
    let ts = s(&env["timestamp"]);
    assert_eq!(ts.len(), 17);
    assert_eq!(env["sign"], EnvelopeSigner::new(APP, KEY).sign(data, ts));
    let sent: Value = serde_json::from_str(data).unwrap();
    for (k, v) in outpay_data().as_object().unwrap() {
        assert_eq!(&sent[k], v, "{k}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_business_error_is_exit_3_with_code_and_message() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/protocol/outquery"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": "EP20003", "msg": "出金订单不存在"})),
        )
        .mount(&server)
        .await;
    let out = run(cmd(&server.uri()).args([
        "protocol-pay",
        "outquery",
        "--data",
        r#"{"outReqNo":"LFT1001202010100009"}"#,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert_eq!(r["error"], "provider");
    assert_eq!(r["code"], "EP20003");
    assert_eq!(r["message"], "出金订单不存在");
    assert_eq!(r["kind"], "not_found:pay-out order");
    assert_eq!(r["request_id"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_timeout_on_a_payout_is_exit_5_naming_the_order_to_query() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/protocol/outpay"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(std::time::Duration::from_secs(5))
                .set_body_json(signed_vo("0000", "", &json!({}))),
        )
        .mount(&server)
        .await;
    let out = run(cmd(&server.uri())
        .env("CNPAY_PROTOCOL_PAY_TIMEOUT", "1")
        .args([
            "protocol-pay",
            "outpay",
            "--data",
            &outpay_data().to_string(),
        ]))
    .await;
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "unknown_outcome");
    assert_eq!(r["may_have_been_received"], true);
    assert_eq!(r["order_id"], "LFT1001202010100009");
    assert_eq!(
        r["next"],
        "the request may have been received: query order `LFT1001202010100009` before sending anything again"
    );
    // sent exactly once: never resent
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_answer_is_exit_4() {
    let server = pay_core::test_util::mock_server().await;
    let mut vo = signed_vo(
        "0000",
        "",
        &json!({"outReqNo": "LFT1001202010100009", "payStatus": "SUCCESS"}),
    );
    vo["data"] = json!(r#"{"outReqNo":"LFT1001202010100009","payStatus":"FAILURE"}"#);
    Mock::given(method("POST"))
        .and(path("/api/protocol/outquery"))
        .respond_with(ResponseTemplate::new(200).set_body_json(vo))
        .mount(&server)
        .await;
    let out = run(cmd(&server.uri()).args([
        "protocol-pay",
        "outquery",
        "--data",
        r#"{"outReqNo":"LFT1001202010100009"}"#,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert_eq!(report(&out)["error"], "signature");
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_is_exit_2_and_nothing_is_sent() {
    let server = pay_core::test_util::mock_server().await;
    let mut data = outpay_data();
    data["outReqNo"] = json!("OTHER0001");
    let out =
        run(cmd(&server.uri()).args(["protocol-pay", "outpay", "--data", &data.to_string()])).await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let r = report(&out);
    assert_eq!(r["field"], "outReqNo");
    assert_eq!(r["sent"], false);
    // not JSON at all
    let out = run(cmd(&server.uri()).args(["protocol-pay", "outpay", "--data", "{oops"])).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(report(&out)["field"], "data");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn list_prints_the_spec_endpoints() {
    let out = cnpay().args(["protocol-pay", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // /api/protocol/{create,find,prepay,posclose,inquery,outpay,outquery,querybankcnaps}
    assert_eq!(
        stdout(&out),
        "create\nfind\ninquery\noutpay\noutquery\nposclose\nprepay\nquerybankcnaps\n"
    );
}

#[test]
fn notify_verifies_and_prints_event_and_reply() {
    let data = r#"{"outReqNo":"LFT1001202010100001","transNo":"T1","payStatus":"SUCCESS","amount":"1000.50","channelType":"LFT"}"#;
    let ts = "20201010123500000";
    let body = json!({
        "appId": APP, "data": data, "timestamp": ts,
        "sign": EnvelopeSigner::new(APP, KEY).sign(data, ts),
    })
    .to_string();
    let out = cnpay()
        .env("CNPAY_PROTOCOL_PAY_APP_ID", APP)
        .env("CNPAY_PROTOCOL_PAY_KEY", KEY)
        .args([
            "protocol-pay",
            "notify",
            "--kind",
            "pay-result",
            "--header",
            "content-type: application/json",
        ])
        .write_stdin(body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["event"]["data"]["outReqNo"], "LFT1001202010100001");
    assert_eq!(v["event"]["data"]["payStatus"], "SUCCESS");
    assert_eq!(v["event"]["timestamp"], ts);
    assert_eq!(v["event"]["kind"], "pay-result");
    assert_eq!(v["transition"]["kind"], "payment");
    assert_eq!(
        v["transition"]["dedup_key"],
        "protocol-pay:payment:succeeded:LFT1001202010100001"
    );
    assert_eq!(v["reply"]["body"], "SUCCESS");
    assert_eq!(v["reply"]["status"], 200);

    // the shared tampered vector
    let t = &vectors("protocol-pay")[3];
    assert_eq!(t["valid"], false);
    let out = cnpay()
        .env("CNPAY_PROTOCOL_PAY_APP_ID", APP)
        .env("CNPAY_PROTOCOL_PAY_KEY", KEY)
        .args(["protocol-pay", "notify"])
        .write_stdin(s(&t["envelope"]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{out:?}");

    // Correctly signed, but `amount` is not an amount: not to be trusted either (exit 4), and
    // reported as a notification, not as an answer to a request that "may have been
    // received".
    let data = r#"{"outReqNo":"LFT1001202010100001","transNo":"T1","payStatus":"SUCCESS","amount":"abc","channelType":"LFT"}"#;
    let body = json!({
        "appId": APP, "data": data, "timestamp": ts,
        "sign": EnvelopeSigner::new(APP, KEY).sign(data, ts),
    })
    .to_string();
    let out = cnpay()
        .env("CNPAY_PROTOCOL_PAY_APP_ID", APP)
        .env("CNPAY_PROTOCOL_PAY_KEY", KEY)
        .args(["protocol-pay", "notify"])
        .write_stdin(body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert_eq!(r["error"], "decode", "{r}");
    assert_eq!(r["notification"], true);
    assert_eq!(r["acknowledge"], false);
    assert!(r.get("may_have_been_received").is_none(), "{r}");
    assert!(r.get("next").is_none(), "{r}");
}

/// A signed notification envelope around `data` (exact JSON text).
fn notification(data: &Value) -> String {
    let data = data.to_string();
    let ts = "20201010123500000";
    json!({
        "appId": APP, "data": data, "timestamp": ts,
        "sign": EnvelopeSigner::new(APP, KEY).sign(&data, ts),
    })
    .to_string()
}

/// A §11 carrying only the fields every pay-out answer has: no `outType`, no bank account.
fn bare_payout() -> String {
    notification(&json!({
        "transNo": "T20201010001", "appId": APP, "channelType": "LFT", "amount": "1000.66",
        "outReqNo": "LFT1001202010100009", "payOrderNo": "PO1", "payStatus": "SUCCESS",
        "createTime": "2020-10-10 12:30:00",
    }))
}

/// A §10: the pay-in VO with `arrivedStatus` `02`.
fn funds_arrived() -> String {
    notification(&json!({
        "transNo": "T20201010001", "appId": APP, "channelType": "LFT", "amount": "1000.50",
        "outReqNo": "LFT1001202010100001", "payOrderNo": "PI1", "payStatus": "SUCCESS",
        "arrivedStatus": "02", "cashierType": "POS", "posCode": "123456",
        "payFinishTime": "2020-10-10 12:31:00", "payArriveTime": "2020-10-10 12:32:00",
    }))
}

fn notify(args: &[&str], body: String) -> std::process::Output {
    cnpay()
        .env("CNPAY_PROTOCOL_PAY_APP_ID", APP)
        .env("CNPAY_PROTOCOL_PAY_KEY", KEY)
        .args(["protocol-pay", "notify"])
        .args(args)
        .write_stdin(body)
        .output()
        .unwrap()
}

#[test]
fn notify_kind_payout_reads_a_bare_pay_out_notification() {
    let out = notify(&["--kind", "payout"], bare_payout());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["event"]["kind"], "payout-arrived");
    assert_eq!(v["event"]["data"]["outReqNo"], "LFT1001202010100009");
    assert_eq!(v["event"]["data"].get("outType"), None);
    assert_eq!(
        v["transition"],
        json!({
            "kind": "payout",
            "order_id": "LFT1001202010100009",
            "amount_fen": 100_066,
            "status": "succeeded",
            "final": true,
            "dedup_key": "protocol-pay:payout:succeeded:LFT1001202010100009",
        })
    );
    assert_eq!(v["reply"]["body"], "SUCCESS");
}

#[test]
fn notify_without_kind_refuses_a_bare_pay_out_notification_as_ambiguous() {
    let out = notify(&[], bare_payout());
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert_eq!(r["error"], "decode", "{r}");
    assert_eq!(r["notification"], true);
    assert_eq!(r["acknowledge"], false);
    assert!(r.to_string().contains("ambiguous"), "{r}");
}

#[test]
fn notify_funds_arrived_is_read_at_its_endpoint_and_refused_at_a_shared_or_payout_one() {
    // §10 at the funds-arrived endpoint: the funds_arrived event.
    let out = notify(&["--kind", "funds-arrived"], funds_arrived());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["event"]["kind"], "funds-arrived");
    assert_eq!(v["transition"]["kind"], "funds_arrived");
    assert_eq!(v["transition"]["amount_fen"], 100_050);
    assert_eq!(
        v["transition"]["dedup_key"],
        "protocol-pay:funds_arrived:succeeded:LFT1001202010100001"
    );
    // Without a kind: the same data as a §9 resent after it, refused as ambiguous.
    let out = notify(&[], funds_arrived());
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert_eq!(r["error"], "decode", "{r}");
    assert!(r.to_string().contains("ambiguous"), "{r}");
    // At the pay-out endpoint: a pay-in, refused.
    let out = notify(&["--kind", "payout"], funds_arrived());
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert!(r.to_string().contains("pay-in field"), "{r}");
}

#[test]
fn notify_declared_kinds_refuse_contradicting_notifications() {
    // A whole §11 (it carries outType and the bank account) at the pay-result endpoint.
    let full_payout = notification(&json!({
        "transNo": "T20201010001", "appId": APP, "channelType": "LFT", "amount": "1000.50",
        "outReqNo": "LFT1001202010100009", "payOrderNo": "PO1", "payStatus": "SUCCESS",
        "outType": "OUT", "bankAccName": "张三", "bankAccNum": "6225880137705555",
        "bankName": "招商银行", "bankCnaps": "308584000013",
    }));
    let out = notify(&["--kind", "pay-result"], full_payout.clone());
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert_eq!(r["error"], "decode", "{r}");
    assert!(r.to_string().contains("pay-out field `outType`"), "{r}");
    // ...and read without a kind (its fields say pay-out).
    let out = notify(&[], full_payout);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["transition"]["kind"], "payout");

    // A §9 (funds not arrived, 01) at the funds-arrived endpoint.
    let paid = notification(&json!({
        "transNo": "T20201010001", "appId": APP, "amount": "1000.50",
        "outReqNo": "LFT1001202010100001", "payStatus": "SUCCESS", "arrivedStatus": "01",
        "cashierType": "POS",
    }));
    let out = notify(&["--kind", "funds-arrived"], paid);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(report(&out).to_string().contains("arrivedStatus is 01"));

    // The §10's data at the pay-result endpoint is what a §9 resent after §10 carries: read as
    // the payment (the paid event again, a duplicate for an inbox), never as funds arrived.
    let out = notify(&["--kind", "pay-result"], funds_arrived());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["event"]["kind"], "pay-result");
    assert_eq!(v["transition"]["kind"], "payment");
    assert_eq!(
        v["transition"]["dedup_key"],
        "protocol-pay:payment:succeeded:LFT1001202010100001"
    );
}

#[test]
fn notify_with_the_wrong_expected_amount_is_a_mismatch() {
    let out = notify(
        &[
            "--kind",
            "payout",
            "--expect-order",
            "LFT1001202010100009",
            "--expect-amount",
            "100066",
        ],
        bare_payout(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = notify(
        &[
            "--kind",
            "payout",
            "--expect-order",
            "LFT1001202010100009",
            "--expect-amount",
            "100000",
        ],
        bare_payout(),
    );
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert_eq!(r["error"], "mismatch", "{r}");
    assert_eq!(r["field"], "amount");
    assert_eq!(r["expected"], "1000.00");
    assert_eq!(r["got"], "1000.66");
    assert_eq!(r["order_id"], "LFT1001202010100009");
    assert_eq!(r["acknowledge"], false);
}

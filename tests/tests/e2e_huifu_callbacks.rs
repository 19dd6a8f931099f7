//! End-to-end: the `bg_ret_url` callbacks of the requests that move no money (card binding,
//! unbinding, sub-account creation, ID card upload, the quick pay's SMS request), as the
//! sandbox sends them, taken by the `huifu` client's verifier: every `check_value` is decoded
//! by the gateway's `unsgin` (which takes only what it issued), and the callbacks the client
//! can classify are confirmed by its `confirm_callback` (a binding or unbinding as a card
//! binding, a sub-account as an account the gateway answers for).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_common;

use std::time::Duration;

use bytes::Bytes;
use e2e_common::{DEADLINE, sandbox};
use huifu::notify::ConfirmedCallback;
use huifu::{Client, Config};
use pay_core::IncomingNotification;
use pay_core::multipart::FilePart;
use pay_sandbox::credentials::huifu as cred;
use pay_sandbox::{Provider, Sandbox};
use serde_json::{Value, json};

/// Nobody listens here: the callbacks are read from the sandbox's record of its attempts.
const CALLBACK_URL: &str = "http://127.0.0.1:9/cb";

fn client(sandbox: &Sandbox) -> Client {
    let config = Config::builder(cred::MER_CUST_ID, cred::CLIENT_ID, cred::CLIENT_SECRET)
        .base_url(sandbox.huifu_url())
        .timeout(Duration::from_secs(5))
        .allow_private_callback_urls()
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

/// The first callback the sandbox sent about `order_id`, as the merchant receives it.
async fn callback_of(sandbox: &Sandbox, order_id: &str) -> IncomingNotification {
    let record = sandbox
        .notifications()
        .wait_for(DEADLINE, |r| {
            r.provider == Provider::Huifu && r.order_id == order_id && !r.tampered
        })
        .await
        .unwrap_or_else(|| panic!("no callback about {order_id}"));
    assert_eq!(record.method, "POST");
    assert_eq!(record.url, CALLBACK_URL);
    IncomingNotification::post_form(Bytes::from(record.body))
}

/// What the gateway's `unsgin` decodes of the callback, as JSON.
async fn unsigned(client: &Client, n: &IncomingNotification) -> Value {
    let cv = huifu::notify::check_value(n).unwrap();
    let claims = client.decode_callback_via_unsgin(&cv).await.unwrap();
    serde_json::to_value(&claims).unwrap()
}

async fn call(client: &Client, op: &str, data: Value, files: Vec<FilePart>) -> Value {
    client.call_json(op, data, files).await.unwrap()
}

fn image(field: &str) -> FilePart {
    FilePart {
        field: field.into(),
        file_name: format!("{field}.jpg"),
        content_type: "image/jpeg".into(),
        data: Bytes::from_static(&[0xff, 0xd8, 0xff, 0xe0, 0, 0x10]),
    }
}

#[tokio::test]
async fn the_callbacks_that_move_no_money_are_decoded_by_the_gateway_and_confirmed() {
    let sandbox = sandbox(Provider::Huifu).await;
    let c = client(&sandbox);
    let day = c.today();
    let order = |s: &str| format!("{day}{s}");

    let opened = call(
        &c,
        "person-opening",
        json!({"order_id": order("U1"), "order_date": day, "user_name": "张三",
               "cert_id": "11010519491231002X", "user_mobile": "13812345678",
               "vali_date": "20301231", "bg_ret_url": CALLBACK_URL}),
        vec![],
    )
    .await;
    let user = opened["user_cust_id"].as_str().unwrap().to_owned();

    // binding: confirmed as a card binding (nothing to query), claims decoded by unsgin
    let bound = call(
        &c,
        "bind-bank-card",
        json!({"user_cust_id": user, "order_id": order("B1"), "order_date": day,
               "bank_id": "03080000", "card_no": "6225880137705555", "dc_flag": "0",
               "card_prov": "0011", "card_area": "1100", "card_mobile": "13812345678",
               "bg_ret_url": CALLBACK_URL}),
        vec![],
    )
    .await;
    let card_id = bound["card_id"].as_str().unwrap().to_owned();
    let n = callback_of(&sandbox, &order("B1")).await;
    let claims = unsigned(&c, &n).await;
    assert_eq!(claims["resp_code"], "C00000");
    assert_eq!(claims["order_id"], order("B1"));
    assert_eq!(claims["user_cust_id"], user);
    assert_eq!(claims["card_id"], card_id);
    match c.confirm_callback(&n, None).await.unwrap() {
        ConfirmedCallback::CardBinding(b) => {
            assert_eq!(
                (b.claimed_order_id, b.claimed_order_date),
                (order("B1"), day.clone())
            );
        }
        other => panic!("{other:?}"),
    }

    // sub-account: confirmed as an account the gateway answers for
    let sub = call(
        &c,
        "sub-merchant-create",
        json!({"user_cust_id": user, "order_id": order("SA1"), "order_date": day,
               "acct_type": "200", "bg_ret_url": CALLBACK_URL}),
        vec![],
    )
    .await;
    let n = callback_of(&sandbox, &order("SA1")).await;
    let claims = unsigned(&c, &n).await;
    assert_eq!(claims["acct_id"], sub["acct_id"]);
    match c.confirm_callback(&n, None).await.unwrap() {
        ConfirmedCallback::Opening(o) => {
            assert_eq!(o.user_cust_id, user);
            assert_eq!(o.order_id, order("SA1"));
        }
        other => panic!("{other:?}"),
    }

    // ID card upload: decoded by unsgin, the claims as sent
    let uploaded = call(
        &c,
        "upload-card",
        json!({"user_cust_id": user, "order_id": order("UC1"), "order_date": day,
               "cert_id": "11010519491231002X", "cert_name": "张三", "cert_type": "00",
               "source_channel": "0", "bg_ret_url": CALLBACK_URL}),
        vec![image("file1"), image("file2")],
    )
    .await;
    let n = callback_of(&sandbox, &order("UC1")).await;
    let claims = unsigned(&c, &n).await;
    assert_eq!(claims["resp_desc"], "上传成功");
    assert_eq!(claims["file_id"], uploaded["file_id"]);
    assert_eq!(claims["user_cust_id"], user);

    // the quick pay's SMS request
    call(
        &c,
        "send-quick-pay-sms-code",
        json!({"user_cust_id": user, "order_id": order("S1"), "order_date": day,
               "trans_amt": "8.00", "card_no": "6225880137705555",
               "card_mobile": "13812345678", "bg_ret_url": CALLBACK_URL}),
        vec![],
    )
    .await;
    let n = callback_of(&sandbox, &order("S1")).await;
    let claims = unsigned(&c, &n).await;
    assert_eq!(claims["resp_desc"], "短信发送成功");
    assert_eq!(claims["order_id"], order("S1"));
    assert_eq!(claims["trans_amt"], "8.00");

    // unbinding: a card binding again
    call(
        &c,
        "untie-bank-card",
        json!({"user_cust_id": user, "order_id": order("UT1"), "order_date": day,
               "bank_id": "03080000", "card_id": card_id, "card_mobile": "13812345678",
               "card_buss_type": "0", "bg_ret_url": CALLBACK_URL}),
        vec![],
    )
    .await;
    let n = callback_of(&sandbox, &order("UT1")).await;
    assert_eq!(unsigned(&c, &n).await["resp_desc"], "解绑成功");
    assert!(matches!(
        c.confirm_callback(&n, None).await.unwrap(),
        ConfirmedCallback::CardBinding(_)
    ));
    sandbox.shutdown().await;
}

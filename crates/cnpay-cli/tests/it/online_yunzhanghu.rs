//! `cnpay yunzhanghu <operation>` against wiremock, on the success path: what the server
//! received is verified and decrypted with the provider crate's envelope functions and checked
//! field by field; what is printed is the decoded answer.

use cnpay::yunzhanghu::sign::{self, Envelope, Keys};
use pay_core::{KeyRing, SecretKey};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{cnpay, multipart_parts, query_pairs, report, run, stdout, temp_dir};

const DEALER: &str = "sixcn";
const BROKER: &str = "yunyi";
const APP_KEY: &str = "78f9b4fad3481fbce1df0b30eee58577";
const DES3_KEY: &str = "123456788765432112345678";

fn yzh(base: &str) -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_YUNZHANGHU_DEALER_ID", DEALER)
        .env("CNPAY_YUNZHANGHU_BROKER_ID", BROKER)
        .env("CNPAY_YUNZHANGHU_APP_KEY", APP_KEY)
        .env("CNPAY_YUNZHANGHU_DES3_KEY", DES3_KEY)
        .env("CNPAY_YUNZHANGHU_BASE_URL", base);
    c
}

fn keys() -> Keys {
    Keys::new(KeyRing::from(APP_KEY), &SecretKey::new(DES3_KEY)).unwrap()
}

/// Checks the envelope fields (in the spec's order, nothing else), verifies the sign and
/// returns the decrypted plaintext as JSON.
fn open_envelope(pairs: &[(String, String)]) -> Value {
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["data", "mess", "timestamp", "sign", "sign_type"]);
    assert_eq!(pairs[4].1, "sha256");
    assert!(!pairs[1].1.is_empty());
    let ts: i64 = pairs[2].1.parse().unwrap();
    let now = crate::common::now_unix();
    assert!((now - 600..=now + 5).contains(&ts), "{ts}");
    // the sign, recomputed independently of the verifier …
    assert_eq!(
        pairs[3].1,
        sign::sign(&pairs[0].1, &pairs[1].1, ts, &SecretKey::new(APP_KEY))
    );
    // … and the whole envelope opened (verified, then decrypted)
    let envelope = Envelope::from_params(pairs).unwrap();
    let plain = sign::open(&envelope, &keys()).unwrap();
    serde_json::from_str(&plain).unwrap()
}

fn assert_headers(req: &wiremock::Request) {
    assert_eq!(req.headers.get("dealer-id").unwrap(), DEALER);
    let rid = req.headers.get("request-id").unwrap().to_str().unwrap();
    assert!(!rid.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn order_realtime_sends_a_sealed_payout_and_prints_the_answer() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/payment/v1/order-realtime"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "0000",
            "message": "操作成功",
            "request_id": "req-order-1",
            "data": {"order_id": "202009010016562012987", "ref": "176826728298982", "pay": "99.99"},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let data = json!({
        "order_id": "202009010016562012987",
        "real_name": "张三",
        "card_no": "6228880199872220",
        "phone_no": "13412345678",
        "id_card": "11010519491231002X",
        "pay": "99.99",
        "anchor_id": "anchor-7",
        "notes": "九月劳务费",
        "pay_remark": "九月劳务费",
        "project_id": "p-1",
    });
    let out =
        run(yzh(&server.uri()).args(["yunzhanghu", "order-realtime", "--data", &data.to_string()]))
            .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        printed,
        json!({
            "message": "操作成功",
            "request_id": "req-order-1",
            "data": {"order_id": "202009010016562012987", "ref": "176826728298982", "pay": "99.99"},
        })
    );

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(req.url.query(), None);
    assert_eq!(
        req.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert_headers(req);
    let plaintext = open_envelope(&pay_core::test_util::form_pairs(&req.body));
    // every given field, plus the dealer and broker from the settings, and nothing else
    let mut want = data.clone();
    want["dealer_id"] = json!(DEALER);
    want["broker_id"] = json!(BROKER);
    assert_eq!(plaintext, want);
}

#[tokio::test(flavor = "multi_thread")]
async fn query_realtime_order_decrypts_an_encrypted_answer() {
    let server = pay_core::test_util::mock_server().await;
    // The spec's sample order, encrypted as `data_type=encryption` asks.
    let order = json!({
        "pay": "100.00",
        "anchor_id": "test",
        "broker_amount": "-/-",
        "broker_id": "yunyi",
        "card_no": "6228021232235288058",
        "dealer_id": "sixcn",
        "id_card": "120101198812142146",
        "order_id": "201609010016562012999",
        "phone_no": "18601318616",
        "real_name": "测试",
        "ref": "79822056820047883",
        "notes": "56244623 20160901-1",
        "status": 1,
        "status_detail": 0,
        "status_message": "已打款",
        "status_detail_message": "已打款",
        "sys_amount": "100.00",
        "pay_remark": "",
        "tax": "-/-",
        "tax_level": "",
        "created_at": "2017-10-16 20:58:29",
        "finished_time": "2017-10-16 20:58:30",
    });
    let encry_data = keys().encrypt(order.to_string().as_bytes());
    Mock::given(method("GET"))
        .and(path("/api/payment/v1/query-realtime-order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "0000",
            "message": "操作成功",
            "request_id": "1234",
            "data": {"encry_data": encry_data},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let query = json!({
        "order_id": "201609010016562012999",
        "channel": "银行卡",
        "data_type": "encryption",
    });
    let out = run(yzh(&server.uri()).args([
        "yunzhanghu",
        "query-realtime-order",
        "--data",
        &query.to_string(),
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(printed["message"], "操作成功");
    assert_eq!(printed["request_id"], "1234");
    // the decrypted order, under its wire names, as the spec prints it
    assert_eq!(printed["data"], order);

    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.method.as_str(), "GET");
    assert!(req.body.is_empty());
    assert_headers(req);
    assert_eq!(open_envelope(&query_pairs(req)), query);
}

#[tokio::test(flavor = "multi_thread")]
async fn order_downloadurl_prints_the_url() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("GET"))
        .and(path("/api/dataservice/v1/order/downloadurl"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "0000",
            "message": "操作成功",
            "request_id": "req-dl",
            "data": {"order_download_url": "https://files.example/orders/2020-09-01.zip?sig=abc"},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(yzh(&server.uri()).args([
        "yunzhanghu",
        "order-downloadurl",
        "--data",
        r#"{"order_date":"2020-09-01"}"#,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        printed,
        json!({
            "message": "操作成功",
            "request_id": "req-dl",
            "data": {"order_download_url": "https://files.example/orders/2020-09-01.zip?sig=abc"},
        })
    );
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.method.as_str(), "GET");
    assert_headers(req);
    assert_eq!(
        open_envelope(&query_pairs(req)),
        json!({"order_date": "2020-09-01"})
    );

    // a date in the wrong form is refused before sending, naming the field
    let out = run(yzh(&server.uri()).args([
        "yunzhanghu",
        "order-downloadurl",
        "--data",
        r#"{"order_date":"20200901"}"#,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "order_date");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_idcard_image_uploads_the_sealed_fields_and_both_images() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/payment/v1/sign/idcard/image"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": "0000", "data": {}, "message": "操作成功", "request_id": "req-img"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let dir = temp_dir("yzh-idcard");
    let front = dir.join("id_card.jpg");
    let back = dir.join("id_card_background.png");
    std::fs::write(&front, b"\xff\xd8\xff\xe0front").unwrap();
    std::fs::write(&back, b"\x89PNG\r\n\x1a\nback").unwrap();
    let out = run(yzh(&server.uri())
        .args([
            "yunzhanghu",
            "sign-idcard-image",
            "--data",
            r#"{"real_name":"张三","id_card":"11010519491231002X"}"#,
        ])
        .arg("--file")
        .arg(format!("id_card_image={}", front.display()))
        .arg("--file")
        .arg(format!("id_card_image_background={}", back.display())))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        printed,
        json!({"message": "操作成功", "request_id": "req-img", "data": {}})
    );

    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.method.as_str(), "POST");
    assert_headers(req);
    let parts = multipart_parts(req);
    assert_eq!(parts.len(), 7);
    let fields: Vec<(String, String)> = parts[..5]
        .iter()
        .map(|p| {
            assert_eq!(p.file_name, None);
            (p.name.clone(), String::from_utf8(p.data.clone()).unwrap())
        })
        .collect();
    assert_eq!(
        open_envelope(&fields),
        json!({
            "dealer_id": DEALER,
            "broker_id": BROKER,
            "real_name": "张三",
            "id_card": "11010519491231002X",
        })
    );
    assert_eq!(parts[5].name, "id_card_image");
    assert_eq!(parts[5].file_name.as_deref(), Some("id_card.jpg"));
    assert_eq!(parts[5].content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(parts[5].data, b"\xff\xd8\xff\xe0front");
    assert_eq!(parts[6].name, "id_card_image_background");
    assert_eq!(
        parts[6].file_name.as_deref(),
        Some("id_card_background.png")
    );
    assert_eq!(parts[6].content_type.as_deref(), Some("image/png"));
    assert_eq!(parts[6].data, b"\x89PNG\r\n\x1a\nback");

    // without the back image nothing is sent, and the missing file is named
    let out = run(yzh(&server.uri())
        .args([
            "yunzhanghu",
            "sign-idcard-image",
            "--data",
            r#"{"real_name":"张三","id_card":"11010519491231002X"}"#,
        ])
        .arg("--file")
        .arg(format!("id_card_image={}", front.display())))
    .await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "id_card_image_background");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payout_that_times_out_is_exit_5_naming_the_order() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/payment/v1/order-realtime"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(std::time::Duration::from_secs(5))
                .set_body_json(json!({"code": "0000", "data": {}})),
        )
        .mount(&server)
        .await;
    let out = run(yzh(&server.uri())
        .env("CNPAY_YUNZHANGHU_TIMEOUT", "1")
        .args([
            "yunzhanghu",
            "order-realtime",
            "--data",
            r#"{"order_id":"O-T1","real_name":"张三","card_no":"6228880199872220","id_card":"11010519491231002X","pay":"1.00"}"#,
        ]))
    .await;
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "unknown_outcome");
    assert_eq!(r["may_have_been_received"], true);
    assert_eq!(r["order_id"], "O-T1");
    assert_eq!(r["retry_safe"], false);
    // sent once, never again
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// `cnpay` with standard output on `/dev/full`: every write to it fails.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn a_payout_answer_that_cannot_be_printed_is_not_called_a_usage_error() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/payment/v1/order-realtime"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "0000",
            "message": "操作成功",
            "request_id": "req-order-2",
            "data": {"order_id": "202009010016562012988", "ref": "176826728298983", "pay": "1.00"},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let data = json!({
        "order_id": "202009010016562012988",
        "real_name": "张三",
        "card_no": "6228880199872220",
        "id_card": "11010519491231002X",
        "pay": "1.00",
    });
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cnpay"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CNPAY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("CNPAY_YUNZHANGHU_DEALER_ID", DEALER)
        .env("CNPAY_YUNZHANGHU_BROKER_ID", BROKER)
        .env("CNPAY_YUNZHANGHU_APP_KEY", APP_KEY)
        .env("CNPAY_YUNZHANGHU_DES3_KEY", DES3_KEY)
        .env("CNPAY_YUNZHANGHU_BASE_URL", server.uri())
        .args(["yunzhanghu", "order-realtime", "--data", &data.to_string()])
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        );
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    // The payout was sent (and accepted): the command must not say "nothing was sent, run it
    // again" (exit 2), but that the answer is lost and the order is to be queried.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "answer_not_written", "{r}");
    assert_eq!(r["may_have_been_received"], true);
    assert_eq!(r["retry_safe"], false);
    assert!(
        r["next"].as_str().unwrap().contains("query the order"),
        "{r}"
    );
}

/// An empty standard input (`< /dev/null`, a cron job) means no fields, as on a terminal: the
/// balance query needs none and is sent.
#[tokio::test(flavor = "multi_thread")]
async fn an_empty_standard_input_is_no_fields() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("GET"))
        .and(path("/api/payment/v1/query-accounts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "0000", "message": "操作成功", "request_id": "req-acc-1",
            "data": {"dealer_infos": []},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(yzh(&server.uri())
        .args(["yunzhanghu", "query-accounts"])
        .write_stdin(""))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(printed["request_id"], "req-acc-1");
    let req = &server.received_requests().await.unwrap()[0];
    let plaintext = open_envelope(&query_pairs(req));
    assert_eq!(plaintext, json!({"dealer_id": DEALER}));
}

/// A status callback for `order_id`, sealed with the dealer's keys, as a form body.
fn callback(order_id: &str, dealer: &str, status: i64, detail: i64, notify_id: &str) -> String {
    let plain = json!({
        "notify_id": notify_id,
        "notify_time": "2024-01-01 12:00:00",
        "data": {
            "order_id": order_id, "pay": "100.00", "dealer_id": dealer, "broker_id": BROKER,
            "status": status, "status_detail": detail, "ref": "R1",
        },
    });
    sign::seal(&plain.to_string(), "m1", 1_700_000_000, &keys()).to_form()
}

fn notify(args: &[&str], body: String) -> assert_cmd::Command {
    let mut c = yzh("http://127.0.0.1:9");
    c.args(["yunzhanghu", "notify"])
        .args(args)
        .write_stdin(body);
    c
}

/// `notify` prints the transition: paid (1) is succeeded but not final, a return (9) is a new
/// event, returned and final; the dedup key names the transition, never the notify_id.
#[tokio::test(flavor = "multi_thread")]
async fn notify_prints_paid_not_final_and_the_return_as_a_new_final_event() {
    let out = run(&mut notify(&[], callback("O1", DEALER, 1, 0, "N1"))).await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        printed["transition"],
        json!({"kind": "payout", "order_id": "O1", "amount_fen": 10_000, "status": "succeeded",
               "final": false, "dedup_key": "yunzhanghu:payout:succeeded:O1"})
    );
    assert_eq!(printed["event"]["notify_id"], "N1");
    assert_eq!(printed["reply"]["body"], "success");

    let out = run(&mut notify(
        &["--expect-order", "O1", "--expect-amount", "10000"],
        callback("O1", DEALER, 9, 213, "N2"),
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        printed["transition"],
        json!({"kind": "payout", "order_id": "O1", "amount_fen": 10_000, "status": "returned",
               "final": true, "dedup_key": "yunzhanghu:payout:returned:O1"})
    );
}

/// A callback that disagrees with the order (the amount) or names another dealer is exit 4,
/// `mismatch`, naming the field.
#[tokio::test(flavor = "multi_thread")]
async fn notify_refuses_a_mismatch() {
    let out = run(&mut notify(
        &["--expect-order", "O1", "--expect-amount", "9999"],
        callback("O1", DEALER, 1, 0, "N1"),
    ))
    .await;
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert_eq!(r["error"], "mismatch", "{r}");
    assert_eq!(r["field"], "amount");
    assert_eq!(r["expected"], "99.99");
    assert_eq!(r["got"], "100.00");

    let out = run(&mut notify(&[], callback("O1", "other-dealer", 1, 0, "N1"))).await;
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "mismatch", "{r}");
    assert_eq!(r["field"], "dealer_id");
    assert_eq!(r["expected"], DEALER);
    assert_eq!(r["got"], "other-dealer");
}

/// `--inbox sqlite://…`: the first notice of an event is processed (`duplicate: false`), a
/// resend under a new notify id, in a later run of the command on the same file, is a duplicate
/// that is still answered with the reply; a later, different event (the return) is new.
#[tokio::test(flavor = "multi_thread")]
async fn notify_inbox_deduplicates_across_runs_by_business_event() {
    let dir = std::env::temp_dir().join(format!("cnpay-inbox-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("inbox.db");
    let _ = std::fs::remove_file(&db);
    let url = format!("sqlite://{}", db.display());
    let inbox = ["--inbox", url.as_str()];

    let first = run(&mut notify(&inbox, callback("O7", DEALER, 1, 0, "N1"))).await;
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let printed: Value = serde_json::from_str(&stdout(&first)).unwrap();
    assert_eq!(printed["duplicate"], false);
    assert_eq!(
        printed["transition"]["dedup_key"],
        "yunzhanghu:payout:succeeded:O7"
    );

    let resent = run(&mut notify(&inbox, callback("O7", DEALER, 1, 0, "N2"))).await;
    assert_eq!(resent.status.code(), Some(0), "{resent:?}");
    let printed: Value = serde_json::from_str(&stdout(&resent)).unwrap();
    assert_eq!(printed["duplicate"], true);
    assert_eq!(printed["reply"]["body"], "success");

    let returned = run(&mut notify(&inbox, callback("O7", DEALER, 9, 213, "N3"))).await;
    let printed: Value = serde_json::from_str(&stdout(&returned)).unwrap();
    assert_eq!(printed["duplicate"], false);
    assert_eq!(printed["transition"]["status"], "returned");

    // Without --inbox there is no `duplicate` field: the command keeps no record.
    let plain = run(&mut notify(&[], callback("O7", DEALER, 1, 0, "N4"))).await;
    let printed: Value = serde_json::from_str(&stdout(&plain)).unwrap();
    assert!(printed.get("duplicate").is_none(), "{printed}");

    // A store that cannot be opened: nothing is acknowledged.
    let bad = run(&mut notify(
        &["--inbox", "mysql://nowhere"],
        callback("O7", DEALER, 1, 0, "N5"),
    ))
    .await;
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
    assert!(bad.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `--config` table configures the client (read as the library reads a config file), the
/// environment wins over it, and its errors name the setting as the environment's do.
#[tokio::test]
async fn the_config_file_configures_the_client_and_the_environment_wins() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("GET"))
        .and(path("/api/payment/v1/query-accounts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "0000", "message": "操作成功", "request_id": "r",
            "data": {"dealer_infos": []},
        })))
        .expect(2)
        .mount(&server)
        .await;
    let dir = temp_dir("config-file");
    let file = dir.join("cnpay.toml");
    let table = |extra: &str| {
        format!(
            "[yunzhanghu]\ndealer_id = \"FILE-DEALER\"\nbroker_id = \"{BROKER}\"\n\
             app_key = \"{APP_KEY}\"\nbase_url = \"http://127.0.0.1:9\"\n{extra}"
        )
    };
    let query = |file: &std::path::Path| {
        let mut c = cnpay();
        c.env("CNPAY_YUNZHANGHU_BASE_URL", server.uri()).args([
            "--config",
            file.to_str().unwrap(),
            "yunzhanghu",
            "query-accounts",
            "--data",
            "{}",
        ]);
        c
    };
    std::fs::write(
        &file,
        table(&format!("des3_key = \"{DES3_KEY}\"\ntimeout = 7\n")),
    )
    .unwrap();
    let out = run(&mut query(&file)).await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.headers.get("dealer-id").unwrap(), "FILE-DEALER");
    let plain = open_envelope(&query_pairs(req));
    assert_eq!(plain, json!({"dealer_id": "FILE-DEALER"}));

    // a setting missing from the file (and the environment) is named as ever
    std::fs::write(&file, table("")).unwrap();
    let out = run(&mut query(&file)).await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        report(&out)["message"],
        "missing setting `CNPAY_YUNZHANGHU_DES3_KEY` (or `des3_key` in [yunzhanghu] of the --config file)"
    );
    // the environment fills it in
    let out = run(query(&file).env("CNPAY_YUNZHANGHU_DES3_KEY", DES3_KEY)).await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // a timeout out of range in the file
    std::fs::write(
        &file,
        table(&format!("des3_key = \"{DES3_KEY}\"\ntimeout = 301\n")),
    )
    .unwrap();
    let out = run(&mut query(&file)).await;
    assert_eq!(
        report(&out)["message"],
        "`CNPAY_YUNZHANGHU_TIMEOUT` (or `timeout` in [yunzhanghu] of the --config file) must be a whole number of seconds from 1 to 300"
    );
    let _ = std::fs::remove_dir_all(dir);
}

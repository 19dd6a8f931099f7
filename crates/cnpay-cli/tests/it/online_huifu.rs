//! `cnpay huifu <operation>` against wiremock: the form body, the Prism authentication, a
//! multipart upload from `--file`, and every failure's exit code.

use cnpay::huifu::sign::prism_sign;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{cnpay, multipart_parts, query_pairs, report, run, stdout, temp_dir};

const MER: &str = "6666000000000001";
const CLIENT_ID: &str = "app-key-1";
const SECRET: &str = "app-secret-1";
const WITHDRAWAL: &str = "/api/hfpay/v1/trade/withdrawal";
const UPLOAD_CARD: &str = "/api/hfpay/v1/merchant/upload_card";

fn huifu(base: &str) -> assert_cmd::Command {
    let mut c = cnpay();
    c.env("CNPAY_HUIFU_MER_CUST_ID", MER)
        .env("CNPAY_HUIFU_KEY", CLIENT_ID)
        .env("CNPAY_HUIFU_SECRET", SECRET)
        .env("CNPAY_HUIFU_BASE_URL", base);
    c
}

/// Every field of the withdrawal, under the spec's wire names.
fn withdrawal_data() -> Value {
    json!({
        "user_cust_id": "6666000000000002",
        "order_id": "W20240101",
        "order_date": "20240101",
        "trans_amt": "100000.00",
        "cash_bind_card_id": "BC0001",
        "cash_type": "T0",
        "fee_obj": "M",
        "fee_acct_id": "216548",
        "sms_code": "123456",
        "ret_url": "https://shop.example/ret",
        "bg_ret_url": "https://shop.example/cb",
        "mer_priv": "priv-w",
    })
}

/// Checks the Prism sign authentication of a received request over `form`, and that nothing
/// else is in the query.
/// Checks the query's Prism sign; `headers` are the signed headers expected (the bearer token).
fn assert_prism_signed_with(
    req: &wiremock::Request,
    headers: &[(String, String)],
    form: &[(String, String)],
) {
    let query = query_pairs(req);
    let names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["client_id", "sign_method", "sign_time", "sign"]);
    assert_eq!(query[0].1, CLIENT_ID);
    assert_eq!(query[1].1, "md5");
    let sign_time: i64 = query[2].1.parse().unwrap();
    let now = crate::common::now_unix();
    assert!((now - 600..=now + 5).contains(&sign_time), "{sign_time}");
    // the secret itself is never sent
    assert!(!req.url.as_str().contains(SECRET));
    let expected = prism_sign(
        SECRET,
        req.method.as_str(),
        req.url.path(),
        headers,
        &query[..3],
        form,
    );
    assert_eq!(query[3].1, expected);
}

fn assert_prism_signed(req: &wiremock::Request, form: &[(String, String)]) {
    assert_prism_signed_with(req, &[], form);
}

#[tokio::test(flavor = "multi_thread")]
async fn withdrawal_sends_every_field_signed_and_prints_the_answer() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path(WITHDRAWAL))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resp_code": "C00001",
            "resp_desc": "处理中",
            "mer_cust_id": MER,
            "user_cust_id": "6666000000000002",
            "order_id": "W20240101",
            "order_date": "20240101",
            "trans_amt": "100000.00",
            "trans_stat": "I",
            "platform_seq_id": "HF2024010100000009",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(huifu(&server.uri()).args([
        "huifu",
        "withdrawal",
        "--data",
        &withdrawal_data().to_string(),
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        printed,
        json!({
            "resp_code": "C00001",
            "resp_desc": "处理中",
            "mer_cust_id": MER,
            "user_cust_id": "6666000000000002",
            "order_id": "W20240101",
            "order_date": "20240101",
            "trans_amt": "100000.00",
            "trans_stat": "I",
            "platform_seq_id": "HF2024010100000009",
        })
    );

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(req.url.path(), WITHDRAWAL);
    assert_eq!(
        req.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert!(req.headers.get("authorization").is_none());
    // the body: mer_cust_id from the settings, then every given field, nothing else
    let form = pay_core::test_util::form_pairs(&req.body);
    assert_eq!(form[0], ("mer_cust_id".to_owned(), MER.to_owned()));
    let mut sent: Vec<(String, String)> = form[1..].to_vec();
    sent.sort();
    let mut want: Vec<(String, String)> = withdrawal_data()
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    want.sort();
    assert_eq!(sent, want);
    assert_prism_signed(req, &form);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bearer_token_rides_on_top_of_client_id_and_the_prism_sign() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("GET"))
        .and(path("/api/hfpay/app/bank_check/card/6225880137705555"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"resp_code": "C00000", "resp_desc": "成功", "bank_name": "招商银行"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(huifu(&server.uri())
        .env("CNPAY_HUIFU_TOKEN", "tok-secret-1")
        .args([
            "huifu",
            "bank-check-card",
            "--data",
            r#"{"card_id":"6225880137705555"}"#,
        ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(printed["resp_code"], "C00000");
    assert_eq!(printed["bank_name"], "招商银行");
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        req.headers.get("authorization").unwrap(),
        "Bearer tok-secret-1"
    );
    assert!(req.body.is_empty());
    // the app's client_id and sign are still sent, and the sign covers the bearer header
    assert_prism_signed_with(
        req,
        &[("Authorization".to_owned(), "Bearer tok-secret-1".to_owned())],
        &[],
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("tok-secret-1"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_business_error_is_exit_3_with_code_message_and_order() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path(WITHDRAWAL))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resp_code": "E11012",
            "resp_desc": "账户余额不足",
            "order_id": "W20240101",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(huifu(&server.uri()).args([
        "huifu",
        "withdrawal",
        "--data",
        &withdrawal_data().to_string(),
    ]))
    .await;
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert_eq!(r["error"], "provider");
    assert_eq!(r["code"], "E11012");
    assert_eq!(r["message"], "账户余额不足");
    assert_eq!(r["order_id"], "W20240101");
    assert_eq!(r["kind"], "rejected");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_401_from_the_gateway_is_exit_3_unauthorized_and_not_resent() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path(WITHDRAWAL))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"result": "error", "error": {"code": "invalid_token", "message": "token expired"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(huifu(&server.uri())
        .env("CNPAY_HUIFU_TOKEN", "tok-expired")
        .args([
            "huifu",
            "withdrawal",
            "--data",
            &withdrawal_data().to_string(),
        ]))
    .await;
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "provider");
    assert_eq!(r["code"], "invalid_token");
    assert_eq!(r["message"], "token expired");
    assert_eq!(r["kind"], "unauthorized");
    assert_eq!(r["order_id"], "W20240101");
    // a static token cannot be refreshed: the withdrawal is sent once only
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_garbled_answer_to_a_withdrawal_is_exit_5_naming_the_order_to_query() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path(WITHDRAWAL))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>502 bad gate"))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(huifu(&server.uri()).args([
        "huifu",
        "withdrawal",
        "--data",
        &withdrawal_data().to_string(),
    ]))
    .await;
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert_eq!(r["error"], "decode");
    assert_eq!(r["may_have_been_received"], true);
    assert_eq!(r["retry_safe"], false);
    assert_eq!(r["order_id"], "W20240101");
    assert_eq!(
        r["next"],
        "the request may have been received: query order `W20240101` before sending anything again"
    );
}

const JPEG: &[u8] = b"\xff\xd8\xff\xe0front-of-card";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nback-of-card";

fn upload_card_data() -> Value {
    json!({
        "user_cust_id": "6666000000000002",
        "order_id": "UC20240101",
        "order_date": "20240101",
        "cert_id": "11010519491231002X",
        "cert_name": "张三",
        "cert_type": "00",
        "source_channel": "1",
        "bg_ret_url": "https://shop.example/cb",
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_card_sends_the_fields_and_both_files_from_file_options() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path(UPLOAD_CARD))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"resp_code": "C00000", "resp_desc": "成功", "order_id": "UC20240101"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let dir = temp_dir("huifu-upload");
    let front = dir.join("front.jpg");
    let back = dir.join("back.png");
    std::fs::write(&front, JPEG).unwrap();
    std::fs::write(&back, PNG).unwrap();
    let out = run(huifu(&server.uri())
        .args([
            "huifu",
            "upload-card",
            "--data",
            &upload_card_data().to_string(),
        ])
        .arg("--file")
        .arg(format!("file2={}", back.display()))
        .arg("--file")
        .arg(format!("file1={}", front.display())))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        printed,
        json!({"resp_code": "C00000", "resp_desc": "成功", "order_id": "UC20240101"})
    );

    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.method.as_str(), "POST");
    let parts = multipart_parts(req);
    // the text fields: mer_cust_id first, then every given field
    let texts: Vec<(String, String)> = parts
        .iter()
        .filter(|p| p.file_name.is_none())
        .map(|p| {
            assert_eq!(p.content_type, None);
            (p.name.clone(), String::from_utf8(p.data.clone()).unwrap())
        })
        .collect();
    assert_eq!(texts[0], ("mer_cust_id".to_owned(), MER.to_owned()));
    let mut sent = texts[1..].to_vec();
    sent.sort();
    let mut want: Vec<(String, String)> = upload_card_data()
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    want.sort();
    assert_eq!(sent, want);
    // then the two files, file1 before file2 whatever the order on the command line
    let files: Vec<_> = parts.iter().filter(|p| p.file_name.is_some()).collect();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].name, "file1");
    assert_eq!(files[0].file_name.as_deref(), Some("front.jpg"));
    assert_eq!(files[0].content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(files[0].data, JPEG);
    assert_eq!(files[1].name, "file2");
    assert_eq!(files[1].file_name.as_deref(), Some("back.png"));
    assert_eq!(files[1].content_type.as_deref(), Some("image/png"));
    assert_eq!(files[1].data, PNG);
    assert_eq!(parts.len(), texts.len() + 2);
    // the Prism sign covers the text fields
    assert_prism_signed(req, &texts);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_card_without_a_file_or_with_a_bad_one_is_exit_2_and_nothing_is_sent() {
    let server = pay_core::test_util::mock_server().await;
    let dir = temp_dir("huifu-upload-bad");
    let front = dir.join("front.jpg");
    std::fs::write(&front, JPEG).unwrap();
    let text = dir.join("back.jpg");
    std::fs::write(&text, b"not an image").unwrap();
    let data = upload_card_data().to_string();
    // file2 missing
    let out = run(huifu(&server.uri())
        .args(["huifu", "upload-card", "--data", &data])
        .arg("--file")
        .arg(format!("file1={}", front.display())))
    .await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "file2");
    // file2 is not an image
    let out = run(huifu(&server.uri())
        .args(["huifu", "upload-card", "--data", &data])
        .arg("--file")
        .arg(format!("file1={}", front.display()))
        .arg("--file")
        .arg(format!("file2={}", text.display())))
    .await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "file2");
    // a file that does not exist, and a --file without NAME=
    let out = run(huifu(&server.uri())
        .args(["huifu", "upload-card", "--data", &data])
        .args(["--file", "file1=/nonexistent/front.jpg"]))
    .await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // a local file that cannot be read: the documented `io` report, naming the file
    let r = report(&out);
    assert_eq!(r["error"], "io", "{r}");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("--file file1: cannot read `/nonexistent/front.jpg`"),
        "{r}"
    );
    let out = run(huifu(&server.uri())
        .args(["huifu", "upload-card", "--data", &data])
        .arg("--file")
        .arg(front.display().to_string()))
    .await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // files for an operation that takes none
    let out = run(huifu(&server.uri())
        .args([
            "huifu",
            "withdrawal",
            "--data",
            &withdrawal_data().to_string(),
        ])
        .arg("--file")
        .arg(format!("file1={}", front.display())))
    .await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "files");
    assert!(server.received_requests().await.unwrap().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_is_exit_2_naming_the_wire_field_and_nothing_is_sent() {
    let server = pay_core::test_util::mock_server().await;
    let mut data = withdrawal_data();
    data["trans_amt"] = json!("0.00");
    let out =
        run(huifu(&server.uri()).args(["huifu", "withdrawal", "--data", &data.to_string()])).await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let r = report(&out);
    assert_eq!(r["field"], "trans_amt");
    assert_eq!(r["sent"], false);
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A loopback `bg_ret_url` is refused before sending (the spec requires a public address),
/// unless `CNPAY_HUIFU_ALLOW_PRIVATE_CALLBACK_URLS=true` (a test gateway such as the sandbox);
/// any other value of the setting is a usage error.
#[tokio::test(flavor = "multi_thread")]
async fn a_private_callback_url_needs_the_opt_in_setting() {
    let server = pay_core::test_util::mock_server().await;
    let mut data = withdrawal_data();
    data["bg_ret_url"] = json!("http://127.0.0.1:8080/cb");
    let args = ["huifu", "withdrawal", "--data", &data.to_string()];
    let out = run(huifu(&server.uri()).args(args)).await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "bg_ret_url");
    let out = run(huifu(&server.uri())
        .env("CNPAY_HUIFU_ALLOW_PRIVATE_CALLBACK_URLS", "yes")
        .args(args))
    .await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        report(&out)["message"],
        "CNPAY_HUIFU_ALLOW_PRIVATE_CALLBACK_URLS must be `true` or `false`"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
    Mock::given(method("POST"))
        .and(path(WITHDRAWAL))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resp_code": "C00002", "resp_desc": "已受理", "order_id": "W20240101",
            "order_date": "20240101", "mer_cust_id": MER, "trans_amt": "100000.00"
        })))
        .mount(&server)
        .await;
    let out = run(huifu(&server.uri())
        .env("CNPAY_HUIFU_ALLOW_PRIVATE_CALLBACK_URLS", "true")
        .args(args))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1);
    let form = pay_core::test_util::form_pairs(&sent[0].body);
    assert!(form.contains(&(
        "bg_ret_url".to_owned(),
        "http://127.0.0.1:8080/cb".to_owned()
    )));
}

/// A callback the gateway will not decode (a forged or corrupted `check_value`) is not to be
/// trusted: exit 4, reported as a notification, never acknowledged. A gateway that cannot be
/// reached says nothing about the callback: exit 5.
#[tokio::test(flavor = "multi_thread")]
async fn notify_refused_by_the_gateway_is_exit_4_and_unreachable_is_exit_5() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/hfpay/v1/trade/unsgin"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"resp_code": "E10001", "resp_desc": "check_value 解签失败"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let forged = "check_value=Zm9yZ2Vk";
    let out = run(huifu(&server.uri())
        .args([
            "huifu",
            "notify",
            "--header",
            "content-type: application/x-www-form-urlencoded",
        ])
        .write_stdin(forged))
    .await;
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert_eq!(r["error"], "provider", "{r}");
    assert_eq!(r["code"], "E10001");
    assert_eq!(r["notification"], true);
    assert_eq!(r["acknowledge"], false);
    assert!(r.get("needs_query").is_none(), "{r}");

    // The gateway cannot be reached: nothing is known about the callback.
    let out = run(huifu("http://127.0.0.1:9")
        .args([
            "huifu",
            "notify",
            "--header",
            "content-type: application/x-www-form-urlencoded",
        ])
        .write_stdin(forged))
    .await;
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "transport", "{r}");
    assert_eq!(r["acknowledge"], false);
    assert!(
        r["note"]
            .as_str()
            .unwrap()
            .contains("could not be confirmed"),
        "{r}"
    );
}

/// The confirmation's `order_query` gets an HTML page: a gateway fault on a read-only call,
/// exit 5 (try later, do not acknowledge), never exit 4 (not to be trusted).
#[tokio::test(flavor = "multi_thread")]
async fn notify_confirmation_answered_with_html_is_exit_5() {
    let claim = r#"{"resp_code":"C00000","mer_cust_id":"6666000000000001","user_cust_id":"6666000000000002","order_id":"W20240101","order_date":"20240101","trans_amt":"100.00"}"#;
    let server = pay_core::test_util::mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/unsgin"))
        .respond_with(ResponseTemplate::new(200).set_body_string(claim))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/trade/order_query"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("<html><body>502 Bad Gateway</body></html>")
                .insert_header("content-type", "text/html"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cv = base64_of(claim);
    let out = run(huifu(&server.uri())
        .args([
            "huifu",
            "notify",
            "--header",
            "content-type: application/x-www-form-urlencoded",
        ])
        .write_stdin(pay_core::form::encode([("check_value", cv.as_str())])))
    .await;
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    assert!(out.stdout.is_empty());
    let r = report(&out);
    assert_eq!(r["error"], "decode", "{r}");
    assert_eq!(r["notification"], true);
    assert_eq!(r["acknowledge"], false);
    assert!(
        r["note"]
            .as_str()
            .unwrap()
            .contains("could not be confirmed"),
        "{r}"
    );
}

fn base64_of(text: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A read-only query whose connection is reset after the server read the whole request: the
/// request may have been received (`may_have_been_received: true`), and the query is still
/// safe to send again (exit 5, `retry_safe: true`).
#[tokio::test(flavor = "multi_thread")]
async fn a_query_reset_after_it_was_read_may_have_been_received() {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut sock in listener.incoming().flatten() {
            // Read the whole request (headers and the content-length body), then reset.
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while let Ok(n) = sock.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            // Closed without an answer: the client sees the connection end mid-exchange.
            drop(sock);
        }
    });
    let out = run(huifu(&format!("http://{addr}")).args([
        "huifu",
        "order-query",
        "--data",
        r#"{"user_cust_id":"6666000000000002","order_id":"P20240101","order_date":"20240101","trans_type":"01"}"#,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let r = report(&out);
    assert_eq!(r["error"], "transport", "{r}");
    assert_eq!(r["may_have_been_received"], true, "{r}");
    assert_eq!(r["retry_safe"], true, "{r}");
}

/// `bank-check-card` puts the card number in the URL path. Neither the logs (`CNPAY_LOG=debug`)
/// nor an error report may show it whole.
#[tokio::test(flavor = "multi_thread")]
async fn the_card_number_in_the_bank_check_path_stays_out_of_logs_and_errors() {
    const CARD: &str = "6225880137705555";
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/hfpay/app/bank_check/card/{CARD}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"resp_code": "C00000", "resp_desc": "成功", "bank_name": "招商银行"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let data = json!({ "card_id": CARD }).to_string();
    let out = run(huifu(&server.uri()).env("CNPAY_LOG", "debug").args([
        "huifu",
        "bank-check-card",
        "--data",
        &data,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let logs = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(logs.contains("provider call"), "{logs}");
    assert!(
        logs.contains("5555"),
        "the masked path keeps the last digits: {logs}"
    );
    assert!(!logs.contains(CARD), "{logs}");

    // Nothing listens on the port: the transport error neither.
    let out = run(huifu("http://127.0.0.1:9").env("CNPAY_LOG", "debug").args([
        "huifu",
        "bank-check-card",
        "--data",
        &data,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(stderr.contains("\"error\":\"transport\""), "{stderr}");
    assert!(!stderr.contains(CARD), "{stderr}");
}

/// `notify --trans-type 03` confirms a withdrawal callback with `order_query` of kind `03`
/// (its fields alone would make it a payment, `01`); an unknown kind and the option on
/// another provider are usage errors, and nothing is sent.
#[tokio::test(flavor = "multi_thread")]
async fn notify_trans_type_chooses_the_order_kind_to_confirm_with() {
    // A withdrawal's claims, and their base64 (the check_value).
    let claim = r#"{"resp_code":"C00000","mer_cust_id":"6666000000000001","user_cust_id":"6666000000000002","order_id":"W20240101","order_date":"20240101","trans_amt":"100.00"}"#;
    const CHECK_VALUE: &str = "eyJyZXNwX2NvZGUiOiJDMDAwMDAiLCJtZXJfY3VzdF9pZCI6IjY2NjYwMDAwMDAwMDAwMDEiLCJ1c2VyX2N1c3RfaWQiOiI2NjY2MDAwMDAwMDAwMDAyIiwib3JkZXJfaWQiOiJXMjAyNDAxMDEiLCJvcmRlcl9kYXRlIjoiMjAyNDAxMDEiLCJ0cmFuc19hbXQiOiIxMDAuMDAifQ==";
    let server = pay_core::test_util::mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/unsgin"))
        .respond_with(ResponseTemplate::new(200).set_body_string(claim))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/trade/order_query"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resp_code": "C00000", "order_id": "W20240101", "order_date": "20240101",
            "trans_amt": "100.00", "trans_stat": "S"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let body = pay_core::form::encode([("check_value", CHECK_VALUE)]);
    let notify = |base: &str, extra: &[&str]| {
        let mut c = huifu(base);
        c.args([
            "huifu",
            "notify",
            "--header",
            "content-type: application/x-www-form-urlencoded",
        ])
        .args(extra)
        .write_stdin(body.clone());
        c
    };
    let out = run(&mut notify(&server.uri(), &["--trans-type", "03"])).await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(printed["event"]["trans_type"], "03");
    assert_eq!(
        printed["transition"],
        json!({"kind": "payout", "order_id": "W20240101", "amount_fen": 10000,
            "status": "succeeded", "final": true,
            "dedup_key": "huifu:payout:succeeded:20240101:W20240101"})
    );
    let reqs = server.received_requests().await.unwrap();
    let q = pay_core::test_util::form_pairs(&reqs[1].body);
    assert_eq!(
        q.iter()
            .find(|(k, _)| k == "trans_type")
            .map(|(_, v)| v.as_str()),
        Some("03")
    );

    let out = run(&mut notify(&server.uri(), &["--trans-type", "09"])).await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["field"], "--trans-type");
    let out = run(cnpay()
        .env("CNPAY_AGGREGATE_PAY_KEY", "K")
        .args(["aggregate-pay", "notify", "--trans-type", "03"])
        .write_stdin("a=1"))
    .await;
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(report(&out)["error"], "usage");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

/// `trans_type` 06 (批量代发) uploads a payout list: the CLI sends the CSV as it is, as
/// `text/csv`, its name percent-encoded (RFC 3986), the text fields signed.
#[tokio::test(flavor = "multi_thread")]
async fn upload_agent_file_sends_a_batch_payout_csv() {
    const CSV: &[u8] = "序号,姓名,卡号,金额\n1,张三,6225880137705555,1.00\n".as_bytes();
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/hfpay/v1/merchant/upload_agent_file"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"resp_code": "C00000", "resp_desc": "成功"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = temp_dir("huifu-upload-csv");
    let list = dir.join("代发 1.csv");
    std::fs::write(&list, CSV).unwrap();
    let data = json!({"attach_no": "AT6", "trans_type": "06", "attach_type": "99"});
    let out = run(huifu(&server.uri())
        .args(["huifu", "upload-agent-file", "--data", &data.to_string()])
        .arg("--file")
        .arg(format!("file={}", list.display())))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let req = &server.received_requests().await.unwrap()[0];
    let parts = multipart_parts(req);
    let texts: Vec<(String, String)> = parts
        .iter()
        .filter(|p| p.file_name.is_none())
        .map(|p| (p.name.clone(), String::from_utf8(p.data.clone()).unwrap()))
        .collect();
    assert_eq!(
        texts,
        [
            ("mer_cust_id".to_owned(), MER.to_owned()),
            ("attach_no".to_owned(), "AT6".to_owned()),
            ("attach_type".to_owned(), "99".to_owned()),
            ("trans_type".to_owned(), "06".to_owned()),
        ]
    );
    let files: Vec<_> = parts.iter().filter(|p| p.file_name.is_some()).collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "file");
    assert_eq!(
        files[0].file_name.as_deref(),
        Some("%E4%BB%A3%E5%8F%91%201.csv")
    );
    assert_eq!(files[0].content_type.as_deref(), Some("text/csv"));
    assert_eq!(files[0].data, CSV);
    assert_prism_signed(req, &texts);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cnpay huifu reconcile` without `--statement`: `order_download` (signed, the day as
/// `yyyyMMdd`, `trans_type` 01), then the file at its `file_url`, reconciled.
#[tokio::test(flavor = "multi_thread")]
async fn reconcile_downloads_the_day_statement_through_order_download() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/hfpay/v1/merchant/order_download"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resp_code": "C00000",
            "resp_desc": "成功",
            "mer_cust_id": MER,
            "file_url": format!("{}/files/20261205.txt", server.uri()),
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/20261205.txt"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            "order_id,order_date,platform_seq_id,trans_type,user_cust_id,trans_amt,trans_stat\n\
             D1,20261205,HF1,quick-pay,U1,12.30,S\n",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let dir = temp_dir("huifu-recon");
    let ledger = dir.join("ledger.csv");
    std::fs::write(&ledger, "order_id,amount_fen\nD1,1230\n").unwrap();
    let out = run(huifu(&server.uri()).args([
        "huifu",
        "reconcile",
        "--date",
        "2026-12-05",
        "--ledger",
        ledger.to_str().unwrap(),
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let r: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["summary"]["matched"], 1, "{r}");
    // no byte counter on a stderr that is not a terminal
    assert!(out.stderr.is_empty(), "{out:?}");

    let requests = server.received_requests().await.unwrap();
    let sent = &requests[0];
    assert_eq!(sent.url.path(), "/api/hfpay/v1/merchant/order_download");
    let form = pay_core::test_util::form_pairs(&sent.body);
    assert_prism_signed(sent, &form);
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(field("order_date"), Some("20261205"));
    assert_eq!(field("trans_type"), Some("01"));
    assert_eq!(field("mer_cust_id"), Some(MER));
}

/// An `order_download` answer without `file_url` is an unreadable answer to a read-only call:
/// retry-safe, nothing to query, and nothing reconciled.
#[tokio::test(flavor = "multi_thread")]
async fn reconcile_refuses_an_order_download_answer_without_a_file_url() {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/hfpay/v1/merchant/order_download"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resp_code": "C00000",
            "resp_desc": "成功",
            "mer_cust_id": MER,
        })))
        .expect(1)
        .mount(&server)
        .await;
    let dir = temp_dir("huifu-recon-nourl");
    let ledger = dir.join("ledger.csv");
    std::fs::write(&ledger, "order_id,amount_fen\nD1,1230\n").unwrap();
    let out = run(huifu(&server.uri()).args([
        "huifu",
        "reconcile",
        "--date",
        "2026-12-05",
        "--ledger",
        ledger.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(stdout(&out), "");
    let r = report(&out);
    assert_eq!(r["error"], "decode", "{r}");
    assert_eq!(r["retry_safe"], true, "{r}");
    assert_eq!(r["needs_query"], false, "{r}");
    assert_ne!(out.status.code(), Some(0));
}

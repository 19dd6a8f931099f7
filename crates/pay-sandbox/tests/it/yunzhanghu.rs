use std::io::Read as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crypto_3des::TripleDes;
use hmac::{Hmac, Mac};
use pay_sandbox::credentials::yunzhanghu as cred;
use pay_sandbox::{Fault, Provider};
use serde_json::{Value, json};

use crate::{Receiver, form_map, sandbox, wait_status};

fn sign(data: &str, mess: &str, ts: &str, key: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(format!("data={data}&mess={mess}&timestamp={ts}&key={key}").as_bytes());
    pay_core::hex::encode_lower(&mac.finalize().into_bytes())
}

/// The current time as the envelope's `timestamp` (unix seconds).
fn now() -> String {
    pay_core::Clock::now(&pay_core::SystemClock)
        .unix_seconds()
        .to_string()
}

/// A fresh `request-id` (the sandbox refuses a reused one).
fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("rid-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn fields(plain: &Value, app_key: &str) -> Vec<(String, String)> {
    fields_at(plain, app_key, &now())
}

/// The envelope of `plain` with the `timestamp` given, signed with `app_key`.
fn fields_at(plain: &Value, app_key: &str, ts: &str) -> Vec<(String, String)> {
    let data = TripleDes::new(cred::DES3_KEY.as_bytes())
        .unwrap()
        .encrypt_base64(plain.to_string().as_bytes());
    let (mess, ts) = ("m1".to_owned(), ts.to_owned());
    let sign = sign(&data, &mess, &ts, app_key);
    vec![
        ("data".into(), data),
        ("mess".into(), mess),
        ("timestamp".into(), ts),
        ("sign".into(), sign),
        ("sign_type".into(), "sha256".into()),
    ]
}

/// Sends `plain` sealed with `app_key` and a fresh `request-id`, and checks that the answer
/// echoes that id.
async fn call(
    base: &str,
    method: &str,
    path: &str,
    plain: &Value,
    app_key: &str,
    dealer: &str,
) -> Value {
    let rid = request_id();
    let answer = send(
        base,
        method,
        path,
        &fields(plain, app_key),
        dealer,
        Some(&rid),
    )
    .await;
    assert_eq!(answer["request_id"], rid.as_str(), "{answer}");
    answer
}

/// Sends the envelope `f` as is, with the `request-id` header given (none when `None`).
async fn send(
    base: &str,
    method: &str,
    path: &str,
    f: &[(String, String)],
    dealer: &str,
    request_id: Option<&str>,
) -> Value {
    let client = reqwest::Client::new();
    let mut req = if method == "GET" {
        client.get(format!("{base}{path}")).query(f)
    } else {
        client.post(format!("{base}{path}")).form(f)
    };
    req = req.header("dealer-id", dealer);
    if let Some(rid) = request_id {
        req = req.header("request-id", rid);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.text()
        .await
        .map(|t| serde_json::from_str::<Value>(&t).unwrap())
        .unwrap()
}

fn order(id: &str, pay: &str, notify: &str) -> Value {
    json!({
        "order_id": id, "dealer_id": cred::DEALER_ID, "broker_id": cred::BROKER_ID,
        "real_name": "张三", "card_no": "6228880199872220", "phone_no": "13488795491",
        "id_card": "11010519491231002X", "pay": pay, "notify_url": notify
    })
}

fn decrypt(data: &str) -> Value {
    let plain = TripleDes::new(cred::DES3_KEY.as_bytes())
        .unwrap()
        .decrypt_base64_to_string(data)
        .unwrap();
    serde_json::from_str(&plain).unwrap()
}

#[tokio::test]
async fn bank_payout_callback_query_and_files() {
    let sb = sandbox(Provider::Yunzhanghu).await;
    let rx = Receiver::start(&["success"]).await;
    let base = sb.yunzhanghu_url();
    let r = call(
        &base,
        "POST",
        "/api/payment/v1/order-realtime",
        &order("Y1", "100.00", &rx.url),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(r["code"], "0000");
    assert_eq!(r["data"]["order_id"], "Y1");
    assert_eq!(r["data"]["pay"], "100.00");

    let dup = call(
        &base,
        "POST",
        "/api/payment/v1/order-realtime",
        &order("Y1", "100.00", &rx.url),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(dup["code"], "2002");

    let got = rx.wait(1).await;
    let form = form_map(&got[0].body);
    assert_eq!(form["sign_type"], "sha256");
    assert_eq!(
        form["sign"],
        sign(
            &form["data"],
            &form["mess"],
            &form["timestamp"],
            cred::APP_KEY
        )
    );
    let plain = decrypt(&form["data"]);
    assert_eq!(plain["data"]["order_id"], "Y1");
    assert_eq!(plain["data"]["status"], 1);
    assert_eq!(plain["data"]["pay"], "100.00");
    assert!(plain["notify_id"].as_str().is_some());

    let q = call(
        &base,
        "GET",
        "/api/payment/v1/query-realtime-order",
        &json!({"order_id": "Y1", "data_type": "encryption"}),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(q["code"], "0000");
    let inner = decrypt(q["data"]["encry_data"].as_str().unwrap());
    assert_eq!(inner["status"], 1);
    assert_eq!(inner["status_message"], "已打款");
    let q = call(
        &base,
        "GET",
        "/api/payment/v1/query-realtime-order",
        &json!({"order_id": "Y1", "channel": "支付宝"}),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(q["code"], "2018");

    let today = pay_core::Clock::now(&pay_core::SystemClock).beijing_date();
    let u = call(
        &base,
        "GET",
        "/api/dataservice/v1/bill/downloadurl",
        &json!({"bill_date": today}),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    let url = u["data"]["bill_download_url"].as_str().unwrap();
    assert!(url.starts_with(&base));
    let gz = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    let mut csv = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut csv)
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "商户订单号,订单流水号,流水号,流水类型,流水状态,支付渠道,姓名,经纪公司ID,金额,渠道流水号,创建时间,完成时间"
    );
    assert_eq!(lines.len(), 3);
    assert!(
        lines[1].starts_with("Y1,")
            && lines[1].contains(",经纪公司打款,成功,银行卡,张*,yiyun**,100,")
    );
    assert!(lines[2].contains(",经纪公司打款服务费,成功,-/-,张*,yiyun**,7,"));

    let u = call(
        &base,
        "GET",
        "/api/dataservice/v1/order/downloadurl",
        &json!({"order_date": today}),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    let gz = reqwest::get(u["data"]["order_download_url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut csv = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut csv)
        .unwrap();
    assert_eq!(csv.lines().count(), 2);
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .contains(",成功,6228*****72220,银行卡,100,7,")
    );

    let acc = call(
        &base,
        "GET",
        "/api/payment/v1/query-accounts",
        &json!({"dealer_id": cred::DEALER_ID}),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(
        acc["data"]["dealer_infos"][0]["bank_card_balance"],
        "999900.00"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_sign_bad_dealer_and_bad_amounts() {
    let sb = sandbox(Provider::Yunzhanghu).await;
    let base = sb.yunzhanghu_url();
    let url = "http://127.0.0.1:9/n";
    let r = call(
        &base,
        "POST",
        "/api/payment/v1/order-realtime",
        &order("Y2", "1.00", url),
        "wrong",
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(r["code"], "1003");
    // the right sign in upper case (the spec's is lowercase hex) is not the sign
    let mut f = fields(&order("Y2", "1.00", url), cred::APP_KEY);
    for (k, v) in &mut f {
        if k == "sign" {
            *v = v.to_ascii_uppercase();
        }
    }
    let rid = request_id();
    let r = send(
        &base,
        "POST",
        "/api/payment/v1/order-realtime",
        &f,
        cred::DEALER_ID,
        Some(&rid),
    )
    .await;
    assert_eq!(r["code"], "1003", "{r}");
    let r = call(
        &base,
        "POST",
        "/api/payment/v1/order-realtime",
        &order("Y2", "1.00", url),
        cred::APP_KEY,
        "other",
    )
    .await;
    assert_eq!(r["code"], "1005");
    let r = call(
        &base,
        "POST",
        "/api/payment/v1/order-realtime",
        &order("Y2", "0.00", url),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(r["code"], "2024");
    let r = call(
        &base,
        "POST",
        "/api/payment/v1/order-realtime",
        &order("Y2", "1.001", url),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(r["code"], "1002");
    assert!(sb.order(Provider::Yunzhanghu, "Y2").is_none());
    assert_eq!(
        sb.requests()
            .count(Provider::Yunzhanghu, "/api/payment/v1/order-realtime", "Y2"),
        5
    );
    let r = call(
        &base,
        "POST",
        "/authentication/verify-id",
        &json!({"id_card": "11010519491231002X", "real_name": "张三"}),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(r["code"], "0000");
    let r = call(
        &base,
        "POST",
        "/authentication/verify-id",
        &json!({"id_card": "110105194912310021", "real_name": "张三"}),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(r["code"], "2003");
    sb.shutdown().await;
}

#[tokio::test]
async fn timeout_after_processing_then_query_settles_it_and_scripted_failure() {
    let sb = sandbox(Provider::Yunzhanghu).await;
    let rx = Receiver::start(&["success"]).await;
    let base = sb.yunzhanghu_url();
    let route = "/api/payment/v1/order-realtime";
    sb.faults()
        .set_times(Provider::Yunzhanghu, route, Fault::Timeout, 1);
    let f = fields(&order("Y3", "1.44", &rx.url), cred::APP_KEY);
    let err = reqwest::Client::new()
        .post(format!("{base}{route}"))
        .form(&f)
        .header("dealer-id", cred::DEALER_ID)
        .header("request-id", request_id())
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    wait_status(&sb, Provider::Yunzhanghu, "Y3", "2").await;
    let q = call(
        &base,
        "GET",
        "/api/payment/v1/query-realtime-order",
        &json!({"order_id": "Y3"}),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(q["data"]["status"], 2);
    assert_eq!(q["data"]["status_detail"], 211);
    assert_eq!(sb.requests().count(Provider::Yunzhanghu, route, "Y3"), 1);
    let got = rx.wait(1).await;
    assert_eq!(
        decrypt(&form_map(&got[0].body)["data"])["data"]["status"],
        2
    );
    sb.shutdown().await;
}

/// The ID card upload: the envelope as text parts, the two images as file parts, with a
/// fresh `request-id`. The answer, without its `request_id` (checked to echo the header).
async fn upload(base: &str, plain: &Value, app_key: &str, images: &[(&str, Vec<u8>)]) -> Value {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields(plain, app_key) {
        form = form.text(k, v);
    }
    for (name, data) in images {
        form = form.part(
            name.to_string(),
            reqwest::multipart::Part::bytes(data.clone())
                .file_name(format!("{name}.jpg"))
                .mime_str("image/jpeg")
                .unwrap(),
        );
    }
    let rid = request_id();
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/payment/v1/sign/idcard/image"))
        .header("dealer-id", cred::DEALER_ID)
        .header("request-id", &rid)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut answer: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(answer["request_id"], rid.as_str(), "{answer}");
    answer.as_object_mut().unwrap().remove("request_id");
    answer
}

#[tokio::test]
async fn id_card_image_upload() {
    let sb = sandbox(Provider::Yunzhanghu).await;
    let base = sb.yunzhanghu_url();
    let id = "11010519491231002X";
    let plain = json!({"dealer_id": cred::DEALER_ID, "broker_id": cred::BROKER_ID,
                       "real_name": "张三", "id_card": id});
    // JPEG-like bytes with CR LF and dashes inside, as real images have
    let front: Vec<u8> = [0xff, 0xd8, 0xff, 0xe0, b'\r', b'\n', b'-', b'-', 0x00, 0x10].repeat(300);
    let back: Vec<u8> = vec![0xff, 0xd8, 0x01, 0x02, 0x03];
    let both = [
        ("id_card_image", front.clone()),
        ("id_card_image_background", back.clone()),
    ];
    assert_eq!(
        upload(&base, &plain, cred::APP_KEY, &both).await,
        json!({"code": "0000", "message": "操作成功", "data": {}})
    );
    let saved = sb.yunzhanghu_id_card_upload(id).unwrap();
    assert_eq!(
        (
            saved.real_name.as_str(),
            saved.front_bytes,
            saved.back_bytes
        ),
        ("张三", 3000, 5)
    );

    let error = |code: &str, message: &str| json!({"code": code, "message": message});
    let other = "110105194912310038";
    let plain_other = json!({"dealer_id": cred::DEALER_ID, "broker_id": cred::BROKER_ID,
                             "real_name": "李四", "id_card": other});
    assert_eq!(
        upload(&base, &plain_other, cred::APP_KEY, &both[..1]).await,
        error("2001", "上传数据有误: 缺少文件 id_card_image_background")
    );
    assert_eq!(
        upload(
            &base,
            &plain_other,
            cred::APP_KEY,
            &[
                ("id_card_image", vec![]),
                ("id_card_image_background", back.clone())
            ]
        )
        .await,
        error("2001", "上传数据有误: 文件 id_card_image 为空")
    );
    assert_eq!(
        upload(&base, &plain_other, "wrong-app-key", &both).await,
        error("1003", "签名错误")
    );
    let bad_id = json!({"dealer_id": cred::DEALER_ID, "broker_id": cred::BROKER_ID,
                        "real_name": "李四", "id_card": "110105194912310037"});
    assert_eq!(
        upload(&base, &bad_id, cred::APP_KEY, &both).await,
        error("2001", "上传数据有误: id_card 身份证号有误")
    );
    let bad_broker = json!({"dealer_id": cred::DEALER_ID, "broker_id": "other",
                            "real_name": "李四", "id_card": other});
    assert_eq!(
        upload(&base, &bad_broker, cred::APP_KEY, &both).await,
        error("2038", "该商户不属于该经纪公司")
    );
    // nothing was kept for the refused uploads
    assert_eq!(sb.yunzhanghu_id_card_upload(other), None);

    // a body that is not well-formed multipart
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/payment/v1/sign/idcard/image"))
        .header("dealer-id", cred::DEALER_ID)
        .header("request-id", "rid-img")
        .header("content-type", "multipart/form-data; boundary=XX")
        .body("--XX\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\nabc")
        .send()
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&resp.text().await.unwrap()).unwrap(),
        json!({"code": "1002", "message": "请求参数格式不正确: multipart 格式有误", "request_id": "rid-img"})
    );
    assert_eq!(
        sb.requests()
            .all()
            .iter()
            .filter(|r| r.route == "/api/payment/v1/sign/idcard/image")
            .count(),
        7
    );
    sb.shutdown().await;
}

/// `pay` must be a JSON string with two decimals ("pay 为 string 类型", `"100.00"`), on every
/// route that takes one: a number or any other shape is `1002`, a negative amount or zero
/// `2024`, and nothing is created.
#[tokio::test]
async fn pay_must_be_a_two_decimal_string() {
    let sb = sandbox(Provider::Yunzhanghu).await;
    let base = sb.yunzhanghu_url();
    let url = "http://127.0.0.1:9/n";
    let refused = [
        (json!(100), "1002"),
        (json!(100.5), "1002"),
        (json!("100"), "1002"),
        (json!("100.0"), "1002"),
        (json!("1.001"), "1002"),
        (json!("+1.00"), "1002"),
        (json!(" 1.00"), "1002"),
        (json!("1.00 "), "1002"),
        (json!("1,000.00"), "1002"),
        (json!(".50"), "1002"),
        (json!("1e2"), "1002"),
        (json!(""), "1002"),
        (Value::Null, "1002"),
        (json!("-1.00"), "2024"),
        (json!("0.00"), "2024"),
    ];
    let routes = [
        (
            "/api/payment/v1/order-realtime",
            json!({"card_no": "6228880199872220"}),
        ),
        (
            "/api/payment/v1/order-alipay",
            json!({"card_no": "zhangsan@example.com"}),
        ),
        (
            "/api/payment/v1/order-wxpay",
            json!({"openid": "o-sandbox-1"}),
        ),
        (
            "/api/notify/order-bankcard",
            json!({"card_no": "6228880199872220", "result": "1", "created_at": "2024-01-01 12:00:00"}),
        ),
    ];
    for (r, (route, account)) in routes.iter().enumerate() {
        for (i, (pay, code)) in refused.iter().enumerate() {
            let id = format!("P{r}-{i}");
            let mut plain = json!({
                "order_id": id, "dealer_id": cred::DEALER_ID, "broker_id": cred::BROKER_ID,
                "real_name": "张三", "id_card": "11010519491231002X", "pay": pay,
                "notify_url": url,
            });
            plain
                .as_object_mut()
                .unwrap()
                .extend(account.as_object().unwrap().clone());
            let answer = call(&base, "POST", route, &plain, cred::APP_KEY, cred::DEALER_ID).await;
            assert_eq!(answer["code"], *code, "{route} pay={pay}: {answer}");
            assert!(
                sb.order(Provider::Yunzhanghu, &id).is_none(),
                "{route} {id}"
            );
        }
        // The spec's shape is accepted (WeChat's smallest payout is 1 yuan).
        let id = format!("P{r}-ok");
        let mut plain = json!({
            "order_id": id, "dealer_id": cred::DEALER_ID, "broker_id": cred::BROKER_ID,
            "real_name": "张三", "id_card": "11010519491231002X", "pay": "1.00",
            "notify_url": url,
        });
        plain
            .as_object_mut()
            .unwrap()
            .extend(account.as_object().unwrap().clone());
        let answer = call(&base, "POST", route, &plain, cred::APP_KEY, cred::DEALER_ID).await;
        assert_eq!(answer["code"], "0000", "{route}: {answer}");
        assert_eq!(answer["data"]["pay"], "1.00");
    }
    sb.shutdown().await;
}

/// The envelope's `timestamp`: 10-digit unix seconds (else `1002`), at most 5 minutes from
/// the server's clock either way (else `1001 签名已过期`); the sign is checked first.
#[tokio::test]
async fn timestamp_must_be_ten_digit_seconds_and_fresh() {
    let sb = sandbox(Provider::Yunzhanghu).await;
    let base = sb.yunzhanghu_url();
    let route = "/api/payment/v1/order-realtime";
    let now: i64 = now().parse().unwrap();
    let url = "http://127.0.0.1:9/n";
    let cases = [
        ((now - 301).to_string(), "1001"),
        ((now + 301).to_string(), "1001"),
        ("1700000000".to_owned(), "1001"),
        ((now * 1000).to_string(), "1002"),
        ("123457".to_owned(), "1002"),
        (format!("+{}", now % 1_000_000_000), "1002"),
        (format!("{now}.0"), "1002"),
        (format!(" {now}"), "1002"),
    ];
    for (i, (ts, code)) in cases.iter().enumerate() {
        let id = format!("T{i}");
        let f = fields_at(&order(&id, "1.00", url), cred::APP_KEY, ts);
        let rid = request_id();
        let answer = send(&base, "POST", route, &f, cred::DEALER_ID, Some(&rid)).await;
        assert_eq!(answer["code"], *code, "timestamp {ts:?}: {answer}");
        assert_eq!(answer["request_id"], rid.as_str());
        assert!(sb.order(Provider::Yunzhanghu, &id).is_none());
    }
    // A stale timestamp under a wrong sign is a wrong sign.
    assert_eq!(
        answer_code(&base, route, "T-sign", &(now - 3600).to_string(), "wrong").await,
        "1003"
    );
    // Within the window, either way.
    for (i, ts) in [now - 240, now + 240].iter().enumerate() {
        let id = format!("T-ok{i}");
        assert_eq!(
            answer_code(&base, route, &id, &ts.to_string(), cred::APP_KEY).await,
            "0000"
        );
        assert!(sb.order(Provider::Yunzhanghu, &id).is_some());
    }
    sb.shutdown().await;
}

async fn answer_code(base: &str, route: &str, id: &str, ts: &str, app_key: &str) -> String {
    let f = fields_at(&order(id, "1.00", "http://127.0.0.1:9/n"), app_key, ts);
    let answer = send(
        base,
        "POST",
        route,
        &f,
        cred::DEALER_ID,
        Some(&request_id()),
    )
    .await;
    answer["code"].as_str().unwrap().to_owned()
}

/// The `request-id` header is required ("每个 request 的 id,要求每次请求 id 不一样"): missing
/// or empty is `1002`, and so is an id an accepted request already used, even with other
/// parameters. A refused request does not use its id up.
#[tokio::test]
async fn request_id_is_required_and_single_use() {
    let sb = sandbox(Provider::Yunzhanghu).await;
    let base = sb.yunzhanghu_url();
    let route = "/api/payment/v1/order-realtime";
    let url = "http://127.0.0.1:9/n";
    let post = |id: &str, app_key: &str, rid: Option<&str>| {
        let f = fields(&order(id, "1.00", url), app_key);
        let (base, rid) = (base.clone(), rid.map(str::to_owned));
        async move { send(&base, "POST", route, &f, cred::DEALER_ID, rid.as_deref()).await }
    };

    let answer = post("R1", cred::APP_KEY, None).await;
    assert_eq!(answer["code"], "1002", "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("request-id"));
    let answer = post("R1", cred::APP_KEY, Some("")).await;
    assert_eq!(answer["code"], "1002", "{answer}");
    assert!(sb.order(Provider::Yunzhanghu, "R1").is_none());
    // Also on a query.
    let f = fields(&json!({"order_id": "R1"}), cred::APP_KEY);
    let answer = send(
        &base,
        "GET",
        "/api/payment/v1/query-realtime-order",
        &f,
        cred::DEALER_ID,
        None,
    )
    .await;
    assert_eq!(answer["code"], "1002", "{answer}");

    // A wrong sign is refused without using the id up.
    let answer = post("R1", "wrong", Some("rid-once")).await;
    assert_eq!(answer["code"], "1003");
    let answer = post("R1", cred::APP_KEY, Some("rid-once")).await;
    assert_eq!(answer["code"], "0000", "{answer}");
    assert_eq!(answer["request_id"], "rid-once");
    // Reused for another order: refused, nothing created.
    let answer = post("R2", cred::APP_KEY, Some("rid-once")).await;
    assert_eq!(answer["code"], "1002", "{answer}");
    assert_eq!(answer["request_id"], "rid-once");
    assert!(answer["message"].as_str().unwrap().contains("request-id"));
    assert!(sb.order(Provider::Yunzhanghu, "R2").is_none());
    // Reused for a query: refused too.
    let answer = send(
        &base,
        "GET",
        "/api/payment/v1/query-realtime-order",
        &f,
        cred::DEALER_ID,
        Some("rid-once"),
    )
    .await;
    assert_eq!(answer["code"], "1002", "{answer}");
    sb.shutdown().await;
}

/// The callbacks of `rx` decrypted: `(notify_id, status, status_detail)`.
fn callbacks(rx: &[crate::Received]) -> Vec<(String, i64, i64)> {
    rx.iter()
        .map(|r| {
            let plain = decrypt(&form_map(&r.body)["data"]);
            (
                plain["notify_id"].as_str().unwrap().to_owned(),
                plain["data"]["status"].as_i64().unwrap(),
                plain["data"]["status_detail"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn bill_csv(base: &str) -> Vec<String> {
    let today = pay_core::Clock::now(&pay_core::SystemClock).beijing_date();
    let u = call(
        base,
        "GET",
        "/api/dataservice/v1/bill/downloadurl",
        &json!({"bill_date": today}),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    let gz = reqwest::get(u["data"]["bill_download_url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut csv = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut csv)
        .unwrap();
    csv.lines().skip(1).map(str::to_owned).collect()
}

#[tokio::test]
async fn scripted_return_pays_then_returns_with_two_callbacks_and_bill_rows() {
    let sb = sandbox(Provider::Yunzhanghu).await;
    let rx = Receiver::start(&["success"]).await;
    let base = sb.yunzhanghu_url();
    let r = call(
        &base,
        "POST",
        "/api/payment/v1/order-realtime",
        &order("R55", "1.55", &rx.url),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(r["code"], "0000");
    let got = callbacks(&rx.wait(2).await);
    assert_eq!((got[0].1, got[0].2), (1, 0));
    assert_eq!((got[1].1, got[1].2), (9, 213));
    assert_ne!(got[0].0, got[1].0);
    wait_status(&sb, Provider::Yunzhanghu, "R55", "9").await;
    let q = call(
        &base,
        "GET",
        "/api/payment/v1/query-realtime-order",
        &json!({"order_id": "R55"}),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(q["data"]["status"], 9);
    assert_eq!(q["data"]["status_message"], "打款失败(已退款,退汇或者冲正)");
    assert_eq!(q["data"]["pay"], "1.55");
    // The payment rows stay; the return adds its own.
    let rows = bill_csv(&base).await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows[0].contains(",经纪公司打款,成功,银行卡,张*,yiyun**,1.55,"));
    assert!(rows[1].contains(",经纪公司打款服务费,成功,-/-,"));
    assert!(rows[2].contains(",经纪公司退汇,成功,银行卡,张*,yiyun**,1.55,"));
    assert!(rows[3].contains(",经纪公司退汇手续费,成功,-/-,张*,yiyun**,0.11,"));
    // The amount is back on the balance.
    let acc = call(
        &base,
        "GET",
        "/api/payment/v1/query-accounts",
        &json!({"dealer_id": cred::DEALER_ID}),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(
        acc["data"]["dealer_infos"][0]["bank_card_balance"],
        "1000000.00"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn an_unopened_red_packet_is_sent_then_returned() {
    let sb = sandbox(Provider::Yunzhanghu).await;
    let rx = Receiver::start(&["success"]).await;
    let base = sb.yunzhanghu_url();
    let mut wx = order("W55", "2.55", &rx.url);
    let m = wx.as_object_mut().unwrap();
    m.remove("card_no");
    m.remove("phone_no");
    m.insert("openid".into(), json!("o-user"));
    let r = call(
        &base,
        "POST",
        "/api/payment/v1/order-wxpay",
        &wx,
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    assert_eq!(r["code"], "0000");
    let got = callbacks(&rx.wait(2).await);
    assert_eq!((got[0].1, got[0].2), (1, 27));
    assert_eq!((got[1].1, got[1].2), (9, 213));
    let plain = decrypt(&form_map(&rx.received()[0].body)["data"]);
    assert_eq!(plain["data"]["status_detail_message"], "微信红包待领取");
    sb.shutdown().await;
}

#[tokio::test]
async fn control_returns_a_paid_order_and_resends_under_a_new_notify_id() {
    let sb = sandbox(Provider::Yunzhanghu).await;
    let rx = Receiver::start(&["success"]).await;
    let base = sb.yunzhanghu_url();
    let http = reqwest::Client::new();
    let post = |path: String| http.post(format!("{base}{path}")).send();
    // Unknown order, and an order not paid yet.
    let r = post("/sandbox/orders/NOPE/return".into()).await.unwrap();
    assert_eq!(r.status(), 404);
    call(
        &base,
        "POST",
        "/api/payment/v1/order-realtime",
        &order("C1", "100.00", &rx.url),
        cred::APP_KEY,
        cred::DEALER_ID,
    )
    .await;
    let r = post("/sandbox/orders/C1/return".into()).await.unwrap();
    assert_eq!(r.status(), 409);
    let why = r.text().await.unwrap();
    assert!(
        [
            "order is at status 0, not 1 (已打款)",
            "order is at status 8, not 1 (已打款)"
        ]
        .contains(&why.as_str()),
        "{why}"
    );
    let first = callbacks(&rx.wait(1).await);
    assert_eq!((first[0].1, first[0].2), (1, 0));
    // The same transition again, under a new notify_id.
    let r = post("/sandbox/orders/C1/notify".into()).await.unwrap();
    assert_eq!(r.status(), 200);
    let got = callbacks(&rx.wait(2).await);
    assert_eq!((got[1].1, got[1].2), (1, 0));
    assert_ne!(got[0].0, got[1].0);
    // Returned on request.
    let r = post("/sandbox/orders/C1/return".into()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap(),
        json!({"order_id": "C1", "status": 9, "status_detail": 213})
    );
    let got = callbacks(&rx.wait(3).await);
    assert_eq!((got[2].1, got[2].2), (9, 213));
    wait_status(&sb, Provider::Yunzhanghu, "C1", "9").await;
    // A return is final: nothing more to return.
    let r = post("/sandbox/orders/C1/return".into()).await.unwrap();
    assert_eq!(r.status(), 409);
    let r = http
        .get(format!("{base}/sandbox/orders/C1/return"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    sb.shutdown().await;
}

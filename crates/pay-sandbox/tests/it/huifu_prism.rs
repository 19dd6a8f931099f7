//! Huifu's plain-HTTP Prism request signature: what the huifu client sends by default on an
//! `http://` base URL.

use md5::{Digest, Md5};
use pay_sandbox::Provider;
use pay_sandbox::credentials::huifu as cred;
use serde_json::{Value, json};

use crate::sandbox;

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn join(pairs: &[(&str, &str)]) -> String {
    let mut v = pairs.to_vec();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The test's own Prism sign (prism-php `PrismSign::produce`).
fn prism(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    query: &[(&str, &str)],
    form: &[(&str, &str)],
) -> String {
    let s = cred::CLIENT_SECRET;
    let text = format!(
        "{s}&{method}&{}&{}&{}&{}&{s}",
        enc(path),
        enc(&join(headers)),
        enc(&join(query)),
        enc(&join(form))
    );
    pay_core::hex::encode_upper(&Md5::digest(text.as_bytes()))
}

fn now() -> i64 {
    use pay_core::Clock as _;
    pay_core::SystemClock.now().unix_seconds()
}

/// Sends a form POST signed at `time`; `sign` replaces the computed sign when given, and
/// `tamper` changes the form after signing.
async fn send(
    base: &str,
    path: &str,
    form: &[(&str, &str)],
    time: i64,
    sign_override: Option<&str>,
    tamper: Option<(&str, &str)>,
) -> (u16, Value) {
    let t = time.to_string();
    let query = [
        ("client_id", cred::CLIENT_ID),
        ("sign_method", "md5"),
        ("sign_time", t.as_str()),
    ];
    let sign = prism("POST", path, &[], &query, form);
    let sign = sign_override.unwrap_or(&sign).to_owned();
    let mut sent: Vec<(&str, &str)> = form.to_vec();
    if let Some((k, v)) = tamper {
        for p in &mut sent {
            if p.0 == k {
                p.1 = v;
            }
        }
    }
    let resp = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .query(&query)
        .query(&[("sign", sign.as_str())])
        .form(&sent)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_str(&resp.text().await.unwrap()).unwrap(),
    )
}

const BALANCE: &str = "/api/hfpay/v1/merchant/balance_query";

#[tokio::test]
async fn a_correct_prism_sign_is_accepted_for_form_get_and_multipart() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let form = [
        ("acct_id", "A0"),
        ("mer_cust_id", cred::MER_CUST_ID),
        ("user_cust_id", cred::MER_CUST_ID),
    ];
    let (status, body) = send(&base, BALANCE, &form, now(), None, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"resp_code": "C00000", "resp_desc": "成功", "mer_cust_id": cred::MER_CUST_ID,
               "user_cust_id": cred::MER_CUST_ID, "acct_balance": "1000000.00",
               "avl_balance": "1000000.00", "frz_balance": "0.00"})
    );
    // four minutes off either way is still fresh
    assert_eq!(
        send(&base, BALANCE, &form, now() - 240, None, None).await.0,
        200
    );
    assert_eq!(
        send(&base, BALANCE, &form, now() + 240, None, None).await.0,
        200
    );

    // GET: the query only, and a signed X-Api-* header
    let path = "/api/hfpay/app/bank_check/card/6225880137705555";
    let t = now().to_string();
    let query = [
        ("client_id", cred::CLIENT_ID),
        ("sign_method", "md5"),
        ("sign_time", t.as_str()),
    ];
    let sign = prism("GET", path, &[("X-Api-Trace", "abc")], &query, &[]);
    let get = |trace: &'static str, sign: String| {
        let url = format!("{base}{path}");
        async move {
            reqwest::Client::new()
                .get(url)
                .header("X-Api-Trace", trace)
                .header("X-Other", "not signed")
                .query(&query)
                .query(&[("sign", sign)])
                .send()
                .await
                .unwrap()
        }
    };
    let r = get("abc", sign.clone()).await;
    assert_eq!(r.status(), 200);
    let body: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body["bank_name"], "招商银行");
    let r = get("abd", sign).await;
    assert_eq!(r.status(), 401);

    // multipart: the text parts are signed, the file part is not
    let path = "/api/hfpay/v1/merchant/upload_merchant_file";
    let fields = [
        ("attach_no", "A1"),
        ("attach_type", "01"),
        ("mer_cust_id", cred::MER_CUST_ID),
        ("trans_type", "05"),
    ];
    let sign = prism("POST", path, &[], &query, &fields);
    let mut mp = reqwest::multipart::Form::new();
    for (k, v) in fields {
        mp = mp.text(k, v);
    }
    mp = mp.part(
        "file",
        reqwest::multipart::Part::bytes(vec![0xff, 0xd8, 0x00, 0x01]).file_name("licence.jpg"),
    );
    let r = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .query(&query)
        .query(&[("sign", sign.as_str())])
        .multipart(mp)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body["resp_code"], "C00000");
    assert_eq!(body["resp_desc"], "上传成功");
    sb.shutdown().await;
}

fn gateway_error(code: &str, message: &str) -> Value {
    json!({"result": "error", "error": {"code": code, "message": message}})
}

#[tokio::test]
async fn a_bad_or_stale_prism_sign_is_refused_with_401_and_not_handled() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let form = [
        ("mer_cust_id", cred::MER_CUST_ID),
        ("user_cust_id", cred::MER_CUST_ID),
    ];
    let bad_sign = gateway_error("invalid_sign", "the sign does not match");
    let stale = gateway_error(
        "sign_expired",
        "sign_time is more than 5 minutes from the gateway's clock",
    );
    assert_eq!(
        send(
            &base,
            BALANCE,
            &form,
            now(),
            Some("0123456789ABCDEF0123456789ABCDEF"),
            None
        )
        .await,
        (401, bad_sign.clone())
    );
    assert_eq!(
        send(
            &base,
            BALANCE,
            &form,
            now(),
            None,
            Some(("user_cust_id", "6666000000000001"))
        )
        .await,
        (401, bad_sign.clone())
    );
    // the right sign in the other hex case is not the sign
    let t = now();
    let time = t.to_string();
    let query = [
        ("client_id", cred::CLIENT_ID),
        ("sign_method", "md5"),
        ("sign_time", time.as_str()),
    ];
    let right = prism("POST", BALANCE, &[], &query, &form);
    let other_case: String = right
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    assert_ne!(other_case, right);
    assert_eq!(
        send(&base, BALANCE, &form, t, Some(&other_case), None).await,
        (401, bad_sign.clone())
    );
    assert_eq!(
        send(&base, BALANCE, &form, t, Some(&right), None).await.0,
        200
    );
    assert_eq!(
        send(&base, BALANCE, &form, now() - 360, None, None).await,
        (401, stale.clone())
    );
    assert_eq!(
        send(&base, BALANCE, &form, now() + 360, None, None).await,
        (401, stale)
    );

    // a withdrawal refused for its sign never reaches the payment service
    let withdrawal = [
        ("mer_cust_id", cred::MER_CUST_ID),
        ("user_cust_id", "6666000000000001"),
        ("order_id", "W-PRISM"),
        ("order_date", "20240101"),
        ("trans_amt", "1.00"),
        ("cash_bind_card_id", "1"),
        ("cash_type", "T1"),
    ];
    let (status, body) = send(
        &base,
        "/api/hfpay/v1/trade/withdrawal",
        &withdrawal,
        now(),
        None,
        Some(("trans_amt", "1000.00")),
    )
    .await;
    assert_eq!((status, body), (401, bad_sign.clone()));
    assert_eq!(sb.order(Provider::Huifu, "W-PRISM"), None);

    // a correct client_secret sent along does not rescue a bad sign
    let t = now().to_string();
    let r = reqwest::Client::new()
        .post(format!("{base}{BALANCE}"))
        .query(&[
            ("client_id", cred::CLIENT_ID),
            ("client_secret", cred::CLIENT_SECRET),
            ("sign_method", "md5"),
            ("sign_time", t.as_str()),
            ("sign", "0123456789ABCDEF0123456789ABCDEF"),
        ])
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap(),
        bad_sign
    );

    // the wrong client, the wrong method, a missing part
    let t = now().to_string();
    let r = reqwest::Client::new()
        .post(format!("{base}{BALANCE}"))
        .query(&[
            ("client_id", cred::CLIENT_ID),
            ("sign_method", "sha1"),
            ("sign_time", t.as_str()),
            ("sign", "X"),
        ])
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap(),
        gateway_error("invalid_sign_method", "sign_method must be md5")
    );
    let r = reqwest::Client::new()
        .post(format!("{base}{BALANCE}"))
        .query(&[
            ("client_id", "someone-else"),
            ("sign_method", "md5"),
            ("sign_time", t.as_str()),
            ("sign", "X"),
        ])
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap(),
        gateway_error("invalid_client", "client_id is unknown")
    );
    let r = reqwest::Client::new()
        .post(format!("{base}{BALANCE}"))
        .query(&[
            ("client_id", cred::CLIENT_ID),
            ("sign_method", "md5"),
            ("sign", "X"),
        ])
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap(),
        gateway_error(
            "missing_sign_parameters",
            "a Prism sign needs client_id, sign_method, sign_time and sign"
        )
    );
    sb.shutdown().await;
}

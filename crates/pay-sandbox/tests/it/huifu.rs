use std::time::Duration;

use base64::Engine as _;
use pay_sandbox::credentials::huifu as cred;
use pay_sandbox::{Fault, NOTIFY_ROUTE, Provider};
use serde_json::Value;

use crate::{Receiver, form_map, sandbox};

/// A form POST with the app's credentials and a user's bearer token on top.
async fn post(base: &str, path: &str, token: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .query(&[
            ("client_id", cred::CLIENT_ID),
            ("client_secret", cred::CLIENT_SECRET),
        ])
        .bearer_auth(token)
        .form(form)
        .send()
        .await
        .unwrap();
    (
        resp.status().as_u16(),
        resp.text()
            .await
            .map(|t| serde_json::from_str::<Value>(&t).unwrap())
            .unwrap(),
    )
}

#[tokio::test]
async fn auth_opening_quick_pay_callback_unsign_and_withdrawal() {
    let sb = sandbox(Provider::Huifu).await;
    let rx = Receiver::start(&["RECV_ORD_ID_x"]).await;
    let base = sb.huifu_url();
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{base}/api/hfpay/v1/merchant/balance_query"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r
        .text()
        .await
        .map(|t| serde_json::from_str::<Value>(&t).unwrap())
        .unwrap();
    assert_eq!(body["result"], "error");
    // Prism's OAuth: the authorize page sends the user back with a code...
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirect
        .get(format!("{base}/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", cred::CLIENT_ID),
            ("redirect_uri", "https://shop.example/back?x=1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let back = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(back.path(), "/back");
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    // ...which is exchanged only with the app's credentials
    let exchange = |query: &'static [(&'static str, &'static str)], code: String| {
        let client = client.clone();
        let base = base.clone();
        async move {
            let r = client
                .post(format!("{base}/oauth/token"))
                .query(query)
                .form(&[
                    ("code", code.as_str()),
                    ("grant_type", "authorization_code"),
                ])
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (
                status,
                serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap(),
            )
        }
    };
    let (s, _) = exchange(
        &[("client_id", cred::CLIENT_ID), ("client_secret", "nope")],
        code.clone(),
    )
    .await;
    assert_eq!(s, 401);
    let app_static: &'static [(&'static str, &'static str)] = &[
        ("client_id", cred::CLIENT_ID),
        ("client_secret", cred::CLIENT_SECRET),
    ];
    let (s, tok) = exchange(app_static, code.clone()).await;
    assert_eq!(s, 200, "{tok}");
    // a code works once
    let (s, again) = exchange(app_static, code).await;
    assert_eq!(
        (s, again["error"]["code"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(tok["token_type"], "Bearer");
    assert_eq!(tok["expires_in"], 7200);
    let token = tok["access_token"].as_str().unwrap().to_owned();
    let m = cred::MER_CUST_ID;

    // a valid token alone, without the app's credentials, is refused before any handling
    let r = client
        .post(format!("{base}/api/hfpay/v1/merchant/balance_query"))
        .bearer_auth(&token)
        .form(&[("mer_cust_id", m), ("user_cust_id", m)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "missing_credentials");
    // an unknown token on top of valid app credentials is refused too
    let (s, bad) = post(
        &base,
        "/api/hfpay/v1/merchant/balance_query",
        "not-a-token",
        &[("mer_cust_id", m), ("user_cust_id", m)],
    )
    .await;
    assert_eq!(
        (s, bad["error"]["code"].as_str()),
        (401, Some("invalid_token"))
    );

    let (s, open) = post(
        &base,
        "/api/hfpay/v1/merchant/person_opening",
        &token,
        &[
            ("mer_cust_id", m),
            ("order_id", "O1"),
            ("order_date", "20240101"),
            ("user_name", "张三"),
            ("cert_id", "11010519491231002X"),
            ("user_mobile", "13812345678"),
            ("vali_date", "20301231"),
        ],
    )
    .await;
    assert_eq!((s, open["resp_code"].as_str()), (200, Some("C00000")));
    let user = open["user_cust_id"].as_str().unwrap().to_owned();
    let (_, dup) = post(
        &base,
        "/api/hfpay/v1/merchant/person_opening",
        &token,
        &[
            ("mer_cust_id", m),
            ("order_id", "O1"),
            ("order_date", "20240101"),
            ("user_name", "张三"),
            ("cert_id", "11010519491231002X"),
            ("user_mobile", "13812345678"),
            ("vali_date", "20301231"),
        ],
    )
    .await;
    assert_eq!(dup["resp_code"], "C10003");
    let (_, card) = post(
        &base,
        "/api/hfpay/v1/merchant/bind_bank_card",
        &token,
        &[
            ("mer_cust_id", m),
            ("user_cust_id", &user),
            ("order_id", "O2"),
            ("order_date", "20240101"),
            ("bank_id", "03080000"),
            ("card_no", "6225880137705555"),
            ("card_mobile", "13812345678"),
        ],
    )
    .await;
    let card_id = card["card_id"].as_str().unwrap().to_owned();

    let (_, sms) = post(
        &base,
        "/api/hfpay/v1/trade/send_quick_pay_sms_code",
        &token,
        &[
            ("mer_cust_id", m),
            ("user_cust_id", &user),
            ("order_id", "Q0"),
            ("order_date", "20240101"),
            ("trans_amt", "10.00"),
            ("card_no", "6225880137705555"),
            ("card_mobile", "13812345678"),
        ],
    )
    .await;
    assert_eq!(sms["resp_code"], "C00000");
    let (_, pay) = post(
        &base,
        "/api/hfpay/v1/trade/quick_pay",
        &token,
        &[
            ("mer_cust_id", m),
            ("user_cust_id", &user),
            ("order_id", "Q1"),
            ("order_date", "20240101"),
            ("ori_order_id", "Q0"),
            ("ori_order_date", "20240101"),
            ("sms_code", cred::SMS_CODE),
            ("bg_ret_url", &rx.url),
        ],
    )
    .await;
    assert_eq!(pay["resp_code"], "C00001");
    assert_eq!(pay["order_id"], "Q1");
    let got = rx.wait(1).await;
    let check_value = form_map(&got[0].body)["check_value"].clone();
    let decoded: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(&check_value)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(decoded["order_id"], "Q1");
    assert_eq!(decoded["trans_stat"], "S");
    assert_eq!(decoded["trans_amt"], "10.00");
    let (_, un) = post(
        &base,
        "/api/hfpay/v1/trade/unsgin",
        &token,
        &[
            ("mer_cust_id", m),
            ("check_value", &check_value),
            ("unsign_type", "1"),
        ],
    )
    .await;
    assert_eq!(un["resp_code"], "C00000");
    assert_eq!(
        serde_json::from_str::<Value>(un["json_data"].as_str().unwrap()).unwrap(),
        decoded
    );
    let forged = base64::engine::general_purpose::STANDARD
        .encode(br#"{"order_id":"Q1","trans_amt":"99999.00"}"#);
    let (_, un) = post(
        &base,
        "/api/hfpay/v1/trade/unsgin",
        &token,
        &[
            ("mer_cust_id", m),
            ("check_value", &forged),
            ("unsign_type", "1"),
        ],
    )
    .await;
    assert_eq!(un["resp_code"], "C10009");

    sb.faults()
        .set_times(Provider::Huifu, NOTIFY_ROUTE, Fault::WrongSignature, 1);
    let (_, w) = post(
        &base,
        "/api/hfpay/v1/trade/withdrawal",
        &token,
        &[
            ("mer_cust_id", m),
            ("user_cust_id", &user),
            ("order_id", "W1"),
            ("order_date", "20240101"),
            ("trans_amt", "10010.00"),
            ("cash_bind_card_id", &card_id),
            ("cash_type", "T1"),
            ("bg_ret_url", &rx.url),
        ],
    )
    .await;
    assert_eq!(w["resp_code"], "C00002");
    let first = sb
        .notifications()
        .wait_for(Duration::from_secs(2), |r| r.order_id == "W1")
        .await
        .unwrap();
    assert!(first.tampered);
    let tampered_cv = form_map(&first.body)["check_value"].clone();
    let (_, un) = post(
        &base,
        "/api/hfpay/v1/trade/unsgin",
        &token,
        &[
            ("mer_cust_id", m),
            ("check_value", &tampered_cv),
            ("unsign_type", "1"),
        ],
    )
    .await;
    assert_eq!(un["resp_code"], "C10009");
    let (_, q) = post(
        &base,
        "/api/hfpay/v1/trade/order_query",
        &token,
        &[
            ("mer_cust_id", m),
            ("user_cust_id", &user),
            ("order_id", "W1"),
            ("order_date", "20240101"),
            ("trans_type", "03"),
        ],
    )
    .await;
    assert_eq!(q["trans_amt"], "10010.00");
    // under another kind, for another user, or without a kind: not found / refused
    let query = |user: &str, trans_type: Option<&str>| {
        let (base, token, user) = (base.clone(), token.clone(), user.to_owned());
        let trans_type = trans_type.map(str::to_owned);
        async move {
            let mut form = vec![
                ("mer_cust_id", m),
                ("user_cust_id", user.as_str()),
                ("order_id", "W1"),
                ("order_date", "20240101"),
            ];
            if let Some(t) = &trans_type {
                form.push(("trans_type", t.as_str()));
            }
            post(&base, "/api/hfpay/v1/trade/order_query", &token, &form)
                .await
                .1["resp_code"]
                .clone()
        }
    };
    for kind in ["01", "02", "04"] {
        assert_eq!(query(&user, Some(kind)).await, "C10004", "{kind}");
    }
    assert_eq!(query("6666000999999999", Some("03")).await, "C10004");
    assert_eq!(query(m, Some("03")).await, "C00000");
    assert_eq!(query(&user, None).await, "C10001");
    let (_, over) = post(
        &base,
        "/api/hfpay/v1/trade/withdrawal",
        &token,
        &[
            ("mer_cust_id", m),
            ("user_cust_id", &user),
            ("order_id", "W2"),
            ("order_date", "20240101"),
            ("trans_amt", "1.00"),
            ("cash_bind_card_id", &card_id),
            ("cash_type", "T1"),
        ],
    )
    .await;
    assert_eq!(over["resp_code"], "C10006");
    let r: Value = client
        .get(format!(
            "{base}/api/hfpay/app/bank_check/card/6225880137705555?client_id={}&client_secret={}",
            cred::CLIENT_ID,
            cred::CLIENT_SECRET
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str::<Value>(&t).unwrap())
        .unwrap();
    assert_eq!(r["bank_name"], "招商银行");
    sb.shutdown().await;
}

/// Prism's OAuth in the simulator: a code works once, a refresh token works once and rotates,
/// the session stays open across a refresh, an expired access token is refused on top of valid
/// app credentials, and the token endpoint refuses a request without them.
#[tokio::test]
async fn oauth_codes_refresh_tokens_sessions_and_expiry() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let app = [
        ("client_id", cred::CLIENT_ID),
        ("client_secret", cred::CLIENT_SECRET),
    ];
    let form_post = |path: &'static str, with_app: bool, form: Vec<(&'static str, String)>| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let mut r = client.post(format!("{base}{path}"));
            if with_app {
                r = r.query(&app);
            }
            let r = r.form(&form).send().await.unwrap();
            let status = r.status().as_u16();
            (
                status,
                serde_json::from_str::<Value>(&r.text().await.unwrap()).unwrap(),
            )
        }
    };
    let r = client
        .get(format!("{base}/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", cred::CLIENT_ID),
            ("redirect_uri", "https://shop.example/back"),
        ])
        .send()
        .await
        .unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let code = location.split_once("code=").unwrap().1.to_owned();

    let grant = vec![
        ("code", code),
        ("grant_type", "authorization_code".to_owned()),
    ];
    let (s, _) = form_post("/oauth/token", false, grant.clone()).await;
    assert_eq!(s, 401, "no app credentials");
    let (s, first) = form_post("/oauth/token", true, grant).await;
    assert_eq!(s, 200, "{first}");
    let refresh = first["refresh_token"].as_str().unwrap().to_owned();
    let session = first["session_id"].as_str().unwrap().to_owned();

    let refresh_grant = vec![
        ("grant_type", "refresh_token".to_owned()),
        ("refresh_token", refresh),
    ];
    let (s, second) = form_post("/oauth/token", true, refresh_grant.clone()).await;
    assert_eq!(s, 200, "{second}");
    assert_ne!(second["access_token"], first["access_token"]);
    assert_eq!(second["session_id"], session.as_str(), "the same session");
    let (s, again) = form_post("/oauth/token", true, refresh_grant).await;
    assert_eq!(
        (s, again["error"]["code"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (s, other) = form_post(
        "/oauth/token",
        true,
        vec![("grant_type", "client_credentials".to_owned())],
    )
    .await;
    assert_eq!(
        (s, other["error"]["code"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    let check = |id: String| {
        form_post(
            "/platform/oauth/session_check",
            true,
            vec![("session_id", id)],
        )
    };
    assert_eq!(
        check(session).await,
        (200, serde_json::json!({"result": true, "error": null}))
    );
    assert_eq!(check("nope".to_owned()).await.1["result"], false);

    // a live token on top of the app's credentials is accepted; once expired, refused
    let token = second["access_token"].as_str().unwrap().to_owned();
    let m = cred::MER_CUST_ID;
    let balance = [
        ("mer_cust_id", m),
        ("user_cust_id", m),
        ("acct_id", "MERCHANT"),
    ];
    let (s, ok) = post(
        &base,
        "/api/hfpay/v1/merchant/balance_query",
        &token,
        &balance,
    )
    .await;
    assert_eq!((s, ok["resp_code"].as_str()), (200, Some("C00000")), "{ok}");
    let r = client
        .post(format!("{base}/sandbox/huifu/expire_tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (s, refused) = post(
        &base,
        "/api/hfpay/v1/merchant/balance_query",
        &token,
        &balance,
    )
    .await;
    assert_eq!(
        (s, refused["error"]["code"].as_str()),
        (401, Some("invalid_token"))
    );
}

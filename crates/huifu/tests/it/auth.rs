//! Authentication: the app's credentials, a user's token on top, and Prism's OAuth (stored
//! token, refresh before expiry, one refresh on 401, one refresh for many concurrent callers).

use std::sync::Arc;
use std::time::Duration;

use huifu::oauth::{MemoryTokenStore, OAuthToken, TokenStore};
use huifu::{BearerAuth, Client, Config, OAuthTokenProvider, PrismSecretAuth};
use pay_core::test_util::{RecordingTransport, mock_server};
use pay_core::{Error, FixedClock, ProviderErrorKind, Timestamp};
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::*;

fn order_query() -> serde_json::Value {
    json!({"user_cust_id": "6666000000000002", "order_id": "P1", "order_date": "20240101", "trans_type": "01"})
}

#[tokio::test]
async fn https_base_url_defaults_to_client_id_and_secret_in_the_query() {
    let t = Arc::new(RecordingTransport::new());
    t.push_response(200, r#"{"resp_code":"C00000"}"#);
    let client = Client::with_transport(
        Config::builder(MER, CLIENT_ID, SECRET)
            .base_url("https://gw.example/")
            .build()
            .unwrap(),
        t.clone(),
    )
    .unwrap();
    client
        .call_json("order-query", order_query(), Vec::new())
        .await
        .unwrap();
    let req = &t.requests()[0];
    assert_eq!(
        req.uri().to_string(),
        "https://gw.example/api/hfpay/v1/trade/order_query?client_id=app-key&client_secret=app-secret"
    );
    assert!(req.headers().get("authorization").is_none());
}

/// Signs of whole requests, computed by hand from prism-php's `PrismSign::produce`
/// (`/tmp/prism_vec.py`-style: Python `hashlib.md5` over `urllib.parse.quote(safe="-_.~")`
/// pieces), for `order_query` with `order_query()`'s fields at `sign_time=1700000000`.
const SIGN_WITH_BEARER: &str = "653AA999472A0C352AC8064500E222F4";
const SIGN_WITHOUT_BEARER: &str = "DD804C31BD793046381F155CE8616E7F";

async fn recorded_order_query(config: huifu::ConfigBuilder) -> wiremock::Request {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/order_query"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"resp_code":"C00000"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(config.base_url(server.uri()));
    client
        .call_json("order-query", order_query(), Vec::new())
        .await
        .unwrap();
    server.received_requests().await.unwrap().remove(0)
}

#[tokio::test]
async fn a_bearer_token_rides_on_top_of_the_app_sign_which_covers_it() {
    let req = recorded_order_query(
        Config::builder(MER, CLIENT_ID, SECRET).auth(BearerAuth::new("static-token")),
    )
    .await;
    assert_eq!(
        req.url.query(),
        Some(
            format!(
                "client_id=app-key&sign_method=md5&sign_time=1700000000&sign={SIGN_WITH_BEARER}"
            )
            .as_str()
        )
    );
    assert_eq!(bearer_of(&req), "Bearer static-token");
}

#[tokio::test]
async fn without_a_token_the_app_sign_alone() {
    let req = recorded_order_query(Config::builder(MER, CLIENT_ID, SECRET)).await;
    assert_eq!(
        req.url.query(),
        Some(
            format!(
                "client_id=app-key&sign_method=md5&sign_time=1700000000&sign={SIGN_WITHOUT_BEARER}"
            )
            .as_str()
        )
    );
    assert!(req.headers.get("authorization").is_none());
}

#[tokio::test]
async fn over_https_a_bearer_token_rides_on_client_id_and_secret() {
    let t = Arc::new(RecordingTransport::new());
    t.push_response(200, r#"{"resp_code":"C00000"}"#);
    let client = Client::with_transport(
        Config::builder(MER, CLIENT_ID, SECRET)
            .base_url("https://gw.example/")
            .auth(BearerAuth::new("user-token"))
            .build()
            .unwrap(),
        t.clone(),
    )
    .unwrap();
    client
        .call_json("order-query", order_query(), Vec::new())
        .await
        .unwrap();
    let req = &t.requests()[0];
    assert_eq!(
        req.uri().to_string(),
        "https://gw.example/api/hfpay/v1/trade/order_query?client_id=app-key&client_secret=app-secret"
    );
    assert_eq!(
        req.headers().get("authorization").unwrap(),
        "Bearer user-token"
    );
}

#[tokio::test]
async fn client_secret_is_refused_on_plain_http_before_sending() {
    let t = Arc::new(RecordingTransport::new());
    let client = Client::with_transport(
        Config::builder(MER, CLIENT_ID, SECRET)
            .base_url("http://gw.example")
            .app_auth(PrismSecretAuth::new("k2", "s2"))
            .build()
            .unwrap(),
        t.clone(),
    )
    .unwrap();
    let err = client
        .call_json("order-query", order_query(), Vec::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "base_url"),
        "{err:?}"
    );
    assert!(t.requests().is_empty());
}

#[tokio::test]
async fn explicit_app_secret_auth_over_https() {
    let t = Arc::new(RecordingTransport::new());
    t.push_response(200, r#"{"resp_code":"C00000"}"#);
    let client = Client::with_transport(
        Config::builder(MER, CLIENT_ID, SECRET)
            .base_url("https://gw.example")
            .app_auth(PrismSecretAuth::new("k2", "s2"))
            .build()
            .unwrap(),
        t.clone(),
    )
    .unwrap();
    client
        .call_json("order-query", order_query(), Vec::new())
        .await
        .unwrap();
    assert_eq!(
        t.requests()[0].uri().query(),
        Some("client_id=k2&client_secret=s2")
    );
}

/// A user's token as the store holds it: expires `secs` after `NOW`, refresh token `rt-1`.
fn stored(access: &str, secs: i64) -> OAuthToken {
    OAuthToken {
        access_token: access.into(),
        refresh_token: Some("rt-1".into()),
        expires_at: Timestamp::from_unix_seconds(NOW + secs),
        session_id: Some("sess-1".into()),
    }
}

/// The refresh request prism-php sends: `grant_type=refresh_token` and the refresh token.
async fn refresh_mock(server: &wiremock::MockServer, token: &str, expires_in: i64, times: u64) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string("grant_type=refresh_token&refresh_token=rt-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": token, "token_type": "Bearer", "expires_in": expires_in,
            "refresh_token": "rt-1", "session_id": "sess-1"
        })))
        .up_to_n_times(1)
        .expect(times)
        .mount(server)
        .await;
}

fn oauth_client_with(
    server: &wiremock::MockServer,
    clock: Arc<FixedClock>,
    store: Arc<MemoryTokenStore>,
) -> Client {
    client_with(config(server).auth(OAuthTokenProvider::new(CLIENT_ID, SECRET).store(store)))
        .with_clock(clock)
}

fn oauth_client(
    server: &wiremock::MockServer,
    clock: Arc<FixedClock>,
    token: OAuthToken,
) -> Client {
    oauth_client_with(server, clock, Arc::new(MemoryTokenStore::with(token)))
}

fn fixed_clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(Timestamp::from_unix_seconds(NOW)))
}

fn bearer_of(req: &wiremock::Request) -> String {
    req.headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_stored_token_is_used_and_refreshed_before_expiry_with_a_signed_request() {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/order_query"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"resp_code":"C00000"}"#))
        .mount(&server)
        .await;
    let clock = fixed_clock();
    let store = Arc::new(MemoryTokenStore::with(stored("tok-1", 7200)));
    let client = oauth_client_with(&server, clock.clone(), store.clone());
    client
        .call_json("order-query", order_query(), Vec::new())
        .await
        .unwrap();
    clock.advance_millis(7_000_000); // 7000 s: 200 s left, more than the 60 s margin
    client
        .call_json("order-query", order_query(), Vec::new())
        .await
        .unwrap();
    refresh_mock(&server, "tok-2", 7200, 1).await;
    clock.advance_millis(150_000); // 50 s left: inside the margin, refresh
    client
        .call_json("order-query", order_query(), Vec::new())
        .await
        .unwrap();
    server.verify().await;
    let all = server.received_requests().await.unwrap();
    let calls: Vec<String> = all
        .iter()
        .filter(|r| r.url.path() != "/oauth/token")
        .map(bearer_of)
        .collect();
    assert_eq!(calls, ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]);
    // the refresh carries the app's credentials and a sign, like any request
    let refresh = all.iter().find(|r| r.url.path() == "/oauth/token").unwrap();
    let q = query_pairs(refresh);
    assert_eq!(get(&q, "client_id"), Some(CLIENT_ID));
    let form = pay_core::test_util::form_pairs(&refresh.body);
    assert_eq!(
        get(&q, "sign"),
        Some(expected_sign(refresh, &form).as_str())
    );
    // and the new token is saved for the next process
    let saved = store.load().await.unwrap().unwrap();
    assert_eq!(saved.access_token.expose_secret(), "tok-2");
    assert_eq!(
        saved.expires_at,
        Timestamp::from_unix_seconds(NOW + 7150 + 7200)
    );
}

#[tokio::test]
async fn without_a_stored_token_nothing_is_sent() {
    let t = Arc::new(RecordingTransport::new());
    let client = Client::with_transport(
        Config::builder(MER, CLIENT_ID, SECRET)
            .base_url("http://gw.example")
            .auth(OAuthTokenProvider::new(CLIENT_ID, SECRET))
            .build()
            .unwrap(),
        t.clone(),
    )
    .unwrap();
    let e = client
        .call_json("order-query", order_query(), Vec::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput { field, .. } if field == "access_token"),
        "{e:?}"
    );
    assert!(t.requests().is_empty());
}

#[tokio::test]
async fn a_401_refreshes_once_and_resends_once() {
    let server = mock_server().await;
    Mock::given(path("/api/hfpay/v1/trade/withdrawal"))
        .and(header("authorization", "Bearer old"))
        .respond_with(ResponseTemplate::new(401).set_body_string(
            r#"{"result":"error","error":{"code":"invalid_token","message":"expired"}}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    refresh_mock(&server, "new", 7200, 1).await;
    Mock::given(path("/api/hfpay/v1/trade/withdrawal"))
        .and(header("authorization", "Bearer new"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"resp_code":"C00000","order_id":"W1"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = oauth_client(&server, fixed_clock(), stored("old", 7200));
    let data = json!({
        "user_cust_id": "6666000000000002", "order_id": "W1", "order_date": "20240101",
        "trans_amt": "100.00", "cash_bind_card_id": "BC1", "cash_type": "T1",
        "bg_ret_url": "https://shop.example/cb"
    });
    let r = client
        .call_json("withdrawal", data.clone(), Vec::new())
        .await
        .unwrap();
    assert_eq!(r["order_id"], "W1");
    server.verify().await;

    // a second 401 is not retried again
    let server = mock_server().await;
    refresh_mock(&server, "t2", 7200, 1).await;
    Mock::given(path("/api/hfpay/v1/trade/withdrawal"))
        .respond_with(ResponseTemplate::new(401).set_body_string(
            r#"{"result":"error","error":{"code":"invalid_token","message":"no"}}"#,
        ))
        .expect(2)
        .mount(&server)
        .await;
    let client = oauth_client(&server, fixed_clock(), stored("t1", 7200));
    let e = client
        .call_json("withdrawal", data, Vec::new())
        .await
        .unwrap_err();
    match e {
        Error::Provider(p) => {
            assert_eq!(p.code, "invalid_token");
            assert_eq!(p.kind, ProviderErrorKind::Unauthorized);
            assert_eq!(p.order_id.as_deref(), Some("W1"));
        }
        other => panic!("{other:?}"),
    }
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_concurrent_callers_share_one_refresh() {
    let server = mock_server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(
                    json!({"access_token": "shared", "token_type": "Bearer", "expires_in": 3600}),
                )
                .set_delay(Duration::from_millis(100)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/trade/order_query"))
        .and(header("authorization", "Bearer shared"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"resp_code":"C00000"}"#))
        .expect(50)
        .mount(&server)
        .await;
    // expires in 10 s: inside the margin, every caller needs a fresh one
    let client = oauth_client(&server, fixed_clock(), stored("expiring", 10));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            c.call_json("order-query", order_query(), Vec::new()).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn token_endpoint_failures() {
    let server = mock_server().await;
    Mock::given(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"access_token":"","expires_in":10}"#),
        )
        .mount(&server)
        .await;
    let client = oauth_client(&server, fixed_clock(), stored("expired", -1));
    let e = client
        .call_json("order-query", order_query(), Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    // Refreshing a token is read-only and the call itself was never sent.
    assert!(e.is_retry_safe() && !e.needs_query(), "{e:?}");
    assert_eq!(e.order_id(), None);

    let server = mock_server().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_string(
            r#"{"result":"error","error":{"code":"invalid_grant","message":"refresh token expired"}}"#,
        ))
        .mount(&server)
        .await;
    let client = oauth_client(&server, fixed_clock(), stored("expired", -1));
    match client
        .call_json("order-query", order_query(), Vec::new())
        .await
        .unwrap_err()
    {
        Error::Provider(p) => {
            assert_eq!(p.code, "invalid_grant");
            assert_eq!(p.kind, ProviderErrorKind::Unauthorized);
        }
        other => panic!("{other:?}"),
    }
    // no API call was made without a token
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs.iter().all(|r| r.url.path() == "/oauth/token"));
}

/// Many calls refused with the same stale token: one refresh between them, each resent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_concurrent_401s_share_one_refresh() {
    let server = mock_server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(
                    json!({"access_token": "fresh", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt-2"}),
                )
                .set_delay(Duration::from_millis(50)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/trade/order_query"))
        .and(header("authorization", "Bearer stale"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string(
                    r#"{"result":"error","error":{"code":"invalid_token","message":"expired"}}"#,
                )
                // every caller has sent with the stale token before the first 401 arrives
                .set_delay(Duration::from_millis(150)),
        )
        .expect(20)
        .mount(&server)
        .await;
    Mock::given(path("/api/hfpay/v1/trade/order_query"))
        .and(header("authorization", "Bearer fresh"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"resp_code":"C00000"}"#))
        .expect(20)
        .mount(&server)
        .await;
    let client = oauth_client(&server, fixed_clock(), stored("stale", 3600));
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let c = client.clone();
        let b = barrier.clone();
        tasks.push(tokio::spawn(async move {
            b.wait().await;
            c.call_json("order-query", order_query(), Vec::new()).await
        }));
    }
    for t in tasks {
        let out = t.await.unwrap().unwrap();
        assert_eq!(out["resp_code"], "C00000");
    }
    server.verify().await;
}

/// The authorize URL on the base without `/api`, as prism-php's `goToAuthPage` builds it.
#[test]
fn the_authorize_url_is_on_the_base_without_api() {
    let client = Client::with_transport(
        Config::builder(MER, CLIENT_ID, SECRET)
            .base_url("https://gw.example/api")
            .build()
            .unwrap(),
        Arc::new(RecordingTransport::new()),
    )
    .unwrap();
    assert_eq!(
        client
            .authorize_url("https://shop.example/oauth/back?x=1")
            .unwrap(),
        "https://gw.example/oauth/authorize?response_type=code&client_id=app-key&redirect_uri=https%3A%2F%2Fshop.example%2Foauth%2Fback%3Fx%3D1"
    );
    match client.authorize_url("javascript:alert(1)") {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "redirect_uri"),
        other => panic!("{other:?}"),
    }
}

/// The code exchange (`grant_type=authorization_code`) and the session check, both with the
/// app's credentials; over HTTPS `client_id` + `client_secret`, token URL without `/api`.
#[tokio::test]
async fn code_exchange_and_session_check_carry_the_app_credentials() {
    let t = Arc::new(RecordingTransport::new());
    t.push_response(
        200,
        r#"{"access_token":"at-1","token_type":"Bearer","expires_in":7200,"refresh_token":"rt-1","session_id":"sess-1"}"#,
    );
    t.push_response(200, r#"{"result":true,"error":null}"#);
    let client = Client::with_transport(
        Config::builder(MER, CLIENT_ID, SECRET)
            .base_url("https://gw.example/api")
            .build()
            .unwrap(),
        t.clone(),
    )
    .unwrap()
    .with_clock(fixed_clock());
    let token = client.exchange_code("code-1").await.unwrap();
    assert_eq!(token.access_token.expose_secret(), "at-1");
    assert_eq!(
        token.refresh_token.as_ref().unwrap().expose_secret(),
        "rt-1"
    );
    assert_eq!(token.expires_at, Timestamp::from_unix_seconds(NOW + 7200));
    assert_eq!(token.session_id.as_deref(), Some("sess-1"));
    assert!(client.check_session(&token).await.unwrap());
    let reqs = t.requests();
    assert_eq!(
        reqs[0].uri().to_string(),
        "https://gw.example/oauth/token?client_id=app-key&client_secret=app-secret"
    );
    assert_eq!(
        reqs[0].body().as_ref(),
        b"code=code-1&grant_type=authorization_code"
    );
    assert_eq!(
        reqs[1].uri().to_string(),
        "https://gw.example/api/platform/oauth/session_check?client_id=app-key&client_secret=app-secret"
    );
    assert_eq!(reqs[1].body().as_ref(), b"session_id=sess-1");
    assert!(
        !format!("{token:?}").contains("at-1"),
        "tokens hidden in Debug"
    );
}

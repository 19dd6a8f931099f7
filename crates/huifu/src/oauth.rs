//! Prism's OAuth, for a user's token, as prism-php (`src/Oauth.php`) does it.
//!
//! 1. Send the user to [`Client::authorize_url`]: `GET {root}/oauth/authorize` with
//!    `response_type=code`, `client_id` and `redirect_uri`, where `{root}` is the base URL
//!    without a trailing `/api` segment (prism-php: `str_replace('/api', '', base_url)`).
//! 2. The gateway sends the user back to `redirect_uri?code=…`: exchange the code with
//!    [`Client::exchange_code`] (`POST {root}/oauth/token`, `grant_type=authorization_code`).
//! 3. Keep the [`OAuthToken`] in a [`TokenStore`] (a user's token outlives the process: implement
//!    the trait over your database) and give the store to [`crate::OAuthTokenProvider`], which
//!    sends the token on top of the app's credentials, refreshes it
//!    (`grant_type=refresh_token`) before it expires or once after a `401`, and saves the new one.
//! 4. [`Client::check_session`] asks whether the token's session is still open
//!    (`POST {base}/platform/oauth/session_check`, `session_id`).
//!
//! Every one of these requests carries the app's credentials like any other request (the
//! Prism sign over plain HTTP, `client_secret` over HTTPS), as prism-php's `createRequest` does.
//! Fetching or refreshing a token is read-only: its failures are retry-safe.

use std::fmt;

use bytes::Bytes;
use http::Method;
use pay_core::transport::{HttpRequest, HttpResponse};
use pay_core::{Call, CallKind, Codec, Error, Operation, ProviderErrorKind, SecretKey, Timestamp};

use crate::auth::{Auth, AuthContext};
use crate::client::{Client, Gateway, Unauthenticated};

/// The authorize page, under the OAuth root.
pub const AUTHORIZE_PATH: &str = "/oauth/authorize";
/// The token endpoint, under the OAuth root.
pub const TOKEN_PATH: &str = "/oauth/token";
/// The session check, under the base URL (prism-php strips `/api` only for `/oauth` paths).
pub const SESSION_CHECK_PATH: &str = "/platform/oauth/session_check";

/// The base URL without a trailing `/api` segment: where `/oauth/…` lives.
///
/// ```
/// assert_eq!(huifu::oauth::oauth_root("https://gw.example/api"), "https://gw.example");
/// assert_eq!(huifu::oauth::oauth_root("https://gw.example/"), "https://gw.example");
/// ```
pub fn oauth_root(base_url: &str) -> &str {
    let base = base_url.trim_end_matches('/');
    base.strip_suffix("/api").unwrap_or(base)
}

/// A user's token. Its `Debug` hides the tokens.
#[derive(Debug, Clone)]
pub struct OAuthToken {
    /// The bearer token.
    pub access_token: SecretKey,
    /// The token that obtains a new one, when the gateway gave one.
    pub refresh_token: Option<SecretKey>,
    /// When `access_token` expires (from `expires_in`, measured from when it was requested).
    pub expires_at: Timestamp,
    /// The session, for [`Client::check_session`], when the gateway gave one.
    pub session_id: Option<String>,
}

/// Where a user's token is kept between calls and processes. Implement it over your database;
/// [`MemoryTokenStore`] keeps it for the process only.
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The stored token, if any.
    ///
    /// # Errors
    /// The store's own failure.
    async fn load(&self) -> Result<Option<OAuthToken>, Error>;

    /// Replaces the stored token (after an exchange or a refresh).
    ///
    /// # Errors
    /// The store's own failure.
    async fn save(&self, token: &OAuthToken) -> Result<(), Error>;
}

/// A [`TokenStore`] in memory (lost with the process).
#[derive(Debug, Default)]
pub struct MemoryTokenStore(tokio::sync::Mutex<Option<OAuthToken>>);

impl MemoryTokenStore {
    /// A store holding `token`.
    pub fn with(token: OAuthToken) -> Self {
        MemoryTokenStore(tokio::sync::Mutex::new(Some(token)))
    }
}

#[async_trait::async_trait]
impl TokenStore for MemoryTokenStore {
    async fn load(&self) -> Result<Option<OAuthToken>, Error> {
        Ok(self.0.lock().await.clone())
    }

    async fn save(&self, token: &OAuthToken) -> Result<(), Error> {
        *self.0.lock().await = Some(token.clone());
        Ok(())
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    expires_in: i64,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    session_id: Option<String>,
}

/// A token request (`POST {root}/oauth/token`): the grant's form fields.
#[derive(Debug)]
struct TokenRequest {
    form: Vec<(String, String)>,
}

impl Operation for TokenRequest {
    type Answer = OAuthToken;
    const NAME: &'static str = "oauth-token";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = TOKEN_PATH;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// A session check (`POST {base}/platform/oauth/session_check`).
#[derive(Debug)]
struct SessionCheck {
    session_id: String,
}

impl Operation for SessionCheck {
    type Answer = bool;
    const NAME: &'static str = "oauth-session-check";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = SESSION_CHECK_PATH;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// The OAuth endpoints' wire: a signed form POST (the app's credentials added by the
/// [`Gateway`] around the transport); the Prism error envelope, whatever the status, is
/// [`ProviderErrorKind::Unauthorized`].
struct OAuthCodec<'a> {
    ctx: AuthContext<'a>,
    /// When the token was asked for (its expiry counts from then).
    started: Timestamp,
}

impl OAuthCodec<'_> {
    fn encode_form(&self, url: &str, form: Vec<(String, String)>) -> Result<HttpRequest, Error> {
        let parsed =
            url::Url::parse(url).map_err(|e| Error::invalid_input("base_url", e.to_string()))?;
        let body = pay_core::form::encode(form.iter().map(|(k, v)| (k, v)));
        http::Request::builder()
            .method(Method::POST)
            .uri(url)
            .header(http::header::CONTENT_TYPE, pay_core::form::CONTENT_TYPE)
            .header(http::header::ACCEPT, "application/json")
            .extension(Unauthenticated {
                sent_path: parsed.path().to_owned(),
                form,
            })
            .body(Bytes::from(body))
            .map_err(|e| Error::invalid_input("base_url", e.to_string()))
    }

    /// Runs `op`: the app's credentials only (no user token on these requests).
    async fn run<O>(&self, app: &dyn Auth, op: &O) -> Result<O::Answer, Error>
    where
        O: Operation,
        Self: Codec<O, Output = O::Answer>,
    {
        let gateway = Gateway::new(self.ctx, None, app);
        let result = pay_core::operation::execute(self, &gateway, op).await;
        if let Some(e) = gateway.take_failure() {
            return Err(e);
        }
        result.map_err(|e| match &e {
            Error::HttpStatus { body, .. } => match gateway_refusal(body.as_bytes()) {
                Some(refusal) => refusal,
                None => e,
            },
            _ => e,
        })
    }
}

/// The Prism error envelope in `body`, as the token endpoint's refusal.
fn gateway_refusal(body: &[u8]) -> Option<Error> {
    crate::response::gateway_error(body)
        .map(|err| Error::provider(err.kind(ProviderErrorKind::Unauthorized)))
}

/// A 2xx answer: refused when it is the Prism error envelope, else JSON.
fn answer<T: serde::de::DeserializeOwned>(response: HttpResponse) -> Result<(T, Bytes), Error> {
    let body = response.into_body();
    if let Some(refusal) = gateway_refusal(&body) {
        return Err(refusal);
    }
    Ok((pay_core::decode::json(&body)?, body))
}

impl Codec<TokenRequest> for OAuthCodec<'_> {
    const PROVIDER: &'static str = crate::PROVIDER;
    type Sent = ();
    type Output = OAuthToken;

    fn encode(&self, op: &TokenRequest) -> Result<(HttpRequest, ()), Error> {
        let url = format!("{}{TOKEN_PATH}", oauth_root(self.ctx.base_url));
        Ok((self.encode_form(&url, op.form.clone())?, ()))
    }

    fn decode(&self, _call: &Call, response: HttpResponse, _sent: ()) -> Result<OAuthToken, Error> {
        let (t, body): (TokenResponse, Bytes) = answer(response)?;
        if let Some(tt) = &t.token_type
            && !tt.eq_ignore_ascii_case("bearer")
        {
            return Err(Error::decode(
                body,
                format!("token_type `{tt}` is not Bearer"),
            ));
        }
        if t.access_token.is_empty() || t.expires_in <= 0 {
            return Err(Error::decode(
                body,
                "access_token empty or expires_in not positive",
            ));
        }
        Ok(OAuthToken {
            access_token: SecretKey::new(t.access_token),
            refresh_token: t
                .refresh_token
                .filter(|r| !r.is_empty())
                .map(SecretKey::new),
            expires_at: Timestamp::from_unix_millis(
                self.started
                    .unix_millis()
                    .saturating_add(t.expires_in.saturating_mul(1000)),
            ),
            session_id: t.session_id.filter(|s| !s.is_empty()),
        })
    }
}

impl Codec<SessionCheck> for OAuthCodec<'_> {
    const PROVIDER: &'static str = crate::PROVIDER;
    type Sent = ();
    type Output = bool;

    fn encode(&self, op: &SessionCheck) -> Result<(HttpRequest, ()), Error> {
        let url = format!("{}{SESSION_CHECK_PATH}", self.ctx.base_url);
        let form = vec![("session_id".to_owned(), op.session_id.clone())];
        Ok((self.encode_form(&url, form)?, ()))
    }

    fn decode(&self, _call: &Call, response: HttpResponse, _sent: ()) -> Result<bool, Error> {
        let (answer, body): (serde_json::Value, Bytes) = answer(response)?;
        answer
            .get("result")
            .and_then(serde_json::Value::as_bool)
            .ok_or_else(|| Error::decode(body, "no boolean `result`"))
    }
}

/// Asks the token endpoint for a token with `grant` (`authorization_code` or `refresh_token`).
pub(crate) async fn request_token(
    ctx: &AuthContext<'_>,
    app: &dyn Auth,
    grant: &[(&str, &str)],
) -> Result<OAuthToken, Error> {
    let op = TokenRequest {
        form: grant
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    };
    let codec = OAuthCodec {
        ctx: *ctx,
        started: ctx.clock.now(),
    };
    codec.run(app, &op).await
}

/// Refreshes `token` with its refresh token.
pub(crate) async fn refresh(
    ctx: &AuthContext<'_>,
    app: &dyn Auth,
    token: &OAuthToken,
) -> Result<OAuthToken, Error> {
    let Some(refresh_token) = &token.refresh_token else {
        return Err(Error::invalid_input(
            "refresh_token",
            "the token has none: send the user through Client::authorize_url again",
        ));
    };
    let mut new = request_token(
        ctx,
        app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ],
    )
    .await?;
    // A gateway that does not rotate refresh tokens answers none: the old one stays valid.
    if new.refresh_token.is_none() {
        new.refresh_token = Some(refresh_token.clone());
    }
    if new.session_id.is_none() {
        new.session_id.clone_from(&token.session_id);
    }
    Ok(new)
}

impl Client {
    fn auth_context(&self) -> Result<AuthContext<'_>, Error> {
        Ok(AuthContext {
            transport: self.transport.as_ref(),
            clock: self.clock.as_ref(),
            base_url: self.base_url()?,
        })
    }

    /// Where to send the user to grant a token: `{root}/oauth/authorize?response_type=code&
    /// client_id=…&redirect_uri=…` (see the module docs for `{root}`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `base_url` (not configured) or `redirect_uri` (not an
    /// http(s) URL).
    pub fn authorize_url(&self, redirect_uri: &str) -> Result<String, Error> {
        pay_core::validate::http_url("redirect_uri", redirect_uri)?;
        let query = pay_core::form::encode([
            ("response_type", "code"),
            ("client_id", self.config.client_id.as_str()),
            ("redirect_uri", redirect_uri),
        ]);
        Ok(format!(
            "{}{AUTHORIZE_PATH}?{query}",
            oauth_root(self.base_url()?)
        ))
    }

    /// Exchanges the `code` the gateway sent back to `redirect_uri` for a user's token
    /// (`grant_type=authorization_code`). Save it in your [`TokenStore`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on an empty `code`; the token endpoint's failure:
    /// [`Error::Transport`], [`Error::HttpStatus`], [`Error::Provider`] (kind
    /// [`ProviderErrorKind::Unauthorized`]) or [`Error::Decode`].
    pub async fn exchange_code(&self, code: &str) -> Result<OAuthToken, Error> {
        crate::types::required("code", code)?;
        let ctx = self.auth_context()?;
        request_token(
            &ctx,
            self.app_auth.as_ref(),
            &[("code", code), ("grant_type", "authorization_code")],
        )
        .await
    }

    /// A new token for `token`, with its refresh token (`grant_type=refresh_token`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `refresh_token` when the token has none; otherwise as
    /// [`Client::exchange_code`].
    pub async fn refresh_token(&self, token: &OAuthToken) -> Result<OAuthToken, Error> {
        let ctx = self.auth_context()?;
        refresh(&ctx, self.app_auth.as_ref(), token).await
    }

    /// Whether the token's session is still open (`{"result": true}`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `session_id` when the token has none; [`Error::Decode`] when
    /// the answer has no boolean `result`; otherwise as [`Client::exchange_code`].
    pub async fn check_session(&self, token: &OAuthToken) -> Result<bool, Error> {
        let Some(session_id) = &token.session_id else {
            return Err(Error::invalid_input("session_id", "the token has none"));
        };
        let ctx = self.auth_context()?;
        let codec = OAuthCodec {
            ctx,
            started: ctx.clock.now(),
        };
        let op = SessionCheck {
            session_id: session_id.clone(),
        };
        codec.run(self.app_auth.as_ref(), &op).await
    }
}

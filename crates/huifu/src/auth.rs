//! Authentication: a trait, the app's credentials, and a user's token on top of them.
//!
//! The spec says only "Key / Secret, OAuth Token Header". The doc site is a ShopEx Prism API
//! gateway. Its PHP client (`shopex/prism-php`, `src/Requester.php`) authenticates every request
//! with the APP's credentials, and adds a user's OAuth token on top when it has one:
//!
//! | layer | implementation | what it sends (prism-php behaviour reproduced) |
//! |---|---|---|
//! | app, plain HTTP (default for `http://`) | [`PrismSignAuth`] | query `client_id`, `sign_method=md5`, `sign_time` (unix seconds), `sign` over method, path, the `Authorization` and `X-Api-*` headers, query and form (see [`crate::sign`]) |
//! | app, HTTPS (default for `https://`) | [`PrismSecretAuth`] | query `client_id`, `client_secret` only (prism-php drops the sign over HTTPS); refused on a plain-HTTP base URL, where the secret would travel in clear |
//! | user, on top | [`BearerAuth`] | header `Authorization: Bearer <token>`; over HTTP the sign covers it |
//! | user, on top | [`OAuthTokenProvider`] | the same header, the token fetched, cached, refreshed before it expires and once after a `401` |
//!
//! The client runs the user layer ([`crate::Config::auth`]) first and the app layer
//! ([`crate::Config::app_auth`]) last, so a token never replaces the app's credentials and the
//! sign covers the header the token added.
//!
//! # Writing your own
//!
//! Implement [`Auth`]: [`Auth::authorize`] adds query parameters and headers to the outgoing
//! [`AuthRequest`] (it sees the method, the path as sent, and the text form fields, which it may
//! sign); [`Auth::on_unauthorized`] is called when the gateway answers `401`, and returns `true`
//! when new credentials were obtained and the request should be sent once more.
//!
//! ```
//! use huifu::auth::{Auth, AuthContext, AuthRequest};
//!
//! #[derive(Debug)]
//! struct ApiKeyHeader(pay_core::SecretKey);
//!
//! #[async_trait::async_trait]
//! impl Auth for ApiKeyHeader {
//!     async fn authorize(&self, req: &mut AuthRequest<'_>, _ctx: &AuthContext<'_>) -> Result<(), pay_core::Error> {
//!         req.insert_header("x-api-key", self.0.expose_secret())
//!     }
//! }
//! ```

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use pay_core::transport::HttpTransport;
use pay_core::{Call, Clock, Error, ProviderError, ProviderErrorKind, SecretKey, Timestamp};

use crate::sign;

/// The parts of an outgoing request that authentication may read and extend.
///
/// Its `Debug` shows the method, the path and the names of the query parameters, headers and
/// form fields, never their values (they carry personal data and credentials).
pub struct AuthRequest<'a> {
    /// The HTTP method.
    pub method: &'a Method,
    /// The path as sent (already percent-encoded), e.g. `/api/hfpay/v1/trade/refund`.
    pub path: &'a str,
    /// The query parameters (decoded), in order; authentication appends to them.
    pub query: Vec<(String, String)>,
    /// The request headers; authentication may add to them.
    pub headers: HeaderMap,
    /// The text form fields of the body (form or multipart). Empty for a JSON body, which the
    /// Prism sign does not cover.
    pub form: &'a [(String, String)],
}

/// The path with the card number of `bank_check/card/{card}` masked.
fn shown_path(path: &str) -> String {
    match path.strip_prefix(crate::merchant::BANK_CHECK_CARD_PREFIX) {
        Some(card) => format!(
            "{}{}",
            crate::merchant::BANK_CHECK_CARD_PREFIX,
            pay_core::pii::mask_card_number(card)
        ),
        None => path.to_owned(),
    }
}

impl fmt::Debug for AuthRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |pairs: &[(String, String)]| -> Vec<String> {
            pairs.iter().map(|(k, _)| k.clone()).collect()
        };
        let headers: Vec<&str> = self.headers.keys().map(http::HeaderName::as_str).collect();
        f.debug_struct("AuthRequest")
            .field("method", self.method)
            .field("path", &shown_path(self.path))
            .field("query", &names(&self.query))
            .field("headers", &headers)
            .field("form", &names(self.form))
            .finish()
    }
}

impl AuthRequest<'_> {
    /// Adds (or replaces) a header.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the name or value is not a valid header.
    pub fn insert_header(&mut self, name: &'static str, value: &str) -> Result<(), Error> {
        let v = HeaderValue::from_str(value)
            .map_err(|_| Error::invalid_input(name, "is not a valid header value"))?;
        let n = http::HeaderName::from_static(name);
        self.headers.insert(n, v);
        Ok(())
    }
}

/// What an [`Auth`] may use to do its work: the client's transport, clock and base URL.
#[derive(Debug, Clone, Copy)]
pub struct AuthContext<'a> {
    /// The client's transport (for fetching tokens).
    pub transport: &'a dyn HttpTransport,
    /// The client's clock.
    pub clock: &'a dyn Clock,
    /// The gateway's base URL, without a trailing `/`.
    pub base_url: &'a str,
}

/// Authenticates requests to the gateway.
#[async_trait::async_trait]
pub trait Auth: Send + Sync + fmt::Debug {
    /// Adds credentials to the request.
    ///
    /// # Errors
    /// Whatever obtaining the credentials returns.
    async fn authorize(
        &self,
        request: &mut AuthRequest<'_>,
        ctx: &AuthContext<'_>,
    ) -> Result<(), Error>;

    /// Called once when the gateway answered `401` to a request carrying `sent_headers`.
    /// Return `true` when fresh credentials were obtained and the request should be sent once
    /// more (the default: `false`).
    ///
    /// A `401` comes from the gateway before the request reaches the payment service, so the
    /// one resend cannot do the work twice.
    ///
    /// # Errors
    /// Whatever refreshing returns.
    async fn on_unauthorized(
        &self,
        _sent_headers: &HeaderMap,
        _ctx: &AuthContext<'_>,
    ) -> Result<bool, Error> {
        Ok(false)
    }
}

/// The app's credentials over HTTPS: `client_id` and `client_secret` as query parameters.
///
/// Refused ([`Error::InvalidInput`] on `base_url`, nothing sent) when the base URL is not
/// `https://`.
#[derive(Clone)]
pub struct PrismSecretAuth {
    client_id: String,
    client_secret: SecretKey,
}

impl PrismSecretAuth {
    /// Authentication with the app's key and secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<SecretKey>) -> Self {
        PrismSecretAuth {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }
}

impl fmt::Debug for PrismSecretAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrismSecretAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish()
    }
}

#[async_trait::async_trait]
impl Auth for PrismSecretAuth {
    async fn authorize(
        &self,
        request: &mut AuthRequest<'_>,
        ctx: &AuthContext<'_>,
    ) -> Result<(), Error> {
        if !ctx.base_url.starts_with("https://") {
            return Err(Error::invalid_input(
                "base_url",
                "client_secret is sent only over https; use PrismSignAuth on plain http",
            ));
        }
        request
            .query
            .push(("client_id".into(), self.client_id.clone()));
        request.query.push((
            "client_secret".into(),
            self.client_secret.expose_secret().to_owned(),
        ));
        Ok(())
    }
}

/// Prism request signing for plain HTTP: `client_id`, `sign_method=md5`, `sign_time` and
/// `sign` as query parameters (see [`crate::sign`] for the sign).
#[derive(Clone)]
pub struct PrismSignAuth {
    client_id: String,
    client_secret: SecretKey,
}

impl PrismSignAuth {
    /// Signing with the app's key and secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<SecretKey>) -> Self {
        PrismSignAuth {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }
}

impl fmt::Debug for PrismSignAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrismSignAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish()
    }
}

/// The `Authorization` and `X-Api-*` headers, in canonical form, for the Prism sign.
pub(crate) fn signed_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| {
            let n = name.as_str();
            n == "authorization" || n.starts_with("x-api-")
        })
        .map(|(name, value)| {
            (
                sign::canonical_header_name(name.as_str()),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

#[async_trait::async_trait]
impl Auth for PrismSignAuth {
    async fn authorize(
        &self,
        request: &mut AuthRequest<'_>,
        ctx: &AuthContext<'_>,
    ) -> Result<(), Error> {
        request
            .query
            .push(("client_id".into(), self.client_id.clone()));
        request.query.push(("sign_method".into(), "md5".into()));
        request.query.push((
            "sign_time".into(),
            ctx.clock.now().unix_seconds().to_string(),
        ));
        let s = sign::prism_sign(
            self.client_secret.expose_secret(),
            request.method.as_str(),
            request.path,
            &signed_headers(&request.headers),
            &request.query,
            request.form,
        );
        request.query.push(("sign".into(), s));
        Ok(())
    }
}

/// A user's OAuth token obtained elsewhere: `Authorization: Bearer <token>`, sent on top of the
/// app's credentials (set it with [`crate::Config::auth`]).
#[derive(Clone)]
pub struct BearerAuth {
    token: SecretKey,
}

impl BearerAuth {
    /// Authentication with a token obtained elsewhere.
    pub fn new(token: impl Into<SecretKey>) -> Self {
        BearerAuth {
            token: token.into(),
        }
    }
}

impl fmt::Debug for BearerAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerAuth")
            .field("token", &self.token)
            .finish()
    }
}

#[async_trait::async_trait]
impl Auth for BearerAuth {
    async fn authorize(
        &self,
        request: &mut AuthRequest<'_>,
        _ctx: &AuthContext<'_>,
    ) -> Result<(), Error> {
        request.insert_header(
            "authorization",
            &format!("Bearer {}", self.token.expose_secret()),
        )
    }
}

/// The default path of the token endpoint (an assumption: the spec is silent).
pub const DEFAULT_TOKEN_PATH: &str = "/oauth/token";

#[derive(Clone)]
struct CachedToken {
    token: SecretKey,
    expires_at: Timestamp,
}

/// Fetches, caches and refreshes an OAuth token (client-credentials grant).
///
/// The token endpoint is our documented assumption, since the spec is silent:
/// `POST {base_url}/oauth/token` (path configurable with [`OAuthTokenProvider::token_path`]),
/// form `grant_type=client_credentials&client_id=…&client_secret=…`, answering
/// `{"access_token":"…","token_type":"Bearer","expires_in":seconds}`.
///
/// - The token is cached and reused until `refresh_margin` (default 60 s) before it expires,
///   measured on the client's [`Clock`].
/// - Concurrent callers share one fetch: the cache is a `tokio::sync::Mutex` held across the
///   fetch, so a hundred calls with an empty cache make one request to the token endpoint.
/// - After a `401` the token that was refused is dropped (unless another caller has already
///   replaced it) and the request is sent once more with a new one.
pub struct OAuthTokenProvider {
    client_id: String,
    client_secret: SecretKey,
    token_path: String,
    refresh_margin: Duration,
    cache: tokio::sync::Mutex<Option<CachedToken>>,
}

impl fmt::Debug for OAuthTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokenProvider")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("token_path", &self.token_path)
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    expires_in: i64,
}

impl OAuthTokenProvider {
    /// A provider for the app's key and secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<SecretKey>) -> Self {
        OAuthTokenProvider {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            token_path: DEFAULT_TOKEN_PATH.to_owned(),
            refresh_margin: Duration::from_secs(60),
            cache: tokio::sync::Mutex::new(None),
        }
    }

    /// The token endpoint's path under the base URL (default [`DEFAULT_TOKEN_PATH`]).
    #[must_use]
    pub fn token_path(mut self, path: impl Into<String>) -> Self {
        self.token_path = path.into();
        self
    }

    /// How long before expiry a token is replaced (default 60 s).
    #[must_use]
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    fn fresh(&self, cached: &CachedToken, now: Timestamp) -> bool {
        let margin = i64::try_from(self.refresh_margin.as_millis()).unwrap_or(i64::MAX);
        now.unix_millis().saturating_add(margin) < cached.expires_at.unix_millis()
    }

    /// The current token, fetching one when none is cached or it is about to expire.
    ///
    /// # Errors
    /// The token endpoint's failure: [`Error::Transport`], [`Error::HttpStatus`],
    /// [`Error::Provider`] (kind [`ProviderErrorKind::Unauthorized`]) or [`Error::Decode`].
    pub async fn token(&self, ctx: &AuthContext<'_>) -> Result<SecretKey, Error> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref()
            && self.fresh(c, ctx.clock.now())
        {
            return Ok(c.token.clone());
        }
        let fetched = self.fetch(ctx).await?;
        let token = fetched.token.clone();
        *cache = Some(fetched);
        Ok(token)
    }

    async fn fetch(&self, ctx: &AuthContext<'_>) -> Result<CachedToken, Error> {
        let call = Call::query("huifu", "oauth-token");
        let body = pay_core::form::encode([
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
        ]);
        let url = format!("{}{}", ctx.base_url, self.token_path);
        let request = http::Request::builder()
            .method(Method::POST)
            .uri(url)
            .header(http::header::CONTENT_TYPE, pay_core::form::CONTENT_TYPE)
            .header(http::header::ACCEPT, "application/json")
            .body(Bytes::from(body))
            .map_err(|e| Error::invalid_input("base_url", e.to_string()))?;
        let started = ctx.clock.now();
        let response = call.send(ctx.transport, request).await?;
        let status = response.status().as_u16();
        let body = response.into_body();
        if let Some(err) = crate::response::gateway_error(&body) {
            return Err(Error::provider(err.kind(ProviderErrorKind::Unauthorized)));
        }
        // Fetching a token is read-only: its failures are retry-safe and never ask for a query.
        if !(200..300).contains(&status) {
            return Err(call.classify(Error::http_status(status, body)));
        }
        let t: TokenResponse = call.decode_json(&body)?;
        if let Some(tt) = &t.token_type
            && !tt.eq_ignore_ascii_case("bearer")
        {
            return Err(call.classify(Error::decode(
                body,
                format!("token_type `{tt}` is not Bearer"),
            )));
        }
        if t.access_token.is_empty() || t.expires_in <= 0 {
            return Err(call.classify(Error::decode(
                body,
                "access_token empty or expires_in not positive",
            )));
        }
        Ok(CachedToken {
            token: SecretKey::new(t.access_token),
            expires_at: Timestamp::from_unix_millis(
                started
                    .unix_millis()
                    .saturating_add(t.expires_in.saturating_mul(1000)),
            ),
        })
    }
}

#[async_trait::async_trait]
impl Auth for OAuthTokenProvider {
    async fn authorize(
        &self,
        request: &mut AuthRequest<'_>,
        ctx: &AuthContext<'_>,
    ) -> Result<(), Error> {
        let token = self.token(ctx).await?;
        request.insert_header(
            "authorization",
            &format!("Bearer {}", token.expose_secret()),
        )
    }

    async fn on_unauthorized(
        &self,
        sent_headers: &HeaderMap,
        _ctx: &AuthContext<'_>,
    ) -> Result<bool, Error> {
        let sent = sent_headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let mut cache = self.cache.lock().await;
        let refused = cache
            .as_ref()
            .is_some_and(|c| sign::ct_eq(c.token.expose_secret(), sent));
        if refused {
            // Drop the refused token; the resend fetches a new one. If another caller already
            // replaced it, keep theirs.
            *cache = None;
        }
        Ok(true)
    }
}

/// Wraps an error from the token endpoint (used by tests and custom auths).
pub fn unauthorized(code: impl Into<String>, message: impl Into<String>) -> Error {
    Error::provider(ProviderError::new(code, message).kind(ProviderErrorKind::Unauthorized))
}

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
//! | user, on top | [`OAuthTokenProvider`] | the same header, the user's token from a [`TokenStore`], refreshed (`grant_type=refresh_token`) before it expires and once after a `401` (see [`crate::oauth`]) |
//!
//! The client runs the user layer ([`crate::ConfigBuilder::auth`]) first and the app layer
//! ([`crate::ConfigBuilder::app_auth`]) last, so a token never replaces the app's credentials and the
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

use http::{HeaderMap, HeaderValue, Method};
use pay_core::transport::HttpTransport;
use pay_core::{Clock, Error, ProviderError, ProviderErrorKind, SecretKey, Timestamp};

use crate::oauth::{MemoryTokenStore, OAuthToken, TokenStore};
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
/// app's credentials (set it with [`crate::ConfigBuilder::auth`]).
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

/// A user's OAuth token from a [`TokenStore`], sent on top of the app's credentials
/// (`Authorization: Bearer …`), refreshed as Prism does it (see [`crate::oauth`]).
///
/// - The token comes from the store (seed it with [`crate::Client::exchange_code`]); without
///   one, a call is refused before sending ([`Error::InvalidInput`] on `access_token`).
/// - It is refreshed (`grant_type=refresh_token`, `POST {root}/oauth/token`, signed with the
///   app's key and secret like any request) `refresh_margin` (default 60 s) before it expires,
///   measured on the client's [`Clock`], and the new token is saved in the store.
/// - Concurrent callers share one refresh: the cache is a `tokio::sync::Mutex` held across it.
/// - After a `401` the refused token is refreshed once (unless another caller has already
///   replaced it) and the request is sent once more with the new one.
pub struct OAuthTokenProvider {
    client_id: String,
    client_secret: SecretKey,
    store: std::sync::Arc<dyn TokenStore>,
    refresh_margin: Duration,
    cache: tokio::sync::Mutex<Option<OAuthToken>>,
}

impl fmt::Debug for OAuthTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokenProvider")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("store", &self.store)
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl OAuthTokenProvider {
    /// A provider for the app's key and secret (which sign the refresh requests), with an empty
    /// [`MemoryTokenStore`]: set a store with [`OAuthTokenProvider::store`].
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<SecretKey>) -> Self {
        OAuthTokenProvider {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            store: std::sync::Arc::new(MemoryTokenStore::default()),
            refresh_margin: Duration::from_secs(60),
            cache: tokio::sync::Mutex::new(None),
        }
    }

    /// Where the user's token is kept (default: an empty [`MemoryTokenStore`]).
    #[must_use]
    pub fn store(mut self, store: std::sync::Arc<dyn TokenStore>) -> Self {
        self.store = store;
        self
    }

    /// How long before expiry a token is replaced (default 60 s).
    #[must_use]
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    fn fresh(&self, token: &OAuthToken, now: Timestamp) -> bool {
        let margin = i64::try_from(self.refresh_margin.as_millis()).unwrap_or(i64::MAX);
        now.unix_millis().saturating_add(margin) < token.expires_at.unix_millis()
    }

    /// The app's credentials for the refresh request, chosen by scheme as the client does.
    fn app(&self, ctx: &AuthContext<'_>) -> Box<dyn Auth> {
        if ctx.base_url.starts_with("https://") {
            Box::new(PrismSecretAuth::new(
                self.client_id.clone(),
                self.client_secret.clone(),
            ))
        } else {
            Box::new(PrismSignAuth::new(
                self.client_id.clone(),
                self.client_secret.clone(),
            ))
        }
    }

    async fn refreshed(
        &self,
        ctx: &AuthContext<'_>,
        token: &OAuthToken,
    ) -> Result<OAuthToken, Error> {
        let new = crate::oauth::refresh(ctx, self.app(ctx).as_ref(), token).await?;
        self.store.save(&new).await?;
        Ok(new)
    }

    /// The current token, refreshing it when it is about to expire.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `access_token` when the store holds none; the store's or the
    /// token endpoint's failure.
    pub async fn token(&self, ctx: &AuthContext<'_>) -> Result<SecretKey, Error> {
        let mut cache = self.cache.lock().await;
        if cache.is_none() {
            *cache = self.store.load().await?;
        }
        let Some(current) = cache.clone() else {
            return Err(Error::invalid_input(
                "access_token",
                "no user token is stored: send the user to Client::authorize_url and save \
                 what Client::exchange_code returns",
            ));
        };
        if self.fresh(&current, ctx.clock.now()) {
            return Ok(current.access_token);
        }
        let new = self.refreshed(ctx, &current).await?;
        let token = new.access_token.clone();
        *cache = Some(new);
        Ok(token)
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
        ctx: &AuthContext<'_>,
    ) -> Result<bool, Error> {
        let sent = sent_headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let mut cache = self.cache.lock().await;
        let Some(current) = cache.clone() else {
            return Ok(false);
        };
        if !sign::ct_eq(current.access_token.expose_secret(), sent) {
            // Another caller has already replaced the refused token: use theirs.
            return Ok(true);
        }
        if current.refresh_token.is_none() {
            return Ok(false);
        }
        let new = self.refreshed(ctx, &current).await?;
        *cache = Some(new);
        Ok(true)
    }
}

/// Wraps an error from the token endpoint (used by tests and custom auths).
pub fn unauthorized(code: impl Into<String>, message: impl Into<String>) -> Error {
    Error::provider(ProviderError::new(code, message).kind(ProviderErrorKind::Unauthorized))
}

//! Client configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pay_core::{Error, SecretKey};

use crate::auth::{Auth, PrismSecretAuth, PrismSignAuth};
use crate::response::{DefaultInterpreter, ResponseInterpreter};

/// How request bodies are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyEncoding {
    /// `application/x-www-form-urlencoded` (the default). JSON-valued fields (`stockholders`,
    /// `div_detail`, `extension`, …) are sent as their JSON text.
    #[default]
    Form,
    /// `application/json`: one object; JSON-valued fields are still JSON text, since the spec
    /// types every one of them `string`. The Prism sign does not cover a JSON body.
    Json,
}

/// The default reply to a `bg_ret_url` callback (see [`Config::callback_reply`]).
pub const DEFAULT_CALLBACK_REPLY: &str = "SUCCESS";

/// The default limit on an uploaded file (5 MiB; the spec gives none).
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

/// Whether a `bg_ret_url` may point at a private address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallbackUrls {
    /// Only public hosts (the default): the spec requires an address reachable from outside
    /// (必须是外网地址).
    #[default]
    PublicOnly,
    /// FOR TEST ENVIRONMENTS ONLY: loopback, private, link-local and unspecified hosts too.
    AllowPrivate,
}

/// Credentials and settings of a [`crate::Client`], checked when built ([`Config::builder`],
/// [`Config::new`], deserialisation, [`Config::from_env`]): a `Config` that exists has a
/// merchant id, an app key and secret, a usable base URL when it has one, a timeout in range,
/// a non-empty callback reply and a positive upload limit.
///
/// The spec gives no host: a config without a base URL can verify callbacks; its client
/// refuses to send.
///
/// ```
/// use std::time::Duration;
/// let config = huifu::Config::builder("6666000000000001", "app-key", "app-secret")
///     .base_url("https://gateway.example")
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// assert_eq!(config.base_url(), Some("https://gateway.example"));
/// assert_eq!(config.timeout(), Duration::from_secs(10));
/// assert!(!format!("{config:?}").contains("app-secret"));
///
/// let bad = huifu::Config::builder("6666000000000001", "app-key", "app-secret")
///     .base_url("gateway.example")
///     .build();
/// assert!(matches!(bad, Err(pay_core::Error::InvalidInput { field, .. }) if field == "base_url"));
/// # Ok::<(), pay_core::Error>(())
/// ```
#[derive(Clone, serde::Deserialize)]
#[serde(try_from = "ConfigFile")]
pub struct Config {
    pub(crate) mer_cust_id: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretKey,
    pub(crate) base_url: Option<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) auth: Option<Arc<dyn Auth>>,
    pub(crate) app_auth: Option<Arc<dyn Auth>>,
    pub(crate) encoding: BodyEncoding,
    pub(crate) interpreter: Arc<dyn ResponseInterpreter>,
    pub(crate) callback_reply: String,
    pub(crate) max_upload_bytes: usize,
    pub(crate) callback_urls: CallbackUrls,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("mer_cust_id", &self.mer_cust_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("auth", &self.auth)
            .field("app_auth", &self.app_auth)
            .field("encoding", &self.encoding)
            .field("interpreter", &self.interpreter)
            .field("callback_reply", &self.callback_reply)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("callback_urls", &self.callback_urls)
            .finish()
    }
}

/// Builds a [`Config`]; [`ConfigBuilder::build`] checks it.
#[derive(Clone, Debug)]
#[must_use]
pub struct ConfigBuilder(Config);

impl ConfigBuilder {
    /// The gateway's base URL: scheme and host, optionally with a path prefix under which the
    /// API is mounted (`https://gateway.example/gw`); requests are signed over the full path sent.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        let url: String = url.into();
        self.0.base_url = Some(url.trim_end_matches('/').to_owned());
        self
    }

    /// The end-to-end time limit of a request (default 30 s), from 1 ms to
    /// [`Config::MAX_TIMEOUT_SECS`] seconds. The default transport
    /// ([`Client::new`](crate::Client::new)) applies it; a client on an injected transport
    /// refuses a config that sets it ([`Client::with_transport`](crate::Client::with_transport)).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.0.timeout = Some(timeout);
        self
    }

    /// A user's credentials (typically an OAuth token: [`crate::BearerAuth`],
    /// [`crate::OAuthTokenProvider`]), sent ON TOP of the app's credentials, never instead of
    /// them: the client runs this first, then the app's authentication
    /// ([`ConfigBuilder::app_auth`]), so that the Prism sign covers the `Authorization` header
    /// this adds, as prism-php's `Requester::createRequest` does. Default: none.
    pub fn auth(self, auth: impl Auth + 'static) -> Self {
        self.shared_auth(Arc::new(auth))
    }

    /// As [`ConfigBuilder::auth`], with a shared value.
    pub fn shared_auth(mut self, auth: Arc<dyn Auth>) -> Self {
        self.0.auth = Some(auth);
        self
    }

    /// The app's own credentials, sent with every request. Default: [`PrismSecretAuth`] when
    /// the base URL is `https`, [`PrismSignAuth`] otherwise (as prism-php chooses), with this
    /// config's key and secret.
    pub fn app_auth(mut self, auth: impl Auth + 'static) -> Self {
        self.0.app_auth = Some(Arc::new(auth));
        self
    }

    /// The body encoding (default [`BodyEncoding::Form`]).
    pub fn encoding(mut self, encoding: BodyEncoding) -> Self {
        self.0.encoding = encoding;
        self
    }

    /// How responses are read (default [`DefaultInterpreter`]).
    pub fn interpreter(mut self, interpreter: impl ResponseInterpreter + 'static) -> Self {
        self.0.interpreter = Arc::new(interpreter);
        self
    }

    /// The body answered to a `bg_ret_url` callback once processed. The spec is silent; the
    /// default is `SUCCESS`. Huifu's other APIs expect `RECV_ORD_ID_<order_id>`: use
    /// [`crate::notify::recv_ord_id_reply`] for that per callback.
    pub fn callback_reply(mut self, reply: impl Into<String>) -> Self {
        self.0.callback_reply = reply.into();
        self
    }

    /// The largest file an upload may send (default [`DEFAULT_MAX_UPLOAD_BYTES`]).
    pub fn max_upload_bytes(mut self, limit: usize) -> Self {
        self.0.max_upload_bytes = limit;
        self
    }

    /// Which `bg_ret_url` hosts are accepted (default [`CallbackUrls::PublicOnly`]).
    /// [`CallbackUrls::AllowPrivate`] is FOR TEST ENVIRONMENTS ONLY (a local simulator, a
    /// demo, end-to-end tests): by default a `bg_ret_url` on a loopback, private, link-local or
    /// unspecified host is refused before sending ([`crate::types::public_callback_url`]), since
    /// the spec requires a public address (必须是外网地址) and a real gateway could never
    /// deliver to it.
    pub fn callback_urls(mut self, urls: CallbackUrls) -> Self {
        self.0.callback_urls = urls;
        self
    }

    /// FOR TEST ENVIRONMENTS ONLY: `callback_urls(CallbackUrls::AllowPrivate)`.
    pub fn allow_private_callback_urls(self) -> Self {
        self.callback_urls(CallbackUrls::AllowPrivate)
    }

    /// The checked configuration.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `mer_cust_id`, `client_id` or `client_secret` when empty (or,
    /// for the ids, not visible ASCII: they travel in requests); on `base_url` when it is not
    /// an http(s) URL or has a query or a fragment; on `timeout` when it is zero or over five
    /// minutes; on `callback_reply` when empty; on `max_upload_bytes` when zero.
    pub fn build(self) -> Result<Config, Error> {
        let c = self.0;
        visible_ascii("mer_cust_id", &c.mer_cust_id)?;
        visible_ascii("client_id", &c.client_id)?;
        if c.client_secret.is_empty() {
            return Err(Error::invalid_input("client_secret", "is required"));
        }
        if let Some(url) = &c.base_url {
            pay_core::validate::base_url("base_url", url)?;
        }
        if let Some(t) = c.timeout
            && (t.is_zero() || t > Duration::from_secs(Config::MAX_TIMEOUT_SECS))
        {
            return Err(Error::invalid_input(
                "timeout",
                format!(
                    "must be more than zero and at most {} seconds",
                    Config::MAX_TIMEOUT_SECS
                ),
            ));
        }
        pay_core::validate::required("callback_reply", &c.callback_reply)?;
        if c.max_upload_bytes == 0 {
            return Err(Error::invalid_input("max_upload_bytes", "must be positive"));
        }
        Ok(c)
    }
}

fn visible_ascii(field: &'static str, value: &str) -> Result<(), Error> {
    pay_core::validate::required(field, value)?;
    if value.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(Error::invalid_input(field, "must be visible ASCII"))
    }
}

impl Config {
    /// A builder for the merchant `mer_cust_id` (sent as `mer_cust_id` in every request) with
    /// the gateway app's key (`client_id`) and secret.
    pub fn builder(
        mer_cust_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretKey>,
    ) -> ConfigBuilder {
        ConfigBuilder(Config {
            mer_cust_id: mer_cust_id.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            base_url: None,
            timeout: None,
            auth: None,
            app_auth: None,
            encoding: BodyEncoding::Form,
            interpreter: Arc::new(DefaultInterpreter),
            callback_reply: DEFAULT_CALLBACK_REPLY.to_owned(),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            callback_urls: CallbackUrls::PublicOnly,
        })
    }

    /// A checked configuration with no base URL and the defaults: enough to verify callbacks;
    /// use [`Config::builder`] to make calls.
    ///
    /// # Errors
    /// As [`ConfigBuilder::build`].
    pub fn new(
        mer_cust_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretKey>,
    ) -> Result<Self, Error> {
        Config::builder(mer_cust_id, client_id, client_secret).build()
    }

    /// The merchant's customer id.
    pub fn mer_cust_id(&self) -> &str {
        &self.mer_cust_id
    }

    /// The gateway app's key (`client_id`).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The base URL as configured (without a trailing `/`), if any.
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// The time limit of one call: the configured one, or 30 s.
    pub fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(pay_core::transport::DEFAULT_TIMEOUT)
    }

    /// Refuses a set timeout for a client on an injected transport, which would not apply it.
    pub(crate) fn leaves_the_timeout_to_the_transport(&self) -> Result<(), Error> {
        match self.timeout {
            None => Ok(()),
            Some(_) => Err(Error::invalid_input(
                "timeout",
                "only the default transport (Client::new) applies it: set the time limit on the \
                 injected transport and leave it out of the config",
            )),
        }
    }

    /// The configured encoding.
    pub fn encoding(&self) -> BodyEncoding {
        self.encoding
    }

    /// The body answered to a processed callback.
    pub fn callback_reply(&self) -> &str {
        &self.callback_reply
    }

    /// The largest file an upload may send.
    pub fn max_upload_bytes(&self) -> usize {
        self.max_upload_bytes
    }

    /// Which `bg_ret_url` hosts are accepted.
    pub fn callback_urls(&self) -> CallbackUrls {
        self.callback_urls
    }

    /// The same configuration with `urls` for `bg_ret_url` hosts (a choice that needs no
    /// check: everything else was checked when the config was built).
    #[must_use]
    pub fn with_callback_urls(mut self, urls: CallbackUrls) -> Self {
        self.callback_urls = urls;
        self
    }

    /// The app's credentials layer: the explicit one, or the default by scheme.
    pub(crate) fn resolved_app_auth(&self) -> Arc<dyn Auth> {
        if let Some(a) = &self.app_auth {
            return a.clone();
        }
        let https = self
            .base_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"));
        if https {
            Arc::new(PrismSecretAuth::new(
                self.client_id.clone(),
                self.client_secret.clone(),
            ))
        } else {
            Arc::new(PrismSignAuth::new(
                self.client_id.clone(),
                self.client_secret.clone(),
            ))
        }
    }
}

/// A [`Config`] as a merchant's configuration file gives it: the keys `mer_cust_id`, `key`, `secret`, `token`, `base_url`, `timeout`
/// (the names of the `cnpay` CLI's settings); an unknown key is an error.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    mer_cust_id: String,
    key: String,
    secret: SecretKey,
    /// a bearer token, sent as `Authorization: Bearer …`.
    #[serde(default)]
    token: Option<SecretKey>,
    #[serde(default)]
    base_url: Option<String>,
    /// Whole seconds, from 1 to [`Config::MAX_TIMEOUT_SECS`].
    #[serde(default)]
    timeout: Option<u64>,
}

impl TryFrom<ConfigFile> for Config {
    type Error = Error;

    fn try_from(f: ConfigFile) -> Result<Self, Error> {
        let mut config = Config::builder(f.mer_cust_id, f.key, f.secret);
        if let Some(token) = f.token {
            config = config.auth(crate::BearerAuth::new(token));
        }
        if let Some(url) = f.base_url {
            config = config.base_url(url);
        }
        if let Some(t) = pay_core::env::timeout_secs("timeout", f.timeout)? {
            config = config.timeout(t);
        }
        config.build()
    }
}

impl Config {
    /// The environment variables [`Config::from_env`] reads all begin with this.
    pub const ENV_PREFIX: &str = "CNPAY_HUIFU_";

    /// The longest `timeout` setting, in seconds (five minutes): a call that has not answered
    /// by then will not.
    pub const MAX_TIMEOUT_SECS: u64 = pay_core::env::MAX_TIMEOUT_SECS;

    /// The configuration in the environment, under the names the `cnpay` CLI reads:
    /// `CNPAY_HUIFU_MER_CUST_ID`, `CNPAY_HUIFU_KEY`, `CNPAY_HUIFU_SECRET`, `CNPAY_HUIFU_TOKEN`, `CNPAY_HUIFU_BASE_URL`, `CNPAY_HUIFU_TIMEOUT` (an empty value counts as unset).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the variable that is missing or malformed, or the setting
    /// [`ConfigBuilder::build`] refuses.
    pub fn from_env() -> Result<Self, Error> {
        let mut config = Config::builder(
            pay_core::env::required("CNPAY_HUIFU_MER_CUST_ID")?,
            pay_core::env::required("CNPAY_HUIFU_KEY")?,
            SecretKey::new(pay_core::env::required("CNPAY_HUIFU_SECRET")?),
        );
        if let Some(token) = pay_core::env::var("CNPAY_HUIFU_TOKEN")? {
            config = config.auth(crate::BearerAuth::new(SecretKey::new(token)));
        }
        if let Some(url) = pay_core::env::var("CNPAY_HUIFU_BASE_URL")? {
            config = config.base_url(url);
        }
        if let Some(t) = pay_core::env::timeout("CNPAY_HUIFU_TIMEOUT")? {
            config = config.timeout(t);
        }
        config.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_from_a_config_file_with_an_optional_token() {
        let c: Config = serde_json::from_str(
            r#"{"mer_cust_id":"6666000000000001","key":"client","secret":"app-secret","token":"bearer-token","base_url":"https://gw.example","timeout":12}"#,
        )
        .unwrap();
        assert_eq!(c.mer_cust_id(), "6666000000000001");
        assert_eq!(c.client_id, "client");
        assert_eq!(c.client_secret.expose_secret(), "app-secret");
        assert_eq!(c.base_url(), Some("https://gw.example"));
        assert_eq!(c.timeout(), Duration::from_secs(12));
        assert!(c.auth.is_some());
        assert!(!format!("{c:?}").contains("bearer-token"));
        let plain: Config =
            serde_json::from_str(r#"{"mer_cust_id":"1","key":"c","secret":"s"}"#).unwrap();
        assert!(plain.auth.is_none());
    }

    #[test]
    fn a_bad_setting_fails_when_the_config_is_built() {
        let field = |r: Result<Config, Error>| match r {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let b = || Config::builder("6666000000000001", "client", "secret");
        assert_eq!(field(b().base_url("gw.example").build()), "base_url");
        assert_eq!(
            field(b().base_url("https://gw.example/?a=1").build()),
            "base_url"
        );
        assert_eq!(field(b().timeout(Duration::ZERO).build()), "timeout");
        assert_eq!(
            field(b().timeout(Duration::from_secs(301)).build()),
            "timeout"
        );
        assert_eq!(field(b().max_upload_bytes(0).build()), "max_upload_bytes");
        assert_eq!(field(b().callback_reply("").build()), "callback_reply");
        assert_eq!(field(Config::new("", "client", "secret")), "mer_cust_id");
        assert_eq!(field(Config::new("1", "cli ent", "secret")), "client_id");
        assert_eq!(field(Config::new("1", "client", "")), "client_secret");
        let file = serde_json::from_str::<Config>(
            r#"{"mer_cust_id":"1","key":"c","secret":"s","base_url":"ftp://gw.example"}"#,
        );
        assert!(file.unwrap_err().to_string().contains("base_url"));
    }

    #[test]
    fn from_env_names_the_missing_variable() {
        // The test environment sets no CNPAY_HUIFU_ variable.
        let e = Config::from_env().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input in `CNPAY_HUIFU_MER_CUST_ID`: is not set"
        );
    }
}

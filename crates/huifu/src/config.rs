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

/// Credentials and settings of a [`crate::Client`].
///
/// ```
/// use std::time::Duration;
/// let config = huifu::Config::new("6666000000000001", "app-key", "app-secret")
///     .base_url("https://gateway.example")
///     .timeout(Duration::from_secs(10));
/// assert!(!format!("{config:?}").contains("app-secret"));
/// ```
#[derive(Clone, serde::Deserialize)]
#[serde(try_from = "ConfigFile")]
pub struct Config {
    pub(crate) mer_cust_id: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretKey,
    pub(crate) base_url: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) auth: Option<Arc<dyn Auth>>,
    pub(crate) app_auth: Option<Arc<dyn Auth>>,
    pub(crate) encoding: BodyEncoding,
    pub(crate) interpreter: Arc<dyn ResponseInterpreter>,
    pub(crate) callback_reply: String,
    pub(crate) max_upload_bytes: usize,
    pub(crate) allow_private_callback_urls: bool,
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
            .field(
                "allow_private_callback_urls",
                &self.allow_private_callback_urls,
            )
            .finish()
    }
}

impl Config {
    /// A configuration for the merchant `mer_cust_id` (sent as `mer_cust_id` in every request)
    /// with the gateway app's key (`client_id`) and secret.
    ///
    /// The spec gives no host: set [`Config::base_url`] before making calls.
    pub fn new(
        mer_cust_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretKey>,
    ) -> Self {
        Config {
            mer_cust_id: mer_cust_id.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            base_url: None,
            timeout: pay_core::transport::DEFAULT_TIMEOUT,
            auth: None,
            app_auth: None,
            encoding: BodyEncoding::Form,
            interpreter: Arc::new(DefaultInterpreter),
            callback_reply: DEFAULT_CALLBACK_REPLY.to_owned(),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            allow_private_callback_urls: false,
        }
    }

    /// The gateway's base URL: scheme and host, optionally with a path prefix under which the
    /// API is mounted (`https://gateway.example/gw`); requests are signed over the full path sent.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        let url: String = url.into();
        self.base_url = Some(url.trim_end_matches('/').to_owned());
        self
    }

    /// The end-to-end time limit of a request (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A user's credentials (typically an OAuth token: [`crate::BearerAuth`],
    /// [`crate::OAuthTokenProvider`]), sent ON TOP of the app's credentials, never instead of
    /// them: the client runs this first, then the app's authentication
    /// ([`Config::app_auth`]), so that the Prism sign covers the `Authorization` header this
    /// adds, as prism-php's `Requester::createRequest` does. Default: none.
    #[must_use]
    pub fn auth(mut self, auth: impl Auth + 'static) -> Self {
        self.auth = Some(Arc::new(auth));
        self
    }

    /// As [`Config::auth`], with a shared value.
    #[must_use]
    pub fn shared_auth(mut self, auth: Arc<dyn Auth>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The app's own credentials, sent with every request. Default: [`PrismSecretAuth`] when
    /// the base URL is `https`, [`PrismSignAuth`] otherwise (as prism-php chooses), with this
    /// config's key and secret.
    #[must_use]
    pub fn app_auth(mut self, auth: impl Auth + 'static) -> Self {
        self.app_auth = Some(Arc::new(auth));
        self
    }

    /// The body encoding (default [`BodyEncoding::Form`]).
    #[must_use]
    pub fn encoding(mut self, encoding: BodyEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// How responses are read (default [`DefaultInterpreter`]).
    #[must_use]
    pub fn interpreter(mut self, interpreter: impl ResponseInterpreter + 'static) -> Self {
        self.interpreter = Arc::new(interpreter);
        self
    }

    /// The body answered to a `bg_ret_url` callback once processed. The spec is silent; the
    /// default is `SUCCESS`. Huifu's other APIs expect `RECV_ORD_ID_<order_id>`: use
    /// [`crate::notify::recv_ord_id_reply`] for that per callback.
    #[must_use]
    pub fn callback_reply(mut self, reply: impl Into<String>) -> Self {
        self.callback_reply = reply.into();
        self
    }

    /// The largest file an upload may send (default [`DEFAULT_MAX_UPLOAD_BYTES`]).
    #[must_use]
    pub fn max_upload_bytes(mut self, limit: usize) -> Self {
        self.max_upload_bytes = limit;
        self
    }

    /// FOR TEST ENVIRONMENTS ONLY: accepts a `bg_ret_url` on a loopback, private, link-local or
    /// unspecified host (a local simulator, a demo, end-to-end tests). By default such a URL is
    /// refused before sending ([`crate::types::public_callback_url`]), since the spec requires
    /// a public address (必须是外网地址) and a real gateway could never deliver to it.
    #[must_use]
    pub fn allow_private_callback_urls(mut self) -> Self {
        self.allow_private_callback_urls = true;
        self
    }

    /// The merchant's customer id.
    pub fn mer_cust_id(&self) -> &str {
        &self.mer_cust_id
    }

    /// The configured encoding.
    pub fn body_encoding(&self) -> BodyEncoding {
        self.encoding
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
        let mut config = Config::new(f.mer_cust_id, f.key, f.secret);
        if let Some(token) = f.token {
            config = config.auth(crate::BearerAuth::new(token));
        }
        if let Some(url) = f.base_url {
            config = config.base_url(url);
        }
        if let Some(t) = pay_core::env::timeout_secs("timeout", f.timeout)? {
            config = config.timeout(t);
        }
        Ok(config)
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
    /// [`Error::InvalidInput`] naming the variable that is missing or malformed.
    pub fn from_env() -> Result<Self, Error> {
        let mut config = Config::new(
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
        Ok(config)
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
        assert_eq!(c.base_url.as_deref(), Some("https://gw.example"));
        assert_eq!(c.timeout, Duration::from_secs(12));
        assert!(c.auth.is_some());
        assert!(!format!("{c:?}").contains("bearer-token"));
        let plain: Config =
            serde_json::from_str(r#"{"mer_cust_id":"1","key":"c","secret":"s"}"#).unwrap();
        assert!(plain.auth.is_none());
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

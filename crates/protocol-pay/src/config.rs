//! Client configuration: the app id, the MD5 key, the base URL and the timeout, checked once
//! when the [`Config`] is built.

use std::time::Duration;

use pay_core::{Error, KeyRing, SecretKey};

/// The path prefix every endpoint lives under (`xxx/api/protocol/...` in the spec).
pub const PATH_PREFIX: &str = "/api/protocol";

/// The configuration of a [`Client`](crate::Client), checked when it is built
/// ([`Config::builder`], [`Config::new`], deserialisation, [`Config::from_env`]): a `Config`
/// that exists has a well-formed app id, a non-empty key, and a usable base URL when it has
/// one.
///
/// The spec leaves the host to the merchant (`xxx/api/protocol/...`), so there is no default
/// base URL: set it with [`ConfigBuilder::base_url`], with or without the `/api/protocol`
/// prefix. A config without one can verify notifications; its client refuses to send.
///
/// ```
/// use std::time::Duration;
/// use protocol_pay::Config;
///
/// let config = Config::builder("LFT1001", "a8f5f167f44f4964e6c998dee827110c")
///     .base_url("https://pay.example.com")
///     .timeout(Duration::from_secs(15))
///     .build()?;
/// assert_eq!(config.app_id(), "LFT1001");
/// assert_eq!(config.base_url(), Some("https://pay.example.com"));
/// assert_eq!(config.timeout(), Duration::from_secs(15));
/// assert!(!format!("{config:?}").contains("a8f5f167"));
/// assert_eq!(config.endpoint_url("prepay")?, "https://pay.example.com/api/protocol/prepay");
///
/// let bad = Config::builder("LFT1001", "key").base_url("pay.example.com").build();
/// assert!(matches!(bad, Err(pay_core::Error::InvalidInput { field, .. }) if field == "base_url"));
/// # Ok::<(), pay_core::Error>(())
/// ```
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(try_from = "ConfigFile")]
pub struct Config {
    app_id: String,
    key: KeyRing,
    base_url: Option<String>,
    /// The API root: the base URL without a trailing `/` or `/api/protocol`.
    root: Option<String>,
    timeout: Option<Duration>,
}

/// Builds a [`Config`]; [`ConfigBuilder::build`] checks it. `Debug` redacts the key.
#[derive(Clone, Debug)]
#[must_use]
pub struct ConfigBuilder {
    app_id: String,
    key: KeyRing,
    base_url: Option<String>,
    timeout: Option<Duration>,
}

impl ConfigBuilder {
    /// The payment system's base URL, e.g. `https://pay.example.com` (the `/api/protocol`
    /// prefix is added unless the URL already ends with it).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The time limit of one call (default 30 s), from 1 ms to [`Config::MAX_TIMEOUT_SECS`]
    /// seconds. The default transport ([`Client::new`](crate::Client::new)) applies it; a
    /// client on an injected transport refuses a config that sets it
    /// ([`Client::with_transport`](crate::Client::with_transport)).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The checked configuration.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `appId` when it is empty or not ASCII letters, digits, `_`
    /// and `-`; on `key` when it is empty; on `base_url` when it is not an http(s) URL or has a
    /// query or a fragment; on `timeout` when it is zero or over five minutes.
    pub fn build(self) -> Result<Config, Error> {
        pay_core::validate::required("appId", &self.app_id)?;
        pay_core::validate::ascii_alnum("appId", &self.app_id, "_-")?;
        if self.key.verifying_keys().any(SecretKey::is_empty) {
            return Err(Error::invalid_input("key", "is required"));
        }
        let root = match &self.base_url {
            Some(url) => {
                pay_core::validate::required("base_url", url)?;
                pay_core::validate::base_url("base_url", url)?;
                let base = url.trim_end_matches('/');
                Some(base.strip_suffix(PATH_PREFIX).unwrap_or(base).to_owned())
            }
            None => None,
        };
        let too_long = Duration::from_secs(Config::MAX_TIMEOUT_SECS);
        if self.timeout.is_some_and(|t| t.is_zero() || t > too_long) {
            return Err(Error::invalid_input(
                "timeout",
                format!(
                    "must be more than zero and at most {} seconds",
                    Config::MAX_TIMEOUT_SECS
                ),
            ));
        }
        Ok(Config {
            app_id: self.app_id,
            key: self.key,
            base_url: self.base_url,
            root,
            timeout: self.timeout,
        })
    }
}

impl Config {
    /// A builder for `app_id` (业务系统ID, `appId`) and its MD5 key (`Md5-KEY`).
    ///
    /// Pass a [`KeyRing`] to accept the previous key during a key rotation: requests are signed
    /// with the current key, responses and notifications verified with either.
    pub fn builder(app_id: impl Into<String>, key: impl Into<KeyRing>) -> ConfigBuilder {
        ConfigBuilder {
            app_id: app_id.into(),
            key: key.into(),
            base_url: None,
            timeout: None,
        }
    }

    /// A checked configuration with no base URL and the default timeout: enough to verify
    /// notifications and to sign test answers; use [`Config::builder`] to make calls.
    ///
    /// # Errors
    /// As [`ConfigBuilder::build`].
    pub fn new(app_id: impl Into<String>, key: impl Into<KeyRing>) -> Result<Self, Error> {
        Config::builder(app_id, key).build()
    }

    /// The app id.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The keys.
    pub fn keys(&self) -> &KeyRing {
        &self.key
    }

    /// The base URL as configured, if any.
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// The time limit of one call: the configured one, or 30 s.
    pub fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(pay_core::transport::DEFAULT_TIMEOUT)
    }

    /// Whether the timeout was set (rather than left at its default).
    pub(crate) fn timeout_is_set(&self) -> bool {
        self.timeout.is_some()
    }

    /// The full URL of an endpoint (`prepay`, `outquery`, …).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `base_url` when the config has none.
    pub fn endpoint_url(&self, operation: &str) -> Result<String, Error> {
        self.url(&format!("{PATH_PREFIX}/{operation}"))
    }

    /// The full URL of `path` (`/api/protocol/prepay`).
    pub(crate) fn url(&self, path: &str) -> Result<String, Error> {
        match &self.root {
            Some(root) => Ok(format!("{root}{path}")),
            None => Err(Error::invalid_input(
                "base_url",
                "is required to send a request",
            )),
        }
    }
}

/// A [`Config`] as a merchant's configuration file gives it: the keys `app_id`, `key`, `base_url`, `timeout`
/// (the names of the `cnpay` CLI's settings); an unknown key is an error.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    app_id: String,
    key: SecretKey,
    #[serde(default)]
    base_url: Option<String>,
    /// Whole seconds, from 1 to [`Config::MAX_TIMEOUT_SECS`].
    #[serde(default)]
    timeout: Option<u64>,
}

impl TryFrom<ConfigFile> for Config {
    type Error = Error;

    fn try_from(f: ConfigFile) -> Result<Self, Error> {
        let timeout = pay_core::env::timeout_secs("timeout", f.timeout)?;
        Config::assemble(f.app_id, f.key, f.base_url, timeout)
    }
}

impl Config {
    /// The environment variables [`Config::from_env`] reads all begin with this.
    pub const ENV_PREFIX: &str = "CNPAY_PROTOCOL_PAY_";

    /// The longest `timeout` setting, in seconds (five minutes): a call that has not answered
    /// by then will not.
    pub const MAX_TIMEOUT_SECS: u64 = pay_core::env::MAX_TIMEOUT_SECS;

    /// The configuration in the environment, under the names the `cnpay` CLI reads:
    /// `CNPAY_PROTOCOL_PAY_APP_ID`, `CNPAY_PROTOCOL_PAY_KEY`, `CNPAY_PROTOCOL_PAY_BASE_URL`, `CNPAY_PROTOCOL_PAY_TIMEOUT` (an empty value counts as unset).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the variable that is missing or malformed, or the
    /// setting that [`ConfigBuilder::build`] refuses.
    pub fn from_env() -> Result<Self, Error> {
        Config::assemble(
            pay_core::env::required("CNPAY_PROTOCOL_PAY_APP_ID")?,
            SecretKey::new(pay_core::env::required("CNPAY_PROTOCOL_PAY_KEY")?),
            pay_core::env::var("CNPAY_PROTOCOL_PAY_BASE_URL")?,
            pay_core::env::timeout("CNPAY_PROTOCOL_PAY_TIMEOUT")?,
        )
    }

    /// The checked configuration of settings read from a file or the environment.
    fn assemble(
        app_id: String,
        key: SecretKey,
        base_url: Option<String>,
        timeout: Option<Duration>,
    ) -> Result<Self, Error> {
        let mut builder = Config::builder(app_id, key);
        builder.base_url = base_url;
        builder.timeout = timeout;
        builder.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_from_a_config_file() {
        let c: Config = serde_json::from_str(
            r#"{"app_id":"LFT1001","key":"md5-key","base_url":"https://pay.example.com","timeout":15}"#,
        )
        .unwrap();
        assert_eq!(c.app_id(), "LFT1001");
        assert_eq!(c.keys().current().expose_secret(), "md5-key");
        assert_eq!(
            c.endpoint_url("prepay").unwrap(),
            "https://pay.example.com/api/protocol/prepay"
        );
        assert_eq!(c.timeout(), Duration::from_secs(15));
        let e =
            serde_json::from_str::<Config>(r#"{"app_id":"A","key":"k","timeout":0}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input in `timeout`: must be a whole number of seconds from 1 to 300"
        );
    }

    #[test]
    fn a_config_file_is_checked_when_read() {
        for (json, message) in [
            (
                r#"{"app_id":"LFT 1001","key":"k"}"#,
                "invalid input in `appId`",
            ),
            (r#"{"app_id":"LFT1001","key":""}"#, "invalid input in `key`"),
            (
                r#"{"app_id":"LFT1001","key":"k","base_url":"ftp://x"}"#,
                "invalid input in `base_url`",
            ),
        ] {
            let e = serde_json::from_str::<Config>(json).unwrap_err();
            assert!(e.to_string().starts_with(message), "{json}: {e}");
        }
    }

    fn field(e: Error) -> Option<String> {
        match e {
            Error::InvalidInput { field, .. } => Some(field.into_owned()),
            _ => None,
        }
    }

    #[test]
    fn a_bad_setting_fails_when_built() {
        let field = |b: ConfigBuilder| field(b.build().unwrap_err());
        assert_eq!(field(Config::builder("", "k")), Some("appId".into()));
        assert_eq!(field(Config::builder("LFT/1", "k")), Some("appId".into()));
        assert_eq!(field(Config::builder("LFT1001", "")), Some("key".into()));
        let rotated = KeyRing::new(SecretKey::new("k")).with_previous(SecretKey::new(""));
        assert_eq!(
            field(Config::builder("LFT1001", rotated)),
            Some("key".into())
        );
        for url in ["", "pay.example.com", "https://pay.example.com/?a=1"] {
            let b = Config::builder("LFT1001", "k").base_url(url);
            assert_eq!(field(b), Some("base_url".into()), "{url}");
        }
        for t in [Duration::ZERO, Duration::from_secs(301)] {
            let b = Config::builder("LFT1001", "k").timeout(t);
            assert_eq!(field(b), Some("timeout".into()), "{t:?}");
        }
    }

    #[test]
    fn the_api_root_takes_the_prefix_once() {
        for base in [
            "https://pay.example.com",
            "https://pay.example.com/",
            "https://pay.example.com/api/protocol",
            "https://pay.example.com/api/protocol/",
        ] {
            let c = Config::builder("LFT1001", "k")
                .base_url(base)
                .build()
                .unwrap();
            assert_eq!(
                c.endpoint_url("find").unwrap(),
                "https://pay.example.com/api/protocol/find"
            );
        }
        let none = Config::new("LFT1001", "k").unwrap();
        assert_eq!(none.base_url(), None);
        assert_eq!(
            field(none.endpoint_url("find").unwrap_err()),
            Some("base_url".into())
        );
        assert_eq!(none.timeout(), pay_core::transport::DEFAULT_TIMEOUT);
    }

    #[test]
    fn from_env_names_the_missing_variable() {
        // The test environment sets no CNPAY_PROTOCOL_PAY_ variable.
        let e = Config::from_env().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input in `CNPAY_PROTOCOL_PAY_APP_ID`: is not set"
        );
    }
}

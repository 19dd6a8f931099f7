//! Client configuration: merchant id, app id, the two keys, base URL and timeout.

use std::fmt;
use std::time::Duration;

use pay_core::{Error, KeyRing, SecretKey};

/// The credentials and settings of one merchant app, checked once when built
/// ([`ConfigBuilder::build`], [`Config::from_env`], or deserialising a config file).
///
/// The gateway uses two keys (see the crate docs): the merchant signs requests with the
/// **request key**; the gateway signs responses and notifications with the **response key**.
/// They may be the same value. The response key is a [`KeyRing`], so a rotated key can be
/// accepted alongside the new one.
///
/// ```
/// use std::time::Duration;
/// use aggregate_pay::Config;
///
/// let config = Config::builder("20001222", "0ae8be35ff634e2abe94f5f32f6d5c4f", "REQUEST-KEY", "RESPONSE-KEY")
///     .base_url("http://203.0.113.10:3020")
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// assert_eq!(config.base_url(), Some("http://203.0.113.10:3020"));
/// assert_eq!(config.timeout(), Duration::from_secs(10));
/// let shown = format!("{config:?}");
/// assert!(!shown.contains("REQUEST-KEY") && !shown.contains("RESPONSE-KEY"));
///
/// // A bad setting fails here, naming it, not at the first call.
/// let bad = Config::builder("2000-1222", "app", "K", "K").build().unwrap_err();
/// assert_eq!(bad.to_string(), "invalid input in `mch_id`: must be digits");
/// # Ok::<(), pay_core::Error>(())
/// ```
#[derive(Clone, serde::Deserialize)]
#[serde(try_from = "ConfigFile")]
pub struct Config {
    mch_id: String,
    /// `mchId` as the `long` the spec's tables give it (2.1.4, 3.1.3, 3.2.3).
    mch_id_number: i64,
    app_id: String,
    request_key: SecretKey,
    response_keys: KeyRing,
    base_url: Option<String>,
    /// The timeout the merchant set, if any (see [`Config::timeout`]).
    timeout: Option<Duration>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("mch_id", &self.mch_id)
            .field("app_id", &self.app_id)
            .field("request_key", &self.request_key)
            .field("response_keys", &self.response_keys)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Builds a [`Config`]: [`Config::builder`], then the optional settings, then
/// [`ConfigBuilder::build`], which checks everything.
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ConfigBuilder {
    mch_id: String,
    app_id: String,
    request_key: SecretKey,
    response_keys: KeyRing,
    base_url: Option<String>,
    timeout: Option<Duration>,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("mch_id", &self.mch_id)
            .field("app_id", &self.app_id)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// The gateway's base URL, e.g. `http://203.0.113.10:3020` (paths such as
    /// `/api/pay/create_order` are appended). Not needed to verify notifications; a call is
    /// refused without it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// The time limit of a whole exchange with the default transport (30 s when unset), from
    /// 1 s to [`Config::MAX_TIMEOUT_SECS`]. A client on an injected transport refuses a
    /// config with a timeout set (see [`Client::with_transport`](crate::Client::with_transport)).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Checks every setting and builds the config.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the setting as a config file names it: `mch_id` (digits,
    /// a `long`: the spec's `mchId`), `app_id` (1 to 32 characters: `appId`), `key` (the
    /// request key) and `response_key` (not empty), `base_url` (an http(s) URL without query
    /// or fragment), `timeout` (1 s to five minutes).
    pub fn build(self) -> Result<Config, Error> {
        pay_core::validate::digits("mch_id", &self.mch_id)?;
        let mch_id_number = self.mch_id.parse::<i64>().map_err(|_| {
            Error::invalid_input(
                "mch_id",
                "must fit a long, the spec's mchId (at most 19 digits)",
            )
        })?;
        pay_core::validate::required_max("app_id", &self.app_id, 32)?;
        if self.request_key.is_empty() {
            return Err(Error::invalid_input("key", "is required"));
        }
        if self.response_keys.current().is_empty() {
            return Err(Error::invalid_input("response_key", "is required"));
        }
        if let Some(url) = &self.base_url {
            pay_core::validate::base_url("base_url", url)?;
        }
        if let Some(t) = self.timeout
            && (t.is_zero() || t > Duration::from_secs(Config::MAX_TIMEOUT_SECS))
        {
            return Err(Error::invalid_input(
                "timeout",
                "must be from 1 second to five minutes",
            ));
        }
        Ok(Config {
            mch_id: self.mch_id,
            mch_id_number,
            app_id: self.app_id,
            request_key: self.request_key,
            response_keys: self.response_keys,
            base_url: self.base_url,
            timeout: self.timeout,
        })
    }
}

impl Config {
    /// A builder for merchant `mch_id` (`mchId`) and app `app_id` (`appId`).
    ///
    /// The base URL has no default (the gateway's address is given by its operator, e.g.
    /// `http://IP:3020`): set it with [`ConfigBuilder::base_url`]. The timeout defaults to 30 s.
    pub fn builder(
        mch_id: impl Into<String>,
        app_id: impl Into<String>,
        request_key: impl Into<SecretKey>,
        response_key: impl Into<KeyRing>,
    ) -> ConfigBuilder {
        ConfigBuilder {
            mch_id: mch_id.into(),
            app_id: app_id.into(),
            request_key: request_key.into(),
            response_keys: response_key.into(),
            base_url: None,
            timeout: None,
        }
    }

    /// The merchant id (`mchId`).
    pub fn mch_id(&self) -> &str {
        &self.mch_id
    }

    /// The merchant id as the `long` the spec sends.
    pub(crate) fn mch_id_number(&self) -> i64 {
        self.mch_id_number
    }

    /// The app id (`appId`).
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The gateway's base URL, when set.
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// The timeout of the default transport: the one set, or 30 s.
    pub fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(pay_core::transport::DEFAULT_TIMEOUT)
    }

    /// Whether a timeout was set (an injected transport cannot apply it).
    pub(crate) fn timeout_is_set(&self) -> bool {
        self.timeout.is_some()
    }

    /// The key requests are signed with.
    pub fn request_key(&self) -> &SecretKey {
        &self.request_key
    }

    /// The keys responses and notifications are verified with.
    pub fn response_keys(&self) -> &KeyRing {
        &self.response_keys
    }
}

/// A [`Config`] as a merchant's configuration file gives it: the keys `mch_id`, `app_id`, `key`, `response_key`, `base_url`, `timeout`
/// (the names of the `cnpay` CLI's settings); an unknown key is an error.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    mch_id: String,
    app_id: String,
    key: SecretKey,
    /// the response key; the request key when absent.
    #[serde(default)]
    response_key: Option<SecretKey>,
    #[serde(default)]
    base_url: Option<String>,
    /// Whole seconds, from 1 to [`Config::MAX_TIMEOUT_SECS`].
    #[serde(default)]
    timeout: Option<u64>,
}

impl TryFrom<ConfigFile> for Config {
    type Error = Error;

    fn try_from(f: ConfigFile) -> Result<Self, Error> {
        let response_key = f.response_key.unwrap_or_else(|| f.key.clone());
        let mut config = Config::builder(f.mch_id, f.app_id, f.key, response_key);
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
    pub const ENV_PREFIX: &str = "CNPAY_AGGREGATE_PAY_";

    /// The longest `timeout` setting, in seconds (five minutes): a call that has not answered
    /// by then will not.
    pub const MAX_TIMEOUT_SECS: u64 = pay_core::env::MAX_TIMEOUT_SECS;

    /// The configuration in the environment, under the names the `cnpay` CLI reads:
    /// `CNPAY_AGGREGATE_PAY_MCH_ID`, `CNPAY_AGGREGATE_PAY_APP_ID`, `CNPAY_AGGREGATE_PAY_KEY`, `CNPAY_AGGREGATE_PAY_RESPONSE_KEY`, `CNPAY_AGGREGATE_PAY_BASE_URL`, `CNPAY_AGGREGATE_PAY_TIMEOUT` (an empty value counts as unset).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the variable that is missing or malformed, or the setting
    /// that is wrong (as [`ConfigBuilder::build`]).
    pub fn from_env() -> Result<Self, Error> {
        let mut config = {
            let key = SecretKey::new(pay_core::env::required("CNPAY_AGGREGATE_PAY_KEY")?);
            let response_key = match pay_core::env::var("CNPAY_AGGREGATE_PAY_RESPONSE_KEY")? {
                Some(k) => SecretKey::new(k),
                None => key.clone(),
            };
            Config::builder(
                pay_core::env::required("CNPAY_AGGREGATE_PAY_MCH_ID")?,
                pay_core::env::required("CNPAY_AGGREGATE_PAY_APP_ID")?,
                key,
                response_key,
            )
        };
        if let Some(url) = pay_core::env::var("CNPAY_AGGREGATE_PAY_BASE_URL")? {
            config = config.base_url(url);
        }
        if let Some(t) = pay_core::env::timeout("CNPAY_AGGREGATE_PAY_TIMEOUT")? {
            config = config.timeout(t);
        }
        config.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_from_a_config_file_the_response_key_defaulting_to_the_key() {
        let c: Config = serde_json::from_str(
            r#"{"mch_id":"20001222","app_id":"app","key":"req-key","base_url":"http://gw:3020","timeout":9}"#,
        )
        .unwrap();
        assert_eq!((c.mch_id.as_str(), c.app_id.as_str()), ("20001222", "app"));
        assert_eq!(c.request_key.expose_secret(), "req-key");
        assert_eq!(c.response_keys.current().expose_secret(), "req-key");
        assert_eq!(c.base_url(), Some("http://gw:3020"));
        assert_eq!(c.timeout(), Duration::from_secs(9));
        let two: Config = serde_json::from_str(
            r#"{"mch_id":"1","app_id":"a","key":"req-key","response_key":"resp-key"}"#,
        )
        .unwrap();
        assert_eq!(two.response_keys.current().expose_secret(), "resp-key");
        assert_eq!(two.timeout(), pay_core::transport::DEFAULT_TIMEOUT);
        assert_eq!(two.base_url(), None);
        let e = serde_json::from_str::<Config>(r#"{"mch_id":"1","key":"k"}"#).unwrap_err();
        assert!(e.to_string().starts_with("missing field `app_id`"), "{e}");
        // Checked as it is read, naming the setting.
        for (file, message) in [
            (
                r#"{"mch_id":"M1","app_id":"a","key":"k"}"#,
                "invalid input in `mch_id`: must be digits",
            ),
            (
                r#"{"mch_id":"1","app_id":"a","key":"k","base_url":"http://gw?x=1"}"#,
                "invalid input in `base_url`",
            ),
            (r#"{"mch_id":"1","app_id":"","key":"k"}"#, "`app_id`"),
            (r#"{"mch_id":"1","app_id":"a","key":""}"#, "`key`"),
        ] {
            let e = serde_json::from_str::<Config>(file)
                .unwrap_err()
                .to_string();
            assert!(e.contains(message), "{file}: {e}");
        }
    }

    #[test]
    fn builder_checks_every_setting_once() {
        let ok = Config::builder("20001222", "app", "k", "r")
            .base_url("http://gw:3020/")
            .build()
            .unwrap();
        assert_eq!(ok.base_url(), Some("http://gw:3020"));
        assert_eq!(ok.mch_id_number(), 20001222);
        assert!(!ok.timeout_is_set());
        let field = |b: ConfigBuilder| match b.build().unwrap_err() {
            Error::InvalidInput { field, .. } => field.into_owned(),
            other => panic!("{other:?}"),
        };
        let base = || Config::builder("20001222", "app", "k", "r");
        assert_eq!(field(Config::builder("", "app", "k", "r")), "mch_id");
        assert_eq!(
            field(Config::builder("9".repeat(20), "app", "k", "r")),
            "mch_id"
        );
        assert_eq!(
            field(Config::builder("1", "a".repeat(33), "k", "r")),
            "app_id"
        );
        assert_eq!(field(Config::builder("1", "app", "", "r")), "key");
        assert_eq!(field(Config::builder("1", "app", "k", "")), "response_key");
        assert_eq!(field(base().base_url("ftp://gw")), "base_url");
        assert_eq!(field(base().base_url("http://gw#x")), "base_url");
        assert_eq!(field(base().timeout(Duration::ZERO)), "timeout");
        assert_eq!(field(base().timeout(Duration::from_secs(301))), "timeout");
    }

    #[test]
    fn from_env_names_the_missing_variable() {
        // The test environment sets no CNPAY_AGGREGATE_PAY_ variable.
        let e = Config::from_env().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input in `CNPAY_AGGREGATE_PAY_KEY`: is not set"
        );
    }
}

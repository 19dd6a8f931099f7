//! Client configuration: merchant id, app id, the two keys, base URL and timeout.

use std::fmt;
use std::time::Duration;

use pay_core::{Error, KeyRing, SecretKey};

/// The credentials and settings of one merchant app.
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
/// let config = Config::new("20001222", "0ae8be35ff634e2abe94f5f32f6d5c4f", "REQUEST-KEY", "RESPONSE-KEY")
///     .base_url("http://203.0.113.10:3020")
///     .timeout(Duration::from_secs(10));
/// let shown = format!("{config:?}");
/// assert!(!shown.contains("REQUEST-KEY") && !shown.contains("RESPONSE-KEY"));
/// ```
#[derive(Clone, serde::Deserialize)]
#[serde(try_from = "ConfigFile")]
pub struct Config {
    pub(crate) mch_id: String,
    pub(crate) app_id: String,
    pub(crate) request_key: SecretKey,
    pub(crate) response_keys: KeyRing,
    pub(crate) base_url: String,
    pub(crate) timeout: Duration,
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

impl Config {
    /// A configuration for merchant `mch_id` (`mchId`) and app `app_id` (`appId`).
    ///
    /// The base URL has no default (the gateway's address is given by its operator, e.g.
    /// `http://IP:3020`): set it with [`Config::base_url`]. The timeout defaults to 30 s.
    pub fn new(
        mch_id: impl Into<String>,
        app_id: impl Into<String>,
        request_key: impl Into<SecretKey>,
        response_key: impl Into<KeyRing>,
    ) -> Self {
        Config {
            mch_id: mch_id.into(),
            app_id: app_id.into(),
            request_key: request_key.into(),
            response_keys: response_key.into(),
            base_url: String::new(),
            timeout: pay_core::transport::DEFAULT_TIMEOUT,
        }
    }

    /// The gateway's base URL, e.g. `http://203.0.113.10:3020` (paths such as
    /// `/api/pay/create_order` are appended).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// The time limit of a whole exchange with the default transport.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The merchant id (`mchId`).
    pub fn mch_id(&self) -> &str {
        &self.mch_id
    }

    /// The app id (`appId`).
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The configured timeout.
    pub fn timeout_value(&self) -> Duration {
        self.timeout
    }

    /// The key requests are signed with.
    pub fn request_key(&self) -> &SecretKey {
        &self.request_key
    }

    /// The keys responses and notifications are verified with.
    pub fn response_keys(&self) -> &KeyRing {
        &self.response_keys
    }

    /// Checks the settings every request needs.
    pub(crate) fn check(&self) -> Result<(), Error> {
        pay_core::validate::digits("mchId", &self.mch_id)?;
        pay_core::validate::max_chars("mchId", &self.mch_id, 30)?;
        pay_core::validate::required_max("appId", &self.app_id, 32)?;
        if self.request_key.is_empty() {
            return Err(Error::invalid_input("request_key", "is required"));
        }
        if self.base_url.is_empty() {
            return Err(Error::invalid_input(
                "base_url",
                "is required (the gateway's address, e.g. http://IP:3020)",
            ));
        }
        pay_core::validate::base_url("base_url", &self.base_url)
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
        let mut config = {
            let response_key = f.response_key.unwrap_or_else(|| f.key.clone());
            Config::new(f.mch_id, f.app_id, f.key, response_key)
        };
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
    pub const ENV_PREFIX: &str = "CNPAY_AGGREGATE_PAY_";

    /// The longest `timeout` setting, in seconds (five minutes): a call that has not answered
    /// by then will not.
    pub const MAX_TIMEOUT_SECS: u64 = pay_core::env::MAX_TIMEOUT_SECS;

    /// The configuration in the environment, under the names the `cnpay` CLI reads:
    /// `CNPAY_AGGREGATE_PAY_MCH_ID`, `CNPAY_AGGREGATE_PAY_APP_ID`, `CNPAY_AGGREGATE_PAY_KEY`, `CNPAY_AGGREGATE_PAY_RESPONSE_KEY`, `CNPAY_AGGREGATE_PAY_BASE_URL`, `CNPAY_AGGREGATE_PAY_TIMEOUT` (an empty value counts as unset).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the variable that is missing or malformed.
    pub fn from_env() -> Result<Self, Error> {
        let mut config = {
            let key = SecretKey::new(pay_core::env::required("CNPAY_AGGREGATE_PAY_KEY")?);
            let response_key = match pay_core::env::var("CNPAY_AGGREGATE_PAY_RESPONSE_KEY")? {
                Some(k) => SecretKey::new(k),
                None => key.clone(),
            };
            Config::new(
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
        Ok(config)
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
        assert_eq!(c.base_url, "http://gw:3020");
        assert_eq!(c.timeout, Duration::from_secs(9));
        let two: Config = serde_json::from_str(
            r#"{"mch_id":"1","app_id":"a","key":"req-key","response_key":"resp-key"}"#,
        )
        .unwrap();
        assert_eq!(two.response_keys.current().expose_secret(), "resp-key");
        assert_eq!(two.timeout, pay_core::transport::DEFAULT_TIMEOUT);
        let e = serde_json::from_str::<Config>(r#"{"mch_id":"1","key":"k"}"#).unwrap_err();
        assert!(e.to_string().starts_with("missing field `app_id`"), "{e}");
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

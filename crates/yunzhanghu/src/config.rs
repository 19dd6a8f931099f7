//! Client configuration: the dealer and broker ids, the two keys, the base URL and the timeout.

use std::fmt;
use std::time::Duration;

use std::sync::Arc;

use pay_core::{Error, KeyRing, SecretKey};

use crate::sign::Keys;

/// The production API host (第五章 1).
pub const DEFAULT_BASE_URL: &str = "https://api-jiesuan.yunzhanghu.com";
/// The timeout the spec recommends (30 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What a [`Client`](crate::Client) needs: the dealer id (`dealer_id`, sent as the `dealer-id`
/// header), the default broker id (`broker_id`), the app key (HMAC-SHA256 signing) and the
/// 3DES key (24 bytes, `data` encryption).
///
/// The app key is a [`KeyRing`]: requests are signed with the current key, and notifications are
/// accepted under the current or the previous key during a rotation.
///
/// ```
/// use std::time::Duration;
/// use pay_core::{KeyRing, SecretKey};
/// use yunzhanghu::Config;
///
/// let config = Config::builder(
///     "sixcn",
///     "yiyun73",
///     KeyRing::new(SecretKey::new("78f9b4fad3481fbce1df0b30eee58577"))
///         .with_previous(SecretKey::new("old-app-key")),
///     "123456788765432112345678",
/// )
/// .base_url("https://sandbox.example")
/// .timeout(Duration::from_secs(10))
/// .build()?;
/// assert!(!format!("{config:?}").contains("78f9b4fad3481fbce1df0b30eee58577"));
/// // A bad key fails here, once, not at every call.
/// assert!(Config::new("sixcn", "yiyun73", "k", "too-short").is_err());
/// # Ok::<(), pay_core::Error>(())
/// ```
#[derive(Clone, serde::Deserialize)]
#[serde(try_from = "ConfigFile")]
pub struct Config {
    pub(crate) dealer_id: String,
    pub(crate) broker_id: String,
    pub(crate) app_key: KeyRing,
    /// The envelope keys (the app key and the 3DES key), built, and so checked, once.
    pub(crate) keys: Arc<Keys>,
    pub(crate) base_url: String,
    /// The timeout the merchant set; `None` for [`DEFAULT_TIMEOUT`].
    pub(crate) timeout: Option<Duration>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("dealer_id", &self.dealer_id)
            .field("broker_id", &self.broker_id)
            .field("app_key", &"***")
            .field("des3_key", &"***")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout())
            .finish()
    }
}

/// Builds a [`Config`]: [`Config::builder`], the optional settings, then
/// [`ConfigBuilder::build`], which checks everything once.
#[derive(Clone)]
#[must_use]
pub struct ConfigBuilder {
    dealer_id: String,
    broker_id: String,
    app_key: KeyRing,
    des3_key: SecretKey,
    base_url: String,
    timeout: Option<Duration>,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("dealer_id", &self.dealer_id)
            .field("broker_id", &self.broker_id)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// Overrides the base URL (a sandbox, a proxy). A trailing `/` is ignored.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        let mut url = url.into();
        while url.ends_with('/') {
            url.pop();
        }
        self.base_url = url;
        self
    }

    /// Sets the timeout of a whole exchange (more than zero, at most 300 s; the default transport applies it,
    /// an injected one is refused a config that sets it).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Checks everything once: ids and keys present, the 3DES key 24 bytes and not weak, the
    /// base URL an http(s) URL without query or fragment, the timeout 1 s to 300 s.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the setting.
    pub fn build(self) -> Result<Config, Error> {
        pay_core::validate::required("dealer_id", &self.dealer_id)?;
        pay_core::validate::required("broker_id", &self.broker_id)?;
        if self.app_key.current().is_empty() {
            return Err(Error::invalid_input("app_key", "is required"));
        }
        let keys = Keys::new(self.app_key.clone(), &self.des3_key)?;
        pay_core::validate::base_url("base_url", &self.base_url)?;
        if let Some(t) = self.timeout
            && (t.is_zero() || t > Duration::from_secs(pay_core::env::MAX_TIMEOUT_SECS))
        {
            return Err(Error::invalid_input(
                "timeout",
                "must be more than zero and at most 300 seconds",
            ));
        }
        Ok(Config {
            dealer_id: self.dealer_id,
            broker_id: self.broker_id,
            app_key: self.app_key,
            keys: Arc::new(keys),
            base_url: self.base_url,
            timeout: self.timeout,
        })
    }
}

impl Config {
    /// A builder for the production host with the default 30 s timeout.
    pub fn builder(
        dealer_id: impl Into<String>,
        broker_id: impl Into<String>,
        app_key: impl Into<KeyRing>,
        des3_key: impl Into<SecretKey>,
    ) -> ConfigBuilder {
        ConfigBuilder {
            dealer_id: dealer_id.into(),
            broker_id: broker_id.into(),
            app_key: app_key.into(),
            des3_key: des3_key.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: None,
        }
    }

    /// A checked configuration for the production host with the default timeout.
    ///
    /// # Errors
    /// As [`ConfigBuilder::build`].
    pub fn new(
        dealer_id: impl Into<String>,
        broker_id: impl Into<String>,
        app_key: impl Into<KeyRing>,
        des3_key: impl Into<SecretKey>,
    ) -> Result<Self, Error> {
        Self::builder(dealer_id, broker_id, app_key, des3_key).build()
    }

    /// The dealer id.
    pub fn dealer_id(&self) -> &str {
        &self.dealer_id
    }

    /// The default broker id.
    pub fn broker_id(&self) -> &str {
        &self.broker_id
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The timeout of a whole exchange: the one set, or [`DEFAULT_TIMEOUT`].
    pub fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }

    /// Whether the merchant set a timeout (an injected transport refuses such a config).
    pub fn timeout_is_set(&self) -> bool {
        self.timeout.is_some()
    }

    /// The app keys.
    pub fn app_key(&self) -> &KeyRing {
        &self.app_key
    }

    /// The envelope keys (checked when the config was built).
    pub fn keys(&self) -> &Keys {
        &self.keys
    }
}

/// A [`Config`] as a merchant's configuration file gives it: the keys `dealer_id`, `broker_id`, `app_key`, `des3_key`, `base_url`, `timeout`
/// (the names of the `cnpay` CLI's settings); an unknown key is an error.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    dealer_id: String,
    broker_id: String,
    app_key: SecretKey,
    des3_key: SecretKey,
    #[serde(default)]
    base_url: Option<String>,
    /// Whole seconds, from 1 to [`Config::MAX_TIMEOUT_SECS`].
    #[serde(default)]
    timeout: Option<u64>,
}

impl TryFrom<ConfigFile> for Config {
    type Error = Error;

    fn try_from(f: ConfigFile) -> Result<Self, Error> {
        let mut config = Config::builder(f.dealer_id, f.broker_id, f.app_key, f.des3_key);
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
    pub const ENV_PREFIX: &str = "CNPAY_YUNZHANGHU_";

    /// The longest `timeout` setting, in seconds (five minutes): a call that has not answered
    /// by then will not.
    pub const MAX_TIMEOUT_SECS: u64 = pay_core::env::MAX_TIMEOUT_SECS;

    /// The configuration in the environment, under the names the `cnpay` CLI reads:
    /// `CNPAY_YUNZHANGHU_DEALER_ID`, `CNPAY_YUNZHANGHU_BROKER_ID`, `CNPAY_YUNZHANGHU_APP_KEY`, `CNPAY_YUNZHANGHU_DES3_KEY`, `CNPAY_YUNZHANGHU_BASE_URL`, `CNPAY_YUNZHANGHU_TIMEOUT` (an empty value counts as unset).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the variable that is missing or malformed.
    pub fn from_env() -> Result<Self, Error> {
        let mut config = Config::builder(
            pay_core::env::required("CNPAY_YUNZHANGHU_DEALER_ID")?,
            pay_core::env::required("CNPAY_YUNZHANGHU_BROKER_ID")?,
            SecretKey::new(pay_core::env::required("CNPAY_YUNZHANGHU_APP_KEY")?),
            SecretKey::new(pay_core::env::required("CNPAY_YUNZHANGHU_DES3_KEY")?),
        );
        if let Some(url) = pay_core::env::var("CNPAY_YUNZHANGHU_BASE_URL")? {
            config = config.base_url(url);
        }
        if let Some(t) = pay_core::env::timeout("CNPAY_YUNZHANGHU_TIMEOUT")? {
            config = config.timeout(t);
        }
        config.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_keys_and_validate_checks_key_length() {
        let c = Config::builder("d", "b", "app-secret-key", "123456788765432112345678")
            .base_url("http://x/")
            .build()
            .unwrap();
        let s = format!("{c:?}");
        assert!(
            !s.contains("app-secret-key") && !s.contains("1234567887"),
            "{s}"
        );
        assert_eq!(c.base_url(), "http://x");
        assert!(!c.timeout_is_set());
        let e = Config::new("d", "b", "k", "short").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input in `des3_key`: must be exactly 24 bytes"
        );
    }

    #[test]
    fn deserializes_from_a_config_file_and_names_what_is_wrong() {
        let c: Config = serde_json::from_str(
            r#"{"dealer_id":"D1","broker_id":"B1","app_key":"app-secret-key","des3_key":"123456788765432112345678","base_url":"http://sandbox/","timeout":7}"#,
        )
        .unwrap();
        assert_eq!((c.dealer_id(), c.broker_id()), ("D1", "B1"));
        assert_eq!(c.base_url(), "http://sandbox");
        assert_eq!(c.timeout(), Duration::from_secs(7));
        assert_eq!(
            c.keys().decrypt(&c.keys().encrypt(b"x")).unwrap(),
            "x",
            "the 3DES key of the file is the config's"
        );
        let unknown = serde_json::from_str::<Config>(
            r#"{"dealer_id":"D1","broker_id":"B1","app_key":"k","des3_key":"k","app_secret":"x"}"#,
        )
        .unwrap_err();
        assert!(
            unknown
                .to_string()
                .starts_with("unknown field `app_secret`"),
            "{unknown}"
        );
        let slow = serde_json::from_str::<Config>(
            r#"{"dealer_id":"D1","broker_id":"B1","app_key":"k","des3_key":"123456788765432112345678","timeout":301}"#,
        )
        .unwrap_err();
        assert_eq!(
            slow.to_string(),
            "invalid input in `timeout`: must be a whole number of seconds from 1 to 300"
        );
    }

    #[test]
    fn from_env_names_the_missing_variable() {
        // The test environment sets no CNPAY_YUNZHANGHU_ variable.
        let e = Config::from_env().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input in `CNPAY_YUNZHANGHU_DEALER_ID`: is not set"
        );
    }
}

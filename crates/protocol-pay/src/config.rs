//! Client configuration: the app id, the MD5 key, the base URL and the timeout.

use std::fmt;
use std::time::Duration;

use pay_core::KeyRing;

/// The path prefix every endpoint lives under (`xxx/api/protocol/...` in the spec).
pub const PATH_PREFIX: &str = "/api/protocol";

/// The configuration of a [`Client`](crate::Client).
///
/// The spec leaves the host to the merchant (`xxx/api/protocol/...`), so there is no default
/// base URL: set it with [`Config::base_url`]. It may be given with or without the
/// `/api/protocol` prefix.
///
/// ```
/// use std::time::Duration;
/// use protocol_pay::Config;
///
/// let config = Config::new("LFT1001", "a8f5f167f44f4964e6c998dee827110c")
///     .base_url("https://pay.example.com")
///     .timeout(Duration::from_secs(15));
/// assert_eq!(config.app_id(), "LFT1001");
/// assert!(!format!("{config:?}").contains("a8f5f167"));
/// assert_eq!(config.endpoint_url("prepay"), "https://pay.example.com/api/protocol/prepay");
/// ```
#[derive(Clone)]
pub struct Config {
    app_id: String,
    key: KeyRing,
    base_url: String,
    timeout: Duration,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("app_id", &self.app_id)
            .field("key", &self.key)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Config {
    /// A configuration for `app_id` (业务系统ID, `appId`) and its MD5 key (`Md5-KEY`).
    ///
    /// Pass a [`KeyRing`] to accept the previous key during a key rotation: requests are signed
    /// with the current key, responses and notifications verified with either.
    pub fn new(app_id: impl Into<String>, key: impl Into<KeyRing>) -> Self {
        Config {
            app_id: app_id.into(),
            key: key.into(),
            base_url: String::new(),
            timeout: pay_core::transport::DEFAULT_TIMEOUT,
        }
    }

    /// The payment system's base URL, e.g. `https://pay.example.com` (the `/api/protocol`
    /// prefix is added unless the URL already ends with it).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The time limit of one call (default 30 s), used by [`Client::new`](crate::Client::new).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The app id.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The keys.
    pub fn keys(&self) -> &KeyRing {
        &self.key
    }

    /// The configured base URL.
    pub fn base_url_str(&self) -> &str {
        &self.base_url
    }

    /// The configured timeout.
    pub fn timeout_duration(&self) -> Duration {
        self.timeout
    }

    /// The full URL of an endpoint (`prepay`, `outquery`, …).
    pub fn endpoint_url(&self, operation: &str) -> String {
        let base = self.base_url.trim_end_matches('/');
        if base.ends_with(PATH_PREFIX) {
            format!("{base}/{operation}")
        } else {
            format!("{base}{PATH_PREFIX}/{operation}")
        }
    }

    /// Checks the configuration before a call.
    pub(crate) fn validate(&self) -> Result<(), pay_core::Error> {
        pay_core::validate::required("appId", &self.app_id)?;
        pay_core::validate::ascii_alnum("appId", &self.app_id, "_-")?;
        if self.key.current().is_empty() {
            return Err(pay_core::Error::invalid_input("key", "is required"));
        }
        pay_core::validate::required("base_url", &self.base_url)?;
        pay_core::validate::base_url("base_url", &self.base_url)
    }
}

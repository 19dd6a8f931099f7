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
#[derive(Clone)]
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

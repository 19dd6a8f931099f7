//! What every simulator shares: the context (options, logs, faults, the notification client,
//! the per-provider state), ids, time, form parsing and the notify-URL rule.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use pay_core::{Clock, Money, SharedTransport, SystemClock, Timestamp};
use tokio::sync::watch;

use crate::inspect::{OrderSnapshot, RequestLog};
use crate::notify::{NotificationLog, Outgoing};
use crate::{Faults, Provider, SandboxError, SandboxOptions};

/// The state and plumbing one simulator's handlers share.
pub(crate) struct Ctx {
    pub(crate) provider: Provider,
    pub(crate) base_url: String,
    pub(crate) options: Arc<SandboxOptions>,
    pub(crate) faults: Faults,
    pub(crate) notifications: NotificationLog,
    pub(crate) requests: RequestLog,
    pub(crate) shutdown: watch::Receiver<bool>,
    transport: SharedTransport,
    counter: AtomicU64,
    default_notify_url: Mutex<Option<String>>,
    pub(crate) aggregate: Mutex<crate::aggregate::State>,
    pub(crate) protocol: Mutex<crate::protocol::State>,
    pub(crate) huifu: Mutex<crate::huifu::State>,
    pub(crate) yunzhanghu: Mutex<crate::yunzhanghu::State>,
}

impl Ctx {
    pub(crate) fn new(
        provider: Provider,
        base_url: String,
        options: Arc<SandboxOptions>,
        faults: Faults,
        notifications: NotificationLog,
        requests: RequestLog,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Ctx, SandboxError> {
        let transport = pay_core::ReqwestTransport::builder()
            .timeout(options.notify_timeout)
            .connect_timeout(options.notify_timeout)
            .user_agent("pay-sandbox")
            .build()
            .map_err(SandboxError::Client)?;
        let default_notify_url = Mutex::new(options.yunzhanghu_notify_url.clone());
        Ok(Ctx {
            provider,
            base_url,
            options,
            faults,
            notifications,
            requests,
            shutdown,
            transport: Arc::new(transport),
            counter: AtomicU64::new(1),
            default_notify_url,
            aggregate: Mutex::default(),
            protocol: Mutex::default(),
            huifu: Mutex::default(),
            yunzhanghu: Mutex::default(),
        })
    }

    /// The current time.
    pub(crate) fn now(&self) -> Timestamp {
        SystemClock.now()
    }

    /// A new provider-side id: `prefix`, Beijing `yyyyMMddHHmmss`, a 6-digit sequence number.
    pub(crate) fn next_id(&self, prefix: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!(
            "{prefix}{}{:06}",
            self.now().beijing_compact(),
            n % 1_000_000
        )
    }

    /// A new sequence number.
    pub(crate) fn next_seq(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn default_notify_url(&self) -> Option<String> {
        lock(&self.default_notify_url).clone()
    }

    pub(crate) fn set_default_notify_url(&self, url: Option<String>) {
        *lock(&self.default_notify_url) = url;
    }

    /// Checks a notify URL the merchant gave: absolute http(s), and loopback unless remote
    /// notifications are allowed. The error names the rule broken.
    pub(crate) fn check_notify_url(&self, url: &str) -> Result<(), String> {
        let parsed = url::Url::parse(url).map_err(|_| "is not an absolute URL".to_owned())?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err("must be http or https".to_owned());
        }
        if self.options.allow_remote_notify {
            return Ok(());
        }
        let loopback = match parsed.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        if loopback {
            Ok(())
        } else {
            Err("must be a loopback address in the sandbox".to_owned())
        }
    }

    /// Runs `f` after the status delay (times `steps`), unless the sandbox shuts down first.
    pub(crate) fn after_status_delay<F>(self: &Arc<Self>, steps: u32, f: F)
    where
        F: FnOnce(Arc<Ctx>) + Send + 'static,
    {
        let delay = self.options.status_delay.saturating_mul(steps.max(1));
        let ctx = self.clone();
        self.spawn(async move {
            tokio::time::sleep(delay).await;
            f(ctx);
        });
    }

    /// Spawns `fut`, cancelled when the sandbox shuts down.
    pub(crate) fn spawn<F>(&self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let mut stop = self.shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = fut => {}
                _ = stop.wait_for(|s| *s) => {}
            }
        });
    }

    /// Sends a notification on the provider's schedule until it is acknowledged.
    pub(crate) fn notify(self: &Arc<Self>, outgoing: Outgoing) {
        let ctx = self.clone();
        self.spawn(async move {
            crate::notify::deliver(ctx, outgoing).await;
        });
    }

    /// Sends a notification once (the aggregate query's `executeNotify`).
    pub(crate) fn notify_once(self: &Arc<Self>, mut outgoing: Outgoing) {
        outgoing.schedule = vec![Duration::ZERO];
        self.notify(outgoing);
    }

    pub(crate) fn transport(&self) -> &SharedTransport {
        &self.transport
    }

    /// The snapshot of a merchant id in this simulator's state.
    pub(crate) fn snapshot(&self, merchant_id: &str) -> Option<OrderSnapshot> {
        match self.provider {
            Provider::AggregatePay => lock(&self.aggregate).snapshot(merchant_id),
            Provider::ProtocolPay => lock(&self.protocol).snapshot(merchant_id),
            Provider::Huifu => lock(&self.huifu).snapshot(merchant_id),
            Provider::Yunzhanghu => lock(&self.yunzhanghu).snapshot(merchant_id),
        }
    }

    /// Records a received request.
    pub(crate) fn record(&self, route: &str, order_id: Option<&str>) {
        self.requests.record(self.provider, route, order_id);
    }
}

/// Locks a mutex, recovering the data if a holder panicked (state stays usable in tests).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A request path without a trailing slash (`/` stays `/`).
pub(crate) fn route_of(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Parses `application/x-www-form-urlencoded` text (a body or a query string); a repeated
/// name keeps its last value.
pub(crate) fn parse_form(text: &[u8]) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(text).into_owned().collect()
}

/// Encodes pairs as `application/x-www-form-urlencoded`.
pub(crate) fn encode_form<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Whether a failure is scripted for this amount: the sandbox fails every order, payout or
/// pay-in whose amount in fen ends in `44` (`1.44`, `100.44` yuan; 144 fen).
pub(crate) fn scripted_failure(amount: Money) -> bool {
    amount.fen().rem_euclid(100) == 44
}

/// A yuan amount as the spec's CSV files print it: no trailing zero decimals (`195`, `0.7`,
/// `13.65`).
pub(crate) fn yuan_trimmed(amount: Money) -> String {
    let s = amount.to_yuan();
    if let Some(stripped) = s.strip_suffix(".00") {
        return stripped.to_owned();
    }
    if s.contains('.') && s.ends_with('0') {
        return s.trim_end_matches('0').to_owned();
    }
    s
}

/// Parses a yuan string with exactly two decimals (`###.00`), as Huifu and protocol pay send it.
pub(crate) fn yuan_two_decimals(s: &str) -> Option<Money> {
    let (_, frac) = s.split_once('.')?;
    if frac.len() != 2 {
        return None;
    }
    Money::from_yuan(s).ok()
}

/// Makes a hex or base64 signature wrong while keeping its shape (flips its last character).
pub(crate) fn corrupt(sign: &str) -> String {
    let mut s: String = sign.to_owned();
    match s.pop() {
        Some(c) => {
            let replacement = if c == '0' { '1' } else { '0' };
            s.push(replacement);
            s
        }
        None => "0".to_owned(),
    }
}

/// A JSON response with status 200.
pub(crate) fn json_ok(value: &serde_json::Value) -> axum::response::Response {
    json_with_status(http::StatusCode::OK, value)
}

/// A JSON response.
pub(crate) fn json_with_status(
    status: http::StatusCode,
    value: &serde_json::Value,
) -> axum::response::Response {
    raw_json(status, value.to_string())
}

/// A response whose body is JSON text built by hand (to keep a signed nested text exact).
pub(crate) fn raw_json(status: http::StatusCode, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        status,
        [(http::header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        body,
    )
        .into_response()
}

/// The non-empty string value of a JSON field: strings as their contents, numbers as their
/// text; `None` for absent, null, empty or structured values.
pub(crate) fn field<'a>(
    obj: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Option<std::borrow::Cow<'a, str>> {
    match obj.get(name)? {
        serde_json::Value::String(s) if !s.is_empty() => Some(std::borrow::Cow::Borrowed(s)),
        serde_json::Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        serde_json::Value::Bool(b) => Some(std::borrow::Cow::Owned(b.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_yuan_matches_the_spec_files() {
        assert_eq!(yuan_trimmed(Money::from_fen(19500)), "195");
        assert_eq!(yuan_trimmed(Money::from_fen(70)), "0.7");
        assert_eq!(yuan_trimmed(Money::from_fen(1365)), "13.65");
        assert_eq!(yuan_trimmed(Money::from_fen(5)), "0.05");
    }

    #[test]
    fn two_decimals_only() {
        assert_eq!(yuan_two_decimals("12.30"), Some(Money::from_fen(1230)));
        assert_eq!(yuan_two_decimals("12.3"), None);
        assert_eq!(yuan_two_decimals("12"), None);
        assert_eq!(yuan_two_decimals("-1.00"), None);
    }

    #[test]
    fn scripted_failures() {
        assert!(scripted_failure(Money::from_fen(144)));
        assert!(!scripted_failure(Money::from_fen(145)));
        assert!(!scripted_failure(Money::from_fen(100)));
    }

    #[test]
    fn routes_and_corruption() {
        assert_eq!(route_of("/api/x/"), "/api/x");
        assert_eq!(route_of("/"), "/");
        assert_eq!(corrupt("ABC0"), "ABC1");
        assert_eq!(corrupt("ABC1"), "ABC0");
        assert_eq!(corrupt(""), "0");
    }
}

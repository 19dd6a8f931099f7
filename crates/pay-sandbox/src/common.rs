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

/// The largest request body a simulator reads (uploads of ID card images and merchant files).
pub(crate) const MAX_BODY: usize = 16 * 1024 * 1024;

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// The `name` of its `Content-Disposition`.
    pub(crate) name: String,
    /// The `filename`, for a file part.
    pub(crate) filename: Option<String>,
    /// The part's `Content-Type`, if given.
    pub(crate) content_type: Option<String>,
    /// The content, exactly as sent.
    pub(crate) data: Vec<u8>,
}

/// The `boundary` of a `multipart/form-data` content type, or `None` for another type.
pub(crate) fn multipart_boundary(headers: &http::HeaderMap) -> Option<String> {
    let ct = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())?;
    let mut params = ct.split(';');
    let mime = params.next()?.trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .filter_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| v.trim().trim_matches('"').to_owned())
        })
        .find(|b| !b.is_empty())
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The next `CRLF--boundary` that really is a delimiter: followed by `--` (the last) or by
/// optional spaces and tabs and a CRLF, not by more characters of a longer line.
fn find_delimiter(body: &[u8], delimiter: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let pos = find(body, delimiter, at)?;
        let after = body.get(pos + delimiter.len()..)?;
        let padded = after
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .and_then(|n| after.get(n..));
        if after.starts_with(b"--") || padded.is_some_and(|p| p.starts_with(b"\r\n")) {
            return Some(pos);
        }
        at = pos + 1;
    }
}

/// A quoted or bare parameter of a `Content-Disposition` header (`name`, `filename`).
fn disposition_param(header: &str, param: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(param)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Parses a `multipart/form-data` body (RFC 7578). `None` when it is not well formed: no
/// opening delimiter, a part without headers or without a `name`, or no closing delimiter.
pub(crate) fn parse_multipart(body: &[u8], boundary: &str) -> Option<Vec<Part>> {
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut pos = find(body, delimiter.as_bytes(), 0)? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        let rest = body.get(pos..)?;
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        // transport padding, then CRLF
        let line_end = find(body, b"\r\n", pos)?;
        let head_start = line_end + 2;
        let head_end = find(body, b"\r\n\r\n", head_start)?;
        let head = std::str::from_utf8(body.get(head_start..head_end)?).ok()?;
        let data_start = head_end + 4;
        let data_end = find_delimiter(body, next_delimiter.as_bytes(), data_start)?;
        let mut name = None;
        let mut filename = None;
        let mut content_type = None;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                name = disposition_param(v, "name");
                filename = disposition_param(v, "filename");
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_owned());
            }
        }
        parts.push(Part {
            name: name.filter(|n| !n.is_empty())?,
            filename,
            content_type,
            data: body.get(data_start..data_end)?.to_vec(),
        });
        pos = data_end + next_delimiter.len();
    }
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

/// Whether `s` is yuan as the specs write them: ASCII digits without a sign or a needless
/// leading zero, a dot, two digits (`"0.50"`, `"1000.50"`; not `"1000.5"`, `"1000"`, `"01.00"`,
/// `"+1.00"`, `" 1.00"`).
pub(crate) fn is_two_decimal_yuan(s: &str) -> bool {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    s.split_once('.').is_some_and(|(int, frac)| {
        digits(int) && digits(frac) && frac.len() == 2 && (int.len() == 1 || !int.starts_with('0'))
    })
}

/// Parses yuan written as [`is_two_decimal_yuan`] requires (`###.00`), as Huifu, protocol pay
/// and Yunzhanghu send it.
pub(crate) fn yuan_two_decimals(s: &str) -> Option<Money> {
    if is_two_decimal_yuan(s) {
        Money::from_yuan(s).ok()
    } else {
        None
    }
}

/// Compares a signature received in a request with the expected one, in constant time and
/// exactly (hex case included): a request signed in the wrong case is refused, as the specs write
/// each sign in one case. Different lengths compare unequal (a digest's length is not secret).
pub(crate) fn ct_eq_exact(expected: &str, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
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
    fn signatures_compare_exactly() {
        assert!(ct_eq_exact("ABC123", "ABC123"));
        assert!(!ct_eq_exact("ABC123", "abc123"));
        assert!(!ct_eq_exact("abc123", "ABC123"));
        assert!(!ct_eq_exact("ABC123", "ABC12"));
        assert!(!ct_eq_exact("ABC123", ""));
    }

    #[test]
    fn two_decimals_only() {
        assert_eq!(yuan_two_decimals("12.30"), Some(Money::from_fen(1230)));
        assert_eq!(yuan_two_decimals("12.3"), None);
        assert_eq!(yuan_two_decimals("12"), None);
        assert_eq!(yuan_two_decimals("-1.00"), None);
        assert_eq!(yuan_two_decimals("0.50"), Some(Money::from_fen(50)));
        for bad in [
            "", "1.", "1.001", ".50", "+1.00", " 1.00", "1.00 ", "1,000.00", "1e2", "１.00",
            "01.50", "1.0a",
        ] {
            assert!(!is_two_decimal_yuan(bad), "{bad}");
            assert_eq!(yuan_two_decimals(bad), None, "{bad}");
        }
    }

    #[test]
    fn scripted_failures() {
        assert!(scripted_failure(Money::from_fen(144)));
        assert!(!scripted_failure(Money::from_fen(145)));
        assert!(!scripted_failure(Money::from_fen(100)));
    }

    #[test]
    fn multipart_parts_keep_binary_content() {
        let mut body = b"preamble\r\n--B\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\nabc\r\n--B\r\nContent-Disposition: form-data; name=\"img\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".to_vec();
        body.extend_from_slice(&[0xff, 0xd8, b'\r', b'\n', b'-', b'-', b'B', b'x', 0x00]);
        body.extend_from_slice(b"\r\n--B--\r\n");
        let parts = parse_multipart(&body, "B").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "data");
        assert_eq!(parts[0].filename, None);
        assert_eq!(parts[0].data, b"abc");
        assert_eq!(parts[1].name, "img");
        assert_eq!(parts[1].filename.as_deref(), Some("a.jpg"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/jpeg"));
        assert_eq!(
            parts[1].data,
            [0xff, 0xd8, b'\r', b'\n', b'-', b'-', b'B', b'x', 0x00]
        );
        // no closing delimiter, no name
        assert_eq!(
            parse_multipart(
                b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx",
                "B"
            ),
            None
        );
        assert_eq!(
            parse_multipart(b"--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--", "B"),
            None
        );
        assert_eq!(parse_multipart(b"--B--\r\n", "B"), Some(vec![]));
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("multipart/form-data; boundary=\"xY\""),
        );
        assert_eq!(multipart_boundary(&h).as_deref(), Some("xY"));
        h.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        assert_eq!(multipart_boundary(&h), None);
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

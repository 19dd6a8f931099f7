//! Incoming notifications (callbacks): verify, parse into a typed event, reply, and never
//! process the same one twice.
//!
//! A provider crate implements [`NotificationVerifier`] for its client. A merchant's HTTP
//! handler builds an [`IncomingNotification`] from what it received and hands it to a
//! [`NotificationInbox`], which verifies it, rejects stale ones, and claims it in a
//! [`ReplayGuard`] so that a replayed or re-sent notification is reported as
//! [`Accepted::Duplicate`] instead of being processed again.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::lifecycle::Transition;
use crate::{Error, SharedClock, SignatureErrorKind, Timestamp};

/// A callback as the merchant's server received it.
///
/// ```
/// use pay_core::IncomingNotification;
///
/// let n = IncomingNotification::post_form("data=abc&mess=1");
/// assert_eq!(n.params(), [("data".to_owned(), "abc".to_owned()), ("mess".to_owned(), "1".to_owned())]);
/// ```
#[derive(Clone)]
pub struct IncomingNotification {
    /// The HTTP method.
    pub method: http::Method,
    /// The request headers.
    pub headers: http::HeaderMap,
    /// The raw query string (without `?`), still percent-encoded.
    pub query: String,
    /// The raw body.
    pub body: Bytes,
}

impl fmt::Debug for IncomingNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query and body can carry personal data: show sizes only.
        f.debug_struct("IncomingNotification")
            .field("method", &self.method)
            .field("query_len", &self.query.len())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl IncomingNotification {
    /// A notification from its parts.
    pub fn new(method: http::Method, query: impl Into<String>, body: impl Into<Bytes>) -> Self {
        IncomingNotification {
            method,
            headers: http::HeaderMap::new(),
            query: query.into(),
            body: body.into(),
        }
    }

    /// A `POST` with a form body.
    pub fn post_form(body: impl Into<Bytes>) -> Self {
        let mut n = Self::new(http::Method::POST, "", body);
        n.headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(crate::form::CONTENT_TYPE),
        );
        n
    }

    /// A `POST` with a JSON body.
    pub fn post_json(body: impl Into<Bytes>) -> Self {
        let mut n = Self::new(http::Method::POST, "", body);
        n.headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        n
    }

    /// A `GET` with parameters in the query string.
    pub fn get(query: impl Into<String>) -> Self {
        Self::new(http::Method::GET, query, Bytes::new())
    }

    /// From an `http::Request` (as axum, hyper or actix give it after reading the body).
    pub fn from_http(request: http::Request<Bytes>) -> Self {
        let (parts, body) = request.into_parts();
        IncomingNotification {
            method: parts.method,
            headers: parts.headers,
            query: parts.uri.query().unwrap_or_default().to_owned(),
            body,
        }
    }

    /// Adds a header (ignored if not a valid header).
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            self.headers.insert(n, v);
        }
        self
    }

    /// Whether the body is declared (or, with no content type, looks) form-encoded.
    fn body_is_form(&self) -> bool {
        if self.body.is_empty() {
            return false;
        }
        match self.headers.get(http::header::CONTENT_TYPE) {
            Some(ct) => ct
                .to_str()
                .is_ok_and(|ct| ct.starts_with(crate::form::CONTENT_TYPE)),
            None => !self.body.starts_with(b"{") && self.body.contains(&b'='),
        }
    }

    /// The URL-decoded parameters of the query string, followed by those of a form body.
    ///
    /// A parameter may appear more than once here; a verifier reads
    /// [`IncomingNotification::unique_params`] instead.
    pub fn params(&self) -> Vec<(String, String)> {
        let mut params = crate::form::decode(self.query.as_bytes());
        if self.body_is_form() {
            params.extend(crate::form::decode(&self.body));
        }
        params
    }

    /// As [`IncomingNotification::params`], refusing a parameter that appears twice (in the
    /// query and the body, or twice in one): two parsers in a merchant's stack could read
    /// different copies, so what was signed cannot be told.
    ///
    /// ```
    /// use pay_core::{Error, IncomingNotification, SignatureErrorKind};
    ///
    /// let n = IncomingNotification::post_form("a=1&b=2");
    /// assert_eq!(n.unique_params()?.len(), 2);
    /// let twice = IncomingNotification::post_form("a=1&a=2");
    /// assert!(matches!(
    ///     twice.unique_params(),
    ///     Err(Error::Signature { kind: SignatureErrorKind::Malformed, .. })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Signature`] ([`SignatureErrorKind::Malformed`]) for a repeated parameter.
    pub fn unique_params(&self) -> Result<Vec<(String, String)>, Error> {
        let params = self.params();
        let mut names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::signature(SignatureErrorKind::Malformed));
        }
        Ok(params)
    }

    /// The body as a JSON object, refusing a key repeated at any depth (serde_json keeps the
    /// last copy, another parser the first: what was signed cannot be told), and a query
    /// parameter named like one of its top-level keys.
    ///
    /// ```
    /// use pay_core::{Error, IncomingNotification, SignatureErrorKind};
    ///
    /// let n = IncomingNotification::post_json(r#"{"a":"1","b":{"c":2}}"#);
    /// assert_eq!(n.json_object()?["b"]["c"], 2);
    /// let twice = IncomingNotification::post_json(r#"{"a":"1","b":{"c":2,"c":3}}"#);
    /// assert!(matches!(
    ///     twice.json_object(),
    ///     Err(Error::Signature { kind: SignatureErrorKind::Malformed, .. })
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Decode`] when the body is not a JSON object; [`Error::Signature`]
    /// ([`SignatureErrorKind::Malformed`]) for a repeated key.
    pub fn json_object(&self) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
        let body = self.body.trim_ascii_start();
        let map: serde_json::Map<String, serde_json::Value> = crate::decode::json(body)?;
        // It is a JSON object: a second, checking pass can fail only on a repeated key.
        if serde_json::from_slice::<UniqueKeys>(body).is_err()
            || crate::form::decode(self.query.as_bytes())
                .iter()
                .any(|(k, _)| map.contains_key(k))
        {
            return Err(Error::signature(SignatureErrorKind::Malformed));
        }
        Ok(map)
    }
}

/// A JSON value whose objects, at every depth, repeat no key (only checked, nothing kept).
struct UniqueKeys;

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = UniqueKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }
            fn visit_i64<E>(self, _: i64) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }
            fn visit_u64<E>(self, _: u64) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }
            fn visit_f64<E>(self, _: f64) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }
            fn visit_str<E>(self, _: &str) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }
            fn visit_unit<E>(self) -> Result<UniqueKeys, E> {
                Ok(UniqueKeys)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<UniqueKeys, A::Error> {
                while seq.next_element::<UniqueKeys>()?.is_some() {}
                Ok(UniqueKeys)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<UniqueKeys, A::Error> {
                let mut seen = std::collections::HashSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<UniqueKeys>()?;
                    if !seen.insert(key) {
                        return Err(serde::de::Error::custom("repeated key"));
                    }
                }
                Ok(UniqueKeys)
            }
        }
        d.deserialize_any(V)
    }
}

/// The HTTP answer the provider expects once a notification was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationReply {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body, exactly.
    pub body: Cow<'static, str>,
}

impl NotificationReply {
    /// A `200 text/plain` reply with `body`.
    pub fn text(body: impl Into<Cow<'static, str>>) -> Self {
        NotificationReply {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }

    /// A `200 application/json` reply with `body`.
    pub fn json(body: impl Into<Cow<'static, str>>) -> Self {
        NotificationReply {
            status: 200,
            content_type: "application/json",
            body: body.into(),
        }
    }

    /// A `503 text/plain` reply for a notification another handler is processing
    /// ([`Accepted::InProgress`]): not an acknowledgement, so that the provider sends it again.
    pub fn retry_later() -> Self {
        NotificationReply {
            status: 503,
            content_type: "text/plain; charset=utf-8",
            body: Cow::Borrowed("being processed, send it again later"),
        }
    }

    /// As an `http::Response`. A `status` that is not an HTTP status code becomes 500, never
    /// a success the provider would take as an acknowledgement.
    pub fn into_http(self) -> http::Response<Bytes> {
        let mut resp = http::Response::new(Bytes::from(self.body.into_owned()));
        *resp.status_mut() = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(self.content_type),
        );
        resp
    }
}

/// A verified, typed notification event.
pub trait NotificationEvent {
    /// The identity of the business event, for replay protection. Where the notification
    /// reports a [`Transition`], this is its [`Transition::dedup_key`] (the order and the
    /// neutral status, never a raw status code or a per-send notification id): two notices of
    /// one transition are one event, a later different transition is a new one.
    fn replay_key(&self) -> String;

    /// The provider-neutral transition the notification reports, where it reports a money
    /// movement (`None` for, e.g., an account opening).
    fn transition(&self) -> Option<Transition>;

    /// When the provider says it sent the notification, where it says so.
    fn sent_at(&self) -> Option<Timestamp> {
        None
    }
}

/// Verifies and parses a provider's notifications.
///
/// Verification is asynchronous so that a provider whose callbacks must be confirmed through
/// its API (Huifu: `unsgin`, then `order_query`) confirms them here: no implementation returns
/// an unverified event.
#[async_trait::async_trait]
pub trait NotificationVerifier: Send + Sync {
    /// The typed event.
    type Event: NotificationEvent + Send;

    /// Verifies the notification (the signature in constant time, and any confirmation the
    /// provider requires) and parses the event.
    ///
    /// # Errors
    /// [`Error::Signature`] when unsigned or tampered, [`Error::Decrypt`] when it cannot be
    /// decrypted, [`Error::Decode`] when the verified content is not the expected shape.
    async fn verify_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Self::Event, Error>;

    /// The reply to send once the event has been processed.
    fn success_reply(&self) -> NotificationReply;
}

/// What [`ReplayGuard::try_claim`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimOutcome {
    /// The key was free (never seen, released, or claimed so long ago that the claim is
    /// taken to be abandoned): the caller processes the notification.
    Claimed,
    /// Already processed: answer the provider's success reply and do not process it again.
    Done,
    /// Being processed by another handler right now: do **not** answer success (that handler
    /// may still fail and release it); answer an error status so the provider sends it again.
    InProgress,
}

/// Remembers which notifications were processed, and which are being processed.
///
/// The in-memory [`InMemoryReplayGuard`] serves one process. To share it across servers or
/// restarts, implement this trait on the merchant's database, one row per key with a state and
/// the time it was claimed:
///
/// - `try_claim`: `INSERT … ON CONFLICT DO NOTHING` of the key as `claimed` with the time.
///   Inserted: [`ClaimOutcome::Claimed`]. Otherwise, in the same transaction: a `done` row is
///   [`ClaimOutcome::Done`]; a `released` row, or a `claimed` row older than the longest
///   processing can take (a handler that crashed), is taken over (set to `claimed`, now) and
///   is [`ClaimOutcome::Claimed`]; a fresh `claimed` row is [`ClaimOutcome::InProgress`].
/// - `complete`: update to `done`.
/// - `release`: delete the row (or update it to `released`).
///
/// [`replay_store`](crate::replay_store) implements this on SQLite and PostgreSQL.
#[async_trait::async_trait]
pub trait ReplayGuard: Send + Sync + fmt::Debug {
    /// Claims `key` for processing.
    async fn try_claim(&self, key: &str) -> Result<ClaimOutcome, Error>;
    /// Marks `key` as processed: it will never be claimed again.
    async fn complete(&self, key: &str) -> Result<(), Error>;
    /// Gives `key` back (processing failed), so the provider's next attempt can be processed.
    async fn release(&self, key: &str) -> Result<(), Error>;
}

/// An in-memory [`ReplayGuard`] remembering up to `capacity` processed keys (the oldest
/// processed ones are forgotten first; a key being processed is never forgotten). A claim older
/// than the claim timeout (5 minutes unless set) is taken to be abandoned and can be claimed
/// again.
#[derive(Debug)]
pub struct InMemoryReplayGuard {
    inner: Mutex<GuardState>,
    capacity: usize,
    claim_timeout: Duration,
}

#[derive(Debug, Clone, Copy)]
enum Entry {
    Claimed(Instant),
    Done,
}

#[derive(Debug, Default)]
struct GuardState {
    state: HashMap<String, Entry>,
    order: VecDeque<String>,
}

impl InMemoryReplayGuard {
    /// The default claim timeout: a handler that has not completed or released a notification
    /// after this long is taken to have died.
    pub const DEFAULT_CLAIM_TIMEOUT: Duration = Duration::from_secs(300);

    /// A guard remembering 100,000 keys.
    pub fn new() -> Self {
        Self::with_capacity(100_000)
    }

    /// A guard remembering up to `capacity` keys.
    pub fn with_capacity(capacity: usize) -> Self {
        InMemoryReplayGuard {
            inner: Mutex::new(GuardState::default()),
            capacity: capacity.max(1),
            claim_timeout: Self::DEFAULT_CLAIM_TIMEOUT,
        }
    }

    /// Sets how long a claim holds before it is taken to be abandoned: longer than the slowest
    /// processing of one notification.
    #[must_use]
    pub fn with_claim_timeout(mut self, timeout: Duration) -> Self {
        self.claim_timeout = timeout;
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GuardState> {
        // A poisoned lock only means another thread panicked mid-update of a plain map.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for InMemoryReplayGuard {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait::async_trait]
impl ReplayGuard for InMemoryReplayGuard {
    async fn try_claim(&self, key: &str) -> Result<ClaimOutcome, Error> {
        let now = Instant::now();
        let mut g = self.lock();
        match g.state.get(key).copied() {
            Some(Entry::Done) => return Ok(ClaimOutcome::Done),
            Some(Entry::Claimed(at)) if now.duration_since(at) < self.claim_timeout => {
                return Ok(ClaimOutcome::InProgress);
            }
            Some(Entry::Claimed(_)) => {
                // Abandoned: taken over (already in `order`).
                g.state.insert(key.to_owned(), Entry::Claimed(now));
                return Ok(ClaimOutcome::Claimed);
            }
            None => {}
        }
        g.state.insert(key.to_owned(), Entry::Claimed(now));
        g.order.push_back(key.to_owned());
        // Forget the oldest processed keys; keys being processed are kept (they are bounded by
        // the handlers running at once).
        let mut kept = 0;
        while g.state.len() > self.capacity && kept < g.order.len() {
            let Some(old) = g.order.pop_front() else {
                break;
            };
            match g.state.get(&old) {
                Some(Entry::Claimed(_)) => {
                    g.order.push_back(old);
                    kept += 1;
                }
                _ => {
                    g.state.remove(&old);
                }
            }
        }
        Ok(ClaimOutcome::Claimed)
    }

    async fn complete(&self, key: &str) -> Result<(), Error> {
        if let Some(entry) = self.lock().state.get_mut(key) {
            *entry = Entry::Done;
        }
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), Error> {
        let mut g = self.lock();
        if matches!(g.state.get(key), Some(Entry::Claimed(_))) {
            g.state.remove(key);
            g.order.retain(|k| k != key);
        }
        Ok(())
    }
}

/// A verified notification that this process has claimed; finish it with
/// [`NotificationInbox::complete`] or [`NotificationInbox::release`].
#[derive(Debug)]
pub struct Claimed<E> {
    /// The event.
    pub event: E,
    /// Its replay key.
    pub key: String,
}

/// What [`NotificationInbox::accept`] made of a verified, fresh notification. Not an error
/// either way: a duplicate is answered with the success reply, one in progress with an error
/// status so that the provider sends it again.
#[derive(Debug)]
#[must_use]
pub enum Accepted<E> {
    /// The first delivery of its business event, now claimed by this handler: process it,
    /// then [`complete`](NotificationInbox::complete) it (or
    /// [`release`](NotificationInbox::release) it on failure).
    New(Claimed<E>),
    /// Already processed: answer the provider's success reply, do not process it again.
    Duplicate {
        /// The event's replay key.
        key: String,
    },
    /// Another handler is processing it right now and may still fail: do **not** answer the
    /// success reply; answer an error status (e.g. 503) so that the provider sends it again.
    InProgress {
        /// The event's replay key.
        key: String,
    },
}

impl<E> Accepted<E> {
    /// The claimed event of a first delivery; `None` for a duplicate or one in progress.
    pub fn into_new(self) -> Option<Claimed<E>> {
        match self {
            Accepted::New(claimed) => Some(claimed),
            Accepted::Duplicate { .. } | Accepted::InProgress { .. } => None,
        }
    }
}

/// Verification, freshness and replay protection for one provider's notifications.
///
/// ```
/// # async fn handle<V: pay_core::NotificationVerifier>(verifier: V, n: pay_core::IncomingNotification) -> Result<(), pay_core::Error> {
/// use std::sync::Arc;
/// use pay_core::{Accepted, InMemoryReplayGuard, NotificationInbox};
///
/// let inbox = NotificationInbox::new(verifier, Arc::new(InMemoryReplayGuard::new()));
/// // A forged or stale notification, or a guard failure, is an error: answer 4xx/5xx.
/// match inbox.accept(&n).await? {
///     Accepted::New(claimed) => {
///         // ... record the payment using claimed.event ...
///         inbox.complete(&claimed).await?;
///     }
///     Accepted::Duplicate { .. } => { /* already done: just reply */ }
///     // Being processed by another handler (it may still fail): answer 503 so the provider
///     // tries again.
///     Accepted::InProgress { .. } => return Ok(()),
/// }
/// let reply = inbox.success_reply();
/// # let _ = reply; Ok(()) }
/// ```
#[derive(Debug)]
pub struct NotificationInbox<V> {
    verifier: V,
    guard: Arc<dyn ReplayGuard>,
    window: Option<(Duration, SharedClock)>,
}

impl<V: NotificationVerifier> NotificationInbox<V> {
    /// An inbox verifying with `verifier` and remembering in `guard`.
    pub fn new(verifier: V, guard: Arc<dyn ReplayGuard>) -> Self {
        NotificationInbox {
            verifier,
            guard,
            window: None,
        }
    }

    /// Rejects notifications whose own timestamp is further than `window` from `clock`'s time.
    ///
    /// The timestamp is the event's [`NotificationEvent::sent_at`]; an event without one (a
    /// provider that sends none, or a value the event could not read) is not checked against
    /// the window, and the replay guard alone protects it.
    #[must_use]
    pub fn with_time_window(mut self, window: Duration, clock: SharedClock) -> Self {
        self.window = Some((window, clock));
        self
    }

    /// Verifies, checks freshness and claims the notification.
    ///
    /// # Errors
    /// Whatever verification returns; [`Error::Signature`] with
    /// [`SignatureErrorKind::Expired`] when stale; whatever the guard returns. A duplicate and
    /// one in progress are not errors: [`Accepted`].
    pub async fn accept(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Accepted<V::Event>, Error> {
        let event = self.verifier.verify_notification(notification).await?;
        if let (Some((window, clock)), Some(sent)) = (&self.window, event.sent_at()) {
            let skew = clock.now().unix_millis().abs_diff(sent.unix_millis());
            if u128::from(skew) > window.as_millis() {
                return Err(Error::signature(SignatureErrorKind::Expired));
            }
        }
        let key = event.replay_key();
        match self.guard.try_claim(&key).await? {
            ClaimOutcome::Claimed => Ok(Accepted::New(Claimed { event, key })),
            ClaimOutcome::Done => {
                tracing::info!(key, "duplicate notification");
                Ok(Accepted::Duplicate { key })
            }
            ClaimOutcome::InProgress => {
                tracing::info!(key, "notification already being processed");
                Ok(Accepted::InProgress { key })
            }
        }
    }

    /// Marks a claimed notification processed.
    ///
    /// # Errors
    /// Whatever the guard returns.
    pub async fn complete<E>(&self, claimed: &Claimed<E>) -> Result<(), Error> {
        self.guard.complete(&claimed.key).await
    }

    /// Gives a claimed notification back after a processing failure.
    ///
    /// # Errors
    /// Whatever the guard returns.
    pub async fn release<E>(&self, claimed: &Claimed<E>) -> Result<(), Error> {
        self.guard.release(&claimed.key).await
    }

    /// The reply the provider expects.
    pub fn success_reply(&self) -> NotificationReply {
        self.verifier.success_reply()
    }

    /// The verifier.
    pub fn verifier(&self) -> &V {
        &self.verifier
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedClock;

    fn malformed<T: fmt::Debug>(r: Result<T, Error>) -> bool {
        matches!(
            r,
            Err(Error::Signature {
                kind: SignatureErrorKind::Malformed,
                ..
            })
        )
    }

    #[test]
    fn unique_params_refuse_a_parameter_given_twice() {
        let n = IncomingNotification::post_form("a=1&b=2");
        assert_eq!(
            n.unique_params().unwrap(),
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "2".to_owned())
            ]
        );
        // twice in the body, twice in the query, once in each (encoded differently)
        assert!(malformed(
            IncomingNotification::post_form("a=1&b=2&a=1").unique_params()
        ));
        assert!(malformed(
            IncomingNotification::get("a=1&a=2").unique_params()
        ));
        let mut both = IncomingNotification::post_form("%61=2");
        both.query = "a=1".to_owned();
        assert_eq!(both.params().len(), 2);
        assert!(malformed(both.unique_params()));
    }

    #[test]
    fn json_object_refuses_repeated_keys_at_any_depth() {
        let n = IncomingNotification::post_json(r#" {"a":"1","b":{"c":[{"d":1},{"d":2}]}}"#);
        let map = n.json_object().unwrap();
        assert_eq!(map["a"], "1");
        assert_eq!(map["b"]["c"][1]["d"], 2);
        for body in [
            r#"{"a":"1","a":"2"}"#,
            r#"{"a":"1","\u0061":"2"}"#,
            r#"{"a":{"x":1,"x":1}}"#,
            r#"{"a":[{"x":1,"x":2}]}"#,
        ] {
            assert!(
                malformed(IncomingNotification::post_json(body).json_object()),
                "{body}"
            );
        }
        // a query parameter named like a key of the body
        let mut both = IncomingNotification::post_json(r#"{"a":"1"}"#);
        both.query = "b=1".to_owned();
        assert_eq!(both.json_object().unwrap().len(), 1);
        both.query = "%61=2".to_owned();
        assert!(malformed(both.json_object()));
        for body in ["[1]", "not json", r#"{"a":1} x"#] {
            assert!(
                matches!(
                    IncomingNotification::post_json(body).json_object(),
                    Err(Error::Decode { .. })
                ),
                "{body}"
            );
        }
    }

    #[derive(Debug)]
    struct Ev(String, Option<Timestamp>);
    impl NotificationEvent for Ev {
        fn replay_key(&self) -> String {
            self.0.clone()
        }
        fn transition(&self) -> Option<Transition> {
            None
        }
        fn sent_at(&self) -> Option<Timestamp> {
            self.1
        }
    }
    struct V;
    #[async_trait::async_trait]
    impl NotificationVerifier for V {
        type Event = Ev;
        async fn verify_notification(&self, n: &IncomingNotification) -> Result<Ev, Error> {
            let p = n.params();
            let get = |k: &str| p.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
            if get("sign").as_deref() != Some("ok") {
                return Err(Error::signature(SignatureErrorKind::Mismatch));
            }
            let ts = get("ts")
                .and_then(|t| t.parse().ok())
                .map(Timestamp::from_unix_seconds);
            Ok(Ev(get("id").unwrap_or_default(), ts))
        }
        fn success_reply(&self) -> NotificationReply {
            NotificationReply::text("success")
        }
    }

    #[tokio::test]
    async fn duplicates_are_reported_never_processed_twice() {
        let inbox = NotificationInbox::new(V, Arc::new(InMemoryReplayGuard::new()));
        let n = IncomingNotification::get("id=1&sign=ok");
        let c = inbox.accept(&n).await.unwrap().into_new().unwrap();
        assert_eq!(c.key, "1");
        // while in flight: in progress, not "done" (the first handler may still fail)
        assert!(matches!(
            inbox.accept(&n).await,
            Ok(Accepted::InProgress { ref key }) if key == "1"
        ));
        // after completion: duplicate
        inbox.complete(&c).await.unwrap();
        assert!(matches!(
            inbox.accept(&n).await,
            Ok(Accepted::Duplicate { .. })
        ));
        // a released claim can be processed again
        let n2 = IncomingNotification::post_form("id=2&sign=ok");
        let c2 = inbox.accept(&n2).await.unwrap().into_new().unwrap();
        inbox.release(&c2).await.unwrap();
        assert!(matches!(inbox.accept(&n2).await, Ok(Accepted::New(_))));
        // tampered
        let bad = IncomingNotification::get("id=3&sign=no");
        assert!(matches!(
            inbox.accept(&bad).await,
            Err(Error::Signature { .. })
        ));
        assert_eq!(inbox.success_reply().body, "success");
    }

    #[tokio::test]
    async fn time_window() {
        let clock = Arc::new(FixedClock::new(Timestamp::from_unix_seconds(1000)));
        let inbox = NotificationInbox::new(V, Arc::new(InMemoryReplayGuard::new()))
            .with_time_window(Duration::from_secs(300), clock);
        assert!(
            inbox
                .accept(&IncomingNotification::get("id=a&sign=ok&ts=900"))
                .await
                .is_ok()
        );
        let e = inbox
            .accept(&IncomingNotification::get("id=b&sign=ok&ts=100"))
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            Error::Signature {
                kind: SignatureErrorKind::Expired,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn guard_capacity_forgets_processed_keys_only() {
        use ClaimOutcome::{Claimed, Done, InProgress};
        let g = InMemoryReplayGuard::with_capacity(2);
        for k in ["a", "b"] {
            assert_eq!(g.try_claim(k).await.unwrap(), Claimed);
            g.complete(k).await.unwrap();
        }
        assert_eq!(g.try_claim("c").await.unwrap(), Claimed);
        assert_eq!(g.try_claim("a").await.unwrap(), Claimed); // the oldest done key, forgotten
        assert_eq!(g.try_claim("b").await.unwrap(), Claimed); // then b
        // c, a and b are all being processed: none is forgotten, whatever the capacity
        assert_eq!(g.try_claim("c").await.unwrap(), InProgress);
        assert_eq!(g.try_claim("a").await.unwrap(), InProgress);
        g.complete("c").await.unwrap();
        assert_eq!(g.try_claim("c").await.unwrap(), Done);
    }

    #[tokio::test]
    async fn an_abandoned_claim_can_be_taken_over() {
        use ClaimOutcome::{Claimed, InProgress};
        let g = InMemoryReplayGuard::new().with_claim_timeout(Duration::from_millis(30));
        assert_eq!(g.try_claim("k").await.unwrap(), Claimed);
        assert_eq!(g.try_claim("k").await.unwrap(), InProgress);
        tokio::time::sleep(Duration::from_millis(60)).await;
        // the first handler never completed nor released it (it crashed): taken over
        assert_eq!(g.try_claim("k").await.unwrap(), Claimed);
        assert_eq!(g.try_claim("k").await.unwrap(), InProgress);
        // released: free again
        g.release("k").await.unwrap();
        assert_eq!(g.try_claim("k").await.unwrap(), Claimed);
    }

    #[test]
    fn params_merge_query_and_form_body() {
        let n = IncomingNotification::new(http::Method::POST, "a=1", "b=2%263");
        assert_eq!(n.params().len(), 2);
        let n = IncomingNotification::post_json("{\"a\":\"=\"}");
        assert!(n.params().is_empty());
        let n = IncomingNotification::from_http(
            http::Request::builder()
                .uri("http://x/notify?x=%E6%B5%8B")
                .body(Bytes::new())
                .unwrap_or_default(),
        );
        assert_eq!(n.params(), [("x".to_owned(), "测".to_owned())]);
        assert!(!format!("{n:?}").contains("x="));
        let r = NotificationReply::text("SUCCESS").into_http();
        assert_eq!(r.body().as_ref(), b"SUCCESS");
    }
}

//! Shared machinery of the end-to-end tests (`e2e_*.rs`): a sandbox with short timings, a local
//! axum receiver for the providers' notifications, and bounded polling.
//!
//! Every test starts its own sandbox (one provider) and its own receiver, so tests never share
//! state and can run in parallel.

// Each `e2e_*.rs` binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use pay_core::{
    Error, InMemoryReplayGuard, IncomingNotification, NotificationInbox, NotificationReply,
    NotificationVerifier,
};
use pay_sandbox::{Provider, Sandbox, SandboxOptions};

/// The time between accepting an order and its next status in the sandbox.
pub(crate) const STATUS_DELAY: Duration = Duration::from_millis(40);
/// The sandbox's notification schedules divided by this (aggregate 60 s → 6 ms, Yunzhanghu
/// 4 min → 24 ms).
pub(crate) const TIME_COMPRESSION: u32 = 10_000;
/// The client time limit in the timeout tests: far above a normal local answer, far below the
/// wait of a test.
pub(crate) const SHORT_TIMEOUT: Duration = Duration::from_millis(400);
/// How long a test waits for anything (a status change, a notification) before failing.
pub(crate) const DEADLINE: Duration = Duration::from_secs(10);

/// A sandbox running only `provider`, with [`STATUS_DELAY`] and [`TIME_COMPRESSION`].
pub(crate) async fn sandbox(provider: Provider) -> Sandbox {
    Sandbox::start_with(
        SandboxOptions::default()
            .with_providers(&[provider])
            .with_status_delay(STATUS_DELAY)
            .with_time_compression(TIME_COMPRESSION),
    )
    .await
    .expect("the sandbox starts")
}

/// Polls `probe` every 10 ms until it gives `Some`, for at most [`DEADLINE`]; panics naming
/// `what` when the deadline passes.
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {DEADLINE:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the merchant's endpoint answers: status and body.
pub(crate) type Reply = (u16, String);
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type Handler = Arc<dyn Fn(String, IncomingNotification) -> BoxFuture<Reply> + Send + Sync>;

/// One request that reached the receiver, and what it answered.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    /// The request path (`/notify/pay`, …).
    pub(crate) path: String,
    /// The request as the handler saw it.
    pub(crate) notification: IncomingNotification,
    /// The answer's status.
    pub(crate) status: u16,
    /// The answer's body.
    pub(crate) reply: String,
}

/// A local HTTP server standing in for the merchant's notification endpoint: every request,
/// whatever its path and method, goes to one async handler; every request is logged.
#[derive(Debug)]
pub(crate) struct Receiver {
    base: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// Starts a receiver on an ephemeral loopback port; `handler` gets the request path and
    /// the request.
    pub(crate) async fn start<F, Fut>(handler: F) -> Receiver
    where
        F: Fn(String, IncomingNotification) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Reply> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |path, n| Box::pin(handler(path, n)));
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let log = hits.clone();
        let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
            let (handler, log) = (handler.clone(), log.clone());
            async move {
                let (parts, body) = request.into_parts();
                let path = parts.uri.path().to_owned();
                let body = axum::body::to_bytes(body, 1024 * 1024)
                    .await
                    .unwrap_or_default();
                let n = IncomingNotification::from_http(http::Request::from_parts(parts, body));
                let (status, reply) = handler(path.clone(), n.clone()).await;
                lock(&log).push(Hit {
                    path,
                    notification: n,
                    status,
                    reply: reply.clone(),
                });
                (
                    http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK),
                    reply,
                )
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the receiver binds a loopback port");
        let addr = listener.local_addr().expect("the receiver has an address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            base: format!("http://{addr}"),
            hits,
            task,
        }
    }

    /// The URL of `path` on this receiver (`/notify/pay` → `http://127.0.0.1:N/notify/pay`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every request so far.
    pub(crate) fn hits(&self) -> Vec<Hit> {
        lock(&self.hits).clone()
    }

    /// Waits until `n` requests were answered and returns them all (a request is logged once
    /// its handler has returned, a little after the handler recorded its outcome).
    pub(crate) async fn wait_hits(&self, n: usize) -> Vec<Hit> {
        eventually(&format!("{n} answered request(s)"), || async {
            let h = self.hits();
            (h.len() >= n).then_some(h)
        })
        .await
    }
}

/// What a merchant's handler did with the notifications it was given.
#[derive(Debug)]
pub(crate) struct Outcomes<E> {
    processed: Mutex<Vec<E>>,
    rejected: Mutex<Vec<Error>>,
    duplicates: Mutex<Vec<String>>,
}

impl<E> Default for Outcomes<E> {
    fn default() -> Self {
        Outcomes {
            processed: Mutex::new(Vec::new()),
            rejected: Mutex::new(Vec::new()),
            duplicates: Mutex::new(Vec::new()),
        }
    }
}

impl<E: Clone> Outcomes<E> {
    /// Records an event that reached the business logic.
    pub(crate) fn process(&self, event: E) {
        lock(&self.processed).push(event);
    }

    /// Records a notification refused before the business logic.
    pub(crate) fn reject(&self, error: Error) {
        lock(&self.rejected).push(error);
    }

    /// Records a replay reported by the inbox.
    pub(crate) fn duplicate(&self, key: String) {
        lock(&self.duplicates).push(key);
    }

    /// The events processed, in order.
    pub(crate) fn processed(&self) -> Vec<E> {
        lock(&self.processed).clone()
    }

    /// The keys of the replays, in order.
    pub(crate) fn duplicates(&self) -> Vec<String> {
        lock(&self.duplicates).clone()
    }

    /// Applies `f` to the refusals.
    pub(crate) fn with_rejected<T>(&self, f: impl FnOnce(&[Error]) -> T) -> T {
        f(&lock(&self.rejected))
    }

    /// How many notifications were refused.
    pub(crate) fn rejected_count(&self) -> usize {
        lock(&self.rejected).len()
    }

    /// Waits until `n` events were processed and returns them.
    pub(crate) async fn wait_processed(&self, n: usize) -> Vec<E> {
        eventually(&format!("{n} processed notification(s)"), || async {
            let p = self.processed();
            (p.len() >= n).then_some(p)
        })
        .await
    }
}

/// The handler every merchant should write: the [`NotificationInbox`] verifies and claims,
/// only a claimed event reaches the business logic (here: [`Outcomes::process`]), a replay is
/// answered with the success reply without processing, and anything else is refused with 400
/// so that the provider tries again.
pub(crate) async fn inbox_handler<V>(
    inbox: &NotificationInbox<V>,
    outcomes: &Outcomes<V::Event>,
    n: &IncomingNotification,
) -> Reply
where
    V: NotificationVerifier,
    V::Event: Clone,
{
    match inbox.accept(n).await {
        Ok(pay_core::Accepted::New(claimed)) => {
            outcomes.process(claimed.event.clone());
            if let Err(e) = inbox.complete(&claimed).await {
                return (500, format!("could not record: {e}"));
            }
            reply(inbox.success_reply())
        }
        Ok(pay_core::Accepted::Duplicate { key }) => {
            outcomes.duplicate(key);
            reply(inbox.success_reply())
        }
        // Another request is processing it: not acknowledged, so that it comes again.
        Ok(pay_core::Accepted::InProgress { key }) => (503, format!("{key} is being processed")),
        Err(e) => {
            let text = e.to_string();
            outcomes.reject(e);
            (400, text)
        }
    }
}

fn reply(r: NotificationReply) -> Reply {
    (r.status, r.body.into_owned())
}

/// A receiver whose every request goes through [`inbox_handler`] with a fresh inbox on
/// `verifier`; returns the receiver, the shared inbox (to replay into) and the outcomes.
pub(crate) async fn inbox_receiver<V>(
    verifier: V,
) -> (Receiver, Arc<NotificationInbox<V>>, Arc<Outcomes<V::Event>>)
where
    V: NotificationVerifier + std::fmt::Debug + 'static,
    V::Event: Clone + Send + Sync + 'static,
{
    let inbox = Arc::new(NotificationInbox::new(
        verifier,
        Arc::new(InMemoryReplayGuard::new()),
    ));
    let outcomes: Arc<Outcomes<V::Event>> = Arc::default();
    let (i, o) = (inbox.clone(), outcomes.clone());
    let receiver = Receiver::start(move |_path, n| {
        let (i, o) = (i.clone(), o.clone());
        async move { inbox_handler(&i, &o, &n).await }
    })
    .await;
    (receiver, inbox, outcomes)
}

/// The body of a logged request as text.
pub(crate) fn body_text(n: &IncomingNotification) -> String {
    String::from_utf8_lossy(&n.body).into_owned()
}

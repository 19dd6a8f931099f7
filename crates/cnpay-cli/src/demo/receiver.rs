//! The demo's notification receiver: a small axum server on `127.0.0.1:0`, one route per
//! provider, the way a merchant would write it.
//!
//! Each route hands the callback as received to the provider's verifier through a
//! [`NotificationInbox`] (with an [`InMemoryReplayGuard`]), answers the provider's success reply
//! once the event is recorded, and puts the verified event (or the reason it was refused) in a
//! [`Mailbox`] for the flows to wait on. Huifu's callbacks carry no signature: its route also
//! confirms the claims through the gateway (`unsgin`, then `order_query`) before replying.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use cnpay::huifu::codes::QueryTransType;
use cnpay::{aggregate_pay, huifu, protocol_pay, yunzhanghu};
use pay_core::{
    Accepted, Error, InMemoryReplayGuard, IncomingNotification, NotificationEvent,
    NotificationInbox, NotificationReply, NotificationVerifier,
};
use tokio::sync::{Notify, watch};

use super::StepError;

/// The largest callback body the receiver reads.
const BODY_LIMIT: usize = 1024 * 1024;

/// One callback as it reached the receiver: the verified event, or why it was refused.
#[derive(Debug)]
struct Arrival<E> {
    /// The order the callback is about, where it could be read (a refused one may have none).
    order_id: Option<String>,
    /// The event, or the refusal.
    result: Result<E, String>,
}

/// The verified events of one provider, in arrival order, and a way to wait for one.
pub(crate) struct Mailbox<E> {
    arrivals: Mutex<Vec<Arrival<E>>>,
    changed: Notify,
}

impl<E> fmt::Debug for Mailbox<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailbox").finish_non_exhaustive()
    }
}

impl<E: Clone> Mailbox<E> {
    fn new() -> Self {
        Mailbox {
            arrivals: Mutex::new(Vec::new()),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arrival<E>>> {
        // A poisoned lock only means a handler panicked mid-push of a plain vector.
        self.arrivals.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, order_id: Option<String>, result: Result<E, String>) {
        self.lock().push(Arrival { order_id, result });
        self.changed.notify_waiters();
    }

    /// Waits up to `timeout` for a verified event about `order_id` for which `matches` holds.
    ///
    /// # Errors
    /// A refused callback about `order_id` (or about an order that could not be read) fails the
    /// wait at once, with the reason; so does the timeout.
    pub(crate) async fn wait(
        &self,
        order_id: &str,
        timeout: Duration,
        matches: impl Fn(&E) -> bool,
    ) -> Result<E, StepError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let arrivals = self.lock();
                for a in arrivals.iter() {
                    let about = a.order_id.as_deref().is_none_or(|id| id == order_id);
                    match &a.result {
                        Err(why) if about => {
                            return Err(StepError::check(format!(
                                "the receiver refused a callback{}: {why}",
                                a.order_id
                                    .as_deref()
                                    .map(|id| format!(" about `{id}`"))
                                    .unwrap_or_default()
                            )));
                        }
                        Ok(e) if matches(e) => return Ok(e.clone()),
                        _ => {}
                    }
                }
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return Err(StepError::check(format!(
                    "no verified callback about `{order_id}` within {} ms",
                    timeout.as_millis()
                )));
            }
        }
    }
}

/// What the receiver verifies with, and what it has received.
#[derive(Debug)]
pub(crate) struct Receiver {
    aggregate: NotificationInbox<aggregate_pay::Client>,
    /// One endpoint per protocol pay notification kind (the spec gives each its own URL),
    /// their inboxes sharing one replay guard.
    protocol_pay_result: NotificationInbox<protocol_pay::KindNotifications>,
    protocol_funds_arrived: NotificationInbox<protocol_pay::KindNotifications>,
    protocol_payout: NotificationInbox<protocol_pay::KindNotifications>,
    huifu: NotificationInbox<HuifuByKind>,
    yunzhanghu: NotificationInbox<yunzhanghu::Client>,
    /// Verified aggregate gateway notifications (pay and payout).
    pub(crate) aggregate_events: Mailbox<aggregate_pay::Notification>,
    /// Verified protocol pay notifications (9, 10 and 11).
    pub(crate) protocol_events: Mailbox<protocol_pay::Notification>,
    /// Huifu callbacks, decoded by `unsgin` and confirmed by `order_query`.
    pub(crate) huifu_events: Mailbox<huifu::CallbackEvent>,
    /// Verified (and decrypted) Yunzhanghu callbacks.
    pub(crate) yunzhanghu_events: Mailbox<yunzhanghu::NotifyEvent>,
    /// The dedup keys of verified notifications that were recognised as an event already
    /// processed (a resend, or another notice of the same business event), every provider.
    pub(crate) duplicates: Mailbox<String>,
    /// The kind of each Huifu order sent, by order id (the merchant's own records), so that a
    /// callback is confirmed with the right `order_query` kind.
    huifu_kinds: Arc<Mutex<HashMap<String, QueryTransType>>>,
}

/// The demo's Huifu verifier: every callback is confirmed through the gateway, a trade with
/// `order_query` of the kind the merchant's own records give for its order (the kind read from
/// the callback for an order it does not know).
#[derive(Debug)]
struct HuifuByKind {
    client: huifu::Client,
    kinds: Arc<Mutex<HashMap<String, QueryTransType>>>,
}

#[async_trait::async_trait]
impl NotificationVerifier for HuifuByKind {
    type Event = huifu::ConfirmedCallback;

    async fn verify_notification(
        &self,
        n: &IncomingNotification,
    ) -> Result<huifu::ConfirmedCallback, Error> {
        // The order the callback claims to be about: unverified, used only to look up which
        // kind of order to confirm it as.
        let claimed_order = huifu::notify::check_value(n)
            .ok()
            .and_then(|cv| huifu::notify::decode_check_value_unverified(&cv).ok())
            .and_then(|c| c.order_id);
        let kind = claimed_order.and_then(|id| {
            let kinds = self.kinds.lock().unwrap_or_else(|p| p.into_inner());
            kinds.get(&id).cloned()
        });
        self.client.confirm_callback(n, kind).await
    }

    fn success_reply(&self) -> NotificationReply {
        NotificationVerifier::success_reply(&self.client)
    }
}

/// The clients the receiver verifies with (the same configuration as the flows').
#[derive(Debug, Clone)]
pub(crate) struct Verifiers {
    /// The aggregate gateway client.
    pub(crate) aggregate: aggregate_pay::Client,
    /// The protocol pay client.
    pub(crate) protocol: protocol_pay::Client,
    /// The Huifu client (its callbacks are confirmed through the gateway).
    pub(crate) huifu: huifu::Client,
    /// The Yunzhanghu client.
    pub(crate) yunzhanghu: yunzhanghu::Client,
}

fn inbox<V: NotificationVerifier>(verifier: V) -> NotificationInbox<V> {
    NotificationInbox::new(verifier, Arc::new(InMemoryReplayGuard::new()))
}

impl Receiver {
    /// A receiver verifying with these clients.
    pub(crate) fn new(v: Verifiers) -> Self {
        let huifu_kinds = Arc::new(Mutex::new(HashMap::new()));
        let protocol_guard: Arc<dyn pay_core::ReplayGuard> = Arc::new(InMemoryReplayGuard::new());
        let protocol_inbox = |kind| {
            NotificationInbox::new(v.protocol.notifications(kind), Arc::clone(&protocol_guard))
        };
        Receiver {
            aggregate: inbox(v.aggregate),
            protocol_pay_result: protocol_inbox(protocol_pay::NotificationKind::PayResult),
            protocol_funds_arrived: protocol_inbox(protocol_pay::NotificationKind::FundsArrived),
            protocol_payout: protocol_inbox(protocol_pay::NotificationKind::PayoutArrived),
            huifu: inbox(HuifuByKind {
                client: v.huifu,
                kinds: Arc::clone(&huifu_kinds),
            }),
            yunzhanghu: inbox(v.yunzhanghu),
            aggregate_events: Mailbox::new(),
            protocol_events: Mailbox::new(),
            huifu_events: Mailbox::new(),
            yunzhanghu_events: Mailbox::new(),
            duplicates: Mailbox::new(),
            huifu_kinds,
        }
    }

    /// Records that Huifu order `order_id` is of `kind` (before it is sent).
    pub(crate) fn expect_huifu(&self, order_id: &str, kind: QueryTransType) {
        self.huifu_kinds
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(order_id.to_owned(), kind);
    }
}

/// The receiver's path for each provider.
pub(crate) const AGGREGATE_PATH: &str = "/notify/aggregate-pay";
/// See [`AGGREGATE_PATH`]; protocol pay has one path per notification kind below it:
/// `/pay-result` (§9), `/funds-arrived` (§10), `/payout` (§11).
pub(crate) const PROTOCOL_PATH: &str = "/notify/protocol-pay";
/// See [`AGGREGATE_PATH`].
pub(crate) const HUIFU_PATH: &str = "/notify/huifu";
/// See [`AGGREGATE_PATH`].
pub(crate) const YUNZHANGHU_PATH: &str = "/notify/yunzhanghu";

/// The running receiver.
#[derive(Debug)]
pub(crate) struct Running {
    /// `http://127.0.0.1:PORT`.
    pub(crate) base_url: String,
    stop: watch::Sender<bool>,
    handle: tokio::task::JoinHandle<Result<(), std::io::Error>>,
}

impl Running {
    /// Stops the server.
    pub(crate) async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.handle.await;
    }
}

/// Starts `receiver` on an ephemeral loopback port.
pub(crate) async fn start(receiver: Arc<Receiver>) -> Result<Running, std::io::Error> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let router = axum::Router::new()
        .route(AGGREGATE_PATH, axum::routing::any(aggregate))
        .route(
            &format!("{PROTOCOL_PATH}/{{kind}}"),
            axum::routing::post(protocol),
        )
        .route(HUIFU_PATH, axum::routing::post(huifu_callback))
        .route(YUNZHANGHU_PATH, axum::routing::post(yunzhanghu_callback))
        .with_state(receiver);
    let (stop, mut stopped) = watch::channel(false);
    let handle = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await
    });
    Ok(Running {
        base_url,
        stop,
        handle,
    })
}

/// The callback as the provider sent it (method, headers, query, raw body).
async fn incoming(request: Request) -> Result<IncomingNotification, Response> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| (http::StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response())?;
    Ok(IncomingNotification::from_http(http::Request::from_parts(
        parts, bytes,
    )))
}

fn reply(r: NotificationReply) -> Response {
    let (parts, body) = r.into_http().into_parts();
    Response::from_parts(parts, Body::from(body))
}

fn refuse(e: &Error) -> Response {
    // A non-success answer: the provider sends the notification again later.
    (
        http::StatusCode::BAD_REQUEST,
        format!("refused: {}", super::chain(e)),
    )
        .into_response()
}

/// Verifies and claims a notification, processes it, records the event, and answers the
/// provider. `process` gives the event to record, or `None` for a notification that is
/// acknowledged without one (a Huifu opening or card binding: no money moved).
async fn receive<V, O>(
    r: &Receiver,
    inbox: &NotificationInbox<V>,
    mailbox: &Mailbox<O>,
    n: &IncomingNotification,
    process: impl FnOnce(&V::Event) -> Option<O>,
) -> Response
where
    V: NotificationVerifier,
    O: Clone,
{
    match inbox.accept(n).await {
        Ok(Accepted::New(claimed)) => {
            let order_id = claimed.event.transition().map(|t| t.order_id);
            if let Some(event) = process(&claimed.event) {
                mailbox.push(order_id, Ok(event));
            }
            let _ = inbox.complete(&claimed).await;
            reply(inbox.success_reply())
        }
        // Already processed (a resend, or another notice of the same business event): just
        // reply, and do not process it again.
        Ok(Accepted::Duplicate { key }) => {
            r.duplicates.push(None, Ok(key));
            reply(inbox.success_reply())
        }
        // Being processed by another request right now: not a failure, but not acknowledged
        // either (that processing may still fail): the provider sends it again.
        Ok(Accepted::InProgress { key }) => (
            http::StatusCode::SERVICE_UNAVAILABLE,
            format!("retry later: notification `{key}` is being processed"),
        )
            .into_response(),
        Err(e) => {
            mailbox.push(None, Err(super::chain(&e)));
            refuse(&e)
        }
    }
}

async fn aggregate(State(r): State<Arc<Receiver>>, request: Request) -> Response {
    let n = match incoming(request).await {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    receive(&r, &r.aggregate, &r.aggregate_events, &n, |e| {
        Some(e.clone())
    })
    .await
}

async fn protocol(
    State(r): State<Arc<Receiver>>,
    Path(kind): Path<String>,
    request: Request,
) -> Response {
    let inbox = match kind.parse() {
        Ok(protocol_pay::NotificationKind::PayResult) => &r.protocol_pay_result,
        Ok(protocol_pay::NotificationKind::FundsArrived) => &r.protocol_funds_arrived,
        Ok(protocol_pay::NotificationKind::PayoutArrived) => &r.protocol_payout,
        _ => return (http::StatusCode::NOT_FOUND, "no such notification kind").into_response(),
    };
    let n = match incoming(request).await {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    receive(&r, inbox, &r.protocol_events, &n, |e| Some(e.clone())).await
}

async fn yunzhanghu_callback(State(r): State<Arc<Receiver>>, request: Request) -> Response {
    let n = match incoming(request).await {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    receive(&r, &r.yunzhanghu, &r.yunzhanghu_events, &n, |e| {
        Some(e.clone())
    })
    .await
}

/// Huifu's callbacks carry no signature: the verifier confirms every one through the gateway
/// (`unsgin`, then `order_query` of the order's kind; an opening with `balance_query`). Only a
/// confirmed trade is recorded; an opening or a card binding is acknowledged.
async fn huifu_callback(State(r): State<Arc<Receiver>>, request: Request) -> Response {
    let n = match incoming(request).await {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    receive(&r, &r.huifu, &r.huifu_events, &n, |e| e.trade().cloned()).await
}

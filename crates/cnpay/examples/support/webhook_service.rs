//! The webhook service of the `webhook_axum` example: one axum route per provider, each
//! handing the notification as received to the provider's verifier through a
//! [`NotificationInbox`] on one durable replay guard.
//!
//! It lives in its own file so that the end-to-end test (`tests/tests/e2e_webhook.rs`) runs
//! exactly this router against the simulators.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use cnpay::protocol_pay::NotificationKind;
use cnpay::{
    Accepted, Error, IncomingNotification, NotificationEvent, NotificationInbox,
    NotificationVerifier, ReplayGuard, aggregate_pay, huifu, protocol_pay, yunzhanghu,
};

/// Where the service puts each processed event: one JSON object
/// `{"provider", "transition"}` (the example prints it as a line on stdout). An error means
/// the event was not processed: the claim is released and the provider sends it again.
pub(crate) type EventSink = Arc<dyn Fn(serde_json::Value) -> std::io::Result<()> + Send + Sync>;

/// The paths of protocol pay's three notification kinds, below `/notify/protocol-pay/`, the
/// kinds of the CLI's `--kind`.
pub(crate) const PROTOCOL_PAY_KINDS: [(&str, NotificationKind); 3] = [
    ("pay-result", NotificationKind::PayResult),
    ("funds-arrived", NotificationKind::FundsArrived),
    ("payout", NotificationKind::PayoutArrived),
];

/// The clients of the providers the service serves (`None`: not served, its path is `404`).
#[derive(Debug, Default)]
pub(crate) struct Providers {
    /// The aggregate gateway, at `/notify/aggregate-pay`.
    pub(crate) aggregate_pay: Option<aggregate_pay::Client>,
    /// Protocol pay, at `/notify/protocol-pay/{pay-result,funds-arrived,payout}`.
    pub(crate) protocol_pay: Option<protocol_pay::Client>,
    /// Huifu, at `/notify/huifu` (every callback confirmed through the gateway).
    pub(crate) huifu: Option<huifu::Client>,
    /// Yunzhanghu, at `/notify/yunzhanghu`.
    pub(crate) yunzhanghu: Option<yunzhanghu::Client>,
}

/// Whether any environment variable begins with `prefix` (`CNPAY_HUIFU_`, …).
fn configured(prefix: &str) -> bool {
    std::env::vars_os().any(|(name, _)| name.to_str().is_some_and(|n| n.starts_with(prefix)))
}

impl Providers {
    /// The providers with any `CNPAY_<PROVIDER>_…` variable set, each configured by its
    /// `Config::from_env` (the names the `cnpay` CLI reads).
    ///
    /// # Errors
    /// A provider with some of its variables set but not all: the error names the variable.
    pub(crate) fn from_env() -> Result<Self, Error> {
        Ok(Providers {
            aggregate_pay: configured(aggregate_pay::Config::ENV_PREFIX)
                .then(|| aggregate_pay::Config::from_env().and_then(aggregate_pay::Client::new))
                .transpose()?,
            protocol_pay: configured(protocol_pay::Config::ENV_PREFIX)
                .then(|| protocol_pay::Config::from_env().and_then(protocol_pay::Client::new))
                .transpose()?,
            huifu: configured(huifu::Config::ENV_PREFIX)
                .then(|| huifu::Config::from_env().and_then(huifu::Client::new))
                .transpose()?,
            yunzhanghu: configured(yunzhanghu::Config::ENV_PREFIX)
                .then(|| yunzhanghu::Config::from_env().and_then(yunzhanghu::Client::new))
                .transpose()?,
        })
    }

    /// The names of the providers served.
    pub(crate) fn names(&self) -> Vec<&'static str> {
        [
            ("aggregate-pay", self.aggregate_pay.is_some()),
            ("protocol-pay", self.protocol_pay.is_some()),
            ("huifu", self.huifu.is_some()),
            ("yunzhanghu", self.yunzhanghu.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, served)| served.then_some(name))
        .collect()
    }
}

/// The router: `POST|GET /notify/<provider>` for every provider served, every inbox on `guard`.
pub(crate) fn router(providers: Providers, guard: Arc<dyn ReplayGuard>, sink: EventSink) -> Router {
    let mut router = Router::new();
    if let Some(client) = providers.aggregate_pay {
        let route = endpoint(
            "/notify/aggregate-pay",
            "aggregate-pay",
            client,
            &guard,
            &sink,
        );
        router = router.merge(route);
    }
    if let Some(client) = providers.protocol_pay {
        for (name, kind) in PROTOCOL_PAY_KINDS {
            let path = format!("/notify/protocol-pay/{name}");
            let verifier = client.notifications(kind);
            router = router.merge(endpoint(&path, "protocol-pay", verifier, &guard, &sink));
        }
    }
    if let Some(client) = providers.huifu {
        router = router.merge(endpoint("/notify/huifu", "huifu", client, &guard, &sink));
    }
    if let Some(client) = providers.yunzhanghu {
        let route = endpoint("/notify/yunzhanghu", "yunzhanghu", client, &guard, &sink);
        router = router.merge(route);
    }
    router
}

/// One provider's (or one protocol pay kind's) route.
struct Endpoint<V> {
    provider: &'static str,
    inbox: NotificationInbox<V>,
    sink: EventSink,
}

fn endpoint<V>(
    path: &str,
    provider: &'static str,
    verifier: V,
    guard: &Arc<dyn ReplayGuard>,
    sink: &EventSink,
) -> Router
where
    V: NotificationVerifier + 'static,
    V::Event: Sync,
{
    let state = Arc::new(Endpoint {
        provider,
        inbox: NotificationInbox::new(verifier, Arc::clone(guard)),
        sink: Arc::clone(sink),
    });
    Router::new()
        .route(path, any(receive::<V>))
        .with_state(state)
}

/// Verifies and claims the notification, hands the event to the sink, records it as done and
/// answers the provider's success reply. A duplicate (a resend, or another notice of the same
/// business event) is answered the same way without being processed again; anything that fails
/// verification gets `400` and no success reply, so the provider does not count it delivered.
async fn receive<V>(
    State(endpoint): State<Arc<Endpoint<V>>>,
    notification: IncomingNotification,
) -> Response
where
    V: NotificationVerifier + 'static,
    V::Event: Sync,
{
    let inbox = &endpoint.inbox;
    match inbox.accept(&notification).await {
        Ok(Accepted::New(claimed)) => {
            // Here a real service checks the transition against its order (`ExpectedOrder`)
            // and records it in the same database transaction as its own state.
            let transition = claimed.event.transition().map(|t| t.to_json());
            let event = serde_json::json!({
                "provider": endpoint.provider,
                "transition": transition,
            });
            if let Err(e) = (endpoint.sink)(event) {
                eprintln!(
                    "{}: could not process a notification: {e}",
                    endpoint.provider
                );
                // Not processed: given back, so that the provider's resend is processed.
                if let Err(e) = inbox.release(&claimed).await {
                    eprintln!(
                        "{}: could not release a notification: {e}",
                        endpoint.provider
                    );
                }
                return (http::StatusCode::INTERNAL_SERVER_ERROR, "not processed").into_response();
            }
            match inbox.complete(&claimed).await {
                Ok(()) => inbox.success_reply().into_response(),
                Err(e) => {
                    eprintln!(
                        "{}: could not record a notification: {e}",
                        endpoint.provider
                    );
                    (http::StatusCode::INTERNAL_SERVER_ERROR, "not recorded").into_response()
                }
            }
        }
        Ok(Accepted::Duplicate { .. }) => inbox.success_reply().into_response(),
        // Another request is processing the same event right now: not acknowledged (that
        // processing may still fail), so the provider sends it again later.
        Ok(Accepted::InProgress { .. }) => {
            (http::StatusCode::SERVICE_UNAVAILABLE, "being processed").into_response()
        }
        Err(e) => {
            eprintln!("{}: refused a notification: {e}", endpoint.provider);
            (http::StatusCode::BAD_REQUEST, "refused").into_response()
        }
    }
}

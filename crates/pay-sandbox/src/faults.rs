//! Fault injection: per provider and route, set while the sandbox runs.
//!
//! A route is the request path without a trailing slash (`/api/trans/create_order`,
//! `/api/payment/v1/order-realtime`), `*` for every request route of a provider, or
//! [`NOTIFY_ROUTE`] for the notifications the provider sends.
//!
//! ```no_run
//! # async fn demo() -> Result<(), pay_sandbox::SandboxError> {
//! use pay_sandbox::{Fault, Provider, Sandbox};
//!
//! let sandbox = Sandbox::start().await?;
//! // The next payout is carried out, but its response never comes.
//! sandbox
//!     .faults()
//!     .set_times(Provider::Yunzhanghu, "/api/payment/v1/order-realtime", Fault::Timeout, 1);
//! // Every notification of the aggregate gateway is lost.
//! sandbox.faults().set(Provider::AggregatePay, pay_sandbox::NOTIFY_ROUTE, Fault::DropNotification);
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Provider;
use crate::common::{Ctx, corrupt, lock, route_of};

/// The route name of a provider's outgoing notifications.
pub const NOTIFY_ROUTE: &str = "notify";

/// A fault to inject.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Waits this long, then handles the request normally.
    Delay(Duration),
    /// Handles the request (the order or payout is created), then answers this much later: set
    /// it longer than the client's timeout for "the answer came after the client gave up".
    SlowResponse(Duration),
    /// Handles the request (the order or payout is created), then never answers (until the
    /// client closes the connection or the sandbox shuts down).
    Timeout,
    /// Accepts the connection and never answers, without handling the request.
    Hang,
    /// Answers with this HTTP status (500 if not 5xx) and a plain-text body, without handling
    /// the request.
    ServerError(u16),
    /// Handles the request, then answers 200 with a body that is not what the provider sends.
    GarbageBody,
    /// Handles the request, then answers with a wrong signature: the `sign` field of
    /// aggregate-pay and protocol-pay responses, the `encry_data` of an encrypted Yunzhanghu
    /// query. On [`NOTIFY_ROUTE`]: notifications are sent tampered (a wrong sign; for Huifu a
    /// `check_value` the sandbox did not issue). Huifu responses carry no signature.
    WrongSignature,
    /// Answers the provider's "system error, retry with the same parameters" without handling
    /// the request: aggregate-pay `errCode` `0010`; the other providers HTTP 503.
    SystemError,
    /// On [`NOTIFY_ROUTE`]: the notification attempt is not sent (it is logged as dropped).
    DropNotification,
}

#[derive(Debug, Clone)]
struct Rule {
    fault: Fault,
    remaining: Option<u32>,
}

/// The fault switchboard of a sandbox (cheap to clone; clones share the switches).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<HashMap<(Provider, String), Rule>>>,
}

impl Faults {
    /// Injects `fault` on every request to `route` until cleared.
    pub fn set(&self, provider: Provider, route: &str, fault: Fault) {
        lock(&self.rules).insert(
            (provider, route_of(route)),
            Rule {
                fault,
                remaining: None,
            },
        );
    }

    /// Injects `fault` on the next `times` requests to `route` (notification attempts for
    /// [`NOTIFY_ROUTE`]).
    pub fn set_times(&self, provider: Provider, route: &str, fault: Fault, times: u32) {
        lock(&self.rules).insert(
            (provider, route_of(route)),
            Rule {
                fault,
                remaining: Some(times),
            },
        );
    }

    /// Removes the fault on `route`.
    pub fn clear(&self, provider: Provider, route: &str) {
        lock(&self.rules).remove(&(provider, route_of(route)));
    }

    /// Removes every fault.
    pub fn clear_all(&self) {
        lock(&self.rules).clear();
    }

    /// The fault to apply now to `route` (the route's own rule before `*`), counting it down.
    pub(crate) fn take(&self, provider: Provider, route: &str) -> Option<Fault> {
        let mut rules = lock(&self.rules);
        let mut keys = vec![(provider, route.to_owned())];
        if route != NOTIFY_ROUTE {
            keys.push((provider, "*".to_owned()));
        }
        for key in keys {
            let Some(rule) = rules.get_mut(&key) else {
                continue;
            };
            let fault = rule.fault.clone();
            match rule.remaining {
                Some(0) => {
                    rules.remove(&key);
                    continue;
                }
                Some(n) => {
                    if n <= 1 {
                        rules.remove(&key);
                    } else {
                        rule.remaining = Some(n - 1);
                    }
                }
                None => {}
            }
            return Some(fault);
        }
        None
    }
}

/// The middleware that applies the faults of the request's route.
pub(crate) async fn apply(State(ctx): State<Arc<Ctx>>, req: Request, next: Next) -> Response {
    let route = route_of(req.uri().path());
    let Some(fault) = ctx.faults.take(ctx.provider, &route) else {
        return next.run(req).await;
    };
    tracing::debug!(provider = %ctx.provider, %route, ?fault, "injecting fault");
    match fault {
        Fault::Delay(d) => {
            tokio::time::sleep(d).await;
            next.run(req).await
        }
        Fault::SlowResponse(d) => {
            let response = next.run(req).await;
            tokio::time::sleep(d).await;
            response
        }
        Fault::Timeout => {
            let _ = next.run(req).await;
            hang(&ctx).await
        }
        Fault::Hang => hang(&ctx).await,
        Fault::ServerError(code) => {
            let status = http::StatusCode::from_u16(code)
                .ok()
                .filter(http::StatusCode::is_server_error)
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            (status, "sandbox: injected server error").into_response()
        }
        Fault::GarbageBody => {
            let _ = next.run(req).await;
            (
                http::StatusCode::OK,
                [(http::header::CONTENT_TYPE, "text/html")],
                "<html><body>502 Bad Gateway (sandbox garbage)</body></html>",
            )
                .into_response()
        }
        Fault::WrongSignature => {
            let response = next.run(req).await;
            tamper(response).await
        }
        Fault::SystemError => match ctx.provider {
            Provider::AggregatePay => crate::aggregate::system_error(),
            _ => (
                http::StatusCode::SERVICE_UNAVAILABLE,
                "sandbox: system busy, retry with the same parameters",
            )
                .into_response(),
        },
        Fault::DropNotification => next.run(req).await,
    }
}

async fn hang(ctx: &Ctx) -> Response {
    let mut stop = ctx.shutdown.clone();
    let _ = stop.wait_for(|s| *s).await;
    http::StatusCode::SERVICE_UNAVAILABLE.into_response()
}

async fn tamper(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let tampered = tamper_json_text(&text).unwrap_or(text);
    let mut parts = parts;
    parts.headers.remove(http::header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(tampered))
}

/// Changes the `"sign":"…"` value (or `"encry_data":"…"`) in JSON text in place, keeping every
/// other byte (so that a nested signed text stays exact).
fn tamper_json_text(text: &str) -> Option<String> {
    for key in ["\"sign\":\"", "\"encry_data\":\""] {
        if let Some(start) = text.find(key) {
            let value_start = start + key.len();
            let rest = text.get(value_start..)?;
            let end = rest.find('"')?;
            let value = rest.get(..end)?;
            let mut out = String::with_capacity(text.len() + 1);
            out.push_str(text.get(..value_start)?);
            out.push_str(&corrupt(value));
            out.push_str(rest.get(end..)?);
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_faults_run_out() {
        let f = Faults::default();
        f.set_times(Provider::Huifu, "/a/", Fault::GarbageBody, 2);
        assert_eq!(f.take(Provider::Huifu, "/a"), Some(Fault::GarbageBody));
        assert_eq!(f.take(Provider::Huifu, "/a"), Some(Fault::GarbageBody));
        assert_eq!(f.take(Provider::Huifu, "/a"), None);
        assert_eq!(f.take(Provider::Yunzhanghu, "/a"), None);
    }

    #[test]
    fn wildcard_is_a_fallback_and_not_for_notifications() {
        let f = Faults::default();
        f.set(Provider::Huifu, "*", Fault::ServerError(502));
        f.set(Provider::Huifu, "/b", Fault::Hang);
        assert_eq!(f.take(Provider::Huifu, "/a"), Some(Fault::ServerError(502)));
        assert_eq!(f.take(Provider::Huifu, "/b"), Some(Fault::Hang));
        assert_eq!(f.take(Provider::Huifu, NOTIFY_ROUTE), None);
        f.clear(Provider::Huifu, "*");
        assert_eq!(f.take(Provider::Huifu, "/a"), None);
        f.clear_all();
        assert_eq!(f.take(Provider::Huifu, "/b"), None);
    }

    #[test]
    fn tampering_keeps_other_bytes() {
        let t = r#"{"a":{"x":1},"sign":"ABCD","z":2}"#;
        assert_eq!(
            tamper_json_text(t).unwrap(),
            r#"{"a":{"x":1},"sign":"ABC0","z":2}"#
        );
        assert_eq!(tamper_json_text(r#"{"a":1}"#), None);
    }
}

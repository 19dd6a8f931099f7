//! The traffic log: one line per request a simulator answers and per notification attempt it
//! makes (URL, status, reply), for people watching `cnpay sandbox serve` (on stderr) or tests.

use std::fmt;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::Provider;
use crate::notify::NotificationRecord;

/// How much of a reply a line shows.
const EXCERPT_CHARS: usize = 200;

/// Where the traffic log goes (see [`crate::SandboxOptions::traffic_log`]).
#[derive(Clone)]
pub struct TrafficLog(Arc<dyn Fn(&str) + Send + Sync>);

impl fmt::Debug for TrafficLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrafficLog")
    }
}

impl TrafficLog {
    /// Each line on stderr.
    pub fn stderr() -> Self {
        TrafficLog::new(|line| eprintln!("{line}"))
    }

    /// Each line to `write`.
    pub fn new(write: impl Fn(&str) + Send + Sync + 'static) -> Self {
        TrafficLog(Arc::new(write))
    }

    fn write(&self, line: &str) {
        (self.0)(line);
    }
}

/// The start of `body` as one quoted line, or its length when it is not text (a gzip file).
pub(crate) fn excerpt(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) if text.chars().count() > EXCERPT_CHARS => {
            let head: String = text.chars().take(EXCERPT_CHARS).collect();
            format!("{head:?}…")
        }
        Ok(text) => format!("{text:?}"),
        Err(_) => format!("<{} bytes>", body.len()),
    }
}

/// `pay-sandbox yunzhanghu <- POST /api/payment/v1/order-bankpay: 200 "{…}"`.
pub(crate) fn request_line(
    provider: Provider,
    method: &str,
    uri: &str,
    status: u16,
    body: &[u8],
) -> String {
    format!(
        "pay-sandbox {provider} <- {method} {uri}: {status} {}",
        excerpt(body)
    )
}

/// `pay-sandbox yunzhanghu -> POST http://…/notify (order O1, attempt 1): 200 "success", acknowledged`.
pub(crate) fn callback_line(r: &NotificationRecord) -> String {
    let outcome = if r.dropped {
        "dropped (fault DropNotification)".to_owned()
    } else {
        match r.status {
            Some(status) => format!(
                "{status} {}, {}",
                excerpt(r.response.as_bytes()),
                if r.acknowledged {
                    "acknowledged"
                } else {
                    "NOT acknowledged: sent again on the schedule"
                }
            ),
            None => format!("no answer: {}", r.response),
        }
    };
    format!(
        "pay-sandbox {} -> {} {} (order {}, {}, attempt {}{}): {outcome}",
        r.provider,
        r.method,
        r.url,
        r.order_id,
        r.kind,
        r.attempt,
        if r.tampered {
            ", tampered by fault"
        } else {
            ""
        },
    )
}

/// Logs a notification attempt, where the options ask for it.
pub(crate) fn log_callback(log: Option<&TrafficLog>, record: &NotificationRecord) {
    if let Some(log) = log {
        log.write(&callback_line(record));
    }
}

/// The middleware logging each request with its answer.
pub(crate) async fn log_request(
    State((provider, log)): State<(Provider, TrafficLog)>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().to_string();
    let uri = request.uri().to_string();
    let (parts, body) = next.run(request).await.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            log.write(&format!(
                "pay-sandbox {provider} <- {method} {uri}: {} (reply unreadable: {e})",
                parts.status.as_u16()
            ));
            return Response::from_parts(parts, Body::empty());
        }
    };
    log.write(&request_line(
        provider,
        &method,
        &uri,
        parts.status.as_u16(),
        &bytes,
    ));
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> NotificationRecord {
        NotificationRecord {
            provider: Provider::Yunzhanghu,
            order_id: "O1".into(),
            kind: "order".into(),
            attempt: 2,
            method: "POST".into(),
            url: "http://127.0.0.1:8080/notify/yunzhanghu".into(),
            body: "data=…".into(),
            tampered: false,
            dropped: false,
            status: Some(200),
            response: "success".into(),
            acknowledged: true,
        }
    }

    #[test]
    fn lines_show_url_status_and_reply() {
        assert_eq!(
            callback_line(&record()),
            "pay-sandbox yunzhanghu -> POST http://127.0.0.1:8080/notify/yunzhanghu (order O1, order, attempt 2): 200 \"success\", acknowledged"
        );
        let mut refused = record();
        refused.status = Some(400);
        refused.response = "refused\n".into();
        refused.acknowledged = false;
        refused.tampered = true;
        assert_eq!(
            callback_line(&refused),
            "pay-sandbox yunzhanghu -> POST http://127.0.0.1:8080/notify/yunzhanghu (order O1, order, attempt 2, tampered by fault): 400 \"refused\\n\", NOT acknowledged: sent again on the schedule"
        );
        let mut unreachable = record();
        unreachable.status = None;
        unreachable.response = "transport error: connection refused".into();
        unreachable.acknowledged = false;
        assert!(
            callback_line(&unreachable)
                .ends_with("attempt 2): no answer: transport error: connection refused")
        );
        assert_eq!(
            request_line(
                Provider::Huifu,
                "POST",
                "/api/x?a=1",
                200,
                br#"{"resp_code":"C00000"}"#
            ),
            r#"pay-sandbox huifu <- POST /api/x?a=1: 200 "{\"resp_code\":\"C00000\"}""#
        );
        assert_eq!(excerpt(&[0x1f, 0x8b, 0xff]), "<3 bytes>");
        assert_eq!(
            excerpt("字".repeat(201).as_bytes()),
            format!("{:?}…", "字".repeat(200))
        );
    }
}

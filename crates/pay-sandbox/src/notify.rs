//! Outgoing notifications: delivery on the provider's schedule, and the log of every attempt.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

use crate::common::{Ctx, lock};
use crate::faults::NOTIFY_ROUTE;
use crate::{Fault, Provider};

/// One notification attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationRecord {
    /// The provider that sent it.
    pub provider: Provider,
    /// The merchant's order id it is about.
    pub order_id: String,
    /// What it reports (`pay`, `payout`, `pay-in`, `arrived`, `pay-out`, `order`, …).
    pub kind: String,
    /// The attempt number, from 1.
    pub attempt: u32,
    /// `GET` or `POST`.
    pub method: String,
    /// The URL called (with the query string, where the parameters travel there).
    pub url: String,
    /// The body sent.
    pub body: String,
    /// Whether it was sent with a wrong signature ([`Fault::WrongSignature`]).
    pub tampered: bool,
    /// Whether it was dropped instead of sent ([`Fault::DropNotification`]).
    pub dropped: bool,
    /// The HTTP status of the merchant's answer, if one came.
    pub status: Option<u16>,
    /// The merchant's answer body, or the transport error.
    pub response: String,
    /// Whether the answer acknowledged it (`success` / `SUCCESS`), ending the retries.
    pub acknowledged: bool,
}

/// Every notification attempt (cheap to clone; clones share the log).
#[derive(Debug, Clone, Default)]
pub struct NotificationLog {
    records: Arc<Mutex<Vec<NotificationRecord>>>,
}

impl NotificationLog {
    fn push(&self, record: NotificationRecord) {
        lock(&self.records).push(record);
    }

    /// Every attempt, in order.
    pub fn all(&self) -> Vec<NotificationRecord> {
        lock(&self.records).clone()
    }

    /// The attempts about `order_id` of `provider`.
    pub fn for_order(&self, provider: Provider, order_id: &str) -> Vec<NotificationRecord> {
        lock(&self.records)
            .iter()
            .filter(|r| r.provider == provider && r.order_id == order_id)
            .cloned()
            .collect()
    }

    /// Waits up to `timeout` for an attempt matching `pred`, and returns it.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        pred: impl Fn(&NotificationRecord) -> bool,
    ) -> Option<NotificationRecord> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(r) = lock(&self.records).iter().find(|r| pred(r)).cloned() {
                return Some(r);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits up to `timeout` for the merchant to acknowledge a notification about `order_id`
    /// (of the given kind, or any kind if `None`).
    pub async fn wait_acknowledged(
        &self,
        provider: Provider,
        order_id: &str,
        kind: Option<&str>,
        timeout: Duration,
    ) -> Option<NotificationRecord> {
        self.wait_for(timeout, |r| {
            r.provider == provider
                && r.order_id == order_id
                && r.acknowledged
                && kind.is_none_or(|k| r.kind == k)
        })
        .await
    }
}

/// A notification ready to send: the normal and the tampered form.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub(crate) order_id: String,
    pub(crate) kind: &'static str,
    pub(crate) method: http::Method,
    pub(crate) url: String,
    pub(crate) content_type: Option<&'static str>,
    pub(crate) body: Bytes,
    pub(crate) tampered_url: String,
    pub(crate) tampered_body: Bytes,
    pub(crate) ack: fn(u16, &str) -> bool,
    pub(crate) schedule: Vec<Duration>,
}

/// Sends `outgoing` on its schedule until it is acknowledged or the attempts run out.
pub(crate) async fn deliver(ctx: Arc<Ctx>, outgoing: Outgoing) {
    for (i, wait) in outgoing.schedule.iter().enumerate() {
        tokio::time::sleep(*wait).await;
        let attempt = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let fault = ctx.faults.take(ctx.provider, NOTIFY_ROUTE);
        let tampered = fault == Some(Fault::WrongSignature);
        let (url, body) = if tampered {
            (&outgoing.tampered_url, &outgoing.tampered_body)
        } else {
            (&outgoing.url, &outgoing.body)
        };
        let mut record = NotificationRecord {
            provider: ctx.provider,
            order_id: outgoing.order_id.clone(),
            kind: outgoing.kind.to_owned(),
            attempt,
            method: outgoing.method.to_string(),
            url: url.clone(),
            body: String::from_utf8_lossy(body).into_owned(),
            tampered,
            dropped: false,
            status: None,
            response: String::new(),
            acknowledged: false,
        };
        match fault {
            Some(Fault::DropNotification) => {
                record.dropped = true;
                crate::traffic::log_callback(ctx.options.traffic_log.as_ref(), &record);
                ctx.notifications.push(record);
                continue;
            }
            Some(Fault::Delay(d) | Fault::SlowResponse(d)) => tokio::time::sleep(d).await,
            _ => {}
        }
        let mut builder = http::Request::builder()
            .method(outgoing.method.clone())
            .uri(url.as_str());
        if let Some(ct) = outgoing.content_type {
            builder = builder.header(http::header::CONTENT_TYPE, ct);
        }
        let request = match builder.body(body.clone()) {
            Ok(r) => r,
            Err(e) => {
                record.response = format!("could not build the request: {e}");
                crate::traffic::log_callback(ctx.options.traffic_log.as_ref(), &record);
                ctx.notifications.push(record);
                return;
            }
        };
        match ctx.transport().send(request).await {
            Ok(response) => {
                let status = response.status().as_u16();
                let text = String::from_utf8_lossy(response.body()).into_owned();
                record.acknowledged =
                    response.status().is_success() && (outgoing.ack)(status, &text);
                record.status = Some(status);
                record.response = text;
            }
            Err(e) => record.response = format!("transport error: {e}"),
        }
        let done = record.acknowledged;
        tracing::debug!(provider = %ctx.provider, order_id = %record.order_id, attempt, done, "notification sent");
        crate::traffic::log_callback(ctx.options.traffic_log.as_ref(), &record);
        ctx.notifications.push(record);
        if done {
            return;
        }
    }
}

/// `success`, as the aggregate gateway and Huifu accept it (trimmed, any case).
pub(crate) fn ack_success_any_case(_status: u16, body: &str) -> bool {
    body.trim().eq_ignore_ascii_case("success")
}

/// Exactly the 7 characters `success` (Yunzhanghu), surrounding whitespace ignored.
pub(crate) fn ack_success_exact(_status: u16, body: &str) -> bool {
    body.trim() == "success"
}

//! State inspection for tests: the requests received and the state of orders.

use std::sync::{Arc, Mutex};

use pay_core::Money;

use crate::Provider;
use crate::common::lock;

/// One request that reached a simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestRecord {
    /// The provider.
    pub provider: Provider,
    /// The route (path without a trailing slash).
    pub route: String,
    /// The merchant's order id the request carried, when it could be read (also for requests
    /// later refused, e.g. for a bad signature).
    pub order_id: Option<String>,
}

/// The requests received so far (cheap to clone; clones share the log).
#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    records: Arc<Mutex<Vec<RequestRecord>>>,
}

impl RequestLog {
    pub(crate) fn record(&self, provider: Provider, route: &str, order_id: Option<&str>) {
        lock(&self.records).push(RequestRecord {
            provider,
            route: route.to_owned(),
            order_id: order_id.map(str::to_owned),
        });
    }

    /// Every request, in arrival order.
    pub fn all(&self) -> Vec<RequestRecord> {
        lock(&self.records).clone()
    }

    /// How many requests to `route` carried `order_id` (e.g. "exactly one payout POST").
    pub fn count(&self, provider: Provider, route: &str, order_id: &str) -> usize {
        let route = crate::common::route_of(route);
        lock(&self.records)
            .iter()
            .filter(|r| {
                r.provider == provider
                    && r.route == route
                    && r.order_id.as_deref() == Some(order_id)
            })
            .count()
    }

    /// How many requests reached `route`.
    pub fn count_route(&self, provider: Provider, route: &str) -> usize {
        let route = crate::common::route_of(route);
        lock(&self.records)
            .iter()
            .filter(|r| r.provider == provider && r.route == route)
            .count()
    }
}

/// The state of one order, payout, pay-in, protocol or merchant in a simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderSnapshot {
    /// What it is: `pay`, `payout`, `protocol`, `pay-in`, `pay-out`, `quick-pay`,
    /// `withdrawal`, `order`, ….
    pub kind: String,
    /// The merchant's id.
    pub merchant_id: String,
    /// The provider's id.
    pub provider_id: String,
    /// The amount (zero where there is none).
    pub amount: Money,
    /// The status as the provider writes it on the wire (`2`, `SUCCESS`, `S`, `1`).
    pub status: String,
    /// Whether the status is final.
    pub finished: bool,
}

/// An ID card upload Yunzhanghu's simulator accepted
/// (`POST /api/payment/v1/sign/idcard/image`); the images themselves are not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdCardUpload {
    /// The `real_name` sent.
    pub real_name: String,
    /// The size of `id_card_image` (the front), in bytes.
    pub front_bytes: usize,
    /// The size of `id_card_image_background` (the back), in bytes.
    pub back_bytes: usize,
}

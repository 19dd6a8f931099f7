//! The aggregate gateway's memory: pay orders and transfer (payout) orders.

use std::collections::HashMap;

use pay_core::Money;
use serde_json::{Map, Value};

use crate::inspect::OrderSnapshot;

#[derive(Debug, Clone)]
pub(super) struct PayOrder {
    pub(super) pay_order_id: String,
    pub(super) fingerprint: String,
    pub(super) params: Map<String, Value>,
    pub(super) amount: Money,
    pub(super) status: u8,
    pub(super) channel_order_no: String,
    pub(super) pay_succ_time: Option<i64>,
    pub(super) create_time: i64,
}

#[derive(Debug, Clone)]
pub(super) struct TransOrder {
    pub(super) trans_order_id: String,
    pub(super) fingerprint: String,
    pub(super) params: Map<String, Value>,
    pub(super) amount: Money,
    pub(super) status: u8,
    pub(super) channel_order_no: String,
    pub(super) trans_succ_time: Option<i64>,
    pub(super) create_time: i64,
}

/// The gateway's memory.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(super) pay: HashMap<String, PayOrder>,
    pub(super) pay_ids: HashMap<String, String>,
    pub(super) trans: HashMap<String, TransOrder>,
    pub(super) trans_ids: HashMap<String, String>,
}

impl State {
    pub(crate) fn snapshot(&self, id: &str) -> Option<OrderSnapshot> {
        if let Some(o) = self.pay.get(id) {
            return Some(OrderSnapshot {
                kind: "pay".into(),
                merchant_id: id.into(),
                provider_id: o.pay_order_id.clone(),
                amount: o.amount,
                status: o.status.to_string(),
                finished: matches!(o.status, 2 | 3 | 5),
            });
        }
        self.trans.get(id).map(|o| OrderSnapshot {
            kind: "payout".into(),
            merchant_id: id.into(),
            provider_id: o.trans_order_id.clone(),
            amount: o.amount,
            status: o.status.to_string(),
            finished: matches!(o.status, 2..=4),
        })
    }
}

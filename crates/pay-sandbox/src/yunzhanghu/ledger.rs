//! Yunzhanghu's memory: the orders, the balances per channel, the identity checks in
//! progress, the uploaded ID card images and the request ids seen.

use std::collections::{HashMap, HashSet, VecDeque};

use pay_core::{Money, Timestamp};

use crate::credentials::yunzhanghu as cred;
use crate::inspect::OrderSnapshot;

/// The channel an order pays through, as the query's `channel` and the files name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Channel {
    BankCard,
    Alipay,
    Wxpay,
}

impl Channel {
    pub(super) fn name(self) -> &'static str {
        match self {
            Channel::BankCard => "银行卡",
            Channel::Alipay => "支付宝",
            Channel::Wxpay => "微信",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Order {
    pub(super) order_id: String,
    pub(super) reference: String,
    pub(super) channel: Channel,
    pub(super) broker_id: String,
    pub(super) real_name: String,
    pub(super) card_no: String,
    pub(super) id_card: String,
    pub(super) phone_no: String,
    pub(super) pay: Money,
    pub(super) anchor_id: String,
    pub(super) notes: String,
    pub(super) pay_remark: String,
    pub(super) status: i32,
    pub(super) status_detail: i32,
    pub(super) created_at: Timestamp,
    pub(super) finished_at: Option<Timestamp>,
    /// When a paid order was returned (status 9 after 1).
    pub(super) returned_at: Option<Timestamp>,
    pub(super) bank_bill: String,
    pub(super) notify_url: Option<String>,
}

/// An uploaded ID card (the images themselves are not kept).
#[derive(Debug, Clone)]
pub(crate) struct IdImages {
    pub(crate) real_name: String,
    pub(crate) front_len: usize,
    pub(crate) back_len: usize,
}

#[derive(Debug, Clone)]
pub(super) struct PendingVerification {
    pub(super) fields: [String; 4],
}

/// The most recent [`SeenIds::CAPACITY`] `request-id`s (the spec: "要求每次请求 id 不一样"),
/// so that a long-running sandbox does not grow without bound.
#[derive(Debug, Default)]
pub(super) struct SeenIds {
    pub(super) set: HashSet<String>,
    pub(super) order: VecDeque<String>,
}

impl SeenIds {
    const CAPACITY: usize = 100_000;

    /// Records `id`; `false` when it was already recorded.
    pub(super) fn insert(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() >= Self::CAPACITY
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        self.set.insert(id.to_owned());
        self.order.push_back(id.to_owned());
        true
    }
}

/// The settlement system's memory.
#[derive(Debug)]
pub(crate) struct State {
    pub(super) orders: HashMap<String, Order>,
    pub(super) reports: HashMap<String, String>,
    pub(super) verifications: HashMap<String, PendingVerification>,
    pub(super) balances: HashMap<&'static str, Money>,
    /// The `request-id`s of the requests accepted so far.
    pub(super) request_ids: SeenIds,
    /// The ID cards uploaded, by `id_card`.
    pub(crate) id_images: HashMap<String, IdImages>,
}

impl Default for State {
    fn default() -> Self {
        let start = Money::from_fen(cred::INITIAL_BALANCE_FEN);
        State {
            orders: HashMap::new(),
            reports: HashMap::new(),
            verifications: HashMap::new(),
            id_images: HashMap::new(),
            request_ids: SeenIds::default(),
            balances: [("bank_card", start), ("alipay", start), ("wxpay", start)]
                .into_iter()
                .collect(),
        }
    }
}

impl State {
    pub(crate) fn snapshot(&self, id: &str) -> Option<OrderSnapshot> {
        self.orders.get(id).map(|o| OrderSnapshot {
            kind: "order".into(),
            merchant_id: o.order_id.clone(),
            provider_id: o.reference.clone(),
            amount: o.pay,
            status: o.status.to_string(),
            finished: !matches!(o.status, 0 | 4 | 5 | 8),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_ids_refuse_a_repeat_and_forget_the_oldest() {
        let mut seen = SeenIds::default();
        assert!(seen.insert("a"));
        assert!(!seen.insert("a"));
        assert!(seen.insert("b"));
        for i in 0..SeenIds::CAPACITY {
            assert!(seen.insert(&format!("x{i}")));
        }
        assert_eq!(seen.set.len(), SeenIds::CAPACITY);
        assert_eq!(seen.order.len(), SeenIds::CAPACITY);
        // "a" and "b" were the oldest: forgotten.
        assert!(seen.insert("a"));
        assert!(!seen.insert("x99999"));
    }
}

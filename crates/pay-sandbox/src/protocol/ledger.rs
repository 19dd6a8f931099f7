//! Protocol pay's memory: the protocols (escrow agreements) and their balances, the pay-ins
//! and the pay-outs.

use std::collections::HashMap;

use pay_core::{Money, Timestamp};

use crate::inspect::OrderSnapshot;

#[derive(Debug, Clone)]
pub(super) struct Protocol {
    pub(super) trans_no: String,
    pub(super) trans_desc: String,
    pub(super) business_id: String,
    pub(super) cashier_type: String,
    pub(super) amount: Money,
    pub(super) onpassage: Money,
    pub(super) out_amount: Money,
    pub(super) create_time: Timestamp,
}

#[derive(Debug, Clone)]
pub(super) struct PayIn {
    pub(super) trans_no: String,
    pub(super) out_req_no: String,
    pub(super) amount: Money,
    pub(super) pos_code: String,
    pub(super) pay_order_no: String,
    pub(super) pay_status: &'static str,
    pub(super) arrived: bool,
    pub(super) success_url: String,
    pub(super) arrived_url: Option<String>,
    pub(super) contract_num: String,
    pub(super) create_time: Timestamp,
    pub(super) finish_time: Option<Timestamp>,
    pub(super) arrive_time: Option<Timestamp>,
    pub(super) cashier_type: String,
    pub(super) return_code: &'static str,
    pub(super) return_msg: &'static str,
}

#[derive(Debug, Clone)]
pub(super) struct PayOut {
    pub(super) trans_no: String,
    pub(super) out_req_no: String,
    pub(super) amount: Money,
    pub(super) pay_order_no: String,
    pub(super) pay_status: &'static str,
    pub(super) notify_url: String,
    pub(super) bank_acc_name: String,
    pub(super) bank_acc_num: String,
    pub(super) bank_name: String,
    pub(super) bank_cnaps: String,
    pub(super) out_type: String,
    pub(super) remark: String,
    pub(super) create_time: Timestamp,
    pub(super) finish_time: Option<Timestamp>,
    pub(super) return_code: &'static str,
    pub(super) return_msg: &'static str,
}

/// The payment system's memory.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(super) protocols: HashMap<String, Protocol>,
    pub(super) pay_ins: HashMap<String, PayIn>,
    pub(super) pay_outs: HashMap<String, PayOut>,
}

impl State {
    pub(crate) fn snapshot(&self, id: &str) -> Option<OrderSnapshot> {
        if let Some(p) = self.pay_ins.get(id) {
            return Some(OrderSnapshot {
                kind: "pay-in".into(),
                merchant_id: id.into(),
                provider_id: p.pay_order_no.clone(),
                amount: p.amount,
                status: p.pay_status.into(),
                finished: matches!(p.pay_status, "SUCCESS" | "FAILURE"),
            });
        }
        if let Some(p) = self.pay_outs.get(id) {
            return Some(OrderSnapshot {
                kind: "pay-out".into(),
                merchant_id: id.into(),
                provider_id: p.pay_order_no.clone(),
                amount: p.amount,
                status: p.pay_status.into(),
                finished: matches!(p.pay_status, "SUCCESS" | "FAILURE"),
            });
        }
        self.protocols.get(id).map(|p| OrderSnapshot {
            kind: "protocol".into(),
            merchant_id: id.into(),
            provider_id: p.trans_no.clone(),
            amount: p.amount,
            status: "ACTIVE".into(),
            finished: false,
        })
    }
}

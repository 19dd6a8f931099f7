//! The payment system's statuses as [`pay_core::Lifecycle`] tables: the pay-in's `payStatus`
//! (§9 pay result, `inquery`), its `arrivedStatus` (§10 funds arrived), and the pay-out or
//! refund's `payStatus` (§11, `outquery`).
//!
//! Each notification kind reports one table's transition, keyed by the merchant's `outReqNo`:
//! `protocol-pay:payment:succeeded:{outReqNo}` (paid), `protocol-pay:funds_arrived:succeeded:…`
//! (the funds settled), `protocol-pay:payout:succeeded:…` / `protocol-pay:refund:succeeded:…`.
//! A §9 resent after §10 is the paid event again (a duplicate), never "funds arrived".

use pay_core::TxStatus;
use pay_core::lifecycle::{FlowKind, Lifecycle, StatusRule};

use crate::client::PROVIDER;

/// A pay-in's `payStatus` (§4 `inquery`, §9 pay result notification).
pub static PAYMENT: Lifecycle = Lifecycle {
    provider: PROVIDER,
    kind: FlowKind::Payment,
    source: "protocol-pay spec §3–§4 (prepay, inquery: payStatus 未支付/支付中/支付成功/支付失败) \
             and §9 (入金支付成功或失败异步通知, data as the inquery VO). Settled: SUCCESS and \
             FAILURE are final for the pay-in; the later settlement of its funds is another \
             order kind (funds arrived, §10), a refund another order (outpay REFUND, §6).",
    rules: &[
        StatusRule {
            code: "UNPAID",
            meaning: "未支付 (not paid)",
            status: TxStatus::Unpaid,
            is_final: false,
            next: &["PROCESSING", "SUCCESS", "FAILURE"],
        },
        StatusRule {
            code: "PROCESSING",
            meaning: "支付中 (paying)",
            status: TxStatus::Processing,
            is_final: false,
            next: &["SUCCESS", "FAILURE"],
        },
        StatusRule {
            code: "SUCCESS",
            meaning: "支付成功 (paid)",
            status: TxStatus::Succeeded,
            is_final: true,
            next: &[],
        },
        StatusRule {
            code: "FAILURE",
            meaning: "支付失败 (payment failed)",
            status: TxStatus::Failed,
            is_final: true,
            next: &[],
        },
    ],
};

/// A paid-in order's `arrivedStatus` (§4 `inquery`, §10 funds arrived notification).
pub static FUNDS_ARRIVED: Lifecycle = Lifecycle {
    provider: PROVIDER,
    kind: FlowKind::FundsArrived,
    source: "protocol-pay spec §4 (arrivedStatus: 01 未到账, 02 已到账) and §10 \
             (入金到账成功异步通知). Settled: §10 reports `02`; its code is arrivedStatus, not \
             payStatus.",
    rules: &[
        StatusRule {
            code: "01",
            meaning: "未到账 (funds not arrived)",
            status: TxStatus::Processing,
            is_final: false,
            next: &["02"],
        },
        StatusRule {
            code: "02",
            meaning: "已到账 (funds arrived)",
            status: TxStatus::Succeeded,
            is_final: true,
            next: &[],
        },
    ],
};

const OUT_RULES: &[StatusRule] = &[
    StatusRule {
        code: "UNPAID",
        meaning: "未出金 (not paid out yet)",
        status: TxStatus::Processing,
        is_final: false,
        next: &["PROCESSING", "SUCCESS", "FAILURE"],
    },
    StatusRule {
        code: "PROCESSING",
        meaning: "出金中 (paying out)",
        status: TxStatus::Processing,
        is_final: false,
        next: &["SUCCESS", "FAILURE"],
    },
    StatusRule {
        code: "SUCCESS",
        meaning: "出金成功 (paid out)",
        status: TxStatus::Succeeded,
        is_final: true,
        next: &[],
    },
    StatusRule {
        code: "FAILURE",
        meaning: "出金失败 (pay-out failed)",
        status: TxStatus::Failed,
        is_final: true,
        next: &[],
    },
];

/// A pay-out's `payStatus` (§6 `outpay` with `OUT`, §7 `outquery`, §11 notification).
pub static PAYOUT: Lifecycle = Lifecycle {
    provider: PROVIDER,
    kind: FlowKind::Payout,
    source: "protocol-pay spec §6–§7 (出金状态: 未出金/出金中/出金成功/出金失败) and §11 \
             (出金或退款到账异步通知, data as the outquery VO). Settled: a §11 or an answer without \
             `outType` is read as a pay-out (its endpoint was declared the pay-out/refund one; \
             the merchant's outReqNo names the order either way). The spec lists no return \
             after 出金成功.",
    rules: OUT_RULES,
};

/// A refund's `payStatus` (§6 `outpay` with `REFUND`, §7, §11 with `outType` `REFUND`).
pub static REFUND: Lifecycle = Lifecycle {
    provider: PROVIDER,
    kind: FlowKind::Refund,
    source: "protocol-pay spec §6–§7 and §11 with outType REFUND (退款): the pay-out statuses \
             of a refund order.",
    rules: OUT_RULES,
};

static ALL: [&Lifecycle; 4] = [&PAYMENT, &FUNDS_ARRIVED, &PAYOUT, &REFUND];

/// Every lifecycle table of the payment system (for `docs/LIFECYCLE.md`).
pub fn lifecycles() -> &'static [&'static Lifecycle] {
    &ALL
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::lifecycle::Transition;

    #[test]
    fn tables_are_consistent() {
        for t in lifecycles() {
            t.validate().unwrap();
        }
        assert_eq!(lifecycles().len(), 4);
    }

    #[test]
    fn each_kind_is_its_own_event() {
        let paid = Transition::new(&PAYMENT, "A1", "SUCCESS");
        let arrived = Transition::new(&FUNDS_ARRIVED, "A1", "02");
        assert_eq!(paid.dedup_key(), "protocol-pay:payment:succeeded:A1");
        assert_eq!(
            arrived.dedup_key(),
            "protocol-pay:funds_arrived:succeeded:A1"
        );
        assert!(paid.is_final && arrived.is_final);
        let pending = Transition::new(&FUNDS_ARRIVED, "A1", "01");
        assert_eq!(pending.status, TxStatus::Processing);
        assert!(!pending.is_final);
        let out = Transition::new(&PAYOUT, "A2", "UNPAID");
        assert_eq!(out.status, TxStatus::Processing);
        assert_eq!(
            Transition::new(&REFUND, "A2", "SUCCESS").dedup_key(),
            "protocol-pay:refund:succeeded:A2"
        );
        assert_eq!(
            Transition::new(&PAYMENT, "A1", "CLOSED").status,
            TxStatus::Unknown("CLOSED".into())
        );
    }
}

//! The gateway's order statuses as [`pay_core::Lifecycle`] tables: one for pay orders
//! ([`PayStatus`](crate::PayStatus)), one for payouts ([`TransStatus`](crate::TransStatus)).
//!
//! Every answer and notification is read through them into a [`Transition`], so that
//! statuses `2` (支付成功) and `3` (业务处理完成(支付成功)) of a pay order are one business event,
//! `succeeded`, with one dedup key `aggregate-pay:payment:succeeded:{mchOrderNo}`: the
//! completion notice after the paid notice, or a notice resent through `executeNotify`, is a
//! duplicate, never a second credit.

use pay_core::lifecycle::{FlowKind, Lifecycle, StatusRule, Transition};
use pay_core::{Money, TxStatus};

use crate::client::PROVIDER;

/// Pay orders: `status` of the pay query (2.2.4) and the pay notification (2.3.2).
pub static PAYMENT: Lifecycle = Lifecycle {
    provider: PROVIDER,
    kind: FlowKind::Payment,
    source: "aggregate-pay spec §2.2.4 and §2.3.2 (支付状态: 0-订单生成, 1-支付中, 2-支付成功, \
             3-业务处理完成(支付成功), 5-支付失败). Settled: `2` and `3` both mean paid and are one \
             business event (`succeeded`); `3` is the gateway's completion of the same payment, \
             so `2` may still be followed by `3` and nothing else. The spec lists no status \
             after `5`.",
    rules: &[
        leads(
            "0",
            TxStatus::Unpaid,
            &["1", "2", "3", "5"],
            "订单生成 (order created, not paid)",
        ),
        leads(
            "1",
            TxStatus::Processing,
            &["2", "3", "5"],
            "支付中 (payment in progress)",
        ),
        leads("2", TxStatus::Succeeded, &["3"], "支付成功 (paid)"),
        ends(
            "3",
            TxStatus::Succeeded,
            "业务处理完成(支付成功) (paid, processing completed: the same payment as 2)",
        ),
        ends("5", TxStatus::Failed, "支付失败 (payment failed)"),
    ],
};

/// Payouts: `status` of the payout answer (3.1.4), query (3.2.4) and notification (3.3.2).
pub static PAYOUT: Lifecycle = Lifecycle {
    provider: PROVIDER,
    kind: FlowKind::Payout,
    source: "aggregate-pay spec §3.1.4 (代付状态: 0-订单生成, 1-代付中, 2-代付成功, 3-代付失败, \
             4-业务处理完成), §3.2.4 and §3.3.2 (0-订单生成, 1-转账中, 2-转账成功, 3-转账失败). \
             Settled: `4` (业务处理完成, listed only in the create answer) is the payout \
             counterpart of the pay order's `3` (业务处理完成(支付成功)): the gateway's completion of \
             a succeeded transfer, the same business event as `2` (`succeeded`). The reference \
             gateway (XxPay) treats its TRANS_STATUS_COMPLETE (4) alongside TRANS_STATUS_SUCCESS \
             (2) as \"already succeeded\". A failed transfer (`3`) is final: no money left.",
    rules: &[
        leads(
            "0",
            TxStatus::Processing,
            &["1", "2", "3", "4"],
            "订单生成 (payout created)",
        ),
        leads(
            "1",
            TxStatus::Processing,
            &["2", "3", "4"],
            "代付中/转账中 (transfer in progress)",
        ),
        leads(
            "2",
            TxStatus::Succeeded,
            &["4"],
            "代付成功/转账成功 (transferred)",
        ),
        ends(
            "3",
            TxStatus::Failed,
            "代付失败/转账失败 (transfer failed, no money left)",
        ),
        ends(
            "4",
            TxStatus::Succeeded,
            "业务处理完成 (transferred, processing completed: the same payout as 2)",
        ),
    ],
};

static ALL: [&Lifecycle; 2] = [&PAYMENT, &PAYOUT];

/// A status that may still be followed by those in `next`; `meaning` is the spec's words.
const fn leads(
    code: &'static str,
    status: TxStatus,
    next: &'static [&'static str],
    meaning: &'static str,
) -> StatusRule {
    StatusRule {
        code,
        meaning,
        status,
        is_final: false,
        next,
    }
}

/// A status that ends the flow.
const fn ends(code: &'static str, status: TxStatus, meaning: &'static str) -> StatusRule {
    StatusRule {
        code,
        meaning,
        status,
        is_final: true,
        next: &[],
    }
}

/// Every lifecycle table of the gateway (for `docs/LIFECYCLE.md`).
pub fn lifecycles() -> &'static [&'static Lifecycle] {
    &ALL
}

/// The transition of pay order `order_id` to `code`.
pub(crate) fn payment(
    order_id: &str,
    code: &str,
    amount: Option<Money>,
    pay_order_id: &str,
    mch_id: Option<&str>,
) -> Transition {
    transition(&PAYMENT, order_id, code, amount, pay_order_id, mch_id)
}

/// The transition of payout `order_id` to `code`.
pub(crate) fn payout(
    order_id: &str,
    code: &str,
    amount: Option<Money>,
    trans_order_id: &str,
    mch_id: Option<&str>,
) -> Transition {
    transition(&PAYOUT, order_id, code, amount, trans_order_id, mch_id)
}

/// The transition of order `order_id` of `table` to `code`, with the gateway's own id.
fn transition(
    table: &'static Lifecycle,
    order_id: &str,
    code: &str,
    amount: Option<Money>,
    gateway_id: &str,
    mch_id: Option<&str>,
) -> Transition {
    Transition::new(table, order_id, code)
        .amount(amount)
        .provider_order_id(Some(gateway_id))
        .party("mchId", mch_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_consistent() {
        for t in lifecycles() {
            t.validate().unwrap();
        }
        assert_eq!(lifecycles().len(), 2);
    }

    #[test]
    fn paid_and_completed_are_one_event() {
        let paid = payment("O1", "2", None, "P1", Some("M"));
        let completed = payment("O1", "3", None, "P9", Some("M"));
        assert_eq!(paid.dedup_key(), "aggregate-pay:payment:succeeded:O1");
        assert_eq!(paid.dedup_key(), completed.dedup_key());
        assert!(!paid.is_final);
        assert!(completed.is_final);
        assert!(PAYMENT.may_follow("2", "3") && !PAYMENT.may_follow("3", "2"));
        let failed = payment("O1", "5", None, "P1", None);
        assert_eq!(failed.dedup_key(), "aggregate-pay:payment:failed:O1");
        assert_eq!(
            payment("O1", "4", None, "P1", None).status,
            TxStatus::Unknown("4".into())
        );
        assert!(!payment("O1", "4", None, "P1", None).is_final);
    }

    #[test]
    fn payout_completion_is_the_succeeded_event() {
        let done = payout("T1", "2", None, "X", None);
        let completed = payout("T1", "4", None, "X", None);
        assert_eq!(done.dedup_key(), "aggregate-pay:payout:succeeded:T1");
        assert_eq!(done.dedup_key(), completed.dedup_key());
        assert!(completed.is_final && !done.is_final);
        let failed = payout("T1", "3", None, "X", None);
        assert_eq!(failed.status, TxStatus::Failed);
        assert!(failed.is_final);
        assert_eq!(
            payout("T1", "1", None, "X", None).status,
            TxStatus::Processing
        );
    }
}

//! Huifu's order statuses as [`pay_core::Lifecycle`] tables, one per order kind, and the one
//! reading of an answer through them ([`transition`]).
//!
//! The order kinds are `order_query`'s `trans_type` (the spec: "交易查询类型 01:快捷、网银、扫码;
//! 02:余额支付、采购确认、订单撤销; 03:提现; 04:退货"):
//!
//! | `trans_type` | orders | table |
//! |---|---|---|
//! | `01` | `quick_pay`, `app_pay` (QR, app, official account, mini program) | [`PAY`] (payment) |
//! | `02` | `balance_pay`, `order_affirm`, `order_reverse`, `fz` (split) | [`BALANCE`] (payment) |
//! | `03` | `withdrawal` | [`WITHDRAWAL`] (payout) |
//! | `04` | `refund` | [`REFUND`] (refund) |
//!
//! # Readings settled
//!
//! - **The spec names no order status.** It lists parameters only. `trans_stat` (`S`, `F`,
//!   `I`, `P`) is Huifu's convention in its other APIs, and the only field that states where an
//!   order stands.
//! - **`resp_code` alone never says paid.** `C00000` says the *call* succeeded; without
//!   `trans_stat` the order's status is not stated, so the answer reads as processing (not
//!   final: query again until `trans_stat` is there). `C00001` (处理中) and `C00002` (已受理)
//!   are processing too. A status is read from `trans_stat` when the answer carries one, else
//!   from `resp_code`; anything else is [`TxStatus::Unknown`], never final.
//! - **A failed refund may still succeed.** The refund's `order_id`: "对于退货失败的,支持同订单号
//!   同金额的重复请求" — a failed refund may be sent again under the same order id and amount, so
//!   `F` is not final for a refund. For every other kind `S` and `F` are final: the spec offers no
//!   retry under the same order id (a repeated `order_id` + `order_date` is a new order's
//!   duplicate) and names no return of a withdrawal or reversal of a payment by status (a
//!   refund or `order_reverse` is an order of its own, with its own id).

use pay_core::TxStatus;
use pay_core::lifecycle::{FlowKind, Lifecycle, StatusRule, Transition};

use crate::client::PROVIDER;
use crate::codes::QueryTransType;
use crate::response::HfResponse;

const AFTER_ANSWER: &[&str] = &["S", "F", "I", "P"];

/// Whether a failed order may be sent again (a refund) or is final.
#[derive(Clone, Copy)]
enum Failure {
    Final,
    MaySendAgain,
}

const fn rules(failure: Failure) -> [StatusRule; 7] {
    let failed_is_final = matches!(failure, Failure::Final);
    [
        StatusRule {
            code: "S",
            meaning: "trans_stat S: 成功",
            status: TxStatus::Succeeded,
            is_final: true,
            next: &[],
        },
        StatusRule {
            code: "F",
            meaning: "trans_stat F: 失败",
            status: TxStatus::Failed,
            is_final: failed_is_final,
            next: if failed_is_final {
                &[]
            } else {
                &["I", "P", "S"]
            },
        },
        StatusRule {
            code: "I",
            meaning: "trans_stat I: 处理中",
            status: TxStatus::Processing,
            is_final: false,
            next: &["S", "F"],
        },
        StatusRule {
            code: "P",
            meaning: "trans_stat P: 处理中",
            status: TxStatus::Processing,
            is_final: false,
            next: &["S", "F", "I"],
        },
        StatusRule {
            code: "C00000",
            meaning: "resp_code C00000 (成功) without trans_stat: the call succeeded, the order's status is not stated",
            status: TxStatus::Processing,
            is_final: false,
            next: AFTER_ANSWER,
        },
        StatusRule {
            code: "C00001",
            meaning: "resp_code C00001 (处理中) without trans_stat",
            status: TxStatus::Processing,
            is_final: false,
            next: AFTER_ANSWER,
        },
        StatusRule {
            code: "C00002",
            meaning: "resp_code C00002 (已受理) without trans_stat",
            status: TxStatus::Processing,
            is_final: false,
            next: AFTER_ANSWER,
        },
    ]
}

static FINAL_RULES: [StatusRule; 7] = rules(Failure::Final);

/// A table of this provider.
const fn huifu_table(
    kind: FlowKind,
    source: &'static str,
    rules: &'static [StatusRule],
) -> Lifecycle {
    Lifecycle {
        provider: PROVIDER,
        kind,
        source,
        rules,
    }
}
static REFUND_RULES: [StatusRule; 7] = rules(Failure::MaySendAgain);

/// `order_query` `trans_type` `01`: quick pay and app pay.
pub static PAY: Lifecycle = huifu_table(
    FlowKind::Payment,
    "huifu.txt `order_query` trans_type 01 (快捷、网银、扫码: quick_pay, app_pay). The spec names no status: `trans_stat` S/F/I/P is Huifu's convention in its other APIs; without it an answer's `resp_code` states no order status (C00000 is the call's success), so it is processing, never paid.",
    &FINAL_RULES,
);

/// `order_query` `trans_type` `02`: balance pay, `order_affirm`, `order_reverse`, `fz`.
pub static BALANCE: Lifecycle = huifu_table(
    FlowKind::Payment,
    "huifu.txt `order_query` trans_type 02 (余额支付、采购确认、订单撤销: balance_pay, order_affirm, order_reverse; `fz` splits are filed with them). Statuses read as for trans_type 01.",
    &FINAL_RULES,
);

/// `order_query` `trans_type` `03`: withdrawal.
pub static WITHDRAWAL: Lifecycle = huifu_table(
    FlowKind::Payout,
    "huifu.txt `withdrawal`, `order_query` trans_type 03 (提现). Statuses read as for trans_type 01; the spec names no return of a withdrawal, so S is final.",
    &FINAL_RULES,
);

/// `order_query` `trans_type` `04`: refund.
pub static REFUND: Lifecycle = huifu_table(
    FlowKind::Refund,
    "huifu.txt `refund`, `order_query` trans_type 04 (退货). Statuses read as for trans_type 01, except that F is not final: \"对于退货失败的,支持同订单号同金额的重复请求\" (a failed refund may be sent again under the same order id and amount).",
    &REFUND_RULES,
);

/// Every table of this crate (for `docs/LIFECYCLE.md`).
pub fn lifecycles() -> &'static [&'static Lifecycle] {
    static ALL: [&Lifecycle; 4] = [&PAY, &BALANCE, &WITHDRAWAL, &REFUND];
    &ALL
}

/// The table of an order kind; `None` for a kind this version does not know.
pub fn table(kind: &QueryTransType) -> Option<&'static Lifecycle> {
    match kind {
        QueryTransType::Pay => Some(&PAY),
        QueryTransType::Balance => Some(&BALANCE),
        QueryTransType::Withdrawal => Some(&WITHDRAWAL),
        QueryTransType::Refund => Some(&REFUND),
        QueryTransType::Unknown(_) => None,
    }
}

/// The code an answer states its order's status by: `trans_stat` where it carries one, else
/// `resp_code` (empty when it carries neither, which reads as unknown).
pub fn status_code(r: &HfResponse) -> String {
    r.trans_stat
        .as_ref()
        .map(|s| s.as_str().to_owned())
        .or_else(|| r.resp_code.as_ref().map(|c| c.as_str().to_owned()))
        .unwrap_or_default()
}

/// The transition an answer (create, query, or a confirmed callback's query) reports for the
/// merchant's order `order_id`, read through `table`: the status from [`status_code`], the
/// amount and `mer_cust_id` only where the answer states them, the `order_date` it states as
/// the order's scope, the answer's `platform_seq_id` and `resp_desc`.
pub fn transition(table: &Lifecycle, order_id: &str, r: &HfResponse) -> Transition {
    Transition::new(table, order_id, status_code(r))
        .order_scope(r.order_date.as_deref())
        .amount(r.trans_amt)
        .provider_order_id(r.extra_str("platform_seq_id"))
        .party("mer_cust_id", r.mer_cust_id.as_deref())
        .message(r.resp_desc.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{RespCode, TransStat};
    use pay_core::Money;

    #[test]
    fn tables_are_consistent() {
        for t in lifecycles() {
            assert_eq!(t.validate(), Ok(()), "{}", t.kind);
            assert_eq!(t.provider, "huifu");
        }
        assert_eq!(lifecycles().len(), 4);
    }

    #[test]
    fn success_without_trans_stat_is_never_paid() {
        let mut r = HfResponse {
            resp_code: Some(RespCode::Success),
            trans_amt: Some(Money::from_fen(100)),
            ..HfResponse::default()
        };
        for table in lifecycles() {
            let t = transition(table, "O1", &r);
            assert_eq!(t.status, TxStatus::Processing, "{}", table.kind);
            assert!(!t.is_final);
            assert_eq!(t.code, "C00000");
        }
        r.trans_stat = Some(TransStat::Succeeded);
        let t = transition(&PAY, "O1", &r);
        assert_eq!((t.status.clone(), t.is_final), (TxStatus::Succeeded, true));
        assert_eq!(t.dedup_key(), "huifu:payment:succeeded:O1");
        assert_eq!(t.amount, Some(Money::from_fen(100)));
        r.trans_stat = Some(TransStat::Failed);
        assert!(transition(&PAY, "O1", &r).is_final);
        assert!(!transition(&REFUND, "O1", &r).is_final);
        assert_eq!(
            transition(&REFUND, "O1", &r).dedup_key(),
            "huifu:refund:failed:O1"
        );
        r.trans_stat = Some(TransStat::from_wire("X"));
        let t = transition(&WITHDRAWAL, "O1", &r);
        assert_eq!(t.status, TxStatus::Unknown("X".into()));
        assert!(!t.is_final);
        let bare = transition(&PAY, "O1", &HfResponse::default());
        assert_eq!(bare.status, TxStatus::Unknown(String::new()));
        assert_eq!(
            table(&QueryTransType::Withdrawal).map(|t| t.kind),
            Some(FlowKind::Payout)
        );
        assert!(table(&QueryTransType::from_wire("09")).is_none());
    }
}

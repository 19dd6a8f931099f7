//! The payout lifecycle: what each order `status` (appendix 1, with `status_detail` from
//! appendix 2 where it changes the reading) means, whether anything can still follow it, and
//! the [`Transition`] a query answer or a status notification reports.
//!
//! Readings settled from the spec (chapter 2 §4–5, chapter 5 §2.1 and §5, chapter 6 appendices
//! 1–2, the bill-file notes of chapter 5 §3, the revision log):
//!
//! - **1 已打款 is success, not final.** "订单提交到支付网关成功": the money left, but it can
//!   come back as **9** (打款失败(已退款,退汇或者冲正), 支付被退回): a bank return (退汇), a
//!   reversal (冲正), or a WeChat red packet not opened within a day (chapter 2 §5; the TPT
//!   table: 红包已发送-24小时退回 = status 9, detail 213). The revision log (v1.2.8) lists
//!   callbacks for 打款成功, 打款失败 and 银行退汇, and the bill file adds 退汇 rows beside the
//!   unchanged original. A handler must keep listening after 1.
//! - **1 with detail 27 (微信红包待领取) is still processing**: the red packet was sent, not
//!   opened; it becomes 1/0 (opened), 11 (one of two legs returned, PGT) or 9 (returned). Its
//!   code here is `1/27`.
//! - **9 is final, [`TxStatus::Returned`]**: the money (and the fee) is back with the merchant.
//! - **5 打款中(状态未知) is processing, never success**: waiting for the gateway's answer.
//! - **0, 8, 4 are processing** (accepted; waiting to be paid; paused, typically for the
//!   balance, resumed after a top-up).
//! - **2 打款失败 is final** (the data did not pass validation, or the red packet could not be
//!   sent): the bill-file notes say only 状态未知 and 成功(待领取) rows ever change.
//! - **11 部分成功 is not success**: one of the two legs (system payment, broker payment) was
//!   paid and the other returned (the PGT table: 11/111, 11/112). The neutral status is
//!   [`TxStatus::Unknown`]`("11")`, not final: part of the money is back with the merchant, part
//!   reached the payee, and the order must be reconciled by hand (the query's `sys_amount`,
//!   `broker_amount` and the bill file say which); a return of the paid leg (9) may follow.
//! - **-1 删除, 15 取消支付, 18 无需付款 are [`TxStatus::Closed`], final**: nothing was paid
//!   (18 is an order of amount 0).
//! - Any other status (or a detail this table does not single out) reads through the status;
//!   an unlisted status is [`TxStatus::Unknown`], never final.

use pay_core::lifecycle::{ExpectedOrder, Lifecycle, StatusRule, Transition};
use pay_core::{Error, FlowKind, Money, TxStatus};

use crate::client::{Client, PROVIDER};
use crate::codes::{OrderStatus, StatusDetail};
use crate::query::OrderDetail;

/// The code of status 1 with detail 27 (微信红包待领取) in [`PAYOUT`].
pub const RED_PACKET_PENDING: &str = "1/27";

/// The transition table of a payout order (bank card, Alipay, WeChat).
pub static PAYOUT: Lifecycle = Lifecycle {
    provider: PROVIDER,
    kind: FlowKind::Payout,
    source: "Yunzhanghu API v1, chapter 6 appendix 1 (订单状态码) with appendix 2 \
        (status_detail); chapter 2 §5 (an unclaimed WeChat red packet is returned the next day); \
        chapter 5 §2.1 (the TPT/PGT red-packet tables: 1/27 sent, 1/0 opened, 9/213 returned, \
        11/111 and 11/112 one leg returned); the revision log v1.2.8 (callbacks for 打款成功, \
        打款失败, 银行退汇); chapter 5 §3 (bill files: only 状态未知 and 成功(待领取) rows change, \
        a 退汇 adds a row). Settled: 1 is success but NOT final (9 may follow); 1/27 is still \
        processing; 5 is processing, never success; 2 and 9 are final; 11 is not success \
        (unknown, reconcile by hand); -1, 15, 18 are closed with nothing paid.",
    rules: &[
        StatusRule {
            code: "-1",
            meaning: "删除: 被标记为删除的订单",
            status: TxStatus::Closed,
            is_final: true,
            next: &[],
        },
        StatusRule {
            code: "0",
            meaning: "已受理: 支付订单接收成功,尚未处理",
            status: TxStatus::Processing,
            is_final: false,
            next: &[
                "8",
                "4",
                "5",
                "1",
                RED_PACKET_PENDING,
                "2",
                "15",
                "-1",
                "18",
            ],
        },
        StatusRule {
            code: "8",
            meaning: "待打款: 订单税务筹划完毕,等待执行打款",
            status: TxStatus::Processing,
            is_final: false,
            next: &["4", "5", "1", RED_PACKET_PENDING, "2", "15", "-1"],
        },
        StatusRule {
            code: "4",
            meaning: "待打款(暂停处理): 一般是账户余额不足,充值后可以继续打款",
            status: TxStatus::Processing,
            is_final: false,
            next: &["8", "5", "1", RED_PACKET_PENDING, "2", "15", "-1"],
        },
        StatusRule {
            code: "5",
            meaning: "打款中(状态未知): 网关超时等,等待交易查证 — never success",
            status: TxStatus::Processing,
            is_final: false,
            next: &["1", RED_PACKET_PENDING, "2", "9", "11"],
        },
        StatusRule {
            code: "1",
            meaning: "已打款: 订单提交到支付网关成功 — a return (9) may still follow",
            status: TxStatus::Succeeded,
            is_final: false,
            next: &["9", "11"],
        },
        StatusRule {
            code: RED_PACKET_PENDING,
            meaning: "已打款, status_detail 27 微信红包待领取: sent, not opened yet",
            status: TxStatus::Processing,
            is_final: false,
            next: &["1", "11", "9"],
        },
        StatusRule {
            code: "2",
            meaning: "打款失败: 主要表示订单数据校验不通过 (or the red packet was not sent)",
            status: TxStatus::Failed,
            is_final: true,
            next: &[],
        },
        StatusRule {
            code: "9",
            meaning: "打款失败(已退款,退汇或者冲正): 支付被退回 — the money is back with the merchant",
            status: TxStatus::Returned,
            is_final: true,
            next: &[],
        },
        StatusRule {
            code: "11",
            meaning: "部分成功: 系统打款或经纪公司打款部分成功 — one leg paid, one returned: \
                not success, reconcile by hand",
            status: TxStatus::Unknown(String::new()),
            is_final: false,
            next: &["9"],
        },
        StatusRule {
            code: "15",
            meaning: "取消支付: 订单被取消,无需支付",
            status: TxStatus::Closed,
            is_final: true,
            next: &[],
        },
        StatusRule {
            code: "18",
            meaning: "无需付款: 订单支付金额为0",
            status: TxStatus::Closed,
            is_final: true,
            next: &[],
        },
    ],
};

static TABLES: [&Lifecycle; 1] = [&PAYOUT];

/// Every transition table of this crate (one: payouts), for `docs/LIFECYCLE.md`.
pub fn lifecycles() -> &'static [&'static Lifecycle] {
    &TABLES
}

/// The code an order's `status` and `status_detail` are read by in [`PAYOUT`]: the status
/// verbatim, or [`RED_PACKET_PENDING`] for status 1 with detail 27.
pub fn code_of(status: &OrderStatus, detail: Option<&StatusDetail>) -> String {
    match (status, detail) {
        (OrderStatus::Paid, Some(StatusDetail::WechatRedPacketPending)) => {
            RED_PACKET_PENDING.to_owned()
        }
        (s, _) => s.as_str().to_owned(),
    }
}

/// The neutral status of a code of [`PAYOUT`] (status 11's is `Unknown("11")`, with its code).
pub(crate) fn status_of(code: &str) -> TxStatus {
    match PAYOUT.state(code).status {
        TxStatus::Unknown(_) => TxStatus::Unknown(code.to_owned()),
        s => s,
    }
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// The transition an order's detail (a query answer, a notification's `data`) reports: its
/// status read through [`PAYOUT`], with exactly what the provider stated: the amount `pay`
/// (`None` when absent), `ref`, `dealer_id` and `broker_id` (absent when empty), and the
/// status message.
pub fn transition(order: &OrderDetail) -> Transition {
    let code = code_of(&order.status, order.status_detail.as_ref());
    let mut t = Transition::new(&PAYOUT, order.order_id.clone(), code);
    // Status 11 is listed with an empty unknown; name its code so that the dedup key is
    // `unknown(11)` and the JSON says which.
    if let TxStatus::Unknown(c) = &mut t.status
        && c.is_empty()
    {
        c.clone_from(&t.code);
    }
    let message = [&order.status_detail_message, &order.status_message]
        .into_iter()
        .find(|m| !m.is_empty())
        .cloned();
    t.amount(order.pay)
        .provider_order_id(non_empty(&order.reference))
        .party("dealer_id", non_empty(&order.dealer_id))
        .party("broker_id", non_empty(&order.broker_id))
        .message(message)
}

impl Client {
    /// The merchant's payout `order_id` of `amount`, with the `dealer_id` and `broker_id` this
    /// client is configured with: what every query answer and notification about it must agree
    /// with. For an order sent with another `broker_id`, use
    /// [`expect_with_broker`](Self::expect_with_broker).
    ///
    /// ```
    /// # fn f(client: &yunzhanghu::Client, notice: &pay_core::Transition) -> Result<(), pay_core::Error> {
    /// use pay_core::Money;
    /// // Before crediting or debiting anything: the order, the amount and the ids must match.
    /// client.expect("O1", Money::from_fen(10_000)).check(notice)?;
    /// # Ok(()) }
    /// ```
    pub fn expect(&self, order_id: &str, amount: Money) -> ExpectedOrder {
        self.expect_with_broker(order_id, amount, self.config.broker_id())
    }

    /// As [`expect`](Self::expect), for an order sent with `broker_id`.
    pub fn expect_with_broker(
        &self,
        order_id: &str,
        amount: Money,
        broker_id: &str,
    ) -> ExpectedOrder {
        ExpectedOrder::new(order_id)
            .amount(amount)
            .party("dealer_id", self.config.dealer_id())
            .party("broker_id", broker_id)
    }

    /// Queries a payout and checks the answer against `expected`: the order id must be stated
    /// and equal, the amount and the ids must be equal where the answer states them. The
    /// channel is found as in [`pay_core::Payouts::query_payout`].
    ///
    /// # Errors
    /// [`Error::Mismatch`] naming the first field that differs; the query's errors.
    pub async fn query_payout_expecting(
        &self,
        expected: &ExpectedOrder,
    ) -> Result<Transition, Error> {
        let order = self.find_order(expected.order_id()).await?;
        let t = order.transition();
        let stated = (!order.order_id.is_empty()).then_some(order.order_id.as_str());
        expected.check_stated(stated, t.amount, &t.parties)?;
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::Money;

    #[test]
    fn tables_validate() {
        for t in lifecycles() {
            t.validate().unwrap();
        }
        assert_eq!(PAYOUT.rules.len(), 12);
        // Every status of appendix 1 is in the table.
        for s in OrderStatus::KNOWN {
            assert!(PAYOUT.rule(s.as_str()).is_some(), "{s:?}");
        }
    }

    #[test]
    fn paid_is_success_but_not_final_and_a_return_follows() {
        let paid = PAYOUT.state("1");
        assert_eq!(paid.status, TxStatus::Succeeded);
        assert!(!paid.is_final);
        assert!(PAYOUT.may_follow("1", "9"));
        let returned = PAYOUT.state("9");
        assert_eq!(returned.status, TxStatus::Returned);
        assert!(returned.is_final);
        assert!(!PAYOUT.may_follow("9", "1"));
        assert_eq!(PAYOUT.state("5").status, TxStatus::Processing);
        assert!(!PAYOUT.state("5").is_final);
        assert_eq!(PAYOUT.state("1/27").status, TxStatus::Processing);
        assert!(PAYOUT.may_follow("1/27", "9"));
        assert_eq!(PAYOUT.state("2").status, TxStatus::Failed);
        assert!(PAYOUT.state("2").is_final);
        assert_eq!(status_of("11"), TxStatus::Unknown("11".into()));
        assert!(!PAYOUT.state("11").is_final);
        for closed in ["-1", "15", "18"] {
            assert_eq!(PAYOUT.state(closed).status, TxStatus::Closed);
            assert!(PAYOUT.state(closed).is_final);
        }
        assert_eq!(status_of("99"), TxStatus::Unknown("99".into()));
        assert!(!PAYOUT.state("99").is_final);
    }

    #[test]
    fn transitions_state_only_what_the_provider_sent() {
        let detail = |status: &str, detail: Option<&str>| OrderDetail {
            order_id: "O1".into(),
            status: OrderStatus::from_wire(status),
            status_detail: detail.map(StatusDetail::from_wire),
            ..Default::default()
        };
        let bare = transition(&detail("1", Some("0")));
        assert_eq!(bare.amount, None);
        assert!(bare.parties.is_empty());
        assert_eq!(bare.provider_order_id, None);
        assert_eq!(bare.dedup_key(), "yunzhanghu:payout:succeeded:O1");
        assert!(!bare.is_final);

        let mut full = detail("9", Some("213"));
        full.pay = Some(Money::from_fen(100));
        full.dealer_id = "D1".into();
        full.broker_id = "B1".into();
        full.reference = "R1".into();
        full.status_detail_message = "系统打款和经纪公司打款都失败".into();
        let t = transition(&full);
        assert_eq!(t.code, "9");
        assert_eq!(t.status, TxStatus::Returned);
        assert!(t.is_final);
        assert_eq!(t.amount, Some(Money::from_fen(100)));
        assert_eq!(
            t.parties,
            vec![
                ("dealer_id", "D1".to_owned()),
                ("broker_id", "B1".to_owned())
            ]
        );
        assert_eq!(t.provider_order_id.as_deref(), Some("R1"));
        assert_eq!(t.message.as_deref(), Some("系统打款和经纪公司打款都失败"));
        assert_eq!(t.dedup_key(), "yunzhanghu:payout:returned:O1");

        let pending = transition(&detail("1", Some("27")));
        assert_eq!(pending.code, "1/27");
        assert_eq!(pending.dedup_key(), "yunzhanghu:payout:processing:O1");
        let partial = transition(&detail("11", Some("112")));
        assert_eq!(partial.status, TxStatus::Unknown("11".into()));
        assert_eq!(partial.dedup_key(), "yunzhanghu:payout:unknown(11):O1");
        assert!(!partial.is_final);
    }
}

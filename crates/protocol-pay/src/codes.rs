//! Statuses, enumerations and error codes, as [`pay_core::wire_enum!`] enums that keep a value
//! this version does not know as `Unknown`.

use std::borrow::Cow;

use pay_core::{ProviderErrorKind, TxStatus};

/// The response code meaning "the call was received" (`code == "0000"`).
///
/// It does **not** mean that a payment or payout succeeded: read
/// [`PayStatus`] on the returned order for that.
pub const CODE_RECEIVED: &str = "0000";

pay_core::wire_enum! {
    /// `channelType`: the channel (渠道类型).
    pub enum ChannelType {
        /// 理房通.
        Lft = "LFT" => "理房通",
    }
}

pay_core::wire_enum! {
    /// `cashierType`: how the payer pays into a protocol (账户类型).
    pub enum CashierType {
        /// Quick pay through a cashier web page (快捷).
        Qp = "QP" => "快捷",
        /// A POS terminal, with a six-digit code (POS支付).
        Pos = "POS" => "POS支付",
    }
}

pay_core::wire_enum! {
    /// `payStatus`: the state of a pay-in or a pay-out. This, not the response `code`, says
    /// whether money moved.
    pub enum PayStatus {
        /// Not paid yet (未支付 / 未出金).
        Unpaid = "UNPAID" => "未支付",
        /// Being processed (支付中 / 出金中).
        Processing = "PROCESSING" => "支付中",
        /// Paid (支付成功 / 出金成功).
        Success = "SUCCESS" => "支付成功",
        /// Failed (支付失败 / 出金失败).
        Failure = "FAILURE" => "支付失败",
    }
}

impl PayStatus {
    /// The spec's wording for a pay-out (出金, sections 6, 7 and 11); [`PayStatus::description`]
    /// is the pay-in wording.
    ///
    /// ```
    /// use protocol_pay::PayStatus;
    ///
    /// assert_eq!(PayStatus::Success.description(), "支付成功");
    /// assert_eq!(PayStatus::Success.payout_description(), "出金成功");
    /// ```
    pub fn payout_description(&self) -> &'static str {
        match self {
            PayStatus::Unpaid => "未出金",
            PayStatus::Processing => "出金中",
            PayStatus::Success => "出金成功",
            PayStatus::Failure => "出金失败",
            PayStatus::Unknown(_) => "unknown",
        }
    }

    /// The provider-neutral status.
    pub fn to_tx_status(&self) -> TxStatus {
        match self {
            PayStatus::Unpaid => TxStatus::Unpaid,
            PayStatus::Processing => TxStatus::Processing,
            PayStatus::Success => TxStatus::Succeeded,
            PayStatus::Failure => TxStatus::Failed,
            PayStatus::Unknown(s) => TxStatus::Unknown(s.clone()),
        }
    }

    /// Whether the status is final (`SUCCESS` or `FAILURE`).
    pub fn is_final(&self) -> bool {
        matches!(self, PayStatus::Success | PayStatus::Failure)
    }
}

pay_core::wire_enum! {
    /// `arrivedStatus`: whether the paid-in funds have arrived (资金到账状态).
    pub enum ArrivedStatus {
        /// Not arrived (未到账).
        NotArrived = "01" => "未到账",
        /// Arrived (已到账).
        Arrived = "02" => "已到账",
    }
}

pay_core::wire_enum! {
    /// `outType`: a pay-out or a refund (出金或退款).
    pub enum OutType {
        /// A pay-out (出金).
        Out = "OUT" => "出金",
        /// A refund (退款).
        Refund = "REFUND" => "退款",
    }
}

pay_core::wire_enum! {
    /// `prodCatalog`: which cards a POS pay-in accepts (限制刷卡类别).
    pub enum ProdCatalog {
        /// Debit cards only (只能借记卡).
        DebitOnly = "01" => "只能借记卡",
        /// Debit and credit cards (借记卡、信用卡都可以).
        DebitAndCredit = "02" => "借记卡、信用卡都可以",
    }
}

pay_core::wire_enum! {
    /// The error codes the spec names (`EP20001`–`EP20003`), and the one it does not name for
    /// a reused `outReqNo`: `EP10004`, the code `pay-sandbox` answers (`业务系统请求流水号重复`).
    /// Any other non-`0000` code is a plain rejection, unless its message says the `outReqNo`
    /// was used before (see [`ErrorCode::classify`]).
    pub enum ErrorCode {
        /// The protocol does not exist (协议不存在).
        ProtocolNotFound = "EP20001" => "协议不存在",
        /// The pay-in order does not exist (入金订单不存在).
        PayInNotFound = "EP20002" => "入金订单不存在",
        /// The pay-out order does not exist (出金订单不存在).
        PayOutNotFound = "EP20003" => "出金订单不存在",
        /// The `outReqNo` was used before (not in the spec: `pay-sandbox`'s code).
        DuplicateOutReqNo = "EP10004" => "业务系统请求流水号重复",
    }
}

impl ErrorCode {
    /// What the code means for the caller: `EP20001`–`EP20003` are
    /// [`ProviderErrorKind::NotFound`] naming what was not found, `EP10004`
    /// [`ProviderErrorKind::DuplicateOrder`], anything else [`ProviderErrorKind::Rejected`].
    pub fn kind(&self) -> ProviderErrorKind {
        let what: &'static str = match self {
            ErrorCode::ProtocolNotFound => "protocol",
            ErrorCode::PayInNotFound => "pay-in order",
            ErrorCode::PayOutNotFound => "pay-out order",
            ErrorCode::DuplicateOutReqNo => return ProviderErrorKind::DuplicateOrder,
            ErrorCode::Unknown(_) => return ProviderErrorKind::Rejected,
        };
        ProviderErrorKind::NotFound {
            what: Cow::Borrowed(what),
        }
    }

    /// What a refusal with this code and `message` means for a call that `moves` money or
    /// not. Only for a call that creates a pay-in or pay-out order under an `outReqNo`
    /// (`prepay`, `outpay`: [`Movement::MovesMoney`]) is a reused `outReqNo` — `EP10004`, or a
    /// message saying so ([`ProviderErrorKind::says_duplicate_order`]) —
    /// [`ProviderErrorKind::DuplicateOrder`] (query it; a retry is not safe). Otherwise as
    /// [`ErrorCode::kind`], with `EP10004` a plain rejection.
    pub fn classify(&self, moves: Movement, message: &str) -> ProviderErrorKind {
        match (self.kind(), moves) {
            (ProviderErrorKind::DuplicateOrder, Movement::MovesNoMoney) => {
                ProviderErrorKind::Rejected
            }
            (ProviderErrorKind::Rejected, Movement::MovesMoney)
                if ProviderErrorKind::says_duplicate_order(message) =>
            {
                ProviderErrorKind::DuplicateOrder
            }
            (kind, _) => kind,
        }
    }
}

/// Whether a call creates a pay-in or pay-out order (moves money): it decides what a refusal
/// for a reused `outReqNo` means ([`ErrorCode::classify`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// `prepay`, `outpay`: the call creates an order under its `outReqNo`.
    MovesMoney,
    /// Every other call.
    MovesNoMoney,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_codes() {
        assert_eq!(
            ErrorCode::from_wire("EP20001").kind(),
            ProviderErrorKind::NotFound {
                what: "protocol".into()
            }
        );
        assert_eq!(
            ErrorCode::from_wire("EP20002").kind(),
            ProviderErrorKind::NotFound {
                what: "pay-in order".into()
            }
        );
        assert_eq!(
            ErrorCode::from_wire("EP20003").kind(),
            ProviderErrorKind::NotFound {
                what: "pay-out order".into()
            }
        );
        assert_eq!(
            ErrorCode::from_wire("EP10000").kind(),
            ProviderErrorKind::Rejected
        );
    }

    #[test]
    fn a_reused_out_req_no_is_a_duplicate_order_on_money_moving_calls() {
        let dup = ErrorCode::from_wire("EP10004");
        assert_eq!(dup, ErrorCode::DuplicateOutReqNo);
        assert_eq!(
            dup.classify(Movement::MovesMoney, ""),
            ProviderErrorKind::DuplicateOrder
        );
        assert_eq!(
            dup.classify(Movement::MovesNoMoney, ""),
            ProviderErrorKind::Rejected
        );
        let other = ErrorCode::from_wire("EP19999");
        assert_eq!(
            other.classify(Movement::MovesMoney, "订单号重复"),
            ProviderErrorKind::DuplicateOrder
        );
        assert_eq!(
            other.classify(Movement::MovesNoMoney, "订单号重复"),
            ProviderErrorKind::Rejected
        );
        assert_eq!(
            other.classify(Movement::MovesMoney, "余额不足"),
            ProviderErrorKind::Rejected
        );
        assert_eq!(
            ErrorCode::from_wire("EP20002").classify(Movement::MovesMoney, "订单号重复"),
            ProviderErrorKind::NotFound {
                what: "pay-in order".into()
            }
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(
            PayStatus::from_wire("SUCCESS").to_tx_status(),
            TxStatus::Succeeded
        );
        assert_eq!(
            PayStatus::from_wire("FAILURE").to_tx_status(),
            TxStatus::Failed
        );
        assert_eq!(
            PayStatus::from_wire("UNPAID").to_tx_status(),
            TxStatus::Unpaid
        );
        assert_eq!(
            PayStatus::from_wire("PROCESSING").to_tx_status(),
            TxStatus::Processing
        );
        assert_eq!(
            PayStatus::from_wire("REVERSED").to_tx_status(),
            TxStatus::Unknown("REVERSED".into())
        );
        assert!(PayStatus::Failure.is_final() && !PayStatus::Processing.is_final());
        assert_eq!(ArrivedStatus::from_wire("02"), ArrivedStatus::Arrived);
        assert_eq!(OutType::Refund.as_str(), "REFUND");
        assert_eq!(ProdCatalog::DebitOnly.as_str(), "01");
        assert_eq!(CashierType::from_wire("QP"), CashierType::Qp);
    }
}

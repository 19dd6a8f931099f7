//! Provider-neutral traits: take payments ([`Payments`]) and pay out ([`Payouts`]) through any
//! provider that can, with the provider's own typed API still reachable for everything else.

use std::fmt;

use crate::{
    CardNumber, Error, Extensions, IdNumber, IncomingNotification, Money, PersonName, PhoneNumber,
};

/// Extension fields: provider-specific parameters by their wire names. An [`Extensions`], so
/// that `Debug` (and so `tracing`) masks the personal data they can carry (an ID number for
/// protocol-pay's quick pay, a phone number, a bank account).
pub type Extra = Extensions;

/// Where a payout goes. `Debug` masks the card number and the Alipay account (a phone number
/// or an e-mail address).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PayeeAccount {
    /// A bank card or account.
    BankCard {
        /// The card or account number.
        card_no: CardNumber,
        /// The bank's name, where the provider needs it.
        bank_name: Option<String>,
        /// The provider's bank code, where it needs one.
        bank_code: Option<String>,
        /// Whether the account is a company's (对公) rather than a person's.
        corporate: bool,
    },
    /// An Alipay account (phone or email).
    Alipay {
        /// The account.
        account: String,
    },
    /// A WeChat user by openid.
    Wechat {
        /// The openid.
        openid: String,
    },
}

impl fmt::Debug for PayeeAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayeeAccount::BankCard {
                card_no,
                bank_name,
                bank_code,
                corporate,
            } => f
                .debug_struct("BankCard")
                .field("card_no", card_no)
                .field("bank_name", bank_name)
                .field("bank_code", bank_code)
                .field("corporate", corporate)
                .finish(),
            PayeeAccount::Alipay { account } => f
                .debug_struct("Alipay")
                .field("account", &mask_alipay_account(account))
                .finish(),
            PayeeAccount::Wechat { openid } => {
                f.debug_struct("Wechat").field("openid", openid).finish()
            }
        }
    }
}

/// An Alipay account is a phone number or an e-mail address: the phone is masked as a phone,
/// the address keeps its first character and its domain.
fn mask_alipay_account(account: &str) -> String {
    match account.split_once('@') {
        Some((local, domain)) => format!("{}@{domain}", crate::pii::mask_name(local)),
        None => crate::pii::mask_phone(account),
    }
}

/// The person or company being paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payee {
    /// The real name.
    pub name: PersonName,
    /// The account.
    pub account: PayeeAccount,
    /// The ID number, where the provider requires one.
    pub id_number: Option<IdNumber>,
    /// The phone number, where the provider requires one.
    pub phone: Option<PhoneNumber>,
}

/// A payout in provider-neutral terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutRequest {
    /// The merchant's order id: the idempotency key of the payout.
    pub order_id: String,
    /// The amount.
    pub amount: Money,
    /// The payee.
    pub payee: Payee,
    /// A remark shown to the payee, where supported.
    pub remark: Option<String>,
    /// Where the provider should send the result notification.
    pub notify_url: Option<String>,
    /// Provider-specific fields by wire name (e.g. `bankCode`, `project_id`).
    pub extra: Extra,
}

/// Where a transaction stands.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TxStatus {
    /// Accepted, not finished.
    Processing,
    /// Finished: the money moved.
    Succeeded,
    /// Finished: the money did not move.
    Failed,
    /// Not paid yet (a pay order waiting for the payer).
    Unpaid,
    /// Closed or cancelled.
    Closed,
    /// Refunded or returned after success.
    Refunded,
    /// A status this version does not know, verbatim.
    Unknown(String),
}

impl TxStatus {
    /// Whether the status is final (no further change expected).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            TxStatus::Succeeded | TxStatus::Failed | TxStatus::Closed | TxStatus::Refunded
        )
    }
}

/// The state of a payout, from a create call, a query or a notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutResult {
    /// The provider.
    pub provider: &'static str,
    /// The merchant's order id.
    pub order_id: String,
    /// The provider's order id, where given.
    pub provider_order_id: Option<String>,
    /// The status.
    pub status: TxStatus,
    /// The amount, where given.
    pub amount: Option<Money>,
    /// A status or failure message from the provider, where given.
    pub message: Option<String>,
}

/// A payment (pay-in) in provider-neutral terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentRequest {
    /// The merchant's order id.
    pub order_id: String,
    /// The amount.
    pub amount: Money,
    /// What is being paid for.
    pub subject: String,
    /// Where the provider should send the result notification.
    pub notify_url: String,
    /// Where to send the payer afterwards, where supported.
    pub return_url: Option<String>,
    /// The payer's IP address, where required.
    pub client_ip: Option<String>,
    /// The provider's product or channel code (e.g. `8001`, `QP`), where it offers several.
    pub method: Option<String>,
    /// Provider-specific fields by wire name.
    pub extra: Extra,
}

/// What the payer must do next.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaymentAction {
    /// Send the payer to this URL.
    Redirect {
        /// The URL.
        url: String,
    },
    /// Submit these fields as a form POST to the URL.
    FormPost {
        /// The URL.
        url: String,
        /// The fields, in order.
        fields: Vec<(String, String)>,
    },
    /// Show this code to the payer (e.g. a POS payment code).
    Code {
        /// The code.
        code: String,
    },
    /// Nothing: the payment completes without the payer (or with an SMS code sent separately).
    None,
}

impl fmt::Debug for PaymentAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaymentAction::Redirect { url } => {
                f.debug_struct("Redirect").field("url", url).finish()
            }
            PaymentAction::FormPost { url, fields } => f
                .debug_struct("FormPost")
                .field("url", url)
                .field("fields", &fields.iter().map(|(k, _)| k).collect::<Vec<_>>())
                .finish(),
            PaymentAction::Code { .. } => f.write_str("Code(***)"),
            PaymentAction::None => f.write_str("None"),
        }
    }
}

/// The state of a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentResult {
    /// The provider.
    pub provider: &'static str,
    /// The merchant's order id.
    pub order_id: String,
    /// The provider's order id, where given.
    pub provider_order_id: Option<String>,
    /// The status.
    pub status: TxStatus,
    /// The amount, where given.
    pub amount: Option<Money>,
    /// What the payer must do next (on create).
    pub action: Option<PaymentAction>,
}

/// Paying out through any provider.
///
/// Every method maps onto the provider's own typed API; a [`PayoutRequest`] field the provider
/// cannot carry is an [`Error::InvalidInput`], never silently dropped.
#[async_trait::async_trait]
pub trait Payouts: Send + Sync + fmt::Debug {
    /// The provider's name (`yunzhanghu`, `aggregate-pay`, …).
    fn provider(&self) -> &'static str;

    /// Creates a payout. A timeout after sending is [`Error::UnknownOutcome`]: call
    /// [`query_payout`](Self::query_payout) with the same order id before anything else.
    async fn create_payout(&self, request: &PayoutRequest) -> Result<PayoutResult, Error>;

    /// Queries a payout by the merchant's order id.
    async fn query_payout(&self, order_id: &str) -> Result<PayoutResult, Error>;

    /// Verifies and parses a payout notification.
    async fn parse_payout_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<PayoutResult, Error>;
}

/// Taking payments through any provider.
#[async_trait::async_trait]
pub trait Payments: Send + Sync + fmt::Debug {
    /// The provider's name.
    fn provider(&self) -> &'static str;

    /// Creates a payment. A timeout after sending is [`Error::UnknownOutcome`]: call
    /// [`query_payment`](Self::query_payment) with the same order id before anything else.
    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentResult, Error>;

    /// Queries a payment by the merchant's order id.
    async fn query_payment(&self, order_id: &str) -> Result<PaymentResult, Error>;

    /// Verifies and parses a payment notification.
    async fn parse_payment_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<PaymentResult, Error>;
}

/// Reads a provider-specific field from [`Extra`] as a string (strings as-is, numbers and
/// booleans as their JSON text).
pub fn extra_str<'a>(extra: &'a Extra, key: &str) -> Option<std::borrow::Cow<'a, str>> {
    match extra.get(key)? {
        serde_json::Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        serde_json::Value::Null => None,
        other => Some(std::borrow::Cow::Owned(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_masks_payee_and_codes() {
        let req = PayoutRequest {
            order_id: "O1".into(),
            amount: Money::from_fen(100),
            payee: Payee {
                name: "张三".into(),
                account: PayeeAccount::BankCard {
                    card_no: "6225880137705555".into(),
                    bank_name: None,
                    bank_code: None,
                    corporate: false,
                },
                id_number: Some("11010519491231002X".into()),
                phone: Some("13812345678".into()),
            },
            remark: None,
            notify_url: None,
            extra: Extra::new(),
        };
        let s = format!("{req:?}");
        for secret in [
            "张三",
            "6225880137705555",
            "11010519491231002X",
            "13812345678",
        ] {
            assert!(!s.contains(secret), "{s}");
        }
        assert_eq!(
            format!(
                "{:?}",
                PaymentAction::Code {
                    code: "123456".into()
                }
            ),
            "Code(***)"
        );
        assert!(TxStatus::Succeeded.is_final() && !TxStatus::Processing.is_final());
        let alipay = |account: &str| {
            format!(
                "{:?}",
                PayeeAccount::Alipay {
                    account: account.into()
                }
            )
        };
        assert_eq!(
            alipay("13812345678"),
            r#"Alipay { account: "138****5678" }"#
        );
        assert_eq!(
            alipay("zhangsan@example.com"),
            r#"Alipay { account: "z*******@example.com" }"#
        );
        let mut extra = Extra::new();
        extra.insert("n".into(), serde_json::json!(5));
        extra.insert("s".into(), serde_json::json!("x"));
        assert_eq!(extra_str(&extra, "n").as_deref(), Some("5"));
        assert_eq!(extra_str(&extra, "s").as_deref(), Some("x"));
        assert_eq!(extra_str(&extra, "z"), None);
    }
}

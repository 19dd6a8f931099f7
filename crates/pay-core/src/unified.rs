//! Provider-neutral traits: take payments ([`Payments`]) and pay out ([`Payouts`]) through any
//! provider that can, with the provider's own typed API still reachable for everything else.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::lifecycle::{ExpectedOrder, Transition};
use crate::{
    CardNumber, Error, Extensions, IdNumber, IncomingNotification, Money, NotificationReply,
    NotificationVerifier, PersonName, PhoneNumber,
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

/// Where a transaction stands: the neutral status every provider's codes map onto (through
/// its [`Lifecycle`](crate::lifecycle::Lifecycle) tables).
///
/// Whether a status is final depends on the provider and the kind of order (a Yunzhanghu
/// payout at 已打款 can still be returned), so it is not a property of the status: read
/// [`Transition::is_final`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TxStatus {
    /// Accepted, not finished.
    Processing,
    /// The money moved (for now: read [`Transition::is_final`]).
    Succeeded,
    /// The money did not move.
    Failed,
    /// Not paid yet (a pay order waiting for the payer).
    Unpaid,
    /// Closed or cancelled before any money moved.
    Closed,
    /// A payout that was paid and then sent back (退汇, 冲正, an unclaimed red packet): the
    /// money is back with the merchant.
    Returned,
    /// A payment refunded to the payer after success.
    Refunded,
    /// A status this version does not know, verbatim. Never success, never final.
    Unknown(String),
}

impl TxStatus {
    /// The lower-case name (`processing`, `unpaid`, `succeeded`, `failed`, `closed`, `returned`,
    /// `refunded`, `unknown`).
    pub fn as_str(&self) -> &'static str {
        match self {
            TxStatus::Processing => "processing",
            TxStatus::Succeeded => "succeeded",
            TxStatus::Failed => "failed",
            TxStatus::Unpaid => "unpaid",
            TxStatus::Closed => "closed",
            TxStatus::Returned => "returned",
            TxStatus::Refunded => "refunded",
            TxStatus::Unknown(_) => "unknown",
        }
    }

    /// The event name in a dedup key: [`as_str`](Self::as_str), and for an unknown status the
    /// code too (percent-encoded), so that two different unknown codes are two events.
    pub fn event_name(&self) -> Cow<'static, str> {
        match self {
            TxStatus::Unknown(code) => Cow::Owned(format!(
                "unknown({})",
                percent_encoding::utf8_percent_encode(code, KEY_RESERVED)
            )),
            other => Cow::Borrowed(other.as_str()),
        }
    }
}

/// Characters escaped in a dedup key's event name.
const KEY_RESERVED: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b':')
    .add(b'%')
    .add(b'(')
    .add(b')')
    .add(b' ');

impl fmt::Display for TxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.event_name())
    }
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

/// A created payment: where it stands, and what the payer must do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentResult {
    /// Where the order stands, as the provider's answer states it.
    pub transition: Transition,
    /// What the payer must do next.
    pub action: Option<PaymentAction>,
}

/// Paying out through any provider.
///
/// Every method maps onto the provider's own typed API; a [`PayoutRequest`] field the provider
/// cannot carry is an [`Error::InvalidInput`], never silently dropped. Every answer is a
/// [`Transition`] read through the provider's lifecycle table; check it against the merchant's
/// order with [`expect_payout`](Self::expect_payout) before acting on it.
///
/// A handler for any provider runs through the inbox like a typed one:
///
/// ```
/// # async fn handle(payouts: std::sync::Arc<dyn pay_core::Payouts>, n: pay_core::IncomingNotification) -> Result<pay_core::NotificationReply, pay_core::Error> {
/// use std::sync::Arc;
/// use pay_core::{Accepted, Error, InMemoryReplayGuard, Money, NotificationInbox};
/// use pay_core::unified::PayoutNotifications;
///
/// let inbox = NotificationInbox::new(
///     PayoutNotifications(payouts.clone()),
///     Arc::new(InMemoryReplayGuard::new()),
/// );
/// match inbox.accept(&n).await? {
///     Accepted::New(claimed) => {
///         let t = &claimed.event;
///         // Look the order up in the merchant's own ledger, then check before acting.
///         let ordered = Money::from_fen(100);
///         payouts.expect_payout(&t.order_id, ordered).check(t)?;
///         // ... record t.status (succeeded, failed, returned) and t.is_final ...
///         inbox.complete(&claimed).await?;
///     }
///     Accepted::Duplicate { .. } => {}
///     // Another handler has it: no success reply (answer 503 in a real handler).
///     Accepted::InProgress { key } => return Err(Error::invalid_input("notification", key)),
/// }
/// Ok(inbox.success_reply())
/// # }
/// ```
#[async_trait::async_trait]
pub trait Payouts: Send + Sync + fmt::Debug {
    /// The provider's name (`yunzhanghu`, `aggregate-pay`, …).
    fn provider(&self) -> &'static str;

    /// The merchant's payout `order_id` of `amount`, with the merchant/app/dealer/broker ids this
    /// client is configured with: what every answer about it must agree with.
    fn expect_payout(&self, order_id: &str, amount: Money) -> ExpectedOrder;

    /// Creates a payout; the answer is checked against the request (the order id, and the
    /// amount and ids where the answer states them). A timeout after sending is
    /// [`Error::UnknownOutcome`]: call [`query_payout`](Self::query_payout) with the same order
    /// id before anything else.
    async fn create_payout(&self, request: &PayoutRequest) -> Result<Transition, Error>;

    /// Queries a payout by the merchant's order id.
    async fn query_payout(&self, order_id: &str) -> Result<Transition, Error>;

    /// Verifies a payout notification (all of the provider's verification, including any
    /// confirmation through its API) and reads its transition.
    async fn parse_payout_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Transition, Error>;

    /// The reply the provider expects once a notification was processed.
    fn success_reply(&self) -> NotificationReply;
}

/// Taking payments through any provider. Answers and notifications are [`Transition`]s, as for
/// [`Payouts`].
#[async_trait::async_trait]
pub trait Payments: Send + Sync + fmt::Debug {
    /// The provider's name.
    fn provider(&self) -> &'static str;

    /// The merchant's payment `order_id` of `amount`, with the ids this client is configured
    /// with.
    fn expect_payment(&self, order_id: &str, amount: Money) -> ExpectedOrder;

    /// Creates a payment; the answer is checked against the request. A timeout after sending
    /// is [`Error::UnknownOutcome`]: call [`query_payment`](Self::query_payment) with the same
    /// order id before anything else.
    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentResult, Error>;

    /// Queries a payment by the merchant's order id.
    async fn query_payment(&self, order_id: &str) -> Result<Transition, Error>;

    /// Verifies a payment notification and reads its transition.
    async fn parse_payment_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Transition, Error>;

    /// The reply the provider expects once a notification was processed.
    fn success_reply(&self) -> NotificationReply;
}

/// A [`NotificationVerifier`] over any [`Payouts`], so that a provider-neutral payout endpoint
/// runs through a [`NotificationInbox`](crate::NotificationInbox): its events are
/// [`Transition`]s, deduplicated by [`Transition::dedup_key`].
#[derive(Debug, Clone)]
pub struct PayoutNotifications<P: ?Sized>(pub Arc<P>);

#[async_trait::async_trait]
impl<P: Payouts + ?Sized> NotificationVerifier for PayoutNotifications<P> {
    type Event = Transition;

    async fn verify_notification(&self, n: &IncomingNotification) -> Result<Transition, Error> {
        self.0.parse_payout_notification(n).await
    }

    fn success_reply(&self) -> NotificationReply {
        self.0.success_reply()
    }
}

/// A [`NotificationVerifier`] over any [`Payments`] (see [`PayoutNotifications`]).
#[derive(Debug, Clone)]
pub struct PaymentNotifications<P: ?Sized>(pub Arc<P>);

#[async_trait::async_trait]
impl<P: Payments + ?Sized> NotificationVerifier for PaymentNotifications<P> {
    type Event = Transition;

    async fn verify_notification(&self, n: &IncomingNotification) -> Result<Transition, Error> {
        self.0.parse_payment_notification(n).await
    }

    fn success_reply(&self) -> NotificationReply {
        self.0.success_reply()
    }
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
        assert_eq!(TxStatus::Returned.to_string(), "returned");
        assert_eq!(
            TxStatus::Unknown("a b".into()).to_string(),
            "unknown(a%20b)"
        );
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

// The README's per-provider examples need every provider: it is the crate doc (and so
// doctested) with `full`, which docs.rs builds; other builds get a pointer to it.
#![cfg_attr(feature = "full", doc = include_str!("../README.md"))]
#![cfg_attr(
    not(feature = "full"),
    doc = "One dependency for four Chinese payment and settlement APIs. See the README (the crate documentation with the `full` feature)."
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

/// The shared types of every provider (re-export of `pay-core`): money in fen, the one error
/// enum, secrets, masked personal data, the HTTP transport, notifications and the unified
/// traits.
#[doc(inline)]
pub use pay_core as core;

pub use pay_core::{
    Accepted, AnswerContext, ClaimOutcome, Error, ExpectedOrder, FlowKind, InMemoryReplayGuard,
    IncomingNotification, Lifecycle, Money, MoneyError, NotificationEvent, NotificationInbox,
    NotificationReply, NotificationVerifier, Payee, PayeeAccount, PaymentAction,
    PaymentNotifications, PaymentRequest, PaymentResult, Payments, PayoutNotifications,
    PayoutRequest, Payouts, ProviderErrorKind, ReplayGuard, Result, SecretKey, Transition,
    TxStatus,
};

/// A durable notification inbox on a SQLite file (feature `sqlite`); see
/// [`core::replay_store`].
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use pay_core::SqliteReplayGuard;

/// A durable notification inbox on PostgreSQL (feature `postgres`); see
/// [`core::replay_store`].
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use pay_core::PostgresReplayGuard;

/// The aggregate payment gateway (feature `aggregate-pay`).
#[cfg(feature = "aggregate-pay")]
#[cfg_attr(docsrs, doc(cfg(feature = "aggregate-pay")))]
#[doc(inline)]
pub use aggregate_pay;

/// The protocol (escrow) pay API (feature `protocol-pay`).
#[cfg(feature = "protocol-pay")]
#[cfg_attr(docsrs, doc(cfg(feature = "protocol-pay")))]
#[doc(inline)]
pub use protocol_pay;

/// Huifu hfpay (feature `huifu`).
#[cfg(feature = "huifu")]
#[cfg_attr(docsrs, doc(cfg(feature = "huifu")))]
#[doc(inline)]
pub use huifu;

/// Yunzhanghu realtime settlement (feature `yunzhanghu`).
#[cfg(feature = "yunzhanghu")]
#[cfg_attr(docsrs, doc(cfg(feature = "yunzhanghu")))]
#[doc(inline)]
pub use yunzhanghu;

/// The default HTTP transport (feature `reqwest`, on by default).
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub use pay_core::default_transport;

#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
pub mod clock;
pub mod decode;
pub mod download;
pub mod env;
mod error;
mod extensions;
pub mod form;
pub mod hex;
pub mod lifecycle;
pub mod money;
pub mod multipart;
pub mod notify;
pub mod operation;
pub mod pii;
pub mod reconcile;
pub mod replay_store;
mod secret;
pub mod transport;
pub mod unified;
pub mod validate;
mod wire_enum;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;

pub use clock::{
    Clock, FixedClock, IdSource, RandomIds, SequentialIds, SharedClock, SharedIdSource,
    SystemClock, Timestamp,
};
pub use error::{
    AnswerContext, BoxError, Error, ProviderError, ProviderErrorKind, RawBody, Result,
    SignatureErrorKind,
};
pub use extensions::Extensions;
pub use lifecycle::{ExpectedOrder, FlowKind, Lifecycle, StatusRule, Transition};
pub use money::{Money, MoneyError};
pub use notify::{
    Accepted, ClaimOutcome, Claimed, InMemoryReplayGuard, IncomingNotification, NotificationEvent,
    NotificationInbox, NotificationReply, NotificationVerifier, ReplayGuard,
};
pub use operation::{Codec, Operation};
pub use pii::{CardNumber, IdNumber, PersonName, PhoneNumber};
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use replay_store::PostgresReplayGuard;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use replay_store::SqliteReplayGuard;
pub use secret::{KeyRing, SecretKey};
pub use transport::{Call, CallKind, HttpTransport, SharedTransport, TransportError};
pub use unified::{
    Extra, Payee, PayeeAccount, PaymentAction, PaymentNotifications, PaymentRequest, PaymentResult,
    Payments, PayoutNotifications, PayoutRequest, Payouts, TxStatus,
};

#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub use transport::reqwest::{ReqwestTransport, ReqwestTransportBuilder};

/// The default transport as a [`SharedTransport`].
///
/// # Errors
/// [`Error::Transport`] when the TLS backend cannot be initialised.
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub fn default_transport() -> Result<SharedTransport> {
    Ok(std::sync::Arc::new(ReqwestTransport::new()?))
}

#[doc(hidden)]
pub mod __private {
    pub use serde;

    /// The old name of [`crate::decode::string_or_integer`], until huifu reads it from there.
    pub use crate::decode::string_or_integer as deserialize_wire_string;
}

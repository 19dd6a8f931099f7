//! The one error type every cnpay crate returns.

use std::borrow::Cow;
use std::fmt;

/// A boxed error usable as a `source()`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The result type of every fallible cnpay call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to a provider.
///
/// The variants answer the question a payment engineer has after a failure: *did money move?*
///
/// | variant | was the request sent? | [`is_retry_safe`](Error::is_retry_safe) | [`needs_query`](Error::needs_query) | what to do |
/// |---|---|---|---|---|
/// | [`InvalidInput`](Error::InvalidInput) | no | no | no | fix the named field |
/// | [`Io`](Error::Io) | — (a local file or writer failed, not the network) | yes | no | fix the local cause and repeat (a download can always be repeated) |
/// | [`Transport`](Error::Transport) | no, or the call is read-only | yes | no | retry |
/// | [`UnknownOutcome`](Error::UnknownOutcome) | maybe | no | yes | query the order ([`Error::order_id`]) |
/// | [`HttpStatus`](Error::HttpStatus) | yes | if read-only | if it moved money | query the order if it moved money, else send it again |
/// | [`Signature`](Error::Signature) | yes | if read-only | if it moved money | treat the data as forged; query the order if it moved money |
/// | [`Decrypt`](Error::Decrypt) | yes | if read-only | if it moved money | treat the data as forged or the key as wrong; query the order if it moved money |
/// | [`Decode`](Error::Decode) | yes | if read-only | if it moved money | the raw body is kept; query the order if it moved money |
/// | [`Provider`](Error::Provider) | yes, and rejected | if the code asks for it | duplicate order | see the [`ProviderError`] code |
/// | [`Mismatch`](Error::Mismatch) | yes (an answer or notification disagrees with the merchant's order) | no | if it names an order | do not act on it: the named field differs from the order; query the order and investigate |
///
/// **Read-only calls never ask for a query.** A query moves no money, so nothing about its
/// failure can leave an order in an unknown state: every error of a call made as
/// [`Call::query`](crate::Call::query) is retry-safe (or, for a [`Provider`](Error::Provider)
/// refusal, classified by its code) and never [`needs_query`](Error::needs_query), whatever the
/// provider. The rule lives in one place, [`Call::classify`](crate::Call::classify): it records
/// the call's kind in the [`AnswerContext`] every error about an answer carries (a query's
/// carries no order id; a mutation's carries its order id), beside the provider's request id. [`Call::ensure_success`](crate::Call::ensure_success) and
/// [`Call::decode_json`](crate::Call::decode_json) apply it, and provider crates pass every other
/// error about an answer (signature, decryption, decoding) through it.
///
/// ```
/// use pay_core::Error;
///
/// let err = Error::invalid_input("amount", "must be greater than zero");
/// assert_eq!(err.to_string(), "invalid input in `amount`: must be greater than zero");
/// assert!(!err.is_retry_safe());
/// ```
///
/// ```
/// use pay_core::{Call, Error};
///
/// let answer = || Error::decode("<html>", "expected JSON");
/// // A money-moving call: the outcome is unknown until the order is queried.
/// let pay = Call::mutation("provider", "pay", "O1").classify(answer());
/// assert!(pay.needs_query() && !pay.is_retry_safe());
/// assert_eq!(pay.order_id(), Some("O1"));
/// // A read-only call: nothing moved; send it again.
/// let query = Call::query("provider", "query").classify(answer());
/// assert!(!query.needs_query() && query.is_retry_safe());
/// assert_eq!(query.order_id(), None);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller's input was rejected before anything was sent.
    #[error("invalid input in `{field}`: {reason}")]
    InvalidInput {
        /// The field, by its wire name where it has one.
        field: Cow<'static, str>,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },

    /// Reading or writing a local file or stream of the caller's failed, for example the writer
    /// a downloaded file is streamed into. Nothing about the exchange with the provider failed
    /// and no money moved because of it: it is retry-safe (a download can always be repeated)
    /// and never needs a query.
    #[error("local i/o error")]
    Io {
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },

    /// The request could not be delivered, and retrying is safe: it was never sent (connection
    /// refused, DNS failure, TLS failure), or the operation is a read-only query.
    #[error("transport error")]
    Transport {
        /// The underlying transport failure.
        #[source]
        source: BoxError,
    },

    /// The request was sent but no answer arrived (timeout, connection reset). The provider may
    /// or may not have acted on it: query the order before doing anything else.
    #[error("outcome unknown{}", OrderIdSuffix(.order_id))]
    UnknownOutcome {
        /// The merchant's order id to query.
        order_id: Option<String>,
        /// The underlying transport failure.
        #[source]
        source: BoxError,
    },

    /// The provider answered with a non-success HTTP status.
    #[error("http status {status}{context}")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
        /// The answer's headers as received (empty when the error was built without them).
        headers: Box<http::HeaderMap>,
        /// The response body as received.
        body: RawBody,
        /// The call it answered and the provider's request id.
        context: Box<AnswerContext>,
    },

    /// A signature was missing, malformed or did not match.
    #[error("signature check failed: {kind}{context}")]
    Signature {
        /// What was wrong.
        kind: SignatureErrorKind,
        /// The call whose answer it was, where it was an answer, and the provider's request id.
        context: Box<AnswerContext>,
    },

    /// Encrypted data could not be decrypted (wrong key, bad base64, bad padding).
    #[error("decryption failed{context}")]
    Decrypt {
        /// The underlying failure.
        #[source]
        source: BoxError,
        /// The call whose answer it was, where it was an answer, and the provider's request id.
        context: Box<AnswerContext>,
    },

    /// The response could not be decoded into the expected shape; the raw body is kept.
    #[error("could not decode the response{context}")]
    Decode {
        /// The body as received.
        body: RawBody,
        /// The decoding failure (naming the field where it can).
        #[source]
        source: BoxError,
        /// The call it answered and the provider's request id.
        context: Box<AnswerContext>,
    },

    /// The provider understood the request and refused it.
    #[error(transparent)]
    Provider(Box<ProviderError>),

    /// A verified answer or notification disagrees with the merchant's order (see
    /// [`ExpectedOrder`](crate::ExpectedOrder)): a different order id, amount or
    /// merchant/app/dealer/broker id, or one the provider did not state where it must. Never
    /// substitute the provider's value: do not credit or pay on it.
    #[error("`{field}` does not match the merchant's order: expected {expected}, got {}{}", Got(.got), OrderIdSuffix(.order_id))]
    Mismatch {
        /// The field (`order_id`, `amount`, or the wire name of a party id such as `mchId`).
        field: &'static str,
        /// The merchant's value (amounts in yuan).
        expected: Box<str>,
        /// The provider's value, `None` where it stated none.
        got: Option<Box<str>>,
        /// The merchant's order id.
        order_id: Option<String>,
    },
}

/// What an error about a provider's answer (an HTTP status, a signature, a decryption, a
/// decoding failure) knows of the call it answered and of the answer itself: one shared
/// context instead of a flag per variant.
///
/// [`Call::classify`](crate::Call::classify) sets the call: a query's errors are retry-safe and
/// never [`needs_query`](Error::needs_query); a mutation's carry its order id and need a query.
/// Until classified (`call` is `None`) an error reads as possibly money-moving: not retry-safe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AnswerContext {
    /// The kind of the call answered, once classified; `None` before.
    pub call: Option<crate::CallKind>,
    /// The provider's request id, where the answer carried one.
    pub request_id: Option<String>,
}

impl AnswerContext {
    /// Whether the call was read-only.
    pub fn is_read_only(&self) -> bool {
        self.call == Some(crate::CallKind::Query)
    }

    /// The merchant's order id of a money-moving call.
    pub fn order_id(&self) -> Option<&str> {
        self.call.as_ref().and_then(crate::CallKind::order_id)
    }
}

impl fmt::Display for AnswerContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(id) = self.order_id() {
            write!(f, " (order `{id}`)")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request `{id}`)")?;
        }
        Ok(())
    }
}

struct Got<'a>(&'a Option<Box<str>>);

impl fmt::Display for Got<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(v) => f.write_str(v),
            None => f.write_str("nothing (not stated by the provider)"),
        }
    }
}

struct OrderIdSuffix<'a>(&'a Option<String>);

impl fmt::Display for OrderIdSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " (order `{id}`)"),
            None => Ok(()),
        }
    }
}

impl Error {
    /// An [`Error::InvalidInput`] naming `field`.
    pub fn invalid_input(
        field: impl Into<Cow<'static, str>>,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// An [`Error::Io`]: a local file or stream of the caller's failed.
    pub fn io(source: std::io::Error) -> Self {
        Error::Io { source }
    }

    /// An [`Error::HttpStatus`], not yet classified (see [`Call::classify`]).
    ///
    /// [`Call::classify`]: crate::Call::classify
    pub fn http_status(status: u16, body: impl Into<RawBody>) -> Self {
        Error::HttpStatus {
            status,
            headers: Box::default(),
            body: body.into(),
            context: Box::default(),
        }
    }

    /// An [`Error::HttpStatus`] for a non-2xx `response`, keeping its status, headers and
    /// body; not yet classified.
    pub fn http_response(response: crate::transport::HttpResponse) -> Self {
        let (parts, body) = response.into_parts();
        Error::HttpStatus {
            status: parts.status.as_u16(),
            headers: Box::new(parts.headers),
            body: RawBody::from(body),
            context: Box::default(),
        }
    }

    /// An [`Error::Signature`], not yet classified (see [`Call::classify`]).
    ///
    /// [`Call::classify`]: crate::Call::classify
    pub fn signature(kind: SignatureErrorKind) -> Self {
        Error::Signature {
            kind,
            context: Box::default(),
        }
    }

    /// An [`Error::Decrypt`], not yet classified (see [`Call::classify`]).
    ///
    /// [`Call::classify`]: crate::Call::classify
    pub fn decrypt(source: impl Into<BoxError>) -> Self {
        Error::Decrypt {
            source: source.into(),
            context: Box::default(),
        }
    }

    /// An [`Error::Decode`] for `body`, not yet classified (see [`Call::classify`]).
    ///
    /// [`Call::classify`]: crate::Call::classify
    pub fn decode(body: impl Into<RawBody>, source: impl Into<BoxError>) -> Self {
        Error::Decode {
            body: body.into(),
            source: source.into(),
            context: Box::default(),
        }
    }

    /// The variant's name in snake case (`unknown_outcome`, `http_status`, …), for logs,
    /// metrics and machine-readable reports.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "invalid_input",
            Error::Io { .. } => "io",
            Error::Transport { .. } => "transport",
            Error::UnknownOutcome { .. } => "unknown_outcome",
            Error::HttpStatus { .. } => "http_status",
            Error::Signature { .. } => "signature",
            Error::Decrypt { .. } => "decrypt",
            Error::Decode { .. } => "decode",
            Error::Provider(_) => "provider",
            Error::Mismatch { .. } => "mismatch",
        }
    }

    /// The context of an error about an answer; `None` for the other variants.
    pub fn answer_context(&self) -> Option<&AnswerContext> {
        match self {
            Error::HttpStatus { context, .. }
            | Error::Signature { context, .. }
            | Error::Decrypt { context, .. }
            | Error::Decode { context, .. } => Some(&**context),
            _ => None,
        }
    }

    fn answer_context_mut(&mut self) -> Option<&mut AnswerContext> {
        match self {
            Error::HttpStatus { context, .. }
            | Error::Signature { context, .. }
            | Error::Decrypt { context, .. }
            | Error::Decode { context, .. } => Some(&mut **context),
            _ => None,
        }
    }

    /// An [`Error::Mismatch`] of `field` in the merchant's order `order_id`.
    pub fn mismatch(
        field: &'static str,
        expected: impl Into<String>,
        got: Option<String>,
        order_id: &str,
    ) -> Self {
        Error::Mismatch {
            field,
            expected: expected.into().into_boxed_str(),
            got: got.map(String::into_boxed_str),
            order_id: Some(order_id.to_owned()),
        }
    }

    /// An [`Error::Provider`].
    pub fn provider(error: ProviderError) -> Self {
        Error::Provider(Box::new(error))
    }

    /// Whether the same request may be sent again without risk of doing the work twice:
    /// the request was never sent, the call is read-only, only a local file or stream failed, or
    /// the provider asked for a retry with the same parameters.
    pub fn is_retry_safe(&self) -> bool {
        match self {
            Error::Io { .. } | Error::Transport { .. } => true,
            Error::HttpStatus { context, .. }
            | Error::Signature { context, .. }
            | Error::Decrypt { context, .. }
            | Error::Decode { context, .. } => context.is_read_only(),
            Error::Provider(p) => p.kind == ProviderErrorKind::RetrySameParams,
            Error::InvalidInput { .. } | Error::UnknownOutcome { .. } | Error::Mismatch { .. } => {
                false
            }
        }
    }

    /// Whether the order must be queried to learn whether money moved: the outcome is unknown,
    /// or a money-moving call got an answer that could not be trusted or read. Never true for
    /// the answer of a read-only call.
    ///
    /// A few state-changing calls carry no merchant order id to query by (protocol-pay's
    /// `create_protocol`, Huifu's `agent_merchant_opening`). A lost answer of theirs is still
    /// [`Error::UnknownOutcome`] (`needs_query`, no id); an answer of theirs that cannot be
    /// trusted or read is neither `needs_query` (there is no order to query) nor
    /// [retry-safe](Error::is_retry_safe): look the result up by the provider's own means (for
    /// a protocol, `find_protocol` once its `transNo` is known) before calling again.
    pub fn needs_query(&self) -> bool {
        match self {
            Error::UnknownOutcome { .. } => true,
            Error::HttpStatus { context, .. }
            | Error::Signature { context, .. }
            | Error::Decrypt { context, .. }
            | Error::Decode { context, .. } => context.order_id().is_some(),
            Error::Provider(p) => p.kind == ProviderErrorKind::DuplicateOrder,
            Error::Mismatch { order_id, .. } => order_id.is_some(),
            Error::InvalidInput { .. } | Error::Io { .. } | Error::Transport { .. } => false,
        }
    }

    /// Whether the failed call's request may have reached the provider, whatever the call's
    /// kind: false only when it was never sent (invalid input, a local I/O failure, a
    /// connection that could not be made). A read-only query whose connection was reset after
    /// the request went out may have been received, and is still
    /// [retry-safe](Error::is_retry_safe). An answer that arrived (an HTTP status, a provider
    /// refusal, an answer that could not be read or trusted) was received. The errors of an
    /// incoming notification are not about a request: for them it says nothing.
    ///
    /// ```
    /// use pay_core::transport::TransportError;
    /// use pay_core::Call;
    ///
    /// let reset = Call::query("p", "query").transport_error(TransportError::io("reset"));
    /// assert!(reset.may_have_been_received() && reset.is_retry_safe());
    /// let refused = Call::query("p", "query").transport_error(TransportError::connect("refused"));
    /// assert!(!refused.may_have_been_received());
    /// ```
    pub fn may_have_been_received(&self) -> bool {
        match self {
            Error::InvalidInput { .. } | Error::Io { .. } => false,
            // A transport failure says whether the request went out; one of another origin
            // cannot tell, so it may have.
            Error::Transport { source } => source
                .downcast_ref::<crate::transport::TransportError>()
                .is_none_or(crate::transport::TransportError::request_sent),
            Error::UnknownOutcome { .. }
            | Error::HttpStatus { .. }
            | Error::Signature { .. }
            | Error::Decrypt { .. }
            | Error::Decode { .. }
            | Error::Mismatch { .. }
            | Error::Provider(_) => true,
        }
    }

    /// The merchant's order id the failed call concerned, where known. The errors of a
    /// read-only call carry none.
    pub fn order_id(&self) -> Option<&str> {
        match self {
            Error::UnknownOutcome { order_id, .. } | Error::Mismatch { order_id, .. } => {
                order_id.as_deref()
            }
            Error::HttpStatus { context, .. }
            | Error::Signature { context, .. }
            | Error::Decrypt { context, .. }
            | Error::Decode { context, .. } => context.order_id(),
            Error::Provider(p) => p.order_id.as_deref(),
            Error::InvalidInput { .. } | Error::Io { .. } | Error::Transport { .. } => None,
        }
    }

    /// The provider's request id, where its answer gave one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Provider(p) => p.request_id.as_deref(),
            other => other.answer_context().and_then(|c| c.request_id.as_deref()),
        }
    }

    /// Attaches the provider's request id to an error about its answer (an HTTP status, a
    /// signature, a decryption, a decoding failure, a refusal), keeping an id already set.
    #[must_use]
    pub fn with_request_id(mut self, id: Option<&str>) -> Self {
        let Some(id) = id else { return self };
        match &mut self {
            Error::Provider(p) => {
                p.request_id.get_or_insert_with(|| id.to_owned());
            }
            other => {
                if let Some(c) = other.answer_context_mut() {
                    c.request_id.get_or_insert_with(|| id.to_owned());
                }
            }
        }
        self
    }

    /// Attaches the merchant's order id to the variants that carry one, keeping an id already set.
    /// An error about the answer of a read-only call (see [`Call::classify`]) takes none.
    ///
    /// [`Call::classify`]: crate::Call::classify
    #[must_use]
    pub fn with_order_id(mut self, id: Option<&str>) -> Self {
        let Some(id) = id else { return self };
        match &mut self {
            Error::UnknownOutcome { order_id, .. } => {
                order_id.get_or_insert_with(|| id.to_owned());
            }
            Error::Provider(p) => {
                p.order_id.get_or_insert_with(|| id.to_owned());
            }
            other => {
                if let Some(c) = other.answer_context_mut() {
                    match &mut c.call {
                        Some(crate::CallKind::Query) => {}
                        Some(crate::CallKind::Mutation { order_id }) => {
                            order_id.get_or_insert_with(|| id.to_owned());
                        }
                        None => c.call = Some(crate::CallKind::mutation(id)),
                    }
                }
            }
        }
        self
    }

    /// Marks an error about the answer of a read-only call: `HttpStatus`, `Signature`, `Decrypt`
    /// and `Decode` become read-only (retry-safe, never `needs_query`, no order id); a
    /// `Provider` refusal loses any order id. Other variants are returned as they are. Used by
    /// [`crate::Call::classify`].
    pub(crate) fn into_read_only(mut self) -> Self {
        match &mut self {
            Error::Provider(p) => p.order_id = None,
            other => {
                if let Some(c) = other.answer_context_mut() {
                    c.call = Some(crate::CallKind::Query);
                }
            }
        }
        self
    }
}

/// What was wrong with a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureErrorKind {
    /// The data carried no signature.
    Missing,
    /// The signature was not of the expected form (length, alphabet).
    Malformed,
    /// The signature did not match the data.
    Mismatch,
    /// The signed timestamp is outside the accepted window (a replay or a badly skewed clock).
    Expired,
}

impl fmt::Display for SignatureErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureErrorKind::Missing => "signature missing",
            SignatureErrorKind::Malformed => "signature malformed",
            SignatureErrorKind::Mismatch => "signature mismatch",
            SignatureErrorKind::Expired => "timestamp outside the accepted window",
        })
    }
}

/// A business error from the provider: it understood the request and refused it.
///
/// ```
/// use pay_core::{Error, ProviderError, ProviderErrorKind};
///
/// let err = Error::provider(
///     ProviderError::new("2002", "订单号重复").kind(ProviderErrorKind::DuplicateOrder),
/// );
/// assert!(err.needs_query());
/// assert_eq!(err.to_string(), "provider error 2002: 订单号重复 (duplicate order: query it)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderError {
    /// The provider's error code, verbatim.
    pub code: String,
    /// The provider's message, verbatim.
    pub message: String,
    /// The provider's request id, where it gave one.
    pub request_id: Option<String>,
    /// The merchant's order id the call concerned, where known.
    pub order_id: Option<String>,
    /// What the code means for the caller.
    pub kind: ProviderErrorKind,
}

impl ProviderError {
    /// A provider error of kind [`ProviderErrorKind::Rejected`].
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ProviderError {
            code: code.into(),
            message: message.into(),
            request_id: None,
            order_id: None,
            kind: ProviderErrorKind::Rejected,
        }
    }

    /// Sets the kind.
    #[must_use]
    pub fn kind(mut self, kind: ProviderErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Sets the request id.
    #[must_use]
    pub fn request_id(mut self, id: Option<impl Into<String>>) -> Self {
        self.request_id = id.map(Into::into);
        self
    }

    /// Sets the order id.
    #[must_use]
    pub fn order_id(mut self, id: Option<impl Into<String>>) -> Self {
        self.order_id = id.map(Into::into);
        self
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "provider error {}: {}", self.code, self.message)?;
        match &self.kind {
            ProviderErrorKind::Rejected => Ok(()),
            ProviderErrorKind::RetrySameParams => f.write_str(" (retry with the same parameters)"),
            ProviderErrorKind::DuplicateOrder => f.write_str(" (duplicate order: query it)"),
            ProviderErrorKind::NotFound { what } => write!(f, " ({what} not found)"),
            ProviderErrorKind::Unauthorized => f.write_str(" (authentication failed)"),
        }
    }
}

impl std::error::Error for ProviderError {}

/// What a provider error code means for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProviderErrorKind {
    /// The request was refused; nothing happened.
    Rejected,
    /// The provider asks for the identical request again (same order id, same parameters).
    RetrySameParams,
    /// An order with this id already exists: query it instead of creating it again.
    DuplicateOrder,
    /// The thing asked for does not exist.
    NotFound {
        /// What was not found (e.g. `"order"`, `"protocol"`).
        what: Cow<'static, str>,
    },
    /// The credentials were refused.
    Unauthorized,
}

impl ProviderErrorKind {
    /// Whether a provider's message says that the order id was used before ("订单号重复",
    /// "订单已存在", "流水号重复"…): the wording of the gateways whose specs name no code for it.
    /// A provider crate classifies such a refusal of a money-moving call as
    /// [`ProviderErrorKind::DuplicateOrder`] (query it: the first attempt may have gone
    /// through), never as a plain rejection.
    ///
    /// ```
    /// use pay_core::ProviderErrorKind;
    ///
    /// assert!(ProviderErrorKind::says_duplicate_order("商户订单号重复"));
    /// assert!(ProviderErrorKind::says_duplicate_order("业务系统请求流水号重复"));
    /// assert!(ProviderErrorKind::says_duplicate_order("订单已存在"));
    /// assert!(!ProviderErrorKind::says_duplicate_order("余额不足"));
    /// ```
    pub fn says_duplicate_order(message: &str) -> bool {
        const WORDINGS: &[&str] = &[
            "订单号重复",
            "订单重复",
            "重复订单",
            "流水号重复",
            "订单已存在",
            "订单号已存在",
            "流水号已存在",
            "订单号已使用",
        ];
        WORDINGS.iter().any(|w| message.contains(w))
    }
}

/// A response body as received, kept for diagnosis.
///
/// Its `Debug` shows only the length, since a body can hold personal data; read it deliberately
/// with [`RawBody::as_bytes`] or [`RawBody::to_string_lossy`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RawBody(bytes::Bytes);

impl RawBody {
    /// The body's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The body's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawBody({} bytes)", self.0.len())
    }
}

impl From<bytes::Bytes> for RawBody {
    fn from(b: bytes::Bytes) -> Self {
        RawBody(b)
    }
}

impl From<Vec<u8>> for RawBody {
    fn from(b: Vec<u8>) -> Self {
        RawBody(b.into())
    }
}

impl From<&[u8]> for RawBody {
    fn from(b: &[u8]) -> Self {
        RawBody(bytes::Bytes::copy_from_slice(b))
    }
}

impl From<&str> for RawBody {
    fn from(b: &str) -> Self {
        RawBody(bytes::Bytes::copy_from_slice(b.as_bytes()))
    }
}

impl From<String> for RawBody {
    fn from(b: String) -> Self {
        RawBody(b.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    fn io() -> BoxError {
        Box::new(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "timed out",
        ))
    }

    #[test]
    fn error_is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
    }

    #[test]
    fn error_stays_small() {
        assert!(
            std::mem::size_of::<Error>() <= 80,
            "{}",
            std::mem::size_of::<Error>()
        );
    }

    #[test]
    fn retry_and_query_classification() {
        let transport = Error::Transport { source: io() };
        assert!(transport.is_retry_safe());
        assert!(!transport.needs_query());

        let unknown = Error::UnknownOutcome {
            order_id: Some("O1".into()),
            source: io(),
        };
        assert!(!unknown.is_retry_safe());
        assert!(unknown.needs_query());
        assert_eq!(unknown.order_id(), Some("O1"));
        assert_eq!(unknown.to_string(), "outcome unknown (order `O1`)");
        assert_eq!(
            unknown.source().map(|s| s.to_string()),
            Some("timed out".into())
        );

        let retry = Error::provider(
            ProviderError::new("0010", "retry").kind(ProviderErrorKind::RetrySameParams),
        );
        assert!(retry.is_retry_safe());
        assert!(!retry.needs_query());

        let status = Error::http_status(502, "bad gateway");
        assert!(!status.is_retry_safe());
        assert!(!status.needs_query());
        let status = status.with_order_id(Some("P9"));
        assert!(status.needs_query());
        assert_eq!(status.order_id(), Some("P9"));
        assert_eq!(status.to_string(), "http status 502 (order `P9`)");

        let sig = Error::signature(SignatureErrorKind::Mismatch).with_order_id(Some("X"));
        assert_eq!(
            sig.to_string(),
            "signature check failed: signature mismatch (order `X`)"
        );
        assert!(sig.needs_query());

        let invalid = Error::invalid_input("pay", "bad");
        assert!(!invalid.is_retry_safe() && !invalid.needs_query());
        assert_eq!(invalid.order_id(), None);
        assert_eq!(invalid.with_order_id(Some("Z")).order_id(), None);
    }

    #[test]
    fn io_is_local_retry_safe_and_keeps_its_source() {
        let e = Error::io(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "disk full",
        ));
        assert!(matches!(e, Error::Io { .. }));
        assert!(e.is_retry_safe());
        assert!(!e.needs_query());
        assert_eq!(e.order_id(), None);
        assert_eq!(e.with_order_id(Some("O1")).order_id(), None);
        let e = Error::io(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "disk full",
        ));
        assert_eq!(e.to_string(), "local i/o error");
        let source = e.source().unwrap_or_else(|| panic!("no source"));
        let io = source
            .downcast_ref::<std::io::Error>()
            .unwrap_or_else(|| panic!("not an io::Error: {source}"));
        assert_eq!(io.kind(), std::io::ErrorKind::StorageFull);
        assert_eq!(io.to_string(), "disk full");
    }

    /// Every answer error, as a provider builds it before classifying it.
    fn answer_errors() -> Vec<Error> {
        vec![
            Error::http_status(503, "busy"),
            Error::signature(SignatureErrorKind::Mismatch),
            Error::decrypt("bad padding"),
            Error::decode("<html>", "expected JSON"),
        ]
    }

    #[test]
    fn read_only_answers_are_retry_safe_and_never_need_a_query() {
        for e in answer_errors() {
            let name = format!("{e:?}");
            let e = e.with_order_id(Some("O1")).into_read_only();
            assert!(e.is_retry_safe(), "{name}");
            assert!(!e.needs_query(), "{name}");
            assert_eq!(e.order_id(), None, "{name}");
            // An order id attached afterwards is refused.
            let e = e.with_order_id(Some("O2"));
            assert!(!e.needs_query(), "{name}");
            assert_eq!(e.order_id(), None, "{name}");
        }

        let p = Error::provider(ProviderError::new("E1", "no").order_id(Some("O4")));
        let p = p.into_read_only();
        assert_eq!(p.order_id(), None);
        assert!(!p.is_retry_safe() && !p.needs_query());
    }

    #[test]
    fn mutation_answers_need_a_query_and_are_not_retry_safe() {
        for e in answer_errors() {
            let name = format!("{e:?}");
            assert!(!e.is_retry_safe(), "{name}");
            let e = e.with_order_id(Some("O1"));
            assert!(!e.is_retry_safe(), "{name}");
            // Decrypt too: a mutation's answer that cannot be decrypted needs its order queried.
            assert!(e.needs_query(), "{name}");
            assert_eq!(e.order_id(), Some("O1"), "{name}");
        }
    }

    #[test]
    fn the_request_id_rides_on_every_answer_error() {
        for e in answer_errors() {
            let name = format!("{e:?}");
            let e = e.with_order_id(Some("O1")).with_request_id(Some("req-1"));
            assert_eq!(e.request_id(), Some("req-1"), "{name}");
            assert!(
                e.to_string().ends_with(" (order `O1`) (request `req-1`)"),
                "{e}"
            );
            // The first id stays.
            assert_eq!(e.with_request_id(Some("req-2")).request_id(), Some("req-1"));
        }
        let p = Error::provider(ProviderError::new("E", "no")).with_request_id(Some("r"));
        assert_eq!(p.request_id(), Some("r"));
        assert_eq!(
            Error::invalid_input("f", "x")
                .with_request_id(Some("r"))
                .request_id(),
            None
        );
    }

    #[test]
    fn an_http_response_keeps_status_headers_and_body() {
        let response = http::Response::builder()
            .status(503)
            .header("retry-after", "5")
            .body(bytes::Bytes::from_static(b"busy"))
            .unwrap();
        match Error::http_response(response) {
            Error::HttpStatus {
                status,
                headers,
                body,
                context,
            } => {
                assert_eq!(status, 503);
                assert_eq!(headers.get("retry-after").unwrap(), "5");
                assert_eq!(body.as_bytes(), b"busy");
                assert_eq!(*context, AnswerContext::default());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn provider_error_fields() {
        let e = Error::provider(
            ProviderError::new("EP20001", "订单不存在")
                .kind(ProviderErrorKind::NotFound {
                    what: "order".into(),
                })
                .request_id(Some("r1"))
                .order_id(Some("o1")),
        );
        assert_eq!(e.request_id(), Some("r1"));
        assert_eq!(e.order_id(), Some("o1"));
        assert_eq!(
            e.to_string(),
            "provider error EP20001: 订单不存在 (order not found)"
        );
    }

    #[test]
    fn decode_keeps_raw_body_and_source() {
        let src = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let e = Error::decode("{", src);
        match &e {
            Error::Decode { body, .. } => {
                assert_eq!(body.as_bytes(), b"{");
                assert_eq!(format!("{body:?}"), "RawBody(1 bytes)");
            }
            other => panic!("{other:?}"),
        }
        assert!(e.source().is_some());
    }
}

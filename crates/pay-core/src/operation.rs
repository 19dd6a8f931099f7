//! One way through for every endpoint: an [`Operation`] says what a call is (its name, method,
//! path and [`CallKind`], how its input is checked), a provider's client says how any of its
//! operations goes on the wire ([`Codec`]), and [`execute`] runs the one pipeline between them:
//! check, encode, send once, classify every failure by the call's kind, decode.
//!
//! ```
//! use bytes::Bytes;
//! use pay_core::operation::{execute, Codec, Operation};
//! use pay_core::transport::{transport_fn, HttpRequest, HttpResponse};
//! use pay_core::{Call, CallKind, Error};
//!
//! /// `GET /balance`: a query.
//! struct Balance;
//!
//! impl Operation for Balance {
//!     type Answer = String;
//!     const NAME: &'static str = "balance";
//!     const METHOD: http::Method = http::Method::GET;
//!     const PATH: &'static str = "/balance";
//!     fn kind(&self) -> CallKind {
//!         CallKind::Query
//!     }
//!     fn validate(&self) -> Result<(), Error> {
//!         Ok(())
//!     }
//! }
//!
//! /// A provider whose answers are plain text.
//! struct Plain;
//!
//! impl<O: Operation<Answer = String>> Codec<O> for Plain {
//!     const PROVIDER: &'static str = "plain";
//!     type Sent = ();
//!     type Output = String;
//!     fn encode(&self, _op: &O) -> Result<(HttpRequest, ()), Error> {
//!         let request = http::Request::builder()
//!             .method(O::METHOD)
//!             .uri(format!("http://gw.example{}", O::PATH))
//!             .body(Bytes::new())
//!             .map_err(|e| Error::invalid_input("base_url", e.to_string()))?;
//!         Ok((request, ()))
//!     }
//!     fn decode(&self, _call: &Call, response: HttpResponse, _sent: ()) -> Result<String, Error> {
//!         Ok(String::from_utf8_lossy(response.body()).into_owned())
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let transport = transport_fn(|_| async {
//!     Ok(http::Response::new(Bytes::from_static(b"100")))
//! });
//! assert_eq!(execute(&Plain, &transport, &Balance).await.unwrap(), "100");
//!
//! let failing = transport_fn(|_| async {
//!     Ok(http::Response::builder().status(502).body(Bytes::new()).unwrap())
//! });
//! let err = execute(&Plain, &failing, &Balance).await.unwrap_err();
//! assert!(err.is_retry_safe() && !err.needs_query()); // a query moved no money
//! # });
//! ```

use http::Method;

use crate::transport::{HttpRequest, HttpResponse};
use crate::{Call, CallKind, Error, HttpTransport};

/// One endpoint of a provider, implemented by its request type beside that type.
pub trait Operation {
    /// The typed answer (the provider's data, before any wrapper its codec adds).
    type Answer;
    /// The operation's name: the CLI's and the logs' (`order-realtime`).
    const NAME: &'static str;
    /// The HTTP method.
    const METHOD: Method;
    /// The path after the base URL.
    const PATH: &'static str;
    /// A query, or a mutation with the merchant's order id: decides how failures are reported
    /// ([`Call::classify`]).
    fn kind(&self) -> CallKind;
    /// Checks every field before anything is sent.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field.
    fn validate(&self) -> Result<(), Error>;
    /// The request's fields under their wire names, as `cnpay <provider> <operation> --help`
    /// documents them. Every provider operation lists all its fields; cnpay-cli's tests fail
    /// for an operation whose table is empty or disagrees with [`Operation::EXAMPLE`].
    const FIELDS: &'static [FieldDoc] = &[];
    /// A working request for the CLI's `--data` (JSON, wire names): it passes
    /// [`Operation::validate`] when read into the request type.
    const EXAMPLE: &'static str = "{}";
}

/// Whether a request field must be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The spec requires it.
    Required,
    /// It may be left out.
    Optional,
    /// Required in the case the text names (`"when pay_type is 01"`).
    RequiredWhen(&'static str),
}

/// One request field as the CLI's help documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDoc {
    /// The wire name (`card_no`).
    pub name: &'static str,
    /// Whether it must be sent.
    pub presence: Presence,
    /// Its format and rules (`"yuan, 2 decimals, > 0"`, `"string, at most 64"`, `"https URL"`).
    pub format: &'static str,
    /// What it is, from the spec (`"收款人银行卡号 (the payee's bank card number)"`).
    pub description: &'static str,
}

impl FieldDoc {
    /// A required field.
    #[must_use]
    pub const fn required(
        name: &'static str,
        format: &'static str,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            presence: Presence::Required,
            format,
            description,
        }
    }

    /// An optional field.
    #[must_use]
    pub const fn optional(
        name: &'static str,
        format: &'static str,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            presence: Presence::Optional,
            format,
            description,
        }
    }

    /// A field required in the case `when` names.
    #[must_use]
    pub const fn required_when(
        name: &'static str,
        when: &'static str,
        format: &'static str,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            presence: Presence::RequiredWhen(when),
            format,
            description,
        }
    }
}

/// What the CLI knows of an operation without running it: one entry of a provider's catalog,
/// taken from the operation itself ([`OperationDoc::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationDoc {
    /// [`Operation::NAME`].
    pub name: &'static str,
    /// [`Operation::PATH`].
    pub path: &'static str,
    /// [`Operation::FIELDS`].
    pub fields: &'static [FieldDoc],
    /// [`Operation::EXAMPLE`].
    pub example: &'static str,
}

impl OperationDoc {
    /// The entry of operation `O`.
    #[must_use]
    pub const fn of<O: Operation>() -> Self {
        Self {
            name: O::NAME,
            path: O::PATH,
            fields: O::FIELDS,
            example: O::EXAMPLE,
        }
    }
}

/// The names of a catalog, in its order, for a `const` list of operation names:
/// `pub const OPERATIONS: &[&str] = &names::<{ CATALOG.len() }>(CATALOG);`
///
/// # Panics
/// At compile time, when `N` is not the catalog's length.
#[must_use]
pub const fn names<const N: usize>(catalog: &[OperationDoc]) -> [&'static str; N] {
    assert!(catalog.len() == N, "N must be the catalog's length");
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = catalog[i].name;
        i += 1;
    }
    out
}

/// How a provider's client puts an operation on the wire and reads its answer (signing,
/// encryption, envelopes). Implemented once per provider, for all its operations.
pub trait Codec<O: Operation> {
    /// The provider's name (logs, errors).
    const PROVIDER: &'static str;
    /// What encoding hands to decoding (the request id sent, a nonce…).
    type Sent;
    /// What a successful call returns.
    type Output;
    /// Builds the request (signed, sealed) for a checked operation.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when it cannot be built; nothing has been sent.
    fn encode(&self, op: &O) -> Result<(HttpRequest, Self::Sent), Error>;
    /// Verifies and decodes a 2xx answer. A provider's refusal is [`Error::Provider`] carrying
    /// the provider's request id where it sent one. Errors are classified by [`execute`].
    ///
    /// # Errors
    /// [`Error::Decode`], [`Error::Signature`], [`Error::Decrypt`], [`Error::Provider`].
    fn decode(
        &self,
        call: &Call,
        response: HttpResponse,
        sent: Self::Sent,
    ) -> Result<Self::Output, Error>;
    /// The provider's request id of an answer, where it carries one; attached to every error
    /// about that answer and recorded in the call's span. The default reads the
    /// `x-request-id` or `request-id` header.
    fn request_id(&self, response: &HttpResponse) -> Option<String> {
        ["x-request-id", "request-id"].iter().find_map(|name| {
            let value = response.headers().get(*name)?.to_str().ok()?.trim();
            (!value.is_empty()).then(|| value.to_owned())
        })
    }
}

/// The [`Call`] of `op` (its provider, name and kind).
pub fn call_of<O: Operation, C: Codec<O>>(op: &O) -> Call {
    Call {
        provider: C::PROVIDER,
        operation: O::NAME,
        kind: op.kind(),
    }
}

/// Runs `op`: checks it, encodes it, sends it once through `transport`, turns a non-2xx status
/// into [`Error::HttpStatus`], decodes the answer; every failure after sending is classified
/// by the call's kind ([`Call::classify`]; transport failures by [`Call::send`]) and carries
/// the provider's request id where the answer had one ([`Codec::request_id`]). Never resends.
///
/// The call runs in a `tracing` span `provider_call` with `provider`, `operation`, the masked
/// `order_id` of a mutation, and, once known, `request_id`, `outcome` (`ok` or the error's
/// kind) and `money_may_have_moved` (a mutation that succeeded, or whose failure
/// [`needs_query`](Error::needs_query)).
///
/// # Errors
/// [`Error::InvalidInput`] before anything is sent; [`Error::Transport`] /
/// [`Error::UnknownOutcome`]; [`Error::HttpStatus`]; whatever [`Codec::decode`] returns.
pub async fn execute<O, C>(
    codec: &C,
    transport: &dyn HttpTransport,
    op: &O,
) -> Result<C::Output, Error>
where
    O: Operation,
    C: Codec<O>,
{
    op.validate()?;
    let (request, sent) = codec.encode(op)?;
    let call = call_of::<O, C>(op);
    let span = tracing::info_span!(
        "provider_call",
        provider = C::PROVIDER,
        operation = O::NAME,
        order_id = call.order_id().map(crate::pii::mask_digit_runs),
        request_id = tracing::field::Empty,
        outcome = tracing::field::Empty,
        money_may_have_moved = tracing::field::Empty,
    );
    let result = tracing::Instrument::instrument(
        send_and_decode(codec, transport, &call, request, sent),
        span.clone(),
    )
    .await;
    let mutation = matches!(call.kind, CallKind::Mutation { .. });
    let (outcome, moved) = match &result {
        Ok(_) => ("ok", mutation),
        Err(e) => (e.kind_name(), e.needs_query()),
    };
    span.record("outcome", outcome);
    span.record("money_may_have_moved", moved);
    if let Some(id) = result.as_ref().err().and_then(Error::request_id) {
        span.record("request_id", id);
    }
    result
}

async fn send_and_decode<O, C>(
    codec: &C,
    transport: &dyn HttpTransport,
    call: &Call,
    request: crate::transport::HttpRequest,
    sent: C::Sent,
) -> Result<C::Output, Error>
where
    O: Operation,
    C: Codec<O>,
{
    let response = call.send(transport, request).await?;
    let request_id = codec.request_id(&response);
    if let Some(id) = &request_id {
        tracing::Span::current().record("request_id", id.as_str());
    }
    call.ensure_success(response)
        .and_then(|response| codec.decode(call, response, sent))
        .map_err(|e| call.classify(e).with_request_id(request_id.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::transport_fn;
    use bytes::Bytes;

    /// `POST /pay`: a mutation of order `O1`.
    struct Pay;

    impl Operation for Pay {
        type Answer = String;
        const NAME: &'static str = "pay";
        const METHOD: Method = Method::POST;
        const PATH: &'static str = "/pay";
        fn kind(&self) -> CallKind {
            CallKind::mutation("O1")
        }
        fn validate(&self) -> Result<(), Error> {
            Ok(())
        }
    }

    /// Answers are JSON strings.
    struct Json;

    impl Codec<Pay> for Json {
        const PROVIDER: &'static str = "json";
        type Sent = ();
        type Output = String;
        fn encode(&self, _op: &Pay) -> Result<(HttpRequest, ()), Error> {
            let request = http::Request::builder()
                .method(Pay::METHOD)
                .uri("http://gw.example/pay")
                .body(Bytes::new())
                .expect("a static request builds");
            Ok((request, ()))
        }
        fn decode(&self, call: &Call, response: HttpResponse, _sent: ()) -> Result<String, Error> {
            call.decode_json(response.body())
        }
    }

    fn answering(status: u16, body: &'static str) -> impl HttpTransport {
        transport_fn(move |_| async move {
            Ok(http::Response::builder()
                .status(status)
                .header("x-request-id", "req-42")
                .body(Bytes::from_static(body.as_bytes()))
                .expect("a static response builds"))
        })
    }

    fn run(transport: &dyn HttpTransport) -> Result<String, Error> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime builds")
            .block_on(execute(&Json, transport, &Pay))
    }

    #[test]
    fn every_error_about_an_answer_carries_the_request_id_and_the_order() {
        for (status, body) in [(502, "bad gateway"), (200, "<html>")] {
            let err = run(&answering(status, body)).unwrap_err();
            assert_eq!(err.request_id(), Some("req-42"), "{err:?}");
            assert_eq!(err.order_id(), Some("O1"), "{err:?}");
            assert!(err.needs_query() && !err.is_retry_safe(), "{err:?}");
        }
        let err = run(&answering(502, "bad gateway")).unwrap_err();
        let Error::HttpStatus { headers, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            headers.get("x-request-id").map(|v| v.as_bytes()),
            Some(&b"req-42"[..])
        );
        assert_eq!(run(&answering(200, "\"ok\"")).unwrap(), "ok");
    }
}

//! The HTTP transport: a trait every client sends through, and the call pipeline that turns
//! transport failures into the right [`Error`].
//!
//! Requests and responses are plain [`http`] types with a [`Bytes`] body, so a custom
//! transport (a proxy, middleware, a test double) needs nothing from reqwest. The default
//! transport, [`ReqwestTransport`](crate::ReqwestTransport), is behind the `reqwest` feature.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::Stream;

use crate::{BoxError, Error};

/// A request, as a provider client built it.
pub type HttpRequest = http::Request<Bytes>;
/// A response, with the whole body read.
pub type HttpResponse = http::Response<Bytes>;
/// A body read chunk by chunk (for large downloads).
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, TransportError>> + Send>>;
/// A response whose body is read as a stream.
pub type StreamingResponse = http::Response<BodyStream>;

/// The default time a request may take, end to end.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default limit on a response body held in memory (16 MiB).
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Sends HTTP requests.
///
/// Implementations must say, in every error, whether the request may have reached the server
/// ([`TransportError::request_sent`]): that is what separates a safe retry from a possible
/// double payment.
///
/// A closure works as a transport through [`transport_fn`]:
///
/// ```
/// use pay_core::transport::{transport_fn, HttpTransport};
///
/// let transport = transport_fn(|_req| async {
///     Ok(http::Response::builder().status(200).body(bytes::Bytes::from_static(b"{}")).unwrap())
/// });
/// # let _ = transport;
/// ```
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync + fmt::Debug {
    /// Sends the request and reads the whole response body.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;

    /// Sends the request and returns the body as a stream. The default reads the whole body
    /// with [`send`](Self::send); transports that can stream should override it.
    async fn send_streaming(
        &self,
        request: HttpRequest,
    ) -> Result<StreamingResponse, TransportError> {
        let response = self.send(request).await?;
        let (parts, body) = response.into_parts();
        let stream: BodyStream = Box::pin(futures_util::stream::iter([Ok(body)]));
        Ok(http::Response::from_parts(parts, stream))
    }
}

/// A transport shared between clients.
pub type SharedTransport = Arc<dyn HttpTransport>;

/// A transport failure, and whether the request may have been sent.
#[derive(Debug, thiserror::Error)]
#[error("{kind}")]
pub struct TransportError {
    kind: TransportErrorKind,
    #[source]
    source: Option<BoxError>,
}

/// What kind of transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The request could not be built or the connection could not be made: nothing was sent.
    Connect,
    /// The time limit passed after the request was (or may have been) sent.
    Timeout,
    /// The connection failed while sending the request or reading the response.
    Io,
    /// The response body exceeded the size limit.
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportErrorKind::Connect => f.write_str("could not connect"),
            TransportErrorKind::Timeout => f.write_str("timed out"),
            TransportErrorKind::Io => f.write_str("connection failed during the exchange"),
            TransportErrorKind::BodyTooLarge { limit } => {
                write!(f, "response body over the {limit}-byte limit")
            }
        }
    }
}

impl TransportError {
    /// A failure of the given kind.
    pub fn new(kind: TransportErrorKind, source: Option<BoxError>) -> Self {
        TransportError { kind, source }
    }

    /// Nothing was sent (connection refused, DNS, TLS handshake).
    pub fn connect(source: impl Into<BoxError>) -> Self {
        TransportError::new(TransportErrorKind::Connect, Some(source.into()))
    }

    /// Timed out after the request may have been sent.
    pub fn timeout(source: impl Into<BoxError>) -> Self {
        TransportError::new(TransportErrorKind::Timeout, Some(source.into()))
    }

    /// The connection failed after the request may have been sent.
    pub fn io(source: impl Into<BoxError>) -> Self {
        TransportError::new(TransportErrorKind::Io, Some(source.into()))
    }

    /// The response body was over `limit` bytes.
    pub fn body_too_large(limit: usize) -> Self {
        TransportError::new(TransportErrorKind::BodyTooLarge { limit }, None)
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the request may have reached the server.
    pub fn request_sent(&self) -> bool {
        !matches!(self.kind, TransportErrorKind::Connect)
    }
}

/// Wraps a closure as an [`HttpTransport`] (see the trait's example).
pub fn transport_fn<F, Fut>(f: F) -> FnTransport<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<HttpResponse, TransportError>> + Send,
{
    FnTransport(f)
}

/// A closure used as a transport; built by [`transport_fn`].
pub struct FnTransport<F>(F);

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnTransport")
    }
}

#[async_trait::async_trait]
impl<F, Fut> HttpTransport for FnTransport<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<HttpResponse, TransportError>> + Send,
{
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (self.0)(request).await
    }
}

/// What a call does, which decides how its failures are reported (see [`Call::classify`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallKind {
    /// Reads state only; resending it is always safe. Every failure after sending is
    /// retry-safe ([`Error::Transport`], or an answer error marked read-only) and none
    /// [`needs_query`](Error::needs_query) or carries an order id.
    Query,
    /// Moves money or changes state; carries the merchant's order id. A failure after sending
    /// becomes [`Error::UnknownOutcome`] with that id, and is never resent automatically.
    Mutation {
        /// The merchant's order id (or other identity) that settles the outcome by query.
        order_id: Option<String>,
    },
}

impl CallKind {
    /// A mutation identified by `order_id`.
    pub fn mutation(order_id: impl Into<String>) -> Self {
        CallKind::Mutation {
            order_id: Some(order_id.into()),
        }
    }

    /// The order id of a mutation.
    pub fn order_id(&self) -> Option<&str> {
        match self {
            CallKind::Query => None,
            CallKind::Mutation { order_id } => order_id.as_deref(),
        }
    }
}

/// One call to a provider: its name (for logs) and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The provider.
    pub provider: &'static str,
    /// The operation, e.g. `order-realtime`.
    pub operation: &'static str,
    /// Query or mutation.
    pub kind: CallKind,
}

impl Call {
    /// A read-only call.
    pub fn query(provider: &'static str, operation: &'static str) -> Self {
        Call {
            provider,
            operation,
            kind: CallKind::Query,
        }
    }

    /// A state-changing call for `order_id`.
    pub fn mutation(
        provider: &'static str,
        operation: &'static str,
        order_id: impl Into<String>,
    ) -> Self {
        Call {
            provider,
            operation,
            kind: CallKind::mutation(order_id),
        }
    }

    /// The order id of a mutation.
    pub fn order_id(&self) -> Option<&str> {
        self.kind.order_id()
    }

    /// Maps a transport failure to the error the caller should see.
    pub fn transport_error(&self, err: TransportError) -> Error {
        match (&self.kind, err.request_sent()) {
            (CallKind::Mutation { order_id }, true) => Error::UnknownOutcome {
                order_id: order_id.clone(),
                source: Box::new(err),
            },
            _ => Error::Transport {
                source: Box::new(err),
            },
        }
    }

    /// Sends `request` once through `transport`, logging the call (without bodies) and mapping
    /// failures: see [`CallKind`]. The response is returned whatever its status; use
    /// [`Call::ensure_success`] where a non-2xx status is an error.
    ///
    /// # Errors
    /// [`Error::Transport`] or [`Error::UnknownOutcome`].
    pub async fn send(
        &self,
        transport: &dyn HttpTransport,
        request: HttpRequest,
    ) -> Result<HttpResponse, Error> {
        let started = Instant::now();
        let method = request.method().clone();
        // A path can carry personal data (Huifu's `bank_check/card/{card}`): digit runs are
        // masked in the log.
        let path = crate::pii::mask_digit_runs(request.uri().path());
        let result = transport.send(request).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok(response) => {
                tracing::debug!(
                    provider = self.provider,
                    operation = self.operation,
                    order_id = self.order_id(),
                    %method,
                    path,
                    status = response.status().as_u16(),
                    elapsed_ms,
                    "provider call"
                );
                Ok(response)
            }
            Err(err) => {
                tracing::warn!(
                    provider = self.provider,
                    operation = self.operation,
                    order_id = self.order_id(),
                    %method,
                    path,
                    elapsed_ms,
                    request_sent = err.request_sent(),
                    error = %err,
                    "provider call failed"
                );
                Err(self.transport_error(err))
            }
        }
    }

    /// As [`Call::send`], returning the body as a stream.
    ///
    /// # Errors
    /// [`Error::Transport`] or [`Error::UnknownOutcome`].
    pub async fn send_streaming(
        &self,
        transport: &dyn HttpTransport,
        request: HttpRequest,
    ) -> Result<StreamingResponse, Error> {
        transport
            .send_streaming(request)
            .await
            .map_err(|e| self.transport_error(e))
    }

    /// Classifies an error about this call's answer (an HTTP status, a signature, a decryption,
    /// a decoding failure, a provider refusal) by the call's kind. This is the one place where
    /// the rule for read-only calls lives:
    ///
    /// - a [`CallKind::Query`] moved no money: its `HttpStatus`, `Signature`, `Decrypt` and
    ///   `Decode` errors record the query in their context, which makes them
    ///   [retry-safe](Error::is_retry_safe) and never [`needs_query`](Error::needs_query), and
    ///   no error of a query carries an order id;
    /// - a [`CallKind::Mutation`] may have moved money: its order id is attached, which makes
    ///   those errors [`needs_query`](Error::needs_query).
    ///
    /// [`Call::ensure_success`] and [`Call::decode_json`] apply it; provider crates pass every
    /// other error about an answer through it. Transport failures are mapped by
    /// [`Call::send`] instead; other variants are returned unchanged.
    ///
    /// ```
    /// use pay_core::{Call, Error, SignatureErrorKind};
    ///
    /// let forged = || Error::signature(SignatureErrorKind::Mismatch);
    /// let e = Call::mutation("p", "payout", "O1").classify(forged());
    /// assert!(e.needs_query() && !e.is_retry_safe() && e.order_id() == Some("O1"));
    /// let e = Call::query("p", "query").classify(forged());
    /// assert!(!e.needs_query() && e.is_retry_safe() && e.order_id().is_none());
    /// ```
    #[must_use]
    pub fn classify(&self, err: Error) -> Error {
        match &self.kind {
            CallKind::Query => err.into_read_only(),
            CallKind::Mutation { order_id } => err.with_order_id(order_id.as_deref()),
        }
    }

    /// Turns a non-2xx response into [`Error::HttpStatus`], classified by [`Call::classify`].
    ///
    /// # Errors
    /// [`Error::HttpStatus`].
    pub fn ensure_success(&self, response: HttpResponse) -> Result<HttpResponse, Error> {
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(self.classify(Error::http_response(response)))
        }
    }

    /// Decodes a JSON body into `T`, naming the failing field, keeping the raw body on error;
    /// the error is classified by [`Call::classify`].
    ///
    /// # Errors
    /// [`Error::Decode`].
    pub fn decode_json<T: serde::de::DeserializeOwned>(&self, body: &Bytes) -> Result<T, Error> {
        crate::decode::json(body).map_err(|e| self.classify(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(status: u16, body: &'static str) -> Result<HttpResponse, TransportError> {
        Ok(http::Response::builder()
            .status(status)
            .body(Bytes::from_static(body.as_bytes()))
            .unwrap_or_default())
    }

    fn req() -> HttpRequest {
        http::Request::builder()
            .method("POST")
            .uri("http://localhost/x")
            .body(Bytes::new())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn maps_failures_by_call_kind() {
        let refused = transport_fn(|_| async {
            Err(TransportError::connect(std::io::Error::from(
                std::io::ErrorKind::ConnectionRefused,
            )))
        });
        let timeout = transport_fn(|_| async {
            Err(TransportError::timeout(std::io::Error::from(
                std::io::ErrorKind::TimedOut,
            )))
        });
        let pay = Call::mutation("p", "pay", "O1");
        let query = Call::query("p", "query");

        let e = pay.send(&refused, req()).await.unwrap_err();
        assert!(matches!(e, Error::Transport { .. }) && e.is_retry_safe());

        let e = pay.send(&timeout, req()).await.unwrap_err();
        assert!(matches!(e, Error::UnknownOutcome { .. }));
        assert_eq!(e.order_id(), Some("O1"));
        assert!(!e.is_retry_safe() && e.needs_query());

        let e = query.send(&timeout, req()).await.unwrap_err();
        assert!(matches!(e, Error::Transport { .. }) && e.is_retry_safe());
    }

    #[tokio::test]
    async fn ensure_success_keeps_body_and_order() {
        let t = transport_fn(|_| async { ok(503, "busy") });
        let pay = Call::mutation("p", "pay", "O2");
        let resp = pay.send(&t, req()).await.unwrap();
        match pay.ensure_success(resp).unwrap_err() {
            Error::HttpStatus {
                status,
                body,
                context,
                ..
            } => {
                assert_eq!(status, 503);
                assert_eq!(body.as_bytes(), b"busy");
                assert_eq!(context.order_id(), Some("O2"));
                assert!(!context.is_read_only());
            }
            other => panic!("{other:?}"),
        }
        let t = transport_fn(|_| async { ok(200, "{\"a\":1}") });
        let resp = pay
            .ensure_success(pay.send(&t, req()).await.unwrap())
            .unwrap();
        let v: serde_json::Value = pay.decode_json(resp.body()).unwrap();
        assert_eq!(v["a"], 1);
        let e = pay
            .decode_json::<serde_json::Value>(&Bytes::from_static(b"<html>"))
            .unwrap_err();
        assert!(e.needs_query());
        assert!(!e.is_retry_safe());
    }

    #[tokio::test]
    async fn a_query_answer_never_needs_a_query() {
        let t = transport_fn(|_| async { ok(503, "busy") });
        let query = Call::query("p", "query");
        let resp = query.send(&t, req()).await.unwrap();
        let e = query.ensure_success(resp).unwrap_err();
        assert!(
            matches!(
                e,
                Error::HttpStatus {
                    status: 503,
                    ref context,
                    ..
                } if context.is_read_only() && context.order_id().is_none()
            ),
            "{e:?}"
        );
        assert!(e.is_retry_safe() && !e.needs_query());

        let e = query
            .decode_json::<serde_json::Value>(&Bytes::from_static(b"<html>"))
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::Decode { ref context, .. } if context.is_read_only()
            ),
            "{e:?}"
        );
        assert!(e.is_retry_safe() && !e.needs_query());
        assert_eq!(e.order_id(), None);

        // An order id a provider attached before classifying is dropped, and one attached
        // afterwards is refused: a query's error never asks for a query.
        let sig = Error::signature(crate::SignatureErrorKind::Missing).with_order_id(Some("O9"));
        let e = query.classify(sig).with_order_id(Some("O9"));
        assert!(e.is_retry_safe() && !e.needs_query());
        assert_eq!(e.order_id(), None);

        let e = query.classify(Error::decrypt("bad padding"));
        assert!(e.is_retry_safe() && !e.needs_query());

        // Transport failures and local errors are left as they are.
        let e = query.classify(Error::invalid_input("x", "y"));
        assert!(matches!(e, Error::InvalidInput { .. }) && !e.is_retry_safe());
    }

    #[test]
    fn a_mutation_answer_needs_a_query() {
        let pay = Call::mutation("p", "pay", "O7");
        for e in [
            Error::http_status(400, "bad"),
            Error::signature(crate::SignatureErrorKind::Mismatch),
            Error::decode("x", "y"),
        ] {
            let e = pay.classify(e);
            assert!(e.needs_query() && !e.is_retry_safe(), "{e:?}");
            assert_eq!(e.order_id(), Some("O7"));
        }
    }

    #[tokio::test]
    async fn default_streaming_wraps_the_body() {
        use futures_util::StreamExt;
        let t = transport_fn(|_| async { ok(200, "abc") });
        let resp = t.send_streaming(req()).await.unwrap();
        let chunks: Vec<_> = resp.into_body().collect().await;
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].as_ref().unwrap().as_ref(), b"abc");
    }
}

#[cfg(feature = "reqwest")]
pub(crate) mod reqwest;

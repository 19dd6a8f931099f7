//! The fault matrix of issue 9: every provider, one money-moving and one read-only endpoint,
//! each against every network and response fault a payment client meets in production.
//!
//! A provider's test file describes its two endpoints as [`Endpoint`]s (how to call them, a
//! correctly signed success response, the same response unsigned and wrongly signed) and calls
//! [`run_matrix`]. Every cell runs against a fresh server: wiremock where it can express the
//! fault, a raw [`tokio::net::TcpListener`] on `127.0.0.1:0` where it cannot (a reset, a
//! truncated body, a slow body, a chunked body over the limit). Each cell checks the exact
//! [`pay_core::Error`] variant (with its transport kind, HTTP status or signature kind),
//! [`Error::is_retry_safe`], [`Error::needs_query`], [`Error::order_id`], and that the request
//! was handed to the transport once and reached the server once: the library never resends.
//!
//! The observed results are rendered as a Markdown table and compared with the provider's
//! section of `docs/FAULTS.md` ([`check_doc`]); `CNPAY_BLESS=1` rewrites the section.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pay_core::transport::{HttpRequest, HttpResponse, HttpTransport, TransportErrorKind};
use pay_core::{Error, SharedTransport, TransportError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The client's time limit for a whole exchange in the matrix.
pub const TIMEOUT: Duration = Duration::from_millis(300);
/// The client's limit on a response body in the matrix.
pub const BODY_LIMIT: usize = 4096;
/// How long the server waits before answering in the timeout cell (well past [`TIMEOUT`]).
const SERVER_DELAY: Duration = Duration::from_secs(3);
/// The pause between two bytes of a slow body: the whole body takes far longer than [`TIMEOUT`].
const SLOW_BYTE: Duration = Duration::from_millis(60);

/// A fault injected between the client and the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// No fault: a correctly signed success. The control cell: it proves that the endpoint
    /// description is right, so that the signature cells fail for the signature alone.
    None,
    /// Nothing listens on the port: the request is never sent.
    ConnectionRefused,
    /// The server read the whole request and answers after the client's timeout.
    TimeoutBeforeResponse,
    /// The server sends the headers and half the body, then resets the connection (RST).
    ResetMidResponse,
    /// The server announces a `Content-Length`, sends half of it, and closes cleanly (FIN).
    TruncatedBody,
    /// `503 Service Unavailable`.
    ServerError,
    /// `400 Bad Request`.
    ClientError,
    /// `200` with a body that is not JSON.
    GarbageJson,
    /// `200` with the success body padded past the client's body limit (`Content-Length` set).
    OverLimit,
    /// As [`Fault::OverLimit`], chunked, so the limit is only found while reading.
    OverLimitChunked,
    /// The success body with its signature removed.
    MissingSignature,
    /// The success body signed with another key.
    WrongSignature,
    /// The headers at once, then the body a byte at a time, slower than the client's timeout.
    SlowBody,
}

impl Fault {
    /// Every cell of the matrix, in table order.
    pub const ALL: [Fault; 13] = [
        Fault::None,
        Fault::ConnectionRefused,
        Fault::TimeoutBeforeResponse,
        Fault::ResetMidResponse,
        Fault::TruncatedBody,
        Fault::ServerError,
        Fault::ClientError,
        Fault::GarbageJson,
        Fault::OverLimit,
        Fault::OverLimitChunked,
        Fault::MissingSignature,
        Fault::WrongSignature,
        Fault::SlowBody,
    ];

    /// The cell's name in the table.
    pub fn label(self) -> &'static str {
        match self {
            Fault::None => "none (a valid answer)",
            Fault::ConnectionRefused => "connection refused",
            Fault::TimeoutBeforeResponse => "timeout before the response",
            Fault::ResetMidResponse => "reset mid-response",
            Fault::TruncatedBody => "truncated body",
            Fault::ServerError => "HTTP 503",
            Fault::ClientError => "HTTP 400",
            Fault::GarbageJson => "garbage JSON",
            Fault::OverLimit => "body over the limit",
            Fault::OverLimitChunked => "body over the limit, chunked",
            Fault::MissingSignature => "missing signature",
            Fault::WrongSignature => "wrong signature",
            Fault::SlowBody => "slow body",
        }
    }

    /// Whether the request reaches a server in this cell.
    pub fn reaches_server(self) -> bool {
        self != Fault::ConnectionRefused
    }
}

/// A response a server gives: status, content type and body.
#[derive(Clone, PartialEq, Eq)]
pub struct Canned {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
}

impl fmt::Debug for Canned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Canned")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl Canned {
    /// A `200` JSON body.
    pub fn json(body: impl Into<Vec<u8>>) -> Canned {
        Canned {
            status: 200,
            content_type: "application/json; charset=utf-8".to_owned(),
            body: body.into(),
        }
    }

    /// A `200` body of another content type.
    pub fn with_type(content_type: &str, body: impl Into<Vec<u8>>) -> Canned {
        Canned {
            status: 200,
            content_type: content_type.to_owned(),
            body: body.into(),
        }
    }

    fn template(&self) -> ResponseTemplate {
        ResponseTemplate::new(self.status).set_body_raw(self.body.clone(), &self.content_type)
    }

    /// The same body padded with JSON whitespace past [`BODY_LIMIT`]: still valid, so only the
    /// limit can reject it.
    fn padded(&self) -> Canned {
        let mut body = self.body.clone();
        body.resize(body.len() + 2 * BODY_LIMIT, b' ');
        Canned {
            status: self.status,
            content_type: self.content_type.clone(),
            body,
        }
    }
}

/// Whether an endpoint moves money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A money-moving call for this merchant order id.
    Mutation {
        /// The merchant order id every post-send failure must carry.
        order_id: String,
    },
    /// A read-only query: no error of it carries an order id or asks for a query, and every
    /// one is retry-safe (pay-core's `Call::classify`, the same for every provider).
    Query,
}

/// The future a call returns.
pub type CallFuture = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;
/// Calls the endpoint once on a client built with `base_url` and `transport`.
pub type CallFn = Arc<dyn Fn(String, SharedTransport) -> CallFuture + Send + Sync>;

/// One endpoint under test.
#[derive(Clone)]
pub struct Endpoint {
    /// The provider crate.
    pub provider: &'static str,
    /// The endpoint's name in the table.
    pub name: &'static str,
    /// The HTTP method the endpoint uses.
    pub method: &'static str,
    /// The path of the request the server must see.
    pub path: String,
    /// Money-moving or read-only.
    pub kind: Kind,
    /// A correctly signed success response.
    pub success: Canned,
    /// The success response without its signature; `None` when the provider does not sign its
    /// responses (the signature cells are then reported as not applicable).
    pub unsigned: Option<Canned>,
    /// The success response signed with another key; `None` as for `unsigned`.
    pub wrongly_signed: Option<Canned>,
    /// Cells where the library is known to be wrong: `(fault, what is wrong)`. The matrix
    /// records what it observes there without asserting it; the provider's test file holds an
    /// `#[ignore = "bug: …"]` test asserting the right answer with [`run_cell_strict`].
    pub bugs: Vec<(Fault, &'static str)>,
    /// Calls the endpoint.
    pub call: CallFn,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("provider", &self.provider)
            .field("name", &self.name)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// What a cell must observe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The error as [`describe`] writes it (`"Ok"` for a success).
    pub error: String,
    /// [`Error::is_retry_safe`].
    pub retry_safe: bool,
    /// [`Error::needs_query`].
    pub needs_query: bool,
    /// [`Error::order_id`].
    pub order_id: Option<String>,
}

/// What a cell observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The error as [`describe`] writes it (`"Ok"` for a success).
    pub error: String,
    /// [`Error::is_retry_safe`] (false for a success).
    pub retry_safe: bool,
    /// [`Error::needs_query`] (false for a success).
    pub needs_query: bool,
    /// [`Error::order_id`].
    pub order_id: Option<String>,
    /// How many times the client handed a request to the transport.
    pub transport_calls: usize,
    /// How many requests the server read, and whether each had the endpoint's method and path.
    pub server_requests: Vec<(String, String)>,
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// The endpoint's name.
    pub endpoint: &'static str,
    /// Mutation or query.
    pub money_moving: bool,
    /// The fault.
    pub fault: Fault,
    /// What was observed, or `None` for a cell that does not apply.
    pub observed: Option<Observed>,
    /// A known bug in this cell.
    pub bug: Option<&'static str>,
}

/// Writes an error as its variant and the detail that decides what to do: the transport kind,
/// the HTTP status, the signature kind, the provider code.
pub fn describe(result: &Result<(), Error>) -> String {
    let err = match result {
        Ok(()) => return "Ok".to_owned(),
        Err(e) => e,
    };
    match err {
        Error::InvalidInput { field, .. } => format!("InvalidInput({field})"),
        Error::Io { source } => format!("Io({:?})", source.kind()),
        Error::Transport { source } => format!("Transport({})", transport_kind(source.as_ref())),
        Error::UnknownOutcome { source, .. } => {
            format!("UnknownOutcome({})", transport_kind(source.as_ref()))
        }
        Error::HttpStatus { status, .. } => format!("HttpStatus({status})"),
        Error::Signature { kind, .. } => format!("Signature({kind:?})"),
        Error::Decrypt { .. } => "Decrypt".to_owned(),
        Error::Decode { .. } => "Decode".to_owned(),
        Error::Provider(p) => format!("Provider({}, {:?})", p.code, p.kind),
        other => format!("unexpected: {other}"),
    }
}

fn transport_kind(source: &(dyn std::error::Error + Send + Sync + 'static)) -> String {
    match source
        .downcast_ref::<TransportError>()
        .map(TransportError::kind)
    {
        Some(TransportErrorKind::Connect) => "connect".to_owned(),
        Some(TransportErrorKind::Timeout) => "timeout".to_owned(),
        Some(TransportErrorKind::Io) => "io".to_owned(),
        Some(TransportErrorKind::BodyTooLarge { limit }) => format!("body over {limit} B"),
        Some(other) => format!("{other:?}"),
        None => format!("not a TransportError: {source}"),
    }
}

/// The answer pay-core's contract gives for `fault` on an endpoint of `kind`.
///
/// - Nothing sent (refused): `Transport(connect)`, retry-safe, for every call.
/// - Sent, no complete answer (timeout, reset, truncation, slow or oversized body): a mutation
///   is `UnknownOutcome` carrying its order id (query it, do not resend); a query is `Transport`,
///   retry-safe.
/// - An answer that cannot be trusted or read (HTTP error, garbage, bad signature): on a
///   mutation the variant carries the order id, which makes it `needs_query`, and is not
///   retry-safe; on a query it carries no order id, is retry-safe and never `needs_query`.
pub fn expectation(endpoint: &Endpoint, fault: Fault) -> Option<Expected> {
    let sent_order = match &endpoint.kind {
        Kind::Mutation { order_id } => Some(order_id.clone()),
        Kind::Query => None,
    };
    let lost = |kind: &str| match &sent_order {
        Some(id) => Expected {
            error: format!("UnknownOutcome({kind})"),
            retry_safe: false,
            needs_query: true,
            order_id: Some(id.clone()),
        },
        None => Expected {
            error: format!("Transport({kind})"),
            retry_safe: true,
            needs_query: false,
            order_id: None,
        },
    };
    let untrusted = |error: String| Expected {
        error,
        retry_safe: sent_order.is_none(),
        needs_query: sent_order.is_some(),
        order_id: sent_order.clone(),
    };
    let too_large = format!("body over {BODY_LIMIT} B");
    Some(match fault {
        Fault::None => Expected {
            error: "Ok".to_owned(),
            retry_safe: false,
            needs_query: false,
            order_id: None,
        },
        Fault::ConnectionRefused => Expected {
            error: "Transport(connect)".to_owned(),
            retry_safe: true,
            needs_query: false,
            order_id: None,
        },
        Fault::TimeoutBeforeResponse | Fault::SlowBody => lost("timeout"),
        Fault::ResetMidResponse | Fault::TruncatedBody => lost("io"),
        Fault::OverLimit | Fault::OverLimitChunked => lost(&too_large),
        Fault::ServerError => untrusted("HttpStatus(503)".to_owned()),
        Fault::ClientError => untrusted("HttpStatus(400)".to_owned()),
        Fault::GarbageJson => untrusted("Decode".to_owned()),
        Fault::MissingSignature => {
            endpoint.unsigned.as_ref()?;
            untrusted("Signature(Missing)".to_owned())
        }
        Fault::WrongSignature => {
            endpoint.wrongly_signed.as_ref()?;
            untrusted("Signature(Mismatch)".to_owned())
        }
    })
}

/// A transport that counts the requests handed to it, in front of the real one.
#[derive(Debug)]
pub struct CountingTransport {
    inner: pay_core::ReqwestTransport,
    calls: AtomicUsize,
}

impl CountingTransport {
    /// The matrix's transport: reqwest with [`TIMEOUT`] and [`BODY_LIMIT`].
    ///
    /// # Panics
    /// When the TLS backend cannot be initialised.
    #[allow(clippy::expect_used)]
    pub fn new() -> Arc<CountingTransport> {
        let inner = pay_core::ReqwestTransport::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .body_limit(BODY_LIMIT)
            .build()
            .expect("reqwest transport");
        Arc::new(CountingTransport {
            inner,
            calls: AtomicUsize::new(0),
        })
    }

    /// How many requests were handed to the transport.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl HttpTransport for CountingTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.send(request).await
    }
}

/// What a raw TCP server does once it has read a whole request.
#[derive(Debug, Clone)]
enum RawBehaviour {
    /// Headers and half the body, then RST.
    Reset(Canned),
    /// Headers announcing the whole body, half of it, then FIN.
    Truncate(Canned),
    /// Headers, then one byte every [`SLOW_BYTE`].
    Slow(Canned),
    /// A chunked body, in chunks of 512 bytes.
    Chunked(Canned),
}

/// A server on a raw TCP listener, for the faults wiremock cannot express.
struct RawServer {
    base_url: String,
    requests: Arc<Mutex<Vec<(String, String)>>>,
    task: JoinHandle<()>,
}

impl RawServer {
    #[allow(clippy::expect_used)]
    async fn start(behaviour: RawBehaviour) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            // Serve every connection, so that a resend would be seen and counted.
            while let Ok((stream, _)) = listener.accept().await {
                let seen = Arc::clone(&seen);
                let behaviour = behaviour.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, &behaviour, &seen).await;
                });
            }
        });
        RawServer {
            base_url: format!("http://{addr}"),
            requests,
            task,
        }
    }

    fn requests(&self) -> Vec<(String, String)> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request (head and `Content-Length` body) and returns its method and path.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<(String, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
    };
    let head = String::from_utf8_lossy(buf.get(..head_end).unwrap_or_default()).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default();
    let path = target.split('?').next().unwrap_or_default().to_owned();
    let content_length = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut have = buf.len() - head_end;
    while have < content_length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        have += n;
    }
    Ok((method, path))
}

fn head(canned: &Canned, framing: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {} X\r\ncontent-type: {}\r\n{framing}\r\n\r\n",
        canned.status, canned.content_type
    )
    .into_bytes()
}

async fn serve(
    mut stream: TcpStream,
    behaviour: &RawBehaviour,
    seen: &Mutex<Vec<(String, String)>>,
) -> std::io::Result<()> {
    let request = read_request(&mut stream).await?;
    seen.lock().unwrap_or_else(|p| p.into_inner()).push(request);
    match behaviour {
        RawBehaviour::Reset(c) | RawBehaviour::Truncate(c) => {
            let half = c.body.get(..c.body.len() / 2).unwrap_or_default();
            stream
                .write_all(&head(c, &format!("content-length: {}", c.body.len())))
                .await?;
            stream.write_all(half).await?;
            stream.flush().await?;
            // Let the client read the head and the first half before the connection ends.
            tokio::time::sleep(Duration::from_millis(50)).await;
            if matches!(behaviour, RawBehaviour::Reset(_)) {
                stream.set_zero_linger()?;
                drop(stream);
            } else {
                stream.shutdown().await?;
            }
        }
        RawBehaviour::Slow(c) => {
            stream
                .write_all(&head(c, &format!("content-length: {}", c.body.len())))
                .await?;
            stream.flush().await?;
            for byte in &c.body {
                tokio::time::sleep(SLOW_BYTE).await;
                stream.write_all(std::slice::from_ref(byte)).await?;
                stream.flush().await?;
            }
        }
        RawBehaviour::Chunked(c) => {
            stream
                .write_all(&head(c, "transfer-encoding: chunked"))
                .await?;
            for part in c.body.chunks(512) {
                stream
                    .write_all(format!("{:x}\r\n", part.len()).as_bytes())
                    .await?;
                stream.write_all(part).await?;
                stream.write_all(b"\r\n").await?;
            }
            stream.write_all(b"0\r\n\r\n").await?;
            stream.flush().await?;
        }
    }
    Ok(())
}

/// Runs one cell: starts the fault's server, calls the endpoint once, and reports what was
/// observed. `None` when the cell does not apply (a signature fault on an unsigned API).
#[allow(clippy::expect_used)]
pub async fn observe(endpoint: &Endpoint, fault: Fault) -> Option<Observed> {
    let transport = CountingTransport::new();
    let shared: SharedTransport = transport.clone();
    let call = |base: String| (endpoint.call)(base, Arc::clone(&shared));

    let wiremock = |template: ResponseTemplate| async move {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(template)
            .mount(&server)
            .await;
        server
    };
    let raw = |behaviour: RawBehaviour| RawServer::start(behaviour);

    let (result, server_requests) = match fault {
        Fault::ConnectionRefused => {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("local addr");
            drop(listener);
            (call(format!("http://{addr}")).await, Vec::new())
        }
        Fault::ResetMidResponse => {
            let s = raw(RawBehaviour::Reset(endpoint.success.clone())).await;
            (call(s.base_url.clone()).await, s.requests())
        }
        Fault::TruncatedBody => {
            let s = raw(RawBehaviour::Truncate(endpoint.success.clone())).await;
            (call(s.base_url.clone()).await, s.requests())
        }
        Fault::SlowBody => {
            let s = raw(RawBehaviour::Slow(endpoint.success.clone())).await;
            (call(s.base_url.clone()).await, s.requests())
        }
        Fault::OverLimitChunked => {
            let s = raw(RawBehaviour::Chunked(endpoint.success.padded())).await;
            (call(s.base_url.clone()).await, s.requests())
        }
        _ => {
            let template = match fault {
                Fault::None => endpoint.success.template(),
                Fault::TimeoutBeforeResponse => endpoint.success.template().set_delay(SERVER_DELAY),
                Fault::ServerError => ResponseTemplate::new(503)
                    .set_body_raw("service unavailable", "text/plain; charset=utf-8"),
                Fault::ClientError => ResponseTemplate::new(400)
                    .set_body_raw("bad request", "text/plain; charset=utf-8"),
                Fault::GarbageJson => ResponseTemplate::new(200)
                    .set_body_raw("{\"code\":\"0000\",\"data\":<html>", "application/json"),
                Fault::OverLimit => endpoint.success.padded().template(),
                Fault::MissingSignature => endpoint.unsigned.as_ref()?.template(),
                Fault::WrongSignature => endpoint.wrongly_signed.as_ref()?.template(),
                _ => unreachable!("raw faults are handled above"),
            };
            let server = wiremock(template).await;
            let result = call(server.uri()).await;
            let requests = server
                .received_requests()
                .await
                .expect("wiremock records requests")
                .into_iter()
                .map(|r| (r.method.to_string(), r.url.path().to_owned()))
                .collect();
            (result, requests)
        }
    };
    Some(Observed {
        error: describe(&result),
        retry_safe: result.as_ref().err().is_some_and(Error::is_retry_safe),
        needs_query: result.as_ref().err().is_some_and(Error::needs_query),
        order_id: result
            .as_ref()
            .err()
            .and_then(Error::order_id)
            .map(str::to_owned),
        transport_calls: transport.calls(),
        server_requests,
    })
}

/// Every way `observed` differs from what the cell must show; empty when it is right.
pub fn mismatches(
    endpoint: &Endpoint,
    fault: Fault,
    expected: &Expected,
    observed: &Observed,
) -> Vec<String> {
    let mut out = Vec::new();
    let cell = format!(
        "{} {} / {}",
        endpoint.provider,
        endpoint.name,
        fault.label()
    );
    if observed.error != expected.error {
        out.push(format!(
            "{cell}: error {} (expected {})",
            observed.error, expected.error
        ));
    }
    if observed.retry_safe != expected.retry_safe {
        out.push(format!(
            "{cell}: is_retry_safe() {} (expected {})",
            observed.retry_safe, expected.retry_safe
        ));
    }
    if observed.needs_query != expected.needs_query {
        out.push(format!(
            "{cell}: needs_query() {} (expected {})",
            observed.needs_query, expected.needs_query
        ));
    }
    if observed.order_id != expected.order_id {
        out.push(format!(
            "{cell}: order_id() {:?} (expected {:?})",
            observed.order_id, expected.order_id
        ));
    }
    if observed.transport_calls != 1 {
        out.push(format!(
            "{cell}: {} requests handed to the transport (expected exactly 1)",
            observed.transport_calls
        ));
    }
    let want_server = usize::from(fault.reaches_server());
    if observed.server_requests.len() != want_server {
        out.push(format!(
            "{cell}: the server saw {} requests (expected {want_server})",
            observed.server_requests.len()
        ));
    }
    for (method, path) in &observed.server_requests {
        if method != endpoint.method || *path != endpoint.path {
            out.push(format!(
                "{cell}: the server saw {method} {path} (expected {} {})",
                endpoint.method, endpoint.path
            ));
        }
    }
    out
}

/// Runs one cell and asserts the contract's answer for it, known bug or not (for the
/// `#[ignore = "bug: …"]` tests).
///
/// # Panics
/// When the cell does not show the contract's answer.
pub async fn run_cell_strict(endpoint: &Endpoint, fault: Fault) {
    let (Some(expected), Some(observed)) =
        (expectation(endpoint, fault), observe(endpoint, fault).await)
    else {
        panic!(
            "{} {} / {}: not applicable",
            endpoint.provider,
            endpoint.name,
            fault.label()
        );
    };
    let problems = mismatches(endpoint, fault, &expected, &observed);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Runs every cell of every endpoint, asserts each (known-bug cells are recorded, not asserted)
/// and returns the table rows.
///
/// # Panics
/// With every mismatch listed, when any cell is wrong.
pub async fn run_matrix(endpoints: &[Endpoint]) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for endpoint in endpoints {
        for fault in Fault::ALL {
            let bug = endpoint
                .bugs
                .iter()
                .find(|(f, _)| *f == fault)
                .map(|(_, why)| *why);
            let expected = expectation(endpoint, fault);
            let observed = observe(endpoint, fault).await;
            match (&expected, &observed) {
                (Some(e), Some(o)) if bug.is_none() => {
                    problems.extend(mismatches(endpoint, fault, e, o));
                }
                (Some(_), Some(_)) | (None, None) => {}
                (e, o) => problems.push(format!(
                    "{} {} / {}: applicable {} but ran {}",
                    endpoint.provider,
                    endpoint.name,
                    fault.label(),
                    e.is_some(),
                    o.is_some()
                )),
            }
            rows.push(Row {
                endpoint: endpoint.name,
                money_moving: matches!(endpoint.kind, Kind::Mutation { .. }),
                fault,
                observed,
                bug,
            });
        }
    }
    assert!(
        problems.is_empty(),
        "{} cell(s) wrong:\n{}",
        problems.len(),
        problems.join("\n")
    );
    rows
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The provider's table, in Markdown.
pub fn render(rows: &[Row]) -> String {
    let mut out = String::from(
        "| endpoint | fault | error | retry-safe | needs-query | order id | sent / seen |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let endpoint = format!(
            "`{}` ({})",
            row.endpoint,
            if row.money_moving {
                "moves money"
            } else {
                "read-only"
            }
        );
        let line = match &row.observed {
            None => format!(
                "| {endpoint} | {} | n/a: the provider does not sign responses | | | | |\n",
                row.fault.label()
            ),
            Some(o) => {
                let error = match row.bug {
                    Some(why) => format!("`{}` **bug**: {why}", o.error),
                    None => format!("`{}`", o.error),
                };
                format!(
                    "| {endpoint} | {} | {error} | {} | {} | {} | {} / {} |\n",
                    row.fault.label(),
                    yes_no(o.retry_safe),
                    yes_no(o.needs_query),
                    o.order_id
                        .as_deref()
                        .map_or("—".to_owned(), |id| format!("`{id}`")),
                    o.transport_calls,
                    o.server_requests.len(),
                )
            }
        };
        out.push_str(&line);
    }
    out
}

/// The path of `docs/FAULTS.md`.
pub fn doc_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/FAULTS.md")
}

fn markers(provider: &str) -> (String, String) {
    (
        format!(
            "<!-- BEGIN {provider} (generated by tests/tests/faults_*.rs; CNPAY_BLESS=1 rewrites) -->\n"
        ),
        format!("<!-- END {provider} -->\n"),
    )
}

/// Replaces (or appends) the provider's section of `doc` with `table`.
pub fn with_section(doc: &str, provider: &str, table: &str) -> String {
    let (begin, end) = markers(provider);
    let section = format!("{begin}{table}{end}");
    match (doc.find(&begin), doc.find(&end)) {
        (Some(b), Some(e)) if e > b => {
            format!("{}{section}{}", &doc[..b], &doc[e + end.len()..])
        }
        _ => format!("{doc}\n## {provider}\n\n{section}"),
    }
}

/// The provider's section of `doc`, if present.
pub fn section<'a>(doc: &'a str, provider: &str) -> Option<&'a str> {
    let (begin, end) = markers(provider);
    let b = doc.find(&begin)? + begin.len();
    let e = doc[b..].find(&end)? + b;
    Some(&doc[b..e])
}

/// A line diff of `expected` (in the file) and `actual` (observed): `-` lines only in the file,
/// `+` lines only observed.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    // Longest common subsequence, small tables only.
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push_str(&format!("- {}\n", old[i]));
            i += 1;
        } else {
            out.push_str(&format!("+ {}\n", new[j]));
            j += 1;
        }
    }
    out
}

/// Compares the provider's section of `docs/FAULTS.md` with the table of `rows`; with
/// `CNPAY_BLESS=1` rewrites the section instead.
///
/// # Panics
/// With a diff, when the section differs from the observed table.
#[allow(clippy::expect_used)]
pub fn check_doc(provider: &str, rows: &[Row]) {
    let table = render(rows);
    let path = doc_path();
    let doc = std::fs::read_to_string(&path).unwrap_or_default();
    if std::env::var_os("CNPAY_BLESS").is_some_and(|v| v == "1") {
        let updated = with_section(&doc, provider, &table);
        if updated != doc {
            std::fs::write(&path, updated).expect("write docs/FAULTS.md");
        }
        return;
    }
    let in_file = section(&doc, provider).unwrap_or_default();
    assert!(
        in_file == table,
        "docs/FAULTS.md is out of date for {provider} (run with CNPAY_BLESS=1 to rewrite it):\n{}",
        line_diff(in_file, &table)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_round_trip() {
        let doc = "# Title\n\nintro\n";
        let once = with_section(doc, "p", "| a |\n");
        assert_eq!(section(&once, "p"), Some("| a |\n"));
        let twice = with_section(&once, "p", "| b |\n");
        assert_eq!(section(&twice, "p"), Some("| b |\n"));
        assert_eq!(twice.matches("BEGIN p").count(), 1);
        let other = with_section(&twice, "q", "| c |\n");
        assert_eq!(section(&other, "p"), Some("| b |\n"));
        assert_eq!(section(&other, "q"), Some("| c |\n"));
    }

    /// A client that sends a mutation twice and reads every failure as retry-safe: the
    /// matrix must report both, so the matrix itself can fail.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_resending_client_is_caught() {
        let endpoint = Endpoint {
            provider: "fake",
            name: "pay",
            method: "POST",
            path: "/pay".to_owned(),
            kind: Kind::Mutation {
                order_id: "O1".to_owned(),
            },
            success: Canned::json("{}"),
            unsigned: None,
            wrongly_signed: None,
            bugs: Vec::new(),
            call: Arc::new(|base, transport| {
                Box::pin(async move {
                    let call = pay_core::Call::mutation("fake", "pay", "O1");
                    for _ in 0..2 {
                        let request = http::Request::builder()
                            .method("POST")
                            .uri(format!("{base}/pay"))
                            .body(bytes::Bytes::from_static(b"x"))
                            .map_err(|e| Error::invalid_input("uri", e.to_string()))?;
                        let _ = call.send(transport.as_ref(), request).await;
                    }
                    Err(Error::Transport {
                        source: "invented".into(),
                    })
                })
            }),
        };
        let expected = expectation(&endpoint, Fault::ServerError).unwrap_or_else(|| panic!());
        let observed = observe(&endpoint, Fault::ServerError)
            .await
            .unwrap_or_else(|| panic!());
        assert_eq!(observed.transport_calls, 2);
        assert_eq!(observed.server_requests.len(), 2);
        let problems = mismatches(&endpoint, Fault::ServerError, &expected, &observed);
        assert_eq!(
            problems,
            [
                "fake pay / HTTP 503: error Transport(not a TransportError: invented) \
                 (expected HttpStatus(503))",
                "fake pay / HTTP 503: is_retry_safe() true (expected false)",
                "fake pay / HTTP 503: needs_query() false (expected true)",
                "fake pay / HTTP 503: order_id() None (expected Some(\"O1\"))",
                "fake pay / HTTP 503: 2 requests handed to the transport (expected exactly 1)",
                "fake pay / HTTP 503: the server saw 2 requests (expected 1)",
            ]
        );
    }

    /// A query client that reports a failed answer as needing a query (the order id attached,
    /// not classified by the call): the matrix must catch it.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_query_asking_for_a_query_is_caught() {
        let endpoint = Endpoint {
            provider: "fake",
            name: "query",
            method: "POST",
            path: "/query".to_owned(),
            kind: Kind::Query,
            success: Canned::json("{}"),
            unsigned: None,
            wrongly_signed: None,
            bugs: Vec::new(),
            call: Arc::new(|base, transport| {
                Box::pin(async move {
                    let call = pay_core::Call::query("fake", "query");
                    let request = http::Request::builder()
                        .method("POST")
                        .uri(format!("{base}/query"))
                        .body(bytes::Bytes::from_static(b"x"))
                        .map_err(|e| Error::invalid_input("uri", e.to_string()))?;
                    let response = call.send(transport.as_ref(), request).await?;
                    let status = response.status().as_u16();
                    Err(Error::http_status(status, response.into_body()).with_order_id(Some("O1")))
                })
            }),
        };
        let expected = expectation(&endpoint, Fault::ServerError).unwrap_or_else(|| panic!());
        assert!(expected.retry_safe && !expected.needs_query && expected.order_id.is_none());
        let observed = observe(&endpoint, Fault::ServerError)
            .await
            .unwrap_or_else(|| panic!());
        let problems = mismatches(&endpoint, Fault::ServerError, &expected, &observed);
        assert_eq!(
            problems,
            [
                "fake query / HTTP 503: is_retry_safe() false (expected true)",
                "fake query / HTTP 503: needs_query() true (expected false)",
                "fake query / HTTP 503: order_id() Some(\"O1\") (expected None)",
            ]
        );
    }

    #[test]
    fn diff_marks_changed_lines() {
        assert_eq!(line_diff("a\nb\nc\n", "a\nx\nc\n"), "- b\n+ x\n");
        assert_eq!(line_diff("a\n", "a\n"), "");
    }
}

//! Helpers for testing provider crates and merchants' code (feature `test-util`).

use std::collections::VecDeque;
use std::sync::Mutex;

use bytes::Bytes;

use crate::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};

/// Starts a wiremock server with a lowest-priority catch-all that answers `500 unmatched
/// request`, so a request no mock expected fails with a readable message.
pub async fn mock_server() -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(500).set_body_string("unmatched request"))
        .with_priority(u8::MAX)
        .named("catch-all")
        .mount(&server)
        .await;
    server
}

/// A transport that records every request and answers from a queue of canned responses (or
/// failures); an empty queue answers `500`.
#[derive(Debug, Default)]
pub struct RecordingTransport {
    requests: Mutex<Vec<HttpRequest>>,
    responses: Mutex<VecDeque<Result<HttpResponse, TransportError>>>,
}

impl RecordingTransport {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a response with `status` and `body`.
    pub fn push_response(&self, status: u16, body: impl Into<Bytes>) -> &Self {
        let mut resp = http::Response::new(body.into());
        *resp.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
        self.lock_responses().push_back(Ok(resp));
        self
    }

    /// Queues a transport failure.
    pub fn push_error(&self, err: TransportError) -> &Self {
        self.lock_responses().push_back(Err(err));
        self
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn lock_responses(
        &self,
    ) -> std::sync::MutexGuard<'_, VecDeque<Result<HttpResponse, TransportError>>> {
        self.responses.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait::async_trait]
impl HttpTransport for RecordingTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(request);
        self.lock_responses().pop_front().unwrap_or_else(|| {
            let mut resp = http::Response::new(Bytes::from_static(b"no canned response"));
            *resp.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            Ok(resp)
        })
    }
}

/// Parses a form body into pairs (for assertions on what a server received).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    crate::form::decode(body)
}

/// The value of `key` in form pairs.
pub fn form_value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A minimal HTTP/1.1 keep-alive server on `127.0.0.1` that answers every request with one
/// fixed `200` response, for round-trip benchmarks: wiremock's request matching would cost more
/// than the client being measured. Each connection is served by a plain thread with blocking
/// reads; the server lives until the process ends.
///
/// ```
/// use std::io::{Read, Write};
///
/// let addr = pay_core::test_util::start_answer_server("application/json", "{\"ok\":true}")?;
/// let mut sock = std::net::TcpStream::connect(addr)?;
/// sock.write_all(b"POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 2\r\n\r\nhi")?;
/// let mut buf = [0u8; 512];
/// let n = sock.read(&mut buf)?;
/// assert!(String::from_utf8_lossy(&buf[..n]).ends_with("{\"ok\":true}"));
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// When no local port can be bound.
pub fn start_answer_server(
    content_type: &str,
    body: &str,
) -> std::io::Result<std::net::SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let response: std::sync::Arc<[u8]> = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: keep-alive\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
    .into();
    std::thread::spawn(move || {
        for sock in listener.incoming().flatten() {
            let response = response.clone();
            std::thread::spawn(move || answer_every_request(sock, &response));
        }
    });
    Ok(addr)
}

/// Reads requests (headers, then `content-length` bytes) off one connection and answers each.
fn answer_every_request(mut sock: std::net::TcpStream, response: &[u8]) {
    use std::io::{Read, Write};
    let _ = sock.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match sock.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap_or(0));
        while buf.len() < head_end + len {
            match sock.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + len);
        if sock.write_all(response).is_err() {
            return;
        }
    }
}

/// A criterion group name with the value of `CNPAY_BENCH_SUFFIX` appended (ASCII letters,
/// digits and `-` only; anything else is ignored). `cargo xtask bench` sets it to `-one-cpu`
/// for the round trips it runs a second time pinned to one CPU, so that both runs keep their
/// own rows.
///
/// ```
/// assert!(pay_core::test_util::bench_group("round-trip-x").starts_with("round-trip-x"));
/// ```
pub fn bench_group(name: &str) -> String {
    match std::env::var("CNPAY_BENCH_SUFFIX") {
        Ok(suffix)
            if suffix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
        {
            format!("{name}{suffix}")
        }
        _ => name.to_owned(),
    }
}

/// Times `ours` and `baseline` in alternating rounds of about 2 ms and prints the best and the
/// median round of each, when `CNPAY_BENCH_INTERLEAVED` is set (otherwise does nothing). On a
/// busy machine this ratio is steadier than criterion's, which measures one function for
/// seconds and then the other.
#[allow(clippy::print_stdout)]
pub fn interleaved<A, B>(name: &str, mut ours: impl FnMut() -> A, mut baseline: impl FnMut() -> B) {
    fn round<T>(f: &mut impl FnMut() -> T, n: u32) -> u128 {
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(f());
        }
        t.elapsed().as_nanos() / u128::from(n)
    }
    if std::env::var_os("CNPAY_BENCH_INTERLEAVED").is_none() {
        return;
    }
    let once = round(&mut ours, 10).max(1);
    let n = u32::try_from((2_000_000 / once).clamp(1, 100_000)).unwrap_or(1);
    let (mut o, mut b) = (Vec::new(), Vec::new());
    for i in 0..200 {
        if i % 2 == 0 {
            o.push(round(&mut ours, n));
            b.push(round(&mut baseline, n));
        } else {
            b.push(round(&mut baseline, n));
            o.push(round(&mut ours, n));
        }
    }
    o.sort_unstable();
    b.sort_unstable();
    let ratio = |x: u128, y: u128| {
        format!(
            "{}.{:02}",
            x * 100 / y.max(1) / 100,
            x * 100 / y.max(1) % 100
        )
    };
    let (best_o, best_b) = (o[0], b[0]);
    let (med_o, med_b) = (o[o.len() / 2], b[b.len() / 2]);
    println!(
        "interleaved {name}: best ours {best_o} ns, baseline {best_b} ns, ratio {}; median ours {med_o} ns, baseline {med_b} ns, ratio {}",
        ratio(best_o, best_b),
        ratio(med_o, med_b),
    );
}

/// Checks a provider's operation catalog (its `CATALOG`) for what the CLI's help promises:
/// every operation documents at least one field, no field twice, a field's format and
/// description are given, and its `EXAMPLE` is a JSON object whose keys are documented fields
/// and which holds every [`Presence::Required`](crate::operation::Presence) field. Whether the
/// example passes the operation's validation is the provider's own test (it needs the request
/// type).
///
/// # Panics
/// With the operation and field that break a rule.
pub fn check_catalog(catalog: &[crate::operation::OperationDoc]) {
    use crate::operation::Presence;
    for op in catalog {
        let name = op.name;
        assert!(!op.fields.is_empty(), "{name}: no fields documented");
        for (i, f) in op.fields.iter().enumerate() {
            assert!(
                !op.fields[..i].iter().any(|g| g.name == f.name),
                "{name}: field {} documented twice",
                f.name
            );
            assert!(
                !f.format.trim().is_empty() && !f.description.trim().is_empty(),
                "{name}: field {} lacks its format or description",
                f.name
            );
        }
        let example: serde_json::Value = serde_json::from_str(op.example)
            .unwrap_or_else(|e| panic!("{name}: EXAMPLE is not JSON: {e}"));
        let example = example
            .as_object()
            .unwrap_or_else(|| panic!("{name}: EXAMPLE is not a JSON object"));
        for key in example.keys() {
            assert!(
                op.fields.iter().any(|f| f.name == key),
                "{name}: EXAMPLE has {key}, which FIELDS does not document"
            );
        }
        for f in op.fields {
            if f.presence == Presence::Required {
                assert!(
                    example.contains_key(f.name),
                    "{name}: EXAMPLE lacks the required field {}",
                    f.name
                );
            }
        }
    }
}

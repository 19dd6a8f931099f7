//! The default transport, on reqwest with rustls.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

use super::{
    BodyStream, DEFAULT_BODY_LIMIT, DEFAULT_TIMEOUT, HttpRequest, HttpResponse, HttpTransport,
    StreamingResponse, TransportError,
};

/// An [`HttpTransport`] on [reqwest](https://docs.rs/reqwest) with rustls: connection reuse,
/// a 30 s default timeout, a 16 MiB default limit on bodies read into memory, no redirects
/// followed (a payment API that redirects is misconfigured or hijacked).
///
/// ```
/// use std::time::Duration;
/// use pay_core::ReqwestTransport;
///
/// let transport = ReqwestTransport::builder()
///     .timeout(Duration::from_secs(10))
///     .body_limit(1 << 20)
///     .build()?;
/// # let _ = transport;
/// # Ok::<(), pay_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    body_limit: usize,
}

/// Builds a [`ReqwestTransport`].
#[derive(Debug)]
pub struct ReqwestTransportBuilder {
    timeout: Duration,
    connect_timeout: Duration,
    body_limit: usize,
    user_agent: String,
}

impl ReqwestTransport {
    /// A transport with the defaults.
    ///
    /// # Errors
    /// [`crate::Error::Transport`] when the TLS backend cannot be initialised.
    pub fn new() -> Result<Self, crate::Error> {
        Self::builder().build()
    }

    /// A builder for a transport with custom settings.
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: Duration::from_secs(10),
            body_limit: DEFAULT_BODY_LIMIT,
            user_agent: concat!("cnpay/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// Wraps a client you configured yourself (proxy, certificates). Disable redirects on it.
    pub fn from_client(client: reqwest::Client, body_limit: usize) -> Self {
        ReqwestTransport { client, body_limit }
    }

    fn to_reqwest(&self, request: HttpRequest) -> Result<reqwest::Request, TransportError> {
        let (parts, body) = request.into_parts();
        let url = reqwest::Url::parse(&parts.uri.to_string()).map_err(TransportError::connect)?;
        let mut req = reqwest::Request::new(parts.method, url);
        *req.headers_mut() = parts.headers;
        *req.body_mut() = Some(reqwest::Body::from(body));
        Ok(req)
    }
}

impl ReqwestTransportBuilder {
    /// The time limit for a whole exchange (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time limit for connecting (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest body read into memory (default 16 MiB). Streaming downloads are not limited.
    pub fn body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Builds the transport.
    ///
    /// # Errors
    /// [`crate::Error::Transport`] when the TLS backend cannot be initialised.
    pub fn build(self) -> Result<ReqwestTransport, crate::Error> {
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(self.user_agent)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| crate::Error::Transport {
                source: Box::new(TransportError::connect(e)),
            })?;
        Ok(ReqwestTransport {
            client,
            body_limit: self.body_limit,
        })
    }
}

/// Maps a reqwest error to its kind. The URL is dropped from the error first: it can hold
/// personal data (Huifu's `bank_check/card/{card}` path) and signed query strings, and errors
/// end up in logs and reports. The call's operation and (masked) path are logged separately.
fn classify(err: reqwest::Error) -> TransportError {
    let err = err.without_url();
    if err.is_connect() || err.is_builder() {
        TransportError::connect(err)
    } else if err.is_timeout() {
        TransportError::timeout(err)
    } else {
        TransportError::io(err)
    }
}

/// The status, version and headers of `resp` (the headers moved out, not copied).
fn into_http(resp: &mut reqwest::Response) -> http::response::Builder {
    let mut builder = http::Response::builder()
        .status(resp.status())
        .version(resp.version());
    if let Some(headers) = builder.headers_mut() {
        *headers = std::mem::take(resp.headers_mut());
    }
    builder
}

#[async_trait::async_trait]
impl HttpTransport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let req = self.to_reqwest(request)?;
        let mut resp = self.client.execute(req).await.map_err(classify)?;
        let length = resp.content_length();
        if length.is_some_and(|n| n > self.body_limit as u64) {
            return Err(TransportError::body_too_large(self.body_limit));
        }
        let builder = into_http(&mut resp);
        let body = if length.is_some() {
            // A declared length within the limit: hyper reads exactly that many bytes, and a
            // body that arrived in one piece is taken without a copy.
            resp.bytes().await.map_err(classify)?
        } else {
            let mut body = BytesMut::new();
            let mut stream = resp.bytes_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(classify)?;
                if body.len() + chunk.len() > self.body_limit {
                    return Err(TransportError::body_too_large(self.body_limit));
                }
                body.extend_from_slice(&chunk);
            }
            body.freeze()
        };
        builder.body(body).map_err(TransportError::io)
    }

    async fn send_streaming(
        &self,
        request: HttpRequest,
    ) -> Result<StreamingResponse, TransportError> {
        let req = self.to_reqwest(request)?;
        let mut resp = self.client.execute(req).await.map_err(classify)?;
        let builder = into_http(&mut resp);
        let stream: BodyStream = Box::pin(
            resp.bytes_stream()
                .map(|chunk: Result<Bytes, reqwest::Error>| chunk.map_err(classify)),
        );
        builder.body(stream).map_err(TransportError::io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::TransportErrorKind;
    use wiremock::matchers::{body_string, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn post(url: String, body: &'static str) -> HttpRequest {
        http::Request::builder()
            .method("POST")
            .uri(url)
            .header("content-type", "text/plain")
            .body(Bytes::from_static(body.as_bytes()))
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn round_trip() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/echo"))
            .and(header("content-type", "text/plain"))
            .and(body_string("hello"))
            .respond_with(ResponseTemplate::new(201).set_body_string("world"))
            .expect(1)
            .mount(&server)
            .await;
        let t = ReqwestTransport::new().unwrap();
        let resp = t
            .send(post(format!("{}/echo", server.uri()), "hello"))
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        assert_eq!(resp.body().as_ref(), b"world");
    }

    #[tokio::test]
    async fn refused_is_not_sent() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let t = ReqwestTransport::new().unwrap();
        let err = t
            .send(post(format!("http://{addr}/x"), "x"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Connect);
        assert!(!err.request_sent());
    }

    #[tokio::test]
    async fn timeout_after_send_may_be_sent() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
            .mount(&server)
            .await;
        let t = ReqwestTransport::builder()
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let err = t.send(post(server.uri(), "x")).await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Timeout);
        assert!(err.request_sent());
    }

    #[tokio::test]
    async fn body_limit() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(2048)))
            .mount(&server)
            .await;
        let t = ReqwestTransport::builder()
            .body_limit(1024)
            .build()
            .unwrap();
        let err = t.send(post(server.uri(), "x")).await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::BodyTooLarge { limit: 1024 });
        // streaming is not limited
        let resp = t.send_streaming(post(server.uri(), "x")).await.unwrap();
        let mut n = 0;
        let mut s = resp.into_body();
        while let Some(c) = s.next().await {
            n += c.unwrap().len();
        }
        assert_eq!(n, 2048);
    }

    #[tokio::test]
    async fn does_not_follow_redirects() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(302).insert_header("location", "http://example.invalid/"),
            )
            .mount(&server)
            .await;
        let t = ReqwestTransport::new().unwrap();
        let resp = t.send(post(server.uri(), "x")).await.unwrap();
        assert_eq!(resp.status(), 302);
    }
}

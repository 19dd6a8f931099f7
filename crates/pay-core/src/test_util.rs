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

//! Streaming a provider's file (a bill, an order file, a statement) from the URL its API
//! answered with, into any writer, without holding it in memory.
//!
//! A download is read-only: every failure is retry-safe ([`Call::query`]). Bytes already
//! written stay in the writer, so a repeated download starts on an empty one.

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::{Call, Error, HttpTransport};

/// The most of an error body kept when a download answers a non-2xx status.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Streams the file at `url` into `out` through `transport`; returns the number of bytes
/// written. `provider` names the provider in errors and logs.
///
/// # Errors
/// [`Error::InvalidInput`] on `url` when it is empty or not http(s);
/// [`Error::HttpStatus`] for a non-2xx answer (the first 64 KiB of its body kept; retry-safe);
/// [`Error::Transport`] when the connection fails; [`Error::Io`] when writing to or flushing
/// `out` fails (fix the local cause and download again).
pub async fn download<W: AsyncWrite + Unpin + ?Sized>(
    transport: &dyn HttpTransport,
    provider: &'static str,
    url: &str,
    out: &mut W,
) -> Result<u64, Error> {
    crate::validate::required("url", url)?;
    crate::validate::http_url("url", url)?;
    let call = Call::query(provider, "download");
    let request = http::Request::builder()
        .method(http::Method::GET)
        .uri(url)
        .body(Bytes::new())
        .map_err(|e| Error::invalid_input("url", e.to_string()))?;
    let response = call.send_streaming(transport, request).await?;
    let status = response.status();
    let mut body = response.into_body();
    if !status.is_success() {
        let mut kept = Vec::new();
        while let Some(Ok(chunk)) = body.next().await {
            let room = ERROR_BODY_LIMIT.saturating_sub(kept.len());
            kept.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
            if kept.len() >= ERROR_BODY_LIMIT {
                break;
            }
        }
        return Err(call.classify(Error::http_status(status.as_u16(), kept)));
    }
    let mut written: u64 = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| call.transport_error(e))?;
        // The caller's writer failed, not the network: a local I/O error.
        out.write_all(&chunk).await.map_err(Error::io)?;
        written += chunk.len() as u64;
    }
    out.flush().await.map_err(Error::io)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::transport_fn;

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime builds")
            .block_on(f)
    }

    #[test]
    fn streams_the_body_into_the_writer() {
        let transport = transport_fn(|req: crate::transport::HttpRequest| async move {
            assert_eq!(req.method(), http::Method::GET);
            assert_eq!(req.uri(), "http://files.example/d/20261205.txt");
            Ok(http::Response::new(Bytes::from_static(b"a,b\n1,2\n")))
        });
        let mut out = Vec::new();
        let n = block(download(
            &transport,
            "p",
            "http://files.example/d/20261205.txt",
            &mut out,
        ))
        .unwrap();
        assert_eq!((n, out.as_slice()), (8, b"a,b\n1,2\n".as_slice()));
    }

    #[test]
    fn a_refusal_keeps_its_status_and_is_retry_safe() {
        let transport = transport_fn(|_| async {
            Ok(http::Response::builder()
                .status(404)
                .body(Bytes::from_static(b"no such file"))
                .unwrap())
        });
        let mut out = Vec::new();
        let err = block(download(&transport, "p", "https://f.example/x", &mut out)).unwrap_err();
        assert!(
            matches!(err, Error::HttpStatus { status: 404, .. }),
            "{err:?}"
        );
        assert!(err.is_retry_safe() && !err.needs_query());
        assert!(out.is_empty());
    }

    #[test]
    fn a_url_that_is_not_http_is_refused_before_sending() {
        let transport = transport_fn(|_| async { panic!("nothing may be sent") });
        let mut out = Vec::new();
        for url in ["", "ftp://f.example/x", "file:///etc/passwd"] {
            let err = block(download(&transport, "p", url, &mut out)).unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { ref field, .. } if field == "url"),
                "{url}: {err:?}"
            );
        }
    }
}

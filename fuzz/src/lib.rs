//! Shared helpers of the fuzz targets: fixed test keys, a transport that answers with the fuzz
//! bytes, and a small current-thread runtime to drive the async clients.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use pay_core::SharedTransport;
use pay_core::transport::transport_fn;

/// The MD5 key of the aggregate gateway's responses and notifications (spec example).
pub const AGGREGATE_KEY: &str = "Hpcl522AV6q613KIi46u6g6XuW8vM1N8bFgyv769770MdYe9u37M4y7rIpl8";
/// The protocol gateway's app id and key (spec example).
pub const PROTOCOL_APP_ID: &str = "LFT1001";
/// The protocol gateway's key (spec example).
pub const PROTOCOL_KEY: &str = "a8f5f167f44f4964e6c998dee827110c";
/// Yunzhanghu's app key (test value).
pub const YZH_APP_KEY: &str = "0o5uUsTR3U7gbYcQjJ0BB64p5ANpMv4q";
/// Yunzhanghu's 3DES key (24 bytes, test value).
pub const YZH_DES3_KEY: &str = "123456788765432112345678";

/// A Debug-free byte splitter: the first byte selects a mode, the rest is the payload.
pub fn split_mode(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((m, rest)) => (*m, rest),
        None => (0, data),
    }
}

/// Runs `future` to completion on a shared current-thread runtime (with time enabled, since
/// clients wrap calls in timeouts).
pub fn block_on<F: Future>(future: F) -> F::Output {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    let rt = RT.get_or_init(|| {
        match tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => panic!("cannot build the fuzz runtime: {e}"),
        }
    });
    rt.block_on(future)
}

/// A transport that answers every request with `status` and `body` (as JSON).
pub fn answering(status: u16, body: Bytes) -> SharedTransport {
    Arc::new(transport_fn(move |_req| {
        let body = body.clone();
        async move {
            let mut resp = http::Response::new(body);
            *resp.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
            resp.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json;charset=UTF-8"),
            );
            Ok(resp)
        }
    }))
}

/// The HTTP status the mode byte selects: mostly 200, sometimes an error status.
pub fn status_of(mode: u8) -> u16 {
    match mode >> 5 {
        0..=5 => 200,
        6 => 500,
        _ => 400,
    }
}

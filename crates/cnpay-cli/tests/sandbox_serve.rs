//! `cnpay sandbox serve`, run as the built binary: where callbacks go (and the warning when they
//! have nowhere to go), and one line per request on stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Kills the server when the test ends, whatever happens.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_post(addr: &str, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn serve_says_where_callbacks_go_and_logs_each_request() {
    let child = Command::new(env!("CARGO_BIN_EXE_cnpay"))
        .args([
            "sandbox",
            "serve",
            "--provider",
            "yunzhanghu",
            "--port",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Child(child);
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = stdout.next().unwrap().unwrap();
    let url = first
        .strip_prefix("pay-sandbox: yunzhanghu simulator at ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let banner: Vec<String> = stdout
        .by_ref()
        .take_while(|l| l.as_ref().is_ok_and(|l| !l.starts_with("Ctrl-C")))
        .map(Result::unwrap)
        .collect();
    for line in [
        format!("  export CNPAY_YUNZHANGHU_BASE_URL={url}"),
        "callbacks: only to an order's own notify_url".to_owned(),
        "WARNING: no --yunzhanghu-notify-url: an order without notify_url gets no callback \
         (e.g. --yunzhanghu-notify-url http://127.0.0.1:8080/notify/yunzhanghu)"
            .to_owned(),
        "Requests and callbacks are logged on stderr (--quiet: not).".to_owned(),
    ] {
        assert!(banner.contains(&line), "missing `{line}` in:\n{banner:#?}");
    }

    // An unsigned request: refused, and logged with its status and reply.
    let answer = http_post(
        url.strip_prefix("http://").unwrap(),
        "/api/payment/v1/order-realtime",
        "data=x",
    );
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let logged = stderr.next().unwrap().unwrap();
    let reply = answer.split("\r\n\r\n").nth(1).unwrap();
    let status = answer.split(' ').nth(1).unwrap();
    assert_eq!(
        logged,
        format!(
            "pay-sandbox yunzhanghu <- POST /api/payment/v1/order-realtime: {status} {reply:?}"
        )
    );
}

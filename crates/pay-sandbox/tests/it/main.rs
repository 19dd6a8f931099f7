#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Drives each simulator with raw HTTP and our own signing.

mod aggregate;
mod faults;
mod huifu;
mod huifu_flows;
mod huifu_money;
mod huifu_prism;
mod huifu_rules;
mod protocol;
mod yunzhanghu;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pay_sandbox::{Provider, Sandbox, SandboxOptions};

/// A sandbox with one provider, fast statuses and a 1000× compressed schedule.
async fn sandbox(provider: Provider) -> Sandbox {
    Sandbox::start_with(
        SandboxOptions::default()
            .with_status_delay(Duration::from_millis(40))
            .with_time_compression(1000)
            .with_providers(&[provider]),
    )
    .await
    .unwrap()
}

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    query: String,
    body: String,
}

/// A tiny merchant notify endpoint: records every request and answers with the scripted
/// replies in order (the last one repeats).
#[derive(Clone, Debug)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(replies: &[&str]) -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let replies: Arc<Vec<String>> = Arc::new(replies.iter().map(|s| s.to_string()).collect());
        let g = got.clone();
        let app = axum::Router::new().fallback(
            move |method: http::Method, uri: http::Uri, body: bytes::Bytes| {
                let g = g.clone();
                let replies = replies.clone();
                async move {
                    let mut v = g.lock().unwrap();
                    v.push(Received {
                        method: method.to_string(),
                        query: uri.query().unwrap_or_default().to_owned(),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let i = (v.len() - 1).min(replies.len() - 1);
                    replies[i].clone()
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, got }
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` requests arrived.
    async fn wait(&self, n: usize) -> Vec<Received> {
        for _ in 0..300 {
            if self.received().len() >= n {
                return self.received();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("expected {n} notifications, got {:?}", self.received());
    }
}

fn form_map(text: &str) -> std::collections::BTreeMap<String, String> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

async fn wait_status(sandbox: &Sandbox, provider: Provider, id: &str, status: &str) {
    for _ in 0..300 {
        if sandbox
            .order(provider, id)
            .is_some_and(|o| o.status == status)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "{id} never reached {status}: {:?}",
        sandbox.order(provider, id)
    );
}

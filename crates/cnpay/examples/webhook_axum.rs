//! A complete webhook service: receives every provider's notifications, verifies them, keeps a
//! durable inbox so that a resend is answered but never processed twice, and prints one JSON
//! line per processed event on stdout.
//!
//! ```text
//! CNPAY_YUNZHANGHU_DEALER_ID=… CNPAY_YUNZHANGHU_BROKER_ID=… CNPAY_YUNZHANGHU_APP_KEY=… \
//!   CNPAY_YUNZHANGHU_DES3_KEY=… \
//!   cargo run -p cnpay --example webhook_axum --features full,axum,sqlite
//! ```
//!
//! - Providers: those with any `CNPAY_<PROVIDER>_…` variable set (the names the `cnpay` CLI
//!   reads; `cnpay sandbox serve` prints them for its simulators), each at
//!   `POST|GET /notify/<provider>`: `/notify/aggregate-pay`, `/notify/huifu`,
//!   `/notify/yunzhanghu`, and `/notify/protocol-pay/{pay-result,funds-arrived,payout}` (protocol
//!   pay gives each notification kind its own URL).
//! - `CNPAY_WEBHOOK_ADDR`: where it listens (default `127.0.0.1:8080`).
//! - `CNPAY_WEBHOOK_INBOX`: the inbox, `sqlite://PATH` or `postgres://…` (default
//!   `sqlite://cnpay-inbox.db`).
//!
//! Each processed event: `{"provider":"yunzhanghu","transition":{"kind":"payout",…}}`
//! (`transition` is `null` for an event that moves no money, e.g. a Huifu account opening).

#[path = "support/webhook_service.rs"]
mod webhook_service;

use std::io::Write as _;
use std::sync::Arc;

use webhook_service::{EventSink, Providers, router};

/// The service's own settings, read once at start.
struct ServiceSettings {
    addr: String,
    inbox: String,
}

impl ServiceSettings {
    fn from_env() -> Self {
        let var = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        ServiceSettings {
            addr: var("CNPAY_WEBHOOK_ADDR", "127.0.0.1:8080"),
            inbox: var("CNPAY_WEBHOOK_INBOX", "sqlite://cnpay-inbox.db"),
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Display, not Debug: the message names the variable at fault.
            eprintln!("webhook_axum: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let settings = ServiceSettings::from_env();
    let providers = Providers::from_env()?;
    let names = providers.names();
    if names.is_empty() {
        return Err("no provider configured: set its CNPAY_<PROVIDER>_… variables".into());
    }
    let guard = cnpay::core::replay_store::open(&settings.inbox).await?;
    // One line per event, written whole; a failed write (stdout closed) is a failed event.
    let sink: EventSink = Arc::new(|event| writeln!(std::io::stdout().lock(), "{event}"));
    let listener = tokio::net::TcpListener::bind(&settings.addr).await?;
    eprintln!(
        "listening on http://{}/notify/… for {}",
        listener.local_addr()?,
        names.join(", ")
    );
    axum::serve(listener, router(providers, guard, sink))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

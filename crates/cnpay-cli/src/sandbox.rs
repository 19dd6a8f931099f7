//! `cnpay sandbox serve`: one provider's simulator (pay-sandbox) on a port, until Ctrl-C, for
//! people testing their own services against it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use clap::Subcommand;
use pay_sandbox::credentials;
use pay_sandbox::{Provider, SandboxOptions, TrafficLog};

use crate::demo::{ProviderParser, chain};
use crate::error::CliError;

/// `cnpay sandbox …`
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Runs one provider's simulator until Ctrl-C.
    #[command(after_help = "Examples:
  cnpay sandbox serve --provider yunzhanghu --port 8080
  cnpay sandbox serve --provider aggregate-pay --port 3020 --realtime

Prints the base URL and the sandbox's test credentials (public test values, valid nowhere but
in the sandbox), as environment settings for the other cnpay commands (and for
`cargo run -p cnpay --example webhook_axum`), and where callbacks go. Logs one line per request
and per callback (URL, status, reply) on stderr unless --quiet. Notifications go only to
loopback notify URLs unless --allow-remote-notify is given.

Scripted outcomes, chosen by the amount's last two fen digits:
  44  fails (every provider: a payment, pay-in, payout or pay-out of 1.44, 100.44 yuan)
  33  aggregate-pay: a paid order is then completed, a second notice with status 3
      huifu: answered C00000 without trans_stat (order_query, app_pay); the order succeeds
  66  protocol-pay: a pay-in's §9 (pay result) is sent again after its §10 (funds arrived);
      a pay-out or refund gets a lean §11 (only the fields every pay-out answer has)
  55  yunzhanghu: the order is paid, then returned (status 9, detail 213) with its callback
Yunzhanghu controls (no envelope, no sign):
  POST /sandbox/orders/{order_id}/return   return a paid order now, with its callback
  POST /sandbox/orders/{order_id}/notify   send the order's current status again")]
    Serve(ServeArgs),
}

/// `cnpay sandbox serve …`
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// The provider to simulate.
    #[arg(long, value_name = "PROVIDER", value_parser = ProviderParser)]
    provider: Provider,
    /// The port; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Real-time behaviour: a 2 s status delay and the specs' notification schedules
    /// uncompressed (default: 200 ms, and schedules 1000 times faster).
    #[arg(long)]
    realtime: bool,
    /// The delay before an order moves to its next status, in milliseconds.
    #[arg(long, value_name = "MS")]
    status_delay_ms: Option<u64>,
    /// Let notifications go to hosts other than loopback.
    #[arg(long)]
    allow_remote_notify: bool,
    /// Yunzhanghu: the notify URL for orders that carry no `notify_url` (the one "configured
    /// when the dealer was opened").
    #[arg(long, value_name = "URL")]
    yunzhanghu_notify_url: Option<String>,
    /// Do not log requests and callbacks on stderr.
    #[arg(long)]
    quiet: bool,
}

/// Runs `cnpay sandbox <command>`.
pub(crate) fn run(cmd: Command) -> Result<(), CliError> {
    match cmd {
        Command::Serve(args) => serve(args),
    }
}

fn serve(args: ServeArgs) -> Result<(), CliError> {
    let mut options = if args.realtime {
        SandboxOptions::realtime()
    } else {
        SandboxOptions::default()
    };
    if let Some(ms) = args.status_delay_ms {
        options = options.with_status_delay(Duration::from_millis(ms));
    }
    options = options
        .with_providers(&[args.provider])
        .with_remote_notify(args.allow_remote_notify);
    if let Some(url) = &args.yunzhanghu_notify_url {
        options = options.with_yunzhanghu_notify_url(url.clone());
    }
    if !args.quiet {
        options = options.with_traffic_log(TrafficLog::stderr());
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::usage(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async move {
        let wanted = SocketAddr::new(args.host, args.port);
        // Bound before the banner is printed, so that a client reading the banner is never
        // refused (with --port 0 the banner names the port the system chose).
        let listener = tokio::net::TcpListener::bind(wanted)
            .await
            .map_err(|e| CliError::usage(format!("cannot listen on {wanted}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::usage(format!("cannot listen on {wanted}: {e}")))?;
        let base_url = format!("http://{addr}");
        print_banner(args.provider, &base_url, &options);
        pay_sandbox::serve_on(args.provider, listener, options)
            .await
            .map_err(|e| CliError::usage(format!("the sandbox stopped: {}", chain(&e))))?;
        out!("stopped");
        Ok(())
    })
}

/// The settings the other cnpay commands read, for the sandbox's test merchant of `provider`.
fn settings(provider: Provider, base_url: &str) -> Vec<(&'static str, String)> {
    let s = |v: &str| v.to_owned();
    match provider {
        Provider::AggregatePay => vec![
            ("CNPAY_AGGREGATE_PAY_BASE_URL", s(base_url)),
            (
                "CNPAY_AGGREGATE_PAY_MCH_ID",
                s(credentials::aggregate::MCH_ID),
            ),
            (
                "CNPAY_AGGREGATE_PAY_APP_ID",
                s(credentials::aggregate::APP_ID),
            ),
            (
                "CNPAY_AGGREGATE_PAY_KEY",
                s(credentials::aggregate::REQUEST_KEY),
            ),
            (
                "CNPAY_AGGREGATE_PAY_RESPONSE_KEY",
                s(credentials::aggregate::RESPONSE_KEY),
            ),
        ],
        Provider::ProtocolPay => vec![
            ("CNPAY_PROTOCOL_PAY_BASE_URL", s(base_url)),
            (
                "CNPAY_PROTOCOL_PAY_APP_ID",
                s(credentials::protocol::APP_ID),
            ),
            ("CNPAY_PROTOCOL_PAY_KEY", s(credentials::protocol::KEY)),
        ],
        Provider::Huifu => vec![
            ("CNPAY_HUIFU_BASE_URL", s(base_url)),
            (
                "CNPAY_HUIFU_MER_CUST_ID",
                s(credentials::huifu::MER_CUST_ID),
            ),
            ("CNPAY_HUIFU_KEY", s(credentials::huifu::CLIENT_ID)),
            ("CNPAY_HUIFU_SECRET", s(credentials::huifu::CLIENT_SECRET)),
            // The sandbox's callbacks go to loopback receivers, which the spec's rule (a
            // public bg_ret_url) would refuse.
            ("CNPAY_HUIFU_ALLOW_PRIVATE_CALLBACK_URLS", s("true")),
        ],
        Provider::Yunzhanghu => vec![
            ("CNPAY_YUNZHANGHU_BASE_URL", s(base_url)),
            (
                "CNPAY_YUNZHANGHU_DEALER_ID",
                s(credentials::yunzhanghu::DEALER_ID),
            ),
            (
                "CNPAY_YUNZHANGHU_BROKER_ID",
                s(credentials::yunzhanghu::BROKER_ID),
            ),
            (
                "CNPAY_YUNZHANGHU_APP_KEY",
                s(credentials::yunzhanghu::APP_KEY),
            ),
            (
                "CNPAY_YUNZHANGHU_DES3_KEY",
                s(credentials::yunzhanghu::DES3_KEY),
            ),
        ],
    }
}

/// Where `provider`'s callbacks go, and a warning when they have nowhere to go.
fn callbacks(provider: Provider, options: &SandboxOptions) -> Vec<String> {
    let per_order = |field: &str, example: &str| {
        vec![format!(
            "callbacks: to each order's {field} (e.g. {example} for \
             `cargo run -p cnpay --example webhook_axum`)"
        )]
    };
    match provider {
        Provider::AggregatePay => {
            per_order("notifyUrl", "http://127.0.0.1:8080/notify/aggregate-pay")
        }
        Provider::ProtocolPay => per_order(
            "outSuccessNotifyUrl, outArrivedNotifyUrl and outNotifyUrl",
            "http://127.0.0.1:8080/notify/protocol-pay/{pay-result,funds-arrived,payout}",
        ),
        Provider::Huifu => per_order("bg_ret_url", "http://127.0.0.1:8080/notify/huifu"),
        Provider::Yunzhanghu => match &options.yunzhanghu_notify_url {
            Some(url) => vec![format!(
                "callbacks: to {url} (the dealer's notify URL), or an order's own notify_url"
            )],
            None => vec![
                "callbacks: only to an order's own notify_url".to_owned(),
                "WARNING: no --yunzhanghu-notify-url: an order without notify_url gets no \
                 callback (e.g. --yunzhanghu-notify-url http://127.0.0.1:8080/notify/yunzhanghu)"
                    .to_owned(),
            ],
        },
    }
}

/// What else a user of `provider`'s sandbox needs to know.
fn notes(provider: Provider) -> Vec<String> {
    match provider {
        Provider::AggregatePay => vec![],
        Provider::ProtocolPay => vec![
            format!(
                "every outReqNo must start with {}",
                credentials::protocol::APP_ID
            ),
            format!("a known businessId: {}", credentials::protocol::BUSINESS_ID),
        ],
        Provider::Huifu => vec![
            "authentication as the Prism gateway: client_id on every request with the Prism \
             sign (or client_secret), and a user's `Authorization: Bearer` token from Prism \
             OAuth (GET /oauth/authorize, then POST /oauth/token) only on top of them; see the \
             pay-sandbox README"
                .to_owned(),
            format!("the SMS code: {}", credentials::huifu::SMS_CODE),
        ],
        Provider::Yunzhanghu => vec![format!(
            "the verify-confirm captcha: {}",
            credentials::yunzhanghu::CAPTCHA
        )],
    }
}

fn print_banner(provider: Provider, base_url: &str, options: &SandboxOptions) {
    out!("pay-sandbox: {provider} simulator at {base_url}");
    out!();
    out!("Test credentials (public sandbox values, valid nowhere else):");
    for (name, value) in settings(provider, base_url) {
        out!("  export {name}={value}");
    }
    for note in notes(provider) {
        out!("  # {note}");
    }
    out!();
    for line in callbacks(provider, options) {
        out!("{line}");
    }
    if !options.allow_remote_notify {
        out!("Notify URLs must be on loopback (127.0.0.0/8, ::1, localhost).");
    }
    out!();
    out!(
        "Orders move to their next status after {} ms; notification retries run {}x faster than \
         the spec's schedule. An amount whose fen ends in 44 (e.g. 1.44) fails; see --help for \
         the other scripted outcomes.",
        options.status_delay.as_millis(),
        options.time_compression
    );
    if options.traffic_log.is_some() {
        out!("Requests and callbacks are logged on stderr (--quiet: not).");
    }
    out!("Ctrl-C stops it.");
}

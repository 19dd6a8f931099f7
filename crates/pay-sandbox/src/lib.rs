#![doc = include_str!("../README.md")]
// Handlers return early with a finished `Response` as the error; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

mod aggregate;
mod common;
pub mod credentials;
pub mod faults;
mod huifu;
pub mod inspect;
pub mod notify;
mod prism;
mod protocol;
pub mod testkit;
mod traffic;
mod yunzhanghu;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use faults::{Fault, Faults, NOTIFY_ROUTE};
pub use inspect::{IdCardUpload, OrderSnapshot, RequestLog};
pub use notify::{NotificationLog, NotificationRecord};
pub use traffic::TrafficLog;

use crate::common::Ctx;

/// One of the four simulated providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    /// The aggregate payment gateway (`aggregate-pay`).
    AggregatePay,
    /// Protocol (escrow) pay (`protocol-pay`).
    ProtocolPay,
    /// Huifu hfpay (`huifu`).
    Huifu,
    /// Yunzhanghu realtime settlement (`yunzhanghu`).
    Yunzhanghu,
}

impl Provider {
    /// All four, in a fixed order.
    pub const ALL: [Provider; 4] = [
        Provider::AggregatePay,
        Provider::ProtocolPay,
        Provider::Huifu,
        Provider::Yunzhanghu,
    ];

    /// The provider's crate name (`aggregate-pay`, `protocol-pay`, `huifu`, `yunzhanghu`).
    pub const fn name(self) -> &'static str {
        match self {
            Provider::AggregatePay => "aggregate-pay",
            Provider::ProtocolPay => "protocol-pay",
            Provider::Huifu => "huifu",
            Provider::Yunzhanghu => "yunzhanghu",
        }
    }

    /// Parses a crate name as given by [`Provider::name`] (also `aggregate`, `protocol`).
    pub fn from_name(s: &str) -> Option<Provider> {
        match s {
            "aggregate-pay" | "aggregate" => Some(Provider::AggregatePay),
            "protocol-pay" | "protocol" => Some(Provider::ProtocolPay),
            "huifu" => Some(Provider::Huifu),
            "yunzhanghu" => Some(Provider::Yunzhanghu),
            _ => None,
        }
    }

    /// The spec's notification retry schedule: the wait before each attempt, uncompressed.
    ///
    /// - aggregate-pay: the first attempt at once, then 60/120/180/240/300 s (five retries).
    /// - yunzhanghu: 8 attempts over about 25 hours: at once, then 4 min, 10 min, 10 min, 1 h,
    ///   2 h, 6 h, 15 h.
    /// - protocol-pay and huifu: the specs only say "several times until answered"; the sandbox
    ///   uses at once, then 15 s, 30 s, 60 s, 180 s, 600 s.
    pub fn notify_schedule(self) -> Vec<Duration> {
        let secs: &[u64] = match self {
            Provider::AggregatePay => &[0, 60, 120, 180, 240, 300],
            Provider::Yunzhanghu => &[0, 240, 600, 600, 3600, 7200, 21_600, 54_000],
            Provider::ProtocolPay | Provider::Huifu => &[0, 15, 30, 60, 180, 600],
        };
        secs.iter().map(|s| Duration::from_secs(*s)).collect()
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a [`Sandbox`] behaves.
///
/// ```
/// use std::time::Duration;
/// use pay_sandbox::{Provider, SandboxOptions};
///
/// let options = SandboxOptions::default()
///     .with_status_delay(Duration::from_millis(50))
///     .with_time_compression(10_000)
///     .with_providers(&[Provider::Yunzhanghu]);
/// assert_eq!(options.providers, vec![Provider::Yunzhanghu]);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SandboxOptions {
    /// Real time between accepting an order and moving it to its next status (paid, paid out,
    /// failed). Default 200 ms.
    pub status_delay: Duration,
    /// The factor by which the notification schedules are compressed: 1 is real time, 1000 (the
    /// default) turns the aggregate gateway's 60 s retry into 60 ms.
    pub time_compression: u32,
    /// Replaces every provider's notification schedule (the wait before each attempt,
    /// uncompressed); `None` (default) uses [`Provider::notify_schedule`].
    pub notify_schedule: Option<Vec<Duration>>,
    /// The providers to start. Default: all four.
    pub providers: Vec<Provider>,
    /// Whether notifications may go to hosts other than loopback. Default `false`: a notify URL
    /// whose host is not `127.0.0.0/8`, `::1` or `localhost` is rejected when the order is placed.
    pub allow_remote_notify: bool,
    /// The time limit on one notification attempt. Default 5 s.
    pub notify_timeout: Duration,
    /// Yunzhanghu's notify URL "configured when the dealer was opened", used when an order
    /// request carries no `notify_url`. Default none.
    pub yunzhanghu_notify_url: Option<String>,
    /// Where to log one line per request answered and per notification attempt (URL, status,
    /// reply). Default none.
    pub traffic_log: Option<TrafficLog>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            status_delay: Duration::from_millis(200),
            time_compression: 1000,
            notify_schedule: None,
            providers: Provider::ALL.to_vec(),
            allow_remote_notify: false,
            notify_timeout: Duration::from_secs(5),
            yunzhanghu_notify_url: None,
            traffic_log: None,
        }
    }
}

impl SandboxOptions {
    /// Real-time behaviour for people testing their own services by hand: a 2 s status delay and
    /// the spec's notification schedules uncompressed.
    pub fn realtime() -> Self {
        SandboxOptions {
            status_delay: Duration::from_secs(2),
            time_compression: 1,
            ..SandboxOptions::default()
        }
    }

    /// Sets [`SandboxOptions::status_delay`].
    pub fn with_status_delay(mut self, delay: Duration) -> Self {
        self.status_delay = delay;
        self
    }

    /// Sets [`SandboxOptions::time_compression`] (0 is taken as 1).
    pub fn with_time_compression(mut self, factor: u32) -> Self {
        self.time_compression = factor.max(1);
        self
    }

    /// Sets [`SandboxOptions::notify_schedule`].
    pub fn with_notify_schedule(mut self, schedule: Vec<Duration>) -> Self {
        self.notify_schedule = Some(schedule);
        self
    }

    /// Sets [`SandboxOptions::providers`].
    pub fn with_providers(mut self, providers: &[Provider]) -> Self {
        self.providers = providers.to_vec();
        self
    }

    /// Sets [`SandboxOptions::allow_remote_notify`].
    pub fn with_remote_notify(mut self, allow: bool) -> Self {
        self.allow_remote_notify = allow;
        self
    }

    /// Sets [`SandboxOptions::yunzhanghu_notify_url`].
    pub fn with_yunzhanghu_notify_url(mut self, url: impl Into<String>) -> Self {
        self.yunzhanghu_notify_url = Some(url.into());
        self
    }

    /// Sets [`SandboxOptions::traffic_log`].
    pub fn with_traffic_log(mut self, log: TrafficLog) -> Self {
        self.traffic_log = Some(log);
        self
    }

    /// The schedule for `provider`, compressed.
    pub(crate) fn schedule_for(&self, provider: Provider) -> Vec<Duration> {
        let base = self
            .notify_schedule
            .clone()
            .unwrap_or_else(|| provider.notify_schedule());
        let factor = self.time_compression.max(1);
        base.into_iter().map(|d| d / factor).collect()
    }
}

/// Why the sandbox could not start or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// A listening socket could not be opened.
    #[error("could not listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP client for notifications could not be built.
    #[error("could not build the notification client")]
    Client(#[source] pay_core::Error),
    /// The server failed while running.
    #[error("server failed")]
    Serve(#[source] std::io::Error),
}

struct Running {
    provider: Provider,
    url: String,
    handle: JoinHandle<Result<(), std::io::Error>>,
    ctx: Arc<Ctx>,
}

impl fmt::Debug for Running {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Running")
            .field("provider", &self.provider)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// The running simulators, each on its own ephemeral loopback port.
///
/// ```no_run
/// # async fn demo() -> Result<(), pay_sandbox::SandboxError> {
/// let sandbox = pay_sandbox::Sandbox::start().await?;
/// let base_url = sandbox.yunzhanghu_url(); // put this in the client's Config::base_url
/// # let _ = base_url;
/// sandbox.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Sandbox {
    running: Vec<Running>,
    faults: Faults,
    notifications: NotificationLog,
    requests: RequestLog,
    shutdown: watch::Sender<bool>,
}

impl Sandbox {
    /// Starts all four simulators with the default options.
    ///
    /// # Errors
    /// [`SandboxError`] when a port cannot be opened or the notification client cannot be built.
    pub async fn start() -> Result<Sandbox, SandboxError> {
        Sandbox::start_with(SandboxOptions::default()).await
    }

    /// Starts the simulators named in `options` on ephemeral `127.0.0.1` ports.
    ///
    /// # Errors
    /// As [`Sandbox::start`].
    pub async fn start_with(options: SandboxOptions) -> Result<Sandbox, SandboxError> {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let (shutdown, _) = watch::channel(false);
        let faults = Faults::default();
        let notifications = NotificationLog::default();
        let requests = RequestLog::default();
        let options = Arc::new(options);
        let mut running = Vec::new();
        for provider in options.providers.clone() {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| SandboxError::Bind { addr, source })?;
            let local = listener
                .local_addr()
                .map_err(|source| SandboxError::Bind { addr, source })?;
            let url = format!("http://{local}");
            let ctx = Arc::new(Ctx::new(
                provider,
                url.clone(),
                options.clone(),
                faults.clone(),
                notifications.clone(),
                requests.clone(),
                shutdown.subscribe(),
            )?);
            let router = build_router(provider, ctx.clone());
            let mut stop = shutdown.subscribe();
            let handle = tokio::spawn(async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|s| *s).await;
                    })
                    .await
            });
            running.push(Running {
                provider,
                url,
                handle,
                ctx,
            });
        }
        Ok(Sandbox {
            running,
            faults,
            notifications,
            requests,
            shutdown,
        })
    }

    /// The base URL of `provider`'s simulator, or `None` if it was not started.
    pub fn url(&self, provider: Provider) -> Option<&str> {
        self.running
            .iter()
            .find(|r| r.provider == provider)
            .map(|r| r.url.as_str())
    }

    /// The aggregate gateway's base URL (empty if it was not started).
    pub fn aggregate_pay_url(&self) -> String {
        self.url(Provider::AggregatePay)
            .unwrap_or_default()
            .to_owned()
    }

    /// Protocol pay's base URL (empty if it was not started).
    pub fn protocol_pay_url(&self) -> String {
        self.url(Provider::ProtocolPay)
            .unwrap_or_default()
            .to_owned()
    }

    /// Huifu's base URL (empty if it was not started).
    pub fn huifu_url(&self) -> String {
        self.url(Provider::Huifu).unwrap_or_default().to_owned()
    }

    /// Yunzhanghu's base URL (empty if it was not started).
    pub fn yunzhanghu_url(&self) -> String {
        self.url(Provider::Yunzhanghu)
            .unwrap_or_default()
            .to_owned()
    }

    /// The fault switchboard, settable while the sandbox runs.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Every notification attempt made so far, and a way to wait for one.
    pub fn notifications(&self) -> &NotificationLog {
        &self.notifications
    }

    /// Every request received so far (provider, route, order id).
    pub fn requests(&self) -> &RequestLog {
        &self.requests
    }

    /// The current state of an order, payout, pay-in or protocol known to `provider`'s
    /// simulator, by the merchant's id (`mchOrderNo` / `mchTransOrderNo`, `outReqNo` or
    /// `transNo`, `order_id`).
    pub fn order(&self, provider: Provider, merchant_id: &str) -> Option<OrderSnapshot> {
        self.running
            .iter()
            .find(|r| r.provider == provider)
            .and_then(|r| r.ctx.snapshot(merchant_id))
    }

    /// The last ID card upload Yunzhanghu's simulator accepted for `id_card`, if any.
    pub fn yunzhanghu_id_card_upload(&self, id_card: &str) -> Option<IdCardUpload> {
        self.running
            .iter()
            .find(|r| r.provider == Provider::Yunzhanghu)
            .and_then(|r| {
                common::lock(&r.ctx.yunzhanghu)
                    .id_images
                    .get(id_card)
                    .map(|i| IdCardUpload {
                        real_name: i.real_name.clone(),
                        front_bytes: i.front_len,
                        back_bytes: i.back_len,
                    })
            })
    }

    /// Sets the Yunzhanghu notify URL used for orders that carry no `notify_url`.
    pub fn set_yunzhanghu_notify_url(&self, url: impl Into<String>) {
        if let Some(r) = self
            .running
            .iter()
            .find(|r| r.provider == Provider::Yunzhanghu)
        {
            r.ctx.set_default_notify_url(Some(url.into()));
        }
    }

    /// Stops the servers and every pending status change and notification.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for r in std::mem::take(&mut self.running) {
            let _ = r.handle.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

fn build_router(provider: Provider, ctx: Arc<Ctx>) -> axum::Router {
    let router = match provider {
        Provider::AggregatePay => aggregate::router(ctx.clone()),
        Provider::ProtocolPay => protocol::router(ctx.clone()),
        Provider::Huifu => huifu::router(ctx.clone()),
        Provider::Yunzhanghu => yunzhanghu::router(ctx.clone()),
    };
    let traffic_log = ctx.options.traffic_log.clone();
    let router = router.layer(axum::middleware::from_fn_with_state(ctx, faults::apply));
    match traffic_log {
        // Outermost, so that it logs the answer as sent, faults applied.
        Some(log) => router.layer(axum::middleware::from_fn_with_state(
            (provider, log),
            traffic::log_request,
        )),
        None => router,
    }
}

/// Runs one simulator on `addr` until ctrl-c or until the returned future is dropped.
///
/// # Errors
/// [`SandboxError::Bind`] when `addr` cannot be opened, [`SandboxError::Serve`] when the server
/// fails.
pub async fn serve(
    provider: Provider,
    addr: SocketAddr,
    options: SandboxOptions,
) -> Result<(), SandboxError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| SandboxError::Bind { addr, source })?;
    serve_on(provider, listener, options).await
}

/// Runs one simulator on a listener the caller bound (so that it can print the address before
/// serving, with no window in which a client is refused: `cnpay sandbox serve --port 0`), until
/// ctrl-c or until the returned future is dropped.
///
/// # Errors
/// [`SandboxError::Bind`] when the listener has no local address, [`SandboxError::Serve`] when
/// the server fails.
pub async fn serve_on(
    provider: Provider,
    listener: tokio::net::TcpListener,
    options: SandboxOptions,
) -> Result<(), SandboxError> {
    let local = listener.local_addr().map_err(|source| SandboxError::Bind {
        addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
    })?;
    let (shutdown, _) = watch::channel(false);
    let url = format!("http://{local}");
    let ctx = Arc::new(Ctx::new(
        provider,
        url.clone(),
        Arc::new(options),
        Faults::default(),
        NotificationLog::default(),
        RequestLog::default(),
        shutdown.subscribe(),
    )?);
    tracing::info!(%provider, %url, "sandbox listening");
    let router = build_router(provider, ctx);
    let result = axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    let _ = shutdown.send(true);
    result.map_err(SandboxError::Serve)
}

//! `cnpay demo`: the four providers simulated in this process (pay-sandbox on loopback), and
//! each provider's main flows run through the cnpay client libraries, with a progress line per
//! step and a table at the end.
//!
//! Every callback goes to a local receiver ([`receiver`]) that verifies it with the provider
//! crate's verifier, guards against replays, and answers the provider's success reply. Every
//! step checks real values (amounts in fen, statuses, order ids) and fails loudly otherwise.
//! The run ends with the day it made reconciled against a ledger the flows built
//! ([`day_reconciliation`]).

mod aggregate_pay;
mod day_reconciliation;
mod huifu;
mod protocol_pay;
mod receiver;
mod yunzhanghu;

use std::fmt::{self, Display};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pay_core::{Clock, Error, SystemClock};
use pay_sandbox::{Provider, Sandbox, SandboxOptions};

use crate::error::CliError;
use receiver::Receiver;

/// `cnpay demo`
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  cargo run -p cnpay-cli -- demo
  cnpay demo --provider yunzhanghu

Nothing leaves this machine: the simulators (pay-sandbox) and the callback receiver listen on
127.0.0.1 only, and use the sandbox's public test keys.

Exit code: 0 when every step passed; otherwise the code of the first failure: 1 when a value
did not match (amount, status, order id, a missing callback), 3 provider refusal, 4 signature or
decryption check failed, 5 transport error or unknown outcome.")]
pub(crate) struct Args {
    /// Run only this provider's flows.
    #[arg(long, value_name = "PROVIDER", value_parser = ProviderParser)]
    provider: Option<Provider>,
}

/// `--provider`: a provider name as `pay_sandbox::Provider::from_name` reads it, with the four
/// names as its possible values (in the help and the shell completions).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProviderParser;

impl clap::builder::TypedValueParser for ProviderParser {
    type Value = Provider;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Provider, clap::Error> {
        let text = value.to_string_lossy();
        Provider::from_name(&text).ok_or_else(|| {
            let arg = arg.map_or_else(|| "--provider".to_owned(), ToString::to_string);
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!(
                    "invalid value for {arg}: unknown provider `{text}`; one of aggregate-pay, \
                     protocol-pay, huifu, yunzhanghu\n"
                ),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Provider::ALL
                .into_iter()
                .map(|p| clap::builder::PossibleValue::new(p.name())),
        ))
    }
}

/// How long one step may take (a call, or the wait for a callback).
const STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// Exit code: a value did not match (amount, status, order id) or a callback did not come.
const EXIT_CHECK: u8 = 1;

/// Why a step failed: the message shown, and the exit code it stands for.
#[derive(Debug)]
pub(crate) struct StepError {
    message: String,
    code: u8,
}

impl StepError {
    /// A failed check: the provider's answer was not what the step expects.
    pub(crate) fn check(message: impl Into<String>) -> Self {
        StepError {
            message: message.into(),
            code: EXIT_CHECK,
        }
    }
}

impl From<Error> for StepError {
    fn from(e: Error) -> Self {
        let message = chain(&e);
        StepError {
            message,
            code: CliError::Core(e).exit_code(),
        }
    }
}

/// The error and its sources, one after the other.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(src) = cur {
        s.push_str(": ");
        s.push_str(&src.to_string());
        cur = src.source();
    }
    s
}

/// Checks `actual == expected`, naming `what`.
pub(crate) fn expect_eq<T: PartialEq + Display + ?Sized>(
    what: &str,
    expected: &T,
    actual: &T,
) -> Result<(), StepError> {
    if expected == actual {
        Ok(())
    } else {
        Err(StepError::check(format!(
            "{what}: expected `{expected}`, got `{actual}`"
        )))
    }
}

/// The value of an optional field the step needs, naming it when it is missing.
pub(crate) fn present<T>(what: &str, v: Option<T>) -> Result<T, StepError> {
    v.ok_or_else(|| StepError::check(format!("{what}: missing from the answer")))
}

/// Runs one step: prints `ok` with `detail` and the time taken, or `FAIL` with the reason.
pub(crate) async fn step<T>(
    label: &str,
    work: impl Future<Output = Result<(T, String), StepError>>,
) -> Result<T, StepError> {
    let started = Instant::now();
    let outcome = match tokio::time::timeout(STEP_TIMEOUT, work).await {
        Ok(r) => r,
        Err(_) => Err(StepError::check(format!(
            "no answer within {} s",
            STEP_TIMEOUT.as_secs()
        ))),
    };
    let ms = started.elapsed().as_millis();
    match outcome {
        Ok((value, detail)) => {
            out!("  ok    {label}: {detail}  ({ms} ms)");
            Ok(value)
        }
        Err(e) => {
            out!("  FAIL  {label}: {}  ({ms} ms)", e.message);
            Err(StepError {
                message: format!("{label}: {}", e.message),
                code: e.code,
            })
        }
    }
}

/// Everything a flow needs: the simulators, the clients, and where callbacks go.
#[derive(Debug)]
pub(crate) struct Env {
    /// The simulators.
    pub(crate) sandbox: Sandbox,
    /// The receiver's state (verified callbacks).
    pub(crate) receiver: Arc<Receiver>,
    /// `http://127.0.0.1:PORT` of the receiver.
    notify_base: String,
    /// The clients, configured for the simulators.
    pub(crate) clients: receiver::Verifiers,
    /// A prefix making this run's order ids unique (Beijing time, to the millisecond).
    pub(crate) run_id: String,
    /// The merchant's ledger of this run, reconciled at the end.
    pub(crate) ledger: day_reconciliation::Ledger,
}

impl Env {
    /// The receiver's URL for `path`.
    pub(crate) fn notify_url(&self, path: &str) -> String {
        format!("{}{path}", self.notify_base)
    }
}

/// One line of the final table.
#[derive(Debug)]
struct Row {
    provider: &'static str,
    flow: &'static str,
    failure: Option<StepError>,
    elapsed: Duration,
}

/// The flows run so far.
#[derive(Debug, Default)]
pub(crate) struct Table {
    rows: Vec<Row>,
}

impl Table {
    /// Runs one flow: a heading, its steps' progress lines, then a row of the table.
    pub(crate) async fn flow(
        &mut self,
        provider: &'static str,
        flow: &'static str,
        work: impl Future<Output = Result<(), StepError>>,
    ) {
        out!();
        out!("{provider}: {flow}");
        let started = Instant::now();
        let failure = work.await.err();
        self.rows.push(Row {
            provider,
            flow,
            failure,
            elapsed: started.elapsed(),
        });
    }

    fn print(&self, total: Duration) {
        let flow_width = self
            .rows
            .iter()
            .map(|r| r.flow.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        out!();
        out!(
            "{:<14} {:<flow_width$}  {:<6}  time",
            "provider",
            "flow",
            "result"
        );
        out!(
            "{:<14} {:<flow_width$}  {:<6}  {}",
            "-".repeat(14),
            "-".repeat(flow_width),
            "-".repeat(6),
            "-".repeat(8)
        );
        for r in &self.rows {
            let result = if r.failure.is_some() { "FAILED" } else { "ok" };
            out!(
                "{:<14} {:<flow_width$}  {:<6}  {}",
                r.provider,
                r.flow,
                result,
                Millis(r.elapsed)
            );
        }
        out!();
        let failed: Vec<&Row> = self.rows.iter().filter(|r| r.failure.is_some()).collect();
        if failed.is_empty() {
            out!("All {} flows passed in {}.", self.rows.len(), Millis(total));
        } else {
            out!(
                "{} of {} flows FAILED (in {}):",
                failed.len(),
                self.rows.len(),
                Millis(total)
            );
            for r in failed {
                if let Some(f) = &r.failure {
                    out!("  {} / {}: {}", r.provider, r.flow, f.message);
                }
            }
        }
    }

    /// The exit code of the first failed flow, and how many failed.
    fn failure(&self) -> Option<(u8, usize)> {
        let mut failed = self.rows.iter().filter_map(|r| r.failure.as_ref());
        let first = failed.next()?;
        Some((first.code, 1 + failed.count()))
    }
}

/// A duration as milliseconds, or seconds with one decimal from 10 s on.
struct Millis(Duration);

impl Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms < 10_000 {
            write!(f, "{ms} ms")
        } else {
            write!(f, "{}.{} s", ms / 1000, (ms % 1000) / 100)
        }
    }
}

/// Runs `cnpay demo`.
pub(crate) fn run(args: Args) -> Result<(), CliError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::usage(format!("cannot start the async runtime: {e}")))?;
    let table = rt.block_on(demo(args.provider))?;
    match table.failure() {
        None => Ok(()),
        Some((code, failed)) => Err(CliError::Batch { code, failed }),
    }
}

async fn demo(only: Option<Provider>) -> Result<Table, CliError> {
    let started = Instant::now();
    let providers: Vec<Provider> = match only {
        Some(p) => vec![p],
        None => Provider::ALL.to_vec(),
    };
    // Short status changes and the specs' notification schedules compressed 1000 times (the
    // aggregate gateway's 60 s retry becomes 60 ms), so that the whole demo takes seconds.
    let options = SandboxOptions::default()
        .with_status_delay(Duration::from_millis(60))
        .with_time_compression(1000)
        .with_providers(&providers);
    let sandbox = Sandbox::start_with(options)
        .await
        .map_err(|e| CliError::usage(format!("cannot start the simulators: {}", chain(&e))))?;
    // A provider left out with --provider has no simulator; its client is never called.
    let url = |p: Provider| sandbox.url(p).unwrap_or("http://127.0.0.1:9").to_owned();
    let clients = receiver::Verifiers {
        aggregate: aggregate_pay::client(&url(Provider::AggregatePay))?,
        protocol: protocol_pay::client(&url(Provider::ProtocolPay))?,
        huifu: huifu::client(&url(Provider::Huifu))?,
        yunzhanghu: yunzhanghu::client(&url(Provider::Yunzhanghu))?,
    };
    let receiver = Arc::new(Receiver::new(clients.clone()));
    let running = receiver::start(receiver.clone())
        .await
        .map_err(|e| CliError::usage(format!("cannot start the callback receiver: {e}")))?;
    out!("cnpay demo: four payment providers, simulated in this process (pay-sandbox), driven");
    out!("through the cnpay client libraries: every request signed (and encrypted where the");
    out!("provider encrypts), every answer and callback verified. Test keys only; nothing");
    out!("leaves 127.0.0.1.");
    out!();
    for p in &providers {
        out!("  {:<14} {}", p.name(), sandbox.url(*p).unwrap_or_default());
    }
    out!(
        "  {:<14} {}/notify/<provider>  (verified, replay-guarded, acknowledged)",
        "callbacks to",
        running.base_url
    );
    let env = Env {
        sandbox,
        receiver,
        notify_base: running.base_url.clone(),
        clients,
        run_id: format!("DEMO{}", SystemClock.now().beijing_compact_millis()),
        ledger: day_reconciliation::Ledger::default(),
    };
    let mut table = Table::default();
    for p in &providers {
        match p {
            Provider::AggregatePay => aggregate_pay::run(&env, &mut table).await,
            Provider::ProtocolPay => protocol_pay::run(&env, &mut table).await,
            Provider::Huifu => huifu::run(&env, &mut table).await,
            Provider::Yunzhanghu => yunzhanghu::run(&env, &mut table).await,
        }
    }
    day_reconciliation::run(&env, &providers, &mut table).await;
    running.shutdown().await;
    env.sandbox.shutdown().await;
    table.print(started.elapsed());
    Ok(table)
}

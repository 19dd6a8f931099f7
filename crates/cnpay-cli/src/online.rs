//! The commands every wired provider shares: `list`, `notify`, and `<operation>` (any name from
//! the provider's `OPERATIONS`, run through its `call_json`).

use std::future::Future;
use std::io::IsTerminal;

use clap::FromArgMatches;
use pay_core::multipart::FilePart;
use std::sync::Arc;

use pay_core::{
    ClaimOutcome, Clock, Error, ExpectedOrder, IncomingNotification, Money, NotificationEvent,
    NotificationReply, ReplayGuard, SignatureErrorKind, SystemClock, Timestamp, Transition,
};
use serde_json::{Value, json};

use crate::operation_help::{OperationArgs, ProviderDocs};
use pay_core::operation::OperationDoc;

use crate::Global;
use crate::error::CliError;
use crate::input::{self, Output};

/// The items of [`Provider`] every provider crate offers the same way: its name, its operation
/// list, and `call` through its `call_json`. Used inside `impl online::Provider for …`, in the
/// provider's module (which defines `NAME`).
macro_rules! call_json_provider {
    ($krate:ident) => {
        const NAME: &'static str = NAME;
        const OPERATIONS: &'static [&'static str] = $krate::OPERATIONS;
        const CATALOG: &'static [pay_core::operation::OperationDoc] = $krate::CATALOG;

        async fn call(
            &self,
            operation: &str,
            data: serde_json::Value,
            files: Vec<pay_core::multipart::FilePart>,
        ) -> Result<serde_json::Value, pay_core::Error> {
            self.call_json(operation, data, files).await
        }
    };
}
pub(crate) use call_json_provider;

/// What a provider crate offers the command line.
pub(crate) trait Provider {
    /// The provider's name in commands, environment variables and the config file.
    const NAME: &'static str;

    /// The operation names, as the provider crate lists them.
    const OPERATIONS: &'static [&'static str];

    /// The operations that upload files (`--file FIELD=PATH`), with their fields, as the
    /// provider crate lists them; none by default.
    const OPERATION_FILES: &'static [(&'static str, &'static [&'static str])] = &[];

    /// The provider crate's catalog of its operations (fields, rules, examples), for their
    /// help.
    const CATALOG: &'static [OperationDoc];

    /// What the command line knows of the operations.
    fn docs() -> ProviderDocs {
        ProviderDocs {
            name: Self::NAME,
            operations: Self::OPERATIONS,
            catalog: Self::CATALOG,
            files: Self::OPERATION_FILES,
        }
    }

    /// Runs an operation from JSON (the provider's `call_json`).
    fn call(
        &self,
        operation: &str,
        data: Value,
        files: Vec<FilePart>,
    ) -> impl Future<Output = Result<Value, Error>>;

    /// Verifies a notification and returns the typed event as JSON (the provider's
    /// `notification_json`) with the provider-neutral transition it reports (`None` for a
    /// notification that moves no money) and when it says it was sent; `options` were checked by
    /// [`Provider::check_notify_options`].
    fn notification(
        &self,
        notification: &IncomingNotification,
        options: &NotifyOptions,
    ) -> impl Future<Output = Result<Notified, Error>>;

    /// Whether the provider's notifications say when they were sent (so that `notify
    /// --max-age` can be checked).
    const SENDS_TIME: bool;

    /// Checks `notify --trans-type` and `--kind` before anything runs: only Huifu takes
    /// `--trans-type`, only protocol-pay `--kind`.
    fn check_notify_options(options: &NotifyOptions) -> Result<(), CliError> {
        if options.trans_type.is_some() {
            return Err(CliError::usage("--trans-type is for Huifu callbacks only"));
        }
        if options.kind.is_some() {
            return Err(CliError::usage(
                "--kind is for protocol-pay notifications only",
            ));
        }
        Ok(())
    }

    /// The reply the provider expects once the notification was processed.
    fn reply(&self) -> NotificationReply;
}

/// The provider-specific options of `notify`.
#[derive(Debug, Default, Clone)]
pub(crate) struct NotifyOptions {
    /// Huifu: the order kind to confirm a callback with.
    pub(crate) trans_type: Option<String>,
    /// protocol-pay: which notification the endpoint receives.
    pub(crate) kind: Option<String>,
}

/// A verified notification: the typed event as JSON, and its transition.
#[derive(Debug)]
pub(crate) struct Notified {
    /// The typed event.
    pub(crate) event: Value,
    /// The provider-neutral transition, where the notification reports a money movement.
    pub(crate) transition: Option<Transition>,
    /// The event's replay key (the transition's dedup key where there is one).
    pub(crate) replay_key: String,
    /// When the provider says it sent the notification, where it says so.
    pub(crate) sent_at: Option<Timestamp>,
}

impl Notified {
    /// From a verified event and its JSON.
    pub(crate) fn new<E: NotificationEvent>(event: &E, json: Value) -> Self {
        Notified {
            event: json,
            transition: event.transition(),
            replay_key: event.replay_key(),
            sent_at: event.sent_at(),
        }
    }
}

/// The shared subcommands, as each provider's `Command` enum parses them (clap cannot flatten
/// an enum holding an external subcommand, so every provider lists these three variants).
#[derive(Debug)]
pub(crate) enum Command {
    /// `list`
    List,
    /// `notify`
    Notify(NotifyArgs),
    /// `<operation> …`
    Operation(Vec<String>),
}

/// The help of `list`.
pub(crate) const LIST_HELP: &str = "Prints the operation names, one per line.";

/// The help of `notify`.
pub(crate) const NOTIFY_HELP: &str = "Verifies a callback as it was received (body on stdin, \
--query, --header, --method) and prints {\"event\": …, \"transition\": …, \"reply\": \
{\"status\", \"content_type\", \"body\"}}: the verified event, the provider-neutral transition it \
reports ({\"kind\": payment|payout|refund|funds_arrived, \"order_id\": the merchant's own order \
id, \"amount_fen\": integer or null, \"status\": processing|unpaid|succeeded|failed|closed|\
returned|refunded|unknown, \"final\", \"dedup_key\"}; null for a callback that moves no money), \
and the reply to send.\n\n\
The same notification may arrive several times (the provider sends it again until it is \
acknowledged, and a resend may cross the acknowledgement): the caller must deduplicate, by \
`dedup_key` (one key per business event, whatever raw status or notification id it came with), \
and act on each only once; --inbox does so in a durable store. Check the transition against the \
merchant's own order before acting on it: --expect-order and --expect-amount do so (a mismatch \
exits 4 with {\"error\": \"mismatch\", \"field\": …} on stderr, and no reply is printed).\n\n\
Exit code 4 when the notification is not to be trusted: the signature does not verify, the data \
cannot be decrypted or read, it disagrees with the expected order, it is older (or further in \
the future) than --max-age, or (Huifu) the gateway does not confirm it; exit code 5 when the \
gateway could not be reached to confirm it (try again later). Either way, do not acknowledge it.";

/// `cnpay <provider> notify …`
#[derive(Debug, clap::Args)]
pub(crate) struct NotifyArgs {
    /// The HTTP method the callback came with.
    #[arg(long, default_value = "POST")]
    method: String,
    /// The query string as received (percent-encoded, without `?`).
    #[arg(long, default_value = "")]
    query: String,
    /// A request header, `Name: value` (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Huifu only: the kind of order to confirm the callback with `order_query` (01 pay,
    /// 02 balance pay, 03 withdrawal, 04 refund). Without it the kind is guessed from the
    /// callback's fields, which may not tell a withdrawal or a refund from a payment.
    #[arg(long, value_name = "01|02|03|04")]
    trans_type: Option<String>,
    /// protocol-pay only: which notification this endpoint receives (the spec gives each its
    /// own URL): `pay-result` (§9), `funds-arrived` (§10) or `payout` (§11). A payload that
    /// contradicts it is refused; without it, a payload whose fields do not tell its kind is
    /// refused.
    #[arg(long, value_name = "pay-result|funds-arrived|payout")]
    kind: Option<String>,
    /// The merchant's own order id the notification must be about.
    #[arg(long, value_name = "ID")]
    expect_order: Option<String>,
    /// The amount, in fen, the notification must state (needs --expect-order).
    #[arg(long, value_name = "FEN", requires = "expect_order")]
    expect_amount: Option<i64>,
    /// Runs the notification through a durable inbox and completes its claim:
    /// `sqlite://PATH` (e.g. `sqlite:///var/lib/shop/inbox.db`) or `postgres://…`. The output
    /// gains `"duplicate": true|false`; a duplicate still exits 0 and prints the reply (so that
    /// the provider stops resending), but must not be processed again. A notification another
    /// handler is processing right now exits 5 (try again later).
    #[arg(long, value_name = "URL")]
    inbox: Option<String>,
    /// Refuses (exit 4) a notification sent more than SECONDS ago, or more than SECONDS in the
    /// future, by the time it carries; one that carries no readable time is refused too.
    /// Yunzhanghu and protocol-pay only: the other providers send no time.
    #[arg(long, value_name = "SECONDS")]
    max_age: Option<u64>,
}

impl NotifyArgs {
    fn options(&self) -> NotifyOptions {
        NotifyOptions {
            trans_type: self.trans_type.clone(),
            kind: self.kind.clone(),
        }
    }

    /// The order to check the transition against, where one was given.
    fn expected(&self) -> Option<ExpectedOrder> {
        let order = ExpectedOrder::new(self.expect_order.clone()?);
        Some(match self.expect_amount {
            Some(fen) => order.amount(Money::from_fen(fen)),
            None => order,
        })
    }
}

/// Claims `key` in the durable inbox and completes it at once (the command's output is the
/// processing): `Ok(false)` for a new event, `Ok(true)` for one already processed,
/// [`CliError::InProgress`] for one another process holds.
async fn claim_and_complete(guard: &Arc<dyn ReplayGuard>, key: &str) -> Result<bool, CliError> {
    let claimed = guard.try_claim(key).await.map_err(CliError::Notification)?;
    match claimed {
        ClaimOutcome::Claimed => {
            guard.complete(key).await.map_err(CliError::Notification)?;
            Ok(false)
        }
        ClaimOutcome::Done => Ok(true),
        _ => Err(CliError::InProgress {
            key: key.to_owned(),
        }),
    }
}

/// Checks a verified notification's sent time against `notify --max-age`: further than
/// `max_age_secs` from now either way, or no readable time at all (Yunzhanghu's `-1` or
/// `i64::MIN`), is [`SignatureErrorKind::Expired`], as `NotificationInbox::with_time_window`
/// reports a stale event: exit 4, not acknowledged.
fn check_age(sent: Option<Timestamp>, max_age_secs: u64) -> Result<(), CliError> {
    let fresh = sent.is_some_and(|sent| {
        let skew_ms = SystemClock.now().unix_millis().abs_diff(sent.unix_millis());
        u128::from(skew_ms) <= u128::from(max_age_secs) * 1000
    });
    if fresh {
        Ok(())
    } else {
        Err(CliError::Notification(Error::signature(
            SignatureErrorKind::Expired,
        )))
    }
}

/// Checks a verified notification against the expected order: a notification that moves no
/// money cannot be about the merchant's order.
fn check_expected(expected: Option<&ExpectedOrder>, notified: &Notified) -> Result<(), Error> {
    let Some(expected) = expected else {
        return Ok(());
    };
    match &notified.transition {
        Some(t) => expected.check(t),
        None => Err(Error::mismatch(
            "order_id",
            expected.order_id(),
            None,
            expected.order_id(),
        )),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::usage(format!("cannot start the async runtime: {e}")))
}

/// Runs a shared subcommand for provider `P`; `client` builds the client from the settings
/// (called only when the command needs one, so `list` needs no credentials).
pub(crate) fn run<P: Provider>(
    cmd: Command,
    global: &Global,
    client: impl FnOnce(&Global) -> Result<P, CliError>,
) -> Result<(), CliError> {
    match cmd {
        Command::List => input::run_items(
            P::OPERATIONS
                .iter()
                .map(|s| input::Item::whole(s.as_bytes()))
                .collect(),
            false,
            |op| Ok(Output::Text(op.to_owned())),
        ),
        Command::Notify(args) => notify(&args, global, client),
        Command::Operation(argv) => operation(&argv, global, client),
    }
}

/// The request headers of `notify --header`, each `Name: value`.
fn headers(args: &NotifyArgs) -> Result<Vec<(String, String)>, CliError> {
    args.headers
        .iter()
        .map(|h| match h.split_once(':') {
            Some((name, value)) => Ok((name.trim().to_owned(), value.trim().to_owned())),
            None => Err(CliError::usage(format!(
                "--header `{h}`: expected `Name: value`"
            ))),
        })
        .collect()
}

/// `cnpay <provider> notify …`
fn notify<P: Provider>(
    args: &NotifyArgs,
    global: &Global,
    client: impl FnOnce(&Global) -> Result<P, CliError>,
) -> Result<(), CliError> {
    let method = http::Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| CliError::usage(format!("--method `{}` is not a method", args.method)))?;
    let headers = headers(args)?;
    let bodies = if global.lines {
        input::items(None, true)?
    } else if std::io::stdin().is_terminal() {
        vec![input::Item::whole(Vec::new())]
    } else {
        input::items(None, false)?
    };
    let options = args.options();
    P::check_notify_options(&options)?;
    if args.max_age.is_some() && !P::SENDS_TIME {
        return Err(CliError::usage(format!(
            "--max-age: {} notifications carry no sent time to check",
            P::NAME
        )));
    }
    let expected = args.expected();
    let client = client(global)?;
    let rt = runtime()?;
    let inbox = match &args.inbox {
        Some(url) => Some(rt.block_on(pay_core::replay_store::open(url))?),
        None => None,
    };
    input::run_raw_items(bodies, global.lines, |body| {
        // Bytes that are not text are a notification that cannot be read: not to be
        // acknowledged (exit 4), like any other unreadable notification.
        if let Err(e) = std::str::from_utf8(body) {
            return Err(CliError::Notification(Error::decode(
                body.to_vec(),
                format!(
                    "the notification body is not UTF-8 text (at byte {})",
                    e.valid_up_to()
                ),
            )));
        }
        let mut n = IncomingNotification::new(method.clone(), args.query.clone(), body.to_vec());
        for (k, v) in &headers {
            n = n.with_header(k, v);
        }
        let notified = rt
            .block_on(client.notification(&n, &options))
            .map_err(CliError::Notification)?;
        if let Some(max_age) = args.max_age {
            check_age(notified.sent_at, max_age)?;
        }
        check_expected(expected.as_ref(), &notified).map_err(CliError::Notification)?;
        let duplicate = match &inbox {
            Some(guard) => Some(rt.block_on(claim_and_complete(guard, &notified.replay_key))?),
            None => None,
        };
        Ok(Output::Json(notify_output(
            &notified,
            &client.reply(),
            duplicate,
        )))
    })
}

/// What `notify` prints: the event, its transition, the reply to send, and (with --inbox)
/// whether it was a duplicate.
fn notify_output(notified: &Notified, reply: &NotificationReply, duplicate: Option<bool>) -> Value {
    let mut out = json!({
        "event": notified.event,
        "transition": notified.transition.as_ref().map(Transition::to_json),
        "reply": {
            "status": reply.status,
            "content_type": reply.content_type,
            "body": reply.body,
        },
    });
    if let (Some(d), Some(obj)) = (duplicate, out.as_object_mut()) {
        obj.insert("duplicate".to_owned(), Value::Bool(d));
    }
    out
}

/// `cnpay <provider> <operation> …`: `argv` is the operation's name and its arguments.
fn operation<P: Provider>(
    argv: &[String],
    global: &Global,
    client: impl FnOnce(&Global) -> Result<P, CliError>,
) -> Result<(), CliError> {
    let provider = P::NAME;
    let Some(name) = argv.first() else {
        return Err(CliError::usage("missing operation"));
    };
    let Some(op) = P::OPERATIONS.iter().copied().find(|op| op == name) else {
        return Err(CliError::usage(format!(
            "unknown {provider} operation `{name}`; `cnpay {provider} list` prints them"
        )));
    };
    let matches = match P::docs().command(op).try_get_matches_from(argv) {
        Ok(m) => m,
        Err(e) if !e.use_stderr() => {
            // --help: print it, success.
            let _ = e.print();
            return Ok(());
        }
        Err(e) => return Err(CliError::clap(&e)),
    };
    let args = OperationArgs::from_arg_matches(&matches).map_err(|e| CliError::clap(&e))?;
    if let Some(limit) = args.max_input {
        input::set_max_input(limit);
    }
    let global = Global {
        config: args.config.clone().or_else(|| global.config.clone()),
        lines: args.lines || global.lines,
        max_input: args.max_input.unwrap_or(global.max_input),
    };
    let files = args
        .files
        .iter()
        .map(|f| input::file_part(f))
        .collect::<Result<Vec<_>, _>>()?;
    let items = operation_items(args.data.as_deref(), global.lines)?;
    let client = client(&global)?;
    let rt = runtime()?;
    input::run_calls(items, global.lines, |item| {
        let data = Value::Object(input::json_object(item, "data")?);
        let answer = rt.block_on(client.call(op, data, files.clone()))?;
        Ok(Output::Json(answer))
    })
}

/// The requests of an operation: `--data`, or standard input (`{}` when it is a terminal or
/// empty).
fn operation_items(data: Option<&str>, lines: bool) -> Result<Vec<input::Item>, CliError> {
    match data {
        None if !lines && std::io::stdin().is_terminal() => Ok(vec![input::Item::whole("{}")]),
        // Nothing on standard input (`< /dev/null`, a cron job): no fields, as on a terminal.
        None if !lines => {
            let mut items = input::items(None, false)?;
            for item in &mut items {
                if item.bytes.trim_ascii().is_empty() {
                    item.bytes = b"{}".to_vec();
                }
            }
            Ok(items)
        }
        data => input::items(data, lines),
    }
}

//! Every failure of the command, and the one place where a failure becomes an exit code and a
//! report on stderr.

use std::fmt;

use pay_core::{Error, ProviderErrorKind};
use serde_json::{Value, json};

/// Exit code: success.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code: usage, invalid input or a local file or stream that failed; no money moved.
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code: the provider refused the request (business error).
pub(crate) const EXIT_PROVIDER: u8 = 3;
/// Exit code: a signature or decryption check failed.
pub(crate) const EXIT_SIGNATURE: u8 = 4;
/// Exit code: transport error or unknown outcome.
pub(crate) const EXIT_TRANSPORT: u8 = 5;
/// Exit code: `reconcile` wrote a report listing discrepancies or pending orders.
pub(crate) const EXIT_DISCREPANCIES: u8 = 6;

/// A failure of the command.
#[derive(Debug)]
pub(crate) enum CliError {
    /// Bad command line, unreadable input or missing setting; nothing was sent.
    Usage(String),
    /// A failure from the cnpay libraries.
    Core(Error),
    /// A provider call was made but its answer could not be written to standard output: it may
    /// have moved money, so it must not be run again before the order is looked up.
    AnswerNotWritten(std::io::Error),
    /// An incoming notification that could not be verified or read (`notify`): not to be
    /// acknowledged. Whatever the library error was (a signature, a decoding failure, the
    /// provider refusing to confirm it), the notification is not trusted.
    Notification(Error),
    /// `notify --inbox`: another process is processing the same event right now (it may still
    /// fail): not acknowledged, the provider sends it again. Exit 5.
    InProgress {
        /// The event's replay key.
        key: String,
    },
    /// `reconcile`: the report (already written) lists orders that are not matched.
    Discrepancies {
        /// How many orders the report lists.
        items: usize,
    },
    /// `--lines` mode: some lines failed (each was reported as it happened).
    Batch {
        /// The exit code: the most severe of the failed lines.
        code: u8,
        /// How many lines failed.
        failed: usize,
    },
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Core(e)
    }
}

impl CliError {
    /// A usage error.
    pub(crate) fn usage(msg: impl Into<String>) -> Self {
        CliError::Usage(msg.into())
    }

    /// A command line clap refused (an unknown subcommand or option, a missing or invalid
    /// value): a usage error, reported in the one JSON shape on stderr with exit code 2, as
    /// every other usage error. (`--help` and `--version` are not errors: see
    /// `clap::Error::use_stderr`.)
    pub(crate) fn clap(e: &clap::Error) -> Self {
        let text = e.render().to_string();
        let text = text.trim();
        if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            // Not the whole help in a JSON string: what is missing, and where the help is.
            let usage = text
                .lines()
                .find_map(|l| l.strip_prefix("Usage: "))
                .unwrap_or("cnpay <COMMAND>");
            return CliError::Usage(format!("a command is missing: {usage} (--help lists them)"));
        }
        CliError::Usage(text.strip_prefix("error: ").unwrap_or(text).to_owned())
    }

    /// An invalid-input error naming `field`.
    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Self {
        CliError::Core(Error::invalid_input(field.to_owned(), reason.into()))
    }

    /// The exit code. This is the only mapping from failures to exit codes.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Batch { code, .. } => *code,
            CliError::Discrepancies { .. } => EXIT_DISCREPANCIES,
            CliError::AnswerNotWritten(_) | CliError::InProgress { .. } => EXIT_TRANSPORT,
            // A transport failure while confirming a notification (Huifu asks the gateway)
            // says nothing about the notification: exit 5, try again later. Anything else
            // means it is not to be trusted.
            CliError::Notification(
                Error::Transport { .. }
                | Error::UnknownOutcome { .. }
                | Error::HttpStatus { .. }
                | Error::Io { .. },
            ) => EXIT_TRANSPORT,
            // Nor does a read-only call's answer that could not be read (an HTML page, a
            // garbled body): a gateway fault, retry-safe, not a forged notification. A failure
            // of the notification itself is never retry-safe.
            CliError::Notification(e) if e.is_retry_safe() => EXIT_TRANSPORT,
            CliError::Notification(_) => EXIT_SIGNATURE,
            CliError::Core(e) => match e {
                // A local file or stream failed, not the provider call: as low as a usage
                // error, so that in `--lines` mode a transport failure or an unknown outcome
                // (a higher code) still decides the exit code.
                Error::InvalidInput { .. } | Error::Io { .. } => EXIT_USAGE,
                Error::Provider(_) => EXIT_PROVIDER,
                Error::Signature { .. } | Error::Decrypt { .. } | Error::Mismatch { .. } => {
                    EXIT_SIGNATURE
                }
                Error::Transport { .. }
                | Error::UnknownOutcome { .. }
                | Error::HttpStatus { .. }
                | Error::Decode { .. } => EXIT_TRANSPORT,
                // A duplicate notification cannot arise here (the command keeps no replay
                // guard); any variant added later is treated as an unknown outcome.
                _ => EXIT_TRANSPORT,
            },
        }
    }

    /// The report printed on stderr, as JSON. Never contains a secret: the libraries' errors
    /// carry no key material, and settings are reported by name only.
    pub(crate) fn report(&self) -> Value {
        match self {
            CliError::Usage(msg) => json!({ "error": "usage", "message": msg }),
            CliError::Batch { code, failed } => json!({
                "error": "batch",
                "message": format!("{failed} line(s) failed; see the error line for each"),
                "exit_code": code,
            }),
            CliError::InProgress { key } => json!({
                "error": "notification_in_progress",
                "message": format!("notification `{key}` is being processed"),
                "key": key,
                "next": "do not acknowledge it: the provider sends it again",
            }),
            CliError::Discrepancies { items } => json!({
                "error": "discrepancies",
                "message": format!("{items} order(s) not matched: see the report"),
            }),
            CliError::Core(e) => core_report(e),
            CliError::AnswerNotWritten(e) => json!({
                "error": "answer_not_written",
                "message": format!("the call was made, but its answer could not be written to standard output: {e}"),
                "may_have_been_received": true,
                "next": "the request was sent and answered: if it moves money, query the order before running it again",
                "retry_safe": false,
            }),
            CliError::Notification(e) => {
                let mut report = core_report(e);
                if let Some(obj) = report.as_object_mut() {
                    // Nothing was sent by the caller: these fields describe outgoing calls.
                    for k in [
                        "may_have_been_received",
                        "next",
                        "retry_safe",
                        "needs_query",
                    ] {
                        obj.remove(k);
                    }
                    obj.insert("notification".to_owned(), Value::Bool(true));
                    obj.insert("acknowledge".to_owned(), Value::Bool(false));
                    obj.insert(
                        "note".to_owned(),
                        Value::String(if self.exit_code() == EXIT_TRANSPORT {
                            "the notification could not be confirmed with the provider now: do not acknowledge it; it will be sent again, or confirm it later".to_owned()
                        } else {
                            "the notification could not be verified or read: do not acknowledge it or act on it".to_owned()
                        }),
                    );
                }
                report
            }
        }
    }
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(src) = cur {
        s.push_str(": ");
        s.push_str(&src.to_string());
        cur = src.source();
    }
    s
}

fn core_report(e: &Error) -> Value {
    let message = chain(e);
    match e {
        Error::InvalidInput { field, reason } => json!({
            "error": "invalid_input",
            "field": field,
            "reason": reason,
            "message": message,
            "sent": false,
        }),
        Error::Io { .. } => json!({
            "error": "io",
            "message": message,
            "note": "a local file or stream failed, not the provider call: fix the local cause and run it again",
            "retry_safe": true,
            "needs_query": false,
        }),
        Error::Provider(p) => json!({
            "error": "provider",
            "code": p.code,
            "message": p.message,
            "request_id": p.request_id,
            "order_id": p.order_id,
            "kind": provider_kind(&p.kind),
            "retry_same_params": e.is_retry_safe(),
            "needs_query": e.needs_query(),
        }),
        Error::Signature { kind, .. } => json!({
            "error": "signature",
            "kind": kind.to_string(),
            "message": message,
            "order_id": e.order_id(),
            "request_id": e.request_id(),
            "retry_safe": e.is_retry_safe(),
            "needs_query": e.needs_query(),
        }),
        Error::Mismatch {
            field,
            expected,
            got,
            order_id,
        } => json!({
            "error": "mismatch",
            "field": field,
            "expected": expected,
            "got": got,
            "order_id": order_id,
            "message": message,
            "needs_query": e.needs_query(),
            "retry_safe": false,
        }),
        Error::Decrypt { .. } => json!({
            "error": "decrypt",
            "message": message,
            "retry_safe": e.is_retry_safe(),
        }),
        Error::Transport { .. } => json!({
            "error": "transport",
            "message": message,
            // A read-only query whose connection failed after it was sent may have been
            // received (and is still safe to send again).
            "may_have_been_received": e.may_have_been_received(),
            "note": if e.may_have_been_received() {
                "the request was sent but no answer arrived; the call is a read-only query: retrying is safe"
            } else {
                "the request was not sent: retrying is safe"
            },
            "retry_safe": true,
        }),
        Error::UnknownOutcome { order_id, .. } => json!({
            "error": "unknown_outcome",
            "message": message,
            "may_have_been_received": true,
            "order_id": order_id,
            "next": next_step(e),
            "retry_safe": false,
        }),
        Error::HttpStatus { status, .. } => json!({
            "error": "http_status",
            "status": status,
            "message": message,
            "may_have_been_received": true,
            "order_id": e.order_id(),
            "request_id": e.request_id(),
            "next": next_step(e),
            "retry_safe": e.is_retry_safe(),
            "needs_query": e.needs_query(),
        }),
        Error::Decode { .. } => json!({
            "error": "decode",
            "message": message,
            "may_have_been_received": true,
            "order_id": e.order_id(),
            "request_id": e.request_id(),
            "next": next_step(e),
            "retry_safe": e.is_retry_safe(),
            "needs_query": e.needs_query(),
        }),
        _ => json!({
            "error": "other",
            "message": message,
            "may_have_been_received": true,
            "order_id": e.order_id(),
            "next": next_step(e),
        }),
    }
}

/// What to do after a failure that reached the provider: query the order of a money-moving
/// call, send a read-only call again.
fn next_step(e: &Error) -> String {
    match e.order_id() {
        Some(id) if e.needs_query() => format!(
            "the request may have been received: query order `{id}` before sending anything again"
        ),
        _ if e.is_retry_safe() => {
            "the call is read-only: no money moved, it may be sent again".to_owned()
        }
        _ => "the request may have been received: if it moves money, query the order before sending it again".to_owned(),
    }
}

fn provider_kind(k: &ProviderErrorKind) -> String {
    match k {
        ProviderErrorKind::Rejected => "rejected".to_owned(),
        ProviderErrorKind::RetrySameParams => "retry_same_params".to_owned(),
        ProviderErrorKind::DuplicateOrder => "duplicate_order".to_owned(),
        ProviderErrorKind::NotFound { what } => format!("not_found:{what}"),
        ProviderErrorKind::Unauthorized => "unauthorized".to_owned(),
        _ => "other".to_owned(),
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) => f.write_str(m),
            CliError::Core(e) | CliError::Notification(e) => f.write_str(&chain(e)),
            CliError::AnswerNotWritten(e) => write!(
                f,
                "the call was made, but its answer could not be written to standard output: {e}"
            ),
            CliError::Batch { failed, .. } => write!(f, "{failed} line(s) failed"),
            CliError::Discrepancies { items } => write!(f, "{items} order(s) not matched"),
            CliError::InProgress { key } => write!(f, "notification `{key}` is being processed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::{ProviderError, SignatureErrorKind};

    #[test]
    fn exit_codes() {
        let io = || Box::new(std::io::Error::other("reset")) as pay_core::BoxError;
        assert_eq!(CliError::usage("x").exit_code(), 2);
        assert_eq!(CliError::invalid("amount", "bad").exit_code(), 2);
        assert_eq!(
            CliError::from(Error::provider(ProviderError::new("2002", "dup"))).exit_code(),
            3
        );
        assert_eq!(
            CliError::from(Error::signature(SignatureErrorKind::Mismatch)).exit_code(),
            4
        );
        assert_eq!(CliError::from(Error::decrypt(io())).exit_code(), 4);
        assert_eq!(
            CliError::from(Error::Transport { source: io() }).exit_code(),
            5
        );
        let unknown = CliError::from(Error::UnknownOutcome {
            order_id: Some("O1".into()),
            source: io(),
        });
        assert_eq!(unknown.exit_code(), 5);
        let r = unknown.report();
        assert_eq!(r["order_id"], "O1");
        assert_eq!(r["may_have_been_received"], true);
        assert_eq!(
            r["next"],
            "the request may have been received: query order `O1` before sending anything again"
        );
    }

    /// A read-only query whose connection failed after the request was sent may have been
    /// received (still retry-safe); one that could not connect was not.
    #[test]
    fn a_query_reset_after_sending_may_have_been_received() {
        use pay_core::transport::TransportError;
        let query = pay_core::Call::query("p", "query");
        for (err, received) in [
            (TransportError::io("connection reset by peer"), true),
            (TransportError::timeout("timed out"), true),
            (TransportError::connect("connection refused"), false),
        ] {
            let e = CliError::from(query.transport_error(err));
            assert_eq!(e.exit_code(), 5);
            let r = e.report();
            assert_eq!(r["error"], "transport");
            assert_eq!(r["may_have_been_received"], received, "{r}");
            assert_eq!(r["retry_safe"], true);
        }
    }

    /// During a notification's confirmation, a read-only call's unreadable answer is a gateway
    /// fault (exit 5); the notification's own failures are not to be trusted (exit 4).
    #[test]
    fn an_unreadable_confirmation_answer_is_exit_5() {
        let query = pay_core::Call::query("p", "order-query");
        let garbled = CliError::Notification(query.classify(Error::decode("<html>", "not JSON")));
        assert_eq!(garbled.exit_code(), 5);
        let own = CliError::Notification(Error::decode("x", "no order_id"));
        assert_eq!(own.exit_code(), 4);
        let forged = CliError::Notification(Error::signature(SignatureErrorKind::Mismatch));
        assert_eq!(forged.exit_code(), 4);
    }

    #[test]
    fn a_local_io_failure_is_exit_2_and_retry_safe() {
        let e = CliError::from(Error::io(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "disk full",
        )));
        assert_eq!(e.exit_code(), 2);
        let r = e.report();
        assert_eq!(r["error"], "io");
        assert_eq!(r["retry_safe"], true);
        assert_eq!(r["needs_query"], false);
        assert_eq!(r["message"], "local i/o error: disk full");
    }

    #[test]
    fn a_read_only_answer_says_send_it_again() {
        let query = pay_core::Call::query("p", "query");
        let e = CliError::from(query.classify(Error::http_status(503, "busy")));
        assert_eq!(e.exit_code(), 5);
        let r = e.report();
        assert_eq!(r["error"], "http_status");
        assert_eq!(r["retry_safe"], true);
        assert_eq!(r["needs_query"], false);
        assert_eq!(r["order_id"], Value::Null);
        assert_eq!(
            r["next"],
            "the call is read-only: no money moved, it may be sent again"
        );

        let pay = pay_core::Call::mutation("p", "pay", "O2");
        let r = CliError::from(pay.classify(Error::decode("<html>", "not JSON"))).report();
        assert_eq!(r["retry_safe"], false);
        assert_eq!(r["needs_query"], true);
        assert_eq!(r["order_id"], "O2");
        assert_eq!(
            r["next"],
            "the request may have been received: query order `O2` before sending anything again"
        );
    }
}

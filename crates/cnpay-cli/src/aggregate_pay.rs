//! `cnpay aggregate-pay …`: the offline sign/verify tools, and the gateway's operations.

use clap::{Subcommand, ValueEnum};
use cnpay::aggregate_pay;
use cnpay::aggregate_pay::sign::{sign_params, verify_params, verify_response_body};
use pay_core::{
    Error, IncomingNotification, KeyRing, NotificationReply, NotificationVerifier, SecretKey,
    SignatureErrorKind,
};
use serde_json::{Map, Value};

use crate::error::CliError;
use crate::input::{self, Output};
use crate::settings::Settings;
use crate::{Global, online};

/// The provider's name in commands, environment variables and the config file.
pub(crate) const NAME: &str = "aggregate-pay";

/// The settings this provider reads.
pub(crate) const SETTINGS: &[&str] = &[
    "mch_id",
    "app_id",
    "key",
    "response_key",
    "base_url",
    "timeout",
];

/// `cnpay aggregate-pay …`
#[derive(Debug, Subcommand)]
#[command(after_help = "Examples:
  echo '{\"mchId\":\"20001222\",\"mchOrderNo\":\"A1\",\"amount\":100}' | cnpay aggregate-pay sign
  cnpay aggregate-pay verify < response.json
  cnpay aggregate-pay list

Settings: CNPAY_AGGREGATE_PAY_MCH_ID, _APP_ID, _KEY (request key), _RESPONSE_KEY (defaults to
_KEY), _BASE_URL, _TIMEOUT (seconds, 1 to 300); or a [aggregate-pay] table in the --config file.")]
pub(crate) enum Command {
    /// Signs a parameter object (JSON on stdin or --data) with the request key; prints it with
    /// `sign` added.
    #[command(after_help = "Example:
  echo '{\"mchId\":\"20001222\",\"mchOrderNo\":\"A1\",\"amount\":100}' | cnpay aggregate-pay sign

Empty values and `sign` are left out of the sign. A structured value (such as `extra`) is
turned into its JSON text, so that what is signed is exactly what is sent. Numbers must be
integers (amounts in fen).")]
    Sign {
        /// The parameters: JSON, @file, or - for stdin (the default).
        #[arg(long)]
        data: Option<String>,
    },
    /// Verifies the `sign` of a response or notification (a JSON object or a form/query string
    /// on stdin or --data); prints the verified parameters.
    #[command(after_help = "Examples:
  cnpay aggregate-pay verify < response.json
  echo 'payOrderId=P1&amount=100&sign=…' | cnpay aggregate-pay verify

Verifies with the response key (CNPAY_AGGREGATE_PAY_RESPONSE_KEY, or _KEY when unset), or the
request key with --signed-by request. `payParams` is left out, as the gateway signs responses;
a nested object (such as the query's `result`) is verified as its exact JSON text. Exit code 4
when the sign is missing or does not match.")]
    Verify {
        /// The parameters: JSON or a form/query string, @file, or - for stdin (the default).
        #[arg(long)]
        data: Option<String>,
        /// Which key signed the data.
        #[arg(long, value_enum, default_value_t = SignedBy::Response)]
        signed_by: SignedBy,
    },
    /// Prints the operation names, one per line.
    #[command(long_about = online::LIST_HELP, after_help = "Example:\n  cnpay aggregate-pay list")]
    List,
    /// Verifies a notification as received (body on stdin, --query, --header, --method).
    #[command(long_about = online::NOTIFY_HELP, after_help = "Example:
  cnpay aggregate-pay notify --method GET --query 'transOrderId=T1&mchOrderNo=T2&status=2&sign=…'")]
    Notify(online::NotifyArgs),
    /// Reconciles a day's ledger by querying each of its orders (read-only, at --rate; exit 6
    /// when anything is not matched).
    #[command(after_help = "Example:
  cnpay aggregate-pay reconcile --date 2026-12-05 --ledger ledger.csv --kind payout --rate 5")]
    Reconcile(crate::reconcile::ByQuery),
    /// Any operation listed by `list`.
    #[command(external_subcommand)]
    Operation(Vec<String>),
}

/// Which of the two keys signed the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SignedBy {
    /// The gateway (responses and notifications).
    Response,
    /// The merchant (requests).
    Request,
}

/// Runs `cnpay aggregate-pay <command>`.
pub(crate) fn run(cmd: Command, global: &Global) -> Result<(), CliError> {
    let settings = Settings::load(NAME, SETTINGS, global.config.as_deref())?;
    match cmd {
        Command::Sign { data } => {
            let key = settings.secret("key")?;
            let items = input::items(data.as_deref(), global.lines)?;
            input::run_items(items, global.lines, |item| {
                sign(&key, item).map(Output::Json)
            })
        }
        Command::Verify { data, signed_by } => {
            let key = match signed_by {
                SignedBy::Request => settings.secret("key")?,
                SignedBy::Response => match settings.secret_opt("response_key")? {
                    Some(k) => k,
                    None => settings.secret("key")?,
                },
            };
            let items = input::items(data.as_deref(), global.lines)?;
            input::run_items(items, global.lines, |item| {
                verify(&key, item).map(Output::Json)
            })
        }
        Command::Reconcile(cmd) => {
            crate::reconcile::by_query_client(&cmd, "aggregate-pay", online_client(global)?)
        }
        Command::List => online::run(online::Command::List, global, online_client),
        Command::Notify(a) => online::run(online::Command::Notify(a), global, online_client),
        Command::Operation(argv) => {
            online::run(online::Command::Operation(argv), global, online_client)
        }
    }
}

/// Signs a parameter object with the provider crate's
/// [`sign_params`](aggregate_pay::sign::sign_params); returns it with `sign` set.
///
/// Numbers must be integers: amounts are whole fen, and a fraction would be signed as text the
/// gateway reads differently.
pub(crate) fn sign(key: &SecretKey, text: &str) -> Result<Value, CliError> {
    let params = input::json_object(text, "params")?;
    for (name, value) in &params {
        if let Value::Number(n) = value
            && !(n.is_i64() || n.is_u64())
        {
            return Err(CliError::invalid(
                name,
                "numbers must be integers (amounts in fen)",
            ));
        }
    }
    Ok(Value::Object(sign_params(&params, key)?))
}

/// Verifies a signed parameter set with the provider crate's verifiers: a JSON object (a
/// response body) with [`verify_response_body`], over each field's exact text in the body; a
/// form or query string (a notification) with [`verify_params`]. Returns the parameters
/// without `sign`.
pub(crate) fn verify(key: &SecretKey, text: &str) -> Result<Value, CliError> {
    let keys = KeyRing::new(key.clone());
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        // Not JSON at all is a usage error (exit 2), not a forged answer.
        let mut shown = input::json_object(trimmed, "params")?;
        verify_response_body(trimmed.as_bytes(), &keys).map_err(|e| match e {
            // A body that repeats a field: which value was signed cannot be told.
            Error::Decode { .. } => CliError::invalid("params", e.to_string()),
            other => other.into(),
        })?;
        shown.remove("sign");
        Ok(Value::Object(shown))
    } else {
        let pairs = pay_core::form::decode(trimmed.as_bytes());
        let mut params = Map::new();
        for (k, v) in pairs {
            if params.contains_key(&k) {
                // A parameter given twice: which one was signed?
                return Err(Error::signature(SignatureErrorKind::Malformed).into());
            }
            params.insert(k, Value::String(v));
        }
        verify_params(&params, &keys)?;
        params.remove("sign");
        Ok(Value::Object(params))
    }
}

fn online_client(global: &Global) -> Result<aggregate_pay::Client, CliError> {
    let settings = Settings::load(NAME, SETTINGS, global.config.as_deref())?;
    let config = settings.library_config(aggregate_pay::Config::from_env, &[])?;
    aggregate_pay::Client::new(config).map_err(|e| settings.client_error(e))
}

impl online::Provider for aggregate_pay::Client {
    online::call_json_provider!(aggregate_pay);

    async fn notification(
        &self,
        notification: &IncomingNotification,
        _options: &crate::online::NotifyOptions,
    ) -> Result<crate::online::Notified, Error> {
        let event = self.verify_notification(notification)?;
        let json = pay_core::decode::to_value(&event)?;
        Ok(crate::online::Notified::new(&event, json))
    }

    const SENDS_TIME: bool = false;

    fn reply(&self) -> NotificationReply {
        self.success_reply()
    }
}

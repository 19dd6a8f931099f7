//! `cnpay protocol-pay …`: the offline envelope sign/verify tools, and the API's operations.

use clap::Subcommand;
use cnpay::protocol_pay::{self, Envelope};
use pay_core::{
    Clock, Error, IncomingNotification, KeyRing, NotificationReply, SecretKey, SystemClock,
};
use serde_json::Value;

use crate::error::CliError;
use crate::input::{self, Output};
use crate::settings::Settings;
use crate::{Global, online};

/// The provider's name in commands, environment variables and the config file.
pub(crate) const NAME: &str = "protocol-pay";

/// The settings this provider reads.
pub(crate) const SETTINGS: &[&str] = &["app_id", "key", "base_url", "timeout"];

/// `cnpay protocol-pay …`
#[derive(Debug, Subcommand)]
#[command(after_help = "Examples:
  cnpay protocol-pay sign --data '{\"transNo\":\"T1\"}' --timestamp 20201010123015123
  cnpay protocol-pay verify < envelope.json
  cnpay protocol-pay list

Settings: CNPAY_PROTOCOL_PAY_APP_ID, _KEY, _BASE_URL, _TIMEOUT (seconds, 1 to 300); or a [protocol-pay]
table in the --config file.

Operations (`cnpay protocol-pay list`): cnpay protocol-pay <operation> --data JSON, e.g.
  cnpay protocol-pay outquery --data '{\"outReqNo\":\"LFT1001202010100001\"}'")]
pub(crate) enum Command {
    /// Builds the signed envelope {appId, data, timestamp, sign} around a data JSON string.
    #[command(after_help = "Example:
  cnpay protocol-pay sign --data '{\"transNo\":\"T1\"}' --timestamp 20201010123015123

The sign is md5(appId&data&timestamp&key) over the exact data text given.")]
    Sign {
        /// The data JSON, exactly as it is to be sent: JSON, @file, or - for stdin (the
        /// default).
        #[arg(long)]
        data: Option<String>,
        /// The timestamp, yyyyMMddHHmmssSSS (Beijing time); now when left out.
        #[arg(long)]
        timestamp: Option<String>,
    },
    /// Verifies a signed envelope (JSON on stdin or --data); prints its data.
    #[command(after_help = "Example:
  cnpay protocol-pay verify < envelope.json

Exit code 4 when the sign is missing or does not match.")]
    Verify {
        /// The envelope: JSON, @file, or - for stdin (the default).
        #[arg(long)]
        data: Option<String>,
    },
    /// Prints the operation names, one per line.
    #[command(long_about = online::LIST_HELP, after_help = "Example:\n  cnpay protocol-pay list")]
    List,
    /// Verifies a notification (the envelope POSTed to the merchant, on stdin).
    #[command(long_about = online::NOTIFY_HELP, after_help = "Example:
  cnpay protocol-pay notify --header 'content-type: application/json' < notification.json")]
    Notify(online::NotifyArgs),
    /// Reconciles a day's ledger by querying each of its orders (read-only, at --rate; exit 6
    /// when anything is not matched).
    #[command(after_help = "Example:
  cnpay protocol-pay reconcile --date 2026-12-05 --ledger ledger.csv --kind payout --rate 5")]
    Reconcile(crate::reconcile::ByQuery),
    /// Any operation listed by `list`.
    #[command(external_subcommand)]
    Operation(Vec<String>),
}

/// Runs `cnpay protocol-pay <command>`.
pub(crate) fn run(cmd: Command, global: &Global) -> Result<(), CliError> {
    let settings = Settings::load(NAME, SETTINGS, global.config.as_deref())?;
    match cmd {
        Command::Sign { data, timestamp } => {
            let app_id = settings.require("app_id")?;
            let key = settings.secret("key")?;
            let items = input::items(data.as_deref(), global.lines)?;
            input::run_items(items, global.lines, |item| {
                let ts = match &timestamp {
                    Some(t) => t.clone(),
                    None => SystemClock.now().beijing_compact_millis(),
                };
                sign(&app_id, &key, item, &ts).map(Output::Json)
            })
        }
        Command::Verify { data } => {
            let app_id = settings.require("app_id")?;
            let key = settings.secret("key")?;
            let items = input::items(data.as_deref(), global.lines)?;
            input::run_items(items, global.lines, |item| {
                verify(&app_id, &key, item).map(Output::Json)
            })
        }
        Command::Reconcile(cmd) => {
            crate::reconcile::by_query_client(&cmd, "protocol-pay", online_client(global)?)
        }
        Command::List => online::run(online::Command::List, global, online_client),
        Command::Notify(a) => online::run(online::Command::Notify(a), global, online_client),
        Command::Operation(argv) => {
            online::run(online::Command::Operation(argv), global, online_client)
        }
    }
}

fn online_client(global: &Global) -> Result<protocol_pay::Client, CliError> {
    let settings = Settings::load(NAME, SETTINGS, global.config.as_deref())?;
    let config = settings.library_config(protocol_pay::Config::from_env, &[])?;
    protocol_pay::Client::new(config).map_err(|e| settings.client_error(e))
}

impl online::Provider for protocol_pay::Client {
    online::call_json_provider!(protocol_pay);

    async fn notification(
        &self,
        notification: &IncomingNotification,
        options: &online::NotifyOptions,
    ) -> Result<online::Notified, Error> {
        // `--kind pay-result|funds-arrived|payout`: the endpoint's declared kind; without it,
        // the shared-endpoint reading, which refuses an ambiguous payload.
        let event = match options.kind.as_deref() {
            Some(k) => self.verify_notification_as(notification, k.parse()?)?,
            None => self.verify_notification(notification)?,
        };
        let json = serde_json::to_value(&event)
            .map_err(|e| Error::decode(notification.body.clone(), e))?;
        Ok(online::Notified::new(&event, json))
    }

    fn check_notify_options(options: &online::NotifyOptions) -> Result<(), CliError> {
        if options.trans_type.is_some() {
            return Err(CliError::usage("--trans-type is for Huifu callbacks only"));
        }
        if let Some(k) = &options.kind {
            k.parse::<protocol_pay::NotificationKind>().map_err(|_| {
                CliError::usage("--kind must be pay-result, funds-arrived or payout")
            })?;
        }
        Ok(())
    }

    const SENDS_TIME: bool = true;

    fn reply(&self) -> NotificationReply {
        self.notification_reply()
    }
}

/// Builds the signed envelope (with the provider crate's signer).
pub(crate) fn sign(
    app_id: &str,
    key: &SecretKey,
    data: &str,
    timestamp: &str,
) -> Result<Value, CliError> {
    // JSON, with no key given twice: the provider must read what was meant.
    pay_core::decode::input_json(data, "data")?;
    // 17 digits that are a real date and time: month 13 or all zeros are refused.
    if timestamp.len() != 17 || pay_core::Timestamp::parse_beijing_compact(timestamp).is_none() {
        return Err(CliError::invalid(
            "timestamp",
            "must be a real date and time written yyyyMMddHHmmssSSS (17 digits)",
        ));
    }
    let envelope = Envelope::sign(app_id, key, data, timestamp);
    serde_json::to_value(&envelope).map_err(|e| CliError::usage(e.to_string()))
}

/// Verifies a signed envelope (with the provider crate's verifier) and returns its data
/// (parsed when it is JSON).
pub(crate) fn verify(app_id: &str, key: &SecretKey, text: &str) -> Result<Value, CliError> {
    // Not JSON at all is a usage error (exit 2), not a forged envelope.
    input::json_object(text, "envelope")?;
    let received =
        protocol_pay::verify_envelope_json(app_id, &KeyRing::new(key.clone()), text.as_bytes())?;
    // An envelope without `data` prints `null`, never an empty string it did not carry.
    Ok(match received.data {
        Some(data) => serde_json::from_str::<Value>(&data).unwrap_or(Value::String(data)),
        None => Value::Null,
    })
}

//! `cnpay yunzhanghu …`: the offline encrypt/decrypt/sign/seal/open tools, and the API's
//! operations.

use clap::Subcommand;
use cnpay::yunzhanghu;
use cnpay::yunzhanghu::sign::{self, Envelope, Keys};
use pay_core::{
    Clock, Error, IdSource, IncomingNotification, KeyRing, NotificationReply, NotificationVerifier,
    RandomIds, SecretKey, SignatureErrorKind, SystemClock,
};
use serde_json::Value;

use crate::error::CliError;
use crate::input::{self, Output};
use crate::settings::Settings;
use crate::{Global, online};

/// The provider's name in commands, environment variables and the config file.
pub(crate) const NAME: &str = "yunzhanghu";

/// The settings this provider reads.
pub(crate) const SETTINGS: &[&str] = &[
    "dealer_id",
    "broker_id",
    "app_key",
    "des3_key",
    "base_url",
    "timeout",
];

/// `cnpay yunzhanghu …`
#[derive(Debug, Subcommand)]
#[command(after_help = "Examples:
  echo '{\"order_id\":\"O1\"}' | cnpay yunzhanghu seal
  cnpay yunzhanghu open < callback-body.txt
  cnpay yunzhanghu list

Settings: CNPAY_YUNZHANGHU_DEALER_ID, _BROKER_ID, _APP_KEY, _DES3_KEY, _BASE_URL, _TIMEOUT
(seconds, 1 to 300); or a [yunzhanghu] table in the --config file.")]
pub(crate) enum Command {
    /// Encrypts plaintext (stdin or --data) with the 3DES key; prints the base64 `data`.
    #[command(after_help = "Example:
  echo '{\"order_id\":\"O1\"}' | cnpay yunzhanghu encrypt")]
    Encrypt {
        /// The plaintext: text, @file, or - for stdin (the default).
        #[arg(long)]
        data: Option<String>,
    },
    /// Decrypts a base64 `data` value (stdin or --data); prints the plaintext.
    #[command(after_help = "Example:
  echo 'n1jzgC47/IQ=' | cnpay yunzhanghu decrypt

Exit code 4 when the data cannot be decrypted (wrong key or tampered data).")]
    Decrypt {
        /// The base64 ciphertext: text, @file, or - for stdin (the default).
        #[arg(long)]
        data: Option<String>,
    },
    /// Computes the sign of `data`, `mess` and `timestamp` with the app key.
    #[command(after_help = "Example:
  cnpay yunzhanghu sign --data 'n1jzgC47/IQ=' --mess 1 --timestamp 1479892123

The sign is hex HMAC-SHA256 (key = app key) of data=…&mess=…&timestamp=…&key=APP_KEY.")]
    Sign {
        /// The encrypted `data` value: text, @file, or - for stdin (the default).
        #[arg(long)]
        data: Option<String>,
        /// The `mess` value.
        #[arg(long)]
        mess: String,
        /// The `timestamp` value (unix seconds).
        #[arg(long)]
        timestamp: String,
    },
    /// Encrypts and signs plaintext JSON (stdin or --data); prints
    /// {data, mess, timestamp, sign, sign_type}.
    #[command(after_help = "Example:
  echo '{\"order_id\":\"O1\"}' | cnpay yunzhanghu seal --mess 12313 --timestamp 123457

Without --mess a random one is used; without --timestamp the current time.")]
    Seal {
        /// The plaintext JSON: JSON, @file, or - for stdin (the default).
        #[arg(long)]
        data: Option<String>,
        /// The `mess` value; random when left out.
        #[arg(long)]
        mess: Option<String>,
        /// The `timestamp` value (unix seconds); now when left out.
        #[arg(long)]
        timestamp: Option<String>,
    },
    /// Verifies and decrypts a sealed message (a form body, or the JSON `seal` prints) from
    /// stdin or --data; prints the plaintext.
    #[command(after_help = "Example:
  echo 'data=n1jzgC47%2FIQ%3D&mess=1&timestamp=1479892123&sign=aad0…&sign_type=sha256' | cnpay yunzhanghu open

Exit code 4 when the sign is missing or does not match, or the data cannot be decrypted.")]
    Open {
        /// The sealed message: form body or JSON, @file, or - for stdin (the default).
        #[arg(long)]
        data: Option<String>,
    },
    /// Prints the operation names, one per line.
    #[command(long_about = online::LIST_HELP, after_help = "Example:\n  cnpay yunzhanghu list")]
    List,
    /// Verifies a notification as received (body on stdin, --query, --header, --method).
    #[command(long_about = online::NOTIFY_HELP, after_help = "Example:
  cnpay yunzhanghu notify --header 'content-type: application/x-www-form-urlencoded' < body.txt")]
    Notify(online::NotifyArgs),
    /// Reconciles a day: the order and bill files against your ledger (exit 6 when anything
    /// is not matched).
    #[command(after_help = "Example:
  cnpay yunzhanghu reconcile --date 2026-12-05 --ledger ledger.csv --format json

Without --order-file the day's order and bill files are downloaded (settings needed).")]
    Reconcile {
        #[command(flatten)]
        args: crate::reconcile::Args,
        /// A local order file (gz or CSV) instead of downloading it.
        #[arg(long, value_name = "FILE")]
        order_file: Option<std::path::PathBuf>,
        /// A local bill file (gz or CSV), for returns; only with --order-file.
        #[arg(long, value_name = "FILE", requires = "order_file")]
        bill_file: Option<std::path::PathBuf>,
    },
    /// Any operation listed by `list`.
    #[command(external_subcommand)]
    Operation(Vec<String>),
}

/// Runs `cnpay yunzhanghu <command>`.
pub(crate) fn run(cmd: Command, global: &Global) -> Result<(), CliError> {
    let settings = Settings::load(NAME, SETTINGS, global.config.as_deref())?;
    let lines = global.lines;
    match cmd {
        Command::Encrypt { data } => {
            let keys = cipher_keys(&settings)?;
            input::run_items(input::items(data.as_deref(), lines)?, lines, |item| {
                Ok(Output::Text(keys.encrypt(item.as_bytes())))
            })
        }
        Command::Decrypt { data } => {
            let keys = cipher_keys(&settings)?;
            input::run_items(input::items(data.as_deref(), lines)?, lines, |item| {
                Ok(Output::Text(keys.decrypt(item.trim())?))
            })
        }
        Command::Sign {
            data,
            mess,
            timestamp,
        } => {
            let app_key = settings.secret("app_key")?;
            let ts = parse_timestamp(&timestamp)?;
            input::run_items(input::items(data.as_deref(), lines)?, lines, |item| {
                Ok(Output::Text(sign::sign(item.trim(), &mess, ts, &app_key)))
            })
        }
        Command::Seal {
            data,
            mess,
            timestamp,
        } => {
            let keys = keys(&settings)?;
            let timestamp = timestamp.as_deref().map(parse_timestamp).transpose()?;
            input::run_items(input::items(data.as_deref(), lines)?, lines, |item| {
                let mess = mess.clone().unwrap_or_else(|| RandomIds.next_id());
                let ts = timestamp.unwrap_or_else(|| SystemClock.now().unix_seconds());
                seal(&keys, item, &mess, ts).map(Output::Json)
            })
        }
        Command::Open { data } => {
            let keys = keys(&settings)?;
            input::run_items(input::items(data.as_deref(), lines)?, lines, |item| {
                open(&keys, item).map(Output::Text)
            })
        }
        Command::Reconcile {
            args,
            order_file,
            bill_file,
        } => {
            crate::reconcile::yunzhanghu(&args, order_file.as_deref(), bill_file.as_deref(), || {
                online_client(global)
            })
        }
        Command::List => online::run(online::Command::List, global, online_client),
        Command::Notify(a) => online::run(online::Command::Notify(a), global, online_client),
        Command::Operation(argv) => {
            online::run(online::Command::Operation(argv), global, online_client)
        }
    }
}

/// The envelope keys from the app key and the 3DES key.
fn keys(settings: &Settings) -> Result<Keys, CliError> {
    let des3_key = settings.secret("des3_key")?;
    let app_key = settings.secret("app_key")?;
    build_keys(settings, KeyRing::new(app_key), &des3_key)
}

/// Keys for `encrypt` and `decrypt`, which use the 3DES key only: no app key is asked for, and
/// the ring holds an empty placeholder that nothing signs or verifies with.
fn cipher_keys(settings: &Settings) -> Result<Keys, CliError> {
    let des3_key = settings.secret("des3_key")?;
    build_keys(settings, KeyRing::new(SecretKey::new("")), &des3_key)
}

fn build_keys(
    settings: &Settings,
    app_key: KeyRing,
    des3_key: &SecretKey,
) -> Result<Keys, CliError> {
    // The library's error names the field; name the setting instead (never its value).
    Keys::new(app_key, des3_key).map_err(|e| settings.client_error(e))
}

/// The largest `--timestamp`: 9999-12-31T23:59:59Z. Anything later is no date a provider will
/// ever send or accept.
const MAX_TIMESTAMP: i64 = 253_402_300_799;

/// Parses `--timestamp`: unix seconds, as canonical integer text (what is signed is the
/// number's text, so `0123` would not sign as given), greater than zero and at most
/// [`MAX_TIMESTAMP`] (`-1` or `99999999999999` is no time).
fn parse_timestamp(text: &str) -> Result<i64, CliError> {
    match text.parse::<i64>() {
        Ok(n) if n.to_string() == text && (1..=MAX_TIMESTAMP).contains(&n) => Ok(n),
        _ => Err(CliError::invalid(
            "timestamp",
            "must be unix seconds from 1 to 253402300799 (9999-12-31), as an integer without sign or leading zeros",
        )),
    }
}

/// Encrypts and signs `plaintext` with the provider crate's [`sign::seal`].
fn seal(keys: &Keys, plaintext: &str, mess: &str, timestamp: i64) -> Result<Value, CliError> {
    // JSON, with no key given twice: the provider must read what was meant.
    pay_core::decode::input_json(plaintext, "data")?;
    if mess.is_empty() {
        return Err(CliError::invalid("mess", "must not be empty"));
    }
    let envelope: Envelope = sign::seal(plaintext, mess, timestamp, keys);
    serde_json::to_value(&envelope).map_err(|e| CliError::usage(e.to_string()))
}

/// Verifies and decrypts a sealed message (form body or JSON) with the provider crate's
/// [`sign::open`]: nothing is decrypted unless the sign verifies (in constant time).
fn open(keys: &Keys, text: &str) -> Result<String, CliError> {
    let trimmed = text.trim();
    let fields: Vec<(String, String)> = if trimmed.starts_with('{') {
        input::json_object(trimmed, "message")?
            .into_iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some((k, s)),
                Value::Number(n) => Some((k, n.to_string())),
                _ => None,
            })
            .collect()
    } else {
        pay_core::form::decode(trimmed.as_bytes())
    };
    for (i, (k, _)) in fields.iter().enumerate() {
        if fields.iter().skip(i + 1).any(|(other, _)| other == k) {
            // A field given twice: which one was signed?
            return Err(Error::signature(SignatureErrorKind::Malformed).into());
        }
    }
    let envelope = Envelope::from_params(&fields)?;
    Ok(sign::open(&envelope, keys)?)
}

fn online_client(global: &Global) -> Result<yunzhanghu::Client, CliError> {
    let settings = Settings::load(NAME, SETTINGS, global.config.as_deref())?;
    let config = settings.library_config(yunzhanghu::Config::from_env, &[])?;
    yunzhanghu::Client::new(config).map_err(|e| settings.client_error(e))
}

impl online::Provider for yunzhanghu::Client {
    online::call_json_provider!(yunzhanghu);
    const OPERATION_FILES: &'static [(&'static str, &'static [&'static str])] =
        yunzhanghu::OPERATION_FILES;

    /// The verified event, its transition (status read through the payout table: 1 is paid but
    /// not final, 9 returned and final) and its replay key (the transition's dedup key, never the
    /// `notify_id`). A notification naming another `dealer_id` is refused.
    async fn notification(
        &self,
        notification: &IncomingNotification,
        _options: &online::NotifyOptions,
    ) -> Result<online::Notified, Error> {
        let event = self.verify_notify(notification)?;
        let json = pay_core::decode::to_value(&event)?;
        Ok(online::Notified::new(&event, json))
    }

    const SENDS_TIME: bool = true;

    fn reply(&self) -> NotificationReply {
        self.success_reply()
    }
}

//! `cnpay huifu …`: the Huifu hfpay operations (Huifu has no offline tools: its requests are
//! authenticated by the gateway's key/secret or an OAuth token, not signed per field).

use clap::Subcommand;
use cnpay::huifu;
use pay_core::{Error, IncomingNotification, NotificationReply, NotificationVerifier};

use crate::error::CliError;
use crate::settings::Settings;
use crate::{Global, online};

/// The provider's name in commands, environment variables and the config file.
pub(crate) const NAME: &str = "huifu";

/// The settings this provider reads.
pub(crate) const SETTINGS: &[&str] = &[
    "mer_cust_id",
    "key",
    "secret",
    "token",
    "base_url",
    "timeout",
    ALLOW_PRIVATE,
];

/// The setting the command reads itself (the library's `Config::from_env` does not).
const ALLOW_PRIVATE: &str = "allow_private_callback_urls";

/// `cnpay huifu …`
#[derive(Debug, Subcommand)]
#[command(after_help = "Examples:
  cnpay huifu list
  cnpay huifu bank-check-card --data '{\"card_id\":\"6225880137705555\"}'
  cnpay huifu upload-card --data @card.json --file file1=front.jpg --file file2=back.jpg

Settings: CNPAY_HUIFU_MER_CUST_ID (the merchant, sent as mer_cust_id), _KEY (client_id),
_SECRET (client_secret), _TOKEN (a user's OAuth bearer token: when set, requests carry it on top
of the key/secret authentication, and over http the Prism sign covers it), _BASE_URL, _TIMEOUT (seconds, 1 to 300),
_ALLOW_PRIVATE_CALLBACK_URLS (true: accept a loopback or private bg_ret_url, for a test gateway such
as `cnpay sandbox serve`; the spec requires a public address); or a [huifu] table in the
--config file.")]
pub(crate) enum Command {
    /// Prints the operation names, one per line.
    #[command(long_about = online::LIST_HELP, after_help = "Example:\n  cnpay huifu list")]
    List,
    /// Verifies a callback as received (body on stdin, --query, --header, --method).
    #[command(long_about = online::NOTIFY_HELP, after_help = "Example:
  cnpay huifu notify --header 'content-type: application/x-www-form-urlencoded' < callback.txt")]
    Notify(online::NotifyArgs),
    /// Reconciles a day: the trade statement (交易对账文件) against your ledger (exit 6 when
    /// anything is not matched).
    #[command(after_help = "Example:
  cnpay huifu reconcile --date 2026-12-05 --ledger ledger.csv --format json

Without --statement the day's statement is downloaded (order_download, trans_type 01; settings
needed). The statement is CSV with a header naming order_id, order_date, trans_amt (yuan) and
trans_stat (S, F, I, P); see the huifu crate's `reconcile` module.")]
    Reconcile {
        #[command(flatten)]
        args: crate::reconcile::Args,
        /// A local statement file (CSV) instead of downloading it.
        #[arg(long, value_name = "FILE")]
        statement: Option<std::path::PathBuf>,
        /// Only the statement rows of this trans_type (repeat for several); all rows by default.
        #[arg(long = "trans-type", value_name = "TYPE")]
        trans_types: Vec<String>,
    },
    /// Any operation listed by `list`.
    #[command(external_subcommand)]
    Operation(Vec<String>),
}

/// Runs `cnpay huifu <command>`.
pub(crate) fn run(cmd: Command, global: &Global) -> Result<(), CliError> {
    let cmd = match cmd {
        Command::Reconcile {
            args,
            statement,
            trans_types,
        } => {
            return crate::reconcile::huifu(&args, statement.as_deref(), &trans_types, || {
                online_client(global)
            });
        }
        Command::List => online::Command::List,
        Command::Notify(a) => online::Command::Notify(a),
        Command::Operation(argv) => online::Command::Operation(argv),
    };
    online::run(cmd, global, online_client)
}

fn online_client(global: &Global) -> Result<huifu::Client, CliError> {
    let settings = Settings::load(NAME, SETTINGS, global.config.as_deref())?;
    let mut config = settings.library_config(huifu::Config::from_env, &[ALLOW_PRIVATE])?;
    match settings.get(ALLOW_PRIVATE)?.as_deref() {
        None | Some("false") => {}
        Some("true") => config = config.with_callback_urls(huifu::CallbackUrls::AllowPrivate),
        Some(_) => {
            return Err(CliError::usage(
                "CNPAY_HUIFU_ALLOW_PRIVATE_CALLBACK_URLS must be `true` or `false`",
            ));
        }
    }
    huifu::Client::new(config).map_err(|e| settings.client_error(e))
}

impl online::Provider for huifu::Client {
    online::call_json_provider!(huifu);
    const OPERATION_FILES: &'static [(&'static str, &'static [&'static str])] =
        huifu::OPERATION_FILES;

    /// Confirms the callback through the gateway: a trade with `order_query` (of the
    /// `--trans-type` kind, else the kind its fields tell), an opening with `balance_query`;
    /// a card binding is printed as not confirmable (`{"callback": "card_binding",
    /// "confirmed": false, "action": …}`, transition null) with the reply, so that the merchant
    /// acknowledges it and acts only on the binding's own answer.
    async fn notification(
        &self,
        notification: &IncomingNotification,
        options: &online::NotifyOptions,
    ) -> Result<online::Notified, Error> {
        let trans_type = options
            .trans_type
            .as_deref()
            .map(huifu::codes::QueryTransType::from_wire);
        let event = self.confirm_callback(notification, trans_type).await?;
        let json = event.to_json()?;
        Ok(online::Notified::new(&event, json))
    }

    const SENDS_TIME: bool = false;

    fn check_notify_options(options: &online::NotifyOptions) -> Result<(), CliError> {
        if options.kind.is_some() {
            return Err(CliError::usage(
                "--kind is for protocol-pay notifications only",
            ));
        }
        if let Some(t) = &options.trans_type {
            huifu::codes::QueryTransType::from_wire(t)
                .ensure_known("--trans-type")
                .map_err(CliError::from)?;
        }
        Ok(())
    }

    fn reply(&self) -> NotificationReply {
        self.success_reply()
    }
}

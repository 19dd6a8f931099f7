//! The `cnpay` command: every cnpay operation from the shell, and offline tools to sign,
//! verify, encrypt and decrypt the way each provider does.
//!
//! Exit codes: 0 success; 2 usage, invalid input or a local file (nothing sent); 3 provider
//! business error; 4 signature or decryption check failed, or a notification not to be trusted;
//! 5 transport error, unknown outcome, or an answer that could not be written; 6 (reconcile)
//! the report lists discrepancies or pending orders.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` for progress text (the demo, the sandbox banner) that never panics: a closed
/// or full standard output (`cnpay demo | head -1`, `> /dev/full`) is remembered, and
/// [`output_failed`] turns it into a local I/O error at the end.
macro_rules! out {
    () => {
        $crate::write_out(::std::format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::write_out(::std::format_args!($($arg)*))
    };
}

static OUTPUT_FAILED: std::sync::Mutex<Option<std::io::ErrorKind>> = std::sync::Mutex::new(None);

/// Writes one line of progress text to standard output; see [`out!`].
fn write_out(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
        && let Ok(mut first) = OUTPUT_FAILED.lock()
    {
        first.get_or_insert(e.kind());
    }
}

/// The first failure of [`out!`], as a local I/O error (exit 2).
fn output_failed() -> Result<(), CliError> {
    match OUTPUT_FAILED.lock().ok().and_then(|f| *f) {
        None => Ok(()),
        Some(kind) => Err(input::local_io(
            "cannot write standard output",
            &std::io::Error::from(kind),
        )),
    }
}

mod aggregate_pay;
mod amounts;
mod demo;
mod error;
mod huifu;
mod input;
mod online;
mod operation_help;
mod progress;
mod protocol_pay;
mod reconcile;
mod sandbox;
mod settings;
mod yunzhanghu;

use error::CliError;

const EXAMPLES: &str = "Examples:
  cnpay yunzhanghu list
  cnpay yunzhanghu order-realtime --help    (its fields, their rules, a working example)
  cnpay completions bash > /etc/bash_completion.d/cnpay
  echo '{\"order_id\":\"O1\"}' | cnpay yunzhanghu seal
  cnpay protocol-pay sign --data '{\"transNo\":\"T1\"}' --timestamp 20201010123015123

Credentials come from CNPAY_<PROVIDER>_<SETTING> environment variables (e.g.
CNPAY_AGGREGATE_PAY_KEY, CNPAY_YUNZHANGHU_APP_KEY) or from the --config TOML file, one table
per provider ([aggregate-pay], [protocol-pay], [huifu], [yunzhanghu]). Secrets are never printed.

Exit codes: 0 success; 2 usage, invalid input or a local file (nothing sent); 3 provider
business error (code, message, request id as JSON on stderr); 4 signature or decryption check
failed, or (notify) a notification not to be trusted; 5 transport error, unknown outcome or an
answer that could not be written (stderr says whether the request may have been received and
which order id to query); 6 (reconcile) the report lists discrepancies or pending orders.";

/// Every cnpay operation from the shell.
#[derive(Debug, Parser)]
#[command(name = "cnpay", version, about, after_help = EXAMPLES)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Global {
    /// A TOML file with one table of settings per provider; the environment overrides it.
    #[arg(long, global = true, env = "CNPAY_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Batch mode: every input line is one item, every output line one result.
    #[arg(long, global = true)]
    pub(crate) lines: bool,
    /// The most bytes one input (standard input, an @file, a --file, the config file) may
    /// hold; more is refused before it is read whole. 16 MiB by default.
    #[arg(long, global = true, env = "CNPAY_MAX_INPUT", value_name = "BYTES",
          default_value_t = input::DEFAULT_MAX_INPUT)]
    pub(crate) max_input: u64,
}

/// The top-level commands. (`demo` and `sandbox` are added here, next to the providers.)
#[derive(Debug, Subcommand)]
enum Command {
    /// The aggregate payment gateway.
    #[command(subcommand, name = "aggregate-pay")]
    AggregatePay(aggregate_pay::Command),
    /// The protocol (escrow) pay API.
    #[command(subcommand, name = "protocol-pay")]
    ProtocolPay(protocol_pay::Command),
    /// Huifu hfpay.
    #[command(subcommand)]
    Huifu(huifu::Command),
    /// Yunzhanghu realtime settlement.
    #[command(subcommand)]
    Yunzhanghu(yunzhanghu::Command),
    /// Runs every provider's main flows against in-process simulators: start here.
    Demo(demo::Args),
    /// Simulators of the providers, for testing your own services.
    #[command(subcommand)]
    Sandbox(sandbox::Command),
    /// Prints the shell completions of every command, operations included.
    #[command(after_help = "Examples:
  cnpay completions bash > /etc/bash_completion.d/cnpay
  cnpay completions zsh > \"${fpath[1]}/_cnpay\"
  cnpay completions fish > ~/.config/fish/completions/cnpay.fish")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// The shells `cnpay completions` writes for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
}

fn run(cli: Cli) -> Result<(), CliError> {
    let global = cli.global;
    input::set_max_input(global.max_input);
    match cli.command {
        Command::AggregatePay(cmd) => aggregate_pay::run(cmd, &global),
        Command::ProtocolPay(cmd) => protocol_pay::run(cmd, &global),
        Command::Huifu(cmd) => huifu::run(cmd, &global),
        Command::Yunzhanghu(cmd) => yunzhanghu::run(cmd, &global),
        Command::Demo(args) => {
            // The demo's own verdict first (a failed flow), then a failed output.
            demo::run(args)?;
            output_failed()
        }
        Command::Sandbox(cmd) => {
            sandbox::run(cmd)?;
            output_failed()
        }
        Command::Completions { shell } => {
            let shell = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
            };
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut completion_command(), "cnpay", &mut out);
            let text = String::from_utf8(out)
                .map_err(|_| CliError::usage("the completions are not UTF-8 text"))?;
            out!("{}", text.trim_end());
            output_failed()
        }
    }
}

/// What the command line knows of each provider's operations.
fn providers() -> [operation_help::ProviderDocs; 4] {
    use online::Provider;
    [
        cnpay::aggregate_pay::Client::docs(),
        cnpay::protocol_pay::Client::docs(),
        cnpay::huifu::Client::docs(),
        cnpay::yunzhanghu::Client::docs(),
    ]
}

/// The command line, with each provider's help listing its operations (they are not clap
/// subcommands: `<operation>` is an external subcommand run through the provider's
/// `call_json`, with the command line and help of [`operation_help`]).
fn command() -> clap::Command {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    for docs in providers() {
        let name = docs.name;
        cmd = cmd.mut_subcommand(name, |sub| {
            let before = sub
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            sub.after_help(format!(
                "{before}\n\nOperations (`cnpay {name} <operation> --help` for one):\n  {}",
                docs.operations.join("\n  ")
            ))
        });
    }
    cmd
}

/// The command line as the shell completions see it: every operation a subcommand of its
/// provider, with its options.
fn completion_command() -> clap::Command {
    let mut cmd = command();
    for docs in providers() {
        cmd = cmd.mut_subcommand(docs.name, |sub| sub.subcommands(docs.commands()));
    }
    cmd
}

fn main() -> ExitCode {
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        // --help and --version: printed on stdout, success.
        Err(e) if !e.use_stderr() => e.exit(),
        // Every other refusal is a usage error, reported as every other error.
        Err(e) => return report(&CliError::clap(&e)),
    };
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return report(&CliError::clap(&e)),
    };
    init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::from(error::EXIT_OK),
        Err(e) => report(&e),
    }
}

/// Prints `e` on stderr in the command's one JSON error shape; its exit code.
fn report(e: &CliError) -> ExitCode {
    // Not eprintln!: a closed stderr must not panic.
    let _ = writeln!(std::io::stderr(), "{}", e.report());
    ExitCode::from(e.exit_code())
}

/// Logs to stderr, filtered by `CNPAY_LOG` (e.g. `CNPAY_LOG=debug`); off by default.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CNPAY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

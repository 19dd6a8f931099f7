//! `cnpay <provider> reconcile`: the provider's record of a day against the merchant's ledger
//! (`pay_core::reconcile`), written as a table, CSV or JSON.
//!
//! Exit code 0 when every order matched, 6 when the report lists a discrepancy or a pending
//! order, the usual codes otherwise.

mod journal;

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use pay_core::reconcile::{Class, Item, LedgerCsv, Record, Report, reconcile};
use pay_core::{Error, Money};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::input::local_io;

/// The options every provider's `reconcile` takes.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The day to reconcile, YYYY-MM-DD.
    #[arg(long)]
    pub(crate) date: String,
    /// The merchant's ledger: CSV with a header naming `order_id`, `amount_fen` or
    /// `amount_yuan`, and optionally `status` (succeeded, failed, returned, …).
    #[arg(long, value_name = "FILE")]
    pub(crate) ledger: PathBuf,
    /// How to write the report.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

/// The report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// A summary and one line per order that is not matched, aligned for reading.
    Table,
    /// One CSV row per order that is not matched.
    Csv,
    /// `{"summary": {...}, "totals": {...}, "items": [...]}`.
    Json,
}

/// The `--date`, checked: `YYYY-MM-DD` with a real month and day.
pub(crate) fn check_date(date: &str) -> Result<(), CliError> {
    let parts: Vec<&str> = date.split('-').collect();
    let ok = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            let num = |s: &str| {
                s.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| s.parse::<u32>().ok())
                    .flatten()
            };
            matches!(
                (num(y), num(m), num(d)),
                (Some(_), Some(1..=12), Some(1..=31))
            )
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(CliError::invalid(
            "--date",
            format!("`{date}` is not a day as YYYY-MM-DD"),
        ))
    }
}

/// The ledger file as a stream of records.
pub(crate) fn ledger(path: &Path) -> Result<LedgerCsv<BufReader<File>>, CliError> {
    let file = File::open(path)
        .map_err(|e| local_io(&format!("cannot open the ledger {}", path.display()), &e))?;
    Ok(LedgerCsv::new(BufReader::new(file)))
}

/// A local file, and whether it is gzip-compressed (by its first two bytes).
pub(crate) fn open_maybe_gz(path: &Path, what: &str) -> Result<(BufReader<File>, bool), CliError> {
    let file = File::open(path)
        .map_err(|e| local_io(&format!("cannot open the {what} {}", path.display()), &e))?;
    let mut reader = BufReader::new(file);
    let head = reader
        .fill_buf()
        .map_err(|e| local_io(&format!("cannot read the {what} {}", path.display()), &e))?;
    let gz = head.starts_with(&[0x1f, 0x8b]);
    Ok((reader, gz))
}

/// Reconciles and writes the report; `Err` with exit code 6 when anything is not matched.
pub(crate) fn run(
    provider: impl Iterator<Item = Result<Record, Error>>,
    ledger: impl Iterator<Item = Result<Record, Error>>,
    args: &Args,
) -> Result<(), CliError> {
    let report = reconcile(provider, ledger)?;
    write_report(&report, args)?;
    if report.all_matched() {
        Ok(())
    } else {
        Err(CliError::Discrepancies {
            items: report.items.len(),
        })
    }
}

fn write_report(report: &Report, args: &Args) -> Result<(), CliError> {
    let mut text = Vec::new();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut text, &report_json(report))
                .map_err(|e| CliError::usage(format!("cannot write the report: {e}")))?;
            text.push(b'\n');
        }
        Format::Csv => write_csv(report, &mut text)?,
        Format::Table => write_table(report, &mut text),
    }
    match &args.out {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| local_io(&format!("cannot write {}", path.display()), &e)),
        None => std::io::stdout()
            .lock()
            .write_all(&text)
            .map_err(|e| local_io("cannot write standard output", &e)),
    }
}

/// The JSON report: a count per class, the totals, every item not matched.
pub(crate) fn report_json(report: &Report) -> Value {
    let summary: serde_json::Map<String, Value> = Class::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), json!(report.totals.get(*c).count)))
        .collect();
    json!({
        "summary": summary,
        "totals": report.totals,
        "items": report.items,
    })
}

const COLUMNS: [&str; 9] = [
    "class",
    "order_id",
    "provider_amount_fen",
    "ledger_amount_fen",
    "provider_status",
    "ledger_status",
    "provider_fee_fen",
    "provider_rows",
    "ledger_rows",
];

fn cells(item: &Item) -> [String; 9] {
    let fen = |m: Option<Money>| m.map(|m| m.fen().to_string()).unwrap_or_default();
    let status = |s: &Option<pay_core::TxStatus>| match s {
        None => String::new(),
        Some(pay_core::TxStatus::Unknown(code)) => format!("unknown({code})"),
        Some(s) => s.as_str().to_owned(),
    };
    [
        item.class.as_str().to_owned(),
        item.order_id.clone(),
        fen(item.provider_amount_fen),
        fen(item.ledger_amount_fen),
        status(&item.provider_status),
        status(&item.ledger_status),
        fen(item.provider_fee_fen),
        item.provider_rows.to_string(),
        item.ledger_rows.to_string(),
    ]
}

fn write_csv(report: &Report, out: &mut Vec<u8>) -> Result<(), CliError> {
    let mut w = csv::Writer::from_writer(out);
    let fail = |e: csv::Error| CliError::usage(format!("cannot write the report: {e}"));
    w.write_record(COLUMNS).map_err(fail)?;
    for item in &report.items {
        w.write_record(cells(item)).map_err(fail)?;
    }
    w.flush()
        .map_err(|e| local_io("cannot write the report", &e))
}

fn write_table(report: &Report, out: &mut Vec<u8>) {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<20} {:>9} {:>16} {:>16} {:>12}",
        "class", "orders", "provider_fen", "ledger_fen", "fee_fen"
    );
    for class in Class::ALL {
        let t = report.totals.get(class);
        let _ = writeln!(
            s,
            "{:<20} {:>9} {:>16} {:>16} {:>12}",
            class.as_str(),
            t.count,
            t.provider_fen.fen(),
            t.ledger_fen.fen(),
            t.fee_fen.fen()
        );
    }
    let _ = writeln!(
        s,
        "{:<20} {:>9} {:>16} {:>16} {:>12}",
        "fees",
        "",
        "",
        "",
        report.totals.fee_fen.fen()
    );
    if !report.items.is_empty() {
        let rows: Vec<[String; 9]> = report.items.iter().map(cells).collect();
        let mut widths = COLUMNS.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |s: &mut String, cells: &[&str]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            let _ = writeln!(s, "{}", padded.join("  ").trim_end());
        };
        let _ = writeln!(s);
        line(&mut s, &COLUMNS);
        for row in &rows {
            line(&mut s, &row.each_ref().map(String::as_str));
        }
    }
    out.extend_from_slice(s.as_bytes());
}

/// Yunzhanghu: the day's order file and bill file, local (`--order-file`, `--bill-file`, gz or
/// plain CSV) or downloaded with `client` (held in memory, compressed, while read).
pub(crate) fn yunzhanghu(
    args: &Args,
    order_file: Option<&Path>,
    bill_file: Option<&Path>,
    client: impl FnOnce() -> Result<cnpay::yunzhanghu::Client, CliError>,
) -> Result<(), CliError> {
    use cnpay::yunzhanghu::bill::{
        BillDownloadUrl, BillFileReader, OrderDownloadUrl, OrderFileReader,
    };
    use cnpay::yunzhanghu::reconcile::{records, returns};

    use crate::progress::Progress;

    check_date(&args.date)?;
    let ledger = ledger(&args.ledger)?;
    let (orders, bill): (Box<dyn Read>, Option<Box<dyn Read>>) = match order_file {
        Some(path) => {
            let orders = read_gz_or_csv(path, "order file")?;
            let bill = bill_file
                .map(|p| read_gz_or_csv(p, "bill file"))
                .transpose()?;
            (orders, bill)
        }
        None => {
            let client = client()?;
            let rt = runtime()?;
            let (mut orders, mut bill) = (Vec::new(), Vec::new());
            rt.block_on(async {
                let order_req = OrderDownloadUrl {
                    order_date: args.date.clone(),
                    extra: Default::default(),
                };
                let mut progress = Progress::to_stderr(&mut orders, "order file");
                client
                    .download_order_file(&order_req, &mut progress)
                    .await?;
                progress.finish();
                let bill_req = BillDownloadUrl {
                    bill_date: args.date.clone(),
                    extra: Default::default(),
                };
                let mut progress = Progress::to_stderr(&mut bill, "bill file");
                client.download_bill_file(&bill_req, &mut progress).await?;
                progress.finish();
                Ok::<_, Error>(())
            })?;
            (gz_reader(orders), Some(gz_reader(bill)))
        }
    };
    let returns = match bill {
        Some(bill) => returns(BillFileReader::from_csv(bill))?,
        None => Default::default(),
    };
    let rows = records(OrderFileReader::from_csv(orders), returns);
    run(CountRows::new(rows, Counter::to_stderr()), ledger, args)
}

/// Huifu: the day's trade statement, local (`--statement`) or downloaded with `client`
/// (`order_download`, held in memory while read); only the rows of `trans_types` when any
/// are given.
pub(crate) fn huifu(
    args: &Args,
    statement: Option<&Path>,
    trans_types: &[String],
    client: impl FnOnce() -> Result<cnpay::huifu::Client, CliError>,
) -> Result<(), CliError> {
    use cnpay::huifu::reconcile::{StatementReader, records};

    check_date(&args.date)?;
    let ledger = ledger(&args.ledger)?;
    let file: Box<dyn Read> = match statement {
        Some(path) => read_gz_or_csv(path, "statement")?,
        None => {
            let client = client()?;
            let order_date = args.date.replace('-', "");
            let mut bytes = Vec::new();
            let mut progress = crate::progress::Progress::to_stderr(&mut bytes, "statement");
            runtime()?.block_on(client.download_statement(&order_date, &mut progress))?;
            progress.finish();
            Box::new(std::io::Cursor::new(bytes))
        }
    };
    let keep = |row: &cnpay::huifu::reconcile::StatementRow| {
        trans_types.is_empty()
            || row
                .trans_type
                .as_ref()
                .is_some_and(|t| trans_types.contains(t))
    };
    let rows = records(StatementReader::new(file), keep);
    run(CountRows::new(rows, Counter::to_stderr()), ledger, args)
}

fn gz_reader(bytes: Vec<u8>) -> Box<dyn Read> {
    Box::new(flate2::read::MultiGzDecoder::new(std::io::Cursor::new(
        bytes,
    )))
}

fn read_gz_or_csv(path: &Path, what: &str) -> Result<Box<dyn Read>, CliError> {
    let (reader, gz) = open_maybe_gz(path, what)?;
    Ok(if gz {
        Box::new(flate2::read::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::usage(format!("cannot start the async runtime: {e}")))
}

/// The options of a reconciliation by query (aggregate-pay, protocol-pay).
#[derive(Debug, clap::Args)]
pub(crate) struct QueryArgs {
    /// What the ledger's orders are.
    #[arg(long, value_enum, default_value_t = Kind::Payout)]
    pub(crate) kind: Kind,
    /// Queries in flight at once (1 to 64).
    #[arg(long, default_value_t = 4)]
    pub(crate) concurrency: usize,
    /// Queries started per second at most (1 to 1000).
    #[arg(long, default_value_t = 10)]
    pub(crate) rate: u32,
    /// A journal of the run: every answered order is appended to FILE as it settles; started
    /// again with the same FILE, the run queries only the orders not in it yet (an
    /// interrupted run continues where it stopped). Refused when FILE is the journal of
    /// another run (provider, kind, date, ledger path or length).
    #[arg(long, value_name = "FILE")]
    pub(crate) resume: Option<PathBuf>,
}

/// The kind of the ledger's orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Kind {
    /// Pay orders (money in).
    Payment,
    /// Payouts (代付, money out).
    Payout,
}

impl QueryArgs {
    fn plan(&self) -> Result<pay_core::reconcile::QueryPlan, CliError> {
        if !(1..=1000).contains(&self.rate) {
            return Err(CliError::invalid(
                "--rate",
                "must be 1 to 1000 queries a second",
            ));
        }
        Ok(pay_core::reconcile::QueryPlan {
            concurrency: self.concurrency,
            interval: std::time::Duration::from_micros(1_000_000 / u64::from(self.rate)),
            attempts: 3,
        })
    }
}

/// `cnpay aggregate-pay|protocol-pay reconcile …`: a day's ledger reconciled by query.
#[derive(Debug, clap::Args)]
pub(crate) struct ByQuery {
    #[command(flatten)]
    args: Args,
    #[command(flatten)]
    query: QueryArgs,
}

/// Reconciles by query with `client` of `provider` (`aggregate-pay`, the journal's header),
/// which takes payments and pays out: the ledger's orders are of `--kind` (payment or payout).
pub(crate) fn by_query_client<C>(cmd: &ByQuery, provider: &str, client: C) -> Result<(), CliError>
where
    C: pay_core::Payments + pay_core::Payouts,
{
    let kind = cmd.query.kind;
    let client = &client;
    by_query(&cmd.args, &cmd.query, provider, |id: String| async move {
        match kind {
            Kind::Payment => client.query_payment(&id).await,
            Kind::Payout => client.query_payout(&id).await,
        }
    })
}

/// Reconciles by query: every ledger order (the ledger is read whole: it is the list of
/// orders to ask about) is queried, read-only, at the rate given, except those already in the
/// `--resume` journal; an order the provider does not know is missing at the provider.
/// Nothing can be missing in the ledger this way.
fn by_query<Q, QF>(args: &Args, query: &QueryArgs, provider: &str, ask: Q) -> Result<(), CliError>
where
    Q: Fn(String) -> QF,
    QF: std::future::Future<Output = Result<pay_core::Transition, Error>>,
{
    use pay_core::reconcile::query_records_resuming;

    check_date(&args.date)?;
    let plan = query.plan()?;
    let ledger: Vec<Record> = ledger(&args.ledger)?.collect::<Result<_, _>>()?;
    let mut journal = match &query.resume {
        Some(path) => {
            let kind = match query.kind {
                Kind::Payment => "payment",
                Kind::Payout => "payout",
            };
            let header = journal::header(provider, kind, &args.date, &args.ledger)?;
            Some(journal::Journal::open(path, &header)?)
        }
        None => None,
    };
    let known = journal
        .as_ref()
        .map(|j| j.known.clone())
        .unwrap_or_default();
    let total = ledger.len();
    let mut done = ledger
        .iter()
        .filter(|r| known.contains_key(&r.order_id))
        .count();
    let mut counter = Counter::to_stderr();
    counter.show(format_args!("queried: {done}/{total} orders"));
    let on_answer = |id: &str, answer: &pay_core::reconcile::Answer| {
        if let Some(journal) = &mut journal {
            journal.append(id, answer)?;
        }
        done += 1;
        counter.show(format_args!("queried: {done}/{total} orders"));
        Ok(())
    };
    let provider = runtime()?.block_on(query_records_resuming(
        ledger.clone(),
        &plan,
        &known,
        on_answer,
        ask,
        tokio::time::sleep,
    ));
    counter.finish();
    run(
        provider?.into_iter().map(Ok),
        ledger.into_iter().map(Ok),
        args,
    )
}

/// A counter line on stderr, rewritten in place with `\r`, only when stderr is a terminal
/// (never in a pipe, a log or a cron job's mail, where it would only be noise).
struct Counter {
    sink: Option<Box<dyn Write>>,
    shown: bool,
}

impl Counter {
    fn to_stderr() -> Self {
        let sink: Option<Box<dyn Write>> = if std::io::stderr().is_terminal() {
            Some(Box::new(std::io::stderr()))
        } else {
            None
        };
        Counter { sink, shown: false }
    }

    fn show(&mut self, text: std::fmt::Arguments<'_>) {
        if let Some(sink) = &mut self.sink {
            // Progress is a courtesy: a failed write to stderr never fails the run.
            let _ = write!(sink, "\r{text}");
            let _ = sink.flush();
            self.shown = true;
        }
    }

    /// Ends the counter's line, if one was shown.
    fn finish(&mut self) {
        if let (Some(sink), true) = (&mut self.sink, self.shown) {
            let _ = writeln!(sink);
        }
        self.shown = false;
    }
}

impl Drop for Counter {
    /// A run that ends early (an error) still ends the counter's line before its report.
    fn drop(&mut self) {
        self.finish();
    }
}

/// The provider's rows as they are read, counted on a [`Counter`] every [`ROWS_STEP`] rows and
/// at the end.
struct CountRows<I> {
    rows: I,
    read: u64,
    ended: bool,
    counter: Counter,
}

/// How many rows between two updates of the rows counter.
const ROWS_STEP: u64 = 1000;

impl<I> CountRows<I> {
    fn new(rows: I, counter: Counter) -> Self {
        CountRows {
            rows,
            read: 0,
            ended: false,
            counter,
        }
    }
}

impl<T, I: Iterator<Item = T>> Iterator for CountRows<I> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let next = self.rows.next();
        match next {
            Some(_) => {
                self.read += 1;
                if self.read.is_multiple_of(ROWS_STEP) {
                    self.counter
                        .show(format_args!("provider rows read: {}", self.read));
                }
            }
            None if !self.ended => {
                self.ended = true;
                self.counter
                    .show(format_args!("provider rows read: {}", self.read));
                self.counter.finish();
            }
            None => {}
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    /// A sink the test reads back.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn rows_are_counted_in_place_every_step_and_at_the_end() {
        let sink = Shared::default();
        let counter = Counter {
            sink: Some(Box::new(sink.clone())),
            shown: false,
        };
        let mut rows = CountRows::new(0..2500, counter);
        assert_eq!(rows.by_ref().count(), 2500);
        assert_eq!(rows.next(), None);
        let text = String::from_utf8(sink.0.borrow().clone()).unwrap();
        assert_eq!(
            text,
            "\rprovider rows read: 1000\rprovider rows read: 2000\rprovider rows read: 2500\n"
        );
        // No terminal: nothing at all.
        let mut rows = CountRows::new(
            0..2500,
            Counter {
                sink: None,
                shown: false,
            },
        );
        assert_eq!(rows.by_ref().count(), 2500);
    }
}

//! Huifu's trade statement (交易对账文件: `merchant/order_download` with `trans_type` 01) as the
//! provider side of a reconciliation ([`pay_core::reconcile`]).
//!
//! # The file, as read here
//! The spec gives `order_download`'s parameters (`mer_cust_id`, `order_date` 对账日期,
//! `trans_type` 01 交易对账文件) and nothing of the file the answer's `file_url` points at. The
//! reading chosen, and served by `pay-sandbox`: UTF-8 CSV (RFC 4180 quoting), a header row, one
//! row per order of the day, columns found **by name** so that an added or reordered column
//! does not break a run:
//!
//! | column | | read as |
//! |---|---|---|
//! | `order_id` | required | the merchant's order id |
//! | `order_date` | required | `yyyyMMdd`; an order is `order_id` + `order_date` |
//! | `trans_amt` | required | yuan, at most 2 decimals (exact, never a float) |
//! | `trans_stat` | required | `S` succeeded, `F` failed, `I`/`P` processing, anything else unknown (never success) |
//! | `trans_type` | optional | the kind of order (kept, for [`StatementRow`] filters) |
//! | `platform_seq_id`, `user_cust_id` | optional | kept |
//!
//! A byte-order mark before the header is ignored; a missing required column, a row without
//! a required cell or an amount that is not yuan with at most two decimals is an error naming
//! the line and the column, never a guess. A refund is an order of its own (its own
//! `order_id`), so it is a row of its own. The statement states no fee: every record's fee is
//! `None`.

use std::io::Read;

use pay_core::reconcile::Record;
use pay_core::{Error, Money, TxStatus};
use tokio::io::AsyncWrite;

use crate::client::{Client, PROVIDER};
use crate::codes::DownloadTransType;
use crate::merchant::OrderDownloadRequest;

/// The statement's header names this reader needs.
const REQUIRED: [&str; 4] = ["order_id", "order_date", "trans_amt", "trans_stat"];
/// The header names it keeps when present.
const OPTIONAL: [&str; 3] = ["trans_type", "platform_seq_id", "user_cust_id"];

/// One row of the trade statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    /// 订单号.
    pub order_id: String,
    /// 订单日期 `yyyyMMdd`.
    pub order_date: String,
    /// 交易金额.
    pub trans_amt: Money,
    /// 交易状态 as sent (`S`, `F`, `I`, `P`, …).
    pub trans_stat: String,
    /// The order's kind, where the file has the column.
    pub trans_type: Option<String>,
    /// Huifu's serial number, where the file has the column.
    pub platform_seq_id: Option<String>,
    /// The user's customer id, where the file has the column.
    pub user_cust_id: Option<String>,
}

impl StatementRow {
    /// Where the order stands: `trans_stat` read as the module docs say.
    pub fn status(&self) -> TxStatus {
        trans_stat_status(&self.trans_stat)
    }

    /// The row as a reconciliation record (no fee: the statement states none).
    pub fn record(&self) -> Record {
        Record {
            order_id: self.order_id.clone(),
            amount: self.trans_amt,
            status: self.status(),
            fee: None,
        }
    }
}

/// The lifecycle status of a statement's `trans_stat`: `S` succeeded, `F` failed, `I` and `P`
/// processing, anything else unknown (never success).
pub fn trans_stat_status(trans_stat: &str) -> TxStatus {
    match trans_stat {
        "S" => TxStatus::Succeeded,
        "F" => TxStatus::Failed,
        "I" | "P" => TxStatus::Processing,
        other => TxStatus::Unknown(other.to_owned()),
    }
}

/// Reads a trade statement row by row; memory does not grow with the file.
///
/// ```
/// use huifu::reconcile::StatementReader;
///
/// let csv = "order_id,order_date,platform_seq_id,trans_type,user_cust_id,trans_amt,trans_stat\n\
///            P20261205001,20261205,HF0001,quick-pay,6666000000001,12.30,S\n";
/// let rows = StatementReader::new(csv.as_bytes()).collect::<Result<Vec<_>, _>>()?;
/// assert_eq!(rows[0].trans_amt.fen(), 1230);
/// assert_eq!(rows[0].status(), pay_core::TxStatus::Succeeded);
/// # Ok::<(), pay_core::Error>(())
/// ```
pub struct StatementReader<R: Read> {
    reader: csv::Reader<R>,
    record: csv::StringRecord,
    /// The columns of [`REQUIRED`] then [`OPTIONAL`]; `None` until the header was read.
    columns: Option<[Option<usize>; 7]>,
    done: bool,
}

impl<R: Read> std::fmt::Debug for StatementReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatementReader")
            .field("line", &self.line())
            .finish_non_exhaustive()
    }
}

impl<R: Read> StatementReader<R> {
    /// A reader of the statement `reader` holds (uncompressed UTF-8 CSV).
    pub fn new(reader: R) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(reader);
        Self {
            reader,
            record: csv::StringRecord::new(),
            columns: None,
            done: false,
        }
    }

    fn line(&self) -> u64 {
        self.record.position().map_or(0, csv::Position::line)
    }

    fn error(&self, msg: impl Into<String>) -> Error {
        let row = self.record.iter().collect::<Vec<_>>().join(",");
        Error::decode(
            row,
            format!("statement line {}: {}", self.line(), msg.into()),
        )
    }

    /// Reads the header row and finds the columns.
    fn header(&mut self) -> Result<[Option<usize>; 7], Error> {
        let names: Vec<&str> = self
            .record
            .iter()
            .map(|s| s.trim_start_matches('\u{feff}'))
            .collect();
        let find = |name: &str| names.iter().position(|n| *n == name);
        let mut columns = [None; 7];
        for (slot, name) in columns.iter_mut().zip(REQUIRED.iter().chain(&OPTIONAL)) {
            *slot = find(name);
        }
        if let Some(missing) = REQUIRED.iter().zip(&columns).find(|(_, c)| c.is_none()) {
            return Err(self.error(format!("the header has no `{}` column", missing.0)));
        }
        Ok(columns)
    }

    fn row(&self, columns: &[Option<usize>; 7]) -> Result<StatementRow, Error> {
        let cell = |i: usize| columns[i].and_then(|c| self.record.get(c));
        let required = |i: usize| match cell(i) {
            Some(v) if !v.is_empty() => Ok(v.to_owned()),
            _ => Err(self.error(format!("`{}` is empty", REQUIRED[i]))),
        };
        let optional = |i: usize| cell(i).filter(|v| !v.is_empty()).map(str::to_owned);
        let amount = required(2)?;
        let trans_amt = Money::from_yuan(&amount)
            .map_err(|e| self.error(format!("`trans_amt` `{amount}`: {e}")))?;
        Ok(StatementRow {
            order_id: required(0)?,
            order_date: required(1)?,
            trans_amt,
            trans_stat: required(3)?,
            trans_type: optional(4),
            platform_seq_id: optional(5),
            user_cust_id: optional(6),
        })
    }
}

impl<R: Read> Iterator for StatementReader<R> {
    type Item = Result<StatementRow, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.error(e.to_string())));
                }
                Ok(true) if self.record.iter().all(str::is_empty) => {}
                Ok(true) => match self.columns {
                    None => match self.header() {
                        Ok(columns) => self.columns = Some(columns),
                        Err(e) => {
                            self.done = true;
                            return Some(Err(e));
                        }
                    },
                    Some(columns) => return Some(self.row(&columns)),
                },
            }
        }
        if self.columns.is_none() {
            self.columns = Some([None; 7]);
            return Some(Err(self.error("the statement is empty: no header row")));
        }
        None
    }
}

impl Client {
    /// Asks for the trade statement of `order_date` (`yyyyMMdd`; `order_download`,
    /// `trans_type` 01) and streams the file its answer points at into `out`; returns the
    /// number of bytes written. Read it with [`StatementReader`]. Read-only: every failure is
    /// retry-safe.
    ///
    /// # Errors
    /// As [`Client::order_download`]; [`Error::Decode`] when the answer has no `file_url`;
    /// as [`pay_core::download::download`].
    pub async fn download_statement<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        order_date: &str,
        out: &mut W,
    ) -> Result<u64, Error> {
        let req = OrderDownloadRequest {
            order_date: order_date.to_owned(),
            trans_type: DownloadTransType::Trade,
            extra: Default::default(),
        };
        let answer = self.order_download(&req).await?;
        let Some(url) = answer
            .file_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            // A read-only call's answer that cannot be used: retry-safe, no order to query.
            return Err(
                pay_core::Call::query(PROVIDER, "order-download").classify(Error::decode(
                    String::new(),
                    "order_download answered without a file_url",
                )),
            );
        };
        pay_core::download::download(&*self.transport, PROVIDER, url, out).await
    }
}

/// The statement's rows as reconciliation records, keeping only the rows `keep` accepts (all
/// rows: `|_| true`; one kind of order: `|row| row.trans_type.as_deref() == Some("refund")`).
pub fn records<R: Read>(
    reader: StatementReader<R>,
    keep: impl Fn(&StatementRow) -> bool,
) -> impl Iterator<Item = Result<Record, Error>> {
    reader.filter_map(move |row| match row {
        Ok(row) if keep(&row) => Some(Ok(row.record())),
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "order_id,order_date,platform_seq_id,trans_type,user_cust_id,trans_amt,trans_stat\n";

    fn rows(csv: &str) -> Result<Vec<StatementRow>, Error> {
        StatementReader::new(csv.as_bytes()).collect()
    }

    /// The error and its sources, as one line.
    fn chain(err: &Error) -> String {
        let mut out = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            out.push_str(": ");
            out.push_str(&s.to_string());
            source = s.source();
        }
        out
    }

    #[test]
    fn reads_every_column_by_name_and_every_status() {
        let csv = format!(
            "\u{feff}{HEADER}A1,20261205,HF1,quick-pay,U1,12.30,S\n\
             A2,20261205,HF2,refund,U1,0.01,F\n\
             A3,20261205,HF3,app-pay,U2,1,I\n\
             A4,20261205,HF4,withdrawal,U2,\"1,000.00\",X\n"
        );
        let err = rows(&csv).unwrap_err();
        assert!(chain(&err).contains("line 5"), "{err}");
        let csv = format!(
            "{HEADER}A1,20261205,HF1,quick-pay,U1,12.30,S\n\n\
             A2,20261205,HF2,refund,U1,0.01,F\nA3,20261205,,app-pay,,1,P\nA4,20261205,HF4,withdrawal,U2,7.5,X\n"
        );
        let got = rows(&csv).unwrap();
        assert_eq!(got.len(), 4);
        assert_eq!(
            got[0],
            StatementRow {
                order_id: "A1".into(),
                order_date: "20261205".into(),
                trans_amt: Money::from_fen(1230),
                trans_stat: "S".into(),
                trans_type: Some("quick-pay".into()),
                platform_seq_id: Some("HF1".into()),
                user_cust_id: Some("U1".into()),
            }
        );
        assert_eq!(got[2].platform_seq_id, None);
        let statuses: Vec<TxStatus> = got.iter().map(StatementRow::status).collect();
        assert_eq!(
            statuses,
            [
                TxStatus::Succeeded,
                TxStatus::Failed,
                TxStatus::Processing,
                TxStatus::Unknown("X".into())
            ]
        );
        assert_eq!(got[3].trans_amt, Money::from_fen(750));
    }

    #[test]
    fn columns_may_come_in_any_order_and_unknown_ones_are_ignored() {
        let csv = "trans_stat,fee,trans_amt,order_id,order_date\nS,0.10,5.00,B1,20261205\n";
        let got = rows(csv).unwrap();
        assert_eq!(got[0].record().amount, Money::from_fen(500));
        assert_eq!(got[0].record().fee, None);
        assert_eq!(got[0].trans_type, None);
    }

    #[test]
    fn a_missing_column_or_cell_or_a_bad_amount_is_an_error_naming_it() {
        let no_stat = "order_id,order_date,trans_amt\nA,20261205,1.00\n";
        assert!(chain(&rows(no_stat).unwrap_err()).contains("trans_stat"));
        let empty_id = format!("{HEADER},20261205,HF,quick-pay,U,1.00,S\n");
        assert!(chain(&rows(&empty_id).unwrap_err()).contains("`order_id` is empty"));
        for amount in ["1.001", "-1.00", "abc", "1e3"] {
            let csv = format!("{HEADER}A,20261205,HF,quick-pay,U,{amount},S\n");
            let err = rows(&csv).unwrap_err();
            assert!(chain(&err).contains("trans_amt"), "{amount}: {err}");
        }
        assert!(chain(&rows("").unwrap_err()).contains("no header row"));
        assert!(rows(HEADER).unwrap().is_empty());
    }

    #[test]
    fn records_keep_the_rows_asked_for() {
        let csv = format!(
            "{HEADER}A1,20261205,HF1,quick-pay,U1,1.00,S\nR1,20261205,HF2,refund,U1,0.50,S\n"
        );
        let all: Vec<Record> = records(StatementReader::new(csv.as_bytes()), |_| true)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(all.len(), 2);
        let refunds: Vec<Record> = records(StatementReader::new(csv.as_bytes()), |r| {
            r.trans_type.as_deref() == Some("refund")
        })
        .collect::<Result<_, _>>()
        .unwrap();
        assert_eq!(refunds.len(), 1);
        assert_eq!(refunds[0].order_id, "R1");
    }
}

//! The merchant's ledger as a CSV file.

use std::io::Read;

use super::{Record, status_from_name};
use crate::{Error, Money, TxStatus};

/// Reads a ledger CSV as [`Record`]s, one row at a time.
///
/// The header names the columns, in any order, other columns ignored:
/// - `order_id` (required);
/// - `amount_fen` (integer fen) or `amount_yuan` (an exact yuan string such as `12.30`), one
///   of them;
/// - `status` (optional): a lifecycle name (`succeeded`, `failed`, `returned`, …). Without the
///   column (or with an empty cell) an order counts as `succeeded`.
///
/// The ledger states no fee.
///
/// # Errors
/// Each bad row is an [`Error::InvalidInput`] whose field names the line and the column
/// (`line 3: amount_fen`); a missing column is one naming the header; an unreadable file is
/// [`Error::Io`].
pub struct LedgerCsv<R: Read> {
    reader: csv::Reader<R>,
    columns: Result<Columns, Option<Error>>,
    row: csv::StringRecord,
}

impl<R: Read> std::fmt::Debug for LedgerCsv<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerCsv").finish_non_exhaustive()
    }
}

#[derive(Clone, Copy)]
struct Columns {
    order_id: usize,
    amount: usize,
    in_yuan: bool,
    status: Option<usize>,
}

impl<R: Read> LedgerCsv<R> {
    /// A reader over CSV text with a header line.
    pub fn new(reader: R) -> Self {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(reader);
        let columns = columns(&mut reader).map_err(Some);
        LedgerCsv {
            reader,
            columns,
            row: csv::StringRecord::new(),
        }
    }

    fn read(&mut self, columns: Columns) -> Option<Result<Record, Error>> {
        match self.reader.read_record(&mut self.row) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.row.position().map_or(0, |p| p.line());
                Some(parse_row(&self.row, columns, line))
            }
            Err(e) => Some(Err(csv_error(e))),
        }
    }
}

impl<R: Read> Iterator for LedgerCsv<R> {
    type Item = Result<Record, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.columns {
            Ok(columns) => {
                let columns = *columns;
                self.read(columns)
            }
            // The header error once, then nothing.
            Err(e) => e.take().map(Err),
        }
    }
}

fn columns<R: Read>(reader: &mut csv::Reader<R>) -> Result<Columns, Error> {
    let header = reader.headers().map_err(csv_error)?;
    let find = |name: &str| header.iter().position(|h| h.trim() == name);
    let order_id = find("order_id").ok_or_else(|| missing("order_id"))?;
    let (amount, in_yuan) = match (find("amount_fen"), find("amount_yuan")) {
        (Some(i), None) => (i, false),
        (None, Some(i)) => (i, true),
        (Some(_), Some(_)) => {
            return Err(Error::invalid_input(
                "line 1: amount_fen",
                "the header names both amount_fen and amount_yuan: keep one",
            ));
        }
        (None, None) => return Err(missing("amount_fen or amount_yuan")),
    };
    Ok(Columns {
        order_id,
        amount,
        in_yuan,
        status: find("status"),
    })
}

fn missing(name: &'static str) -> Error {
    Error::invalid_input(format!("line 1: {name}"), "the header has no such column")
}

fn csv_error(e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(io),
        csv::ErrorKind::Utf8 { .. } => Error::invalid_input(format!("line {line}"), "not UTF-8"),
        csv::ErrorKind::UnequalLengths { .. } => Error::invalid_input(
            format!("line {line}"),
            "a different number of fields than the header",
        ),
        _ => Error::invalid_input(format!("line {line}"), "not readable as CSV"),
    }
}

fn parse_row(row: &csv::StringRecord, c: Columns, line: u64) -> Result<Record, Error> {
    let field =
        |name: &str, reason: String| Error::invalid_input(format!("line {line}: {name}"), reason);
    let order_id = row.get(c.order_id).unwrap_or("").trim();
    if order_id.is_empty() {
        return Err(field("order_id", "empty".to_owned()));
    }
    let text = row.get(c.amount).unwrap_or("").trim();
    let (name, amount) = if c.in_yuan {
        ("amount_yuan", Money::from_yuan(text))
    } else {
        ("amount_fen", Money::from_fen_str(text))
    };
    let amount = amount.map_err(|e| field(name, format!("`{text}`: {e}")))?;
    let status = match c.status.and_then(|i| row.get(i)).map(str::trim) {
        None | Some("") => TxStatus::Succeeded,
        Some(name) => status_from_name(name).ok_or_else(|| {
            field(
                "status",
                format!("`{name}` is not a lifecycle status (succeeded, failed, returned, …)"),
            )
        })?,
    };
    Ok(Record {
        order_id: order_id.to_owned(),
        amount,
        status,
        fee: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Result<Record, Error>> {
        LedgerCsv::new(text.as_bytes()).collect()
    }

    fn field(r: &Result<Record, Error>) -> String {
        match r {
            Err(Error::InvalidInput { field, .. }) => field.to_string(),
            other => format!("not InvalidInput: {other:?}"),
        }
    }

    #[test]
    fn reads_yuan_fen_and_statuses() {
        let rows = read("note,amount_yuan,order_id,status\nx,12.30,A1,returned\ny,0.05,A2,\n");
        let rows: Vec<Record> = rows.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(
            rows,
            vec![
                Record {
                    order_id: "A1".into(),
                    amount: Money::from_fen(1230),
                    status: TxStatus::Returned,
                    fee: None
                },
                Record {
                    order_id: "A2".into(),
                    amount: Money::from_fen(5),
                    status: TxStatus::Succeeded,
                    fee: None
                },
            ]
        );
        let rows = read("order_id,amount_fen\nB,199\n");
        assert_eq!(rows[0].as_ref().unwrap().amount, Money::from_fen(199));
        assert_eq!(rows[0].as_ref().unwrap().status, TxStatus::Succeeded);
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let rows = read(
            "order_id,amount_fen,status\nA,1,succeeded\nB,1.5,failed\n,3,failed\nD,4,paid\nE,5\n",
        );
        assert!(rows[0].is_ok());
        assert_eq!(field(&rows[1]), "line 3: amount_fen");
        assert_eq!(field(&rows[2]), "line 4: order_id");
        assert_eq!(field(&rows[3]), "line 5: status");
        assert_eq!(field(&rows[4]), "line 6");
        let rows = read("order_id,amount_yuan\nA,-1.00\n");
        assert_eq!(field(&rows[0]), "line 2: amount_yuan");
    }

    #[test]
    fn a_bad_header_is_one_error_naming_the_column() {
        let rows = read("id,amount_fen\nA,1\n");
        assert_eq!(rows.len(), 1);
        assert_eq!(field(&rows[0]), "line 1: order_id");
        assert_eq!(
            field(&read("order_id,amount\n")[0]),
            "line 1: amount_fen or amount_yuan"
        );
        assert_eq!(
            field(&read("order_id,amount_fen,amount_yuan\n")[0]),
            "line 1: amount_fen"
        );
    }
}

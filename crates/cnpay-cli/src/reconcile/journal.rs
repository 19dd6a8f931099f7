//! `--resume FILE`: the journal of a reconciliation by query. Its first line names the run
//! (provider, kind, date, ledger path and length); then one JSON line per answered order,
//! appended as soon as its query settles:
//!
//! ```text
//! {"journal":"cnpay reconcile by query","provider":"aggregate-pay","kind":"payout","date":"2026-12-05","ledger":"/books/12-05.csv","ledger_bytes":1234}
//! {"order_id":"C-OK","amount_fen":12345,"status":"succeeded"}
//! {"order_id":"C-ODD","amount_fen":null,"status":"unknown","code":"X9"}
//! {"order_id":"C-NEVER","status":"not_found"}
//! ```
//!
//! A run started again with the same journal queries only the orders not in it. A last line
//! cut off by a crash (no newline, or not JSON) is dropped and its order queried again; a
//! journal of another run is refused.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use pay_core::reconcile::{Answer, status_from_name};
use pay_core::{Error, Money, TxStatus};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::input::local_io;

/// What the header line says: `journal` marks the file as one.
const MARK: &str = "cnpay reconcile by query";

/// An open journal: the answers it held when opened, and the file to append new ones to.
pub(crate) struct Journal {
    file: File,
    pub(crate) known: HashMap<String, Answer>,
}

/// The header of the journal of a run: the provider (`aggregate-pay`), the kind of order
/// (`payout`), the day and the ledger (its absolute path and length in bytes).
pub(crate) fn header(
    provider: &str,
    kind: &str,
    date: &str,
    ledger: &Path,
) -> Result<Value, CliError> {
    let what = format!("cannot read the ledger {}", ledger.display());
    let path = std::fs::canonicalize(ledger).map_err(|e| local_io(&what, &e))?;
    let bytes = std::fs::metadata(&path)
        .map_err(|e| local_io(&what, &e))?
        .len();
    Ok(json!({
        "journal": MARK,
        "provider": provider,
        "kind": kind,
        "date": date,
        "ledger": path.to_string_lossy(),
        "ledger_bytes": bytes,
    }))
}

impl Journal {
    /// Opens (or creates) the journal at `path` for the run `header`: refused when it is the
    /// journal of another run, or not a journal. A cut-off last line is removed from the file.
    pub(crate) fn open(path: &Path, header: &Value) -> Result<Journal, CliError> {
        let what = format!("cannot open the journal {}", path.display());
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| local_io(&what, &e))?;
        let mut text = Vec::new();
        file.read_to_end(&mut text)
            .map_err(|e| local_io(&what, &e))?;
        let (known, keep) = if text.is_empty() {
            let mut line = header.to_string();
            line.push('\n');
            file.write_all(line.as_bytes())
                .map_err(|e| local_io(&what, &e))?;
            (HashMap::new(), line.len())
        } else {
            read(path, &text, header)?
        };
        // Drop a cut-off last line, so that new lines follow a whole one.
        let keep = u64::try_from(keep)
            .map_err(|_| CliError::invalid("--resume", "the journal is too long"))?;
        file.set_len(keep).map_err(|e| local_io(&what, &e))?;
        file.seek(SeekFrom::End(0))
            .map_err(|e| local_io(&what, &e))?;
        Ok(Journal { file, known })
    }

    /// Appends one answer as one line, written out at once.
    pub(crate) fn append(&mut self, order_id: &str, answer: &Answer) -> Result<(), Error> {
        let mut line = answer_line(order_id, answer).to_string();
        line.push('\n');
        self.file.write_all(line.as_bytes()).map_err(|e| {
            Error::io(std::io::Error::new(
                e.kind(),
                format!("cannot write to the journal (--resume): {e}"),
            ))
        })?;
        self.file.flush().map_err(Error::io)
    }
}

/// The answers of a journal's text, and how many bytes of it to keep (up to the end of the
/// last whole line).
fn read(
    path: &Path,
    text: &[u8],
    header: &Value,
) -> Result<(HashMap<String, Answer>, usize), CliError> {
    let refuse = |why: String| {
        CliError::invalid(
            "--resume",
            format!(
                "{} {why}: give another file, or remove it to start afresh",
                path.display()
            ),
        )
    };
    let mut lines = text.split_inclusive(|b| *b == b'\n');
    let Some(first) = lines.next() else {
        return Err(refuse("is empty".to_owned()));
    };
    let found: Option<Value> = first
        .strip_suffix(b"\n")
        .and_then(|l| serde_json::from_slice(l).ok());
    match found {
        Some(found) if found == *header => {}
        Some(found) if found.get("journal") == Some(&json!(MARK)) => {
            return Err(refuse(format!(
                "is the journal of another run ({found}; this run is {header})"
            )));
        }
        _ => return Err(refuse("is not a reconciliation journal".to_owned())),
    }
    let mut known = HashMap::new();
    let mut keep = first.len();
    let mut lines = lines.enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let parsed = line
            .strip_suffix(b"\n")
            .and_then(|l| serde_json::from_slice::<Value>(l).ok())
            .and_then(|v| parse_answer(&v));
        match parsed {
            Some((id, answer)) => {
                known.insert(id, answer);
                keep += line.len();
            }
            // The last line, cut off by a crash: its order is queried again.
            None if lines.peek().is_none() => {}
            None => return Err(refuse(format!("line {} is not an answer", i + 2))),
        }
    }
    Ok((known, keep))
}

fn answer_line(order_id: &str, answer: &Answer) -> Value {
    match answer {
        Answer::Found { amount, status } => {
            let mut line = json!({
                "order_id": order_id,
                "amount_fen": amount.map(Money::fen),
                "status": status.as_str(),
            });
            if let TxStatus::Unknown(code) = status {
                line["code"] = json!(code);
            }
            line
        }
        Answer::NotFound => json!({ "order_id": order_id, "status": "not_found" }),
    }
}

fn parse_answer(line: &Value) -> Option<(String, Answer)> {
    let id = line.get("order_id")?.as_str()?.to_owned();
    let status = line.get("status")?.as_str()?;
    if status == "not_found" {
        return Some((id, Answer::NotFound));
    }
    let amount = match line.get("amount_fen")? {
        Value::Null => None,
        fen => Some(Money::from_fen(fen.as_i64()?)),
    };
    let status = match status {
        "unknown" => TxStatus::Unknown(line.get("code")?.as_str()?.to_owned()),
        name => status_from_name(name)?,
    };
    Some((id, Answer::Found { amount, status }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_reads_back_as_written() {
        let answers = [
            Answer::Found {
                amount: Some(Money::from_fen(12_345)),
                status: TxStatus::Succeeded,
            },
            Answer::Found {
                amount: None,
                status: TxStatus::Unknown("X9".to_owned()),
            },
            Answer::Found {
                amount: Some(Money::from_fen(-1)),
                status: TxStatus::Returned,
            },
            Answer::NotFound,
        ];
        for answer in answers {
            let line = answer_line("订单-1", &answer);
            let text = line.to_string();
            let back: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                parse_answer(&back),
                Some(("订单-1".to_owned(), answer)),
                "{text}"
            );
        }
        assert_eq!(
            parse_answer(&json!({"order_id": "a", "status": "paid", "amount_fen": 1})),
            None
        );
        assert_eq!(
            parse_answer(&json!({"order_id": "a", "status": "succeeded"})),
            None
        );
    }
}

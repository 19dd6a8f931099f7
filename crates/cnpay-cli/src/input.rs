//! Reading input: `--data JSON | @file | -`, standard input, `--file name=path`, and the
//! `--lines` batch mode.

use std::io::{BufRead, Read, Write};
use std::path::Path;

use pay_core::multipart::FilePart;

use crate::error::{CliError, EXIT_OK};

/// A local file or stream that failed: [`pay_core::Error::Io`] (exit 2, reported as `io`),
/// with what was being read or written in the message.
pub(crate) fn local_io(what: &str, e: &std::io::Error) -> CliError {
    CliError::Core(pay_core::Error::io(std::io::Error::new(
        e.kind(),
        format!("{what}: {e}"),
    )))
}

/// Reads the whole of standard input.
fn read_stdin() -> Result<String, CliError> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| local_io("cannot read standard input", &e))?;
    Ok(s)
}

fn read_file(path: &str) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| local_io(&format!("cannot read `{path}`"), &e))
}

/// Removes one trailing line break (`\n` or `\r\n`), as `echo` and editors add one.
fn trim_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    s
}

/// Resolves a `--data` value: `-` is standard input, `@path` a file, anything else the text
/// itself. One trailing line break of a file or of standard input is removed.
pub(crate) fn resolve_data(value: &str) -> Result<String, CliError> {
    if value == "-" {
        read_stdin().map(trim_newline)
    } else if let Some(path) = value.strip_prefix('@') {
        read_file(path).map(trim_newline)
    } else {
        Ok(value.to_owned())
    }
}

/// Where the items come from: the `--data` value if given, else standard input.
///
/// Without `--lines` there is one item: the whole input (less one trailing line break). With
/// `--lines`, every non-empty line is one item.
pub(crate) fn items(data: Option<&str>, lines: bool) -> Result<Vec<String>, CliError> {
    if lines {
        let text = match data {
            None | Some("-") => {
                let mut out = Vec::new();
                for line in std::io::stdin().lock().lines() {
                    let line = line.map_err(|e| local_io("cannot read standard input", &e))?;
                    out.push(line);
                }
                return Ok(out
                    .into_iter()
                    .map(|l| l.trim_end_matches('\r').to_owned())
                    .filter(|l| !l.trim().is_empty())
                    .collect());
            }
            Some(v) => resolve_data(v)?,
        };
        Ok(text
            .lines()
            .map(|l| l.trim_end_matches('\r').to_owned())
            .filter(|l| !l.trim().is_empty())
            .collect())
    } else {
        let one = match data {
            Some(v) => resolve_data(v)?,
            None => read_stdin().map(trim_newline)?,
        };
        Ok(vec![one])
    }
}

/// Parses an item as a JSON object, naming `what` on failure.
pub(crate) fn json_object(
    text: &str,
    what: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, CliError> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        Ok(_) => Err(CliError::invalid(what, "must be a JSON object")),
        Err(e) => Err(CliError::invalid(what, format!("is not valid JSON: {e}"))),
    }
}

/// Parses `--file name=path` into a file part, reading the file.
pub(crate) fn file_part(spec: &str) -> Result<FilePart, CliError> {
    let Some((field, path)) = spec.split_once('=') else {
        return Err(CliError::usage(format!(
            "--file `{spec}`: expected NAME=PATH, e.g. --file file1=front.jpg"
        )));
    };
    if field.is_empty() || path.is_empty() {
        return Err(CliError::usage(format!(
            "--file `{spec}`: expected NAME=PATH, e.g. --file file1=front.jpg"
        )));
    }
    let data = std::fs::read(path)
        .map_err(|e| local_io(&format!("--file {field}: cannot read `{path}`"), &e))?;
    let p = Path::new(path);
    let file_name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned());
    let ext = p
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let content_type = match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "txt" | "csv" => "text/plain",
        _ => "application/octet-stream",
    };
    Ok(FilePart {
        field: field.to_owned(),
        file_name,
        content_type: content_type.to_owned(),
        data: data.into(),
    })
}

/// What a successful item prints.
#[derive(Debug)]
pub(crate) enum Output {
    /// JSON: pretty on its own, compact in `--lines` mode.
    Json(serde_json::Value),
    /// Text, printed as is.
    Text(String),
}

/// Runs `f` on every item and prints each result on stdout.
///
/// Without `--lines`, the item's error is returned. With `--lines`, every input line gives one
/// output line — a failed line prints `{"error": …}` (and the same report on stderr, with
/// its line number) — and processing goes on; the exit code is then the most severe of the
/// failures.
pub(crate) fn run_items(
    items: Vec<String>,
    lines: bool,
    f: impl FnMut(&str) -> Result<Output, CliError>,
) -> Result<(), CliError> {
    run(
        items,
        lines,
        |e| local_io("cannot write standard output", &e),
        f,
    )
}

/// As [`run_items`], for items that are provider calls: an answer that cannot be written to
/// standard output is [`CliError::AnswerNotWritten`] (the call was made, and may have moved
/// money), never a local error that would say "run it again".
pub(crate) fn run_calls(
    items: Vec<String>,
    lines: bool,
    f: impl FnMut(&str) -> Result<Output, CliError>,
) -> Result<(), CliError> {
    run(items, lines, CliError::AnswerNotWritten, f)
}

fn run(
    items: Vec<String>,
    lines: bool,
    write_failed: impl Fn(std::io::Error) -> CliError,
    mut f: impl FnMut(&str) -> Result<Output, CliError>,
) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut worst = EXIT_OK;
    let mut failed = 0usize;
    for (i, item) in items.iter().enumerate() {
        match f(item) {
            Ok(o) => {
                let text = match (o, lines) {
                    (Output::Json(v), false) => {
                        serde_json::to_string_pretty(&v).unwrap_or_default()
                    }
                    (Output::Json(v), true) => v.to_string(),
                    (Output::Text(t), _) => t,
                };
                write_line(&mut out, &text).map_err(&write_failed)?;
            }
            Err(e) if lines => {
                let report = e.report();
                // Not eprintln!: a closed stderr must not panic.
                let _ = writeln!(std::io::stderr(), "line {}: {}", i + 1, report);
                write_line(
                    &mut out,
                    &serde_json::json!({ "error": report }).to_string(),
                )
                .map_err(&write_failed)?;
                worst = worst.max(e.exit_code());
                failed += 1;
            }
            Err(e) => return Err(e),
        }
    }
    if failed > 0 {
        return Err(CliError::Batch {
            code: worst,
            failed,
        });
    }
    Ok(())
}

fn write_line(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    writeln!(out, "{text}").and_then(|()| out.flush())
}

//! Reading input: `--data JSON | @file | -`, standard input, `--file name=path`, and the
//! `--lines` batch mode.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// The input limit when `--max-input` is not given: 16 MiB.
pub(crate) const DEFAULT_MAX_INPUT: u64 = 16 * 1024 * 1024;

static MAX_INPUT: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT);

/// Sets the most bytes any one input (standard input, an `@file`, a `--file`, the config file)
/// may hold; see [`read_limited`].
pub(crate) fn set_max_input(bytes: u64) {
    MAX_INPUT.store(bytes, Ordering::Relaxed);
}

/// Reads `reader` to its end, refusing it as soon as it holds more than the input limit: at
/// most one byte over the limit is ever read, so that `--data @/dev/zero` or a runaway pipe
/// cannot grow the process. `what` names the input in errors; `field` is the error's field.
pub(crate) fn read_limited(
    reader: impl Read,
    what: &str,
    field: &str,
) -> Result<Vec<u8>, CliError> {
    let limit = MAX_INPUT.load(Ordering::Relaxed);
    let mut buf = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| local_io(&format!("cannot read {what}"), &e))?;
    if u64::try_from(buf.len()).map_or(true, |n| n > limit) {
        return Err(CliError::invalid(
            field,
            format!(
                "{what} is larger than the input limit of {limit} bytes (raise it with --max-input BYTES)"
            ),
        ));
    }
    Ok(buf)
}

/// Reads a file whole, within the input limit.
pub(crate) fn read_file_limited(path: &str, field: &str) -> Result<Vec<u8>, CliError> {
    let file =
        std::fs::File::open(path).map_err(|e| local_io(&format!("cannot read `{path}`"), &e))?;
    read_limited(file, &format!("`{path}`"), field)
}

/// Reads the whole of standard input, within the input limit.
fn read_stdin() -> Result<Vec<u8>, CliError> {
    read_limited(std::io::stdin().lock(), "standard input", "input")
}

/// Removes one trailing line break (`\n` or `\r\n`), as `echo` and editors add one.
fn trim_newline(mut s: Vec<u8>) -> Vec<u8> {
    if s.ends_with(b"\n") {
        s.pop();
        if s.ends_with(b"\r") {
            s.pop();
        }
    }
    s
}

/// One input item: its bytes, and the input line it starts on (1 outside `--lines` mode).
#[derive(Debug)]
pub(crate) struct Item {
    /// The input line number, from 1.
    pub(crate) line: usize,
    /// The item as read; [`run_items`] turns it into text.
    pub(crate) bytes: Vec<u8>,
}

impl Item {
    /// A whole input (line 1).
    pub(crate) fn whole(bytes: impl Into<Vec<u8>>) -> Self {
        Item {
            line: 1,
            bytes: bytes.into(),
        }
    }
}

/// Where the items come from: the `--data` value if given (`-` is standard input, `@path` a
/// file, anything else the text itself), else standard input.
///
/// Without `--lines` there is one item: the whole input (less one trailing line break of a
/// file or of standard input). With `--lines`, every line that is not blank is one item,
/// numbered by its line in the input.
pub(crate) fn items(data: Option<&str>, lines: bool) -> Result<Vec<Item>, CliError> {
    let (bytes, from_source) = match data {
        None | Some("-") => (read_stdin()?, true),
        Some(v) => match v.strip_prefix('@') {
            Some(path) => (read_file_limited(path, "input")?, true),
            None => (v.as_bytes().to_vec(), false),
        },
    };
    if !lines {
        let bytes = if from_source {
            trim_newline(bytes)
        } else {
            bytes
        };
        return Ok(vec![Item::whole(bytes)]);
    }
    Ok(bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let blank = std::str::from_utf8(line).is_ok_and(|l| l.trim().is_empty());
            (!blank).then(|| Item {
                line: i + 1,
                bytes: line.to_vec(),
            })
        })
        .collect())
}

/// An item as text; bytes that are not UTF-8 are invalid input (exit 2), not a local I/O
/// failure.
fn text(bytes: &[u8]) -> Result<&str, CliError> {
    std::str::from_utf8(bytes).map_err(|e| {
        CliError::invalid(
            "input",
            format!("is not UTF-8 text (at byte {})", e.valid_up_to()),
        )
    })
}

/// Parses an item as a JSON object, naming `what` on failure; a key given twice (at any
/// depth) is refused by [`pay_core::decode::input_json`], naming the key.
pub(crate) fn json_object(
    text: &str,
    what: &'static str,
) -> Result<serde_json::Map<String, serde_json::Value>, CliError> {
    match pay_core::decode::input_json(text, what)? {
        serde_json::Value::Object(m) => Ok(m),
        _ => Err(CliError::invalid(what, "must be a JSON object")),
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
    let file = std::fs::File::open(path)
        .map_err(|e| local_io(&format!("--file {field}: cannot read `{path}`"), &e))?;
    let data = read_limited(file, &format!("`{path}`"), &format!("--file {field}"))?;
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
/// output line — a failed line prints `{"line": N, "error": …}` (and the same report on
/// stderr, after `line N:`), N being its line in the input, blank lines counted — and processing goes on; the exit code is then the most severe of the
/// failures.
pub(crate) fn run_items(
    items: Vec<Item>,
    lines: bool,
    mut f: impl FnMut(&str) -> Result<Output, CliError>,
) -> Result<(), CliError> {
    run(
        items,
        lines,
        |e| local_io("cannot write standard output", &e),
        |bytes| f(text(bytes)?),
    )
}

/// As [`run_items`], for items that are bytes as received (a notification body, which is
/// judged by the provider's rules, not refused as local input).
pub(crate) fn run_raw_items(
    items: Vec<Item>,
    lines: bool,
    f: impl FnMut(&[u8]) -> Result<Output, CliError>,
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
    items: Vec<Item>,
    lines: bool,
    mut f: impl FnMut(&str) -> Result<Output, CliError>,
) -> Result<(), CliError> {
    run(items, lines, CliError::AnswerNotWritten, |bytes| {
        f(text(bytes)?)
    })
}

fn run(
    items: Vec<Item>,
    lines: bool,
    write_failed: impl Fn(std::io::Error) -> CliError,
    mut f: impl FnMut(&[u8]) -> Result<Output, CliError>,
) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut worst = EXIT_OK;
    let mut failed = 0usize;
    for item in &items {
        match f(&item.bytes) {
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
                let _ = writeln!(std::io::stderr(), "line {}: {}", item.line, report);
                write_line(
                    &mut out,
                    &serde_json::json!({ "line": item.line, "error": report }).to_string(),
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

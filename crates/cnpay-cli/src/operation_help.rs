//! `cnpay <provider> <operation>`: its command line and its help, generated from the provider
//! crate's catalog (`pay_core::operation::OperationDoc`: the request fields under their wire
//! names, whether each is required, its rules, the spec's words, and a working example).

use clap::{CommandFactory, Parser};
use pay_core::operation::{FieldDoc, OperationDoc, Presence};

/// What the command line knows of one provider's operations.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProviderDocs {
    /// The provider's name in commands (`yunzhanghu`).
    pub(crate) name: &'static str,
    /// The operation names, as the provider crate lists them.
    pub(crate) operations: &'static [&'static str],
    /// The provider crate's catalog; empty while its operations are not documented yet.
    pub(crate) catalog: &'static [OperationDoc],
    /// The operations that upload files, with their file fields.
    pub(crate) files: &'static [(&'static str, &'static [&'static str])],
}

impl ProviderDocs {
    /// The catalog entry of `operation`, where the provider crate documents it.
    pub(crate) fn doc(&self, operation: &str) -> Option<&'static OperationDoc> {
        self.catalog.iter().find(|d| d.name == operation)
    }

    /// The file fields `operation` takes (`--file FIELD=PATH`).
    pub(crate) fn file_fields(&self, operation: &str) -> &'static [&'static str] {
        self.files
            .iter()
            .find(|(op, _)| *op == operation)
            .map_or(&[], |(_, fields)| fields)
    }

    /// The command line of every operation, for the shell completions.
    pub(crate) fn commands(&self) -> impl Iterator<Item = clap::Command> + '_ {
        self.operations.iter().map(|op| self.command(op))
    }

    /// The command line of `operation`, with its help: what it does, every request field,
    /// a working example, its files and its amounts.
    pub(crate) fn command(&self, operation: &'static str) -> clap::Command {
        let provider = self.name;
        let doc = self.doc(operation);
        let files = self.file_fields(operation);
        let about = match doc {
            Some(d) => format!("Runs the {provider} operation `{operation}` ({}).", d.path),
            None => format!("Runs the {provider} operation `{operation}`."),
        };
        OperationArgs::command()
            .name(operation)
            .bin_name(format!("cnpay {provider} {operation}"))
            .about(about)
            .after_help(format!(
                "{}\n\nExample:\n  {}\n\n--data holds the business fields under the spec's \
                 wire names; the command adds credentials, ids, timestamps and the signature, \
                 validates, sends, verifies, and prints the answer as JSON. {}\n\n{}",
                fields_help(doc),
                example(provider, operation, doc, files),
                files_help(files),
                crate::amounts::help(provider, operation)
            ))
    }
}

/// `cnpay <provider> <operation> …`
#[derive(Debug, Parser)]
pub(crate) struct OperationArgs {
    /// The business fields under their wire names (see Fields below): JSON, @file, or - for
    /// stdin. Without it, standard input is read unless it is a terminal (then `{}`, as for
    /// an empty input).
    #[arg(long)]
    pub(crate) data: Option<String>,
    /// A file to upload, `FIELD=PATH` (repeatable); the help of an operation that uploads
    /// files names its fields.
    #[arg(long = "file", value_name = "NAME=PATH")]
    pub(crate) files: Vec<String>,
    /// Batch mode: every input line is one request, every output line one result.
    #[arg(long)]
    pub(crate) lines: bool,
    /// A TOML settings file (as the global --config).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<std::path::PathBuf>,
    /// The most bytes one input may hold (as the global --max-input).
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_input: Option<u64>,
}

/// The heading of the field list in an operation's help.
pub(crate) const FIELDS_HEADING: &str =
    "Fields (the JSON object of --data, under the spec's wire names):";

/// The field list: each field's wire name and whether it is required, its rules, and what
/// the spec says it is. Nothing is invented for an operation its provider crate does not
/// document yet.
fn fields_help(doc: Option<&OperationDoc>) -> String {
    let Some(doc) = doc.filter(|d| !d.fields.is_empty()) else {
        return "Fields: not documented in this help yet; the provider's spec names them \
                (under their wire names), and the library refuses a missing or malformed one \
                naming the field, before anything is sent."
            .to_owned();
    };
    let mut out = FIELDS_HEADING.to_owned();
    for field in doc.fields {
        out.push_str(&field_help(field));
    }
    out
}

/// One field: `  name (required)`, then its rules and its description, indented.
fn field_help(field: &FieldDoc) -> String {
    let presence = match field.presence {
        Presence::Required => "required".to_owned(),
        Presence::Optional => "optional".to_owned(),
        Presence::RequiredWhen(when) => format!("required {when}"),
    };
    format!(
        "\n  {} ({presence})\n      {}\n      {}",
        field.name, field.format, field.description
    )
}

/// The example command: the catalog's working `--data`, or a placeholder file where the
/// operation is not documented yet.
fn example(provider: &str, operation: &str, doc: Option<&OperationDoc>, files: &[&str]) -> String {
    let data = match doc {
        Some(d) if !d.fields.is_empty() => shell_quote(&one_line(d.example)),
        _ => "@request.json".to_owned(),
    };
    let files: String = files.iter().map(|f| format!(" --file {f}=PATH")).collect();
    format!("cnpay {provider} {operation} --data {data}{files}")
}

/// A JSON example on one line, in the catalog's order (a catalog may write it
/// pretty-printed; a JSON string cannot span lines, so joining the trimmed lines keeps it).
fn one_line(example: &str) -> String {
    example.lines().map(str::trim).collect()
}

/// `text` in single quotes for a POSIX shell (a `'` inside as `'\''`).
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn files_help(files: &[&str]) -> String {
    if files.is_empty() {
        return "This operation uploads no files.".to_owned();
    }
    let names: Vec<String> = files.iter().map(|f| format!("`{f}`")).collect();
    format!(
        "Files: one --file FIELD=PATH for each of {}.",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_of_a_documented_operation_lists_its_fields_and_example() {
        let docs = ProviderDocs {
            name: "yunzhanghu",
            operations: cnpay::yunzhanghu::OPERATIONS,
            catalog: cnpay::yunzhanghu::CATALOG,
            files: cnpay::yunzhanghu::OPERATION_FILES,
        };
        let help = docs
            .command("order-realtime")
            .render_long_help()
            .to_string();
        assert!(help.contains(FIELDS_HEADING), "{help}");
        assert!(help.contains("\n  card_no (required)\n      bank card number: 8 to 32 digits\n"));
        assert!(help.contains("cnpay yunzhanghu order-realtime --data '{\"order_id\""));
        assert!(help.contains("(/api/payment/v1/order-realtime)"), "{help}");
    }

    #[test]
    fn an_undocumented_operation_invents_no_field() {
        let docs = ProviderDocs {
            name: "p",
            operations: &["op"],
            catalog: &[],
            files: &[("op", &["file1"])],
        };
        let help = docs.command("op").render_long_help().to_string();
        assert!(
            help.contains("Fields: not documented in this help yet"),
            "{help}"
        );
        assert!(!help.contains(FIELDS_HEADING), "{help}");
        assert!(
            help.contains("cnpay p op --data @request.json --file file1=PATH"),
            "{help}"
        );
    }

    #[test]
    fn required_when_names_the_case_and_quotes_survive_the_shell() {
        let f = FieldDoc::required_when("x", "when pay_type is 01", "string", "what x is");
        assert_eq!(
            field_help(&f),
            "\n  x (required when pay_type is 01)\n      string\n      what x is"
        );
        assert_eq!(shell_quote(r#"{"a":"it's"}"#), r#"'{"a":"it'\''s"}'"#);
    }
}

//! The CLI's view of the client: [`OPERATIONS`] and [`Client::call_json`].

use pay_core::decode::{input as typed, to_value as out};
use pay_core::multipart::FilePart;
use pay_core::{CardNumber, Error};

use crate::client::Client;
use crate::upload::FileSource;

/// The CLI operation names: each endpoint's last path segment with `_` turned into `-`, sorted.
pub const OPERATIONS: &[&str] = &[
    "agent-merchant-opening",
    "app-pay",
    "balance-pay",
    "balance-query",
    "bank-check-card",
    "bind-bank-card",
    "business-opening",
    "fz",
    "merchant-opening",
    "order-affirm",
    "order-download",
    "order-query",
    "order-reverse",
    "person-opening",
    "quick-pay",
    "refund",
    "send-quick-pay-sms-code",
    "send-sms-code",
    "sub-merchant-create",
    "unsgin",
    "untie-bank-card",
    "upload-agent-file",
    "upload-card",
    "upload-merchant-file",
    "withdrawal",
];

const ONE_FILE: &[&str] = &["file"];
const CARD_FILES: &[&str] = &["file1", "file2"];

/// The operations that upload files, with the fields [`Client::call_json`] takes them under
/// (its `files`); every other operation takes none.
pub const OPERATION_FILES: &[(&str, &[&str])] = &[
    ("upload-agent-file", ONE_FILE),
    ("upload-card", CARD_FILES),
    ("upload-merchant-file", ONE_FILE),
];

fn take_file(files: &mut Vec<FilePart>, field: &'static str) -> Result<FileSource, Error> {
    let pos = files
        .iter()
        .position(|f| f.field == field)
        .ok_or_else(|| Error::invalid_input(field, "file is required"))?;
    let part = files.remove(pos);
    Ok(FileSource::bytes(part.file_name, part.data))
}

impl Client {
    /// Runs `operation` (one of [`OPERATIONS`]) with `data` holding the business fields under
    /// the spec's wire names, and returns the typed response serialised with wire names.
    /// `mer_cust_id` comes from the config (a different one in `data` is refused). Uploads take
    /// their files from `files` by field name (`file1`/`file2`, or `file`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] with field `operation` for an unknown operation, `data` when the
    /// fields do not fit the request; otherwise what the typed method returns.
    pub async fn call_json(
        &self,
        operation: &str,
        mut data: serde_json::Value,
        mut files: Vec<FilePart>,
    ) -> Result<serde_json::Value, Error> {
        let serde_json::Value::Object(map) = &mut data else {
            return Err(Error::invalid_input("data", "must be a JSON object"));
        };
        if let Some(m) = map.remove("mer_cust_id")
            && m.as_str() != Some(self.config.mer_cust_id.as_str())
        {
            return Err(Error::invalid_input(
                "mer_cust_id",
                "differs from the configured merchant",
            ));
        }
        let no_files = |files: &[FilePart]| {
            if files.is_empty() {
                Ok(())
            } else {
                Err(Error::invalid_input(
                    "files",
                    "this operation takes no files",
                ))
            }
        };
        if !operation.starts_with("upload-") {
            no_files(&files)?;
        }
        match operation {
            "agent-merchant-opening" => out(&self.agent_merchant_opening(&typed(data)?).await?),
            "app-pay" => out(&self.app_pay(&typed(data)?).await?),
            "balance-pay" => out(&self.balance_pay(&typed(data)?).await?),
            "balance-query" => out(&self.balance_query(&typed(data)?).await?),
            "bank-check-card" => {
                #[derive(serde::Deserialize)]
                struct CardId {
                    card_id: CardNumber,
                }
                let c: CardId = typed(data)?;
                out(&self.bank_check_card(&c.card_id).await?)
            }
            "bind-bank-card" => out(&self.bind_bank_card(&typed(data)?).await?),
            "business-opening" => out(&self.business_opening(&typed(data)?).await?),
            "fz" => out(&self.fz(&typed(data)?).await?),
            "merchant-opening" => out(&self.merchant_opening(&typed(data)?).await?),
            "order-affirm" => out(&self.order_affirm(&typed(data)?).await?),
            "order-download" => out(&self.order_download(&typed(data)?).await?),
            "order-query" => out(&self.order_query(&typed(data)?).await?),
            "order-reverse" => out(&self.order_reverse(&typed(data)?).await?),
            "person-opening" => out(&self.person_opening(&typed(data)?).await?),
            "quick-pay" => out(&self.quick_pay(&typed(data)?).await?),
            "refund" => out(&self.refund(&typed(data)?).await?),
            "send-quick-pay-sms-code" => out(&self.send_quick_pay_sms_code(&typed(data)?).await?),
            "send-sms-code" => out(&self.send_sms_code(&typed(data)?).await?),
            "sub-merchant-create" => out(&self.sub_merchant_create(&typed(data)?).await?),
            "unsgin" => out(&self.unsign(&typed(data)?).await?),
            "untie-bank-card" => out(&self.untie_bank_card(&typed(data)?).await?),
            "upload-agent-file" => {
                let req = typed(data)?;
                let f = take_file(&mut files, ONE_FILE[0])?;
                no_files(&files)?;
                out(&self.upload_agent_file(&req, f).await?)
            }
            "upload-card" => {
                let req = typed(data)?;
                let f1 = take_file(&mut files, CARD_FILES[0])?;
                let f2 = take_file(&mut files, CARD_FILES[1])?;
                no_files(&files)?;
                out(&self.upload_card(&req, f1, f2).await?)
            }
            "upload-merchant-file" => {
                let req = typed(data)?;
                let f = take_file(&mut files, ONE_FILE[0])?;
                no_files(&files)?;
                out(&self.upload_merchant_file(&req, f).await?)
            }
            "withdrawal" => out(&self.withdrawal(&typed(data)?).await?),
            _ => Err(Error::invalid_input(
                "operation",
                "is not a huifu operation",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_sorted_and_complete() {
        let mut sorted = OPERATIONS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, OPERATIONS);
        assert_eq!(OPERATIONS.len(), 25);
    }
}

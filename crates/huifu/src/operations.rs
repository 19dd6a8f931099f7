//! The CLI's view of the client: [`OPERATIONS`] and [`Client::call_json`].

use pay_core::decode::{input as typed, to_value as out};
use pay_core::multipart::FilePart;
use pay_core::operation::{OperationDoc, names};
use pay_core::{Error, Operation};

use crate::client::Client;
use crate::merchant::{
    AgentMerchantOpeningRequest, BalanceQueryRequest, BankCheckCardRequest, BindBankCardRequest,
    BusinessOpeningRequest, MerchantOpeningRequest, OrderDownloadRequest, PersonOpeningRequest,
    SendSmsCodeRequest, SubMerchantCreateRequest, UntieBankCardRequest,
};
use crate::trade::{
    AppPayRequest, BalancePayRequest, FzRequest, OrderAffirm, OrderQueryRequest, OrderReverse,
    QuickPayRequest, RefundRequest, SendQuickPaySmsCodeRequest, UnsignRequest, WithdrawalRequest,
};
use crate::upload::{FileSource, UploadAgentFile, UploadCard, UploadMerchantFile};

/// Every operation, by the endpoint's last path segment with `_` turned into `-`; sorted. Each
/// entry is taken from its [`Operation`] impl (name, path, fields, example), written once,
/// beside its request type.
pub const CATALOG: &[OperationDoc] = &[
    OperationDoc::of::<AgentMerchantOpeningRequest>(),
    OperationDoc::of::<AppPayRequest>(),
    OperationDoc::of::<BalancePayRequest>(),
    OperationDoc::of::<BalanceQueryRequest>(),
    OperationDoc::of::<BankCheckCardRequest>(),
    OperationDoc::of::<BindBankCardRequest>(),
    OperationDoc::of::<BusinessOpeningRequest>(),
    OperationDoc::of::<FzRequest>(),
    OperationDoc::of::<MerchantOpeningRequest>(),
    OperationDoc::of::<OrderAffirm<'static>>(),
    OperationDoc::of::<OrderDownloadRequest>(),
    OperationDoc::of::<OrderQueryRequest>(),
    OperationDoc::of::<OrderReverse<'static>>(),
    OperationDoc::of::<PersonOpeningRequest>(),
    OperationDoc::of::<QuickPayRequest>(),
    OperationDoc::of::<RefundRequest>(),
    OperationDoc::of::<SendQuickPaySmsCodeRequest>(),
    OperationDoc::of::<SendSmsCodeRequest>(),
    OperationDoc::of::<SubMerchantCreateRequest>(),
    OperationDoc::of::<UnsignRequest>(),
    OperationDoc::of::<UntieBankCardRequest>(),
    OperationDoc::of::<UploadAgentFile<'static>>(),
    OperationDoc::of::<UploadCard<'static>>(),
    OperationDoc::of::<UploadMerchantFile<'static>>(),
    OperationDoc::of::<WithdrawalRequest>(),
];

/// The CLI operation names: the names of [`CATALOG`], in its order.
pub const OPERATIONS: &[&str] = &names::<{ CATALOG.len() }>(CATALOG);

const ONE_FILE: &[&str] = &["file"];
const CARD_FILES: &[&str] = &["file1", "file2"];

/// The operations that upload files, with the fields [`Client::call_json`] takes them under
/// (its `files`); every other operation takes none.
pub const OPERATION_FILES: &[(&str, &[&str])] = &[
    (<UploadAgentFile as Operation>::NAME, ONE_FILE),
    (<UploadCard as Operation>::NAME, CARD_FILES),
    (<UploadMerchantFile as Operation>::NAME, ONE_FILE),
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
        if !OPERATION_FILES.iter().any(|(name, _)| *name == operation) {
            no_files(&files)?;
        }
        match operation {
            <AgentMerchantOpeningRequest as Operation>::NAME => {
                out(&self.agent_merchant_opening(&typed(data)?).await?)
            }
            <AppPayRequest as Operation>::NAME => out(&self.app_pay(&typed(data)?).await?),
            <BalancePayRequest as Operation>::NAME => out(&self.balance_pay(&typed(data)?).await?),
            <BalanceQueryRequest as Operation>::NAME => {
                out(&self.balance_query(&typed(data)?).await?)
            }
            <BankCheckCardRequest as Operation>::NAME => {
                let c: BankCheckCardRequest = typed(data)?;
                out(&self.bank_check_card(&c.card_id).await?)
            }
            <BindBankCardRequest as Operation>::NAME => {
                out(&self.bind_bank_card(&typed(data)?).await?)
            }
            <BusinessOpeningRequest as Operation>::NAME => {
                out(&self.business_opening(&typed(data)?).await?)
            }
            <FzRequest as Operation>::NAME => out(&self.fz(&typed(data)?).await?),
            <MerchantOpeningRequest as Operation>::NAME => {
                out(&self.merchant_opening(&typed(data)?).await?)
            }
            <OrderAffirm as Operation>::NAME => out(&self.order_affirm(&typed(data)?).await?),
            <OrderDownloadRequest as Operation>::NAME => {
                out(&self.order_download(&typed(data)?).await?)
            }
            <OrderQueryRequest as Operation>::NAME => out(&self.order_query(&typed(data)?).await?),
            <OrderReverse as Operation>::NAME => out(&self.order_reverse(&typed(data)?).await?),
            <PersonOpeningRequest as Operation>::NAME => {
                out(&self.person_opening(&typed(data)?).await?)
            }
            <QuickPayRequest as Operation>::NAME => out(&self.quick_pay(&typed(data)?).await?),
            <RefundRequest as Operation>::NAME => out(&self.refund(&typed(data)?).await?),
            <SendQuickPaySmsCodeRequest as Operation>::NAME => {
                out(&self.send_quick_pay_sms_code(&typed(data)?).await?)
            }
            <SendSmsCodeRequest as Operation>::NAME => {
                out(&self.send_sms_code(&typed(data)?).await?)
            }
            <SubMerchantCreateRequest as Operation>::NAME => {
                out(&self.sub_merchant_create(&typed(data)?).await?)
            }
            <UnsignRequest as Operation>::NAME => out(&self.unsign(&typed(data)?).await?),
            <UntieBankCardRequest as Operation>::NAME => {
                out(&self.untie_bank_card(&typed(data)?).await?)
            }
            <UploadAgentFile as Operation>::NAME => {
                let req = typed(data)?;
                let f = take_file(&mut files, ONE_FILE[0])?;
                no_files(&files)?;
                out(&self.upload_agent_file(&req, f).await?)
            }
            <UploadCard as Operation>::NAME => {
                let req = typed(data)?;
                let f1 = take_file(&mut files, CARD_FILES[0])?;
                let f2 = take_file(&mut files, CARD_FILES[1])?;
                no_files(&files)?;
                out(&self.upload_card(&req, f1, f2).await?)
            }
            <UploadMerchantFile as Operation>::NAME => {
                let req = typed(data)?;
                let f = take_file(&mut files, ONE_FILE[0])?;
                no_files(&files)?;
                out(&self.upload_merchant_file(&req, f).await?)
            }
            <WithdrawalRequest as Operation>::NAME => out(&self.withdrawal(&typed(data)?).await?),
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

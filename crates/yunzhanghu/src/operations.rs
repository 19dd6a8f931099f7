//! The operations by CLI name, and a JSON entry point that runs them through the typed API
//! (same validation, same pipeline).

use pay_core::decode::to_value as output;
use pay_core::multipart::FilePart;
use pay_core::{Error, IncomingNotification};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::bill::{BillDownloadUrl, OrderDownloadUrl};
use crate::client::Client;
use crate::identity::{
    AuthAlipay, ID_CARD_IMAGE, ID_CARD_IMAGE_BACKGROUND, IdCardUpload, VerifyBankcardFourFactor,
    VerifyBankcardThreeFactor, VerifyConfirm, VerifyId, VerifyRequest,
};
use crate::payout::{AlipayOrder, BankCardOrder, WxpayOrder};
use crate::query::{QueryAccounts, QueryOrder};
use crate::report::{AlipayReport, BankCardReport, WxpayReport};
use pay_core::Operation;
use pay_core::operation::{OperationDoc, names};

/// Every operation, by the endpoint path after its common prefix (`/api/payment/v1/`,
/// `/api/dataservice/v1/`, `/authentication/`, `/api/`) with `/` and `_` turned into `-`;
/// sorted. Each entry is taken from its request type's [`Operation`] impl (name, path, fields,
/// example), written once, there.
pub const CATALOG: &[OperationDoc] = &[
    OperationDoc::of::<AuthAlipay>(),
    OperationDoc::of::<BillDownloadUrl>(),
    OperationDoc::of::<AlipayReport>(),
    OperationDoc::of::<BankCardReport>(),
    OperationDoc::of::<WxpayReport>(),
    OperationDoc::of::<AlipayOrder>(),
    OperationDoc::of::<OrderDownloadUrl>(),
    OperationDoc::of::<BankCardOrder>(),
    OperationDoc::of::<WxpayOrder>(),
    OperationDoc::of::<QueryAccounts>(),
    OperationDoc::of::<QueryOrder>(),
    OperationDoc::of::<IdCardUpload<'static>>(),
    OperationDoc::of::<VerifyBankcardFourFactor>(),
    OperationDoc::of::<VerifyBankcardThreeFactor>(),
    OperationDoc::of::<VerifyConfirm>(),
    OperationDoc::of::<VerifyId>(),
    OperationDoc::of::<VerifyRequest>(),
];

/// The names of [`CATALOG`], in its order.
pub const OPERATIONS: &[&str] = &names::<{ CATALOG.len() }>(CATALOG);

/// The operations that upload files, with the fields [`Client::call_json`] takes them under
/// (its `files`); every other operation takes none.
pub const OPERATION_FILES: &[(&str, &[&str])] = &[(
    <IdCardUpload as Operation>::NAME,
    &[ID_CARD_IMAGE, ID_CARD_IMAGE_BACKGROUND],
)];

fn input<T: DeserializeOwned>(data: Value) -> Result<T, Error> {
    let data = if data.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        data
    };
    pay_core::decode::input(data)
}

fn take_file(files: &mut Vec<FilePart>, field: &'static str) -> Result<FilePart, Error> {
    match files.iter().position(|f| f.field == field) {
        Some(i) => Ok(files.remove(i)),
        None => Err(Error::invalid_input(field, "file is required")),
    }
}

impl Client {
    /// Runs `operation` (one of [`OPERATIONS`]) with `data` holding the business fields under
    /// the spec's wire names, and returns the answer (`{message, request_id, data}`) as JSON.
    /// `files` is for `sign-idcard-image` (fields `id_card_image`, `id_card_image_background`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `operation` for an unknown name, on `data` when it does not
    /// fit the request type, on `files` when files are given to an operation that takes none;
    /// otherwise whatever the typed method returns.
    pub async fn call_json(
        &self,
        operation: &str,
        data: Value,
        files: Vec<FilePart>,
    ) -> Result<Value, Error> {
        let mut files = files;
        if operation != <IdCardUpload as Operation>::NAME && !files.is_empty() {
            return Err(Error::invalid_input(
                "files",
                "this operation takes no files",
            ));
        }
        match operation {
            <AuthAlipay as Operation>::NAME => output(&self.auth_alipay(&input(data)?).await?),
            <BillDownloadUrl as Operation>::NAME => {
                output(&self.bill_downloadurl(&input(data)?).await?)
            }
            <AlipayReport as Operation>::NAME => {
                output(&self.notify_order_alipay(&input(data)?).await?)
            }
            <BankCardReport as Operation>::NAME => {
                output(&self.notify_order_bankcard(&input(data)?).await?)
            }
            <WxpayReport as Operation>::NAME => {
                output(&self.notify_order_wxpay(&input(data)?).await?)
            }
            <AlipayOrder as Operation>::NAME => output(&self.order_alipay(&input(data)?).await?),
            <OrderDownloadUrl as Operation>::NAME => {
                output(&self.order_downloadurl(&input(data)?).await?)
            }
            <BankCardOrder as Operation>::NAME => {
                output(&self.order_realtime(&input(data)?).await?)
            }
            <WxpayOrder as Operation>::NAME => output(&self.order_wxpay(&input(data)?).await?),
            <QueryAccounts as Operation>::NAME => {
                output(&self.query_accounts(&input(data)?).await?)
            }
            <QueryOrder as Operation>::NAME => {
                output(&self.query_realtime_order(&input(data)?).await?)
            }
            <IdCardUpload as Operation>::NAME => {
                let req = input(data)?;
                let front = take_file(&mut files, ID_CARD_IMAGE)?;
                let back = take_file(&mut files, ID_CARD_IMAGE_BACKGROUND)?;
                if let Some(f) = files.first() {
                    return Err(Error::invalid_input(
                        "files",
                        format!("unexpected file field `{}`", f.field),
                    ));
                }
                output(&self.sign_idcard_image(&req, front, back).await?)
            }
            <VerifyBankcardFourFactor as Operation>::NAME => {
                output(&self.verify_bankcard_four_factor(&input(data)?).await?)
            }
            <VerifyBankcardThreeFactor as Operation>::NAME => {
                output(&self.verify_bankcard_three_factor(&input(data)?).await?)
            }
            <VerifyConfirm as Operation>::NAME => {
                output(&self.verify_confirm(&input(data)?).await?)
            }
            <VerifyId as Operation>::NAME => output(&self.verify_id(&input(data)?).await?),
            <VerifyRequest as Operation>::NAME => {
                output(&self.verify_request(&input(data)?).await?)
            }
            _ => Err(Error::invalid_input(
                "operation",
                format!("unknown operation `{operation}`"),
            )),
        }
    }

    /// Verifies a status notification and returns the event as JSON
    /// (`{notify_id, notify_time, data}`). Synchronous.
    ///
    /// # Errors
    /// As [`Client::verify_notify`].
    pub fn notification_json(&self, notification: &IncomingNotification) -> Result<Value, Error> {
        output(&self.verify_notify(notification)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_the_spec_names_sorted_once() {
        assert!(OPERATIONS.windows(2).all(|w| w[0] < w[1]), "{OPERATIONS:?}");
        assert_eq!(OPERATIONS.len(), 17);
        assert_eq!(OPERATIONS[0], "auth-alipay");
        assert_eq!(OPERATIONS[7], "order-realtime");
        assert_eq!(OPERATIONS[11], "sign-idcard-image");
        assert_eq!(OPERATIONS[16], "verify-request");
        assert_eq!(OPERATION_FILES[0].0, "sign-idcard-image");
    }

    #[test]
    fn bad_input_names_the_field_without_quoting_the_value() {
        let e = input::<crate::identity::VerifyRequest>(serde_json::json!({"card_no": 6225880137705555u64, "id_card": "11010519491231002X", "real_name": "张三", "mobile": "13812345678"})).unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("6225880137705555"), "{shown}");
        match e {
            Error::InvalidInput { field, reason } => {
                assert_eq!(field, "data");
                assert!(
                    reason.starts_with("at `card_no`: invalid type: integer `***`"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn operations_are_sorted_and_unique() {
        assert!(OPERATIONS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(OPERATIONS.len(), 17);
    }
}

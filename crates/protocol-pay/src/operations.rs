//! Operation names for the command line, and [`Client::call_json`], which runs any of them from
//! JSON through the same typed, validated path as the typed methods.

use pay_core::Error;
use pay_core::Operation;
use pay_core::decode::{input as parse, to_value as to_json};
use pay_core::multipart::FilePart;
use pay_core::operation::{OperationDoc, names};

use crate::client::Client;
use crate::pay::{InqueryRequest, PosCloseRequest, PrepayRequest};
use crate::payout::{OutpayRequest, OutqueryRequest};
use crate::protocol::{CreateProtocolRequest, FindProtocolRequest};
use crate::query::QueryBankCnapsRequest;

/// Every operation, named by its path after `/api/protocol/`, sorted. Each entry is taken from
/// its request type's [`Operation`] impl (name, path, fields, example), written once, there.
pub const CATALOG: &[OperationDoc] = &[
    OperationDoc::of::<CreateProtocolRequest>(),
    OperationDoc::of::<FindProtocolRequest>(),
    OperationDoc::of::<InqueryRequest>(),
    OperationDoc::of::<OutpayRequest>(),
    OperationDoc::of::<OutqueryRequest>(),
    OperationDoc::of::<PosCloseRequest>(),
    OperationDoc::of::<PrepayRequest>(),
    OperationDoc::of::<QueryBankCnapsRequest>(),
];

/// The names of [`CATALOG`], in its order.
pub const OPERATIONS: &[&str] = &names::<{ CATALOG.len() }>(CATALOG);

impl Client {
    /// Runs `operation` (one of [`OPERATIONS`]) with `data` holding the business fields under
    /// their wire names (e.g. `{"outReqNo": "LFT1001…"}`), and returns the typed response under
    /// its wire names. Validation is that of the typed method. This API takes no files.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] with field `operation` for an unknown operation, `data` when the
    /// fields do not fit the request, `files` when files are given; otherwise as the typed
    /// method.
    pub async fn call_json(
        &self,
        operation: &str,
        data: serde_json::Value,
        files: Vec<FilePart>,
    ) -> Result<serde_json::Value, Error> {
        if !OPERATIONS.contains(&operation) {
            return Err(Error::invalid_input(
                "operation",
                format!("unknown operation `{operation}`"),
            ));
        }
        if !files.is_empty() {
            return Err(Error::invalid_input("files", "this API takes no files"));
        }
        match operation {
            CreateProtocolRequest::NAME => to_json(&self.create_protocol(&parse(data)?).await?),
            FindProtocolRequest::NAME => to_json(&self.find_protocol(&parse(data)?).await?),
            PrepayRequest::NAME => to_json(&self.prepay(&parse(data)?).await?),
            PosCloseRequest::NAME => to_json(&self.pos_close(&parse(data)?).await?),
            InqueryRequest::NAME => to_json(&self.inquery(&parse(data)?).await?),
            OutpayRequest::NAME => to_json(&self.outpay(&parse(data)?).await?),
            OutqueryRequest::NAME => to_json(&self.outquery(&parse(data)?).await?),
            QueryBankCnapsRequest::NAME => to_json(&self.query_bank_cnaps(&parse(data)?).await?),
            other => Err(Error::invalid_input(
                "operation",
                format!("unknown operation `{other}`"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_sorted_and_unique() {
        let mut sorted = OPERATIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, OPERATIONS);
    }

    #[test]
    fn every_operation_is_at_its_path_under_the_prefix() {
        for doc in CATALOG {
            assert_eq!(
                doc.path,
                format!("{}/{}", crate::config::PATH_PREFIX, doc.name)
            );
        }
    }
}

//! Branch lookup: `querybankcnaps` (联行号查询, section 8).

use pay_core::operation::FieldDoc;
use pay_core::{CallKind, Error, Extensions, Operation};
use serde::{Deserialize, Serialize};

use crate::client::{Client, Endpoint};
use crate::validate::extra_disjoint;

/// `querybankcnaps`: bank branches whose name contains a keyword (e.g. `海淀`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct QueryBankCnapsRequest {
    /// `bankNameKeyWord`: part of the branch name.
    pub bank_name_key_word: String,
    /// Fields the provider may add, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl QueryBankCnapsRequest {
    /// Branches whose name contains `keyword`.
    pub fn new(keyword: impl Into<String>) -> Self {
        QueryBankCnapsRequest {
            bank_name_key_word: keyword.into(),
            extra: Extensions::new(),
        }
    }
}

impl Operation for QueryBankCnapsRequest {
    type Answer = Vec<BankBranch>;
    const NAME: &'static str = "querybankcnaps";
    const METHOD: http::Method = http::Method::POST;
    const PATH: &'static str = "/api/protocol/querybankcnaps";
    const FIELDS: &'static [FieldDoc] = &[FieldDoc::required(
        "bankNameKeyWord",
        "string, at most 64",
        "银行支行名称关键字,例如:海淀 (part of the branch name, e.g. 海淀)",
    )];
    const EXAMPLE: &'static str = r#"{"bankNameKeyWord":"海淀"}"#;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        pay_core::validate::required_max("bankNameKeyWord", &self.bank_name_key_word, 64)?;
        extra_disjoint::<Self>(&self.extra)
    }
}

impl Endpoint for QueryBankCnapsRequest {}

impl Client {
    /// `querybankcnaps` (section 8): bank branches and their CNAPS codes.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn query_bank_cnaps(
        &self,
        request: &QueryBankCnapsRequest,
    ) -> Result<Vec<BankBranch>, Error> {
        self.execute(request).await
    }
}

/// One branch (`QueryBankCnapsRspVo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BankBranch {
    /// `bankName`: the branch name.
    pub bank_name: String,
    /// `bankCnaps`: its CNAPS code (联行号).
    pub bank_cnaps: String,
    /// Fields the provider adds, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl BankBranch {
    /// Branch `bank_name` with CNAPS code `bank_cnaps`.
    pub fn new(bank_name: impl Into<String>, bank_cnaps: impl Into<String>) -> Self {
        BankBranch {
            bank_name: bank_name.into(),
            bank_cnaps: bank_cnaps.into(),
            extra: Extensions::new(),
        }
    }
}

/// A CNAPS code (联行号) is 12 digits.
pub(crate) fn validate_cnaps(field: &'static str, value: &str) -> Result<(), Error> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::invalid_input(field, "must be a 12-digit CNAPS code"))
    }
}

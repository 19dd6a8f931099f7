//! Branch lookup: `querybankcnaps` (联行号查询, section 8).

use pay_core::{Error, Extensions};
use serde::{Deserialize, Serialize};

use pay_core::validate::extra_disjoint;

/// `querybankcnaps`: bank branches whose name contains a keyword (e.g. `海淀`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueryBankCnapsRequest {
    /// `bankNameKeyWord`: part of the branch name.
    #[serde(rename = "bankNameKeyWord")]
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

    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the wire field.
    pub fn validate(&self) -> Result<(), Error> {
        pay_core::validate::required_max("bankNameKeyWord", &self.bank_name_key_word, 64)?;
        extra_disjoint(&self.extra, &["bankNameKeyWord"])
    }
}

/// One branch (`QueryBankCnapsRspVo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BankBranch {
    /// `bankName`: the branch name.
    #[serde(rename = "bankName")]
    pub bank_name: String,
    /// `bankCnaps`: its CNAPS code (联行号).
    #[serde(rename = "bankCnaps")]
    pub bank_cnaps: String,
    /// Fields the provider adds, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

/// A CNAPS code (联行号) is 12 digits.
pub(crate) fn validate_cnaps(field: &'static str, value: &str) -> Result<(), Error> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::invalid_input(field, "must be a 12-digit CNAPS code"))
    }
}

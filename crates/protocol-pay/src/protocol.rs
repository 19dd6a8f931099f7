//! Protocols (协议): create (section 1) and find (section 2).

use pay_core::{Error, Extensions, Money};
use serde::{Deserialize, Serialize};

use crate::codes::{CashierType, ChannelType};
use crate::validate::known;
use pay_core::validate::extra_disjoint;

/// `create` (创建协议): opens a protocol (an escrow account) for a business subject.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateProtocolRequest {
    /// `channelType`: the channel (only `LFT`).
    #[serde(rename = "channelType")]
    pub channel_type: ChannelType,
    /// `transDesc`: what the protocol is for (交易说明).
    #[serde(rename = "transDesc")]
    pub trans_desc: String,
    /// `businessId`: the subject id the payment system assigned (主体id).
    #[serde(rename = "businessId")]
    pub business_id: String,
    /// `cashierType`: `QP` or `POS`. Optional in the spec (the system assumes `POS` when
    /// absent, and announces it will become required): set it.
    #[serde(
        rename = "cashierType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cashier_type: Option<CashierType>,
    /// Fields the provider may add, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl CreateProtocolRequest {
    /// A request for an `LFT` protocol with the given cashier type.
    pub fn new(
        trans_desc: impl Into<String>,
        business_id: impl Into<String>,
        cashier_type: CashierType,
    ) -> Self {
        CreateProtocolRequest {
            channel_type: ChannelType::Lft,
            trans_desc: trans_desc.into(),
            business_id: business_id.into(),
            cashier_type: Some(cashier_type),
            extra: Extensions::new(),
        }
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the wire field.
    pub fn validate(&self) -> Result<(), Error> {
        known("channelType", self.channel_type.is_known(), "LFT")?;
        pay_core::validate::required_max("transDesc", &self.trans_desc, 256)?;
        pay_core::validate::required_max("businessId", &self.business_id, 64)?;
        if let Some(c) = &self.cashier_type {
            known("cashierType", c.is_known(), "QP, POS")?;
        }
        extra_disjoint(
            &self.extra,
            &["channelType", "transDesc", "businessId", "cashierType"],
        )
    }
}

/// `find` (查询协议): a protocol by its number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindProtocolRequest {
    /// `transNo`: the protocol number.
    #[serde(rename = "transNo")]
    pub trans_no: String,
    /// Fields the provider may add, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl FindProtocolRequest {
    /// A request for protocol `trans_no`.
    pub fn new(trans_no: impl Into<String>) -> Self {
        FindProtocolRequest {
            trans_no: trans_no.into(),
            extra: Extensions::new(),
        }
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the wire field.
    pub fn validate(&self) -> Result<(), Error> {
        pay_core::validate::required_max("transNo", &self.trans_no, 64)?;
        extra_disjoint(&self.extra, &["transNo"])
    }
}

/// A protocol, as `create` and `find` return it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Protocol {
    /// `transNo`: the protocol number (协议编码).
    #[serde(rename = "transNo")]
    pub trans_no: String,
    /// `transDesc`.
    #[serde(rename = "transDesc", default, skip_serializing_if = "Option::is_none")]
    pub trans_desc: Option<String>,
    /// `appId`.
    #[serde(rename = "appId", default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `businessId`.
    #[serde(
        rename = "businessId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub business_id: Option<String>,
    /// `businessDesc`.
    #[serde(
        rename = "businessDesc",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub business_desc: Option<String>,
    /// `channelType`.
    #[serde(
        rename = "channelType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_type: Option<ChannelType>,
    /// `amount`: the available balance (可用金额).
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Money>,
    /// `onpassageAmount`: paid in, not yet arrived (入金在途金额).
    #[serde(
        rename = "onpassageAmount",
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub onpassage_amount: Option<Money>,
    /// `outAmount`: paid out (出金金额).
    #[serde(
        rename = "outAmount",
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub out_amount: Option<Money>,
    /// `createTime`: `yyyy-MM-dd HH:mm:ss`, kept as sent.
    #[serde(
        rename = "createTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub create_time: Option<String>,
    /// `cashierType`.
    #[serde(
        rename = "cashierType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cashier_type: Option<CashierType>,
    /// Fields the provider adds, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

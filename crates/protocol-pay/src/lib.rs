#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod by_out_req_no;
pub mod client;
pub mod codes;
pub mod config;
pub mod lifecycle;
pub mod notify;
pub mod operations;
pub mod pay;
pub mod payout;
pub mod protocol;
pub mod query;
pub mod sign;
pub mod unified;
pub mod validate;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;

pub use client::{Client, PROVIDER};
pub use codes::{
    ArrivedStatus, CODE_RECEIVED, CashierType, ChannelType, ErrorCode, Movement, OutType,
    PayStatus, ProdCatalog,
};
pub use config::{Config, ConfigBuilder};
pub use lifecycle::lifecycles;
pub use notify::{
    KindNotifications, Notification, NotificationData, NotificationKind, SUCCESS_REPLY,
};
pub use operations::{CATALOG, OPERATIONS};
pub use pay::{InqueryRequest, PayInOrder, PosCloseRequest, PosCloseResult, PrepayRequest};
pub use payout::{BankAccount, OutpayRequest, OutqueryRequest, PayOutOrder};
pub use protocol::{CreateProtocolRequest, FindProtocolRequest, Protocol};
pub use query::{BankBranch, QueryBankCnapsRequest};
pub use sign::{Envelope, ReceivedEnvelope, verify_envelope_json};

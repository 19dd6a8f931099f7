#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
pub mod codes;
mod config;
pub mod lifecycle;
pub mod notify;
pub mod operations;
pub mod pay;
pub mod payout;
pub mod sign;
pub mod unified;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;

pub use client::{Client, PROVIDER};
pub use codes::{
    AccountAttr, AccountType, BackType, BankCode, ErrorCode, PayStatus, ProductId, TransStatus,
};
pub use config::{Config, ConfigBuilder};
pub use lifecycle::lifecycles;
pub use notify::{Notification, PayNotification, TransNotification, check_notify_url};
pub use operations::{CATALOG, OPERATIONS};
pub use pay::{
    CreateOrderRequest, CreateOrderResponse, PayOrder, PayParams, QueryOrderRequest, Remitter,
    parse_pay_url,
};
pub use payout::{TransOrder, TransOrderRequest, TransQueryRequest};

#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod bill;
mod client;
pub mod codes;
mod config;
mod field_docs;
pub mod identity;
pub mod lifecycle;
pub mod notify;
mod operations;
pub mod payout;
pub mod query;
pub mod reconcile;
pub mod report;
pub mod sign;
pub mod unified;
pub mod validate;
mod wire;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;

pub use bill::{BillReader, BillRecord, OrderRecord};
pub use client::{Client, Empty, PROVIDER, Response};
pub use codes::{Channel, ErrorCode, OrderStatus, StatusDetail};
pub use config::{Config, ConfigBuilder, DEFAULT_BASE_URL, DEFAULT_TIMEOUT};
pub use lifecycle::lifecycles;
pub use notify::NotifyEvent;
pub use operations::{CATALOG, OPERATION_FILES, OPERATIONS};
pub use sign::{Envelope, Keys};

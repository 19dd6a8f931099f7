#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth;
pub mod client;
pub mod codes;
pub mod config;
pub mod lifecycle;
pub mod merchant;
pub mod notify;
pub mod oauth;
pub mod operations;
pub mod reconcile;
pub mod response;
pub mod sign;
pub mod trade;
pub mod types;
pub mod unified;
pub mod upload;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;

pub use auth::{Auth, BearerAuth, OAuthTokenProvider, PrismSecretAuth, PrismSignAuth};
pub use client::{Client, PROVIDER};
pub use config::{BodyEncoding, Config};
pub use lifecycle::lifecycles;
pub use notify::{CallbackEvent, ConfirmedCallback, UnverifiedCallback};
pub use operations::{OPERATION_FILES, OPERATIONS};
pub use response::{DefaultInterpreter, HfResponse, ResponseInterpreter};
pub use types::{DateOrPermanent, DivDetail, Extension, Stockholder};
pub use upload::FileSource;

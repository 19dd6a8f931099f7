#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The `cnpay` command, end to end: offline tools against the shared vectors, exit codes,
//! settings, and online operations against wiremock.

mod common;
mod exit_codes;
mod hostile;
mod lists_and_help;
mod offline;
mod online_huifu;
mod online_others;
mod online_protocol_pay;
mod online_yunzhanghu;
mod operation_docs;
mod reconcile;

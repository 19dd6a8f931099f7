#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Integration tests.

mod auth;
mod endpoints;
mod notify;
mod per_endpoint;
mod redaction;
mod support;
mod unified;
mod upload;
mod vectors;

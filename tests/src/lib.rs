//! End-to-end tests of cnpay live in `tests/`; this library holds their shared machinery.

pub mod faults;

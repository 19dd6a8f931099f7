//! End-to-end tests of cnpay live in `tests/`.

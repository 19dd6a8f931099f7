//! The `cnpay` command.

fn main() {}

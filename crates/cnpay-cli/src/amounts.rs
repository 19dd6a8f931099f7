//! The amount fields of every operation and their unit, for the operations' `--help`.
//!
//! aggregate-pay's wire unit is fen (integers); the other three providers' is yuan (strings
//! with two decimals). The libraries refuse a JSON number in a yuan field and a yuan string in
//! a fen field (`pay_core::money`), so a slip cannot pay 100 times the amount; this table only
//! tells the caller which is which. A test checks every yuan entry against the library.

/// The unit of an amount field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Integer fen (`100` is 1.00 yuan).
    Fen,
    /// A yuan string (`"100.00"`).
    Yuan,
}

use Unit::{Fen, Yuan};

const HUIFU_DIV: (&str, Unit) = ("div_detail[].divAmt", Yuan);

/// An operation's amount fields: `(provider, operation, [(field, unit)])`.
type Amounts = (&'static str, &'static str, &'static [(&'static str, Unit)]);

/// Every operation that takes an amount.
pub(crate) const AMOUNT_FIELDS: &[Amounts] = &[
    ("aggregate-pay", "pay-create-order", &[("amount", Fen)]),
    ("aggregate-pay", "trans-create-order", &[("amount", Fen)]),
    ("protocol-pay", "prepay", &[("amount", Yuan)]),
    ("protocol-pay", "outpay", &[("amount", Yuan)]),
    (
        "huifu",
        "agent-merchant-opening",
        &[("reg_fund", Yuan), ("paid_in_fund", Yuan)],
    ),
    ("huifu", "app-pay", &[("trans_amt", Yuan), HUIFU_DIV]),
    ("huifu", "balance-pay", &[("trans_amt", Yuan)]),
    ("huifu", "fz", &[("trans_amt", Yuan), HUIFU_DIV]),
    ("huifu", "order-affirm", &[("trans_amt", Yuan)]),
    ("huifu", "order-reverse", &[("trans_amt", Yuan)]),
    ("huifu", "refund", &[("trans_amt", Yuan), HUIFU_DIV]),
    (
        "huifu",
        "send-quick-pay-sms-code",
        &[("trans_amt", Yuan), HUIFU_DIV],
    ),
    ("huifu", "withdrawal", &[("trans_amt", Yuan)]),
    ("yunzhanghu", "notify-order-alipay", &[("pay", Yuan)]),
    ("yunzhanghu", "notify-order-bankcard", &[("pay", Yuan)]),
    ("yunzhanghu", "notify-order-wxpay", &[("pay", Yuan)]),
    ("yunzhanghu", "order-alipay", &[("pay", Yuan)]),
    ("yunzhanghu", "order-realtime", &[("pay", Yuan)]),
    ("yunzhanghu", "order-wxpay", &[("pay", Yuan)]),
];

/// The help paragraph on `provider operation`'s amounts.
pub(crate) fn help(provider: &str, operation: &str) -> String {
    let fields = AMOUNT_FIELDS
        .iter()
        .find(|(p, op, _)| *p == provider && *op == operation)
        .map_or(&[][..], |(_, _, fields)| fields);
    if fields.is_empty() {
        return "This operation takes no amount.".to_owned();
    }
    let mut out = String::from("Amounts:\n");
    for (field, unit) in fields {
        let unit = match unit {
            Unit::Fen => "fen, an integer such as 100 (1.00 yuan); a yuan string is refused",
            Unit::Yuan => "yuan, a string such as \"100.00\"; a JSON number is refused",
        };
        out.push_str(&format!("  {field}: {unit}\n"));
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_operation_exists() {
        for (provider, op, _) in AMOUNT_FIELDS {
            let ops = match *provider {
                "aggregate-pay" => cnpay::aggregate_pay::OPERATIONS,
                "protocol-pay" => cnpay::protocol_pay::OPERATIONS,
                "huifu" => cnpay::huifu::OPERATIONS,
                "yunzhanghu" => cnpay::yunzhanghu::OPERATIONS,
                other => panic!("{other}"),
            };
            assert!(ops.contains(op), "{provider} {op}");
        }
    }

    /// Every listed field is read by the library in the listed unit: a value in the other
    /// unit is refused naming the field.
    #[test]
    fn every_listed_field_has_the_listed_unit_in_the_library() {
        use pay_core::SecretKey;
        use serde_json::json;
        let key = || SecretKey::new("0123456789abcdef0123456789abcdef");
        let des3 = || SecretKey::new("123456788765432112345678");
        let base = "http://127.0.0.1:9";
        let yzh = cnpay::yunzhanghu::Client::new(
            cnpay::yunzhanghu::Config::builder("D1", "B1", key(), des3())
                .base_url(base)
                .build()
                .unwrap(),
        )
        .unwrap();
        let lft = cnpay::protocol_pay::Client::new(
            cnpay::protocol_pay::Config::builder("LFT1001", key())
                .base_url(base)
                .build()
                .unwrap(),
        )
        .unwrap();
        let hf = cnpay::huifu::Client::new(
            cnpay::huifu::Config::builder("6666000000000001", "client", key())
                .base_url(base)
                .build()
                .unwrap(),
        )
        .unwrap();
        let agg = cnpay::aggregate_pay::Client::new(
            cnpay::aggregate_pay::Config::builder("20001222", "app", key(), key())
                .base_url(base)
                .build()
                .unwrap(),
        )
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        for (provider, op, fields) in AMOUNT_FIELDS {
            for (field, unit) in *fields {
                if field.contains('[') {
                    continue;
                }
                let wrong = match unit {
                    Unit::Fen => json!({ *field: "1.00" }),
                    Unit::Yuan => json!({ *field: 100 }),
                };
                let result = rt.block_on(async {
                    match *provider {
                        "aggregate-pay" => agg.call_json(op, wrong, vec![]).await,
                        "protocol-pay" => lft.call_json(op, wrong, vec![]).await,
                        "huifu" => hf.call_json(op, wrong, vec![]).await,
                        _ => yzh.call_json(op, wrong, vec![]).await,
                    }
                });
                match result {
                    Err(pay_core::Error::InvalidInput { field: f, reason }) => {
                        assert_eq!(f, *field, "{provider} {op}: {reason}");
                        let unit_word = match unit {
                            Unit::Fen => "is in fen",
                            Unit::Yuan => "is in yuan",
                        };
                        assert!(reason.starts_with(unit_word), "{provider} {op}: {reason}");
                    }
                    other => panic!("{provider} {op} {field}: {other:?}"),
                }
            }
        }
    }
}

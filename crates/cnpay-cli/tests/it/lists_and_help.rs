//! `cnpay <provider> list` against every endpoint the specs list, and `--help` with an example
//! on every level, down to each operation.

use crate::common::{cnpay, stdout};

/// Every endpoint path of `specs/aggregate-pay.txt` (the `URL 地址` lines).
const AGGREGATE_PAY: &[(&str, &str)] = &[
    ("/api/pay/create_order", "pay-create-order"),
    ("/api/pay/query_order", "pay-query-order"),
    ("/api/trans/create_order", "trans-create-order"),
    ("/api/trans/query_order", "trans-query-order"),
];

/// Every endpoint path of `specs/protocol-pay.txt` (`xxx/api/protocol/…`).
const PROTOCOL_PAY: &[(&str, &str)] = &[
    ("/api/protocol/create", "create"),
    ("/api/protocol/find", "find"),
    ("/api/protocol/prepay", "prepay"),
    ("/api/protocol/posclose", "posclose"),
    ("/api/protocol/inquery", "inquery"),
    ("/api/protocol/outpay", "outpay"),
    ("/api/protocol/outquery", "outquery"),
    ("/api/protocol/querybankcnaps", "querybankcnaps"),
];

/// Every endpoint path of `specs/huifu.txt` (25: the `merchant/` and `trade/` paths and the
/// bank card check; the operation is the last segment, `bank_check/card/{card_id}` as
/// `bank-check-card`, and `unsgin` keeps the path's spelling).
const HUIFU: &[(&str, &str)] = &[
    (
        "/api/hfpay/v1/merchant/agent_merchant_opening",
        "agent-merchant-opening",
    ),
    ("/api/hfpay/v1/trade/app_pay", "app-pay"),
    ("/api/hfpay/v1/trade/balance_pay", "balance-pay"),
    ("/api/hfpay/v1/merchant/balance_query", "balance-query"),
    (
        "/api/hfpay/app/bank_check/card/${card_id}",
        "bank-check-card",
    ),
    ("/api/hfpay/v1/merchant/bind_bank_card", "bind-bank-card"),
    (
        "/api/hfpay/v1/merchant/business_opening",
        "business-opening",
    ),
    ("/api/hfpay/v1/trade/fz", "fz"),
    (
        "/api/hfpay/v1/merchant/merchant_opening",
        "merchant-opening",
    ),
    ("/api/hfpay/v1/trade/order_affirm", "order-affirm"),
    ("/api/hfpay/v1/merchant/order_download", "order-download"),
    ("/api/hfpay/v1/trade/order_query", "order-query"),
    ("/api/hfpay/v1/trade/order_reverse", "order-reverse"),
    ("/api/hfpay/v1/merchant/person_opening", "person-opening"),
    ("/api/hfpay/v1/trade/quick_pay", "quick-pay"),
    ("/api/hfpay/v1/trade/refund", "refund"),
    (
        "/api/hfpay/v1/trade/send_quick_pay_sms_code",
        "send-quick-pay-sms-code",
    ),
    ("/api/hfpay/v1/merchant/send_sms_code", "send-sms-code"),
    (
        "/api/hfpay/v1/merchant/sub_merchant_create",
        "sub-merchant-create",
    ),
    ("/api/hfpay/v1/trade/unsgin", "unsgin"),
    ("/api/hfpay/v1/merchant/untie_bank_card", "untie-bank-card"),
    (
        "/api/hfpay/v1/merchant/upload_agent_file",
        "upload-agent-file",
    ),
    ("/api/hfpay/v1/merchant/upload_card", "upload-card"),
    (
        "/api/hfpay/v1/merchant/upload_merchant_file",
        "upload-merchant-file",
    ),
    ("/api/hfpay/v1/trade/withdrawal", "withdrawal"),
];

/// Every endpoint path of `specs/yunzhanghu.txt` (the `接口: {post|get}` lines; the prefixes
/// `/api/payment/v1/`, `/api/dataservice/v1/`, `/authentication/` and `/api/` dropped).
const YUNZHANGHU: &[(&str, &str)] = &[
    ("/api/payment/v1/order-realtime", "order-realtime"),
    ("/api/payment/v1/order-alipay", "order-alipay"),
    ("/api/payment/v1/order-wxpay", "order-wxpay"),
    (
        "/api/payment/v1/query-realtime-order",
        "query-realtime-order",
    ),
    ("/api/payment/v1/query-accounts", "query-accounts"),
    ("/api/dataservice/v1/order/downloadurl", "order-downloadurl"),
    ("/api/dataservice/v1/bill/downloadurl", "bill-downloadurl"),
    ("/authentication/verify-request", "verify-request"),
    ("/authentication/verify-confirm", "verify-confirm"),
    (
        "/authentication/verify-bankcard-four-factor",
        "verify-bankcard-four-factor",
    ),
    (
        "/authentication/verify-bankcard-three-factor",
        "verify-bankcard-three-factor",
    ),
    ("/authentication/verify-id", "verify-id"),
    ("/api/payment/v1/auth-alipay", "auth-alipay"),
    ("/api/payment/v1/sign/idcard/image", "sign-idcard-image"),
    ("/api/notify/order-bankcard", "notify-order-bankcard"),
    ("/api/notify/order-alipay", "notify-order-alipay"),
    ("/api/notify/order-wxpay", "notify-order-wxpay"),
];

const PROVIDERS: &[(&str, &[(&str, &str)])] = &[
    ("aggregate-pay", AGGREGATE_PAY),
    ("protocol-pay", PROTOCOL_PAY),
    ("huifu", HUIFU),
    ("yunzhanghu", YUNZHANGHU),
];

fn listed(provider: &str) -> Vec<String> {
    let out = cnpay().args([provider, "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{provider}: {out:?}");
    assert!(out.stderr.is_empty(), "{provider}: {out:?}");
    stdout(&out).lines().map(str::to_owned).collect()
}

#[test]
fn list_names_every_spec_endpoint_once_and_nothing_else() {
    for (provider, endpoints) in PROVIDERS {
        let ops = listed(provider);
        let mut want: Vec<String> = endpoints.iter().map(|(_, op)| (*op).to_owned()).collect();
        want.sort();
        // one per line, sorted, no repeats
        let mut sorted = ops.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ops, sorted, "{provider}: not sorted or repeated");
        assert_eq!(ops, want, "{provider}");
    }
}

#[test]
fn operation_names_follow_the_path_rule() {
    // the name is the path after the provider's prefix with `/` and `_` as `-`
    let prefixes: &[(&str, &[&str])] = &[
        ("aggregate-pay", &["/api/"]),
        ("protocol-pay", &["/api/protocol/"]),
        (
            "huifu",
            &["/api/hfpay/v1/merchant/", "/api/hfpay/v1/trade/"],
        ),
        (
            "yunzhanghu",
            &[
                "/api/payment/v1/",
                "/api/dataservice/v1/",
                "/authentication/",
                "/api/",
            ],
        ),
    ];
    for ((provider, endpoints), (p2, prefixes)) in PROVIDERS.iter().zip(prefixes) {
        assert_eq!(provider, p2);
        for (path, op) in *endpoints {
            let Some(rest) = prefixes.iter().find_map(|p| path.strip_prefix(p)) else {
                // huifu's bank card check: its own reading, checked by the list above
                assert_eq!(*op, "bank-check-card");
                continue;
            };
            assert_eq!(rest.replace(['/', '_'], "-"), *op, "{provider} {path}");
        }
    }
}

fn assert_help_has_example(args: &[&str]) {
    let out = cnpay().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    let text = stdout(&out);
    let example = text.split_once("Example").map(|(_, e)| e).unwrap_or("");
    // the example is a command of this level (e.g. `cnpay huifu withdrawal …`, maybe fed
    // by a pipe)
    let path: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--help" && *a != "-h")
        .collect();
    let want = format!("cnpay {}", path.join(" "));
    assert!(
        example.lines().any(|l| l.contains(want.trim_end())),
        "{args:?}: no example `{want} …` in {text}"
    );
}

#[test]
fn help_on_every_level_and_every_operation_has_an_example() {
    assert_help_has_example(&["--help"]);
    let tools: &[(&str, &[&str])] = &[
        ("aggregate-pay", &["sign", "verify", "list", "notify"]),
        ("protocol-pay", &["sign", "verify", "list", "notify"]),
        ("huifu", &["list", "notify"]),
        (
            "yunzhanghu",
            &[
                "encrypt", "decrypt", "sign", "seal", "open", "list", "notify",
            ],
        ),
    ];
    for (provider, tools) in tools {
        assert_help_has_example(&[provider, "--help"]);
        for tool in *tools {
            assert_help_has_example(&[provider, tool, "--help"]);
        }
        for op in listed(provider) {
            assert_help_has_example(&[provider, &op, "--help"]);
        }
    }
}

fn help_text(args: &[&str]) -> String {
    let out = cnpay().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn provider_help_lists_every_operation() {
    for provider in ["aggregate-pay", "protocol-pay", "huifu", "yunzhanghu"] {
        let text = help_text(&[provider, "--help"]);
        let header = format!("Operations (`cnpay {provider} <operation> --help` for one):");
        let (_, listed_in_help) = text
            .split_once(&header)
            .unwrap_or_else(|| panic!("{provider}: no operation list in {text}"));
        let names: Vec<&str> = listed_in_help
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(names, listed(provider), "{provider}");
    }
}

#[test]
fn operation_help_names_the_file_fields_it_takes() {
    for (args, fields) in [
        (["huifu", "upload-card"], "`file1`, `file2`"),
        (["huifu", "upload-agent-file"], "`file`"),
        (["huifu", "upload-merchant-file"], "`file`"),
        (
            ["yunzhanghu", "sign-idcard-image"],
            "`id_card_image`, `id_card_image_background`",
        ),
    ] {
        let text = help_text(&[args[0], args[1], "--help"]);
        assert!(
            text.contains(&format!(
                "Files: one --file FIELD=PATH for each of {fields}."
            )),
            "{args:?}: {text}"
        );
        assert!(!text.contains("file1=front.jpg"), "{args:?}: {text}");
    }
    let text = help_text(&["huifu", "refund", "--help"]);
    assert!(text.contains("This operation uploads no files."), "{text}");
}

#[test]
fn an_unknown_operation_is_exit_2_and_points_at_list() {
    let out = cnpay()
        .args(["huifu", "no-such-operation", "--data", "{}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let r = crate::common::report(&out);
    assert_eq!(
        r["message"],
        "unknown huifu operation `no-such-operation`; `cnpay huifu list` prints them"
    );
}

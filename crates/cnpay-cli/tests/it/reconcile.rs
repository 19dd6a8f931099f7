//! `cnpay yunzhanghu reconcile` on local day files: the report's formats and the exit codes.

use serde_json::{Value, json};

use crate::common::{cnpay, report, stdout};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../yunzhanghu/tests/fixtures");

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cnpay-it-recon-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const LEDGER: &str = "order_id,amount_yuan,status\n\
    2017112701,195.00,succeeded\n\
    2017112702,200,succeeded\n\
    2017112703,10,succeeded\n\
    2017112704,18.01,succeeded\n\
    2017112705,1110,succeeded\n\
    2017112799,5,succeeded\n";

#[test]
fn json_report_counts_every_class_and_exits_6() {
    let dir = tmp("json");
    let ledger = write(&dir, "ledger.csv", LEDGER);
    let out_path = dir.join("report.json");
    let out = cnpay()
        .args([
            "yunzhanghu",
            "reconcile",
            "--date",
            "2017-11-20",
            "--ledger",
            &ledger,
        ])
        .args(["--order-file", &format!("{FIXTURES}/order-file.csv")])
        .args(["--bill-file", &format!("{FIXTURES}/bill-file.csv")])
        .args(["--format", "json", "--out", out_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert_eq!(stdout(&out), "");
    assert_eq!(report(&out)["error"], "discrepancies");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    assert_eq!(
        r["summary"],
        json!({"matched": 3, "amount_mismatch": 1, "status_mismatch": 1,
               "missing_at_provider": 1, "missing_in_ledger": 2, "pending_at_provider": 0})
    );
    assert_eq!(r["totals"]["fee_fen"], 17_087);
    assert_eq!(
        r["items"][1],
        json!({"class": "status_mismatch", "order_id": "2017112702",
               "provider_amount_fen": 20000, "ledger_amount_fen": 20000,
               "provider_status": "failed", "ledger_status": "succeeded",
               "provider_fee_fen": 756, "provider_rows": 1, "ledger_rows": 1})
    );
    assert_eq!(r["items"][3]["order_id"], "2017111102");
    assert_eq!(r["items"][3]["provider_status"], "returned");
    assert_eq!(r["items"].as_array().unwrap().len(), 5);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn everything_matched_exits_0_and_csv_has_only_the_header() {
    let dir = tmp("ok");
    let ledger = write(
        &dir,
        "ledger.csv",
        "order_id,amount_fen\n2017112701,19500\n2017112702,20000\n",
    );
    let orders = write(
        &dir,
        "orders.csv",
        &include_str!("../../../yunzhanghu/tests/fixtures/order-file.csv")
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join("\n")
            .replace(",失败,", ",成功,"),
    );
    let out = cnpay()
        .args([
            "yunzhanghu",
            "reconcile",
            "--date",
            "2017-11-20",
            "--ledger",
            &ledger,
        ])
        .args(["--order-file", &orders, "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout(&out),
        "class,order_id,provider_amount_fen,ledger_amount_fen,provider_status,ledger_status,provider_fee_fen,provider_rows,ledger_rows\n"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_bad_ledger_line_is_exit_2_naming_line_and_field() {
    let dir = tmp("bad");
    let ledger = write(&dir, "ledger.csv", "order_id,amount_fen\nA,1\nB,1.50\n");
    let out = cnpay()
        .args([
            "yunzhanghu",
            "reconcile",
            "--date",
            "2017-11-20",
            "--ledger",
            &ledger,
        ])
        .args(["--order-file", &format!("{FIXTURES}/order-file.csv")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(report(&out)["field"], "line 3: amount_fen");
    let out = cnpay()
        .args([
            "yunzhanghu",
            "reconcile",
            "--date",
            "2017-11-31x",
            "--ledger",
            &ledger,
        ])
        .args(["--order-file", &format!("{FIXTURES}/order-file.csv")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(report(&out)["field"], "--date");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The aggregate-pay sandbox with two payouts made: `C-OK` (123.45 yuan) and `C-AMT` (200).
async fn aggregate_sandbox_with_two_payouts() -> pay_sandbox::Sandbox {
    use pay_sandbox::credentials::aggregate as cred;
    use pay_sandbox::{Provider, Sandbox, SandboxOptions};

    let sandbox = Sandbox::start_with(
        SandboxOptions::default()
            .with_providers(&[Provider::AggregatePay])
            .with_status_delay(std::time::Duration::from_millis(20)),
    )
    .await
    .unwrap();
    let client = cnpay::aggregate_pay::Client::new(
        cnpay::aggregate_pay::Config::builder(
            cred::MCH_ID,
            cred::APP_ID,
            cred::REQUEST_KEY,
            cred::RESPONSE_KEY,
        )
        .base_url(sandbox.aggregate_pay_url())
        .build()
        .unwrap(),
    )
    .unwrap();
    for (no, fen) in [("C-OK", 12_345), ("C-AMT", 20_000)] {
        client
            .trans_create_order(
                &cnpay::aggregate_pay::TransOrderRequest::new(
                    no,
                    pay_core::Money::from_fen(fen),
                    "http://127.0.0.1:9/n",
                    cnpay::aggregate_pay::BankCode::ChinaMerchantsBank,
                    "招商银行南京分行",
                    cnpay::aggregate_pay::AccountType::BankCard,
                    "张三",
                    "6225880137705555",
                    "江苏",
                    "南京",
                )
                .account_attr(cnpay::aggregate_pay::AccountAttr::Private),
            )
            .await
            .unwrap();
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    sandbox
}

/// `cnpay aggregate-pay reconcile` of `ledger` against `base_url`, with `extra` options.
async fn aggregate_reconcile(base_url: &str, ledger: &str, extra: &[&str]) -> std::process::Output {
    use pay_sandbox::credentials::aggregate as cred;

    let mut cmd = cnpay();
    cmd.env("CNPAY_AGGREGATE_PAY_MCH_ID", cred::MCH_ID)
        .env("CNPAY_AGGREGATE_PAY_APP_ID", cred::APP_ID)
        .env("CNPAY_AGGREGATE_PAY_KEY", cred::REQUEST_KEY)
        .env("CNPAY_AGGREGATE_PAY_RESPONSE_KEY", cred::RESPONSE_KEY)
        .env("CNPAY_AGGREGATE_PAY_BASE_URL", base_url)
        .args(["aggregate-pay", "reconcile", "--ledger", ledger])
        .args(["--kind", "payout", "--rate", "100", "--format", "json"])
        .args(extra);
    crate::common::run(&mut cmd).await
}

const AGG_LEDGER: &str = "order_id,amount_fen\nC-OK,12345\nC-AMT,20001\nC-NEVER,100\n";

/// The report of [`AGG_LEDGER`] against [`aggregate_sandbox_with_two_payouts`].
fn assert_agg_report(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_str(&stdout(out)).unwrap();
    assert_eq!(
        r["summary"],
        json!({"matched": 1, "amount_mismatch": 1, "status_mismatch": 0,
               "missing_at_provider": 1, "missing_in_ledger": 0, "pending_at_provider": 0})
    );
    assert_eq!(r["items"][0]["order_id"], "C-AMT");
    assert_eq!(r["items"][0]["provider_amount_fen"], 20_000);
    assert_eq!(r["items"][1]["order_id"], "C-NEVER");
}

/// `cnpay aggregate-pay reconcile` against the sandbox: one payout paid as booked, one booked
/// for another amount, one never made.
#[tokio::test]
async fn aggregate_pay_by_query_against_the_sandbox() {
    let sandbox = aggregate_sandbox_with_two_payouts().await;
    let dir = tmp("agg");
    let ledger = write(&dir, "ledger.csv", AGG_LEDGER);
    let out = aggregate_reconcile(
        &sandbox.aggregate_pay_url(),
        &ledger,
        &["--date", "2026-12-05"],
    )
    .await;
    assert_agg_report(&out);
    std::fs::remove_dir_all(dir).unwrap();
}

/// `--resume`: the first run writes every answer to the journal; a second run with it queries
/// nothing (a server that answers nothing receives no request) and gives the same report; a
/// last line cut off by a crash is queried again; the journal of another run is refused.
#[tokio::test]
async fn by_query_resumes_from_its_journal() {
    let sandbox = aggregate_sandbox_with_two_payouts().await;
    let dir = tmp("resume");
    let ledger = write(&dir, "ledger.csv", AGG_LEDGER);
    let journal = dir.join("journal.jsonl");
    let journal_arg = journal.to_str().unwrap();
    let opts = ["--date", "2026-12-05", "--resume", journal_arg];
    let first = aggregate_reconcile(&sandbox.aggregate_pay_url(), &ledger, &opts).await;
    assert_agg_report(&first);
    // stderr is a pipe here: no progress counter, only the exit's report.
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(!stderr.contains("queried"), "{stderr}");
    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(lines[0]["date"], "2026-12-05");
    assert_eq!(lines[0]["provider"], "aggregate-pay");
    assert_eq!(lines[0]["kind"], "payout");
    let mut answers: Vec<&Value> = lines[1..].iter().collect();
    answers.sort_by_key(|l| l["order_id"].as_str().unwrap().to_owned());
    assert_eq!(
        answers,
        [
            &json!({"order_id": "C-AMT", "amount_fen": 20_000, "status": "succeeded"}),
            &json!({"order_id": "C-NEVER", "status": "not_found"}),
            &json!({"order_id": "C-OK", "amount_fen": 12_345, "status": "succeeded"}),
        ]
    );

    // Again with the journal: nothing is asked, the report is the same.
    let silent = wiremock::MockServer::start().await;
    let second = aggregate_reconcile(&silent.uri(), &ledger, &opts).await;
    assert_eq!(silent.received_requests().await.unwrap().len(), 0);
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(second.status.code(), Some(6));

    // The last line cut off half way: that order alone is asked again.
    let last = text.lines().last().unwrap();
    let last_id = serde_json::from_str::<Value>(last).unwrap()["order_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cut = text.len() - last.len() / 2 - 1;
    std::fs::write(&journal, &text[..cut]).unwrap();
    let third = aggregate_reconcile(&silent.uri(), &ledger, &opts).await;
    assert_ne!(third.status.code(), Some(6));
    let asked = silent.received_requests().await.unwrap();
    assert!(!asked.is_empty());
    for req in &asked {
        let body = String::from_utf8_lossy(&req.body);
        for id in ["C-OK", "C-AMT", "C-NEVER"] {
            assert_eq!(body.contains(id), id == last_id, "{id} in {body}");
        }
    }
    // The cut-off line is gone from the file, the others stay.
    let kept = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(kept.lines().count(), 3, "{kept}");
    assert!(text.starts_with(&kept));
    let fourth = aggregate_reconcile(&sandbox.aggregate_pay_url(), &ledger, &opts).await;
    assert_eq!(fourth.stdout, first.stdout);
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), text);

    // Another day, or another provider, with this journal: refused before any query.
    let out = aggregate_reconcile(
        &silent.uri(),
        &ledger,
        &["--date", "2026-12-06", "--resume", journal_arg],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let r = report(&out);
    assert_eq!(r["field"], "--resume", "{r}");
    assert!(r.to_string().contains("another run"), "{r}");
    {
        use pay_sandbox::credentials::protocol as cred;
        let mut cmd = cnpay();
        cmd.env("CNPAY_PROTOCOL_PAY_APP_ID", cred::APP_ID)
            .env("CNPAY_PROTOCOL_PAY_KEY", cred::KEY)
            .env("CNPAY_PROTOCOL_PAY_BASE_URL", silent.uri())
            .args(["protocol-pay", "reconcile", "--ledger", &ledger])
            .args(["--date", "2026-12-05", "--kind", "payout"])
            .args(["--resume", journal_arg]);
        let out = crate::common::run(&mut cmd).await;
        assert_eq!(out.status.code(), Some(2));
        let r = report(&out);
        assert_eq!(r["field"], "--resume", "{r}");
        assert!(r.to_string().contains("another run"), "{r}");
    }
    assert_eq!(silent.received_requests().await.unwrap().len(), asked.len());
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), text);
    // A file that is not a journal is refused, and left as it was.
    let out = aggregate_reconcile(
        &silent.uri(),
        &ledger,
        &["--date", "2026-12-05", "--resume", &ledger],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(report(&out)["field"], "--resume");
    assert_eq!(std::fs::read_to_string(&ledger).unwrap(), AGG_LEDGER);
    std::fs::remove_dir_all(dir).unwrap();
}

fn gz(path: &str) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&std::fs::read(path).unwrap()).unwrap();
    e.finish().unwrap()
}

/// The day's files downloaded (the download URLs, then the gz files): the same report as from
/// local files, and no progress counter on a stderr that is not a terminal (a pipe here).
#[tokio::test]
async fn downloaded_day_files_reconcile_and_show_no_progress_in_a_pipe() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let server = pay_core::test_util::mock_server().await;
    for (kind, field) in [
        ("order", "order_download_url"),
        ("bill", "bill_download_url"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/api/dataservice/v1/{kind}/downloadurl")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "code": "0000", "message": "操作成功", "request_id": "r",
                "data": {field: format!("{}/files/{kind}.gz", server.uri())},
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("/files/{kind}.gz")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_bytes(gz(&format!("{FIXTURES}/{kind}-file.csv"))),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let dir = tmp("download");
    let ledger = write(&dir, "ledger.csv", LEDGER);
    let mut cmd = cnpay();
    cmd.env("CNPAY_YUNZHANGHU_DEALER_ID", "D1")
        .env("CNPAY_YUNZHANGHU_BROKER_ID", "B1")
        .env(
            "CNPAY_YUNZHANGHU_APP_KEY",
            "78f9b4fad3481fbce1df0b30eee58577",
        )
        .env("CNPAY_YUNZHANGHU_DES3_KEY", "123456788765432112345678")
        .env("CNPAY_YUNZHANGHU_BASE_URL", server.uri())
        .args(["yunzhanghu", "reconcile", "--date", "2017-11-20"])
        .args(["--ledger", &ledger, "--format", "json"]);
    let out = crate::common::run(&mut cmd).await;
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let r: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["summary"]["matched"], 3, "{r}");
    // stderr holds the one JSON report, and no counter
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(!stderr.contains("bytes"), "{stderr}");
    assert!(!stderr.contains("rows read"), "{stderr}");
    assert_eq!(report(&out)["error"], "discrepancies");
    std::fs::remove_dir_all(dir).unwrap();
}

const HUIFU_STATEMENT: &str = "order_id,order_date,platform_seq_id,trans_type,user_cust_id,trans_amt,trans_stat\n\
    H1,20261205,HF1,quick-pay,U1,100.00,S\n\
    H2,20261205,HF2,refund,U1,10.00,S\n\
    H3,20261205,HF3,app-pay,U2,5.00,I\n\
    H4,20261205,HF4,withdrawal,U2,20.00,F\n";

const HUIFU_LEDGER: &str = "order_id,amount_yuan,status\n\
    H1,100.00,succeeded\n\
    H2,10,succeeded\n\
    H3,5,succeeded\n\
    H4,20,succeeded\n\
    H5,1,succeeded\n";

fn huifu_reconcile(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let ledger = write(dir, "ledger.csv", HUIFU_LEDGER);
    let statement = write(dir, "statement.csv", HUIFU_STATEMENT);
    cnpay()
        .args([
            "huifu",
            "reconcile",
            "--date",
            "2026-12-05",
            "--ledger",
            &ledger,
        ])
        .args(["--statement", &statement, "--format", "json"])
        .args(extra)
        .output()
        .unwrap()
}

/// `cnpay huifu reconcile --statement`: every `trans_stat` read into its class.
#[test]
fn huifu_statement_classes_every_order_and_exits_6() {
    let dir = tmp("huifu");
    let out = huifu_reconcile(&dir, &[]);
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let r: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        r["summary"],
        json!({"matched": 2, "amount_mismatch": 0, "status_mismatch": 1,
               "missing_at_provider": 1, "missing_in_ledger": 0, "pending_at_provider": 1})
    );
    let item = |id: &str| {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["order_id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(item("H3")["class"], "pending_at_provider");
    assert_eq!(item("H3")["provider_status"], "processing");
    assert_eq!(item("H4")["class"], "status_mismatch");
    assert_eq!(item("H4")["provider_status"], "failed");
    assert_eq!(item("H5")["class"], "missing_at_provider");

    // Only the rows of the kinds asked for: the others are then missing at the provider.
    let out = huifu_reconcile(
        &dir,
        &["--trans-type", "quick-pay", "--trans-type", "refund"],
    );
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let r: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["summary"]["matched"], 2);
    assert_eq!(r["summary"]["missing_at_provider"], 3);
    assert_eq!(r["summary"]["pending_at_provider"], 0);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A statement without a required column is a decode error (exit 5), never a report.
#[test]
fn huifu_statement_without_trans_stat_is_refused() {
    let dir = tmp("huifu-bad");
    let ledger = write(&dir, "ledger.csv", HUIFU_LEDGER);
    let statement = write(
        &dir,
        "statement.csv",
        "order_id,order_date,trans_amt\nH1,20261205,1.00\n",
    );
    let out = cnpay()
        .args([
            "huifu",
            "reconcile",
            "--date",
            "2026-12-05",
            "--ledger",
            &ledger,
        ])
        .args(["--statement", &statement])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    assert_ne!(out.status.code(), Some(6), "{out:?}");
    assert_eq!(stdout(&out), "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("trans_stat"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

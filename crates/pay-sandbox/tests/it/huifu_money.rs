//! Huifu: where the money is after refunds, guarantee trades (`order_affirm`,
//! `order_reverse`), splits (`fz`) and withdrawals, read through `balance_query` as
//! (`acct_balance`, `avl_balance`, `frz_balance`). The merchant's frozen balance is the money
//! the platform holds for guarantee and delayed-split trades.

use std::time::Duration;

use pay_sandbox::credentials::huifu as cred;
use pay_sandbox::{Provider, Sandbox, SandboxOptions};
use serde_json::Value;

use crate::huifu_flows::{call, open_user};
use crate::{sandbox, wait_status};

const M: &str = cred::MER_CUST_ID;
const DAY: &str = "20240102";
const TRADE: &str = "/api/hfpay/v1/trade";

/// A sandbox whose orders stay `I` long enough to look at the frozen amounts.
async fn slow_sandbox() -> Sandbox {
    Sandbox::start_with(
        SandboxOptions::default()
            .with_status_delay(Duration::from_millis(400))
            .with_time_compression(1000)
            .with_providers(&[Provider::Huifu]),
    )
    .await
    .unwrap()
}

/// `(acct_balance, avl_balance, frz_balance)`.
async fn balances(base: &str, id: &str) -> (String, String, String) {
    let r = call(
        base,
        "/api/hfpay/v1/merchant/balance_query",
        &[("mer_cust_id", M), ("user_cust_id", id), ("acct_id", "A0")],
    )
    .await;
    assert_eq!(r["resp_code"], "C00000", "{r}");
    let s = |k: &str| r[k].as_str().unwrap().to_owned();
    (s("acct_balance"), s("avl_balance"), s("frz_balance"))
}

fn b(acct: &str, avl: &str, frz: &str) -> (String, String, String) {
    (acct.to_owned(), avl.to_owned(), frz.to_owned())
}

/// An account that only moved available money.
fn avl(amount: &str) -> (String, String, String) {
    b(amount, amount, "0.00")
}

/// A trade request: `mer_cust_id`, `order_date` and the given fields.
async fn trade(base: &str, op: &str, fields: &[(&str, &str)]) -> Value {
    let mut form = vec![("mer_cust_id", M), ("order_date", DAY)];
    form.extend_from_slice(fields);
    call(base, &format!("{TRADE}/{op}"), &form).await
}

fn code(r: &Value) -> &str {
    r["resp_code"].as_str().unwrap()
}

async fn balance_pay(base: &str, id: &str, from: &str, to: &str, amt: &str, kind: &str) -> Value {
    trade(
        base,
        "balance_pay",
        &[
            ("order_id", id),
            ("out_cust_id", from),
            ("in_cust_id", to),
            ("trans_amt", amt),
            ("trans_type", kind),
        ],
    )
    .await
}

async fn refund(base: &str, id: &str, org: &str, amt: &str, div: Option<&str>) -> Value {
    let mut f = vec![
        ("order_id", id),
        ("org_order_id", org),
        ("org_order_date", DAY),
        ("trans_amt", amt),
    ];
    if let Some(d) = div {
        f.push(("div_detail", d));
    }
    trade(base, "refund", &f).await
}

/// `order_affirm` or `order_reverse` of `old`, seller `to`, buyer `from`.
async fn release(
    base: &str,
    op: &str,
    id: &str,
    old: &str,
    amt: &str,
    to: &str,
    from: &str,
) -> Value {
    trade(
        base,
        op,
        &[
            ("order_id", id),
            ("old_order_id", old),
            ("old_order_date", DAY),
            ("trans_amt", amt),
            ("in_cust_id", to),
            ("out_cust_id", from),
        ],
    )
    .await
}

async fn fz(base: &str, id: &str, old: &str, amt: &str, div: Option<&str>) -> Value {
    let mut f = vec![
        ("order_id", id),
        ("old_order_id", old),
        ("old_order_date", DAY),
        ("trans_amt", amt),
    ];
    if let Some(d) = div {
        f.push(("div_detail", d));
    }
    trade(base, "fz", &f).await
}

/// A split string of `(divCustId, divAmt)`.
fn div(shares: &[(&str, &str)]) -> String {
    let items: Vec<String> = shares
        .iter()
        .map(|(cust, amt)| {
            format!(r#"{{"divAmt":"{amt}","divAcctId":"ACCT{cust}","divCustId":"{cust}"}}"#)
        })
        .collect();
    format!("[{}]", items.join(","))
}

async fn app_pay(base: &str, id: &str, user: &str, amt: &str, extra: &[(&str, &str)]) -> Value {
    let mut f = vec![
        ("order_id", id),
        ("user_cust_id", user),
        ("trans_amt", amt),
        ("pay_type", "10"),
        ("app_id", "wx0123456789abcdef"),
    ];
    f.extend_from_slice(extra);
    trade(base, "app_pay", &f).await
}

#[tokio::test]
async fn a_refund_freezes_the_payees_share_then_returns_it_to_the_payer() {
    let sb = slow_sandbox().await;
    let base = sb.huifu_url();
    let a = open_user(&base, "U1").await;
    let p = open_user(&base, "U2").await;
    assert_eq!(
        code(&balance_pay(&base, "BP1", &a, &p, "100.00", "2").await),
        "C00000"
    );
    assert_eq!(balances(&base, &a).await, avl("9900.00"));
    assert_eq!(balances(&base, &p).await, avl("10100.00"));

    // accepted: the payee's share is frozen at once, the payer has nothing yet
    let r = refund(&base, "RF1", "BP1", "60.00", None).await;
    assert_eq!((code(&r), r["trans_stat"].as_str()), ("C00002", Some("I")));
    assert_eq!(
        balances(&base, &p).await,
        b("10100.00", "10040.00", "60.00")
    );
    assert_eq!(balances(&base, &a).await, avl("9900.00"));
    wait_status(&sb, Provider::Huifu, "RF1", "S").await;
    assert_eq!(balances(&base, &p).await, avl("10040.00"));
    assert_eq!(balances(&base, &a).await, avl("9960.00"));

    // a failed refund (scripted amount): frozen, then unfrozen, nothing reaches the payer
    assert_eq!(
        code(&refund(&base, "RF2", "BP1", "1.44", None).await),
        "C00002"
    );
    assert_eq!(balances(&base, &p).await, b("10040.00", "10038.56", "1.44"));
    wait_status(&sb, Provider::Huifu, "RF2", "F").await;
    assert_eq!(balances(&base, &p).await, avl("10040.00"));
    assert_eq!(balances(&base, &a).await, avl("9960.00"));
    // the spec: a failed refund may be sent again with the same order id and amount
    assert_eq!(
        code(&refund(&base, "RF2", "BP1", "1.45", None).await),
        "C10003"
    );
    assert_eq!(
        code(&refund(&base, "RF2", "BP1", "1.44", None).await),
        "C00002"
    );
    assert_eq!(sb.order(Provider::Huifu, "RF2").unwrap().status, "I");
    wait_status(&sb, Provider::Huifu, "RF2", "S").await;
    assert_eq!(balances(&base, &p).await, avl("10038.56"));
    assert_eq!(balances(&base, &a).await, avl("9961.44"));
    // a refund that did not fail cannot be sent again
    assert_eq!(
        code(&refund(&base, "RF1", "BP1", "60.00", None).await),
        "C10003"
    );
    assert_eq!(
        code(&refund(&base, "RF2", "BP1", "1.44", None).await),
        "C10003"
    );

    // partial refunds add up to at most what was paid: 61.44 back, 38.56 left
    assert_eq!(
        code(&refund(&base, "RF3", "BP1", "38.57", None).await),
        "C10001"
    );
    assert_eq!(
        code(&refund(&base, "RF3", "BP1", "38.56", None).await),
        "C00002"
    );
    // a pending refund counts too
    assert_eq!(
        code(&refund(&base, "RF4", "BP1", "0.01", None).await),
        "C10001"
    );
    wait_status(&sb, Provider::Huifu, "RF3", "S").await;
    assert_eq!(balances(&base, &p).await, avl("10000.00"));
    assert_eq!(balances(&base, &a).await, avl("10000.00"));
    assert_eq!(sb.order(Provider::Huifu, "RF4"), None);

    // the payee must still have the money
    assert_eq!(
        code(&balance_pay(&base, "BP2", &a, &p, "10.00", "2").await),
        "C00000"
    );
    assert_eq!(
        code(&balance_pay(&base, "BP3", &p, &a, "10001.00", "2").await),
        "C00000"
    );
    assert_eq!(
        code(&refund(&base, "RF5", "BP2", "10.00", None).await),
        "C10006"
    );
    assert_eq!(sb.order(Provider::Huifu, "RF5"), None);
    assert_eq!(balances(&base, &p).await, avl("9.00"));

    // refunds of what is not a successful pay
    assert_eq!(
        code(&refund(&base, "RF6", "NOPE", "1.00", None).await),
        "C10004"
    );
    assert_eq!(
        code(&refund(&base, "RF6", "RF1", "1.00", None).await),
        "C10004"
    );
    assert_eq!(
        code(&app_pay(&base, "AP1", &a, "5.00", &[("trans_type", "recharge")]).await),
        "C00001"
    );
    let unpaid = refund(&base, "RF6", "AP1", "1.00", None).await;
    assert_eq!(code(&unpaid), "C10004", "{unpaid}");
    assert_eq!(
        code(&app_pay(&base, "AP2", &a, "2.44", &[("trans_type", "recharge")]).await),
        "C00001"
    );
    wait_status(&sb, Provider::Huifu, "AP2", "F").await;
    assert_eq!(
        code(&refund(&base, "RF6", "AP2", "1.00", None).await),
        "C10004"
    );
    assert_eq!(sb.order(Provider::Huifu, "RF6"), None);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_card_payment_refund_leaves_the_simulator_and_a_split_one_names_its_shares() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let u = open_user(&base, "U1").await;
    let s = open_user(&base, "U2").await;
    let c = open_user(&base, "U3").await;

    // paid by the user's wallet to the seller: the seller is credited
    assert_eq!(
        code(&app_pay(&base, "AP1", &u, "25.50", &[("in_cust_id", &s)]).await),
        "C00001"
    );
    wait_status(&sb, Provider::Huifu, "AP1", "S").await;
    assert_eq!(balances(&base, &s).await, avl("10025.50"));
    assert_eq!(balances(&base, &u).await, avl("10000.00"));
    // the refund takes it from the seller and sends it back to the wallet
    assert_eq!(
        code(&refund(&base, "RF1", "AP1", "10.00", None).await),
        "C00002"
    );
    wait_status(&sb, Provider::Huifu, "RF1", "S").await;
    assert_eq!(balances(&base, &s).await, avl("10015.50"));
    assert_eq!(balances(&base, &u).await, avl("10000.00"));

    // split at once: 5.00 to c, the rest to the seller
    let split = div(&[(&c, "5.00")]);
    let extra = [("in_cust_id", s.as_str()), ("div_detail", split.as_str())];
    assert_eq!(
        code(&app_pay(&base, "AP2", &u, "20.00", &extra).await),
        "C00001"
    );
    wait_status(&sb, Provider::Huifu, "AP2", "S").await;
    assert_eq!(balances(&base, &c).await, avl("10005.00"));
    assert_eq!(balances(&base, &s).await, avl("10030.50"));
    // delivered to two accounts: the refund must say how much from which
    assert_eq!(
        code(&refund(&base, "RF2", "AP2", "3.00", None).await),
        "C10001"
    );
    let more_than_c_got = div(&[(&c, "5.01")]);
    assert_eq!(
        code(&refund(&base, "RF2", "AP2", "5.01", Some(&more_than_c_got)).await),
        "C10001"
    );
    let not_the_amount = div(&[(&c, "2.00")]);
    assert_eq!(
        code(&refund(&base, "RF2", "AP2", "3.00", Some(&not_the_amount)).await),
        "C10001"
    );
    let both = div(&[(&c, "2.00"), (&s, "1.00")]);
    assert_eq!(
        code(&refund(&base, "RF2", "AP2", "3.00", Some(&both)).await),
        "C00002"
    );
    wait_status(&sb, Provider::Huifu, "RF2", "S").await;
    assert_eq!(balances(&base, &c).await, avl("10003.00"));
    assert_eq!(balances(&base, &s).await, avl("10029.50"));
    // c got 5.00 and gave 2.00 back
    let rest_of_c = div(&[(&c, "3.01")]);
    assert_eq!(
        code(&refund(&base, "RF3", "AP2", "3.01", Some(&rest_of_c)).await),
        "C10001"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_guarantee_is_held_then_confirmed_to_the_seller_or_reversed_to_the_buyer() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let a = open_user(&base, "U1").await;
    let s = open_user(&base, "U2").await;
    let other = open_user(&base, "U3").await;
    let mer = avl("1000000.00");
    assert_eq!(balances(&base, M).await, mer);

    // trans_type 1 (担保): the buyer pays, the platform holds it, the seller has nothing yet
    let r = balance_pay(&base, "G0", &a, &s, "100.00", "1").await;
    assert_eq!((code(&r), r["trans_stat"].as_str()), ("C00000", Some("S")));
    assert_eq!(balances(&base, &a).await, avl("9900.00"));
    assert_eq!(balances(&base, &s).await, avl("10000.00"));
    assert_eq!(
        balances(&base, M).await,
        b("1000100.00", "1000000.00", "100.00")
    );
    // nothing delivered yet, nothing refundable: a reverse returns held money
    assert_eq!(
        code(&refund(&base, "R0", "G0", "1.00", None).await),
        "C10001"
    );

    // confirmed in part: 60.00 to the seller
    let r = release(&base, "order_affirm", "A1", "G0", "60.00", &s, &a).await;
    assert_eq!(
        (code(&r), r["trans_stat"].as_str()),
        ("C00000", Some("S")),
        "{r}"
    );
    assert_eq!(balances(&base, &s).await, avl("10060.00"));
    assert_eq!(
        balances(&base, M).await,
        b("1000040.00", "1000000.00", "40.00")
    );
    // the same confirmation again: refused, nothing moves
    let again = release(&base, "order_affirm", "A1", "G0", "60.00", &s, &a).await;
    assert_eq!(code(&again), "C10003");
    // more than the 40.00 still held
    let r = release(&base, "order_affirm", "A2", "G0", "50.00", &s, &a).await;
    assert_eq!(code(&r), "C10011", "{r}");
    // more than the original, another seller, another buyer
    let r = release(&base, "order_reverse", "V1", "G0", "100.01", &s, &a).await;
    assert_eq!(code(&r), "C10001");
    let r = release(&base, "order_reverse", "V1", "G0", "40.00", &other, &a).await;
    assert_eq!(code(&r), "C10001");
    let r = release(&base, "order_reverse", "V1", "G0", "40.00", &s, &other).await;
    assert_eq!(code(&r), "C10001");
    assert_eq!(balances(&base, &s).await, avl("10060.00"));
    assert_eq!(balances(&base, &a).await, avl("9900.00"));

    // the rest reversed: back to the buyer
    let r = release(&base, "order_reverse", "V1", "G0", "40.00", &s, &a).await;
    assert_eq!(code(&r), "C00000");
    assert_eq!(balances(&base, &a).await, avl("9940.00"));
    assert_eq!(balances(&base, M).await, mer);
    // settled: no further confirmation, reverse or split
    let r = release(&base, "order_affirm", "A3", "G0", "1.00", &s, &a).await;
    assert_eq!(code(&r), "C10011");
    let r = release(&base, "order_reverse", "V2", "G0", "1.00", &s, &a).await;
    assert_eq!(code(&r), "C10011");
    assert_eq!(
        code(&fz(&base, "F1", "G0", "1.00", Some(&div(&[(&s, "1.00")]))).await),
        "C10011"
    );
    for id in ["A2", "A3", "V2", "F1"] {
        assert_eq!(sb.order(Provider::Huifu, id), None, "{id}");
    }

    // a reverse after a full confirmation
    assert_eq!(
        code(&balance_pay(&base, "G1", &a, &s, "30.00", "1").await),
        "C00000"
    );
    let r = release(&base, "order_affirm", "A4", "G1", "30.00", &s, &a).await;
    assert_eq!(code(&r), "C00000");
    let r = release(&base, "order_reverse", "V3", "G1", "30.00", &s, &a).await;
    assert_eq!(code(&r), "C10011");
    assert_eq!(balances(&base, &a).await, avl("9910.00"));
    assert_eq!(balances(&base, &s).await, avl("10090.00"));
    assert_eq!(balances(&base, M).await, mer);

    // what was confirmed can be refunded: from the seller back to the buyer
    assert_eq!(
        code(&refund(&base, "R1", "G0", "60.01", None).await),
        "C10001"
    );
    assert_eq!(
        code(&refund(&base, "R1", "G0", "60.00", None).await),
        "C00002"
    );
    wait_status(&sb, Provider::Huifu, "R1", "S").await;
    assert_eq!(balances(&base, &a).await, avl("9970.00"));
    assert_eq!(balances(&base, &s).await, avl("10030.00"));

    // unknown original, not a guarantee, not a pay
    let r = release(&base, "order_affirm", "A5", "NOPE", "1.00", &s, &a).await;
    assert_eq!(code(&r), "C10004");
    assert_eq!(
        code(&balance_pay(&base, "P1", &a, &s, "10.00", "2").await),
        "C00000"
    );
    let r = release(&base, "order_affirm", "A5", "P1", "1.00", &s, &a).await;
    assert_eq!(code(&r), "C10004");
    let r = release(&base, "order_reverse", "A5", "A1", "1.00", &s, &a).await;
    assert_eq!(code(&r), "C10004");
    // the buyer cannot pay a guarantee it does not have
    assert_eq!(
        code(&balance_pay(&base, "G2", &a, &s, "9960.01", "1").await),
        "C10006"
    );
    assert_eq!(balances(&base, M).await, mer);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_card_guarantee_is_reversed_to_the_card() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let u = open_user(&base, "U1").await;
    let s = open_user(&base, "U2").await;
    let sms = |id: &'static str, seller: Option<String>| {
        let (base, u) = (base.clone(), u.clone());
        async move {
            let mut f = vec![
                ("order_id", id.to_owned()),
                ("user_cust_id", u),
                ("trans_amt", "80.00".to_owned()),
                ("card_no", "6225880137705555".to_owned()),
                ("card_mobile", "13812345678".to_owned()),
                ("trans_type", "guarantee".to_owned()),
            ];
            if let Some(seller) = seller {
                f.push(("in_cust_id", seller));
            }
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            trade(&base, "send_quick_pay_sms_code", &pairs).await
        }
    };
    // a guarantee names its seller
    assert_eq!(code(&sms("S0", None).await), "C10001");
    assert_eq!(code(&sms("S1", Some(s.clone())).await), "C00000");
    let r = trade(
        &base,
        "quick_pay",
        &[
            ("order_id", "Q1"),
            ("user_cust_id", &u),
            ("ori_order_id", "S1"),
            ("ori_order_date", DAY),
            ("sms_code", cred::SMS_CODE),
        ],
    )
    .await;
    assert_eq!(code(&r), "C00001");
    wait_status(&sb, Provider::Huifu, "Q1", "S").await;
    // paid by card: held by the platform, nobody's balance moved
    assert_eq!(
        balances(&base, M).await,
        b("1000080.00", "1000000.00", "80.00")
    );
    assert_eq!(balances(&base, &u).await, avl("10000.00"));
    assert_eq!(balances(&base, &s).await, avl("10000.00"));
    let r = release(&base, "order_affirm", "A1", "Q1", "30.00", &s, &u).await;
    assert_eq!(code(&r), "C00000");
    let r = release(&base, "order_reverse", "V1", "Q1", "50.00", &s, &u).await;
    assert_eq!(code(&r), "C00000");
    // the seller got 30.00; the 50.00 went back to the card, not to the user's balance
    assert_eq!(balances(&base, &s).await, avl("10030.00"));
    assert_eq!(balances(&base, &u).await, avl("10000.00"));
    assert_eq!(balances(&base, M).await, avl("1000000.00"));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_delayed_split_is_held_until_fz_splits_it() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let u = open_user(&base, "U1").await;
    let s = open_user(&base, "U2").await;
    let c = open_user(&base, "U3").await;
    let extra = [("in_cust_id", s.as_str()), ("div_type", "01")];
    assert_eq!(
        code(&app_pay(&base, "D0", &u, "100.00", &extra).await),
        "C00001"
    );
    wait_status(&sb, Provider::Huifu, "D0", "S").await;
    assert_eq!(
        balances(&base, M).await,
        b("1000100.00", "1000000.00", "100.00")
    );
    assert_eq!(balances(&base, &s).await, avl("10000.00"));

    // 70.00 split: 50.00 to c, the 20.00 not listed to the seller
    let r = fz(&base, "F1", "D0", "70.00", Some(&div(&[(&c, "50.00")]))).await;
    assert_eq!(
        (code(&r), r["trans_stat"].as_str()),
        ("C00000", Some("S")),
        "{r}"
    );
    assert_eq!(balances(&base, &c).await, avl("10050.00"));
    assert_eq!(balances(&base, &s).await, avl("10020.00"));
    assert_eq!(
        balances(&base, M).await,
        b("1000030.00", "1000000.00", "30.00")
    );
    // the same split again
    let again = fz(&base, "F1", "D0", "70.00", Some(&div(&[(&c, "50.00")]))).await;
    assert_eq!(code(&again), "C10003");
    // a split string over trans_amt, to an unknown account, or none at all
    let over = div(&[(&c, "20.00"), (&s, "10.01")]);
    assert_eq!(
        code(&fz(&base, "F2", "D0", "30.00", Some(&over)).await),
        "C10001"
    );
    let unknown = div(&[("6666000999999999", "1.00")]);
    assert_eq!(
        code(&fz(&base, "F2", "D0", "1.00", Some(&unknown)).await),
        "C10005"
    );
    assert_eq!(code(&fz(&base, "F2", "D0", "1.00", None).await), "C10001");
    assert_eq!(
        code(&fz(&base, "F2", "D0", "1.00", Some("not json")).await),
        "C10001"
    );
    // more than still held
    let r = fz(&base, "F2", "D0", "30.01", Some(&div(&[(&c, "30.01")]))).await;
    assert_eq!(code(&r), "C10011");
    assert_eq!(
        balances(&base, M).await,
        b("1000030.00", "1000000.00", "30.00")
    );
    // the rest
    let r = fz(&base, "F2", "D0", "30.00", Some(&div(&[(&c, "30.00")]))).await;
    assert_eq!(code(&r), "C00000");
    assert_eq!(balances(&base, &c).await, avl("10080.00"));
    assert_eq!(balances(&base, M).await, avl("1000000.00"));
    let r = fz(&base, "F3", "D0", "1.00", Some(&div(&[(&c, "1.00")]))).await;
    assert_eq!(code(&r), "C10011");
    // a delayed split is not a guarantee
    let r = release(&base, "order_affirm", "A1", "D0", "1.00", &s, &u).await;
    assert_eq!(code(&r), "C10004");

    // what was split can be refunded share by share
    assert_eq!(
        code(&refund(&base, "R1", "D0", "10.00", None).await),
        "C10001"
    );
    let from_c = div(&[(&c, "80.00")]);
    assert_eq!(
        code(&refund(&base, "R1", "D0", "80.00", Some(&from_c)).await),
        "C00002"
    );
    wait_status(&sb, Provider::Huifu, "R1", "S").await;
    assert_eq!(balances(&base, &c).await, avl("10000.00"));

    // no money held: a plain pay, an unknown order
    assert_eq!(
        code(&balance_pay(&base, "P1", &u, &s, "10.00", "2").await),
        "C00000"
    );
    let r = fz(&base, "F4", "P1", "10.00", Some(&div(&[(&c, "10.00")]))).await;
    assert_eq!(code(&r), "C10004");
    let r = fz(&base, "F4", "NOPE", "1.00", Some(&div(&[(&c, "1.00")]))).await;
    assert_eq!(code(&r), "C10004");

    // a guarantee can be split too
    assert_eq!(
        code(&balance_pay(&base, "G1", &u, &s, "10.00", "1").await),
        "C00000"
    );
    let r = fz(&base, "F5", "G1", "10.00", Some(&div(&[(&c, "4.00")]))).await;
    assert_eq!(code(&r), "C00000");
    assert_eq!(balances(&base, &c).await, avl("10004.00"));
    assert_eq!(balances(&base, &s).await, avl("10036.00"));
    assert_eq!(balances(&base, &u).await, avl("9980.00"));
    assert_eq!(balances(&base, M).await, avl("1000000.00"));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_withdrawal_is_frozen_until_it_settles() {
    let sb = slow_sandbox().await;
    let base = sb.huifu_url();
    let u = open_user(&base, "U1").await;
    let card = call(
        &base,
        "/api/hfpay/v1/merchant/bind_bank_card",
        &[
            ("mer_cust_id", M),
            ("user_cust_id", &u),
            ("order_id", "B1"),
            ("order_date", DAY),
            ("bank_id", "03080000"),
            ("card_no", "6225880137705555"),
            ("card_mobile", "13812345678"),
        ],
    )
    .await["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let withdraw = |id: &'static str, amt: &'static str| {
        let (base, u, card) = (base.clone(), u.clone(), card.clone());
        async move {
            trade(
                &base,
                "withdrawal",
                &[
                    ("order_id", id),
                    ("user_cust_id", &u),
                    ("trans_amt", amt),
                    ("cash_bind_card_id", &card),
                    ("cash_type", "T1"),
                ],
            )
            .await
        }
    };
    assert_eq!(code(&withdraw("W1", "100.00").await), "C00002");
    assert_eq!(
        balances(&base, &u).await,
        b("10000.00", "9900.00", "100.00")
    );
    // the frozen part cannot be spent twice
    assert_eq!(code(&withdraw("W2", "9900.01").await), "C10006");
    wait_status(&sb, Provider::Huifu, "W1", "S").await;
    assert_eq!(balances(&base, &u).await, avl("9900.00"));
    // a failed withdrawal is unfrozen
    assert_eq!(code(&withdraw("W3", "1.44").await), "C00002");
    assert_eq!(balances(&base, &u).await, b("9900.00", "9898.56", "1.44"));
    wait_status(&sb, Provider::Huifu, "W3", "F").await;
    assert_eq!(balances(&base, &u).await, avl("9900.00"));
    assert_eq!(code(&withdraw("W1", "1.00").await), "C10003");
    assert_eq!(balances(&base, &u).await, avl("9900.00"));
    sb.shutdown().await;
}

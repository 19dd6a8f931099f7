//! Huifu's other flows: opening callbacks, balance pay, app pay, refunds and the statement
//! file. The balance rules of refunds, guarantees and splits in detail: `huifu_money`.

use base64::Engine as _;
use pay_sandbox::credentials::huifu as cred;
use pay_sandbox::{OrderSnapshot, Provider};
use serde_json::{Value, json};

use crate::{Receiver, form_map, sandbox, wait_status};

const M: &str = cred::MER_CUST_ID;
const DAY: &str = "20240102";

/// A form POST authenticated by `client_id` + `client_secret`.
pub(crate) async fn call(base: &str, path: &str, form: &[(&str, &str)]) -> Value {
    let resp = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .query(&[
            ("client_id", cred::CLIENT_ID),
            ("client_secret", cred::CLIENT_SECRET),
        ])
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    serde_json::from_str(&resp.text().await.unwrap()).unwrap()
}

pub(crate) async fn open_user(base: &str, order_id: &str) -> String {
    let r = call(
        base,
        "/api/hfpay/v1/merchant/person_opening",
        &[
            ("mer_cust_id", M),
            ("order_id", order_id),
            ("order_date", DAY),
            ("user_name", "张三"),
            ("cert_id", "11010519491231002X"),
            ("user_mobile", "13812345678"),
            ("vali_date", "20301231"),
        ],
    )
    .await;
    assert_eq!(r["resp_code"], "C00000");
    r["user_cust_id"].as_str().unwrap().to_owned()
}

/// A `merchant_opening` (个体户开户) form with every field the spec requires, valid.
pub(crate) fn merchant_opening_form<'a>(
    order_id: &'a str,
    apply_id: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("mer_cust_id", M),
        ("order_id", order_id),
        ("order_date", DAY),
        ("apply_id", apply_id),
        ("operate_type", "00090000"),
        ("user_name", "某某商店"),
        ("business_code", "310000000000001"),
        ("license_start_date", "20200101"),
        ("license_end_date", "永久"),
        ("solo_business_address", "上海市某某路 1 号"),
        ("solo_reg_address", "上海市某某路 1 号"),
        ("business_scope", "日用百货零售"),
        ("legal_name", "李四"),
        ("legal_cert_type", "01020100"),
        ("legal_cert_id", "11010519491231002X"),
        ("legal_cert_start_date", "20200101"),
        ("legal_cert_end_date", "20400101"),
        ("legal_mobile", "13812345678"),
        ("contact_name", "李四"),
        ("contact_mobile", "13812345678"),
    ]
}

/// A `business_opening` (企业开户) form with every field the spec requires, valid: a
/// three-in-one licence (so `social_credit_code`), the account named as the company.
pub(crate) fn business_opening_form<'a>(
    order_id: &'a str,
    apply_id: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("mer_cust_id", M),
        ("order_id", order_id),
        ("order_date", DAY),
        ("apply_id", apply_id),
        ("operate_type", "00090000"),
        ("corp_license_type", "01030101"),
        ("corp_type", "01030000"),
        ("corp_name", "某某公司"),
        ("social_credit_code", "91310000MA1FL00000"),
        ("license_start_date", "20200101"),
        ("license_end_date", "永久"),
        ("corp_business_address", "上海市某某路 2 号"),
        ("corp_reg_address", "上海市某某路 2 号"),
        ("business_scope", "软件开发"),
        (
            "controlling_shareholder",
            r#"[{"name":"王五","certType":"01020100","certId":"11010519491231002X"}]"#,
        ),
        ("legal_name", "王五"),
        ("legal_cert_type", "01020100"),
        ("legal_cert_id", "11010519491231002X"),
        ("legal_cert_start_date", "20200101"),
        ("legal_cert_end_date", "永久"),
        ("legal_mobile", "13812345678"),
        ("contact_name", "王五"),
        ("contact_mobile", "13812345678"),
        ("bank_acct_name", "某某公司"),
        ("bank_id", "03080000"),
        ("bank_acct_no", "6225880137705555"),
        ("bank_branch", "招商银行上海分行"),
        ("bank_prov", "0031"),
        ("bank_area", "3100"),
    ]
}

pub(crate) async fn balance(base: &str, user: &str) -> String {
    let r = call(
        base,
        "/api/hfpay/v1/merchant/balance_query",
        &[
            ("mer_cust_id", M),
            ("user_cust_id", user),
            ("acct_id", "A0"),
        ],
    )
    .await;
    assert_eq!(r["resp_code"], "C00000", "{r}");
    r["avl_balance"].as_str().unwrap().to_owned()
}

pub(crate) fn decode(body: &str) -> Value {
    let cv = form_map(body)["check_value"].clone();
    serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(cv)
            .unwrap(),
    )
    .unwrap()
}

/// Asserts every field of a snapshot.
fn assert_snapshot(
    s: &OrderSnapshot,
    kind: &str,
    id: &str,
    provider_id: &str,
    fen: i64,
    status: &str,
) {
    assert_eq!(
        (
            s.kind.as_str(),
            s.merchant_id.as_str(),
            s.provider_id.as_str(),
            s.amount,
            s.status.as_str(),
            s.finished
        ),
        (
            kind,
            id,
            provider_id,
            pay_core::Money::from_fen(fen),
            status,
            status != "I"
        )
    );
}

#[tokio::test]
async fn opening_callbacks() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let rx = Receiver::start(&["RECV_ORD_ID_OPEN"]).await;

    // person opening: decided at once, callback at once
    let r = call(
        &base,
        "/api/hfpay/v1/merchant/person_opening",
        &[
            ("mer_cust_id", M),
            ("order_id", "P1"),
            ("order_date", DAY),
            ("user_name", "张三"),
            ("cert_id", "11010519491231002X"),
            ("user_mobile", "13812345678"),
            ("vali_date", "20301231"),
            ("mer_priv", "note"),
            ("bg_ret_url", &rx.url),
        ],
    )
    .await;
    let user = r["user_cust_id"].as_str().unwrap().to_owned();
    assert_eq!(
        r,
        json!({"resp_code": "C00000", "resp_desc": "开户成功", "mer_cust_id": M,
               "order_id": "P1", "order_date": DAY, "mer_priv": "note",
               "user_cust_id": user, "acct_id": format!("A{user}")})
    );
    let got = rx.wait(1).await;
    assert_eq!(got[0].method, "POST");
    let cb = decode(&got[0].body);
    let seq = sb.order(Provider::Huifu, "P1").unwrap().provider_id;
    assert_eq!(
        cb,
        json!({"resp_code": "C00000", "resp_desc": "开户成功", "mer_cust_id": M,
               "mer_priv": "note", "order_id": "P1", "order_date": DAY,
               "platform_seq_id": seq, "user_cust_id": user, "acct_id": format!("A{user}")})
    );
    assert_snapshot(
        &sb.order(Provider::Huifu, "P1").unwrap(),
        "person-opening",
        "P1",
        &seq,
        0,
        "S",
    );
    assert_eq!(balance(&base, &user).await, "10000.00");

    // merchant opening: accepted, audited after one delay, then the callback
    let r = call(
        &base,
        "/api/hfpay/v1/merchant/merchant_opening",
        &[
            merchant_opening_form("MO1", "AP1"),
            vec![("bg_ret_url", rx.url.as_str())],
        ]
        .concat(),
    )
    .await;
    assert_eq!(
        r,
        json!({"resp_code": "C00002", "resp_desc": "受理成功", "mer_cust_id": M,
               "order_id": "MO1", "order_date": DAY, "apply_id": "AP1"})
    );
    let pending = sb.order(Provider::Huifu, "MO1").unwrap();
    assert_eq!(pending.status, "I");
    assert!(!pending.finished);
    let got = rx.wait(2).await;
    let cb = decode(&got[1].body);
    assert_eq!(cb["resp_code"], "C00000");
    assert_eq!(cb["order_id"], "MO1");
    assert_eq!(cb["apply_id"], "AP1");
    assert_eq!(cb["audit_stat"], "Y");
    let merchant = cb["user_cust_id"].as_str().unwrap().to_owned();
    assert_ne!(merchant, user);
    assert_eq!(sb.order(Provider::Huifu, "MO1").unwrap().status, "S");
    assert_eq!(balance(&base, &merchant).await, "10000.00");

    // without bg_ret_url the opening still completes
    let r = call(
        &base,
        "/api/hfpay/v1/merchant/business_opening",
        &business_opening_form("BO1", "AP2"),
    )
    .await;
    assert_eq!(r["resp_code"], "C00002");
    wait_status(&sb, Provider::Huifu, "BO1", "S").await;
    // a remote bg_ret_url is refused before anything happens
    let r = call(
        &base,
        "/api/hfpay/v1/merchant/merchant_opening",
        &[
            merchant_opening_form("MO2", "AP3"),
            vec![("bg_ret_url", "https://shop.example/cb")],
        ]
        .concat(),
    )
    .await;
    assert_eq!(r["resp_code"], "C10001");
    assert_eq!(sb.order(Provider::Huifu, "MO2"), None);
    assert_eq!(rx.received().len(), 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn balance_pay_moves_money_once_and_refunds_are_bounded() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let rx = Receiver::start(&["success"]).await;
    let a = open_user(&base, "U1").await;
    let b = open_user(&base, "U2").await;
    let pay = |order_id: &'static str, amt: &'static str| {
        let (base, a, b, url) = (base.clone(), a.clone(), b.clone(), rx.url.clone());
        async move {
            call(
                &base,
                "/api/hfpay/v1/trade/balance_pay",
                &[
                    ("mer_cust_id", M),
                    ("out_cust_id", &a),
                    ("in_cust_id", &b),
                    ("order_id", order_id),
                    ("order_date", DAY),
                    ("trans_amt", amt),
                    ("bg_ret_url", &url),
                ],
            )
            .await
        }
    };
    let r = pay("BP1", "100.00").await;
    assert_eq!(
        r,
        json!({"resp_code": "C00000", "resp_desc": "交易成功", "mer_cust_id": M,
               "order_id": "BP1", "order_date": DAY, "trans_amt": "100.00", "trans_stat": "S"})
    );
    assert_eq!(balance(&base, &a).await, "9900.00");
    assert_eq!(balance(&base, &b).await, "10100.00");
    let cb = decode(&rx.wait(1).await[0].body);
    assert_eq!(cb["order_id"], "BP1");
    assert_eq!(cb["trans_stat"], "S");
    assert_eq!(cb["trans_amt"], "100.00");
    let seq = sb.order(Provider::Huifu, "BP1").unwrap().provider_id;
    assert_snapshot(
        &sb.order(Provider::Huifu, "BP1").unwrap(),
        "balance-pay",
        "BP1",
        &seq,
        10_000,
        "S",
    );

    // the same order id again: refused, nothing moves
    assert_eq!(pay("BP1", "100.00").await["resp_code"], "C10003");
    // more than the payer has: refused, nothing moves
    assert_eq!(pay("BP2", "9900.01").await["resp_code"], "C10006");
    assert_eq!(pay("BP3", "1.5").await["resp_code"], "C10001");
    assert_eq!(balance(&base, &a).await, "9900.00");
    assert_eq!(balance(&base, &b).await, "10100.00");
    assert_eq!(sb.order(Provider::Huifu, "BP2"), None);

    // refunds: accepted, settled after a delay, bounded by the original in total
    let refund = |order_id: &'static str, org: &'static str, amt: &'static str| {
        let (base, url) = (base.clone(), rx.url.clone());
        async move {
            call(
                &base,
                "/api/hfpay/v1/trade/refund",
                &[
                    ("mer_cust_id", M),
                    ("order_id", order_id),
                    ("order_date", DAY),
                    ("org_order_id", org),
                    ("org_order_date", DAY),
                    ("trans_amt", amt),
                    ("bg_ret_url", &url),
                ],
            )
            .await
        }
    };
    let r = refund("RF1", "BP1", "60.00").await;
    assert_eq!(
        r,
        json!({"resp_code": "C00002", "resp_desc": "退款受理成功", "mer_cust_id": M,
               "order_id": "RF1", "order_date": DAY, "trans_amt": "60.00", "trans_stat": "I"})
    );
    assert_eq!(sb.order(Provider::Huifu, "RF1").unwrap().status, "I");
    // 60 pending + 40.01 > 100
    assert_eq!(refund("RF2", "BP1", "40.01").await["resp_code"], "C10001");
    assert_eq!(sb.order(Provider::Huifu, "RF2"), None);
    wait_status(&sb, Provider::Huifu, "RF1", "S").await;
    let cb = decode(&rx.wait(2).await[1].body);
    assert_eq!(cb["order_id"], "RF1");
    assert_eq!(cb["trans_stat"], "S");
    assert_eq!(cb["trans_amt"], "60.00");
    // the refund took the money back from the payee and gave it to the payer
    assert_eq!(balance(&base, &a).await, "9960.00");
    assert_eq!(balance(&base, &b).await, "10040.00");
    assert_eq!(refund("RF3", "BP1", "40.00").await["resp_code"], "C00002");
    assert_eq!(refund("RF4", "BP1", "0.01").await["resp_code"], "C10001");
    assert_eq!(refund("RF5", "NOPE", "1.00").await["resp_code"], "C10004");
    // a refund is not itself refundable
    wait_status(&sb, Provider::Huifu, "RF3", "S").await;
    assert_eq!(refund("RF6", "RF1", "1.00").await["resp_code"], "C10004");
    // refunded in full: both where they started
    assert_eq!(balance(&base, &a).await, "10000.00");
    assert_eq!(balance(&base, &b).await, "10000.00");
    sb.shutdown().await;
}

#[tokio::test]
async fn app_pay_settles_credits_and_scripted_failure_does_not() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let rx = Receiver::start(&["RECV_ORD_ID_X"]).await;
    let user = open_user(&base, "U1").await;
    let app_pay = |order_id: &'static str, amt: &'static str, pay_type: &'static str| {
        let (base, user, url) = (base.clone(), user.clone(), rx.url.clone());
        async move {
            call(
                &base,
                "/api/hfpay/v1/trade/app_pay",
                &[
                    ("mer_cust_id", M),
                    ("user_cust_id", &user),
                    ("order_id", order_id),
                    ("order_date", DAY),
                    ("trans_amt", amt),
                    ("pay_type", pay_type),
                    ("trans_type", "recharge"),
                    ("app_id", "wx0123456789abcdef"),
                    ("buyer_id", "oBUYER"),
                    ("bg_ret_url", &url),
                ],
            )
            .await
        }
    };
    let r = app_pay("AP1", "25.50", "10").await;
    assert_eq!(
        r,
        json!({"resp_code": "C00001", "resp_desc": "交易处理中", "mer_cust_id": M,
               "user_cust_id": user, "order_id": "AP1", "order_date": DAY,
               "trans_amt": "25.50", "trans_stat": "I",
               "pay_info": format!("{base}/sandbox/cashier/AP1")})
    );
    assert_eq!(sb.order(Provider::Huifu, "AP1").unwrap().status, "I");
    assert_eq!(balance(&base, &user).await, "10000.00");
    wait_status(&sb, Provider::Huifu, "AP1", "S").await;
    assert_eq!(balance(&base, &user).await, "10025.50");
    let cb = decode(&rx.wait(1).await[0].body);
    assert_eq!(cb["resp_code"], "C00000");
    assert_eq!(cb["trans_stat"], "S");
    assert_eq!(cb["trans_amt"], "25.50");

    let r = app_pay("AP2", "1.44", "12").await;
    assert_eq!(r["resp_code"], "C00001");
    wait_status(&sb, Provider::Huifu, "AP2", "F").await;
    let cb = decode(&rx.wait(2).await[1].body);
    assert_eq!(cb["resp_code"], "C10010");
    assert_eq!(cb["resp_desc"], "交易失败");
    assert_eq!(cb["trans_stat"], "F");
    assert_eq!(balance(&base, &user).await, "10025.50");

    assert_eq!(app_pay("AP3", "1.00", "99").await["resp_code"], "C10001");
    assert_eq!(app_pay("AP1", "1.00", "10").await["resp_code"], "C10003");
    assert_eq!(sb.order(Provider::Huifu, "AP3"), None);
    sb.shutdown().await;
}

/// An order of `x.33` yuan is answered without `trans_stat`: `app_pay` and `order_query` say
/// only `C00000`; the order still runs (it succeeds and its callback says `S`).
#[tokio::test]
async fn answers_without_trans_stat_on_request() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let rx = Receiver::start(&["RECV_ORD_ID_X"]).await;
    let user = open_user(&base, "U1").await;
    let r = call(
        &base,
        "/api/hfpay/v1/trade/app_pay",
        &[
            ("mer_cust_id", M),
            ("user_cust_id", &user),
            ("order_id", "BARE1"),
            ("order_date", DAY),
            ("trans_amt", "2.33"),
            ("pay_type", "10"),
            ("trans_type", "recharge"),
            ("app_id", "wx0123456789abcdef"),
            ("bg_ret_url", &rx.url),
        ],
    )
    .await;
    assert_eq!(
        r,
        json!({"resp_code": "C00000", "resp_desc": "成功", "mer_cust_id": M,
               "user_cust_id": user, "order_id": "BARE1", "order_date": DAY,
               "trans_amt": "2.33", "pay_info": format!("{base}/sandbox/cashier/BARE1")})
    );
    wait_status(&sb, Provider::Huifu, "BARE1", "S").await;
    let cb = decode(&rx.wait(1).await[0].body);
    assert_eq!(cb["trans_stat"], "S");
    let q = call(
        &base,
        "/api/hfpay/v1/trade/order_query",
        &[
            ("mer_cust_id", M),
            ("user_cust_id", &user),
            ("order_id", "BARE1"),
            ("order_date", DAY),
            ("trans_type", "01"),
        ],
    )
    .await;
    assert_eq!(q["resp_code"], "C00000");
    assert_eq!(q["trans_amt"], "2.33");
    assert_eq!(q.get("trans_stat"), None, "{q}");
    sb.shutdown().await;
}

#[tokio::test]
async fn the_statement_file_lists_the_money_moving_orders() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let a = open_user(&base, "U1").await;
    let b = open_user(&base, "U2").await;
    let c = open_user(&base, "U3").await;
    let ok = |r: Value| assert_eq!(r["resp_code"], "C00000", "{r}");
    // a guarantee balance pay, confirmed in part, split in part, reversed for the rest
    ok(call(
        &base,
        "/api/hfpay/v1/trade/balance_pay",
        &[
            ("mer_cust_id", M),
            ("out_cust_id", &a),
            ("in_cust_id", &b),
            ("order_id", "G0"),
            ("order_date", DAY),
            ("trans_amt", "50.00"),
            ("trans_type", "1"),
        ],
    )
    .await);
    let release = |op: &'static str, id: &'static str, amt: &'static str| {
        let (base, a, b) = (base.clone(), a.clone(), b.clone());
        async move {
            call(
                &base,
                &format!("/api/hfpay/v1/trade/{op}"),
                &[
                    ("mer_cust_id", M),
                    ("old_order_id", "G0"),
                    ("old_order_date", DAY),
                    ("order_id", id),
                    ("order_date", DAY),
                    ("trans_amt", amt),
                    ("in_cust_id", &b),
                    ("out_cust_id", &a),
                ],
            )
            .await
        }
    };
    ok(release("order_affirm", "G1", "20.00").await);
    let div = format!(r#"[{{"divAmt":"5.00","divAcctId":"A1","divCustId":"{c}"}}]"#);
    ok(call(
        &base,
        "/api/hfpay/v1/trade/fz",
        &[
            ("mer_cust_id", M),
            ("old_order_id", "G0"),
            ("old_order_date", DAY),
            ("order_id", "G2"),
            ("order_date", DAY),
            ("trans_amt", "5.00"),
            ("div_detail", &div),
        ],
    )
    .await);
    ok(release("order_reverse", "G3", "25.00").await);
    // a: -50 +25; b: +20; c: +5; nothing left held
    assert_eq!(balance(&base, &a).await, "9975.00");
    assert_eq!(balance(&base, &b).await, "10020.00");
    assert_eq!(balance(&base, &c).await, "10005.00");
    assert_eq!(balance(&base, M).await, "1000000.00");
    for (id, kind) in [("G1", "affirm"), ("G2", "split"), ("G3", "reverse")] {
        let s = sb.order(Provider::Huifu, id).unwrap();
        assert_eq!((s.kind.as_str(), s.status.as_str()), (kind, "S"));
    }

    // the statement of the day: the money-moving orders, in acceptance order
    let r = call(
        &base,
        "/api/hfpay/v1/merchant/order_download",
        &[
            ("mer_cust_id", M),
            ("order_date", DAY),
            ("trans_type", "01"),
        ],
    )
    .await;
    assert_eq!(r["resp_code"], "C00000");
    let url = r["file_url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("{base}/sandbox/files/{DAY}.txt"));
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let text = resp.text().await.unwrap();
    let seq = |id: &str| sb.order(Provider::Huifu, id).unwrap().provider_id;
    let expected = format!(
        "order_id,order_date,platform_seq_id,trans_type,user_cust_id,trans_amt,trans_stat\n\
         G0,{DAY},{},balance-pay,{a},50.00,S\n\
         G1,{DAY},{},affirm,{a},20.00,S\n\
         G2,{DAY},{},split,{a},5.00,S\n\
         G3,{DAY},{},reverse,{a},25.00,S\n",
        seq("G0"),
        seq("G1"),
        seq("G2"),
        seq("G3")
    );
    assert_eq!(text, expected);
    // another day is empty but for the header; a bad name is not found
    let other = reqwest::get(format!("{base}/sandbox/files/20240103.txt"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        other,
        "order_id,order_date,platform_seq_id,trans_type,user_cust_id,trans_amt,trans_stat\n"
    );
    assert_eq!(
        reqwest::get(format!("{base}/sandbox/files/2024-01-03.txt"))
            .await
            .unwrap()
            .status(),
        404
    );
    sb.shutdown().await;
}

/// The uploads' enumerations as the spec gives them (and the client checks them): a batch
/// payout list (`trans_type` 06) of any content is taken; an unknown `trans_type`, a merchant
/// file that is not 05, or the settlement card (13) on an agent file are `C10001`.
#[tokio::test]
async fn upload_enumerations_are_checked() {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let upload = |op: &'static str, trans_type: &'static str, attach_type: &'static str| {
        let base = base.clone();
        async move {
            call(
                &base,
                &format!("/api/hfpay/v1/merchant/{op}"),
                &[
                    ("mer_cust_id", M),
                    ("attach_no", "AT1"),
                    ("trans_type", trans_type),
                    ("attach_type", attach_type),
                    ("file", "序号,金额\n1,1.00\n"),
                ],
            )
            .await["resp_code"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(upload("upload_agent_file", "06", "99").await, "C00000");
    assert_eq!(upload("upload_merchant_file", "05", "13").await, "C00000");
    assert_eq!(upload("upload_agent_file", "07", "99").await, "C10001");
    assert_eq!(upload("upload_merchant_file", "06", "99").await, "C10001");
    assert_eq!(upload("upload_agent_file", "01", "13").await, "C10001");
    assert_eq!(upload("upload_agent_file", "01", "77").await, "C10001");
}

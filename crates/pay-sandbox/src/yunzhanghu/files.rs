//! The daily files (`order/downloadurl`, `bill/downloadurl`): their URLs and the gz CSV
//! content served under `/sandbox/files/`.

use std::io::Write as _;

use axum::response::{IntoResponse, Response};
use pay_core::{Money, Timestamp};
use serde_json::{Map, Value};

use super::envelope::{ok, reply};
use super::ledger::{Order, State};
use super::request::need;
use crate::common::{Ctx, lock, yuan_trimmed};

pub(super) fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

pub(super) fn file_url(
    ctx: &Ctx,
    data: &Map<String, Value>,
    kind: &str,
    rid: &str,
) -> Result<Response, Response> {
    let field_name = if kind == "order" {
        "order_date"
    } else {
        "bill_date"
    };
    let date = need(data, field_name, rid)?;
    if !is_iso_date(&date) {
        return Err(reply(
            "1002",
            &format!("请求参数格式不正确: {field_name} 格式为 yyyy-MM-dd"),
            rid,
            None,
        ));
    }
    let url = format!("{}/sandbox/files/{kind}/{date}.csv.gz", ctx.base_url);
    let key = format!("{kind}_download_url");
    let mut out = Map::new();
    out.insert(key, url.into());
    Ok(ok(rid, Value::Object(out)))
}

pub(super) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub(super) fn mask_account(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n > 9 {
        let head: String = chars.iter().take(4).collect();
        let tail: String = chars.iter().skip(n - 5).collect();
        format!("{head}*****{tail}")
    } else {
        pay_core::pii::mask_phone(s)
    }
}

pub(super) fn mask_name(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

pub(super) fn mask_broker(s: &str) -> String {
    let n = s.chars().count();
    if n <= 2 {
        return "**".into();
    }
    s.chars().take(n - 2).chain("**".chars()).collect()
}

/// The service fee the files show: 7% of the amount, rounded half up to the fen.
pub(super) fn service_fee(pay: Money) -> Money {
    Money::from_fen((pay.fen().saturating_mul(7) + 50) / 100)
}

pub(super) fn file_status(status: i32, detail: i32) -> &'static str {
    match status {
        1 if detail == 27 => "成功(待领取)",
        1 => "成功",
        2 => "失败",
        9 => "退汇",
        -1 => "删除",
        4 => "挂单",
        0 | 5 | 8 => "打款中",
        _ => "-/-",
    }
}

/// The CSV text of a daily file.
pub(super) fn file_csv(state: &State, kind: &str, date: &str) -> String {
    let mut orders: Vec<&Order> = state.orders.values().collect();
    orders.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then(a.order_id.cmp(&b.order_id))
    });
    let mut out = String::new();
    if kind == "order" {
        out.push_str("商户订单号,订单流水号,商户批次号,姓名,经纪公司ID,订单状态,收款账号,支付渠道,金额,服务费,渠道流水号,短周期授信账单号,服务费账单号,余额账单号,创建时间,完成时间\n");
        for o in orders
            .iter()
            .filter(|o| o.created_at.beijing_date() == date)
        {
            let fee = if o.status == 1 {
                yuan_trimmed(service_fee(o.pay))
            } else {
                "0".into()
            };
            let row = [
                o.order_id.clone(),
                o.reference.clone(),
                String::new(),
                mask_name(&o.real_name),
                mask_broker(&o.broker_id),
                file_status(o.status, o.status_detail).to_owned(),
                mask_account(&o.card_no),
                o.channel.name().to_owned(),
                yuan_trimmed(o.pay),
                fee,
                o.bank_bill.clone(),
                "-/-".into(),
                "-/-".into(),
                "-/-".into(),
                o.created_at.beijing_datetime(),
                o.finished_at
                    .map(Timestamp::beijing_datetime)
                    .unwrap_or_default(),
            ];
            push_row(&mut out, &row);
        }
    } else {
        out.push_str("商户订单号,订单流水号,流水号,流水类型,流水状态,支付渠道,姓名,经纪公司ID,金额,渠道流水号,创建时间,完成时间\n");
        // The payment rows stay as they were when an order is returned; the return adds the
        // 经纪公司退汇 rows (chapter 5 §3: "原打款流水不会改变,会新增对应订单的退汇流水").
        for o in &orders {
            let paid = matches!(o.status, 1 | 9) && !o.bank_bill.is_empty();
            let mut rows = Vec::new();
            if paid && o.finished_at.is_some_and(|t| t.beijing_date() == date) {
                let at = o.finished_at;
                rows.push((
                    "1",
                    "经纪公司打款",
                    o.channel.name(),
                    o.pay,
                    o.bank_bill.as_str(),
                    at,
                ));
                rows.push(("2", "经纪公司打款服务费", "-/-", service_fee(o.pay), "", at));
            }
            if o.status == 9 && o.returned_at.is_some_and(|t| t.beijing_date() == date) {
                let at = o.returned_at;
                rows.push(("3", "经纪公司退汇", o.channel.name(), o.pay, "", at));
                rows.push(("4", "经纪公司退汇手续费", "-/-", service_fee(o.pay), "", at));
            }
            for (suffix, kind, channel, amount, bill, at) in rows {
                let row = [
                    o.order_id.clone(),
                    o.reference.clone(),
                    format!("{}{suffix}", o.reference),
                    kind.to_owned(),
                    "成功".to_owned(),
                    channel.to_owned(),
                    mask_name(&o.real_name),
                    mask_broker(&o.broker_id),
                    yuan_trimmed(amount),
                    bill.to_owned(),
                    o.created_at.beijing_datetime(),
                    at.map(Timestamp::beijing_datetime).unwrap_or_default(),
                ];
                push_row(&mut out, &row);
            }
        }
    }
    out
}

pub(super) fn push_row(out: &mut String, row: &[String]) {
    let line: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
    out.push_str(&line.join(","));
    out.push('\n');
}

pub(super) fn download(ctx: &Ctx, rest: &str) -> Response {
    let Some((kind, file)) = rest.split_once('/') else {
        return (http::StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let Some(date) = file.strip_suffix(".csv.gz") else {
        return (http::StatusCode::NOT_FOUND, "no such file").into_response();
    };
    if !matches!(kind, "order" | "bill") || !is_iso_date(date) {
        return (http::StatusCode::NOT_FOUND, "no such file").into_response();
    }
    let csv = file_csv(&lock(&ctx.yunzhanghu), kind, date);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    if gz.write_all(csv.as_bytes()).is_err() {
        return http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    match gz.finish() {
        Ok(bytes) => (
            http::StatusCode::OK,
            [
                (http::header::CONTENT_TYPE, "application/gzip".to_owned()),
                (
                    http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{kind}_{date}.csv.gz\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_and_masks() {
        assert_eq!(service_fee(Money::from_fen(19500)), Money::from_fen(1365));
        assert_eq!(service_fee(Money::from_fen(1000)), Money::from_fen(70));
        assert_eq!(service_fee(Money::from_fen(7)), Money::from_fen(0));
        assert_eq!(service_fee(Money::from_fen(8)), Money::from_fen(1));
        assert_eq!(mask_account("6228880199872220"), "6228*****72220");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_broker("yiyun73"), "yiyun**");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}

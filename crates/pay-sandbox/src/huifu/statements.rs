//! The statement file: `order_download` and the file it points to.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::ledger::{Order, State};
use super::request::{date8, one_of, reply};
use super::{Fields, OK};
use crate::common::{Ctx, lock};

/// `order_download`: the URL of the statement of `order_date`.
pub(super) fn order_download(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let date = date8(f, "order_date")?;
    one_of(f, "trans_type", &["01"])?;
    Ok(reply(
        OK,
        "成功",
        f,
        json!({"file_url": format!("{}/sandbox/files/{date}.txt", ctx.base_url)}),
    ))
}

/// The kinds of order that move money, as the statement lists them.
pub(super) const TRADE_KINDS: &[&str] = &[
    "quick-pay",
    "app-pay",
    "balance-pay",
    "split",
    "affirm",
    "reverse",
    "refund",
    "withdrawal",
];

/// The header of the statement file (`order_download`'s `file_url`).
pub(crate) const STATEMENT_HEADER: &str =
    "order_id,order_date,platform_seq_id,trans_type,user_cust_id,trans_amt,trans_stat";

/// The statement of `date` (`YYYYMMDD`): every money-moving order whose `order_date` is that
/// day, in the order the sandbox accepted them, as UTF-8 CSV with [`STATEMENT_HEADER`].
pub(super) fn statement_csv(state: &State, date: &str) -> String {
    let mut rows: Vec<(&(String, String), &Order)> = state
        .orders
        .iter()
        .filter(|((_, d), o)| d == date && TRADE_KINDS.contains(&o.kind))
        .collect();
    rows.sort_by(|a, b| (a.1.seq, &a.0.0).cmp(&(b.1.seq, &b.0.0)));
    let mut out = String::from(STATEMENT_HEADER);
    out.push('\n');
    for ((order_id, order_date), o) in rows {
        let cells = [
            order_id.as_str(),
            order_date.as_str(),
            o.platform_seq_id.as_str(),
            o.kind,
            o.user_cust_id.as_str(),
            &o.amount.to_yuan(),
            o.status,
        ]
        .map(csv_cell);
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

pub(super) fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// `GET /sandbox/files/{YYYYMMDD}.txt`: the statement of that day.
pub(super) fn download(ctx: &Ctx, file: &str) -> Response {
    let Some(date) = file
        .strip_suffix(".txt")
        .filter(|d| pay_core::clock::is_compact_date(d))
    else {
        return (http::StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let csv = statement_csv(&lock(&ctx.huifu), date);
    (
        http::StatusCode::OK,
        [
            (
                http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{date}.txt\""),
            ),
        ],
        csv,
    )
        .into_response()
}

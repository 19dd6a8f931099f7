//! The status callback (消息通知) and the order as the query and the callback state it.

use bytes::Bytes;
use pay_core::Timestamp;
use serde_json::{Value, json};

use super::envelope::{encrypt, sign};
use super::ledger::Order;
use crate::common::{Ctx, corrupt};
use crate::credentials::yunzhanghu as cred;
use crate::notify::{Outgoing, ack_success_exact};

pub(super) fn status_message(status: i32) -> &'static str {
    match status {
        -1 => "删除",
        0 => "已受理",
        1 => "已打款",
        2 => "打款失败",
        4 => "待打款(暂停处理)",
        5 => "打款中(状态未知)",
        8 => "待打款",
        9 => "打款失败(已退款,退汇或者冲正)",
        11 => "部分成功",
        15 => "取消支付",
        18 => "无需付款",
        _ => "未知",
    }
}

pub(super) fn detail_message(detail: i32) -> &'static str {
    match detail {
        0 => "成功",
        27 => "微信红包待领取",
        111 => "系统打款成功",
        112 => "经纪公司打款成功",
        211 => "系统打款失败",
        212 => "经纪公司打款失败",
        213 => "系统打款和经纪公司打款都失败",
        _ => "未知",
    }
}

/// The order as the query and the callback report it.
pub(super) fn order_json(o: &Order) -> Value {
    let pay = o.pay.to_yuan();
    json!({
        "order_id": o.order_id,
        "pay": pay,
        "anchor_id": o.anchor_id,
        "broker_amount": pay,
        "broker_id": o.broker_id,
        "card_no": o.card_no,
        "dealer_id": cred::DEALER_ID,
        "id_card": o.id_card,
        "phone_no": o.phone_no,
        "real_name": o.real_name,
        "ref": o.reference,
        "notes": o.notes,
        "status": o.status,
        "status_detail": o.status_detail,
        "status_message": status_message(o.status),
        "status_detail_message": if matches!(o.status, 0 | 8 | 4) { status_message(o.status) } else { detail_message(o.status_detail) },
        "sys_amount": pay,
        "pay_remark": o.pay_remark,
        "tax": "0.00",
        "tax_level": "",
        "sys_wallet_ref": "",
        "sys_bank_bill": o.bank_bill,
        "broker_wallet_ref": "",
        "broker_bank_bill": "",
        "created_at": o.created_at.beijing_datetime(),
        "finished_time": o.finished_at.map(Timestamp::beijing_datetime).unwrap_or_default(),
    })
}

/// Builds the signed, encrypted callback form for `o`.
pub(super) fn callback(ctx: &Ctx, o: &Order, url: &str) -> Outgoing {
    let now = ctx.now();
    let plaintext = json!({
        "notify_id": ctx.next_id("N"),
        "notify_time": now.beijing_datetime(),
        "data": order_json(o),
    })
    .to_string();
    let data = encrypt(&plaintext);
    let mess = format!("m{}", ctx.next_seq());
    let timestamp = now.unix_seconds().to_string();
    let sign = sign(&data, &mess, &timestamp);
    let form = |sign: &str| {
        crate::common::encode_form([
            ("data", data.as_str()),
            ("mess", mess.as_str()),
            ("timestamp", timestamp.as_str()),
            ("sign", sign),
            ("sign_type", "sha256"),
        ])
    };
    Outgoing {
        order_id: o.order_id.clone(),
        kind: "order",
        method: http::Method::POST,
        url: url.to_owned(),
        content_type: Some("application/x-www-form-urlencoded"),
        body: Bytes::from(form(&sign)),
        tampered_url: url.to_owned(),
        tampered_body: Bytes::from(form(&corrupt(&sign))),
        ack: ack_success_exact,
        schedule: ctx.options.schedule_for(ctx.provider),
    }
}

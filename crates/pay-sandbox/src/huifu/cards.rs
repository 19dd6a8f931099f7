//! Bank cards: binding, unbinding and the BIN check (`bank_check`).

use std::sync::Arc;

use axum::response::Response;
use pay_core::Money;
use serde_json::json;

use super::callbacks::callback_later;
use super::ledger::{Card, new_order, user_exists};
use super::request::{err, need, one_of, reply};
use super::rules::{
    self, Format,
    Presence::{Optional, Required},
};
use super::{ERR_CARD, ERR_PARAM, Fields, OK};
use crate::common::{Ctx, lock};

/// `bind_bank_card` (`dc_flag` "0:借记卡(固定)", `card_mobile` a phone number), with its
/// callback.
pub(super) fn bind_bank_card(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let user = user_exists(ctx, f, "user_cust_id")?;
    need(f, "bank_id")?;
    let card_no = need(f, "card_no")?;
    if !(12..=19).contains(&card_no.len()) || !card_no.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(ERR_PARAM, "参数错误: card_no 银行卡号有误", f));
    }
    one_of(f, "dc_flag", &["0"])?;
    rules::check(f, &[("card_mobile", Required, Format::Mobile)])?;
    let key = new_order(ctx, f, "bind-card", &user, Money::ZERO, "S")?;
    let card_id = format!("{}", 100_000 + ctx.next_seq());
    lock(&ctx.huifu)
        .cards
        .insert(card_id.clone(), Card { user_cust_id: user });
    let extra = json!({"card_id": card_id, "bank_id": f.get("bank_id")});
    callback_later(ctx, f, &key, OK, "绑卡成功", extra, 0);
    Ok(reply(OK, "绑卡成功", f, json!({"card_id": card_id})))
}

/// `untie_bank_card`: only the card's own user may unbind it; with its callback.
pub(super) fn untie_bank_card(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let user = user_exists(ctx, f, "user_cust_id")?;
    let card_id = need(f, "card_id")?.to_owned();
    one_of(f, "card_buss_type", &["0", "2"])?;
    rules::check(f, &[("card_mobile", Optional, Format::Mobile)])?;
    let owned = lock(&ctx.huifu)
        .cards
        .get(&card_id)
        .is_some_and(|c| c.user_cust_id == user);
    if !owned {
        return Err(err(ERR_CARD, "银行卡不存在", f));
    }
    let key = new_order(ctx, f, "untie-card", &user, Money::ZERO, "S")?;
    lock(&ctx.huifu).cards.remove(&card_id);
    let extra = json!({"card_id": card_id});
    callback_later(ctx, f, &key, OK, "解绑成功", extra.clone(), 0);
    Ok(reply(OK, "解绑成功", f, extra))
}

pub(super) const BINS: &[(&str, &str, &str, &str)] = &[
    ("622588", "03080000", "招商银行", "D"),
    ("621700", "01050000", "中国建设银行", "D"),
    ("622202", "01020000", "中国工商银行", "D"),
    ("622848", "01030000", "中国农业银行", "D"),
    ("621661", "01040000", "中国银行", "D"),
    ("622575", "03080000", "招商银行", "C"),
];

pub(super) fn bank_check(card: &str) -> Response {
    let empty = Fields::new();
    if !(12..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
        return err(ERR_PARAM, "参数错误: card_id 银行卡号有误", &empty);
    }
    match BINS.iter().find(|(bin, ..)| card.starts_with(bin)) {
        Some((_, bank_id, bank_name, card_type)) => reply(
            OK,
            "成功",
            &empty,
            json!({"card_id": card, "bank_id": bank_id, "bank_name": bank_name, "card_type": card_type}),
        ),
        None => err(ERR_CARD, "无法识别的银行卡 (unknown card BIN)", &empty),
    }
}

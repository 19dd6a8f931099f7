//! Identity checks (`authentication/*`), the Alipay account check (`auth-alipay`) and the ID
//! card image upload (`sign/idcard/image`).

use axum::response::Response;
use serde_json::{Map, Value, json};

use super::envelope::{ok, reply};
use super::ledger::{IdImages, PendingVerification};
use super::request::{check_id_card, need};
use crate::common::{Ctx, lock};
use crate::credentials::yunzhanghu as cred;

pub(super) fn auth_alipay(data: &Map<String, Value>, rid: &str) -> Result<Response, Response> {
    if need(data, "broker_id", rid)? != cred::BROKER_ID {
        return Err(reply("2038", "该商户不属于该经纪公司", rid, None));
    }
    Ok(ok(
        rid,
        json!({"info": "apiname=com.alipay.account.auth&app_name=mc&biz_type=openservice&product_id=APP_FAST_LOGIN&scope=kuaijie&target_id=sandbox&auth_type=AUTHACCOUNT&sign_type=RSA&sign=sandbox"}),
    ))
}

/// The multipart file fields of the ID card upload: front, back.
pub(crate) const ID_CARD_IMAGES: [&str; 2] = ["id_card_image", "id_card_image_background"];

/// `POST /api/payment/v1/sign/idcard/image`: the envelope's fields as text parts (already
/// verified and decrypted) and the two images as file parts. `2038` for another broker, `2001`
/// for a bad `id_card` or a missing or empty image; the answer's `data` is `{}`.
pub(super) fn idcard_image(
    ctx: &Ctx,
    data: &Map<String, Value>,
    files: &[crate::common::Part],
    rid: &str,
) -> Result<Response, Response> {
    if need(data, "dealer_id", rid)? != cred::DEALER_ID {
        return Err(reply(
            "1002",
            "请求参数格式不正确: dealer_id 与 dealer-id 不一致",
            rid,
            None,
        ));
    }
    if need(data, "broker_id", rid)? != cred::BROKER_ID {
        return Err(reply("2038", "该商户不属于该经纪公司", rid, None));
    }
    let real_name = need(data, "real_name", rid)?;
    let id_card = need(data, "id_card", rid)?;
    check_id_card(&id_card, rid)?;
    let mut sizes = [0usize; 2];
    for (size, name) in sizes.iter_mut().zip(ID_CARD_IMAGES) {
        let Some(part) = files.iter().find(|p| p.name == name) else {
            return Err(reply(
                "2001",
                &format!("上传数据有误: 缺少文件 {name}"),
                rid,
                None,
            ));
        };
        if part.data.is_empty() {
            return Err(reply(
                "2001",
                &format!("上传数据有误: 文件 {name} 为空"),
                rid,
                None,
            ));
        }
        *size = part.data.len();
    }
    lock(&ctx.yunzhanghu).id_images.insert(
        id_card,
        IdImages {
            real_name,
            front_len: sizes[0],
            back_len: sizes[1],
        },
    );
    Ok(ok(rid, json!({})))
}

pub(super) fn verify(
    ctx: &Ctx,
    route: &str,
    data: &Map<String, Value>,
    rid: &str,
) -> Result<Response, Response> {
    let fail = || reply("2003", "实名认证失败", rid, None);
    let real_name = need(data, "real_name", rid)?;
    let id_card = need(data, "id_card", rid)?;
    if pay_core::pii::validate_cn_resident_id("id_card", &id_card).is_err() {
        return Err(fail());
    }
    if route == "/authentication/verify-id" {
        return Ok(reply("0000", "操作成功", rid, None));
    }
    let card_no = need(data, "card_no", rid)?;
    if !(12..=19).contains(&card_no.len()) || !card_no.bytes().all(|b| b.is_ascii_digit()) {
        return Err(reply("2006", "银行卡号错误", rid, None));
    }
    if route == "/authentication/verify-bankcard-three-factor" {
        return Ok(reply("0000", "操作成功", rid, None));
    }
    let mobile = need(data, "mobile", rid)?;
    if pay_core::pii::validate_cn_mobile("mobile", &mobile).is_err() {
        return Err(fail());
    }
    let key = [card_no, id_card, real_name, mobile];
    match route {
        "/authentication/verify-bankcard-four-factor" => Ok(reply("0000", "操作成功", rid, None)),
        "/authentication/verify-request" => {
            let reference = format!("rx{}", ctx.next_id(""));
            lock(&ctx.yunzhanghu)
                .verifications
                .insert(reference.clone(), PendingVerification { fields: key });
            Ok(ok(rid, json!({"ref": reference})))
        }
        _ => {
            let reference = need(data, "ref", rid)?;
            let captcha = need(data, "captcha", rid)?;
            let state = lock(&ctx.yunzhanghu);
            let matches = state
                .verifications
                .get(&reference)
                .is_some_and(|p| p.fields == key);
            if matches && captcha == cred::CAPTCHA {
                Ok(reply("0000", "操作成功", rid, None))
            } else {
                Err(fail())
            }
        }
    }
}

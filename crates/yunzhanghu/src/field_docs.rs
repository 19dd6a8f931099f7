//! The request fields several operations share, as [`FieldDoc`]s for their
//! [`Operation::FIELDS`](pay_core::Operation::FIELDS) (the CLI's per-field help). Each
//! operation lists its own fields in its `impl Operation`; these are the entries they share,
//! with the rules [`crate::validate`] and the operations' `validate` enforce.

use pay_core::operation::FieldDoc;

pub(crate) const ORDER_ID: FieldDoc = FieldDoc::required(
    "order_id",
    "string, 1 to 64 characters; unique per merchant, reused (never renewed) to retry",
    "商户订单号,由商户保持唯一性 (the merchant's order id, unique per merchant: the idempotency key)",
);

pub(crate) const BROKER_ID: FieldDoc = FieldDoc::optional(
    "broker_id",
    "string; the configured broker id (CNPAY_YUNZHANGHU_BROKER_ID) when left out",
    "经纪公司 (the broker company's id)",
);

pub(crate) const REAL_NAME: FieldDoc = FieldDoc::required(
    "real_name",
    "string, 1 to 64 characters",
    "姓名 / 银行开户姓名 (the payee's or card holder's name)",
);

pub(crate) const ID_CARD: FieldDoc = FieldDoc::required(
    "id_card",
    "resident ID number: 18 characters (17 digits and a digit or X), valid check digit",
    "身份证号 (the resident ID card number)",
);

pub(crate) const BANK_CARD_NO: FieldDoc = FieldDoc::required(
    "card_no",
    "bank card number: 8 to 32 digits",
    "银行开户卡号 (the bank card number)",
);

pub(crate) const ALIPAY_CARD_NO: FieldDoc = FieldDoc::required(
    "card_no",
    "string, 1 to 100 characters: the Alipay login id (phone or e-mail) or user id",
    "收款人支付宝账户,支持loginID和userID (the payee's Alipay account)",
);

pub(crate) const PHONE_NO: FieldDoc = FieldDoc::optional(
    "phone_no",
    "mainland mobile number, 11 digits",
    "用户或联系人手机号 (the payee's or a contact's phone number)",
);

pub(crate) const OPENID: FieldDoc = FieldDoc::required(
    "openid",
    "string, 1 to 128 characters",
    "商户appid下,某用户的openid (the payee's openid under the merchant's WeChat app id)",
);

pub(crate) const ANCHOR_ID: FieldDoc = FieldDoc::optional(
    "anchor_id",
    "string, at most 64 characters",
    "打款人id (the merchant's own id of the payee)",
);

pub(crate) const NOTES: FieldDoc = FieldDoc::optional(
    "notes",
    "string",
    "备注信息 (notes, not shown to the payee; in a report, e.g. the failure reason)",
);

pub(crate) const PAY_REMARK: FieldDoc = FieldDoc::optional(
    "pay_remark",
    "string of at most 20 characters, a Chinese (non-ASCII) character counting 2; none of '\"&|@%*()-:#¥",
    "打款备注 (the remark shown with the payment)",
);

/// `pay` of a payout, with the channel's ceiling in the format.
pub(crate) const fn pay(format: &'static str) -> FieldDoc {
    FieldDoc::required(
        "pay",
        format,
        "打款金额,单位为元 (the amount, in yuan, as a string)",
    )
}

pub(crate) const CREATED_AT: FieldDoc = FieldDoc::required(
    "created_at",
    "time yyyy-MM-dd HH:mm:ss",
    "打款时间 (when the merchant paid)",
);

pub(crate) const RESULT: FieldDoc = FieldDoc::required(
    "result",
    "\"1\" (success) or \"2\" (failure)",
    "打款结果 (the outcome of the merchant's payout)",
);

pub(crate) const MOBILE: FieldDoc = FieldDoc::required(
    "mobile",
    "mainland mobile number, 11 digits",
    "开户预留手机号 (the phone number the bank has for the card)",
);

//! The notifications of pay and transfer results, parameters in the query string.

use bytes::Bytes;
use sign_md5::ParamSigner;

use super::ledger::{PayOrder, TransOrder};
use super::pay::channel_id;
use super::request::param_string;
use crate::common::{Ctx, corrupt};
use crate::credentials::aggregate as cred;
use crate::notify::{Outgoing, ack_success_any_case};

/// Builds a signed notification whose parameters travel in the query string.
pub(super) fn query_notification(
    order_id: &str,
    kind: &'static str,
    method: http::Method,
    notify_url: &str,
    pairs: Vec<(&'static str, String)>,
    schedule: Vec<std::time::Duration>,
) -> Outgoing {
    let sign =
        ParamSigner::new(cred::RESPONSE_KEY).sign(pairs.iter().map(|(k, v)| (*k, v.as_str())));
    let build = |sign: &str| {
        let query = crate::common::encode_form(
            pairs
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .chain([("sign", sign)]),
        )
        .replace('+', "%20");
        let sep = if notify_url.contains('?') { '&' } else { '?' };
        format!("{notify_url}{sep}{query}")
    };
    Outgoing {
        order_id: order_id.to_owned(),
        kind,
        method,
        url: build(&sign),
        content_type: Some("application/x-www-form-urlencoded"),
        body: Bytes::new(),
        tampered_url: build(&corrupt(&sign)),
        tampered_body: Bytes::new(),
        ack: ack_success_any_case,
        schedule,
    }
}

pub(super) fn pay_notification(ctx: &Ctx, no: &str, o: &PayOrder) -> Outgoing {
    let p = &o.params;
    let product = param_string(p, "productId");
    let pairs = vec![
        ("payOrderId", o.pay_order_id.clone()),
        ("mchId", cred::MCH_ID.to_owned()),
        ("appId", cred::APP_ID.to_owned()),
        ("productId", product.clone()),
        ("mchOrderNo", no.to_owned()),
        ("channelId", channel_id(&product).to_owned()),
        ("amount", o.amount.fen().to_string()),
        ("currency", "cny".to_owned()),
        ("status", o.status.to_string()),
        ("clientIp", param_string(p, "clientIp")),
        ("device", param_string(p, "device")),
        ("subject", param_string(p, "subject")),
        ("channelOrderNo", o.channel_order_no.clone()),
        ("param1", param_string(p, "param1")),
        ("param2", param_string(p, "param2")),
        (
            "paySuccTime",
            o.pay_succ_time.map(|t| t.to_string()).unwrap_or_default(),
        ),
        ("backType", "2".to_owned()),
    ];
    query_notification(
        no,
        "pay",
        http::Method::POST,
        &param_string(p, "notifyUrl"),
        pairs,
        ctx.options.schedule_for(ctx.provider),
    )
}

pub(super) fn trans_notification(ctx: &Ctx, no: &str, o: &TransOrder) -> Outgoing {
    let p = &o.params;
    let pairs = vec![
        ("transOrderId", o.trans_order_id.clone()),
        ("mchId", cred::MCH_ID.to_owned()),
        ("mchOrderNo", no.to_owned()),
        ("channelId", "HP_TRANS".to_owned()),
        ("amount", o.amount.fen().to_string()),
        ("currency", "cny".to_owned()),
        ("status", o.status.to_string()),
        ("result", String::new()),
        ("clientIp", param_string(p, "clientIp")),
        ("device", param_string(p, "device")),
        ("channelOrderNo", o.channel_order_no.clone()),
        ("param1", param_string(p, "param1")),
        ("param2", param_string(p, "param2")),
        (
            "transSuccTime",
            o.trans_succ_time.map(|t| t.to_string()).unwrap_or_default(),
        ),
        ("backType", "2".to_owned()),
    ];
    query_notification(
        no,
        "payout",
        http::Method::GET,
        &param_string(p, "notifyUrl"),
        pairs,
        ctx.options.schedule_for(ctx.provider),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared vector `pay-notify`: the notification query string as the gateway sends it.
    #[test]
    fn notification_signing_matches_the_vector() {
        let pairs: Vec<(&'static str, String)> = vec![
            ("payOrderId", "P01000020181013115051810".into()),
            ("mchId", "20001222".into()),
            ("mchOrderNo", "20160427210604000490".into()),
            ("channelId", "WX_NATIVE".into()),
            ("amount", "100".into()),
            ("currency", "cny".into()),
            ("status", "2".into()),
            ("clientIp", "210.73.10.148".into()),
            ("device", "ios10.3.1".into()),
            ("subject", "测试商品 & 名称".into()),
            (
                "channelOrderNo",
                "wx2016081611532915ae15beab0167893571".into(),
            ),
            ("param1", "".into()),
            ("param2", "".into()),
            ("paySuccTime", "1539402651000".into()),
            ("backType", "2".into()),
        ];
        let n = query_notification(
            "20160427210604000490",
            "pay",
            http::Method::POST,
            "http://127.0.0.1:1/n",
            pairs,
            vec![],
        );
        assert_eq!(
            n.url,
            "http://127.0.0.1:1/n?payOrderId=P01000020181013115051810&mchId=20001222&mchOrderNo=20160427210604000490&channelId=WX_NATIVE&amount=100&currency=cny&status=2&clientIp=210.73.10.148&device=ios10.3.1&subject=%E6%B5%8B%E8%AF%95%E5%95%86%E5%93%81%20%26%20%E5%90%8D%E7%A7%B0&channelOrderNo=wx2016081611532915ae15beab0167893571&param1=&param2=&paySuccTime=1539402651000&backType=2&sign=709AE924B6F605BBF37652F6B7B6869F"
        );
        assert!(
            n.tampered_url
                .ends_with("&sign=709AE924B6F605BBF37652F6B7B6869E")
                || n.tampered_url
                    .ends_with("&sign=709AE924B6F605BBF37652F6B7B68690")
        );
    }
}

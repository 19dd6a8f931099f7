//! One wiremock test per endpoint: the envelope and every `data` field the server receives,
//! and the parsing of a success.

use pay_core::{Money, PaymentAction};
use protocol_pay::*;
use serde_json::json;
use wiremock::Mock;
use wiremock::matchers::{method, path};

use crate::{OUT_REQ_NO, client, ok_response, received};

async fn server_answering(p: &str, data: &str) -> wiremock::MockServer {
    let server = pay_core::test_util::mock_server().await;
    Mock::given(method("POST"))
        .and(path(p))
        .respond_with(ok_response(data))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn create_protocol() {
    let data = include_str!("../fixtures/protocol_data.json");
    let server = server_answering("/api/protocol/create", data).await;
    let req = CreateProtocolRequest::new("购房定金", "B9", CashierType::Qp);
    let p = client(&server.uri()).create_protocol(&req).await.unwrap();
    let (_, sent) = received(&server, "/api/protocol/create").await;
    assert_eq!(
        sent,
        json!({"channelType":"LFT","transDesc":"购房定金","businessId":"B9","cashierType":"QP"})
    );
    assert_eq!(p.trans_no, "T20201010001");
    assert_eq!(p.trans_desc.as_deref(), Some("购房定金"));
    assert_eq!(p.app_id.as_deref(), Some("LFT1001"));
    assert_eq!(p.business_id.as_deref(), Some("B9"));
    assert_eq!(p.business_desc.as_deref(), Some("某房产"));
    assert_eq!(p.channel_type, Some(ChannelType::Lft));
    assert_eq!(p.amount, Some(Money::ZERO));
    assert_eq!(p.onpassage_amount, Some(Money::from_fen(1050)));
    assert_eq!(p.out_amount, Some(Money::from_fen(105)));
    assert_eq!(p.create_time.as_deref(), Some("2020-10-10 12:30:15"));
    assert_eq!(p.cashier_type, Some(CashierType::Qp));
    assert_eq!(p.extra.get("newField"), Some(&json!(7)));
}

#[tokio::test]
async fn create_protocol_without_cashier_type_omits_it() {
    let data = r#"{"transNo":"T1","cashierType":"POS"}"#;
    let server = server_answering("/api/protocol/create", data).await;
    let mut req = CreateProtocolRequest::new("d", "B9", CashierType::Pos);
    req.cashier_type = None;
    let p = client(&server.uri()).create_protocol(&req).await.unwrap();
    let (_, sent) = received(&server, "/api/protocol/create").await;
    assert_eq!(
        sent,
        json!({"channelType":"LFT","transDesc":"d","businessId":"B9"})
    );
    assert_eq!(p.cashier_type, Some(CashierType::Pos));
}

#[tokio::test]
async fn find_protocol() {
    let data = r#"{"transNo":"T1","channelType":"LFT","amount":"1000.50","cashierType":"POS"}"#;
    let server = server_answering("/api/protocol/find", data).await;
    let p = client(&server.uri())
        .find_protocol(&FindProtocolRequest::new("T1"))
        .await
        .unwrap();
    let (_, sent) = received(&server, "/api/protocol/find").await;
    assert_eq!(sent, json!({"transNo":"T1"}));
    assert_eq!(p.trans_no, "T1");
    assert_eq!(p.amount, Some(Money::from_fen(100_050)));
    assert_eq!(p.cashier_type, Some(CashierType::Pos));
}

fn prepay_request() -> PrepayRequest {
    let mut req = PrepayRequest::new(
        "T20201010001",
        OUT_REQ_NO,
        Money::from_fen(100_050),
        "https://merchant.example/lft/paid",
        ProdCatalog::DebitOnly,
    );
    req.out_arrived_notify_url = Some("https://merchant.example/lft/arrived".into());
    req.contract_num = Some("C-1".into());
    req
}

#[tokio::test]
async fn prepay_pos() {
    let data = r#"{"transNo":"T20201010001","appId":"LFT1001","channelType":"LFT","amount":"1000.50","outReqNo":"LFT1001202010100001","posCode":"123456","payOrderNo":"P1","payStatus":"UNPAID","createTime":"2020-10-10 12:30:15"}"#;
    let server = server_answering("/api/protocol/prepay", data).await;
    let order = client(&server.uri())
        .prepay(&prepay_request())
        .await
        .unwrap();
    let (env, sent) = received(&server, "/api/protocol/prepay").await;
    assert_eq!(
        sent,
        json!({
            "transNo": "T20201010001",
            "outReqNo": "LFT1001202010100001",
            "amount": "1000.50",
            "outSuccessNotifyUrl": "https://merchant.example/lft/paid",
            "outArrivedNotifyUrl": "https://merchant.example/lft/arrived",
            "prodCatalog": "01",
            "contractNum": "C-1"
        })
    );
    // The exact text sent, and its sign computed independently (python hashlib).
    assert_eq!(
        env["data"],
        r#"{"transNo":"T20201010001","outReqNo":"LFT1001202010100001","amount":"1000.50","outSuccessNotifyUrl":"https://merchant.example/lft/paid","outArrivedNotifyUrl":"https://merchant.example/lft/arrived","prodCatalog":"01","contractNum":"C-1"}"#
    );
    assert_eq!(env["sign"], PREPAY_SIGN);
    assert_eq!(order.out_req_no, OUT_REQ_NO);
    assert_eq!(order.pay_status, PayStatus::Unpaid);
    assert_eq!(order.amount, Some(Money::from_fen(100_050)));
    assert_eq!(order.pos_code.as_deref(), Some("123456"));
    assert_eq!(order.pay_order_no.as_deref(), Some("P1"));
    assert_eq!(order.trans_no.as_deref(), Some("T20201010001"));
    assert_eq!(order.create_time.as_deref(), Some("2020-10-10 12:30:15"));
    assert_eq!(
        order.action(),
        Some(PaymentAction::Code {
            code: "123456".into()
        })
    );
}

const PREPAY_SIGN: &str = "72c7df12c4bd4a66dc7c9842c1268163";

#[tokio::test]
async fn prepay_quick_pay_with_payer() {
    let data = r#"{"outReqNo":"LFT1001202010100001","payStatus":"PROCESSING","amount":"0.01","cashierUrl":"https://cashier.example/qp/abc","qpUserName":"张三","qpCertNumber":"11010519491231002X"}"#;
    let server = server_answering("/api/protocol/prepay", data).await;
    let mut req = PrepayRequest::new(
        "T1",
        OUT_REQ_NO,
        Money::from_fen(1),
        "https://merchant.example/paid",
        ProdCatalog::DebitAndCredit,
    );
    req.qp_user_name = Some("张三".into());
    req.qp_cert_number = Some("11010519491231002X".into());
    req.return_url = Some("https://merchant.example/done".into());
    let debug = format!("{req:?}");
    assert!(
        !debug.contains("张三") && !debug.contains("11010519491231002X"),
        "{debug}"
    );
    let order = client(&server.uri()).prepay(&req).await.unwrap();
    let (_, sent) = received(&server, "/api/protocol/prepay").await;
    assert_eq!(
        sent,
        json!({
            "transNo": "T1",
            "outReqNo": "LFT1001202010100001",
            "amount": "0.01",
            "outSuccessNotifyUrl": "https://merchant.example/paid",
            "prodCatalog": "02",
            "qpUserName": "张三",
            "qpCertNumber": "11010519491231002X",
            "returnUrl": "https://merchant.example/done"
        })
    );
    assert_eq!(order.pay_status, PayStatus::Processing);
    assert_eq!(
        order.action(),
        Some(PaymentAction::Redirect {
            url: "https://cashier.example/qp/abc".into()
        })
    );
    assert_eq!(
        order.qp_cert_number.as_ref().map(|i| i.expose()),
        Some("11010519491231002X")
    );
    assert!(!format!("{order:?}").contains("11010519491231002X"));
}

#[tokio::test]
async fn pos_close() {
    let server = server_answering("/api/protocol/posclose", r#"{"result":"true"}"#).await;
    let r = client(&server.uri())
        .pos_close(&PosCloseRequest::new(OUT_REQ_NO))
        .await
        .unwrap();
    let (_, sent) = received(&server, "/api/protocol/posclose").await;
    assert_eq!(sent, json!({"outReqNo": OUT_REQ_NO}));
    assert!(r.closed());
    assert_eq!(r.result, "true");
}

#[tokio::test]
async fn pos_close_not_closed_and_object_data() {
    // `data` sent as a JSON object (the spec types it `json` here): signed as its exact text.
    let server = pay_core::test_util::mock_server().await;
    let data = r#"{"result":false}"#;
    let sign = protocol_pay::sign::sign(crate::APP, crate::KEY, data, "t1");
    let body = format!(
        r#"{{"code":"0000","msg":"SUCCESS","data":{data},"appId":"LFT1001","timestamp":"t1","sign":"{sign}"}}"#
    );
    Mock::given(path("/api/protocol/posclose"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_string(body))
        .mount(&server)
        .await;
    let r = client(&server.uri())
        .pos_close(&PosCloseRequest::new(OUT_REQ_NO))
        .await
        .unwrap();
    assert!(!r.closed());
    assert_eq!(r.result, "false");
}

#[tokio::test]
async fn inquery() {
    let data = include_str!("../fixtures/inquery_data.json");
    let server = server_answering("/api/protocol/inquery", data).await;
    let o = client(&server.uri())
        .inquery(&InqueryRequest::new(OUT_REQ_NO))
        .await
        .unwrap();
    let (_, sent) = received(&server, "/api/protocol/inquery").await;
    assert_eq!(sent, json!({"outReqNo": OUT_REQ_NO}));
    assert_eq!(o.pay_status, PayStatus::Success);
    assert_eq!(o.arrived_status, Some(ArrivedStatus::Arrived));
    assert_eq!(o.amount, Some(Money::from_fen(100_050)));
    assert_eq!(o.pay_order_no.as_deref(), Some("P9"));
    assert_eq!(o.pay_finish_time.as_deref(), Some("2020-10-10 12:31:00"));
    assert_eq!(o.pay_arrive_time.as_deref(), Some("2020-10-11 09:00:00"));
    assert_eq!(
        o.card_num.as_ref().map(|c| c.expose()),
        Some("6225880137705555")
    );
    assert_eq!(o.issuing_bank.as_deref(), Some("CMB"));
    assert_eq!(o.issuing_bank_zh.as_deref(), Some("招商银行"));
    assert_eq!(o.channel_return_code.as_deref(), Some("00"));
    assert_eq!(o.channel_return_msg.as_deref(), Some("成功"));
    assert_eq!(o.contract_num.as_deref(), Some("C-1"));
    assert_eq!(o.cashier_type, Some(CashierType::Pos));
    assert!(o.extra.is_empty());
    assert!(!format!("{o:?}").contains("6225880137705555"));
}

fn outpay_request(out_type: OutType) -> OutpayRequest {
    let mut r = OutpayRequest::new(
        out_type,
        "T1",
        "LFT1001202010100002",
        Money::from_fen(50_000),
        "https://merchant.example/out",
        BankAccount::new(
            "李四".into(),
            "6225880137705555".into(),
            "招商银行北京海淀支行",
            "308100005027",
        ),
    );
    r.remark = Some("尾款".into());
    r
}

#[tokio::test]
async fn outpay_refund() {
    let data = include_str!("../fixtures/outpay_data.json");
    let server = server_answering("/api/protocol/outpay", data).await;
    let o = client(&server.uri())
        .outpay(&outpay_request(OutType::Refund))
        .await
        .unwrap();
    let (_, sent) = received(&server, "/api/protocol/outpay").await;
    assert_eq!(
        sent,
        json!({
            "transNo": "T1",
            "outReqNo": "LFT1001202010100002",
            "amount": "500.00",
            "channelType": "LFT",
            "outNotifyUrl": "https://merchant.example/out",
            "bankAccName": "李四",
            "bankAccNum": "6225880137705555",
            "bankName": "招商银行北京海淀支行",
            "bankCnaps": "308100005027",
            "outType": "REFUND",
            "remark": "尾款"
        })
    );
    assert_eq!(o.pay_status, PayStatus::Processing);
    assert_eq!(o.out_type, Some(OutType::Refund));
    assert_eq!(o.amount, Some(Money::from_fen(50_000)));
    assert_eq!(o.channel_subacc_code.as_deref(), Some("S1"));
    assert_eq!(o.channel_subacc_custid.as_deref(), Some("C9"));
    assert_eq!(o.pay_order_no.as_deref(), Some("PO2"));
    assert_eq!(o.bank_cnaps.as_deref(), Some("308100005027"));
    assert_eq!(o.remark.as_deref(), Some("尾款"));
}

#[tokio::test]
async fn outquery() {
    let data = r#"{"outReqNo":"LFT1001202010100002","payStatus":"FAILURE","amount":"500.00","outType":"OUT","payFinishTime":"2020-10-10 13:00:00","channelReturnCode":"E1","channelReturnMsg":"账户名不符"}"#;
    let server = server_answering("/api/protocol/outquery", data).await;
    let o = client(&server.uri())
        .outquery(&OutqueryRequest::new("LFT1001202010100002"))
        .await
        .unwrap();
    let (_, sent) = received(&server, "/api/protocol/outquery").await;
    assert_eq!(sent, json!({"outReqNo": "LFT1001202010100002"}));
    assert_eq!(o.pay_status, PayStatus::Failure);
    assert_eq!(o.out_type, Some(OutType::Out));
    assert_eq!(o.pay_finish_time.as_deref(), Some("2020-10-10 13:00:00"));
    assert_eq!(o.channel_return_msg.as_deref(), Some("账户名不符"));
}

#[tokio::test]
async fn query_bank_cnaps() {
    let data = r#"[{"bankName":"招商银行北京海淀支行","bankCnaps":"308100005027"},{"bankName":"工商银行海淀支行","bankCnaps":"102100000458"}]"#;
    let server = server_answering("/api/protocol/querybankcnaps", data).await;
    let list = client(&server.uri())
        .query_bank_cnaps(&QueryBankCnapsRequest::new("海淀"))
        .await
        .unwrap();
    let (_, sent) = received(&server, "/api/protocol/querybankcnaps").await;
    assert_eq!(sent, json!({"bankNameKeyWord": "海淀"}));
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].bank_name, "招商银行北京海淀支行");
    assert_eq!(list[0].bank_cnaps, "308100005027");
    assert_eq!(list[1].bank_cnaps, "102100000458");
}

#[tokio::test]
async fn base_url_with_prefix_and_generated_out_req_no() {
    let data =
        r#"{"outReqNo":"LFT100120201010123015123id1","payStatus":"UNPAID","posCode":"111111"}"#;
    let server = server_answering("/api/protocol/prepay", data).await;
    let c = crate::client(&format!("{}/api/protocol/", server.uri()));
    let no = c.new_out_req_no();
    assert_eq!(no, "LFT100120201010123015123id1");
    let mut req = prepay_request();
    req.out_req_no = no.clone();
    let order = c.prepay(&req).await.unwrap();
    assert_eq!(order.out_req_no, no);
    let (_, sent) = received(&server, "/api/protocol/prepay").await;
    assert_eq!(sent["outReqNo"], no.as_str());
}

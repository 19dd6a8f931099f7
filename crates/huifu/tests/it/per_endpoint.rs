//! One table of all 25 endpoints, called through their typed methods, run through every
//! scenario the issue asks for:
//!
//! - success with the default Prism request signing (form bodies): method, path, `Accept`,
//!   `Content-Type`, the Prism query (`client_id`, `sign_method`, `sign_time`, `sign` checked
//!   independently), every body field exactly (nothing missing, nothing added), the multipart
//!   parts of the uploads; the typed response compared field by field;
//! - success with the JSON encoding: the exact JSON object (with its value types);
//! - a business error (`resp_code`), the gateway's error envelope (with 200, and with 401 under
//!   Prism auth: not resent);
//! - a 401 under [`OAuthTokenProvider`]: exactly one token refresh and one resend, then success;
//! - an HTTP error, garbage bodies (raw body kept), and a timeout (never resent).
//!
//! Response bodies are the shared fixtures in `tests/fixtures/`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use huifu::codes::{
    AcctType, AttachType, BalanceTransType, BusiType, CardBussType, CardType, CashType, CertType,
    CorpType, DcFlag, DivType, DownloadTransType, FeeObj, FileUploadType, LicenseType, OperateType,
    PayTransType, PayType, QueryTransType, RequestType, RespCode, SourceChannel, TransStat,
    UnsignType, UploadCertType, UploadTransType,
};
use huifu::merchant::{
    AgentMerchantOpeningRequest, BalanceQueryRequest, BindBankCardRequest, BusinessOpeningRequest,
    MerchantOpeningRequest, OrderDownloadRequest, PersonOpeningRequest, SendSmsCodeRequest,
    SubMerchantCreateRequest, UntieBankCardRequest,
};
use huifu::trade::{
    AppPayRequest, BalancePayRequest, FzRequest, GuaranteeRequest, OrderQueryRequest,
    QuickPayRequest, RefundRequest, SendQuickPaySmsCodeRequest, UnsignRequest, WithdrawalRequest,
};
use huifu::upload::{UploadCardRequest, UploadFileRequest};
use huifu::{
    BodyEncoding, Client, DateOrPermanent, DivDetail, Extension, FileSource, HfResponse,
    OAuthTokenProvider, Stockholder,
};
use pay_core::test_util::{RecordingTransport, form_pairs, mock_server};
use pay_core::transport::TransportError;
use pay_core::{Error, Money, ProviderErrorKind};
use serde_json::{Value, json};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

// ---- fixtures ----

const SUCCESS: &str = include_str!("../fixtures/success.json");
const PROCESSING: &str = include_str!("../fixtures/processing.json");
const BUSINESS_ERROR: &str = include_str!("../fixtures/business_error.json");
const GATEWAY_ERROR: &str = include_str!("../fixtures/gateway_error.json");
const UNAUTHORIZED: &str = include_str!("../fixtures/unauthorized.json");
const TOKEN_REFRESHED: &str = include_str!("../fixtures/token_refreshed.json");
const TRUNCATED: &str = include_str!("../fixtures/truncated.json");

/// `success.json`, typed.
fn expected_success() -> HfResponse {
    let mut r = HfResponse::default();
    r.resp_code = Some(RespCode::Success);
    r.resp_desc = Some("交易成功".into());
    r.mer_cust_id = Some(MER.into());
    r.user_cust_id = Some(USER.into());
    r.order_id = Some("20240101000001".into());
    r.order_date = Some("20240101".into());
    r.trans_amt = Some(Money::from_fen(123_456));
    r.trans_stat = Some(TransStat::Succeeded);
    r.mer_priv = Some("echo-priv".into());
    r.acct_balance = Some(Money::from_fen(8_800));
    r.extra = json!({
        "platform_seq_id": "HF2024010100000001",
        "nested": {"a": [1, 2]}
    })
    .as_object()
    .unwrap()
    .clone()
    .into();
    r
}

/// `processing.json`, typed.
fn expected_processing() -> HfResponse {
    let mut r = HfResponse::default();
    r.resp_code = Some(RespCode::Processing);
    r.resp_desc = Some("处理中".into());
    r.order_id = Some("20240101000002".into());
    r.trans_amt = Some(Money::from_fen(5));
    r.trans_stat = Some(TransStat::Processing);
    r.extra = json!({"platform_seq_id": "HF2024010100000002"})
        .as_object()
        .unwrap()
        .clone()
        .into();
    r
}

// ---- sample data ----

const USER: &str = "6666000000000002";
const IN: &str = "6666000000000003";
const URL: &str = "https://shop.example/huifu/cb";
const RET: &str = "https://shop.example/return";
const ID: &str = "11010519491231002X";
const CARD: &str = "6225880137705555";
const MOBILE: &str = "13812345678";
const MOBILE2: &str = "13912345678";
const SH: &str = r#"[{"name":"关羽","certType":"01020100","certId":"11010519491231002X"}]"#;
const DIV: &str = r#"[{"divAmt":"0.05","divAcctId":"216548","divCustId":"6666000000118348"},{"divAmt":"1.20","divAcctId":"216549","divCustId":"6666000000118349"}]"#;
/// A value with every character form encoding and the Prism sign must escape.
const PRIV_ODD: &str = "a+b=c&d%20e 中文/?#~'\"";
const EXT: &str = r#"{"eacloud":"proxy"}"#;
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF-front";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-back";
const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 doc";

fn stockholders() -> Vec<Stockholder> {
    vec![Stockholder {
        name: "关羽".into(),
        cert_type: CertType::IdCard,
        cert_id: ID.into(),
    }]
}

fn divs() -> Vec<DivDetail> {
    vec![
        DivDetail {
            div_amt: Money::from_fen(5),
            div_acct_id: "216548".into(),
            div_cust_id: "6666000000118348".into(),
        },
        DivDetail {
            div_amt: Money::from_fen(120),
            div_acct_id: "216549".into(),
            div_cust_id: "6666000000118349".into(),
        },
    ]
}

// ---- the table ----

type Fut<'a> = Pin<Box<dyn Future<Output = Result<HfResponse, Error>> + 'a>>;
type CallFn = for<'a> fn(&'a Client) -> Fut<'a>;

/// A typed call, as a plain function of the client.
macro_rules! call {
    (|$c:ident| $body:expr) => {{
        fn f($c: &Client) -> Fut<'_> {
            Box::pin(async move { $body })
        }
        f as CallFn
    }};
}

/// What a call is, for the mapping of a lost answer.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Read-only: a transport failure may be retried; errors carry no order id.
    Query,
    /// State-changing: errors carry this order id; a lost answer is `UnknownOutcome`.
    Mutation(Option<&'static str>),
}

impl Kind {
    fn order_id(self) -> Option<&'static str> {
        match self {
            Kind::Query => None,
            Kind::Mutation(o) => o,
        }
    }
}

/// One expected file part.
#[derive(Debug, Clone)]
struct FileExp {
    field: &'static str,
    file_name: &'static str,
    content_type: &'static str,
    data: &'static [u8],
}

/// What the gateway must receive.
#[derive(Debug, Clone)]
enum Sent {
    /// A GET without a body.
    Nothing,
    /// Named parameters (besides `mer_cust_id`): form fields, or one JSON object whose values
    /// keep these JSON types.
    Params(Value),
    /// Multipart: the text fields (besides `mer_cust_id`), then the files in this order.
    Multipart { fields: Value, files: Vec<FileExp> },
}

struct Endpoint {
    op: &'static str,
    method: &'static str,
    path: &'static str,
    kind: Kind,
    sent: Sent,
    call: CallFn,
}

fn endpoints() -> Vec<Endpoint> {
    vec![
        // ---------------- merchant ----------------
        Endpoint {
            op: "agent-merchant-opening",
            method: "POST",
            path: "/api/hfpay/v1/merchant/agent_merchant_opening",
            kind: Kind::Mutation(None),
            sent: Sent::Params(json!({
                "mer_name": "上海某某信息技术有限公司", "mer_short_name": "某某", "mer_en_name": "MM",
                "reg_fund": "1000000.00", "paid_in_fund": "500000.50",
                "mer_website": "https://m.example", "per_icp_code": "沪ICP备10000001号",
                "est_date": "20100101", "mer_prov": "0031", "mer_area": "3100",
                "mer_addr": "上海市浦东新区1号", "mer_reg_addr": "上海市浦东新区2号",
                "license_type": "01030100", "business_code": "310000000000001",
                "institution_code": "12345678-9", "tax_code": "310000123456789",
                "social_credit_code": "91310000MA1FL0000X", "license_start_date": "20100102",
                "license_end_date": "永久", "business_scope": "软件开发", "stockholders": SH,
                "legal_name": "张三", "legal_cert_type": "01020100", "legal_cert_id": ID,
                "legal_id_start_date": "20150101", "legal_id_end_date": "20350101",
                "legal_mobile": MOBILE, "contact_name": "李四", "contact_mobile": MOBILE2,
                "contact_email": "contact@m.example", "bank_id": "01030000",
                "bank_acct_no": CARD, "bank_branch": "浦东支行", "bank_prov": "0031",
                "bank_area": "3101", "attach_nos": "AT1,AT2", "card_type": "1",
                "bg_ret_url": URL, "mer_priv": "priv-agent", "extension": EXT
            })),
            call: call!(|c| c
                .agent_merchant_opening(&AgentMerchantOpeningRequest {
                    mer_name: "上海某某信息技术有限公司".into(),
                    mer_short_name: "某某".into(),
                    mer_en_name: Some("MM".into()),
                    reg_fund: Money::from_fen(100_000_000),
                    paid_in_fund: Some(Money::from_fen(50_000_050)),
                    mer_website: Some("https://m.example".into()),
                    per_icp_code: Some("沪ICP备10000001号".into()),
                    est_date: "20100101".into(),
                    mer_prov: "0031".into(),
                    mer_area: "3100".into(),
                    mer_addr: "上海市浦东新区1号".into(),
                    mer_reg_addr: "上海市浦东新区2号".into(),
                    license_type: LicenseType::Ordinary,
                    business_code: Some("310000000000001".into()),
                    institution_code: Some("12345678-9".into()),
                    tax_code: Some("310000123456789".into()),
                    social_credit_code: Some("91310000MA1FL0000X".into()),
                    license_start_date: "20100102".into(),
                    license_end_date: DateOrPermanent::Permanent,
                    business_scope: "软件开发".into(),
                    stockholders: stockholders(),
                    legal_name: "张三".into(),
                    legal_cert_type: CertType::IdCard,
                    legal_cert_id: ID.into(),
                    legal_id_start_date: "20150101".into(),
                    legal_id_end_date: DateOrPermanent::date("20350101"),
                    legal_mobile: MOBILE.into(),
                    contact_name: "李四".into(),
                    contact_mobile: MOBILE2.into(),
                    contact_email: Some("contact@m.example".into()),
                    bank_id: "01030000".into(),
                    bank_acct_no: CARD.into(),
                    bank_branch: "浦东支行".into(),
                    bank_prov: "0031".into(),
                    bank_area: "3101".into(),
                    attach_nos: Some("AT1,AT2".into()),
                    card_type: CardType::Public,
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-agent".into()),
                    extension: Some(Extension::eacloud_proxy()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "merchant-opening",
            method: "POST",
            path: "/api/hfpay/v1/merchant/merchant_opening",
            kind: Kind::Mutation(Some("M20240101")),
            sent: Sent::Params(json!({
                "order_id": "M20240101", "order_date": "20240101", "apply_id": "APPLY-2",
                "operate_type": "00090001", "user_name": "某某小店",
                "business_code": "310000000000002", "license_start_date": "20100101",
                "license_end_date": "20300101", "solo_business_address": "上海经营地址",
                "solo_reg_address": "上海注册地址", "solo_fixed_telephone": "021-12345678",
                "business_scope": "零售", "legal_name": "张三", "legal_cert_type": "01020100",
                "legal_cert_id": ID, "legal_cert_start_date": "20100101",
                "legal_cert_end_date": "永久", "legal_mobile": MOBILE, "contact_name": "李四",
                "contact_mobile": MOBILE2, "contact_email": "shop@m.example",
                "occupation": "01", "address": "上海住址", "attach_nos": "X1",
                "bg_ret_url": URL, "mer_priv": "priv-m"
            })),
            call: call!(|c| c
                .merchant_opening(&MerchantOpeningRequest {
                    order_id: "M20240101".into(),
                    order_date: "20240101".into(),
                    apply_id: "APPLY-2".into(),
                    operate_type: OperateType::Modify,
                    user_name: "某某小店".into(),
                    business_code: "310000000000002".into(),
                    license_start_date: "20100101".into(),
                    license_end_date: DateOrPermanent::date("20300101"),
                    solo_business_address: "上海经营地址".into(),
                    solo_reg_address: "上海注册地址".into(),
                    solo_fixed_telephone: Some("021-12345678".into()),
                    business_scope: "零售".into(),
                    legal_name: "张三".into(),
                    legal_cert_type: CertType::IdCard,
                    legal_cert_id: ID.into(),
                    legal_cert_start_date: "20100101".into(),
                    legal_cert_end_date: DateOrPermanent::Permanent,
                    legal_mobile: MOBILE.into(),
                    contact_name: "李四".into(),
                    contact_mobile: MOBILE2.into(),
                    contact_email: Some("shop@m.example".into()),
                    occupation: Some("01".into()),
                    address: Some("上海住址".into()),
                    attach_nos: Some("X1".into()),
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-m".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "person-opening",
            method: "POST",
            path: "/api/hfpay/v1/merchant/person_opening",
            kind: Kind::Mutation(Some("U20240101")),
            sent: Sent::Params(json!({
                "order_id": "U20240101", "order_date": "20240101", "user_name": "张三",
                "cert_id": ID, "user_mobile": MOBILE, "vali_date": "20290420",
                "cust_prov": "0031", "cust_area": "3100", "cust_address": "上海市某路1号",
                "occupation": "02", "user_email": "u@m.example", "bg_ret_url": URL,
                "mer_priv": "priv-u"
            })),
            call: call!(|c| c
                .person_opening(&PersonOpeningRequest {
                    order_id: "U20240101".into(),
                    order_date: "20240101".into(),
                    user_name: "张三".into(),
                    cert_id: ID.into(),
                    user_mobile: MOBILE.into(),
                    vali_date: "20290420".into(),
                    cust_prov: Some("0031".into()),
                    cust_area: Some("3100".into()),
                    cust_address: Some("上海市某路1号".into()),
                    occupation: Some("02".into()),
                    user_email: Some("u@m.example".into()),
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-u".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "business-opening",
            method: "POST",
            path: "/api/hfpay/v1/merchant/business_opening",
            kind: Kind::Mutation(Some("E20240101")),
            sent: Sent::Params(json!({
                "order_id": "E20240101", "order_date": "20240101", "apply_id": "APPLY-1",
                "operate_type": "00090000", "corp_license_type": "01030101",
                "corp_type": "01030000", "corp_name": "某某公司",
                "business_code": "310000000000001", "institution_code": "12345678-9",
                "tax_code": "310000123456789", "social_credit_code": "91310000MA1FL0000X",
                "license_start_date": "20100101", "license_end_date": "永久",
                "corp_business_address": "上海经营", "corp_reg_address": "上海注册",
                "corp_fixed_telephone": "021-1234567", "business_scope": "软件",
                "controlling_shareholder": SH, "legal_name": "张三",
                "legal_cert_type": "01020101", "legal_cert_id": "E12345678",
                "legal_cert_start_date": "20100101", "legal_cert_end_date": "20300101",
                "legal_mobile": MOBILE, "contact_name": "李四", "contact_mobile": MOBILE2,
                "contact_email": "corp@m.example", "bank_acct_name": "某某公司",
                "bank_id": "01030000", "bank_acct_no": CARD, "bank_branch": "浦东支行",
                "bank_prov": "0031", "bank_area": "3100", "industry": "IT", "ret_url": RET,
                "bg_ret_url": URL, "mer_priv": "priv-e"
            })),
            call: call!(|c| c
                .business_opening(&BusinessOpeningRequest {
                    order_id: "E20240101".into(),
                    order_date: "20240101".into(),
                    apply_id: "APPLY-1".into(),
                    operate_type: OperateType::Create,
                    corp_license_type: LicenseType::ThreeInOne,
                    corp_type: CorpType::Company,
                    corp_name: "某某公司".into(),
                    business_code: Some("310000000000001".into()),
                    institution_code: Some("12345678-9".into()),
                    tax_code: Some("310000123456789".into()),
                    social_credit_code: Some("91310000MA1FL0000X".into()),
                    license_start_date: "20100101".into(),
                    license_end_date: DateOrPermanent::Permanent,
                    corp_business_address: "上海经营".into(),
                    corp_reg_address: "上海注册".into(),
                    corp_fixed_telephone: Some("021-1234567".into()),
                    business_scope: "软件".into(),
                    controlling_shareholder: stockholders(),
                    legal_name: "张三".into(),
                    legal_cert_type: CertType::Passport,
                    legal_cert_id: "E12345678".into(),
                    legal_cert_start_date: "20100101".into(),
                    legal_cert_end_date: DateOrPermanent::date("20300101"),
                    legal_mobile: MOBILE.into(),
                    contact_name: "李四".into(),
                    contact_mobile: MOBILE2.into(),
                    contact_email: Some("corp@m.example".into()),
                    bank_acct_name: "某某公司".into(),
                    bank_id: "01030000".into(),
                    bank_acct_no: CARD.into(),
                    bank_branch: "浦东支行".into(),
                    bank_prov: "0031".into(),
                    bank_area: "3100".into(),
                    industry: Some("IT".into()),
                    ret_url: Some(RET.into()),
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-e".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "sub-merchant-create",
            method: "POST",
            path: "/api/hfpay/v1/merchant/sub_merchant_create",
            kind: Kind::Mutation(Some("SM20240101")),
            sent: Sent::Params(json!({
                "user_cust_id": USER, "order_id": "SM20240101", "order_date": "20240101",
                "acct_type": "200", "sms_code": "654321", "ret_url": RET, "bg_ret_url": URL,
                "mer_priv": "priv-sm"
            })),
            call: call!(|c| c
                .sub_merchant_create(&SubMerchantCreateRequest {
                    user_cust_id: USER.into(),
                    order_id: "SM20240101".into(),
                    order_date: "20240101".into(),
                    acct_type: AcctType::NonPayment,
                    sms_code: Some("654321".into()),
                    ret_url: Some(RET.into()),
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-sm".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "balance-query",
            method: "POST",
            path: "/api/hfpay/v1/merchant/balance_query",
            kind: Kind::Query,
            sent: Sent::Params(json!({"user_cust_id": MER, "acct_id": "216548"})),
            call: call!(|c| c
                .balance_query(&BalanceQueryRequest {
                    user_cust_id: MER.into(),
                    acct_id: Some("216548".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "bind-bank-card",
            method: "POST",
            path: "/api/hfpay/v1/merchant/bind_bank_card",
            kind: Kind::Mutation(Some("C20240101")),
            sent: Sent::Params(json!({
                "user_cust_id": USER, "order_id": "C20240101", "order_date": "20240101",
                "bank_id": "01030000", "card_no": CARD, "dc_flag": "0", "card_prov": "0031",
                "card_area": "3100", "card_mobile": MOBILE, "bg_ret_url": URL,
                "mer_priv": "priv-c"
            })),
            call: call!(|c| c
                .bind_bank_card(&BindBankCardRequest {
                    user_cust_id: USER.into(),
                    order_id: "C20240101".into(),
                    order_date: "20240101".into(),
                    bank_id: "01030000".into(),
                    card_no: CARD.into(),
                    dc_flag: DcFlag::Debit,
                    card_prov: "0031".into(),
                    card_area: "3100".into(),
                    card_mobile: MOBILE.into(),
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-c".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "untie-bank-card",
            method: "POST",
            path: "/api/hfpay/v1/merchant/untie_bank_card",
            kind: Kind::Mutation(Some("UT20240101")),
            sent: Sent::Params(json!({
                "user_cust_id": USER, "order_id": "UT20240101", "order_date": "20240101",
                "bank_id": "01030000", "card_id": "BC0001", "card_mobile": MOBILE,
                "card_buss_type": "0", "bg_ret_url": URL, "mer_priv": "priv-ut"
            })),
            call: call!(|c| c
                .untie_bank_card(&UntieBankCardRequest {
                    user_cust_id: USER.into(),
                    order_id: "UT20240101".into(),
                    order_date: "20240101".into(),
                    bank_id: "01030000".into(),
                    card_id: "BC0001".into(),
                    card_mobile: MOBILE.into(),
                    card_buss_type: CardBussType::Withdrawal,
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-ut".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "send-sms-code",
            method: "POST",
            path: "/api/hfpay/v1/merchant/send_sms_code",
            kind: Kind::Mutation(Some("S20240101")),
            sent: Sent::Params(json!({
                "user_cust_id": USER, "order_id": "S20240101", "order_date": "20240101",
                "user_mobile": MOBILE, "busi_type": "U06", "mer_priv": "priv-s"
            })),
            call: call!(|c| c
                .send_sms_code(&SendSmsCodeRequest {
                    user_cust_id: USER.into(),
                    order_id: "S20240101".into(),
                    order_date: "20240101".into(),
                    user_mobile: MOBILE.into(),
                    busi_type: BusiType::SubAccount,
                    mer_priv: Some("priv-s".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "order-download",
            method: "POST",
            path: "/api/hfpay/v1/merchant/order_download",
            kind: Kind::Query,
            sent: Sent::Params(json!({"order_date": "20231231", "trans_type": "01"})),
            call: call!(|c| c
                .order_download(&OrderDownloadRequest {
                    order_date: "20231231".into(),
                    trans_type: DownloadTransType::Trade,
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "upload-agent-file",
            method: "POST",
            path: "/api/hfpay/v1/merchant/upload_agent_file",
            kind: Kind::Mutation(Some("AT20240101")),
            sent: Sent::Multipart {
                fields: json!({
                    "attach_no": "AT20240101", "trans_type": "03", "attach_type": "05",
                    "attach_desc": "统一社会信用代码证", "file_upload_type": "01"
                }),
                files: vec![FileExp {
                    field: "file",
                    file_name: "%E8%90%A5%E4%B8%9A%20%E6%89%A7%E7%85%A7.pdf",
                    content_type: "application/pdf",
                    data: PDF,
                }],
            },
            call: call!(|c| c
                .upload_agent_file(
                    &UploadFileRequest {
                        attach_no: "AT20240101".into(),
                        trans_type: UploadTransType::Business,
                        attach_type: AttachType::SocialCredit,
                        attach_desc: Some("统一社会信用代码证".into()),
                        file_upload_type: Some(FileUploadType::Create),
                        extra: Default::default(),
                    },
                    FileSource::bytes("营业 执照.pdf", PDF),
                )
                .await),
        },
        Endpoint {
            op: "upload-merchant-file",
            method: "POST",
            path: "/api/hfpay/v1/merchant/upload_merchant_file",
            kind: Kind::Mutation(Some("AT20240102")),
            sent: Sent::Multipart {
                fields: json!({
                    "attach_no": "AT20240102", "trans_type": "05", "attach_type": "13",
                    "attach_desc": "结算卡正面", "file_upload_type": "01"
                }),
                files: vec![FileExp {
                    field: "file",
                    file_name: "card-front.png",
                    content_type: "image/png",
                    data: PNG,
                }],
            },
            call: call!(|c| c
                .upload_merchant_file(
                    &UploadFileRequest {
                        attach_no: "AT20240102".into(),
                        trans_type: UploadTransType::Individual,
                        attach_type: AttachType::CardFront,
                        attach_desc: Some("结算卡正面".into()),
                        file_upload_type: Some(FileUploadType::Create),
                        extra: Default::default(),
                    },
                    FileSource::reader("card-front.png", std::io::Cursor::new(PNG.to_vec())),
                )
                .await),
        },
        Endpoint {
            op: "upload-card",
            method: "POST",
            path: "/api/hfpay/v1/merchant/upload_card",
            kind: Kind::Mutation(Some("UC20240101")),
            sent: Sent::Multipart {
                fields: json!({
                    "user_cust_id": USER, "order_id": "UC20240101", "order_date": "20240101",
                    "cert_id": ID, "cert_name": "张三", "cert_type": "00",
                    "source_channel": "2", "bg_ret_url": URL
                }),
                files: vec![
                    FileExp {
                        field: "file1",
                        file_name: "%E6%AD%A3%E9%9D%A2.jpg",
                        content_type: "image/jpeg",
                        data: JPEG,
                    },
                    FileExp {
                        field: "file2",
                        file_name: "back.png",
                        content_type: "image/png",
                        data: PNG,
                    },
                ],
            },
            call: call!(|c| c
                .upload_card(
                    &UploadCardRequest {
                        user_cust_id: USER.into(),
                        order_id: "UC20240101".into(),
                        order_date: "20240101".into(),
                        cert_id: ID.into(),
                        cert_name: "张三".into(),
                        cert_type: UploadCertType::IdCard,
                        source_channel: SourceChannel::Ios,
                        bg_ret_url: URL.into(),
                        extra: Default::default(),
                    },
                    FileSource::bytes("正面.jpg", JPEG),
                    FileSource::bytes("back.png", PNG),
                )
                .await),
        },
        Endpoint {
            op: "bank-check-card",
            method: "GET",
            path: "/api/hfpay/app/bank_check/card/6225%208801%2F37705555",
            kind: Kind::Query,
            sent: Sent::Nothing,
            call: call!(|c| c.bank_check_card(&"6225 8801/37705555".into()).await),
        },
        // ---------------- trade ----------------
        Endpoint {
            op: "app-pay",
            method: "POST",
            path: "/api/hfpay/v1/trade/app_pay",
            kind: Kind::Mutation(Some("P20240101")),
            sent: Sent::Params(json!({
                "user_cust_id": USER, "order_date": "20240101", "order_id": "P20240101",
                "pay_type": "10", "trans_amt": "1234.56", "in_cust_id": IN,
                "div_detail": DIV, "trans_type": "guarantee", "is_raw": "1",
                "app_id": "wx1234567890", "buyer_id": "o-buyer", "goods_desc": "测试商品",
                "goods_type": "1", "attach_info": "attach", "good_tag": "tag",
                "ret_url": RET, "bg_ret_url": URL, "mer_priv": "priv-p", "dev_info": "dev",
                "div_type": "01"
            })),
            call: call!(|c| c
                .app_pay(&AppPayRequest {
                    user_cust_id: USER.into(),
                    order_date: "20240101".into(),
                    order_id: "P20240101".into(),
                    pay_type: PayType::WechatApp,
                    trans_amt: Money::from_fen(123_456),
                    in_cust_id: Some(IN.into()),
                    div_detail: Some(divs()),
                    trans_type: Some(PayTransType::Guarantee),
                    is_raw: Some("1".into()),
                    app_id: Some("wx1234567890".into()),
                    buyer_id: Some("o-buyer".into()),
                    goods_desc: "测试商品".into(),
                    goods_type: Some("1".into()),
                    attach_info: Some("attach".into()),
                    good_tag: Some("tag".into()),
                    ret_url: Some(RET.into()),
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-p".into()),
                    dev_info: Some("dev".into()),
                    div_type: Some(DivType::Delayed),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "balance-pay",
            method: "POST",
            path: "/api/hfpay/v1/trade/balance_pay",
            kind: Kind::Mutation(Some("B20240101")),
            sent: Sent::Params(json!({
                "in_cust_id": IN, "out_cust_id": USER, "trans_amt": "0.01",
                "order_id": "B20240101", "order_date": "20240101", "sms_code": "123456",
                "trans_type": "1", "ret_url": RET, "bg_ret_url": URL, "mer_priv": "priv-b"
            })),
            call: call!(|c| c
                .balance_pay(&BalancePayRequest {
                    in_cust_id: IN.into(),
                    out_cust_id: USER.into(),
                    trans_amt: Money::from_fen(1),
                    order_id: "B20240101".into(),
                    order_date: "20240101".into(),
                    sms_code: Some("123456".into()),
                    trans_type: Some(BalanceTransType::Guarantee),
                    ret_url: Some(RET.into()),
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-b".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "quick-pay",
            method: "POST",
            path: "/api/hfpay/v1/trade/quick_pay",
            kind: Kind::Mutation(Some("Q20240102")),
            sent: Sent::Params(json!({
                "user_cust_id": USER, "order_id": "Q20240102", "order_date": "20240102",
                "ori_order_id": "Q20240101", "ori_order_date": "20240101",
                "sms_code": "123456", "ret_url": RET, "request_type": "00",
                "bg_ret_url": URL, "mer_priv": "priv-q", "secondary_mer_id": "SEC1"
            })),
            call: call!(|c| c
                .quick_pay(&QuickPayRequest {
                    user_cust_id: USER.into(),
                    order_id: "Q20240102".into(),
                    order_date: "20240102".into(),
                    ori_order_id: "Q20240101".into(),
                    ori_order_date: "20240101".into(),
                    sms_code: "123456".into(),
                    ret_url: Some(RET.into()),
                    request_type: Some(RequestType::Pc),
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-q".into()),
                    secondary_mer_id: Some("SEC1".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "send-quick-pay-sms-code",
            method: "POST",
            path: "/api/hfpay/v1/trade/send_quick_pay_sms_code",
            kind: Kind::Mutation(Some("Q20240101")),
            sent: Sent::Params(json!({
                "user_cust_id": USER, "order_id": "Q20240101", "order_date": "20240101",
                "trans_amt": "9.99", "card_no": CARD, "card_mobile": MOBILE,
                "card_prov": "0031", "card_area": "3100", "in_cust_id": IN,
                "div_detail": DIV, "trans_type": "other", "bg_ret_url": URL,
                "mer_priv": "priv-qs", "payer_term_type": "01", "payer_term_no": "T0001",
                "goods_short_name": "商品"
            })),
            call: call!(|c| c
                .send_quick_pay_sms_code(&SendQuickPaySmsCodeRequest {
                    user_cust_id: USER.into(),
                    order_id: "Q20240101".into(),
                    order_date: "20240101".into(),
                    trans_amt: Money::from_fen(999),
                    card_no: CARD.into(),
                    card_mobile: MOBILE.into(),
                    card_prov: Some("0031".into()),
                    card_area: Some("3100".into()),
                    in_cust_id: Some(IN.into()),
                    div_detail: Some(divs()),
                    trans_type: Some(PayTransType::Other),
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-qs".into()),
                    payer_term_type: Some("01".into()),
                    payer_term_no: Some("T0001".into()),
                    goods_short_name: Some("商品".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "refund",
            method: "POST",
            path: "/api/hfpay/v1/trade/refund",
            kind: Kind::Mutation(Some("R20240102")),
            sent: Sent::Params(json!({
                "user_cust_id": USER, "order_date": "20240102", "order_id": "R20240102",
                "trans_amt": "100.00", "org_order_id": "P20240101",
                "org_order_date": "20240101", "bg_ret_url": URL, "mer_priv": "priv-r",
                "div_detail": DIV
            })),
            call: call!(|c| c
                .refund(&RefundRequest {
                    user_cust_id: Some(USER.into()),
                    order_date: "20240102".into(),
                    order_id: "R20240102".into(),
                    trans_amt: Money::from_fen(10_000),
                    org_order_id: "P20240101".into(),
                    org_order_date: "20240101".into(),
                    bg_ret_url: URL.into(),
                    mer_priv: Some("priv-r".into()),
                    div_detail: Some(divs()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "fz",
            method: "POST",
            path: "/api/hfpay/v1/trade/fz",
            kind: Kind::Mutation(Some("F20240102")),
            sent: Sent::Params(json!({
                "order_id": "F20240102", "order_date": "20240102", "trans_amt": "1.25",
                "old_order_id": "P20240101", "old_order_date": "20240101", "div_detail": DIV,
                "bg_ret_url": URL, "mer_priv": "priv-f", "extension": EXT, "dev_info": "dev-f"
            })),
            call: call!(|c| c
                .fz(&FzRequest {
                    order_id: "F20240102".into(),
                    order_date: "20240102".into(),
                    trans_amt: Money::from_fen(125),
                    old_order_id: "P20240101".into(),
                    old_order_date: "20240101".into(),
                    div_detail: divs(),
                    bg_ret_url: Some(URL.into()),
                    mer_priv: Some("priv-f".into()),
                    extension: Some(Extension::eacloud_proxy()),
                    dev_info: Some("dev-f".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "order-affirm",
            method: "POST",
            path: "/api/hfpay/v1/trade/order_affirm",
            kind: Kind::Mutation(Some("G20240102")),
            sent: Sent::Params(json!({
                "old_order_id": "P20240101", "old_order_date": "20240101",
                "order_id": "G20240102", "order_date": "20240102", "trans_amt": "5.00",
                "in_cust_id": IN, "out_cust_id": USER, "bg_ret_url": URL,
                "mer_priv": "priv-ga"
            })),
            call: call!(|c| c
                .order_affirm(&GuaranteeRequest {
                    old_order_id: "P20240101".into(),
                    old_order_date: "20240101".into(),
                    order_id: "G20240102".into(),
                    order_date: "20240102".into(),
                    trans_amt: Money::from_fen(500),
                    in_cust_id: IN.into(),
                    out_cust_id: USER.into(),
                    bg_ret_url: Some(URL.into()),
                    mer_priv: Some("priv-ga".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "order-query",
            method: "POST",
            path: "/api/hfpay/v1/trade/order_query",
            kind: Kind::Query,
            sent: Sent::Params(json!({
                "user_cust_id": USER, "order_id": "W20240101", "order_date": "20240101",
                "trans_type": "03", "mer_priv": "priv-oq"
            })),
            call: call!(|c| c
                .order_query(&OrderQueryRequest {
                    user_cust_id: USER.into(),
                    order_id: "W20240101".into(),
                    order_date: "20240101".into(),
                    trans_type: QueryTransType::Withdrawal,
                    mer_priv: Some("priv-oq".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "order-reverse",
            method: "POST",
            path: "/api/hfpay/v1/trade/order_reverse",
            kind: Kind::Mutation(Some("G20240103")),
            sent: Sent::Params(json!({
                "old_order_id": "P20240101", "old_order_date": "20240101",
                "order_id": "G20240103", "order_date": "20240103", "trans_amt": "7.70",
                "in_cust_id": IN, "out_cust_id": USER, "bg_ret_url": URL,
                "mer_priv": "priv-gr"
            })),
            call: call!(|c| c
                .order_reverse(&GuaranteeRequest {
                    old_order_id: "P20240101".into(),
                    old_order_date: "20240101".into(),
                    order_id: "G20240103".into(),
                    order_date: "20240103".into(),
                    trans_amt: Money::from_fen(770),
                    in_cust_id: IN.into(),
                    out_cust_id: USER.into(),
                    bg_ret_url: Some(URL.into()),
                    mer_priv: Some("priv-gr".into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "withdrawal",
            method: "POST",
            path: "/api/hfpay/v1/trade/withdrawal",
            kind: Kind::Mutation(Some("W20240101")),
            sent: Sent::Params(json!({
                "user_cust_id": USER, "order_id": "W20240101", "order_date": "20240101",
                "trans_amt": "100000.00", "cash_bind_card_id": "BC0001", "cash_type": "T0",
                "fee_obj": "M", "fee_acct_id": "216548", "sms_code": "123456",
                "ret_url": RET, "bg_ret_url": URL, "mer_priv": PRIV_ODD
            })),
            call: call!(|c| c
                .withdrawal(&WithdrawalRequest {
                    user_cust_id: USER.into(),
                    order_id: "W20240101".into(),
                    order_date: "20240101".into(),
                    trans_amt: Money::from_fen(10_000_000),
                    cash_bind_card_id: "BC0001".into(),
                    cash_type: CashType::T0,
                    fee_obj: Some(FeeObj::Merchant),
                    fee_acct_id: Some("216548".into()),
                    sms_code: Some("123456".into()),
                    ret_url: Some(RET.into()),
                    bg_ret_url: URL.into(),
                    mer_priv: Some(PRIV_ODD.into()),
                    extra: Default::default(),
                })
                .await),
        },
        Endpoint {
            op: "unsgin",
            method: "POST",
            path: "/api/hfpay/v1/trade/unsgin",
            kind: Kind::Query,
            // the spec types unsign_type `int`: a number in JSON
            sent: Sent::Params(
                json!({"check_value": "eyJvcmRlcl9pZCI6IlAxIn0=", "unsign_type": 1}),
            ),
            call: call!(|c| c
                .unsign(&UnsignRequest {
                    check_value: "eyJvcmRlcl9pZCI6IlAxIn0=".into(),
                    unsign_type: UnsignType::Base64,
                    extra: Default::default(),
                })
                .await),
        },
    ]
}

// ---- helpers ----

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `fields` (a JSON object) as text pairs, plus `mer_cust_id`, sorted.
fn text_pairs(fields: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = fields
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), text(v)))
        .collect();
    v.push(("mer_cust_id".into(), MER.into()));
    v.sort();
    v
}

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

fn header_of<'a>(req: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    req.headers.get(name).map(|v| v.to_str().unwrap())
}

/// One part of a multipart body.
#[derive(Debug, PartialEq)]
struct Part {
    disposition: String,
    content_type: Option<String>,
    data: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Splits a multipart body on `boundary`; panics unless it is well formed.
fn parse_multipart(body: &[u8], boundary: &str) -> Vec<Part> {
    let open = format!("--{boundary}\r\n");
    let sep = format!("\r\n--{boundary}\r\n");
    let close = format!("\r\n--{boundary}--\r\n");
    assert!(body.starts_with(open.as_bytes()), "multipart start");
    assert!(body.ends_with(close.as_bytes()), "multipart end");
    let mut rest = &body[open.len()..body.len() - close.len()];
    let mut raw = Vec::new();
    while let Some(i) = find(rest, sep.as_bytes()) {
        raw.push(&rest[..i]);
        rest = &rest[i + sep.len()..];
    }
    raw.push(rest);
    raw.into_iter()
        .map(|p| {
            let end = find(p, b"\r\n\r\n").expect("part headers");
            let head = std::str::from_utf8(&p[..end]).unwrap();
            let mut disposition = None;
            let mut content_type = None;
            for line in head.split("\r\n") {
                let (n, v) = line.split_once(": ").unwrap();
                match n {
                    "content-disposition" => disposition = Some(v.to_owned()),
                    "content-type" => content_type = Some(v.to_owned()),
                    other => panic!("unexpected part header {other}"),
                }
            }
            Part {
                disposition: disposition.unwrap(),
                content_type,
                data: p[end + 4..].to_vec(),
            }
        })
        .collect()
}

/// Checks the body a request carried against `sent` (form encoding for parameters), and
/// returns the text fields the Prism sign covers.
fn check_form_body(ep: &Endpoint, req: &wiremock::Request) -> Vec<(String, String)> {
    let op = ep.op;
    match &ep.sent {
        Sent::Nothing => {
            assert!(req.body.is_empty(), "{op}: a GET has no body");
            assert_eq!(header_of(req, "content-type"), None, "{op}");
            Vec::new()
        }
        Sent::Params(fields) => {
            assert_eq!(
                header_of(req, "content-type"),
                Some("application/x-www-form-urlencoded"),
                "{op}"
            );
            let form = form_pairs(&req.body);
            assert_eq!(
                sorted(form.clone()),
                text_pairs(fields),
                "{op}: form fields"
            );
            form
        }
        Sent::Multipart { fields, files } => {
            check_multipart(op, req, fields, files);
            text_pairs(fields)
        }
    }
}

fn check_multipart(op: &str, req: &wiremock::Request, fields: &Value, files: &[FileExp]) {
    assert_eq!(
        header_of(req, "content-type"),
        Some("multipart/form-data; boundary=cnpay-b1"),
        "{op}"
    );
    let parts = parse_multipart(&req.body, "cnpay-b1");
    let n_text = parts.len() - files.len();
    // text fields first (any order among themselves), each a plain form-data field
    let mut texts: Vec<(String, String)> = parts[..n_text]
        .iter()
        .map(|p| {
            assert_eq!(p.content_type, None, "{op}: text part {}", p.disposition);
            let name = p
                .disposition
                .strip_prefix("form-data; name=\"")
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or_else(|| panic!("{op}: text part {}", p.disposition));
            (name.to_owned(), String::from_utf8(p.data.clone()).unwrap())
        })
        .collect();
    texts.sort();
    assert_eq!(texts, text_pairs(fields), "{op}: multipart text fields");
    // then the files, in order
    let got_files: Vec<&Part> = parts[n_text..].iter().collect();
    let want_files: Vec<Part> = files
        .iter()
        .map(|f| Part {
            disposition: format!(
                "form-data; name=\"{}\"; filename=\"{}\"",
                f.field, f.file_name
            ),
            content_type: Some(f.content_type.to_owned()),
            data: f.data.to_vec(),
        })
        .collect();
    assert_eq!(
        got_files,
        want_files.iter().collect::<Vec<_>>(),
        "{op}: files"
    );
}

/// A fresh server answering `ep`'s method and path once with `status` and `body`.
async fn answering(ep: &Endpoint, status: u16, body: &str) -> MockServer {
    let server = mock_server().await;
    Mock::given(method(ep.method))
        .and(path(ep.path))
        .respond_with(ResponseTemplate::new(status).set_body_string(body.to_owned()))
        .expect(1)
        .named(ep.op)
        .mount(&server)
        .await;
    server
}

async fn run(ep: &Endpoint, client: &Client) -> Result<HfResponse, Error> {
    (ep.call)(client).await
}

// ---- the scenarios ----

#[test]
fn the_table_covers_every_operation_once() {
    let mut ops: Vec<&str> = endpoints().iter().map(|e| e.op).collect();
    ops.sort_unstable();
    assert_eq!(ops, huifu::OPERATIONS);
}

#[tokio::test]
async fn success_sends_every_field_with_a_valid_prism_sign_and_types_the_response() {
    for ep in endpoints() {
        let op = ep.op;
        let server = answering(&ep, 200, SUCCESS).await;
        let client = client_with(config(&server));
        let r = run(&ep, &client)
            .await
            .unwrap_or_else(|e| panic!("{op}: {e:?}"));
        assert_eq!(r, expected_success(), "{op}");
        assert!(r.is_success(), "{op}");
        assert_eq!(r.extra_str("platform_seq_id"), Some("HF2024010100000001"));
        server.verify().await;

        let reqs = server.received_requests().await.unwrap();
        assert_eq!(reqs.len(), 1, "{op}");
        let req = &reqs[0];
        assert_eq!(req.method.as_str(), ep.method, "{op}");
        assert_eq!(req.url.path(), ep.path, "{op}");
        assert_eq!(header_of(req, "accept"), Some("application/json"), "{op}");
        assert_eq!(header_of(req, "authorization"), None, "{op}");
        let form = check_form_body(&ep, req);
        // the Prism query: exactly these four parameters, the sign recomputed independently
        let q = query_pairs(req);
        let names: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            ["client_id", "sign_method", "sign_time", "sign"],
            "{op}"
        );
        assert_eq!(get(&q, "client_id"), Some(CLIENT_ID), "{op}");
        assert_eq!(get(&q, "sign_method"), Some("md5"), "{op}");
        assert_eq!(get(&q, "sign_time"), Some("1700000000"), "{op}");
        let sign = get(&q, "sign").unwrap();
        assert_eq!(sign, expected_sign(req, &form), "{op}");
        assert_eq!(sign.len(), 32, "{op}");
        assert!(
            sign.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
            "{op}: {sign}"
        );
    }
}

#[tokio::test]
async fn json_encoding_sends_one_object_with_every_field() {
    for ep in endpoints() {
        let op = ep.op;
        let server = answering(&ep, 200, PROCESSING).await;
        let client = client_with(config(&server).encoding(BodyEncoding::Json));
        let r = run(&ep, &client)
            .await
            .unwrap_or_else(|e| panic!("{op}: {e:?}"));
        assert_eq!(r, expected_processing(), "{op}");
        assert!(!r.is_success(), "{op}: processing is not finished");
        server.verify().await;

        let reqs = server.received_requests().await.unwrap();
        let req = &reqs[0];
        assert_eq!(req.method.as_str(), ep.method, "{op}");
        assert_eq!(req.url.path(), ep.path, "{op}");
        let signed_form = match &ep.sent {
            Sent::Params(fields) => {
                assert_eq!(
                    header_of(req, "content-type"),
                    Some("application/json"),
                    "{op}"
                );
                let body: Value = serde_json::from_slice(&req.body)
                    .unwrap_or_else(|e| panic!("{op}: not JSON: {e}"));
                let mut want = fields.clone();
                want.as_object_mut()
                    .unwrap()
                    .insert("mer_cust_id".into(), json!(MER));
                assert_eq!(body, want, "{op}: JSON body");
                // a JSON body is not covered by the Prism sign
                Vec::new()
            }
            // GET and multipart do not change with the encoding
            Sent::Nothing | Sent::Multipart { .. } => check_form_body(&ep, req),
        };
        assert_eq!(
            get(&query_pairs(req), "sign"),
            Some(expected_sign(req, &signed_form).as_str()),
            "{op}"
        );
    }
}

/// The kind of a refusal: the fixture's "账户余额不足" is a plain rejection for every endpoint,
/// a refund included (only a refund refused as failed may be resent unchanged).
fn refused_kind(_op: &str) -> ProviderErrorKind {
    ProviderErrorKind::Rejected
}

#[tokio::test]
async fn a_business_resp_code_is_a_provider_error() {
    for ep in endpoints() {
        let op = ep.op;
        let server = answering(&ep, 200, BUSINESS_ERROR).await;
        let client = client_with(config(&server));
        match run(&ep, &client).await {
            Err(Error::Provider(p)) => {
                assert_eq!(p.code, "E11012", "{op}");
                assert_eq!(p.message, "账户余额不足", "{op}");
                assert_eq!(p.kind, refused_kind(op), "{op}");
                // the order id is the request's, not the body's
                assert_eq!(p.order_id.as_deref(), ep.kind.order_id(), "{op}");
                assert_eq!(p.request_id, None, "{op}");
            }
            other => panic!("{op}: {other:?}"),
        }
        server.verify().await;
    }
}

#[tokio::test]
async fn the_gateway_error_envelope_is_a_provider_error_and_a_prism_401_is_not_resent() {
    for ep in endpoints() {
        let op = ep.op;
        let server = answering(&ep, 200, GATEWAY_ERROR).await;
        let client = client_with(config(&server));
        match run(&ep, &client).await {
            Err(Error::Provider(p)) => {
                assert_eq!(p.code, "40001", "{op}: a numeric code kept as text");
                assert_eq!(p.message, "api limit exceeded", "{op}");
                assert_eq!(p.kind, refused_kind(op), "{op}");
                assert_eq!(p.order_id.as_deref(), ep.kind.order_id(), "{op}");
            }
            other => panic!("{op}: {other:?}"),
        }
        server.verify().await;

        // Prism signing has nothing to refresh: a 401 is final, and sent exactly once
        let server = answering(&ep, 401, UNAUTHORIZED).await;
        let client = client_with(config(&server));
        match run(&ep, &client).await {
            Err(Error::Provider(p)) => {
                assert_eq!(p.code, "invalid_token", "{op}");
                assert_eq!(p.message, "token expired", "{op}");
                assert_eq!(p.kind, ProviderErrorKind::Unauthorized, "{op}");
                assert_eq!(p.order_id.as_deref(), ep.kind.order_id(), "{op}");
            }
            other => panic!("{op}: {other:?}"),
        }
        server.verify().await;
    }
}

const TOKEN_FORM: &str = "grant_type=refresh_token&refresh_token=rt-first";

#[tokio::test]
async fn a_401_under_oauth_refreshes_the_token_once_and_resends_once() {
    for ep in endpoints() {
        let op = ep.op;
        let server = mock_server().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(body_string(TOKEN_FORM))
            .respond_with(ResponseTemplate::new(200).set_body_string(TOKEN_REFRESHED))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method(ep.method))
            .and(path(ep.path))
            .and(header("authorization", "Bearer tok-first"))
            .respond_with(ResponseTemplate::new(401).set_body_string(UNAUTHORIZED))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method(ep.method))
            .and(path(ep.path))
            .and(header("authorization", "Bearer tok-refreshed"))
            .respond_with(ResponseTemplate::new(200).set_body_string(SUCCESS))
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        let first: huifu::oauth::OAuthToken = huifu::oauth::OAuthToken {
            access_token: "tok-first".into(),
            refresh_token: Some("rt-first".into()),
            expires_at: pay_core::Timestamp::from_unix_seconds(NOW + 7200),
            session_id: None,
        };
        let store = std::sync::Arc::new(huifu::oauth::MemoryTokenStore::with(first));
        let client = client_with(
            config(&server).auth(OAuthTokenProvider::new(CLIENT_ID, SECRET).store(store)),
        );
        let r = run(&ep, &client)
            .await
            .unwrap_or_else(|e| panic!("{op}: {e:?}"));
        assert_eq!(r, expected_success(), "{op}");
        server.verify().await;

        let reqs = server.received_requests().await.unwrap();
        let seen: Vec<(&str, Option<&str>)> = reqs
            .iter()
            .map(|r| (r.url.path(), header_of(r, "authorization")))
            .collect();
        assert_eq!(
            seen,
            [
                (ep.path, Some("Bearer tok-first")),
                ("/oauth/token", None),
                (ep.path, Some("Bearer tok-refreshed")),
            ],
            "{op}: the refused call, one refresh, one resend"
        );
        // the resend is the same request (same body), with the app's credentials and a sign
        // that covers the new token
        assert_eq!(reqs[0].body, reqs[2].body, "{op}");
        for req in [&reqs[0], &reqs[2]] {
            assert_eq!(req.method.as_str(), ep.method, "{op}");
            let signed_form = check_form_body(&ep, req);
            let q = query_pairs(req);
            assert_eq!(get(&q, "client_id"), Some(CLIENT_ID), "{op}");
            assert_eq!(
                get(&q, "sign"),
                Some(expected_sign(req, &signed_form).as_str()),
                "{op}"
            );
        }

        // the refreshed token is cached: the next call fetches nothing
        Mock::given(method(ep.method))
            .and(path(ep.path))
            .and(header("authorization", "Bearer tok-refreshed"))
            .respond_with(ResponseTemplate::new(200).set_body_string(SUCCESS))
            .expect(1)
            .mount(&server)
            .await;
        run(&ep, &client)
            .await
            .unwrap_or_else(|e| panic!("{op}: {e:?}"));
        let reqs = server.received_requests().await.unwrap();
        assert_eq!(reqs.len(), 4, "{op}");
        assert_eq!(reqs[3].url.path(), ep.path, "{op}");
    }
}

#[tokio::test]
async fn an_http_error_keeps_status_and_body() {
    for ep in endpoints() {
        let op = ep.op;
        let server = answering(&ep, 502, "<html>502 Bad Gateway</html>").await;
        let client = client_with(config(&server));
        let e = run(&ep, &client).await.unwrap_err();
        match &e {
            Error::HttpStatus {
                status,
                body,
                context,
                ..
            } => {
                assert_eq!(*status, 502, "{op}");
                assert_eq!(body.as_bytes(), b"<html>502 Bad Gateway</html>", "{op}");
                assert_eq!(context.order_id(), ep.kind.order_id(), "{op}");
            }
            other => panic!("{op}: {other:?}"),
        }
        // a mutation whose answer is unreadable must be settled by a query; a query's failure
        // is retry-safe and asks for none
        assert_eq!(e.needs_query(), ep.kind.order_id().is_some(), "{op}: {e:?}");
        assert_eq!(
            e.is_retry_safe(),
            matches!(ep.kind, Kind::Query),
            "{op}: {e:?}"
        );
        server.verify().await;
    }
}

#[tokio::test]
async fn garbage_is_a_decode_error_keeping_the_raw_body() {
    for ep in endpoints() {
        let op = ep.op;
        for garbage in [
            TRUNCATED,
            "<html><body>维护中</body></html>",
            "",
            "[\"C00000\"]",
        ] {
            let server = answering(&ep, 200, garbage).await;
            let client = client_with(config(&server));
            let e = run(&ep, &client).await.unwrap_err();
            match &e {
                Error::Decode { body, context, .. } => {
                    assert_eq!(body.as_bytes(), garbage.as_bytes(), "{op}: {garbage}");
                    assert_eq!(context.order_id(), ep.kind.order_id(), "{op}: {garbage}");
                }
                other => panic!("{op}: {garbage}: {other:?}"),
            }
            assert_eq!(
                e.needs_query(),
                ep.kind.order_id().is_some(),
                "{op}: {garbage}"
            );
            assert_eq!(
                e.is_retry_safe(),
                matches!(ep.kind, Kind::Query),
                "{op}: {garbage}"
            );
            server.verify().await;
        }
        // a success whose typed field has the wrong type: the field is named
        let server = answering(&ep, 200, r#"{"resp_code":"C00000","trans_amt":12.5}"#).await;
        let client = client_with(config(&server));
        match run(&ep, &client).await {
            Err(Error::Decode {
                body,
                context,
                source,
            }) => {
                assert_eq!(
                    body.as_bytes(),
                    br#"{"resp_code":"C00000","trans_amt":12.5}"#,
                    "{op}"
                );
                assert_eq!(context.order_id(), ep.kind.order_id(), "{op}");
                assert!(
                    source.to_string().starts_with("at `trans_amt`: "),
                    "{op}: {source}"
                );
            }
            other => panic!("{op}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_timeout_is_never_resent() {
    for ep in endpoints() {
        let op = ep.op;
        let t = Arc::new(RecordingTransport::new());
        t.push_error(TransportError::timeout(std::io::Error::from(
            std::io::ErrorKind::TimedOut,
        )));
        let client = Client::with_transport(
            huifu::Config::new(MER, CLIENT_ID, SECRET).base_url("http://gw.example"),
            t.clone(),
        );
        let e = run(&ep, &client).await.unwrap_err();
        match ep.kind {
            Kind::Mutation(order_id) => {
                assert!(matches!(e, Error::UnknownOutcome { .. }), "{op}: {e:?}");
                assert_eq!(e.order_id(), order_id, "{op}");
                assert!(!e.is_retry_safe(), "{op}");
            }
            Kind::Query => {
                assert!(matches!(e, Error::Transport { .. }), "{op}: {e:?}");
                assert!(e.is_retry_safe(), "{op}");
            }
        }
        let sent = t.requests();
        assert_eq!(sent.len(), 1, "{op}: sent once, never resent");
        assert_eq!(sent[0].method().as_str(), ep.method, "{op}");
        assert_eq!(sent[0].uri().path(), ep.path, "{op}");
    }
}

/// The spec on `refund.order_id`: "对于退货失败的,支持同订单号同金额的重复请求" (a failed refund
/// may be sent again with the same order id and amount): a refund refused as failed is
/// `RetrySameParams`; one refused for a parameter error, or for anything else, is `Rejected`.
#[tokio::test]
async fn only_a_refund_refused_as_failed_is_retry_same_params() {
    let ep = endpoints().into_iter().find(|e| e.op == "refund").unwrap();
    let cases = [
        ("E20001", "退货失败", ProviderErrorKind::RetrySameParams),
        (
            "E20002",
            "退款失败: 银行处理失败",
            ProviderErrorKind::RetrySameParams,
        ),
        (
            "C10001",
            "参数错误: trans_amt 超过原交易可退金额",
            ProviderErrorKind::Rejected,
        ),
        (
            "C10001",
            "参数错误导致退货失败",
            ProviderErrorKind::Rejected,
        ),
        ("E11012", "账户余额不足", ProviderErrorKind::Rejected),
        ("E99999", "", ProviderErrorKind::Rejected),
    ];
    for (code, desc, kind) in cases {
        let body = json!({"resp_code": code, "resp_desc": desc, "order_id": "R20240102"});
        let server = answering(&ep, 200, &body.to_string()).await;
        let client = client_with(config(&server));
        match run(&ep, &client).await {
            Err(Error::Provider(p)) => {
                assert_eq!((p.code.as_str(), p.kind), (code, kind), "{desc}");
                assert_eq!(p.order_id.as_deref(), Some("R20240102"), "{desc}");
            }
            other => panic!("{desc}: {other:?}"),
        }
    }
}

/// A base URL with a path (a gateway mounted under a prefix): the request goes to
/// `{prefix}/api/hfpay/…`, but the Prism sign is computed over `/api/hfpay/…` only, so a gateway
/// that checks the sign over the path it received refuses every call. `Config::base_url` is
/// documented as "scheme and host" but accepts a path without complaint.
#[tokio::test]

async fn a_base_url_with_a_path_is_signed_over_the_path_sent() {
    let server = mock_server().await;
    Mock::given(method("POST"))
        .and(path("/gw/api/hfpay/v1/trade/order_query"))
        .respond_with(ResponseTemplate::new(200).set_body_string(SUCCESS))
        .mount(&server)
        .await;
    let client = client_with(
        huifu::Config::new(MER, CLIENT_ID, SECRET).base_url(format!("{}/gw", server.uri())),
    );
    let ep = endpoints()
        .into_iter()
        .find(|e| e.op == "order-query")
        .unwrap();
    // Either refused before sending (naming base_url), or sent with a sign the gateway accepts.
    match run(&ep, &client).await {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "base_url"),
        other => {
            other.unwrap();
            let req = &server.received_requests().await.unwrap()[0];
            let form = form_pairs(&req.body);
            assert_eq!(
                get(&query_pairs(req), "sign"),
                Some(expected_sign(req, &form).as_str())
            );
        }
    }
}

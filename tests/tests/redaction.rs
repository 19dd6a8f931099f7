#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Redaction (issue 9): every config, request, response and event type of the four providers,
//! pay-core's secret and personal-data types, clients, envelopes and errors are built with known
//! secrets and personal data, formatted with `{:?}` and `{:#?}` and logged through `tracing`
//! into a captured buffer; no key, ID number, card number, phone number or full name may appear.
//!
//! The clients' own logging is captured too, at `TRACE`, while they send requests holding
//! personal data and fail in every way a response can fail.

use std::fmt::Debug;
use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use pay_core::transport::transport_fn;
use pay_core::{
    CardNumber, IdNumber, IncomingNotification, KeyRing, Money, NotificationVerifier, PersonName,
    PhoneNumber, SecretKey, SharedTransport,
};

/// A full name (4 characters, so that a masked form such as `欧***` cannot contain it).
const NAME: &str = "欧阳娜娜";
/// A resident ID number with a valid check digit.
const ID_NUMBER: &str = "11010519491231002X";
/// A card number (Luhn-valid).
const CARD: &str = "6222021234567890128";
/// A mobile number.
const PHONE: &str = "13912345678";

const AGG_REQUEST_KEY: &str = "aggregate-request-key-Q7xK2m9V";
const AGG_RESPONSE_KEY: &str = "aggregate-response-key-Hpcl522AV6q613";
const AGG_PREVIOUS_KEY: &str = "aggregate-previous-key-8xPq0Lr2";
const PROTOCOL_KEY: &str = "a8f5f167f44f4964e6c998dee827110c";
const PROTOCOL_PREVIOUS_KEY: &str = "protocol-previous-key-77a1e2b3";
const HUIFU_SECRET: &str = "huifu-client-secret-4fG7hJ2kL9";
const HUIFU_TOKEN: &str = "huifu-bearer-token-Zx81Yq2Wv3";
const YZH_APP_KEY: &str = "78f9b4fad3481fbce1df0b30eee58577";
const YZH_PREVIOUS_APP_KEY: &str = "yunzhanghu-previous-app-key-a1b2";
const YZH_DES3_KEY: &str = "9kP2xQ7mZ4wR8tY1uI5oL3aS";

/// Everything that must never appear in full.
const SECRETS: &[&str] = &[
    NAME,
    ID_NUMBER,
    CARD,
    PHONE,
    AGG_REQUEST_KEY,
    AGG_RESPONSE_KEY,
    AGG_PREVIOUS_KEY,
    PROTOCOL_KEY,
    PROTOCOL_PREVIOUS_KEY,
    HUIFU_SECRET,
    HUIFU_TOKEN,
    YZH_APP_KEY,
    YZH_PREVIOUS_APP_KEY,
    YZH_DES3_KEY,
];

/// The secrets found in `text` (also in their JSON-escaped and percent-encoded forms).
fn leaks(text: &str) -> Vec<&'static str> {
    SECRETS
        .iter()
        .copied()
        .filter(|s| {
            let json = serde_json::to_string(s).unwrap();
            text.contains(s)
                || text.contains(json.trim_matches('"'))
                || text.contains(&pay_core::form::encode([("k", *s)])[2..])
                || text.contains(&s.escape_unicode().to_string())
                || text.contains(&s.escape_debug().to_string())
        })
        .collect()
}

/// A `MakeWriter` that collects everything written into one buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Runs `f` with every `tracing` event down to `TRACE` captured; returns `f`'s value and the log.
fn captured<T>(f: impl FnOnce() -> T) -> (T, String) {
    let buf = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buf.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    (out, buf.text())
}

/// The text of `value` as `{:?}`, `{:#?}` and as logged through `tracing` (as a field, in the
/// message, and inside a span).
fn rendered<T: Debug>(value: &T) -> String {
    let ((), log) = captured(|| {
        tracing::info!(value = ?value, "as a field");
        tracing::warn!("in the message: {value:?} / {value:#?}");
        let span = tracing::info_span!("span", value = ?value);
        let _guard = span.enter();
        tracing::error!("inside a span");
    });
    format!("{value:?}\n{value:#?}\n{log}")
}

/// Asserts that `value` shows no secret however it is formatted or logged.
#[track_caller]
fn check<T: Debug>(what: &str, value: &T) {
    let text = rendered(value);
    let found = leaks(&text);
    assert!(found.is_empty(), "{what} leaks {found:?}:\n{text}");
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A transport answering every request with `status` and `body`.
fn answering(status: u16, body: impl Into<Bytes>) -> SharedTransport {
    let body: Bytes = body.into();
    Arc::new(transport_fn(move |_req| {
        let body = body.clone();
        async move {
            let mut resp = http::Response::new(body);
            *resp.status_mut() = http::StatusCode::from_u16(status).unwrap();
            resp.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            Ok(resp)
        }
    }))
}

/// A transport failing before or after sending.
fn failing(sent: bool) -> SharedTransport {
    Arc::new(transport_fn(move |_req| async move {
        Err(if sent {
            pay_core::transport::TransportError::timeout("timed out")
        } else {
            pay_core::transport::TransportError::connect("refused")
        })
    }))
}

/// Bodies a failing call may receive, each holding personal data where a field of another type
/// is expected (so that a decoder's message would quote it) or as a provider's message.
fn bad_bodies() -> Vec<(u16, String)> {
    let pii = serde_json::json!({
        "real_name": NAME, "id_card": ID_NUMBER, "card_no": CARD, "phone_no": PHONE,
        "bankAccName": NAME, "bankAccNum": CARD, "cardNum": CARD, "qpCertNumber": ID_NUMBER,
        "accountName": NAME, "accountNo": CARD, "cert_id": ID_NUMBER, "user_mobile": PHONE,
    });
    let mut wrong_types = serde_json::Map::new();
    for (k, _) in pii.as_object().unwrap() {
        wrong_types.insert(k.clone(), serde_json::json!([NAME, ID_NUMBER, CARD, PHONE]));
    }
    // Provider codes and messages are surfaced verbatim by design (`ProviderError`); personal
    // data goes into data fields, where a decoder's message could quote it.
    for k in [
        "amount",
        "pay",
        "trans_amt",
        "status",
        "payStatus",
        "order_id",
        "outReqNo",
        "timestamp",
        "payOrderId",
        "transOrderId",
    ] {
        wrong_types.insert(
            k.to_owned(),
            serde_json::Value::String(format!("{CARD}{ID_NUMBER}{PHONE}{NAME}")),
        );
    }
    let message = format!("card {CARD} id {ID_NUMBER} phone {PHONE} name {NAME}");
    let provider_message = "余额不足";
    vec![
        (500, pii.to_string()),
        (400, message.clone()),
        (200, pii.to_string()),
        (200, serde_json::Value::Object(wrong_types.clone()).to_string()),
        (200, serde_json::json!({"code": "0000", "data": wrong_types, "message": "ok"}).to_string()),
        (200, serde_json::json!({"code": "0000", "msg": "SUCCESS", "data": pii.to_string(), "appId": "LFT1001", "timestamp": "20201010123500000", "sign": "00"}).to_string()),
        (200, serde_json::json!({"code": "2001", "message": provider_message, "msg": provider_message, "retCode": "FAIL", "retMsg": provider_message, "resp_code": "C99999", "resp_desc": provider_message, "data": pii}).to_string()),
        (200, format!("{{\"data\": \"{CARD}")),
        (200, format!("<html>{message}</html>")),
    ]
}

fn stockholder() -> huifu::types::Stockholder {
    huifu::types::Stockholder {
        name: PersonName::new(NAME),
        cert_type: huifu::codes::CertType::from_wire("01"),
        cert_id: IdNumber::new(ID_NUMBER),
    }
}

/// Every aggregate_pay type with a personal-data field, each such field set.
#[test]
#[allow(unused_imports)]
fn aggregate_pay_request_response_and_record_types() {
    use aggregate_pay::codes::*;
    check(
        "aggregate_pay::pay::Remitter",
        &aggregate_pay::pay::Remitter::new("x", PersonName::new(NAME), CardNumber::new(CARD)),
    );
    check(
        "aggregate_pay::payout::TransOrderRequest",
        &aggregate_pay::payout::TransOrderRequest::new(
            "x",
            Money::from_fen(12345),
            "x",
            BankCode::from_wire("x"),
            "x",
            AccountType::from_wire("x"),
            PersonName::new(NAME),
            CardNumber::new(CARD),
            "x",
            "x",
        ),
    );
}

/// Every protocol_pay type with a personal-data field, each such field set.
#[test]
#[allow(unused_imports)]
fn protocol_pay_request_response_and_record_types() {
    use protocol_pay::codes::*;
    check(
        "protocol_pay::pay::PrepayRequest",
        &protocol_pay::pay::PrepayRequest::new(
            "x",
            "x",
            Money::from_fen(12345),
            "x",
            ProdCatalog::from_wire("x"),
        )
        .quick_pay_payer(PersonName::new(NAME), IdNumber::new(ID_NUMBER)),
    );
    let mut pay_in = protocol_pay::pay::PayInOrder::new("x", PayStatus::from_wire("x"));
    pay_in.amount = Some(Money::from_fen(12345));
    pay_in.card_num = Some(CardNumber::new(CARD));
    pay_in.qp_user_name = Some(PersonName::new(NAME));
    pay_in.qp_cert_number = Some(IdNumber::new(ID_NUMBER));
    check("protocol_pay::pay::PayInOrder", &pay_in);
    check(
        "protocol_pay::payout::OutpayRequest",
        &protocol_pay::payout::OutpayRequest::new(
            OutType::from_wire("x"),
            "x",
            "x",
            Money::from_fen(12345),
            "x",
            protocol_pay::payout::BankAccount::new(
                PersonName::new(NAME),
                CardNumber::new(CARD),
                "x",
                "x",
            ),
        ),
    );
    check(
        "protocol_pay::payout::BankAccount",
        &protocol_pay::payout::BankAccount::new(
            PersonName::new(NAME),
            CardNumber::new(CARD),
            "x",
            "x",
        ),
    );
    let mut pay_out = protocol_pay::payout::PayOutOrder::new("x", PayStatus::from_wire("x"));
    pay_out.amount = Some(Money::from_fen(12345));
    pay_out.bank_acc_name = Some(PersonName::new(NAME));
    pay_out.bank_acc_num = Some(CardNumber::new(CARD));
    check("protocol_pay::payout::PayOutOrder", &pay_out);
}

/// Every huifu type with a personal-data field, each such field set.
#[test]
#[allow(unused_imports)]
fn huifu_request_response_and_record_types() {
    use huifu::codes::*;
    use huifu::types::*;
    check(
        "huifu::merchant::AgentMerchantOpeningRequest",
        &huifu::merchant::AgentMerchantOpeningRequest {
            mer_name: "x".to_owned(),
            mer_short_name: "x".to_owned(),
            mer_en_name: None,
            reg_fund: Money::from_fen(12345),
            paid_in_fund: Some(Money::from_fen(12345)),
            mer_website: None,
            per_icp_code: None,
            est_date: "x".to_owned(),
            mer_prov: "x".to_owned(),
            mer_area: "x".to_owned(),
            mer_addr: "x".to_owned(),
            mer_reg_addr: "x".to_owned(),
            license_type: LicenseType::from_wire("x"),
            business_code: None,
            institution_code: None,
            tax_code: None,
            social_credit_code: None,
            license_start_date: "x".to_owned(),
            license_end_date: DateOrPermanent::Permanent,
            business_scope: "x".to_owned(),
            stockholders: vec![stockholder()],
            legal_name: PersonName::new(NAME),
            legal_cert_type: CertType::from_wire("x"),
            legal_cert_id: IdNumber::new(ID_NUMBER),
            legal_id_start_date: "x".to_owned(),
            legal_id_end_date: DateOrPermanent::Permanent,
            legal_mobile: PhoneNumber::new(PHONE),
            contact_name: PersonName::new(NAME),
            contact_mobile: PhoneNumber::new(PHONE),
            contact_email: None,
            bank_id: "x".to_owned(),
            bank_acct_no: CardNumber::new(CARD),
            bank_branch: "x".to_owned(),
            bank_prov: "x".to_owned(),
            bank_area: "x".to_owned(),
            attach_nos: None,
            card_type: CardType::from_wire("x"),
            bg_ret_url: "x".to_owned(),
            mer_priv: None,
            extension: None,
            extra: Default::default(),
        },
    );
    check(
        "huifu::merchant::MerchantOpeningRequest",
        &huifu::merchant::MerchantOpeningRequest {
            order_id: "x".to_owned(),
            order_date: "x".to_owned(),
            apply_id: "x".to_owned(),
            operate_type: OperateType::from_wire("x"),
            user_name: "x".to_owned(),
            business_code: "x".to_owned(),
            license_start_date: "x".to_owned(),
            license_end_date: DateOrPermanent::Permanent,
            solo_business_address: "x".to_owned(),
            solo_reg_address: "x".to_owned(),
            solo_fixed_telephone: None,
            business_scope: "x".to_owned(),
            legal_name: PersonName::new(NAME),
            legal_cert_type: CertType::from_wire("x"),
            legal_cert_id: IdNumber::new(ID_NUMBER),
            legal_cert_start_date: "x".to_owned(),
            legal_cert_end_date: DateOrPermanent::Permanent,
            legal_mobile: PhoneNumber::new(PHONE),
            contact_name: PersonName::new(NAME),
            contact_mobile: PhoneNumber::new(PHONE),
            contact_email: None,
            occupation: None,
            address: None,
            attach_nos: None,
            bg_ret_url: "x".to_owned(),
            mer_priv: None,
            extra: Default::default(),
        },
    );
    check(
        "huifu::merchant::PersonOpeningRequest",
        &huifu::merchant::PersonOpeningRequest {
            order_id: "x".to_owned(),
            order_date: "x".to_owned(),
            user_name: PersonName::new(NAME),
            cert_id: IdNumber::new(ID_NUMBER),
            user_mobile: PhoneNumber::new(PHONE),
            vali_date: "x".to_owned(),
            cust_prov: None,
            cust_area: None,
            cust_address: None,
            occupation: None,
            user_email: None,
            bg_ret_url: "x".to_owned(),
            mer_priv: None,
            extra: Default::default(),
        },
    );
    check(
        "huifu::merchant::BusinessOpeningRequest",
        &huifu::merchant::BusinessOpeningRequest {
            order_id: "x".to_owned(),
            order_date: "x".to_owned(),
            apply_id: "x".to_owned(),
            operate_type: OperateType::from_wire("x"),
            corp_license_type: LicenseType::from_wire("x"),
            corp_type: CorpType::from_wire("x"),
            corp_name: "x".to_owned(),
            business_code: None,
            institution_code: None,
            tax_code: None,
            social_credit_code: None,
            license_start_date: "x".to_owned(),
            license_end_date: DateOrPermanent::Permanent,
            corp_business_address: "x".to_owned(),
            corp_reg_address: "x".to_owned(),
            corp_fixed_telephone: None,
            business_scope: "x".to_owned(),
            controlling_shareholder: vec![stockholder()],
            legal_name: PersonName::new(NAME),
            legal_cert_type: CertType::from_wire("x"),
            legal_cert_id: IdNumber::new(ID_NUMBER),
            legal_cert_start_date: "x".to_owned(),
            legal_cert_end_date: DateOrPermanent::Permanent,
            legal_mobile: PhoneNumber::new(PHONE),
            contact_name: PersonName::new(NAME),
            contact_mobile: PhoneNumber::new(PHONE),
            contact_email: None,
            bank_acct_name: "x".to_owned(),
            bank_id: "x".to_owned(),
            bank_acct_no: CardNumber::new(CARD),
            bank_branch: "x".to_owned(),
            bank_prov: "x".to_owned(),
            bank_area: "x".to_owned(),
            industry: None,
            ret_url: None,
            bg_ret_url: "x".to_owned(),
            mer_priv: None,
            extra: Default::default(),
        },
    );
    check(
        "huifu::merchant::BindBankCardRequest",
        &huifu::merchant::BindBankCardRequest {
            user_cust_id: "x".to_owned(),
            order_id: "x".to_owned(),
            order_date: "x".to_owned(),
            bank_id: "x".to_owned(),
            card_no: CardNumber::new(CARD),
            dc_flag: DcFlag::from_wire("x"),
            card_prov: "x".to_owned(),
            card_area: "x".to_owned(),
            card_mobile: PhoneNumber::new(PHONE),
            bg_ret_url: "x".to_owned(),
            mer_priv: None,
            extra: Default::default(),
        },
    );
    check(
        "huifu::merchant::UntieBankCardRequest",
        &huifu::merchant::UntieBankCardRequest {
            user_cust_id: "x".to_owned(),
            order_id: "x".to_owned(),
            order_date: "x".to_owned(),
            bank_id: "x".to_owned(),
            card_id: "x".to_owned(),
            card_mobile: PhoneNumber::new(PHONE),
            card_buss_type: CardBussType::from_wire("x"),
            bg_ret_url: "x".to_owned(),
            mer_priv: None,
            extra: Default::default(),
        },
    );
    check(
        "huifu::merchant::SendSmsCodeRequest",
        &huifu::merchant::SendSmsCodeRequest {
            user_cust_id: "x".to_owned(),
            order_id: "x".to_owned(),
            order_date: "x".to_owned(),
            user_mobile: PhoneNumber::new(PHONE),
            busi_type: BusiType::from_wire("x"),
            mer_priv: None,
            extra: Default::default(),
        },
    );
    check(
        "huifu::trade::SendQuickPaySmsCodeRequest",
        &huifu::trade::SendQuickPaySmsCodeRequest {
            user_cust_id: "x".to_owned(),
            order_id: "x".to_owned(),
            order_date: "x".to_owned(),
            trans_amt: Money::from_fen(12345),
            card_no: CardNumber::new(CARD),
            card_mobile: PhoneNumber::new(PHONE),
            card_prov: None,
            card_area: None,
            in_cust_id: None,
            div_detail: None,
            trans_type: None,
            bg_ret_url: "x".to_owned(),
            mer_priv: None,
            payer_term_type: None,
            payer_term_no: None,
            goods_short_name: None,
            extra: Default::default(),
        },
    );
    check(
        "huifu::types::Stockholder",
        &huifu::types::Stockholder {
            name: PersonName::new(NAME),
            cert_type: CertType::from_wire("x"),
            cert_id: IdNumber::new(ID_NUMBER),
        },
    );
    check(
        "huifu::upload::UploadCardRequest",
        &huifu::upload::UploadCardRequest {
            user_cust_id: "x".to_owned(),
            order_id: "x".to_owned(),
            order_date: "x".to_owned(),
            cert_id: IdNumber::new(ID_NUMBER),
            cert_name: PersonName::new(NAME),
            cert_type: UploadCertType::from_wire("x"),
            source_channel: SourceChannel::from_wire("x"),
            bg_ret_url: "x".to_owned(),
            extra: Default::default(),
        },
    );
}

/// Every yunzhanghu type with a personal-data field, each such field set.
#[test]
#[allow(unused_imports)]
fn yunzhanghu_request_response_and_record_types() {
    use yunzhanghu::codes::*;
    check(
        "yunzhanghu::bill::OrderRecord",
        &yunzhanghu::bill::OrderRecord {
            order_id: "x".to_owned(),
            reference: "x".to_owned(),
            batch_id: None,
            real_name: PersonName::new(NAME),
            broker_id: "x".to_owned(),
            status: FileStatus::from_wire("x"),
            account: CardNumber::new(CARD),
            channel: None,
            pay: Money::from_fen(12345),
            fee: Some(Money::from_fen(12345)),
            channel_ref: None,
            credit_bill_no: None,
            fee_bill_no: None,
            balance_bill_no: None,
            created_at: None,
            finished_at: None,
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::bill::BillRecord",
        &yunzhanghu::bill::BillRecord {
            order_id: "x".to_owned(),
            reference: "x".to_owned(),
            bill_ref: "x".to_owned(),
            bill_type: BillType::from_wire("x"),
            status: FileStatus::from_wire("x"),
            channel: None,
            real_name: PersonName::new(NAME),
            broker_id: "x".to_owned(),
            amount: Money::from_fen(12345),
            channel_ref: None,
            created_at: None,
            finished_at: None,
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::identity::VerifyRequest",
        &yunzhanghu::identity::VerifyRequest {
            card_no: CardNumber::new(CARD),
            id_card: IdNumber::new(ID_NUMBER),
            real_name: PersonName::new(NAME),
            mobile: PhoneNumber::new(PHONE),
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::identity::VerifyConfirm",
        &yunzhanghu::identity::VerifyConfirm {
            card_no: CardNumber::new(CARD),
            id_card: IdNumber::new(ID_NUMBER),
            real_name: PersonName::new(NAME),
            mobile: PhoneNumber::new(PHONE),
            captcha: "x".to_owned(),
            reference: "x".to_owned(),
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::identity::VerifyBankcardFourFactor",
        &yunzhanghu::identity::VerifyBankcardFourFactor {
            card_no: CardNumber::new(CARD),
            id_card: IdNumber::new(ID_NUMBER),
            real_name: PersonName::new(NAME),
            mobile: PhoneNumber::new(PHONE),
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::identity::VerifyBankcardThreeFactor",
        &yunzhanghu::identity::VerifyBankcardThreeFactor {
            card_no: CardNumber::new(CARD),
            id_card: IdNumber::new(ID_NUMBER),
            real_name: PersonName::new(NAME),
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::identity::VerifyId",
        &yunzhanghu::identity::VerifyId {
            id_card: IdNumber::new(ID_NUMBER),
            real_name: PersonName::new(NAME),
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::identity::IdCardImage",
        &yunzhanghu::identity::IdCardImage {
            dealer_id: None,
            broker_id: None,
            real_name: PersonName::new(NAME),
            id_card: IdNumber::new(ID_NUMBER),
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::payout::BankCardOrder",
        &yunzhanghu::payout::BankCardOrder {
            order_id: "x".to_owned(),
            dealer_id: None,
            broker_id: None,
            real_name: PersonName::new(NAME),
            card_no: CardNumber::new(CARD),
            phone_no: Some(PhoneNumber::new(PHONE)),
            id_card: IdNumber::new(ID_NUMBER),
            pay: Money::from_fen(12345),
            anchor_id: None,
            notes: None,
            pay_remark: None,
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::payout::AlipayOrder",
        &yunzhanghu::payout::AlipayOrder {
            order_id: "x".to_owned(),
            dealer_id: None,
            broker_id: None,
            real_name: PersonName::new(NAME),
            id_card: IdNumber::new(ID_NUMBER),
            card_no: CardNumber::new(CARD),
            pay: Money::from_fen(12345),
            notes: None,
            pay_remark: None,
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::payout::WxpayOrder",
        &yunzhanghu::payout::WxpayOrder {
            order_id: "x".to_owned(),
            dealer_id: None,
            broker_id: None,
            real_name: PersonName::new(NAME),
            id_card: IdNumber::new(ID_NUMBER),
            openid: "x".to_owned(),
            pay: Money::from_fen(12345),
            notes: None,
            pay_remark: None,
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::query::OrderDetail",
        &yunzhanghu::query::OrderDetail {
            order_id: "x".to_owned(),
            pay: Some(Money::from_fen(12345)),
            anchor_id: "x".to_owned(),
            broker_amount: "x".to_owned(),
            broker_id: "x".to_owned(),
            card_no: CardNumber::new(CARD),
            dealer_id: "x".to_owned(),
            id_card: IdNumber::new(ID_NUMBER),
            phone_no: PhoneNumber::new(PHONE),
            real_name: PersonName::new(NAME),
            reference: "x".to_owned(),
            notes: "x".to_owned(),
            status: OrderStatus::from_wire("x"),
            status_detail: None,
            status_message: "x".to_owned(),
            status_detail_message: "x".to_owned(),
            sys_amount: Some(Money::from_fen(12345)),
            pay_remark: "x".to_owned(),
            tax: "x".to_owned(),
            tax_level: "x".to_owned(),
            created_at: None,
            finished_time: None,
            sys_wallet_ref: None,
            sys_bank_bill: None,
            broker_wallet_ref: None,
            broker_bank_bill: None,
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::report::BankCardReport",
        &yunzhanghu::report::BankCardReport {
            order_id: "x".to_owned(),
            dealer_id: None,
            broker_id: None,
            real_name: PersonName::new(NAME),
            card_no: CardNumber::new(CARD),
            phone_no: Some(PhoneNumber::new(PHONE)),
            id_card: IdNumber::new(ID_NUMBER),
            pay: Money::from_fen(12345),
            anchor_id: None,
            created_at: "x".to_owned(),
            result: ReportResult::from_wire("x"),
            notes: None,
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::report::AlipayReport",
        &yunzhanghu::report::AlipayReport {
            order_id: "x".to_owned(),
            dealer_id: None,
            broker_id: None,
            real_name: PersonName::new(NAME),
            id_card: IdNumber::new(ID_NUMBER),
            card_no: CardNumber::new(CARD),
            pay: Money::from_fen(12345),
            created_at: "x".to_owned(),
            result: ReportResult::from_wire("x"),
            notes: None,
            extra: Default::default(),
        },
    );
    check(
        "yunzhanghu::report::WxpayReport",
        &yunzhanghu::report::WxpayReport {
            order_id: "x".to_owned(),
            dealer_id: None,
            broker_id: None,
            real_name: PersonName::new(NAME),
            id_card: IdNumber::new(ID_NUMBER),
            openid: "x".to_owned(),
            pay: Money::from_fen(12345),
            created_at: "x".to_owned(),
            result: ReportResult::from_wire("x"),
            notes: None,
            extra: Default::default(),
        },
    );
}

#[test]
fn pay_core_secret_and_pii_types() {
    check("PersonName", &PersonName::new(NAME));
    check("IdNumber", &IdNumber::new(ID_NUMBER));
    check("CardNumber", &CardNumber::new(CARD));
    check("PhoneNumber", &PhoneNumber::new(PHONE));
    check("SecretKey", &SecretKey::new(AGG_REQUEST_KEY));
    check(
        "KeyRing",
        &KeyRing::new(SecretKey::new(PROTOCOL_KEY))
            .with_previous(SecretKey::new(PROTOCOL_PREVIOUS_KEY)),
    );
    // Masked forms keep the ends only and never equal the value.
    assert_ne!(CardNumber::new(CARD).masked(), CARD);
    assert!(leaks(&CardNumber::new(CARD).masked()).is_empty());
    assert!(leaks(&IdNumber::new(ID_NUMBER).masked()).is_empty());
    assert!(leaks(&PhoneNumber::new(PHONE).masked()).is_empty());
    assert!(leaks(&PersonName::new(NAME).masked()).is_empty());
    check(
        "IncomingNotification",
        &IncomingNotification::post_form(format!(
            "card={CARD}&id={ID_NUMBER}&phone={PHONE}&name={NAME}"
        ))
        .with_header("authorization", &format!("Bearer {HUIFU_TOKEN}")),
    );
    // The provider-neutral requests: personal data in the payee and in `extra` (protocol-pay's
    // quick pay takes the payer's ID number and name there).
    let mut extra = pay_core::Extra::new();
    extra.insert("qpCertNumber".into(), ID_NUMBER.into());
    extra.insert("qpUserName".into(), NAME.into());
    extra.insert("memo".into(), format!("card {CARD} phone {PHONE}").into());
    check(
        "PaymentRequest",
        &pay_core::PaymentRequest {
            order_id: "O1".into(),
            amount: pay_core::Money::from_fen(100),
            subject: "s".into(),
            notify_url: "https://shop.example/cb".into(),
            return_url: None,
            client_ip: None,
            method: Some("QP".into()),
            extra: extra.clone(),
        },
    );
    for account in [
        pay_core::PayeeAccount::Alipay {
            account: PHONE.into(),
        },
        pay_core::PayeeAccount::BankCard {
            card_no: CardNumber::new(CARD),
            bank_name: None,
            bank_code: None,
            corporate: false,
        },
    ] {
        check(
            "PayoutRequest",
            &pay_core::PayoutRequest {
                order_id: "O1".into(),
                amount: pay_core::Money::from_fen(100),
                payee: pay_core::Payee {
                    name: PersonName::new(NAME),
                    account,
                    id_number: Some(IdNumber::new(ID_NUMBER)),
                    phone: Some(PhoneNumber::new(PHONE)),
                },
                remark: None,
                notify_url: None,
                extra: extra.clone(),
            },
        );
    }
}

fn aggregate_config() -> aggregate_pay::Config {
    aggregate_pay::Config::builder(
        "20001222",
        "app",
        SecretKey::new(AGG_REQUEST_KEY),
        KeyRing::new(SecretKey::new(AGG_RESPONSE_KEY))
            .with_previous(SecretKey::new(AGG_PREVIOUS_KEY)),
    )
    .base_url("http://127.0.0.1:1")
    .build()
    .unwrap()
}

fn protocol_config() -> protocol_pay::Config {
    protocol_pay::Config::builder(
        "LFT1001",
        KeyRing::new(SecretKey::new(PROTOCOL_KEY))
            .with_previous(SecretKey::new(PROTOCOL_PREVIOUS_KEY)),
    )
    .base_url("http://127.0.0.1:1")
    .build()
    .unwrap()
}

fn huifu_config_builder() -> huifu::ConfigBuilder {
    huifu::Config::builder(
        "6666000000000000",
        "client-id",
        SecretKey::new(HUIFU_SECRET),
    )
    .base_url("http://127.0.0.1:1")
}

fn huifu_config() -> huifu::Config {
    huifu_config_builder().build().unwrap()
}

fn yzh_config() -> yunzhanghu::Config {
    yunzhanghu::Config::builder(
        "dealer",
        "broker",
        KeyRing::new(SecretKey::new(YZH_APP_KEY))
            .with_previous(SecretKey::new(YZH_PREVIOUS_APP_KEY)),
        SecretKey::new(YZH_DES3_KEY),
    )
    .base_url("http://127.0.0.1:1")
    .build()
    .unwrap()
}

#[test]
fn configs_clients_auth_and_keys() {
    check("aggregate_pay::Config", &aggregate_config());
    check(
        "aggregate_pay::Client",
        &aggregate_pay::Client::with_transport(aggregate_config(), answering(200, "")).unwrap(),
    );
    check("protocol_pay::Config", &protocol_config());
    check(
        "protocol_pay::Client",
        &protocol_pay::Client::with_transport(protocol_config(), answering(200, "")).unwrap(),
    );
    check("huifu::Config", &huifu_config());
    check(
        "huifu::Client",
        &huifu::Client::with_transport(huifu_config(), answering(200, "")).unwrap(),
    );
    check(
        "huifu::PrismSecretAuth",
        &huifu::PrismSecretAuth::new("client-id", SecretKey::new(HUIFU_SECRET)),
    );
    check(
        "huifu::PrismSignAuth",
        &huifu::PrismSignAuth::new("client-id", SecretKey::new(HUIFU_SECRET)),
    );
    check(
        "huifu::BearerAuth",
        &huifu::BearerAuth::new(SecretKey::new(HUIFU_TOKEN)),
    );
    check(
        "huifu::OAuthTokenProvider",
        &huifu::OAuthTokenProvider::new("client-id", SecretKey::new(HUIFU_SECRET)),
    );
    check(
        "huifu::Config with auth",
        &huifu_config_builder()
            .auth(huifu::BearerAuth::new(SecretKey::new(HUIFU_TOKEN)))
            .build()
            .unwrap(),
    );
    check("yunzhanghu::Config", &yzh_config());
    check(
        "yunzhanghu::Client",
        &yunzhanghu::Client::with_transport(yzh_config(), answering(200, "")).unwrap(),
    );
    let keys = yunzhanghu::Keys::new(
        KeyRing::new(SecretKey::new(YZH_APP_KEY)),
        &SecretKey::new(YZH_DES3_KEY),
    )
    .unwrap();
    check("yunzhanghu::Keys", &keys);
    check(
        "crypto_3des::TripleDes",
        &crypto_3des::TripleDes::new(YZH_DES3_KEY.as_bytes()).unwrap(),
    );
    check(
        "sign_md5::ParamSigner",
        &sign_md5::ParamSigner::new(AGG_REQUEST_KEY),
    );
    check(
        "sign_md5::EnvelopeSigner",
        &sign_md5::EnvelopeSigner::new("LFT1001", PROTOCOL_KEY),
    );
}

fn pii_json() -> String {
    serde_json::json!({"bankAccName": NAME, "bankAccNum": CARD, "qpCertNumber": ID_NUMBER, "phone": PHONE})
        .to_string()
}

#[test]
fn envelopes_and_signed_requests() {
    // The envelope's `data` is the request's JSON text, personal data included.
    let env = protocol_pay::Envelope::sign(
        "LFT1001",
        &SecretKey::new(PROTOCOL_KEY),
        pii_json(),
        "20201010123500000",
    );
    check("protocol_pay::Envelope", &env);
    let received = protocol_pay::ReceivedEnvelope::parse(env.to_json().as_bytes()).unwrap();
    assert_eq!(received.data.as_deref(), Some(pii_json().as_str()));
    check("protocol_pay::ReceivedEnvelope", &received);

    let keys = yunzhanghu::Keys::new(
        KeyRing::new(SecretKey::new(YZH_APP_KEY)),
        &SecretKey::new(YZH_DES3_KEY),
    )
    .unwrap();
    check(
        "yunzhanghu::Envelope",
        &yunzhanghu::sign::seal(&pii_json(), "mess", 1_700_000_000, &keys),
    );

    let req = aggregate_pay::TransOrderRequest::new(
        "T20160427210604000491",
        Money::from_fen(12345),
        "http://domain/trans-notify",
        aggregate_pay::codes::BankCode::ChinaMerchantsBank,
        "招商银行",
        aggregate_pay::codes::AccountType::BankCard,
        NAME,
        CARD,
        "江苏",
        "南京",
    );
    check("aggregate_pay::TransOrderRequest", &req);
}

fn protocol_pay_out_order() -> protocol_pay::PayOutOrder {
    serde_json::from_value(serde_json::json!({
        "outReqNo": "LFT1001202010100002", "payStatus": "SUCCESS", "amount": "123.45",
        "bankAccName": NAME, "bankAccNum": CARD, "bankName": "招商银行", "bankCnaps": "308584000013",
        "outType": "1", "channelType": "1",
    }))
    .unwrap()
}

fn protocol_pay_in_order() -> protocol_pay::PayInOrder {
    serde_json::from_value(serde_json::json!({
        "outReqNo": "LFT1001202010100001", "payStatus": "SUCCESS", "amount": "123.45",
        "cardNum": CARD, "qpUserName": NAME, "qpCertNumber": ID_NUMBER, "arrivedStatus": "02",
    }))
    .unwrap()
}

fn yzh_order_detail() -> yunzhanghu::query::OrderDetail {
    yunzhanghu::query::OrderDetail {
        order_id: "202009010016562012987".to_owned(),
        pay: Some(Money::from_fen(100)),
        card_no: CardNumber::new(CARD),
        id_card: IdNumber::new(ID_NUMBER),
        phone_no: PhoneNumber::new(PHONE),
        real_name: PersonName::new(NAME),
        status: yunzhanghu::codes::OrderStatus::from_wire("1"),
        ..Default::default()
    }
}

fn huifu_claims() -> huifu::HfResponse {
    serde_json::from_value(serde_json::json!({
        "resp_code": "C00000", "order_id": "P1", "order_date": "20240101", "trans_amt": "1.50",
        "user_cust_id": "6666000000000001",
    }))
    .unwrap()
}

#[test]
fn verified_notification_events() {
    // aggregate-pay: the events carry no personal data; the verifier must not log the keys.
    let agg =
        aggregate_pay::Client::with_transport(aggregate_config(), answering(200, "")).unwrap();
    let event: aggregate_pay::TransNotification = serde_json::from_value(serde_json::json!({
        "transOrderId": "T1", "mchId": "20001222", "mchTransOrderNo": "T2", "amount": 12345, "status": 2,
    }))
    .unwrap();
    let n = aggregate_pay::test_util::signed_trans_notification(
        &event,
        &SecretKey::new(AGG_RESPONSE_KEY),
    )
    .unwrap();
    let (got, log) = captured(|| agg.verify_notification(&n));
    let got = got.unwrap();
    check("aggregate_pay::Notification", &got);
    assert!(
        leaks(&log).is_empty(),
        "aggregate-pay verification logs {:?}",
        leaks(&log)
    );

    // protocol-pay: the payout and pay-in events carry names, card and ID numbers.
    let protocol =
        protocol_pay::Client::with_transport(protocol_config(), answering(200, "")).unwrap();
    for (n, kind) in [
        (
            protocol_pay::test_util::pay_out_notification(
                protocol.config(),
                &protocol_pay_out_order(),
                "20201010123500000",
            )
            .unwrap(),
            protocol_pay::NotificationKind::PayoutArrived,
        ),
        (
            protocol_pay::test_util::pay_in_notification(
                protocol.config(),
                &protocol_pay_in_order(),
                "20201010123500000",
            )
            .unwrap(),
            protocol_pay::NotificationKind::PayResult,
        ),
    ] {
        let (got, log) = captured(|| {
            block_on(NotificationVerifier::verify_notification(
                &protocol.notifications(kind),
                &n,
            ))
        });
        let got = got.unwrap();
        assert!(serde_json::to_string(&got).unwrap().contains(CARD));
        check("protocol_pay::Notification", &got);
        assert!(
            leaks(&log).is_empty(),
            "protocol-pay verification logs {:?}",
            leaks(&log)
        );
    }

    // yunzhanghu: the event's order has every kind of personal data.
    let yzh = yunzhanghu::Client::with_transport(yzh_config(), answering(200, "")).unwrap();
    let event = yunzhanghu::NotifyEvent {
        notify_id: "n1".to_owned(),
        notify_time: "2020-09-01 00:16:56".to_owned(),
        data: yzh_order_detail(),
        timestamp: 1_700_000_000,
        extra: Default::default(),
    };
    let n = yunzhanghu::test_util::signed_notification(yzh.config(), &event, "mess", 1_700_000_000)
        .unwrap();
    let (got, log) = captured(|| yzh.verify_notify(&n));
    let got = got.unwrap();
    assert_eq!(got.data.card_no.expose(), CARD);
    check("yunzhanghu::NotifyEvent", &got);
    assert!(
        leaks(&log).is_empty(),
        "yunzhanghu verification logs {:?}",
        leaks(&log)
    );

    // huifu: the locally decoded (unverified) claims, and the confirmed event.
    let hf = huifu::Client::with_transport(
        huifu_config(),
        answering(200, serde_json::to_string(&huifu_claims()).unwrap()),
    )
    .unwrap();
    let n = huifu::test_util::callback(&huifu_claims());
    let (got, log) = captured(|| block_on(NotificationVerifier::verify_notification(&hf, &n)));
    check("huifu::ConfirmedCallback", &got.unwrap());
    assert!(
        leaks(&log).is_empty(),
        "huifu confirming verifier logs {:?}",
        leaks(&log)
    );
    let (got, log) = captured(|| block_on(hf.verify_callback(&n, None)));
    check("huifu::CallbackEvent", &got.unwrap());
    assert!(
        leaks(&log).is_empty(),
        "huifu confirmation logs {:?}",
        leaks(&log)
    );
}

/// Huifu's answers and callbacks are open maps: a bind-card or opening answer that echoes the
/// card, mobile, certificate or name lands in `HfResponse::extra` (a `pay_core::Extensions`),
/// whose `Debug` must mask it.
#[test]
fn huifu_response_extra_fields() {
    let with_pii: huifu::HfResponse = serde_json::from_value(serde_json::json!({
        "resp_code": "C00000", "order_id": "P1", "order_date": "20240101",
        "card_no": CARD, "cert_id": ID_NUMBER, "user_mobile": PHONE, "user_name": NAME,
    }))
    .unwrap();
    check("huifu::HfResponse", &with_pii);
}

#[test]
fn successful_responses_and_client_logs() {
    // protocol-pay: a payout query answering with the account holder and number.
    let body = protocol_pay::test_util::signed_response(
        &protocol_config(),
        &protocol_pay_out_order(),
        "20201010123500000",
    )
    .unwrap();
    let protocol =
        protocol_pay::Client::with_transport(protocol_config(), answering(200, body)).unwrap();
    let (got, log) = captured(|| {
        block_on(protocol.outquery(&protocol_pay::OutqueryRequest::new("LFT1001202010100002")))
    });
    let got = got.unwrap();
    assert_eq!(
        got.bank_acc_num.as_ref().map(CardNumber::expose),
        Some(CARD)
    );
    check("protocol_pay::PayOutOrder (answer)", &got);
    assert!(
        leaks(&log).is_empty(),
        "protocol-pay logs {:?}:\n{log}",
        leaks(&log)
    );

    // yunzhanghu: the order query, in clear and encrypted.
    for body in [
        yunzhanghu::test_util::response_body(&yzh_order_detail(), "r1").unwrap(),
        yunzhanghu::test_util::encrypted_response_body(&yzh_config(), &yzh_order_detail(), "r1")
            .unwrap(),
    ] {
        let yzh = yunzhanghu::Client::with_transport(yzh_config(), answering(200, body)).unwrap();
        let query = yunzhanghu::query::QueryOrder {
            order_id: "202009010016562012987".to_owned(),
            data_type: Some(yunzhanghu::codes::DataType::Encryption),
            ..Default::default()
        };
        let (got, log) = captured(|| block_on(yzh.query_realtime_order(&query)));
        let got = got.unwrap();
        assert_eq!(got.data.id_card.expose(), ID_NUMBER);
        check("yunzhanghu::Response<OrderDetail>", &got);
        assert!(
            leaks(&log).is_empty(),
            "yunzhanghu logs {:?}:\n{log}",
            leaks(&log)
        );
    }

    // huifu: an answer without echoed personal data (see `huifu_response_extra_fields`).
    let hf = huifu::Client::with_transport(
        huifu_config(),
        answering(200, serde_json::to_string(&huifu_claims()).unwrap()),
    )
    .unwrap();
    let req = bind_card_request();
    let (got, log) = captured(|| block_on(hf.bind_bank_card(&req)));
    check("huifu::HfResponse (answer)", &got.unwrap());
    assert!(
        leaks(&log).is_empty(),
        "huifu logs {:?}:\n{log}",
        leaks(&log)
    );
}

fn bind_card_request() -> huifu::merchant::BindBankCardRequest {
    huifu::merchant::BindBankCardRequest {
        user_cust_id: "6666000000000001".to_owned(),
        order_id: "B2024010100001".to_owned(),
        order_date: "20240101".to_owned(),
        bank_id: "01030000".to_owned(),
        card_no: CardNumber::new(CARD),
        dc_flag: huifu::codes::DcFlag::from_wire("0"),
        card_prov: "0031".to_owned(),
        card_area: "3100".to_owned(),
        card_mobile: PhoneNumber::new(PHONE),
        bg_ret_url: "http://example.com/bg".to_owned(),
        mer_priv: None,
        extra: Default::default(),
    }
}

fn yzh_bank_card_order() -> yunzhanghu::payout::BankCardOrder {
    yunzhanghu::payout::BankCardOrder {
        order_id: "202009010016562012987".to_owned(),
        real_name: PersonName::new(NAME),
        card_no: CardNumber::new(CARD),
        phone_no: Some(PhoneNumber::new(PHONE)),
        id_card: IdNumber::new(ID_NUMBER),
        pay: Money::from_fen(100),
        ..Default::default()
    }
}

fn protocol_outpay_request() -> protocol_pay::OutpayRequest {
    protocol_pay::OutpayRequest::new(
        protocol_pay::codes::OutType::from_wire("1"),
        "T1",
        "LFT1001202010100002",
        Money::from_fen(12345),
        "http://example.com/notify",
        protocol_pay::BankAccount::new(
            PersonName::new(NAME),
            CardNumber::new(CARD),
            "招商银行",
            "308584000013",
        ),
    )
}

fn aggregate_trans_request() -> aggregate_pay::TransOrderRequest {
    aggregate_pay::TransOrderRequest::new(
        "T20160427210604000491",
        Money::from_fen(12345),
        "http://domain/trans-notify",
        aggregate_pay::codes::BankCode::ChinaMerchantsBank,
        "招商银行",
        aggregate_pay::codes::AccountType::BankCard,
        NAME,
        CARD,
        "江苏",
        "南京",
    )
}

/// The leaks found in `error` (`Debug`, `Display`, the whole source chain, logged).
fn error_leaks(error: &pay_core::Error) -> Vec<&'static str> {
    let mut text = format!("{error}\n{}", rendered(error));
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        text.push_str(&format!("\n{s}\n{s:?}"));
        source = s.source();
    }
    leaks(&text)
}

/// Runs a money-moving call with personal data of every provider over every failing transport;
/// returns `(provider, cell, leaks)` for each cell whose error or logs show a secret.
fn failed_call_leaks() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let mut transports: Vec<(String, SharedTransport)> = vec![
        ("connection refused".to_owned(), failing(false)),
        ("timeout after sending".to_owned(), failing(true)),
    ];
    for (i, (status, body)) in bad_bodies().into_iter().enumerate() {
        transports.push((format!("body {i} ({status})"), answering(status, body)));
    }
    let mut found = Vec::new();
    let mut note = |provider: &'static str, cell: &str, r: Option<&pay_core::Error>, log: &str| {
        let mut l = r.map(error_leaks).unwrap_or_default();
        l.extend(leaks(log));
        l.sort_unstable();
        l.dedup();
        if !l.is_empty() {
            found.push((provider, cell.to_owned(), l));
        }
    };
    for (cell, transport) in transports {
        let agg =
            aggregate_pay::Client::with_transport(aggregate_config(), transport.clone()).unwrap();
        let (r, log) = captured(|| block_on(agg.trans_create_order(&aggregate_trans_request())));
        note(
            "aggregate-pay trans_create_order",
            &cell,
            Some(&r.unwrap_err()),
            &log,
        );

        let protocol =
            protocol_pay::Client::with_transport(protocol_config(), transport.clone()).unwrap();
        let (r, log) = captured(|| block_on(protocol.outpay(&protocol_outpay_request())));
        note("protocol-pay outpay", &cell, Some(&r.unwrap_err()), &log);

        let hf = huifu::Client::with_transport(
            huifu_config_builder()
                .auth(huifu::BearerAuth::new(SecretKey::new(HUIFU_TOKEN)))
                .build()
                .unwrap(),
            transport.clone(),
        )
        .unwrap();
        let (r, log) = captured(|| block_on(hf.bind_bank_card(&bind_card_request())));
        // Huifu answers are unsigned open maps: some bodies decode as an answer.
        note("huifu bind_bank_card", &cell, r.as_ref().err(), &log);

        let yzh = yunzhanghu::Client::with_transport(yzh_config(), transport).unwrap();
        let (r, log) = captured(|| block_on(yzh.order_realtime(&yzh_bank_card_order())));
        note(
            "yunzhanghu order_realtime",
            &cell,
            Some(&r.unwrap_err()),
            &log,
        );
    }
    found
}

/// Every way a money-moving call with personal data can fail: the error and the client's logs
/// show none of it.
#[test]
fn errors_of_failed_calls_holding_personal_data() {
    let found = failed_call_leaks();
    assert!(found.is_empty(), "leaks: {found:#?}");
}

/// serde's messages quote the offending value (`invalid type: string "…", expected …`); the
/// `Decode` error built by `pay_core::decode::json` must not carry it into its `Debug`,
/// `Display` or source chain (and from there into logs) when the value is personal data.
#[test]
fn decode_errors_do_not_quote_values() {
    let body =
        serde_json::json!({"amount": format!("{CARD} {ID_NUMBER} {PHONE} {NAME}")}).to_string();
    let e = pay_core::decode::json::<std::collections::BTreeMap<String, i64>>(body.as_bytes())
        .unwrap_err();
    assert!(matches!(e, pay_core::Error::Decode { .. }));
    assert_eq!(error_leaks(&e), Vec::<&str>::new());
}

/// Invalid personal data is refused before sending, naming the field, not quoting the value.
#[test]
fn validation_errors_do_not_quote_the_value() {
    const BAD_ID: &str = "110105194912310021"; // wrong check digit
    const BAD_PHONE: &str = "23912345678";
    let quoted = |e: &pay_core::Error| {
        let text = format!("{e}\n{e:?}\n{}", rendered(e));
        text.contains(BAD_ID) || text.contains(BAD_PHONE) || !leaks(&text).is_empty()
    };
    let yzh = yunzhanghu::Client::with_transport(yzh_config(), answering(200, "")).unwrap();
    let mut order = yzh_bank_card_order();
    order.id_card = IdNumber::new(BAD_ID);
    let e = block_on(yzh.order_realtime(&order)).unwrap_err();
    assert!(matches!(e, pay_core::Error::InvalidInput { .. }), "{e:?}");
    assert!(!quoted(&e), "{e:?}");
    let mut order = yzh_bank_card_order();
    order.phone_no = Some(PhoneNumber::new(BAD_PHONE));
    let e = block_on(yzh.order_realtime(&order)).unwrap_err();
    assert!(matches!(e, pay_core::Error::InvalidInput { .. }), "{e:?}");
    assert!(!quoted(&e), "{e:?}");

    let hf = huifu::Client::with_transport(huifu_config(), answering(200, "")).unwrap();
    let mut req = bind_card_request();
    req.card_mobile = PhoneNumber::new(BAD_PHONE);
    let e = block_on(hf.bind_bank_card(&req)).unwrap_err();
    assert!(matches!(e, pay_core::Error::InvalidInput { .. }), "{e:?}");
    assert!(!quoted(&e), "{e:?}");
}

/// The detector itself: a plain string holding personal data is caught in every rendering, and
/// the captured log does receive what is logged (so the checks above can fail).
#[test]
fn the_detector_catches_plain_values_and_the_log_is_captured() {
    let text = rendered(&format!("marker {CARD}"));
    assert_eq!(text.matches("marker").count(), 6, "{text}");
    assert_eq!(leaks(&text), vec![CARD]);
    assert_eq!(
        leaks(&serde_json::json!({ "n": NAME }).to_string()),
        vec![NAME]
    );
    assert_eq!(leaks(&format!("{:?}", NAME)), vec![NAME]);
    assert_eq!(
        leaks(&pay_core::form::encode([("n", NAME)])),
        vec![NAME],
        "percent-encoded"
    );
    let ((), log) = captured(|| tracing::trace!(card = CARD, "trace level"));
    assert_eq!(leaks(&log), vec![CARD]);
}

/// Fields a provider adds beyond its spec land in each type's open `extra` map; when they hold
/// personal data (under a card, ID, phone or name key, or as a long run of digits in any text),
/// `Debug` masks them.
#[test]
fn open_extension_fields_of_every_provider() {
    let extra = serde_json::json!({
        "bank_card_no": CARD, "cert_no": ID_NUMBER, "mobile_no": PHONE, "payer_name": NAME,
        "note": format!("card {CARD} phone {PHONE}"),
    });
    let with = |base: serde_json::Value| {
        let mut v = base;
        for (k, x) in extra.as_object().unwrap() {
            v.as_object_mut().unwrap().insert(k.clone(), x.clone());
        }
        v
    };
    let agg: aggregate_pay::PayNotification = serde_json::from_value(with(serde_json::json!({
        "payOrderId": "P01", "mchId": "20001222", "mchOrderNo": "M01", "amount": 100, "status": 2,
    })))
    .unwrap();
    assert_eq!(
        agg.extra.get("bank_card_no").and_then(|v| v.as_str()),
        Some(CARD)
    );
    check("aggregate_pay::PayNotification.extra", &agg);

    let mut pay_in = serde_json::to_value(protocol_pay_in_order()).unwrap();
    pay_in = with(pay_in);
    let pay_in: protocol_pay::PayInOrder = serde_json::from_value(pay_in).unwrap();
    assert!(serde_json::to_string(&pay_in).unwrap().contains(PHONE));
    check("protocol_pay::PayInOrder.extra", &pay_in);
    let pay_out: protocol_pay::PayOutOrder = serde_json::from_value(with(
        serde_json::to_value(protocol_pay_out_order()).unwrap(),
    ))
    .unwrap();
    check("protocol_pay::PayOutOrder.extra", &pay_out);

    let detail: yunzhanghu::query::OrderDetail =
        serde_json::from_value(with(serde_json::to_value(yzh_order_detail()).unwrap())).unwrap();
    assert!(serde_json::to_string(&detail).unwrap().contains(PHONE));
    check("yunzhanghu::query::OrderDetail.extra", &detail);
    let event = yunzhanghu::NotifyEvent {
        notify_id: "n1".to_owned(),
        notify_time: "2020-09-01 00:16:56".to_owned(),
        data: yunzhanghu::query::OrderDetail::default(),
        timestamp: 0,
        extra: serde_json::from_value(extra.clone()).unwrap(),
    };
    check("yunzhanghu::NotifyEvent.extra", &event);

    let hf: huifu::HfResponse =
        serde_json::from_value(with(serde_json::json!({"resp_code": "C00000"}))).unwrap();
    check("huifu::HfResponse.extra", &hf);
}

//! Identity checks (2.3 用户信息验证接口), the Alipay authorisation (`auth-alipay`) and the ID
//! card image upload (2.4 身份信息上传接口).

use bytes::Bytes;
use pay_core::multipart::FilePart;
use pay_core::{CardNumber, Error, Extensions, IdNumber, PersonName, PhoneNumber};
use serde::{Deserialize, Serialize};

use http::Method;
use pay_core::operation::FieldDoc;
use pay_core::{CallKind, Operation};

use crate::client::{Client, Empty, Endpoint, Response};
use crate::field_docs as docs;
use crate::validate;

macro_rules! endpoint {
    ($t:ty, $op:literal, $path:literal, post = $post:literal, mutation = $mutation:literal,
     dealer = $dealer:literal, broker = $broker:literal, fields = [$($f:literal),*], response = $resp:ty,
     docs = $docs:expr, example = $example:expr) => {
        impl Operation for $t {
            type Answer = $resp;
            const NAME: &'static str = $op;
            const METHOD: Method = if $post { Method::POST } else { Method::GET };
            const PATH: &'static str = $path;
            const FIELDS: &'static [FieldDoc] = $docs;
            const EXAMPLE: &'static str = $example;

            fn kind(&self) -> CallKind {
                if $mutation {
                    CallKind::Mutation { order_id: None }
                } else {
                    CallKind::Query
                }
            }

            fn validate(&self) -> Result<(), Error> {
                self.check()
            }
        }

        impl Endpoint for $t {
            const DEALER_ID: bool = $dealer;
            const BROKER_ID: bool = $broker;
            const FIELDS: &'static [&'static str] = &[$($f),*];

            fn extra(&self) -> &Extensions {
                &self.extra
            }
        }
    };
}

/// The request fields of the four-factor checks (card, ID number, name, phone).
const FOUR_FACTORS: &[FieldDoc] = &[
    docs::BANK_CARD_NO,
    docs::ID_CARD,
    docs::REAL_NAME,
    docs::MOBILE,
];
/// A working request of the four-factor checks.
const FOUR_FACTORS_EXAMPLE: &str = r#"{"card_no":"6214833103928337","id_card":"11010519491231002X","real_name":"张三","mobile":"18612341234"}"#;

/// Bank-card four-factor check, step 1: send an SMS code (`POST /authentication/verify-request`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyRequest {
    /// The bank card number.
    pub card_no: CardNumber,
    /// The holder's resident ID number.
    pub id_card: IdNumber,
    /// The holder's name.
    pub real_name: PersonName,
    /// The phone number the bank has for the card.
    pub mobile: PhoneNumber,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl VerifyRequest {
    fn check(&self) -> Result<(), Error> {
        validate::bank_card("card_no", &self.card_no)?;
        validate::id_card("id_card", &self.id_card)?;
        validate::name("real_name", &self.real_name)?;
        validate::phone("mobile", &self.mobile)
    }
}

endpoint!(
    VerifyRequest,
    "verify-request",
    "/authentication/verify-request",
    post = true,
    mutation = true,
    dealer = false,
    broker = false,
    fields = ["card_no", "id_card", "real_name", "mobile"],
    response = VerifyRequestAnswer,
    docs = FOUR_FACTORS,
    example = FOUR_FACTORS_EXAMPLE
);

/// The answer to [`VerifyRequest`]: the reference to confirm with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyRequestAnswer {
    /// The transaction reference (交易凭证), needed by [`VerifyConfirm`].
    #[serde(rename = "ref", default)]
    pub reference: String,
    /// Fields the provider may add.
    #[serde(flatten)]
    pub extra: Extensions,
}

/// Bank-card four-factor check, step 2: confirm with the SMS code
/// (`POST /authentication/verify-confirm`). The code is valid for one minute.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyConfirm {
    /// The bank card number.
    pub card_no: CardNumber,
    /// The holder's resident ID number.
    pub id_card: IdNumber,
    /// The holder's name.
    pub real_name: PersonName,
    /// The phone number the bank has for the card.
    pub mobile: PhoneNumber,
    /// The SMS code.
    pub captcha: String,
    /// The reference from [`VerifyRequestAnswer`].
    #[serde(rename = "ref")]
    pub reference: String,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl std::fmt::Debug for VerifyConfirm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyConfirm")
            .field("card_no", &self.card_no)
            .field("id_card", &self.id_card)
            .field("real_name", &self.real_name)
            .field("mobile", &self.mobile)
            .field("captcha", &"***")
            .field("reference", &self.reference)
            .field("extra", &self.extra)
            .finish()
    }
}

impl VerifyConfirm {
    fn check(&self) -> Result<(), Error> {
        validate::bank_card("card_no", &self.card_no)?;
        validate::id_card("id_card", &self.id_card)?;
        validate::name("real_name", &self.real_name)?;
        validate::phone("mobile", &self.mobile)?;
        pay_core::validate::required_max("captcha", &self.captcha, 16)?;
        pay_core::validate::required("ref", &self.reference)
    }
}

endpoint!(
    VerifyConfirm,
    "verify-confirm",
    "/authentication/verify-confirm",
    post = true,
    mutation = true,
    dealer = false,
    broker = false,
    fields = [
        "card_no",
        "id_card",
        "real_name",
        "mobile",
        "captcha",
        "ref"
    ],
    response = Empty,
    docs = &[
        docs::BANK_CARD_NO,
        docs::ID_CARD,
        docs::REAL_NAME,
        docs::MOBILE,
        FieldDoc::required(
            "captcha",
            "string, 1 to 16 characters; valid for one minute",
            "短信验证码 (the SMS code the card holder received)",
        ),
        FieldDoc::required(
            "ref",
            "string, not empty: the ref of verify-request's answer",
            "交易凭证 (the transaction reference from verify-request)",
        ),
    ],
    example = r#"{"card_no":"6214833103928337","id_card":"11010519491231002X","real_name":"张三","mobile":"18612341234","captcha":"861134","ref":"rx0g4iiLWoWA=="}"#
);

/// Bank-card four-factor check in one step
/// (`POST /authentication/verify-bankcard-four-factor`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyBankcardFourFactor {
    /// The bank card number.
    pub card_no: CardNumber,
    /// The holder's resident ID number.
    pub id_card: IdNumber,
    /// The holder's name.
    pub real_name: PersonName,
    /// The phone number the bank has for the card.
    pub mobile: PhoneNumber,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl VerifyBankcardFourFactor {
    fn check(&self) -> Result<(), Error> {
        validate::bank_card("card_no", &self.card_no)?;
        validate::id_card("id_card", &self.id_card)?;
        validate::name("real_name", &self.real_name)?;
        validate::phone("mobile", &self.mobile)
    }
}

endpoint!(
    VerifyBankcardFourFactor,
    "verify-bankcard-four-factor",
    "/authentication/verify-bankcard-four-factor",
    post = true,
    mutation = false,
    dealer = false,
    broker = false,
    fields = ["card_no", "id_card", "real_name", "mobile"],
    response = Empty,
    docs = FOUR_FACTORS,
    example = FOUR_FACTORS_EXAMPLE
);

/// Bank-card three-factor check (`POST /authentication/verify-bankcard-three-factor`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyBankcardThreeFactor {
    /// The bank card number.
    pub card_no: CardNumber,
    /// The holder's resident ID number.
    pub id_card: IdNumber,
    /// The holder's name.
    pub real_name: PersonName,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl VerifyBankcardThreeFactor {
    fn check(&self) -> Result<(), Error> {
        validate::bank_card("card_no", &self.card_no)?;
        validate::id_card("id_card", &self.id_card)?;
        validate::name("real_name", &self.real_name)
    }
}

endpoint!(
    VerifyBankcardThreeFactor,
    "verify-bankcard-three-factor",
    "/authentication/verify-bankcard-three-factor",
    post = true,
    mutation = false,
    dealer = false,
    broker = false,
    fields = ["card_no", "id_card", "real_name"],
    response = Empty,
    docs = &[docs::BANK_CARD_NO, docs::ID_CARD, docs::REAL_NAME],
    example = r#"{"card_no":"6214833103928337","id_card":"11010519491231002X","real_name":"张三"}"#
);

/// ID number and name check (`POST /authentication/verify-id`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyId {
    /// The resident ID number.
    pub id_card: IdNumber,
    /// The name.
    pub real_name: PersonName,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl VerifyId {
    fn check(&self) -> Result<(), Error> {
        validate::id_card("id_card", &self.id_card)?;
        validate::name("real_name", &self.real_name)
    }
}

endpoint!(
    VerifyId,
    "verify-id",
    "/authentication/verify-id",
    post = true,
    mutation = false,
    dealer = false,
    broker = false,
    fields = ["id_card", "real_name"],
    response = Empty,
    docs = &[docs::ID_CARD, docs::REAL_NAME],
    example = r#"{"id_card":"11010519491231002X","real_name":"张三"}"#
);

/// The Alipay authorisation string for the app SDK (`GET /api/payment/v1/auth-alipay`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthAlipay {
    /// The broker id; the config's when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_id: Option<String>,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl AuthAlipay {
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
}

endpoint!(
    AuthAlipay,
    "auth-alipay",
    "/api/payment/v1/auth-alipay",
    post = false,
    mutation = false,
    dealer = false,
    broker = true,
    fields = ["broker_id"],
    response = AlipayAuthInfo,
    docs = &[docs::BROKER_ID],
    example = "{}"
);

/// The answer to [`AuthAlipay`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlipayAuthInfo {
    /// The signed authorisation parameters to hand to the Alipay SDK.
    #[serde(default)]
    pub info: String,
    /// Fields the provider may add.
    #[serde(flatten)]
    pub extra: Extensions,
}

/// The ID card image upload (`POST /api/payment/v1/sign/idcard/image`, multipart): the
/// envelope plus the files `id_card_image` (front) and `id_card_image_background` (back).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IdCardImage {
    /// The dealer id; the config's when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealer_id: Option<String>,
    /// The broker id; the config's when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_id: Option<String>,
    /// The user's name.
    pub real_name: PersonName,
    /// The user's resident ID number.
    pub id_card: IdNumber,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl IdCardImage {
    fn check(&self) -> Result<(), Error> {
        validate::name("real_name", &self.real_name)?;
        validate::id_card("id_card", &self.id_card)
    }
}

/// The ID card upload as sent: the request's fields in the sealed envelope, then the two images
/// as multipart parts.
#[derive(Serialize)]
pub(crate) struct IdCardUpload<'a> {
    #[serde(flatten)]
    request: &'a IdCardImage,
    #[serde(skip)]
    files: [FilePart; 2],
}

impl Operation for IdCardUpload<'_> {
    type Answer = Empty;
    const NAME: &'static str = "sign-idcard-image";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/payment/v1/sign/idcard/image";
    /// The data fields; the two images are files (`id_card_image`, `id_card_image_background`).
    const FIELDS: &'static [FieldDoc] = &[docs::BROKER_ID, docs::REAL_NAME, docs::ID_CARD];
    const EXAMPLE: &'static str = r#"{"real_name":"张三","id_card":"11010519491231002X"}"#;

    fn kind(&self) -> CallKind {
        CallKind::Mutation { order_id: None }
    }

    fn validate(&self) -> Result<(), Error> {
        self.request.check()
    }
}

impl Endpoint for IdCardUpload<'_> {
    const DEALER_ID: bool = true;
    const BROKER_ID: bool = true;
    const FIELDS: &'static [&'static str] = &["dealer_id", "broker_id", "real_name", "id_card"];

    fn extra(&self) -> &Extensions {
        &self.request.extra
    }

    fn files(&self) -> &[FilePart] {
        &self.files
    }
}

/// The multipart field of the ID card's front image.
pub const ID_CARD_IMAGE: &str = "id_card_image";
/// The multipart field of the ID card's back image.
pub const ID_CARD_IMAGE_BACKGROUND: &str = "id_card_image_background";

/// An image file for [`Client::sign_idcard_image`].
pub fn image_part(
    field: &str,
    file_name: impl Into<String>,
    content_type: impl Into<String>,
    data: impl Into<Bytes>,
) -> FilePart {
    FilePart {
        field: field.to_owned(),
        file_name: file_name.into(),
        content_type: content_type.into(),
        data: data.into(),
    }
}

impl Client {
    /// Sends the SMS code of a four-factor check (`POST /authentication/verify-request`).
    /// Within the code's minute a repeat answers success without a new SMS.
    ///
    /// # Errors
    /// [`Error::InvalidInput`]; [`Error::Provider`] when the provider refuses (`2002` here means
    /// a field is wrong, not a duplicate).
    pub async fn verify_request(
        &self,
        req: &VerifyRequest,
    ) -> Result<Response<VerifyRequestAnswer>, Error> {
        self.execute(req).await
    }

    /// Confirms a four-factor check with the SMS code (`POST /authentication/verify-confirm`).
    ///
    /// # Errors
    /// As [`Client::verify_request`].
    pub async fn verify_confirm(&self, req: &VerifyConfirm) -> Result<Response<Empty>, Error> {
        self.execute(req).await
    }

    /// Checks card, ID number, name and phone (`POST /authentication/verify-bankcard-four-factor`).
    ///
    /// # Errors
    /// [`Error::Provider`] when they do not match.
    pub async fn verify_bankcard_four_factor(
        &self,
        req: &VerifyBankcardFourFactor,
    ) -> Result<Response<Empty>, Error> {
        self.execute(req).await
    }

    /// Checks card, ID number and name (`POST /authentication/verify-bankcard-three-factor`).
    ///
    /// # Errors
    /// [`Error::Provider`] when they do not match.
    pub async fn verify_bankcard_three_factor(
        &self,
        req: &VerifyBankcardThreeFactor,
    ) -> Result<Response<Empty>, Error> {
        self.execute(req).await
    }

    /// Checks an ID number against a name (`POST /authentication/verify-id`).
    ///
    /// # Errors
    /// [`Error::Provider`] when they do not match.
    pub async fn verify_id(&self, req: &VerifyId) -> Result<Response<Empty>, Error> {
        self.execute(req).await
    }

    /// Gets the Alipay authorisation string (`GET /api/payment/v1/auth-alipay`).
    ///
    /// # Errors
    /// [`Error::Provider`]; transport and decode errors.
    pub async fn auth_alipay(&self, req: &AuthAlipay) -> Result<Response<AlipayAuthInfo>, Error> {
        self.execute(req).await
    }

    /// Uploads the front and back images of an ID card
    /// (`POST /api/payment/v1/sign/idcard/image`, multipart).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `id_card_image` / `id_card_image_background` when an image is
    /// empty; otherwise as any call.
    pub async fn sign_idcard_image(
        &self,
        req: &IdCardImage,
        front: FilePart,
        back: FilePart,
    ) -> Result<Response<Empty>, Error> {
        let mut front = front;
        let mut back = back;
        front.field = ID_CARD_IMAGE.to_owned();
        back.field = ID_CARD_IMAGE_BACKGROUND.to_owned();
        if front.data.is_empty() {
            return Err(Error::invalid_input(ID_CARD_IMAGE, "is empty"));
        }
        if back.data.is_empty() {
            return Err(Error::invalid_input(ID_CARD_IMAGE_BACKGROUND, "is empty"));
        }
        self.execute(&IdCardUpload {
            request: req,
            files: [front, back],
        })
        .await
    }
}

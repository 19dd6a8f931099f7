//! File uploads (multipart): `upload_card` (`file1`, `file2`), `upload_agent_file` and
//! `upload_merchant_file` (`file`).
//!
//! A file comes from a path, from bytes, or from a reader ([`FileSource`]). Before anything is
//! sent, each file is read up to the size limit ([`crate::ConfigBuilder::max_upload_bytes`], default
//! 5 MiB; the spec gives none) and must not be empty.
//!
//! **Types.** `upload_card`'s `file1`/`file2` are "身份证正面照/反面照" (photos): JPEG or PNG,
//! recognised from their first bytes. `upload_agent_file` and `upload_merchant_file` take ANY
//! file, since the spec sets no type and `trans_type` `06` (批量代发, batch payout) uploads a
//! payout list, typically a CSV. The part's `Content-Type` is the type recognised from the
//! first bytes (JPEG, PNG, PDF), else the one the file name's extension names (`.csv`
//! `text/csv`, `.txt` `text/plain`, `.xls`, `.xlsx`, `.zip`), else `application/octet-stream`.
//!
//! **The file name.** The spec: "文件名称为 UTF-8 字符集, URLEncode 编码后的字符串". The name is
//! sent as the `filename` of its part, its UTF-8 bytes percent-encoded as RFC 3986 / PHP
//! `rawurlencode` does ([`crate::sign::rawurlencode`]: everything but `A–Z a–z 0–9 - _ . ~` as
//! `%XX`, a space as `%20`). Why this one: it is the only encoding that a Java
//! `URLDecoder.decode(name, "UTF-8")` (what "URLEncode" most likely means on Huifu's Java
//! side) and a plain RFC 3986 percent-decoder read back to the same name; Java's
//! `URLEncoder.encode` form (a space as `+`) would come back with a `+` from the latter. The
//! encoded name is plain ASCII, so no `filename*` parameter is needed.
//!
//! The text fields go first, as form-data fields, and are the fields the Prism sign covers.

use std::fmt;
use std::path::PathBuf;

use bytes::Bytes;
use http::Method;
use pay_core::multipart::FilePart;
use pay_core::{CallKind, Error, Extensions, IdNumber, Operation, PersonName};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::client::{Client, Endpoint};
use crate::codes::{AttachType, FileUploadType, SourceChannel, UploadCertType, UploadTransType};
use crate::fields;
use crate::response::HfResponse;
use crate::types;
use pay_core::operation::FieldDoc;

/// `POST /api/hfpay/v1/merchant/upload_card`.
pub const UPLOAD_CARD: &str = "/api/hfpay/v1/merchant/upload_card";
/// `POST /api/hfpay/v1/merchant/upload_agent_file`.
pub const UPLOAD_AGENT_FILE: &str = "/api/hfpay/v1/merchant/upload_agent_file";
/// `POST /api/hfpay/v1/merchant/upload_merchant_file`.
pub const UPLOAD_MERCHANT_FILE: &str = "/api/hfpay/v1/merchant/upload_merchant_file";

/// A file recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (`89 50 4E 47 0D 0A 1A 0A`).
    Png,
    /// PDF (`%PDF-`).
    Pdf,
}

impl FileKind {
    /// Recognises the kind from the first bytes.
    pub fn sniff(data: &[u8]) -> Option<FileKind> {
        if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if data.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(FileKind::Png)
        } else if data.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else {
            None
        }
    }

    /// The MIME type.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Pdf => "application/pdf",
        }
    }
}

const IMAGES: &[FileKind] = &[FileKind::Jpeg, FileKind::Png];

/// The `Content-Type` of a file of any type: its recognised kind, else its extension's type,
/// else `application/octet-stream`.
pub fn content_type_of(file_name: &str, data: &[u8]) -> &'static str {
    if let Some(kind) = FileKind::sniff(data) {
        return kind.content_type();
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => "text/csv",
        "txt" => "text/plain",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Where a file's content comes from.
pub enum FileSource {
    /// A file on disk; its size is checked from its metadata before it is read.
    Path(PathBuf),
    /// Content in memory.
    Bytes {
        /// The file name to send.
        file_name: String,
        /// The content.
        data: Bytes,
    },
    /// Content read from a stream, up to the size limit.
    Reader {
        /// The file name to send.
        file_name: String,
        /// The stream.
        reader: Box<dyn AsyncRead + Send + Unpin>,
    },
}

impl fmt::Debug for FileSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileSource::Path(p) => f.debug_tuple("Path").field(p).finish(),
            FileSource::Bytes { file_name, data } => f
                .debug_struct("Bytes")
                .field("file_name", file_name)
                .field("len", &data.len())
                .finish(),
            FileSource::Reader { file_name, .. } => f
                .debug_struct("Reader")
                .field("file_name", file_name)
                .finish_non_exhaustive(),
        }
    }
}

impl FileSource {
    /// A file on disk.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        FileSource::Path(path.into())
    }

    /// Content in memory.
    pub fn bytes(file_name: impl Into<String>, data: impl Into<Bytes>) -> Self {
        FileSource::Bytes {
            file_name: file_name.into(),
            data: data.into(),
        }
    }

    /// Content from a stream.
    pub fn reader(
        file_name: impl Into<String>,
        reader: impl AsyncRead + Send + Unpin + 'static,
    ) -> Self {
        FileSource::Reader {
            file_name: file_name.into(),
            reader: Box::new(reader),
        }
    }

    /// Reads the content, checking size and, when `allowed` is given, kind; `field` names the
    /// multipart field in errors.
    pub(crate) async fn load(
        self,
        field: &'static str,
        max: usize,
        allowed: Option<&[FileKind]>,
    ) -> Result<FilePart, Error> {
        let too_big = || Error::invalid_input(field, format!("is larger than {max} bytes"));
        let (file_name, data) = match self {
            FileSource::Path(path) => {
                let meta = tokio::fs::metadata(&path).await.map_err(|e| {
                    Error::invalid_input(field, format!("cannot read the file: {e}"))
                })?;
                if u64::try_from(max).is_ok_and(|m| meta.len() > m) {
                    return Err(too_big());
                }
                let data = tokio::fs::read(&path).await.map_err(|e| {
                    Error::invalid_input(field, format!("cannot read the file: {e}"))
                })?;
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| field.to_owned());
                (name, Bytes::from(data))
            }
            FileSource::Bytes { file_name, data } => (file_name, data),
            FileSource::Reader { file_name, reader } => {
                let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
                let mut buf = Vec::new();
                reader
                    .take(limit)
                    .read_to_end(&mut buf)
                    .await
                    .map_err(|e| {
                        Error::invalid_input(field, format!("cannot read the stream: {e}"))
                    })?;
                (file_name, Bytes::from(buf))
            }
        };
        if data.len() > max {
            return Err(too_big());
        }
        if data.is_empty() {
            return Err(Error::invalid_input(field, "is empty"));
        }
        types::required(field, &file_name)?;
        let content_type = match allowed {
            Some(allowed) => only_kinds(field, &data, allowed)?.content_type(),
            None => content_type_of(&file_name, &data),
        };
        Ok(FilePart {
            field: field.to_owned(),
            file_name: crate::sign::rawurlencode(&file_name),
            content_type: content_type.to_owned(),
            data,
        })
    }
}

/// The kind of `data` when it is one of `allowed`.
fn only_kinds(field: &'static str, data: &[u8], allowed: &[FileKind]) -> Result<FileKind, Error> {
    FileKind::sniff(data)
        .filter(|k| allowed.contains(k))
        .ok_or_else(|| {
            let names: Vec<&str> = allowed
                .iter()
                .map(|k| match k {
                    FileKind::Jpeg => "JPEG",
                    FileKind::Png => "PNG",
                    FileKind::Pdf => "PDF",
                })
                .collect();
            Error::invalid_input(field, format!("must be a {} file", names.join(" or ")))
        })
}

/// Personal ID card photos (`upload_card`); the two images are passed to
/// [`Client::upload_card`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadCardRequest {
    /// 用户客户号.
    pub user_cust_id: String,
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 证件号.
    pub cert_id: IdNumber,
    /// 证件姓名.
    pub cert_name: PersonName,
    /// `00`: ID card.
    pub cert_type: UploadCertType,
    /// 来源渠道.
    pub source_channel: SourceChannel,
    /// 后台通知地址.
    pub bg_ret_url: String,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl UploadCardRequest {
    fn check(&self) -> Result<(), Error> {
        types::required("user_cust_id", &self.user_cust_id)?;
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        self.cert_id.validate_cn_resident("cert_id")?;
        types::name("cert_name", &self.cert_name)?;
        if self.cert_type != UploadCertType::IdCard {
            return Err(Error::invalid_input("cert_type", "must be 00 (ID card)"));
        }
        if !self.source_channel.is_known() {
            return Err(Error::invalid_input("source_channel", "must be 0, 1 or 2"));
        }
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

/// An agent's or individual business's document (`upload_agent_file`, `upload_merchant_file`);
/// the file is passed to the client method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadFileRequest {
    /// 附件编号 (unique per merchant).
    pub attach_no: String,
    /// 业务类型.
    pub trans_type: UploadTransType,
    /// 附件类型.
    pub attach_type: AttachType,
    /// 文件描述.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach_desc: Option<String>,
    /// 上传类型 (default: new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_upload_type: Option<FileUploadType>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

/// Whose document an [`UploadFileRequest`] uploads: the endpoints differ in the types they
/// accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileOwner {
    /// `upload_agent_file`: any business type; not the card photos (`13`, `14`).
    Agent,
    /// `upload_merchant_file`: an individual business (`05`) only.
    Merchant,
}

impl UploadFileRequest {
    fn check(&self, owner: FileOwner) -> Result<(), Error> {
        let merchant = owner == FileOwner::Merchant;
        types::required("attach_no", &self.attach_no)?;
        if !self.trans_type.is_known() {
            return Err(Error::invalid_input(
                "trans_type",
                "is not a known business type",
            ));
        }
        if merchant && self.trans_type != UploadTransType::Individual {
            return Err(Error::invalid_input(
                "trans_type",
                "must be 05 (individual business) for merchant files",
            ));
        }
        if !self.attach_type.is_known() {
            return Err(Error::invalid_input(
                "attach_type",
                "is not a known attachment type",
            ));
        }
        if !merchant
            && matches!(
                self.attach_type,
                AttachType::CardFront | AttachType::CardBack
            )
        {
            return Err(Error::invalid_input(
                "attach_type",
                "13 and 14 are for merchant files only",
            ));
        }
        Ok(())
    }
}

/// `upload_card`: the request and its two photos, loaded ([`Client::upload_card`]).
#[derive(Debug)]
pub struct UploadCard<'a> {
    request: &'a UploadCardRequest,
    files: [FilePart; 2],
}

/// `upload_agent_file`: the request and its file, loaded ([`Client::upload_agent_file`]).
#[derive(Debug)]
pub struct UploadAgentFile<'a> {
    request: &'a UploadFileRequest,
    file: FilePart,
}

/// `upload_merchant_file`: the request and its file, loaded
/// ([`Client::upload_merchant_file`]).
#[derive(Debug)]
pub struct UploadMerchantFile<'a> {
    request: &'a UploadFileRequest,
    file: FilePart,
}

impl Operation for UploadCard<'_> {
    type Answer = HfResponse;
    const NAME: &'static str = "upload-card";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = UPLOAD_CARD;
    const FIELDS: &'static [FieldDoc] = fields::UPLOAD_CARD_FIELDS;
    const EXAMPLE: &'static str = fields::UPLOAD_CARD_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.request.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        self.request.check()
    }
}

impl Operation for UploadAgentFile<'_> {
    type Answer = HfResponse;
    const NAME: &'static str = "upload-agent-file";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = UPLOAD_AGENT_FILE;
    const FIELDS: &'static [FieldDoc] = fields::UPLOAD_AGENT_FILE_FIELDS;
    const EXAMPLE: &'static str = fields::UPLOAD_AGENT_FILE_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.request.attach_no.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        self.request.check(FileOwner::Agent)
    }
}

impl Operation for UploadMerchantFile<'_> {
    type Answer = HfResponse;
    const NAME: &'static str = "upload-merchant-file";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = UPLOAD_MERCHANT_FILE;
    const FIELDS: &'static [FieldDoc] = fields::UPLOAD_MERCHANT_FILE_FIELDS;
    const EXAMPLE: &'static str = fields::UPLOAD_MERCHANT_FILE_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.request.attach_no.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        self.request.check(FileOwner::Merchant)
    }
}

impl Endpoint for UploadCard<'_> {
    type Fields = UploadCardRequest;
    fn fields(&self) -> &UploadCardRequest {
        self.request
    }
    fn files(&self) -> &[FilePart] {
        &self.files
    }
}

impl Endpoint for UploadAgentFile<'_> {
    type Fields = UploadFileRequest;
    fn fields(&self) -> &UploadFileRequest {
        self.request
    }
    fn files(&self) -> &[FilePart] {
        std::slice::from_ref(&self.file)
    }
}

impl Endpoint for UploadMerchantFile<'_> {
    type Fields = UploadFileRequest;
    fn fields(&self) -> &UploadFileRequest {
        self.request
    }
    fn files(&self) -> &[FilePart] {
        std::slice::from_ref(&self.file)
    }
}

impl Client {
    /// Uploads the front (`file1`) and back (`file2`) of an ID card.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad field or a file that is too large, empty or not a
    /// JPEG/PNG (nothing is sent); otherwise as [`Client::merchant_opening`].
    pub async fn upload_card(
        &self,
        req: &UploadCardRequest,
        file1: FileSource,
        file2: FileSource,
    ) -> Result<HfResponse, Error> {
        req.check()?;
        let max = self.config.max_upload_bytes;
        let f1 = file1.load("file1", max, Some(IMAGES)).await?;
        let f2 = file2.load("file2", max, Some(IMAGES)).await?;
        self.run(&UploadCard {
            request: req,
            files: [f1, f2],
        })
        .await
    }

    /// Uploads an agent's document (`file`), of any type: for `trans_type` `06` (批量代发) the
    /// payout list, e.g. a CSV.
    ///
    /// # Errors
    /// As [`Client::upload_card`] (any type; empty or too large refused).
    pub async fn upload_agent_file(
        &self,
        req: &UploadFileRequest,
        file: FileSource,
    ) -> Result<HfResponse, Error> {
        req.check(FileOwner::Agent)?;
        let file = self.load_any(file).await?;
        self.run(&UploadAgentFile { request: req, file }).await
    }

    /// Uploads an individual business's document (`file`, of any type; `trans_type` must be
    /// `05`).
    ///
    /// # Errors
    /// As [`Client::upload_card`] (any type; empty or too large refused).
    pub async fn upload_merchant_file(
        &self,
        req: &UploadFileRequest,
        file: FileSource,
    ) -> Result<HfResponse, Error> {
        req.check(FileOwner::Merchant)?;
        let file = self.load_any(file).await?;
        self.run(&UploadMerchantFile { request: req, file }).await
    }

    /// Reads a file of any type under the size limit, as the part `file`.
    async fn load_any(&self, file: FileSource) -> Result<FilePart, Error> {
        file.load("file", self.config.max_upload_bytes, None).await
    }
}

crate::client::requests!(UploadCardRequest, UploadFileRequest);

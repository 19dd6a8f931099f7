//! Reading a request (form, JSON or multipart body; the checks of single fields) and writing
//! an answer (`resp_code`, `resp_desc` and the echoed fields).

use axum::response::Response;
use bytes::Bytes;
use pay_core::Money;
use serde_json::{Map, Value};

use super::auth::Signed;
use super::{ERR_PARAM, Fields, MAX_AMOUNT};
use crate::common::{json_ok, yuan_two_decimals};

/// A request as it arrived: what routing, authentication and the handlers read of it.
#[derive(Debug)]
pub(super) struct Incoming {
    /// The path without the sandbox's provider prefix (see [`crate::common::route_of`]).
    pub(super) route: String,
    pub(super) method: http::Method,
    pub(super) uri: http::Uri,
    pub(super) headers: http::HeaderMap,
    pub(super) body: Bytes,
    /// The query parameters, decoded.
    pub(super) query: Fields,
}

impl Incoming {
    /// What the Prism sign covers of this request, `form` being the body's text fields.
    pub(super) fn signed<'a>(&'a self, form: &'a [(String, String)]) -> Signed<'a> {
        let raw_query = self.uri.query().unwrap_or_default().as_bytes();
        Signed {
            method: self.method.as_str(),
            path: self.uri.path(),
            headers: &self.headers,
            query: url::form_urlencoded::parse(raw_query)
                .into_owned()
                .collect(),
            form,
        }
    }
}

pub(super) fn reply(code: &str, desc: &str, f: &Fields, extra: Value) -> Response {
    let mut body = Map::new();
    body.insert("resp_code".into(), code.into());
    body.insert("resp_desc".into(), desc.into());
    for echo in [
        "mer_cust_id",
        "user_cust_id",
        "order_id",
        "order_date",
        "trans_amt",
        "mer_priv",
    ] {
        if let Some(v) = f.get(echo).filter(|v| !v.is_empty()) {
            body.insert(echo.into(), v.clone().into());
        }
    }
    if let Value::Object(extra) = extra {
        body.extend(extra);
    }
    json_ok(&Value::Object(body))
}

pub(super) fn err(code: &str, desc: &str, f: &Fields) -> Response {
    reply(code, desc, f, Value::Null)
}

/// A request body: its fields (JSON values as their text; file parts by their file name) and
/// the text form fields the Prism sign covers (none for a JSON body).
#[derive(Debug, Default)]
pub(super) struct Body {
    pub(super) fields: Fields,
    pub(super) signed: Vec<(String, String)>,
}

/// Parses a form, JSON or multipart body.
pub(super) fn parse_body(headers: &http::HeaderMap, body: &[u8]) -> Body {
    let ct = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ct.starts_with("application/json") {
        let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
            return Body::default();
        };
        let fields = obj
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect();
        return Body {
            fields,
            signed: Vec::new(),
        };
    }
    if ct.starts_with("multipart/form-data") {
        let Some(parts) = crate::common::multipart_boundary(headers)
            .and_then(|b| crate::common::parse_multipart(body, &b))
        else {
            return Body::default();
        };
        let mut out = Body::default();
        for part in parts {
            match part.filename {
                Some(file) => {
                    out.fields.insert(part.name, file);
                }
                None => {
                    let value = String::from_utf8_lossy(&part.data).into_owned();
                    out.signed.push((part.name.clone(), value.clone()));
                    out.fields.insert(part.name, value);
                }
            }
        }
        return out;
    }
    let signed: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    Body {
        fields: signed.iter().cloned().collect(),
        signed,
    }
}

/// The fields of a multipart body: text parts by value, file parts as their file name.
#[cfg(test)]
pub(super) fn multipart_fields(body: &[u8], boundary: &str) -> Fields {
    crate::common::parse_multipart(body, boundary)
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let value = p
                .filename
                .unwrap_or_else(|| String::from_utf8_lossy(&p.data).into_owned());
            (p.name, value)
        })
        .collect()
}

pub(super) fn need<'a>(f: &'a Fields, name: &str) -> Result<&'a str, Response> {
    f.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| err(ERR_PARAM, &format!("参数错误: {name} 不能为空"), f))
}

pub(super) fn date8(f: &Fields, name: &str) -> Result<String, Response> {
    let d = need(f, name)?;
    if pay_core::clock::is_compact_date(d) {
        Ok(d.to_owned())
    } else {
        Err(err(
            ERR_PARAM,
            &format!("参数错误: {name} 格式为 YYYYMMDD"),
            f,
        ))
    }
}

/// `trans_amt`: `###.00`, more than zero, at most [`super::MAX_AMOUNT`].
pub(super) fn amount(f: &Fields) -> Result<Money, Response> {
    match yuan_two_decimals(need(f, "trans_amt")?) {
        Some(m) if m.is_positive() && m <= MAX_AMOUNT => Ok(m),
        _ => Err(err(
            ERR_PARAM,
            "参数错误: trans_amt 金额格式是 ###.00, 大于 0 且不超过 100000000.00",
            f,
        )),
    }
}

pub(super) fn one_of(f: &Fields, name: &str, allowed: &[&str]) -> Result<(), Response> {
    match f.get(name).map(String::as_str) {
        None | Some("") => Ok(()),
        Some(v) if allowed.contains(&v) => Ok(()),
        Some(_) => Err(err(
            ERR_PARAM,
            &format!("参数错误: {name} 只能是 {}", allowed.join("/")),
            f,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_text_and_file_parts() {
        let body = "--XX\r\nContent-Disposition: form-data; name=\"mer_cust_id\"\r\n\r\n6666\r\n--XX\r\nContent-Disposition: form-data; name=\"file1\"; filename=\"front.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\u{1}\u{2}\r\n--XX--\r\n";
        let f = multipart_fields(body.as_bytes(), "XX");
        assert_eq!(f.get("mer_cust_id").map(String::as_str), Some("6666"));
        assert_eq!(f.get("file1").map(String::as_str), Some("front.jpg"));
        assert_eq!(f.len(), 2);
    }
}

//! Values shared by several endpoints: dates that may be "永久", JSON-valued fields built from
//! typed values, and the input checks.

use std::fmt;

use pay_core::{Error, IdNumber, Money, PersonName, PhoneNumber, validate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::codes::CertType;

/// An end date that may be "永久" (permanent), as `license_end_date`, `legal_id_end_date` and
/// `legal_cert_end_date` allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateOrPermanent {
    /// A date `yyyyMMdd`.
    Date(String),
    /// No end (`永久`).
    Permanent,
}

/// The wire text of [`DateOrPermanent::Permanent`].
pub const PERMANENT: &str = "永久";

impl DateOrPermanent {
    /// A date `yyyyMMdd`.
    pub fn date(d: impl Into<String>) -> Self {
        DateOrPermanent::Date(d.into())
    }

    /// The wire text.
    pub fn as_str(&self) -> &str {
        match self {
            DateOrPermanent::Date(d) => d,
            DateOrPermanent::Permanent => PERMANENT,
        }
    }

    pub(crate) fn validate(&self, field: &'static str) -> Result<(), Error> {
        match self {
            DateOrPermanent::Date(d) => date(field, d),
            DateOrPermanent::Permanent => Ok(()),
        }
    }
}

impl Serialize for DateOrPermanent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DateOrPermanent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(if s == PERMANENT {
            DateOrPermanent::Permanent
        } else {
            DateOrPermanent::Date(s)
        })
    }
}

/// A shareholder in `stockholders` / `controlling_shareholder`:
/// `{"name":"关羽","certType":"01020100","certId":"330204199008187881"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stockholder {
    /// The name.
    pub name: PersonName,
    /// The certificate type (the agent-opening example shows `01`; kept verbatim if unknown).
    #[serde(rename = "certType")]
    pub cert_type: CertType,
    /// The certificate number.
    #[serde(rename = "certId")]
    pub cert_id: IdNumber,
}

impl Stockholder {
    pub(crate) fn validate(&self, field: &'static str) -> Result<(), Error> {
        validate::required(field, self.name.expose())?;
        validate::required(field, self.cert_type.as_str())?;
        if self.cert_type == CertType::IdCard {
            self.cert_id.validate_cn_resident(field)
        } else {
            validate::required(field, self.cert_id.expose())
        }
    }
}

/// One entry of a split string `div_detail`:
/// `{"divAmt":"0.05","divAcctId":"216548","divCustId":"6666000000118348"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DivDetail {
    /// The amount to this account.
    #[serde(rename = "divAmt", with = "pay_core::money::as_yuan")]
    pub div_amt: Money,
    /// The account id.
    #[serde(rename = "divAcctId")]
    pub div_acct_id: String,
    /// The customer id.
    #[serde(rename = "divCustId")]
    pub div_cust_id: String,
}

/// At most this many entries in the split string of a split (`fz`) or a refund (the spec:
/// 最多7个). The spec sets no limit for app pay or the quick-pay SMS request, and none is
/// applied there.
pub const MAX_DIV_DETAILS: usize = 7;

/// Checks a split string: at least one entry, at most `max` where the spec sets a limit, every
/// amount positive, and the amounts adding up to no more than `total`.
pub(crate) fn validate_div(
    field: &'static str,
    divs: &[DivDetail],
    total: Option<Money>,
    max: Option<usize>,
) -> Result<(), Error> {
    if divs.is_empty() {
        return Err(Error::invalid_input(field, "must list at least one split"));
    }
    if let Some(max) = max
        && divs.len() > max
    {
        return Err(Error::invalid_input(
            field,
            format!("must list at most {max} splits"),
        ));
    }
    let mut sum = Money::ZERO;
    for d in divs {
        validate::positive(field, d.div_amt)?;
        validate::required(field, &d.div_acct_id)?;
        validate::required(field, &d.div_cust_id)?;
        sum = sum
            .checked_add(d.div_amt)
            .ok_or_else(|| Error::invalid_input(field, "split amounts overflow"))?;
    }
    if let Some(total) = total
        && sum > total
    {
        return Err(Error::invalid_input(
            field,
            "split amounts add up to more than trans_amt",
        ));
    }
    Ok(())
}

/// The `extension` field, e.g. `{"eacloud":"proxy"}` (required for 企账通 agents).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extension {
    /// `eacloud` (`proxy` for 企账通 agents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eacloud: Option<String>,
    /// Any other key.
    #[serde(flatten)]
    pub extra: pay_core::Extensions,
}

impl Extension {
    /// `{"eacloud":"proxy"}`.
    pub fn eacloud_proxy() -> Self {
        Extension {
            eacloud: Some("proxy".into()),
            extra: pay_core::Extensions::new(),
        }
    }
}

/// Serde adapter: a typed value sent as its JSON text in a string field, read back from either
/// the JSON text or the JSON value itself.
pub mod json_string {
    use super::*;

    /// Writes the value's compact JSON text as a string.
    pub fn serialize<T: Serialize, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(v).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    /// Reads a JSON string holding the value, or the value itself.
    pub fn deserialize<'de, T: serde::de::DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => {
                serde_json::from_str(&s).map_err(serde::de::Error::custom)
            }
            other => serde_json::from_value(other).map_err(serde::de::Error::custom),
        }
    }
}

/// As [`json_string`] for an `Option` (absent stays absent).
pub mod json_string_opt {
    use super::*;

    /// Writes `Some` as JSON text; `None` is skipped by the field's `skip_serializing_if`.
    pub fn serialize<T: Serialize, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => json_string::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    /// Reads `null`, `""`, a JSON string holding the value, or the value itself.
    pub fn deserialize<'de, T: serde::de::DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        match Option::<serde_json::Value>::deserialize(d)? {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
            Some(serde_json::Value::String(s)) => serde_json::from_str(&s)
                .map(Some)
                .map_err(serde::de::Error::custom),
            Some(other) => serde_json::from_value(other)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

// ---- input checks ----

pub(crate) fn required(field: &'static str, v: &str) -> Result<(), Error> {
    validate::required(field, v)
}

pub(crate) fn date(field: &'static str, v: &str) -> Result<(), Error> {
    validate::compact_date(field, v)
}

pub(crate) fn mobile(field: &'static str, v: &PhoneNumber) -> Result<(), Error> {
    v.validate_cn_mobile(field)
}

pub(crate) fn name(field: &'static str, v: &PersonName) -> Result<(), Error> {
    validate::required(field, v.expose())
}

/// A certificate number: a resident ID card is checked digit by digit, others must be present.
pub(crate) fn cert_id(
    field: &'static str,
    cert_type: Option<&CertType>,
    v: &IdNumber,
) -> Result<(), Error> {
    match cert_type {
        None | Some(CertType::IdCard) => v.validate_cn_resident(field),
        Some(_) => validate::required(field, v.expose()),
    }
}

pub(crate) fn amount(field: &'static str, v: Money) -> Result<(), Error> {
    validate::positive(field, v)
}

/// A callback or return URL: absolute http(s), and (the spec: 不要包含中文) ASCII only.
pub(crate) fn url(field: &'static str, v: &str) -> Result<(), Error> {
    validate::http_url(field, v)?;
    if !v.is_ascii() {
        return Err(Error::invalid_input(
            field,
            "must not contain non-ASCII characters",
        ));
    }
    Ok(())
}

/// Checks that a callback URL names a public host: the spec says twice that `bg_ret_url`
/// "必须是外网地址" (must be an address reachable from the internet). Refused: `localhost` and
/// `*.localhost`, and literal addresses that are loopback, private (RFC 1918, IPv6 unique
/// local `fc00::/7`), shared (`100.64.0.0/10`), link-local, unspecified or broadcast, IPv4
/// inside IPv6 included. A domain name is not resolved (no DNS lookup before a request): a name
/// that resolves to a private address is for the gateway to refuse.
///
/// # Errors
/// [`Error::InvalidInput`] naming `field`.
pub fn public_callback_url(field: &'static str, v: &str) -> Result<(), Error> {
    let parsed =
        url::Url::parse(v).map_err(|_| Error::invalid_input(field, "is not a valid URL"))?;
    let public = match parsed.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d != "localhost" && !d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => public_v4(ip),
        Some(url::Host::Ipv6(ip)) => match ip.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(ip),
        },
        None => false,
    };
    if public {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            "must be a public address (必须是外网地址), not a loopback, private, link-local or \
             unspecified host; ConfigBuilder::allow_private_callback_urls opts in for test environments",
        ))
    }
}

fn public_v4(ip: std::net::Ipv4Addr) -> bool {
    let shared = ip.octets()[0] == 100 && (ip.octets()[1] & 0xC0) == 64;
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || shared)
}

fn public_v6(ip: std::net::Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let unique_local = (first & 0xFE00) == 0xFC00;
    let link_local = (first & 0xFFC0) == 0xFE80;
    !(ip.is_loopback() || ip.is_unspecified() || unique_local || link_local)
}

pub(crate) fn email(field: &'static str, v: &str) -> Result<(), Error> {
    let ok = v
        .split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !v.contains(char::is_whitespace));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(field, "must be an email address"))
    }
}

pub(crate) fn opt_email(field: &'static str, v: Option<&String>) -> Result<(), Error> {
    v.map_or(Ok(()), |e| email(field, e))
}

/// An order id: required, ASCII letters, digits, `_` and `-`, at most 32 characters.
pub(crate) fn order_id(field: &'static str, v: &str) -> Result<(), Error> {
    validate::required_max(field, v, 32)?;
    validate::ascii_alnum(field, v, "_-")
}

/// `Debug` of a plain-string field that holds personal data or a secret: the value goes through
/// the mask, never into the output.
pub(crate) struct Masked<'a, T: ?Sized>(pub(crate) &'a T, pub(crate) fn(&str) -> String);

impl fmt::Debug for Masked<'_, String> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&(self.1)(self.0), f)
    }
}

impl fmt::Debug for Masked<'_, Option<String>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0.as_deref().map(self.1), f)
    }
}

/// A secret (an SMS code): shown as `***`.
pub(crate) fn hidden(_: &str) -> String {
    "***".to_owned()
}

/// An opaque blob that holds personal data (`check_value`): shown as its length.
pub(crate) fn length_only(s: &str) -> String {
    format!("<{} bytes>", s.len())
}

/// An e-mail address: the first character of the local part and the domain stay.
pub(crate) fn mask_email(s: &str) -> String {
    match s.rsplit_once('@') {
        Some((local, domain)) => format!("{}@{domain}", pay_core::pii::mask_name(local)),
        None => pay_core::pii::mask_name(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_or_permanent_round_trips() {
        let p: DateOrPermanent = serde_json::from_str("\"永久\"").unwrap();
        assert_eq!(p, DateOrPermanent::Permanent);
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"永久\"");
        assert!(DateOrPermanent::date("20301231").validate("d").is_ok());
        let e = DateOrPermanent::date("2030-12-31")
            .validate("license_end_date")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input in `license_end_date`: must be a date written yyyyMMdd"
        );
    }

    #[test]
    fn splits() {
        let d = |fen| DivDetail {
            div_amt: Money::from_fen(fen),
            div_acct_id: "216548".into(),
            div_cust_id: "6666000000118348".into(),
        };
        assert_eq!(
            serde_json::to_string(&d(5)).unwrap(),
            r#"{"divAmt":"0.05","divAcctId":"216548","divCustId":"6666000000118348"}"#
        );
        let max = Some(MAX_DIV_DETAILS);
        assert!(validate_div("div_detail", &[d(5)], Some(Money::from_fen(5)), max).is_ok());
        assert!(validate_div("div_detail", &[d(5), d(1)], Some(Money::from_fen(5)), max).is_err());
        assert!(validate_div("div_detail", &vec![d(1); 7], None, max).is_ok());
        assert!(validate_div("div_detail", &vec![d(1); 8], None, max).is_err());
        // Where the spec sets no limit (app pay, the quick-pay SMS request), none is applied.
        assert!(validate_div("div_detail", &vec![d(1); 8], None, None).is_ok());
        assert!(validate_div("div_detail", &[d(0)], None, None).is_err());
        assert!(validate_div("div_detail", &[], None, None).is_err());
    }

    #[test]
    fn checks() {
        assert!(url("bg_ret_url", "https://shop.example/cb").is_ok());
        assert!(url("bg_ret_url", "https://shop.example/回调").is_err());
        assert!(email("contact_email", "a@b.cn").is_ok());
        assert!(email("contact_email", "ab.cn").is_err());
        assert!(order_id("order_id", "O-1_2").is_ok());
        assert!(order_id("order_id", "O 1").is_err());
        assert!(cert_id("legal_cert_id", Some(&CertType::Passport), &"E1234".into()).is_ok());
        assert!(cert_id("legal_cert_id", Some(&CertType::IdCard), &"E1234".into()).is_err());
    }
}

#[cfg(test)]
mod callback_url_tests {
    use super::public_callback_url;

    #[test]
    fn public_hosts_pass_and_local_ones_are_refused() {
        for ok in [
            "https://shop.example/cb",
            "http://203.0.113.7:8080/cb",
            "https://[2001:db8::1]/cb",
            "http://100.128.0.1/cb",
        ] {
            assert!(public_callback_url("bg_ret_url", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://localhost/cb",
            "http://api.localhost./cb",
            "http://127.0.0.1:9000/cb",
            "http://10.1.2.3/cb",
            "http://172.16.0.1/cb",
            "http://192.168.1.1/cb",
            "http://169.254.169.254/latest",
            "http://0.0.0.0/cb",
            "http://255.255.255.255/cb",
            "http://100.64.0.1/cb",
            "http://[::1]/cb",
            "http://[::]/cb",
            "http://[fd00::1]/cb",
            "http://[fe80::1]/cb",
            "http://[::ffff:127.0.0.1]/cb",
            "not a url",
        ] {
            match public_callback_url("bg_ret_url", bad) {
                Err(pay_core::Error::InvalidInput { field, .. }) => {
                    assert_eq!(field, "bg_ret_url", "{bad}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}

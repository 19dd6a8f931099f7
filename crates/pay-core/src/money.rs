//! Money as an integer number of fen (分, 1/100 yuan), with exact yuan string conversions.
//!
//! There is no floating point anywhere in this module: a yuan string such as `"12.30"` is parsed
//! digit by digit into `1230` fen, and formatted back the same way.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of Chinese yuan (CNY), held as an integer number of fen.
///
/// ```
/// use pay_core::Money;
///
/// let price = Money::from_yuan("12.30")?;
/// assert_eq!(price.fen(), 1230);
/// assert_eq!(price.to_yuan(), "12.30");
/// assert_eq!(Money::from_fen(5).to_yuan(), "0.05");
/// # Ok::<(), pay_core::MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money {
    fen: i64,
}

/// Why a yuan or fen string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The string was empty.
    #[error("amount is empty")]
    Empty,
    /// The string had a character other than ASCII digits and one decimal point.
    #[error("amount has an invalid character {0:?}")]
    InvalidCharacter(char),
    /// The string had more than two decimals (fen is the smallest unit).
    #[error("amount has more than two decimals")]
    TooManyDecimals,
    /// A sign where the amount must be unsigned, or a sign in the wrong place.
    #[error("amount must not carry a sign")]
    SignNotAllowed,
    /// The string had no digits before or after the decimal point.
    #[error("amount is malformed (expected digits, optionally `.` and one or two digits)")]
    Malformed,
    /// The value does not fit in 64-bit fen.
    #[error("amount is too large")]
    Overflow,
}

/// A [`MoneyError`] is bad input in an amount: `Money::from_yuan(s)?` works in a function
/// returning [`crate::Error`] (the field is named `amount`; name the real field with
/// [`crate::Error::invalid_input`] where there are several).
impl From<MoneyError> for crate::Error {
    fn from(e: MoneyError) -> Self {
        crate::Error::invalid_input("amount", e.to_string())
    }
}

impl Money {
    /// Zero fen.
    pub const ZERO: Money = Money { fen: 0 };

    /// An amount of `fen` fen (may be negative, e.g. for a refund delta).
    pub const fn from_fen(fen: i64) -> Self {
        Money { fen }
    }

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.fen
    }

    /// Whether the amount is greater than zero.
    pub const fn is_positive(self) -> bool {
        self.fen > 0
    }

    /// Parses an unsigned yuan string: digits, optionally followed by `.` and one or two digits
    /// (`"12"`, `"12.3"`, `"12.30"`, `"0.01"`).
    ///
    /// # Errors
    /// [`MoneyError`] for an empty string, a sign, more than two decimals, any other character,
    /// or a value too large for `i64` fen.
    pub fn from_yuan(s: &str) -> Result<Self, MoneyError> {
        if s.starts_with(['-', '+']) {
            return Err(MoneyError::SignNotAllowed);
        }
        parse_yuan_digits(s).map(Money::from_fen)
    }

    /// Parses a yuan string that may start with `-` (never `+`).
    ///
    /// # Errors
    /// As [`Money::from_yuan`].
    pub fn from_signed_yuan(s: &str) -> Result<Self, MoneyError> {
        match s.strip_prefix('-') {
            Some(rest) => {
                if rest.starts_with(['-', '+']) {
                    return Err(MoneyError::SignNotAllowed);
                }
                let fen = parse_yuan_digits(rest)?;
                Ok(Money::from_fen(-fen))
            }
            None => Money::from_yuan(s),
        }
    }

    /// Parses an unsigned decimal integer string of fen (`"100"` is one yuan).
    ///
    /// # Errors
    /// [`MoneyError`] for an empty string, a sign or any non-digit, or overflow.
    pub fn from_fen_str(s: &str) -> Result<Self, MoneyError> {
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let mut fen: i64 = 0;
        for c in s.chars() {
            let d = digit(c)?;
            fen = fen
                .checked_mul(10)
                .and_then(|v| v.checked_add(d))
                .ok_or(MoneyError::Overflow)?;
        }
        Ok(Money::from_fen(fen))
    }

    /// The amount as a yuan string with exactly two decimals (`"12.30"`, `"-0.05"`).
    pub fn to_yuan(self) -> String {
        self.to_string()
    }

    /// Adds two amounts, `None` on overflow.
    pub const fn checked_add(self, other: Money) -> Option<Money> {
        match self.fen.checked_add(other.fen) {
            Some(fen) => Some(Money { fen }),
            None => None,
        }
    }

    /// Subtracts `other`, `None` on overflow.
    pub const fn checked_sub(self, other: Money) -> Option<Money> {
        match self.fen.checked_sub(other.fen) {
            Some(fen) => Some(Money { fen }),
            None => None,
        }
    }
}

fn digit(c: char) -> Result<i64, MoneyError> {
    match c {
        '0'..='9' => Ok(i64::from(c as u8 - b'0')),
        '-' | '+' => Err(MoneyError::SignNotAllowed),
        other => Err(MoneyError::InvalidCharacter(other)),
    }
}

fn parse_yuan_digits(s: &str) -> Result<i64, MoneyError> {
    if s.is_empty() {
        return Err(MoneyError::Empty);
    }
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if int_part.is_empty() {
        return Err(MoneyError::Malformed);
    }
    let mut fen: i64 = 0;
    for c in int_part.chars() {
        let d = digit(c)?;
        fen = fen
            .checked_mul(10)
            .and_then(|v| v.checked_add(d))
            .ok_or(MoneyError::Overflow)?;
    }
    fen = fen.checked_mul(100).ok_or(MoneyError::Overflow)?;
    if let Some(frac) = frac_part {
        if frac.is_empty() {
            return Err(MoneyError::Malformed);
        }
        let mut digits = frac.chars();
        let mut frac_fen = 0;
        let mut scale = 10;
        for _ in 0..2 {
            if let Some(c) = digits.next() {
                frac_fen += digit(c)? * scale;
            }
            scale /= 10;
        }
        if let Some(c) = digits.next() {
            // Report a stray character before "too many decimals".
            digit(c)?;
            for c in digits {
                digit(c)?;
            }
            return Err(MoneyError::TooManyDecimals);
        }
        fen = fen.checked_add(frac_fen).ok_or(MoneyError::Overflow)?;
    }
    Ok(fen)
}

impl fmt::Display for Money {
    /// Yuan with two decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.fen < 0 { "-" } else { "" };
        let abs = self.fen.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self} CNY)")
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Parses an unsigned yuan string, as [`Money::from_yuan`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::from_yuan(s)
    }
}

/// Serialises as an integer number of fen; deserialises from an integer or a string of digits.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.fen)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        as_fen::deserialize(deserializer)
    }
}

/// How a yuan field refuses a JSON number (the start of the deserialisation error's message):
/// `"pay": 100` could mean 100 yuan or 100 fen, and aggregate-pay, whose wire unit is fen,
/// reads it as one yuan. A yuan amount is only ever a string.
pub const YUAN_NUMBER_REFUSED: &str =
    "a yuan amount must be a string such as 100.00, never a JSON number";

/// How a fen field refuses a yuan amount such as `"1.00"` (the start of the error's message).
pub const FEN_YUAN_REFUSED: &str =
    "a fen amount must be a whole number of fen such as 100, never a yuan amount";

/// The fen of a string of digits; a string that reads as yuan is refused as such.
fn fen_from_str(v: &str) -> Result<Money, String> {
    Money::from_fen_str(v).map_err(|e| {
        if v.contains('.') && Money::from_signed_yuan(v).is_ok() {
            FEN_YUAN_REFUSED.to_owned()
        } else {
            e.to_string()
        }
    })
}

struct FenVisitor;

impl serde::de::Visitor<'_> for FenVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer number of fen, as a number or a string of digits")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
        Ok(Money::from_fen(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
        i64::try_from(v)
            .map(Money::from_fen)
            .map_err(|_| E::custom(MoneyError::Overflow))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
        fen_from_str(v).map_err(E::custom)
    }
}

struct YuanVisitor;

impl serde::de::Visitor<'_> for YuanVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a yuan amount as a string such as \"12.30\"")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
        Money::from_signed_yuan(v).map_err(E::custom)
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Money, E> {
        Err(E::custom(YUAN_NUMBER_REFUSED))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Money, E> {
        Err(E::custom(YUAN_NUMBER_REFUSED))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Money, E> {
        Err(E::custom(YUAN_NUMBER_REFUSED))
    }
}

/// Serde adapter: an integer number of fen on the wire (`100`), also read from `"100"`.
///
/// ```
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Order { #[serde(with = "pay_core::money::as_fen")] amount: pay_core::Money }
/// let o: Order = serde_json::from_str(r#"{"amount":"150"}"#)?;
/// assert_eq!(o.amount.fen(), 150);
/// assert_eq!(serde_json::to_string(&o)?, r#"{"amount":150}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod as_fen {
    use super::*;

    /// Serialises as an integer.
    pub fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(m.fen)
    }

    /// Deserialises from an integer or a string of digits.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(FenVisitor)
    }
}

/// Serde adapter: fen as a string of digits on the wire (`"100"`), also read from `100`.
pub mod as_fen_string {
    use super::*;

    /// Serialises as a string of digits.
    pub fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&m.fen)
    }

    /// Deserialises from an integer or a string of digits.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(FenVisitor)
    }
}

/// Serde adapter: a yuan string with two decimals on the wire (`"12.30"`).
///
/// Deserialisation accepts one or two decimals and a leading `-`; it refuses every JSON number
/// ([`YUAN_NUMBER_REFUSED`]): `100` reads as 100 yuan to one reader and 100 fen (one yuan) to
/// another, so a yuan amount is only ever a string.
///
/// ```
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Payout { #[serde(with = "pay_core::money::as_yuan")] pay: pay_core::Money }
/// let p: Payout = serde_json::from_str(r#"{"pay":"0.1"}"#)?;
/// assert_eq!(p.pay.fen(), 10);
/// assert_eq!(serde_json::to_string(&p)?, r#"{"pay":"0.10"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub mod as_yuan {
    use super::*;

    /// Serialises as a yuan string with two decimals.
    pub fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(m)
    }

    /// Deserialises from a yuan string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(YuanVisitor)
    }
}

/// Serde adapter for `Option<Money>` as a yuan string; an absent, `null` or empty string is
/// `None`. A JSON number is refused, as by [`as_yuan`].
pub mod as_yuan_opt {
    use super::*;

    /// Serialises `Some` as a yuan string and `None` as `null`.
    pub fn serialize<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        match m {
            Some(m) => s.collect_str(m),
            None => s.serialize_none(),
        }
    }

    /// Deserialises `null` or `""` as `None`, anything else as a yuan amount.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        let v = Option::<serde_json::Value>::deserialize(d)?;
        opt_from_value(
            v,
            |s| Money::from_signed_yuan(s).map_err(|e| e.to_string()),
            true,
        )
    }
}

/// Serde adapter for `Option<Money>` as fen; an absent, `null` or empty string is `None`.
pub mod as_fen_opt {
    use super::*;

    /// Serialises `Some` as an integer and `None` as `null`.
    pub fn serialize<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        match m {
            Some(m) => s.serialize_i64(m.fen),
            None => s.serialize_none(),
        }
    }

    /// Deserialises `null` or `""` as `None`, anything else as fen.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        let v = Option::<serde_json::Value>::deserialize(d)?;
        opt_from_value(v, fen_from_str, false)
    }
}

fn opt_from_value<E: serde::de::Error>(
    v: Option<serde_json::Value>,
    parse: impl Fn(&str) -> Result<Money, String>,
    is_yuan: bool,
) -> Result<Option<Money>, E> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => parse(&s).map(Some).map_err(E::custom),
        Some(serde_json::Value::Number(_)) if is_yuan => Err(E::custom(YUAN_NUMBER_REFUSED)),
        Some(serde_json::Value::Number(n)) => match n.as_i64() {
            Some(fen) => Ok(Some(Money::from_fen(fen))),
            None => Err(E::custom("amount is not an integer")),
        },
        Some(_) => Err(E::custom("amount must be a string or an integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yuan_exactly() {
        let cases = [
            ("0", 0),
            ("0.01", 1),
            ("0.1", 10),
            ("12.30", 1230),
            ("12.3", 1230),
            ("12", 1200),
            ("1000.50", 100_050),
            ("007.05", 705),
            ("92233720368547758.07", i64::MAX),
        ];
        for (s, fen) in cases {
            assert_eq!(Money::from_yuan(s), Ok(Money::from_fen(fen)), "{s}");
        }
    }

    #[test]
    fn rejects_bad_yuan() {
        let cases = [
            ("", MoneyError::Empty),
            ("1.234", MoneyError::TooManyDecimals),
            ("1.2a", MoneyError::InvalidCharacter('a')),
            ("1.23a", MoneyError::InvalidCharacter('a')),
            ("-1", MoneyError::SignNotAllowed),
            ("+1", MoneyError::SignNotAllowed),
            ("1-", MoneyError::SignNotAllowed),
            (".5", MoneyError::Malformed),
            ("5.", MoneyError::Malformed),
            ("1.2.3", MoneyError::InvalidCharacter('.')),
            ("1e3", MoneyError::InvalidCharacter('e')),
            (" 1", MoneyError::InvalidCharacter(' ')),
            ("１", MoneyError::InvalidCharacter('１')),
            ("92233720368547758.08", MoneyError::Overflow),
            ("99999999999999999999", MoneyError::Overflow),
        ];
        for (s, err) in cases {
            assert_eq!(Money::from_yuan(s), Err(err), "{s:?}");
        }
    }

    #[test]
    fn signed_yuan() {
        assert_eq!(Money::from_signed_yuan("-0.05"), Ok(Money::from_fen(-5)));
        assert_eq!(Money::from_signed_yuan("3.10"), Ok(Money::from_fen(310)));
        assert_eq!(
            Money::from_signed_yuan("--1"),
            Err(MoneyError::SignNotAllowed)
        );
        assert_eq!(
            Money::from_signed_yuan("+1"),
            Err(MoneyError::SignNotAllowed)
        );
        assert_eq!(Money::from_signed_yuan("-"), Err(MoneyError::Empty));
    }

    #[test]
    fn formats_yuan() {
        assert_eq!(Money::from_fen(0).to_yuan(), "0.00");
        assert_eq!(Money::from_fen(5).to_yuan(), "0.05");
        assert_eq!(Money::from_fen(1230).to_yuan(), "12.30");
        assert_eq!(Money::from_fen(-1230).to_yuan(), "-12.30");
        assert_eq!(Money::from_fen(i64::MIN).to_yuan(), "-92233720368547758.08");
        assert_eq!(format!("{:?}", Money::from_fen(1)), "Money(0.01 CNY)");
    }

    #[test]
    fn fen_strings() {
        assert_eq!(Money::from_fen_str("100"), Ok(Money::from_fen(100)));
        assert_eq!(Money::from_fen_str(""), Err(MoneyError::Empty));
        assert_eq!(
            Money::from_fen_str("1.0"),
            Err(MoneyError::InvalidCharacter('.'))
        );
        assert_eq!(Money::from_fen_str("-1"), Err(MoneyError::SignNotAllowed));
        assert_eq!(
            Money::from_fen_str("9223372036854775808"),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn arithmetic() {
        let a = Money::from_fen(i64::MAX);
        assert_eq!(a.checked_add(Money::from_fen(1)), None);
        assert_eq!(
            Money::from_fen(5).checked_sub(Money::from_fen(7)),
            Some(Money::from_fen(-2))
        );
        assert!(Money::from_fen(1).is_positive());
        assert!(!Money::ZERO.is_positive());
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Wire {
        #[serde(with = "as_fen")]
        a: Money,
        #[serde(with = "as_fen_string")]
        b: Money,
        #[serde(with = "as_yuan")]
        c: Money,
        #[serde(with = "as_yuan_opt", default)]
        d: Option<Money>,
        #[serde(with = "as_fen_opt", default)]
        e: Option<Money>,
    }

    #[test]
    fn serde_adapters() {
        let w: Wire = serde_json::from_str(r#"{"a":"1","b":2,"c":"3.5","d":"","e":"7"}"#).unwrap();
        assert_eq!(
            w,
            Wire {
                a: Money::from_fen(1),
                b: Money::from_fen(2),
                c: Money::from_fen(350),
                d: None,
                e: Some(Money::from_fen(7)),
            }
        );
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            r#"{"a":1,"b":"2","c":"3.50","d":null,"e":7}"#
        );
        let w: Wire = serde_json::from_str(r#"{"a":1,"b":"2","c":"4","d":"0.01"}"#).unwrap();
        assert_eq!(w.c, Money::from_fen(400));
        assert_eq!(w.d, Some(Money::from_fen(1)));
        assert_eq!(w.e, None);
        for bad in [
            r#"{"a":1.5,"b":"2","c":"1"}"#,
            r#"{"a":1,"b":"2","c":1.5}"#,
            r#"{"a":1,"b":"2","c":"1.234"}"#,
            r#"{"a":"x","b":"2","c":"1"}"#,
            r#"{"a":1,"b":"2","c":"1","d":0.5}"#,
        ] {
            assert!(serde_json::from_str::<Wire>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_number_in_a_yuan_field_and_yuan_in_a_fen_field_are_refused() {
        let err = |text: &str| {
            serde_json::from_str::<Wire>(text)
                .map(|w| format!("accepted: {w:?}"))
                .unwrap_or_else(|e| e.to_string())
        };
        for yuan_number in [
            r#"{"a":1,"b":"2","c":100}"#,
            r#"{"a":1,"b":"2","c":-1}"#,
            r#"{"a":1,"b":"2","c":18446744073709551615}"#,
            r#"{"a":1,"b":"2","c":"1","d":100}"#,
        ] {
            assert!(
                err(yuan_number).starts_with(YUAN_NUMBER_REFUSED),
                "{yuan_number}: {}",
                err(yuan_number)
            );
        }
        for yuan_in_fen in [
            r#"{"a":"1.00","b":"2","c":"1"}"#,
            r#"{"a":1,"b":"2.5","c":"1"}"#,
            r#"{"a":1,"b":"2","c":"1","e":"0.01"}"#,
        ] {
            assert!(
                err(yuan_in_fen).starts_with(FEN_YUAN_REFUSED),
                "{yuan_in_fen}: {}",
                err(yuan_in_fen)
            );
        }
        // Anything else keeps its own message.
        assert!(
            err(r#"{"a":"1x","b":"2","c":"1"}"#).starts_with("amount has an invalid character 'x'")
        );
    }

    proptest::proptest! {
        #[test]
        fn yuan_round_trip(fen in 0i64..=i64::MAX) {
            let m = Money::from_fen(fen);
            proptest::prop_assert_eq!(Money::from_yuan(&m.to_yuan()), Ok(m));
        }

        #[test]
        fn signed_round_trip(fen in i64::MIN + 1..=i64::MAX) {
            let m = Money::from_fen(fen);
            proptest::prop_assert_eq!(Money::from_signed_yuan(&m.to_yuan()), Ok(m));
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = Money::from_yuan(&s);
            let _ = Money::from_signed_yuan(&s);
            let _ = Money::from_fen_str(&s);
        }
    }

    #[test]
    fn money_errors_are_invalid_input() {
        fn parse(s: &str) -> Result<Money, crate::Error> {
            Ok(Money::from_yuan(s)?)
        }
        assert_eq!(
            parse("1.234").unwrap_err().to_string(),
            "invalid input in `amount`: amount has more than two decimals"
        );
    }
}

//! Personal data: ID numbers, bank card numbers, phone numbers and names whose `Debug` and
//! `Display` are masked, and the masking rules themselves.
//!
//! Request and response structs hold these types instead of `String`, so that a derived `Debug`
//! (and so every `tracing` field and panic message) shows `138****5678`, never the number. The
//! value goes on the wire unchanged: serde sees the plain string.

use std::fmt;

use crate::Error;

/// Masks an ID number: the first and last character stay, the rest become `*`.
///
/// ```
/// assert_eq!(pay_core::pii::mask_id_number("11010519491231002X"), "1****************X");
/// ```
pub fn mask_id_number(s: &str) -> String {
    mask_keep(s, 1, 1)
}

/// Masks a bank card number: the first four and last four digits stay.
///
/// ```
/// assert_eq!(pay_core::pii::mask_card_number("6225880137705555"), "6225********5555");
/// ```
pub fn mask_card_number(s: &str) -> String {
    mask_keep(s, 4, 4)
}

/// Masks a phone number: the first three and last four digits stay (`138****5678`).
///
/// ```
/// assert_eq!(pay_core::pii::mask_phone("13812345678"), "138****5678");
/// ```
pub fn mask_phone(s: &str) -> String {
    mask_keep(s, 3, 4)
}

/// Masks a person's name: the first character stays (`张*`, `欧阳**`→`欧**`).
///
/// ```
/// assert_eq!(pay_core::pii::mask_name("张三"), "张*");
/// ```
pub fn mask_name(s: &str) -> String {
    mask_keep(s, 1, 0)
}

/// Masks every run of 7 or more ASCII digits in `s` (an account, card, ID or phone number
/// inside free text), keeping its last 4; shorter runs and everything else stay as they are.
///
/// ```
/// assert_eq!(pay_core::pii::mask_digit_runs("a1234567b12"), "a***4567b12");
/// ```
pub fn mask_digit_runs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        // A run holds ASCII digits only, so its length counts characters.
        let n = run.len();
        if n >= 7 {
            out.extend(std::iter::repeat_n('*', n - 4));
            out.push_str(run.get(n - 4..).unwrap_or_default());
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Keeps `head` leading and `tail` trailing characters and stars the rest, when that leaves at
/// least four to star. A shorter value (a malformed or test number) keeps at most a quarter of
/// its length at each end (at most half at the start when nothing is kept at the end, as for
/// names), so that at least half of it is starred.
fn mask_keep(s: &str, head: usize, tail: usize) -> String {
    let n = s.chars().count();
    if n == 0 {
        return String::new();
    }
    let (head, tail) = if n >= head + tail + 4 {
        (head, tail)
    } else if tail == 0 {
        (head.min(n / 2), 0)
    } else {
        (head.min(n / 4), tail.min(n / 4))
    };
    s.chars()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { c } else { '*' })
        .collect()
}

macro_rules! pii_type {
    ($(#[$doc:meta])* $name:ident, $mask:path) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value (not validated; see the `validate_*` methods).
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The plain value, for the wire. Never log it.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// The masked form, as `Debug` and `Display` show it.
            pub fn masked(&self) -> String {
                $mask(&self.0)
            }

            /// Whether the value is empty.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", self.masked())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.masked())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name::new(s)
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name::new(s)
            }
        }
    };
}

pii_type!(
    /// A resident ID card (or other certificate) number, masked in `Debug`.
    ///
    /// ```
    /// let id = pay_core::IdNumber::new("11010519491231002X");
    /// assert_eq!(format!("{id:?}"), "\"1****************X\"");
    /// id.validate_cn_resident("id_card")?;
    /// # Ok::<(), pay_core::Error>(())
    /// ```
    IdNumber,
    mask_id_number
);
pii_type!(
    /// A bank card or account number, masked in `Debug`.
    ///
    /// ```
    /// let card = pay_core::CardNumber::new("6225880137705555");
    /// assert_eq!(card.to_string(), "6225********5555");
    /// ```
    CardNumber,
    mask_card_number
);
pii_type!(
    /// A phone number, masked in `Debug`.
    ///
    /// ```
    /// let phone = pay_core::PhoneNumber::new("13812345678");
    /// assert_eq!(phone.to_string(), "138****5678");
    /// phone.validate_cn_mobile("phone_no")?;
    /// # Ok::<(), pay_core::Error>(())
    /// ```
    PhoneNumber,
    mask_phone
);
pii_type!(
    /// A person's real name, masked in `Debug`.
    ///
    /// ```
    /// assert_eq!(pay_core::PersonName::new("张三").to_string(), "张*");
    /// ```
    PersonName,
    mask_name
);

impl IdNumber {
    /// Checks a mainland resident ID number: 18 characters, 17 digits and a check character
    /// (`0`–`9` or `X`) that matches the ISO 7064 MOD 11-2 checksum.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `field`.
    pub fn validate_cn_resident(&self, field: &'static str) -> Result<(), Error> {
        validate_cn_resident_id(field, &self.0)
    }
}

impl PhoneNumber {
    /// Checks a mainland mobile number: 11 digits starting with `1`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `field`.
    pub fn validate_cn_mobile(&self, field: &'static str) -> Result<(), Error> {
        validate_cn_mobile(field, &self.0)
    }
}

impl CardNumber {
    /// Checks a bank card number: 8 to 32 ASCII digits.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `field`.
    pub fn validate_digits(&self, field: &'static str) -> Result<(), Error> {
        let ok = (8..=32).contains(&self.0.len()) && self.0.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(())
        } else {
            Err(Error::invalid_input(field, "must be 8 to 32 digits"))
        }
    }
}

/// Checks a mainland resident ID number (see [`IdNumber::validate_cn_resident`]).
///
/// # Errors
/// [`Error::InvalidInput`] naming `field`.
pub fn validate_cn_resident_id(field: &'static str, s: &str) -> Result<(), Error> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [u8; 11] = *b"10X98765432";
    let b = s.as_bytes();
    if b.len() != 18 {
        return Err(Error::invalid_input(field, "must be 18 characters"));
    }
    let mut sum = 0u32;
    for (i, w) in WEIGHTS.iter().enumerate() {
        let c = b[i];
        if !c.is_ascii_digit() {
            return Err(Error::invalid_input(
                field,
                "the first 17 characters must be digits",
            ));
        }
        sum += u32::from(c - b'0') * w;
    }
    let expected = CHECK[(sum % 11) as usize];
    if b[17].to_ascii_uppercase() != expected {
        return Err(Error::invalid_input(field, "check digit does not match"));
    }
    Ok(())
}

/// Checks a mainland mobile number: 11 digits starting with `1`.
///
/// # Errors
/// [`Error::InvalidInput`] naming `field`.
pub fn validate_cn_mobile(field: &'static str, s: &str) -> Result<(), Error> {
    if s.len() == 11 && s.starts_with('1') && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            "must be an 11-digit mobile number starting with 1",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_id_number("11010519491231002X"), "1****************X");
        assert_eq!(mask_card_number("6225880137705555"), "6225********5555");
        assert_eq!(mask_card_number("12345"), "1***5");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123"), "***");
        assert_eq!(mask_phone("12345678"), "12****78");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("A"), "*");
        assert_eq!(mask_name(""), "");
        // Short values: at least half starred; longer ones: the standard masks.
        assert_eq!(mask_card_number("123456789"), "12*****89");
        assert_eq!(mask_id_number("1234"), "1**4");
        assert_eq!(mask_id_number("12"), "**");
        for (mask, max) in [
            (mask_card_number as fn(&str) -> String, 19),
            (mask_phone, 11),
            (mask_id_number, 18),
            (mask_name, 6),
        ] {
            for n in 1..=max {
                let v: String = std::iter::repeat_n('7', n).collect();
                let starred = mask(&v).chars().filter(|c| *c == '*').count();
                // Four starred at least, or (a short value) at least half.
                assert!(starred >= 4 || starred * 2 >= n, "{v}: {}", mask(&v));
            }
        }
    }

    #[test]
    fn debug_never_shows_the_value() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Req {
            id: IdNumber,
            card: CardNumber,
            phone: PhoneNumber,
            name: PersonName,
        }
        let r = Req {
            id: "11010519491231002X".into(),
            card: "6225880137705555".into(),
            phone: "13812345678".into(),
            name: "张三".into(),
        };
        let s = format!("{r:?} {r:#?}");
        for secret in [
            "11010519491231002X",
            "6225880137705555",
            "13812345678",
            "张三",
        ] {
            assert!(!s.contains(secret), "{secret} in {s}");
        }
        assert_eq!(
            serde_json::to_string(&r.card).unwrap(),
            "\"6225880137705555\""
        );
    }

    #[test]
    fn resident_id_check_digit() {
        assert!(validate_cn_resident_id("id", "11010519491231002X").is_ok());
        assert!(validate_cn_resident_id("id", "11010519491231002x").is_ok());
        assert!(validate_cn_resident_id("id", "440524188001010014").is_ok());
        let e = validate_cn_resident_id("id", "110105194912310021").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input in `id`: check digit does not match"
        );
        assert!(validate_cn_resident_id("id", "1101051949123100").is_err());
        assert!(validate_cn_resident_id("id", "1101051949123100２X").is_err());
        assert!(validate_cn_resident_id("id", "A1010519491231002X").is_err());
    }

    #[test]
    fn mobile() {
        assert!(validate_cn_mobile("m", "13812345678").is_ok());
        assert!(validate_cn_mobile("m", "23812345678").is_err());
        assert!(validate_cn_mobile("m", "1381234567").is_err());
        assert!(validate_cn_mobile("m", "1381234567a").is_err());
        assert!(
            CardNumber::new("6225880137705555")
                .validate_digits("c")
                .is_ok()
        );
        assert!(CardNumber::new("6225 8801").validate_digits("c").is_err());
    }
}

//! Input checks particular to Yunzhanghu. Each names the wire field it rejects.

use pay_core::{Error, Money};

/// The characters `pay_remark` must not contain (`'"&|@%*()-:#¥`).
pub const PAY_REMARK_FORBIDDEN: &[char] = &[
    '\'', '"', '&', '|', '@', '%', '*', '(', ')', '-', ':', '#', '¥',
];

/// The most `pay_remark` may weigh.
pub const PAY_REMARK_MAX: usize = 20;

/// The weight of `pay_remark`: an ASCII character counts 1, any other character (a Chinese
/// character, full-width punctuation) counts 2.
pub fn pay_remark_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Checks `pay_remark`: at most 20 characters with a Chinese character counting 2, and none of
/// `'"&|@%*()-:#¥`.
///
/// ```
/// use yunzhanghu::validate::pay_remark;
/// assert!(pay_remark("十月劳务费 Oct").is_ok()); // 5×2 + 4 = 14
/// assert!(pay_remark("一二三四五六七八九十A").is_err()); // 21
/// assert!(pay_remark("fee-10").is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] on `pay_remark`.
pub fn pay_remark(s: &str) -> Result<(), Error> {
    if let Some(c) = s.chars().find(|c| PAY_REMARK_FORBIDDEN.contains(c)) {
        return Err(Error::invalid_input(
            "pay_remark",
            format!("must not contain `{c}` (none of '\"&|@%*()-:#¥)"),
        ));
    }
    let width = pay_remark_width(s);
    if width > PAY_REMARK_MAX {
        return Err(Error::invalid_input(
            "pay_remark",
            format!("must be at most 20 characters, a Chinese character counting 2 (is {width})"),
        ));
    }
    Ok(())
}

/// Checks a date written `yyyy-MM-dd` (the `order_date` and `bill_date` format).
///
/// # Errors
/// [`Error::InvalidInput`] on `field`.
pub fn dashed_date(field: &'static str, s: &str) -> Result<(), Error> {
    let b = s.as_bytes();
    let ok = b.len() == 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && pay_core::clock::is_compact_date(&s.replace('-', ""));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            "must be a date written yyyy-MM-dd",
        ))
    }
}

/// Checks a resident ID card number (18 characters, valid check digit).
///
/// # Errors
/// [`Error::InvalidInput`] on `field`.
pub fn id_card(field: &'static str, id: &pay_core::IdNumber) -> Result<(), Error> {
    pay_core::validate::required(field, id.expose())?;
    id.validate_cn_resident(field)
}

/// Checks a mainland mobile number.
///
/// # Errors
/// [`Error::InvalidInput`] on `field`.
pub fn phone(field: &'static str, p: &pay_core::PhoneNumber) -> Result<(), Error> {
    p.validate_cn_mobile(field)
}

/// Checks a bank card number (8 to 32 digits).
///
/// # Errors
/// [`Error::InvalidInput`] on `field`.
pub fn bank_card(field: &'static str, c: &pay_core::CardNumber) -> Result<(), Error> {
    c.validate_digits(field)
}

/// Checks a name (required, at most 64 characters).
///
/// # Errors
/// [`Error::InvalidInput`] on `field`.
pub fn name(field: &'static str, n: &pay_core::PersonName) -> Result<(), Error> {
    pay_core::validate::required_max(field, n.expose(), 64)
}

/// The largest single bank-card payout (第一章: 单笔最高500万元), in fen.
pub const BANK_CARD_MAX: Money = Money::from_fen(500_000_000);
/// The largest single Alipay payout (第一章: 最高100万元), in fen.
pub const ALIPAY_MAX: Money = Money::from_fen(100_000_000);
/// The largest single WeChat red packet (第一章: 200 yuan by default, raised on request to at
/// most 4,999 yuan), in fen. The client enforces the absolute ceiling; the merchant's own
/// ceiling (200 yuan unless raised) and the 1 yuan default minimum are the provider's to
/// enforce (codes `275`, `2xx`), since only it knows what was agreed.
pub const WECHAT_MAX: Money = Money::from_fen(499_900);

/// A payout amount: positive and at most the channel's single-payout ceiling `max`.
///
/// ```
/// use pay_core::Money;
/// use yunzhanghu::validate::{payout_amount, ALIPAY_MAX};
///
/// assert!(payout_amount("pay", Money::from_fen(1), ALIPAY_MAX).is_ok());
/// assert!(payout_amount("pay", ALIPAY_MAX, ALIPAY_MAX).is_ok());
/// let err = payout_amount("pay", Money::from_fen(100_000_001), ALIPAY_MAX).unwrap_err();
/// assert_eq!(err.to_string(), "invalid input in `pay`: must be at most 1000000.00 yuan for this channel");
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] on `field`.
pub fn payout_amount(field: &'static str, amount: Money, max: Money) -> Result<(), Error> {
    pay_core::validate::positive(field, amount)?;
    if amount > max {
        return Err(Error::invalid_input(
            field,
            format!("must be at most {} yuan for this channel", max.to_yuan()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remark_rules() {
        assert!(pay_remark("").is_ok());
        assert!(pay_remark("一二三四五六七八九十").is_ok()); // exactly 20
        assert!(pay_remark("abcdefghijklmnopqrst").is_ok());
        assert!(pay_remark("abcdefghijklmnopqrstu").is_err());
        for c in PAY_REMARK_FORBIDDEN {
            let e = pay_remark(&format!("a{c}b")).unwrap_err();
            assert!(e.to_string().starts_with("invalid input in `pay_remark`"));
        }
        assert_eq!(pay_remark_width("十月a"), 5);
    }

    #[test]
    fn dates() {
        assert!(dashed_date("bill_date", "2017-11-11").is_ok());
        assert!(dashed_date("bill_date", "2017-02-30").is_err());
        assert!(dashed_date("bill_date", "20171111").is_err());
        assert!(dashed_date("bill_date", "2017/11/11").is_err());
    }
}

//! Injectable time and id sources, so that every signed request can be reproduced in a test.
//!
//! Providers stamp requests with the time (`yyyyMMddHHmmssSSS` in Beijing time, unix seconds)
//! and with random ids (request ids, nonces). Clients take a [`Clock`] and an [`IdSource`];
//! production uses [`SystemClock`] and [`RandomIds`], tests use [`FixedClock`] and
//! [`SequentialIds`].

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// An instant, as milliseconds since the unix epoch (UTC).
///
/// ```
/// use pay_core::Timestamp;
///
/// let t = Timestamp::from_unix_millis(1_602_304_215_123);
/// assert_eq!(t.beijing_compact_millis(), "20201010123015123");
/// assert_eq!(t.beijing_datetime(), "2020-10-10 12:30:15");
/// assert_eq!(t.unix_seconds(), 1_602_304_215);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix_millis: i64,
}

/// A calendar date and wall-clock time (no zone attached).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilTime {
    /// Year, e.g. 2026.
    pub year: i64,
    /// Month, 1–12.
    pub month: u32,
    /// Day of month, 1–31.
    pub day: u32,
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute, 0–59.
    pub minute: u32,
    /// Second, 0–59.
    pub second: u32,
    /// Millisecond, 0–999.
    pub millis: u32,
}

const BEIJING_OFFSET_MILLIS: i64 = 8 * 3600 * 1000;

impl Timestamp {
    /// From milliseconds since the unix epoch.
    pub const fn from_unix_millis(unix_millis: i64) -> Self {
        Timestamp { unix_millis }
    }

    /// From seconds since the unix epoch.
    pub const fn from_unix_seconds(secs: i64) -> Self {
        Timestamp {
            unix_millis: secs.saturating_mul(1000),
        }
    }

    /// Milliseconds since the unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.unix_millis
    }

    /// Whole seconds since the unix epoch.
    pub const fn unix_seconds(self) -> i64 {
        self.unix_millis.div_euclid(1000)
    }

    /// The civil time in Beijing (UTC+8, no daylight saving).
    pub fn beijing(self) -> CivilTime {
        civil_from_millis(self.unix_millis.saturating_add(BEIJING_OFFSET_MILLIS))
    }

    /// Beijing time as `yyyyMMddHHmmssSSS`.
    pub fn beijing_compact_millis(self) -> String {
        let c = self.beijing();
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}{:03}",
            c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis
        )
    }

    /// Beijing time as `yyyyMMddHHmmss`.
    pub fn beijing_compact(self) -> String {
        let c = self.beijing();
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        )
    }

    /// Beijing date as `yyyyMMdd`.
    pub fn beijing_date_compact(self) -> String {
        let c = self.beijing();
        format!("{:04}{:02}{:02}", c.year, c.month, c.day)
    }

    /// Beijing date as `yyyy-MM-dd`.
    pub fn beijing_date(self) -> String {
        let c = self.beijing();
        format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
    }

    /// Beijing time as `yyyy-MM-dd HH:mm:ss`.
    pub fn beijing_datetime(self) -> String {
        let c = self.beijing();
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        )
    }

    /// Parses Beijing `yyyyMMddHHmmssSSS` (17 digits) or `yyyyMMddHHmmss` (14 digits).
    pub fn parse_beijing_compact(s: &str) -> Option<Timestamp> {
        if !(s.len() == 17 || s.len() == 14) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = |r: std::ops::Range<usize>| s.get(r).and_then(|v| v.parse::<u32>().ok());
        let c = CivilTime {
            year: i64::from(n(0..4)?),
            month: n(4..6)?,
            day: n(6..8)?,
            hour: n(8..10)?,
            minute: n(10..12)?,
            second: n(12..14)?,
            millis: if s.len() == 17 { n(14..17)? } else { 0 },
        };
        let millis = millis_from_civil(c)?;
        Some(Timestamp::from_unix_millis(millis - BEIJING_OFFSET_MILLIS))
    }
}

/// Whether `s` is a real calendar date written `yyyyMMdd`.
///
/// ```
/// assert!(pay_core::clock::is_compact_date("20240229"));
/// assert!(!pay_core::clock::is_compact_date("20230229"));
/// ```
pub fn is_compact_date(s: &str) -> bool {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|v| v.parse::<u32>().ok());
    match (n(0..4), n(4..6), n(6..8)) {
        (Some(y), Some(m), Some(d)) => valid_date(i64::from(y), m, d),
        _ => false,
    }
}

fn valid_date(y: i64, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

// Howard Hinnant's days-from-civil / civil-from-days algorithms.
fn civil_from_millis(ms: i64) -> CivilTime {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    CivilTime {
        year,
        month,
        day,
        hour: (rem / 3_600_000) as u32,
        minute: (rem / 60_000 % 60) as u32,
        second: (rem / 1000 % 60) as u32,
        millis: (rem % 1000) as u32,
    }
}

fn millis_from_civil(c: CivilTime) -> Option<i64> {
    if !valid_date(c.year, c.month, c.day)
        || c.hour > 23
        || c.minute > 59
        || c.second > 59
        || c.millis > 999
    {
        return None;
    }
    let y = c.year - i64::from(c.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(c.month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(c.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(
        days * 86_400_000
            + i64::from(c.hour) * 3_600_000
            + i64::from(c.minute) * 60_000
            + i64::from(c.second) * 1000
            + i64::from(c.millis),
    )
}

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        #[allow(clippy::disallowed_methods)] // the one place the system clock is read
        let now = std::time::SystemTime::now();
        let millis = match now.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
        };
        Timestamp::from_unix_millis(millis)
    }
}

/// A clock that stands still until told to move, for tests.
///
/// ```
/// use pay_core::{Clock, FixedClock, Timestamp};
///
/// let clock = FixedClock::new(Timestamp::from_unix_seconds(1_700_000_000));
/// clock.advance_millis(1500);
/// assert_eq!(clock.now().unix_millis(), 1_700_000_001_500);
/// ```
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    /// A clock showing `t`.
    pub fn new(t: Timestamp) -> Self {
        FixedClock(AtomicI64::new(t.unix_millis()))
    }

    /// Sets the time.
    pub fn set(&self, t: Timestamp) {
        self.0.store(t.unix_millis(), Ordering::SeqCst);
    }

    /// Moves the time forward.
    pub fn advance_millis(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.0.load(Ordering::SeqCst))
    }
}

/// A source of unique ids: request ids, nonces, generated order numbers.
pub trait IdSource: Send + Sync + fmt::Debug {
    /// A new id of ASCII letters and digits, 32 characters unless the source says otherwise.
    fn next_id(&self) -> String;
}

/// Random 128-bit ids as 32 lowercase hex digits, from the operating system's generator.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn next_id(&self) -> String {
        let mut buf = [0u8; 16];
        if getrandom::fill(&mut buf).is_err() {
            // The OS generator failing is not recoverable for a payment client, but an id need
            // only be unique, not secret: fall back to time and a process-wide counter.
            static COUNTER: AtomicU64 = AtomicU64::new(0);
            let t = SystemClock.now().unix_millis() as u64;
            let c = COUNTER.fetch_add(1, Ordering::Relaxed);
            buf[..8].copy_from_slice(&t.to_be_bytes());
            buf[8..].copy_from_slice(&c.to_be_bytes());
        }
        crate::hex::encode_lower(&buf)
    }
}

/// Ids `{prefix}{n}` with n counting up from 1, for tests.
///
/// ```
/// use pay_core::{IdSource, SequentialIds};
///
/// let ids = SequentialIds::new("req-");
/// assert_eq!(ids.next_id(), "req-1");
/// assert_eq!(ids.next_id(), "req-2");
/// ```
#[derive(Debug)]
pub struct SequentialIds {
    prefix: String,
    next: AtomicU64,
}

impl SequentialIds {
    /// Ids starting at `{prefix}1`.
    pub fn new(prefix: impl Into<String>) -> Self {
        SequentialIds {
            prefix: prefix.into(),
            next: AtomicU64::new(1),
        }
    }
}

impl IdSource for SequentialIds {
    fn next_id(&self) -> String {
        format!(
            "{}{}",
            self.prefix,
            self.next.fetch_add(1, Ordering::SeqCst)
        )
    }
}

/// A shared clock.
pub type SharedClock = Arc<dyn Clock>;
/// A shared id source.
pub type SharedIdSource = Arc<dyn IdSource>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_formats() {
        let t = Timestamp::from_unix_seconds(0);
        assert_eq!(t.beijing_compact_millis(), "19700101080000000");
        let t = Timestamp::from_unix_millis(1_709_222_399_999); // 2024-02-29 23:59:59.999 +08
        assert_eq!(t.beijing_compact_millis(), "20240229235959999");
        assert_eq!(t.beijing_date_compact(), "20240229");
        assert_eq!(t.beijing_date(), "2024-02-29");
        assert_eq!(t.beijing_compact(), "20240229235959");
        let t = Timestamp::from_unix_millis(-1);
        assert_eq!(t.beijing_compact_millis(), "19700101075959999");
    }

    #[test]
    fn parse_round_trip() {
        for ms in [
            0i64,
            1_602_304_215_123,
            1_709_222_399_999,
            4_102_444_800_000,
        ] {
            let t = Timestamp::from_unix_millis(ms);
            assert_eq!(
                Timestamp::parse_beijing_compact(&t.beijing_compact_millis()),
                Some(t)
            );
        }
        assert_eq!(Timestamp::parse_beijing_compact("20230229000000000"), None);
        assert_eq!(Timestamp::parse_beijing_compact("2023022900000"), None);
        assert_eq!(Timestamp::parse_beijing_compact("2023012a000000"), None);
        assert_eq!(
            Timestamp::parse_beijing_compact("20201010123015").map(|t| t.unix_seconds()),
            Some(1_602_304_215)
        );
    }

    #[test]
    fn dates() {
        assert!(is_compact_date("20000229"));
        assert!(!is_compact_date("19000229"));
        assert!(!is_compact_date("20241301"));
        assert!(!is_compact_date("2024011"));
        assert!(!is_compact_date("2024O101"));
    }

    #[test]
    fn ids() {
        let a = RandomIds.next_id();
        let b = RandomIds.next_id();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        let clock = FixedClock::new(Timestamp::from_unix_seconds(5));
        assert_eq!(clock.now().unix_seconds(), 5);
        clock.set(Timestamp::from_unix_seconds(7));
        assert_eq!(clock.now().unix_seconds(), 7);
        assert!(SystemClock.now().unix_seconds() > 1_600_000_000);
    }
}

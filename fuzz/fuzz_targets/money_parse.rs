#![no_main]
//! Yuan and fen parsing of arbitrary text: errors, never panics; what parses formats back to a
//! string that parses to the same amount.

use libfuzzer_sys::fuzz_target;
use pay_core::Money;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(m) = Money::from_signed_yuan(text) {
        assert_eq!(Money::from_signed_yuan(&m.to_yuan()), Ok(m));
    }
    if let Ok(m) = Money::from_yuan(text) {
        assert!(m.fen() >= 0);
    }
    let _ = Money::from_fen_str(text);
    let _ = serde_json::from_str::<Money>(text);
});

#![no_main]
//! 3DES decryption of arbitrary base64 text and bytes: errors, never panics; what decrypts
//! re-encrypts to the same ciphertext.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(key) = crypto_3des::TripleDes::new(b"123456788765432112345678") else {
        return;
    };
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = key.decrypt_base64(text);
    }
    if let Ok(pt) = key.decrypt(data) {
        assert_eq!(key.encrypt(&pt), data);
    }
});

#![doc = include_str!("../README.md")]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, InnerIvInit, KeyInit};
use zeroize::Zeroizing;

pub mod table;

/// The block cipher under [`TripleDes`]: RustCrypto's `des` by default, the table-driven core
/// of [`table`] with the `table-des` feature.
#[cfg(not(feature = "table-des"))]
type Core = des::TdesEde3;
#[cfg(feature = "table-des")]
type Core = table::TdesEde3;

// The key schedule held by `TripleDes` must be wiped on drop, whichever core is selected.
const _: fn() = || {
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wiped_on_drop::<Core>();
};

type Enc = cbc::Encryptor<Core>;
type Dec = cbc::Decryptor<Core>;

/// Why encryption or decryption failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The key is not 24 bytes.
    #[error("3DES key must be 24 bytes, got {0}")]
    KeyLength(usize),
    /// The ciphertext is not valid base64.
    #[error("ciphertext is not valid base64")]
    Base64,
    /// The ciphertext is empty or not a whole number of 8-byte blocks.
    #[error("ciphertext length {0} is not a positive multiple of 8")]
    Length(usize),
    /// The padding is wrong: wrong key, or tampered data.
    #[error("bad padding (wrong key or tampered data)")]
    Padding,
    /// The plaintext is not UTF-8.
    #[error("plaintext is not valid UTF-8")]
    Utf8,
    /// The key's first and second 8-byte thirds are equal, or its second and third (parity
    /// bits aside): encrypting then decrypting with the same third cancels out, and what is
    /// left is single DES, broken by exhaustive search.
    #[error(
        "3DES key is weak: its thirds K1 and K2, or K2 and K3, are equal, which reduces it to single DES"
    )]
    WeakKey,
}

/// A 3DES-EDE3-CBC key: 24 bytes; the IV is the key's first 8 bytes; PKCS5 padding.
///
/// The block cipher is [`des::TdesEde3`], or [`table::TdesEde3`] with the `table-des` feature;
/// both give the same ciphertexts.
///
/// ```
/// use crypto_3des::TripleDes;
///
/// let key = TripleDes::new(b"123456788765432112345678")?;
/// let data = key.encrypt_base64(b"{}");
/// assert_eq!(data, "n1jzgC47/IQ=");
/// assert_eq!(key.decrypt_base64(&data)?, b"{}");
/// # Ok::<(), crypto_3des::CryptoError>(())
/// ```
#[derive(Clone)]
pub struct TripleDes {
    // The expanded key schedule, computed once (both cores zeroize it on drop), and the IV,
    // which is the key's first 8 bytes and so as secret as the key.
    cipher: Core,
    iv: Zeroizing<[u8; 8]>,
}

impl std::fmt::Debug for TripleDes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TripleDes { .. }")
    }
}

/// Whether two adjacent thirds of a 24-byte key are equal, parity bits aside; in time that
/// does not depend on where they differ.
fn is_weak(key: &[u8]) -> bool {
    let third = |i: usize| key.get(i * 8..i * 8 + 8).unwrap_or_default();
    let differs = |a: &[u8], b: &[u8]| {
        a.iter()
            .zip(b)
            .fold(0u8, |acc, (x, y)| acc | ((x ^ y) & 0xFE))
            != 0
    };
    !differs(third(0), third(1)) || !differs(third(1), third(2))
}

impl TripleDes {
    /// A key from exactly 24 bytes whose thirds K1, K2, K3 satisfy K1 ≠ K2 and K2 ≠ K3
    /// (K1 = K3, two-key 3DES, is allowed).
    ///
    /// # Errors
    /// [`CryptoError::KeyLength`] for any other length; [`CryptoError::WeakKey`] when K1 = K2
    /// or K2 = K3, ignoring the parity bit of each byte, as DES does: EDE with two equal
    /// adjacent keys is single DES.
    pub fn new(key: &[u8]) -> Result<Self, CryptoError> {
        let cipher = Core::new_from_slice(key).map_err(|_| CryptoError::KeyLength(key.len()))?;
        if is_weak(key) {
            return Err(CryptoError::WeakKey);
        }
        let mut iv = Zeroizing::new([0u8; 8]);
        iv.copy_from_slice(&key[..8]);
        Ok(TripleDes { cipher, iv })
    }

    // Each call starts a CBC chain from the IV on a copy of the schedule (a copy is a few
    // hundred bytes; expanding the key again costs more than the copy).
    fn encryptor(&self) -> Enc {
        Enc::inner_iv_init(self.cipher.clone(), self.iv.as_ref().into())
    }

    fn decryptor(&self) -> Dec {
        Dec::inner_iv_init(self.cipher.clone(), self.iv.as_ref().into())
    }

    /// Encrypts with PKCS5 padding.
    pub fn encrypt(&self, plaintext: &[u8]) -> Vec<u8> {
        self.encryptor().encrypt_padded_vec_mut::<Pkcs7>(plaintext)
    }

    /// Encrypts with PKCS5 padding and encodes as standard base64 (with `=` padding).
    pub fn encrypt_base64(&self, plaintext: &[u8]) -> String {
        // Encrypt in place in one buffer, then encode once.
        let len = plaintext.len();
        let mut buf = Vec::with_capacity(len + 8);
        buf.extend_from_slice(plaintext);
        buf.resize(len - len % 8 + 8, 0);
        let ct_len = match self.encryptor().encrypt_padded_mut::<Pkcs7>(&mut buf, len) {
            Ok(ct) => ct.len(),
            // Unreachable: the buffer has room for a full padding block.
            Err(_) => return STANDARD.encode(self.encrypt(plaintext)),
        };
        STANDARD.encode(&buf[..ct_len])
    }

    /// Decrypts and removes PKCS5 padding.
    ///
    /// # Errors
    /// [`CryptoError::Length`] or [`CryptoError::Padding`].
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut buf = ciphertext.to_vec();
        let n = self.decrypt_in_place(&mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// Decrypts `buf` in place; returns the plaintext length.
    ///
    /// # Errors
    /// [`CryptoError::Length`] or [`CryptoError::Padding`].
    pub fn decrypt_in_place(&self, buf: &mut [u8]) -> Result<usize, CryptoError> {
        if buf.is_empty() || !buf.len().is_multiple_of(8) {
            return Err(CryptoError::Length(buf.len()));
        }
        self.decryptor()
            .decrypt_padded_mut::<Pkcs7>(buf)
            .map(|pt| pt.len())
            .map_err(|_| CryptoError::Padding)
    }

    /// Decodes standard base64 and decrypts.
    ///
    /// # Errors
    /// [`CryptoError::Base64`], [`CryptoError::Length`] or [`CryptoError::Padding`].
    pub fn decrypt_base64(&self, data: &str) -> Result<Vec<u8>, CryptoError> {
        let mut buf = STANDARD
            .decode(data.trim())
            .map_err(|_| CryptoError::Base64)?;
        let n = self.decrypt_in_place(&mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// Decodes, decrypts and checks the plaintext is UTF-8.
    ///
    /// # Errors
    /// As [`TripleDes::decrypt_base64`], and [`CryptoError::Utf8`].
    pub fn decrypt_base64_to_string(&self, data: &str) -> Result<String, CryptoError> {
        String::from_utf8(self.decrypt_base64(data)?).map_err(|_| CryptoError::Utf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8; 24] = b"123456788765432112345678";

    #[test]
    fn core_follows_the_feature() {
        let name = std::any::type_name::<Core>();
        if cfg!(feature = "table-des") {
            assert_eq!(name, "crypto_3des::table::TdesEde3");
        } else {
            assert_eq!(name, "des::tdes::TdesEde3");
        }
    }

    #[test]
    fn rejects_bad_keys() {
        assert_eq!(
            TripleDes::new(b"short").unwrap_err(),
            CryptoError::KeyLength(5)
        );
        assert_eq!(
            TripleDes::new(&[0u8; 25]).unwrap_err(),
            CryptoError::KeyLength(25)
        );
        assert_eq!(TripleDes::new(&[]).unwrap_err(), CryptoError::KeyLength(0));
    }

    #[test]
    fn keys_reducing_to_single_des_are_refused() {
        for weak in [
            &b"abcdefghabcdefgh12345678"[..], // K1 = K2
            b"12345678abcdefghabcdefgh",      // K2 = K3
            b"aaaaaaaaaaaaaaaaaaaaaaaa",      // all equal
            b"abcdefghabcdefghabcdefgh",
            b"`bcdefghabcdefgh12345678", // K1 = K2 but for parity bits ('`' = 'a' - 1)
        ] {
            assert_eq!(
                TripleDes::new(weak).unwrap_err(),
                CryptoError::WeakKey,
                "{weak:?}"
            );
        }
        // Two-key 3DES (K1 = K3) and the spec's key are fine.
        assert!(TripleDes::new(b"abcdefgh1234567Xabcdefgh").is_ok());
        assert!(TripleDes::new(KEY).is_ok());
    }

    #[test]
    fn empty_and_exact_blocks() {
        let k = TripleDes::new(KEY).unwrap();
        let ct = k.encrypt(b"");
        assert_eq!(ct.len(), 8);
        assert_eq!(k.decrypt(&ct).unwrap(), b"");
        let ct = k.encrypt(b"12345678");
        assert_eq!(ct.len(), 16);
        assert_eq!(k.decrypt(&ct).unwrap(), b"12345678");
        let pt = "中文，非ASCII".as_bytes();
        assert_eq!(k.decrypt_base64(&k.encrypt_base64(pt)).unwrap(), pt);
        assert_eq!(k.encrypt_base64(pt), STANDARD.encode(k.encrypt(pt)));
    }

    #[test]
    fn rejects_bad_ciphertext() {
        let k = TripleDes::new(KEY).unwrap();
        assert_eq!(k.decrypt_base64("***").unwrap_err(), CryptoError::Base64);
        assert_eq!(k.decrypt_base64("").unwrap_err(), CryptoError::Length(0));
        assert_eq!(k.decrypt(&[1, 2, 3]).unwrap_err(), CryptoError::Length(3));
        let other = TripleDes::new(b"0123456789abcdefghijklmn").unwrap();
        let ct = other.encrypt(b"{\"a\":\"12345\"}");
        assert_eq!(k.decrypt(&ct).unwrap_err(), CryptoError::Padding);
        // valid padding but not UTF-8
        let ct = k.encrypt_base64(&[0xff, 0xfe]);
        assert_eq!(
            k.decrypt_base64_to_string(&ct).unwrap_err(),
            CryptoError::Utf8
        );
    }

    proptest::proptest! {
        #[test]
        fn round_trip(key in proptest::array::uniform24(proptest::num::u8::ANY), pt in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let k = TripleDes::new(&key).unwrap();
            proptest::prop_assert_eq!(k.decrypt_base64(&k.encrypt_base64(&pt)).unwrap(), pt);
        }

        #[test]
        fn decrypt_never_panics(data in "\\PC{0,64}", raw in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let k = TripleDes::new(KEY).unwrap();
            let _ = k.decrypt_base64(&data);
            let _ = k.decrypt(&raw);
        }
    }
}

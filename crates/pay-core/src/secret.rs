//! Keys and other secrets: values whose `Debug` and `Display` never show them.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A secret key (signing key, encryption key, app secret, token).
///
/// The value is zeroised when dropped and never appears in `Debug` output:
///
/// ```
/// use pay_core::SecretKey;
///
/// let key = SecretKey::new("78f9b4fad3481fbce1df0b30eee58577");
/// assert_eq!(format!("{key:?}"), "SecretKey(***)");
/// assert_eq!(key.expose_secret().len(), 32);
/// ```
#[derive(Clone)]
pub struct SecretKey(SecretString);

impl SecretKey {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        SecretKey(SecretString::from(value.into()))
    }

    /// The secret value. Call this only where the value is used (signing, encryption).
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.expose_secret().is_empty()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl From<&str> for SecretKey {
    fn from(s: &str) -> Self {
        SecretKey::new(s)
    }
}

impl From<String> for SecretKey {
    fn from(s: String) -> Self {
        SecretKey::new(s)
    }
}

impl<'de> serde::Deserialize<'de> for SecretKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SecretKey::new)
    }
}

/// The keys a client verifies with during a key rotation: the current key, and optionally the
/// previous one. Signing always uses the current key; verification accepts either.
///
/// ```
/// use pay_core::{KeyRing, SecretKey};
///
/// let ring = KeyRing::new(SecretKey::new("new")).with_previous(SecretKey::new("old"));
/// assert_eq!(ring.current().expose_secret(), "new");
/// assert!(ring.verify_any(|key| key.expose_secret() == "old"));
/// assert!(!ring.verify_any(|key| key.expose_secret() == "other"));
/// ```
#[derive(Clone, Debug)]
pub struct KeyRing {
    current: SecretKey,
    previous: Option<SecretKey>,
}

impl KeyRing {
    /// A ring holding one key.
    pub fn new(current: SecretKey) -> Self {
        KeyRing {
            current,
            previous: None,
        }
    }

    /// Adds the previous key, accepted for verification only.
    #[must_use]
    pub fn with_previous(mut self, previous: SecretKey) -> Self {
        self.previous = Some(previous);
        self
    }

    /// The key to sign with.
    pub fn current(&self) -> &SecretKey {
        &self.current
    }

    /// The previous key, if a rotation is in progress.
    pub fn previous(&self) -> Option<&SecretKey> {
        self.previous.as_ref()
    }

    /// Every key verification should accept, current first.
    pub fn verifying_keys(&self) -> impl Iterator<Item = &SecretKey> {
        std::iter::once(&self.current).chain(self.previous.as_ref())
    }

    /// Whether `check` accepts any of the verifying keys. Every key is tried (no early exit), so
    /// the time taken does not tell which key matched.
    pub fn verify_any(&self, mut check: impl FnMut(&SecretKey) -> bool) -> bool {
        let mut ok = false;
        for key in self.verifying_keys() {
            ok |= check(key);
        }
        ok
    }
}

impl From<SecretKey> for KeyRing {
    fn from(key: SecretKey) -> Self {
        KeyRing::new(key)
    }
}

impl From<&str> for KeyRing {
    fn from(key: &str) -> Self {
        KeyRing::new(SecretKey::new(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let k = SecretKey::new("super-secret-value");
        let ring = KeyRing::new(k.clone()).with_previous(SecretKey::new("older-secret"));
        let dbg = format!("{k:?} {ring:?} {ring:#?}");
        assert!(!dbg.contains("super-secret"), "{dbg}");
        assert!(!dbg.contains("older-secret"), "{dbg}");
        assert_eq!(format!("{k:?}"), "SecretKey(***)");
    }

    #[test]
    fn deserialises_from_string() {
        let k: SecretKey = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(k.expose_secret(), "abc");
        assert!(!k.is_empty());
    }

    #[test]
    fn ring_tries_every_key() {
        let ring = KeyRing::new("a".into()).with_previous("b".into());
        let mut tried = Vec::new();
        assert!(ring.verify_any(|k| {
            tried.push(k.expose_secret().to_owned());
            k.expose_secret() == "a"
        }));
        assert_eq!(tried, ["a", "b"]);
        assert_eq!(KeyRing::from("x").verifying_keys().count(), 1);
    }
}

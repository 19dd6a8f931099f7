//! A `multipart/form-data` body, built in memory so it can be signed, logged by size and
//! checked in tests part by part.

use bytes::{BufMut, Bytes, BytesMut};

/// One file part.
#[derive(Clone)]
pub struct FilePart {
    /// The form field name (e.g. `file1`).
    pub field: String,
    /// The file name sent in `Content-Disposition`.
    pub file_name: String,
    /// The part's `Content-Type`.
    pub content_type: String,
    /// The content.
    pub data: Bytes,
}

impl std::fmt::Debug for FilePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilePart")
            .field("field", &self.field)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.data.len())
            .finish()
    }
}

/// A multipart body under construction.
///
/// ```
/// use pay_core::multipart::Multipart;
///
/// let mut m = Multipart::with_boundary("XyZ");
/// m.text("user_id", "U1");
/// m.file("file1", "front.jpg", "image/jpeg", &b"\xff\xd8"[..]);
/// let (content_type, body) = m.finish();
/// assert_eq!(content_type, "multipart/form-data; boundary=XyZ");
/// assert!(body.starts_with(b"--XyZ\r\ncontent-disposition: form-data; name=\"user_id\"\r\n\r\nU1\r\n"));
/// ```
#[derive(Debug, Clone)]
pub struct Multipart {
    boundary: String,
    body: BytesMut,
}

impl Multipart {
    /// A body with a random boundary.
    pub fn new() -> Self {
        use crate::IdSource;
        Self::with_boundary(format!("cnpay-{}", crate::RandomIds.next_id()))
    }

    /// A body with a fixed boundary (tests).
    pub fn with_boundary(boundary: impl Into<String>) -> Self {
        Multipart {
            boundary: boundary.into(),
            body: BytesMut::new(),
        }
    }

    fn header(&mut self) {
        self.body.put_slice(b"--");
        self.body.put_slice(self.boundary.as_bytes());
        self.body.put_slice(b"\r\n");
    }

    /// Adds a text field.
    pub fn text(&mut self, name: &str, value: &str) -> &mut Self {
        self.header();
        self.body.put_slice(
            format!(
                "content-disposition: form-data; name=\"{}\"\r\n\r\n",
                escape(name)
            )
            .as_bytes(),
        );
        self.body.put_slice(value.as_bytes());
        self.body.put_slice(b"\r\n");
        self
    }

    /// Adds a file.
    pub fn file(
        &mut self,
        name: &str,
        file_name: &str,
        content_type: &str,
        data: impl AsRef<[u8]>,
    ) -> &mut Self {
        self.header();
        self.body.put_slice(
            format!(
                "content-disposition: form-data; name=\"{}\"; filename=\"{}\"\r\ncontent-type: {}\r\n\r\n",
                escape(name),
                escape(file_name),
                content_type
            )
            .as_bytes(),
        );
        self.body.put_slice(data.as_ref());
        self.body.put_slice(b"\r\n");
        self
    }

    /// Adds a [`FilePart`].
    pub fn part(&mut self, part: &FilePart) -> &mut Self {
        self.file(&part.field, &part.file_name, &part.content_type, &part.data)
    }

    /// Closes the body; returns the `Content-Type` header value and the bytes.
    pub fn finish(mut self) -> (String, Bytes) {
        self.body.put_slice(b"--");
        self.body.put_slice(self.boundary.as_bytes());
        self.body.put_slice(b"--\r\n");
        (
            format!("multipart/form-data; boundary={}", self.boundary),
            self.body.freeze(),
        )
    }
}

impl Default for Multipart {
    fn default() -> Self {
        Self::new()
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let mut m = Multipart::with_boundary("B");
        m.text("a", "1").file("f", "x\".png", "image/png", b"PNG");
        let (ct, body) = m.finish();
        assert_eq!(ct, "multipart/form-data; boundary=B");
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            "--B\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B\r\ncontent-disposition: form-data; name=\"f\"; filename=\"x\\\".png\"\r\ncontent-type: image/png\r\n\r\nPNG\r\n--B--\r\n"
        );
        assert!(Multipart::new().boundary.starts_with("cnpay-"));
    }
}

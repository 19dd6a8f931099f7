//! Progress of a long download (a day's order or bill file) on stderr: a counter of the bytes
//! received so far, rewritten in place, only when stderr is a terminal (never in a pipe, a log
//! or a cron job's mail, where it would only be noise).

use std::io::{IsTerminal, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;

/// How many bytes between two updates of the counter.
const STEP: u64 = 64 * 1024;

/// A writer that passes everything to `inner` and counts it on `sink` (`label: N bytes`).
pub(crate) struct Progress<'a, W: ?Sized> {
    inner: &'a mut W,
    label: &'static str,
    bytes: u64,
    shown: u64,
    sink: Option<Box<dyn Write + Send + 'a>>,
}

impl<'a, W: AsyncWrite + Unpin + ?Sized> Progress<'a, W> {
    /// Counts on stderr when stderr is a terminal; otherwise shows nothing.
    pub(crate) fn to_stderr(inner: &'a mut W, label: &'static str) -> Self {
        let sink: Option<Box<dyn Write + Send>> = if std::io::stderr().is_terminal() {
            Some(Box::new(std::io::stderr()))
        } else {
            None
        };
        Self::new(inner, label, sink)
    }

    /// Counts on `sink`, or shows nothing when it is `None`.
    pub(crate) fn new(
        inner: &'a mut W,
        label: &'static str,
        sink: Option<Box<dyn Write + Send + 'a>>,
    ) -> Self {
        Progress {
            inner,
            label,
            bytes: 0,
            shown: 0,
            sink,
        }
    }

    /// Shows the final count and ends the line.
    pub(crate) fn finish(mut self) {
        self.show("\n");
    }

    fn show(&mut self, end: &str) {
        if let Some(sink) = &mut self.sink {
            // Progress is a courtesy: a failed write to stderr never fails the download.
            let _ = write!(sink, "\r{}: {} bytes{end}", self.label, self.bytes);
            let _ = sink.flush();
        }
        self.shown = self.bytes;
    }
}

impl<W: AsyncWrite + Unpin + ?Sized> AsyncWrite for Progress<'_, W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut *this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            this.bytes += *n as u64;
            if this.bytes - this.shown >= STEP {
                this.show("");
            }
        }
        poll
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tokio::io::AsyncWriteExt;

    use super::*;

    /// A sink the test can read after the writer is done with it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn download(sink: Option<Shared>) -> Vec<u8> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut file = Vec::new();
        rt.block_on(async {
            let sink = sink.map(|s| Box::new(s) as Box<dyn Write + Send>);
            let mut p = Progress::new(&mut file, "order file", sink);
            for _ in 0..3 {
                p.write_all(&[7; 40 * 1024]).await.unwrap();
            }
            p.flush().await.unwrap();
            p.finish();
        });
        file
    }

    #[test]
    fn counts_the_bytes_on_a_terminal_and_passes_them_through() {
        let sink = Shared::default();
        let file = download(Some(sink.clone()));
        assert_eq!(file, vec![7; 120 * 1024]);
        let shown = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            shown,
            "\rorder file: 81920 bytes\rorder file: 122880 bytes\n"
        );
    }

    #[test]
    fn passes_everything_through_without_a_sink() {
        // What `to_stderr` builds when stderr is not a terminal: no sink at all.
        let file = download(None);
        assert_eq!(file.len(), 120 * 1024);
    }
}

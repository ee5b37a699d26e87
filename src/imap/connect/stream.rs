//! The byte stream under async-imap, and the one place the real
//! credentials are written.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::net::tls;

/// The byte stream async-imap runs on: plain TCP or TLS over TCP.
///
/// It also keeps credentials out of async-imap: that crate logs every
/// command it encodes (`log::trace!`), LOGIN arguments and AUTHENTICATE
/// responses included. [`login`](super::login) therefore hands async-imap
/// placeholders and arms the stream to swap in the real bytes as they are
/// written, so trace logs only ever show the placeholders.
pub struct ImapStream {
    transport: Transport,
    secret: Option<Secret>,
    /// Bytes accepted from async-imap (with the secret in) not yet written.
    pending: Vec<u8>,
    pending_sent: usize,
    substituted: bool,
}

enum Transport {
    Plain(TcpStream),
    // Boxed: a TLS stream is two orders of magnitude larger than a socket.
    Tls(Box<TlsStream<TcpStream>>),
}

/// A placeholder and the real bytes that replace it on the wire.
struct Secret {
    placeholder: Vec<u8>,
    real: Vec<u8>,
}

impl Drop for Secret {
    fn drop(&mut self) {
        wipe(&mut self.real);
    }
}

/// Best-effort overwrite of credential bytes before their memory is freed.
pub(super) fn wipe(bytes: &mut Vec<u8>) {
    bytes.iter_mut().for_each(|b| *b = 0);
    std::hint::black_box(&bytes);
    bytes.clear();
}

impl ImapStream {
    fn new(transport: Transport) -> Self {
        Self {
            transport,
            secret: None,
            pending: Vec::new(),
            pending_sent: 0,
            substituted: false,
        }
    }

    pub(super) fn plain(tcp: TcpStream) -> Self {
        Self::new(Transport::Plain(tcp))
    }

    pub(super) fn tls(tls: TlsStream<TcpStream>) -> Self {
        Self::new(Transport::Tls(Box::new(tls)))
    }

    /// Whether the connection is encrypted.
    pub fn is_tls(&self) -> bool {
        matches!(self.transport, Transport::Tls(_))
    }

    /// SHA-256 of the server's certificate on a TLS connection: what a pin
    /// for this server would hold.
    pub fn peer_certificate_sha256(&self) -> Option<[u8; 32]> {
        match &self.transport {
            Transport::Tls(tls) => tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .map(|cert| tls::sha256(cert)),
            Transport::Plain(_) => None,
        }
    }

    /// The next write containing `placeholder` goes out with `real` in its
    /// place (the last occurrence, once).
    pub(super) fn arm(&mut self, placeholder: Vec<u8>, real: Vec<u8>) {
        self.substituted = false;
        self.secret = Some(Secret { placeholder, real });
    }

    /// Disarms; tells whether the substitution happened.
    pub(super) fn disarm(&mut self) -> bool {
        self.secret = None;
        std::mem::take(&mut self.substituted)
    }

    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.pending_sent < self.pending.len() {
            let rest = self.pending.get(self.pending_sent..).unwrap_or_default();
            let written = ready!(self.transport.poll_write(cx, rest))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending_sent += written;
        }
        if !self.pending.is_empty() {
            wipe(&mut self.pending);
            self.pending_sent = 0;
        }
        Poll::Ready(Ok(()))
    }
}

impl Transport {
    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self {
            Self::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Self::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
        }
    }
}

impl fmt::Debug for ImapStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let peer = match &self.transport {
            Transport::Plain(tcp) => tcp.peer_addr(),
            Transport::Tls(tls) => tls.get_ref().0.peer_addr(),
        };
        f.debug_struct("ImapStream")
            .field("tls", &self.is_tls())
            .field("peer", &peer.ok())
            .field("armed", &self.secret.is_some())
            .finish_non_exhaustive()
    }
}

impl AsyncRead for ImapStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut self.get_mut().transport {
            Transport::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Transport::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for ImapStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        let found = this
            .secret
            .as_ref()
            .and_then(|secret| rfind(buf, &secret.placeholder).map(|at| (at, secret)));
        if let Some((at, secret)) = found {
            // async-imap writes a whole command (or SASL response) in one
            // `write_all`, whose first call passes all of it: the
            // placeholder is never split across calls. Take it all now.
            let before = buf.get(..at).unwrap_or_default();
            let after = buf.get(at + secret.placeholder.len()..).unwrap_or_default();
            let mut out = Vec::with_capacity(before.len() + secret.real.len() + after.len());
            out.extend_from_slice(before);
            out.extend_from_slice(&secret.real);
            out.extend_from_slice(after);
            this.secret = None;
            this.substituted = true;
            this.pending = out;
            this.pending_sent = 0;
            // Whatever does not go out now goes on the next write or flush.
            if let Poll::Ready(Err(error)) = this.poll_pending(cx) {
                return Poll::Ready(Err(error));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        this.transport.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        match &mut this.transport {
            Transport::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Transport::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        match &mut this.transport {
            Transport::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            Transport::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Start of the last occurrence of `needle` in `haystack`.
fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::connect::socket_pair;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn rfind_finds_last_occurrence() {
        assert_eq!(rfind(b"xabxab", b"ab"), Some(4));
        assert_eq!(rfind(b"xab", b""), None);
        assert_eq!(rfind(b"a", b"ab"), None);
    }

    /// An armed stream writes the real bytes in place of the placeholder,
    /// once, and passes everything else through unchanged.
    #[tokio::test]
    async fn armed_stream_substitutes_the_secret_once() {
        let (client, mut server) = socket_pair().await;
        let mut stream = ImapStream::plain(client);
        stream.arm(b"\"PH\"".to_vec(), b"\"real secret\"".to_vec());
        assert!(format!("{stream:?}").contains("armed: true"));
        stream.write_all(b"A0001 ").await.unwrap();
        stream.write_all(b"LOGIN \"u\" \"PH\"").await.unwrap();
        stream.write_all(b"\r\n").await.unwrap();
        stream.write_all(b"A0002 X \"PH\"\r\n").await.unwrap();
        stream.flush().await.unwrap();
        assert!(stream.disarm());
        assert!(!stream.disarm());
        drop(stream);
        let mut received = Vec::new();
        server.read_to_end(&mut received).await.unwrap();
        assert_eq!(
            received,
            b"A0001 LOGIN \"u\" \"real secret\"\r\nA0002 X \"PH\"\r\n"
        );
    }
}

//! An authenticated SMTP submission connection: opened and secured here
//! (see the module docs), then driven by lettre.

use super::plaintext;
use crate::account::{Security, Server};
use crate::error::{Error, Result};
use crate::imap::connect::{ConnectError, Step, tcp_connect, upgrade, with_timeout};
use crate::net::tls;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream};
use lettre::transport::smtp::extension::ClientId;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// Upper bounds, so a silent server cannot hang the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect, and separately the TLS handshake.
    pub connect: Duration,
    /// Greeting, EHLO, STARTTLS and AUTH, each.
    pub command: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(15),
            command: Duration::from_secs(60),
        }
    }
}

/// The name Poshta gives itself in EHLO: no host name of the user's
/// machine leaves it (RFC 5321 allows an address literal).
const HELLO: &str = "[127.0.0.1]";

/// A logged-in submission connection, and the largest message the server
/// said it takes (EHLO's SIZE, RFC 1870), if it said.
pub struct Submission {
    pub connection: AsyncSmtpConnection,
    pub max_size: Option<u64>,
}

/// Connect to `server` as its security says, then log in with `password`
/// (AUTH PLAIN, else LOGIN).
pub async fn connect(server: &Server, password: &str, timeouts: &Timeouts) -> Result<Submission> {
    let trust = server.trust();
    let host = server.host.as_str();
    let mut tcp = tcp_connect(host, server.port, timeouts.connect).await?;
    // lettre keeps the EHLO reply's SIZE to itself: it is read off the
    // bytes on their way to lettre instead (no second EHLO).
    let ehlo = Arc::new(Mutex::new(EhloSize::default()));
    let stream: Box<dyn AsyncTokioStream> = match server.security {
        Security::Tls => {
            let config = tls::client_config_for(&trust).map_err(ConnectError::from)?;
            let tls = upgrade(tcp, host, server.port, config, timeouts.connect).await?;
            Box::new(Greeted::new(tls, b"", ehlo.clone()))
        }
        Security::StartTls => {
            let config = tls::client_config_for(&trust).map_err(ConnectError::from)?;
            with_timeout(Step::StartTls, timeouts.command, async {
                plaintext::negotiate(&mut tcp, HELLO).await
            })
            .await?;
            let tls = upgrade(tcp, host, server.port, config, timeouts.connect).await?;
            // lettre starts by reading a greeting; after STARTTLS the
            // server sends none, so it gets the one already read.
            Box::new(Greeted::new(tls, b"220 TLS established\r\n", ehlo.clone()))
        }
        Security::Plain => Box::new(Greeted::new(tcp, b"", ehlo.clone())),
    };
    let hello = ClientId::Domain(HELLO.into());
    let mut connection = tokio::time::timeout(
        timeouts.command,
        AsyncSmtpConnection::connect_with_transport(stream, &hello),
    )
    .await
    .map_err(|_| timed_out("the greeting"))?
    .map_err(|e| network("the greeting", &e))?;
    if connection.has_broken() {
        return Err(network_text("the greeting", "connection closed"));
    }
    if password.contains(['\r', '\n', '\0']) || server.username.contains(['\r', '\n', '\0']) {
        return Err(ConnectError::InvalidCredentials.into());
    }
    let credentials = Credentials::new(server.username.clone(), password.to_owned());
    let login = connection.auth(&[Mechanism::Plain, Mechanism::Login], &credentials);
    match tokio::time::timeout(timeouts.command, login).await {
        Err(_) => Err(timed_out("AUTH")),
        Ok(Ok(_)) => Ok(Submission {
            connection,
            max_size: lock(&ehlo).size,
        }),
        // 535 and friends: the server said no to these credentials.
        Ok(Err(e)) if e.is_permanent() => Err(ConnectError::AuthFailed {
            detail: e.to_string(),
        }
        .into()),
        Ok(Err(e)) => Err(network("AUTH", &e)),
    }
}

pub(super) fn network(context: &'static str, e: &lettre::transport::smtp::Error) -> Error {
    network_text(context, &e.to_string())
}

fn network_text(context: &'static str, detail: &str) -> Error {
    Error::Network {
        context,
        detail: detail.to_owned(),
    }
}

fn timed_out(context: &'static str) -> Error {
    network_text(context, "timed out")
}

/// The SIZE an EHLO reply advertises, found in the first bytes a server
/// sends (greeting and EHLO reply fit well within [`EhloSize::LOOK`]).
#[derive(Debug, Default)]
struct EhloSize {
    line: Vec<u8>,
    looked: usize,
    size: Option<u64>,
}

impl EhloSize {
    /// Bytes looked at; later ones (replies to mail) are not.
    const LOOK: usize = 16 * 1024;
    const LINE: usize = 512;

    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().take(Self::LOOK.saturating_sub(self.looked)) {
            self.looked += 1;
            if b != b'\n' {
                if self.line.len() < Self::LINE {
                    self.line.push(b);
                }
                continue;
            }
            let line = std::mem::take(&mut self.line);
            let text = String::from_utf8_lossy(&line);
            let keyword = text.get(4..).unwrap_or_default().trim();
            if (text.starts_with("250-") || text.starts_with("250 "))
                && let Some(value) = keyword
                    .get(..4)
                    .filter(|k| k.eq_ignore_ascii_case("SIZE"))
                    .and_then(|_| keyword.get(4..))
            {
                // "SIZE 0" or a bare SIZE: no fixed limit.
                self.size = value.trim().parse().ok().filter(|&n| n > 0);
            }
        }
    }
}

fn lock(m: &Mutex<EhloSize>) -> std::sync::MutexGuard<'_, EhloSize> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A stream for lettre, which first yields `greeting` (the one read
/// before STARTTLS; empty otherwise), then the stream's bytes, looking
/// for the EHLO reply's SIZE as they pass.
#[derive(Debug)]
struct Greeted<S> {
    greeting: &'static [u8],
    inner: S,
    ehlo: Arc<Mutex<EhloSize>>,
}

impl<S> Greeted<S> {
    fn new(inner: S, greeting: &'static [u8], ehlo: Arc<Mutex<EhloSize>>) -> Self {
        Greeted {
            greeting,
            inner,
            ehlo,
        }
    }
}

impl AsyncTokioStream for Greeted<TlsStream<TcpStream>> {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.get_ref().0.peer_addr()
    }
}

impl AsyncTokioStream for Greeted<TcpStream> {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.peer_addr()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Greeted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if !self.greeting.is_empty() {
            let n = self.greeting.len().min(buf.remaining());
            buf.put_slice(&self.greeting[..n]);
            self.greeting = &self.greeting[n..];
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let read = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Some(new) = buf.filled().get(before..) {
            lock(&self.ehlo).feed(new);
        }
        read
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Greeted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_limit_is_read_from_the_ehlo_reply_in_any_pieces() {
        let reply =
            b"220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250 AUTH PLAIN\r\n";
        for piece in [1, 7, reply.len()] {
            let mut ehlo = EhloSize::default();
            reply.chunks(piece).for_each(|c| ehlo.feed(c));
            assert_eq!(ehlo.size, Some(52_428_800), "in pieces of {piece}");
        }
        let mut none = EhloSize::default();
        none.feed(b"250-mx\r\n250-SIZE\r\n250 SIZE 0\r\n");
        assert_eq!(none.size, None);
        let mut late = EhloSize::default();
        late.feed(&vec![b'x'; EhloSize::LOOK]);
        late.feed(b"\n250 SIZE 10\r\n");
        assert_eq!(late.size, None, "only the start of the session is read");
    }
}

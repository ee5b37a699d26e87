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

/// Connect to `server` as its security says, then log in with `password`
/// (AUTH PLAIN, else LOGIN).
pub async fn connect(
    server: &Server,
    password: &str,
    timeouts: &Timeouts,
) -> Result<AsyncSmtpConnection> {
    let trust = server.trust();
    let host = server.host.as_str();
    let mut tcp = tcp_connect(host, server.port, timeouts.connect).await?;
    let stream: Box<dyn AsyncTokioStream> = match server.security {
        Security::Tls => {
            let config = tls::client_config_for(&trust).map_err(ConnectError::from)?;
            let tls = upgrade(tcp, host, server.port, config, timeouts.connect).await?;
            Box::new(Greeted::new(tls, b""))
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
            Box::new(Greeted::new(tls, b"220 TLS established\r\n"))
        }
        Security::Plain => Box::new(tcp),
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
        Ok(Ok(_)) => Ok(connection),
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

/// A TLS stream for lettre, which first yields `greeting` (the one read
/// before STARTTLS; empty for implicit TLS), then the stream's bytes.
#[derive(Debug)]
struct Greeted<S> {
    greeting: &'static [u8],
    inner: S,
}

impl<S> Greeted<S> {
    fn new(inner: S, greeting: &'static [u8]) -> Self {
        Greeted { greeting, inner }
    }
}

impl AsyncTokioStream for Greeted<TlsStream<TcpStream>> {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.get_ref().0.peer_addr()
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
        Pin::new(&mut self.inner).poll_read(cx, buf)
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

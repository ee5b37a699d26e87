//! A POP3 client (RFC 1939, CAPA and PIPELINING from RFC 2449, STLS from
//! RFC 2595, SASL PLAIN from RFC 5034).
//!
//! Written here because no maintained crate fits: the one async candidate
//! supports native-tls only, has no PIPELINING and has not been maintained
//! since 2023.
//!
//! Implicit TLS is the default; STLS is only ever required (never a silent
//! fallback to plaintext), and plaintext needs an explicit
//! [`Security::Plain`]. Everything the server sends is bounded: status
//! lines, message sizes and listings have limits, and no buffer is sized
//! from a number the server announces. Up to and including login, errors
//! are [`ConnectError`]s, as for IMAP; after that, [`crate::error::Error`].

mod capability;
mod client;
mod listing;
mod login;
mod multiline;
mod pipeline;
#[cfg(test)]
mod script;
mod stls;
mod wire;

pub use capability::Capabilities;
pub use client::Client;
pub use pipeline::Retrievals;

use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

pub use crate::account::Security;
pub use crate::imap::connect::{ConnectError, Step};
use crate::imap::connect::{tcp_connect, upgrade};
use crate::net::tls;
use wire::Wire;

/// Where to connect. The TLS certificate must be valid for `host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

/// Upper bounds, so a silent server cannot hang the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect, and separately the TLS handshake.
    pub connect: Duration,
    /// Each wait for bytes from the server (and each write): a large
    /// message over a slow link is fine as long as bytes keep coming.
    pub command: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(30),
            command: Duration::from_secs(60),
        }
    }
}

/// Connects, secures the connection as `endpoint.security` demands, reads
/// the greeting and the capabilities (over TLS, unless plaintext was
/// chosen). `tls` is not used for [`Security::Plain`].
pub async fn connect(
    endpoint: &Endpoint,
    tls: Arc<ClientConfig>,
    timeouts: &Timeouts,
) -> Result<Client, ConnectError> {
    let host = endpoint.host.as_str();
    let port = endpoint.port;
    match endpoint.security {
        Security::Tls => {
            let stream = tls::connect_tls(host, port, tls, timeouts.connect).await?;
            let fingerprint = peer_sha256(&stream);
            Client::start(
                Box::new(stream),
                Security::Tls,
                timeouts.command,
                false,
                fingerprint,
            )
            .await
        }
        Security::StartTls => {
            // Before connecting: a bad name must not cost a connection.
            ServerName::try_from(host)
                .map_err(|_| ConnectError::InvalidServerName(host.to_owned()))?;
            let tcp = tcp_connect(host, port, timeouts.connect).await?;
            let tcp = stls::negotiate(Wire::new(tcp, timeouts.command)).await?;
            let stream = upgrade(tcp, host, port, tls, timeouts.connect).await?;
            let fingerprint = peer_sha256(&stream);
            // No second greeting after STLS; capabilities are re-read.
            Client::start(
                Box::new(stream),
                Security::StartTls,
                timeouts.command,
                true,
                fingerprint,
            )
            .await
        }
        Security::Plain => {
            tracing::warn!(
                host,
                port,
                "POP3 without TLS (account opted in): password and mail travel in clear"
            );
            let tcp = tcp_connect(host, port, timeouts.connect).await?;
            Client::start(
                Box::new(tcp),
                Security::Plain,
                timeouts.command,
                false,
                None,
            )
            .await
        }
    }
}

fn peer_sha256(stream: &TlsStream<TcpStream>) -> Option<[u8; 32]> {
    stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|cert| tls::sha256(cert))
}

#[cfg(test)]
mod tests;

//! Opening and authenticating an IMAP connection without trusting the
//! network.
//!
//! Implicit TLS is the default. STARTTLS is only ever "required": if the
//! server does not offer it, refuses it, or the exchange looks tampered
//! with, the connection is abandoned before any credential is sent.
//! Plaintext needs an explicit [`Security::Plain`].
//!
//! Before TLS everything is read by hand, one exact line at a time straight
//! off the socket, so no buffered reader can carry plaintext bytes (an
//! injected `* CAPABILITY` or tagged reply) across the TLS upgrade. The
//! plaintext greeting and capabilities are used only to decide whether to
//! proceed and are then thrown away; async-imap first sees the connection
//! once it is encrypted, and the capabilities it reports come from a fresh
//! `CAPABILITY` over TLS.

mod capability;
mod credential;
mod error;
mod plaintext;
mod stream;

pub use capability::{Capabilities, SYNC_EXTENSIONS, enable_extensions};
pub use error::{ConnectError, Step};
pub use stream::ImapStream;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::net::tls::{self, Trust};
use credential::{PASSWORD_PLACEHOLDER, PlaceholderPlain, USER_PLACEHOLDER};
use plaintext::Greeting;

/// How the connection is protected (shared with POP3 and SMTP).
pub use crate::account::Security;

/// Where to connect and what to trust there.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub trust: Trust,
    /// The name the certificate must be valid for, when it differs from
    /// `host` (a tunnel, or an address literal for a named server). `None`
    /// means `host`.
    pub tls_name: Option<String>,
}

impl Endpoint {
    /// An endpoint with default trust (system roots) and no name override.
    pub fn new(host: impl Into<String>, port: u16, security: Security) -> Self {
        Self {
            host: host.into(),
            port,
            security,
            trust: Trust::default(),
            tls_name: None,
        }
    }

    /// The name the server's certificate is checked against.
    pub fn server_name(&self) -> &str {
        self.tls_name.as_deref().unwrap_or(&self.host)
    }
}

/// Upper bounds for each network step, so a silent or trickling server
/// cannot hang the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect, and separately the TLS handshake.
    pub connect: Duration,
    /// From connected to a complete greeting line.
    pub greeting: Duration,
    /// Each command and its complete reply (CAPABILITY, STARTTLS, login).
    pub command: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(15),
            greeting: Duration::from_secs(15),
            command: Duration::from_secs(60),
        }
    }
}

pub type Client = async_imap::Client<ImapStream>;
pub type Session = async_imap::Session<ImapStream>;

/// A connected, greeted, not yet authenticated IMAP connection.
pub struct Connection {
    client: Client,
    capabilities: Capabilities,
    preauth: bool,
    security: Security,
    timeouts: Timeouts,
}

impl Connection {
    /// The capabilities reported over the final (encrypted, unless
    /// [`Security::Plain`]) connection; never the plaintext ones.
    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// The server greeted with `PREAUTH` (allowed on TLS and Plain only).
    pub fn is_preauthenticated(&self) -> bool {
        self.preauth
    }

    pub fn security(&self) -> Security {
        self.security
    }

    /// SHA-256 of the certificate the server presented, if TLS.
    pub fn peer_certificate_sha256(&self) -> Option<[u8; 32]> {
        self.client.get_ref().peer_certificate_sha256()
    }

    /// The async-imap client, for callers that need more than [`login`].
    pub fn into_client(self) -> Client {
        self.client
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("stream", self.client.get_ref())
            .field("security", &self.security)
            .field("preauth", &self.preauth)
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
}

/// Connects, greets, upgrades to TLS as `endpoint.security` demands, and
/// reads the capabilities over the final connection.
///
/// Builds a TLS configuration from `endpoint.trust` on every call (reading
/// the system store); use [`connect_with_config`] to share one.
pub async fn connect(endpoint: &Endpoint, timeouts: &Timeouts) -> Result<Connection, ConnectError> {
    let config = match endpoint.security {
        Security::Plain => None,
        Security::Tls | Security::StartTls => Some(tls::client_config_for(&endpoint.trust)?),
    };
    open(endpoint, config, timeouts).await
}

/// Like [`connect`] with a prepared TLS configuration (normally from
/// [`tls::client_config_for`]); `endpoint.trust` is then not consulted.
pub async fn connect_with_config(
    endpoint: &Endpoint,
    config: Arc<ClientConfig>,
    timeouts: &Timeouts,
) -> Result<Connection, ConnectError> {
    open(endpoint, Some(config), timeouts).await
}

async fn open(
    endpoint: &Endpoint,
    config: Option<Arc<ClientConfig>>,
    timeouts: &Timeouts,
) -> Result<Connection, ConnectError> {
    let server_name = endpoint.server_name();
    if endpoint.security != Security::Plain {
        // Before connecting: a bad name must not cost a connection.
        ServerName::try_from(server_name)
            .map_err(|_| ConnectError::InvalidServerName(server_name.to_owned()))?;
    }
    let mut tcp = tcp_connect(&endpoint.host, endpoint.port, timeouts.connect).await?;

    let (stream, preauth) = match endpoint.security {
        Security::Tls => {
            let config = config.ok_or(ConnectError::Internal("no TLS configuration"))?;
            let mut tls =
                upgrade(tcp, server_name, endpoint.port, config, timeouts.connect).await?;
            let line = with_timeout(
                Step::Greeting,
                timeouts.greeting,
                plaintext::read_line_bytewise(&mut tls, Step::Greeting),
            )
            .await?;
            let preauth = match plaintext::parse_greeting(&line).ok_or(ConnectError::BadGreeting)? {
                Greeting::Ok => false,
                Greeting::PreAuth => {
                    tracing::info!(host = %endpoint.host, port = endpoint.port, "server greeted with PREAUTH");
                    true
                }
                Greeting::Bye => return Err(ConnectError::Bye),
            };
            (ImapStream::tls(tls), preauth)
        }
        Security::StartTls => {
            let config = config.ok_or(ConnectError::Internal("no TLS configuration"))?;
            plaintext::starttls_negotiation(&mut tcp, timeouts).await?;
            let tls = upgrade(tcp, server_name, endpoint.port, config, timeouts.connect).await?;
            (ImapStream::tls(tls), false)
        }
        Security::Plain => {
            tracing::warn!(
                host = %endpoint.host,
                port = endpoint.port,
                "IMAP without TLS (account opted in): password and mail travel in clear"
            );
            let (line, _) = with_timeout(
                Step::Greeting,
                timeouts.greeting,
                plaintext::read_line_exact(&mut tcp, Step::Greeting),
            )
            .await?;
            let preauth = match plaintext::parse_greeting(&line).ok_or(ConnectError::BadGreeting)? {
                Greeting::Ok => false,
                Greeting::PreAuth => true,
                Greeting::Bye => return Err(ConnectError::Bye),
            };
            (ImapStream::plain(tcp), preauth)
        }
    };

    let mut client = async_imap::Client::new(stream);
    let capabilities = with_timeout(
        Step::Capability,
        timeouts.command,
        capability::query_capabilities(&mut client),
    )
    .await?;
    Ok(Connection {
        client,
        capabilities,
        preauth,
        security: endpoint.security,
        timeouts: *timeouts,
    })
}

/// A TCP connection to `host:port` within `after` (POP3 connects the
/// same way).
pub(crate) async fn tcp_connect(
    host: &str,
    port: u16,
    after: Duration,
) -> Result<TcpStream, ConnectError> {
    let connect_error = |source| ConnectError::Connect {
        host: host.to_owned(),
        port,
        source,
    };
    let attempt = async {
        let tcp = TcpStream::connect((host, port))
            .await
            .map_err(connect_error)?;
        // Commands are small and latency-bound.
        tcp.set_nodelay(true).map_err(connect_error)?;
        Ok(tcp)
    };
    with_timeout(Step::Connect, after, attempt).await
}

/// A verified TLS handshake on `tcp` within `after`.
pub(crate) async fn upgrade(
    tcp: TcpStream,
    server_name: &str,
    port: u16,
    config: Arc<ClientConfig>,
    after: Duration,
) -> Result<TlsStream<TcpStream>, ConnectError> {
    with_timeout(Step::TlsHandshake, after, async {
        tls::handshake(tcp, server_name, port, config)
            .await
            .map_err(ConnectError::from)
    })
    .await
}

/// Runs `future` under `after`, reporting a timeout as `step`.
pub(crate) async fn with_timeout<T>(
    step: Step,
    after: Duration,
    future: impl Future<Output = Result<T, ConnectError>>,
) -> Result<T, ConnectError> {
    tokio::time::timeout(after, future)
        .await
        .unwrap_or(Err(ConnectError::Timeout { step, after }))
}

/// Logs in: `AUTHENTICATE PLAIN` when advertised, else `LOGIN`.
///
/// Refuses without sending anything when the server advertises
/// `LOGINDISABLED` or the credentials contain CR, LF or NUL. The user name
/// and password never reach a log (not even async-imap's trace log) or an
/// error message. Bounded by the connection's command timeout.
pub async fn login(conn: Connection, user: &str, password: &str) -> Result<Session, ConnectError> {
    if conn.preauth {
        return Err(ConnectError::AlreadyAuthenticated);
    }
    if conn.capabilities.has("LOGINDISABLED") {
        return Err(ConnectError::LoginDisabled);
    }
    if [user, password]
        .iter()
        .any(|s| s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)))
    {
        return Err(ConnectError::InvalidCredentials);
    }
    if conn.security == Security::Plain {
        tracing::warn!("sending credentials without TLS (account opted in)");
    }

    let Connection {
        mut client,
        capabilities,
        timeouts,
        ..
    } = conn;
    let after = timeouts.command;
    let attempt = if capabilities.has_auth("PLAIN") {
        let mut real = PlaceholderPlain::message(user, password);
        client.get_mut().arm(
            crate::net::base64::encode(&PlaceholderPlain::message(
                USER_PLACEHOLDER,
                PASSWORD_PLACEHOLDER,
            )),
            crate::net::base64::encode(&real),
        );
        stream::wipe(&mut real);
        let authenticator = PlaceholderPlain { answered: false };
        tokio::time::timeout(after, client.authenticate("PLAIN", authenticator)).await
    } else {
        client.get_mut().arm(
            format!(
                "{} {}",
                credential::quote(USER_PLACEHOLDER),
                credential::quote(PASSWORD_PLACEHOLDER)
            )
            .into_bytes(),
            format!(
                "{} {}",
                credential::quote(user),
                credential::quote(password)
            )
            .into_bytes(),
        );
        tokio::time::timeout(after, client.login(USER_PLACEHOLDER, PASSWORD_PLACEHOLDER)).await
    };

    match attempt {
        Err(_) => Err(ConnectError::Timeout {
            step: Step::Login,
            after,
        }),
        Ok(Err((failure, _client))) => Err(error::auth_error(failure, password)),
        Ok(Ok(mut session)) => {
            if session.get_mut().disarm() {
                Ok(session)
            } else {
                // Only placeholders went out; the server cannot have
                // accepted them, but never hand out such a session.
                Err(ConnectError::Internal("credentials were not substituted"))
            }
        }
    }
}

/// A connected socket pair on loopback, (client, server): a stand-in server
/// for the submodules' tests.
#[cfg(test)]
async fn socket_pair() -> (TcpStream, TcpStream) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (client, server) = tokio::join!(TcpStream::connect(addr), listener.accept());
    (client.unwrap(), server.unwrap().0)
}

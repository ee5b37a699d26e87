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

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use async_imap::imap_proto::{self, Response, Status};
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::net::tls::{self, RejectedCertificate, TlsError, Trust};

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

/// The step that failed, for errors and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Connect,
    TlsHandshake,
    Greeting,
    Capability,
    StartTls,
    Login,
    Enable,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connecting",
            Self::TlsHandshake => "the TLS handshake",
            Self::Greeting => "the greeting",
            Self::Capability => "CAPABILITY",
            Self::StartTls => "STARTTLS",
            Self::Login => "login",
            Self::Enable => "ENABLE",
        })
    }
}

/// Why connecting or logging in failed.
///
/// Text a server sent before TLS never appears here (a MITM controls it);
/// after TLS only the reply to a failed login is passed on, with the
/// password masked.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("invalid server name {0:?}")]
    InvalidServerName(String),
    #[error("connecting to {host}:{port}: {source}")]
    Connect {
        host: String,
        port: u16,
        #[source]
        source: io::Error,
    },
    #[error("{step} timed out after {after:?}")]
    Timeout { step: Step, after: Duration },
    #[error("connection failed during {step}: {source}")]
    Io {
        step: Step,
        #[source]
        source: io::Error,
    },
    /// The first line was not an IMAP greeting; nothing was sent.
    #[error("the server did not greet like an IMAP server")]
    BadGreeting,
    /// The server greeted with (or answered) `* BYE`.
    #[error("the server refused the connection")]
    Bye,
    /// `* PREAUTH` on a STARTTLS account: an authenticated session that can
    /// never be upgraded to TLS.
    #[error("the server skipped authentication before TLS (PREAUTH); connection closed")]
    PreauthWithoutTls,
    /// STARTTLS not among the plaintext capabilities; nothing was sent
    /// beyond `CAPABILITY`.
    #[error("the server does not offer STARTTLS; not continuing without encryption")]
    StartTlsUnavailable,
    /// STARTTLS answered with NO or BAD. Tried once, never retried in
    /// plaintext.
    #[error("the server refused STARTTLS; not continuing without encryption")]
    StartTlsRefused,
    /// Bytes followed the STARTTLS OK in the same read: something tried to
    /// plant responses for after the upgrade (or a broken server).
    #[error("unexpected data after the STARTTLS reply (possible tampering); connection closed")]
    StartTlsInjection,
    /// The server's certificate was refused; the fingerprint lets the user
    /// inspect and, deliberately, pin it.
    #[error("certificate of {host}:{port} rejected: {certificate}")]
    Certificate {
        host: String,
        port: u16,
        certificate: Box<RejectedCertificate>,
    },
    /// Any other TLS failure (handshake, protocol version).
    #[error(transparent)]
    Tls(TlsError),
    #[error("a server line during {step} exceeded the length limit")]
    LineTooLong { step: Step },
    #[error("unexpected server response during {step}: {detail}")]
    Protocol { step: Step, detail: String },
    /// The server advertises `LOGINDISABLED` (typically: no plaintext
    /// passwords without TLS); credentials were not sent.
    #[error("the server does not accept a password on this connection; credentials not sent")]
    LoginDisabled,
    /// A line break or NUL in the user name or password would let it
    /// smuggle in IMAP commands.
    #[error("the user name or password contains a line break or NUL character")]
    InvalidCredentials,
    /// The server answered the login with NO or BAD.
    #[error("login failed: {detail}")]
    AuthFailed { detail: String },
    /// The connection greeted with `PREAUTH`; async-imap cannot turn it
    /// into a session without a login.
    #[error("the server pre-authenticated this connection; logging in is not possible")]
    AlreadyAuthenticated,
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl ConnectError {
    /// The refused certificate, if that is why the connection failed.
    pub fn rejected_certificate(&self) -> Option<&RejectedCertificate> {
        match self {
            Self::Certificate { certificate, .. } => Some(certificate),
            _ => None,
        }
    }

    fn io(step: Step) -> impl FnOnce(io::Error) -> Self {
        move |source| Self::Io { step, source }
    }

    fn eof(step: Step) -> Self {
        Self::Io {
            step,
            source: io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed by the server",
            ),
        }
    }
}

impl From<TlsError> for ConnectError {
    fn from(error: TlsError) -> Self {
        match error {
            TlsError::Certificate {
                host,
                port,
                certificate,
            } => Self::Certificate {
                host,
                port,
                certificate,
            },
            TlsError::InvalidServerName(name) => Self::InvalidServerName(name),
            other => Self::Tls(other),
        }
    }
}

/// Capability names as the server listed them, upper-cased so lookups
/// ignore case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities(BTreeSet<String>);

impl Capabilities {
    /// Whether `name` (e.g. `IDLE`, `AUTH=PLAIN`) is listed.
    pub fn has(&self, name: &str) -> bool {
        self.0.contains(&name.to_ascii_uppercase())
    }

    /// Whether SASL mechanism `mechanism` is listed as `AUTH=<mechanism>`.
    pub fn has_auth(&self, mechanism: &str) -> bool {
        self.has(&format!("AUTH={mechanism}"))
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn insert_proto(&mut self, capability: &imap_proto::Capability<'_>) {
        let name = match capability {
            imap_proto::Capability::Imap4rev1 => "IMAP4REV1".to_owned(),
            imap_proto::Capability::Auth(mechanism) => format!("AUTH={mechanism}"),
            imap_proto::Capability::Atom(atom) => atom.to_string(),
        };
        self.0.insert(name.to_ascii_uppercase());
    }
}

impl<S: AsRef<str>> FromIterator<S> for Capabilities {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(|name| name.as_ref().to_ascii_uppercase())
                .collect(),
        )
    }
}

/// The byte stream async-imap runs on: plain TCP or TLS over TCP.
///
/// It also keeps credentials out of async-imap: that crate logs every
/// command it encodes (`log::trace!`), LOGIN arguments and AUTHENTICATE
/// responses included. [`login`] therefore hands async-imap placeholders
/// and arms the stream to swap in the real bytes as they are written, so
/// trace logs only ever show the placeholders.
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
fn wipe(bytes: &mut Vec<u8>) {
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

    fn plain(tcp: TcpStream) -> Self {
        Self::new(Transport::Plain(tcp))
    }

    fn tls(tls: TlsStream<TcpStream>) -> Self {
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
    fn arm(&mut self, placeholder: Vec<u8>, real: Vec<u8>) {
        self.substituted = false;
        self.secret = Some(Secret { placeholder, real });
    }

    /// Disarms; tells whether the substitution happened.
    fn disarm(&mut self) -> bool {
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

/// Longest line accepted from the server before async-imap takes over.
const MAX_LINE: usize = 64 * 1024;
/// Most lines accepted in reply to one plaintext command.
const MAX_LINES: usize = 1000;

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
    let mut tcp = tcp_connect(endpoint, timeouts.connect).await?;

    let (stream, preauth) = match endpoint.security {
        Security::Tls => {
            let config = config.ok_or(ConnectError::Internal("no TLS configuration"))?;
            let mut tls = upgrade(tcp, server_name, endpoint.port, config, timeouts).await?;
            let line = with_timeout(
                Step::Greeting,
                timeouts.greeting,
                read_line_bytewise(&mut tls, Step::Greeting),
            )
            .await?;
            let preauth = match parse_greeting(&line).ok_or(ConnectError::BadGreeting)? {
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
            starttls_negotiation(&mut tcp, timeouts).await?;
            let tls = upgrade(tcp, server_name, endpoint.port, config, timeouts).await?;
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
                read_line_exact(&mut tcp, Step::Greeting),
            )
            .await?;
            let preauth = match parse_greeting(&line).ok_or(ConnectError::BadGreeting)? {
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
        query_capabilities(&mut client),
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

async fn tcp_connect(endpoint: &Endpoint, after: Duration) -> Result<TcpStream, ConnectError> {
    let connect_error = |source| ConnectError::Connect {
        host: endpoint.host.clone(),
        port: endpoint.port,
        source,
    };
    let attempt = async {
        let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
            .await
            .map_err(connect_error)?;
        // Commands are small and latency-bound.
        tcp.set_nodelay(true).map_err(connect_error)?;
        Ok(tcp)
    };
    with_timeout(Step::Connect, after, attempt).await
}

async fn upgrade(
    tcp: TcpStream,
    server_name: &str,
    port: u16,
    config: Arc<ClientConfig>,
    timeouts: &Timeouts,
) -> Result<TlsStream<TcpStream>, ConnectError> {
    with_timeout(Step::TlsHandshake, timeouts.connect, async {
        tls::handshake(tcp, server_name, port, config)
            .await
            .map_err(ConnectError::from)
    })
    .await
}

/// The plaintext part of STARTTLS, on the raw socket: greeting,
/// `A1 CAPABILITY`, `A2 STARTTLS`. Returns with the socket positioned
/// exactly after the tagged OK, nothing read beyond it.
async fn starttls_negotiation(
    tcp: &mut TcpStream,
    timeouts: &Timeouts,
) -> Result<(), ConnectError> {
    let (line, _) = with_timeout(
        Step::Greeting,
        timeouts.greeting,
        read_line_exact(tcp, Step::Greeting),
    )
    .await?;
    match parse_greeting(&line).ok_or(ConnectError::BadGreeting)? {
        Greeting::Ok => {}
        Greeting::PreAuth => return Err(ConnectError::PreauthWithoutTls),
        Greeting::Bye => return Err(ConnectError::Bye),
    }

    let reply = with_timeout(
        Step::Capability,
        timeouts.command,
        plain_command(tcp, "A1", "CAPABILITY", Step::Capability),
    )
    .await?;
    if reply.status != TaggedStatus::Ok {
        return Err(ConnectError::Protocol {
            step: Step::Capability,
            detail: "CAPABILITY refused before TLS".to_owned(),
        });
    }
    let offers_starttls = reply
        .untagged
        .iter()
        .filter_map(|line| capability_words(line))
        .flatten()
        .any(|word| word.eq_ignore_ascii_case("STARTTLS"));
    if !offers_starttls {
        return Err(ConnectError::StartTlsUnavailable);
    }

    let reply = with_timeout(
        Step::StartTls,
        timeouts.command,
        plain_command(tcp, "A2", "STARTTLS", Step::StartTls),
    )
    .await?;
    if reply.status != TaggedStatus::Ok {
        return Err(ConnectError::StartTlsRefused);
    }
    if reply.more_waiting {
        return Err(ConnectError::StartTlsInjection);
    }
    // Bytes arriving later than the OK stay unread in the socket; rustls
    // then reads them as TLS records, which fails the handshake.
    Ok(())
}

/// Runs `future` under `after`, reporting a timeout as `step`.
async fn with_timeout<T>(
    step: Step,
    after: Duration,
    future: impl Future<Output = Result<T, ConnectError>>,
) -> Result<T, ConnectError> {
    tokio::time::timeout(after, future)
        .await
        .unwrap_or(Err(ConnectError::Timeout { step, after }))
}

/// Reads one line (through `\n`) from the socket and not one byte more:
/// each chunk is peeked, and only the part up to the line end is consumed.
/// Also tells whether more bytes had already arrived behind the line.
async fn read_line_exact(tcp: &mut TcpStream, step: Step) -> Result<(Vec<u8>, bool), ConnectError> {
    let mut line = Vec::new();
    let mut chunk = vec![0; 4096];
    loop {
        let seen = tcp.peek(&mut chunk).await.map_err(ConnectError::io(step))?;
        let peeked = chunk.get(..seen).unwrap_or_default();
        if peeked.is_empty() {
            return Err(ConnectError::eof(step));
        }
        let (take, complete) = match peeked.iter().position(|&b| b == b'\n') {
            Some(end) => (end + 1, true),
            None => (seen, false),
        };
        if line.len() + take > MAX_LINE {
            return Err(ConnectError::LineTooLong { step });
        }
        let start = line.len();
        line.resize(start + take, 0);
        let target = line.get_mut(start..).unwrap_or_default();
        tcp.read_exact(target)
            .await
            .map_err(ConnectError::io(step))?;
        if complete {
            return Ok((line, seen > take));
        }
    }
}

/// Reads one line a byte at a time, so nothing beyond it is consumed. Only
/// for the TLS greeting: each read is a copy out of rustls's buffer.
async fn read_line_bytewise<S: AsyncRead + Unpin>(
    stream: &mut S,
    step: Step,
) -> Result<Vec<u8>, ConnectError> {
    let mut line = Vec::with_capacity(128);
    loop {
        let byte = match stream.read_u8().await {
            Ok(byte) => byte,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(ConnectError::eof(step));
            }
            Err(e) => return Err(ConnectError::Io { step, source: e }),
        };
        line.push(byte);
        if byte == b'\n' {
            return Ok(line);
        }
        if line.len() >= MAX_LINE {
            return Err(ConnectError::LineTooLong { step });
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Greeting {
    Ok,
    PreAuth,
    Bye,
}

/// `* OK ...`, `* PREAUTH ...` or `* BYE ...` with CRLF; anything else
/// (other protocols, binary, NUL bytes) is not an IMAP greeting.
fn parse_greeting(line: &[u8]) -> Option<Greeting> {
    let line = line.strip_suffix(b"\r\n")?;
    if line.contains(&0) {
        return None;
    }
    let rest = line.strip_prefix(b"* ")?;
    let word = rest.split(|&b| b == b' ').next().unwrap_or_default();
    if word.eq_ignore_ascii_case(b"OK") {
        Some(Greeting::Ok)
    } else if word.eq_ignore_ascii_case(b"PREAUTH") {
        Some(Greeting::PreAuth)
    } else if word.eq_ignore_ascii_case(b"BYE") {
        Some(Greeting::Bye)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaggedStatus {
    Ok,
    No,
    Bad,
    Other,
}

/// The status of `line` if it is the tagged reply for `tag`.
fn tagged_status(line: &[u8], tag: &str) -> Option<TaggedStatus> {
    let rest = line.strip_prefix(tag.as_bytes())?.strip_prefix(b" ")?;
    let word = rest
        .split(|&b| b == b' ' || b == b'\r' || b == b'\n')
        .next()
        .unwrap_or_default();
    Some(if word.eq_ignore_ascii_case(b"OK") {
        TaggedStatus::Ok
    } else if word.eq_ignore_ascii_case(b"NO") {
        TaggedStatus::No
    } else if word.eq_ignore_ascii_case(b"BAD") {
        TaggedStatus::Bad
    } else {
        TaggedStatus::Other
    })
}

/// The words of an untagged `* CAPABILITY ...` line.
fn capability_words(line: &[u8]) -> Option<impl Iterator<Item = &str>> {
    let text = std::str::from_utf8(line).ok()?;
    let mut words = text.split_ascii_whitespace();
    (words.next() == Some("*")).then_some(())?;
    words
        .next()
        .filter(|w| w.eq_ignore_ascii_case("CAPABILITY"))?;
    Some(words)
}

struct PlainReply {
    untagged: Vec<Vec<u8>>,
    status: TaggedStatus,
    /// Bytes had already arrived behind the tagged line.
    more_waiting: bool,
}

/// Sends `{tag} {command}` on the raw socket and reads to its tagged reply.
async fn plain_command(
    tcp: &mut TcpStream,
    tag: &str,
    command: &str,
    step: Step,
) -> Result<PlainReply, ConnectError> {
    tcp.write_all(format!("{tag} {command}\r\n").as_bytes())
        .await
        .map_err(ConnectError::io(step))?;
    let mut untagged = Vec::new();
    for _ in 0..MAX_LINES {
        let (line, more_waiting) = read_line_exact(tcp, step).await?;
        if let Some(status) = tagged_status(&line, tag) {
            return Ok(PlainReply {
                untagged,
                status,
                more_waiting,
            });
        }
        // Untagged data (`* 3 EXISTS`, `* LIST ...`) before TLS is noise
        // at best and an attack at worst: kept only to find CAPABILITY.
        if line.starts_with(b"* ") {
            untagged.push(line);
        }
    }
    Err(ConnectError::Protocol {
        step,
        detail: "too many lines before the tagged reply".to_owned(),
    })
}

/// Tag for the CAPABILITY sent outside async-imap (its own are `A0001`...).
const CAPABILITY_TAG: &str = "C1";

/// `CAPABILITY` on a fresh async-imap client (which has no public command
/// API before login): written raw, read through async-imap's parser.
async fn query_capabilities(client: &mut Client) -> Result<Capabilities, ConnectError> {
    let step = Step::Capability;
    let stream = client.get_mut();
    stream
        .write_all(format!("{CAPABILITY_TAG} CAPABILITY\r\n").as_bytes())
        .await
        .map_err(ConnectError::io(step))?;
    stream.flush().await.map_err(ConnectError::io(step))?;

    let mut capabilities = None;
    loop {
        let response = client
            .read_response()
            .await
            .map_err(ConnectError::io(step))?
            .ok_or(ConnectError::eof(step))?;
        match response.parsed() {
            Response::Capabilities(list) => {
                let mut set = Capabilities::default();
                for capability in list {
                    set.insert_proto(capability);
                }
                capabilities = Some(set);
            }
            Response::Done { tag, status, .. } if tag.0 == CAPABILITY_TAG => {
                return match (status, capabilities) {
                    (Status::Ok, Some(set)) => Ok(set),
                    (Status::Ok, None) => Err(ConnectError::Protocol {
                        step,
                        detail: "no CAPABILITY response".to_owned(),
                    }),
                    _ => Err(ConnectError::Protocol {
                        step,
                        detail: "CAPABILITY refused".to_owned(),
                    }),
                };
            }
            Response::Data {
                status: Status::Bye,
                ..
            } => return Err(ConnectError::Bye),
            _ => {}
        }
    }
}

/// What async-imap is given, and logs, instead of the user name and password.
const USER_PLACEHOLDER: &str = "[user withheld]";
const PASSWORD_PLACEHOLDER: &str = "[password withheld]";

/// A SASL PLAIN authenticator that answers with placeholder credentials;
/// the stream swaps in the real ones (see [`ImapStream`]).
struct PlaceholderPlain {
    answered: bool,
}

impl PlaceholderPlain {
    fn message(user: &str, password: &str) -> Vec<u8> {
        let mut message = Vec::with_capacity(user.len() + password.len() + 2);
        message.push(0);
        message.extend_from_slice(user.as_bytes());
        message.push(0);
        message.extend_from_slice(password.as_bytes());
        message
    }
}

impl async_imap::Authenticator for PlaceholderPlain {
    type Response = Vec<u8>;

    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        if std::mem::replace(&mut self.answered, true) {
            // A second challenge for PLAIN is bogus: answer empty, which
            // the server rejects, instead of repeating anything.
            return Vec::new();
        }
        Self::message(USER_PLACEHOLDER, PASSWORD_PLACEHOLDER)
    }
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
            base64(&PlaceholderPlain::message(
                USER_PLACEHOLDER,
                PASSWORD_PLACEHOLDER,
            )),
            base64(&real),
        );
        wipe(&mut real);
        let authenticator = PlaceholderPlain { answered: false };
        tokio::time::timeout(after, client.authenticate("PLAIN", authenticator)).await
    } else {
        client.get_mut().arm(
            format!(
                "{} {}",
                quote(USER_PLACEHOLDER),
                quote(PASSWORD_PLACEHOLDER)
            )
            .into_bytes(),
            format!("{} {}", quote(user), quote(password)).into_bytes(),
        );
        tokio::time::timeout(after, client.login(USER_PLACEHOLDER, PASSWORD_PLACEHOLDER)).await
    };

    match attempt {
        Err(_) => Err(ConnectError::Timeout {
            step: Step::Login,
            after,
        }),
        Ok(Err((error, _client))) => Err(auth_error(error, password)),
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

/// An IMAP quoted string, escaped exactly as async-imap escapes LOGIN
/// arguments. The caller has already refused CR, LF and NUL.
fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Maps async-imap's login failure, masking the password should a server
/// echo it back.
fn auth_error(error: async_imap::error::Error, password: &str) -> ConnectError {
    use async_imap::error::Error;
    let mask = |text: String| {
        if password.is_empty() {
            text
        } else {
            text.replace(password, "***")
        }
    };
    match error {
        Error::No(text) | Error::Bad(text) => ConnectError::AuthFailed { detail: mask(text) },
        Error::ConnectionLost => ConnectError::eof(Step::Login),
        Error::Io(source) => ConnectError::Io {
            step: Step::Login,
            source,
        },
        other => ConnectError::Protocol {
            step: Step::Login,
            detail: mask(other.to_string()),
        },
    }
}

/// Extensions the sync engine can use, in the order to enable them.
/// `UTF8=ACCEPT` changes how mailbox names travel (UTF-8 instead of
/// modified UTF-7): enable it only if the caller handles that.
pub const SYNC_EXTENSIONS: &[&str] = &["CONDSTORE", "QRESYNC", "UTF8=ACCEPT"];

/// Sends `ENABLE` for those of `wanted` the server offers after login
/// (RFC 5161), and returns what it reports enabled. Without the `ENABLE`
/// capability nothing is sent and the result is empty.
pub async fn enable_extensions(
    session: &mut Session,
    wanted: &[&str],
    timeouts: &Timeouts,
) -> Result<Capabilities, ConnectError> {
    let step = Step::Enable;
    let valid_atom = |name: &&str| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"=+-_.".contains(&b))
    };
    if !wanted.iter().all(valid_atom) {
        return Err(ConnectError::Internal("extension names must be atoms"));
    }
    let offered: Capabilities = with_timeout(step, timeouts.command, async {
        let capabilities = session
            .capabilities()
            .await
            .map_err(|e| enable_error(step, e))?;
        Ok(capabilities
            .iter()
            .map(|c| match c {
                async_imap::types::Capability::Imap4rev1 => "IMAP4REV1".to_owned(),
                async_imap::types::Capability::Auth(m) => format!("AUTH={m}"),
                async_imap::types::Capability::Atom(a) => a.clone(),
            })
            .collect())
    })
    .await?;
    let to_enable: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|name| offered.has(name))
        .collect();
    if !offered.has("ENABLE") || to_enable.is_empty() {
        return Ok(Capabilities::default());
    }

    with_timeout(step, timeouts.command, async {
        let tag = session
            .run_command(format!("ENABLE {}", to_enable.join(" ")))
            .await
            .map_err(|e| enable_error(step, e))?;
        let mut enabled = Capabilities::default();
        loop {
            let response = session
                .read_response()
                .await
                .map_err(ConnectError::io(step))?
                .ok_or(ConnectError::eof(step))?;
            match response.parsed() {
                // imap-proto parses `* ENABLED ...` as a capability list.
                Response::Capabilities(list) => {
                    for capability in list {
                        enabled.insert_proto(capability);
                    }
                }
                Response::Done {
                    tag: done, status, ..
                } if *done == tag => {
                    return match status {
                        Status::Ok => Ok(enabled),
                        _ => Err(ConnectError::Protocol {
                            step,
                            detail: "ENABLE refused".to_owned(),
                        }),
                    };
                }
                _ => {}
            }
        }
    })
    .await
}

fn enable_error(step: Step, error: async_imap::error::Error) -> ConnectError {
    match error {
        async_imap::error::Error::Io(source) => ConnectError::Io { step, source },
        async_imap::error::Error::ConnectionLost => ConnectError::eof(step),
        other => ConnectError::Protocol {
            step,
            detail: other.to_string(),
        },
    }
}

/// Standard base64 with padding, as async-imap encodes SASL responses.
fn base64(input: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let symbol = |n: u32| ALPHABET[(n & 63) as usize];
    let mut out = Vec::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        out.push(symbol(n >> 18));
        out.push(symbol(n >> 12));
        out.push(if chunk.len() > 1 {
            symbol(n >> 6)
        } else {
            b'='
        });
        out.push(if chunk.len() > 2 { symbol(n) } else { b'=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A connected socket pair on loopback: (client, server).
    async fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, server) = tokio::join!(TcpStream::connect(addr), listener.accept());
        (client.unwrap(), server.unwrap().0)
    }

    #[test]
    fn greetings_are_classified_strictly() {
        assert_eq!(
            parse_greeting(b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n"),
            Some(Greeting::Ok)
        );
        assert_eq!(parse_greeting(b"* ok hi\r\n"), Some(Greeting::Ok));
        assert_eq!(parse_greeting(b"* OK\r\n"), Some(Greeting::Ok));
        assert_eq!(
            parse_greeting(b"* PREAUTH logged in\r\n"),
            Some(Greeting::PreAuth)
        );
        assert_eq!(
            parse_greeting(b"* BYE [ALERT] go away\r\n"),
            Some(Greeting::Bye)
        );
        for garbage in [
            &b""[..],
            b"* OK no line end",
            b"+OK POP3 ready\r\n",
            b"-ERR\r\n",
            b"220 smtp ESMTP\r\n",
            b"*OK\r\n",
            b"* OKAY\r\n",
            b"* OK \x00 nul\r\n",
            b"\x16\x03\x01\x02\x00\r\n",
            b"A1 OK\r\n",
        ] {
            assert_eq!(parse_greeting(garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn tagged_replies_match_only_their_tag() {
        assert_eq!(
            tagged_status(b"A2 OK Begin TLS\r\n", "A2"),
            Some(TaggedStatus::Ok)
        );
        assert_eq!(tagged_status(b"A2 ok\r\n", "A2"), Some(TaggedStatus::Ok));
        assert_eq!(tagged_status(b"A2 NO\r\n", "A2"), Some(TaggedStatus::No));
        assert_eq!(
            tagged_status(b"A2 BAD what\r\n", "A2"),
            Some(TaggedStatus::Bad)
        );
        assert_eq!(
            tagged_status(b"A2 OKAY\r\n", "A2"),
            Some(TaggedStatus::Other)
        );
        assert_eq!(tagged_status(b"A22 OK\r\n", "A2"), None);
        assert_eq!(tagged_status(b"A1 OK\r\n", "A2"), None);
        assert_eq!(tagged_status(b"* OK\r\n", "A2"), None);
    }

    #[test]
    fn capability_words_only_from_capability_lines() {
        let words: Vec<_> = capability_words(b"* CAPABILITY IMAP4rev1 STARTTLS\r\n")
            .unwrap()
            .collect();
        assert_eq!(words, ["IMAP4rev1", "STARTTLS"]);
        assert!(capability_words(b"* OK [CAPABILITY STARTTLS]\r\n").is_none());
        assert!(capability_words(b"A1 CAPABILITY STARTTLS\r\n").is_none());
    }

    #[test]
    fn capabilities_ignore_case() {
        let caps: Capabilities = ["IMAP4rev1", "auth=plain", "Idle"].into_iter().collect();
        assert!(caps.has("IDLE"));
        assert!(caps.has_auth("PLAIN"));
        assert!(caps.has("imap4rev1"));
        assert!(!caps.has("STARTTLS"));
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), output.as_bytes(), "{input:?}");
        }
        assert_eq!(base64(b"\0a\0b"), b"AGEAYg==");
    }

    #[test]
    fn quoting_matches_async_imap() {
        assert_eq!(quote(r#"pa"ss\word"#), r#""pa\"ss\\word""#);
    }

    #[test]
    fn rfind_finds_last_occurrence() {
        assert_eq!(rfind(b"xabxab", b"ab"), Some(4));
        assert_eq!(rfind(b"xab", b""), None);
        assert_eq!(rfind(b"a", b"ab"), None);
    }

    /// The line reader consumes exactly one line, even when more arrived in
    /// the same segment, and reports that more was waiting.
    #[tokio::test]
    async fn line_reader_consumes_exactly_one_line() {
        let (mut client, mut server) = pair().await;
        server
            .write_all(b"A2 OK Begin TLS\r\n* CAPABILITY X\r\n")
            .await
            .unwrap();
        // Let both lines arrive before the first peek.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (line, more) = read_line_exact(&mut client, Step::StartTls).await.unwrap();
        assert_eq!(line, b"A2 OK Begin TLS\r\n");
        assert!(more);
        let (line, more) = read_line_exact(&mut client, Step::StartTls).await.unwrap();
        assert_eq!(line, b"* CAPABILITY X\r\n");
        assert!(!more);
    }

    #[tokio::test]
    async fn line_reader_joins_a_line_split_across_segments() {
        let (mut client, mut server) = pair().await;
        let writer = tokio::spawn(async move {
            for part in [&b"* OK "[..], b"split ", b"greeting\r\n"] {
                server.write_all(part).await.unwrap();
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            server
        });
        let (line, more) = read_line_exact(&mut client, Step::Greeting).await.unwrap();
        assert_eq!(line, b"* OK split greeting\r\n");
        assert!(!more);
        drop(writer.await.unwrap());
    }

    #[tokio::test]
    async fn line_reader_caps_line_length_and_reports_eof() {
        let (mut client, mut server) = pair().await;
        let writer = tokio::spawn(async move {
            let _ = server.write_all(&vec![b'x'; MAX_LINE + 10]).await;
            server
        });
        let err = read_line_exact(&mut client, Step::Greeting)
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectError::LineTooLong { .. }), "{err:?}");
        drop(writer.await.unwrap());

        let (mut client, server) = pair().await;
        drop(server);
        let err = read_line_exact(&mut client, Step::Greeting)
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectError::Io { .. }), "{err:?}");
    }

    /// An armed stream writes the real bytes in place of the placeholder,
    /// once, and passes everything else through unchanged.
    #[tokio::test]
    async fn armed_stream_substitutes_the_secret_once() {
        let (client, mut server) = pair().await;
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

    /// The PLAIN placeholder async-imap will encode is exactly what the
    /// stream is armed to replace.
    #[tokio::test]
    async fn plain_placeholder_round_trips_through_base64() {
        let (client, mut server) = pair().await;
        let mut stream = ImapStream::plain(client);
        let placeholder = PlaceholderPlain::message(USER_PLACEHOLDER, PASSWORD_PLACEHOLDER);
        let real = PlaceholderPlain::message("alice", "pw");
        stream.arm(base64(&placeholder), base64(&real));
        let mut auth = PlaceholderPlain { answered: false };
        let first = async_imap::Authenticator::process(&mut auth, b"");
        let second = async_imap::Authenticator::process(&mut auth, b"");
        assert!(second.is_empty());
        stream.write_all(&base64(&first)).await.unwrap();
        stream.write_all(b"\r\n").await.unwrap();
        stream.flush().await.unwrap();
        assert!(stream.disarm());
        drop(stream);
        let mut received = Vec::new();
        server.read_to_end(&mut received).await.unwrap();
        assert_eq!(received, b"AGFsaWNlAHB3\r\n");
    }

    #[test]
    fn auth_errors_mask_an_echoed_password() {
        let err = auth_error(
            async_imap::error::Error::No("wrong password hunter2!".to_owned()),
            "hunter2",
        );
        let text = err.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(matches!(err, ConnectError::AuthFailed { .. }));
    }

    #[test]
    fn certificate_errors_are_forwarded_typed() {
        let tls = TlsError::InvalidServerName("a b".to_owned());
        assert!(matches!(
            ConnectError::from(tls),
            ConnectError::InvalidServerName(_)
        ));
    }
}

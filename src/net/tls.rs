//! TLS client configuration and connection set-up.
//!
//! One policy for every account: rustls with the ring provider, TLS 1.2 or
//! newer, the operating system's trust store plus an optional per-account
//! CA (self-hosted servers, test servers). Certificate verification is never
//! disabled here. The only exception a user can make is a pin: the SHA-256
//! of one exact certificate, accepted for one account in place of chain
//! validation (see [`Trust`]).
//!
//! Configurations built by [`client_config_for`] report a rejected
//! certificate as [`TlsError::Certificate`], carrying the certificate's
//! fingerprint (and subject, issuer and validity when they parse), so the
//! UI can show what was presented and offer to pin it.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, OtherError, RootCertStore,
    SignatureScheme,
};
use sha2::{Digest, Sha256};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// What a connection trusts besides the system roots.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Trust {
    /// PEM `CERTIFICATE` sections added as trust anchors (self-hosted CA).
    pub extra_ca_pem: Option<Vec<u8>>,
    /// SHA-256 of the DER of the one end-entity certificate the user
    /// accepted for this protocol, host and port. When set it replaces chain
    /// validation entirely: exactly that certificate is accepted (even if
    /// self-signed, expired or issued for another name) and any other is
    /// rejected, even one that would verify against the system roots, so
    /// the user is asked again whenever the certificate changes.
    pub pinned_sha256: Option<[u8; 32]>,
}

impl fmt::Debug for Trust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trust")
            .field(
                "extra_ca_pem",
                &self.extra_ca_pem.as_ref().map(|pem| pem.len()),
            )
            .field("pinned_sha256", &self.pinned_sha256.map(|fp| hex(&fp)))
            .finish()
    }
}

/// Why a presented certificate was refused, in terms a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateProblem {
    /// Past its `notAfter` date.
    Expired,
    /// Before its `notBefore` date (or the local clock is wrong).
    NotYetValid,
    /// Valid, but not for the host name we connected to.
    NotValidForName,
    /// Not issued by any trusted CA.
    UnknownIssuer,
    /// Issued by itself and not trusted (the usual `openssl req -x509`).
    SelfSigned,
    /// The account has a pin and this is not the pinned certificate.
    PinMismatch,
    /// Anything else rustls refused (bad encoding, wrong key usage, a CA
    /// certificate used as the server's own, ...).
    Other(String),
}

impl fmt::Display for CertificateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Expired => f.write_str("the certificate has expired"),
            Self::NotYetValid => f.write_str("the certificate is not valid yet"),
            Self::NotValidForName => f.write_str("the certificate is for a different host name"),
            Self::UnknownIssuer => f.write_str("the certificate is not issued by a trusted CA"),
            Self::SelfSigned => f.write_str("the certificate is self-signed"),
            Self::PinMismatch => f.write_str("the certificate is not the one accepted earlier"),
            Self::Other(detail) => write!(f, "the certificate was rejected ({detail})"),
        }
    }
}

/// A certificate the server presented and we refused: what a UI needs to
/// explain the refusal and, at the user's request, pin the certificate.
///
/// Subject, issuer and validity are read with a small DER reader; they are
/// `None` when the certificate does not parse. They come from the (possibly
/// hostile) server, so control and bidi characters are replaced before they
/// get here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedCertificate {
    pub reason: CertificateProblem,
    /// SHA-256 of the end-entity certificate's DER: the value to pin.
    pub fingerprint_sha256: [u8; 32],
    /// E.g. `CN=localhost`.
    pub subject: Option<String>,
    pub issuer: Option<String>,
    /// E.g. `2026-11-23 15:03:54 UTC`.
    pub not_before: Option<String>,
    pub not_after: Option<String>,
}

impl RejectedCertificate {
    fn new(reason: CertificateProblem, der: &[u8]) -> Self {
        let info = der::CertInfo::parse(der);
        Self {
            reason,
            fingerprint_sha256: sha256(der),
            subject: info.as_ref().map(|i| i.subject.clone()),
            issuer: info.as_ref().map(|i| i.issuer.clone()),
            not_before: info.as_ref().and_then(|i| i.not_before.clone()),
            not_after: info.and_then(|i| i.not_after),
        }
    }

    /// The fingerprint as colon-separated upper-case hex, as browsers and
    /// `openssl x509 -fingerprint -sha256` show it.
    pub fn fingerprint_hex(&self) -> String {
        hex(&self.fingerprint_sha256)
    }
}

impl fmt::Display for RejectedCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; SHA-256 {}", self.reason, self.fingerprint_hex())
    }
}

impl std::error::Error for RejectedCertificate {}

/// SHA-256 of `bytes`: certificate fingerprints and pins.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Colon-separated upper-case hex (`AB:CD:...`).
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// Why a TLS configuration could not be built or a TLS connection could not
/// be established.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The extra CA is not well-formed PEM.
    #[error("extra CA certificate is not valid PEM: {0}")]
    BadPem(#[source] rustls::pki_types::pem::Error),
    /// The extra CA PEM holds no `CERTIFICATE` section.
    #[error("extra CA PEM contains no certificate")]
    NoCertificateInPem,
    /// A certificate in the extra CA PEM cannot serve as a trust anchor.
    #[error("extra CA certificate rejected: {0}")]
    BadCa(#[source] rustls::Error),
    /// Neither the system store nor the caller supplied a usable root, so
    /// no server could ever be verified.
    #[error("no trusted root certificates (system store empty and no extra CA)")]
    NoRoots,
    /// rustls refused the protocol settings.
    #[error("TLS configuration rejected: {0}")]
    Config(#[source] rustls::Error),
    /// rustls refused to build a certificate verifier from the roots.
    #[error("certificate verifier rejected: {0}")]
    Verifier(#[source] rustls::client::VerifierBuilderError),
    /// The host is neither a valid DNS name nor an IP address.
    #[error("invalid server name {0:?}")]
    InvalidServerName(String),
    /// The TCP connection could not be opened.
    #[error("connecting to {host}:{port}: {source}")]
    Connect {
        host: String,
        port: u16,
        #[source]
        source: io::Error,
    },
    /// The server's certificate was refused (only with configurations from
    /// [`client_config_for`]; others report [`TlsError::Handshake`]).
    #[error("certificate of {host}:{port} rejected: {certificate}")]
    Certificate {
        host: String,
        port: u16,
        /// Boxed: keeps every `Result<_, TlsError>` small.
        certificate: Box<RejectedCertificate>,
    },
    /// The TLS handshake failed for another reason (protocol version, not a
    /// TLS server, connection reset, ...).
    #[error("TLS handshake with {host}:{port} failed: {source}")]
    Handshake {
        host: String,
        port: u16,
        #[source]
        source: io::Error,
    },
    /// Connecting and handshaking together took longer than allowed.
    #[error("connecting to {host}:{port} timed out after {after:?}")]
    Timeout {
        host: String,
        port: u16,
        after: Duration,
    },
}

impl TlsError {
    /// The rustls error behind a failed handshake, if any: lets callers tell
    /// a certificate problem (offer the fingerprint) from a network one.
    pub fn rustls_error(&self) -> Option<&rustls::Error> {
        match self {
            Self::Handshake { source, .. } => source
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>()),
            Self::BadCa(e) | Self::Config(e) => Some(e),
            _ => None,
        }
    }

    /// The certificate verification error behind a failed handshake, if any.
    pub fn certificate_error(&self) -> Option<&rustls::CertificateError> {
        match self.rustls_error() {
            Some(rustls::Error::InvalidCertificate(e)) => Some(e),
            _ => None,
        }
    }

    /// The refused certificate, if that is why the handshake failed.
    pub fn rejected_certificate(&self) -> Option<&RejectedCertificate> {
        match self {
            Self::Certificate { certificate, .. } => Some(certificate),
            _ => None,
        }
    }
}

/// Builds the client configuration every connection uses.
///
/// Trusts the system roots plus, if given, the certificates in
/// `extra_ca_pem` (one or more PEM `CERTIFICATE` sections). The ring
/// provider is chosen explicitly so the result does not depend on which
/// provider some other crate installed as the process default. Reading the
/// system store costs file I/O: build once per account and reuse the `Arc`.
///
/// System certificates that fail to parse are skipped (stores often hold a
/// few); a bad *extra* CA is an error, because the user asked for it.
///
/// Certificate failures surface as plain rustls errors
/// ([`TlsError::Handshake`]); prefer [`client_config_for`], which also
/// reports the fingerprint and supports pins.
pub fn client_config(extra_ca_pem: Option<&[u8]>) -> Result<Arc<ClientConfig>, TlsError> {
    let roots = root_store(extra_ca_pem)?;
    let config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(PROTOCOL_VERSIONS)
        .map_err(TlsError::Config)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Builds the client configuration for an account's [`Trust`].
///
/// Without a pin: webpki verification against the system roots plus the
/// extra CA, including the host name check. With a pin: exactly the pinned
/// certificate is accepted, without chain, name or date checks (the user
/// accepted that certificate for this account), and the server must still
/// prove it holds the certificate's key (handshake signatures are
/// verified). The system store is not read when a pin is set, and
/// `extra_ca_pem` is then ignored.
///
/// Either way a refused certificate makes the handshake fail with
/// [`TlsError::Certificate`] (when connected through [`connect_tls`] or
/// [`handshake`]), carrying its fingerprint.
pub fn client_config_for(trust: &Trust) -> Result<Arc<ClientConfig>, TlsError> {
    let provider = provider();
    let policy = match trust.pinned_sha256 {
        Some(pin) => Policy::Pinned(pin),
        None => {
            let roots = root_store(trust.extra_ca_pem.as_deref())?;
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                    .build()
                    .map_err(TlsError::Verifier)?;
            Policy::WebPki(webpki)
        }
    };
    let verifier = Arc::new(PolicyVerifier {
        policy,
        algorithms: provider.signature_verification_algorithms,
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(PROTOCOL_VERSIONS)
        .map_err(TlsError::Config)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// TLS 1.2 and 1.3 only: rustls has no older versions anyway, but say so.
const PROTOCOL_VERSIONS: &[&rustls::SupportedProtocolVersion] =
    &[&rustls::version::TLS13, &rustls::version::TLS12];

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The system roots plus the certificates of `extra_ca_pem`.
fn root_store(extra_ca_pem: Option<&[u8]>) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();

    let native = rustls_native_certs::load_native_certs();
    for error in &native.errors {
        tracing::warn!(%error, "could not load part of the system certificate store");
    }
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    tracing::debug!(added, ignored, "loaded system root certificates");

    if let Some(pem) = extra_ca_pem {
        let certs = parse_pem_certificates(pem)?;
        for cert in certs {
            roots.add(cert).map_err(TlsError::BadCa)?;
        }
    }

    if roots.is_empty() {
        return Err(TlsError::NoRoots);
    }
    Ok(roots)
}

/// Parses every `CERTIFICATE` section of `pem`; at least one is required.
fn parse_pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(TlsError::BadPem)?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificateInPem);
    }
    Ok(certs)
}

#[derive(Debug)]
enum Policy {
    WebPki(Arc<WebPkiServerVerifier>),
    Pinned([u8; 32]),
}

/// The verifier behind [`client_config_for`].
///
/// A refusal is returned as `CertificateError::Other` wrapping a
/// [`RejectedCertificate`]: the error itself carries the fingerprint out of
/// the handshake, so one shared `ClientConfig` serves any number of
/// concurrent connections without per-connection state.
#[derive(Debug)]
struct PolicyVerifier {
    policy: Policy,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PolicyVerifier {
    fn reject(problem: CertificateProblem, end_entity: &[u8]) -> rustls::Error {
        let rejected = RejectedCertificate::new(problem, end_entity);
        rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(rejected))))
    }
}

impl ServerCertVerifier for PolicyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match &self.policy {
            Policy::Pinned(pin) => {
                if sha256(end_entity) == *pin {
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(Self::reject(CertificateProblem::PinMismatch, end_entity))
                }
            }
            Policy::WebPki(webpki) => webpki
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map_err(|error| {
                    let problem = classify(&error, end_entity);
                    Self::reject(problem, end_entity)
                }),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        match &self.policy {
            Policy::WebPki(webpki) => webpki.verify_tls12_signature(message, cert, dss),
            Policy::Pinned(_) => {
                rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
            }
        }
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        match &self.policy {
            Policy::WebPki(webpki) => webpki.verify_tls13_signature(message, cert, dss),
            Policy::Pinned(_) => {
                rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
            }
        }
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Maps webpki's verdict to what the user is told.
///
/// A certificate that issued itself is reported as [`SelfSigned`] whatever
/// else webpki found first: for the usual `CA:TRUE` self-signed certificate
/// webpki reports `CaUsedAsEndEntity` before it looks for an issuer, even
/// when the certificate was added as a root, and pinning is the remedy
/// either way. Dates and names take precedence, as they are more specific.
///
/// [`SelfSigned`]: CertificateProblem::SelfSigned
fn classify(error: &rustls::Error, end_entity: &[u8]) -> CertificateProblem {
    let rustls::Error::InvalidCertificate(cert_error) = error else {
        return CertificateProblem::Other(error.to_string());
    };
    match cert_error {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            CertificateProblem::Expired
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            CertificateProblem::NotYetValid
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            CertificateProblem::NotValidForName
        }
        _ if der::CertInfo::parse(end_entity).is_some_and(|info| info.self_issued) => {
            CertificateProblem::SelfSigned
        }
        CertificateError::UnknownIssuer => CertificateProblem::UnknownIssuer,
        CertificateError::Other(OtherError(inner)) => CertificateProblem::Other(inner.to_string()),
        other => CertificateProblem::Other(other.to_string()),
    }
}

/// Completes a TLS handshake on an open TCP connection, verifying the
/// certificate for `server_name` (implicit TLS after connect, or STARTTLS
/// after the plaintext exchange). `port` only labels errors.
///
/// No timeout here: the caller bounds the whole step.
pub async fn handshake(
    tcp: TcpStream,
    server_name: &str,
    port: u16,
    config: Arc<ClientConfig>,
) -> Result<TlsStream<TcpStream>, TlsError> {
    let name = ServerName::try_from(server_name.to_owned())
        .map_err(|_| TlsError::InvalidServerName(server_name.to_owned()))?;
    TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|source| handshake_error(server_name, port, source))
}

/// Turns a failed handshake into [`TlsError::Certificate`] when our
/// verifier refused the certificate, else [`TlsError::Handshake`].
fn handshake_error(host: &str, port: u16, source: io::Error) -> TlsError {
    let rejected = source
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .and_then(|error| match error {
            rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(inner))) => {
                inner.downcast_ref::<RejectedCertificate>()
            }
            _ => None,
        });
    match rejected {
        Some(certificate) => TlsError::Certificate {
            host: host.to_owned(),
            port,
            certificate: Box::new(certificate.clone()),
        },
        None => TlsError::Handshake {
            host: host.to_owned(),
            port,
            source,
        },
    }
}

/// Opens a TCP connection to `host:port` and completes a verified TLS
/// handshake for `host` (implicit TLS: IMAPS, POP3S, SMTPS).
///
/// `timeout` bounds connect and handshake together, so a server that
/// accepts but never answers cannot hang the caller. `host` may be a DNS
/// name or an IP address; it is what the certificate must match.
pub async fn connect_tls(
    host: &str,
    port: u16,
    config: Arc<ClientConfig>,
    timeout: Duration,
) -> Result<TlsStream<TcpStream>, TlsError> {
    // Checked first so a bad name never opens a connection.
    ServerName::try_from(host.to_owned())
        .map_err(|_| TlsError::InvalidServerName(host.to_owned()))?;

    let attempt = async {
        let tcp = TcpStream::connect((host, port))
            .await
            .map_err(|source| TlsError::Connect {
                host: host.to_owned(),
                port,
                source,
            })?;
        // Commands are small and latency-bound.
        tcp.set_nodelay(true).map_err(|source| TlsError::Connect {
            host: host.to_owned(),
            port,
            source,
        })?;
        handshake(tcp, host, port, config).await
    };

    match tokio::time::timeout(timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(TlsError::Timeout {
            host: host.to_owned(),
            port,
            after: timeout,
        }),
    }
}

/// Just enough DER to show a refused certificate to a user: subject,
/// issuer, validity, and whether it issued itself. Never panics; anything
/// unexpected yields `None`.
mod der {
    /// Longest attribute value kept, in characters.
    const MAX_VALUE_CHARS: usize = 256;

    pub(super) struct CertInfo {
        pub subject: String,
        pub issuer: String,
        pub not_before: Option<String>,
        pub not_after: Option<String>,
        /// Issuer and subject names are byte-identical.
        pub self_issued: bool,
    }

    impl CertInfo {
        pub fn parse(der: &[u8]) -> Option<Self> {
            let (tag, cert, _) = tlv(der)?;
            expect(tag, SEQUENCE)?;
            let (tag, tbs, _) = tlv(cert)?;
            expect(tag, SEQUENCE)?;
            let mut rest = tbs;
            // Optional explicit [0] version.
            let (tag, _, after) = tlv(rest)?;
            if tag == 0xA0 {
                rest = after;
            }
            let (tag, _serial, after) = tlv(rest)?;
            expect(tag, INTEGER)?;
            let (tag, _signature, after) = tlv(after)?;
            expect(tag, SEQUENCE)?;
            let (tag, issuer, after) = tlv(after)?;
            expect(tag, SEQUENCE)?;
            let (tag, validity, after) = tlv(after)?;
            expect(tag, SEQUENCE)?;
            let (tag, subject, _) = tlv(after)?;
            expect(tag, SEQUENCE)?;

            let (not_before, not_after) = match tlv(validity) {
                Some((tag, value, rest)) => {
                    let first = time(tag, value);
                    let second = tlv(rest).and_then(|(tag, value, _)| time(tag, value));
                    (first, second)
                }
                None => (None, None),
            };
            Some(Self {
                subject: name(subject),
                issuer: name(issuer),
                not_before,
                not_after,
                self_issued: issuer == subject,
            })
        }
    }

    const INTEGER: u8 = 0x02;
    const SEQUENCE: u8 = 0x30;
    const SET: u8 = 0x31;
    const OID: u8 = 0x06;

    fn expect(tag: u8, wanted: u8) -> Option<()> {
        (tag == wanted).then_some(())
    }

    /// Splits one tag-length-value off `input`: (tag, value, rest).
    /// Single-byte tags and definite lengths up to 4 bytes only.
    fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, input) = input.split_first()?;
        if tag & 0x1F == 0x1F {
            return None; // multi-byte tag: not used in these fields
        }
        let (&first, mut input) = input.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7F);
            if count == 0 || count > 4 {
                return None; // indefinite or absurd length
            }
            let (bytes, rest) = input.split_at_checked(count)?;
            input = rest;
            bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        };
        let (value, rest) = input.split_at_checked(len)?;
        Some((tag, value, rest))
    }

    /// `CN=localhost, O=Example`: known attributes in certificate order.
    fn name(mut rdns: &[u8]) -> String {
        let mut parts = Vec::new();
        while let Some((tag, set, rest)) = tlv(rdns) {
            rdns = rest;
            if tag != SET {
                continue;
            }
            let mut atvs = set;
            while let Some((tag, atv, rest)) = tlv(atvs) {
                atvs = rest;
                if tag != SEQUENCE {
                    continue;
                }
                let Some((OID, oid, value)) = tlv(atv) else {
                    continue;
                };
                let (Some(label), Some((vtag, value, _))) = (label(oid), tlv(value)) else {
                    continue;
                };
                if let Some(text) = string(vtag, value) {
                    parts.push(format!("{label}={text}"));
                }
            }
        }
        parts.join(", ")
    }

    fn label(oid: &[u8]) -> Option<&'static str> {
        Some(match oid {
            [0x55, 0x04, 0x03] => "CN",
            [0x55, 0x04, 0x06] => "C",
            [0x55, 0x04, 0x07] => "L",
            [0x55, 0x04, 0x08] => "ST",
            [0x55, 0x04, 0x0A] => "O",
            [0x55, 0x04, 0x0B] => "OU",
            [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01] => "emailAddress",
            _ => return None,
        })
    }

    /// Decodes a directory string and makes it safe to display.
    fn string(tag: u8, value: &[u8]) -> Option<String> {
        let raw: String = match tag {
            // UTF8String, PrintableString, IA5String
            0x0C | 0x13 | 0x16 => String::from_utf8_lossy(value).into_owned(),
            // TeletexString: treat as Latin-1, as most software does.
            0x14 => value.iter().map(|&b| char::from(b)).collect(),
            // BMPString: UTF-16BE.
            0x1E => {
                let units = value
                    .chunks_exact(2)
                    .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
                char::decode_utf16(units)
                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect()
            }
            _ => return None,
        };
        Some(
            raw.chars()
                .take(MAX_VALUE_CHARS)
                .map(|c| {
                    if c.is_control() || is_bidi_control(c) {
                        char::REPLACEMENT_CHARACTER
                    } else {
                        c
                    }
                })
                .collect(),
        )
    }

    /// Characters that reorder text: a subject could use them to look like
    /// another name in a trust dialog.
    fn is_bidi_control(c: char) -> bool {
        matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    }

    /// UTCTime / GeneralizedTime (`...Z`) as `YYYY-MM-DD HH:MM:SS UTC`.
    fn time(tag: u8, value: &[u8]) -> Option<String> {
        let text = std::str::from_utf8(value).ok()?;
        let digits = text.strip_suffix('Z')?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let full = match (tag, digits.len()) {
            (0x17, 12) => {
                // RFC 5280: two-digit years 50..99 are 19xx.
                let century = if digits < "5" { "20" } else { "19" };
                format!("{century}{digits}")
            }
            (0x18, 14) => digits.to_owned(),
            _ => return None,
        };
        let d = full.as_bytes();
        let s = |range: std::ops::Range<usize>| std::str::from_utf8(d.get(range)?).ok();
        Some(format!(
            "{}-{}-{} {}:{}:{} UTC",
            s(0..4)?,
            s(4..6)?,
            s(6..8)?,
            s(8..10)?,
            s(10..12)?,
            s(12..14)?
        ))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn strings_are_made_safe_to_display() {
            let shown = string(0x0C, "evil\u{202E}gpj.exe\r\nCN=bank".as_bytes()).unwrap();
            assert_eq!(shown, "evil\u{FFFD}gpj.exe\u{FFFD}\u{FFFD}CN=bank");
            assert_eq!(
                string(0x1E, &[0x00, 0x41, 0x04, 0x16]).as_deref(),
                Some("A\u{416}")
            );
            assert_eq!(string(0x14, &[0xE9]).as_deref(), Some("\u{E9}"));
            assert_eq!(string(0x04, b"octets"), None);
            let long = "x".repeat(1000);
            assert_eq!(
                string(0x0C, long.as_bytes()).map(|s| s.chars().count()),
                Some(MAX_VALUE_CHARS)
            );
        }

        #[test]
        fn times_follow_rfc_5280() {
            assert_eq!(
                time(0x17, b"491231235959Z").as_deref(),
                Some("2049-12-31 23:59:59 UTC")
            );
            assert_eq!(
                time(0x17, b"500101000000Z").as_deref(),
                Some("1950-01-01 00:00:00 UTC")
            );
            assert_eq!(
                time(0x18, b"21261030160000Z").as_deref(),
                Some("2126-10-30 16:00:00 UTC")
            );
            assert_eq!(time(0x17, b"491231235959+0100"), None);
            assert_eq!(time(0x17, b"4912312359Z"), None);
            assert_eq!(time(0x18, b"2126103016000xZ"), None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throwaway CA certificate (no key kept), valid until 2126.
    const TEST_CA_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBojCCAUmgAwIBAgIUDGlED31L4Wda7huT66zrg2oMO2gwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTcG9zaHRhIHVuaXQtdGVzdCBDQTAgFw0yNjExMjMxNTAzNTRa
GA8yMTI2MTAzMDE1MDM1NFowHjEcMBoGA1UEAwwTcG9zaHRhIHVuaXQtdGVzdCBD
QTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABLAdUEc8SPzNVTkyXi0tRTb7o4bE
krklbGlPiOkJoYgv1TgSqVvb1lghdpuenXqkwfwAq4XQ5Afzz/axL9HvgL2jYzBh
MB0GA1UdDgQWBBQsbpnUMnD/cWon+tv9ZVhukGU/CTAfBgNVHSMEGDAWgBQsbpnU
MnD/cWon+tv9ZVhukGU/CTAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIC
BDAKBggqhkjOPQQDAgNHADBEAiAWePK1HBsELKCrZ2fmkEki3iVp99V/zPS4tiG5
EhJNEwIgPfYA41cSz58tuwfKu/92BjLWlM+ENVAXzSNHIALSzHs=
-----END CERTIFICATE-----
";

    #[test]
    fn valid_extra_ca_is_accepted() {
        assert!(client_config(Some(TEST_CA_PEM.as_bytes())).is_ok());
    }

    #[test]
    fn broken_base64_is_bad_pem() {
        let pem = "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n";
        let err = client_config(Some(pem.as_bytes())).unwrap_err();
        assert!(matches!(err, TlsError::BadPem(_)), "{err:?}");
    }

    #[test]
    fn missing_end_marker_is_bad_pem() {
        let cut = &TEST_CA_PEM[..TEST_CA_PEM.len() - 30];
        let err = client_config(Some(cut.as_bytes())).unwrap_err();
        assert!(matches!(err, TlsError::BadPem(_)), "{err:?}");
    }

    #[test]
    fn text_without_certificate_is_rejected() {
        for pem in [
            "",
            "hello world\n",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ] {
            let err = client_config(Some(pem.as_bytes())).unwrap_err();
            assert!(
                matches!(err, TlsError::NoCertificateInPem),
                "{pem:?}: {err:?}"
            );
        }
    }

    #[test]
    fn garbage_der_is_bad_ca() {
        // Valid PEM framing and base64, but not an X.509 certificate.
        let pem = "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n";
        let err = client_config(Some(pem.as_bytes())).unwrap_err();
        assert!(matches!(err, TlsError::BadCa(_)), "{err:?}");
    }

    #[tokio::test]
    async fn invalid_server_name_is_rejected_before_connecting() {
        let config = client_config(Some(TEST_CA_PEM.as_bytes())).unwrap();
        let err = connect_tls("bad host name", 993, config, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(matches!(err, TlsError::InvalidServerName(_)), "{err:?}");
    }

    #[tokio::test]
    async fn refused_connection_is_a_connect_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let config = client_config(Some(TEST_CA_PEM.as_bytes())).unwrap();
        let err = connect_tls("127.0.0.1", port, config, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(matches!(err, TlsError::Connect { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn silent_server_times_out() {
        // Accepts the TCP connection but never answers the ClientHello.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(10)).await;
            drop(socket);
        });
        let config = client_config(Some(TEST_CA_PEM.as_bytes())).unwrap();
        let started = std::time::Instant::now();
        let err = connect_tls("127.0.0.1", port, config, Duration::from_millis(300))
            .await
            .unwrap_err();
        assert!(matches!(err, TlsError::Timeout { .. }), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        server.abort();
    }

    #[tokio::test]
    async fn non_tls_server_fails_the_handshake() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let _ = socket.write_all(b"* OK plaintext IMAP\r\n").await;
            tokio::time::sleep(Duration::from_secs(10)).await;
        });
        let config = client_config(Some(TEST_CA_PEM.as_bytes())).unwrap();
        let err = connect_tls("127.0.0.1", port, config, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(matches!(err, TlsError::Handshake { .. }), "{err:?}");
        server.abort();
    }

    // Two self-signed CA:TRUE certificates (what `openssl req -x509` makes)
    // with their keys, for in-process handshakes. Test material only.
    const A_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBozCCAUqgAwIBAgIUfoN53VdbL3QR4R8YAht4omNfJiEwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRcG9zaHRhIHBpbiB0ZXN0IEEwIBcNMjYxMTIzMTYyMTI0WhgP
MjEyNjEwMzAxNjIxMjRaMBwxGjAYBgNVBAMMEXBvc2h0YSBwaW4gdGVzdCBBMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEufczPaYQ9BaYT14gq6pFuJHchkdJngvb
o9t+Vmz1XdtETHgh0afarEWWNkmJDnyiFha4pTN+DStczoX/Zx0zIKNoMGYwHQYD
VR0OBBYEFIfa29HzLMUif581QxucdxgN67BvMB8GA1UdIwQYMBaAFIfa29HzLMUi
f581QxucdxgN67BvMA8GA1UdEwEB/wQFMAMBAf8wEwYDVR0RBAwwCoIIcGluLnRl
c3QwCgYIKoZIzj0EAwIDRwAwRAIgBTd/nQXMARDKDKQ9jZOgfMaLxwaTOFAAFCMm
g+Bsh5gCIBRRACfMshXtuHpOx0GZO3kajCJ/HCrWyl8E8gsSCwG1
-----END CERTIFICATE-----
";
    const A_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHitJYAHRfxbG5KWl
r5up5dZjuULDzbZG4LkHCMi1wKihRANCAAS59zM9phD0FphPXiCrqkW4kdyGR0me
C9uj235WbPVd20RMeCHRp9qsRZY2SYkOfKIWFrilM34NK1zOhf9nHTMg
-----END PRIVATE KEY-----
";
    const B_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBozCCAUqgAwIBAgIUKWZ+xSMZC18WWmZt4uTnf6/lyvkwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRcG9zaHRhIHBpbiB0ZXN0IEIwIBcNMjYxMTIzMTYyMTI0WhgP
MjEyNjEwMzAxNjIxMjRaMBwxGjAYBgNVBAMMEXBvc2h0YSBwaW4gdGVzdCBCMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/pFVZACfJpez/AsGhshhloIUYMvGVU/K
6fr+q7HFJnwWQQl8J+qR0YU1khugkcUE/zh4typ6Z1+TIawYp01QYqNoMGYwHQYD
VR0OBBYEFImZaA1j4ih1UMP2Zaj2KkqhKv0sMB8GA1UdIwQYMBaAFImZaA1j4ih1
UMP2Zaj2KkqhKv0sMA8GA1UdEwEB/wQFMAMBAf8wEwYDVR0RBAwwCoIIcGluLnRl
c3QwCgYIKoZIzj0EAwIDRwAwRAIgJuTqS/gFCSWcVxFsPRP4oKVjRWok8URNA8b3
OcrWMP0CIFnfupPlgJ7N36R8MkvAWzFJ21aXm9nNDE27LSqs0p/r
-----END CERTIFICATE-----
";
    const B_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYaYWCgfTM68f79Xm
lCjgO+BE9apoaaN24bhuKjRGubihRANCAAT+kVVkAJ8ml7P8CwaGyGGWghRgy8ZV
T8rp+v6rscUmfBZBCXwn6pHRhTWSG6CRxQT/OHi3KnpnX5MhrBinTVBi
-----END PRIVATE KEY-----
";
    /// `openssl x509 -noout -fingerprint -sha256` of A_CERT.
    const A_FINGERPRINT: &str = "65:8E:45:7D:22:F4:69:76:09:CA:4E:83:BA:2E:B6:52:C0:34:E7:C2:A3:62:19:4B:21:D8:11:77:BA:41:1D:66";
    /// `openssl x509 -noout -fingerprint -sha256` of B_CERT.
    const B_FINGERPRINT: &str = "80:39:DD:6B:03:F1:B4:EA:9F:38:61:15:09:1A:34:41:47:72:0F:02:42:4A:DD:2B:FD:6B:D5:FD:78:80:15:D0";

    fn der_of(pem: &str) -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(pem.as_bytes()).unwrap()
    }

    fn pin_of(pem: &str) -> [u8; 32] {
        sha256(&der_of(pem))
    }

    #[test]
    fn sha256_matches_the_fips_180_vector() {
        assert_eq!(
            hex(&sha256(b"abc")),
            "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:\
             B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
    }

    #[test]
    fn fingerprint_matches_openssl() {
        assert_eq!(hex(&pin_of(A_CERT)), A_FINGERPRINT);
        assert_eq!(hex(&pin_of(B_CERT)), B_FINGERPRINT);
    }

    #[test]
    fn trust_debug_hides_the_pem_and_shows_the_pin() {
        let trust = Trust {
            extra_ca_pem: Some(TEST_CA_PEM.as_bytes().to_vec()),
            pinned_sha256: Some(pin_of(A_CERT)),
        };
        let debug = format!("{trust:?}");
        assert!(debug.contains(A_FINGERPRINT), "{debug}");
        assert!(!debug.contains("MIIB"), "{debug}");
    }

    #[test]
    fn der_reader_extracts_names_and_validity() {
        let info = der::CertInfo::parse(&der_of(TEST_CA_PEM)).unwrap();
        assert_eq!(info.subject, "CN=poshta unit-test CA");
        assert_eq!(info.issuer, "CN=poshta unit-test CA");
        assert!(info.self_issued);
        // UTCTime, then GeneralizedTime (year 2126).
        assert_eq!(info.not_before.as_deref(), Some("2026-11-23 15:03:54 UTC"));
        assert_eq!(info.not_after.as_deref(), Some("2126-10-30 15:03:54 UTC"));
    }

    #[test]
    fn der_reader_survives_truncated_and_corrupted_input() {
        let der = der_of(A_CERT).to_vec();
        for len in 0..der.len() {
            let _ = der::CertInfo::parse(&der[..len]);
        }
        for i in 0..der.len() {
            for flip in [0x01, 0x80, 0xFF] {
                let mut bad = der.clone();
                bad[i] ^= flip;
                let _ = der::CertInfo::parse(&bad);
            }
        }
        assert!(der::CertInfo::parse(b"").is_none());
        assert!(der::CertInfo::parse(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).is_none());
        assert!(der::CertInfo::parse(&[0x30, 0x80, 0x00, 0x00]).is_none());
    }

    #[test]
    fn pinned_config_needs_no_roots_and_ignores_the_extra_ca() {
        let trust = Trust {
            extra_ca_pem: Some(b"not even PEM".to_vec()),
            pinned_sha256: Some([7; 32]),
        };
        assert!(client_config_for(&trust).is_ok());
    }

    #[test]
    fn unpinned_config_still_checks_the_extra_ca() {
        let trust = Trust {
            extra_ca_pem: Some(b"hello".to_vec()),
            pinned_sha256: None,
        };
        let err = client_config_for(&trust).unwrap_err();
        assert!(matches!(err, TlsError::NoCertificateInPem), "{err:?}");
    }

    /// Serves `cert_pem` with `key_pem` (deliberately not checked against
    /// each other) to one client, then writes "hello".
    async fn tls_server(
        cert_pem: &'static str,
        key_pem: &'static str,
        version: &'static rustls::SupportedProtocolVersion,
    ) -> (u16, tokio::task::JoinHandle<()>) {
        use rustls::pki_types::PrivateKeyDer;
        use rustls::server::{ClientHello, ResolvesServerCert};
        use rustls::sign::CertifiedKey;
        use tokio::io::AsyncWriteExt;

        #[derive(Debug)]
        struct Fixed(Arc<CertifiedKey>);
        impl ResolvesServerCert for Fixed {
            fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
                Some(Arc::clone(&self.0))
            }
        }

        let provider = provider();
        let key = provider
            .key_provider
            .load_private_key(PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap())
            .unwrap();
        let certified = Arc::new(CertifiedKey::new(vec![der_of(cert_pem)], key));
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[version])
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Fixed(certified)));
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            if let Ok(mut tls) = acceptor.accept(tcp).await {
                let _ = tls.write_all(b"hello").await;
                let _ = tls.flush().await;
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        });
        (port, task)
    }

    async fn client(port: u16, trust: Trust) -> Result<TlsStream<TcpStream>, TlsError> {
        let config = client_config_for(&trust).unwrap();
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        tokio::time::timeout(
            Duration::from_secs(10),
            handshake(tcp, "pin.test", port, config),
        )
        .await
        .unwrap()
    }

    fn pinned(pem: &str) -> Trust {
        Trust {
            extra_ca_pem: None,
            pinned_sha256: Some(pin_of(pem)),
        }
    }

    const VERSIONS: [&rustls::SupportedProtocolVersion; 2] =
        [&rustls::version::TLS12, &rustls::version::TLS13];

    #[tokio::test]
    async fn pinned_self_signed_ca_certificate_is_accepted() {
        use tokio::io::AsyncReadExt;
        for version in VERSIONS {
            let (port, server) = tls_server(A_CERT, A_KEY, version).await;
            let mut tls = client(port, pinned(A_CERT))
                .await
                .unwrap_or_else(|e| panic!("{version:?}: {e}"));
            let mut hello = [0; 5];
            tls.read_exact(&mut hello).await.unwrap();
            assert_eq!(&hello, b"hello");
            server.abort();
        }
    }

    /// A server that has the pinned certificate but not its key (a copy of
    /// a public certificate) fails the handshake signature check.
    #[tokio::test]
    async fn pinned_certificate_without_its_key_is_refused() {
        for version in VERSIONS {
            let (port, server) = tls_server(A_CERT, B_KEY, version).await;
            let err = client(port, pinned(A_CERT)).await.map(|_| ()).unwrap_err();
            assert_eq!(
                err.certificate_error(),
                Some(&CertificateError::BadSignature),
                "{version:?}: {err:?}"
            );
            server.abort();
        }
    }

    #[tokio::test]
    async fn other_certificate_than_the_pinned_one_is_a_pin_mismatch() {
        for version in VERSIONS {
            let (port, server) = tls_server(B_CERT, B_KEY, version).await;
            let err = client(port, pinned(A_CERT)).await.map(|_| ()).unwrap_err();
            let TlsError::Certificate {
                host,
                port: err_port,
                certificate,
            } = &err
            else {
                panic!("{version:?}: {err:?}");
            };
            assert_eq!((host.as_str(), *err_port), ("pin.test", port));
            assert_eq!(certificate.reason, CertificateProblem::PinMismatch);
            assert_eq!(certificate.fingerprint_hex(), B_FINGERPRINT);
            assert_eq!(certificate.subject.as_deref(), Some("CN=poshta pin test B"));
            assert!(err.to_string().contains(B_FINGERPRINT), "{err}");
            server.abort();
        }
    }

    #[tokio::test]
    async fn unpinned_self_signed_certificate_is_refused_with_its_fingerprint() {
        let (port, server) = tls_server(A_CERT, A_KEY, &rustls::version::TLS13).await;
        // Some root is needed to build a verifier even if the system store is empty.
        let trust = Trust {
            extra_ca_pem: Some(TEST_CA_PEM.as_bytes().to_vec()),
            pinned_sha256: None,
        };
        let err = client(port, trust).await.map(|_| ()).unwrap_err();
        let certificate = err
            .rejected_certificate()
            .unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(certificate.reason, CertificateProblem::SelfSigned);
        assert_eq!(certificate.fingerprint_hex(), A_FINGERPRINT);
        assert_eq!(certificate.issuer.as_deref(), Some("CN=poshta pin test A"));
        assert_eq!(
            certificate.not_after.as_deref(),
            Some("2126-10-30 16:21:24 UTC")
        );
        server.abort();
    }

    /// The webpki pitfall: a self-signed `CA:TRUE` certificate added as a
    /// root still fails as the server's own certificate (`CaUsedAsEndEntity`);
    /// the user is told it is self-signed, and pinning is the way.
    #[tokio::test]
    async fn self_signed_ca_certificate_as_extra_root_is_still_refused() {
        let (port, server) = tls_server(A_CERT, A_KEY, &rustls::version::TLS13).await;
        let trust = Trust {
            extra_ca_pem: Some(A_CERT.as_bytes().to_vec()),
            pinned_sha256: None,
        };
        let err = client(port, trust).await.map(|_| ()).unwrap_err();
        let certificate = err
            .rejected_certificate()
            .unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(certificate.reason, CertificateProblem::SelfSigned);
        assert_eq!(certificate.fingerprint_hex(), A_FINGERPRINT);
        server.abort();
    }
}

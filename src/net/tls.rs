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

mod der;
mod fingerprint;
#[cfg(test)]
mod fixture;
mod verify;

pub use fingerprint::{FingerprintError, parse_sha256};
pub use verify::{CertificateProblem, RejectedCertificate};

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
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
        Some(pin) => verify::Policy::Pinned(pin),
        None => {
            let roots = root_store(trust.extra_ca_pem.as_deref())?;
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                    .build()
                    .map_err(TlsError::Verifier)?;
            verify::Policy::WebPki(webpki)
        }
    };
    let verifier = Arc::new(verify::PolicyVerifier::new(
        policy,
        provider.signature_verification_algorithms,
    ));
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
    match verify::rejection(&source) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use fixture::{A_CERT, A_FINGERPRINT, B_CERT, B_FINGERPRINT, TEST_CA_PEM, pin_of};

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
}

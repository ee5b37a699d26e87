//! TLS client configuration and connection set-up.
//!
//! One policy for every account: rustls with the ring provider, TLS 1.2 or
//! newer, the operating system's trust store plus an optional per-account
//! CA (self-hosted servers, test servers). Certificate verification is never
//! disabled here; trusting a specific certificate is done by adding it as a
//! CA, not by switching checks off.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

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
    /// The TLS handshake failed, e.g. the certificate did not verify.
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
pub fn client_config(extra_ca_pem: Option<&[u8]>) -> Result<Arc<ClientConfig>, TlsError> {
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

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(TlsError::Config)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
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
    let server_name = ServerName::try_from(host.to_owned())
        .map_err(|_| TlsError::InvalidServerName(host.to_owned()))?;
    let connector = TlsConnector::from(config);

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
        connector
            .connect(server_name, tcp)
            .await
            .map_err(|source| TlsError::Handshake {
                host: host.to_owned(),
                port,
                source,
            })
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
}

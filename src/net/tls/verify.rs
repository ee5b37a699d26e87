//! Deciding whether to accept the server's certificate, and saying why
//! not in terms a user can act on.
//!
//! A refusal travels out of the handshake inside rustls's error, so the
//! certificate's details need no per-connection state.

use std::fmt;
use std::io;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};

use super::{der, hex, sha256};

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

/// What the verifier checks: the chain through webpki, or a pin.
#[derive(Debug)]
pub(super) enum Policy {
    WebPki(Arc<WebPkiServerVerifier>),
    Pinned([u8; 32]),
}

/// The verifier behind [`client_config_for`](super::client_config_for).
///
/// A refusal is returned as `CertificateError::Other` wrapping a
/// [`RejectedCertificate`]: the error itself carries the fingerprint out of
/// the handshake, so one shared `ClientConfig` serves any number of
/// concurrent connections without per-connection state.
#[derive(Debug)]
pub(super) struct PolicyVerifier {
    policy: Policy,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PolicyVerifier {
    pub(super) fn new(policy: Policy, algorithms: WebPkiSupportedAlgorithms) -> Self {
        Self { policy, algorithms }
    }

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

/// The refusal [`PolicyVerifier`] packed into a failed handshake's error,
/// if that is why the handshake failed.
pub(super) fn rejection(error: &io::Error) -> Option<&RejectedCertificate> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .and_then(|error| match error {
            rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(inner))) => {
                inner.downcast_ref::<RejectedCertificate>()
            }
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::tls::fixture::{
        A_CERT, A_FINGERPRINT, A_KEY, B_CERT, B_FINGERPRINT, B_KEY, TEST_CA_PEM, der_of, pin_of,
    };
    use crate::net::tls::{TlsError, Trust, client_config_for, handshake, provider};
    use rustls::pki_types::pem::PemObject;
    use std::time::Duration;
    use tokio::net::TcpStream;
    use tokio_rustls::client::TlsStream;

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

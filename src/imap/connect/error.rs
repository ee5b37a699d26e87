//! What can go wrong while connecting and logging in, and at which step.
//!
//! One error type for the whole sequence, so callers match on the cause
//! (certificate, refused STARTTLS, bad password) without knowing the
//! protocol's phases.

use std::fmt;
use std::io;
use std::time::Duration;

use crate::net::tls::{RejectedCertificate, TlsError};

/// The step that failed, for errors and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Connect,
    TlsHandshake,
    Greeting,
    Capability,
    StartTls,
    /// POP3's capability query.
    Capa,
    /// POP3's STARTTLS.
    Stls,
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
            Self::Capa => "CAPA",
            Self::Stls => "STLS",
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
    /// The first line was not a greeting of the expected protocol; nothing
    /// was sent.
    #[error("the server did not greet like a mail server of this protocol")]
    BadGreeting,
    /// The server greeted with (or answered) `* BYE`, or POP3 `-ERR`.
    #[error("the server refused the connection")]
    Bye,
    /// `* PREAUTH` on a STARTTLS account: an authenticated session that can
    /// never be upgraded to TLS.
    #[error("the server skipped authentication before TLS (PREAUTH); connection closed")]
    PreauthWithoutTls,
    /// STARTTLS (POP3: STLS) not among the plaintext capabilities; nothing
    /// was sent beyond the capability query.
    #[error("the server does not offer STARTTLS; not continuing without encryption")]
    StartTlsUnavailable,
    /// STARTTLS answered with NO or BAD (POP3: `-ERR`). Tried once, never
    /// retried in plaintext.
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
            // Built directly rather than through `From` (which lifts a
            // refusal into `Certificate`), it may still hold one.
            Self::Tls(tls) => tls.rejected_certificate(),
            _ => None,
        }
    }

    pub(super) fn io(step: Step) -> impl FnOnce(io::Error) -> Self {
        move |source| Self::Io { step, source }
    }

    pub(crate) fn eof(step: Step) -> Self {
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

/// Maps async-imap's login failure, masking the password should a server
/// echo it back.
pub(super) fn auth_error(error: async_imap::error::Error, password: &str) -> ConnectError {
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

#[cfg(test)]
mod tests {
    use super::*;

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

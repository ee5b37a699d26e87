//! Typed errors of the core. The UI maps [`ErrorKind`] to localized text;
//! the `Display` strings here are for logs and the CLI only.

use crate::net::tls::{CertificateProblem, RejectedCertificate};
use std::path::PathBuf;

/// Stable categories the UI localizes. Adding a kind means adding a
/// translation key `error-<kind>` in every locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Storage,
    Io,
    NotFound,
    InvalidName,
    NameTaken,
    ProtectedFolder,
    ProtectedAccount,
    UnreadableMessage,
    TooLarge,
    InvalidSettings,
    Network,
    /// The server's certificate failed verification (the user may pin it).
    Certificate,
    /// The server presented another certificate than the one the user
    /// pinned: it may have been renewed, or someone is in between.
    CertificateChanged,
    /// The server refused the user name or password.
    Authentication,
    /// The server would not secure the connection as the account requires.
    InsecureServer,
    /// A password is needed and none was given this session.
    PasswordNeeded,
    /// The user did not confirm something that cannot be undone.
    NotConfirmed,
    /// Only local folders can receive imported mail.
    ImportTarget,
    /// Mail can go to another account only once it is wholly here.
    CrossAccount,
    /// The server said no to a change (e.g. a folder it will not create).
    ServerRefused,
    /// The action needs the server, and the account is offline.
    Offline,
    /// The OS keyring (Secret Service) is missing, locked or said no.
    Keyring,
    /// A message to send has no recipient, a bad address or a line break
    /// where none may be.
    InvalidMessage,
    /// Saving would replace a file (or follow a link) already there.
    FileExists,
    UnsafeLink,
    Internal,
}

impl ErrorKind {
    /// The Fluent message id for this kind.
    pub fn message_id(self) -> &'static str {
        match self {
            ErrorKind::Storage => "error-storage",
            ErrorKind::Io => "error-io",
            ErrorKind::NotFound => "error-not-found",
            ErrorKind::InvalidName => "error-invalid-name",
            ErrorKind::NameTaken => "error-name-taken",
            ErrorKind::ProtectedFolder => "error-protected-folder",
            ErrorKind::ProtectedAccount => "error-protected-account",
            ErrorKind::UnreadableMessage => "error-unreadable-message",
            ErrorKind::TooLarge => "error-too-large",
            ErrorKind::InvalidSettings => "error-invalid-settings",
            ErrorKind::Network => "error-network",
            ErrorKind::Certificate => "error-certificate",
            ErrorKind::CertificateChanged => "error-certificate-changed",
            ErrorKind::Authentication => "error-authentication",
            ErrorKind::InsecureServer => "error-insecure-server",
            ErrorKind::PasswordNeeded => "error-password-needed",
            ErrorKind::NotConfirmed => "error-not-confirmed",
            ErrorKind::ImportTarget => "error-import-target",
            ErrorKind::CrossAccount => "error-cross-account",
            ErrorKind::Keyring => "error-keyring",
            ErrorKind::InvalidMessage => "error-invalid-message",
            ErrorKind::ServerRefused => "error-server-refused",
            ErrorKind::Offline => "error-offline",
            ErrorKind::FileExists => "error-file-exists",
            ErrorKind::UnsafeLink => "error-unsafe-link",
            ErrorKind::Internal => "error-internal",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("database at {path} is damaged: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("database schema version {found} is newer than this program supports ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("invalid folder name")]
    InvalidName,
    #[error("a folder with that name already exists")]
    NameTaken,
    #[error("this folder cannot be renamed, moved or deleted")]
    ProtectedFolder,
    #[error("the Local Folders account cannot be removed")]
    ProtectedAccount,
    #[error("message could not be parsed")]
    UnreadableMessage,
    #[error("{what} is larger than the limit of {limit} bytes")]
    TooLarge { what: &'static str, limit: usize },
    #[error("invalid account settings: {0}")]
    InvalidSettings(&'static str),
    /// The server broke off, timed out or answered something unusable.
    #[error("{context}: {detail}")]
    Network {
        context: &'static str,
        detail: String,
    },
    #[error("connecting to the mail server: {0}")]
    Connect(Box<crate::imap::connect::ConnectError>),
    #[error("no password given for this account")]
    PasswordNeeded,
    #[error("not confirmed: nothing was changed")]
    NotConfirmed,
    #[error("mail can only be imported into a local folder")]
    ImportTarget,
    #[error("messages not downloaded cannot go to another account")]
    CrossAccount,
    /// A NO or BAD answer to a command that changes something.
    #[error("the server refused {context}: {detail}")]
    ServerRefused {
        context: &'static str,
        detail: String,
    },
    #[error("this needs a connection to the server")]
    Offline,
    /// The keyring's own words (they never contain the secret).
    #[error("the system keyring: {0}")]
    Keyring(String),
    #[error("this message cannot be sent: {0}")]
    InvalidMessage(&'static str),
    /// Nothing was written: `name` exists in the folder (a file, a folder
    /// or a symlink, which is not followed). `suggested` is free.
    #[error("{name} already exists (a free name: {suggested})")]
    FileExists { name: String, suggested: String },
    /// A link that is not http, https or mailto is never handed on.
    #[error("only http, https and mailto links are opened")]
    UnsafeLink,
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Sql(_) | Error::Corrupt { .. } | Error::SchemaTooNew { .. } => {
                ErrorKind::Storage
            }
            Error::Io { .. } => ErrorKind::Io,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::InvalidName => ErrorKind::InvalidName,
            Error::NameTaken => ErrorKind::NameTaken,
            Error::ProtectedFolder => ErrorKind::ProtectedFolder,
            Error::ProtectedAccount => ErrorKind::ProtectedAccount,
            Error::UnreadableMessage => ErrorKind::UnreadableMessage,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
            Error::InvalidSettings(_) => ErrorKind::InvalidSettings,
            Error::Network { .. } => ErrorKind::Network,
            Error::Connect(e) => connect_kind(e),
            Error::PasswordNeeded => ErrorKind::PasswordNeeded,
            Error::NotConfirmed => ErrorKind::NotConfirmed,
            Error::ImportTarget => ErrorKind::ImportTarget,
            Error::CrossAccount => ErrorKind::CrossAccount,
            Error::ServerRefused { .. } => ErrorKind::ServerRefused,
            Error::Offline => ErrorKind::Offline,
            Error::Keyring(_) => ErrorKind::Keyring,
            Error::InvalidMessage(_) => ErrorKind::InvalidMessage,
            Error::FileExists { .. } => ErrorKind::FileExists,
            Error::UnsafeLink => ErrorKind::UnsafeLink,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The certificate that failed verification, whichever server
    /// presented it (IMAP, POP3 or SMTP): what a UI shows before the user
    /// decides whether to pin it.
    pub fn rejected_certificate(&self) -> Option<&RejectedCertificate> {
        match self {
            // Every protocol connects through `imap::connect`'s TLS steps
            // (SMTP included: lettre only ever gets the finished stream).
            Error::Connect(e) => e.rejected_certificate(),
            _ => None,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<crate::imap::connect::ConnectError> for Error {
    fn from(e: crate::imap::connect::ConnectError) -> Self {
        Error::Connect(Box::new(e))
    }
}

fn connect_kind(e: &crate::imap::connect::ConnectError) -> ErrorKind {
    use crate::imap::connect::ConnectError as C;
    match e.rejected_certificate().map(|c| &c.reason) {
        Some(CertificateProblem::PinMismatch) => return ErrorKind::CertificateChanged,
        Some(_) => return ErrorKind::Certificate,
        None => {}
    }
    match e {
        C::LoginDisabled
        | C::AuthFailed { .. }
        | C::InvalidCredentials
        | C::AlreadyAuthenticated => ErrorKind::Authentication,
        C::StartTlsUnavailable
        | C::StartTlsRefused
        | C::StartTlsInjection
        | C::PreauthWithoutTls => ErrorKind::InsecureServer,
        _ => ErrorKind::Network,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::connect::ConnectError;
    use crate::net::tls::TlsError;

    fn refused(reason: CertificateProblem) -> Box<RejectedCertificate> {
        Box::new(RejectedCertificate {
            reason,
            fingerprint_sha256: [0xAB; 32],
            subject: Some("CN=mail.example.test".into()),
            issuer: None,
            not_before: None,
            not_after: None,
        })
    }

    fn connect_error(reason: CertificateProblem) -> Error {
        ConnectError::Certificate {
            host: "mail.example.test".into(),
            port: 993,
            certificate: refused(reason),
        }
        .into()
    }

    #[test]
    fn a_certificate_other_than_the_pinned_one_has_its_own_kind() {
        let changed = connect_error(CertificateProblem::PinMismatch);
        assert_eq!(changed.kind(), ErrorKind::CertificateChanged);
        let expired = connect_error(CertificateProblem::Expired);
        assert_eq!(expired.kind(), ErrorKind::Certificate);
        assert_eq!(
            expired.rejected_certificate().map(|c| &c.reason),
            Some(&CertificateProblem::Expired)
        );
    }

    #[test]
    fn the_refused_certificate_is_found_inside_a_tls_error_too() {
        let error = Error::from(ConnectError::Tls(TlsError::Certificate {
            host: "mail.example.test".into(),
            port: 465,
            certificate: refused(CertificateProblem::SelfSigned),
        }));
        assert_eq!(
            error.rejected_certificate().map(|c| c.fingerprint_sha256),
            Some([0xAB; 32])
        );
        assert_eq!(error.kind(), ErrorKind::Certificate);
    }

    #[test]
    fn other_errors_carry_no_certificate() {
        let errors = [
            Error::from(ConnectError::AuthFailed {
                detail: "no".into(),
            }),
            Error::Network {
                context: "the greeting",
                detail: "closed".into(),
            },
            Error::PasswordNeeded,
        ];
        for error in errors {
            assert!(error.rejected_certificate().is_none(), "{error:?}");
        }
    }
}

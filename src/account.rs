//! Accounts and their server settings. Secrets are never part of these
//! types: a password lives in the OS keyring or only in memory.

pub mod discover;
pub mod providers;
pub mod secret;

use crate::model::AccountId;
use crate::net::tls::Trust;

/// How a connection is secured. Implicit TLS is the default everywhere
/// (RFC 8314); STARTTLS is only ever used as "required"; plaintext needs
/// the user's explicit choice and is shown as insecure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    #[default]
    Tls,
    StartTls,
    Plain,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::StartTls => "starttls",
            Security::Plain => "plain",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "tls" => Some(Security::Tls),
            "starttls" => Some(Security::StartTls),
            "plain" => Some(Security::Plain),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Imap,
    Pop3,
    Smtp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
            Protocol::Smtp => "smtp",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "imap" => Some(Protocol::Imap),
            "pop3" => Some(Protocol::Pop3),
            "smtp" => Some(Protocol::Smtp),
            _ => None,
        }
    }

    /// The standard port for `security` (RFC 8314 ports for implicit TLS).
    pub fn default_port(self, security: Security) -> u16 {
        match (self, security) {
            (Protocol::Imap, Security::Tls) => 993,
            (Protocol::Imap, _) => 143,
            (Protocol::Pop3, Security::Tls) => 995,
            (Protocol::Pop3, _) => 110,
            (Protocol::Smtp, Security::Tls) => 465,
            (Protocol::Smtp, _) => 587,
        }
    }
}

/// Which of an account's two servers: the one mail comes from (IMAP or
/// POP3) or the one it is sent through (SMTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Incoming,
    Outgoing,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Incoming => "incoming",
            Direction::Outgoing => "outgoing",
        }
    }
}

/// One server of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    /// An extra CA certificate (PEM) trusted for this server only.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// The SHA-256 of the single certificate the user accepted here. It
    /// belongs to this protocol, host and port: the store drops it when
    /// the server is replaced by another.
    pub pinned_sha256: Option<[u8; 32]>,
}

impl Server {
    /// What this server's certificate is checked against: the system roots
    /// plus its extra CA, or its pinned certificate.
    pub fn trust(&self) -> Trust {
        Trust {
            extra_ca_pem: self.extra_ca_pem.clone(),
            pinned_sha256: self.pinned_sha256,
        }
    }
}

/// What it takes to add a server account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub name: String,
    pub email: String,
    pub incoming: Server,
    pub outgoing: Option<Server>,
}

/// An account with its servers, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub id: AccountId,
    pub name: String,
    pub email: Option<String>,
    pub incoming: Option<Server>,
    pub outgoing: Option<Server>,
}

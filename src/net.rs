//! Network plumbing shared by the IMAP, POP3 and SMTP clients.
//!
//! Every protocol reaches its server through [`tls::connect_tls`] (implicit
//! TLS) or upgrades with the same [`tls::client_config`], so certificate
//! policy lives in exactly one place.

pub mod base64;
pub mod tls;

pub use tls::{TlsError, client_config, connect_tls};

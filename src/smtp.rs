//! SMTP submission (RFC 6409) with lettre, over a connection Poshta opens
//! and secures itself.
//!
//! lettre 0.11's own STARTTLS reads the server's reply through a buffer
//! that survives the upgrade, so a reply planted after `220` in the same
//! packet is taken as if it came over TLS. Poshta therefore does the
//! plaintext part (greeting, EHLO, STARTTLS) itself, reading byte by byte
//! and refusing any byte past the `220`, makes the TLS handshake with its
//! own verifier (system roots, extra CA or a pinned certificate), and
//! hands lettre the finished TLS stream. Implicit TLS (465) is the
//! default; plaintext needs the user's explicit choice.
//!
//! Since lettre never makes the handshake, a refused certificate comes
//! back as it does for IMAP and POP3 (`ConnectError::Certificate`, with
//! the fingerprint, subject, issuer and dates), not as a lettre error whose
//! only trace of the certificate is rustls's verdict behind its `source()`.
//! The same verifier applies a pin the same way, and no credentials go out
//! before the server's certificate has been accepted.

mod connect;
mod plaintext;
mod submit;

pub use connect::{Submission, Timeouts, connect};
pub use submit::{Outcome, submit};

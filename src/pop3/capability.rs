//! What the server says it can do (RFC 2449 `CAPA`).

use tokio::io::{AsyncRead, AsyncWrite};

use super::multiline::read_body;
use super::wire::{Indicator, Wire};
use crate::imap::connect::{ConnectError, Step};

/// Ceiling for a whole CAPA reply: a few dozen short lines in practice.
const MAX_CAPA: usize = 64 * 1024;

/// The capability lines of a `CAPA` reply: a tag (`TOP`, `UIDL`, `SASL`)
/// and its arguments each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    lines: Vec<Vec<String>>,
}

impl Capabilities {
    /// Parses a CAPA body; lines that are not printable ASCII are dropped.
    pub(super) fn parse(body: &[u8]) -> Self {
        let lines = body
            .split(|&b| b == b'\n')
            .filter_map(|line| std::str::from_utf8(line).ok())
            .filter(|line| {
                line.bytes()
                    .all(|b| b == b'\r' || (0x20..0x7f).contains(&b))
            })
            .map(|line| line.split_ascii_whitespace().map(str::to_owned).collect())
            .filter(|words: &Vec<String>| !words.is_empty())
            .collect();
        Self { lines }
    }

    /// Whether the capability `name` (case-insensitive) is listed, with or
    /// without arguments: `UIDL`, `TOP`, `PIPELINING`, `USER`, `STLS`.
    pub fn has(&self, name: &str) -> bool {
        self.lines.iter().any(|words| {
            words
                .first()
                .is_some_and(|tag| tag.eq_ignore_ascii_case(name))
        })
    }

    /// Whether `SASL` lists `mechanism` (case-insensitive), e.g. `PLAIN`.
    pub fn sasl(&self, mechanism: &str) -> bool {
        self.lines.iter().any(|words| {
            let mut words = words.iter();
            words
                .next()
                .is_some_and(|tag| tag.eq_ignore_ascii_case("SASL"))
                && words.any(|m| m.eq_ignore_ascii_case(mechanism))
        })
    }

    /// True for a server without CAPA (RFC 1939 only) or an empty reply.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Sends `CAPA` and reads the reply; `-ERR` means a server from before
/// RFC 2449, which has no capabilities to report.
pub(super) async fn query<S: AsyncRead + AsyncWrite + Unpin>(
    wire: &mut Wire<S>,
) -> Result<Capabilities, ConnectError> {
    let step = Step::Capa;
    wire.write_all(b"CAPA\r\n")
        .await
        .map_err(|e| e.into_connect(step))?;
    let status = wire.read_status().await.map_err(|e| e.into_connect(step))?;
    match status.indicator {
        Indicator::Ok => {
            let body = read_body(wire, MAX_CAPA, 0)
                .await
                .map_err(|e| e.into_connect(step))?;
            Ok(Capabilities::parse(&body))
        }
        Indicator::Err => Ok(Capabilities::default()),
        Indicator::More => Err(ConnectError::Protocol {
            step,
            detail: "continuation in reply to CAPA".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_match_case_insensitively() {
        let caps = Capabilities::parse(
            b"TOP\r\nuidl\r\nSASL PLAIN login\r\nPIPELINING\r\nEXPIRE NEVER\r\nIMPLEMENTATION \x01bad\r\n",
        );
        assert!(caps.has("TOP"));
        assert!(caps.has("UIDL"));
        assert!(caps.has("pipelining"));
        assert!(caps.has("EXPIRE"));
        assert!(!caps.has("STLS"));
        assert!(!caps.has("IMPLEMENTATION"));
        assert!(caps.sasl("PLAIN"));
        assert!(caps.sasl("LOGIN"));
        assert!(!caps.sasl("SASL"));
        assert!(!caps.sasl("CRAM-MD5"));
        assert!(!caps.is_empty());
        assert!(Capabilities::parse(b"").is_empty());
    }
}

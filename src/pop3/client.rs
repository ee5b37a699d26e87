//! The connected client and the commands of the TRANSACTION state.
//!
//! Every command the client sends is recorded as a reply the server owes,
//! so a pipeline the caller abandoned is read off before the next command,
//! and a reply left half-read (an error, a cancelled future) makes the
//! connection refuse further use instead of misreading what follows.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::capability::{self, Capabilities};
use super::listing::{parse_list, parse_stat, parse_uidl};
use super::multiline::read_body;
use super::stls;
use super::wire::{Indicator, Status, Wire, WireError};
use crate::account::Security;
use crate::error::{Error, Result};
use crate::imap::connect::ConnectError;
use crate::mime::parse::MAX_MESSAGE_BYTES;

/// Ceiling for LIST and UIDL replies: some 200,000 messages.
const MAX_LISTING: usize = 16 * 1024 * 1024;

/// Any byte stream the client can run on: TCP, TLS, or a test pipe.
pub(super) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// What the server owes for a command already sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reply {
    /// A status line only.
    Single,
    /// A status line, and after `+OK` a dot-terminated body.
    Multi,
}

/// A POP3 connection, greeted and with its capabilities read.
pub struct Client {
    pub(super) wire: Wire<Box<dyn Stream>>,
    pub(super) capabilities: Capabilities,
    pub(super) security: Security,
    peer_sha256: Option<[u8; 32]>,
    pub(super) authenticated: bool,
    /// Replies owed for commands already sent, oldest first.
    pub(super) owed: VecDeque<Reply>,
    /// Set while a reply is being read or a command written, and left set
    /// when that fails or is abandoned: the client can no longer tell
    /// where the next reply starts.
    pub(super) desynced: bool,
    /// Largest message (and single line) accepted.
    pub(super) max_message: usize,
}

impl Client {
    /// Reads the greeting (unless it came before STLS) and the
    /// capabilities.
    pub(super) async fn start(
        stream: Box<dyn Stream>,
        security: Security,
        command_timeout: Duration,
        greeted: bool,
        peer_sha256: Option<[u8; 32]>,
    ) -> Result<Self, ConnectError> {
        let mut wire = Wire::new(stream, command_timeout);
        if !greeted {
            stls::greeting(&mut wire).await?;
        }
        let capabilities = capability::query(&mut wire).await?;
        Ok(Self {
            wire,
            capabilities,
            security,
            peer_sha256,
            authenticated: false,
            owed: VecDeque::new(),
            desynced: false,
            max_message: MAX_MESSAGE_BYTES,
        })
    }

    /// The capabilities from the last `CAPA` (over TLS unless
    /// [`Security::Plain`]; re-read after login, as RFC 2449 allows them
    /// to change). Empty for a server without CAPA.
    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    pub fn security(&self) -> Security {
        self.security
    }

    /// SHA-256 of the certificate the server presented, if TLS.
    pub fn peer_certificate_sha256(&self) -> Option<[u8; 32]> {
        self.peer_sha256
    }

    /// Message count and total octets (`STAT`).
    pub async fn stat(&mut self) -> Result<(u32, u64)> {
        const CONTEXT: &str = "POP3 STAT";
        let status = self.simple(b"STAT\r\n", CONTEXT).await?;
        parse_stat(&status.text).ok_or_else(|| Error::Network {
            context: CONTEXT,
            detail: "unexpected STAT reply".to_owned(),
        })
    }

    /// Message numbers and sizes in octets (`LIST`); malformed lines are
    /// skipped.
    pub async fn list(&mut self) -> Result<Vec<(u32, u64)>> {
        let body = self.multi(b"LIST\r\n", "POP3 LIST", MAX_LISTING).await?;
        Ok(parse_list(&body))
    }

    /// Message numbers and unique ids (`UIDL`), or `None` when the server
    /// answers `-ERR` (no UIDL support). Ids are opaque strings of 1 to 70
    /// printable characters; lines that are not are skipped.
    pub async fn uidl(&mut self) -> Result<Option<Vec<(u32, String)>>> {
        match self.multi(b"UIDL\r\n", "POP3 UIDL", MAX_LISTING).await {
            Ok(body) => Ok(Some(parse_uidl(&body))),
            Err(Error::ServerRefused { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The header and the first `lines` body lines of message `msg`.
    pub async fn top(&mut self, msg: u32, lines: u32) -> Result<Vec<u8>> {
        let command = format!("TOP {msg} {lines}\r\n");
        let limit = self.max_message;
        self.multi(command.as_bytes(), "POP3 TOP", limit).await
    }

    /// The whole of message `msg`, CRLF line endings, dots unstuffed. For
    /// many messages prefer [`retrieve`](Self::retrieve), which pipelines.
    pub async fn retr(&mut self, msg: u32) -> Result<Vec<u8>> {
        let command = format!("RETR {msg}\r\n");
        let limit = self.max_message;
        self.multi(command.as_bytes(), "POP3 RETR", limit).await
    }

    /// Marks message `msg` deleted; the server deletes it only on a
    /// successful [`quit`](Self::quit).
    pub async fn dele(&mut self, msg: u32) -> Result<()> {
        let command = format!("DELE {msg}\r\n");
        self.simple(command.as_bytes(), "POP3 DELE").await.map(drop)
    }

    /// Unmarks every message marked deleted.
    pub async fn rset(&mut self) -> Result<()> {
        self.simple(b"RSET\r\n", "POP3 RSET").await.map(drop)
    }

    pub async fn noop(&mut self) -> Result<()> {
        self.simple(b"NOOP\r\n", "POP3 NOOP").await.map(drop)
    }

    /// Ends the session. Only `Ok` means the server answered `+OK`, which
    /// is when it commits the deletions; any error (a lost reply included)
    /// means the caller cannot know whether they happened.
    pub async fn quit(mut self) -> Result<()> {
        self.simple(b"QUIT\r\n", "POP3 QUIT").await?;
        // The server hangs up now; how our side closes changes nothing.
        let after = self.wire.timeout();
        let _ = tokio::time::timeout(after, self.wire.stream_mut().shutdown()).await;
        Ok(())
    }

    /// How many commands may be in flight: RFC 2449 PIPELINING, or one.
    pub(super) fn window(&self) -> usize {
        if self.capabilities.has("PIPELINING") {
            super::pipeline::MAX_IN_FLIGHT
        } else {
            1
        }
    }

    /// One command with a single-line reply; `-ERR` becomes
    /// [`Error::ServerRefused`].
    async fn simple(&mut self, command: &[u8], context: &'static str) -> Result<Status> {
        self.drain(context).await?;
        self.send(command, 1, Reply::Single, context).await?;
        let status = self.status(context).await?;
        refused_unless_ok(status, context)
    }

    /// One command with a multi-line reply.
    async fn multi(
        &mut self,
        command: &[u8],
        context: &'static str,
        limit: usize,
    ) -> Result<Vec<u8>> {
        self.drain(context).await?;
        self.send(command, 1, Reply::Multi, context).await?;
        self.multi_reply(context, limit, 0).await
    }

    /// Reads the oldest owed reply, which must be a multi-line one;
    /// `expected` is its size from LIST, or 0.
    pub(super) async fn multi_reply(
        &mut self,
        context: &'static str,
        limit: usize,
        expected: u64,
    ) -> Result<Vec<u8>> {
        let status = self.status(context).await?;
        refused_unless_ok(status, context)?;
        let body = read_body(&mut self.wire, limit, expected)
            .await
            .map_err(|e| e.into_error(context))?;
        self.desynced = false;
        Ok(body)
    }

    /// Writes `bytes`, which hold `replies` commands of the same kind.
    pub(super) async fn send(
        &mut self,
        bytes: &[u8],
        replies: usize,
        kind: Reply,
        context: &'static str,
    ) -> Result<()> {
        self.usable(context)?;
        self.desynced = true;
        self.wire
            .write_all(bytes)
            .await
            .map_err(|e| e.into_error(context))?;
        self.owed.extend(std::iter::repeat_n(kind, replies));
        self.desynced = false;
        Ok(())
    }

    /// Reads the status line of the oldest owed reply. After `+OK` to a
    /// multi-line command the client stays desynced until the body is read.
    pub(super) async fn status(&mut self, context: &'static str) -> Result<Status> {
        self.usable(context)?;
        let kind = *self
            .owed
            .front()
            .ok_or_else(|| Error::Internal("POP3: read without a command".to_owned()))?;
        self.desynced = true;
        let status = self
            .wire
            .read_status()
            .await
            .map_err(|e| e.into_error(context))?;
        if status.indicator == Indicator::More {
            return Err(WireError::Garbage.into_error(context));
        }
        self.owed.pop_front();
        self.desynced = status.is_ok() && kind == Reply::Multi;
        Ok(status)
    }

    /// Reads and discards every owed reply (left by an abandoned pipeline).
    pub(super) async fn drain(&mut self, context: &'static str) -> Result<()> {
        while let Some(&kind) = self.owed.front() {
            let status = self.status(context).await?;
            if status.is_ok() && kind == Reply::Multi {
                read_body(&mut self.wire, self.max_message, 0)
                    .await
                    .map_err(|e| e.into_error(context))?;
                self.desynced = false;
            }
        }
        Ok(())
    }

    fn usable(&self, context: &'static str) -> Result<()> {
        if self.desynced {
            return Err(Error::Network {
                context,
                detail: "connection unusable after an earlier error".to_owned(),
            });
        }
        Ok(())
    }
}

pub(super) fn refused_unless_ok(status: Status, context: &'static str) -> Result<Status> {
    if status.is_ok() {
        Ok(status)
    } else {
        Err(Error::ServerRefused {
            context,
            detail: status.text,
        })
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("security", &self.security)
            .field("authenticated", &self.authenticated)
            .field("capabilities", &self.capabilities)
            .field("owed", &self.owed.len())
            .field("desynced", &self.desynced)
            .finish_non_exhaustive()
    }
}

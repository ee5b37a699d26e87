//! The byte level: a small bounded read buffer, lines, status lines, and
//! writes, every wait bounded by the command timeout.

use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

use crate::error::Error;
use crate::imap::connect::{ConnectError, Step};

/// Longest status line (`+OK ...`, `-ERR ...`) accepted; RFC 2449 allows
/// 512 octets, this leaves room for chatty servers.
pub(super) const MAX_STATUS_LINE: usize = 4096;
/// Read chunk size; the buffer never grows beyond it.
const BUFFER: usize = 16 * 1024;
/// Longest server text kept for an error message.
const MAX_DETAIL: usize = 200;

/// Why reading or writing failed. Whatever it is, the connection is out of
/// step with the server afterwards.
#[derive(Debug)]
pub(super) enum WireError {
    Io(io::Error),
    Closed,
    Timeout(Duration),
    /// A status line over [`MAX_STATUS_LINE`].
    LineTooLong,
    /// A multi-line reply (or one of its lines) over its limit.
    TooLarge {
        limit: usize,
    },
    /// A status line that is neither `+OK` nor `-ERR`.
    Garbage,
}

impl WireError {
    /// As a transaction-state error.
    pub(super) fn into_error(self, context: &'static str) -> Error {
        let detail = match self {
            Self::TooLarge { limit } => {
                return Error::TooLarge {
                    what: "POP3 reply",
                    limit,
                };
            }
            Self::Io(e) => e.to_string(),
            Self::Closed => "connection closed by the server".to_owned(),
            Self::Timeout(after) => format!("no reply within {after:?}"),
            Self::LineTooLong => "status line too long".to_owned(),
            Self::Garbage => "unexpected reply".to_owned(),
        };
        Error::Network { context, detail }
    }

    /// As an error of the connection phase.
    pub(super) fn into_connect(self, step: Step) -> ConnectError {
        match self {
            Self::Io(source) => ConnectError::Io { step, source },
            Self::Closed => ConnectError::eof(step),
            Self::Timeout(after) => ConnectError::Timeout { step, after },
            Self::LineTooLong | Self::TooLarge { .. } => ConnectError::LineTooLong { step },
            Self::Garbage => ConnectError::Protocol {
                step,
                detail: "reply is neither +OK nor -ERR".to_owned(),
            },
        }
    }
}

/// The first word of a status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Indicator {
    Ok,
    Err,
    /// `+ ...`: a SASL continuation.
    More,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Status {
    pub(super) indicator: Indicator,
    /// The text after the indicator, printable and cut short: fit for an
    /// error message (after TLS only).
    pub(super) text: String,
}

impl Status {
    pub(super) fn is_ok(&self) -> bool {
        self.indicator == Indicator::Ok
    }
}

/// Parses a status line (with its line ending). Tolerates a bare LF and a
/// lower-case indicator; anything else is not a POP3 reply.
pub(super) fn parse_status(line: &[u8]) -> Option<Status> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.contains(&0) {
        return None;
    }
    let (word, rest) = match line.iter().position(|&b| b == b' ') {
        Some(at) => (line.get(..at)?, line.get(at + 1..)?),
        None => (line, &b""[..]),
    };
    let indicator = if word.eq_ignore_ascii_case(b"+OK") {
        Indicator::Ok
    } else if word.eq_ignore_ascii_case(b"-ERR") {
        Indicator::Err
    } else if word == b"+" {
        Indicator::More
    } else {
        return None;
    };
    Some(Status {
        indicator,
        text: printable(rest),
    })
}

/// Server text made safe for logs and messages: lossy UTF-8, control
/// characters replaced, at most [`MAX_DETAIL`] characters.
pub(super) fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .take(MAX_DETAIL)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A stream with a fixed-size read buffer.
pub(super) struct Wire<S> {
    stream: S,
    buffer: Box<[u8]>,
    start: usize,
    end: usize,
    /// Bounds each wait for bytes (and each write), not whole replies.
    timeout: Duration,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Wire<S> {
    pub(super) fn new(stream: S, timeout: Duration) -> Self {
        Self {
            stream,
            buffer: vec![0; BUFFER].into_boxed_slice(),
            start: 0,
            end: 0,
            timeout,
        }
    }

    /// The stream; whatever was buffered is dropped with the buffer.
    pub(super) fn into_inner(self) -> S {
        self.stream
    }

    pub(super) fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(super) fn stream_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Whether bytes are waiting: buffered, or already readable on the
    /// stream without waiting (checked with one poll).
    pub(super) async fn has_pending_bytes(&mut self) -> Result<bool, WireError> {
        if self.start < self.end {
            return Ok(true);
        }
        let mut probe = [0u8; 1];
        let stream = &mut self.stream;
        poll_fn(|cx| {
            let mut buf = ReadBuf::new(&mut probe);
            match Pin::new(&mut *stream).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) => Poll::Ready(Ok(!buf.filled().is_empty())),
                Poll::Ready(Err(e)) => Poll::Ready(Err(WireError::Io(e))),
                Poll::Pending => Poll::Ready(Ok(false)),
            }
        })
        .await
    }

    pub(super) async fn write_all(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        let stream = &mut self.stream;
        bounded(self.timeout, async move {
            stream.write_all(bytes).await?;
            stream.flush().await
        })
        .await
    }

    /// Reads the next status line.
    pub(super) async fn read_status(&mut self) -> Result<Status, WireError> {
        let mut line = Vec::with_capacity(128);
        self.read_line(&mut line, MAX_STATUS_LINE)
            .await
            .map_err(|e| match e {
                WireError::TooLarge { .. } => WireError::LineTooLong,
                other => other,
            })?;
        parse_status(&line).ok_or(WireError::Garbage)
    }

    /// Appends one line, through its `\n`, to `out`; fails with `TooLarge`
    /// once the line exceeds `max` bytes, before buffering more of it.
    pub(super) async fn read_line(
        &mut self,
        out: &mut Vec<u8>,
        max: usize,
    ) -> Result<(), WireError> {
        let mut taken = 0;
        loop {
            if self.start == self.end {
                self.fill().await?;
            }
            let available = self.buffer.get(self.start..self.end).unwrap_or_default();
            let (take, complete) = match available.iter().position(|&b| b == b'\n') {
                Some(at) => (at + 1, true),
                None => (available.len(), false),
            };
            if taken + take > max {
                return Err(WireError::TooLarge { limit: max });
            }
            out.extend_from_slice(available.get(..take).unwrap_or_default());
            taken += take;
            self.start += take;
            if complete {
                return Ok(());
            }
        }
    }

    /// The buffered bytes, after one read if there were none; hand back
    /// what was used with [`consume`](Self::consume).
    pub(super) async fn chunk(&mut self) -> Result<&[u8], WireError> {
        if self.start == self.end {
            self.fill().await?;
        }
        Ok(self.buffer.get(self.start..self.end).unwrap_or_default())
    }

    /// Marks `n` bytes of the last [`chunk`](Self::chunk) as read.
    pub(super) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }

    /// Refills the (empty) buffer with one read.
    async fn fill(&mut self) -> Result<(), WireError> {
        self.start = 0;
        self.end = 0;
        let stream = &mut self.stream;
        let buffer = &mut self.buffer;
        let read = bounded(self.timeout, async move {
            tokio::io::AsyncReadExt::read(stream, buffer).await
        })
        .await?;
        if read == 0 {
            return Err(WireError::Closed);
        }
        self.end = read;
        Ok(())
    }
}

async fn bounded<T>(
    after: Duration,
    future: impl Future<Output = io::Result<T>>,
) -> Result<T, WireError> {
    match tokio::time::timeout(after, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(WireError::Io(e)),
        Err(_) => Err(WireError::Timeout(after)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_parsed_strictly() {
        let ok = parse_status(b"+OK 2 320\r\n").unwrap();
        assert!(ok.is_ok());
        assert_eq!(ok.text, "2 320");
        assert!(parse_status(b"+OK\r\n").unwrap().is_ok());
        assert!(parse_status(b"+ok fine\n").unwrap().is_ok());
        let err = parse_status(b"-ERR no \x1b[31msuch\r\n").unwrap();
        assert_eq!(err.indicator, Indicator::Err);
        assert_eq!(err.text, "no ?[31msuch");
        assert_eq!(parse_status(b"+ \r\n").unwrap().indicator, Indicator::More);
        for garbage in [
            &b""[..],
            b"+OK no line end",
            b"+OKAY\r\n",
            b"* OK imap\r\n",
            b"220 smtp\r\n",
            b"+OK \x00\r\n",
            b"\x16\x03\x01\r\n",
        ] {
            assert_eq!(parse_status(garbage), None, "{garbage:?}");
        }
    }

    #[tokio::test]
    async fn status_lines_over_the_limit_are_refused() {
        let (client, mut server) = tokio::io::duplex(64 * 1024);
        let mut wire = Wire::new(client, Duration::from_secs(5));
        let mut long = b"+OK ".to_vec();
        long.resize(MAX_STATUS_LINE + 10, b'x');
        long.extend_from_slice(b"\r\n");
        server.write_all(&long).await.unwrap();
        let err = wire.read_status().await.unwrap_err();
        assert!(matches!(err, WireError::LineTooLong), "{err:?}");
    }

    #[tokio::test]
    async fn a_silent_server_times_out() {
        let (client, _server) = tokio::io::duplex(1024);
        let mut wire = Wire::new(client, Duration::from_millis(50));
        let err = wire.read_status().await.unwrap_err();
        assert!(matches!(err, WireError::Timeout(_)), "{err:?}");
    }
}

//! Multi-line replies (RFC 1939 §3): the lines after `+OK` up to a line
//! holding a single dot, with the dot-stuffing undone.

use tokio::io::{AsyncRead, AsyncWrite};

use super::wire::{Wire, WireError};

/// Slack over the limit while a line is read: a stuffing dot and a CR
/// added to a bare LF may still go, so the check comes after the line.
const SLACK: usize = 3;

/// Reads the body of a multi-line reply whose `+OK` line was just read.
///
/// Lines keep their CRLF; a bare LF from a broken server becomes CRLF. A
/// body over `limit` bytes fails with `TooLarge` as soon as it is certain,
/// having buffered at most `limit` plus a few bytes; the rest of the reply
/// is left unread, so the connection cannot be used afterwards.
pub(super) async fn read_body<S: AsyncRead + AsyncWrite + Unpin>(
    wire: &mut Wire<S>,
    limit: usize,
) -> Result<Vec<u8>, WireError> {
    let mut body = Vec::new();
    loop {
        let start = body.len();
        let room = limit.saturating_sub(start) + SLACK;
        wire.read_line(&mut body, room).await.map_err(|e| match e {
            WireError::TooLarge { .. } => WireError::TooLarge { limit },
            other => other,
        })?;
        if body.get(start) == Some(&b'.') {
            let rest = body.get(start + 1..).unwrap_or_default();
            if rest == b"\r\n" || rest == b"\n" {
                body.truncate(start);
                return Ok(body);
            }
            // `..x` stands for `.x`.
            body.remove(start);
        }
        if !body.ends_with(b"\r\n") {
            let end = body.len().saturating_sub(1);
            body.insert(end, b'\r');
        }
        if body.len() > limit {
            return Err(WireError::TooLarge { limit });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;

    async fn body_of(wire_bytes: &[u8], limit: usize) -> Result<Vec<u8>, WireError> {
        let (client, mut server) = tokio::io::duplex(64 * 1024);
        server.write_all(wire_bytes).await.unwrap();
        drop(server);
        let mut wire = Wire::new(client, Duration::from_secs(5));
        read_body(&mut wire, limit).await
    }

    #[tokio::test]
    async fn dots_are_unstuffed_and_crlf_kept() {
        let body = body_of(
            b"Subject: x\r\n\r\n..x\r\n..\r\n...\r\nplain.\r\n.\r\n",
            1000,
        )
        .await
        .unwrap();
        assert_eq!(body, b"Subject: x\r\n\r\n.x\r\n.\r\n..\r\nplain.\r\n");
    }

    #[tokio::test]
    async fn an_empty_body_is_empty() {
        assert_eq!(body_of(b".\r\n", 10).await.unwrap(), b"");
    }

    #[tokio::test]
    async fn bare_lf_becomes_crlf() {
        let body = body_of(b"a\nb\r\n..c\n.\n", 1000).await.unwrap();
        assert_eq!(body, b"a\r\nb\r\n.c\r\n");
    }

    #[tokio::test]
    async fn a_body_cut_short_is_an_error() {
        let err = body_of(b"a\r\nb\r\n", 1000).await.unwrap_err();
        assert!(matches!(err, WireError::Closed), "{err:?}");
        let err = body_of(b"a\r\n.", 1000).await.unwrap_err();
        assert!(matches!(err, WireError::Closed), "{err:?}");
    }

    #[tokio::test]
    async fn limits_hold_for_bodies_and_single_lines() {
        // Exactly at the limit is fine.
        assert_eq!(body_of(b"abcd\r\n.\r\n", 6).await.unwrap(), b"abcd\r\n");
        let err = body_of(b"abcd\r\nx\r\n.\r\n", 6).await.unwrap_err();
        assert!(matches!(err, WireError::TooLarge { limit: 6 }), "{err:?}");
        // One endless line: refused without reading it all.
        let mut endless = vec![b'x'; 50_000];
        endless.extend_from_slice(b"\r\n.\r\n");
        let err = body_of(&endless, 1000).await.unwrap_err();
        assert!(
            matches!(err, WireError::TooLarge { limit: 1000 }),
            "{err:?}"
        );
    }
}

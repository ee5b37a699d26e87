//! Multi-line replies (RFC 1939 §3): the lines after `+OK` up to a line
//! holding a single dot, with the dot-stuffing undone.

use tokio::io::{AsyncRead, AsyncWrite};

use super::wire::{Wire, WireError};

/// Where the reader stands in the line it is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// At the start of a line.
    LineStart,
    /// Past a leading dot (dropped: `..x` stands for `.x`).
    Dot,
    /// Past a leading dot and a CR: the end, if an LF follows.
    DotCr,
    /// Inside a line.
    Inside,
}

/// Reads the body of a multi-line reply whose `+OK` line was just read.
///
/// Lines keep their CRLF; a bare LF from a broken server becomes CRLF.
/// `expected` (the size from LIST, or 0) sizes the buffer up front. A body
/// over `limit` bytes fails with `TooLarge` once it is certain, having
/// buffered at most `limit` plus one read; the rest of the reply is left
/// unread, so the connection cannot be used afterwards.
///
/// The buffer is scanned a read at a time, and only line starts and line
/// ends are looked at: whole runs of text are copied at once, which is
/// what keeps a large download from costing a step per line.
pub(super) async fn read_body<S: AsyncRead + AsyncWrite + Unpin>(
    wire: &mut Wire<S>,
    limit: usize,
    expected: u64,
) -> Result<Vec<u8>, WireError> {
    let expected = usize::try_from(expected).unwrap_or(usize::MAX).min(limit);
    // A little over LIST's figure: servers count it in slightly different
    // ways, and growing a large buffer by doubling copies it whole.
    let mut body = Vec::with_capacity(expected.saturating_add(expected / 64 + 64).min(limit));
    let mut at = At::LineStart;
    loop {
        let chunk = wire.chunk().await?;
        let (used, done) = unstuff(chunk, &mut at, &mut body);
        wire.consume(used);
        if body.len() > limit {
            return Err(WireError::TooLarge { limit });
        }
        if done {
            return Ok(body);
        }
    }
}

/// Appends `buf`'s text to `out`, undoing dot-stuffing and turning bare
/// LFs into CRLF, up to the terminating `.` line. Returns how many bytes
/// of `buf` were used and whether the terminator was among them.
fn unstuff(buf: &[u8], at: &mut At, out: &mut Vec<u8>) -> (usize, bool) {
    let mut i = 0;
    // Start of the bytes not yet copied to `out`, copied as they are.
    let mut run = 0;
    while let Some(&byte) = buf.get(i) {
        match *at {
            At::LineStart if byte == b'.' => {
                out.extend_from_slice(buf.get(run..i).unwrap_or_default());
                i += 1;
                run = i;
                *at = At::Dot;
            }
            At::LineStart => *at = At::Inside,
            At::Dot | At::DotCr if byte == b'\n' => return (i + 1, true),
            At::Dot if byte == b'\r' => {
                i += 1;
                run = i;
                *at = At::DotCr;
            }
            At::Dot => *at = At::Inside,
            At::DotCr => {
                // ".\r" and more: the CR was text after all.
                out.push(b'\r');
                *at = At::Inside;
            }
            At::Inside => {
                let rest = buf.get(i..).unwrap_or_default();
                let Some(offset) = memchr::memchr(b'\n', rest) else {
                    i = buf.len();
                    continue;
                };
                let lf = i + offset;
                let before = if lf > run {
                    buf.get(lf - 1).copied()
                } else {
                    out.last().copied()
                };
                if before != Some(b'\r') {
                    out.extend_from_slice(buf.get(run..lf).unwrap_or_default());
                    out.push(b'\r');
                    run = lf;
                }
                i = lf + 1;
                *at = At::LineStart;
            }
        }
    }
    out.extend_from_slice(buf.get(run..).unwrap_or_default());
    (buf.len(), false)
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
        read_body(&mut wire, limit, 0).await
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

    /// `unstuff` over `wire` cut into pieces of `piece` bytes: the body
    /// and how many bytes it used, or `None` if no terminator was seen.
    fn in_pieces(wire: &[u8], piece: usize) -> Option<(Vec<u8>, usize)> {
        let (mut at, mut out, mut used) = (At::LineStart, Vec::new(), 0);
        for chunk in wire.chunks(piece) {
            let (n, done) = unstuff(chunk, &mut at, &mut out);
            used += n;
            if done {
                return Some((out, used));
            }
        }
        None
    }

    #[test]
    fn where_reads_split_the_stream_does_not_matter() {
        let cases: [&[u8]; 6] = [
            b"Subject: x\r\n\r\n..x\r\n..\r\n...\r\nplain.\r\n.\r\nRETR-next",
            b"a\nb\r\n..c\n\n.\n+OK",
            b".\r\n",
            b"..\r\n.\rx\r\n\r\n\n.\r\n",
            b"line one\r\n.\n",
            b"no end yet\r\n..\r",
        ];
        for wire in cases {
            let whole = in_pieces(wire, wire.len());
            for piece in 1..wire.len() {
                assert_eq!(in_pieces(wire, piece), whole, "{wire:?} in {piece}s");
            }
        }
        let (body, used) = in_pieces(cases[0], 64).unwrap();
        assert_eq!(body, b"Subject: x\r\n\r\n.x\r\n.\r\n..\r\nplain.\r\n");
        assert_eq!(&cases[0][used..], b"RETR-next", "the next reply is left");
        let (body, used) = in_pieces(cases[1], 3).unwrap();
        assert_eq!(body, b"a\r\nb\r\n.c\r\n\r\n");
        assert_eq!(&cases[1][used..], b"+OK");
        assert_eq!(in_pieces(cases[3], 1).unwrap().0, b".\r\n\rx\r\n\r\n\r\n");
        assert_eq!(in_pieces(cases[5], 2), None);
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

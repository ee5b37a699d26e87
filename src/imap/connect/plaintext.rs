//! The exchange before TLS, read by hand on the raw socket.
//!
//! Every line is taken off the socket exactly, never through a buffered
//! reader, so no plaintext byte can survive into the encrypted session.
//! What is read here only decides whether to go on; none of it is kept.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{ConnectError, Step, Timeouts, with_timeout};

/// Longest line accepted from the server before async-imap takes over.
const MAX_LINE: usize = 64 * 1024;
/// Most lines accepted in reply to one plaintext command.
const MAX_LINES: usize = 1000;

/// The plaintext part of STARTTLS, on the raw socket: greeting,
/// `A1 CAPABILITY`, `A2 STARTTLS`. Returns with the socket positioned
/// exactly after the tagged OK, nothing read beyond it.
pub(super) async fn starttls_negotiation(
    tcp: &mut TcpStream,
    timeouts: &Timeouts,
) -> Result<(), ConnectError> {
    let (line, _) = with_timeout(
        Step::Greeting,
        timeouts.greeting,
        read_line_exact(tcp, Step::Greeting),
    )
    .await?;
    match parse_greeting(&line).ok_or(ConnectError::BadGreeting)? {
        Greeting::Ok => {}
        Greeting::PreAuth => return Err(ConnectError::PreauthWithoutTls),
        Greeting::Bye => return Err(ConnectError::Bye),
    }

    let reply = with_timeout(
        Step::Capability,
        timeouts.command,
        plain_command(tcp, "A1", "CAPABILITY", Step::Capability),
    )
    .await?;
    if reply.status != TaggedStatus::Ok {
        return Err(ConnectError::Protocol {
            step: Step::Capability,
            detail: "CAPABILITY refused before TLS".to_owned(),
        });
    }
    let offers_starttls = reply
        .untagged
        .iter()
        .filter_map(|line| capability_words(line))
        .flatten()
        .any(|word| word.eq_ignore_ascii_case("STARTTLS"));
    if !offers_starttls {
        return Err(ConnectError::StartTlsUnavailable);
    }

    let reply = with_timeout(
        Step::StartTls,
        timeouts.command,
        plain_command(tcp, "A2", "STARTTLS", Step::StartTls),
    )
    .await?;
    if reply.status != TaggedStatus::Ok {
        return Err(ConnectError::StartTlsRefused);
    }
    if reply.more_waiting {
        return Err(ConnectError::StartTlsInjection);
    }
    // Bytes arriving later than the OK stay unread in the socket; rustls
    // then reads them as TLS records, which fails the handshake.
    Ok(())
}

/// Reads one line (through `\n`) from the socket and not one byte more:
/// each chunk is peeked, and only the part up to the line end is consumed.
/// Also tells whether more bytes had already arrived behind the line.
pub(super) async fn read_line_exact(
    tcp: &mut TcpStream,
    step: Step,
) -> Result<(Vec<u8>, bool), ConnectError> {
    let mut line = Vec::new();
    let mut chunk = vec![0; 4096];
    loop {
        let seen = tcp.peek(&mut chunk).await.map_err(ConnectError::io(step))?;
        let peeked = chunk.get(..seen).unwrap_or_default();
        if peeked.is_empty() {
            return Err(ConnectError::eof(step));
        }
        let (take, complete) = match peeked.iter().position(|&b| b == b'\n') {
            Some(end) => (end + 1, true),
            None => (seen, false),
        };
        if line.len() + take > MAX_LINE {
            return Err(ConnectError::LineTooLong { step });
        }
        let start = line.len();
        line.resize(start + take, 0);
        let target = line.get_mut(start..).unwrap_or_default();
        tcp.read_exact(target)
            .await
            .map_err(ConnectError::io(step))?;
        if complete {
            return Ok((line, seen > take));
        }
    }
}

/// Reads one line a byte at a time, so nothing beyond it is consumed. Only
/// for the TLS greeting: each read is a copy out of rustls's buffer.
pub(super) async fn read_line_bytewise<S: AsyncRead + Unpin>(
    stream: &mut S,
    step: Step,
) -> Result<Vec<u8>, ConnectError> {
    let mut line = Vec::with_capacity(128);
    loop {
        let byte = match stream.read_u8().await {
            Ok(byte) => byte,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(ConnectError::eof(step));
            }
            Err(e) => return Err(ConnectError::Io { step, source: e }),
        };
        line.push(byte);
        if byte == b'\n' {
            return Ok(line);
        }
        if line.len() >= MAX_LINE {
            return Err(ConnectError::LineTooLong { step });
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Greeting {
    Ok,
    PreAuth,
    Bye,
}

/// `* OK ...`, `* PREAUTH ...` or `* BYE ...` with CRLF; anything else
/// (other protocols, binary, NUL bytes) is not an IMAP greeting.
pub(super) fn parse_greeting(line: &[u8]) -> Option<Greeting> {
    let line = line.strip_suffix(b"\r\n")?;
    if line.contains(&0) {
        return None;
    }
    let rest = line.strip_prefix(b"* ")?;
    let word = rest.split(|&b| b == b' ').next().unwrap_or_default();
    if word.eq_ignore_ascii_case(b"OK") {
        Some(Greeting::Ok)
    } else if word.eq_ignore_ascii_case(b"PREAUTH") {
        Some(Greeting::PreAuth)
    } else if word.eq_ignore_ascii_case(b"BYE") {
        Some(Greeting::Bye)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaggedStatus {
    Ok,
    No,
    Bad,
    Other,
}

/// The status of `line` if it is the tagged reply for `tag`.
fn tagged_status(line: &[u8], tag: &str) -> Option<TaggedStatus> {
    let rest = line.strip_prefix(tag.as_bytes())?.strip_prefix(b" ")?;
    let word = rest
        .split(|&b| b == b' ' || b == b'\r' || b == b'\n')
        .next()
        .unwrap_or_default();
    Some(if word.eq_ignore_ascii_case(b"OK") {
        TaggedStatus::Ok
    } else if word.eq_ignore_ascii_case(b"NO") {
        TaggedStatus::No
    } else if word.eq_ignore_ascii_case(b"BAD") {
        TaggedStatus::Bad
    } else {
        TaggedStatus::Other
    })
}

/// The words of an untagged `* CAPABILITY ...` line.
fn capability_words(line: &[u8]) -> Option<impl Iterator<Item = &str>> {
    let text = std::str::from_utf8(line).ok()?;
    let mut words = text.split_ascii_whitespace();
    (words.next() == Some("*")).then_some(())?;
    words
        .next()
        .filter(|w| w.eq_ignore_ascii_case("CAPABILITY"))?;
    Some(words)
}

struct PlainReply {
    untagged: Vec<Vec<u8>>,
    status: TaggedStatus,
    /// Bytes had already arrived behind the tagged line.
    more_waiting: bool,
}

/// Sends `{tag} {command}` on the raw socket and reads to its tagged reply.
async fn plain_command(
    tcp: &mut TcpStream,
    tag: &str,
    command: &str,
    step: Step,
) -> Result<PlainReply, ConnectError> {
    tcp.write_all(format!("{tag} {command}\r\n").as_bytes())
        .await
        .map_err(ConnectError::io(step))?;
    let mut untagged = Vec::new();
    for _ in 0..MAX_LINES {
        let (line, more_waiting) = read_line_exact(tcp, step).await?;
        if let Some(status) = tagged_status(&line, tag) {
            return Ok(PlainReply {
                untagged,
                status,
                more_waiting,
            });
        }
        // Untagged data (`* 3 EXISTS`, `* LIST ...`) before TLS is noise
        // at best and an attack at worst: kept only to find CAPABILITY.
        if line.starts_with(b"* ") {
            untagged.push(line);
        }
    }
    Err(ConnectError::Protocol {
        step,
        detail: "too many lines before the tagged reply".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::connect::socket_pair;
    use std::time::Duration;

    #[test]
    fn greetings_are_classified_strictly() {
        assert_eq!(
            parse_greeting(b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n"),
            Some(Greeting::Ok)
        );
        assert_eq!(parse_greeting(b"* ok hi\r\n"), Some(Greeting::Ok));
        assert_eq!(parse_greeting(b"* OK\r\n"), Some(Greeting::Ok));
        assert_eq!(
            parse_greeting(b"* PREAUTH logged in\r\n"),
            Some(Greeting::PreAuth)
        );
        assert_eq!(
            parse_greeting(b"* BYE [ALERT] go away\r\n"),
            Some(Greeting::Bye)
        );
        for garbage in [
            &b""[..],
            b"* OK no line end",
            b"+OK POP3 ready\r\n",
            b"-ERR\r\n",
            b"220 smtp ESMTP\r\n",
            b"*OK\r\n",
            b"* OKAY\r\n",
            b"* OK \x00 nul\r\n",
            b"\x16\x03\x01\x02\x00\r\n",
            b"A1 OK\r\n",
        ] {
            assert_eq!(parse_greeting(garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn tagged_replies_match_only_their_tag() {
        assert_eq!(
            tagged_status(b"A2 OK Begin TLS\r\n", "A2"),
            Some(TaggedStatus::Ok)
        );
        assert_eq!(tagged_status(b"A2 ok\r\n", "A2"), Some(TaggedStatus::Ok));
        assert_eq!(tagged_status(b"A2 NO\r\n", "A2"), Some(TaggedStatus::No));
        assert_eq!(
            tagged_status(b"A2 BAD what\r\n", "A2"),
            Some(TaggedStatus::Bad)
        );
        assert_eq!(
            tagged_status(b"A2 OKAY\r\n", "A2"),
            Some(TaggedStatus::Other)
        );
        assert_eq!(tagged_status(b"A22 OK\r\n", "A2"), None);
        assert_eq!(tagged_status(b"A1 OK\r\n", "A2"), None);
        assert_eq!(tagged_status(b"* OK\r\n", "A2"), None);
    }

    #[test]
    fn capability_words_only_from_capability_lines() {
        let words: Vec<_> = capability_words(b"* CAPABILITY IMAP4rev1 STARTTLS\r\n")
            .unwrap()
            .collect();
        assert_eq!(words, ["IMAP4rev1", "STARTTLS"]);
        assert!(capability_words(b"* OK [CAPABILITY STARTTLS]\r\n").is_none());
        assert!(capability_words(b"A1 CAPABILITY STARTTLS\r\n").is_none());
    }

    /// The line reader consumes exactly one line, even when more arrived in
    /// the same segment, and reports that more was waiting.
    #[tokio::test]
    async fn line_reader_consumes_exactly_one_line() {
        let (mut client, mut server) = socket_pair().await;
        server
            .write_all(b"A2 OK Begin TLS\r\n* CAPABILITY X\r\n")
            .await
            .unwrap();
        // Let both lines arrive before the first peek.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (line, more) = read_line_exact(&mut client, Step::StartTls).await.unwrap();
        assert_eq!(line, b"A2 OK Begin TLS\r\n");
        assert!(more);
        let (line, more) = read_line_exact(&mut client, Step::StartTls).await.unwrap();
        assert_eq!(line, b"* CAPABILITY X\r\n");
        assert!(!more);
    }

    #[tokio::test]
    async fn line_reader_joins_a_line_split_across_segments() {
        let (mut client, mut server) = socket_pair().await;
        let writer = tokio::spawn(async move {
            for part in [&b"* OK "[..], b"split ", b"greeting\r\n"] {
                server.write_all(part).await.unwrap();
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            server
        });
        let (line, more) = read_line_exact(&mut client, Step::Greeting).await.unwrap();
        assert_eq!(line, b"* OK split greeting\r\n");
        assert!(!more);
        drop(writer.await.unwrap());
    }

    #[tokio::test]
    async fn line_reader_caps_line_length_and_reports_eof() {
        let (mut client, mut server) = socket_pair().await;
        let writer = tokio::spawn(async move {
            let _ = server.write_all(&vec![b'x'; MAX_LINE + 10]).await;
            server
        });
        let err = read_line_exact(&mut client, Step::Greeting)
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectError::LineTooLong { .. }), "{err:?}");
        drop(writer.await.unwrap());

        let (mut client, server) = socket_pair().await;
        drop(server);
        let err = read_line_exact(&mut client, Step::Greeting)
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectError::Io { .. }), "{err:?}");
    }
}

//! The plaintext part of STARTTLS (RFC 3207): greeting, EHLO, STARTTLS,
//! read a byte at a time so nothing past the `220` is ever buffered.

use crate::imap::connect::{ConnectError, Step};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longest reply line (RFC 5321 §4.5.3.1.5 allows 512) and most lines.
const MAX_LINE: usize = 1000;
const MAX_LINES: usize = 100;

/// One reply: its code and the text of every line.
struct Reply {
    code: u16,
    lines: Vec<String>,
}

/// Greeting, EHLO `hello`, STARTTLS, on `tcp`. Returns once the server
/// said `220` to STARTTLS with nothing after it.
pub(super) async fn negotiate(tcp: &mut TcpStream, hello: &str) -> Result<(), ConnectError> {
    let greeting = read_reply(tcp, Step::Greeting).await?;
    match greeting.code {
        220 => {}
        554 => return Err(ConnectError::Bye),
        _ => return Err(ConnectError::BadGreeting),
    }
    write(
        tcp,
        format!("EHLO {hello}\r\n").as_bytes(),
        Step::Capability,
    )
    .await?;
    let ehlo = read_reply(tcp, Step::Capability).await?;
    if ehlo.code != 250 {
        return Err(ConnectError::Protocol {
            step: Step::Capability,
            detail: format!("EHLO answered {}", ehlo.code),
        });
    }
    // The first line is the server's name; the rest are extensions.
    let offers_starttls = ehlo
        .lines
        .iter()
        .skip(1)
        .any(|l| l.trim().eq_ignore_ascii_case("STARTTLS"));
    if !offers_starttls {
        return Err(ConnectError::StartTlsUnavailable);
    }
    write(tcp, b"STARTTLS\r\n", Step::StartTls).await?;
    let reply = read_reply(tcp, Step::StartTls).await?;
    if reply.code != 220 {
        return Err(ConnectError::StartTlsRefused);
    }
    // The server says nothing more before the handshake: bytes already
    // here were planted to be read as if they came over TLS.
    let mut probe = [0u8; 1];
    match tcp.try_read(&mut probe) {
        Ok(0) => Err(ConnectError::Io {
            step: Step::StartTls,
            source: std::io::ErrorKind::UnexpectedEof.into(),
        }),
        Ok(_) => Err(ConnectError::StartTlsInjection),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(()),
        Err(source) => Err(ConnectError::Io {
            step: Step::StartTls,
            source,
        }),
    }
}

async fn write(tcp: &mut TcpStream, bytes: &[u8], step: Step) -> Result<(), ConnectError> {
    tcp.write_all(bytes)
        .await
        .map_err(|source| ConnectError::Io { step, source })
}

/// A whole reply: `NNN-text` lines up to the `NNN text` one.
async fn read_reply(tcp: &mut TcpStream, step: Step) -> Result<Reply, ConnectError> {
    let mut lines = Vec::new();
    loop {
        let line = read_line(tcp, step).await?;
        let bad = || ConnectError::Protocol {
            step,
            detail: "a reply line without a code".into(),
        };
        let code: u16 = line
            .get(..3)
            .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|c| c.parse().ok())
            .ok_or_else(bad)?;
        let more = match line.as_bytes().get(3) {
            Some(b'-') => true,
            Some(b' ') | None => false,
            Some(_) => return Err(bad()),
        };
        lines.push(line.get(4..).unwrap_or_default().to_string());
        if !more {
            return Ok(Reply { code, lines });
        }
        if lines.len() >= MAX_LINES {
            return Err(ConnectError::LineTooLong { step });
        }
    }
}

/// One CRLF-ended line, without the CRLF.
async fn read_line(tcp: &mut TcpStream, step: Step) -> Result<String, ConnectError> {
    let mut line = Vec::new();
    loop {
        let byte = tcp
            .read_u8()
            .await
            .map_err(|source| ConnectError::Io { step, source })?;
        if byte == b'\n' {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(String::from_utf8_lossy(&line).into_owned());
        }
        line.push(byte);
        if line.len() > MAX_LINE {
            return Err(ConnectError::LineTooLong { step });
        }
    }
}

//! The greeting, and the plaintext part of STLS (RFC 2595 §4).
//!
//! STLS is only ever required: not offered, refused or tampered with means
//! the connection is dropped before a credential could be sent. The
//! negotiation works on any stream and hands back the bare stream; every
//! plaintext byte read goes with the buffer, so nothing said before TLS
//! reaches the encrypted session.

use tokio::io::{AsyncRead, AsyncWrite};

use super::capability;
use super::wire::{Indicator, Wire, WireError};
use crate::imap::connect::{ConnectError, Step};

/// Reads the greeting: `+OK` goes on, `-ERR` is a refusal, anything else
/// is not a POP3 server. Nothing is sent either way.
pub(super) async fn greeting<S: AsyncRead + AsyncWrite + Unpin>(
    wire: &mut Wire<S>,
) -> Result<(), ConnectError> {
    let status = wire.read_status().await.map_err(|e| match e {
        WireError::Garbage => ConnectError::BadGreeting,
        other => other.into_connect(Step::Greeting),
    })?;
    match status.indicator {
        Indicator::Ok => Ok(()),
        Indicator::Err => Err(ConnectError::Bye),
        Indicator::More => Err(ConnectError::BadGreeting),
    }
}

/// Greeting, `CAPA`, `STLS`, in plaintext. Returns the stream positioned
/// right after the `+OK` to STLS, ready for the TLS handshake.
pub(super) async fn negotiate<S: AsyncRead + AsyncWrite + Unpin>(
    mut wire: Wire<S>,
) -> Result<S, ConnectError> {
    greeting(&mut wire).await?;
    // Only used to decide whether to go on, then thrown away.
    let capabilities = capability::query(&mut wire).await?;
    if !capabilities.has("STLS") {
        return Err(ConnectError::StartTlsUnavailable);
    }
    wire.write_all(b"STLS\r\n")
        .await
        .map_err(|e| e.into_connect(Step::Stls))?;
    let status = wire
        .read_status()
        .await
        .map_err(|e| e.into_connect(Step::Stls))?;
    if !status.is_ok() {
        return Err(ConnectError::StartTlsRefused);
    }
    // The server says nothing more until the handshake: anything already
    // here was planted to be read as if it came over TLS. Bytes arriving
    // later stay in the socket, where they fail the handshake.
    if wire
        .has_pending_bytes()
        .await
        .map_err(|e| e.into_connect(Step::Stls))?
    {
        return Err(ConnectError::StartTlsInjection);
    }
    Ok(wire.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, duplex};

    fn wire(stream: DuplexStream) -> Wire<DuplexStream> {
        Wire::new(stream, Duration::from_secs(5))
    }

    /// Runs the negotiation against a server that first writes `greeting`
    /// then answers CAPA and STLS with `capa` and `stls` (when asked);
    /// returns the result and everything the client sent.
    async fn negotiate_with(
        greeting: &'static [u8],
        capa: &'static [u8],
        stls: &'static [u8],
    ) -> (Result<(), ConnectError>, Vec<u8>) {
        let (client, mut server) = duplex(64 * 1024);
        let script = tokio::spawn(async move {
            let mut received = Vec::new();
            server.write_all(greeting).await.unwrap();
            for (command, reply) in [(&b"CAPA\r\n"[..], capa), (b"STLS\r\n", stls)] {
                let mut line = vec![0; command.len()];
                if server.read_exact(&mut line).await.is_err() {
                    return received;
                }
                received.extend_from_slice(&line);
                assert_eq!(line, command);
                server.write_all(reply).await.unwrap();
            }
            let _ = server.read_to_end(&mut received).await;
            received
        });
        // Dropping the client's stream ends the server's read_to_end.
        let result = negotiate(wire(client)).await.map(drop);
        (result, script.await.unwrap())
    }

    #[tokio::test]
    async fn err_greeting_or_garbage_gets_no_reply() {
        for (greeting, bye) in [
            (&b"-ERR go away\r\n"[..], true),
            (b"* OK IMAP4rev1\r\n", false),
            (b"\x16\x03\x01\x00\x05hello\r\n", false),
            (b"+OKAY\r\n", false),
        ] {
            let (client, mut server) = duplex(64 * 1024);
            server.write_all(greeting).await.unwrap();
            let err = greeting_then_drop(client).await;
            if bye {
                assert!(matches!(err, ConnectError::Bye), "{err:?}");
            } else {
                assert!(matches!(err, ConnectError::BadGreeting), "{err:?}");
            }
            let mut sent = Vec::new();
            server.read_to_end(&mut sent).await.unwrap();
            assert!(sent.is_empty(), "client wrote {sent:?}");
        }
    }

    #[tokio::test]
    async fn an_overlong_greeting_gets_no_reply() {
        let (client, mut server) = duplex(64 * 1024);
        server.write_all(&[b'+'; 10_000]).await.unwrap();
        let err = greeting_then_drop(client).await;
        assert!(
            matches!(
                err,
                ConnectError::LineTooLong {
                    step: Step::Greeting
                }
            ),
            "{err:?}"
        );
        let mut sent = Vec::new();
        server.read_to_end(&mut sent).await.unwrap();
        assert!(sent.is_empty());
    }

    async fn greeting_then_drop(client: DuplexStream) -> ConnectError {
        let mut wire = wire(client);
        greeting(&mut wire).await.unwrap_err()
    }

    #[tokio::test]
    async fn stls_is_negotiated_when_offered() {
        let (result, sent) = negotiate_with(
            b"+OK hi\r\n",
            b"+OK\r\nUSER\r\nSTLS\r\n.\r\n",
            b"+OK go\r\n",
        )
        .await;
        assert!(result.is_ok(), "{:?}", result.err());
        assert_eq!(sent, b"CAPA\r\nSTLS\r\n");
    }

    #[tokio::test]
    async fn stls_not_offered_stops_after_capa() {
        let (result, sent) =
            negotiate_with(b"+OK hi\r\n", b"+OK\r\nUSER\r\nTOP\r\n.\r\n", b"+OK\r\n").await;
        let err = result.unwrap_err();
        assert!(matches!(err, ConnectError::StartTlsUnavailable), "{err:?}");
        assert_eq!(sent, b"CAPA\r\n");

        // A server without CAPA offers no STLS either.
        let (result, sent) = negotiate_with(b"+OK hi\r\n", b"-ERR what\r\n", b"+OK\r\n").await;
        assert!(matches!(result, Err(ConnectError::StartTlsUnavailable)));
        assert_eq!(sent, b"CAPA\r\n");
    }

    #[tokio::test]
    async fn stls_refused_is_an_error_with_nothing_more_sent() {
        let (result, sent) =
            negotiate_with(b"+OK hi\r\n", b"+OK\r\nSTLS\r\n.\r\n", b"-ERR not now\r\n").await;
        let err = result.unwrap_err();
        assert!(matches!(err, ConnectError::StartTlsRefused), "{err:?}");
        assert_eq!(sent, b"CAPA\r\nSTLS\r\n");
    }

    #[tokio::test]
    async fn bytes_after_the_stls_ok_are_an_injection() {
        let (result, sent) = negotiate_with(
            b"+OK hi\r\n",
            b"+OK\r\nSTLS\r\n.\r\n",
            b"+OK begin TLS\r\n+OK\r\nSASL PLAIN\r\n.\r\n",
        )
        .await;
        let err = result.unwrap_err();
        assert!(matches!(err, ConnectError::StartTlsInjection), "{err:?}");
        assert_eq!(sent, b"CAPA\r\nSTLS\r\n");
    }

    #[tokio::test]
    async fn a_greeting_refusal_before_stls_sends_nothing() {
        let (result, sent) = negotiate_with(b"-ERR busy\r\n", b"", b"").await;
        assert!(matches!(result, Err(ConnectError::Bye)));
        assert!(sent.is_empty());
    }
}

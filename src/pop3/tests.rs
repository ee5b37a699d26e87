//! The client against scripted servers: transaction commands, and the
//! connection phase over loopback TCP.

use super::script::client_with;
use super::*;
use crate::error::Error;
use crate::mime::parse::MAX_MESSAGE_BYTES;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::test]
async fn retr_unstuffs_dots_and_keeps_crlf() {
    let (mut client, mut server) = client_with(b"UIDL\r\n").await;
    let script = tokio::spawn(async move {
        server.expect(b"RETR 1\r\n").await;
        server
            .send(b"+OK 40 octets\r\nSubject: dots\r\n\r\n..x\r\n..\r\nend.\r\n.\r\n")
            .await;
        server.expect(b"RETR 2\r\n").await;
        server.send(b"+OK\r\nSubject: lf\n\nbare\n..\n.\r\n").await;
        server
    });
    assert_eq!(
        client.retr(1).await.unwrap(),
        b"Subject: dots\r\n\r\n.x\r\n.\r\nend.\r\n"
    );
    assert_eq!(
        client.retr(2).await.unwrap(),
        b"Subject: lf\r\n\r\nbare\r\n.\r\n"
    );
    drop(script.await.unwrap());
}

#[tokio::test]
async fn stat_list_top_dele_rset_noop() {
    let (mut client, mut server) = client_with(b"TOP\r\n").await;
    let script = tokio::spawn(async move {
        for (command, reply) in [
            (&b"STAT\r\n"[..], &b"+OK 2 320\r\n"[..]),
            (b"LIST\r\n", b"+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"),
            (b"TOP 1 0\r\n", b"+OK\r\nSubject: a\r\n\r\n.\r\n"),
            (b"DELE 1\r\n", b"+OK marked\r\n"),
            (b"DELE 9\r\n", b"-ERR no such message\r\n"),
            (b"RSET\r\n", b"+OK\r\n"),
            (b"NOOP\r\n", b"+OK\r\n"),
        ] {
            server.expect(command).await;
            server.send(reply).await;
        }
        server
    });
    assert_eq!(client.stat().await.unwrap(), (2, 320));
    assert_eq!(client.list().await.unwrap(), [(1, 120), (2, 200)]);
    assert_eq!(client.top(1, 0).await.unwrap(), b"Subject: a\r\n\r\n");
    client.dele(1).await.unwrap();
    let err = client.dele(9).await.unwrap_err();
    assert!(
        matches!(&err, Error::ServerRefused { detail, .. } if detail == "no such message"),
        "{err:?}"
    );
    client.rset().await.unwrap();
    client.noop().await.unwrap();
    drop(script.await.unwrap());
}

#[tokio::test]
async fn uidl_parses_hostile_entries_and_err_means_unsupported() {
    let (mut client, mut server) = client_with(b"UIDL\r\n").await;
    let script = tokio::spawn(async move {
        server.expect(b"UIDL\r\n").await;
        let mut reply = b"+OK\r\n1 abc\r\n2 ../x\r\n3 \r\nx 1\r\n4 a b\r\n".to_vec();
        reply.extend_from_slice(format!("5 {}\r\n", "u".repeat(71)).as_bytes());
        reply.extend_from_slice(b"6 ..dot\r\n.\r\n");
        server.send(&reply).await;
        server.expect(b"UIDL\r\n").await;
        server.send(b"-ERR not supported\r\n").await;
        server
    });
    let uids = client.uidl().await.unwrap().unwrap();
    assert_eq!(
        uids,
        [
            (1, "abc".to_owned()),
            (2, "../x".to_owned()),
            (6, "..dot".to_owned())
        ]
    );
    assert_eq!(client.uidl().await.unwrap(), None);
    drop(script.await.unwrap());
}

#[tokio::test]
async fn an_oversized_message_is_too_large_and_ends_the_session() {
    let (mut client, mut server) = client_with(b"").await;
    assert_eq!(client.max_message, MAX_MESSAGE_BYTES);
    client.max_message = 1000;
    let script = tokio::spawn(async move {
        server.expect(b"RETR 1\r\n").await;
        server.send(b"+OK\r\n").await;
        for _ in 0..100 {
            server
                .send(b"0123456789012345678901234567890123456789\r\n")
                .await;
        }
        server.send(b".\r\n").await;
        server
    });
    let err = client.retr(1).await.unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit: 1000, .. }),
        "{err:?}"
    );
    let err = client.noop().await.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    drop(script.await.unwrap());
}

#[tokio::test]
async fn quit_is_ok_only_with_the_servers_ok() {
    let (client, mut server) = client_with(b"").await;
    let script = tokio::spawn(async move {
        server.expect(b"QUIT\r\n").await;
        server.send(b"+OK bye, 2 messages deleted\r\n").await;
        server.rest().await
    });
    client.quit().await.unwrap();
    assert_eq!(script.await.unwrap(), b"");

    let (client, mut server) = client_with(b"").await;
    let script = tokio::spawn(async move {
        server.expect(b"QUIT\r\n").await;
        server.hang_up();
    });
    let err = client.quit().await.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    script.await.unwrap();

    let (client, mut server) = client_with(b"").await;
    let script = tokio::spawn(async move {
        server.expect(b"QUIT\r\n").await;
        server
            .send(b"-ERR some deleted messages not removed\r\n")
            .await;
        server
    });
    let err = client.quit().await.unwrap_err();
    assert!(matches!(err, Error::ServerRefused { .. }), "{err:?}");
    drop(script.await.unwrap());
}

/// A loopback server that plays `greeting`, then answers each command in
/// `script` with its reply, and returns everything the client sent.
async fn loopback(
    greeting: &'static [u8],
    script: Vec<(&'static [u8], &'static [u8])>,
) -> (Endpoint, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut received = Vec::new();
        tcp.write_all(greeting).await.unwrap();
        for (command, reply) in script {
            let mut line = vec![0; command.len()];
            if tcp.read_exact(&mut line).await.is_err() {
                return received;
            }
            received.extend_from_slice(&line);
            tcp.write_all(reply).await.unwrap();
        }
        let _ = tcp.read_to_end(&mut received).await;
        received
    });
    let endpoint = Endpoint {
        host: "127.0.0.1".to_owned(),
        port,
        security: Security::Plain,
    };
    (endpoint, server)
}

fn unused_tls_config() -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    )
}

#[tokio::test]
async fn plain_connect_and_user_pass_login() {
    let (endpoint, server) = loopback(
        b"+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n",
        vec![
            (b"CAPA\r\n", b"-ERR unknown command\r\n"),
            (b"USER bob\r\n", b"+OK\r\n"),
            (b"PASS pw\r\n", b"+OK maildrop locked\r\n"),
            (b"CAPA\r\n", b"-ERR unknown command\r\n"),
            (b"QUIT\r\n", b"+OK\r\n"),
        ],
    )
    .await;
    let mut client = connect(&endpoint, unused_tls_config(), &Timeouts::default())
        .await
        .unwrap();
    assert!(client.capabilities().is_empty());
    assert_eq!(client.peer_certificate_sha256(), None);
    client.login("bob", "pw").await.unwrap();
    client.quit().await.unwrap();
    server.await.unwrap();
}

#[tokio::test]
async fn starttls_without_stls_never_sends_credentials() {
    let (mut endpoint, server) = loopback(
        b"+OK ready\r\n",
        vec![(b"CAPA\r\n", b"+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n")],
    )
    .await;
    endpoint.security = Security::StartTls;
    endpoint.host = "localhost".to_owned();
    let err = connect(&endpoint, unused_tls_config(), &Timeouts::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectError::StartTlsUnavailable), "{err:?}");
    assert_eq!(server.await.unwrap(), b"CAPA\r\n");
}

#[tokio::test]
async fn a_refused_greeting_over_tcp_gets_no_reply() {
    let (endpoint, server) = loopback(b"-ERR too many connections\r\n", vec![]).await;
    let err = connect(&endpoint, unused_tls_config(), &Timeouts::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectError::Bye), "{err:?}");
    assert_eq!(server.await.unwrap(), b"");
}

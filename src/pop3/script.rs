//! A scripted server on an in-memory pipe, for the tests.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, duplex};

use super::client::Client;
use crate::account::Security;

/// The server's end of the pipe.
pub(super) struct Server {
    stream: DuplexStream,
}

impl Server {
    /// Reads exactly `expected.len()` bytes and checks they are `expected`.
    pub(super) async fn expect(&mut self, expected: &[u8]) {
        let mut got = vec![0; expected.len()];
        self.stream.read_exact(&mut got).await.unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected)
        );
    }

    /// Reads one command line.
    pub(super) async fn line(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        while !line.ends_with(b"\n") {
            line.push(self.stream.read_u8().await.unwrap());
        }
        line
    }

    pub(super) async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    /// Everything the client writes until it closes its end.
    pub(super) async fn rest(mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        self.stream.read_to_end(&mut rest).await.unwrap();
        rest
    }

    /// Whether the client sent anything within `wait`.
    pub(super) async fn silent_for(&mut self, wait: Duration) -> bool {
        let mut byte = [0u8; 1];
        tokio::time::timeout(wait, self.stream.read(&mut byte))
            .await
            .is_err()
    }

    /// Closes the server's end.
    pub(super) fn hang_up(self) {
        drop(self.stream);
    }
}

/// A client past greeting and CAPA, the server having listed `capa`.
pub(super) async fn client_with(capa: &[u8]) -> (Client, Server) {
    let (client, server) = duplex(256 * 1024);
    let mut server = Server { stream: server };
    server.send(b"+OK POP3 ready\r\n+OK\r\n").await;
    server.send(capa).await;
    server.send(b".\r\n").await;
    let client = Client::start(
        Box::new(client),
        Security::Tls,
        Duration::from_secs(5),
        false,
        None,
    )
    .await
    .unwrap();
    server.expect(b"CAPA\r\n").await;
    (client, server)
}

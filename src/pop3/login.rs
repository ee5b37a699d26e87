//! Logging in: SASL PLAIN (RFC 5034) when offered, else USER/PASS.
//!
//! The credentials are checked before anything is sent, written once,
//! wiped from our buffers afterwards, and masked out of any server text
//! that ends up in an error.

use super::capability;
use super::client::Client;
use super::wire::{Indicator, Status};
use crate::account::Security;
use crate::imap::connect::{ConnectError, Step};

impl Client {
    /// Authenticates: `AUTH PLAIN` with an initial response when the
    /// server lists `SASL PLAIN`, else `USER` and `PASS`. Afterwards the
    /// capabilities are read again.
    ///
    /// Refuses, without sending anything, credentials with CR, LF or NUL
    /// (they could smuggle in commands). `-ERR` becomes
    /// [`ConnectError::AuthFailed`] with the server's text, the password
    /// masked should the server echo it.
    pub async fn login(&mut self, user: &str, password: &str) -> Result<(), ConnectError> {
        if [user, password]
            .iter()
            .any(|s| s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)))
        {
            return Err(ConnectError::InvalidCredentials);
        }
        if self.authenticated {
            return Err(ConnectError::AlreadyAuthenticated);
        }
        if self.desynced || !self.owed.is_empty() {
            return Err(ConnectError::Protocol {
                step: Step::Login,
                detail: "the connection is out of step with the server".to_owned(),
            });
        }
        if self.security == Security::Plain {
            tracing::warn!("sending POP3 credentials without TLS (account opted in)");
        }

        if self.capabilities.sasl("PLAIN") {
            self.auth_plain(user, password).await?;
        } else {
            self.user_pass(user, password).await?;
        }
        self.authenticated = true;

        self.desynced = true;
        let after_login = capability::query(&mut self.wire).await?;
        self.desynced = false;
        if !after_login.is_empty() {
            self.capabilities = after_login;
        }
        Ok(())
    }

    async fn auth_plain(&mut self, user: &str, password: &str) -> Result<(), ConnectError> {
        let mut message = Vec::with_capacity(user.len() + password.len() + 2);
        message.push(0);
        message.extend_from_slice(user.as_bytes());
        message.push(0);
        message.extend_from_slice(password.as_bytes());
        let mut encoded = crate::net::base64::encode(&message);
        wipe(&mut message);

        let mut command = b"AUTH PLAIN ".to_vec();
        command.extend_from_slice(&encoded);
        command.extend_from_slice(b"\r\n");
        let mut status = self.exchange(command).await;
        if matches!(&status, Ok(s) if s.indicator == Indicator::More) {
            // A server that wants the response on its own line after all.
            let mut response = encoded.clone();
            response.extend_from_slice(b"\r\n");
            status = self.exchange(response).await;
        }
        if matches!(&status, Ok(s) if s.indicator == Indicator::More) {
            // A second challenge makes no sense for PLAIN: cancel.
            status = self.exchange(b"*\r\n".to_vec()).await;
        }
        let masks = [password.as_bytes(), &encoded];
        let result = status.and_then(|s| accepted(s, &masks));
        wipe(&mut encoded);
        result
    }

    async fn user_pass(&mut self, user: &str, password: &str) -> Result<(), ConnectError> {
        let masks = [password.as_bytes()];
        let status = self
            .exchange(format!("USER {user}\r\n").into_bytes())
            .await?;
        accepted(status, &masks)?;
        let status = self
            .exchange(format!("PASS {password}\r\n").into_bytes())
            .await?;
        accepted(status, &masks)
    }

    /// Writes `command` (then wipes it: it may hold the password) and reads
    /// the status line.
    async fn exchange(&mut self, mut command: Vec<u8>) -> Result<Status, ConnectError> {
        self.desynced = true;
        let written = self.wire.write_all(&command).await;
        wipe(&mut command);
        written.map_err(|e| e.into_connect(Step::Login))?;
        let status = self
            .wire
            .read_status()
            .await
            .map_err(|e| e.into_connect(Step::Login))?;
        self.desynced = false;
        Ok(status)
    }
}

/// `+OK` passes; anything else is a failed login carrying the server's
/// text with every secret in `masks` blotted out.
fn accepted(status: Status, masks: &[&[u8]]) -> Result<(), ConnectError> {
    if status.is_ok() {
        return Ok(());
    }
    let mut detail = status.text;
    for mask in masks {
        if let Ok(secret) = std::str::from_utf8(mask)
            && !secret.is_empty()
        {
            detail = detail.replace(secret, "***");
        }
    }
    Err(ConnectError::AuthFailed { detail })
}

/// Best-effort overwrite of credential bytes before their memory is freed.
fn wipe(bytes: &mut Vec<u8>) {
    bytes.iter_mut().for_each(|b| *b = 0);
    std::hint::black_box(&bytes);
    bytes.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pop3::script::client_with;

    #[tokio::test]
    async fn auth_plain_when_offered() {
        let (mut client, mut server) = client_with(b"SASL PLAIN LOGIN\r\nUSER\r\n").await;
        let script = tokio::spawn(async move {
            // base64("\0alice\0s3cret")
            server.expect(b"AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n").await;
            server.send(b"+OK welcome\r\n").await;
            server.expect(b"CAPA\r\n").await;
            server.send(b"+OK\r\nPIPELINING\r\nUIDL\r\n.\r\n").await;
            server
        });
        client.login("alice", "s3cret").await.unwrap();
        assert!(client.capabilities().has("PIPELINING"));
        let err = client.login("alice", "s3cret").await.unwrap_err();
        assert!(matches!(err, ConnectError::AlreadyAuthenticated), "{err:?}");
        drop(script.await.unwrap());
    }

    #[tokio::test]
    async fn user_pass_otherwise_and_failures_mask_the_password() {
        let (mut client, mut server) = client_with(b"USER\r\nTOP\r\n").await;
        let script = tokio::spawn(async move {
            server.expect(b"USER alice\r\n").await;
            server.send(b"+OK\r\n").await;
            server.expect(b"PASS s3cret\r\n").await;
            server.send(b"-ERR [AUTH] bad password s3cret\r\n").await;
            server
        });
        let err = client.login("alice", "s3cret").await.unwrap_err();
        let ConnectError::AuthFailed { detail } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(detail, "[AUTH] bad password ***");
        assert!(!err.to_string().contains("s3cret"));
        drop(script.await.unwrap());
    }

    #[tokio::test]
    async fn line_breaks_in_credentials_are_refused_before_sending() {
        let (mut client, server) = client_with(b"SASL PLAIN\r\n").await;
        for (user, password) in [
            ("alice", "pw\r\nDELE 1"),
            ("alice", "pw\n"),
            ("alice\r", "pw"),
            ("alice", "p\0w"),
        ] {
            let err = client.login(user, password).await.unwrap_err();
            assert!(matches!(err, ConnectError::InvalidCredentials), "{err:?}");
        }
        drop(client);
        assert_eq!(server.rest().await, b"");
    }
}

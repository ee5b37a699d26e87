//! Trying an account's servers: each one connected to and logged in to,
//! both at once, each outcome kept apart, so the user reads which server
//! failed and why (a wrong password, a certificate, an unreachable host)
//! rather than one error for the pair.

use super::Service;
use crate::account::{Protocol, Server};
use crate::error::{Error, Result};
use crate::imap::connect::ConnectError;
use crate::model::AccountId;
use crate::net::tls::client_config_for;
use crate::{imap, pop3, smtp};

/// What trying each server gave.
#[derive(Debug)]
pub struct ServerTest {
    pub incoming: Result<()>,
    /// `None` for an account without an outgoing server.
    pub outgoing: Option<Result<()>>,
}

impl ServerTest {
    pub fn all_ok(&self) -> bool {
        self.incoming.is_ok() && self.outgoing.as_ref().is_none_or(Result::is_ok)
    }
}

impl Service {
    /// Try `account`'s servers with its password (given this session, or
    /// the keyring's). A refused password is forgotten, as at a sync.
    pub async fn test_account(&self, account: AccountId) -> Result<ServerTest> {
        let settings = self.account_settings(account).await?;
        let incoming = settings
            .incoming
            .ok_or(Error::InvalidSettings("incoming server"))?;
        let password = self.password(account).await?;
        let test = test_servers(&incoming, settings.outgoing.as_ref(), &password).await;
        let refused =
            |r: &Result<()>| matches!(r, Err(e) if e.kind() == crate::ErrorKind::Authentication);
        if refused(&test.incoming) {
            self.password_refused(account);
        }
        Ok(test)
    }
}

/// Try `incoming` and `outgoing` with `password`, at the same time.
pub async fn test_servers(
    incoming: &Server,
    outgoing: Option<&Server>,
    password: &str,
) -> ServerTest {
    let outgoing_test = async {
        match outgoing {
            Some(server) => Some(try_outgoing(server, password).await),
            None => None,
        }
    };
    let (incoming, outgoing) = tokio::join!(try_incoming(incoming, password), outgoing_test);
    ServerTest { incoming, outgoing }
}

async fn try_incoming(server: &Server, password: &str) -> Result<()> {
    match server.protocol {
        Protocol::Imap => {
            let mut endpoint =
                imap::connect::Endpoint::new(server.host.clone(), server.port, server.security);
            endpoint.trust = server.trust();
            let timeouts = imap::connect::Timeouts::default();
            let connection = imap::connect::connect(&endpoint, &timeouts).await?;
            let mut session = imap::connect::login(connection, &server.username, password).await?;
            // Logged in is the answer; a failed goodbye changes nothing.
            let _ = session.logout().await;
            Ok(())
        }
        Protocol::Pop3 => {
            let tls = client_config_for(&server.trust()).map_err(ConnectError::Tls)?;
            let endpoint = pop3::Endpoint {
                host: server.host.clone(),
                port: server.port,
                security: server.security,
            };
            let mut client = pop3::connect(&endpoint, tls, &pop3::Timeouts::default()).await?;
            client.login(&server.username, password).await?;
            let _ = client.quit().await;
            Ok(())
        }
        Protocol::Smtp => Err(Error::InvalidSettings("incoming server")),
    }
}

async fn try_outgoing(server: &Server, password: &str) -> Result<()> {
    let mut submission = smtp::connect(server, password, &smtp::Timeouts::default()).await?;
    let _ = submission.connection.quit().await;
    Ok(())
}

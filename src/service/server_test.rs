//! Trying an account's servers: each one connected to and logged in to,
//! both at once, each outcome kept apart, so the user reads which server
//! failed and why (a wrong password, a certificate, an unreachable host)
//! rather than one error for the pair.

use super::Service;
use crate::account::{Protocol, Server};
use crate::error::{Error, Result};
use crate::model::AccountId;
use crate::smtp;

/// What trying each server gave.
#[derive(Debug)]
pub struct ServerTest {
    pub incoming: Result<()>,
    /// `None` for an account without an outgoing server.
    pub outgoing: Option<Result<()>>,
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
    // Logged in is the answer; a failed goodbye changes nothing.
    match server.protocol {
        Protocol::Imap => {
            let mut session = super::login::imap_session(server, password).await?;
            let _ = session.logout().await;
        }
        Protocol::Pop3 => {
            let client = super::login::pop3_client(server, password).await?;
            let _ = client.quit().await;
        }
        Protocol::Smtp => return Err(Error::InvalidSettings("incoming server")),
    }
    Ok(())
}

async fn try_outgoing(server: &Server, password: &str) -> Result<()> {
    let mut submission = smtp::connect(server, password, &smtp::Timeouts::default()).await?;
    let _ = submission.connection.quit().await;
    Ok(())
}

//! Logging in to an incoming server from its settings: the one way a
//! sync, a folder change, a live connection and a server test open an
//! IMAP session or a POP3 client.

use crate::account::Server;
use crate::error::{Error, Result};
use crate::imap::connect::ConnectError;
use crate::net::tls::client_config_for;
use crate::{imap, pop3};

/// A logged-in IMAP session on `server`.
pub(super) async fn imap_session(
    server: &Server,
    password: &str,
) -> Result<imap::connect::Session> {
    let mut endpoint =
        imap::connect::Endpoint::new(server.host.clone(), server.port, server.security);
    endpoint.trust = server.trust();
    let timeouts = imap::connect::Timeouts::default();
    let connection = imap::connect::connect(&endpoint, &timeouts).await?;
    Ok(imap::connect::login(connection, &server.username, password).await?)
}

/// A logged-in POP3 client on `server`.
pub(super) async fn pop3_client(server: &Server, password: &str) -> Result<pop3::Client> {
    let tls = client_config_for(&server.trust()).map_err(|e| Error::from(ConnectError::Tls(e)))?;
    let endpoint = pop3::Endpoint {
        host: server.host.clone(),
        port: server.port,
        security: server.security,
    };
    let mut client = pop3::connect(&endpoint, tls, &pop3::Timeouts::default()).await?;
    client.login(&server.username, password).await?;
    Ok(client)
}

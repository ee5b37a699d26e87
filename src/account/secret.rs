//! Passwords in the OS keyring (the freedesktop Secret Service: GNOME
//! Keyring, KWallet, KeePassXC). Nothing else ever holds a password beyond
//! the session: not the store, not a settings file, not a log line.
//!
//! A password is filed under the service "poshta" and a user of the form
//! `imap://name@host:port`, so a keyring browser shows what it is for, and
//! two accounts that log in to the same server as the same user share it.
//! Calls block on D-Bus: run them off the async executor.

use crate::account::Server;
use crate::error::{Error, Result};
use keyring_core::{CredentialStore, Entry};
use std::sync::{Arc, OnceLock};

const SERVICE: &str = "poshta";

/// The keyring entry name of `server`'s password.
pub fn entry_name(server: &Server) -> String {
    format!(
        "{}://{}@{}:{}",
        server.protocol.as_str(),
        server.username,
        server.host,
        server.port
    )
}

/// The session's connection to the Secret Service, made on first use. A
/// desktop without one (or with D-Bus down) gets an error each time it is
/// asked: passwords are then asked for every session, never kept elsewhere.
fn store() -> Result<Arc<CredentialStore>> {
    static STORE: OnceLock<Arc<CredentialStore>> = OnceLock::new();
    if let Some(store) = STORE.get() {
        return Ok(store.clone());
    }
    let store: Arc<CredentialStore> =
        zbus_secret_service_keyring_store::Store::new().map_err(unavailable)?;
    Ok(STORE.get_or_init(|| store).clone())
}

fn entry(server: &Server) -> Result<Entry> {
    store()?
        .build(SERVICE, &entry_name(server), None)
        .map_err(unavailable)
}

/// The password kept for `server`, if any.
pub fn get(server: &Server) -> Result<Option<String>> {
    match entry(server)?.get_password() {
        Ok(password) => Ok(Some(password)),
        Err(keyring_core::Error::NoEntry) => Ok(None),
        Err(e) => Err(unavailable(e)),
    }
}

/// Keep `password` for `server`, replacing any kept before.
pub fn set(server: &Server, password: &str) -> Result<()> {
    entry(server)?.set_password(password).map_err(unavailable)
}

/// Forget the password kept for `server` (none kept is fine).
pub fn delete(server: &Server) -> Result<()> {
    match entry(server)?.delete_credential() {
        Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(e)),
    }
}

/// The keyring's errors name no secret; their text is kept for the log.
fn unavailable(e: keyring_core::Error) -> Error {
    Error::Keyring(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Protocol, Security};

    #[test]
    fn entries_are_named_after_the_login_they_open() {
        let server = Server {
            protocol: Protocol::Pop3,
            host: "mail.example.kz".into(),
            port: 995,
            security: Security::Tls,
            username: "aigerim".into(),
            extra_ca_pem: None,
            pinned_sha256: None,
        };
        assert_eq!(entry_name(&server), "pop3://aigerim@mail.example.kz:995");
    }
}

//! Server accounts and their settings.

use super::{Store, now};
use crate::account::{Direction, NewAccount, Protocol, Security, Server, Settings};
use crate::error::{Error, Result};
use crate::model::{AccountId, AccountKind};
use rusqlite::{OptionalExtension, Transaction, params};
use std::time::Duration;

/// The longest wait between checks for mail: a day.
pub const MAX_CHECK_SECONDS: u64 = 86_400;

impl Store {
    /// Add an account with its servers in one transaction.
    pub fn add_account(&mut self, new: &NewAccount) -> Result<AccountId> {
        let kind = match new.incoming.protocol {
            Protocol::Imap => AccountKind::Imap,
            Protocol::Pop3 => AccountKind::Pop3,
            Protocol::Smtp => return Err(Error::InvalidSettings("incoming server")),
        };
        if new
            .outgoing
            .as_ref()
            .is_some_and(|s| s.protocol != Protocol::Smtp)
        {
            return Err(Error::InvalidSettings("outgoing server"));
        }
        let tx = self.conn_mut().transaction()?;
        // New accounts go after existing ones but before Local Folders.
        tx.execute(
            "INSERT INTO account (kind, name, email, position, created_at)
             VALUES (?1, ?2, ?3,
                     (SELECT ifnull(max(position), 0) + 1 FROM account WHERE kind != 'local'),
                     ?4)",
            params![kind.as_str(), new.name, new.email, now()],
        )?;
        let id = AccountId(tx.last_insert_rowid());
        put_server(&tx, id, Direction::Incoming, &new.incoming)?;
        if let Some(out) = &new.outgoing {
            put_server(&tx, id, Direction::Outgoing, out)?;
        }
        // POP3 mail lives here only: its folders exist from the start.
        if kind == AccountKind::Pop3 {
            super::pop3::create_missing_folders(&tx, id)?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// How often `account` is checked for mail when the server cannot
    /// push it; `None`: the app's default.
    pub fn check_interval(&self, account: AccountId) -> Result<Option<Duration>> {
        let seconds: Option<u32> = self
            .conn()
            .query_row(
                "SELECT check_seconds FROM account WHERE id = ?1",
                [account.0],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(Error::NotFound { what: "account" })?;
        Ok(seconds.map(|s| Duration::from_secs(s.into())))
    }

    /// Set (or with `None` reset to the default) how often `account` is
    /// checked: from one second to a day.
    pub fn set_check_interval(
        &mut self,
        account: AccountId,
        every: Option<Duration>,
    ) -> Result<()> {
        let seconds = match every {
            Some(every) if (1..=MAX_CHECK_SECONDS).contains(&every.as_secs()) => {
                Some(every.as_secs())
            }
            Some(_) => return Err(Error::InvalidSettings("check interval")),
            None => None,
        };
        let changed = self.conn().execute(
            "UPDATE account SET check_seconds = ?2 WHERE id = ?1",
            params![account.0, seconds],
        )?;
        if changed == 0 {
            return Err(Error::NotFound { what: "account" });
        }
        Ok(())
    }

    /// Whether `account`'s server files sent mail in Sent by itself.
    pub fn server_files_sent(&self, account: AccountId) -> Result<bool> {
        self.conn()
            .query_row(
                "SELECT server_files_sent FROM account WHERE id = ?1",
                [account.0],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(Error::NotFound { what: "account" })
    }

    pub fn set_server_files_sent(&mut self, account: AccountId, files: bool) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE account SET server_files_sent = ?2 WHERE id = ?1",
            params![account.0, files],
        )?;
        if changed == 0 {
            return Err(Error::NotFound { what: "account" });
        }
        Ok(())
    }

    /// The largest message `account`'s submission server takes, if known.
    pub fn smtp_max_size(&self, account: AccountId) -> Result<Option<u64>> {
        let size: Option<i64> = self
            .conn()
            .query_row(
                "SELECT smtp_max_size FROM account WHERE id = ?1",
                [account.0],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(Error::NotFound { what: "account" })?;
        Ok(size.and_then(|n| u64::try_from(n).ok()))
    }

    pub fn set_smtp_max_size(&mut self, account: AccountId, size: Option<u64>) -> Result<()> {
        let size = size.and_then(|n| i64::try_from(n).ok());
        self.conn().execute(
            "UPDATE account SET smtp_max_size = ?2 WHERE id = ?1",
            params![account.0, size],
        )?;
        Ok(())
    }

    /// Where replies to `account`'s mail should go ('' for its address).
    pub fn reply_to(&self, account: AccountId) -> Result<String> {
        self.identity_text(account, Identity::ReplyTo)
    }

    pub fn set_reply_to(&mut self, account: AccountId, address: &str) -> Result<()> {
        self.set_identity_text(account, Identity::ReplyTo, address.trim())
    }

    /// The signature of mail from `account` ('' for none).
    pub fn signature(&self, account: AccountId) -> Result<String> {
        self.identity_text(account, Identity::Signature)
    }

    pub fn set_signature(&mut self, account: AccountId, signature: &str) -> Result<()> {
        self.set_identity_text(account, Identity::Signature, signature.trim_end())
    }

    fn identity_text(&self, account: AccountId, field: Identity) -> Result<String> {
        let sql = format!("SELECT {} FROM account WHERE id = ?1", field.column());
        self.conn()
            .query_row(&sql, [account.0], |r| r.get(0))
            .optional()?
            .ok_or(Error::NotFound { what: "account" })
    }

    fn set_identity_text(
        &mut self,
        account: AccountId,
        field: Identity,
        value: &str,
    ) -> Result<()> {
        let sql = format!("UPDATE account SET {} = ?2 WHERE id = ?1", field.column());
        let changed = self.conn().execute(&sql, params![account.0, value])?;
        if changed == 0 {
            return Err(Error::NotFound { what: "account" });
        }
        Ok(())
    }

    pub fn account_settings(&self, id: AccountId) -> Result<Settings> {
        let (name, email): (String, Option<String>) = self
            .conn()
            .query_row(
                "SELECT name, email FROM account WHERE id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(Error::NotFound { what: "account" })?;
        Ok(Settings {
            id,
            name,
            email,
            incoming: self.server(id, Direction::Incoming)?,
            outgoing: self.server(id, Direction::Outgoing)?,
        })
    }

    fn server(&self, id: AccountId, direction: Direction) -> Result<Option<Server>> {
        let row = self
            .conn()
            .query_row(
                "SELECT protocol, host, port, security, username, extra_ca_pem, pinned_sha256
                 FROM account_server WHERE account_id = ?1 AND direction = ?2",
                params![id.0, direction.as_str()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, u16>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<Vec<u8>>>(5)?,
                        r.get::<_, Option<Vec<u8>>>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((protocol, host, port, security, username, extra_ca_pem, pin)) = row else {
            return Ok(None);
        };
        Ok(Some(Server {
            protocol: Protocol::parse(&protocol).ok_or(Error::InvalidSettings("protocol"))?,
            host,
            port,
            security: Security::parse(&security).ok_or(Error::InvalidSettings("security"))?,
            username,
            extra_ca_pem,
            pinned_sha256: pin.and_then(|p| p.try_into().ok()),
        }))
    }

    /// Accept exactly the certificate whose SHA-256 is `pin` on `account`'s
    /// incoming or outgoing server, in place of chain validation; `None`
    /// goes back to validating against the system roots (and its extra
    /// CA). The pin holds for the server as it is now: replacing it with
    /// another protocol, host or port drops the pin (see `put_server`).
    pub fn pin_certificate(
        &mut self,
        account: AccountId,
        direction: Direction,
        pin: Option<[u8; 32]>,
    ) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE account_server SET pinned_sha256 = ?3
             WHERE account_id = ?1 AND direction = ?2",
            params![account.0, direction.as_str(), pin.map(|p| p.to_vec())],
        )?;
        if changed == 0 {
            return Err(Error::NotFound { what: "server" });
        }
        Ok(())
    }

    /// Receive `account`'s mail over another incoming server, keeping all
    /// its local mail. To POP3: every folder becomes local (server names,
    /// UIDs and queued server changes dropped; the caller has downloaded
    /// every body first) and the POP3 folders are made where missing. To
    /// IMAP: the first folder sync gives each local folder the server
    /// folder with its role or name, and its messages their UIDs by
    /// Message-ID (see `remote::sync_folder_list`). A pin of the old server
    /// is kept only if the protocol, host and port stay the same.
    pub fn switch_incoming(&mut self, account: AccountId, incoming: &Server) -> Result<()> {
        let kind = match incoming.protocol {
            Protocol::Imap => AccountKind::Imap,
            Protocol::Pop3 => AccountKind::Pop3,
            Protocol::Smtp => return Err(Error::InvalidSettings("incoming server")),
        };
        if account == super::folders::LOCAL_ACCOUNT {
            return Err(Error::ProtectedAccount);
        }
        let tx = self.conn_mut().transaction()?;
        let changed = tx.execute(
            "UPDATE account SET kind = ?2 WHERE id = ?1",
            params![account.0, kind.as_str()],
        )?;
        if changed == 0 {
            return Err(Error::NotFound { what: "account" });
        }
        put_server(&tx, account, Direction::Incoming, incoming)?;
        if kind == AccountKind::Pop3 {
            tx.execute(
                "UPDATE message SET uid = NULL
                 WHERE folder_id IN (SELECT id FROM folder WHERE account_id = ?1)",
                [account.0],
            )?;
            tx.execute(
                "UPDATE folder SET remote_name = NULL, delimiter = NULL, uidvalidity = NULL,
                        uidnext = NULL, highestmodseq = NULL, subscribed = 1
                 WHERE account_id = ?1",
                [account.0],
            )?;
            tx.execute("DELETE FROM pending_op WHERE account_id = ?1", [account.0])?;
            super::pop3::create_missing_folders(&tx, account)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Remove an account and, through the foreign keys, all its local mail.
    pub fn remove_account(&mut self, id: AccountId) -> Result<()> {
        if id == super::folders::LOCAL_ACCOUNT {
            return Err(Error::ProtectedAccount);
        }
        let n = self
            .conn()
            .execute("DELETE FROM account WHERE id = ?1", [id.0])?;
        if n == 0 {
            return Err(Error::NotFound { what: "account" });
        }
        Ok(())
    }
}

/// Store `direction`'s server of `id`, adding or replacing it.
///
/// A pin is a decision about one certificate seen at one protocol, host and
/// port. When an existing server is replaced by one that differs in any of
/// them, the pin is dropped whatever `s` carries (typically the old
/// settings with the host edited), so the new server's certificate is
/// verified, and shown to the user if it fails, before anyone trusts it.
pub(super) fn put_server(
    tx: &Transaction<'_>,
    id: AccountId,
    direction: Direction,
    s: &Server,
) -> Result<()> {
    if s.host.trim().is_empty() || s.port == 0 || s.host.chars().any(char::is_control) {
        return Err(Error::InvalidSettings("server"));
    }
    // In DO UPDATE the bare column names are the stored row's values and
    // `excluded.` the new ones. Host names compare without case, as DNS
    // does.
    tx.execute(
        "INSERT INTO account_server
             (account_id, direction, protocol, host, port, security, username, extra_ca_pem, pinned_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (account_id, direction) DO UPDATE SET
             protocol = excluded.protocol,
             host = excluded.host,
             port = excluded.port,
             security = excluded.security,
             username = excluded.username,
             extra_ca_pem = excluded.extra_ca_pem,
             pinned_sha256 = CASE
                 WHEN protocol = excluded.protocol AND lower(host) = lower(excluded.host)
                      AND port = excluded.port
                 THEN excluded.pinned_sha256
             END",
        params![
            id.0,
            direction.as_str(),
            s.protocol.as_str(),
            s.host.trim(),
            s.port,
            s.security.as_str(),
            s.username,
            s.extra_ca_pem,
            s.pinned_sha256.map(|p| p.to_vec()),
        ],
    )?;
    Ok(())
}

/// The text fields of an account's identity (a fixed set of columns).
#[derive(Clone, Copy)]
enum Identity {
    ReplyTo,
    Signature,
}

impl Identity {
    fn column(self) -> &'static str {
        match self {
            Identity::ReplyTo => "reply_to",
            Identity::Signature => "signature",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(protocol: Protocol, host: &str, port: u16) -> Server {
        Server {
            protocol,
            host: host.into(),
            port,
            security: Security::Tls,
            username: "me".into(),
            extra_ca_pem: None,
            pinned_sha256: None,
        }
    }

    fn store_with_account(outgoing: Option<Server>) -> (tempfile::TempDir, Store, AccountId) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let account = store
            .add_account(&NewAccount {
                name: "A".into(),
                email: "me@example.test".into(),
                incoming: server(Protocol::Imap, "mail.example.test", 993),
                outgoing,
            })
            .unwrap();
        (dir, store, account)
    }

    fn pins(store: &Store, account: AccountId) -> (Option<[u8; 32]>, Option<[u8; 32]>) {
        let settings = store.account_settings(account).unwrap();
        (
            settings.incoming.and_then(|s| s.pinned_sha256),
            settings.outgoing.and_then(|s| s.pinned_sha256),
        )
    }

    #[test]
    fn each_server_has_its_own_pin_and_none_removes_it() {
        let smtp = server(Protocol::Smtp, "mail.example.test", 465);
        let (_dir, mut store, account) = store_with_account(Some(smtp));
        store
            .pin_certificate(account, Direction::Incoming, Some([1; 32]))
            .unwrap();
        assert_eq!(pins(&store, account), (Some([1; 32]), None));
        store
            .pin_certificate(account, Direction::Outgoing, Some([2; 32]))
            .unwrap();
        assert_eq!(pins(&store, account), (Some([1; 32]), Some([2; 32])));
        store
            .pin_certificate(account, Direction::Incoming, None)
            .unwrap();
        assert_eq!(pins(&store, account), (None, Some([2; 32])));
        // The rest of the server is untouched.
        let settings = store.account_settings(account).unwrap();
        assert_eq!(
            settings.outgoing.map(|s| (s.host, s.port)),
            Some(("mail.example.test".to_owned(), 465))
        );
    }

    #[test]
    fn a_missing_server_or_account_cannot_be_pinned() {
        let (_dir, mut store, account) = store_with_account(None);
        for (account, direction) in [
            (account, Direction::Outgoing),
            (AccountId(account.0 + 1), Direction::Incoming),
        ] {
            let err = store
                .pin_certificate(account, direction, Some([1; 32]))
                .unwrap_err();
            assert!(matches!(err, Error::NotFound { what: "server" }), "{err:?}");
        }
    }

    #[test]
    fn a_pin_survives_an_edit_only_on_the_same_protocol_host_and_port() {
        let (_dir, mut store, account) = store_with_account(None);
        let pin = Some([7; 32]);
        store
            .pin_certificate(account, Direction::Incoming, pin)
            .unwrap();
        // Another user name and security on the same server: still pinned.
        let mut same = store.account_settings(account).unwrap().incoming.unwrap();
        same.username = "someone".into();
        same.security = Security::StartTls;
        store.switch_incoming(account, &same).unwrap();
        assert_eq!(pins(&store, account).0, pin);

        // The old settings with one of protocol, host or port changed: the
        // carried-over pin is dropped.
        let edits: [fn(&mut Server); 3] = [
            |s| s.host = "other.example.test".into(),
            |s| s.port = 994,
            |s| s.protocol = Protocol::Pop3,
        ];
        for edit in edits {
            let mut edited = store.account_settings(account).unwrap().incoming.unwrap();
            store
                .pin_certificate(account, Direction::Incoming, pin)
                .unwrap();
            edited.pinned_sha256 = pin;
            edit(&mut edited);
            store.switch_incoming(account, &edited).unwrap();
            let stored = store.account_settings(account).unwrap().incoming.unwrap();
            assert_eq!(stored.pinned_sha256, None, "{stored:?}");
            assert_eq!(
                (stored.protocol, stored.host, stored.port),
                (edited.protocol, edited.host, edited.port)
            );
        }
    }

    #[test]
    fn a_new_account_keeps_the_pins_it_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let mut incoming = server(Protocol::Imap, "mail.example.test", 993);
        incoming.pinned_sha256 = Some([3; 32]);
        let account = store
            .add_account(&NewAccount {
                name: "A".into(),
                email: "me@example.test".into(),
                incoming,
                outgoing: Some(server(Protocol::Smtp, "smtp.example.test", 465)),
            })
            .unwrap();
        assert_eq!(pins(&store, account), (Some([3; 32]), None));
    }
}

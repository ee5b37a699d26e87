//! Server accounts and their settings.

use super::{Store, now};
use crate::account::{NewAccount, Protocol, Security, Server, Settings};
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
        put_server(&tx, id, "incoming", &new.incoming)?;
        if let Some(out) = &new.outgoing {
            put_server(&tx, id, "outgoing", out)?;
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
            incoming: self.server(id, "incoming")?,
            outgoing: self.server(id, "outgoing")?,
        })
    }

    fn server(&self, id: AccountId, direction: &str) -> Result<Option<Server>> {
        let row = self
            .conn()
            .query_row(
                "SELECT protocol, host, port, security, username, extra_ca_pem, pinned_sha256
                 FROM account_server WHERE account_id = ?1 AND direction = ?2",
                params![id.0, direction],
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

    /// Receive `account`'s mail over another incoming server, keeping all
    /// its local mail. To POP3: every folder becomes local (server names,
    /// UIDs and queued server changes dropped; the caller has downloaded
    /// every body first) and the POP3 folders are made where missing. To
    /// IMAP: the first folder sync gives each local folder the server
    /// folder with its role or name, and its messages their UIDs by
    /// Message-ID (see `remote::sync_folder_list`).
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
        put_server(&tx, account, "incoming", incoming)?;
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

pub(super) fn put_server(
    tx: &Transaction<'_>,
    id: AccountId,
    direction: &str,
    s: &Server,
) -> Result<()> {
    if s.host.trim().is_empty() || s.port == 0 || s.host.chars().any(char::is_control) {
        return Err(Error::InvalidSettings("server"));
    }
    tx.execute(
        "INSERT OR REPLACE INTO account_server
             (account_id, direction, protocol, host, port, security, username, extra_ca_pem, pinned_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id.0,
            direction,
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

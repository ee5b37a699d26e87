//! POP3 accounts in the store: their local folders, the download policy,
//! and the key (UIDL, else Message-ID and size) of every message
//! downloaded, committed with the message itself.

use super::{Store, now};
use crate::error::{Error, Result};
use crate::mime::parse::Parsed;
use crate::model::{AccountId, Flags, FolderId, MessageId, Role};
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::HashSet;

/// What happens on the server to mail once it is stored here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// Leave it there (the default: other devices still see it).
    #[default]
    Leave,
    /// Delete it this many days after it was downloaded.
    AfterDays(u32),
    /// Delete it once it is deleted here for good (emptied from Trash).
    WhenDeletedHere,
    /// Delete it right after it is safely stored here.
    AtOnce,
}

/// The folders a POP3 account keeps locally, with their roles.
pub const FOLDERS: [(&str, Role); 5] = [
    ("Inbox", Role::Inbox),
    ("Drafts", Role::Drafts),
    ("Sent", Role::Sent),
    ("Trash", Role::Trash),
    ("Junk", Role::Junk),
];

/// One message as downloaded, ready to be committed with its key.
pub struct Downloaded<'a> {
    pub key: &'a str,
    pub raw: &'a [u8],
    /// Its header (see `parse::parse_header`); the index pass reads the
    /// rest.
    pub parsed: &'a Parsed,
}

/// The POP3 folders whose role no folder of `account` has (all of them
/// for a new account; after a switch from IMAP, those the server lacked).
/// A top-level folder of that name takes the role; else one is made.
pub(crate) fn create_missing_folders(tx: &Transaction<'_>, account: AccountId) -> Result<()> {
    for (position, (name, role)) in FOLDERS.iter().enumerate() {
        let has_role: bool = tx
            .query_row(
                "SELECT 1 FROM folder WHERE account_id = ?1 AND role = ?2",
                params![account.0, role.as_str()],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if has_role {
            continue;
        }
        let named = tx.execute(
            "UPDATE folder SET role = ?3
             WHERE account_id = ?1 AND parent_id IS NULL AND name = ?2",
            params![account.0, name, role.as_str()],
        )?;
        if named == 0 {
            tx.execute(
                "INSERT INTO folder (account_id, name, role, position) VALUES (?1, ?2, ?3, ?4)",
                params![account.0, name, role.as_str(), position as i64],
            )?;
        }
    }
    Ok(())
}

impl Store {
    pub fn pop3_policy(&self, account: AccountId) -> Result<Policy> {
        let (policy, days): (String, u32) = self
            .conn()
            .query_row(
                "SELECT pop3_policy, pop3_days FROM account WHERE id = ?1",
                [account.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(Error::NotFound { what: "account" })?;
        Ok(match policy.as_str() {
            "after_days" => Policy::AfterDays(days),
            "when_deleted" => Policy::WhenDeletedHere,
            "at_once" => Policy::AtOnce,
            _ => Policy::Leave,
        })
    }

    pub fn set_pop3_policy(&mut self, account: AccountId, policy: Policy) -> Result<()> {
        let (name, days) = match policy {
            Policy::Leave => ("leave", None),
            Policy::AfterDays(days) => ("after_days", Some(days)),
            Policy::WhenDeletedHere => ("when_deleted", None),
            Policy::AtOnce => ("at_once", None),
        };
        let changed = self.conn().execute(
            "UPDATE account SET pop3_policy = ?2, pop3_days = ifnull(?3, pop3_days)
             WHERE id = ?1 AND kind = 'pop3'",
            params![account.0, name, days],
        )?;
        if changed == 0 {
            return Err(Error::NotFound {
                what: "POP3 account",
            });
        }
        Ok(())
    }

    /// The keys of every message downloaded for `account` and still
    /// remembered.
    pub fn pop3_keys(&self, account: AccountId) -> Result<HashSet<String>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT key FROM pop3_seen WHERE account_id = ?1")?;
        let keys = stmt.query_map([account.0], |r| r.get(0))?;
        Ok(keys.collect::<rusqlite::Result<_>>()?)
    }

    /// Store downloaded messages in `inbox`, each with its key, in one
    /// transaction: committed together, or not at all. A key already known
    /// stores nothing, nor does a message the Inbox has already (same
    /// Message-ID and size). Returns the ids of the new rows.
    pub fn store_pop3_messages(
        &mut self,
        account: AccountId,
        inbox: FolderId,
        messages: &[Downloaded<'_>],
    ) -> Result<Vec<MessageId>> {
        let tx = self.conn_mut().transaction()?;
        let mut stored = Vec::with_capacity(messages.len());
        for m in messages {
            let known: bool = tx
                .prepare_cached("SELECT 1 FROM pop3_seen WHERE account_id = ?1 AND key = ?2")?
                .query_row(params![account.0, m.key], |_| Ok(()))
                .optional()?
                .is_some();
            if known {
                continue;
            }
            // Already here under another key (the account received over
            // IMAP before): the key joins that message instead, and gives
            // it its body if it had only its header.
            let existing: Option<(i64, String)> = match &m.parsed.message_id {
                Some(message_id) => tx
                    .prepare_cached(
                        // Named: see `messages::contains`.
                        "SELECT id, body_state FROM message INDEXED BY message_message_id
                         WHERE folder_id = ?1 AND message_id = ?2 AND size = ?3",
                    )?
                    .query_row(params![inbox.0, message_id, m.raw.len() as i64], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?,
                None => None,
            };
            let id = match existing {
                Some((id, body_state)) => {
                    let id = MessageId(id);
                    if body_state != "complete" {
                        // `parsed` is the header only: the body's text and
                        // preview need the full parse (rare: mail that was
                        // first seen over IMAP).
                        let full = crate::mime::parse::parse(m.raw).ok();
                        super::bodies::put_body(&tx, id, m.raw, full.as_ref())?;
                    }
                    id
                }
                None => {
                    let msg = super::messages::NewMessage {
                        raw: m.raw,
                        parsed: m.parsed,
                        flags: Flags::default(),
                        fallback_date: now(),
                    };
                    let id = super::messages::insert_deferred(&tx, inbox, &msg)?;
                    stored.push(id);
                    id
                }
            };
            tx.prepare_cached(
                "INSERT INTO pop3_seen (account_id, key, message_id, downloaded_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![account.0, m.key, id.0, now()])?;
        }
        tx.commit()?;
        Ok(stored)
    }

    /// Which of the messages now on the server (`on_server`: their keys)
    /// `policy` says to delete there. Only keys committed here qualify.
    pub fn pop3_due_for_deletion(
        &self,
        account: AccountId,
        policy: Policy,
        on_server: &HashSet<String>,
    ) -> Result<Vec<String>> {
        let (name, cutoff) = match policy {
            Policy::Leave => return Ok(Vec::new()),
            Policy::AtOnce => ("at_once", 0),
            Policy::WhenDeletedHere => ("when_deleted", 0),
            Policy::AfterDays(days) => ("after_days", now() - i64::from(days) * 86_400),
        };
        let mut stmt = self.conn().prepare_cached(
            "SELECT key FROM pop3_seen WHERE account_id = ?1 AND CASE ?2
                 WHEN 'at_once' THEN 1
                 WHEN 'when_deleted' THEN message_id IS NULL
                 WHEN 'after_days' THEN downloaded_at <= ?3
                 ELSE 0 END",
        )?;
        let keys = stmt.query_map(params![account.0, name, cutoff], |r| r.get::<_, String>(0))?;
        let mut due = Vec::new();
        for key in keys {
            let key = key?;
            if on_server.contains(&key) {
                due.push(key);
            }
        }
        Ok(due)
    }

    /// Forget the keys of `account` no longer on the server (deleted there,
    /// by us or anyone): `on_server` must be a complete listing. Returns
    /// the keys still known.
    pub fn pop3_forget_gone(
        &mut self,
        account: AccountId,
        on_server: &HashSet<String>,
    ) -> Result<HashSet<String>> {
        let (kept, gone): (HashSet<String>, HashSet<String>) = self
            .pop3_keys(account)?
            .into_iter()
            .partition(|key| on_server.contains(key));
        let tx = self.conn_mut().transaction()?;
        for key in &gone {
            tx.prepare_cached("DELETE FROM pop3_seen WHERE account_id = ?1 AND key = ?2")?
                .execute(params![account.0, key])?;
        }
        tx.commit()?;
        Ok(kept)
    }

    /// Whether anything was ever downloaded for `account` (and is still
    /// remembered): a first check brings the whole mailbox, not news.
    pub fn pop3_has_downloaded(&self, account: AccountId) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM pop3_seen WHERE account_id = ?1 LIMIT 1",
                [account.0],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
}

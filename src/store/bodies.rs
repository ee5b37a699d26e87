//! Bodies kept for offline reading and full-text search: which server
//! messages still lack a whole body, storing fetched bodies a batch per
//! transaction, and the per-account "download bodies" setting.

use super::Store;
use crate::error::{Error, Result};
use crate::mime::parse::Parsed;
use crate::model::{AccountId, FolderId, MessageId};
use rusqlite::{OptionalExtension, Transaction, params};

/// A server message whose body is not here (or only partly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingBody {
    pub id: MessageId,
    pub uid: u32,
    /// RFC822.SIZE as the server announced it.
    pub size: u64,
}

/// A body as it came off the wire, with what was parsed from it (`None`
/// when it could not be parsed: it is kept, just not indexed).
pub struct FetchedBody<'a> {
    pub id: MessageId,
    pub raw: &'a [u8],
    pub parsed: Option<&'a Parsed>,
}

impl Store {
    /// Whether `account` keeps every body for offline use.
    pub fn offline_bodies(&self, account: AccountId) -> Result<bool> {
        self.conn()
            .query_row(
                "SELECT offline_bodies FROM account WHERE id = ?1",
                [account.0],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(Error::NotFound { what: "account" })
    }

    pub fn set_offline_bodies(&mut self, account: AccountId, on: bool) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE account SET offline_bodies = ?2 WHERE id = ?1",
            params![account.0, on],
        )?;
        if changed == 0 {
            return Err(Error::NotFound { what: "account" });
        }
        Ok(())
    }

    /// The account's server folders, INBOX first, then in list order.
    pub fn remote_folders(&self, account: AccountId) -> Result<Vec<(FolderId, String)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, remote_name FROM folder
             WHERE account_id = ?1 AND remote_name IS NOT NULL
             ORDER BY upper(remote_name) != 'INBOX', position, id",
        )?;
        let rows = stmt.query_map([account.0], |r| Ok((FolderId(r.get(0)?), r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Messages of `folder` that came from the server and have no whole
    /// body yet, newest (highest UID) first.
    pub fn missing_bodies(&self, folder: FolderId) -> Result<Vec<MissingBody>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, uid, size FROM message
             WHERE folder_id = ?1 AND uid IS NOT NULL AND body_state != 'complete'
             ORDER BY uid DESC",
        )?;
        let rows = stmt.query_map([folder.0], |r| {
            Ok(MissingBody {
                id: MessageId(r.get(0)?),
                uid: r.get(1)?,
                size: r.get::<_, i64>(2)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Store fetched bodies in one transaction. Each is complete only if it
    /// has the announced size (see [`put_body`]); messages deleted in the
    /// meantime are skipped. Returns how many were stored complete.
    pub fn store_bodies(&mut self, bodies: &[FetchedBody<'_>]) -> Result<usize> {
        let tx = self.conn_mut().transaction()?;
        let mut complete = 0;
        for b in bodies {
            if put_body(&tx, b.id, b.raw, b.parsed)? == Some(true) {
                complete += 1;
            }
        }
        tx.commit()?;
        Ok(complete)
    }
}

/// Store one fetched body inside the caller's transaction. Only a body of
/// at least the announced size is complete, kept and indexed; a short one
/// (a transfer cut off) only marks the message 'partial', to be fetched
/// again. `None` if the message no longer exists.
pub(crate) fn put_body(
    tx: &Transaction<'_>,
    id: MessageId,
    raw: &[u8],
    parsed: Option<&Parsed>,
) -> Result<Option<bool>> {
    let Some(expected) = tx
        .prepare_cached("SELECT size FROM message WHERE id = ?1")?
        .query_row([id.0], |r| r.get::<_, i64>(0))
        .optional()?
    else {
        return Ok(None);
    };
    let complete = raw.len() as i64 >= expected;
    if complete {
        tx.prepare_cached("INSERT OR REPLACE INTO message_body (message_id, raw) VALUES (?1, ?2)")?
            .execute(params![id.0, raw])?;
        if let Some(p) = parsed {
            super::messages::index(tx, id, p, &p.body)?;
            tx.prepare_cached(
                "UPDATE message SET preview = ?2, has_attachments = ?3, body_state = 'complete'
                 WHERE id = ?1",
            )?
            .execute(params![id.0, p.preview, !p.attachments.is_empty()])?;
            return Ok(Some(true));
        }
    }
    tx.prepare_cached("UPDATE message SET body_state = ?2 WHERE id = ?1")?
        .execute(params![id.0, if complete { "complete" } else { "partial" }])?;
    Ok(Some(complete))
}

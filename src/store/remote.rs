//! What the sync engine keeps of a server's folders and messages: the
//! folder list keyed by the server's own names, per-folder sync state, and
//! messages keyed by UID.

use super::{Store, now};
use crate::error::{Error, Result};
use crate::mime::parse::Parsed;
use crate::model::{AccountId, Flags, FolderId, MessageId, Role};
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::HashMap;

/// A folder as the server lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFolder {
    /// The server's name, byte for byte (modified UTF-7 on IMAP).
    pub remote_name: String,
    pub delimiter: Option<String>,
    /// The decoded hierarchy, e.g. ["Archive", "2026"].
    pub path: Vec<String>,
    pub role: Option<Role>,
}

/// Per-folder sync state (RFC 3501 UIDVALIDITY/UIDNEXT, RFC 7162 MODSEQ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncState {
    pub uidvalidity: Option<u32>,
    pub uidnext: Option<u32>,
    pub highestmodseq: Option<u64>,
}

/// A message's headers as fetched, before any body.
pub struct RemoteHeader<'a> {
    pub uid: u32,
    pub flags: Flags,
    pub size: u64,
    pub internal_date: i64,
    pub parsed: &'a Parsed,
    /// Known from the structure without the body (multipart/mixed etc.).
    pub has_attachments: bool,
}

impl Store {
    /// Make the account's folders match the server's list: add new ones,
    /// keep ids (and so messages) of known ones, drop the vanished.
    /// Returns `(folder id, remote name)` for every listed folder.
    pub fn sync_folder_list(
        &mut self,
        account: AccountId,
        listed: &[RemoteFolder],
    ) -> Result<Vec<(FolderId, String)>> {
        let tx = self.conn_mut().transaction()?;
        let mut known: HashMap<String, i64> = HashMap::new();
        {
            let mut stmt = tx.prepare(
                "SELECT remote_name, id FROM folder WHERE account_id = ?1 AND remote_name IS NOT NULL",
            )?;
            for row in stmt.query_map([account.0], |r| Ok((r.get(0)?, r.get(1)?)))? {
                let (name, id) = row?;
                known.insert(name, id);
            }
        }
        // Folders kept only here (a POP3 account switched to IMAP): a
        // listed folder takes over the one with its role, else its name,
        // with its mail (whose rows then get UIDs by Message-ID).
        let mut local: Vec<(i64, Option<i64>, String, Option<String>)> = {
            let mut stmt = tx.prepare(
                "SELECT id, parent_id, name, role FROM folder
                 WHERE account_id = ?1 AND remote_name IS NULL",
            )?;
            stmt.query_map([account.0], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        // Parents before children, so each child finds its parent's id.
        let mut order: Vec<&RemoteFolder> = listed.iter().collect();
        order.sort_by_key(|f| f.path.len());
        let mut by_path: HashMap<Vec<String>, i64> = HashMap::new();
        let mut result = Vec::with_capacity(order.len());
        // Roles the user gave folders that stay (listed, or kept only
        // here) stay with them; the server's flags place the others.
        let chosen = kept_choices(&tx, account, listed)?;
        let mut taken_roles: Vec<Role> = chosen.values().copied().collect();
        tx.execute(
            "UPDATE folder SET role = NULL, role_chosen = 0 WHERE account_id = ?1",
            [account.0],
        )?;
        for f in order {
            let name = f
                .path
                .last()
                .cloned()
                .unwrap_or_else(|| f.remote_name.clone());
            let parent = f
                .path
                .len()
                .checked_sub(1)
                .and_then(|n| by_path.get(&f.path[..n]).copied());
            // One folder per role; a second claimant stays a plain folder.
            let role = match known.get(&f.remote_name).and_then(|id| chosen.get(id)) {
                Some(&mine) => Some(mine),
                None => f.role.filter(|r| !taken_roles.contains(r)),
            };
            if let Some(r) = role
                && !taken_roles.contains(&r)
            {
                taken_roles.push(r);
            }
            let adopted = local
                .iter()
                .position(|(_, p, n, r)| match (role, r) {
                    (Some(role), Some(r)) => r == role.as_str(),
                    _ => *p == parent && n.eq_ignore_ascii_case(&name),
                })
                .map(|i| local.swap_remove(i).0);
            if let Some(id) = adopted {
                tx.execute(
                    "UPDATE folder SET remote_name = ?2 WHERE id = ?1",
                    params![id, f.remote_name],
                )?;
            }
            let id = match adopted.or_else(|| known.remove(&f.remote_name)) {
                Some(id) => {
                    tx.execute(
                        "UPDATE folder SET name = ?2, parent_id = ?3, delimiter = ?4, role = ?5 WHERE id = ?1",
                        params![id, name, parent, f.delimiter, role.map(Role::as_str)],
                    )?;
                    id
                }
                None => {
                    tx.execute(
                        "INSERT INTO folder (account_id, parent_id, name, remote_name, delimiter, role)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![account.0, parent, name, f.remote_name, f.delimiter, role.map(Role::as_str)],
                    )?;
                    tx.last_insert_rowid()
                }
            };
            by_path.insert(f.path.clone(), id);
            result.push((FolderId(id), f.remote_name.clone()));
        }
        for (_, id) in known {
            tx.execute("DELETE FROM folder WHERE id = ?1", [id])?;
        }
        // Chosen roles back on their folders: those listed got theirs
        // above, those kept only here (or adopted by a listed one) now.
        let mut restore =
            tx.prepare("UPDATE folder SET role = ?2, role_chosen = 1 WHERE id = ?1")?;
        for (id, role) in &chosen {
            restore.execute(params![id, role.as_str()])?;
        }
        drop(restore);
        tx.commit()?;
        Ok(result)
    }

    pub fn sync_state(&self, folder: FolderId) -> Result<SyncState> {
        Ok(self.conn().query_row(
            "SELECT uidvalidity, uidnext, highestmodseq FROM folder WHERE id = ?1",
            [folder.0],
            |r| {
                Ok(SyncState {
                    uidvalidity: r.get(0)?,
                    uidnext: r.get(1)?,
                    highestmodseq: r.get::<_, Option<i64>>(2)?.map(|v| v as u64),
                })
            },
        )?)
    }

    pub fn set_sync_state(&mut self, folder: FolderId, state: SyncState) -> Result<()> {
        self.conn().execute(
            "UPDATE folder SET uidvalidity = ?2, uidnext = ?3, highestmodseq = ?4 WHERE id = ?1",
            params![
                folder.0,
                state.uidvalidity,
                state.uidnext,
                state.highestmodseq.map(|v| v as i64)
            ],
        )?;
        Ok(())
    }

    /// UIDVALIDITY changed: every cached UID of the folder is meaningless.
    /// Drop the folder's messages and its sync state in one step.
    pub fn reset_folder(&mut self, folder: FolderId, uidvalidity: u32) -> Result<usize> {
        let tx = self.conn_mut().transaction()?;
        let dropped = tx.execute("DELETE FROM message WHERE folder_id = ?1", [folder.0])?;
        tx.execute(
            "UPDATE folder SET uidvalidity = ?2, uidnext = NULL, highestmodseq = NULL WHERE id = ?1",
            params![folder.0, uidvalidity],
        )?;
        tx.commit()?;
        Ok(dropped)
    }

    /// UID → (message id, flags) of every message known in `folder`.
    pub fn uid_map(&self, folder: FolderId) -> Result<HashMap<u32, (MessageId, Flags)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT uid, id, flags FROM message WHERE folder_id = ?1 AND uid IS NOT NULL",
        )?;
        let rows = stmt.query_map([folder.0], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                (MessageId(r.get(1)?), Flags(r.get(2)?)),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Apply the server's flags and expunges in one transaction.
    pub fn apply_remote_changes(
        &mut self,
        folder: FolderId,
        flags: &[(u32, Flags)],
        expunged: &[u32],
    ) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        {
            let mut set = tx.prepare_cached(
                "UPDATE message SET flags = ?3 WHERE folder_id = ?1 AND uid = ?2 AND flags != ?3",
            )?;
            for (uid, f) in flags {
                set.execute(params![folder.0, uid, f.0])?;
            }
            let mut del =
                tx.prepare_cached("DELETE FROM message WHERE folder_id = ?1 AND uid = ?2")?;
            for uid in expunged {
                del.execute(params![folder.0, uid])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The folder and UID a message was synced from, if it came from a server.
    pub fn remote_location(&self, id: MessageId) -> Result<Option<(FolderId, String, u32)>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT f.id, f.remote_name, m.uid FROM message m JOIN folder f ON f.id = m.folder_id
                 WHERE m.id = ?1 AND m.uid IS NOT NULL AND f.remote_name IS NOT NULL",
                [id.0],
                |r| Ok((FolderId(r.get(0)?), r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Store a fetched body. Only a body of the announced size is complete;
    /// a short one is kept as partial and fetched again later.
    pub fn store_body(
        &mut self,
        id: MessageId,
        raw: &[u8],
        parsed: Option<&Parsed>,
    ) -> Result<bool> {
        let tx = self.conn_mut().transaction()?;
        let complete = super::bodies::put_body(&tx, id, raw, parsed)?
            .ok_or(Error::NotFound { what: "message" })?;
        tx.commit()?;
        Ok(complete)
    }

    /// Whether `folder` has rows still waiting for their server UID.
    pub fn has_waiting_rows(&self, folder: FolderId) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM message WHERE folder_id = ?1 AND uid IS NULL LIMIT 1",
                [folder.0],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    pub fn has_body(&self, id: MessageId) -> Result<bool> {
        body_is_here(self.conn(), id)
    }
}

/// The roles the user chose for `account`'s folders (see
/// `Store::set_special_folder`) whose folder outlasts a sync to `listed`:
/// folder id to role.
fn kept_choices(
    tx: &Transaction<'_>,
    account: AccountId,
    listed: &[RemoteFolder],
) -> Result<HashMap<i64, Role>> {
    let mut stmt = tx.prepare(
        "SELECT id, remote_name, role FROM folder
         WHERE account_id = ?1 AND role_chosen = 1 AND role IS NOT NULL",
    )?;
    let rows = stmt.query_map([account.0], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut kept = HashMap::new();
    for row in rows {
        let (id, remote_name, role) = row?;
        let stays = remote_name.is_none_or(|name| listed.iter().any(|f| f.remote_name == name));
        if let Some(role) = Role::parse(&role).filter(|_| stays) {
            kept.insert(id, role);
        }
    }
    Ok(kept)
}

/// Whether message `id`'s whole body is in the store (false if no such
/// message); inside a transaction too.
pub(super) fn body_is_here(conn: &rusqlite::Connection, id: MessageId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT body_state = 'complete' FROM message WHERE id = ?1")?
        .query_row([id.0], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

/// Insert a message known by its headers only (no body yet). A UID that is
/// already here keeps its row and its index; only its flags are taken.
pub fn insert_header(
    tx: &Transaction<'_>,
    folder: FolderId,
    h: &RemoteHeader<'_>,
) -> Result<MessageId> {
    Ok(insert_headers(tx, folder, std::slice::from_ref(h))?[0])
}

/// What [`insert_headers`] computes for a row before binding it.
struct Computed {
    thread_key: Option<String>,
    date: i64,
    size: i64,
    thread_id: i64,
    sender_key: String,
    subject_key: String,
}

/// Rows per INSERT statement in [`insert_headers`].
const ROWS_PER_INSERT: usize = 100;

/// [`insert_header`] for a batch, ids in the same order. Rows go in a
/// hundred per statement: each statement keeps a journal of the pages it
/// changes (the triggers make it), so one per row would copy every touched
/// page of the table and its indexes again for each message. All rows go
/// in before any full-text entry: FTS5 writes its pending terms out as a
/// new index segment whenever a later statement opens such a journal, so
/// interleaving them would cost one tiny segment, and merging, per message.
pub fn insert_headers(
    tx: &Transaction<'_>,
    folder: FolderId,
    headers: &[RemoteHeader<'_>],
) -> Result<Vec<MessageId>> {
    let received_at = now();
    let account = super::thread::account_of(tx, folder)?;
    let mut batch = super::thread::Batch::default();
    let mut inserted: HashMap<u32, i64> = HashMap::with_capacity(headers.len());
    for chunk in headers.chunks(ROWS_PER_INSERT) {
        // Values computed per row, borrowed by the parameter list below.
        let mut computed: Vec<Computed> = Vec::with_capacity(chunk.len());
        for h in chunk {
            let date = h.parsed.date.unwrap_or(h.internal_date);
            let links = super::thread::Links::of(h.parsed, date);
            let thread_id = super::thread::assign(tx, account, &links, &mut batch)?;
            computed.push(Computed {
                thread_key: h.parsed.thread_key(),
                date,
                size: h.size as i64,
                thread_id,
                sender_key: super::thread::sender_key(&h.parsed.from_name, &h.parsed.from_addr),
                subject_key: links.subject_key,
            });
        }
        if batch.merged {
            // A later row merged a thread an earlier one was given.
            for c in &mut computed {
                c.thread_id = super::thread::resolve(tx, c.thread_id)?;
            }
        }
        let mut values: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(chunk.len() * 18);
        for (h, c) in chunk.iter().zip(&computed) {
            let p = h.parsed;
            values.extend_from_slice(&[
                &folder.0,
                &h.uid,
                &p.message_id,
                &p.in_reply_to,
                &c.thread_key,
                &p.subject,
                &p.from_name,
                &p.from_addr,
                &p.to,
                &p.cc,
                &c.date,
                &received_at,
                &c.size,
                &h.flags.0,
                &h.has_attachments,
                &c.thread_id,
                &c.sender_key,
                &c.subject_key,
            ]);
        }
        let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 'none', ?, ?, ?)";
        let sql = format!(
            "INSERT INTO message (folder_id, uid, message_id, in_reply_to, thread_key, subject,
                 from_name, from_addr, to_list, cc_list, date, received_at, size, flags,
                 has_attachments, preview, body_state, thread_id, sender_key, subject_key)
             VALUES {}
             ON CONFLICT (folder_id, uid) WHERE uid IS NOT NULL DO NOTHING
             RETURNING uid, id",
            vec![row; chunk.len()].join(", ")
        );
        let mut stmt = tx.prepare_cached(&sql)?;
        let mut rows = stmt.query(values.as_slice())?;
        while let Some(r) = rows.next()? {
            inserted.insert(r.get(0)?, r.get(1)?);
        }
    }
    // Known already: only its flags can be news; its index stays.
    let mut known = tx.prepare_cached(
        "UPDATE message SET flags = ?3 WHERE folder_id = ?1 AND uid = ?2 RETURNING id",
    )?;
    let mut ids = Vec::with_capacity(headers.len());
    let mut new = Vec::with_capacity(inserted.len());
    for h in headers {
        let id = match inserted.remove(&h.uid) {
            Some(id) => {
                new.push(MessageId(id));
                id
            }
            None => known.query_row(params![folder.0, h.uid, h.flags.0], |r| r.get(0))?,
        };
        ids.push(MessageId(id));
    }
    // Their full-text rows come after the list is in (see search_index).
    super::search_index::queue(tx, &new)?;
    Ok(ids)
}

/// A fetched header that is a message moved or copied here locally (a
/// row without UID and with the same Message-ID): that row takes the UID
/// and the server's flags instead of a duplicate being inserted.
pub fn adopt_waiting(
    tx: &Transaction<'_>,
    folder: FolderId,
    uid: u32,
    flags: Flags,
    parsed: &Parsed,
) -> Result<bool> {
    let Some(message_id) = &parsed.message_id else {
        return Ok(false);
    };
    let adopted = tx
        .prepare_cached(
            "UPDATE message SET uid = ?3, flags = ?4 WHERE id = (
                 SELECT id FROM message WHERE folder_id = ?1 AND uid IS NULL AND message_id = ?2
                 ORDER BY id LIMIT 1)",
        )?
        .execute(params![folder.0, message_id, uid, flags.0])?;
    Ok(adopted > 0)
}

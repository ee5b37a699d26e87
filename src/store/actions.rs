//! What the user does to messages: move, copy, delete, expunge, empty a
//! folder, mark a folder read. Each applies here at once (the window
//! never waits for a server) and, for server folders, queues the same
//! change in the same transaction, to be replayed when online.

use super::Store;
use super::ops::{self, Item, Op};
use crate::error::{Error, Result};
use crate::mime::parse::{self, Parsed};
use crate::model::{AccountId, Flags, FolderId, MessageId, Role};
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::BTreeMap;

/// How to put moved messages back where they were.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Undo {
    /// Each moved message and the folder it came from.
    pub restore: Vec<(MessageId, FolderId)>,
}

impl Undo {
    pub fn is_empty(&self) -> bool {
        self.restore.is_empty()
    }
}

/// What [`Store::delete_messages`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deleted {
    /// Messages moved to their account's Trash; undoable.
    pub to_trash: Undo,
    /// Messages deleted for good (they were in Trash, or there is none).
    pub expunged: usize,
}

/// Where a message is: its folder, account, UID, and whether the folder
/// lives on a server (then with the UIDVALIDITY its UIDs belong to).
struct Location {
    folder: FolderId,
    account: AccountId,
    uid: Option<u32>,
    remote: bool,
    uidvalidity: Option<u32>,
}

fn locate(tx: &Transaction<'_>, id: MessageId) -> Result<Option<Location>> {
    Ok(tx
        .prepare_cached(
            "SELECT m.folder_id, f.account_id, m.uid, f.remote_name IS NOT NULL, f.uidvalidity
             FROM message m JOIN folder f ON f.id = m.folder_id WHERE m.id = ?1",
        )?
        .query_row([id.0], |r| {
            Ok(Location {
                folder: FolderId(r.get(0)?),
                account: AccountId(r.get(1)?),
                uid: r.get(2)?,
                remote: r.get(3)?,
                uidvalidity: r.get(4)?,
            })
        })
        .optional()?)
}

/// Where messages are moved or copied to.
#[derive(Clone, Copy)]
struct Target {
    account: AccountId,
    /// A server folder (IMAP), not one kept only here.
    remote: bool,
}

fn target(conn: &rusqlite::Connection, dest: FolderId) -> Result<Target> {
    conn.prepare_cached("SELECT account_id, remote_name IS NOT NULL FROM folder WHERE id = ?1")?
        .query_row([dest.0], |r| {
            Ok(Target {
                account: AccountId(r.get(0)?),
                remote: r.get(1)?,
            })
        })
        .optional()?
        .ok_or(Error::NotFound { what: "folder" })
}

impl Target {
    /// Whether a message at `at` goes to another account. Between folders
    /// kept here the row just changes folder. To a server folder of
    /// another account it is uploaded (`Op::Append`), and from one it is
    /// deleted there once moved: both need the whole message here first,
    /// else [`Error::CrossAccount`] (the service downloads it beforehand).
    fn crosses(self, tx: &Transaction<'_>, at: &Location, id: MessageId) -> Result<bool> {
        if at.account == self.account {
            return Ok(false);
        }
        if (at.remote || self.remote) && !super::remote::body_is_here(tx, id)? {
            return Err(Error::CrossAccount);
        }
        Ok(true)
    }
}

/// Messages to upload into a server folder of another account.
struct Uploads {
    target: Target,
    dest: FolderId,
    messages: Vec<MessageId>,
}

impl Uploads {
    fn new(target: Target, dest: FolderId) -> Self {
        Self {
            target,
            dest,
            messages: Vec::new(),
        }
    }

    fn add(&mut self, message: MessageId) {
        if self.target.remote {
            self.messages.push(message);
        }
    }

    fn queue(self, tx: &Transaction<'_>) -> Result<()> {
        if self.messages.is_empty() {
            return Ok(());
        }
        let op = Op::Append {
            messages: self.messages,
        };
        ops::queue(tx, self.target.account, self.dest, &op)
    }
}

/// Operations to queue, one per source folder (and its UIDVALIDITY).
#[derive(Default)]
struct Outgoing(BTreeMap<(AccountId, FolderId, u32), Vec<Item>>);

impl Outgoing {
    fn add(&mut self, at: &Location, message: MessageId) {
        if at.remote {
            // 0: the folder was never synced, so the UID is not known yet
            // either; an earlier queued move will fill it in.
            let key = (at.account, at.folder, at.uidvalidity.unwrap_or(0));
            self.0.entry(key).or_default().push(Item {
                message,
                uid: at.uid,
            });
        }
    }

    fn queue(self, tx: &Transaction<'_>, op: impl Fn(u32, Vec<Item>) -> Op) -> Result<()> {
        for ((account, folder, uidvalidity), items) in self.0 {
            ops::queue(tx, account, folder, &op(uidvalidity, items))?;
        }
        Ok(())
    }
}

impl Store {
    /// Move messages into `dest`, in this account or another (see
    /// [`Target::crosses`]). Messages already there are left alone.
    pub fn move_messages(&mut self, ids: &[MessageId], dest: FolderId) -> Result<Undo> {
        let target = target(self.conn(), dest)?;
        let tx = self.conn_mut().transaction()?;
        let undo = move_in(&tx, ids, dest, target)?;
        tx.commit()?;
        Ok(undo)
    }

    /// Copy messages into `dest`, in this account or another. Returns the
    /// new messages.
    pub fn copy_messages(&mut self, ids: &[MessageId], dest: FolderId) -> Result<Vec<MessageId>> {
        let target = target(self.conn(), dest)?;
        let tx = self.conn_mut().transaction()?;
        let mut outgoing = Outgoing::default();
        let mut uploads = Uploads::new(target, dest);
        let mut copies = Vec::with_capacity(ids.len());
        for &id in ids {
            let Some(at) = locate(&tx, id)? else { continue };
            let crosses = target.crosses(&tx, &at, id)?;
            let copy = copy_row(&tx, id, dest)?;
            if at.account != target.account {
                // Conversations are per account.
                super::thread::rethread(&tx, copy)?;
            }
            if crosses {
                uploads.add(copy);
            } else {
                // The copy's row is what the server's new UID will belong to.
                outgoing.add(&at, copy);
            }
            copies.push(copy);
        }
        outgoing.queue(&tx, |uidvalidity, items| Op::Copy {
            uidvalidity,
            dest,
            items,
        })?;
        uploads.queue(&tx)?;
        tx.commit()?;
        Ok(copies)
    }

    /// Delete messages for good, here and (queued) on their server.
    pub fn expunge_messages(&mut self, ids: &[MessageId]) -> Result<usize> {
        let tx = self.conn_mut().transaction()?;
        let removed = expunge_in(&tx, ids)?;
        tx.commit()?;
        Ok(removed)
    }

    /// Delete as users expect: to the account's Trash, or for good when
    /// the message is already in the Trash (or a folder inside it) or the
    /// account has none.
    pub fn delete_messages(&mut self, ids: &[MessageId]) -> Result<Deleted> {
        let mut by_account: BTreeMap<AccountId, (Vec<MessageId>, Vec<MessageId>)> = BTreeMap::new();
        let mut trash_of: BTreeMap<AccountId, Option<(FolderId, Vec<FolderId>)>> = BTreeMap::new();
        for &id in ids {
            let folder = self.message_summary(id)?.folder_id;
            let account = self.folder(folder)?.account_id;
            if let std::collections::btree_map::Entry::Vacant(slot) = trash_of.entry(account) {
                slot.insert(match self.folder_by_role(account, Role::Trash) {
                    Ok(t) => Some((t.id, self.subtree(t.id)?)),
                    Err(Error::NotFound { .. }) => None,
                    Err(e) => return Err(e),
                });
            }
            let (to_trash, for_good) = by_account.entry(account).or_default();
            match &trash_of[&account] {
                Some((_, inside)) if !inside.contains(&folder) => to_trash.push(id),
                _ => for_good.push(id),
            }
        }
        let tx = self.conn_mut().transaction()?;
        let mut deleted = Deleted::default();
        for (account, (to_trash, for_good)) in by_account {
            if let Some((trash, _)) = &trash_of[&account] {
                // The account's own Trash: never across accounts.
                let target = Target {
                    account,
                    remote: true,
                };
                let undo = move_in(&tx, &to_trash, *trash, target)?;
                deleted.to_trash.restore.extend(undo.restore);
            }
            deleted.expunged += expunge_in(&tx, &for_good)?;
        }
        tx.commit()?;
        Ok(deleted)
    }

    /// Delete every message of `folder` for good ("Empty Trash").
    pub fn empty_folder(&mut self, folder: FolderId) -> Result<usize> {
        let ids = self.message_ids(folder, None)?;
        self.expunge_messages(&ids)
    }

    /// Mark every message of `folder` read.
    pub fn mark_folder_read(&mut self, folder: FolderId) -> Result<usize> {
        let unread = self.message_ids(folder, Some(false))?;
        self.set_flag(&unread, Flags::SEEN, true)
    }

    /// Put moved messages back (those whose folder still exists).
    pub fn undo(&mut self, undo: &Undo) -> Result<usize> {
        let mut by_folder: BTreeMap<FolderId, Vec<MessageId>> = BTreeMap::new();
        for &(message, folder) in &undo.restore {
            by_folder.entry(folder).or_default().push(message);
        }
        let mut restored = 0;
        for (folder, ids) in by_folder {
            match self.move_messages(&ids, folder) {
                Ok(moved) => restored += moved.restore.len(),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(restored)
    }

    /// Ids of the messages in `folder`; with `seen`, only read or unread.
    fn message_ids(&self, folder: FolderId, seen: Option<bool>) -> Result<Vec<MessageId>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id FROM message WHERE folder_id = ?1
               AND (?2 IS NULL OR (flags & 1 != 0) = ?2) ORDER BY id",
        )?;
        let rows = stmt.query_map(params![folder.0, seen], |r| Ok(MessageId(r.get(0)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn move_in(
    tx: &Transaction<'_>,
    ids: &[MessageId],
    dest: FolderId,
    target: Target,
) -> Result<Undo> {
    let mut outgoing = Outgoing::default();
    // Moved to another account: deleted from their server folder...
    let mut leaving = Outgoing::default();
    // ...and uploaded to the destination's server.
    let mut uploads = Uploads::new(target, dest);
    let mut undo = Undo::default();
    for &id in ids {
        let Some(at) = locate(tx, id)? else { continue };
        if at.folder == dest {
            continue;
        }
        let crosses = target.crosses(tx, &at, id)?;
        // The UID in `dest` is the server's to give; until then none.
        tx.prepare_cached("UPDATE message SET folder_id = ?2, uid = NULL WHERE id = ?1")?
            .execute(params![id.0, dest.0])?;
        if at.account != target.account {
            // Conversations are per account.
            super::thread::rethread(tx, id)?;
        }
        if crosses {
            leaving.add(&at, id);
            uploads.add(id);
        } else {
            outgoing.add(&at, id);
        }
        undo.restore.push((id, at.folder));
    }
    outgoing.queue(tx, |uidvalidity, items| Op::Move {
        uidvalidity,
        dest,
        items,
    })?;
    // Committed here with the row, so the server's copy goes only after
    // the whole message is in this store.
    leaving.queue(tx, |uidvalidity, items| Op::Expunge { uidvalidity, items })?;
    uploads.queue(tx)?;
    Ok(undo)
}

pub(super) fn expunge_in(tx: &Transaction<'_>, ids: &[MessageId]) -> Result<usize> {
    let mut outgoing = Outgoing::default();
    let mut removed = 0;
    for &id in ids {
        let Some(at) = locate(tx, id)? else { continue };
        removed += tx
            .prepare_cached("DELETE FROM message WHERE id = ?1")?
            .execute([id.0])?;
        outgoing.add(&at, id);
    }
    outgoing.queue(tx, |uidvalidity, items| Op::Expunge { uidvalidity, items })?;
    Ok(removed)
}

/// A copy of message `id` in `dest`: envelope, body (if here) and
/// attachments list, with no UID until the server gives one.
fn copy_row(tx: &Transaction<'_>, id: MessageId, dest: FolderId) -> Result<MessageId> {
    tx.prepare_cached(
        "INSERT INTO message (folder_id, uid, message_id, in_reply_to, thread_key, subject,
             from_name, from_addr, to_list, cc_list, date, received_at, size, flags,
             has_attachments, preview, body_state, thread_id, sender_key, subject_key)
         SELECT ?2, NULL, message_id, in_reply_to, thread_key, subject, from_name, from_addr,
             to_list, cc_list, date, received_at, size, flags, has_attachments, preview, body_state,
             thread_id, sender_key, subject_key
         FROM message WHERE id = ?1",
    )?
    .execute(params![id.0, dest.0])?;
    let copy = MessageId(tx.last_insert_rowid());
    tx.prepare_cached(
        "INSERT INTO message_body (message_id, raw) SELECT ?2, raw FROM message_body WHERE message_id = ?1",
    )?
    .execute(params![id.0, copy.0])?;
    tx.prepare_cached(
        "INSERT INTO attachment (message_id, position, filename, mime_type, size)
         SELECT ?2, position, filename, mime_type, size FROM attachment WHERE message_id = ?1",
    )?
    .execute(params![id.0, copy.0])?;
    index_copy(tx, id, copy)?;
    Ok(copy)
}

/// The full-text index is contentless, so a copy is indexed afresh: from
/// its body when that is here, else from the envelope.
fn index_copy(tx: &Transaction<'_>, from: MessageId, copy: MessageId) -> Result<()> {
    let raw: Option<Vec<u8>> = tx
        .prepare_cached("SELECT raw FROM message_body WHERE message_id = ?1")?
        .query_row([from.0], |r| r.get(0))
        .optional()?;
    if let Some(parsed) = raw.and_then(|raw| parse::parse(&raw).ok()) {
        return super::messages::index(tx, copy, &parsed, &parsed.body);
    }
    let parsed = tx
        .prepare_cached(
            "SELECT subject, from_name, from_addr, to_list, cc_list FROM message WHERE id = ?1",
        )?
        .query_row([copy.0], |r| {
            Ok(Parsed {
                subject: r.get(0)?,
                from_name: r.get(1)?,
                from_addr: r.get(2)?,
                to: r.get(3)?,
                cc: r.get(4)?,
                ..Parsed::default()
            })
        })?;
    super::messages::index(tx, copy, &parsed, "")
}

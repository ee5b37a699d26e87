//! Messages: insertion in batches, the paged list, bodies, flags, search.

use super::list::{SUMMARY_COLUMNS, summary_from_row};
use super::thread::{self, Batch, Links};
use super::{Store, now};
use crate::error::{Error, Result};
use crate::mime::parse::Parsed;
use crate::model::{Flags, FolderId, MessageId, MessageSummary};
use rusqlite::{OptionalExtension, Transaction, params};

/// A message ready to be stored: its raw bytes and what was parsed from them.
pub struct NewMessage<'a> {
    pub raw: &'a [u8],
    pub parsed: &'a Parsed,
    pub flags: Flags,
    /// Used when the message has no usable Date header.
    pub fallback_date: i64,
}

/// Insert one message inside a caller's transaction, so a batch of them
/// commits (or vanishes) as a whole.
pub fn insert(tx: &Transaction<'_>, folder: FolderId, msg: &NewMessage<'_>) -> Result<MessageId> {
    let id = insert_row(tx, folder, msg)?;
    index(tx, id, msg.parsed, &msg.parsed.body)?;
    Ok(id)
}

/// The row, its body and its attachments.
fn insert_row(tx: &Transaction<'_>, folder: FolderId, msg: &NewMessage<'_>) -> Result<MessageId> {
    let p = msg.parsed;
    let date = p.date.unwrap_or(msg.fallback_date);
    let links = Links::of(p, date);
    let account = thread::account_of(tx, folder)?;
    let thread_id = thread::assign(tx, account, &links, &mut Batch::default())?;
    tx.prepare_cached(
        "INSERT INTO message (folder_id, message_id, in_reply_to, thread_key, subject,
             from_name, from_addr, to_list, cc_list, date, received_at, size, flags,
             has_attachments, preview, body_state, thread_id, sender_key, subject_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'complete',
             ?16, ?17, ?18)",
    )?
    .execute(params![
        folder.0,
        p.message_id,
        p.in_reply_to,
        p.thread_key(),
        p.subject,
        p.from_name,
        p.from_addr,
        p.to,
        p.cc,
        date,
        now(),
        msg.raw.len() as i64,
        msg.flags.0,
        !p.attachments.is_empty(),
        p.preview,
        thread_id,
        thread::sender_key(&p.from_name, &p.from_addr),
        links.subject_key,
    ])?;
    let id = MessageId(tx.last_insert_rowid());
    tx.prepare_cached("INSERT INTO message_body (message_id, raw) VALUES (?1, ?2)")?
        .execute(params![id.0, msg.raw])?;
    put_attachments(tx, id, p)?;
    Ok(id)
}

/// A row per attachment `p` lists, for a message that has none yet.
pub(crate) fn put_attachments(tx: &Transaction<'_>, id: MessageId, p: &Parsed) -> Result<()> {
    let mut attach = tx.prepare_cached(
        "INSERT INTO attachment (message_id, position, filename, mime_type, size)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (pos, a) in p.attachments.iter().enumerate() {
        attach.execute(params![
            id.0,
            pos as i64,
            a.filename,
            a.mime_type,
            a.size as i64
        ])?;
    }
    Ok(())
}

/// [`insert`] without the full-text row: queued for the catch-up after
/// the run (see `search_index`), so a download is not held up by FTS5
/// tokenising every body (a third of a POP3 download's time).
pub fn insert_deferred(
    tx: &Transaction<'_>,
    folder: FolderId,
    msg: &NewMessage<'_>,
) -> Result<MessageId> {
    let id = insert_row(tx, folder, msg)?;
    super::search_index::queue(tx, &[id])?;
    Ok(id)
}

/// (Re)write a message's full-text row: `body` is empty until the body is
/// known. The one place that decides what is searchable.
pub(crate) fn index(tx: &Transaction<'_>, id: MessageId, p: &Parsed, body: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM message_fts WHERE rowid = ?1")?
        .execute([id.0])?;
    // Written now: no longer waiting for the header catch-up.
    super::search_index::unqueue(tx, id)?;
    index_new(tx, id, p, body)
}

/// [`index`] for a message that has no full-text row yet (just inserted).
pub(crate) fn index_new(tx: &Transaction<'_>, id: MessageId, p: &Parsed, body: &str) -> Result<()> {
    let attachments = attachment_names(p);
    let fields = Searchable {
        subject: &p.subject,
        from_name: &p.from_name,
        from_addr: &p.from_addr,
        to: &p.to,
        cc: &p.cc,
        attachments: &attachments,
    };
    index_fields(tx, id, &fields, body)
}

/// The names of a parsed message's attachments, as one searchable text.
pub(crate) fn attachment_names(p: &Parsed) -> String {
    let names: Vec<&str> = p
        .attachments
        .iter()
        .filter_map(|a| a.filename.as_deref())
        .collect();
    names.join(" ")
}

/// The envelope text a message is found by, and its attachments' names
/// (known once its body is here).
pub(crate) struct Searchable<'a> {
    pub subject: &'a str,
    pub from_name: &'a str,
    pub from_addr: &'a str,
    pub to: &'a str,
    pub cc: &'a str,
    pub attachments: &'a str,
}

/// Every full-text row is written here: CJK text is segmented (see
/// `search::fts`) the same way queries are.
pub(crate) fn index_fields(
    tx: &Transaction<'_>,
    id: MessageId,
    f: &Searchable<'_>,
    body: &str,
) -> Result<()> {
    use crate::search::fts::segment;
    let sender = format!("{} {}", f.from_name, f.from_addr);
    let recipients = format!("{} {}", f.to, f.cc);
    tx.prepare_cached(
        "INSERT INTO message_fts (rowid, subject, sender, recipients, body, attachments)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id.0,
        segment(f.subject),
        segment(&sender),
        segment(&recipients),
        segment(body),
        segment(f.attachments),
    ])?;
    Ok(())
}

/// True when `folder` already holds this Message-ID with this size: the
/// key that keeps a re-import from storing a message twice.
pub fn contains(
    tx: &Transaction<'_>,
    folder: FolderId,
    message_id: &str,
    size: usize,
) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            // Named: with no statistics SQLite would take a folder index
            // and scan the whole folder for each message imported.
            "SELECT 1 FROM message INDEXED BY message_message_id
             WHERE folder_id = ?1 AND message_id = ?2 AND size = ?3",
        )?
        .query_row(params![folder.0, message_id, size as i64], |_| Ok(()))
        .optional()?
        .is_some())
}

impl Store {
    /// Unread and total messages of every account's Inbox together.
    pub fn all_inboxes_counts(&self) -> Result<(u32, u32)> {
        let (unread, total): (i64, i64) = self.conn().query_row(
            "SELECT ifnull(sum(unread_count), 0), ifnull(sum(total_count), 0)
             FROM folder WHERE role = 'inbox'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok((unread.max(0) as u32, total.max(0) as u32))
    }

    pub fn message_summary(&self, id: MessageId) -> Result<MessageSummary> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM message WHERE id = ?1");
        self.conn()
            .query_row(&sql, [id.0], summary_from_row)
            .optional()?
            .ok_or(Error::NotFound { what: "message" })
    }

    /// The raw RFC 822 bytes, if the body has been stored.
    pub fn raw_message(&self, id: MessageId) -> Result<Vec<u8>> {
        self.conn()
            .query_row(
                "SELECT raw FROM message_body WHERE message_id = ?1",
                [id.0],
                |row| row.get(0),
            )
            .optional()?
            .ok_or(Error::NotFound {
                what: "message body",
            })
    }

    /// Set or clear `flag` on the given messages; returns how many changed.
    /// For messages that live on a server, the same transaction queues the
    /// change for the server, so it survives a restart or being offline.
    pub fn set_flag(&mut self, ids: &[MessageId], flag: Flags, on: bool) -> Result<usize> {
        let tx = self.conn_mut().transaction()?;
        let mut changed = 0;
        // (account, folder, uidvalidity) -> UIDs changed there.
        let mut remote: std::collections::BTreeMap<(i64, i64, u32), Vec<u32>> = Default::default();
        {
            let mut stmt = tx.prepare_cached(if on {
                "UPDATE message SET flags = flags | ?2 WHERE id = ?1 AND flags & ?2 != ?2"
            } else {
                "UPDATE message SET flags = flags & ~?2 WHERE id = ?1 AND flags & ?2 != 0"
            })?;
            let mut location = tx.prepare_cached(
                "SELECT f.account_id, f.id, f.uidvalidity, m.uid
                 FROM message m JOIN folder f ON f.id = m.folder_id
                 WHERE m.id = ?1 AND m.uid IS NOT NULL AND f.remote_name IS NOT NULL
                   AND f.uidvalidity IS NOT NULL",
            )?;
            for id in ids {
                if stmt.execute(params![id.0, flag.0])? == 0 {
                    continue;
                }
                changed += 1;
                if let Some((account, folder, uidvalidity, uid)) = location
                    .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .optional()?
                {
                    remote
                        .entry((account, folder, uidvalidity))
                        .or_default()
                        .push(uid);
                }
            }
        }
        for ((account, folder, uidvalidity), uids) in remote {
            let op = super::ops::Op::Flags {
                flag,
                on,
                uidvalidity,
                uids,
            };
            super::ops::queue(&tx, crate::model::AccountId(account), FolderId(folder), &op)?;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Open a transaction for a batch of inserts.
    pub fn batch(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn_mut().transaction()?)
    }
}

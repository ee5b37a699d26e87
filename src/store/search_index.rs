//! The full-text index's backlog. Rows a header sync inserts, and whole
//! messages a POP3 download stores, are queued here rather than tokenised
//! in the transaction that makes them visible: FTS5 work was a third of
//! the time to get a large folder's list, or a POP3 download, into the
//! store. The sync catches up right after its run, a chunk per
//! transaction (so the window keeps reading between chunks), and a search
//! catches up first, so it never misses mail that is in the list.

use super::Store;
use super::messages::{Searchable, attachment_names, index_fields, put_attachments};
use crate::error::Result;
use crate::mime::parse::Parsed;
use crate::model::MessageId;
use rusqlite::{Transaction, params};

/// Rows indexed per transaction: about 50 ms of work, short enough that
/// the list never waits long for the store.
pub const CHUNK: usize = 2_000;
/// And at most about this much message text per transaction (a chunk of
/// whole messages parsed and tokenised takes about as long as 2,000
/// headers).
const CHUNK_BYTES: usize = 4 * 1024 * 1024;

/// Queue rows just inserted without a full-text row.
pub(crate) fn queue(tx: &Transaction<'_>, ids: &[MessageId]) -> Result<()> {
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO index_queue (message_id) VALUES (?1)")?;
    for id in ids {
        insert.execute([id.0])?;
    }
    Ok(())
}

/// A row got its full-text entry another way (its body arrived).
pub(crate) fn unqueue(tx: &Transaction<'_>, id: MessageId) -> Result<()> {
    tx.prepare_cached("DELETE FROM index_queue WHERE message_id = ?1")?
        .execute([id.0])?;
    Ok(())
}

/// A whole message's preview and attachments, from its full parse.
fn put_details(tx: &Transaction<'_>, id: MessageId, p: &Parsed) -> Result<()> {
    tx.prepare_cached("UPDATE message SET preview = ?2, has_attachments = ?3 WHERE id = ?1")?
        .execute(params![id.0, p.preview, !p.attachments.is_empty()])?;
    tx.prepare_cached("DELETE FROM attachment WHERE message_id = ?1")?
        .execute([id.0])?;
    put_attachments(tx, id, p)
}

impl Store {
    /// Messages still waiting for their full-text row.
    pub fn pending_index(&self) -> Result<usize> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM index_queue", [], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Write the full-text rows of up to `limit` queued messages, oldest
    /// first, in one transaction. Returns how many left the queue.
    pub fn index_pending(&mut self, limit: usize) -> Result<usize> {
        let tx = self.conn_mut().transaction()?;
        let mut done = 0;
        let mut bytes = 0;
        let mut last = None;
        {
            // A header-only row is found by its envelope; a whole message
            // (downloaded by POP3) by its text too, read from its body.
            let mut rows = tx.prepare_cached(
                "SELECT q.message_id, m.subject, m.from_name, m.from_addr, m.to_list, m.cc_list,
                        b.raw
                   FROM index_queue q JOIN message m ON m.id = q.message_id
                   LEFT JOIN message_body b ON b.message_id = m.id AND m.body_state = 'complete'
                  ORDER BY q.message_id LIMIT ?1",
            )?;
            let mut rows = rows.query([limit as i64])?;
            while let Some(r) = rows.next()? {
                let id = MessageId(r.get(0)?);
                // Attachment names come with the body: a header-only
                // row has none to index yet.
                let (body, attachments) = match r.get_ref(6)?.as_blob_or_null() {
                    Ok(Some(raw)) => {
                        bytes += raw.len();
                        // The one full parse of a downloaded message
                        // (stored with only its header parsed) also gives
                        // the list its preview and attachments.
                        match crate::mime::parse::parse(raw) {
                            Ok(parsed) => {
                                put_details(&tx, id, &parsed)?;
                                let names = attachment_names(&parsed);
                                (parsed.body, names)
                            }
                            Err(_) => Default::default(),
                        }
                    }
                    _ => Default::default(),
                };
                let text: [String; 5] = [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?];
                let [subject, from_name, from_addr, to, cc] = &text;
                let fields = Searchable {
                    subject,
                    from_name,
                    from_addr,
                    to,
                    cc,
                    attachments: &attachments,
                };
                index_fields(&tx, id, &fields, &body)?;
                done += 1;
                last = Some(id);
                if bytes >= CHUNK_BYTES {
                    break;
                }
            }
        }
        if let Some(last) = last {
            tx.prepare_cached("DELETE FROM index_queue WHERE message_id <= ?1")?
                .execute(params![last.0])?;
        }
        tx.commit()?;
        Ok(done)
    }
}

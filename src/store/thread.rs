//! Conversations: every message gets the thread of the messages it is
//! linked to within its account (References, In-Reply-To, the same
//! Message-ID in another folder), so a reply filed in Sent joins the
//! Inbox thread. Assigned as each message is stored, with a handful of
//! index probes, never a scan:
//!
//! - its own Message-ID: a copy in another folder, or a reply stored
//!   before it that left a `thread_ref` for it;
//! - each parent it names: a stored message, else such a `thread_ref`
//!   (left now for those still missing);
//! - with no parents at all and a "Re:"-style subject: a message of the
//!   same account with the same subject within 30 days.
//!
//! A message linking two threads merges them: the higher id's messages
//! move to the lower, and its row points there for `thread_ref`s still
//! naming it.

use super::Store;
use crate::error::{Error, Result};
use crate::mime::parse::Parsed;
use crate::mime::subject;
use crate::model::{AccountId, FolderId, MessageId, MessageSummary, Role};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// References looked at: the root and the nearest ones; a chain of
/// hundreds costs no more.
const MAX_REFERENCES: usize = 10;
/// How far apart in time a subject-only match may be.
const SUBJECT_WINDOW_SECONDS: i64 = 30 * 24 * 3600;
/// Merged threads form chains; they are short, this bounds a corrupt one.
const MAX_HOPS: usize = 64;

/// What a message is threaded by.
#[derive(Debug, Default)]
pub(crate) struct Links<'a> {
    pub message_id: Option<&'a str>,
    /// In-Reply-To and References (root, then nearest), deduplicated.
    pub parents: Vec<&'a str>,
    pub subject_key: String,
    /// Its subject began with "Re:", "Fwd:" or kin.
    pub reply_prefix: bool,
    pub date: i64,
}

impl<'a> Links<'a> {
    pub fn of(p: &'a Parsed, date: i64) -> Links<'a> {
        let refs = &p.references;
        let nearest = refs.len().saturating_sub(MAX_REFERENCES - 1).max(1);
        let candidates = p
            .in_reply_to
            .as_deref()
            .into_iter()
            .chain(refs.first().map(String::as_str))
            .chain(refs.iter().skip(nearest).map(String::as_str));
        Links::with(p.message_id.as_deref(), candidates, &p.subject, date)
    }

    /// From what a stored row keeps: In-Reply-To and the References root
    /// (`thread_key`); enough to find the conversation again.
    pub fn stored(
        message_id: Option<&'a str>,
        in_reply_to: Option<&'a str>,
        thread_key: Option<&'a str>,
        subject: &str,
        date: i64,
    ) -> Links<'a> {
        let parents = in_reply_to.into_iter().chain(thread_key);
        Links::with(message_id, parents, subject, date)
    }

    fn with(
        message_id: Option<&'a str>,
        candidates: impl Iterator<Item = &'a str>,
        subject_text: &str,
        date: i64,
    ) -> Links<'a> {
        let mut parents: Vec<&str> = Vec::new();
        for c in candidates {
            if Some(c) != message_id && !c.is_empty() && !parents.contains(&c) {
                parents.push(c);
            }
        }
        let (rest, reply_prefix) = subject::strip_prefixes(subject_text);
        Links {
            message_id: message_id.filter(|m| !m.is_empty()),
            parents,
            subject_key: rest.to_lowercase(),
            reply_prefix,
            date,
        }
    }
}

/// The key the list sorts senders by: the display name, else the
/// address, in lower case.
pub(crate) fn sender_key(name: &str, addr: &str) -> String {
    match name.trim() {
        "" => addr.trim().to_lowercase(),
        name => name.to_lowercase(),
    }
}

/// Threads given to messages of one batch not inserted yet, by
/// Message-ID, so a reply in the same batch as its parent finds it.
#[derive(Default)]
pub(crate) struct Batch {
    own: HashMap<String, i64>,
    /// Subject key to (date, thread) of this batch's messages, for the
    /// subject fallback.
    subjects: HashMap<String, (i64, i64)>,
    /// Some thread was merged away: ids handed out earlier in this batch
    /// may need [`resolve`] before their rows go in.
    pub merged: bool,
}

/// The account a folder belongs to.
pub(crate) fn account_of(conn: &Connection, folder: FolderId) -> Result<AccountId> {
    conn.prepare_cached("SELECT account_id FROM folder WHERE id = ?1")?
        .query_row([folder.0], |r| Ok(AccountId(r.get(0)?)))
        .optional()?
        .ok_or(Error::NotFound { what: "folder" })
}

/// The thread for a message about to be stored in `account`, creating or
/// merging threads as its links require.
pub(crate) fn assign(
    conn: &Connection,
    account: AccountId,
    links: &Links<'_>,
    batch: &mut Batch,
) -> Result<i64> {
    let mut found: Vec<i64> = Vec::new();
    if let Some(own) = links.message_id {
        found.extend(stored_thread(conn, account, own)?);
        if let Some(&t) = batch.own.get(own) {
            found.push(resolve(conn, t)?);
        }
        found.extend(waiting_thread(conn, account, own)?);
    }
    let mut missing: Vec<&str> = Vec::new();
    for &parent in &links.parents {
        if let Some(t) = stored_thread(conn, account, parent)? {
            found.push(t);
        } else if let Some(&t) = batch.own.get(parent) {
            found.push(resolve(conn, t)?);
        } else {
            match waiting_thread(conn, account, parent)? {
                Some(t) => found.push(t),
                None => missing.push(parent),
            }
        }
    }
    if found.is_empty()
        && links.parents.is_empty()
        && links.reply_prefix
        && !links.subject_key.is_empty()
    {
        found.extend(subject_thread(conn, account, links)?);
        if let Some(&(date, t)) = batch.subjects.get(&links.subject_key)
            && (date - links.date).abs() <= SUBJECT_WINDOW_SECONDS
        {
            found.push(resolve(conn, t)?);
        }
    }
    found.sort_unstable();
    found.dedup();
    let thread = match found.first() {
        Some(&t) => t,
        None => {
            conn.prepare_cached("INSERT INTO thread (account_id) VALUES (?1)")?
                .execute([account.0])?;
            conn.last_insert_rowid()
        }
    };
    for &other in &found[found.len().min(1)..] {
        merge(conn, account, thread, other)?;
        batch.merged = true;
    }
    if !missing.is_empty() {
        let mut wait = conn.prepare_cached(
            "INSERT OR REPLACE INTO thread_ref (account_id, message_id, thread_id)
             VALUES (?1, ?2, ?3)",
        )?;
        for parent in missing {
            wait.execute(params![account.0, parent, thread])?;
        }
    }
    if let Some(own) = links.message_id {
        batch.own.insert(own.to_string(), thread);
    }
    if !links.subject_key.is_empty() {
        batch
            .subjects
            .insert(links.subject_key.clone(), (links.date, thread));
    }
    Ok(thread)
}

/// The thread of a stored message of `account` with this Message-ID.
fn stored_thread(conn: &Connection, account: AccountId, message_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT m.thread_id FROM message m INDEXED BY message_message_id
             JOIN folder f ON f.id = m.folder_id
             WHERE m.message_id = ?1 AND f.account_id = ?2 AND m.thread_id IS NOT NULL
             LIMIT 1",
        )?
        .query_row(params![message_id, account.0], |r| r.get(0))
        .optional()?)
}

/// The thread a stored reply left waiting for this Message-ID.
fn waiting_thread(conn: &Connection, account: AccountId, message_id: &str) -> Result<Option<i64>> {
    let t: Option<i64> = conn
        .prepare_cached(
            "SELECT thread_id FROM thread_ref WHERE account_id = ?1 AND message_id = ?2",
        )?
        .query_row(params![account.0, message_id], |r| r.get(0))
        .optional()?;
    t.map(|t| resolve(conn, t)).transpose()
}

/// A thread of `account` with a message of the same subject within the
/// window, the nearest in time.
fn subject_thread(conn: &Connection, account: AccountId, links: &Links<'_>) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT thread_id FROM message
             WHERE folder_id IN (SELECT id FROM folder WHERE account_id = ?1)
               AND date BETWEEN ?3 - ?4 AND ?3 + ?4 AND subject_key = ?2
               AND thread_id IS NOT NULL
             ORDER BY abs(date - ?3) LIMIT 1",
        )?
        .query_row(
            params![
                account.0,
                links.subject_key,
                links.date,
                SUBJECT_WINDOW_SECONDS
            ],
            |r| r.get(0),
        )
        .optional()?)
}

/// The thread `thread` ended up in after merges.
pub(crate) fn resolve(conn: &Connection, mut thread: i64) -> Result<i64> {
    let mut next = conn.prepare_cached("SELECT merged_into FROM thread WHERE id = ?1")?;
    for _ in 0..MAX_HOPS {
        match next
            .query_row([thread], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .flatten()
        {
            Some(into) => thread = into,
            None => break,
        }
    }
    Ok(thread)
}

/// Move every message of thread `gone` into `keep`.
fn merge(conn: &Connection, account: AccountId, keep: i64, gone: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE message SET thread_id = ?2
         WHERE folder_id IN (SELECT id FROM folder WHERE account_id = ?1) AND thread_id = ?3",
    )?
    .execute(params![account.0, keep, gone])?;
    conn.prepare_cached("UPDATE thread SET merged_into = ?1 WHERE id = ?2")?
        .execute(params![keep, gone])?;
    Ok(())
}

/// Thread message `id` afresh in the account its folder now belongs to:
/// for a row moved or copied to another account, whose old thread is
/// the other account's.
pub(crate) fn rethread(conn: &Connection, id: MessageId) -> Result<()> {
    let (folder, message_id, in_reply_to, thread_key, subject, date): (
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        i64,
    ) = conn
        .prepare_cached(
            "SELECT folder_id, message_id, in_reply_to, thread_key, subject, date
             FROM message WHERE id = ?1",
        )?
        .query_row([id.0], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
    let account = account_of(conn, FolderId(folder))?;
    // Its own old thread must not be found through itself.
    conn.prepare_cached("UPDATE message SET thread_id = NULL WHERE id = ?1")?
        .execute([id.0])?;
    let links = Links::stored(
        message_id.as_deref(),
        in_reply_to.as_deref(),
        thread_key.as_deref(),
        &subject,
        date,
    );
    let thread = assign(conn, account, &links, &mut Batch::default())?;
    conn.prepare_cached("UPDATE message SET thread_id = ?2 WHERE id = ?1")?
        .execute(params![id.0, thread])?;
    Ok(())
}

/// Thread every stored message and fill its sort keys, oldest first so
/// parents mostly come before replies (either order ends the same). Run
/// once, by the migration that adds them.
pub(crate) fn backfill(conn: &Connection) -> Result<()> {
    type Row = (
        i64,
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        String,
        String,
        i64,
    );
    let rows: Vec<Row> = conn
        .prepare(
            "SELECT m.id, f.account_id, m.message_id, m.in_reply_to, m.thread_key, m.subject,
                    m.from_name, m.from_addr, m.date
             FROM message m JOIN folder f ON f.id = m.folder_id
             ORDER BY m.date, m.id",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut set = conn.prepare(
        "UPDATE message SET thread_id = ?2, sender_key = ?3, subject_key = ?4 WHERE id = ?1",
    )?;
    let mut batch = Batch::default();
    for (id, account, message_id, in_reply_to, thread_key, subject, name, addr, date) in &rows {
        let links = Links::stored(
            message_id.as_deref(),
            in_reply_to.as_deref(),
            thread_key.as_deref(),
            subject,
            *date,
        );
        let thread = assign(conn, AccountId(*account), &links, &mut batch)?;
        set.execute(params![
            id,
            thread,
            sender_key(name, addr),
            links.subject_key
        ])?;
    }
    Ok(())
}

/// Summary columns of `message m`, as `list` reads them.
const CONVERSATION_COLUMNS: &str = "m.id, m.folder_id, m.subject, m.from_name, m.from_addr, \
     m.date, m.flags, m.has_attachments, m.size, 1";

impl Store {
    /// Every message of `id`'s conversation in its account's folders,
    /// oldest first. A Message-ID in two folders is listed once: the copy
    /// outside Trash and Junk, then outside Sent (a reply filed in Sent
    /// and also delivered back to the Inbox shows as the Inbox's), then
    /// the first stored.
    pub fn conversation(&self, id: MessageId) -> Result<Vec<MessageSummary>> {
        let (thread, account): (Option<i64>, i64) = self
            .conn()
            .query_row(
                "SELECT m.thread_id, f.account_id FROM message m JOIN folder f ON f.id = m.folder_id
                 WHERE m.id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(Error::NotFound { what: "message" })?;
        let Some(thread) = thread else {
            return Ok(vec![self.message_summary(id)?]);
        };
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS}, m.message_id, f.role FROM message m
             JOIN folder f ON f.id = m.folder_id
             WHERE m.folder_id IN (SELECT id FROM folder WHERE account_id = ?1)
               AND m.thread_id = ?2
             ORDER BY m.date, m.id"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(params![account, thread], |r| {
            Ok((
                super::list::summary_from_row(r)?,
                r.get::<_, Option<String>>(10)?,
                r.get::<_, Option<String>>(11)?,
            ))
        })?;
        let mut out: Vec<(MessageSummary, u8)> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for row in rows {
            let (summary, message_id, role) = row?;
            let rank = match role.as_deref().and_then(Role::parse) {
                Some(Role::Trash | Role::Junk) => 2,
                Some(Role::Sent) => 1,
                _ => 0,
            };
            let Some(message_id) = message_id else {
                out.push((summary, rank));
                continue;
            };
            match seen.get(&message_id) {
                Some(&at) if rank < out[at].1 => out[at] = (summary, rank),
                Some(_) => {}
                None => {
                    seen.insert(message_id, out.len());
                    out.push((summary, rank));
                }
            }
        }
        Ok(out.into_iter().map(|(s, _)| s).collect())
    }
}

#[cfg(test)]
mod tests;

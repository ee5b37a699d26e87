//! The message list: one screen of a folder's rows at a time, in any
//! [`ListQuery`] order, filtered, or one row per conversation.

use super::Store;
use crate::error::Result;
use crate::model::{Filter, Flags, FolderId, ListQuery, MessageId, MessageSummary, Sort};
use rusqlite::{Row, params};

/// The columns [`summary_from_row`] reads, `thread_size` last.
pub(crate) const SUMMARY_COLUMNS: &str =
    "id, folder_id, subject, from_name, from_addr, date, flags, has_attachments, size, 1";

pub(crate) fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<MessageSummary> {
    Ok(MessageSummary {
        id: MessageId(row.get(0)?),
        folder_id: FolderId(row.get(1)?),
        subject: row.get(2)?,
        from_name: row.get(3)?,
        from_addr: row.get(4)?,
        date: row.get(5)?,
        flags: Flags(row.get(6)?),
        has_attachments: row.get(7)?,
        size: row.get(8)?,
        thread_size: row.get::<_, i64>(9)?.clamp(1, u32::MAX as i64) as u32,
    })
}

/// `WHERE` terms for a folder (`?1`) and a query's filter, on columns
/// named with `prefix` ("m." or ""). All Inboxes binds `?1` too (unused),
/// so both shapes take the same parameters.
fn condition(folder: FolderId, q: &ListQuery, prefix: &str) -> String {
    let place = if folder == FolderId::ALL_INBOXES {
        format!("{prefix}folder_id IN (SELECT id FROM folder WHERE role = 'inbox') AND ?1 = ?1")
    } else {
        format!("{prefix}folder_id = ?1")
    };
    format!("{place}{}", filter_terms(q, prefix))
}

/// The filter's terms, each after " AND ".
fn filter_terms(q: &ListQuery, prefix: &str) -> String {
    let mut terms = String::new();
    if q.filter.unread {
        terms += &format!(" AND {prefix}flags & 1 = 0");
    }
    if q.filter.flagged {
        terms += &format!(" AND {prefix}flags & 2 != 0");
    }
    if q.filter.attachments {
        terms += &format!(" AND {prefix}has_attachments != 0");
    }
    terms
}

/// The `ORDER BY` terms, ties broken by id in the same direction.
fn order(q: &ListQuery, prefix: &str) -> String {
    let column = match q.sort {
        Sort::Date => "date",
        Sort::Sender => "sender_key",
        Sort::Subject => "subject_key",
        Sort::Size => "size",
    };
    let dir = if q.descending { "DESC" } else { "ASC" };
    format!("{prefix}{column} {dir}, {prefix}id {dir}")
}

impl Store {
    /// Rows `offset..offset+limit` of a folder's list in `q`'s order. The
    /// message list asks only for the rows on screen.
    pub fn message_page(
        &self,
        folder: FolderId,
        q: &ListQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<MessageSummary>> {
        // Past the middle, read from the other end: SQLite walks its index
        // up to the offset, so the last screen would cost the most. Where
        // the folder row keeps the count, or (threads) where each row
        // walked may cost a probe, more than the count; two filters on
        // the flat list walk the index alone, as fast as counting it.
        if offset > limit && (q.threads || kept_count(q).is_some()) {
            let count = self.message_count(folder, q)?;
            if offset > count / 2 {
                let end = count.min(offset.saturating_add(limit));
                let flipped = ListQuery {
                    descending: !q.descending,
                    ..*q
                };
                let mut rows = self.page_from_start(
                    folder,
                    &flipped,
                    count - end,
                    end.saturating_sub(offset),
                )?;
                rows.reverse();
                return Ok(rows);
            }
        }
        self.page_from_start(folder, q, offset, limit)
    }

    fn page_from_start(
        &self,
        folder: FolderId,
        q: &ListQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<MessageSummary>> {
        let sql = if q.threads {
            let columns = SUMMARY_COLUMNS
                .split(", ")
                .map(|c| match c {
                    "1" => format!(
                        "(SELECT count(*) FROM message t
                          WHERE t.folder_id = m.folder_id AND t.thread_id = m.thread_id{})",
                        filter_terms(q, "t.")
                    ),
                    c => format!("m.{c}"),
                })
                .collect::<Vec<_>>()
                .join(", ");
            // A thread's row is its newest message in the folder (that
            // matches). Unfiltered, that is the row marked `head`, tested
            // on the sort index as it is walked. `head != 0` rather than
            // `head = 1`: the latter would let SQLite pick the small
            // partial index of heads and sort the whole folder.
            let newest = if q.filter == Filter::default() {
                " AND m.head != 0".to_string()
            } else {
                // Filtered: one with no later one that matches beside
                // it, probed on the folder-thread index (which holds the
                // filter's columns) for each matching row walked, but for
                // heads, which have no later one at all.
                format!(
                    " AND (m.head != 0 OR NOT EXISTS (
                     SELECT 1 FROM message t
                     WHERE t.folder_id = m.folder_id AND t.thread_id = m.thread_id
                       AND t.date >= m.date AND (t.date > m.date OR t.id > m.id){}))",
                    filter_terms(q, "t.")
                )
            };
            format!(
                "SELECT {columns} FROM message m
                 WHERE {}{newest}
                 ORDER BY {} LIMIT ?2 OFFSET ?3",
                condition(folder, q, "m."),
                order(q, "m.")
            )
        } else {
            format!(
                "SELECT {SUMMARY_COLUMNS} FROM message WHERE {}
                 ORDER BY {} LIMIT ?2 OFFSET ?3",
                condition(folder, q, ""),
                order(q, "")
            )
        };
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![folder.0, limit as i64, offset as i64],
            summary_from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many rows [`Store::message_page`] has for `q`: messages, or
    /// threads.
    pub fn message_count(&self, folder: FolderId, q: &ListQuery) -> Result<usize> {
        if let Some(column) = kept_count(q) {
            return self.folder_counter(folder, column);
        }
        // Two filters, or threads with a filter: counted on the
        // folder-thread index, which holds every column tested.
        let what = if q.threads {
            "count(DISTINCT thread_id)"
        } else {
            "count(*)"
        };
        let sql = format!(
            "SELECT {what} FROM message WHERE {}",
            condition(folder, q, "")
        );
        let n: i64 = self
            .conn()
            .prepare_cached(&sql)?
            .query_row([folder.0], |r| r.get(0))?;
        Ok(n.max(0) as usize)
    }

    /// A count the triggers keep in the folder row (see [`kept_count`]),
    /// summed over the inboxes for All Inboxes.
    fn folder_counter(&self, folder: FolderId, column: &str) -> Result<usize> {
        let n: i64 = if folder == FolderId::ALL_INBOXES {
            self.conn()
                .prepare_cached(&format!(
                    "SELECT ifnull(sum({column}), 0) FROM folder WHERE role = 'inbox'"
                ))?
                .query_row([], |row| row.get(0))?
        } else {
            self.conn()
                .prepare_cached(&format!("SELECT {column} FROM folder WHERE id = ?1"))?
                .query_row([folder.0], |row| row.get(0))?
        };
        Ok(n.max(0) as usize)
    }
}

/// The folder column holding `q`'s row count, kept by triggers (migration
/// V14): the total, one filter's, or the threads'. None for two filters
/// or a filtered threaded list, which are counted.
fn kept_count(q: &ListQuery) -> Option<&'static str> {
    let f = q.filter;
    match (q.threads, f.unread, f.flagged, f.attachments) {
        (false, false, false, false) => Some("total_count"),
        (false, true, false, false) => Some("unread_count"),
        (false, false, true, false) => Some("flagged_count"),
        (false, false, false, true) => Some("attachment_count"),
        (true, false, false, false) => Some("thread_count"),
        _ => None,
    }
}

#[cfg(test)]
mod tests;

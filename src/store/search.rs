//! The local half of a search: the full-text index within a scope, and
//! what the server half needs (which folders hold bodies not here, and
//! the rows a server's answer names).

use super::Store;
use super::list::{SUMMARY_COLUMNS, summary_from_row};
use crate::error::Result;
use crate::model::{AccountId, FolderId, MessageSummary};
use crate::search::{Query, Scope, fts};
use rusqlite::types::Value;

/// A server folder holding messages whose bodies are not here, which a
/// search asks the server about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFolder {
    pub folder: FolderId,
    pub account: AccountId,
    /// The server's own name, to EXAMINE.
    pub remote_name: String,
    /// The folder's path as the tree shows it ("Archive/2026").
    pub display: String,
    /// The UIDVALIDITY the local UIDs belong to.
    pub uidvalidity: u32,
}

/// A condition on `column` (a folder id) that keeps rows in `scope`, and
/// its parameter.
fn scope_condition(scope: Scope, column: &str) -> (String, Option<i64>) {
    match scope {
        Scope::Folder(FolderId::ALL_INBOXES) => (
            format!("{column} IN (SELECT id FROM folder WHERE role = 'inbox')"),
            None,
        ),
        Scope::Folder(f) => (format!("{column} = ?"), Some(f.0)),
        Scope::Account(a) => (
            format!("{column} IN (SELECT id FROM folder WHERE account_id = ?)"),
            Some(a.0),
        ),
        Scope::All => ("1".into(), None),
    }
}

/// UIDs looked up per statement (SQLite allows 32,766 parameters).
const UIDS_PER_QUERY: usize = 500;

impl Store {
    /// The newest `limit` messages in `scope` the local index finds for
    /// `query`. Messages still waiting for their full-text row are indexed
    /// first, so a search never misses mail that is already in the list.
    pub fn search(
        &mut self,
        query: &Query,
        scope: Scope,
        limit: usize,
    ) -> Result<Vec<MessageSummary>> {
        while self.index_pending(super::search_index::CHUNK)? > 0 {}
        if query.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut conditions = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(expr) = fts::expression(query) {
            conditions.push(
                "id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?)".to_string(),
            );
            values.push(Value::Text(expr));
        }
        if query.has_attachment {
            conditions.push("has_attachments = 1".into());
        }
        let (scoped, param) = scope_condition(scope, "folder_id");
        conditions.push(scoped);
        values.extend(param.map(Value::Integer));
        values.push(Value::Integer(limit.min(i64::MAX as usize) as i64));
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM message WHERE {}
             ORDER BY date DESC, id DESC LIMIT ?",
            conditions.join(" AND ")
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), summary_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many messages `scope` holds: every one is in the local index,
    /// by its envelope at least.
    pub fn scope_message_count(&self, scope: Scope) -> Result<usize> {
        let (scoped, param) = scope_condition(scope, "id");
        let sql = format!("SELECT ifnull(sum(total_count), 0) FROM folder WHERE {scoped}");
        let n: i64 = self.conn().query_row(
            &sql,
            rusqlite::params_from_iter(param.map(Value::Integer)),
            |r| r.get(0),
        )?;
        Ok(n.max(0) as usize)
    }

    /// The IMAP folders in `scope` holding messages whose bodies are not
    /// here: accounts in their order, each one's Inbox first.
    pub fn server_search_folders(&self, scope: Scope) -> Result<Vec<ServerFolder>> {
        let (scoped, param) = scope_condition(scope, "f.id");
        let sql = format!(
            "SELECT f.id, f.account_id, f.remote_name, f.uidvalidity
               FROM folder f JOIN account a ON a.id = f.account_id
              WHERE a.kind = 'imap' AND f.remote_name IS NOT NULL AND f.uidvalidity IS NOT NULL
                AND {scoped}
                AND EXISTS (SELECT 1 FROM message m WHERE m.folder_id = f.id
                              AND m.uid IS NOT NULL AND m.body_state != 'complete')
              ORDER BY a.position, a.id, f.role IS NOT 'inbox', f.id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(param.map(Value::Integer)), |r| {
            Ok((
                FolderId(r.get(0)?),
                AccountId(r.get(1)?),
                r.get::<_, String>(2)?,
                r.get::<_, u32>(3)?,
            ))
        })?;
        let found: Vec<_> = rows.collect::<rusqlite::Result<_>>()?;
        found
            .into_iter()
            .map(|(folder, account, remote_name, uidvalidity)| {
                Ok(ServerFolder {
                    folder,
                    account,
                    remote_name,
                    display: self.folder_path(folder)?,
                    uidvalidity,
                })
            })
            .collect()
    }

    /// "Parent/Child" for a folder, as the tree shows it.
    fn folder_path(&self, folder: FolderId) -> Result<String> {
        Ok(self.conn().query_row(
            "WITH RECURSIVE up(parent, path) AS (
                 SELECT parent_id, name FROM folder WHERE id = ?1
                 UNION ALL
                 SELECT f.parent_id, f.name || '/' || up.path FROM up JOIN folder f ON f.id = up.parent
             )
             SELECT path FROM up WHERE parent IS NULL",
            [folder.0],
            |r| r.get(0),
        )?)
    }

    /// The rows of `folder` with these UIDs whose bodies are not here
    /// (a body that is here was searched locally), with an attachment if
    /// `has_attachment`: what a server's SEARCH answer adds.
    pub fn server_hits(
        &self,
        folder: FolderId,
        uids: &[u32],
        has_attachment: bool,
    ) -> Result<Vec<MessageSummary>> {
        let mut out = Vec::new();
        for chunk in uids.chunks(UIDS_PER_QUERY) {
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS} FROM message
                  WHERE folder_id = ? AND body_state != 'complete' AND {} AND uid IN ({})",
                if has_attachment {
                    "has_attachments = 1"
                } else {
                    "1"
                },
                vec!["?"; chunk.len()].join(", ")
            );
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let values = std::iter::once(Value::Integer(folder.0))
                .chain(chunk.iter().map(|&u| Value::Integer(u.into())));
            let rows = stmt.query_map(rusqlite::params_from_iter(values), summary_from_row)?;
            for row in rows {
                out.push(row?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations;

    /// A store from before V13 gets the new index in the background: every
    /// message queued, then found by its attachment names and CJK words.
    #[test]
    fn an_older_store_is_reindexed_with_attachment_names_and_cjk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let raw: &[u8] = b"From: a@example.test\r\nSubject: old one\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
            Content-Type: text/plain; charset=utf-8\r\n\r\n\xe5\xb9\xb4\xe5\xba\xa6\xe6\x8a\xa5\xe5\x91\x8a text\r\n\
            --b\r\nContent-Type: application/pdf\r\n\
            Content-Disposition: attachment; filename=\"ledger.pdf\"\r\n\r\nx\r\n--b--\r\n";
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            migrations::migrate_to(&mut conn, 12).unwrap();
            conn.execute(
                "INSERT INTO message (id, folder_id, subject, date, received_at, size, body_state)
                 VALUES (1, 1, 'old one', 0, 0, ?1, 'complete')",
                [raw.len() as i64],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO message_body (message_id, raw) VALUES (1, ?1)",
                [raw],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO message_fts (rowid, subject, sender, recipients, body)
                 VALUES (1, 'old one', '', '', '年度报告 text')",
                [],
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.pending_index().unwrap(), 1);
        for q in ["ledger", "ledger.pdf", "报告", "old", "subject:one"] {
            let hits = store.search(&Query::parse(q), Scope::All, 10).unwrap();
            assert_eq!(hits.len(), 1, "{q}");
        }
        assert_eq!(store.pending_index().unwrap(), 0);
        assert!(
            store
                .search(&Query::parse("告报"), Scope::All, 10)
                .unwrap()
                .is_empty()
        );
    }
}

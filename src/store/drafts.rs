//! Messages being written, kept here while the composer is open (saved
//! every few seconds and on close) so that a crash, a kill or a power cut
//! loses at most a few seconds of typing.

use super::ops::{self, Op};
use super::{Store, now};
use crate::error::Result;
use crate::mime::compose::{Outgoing, OutgoingAttachment};
use crate::mime::parse;
use crate::model::{AccountId, Flags, MessageId, Role};
use rusqlite::{OptionalExtension, params};

/// A saved draft: what was written, for which account, answering what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub id: Option<i64>,
    pub account: Option<AccountId>,
    pub message: Outgoing,
    pub answering: Option<MessageId>,
}

impl Store {
    /// Save `draft` (a new one when it has no id yet, else replacing its
    /// earlier save) in one transaction. Returns its id.
    pub fn save_draft(&mut self, draft: &Draft) -> Result<i64> {
        let m = &draft.message;
        let tx = self.conn_mut().transaction()?;
        tx.execute(
            "INSERT INTO draft (id, account_id, to_list, cc_list, bcc_list, subject, body,
                                in_reply_to, refs, answering, updated_at)
             VALUES (?11, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (id) DO UPDATE SET
                 account_id = excluded.account_id, to_list = excluded.to_list,
                 cc_list = excluded.cc_list, bcc_list = excluded.bcc_list,
                 subject = excluded.subject, body = excluded.body,
                 in_reply_to = excluded.in_reply_to, refs = excluded.refs,
                 answering = excluded.answering, updated_at = excluded.updated_at",
            params![
                draft.account.map(|a| a.0),
                m.to.join("\n"),
                m.cc.join("\n"),
                m.bcc.join("\n"),
                m.subject,
                m.body,
                m.in_reply_to,
                m.references.join("\n"),
                draft.answering.map(|a| a.0),
                now(),
                draft.id,
            ],
        )?;
        let id = draft.id.unwrap_or_else(|| tx.last_insert_rowid());
        tx.execute("DELETE FROM draft_attachment WHERE draft_id = ?1", [id])?;
        for (position, a) in m.attachments.iter().enumerate() {
            tx.execute(
                "INSERT INTO draft_attachment (draft_id, position, name, mime_type, data)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, position as i64, a.name, a.mime_type, a.data],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// The draft saved most recently, if any.
    pub fn latest_draft(&self) -> Result<Option<Draft>> {
        self.load_draft("ORDER BY updated_at DESC, id DESC LIMIT 1", None)
    }

    /// Draft `id`.
    pub fn draft(&self, id: i64) -> Result<Draft> {
        self.load_draft("WHERE id = ?1", Some(id))?
            .ok_or(crate::error::Error::NotFound { what: "draft" })
    }

    fn load_draft(&self, pick: &str, id: Option<i64>) -> Result<Option<Draft>> {
        let sql = format!(
            "SELECT id, account_id, to_list, cc_list, bcc_list, subject, body, in_reply_to,
                    refs, answering
             FROM draft {pick}"
        );
        let params: Vec<i64> = id.into_iter().collect();
        let found = self
            .conn()
            .query_row(&sql, rusqlite::params_from_iter(params), |r| {
                let list = |i| -> rusqlite::Result<Vec<String>> {
                    let text: String = r.get(i)?;
                    Ok(text.lines().map(str::to_string).collect())
                };
                Ok(Draft {
                    id: Some(r.get(0)?),
                    account: r.get::<_, Option<i64>>(1)?.map(AccountId),
                    message: Outgoing {
                        to: list(2)?,
                        cc: list(3)?,
                        bcc: list(4)?,
                        subject: r.get(5)?,
                        body: r.get(6)?,
                        in_reply_to: r.get(7)?,
                        references: list(8)?,
                        ..Outgoing::default()
                    },
                    answering: r.get::<_, Option<i64>>(9)?.map(MessageId),
                })
            })
            .optional()?;
        let Some(mut draft) = found else {
            return Ok(None);
        };
        let mut stmt = self.conn().prepare_cached(
            "SELECT name, mime_type, data FROM draft_attachment WHERE draft_id = ?1
             ORDER BY position",
        )?;
        let rows = stmt.query_map([draft.id], |r| {
            Ok(OutgoingAttachment {
                name: r.get(0)?,
                mime_type: r.get(1)?,
                data: r.get(2)?,
            })
        })?;
        draft.message.attachments = rows.collect::<rusqlite::Result<_>>()?;
        Ok(Some(draft))
    }

    /// Put `raw` (draft `id` as a message) in its account's Drafts folder
    /// in place of its last copy there: on an IMAP account the server's
    /// copy is replaced too (an APPEND and the old copy's deletion,
    /// queued), so the server holds one. Returns the new row; `None` when
    /// the account has no Drafts folder (an IMAP account never synced).
    pub fn file_draft(&mut self, id: i64, raw: &[u8]) -> Result<Option<MessageId>> {
        let account: Option<i64> =
            self.conn()
                .query_row("SELECT account_id FROM draft WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
        let Some(account) = account.map(AccountId) else {
            return Ok(None);
        };
        let Ok(drafts) = self.folder_by_role(account, Role::Drafts) else {
            return Ok(None);
        };
        let on_server = self.remote_name(drafts.id)?.is_some();
        let parsed = parse::parse(raw).unwrap_or_default();
        let tx = self.conn_mut().transaction()?;
        let row = super::messages::insert(
            &tx,
            drafts.id,
            &super::messages::NewMessage {
                raw,
                parsed: &parsed,
                flags: Flags::SEEN.with(Flags::DRAFT, true),
                fallback_date: now(),
            },
        )?;
        if on_server {
            let op = Op::Append {
                messages: vec![row],
            };
            ops::queue(&tx, account, drafts.id, &op)?;
        }
        let old = forget_copy(&tx, id)?;
        super::actions::expunge_in(&tx, &old)?;
        tx.execute(
            "UPDATE draft SET copy_id = ?2 WHERE id = ?1",
            params![id, row.0],
        )?;
        tx.commit()?;
        Ok(Some(row))
    }

    /// Forget a draft (sent, or thrown away), and its copy in Drafts (on
    /// the server too).
    pub fn delete_draft(&mut self, id: i64) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        let copy = forget_copy(&tx, id)?;
        super::actions::expunge_in(&tx, &copy)?;
        tx.execute("DELETE FROM draft WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }
}

/// Draft `id`'s copy in Drafts, if it has one still.
fn forget_copy(tx: &rusqlite::Transaction<'_>, id: i64) -> Result<Vec<MessageId>> {
    let copy: Option<i64> = tx
        .query_row("SELECT copy_id FROM draft WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    Ok(copy.map(MessageId).into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_saved_replaced_reloaded_and_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let mut store = Store::open(&path).unwrap();
        let mut draft = Draft {
            id: None,
            account: None,
            message: Outgoing {
                to: vec!["a@example.kz".into(), "Боб <b@example.kz>".into()],
                subject: "Жоба".into(),
                body: "first\nlines".into(),
                references: vec!["r1@x".into()],
                attachments: vec![OutgoingAttachment {
                    name: "a.txt".into(),
                    mime_type: "text/plain".into(),
                    data: b"data".to_vec(),
                }],
                ..Outgoing::default()
            },
            answering: None,
        };
        let id = store.save_draft(&draft).unwrap();
        draft.id = Some(id);
        draft.message.body.push_str("\nmore");
        assert_eq!(store.save_draft(&draft).unwrap(), id, "replaced, not added");
        drop(store);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.latest_draft().unwrap(), Some(draft));
        store.delete_draft(id).unwrap();
        assert_eq!(store.latest_draft().unwrap(), None);
    }
}

//! Messages being written, kept here while the composer is open (saved
//! every few seconds and on close) so that a crash, a kill or a power cut
//! loses at most a few seconds of typing.

use super::{Store, now};
use crate::error::Result;
use crate::mime::compose::{Outgoing, OutgoingAttachment};
use crate::model::{AccountId, MessageId};
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
        let found = self
            .conn()
            .query_row(
                "SELECT id, account_id, to_list, cc_list, bcc_list, subject, body, in_reply_to,
                        refs, answering
                 FROM draft ORDER BY updated_at DESC, id DESC LIMIT 1",
                [],
                |r| {
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
                },
            )
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

    /// Forget a draft (sent, or thrown away).
    pub fn delete_draft(&mut self, id: i64) -> Result<()> {
        self.conn()
            .execute("DELETE FROM draft WHERE id = ?1", [id])?;
        Ok(())
    }
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

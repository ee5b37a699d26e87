//! What uploading a message into a server folder needs from the store
//! (`Op::Append`, queued when mail moves in from another account).

use super::Store;
use crate::error::Result;
use crate::model::{Flags, FolderId, MessageId};
use rusqlite::{OptionalExtension, params};

/// A message waiting to be uploaded into its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub raw: Vec<u8>,
    pub flags: Flags,
    /// Its Message-ID header: how a retry, or the next sync, finds the
    /// server's copy.
    pub message_id: Option<String>,
}

impl Store {
    /// `message` as it is to be uploaded into `folder`, or None if it is
    /// no longer waiting there (moved on, deleted, or given a UID).
    pub fn upload(&self, message: MessageId, folder: FolderId) -> Result<Option<Upload>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT b.raw, m.flags, m.message_id FROM message m
                 JOIN message_body b ON b.message_id = m.id
                 WHERE m.id = ?1 AND m.folder_id = ?2 AND m.uid IS NULL
                   AND m.body_state = 'complete'",
            )?
            .query_row(params![message.0, folder.0], |r| {
                Ok(Upload {
                    raw: r.get(0)?,
                    flags: Flags(r.get(1)?),
                    message_id: r.get(2)?,
                })
            })
            .optional()?)
    }

    /// Which of `ids` must be downloaded before they can go to `dest`:
    /// those leaving a server folder of another account without their body
    /// here (see `actions::Target::crosses`).
    pub fn bodies_needed_for(&self, ids: &[MessageId], dest: FolderId) -> Result<Vec<MessageId>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT 1 FROM message m
             JOIN folder f ON f.id = m.folder_id
             JOIN folder d ON d.id = ?2
             WHERE m.id = ?1 AND f.account_id != d.account_id
               AND f.remote_name IS NOT NULL AND m.body_state != 'complete'",
        )?;
        let mut needed = Vec::new();
        for &id in ids {
            if stmt.exists(params![id.0, dest.0])? {
                needed.push(id);
            }
        }
        Ok(needed)
    }

    /// The server took `message` into `folder` but did not say under which
    /// UID, and it has no Message-ID to be recognised by: the local row
    /// goes, and the folder's next sync brings the server's copy instead
    /// of leaving the user two.
    pub fn uploaded_unmatchable(&mut self, message: MessageId, folder: FolderId) -> Result<()> {
        self.conn().execute(
            "DELETE FROM message WHERE id = ?1 AND folder_id = ?2 AND uid IS NULL",
            params![message.0, folder.0],
        )?;
        Ok(())
    }
}

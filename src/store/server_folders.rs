//! What the folder tree changes on a server need from the store: a
//! folder's server name and hierarchy delimiter, renames that keep a
//! folder's messages, and subscriptions.

use super::Store;
use crate::error::{Error, Result};
use crate::model::FolderId;
use rusqlite::params;
use std::collections::HashSet;

impl Store {
    /// The server name and hierarchy delimiter of a server folder.
    pub fn server_folder(&self, folder: FolderId) -> Result<(String, Option<String>)> {
        self.conn()
            .query_row(
                "SELECT remote_name, delimiter FROM folder WHERE id = ?1 AND remote_name IS NOT NULL",
                [folder.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Error::NotFound { what: "folder" },
                other => other.into(),
            })
    }

    /// The server renamed `folder` (and so everything below it) from
    /// `old` to `new`: follow, so the next sync of the folder list finds
    /// the same rows and their messages stay.
    pub fn rename_server_folder(&mut self, folder: FolderId, old: &str, new: &str) -> Result<()> {
        let subtree = self.subtree(folder)?;
        let tx = self.conn_mut().transaction()?;
        for id in subtree {
            tx.execute(
                "UPDATE folder SET remote_name = ?2 || substr(remote_name, ?3) WHERE id = ?1
                   AND substr(remote_name, 1, ?4) = ?5",
                params![id.0, new, old.len() as i64 + 1, old.len() as i64, old],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Record which of the account's server folders are subscribed.
    pub fn set_subscriptions(
        &mut self,
        account: crate::model::AccountId,
        subscribed: &HashSet<String>,
    ) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        let names: Vec<(i64, String)> = {
            let mut stmt = tx.prepare(
                "SELECT id, remote_name FROM folder WHERE account_id = ?1 AND remote_name IS NOT NULL",
            )?;
            stmt.query_map([account.0], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        for (id, name) in names {
            // INBOX is always there for the user, whatever LSUB says.
            let on = subscribed.contains(&name) || name.eq_ignore_ascii_case("INBOX");
            tx.execute(
                "UPDATE folder SET subscribed = ?2 WHERE id = ?1",
                params![id, on],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn set_subscribed(&mut self, folder: FolderId, on: bool) -> Result<()> {
        self.conn().execute(
            "UPDATE folder SET subscribed = ?2 WHERE id = ?1",
            params![folder.0, on],
        )?;
        Ok(())
    }
}

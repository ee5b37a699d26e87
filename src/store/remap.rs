//! Queued changes across a UIDVALIDITY change. When a server recreates a
//! mailbox, every UID in the queue names nothing (or other mail). Before
//! the folder's cache is dropped, the queued operations are taken aside
//! with the Message-IDs their UIDs stood for; once the folder's headers
//! are fetched again, each is given the new UIDs of the same messages.
//! What cannot be matched is dropped, never guessed.

use super::Store;
use super::ops::{Item, Op};
use crate::error::Result;
use crate::model::FolderId;
use rusqlite::params;
use std::collections::HashMap;

/// Operations of a folder taken aside across its reset.
#[derive(Debug, Default)]
pub struct Carried {
    ops: Vec<(i64, Op)>,
    /// Old UID → Message-ID, from the rows about to be dropped.
    message_ids: HashMap<u32, String>,
}

impl Store {
    /// Before dropping `folder`'s cache: its queued operations and what
    /// their UIDs meant.
    pub fn carry_ops(&self, folder: FolderId) -> Result<Carried> {
        let ops = self.ops_in_folder(folder)?;
        let mut message_ids = HashMap::new();
        if !ops.is_empty() {
            let mut stmt = self.conn().prepare(
                "SELECT uid, message_id FROM message
                 WHERE folder_id = ?1 AND uid IS NOT NULL AND message_id IS NOT NULL",
            )?;
            for row in stmt.query_map([folder.0], |r| Ok((r.get(0)?, r.get(1)?)))? {
                let (uid, id): (u32, String) = row?;
                message_ids.insert(uid, id);
            }
            // Moved rows live elsewhere now but keep their Message-ID.
            for (_, op) in &ops {
                if let Op::Move { items, .. } | Op::Copy { items, .. } = op {
                    for item in items {
                        if let (Some(uid), Some(id)) =
                            (item.uid, self.message_id_header(item.message)?)
                        {
                            message_ids.insert(uid, id);
                        }
                    }
                }
            }
        }
        Ok(Carried { ops, message_ids })
    }

    /// After the headers were fetched again under `uidvalidity`: rewrite
    /// the carried operations with the new UIDs. Returns how many kept.
    pub fn restore_ops(
        &mut self,
        folder: FolderId,
        uidvalidity: u32,
        carried: Carried,
    ) -> Result<usize> {
        let new_uids: HashMap<String, u32> = {
            let mut stmt = self.conn().prepare(
                "SELECT message_id, uid FROM message
                 WHERE folder_id = ?1 AND uid IS NOT NULL AND message_id IS NOT NULL",
            )?;
            stmt.query_map([folder.0], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let map = |uid: u32| {
            carried
                .message_ids
                .get(&uid)
                .and_then(|id| new_uids.get(id))
                .copied()
        };
        let tx = self.conn_mut().transaction()?;
        let mut kept = 0;
        for (id, op) in carried.ops {
            let op = match op {
                Op::Flags { flag, on, uids, .. } => {
                    let uids: Vec<u32> = uids.into_iter().filter_map(map).collect();
                    (!uids.is_empty()).then_some(Op::Flags {
                        flag,
                        on,
                        uidvalidity,
                        uids,
                    })
                }
                Op::Move { dest, items, .. } => remap_items(items, map).map(|items| Op::Move {
                    uidvalidity,
                    dest,
                    items,
                }),
                Op::Copy { dest, items, .. } => remap_items(items, map).map(|items| Op::Copy {
                    uidvalidity,
                    dest,
                    items,
                }),
                // A deletion for good is not carried over on a guess.
                Op::Expunge { .. } => None,
                // Names no UIDs: the upload still has to happen.
                Op::Append { messages } => Some(Op::Append { messages }),
            };
            match op {
                Some(op) => {
                    tx.execute(
                        "UPDATE pending_op SET payload = ?2 WHERE id = ?1",
                        params![id, op.payload()],
                    )?;
                    kept += 1;
                }
                None => {
                    tx.execute("DELETE FROM pending_op WHERE id = ?1", [id])?;
                }
            }
        }
        tx.commit()?;
        Ok(kept)
    }
}

/// Items with their new UIDs; those that cannot be matched are left out
/// (a UID not known yet stays unknown, for an earlier move to fill in).
fn remap_items(items: Vec<Item>, map: impl Fn(u32) -> Option<u32>) -> Option<Vec<Item>> {
    let items: Vec<Item> = items
        .into_iter()
        .filter_map(|item| match item.uid {
            None => Some(item),
            Some(uid) => map(uid).map(|uid| Item {
                uid: Some(uid),
                ..item
            }),
        })
        .collect();
    (!items.is_empty()).then_some(items)
}

//! The queue of changes made here that a server still has to hear about.
//! Each is committed with the local change it mirrors and removed only
//! after the server confirmed it, so nothing is lost offline or in a crash.

use super::{Store, now};
use crate::error::{Error, Result};
use crate::model::{AccountId, Flags, FolderId, MessageId};
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::HashSet;

/// One queued server operation. UIDs only mean something under the
/// folder's `uidvalidity`; under another they name other mail, so every
/// operation carries the one it was made under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Set (`on`) or clear a flag on messages of one folder. Replaying it
    /// twice is harmless: +FLAGS/-FLAGS are idempotent.
    Flags {
        flag: Flags,
        on: bool,
        uidvalidity: u32,
        uids: Vec<u32>,
    },
    /// Move messages to folder `dest` of the same account. Harmless twice:
    /// the second time the UIDs are no longer in the source folder.
    Move {
        uidvalidity: u32,
        dest: FolderId,
        items: Vec<Item>,
    },
    /// Copy messages to `dest`. Not harmless twice, so a retry first asks
    /// the destination what already arrived (see `Pending::attempts`).
    Copy {
        uidvalidity: u32,
        dest: FolderId,
        items: Vec<Item>,
    },
    /// Delete messages for good (\Deleted, then UID EXPUNGE).
    Expunge { uidvalidity: u32, items: Vec<Item> },
    /// Upload messages kept here into this folder: they were moved or
    /// copied in from another account, so the server has never seen them.
    /// Not harmless twice, so a retry first asks the folder which arrived
    /// already (by Message-ID). Carries no UIDs.
    Append { messages: Vec<MessageId> },
}

/// A message an operation acts on: its local row and its UID in the
/// operation's folder. The UID is unknown while an earlier queued move
/// that brought it here has not reached the server; replaying that move
/// fills it in (see [`Store::resolve_copies`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub message: MessageId,
    pub uid: Option<u32>,
}

/// A queued operation with where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub folder: FolderId,
    pub remote_name: String,
    pub op: Op,
    /// How often sending it was started: above zero, an earlier attempt
    /// may have reached the server before the connection dropped.
    pub attempts: u32,
}

impl Op {
    fn kind(&self) -> &'static str {
        match self {
            Op::Flags { .. } => "flags",
            Op::Move { .. } => "move",
            Op::Copy { .. } => "copy",
            Op::Expunge { .. } => "expunge",
            Op::Append { .. } => "append",
        }
    }

    /// The UIDVALIDITY its UIDs belong to (0: not known when queued).
    pub fn uidvalidity(&self) -> u32 {
        match self {
            Op::Flags { uidvalidity, .. }
            | Op::Move { uidvalidity, .. }
            | Op::Copy { uidvalidity, .. }
            | Op::Expunge { uidvalidity, .. } => *uidvalidity,
            Op::Append { .. } => 0,
        }
    }

    /// The UIDs this operation removes from its folder on the server: a
    /// sync must not fetch them back as new mail meanwhile.
    fn leaving_uids(&self) -> impl Iterator<Item = u32> + '_ {
        let items: &[Item] = match self {
            Op::Move { items, .. } | Op::Expunge { items, .. } => items,
            Op::Flags { .. } | Op::Copy { .. } | Op::Append { .. } => &[],
        };
        items.iter().filter_map(|i| i.uid)
    }

    /// Small, line-free text parsed without surprises:
    /// flags: "<+|-><flag bits> <uidvalidity> <uid,uid,...>";
    /// move/copy: "<uidvalidity> <dest folder> <items>";
    /// expunge: "<uidvalidity> <items>", items being "message:uid" with
    /// "message:-" for a UID not known yet; append: "<message,message,...>".
    pub(super) fn payload(&self) -> String {
        match self {
            Op::Flags {
                flag,
                on,
                uidvalidity,
                uids,
            } => {
                let uids: Vec<String> = uids.iter().map(u32::to_string).collect();
                format!(
                    "{}{} {uidvalidity} {}",
                    if *on { '+' } else { '-' },
                    flag.0,
                    uids.join(",")
                )
            }
            Op::Move {
                uidvalidity,
                dest,
                items,
            }
            | Op::Copy {
                uidvalidity,
                dest,
                items,
            } => format!("{uidvalidity} {dest} {}", items_text(items)),
            Op::Expunge { uidvalidity, items } => {
                format!("{uidvalidity} {}", items_text(items))
            }
            Op::Append { messages } => {
                let ids: Vec<String> = messages.iter().map(ToString::to_string).collect();
                ids.join(",")
            }
        }
    }

    fn parse(kind: &str, payload: &str) -> Option<Op> {
        match kind {
            "flags" => {
                let (head, rest) = payload.split_once(' ')?;
                let (uidvalidity, uids) = rest.split_once(' ')?;
                let uidvalidity = uidvalidity.parse().ok()?;
                let on = head.starts_with('+');
                let flag = Flags(head.get(1..)?.parse().ok()?);
                let uids = uids
                    .split(',')
                    .map(str::parse)
                    .collect::<std::result::Result<Vec<u32>, _>>()
                    .ok()?;
                Some(Op::Flags {
                    flag,
                    on,
                    uidvalidity,
                    uids,
                })
            }
            "move" | "copy" => {
                let mut parts = payload.splitn(3, ' ');
                let uidvalidity = parts.next()?.parse().ok()?;
                let dest = FolderId(parts.next()?.parse().ok()?);
                let items = parse_items(parts.next()?)?;
                Some(if kind == "move" {
                    Op::Move {
                        uidvalidity,
                        dest,
                        items,
                    }
                } else {
                    Op::Copy {
                        uidvalidity,
                        dest,
                        items,
                    }
                })
            }
            "expunge" => {
                let (uidvalidity, items) = payload.split_once(' ')?;
                Some(Op::Expunge {
                    uidvalidity: uidvalidity.parse().ok()?,
                    items: parse_items(items)?,
                })
            }
            "append" => Some(Op::Append {
                messages: payload
                    .split(',')
                    .map(|id| id.parse().ok().map(MessageId))
                    .collect::<Option<_>>()?,
            }),
            _ => None,
        }
    }
}

fn items_text(items: &[Item]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|i| match i.uid {
            Some(uid) => format!("{}:{uid}", i.message),
            None => format!("{}:-", i.message),
        })
        .collect();
    parts.join(",")
}

fn parse_items(text: &str) -> Option<Vec<Item>> {
    text.split(',')
        .map(|part| {
            let (message, uid) = part.split_once(':')?;
            Some(Item {
                message: MessageId(message.parse().ok()?),
                uid: if uid == "-" {
                    None
                } else {
                    Some(uid.parse().ok()?)
                },
            })
        })
        .collect()
}

/// Queue `op` inside the caller's transaction.
pub fn queue(tx: &Transaction<'_>, account: AccountId, folder: FolderId, op: &Op) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO pending_op (account_id, kind, folder_id, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![account.0, op.kind(), folder.0, op.payload(), now()])?;
    Ok(())
}

impl Store {
    /// The account's queued operations, oldest first.
    pub fn pending_ops(&self, account: AccountId) -> Result<Vec<Pending>> {
        self.pending_after(account, 0, i64::MAX)
    }

    /// The account's oldest queued operation after operation `after`.
    pub fn next_pending_op(&self, account: AccountId, after: i64) -> Result<Option<Pending>> {
        Ok(self.pending_after(account, after, 1)?.pop())
    }

    fn pending_after(&self, account: AccountId, after: i64, limit: i64) -> Result<Vec<Pending>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT p.id, p.folder_id, f.remote_name, p.kind, p.payload, p.attempts
             FROM pending_op p JOIN folder f ON f.id = p.folder_id
             WHERE p.account_id = ?1 AND f.remote_name IS NOT NULL AND p.id > ?2
             ORDER BY p.id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![account.0, after, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                FolderId(r.get(1)?),
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, u32>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, folder, remote_name, kind, payload, attempts) = row?;
            let op = Op::parse(&kind, &payload)
                .ok_or_else(|| Error::Internal(format!("unreadable queued operation {id}")))?;
            out.push(Pending {
                id,
                folder,
                remote_name,
                op,
                attempts,
            });
        }
        Ok(out)
    }

    /// Accounts with changes waiting for their server.
    pub fn accounts_with_pending_ops(&self) -> Result<Vec<AccountId>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT DISTINCT account_id FROM pending_op ORDER BY account_id")?;
        let rows = stmt.query_map([], |r| Ok(AccountId(r.get(0)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Record that sending operation `id` starts now, before the first
    /// byte goes out, so a retry knows it may already have happened.
    pub fn note_attempt(&mut self, id: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE pending_op SET attempts = attempts + 1 WHERE id = ?1",
            [id],
        )?;
        Ok(())
    }

    /// The server confirmed operation `id`: forget it.
    pub fn finish_op(&mut self, id: i64) -> Result<()> {
        self.conn()
            .execute("DELETE FROM pending_op WHERE id = ?1", [id])?;
        Ok(())
    }

    /// The queued operations acting on messages of `folder`.
    pub fn ops_in_folder(&self, folder: FolderId) -> Result<Vec<(i64, Op)>> {
        later_ops_from(self.conn(), 0, folder)
    }

    /// The server's name of `folder`, if it lives on a server.
    pub fn remote_name(&self, folder: FolderId) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT remote_name FROM folder WHERE id = ?1",
                [folder.0],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// The Message-ID header of a stored message.
    pub fn message_id_header(&self, message: MessageId) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT message_id FROM message WHERE id = ?1",
                [message.0],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// UIDs that queued operations will take out of `folder` on the
    /// server (moves and deletions not sent yet).
    pub fn leaving_uids(&self, folder: FolderId) -> Result<HashSet<u32>> {
        let validity: Option<u32> = self.conn().query_row(
            "SELECT uidvalidity FROM folder WHERE id = ?1",
            [folder.0],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT kind, payload FROM pending_op WHERE folder_id = ?1 AND kind IN ('move', 'expunge')",
        )?;
        let rows = stmt.query_map([folder.0], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut uids = HashSet::new();
        for row in rows {
            let (kind, payload) = row?;
            // UIDs made under another UIDVALIDITY name other mail now.
            if let Some(op) = Op::parse(&kind, &payload)
                .filter(|op| validity.is_none_or(|v| op.uidvalidity() == v))
            {
                uids.extend(op.leaving_uids());
            }
        }
        Ok(uids)
    }

    /// Operation `op_id` put messages into `dest` and the server named
    /// their new UIDs (`COPYUID`, RFC 4315): give each local row its UID,
    /// or, if the row has moved on locally since, hand the UID to the
    /// queued operations that will move it on from `dest`. Finishes
    /// `op_id` in the same transaction.
    pub fn resolve_copies(
        &mut self,
        op_id: i64,
        dest: FolderId,
        dest_uidvalidity: u32,
        placed: &[(MessageId, u32)],
    ) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        let known_validity: Option<u32> = tx
            .query_row(
                "SELECT uidvalidity FROM folder WHERE id = ?1",
                [dest.0],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        // A folder synced under another UIDVALIDITY is reset by its next
        // sync; UIDs given to it now would be dropped anyway.
        if known_validity.is_none_or(|v| v == dest_uidvalidity) {
            let mut later = later_ops_from(&tx, op_id, dest)?;
            for &(message, uid) in placed {
                let in_dest: bool = tx
                    .query_row(
                        "SELECT 1 FROM message WHERE id = ?1 AND folder_id = ?2 AND uid IS NULL",
                        params![message.0, dest.0],
                        |_| Ok(true),
                    )
                    .optional()?
                    .unwrap_or(false);
                if in_dest {
                    // A sync that ran meanwhile may have fetched the same
                    // server message as new: the local row (with its body
                    // and place in the list) wins over that duplicate.
                    tx.execute(
                        "DELETE FROM message WHERE folder_id = ?1 AND uid = ?2 AND id != ?3",
                        params![dest.0, uid, message.0],
                    )?;
                    tx.execute(
                        "UPDATE message SET uid = ?2 WHERE id = ?1",
                        params![message.0, uid],
                    )?;
                } else {
                    for (_, op) in later.iter_mut() {
                        fill_uid(op, message, uid);
                    }
                }
            }
            for (id, op) in &later {
                tx.execute(
                    "UPDATE pending_op SET payload = ?2 WHERE id = ?1",
                    params![id, op.payload()],
                )?;
            }
        }
        tx.execute("DELETE FROM pending_op WHERE id = ?1", [op_id])?;
        tx.commit()?;
        Ok(())
    }
}

/// Operations queued after `op_id` that act on messages in `folder`.
fn later_ops_from(
    conn: &rusqlite::Connection,
    op_id: i64,
    folder: FolderId,
) -> Result<Vec<(i64, Op)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, payload FROM pending_op WHERE folder_id = ?1 AND id > ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![folder.0, op_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, payload) = row?;
        if let Some(op) = Op::parse(&kind, &payload) {
            out.push((id, op));
        }
    }
    Ok(out)
}

/// Give `message` its UID in an operation that did not know it yet.
fn fill_uid(op: &mut Op, message: MessageId, uid: u32) {
    let items = match op {
        Op::Move { items, .. } | Op::Copy { items, .. } | Op::Expunge { items, .. } => items,
        Op::Flags { .. } | Op::Append { .. } => return,
    };
    for item in items.iter_mut() {
        if item.message == message && item.uid.is_none() {
            item.uid = Some(uid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips() {
        let op = Op::Flags {
            flag: Flags::SEEN,
            on: false,
            uidvalidity: 1_700_000_001,
            uids: vec![3, 9, 12],
        };
        assert_eq!(Op::parse("flags", &op.payload()), Some(op));
        assert_eq!(Op::parse("flags", "+1 x"), None);
        assert_eq!(Op::parse("flags", "+1 3,4"), None, "no uidvalidity");
        assert_eq!(Op::parse("move", "+1 2"), None);

        let items = vec![
            Item {
                message: MessageId(7),
                uid: Some(31),
            },
            Item {
                message: MessageId(8),
                uid: None,
            },
        ];
        for op in [
            Op::Move {
                uidvalidity: 5,
                dest: FolderId(4),
                items: items.clone(),
            },
            Op::Copy {
                uidvalidity: 5,
                dest: FolderId(4),
                items: items.clone(),
            },
            Op::Expunge {
                uidvalidity: 5,
                items: items.clone(),
            },
            Op::Append {
                messages: vec![MessageId(7), MessageId(8)],
            },
        ] {
            assert_eq!(Op::parse(op.kind(), &op.payload()), Some(op));
        }
        assert_eq!(Op::parse("expunge", "5 7:x"), None);
        assert_eq!(Op::parse("append", "7,x"), None);
        assert_eq!(Op::parse("copy", "5 4"), None, "no items");
    }

    #[test]
    fn only_moves_and_deletions_take_uids_away() {
        let item = |uid| Item {
            message: MessageId(1),
            uid,
        };
        let moved = Op::Move {
            uidvalidity: 1,
            dest: FolderId(2),
            items: vec![item(Some(4)), item(None)],
        };
        assert_eq!(moved.leaving_uids().collect::<Vec<_>>(), vec![4]);
        let copied = Op::Copy {
            uidvalidity: 1,
            dest: FolderId(2),
            items: vec![item(Some(4))],
        };
        assert_eq!(copied.leaving_uids().count(), 0);
    }
}

//! The queue of changes made here that a server still has to hear about.
//! Each is committed with the local change it mirrors and removed only
//! after the server confirmed it, so nothing is lost offline or in a crash.

use super::{Store, now};
use crate::error::{Error, Result};
use crate::model::{AccountId, Flags, FolderId};
use rusqlite::{Transaction, params};

/// One queued server operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Set (`on`) or clear a flag on messages of one folder. Replaying it
    /// twice is harmless: +FLAGS/-FLAGS are idempotent. The UIDs only mean
    /// something under `uidvalidity`; under another they name other mail.
    Flags {
        flag: Flags,
        on: bool,
        uidvalidity: u32,
        uids: Vec<u32>,
    },
}

/// A queued operation with where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub folder: FolderId,
    pub remote_name: String,
    pub op: Op,
}

impl Op {
    fn kind(&self) -> &'static str {
        match self {
            Op::Flags { .. } => "flags",
        }
    }

    /// "<+|-><flag bits> <uidvalidity> <uid,uid,...>": small, and parsed
    /// without surprises.
    fn payload(&self) -> String {
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
            _ => None,
        }
    }
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
        let mut stmt = self.conn().prepare_cached(
            "SELECT p.id, p.folder_id, f.remote_name, p.kind, p.payload
             FROM pending_op p JOIN folder f ON f.id = p.folder_id
             WHERE p.account_id = ?1 AND f.remote_name IS NOT NULL ORDER BY p.id",
        )?;
        let rows = stmt.query_map([account.0], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                FolderId(r.get(1)?),
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, folder, remote_name, kind, payload) = row?;
            let op = Op::parse(&kind, &payload)
                .ok_or_else(|| Error::Internal(format!("unreadable queued operation {id}")))?;
            out.push(Pending {
                id,
                folder,
                remote_name,
                op,
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

    /// The server confirmed operation `id`: forget it.
    pub fn finish_op(&mut self, id: i64) -> Result<()> {
        self.conn()
            .execute("DELETE FROM pending_op WHERE id = ?1", [id])?;
        Ok(())
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
    }
}

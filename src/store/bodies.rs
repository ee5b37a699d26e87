//! Bodies kept for offline reading and full-text search: which server
//! messages still lack a whole body, storing fetched bodies a batch per
//! transaction, and the per-account "download bodies" setting.

use super::Store;
use crate::error::{Error, Result};
use crate::mime::parse::Parsed;
use crate::model::{AccountId, FolderId, MessageId};
use rusqlite::{OptionalExtension, Transaction, params};

/// A server message whose body is not here (or only partly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingBody {
    pub id: MessageId,
    pub uid: u32,
    /// RFC822.SIZE as the server announced it.
    pub size: u64,
}

/// A body as it came off the wire, with what was parsed from it (`None`
/// when it could not be parsed: it is kept, just not indexed).
pub struct FetchedBody<'a> {
    pub id: MessageId,
    pub raw: &'a [u8],
    pub parsed: Option<&'a Parsed>,
}

impl Store {
    /// Whether `account` keeps every body for offline use.
    pub fn offline_bodies(&self, account: AccountId) -> Result<bool> {
        self.conn()
            .query_row(
                "SELECT offline_bodies FROM account WHERE id = ?1",
                [account.0],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(Error::NotFound { what: "account" })
    }

    pub fn set_offline_bodies(&mut self, account: AccountId, on: bool) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE account SET offline_bodies = ?2 WHERE id = ?1",
            params![account.0, on],
        )?;
        if changed == 0 {
            return Err(Error::NotFound { what: "account" });
        }
        Ok(())
    }

    /// The account's server folders, INBOX first, then in list order.
    pub fn remote_folders(&self, account: AccountId) -> Result<Vec<(FolderId, String)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, remote_name FROM folder
             WHERE account_id = ?1 AND remote_name IS NOT NULL
             ORDER BY upper(remote_name) != 'INBOX', position, id",
        )?;
        let rows = stmt.query_map([account.0], |r| Ok((FolderId(r.get(0)?), r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Messages of `folder` that came from the server and have no whole
    /// body yet, newest (highest UID) first.
    pub fn missing_bodies(&self, folder: FolderId) -> Result<Vec<MissingBody>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, uid, size FROM message
             WHERE folder_id = ?1 AND uid IS NOT NULL AND body_state != 'complete'
             ORDER BY uid DESC",
        )?;
        let rows = stmt.query_map([folder.0], |r| {
            Ok(MissingBody {
                id: MessageId(r.get(0)?),
                uid: r.get(1)?,
                size: r.get::<_, i64>(2)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Store fetched bodies in one transaction. Each is complete only if it
    /// has the announced size (see [`put_body`]); messages deleted in the
    /// meantime are skipped. Returns how many were stored complete.
    pub fn store_bodies(&mut self, bodies: &[FetchedBody<'_>]) -> Result<usize> {
        let tx = self.conn_mut().transaction()?;
        let mut complete = Vec::with_capacity(bodies.len());
        for b in bodies {
            if save_body(&tx, b.id, b.raw, b.parsed)? == Some(true) {
                complete.push(b);
            }
        }
        // The full-text entries after all rows: see `remote::insert_headers`.
        for b in &complete {
            if let Some(p) = b.parsed {
                super::messages::index(&tx, b.id, p, &p.body)?;
            }
        }
        tx.commit()?;
        Ok(complete.len())
    }
}

/// Store one fetched body inside the caller's transaction and index it.
/// Only a body of at least the announced size is complete, kept and
/// indexed; a short one (a transfer cut off) only marks the message
/// 'partial', to be fetched again. `None` if the message no longer exists.
pub(crate) fn put_body(
    tx: &Transaction<'_>,
    id: MessageId,
    raw: &[u8],
    parsed: Option<&Parsed>,
) -> Result<Option<bool>> {
    let complete = save_body(tx, id, raw, parsed)?;
    if complete == Some(true)
        && let Some(p) = parsed
    {
        super::messages::index(tx, id, p, &p.body)?;
    }
    Ok(complete)
}

/// [`put_body`] without the full-text entry, which the caller writes.
fn save_body(
    tx: &Transaction<'_>,
    id: MessageId,
    raw: &[u8],
    parsed: Option<&Parsed>,
) -> Result<Option<bool>> {
    let Some(expected) = tx
        .prepare_cached("SELECT size FROM message WHERE id = ?1")?
        .query_row([id.0], |r| r.get::<_, i64>(0))
        .optional()?
    else {
        return Ok(None);
    };
    let complete = raw.len() as i64 >= expected;
    if !complete {
        tx.prepare_cached("UPDATE message SET body_state = 'partial' WHERE id = ?1")?
            .execute([id.0])?;
        return Ok(Some(false));
    }
    tx.prepare_cached("INSERT OR REPLACE INTO message_body (message_id, raw) VALUES (?1, ?2)")?
        .execute(params![id.0, raw])?;
    match parsed {
        Some(p) => tx
            .prepare_cached(
                "UPDATE message SET preview = ?2, has_attachments = ?3, body_state = 'complete'
                 WHERE id = ?1",
            )?
            .execute(params![id.0, p.preview, !p.attachments.is_empty()])?,
        None => tx
            .prepare_cached("UPDATE message SET body_state = 'complete' WHERE id = ?1")?
            .execute([id.0])?,
    };
    Ok(Some(true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{NewAccount, Protocol, Security, Server};
    use crate::model::Flags;
    use crate::store::remote::{self, RemoteFolder, RemoteHeader};

    fn store_with_folder() -> (tempfile::TempDir, Store, AccountId, FolderId) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let account = store
            .add_account(&NewAccount {
                name: "Server".into(),
                email: "a@example.test".into(),
                incoming: Server {
                    protocol: Protocol::Imap,
                    host: "imap.example.test".into(),
                    port: 993,
                    security: Security::Tls,
                    username: "a".into(),
                    extra_ca_pem: None,
                    pinned_sha256: None,
                },
                outgoing: None,
            })
            .unwrap();
        let folder = store
            .sync_folder_list(
                account,
                &[RemoteFolder {
                    remote_name: "INBOX".into(),
                    delimiter: Some("/".into()),
                    path: vec!["INBOX".into()],
                    role: None,
                }],
            )
            .unwrap()[0]
            .0;
        (dir, store, account, folder)
    }

    fn header(subject: &str) -> Parsed {
        Parsed {
            subject: subject.into(),
            from_addr: "s@example.test".into(),
            date: Some(1_795_000_000),
            ..Parsed::default()
        }
    }

    #[test]
    fn the_setting_is_off_by_default_and_kept() {
        let (_dir, mut store, account, _) = store_with_folder();
        assert!(!store.offline_bodies(account).unwrap());
        store.set_offline_bodies(account, true).unwrap();
        assert!(store.offline_bodies(account).unwrap());
        assert!(store.set_offline_bodies(AccountId(999), true).is_err());
        assert!(store.offline_bodies(AccountId(999)).is_err());
    }

    #[test]
    fn bodies_are_stored_whole_or_marked_partial_and_a_known_uid_keeps_its_index() {
        let (_dir, mut store, _, folder) = store_with_folder();
        let raw = b"Subject: alpha\r\n\r\nthe zebra body\r\n".to_vec();
        let parsed_a = header("alpha");
        let parsed_b = header("beta");
        let row = |uid, parsed, flags| RemoteHeader {
            uid,
            flags,
            size: raw.len() as u64,
            internal_date: 0,
            parsed,
            has_attachments: false,
        };
        let ids = {
            let tx = store.batch().unwrap();
            let ids = remote::insert_headers(
                &tx,
                folder,
                &[
                    row(2, &parsed_b, Flags::default()),
                    row(1, &parsed_a, Flags::default()),
                ],
            )
            .unwrap();
            tx.commit().unwrap();
            ids
        };
        let missing = store.missing_bodies(folder).unwrap();
        assert_eq!(missing.iter().map(|m| m.uid).collect::<Vec<_>>(), [2, 1]);

        let body = crate::mime::parse::parse(&raw).unwrap();
        let short = &raw[..10];
        let stored = store
            .store_bodies(&[
                FetchedBody {
                    id: ids[1],
                    raw: &raw,
                    parsed: Some(&body),
                },
                FetchedBody {
                    id: ids[0],
                    raw: short,
                    parsed: None,
                },
            ])
            .unwrap();
        assert_eq!(stored, 1);
        assert!(store.has_body(ids[1]).unwrap());
        assert!(!store.has_body(ids[0]).unwrap(), "short body is partial");
        assert!(store.raw_message(ids[0]).is_err());
        assert_eq!(store.missing_bodies(folder).unwrap().len(), 1);
        assert_eq!(
            store
                .search(
                    &crate::search::Query::parse("zebra"),
                    crate::search::Scope::All,
                    10
                )
                .unwrap()
                .len(),
            1
        );

        // The same UID seen again: flags taken, row and body index kept.
        let tx = store.batch().unwrap();
        let again = remote::insert_headers(&tx, folder, &[row(1, &parsed_a, Flags::SEEN)]).unwrap();
        tx.commit().unwrap();
        assert_eq!(again, [ids[1]]);
        assert_eq!(
            store
                .search(
                    &crate::search::Query::parse("zebra"),
                    crate::search::Scope::All,
                    10
                )
                .unwrap()
                .len(),
            1
        );
        assert!(store.uid_map(folder).unwrap()[&1].1.contains(Flags::SEEN));
        assert_eq!(
            store
                .message_count(folder, &crate::model::ListQuery::default())
                .unwrap(),
            2
        );
    }

    #[test]
    fn header_rows_wait_for_their_index_and_leave_the_queue_once_indexed_or_gone() {
        let (_dir, mut store, _, folder) = store_with_folder();
        let subjects = ["alpha", "beta", "gamma", "delta"].map(header);
        let raw = b"Subject: alpha\r\n\r\nthe zebra body\r\n".to_vec();
        let size = raw.len() as u64;
        let insert = |store: &mut Store, uid: u32| {
            let row = RemoteHeader {
                uid,
                flags: Flags::default(),
                size,
                internal_date: 0,
                parsed: &subjects[uid as usize - 1],
                has_attachments: false,
            };
            let tx = store.batch().unwrap();
            let ids = remote::insert_headers(&tx, folder, &[row]).unwrap();
            tx.commit().unwrap();
            ids[0]
        };
        let alpha = insert(&mut store, 1);
        insert(&mut store, 2);
        insert(&mut store, 3);
        assert_eq!(store.pending_index().unwrap(), 3);

        // A body indexes its message itself.
        let parsed = crate::mime::parse::parse(&raw).unwrap();
        let body = FetchedBody {
            id: alpha,
            raw: &raw,
            parsed: Some(&parsed),
        };
        assert_eq!(store.store_bodies(&[body]).unwrap(), 1);
        assert_eq!(store.pending_index().unwrap(), 2);
        // A message expunged before its turn leaves the queue with its row.
        store.apply_remote_changes(folder, &[], &[2]).unwrap();
        assert_eq!(store.pending_index().unwrap(), 1);

        assert_eq!(store.index_pending(10).unwrap(), 1);
        assert_eq!(store.pending_index().unwrap(), 0);
        assert_eq!(store.index_pending(10).unwrap(), 0);
        let found = |store: &mut Store, q: &str| {
            store
                .search(
                    &crate::search::Query::parse(q),
                    crate::search::Scope::All,
                    10,
                )
                .unwrap()
                .len()
        };
        assert_eq!(found(&mut store, "zebra"), 1);
        assert_eq!(found(&mut store, "gamma"), 1);
        assert_eq!(found(&mut store, "beta"), 0);

        // A search never misses a listed message: it catches up first.
        insert(&mut store, 4);
        assert_eq!(store.pending_index().unwrap(), 1);
        assert_eq!(found(&mut store, "delta"), 1);
        assert_eq!(store.pending_index().unwrap(), 0);
    }
}

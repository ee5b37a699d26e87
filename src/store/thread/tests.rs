//! The thread assignment rules, through every way a message is stored.

use super::*;
use crate::account::{NewAccount, Protocol, Security, Server};
use crate::model::{Flags, ListQuery};
use crate::store::folders::LOCAL_ACCOUNT;
use crate::store::messages::{self, NewMessage};
use crate::store::remote::{self, RemoteFolder, RemoteHeader};

const DAY: i64 = 24 * 3600;
const T0: i64 = 1_790_000_000;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    inbox: FolderId,
    trash: FolderId,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    let inbox = store.folder_by_role(LOCAL_ACCOUNT, Role::Inbox).unwrap().id;
    let trash = store.folder_by_role(LOCAL_ACCOUNT, Role::Trash).unwrap().id;
    Fixture {
        _dir: dir,
        store,
        inbox,
        trash,
    }
}

fn mail(id: &str, in_reply_to: Option<&str>, refs: &[&str], subject: &str, date: i64) -> Parsed {
    Parsed {
        subject: subject.into(),
        from_addr: "s@example.test".into(),
        date: Some(date),
        message_id: (!id.is_empty()).then(|| id.to_string()),
        in_reply_to: in_reply_to.map(str::to_string),
        references: refs.iter().map(|r| r.to_string()).collect(),
        ..Parsed::default()
    }
}

fn put(store: &mut Store, folder: FolderId, p: &Parsed) -> MessageId {
    let tx = store.batch().unwrap();
    let id = messages::insert(
        &tx,
        folder,
        &NewMessage {
            raw: b"Subject: x\r\n\r\nx",
            parsed: p,
            flags: Flags::default(),
            fallback_date: 0,
        },
    )
    .unwrap();
    tx.commit().unwrap();
    id
}

fn thread(store: &Store, id: MessageId) -> i64 {
    store
        .conn()
        .query_row("SELECT thread_id FROM message WHERE id = ?1", [id.0], |r| {
            r.get(0)
        })
        .unwrap()
}

fn reply(id: &str, parent: &str, subject: &str, date: i64) -> Parsed {
    mail(id, Some(parent), &[parent], subject, date)
}

#[test]
fn a_reply_joins_its_parent_stored_before_it() {
    let Fixture {
        _dir,
        mut store,
        inbox,
        ..
    } = fixture();
    let p = put(&mut store, inbox, &mail("p@x", None, &[], "Plan", T0));
    let c = put(&mut store, inbox, &reply("c@x", "p@x", "Re: Plan", T0 + 60));
    let other = put(&mut store, inbox, &mail("o@x", None, &[], "Other", T0));
    assert_eq!(thread(&store, p), thread(&store, c));
    assert_ne!(thread(&store, p), thread(&store, other));
}

#[test]
fn a_parent_stored_after_its_reply_joins_the_reply() {
    let Fixture {
        _dir,
        mut store,
        inbox,
        ..
    } = fixture();
    let c = put(&mut store, inbox, &reply("c@x", "p@x", "Re: Plan", T0 + 60));
    let p = put(&mut store, inbox, &mail("p@x", None, &[], "Plan", T0));
    assert_eq!(thread(&store, p), thread(&store, c));
}

#[test]
fn a_missing_middle_message_still_links_both_ends_and_joins_later() {
    let Fixture {
        _dir,
        mut store,
        inbox,
        ..
    } = fixture();
    // c answers b, which answers a; b is not here yet.
    let c = put(
        &mut store,
        inbox,
        &mail("c@x", Some("b@x"), &["a@x", "b@x"], "Re: Plan", T0 + 120),
    );
    let a = put(&mut store, inbox, &mail("a@x", None, &[], "Plan", T0));
    assert_eq!(thread(&store, a), thread(&store, c));
    let b = put(&mut store, inbox, &reply("b@x", "a@x", "Re: Plan", T0 + 60));
    assert_eq!(thread(&store, b), thread(&store, a));
}

#[test]
fn a_message_linking_two_threads_merges_them() {
    let Fixture {
        _dir,
        mut store,
        inbox,
        ..
    } = fixture();
    // Two replies to b (not here), and a; b then links them with a.
    let a = put(&mut store, inbox, &mail("a@x", None, &[], "Plan", T0));
    let c1 = put(
        &mut store,
        inbox,
        &mail("c1@x", Some("b@x"), &["b@x"], "Re: Plan", T0 + 90),
    );
    let c2 = put(
        &mut store,
        inbox,
        &mail("c2@x", Some("c1@x"), &["b@x", "c1@x"], "Re: Plan", T0 + 95),
    );
    assert_ne!(thread(&store, a), thread(&store, c1));
    assert_eq!(thread(&store, c1), thread(&store, c2));
    let b = put(&mut store, inbox, &reply("b@x", "a@x", "Re: Plan", T0 + 60));
    let t = thread(&store, a);
    assert!([b, c1, c2].iter().all(|&m| thread(&store, m) == t));
    // A later reply to the merged-away thread's placeholder lands there too.
    let d = put(
        &mut store,
        inbox,
        &mail("d@x", Some("b@x"), &["b@x"], "Re: Plan", T0 + 99),
    );
    assert_eq!(thread(&store, d), t);
    let ids: Vec<MessageId> = store
        .conversation(c2)
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, vec![a, b, c1, c2, d], "oldest first");
}

#[test]
fn subject_fallback_needs_a_reply_prefix_no_links_and_30_days() {
    let Fixture {
        _dir,
        mut store,
        inbox,
        ..
    } = fixture();
    let first = put(
        &mut store,
        inbox,
        &mail("s1@x", None, &[], "Budget 2027", T0),
    );
    let re = put(
        &mut store,
        inbox,
        &mail("s2@x", None, &[], "RE: budget 2027", T0 + DAY),
    );
    assert_eq!(thread(&store, re), thread(&store, first));
    let aw = put(
        &mut store,
        inbox,
        &mail("s3@x", None, &[], "AW: Budget 2027", T0 - 2 * DAY),
    );
    assert_eq!(
        thread(&store, aw),
        thread(&store, first),
        "either side in time"
    );
    let late = put(
        &mut store,
        inbox,
        &mail("s4@x", None, &[], "Re: Budget 2027", T0 + 40 * DAY),
    );
    assert_ne!(
        thread(&store, late),
        thread(&store, first),
        "outside 30 days"
    );
    // Same subject without a prefix: unrelated mail.
    let same = put(
        &mut store,
        inbox,
        &mail("s5@x", None, &[], "Budget 2027", T0 + DAY),
    );
    assert_ne!(thread(&store, same), thread(&store, first));
    // A reply naming a parent is threaded by it, not by subject.
    let linked = put(
        &mut store,
        inbox,
        &reply("s6@x", "elsewhere@x", "Re: Budget 2027", T0),
    );
    assert_ne!(thread(&store, linked), thread(&store, first));
}

fn second_account(store: &mut Store) -> (AccountId, FolderId) {
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
                role: Some(Role::Inbox),
            }],
        )
        .unwrap()[0]
        .0;
    (account, folder)
}

fn header(uid: u32, p: &Parsed) -> RemoteHeader<'_> {
    RemoteHeader {
        uid,
        flags: Flags::default(),
        internal_date: p.date.unwrap_or(0),
        size: 100,
        has_attachments: false,
        parsed: p,
    }
}

#[test]
fn different_accounts_never_share_a_thread() {
    let Fixture {
        _dir,
        mut store,
        inbox,
        ..
    } = fixture();
    let (_, server_inbox) = second_account(&mut store);
    let p = put(&mut store, inbox, &mail("p@x", None, &[], "Plan", T0));
    let tx = store.batch().unwrap();
    let replies = [
        reply("c@x", "p@x", "Re: Plan", T0 + 60),
        mail("d@x", None, &[], "Re: Plan", T0 + 60),
        mail("p@x", None, &[], "Plan", T0),
    ];
    let rows: Vec<_> = replies
        .iter()
        .enumerate()
        .map(|(i, p)| header(i as u32 + 1, p))
        .collect();
    let ids = remote::insert_headers(&tx, server_inbox, &rows).unwrap();
    tx.commit().unwrap();
    for id in &ids {
        assert_ne!(thread(&store, *id), thread(&store, p));
    }
    // Within that account they are one conversation.
    assert_eq!(thread(&store, ids[0]), thread(&store, ids[2]));
    assert_eq!(thread(&store, ids[1]), thread(&store, ids[2]));

    // Moved or copied across, a message takes the other account's thread.
    let q = put(&mut store, inbox, &reply("q@x", "p@x", "Re: Plan", T0 + 70));
    assert_eq!(thread(&store, q), thread(&store, p));
    let copy = store.copy_messages(&[p], server_inbox).unwrap()[0];
    assert_eq!(thread(&store, copy), thread(&store, ids[2]));
    assert_ne!(
        thread(&store, p),
        thread(&store, ids[2]),
        "the original stays"
    );
    store.move_messages(&[q], server_inbox).unwrap();
    assert_eq!(thread(&store, q), thread(&store, ids[2]));
}

#[test]
fn a_header_batch_threads_replies_that_come_before_their_parent() {
    let Fixture {
        _dir, mut store, ..
    } = fixture();
    let (_, folder) = second_account(&mut store);
    // Newest first, as a sync fetches them.
    let mails = [
        mail("c@x", Some("b@x"), &["a@x", "b@x"], "Re: Plan", T0 + 120),
        mail("z@x", None, &[], "Other", T0 + 100),
        reply("b@x", "a@x", "Re: Plan", T0 + 60),
        mail("a@x", None, &[], "Plan", T0),
    ];
    let rows: Vec<_> = mails
        .iter()
        .enumerate()
        .map(|(i, p)| header(10 - i as u32, p))
        .collect();
    let tx = store.batch().unwrap();
    let ids = remote::insert_headers(&tx, folder, &rows).unwrap();
    tx.commit().unwrap();
    let t = thread(&store, ids[3]);
    assert_eq!(thread(&store, ids[0]), t);
    assert_eq!(thread(&store, ids[2]), t);
    assert_ne!(thread(&store, ids[1]), t);

    let q = ListQuery {
        threads: true,
        ..ListQuery::default()
    };
    let rows = store.message_page(folder, &q, 0, 10).unwrap();
    let heads: Vec<(MessageId, u32)> = rows.iter().map(|m| (m.id, m.thread_size)).collect();
    assert_eq!(
        heads,
        vec![(ids[0], 3), (ids[1], 1)],
        "newest message of each thread"
    );
    assert_eq!(store.message_count(folder, &q).unwrap(), 2);
}

#[test]
fn a_conversation_lists_a_message_in_two_folders_once_preferring_outside_trash() {
    let Fixture {
        _dir,
        mut store,
        inbox,
        trash,
    } = fixture();
    let p = mail("p@x", None, &[], "Plan", T0);
    let in_trash = put(&mut store, trash, &p);
    let kept = put(&mut store, inbox, &p);
    let c = put(&mut store, inbox, &reply("c@x", "p@x", "Re: Plan", T0 + 60));
    let ids: Vec<MessageId> = store
        .conversation(c)
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, vec![kept, c]);
    assert_eq!(thread(&store, in_trash), thread(&store, c));
}

#[test]
fn the_migration_threads_rows_stored_before_it() {
    let Fixture {
        _dir,
        mut store,
        inbox,
        ..
    } = fixture();
    let c = put(&mut store, inbox, &reply("c@x", "p@x", "Re: Plan", T0 + 60));
    let p = put(&mut store, inbox, &mail("p@x", None, &[], "Plan", T0));
    let conn = store.conn_mut();
    conn.execute_batch(
        "UPDATE message SET thread_id = NULL, sender_key = '', subject_key = '';
         DELETE FROM thread_ref; DELETE FROM thread;",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    backfill(&tx).unwrap();
    tx.commit().unwrap();
    assert_eq!(thread(&store, p), thread(&store, c));
    let key: String = store
        .conn()
        .query_row(
            "SELECT subject_key FROM message WHERE id = ?1",
            [c.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(key, "plan");
}

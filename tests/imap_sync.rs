//! The IMAP sync engine against real Dovecot: headers first and newest
//! first in committed batches, bodies on demand, flags and expunges from
//! another client, UIDVALIDITY changes, the folder list with roles and
//! non-ASCII names.

mod support;

use futures::TryStreamExt;
use poshta::model::{AccountId, Flags, FolderId, Role};
use poshta::search::{Query, Scope};
use poshta::store::remote::RemoteFolder;
use poshta::store::{Shared, Store};
use poshta::sync::imap::{Mode, fetch_body, sync_account, sync_folder, sync_folder_with};
use std::sync::{Arc, Mutex};
use support::mailbox::message;

/// UID STORE as another client would, waiting for the server's answer.
async fn uid_store(session: &mut support::imap::Session, uids: &str, query: &str) {
    let _: Vec<_> = session
        .uid_store(uids, query)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
}

fn store() -> (tempfile::TempDir, Shared, AccountId) {
    support::mailbox::store(support::servers())
}

/// A fresh mailbox of alice's holding `count` messages, and its folder row.
async fn mailbox_with(
    session: &mut support::imap::Session,
    store: &Shared,
    account: AccountId,
    tag: &str,
    count: usize,
) -> (String, FolderId) {
    support::mailbox::create(session, store, account, tag, count, None).await
}

#[tokio::test]
async fn headers_arrive_newest_first_in_batches_and_bodies_on_demand() {
    let servers = support::servers();
    let mut session = support::imap::login(servers, servers.user("alice")).await;
    let (_dir, store, account) = store();
    let (name, folder) = mailbox_with(&mut session, &store, account, "batches", 1200).await;

    // After each committed batch, record the lowest UID stored so far.
    let lowest = Arc::new(Mutex::new(Vec::new()));
    let seen = lowest.clone();
    let shared = store.clone();
    // Plain EXAMINE here (no CONDSTORE); the other tests use CONDSTORE.
    let summary = sync_folder(
        &mut session,
        &store,
        folder,
        &name,
        false,
        move |fetched, total| {
            let uids = poshta::store::lock(shared.mutex()).uid_map(folder).unwrap();
            seen.lock()
                .unwrap()
                .push((fetched, total, uids.keys().min().copied(), uids.len()));
        },
    )
    .await
    .unwrap();
    assert_eq!(summary.new_messages, 1200);
    let batches = lowest.lock().unwrap().clone();
    // The newest 500 alone first (the first screen at once), the rest in
    // a bigger batch; each report sees exactly what was committed.
    assert_eq!(
        batches,
        vec![(500, 1200, Some(701), 500), (1200, 1200, Some(1), 1200)],
        "newest first, committed per batch"
    );
    // Their full-text rows come after the list; a search catches up first.
    assert_eq!(store.run(|s| s.pending_index()).await.unwrap(), 1200);
    let hits = store
        .run(|s| s.search(&Query::parse("batches message 700"), Scope::All, 10))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(store.run(|s| s.pending_index()).await.unwrap(), 0);

    let rows = store
        .run(move |s| s.message_page(folder, &poshta::model::ListQuery::default(), 0, 5))
        .await
        .unwrap();
    assert_eq!(rows[0].subject, "batches message 1200", "{rows:?}");
    let newest = rows[0].id;
    assert!(!store.run(move |s| s.has_body(newest)).await.unwrap());

    // The body comes on demand and is stored complete.
    let (_, remote_name, uid) = store
        .run(move |s| s.remote_location(newest))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(uid, 1200);
    let raw = fetch_body(&mut session, &remote_name, uid).await.unwrap();
    assert_eq!(raw, message(1200, "batches"));
    let parsed = poshta::mime::parse::parse(&raw).unwrap();
    let complete = store
        .run(move |s| s.store_body(newest, &raw, Some(&parsed)))
        .await
        .unwrap();
    assert!(complete);
    assert!(store.run(move |s| s.has_body(newest)).await.unwrap());
    // Once the body is in, full-text search finds its words.
    let hits = store
        .run(|s| s.search(&Query::parse("batches 1200"), Scope::All, 10))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);

    // A second sync with nothing new fetches nothing.
    let again = sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    assert_eq!(again.new_messages, 0);
    session.logout().await.unwrap();
}

#[tokio::test]
async fn a_short_body_is_never_marked_complete() {
    let servers = support::servers();
    let mut session = support::imap::login(servers, servers.user("alice")).await;
    let (_dir, store, account) = store();
    let (name, folder) = mailbox_with(&mut session, &store, account, "short", 1).await;
    sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    let id = store
        .run(move |s| s.message_page(folder, &poshta::model::ListQuery::default(), 0, 1))
        .await
        .unwrap()[0]
        .id;
    let full = message(1, "short");
    let cut = full[..full.len() / 2].to_vec();
    let complete = store
        .run(move |s| s.store_body(id, &cut, None))
        .await
        .unwrap();
    assert!(!complete);
    assert!(!store.run(move |s| s.has_body(id)).await.unwrap());
    assert!(store.run(move |s| s.raw_message(id)).await.is_err());
}

#[tokio::test]
async fn flags_and_expunges_made_elsewhere_arrive_with_the_next_sync() {
    let servers = support::servers();
    let mut session = support::imap::login(servers, servers.user("alice")).await;
    let (_dir, store, account) = store();
    let (name, folder) = mailbox_with(&mut session, &store, account, "flags", 5).await;
    sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        store.run(move |s| s.folder(folder)).await.unwrap().unread,
        5
    );

    // Another client reads 1 and 2, flags 3 and expunges 5.
    let mut other = support::imap::login(servers, servers.user("alice")).await;
    other.select(&name).await.unwrap();
    uid_store(&mut other, "1:2", "+FLAGS (\\Seen)").await;
    uid_store(&mut other, "3", "+FLAGS (\\Flagged)").await;
    uid_store(&mut other, "5", "+FLAGS (\\Deleted)").await;
    let _: Vec<_> = other
        .uid_expunge("5")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    other.logout().await.unwrap();

    let summary = sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    assert_eq!((summary.flag_changes, summary.removed), (3, 1));
    // CONDSTORE: only the three changed messages' flags were read, not all four.
    assert_eq!(summary.flags_checked, 3);
    let f = store.run(move |s| s.folder(folder)).await.unwrap();
    assert_eq!((f.total, f.unread), (4, 2));
    let quiet = sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    assert_eq!(quiet.flags_checked, 0, "nothing changed: no flags read");
    let uids = store.run(move |s| s.uid_map(folder)).await.unwrap();
    assert!(uids[&1].1.contains(Flags::SEEN));
    assert!(uids[&3].1.contains(Flags::FLAGGED));
    assert!(!uids.contains_key(&5));
    session.logout().await.unwrap();
}

#[tokio::test]
async fn with_qresync_expunges_arrive_as_vanished_and_new_mail_above_the_known() {
    let servers = support::servers();
    let mut session = support::imap::login(servers, servers.user("alice")).await;
    session
        .run_command_and_check_ok("ENABLE QRESYNC")
        .await
        .unwrap();
    let (_dir, store, account) = store();
    let (name, folder) = mailbox_with(&mut session, &store, account, "qresync", 6).await;
    let mode = Mode {
        condstore: true,
        qresync: true,
    };
    let first = sync_folder_with(&mut session, &store, folder, &name, mode, |_, _| {})
        .await
        .unwrap();
    assert_eq!(first.new_messages, 6);

    // Another client flags 2, expunges 3 and 5, and a message arrives.
    let mut other = support::imap::login(servers, servers.user("alice")).await;
    other.select(&name).await.unwrap();
    uid_store(&mut other, "2", "+FLAGS (\\Flagged)").await;
    uid_store(&mut other, "3,5", "+FLAGS (\\Deleted)").await;
    let _: Vec<_> = other
        .uid_expunge("3,5")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    other
        .append(&name, None, None, &message(7, "qresync"))
        .await
        .unwrap();
    other.logout().await.unwrap();

    let summary = sync_folder_with(&mut session, &store, folder, &name, mode, |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        (summary.flag_changes, summary.removed, summary.new_messages),
        (1, 2, 1),
        "{summary:?}"
    );
    let uids = store.run(move |s| s.uid_map(folder)).await.unwrap();
    let mut listed: Vec<u32> = uids.keys().copied().collect();
    listed.sort_unstable();
    assert_eq!(listed, vec![1, 2, 4, 6, 7]);
    assert!(uids[&2].1.contains(Flags::FLAGGED));

    let quiet = sync_folder_with(&mut session, &store, folder, &name, mode, |_, _| {})
        .await
        .unwrap();
    assert_eq!(quiet, poshta::sync::Summary::default(), "nothing changed");
    session.logout().await.unwrap();

    // That was the quick path: it asks for VANISHED, which a session
    // without ENABLE QRESYNC is refused.
    let mut plain = support::imap::login(servers, servers.user("alice")).await;
    plain.select(&name).await.unwrap();
    uid_store(&mut plain, "1", "+FLAGS (\\Seen)").await;
    let refused = sync_folder_with(&mut plain, &store, folder, &name, mode, |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(
        refused.kind(),
        poshta::ErrorKind::ServerRefused,
        "{refused}"
    );
}

#[tokio::test]
async fn a_recreated_mailbox_drops_the_old_cache() {
    let servers = support::servers();
    let mut session = support::imap::login(servers, servers.user("alice")).await;
    let (_dir, store, account) = store();
    let (name, folder) = mailbox_with(&mut session, &store, account, "validity", 3).await;
    sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    let before = store.run(move |s| s.sync_state(folder)).await.unwrap();

    // Another client recreates it (the server would close a session that
    // has the deleted mailbox selected).
    let mut other = support::imap::login(servers, servers.user("alice")).await;
    other.delete(&name).await.unwrap();
    other.create(&name).await.unwrap();
    other
        .append(&name, None, None, &message(99, "renewed"))
        .await
        .unwrap();
    other.logout().await.unwrap();
    sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    let after = store.run(move |s| s.sync_state(folder)).await.unwrap();
    assert_ne!(before.uidvalidity, after.uidvalidity);
    let rows = store
        .run(move |s| s.message_page(folder, &poshta::model::ListQuery::default(), 0, 10))
        .await
        .unwrap();
    let subjects: Vec<_> = rows.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects,
        vec!["renewed message 99"],
        "no stale message survives"
    );
    session.logout().await.unwrap();
}

#[tokio::test]
async fn the_folder_list_keeps_roles_hierarchy_and_decoded_names() {
    let servers = support::servers();
    // carol is used by this test only, so her folder list is predictable.
    let mut session = support::imap::login(servers, servers.user("carol")).await;
    // "Отчёты" and "Отчёты/2026", created under their modified UTF-7 names.
    let reports = poshta::imap::mutf7::encode("Отчёты");
    let _ = session.create(&reports).await;
    let _ = session.create(format!("{reports}/2026")).await;
    servers.deliver("carol", &message(1, "inbox"));
    let (_dir, store, account) = store();
    let mut folders_seen = Vec::new();
    let summary = sync_account(&mut session, &store, account, |p| {
        if folders_seen.last() != Some(&p.folder) {
            folders_seen.push(p.folder.clone());
        }
    })
    .await
    .unwrap();
    assert_eq!(folders_seen.first().map(String::as_str), Some("INBOX"));
    assert!(summary.new_messages >= 1);
    let folders = store.run(|s| s.folders()).await.unwrap();
    let mine: Vec<_> = folders.iter().filter(|f| f.account_id == account).collect();
    // Special folders first, in the usual order, then the user's own.
    let roles: Vec<_> = mine.iter().map(|f| f.role).collect();
    assert_eq!(
        roles[..6],
        [
            Some(Role::Inbox),
            Some(Role::Drafts),
            Some(Role::Sent),
            Some(Role::Archive),
            Some(Role::Junk),
            Some(Role::Trash)
        ],
        "{mine:#?}"
    );
    let parent = mine
        .iter()
        .find(|f| f.name == "Отчёты")
        .expect("decoded name");
    let child = mine.iter().find(|f| f.name == "2026").expect("child");
    assert_eq!(child.parent_id, Some(parent.id));

    // Deleting a folder on the server removes it here on the next sync.
    let mut other = support::imap::login(servers, servers.user("carol")).await;
    other.delete(format!("{reports}/2026")).await.unwrap();
    other.logout().await.unwrap();
    sync_account(&mut session, &store, account, |_| {})
        .await
        .unwrap();
    let folders = store.run(|s| s.folders()).await.unwrap();
    assert!(
        !folders
            .iter()
            .any(|f| f.name == "2026" && f.account_id == account)
    );
    session.logout().await.unwrap();
}

#[tokio::test]
async fn changes_made_here_are_queued_survive_a_restart_and_reach_the_server() {
    let servers = support::servers();
    let mut session = support::imap::login(servers, servers.user("alice")).await;
    let (dir, store, account) = store();
    let (name, folder) = mailbox_with(&mut session, &store, account, "queued", 3).await;
    sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    let uids = store.run(move |s| s.uid_map(folder)).await.unwrap();
    let (two, three) = (uids[&2].0, uids[&3].0);
    store
        .run(move |s| {
            s.set_flag(&[two], Flags::SEEN, true)?;
            s.set_flag(&[three], Flags::FLAGGED, true)
        })
        .await
        .unwrap();
    assert_eq!(
        store
            .run(move |s| s.pending_ops(account))
            .await
            .unwrap()
            .len(),
        2
    );

    // Restart: the queue is in the store file, not in memory.
    drop(store);
    let store = Shared::new(Store::open(&dir.path().join("poshta.sqlite3")).unwrap());
    let applied = poshta::sync::imap::replay(&mut session, &store, account)
        .await
        .unwrap();
    assert_eq!(applied, 2);
    assert!(
        store
            .run(move |s| s.pending_ops(account))
            .await
            .unwrap()
            .is_empty()
    );

    // Another client sees the changes on the server.
    let mut other = support::imap::login(servers, servers.user("alice")).await;
    other.examine(&name).await.unwrap();
    let fetched: Vec<_> = other
        .uid_fetch("2:3", "(UID FLAGS)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let has = |uid: u32, wanted: async_imap::types::Flag<'_>| {
        fetched
            .iter()
            .find(|f| f.uid == Some(uid))
            .is_some_and(|f| f.flags().any(|x| x == wanted))
    };
    assert!(has(2, async_imap::types::Flag::Seen));
    assert!(has(3, async_imap::types::Flag::Flagged));
    other.logout().await.unwrap();

    // The next sync keeps them (the server agrees now).
    sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    let uids = store.run(move |s| s.uid_map(folder)).await.unwrap();
    assert!(uids[&2].1.contains(Flags::SEEN));
    assert!(uids[&3].1.contains(Flags::FLAGGED));
    session.logout().await.unwrap();
}

#[tokio::test]
async fn a_connection_cut_mid_fetch_leaves_no_half_body() {
    use poshta::imap::connect::{Endpoint, Timeouts, connect, login};
    use poshta::net::tls::Trust;

    let servers = support::servers();
    let alice = servers.user("alice");
    let mut session = support::imap::login(servers, alice).await;
    let (_dir, store, account) = store();
    let name = support::unique("cut");
    session.create(&name).await.unwrap();
    let big = format!(
        "From: a@example.test\r\nSubject: big\r\nMessage-ID: <big@example.test>\r\n\r\n{}",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n".repeat(16_000)
    );
    session
        .append(&name, None, None, big.as_bytes())
        .await
        .unwrap();
    let remote = RemoteFolder {
        remote_name: name.clone(),
        delimiter: Some("/".into()),
        path: vec![name.clone()],
        role: None,
    };
    let folder = store
        .run(move |s| s.sync_folder_list(account, &[remote]))
        .await
        .unwrap()[0]
        .0;
    sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    let id = store
        .run(move |s| s.message_page(folder, &poshta::model::ListQuery::default(), 0, 1))
        .await
        .unwrap()[0]
        .id;

    // Through a relay that cuts after 200 kB of the ~1 MB message.
    let port = support::cutting_proxy(servers.imaps, 200_000).await;
    let mut endpoint = Endpoint::new("127.0.0.1", port, poshta::account::Security::Tls);
    endpoint.tls_name = Some(servers.tls_host.clone());
    endpoint.trust = Trust {
        extra_ca_pem: Some(servers.ca_pem_bytes()),
        pinned_sha256: None,
    };
    let connection = connect(&endpoint, &Timeouts::default()).await.unwrap();
    let mut cut = login(connection, alice.login(), &alice.password)
        .await
        .unwrap();
    let result = fetch_body(&mut cut, &name, 1).await;
    assert!(
        result.is_err(),
        "a cut transfer must fail, got {} bytes",
        result.map(|b| b.len()).unwrap_or(0)
    );
    assert!(!store.run(move |s| s.has_body(id)).await.unwrap());
    assert!(store.run(move |s| s.raw_message(id)).await.is_err());

    // The next attempt over a whole connection gets all of it.
    let raw = fetch_body(&mut session, &name, 1).await.unwrap();
    assert_eq!(raw.len(), big.len());
    let complete = store
        .run(move |s| s.store_body(id, &raw, None))
        .await
        .unwrap();
    assert!(complete);
    session.logout().await.unwrap();
}

#[tokio::test]
async fn a_queued_change_is_never_applied_to_a_recreated_mailbox() {
    let servers = support::servers();
    let mut session = support::imap::login(servers, servers.user("alice")).await;
    let (_dir, store, account) = store();
    let (name, folder) = mailbox_with(&mut session, &store, account, "requeued", 2).await;
    sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    let one = store.run(move |s| s.uid_map(folder)).await.unwrap()[&1].0;
    store
        .run(move |s| s.set_flag(&[one], Flags::FLAGGED, true))
        .await
        .unwrap();

    // Meanwhile the mailbox is recreated: UID 1 is now another message.
    // (Leave it first: a server may drop a session whose mailbox vanishes.)
    session.select("INBOX").await.unwrap();
    let mut other = support::imap::login(servers, servers.user("alice")).await;
    other.delete(&name).await.unwrap();
    other.create(&name).await.unwrap();
    other
        .append(&name, None, None, &message(7, "stranger"))
        .await
        .unwrap();

    // Replay leaves it for the folder's sync, which finds no message
    // with the same Message-ID in the new mailbox and drops it.
    poshta::sync::imap::replay(&mut session, &store, account)
        .await
        .unwrap();
    sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    poshta::sync::imap::replay(&mut session, &store, account)
        .await
        .unwrap();
    assert!(
        store
            .run(move |s| s.pending_ops(account))
            .await
            .unwrap()
            .is_empty()
    );
    other.examine(&name).await.unwrap();
    let fetched: Vec<_> = other
        .uid_fetch("1", "(UID FLAGS)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(
        !fetched[0]
            .flags()
            .any(|f| f == async_imap::types::Flag::Flagged),
        "the stranger must not be flagged"
    );
    other.logout().await.unwrap();
    session.logout().await.unwrap();
}

#[tokio::test]
async fn a_queued_change_follows_its_message_into_a_recreated_mailbox() {
    let servers = support::servers();
    let mut session = support::imap::login(servers, servers.user("alice")).await;
    let (_dir, store, account) = store();
    let (name, folder) = mailbox_with(&mut session, &store, account, "carried", 3).await;
    sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    let third = store.run(move |s| s.uid_map(folder)).await.unwrap()[&3].0;
    store
        .run(move |s| s.set_flag(&[third], Flags::FLAGGED, true))
        .await
        .unwrap();

    // Recreated with the same three messages in another order: message 3
    // is now UID 1.
    session.select("INBOX").await.unwrap();
    let mut other = support::imap::login(servers, servers.user("alice")).await;
    other.delete(&name).await.unwrap();
    other.create(&name).await.unwrap();
    for n in [3, 1, 2] {
        other
            .append(&name, None, None, &message(n, "carried"))
            .await
            .unwrap();
    }

    // As a sync does: queued changes first (this one must wait), then
    // the folder, which finds the mailbox recreated.
    poshta::sync::imap::replay(&mut session, &store, account)
        .await
        .unwrap();
    sync_folder(&mut session, &store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    poshta::sync::imap::replay(&mut session, &store, account)
        .await
        .unwrap();
    other.examine(&name).await.unwrap();
    let flagged = other.uid_search("FLAGGED").await.unwrap();
    assert_eq!(
        flagged.into_iter().collect::<Vec<_>>(),
        vec![1],
        "the flag went to the same message under its new UID"
    );
    other.logout().await.unwrap();
}

//! Mail moved and copied between accounts against Dovecot: from an IMAP
//! folder to Local Folders (downloaded first, deleted on the server only
//! once here), from here into an IMAP folder (uploaded with APPEND), and
//! from one IMAP account to another. Each test works in mailboxes of its
//! own, so they share the test users safely.

mod support;

use futures::TryStreamExt;
use poshta::Service;
use poshta::model::{AccountId, Flags, FolderId, MessageId, Role};
use poshta::store::folders::LOCAL_ACCOUNT;

/// A fresh mailbox of `user` on the server holding messages 1..=count.
async fn server_mailbox(user: &support::User, tag: &str, count: usize) -> String {
    let mut session = support::imap::login(support::servers(), user).await;
    let name = support::unique(tag);
    session.create(&name).await.unwrap();
    for n in 1..=count {
        session
            .append(&name, None, None, &support::mailbox::message(n, tag))
            .await
            .unwrap();
    }
    let _ = session.logout().await;
    name
}

/// The raw messages in `user`'s mailbox `name`, by UID.
async fn on_server(user: &support::User, name: &str) -> Vec<(u32, Vec<u8>)> {
    let mut session = support::imap::login(support::servers(), user).await;
    session.examine(name).await.unwrap();
    let fetches: Vec<_> = session
        .uid_fetch("1:*", "(UID BODY.PEEK[])")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let _ = session.logout().await;
    let mut messages: Vec<(u32, Vec<u8>)> = fetches
        .iter()
        .filter_map(|f| Some((f.uid?, f.body()?.to_vec())))
        .collect();
    messages.sort();
    messages
}

async fn folder_named(service: &Service, account: AccountId, name: &str) -> FolderId {
    service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == account && f.name == name)
        .unwrap_or_else(|| panic!("folder {name}"))
        .id
}

async fn local_inbox(service: &Service) -> FolderId {
    service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == LOCAL_ACCOUNT && f.role == Some(Role::Inbox))
        .unwrap()
        .id
}

async fn row_with_subject(service: &Service, folder: FolderId, subject: &str) -> MessageId {
    service
        .message_page(folder, poshta::model::ListQuery::default(), 0, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.subject == subject)
        .unwrap_or_else(|| panic!("{subject}"))
        .id
}

/// The queued server changes of every account, sent.
async fn push(service: &Service) {
    service.push_changes().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_mail_moved_here_is_downloaded_first_then_uploaded_elsewhere() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let from = server_mailbox(alice, "x-from", 2).await;
    let to = server_mailbox(alice, "x-to", 0).await;
    let (_dir, service, account) = support::mailbox::service(servers, alice).await;
    service.sync(account, |_| {}).await.unwrap();
    let from_id = folder_named(&service, account, &from).await;
    let to_id = folder_named(&service, account, &to).await;
    let local = local_inbox(&service).await;
    let first = row_with_subject(&service, from_id, "x-from message 1").await;
    service.set_flagged(vec![first], true).await.unwrap();
    push(&service).await;

    // Only the header was here: the move downloads the rest first.
    service.move_messages(vec![first], local).await.unwrap();
    let here = service.message(first).await.unwrap();
    assert!(here.body.contains("Body of x-from 1"), "{}", here.body);
    assert!(
        here.summary.flags.contains(Flags::FLAGGED),
        "its state came along"
    );
    push(&service).await;
    let left: Vec<u32> = on_server(alice, &from).await.iter().map(|m| m.0).collect();
    assert_eq!(left, vec![2], "deleted on the server once it was here");
    service.sync(account, |_| {}).await.unwrap();
    assert_eq!(
        service
            .message_count(from_id, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        service
            .message_count(local, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        1
    );

    // And from here into a server folder: uploaded, byte for byte, with
    // its flags; the row gets the server's UID, so no sync doubles it.
    service.move_messages(vec![first], to_id).await.unwrap();
    assert_eq!(
        service
            .message_count(local, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        0
    );
    push(&service).await;
    let uploaded = on_server(alice, &to).await;
    assert_eq!(uploaded.len(), 1);
    assert_eq!(uploaded[0].1, support::mailbox::message(1, "x-from"));
    service.sync(account, |_| {}).await.unwrap();
    let rows = service
        .message_page(to_id, poshta::model::ListQuery::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one row, not a second from the sync");
    assert_eq!(rows[0].id, first);
    assert!(rows[0].flags.contains(Flags::FLAGGED));
    push(&service).await;
    let mut session = support::imap::login(servers, alice).await;
    session.examine(&to).await.unwrap();
    let flagged = session.uid_search("FLAGGED").await.unwrap();
    assert_eq!(flagged.len(), 1, "uploaded with its flag");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_moves_from_one_imap_account_to_another_and_copies_stay() {
    let servers = support::servers();
    let (alice, bob) = (servers.user("alice"), servers.user("bob"));
    let from = server_mailbox(alice, "x-alice", 2).await;
    let to = server_mailbox(bob, "x-bob", 0).await;
    let (_dir, service, a) = support::mailbox::service(servers, alice).await;
    let b = service
        .add_account(support::mailbox::imap_account(servers, bob))
        .await
        .unwrap();
    service.set_password(b, bob.password.clone());
    service.sync(a, |_| {}).await.unwrap();
    service.sync(b, |_| {}).await.unwrap();
    let from_id = folder_named(&service, a, &from).await;
    let to_id = folder_named(&service, b, &to).await;
    let one = row_with_subject(&service, from_id, "x-alice message 1").await;
    let two = row_with_subject(&service, from_id, "x-alice message 2").await;

    service.move_messages(vec![one], to_id).await.unwrap();
    service.copy_messages(vec![two], to_id).await.unwrap();
    push(&service).await;
    let at_bob = on_server(bob, &to).await;
    let mut bodies: Vec<Vec<u8>> = at_bob.into_iter().map(|m| m.1).collect();
    bodies.sort();
    assert_eq!(
        bodies,
        vec![
            support::mailbox::message(1, "x-alice"),
            support::mailbox::message(2, "x-alice")
        ]
    );
    let at_alice: Vec<u32> = on_server(alice, &from).await.iter().map(|m| m.0).collect();
    assert_eq!(at_alice, vec![2], "moved away, copied one stays");
    service.sync(a, |_| {}).await.unwrap();
    service.sync(b, |_| {}).await.unwrap();
    assert_eq!(
        service
            .message_count(from_id, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        service
            .message_count(to_id, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_retried_after_a_lost_answer_is_not_made_twice() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let to = server_mailbox(alice, "x-retry", 0).await;
    let (dir, service, account) = support::mailbox::service(servers, alice).await;
    service.sync(account, |_| {}).await.unwrap();
    let to_id = folder_named(&service, account, &to).await;
    let local = local_inbox(&service).await;
    let mbox = dir.path().join("one.eml");
    let raw = support::mailbox::message(7, "x-retry");
    std::fs::write(&mbox, &raw).unwrap();
    service.import(mbox, local, |_| {}).await.unwrap();
    let message = row_with_subject(&service, local, "x-retry message 7").await;
    service.set_offline(true).await;
    service.move_messages(vec![message], to_id).await.unwrap();

    // As if an earlier try's APPEND arrived and its answer was lost.
    let store = poshta::store::Store::open(&poshta::paths::store_file(dir.path())).unwrap();
    let queued = store.pending_ops(account).unwrap();
    assert_eq!(queued.len(), 1);
    let mut store = store;
    store.note_attempt(queued[0].id).unwrap();
    drop(store);
    let mut session = support::imap::login(servers, alice).await;
    session.append(&to, None, None, &raw).await.unwrap();
    let _ = session.logout().await;

    service.set_offline(false).await;
    push(&service).await;
    assert_eq!(
        on_server(alice, &to).await.len(),
        1,
        "one copy on the server"
    );
    service.sync(account, |_| {}).await.unwrap();
    let rows = service
        .message_page(to_id, poshta::model::ListQuery::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, message, "the same row, matched to the server's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_mail_not_downloaded_stays_where_it_is() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let from = server_mailbox(alice, "x-offline", 1).await;
    let (_dir, service, account) = support::mailbox::service(servers, alice).await;
    service.sync(account, |_| {}).await.unwrap();
    let from_id = folder_named(&service, account, &from).await;
    let local = local_inbox(&service).await;
    let message = row_with_subject(&service, from_id, "x-offline message 1").await;
    service.set_offline(true).await;
    let error = service
        .move_messages(vec![message], local)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), poshta::ErrorKind::Offline);
    assert_eq!(
        service
            .message_count(from_id, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        service
            .message_count(local, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        0
    );
}

//! Message actions against real Dovecot: applied locally at once, queued,
//! and replayed to the server — move, copy, delete to Trash, delete for
//! good, empty Trash, mark a folder read, undo — including after a
//! restart, chained while offline, and retried after a lost answer.

mod support;

use poshta::model::{AccountId, FolderId, MessageId, Role};
use poshta::store::{Shared, Store};
use poshta::sync::imap::{replay, sync_folder};
use support::imap::Session;

/// UIDs of the messages in server mailbox `name`, as another client sees them.
async fn server_uids(session: &mut Session, name: &str) -> Vec<u32> {
    session.examine(name).await.unwrap();
    let mut uids: Vec<u32> = session
        .uid_search("ALL")
        .await
        .unwrap()
        .into_iter()
        .collect();
    uids.sort_unstable();
    uids
}

async fn sync(session: &mut Session, store: &Shared, folder: FolderId, name: &str) -> usize {
    sync_folder(session, store, folder, name, true, |_, _| {})
        .await
        .unwrap()
        .new_messages
}

/// (message, uid) of every message of a folder, oldest UID first.
async fn rows(store: &Shared, folder: FolderId) -> Vec<(MessageId, Option<u32>)> {
    store
        .run(move |s| {
            let mut out = Vec::new();
            for m in s.message_page(folder, &poshta::model::ListQuery::default(), 0, 1000)? {
                out.push((m.id, s.remote_location(m.id)?.map(|(_, _, uid)| uid)));
            }
            out.sort_by_key(|(id, uid)| (*uid, *id));
            Ok(out)
        })
        .await
        .unwrap()
}

async fn message_with_uid(store: &Shared, folder: FolderId, uid: u32) -> MessageId {
    rows(store, folder)
        .await
        .into_iter()
        .find(|(_, u)| *u == Some(uid))
        .unwrap_or_else(|| panic!("no UID {uid} in {folder}"))
        .0
}

struct Fixture {
    session: Session,
    _dir: tempfile::TempDir,
    store: Shared,
    account: AccountId,
}

async fn fixture() -> Fixture {
    let servers = support::servers();
    let session = support::imap::login(servers, servers.user("alice")).await;
    let (dir, store, account) = support::mailbox::store(servers);
    Fixture {
        session,
        _dir: dir,
        store,
        account,
    }
}

impl Fixture {
    /// A server mailbox of `count` messages, synced.
    async fn folder(&mut self, tag: &str, count: usize, role: Option<Role>) -> (String, FolderId) {
        let (name, id) = support::mailbox::create(
            &mut self.session,
            &self.store,
            self.account,
            tag,
            count,
            role,
        )
        .await;
        assert_eq!(sync(&mut self.session, &self.store, id, &name).await, count);
        (name, id)
    }

    async fn replay(&mut self) -> usize {
        replay(&mut self.session, &self.store, self.account)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn a_move_reaches_the_server_and_keeps_its_local_row() {
    let mut f = fixture().await;
    let (a, a_id) = f.folder("move-from", 3, None).await;
    let (b, b_id) = f.folder("move-to", 0, None).await;
    let moved = message_with_uid(&f.store, a_id, 2).await;

    f.store
        .run(move |s| s.move_messages(&[moved], b_id))
        .await
        .unwrap();
    assert_eq!(
        rows(&f.store, b_id).await,
        vec![(moved, None)],
        "moved at once"
    );
    // Not sent yet: a sync of the source must not bring it back.
    assert_eq!(sync(&mut f.session, &f.store, a_id, &a).await, 0);
    assert_eq!(rows(&f.store, a_id).await.len(), 2);

    assert_eq!(f.replay().await, 1);
    assert_eq!(server_uids(&mut f.session, &a).await, vec![1, 3]);
    assert_eq!(server_uids(&mut f.session, &b).await, vec![1]);
    // The server's answer (COPYUID) gave the same row its new UID, so the
    // destination's sync finds nothing new and nothing is fetched twice.
    assert_eq!(rows(&f.store, b_id).await, vec![(moved, Some(1))]);
    assert_eq!(sync(&mut f.session, &f.store, b_id, &b).await, 0);
    assert_eq!(sync(&mut f.session, &f.store, a_id, &a).await, 0);
    assert_eq!(f.replay().await, 0, "nothing left in the queue");
}

#[tokio::test]
async fn a_copy_retried_after_a_lost_answer_is_not_made_twice() {
    let mut f = fixture().await;
    let (a, a_id) = f.folder("copy-from", 2, None).await;
    let (c, c_id) = f.folder("copy-to", 0, None).await;
    let original = message_with_uid(&f.store, a_id, 1).await;
    let copies = f
        .store
        .run(move |s| s.copy_messages(&[original], c_id))
        .await
        .unwrap();
    assert_eq!(rows(&f.store, a_id).await.len(), 2, "the original stays");

    // As if an earlier replay sent the COPY and the connection dropped
    // before the answer: the server has the copy, the queue still has it.
    let account = f.account;
    let op = f.store.run(move |s| s.pending_ops(account)).await.unwrap();
    assert_eq!(op.len(), 1);
    let op_id = op[0].id;
    f.store.run(move |s| s.note_attempt(op_id)).await.unwrap();
    f.session.select(&a).await.unwrap();
    f.session.uid_copy("1", &c).await.unwrap();

    assert_eq!(f.replay().await, 1);
    assert_eq!(server_uids(&mut f.session, &c).await, vec![1], "one copy");
    assert_eq!(rows(&f.store, c_id).await, vec![(copies[0], Some(1))]);
    assert_eq!(sync(&mut f.session, &f.store, c_id, &c).await, 0);
}

#[tokio::test]
async fn delete_goes_to_trash_then_for_good_and_trash_can_be_emptied() {
    let mut f = fixture().await;
    let (a, a_id) = f.folder("del-from", 3, None).await;
    let (trash, trash_id) = f.folder("del-trash", 1, Some(Role::Trash)).await;
    let doomed = message_with_uid(&f.store, a_id, 3).await;

    let deleted = f
        .store
        .run(move |s| s.delete_messages(&[doomed]))
        .await
        .unwrap();
    assert_eq!(deleted.to_trash.restore, vec![(doomed, a_id)]);
    assert_eq!(deleted.expunged, 0);
    f.replay().await;
    assert_eq!(server_uids(&mut f.session, &a).await, vec![1, 2]);
    assert_eq!(server_uids(&mut f.session, &trash).await, vec![1, 2]);

    // Deleting in the Trash deletes for good.
    let again = f
        .store
        .run(move |s| s.delete_messages(&[doomed]))
        .await
        .unwrap();
    assert_eq!(again.expunged, 1);
    assert!(again.to_trash.is_empty());
    f.replay().await;
    assert_eq!(server_uids(&mut f.session, &trash).await, vec![1]);

    let emptied = f
        .store
        .run(move |s| s.empty_folder(trash_id))
        .await
        .unwrap();
    assert_eq!(emptied, 1);
    f.replay().await;
    assert!(server_uids(&mut f.session, &trash).await.is_empty());
    assert_eq!(sync(&mut f.session, &f.store, trash_id, &trash).await, 0);
    assert!(rows(&f.store, trash_id).await.is_empty());
}

#[tokio::test]
async fn marking_a_folder_read_reaches_the_server() {
    let mut f = fixture().await;
    let (a, a_id) = f.folder("read-all", 4, None).await;
    let changed = f
        .store
        .run(move |s| s.mark_folder_read(a_id))
        .await
        .unwrap();
    assert_eq!(changed, 4);
    assert_eq!(
        f.store.run(move |s| s.folder(a_id)).await.unwrap().unread,
        0
    );
    f.replay().await;
    f.session.examine(&a).await.unwrap();
    assert!(f.session.uid_search("UNSEEN").await.unwrap().is_empty());
}

#[tokio::test]
async fn undo_after_the_server_moved_it_moves_it_back() {
    let mut f = fixture().await;
    let (a, a_id) = f.folder("undo-from", 2, None).await;
    let (b, b_id) = f.folder("undo-to", 0, None).await;
    let moved = message_with_uid(&f.store, a_id, 2).await;
    let undo = f
        .store
        .run(move |s| s.move_messages(&[moved], b_id))
        .await
        .unwrap();
    f.replay().await;
    assert_eq!(server_uids(&mut f.session, &b).await, vec![1]);

    let restored = f.store.run(move |s| s.undo(&undo)).await.unwrap();
    assert_eq!(restored, 1);
    assert_eq!(rows(&f.store, a_id).await.len(), 2);
    f.replay().await;
    assert!(server_uids(&mut f.session, &b).await.is_empty());
    // Back in the source under a new UID, given to the same row.
    assert_eq!(server_uids(&mut f.session, &a).await, vec![1, 3]);
    assert_eq!(message_with_uid(&f.store, a_id, 3).await, moved);
    assert_eq!(sync(&mut f.session, &f.store, a_id, &a).await, 0);
}

#[tokio::test]
async fn moves_chained_offline_survive_a_restart_and_replay_in_order() {
    let mut f = fixture().await;
    let (a, a_id) = f.folder("chain-a", 2, None).await;
    let (b, b_id) = f.folder("chain-b", 0, None).await;
    let (c, c_id) = f.folder("chain-c", 0, None).await;
    let moved = message_with_uid(&f.store, a_id, 1).await;

    // Offline: A → B, then B → C before the first move reached the server.
    f.store
        .run(move |s| s.move_messages(&[moved], b_id))
        .await
        .unwrap();
    f.store
        .run(move |s| s.move_messages(&[moved], c_id))
        .await
        .unwrap();
    // Restart: the queue lives in the store file.
    let path = f.store.run(|s| Ok(s.path().to_path_buf())).await.unwrap();
    f.store = Shared::new(Store::open(&path).unwrap());

    assert_eq!(f.replay().await, 2);
    assert_eq!(server_uids(&mut f.session, &a).await, vec![2]);
    assert!(server_uids(&mut f.session, &b).await.is_empty());
    assert_eq!(server_uids(&mut f.session, &c).await, vec![1]);
    assert_eq!(rows(&f.store, c_id).await, vec![(moved, Some(1))]);
    for (name, id) in [(&a, a_id), (&b, b_id), (&c, c_id)] {
        assert_eq!(sync(&mut f.session, &f.store, id, name).await, 0, "{name}");
    }
}

#[tokio::test]
async fn a_row_waiting_for_its_uid_is_matched_by_message_id() {
    let mut f = fixture().await;
    let (a, a_id) = f.folder("match-from", 2, None).await;
    let (b, b_id) = f.folder("match-to", 0, None).await;
    let moved = message_with_uid(&f.store, a_id, 2).await;
    f.store
        .run(move |s| s.move_messages(&[moved], b_id))
        .await
        .unwrap();
    // The same move happens on the server another way (another client,
    // or a server without UIDPLUS that names no UIDs); the queued one
    // then finds nothing to do.
    f.session.select(&a).await.unwrap();
    f.session.uid_mv("2", &b).await.unwrap();
    f.replay().await;

    assert_eq!(sync(&mut f.session, &f.store, b_id, &b).await, 0);
    assert_eq!(rows(&f.store, b_id).await, vec![(moved, Some(1))]);
}

#[tokio::test]
async fn the_store_takes_mail_to_another_account_only_with_its_body() {
    // The service downloads the body first (tests/cross_account.rs); the
    // store on its own refuses, as the server copy would be deleted while
    // only the header is here.
    let mut f = fixture().await;
    let (_, a_id) = f.folder("cross", 1, None).await;
    let moved = message_with_uid(&f.store, a_id, 1).await;
    let local_inbox = f
        .store
        .run(|s| s.folder_by_role(AccountId(1), Role::Inbox))
        .await
        .unwrap()
        .id;
    let error = f
        .store
        .run(move |s| s.move_messages(&[moved], local_inbox))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), poshta::ErrorKind::CrossAccount);
    assert_eq!(rows(&f.store, a_id).await.len(), 1, "nothing moved");
}

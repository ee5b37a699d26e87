//! Folder tree changes on a real IMAP server through the service: create
//! (non-ASCII names travel as modified UTF-7), nest, rename with the
//! messages kept, unsubscribe, delete with the mail going to Trash first,
//! and the server's refusals reported as such.

mod support;

use futures::TryStreamExt;
use poshta::ErrorKind;
use poshta::model::{FolderId, Role};
use poshta::service::Service;

/// Server names as another client lists them (LIST or LSUB).
async fn names(session: &mut support::imap::Session, subscribed: bool) -> Vec<String> {
    let listed: Vec<_> = if subscribed {
        let stream = session.lsub(Some(""), Some("*")).await.unwrap();
        stream.try_collect().await.unwrap()
    } else {
        let stream = session.list(Some(""), Some("*")).await.unwrap();
        stream.try_collect().await.unwrap()
    };
    listed.iter().map(|n| n.name().to_string()).collect()
}

async fn folder_named(service: &Service, name: &str) -> Option<FolderId> {
    service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.name == name)
        .map(|f| f.id)
}

#[tokio::test]
async fn folders_are_created_renamed_unsubscribed_and_deleted_on_the_server() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let mut other = support::imap::login(servers, alice).await;
    let (_dir, service, account) = support::mailbox::service(servers, alice).await;
    service.sync(account, |_| {}).await.unwrap();

    let parent = service
        .create_folder(account, None, "Проекты".into())
        .await
        .unwrap();
    let child = service
        .create_folder(account, Some(parent), "2026".into())
        .await
        .unwrap();
    let encoded = "&BB8EQAQ+BDUEOgRCBEs-";
    let listed = names(&mut other, false).await;
    assert!(listed.contains(&encoded.to_string()), "{listed:?}");
    assert!(listed.contains(&format!("{encoded}/2026")), "{listed:?}");
    assert_eq!(folder_named(&service, "Проекты").await, Some(parent));

    // A message in the child, synced, keeps its row through a rename.
    other
        .append(
            format!("{encoded}/2026"),
            None,
            None,
            &support::mailbox::message(1, "kept"),
        )
        .await
        .unwrap();
    service.sync(account, |_| {}).await.unwrap();
    let before = service
        .message_page(child, poshta::model::ListQuery::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(before.len(), 1);

    service.rename_folder(parent, "Архив".into()).await.unwrap();
    let listed = names(&mut other, false).await;
    assert!(
        listed.contains(&"&BBAEQARFBDgEMg-/2026".to_string()),
        "{listed:?}"
    );
    assert!(!listed.iter().any(|n| n.starts_with(encoded)), "{listed:?}");
    assert_eq!(folder_named(&service, "Архив").await, Some(parent));
    service.sync(account, |_| {}).await.unwrap();
    let after = service
        .message_page(child, poshta::model::ListQuery::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(after, before, "same rows, nothing fetched again");

    service.set_subscribed(child, false).await.unwrap();
    let subscribed = names(&mut other, true).await;
    assert!(!subscribed.contains(&"&BBAEQARFBDgEMg-/2026".to_string()));
    assert!(!service.folder(child).await.unwrap().subscribed);

    // Deleting sends the mail to Trash before the folders go.
    let trashed = service.delete_folder(parent).await.unwrap();
    assert_eq!(trashed, 1);
    let listed = names(&mut other, false).await;
    assert!(
        !listed.iter().any(|n| n.starts_with("&BBAEQARFBDgEMg-")),
        "{listed:?}"
    );
    other.examine("Trash").await.unwrap();
    let found = other
        .uid_search("HEADER Message-ID \"<kept-1@example.test>\"")
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "the message is in the server's Trash");
    assert_eq!(folder_named(&service, "Архив").await, None);
    let trash = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Trash))
        .unwrap();
    assert_eq!(
        service
            .message_count(trash.id, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn refusals_and_bad_names_are_reported() {
    let servers = support::servers();
    let bob = servers.user("bob");
    let (_dir, service, account) = support::mailbox::service(servers, bob).await;
    service.sync(account, |_| {}).await.unwrap();
    let error = service
        .create_folder(account, None, "Trash".into())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ServerRefused, "{error}");
    let error = service
        .create_folder(account, None, "a/b".into())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidName);
    let inbox = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Inbox))
        .unwrap();
    let error = service
        .rename_folder(inbox.id, "Other".into())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ProtectedFolder);
}

#[tokio::test]
async fn a_folder_the_server_cannot_open_does_not_stop_the_others() {
    use std::os::unix::fs::PermissionsExt;
    let servers = support::servers();
    let carol = servers.user("carol");
    let broken = support::unique("Broken");
    let mut other = support::imap::login(servers, carol).await;
    other.create(&broken).await.unwrap();
    other.logout().await.unwrap();
    // Dovecot cannot recreate new/ in a directory it may not write to,
    // so it answers NO to SELECT.
    let dir = servers.maildir("carol", &broken);
    std::fs::remove_dir_all(dir.join("new")).unwrap();
    std::os::unix::fs::chown(&dir, Some(0), Some(0)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    servers.deliver(
        "carol",
        b"From: a@example.test\r\nSubject: still here\r\nMessage-ID: <still-here@example.test>\r\n\r\nHi\r\n",
    );

    let (_dir, service, account) = support::mailbox::service(servers, carol).await;
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!(summary.skipped, 1, "{summary:?}");
    let inbox = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Inbox))
        .unwrap();
    assert!(
        service
            .message_count(inbox.id, poshta::model::ListQuery::default())
            .await
            .unwrap()
            >= 1
    );
}

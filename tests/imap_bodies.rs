//! Bodies for offline reading against real Dovecot: every body of a folder
//! downloaded newest first in bounded batches, stored complete and made
//! searchable; a connection cut mid-download leaves nothing marked whole
//! that is not; the per-account setting persists and makes sync download
//! bodies; `poshta-cli sync --bodies`.

mod support;

use poshta::account::Security;
use poshta::model::{AccountId, FolderId, MessageId, Role};
use poshta::search::{Origin, Query, Scope};
use poshta::service::Service;
use poshta::store::Shared;
use poshta::store::remote::RemoteFolder;
use poshta::sync::bodies::{Limits, download_folder, download_folder_with};
use poshta::sync::imap::sync_folder;
use std::collections::HashMap;

fn store() -> (tempfile::TempDir, Shared, AccountId) {
    support::mailbox::store(support::servers())
}

/// Message `n` of a series: its body holds a word found nowhere else
/// (`{tag}word{n}`), padded with `padding` bytes of text.
fn message(n: usize, tag: &str, padding: usize) -> Vec<u8> {
    let date = chrono::DateTime::from_timestamp(1_795_000_000 + n as i64 * 60, 0)
        .unwrap()
        .to_rfc2822();
    let line = "The quick brown fox jumps over the lazy dog again and again.\r\n";
    format!(
        "From: Sender {n} <s{n}@example.test>\r\nTo: alice@example.test\r\n\
         Subject: {tag} message {n}\r\nDate: {date}\r\n\
         Message-ID: <{tag}-{n}@example.test>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Hello, this is {tag}word{n}.\r\n{}",
        line.repeat(padding / line.len())
    )
    .into_bytes()
}

/// A fresh mailbox of alice's holding `messages`, synced (headers only).
async fn synced_mailbox(
    session: &mut support::imap::Session,
    store: &Shared,
    account: AccountId,
    tag: &str,
    messages: &[Vec<u8>],
) -> (String, FolderId) {
    let name = support::unique(tag);
    session.create(&name).await.unwrap();
    for raw in messages {
        session.append(&name, None, None, raw).await.unwrap();
    }
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
    let summary = sync_folder(session, store, folder, &name, true, |_, _| {})
        .await
        .unwrap();
    assert_eq!(summary.new_messages, messages.len());
    (name, folder)
}

/// How many of a search's hits the local index found (a body not here
/// is found by the server's search instead).
async fn local_hits(service: &Service, query: &str) -> usize {
    let results = service.search(query.into(), Scope::All, 10).await.unwrap();
    results
        .hits
        .iter()
        .filter(|h| h.origin == Origin::Local)
        .count()
}

/// UID -> message id of every message in `folder`.
async fn ids(store: &Shared, folder: FolderId) -> HashMap<u32, MessageId> {
    store
        .run(move |s| s.uid_map(folder))
        .await
        .unwrap()
        .into_iter()
        .map(|(uid, (id, _))| (uid, id))
        .collect()
}

async fn has_body(store: &Shared, id: MessageId) -> bool {
    store.run(move |s| s.has_body(id)).await.unwrap()
}

async fn hits(store: &Shared, query: &str) -> usize {
    let query = query.to_string();
    store
        .run(move |s| s.search(&Query::parse(&query), Scope::All, 1000))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn every_body_lands_complete_newest_first_and_becomes_searchable() {
    let servers = support::servers();
    let mut session = support::imap::login(servers, servers.user("alice")).await;
    let (_dir, store, account) = store();
    let messages: Vec<Vec<u8>> = (1..=250).map(|n| message(n, "whole", 3_000)).collect();
    let (name, folder) = synced_mailbox(&mut session, &store, account, "whole", &messages).await;
    // Headers only so far: a word of the body is not found.
    assert_eq!(hits(&store, "wholeword250").await, 0);
    assert_eq!(hits(&store, "whole message 250").await, 1);

    // After each batch: how many are done, and the lowest UID with a body.
    let mut seen = Vec::new();
    let shared = store.clone();
    let stored = download_folder(&mut session, &store, folder, &name, |done, total| {
        let missing = poshta::store::lock(shared.mutex())
            .missing_bodies(folder)
            .unwrap();
        let lowest_done = missing.iter().map(|m| m.uid).max().map_or(1, |u| u + 1);
        seen.push((done, total, lowest_done));
    })
    .await
    .unwrap();
    assert_eq!(stored, 250);
    // At most 200 per batch (the count bound), the newest first.
    assert_eq!(seen, [(200, 250, 51), (250, 250, 1)]);

    let ids = ids(&store, folder).await;
    for (uid, id) in &ids {
        assert!(has_body(&store, *id).await, "uid {uid}");
        let id = *id;
        let raw = store.run(move |s| s.raw_message(id)).await.unwrap();
        assert_eq!(raw, messages[*uid as usize - 1], "uid {uid} whole");
    }
    // Words only in bodies are found now, each in its one message.
    assert_eq!(hits(&store, "wholeword250").await, 1);
    assert_eq!(hits(&store, "wholeword1").await, 1);
    assert_eq!(hits(&store, "lazy dog").await, 250);
    let view = store
        .run(move |s| s.message_page(folder, &poshta::model::ListQuery::default(), 0, 1))
        .await
        .unwrap();
    assert_eq!(view[0].subject, "whole message 250");

    // Nothing is left to do: a second run fetches nothing.
    let again = download_folder(&mut session, &store, folder, &name, |_, _| {
        panic!("no batch expected")
    })
    .await
    .unwrap();
    assert_eq!(again, 0);
    session.logout().await.unwrap();
}

#[tokio::test]
async fn batches_respect_the_byte_bound_and_bigger_messages_travel_alone() {
    let servers = support::servers();
    let mut session = support::imap::login(servers, servers.user("alice")).await;
    let (_dir, store, account) = store();
    // Newest first: 6 and 5 are big, 4..1 small.
    let sizes = [1_000, 1_000, 1_000, 1_000, 90_000, 120_000];
    let messages: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(i, &size)| message(i + 1, "bound", size))
        .collect();
    let (name, folder) = synced_mailbox(&mut session, &store, account, "bound", &messages).await;
    let limits = Limits {
        messages: 200,
        bytes: 50_000,
    };
    let mut steps = Vec::new();
    let stored = download_folder_with(&mut session, &store, folder, &name, limits, |done, _| {
        steps.push(done)
    })
    .await
    .unwrap();
    assert_eq!(stored, 6);
    // The two big ones alone (each over the bound), the four small together.
    assert_eq!(steps, [1, 2, 6]);
    for (uid, id) in ids(&store, folder).await {
        let raw = store.run(move |s| s.raw_message(id)).await.unwrap();
        assert_eq!(raw, messages[uid as usize - 1]);
    }
    session.logout().await.unwrap();
}

#[tokio::test]
async fn a_cut_mid_download_marks_nothing_whole_that_is_not_and_a_rerun_finishes() {
    use poshta::imap::connect::{Endpoint, Timeouts, connect, login};
    use poshta::net::tls::Trust;

    let servers = support::servers();
    let alice = servers.user("alice");
    let mut session = support::imap::login(servers, alice).await;
    let (_dir, store, account) = store();
    let messages: Vec<Vec<u8>> = (1..=6).map(|n| message(n, "cut", 100_000)).collect();
    let (name, folder) = synced_mailbox(&mut session, &store, account, "cut", &messages).await;

    // Batches of two (~200 kB each); the relay cuts inside the second.
    let port = support::cutting_proxy(servers.imaps, 330_000).await;
    let mut endpoint = Endpoint::new("127.0.0.1", port, Security::Tls);
    endpoint.tls_name = Some(servers.tls_host.clone());
    endpoint.trust = Trust {
        extra_ca_pem: Some(servers.ca_pem_bytes()),
        pinned_sha256: None,
    };
    let connection = connect(&endpoint, &Timeouts::default()).await.unwrap();
    let mut cut = login(connection, alice.login(), &alice.password)
        .await
        .unwrap();
    let limits = Limits {
        messages: 2,
        bytes: u64::MAX,
    };
    let mut steps = Vec::new();
    let result = download_folder_with(&mut cut, &store, folder, &name, limits, |done, _| {
        steps.push(done)
    })
    .await;
    assert!(result.is_err(), "a cut transfer must fail: {result:?}");
    assert_eq!(steps, [2], "the batch before the cut is committed");

    // Whatever is marked complete is whole; the rest has no body at all.
    let ids = ids(&store, folder).await;
    let mut whole = 0;
    for (uid, id) in &ids {
        let id = *id;
        let raw = store.run(move |s| s.raw_message(id)).await;
        if has_body(&store, id).await {
            assert_eq!(raw.unwrap(), messages[*uid as usize - 1], "uid {uid}");
            whole += 1;
        } else {
            assert!(raw.is_err(), "uid {uid}: no half body kept");
        }
    }
    assert_eq!(whole, 2);
    assert!(has_body(&store, ids[&6]).await && has_body(&store, ids[&5]).await);

    // A rerun over a sound connection does the rest.
    let stored = download_folder(&mut session, &store, folder, &name, |_, _| {})
        .await
        .unwrap();
    assert_eq!(stored, 4);
    for (uid, id) in &ids {
        let id = *id;
        let raw = store.run(move |s| s.raw_message(id)).await.unwrap();
        assert_eq!(raw, messages[*uid as usize - 1]);
    }
    assert_eq!(hits(&store, "cutword1").await, 1);
    session.logout().await.unwrap();
}

#[tokio::test]
async fn the_setting_persists_and_makes_sync_download_bodies() {
    let servers = support::servers();
    // bob is used by this test only.
    let bob = servers.user("bob");
    for n in 1..=3 {
        servers.deliver("bob", &message(n, "offline", 500));
    }
    let home = tempfile::tempdir().unwrap();
    let service = Service::open(home.path()).unwrap();
    let account = service
        .add_account(support::mailbox::imap_account(servers, bob))
        .await
        .unwrap();
    assert!(
        !service.offline_bodies(account).await.unwrap(),
        "off by default"
    );

    // Off: headers only.
    service.set_password(account, bob.password.clone());
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!((summary.new_messages, summary.bodies), (3, 0));
    assert_eq!(local_hits(&service, "offlineword2").await, 0);

    service.set_offline_bodies(account, true).await.unwrap();
    drop(service);
    // The setting is in the store: it holds after a restart.
    let service = Service::open(home.path()).unwrap();
    assert!(service.offline_bodies(account).await.unwrap());
    service.set_password(account, bob.password.clone());
    servers.deliver("bob", &message(4, "offline", 500));
    let mut body_steps = 0;
    let summary = service
        .sync(account, |p| {
            body_steps += usize::from(p.stage == poshta::sync::Stage::Bodies)
        })
        .await
        .unwrap();
    assert_eq!((summary.new_messages, summary.bodies), (1, 4));
    assert!(
        body_steps >= 1,
        "progress reported while downloading bodies"
    );
    for n in 1..=4 {
        let found = local_hits(&service, &format!("offlineword{n}")).await;
        assert_eq!(found, 1, "offlineword{n}");
    }
    let folders = service.folders().await.unwrap();
    let inbox = folders
        .iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Inbox))
        .unwrap()
        .id;
    assert_eq!(
        service
            .message_page(inbox, poshta::model::ListQuery::default(), 0, 10)
            .await
            .unwrap()
            .len(),
        4
    );
    // Nothing left: the next sync downloads nothing.
    assert_eq!(service.sync(account, |_| {}).await.unwrap().bodies, 0);

    // Off again: new mail arrives as headers only.
    service.set_offline_bodies(account, false).await.unwrap();
    servers.deliver("bob", &message(5, "offline", 500));
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!((summary.new_messages, summary.bodies), (1, 0));
    assert_eq!(local_hits(&service, "offlineword5").await, 0);
    assert!(
        service
            .set_offline_bodies(AccountId(9999), true)
            .await
            .is_err(),
        "no such account"
    );
}

#[test]
fn cli_sync_with_bodies_makes_bodies_searchable() {
    use std::process::Command;
    let servers = support::servers();
    // carol is used by this test only.
    let carol = servers.user("carol");
    servers.deliver("carol", &message(1, "clibody", 500));
    let home = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_poshta-cli"))
            .args(args)
            .env("POSHTA_HOME", home.path())
            .env("POSHTA_PASSWORD", &carol.password)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{args:?}: {stderr}");
        (stdout, stderr)
    };
    let port = servers.imaps.to_string();
    let ca = servers.ca_pem.display().to_string();
    let (id, _) = cli(&[
        "account",
        "add",
        "--name",
        "Dovecot",
        "--email",
        &carol.address,
        "--imap-host",
        &servers.tls_host,
        "--imap-port",
        &port,
        "--ca-file",
        &ca,
    ]);
    let id = id.trim().to_string();
    let (out, progress) = cli(&["sync", &id, "--bodies"]);
    assert!(out.contains("1 bodies downloaded"), "{out}");
    assert!(progress.contains("1/1 bodies"), "{progress}");
    let (found, _) = cli(&["search", "clibodyword1"]);
    assert!(found.contains("clibody message 1"), "{found}");
}

//! A store with one IMAP account for alice, and server mailboxes filled
//! with numbered messages: the ground most sync and action tests stand on.

use super::Servers;
use poshta::account::{NewAccount, Protocol, Security, Server};
use poshta::model::{AccountId, FolderId, Role};
use poshta::store::remote::RemoteFolder;
use poshta::store::{Shared, Store};

/// An IMAP account for `user` on the test server, trusting the test CA.
pub fn imap_account(servers: &Servers, user: &super::User) -> NewAccount {
    NewAccount {
        name: "Dovecot".into(),
        email: user.address.clone(),
        incoming: Server {
            protocol: Protocol::Imap,
            host: servers.tls_host.clone(),
            port: servers.imaps,
            security: Security::Tls,
            username: user.login().into(),
            extra_ca_pem: Some(servers.ca_pem_bytes()),
            pinned_sha256: None,
        },
        outgoing: None,
    }
}

/// A fresh store holding an IMAP account for alice on the test server.
pub fn store(servers: &Servers) -> (tempfile::TempDir, Shared, AccountId) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("poshta.sqlite3")).unwrap();
    let account = store
        .add_account(&imap_account(servers, servers.user("alice")))
        .unwrap();
    (dir, Shared::new(store), account)
}

/// Message `n` of a series; later messages have later dates.
pub fn message(n: usize, tag: &str) -> Vec<u8> {
    let date = chrono::DateTime::from_timestamp(1_795_000_000 + n as i64 * 60, 0)
        .unwrap()
        .to_rfc2822();
    format!(
        "From: Sender {n} <s{n}@example.test>\r\nTo: alice@example.test\r\n\
         Subject: {tag} message {n}\r\nDate: {date}\r\n\
         Message-ID: <{tag}-{n}@example.test>\r\n\r\nBody of {tag} {n}.\r\n"
    )
    .into_bytes()
}

/// A fresh server mailbox (uniquely named after `tag`) holding `count`
/// messages, known to the store as a folder with `role`.
pub async fn create(
    session: &mut super::imap::Session,
    store: &Shared,
    account: AccountId,
    tag: &str,
    count: usize,
    role: Option<Role>,
) -> (String, FolderId) {
    let name = super::unique(tag);
    session.create(&name).await.unwrap();
    for n in 1..=count {
        session
            .append(&name, None, None, &message(n, tag))
            .await
            .unwrap();
    }
    let remote = RemoteFolder {
        remote_name: name.clone(),
        delimiter: Some("/".into()),
        path: vec![name.clone()],
        role,
    };
    store
        .run(move |s| {
            // The account's folder list is the server's: keep the folders
            // made before, or syncing the list would drop them.
            let mut listed = vec![remote];
            for f in s.folders()?.into_iter().filter(|f| f.account_id == account) {
                if let Some(remote_name) = s.remote_name(f.id)? {
                    listed.push(RemoteFolder {
                        path: vec![f.name.clone()],
                        remote_name,
                        delimiter: Some("/".into()),
                        role: f.role,
                    });
                }
            }
            s.sync_folder_list(account, &listed)?;
            Ok(s.folders()?
                .into_iter()
                .find(|f| f.account_id == account && f.name == name)
                .map(|f| (name, f.id)))
        })
        .await
        .unwrap()
        .unwrap()
}

/// A service in a fresh data directory with an IMAP account for `user`
/// on the test server (trusting the test CA), its password given.
pub async fn service(
    servers: &Servers,
    user: &super::User,
) -> (tempfile::TempDir, poshta::service::Service, AccountId) {
    let dir = tempfile::tempdir().unwrap();
    let service = poshta::service::Service::load(dir.path().to_path_buf())
        .await
        .unwrap();
    let account = service
        .add_account(imap_account(servers, user))
        .await
        .unwrap();
    service.set_password(account, user.password.clone());
    (dir, service, account)
}

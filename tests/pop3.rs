//! POP3 accounts against Dovecot's POP3 on loopback: each download policy
//! (checked on the server's mailbox afterwards), no message stored twice
//! across restarts, large and many messages, STLS in required mode. Each
//! test has its own user (pop1..pop6): a POP3 session takes the whole INBOX.

mod support;

use poshta::Service;
use poshta::account::{NewAccount, Protocol, Security, Server};
use poshta::model::{AccountId, FolderId, Role};
use poshta::store::pop3::Policy;
use std::path::Path;

/// A service over `home` with a POP3 account for `user` (password set).
async fn pop3_service(
    home: &Path,
    user: &support::User,
    port: u16,
    security: Security,
) -> (Service, AccountId) {
    let service = Service::load(home.to_path_buf()).await.unwrap();
    let existing = service.accounts().await.unwrap();
    let account = match existing.iter().find(|a| a.name == "Dovecot POP3") {
        Some(account) => account.id,
        None => service
            .add_account(NewAccount {
                name: "Dovecot POP3".into(),
                email: user.address.clone(),
                incoming: support::server(Protocol::Pop3, port, security, user),
                outgoing: None,
            })
            .await
            .unwrap(),
    };
    service.set_password(account, user.password.clone());
    (service, account)
}

fn message(user: &support::User, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Sender <sender@example.test>\r\nTo: {}\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@example.test>\r\n\r\n{body}\r\n",
        user.address
    )
    .into_bytes()
}

/// Deliver messages with these subjects to `user`'s INBOX.
async fn deliver(user: &'static support::User, subjects: &[String]) {
    let messages: Vec<Vec<u8>> = subjects
        .iter()
        .map(|s| message(user, s, "Hello."))
        .collect();
    support::deliver_all(&user.name, messages).await;
}

/// How many messages the server's INBOX holds (seen over IMAP).
async fn on_server(user: &support::User) -> u32 {
    let mut session = support::imap::login(support::servers(), user).await;
    let inbox = session.examine("INBOX").await.unwrap();
    let _ = session.logout().await;
    inbox.exists
}

async fn inbox(service: &Service, account: AccountId) -> FolderId {
    service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Inbox))
        .unwrap()
        .id
}

async fn subjects(service: &Service, folder: FolderId) -> Vec<String> {
    let mut subjects: Vec<String> = service
        .message_page(folder, poshta::model::ListQuery::default(), 0, 5000)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    subjects.sort();
    subjects
}

fn names(tag: &str, n: usize) -> Vec<String> {
    let tag = support::unique(tag);
    (0..n).map(|i| format!("{tag}-{i}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn left_on_the_server_and_never_stored_twice_across_restarts() {
    let servers = support::servers();
    let user = servers.user("pop1");
    let home = tempfile::tempdir().unwrap();
    let first = names("leave", 3);
    deliver(user, &first).await;
    let before = on_server(user).await;

    let (service, account) = pop3_service(home.path(), user, servers.pop3s, Security::Tls).await;
    assert_eq!(service.pop3_policy(account).await.unwrap(), Policy::Leave);
    let folders: Vec<_> = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.account_id == account)
        .filter_map(|f| f.role)
        .collect();
    for role in [
        Role::Inbox,
        Role::Drafts,
        Role::Sent,
        Role::Trash,
        Role::Junk,
    ] {
        assert!(folders.contains(&role), "{role:?} in {folders:?}");
    }
    let mut steps = Vec::new();
    let summary = service
        .sync(account, |p| {
            if p.stage == poshta::sync::Stage::Download {
                steps.push((p.fetched, p.to_fetch, p.bytes))
            }
        })
        .await
        .unwrap();
    assert_eq!(summary.new_messages as u32, before);
    assert_eq!(summary.removed, 0);
    let last = steps.last().copied().unwrap();
    assert_eq!(
        (last.0 as u32, last.1 as u32),
        (before, before),
        "{steps:?}"
    );
    assert!(last.2 > 0, "bytes counted: {steps:?}");
    let inbox = inbox(&service, account).await;
    let got = subjects(&service, inbox).await;
    for subject in &first {
        assert!(got.contains(subject), "{subject} in {got:?}");
    }
    assert_eq!(on_server(user).await, before, "left on the server");

    // Again, and again after a restart: nothing new, nothing twice.
    assert_eq!(service.sync(account, |_| {}).await.unwrap().new_messages, 0);
    drop(service);
    let (service, account) = pop3_service(home.path(), user, servers.pop3s, Security::Tls).await;
    assert_eq!(service.sync(account, |_| {}).await.unwrap().new_messages, 0);
    assert_eq!(subjects(&service, inbox).await, got);

    // A message with an attachment: stored with only its header parsed,
    // then the run's index pass reads the rest, once.
    let more = support::unique("leave-more");
    let word = support::unique("bodyword").replace('-', "");
    let attached = format!(
        "From: Sender <sender@example.test>\r\nTo: {}\r\nSubject: {more}\r\n\
         Message-ID: <{more}@example.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee {word} attached.\r\n\
         --b1\r\nContent-Type: application/pdf\r\n\
         Content-Disposition: attachment; filename=\"report.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n",
        user.address
    );
    support::deliver_all(&user.name, vec![attached.into_bytes()]).await;
    assert_eq!(service.sync(account, |_| {}).await.unwrap().new_messages, 1);
    let rows = service
        .message_page(inbox, poshta::model::ListQuery::default(), 0, 100)
        .await
        .unwrap();
    let row = rows.iter().find(|m| m.subject == more).expect("listed");
    assert!(row.has_attachments, "the index pass marked its attachment");
    assert!(
        !rows
            .iter()
            .find(|m| m.subject == first[0])
            .unwrap()
            .has_attachments
    );
    let found = service
        .search(word, poshta::search::Scope::All, 10)
        .await
        .unwrap()
        .hits;
    assert_eq!(
        found.iter().map(|h| h.summary.id).collect::<Vec<_>>(),
        vec![row.id]
    );
    assert_eq!(on_server(user).await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_from_the_server_at_once_once_stored() {
    let servers = support::servers();
    let user = servers.user("pop2");
    let home = tempfile::tempdir().unwrap();
    let sent = names("at-once", 2);
    deliver(user, &sent).await;
    let before = on_server(user).await;
    // Over STLS (required), as a second way in.
    let (service, account) =
        pop3_service(home.path(), user, servers.pop3_starttls, Security::StartTls).await;
    service
        .set_pop3_policy(account, Policy::AtOnce)
        .await
        .unwrap();
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!(summary.new_messages as u32, before);
    assert_eq!(summary.removed as u32, before);
    assert_eq!(on_server(user).await, 0, "the server's INBOX is empty");
    let got = subjects(&service, inbox(&service, account).await).await;
    for subject in &sent {
        assert!(got.contains(subject), "{subject} kept here: {got:?}");
    }
    // Nothing left to do, and the keys of what is gone are forgotten.
    let again = service.sync(account, |_| {}).await.unwrap();
    assert_eq!((again.new_messages, again.removed), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_from_the_server_after_the_chosen_days() {
    let servers = support::servers();
    let user = servers.user("pop3");
    let home = tempfile::tempdir().unwrap();
    deliver(user, &names("after-days", 2)).await;
    let before = on_server(user).await;
    let (service, account) = pop3_service(home.path(), user, servers.pop3s, Security::Tls).await;
    service
        .set_pop3_policy(account, Policy::AfterDays(7))
        .await
        .unwrap();
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!((summary.new_messages as u32, summary.removed), (before, 0));
    assert_eq!(on_server(user).await, before, "too recent to delete");

    // Eight days later (the download times moved back in the store).
    let db = rusqlite::Connection::open(poshta::paths::store_file(home.path())).unwrap();
    db.execute(
        "UPDATE pop3_seen SET downloaded_at = downloaded_at - 8 * 86400",
        [],
    )
    .unwrap();
    drop(db);
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!((summary.new_messages, summary.removed as u32), (0, before));
    assert_eq!(on_server(user).await, 0);
    assert_eq!(
        service
            .message_count(
                inbox(&service, account).await,
                poshta::model::ListQuery::default()
            )
            .await
            .unwrap() as u32,
        before
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_from_the_server_once_deleted_here_for_good() {
    let servers = support::servers();
    let user = servers.user("pop4");
    let home = tempfile::tempdir().unwrap();
    let sent = names("when-deleted", 2);
    deliver(user, &sent).await;
    let before = on_server(user).await;
    let (service, account) = pop3_service(home.path(), user, servers.pop3s, Security::Tls).await;
    service
        .set_pop3_policy(account, Policy::WhenDeletedHere)
        .await
        .unwrap();
    assert_eq!(service.sync(account, |_| {}).await.unwrap().removed, 0);
    let inbox = inbox(&service, account).await;
    let rows = service
        .message_page(inbox, poshta::model::ListQuery::default(), 0, 100)
        .await
        .unwrap();
    let doomed = rows.iter().find(|m| m.subject == sent[0]).unwrap().id;

    // To Trash is not yet deleted: the server keeps it.
    service.delete_messages(vec![doomed]).await.unwrap();
    assert_eq!(service.sync(account, |_| {}).await.unwrap().removed, 0);
    assert_eq!(on_server(user).await, before);
    // Emptied from Trash: now the server deletes it, and only it.
    service.expunge_messages(vec![doomed]).await.unwrap();
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!((summary.new_messages, summary.removed), (0, 1));
    assert_eq!(on_server(user).await, before - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_25_mb_message_and_a_thousand_small_ones_arrive_whole() {
    let servers = support::servers();
    let user = servers.user("pop5");
    let home = tempfile::tempdir().unwrap();
    // 25 MB of base64-like lines, with a line that starts with a dot (the
    // server stuffs it; it must come back as it was).
    let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n";
    let mut body = String::from(".a line with a leading dot\r\n");
    while body.len() < 25 * 1024 * 1024 {
        body.push_str(line);
    }
    let big_subject = support::unique("big");
    let big = message(user, &big_subject, &body);
    support::deliver_all(&user.name, vec![big]).await;
    let small = names("many", 1000);
    deliver(user, &small).await;
    let before = on_server(user).await;

    let (service, account) = pop3_service(home.path(), user, servers.pop3s, Security::Tls).await;
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!(summary.new_messages as u32, before);
    let inbox = inbox(&service, account).await;
    assert_eq!(
        service
            .message_count(inbox, poshta::model::ListQuery::default())
            .await
            .unwrap() as u32,
        before
    );
    let rows = service
        .message_page(inbox, poshta::model::ListQuery::default(), 0, 2000)
        .await
        .unwrap();
    let id = rows.iter().find(|m| m.subject == big_subject).unwrap().id;
    let store = poshta::store::Store::open(&poshta::paths::store_file(home.path())).unwrap();
    let raw = store.raw_message(id).unwrap();
    let text = String::from_utf8(raw).unwrap();
    assert!(
        text.ends_with(&format!("{body}\r\n")),
        "the body arrived byte for byte"
    );
    assert!(text.contains("\r\n\r\n.a line with a leading dot\r\n"));
}

/// A scripted POP3 server on loopback for what Dovecot will not do: no
/// UIDL, or no STLS. Serves `messages` to one session after another, and
/// records every command line it receives.
struct Scripted {
    port: u16,
    commands: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// The maildrop; each session sees it as it was at its greeting.
    maildrop: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
}

impl Scripted {
    async fn start(messages: Vec<Vec<u8>>, capabilities: &'static str) -> Scripted {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let commands = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = commands.clone();
        let maildrop = std::sync::Arc::new(std::sync::Mutex::new(messages));
        let shared = maildrop.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let messages = shared.lock().unwrap().clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let _ = write.write_all(b"+OK scripted POP3 ready\r\n").await;
                    while let Ok(Some(line)) = lines.next_line().await {
                        log.lock().unwrap().push(line.clone());
                        let mut words = line.split_whitespace();
                        let verb = words.next().unwrap_or("").to_ascii_uppercase();
                        let arg: usize = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
                        let reply = match verb.as_str() {
                            "CAPA" => format!("+OK\r\n{capabilities}.\r\n"),
                            "USER" | "PASS" | "NOOP" | "RSET" => "+OK\r\n".into(),
                            "STAT" => format!("+OK {} 0\r\n", messages.len()),
                            "LIST" => {
                                let mut r = String::from("+OK\r\n");
                                for (i, m) in messages.iter().enumerate() {
                                    r.push_str(&format!("{} {}\r\n", i + 1, m.len()));
                                }
                                r + ".\r\n"
                            }
                            "UIDL" => "-ERR no UIDL here\r\n".into(),
                            "DELE" if (1..=messages.len()).contains(&arg) => {
                                if messages[arg - 1].starts_with(b"X-Keep") {
                                    "-ERR cannot delete that one\r\n".into()
                                } else {
                                    "+OK marked\r\n".into()
                                }
                            }
                            // A message the server cannot hand out.
                            "RETR"
                                if (1..=messages.len()).contains(&arg)
                                    && messages[arg - 1].starts_with(b"X-Refuse") =>
                            {
                                "-ERR message is locked\r\n".into()
                            }
                            "TOP" | "RETR" if (1..=messages.len()).contains(&arg) => {
                                let m = String::from_utf8_lossy(&messages[arg - 1]).to_string();
                                let text = if verb == "TOP" {
                                    m.split("\r\n\r\n").next().unwrap_or("").to_string()
                                        + "\r\n\r\n"
                                } else {
                                    m
                                };
                                format!("+OK\r\n{text}.\r\n")
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"+OK bye\r\n").await;
                                return;
                            }
                            _ => "-ERR unknown\r\n".into(),
                        };
                        if write.write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Scripted {
            port,
            commands,
            maildrop,
        }
    }

    fn add(&self, raw: Vec<u8>) {
        self.maildrop.lock().unwrap().push(raw);
    }

    fn received(&self) -> Vec<String> {
        self.commands.lock().unwrap().clone()
    }
}

/// A service with a POP3 account on the scripted server.
async fn scripted_account(home: &Path, port: u16, security: Security) -> (Service, AccountId) {
    let service = Service::load(home.to_path_buf()).await.unwrap();
    let account = service
        .add_account(NewAccount {
            name: "Scripted".into(),
            email: "someone@example.test".into(),
            incoming: Server {
                protocol: Protocol::Pop3,
                host: "127.0.0.1".into(),
                port,
                security,
                username: "someone".into(),
                extra_ca_pem: None,
                pinned_sha256: None,
            },
            outgoing: None,
        })
        .await
        .unwrap();
    service.set_password(account, "secret-word".into());
    (service, account)
}

#[tokio::test]
async fn without_uidl_messages_are_known_by_message_id_and_size() {
    let raw = |id: &str, subject: &str| {
        format!(
            "Message-ID: <{id}@example.test>\r\nSubject: {subject}\r\n\r\nbody of zebra{subject}\r\n"
        )
        .into_bytes()
    };
    // The first two are the same message delivered twice.
    let messages = vec![
        raw("same", "twice"),
        raw("same", "twice"),
        raw("other", "once"),
    ];
    let server = Scripted::start(messages, "USER\r\nTOP\r\n").await;
    let home = tempfile::tempdir().unwrap();
    // Plain text only by explicit choice (a scripted server has no TLS).
    let (service, account) = scripted_account(home.path(), server.port, Security::Plain).await;
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!(summary.new_messages, 2, "the duplicate is stored once");
    let inbox = inbox(&service, account).await;
    assert_eq!(subjects(&service, inbox).await, ["once", "twice"]);
    // Found by their text: the bodies were indexed after the download.
    let found = service
        .search("zebraonce".into(), poshta::search::Scope::All, 10)
        .await
        .unwrap()
        .hits;
    assert_eq!(found.len(), 1, "{found:?}");
    let received = server.received();
    assert!(received.iter().any(|c| c == "TOP 1 0"), "{received:?}");
    // Known by their keys across a restart.
    drop(service);
    let service = Service::load(home.path().to_path_buf()).await.unwrap();
    service.set_password(account, "secret-word".into());
    assert_eq!(service.sync(account, |_| {}).await.unwrap().new_messages, 0);
    assert_eq!(
        service
            .message_count(inbox, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        2
    );
}

#[tokio::test]
async fn a_required_stls_the_server_does_not_offer_stops_before_the_password() {
    let server = Scripted::start(Vec::new(), "USER\r\nUIDL\r\n").await;
    let home = tempfile::tempdir().unwrap();
    let (service, account) = scripted_account(home.path(), server.port, Security::StartTls).await;
    let error = service.sync(account, |_| {}).await.unwrap_err();
    assert_eq!(error.kind(), poshta::ErrorKind::InsecureServer, "{error}");
    let received = server.received();
    assert!(
        received
            .iter()
            .all(|c| !c.starts_with("USER") && !c.starts_with("PASS")),
        "{received:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_adds_a_pop3_account_and_checks_it() {
    let servers = support::servers();
    let user = servers.user("pop6");
    let sent = names("cli", 2);
    deliver(user, &sent).await;
    let before = on_server(user).await;
    let home = tempfile::tempdir().unwrap();
    let password = [("POSHTA_PASSWORD", user.password.as_str())];
    let cli =
        |args: &[&str]| support::cli::ok(support::cli::run(home.path(), &password, args, b""));
    let port = servers.pop3s.to_string();
    let ca = servers.ca_pem.to_string_lossy().to_string();
    let id = cli(&[
        "account",
        "add",
        "--name",
        "Shop",
        "--email",
        &user.address,
        "--pop3-host",
        &servers.tls_host,
        "--pop3-port",
        &port,
        "--ca-file",
        &ca,
        "--pop3-policy",
        "at-once",
    ]);
    let id = id.trim();
    let listed = cli(&["account", "list"]);
    assert!(listed.contains("pop3"), "{listed}");
    let out = cli(&["sync", id]);
    assert!(out.contains(&format!("{before} new messages")), "{out}");
    assert_eq!(on_server(user).await, 0, "deleted once stored");
    let out = cli(&["search", &sent[1]]);
    assert!(out.contains(&sent[1]), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_between_imap_and_pop3_keeps_every_message() {
    let servers = support::servers();
    let user = servers.user("pop10");
    let home = tempfile::tempdir().unwrap();
    let first = names("switch", 3);
    deliver(user, &first).await;
    let archived = support::unique("switch-archived");
    let mut other = support::imap::login(servers, user).await;
    other
        .append("Archive", None, None, message(user, &archived, "Filed."))
        .await
        .unwrap();
    let _ = other.logout().await;
    let in_inbox = on_server(user).await as usize;

    let imap = support::mailbox::imap_account(servers, user).incoming;
    let pop3 = Server {
        protocol: Protocol::Pop3,
        port: servers.pop3s,
        ..imap.clone()
    };
    let service = Service::load(home.path().to_path_buf()).await.unwrap();
    let account = service
        .add_account(NewAccount {
            name: "Switching".into(),
            email: user.address.clone(),
            incoming: imap.clone(),
            outgoing: None,
        })
        .await
        .unwrap();
    service.set_password(account, user.password.clone());
    service.sync(account, |_| {}).await.unwrap();
    let folder = |role: Role| {
        let service = service.clone();
        async move {
            service
                .folders()
                .await
                .unwrap()
                .into_iter()
                .find(|f| f.account_id == account && f.role == Some(role))
                .unwrap()
                .id
        }
    };
    let (inbox, archive) = (folder(Role::Inbox).await, folder(Role::Archive).await);
    assert_eq!(
        service
            .message_count(inbox, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        in_inbox
    );

    // To POP3: the bodies come first, then every folder is kept here.
    service
        .switch_incoming(account, pop3.clone())
        .await
        .unwrap();
    let kind = |service: &Service| {
        let service = service.clone();
        async move {
            service
                .accounts()
                .await
                .unwrap()
                .into_iter()
                .find(|a| a.id == account)
                .unwrap()
                .kind
        }
    };
    assert_eq!(kind(&service).await, poshta::model::AccountKind::Pop3);
    assert_eq!(folder(Role::Inbox).await, inbox);
    assert_eq!(folder(Role::Archive).await, archive);
    for role in [Role::Drafts, Role::Sent, Role::Trash, Role::Junk] {
        folder(role).await;
    }
    assert_eq!(
        subjects(&service, archive).await,
        std::slice::from_ref(&archived)
    );
    let rows = service
        .message_page(inbox, poshta::model::ListQuery::default(), 0, 100)
        .await
        .unwrap();
    for row in &rows {
        // Readable with no server: the body is here.
        service.message(row.id).await.unwrap();
    }
    // The Inbox's mail is known already: nothing is downloaded twice.
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!(summary.new_messages, 0);
    assert_eq!(
        service
            .message_count(inbox, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        in_inbox
    );
    let later = names("switch-later", 1);
    deliver(user, &later).await;
    assert_eq!(service.sync(account, |_| {}).await.unwrap().new_messages, 1);

    // And back to IMAP: the folders and their rows meet the server's.
    service.switch_incoming(account, imap).await.unwrap();
    assert_eq!(kind(&service).await, poshta::model::AccountKind::Imap);
    service.sync(account, |_| {}).await.unwrap();
    assert_eq!(folder(Role::Inbox).await, inbox);
    assert_eq!(
        service
            .message_count(inbox, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        in_inbox + 1
    );
    assert_eq!(subjects(&service, archive).await, [archived]);
    let store = poshta::store::Store::open(&poshta::paths::store_file(home.path())).unwrap();
    assert_eq!(
        store.uid_map(inbox).unwrap().len(),
        in_inbox + 1,
        "every row has its UID again"
    );
}

#[tokio::test]
async fn mail_moves_and_copies_between_pop3_and_local_folders_keeping_its_state() {
    let raw = |n: u32| {
        format!("Message-ID: <m{n}@example.test>\r\nSubject: kept {n}\r\n\r\nbody {n}\r\n")
            .into_bytes()
    };
    let server = Scripted::start(vec![raw(1), raw(2)], "USER\r\nTOP\r\n").await;
    let home = tempfile::tempdir().unwrap();
    let (service, account) = scripted_account(home.path(), server.port, Security::Plain).await;
    service.sync(account, |_| {}).await.unwrap();
    let inbox = inbox(&service, account).await;
    let folders = service.folders().await.unwrap();
    let role_of = |account_id, role| {
        folders
            .iter()
            .find(|f| f.account_id == account_id && f.role == Some(role))
            .unwrap()
            .id
    };
    let local_inbox = role_of(poshta::store::folders::LOCAL_ACCOUNT, Role::Inbox);
    let sent = role_of(account, Role::Sent);
    let rows = service
        .message_page(inbox, poshta::model::ListQuery::default(), 0, 10)
        .await
        .unwrap();
    let (one, two) = (rows[0].id, rows[1].id);

    service.set_flagged(vec![one], true).await.unwrap();
    service.move_messages(vec![one], local_inbox).await.unwrap();
    let moved = service
        .message_page(local_inbox, poshta::model::ListQuery::default(), 0, 100)
        .await
        .unwrap();
    let there = moved
        .iter()
        .find(|m| m.id == one)
        .expect("in Local Folders");
    assert!(there.flags.contains(poshta::model::Flags::FLAGGED));
    service.move_messages(vec![one], inbox).await.unwrap();
    service.copy_messages(vec![two], sent).await.unwrap();
    // Folders of one's own, kept here like the rest.
    let receipts = service
        .create_folder(account, None, "Receipts".into())
        .await
        .unwrap();
    service.move_messages(vec![two], receipts).await.unwrap();
    assert_eq!(
        service
            .message_count(receipts, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        1
    );
    service.move_messages(vec![two], inbox).await.unwrap();
    assert_eq!(
        service
            .message_count(inbox, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        2
    );
    assert_eq!(subjects(&service, sent).await.len(), 1);
    // Moved back and forth, still known: nothing downloaded again.
    assert_eq!(service.sync(account, |_| {}).await.unwrap().new_messages, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_pop3_account_checks_when_asked_and_announces_new_mail() {
    use poshta::sync::status::{AccountStatus, Event, PushMode};
    let raw = |n: u32| {
        format!("Message-ID: <live{n}@example.test>\r\nSubject: live {n}\r\n\r\nbody\r\n")
            .into_bytes()
    };
    let server = Scripted::start(vec![raw(1)], "USER\r\nTOP\r\n").await;
    let home = tempfile::tempdir().unwrap();
    let (service, account) = scripted_account(home.path(), server.port, Security::Plain).await;
    let mut events = service.subscribe();
    service.go_online(account).await.unwrap();
    let online = AccountStatus::Online {
        push: PushMode::Polling,
    };
    // The first check brings the mailbox; it is not news.
    let mut seen = Vec::new();
    loop {
        let event = tokio::time::timeout(std::time::Duration::from_secs(20), events.recv())
            .await
            .expect("the first check")
            .unwrap();
        let done = matches!(&event, Event::Status { status, .. } if *status == online);
        seen.push(event);
        if done {
            break;
        }
    }
    assert!(
        !seen.iter().any(|e| matches!(e, Event::NewMail { .. })),
        "{seen:#?}"
    );
    assert!(
        seen.iter().any(|e| matches!(
            e,
            Event::Status { status: AccountStatus::Syncing(p), .. }
                if p.stage == poshta::sync::Stage::Download
        )),
        "{seen:#?}"
    );

    // "Get messages": checked at once, and the new message announced.
    server.add(raw(2));
    service.sync_now(account).await.unwrap();
    let news = loop {
        let event = tokio::time::timeout(std::time::Duration::from_secs(20), events.recv())
            .await
            .expect("news of the new message")
            .unwrap();
        if let Event::NewMail { count, folder, .. } = event {
            break (count, folder);
        }
    };
    assert_eq!(news, (1, inbox(&service, account).await));

    // Checked every second from now on (the default is minutes): new mail
    // arrives without asking.
    service
        .set_check_interval(account, Some(std::time::Duration::from_secs(1)))
        .await
        .unwrap();
    assert_eq!(
        service.check_interval(account).await.unwrap(),
        Some(std::time::Duration::from_secs(1))
    );
    // Wait until the restarted check is done, then deliver.
    loop {
        let event = tokio::time::timeout(std::time::Duration::from_secs(20), events.recv())
            .await
            .expect("back online")
            .unwrap();
        if matches!(&event, Event::Status { status, .. } if *status == online) {
            break;
        }
    }
    // Twice: the first may be found by the check that follows the change;
    // the second only by a timed one.
    for n in [3, 4] {
        server.add(raw(n));
        let news = loop {
            let event = tokio::time::timeout(std::time::Duration::from_secs(10), events.recv())
                .await
                .expect("new mail found by the next timed check")
                .unwrap();
            if let Event::NewMail { count, .. } = event {
                break count;
            }
        };
        assert_eq!(news, 1);
    }
    service.stop(account).await;
}

#[tokio::test]
async fn a_message_the_server_will_not_give_is_skipped_not_fatal() {
    let raw = |n: u32, refuse: bool| {
        format!(
            "{}Message-ID: <r{n}@example.test>\r\nSubject: refused? {n}\r\n\r\nbody\r\n",
            if refuse { "X-Refuse: yes\r\n" } else { "" }
        )
        .into_bytes()
    };
    let server = Scripted::start(
        vec![raw(1, false), raw(2, true), raw(3, false)],
        "USER\r\nTOP\r\n",
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    let (service, account) = scripted_account(home.path(), server.port, Security::Plain).await;
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!(summary.new_messages, 2);
    let inbox = inbox(&service, account).await;
    assert_eq!(
        subjects(&service, inbox).await,
        ["refused? 1", "refused? 3"]
    );
    // Asked for again next time; the others are not downloaded twice.
    let before = server.received().iter().filter(|c| *c == "RETR 2").count();
    assert_eq!(service.sync(account, |_| {}).await.unwrap().new_messages, 0);
    let received = server.received();
    assert_eq!(
        received.iter().filter(|c| *c == "RETR 2").count(),
        before + 1
    );
    assert_eq!(received.iter().filter(|c| *c == "RETR 1").count(), 1);
}

#[tokio::test]
async fn a_deletion_the_server_refuses_does_not_fail_the_check() {
    let raw = |n: u32, keep: bool| {
        format!(
            "{}Message-ID: <d{n}@example.test>\r\nSubject: dele {n}\r\n\r\nbody\r\n",
            if keep { "X-Keep: yes\r\n" } else { "" }
        )
        .into_bytes()
    };
    let server = Scripted::start(vec![raw(1, true), raw(2, false)], "USER\r\nTOP\r\n").await;
    let home = tempfile::tempdir().unwrap();
    let (service, account) = scripted_account(home.path(), server.port, Security::Plain).await;
    service
        .set_pop3_policy(account, Policy::AtOnce)
        .await
        .unwrap();
    let summary = service.sync(account, |_| {}).await.unwrap();
    assert_eq!(summary.new_messages, 2);
    let received = server.received();
    assert!(received.iter().any(|c| c == "DELE 1"), "{received:?}");
    assert_eq!(
        received.last().map(String::as_str),
        Some("QUIT"),
        "{received:?}"
    );
}

//! The account manager: editing an account's name, address and servers
//! (a kept password moves with its server and is written nowhere), the
//! order of accounts, the folders serving as Sent, Drafts and Trash (used
//! by sending, drafts and delete on a real Dovecot and Postfix), and
//! bodies kept for offline reading by the live connection.

mod support;

use clap::Parser;
use futures::TryStreamExt;
use poshta::account::{Protocol, Security, Server};
use poshta::cli::{Cli, run};
use poshta::model::{AccountId, Folder, FolderId, Role};
use poshta::store::drafts::Draft;
use poshta::sync::status::AccountStatus;
use poshta::sync::worker::LiveConfig;
use poshta::{ErrorKind, Service};
use std::path::Path;
use std::time::Duration;
use support::keyring::Keyring;
use support::server;

/// How long anything that should happen may take.
const PATIENCE: Duration = Duration::from_secs(20);

/// poshta-cli in this process, over `home`.
async fn cli(home: &Path, args: &[&str]) -> poshta::Result<String> {
    let mut argv = vec!["poshta-cli", "--home", home.to_str().unwrap()];
    argv.extend_from_slice(args);
    let mut out = Vec::new();
    run(
        Cli::try_parse_from(argv).expect("valid arguments"),
        &mut out,
    )
    .await?;
    Ok(String::from_utf8(out).unwrap())
}

/// `account add` of an account with no server behind it; its id.
async fn add(home: &Path, name: &str, incoming: &[&str]) -> String {
    let mut args = vec![
        "account",
        "add",
        "--name",
        name,
        "--email",
        "me@example.test",
    ];
    args.extend_from_slice(incoming);
    cli(home, &args).await.unwrap().trim().to_string()
}

/// The first column but one of `account list`: the names, in order.
async fn listed_names(home: &Path) -> Vec<String> {
    let list = cli(home, &["account", "list"]).await.unwrap();
    list.lines()
        .map(|line| line.split('\t').nth(1).unwrap().to_string())
        .collect()
}

/// Wait until `check` holds, polling; panics after [`PATIENCE`].
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A word found nowhere else, for subjects and bodies to search for.
fn word(tag: &str) -> String {
    support::unique(tag).replace('-', "x")
}

#[tokio::test]
async fn account_edit_changes_what_is_given_and_keeps_the_rest() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let id = add(home, "Work", &["--imap-host", "imap.example.test"]).await;

    cli(
        home,
        &[
            "account",
            "edit",
            &id,
            "--name",
            "Жұмыс",
            "--email",
            "aigerim@example.kz",
            "--imap-host",
            "mail.example.kz",
            "--imap-security",
            "starttls",
            "--smtp-host",
            "smtp.example.kz",
        ],
    )
    .await
    .unwrap();
    let list = cli(home, &["account", "list"]).await.unwrap();
    assert_eq!(
        list.lines().next().unwrap(),
        format!(
            "{id}\tЖұмыс\taigerim@example.kz\timap mail.example.kz:143 (starttls)\t\
             smtp smtp.example.kz:465 (tls)\tevery 5 min"
        ),
        "993 became STARTTLS's 143; a new SMTP server on its standard port"
    );

    // `set` is the same command: old scripts keep working.
    cli(
        home,
        &[
            "account",
            "set",
            &id,
            "--smtp-port",
            "587",
            "--smtp-security",
            "starttls",
            "--username",
            "a.n",
            "--check-every",
            "15",
        ],
    )
    .await
    .unwrap();
    let service = Service::load(home.to_path_buf()).await.unwrap();
    let settings = service
        .account_settings(AccountId(id.parse().unwrap()))
        .await
        .unwrap();
    let (incoming, outgoing) = (settings.incoming.unwrap(), settings.outgoing.unwrap());
    assert_eq!(
        (incoming.host.as_str(), incoming.port),
        ("mail.example.kz", 143)
    );
    assert_eq!(
        (outgoing.port, outgoing.security),
        (587, Security::StartTls)
    );
    assert_eq!(
        (incoming.username.as_str(), outgoing.username.as_str()),
        ("a.n", "a.n")
    );
    drop(service);
    let list = cli(home, &["account", "list"]).await.unwrap();
    assert!(
        list.lines().next().unwrap().ends_with("\tevery 15 min"),
        "{list}"
    );

    // Refused, and nothing of the same command changed.
    for refused in [
        &["--pop3-host", "pop.example.kz"][..],
        &["--name", "Other", "--email", "not an address"],
        &[
            "--name",
            "Other",
            "--email",
            "a@example.kz\nBcc: b@example.kz",
        ],
        &["--name", "  "],
        &["--name", "Other", "--imap-host", " "],
    ] {
        let mut args = vec!["account", "edit", &id];
        args.extend_from_slice(refused);
        let e = cli(home, &args).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidSettings, "{refused:?}: {e}");
    }
    assert_eq!(listed_names(home).await[0], "Жұмыс");
    let e = cli(home, &["account", "edit", "999", "--name", "X"])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn accounts_are_listed_in_the_order_chosen_with_local_folders_last() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let a = add(home, "A", &["--imap-host", "a.example.test"]).await;
    add(home, "B", &["--pop3-host", "b.example.test"]).await;
    let c = add(home, "C", &["--imap-host", "c.example.test"]).await;
    assert_eq!(listed_names(home).await, ["A", "B", "C", "Local Folders"]);

    cli(home, &["account", "edit", &c, "--position", "1"])
        .await
        .unwrap();
    assert_eq!(listed_names(home).await, ["C", "A", "B", "Local Folders"]);
    cli(home, &["account", "edit", &a, "--position", "99"])
        .await
        .unwrap();
    assert_eq!(listed_names(home).await, ["C", "B", "A", "Local Folders"]);
    // The window's order is the same.
    let service = Service::load(home.to_path_buf()).await.unwrap();
    service
        .move_account(AccountId(c.parse().unwrap()), 1)
        .await
        .unwrap();
    let names: Vec<String> = service
        .accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["B", "C", "A", "Local Folders"]);
    drop(service);

    let e = cli(home, &["account", "edit", "1", "--position", "1"])
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::ProtectedAccount,
        "Local Folders stays last"
    );
    let home = home.to_str().unwrap();
    let zero = [
        "poshta-cli",
        "--home",
        home,
        "account",
        "edit",
        &a,
        "--position",
        "0",
    ];
    assert!(Cli::try_parse_from(zero).is_err(), "positions count from 1");
}

/// `folders`'s folder named `name` under a folder named `parent`, of `account`.
fn folder<'a>(
    folders: &'a [Folder],
    account: AccountId,
    parent: Option<&str>,
    name: &str,
) -> &'a Folder {
    let parent_id = parent.map(|p| folder(folders, account, None, p).id);
    folders
        .iter()
        .find(|f| f.account_id == account && f.name == name && f.parent_id == parent_id)
        .unwrap_or_else(|| panic!("no folder {parent:?}/{name} in {folders:#?}"))
}

fn role_of(folders: &[Folder], account: AccountId, role: Role) -> Option<FolderId> {
    folders
        .iter()
        .find(|f| f.account_id == account && f.role == Some(role))
        .map(|f| f.id)
}

#[tokio::test]
async fn special_folders_are_chosen_by_their_path_within_the_account() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let id = add(home, "Shop", &["--pop3-host", "pop.example.test"]).await;
    let account = AccountId(id.parse().unwrap());
    for name in ["2026", "Bin"] {
        cli(home, &["folder", "create", name, "--parent", "Shop/Inbox"])
            .await
            .unwrap();
    }
    let local_inbox = cli(home, &["folder", "create", "Mine"]).await.unwrap();

    cli(
        home,
        &[
            "account",
            "edit",
            &id,
            "--sent-folder",
            "Inbox/2026",
            "--trash-folder",
            "inbox/bin/",
        ],
    )
    .await
    .unwrap();
    let service = Service::load(home.to_path_buf()).await.unwrap();
    let folders = service.folders().await.unwrap();
    let year = folder(&folders, account, Some("Inbox"), "2026").id;
    let bin = folder(&folders, account, Some("Inbox"), "Bin").id;
    assert_eq!(role_of(&folders, account, Role::Sent), Some(year));
    assert_eq!(role_of(&folders, account, Role::Trash), Some(bin));
    let old_sent = folder(&folders, account, None, "Sent");
    assert_eq!(old_sent.role, None, "the old Sent is a plain folder now");
    let old_sent = old_sent.id;
    drop(service);

    // Refused: another account's folder (by id), a folder with another
    // role, a path that is not there. Checked before anything changes.
    let refusals = [
        (
            &["--drafts-folder", local_inbox.trim()][..],
            ErrorKind::NotFound,
        ),
        (&["--drafts-folder", "Inbox"], ErrorKind::InvalidSettings),
        (
            &["--name", "Renamed", "--drafts-folder", "Nowhere"],
            ErrorKind::NotFound,
        ),
    ];
    for (args, kind) in refusals {
        let mut argv = vec!["account", "edit", &id];
        argv.extend_from_slice(args);
        let e = cli(home, &argv).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{args:?}: {e}");
    }
    assert_eq!(listed_names(home).await[0], "Shop");

    // The id of one of its own folders does; the service refuses another
    // account's folder itself too.
    cli(
        home,
        &[
            "account",
            "edit",
            &id,
            "--sent-folder",
            &old_sent.to_string(),
        ],
    )
    .await
    .unwrap();
    let service = Service::load(home.to_path_buf()).await.unwrap();
    let folders = service.folders().await.unwrap();
    assert_eq!(role_of(&folders, account, Role::Sent), Some(old_sent));
    let mine = FolderId(local_inbox.trim().parse().unwrap());
    let e = service
        .set_special_folder(account, Role::Drafts, mine)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidSettings);
}

/// Mailboxes on the server, made over IMAP as another client would.
async fn create_mailboxes(user: &support::User, names: &[&str]) {
    let mut session = support::imap::login(support::servers(), user).await;
    for name in names {
        session.create(name).await.unwrap();
    }
    let _ = session.logout().await;
}

/// Subjects of the messages in `user`'s server `mailbox` not marked deleted.
async fn subjects_in(user: &support::User, mailbox: &str) -> Vec<String> {
    let mut session = support::imap::login(support::servers(), user).await;
    session.select(mailbox).await.unwrap();
    let uids = session.uid_search("UNDELETED").await.unwrap();
    let mut subjects = Vec::new();
    if !uids.is_empty() {
        let set: Vec<String> = uids.iter().map(u32::to_string).collect();
        let fetched: Vec<_> = session
            .uid_fetch(set.join(","), "BODY.PEEK[HEADER.FIELDS (SUBJECT)]")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        for f in &fetched {
            subjects.push(String::from_utf8_lossy(f.header().unwrap_or_default()).into_owned());
        }
    }
    let _ = session.logout().await;
    subjects
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chosen_folders_take_sent_copies_drafts_and_deleted_mail_on_the_server() {
    let servers = support::servers();
    let (bob, alice) = (servers.user("bob"), servers.user("alice"));
    let base = word("Filed");
    let (filed, drafts, bin) = (
        format!("{base}/2026"),
        format!("{base}/Drafts"),
        format!("{base}/Bin"),
    );
    create_mailboxes(bob, &[&base, &filed, &drafts, &bin]).await;
    let doomed = word("doomed");
    let raw = format!("Subject: {doomed}\r\n\r\nto be deleted\r\n");
    support::deliver_all("bob", vec![raw.into_bytes()]).await;

    let home = tempfile::tempdir().unwrap();
    let (service, account) = support::sending::account(
        home.path(),
        server(Protocol::Imap, servers.imaps, Security::Tls, bob),
        server(Protocol::Smtp, servers.submissions, Security::Tls, bob),
        &bob.address,
    )
    .await;
    service.set_password(account, bob.password.clone());
    service.sync(account, |_| {}).await.unwrap();
    let folders = service.folders().await.unwrap();
    let server_sent = role_of(&folders, account, Role::Sent).expect("the server's Sent");
    assert_eq!(folder(&folders, account, None, "Sent").id, server_sent);
    for (role, name) in [
        (Role::Sent, "2026"),
        (Role::Drafts, "Drafts"),
        (Role::Trash, "Bin"),
    ] {
        let chosen = folder(&folders, account, Some(&base), name).id;
        service
            .set_special_folder(account, role, chosen)
            .await
            .unwrap();
    }
    let chosen_sent = folder(&folders, account, Some(&base), "2026").id;
    let e = service
        .set_special_folder(account, Role::Trash, chosen_sent)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::InvalidSettings,
        "Sent cannot be Trash too"
    );

    // A sync reads the server's special-use flags again: the choice holds.
    service.sync(account, |_| {}).await.unwrap();
    let folders = service.folders().await.unwrap();
    for (role, name) in [
        (Role::Sent, "2026"),
        (Role::Drafts, "Drafts"),
        (Role::Trash, "Bin"),
    ] {
        let chosen = folder(&folders, account, Some(&base), name).id;
        assert_eq!(role_of(&folders, account, role), Some(chosen), "{role:?}");
    }
    let old_sent = folder(&folders, account, None, "Sent");
    assert_eq!((old_sent.id, old_sent.role), (server_sent, None));

    // Sending files the copy in the chosen folder, on the server too.
    let subject = word("sent");
    let id = service
        .queue_message(account, support::sending::draft(&alice.address, &subject))
        .await
        .unwrap();
    assert_eq!(service.send_queued(account).await.unwrap().sent, 1);
    let message_id = service.outgoing(id).await.unwrap().message_id;
    let copy = support::sending::wait_for(bob, &filed, &message_id).await;
    assert!(String::from_utf8_lossy(&copy).contains(&subject));
    let in_sent = subjects_in(bob, "Sent").await;
    assert!(!in_sent.iter().any(|s| s.contains(&subject)), "{in_sent:?}");

    // A draft goes to the chosen Drafts.
    let draft_subject = word("draft");
    let draft = Draft {
        id: None,
        account: Some(account),
        message: support::sending::draft(&alice.address, &draft_subject),
        answering: None,
    };
    let draft_id = service.save_draft(draft).await.unwrap();
    service.file_draft(draft_id).await.unwrap();

    // Delete moves to the chosen Trash.
    let inbox = role_of(&folders, account, Role::Inbox).unwrap();
    let rows = service
        .message_page(inbox, poshta::model::ListQuery::default(), 0, 1000)
        .await
        .unwrap();
    let row = rows
        .iter()
        .find(|m| m.subject == doomed)
        .expect("delivered");
    let deleted = service.delete_messages(vec![row.id]).await.unwrap();
    assert_eq!(deleted.expunged, 0, "moved, not deleted for good");

    eventually(
        "the draft and the deleted message on the server",
        || async {
            service.push_changes().await.unwrap();
            let in_drafts = subjects_in(bob, &drafts).await;
            let in_bin = subjects_in(bob, &bin).await;
            in_drafts.iter().any(|s| s.contains(&draft_subject))
                && in_bin.iter().any(|s| s.contains(&doomed))
        },
    )
    .await;
    let in_inbox = subjects_in(bob, "INBOX").await;
    assert!(
        !in_inbox.iter().any(|s| s.contains(&doomed)),
        "{in_inbox:?}"
    );
}

/// Whether a search finds `word` in `service`'s mail here (not through
/// the server's own search).
async fn found(service: &Service, word: &str) -> bool {
    service
        .search(word.to_string(), poshta::search::Scope::All, 10)
        .await
        .unwrap()
        .hits
        .iter()
        .any(|h| h.origin == poshta::search::Origin::Local)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_connection_keeps_bodies_for_offline_reading_when_asked() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let home = tempfile::tempdir().unwrap();
    let service = Service::load(home.path().to_path_buf()).await.unwrap();
    let account = service
        .add_account(poshta::account::NewAccount {
            name: "Offline".into(),
            email: alice.address.clone(),
            incoming: server(Protocol::Imap, servers.imaps, Security::Tls, alice),
            outgoing: None,
        })
        .await
        .unwrap();
    service.set_password(account, alice.password.clone());
    service.set_live_config(LiveConfig {
        liveness_timeout: Duration::from_secs(5),
        ..LiveConfig::default()
    });
    // A body's words are searchable once the body is here; a subject's
    // as soon as the header is.
    let message = |subject: &str, body: &str| {
        let raw = format!("Subject: {subject}\r\n\r\n{body}\r\n");
        support::deliver_all("alice", vec![raw.into_bytes()])
    };
    let (first, first_body) = (word("first"), word("firstbody"));
    message(&first, &first_body).await;

    service.go_online(account).await.unwrap();
    eventually("the first header", || found(&service, &first)).await;
    assert!(
        !found(&service, &first_body).await,
        "bodies are not kept by default"
    );

    // Turned on while online: the live connection fetches them now.
    service.set_offline_bodies(account, true).await.unwrap();
    eventually("the first body", || found(&service, &first_body)).await;

    // New mail's bodies come with it.
    let (second, second_body) = (word("second"), word("secondbody"));
    message(&second, &second_body).await;
    eventually("the second body", || found(&service, &second_body)).await;

    // Turned off: new mail's headers only.
    service.set_offline_bodies(account, false).await.unwrap();
    let (third, third_body) = (word("third"), word("thirdbody"));
    message(&third, &third_body).await;
    eventually("the third header", || found(&service, &third)).await;
    assert!(!found(&service, &third_body).await);
    assert!(matches!(
        service.status(account),
        AccountStatus::Online { .. }
    ));
}

/// `service`'s account status once `want` accepts it.
async fn status_until(
    service: &Service,
    account: AccountId,
    what: &str,
    want: impl Fn(&AccountStatus) -> bool,
) {
    eventually(what, || async { want(&service.status(account)) }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_reconnects_a_live_account_with_this_sessions_password() {
    let servers = support::servers();
    let carol = servers.user("carol");
    let home = tempfile::tempdir().unwrap();
    let service = Service::load(home.path().to_path_buf()).await.unwrap();
    let imap = server(Protocol::Imap, servers.imaps, Security::Tls, carol);
    let account = service
        .add_account(poshta::account::NewAccount {
            name: "Live".into(),
            email: carol.address.clone(),
            incoming: imap.clone(),
            outgoing: None,
        })
        .await
        .unwrap();
    service.set_password(account, carol.password.clone());
    service.set_live_config(LiveConfig {
        liveness_timeout: Duration::from_secs(5),
        backoff_base: Duration::from_millis(200),
        backoff_max: Duration::from_secs(1),
        ..LiveConfig::default()
    });
    service.go_online(account).await.unwrap();
    let online = |s: &AccountStatus| matches!(s, AccountStatus::Online { .. });
    status_until(&service, account, "online", online).await;

    // Moved to a port nobody listens on: the connection follows and fails.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let update = |incoming: Server| {
        service.update_account(
            account,
            "Live".into(),
            carol.address.clone(),
            incoming,
            None,
        )
    };
    update(Server {
        host: servers.host.clone(),
        port: closed,
        ..imap.clone()
    })
    .await
    .unwrap();
    status_until(&service, account, "failing at the new port", |s| {
        matches!(
            s,
            AccountStatus::Error {
                retry_in: Some(_),
                ..
            }
        )
    })
    .await;

    // The server under another name (127.0.0.1 for localhost): online
    // again with the password given before the edits.
    update(Server {
        host: servers.host.clone(),
        ..imap.clone()
    })
    .await
    .unwrap();
    status_until(&service, account, "online at the new name", online).await;
    assert!(service.has_password(account));
    service.sync(account, |_| {}).await.unwrap();

    // IMAP stays IMAP.
    let e = update(server(Protocol::Pop3, servers.pop3s, Security::Tls, carol))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidSettings);
    let incoming = service
        .account_settings(account)
        .await
        .unwrap()
        .incoming
        .unwrap();
    assert_eq!(
        (incoming.protocol, incoming.host.as_str()),
        (Protocol::Imap, servers.host.as_str())
    );
    service.stop(account).await;
}

/// poshta-cli as its own process with `bus` as its session bus and
/// `password` in POSHTA_PASSWORD if given (stdin is empty).
fn cli_process(home: &Path, bus: &str, password: Option<&str>, args: &[&str]) -> String {
    support::cli::ok(support::keyring::cli(home, bus, password, args))
}

#[test]
fn a_kept_password_moves_with_its_renamed_server_and_is_written_nowhere() {
    let servers = support::servers();
    let carol = servers.user("carol");
    let keyring = Keyring::start();
    let home = tempfile::tempdir().unwrap();
    let (home, bus) = (home.path(), keyring.bus.as_str());
    let (port, ca) = (
        servers.imaps.to_string(),
        servers.ca_pem.to_string_lossy().to_string(),
    );
    let id = cli_process(
        home,
        bus,
        None,
        &[
            "account",
            "add",
            "--name",
            "Kept",
            "--email",
            &carol.address,
            "--imap-host",
            &servers.tls_host,
            "--imap-port",
            &port,
            "--ca-file",
            &ca,
        ],
    );
    let id = id.trim();
    cli_process(
        home,
        bus,
        Some(&carol.password),
        &["account", "password", id],
    );
    let entry = |host: &str| format!("imap://{}@{host}:{port}", carol.address);
    let kept = |host: &str| keyring.lookup(&["service", "poshta", "username", &entry(host)]);
    assert_eq!(
        kept(&servers.tls_host).as_deref(),
        Some(carol.password.as_str())
    );

    // The same server under another name: the password goes with it.
    cli_process(
        home,
        bus,
        None,
        &[
            "account",
            "edit",
            id,
            "--imap-host",
            &servers.host,
            "--name",
            "Renamed",
        ],
    );
    assert_eq!(
        kept(&servers.host).as_deref(),
        Some(carol.password.as_str())
    );
    assert_eq!(kept(&servers.tls_host), None, "the old entry is gone");

    // Later runs log in with it, given no password.
    let synced = cli_process(home, bus, None, &["sync", id]);
    assert!(synced.contains("folders"), "{synced}");
    let tested = cli_process(home, bus, None, &["account", "test", id]);
    assert!(tested.contains("ok"), "{tested}");
    let list = cli_process(home, bus, None, &["account", "list"]);
    assert!(
        list.contains(&format!(
            "Renamed\t{}\timap {}:{port}",
            carol.address, servers.host
        )),
        "{list}"
    );

    assert_eq!(
        support::files_containing(home, &carol.password),
        Vec::<String>::new(),
        "the password is in no file of the profile"
    );
}

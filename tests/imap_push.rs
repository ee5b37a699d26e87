//! Live connections against real Dovecot: new mail and flags changed
//! elsewhere arrive without asking (IDLE, or polling), a cut connection
//! comes back by itself, a wrong password stops the worker, and offline
//! mode keeps changes queued until the service goes online again.

mod support;

use futures::TryStreamExt;
use poshta::Service;
use poshta::account::{NewAccount, Protocol, Security, Server};
use poshta::model::{AccountId, Flags, MessageSummary, Role};
use poshta::sync::status::{AccountStatus, Event, PushMode};
use poshta::sync::worker::LiveConfig;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

/// How long anything that should happen may take.
const PATIENCE: Duration = Duration::from_secs(20);

/// A service with an IMAP account for `user` at `host:port` (Dovecot's
/// IMAPS, or a proxy in front of it), its password set unless `None`.
async fn service_with_account(
    user: &support::User,
    port: u16,
    password: Option<&str>,
) -> (tempfile::TempDir, Service, AccountId) {
    let servers = support::servers();
    let dir = tempfile::tempdir().unwrap();
    let service = Service::load(dir.path().to_path_buf()).await.unwrap();
    let account = service
        .add_account(NewAccount {
            name: "Dovecot".into(),
            email: user.address.clone(),
            incoming: Server {
                protocol: Protocol::Imap,
                // The certificate is valid for 127.0.0.1 too, which lets
                // the same account go through the test's proxy.
                host: servers.host.clone(),
                port,
                security: Security::Tls,
                username: user.login().into(),
                extra_ca_pem: Some(servers.ca_pem_bytes()),
                pinned_sha256: None,
            },
            outgoing: None,
        })
        .await
        .unwrap();
    if let Some(password) = password {
        service.set_password(account, password.into());
    }
    (dir, service, account)
}

/// `user`'s account over `port` with quick live settings, gone online and
/// idling, and the account's events from before it went online.
async fn idling(
    user: &support::User,
    port: u16,
) -> (tempfile::TempDir, Service, AccountId, Events) {
    let (dir, service, account) = service_with_account(user, port, Some(&user.password)).await;
    service.set_live_config(quick());
    let mut events = Events::of(&service, account);
    service.go_online(account).await.unwrap();
    events.until_status(online(PushMode::Idle)).await;
    (dir, service, account, events)
}

/// Short timers, so nothing in these tests waits on real-world defaults.
fn quick() -> LiveConfig {
    LiveConfig {
        liveness_timeout: Duration::from_secs(5),
        backoff_base: Duration::from_millis(200),
        backoff_max: Duration::from_secs(2),
        ..LiveConfig::default()
    }
}

/// One account's events, read with deadlines.
struct Events {
    rx: broadcast::Receiver<Event>,
    account: AccountId,
}

impl Events {
    fn of(service: &Service, account: AccountId) -> Self {
        Self {
            rx: service.subscribe(),
            account,
        }
    }

    /// The account's events up to and including the first that `want`
    /// accepts; panics with those seen if none comes within [`PATIENCE`].
    async fn until(&mut self, what: &str, want: impl Fn(&Event) -> bool) -> Vec<Event> {
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let event = match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Err(_) => panic!("no {what} within {PATIENCE:?}; saw {seen:#?}"),
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
                Ok(Err(e)) => panic!("event channel: {e}"),
                Ok(Ok(event)) => event,
            };
            if account_of(&event) != self.account {
                continue;
            }
            let done = want(&event);
            seen.push(event);
            if done {
                return seen;
            }
        }
    }

    /// The account's next event within `within`, if any.
    async fn next_within(&mut self, within: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Err(_) => return None,
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
                Ok(Err(e)) => panic!("event channel: {e}"),
                Ok(Ok(event)) if account_of(&event) == self.account => return Some(event),
                Ok(Ok(_)) => {}
            }
        }
    }

    async fn until_status(&mut self, want: impl Fn(&AccountStatus) -> bool) -> Vec<Event> {
        self.until(
            "such a status",
            |e| matches!(e, Event::Status { status, .. } if want(status)),
        )
        .await
    }
}

fn account_of(event: &Event) -> AccountId {
    match event {
        Event::Status { account, .. }
        | Event::NewMail { account, .. }
        | Event::Changed { account } => *account,
    }
}

fn statuses(events: &[Event]) -> Vec<&AccountStatus> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Status { status, .. } => Some(status),
            _ => None,
        })
        .collect()
}

fn online(push: PushMode) -> impl Fn(&AccountStatus) -> bool {
    move |s| *s == AccountStatus::Online { push }
}

/// Deliver a message with this (unique) subject to `user`'s INBOX.
async fn deliver(user: &'static str, subject: &str) {
    let raw = format!(
        "From: Sender <sender@example.test>\r\nTo: {user}@example.test\r\n\
         Subject: {subject}\r\nMessage-ID: <{subject}@example.test>\r\n\r\nHello.\r\n"
    );
    support::deliver_all(user, vec![raw.into_bytes()]).await;
}

/// `check` every 100 ms until it gives `Some`, or panic after [`PATIENCE`].
async fn eventually<T, F: Future<Output = Option<T>>>(what: &str, check: impl Fn() -> F) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The stored INBOX message with this subject, if the store has it.
async fn stored(service: &Service, account: AccountId, subject: &str) -> Option<MessageSummary> {
    let inbox = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Inbox))?;
    service
        .message_page(inbox.id, poshta::model::ListQuery::default(), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.subject == subject)
}

/// The message's flags as the server has them, seen by another client.
async fn server_flags(session: &mut support::imap::Session, subject: &str) -> Vec<String> {
    session.select("INBOX").await.unwrap();
    let uids = session
        .uid_search(format!("SUBJECT \"{subject}\""))
        .await
        .unwrap();
    let uid = uids.into_iter().next().expect("message on the server");
    let fetches: Vec<_> = session
        .uid_fetch(uid.to_string(), "FLAGS")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    fetches
        .iter()
        .flat_map(|f| f.flags().map(|flag| format!("{flag:?}")))
        .collect()
}

/// A TCP relay to Dovecot's IMAPS port that the test can cut, as a
/// network failure would: open connections are dropped and new ones
/// closed at once until it is restored. Or it can freeze the open
/// connections: they stay open but nothing passes any more, as when a
/// NAT forgets a connection or Wi-Fi goes away without a word.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    /// Bumped by each freeze; a relay freezes when it changes.
    freezes: watch::Sender<u64>,
    /// Connections relayed so far.
    accepted: Arc<AtomicUsize>,
    relays: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    async fn start(target: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let accepted = Arc::new(AtomicUsize::new(0));
        let relays: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let freezes = watch::channel(0).0;
        let accept = tokio::spawn({
            let (up, accepted, relays) = (up.clone(), accepted.clone(), relays.clone());
            let freezes = freezes.clone();
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    if !up.load(Ordering::SeqCst) {
                        continue; // dropped: closed at once
                    }
                    accepted.fetch_add(1, Ordering::SeqCst);
                    let mut freezes = freezes.subscribe();
                    let born = *freezes.borrow_and_update();
                    let relay = tokio::spawn(async move {
                        let Ok(mut server) = TcpStream::connect(("127.0.0.1", target)).await else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            () = async { drop(freezes.wait_for(|n| *n != born).await) } => {
                                // Hold both sockets open, relaying nothing.
                                std::future::pending::<()>().await;
                            }
                        }
                    });
                    relays.lock().unwrap().push(relay);
                }
            }
        });
        Proxy {
            port,
            up,
            freezes,
            accepted,
            relays,
            accept,
        }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for relay in self.relays.lock().unwrap().drain(..) {
            relay.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }

    /// Silence the open connections (new ones still work).
    fn freeze(&self) {
        self.freezes.send_modify(|n| *n += 1);
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Relayed connections neither side has closed.
    fn open_connections(&self) -> usize {
        let relays = self.relays.lock().unwrap();
        relays.iter().filter(|r| !r.is_finished()).count()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_mail_arrives_by_idle_without_a_sync() {
    let servers = support::servers();
    let user = servers.user("alice");
    let (_dir, service, account) =
        service_with_account(user, servers.imaps, Some(&user.password)).await;
    service.set_live_config(quick());
    let mut events = Events::of(&service, account);
    service.go_online(account).await.unwrap();

    let seen = events.until_status(online(PushMode::Idle)).await;
    let order = statuses(&seen);
    assert_eq!(
        order.first(),
        Some(&&AccountStatus::Connecting),
        "{order:#?}"
    );
    assert!(
        order
            .iter()
            .any(|s| matches!(s, AccountStatus::Syncing(p) if p.folder_count > 0)),
        "a full sync with progress before going online: {order:#?}"
    );
    assert_eq!(
        service.status(account),
        AccountStatus::Online {
            push: PushMode::Idle
        }
    );

    let subject = support::unique("idle-new-mail");
    deliver("alice", &subject).await;
    let seen = events
        .until("NewMail", |e| matches!(e, Event::NewMail { .. }))
        .await;
    let Some(Event::NewMail { folder, count, .. }) = seen.last() else {
        unreachable!()
    };
    assert!(*count >= 1);
    let message = stored(&service, account, &subject)
        .await
        .expect("the new message is in the store once NewMail is announced");
    assert_eq!(message.folder_id, *folder, "NewMail names the INBOX");
    service.stop(account).await;
    assert_eq!(service.status(account), AccountStatus::Offline);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_changed_by_another_client_arrive_when_idle_wakes() {
    let servers = support::servers();
    let user = servers.user("bob");
    let subject = support::unique("idle-flags");
    deliver("bob", &subject).await;
    let (_dir, service, account, mut events) = idling(user, servers.imaps).await;
    let message = stored(&service, account, &subject)
        .await
        .expect("synced before going online");
    assert!(!message.flags.contains(Flags::FLAGGED));

    // Another client flags it. Nothing but IDLE can tell the worker: it
    // would renew IDLE only after 25 minutes.
    let mut other = support::imap::login(servers, user).await;
    other.select("INBOX").await.unwrap();
    let uid = other
        .uid_search(format!("SUBJECT \"{subject}\""))
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let _: Vec<_> = other
        .uid_store(uid.to_string(), "+FLAGS (\\Flagged)")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    events
        .until("Changed", |e| matches!(e, Event::Changed { .. }))
        .await;
    let flagged = eventually("the flag in the store", || async {
        stored(&service, account, &subject)
            .await
            .filter(|m| m.flags.contains(Flags::FLAGGED))
    })
    .await;
    assert_eq!(flagged.id, message.id, "the same row, updated");
    assert_eq!(
        service.status(account),
        AccountStatus::Online {
            push: PushMode::Idle
        },
        "idling again"
    );
    let _ = other.logout().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_brings_new_mail_when_idle_is_not_used() {
    let servers = support::servers();
    let user = servers.user("carol");
    let (_dir, service, account) =
        service_with_account(user, servers.imaps, Some(&user.password)).await;
    service.set_live_config(LiveConfig {
        force_polling: true,
        poll_interval: Duration::from_millis(500),
        ..quick()
    });
    let mut events = Events::of(&service, account);
    service.go_online(account).await.unwrap();
    events.until_status(online(PushMode::Polling)).await;

    let subject = support::unique("polled-new-mail");
    deliver("carol", &subject).await;
    events
        .until("NewMail", |e| matches!(e, Event::NewMail { .. }))
        .await;
    assert!(stored(&service, account, &subject).await.is_some());
    assert_eq!(
        service.status(account),
        AccountStatus::Online {
            push: PushMode::Polling
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_connection_comes_back_by_itself_with_growing_waits() {
    let servers = support::servers();
    let user = servers.user("alice");
    let proxy = Proxy::start(servers.imaps).await;
    let (_dir, service, account, mut events) = idling(user, proxy.port).await;

    // The network goes away: the IDLE connection drops, and reconnecting
    // fails until it is back.
    proxy.cut();
    let mut waits = Vec::new();
    while waits.len() < 3 {
        let seen = events
            .until_status(|s| matches!(s, AccountStatus::Error { .. }))
            .await;
        let Some(AccountStatus::Error { kind, retry_in, .. }) = statuses(&seen).last().copied()
        else {
            unreachable!()
        };
        assert_eq!(*kind, poshta::ErrorKind::Network);
        waits.push(retry_in.expect("a network error is retried"));
    }
    assert!(
        waits[0] < waits[1] && waits[1] < waits[2],
        "exponential backoff: {waits:?}"
    );
    let subject = support::unique("delivered-while-cut");
    deliver("alice", &subject).await;

    proxy.restore();
    events.until_status(online(PushMode::Idle)).await;
    events
        .until("NewMail", |e| matches!(e, Event::NewMail { .. }))
        .await;
    assert!(
        stored(&service, account, &subject).await.is_some(),
        "mail delivered while the connection was down"
    );

    // Backoff starts over after a successful login.
    proxy.cut();
    let seen = events
        .until_status(|s| matches!(s, AccountStatus::Error { .. }))
        .await;
    assert!(
        matches!(
            statuses(&seen).last(),
            Some(AccountStatus::Error { retry_in: Some(wait), .. }) if *wait == waits[0]
        ),
        "{seen:#?}"
    );
    service.stop(account).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_stops_the_worker_without_retrying() {
    let servers = support::servers();
    let user = servers.user("carol");
    let (_dir, service, account) =
        service_with_account(user, servers.imaps, Some("not the password")).await;
    service.set_live_config(quick());
    let mut events = Events::of(&service, account);
    service.go_online(account).await.unwrap();

    let seen = events
        .until_status(|s| matches!(s, AccountStatus::Error { .. }))
        .await;
    let last = statuses(&seen).last().copied().cloned();
    assert!(
        matches!(
            last,
            Some(AccountStatus::Error {
                kind: poshta::ErrorKind::Authentication,
                retry_in: None,
                ..
            })
        ),
        "{seen:#?}"
    );
    assert!(
        !service.has_password(account),
        "the refused password is forgotten"
    );
    // With retries every 200 ms, several attempts would come in 3 s.
    assert_eq!(
        events.next_within(Duration::from_secs(3)).await,
        None,
        "the worker stays stopped"
    );
    let refusals = std::fs::read_to_string(&servers.dovecot_log)
        .unwrap()
        .lines()
        .filter(|l| l.contains(&user.address) && l.contains("Password mismatch"))
        .count();
    assert_eq!(refusals, 1, "one login attempt:\n{}", servers.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_mode_logs_out_and_keeps_changes_queued_until_online() {
    let servers = support::servers();
    let user = servers.user("bob");
    let proxy = Proxy::start(servers.imaps).await;
    let subject = support::unique("offline-flag");
    deliver("bob", &subject).await;
    let (_dir, service, account, mut events) = idling(user, proxy.port).await;
    let message = stored(&service, account, &subject).await.unwrap();

    service.set_offline(true).await;
    assert_eq!(service.status(account), AccountStatus::Offline);
    events.until_status(|s| *s == AccountStatus::Offline).await;
    eventually("the connection closed", || async {
        (proxy.open_connections() == 0).then_some(())
    })
    .await;
    // Offline, going online only takes note.
    service.go_online(account).await.unwrap();
    assert_eq!(service.status(account), AccountStatus::Offline);

    assert_eq!(
        service.set_flagged(vec![message.id], true).await.unwrap(),
        1
    );
    let mut other = support::imap::login(servers, user).await;
    // Give a wrongly sent change time to arrive: none may, and no
    // connection may be opened.
    assert_eq!(events.next_within(Duration::from_secs(2)).await, None);
    assert_eq!(proxy.open_connections(), 0, "nothing connects offline");
    assert!(
        !server_flags(&mut other, &subject)
            .await
            .iter()
            .any(|f| f == "Flagged"),
        "the change waits while offline"
    );

    service.set_offline(false).await;
    events.until_status(online(PushMode::Idle)).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !server_flags(&mut other, &subject)
        .await
        .iter()
        .any(|f| f == "Flagged")
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the queued flag did not reach the server"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = other.logout().await;
    service.stop(account).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_changes_go_out_over_the_live_connection() {
    let servers = support::servers();
    let user = servers.user("carol");
    let proxy = Proxy::start(servers.imaps).await;
    let subject = support::unique("live-flag");
    deliver("carol", &subject).await;
    let (_dir, service, account, _events) = idling(user, proxy.port).await;
    assert_eq!(proxy.accepted(), 1);
    let message = stored(&service, account, &subject).await.unwrap();

    service.set_read(vec![message.id], true).await.unwrap();
    let mut other = support::imap::login(servers, user).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !server_flags(&mut other, &subject)
        .await
        .iter()
        .any(|f| f == "Seen")
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the change did not reach the server"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(proxy.accepted(), 1, "sent by the worker, on its connection");
    let _ = other.logout().await;
    service.stop(account).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_now_syncs_every_folder_over_the_live_connection() {
    let servers = support::servers();
    let user = servers.user("alice");
    let (_dir, service, account, mut events) = idling(user, servers.imaps).await;

    // IDLE watches the INBOX only: mail filed elsewhere waits for a sync.
    let subject = support::unique("archived");
    let raw = format!("Subject: {subject}\r\nMessage-ID: <{subject}@example.test>\r\n\r\nx\r\n");
    let mut other = support::imap::login(servers, user).await;
    other
        .append("Archive", None, None, raw.as_bytes())
        .await
        .unwrap();
    let _ = other.logout().await;

    service.sync_now(account).await.unwrap();
    let seen = events.until_status(online(PushMode::Idle)).await;
    assert!(
        statuses(&seen)
            .iter()
            .any(|s| matches!(s, AccountStatus::Syncing(_))),
        "{seen:#?}"
    );
    let archive = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Archive))
        .unwrap();
    let rows = service
        .message_page(archive.id, poshta::model::ListQuery::default(), 0, 1000)
        .await
        .unwrap();
    assert!(rows.iter().any(|m| m.subject == subject), "{rows:#?}");
    service.stop(account).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_noticed_by_the_liveness_check() {
    let servers = support::servers();
    let user = servers.user("bob");
    let proxy = Proxy::start(servers.imaps).await;
    let (_dir, service, account) =
        service_with_account(user, proxy.port, Some(&user.password)).await;
    service.set_live_config(LiveConfig {
        idle_renew: Duration::from_secs(1),
        liveness_timeout: Duration::from_secs(1),
        ..quick()
    });
    let mut events = Events::of(&service, account);
    service.go_online(account).await.unwrap();
    events.until_status(online(PushMode::Idle)).await;

    // No end of stream, no error from the socket: only an unanswered
    // round trip at the IDLE renewal tells the connection is gone.
    proxy.freeze();
    let seen = events
        .until_status(|s| matches!(s, AccountStatus::Error { .. }))
        .await;
    assert!(
        matches!(
            statuses(&seen).last(),
            Some(AccountStatus::Error { kind: poshta::ErrorKind::Network, retry_in: Some(_), detail, .. })
                if detail.contains("no answer")
        ),
        "{seen:#?}"
    );
    events.until_status(online(PushMode::Idle)).await;
    assert_eq!(
        proxy.accepted(),
        2,
        "a fresh connection replaced the silent one"
    );
    service.stop(account).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_folder_on_screen_is_watched_over_a_second_connection() {
    let servers = support::servers();
    let user = servers.user("carol");
    let (_dir, service, account, _events) = idling(user, servers.imaps).await;
    let folders = service.folders().await.unwrap();
    let role = |role| {
        folders
            .iter()
            .find(|f| f.account_id == account && f.role == Some(role))
            .unwrap()
            .id
    };
    let (inbox, archive) = (role(Role::Inbox), role(Role::Archive));
    let file_into_archive = |subject: String| async move {
        let raw =
            format!("Subject: {subject}\r\nMessage-ID: <{subject}@example.test>\r\n\r\nx\r\n");
        let mut other = support::imap::login(servers, user).await;
        other
            .append("Archive", None, None, raw.as_bytes())
            .await
            .unwrap();
        let _ = other.logout().await;
    };
    let in_archive = |subject: String| {
        let service = service.clone();
        async move {
            let rows = service
                .message_page(archive, poshta::model::ListQuery::default(), 0, 1000)
                .await
                .unwrap();
            rows.iter().any(|m| m.subject == subject).then_some(())
        }
    };

    // The Inbox is the account connection's own: no second one for it.
    service.watch_folder(Some(inbox)).await.unwrap();
    assert_eq!(service.watched_folder(), None);

    // On screen, the Archive is watched: mail filed there elsewhere
    // arrives with no sync asked for.
    service.watch_folder(Some(archive)).await.unwrap();
    assert_eq!(service.watched_folder(), Some(archive));
    let subject = support::unique("watched");
    // Its first sync may still be running: the message counts either way.
    file_into_archive(subject.clone()).await;
    eventually("mail filed in the watched folder", || {
        in_archive(subject.clone())
    })
    .await;
    let later = support::unique("watched-later");
    file_into_archive(later.clone()).await;
    eventually("more mail while IDLE watches", || in_archive(later.clone())).await;
    // Its connection publishes no state of its own.
    assert_eq!(
        service.status(account),
        AccountStatus::Online {
            push: PushMode::Idle
        }
    );

    // Another folder on screen: the watch ends, so the Archive waits for
    // the next sync again.
    service.watch_folder(Some(inbox)).await.unwrap();
    assert_eq!(service.watched_folder(), None);
    let unwatched = support::unique("unwatched");
    file_into_archive(unwatched.clone()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(in_archive(unwatched.clone()).await.is_none());
    service.sync_now(account).await.unwrap();
    eventually("the next sync", || in_archive(unwatched.clone())).await;

    // Offline ends the watch; online brings it back for the folder on screen.
    service.watch_folder(Some(archive)).await.unwrap();
    service.set_offline(true).await;
    assert_eq!(service.watched_folder(), None);
    service.set_offline(false).await;
    assert_eq!(service.watched_folder(), Some(archive));
    service.stop(account).await;
    assert_eq!(service.watched_folder(), None);
}

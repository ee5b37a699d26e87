//! A POP3 check killed (SIGKILL) or cut at its worst moments, against
//! Dovecot through a relay that watches the (plaintext, loopback) session:
//! after RETR before the commit, between DELE and QUIT, and with the
//! reply to QUIT lost. Whatever happens, nothing is deleted from the
//! server before it is committed here, and after a restart every message
//! is here exactly once.

mod support;

use poshta::model::Role;
use poshta::store::Store;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Messages delivered for each test.
const MESSAGES: usize = 40;

/// Where the relay strikes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Kill the client once this many bytes came from the server (the
    /// RETR answers are in, the batch not yet committed).
    KillAfterBytes(usize),
    /// Kill the client when it sends QUIT (its DELEs already sent).
    KillAtQuit,
    /// Pass QUIT on, but lose the server's reply.
    LoseQuitReply,
    /// Relay faithfully.
    None,
}

/// A relay to Dovecot's POP3 port for one session at a time.
struct Relay {
    port: u16,
    fault: Arc<std::sync::Mutex<Fault>>,
    /// The client process to kill.
    victim: Arc<AtomicI32>,
    /// Server bytes relayed in the current session.
    from_server: Arc<AtomicUsize>,
}

impl Relay {
    async fn start(target: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay = Relay {
            port: listener.local_addr().unwrap().port(),
            fault: Arc::new(std::sync::Mutex::new(Fault::None)),
            victim: Arc::new(AtomicI32::new(0)),
            from_server: Arc::new(AtomicUsize::new(0)),
        };
        let (fault, victim, counted) = (
            relay.fault.clone(),
            relay.victim.clone(),
            relay.from_server.clone(),
        );
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = TcpStream::connect(("127.0.0.1", target)).await.unwrap();
                let fault = *fault.lock().unwrap();
                counted.store(0, Ordering::SeqCst);
                tokio::spawn(session(
                    client,
                    server,
                    fault,
                    victim.clone(),
                    counted.clone(),
                ));
            }
        });
        relay
    }

    fn strike(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }
}

fn kill(victim: &AtomicI32) {
    let pid = victim.load(Ordering::SeqCst);
    if pid > 0 {
        // SAFETY: a plain signal to our own child process.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}

async fn session(
    client: TcpStream,
    server: TcpStream,
    fault: Fault,
    victim: Arc<AtomicI32>,
    from_server: Arc<AtomicUsize>,
) {
    let (client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let quit_sent = Arc::new(AtomicI32::new(0));
    let upstream = {
        let quit_sent = quit_sent.clone();
        let victim = victim.clone();
        async move {
            let mut lines = BufReader::new(client_read).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if line.eq_ignore_ascii_case("QUIT") {
                    match fault {
                        Fault::KillAtQuit => {
                            kill(&victim);
                            return;
                        }
                        Fault::LoseQuitReply => quit_sent.store(1, Ordering::SeqCst),
                        _ => {}
                    }
                }
                if server_write
                    .write_all(format!("{line}\r\n").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
    };
    let downstream = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if fault == Fault::LoseQuitReply && quit_sent.load(Ordering::SeqCst) == 1 {
                // The server got QUIT and deleted; its +OK never arrives.
                return;
            }
            let total = from_server.fetch_add(n, Ordering::SeqCst) + n;
            if let Fault::KillAfterBytes(limit) = fault
                && total >= limit
            {
                kill(&victim);
                return;
            }
            if client_write.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    // Either side ending ends the session (the relay drops both sockets).
    tokio::select! {
        () = upstream => {}
        () = downstream => {}
    }
}

fn cli(home: &Path, password: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_poshta-cli"));
    command
        .args(args)
        .env("POSHTA_HOME", home)
        .env("POSHTA_PASSWORD", password)
        .stdin(Stdio::null());
    command
}

/// Run `poshta-cli sync` as the relay's victim; true if it succeeded.
fn sync(home: &Path, user: &support::User, account: &str, relay: &Relay) -> bool {
    let mut child = cli(home, &user.password, &["sync", account])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    relay.victim.store(child.id() as i32, Ordering::SeqCst);
    let status = child.wait().unwrap();
    relay.victim.store(0, Ordering::SeqCst);
    status.success()
}

/// The subjects of the account's Inbox, sorted (duplicates kept).
fn local(home: &Path) -> Vec<String> {
    let store = Store::open(&poshta::paths::store_file(home)).unwrap();
    let account = store
        .accounts()
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Faults")
        .unwrap()
        .id;
    let inbox = store.folder_by_role(account, Role::Inbox).unwrap().id;
    let mut subjects: Vec<String> = store
        .message_page(inbox, &poshta::model::ListQuery::default(), 0, 10_000)
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    subjects.sort();
    subjects
}

/// The subjects on the server, sorted (over IMAP).
async fn remote(user: &support::User) -> Vec<String> {
    let mut session = support::imap::login(support::servers(), user).await;
    let inbox = session.examine("INBOX").await.unwrap();
    let mut subjects = Vec::new();
    if inbox.exists > 0 {
        use futures::TryStreamExt;
        let fetches: Vec<_> = session
            .fetch("1:*", "ENVELOPE")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        for f in &fetches {
            if let Some(subject) = f.envelope().and_then(|e| e.subject.as_ref()) {
                subjects.push(String::from_utf8_lossy(subject).to_string());
            }
        }
    }
    let _ = session.logout().await;
    subjects.sort();
    subjects
}

/// `user`'s mailbox filled, an account (at-once policy) going through a
/// relay, and the subjects delivered.
async fn setup(
    name: &str,
) -> (
    tempfile::TempDir,
    &'static support::User,
    String,
    Relay,
    Vec<String>,
) {
    let servers = support::servers();
    let user = servers.user(name);
    let tag = support::unique("fault");
    let subjects: Vec<String> = (0..MESSAGES).map(|i| format!("{tag}-{i:02}")).collect();
    let raws: Vec<Vec<u8>> = subjects
        .iter()
        .map(|s| {
            format!(
                "From: a@example.test\r\nTo: {}\r\nSubject: {s}\r\nMessage-ID: <{s}@example.test>\r\n\r\n{}\r\n",
                user.address,
                "text ".repeat(400)
            )
            .into_bytes()
        })
        .collect();
    support::deliver_all(&user.name, raws).await;
    let relay = Relay::start(servers.pop3_starttls).await;
    let home = tempfile::tempdir().unwrap();
    let port = relay.port.to_string();
    let out = cli(
        home.path(),
        &user.password,
        &[
            "account",
            "add",
            "--name",
            "Faults",
            "--email",
            &user.address,
            // Plaintext, only to loopback, so the relay can see the commands.
            "--pop3-host",
            "127.0.0.1",
            "--pop3-port",
            &port,
            "--pop3-security",
            "plain",
            "--pop3-policy",
            "at-once",
        ],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let account = String::from_utf8(out.stdout).unwrap().trim().to_string();
    (home, user, account, relay, subjects)
}

/// Nothing gone from the server that is not here.
fn nothing_lost(local: &[String], remote: &[String], all: &[String]) {
    for subject in all {
        assert!(
            local.contains(subject) || remote.contains(subject),
            "{subject} is neither here nor on the server"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_retr_before_the_commit() {
    let (home, user, account, relay, all) = setup("pop7").await;
    // Most of the messages have come over, none is committed (they are
    // committed after the last RETR, or per hundred).
    relay.strike(Fault::KillAfterBytes(MESSAGES * 2000 * 3 / 4));
    assert!(!sync(home.path(), user, &account, &relay), "killed");
    let (here, there) = (local(home.path()), remote(user).await);
    nothing_lost(&here, &there, &all);
    assert_eq!(there, all, "nothing deleted from the server");

    relay.strike(Fault::None);
    assert!(sync(home.path(), user, &account, &relay));
    assert_eq!(local(home.path()), all, "each message here once");
    assert!(remote(user).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_dele_and_quit() {
    let (home, user, account, relay, all) = setup("pop8").await;
    relay.strike(Fault::KillAtQuit);
    assert!(!sync(home.path(), user, &account, &relay), "killed");
    // Stored and committed; the server never got QUIT, so it kept all.
    assert_eq!(local(home.path()), all);
    assert_eq!(remote(user).await, all);

    relay.strike(Fault::None);
    assert!(sync(home.path(), user, &account, &relay));
    assert_eq!(local(home.path()), all, "nothing downloaded twice");
    assert!(remote(user).await.is_empty(), "deleted at the next check");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reply_to_quit_is_lost() {
    let (home, user, account, relay, all) = setup("pop9").await;
    relay.strike(Fault::LoseQuitReply);
    assert!(
        !sync(home.path(), user, &account, &relay),
        "a lost QUIT reply is reported"
    );
    assert_eq!(local(home.path()), all);
    assert!(remote(user).await.is_empty(), "the server did delete");

    relay.strike(Fault::None);
    assert!(sync(home.path(), user, &account, &relay));
    assert_eq!(local(home.path()), all, "nothing twice, nothing lost");
}

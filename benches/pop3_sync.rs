//! POP3 download benchmark against a private Dovecot: an INBOX of (by
//! default) 10,000 messages, ~720 MB, written straight into the maildir,
//! then downloaded whole, in one run on the same warm server, by
//!
//! 1. a bare client on one TLS connection: USER/PASS, then RETR 1..N with
//!    16 commands in flight, the replies read and dropped;
//! 2. the same bare client one RETR at a time;
//! 3. fetchmail leaving mail on the server (`--keep --all`) and writing
//!    it to a BSMTP file, its cheapest delivery (no process per message);
//! 4. `poshta-cli sync` into a fresh store.
//!
//! Each contestant is a child process, timed from spawn to exit, with its
//! peak RSS (VmHWM). Three rounds, contestants in turn; medians reported.
//!
//!     cargo bench --no-default-features --bench pop3_sync -- [MESSAGES]
//!
//! or `scripts/bench-pop3`. Under `cargo test --all-targets` (no `--bench`
//! argument) it runs as a 200-message, one-round smoke test that checks
//! every contestant got everything.

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use common::mailbox::{Shape, generate};
use common::{Run, mb, median, run_measured, secs, verdict, which};
use poshta::model::{AccountId, Role};
use poshta::store::Store;
use std::fs;
use std::io::BufRead;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Rounds under `cargo bench`; medians are reported.
const ROUNDS: usize = 3;
/// RETR commands the pipelined bare client keeps in flight.
const WINDOW: usize = 16;
/// The user whose INBOX only this benchmark touches.
const USER: &str = "pop1";
/// Runs this binary as the bare client: `--raw-pop3 WINDOW COUNT`, the
/// servers' env file in `POSHTA_TEST_SERVERS_ENV`.
const RAW_CHILD: &str = "--raw-pop3";
/// Mostly 20-100 kB of text (most near the low end); 2.5% carry a
/// 50-750 kB attachment (up to 1 MB in base64).
const SHAPE: Shape = Shape {
    text_min: 20_000,
    text_spread: 80_000,
    attachments_per_mille: 25,
    attachment_min: 50_000,
    attachment_spread: 700_000,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(RAW_CHILD) {
        let number = |i: usize| -> usize {
            args.get(i)
                .and_then(|a| a.parse().ok())
                .unwrap_or_else(|| panic!("{RAW_CHILD} WINDOW COUNT"))
        };
        return raw_child(number(2), number(3));
    }
    let (count, bench) = common::message_count(10_000, 200);
    let rounds = if bench { ROUNDS } else { 1 };
    let fetchmail = which("fetchmail").unwrap_or_else(|| {
        panic!("fetchmail not found: run `bash tests/servers/install.sh` (installs it)")
    });
    let servers = support::servers();
    let user = servers.user(USER);

    // --- the mailbox --------------------------------------------------------
    let started = Instant::now();
    // A first login makes Dovecot create the maildir with its ownership.
    tokio::runtime::Runtime::new()
        .expect("tokio runtime")
        .block_on(async {
            let mut session = support::imap::login(servers, user).await;
            session.select("INBOX").await.expect("SELECT INBOX");
            session.logout().await.expect("LOGOUT");
        });
    let mailbox = generate(&user.maildir, count, &SHAPE, ("Pop One", &user.address));
    let written = started.elapsed();
    // One pass of each bare client: Dovecot indexes the new files and the
    // page cache holds them, so every contestant meets a warm server.
    let started = Instant::now();
    let (_, wire_bytes) = raw(servers, WINDOW, count);
    raw(servers, 1, count);
    let warmed = started.elapsed();
    mailbox.print_setup(count, "POP3", wire_bytes, written, warmed);

    // --- the race -------------------------------------------------------------
    let mut runs: [Vec<Run>; 4] = Default::default();
    for _ in 0..rounds {
        runs[0].push(raw(servers, WINDOW, count).0);
        runs[1].push(raw(servers, 1, count).0);
        runs[2].push(fetchmail_round(&fetchmail, servers, user, count));
        runs[3].push(poshta_round(servers, user, count));
    }
    // Poshta's whole run also writes the search index after the download
    // (its "search index:" line marks the moment every message is stored).
    let poshta_total = median(runs[3].iter().map(|r| r.time).collect());
    let [pipelined, single, fetchmail_runs, poshta] = runs.map(|runs| -> (Duration, u64) {
        (
            median(runs.iter().map(|r| r.listed.unwrap_or(r.time)).collect()),
            runs.iter().map(|r| r.max_rss_kb).max().unwrap_or(0),
        )
    });

    // --- the table --------------------------------------------------------------
    let line = |what: &str, time: String, memory: String| {
        println!("{what:<62} {time:>9} {memory:>9}");
    };
    let ratio = |d: Duration| d.as_secs_f64() / pipelined.0.as_secs_f64();
    println!();
    line(
        &format!("(medians of {rounds} round(s), {count} messages)"),
        "time".into(),
        "peak RSS".into(),
    );
    line(
        &format!(
            "raw RETR 1..N, {WINDOW} in flight, {:.0} MB read and dropped",
            wire_bytes as f64 / 1e6
        ),
        secs(pipelined.0),
        mb(pipelined.1),
    );
    line(
        &format!("raw RETR one at a time, {:.2}x", ratio(single.0)),
        secs(single.0),
        mb(single.1),
    );
    line(
        &format!(
            "{} --keep --all, to a BSMTP file, {:.2}x",
            fetchmail_version(&fetchmail),
            ratio(fetchmail_runs.0)
        ),
        secs(fetchmail_runs.0),
        mb(fetchmail_runs.1),
    );
    line(
        &format!(
            "Poshta: poshta-cli sync, every message stored, {:.2}x",
            ratio(poshta.0)
        ),
        secs(poshta.0),
        mb(poshta.1),
    );
    line(
        "Poshta: and their search index (poshta-cli sync exits)",
        secs(poshta_total),
        mb(poshta.1),
    );
    println!();
    println!(
        "targets: Poshta faster than fetchmail: {}; within 1.3x of the pipelined raw loop: {}; \
         peak RSS < 200 MB: {}",
        verdict(poshta.0 < fetchmail_runs.0),
        verdict(ratio(poshta.0) <= 1.3),
        verdict(poshta.1 < 200 * 1024),
    );
}

// --- the contestants ----------------------------------------------------------

/// The bare client as a child process; its run and the bytes it read.
fn raw(servers: &support::Servers, window: usize, count: usize) -> (Run, u64) {
    let run = run_measured(
        Command::new(std::env::current_exe().expect("this benchmark's path"))
            .args([RAW_CHILD, &window.to_string(), &count.to_string()])
            .env("POSHTA_TEST_SERVERS_ENV", servers.dir.join("env")),
    );
    let (messages, bytes) = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("retrieved: "))
        .and_then(|l| l.split_once(' '))
        .and_then(|(m, b)| Some((m.parse::<usize>().ok()?, b.parse::<u64>().ok()?)))
        .unwrap_or_else(|| panic!("no result from the bare client:\n{}", run.stderr));
    assert_eq!(
        messages, count,
        "the bare client ({window} in flight) got every message"
    );
    (run, bytes)
}

/// The bare client (in the child process): one TLS connection, USER/PASS,
/// RETR 1..`count` with up to `window` in flight; reports on stderr.
fn raw_child(window: usize, count: usize) {
    let servers = support::servers();
    let user = servers.user(USER);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let (messages, bytes) = runtime.block_on(raw_retr(servers, user, window, count));
    eprintln!("retrieved: {messages} {bytes}");
}

async fn raw_retr(
    servers: &support::Servers,
    user: &support::User,
    window: usize,
    count: usize,
) -> (usize, u64) {
    let mut tls = poshta::net::connect_tls(
        &servers.tls_host,
        servers.pop3s,
        servers.tls_config(),
        Duration::from_secs(10),
    )
    .await
    .expect("POP3S connect");
    let mut buf = vec![0u8; 256 * 1024];
    let login = [
        String::new(), // the greeting
        format!("USER {}\r\n", user.login()),
        format!("PASS {}\r\n", user.password),
    ];
    for command in login {
        tls.write_all(command.as_bytes()).await.expect("write");
        tls.flush().await.expect("flush");
        let mut reply = Vec::new();
        while !reply.ends_with(b"\r\n") {
            let n = tls.read(&mut buf).await.expect("read");
            assert!(n > 0, "server closed the connection");
            reply.extend_from_slice(&buf[..n]);
        }
        assert!(
            reply.starts_with(b"+OK"),
            "{}: {}",
            command.split(' ').next().unwrap_or("greeting"),
            String::from_utf8_lossy(&reply)
        );
    }
    let mut replies = Replies::default();
    let mut sent = 0;
    let mut commands = String::new();
    while replies.done < count {
        commands.clear();
        while sent < count && sent - replies.done < window {
            sent += 1;
            commands.push_str(&format!("RETR {sent}\r\n"));
        }
        if !commands.is_empty() {
            tls.write_all(commands.as_bytes()).await.expect("write");
            tls.flush().await.expect("flush");
        }
        let n = tls.read(&mut buf).await.expect("read");
        assert!(n > 0, "server closed the connection");
        replies.feed(&buf[..n]);
    }
    let _ = tls.write_all(b"QUIT\r\n").await;
    let _ = tls.flush().await;
    (replies.done, replies.bytes)
}

/// Counts RETR replies in the byte stream: each is a `+OK` line, then
/// lines up to the terminating `.\r\n`.
struct Replies {
    /// The first bytes of the line being read (enough to tell `+OK` and
    /// `.\r\n`), and how many of them there are.
    head: [u8; 4],
    head_len: usize,
    /// The next line is a status line.
    status_next: bool,
    done: usize,
    bytes: u64,
}

impl Default for Replies {
    fn default() -> Self {
        Replies {
            head: [0; 4],
            head_len: 0,
            status_next: true,
            done: 0,
            bytes: 0,
        }
    }
}

impl Replies {
    fn feed(&mut self, mut data: &[u8]) {
        self.bytes += data.len() as u64;
        while !data.is_empty() {
            let end = find_newline(data).map_or(data.len(), |i| i + 1);
            let take = end.min(self.head.len() - self.head_len);
            self.head[self.head_len..self.head_len + take].copy_from_slice(&data[..take]);
            self.head_len += take;
            if data[end - 1] == b'\n' {
                self.end_line();
            }
            data = &data[end..];
        }
    }

    fn end_line(&mut self) {
        let line = &self.head[..self.head_len];
        if self.status_next {
            assert!(
                line.starts_with(b"+OK"),
                "RETR {}: {}",
                self.done + 1,
                String::from_utf8_lossy(line)
            );
            self.status_next = false;
        } else if line == b".\r\n" {
            self.done += 1;
            self.status_next = true;
        }
        self.head_len = 0;
    }
}

/// The first `\n` in `data` (the C library's memchr: vectorised).
fn find_newline(data: &[u8]) -> Option<usize> {
    // SAFETY: the pointer and length describe `data`, which outlives the
    // call; memchr reads no further.
    let found = unsafe { libc::memchr(data.as_ptr().cast(), i32::from(b'\n'), data.len()) };
    (!found.is_null()).then(|| found as usize - data.as_ptr() as usize)
}

/// fetchmail over POP3S into a BSMTP file in a fresh directory, leaving
/// mail on the server; checks it got all `count` messages.
fn fetchmail_round(
    fetchmail: &Path,
    servers: &support::Servers,
    user: &support::User,
    count: usize,
) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let rc = dir.path().join("fetchmailrc");
    fs::write(
        &rc,
        format!(
            "poll {} protocol pop3 port {}\n  user \"{}\" password \"{}\"\n",
            servers.tls_host,
            servers.pop3s,
            user.login(),
            user.password
        ),
    )
    .expect("write fetchmailrc");
    fs::set_permissions(&rc, fs::Permissions::from_mode(0o600)).expect("chmod fetchmailrc");
    let bsmtp = dir.path().join("mail.bsmtp");
    let run = run_measured(
        Command::new(fetchmail)
            .arg("--fetchmailrc")
            .arg(&rc)
            .args(["--keep", "--all", "--norewrite", "--nosyslog"])
            .args(["--ssl", "--sslcertck", "--sslproto", "TLS1.2+"])
            .arg("--sslcertfile")
            .arg(&servers.ca_pem)
            .arg("--bsmtp")
            .arg(&bsmtp)
            .arg("--pidfile")
            .arg(dir.path().join("fetchmail.pid"))
            .env("FETCHMAILHOME", dir.path()),
    );
    let file = fs::File::open(&bsmtp).expect("the BSMTP file");
    let got = std::io::BufReader::with_capacity(1 << 20, file)
        .split(b'\n')
        .filter(|l| l.as_ref().expect("read BSMTP").starts_with(b"MAIL FROM:"))
        .count();
    assert_eq!(got, count, "fetchmail got every message");
    run
}

fn fetchmail_version(fetchmail: &Path) -> String {
    let out = Command::new(fetchmail)
        .arg("--version")
        .output()
        .expect("fetchmail --version");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .skip_while(|w| *w != "release")
        .nth(1)
        .map_or("fetchmail".into(), |v| {
            format!("fetchmail {}", v.split('+').next().unwrap_or(v))
        })
}

/// `poshta-cli sync` into a fresh store; checks it holds all `count`.
fn poshta_round(servers: &support::Servers, user: &support::User, count: usize) -> Run {
    let home = tempfile::tempdir().expect("temp dir");
    let account = common::add_account(
        home.path(),
        &user.address,
        "pop3",
        &servers.tls_host,
        servers.pop3s,
        &servers.ca_pem,
    );
    let run = run_measured(
        common::wrapped(env!("CARGO_BIN_EXE_poshta-cli"))
            .args(["sync", &account])
            .env("POSHTA_HOME", home.path())
            .env("POSHTA_PASSWORD", &user.password),
    );
    let store = Store::open(&poshta::paths::store_file(home.path())).expect("store");
    let inbox = store
        .folder_by_role(AccountId(account.parse().expect("id")), Role::Inbox)
        .expect("INBOX")
        .id;
    assert_eq!(
        store
            .message_count(inbox, &poshta::model::ListQuery::default())
            .expect("count"),
        count,
        "Poshta stored every message"
    );
    run
}

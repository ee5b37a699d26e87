//! IMAP sync benchmark against a private Dovecot: a large INBOX (by
//! default 50,000 messages, ~1 GB) written straight into the maildir, then
//! in one run on the same warm server:
//!
//! (a) the message list: one bare TLS connection doing
//!     `UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)` and throwing the
//!     bytes away, against `poshta-cli sync` (a child process) until every
//!     row is in the store; and the time until the newest screenful (30
//!     rows) can be shown, measured in-process through the Service API;
//! (b) every body: `poshta-cli sync --bodies` against mbsync (isync)
//!     pulling the same INBOX into a maildir;
//! (c) the peak RSS of each child process (its VmHWM while it runs).
//!
//! The message-list race runs three rounds (raw and Poshta in turn) and
//! reports medians: the machine may be busy with other work.
//!
//!     cargo bench --bench imap_sync -- [MESSAGES] [--list-only]
//!
//! or `scripts/bench-imap`, which installs Dovecot and isync first. Under
//! `cargo test --all-targets` (no `--bench` argument) it runs as a
//! 300-message smoke test that checks every contestant got everything.

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use common::mailbox::{Shape, generate};
use common::{Run, dir_size, files_in, mb, median, run_measured, secs, verdict, which};
use poshta::model::{AccountId, Role};
use poshta::service::Service;
use poshta::store::Store;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Rows of the first screen of the message list.
const SCREEN: usize = 30;
/// What the bare client fetches for the message list.
const RAW_ITEMS: &str = "(UID FLAGS RFC822.SIZE ENVELOPE)";
/// Rounds of the message-list race; medians are reported.
const ROUNDS: usize = 3;
/// Mostly 2-20 kB of text (most near the low end); 1.5% carry a
/// 100 kB-1 MB attachment.
const SHAPE: Shape = Shape {
    text_min: 2_000,
    text_spread: 18_000,
    attachments_per_mille: 15,
    attachment_min: 100_000,
    attachment_spread: 900_000,
};

fn main() {
    // Only the message-list race (a), for quicker rounds while tuning.
    let list_only = std::env::args().any(|a| a == "--list-only");
    let (count, _) = common::message_count(50_000, 300);
    let mbsync = which("mbsync").unwrap_or_else(|| {
        panic!("mbsync not found: run `bash tests/servers/install.sh` (installs isync)")
    });
    let servers = support::servers();
    let user = servers.user("alice");
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");

    // --- the mailbox --------------------------------------------------------
    let started = Instant::now();
    // A first login makes Dovecot create the maildir with its ownership.
    runtime.block_on(async {
        let mut session = support::imap::login(servers, user).await;
        session.select("INBOX").await.expect("SELECT INBOX");
        session.logout().await.expect("LOGOUT");
    });
    let mailbox = generate(&user.maildir, count, &SHAPE, ("Alice", &user.address));
    let written = started.elapsed();
    // Dovecot indexes the new files and caches what clients ask for: two
    // passes over everything any contestant fetches, so each sees a warm
    // server (index, cache file and page cache).
    let started = Instant::now();
    for _ in 0..2 {
        for items in [RAW_ITEMS, poshta::sync::imap::HEADER_ITEMS] {
            runtime.block_on(raw_fetch(servers, user, &format!("UID FETCH 1:* {items}")));
        }
    }
    let (_, body_bytes) = runtime.block_on(raw_fetch(
        servers,
        user,
        "UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])",
    ));
    let warmed = started.elapsed();
    mailbox.print_setup(count, "IMAP", body_bytes, written, warmed);

    // --- (a) the message list -----------------------------------------------
    // Three rounds, raw and Poshta in turn; the medians are reported, so a
    // burst of other work on the machine does not decide the outcome.
    let mut raw_runs = Vec::new();
    let mut raw_poshta_items = Vec::new();
    let mut list_runs = Vec::new();
    let mut homes = Vec::new();
    let mut raw_bytes = 0;
    for _ in 0..ROUNDS {
        let (time, bytes) = runtime.block_on(raw_fetch(
            servers,
            user,
            &format!("UID FETCH 1:* {RAW_ITEMS}"),
        ));
        raw_runs.push(time);
        raw_bytes = bytes;
        // The same bare client asking for what Poshta asks: the server's
        // share of the list, apart from the client's.
        let (time, _) = runtime.block_on(raw_fetch(
            servers,
            user,
            &format!("UID FETCH 1:* {}", poshta::sync::imap::HEADER_ITEMS),
        ));
        raw_poshta_items.push(time);
        let home = tempfile::tempdir().expect("temp dir");
        let account = add_account(home.path(), servers, user);
        list_runs.push(run_measured(
            common::wrapped(env!("CARGO_BIN_EXE_poshta-cli"))
                .args(["sync", &account])
                .env("POSHTA_HOME", home.path())
                .env("POSHTA_PASSWORD", &user.password),
        ));
        homes.push((home, account));
    }
    let raw_time = median(raw_runs);
    let raw_poshta_items = median(raw_poshta_items);
    let list = Run {
        time: median(list_runs.iter().map(|r| r.time).collect()),
        listed: Some(median(
            list_runs
                .iter()
                .map(|r| r.listed.unwrap_or(r.time))
                .collect(),
        )),
        max_rss_kb: list_runs.iter().map(|r| r.max_rss_kb).max().unwrap_or(0),
        stderr: String::new(),
    };
    let listed = list.listed.unwrap_or(list.time);
    // The last round's store goes on to the bodies.
    let (home, account) = homes.pop().expect("a round");
    drop(homes);
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
        "every message listed"
    );
    drop(store);

    let (first_screen, in_process_list) = runtime.block_on(first_screen(servers, user, count));

    // --- the table, (a) ------------------------------------------------------
    let line = |what: &str, time: String, memory: String| {
        println!("{what:<62} {time:>9} {memory:>9}");
    };
    println!();
    line(
        &format!("(a: medians of {ROUNDS} rounds)"),
        "time".into(),
        "peak RSS".into(),
    );
    line(
        &format!(
            "(a) raw UID FETCH 1:* {RAW_ITEMS}, {:.0} MB",
            raw_bytes as f64 / 1e6
        ),
        secs(raw_time),
        "-".into(),
    );
    line(
        "    the same, Poshta's header items (HEADER.FIELDS)",
        secs(raw_poshta_items),
        "-".into(),
    );
    let ratio = listed.as_secs_f64() / raw_time.as_secs_f64();
    line(
        &format!("    Poshta: whole list in the store (poshta-cli sync), {ratio:.2}x"),
        secs(listed),
        mb(list.max_rss_kb),
    );
    line(
        "    Poshta: and its search index (poshta-cli sync exits)",
        secs(list.time),
        mb(list.max_rss_kb),
    );
    line(
        "    Poshta in-process (Service::sync, with the index)",
        secs(in_process_list),
        "-".into(),
    );
    line(
        &format!("    Poshta: newest {SCREEN} rows on screen, from connect"),
        secs(first_screen),
        "-".into(),
    );
    let list_verdicts = format!(
        "list within 1.5x of raw: {}; first screen < 0.5 s: {}",
        verdict(ratio <= 1.5),
        verdict(first_screen < Duration::from_millis(500)),
    );
    if list_only {
        println!();
        println!(
            "targets: {list_verdicts}; peak RSS < 200 MB: {}",
            verdict(list.max_rss_kb < 200 * 1024)
        );
        return;
    }

    // --- (b) every body ---------------------------------------------------
    let bodies = run_measured(
        common::wrapped(env!("CARGO_BIN_EXE_poshta-cli"))
            .args(["sync", &account, "--bodies"])
            .env("POSHTA_HOME", home.path())
            .env("POSHTA_PASSWORD", &user.password),
    );
    let store = Store::open(&poshta::paths::store_file(home.path())).expect("store");
    assert!(
        store.missing_bodies(inbox).expect("missing").is_empty(),
        "every body downloaded"
    );
    drop(store);
    let store_size = dir_size(home.path());
    drop(home);

    let mut mbsync_runs = Vec::new();
    for fsync in [true, false] {
        let dir = tempfile::tempdir().expect("temp dir");
        let rc = mbsync_rc(dir.path(), servers, user, fsync);
        let run = run_measured(Command::new(&mbsync).arg("-c").arg(&rc).arg("-a"));
        let got = files_in(&dir.path().join("INBOX/cur")) + files_in(&dir.path().join("INBOX/new"));
        assert_eq!(got, count, "mbsync copied every message");
        mbsync_runs.push((fsync, run));
    }

    // --- the table, (b) --------------------------------------------------------
    for (fsync, run) in &mbsync_runs {
        line(
            &format!(
                "(b) mbsync, every message to a maildir{}",
                if *fsync { " (defaults)" } else { " (FSync no)" }
            ),
            secs(run.time),
            mb(run.max_rss_kb),
        );
    }
    line(
        "    Poshta: every body (sync --bodies after the list)",
        secs(bodies.time),
        mb(bodies.max_rss_kb),
    );
    let both = list.time + bodies.time;
    let peak = list.max_rss_kb.max(bodies.max_rss_kb);
    line("    Poshta: list + bodies", secs(both), mb(peak));
    println!(
        "store: {:.2} GB with every body and the full-text index",
        store_size as f64 / 1e9
    );
    let [(_, mbsync_default), (_, mbsync_no_fsync)] = &mbsync_runs[..] else {
        unreachable!("two mbsync runs")
    };
    println!();
    println!(
        "targets: {list_verdicts}; \
         list + bodies faster than mbsync: {} (defaults), {} (FSync no); peak RSS < 200 MB: {}",
        verdict(both < mbsync_default.time),
        verdict(both < mbsync_no_fsync.time),
        verdict(peak < 200 * 1024),
    );
}

// --- the contestants ----------------------------------------------------------

fn add_account(home: &Path, servers: &support::Servers, user: &support::User) -> String {
    common::add_account(
        home,
        &user.address,
        "imap",
        &servers.tls_host,
        servers.imaps,
        &servers.ca_pem,
    )
}

/// One bare TLS connection: LOGIN, EXAMINE INBOX, `command`, bytes read to
/// nowhere. Returns the time from connect to the tagged OK and the bytes
/// the command's answer took.
async fn raw_fetch(
    servers: &support::Servers,
    user: &support::User,
    command: &str,
) -> (Duration, u64) {
    let started = Instant::now();
    let mut tls = poshta::net::connect_tls(
        &servers.tls_host,
        servers.imaps,
        servers.tls_config(),
        Duration::from_secs(10),
    )
    .await
    .expect("IMAPS connect");
    let mut buf = vec![0u8; 256 * 1024];
    read_until_line(&mut tls, &mut buf, b"* OK").await;
    let login = format!("b1 LOGIN \"{}\" \"{}\"\r\n", user.login(), user.password);
    for (tag, line) in [
        ("b1", login.as_str()),
        ("b2", "b2 EXAMINE INBOX\r\n"),
        ("b3", &format!("b3 {command}\r\n")),
    ] {
        tls.write_all(line.as_bytes()).await.expect("write");
        let (bytes, last) = read_until_line(&mut tls, &mut buf, tag.as_bytes()).await;
        assert!(
            last.starts_with(format!("{tag} OK").as_bytes()),
            "{}: {}",
            line.split(' ').nth(1).unwrap_or(""),
            String::from_utf8_lossy(&last)
        );
        if tag == "b3" {
            let time = started.elapsed();
            let _ = tls.write_all(b"b4 LOGOUT\r\n").await;
            return (time, bytes);
        }
    }
    unreachable!()
}

/// Read until a line starting with `prefix` has arrived complete and is
/// the last thing read. Returns the bytes read and that line.
async fn read_until_line(
    stream: &mut (impl tokio::io::AsyncRead + Unpin),
    buf: &mut [u8],
    prefix: &[u8],
) -> (u64, Vec<u8>) {
    let mut total = 0u64;
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let n = stream.read(buf).await.expect("read");
        assert!(n > 0, "server closed the connection");
        total += n as u64;
        tail.extend_from_slice(&buf[..n]);
        if tail.len() > 4096 {
            tail.drain(..tail.len() - 4096);
        }
        if tail.ends_with(b"\r\n") {
            let body = &tail[..tail.len() - 2];
            let start = body
                .windows(2)
                .rposition(|w| w == b"\r\n")
                .map_or(0, |i| i + 2);
            if tail[start..].starts_with(prefix) && (start > 0 || total as usize == tail.len()) {
                return (total, tail[start..].to_vec());
            }
        }
    }
}

/// In-process sync through the Service: the time from the start of the
/// sync (connect, TLS, login included) until the newest screenful of the
/// INBOX can be read from the store, and until the whole list is in.
async fn first_screen(
    servers: &support::Servers,
    user: &support::User,
    count: usize,
) -> (Duration, Duration) {
    let home = tempfile::tempdir().expect("temp dir");
    let service = Service::open(home.path()).expect("service");
    let account = service
        .add_account(support::mailbox::imap_account(servers, user))
        .await
        .expect("account");
    service.set_password(account, user.password.clone());
    let started = Instant::now();
    let syncing = {
        let service = service.clone();
        tokio::spawn(async move { service.sync(account, |_| {}).await })
    };
    let screen = loop {
        let inbox = service
            .folders()
            .await
            .expect("folders")
            .into_iter()
            .find(|f| f.account_id == account && f.role == Some(Role::Inbox));
        if let Some(inbox) = inbox {
            let rows = service
                .message_page(inbox.id, poshta::model::ListQuery::default(), 0, SCREEN)
                .await
                .expect("page");
            if rows.len() == SCREEN.min(count) {
                break started.elapsed();
            }
        }
        assert!(!syncing.is_finished(), "sync ended before the first screen");
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    let summary = syncing.await.expect("join").expect("sync");
    let whole = started.elapsed();
    assert_eq!(summary.new_messages, count);
    (screen, whole)
}

fn mbsync_rc(dir: &Path, servers: &support::Servers, user: &support::User, fsync: bool) -> PathBuf {
    let rc = dir.join("mbsyncrc");
    let text = format!(
        "FSync {fsync}\n\n\
         IMAPAccount bench\nHost {host}\nPort {port}\nUser {login}\nPass {pass}\n\
         SSLType IMAPS\nCertificateFile {ca}\n\n\
         IMAPStore remote\nAccount bench\n\n\
         MaildirStore local\nPath {dir}/\nInbox {dir}/INBOX\n\n\
         Channel bench\nFar :remote:\nNear :local:\nPatterns INBOX\n\
         Sync Pull\nCreate Near\nSyncState *\n",
        fsync = if fsync { "yes" } else { "no" },
        host = servers.tls_host,
        port = servers.imaps,
        login = user.login(),
        pass = user.password,
        ca = servers.ca_pem.display(),
        dir = dir.display(),
    );
    fs::write(&rc, text).expect("write mbsyncrc");
    rc
}

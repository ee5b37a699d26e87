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

#[path = "../tests/support/mod.rs"]
mod support;

use poshta::model::{AccountId, Role};
use poshta::service::Service;
use poshta::store::Store;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Rows of the first screen of the message list.
const SCREEN: usize = 30;
/// What the bare client fetches for the message list.
const RAW_ITEMS: &str = "(UID FLAGS RFC822.SIZE ENVELOPE)";
/// Rounds of the message-list race; medians are reported.
const ROUNDS: usize = 3;

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    // Only the message-list race (a), for quicker rounds while tuning.
    let list_only = std::env::args().any(|a| a == "--list-only");
    let count: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(if bench { 50_000 } else { 300 });
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
    let mailbox = generate(&user.maildir, count);
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
    println!(
        "mailbox: {count} messages, {:.2} GB on disk ({:.2} GB over IMAP), {} with attachments, \
         {} replies in threads, {} with RFC 2047 Cyrillic/Chinese headers",
        mailbox.bytes as f64 / 1e9,
        body_bytes as f64 / 1e9,
        mailbox.attachments,
        mailbox.replies,
        mailbox.encoded_headers,
    );
    println!(
        "written in {:.1} s, server warmed in {:.1} s; {} cores",
        written.as_secs_f64(),
        warmed.as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

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
            Command::new(env!("CARGO_BIN_EXE_poshta-cli"))
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
        store.message_count(inbox).expect("count"),
        count,
        "every message listed"
    );
    drop(store);

    let (first_screen, in_process_list) = runtime.block_on(first_screen(servers, user, count));

    // --- the table, (a) ------------------------------------------------------
    let secs = |d: Duration| format!("{:.2} s", d.as_secs_f64());
    let mb = |kb: u64| format!("{} MB", kb / 1024);
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
        Command::new(env!("CARGO_BIN_EXE_poshta-cli"))
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

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .chain(["/usr/bin", "/usr/sbin"])
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}

// --- measuring child processes ------------------------------------------------

struct Run {
    time: Duration,
    /// When the child printed its first "search index:" line: every list
    /// is committed by then, and only the full-text catch-up remains.
    listed: Option<Duration>,
    max_rss_kb: u64,
}

/// The CLI's progress line for the full-text catch-up after the lists.
const INDEX_MARK: &str = "search index:";

/// Run `command` to completion; its wall time and peak resident memory.
/// Panics on failure.
///
/// The peak is the kernel's high-water mark of the child's own address
/// space (VmHWM), read every few milliseconds while it runs. wait4's
/// ru_maxrss would be wrong here: the child is spawned with vfork, and
/// exec records the spawning process's (this benchmark's) peak as the
/// child's starting point.
fn run_measured(command: &mut Command) -> Run {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    // Progress lines as they come, noting when the lists were all in.
    let reader = {
        let stderr = child.stderr.take().expect("piped stderr");
        std::thread::spawn(move || {
            use std::io::BufRead;
            let mut text = String::new();
            let mut listed = None;
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if listed.is_none() && line.starts_with(INDEX_MARK) {
                    listed = Some(started.elapsed());
                }
                text.push_str(&line);
                text.push('\n');
            }
            (text, listed)
        })
    };
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut peak = 0;
            while !done.load(Ordering::Relaxed) {
                peak = peak.max(vm_hwm_kb(pid));
                std::thread::sleep(Duration::from_millis(2));
            }
            peak
        })
    };
    let mut status = 0;
    // SAFETY: pid is our own unwaited child; the pointer is valid. WNOWAIT
    // leaves it a zombie, so its pid cannot be reused while it is watched.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let waited = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOWAIT,
        )
    };
    assert_eq!(waited, 0, "waitid: {}", std::io::Error::last_os_error());
    let time = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let max_rss_kb = watcher.join().expect("watcher");
    // SAFETY: reaps our own exited child.
    let reaped = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(reaped, pid, "waitpid: {}", std::io::Error::last_os_error());
    let (output, listed) = reader.join().expect("stderr reader");
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    assert!(ok, "{command:?} failed ({status}):\n{output}");
    // The child was reaped above; std must not wait for it again.
    std::mem::forget(child);
    assert!(max_rss_kb > 0, "no memory reading for {command:?}");
    Run {
        time,
        listed,
        max_rss_kb,
    }
}

/// The peak resident set of process `pid` so far, 0 once it has exited.
fn vm_hwm_kb(pid: libc::pid_t) -> u64 {
    fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

// --- the contestants ----------------------------------------------------------

fn add_account(home: &Path, servers: &support::Servers, user: &support::User) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_poshta-cli"))
        .args([
            "account",
            "add",
            "--name",
            "Bench",
            "--email",
            &user.address,
        ])
        .args(["--imap-host", &servers.tls_host])
        .args(["--imap-port", &servers.imaps.to_string()])
        .arg("--ca-file")
        .arg(&servers.ca_pem)
        .env("POSHTA_HOME", home)
        .output()
        .expect("poshta-cli account add");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
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
                .message_page(inbox.id, 0, SCREEN)
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

fn files_in(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |d| d.count())
}

fn dir_size(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

// --- the mailbox ------------------------------------------------------------------

struct Mailbox {
    bytes: u64,
    attachments: usize,
    replies: usize,
    encoded_headers: usize,
}

/// xorshift64*: the same mailbox on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const PEOPLE: &[(&str, &str)] = &[
    ("Айгерим Нурланова", "aigerim@example.kz"),
    ("Дмитрий Иванов", "dmitry@example.ru"),
    ("Ерлан Сапаров", "erlan@example.kz"),
    ("王小明", "xiaoming@example.cn"),
    ("李娜", "lina@example.cn"),
    ("张伟", "zhangwei@example.cn"),
    ("Jürgen Müller", "juergen@example.de"),
    ("Alice Smith", "alice.smith@example.com"),
    ("Bob Jones", "bob.jones@example.com"),
    ("Carol White", "carol@example.org"),
];

const SUBJECTS: &[&str] = &[
    "Отчёт за квартал",
    "Встреча в четверг",
    "Бюджет проекта на следующий год и согласование сроков",
    "会议纪要",
    "项目进度更新",
    "关于下周出差的安排",
    "Quarterly report",
    "Invoice for November",
    "Release planning",
    "Lunch?",
    "Жиналыс күн тәртібі",
    "Travel plans for the conference",
];

const WORDS: &[&str] = &[
    "invoice",
    "meeting",
    "report",
    "budget",
    "review",
    "release",
    "project",
    "deadline",
    "please",
    "thanks",
    "attached",
    "schedule",
    "the",
    "and",
    "of",
    "to",
    "we",
    "will",
    "встреча",
    "отчёт",
    "бюджет",
    "проект",
    "сроки",
    "спасибо",
    "пожалуйста",
    "документ",
    "жиналыс",
    "есеп",
    "会议",
    "报告",
    "预算",
    "项目",
    "谢谢",
    "附件",
    "时间",
    "安排",
];

/// `text` as RFC 2047 encoded words when it is not ASCII.
fn encode_header(text: &str) -> (String, bool) {
    if text.is_ascii() {
        return (text.to_string(), false);
    }
    // At most 45 bytes of UTF-8 per word keeps each word within 75 chars.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
    }
    (words.join("\n "), true)
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Text of about `bytes` bytes in lines of ~70 characters.
fn text(rng: &mut Rng, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 80);
    let mut line = 0;
    while out.len() < bytes {
        let w = rng.pick(WORDS);
        out.push_str(w);
        line += w.len() + 1;
        if line > 70 {
            out.push('\n');
            line = 0;
        } else {
            out.push(' ');
        }
    }
    out.push('\n');
    out
}

/// Write `count` messages into `maildir`'s cur/ as Dovecot would have
/// delivered them (S= and W= sizes in the names), oldest first, owned by
/// the maildir's owner.
fn generate(maildir: &Path, count: usize) -> Mailbox {
    use std::os::unix::fs::MetadataExt;
    let cur = maildir.join("cur");
    let meta = fs::metadata(&cur).expect("maildir cur/ (created at first login)");
    let (uid, gid) = (meta.uid(), meta.gid());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ids: Vec<(String, String)> = Vec::new(); // (message-id, references)
    let mut subjects: Vec<String> = Vec::new();
    let mut mailbox = Mailbox {
        bytes: 0,
        attachments: 0,
        replies: 0,
        encoded_headers: 0,
    };
    let base = 1_700_000_000i64;
    for n in 0..count {
        let date = base + n as i64 * 600 + rng.below(300) as i64;
        let (from_name, from_addr) = *rng.pick(PEOPLE);
        let (to_name, to_addr) = *rng.pick(PEOPLE);
        let message_id = format!("<bench.{n}.{:x}@example.test>", rng.next() & 0xffff_ffff);
        let mut head = String::with_capacity(2048);
        for hop in 0..2 + rng.below(3) {
            head.push_str(&format!(
                "Received: from mx{hop}.example.net (mx{hop}.example.net [192.0.2.{}])\n\
                 \tby mail.example.test (Postfix) with ESMTPS id {:X}\n\
                 \tfor <alice@example.test>; {}\n",
                rng.below(250),
                rng.next(),
                rfc2822(date - hop as i64 * 7)
            ));
        }
        let (from_enc, a) = encode_header(from_name);
        let (to_enc, b) = encode_header(to_name);
        head.push_str(&format!(
            "From: {from_enc} <{from_addr}>\nTo: {to_enc} <{to_addr}>, Alice <alice@example.test>\n"
        ));
        if rng.percent(30) {
            let (cc_name, cc_addr) = *rng.pick(PEOPLE);
            head.push_str(&format!("Cc: {} <{cc_addr}>\n", encode_header(cc_name).0));
        }
        // Threads: four in ten reply to one of the last few hundred.
        let subject = if !ids.is_empty() && rng.percent(40) {
            let parent = ids.len() - 1 - rng.below(ids.len().min(300));
            let (parent_id, parent_refs) = ids[parent].clone();
            let mut refs: Vec<&str> = parent_refs.split_whitespace().collect();
            refs.push(&parent_id);
            let keep = refs.len().saturating_sub(10);
            let refs = refs[keep..].join("\n ");
            head.push_str(&format!("In-Reply-To: {parent_id}\nReferences: {refs}\n"));
            mailbox.replies += 1;
            let refs = refs.replace("\n ", " ");
            ids.push((message_id.clone(), refs));
            format!("Re: {}", subjects[parent].trim_start_matches("Re: "))
        } else {
            ids.push((message_id.clone(), String::new()));
            format!("{} #{n}", rng.pick(SUBJECTS))
        };
        let (subject_enc, c) = encode_header(&subject);
        subjects.push(subject);
        if a || b || c {
            mailbox.encoded_headers += 1;
        }
        head.push_str(&format!(
            "Subject: {subject_enc}\nDate: {}\nMessage-ID: {message_id}\n\
             MIME-Version: 1.0\nX-Mailer: Bench Mailer 1.0\n",
            rfc2822(date)
        ));
        // Mostly 2-20 kB of text (most near the low end); 1.5% carry a
        // 100 kB-1 MB attachment.
        let r = rng.below(1000) as f64 / 1000.0;
        let text_bytes = 2_000 + (r * r * 18_000.0) as usize;
        let body = text(&mut rng, text_bytes);
        let mut raw = head;
        if rng.below(1000) < 15 {
            mailbox.attachments += 1;
            let size = 100_000 + rng.below(900_000);
            let data: Vec<u8> = (0..size.div_ceil(8))
                .flat_map(|_| rng.next().to_le_bytes())
                .take(size)
                .collect();
            let encoded = base64(&data);
            raw.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"mix{n}\"\n\n\
                 --mix{n}\nContent-Type: text/plain; charset=utf-8\n\
                 Content-Transfer-Encoding: 8bit\n\n{body}\n--mix{n}\n\
                 Content-Type: application/pdf; name=\"document-{n}.pdf\"\n\
                 Content-Disposition: attachment; filename=\"document-{n}.pdf\"\n\
                 Content-Transfer-Encoding: base64\n\n"
            ));
            for line in encoded.as_bytes().chunks(76) {
                raw.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
                raw.push('\n');
            }
            raw.push_str(&format!("--mix{n}--\n"));
        } else if rng.percent(25) {
            raw.push_str(&format!(
                "Content-Type: multipart/alternative; boundary=\"alt{n}\"\n\n\
                 --alt{n}\nContent-Type: text/plain; charset=utf-8\n\
                 Content-Transfer-Encoding: 8bit\n\n{body}\n--alt{n}\n\
                 Content-Type: text/html; charset=utf-8\n\
                 Content-Transfer-Encoding: 8bit\n\n<html><body><p>{}</p></body></html>\n\
                 --alt{n}--\n",
                body.replace('\n', "<br>\n")
            ));
        } else {
            raw.push_str(&format!(
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}"
            ));
        }
        let flags = match rng.below(100) {
            0..=79 => "S",
            80..=82 => "FS",
            83..=85 => "RS",
            _ => "",
        };
        let size = raw.len();
        let crlf_size = size + raw.matches('\n').count();
        let name = format!("{date}.M{n}P1.bench,S={size},W={crlf_size}:2,{flags}");
        let path = cur.join(name);
        let mut file = fs::File::create(&path).expect("create message file");
        file.write_all(raw.as_bytes()).expect("write message");
        std::os::unix::fs::chown(&path, Some(uid), Some(gid)).expect("chown message");
        mailbox.bytes += size as u64;
    }
    mailbox
}

fn rfc2822(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .expect("date")
        .to_rfc2822()
}

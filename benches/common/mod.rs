//! What the server benchmarks share: running a contestant as a child
//! process and measuring its wall time and peak memory, medians and
//! verdicts for the tables, and the generated mailbox (`mailbox`).
//!
//! Included from each benchmark with
//! `#[path = "common/mod.rs"] mod common;`.

#![allow(dead_code)]

pub mod mailbox;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The middle of `times` (the upper middle for an even count).
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// A target's verdict for the last line of a table.
pub fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// `program` on the PATH (or in /usr/bin, /usr/sbin).
pub fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .chain(["/usr/bin", "/usr/sbin"])
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}

/// Seconds with two decimals, for the tables.
pub fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Kilobytes as whole megabytes, for the tables.
pub fn mb(kb: u64) -> String {
    format!("{} MB", kb / 1024)
}

/// The message count and mode from the command line: the first argument
/// that is not an option, else `bench_default` under `cargo bench` (which
/// passes `--bench`) and `smoke_default` otherwise (`cargo test`).
pub fn message_count(bench_default: usize, smoke_default: usize) -> (usize, bool) {
    let bench = std::env::args().any(|a| a == "--bench");
    let count = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(if bench { bench_default } else { smoke_default });
    (count, bench)
}

// --- the contestant ---------------------------------------------------------------

/// `poshta-cli account add` into the data directory `home`: an account for
/// `email` whose incoming server is `protocol` ("imap" or "pop3") at
/// `host`:`port`, trusting `ca_file`. Returns the id the CLI printed.
pub fn add_account(
    home: &Path,
    email: &str,
    protocol: &str,
    host: &str,
    port: u16,
    ca_file: &Path,
) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_poshta-cli"))
        .args(["account", "add", "--name", "Bench", "--email", email])
        .args([format!("--{protocol}-host"), host.to_owned()])
        .args([format!("--{protocol}-port"), port.to_string()])
        .arg("--ca-file")
        .arg(ca_file)
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

// --- measuring child processes ------------------------------------------------

/// A command running `program`, or, when `POSHTA_BENCH_WRAP` is set, that
/// command line with `program` appended (for example
/// `POSHTA_BENCH_WRAP="perf record -g -o sync.perf --"` to profile a
/// contestant; its time and memory are then the wrapper's).
pub fn wrapped(program: &str) -> Command {
    let wrap = std::env::var("POSHTA_BENCH_WRAP").unwrap_or_default();
    let mut words = wrap.split_whitespace();
    match words.next() {
        Some(first) => {
            let mut command = Command::new(first);
            command.args(words).arg(program);
            command
        }
        None => Command::new(program),
    }
}

pub struct Run {
    pub time: Duration,
    /// When the child printed its first "search index:" line: every list
    /// is committed by then, and only the full-text catch-up remains.
    pub listed: Option<Duration>,
    pub max_rss_kb: u64,
    /// What the child wrote to stderr.
    pub stderr: String,
}

/// The CLI's progress line for the full-text catch-up after the lists.
pub const INDEX_MARK: &str = "search index:";

/// Run `command` to completion; its wall time and peak resident memory.
/// Panics on failure.
///
/// The peak is the kernel's high-water mark of the child's own address
/// space (VmHWM), read every few milliseconds while it runs. wait4's
/// ru_maxrss would be wrong here: the child is spawned with vfork, and
/// exec records the spawning process's (this benchmark's) peak as the
/// child's starting point.
pub fn run_measured(command: &mut Command) -> Run {
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
        stderr: output,
    }
}

/// The peak resident set of process `pid` so far, 0 once it has exited.
pub fn vm_hwm_kb(pid: libc::pid_t) -> u64 {
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

/// Files directly in `dir` (0 if it does not exist).
pub fn files_in(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |d| d.count())
}

/// Bytes of every file below `dir`.
pub fn dir_size(dir: &Path) -> u64 {
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

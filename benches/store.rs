//! Store benchmark: import a large mbox, then time what the window does
//! with a huge folder — read one screen of rows at the top, the middle and
//! the end of the list in every order, filtered and threaded, count, and
//! search. Prints a table; run with
//!
//!     cargo bench --bench store -- [MESSAGES]
//!
//! (default 100,000). Figures go into the README. Under `cargo test
//! --all-targets` (no `--bench` argument) it runs as a 1,000-message smoke
//! test so the suite stays quick.

#[path = "common/mod.rs"]
mod common;

use poshta::import::import_file;
use poshta::model::{Filter, ListQuery, Role, Sort};
use poshta::search::{Query, Scope};
use poshta::store::Store;
use poshta::store::folders::LOCAL_ACCOUNT;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SCREEN: usize = 90;

fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(if std::env::args().any(|a| a == "--bench") {
            100_000
        } else {
            1_000
        });
    let dir = tempfile::tempdir().expect("temp dir");
    let mbox = dir.path().join("bench.mbox");
    write_mbox(&mbox, count);
    let size = std::fs::metadata(&mbox).map(|m| m.len()).unwrap_or(0);

    let store = Mutex::new(Store::open(&dir.path().join("poshta.sqlite3")).expect("store"));
    let inbox = store
        .lock()
        .unwrap()
        .folder_by_role(LOCAL_ACCOUNT, Role::Inbox)
        .expect("inbox")
        .id;
    let started = Instant::now();
    let progress = import_file(&store, inbox, &mbox, |_| {}).expect("import");
    let import_time = started.elapsed();
    assert_eq!(progress.imported, count);
    let mut store = store.into_inner().unwrap();

    println!("messages: {count}, mbox: {:.1} MB", size as f64 / 1e6);
    println!(
        "import: {:.2} s ({:.0} messages/s)",
        import_time.as_secs_f64(),
        count as f64 / import_time.as_secs_f64()
    );
    println!("{:<34} {:>12}", "operation (median of 20)", "time");
    let by = |sort, descending| ListQuery {
        sort,
        descending,
        ..ListQuery::default()
    };
    let unread = ListQuery {
        filter: Filter {
            unread: true,
            ..Filter::default()
        },
        ..ListQuery::default()
    };
    let only = |filter| ListQuery {
        filter,
        ..ListQuery::default()
    };
    let flagged = only(Filter {
        flagged: true,
        ..Filter::default()
    });
    let attachments = only(Filter {
        attachments: true,
        ..Filter::default()
    });
    let threads = ListQuery {
        threads: true,
        ..ListQuery::default()
    };
    let queries = [
        ("newest first", ListQuery::default()),
        ("oldest first", by(Sort::Date, false)),
        ("by sender", by(Sort::Sender, false)),
        ("by subject", by(Sort::Subject, false)),
        ("largest first", by(Sort::Size, true)),
        ("unread only", unread),
        ("flagged only", flagged),
        ("attachments only", attachments),
        ("threads", threads),
        (
            "threads by sender",
            ListQuery {
                sort: Sort::Sender,
                descending: false,
                ..threads
            },
        ),
        (
            "threads, unread only",
            ListQuery {
                threads: true,
                ..unread
            },
        ),
    ];
    for (name, query) in queries {
        let rows = store.message_count(inbox, &query).expect("count");
        for (place, offset) in [
            ("top", 0),
            ("middle", rows / 2),
            ("end", rows.saturating_sub(SCREEN)),
        ] {
            let t = median(|| {
                let page = store
                    .message_page(inbox, &query, offset, SCREEN)
                    .expect("page");
                assert_eq!(page.len(), SCREEN.min(rows - offset));
            });
            let label = format!("screen, {name}, {place}");
            println!("{label:<34} {:>9.3} ms", ms(t));
        }
    }
    for (name, query) in [
        ("folder count", ListQuery::default()),
        ("count, unread", unread),
    ] {
        let t = median(|| {
            store.message_count(inbox, &query).expect("count");
        });
        println!("{name:<34} {:>9.3} ms", ms(t));
    }
    let mut counted = Vec::new();
    for (name, query) in [
        ("count, flagged", flagged),
        ("count, attachments", attachments),
        ("count, threads", threads),
        (
            "count, threads unread",
            ListQuery {
                threads: true,
                ..unread
            },
        ),
    ] {
        let t = median(|| {
            counted.push(store.message_count(inbox, &query).expect("count"));
        });
        println!("{name:<34} {:>9.3} ms", ms(t));
    }
    assert_eq!(
        store
            .message_count(inbox, &ListQuery::default())
            .expect("count"),
        count
    );
    // Each median ran its count 20 times.
    println!(
        "(unread {}, flagged {}, attachments {}, threads {}, threads unread {})",
        store.message_count(inbox, &unread).expect("count"),
        counted[0],
        counted[20],
        counted[40],
        counted[60]
    );
    let t = median(|| {
        store.folders().expect("folders");
    });
    println!("{:<34} {:>9.3} ms", "folder tree with unread counts", ms(t));
    // Each query asks for the 100 newest hits, as the window does.
    let queries = [
        ("search: word (invoice)", "invoice", Scope::All),
        ("search: word, Cyrillic (отчёт)", "отчёт", Scope::All),
        ("search: prefix (invo*)", "invo*", Scope::All),
        (
            "search: phrase (\"the invoice\")",
            "\"the invoice\"",
            Scope::All,
        ),
        (
            "search: operator (from:sender48 invoice)",
            "from:sender48 invoice",
            Scope::All,
        ),
        (
            "search: one folder (Inbox)",
            "invoice",
            Scope::Folder(inbox),
        ),
    ];
    for (label, text, scope) in queries {
        let query = Query::parse(text);
        let mut hits = 0;
        let t = median(|| {
            hits = store.search(&query, scope, 100).expect("search").len();
            assert!(hits > 0, "{text}");
        });
        let all = store.search(&query, scope, count).expect("search").len();
        println!("{label:<42} {:>9.3} ms  ({all} hits)", ms(t));
    }
    let own_peak = common::vm_hwm_kb(std::process::id() as libc::pid_t);
    println!("peak memory (VmHWM): {} MB", own_peak / 1024);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn write_mbox(path: &std::path::Path, count: usize) {
    let words = [
        "invoice",
        "meeting",
        "report",
        "встреча",
        "отчёт",
        "жиналыс",
        "quarterly",
        "budget",
        "review",
        "travel",
        "release",
        "project",
    ];
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create mbox"));
    for n in 0..count {
        let date = chrono::DateTime::from_timestamp(1_700_000_000 + (n as i64) * 37, 0)
            .expect("date")
            .to_rfc2822();
        let a = words[n % words.len()];
        let b = words[(n / 7) % words.len()];
        // A mailbox as people have them: most mail read, a few flagged,
        // one in twenty with a small attachment, a quarter answering a
        // message a few before it.
        let status = if n % 10 == 0 { "O" } else { "RO" };
        let x_status = if n % 50 == 0 { "X-Status: F\n" } else { "" };
        let (re, links) = if n % 4 == 3 {
            let parent = n - 3;
            (
                "Re: ",
                format!(
                    "In-Reply-To: <bench{parent}@example.com>\n\
                     References: <bench{parent}@example.com>\n"
                ),
            )
        } else {
            ("", String::new())
        };
        write!(
            out,
            "From sender{s}@example.com Mon Nov 23 10:00:00 2026\n\
             From: Sender {s} <sender{s}@example.com>\n\
             To: me@example.com\n\
             Subject: {re}{a} {b} #{n}\n\
             Date: {date}\n\
             Message-ID: <bench{n}@example.com>\n\
             {links}Status: {status}\n{x_status}{body}\n",
            s = n % 500,
            body = body(n, a, b, n % 500),
        )
        .expect("write mbox");
    }
    out.flush().expect("flush mbox");
}

/// The body part of message `n`, a multipart one with a small PDF for one
/// message in twenty.
fn body(n: usize, a: &str, b: &str, s: usize) -> String {
    let text =
        format!("Hello,\n\nthis is message {n} about the {a} and the {b}.\nRegards,\nSender {s}\n");
    if n % 20 != 5 {
        return format!("Content-Type: text/plain; charset=utf-8\n\n{text}");
    }
    format!(
        "MIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"b{n}\"\n\n\
         --b{n}\n\
         Content-Type: text/plain; charset=utf-8\n\n{text}\
         --b{n}\n\
         Content-Type: application/pdf; name=\"{a}-{n}.pdf\"\n\
         Content-Disposition: attachment; filename=\"{a}-{n}.pdf\"\n\
         Content-Transfer-Encoding: base64\n\n\
         JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoKdHJhaWxlcgo8PC9S\n\
         b290IDEgMCBSPj4KJSVFT0YK\n\
         --b{n}--\n"
    )
}

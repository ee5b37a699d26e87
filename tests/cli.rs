//! The headless command line: the same service the window uses, driven
//! the way a script would drive it.

use clap::Parser;
use poshta::cli::{Cli, run};
use std::path::Path;

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

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

#[tokio::test]
async fn import_folders_list_show_search_and_folder_commands() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();

    let out = cli(home, &["import", &fixture("mbox/sample.mbox")])
        .await
        .unwrap();
    assert!(
        out.contains("5 imported, 0 already present, 0 unreadable"),
        "{out}"
    );

    let id = cli(home, &["folder", "create", "Projects"]).await.unwrap();
    let id: i64 = id.trim().parse().unwrap();
    cli(home, &["folder", "create", "--parent", "Projects", "2026"])
        .await
        .unwrap();
    let out = cli(
        home,
        &[
            "import",
            "--folder",
            "Local Folders/Projects/2026",
            &fixture("eml/chinese_gb2312.eml"),
        ],
    )
    .await
    .unwrap();
    assert!(out.contains("1 imported"), "{out}");

    let folders = cli(home, &["folders"]).await.unwrap();
    assert!(folders.starts_with("Local Folders\n"), "{folders}");
    assert!(
        folders.contains("  Inbox  (5 unread, 5 total)"),
        "{folders}"
    );
    assert!(
        folders.contains("    2026  (1 unread, 1 total)"),
        "{folders}"
    );

    let list = cli(home, &["list", "Inbox"]).await.unwrap();
    let lines: Vec<_> = list.lines().collect();
    assert_eq!(lines.len(), 5, "{list}");
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("\t项目进度更新：第三阶段已完成")),
        "{list}"
    );
    let paged = cli(home, &["list", "Inbox", "--offset", "4", "--limit", "10"])
        .await
        .unwrap();
    assert_eq!(paged.lines().count(), 1);
    assert_eq!(paged.lines().next(), lines.last().copied());

    let chinese = cli(home, &["list", "Projects/2026"]).await.unwrap();
    let msg_id = chinese.split('\t').next().unwrap();
    let shown = cli(home, &["show", msg_id]).await.unwrap();
    assert!(
        shown.contains("Subject: 关于第四季度预算调整的通知"),
        "{shown}"
    );
    assert!(shown.contains("市场推广费用下调百分之十"), "{shown}");

    let found = cli(home, &["search", "Байкал"]).await.unwrap();
    // One hit, then what was searched.
    let hits: Vec<_> = found.lines().filter(|l| l.starts_with("local\t")).collect();
    assert_eq!(hits.len(), 1, "{found}");
    assert!(hits[0].contains("Встреча в четверг"), "{found}");
    assert_eq!(found.lines().last(), Some("local: 6 messages"), "{found}");

    cli(home, &["folder", "rename", &id.to_string(), "Work"])
        .await
        .unwrap();
    let out = cli(home, &["folder", "delete", "Work"]).await.unwrap();
    assert_eq!(out.trim(), "deleted; 1 messages moved to Trash");
    let folders = cli(home, &["folders"]).await.unwrap();
    assert!(
        folders.contains("  Trash  (1 unread, 1 total)"),
        "{folders}"
    );
    assert!(!folders.contains("Work"), "{folders}");
}

#[tokio::test]
async fn list_orders_filters_and_threads_and_conversation_follows_a_thread() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    // The mbox holds a reply; its original comes after it.
    cli(home, &["import", &fixture("mbox/sample.mbox")])
        .await
        .unwrap();
    cli(home, &["import", &fixture("eml/kazakh_utf8.eml")])
        .await
        .unwrap();
    let threads = cli(home, &["list", "Inbox", "--threads"]).await.unwrap();
    assert_eq!(threads.lines().count(), 5, "{threads}");
    let pair: Vec<&str> = threads.lines().filter(|l| l.ends_with(" (2)")).collect();
    assert_eq!(pair.len(), 1, "{threads}");
    assert!(
        pair[0].contains("Re: Жиналыс"),
        "the newest of the two: {threads}"
    );
    let id = pair[0].split('\t').next().unwrap();
    let conversation = cli(home, &["conversation", id]).await.unwrap();
    let subjects: Vec<&str> = conversation
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap())
        .collect();
    assert_eq!(subjects.len(), 2, "{conversation}");
    assert!(
        subjects[0].starts_with("Жиналыс"),
        "oldest first: {conversation}"
    );
    assert!(subjects[1].starts_with("Re: Жиналыс"), "{conversation}");

    // Subjects without "Fwd:", A to Z; only the unread; only attachments.
    let by_subject = cli(home, &["list", "Inbox", "--sort", "subject", "--asc"])
        .await
        .unwrap();
    let first = by_subject.lines().next().unwrap();
    assert!(
        first.ends_with("\tFwd: shipping notice for order 88-1042"),
        "{by_subject}"
    );
    let unread = cli(home, &["list", "Inbox", "--unread", "--sort", "size"])
        .await
        .unwrap();
    assert_eq!(
        unread.lines().count(),
        6,
        "imported mail is unread: {unread}"
    );
    let none = cli(home, &["list", "Inbox", "--flagged"]).await.unwrap();
    assert_eq!(none, "");
}

#[tokio::test]
async fn errors_are_typed_not_panics() {
    let home = tempfile::tempdir().unwrap();
    let err = cli(home.path(), &["list", "No such folder"])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), poshta::ErrorKind::NotFound);
    let err = cli(home.path(), &["show", "424242"]).await.unwrap_err();
    assert_eq!(err.kind(), poshta::ErrorKind::NotFound);
    let err = cli(home.path(), &["folder", "delete", "Inbox"])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), poshta::ErrorKind::ProtectedFolder);
}

#[test]
fn the_binary_keeps_its_data_under_poshta_home() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_poshta-cli"))
            .args(args)
            .env("POSHTA_HOME", home.path())
            .output()
            .unwrap()
    };
    let out = run(&["import", &fixture("eml/kazakh_utf8.eml")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(home.path().join("poshta.sqlite3").is_file());
    let list = run(&["list", "Inbox"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("Жиналыс кестесі"));
    // Errors go to stderr with a non-zero exit, never a panic.
    let missing = run(&["show", "999"]);
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.starts_with("poshta-cli: message not found"),
        "{stderr}"
    );
}

#[tokio::test]
async fn accounts_are_added_listed_and_removed_with_their_mail() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let id = cli(
        home,
        &[
            "account",
            "add",
            "--name",
            "Work",
            "--email",
            "me@example.test",
            "--imap-host",
            "imap.example.test",
            "--smtp-host",
            "smtp.example.test",
            "--smtp-security",
            "starttls",
        ],
    )
    .await
    .unwrap();
    let list = cli(home, &["account", "list"]).await.unwrap();
    assert_eq!(
        list.lines().next().unwrap(),
        format!(
            "{}\tWork\tme@example.test\timap imap.example.test:993 (tls)\tsmtp smtp.example.test:587 (starttls)\tevery 5 min",
            id.trim()
        )
    );
    // Checked every 15 minutes instead, then the default again.
    cli(home, &["account", "set", id.trim(), "--check-every", "15"])
        .await
        .unwrap();
    let list = cli(home, &["account", "list"]).await.unwrap();
    assert!(
        list.lines().next().unwrap().ends_with("\tevery 15 min"),
        "{list}"
    );
    for bad in ["0", "1441"] {
        let err = cli(home, &["account", "set", id.trim(), "--check-every", bad])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), poshta::ErrorKind::InvalidSettings, "{bad}");
    }
    cli(home, &["account", "set", id.trim(), "--check-default"])
        .await
        .unwrap();
    let list = cli(home, &["account", "list"]).await.unwrap();
    assert!(
        list.lines().next().unwrap().ends_with("\tevery 5 min"),
        "{list}"
    );
    assert!(
        list.lines().nth(1).unwrap().contains("Local Folders"),
        "{list}"
    );

    let bad = cli(
        home,
        &[
            "account",
            "add",
            "--name",
            "X",
            "--email",
            "x@y",
            "--imap-host",
            " ",
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(bad.kind(), poshta::ErrorKind::InvalidSettings);

    cli(home, &["account", "remove", id.trim(), "--yes"])
        .await
        .unwrap();
    let list = cli(home, &["account", "list"]).await.unwrap();
    assert_eq!(list.lines().count(), 1, "{list}");
    let err = cli(home, &["account", "remove", "1", "--yes"])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), poshta::ErrorKind::ProtectedAccount);
}

/// An address at a known provider needs no server settings: they come
/// from the shipped list (IMAP, or POP3 with --pop3); elsewhere the
/// command says what to give.
#[tokio::test]
async fn a_known_providers_settings_are_filled_in() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let imap = cli(
        h,
        &[
            "account",
            "add",
            "--name",
            "Пошта",
            "--email",
            "aigerim@mail.ru",
        ],
    )
    .await
    .unwrap();
    let pop3 = cli(
        h,
        &[
            "account",
            "add",
            "--name",
            "QQ",
            "--email",
            "li@qq.com",
            "--pop3",
        ],
    )
    .await
    .unwrap();
    let list = cli(h, &["account", "list"]).await.unwrap();
    let line = |id: &str| {
        list.lines()
            .find(|l| l.starts_with(&format!("{}\t", id.trim())))
            .unwrap()
            .to_string()
    };
    assert!(
        line(&imap).contains("imap imap.mail.ru:993 (tls)\tsmtp smtp.mail.ru:465 (tls)"),
        "{list}"
    );
    assert!(
        line(&pop3).contains("pop3 pop.qq.com:995 (tls)\tsmtp smtp.qq.com:465 (tls)"),
        "{list}"
    );
    let unknown = cli(
        h,
        &["account", "add", "--name", "X", "--email", "a@example.kz"],
    )
    .await;
    let message = unknown.unwrap_err().to_string();
    assert!(message.contains("--imap-host"), "{message}");
}

/// Removing an account takes its mail: the command asks first, names
/// what goes, and only "yes" removes it.
#[test]
fn an_account_is_removed_only_once_confirmed() {
    use std::io::Write;
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: &[u8]| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_poshta-cli"))
            .args(args)
            .env("POSHTA_HOME", home.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(stdin);
        child.wait_with_output().unwrap()
    };
    let added = run(
        &["account", "add", "--name", "Дүкен", "--email", "a@mail.ru"],
        b"",
    );
    let id = String::from_utf8(added.stdout).unwrap().trim().to_string();
    let listed = |home: &Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_poshta-cli"))
            .args(["account", "list"])
            .env("POSHTA_HOME", home)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().lines().count()
    };
    assert_eq!(listed(home.path()), 2);
    for answer in [&b"no\n"[..], b""] {
        let out = run(&["account", "remove", &id], answer);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("(Дүкен) and the 0 messages") && stderr.contains("not confirmed"),
            "{stderr}"
        );
        assert_eq!(listed(home.path()), 2, "still there");
    }
    let out = run(&["account", "remove", &id], b"yes\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(listed(home.path()), 1);
}

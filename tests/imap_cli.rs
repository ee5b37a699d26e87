//! The command line against real Dovecot: add an IMAP account, sync it
//! with the password on stdin, list and open messages (bodies fetched on
//! demand), and the errors a person sees for a wrong password or an
//! untrusted server.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn cli(home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_poshta-cli"))
        .args(args)
        .env("POSHTA_HOME", home)
        .env_remove("POSHTA_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn add_account(home: &Path, user: &support::User, trust_ca: bool) -> String {
    let servers = support::servers();
    let port = servers.imaps.to_string();
    let ca = servers.ca_pem.display().to_string();
    let mut args = vec![
        "account",
        "add",
        "--name",
        "Dovecot",
        "--email",
        &user.address,
        "--imap-host",
        &servers.tls_host,
        "--imap-port",
        &port,
        "--username",
        user.login(),
    ];
    if trust_ca {
        args.extend(["--ca-file", &ca]);
    }
    let out = cli(home, &args, "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

#[test]
fn sync_list_and_show_over_imaps() {
    let servers = support::servers();
    let bob = servers.user("bob");
    for (n, subject) in ["Первое письмо", "第二封信", "Third letter"]
        .iter()
        .enumerate()
    {
        let raw = format!(
            "From: Alice <alice@example.test>\r\nTo: {}\r\nSubject: {subject}\r\n\
             Date: Mon, 23 Nov 2026 1{n}:00:00 +0000\r\nMessage-ID: <cli-{n}@example.test>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nBody {n}: {subject}\r\n",
            bob.address
        );
        servers.deliver("bob", raw.as_bytes());
    }
    let home = tempfile::tempdir().unwrap();
    let id = add_account(home.path(), bob, true);

    let out = cli(home.path(), &["sync", &id], &format!("{}\n", bob.password));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("3 new messages"), "{summary}");
    assert!(
        text(&out.stderr).contains("INBOX: 3/3"),
        "{}",
        text(&out.stderr)
    );

    let list = cli(home.path(), &["list", "Dovecot/INBOX"], "");
    let list = text(&list.stdout);
    let rows: Vec<&str> = list.lines().collect();
    assert_eq!(rows.len(), 3, "{list}");
    assert!(rows[0].ends_with("\tThird letter"), "newest first: {list}");
    let chinese_id = rows[1].split('\t').next().unwrap();

    // The body is not here yet: `show` asks for the password and fetches it.
    let shown = cli(
        home.path(),
        &["show", chinese_id],
        &format!("{}\n", bob.password),
    );
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    assert!(
        text(&shown.stdout).contains("Body 1: 第二封信"),
        "{}",
        text(&shown.stdout)
    );
    // Now it is kept: no password needed any more.
    let again = cli(home.path(), &["show", chinese_id], "");
    assert!(again.status.success(), "{}", text(&again.stderr));

    // The password was never written anywhere under the data directory.
    for entry in std::fs::read_dir(home.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!support::contains(&bytes, bob.password.as_bytes()));
    }
}

#[test]
fn a_wrong_password_and_an_untrusted_server_are_reported_plainly() {
    let servers = support::servers();
    let carol = servers.user("carol");
    let home = tempfile::tempdir().unwrap();
    let id = add_account(home.path(), carol, true);
    let out = cli(home.path(), &["sync", &id], "not-the-password\n");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.to_lowercase().contains("authentication"), "{err}");
    assert!(!err.contains("not-the-password"), "password leaked: {err}");

    let untrusted = tempfile::tempdir().unwrap();
    let id = add_account(untrusted.path(), carol, false);
    let out = cli(
        untrusted.path(),
        &["sync", &id],
        &format!("{}\n", carol.password),
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.to_lowercase().contains("certificate"), "{err}");
}

#[test]
fn mail_is_imported_only_into_local_folders() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let home = tempfile::tempdir().unwrap();
    let id = add_account(home.path(), alice, true);
    let out = cli(
        home.path(),
        &["sync", &id],
        &format!("{}\n", alice.password),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eml/simple_ascii.eml");
    let out = cli(
        home.path(),
        &[
            "import",
            "--folder",
            "Dovecot/INBOX",
            fixture.to_str().unwrap(),
        ],
        "",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("only be imported into a local folder"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn flag_move_and_delete_reach_the_server() {
    let servers = support::servers();
    let carol = servers.user("carol");
    let kept = support::unique("Kept");
    let mut session = support::imap::login(servers, carol).await;
    session.create(&kept).await.unwrap();
    for n in 0..2 {
        let raw = format!(
            "From: Bob <bob@example.test>\r\nTo: {}\r\nSubject: act {n}\r\n\
             Message-ID: <act-{n}-{kept}@example.test>\r\n\r\nBody {n}\r\n",
            carol.address
        );
        servers.deliver("carol", raw.as_bytes());
    }
    let home = tempfile::tempdir().unwrap();
    let id = add_account(home.path(), carol, true);
    let password = format!("{}\n", carol.password);
    let out = cli(home.path(), &["sync", &id], &password);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = text(&cli(home.path(), &["list", "Dovecot/INBOX"], "").stdout);
    let id_of = |subject: &str| {
        list.lines()
            .find(|l| l.ends_with(&format!("\t{subject}")))
            .and_then(|l| l.split('\t').next())
            .unwrap_or_else(|| panic!("{subject} not in {list}"))
            .to_string()
    };
    let (first, second) = (id_of("act 0"), id_of("act 1"));

    let out = cli(home.path(), &["flag", &first, "--flagged"], &password);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "1 messages changed");
    let target = format!("Dovecot/{kept}");
    let out = cli(home.path(), &["move", &first, "--to", &target], &password);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = cli(home.path(), &["delete", &second, "--for-good"], &password);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Another client sees all three changes on the server.
    session.examine(&kept).await.unwrap();
    let flagged = session.uid_search("FLAGGED").await.unwrap();
    assert_eq!(flagged.len(), 1, "moved with its flag");
    let inbox = session.examine("INBOX").await.unwrap();
    let left = session.uid_search("SUBJECT \"act \"").await.unwrap();
    assert!(left.is_empty(), "{left:?} of {}", inbox.exists);
    // And here it is where it was put.
    let moved = text(&cli(home.path(), &["list", &target], "").stdout);
    assert!(moved.contains("act 0"), "{moved}");
}

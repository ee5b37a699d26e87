//! Passwords in the OS keyring: gnome-keyring's Secret Service on a private
//! D-Bus session bus, and Dovecot on loopback to log in to. The command
//! line keeps a password there, syncs without being given one, forgets it
//! with the account, and with no keyring to reach asks for the password
//! each time and writes it nowhere.

mod support;

use std::path::Path;
use support::files_containing;
use support::keyring::{Keyring, cli};

use support::cli::ok;

/// Add carol's IMAP account over `home`; its id.
fn add_account(home: &Path, bus: &str) -> String {
    let servers = support::servers();
    let user = servers.user("carol");
    let port = servers.imaps.to_string();
    let ca = servers.ca_pem.to_string_lossy().to_string();
    let id = ok(cli(
        home,
        bus,
        None,
        &[
            "account",
            "add",
            "--name",
            "Keyring",
            "--email",
            &user.address,
            "--imap-host",
            &servers.tls_host,
            "--imap-port",
            &port,
            "--ca-file",
            &ca,
        ],
    ));
    id.trim().to_string()
}

#[test]
fn a_kept_password_syncs_without_asking_and_leaves_with_the_account() {
    let servers = support::servers();
    let user = servers.user("carol");
    let keyring = Keyring::start();
    let home = tempfile::tempdir().unwrap();
    let id = add_account(home.path(), &keyring.bus);
    let entry = format!(
        "imap://{}@{}:{}",
        user.address, servers.tls_host, servers.imaps
    );
    let attributes = ["service", "poshta", "username", entry.as_str()];

    // Without a password anywhere, a sync stops and says so.
    let out = cli(home.path(), &keyring.bus, None, &["sync", &id]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no password"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    ok(cli(
        home.path(),
        &keyring.bus,
        Some(&user.password),
        &["account", "password", &id],
    ));
    assert_eq!(
        keyring.lookup(&attributes).as_deref(),
        Some(user.password.as_str()),
        "gnome-keyring holds it"
    );
    // A later run, given no password, logs in with the kept one.
    let out = cli(home.path(), &keyring.bus, None, &["sync", &id]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("folders"),
        "{stderr}"
    );
    assert_eq!(
        files_containing(home.path(), &user.password),
        Vec::<String>::new(),
        "the password is in no file of the profile"
    );

    ok(cli(
        home.path(),
        &keyring.bus,
        None,
        &["account", "remove", &id, "--yes"],
    ));
    assert_eq!(
        keyring.lookup(&attributes),
        None,
        "forgotten with the account"
    );
}

#[test]
fn without_a_keyring_the_password_is_asked_for_and_kept_nowhere() {
    let servers = support::servers();
    let user = servers.user("carol");
    let home = tempfile::tempdir().unwrap();
    let nowhere = format!("unix:path={}", home.path().join("no-bus").display());
    let id = add_account(home.path(), &nowhere);

    let out = cli(
        home.path(),
        &nowhere,
        Some(&user.password),
        &["account", "password", &id],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the system keyring"), "{stderr}");
    assert!(!stderr.contains(&user.password), "{stderr}");

    // Each run must be given it, and then works.
    let out = cli(home.path(), &nowhere, None, &["sync", &id]);
    assert!(!out.status.success());
    ok(cli(
        home.path(),
        &nowhere,
        Some(&user.password),
        &["sync", &id],
    ));
    assert_eq!(
        files_containing(home.path(), &user.password),
        Vec::<String>::new()
    );
}

/// Everything a session might say, at the most verbose log level: adding,
/// keeping the password, testing both servers (IMAP and SMTP AUTH), a
/// sync, sending. Neither the logs nor any file under POSHTA_HOME holds
/// the password, plainly or base64-encoded as SMTP AUTH and IMAP
/// AUTHENTICATE carry it.
#[test]
fn no_log_at_any_level_and_no_file_holds_the_password() {
    let servers = support::servers();
    let user = servers.user("carol");
    let keyring = Keyring::start();
    let home = tempfile::tempdir().unwrap();
    let run = |password: Option<&str>, args: &[&str]| {
        let mut env = vec![
            ("DBUS_SESSION_BUS_ADDRESS", keyring.bus.as_str()),
            ("RUST_LOG", "trace"),
        ];
        env.extend(password.map(|p| ("POSHTA_PASSWORD", p)));
        support::cli::run(home.path(), &env, args, b"")
    };
    let port = servers.imaps.to_string();
    let submission = servers.submission_starttls.to_string();
    let ca = servers.ca_pem.to_string_lossy().to_string();
    let mut said = Vec::new();
    let mut step = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        said.extend_from_slice(&out.stdout);
        said.extend_from_slice(&out.stderr);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let id = step(run(
        None,
        &[
            "account",
            "add",
            "--name",
            "Verbose",
            "--email",
            &user.address,
            "--imap-host",
            &servers.tls_host,
            "--imap-port",
            &port,
            "--smtp-host",
            &servers.tls_host,
            "--smtp-port",
            &submission,
            "--smtp-security",
            "starttls",
            "--ca-file",
            &ca,
        ],
    ));
    let id = id.trim();
    step(run(Some(&user.password), &["account", "password", id]));
    step(run(None, &["account", "test", id]));
    step(run(None, &["sync", id]));
    step(support::cli::run(
        home.path(),
        &[
            ("DBUS_SESSION_BUS_ADDRESS", keyring.bus.as_str()),
            ("RUST_LOG", "trace"),
        ],
        &[
            "send",
            "--account",
            id,
            "--to",
            &user.address,
            "--subject",
            "verbose",
        ],
        b"Logged at every level.\n",
    ));
    let said = String::from_utf8_lossy(&said);
    assert!(
        said.contains("TRACE") || said.contains("DEBUG"),
        "the logs were on"
    );
    let plain_b64 = base64_of(user.password.as_bytes());
    let sasl_b64 = base64_of(format!("\0{}\0{}", user.address, user.password).as_bytes());
    for needle in [
        user.password.as_str(),
        plain_b64.as_str(),
        sasl_b64.as_str(),
    ] {
        assert!(!said.contains(needle), "the logs hold {needle:?}");
        assert_eq!(files_containing(home.path(), needle), Vec::<String>::new());
    }
}

fn base64_of(bytes: &[u8]) -> String {
    String::from_utf8(poshta::net::base64::encode(bytes)).unwrap()
}

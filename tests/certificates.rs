//! Deciding about a server's certificate, against the real Dovecot and
//! Postfix on loopback: a refusal says why and shows the certificate with
//! the command that trusts exactly it; after that command the account
//! works; another certificate on the same host and port is refused again
//! before any credentials go out; a malformed fingerprint is refused.

mod support;

use poshta::account::{Direction, NewAccount, Protocol, Security};
use poshta::model::AccountId;
use poshta::net::tls::CertificateProblem;
use poshta::sync::status::AccountStatus;
use poshta::{ErrorKind, Service};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// poshta-cli over `home` with `password` in $POSHTA_PASSWORD.
fn cli(home: &Path, password: &str, args: &[&str]) -> Output {
    support::cli::run(home, &[("POSHTA_PASSWORD", password)], args, b"")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `openssl x509 -fingerprint -sha256` of a PEM certificate: `AB:CD:...`,
/// computed apart from the code under test.
fn openssl_fingerprint(pem: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(pem)
        .output()
        .expect("run openssl");
    assert!(out.status.success(), "openssl x509: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let fingerprint = text.trim().rsplit('=').next().unwrap().to_owned();
    assert_eq!(fingerprint.len(), 95, "{text}");
    fingerprint
}

fn bytes_of(fingerprint: &str) -> [u8; 32] {
    poshta::net::tls::parse_sha256(fingerprint).unwrap()
}

/// What `account test` printed about one server: its line and the
/// indented lines under it.
fn server_block(out: &str, direction: &str) -> String {
    let mut lines = out
        .lines()
        .skip_while(|line| !line.starts_with(&format!("{direction}\t")));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no {direction} line in {out}"));
    let rest = lines.take_while(|line| line.starts_with("  "));
    std::iter::once(first)
        .chain(rest)
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The arguments of the `poshta-cli ...` command a block suggests.
fn suggested(block: &str) -> Vec<String> {
    let command = block
        .lines()
        .find_map(|line| line.trim().strip_prefix("poshta-cli "))
        .unwrap_or_else(|| panic!("no command in {block}"));
    command.split_whitespace().map(str::to_owned).collect()
}

fn run_suggested(home: &Path, block: &str) -> String {
    let args = suggested(block);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    support::cli::ok(cli(home, "", &args))
}

/// Adds an account with `args` after the name and address; its id.
fn add(home: &Path, user: &support::User, args: &[&str]) -> String {
    let mut all = vec![
        "account",
        "add",
        "--name",
        "Pinned",
        "--email",
        &user.address,
        "--username",
        user.login(),
    ];
    all.extend_from_slice(args);
    support::cli::ok(cli(home, "", &all)).trim().to_owned()
}

/// Without the test CA both servers are refused as not issued by a
/// trusted CA, with the certificate Dovecot and Postfix really present;
/// the printed commands trust exactly it, after which both log in and a
/// sync brings the mail.
#[test]
fn an_untrusted_server_shows_its_certificate_and_the_printed_command_trusts_it() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let expected = openssl_fingerprint(&servers.server_cert);
    let subject = support::unique("pinned mail");
    let raw = format!(
        "From: Bob <bob@example.test>\r\nTo: {}\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@example.test>\r\n\r\nHello.\r\n",
        alice.address
    );
    servers.deliver("alice", raw.as_bytes());
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let (imaps, submission) = (
        servers.imaps.to_string(),
        servers.submission_starttls.to_string(),
    );
    let id = add(
        home,
        alice,
        &[
            "--imap-host",
            &servers.tls_host,
            "--imap-port",
            &imaps,
            "--smtp-host",
            &servers.tls_host,
            "--smtp-port",
            &submission,
            "--smtp-security",
            "starttls",
        ],
    );

    let refused = cli(home, &alice.password, &["account", "test", &id]);
    assert!(!refused.status.success());
    let out = stdout(&refused);
    for (direction, protocol, port) in [
        ("incoming", "imap", &imaps),
        ("outgoing", "smtp", &submission),
    ] {
        let block = server_block(&out, direction);
        let place = format!("{}:{port}", servers.tls_host);
        assert!(
            block.starts_with(&format!(
                "{direction}\t{protocol} {place}\tfailed: the server's certificate was refused\n"
            )),
            "{block}"
        );
        assert!(
            block.contains("  Why:         the certificate is not issued by a trusted CA\n"),
            "{block}"
        );
        assert!(
            block.contains(&format!("  SHA-256:     {expected}\n")),
            "{block}"
        );
        assert!(block.contains("  Subject:     CN=localhost\n"), "{block}");
        assert!(
            block.contains("  Issuer:      CN=poshta test CA"),
            "{block}"
        );
        for field in ["Valid from:  20", "Valid until: 20"] {
            assert!(block.contains(field), "{field}: {block}");
        }
        assert!(!block.contains("Warning"), "{block}");
        assert_eq!(
            suggested(&block),
            [
                "account",
                "trust",
                &id,
                &format!("--{direction}"),
                "--sha256",
                &expected
            ],
            "{block}"
        );
        let trusted = run_suggested(home, &block);
        assert!(
            trusted.contains(&format!("only the certificate with SHA-256 {expected}")),
            "{trusted}"
        );
    }
    let list = support::cli::ok(cli(home, "", &["account", "list"]));
    assert!(list.contains("(tls, pinned)\tsmtp"), "{list}");
    assert!(list.contains("(starttls, pinned)\t"), "{list}");

    let out = support::cli::ok(cli(home, &alice.password, &["account", "test", &id]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines.iter().all(|line| line.ends_with("\tok")), "{out}");

    let synced = cli(home, &alice.password, &["sync", &id]);
    assert!(synced.status.success(), "{}", stderr(&synced));
    let inbox = support::cli::ok(cli(home, "", &["list", "Pinned/INBOX"]));
    assert!(inbox.contains(&subject), "{inbox}");
}

/// `account add --sha256` pins the incoming server and the SMTP server on
/// the same host (the plain lower-case spelling is accepted), but not an
/// SMTP server elsewhere.
#[test]
fn a_pin_given_when_adding_covers_the_servers_on_that_host_only() {
    let servers = support::servers();
    let bob = servers.user("bob");
    let fingerprint = openssl_fingerprint(&servers.server_cert);
    let plain = fingerprint.replace(':', "").to_lowercase();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let (imaps, submissions) = (servers.imaps.to_string(), servers.submissions.to_string());
    let server_args = |smtp_host| {
        [
            "--imap-host",
            &servers.tls_host,
            "--imap-port",
            &imaps,
            "--smtp-host",
            smtp_host,
            "--smtp-port",
            &submissions,
            "--sha256",
            &plain,
        ]
        .map(str::to_owned)
    };

    let id = add(
        home,
        bob,
        &server_args("localhost").each_ref().map(String::as_str),
    );
    let out = support::cli::ok(cli(home, &bob.password, &["account", "test", &id]));
    assert_eq!(out.matches("\tok\n").count(), 2, "{out}");

    // Postfix's certificate is valid for 127.0.0.1 too, but not trusted
    // there: the pin was for the incoming server's host.
    let id = add(
        home,
        bob,
        &server_args("127.0.0.1").each_ref().map(String::as_str),
    );
    let refused = cli(home, &bob.password, &["account", "test", &id]);
    assert!(!refused.status.success());
    let out = stdout(&refused);
    assert!(server_block(&out, "incoming").ends_with("\tok\n"), "{out}");
    let outgoing = server_block(&out, "outgoing");
    assert!(
        outgoing.contains("  Why:         the certificate is not issued by a trusted CA"),
        "{outgoing}"
    );
    assert!(
        outgoing.contains(&format!("--outgoing --sha256 {fingerprint}")),
        "{outgoing}"
    );
}

/// A self-signed certificate and its key, made by openssl for this run
/// (`openssl req -x509`: CA:TRUE, as most self-hosted servers have).
struct SelfSigned {
    cert: PathBuf,
    key: PathBuf,
    fingerprint: String,
}

impl SelfSigned {
    /// Both get the same subject: only the key and the serial differ.
    fn make(dir: &Path, name: &str) -> Self {
        let (cert, key) = (
            dir.join(format!("{name}.pem")),
            dir.join(format!("{name}.key")),
        );
        let out = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
            .args(["ec_paramgen_curve:P-256", "-nodes", "-days", "2"])
            .args(["-subj", "/CN=poshta terminator"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .expect("run openssl");
        assert!(out.status.success(), "openssl req: {out:?}");
        let fingerprint = openssl_fingerprint(&cert);
        SelfSigned {
            cert,
            key,
            fingerprint,
        }
    }
}

/// A TLS terminator in front of Dovecot's plaintext IMAP port: a server
/// on a port of our choosing whose certificate the test picks. Dovecot
/// takes plaintext logins from 127.0.0.1 to 127.0.0.1, so a login through
/// it really reaches Dovecot.
struct Terminator {
    port: u16,
    /// Handshakes it completed.
    handshakes: Arc<AtomicUsize>,
    /// Bytes of the client's passed on to Dovecot.
    forwarded: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Terminator {
    /// Serves `identity` on `port` (0: any free port).
    async fn start(port: u16, identity: &SelfSigned) -> Terminator {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from_pem_file(&identity.cert).unwrap()],
                PrivateKeyDer::from_pem_file(&identity.key).unwrap(),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let upstream = support::servers().imap_starttls;
        let handshakes = Arc::new(AtomicUsize::new(0));
        let forwarded = Arc::new(AtomicUsize::new(0));
        let (done, passed) = (handshakes.clone(), forwarded.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (acceptor, done, passed) = (acceptor.clone(), done.clone(), passed.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(client).await else {
                        return;
                    };
                    done.fetch_add(1, Ordering::SeqCst);
                    let dovecot = TcpStream::connect(("127.0.0.1", upstream)).await.unwrap();
                    relay(tls, dovecot, passed).await;
                });
            }
        });
        Terminator {
            port,
            handshakes,
            forwarded,
            task,
        }
    }

    /// Stops listening; the port is free again once this returns.
    async fn stop(self) -> u16 {
        self.task.abort();
        let _ = self.task.await;
        self.port
    }

    fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }

    fn forwarded(&self) -> usize {
        self.forwarded.load(Ordering::SeqCst)
    }
}

/// Copies both ways until either side closes, counting the client's bytes.
async fn relay(
    client: tokio_rustls::server::TlsStream<TcpStream>,
    server: TcpStream,
    passed: Arc<AtomicUsize>,
) {
    let (mut client_read, mut client_write) = tokio::io::split(client);
    let (mut server_read, mut server_write) = server.into_split();
    let to_client = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
        let _ = client_write.shutdown().await;
    });
    let mut buf = vec![0; 16 * 1024];
    loop {
        let n = match client_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        passed.fetch_add(n, Ordering::SeqCst);
        if server_write.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = server_write.shutdown().await;
    let _ = to_client.await;
}

/// Pin certificate A, log in through it; the same host and port then
/// present B (same subject, other key): refused as a changed certificate,
/// B's fingerprint shown, and not a byte passed the handshake. Trusting B
/// works again; forgetting the pin checks B against the CAs, which
/// refuse it as self-signed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_certificate_on_the_pinned_port_is_refused_before_anything_is_sent() {
    let servers = support::servers();
    let carol = servers.user("carol");
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        SelfSigned::make(dir.path(), "a"),
        SelfSigned::make(dir.path(), "b"),
    );
    assert_ne!(a.fingerprint, b.fingerprint);
    let home = tempfile::tempdir().unwrap();
    let home = home.path();

    let terminator = Terminator::start(0, &a).await;
    let port = terminator.port.to_string();
    let id = add(
        home,
        carol,
        &[
            "--imap-host",
            "127.0.0.1",
            "--imap-port",
            &port,
            "--sha256",
            &a.fingerprint,
        ],
    );
    let out = support::cli::ok(cli(home, &carol.password, &["account", "test", &id]));
    assert_eq!(out, format!("incoming\timap 127.0.0.1:{port}\tok\n"));
    assert!(terminator.forwarded() > 0, "the login went through");

    let terminator = Terminator::start(terminator.stop().await, &b).await;
    let refused = cli(home, &carol.password, &["account", "test", &id]);
    assert!(!refused.status.success());
    let block = server_block(&stdout(&refused), "incoming");
    assert!(
        block.contains("  Why:         the certificate is not the one accepted earlier\n"),
        "{block}"
    );
    assert!(
        block.contains(&format!("  SHA-256:     {}\n", b.fingerprint)),
        "{block}"
    );
    assert!(
        block.contains("  Subject:     CN=poshta terminator\n"),
        "{block}"
    );
    assert!(
        block.contains("  Warning: this is not the certificate you trusted"),
        "{block}"
    );
    assert_eq!(
        suggested(&block),
        [
            "account",
            "trust",
            &id,
            "--incoming",
            "--sha256",
            &b.fingerprint
        ]
    );
    assert_eq!(
        terminator.handshakes(),
        0,
        "the client broke off the handshake"
    );
    assert_eq!(terminator.forwarded(), 0, "nothing reached Dovecot");
    // A sync is refused the same way.
    let sync = cli(home, &carol.password, &["sync", &id]);
    assert!(!sync.status.success());
    assert!(stderr(&sync).contains(&b.fingerprint), "{}", stderr(&sync));
    assert_eq!(terminator.forwarded(), 0, "nothing reached Dovecot");

    run_suggested(home, &block);
    let out = support::cli::ok(cli(home, &carol.password, &["account", "test", &id]));
    assert!(out.ends_with("\tok\n"), "{out}");
    assert!(terminator.forwarded() > 0, "the login went through");

    let forgot = support::cli::ok(cli(
        home,
        "",
        &["account", "trust", &id, "--incoming", "--forget"],
    ));
    assert!(forgot.contains("no certificate pinned"), "{forgot}");
    let list = support::cli::ok(cli(home, "", &["account", "list"]));
    assert!(!list.contains("pinned"), "{list}");
    let refused = cli(home, &carol.password, &["account", "test", &id]);
    assert!(!refused.status.success());
    let block = server_block(&stdout(&refused), "incoming");
    assert!(
        block.contains("  Why:         the certificate is self-signed\n"),
        "{block}"
    );
    assert!(!block.contains("Warning"), "{block}");
    terminator.stop().await;
}

/// A fingerprint that is not one is refused by name, and nothing is
/// stored: no account added, no pin set.
#[test]
fn a_malformed_fingerprint_is_refused_with_a_clear_message() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    fn add_args(sha256: &str) -> [&str; 10] {
        [
            "account",
            "add",
            "--name",
            "X",
            "--email",
            "x@example.test",
            "--imap-host",
            "mail.example.test",
            "--sha256",
            sha256,
        ]
    }
    let good = "AB:".repeat(31) + "AB";
    let cases = [
        ("AB:CD", "64 hex digits, this has 4"),
        ("", "64 hex digits, this has 0"),
        (
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
            "'g' is not a hex digit",
        ),
        (
            "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01",
            "this has 40",
        ),
        (
            "ABCD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB",
            "colons go between every pair",
        ),
    ];
    for (bad, why) in cases {
        let out = cli(home, "", &add_args(bad));
        assert!(!out.status.success(), "{bad:?} accepted");
        let err = stderr(&out);
        assert!(err.contains("not a SHA-256 fingerprint"), "{bad:?}: {err}");
        assert!(err.contains(why), "{bad:?}: {err}");
    }
    let list = support::cli::ok(cli(home, "", &["account", "list"]));
    assert_eq!(list.lines().count(), 1, "only Local Folders: {list}");

    let id = support::cli::ok(cli(home, "", &add_args(&good)));
    let id = id.trim();
    for (bad, why) in cases {
        let out = cli(
            home,
            "",
            &["account", "trust", id, "--incoming", "--sha256", bad],
        );
        assert!(!out.status.success(), "{bad:?} accepted");
        assert!(stderr(&out).contains(why), "{bad:?}: {}", stderr(&out));
    }
    let list = support::cli::ok(cli(home, "", &["account", "list"]));
    assert!(
        list.contains("(tls, pinned)"),
        "the first pin stays: {list}"
    );

    // One server and one decision, always said.
    for args in [
        vec!["account", "trust", id, "--sha256", &good],
        vec!["account", "trust", id, "--incoming"],
        vec![
            "account",
            "trust",
            id,
            "--incoming",
            "--outgoing",
            "--forget",
        ],
        vec![
            "account",
            "trust",
            id,
            "--incoming",
            "--forget",
            "--sha256",
            &good,
        ],
    ] {
        let out = cli(home, "", &args);
        assert!(!out.status.success(), "{args:?} accepted");
    }
    // The account has no SMTP server to pin.
    let out = cli(
        home,
        "",
        &["account", "trust", id, "--outgoing", "--sha256", &good],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("server not found"),
        "{}",
        stderr(&out)
    );
}

/// Polls `account`'s live status until `want` holds; panics after 30 s.
async fn until_status(
    service: &Service,
    account: AccountId,
    want: impl Fn(&AccountStatus) -> bool,
) -> AccountStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = service.status(account);
        if want(&status) {
            return status;
        }
        assert!(Instant::now() < deadline, "still {status:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The library's side: each protocol's refusal carries the certificate,
/// a pin brings a live account online at once, and a pin that no longer
/// matches stops it with its own kind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_reports_the_certificate_and_a_pin_takes_effect_at_once() {
    let servers = support::servers();
    let expected = bytes_of(&openssl_fingerprint(&servers.server_cert));
    let home = tempfile::tempdir().unwrap();
    let service = Service::load(home.path().to_path_buf()).await.unwrap();
    let untrusted = |protocol, port, user: &support::User| {
        let mut server = support::server(protocol, port, Security::Tls, user);
        server.extra_ca_pem = None;
        server
    };
    let mut accounts = Vec::new();
    for (protocol, port, user) in [
        (Protocol::Imap, servers.imaps, servers.user("pop9")),
        (Protocol::Pop3, servers.pop3s, servers.user("pop10")),
    ] {
        let account = service
            .add_account(NewAccount {
                name: protocol.as_str().into(),
                email: user.address.clone(),
                incoming: untrusted(protocol, port, user),
                outgoing: Some(untrusted(Protocol::Smtp, servers.submissions, user)),
            })
            .await
            .unwrap();
        service.set_password(account, user.password.clone());
        let test = service.test_account(account).await.unwrap();
        let outgoing = test.outgoing.expect("an SMTP server");
        for (what, error) in [("incoming", test.incoming), ("outgoing", outgoing)] {
            let error = error.expect_err("an untrusted certificate");
            let certificate = error
                .rejected_certificate()
                .unwrap_or_else(|| panic!("{protocol:?} {what}: {error:?}"));
            assert_eq!(certificate.reason, CertificateProblem::UnknownIssuer);
            assert_eq!(certificate.fingerprint_sha256, expected, "{what}");
            assert_eq!(error.kind(), ErrorKind::Certificate, "{what}");
        }
        accounts.push(account);
    }

    // The IMAP account goes live and stops at the certificate, waiting for
    // the user; pinning it brings it online without being asked again.
    let imap = accounts[0];
    service.go_online(imap).await.unwrap();
    let stopped = until_status(&service, imap, |s| matches!(s, AccountStatus::Error { .. })).await;
    assert!(
        matches!(
            stopped,
            AccountStatus::Error {
                kind: ErrorKind::Certificate,
                retry_in: None,
                ..
            }
        ),
        "{stopped:?}"
    );
    service
        .pin_certificate(imap, Direction::Incoming, Some(expected))
        .await
        .unwrap();
    until_status(&service, imap, |s| {
        matches!(s, AccountStatus::Online { .. })
    })
    .await;

    // Another pin in its place: the connection made under the old one
    // ends, and the new one fails as a changed certificate.
    service
        .pin_certificate(imap, Direction::Incoming, Some([0x5A; 32]))
        .await
        .unwrap();
    let changed = until_status(&service, imap, |s| {
        !matches!(
            s,
            AccountStatus::Online { .. } | AccountStatus::Connecting | AccountStatus::Offline
        )
    })
    .await;
    assert!(
        matches!(
            changed,
            AccountStatus::Error {
                kind: ErrorKind::CertificateChanged,
                retry_in: None,
                ..
            }
        ),
        "{changed:?}"
    );
    let test = service.test_account(imap).await.unwrap();
    let error = test.incoming.expect_err("a pin for another certificate");
    assert_eq!(error.kind(), ErrorKind::CertificateChanged);
    assert_eq!(
        error.rejected_certificate().map(|c| c.fingerprint_sha256),
        Some(expected)
    );
    service.stop(imap).await;

    // Both servers of the POP3 account pinned: both log in.
    let pop3 = accounts[1];
    for direction in [Direction::Incoming, Direction::Outgoing] {
        service
            .pin_certificate(pop3, direction, Some(expected))
            .await
            .unwrap();
    }
    let test = service.test_account(pop3).await.unwrap();
    test.incoming.expect("POP3 over the pinned certificate");
    test.outgoing
        .expect("an SMTP server")
        .expect("SMTP over the pinned certificate");
}

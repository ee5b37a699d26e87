//! `imap::connect` against a real Dovecot (tests/servers) and against the
//! scripted hostile server tests/servers/hostile_imap.py.
//!
//! "No credentials sent" is checked on the bytes the server received: the
//! hostile server logs every byte, and Dovecot is reached through a small
//! recording proxy where the test needs to see the wire.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use poshta::imap::connect::{
    self, ConnectError, Endpoint, SYNC_EXTENSIONS, Security, Session, Timeouts,
};
use poshta::net::tls::{CertificateProblem, TlsError, Trust};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(10),
        greeting: Duration::from_secs(10),
        command: Duration::from_secs(20),
    }
}

/// A value from the servers' `env` file (paths start.sh does not expose
/// through `support::Servers`).
fn env_value(key: &str) -> String {
    let path = support::servers().dir.join("env");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{key}=")))
        .map(|value| value.trim_matches('\'').to_owned())
        .unwrap_or_else(|| panic!("{key} not in {path:?}"))
}

fn server_cert() -> PathBuf {
    env_value("SERVER_CERT").into()
}

fn server_key() -> PathBuf {
    env_value("SERVER_KEY").into()
}

/// SHA-256 of a PEM certificate's DER, computed by openssl (independently
/// of the code under test).
fn openssl_fingerprint(pem: &Path) -> [u8; 32] {
    let output = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(pem)
        .output()
        .expect("run openssl");
    assert!(output.status.success(), "openssl x509 failed: {output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let hex = text.trim().rsplit('=').next().unwrap();
    let bytes: Vec<u8> = hex
        .split(':')
        .map(|pair| u8::from_str_radix(pair, 16).unwrap())
        .collect();
    bytes
        .try_into()
        .unwrap_or_else(|b| panic!("bad fingerprint {b:?}"))
}

fn ca_trust() -> Trust {
    Trust {
        extra_ca_pem: Some(support::servers().ca_pem_bytes()),
        pinned_sha256: None,
    }
}

fn pin(fingerprint: [u8; 32]) -> Trust {
    Trust {
        extra_ca_pem: None,
        pinned_sha256: Some(fingerprint),
    }
}

fn endpoint(host: &str, port: u16, security: Security, trust: Trust) -> Endpoint {
    Endpoint {
        trust,
        ..Endpoint::new(host, port, security)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    support::contains(haystack, needle)
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .to_ascii_uppercase()
        .windows(needle.len())
        .any(|w| w == needle.to_ascii_uppercase())
}

/// Standard padded base64, to look for SASL PLAIN credentials on the wire
/// and in logs.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn sasl_plain(user: &str, password: &str) -> String {
    base64(format!("\0{user}\0{password}").as_bytes())
}

/// Asserts that `bytes` carry no login attempt and none of the secrets.
fn assert_no_credentials(bytes: &[u8], user: &str, password: &str) {
    let shown = String::from_utf8_lossy(bytes);
    for needle in [
        password.as_bytes(),
        sasl_plain(user, password).as_bytes(),
        b" LOGIN ",
        b" AUTHENTICATE ",
    ] {
        assert!(
            !contains_ignore_case(bytes, needle),
            "found {:?} in {shown:?}",
            String::from_utf8_lossy(needle)
        );
    }
}

async fn list_names(session: &mut Session) -> Vec<String> {
    session
        .list(Some(""), Some("*"))
        .await
        .expect("LIST")
        .map_ok(|name| name.name().to_owned())
        .try_collect()
        .await
        .expect("LIST responses")
}

// --- recording proxy ----------------------------------------------------------

/// Forwards one connection to `upstream`, recording what the client sent.
struct Proxy {
    port: u16,
    sent: Arc<Mutex<Vec<u8>>>,
    client_side: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(host: &str, port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let local = listener.local_addr().unwrap().port();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&sent);
        let upstream_addr = (host.to_owned(), port);
        let client_side = tokio::spawn(async move {
            let (client, _) = listener.accept().await.unwrap();
            let upstream = TcpStream::connect(upstream_addr).await.unwrap();
            let (mut client_read, mut client_write) = client.into_split();
            let (mut upstream_read, mut upstream_write) = upstream.into_split();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut upstream_read, &mut client_write).await;
                let _ = client_write.shutdown().await;
            });
            let mut buf = vec![0; 16384];
            loop {
                match client_read.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        record.lock().unwrap().extend_from_slice(&buf[..n]);
                        if upstream_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                }
            }
            let _ = upstream_write.shutdown().await;
        });
        Proxy {
            port: local,
            sent,
            client_side,
        }
    }

    /// Everything the client sent, once it has closed its side.
    async fn client_bytes(self) -> Vec<u8> {
        tokio::time::timeout(Duration::from_secs(10), self.client_side)
            .await
            .expect("client did not close the proxied connection")
            .unwrap();
        self.sent.lock().unwrap().clone()
    }
}

// --- hostile server -------------------------------------------------------------

const HOSTILE_USER: &str = "hostile-user";
const HOSTILE_PASSWORD: &str = "hostile-Pw-3k9";

struct Hostile {
    child: Child,
    port: u16,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl Hostile {
    /// Runs `scenario` with the test servers' certificate (signed by the
    /// test CA, valid for 127.0.0.1).
    fn start(scenario: &str) -> Hostile {
        Self::start_with(scenario, &server_cert(), &server_key(), &[])
    }

    fn start_with(scenario: &str, cert: &Path, key: &Path, extra: &[&str]) -> Hostile {
        let dir = tempfile::tempdir().unwrap();
        let port_file = dir.path().join("port");
        let log = dir.path().join("log");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/hostile_imap.py");
        let child = Command::new("python3")
            .arg(script)
            .arg(scenario)
            .arg("--port-file")
            .arg(&port_file)
            .arg("--cert")
            .arg(cert)
            .arg("--key")
            .arg(key)
            .arg("--log")
            .arg(&log)
            .args(["--user", HOSTILE_USER, "--password", HOSTILE_PASSWORD])
            .args(["--lifetime", "120"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap())
            .spawn()
            .expect("start python3 tests/servers/hostile_imap.py");
        let deadline = Instant::now() + Duration::from_secs(15);
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file)
                && let Ok(port) = text.trim().parse()
            {
                break port;
            }
            assert!(Instant::now() < deadline, "hostile server did not start");
            std::thread::sleep(Duration::from_millis(20));
        };
        Hostile {
            child,
            port,
            log,
            dir,
        }
    }

    fn endpoint(&self, security: Security) -> Endpoint {
        endpoint("127.0.0.1", self.port, security, ca_trust())
    }

    /// The server's log once it has seen the (first) connection end.
    async fn log_when_closed(&self) -> Vec<u8> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let log = std::fs::read(&self.log).unwrap_or_default();
            if contains(&log, b"\n--- closed ---\n") {
                return log;
            }
            assert!(
                Instant::now() < deadline,
                "hostile server never saw the connection close: {:?}\n{}",
                String::from_utf8_lossy(&log),
                std::fs::read_to_string(self.dir.path().join("stderr")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// What the client sent before TLS on the first connection.
    async fn plaintext_sent(&self) -> Vec<u8> {
        let log = self.log_when_closed().await;
        let start = b"\n--- connection ---\n";
        let at = log
            .windows(start.len())
            .position(|w| w == start)
            .expect("no connection in the log")
            + start.len();
        let rest = &log[at..];
        let end = rest
            .windows(5)
            .position(|w| w == b"\n--- ")
            .unwrap_or(rest.len());
        rest[..end].to_vec()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// --- Dovecot ------------------------------------------------------------------

/// Implicit TLS with the test CA: login, LIST, ENABLE; and the connection
/// reports the fingerprint of the certificate it verified.
#[tokio::test]
async fn implicit_tls_login_list_and_enable() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let endpoint = endpoint(&servers.tls_host, servers.imaps, Security::Tls, ca_trust());
    let conn = connect::connect(&endpoint, &timeouts())
        .await
        .expect("connect");
    assert!(conn.capabilities().has("IMAP4rev1"), "{conn:?}");
    assert!(conn.capabilities().has_auth("PLAIN"), "{conn:?}");
    assert!(!conn.is_preauthenticated());
    assert_eq!(
        conn.peer_certificate_sha256(),
        Some(openssl_fingerprint(&server_cert()))
    );

    let mut session = connect::login(conn, alice.login(), &alice.password)
        .await
        .expect("login");
    let names = list_names(&mut session).await;
    assert!(names.iter().any(|n| n == "INBOX"), "{names:?}");
    assert!(names.iter().any(|n| n == "Sent"), "{names:?}");

    let enabled = connect::enable_extensions(&mut session, SYNC_EXTENSIONS, &timeouts())
        .await
        .expect("ENABLE");
    assert!(
        enabled.has("CONDSTORE") || enabled.has("QRESYNC"),
        "{enabled:?}"
    );
    session.logout().await.expect("LOGOUT");
}

/// Reads the plaintext capabilities of `host:port` by hand.
async fn plaintext_capabilities(host: &str, port: u16) -> String {
    let mut tcp = TcpStream::connect((host, port)).await.unwrap();
    tcp.write_all(b"x CAPABILITY\r\nx LOGOUT\r\n")
        .await
        .unwrap();
    let mut all = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut all))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&all).into_owned();
    text.lines()
        .find(|l| l.starts_with("* CAPABILITY "))
        .unwrap_or_else(|| panic!("no CAPABILITY in {text:?}"))
        .to_owned()
}

/// STARTTLS on the "remote" address, where Dovecot refuses plaintext
/// logins: the capabilities used are the post-TLS ones (no LOGINDISABLED,
/// AUTH=PLAIN present), login works, and on the wire the only plaintext the
/// client sent was CAPABILITY and STARTTLS.
#[tokio::test]
async fn starttls_uses_only_post_tls_capabilities() {
    let servers = support::servers();
    let bob = servers.user("bob");

    let before = plaintext_capabilities(&servers.remote_host, servers.imap_starttls).await;
    assert!(before.contains("STARTTLS"), "{before}");
    assert!(before.contains("LOGINDISABLED"), "{before}");
    assert!(!before.contains("AUTH=PLAIN"), "{before}");

    let proxy = Proxy::start(&servers.remote_host, servers.imap_starttls).await;
    let endpoint = endpoint("127.0.0.1", proxy.port, Security::StartTls, ca_trust());
    let conn = connect::connect(&endpoint, &timeouts())
        .await
        .expect("connect");
    let caps = conn.capabilities().clone();
    assert!(!caps.has("LOGINDISABLED"), "{caps:?}");
    assert!(!caps.has("STARTTLS"), "{caps:?}");
    assert!(caps.has_auth("PLAIN"), "{caps:?}");

    let mut session = connect::login(conn, bob.login(), &bob.password)
        .await
        .expect("login after STARTTLS");
    let names = list_names(&mut session).await;
    assert!(names.iter().any(|n| n == "INBOX"), "{names:?}");
    session.logout().await.expect("LOGOUT");
    drop(session);

    let wire = proxy.client_bytes().await;
    let plain = b"A1 CAPABILITY\r\nA2 STARTTLS\r\n";
    assert!(
        wire.starts_with(plain),
        "{:?}",
        String::from_utf8_lossy(&wire)
    );
    // Then a TLS handshake record, and nothing readable.
    assert_eq!(
        wire.get(plain.len()),
        Some(&0x16),
        "no ClientHello after STARTTLS"
    );
    assert_no_credentials(&wire, bob.login(), &bob.password);
}

/// Plaintext to the "remote" address: Dovecot advertises LOGINDISABLED, so
/// login fails typed, and the wire shows nothing but CAPABILITY.
#[tokio::test]
async fn plain_connection_with_logindisabled_sends_no_credentials() {
    let servers = support::servers();
    let bob = servers.user("bob");
    let proxy = Proxy::start(&servers.remote_host, servers.imap_starttls).await;
    let endpoint = endpoint("127.0.0.1", proxy.port, Security::Plain, Trust::default());
    let conn = connect::connect(&endpoint, &timeouts())
        .await
        .expect("connect");
    assert!(conn.capabilities().has("LOGINDISABLED"), "{conn:?}");
    assert_eq!(conn.peer_certificate_sha256(), None);

    let err = connect::login(conn, bob.login(), &bob.password)
        .await
        .map(|_| ())
        .expect_err("login without TLS succeeded");
    assert!(matches!(err, ConnectError::LoginDisabled), "{err:?}");

    let wire = proxy.client_bytes().await;
    assert_eq!(
        wire,
        b"C1 CAPABILITY\r\n",
        "{:?}",
        String::from_utf8_lossy(&wire)
    );
}

/// Without the test CA the certificate fails with UnknownIssuer, and the
/// error carries the SHA-256 of exactly the certificate Dovecot serves.
/// Pinning that fingerprint then connects and logs in without the CA.
#[tokio::test]
async fn untrusted_certificate_offers_its_fingerprint_and_pinning_it_works() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let expected = openssl_fingerprint(&server_cert());

    let untrusted = endpoint(
        &servers.tls_host,
        servers.imaps,
        Security::Tls,
        Trust::default(),
    );
    let err = connect::connect(&untrusted, &timeouts())
        .await
        .map(|_| ())
        .expect_err("connected with an untrusted certificate");
    let rejected = err
        .rejected_certificate()
        .unwrap_or_else(|| panic!("not a certificate error: {err:?}"));
    assert_eq!(rejected.reason, CertificateProblem::UnknownIssuer, "{err}");
    assert_eq!(rejected.fingerprint_sha256, expected);
    assert_eq!(rejected.subject.as_deref(), Some("CN=localhost"));
    assert!(
        rejected
            .issuer
            .as_deref()
            .is_some_and(|i| i.starts_with("CN=poshta test CA")),
        "{rejected:?}"
    );
    assert!(rejected.not_after.is_some(), "{rejected:?}");
    assert!(
        err.to_string().contains(&rejected.fingerprint_hex()),
        "{err}"
    );

    // The user accepts what was shown: pin it, trust no CA.
    let pinned = endpoint(
        &servers.tls_host,
        servers.imaps,
        Security::Tls,
        pin(rejected.fingerprint_sha256),
    );
    let conn = connect::connect(&pinned, &timeouts())
        .await
        .expect("pinned connect");
    assert_eq!(conn.peer_certificate_sha256(), Some(expected));
    let mut session = connect::login(conn, alice.login(), &alice.password)
        .await
        .expect("login over pinned TLS");
    session.noop().await.expect("NOOP");
    session.logout().await.expect("LOGOUT");

    // The same pin over STARTTLS on the other port.
    let starttls = endpoint(
        &servers.remote_host,
        servers.imap_starttls,
        Security::StartTls,
        pin(expected),
    );
    let conn = connect::connect(&starttls, &timeouts())
        .await
        .expect("pinned STARTTLS");
    assert!(conn.capabilities().has_auth("PLAIN"), "{conn:?}");
}

/// A pin for another certificate fails with PinMismatch even though the
/// server's certificate would verify against the CA; the error still shows
/// the certificate actually presented.
#[tokio::test]
async fn different_pin_is_a_pin_mismatch() {
    let servers = support::servers();
    let ca_fingerprint = openssl_fingerprint(&servers.ca_pem);
    let trust = Trust {
        extra_ca_pem: Some(servers.ca_pem_bytes()),
        pinned_sha256: Some(ca_fingerprint),
    };
    for (host, port, security) in [
        (&servers.tls_host, servers.imaps, Security::Tls),
        (
            &servers.remote_host,
            servers.imap_starttls,
            Security::StartTls,
        ),
    ] {
        let endpoint = endpoint(host, port, security, trust.clone());
        let err = connect::connect(&endpoint, &timeouts())
            .await
            .map(|_| ())
            .expect_err("connected despite a pin for another certificate");
        let rejected = err
            .rejected_certificate()
            .unwrap_or_else(|| panic!("{security:?}: {err:?}"));
        assert_eq!(rejected.reason, CertificateProblem::PinMismatch);
        assert_eq!(
            rejected.fingerprint_sha256,
            openssl_fingerprint(&server_cert())
        );
    }
}

/// Connect to 127.0.0.1 but require the certificate to be valid for
/// wronghost.test: NotValidForName, over implicit TLS and STARTTLS.
#[tokio::test]
async fn wrong_host_name_fails_closed() {
    let servers = support::servers();
    for (port, security) in [
        (servers.imaps, Security::Tls),
        (servers.imap_starttls, Security::StartTls),
    ] {
        let mut endpoint = endpoint(&servers.host, port, security, ca_trust());
        endpoint.tls_name = Some("wronghost.test".to_owned());
        let err = connect::connect(&endpoint, &timeouts())
            .await
            .map(|_| ())
            .expect_err("connected for a name the certificate does not carry");
        let rejected = err
            .rejected_certificate()
            .unwrap_or_else(|| panic!("{security:?}: {err:?}"));
        assert_eq!(
            rejected.reason,
            CertificateProblem::NotValidForName,
            "{security:?}"
        );
    }
}

/// STARTTLS to a server whose certificate is not trusted: the handshake
/// fails and the wire shows no credentials.
#[tokio::test]
async fn starttls_with_untrusted_certificate_sends_no_credentials() {
    let servers = support::servers();
    let bob = servers.user("bob");
    let proxy = Proxy::start(&servers.remote_host, servers.imap_starttls).await;
    let endpoint = endpoint(
        "127.0.0.1",
        proxy.port,
        Security::StartTls,
        Trust::default(),
    );
    let err = connect::connect(&endpoint, &timeouts())
        .await
        .map(|_| ())
        .expect_err("STARTTLS with an untrusted certificate");
    assert_eq!(
        err.rejected_certificate().map(|c| &c.reason),
        Some(&CertificateProblem::UnknownIssuer),
        "{err:?}"
    );
    let wire = proxy.client_bytes().await;
    assert_no_credentials(&wire, bob.login(), &bob.password);
}

#[tokio::test]
async fn wrong_password_is_a_typed_failure_without_the_password() {
    let servers = support::servers();
    let bob = servers.user("bob");
    let endpoint = endpoint(&servers.tls_host, servers.imaps, Security::Tls, ca_trust());
    let conn = connect::connect(&endpoint, &timeouts())
        .await
        .expect("connect");
    let wrong = "wrong-Pw-5z8q1";
    let err = connect::login(conn, bob.login(), wrong)
        .await
        .map(|_| ())
        .expect_err("wrong password accepted");
    assert!(matches!(err, ConnectError::AuthFailed { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(wrong), "{err:?}");
}

#[tokio::test]
async fn credentials_with_line_breaks_are_refused_before_sending() {
    let servers = support::servers();
    let bob = servers.user("bob");
    let endpoint = endpoint(&servers.tls_host, servers.imaps, Security::Tls, ca_trust());
    for password in ["a\r\nA2 DELETE INBOX", "a\nb", "a\0b"] {
        let conn = connect::connect(&endpoint, &timeouts())
            .await
            .expect("connect");
        let err = connect::login(conn, bob.login(), password)
            .await
            .map(|_| ())
            .expect_err("password with CR/LF/NUL accepted");
        assert!(matches!(err, ConnectError::InvalidCredentials), "{err:?}");
    }
}

// --- trace logs -------------------------------------------------------------------

/// Collects everything the process logs (tracing and, through tracing-log,
/// the `log` records of async-imap).
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

fn trace_capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(capture.clone())
            .try_init()
            .expect("install the capturing subscriber");
        capture
    })
}

/// async-imap logs every command it encodes at trace level. With trace
/// logging on, neither AUTHENTICATE PLAIN (Dovecot) nor LOGIN (hostile
/// server without AUTH=PLAIN) may put the user's secrets in the log: only
/// the placeholders appear, which also proves the capture sees those lines.
#[tokio::test]
async fn credentials_never_reach_trace_logs() {
    let capture = trace_capture();
    let servers = support::servers();
    let carol = servers.user("carol");

    let endpoint = endpoint(&servers.tls_host, servers.imaps, Security::Tls, ca_trust());
    let conn = connect::connect(&endpoint, &timeouts())
        .await
        .expect("connect");
    let mut session = connect::login(conn, carol.login(), &carol.password)
        .await
        .expect("AUTHENTICATE PLAIN");
    session.logout().await.expect("LOGOUT");

    let hostile = Hostile::start("login-only");
    let conn = connect::connect(&hostile.endpoint(Security::StartTls), &timeouts())
        .await
        .expect("connect");
    assert!(!conn.capabilities().has_auth("PLAIN"), "{conn:?}");
    let mut session = connect::login(conn, HOSTILE_USER, HOSTILE_PASSWORD)
        .await
        .expect("LOGIN with the right password");
    session.logout().await.expect("LOGOUT");
    drop(session);
    // The server did get the real password, after TLS.
    let log = hostile.log_when_closed().await;
    assert!(contains(&log, HOSTILE_PASSWORD.as_bytes()));
    assert_eq!(
        hostile.plaintext_sent().await,
        b"A1 CAPABILITY\r\nA2 STARTTLS\r\n"
    );

    let logs = capture.0.lock().unwrap().clone();
    for (user, password) in [
        (carol.login(), carol.password.as_str()),
        (HOSTILE_USER, HOSTILE_PASSWORD),
    ] {
        assert!(
            !contains(&logs, password.as_bytes()),
            "{password} in the logs"
        );
        assert!(!contains(&logs, sasl_plain(user, password).as_bytes()));
    }
    let placeholder_plain = sasl_plain("[user withheld]", "[password withheld]");
    assert!(
        contains(&logs, placeholder_plain.as_bytes()),
        "AUTHENTICATE response not in the trace log: is async-imap tracing captured?"
    );
    assert!(
        contains(&logs, b"[password withheld]"),
        "LOGIN not in the trace log"
    );
}

// --- hostile server ---------------------------------------------------------------

async fn connect_err(endpoint: &Endpoint) -> ConnectError {
    connect::connect(endpoint, &timeouts())
        .await
        .map(|_| ())
        .expect_err("connected to a hostile server")
}

/// Reliability test 1: no STARTTLS offered → abort after CAPABILITY.
#[tokio::test]
async fn hostile_no_starttls() {
    let hostile = Hostile::start("no-starttls");
    let err = connect_err(&hostile.endpoint(Security::StartTls)).await;
    assert!(matches!(err, ConnectError::StartTlsUnavailable), "{err:?}");
    assert_eq!(hostile.plaintext_sent().await, b"A1 CAPABILITY\r\n");
    assert_no_credentials(
        &hostile.log_when_closed().await,
        HOSTILE_USER,
        HOSTILE_PASSWORD,
    );
}

/// Reliability test 2: STARTTLS refused → one attempt, no fallback.
#[tokio::test]
async fn hostile_starttls_refused() {
    let hostile = Hostile::start("starttls-refused");
    let err = connect_err(&hostile.endpoint(Security::StartTls)).await;
    assert!(matches!(err, ConnectError::StartTlsRefused), "{err:?}");
    assert_eq!(
        hostile.plaintext_sent().await,
        b"A1 CAPABILITY\r\nA2 STARTTLS\r\n"
    );
    assert_no_credentials(
        &hostile.log_when_closed().await,
        HOSTILE_USER,
        HOSTILE_PASSWORD,
    );
}

/// Reliability test 3: responses injected behind the STARTTLS OK in one
/// segment → abort before the handshake (not even a ClientHello is sent).
#[tokio::test]
async fn hostile_starttls_injection() {
    let hostile = Hostile::start("starttls-injection");
    let err = connect_err(&hostile.endpoint(Security::StartTls)).await;
    assert!(matches!(err, ConnectError::StartTlsInjection), "{err:?}");
    let log = hostile.log_when_closed().await;
    assert_eq!(
        hostile.plaintext_sent().await,
        b"A1 CAPABILITY\r\nA2 STARTTLS\r\n"
    );
    assert!(!contains(&log, b"--- tls ---"));
    assert_no_credentials(&log, HOSTILE_USER, HOSTILE_PASSWORD);
}

/// The same injection arriving after the OK (a later segment): the bytes
/// are never read as IMAP; rustls takes them for TLS records and the
/// handshake fails.
#[tokio::test]
async fn hostile_starttls_injection_in_a_later_segment() {
    let hostile = Hostile::start("starttls-injection-split");
    let err = connect_err(&hostile.endpoint(Security::StartTls)).await;
    assert!(
        matches!(err, ConnectError::Tls(TlsError::Handshake { .. })),
        "{err:?}"
    );
    assert_no_credentials(
        &hostile.log_when_closed().await,
        HOSTILE_USER,
        HOSTILE_PASSWORD,
    );
}

/// Reliability tests 4 and 5: untagged LIST/EXISTS/FETCH and different
/// capabilities before TLS leave no trace: the capabilities are the
/// post-TLS ones, LIST shows only the real INBOX, nothing is queued as
/// unsolicited data.
#[tokio::test]
async fn hostile_untagged_data_before_tls_is_ignored() {
    let hostile = Hostile::start("pre-auth-untagged");
    let conn = connect::connect(&hostile.endpoint(Security::StartTls), &timeouts())
        .await
        .expect("connect");
    let caps = conn.capabilities();
    assert!(caps.has("X-POST-TLS"), "{caps:?}");
    assert!(
        !caps.has("X-PRE-TLS") && !caps.has("X-GM-EXT-1"),
        "{caps:?}"
    );
    let mut session = connect::login(conn, HOSTILE_USER, HOSTILE_PASSWORD)
        .await
        .expect("login");
    assert_eq!(list_names(&mut session).await, ["INBOX"]);
    assert!(
        session.unsolicited_responses.try_recv().is_err(),
        "pre-TLS data leaked into the session"
    );
    session.logout().await.expect("LOGOUT");
    drop(session);
    assert_eq!(
        hostile.plaintext_sent().await,
        b"A1 CAPABILITY\r\nA2 STARTTLS\r\n"
    );
}

/// Reliability test 6: PREAUTH on a STARTTLS account → error, nothing sent.
#[tokio::test]
async fn hostile_preauth_on_starttls() {
    let hostile = Hostile::start("preauth");
    let err = connect_err(&hostile.endpoint(Security::StartTls)).await;
    assert!(matches!(err, ConnectError::PreauthWithoutTls), "{err:?}");
    assert_eq!(hostile.plaintext_sent().await, b"");
}

/// Reliability test 7: a plaintext BYE with an ALERT → generic error, the
/// alert text appears nowhere; nothing sent.
#[tokio::test]
async fn hostile_bye_greeting() {
    let hostile = Hostile::start("bye-greeting");
    let err = connect_err(&hostile.endpoint(Security::StartTls)).await;
    assert!(matches!(err, ConnectError::Bye), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("555-0100"));
    assert_eq!(hostile.plaintext_sent().await, b"");
}

/// Reliability test 7: a plaintext `* OK [ALERT] ...` greeting is not
/// surfaced; the connection proceeds normally over TLS.
#[tokio::test]
async fn hostile_alert_greeting_is_not_surfaced() {
    let hostile = Hostile::start("alert-greeting");
    let conn = connect::connect(&hostile.endpoint(Security::StartTls), &timeouts())
        .await
        .expect("connect");
    assert!(!format!("{conn:?}").contains("555-0100"), "{conn:?}");
    let mut session = connect::login(conn, HOSTILE_USER, HOSTILE_PASSWORD)
        .await
        .expect("login");
    session.logout().await.expect("LOGOUT");
}

/// Reliability test 8: a garbage greeting → closed without sending a byte.
#[tokio::test]
async fn hostile_garbage_greeting() {
    for security in [Security::StartTls, Security::Plain] {
        let hostile = Hostile::start("garbage-greeting");
        let err = connect_err(&hostile.endpoint(security)).await;
        assert!(
            matches!(err, ConnectError::BadGreeting),
            "{security:?}: {err:?}"
        );
        assert_eq!(hostile.plaintext_sent().await, b"", "{security:?}");
    }
}

/// Greeting checks apply over implicit TLS too; PREAUTH there is accepted
/// and reported, but cannot be turned into a session by logging in.
#[tokio::test]
async fn hostile_implicit_tls_greetings() {
    let cert = server_cert();
    let key = server_key();
    for (scenario, check) in [
        (
            "garbage-greeting",
            (|e: &ConnectError| matches!(e, ConnectError::BadGreeting))
                as fn(&ConnectError) -> bool,
        ),
        ("bye-greeting", |e| matches!(e, ConnectError::Bye)),
    ] {
        let hostile = Hostile::start_with(scenario, &cert, &key, &["--implicit"]);
        let err = connect_err(&hostile.endpoint(Security::Tls)).await;
        assert!(check(&err), "{scenario}: {err:?}");
        let log = hostile.log_when_closed().await;
        let tls_part = &log[log.windows(12).position(|w| w == b"--- tls ---\n").unwrap() + 12..];
        assert!(
            tls_part.starts_with(b"\n--- closed ---"),
            "{scenario}: client sent {tls_part:?}"
        );
    }

    let hostile = Hostile::start_with("preauth", &cert, &key, &["--implicit"]);
    let conn = connect::connect(&hostile.endpoint(Security::Tls), &timeouts())
        .await
        .expect("PREAUTH over TLS");
    assert!(conn.is_preauthenticated());
    let err = connect::login(conn, HOSTILE_USER, HOSTILE_PASSWORD)
        .await
        .map(|_| ())
        .expect_err("login on a PREAUTH connection");
    assert!(matches!(err, ConnectError::AlreadyAuthenticated), "{err:?}");
}

/// Reliability test 12: a server that speaks only TLS 1.0/1.1 is refused.
#[tokio::test]
async fn hostile_old_tls_versions_are_refused() {
    let hostile = Hostile::start("tls-old");
    let err = connect_err(&hostile.endpoint(Security::StartTls)).await;
    assert!(
        matches!(err, ConnectError::Tls(TlsError::Handshake { .. })),
        "{err:?}"
    );
    assert_no_credentials(
        &hostile.log_when_closed().await,
        HOSTILE_USER,
        HOSTILE_PASSWORD,
    );
}

/// Makes a certificate with openssl in `dir`; `ca` signs it, else it is
/// self-signed with `CA:TRUE` (the `openssl req -x509` default).
fn make_cert(
    dir: &Path,
    name: &str,
    subject: &str,
    ca: Option<(&Path, &Path)>,
    days: &str,
) -> (PathBuf, PathBuf) {
    let cert = dir.join(format!("{name}.pem"));
    let key = dir.join(format!("{name}.key"));
    let run = |command: &mut Command| {
        let output = command.output().expect("run openssl");
        assert!(output.status.success(), "{command:?}: {output:?}");
    };
    let ext = dir.join(format!("{name}.ext"));
    std::fs::write(&ext, "subjectAltName=IP:127.0.0.1\n").unwrap();
    match ca {
        None => run(Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
            ])
            .args([
                "-days",
                days,
                "-subj",
                subject,
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)),
        Some((ca_cert, ca_key)) => {
            let csr = dir.join(format!("{name}.csr"));
            run(Command::new("openssl")
                .args([
                    "req",
                    "-new",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-nodes",
                ])
                .args(["-subj", subject])
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&csr));
            run(Command::new("openssl")
                .args(["x509", "-req", "-days", days, "-set_serial", "7"])
                .arg("-in")
                .arg(&csr)
                .arg("-CA")
                .arg(ca_cert)
                .arg("-CAkey")
                .arg(ca_key)
                .arg("-extfile")
                .arg(&ext)
                .arg("-out")
                .arg(&cert));
        }
    }
    (cert, key)
}

/// Reliability tests 9–11 with generated certificates: a self-signed
/// `CA:TRUE` certificate fails as SelfSigned with its fingerprint; pinned,
/// it works; another key under the same subject fails the pin; an expired
/// certificate from the trusted CA fails as Expired. Never any credentials.
#[tokio::test]
async fn hostile_self_signed_pinned_and_expired_certificates() {
    let servers = support::servers();
    let dir = tempfile::tempdir().unwrap();
    let subject = "/CN=hostile self-signed";
    let (cert, key) = make_cert(dir.path(), "self", subject, None, "2");
    let (other_cert, other_key) = make_cert(dir.path(), "other", subject, None, "2");
    let fingerprint = openssl_fingerprint(&cert);

    let hostile = Hostile::start_with("good", &cert, &key, &[]);
    let err = connect_err(&hostile.endpoint(Security::StartTls)).await;
    let rejected = err
        .rejected_certificate()
        .unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(rejected.reason, CertificateProblem::SelfSigned);
    assert_eq!(rejected.fingerprint_sha256, fingerprint);
    assert_eq!(rejected.subject.as_deref(), Some("CN=hostile self-signed"));
    assert_no_credentials(
        &hostile.log_when_closed().await,
        HOSTILE_USER,
        HOSTILE_PASSWORD,
    );

    let mut pinned = hostile.endpoint(Security::StartTls);
    pinned.trust = pin(fingerprint);
    let conn = connect::connect(&pinned, &timeouts())
        .await
        .expect("pinned");
    let mut session = connect::login(conn, HOSTILE_USER, HOSTILE_PASSWORD)
        .await
        .expect("login over the pinned certificate");
    session.logout().await.expect("LOGOUT");
    drop(hostile);

    let impostor = Hostile::start_with("good", &other_cert, &other_key, &[]);
    let mut pinned = impostor.endpoint(Security::StartTls);
    pinned.trust = pin(fingerprint);
    let err = connect_err(&pinned).await;
    let rejected = err
        .rejected_certificate()
        .unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(rejected.reason, CertificateProblem::PinMismatch);
    assert_eq!(
        rejected.fingerprint_sha256,
        openssl_fingerprint(&other_cert)
    );
    assert_no_credentials(
        &impostor.log_when_closed().await,
        HOSTILE_USER,
        HOSTILE_PASSWORD,
    );
    drop(impostor);

    let (expired_cert, expired_key) = make_cert(
        dir.path(),
        "expired",
        "/CN=expired",
        Some((&servers.ca_pem, &servers.ca_key)),
        "-1",
    );
    let expired = Hostile::start_with("good", &expired_cert, &expired_key, &[]);
    let err = connect_err(&expired.endpoint(Security::StartTls)).await;
    let rejected = err
        .rejected_certificate()
        .unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(rejected.reason, CertificateProblem::Expired);
    assert_eq!(
        rejected.fingerprint_sha256,
        openssl_fingerprint(&expired_cert)
    );
}

// --- timeouts ---------------------------------------------------------------------

/// A server that accepts but never greets cannot hang the client.
#[tokio::test]
async fn silent_server_times_out_at_the_greeting() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let short = Timeouts {
        connect: Duration::from_secs(5),
        greeting: Duration::from_millis(300),
        command: Duration::from_secs(5),
    };
    for security in [Security::StartTls, Security::Plain] {
        let endpoint = endpoint("127.0.0.1", port, security, ca_trust());
        let started = Instant::now();
        let err = connect::connect(&endpoint, &short)
            .await
            .map(|_| ())
            .expect_err("silent server");
        assert!(
            matches!(
                err,
                ConnectError::Timeout {
                    step: connect::Step::Greeting,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(3));
    }
    // Implicit TLS: the handshake itself stalls (bounded by `connect`).
    let endpoint = endpoint("127.0.0.1", port, Security::Tls, ca_trust());
    let short = Timeouts {
        connect: Duration::from_millis(300),
        ..short
    };
    let err = connect::connect(&endpoint, &short)
        .await
        .map(|_| ())
        .expect_err("silent server");
    assert!(
        matches!(
            err,
            ConnectError::Timeout {
                step: connect::Step::TlsHandshake,
                ..
            }
        ),
        "{err:?}"
    );
    server.abort();
}

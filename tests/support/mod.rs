//! Real mail servers for integration tests: Dovecot (IMAP, POP3, LMTP) and
//! Postfix (submission) on loopback, started by `tests/servers/start.sh`.
//!
//! Use from a test crate with `mod support;` and `support::servers()`.
//!
//! Each test process gets its own instance in a fresh directory under the
//! temp dir, started on first use and shared by all tests of that process.
//! start.sh leaves a watchdog behind that stops the servers and removes the
//! directory once this process has exited, so two test binaries running at
//! once never share or clash. Set `POSHTA_TEST_SERVERS_ENV` to the `env`
//! file of an instance started by hand to reuse it instead, and
//! `POSHTA_TEST_SERVERS_KEEP=1` to keep the directory (logs) after the run.

#![allow(dead_code)]

pub mod cli;
pub mod discovery;
pub mod keyring;
pub mod mailbox;
pub mod sending;
#[cfg(feature = "gui")]
pub mod ui;

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where the test user's mail lives and how it logs in.
#[derive(Debug, Clone)]
pub struct User {
    /// Local part, e.g. `alice`.
    pub name: String,
    /// Full address, e.g. `alice@example.test`; also the login name.
    pub address: String,
    pub password: String,
    /// The user's maildir root (INBOX); other mailboxes are `.Name` below.
    pub maildir: PathBuf,
}

impl User {
    /// The name to log in with (IMAP, POP3, SMTP AUTH).
    pub fn login(&self) -> &str {
        &self.address
    }
}

/// A running Dovecot + Postfix instance.
#[derive(Debug)]
pub struct Servers {
    /// The instance directory (configs, logs, maildirs).
    pub dir: PathBuf,
    /// Address to connect to: `127.0.0.1`.
    pub host: String,
    /// Name the certificate is issued for: `localhost` (also valid: both IPs).
    pub tls_host: String,
    /// `127.0.0.2`: same ports, but Dovecot applies no loopback exemption,
    /// so plaintext LOGIN/USER is refused and LOGINDISABLED advertised, as
    /// for a remote client.
    pub remote_host: String,
    /// `example.test`
    pub domain: String,
    /// IMAP with STARTTLS (plaintext auth disallowed).
    pub imap_starttls: u16,
    /// IMAP over implicit TLS.
    pub imaps: u16,
    /// POP3 with STLS (plaintext auth disallowed).
    pub pop3_starttls: u16,
    /// POP3 over implicit TLS.
    pub pop3s: u16,
    /// Submission; STARTTLS required before AUTH.
    pub submission_starttls: u16,
    /// Submission over implicit TLS.
    pub submissions: u16,
    /// PEM file of the CA that signed the servers' certificate.
    pub ca_pem: PathBuf,
    /// Its private key, to mint further certificates in tests.
    pub ca_key: PathBuf,
    /// The certificate (PEM) Dovecot and Postfix present.
    pub server_cert: PathBuf,
    /// Dovecot's LMTP socket (used by [`Servers::deliver`]).
    pub lmtp_socket: PathBuf,
    pub dovecot_log: PathBuf,
    pub postfix_log: PathBuf,
    /// alice, bob, carol (in that order).
    pub users: Vec<User>,
}

/// Every file under `dir` that contains `needle` (secrets must be in none).
pub fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if let Ok(bytes) = fs::read(&path)
            && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        {
            found.push(path.display().to_string());
        }
    }
    found
}

const START_HINT: &str = "run `bash tests/servers/install.sh` first (as root or with sudo)";

static SERVERS: OnceLock<Result<Servers, String>> = OnceLock::new();

/// The servers for this test process, started on first call.
///
/// Panics with the start-up output and server logs if they cannot be
/// started, and with a hint to run `tests/servers/install.sh` if Dovecot or
/// Postfix is not installed.
pub fn servers() -> &'static Servers {
    match SERVERS.get_or_init(start_or_reuse) {
        Ok(servers) => servers,
        Err(message) => panic!("{message}"),
    }
}

fn start_or_reuse() -> Result<Servers, String> {
    if let Some(env_file) = std::env::var_os("POSHTA_TEST_SERVERS_ENV") {
        return Servers::from_env_file(Path::new(&env_file));
    }
    for binary in ["/usr/sbin/dovecot", "/usr/sbin/postfix"] {
        if !Path::new(binary).exists() {
            return Err(format!("{binary} not found: {START_HINT}"));
        }
    }

    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers");
    let dir = instance_dir()?;
    let log_path = dir.join("start.out");
    let log = fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let log_err = log.try_clone().map_err(|e| e.to_string())?;

    let mut command = Command::new("bash");
    command
        .arg(scripts.join("start.sh"))
        .arg(&dir)
        .arg("--watch")
        .arg(std::process::id().to_string());
    if std::env::var_os("POSHTA_TEST_SERVERS_KEEP").is_none() {
        command.arg("--cleanup");
    }
    // Output goes to a file: daemons must not hold a pipe of ours open.
    let started = Instant::now();
    let status = command
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .status()
        .map_err(|e| format!("cannot run start.sh: {e}"))?;
    let output = fs::read_to_string(&log_path).unwrap_or_default();
    if !status.success() {
        return Err(format!(
            "tests/servers/start.sh {} failed ({status}):\n{output}\n\
             If dovecot/postfix/openssl are missing: {START_HINT}",
            dir.display()
        ));
    }
    let servers = Servers::from_env_file(&dir.join("env"))?;
    eprintln!(
        "test servers ready in {:?}: {}",
        started.elapsed(),
        servers.dir.display()
    );
    Ok(servers)
}

/// A new, empty directory for one instance. Unix socket paths are short, so
/// fall back to /tmp when the temp dir's path is long.
fn instance_dir() -> Result<PathBuf, String> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!("poshta-srv-{}-{nanos:09}", std::process::id());
    let mut base = std::env::temp_dir();
    if base.as_os_str().len() > 30 {
        base = PathBuf::from("/tmp");
    }
    let dir = base.join(name);
    fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

impl Servers {
    /// Reads the `env` file start.sh writes.
    pub fn from_env_file(path: &Path) -> Result<Servers, String> {
        let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let vars: HashMap<String, String> = text
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('\'').to_owned()))
            .collect();
        let get = |key: &str| {
            vars.get(key)
                .cloned()
                .ok_or_else(|| format!("{}: missing {key}", path.display()))
        };
        let port = |key: &str| {
            get(key)?
                .parse::<u16>()
                .map_err(|e| format!("{}: {key}: {e}", path.display()))
        };
        let users = get("USERS")?
            .split_whitespace()
            .map(|name| {
                let upper = name.to_uppercase();
                Ok(User {
                    name: name.to_owned(),
                    address: get(&format!("{upper}_ADDRESS"))?,
                    password: get(&format!("{upper}_PASSWORD"))?,
                    maildir: get(&format!("{upper}_MAILDIR"))?.into(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Servers {
            dir: get("DIR")?.into(),
            host: get("HOST")?,
            tls_host: get("TLS_HOST")?,
            remote_host: get("REMOTE_HOST")?,
            domain: get("DOMAIN")?,
            imap_starttls: port("IMAP_PORT")?,
            imaps: port("IMAPS_PORT")?,
            pop3_starttls: port("POP3_PORT")?,
            pop3s: port("POP3S_PORT")?,
            submission_starttls: port("SUBMISSION_PORT")?,
            submissions: port("SUBMISSIONS_PORT")?,
            ca_pem: get("CA_PEM")?.into(),
            ca_key: get("CA_KEY")?.into(),
            server_cert: get("SERVER_CERT")?.into(),
            lmtp_socket: get("LMTP_SOCKET")?.into(),
            dovecot_log: get("DOVECOT_LOG")?.into(),
            postfix_log: get("POSTFIX_LOG")?.into(),
            users,
        })
    }

    /// The user with this local part or address; panics if unknown.
    pub fn user(&self, name: &str) -> &User {
        self.users
            .iter()
            .find(|u| u.name == name || u.address == name)
            .unwrap_or_else(|| panic!("no test user {name:?}"))
    }

    /// The CA certificate (PEM) the clients must trust.
    pub fn ca_pem_bytes(&self) -> Vec<u8> {
        fs::read(&self.ca_pem).unwrap_or_else(|e| panic!("{}: {e}", self.ca_pem.display()))
    }

    /// A rustls client configuration trusting the test CA.
    pub fn tls_config(&self) -> Arc<rustls::ClientConfig> {
        poshta::net::client_config(Some(&self.ca_pem_bytes()))
            .unwrap_or_else(|e| panic!("client_config with the test CA: {e}"))
    }

    /// Delivers `message` straight into `to`'s INBOX over LMTP (no queue,
    /// no delay). Line endings are normalised to CRLF and dot-stuffing is
    /// applied. Panics on any protocol error.
    pub fn deliver(&self, to: &str, message: &[u8]) {
        let address = self.user(to).address.clone();
        let stream = UnixStream::connect(&self.lmtp_socket)
            .unwrap_or_else(|e| panic!("{}: {e}", self.lmtp_socket.display()));
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap_or_else(|e| panic!("set_read_timeout: {e}"));
        let mut reader = BufReader::new(stream.try_clone().expect("clone unix stream"));
        let mut writer = stream;
        let mut expect = |code: &str, what: &str| {
            let reply = read_smtp_reply(&mut reader);
            assert!(
                reply.starts_with(code),
                "LMTP {what}: expected {code}, got {reply:?}"
            );
        };
        expect("220", "greeting");
        let mut send = |line: &str| {
            writer
                .write_all(line.as_bytes())
                .unwrap_or_else(|e| panic!("LMTP write: {e}"));
        };
        send("LHLO tests.example.test\r\n");
        expect("250", "LHLO");
        send("MAIL FROM:<sender@tests.example.test>\r\n");
        expect("250", "MAIL FROM");
        send(&format!("RCPT TO:<{address}>\r\n"));
        expect("250", "RCPT TO");
        send("DATA\r\n");
        expect("354", "DATA");
        let mut data = Vec::with_capacity(message.len() + 64);
        for line in message.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.first() == Some(&b'.') {
                data.push(b'.');
            }
            data.extend_from_slice(line);
            data.extend_from_slice(b"\r\n");
        }
        if message.ends_with(b"\n") {
            // split() yielded an empty last line for the final newline.
            data.truncate(data.len() - 2);
        }
        data.extend_from_slice(b".\r\n");
        writer
            .write_all(&data)
            .unwrap_or_else(|e| panic!("LMTP write: {e}"));
        expect("250", "end of DATA");
        let _ = writer.write_all(b"QUIT\r\n");
    }

    /// The on-disk maildir of `mailbox` (`INBOX`, `Sent`, `a/b`, ...).
    pub fn maildir(&self, user: &str, mailbox: &str) -> PathBuf {
        let root = &self.user(user).maildir;
        if mailbox.eq_ignore_ascii_case("INBOX") {
            root.clone()
        } else {
            root.join(format!(".{}", mailbox.replace('/', ".")))
        }
    }

    /// Raw messages in `mailbox` as stored by Dovecot (new/ and cur/),
    /// sorted by file name (delivery order). Empty if the mailbox does not
    /// exist yet.
    pub fn maildir_messages(&self, user: &str, mailbox: &str) -> Vec<Vec<u8>> {
        let dir = self.maildir(user, mailbox);
        let mut files: Vec<(String, PathBuf)> = ["new", "cur"]
            .iter()
            .filter_map(|sub| fs::read_dir(dir.join(sub)).ok())
            .flatten()
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.file_type().map(|t| t.is_file()).unwrap_or(false))
            .map(|entry| {
                (
                    entry.file_name().to_string_lossy().into_owned(),
                    entry.path(),
                )
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, path)| fs::read(path).ok())
            .collect()
    }

    /// Number of messages in `mailbox`.
    pub fn count_messages(&self, user: &str, mailbox: &str) -> usize {
        self.maildir_messages(user, mailbox).len()
    }

    /// Number of messages in the user's INBOX.
    pub fn inbox_count(&self, user: &str) -> usize {
        self.count_messages(user, "INBOX")
    }

    /// Polls the maildir until a message containing `needle` shows up in
    /// `mailbox`, or `timeout` passes. Returns the message.
    pub fn wait_for_message(
        &self,
        user: &str,
        mailbox: &str,
        needle: &str,
        timeout: Duration,
    ) -> Option<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self
                .maildir_messages(user, mailbox)
                .into_iter()
                .find(|m| contains(m, needle.as_bytes()));
            if found.is_some() || Instant::now() >= deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Both server logs, for assertion messages.
    pub fn logs(&self) -> String {
        let read = |p: &Path| fs::read_to_string(p).unwrap_or_default();
        format!(
            "--- dovecot ---\n{}\n--- postfix ---\n{}",
            read(&self.dovecot_log),
            read(&self.postfix_log)
        )
    }
}

/// Reads one (possibly multi-line) SMTP/LMTP reply; returns its last line.
fn read_smtp_reply(reader: &mut impl BufRead) -> String {
    loop {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("LMTP read: {e}"));
        assert!(n > 0, "LMTP: connection closed");
        // "250-..." continues, "250 ..." ends the reply.
        if line.as_bytes().get(3) != Some(&b'-') {
            return line.trim_end().to_owned();
        }
    }
}

/// Deliver `messages` to `user`'s INBOX over LMTP, off the async worker
/// threads (each delivery blocks on the socket).
pub async fn deliver_all(user: &str, messages: Vec<Vec<u8>>) {
    let user = user.to_owned();
    tokio::task::spawn_blocking(move || {
        for raw in messages {
            servers().deliver(&user, &raw);
        }
    })
    .await
    .unwrap();
}

/// Whether `haystack` contains `needle`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// `user`'s login on the test servers' `protocol` port, trusting the
/// test CA.
pub fn server(
    protocol: poshta::account::Protocol,
    port: u16,
    security: poshta::account::Security,
    user: &User,
) -> poshta::account::Server {
    let servers = servers();
    poshta::account::Server {
        protocol,
        host: servers.tls_host.clone(),
        port,
        security,
        username: user.login().into(),
        extra_ca_pem: Some(servers.ca_pem_bytes()),
        pinned_sha256: None,
    }
}

/// A value unique to this call, for Message-IDs and subjects.
pub fn unique(tag: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{tag}-{}-{nanos}-{n}", std::process::id())
}

pub mod imap {
    //! IMAP session helpers over implicit TLS (async-imap on tokio-rustls).

    use super::{Servers, User};
    use std::time::Duration;
    use tokio::net::TcpStream;
    use tokio_rustls::client::TlsStream;

    pub type Session = async_imap::Session<TlsStream<TcpStream>>;
    pub type Client = async_imap::Client<TlsStream<TcpStream>>;

    /// Connects to IMAPS, reads the greeting and asserts it is `* OK`.
    pub async fn connect(servers: &Servers) -> Client {
        let tls = poshta::net::connect_tls(
            &servers.tls_host,
            servers.imaps,
            servers.tls_config(),
            Duration::from_secs(10),
        )
        .await
        .unwrap_or_else(|e| panic!("IMAPS connect: {e}"));
        let mut client = async_imap::Client::new(tls);
        let greeting = client
            .read_response()
            .await
            .unwrap_or_else(|e| panic!("IMAP greeting: {e}"))
            .unwrap_or_else(|| panic!("IMAP: connection closed before the greeting"));
        assert!(
            matches!(
                greeting.parsed(),
                async_imap::imap_proto::Response::Data {
                    status: async_imap::imap_proto::Status::Ok,
                    ..
                }
            ),
            "unexpected IMAP greeting: {:?}",
            greeting.parsed()
        );
        client
    }

    /// Connects and logs in as `user`.
    pub async fn login(servers: &Servers, user: &User) -> Session {
        connect(servers)
            .await
            .login(user.login(), &user.password)
            .await
            .unwrap_or_else(|(e, _)| panic!("IMAP LOGIN as {}: {e}", user.address))
    }
}

/// A TCP relay to `upstream` that closes both sides once it has passed
/// `limit` bytes from the server: a connection dropped mid-transfer.
pub async fn cutting_proxy(upstream: u16, limit: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (client, _) = listener.accept().await.unwrap();
        let server = tokio::net::TcpStream::connect(("127.0.0.1", upstream))
            .await
            .unwrap();
        let (mut client_read, mut client_write) = client.into_split();
        let (mut server_read, mut server_write) = server.into_split();
        tokio::spawn(async move {
            let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        });
        let mut passed = 0;
        let mut buf = vec![0u8; 16 * 1024];
        while passed < limit {
            let n = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n.min(limit - passed),
            };
            if client_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
            passed += n;
        }
        // Dropping both halves closes the connection mid-stream.
    });
    port
}

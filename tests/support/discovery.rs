//! The peers account discovery talks to, on loopback: dnsmasq answering
//! A, SRV and MX questions for made-up `.test` domains, and an HTTPS
//! server serving autoconfig XML (good, huge, broken or plaintext-only)
//! under a certificate from the test servers' CA.

use poshta::account::discover::Settings;
use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// dnsmasq on 127.0.0.1, authoritative for `.test`: names it was not
/// given do not exist, and nothing is asked upstream.
pub struct Dns {
    child: Child,
    pub addr: SocketAddr,
}

impl Dns {
    /// Start with dnsmasq record options (`--host-record=...`,
    /// `--srv-host=...`, `--mx-host=...`).
    pub fn start(records: &[String]) -> Dns {
        let port = free_port();
        let child = Command::new("/usr/sbin/dnsmasq")
            .args([
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--no-resolv",
                "--no-hosts",
                "--no-poll",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--local=/test/",
                "--pid-file",
                "--user=root",
                "--log-facility=-",
            ])
            .arg(format!("--port={port}"))
            .args(records)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dnsmasq: run `bash tests/servers/install.sh` first");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let started = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "dnsmasq did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Dns { child, addr }
    }
}

impl Drop for Dns {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free for both UDP and TCP on 127.0.0.1 (DNS answers on both).
fn free_port() -> u16 {
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// What the HTTPS server answers at a host and path.
#[derive(Clone)]
pub enum Reply {
    Xml(String),
    /// Megabytes of comment with no length given: a client must stop
    /// reading by itself.
    Endless,
}

/// An HTTPS server on 127.0.0.1 for every host name in its certificate.
pub struct Https {
    pub port: u16,
    /// The CA its certificate is signed by (discovery's extra CA).
    pub ca: PathBuf,
    /// "host path" of every request, in order.
    requests: Arc<Mutex<Vec<String>>>,
}

impl Https {
    /// Serve `routes` ("host path" → reply); others get 404. The
    /// certificate is minted in `dir` for `hosts` from the servers' CA.
    pub fn start(dir: &Path, hosts: &[&str], routes: HashMap<String, Reply>) -> Https {
        let servers = super::servers();
        let (cert, key) = mint_certificate(dir, hosts, &servers.ca_pem, &servers.ca_key);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(serve(listener, &cert, &key, routes, log));
        });
        Https {
            port,
            ca: servers.ca_pem.clone(),
            requests,
        }
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// A certificate for `hosts` signed by the CA, as PEM files in `dir`.
fn mint_certificate(dir: &Path, hosts: &[&str], ca: &Path, ca_key: &Path) -> (PathBuf, PathBuf) {
    let key = dir.join("https.key");
    let csr = dir.join("https.csr");
    let cert = dir.join("https.pem");
    let ext = dir.join("https.ext");
    let names: Vec<String> = hosts.iter().map(|h| format!("DNS:{h}")).collect();
    std::fs::write(
        &ext,
        format!(
            "subjectAltName={}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
            names.join(",")
        ),
    )
    .unwrap();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let p = |p: &Path| p.to_str().unwrap().to_string();
    openssl(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        &p(&key),
        "-out",
        &p(&csr),
        "-subj",
        "/CN=autoconfig test",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &p(&csr),
        "-CA",
        &p(ca),
        "-CAkey",
        &p(ca_key),
        "-CAcreateserial",
        "-CAserial",
        &p(&dir.join("https.srl")),
        "-days",
        "2",
        "-out",
        &p(&cert),
        "-extfile",
        &p(&ext),
    ]);
    (cert, key)
}

async fn serve(
    listener: std::net::TcpListener,
    cert: &Path,
    key: &Path,
    routes: HashMap<String, Reply>,
    log: Arc<Mutex<Vec<String>>>,
) {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .unwrap()
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    listener.set_nonblocking(true).unwrap();
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    let routes = Arc::new(routes);
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let (acceptor, routes, log) = (acceptor.clone(), routes.clone(), log.clone());
        tokio::spawn(async move {
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                return;
            };
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16384 {
                match tls.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
            let host = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("host: ")
                        .or_else(|| l.strip_prefix("Host: "))
                })
                .map(|h| h.split(':').next().unwrap_or(h).to_string())
                .unwrap_or_default();
            log.lock().unwrap().push(format!("{host} {path}"));
            let bare = path.split('?').next().unwrap_or("");
            match routes.get(&format!("{host} {bare}")) {
                Some(Reply::Xml(xml)) => {
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                        xml.len()
                    );
                    let _ = tls.write_all(reply.as_bytes()).await;
                }
                Some(Reply::Endless) => {
                    let _ = tls
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n<clientConfig><!--")
                        .await;
                    let chunk = vec![b'x'; 64 * 1024];
                    for _ in 0..(64 * 16) {
                        if tls.write_all(&chunk).await.is_err() {
                            return;
                        }
                    }
                }
                None => {
                    let _ = tls
                        .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .await;
                }
            }
            let _ = tls.shutdown().await;
        });
    }
}

pub struct Peers {
    pub dns: Dns,
    pub https: Https,
    _dir: tempfile::TempDir,
}

/// Every domain the tests discover, served by one dnsmasq and one HTTPS
/// server for the whole process.
pub fn peers() -> &'static Peers {
    static PEERS: OnceLock<Peers> = OnceLock::new();
    PEERS.get_or_init(|| {
        let servers = super::servers();
        let dir = tempfile::tempdir().unwrap();
        let autoconfig = |imap: &str| {
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1"><emailProvider id="isp.test">
  <incomingServer type="imap"><hostname>{imap}</hostname><port>{imaps}</port>
    <socketType>SSL</socketType><authentication>password-cleartext</authentication>
    <username>%EMAILLOCALPART%@example.test</username></incomingServer>
  <incomingServer type="pop3"><hostname>localhost</hostname><port>{pop3s}</port>
    <socketType>SSL</socketType><username>%EMAILLOCALPART%@example.test</username></incomingServer>
  <outgoingServer type="smtp"><hostname>localhost</hostname><port>{submission}</port>
    <socketType>STARTTLS</socketType><authentication>password-cleartext</authentication>
    <username>%EMAILLOCALPART%@example.test</username></outgoingServer>
</emailProvider></clientConfig>"#,
                imaps = servers.imaps,
                pop3s = servers.pop3s,
                submission = servers.submission_starttls,
            )
        };
        let plaintext = r#"<clientConfig version="1.1"><emailProvider id="plain.test">
  <incomingServer type="imap"><hostname>imap.plain.test</hostname><port>143</port>
    <socketType>plain</socketType></incomingServer></emailProvider></clientConfig>"#;
        let config = "/mail/config-v1.1.xml";
        let well_known = "/.well-known/autoconfig/mail/config-v1.1.xml";
        let routes = HashMap::from([
            (
                format!("autoconfig.isp.test {config}"),
                Reply::Xml(autoconfig("localhost")),
            ),
            (
                format!("wk.test {well_known}"),
                Reply::Xml(autoconfig("localhost")),
            ),
            // Autoconfig and SRV both answer here: autoconfig is trusted more.
            (
                format!("autoconfig.both.test {config}"),
                Reply::Xml(autoconfig("localhost")),
            ),
            (format!("autoconfig.huge.test {config}"), Reply::Endless),
            (
                format!("autoconfig.broken.test {config}"),
                Reply::Xml("<clientConfig><incomingServer type=\"imap\"><hostname>x</port>".into()),
            ),
            (
                format!("autoconfig.plain.test {config}"),
                Reply::Xml(plaintext.into()),
            ),
        ]);
        let hosts = [
            "autoconfig.isp.test",
            "wk.test",
            "autoconfig.both.test",
            "autoconfig.huge.test",
            "autoconfig.broken.test",
            "autoconfig.plain.test",
        ];
        let https = Https::start(dir.path(), &hosts, routes);
        let mut records: Vec<String> = hosts
            .iter()
            .map(|h| format!("--host-record={h},127.0.0.1"))
            .collect();
        let srv = |name: &str, port: u16| format!("--srv-host={name},localhost,{port},0,1");
        records.extend([
            srv("_imaps._tcp.srv.test", servers.imaps),
            // STARTTLS IMAP on the same domain: implicit TLS wins.
            srv("_imap._tcp.srv.test", servers.imap_starttls),
            srv("_pop3s._tcp.srv.test", servers.pop3s),
            srv("_submission._tcp.srv.test", servers.submission_starttls),
            srv("_imaps._tcp.both.test", 9993),
            "--mx-host=hosted.test,alt2.aspmx.l.google.com,10".into(),
            "--mx-host=unknown-mx.test,mx.nowhere.test,10".into(),
            "--host-record=imap.guess.test,127.0.0.1".into(),
            "--host-record=smtp.guess.test,127.0.0.1".into(),
            "--host-record=mail.huge.test,127.0.0.1".into(),
        ]);
        let dns = Dns::start(&records);
        Peers {
            dns,
            https,
            _dir: dir,
        }
    })
}

pub fn settings() -> Settings {
    let peers = peers();
    Settings {
        name_server: Some(peers.dns.addr),
        https_port: Some(peers.https.port),
        extra_ca: Some(peers.https.ca.clone()),
    }
}

//! Sending when things go wrong: against a scripted SMTP server, a
//! STARTTLS reply injected before the handshake, a reply lost after the
//! final dot, a refused recipient and a message over the server's SIZE;
//! and a Sent copy whose upload to Dovecot is cut mid-APPEND.

mod support;

use poshta::Service;
use poshta::account::{Protocol, Security};
use poshta::mime::compose::Outgoing;
use poshta::model::AccountId;
use poshta::store::outbox::State;
use support::sending::*;
use support::server;

/// A TCP relay to the IMAP server's plaintext port that, once armed,
/// cuts the connection the moment the client sends an APPEND.
struct AppendCutter {
    port: u16,
    armed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    cuts: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl AppendCutter {
    async fn start(target: u16) -> AppendCutter {
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let armed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let cuts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (armed2, cuts2) = (armed.clone(), cuts.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = tokio::net::TcpStream::connect(("127.0.0.1", target))
                    .await
                    .unwrap();
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let (armed, cuts) = (armed2.clone(), cuts2.clone());
                let downstream = tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = server_read.read(&mut buf).await {
                        if n == 0 || client_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = client_read.read(&mut buf).await {
                        let chunk = &buf[..n];
                        let append = chunk.windows(7).any(|w| w.eq_ignore_ascii_case(b"APPEND "));
                        if n == 0 || (append && armed.load(Ordering::SeqCst)) {
                            if n > 0 {
                                cuts.fetch_add(1, Ordering::SeqCst);
                            }
                            break;
                        }
                        if server_write.write_all(chunk).await.is_err() {
                            break;
                        }
                    }
                    // Both ways closed: the client sees the connection go.
                    downstream.abort();
                });
            }
        });
        AppendCutter { port, armed, cuts }
    }
}

/// The connection drops as the Sent copy is uploaded: the message is
/// sent once, and only the copy is tried again, which then lands once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_sent_copy_upload_is_retried_without_sending_again() {
    use std::sync::atomic::Ordering;
    let servers = support::servers();
    let (sender, bob) = (servers.user("alice"), servers.user("bob"));
    let relay = AppendCutter::start(servers.imap_starttls).await;
    let mut imap = server(Protocol::Imap, relay.port, Security::Plain, sender);
    imap.host = "127.0.0.1".into();
    let home = tempfile::tempdir().unwrap();
    let (service, account) = account(
        home.path(),
        imap,
        server(Protocol::Smtp, servers.submissions, Security::Tls, sender),
        &sender.address,
    )
    .await;
    service.set_password(account, sender.password.clone());
    service.sync(account, |_| {}).await.unwrap();
    relay.armed.store(true, Ordering::SeqCst);
    let subject = support::unique("copy-lost");
    let mut message = draft(&bob.address, &subject);
    message.bcc.clear();
    let id = service.queue_message(account, message).await.unwrap();
    let report = service.send_queued(account).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let message_id = outgoing(&service, account, id).await.message_id;
    wait_for(bob, "INBOX", &message_id).await;
    assert!(service.push_changes().await.is_err(), "the upload was cut");
    assert!(relay.cuts.load(Ordering::SeqCst) >= 1);
    // Not sent again, whatever is tried.
    assert_eq!(
        service.send_queued(account).await.unwrap(),
        poshta::service::SendReport::default()
    );
    // The link is back: the copy goes up, once.
    relay.armed.store(false, Ordering::SeqCst);
    service.push_changes().await.unwrap();
    let copy = wait_for(sender, "Sent", &message_id).await;
    assert!(String::from_utf8_lossy(&copy).contains(&subject));
    // Bob still has exactly one (wait_for checks there is one copy).
    wait_for(bob, "INBOX", &message_id).await;
    service.stop(account).await;
}

/// A scripted SMTP server on loopback: `script` says what to do with each
/// session; every command line is recorded.
struct Scripted {
    port: u16,
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

#[derive(Clone, Copy)]
enum Script {
    /// Offers STARTTLS and answers it with `220` plus a planted reply in
    /// the same packet.
    InjectAfterStartTls,
    /// Takes the whole message, then hangs up without a reply.
    HangUpAfterDot,
    /// Refuses RCPT to any address starting with "nobody", accepts the
    /// rest.
    RefuseNobody,
}

impl Scripted {
    async fn start(script: Script) -> Scripted {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = lines.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 scripted ESMTP\r\n").await;
                    let mut in_data = false;
                    while let Ok(Some(line)) = reader.next_line().await {
                        log.lock().unwrap().push(line.clone());
                        if in_data {
                            if line == "." {
                                in_data = false;
                                match script {
                                    Script::HangUpAfterDot => return,
                                    _ => {
                                        let _ = write.write_all(b"250 queued\r\n").await;
                                    }
                                }
                            }
                            continue;
                        }
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") {
                            match script {
                                Script::InjectAfterStartTls => b"250-scripted\r\n250 STARTTLS\r\n",
                                _ => {
                                    b"250-scripted\r\n250-8BITMIME\r\n250-SIZE 20000\r\n\
                                       250 AUTH PLAIN LOGIN\r\n"
                                }
                            }
                        } else if upper.starts_with("STARTTLS") {
                            b"220 go ahead\r\n250 AUTH PLAIN\r\n"
                        } else if upper.starts_with("AUTH") {
                            b"235 ok\r\n"
                        } else if upper.starts_with("MAIL") {
                            b"250 ok\r\n"
                        } else if upper.starts_with("RCPT TO:<NOBODY") {
                            b"550 5.1.1 no such user here\r\n"
                        } else if upper.starts_with("RCPT") {
                            b"250 ok\r\n"
                        } else if upper.starts_with("DATA") {
                            in_data = true;
                            b"354 go on\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            b"500 what\r\n"
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        Scripted { port, lines }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    fn count(&self, prefix: &str) -> usize {
        self.lines()
            .iter()
            .filter(|l| l.to_ascii_uppercase().starts_with(prefix))
            .count()
    }
}

/// An account whose submission server is `scripted` (plaintext only for
/// the scripts that need no TLS; STARTTLS required for the injection).
async fn scripted_account(
    home: &std::path::Path,
    port: u16,
    security: Security,
) -> (Service, AccountId) {
    let user = support::servers().user("alice");
    let mut outgoing = server(Protocol::Smtp, port, security, user);
    outgoing.host = "127.0.0.1".into();
    let incoming = server(Protocol::Pop3, 1, Security::Tls, user);
    let (service, account) = account(home, incoming, outgoing, "me@example.test").await;
    service.set_password(account, "secret-password".into());
    (service, account)
}

/// A scripted server running `script`, an account sending through it
/// with `security`, and a message to bob in its outbox.
async fn scripted_outbox(
    script: Script,
    security: Security,
    message: Outgoing,
) -> (Scripted, tempfile::TempDir, Service, AccountId, i64) {
    let scripted = Scripted::start(script).await;
    let home = tempfile::tempdir().unwrap();
    let (service, account) = scripted_account(home.path(), scripted.port, security).await;
    let id = service.queue_message(account, message).await.unwrap();
    (scripted, home, service, account, id)
}

#[tokio::test]
async fn a_reply_planted_after_starttls_stops_the_send_before_the_password() {
    let (scripted, _home, service, account, id) = scripted_outbox(
        Script::InjectAfterStartTls,
        Security::StartTls,
        draft("bob@example.test", "injected"),
    )
    .await;
    let error = service.send_queued(account).await.unwrap_err();
    assert_eq!(error.kind(), poshta::ErrorKind::InsecureServer, "{error}");
    assert_eq!(scripted.count("AUTH"), 0, "{:?}", scripted.lines());
    assert_eq!(scripted.count("MAIL"), 0);
    let message = outgoing(&service, account, id).await;
    assert_eq!(message.state, State::Queued, "still to send");
}

#[tokio::test]
async fn a_reply_lost_after_the_final_dot_is_never_resent_by_itself() {
    let (scripted, home, service, account, id) = scripted_outbox(
        Script::HangUpAfterDot,
        Security::Plain,
        draft("bob@example.test", "lost reply"),
    )
    .await;
    let report = service.send_queued(account).await.unwrap();
    assert_eq!((report.sent, report.unknown), (0, 1));
    assert_eq!(scripted.count("DATA"), 1);

    // Again, and after a restart: it stays unknown, and is not sent.
    assert_eq!(service.send_queued(account).await.unwrap().unknown, 0);
    drop(service);
    let service = Service::load(home.path().to_path_buf()).await.unwrap();
    service.set_password(account, "secret-password".into());
    service.send_queued(account).await.unwrap();
    assert_eq!(scripted.count("DATA"), 1, "never resent by itself");
    let message = service.outbox(Some(account)).await.unwrap();
    assert_eq!(message[0].state, State::Unknown);
    assert!(message[0].last_error.is_some());

    // The user decides to send it again: the same message, same Message-ID.
    service.send_again(id).await.unwrap();
    service.send_queued(account).await.unwrap();
    assert_eq!(scripted.count("DATA"), 2);
    let again = service.outbox(Some(account)).await.unwrap();
    assert_eq!(again[0].message_id, message[0].message_id);
}

#[tokio::test]
async fn a_refused_recipient_is_reported_and_the_others_get_it() {
    let mut message = draft("bob@example.test", "partly");
    message.bcc.clear();
    message.cc = vec!["nobody@example.test".into()];
    let (scripted, _home, service, account, id) =
        scripted_outbox(Script::RefuseNobody, Security::Plain, message).await;
    let report = service.send_queued(account).await.unwrap();
    assert_eq!(report.sent, 1);
    let sent = outgoing(&service, account, id).await;
    let note = sent.last_error.clone().unwrap_or_default();
    assert!(
        note.contains("nobody@example.test") && note.contains("no such user"),
        "{note}"
    );

    // Only refused recipients: failed, with the server's reply.
    let mut nobody = draft("nobody@example.test", "nobody at all");
    nobody.bcc.clear();
    let id = service.queue_message(account, nobody).await.unwrap();
    let report = service.send_queued(account).await.unwrap();
    assert_eq!(report.failed, 1);
    let failed = outgoing(&service, account, id).await;
    assert_eq!(failed.state, State::Failed);
    assert!(failed.last_error.unwrap().contains("550"));

    // Larger than the SIZE the server gave in EHLO (20,000): failed
    // before a byte of it goes, with the reason; the limit is kept for the
    // composer.
    let mut large = draft("bob@example.test", "large");
    large.attachments[0].data = vec![b'x'; 30_000];
    let datas = scripted.count("DATA");
    let id = service.queue_message(account, large).await.unwrap();
    let report = service.send_queued(account).await.unwrap();
    assert_eq!(report.failed, 1);
    let failed = outgoing(&service, account, id).await;
    assert!(failed.last_error.unwrap().contains("at most 20000"));
    assert_eq!(scripted.count("DATA"), datas, "not offered to the server");
    assert_eq!(service.smtp_max_size(account).await.unwrap(), Some(20_000));
}

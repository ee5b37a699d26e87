//! SMTP submission through a real Postfix (tests/servers), checked end to
//! end: Postfix hands the message to Dovecot over LMTP and it is read back
//! over IMAPS.

mod support;

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long Postfix may take to hand a message on to Dovecot.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(20);

/// TLS parameters for the test servers: only the test CA is trusted.
fn tls_parameters(servers: &support::Servers, trust_test_ca: bool) -> TlsParameters {
    let mut builder =
        TlsParameters::builder(servers.tls_host.clone()).certificate_store(CertificateStore::None);
    if trust_test_ca {
        let ca = Certificate::from_pem(&servers.ca_pem_bytes()).expect("test CA PEM");
        builder = builder.add_root_certificate(ca);
    }
    builder.build_rustls().expect("TLS parameters")
}

fn transport(
    servers: &support::Servers,
    port: u16,
    tls: Tls,
    user: &support::User,
    password: &str,
) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(servers.tls_host.clone())
        .port(port)
        .tls(tls)
        .credentials(Credentials::new(
            user.login().to_owned(),
            password.to_owned(),
        ))
        .authentication(vec![Mechanism::Plain])
        .timeout(Some(Duration::from_secs(15)))
        .build()
}

/// A message from `from` to `to` with a unique subject and Message-ID.
/// Returns it with its unique id and the body the recipient will see.
fn message(from: &support::User, to: &support::User, tag: &str) -> (Message, String, String) {
    let id = support::unique(tag);
    let body = format!("Hello from {id}.\r\nSecond line.\r\n");
    let message = Message::builder()
        .from(from.address.parse().expect("from address"))
        .to(to.address.parse().expect("to address"))
        .subject(format!("test {id}"))
        .message_id(Some(format!("<{id}@example.test>")))
        .header(ContentType::TEXT_PLAIN)
        .body(body.clone())
        .expect("build message");
    let formatted = String::from_utf8(message.formatted()).expect("ASCII message");
    let (_, wire_body) = formatted
        .split_once("\r\n\r\n")
        .expect("header/body separator");
    assert_eq!(wire_body, body);
    // lettre 0.11 always ends DATA with "\r\n.\r\n", even when the message
    // already ends in CRLF, so one empty line is appended in transit.
    let received_body = format!("{body}\r\n");
    (message, id, received_body)
}

/// Polls `user`'s INBOX over IMAPS until the message with this Message-ID
/// arrives; returns its text (body) part.
async fn wait_for_imap_message(
    servers: &support::Servers,
    user: &support::User,
    id: &str,
) -> Vec<u8> {
    let mut session = support::imap::login(servers, user).await;
    session.select("INBOX").await.expect("SELECT INBOX");
    let deadline = Instant::now() + DELIVERY_TIMEOUT;
    loop {
        let uids = session
            .uid_search(format!("HEADER Message-ID \"<{id}@example.test>\""))
            .await
            .expect("UID SEARCH");
        if let Some(uid) = uids.iter().next() {
            assert_eq!(uids.len(), 1, "delivered more than once: {uids:?}");
            let fetched: Vec<_> = session
                .uid_fetch(uid.to_string(), "BODY.PEEK[TEXT]")
                .await
                .expect("UID FETCH")
                .try_collect()
                .await
                .expect("FETCH responses");
            let text = fetched
                .first()
                .and_then(|f| f.text())
                .expect("no BODY[TEXT]")
                .to_vec();
            session.logout().await.expect("LOGOUT");
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "message {id} not in {}'s INBOX after {DELIVERY_TIMEOUT:?}\n{}",
            user.address,
            servers.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        session.noop().await.expect("NOOP");
    }
}

/// Send `from` → `to` through `port` and read the message back from the
/// recipient's INBOX over IMAPS, byte for byte.
async fn send_and_read_back(port: u16, tls: Tls, from: &str, to: &str, tag: &str) {
    let servers = support::servers();
    let (from, to) = (servers.user(from), servers.user(to));
    let mailer = transport(servers, port, tls, from, &from.password);
    let (message, id, body) = message(from, to, tag);
    let response = mailer.send(message).await.expect("send");
    assert!(response.is_positive(), "{response:?}");

    let text = wait_for_imap_message(servers, to, &id).await;
    assert_eq!(
        String::from_utf8_lossy(&text),
        body,
        "body changed in transit"
    );
}

#[tokio::test]
async fn submissions_delivers_to_imap_inbox() {
    let servers = support::servers();
    let tls = Tls::Wrapper(tls_parameters(servers, true));
    send_and_read_back(servers.submissions, tls, "alice", "bob", "smtps").await;
}

#[tokio::test]
async fn submission_starttls_delivers_to_imap_inbox() {
    let servers = support::servers();
    let tls = Tls::Required(tls_parameters(servers, true));
    send_and_read_back(servers.submission_starttls, tls, "bob", "carol", "starttls").await;
}

#[tokio::test]
async fn submission_with_wrong_password_is_refused() {
    let servers = support::servers();
    let (alice, bob) = (servers.user("alice"), servers.user("bob"));
    let mailer = transport(
        servers,
        servers.submissions,
        Tls::Wrapper(tls_parameters(servers, true)),
        alice,
        "wrong-password",
    );
    let (message, id, _) = message(alice, bob, "badauth");
    let err = mailer
        .send(message)
        .await
        .expect_err("sent with a wrong password");
    assert!(err.is_permanent(), "expected a 5xx AUTH failure: {err:?}");
    // Nothing may have been queued: a short wait shows no delivery.
    assert!(
        servers
            .wait_for_message("bob", "INBOX", &id, Duration::from_secs(2))
            .is_none()
    );
}

/// Without the test CA the handshake fails and nothing is sent.
#[tokio::test]
async fn submissions_fails_closed_without_the_test_ca() {
    let servers = support::servers();
    let (alice, bob) = (servers.user("alice"), servers.user("bob"));
    let mailer = transport(
        servers,
        servers.submissions,
        Tls::Wrapper(tls_parameters(servers, false)),
        alice,
        &alice.password,
    );
    let (message, id, _) = message(alice, bob, "untrusted");
    let err = mailer
        .send(message)
        .await
        .expect_err("sent over an unverified connection");
    assert_eq!(
        certificate_error(&err),
        Some(rustls::CertificateError::UnknownIssuer),
        "expected an unknown-issuer certificate error: {err:?}"
    );
    assert!(
        servers
            .wait_for_message("bob", "INBOX", &id, Duration::from_secs(2))
            .is_none()
    );
}

/// The certificate error somewhere in `err`'s source chain, if any.
fn certificate_error(err: &lettre::transport::smtp::Error) -> Option<rustls::CertificateError> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        let rustls_error = e.downcast_ref::<rustls::Error>().or_else(|| {
            e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(rustls::Error::InvalidCertificate(cert)) = rustls_error {
            return Some(cert.clone());
        }
        source = e.source();
    }
    None
}

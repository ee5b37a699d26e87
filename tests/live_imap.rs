//! IMAP against a real Dovecot over implicit TLS (tests/servers).

mod support;

use std::time::Duration;

use async_imap::types::NameAttribute;
use futures::TryStreamExt;
use poshta::net::{TlsError, client_config, connect_tls};

#[tokio::test]
async fn imaps_login_lists_special_use_mailboxes() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let mut session = support::imap::login(servers, alice).await;

    let names: Vec<_> = session
        .list(Some(""), Some("*"))
        .await
        .expect("LIST")
        .try_collect()
        .await
        .expect("LIST responses");
    let find = |name: &str| names.iter().find(|n| n.name() == name);

    assert!(find("INBOX").is_some(), "no INBOX in {names:?}");
    for (mailbox, attribute) in [
        ("Sent", NameAttribute::Sent),
        ("Drafts", NameAttribute::Drafts),
        ("Trash", NameAttribute::Trash),
        ("Junk", NameAttribute::Junk),
        ("Archive", NameAttribute::Archive),
    ] {
        let found = find(mailbox).unwrap_or_else(|| panic!("no {mailbox} in {names:?}"));
        assert!(
            found.attributes().contains(&attribute),
            "{mailbox} lacks {attribute:?}: {:?}",
            found.attributes()
        );
    }

    let inbox = session.select("INBOX").await.expect("SELECT INBOX");
    assert!(inbox.uid_validity.is_some());
    session.logout().await.expect("LOGOUT");
}

#[tokio::test]
async fn imaps_wrong_password_is_refused() {
    let servers = support::servers();
    let bob = servers.user("bob");
    let client = support::imap::connect(servers).await;
    let result = client.login(bob.login(), "not-the-password").await;
    assert!(result.is_err(), "LOGIN with a wrong password succeeded");
}

#[tokio::test]
async fn delivered_message_is_fetched_over_imaps() {
    let servers = support::servers();
    let carol = servers.user("carol");
    let subject = support::unique("imap-fetch");
    let body = format!("Body of {subject}.");
    let message = format!(
        "From: <bob@example.test>\r\nTo: <carol@example.test>\r\n\
         Subject: {subject}\r\nMessage-ID: <{subject}@example.test>\r\n\r\n{body}\r\n"
    );
    let before = servers.inbox_count("carol");
    servers.deliver("carol", message.as_bytes());
    assert_eq!(servers.inbox_count("carol"), before + 1);

    let mut session = support::imap::login(servers, carol).await;
    session.select("INBOX").await.expect("SELECT INBOX");
    let uids = session
        .uid_search(format!("HEADER Subject \"{subject}\""))
        .await
        .expect("UID SEARCH");
    assert_eq!(uids.len(), 1, "{uids:?}");
    let uid = uids.iter().next().copied().unwrap_or_default();
    let fetched: Vec<_> = session
        .uid_fetch(uid.to_string(), "BODY.PEEK[]")
        .await
        .expect("UID FETCH")
        .try_collect()
        .await
        .expect("FETCH responses");
    let raw = fetched.first().and_then(|f| f.body()).expect("no BODY[]");
    assert!(support::contains(raw, body.as_bytes()));
    session.logout().await.expect("LOGOUT");
}

/// Without the test CA the server's certificate must not verify: the
/// connection fails in the handshake, before any IMAP byte is exchanged.
#[tokio::test]
async fn imaps_fails_closed_without_the_test_ca() {
    let servers = support::servers();
    let system_roots_only = client_config(None).expect("system roots");
    let err = connect_tls(
        &servers.tls_host,
        servers.imaps,
        system_roots_only,
        Duration::from_secs(10),
    )
    .await
    .map(|_| ())
    .expect_err("handshake succeeded with an untrusted certificate");
    assert!(matches!(err, TlsError::Handshake { .. }), "{err:?}");
    assert_eq!(
        err.certificate_error(),
        Some(&rustls::CertificateError::UnknownIssuer),
        "{err:?}"
    );
}

/// The certificate is for localhost / 127.0.0.1 / 127.0.0.2; verifying it
/// for any other name must fail even though the CA is trusted.
#[tokio::test]
async fn imaps_fails_closed_on_wrong_host_name() {
    let servers = support::servers();
    let config = client_config(Some(&servers.ca_pem_bytes())).expect("config");
    let tcp = tokio::net::TcpStream::connect((servers.host.as_str(), servers.imaps))
        .await
        .expect("TCP connect");
    let name = rustls::pki_types::ServerName::try_from("mail.example.test").expect("name");
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_rustls::TlsConnector::from(config).connect(name, tcp),
    )
    .await
    .expect("handshake timed out");
    let err = result
        .map(|_| ())
        .expect_err("handshake succeeded for a name not in the certificate");
    let rustls_err = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    assert!(
        matches!(
            rustls_err,
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. }
            ))
        ),
        "{err:?}"
    );
}

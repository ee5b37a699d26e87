//! What the sending tests share: accounts that send through the test
//! Postfix, a message to send, and waiting for its delivery in Dovecot.

use super::server;
use futures::TryStreamExt;
use poshta::Service;
use poshta::account::{NewAccount, Protocol, Security, Server};
use poshta::mime::compose::{Outgoing, OutgoingAttachment};
use poshta::model::AccountId;
use std::time::{Duration, Instant};

pub async fn account(
    home: &std::path::Path,
    incoming: Server,
    outgoing: Server,
    email: &str,
) -> (Service, AccountId) {
    let service = Service::load(home.to_path_buf()).await.unwrap();
    let account = service
        .add_account(NewAccount {
            name: "Sender".into(),
            email: email.into(),
            incoming,
            outgoing: Some(outgoing),
        })
        .await
        .unwrap();
    (service, account)
}

/// A dot and `From ` at line starts, and a line long enough to go out
/// flowed (RFC 3676) in several pieces.
pub const BODY: &str = "Сәлем!\n.a line with a leading dot\nFrom here on.\n\
    Бұл жол өте ұзын: ол бірнеше бөлікке бөлініп жіберіледі, бірақ оқырман оны \
    қайтадан бір жол етіп біріктіреді. Ši eilutė taip pat ilga, labai ilga.\n";

/// A POP3 account of `sender`'s that sends over implicit TLS, its
/// password given, in a fresh profile (kept as long as the first value).
pub async fn pop3_sender(sender: &super::User) -> (tempfile::TempDir, Service, AccountId) {
    let servers = super::servers();
    let home = tempfile::tempdir().unwrap();
    let (service, account) = account(
        home.path(),
        server(Protocol::Pop3, servers.pop3s, Security::Tls, sender),
        server(Protocol::Smtp, servers.submissions, Security::Tls, sender),
        &sender.address,
    )
    .await;
    service.set_password(account, sender.password.clone());
    (home, service, account)
}

pub fn draft(to: &str, subject: &str) -> Outgoing {
    Outgoing {
        to: vec![format!("Боб <{to}>")],
        bcc: vec!["hidden@example.test".into()],
        subject: subject.into(),
        body: BODY.into(),
        attachments: vec![OutgoingAttachment {
            name: "есеп 2026.pdf".into(),
            mime_type: "application/pdf".into(),
            data: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3 not really a PDF\n".to_vec(),
        }],
        ..Outgoing::default()
    }
}

/// The outbox entry `id`, which must be `account`'s.
pub async fn outgoing(
    service: &Service,
    account: AccountId,
    id: i64,
) -> poshta::store::outbox::Outgoing {
    let message = service.outgoing(id).await.unwrap();
    assert_eq!(message.account, account);
    message
}

/// The raw message with this Message-ID in `user`'s `mailbox`, waiting
/// for delivery.
pub async fn wait_for(user: &super::User, mailbox: &str, message_id: &str) -> Vec<u8> {
    let servers = super::servers();
    let mut session = super::imap::login(servers, user).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        session.select(mailbox).await.unwrap();
        let uids = session
            .uid_search(format!("HEADER Message-ID \"<{message_id}>\""))
            .await
            .unwrap();
        if let Some(uid) = uids.iter().next() {
            assert_eq!(uids.len(), 1, "exactly one copy");
            let fetched: Vec<_> = session
                .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            let _ = session.logout().await;
            return fetched[0].body().unwrap().to_vec();
        }
        assert!(
            Instant::now() < deadline,
            "{message_id} not in {mailbox}\n{}",
            servers.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

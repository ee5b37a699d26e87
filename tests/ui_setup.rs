//! Account setup in the window, walked as a user would: the address and
//! password typed, the settings discovered (autoconfig over HTTPS, names
//! from dnsmasq) and shown, a test against Dovecot and Postfix whose
//! certificates this machine does not trust, each certificate decided on
//! in its dialog, and the account added with exactly those certificates
//! pinned. Also: a bad address, manual mode, and declining a certificate.
#![cfg(feature = "gui")]

mod support;

use iced_test::selector::id;
use poshta::Service;
use poshta::account::Protocol;
use poshta::net::tls::sha256;
use poshta::ui::screen::mailbox::{Mailbox, Message, Status};
use poshta::ui::screen::setup::{self, Field, Side, Step};
use support::ui::{send, settle, simulator};

/// Click the widget showing `target` and apply what it sends.
async fn click(mailbox: &mut Mailbox, target: &str) {
    let messages: Vec<Message> = {
        let mut ui = simulator(mailbox);
        ui.click(target)
            .unwrap_or_else(|e| panic!("cannot click: {e:?}"));
        ui.into_messages().collect()
    };
    send(mailbox, messages).await;
}

/// Type `text` into the field with widget id `field`.
async fn type_into(mailbox: &mut Mailbox, field: &'static str, text: &str) {
    let messages: Vec<Message> = {
        let mut ui = simulator(mailbox);
        ui.click(id(field)).unwrap();
        ui.typewrite(text);
        ui.into_messages().collect()
    };
    send(mailbox, messages).await;
}

fn shows(mailbox: &Mailbox, text: &str) -> bool {
    simulator(mailbox).find(text).is_ok()
}

async fn fresh() -> (tempfile::TempDir, Service, Mailbox) {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::load(dir.path().to_path_buf()).await.unwrap();
    service.set_discovery_settings(support::discovery::settings());
    let (mut mailbox, task) = Mailbox::new(service.clone());
    settle(&mut mailbox, task).await;
    (dir, service, mailbox)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizard_discovers_tests_asks_about_certificates_and_adds_the_account() {
    let servers = support::servers();
    let carol = servers.user("carol");
    let (_dir, service, mut mailbox) = fresh().await;
    let server_pin = sha256(&pem_der(&servers.server_cert));

    click(&mut mailbox, "Add account…").await;
    assert!(shows(&mailbox, "Add a mail account"));
    type_into(&mut mailbox, setup::NAME_ID, "Carol Test").await;
    type_into(&mut mailbox, setup::EMAIL_ID, "carol@isp.test").await;
    type_into(&mut mailbox, setup::PASSWORD_ID, &carol.password).await;
    // This test keeps no password in any keyring.
    click(&mut mailbox, "Remember the password in the system keyring").await;
    click(&mut mailbox, "Continue").await;

    // Review: what autoconfig offered, nothing sent yet.
    let wizard = mailbox.setup().expect("setup is open");
    assert_eq!(wizard.step(), Step::Review);
    assert!(shows(
        &mailbox,
        "Found in the settings your provider publishes."
    ));
    assert!(shows(&mailbox, "Your provider offers both."));
    assert_eq!(wizard.protocol, Protocol::Imap);
    assert_eq!(wizard.incoming.host, "localhost");
    assert_eq!(wizard.incoming.port, servers.imaps.to_string());
    assert_eq!(wizard.incoming.username, carol.address);
    assert_eq!(
        wizard.outgoing.port,
        servers.submission_starttls.to_string()
    );
    // POP3 is one choice away, with its own discovered server.
    let choose = |p| vec![Message::Setup(setup::Message::Protocol(p))];
    send(&mut mailbox, choose(Protocol::Pop3)).await;
    assert_eq!(
        mailbox.setup().unwrap().incoming.port,
        servers.pop3s.to_string()
    );
    assert!(shows(&mailbox, "Incoming mail (POP3)"));
    send(&mut mailbox, choose(Protocol::Imap)).await;
    assert_eq!(
        mailbox.setup().unwrap().incoming.port,
        servers.imaps.to_string()
    );

    // The test: this machine does not trust the servers' CA, so IMAP's
    // certificate is put to the user first...
    click(&mut mailbox, "Test").await;
    assert_eq!(mailbox.setup().unwrap().step(), Step::Tested);
    let imap_at = format!("localhost:{}", servers.imaps);
    assert!(shows(
        &mailbox,
        &format!("The certificate of {imap_at} could not be verified")
    ));
    assert!(shows(
        &mailbox,
        "It was not issued by an authority this computer trusts."
    ));
    let fingerprint = poshta::net::tls::hex(&server_pin);
    assert!(shows(
        &mailbox,
        &format!("{}\n{}", &fingerprint[..47], &fingerprint[48..])
    ));
    assert!(shows(&mailbox, "CN=localhost"), "the subject is shown");
    click(
        &mut mailbox,
        &format!("Trust this certificate for {imap_at}"),
    )
    .await;

    // ...then, IMAP logged in, the submission server's.
    let smtp_at = format!("localhost:{}", servers.submission_starttls);
    assert!(shows(
        &mailbox,
        &format!("The certificate of {smtp_at} could not be verified")
    ));
    assert!(shows(&mailbox, "Connected and logged in."), "IMAP passed");
    click(
        &mut mailbox,
        &format!("Trust this certificate for {smtp_at}"),
    )
    .await;
    assert!(mailbox.setup().unwrap().tested_ok());

    click(&mut mailbox, "Finish").await;
    assert!(
        mailbox.setup().is_none(),
        "setup closes once the account is added"
    );
    assert_eq!(
        mailbox.status(),
        &Status::Done("The account was added.".into())
    );
    let account = service
        .accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name == "Carol Test")
        .expect("the account is in the store");
    let settings = service.account_settings(account.id).await.unwrap();
    assert_eq!(settings.email.as_deref(), Some("carol@isp.test"));
    let incoming = settings.incoming.unwrap();
    assert_eq!(
        (incoming.protocol, incoming.port),
        (Protocol::Imap, servers.imaps)
    );
    assert_eq!(
        incoming.pinned_sha256,
        Some(server_pin),
        "exactly that certificate"
    );
    assert_eq!(settings.outgoing.unwrap().pinned_sha256, Some(server_pin));
    // The password was given for this session: the account works now.
    let test = service.test_account(account.id).await.unwrap();
    test.incoming.unwrap();
    test.outgoing.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_addresses_manual_mode_and_a_declined_certificate() {
    let servers = support::servers();
    let carol = servers.user("carol");
    let (_dir, service, mut mailbox) = fresh().await;

    click(&mut mailbox, "Add account…").await;
    type_into(&mut mailbox, setup::EMAIL_ID, "carol at example").await;
    type_into(&mut mailbox, setup::PASSWORD_ID, &carol.password).await;
    click(&mut mailbox, "Continue").await;
    assert!(shows(
        &mailbox,
        "Enter a whole e-mail address, like name@example.com."
    ));
    assert_eq!(mailbox.setup().unwrap().step(), Step::Identity);

    // By hand: every field empty but the user name, and Test says what
    // is missing instead of connecting.
    send(
        &mut mailbox,
        vec![Message::Setup(setup::Message::Email(carol.address.clone()))],
    )
    .await;
    click(&mut mailbox, "Set up by hand").await;
    assert!(shows(&mailbox, "Enter the servers your provider gave you."));
    assert_eq!(mailbox.setup().unwrap().incoming.username, carol.address);
    click(&mut mailbox, "Test").await;
    assert!(shows(
        &mailbox,
        "Enter the incoming server's name, port and user name."
    ));

    type_into(
        &mut mailbox,
        setup::input_id(Side::Incoming, Field::Host),
        "localhost",
    )
    .await;
    send(
        &mut mailbox,
        vec![Message::Setup(setup::Message::Input(
            Side::Incoming,
            Field::Port,
            servers.imaps.to_string(),
        ))],
    )
    .await;
    assert_eq!(
        mailbox.setup().unwrap().incoming.port,
        servers.imaps.to_string()
    );
    click(&mut mailbox, "Test").await;
    assert!(shows(
        &mailbox,
        &format!(
            "The certificate of localhost:{} could not be verified",
            servers.imaps
        )
    ));
    click(&mut mailbox, "Don't trust").await;
    assert_eq!(mailbox.setup().unwrap().step(), Step::Review);
    assert!(shows(
        &mailbox,
        "The certificate was not trusted, so Poshta did not connect. Check the server name, or ask your provider."
    ));

    // Esc closes setup; nothing was added.
    send(&mut mailbox, vec![Message::Setup(setup::Message::Cancel)]).await;
    assert!(mailbox.setup().is_none());
    assert!(
        service
            .accounts()
            .await
            .unwrap()
            .iter()
            .all(|a| a.email.is_none())
    );
}

/// The DER of the first certificate in a PEM file.
fn pem_der(path: &std::path::Path) -> Vec<u8> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    CertificateDer::pem_file_iter(path)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .to_vec()
}

#[tokio::test]
async fn with_two_inboxes_the_tree_offers_all_inboxes_with_their_unread_count() {
    let (_dir, service, _) = support::ui::seeded().await;
    let local_unread = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.role == Some(poshta::model::Role::Inbox))
        .unwrap()
        .unread;
    let (mut mailbox, task) = Mailbox::new(service.clone());
    settle(&mut mailbox, task).await;
    assert!(!mailbox.tree().folders().is_empty(), "the tree is loaded");
    // One Inbox: nothing to merge.
    assert!(mailbox.tree().all_inboxes_unread().is_none());

    // A second account, a second Inbox.
    let server = poshta::account::Server {
        protocol: Protocol::Pop3,
        host: "pop.example.kz".into(),
        port: 995,
        security: poshta::account::Security::Tls,
        username: "shop@example.kz".into(),
        extra_ca_pem: None,
        pinned_sha256: None,
    };
    service
        .add_account(poshta::account::NewAccount {
            name: "Shop".into(),
            email: "shop@example.kz".into(),
            incoming: server,
            outgoing: None,
        })
        .await
        .unwrap();
    let (mut mailbox, task) = Mailbox::new(service.clone());
    settle(&mut mailbox, task).await;
    assert_eq!(mailbox.tree().all_inboxes_unread(), Some(local_unread));
    assert!(shows(&mailbox, "All Inboxes"));
    click(&mut mailbox, "All Inboxes").await;
    assert_eq!(
        mailbox.list().folder(),
        Some(poshta::model::FolderId::ALL_INBOXES)
    );
    let total = service
        .message_count(
            poshta::model::FolderId::ALL_INBOXES,
            poshta::model::ListQuery::default(),
        )
        .await
        .unwrap();
    assert!(total > 0);
    assert_eq!(
        mailbox.list().count(),
        total,
        "every Inbox's messages are listed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_dialog_edits_an_account_and_tests_before_saving() {
    let servers = support::servers();
    let user = servers.user("pop9");
    let (_dir, service, _) = fresh().await;
    let server = |protocol, port| poshta::account::Server {
        protocol,
        host: servers.tls_host.clone(),
        port,
        security: poshta::account::Security::Tls,
        username: user.login().into(),
        extra_ca_pem: Some(servers.ca_pem_bytes()),
        pinned_sha256: None,
    };
    let account = service
        .add_account(poshta::account::NewAccount {
            name: "Shop".into(),
            email: user.address.clone(),
            incoming: server(Protocol::Pop3, servers.pop3s),
            outgoing: Some(server(Protocol::Smtp, servers.submissions)),
        })
        .await
        .unwrap();
    service.set_password(account, user.password.clone());
    let inbox = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == account && f.role == Some(poshta::model::Role::Inbox))
        .unwrap();
    let (mut mailbox, task) = Mailbox::new(service.clone());
    settle(&mut mailbox, task).await;
    let select = poshta::ui::component::folder_tree::Message::Select(inbox.id);
    send(&mut mailbox, vec![Message::Tree(select)]).await;

    click(&mut mailbox, "Account settings…").await;
    let wizard = mailbox.setup().expect("setup opens on the account");
    assert_eq!(wizard.editing(), Some(account));
    assert_eq!(wizard.step(), Step::Review);
    assert_eq!(
        (wizard.name.as_str(), wizard.protocol),
        ("Shop", Protocol::Pop3)
    );
    assert!(shows(
        &mailbox,
        "Change the account and test it again before it is saved."
    ));
    let edit = |m| vec![Message::Setup(m)];
    send(
        &mut mailbox,
        edit(setup::Message::Name("Shop, Almaty".into())),
    )
    .await;
    // The certificate is for 127.0.0.1 too: the CA still vouches for it.
    let host = setup::Message::Input(Side::Incoming, Field::Host, servers.host.clone());
    send(&mut mailbox, edit(host)).await;
    // Finish is only offered once both servers passed the test.
    click(&mut mailbox, "Test").await;
    assert!(
        mailbox.setup().unwrap().tested_ok(),
        "logged in with the session's password"
    );
    click(&mut mailbox, "Finish").await;
    assert!(mailbox.setup().is_none());
    assert_eq!(
        mailbox.status(),
        &Status::Done("The account settings were saved.".into())
    );
    let settings = service.account_settings(account).await.unwrap();
    assert_eq!(settings.name, "Shop, Almaty");
    assert_eq!(settings.incoming.unwrap().host, servers.host);
    assert_eq!(settings.outgoing.unwrap().port, servers.submissions);
}

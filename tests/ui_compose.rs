//! The composer in the window: "Write" opens it with From preset, the
//! fields are typed into, "Send" hands the message to the outbox and
//! Postfix (read back from Dovecot), and Esc asks before throwing away
//! what was written.
#![cfg(feature = "gui")]

mod support;

use futures::TryStreamExt;
use iced_test::selector::id;
use poshta::Service;
use poshta::account::{NewAccount, Protocol, Security, Server};
use poshta::model::Role;
use poshta::ui::component::{composer, folder_tree, message_list};
use poshta::ui::screen::mailbox::{Mailbox, Message, Status};
use support::ui::{send, settle, simulator};

/// Open the newest message of `folder` and click `button` in the reader.
async fn respond_to_newest(mailbox: &mut Mailbox, folder: poshta::model::FolderId, button: &str) {
    send(
        mailbox,
        vec![
            Message::Tree(folder_tree::Message::Select(folder)),
            Message::List(message_list::Message::Pressed(0)),
        ],
    )
    .await;
    let messages: Vec<_> = {
        let mut ui = simulator(mailbox);
        ui.click(button).unwrap();
        ui.into_messages().collect()
    };
    send(mailbox, messages).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_written_sent_and_filed_in_sent() {
    let servers = support::servers();
    let (me, bob) = (servers.user("pop3"), servers.user("bob"));
    let server = |protocol, port| Server {
        protocol,
        host: servers.tls_host.clone(),
        port,
        security: Security::Tls,
        username: me.login().into(),
        extra_ca_pem: Some(servers.ca_pem_bytes()),
        pinned_sha256: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let service = Service::load(dir.path().to_path_buf()).await.unwrap();
    let account = service
        .add_account(NewAccount {
            name: "Shop".into(),
            email: me.address.clone(),
            incoming: server(Protocol::Pop3, servers.pop3s),
            outgoing: Some(server(Protocol::Smtp, servers.submissions)),
        })
        .await
        .unwrap();
    service.set_password(account, me.password.clone());
    let (mut mailbox, task) = Mailbox::new(service.clone());
    settle(&mut mailbox, task).await;

    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click("Write").unwrap();
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    let composer = mailbox.composer().expect("the composer is open");
    assert_eq!(
        composer.from.as_ref().map(|s| s.label.as_str()),
        Some(format!("Shop <{}>", me.address).as_str())
    );
    let subject = support::unique("Сәлем from the window");
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        assert!(ui.find("Send").is_ok());
        ui.click(id(composer::TO_INPUT_ID)).unwrap();
        ui.typewrite(&bob.address);
        ui.click(id(composer::BODY_ID)).unwrap();
        ui.typewrite("Hello Bob,");
        // Enter is a new line (Ctrl+Enter would send).
        ui.tap_key(iced::keyboard::key::Named::Enter);
        ui.typewrite("the parcel left today.");
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    send(
        &mut mailbox,
        vec![Message::Composer(composer::Message::Subject(
            subject.clone(),
        ))],
    )
    .await;
    let composer = mailbox.composer().unwrap();
    assert_eq!(composer.to, bob.address);
    assert_eq!(
        composer.body.text().trim_end(),
        "Hello Bob,\nthe parcel left today."
    );
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click("Send").unwrap();
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert!(mailbox.composer().is_none(), "closed once sent");
    assert_eq!(mailbox.status(), &Status::Done("Message sent.".into()));
    assert!(simulator(&mailbox).find("Message sent.").is_ok());

    // Bob has it; the account's Sent has its copy.
    let mut session = support::imap::login(servers, bob).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        session.select("INBOX").await.unwrap();
        let found = session
            .uid_search(format!("SUBJECT \"{}\"", subject.replace('"', "")))
            .await
            .unwrap();
        if !found.is_empty() {
            let uid = found.iter().next().unwrap().to_string();
            let fetched: Vec<_> = session
                .uid_fetch(uid, "BODY.PEEK[TEXT]")
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            let text = String::from_utf8_lossy(fetched[0].text().unwrap()).into_owned();
            assert!(text.contains("the parcel left today."), "{text}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not delivered");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let sent = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Sent))
        .unwrap();
    let rows = service
        .message_page(sent.id, poshta::model::ListQuery::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(rows[0].subject, subject);

    // Reply to it from the reader: back to Bob (it was our own message),
    // "Re:", the text quoted, threaded; once sent, the original is marked
    // answered.
    respond_to_newest(&mut mailbox, sent.id, "Reply").await;
    let composer = mailbox.composer().expect("the reply is open");
    assert_eq!(composer.to, bob.address);
    assert_eq!(composer.subject, format!("Re: {subject}"));
    let body = composer.body.text();
    assert!(
        body.contains("> Hello Bob,\n> the parcel left today."),
        "{body}"
    );
    assert!(body.contains("wrote:"), "{body}");
    let original_id = service
        .message(rows[0].id)
        .await
        .unwrap()
        .message_id
        .unwrap();
    assert_eq!(composer.in_reply_to.as_deref(), Some(original_id.as_str()));
    send(
        &mut mailbox,
        vec![Message::Composer(composer::Message::Send)],
    )
    .await;
    assert_eq!(mailbox.status(), &Status::Done("Message sent.".into()));
    let original = service.message(rows[0].id).await.unwrap();
    assert!(
        original
            .summary
            .flags
            .contains(poshta::model::Flags::ANSWERED)
    );
    let mut session = support::imap::login(servers, bob).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        session.select("INBOX").await.unwrap();
        let found = session
            .uid_search(format!("HEADER In-Reply-To \"{original_id}\""))
            .await
            .unwrap();
        if found.len() == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the reply not delivered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // Forwarded as an attachment: the whole message goes along.
    respond_to_newest(&mut mailbox, sent.id, "Forward as attachment").await;
    let composer = mailbox.composer().expect("the forward is open");
    assert!(composer.to.is_empty());
    assert!(
        composer.subject.starts_with("Fwd: "),
        "{}",
        composer.subject
    );
    assert_eq!(composer.attachments.len(), 1);
    assert_eq!(composer.attachments[0].mime_type, "message/rfc822");
    let shown = mailbox.reader().shown().unwrap();
    assert_eq!(
        composer.attachments[0].data,
        service.raw_message(shown).await.unwrap(),
        "the message as stored"
    );
    // Sent on to Bob: the original is marked forwarded.
    send(
        &mut mailbox,
        vec![
            Message::Composer(composer::Message::To(bob.address.clone())),
            Message::Composer(composer::Message::Send),
        ],
    )
    .await;
    assert_eq!(mailbox.status(), &Status::Done("Message sent.".into()));
    let original = service.message(shown).await.unwrap();
    assert!(
        original
            .summary
            .flags
            .contains(poshta::model::Flags::FORWARDED)
    );

    // A new message: the account's signature is under the text; the
    // address book offers Bob (written to three times now) for "BO", and
    // Enter takes the offer.
    service
        .set_signature(account, "Shop team\nАлматы".into())
        .await
        .unwrap();
    send(&mut mailbox, vec![Message::Write]).await;
    let composer = mailbox.composer().unwrap();
    assert_eq!(
        composer.body.text().trim_end(),
        "\n\n-- \nShop team\nАлматы"
    );
    assert!(composer.is_blank(), "a signature alone is nothing written");
    // A file dropped on the window is attached; a folder is not.
    let dropped = dir.path().join("тапсырыс.pdf");
    std::fs::write(&dropped, b"%PDF-1.4 order").unwrap();
    send(
        &mut mailbox,
        vec![
            Message::FileDropped(dropped),
            Message::FileDropped(dir.path().to_path_buf()),
        ],
    )
    .await;
    let composer = mailbox.composer().unwrap();
    assert_eq!(composer.attachments.len(), 1);
    assert_eq!(composer.attachments[0].name, "тапсырыс.pdf");
    assert_eq!(composer.attachments[0].mime_type, "application/pdf");
    assert_eq!(composer.attachments[0].data, b"%PDF-1.4 order");
    assert!(simulator(&mailbox).find("тапсырыс.pdf (14 B)").is_ok());
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click(id(composer::TO_INPUT_ID)).unwrap();
        ui.typewrite("BO");
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    let offered = mailbox.composer().unwrap().offered(composer::Field::To);
    assert_eq!(offered, std::slice::from_ref(&bob.address));
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        assert!(ui.find(bob.address.as_str()).is_ok(), "the offer is shown");
        ui.click(id(composer::TO_INPUT_ID)).unwrap();
        ui.tap_key(iced::keyboard::key::Named::Enter);
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    let composer = mailbox.composer().unwrap();
    assert_eq!(composer.to, format!("{}, ", bob.address));
    assert!(composer.offered(composer::Field::To).is_empty());
    // Ctrl+S keeps it as a draft without closing.
    send(
        &mut mailbox,
        vec![Message::Composer(composer::Message::SaveDraft)],
    )
    .await;
    assert_eq!(mailbox.status(), &Status::Done("Draft saved.".into()));
    let draft = service.latest_draft().await.unwrap().expect("saved");
    assert_eq!(draft.message.to, std::slice::from_ref(&bob.address));

    // Something written, then Esc: asked first; "Discard" closes.
    send(
        &mut mailbox,
        vec![
            Message::Composer(composer::Message::Subject("draft".into())),
            Message::Composer(composer::Message::Close),
        ],
    )
    .await;
    assert!(mailbox.composer().is_some_and(|c| c.confirm_discard));
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        assert!(ui.find("Throw this message away?").is_ok());
        ui.click("Discard").unwrap();
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert!(mailbox.composer().is_none());

    // Written offline: it waits in the Outbox, which the sidebar offers;
    // there it can be thrown away, and the Outbox leaves the sidebar.
    send(&mut mailbox, vec![Message::ToggleOffline]).await;
    send(&mut mailbox, vec![Message::Write]).await;
    send(
        &mut mailbox,
        vec![
            Message::Composer(composer::Message::To(bob.address.clone())),
            Message::Composer(composer::Message::Subject("Later, please".into())),
            Message::Composer(composer::Message::Send),
        ],
    )
    .await;
    assert!(mailbox.composer().is_none());
    assert_eq!(mailbox.unsent().len(), 1);
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click("Outbox (1)").unwrap();
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert!(mailbox.outbox_open());
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        assert!(ui.find("Later, please").is_ok());
        assert!(
            ui.find("Waiting to be sent (when the account is online).")
                .is_ok()
        );
        ui.click("Discard").unwrap();
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert!(
        mailbox.unsent().is_empty(),
        "{:?} {:?}",
        mailbox.status(),
        mailbox.unsent()
    );
    assert!(service.unsent().await.unwrap().is_empty());
    assert!(simulator(&mailbox).find("Outbox (1)").is_err());
    service.stop(account).await;
}

/// Set in the child process of the test below: the profile to write in.
const COMPOSING_HOME: &str = "POSHTA_TEST_COMPOSING_HOME";
const SAVED: &str = "composing: saved";

/// The child's part: open the window's screen on `home`, write a message
/// until autosave has kept it, say so, and keep writing until killed.
async fn compose_until_killed(home: std::path::PathBuf) {
    let service = Service::load(home).await.unwrap();
    let (mut mailbox, task) = Mailbox::new(service.clone());
    settle(&mut mailbox, task).await;
    send(&mut mailbox, vec![Message::Write]).await;
    send(
        &mut mailbox,
        vec![
            Message::Composer(composer::Message::To("Боб <bob@example.test>".into())),
            Message::Composer(composer::Message::Subject("Жоспар".into())),
            Message::AutosaveTick,
        ],
    )
    .await;
    assert!(!mailbox.composer().unwrap().dirty, "saved");
    println!("{SAVED}");
    loop {
        send(
            &mut mailbox,
            vec![Message::Composer(composer::Message::Cc("c".into()))],
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A process writing a message is killed (SIGKILL) after an autosave; the
/// next start reopens what was saved.
#[tokio::test]
async fn a_message_being_written_survives_a_kill_and_reopens_at_the_next_start() {
    if let Ok(home) = std::env::var(COMPOSING_HOME) {
        return compose_until_killed(home.into()).await;
    }
    let servers = support::servers();
    let me = servers.user("alice");
    let dir = tempfile::tempdir().unwrap();
    let open = || async {
        let service = Service::load(dir.path().to_path_buf()).await.unwrap();
        let (mut mailbox, task) = Mailbox::new(service.clone());
        settle(&mut mailbox, task).await;
        (service, mailbox)
    };
    let smtp = Server {
        protocol: Protocol::Smtp,
        host: servers.tls_host.clone(),
        port: servers.submissions,
        security: Security::Tls,
        username: me.login().into(),
        extra_ca_pem: None,
        pinned_sha256: None,
    };
    let account = Service::load(dir.path().to_path_buf())
        .await
        .unwrap()
        .add_account(NewAccount {
            name: "Work".into(),
            email: me.address.clone(),
            incoming: Server {
                protocol: Protocol::Imap,
                ..smtp.clone()
            },
            outgoing: Some(smtp),
        })
        .await
        .unwrap();
    // The writer, in a process of its own (this test, as the child).
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "a_message_being_written_survives_a_kill_and_reopens_at_the_next_start",
            "--exact",
            "--nocapture",
        ])
        .env(COMPOSING_HOME, dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let saved = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains(SAVED))
    });
    let saved = tokio::time::timeout(std::time::Duration::from_secs(60), saved)
        .await
        .expect("the writer saved within a minute")
        .unwrap();
    assert!(saved, "the writer saved");
    // SIGKILL: no chance to save or close anything.
    child.kill().unwrap();
    child.wait().unwrap();
    let (service, mut mailbox) = open().await;
    let composer = mailbox.composer().expect("recovered");
    assert_eq!(composer.to, "Боб <bob@example.test>");
    assert_eq!(composer.subject, "Жоспар");
    assert_eq!(composer.from.as_ref().map(|s| s.account), Some(account));
    assert_eq!(
        mailbox.status(),
        &Status::Done("A message you were writing was recovered.".into())
    );

    // Thrown away: gone for good, not reopened again.
    send(
        &mut mailbox,
        vec![
            Message::Composer(composer::Message::Close),
            Message::Composer(composer::Message::Discard),
        ],
    )
    .await;
    assert!(mailbox.composer().is_none());
    assert_eq!(service.latest_draft().await.unwrap(), None);
    drop(mailbox);
    drop(service);
    let (_service, mailbox) = open().await;
    assert!(mailbox.composer().is_none());
}

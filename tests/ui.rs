//! The window against a real store: the mailbox screen's update loop with
//! its Tasks run to completion, and the iced simulator clicking and typing
//! on the rendered view (CPU renderer: ICED_TEST_BACKEND=tiny-skia).
#![cfg(feature = "gui")]

mod support;

use iced_test::selector::id;
use poshta::Service;
use poshta::model::{Flags, Role};
use poshta::sync::status::AccountStatus;
use poshta::ui::component::reader::Reader;
use poshta::ui::screen::mailbox::{self, Editor, Mailbox, Message, Status};

use support::ui::{seeded, send, settle, simulator};

#[tokio::test]
async fn opens_on_inbox_with_newest_first_and_counts() {
    let (_dir, _service, mailbox) = seeded().await;
    assert_eq!(mailbox.tree().selected().unwrap().role, Some(Role::Inbox));
    assert_eq!(mailbox.list().count(), 6);
    let (start, rows) = mailbox.list().loaded();
    assert_eq!((start, rows.len()), (0, 6));
    assert!(rows.windows(2).all(|w| w[0].date >= w[1].date));
    let mut ui = simulator(&mailbox);
    for label in [
        "Local Folders",
        "Inbox",
        "Trash",
        "6 messages",
        "Select a message to read it",
    ] {
        assert!(ui.find(label).is_ok(), "{label} not shown");
    }
    assert!(ui.find("6").is_ok(), "unread badge");
}

#[tokio::test]
async fn clicking_a_message_shows_it_and_marks_it_read() {
    let (_dir, service, mut mailbox) = seeded().await;
    let subject = "Office move on Friday - please pack your desk by Thursday";
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click(subject).expect("row is on screen");
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;

    let Reader::Ready(shown) = mailbox.reader() else {
        panic!("reader not ready: {:?}", mailbox.reader());
    };
    let view = &shown.view;
    assert_eq!(view.summary.subject, subject);
    assert!(
        view.body
            .contains("The movers arrive at 7:30 on Friday morning")
    );
    // Marked read on screen, in the store, and in the folder's count.
    assert!(view.summary.flags.contains(Flags::SEEN));
    let folder = view.summary.folder_id;
    assert!(
        stored_flags(&service, folder, subject)
            .await
            .contains(Flags::SEEN)
    );
    assert_eq!(mailbox.tree().selected().unwrap().unread, 5);

    let mut ui = simulator(&mailbox);
    assert!(
        ui.find("Margaret Holloway <margaret.holloway@example.com>")
            .is_ok()
    );
    // The flag button flags it.
    ui.click("Flag").unwrap();
    let messages: Vec<_> = ui.into_messages().collect();
    send(&mut mailbox, messages).await;
    assert!(
        stored_flags(&service, folder, subject)
            .await
            .contains(Flags::FLAGGED)
    );
}

/// The flags the store holds for the message with `subject` in `folder`.
async fn stored_flags(service: &Service, folder: poshta::model::FolderId, subject: &str) -> Flags {
    let rows = service
        .message_page(folder, poshta::model::ListQuery::default(), 0, 100)
        .await
        .unwrap();
    rows.into_iter()
        .find(|m| m.subject == subject)
        .unwrap()
        .flags
}

#[tokio::test]
async fn keyboard_moves_through_the_list() {
    let (_dir, _service, mut mailbox) = seeded().await;
    send(&mut mailbox, vec![Message::SelectNext, Message::SelectNext]).await;
    let ids: Vec<_> = mailbox.list().loaded().1.iter().map(|m| m.id).collect();
    assert_eq!(mailbox.list().selected(), Some(ids[1]));
    assert_eq!(mailbox.reader().shown(), Some(ids[1]));
    send(&mut mailbox, vec![Message::SelectPrevious]).await;
    assert_eq!(mailbox.reader().shown(), Some(ids[0]));
}

#[tokio::test]
async fn a_folder_is_created_by_typing_its_name_then_renamed_and_deleted() {
    let (_dir, service, mut mailbox) = seeded().await;
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click("New folder").unwrap();
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert!(matches!(mailbox.editor(), Some(Editor::Create { .. })));

    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click(id(mailbox::EDITOR_INPUT_ID)).unwrap();
        ui.typewrite("Receipts");
        ui.tap_key(iced::keyboard::key::Named::Enter);
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert!(mailbox.editor().is_none(), "status: {:?}", mailbox.status());
    let created = mailbox.tree().selected().unwrap().clone();
    assert_eq!(created.name, "Receipts");
    assert!(
        service
            .folders()
            .await
            .unwrap()
            .iter()
            .any(|f| f.name == "Receipts")
    );

    // Renaming onto a sibling's name keeps the prompt open with a clear
    // message, so the user can correct it.
    let other = service
        .create_folder(created.account_id, None, "Bills".into())
        .await
        .unwrap();
    send(
        &mut mailbox,
        vec![
            Message::RenameFolder,
            Message::EditorInput("Bills".into()),
            Message::EditorSubmit,
        ],
    )
    .await;
    assert!(matches!(mailbox.editor(), Some(Editor::Rename { .. })));
    let status = format!("{:?}", mailbox.status());
    assert!(status.contains("NameTaken"), "{status}");
    assert!(
        simulator(&mailbox)
            .find("A folder with that name already exists here.")
            .is_ok()
    );

    send(
        &mut mailbox,
        vec![Message::EditorInput("Paid".into()), Message::EditorSubmit],
    )
    .await;
    assert_eq!(mailbox.tree().selected().unwrap().name, "Paid");

    send(&mut mailbox, vec![Message::DeleteFolder]).await;
    assert!(matches!(
        mailbox.editor(),
        Some(Editor::Delete { forever: false, .. })
    ));
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        assert!(
            ui.find("Delete “Paid”? Its messages move to Trash.")
                .is_ok()
        );
        ui.click(id(mailbox::EDITOR_CONFIRM_ID)).unwrap();
        ui.into_messages().collect()
    };
    // The confirmation's Delete button submits.
    assert!(
        messages.iter().any(|m| matches!(m, Message::EditorSubmit)),
        "{messages:?}"
    );
    send(&mut mailbox, messages).await;
    let names: Vec<_> = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert!(!names.contains(&"Paid".to_string()));
    assert!(names.contains(&"Bills".to_string()), "{other}");
}

#[tokio::test]
async fn get_messages_asks_for_the_password_then_syncs_an_imap_account() {
    use poshta::account::{NewAccount, Protocol, Security, Server};

    let servers = support::servers();
    let alice = servers.user("alice");
    for n in 0..3 {
        let raw = format!(
            "From: Bob <bob@example.test>\r\nTo: {}\r\nSubject: Window sync {n}\r\n\
             Message-ID: <ui-sync-{n}@example.test>\r\n\r\nHello {n}\r\n",
            alice.address
        );
        servers.deliver("alice", raw.as_bytes());
    }
    let dir = tempfile::tempdir().unwrap();
    let service = Service::load(dir.path().to_path_buf()).await.unwrap();
    let account = service
        .add_account(NewAccount {
            name: "Dovecot".into(),
            email: alice.address.clone(),
            incoming: Server {
                protocol: Protocol::Imap,
                host: servers.tls_host.clone(),
                port: servers.imaps,
                security: Security::Tls,
                username: alice.login().into(),
                extra_ca_pem: Some(servers.ca_pem_bytes()),
                pinned_sha256: None,
            },
            outgoing: None,
        })
        .await
        .unwrap();
    let (mut mailbox, task) = Mailbox::new(service.clone());
    settle(&mut mailbox, task).await;
    let mut events = service.subscribe();

    // A wrong password is reported in words and forgotten, so the next
    // "Get messages" asks again. (Neither is kept in a keyring: a test
    // never writes to the one of the desktop it runs on.)
    send(
        &mut mailbox,
        vec![
            Message::GetMessages,
            Message::EditorInput("wrong password".into()),
            Message::EditorRemember(false),
            Message::EditorSubmit,
        ],
    )
    .await;
    follow(&mut mailbox, &mut events, |m| {
        matches!(m.status(), Status::Account(_, AccountStatus::Error { .. }))
    })
    .await;
    match mailbox.status() {
        Status::Account(_, AccountStatus::Error { kind, retry_in, .. }) => {
            assert_eq!(*kind, poshta::ErrorKind::Authentication);
            assert_eq!(*retry_in, None, "no retrying a refused password");
        }
        other => panic!("expected an authentication error: {other:?}"),
    }
    assert!(
        simulator(&mailbox)
            .find("Dovecot: The server did not accept the user name or password.")
            .is_ok()
    );
    assert!(!service.has_password(account));

    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click("Get messages").unwrap();
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert!(matches!(mailbox.editor(), Some(Editor::Password { .. })));

    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        assert!(ui.find("Password for Dovecot").is_ok());
        // Kept in the keyring unless unticked (here: for this session only).
        ui.click("Remember in the system keyring").unwrap();
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert!(matches!(
        mailbox.editor(),
        Some(Editor::Password {
            remember: false,
            ..
        })
    ));
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click(id(mailbox::EDITOR_INPUT_ID)).unwrap();
        ui.typewrite(&alice.password);
        ui.tap_key(iced::keyboard::key::Named::Enter);
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert!(mailbox.editor().is_none());
    // Mid-sync, the status line and the tree say where it stands.
    follow(&mut mailbox, &mut events, |m| {
        matches!(m.status(), Status::Account(_, AccountStatus::Syncing(p)) if p.folder_count > 0)
    })
    .await;
    {
        let mut ui = simulator(&mailbox);
        let Status::Account(_, AccountStatus::Syncing(p)) = mailbox.status() else {
            unreachable!()
        };
        let line = format!(
            "Dovecot: {} ({} of {}), {} of {} new",
            p.folder,
            p.folder_index + 1,
            p.folder_count,
            p.fetched,
            p.to_fetch
        );
        assert!(ui.find(line.as_str()).is_ok(), "{line}");
        let badge = format!("syncing {}/{}", p.folder_index + 1, p.folder_count);
        assert!(ui.find(badge.as_str()).is_ok(), "{badge}");
    }
    follow(&mut mailbox, &mut events, |m| {
        matches!(m.status(), Status::Account(_, AccountStatus::Online { .. }))
    })
    .await;
    // The account is a root of the tree with its INBOX's unread count.
    let inbox = mailbox
        .tree()
        .folders()
        .iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Inbox))
        .unwrap()
        .clone();
    assert!(inbox.unread >= 3);
    let mut ui = simulator(&mailbox);
    assert!(ui.find("Dovecot").is_ok());
    assert!(
        ui.find("online").is_ok(),
        "the tree shows the account online"
    );
    assert!(
        ui.find("Dovecot: up to date; new mail arrives as it comes.")
            .is_ok()
    );
    drop(ui);

    // Opening a folder other than the Inbox has the service watch it over a
    // second connection; back on the Inbox, that connection ends.
    let archive = mailbox
        .tree()
        .folders()
        .iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Archive))
        .unwrap()
        .id;
    let select = |id| Message::Tree(poshta::ui::component::folder_tree::Message::Select(id));
    send(&mut mailbox, vec![select(archive)]).await;
    assert_eq!(service.watched_folder(), Some(archive));
    send(&mut mailbox, vec![select(inbox.id)]).await;
    assert_eq!(service.watched_folder(), None);
    service.stop(account).await;
}

/// Feed the service's live events to the screen until `done` holds.
async fn follow(
    mailbox: &mut Mailbox,
    events: &mut tokio::sync::broadcast::Receiver<poshta::sync::status::Event>,
    done: impl Fn(&Mailbox) -> bool,
) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !done(mailbox) {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out; status: {:?}", mailbox.status()))
            .unwrap();
        send(mailbox, vec![Message::Live(event)]).await;
    }
}

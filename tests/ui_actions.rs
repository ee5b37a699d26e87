//! Acting on messages and folders in the window: choosing several
//! messages, dragging them onto a folder (another account's server folder
//! too), Delete with Undo, permanent deletion after asking, and the folder
//! context menu — through the screen's update loop and the simulator,
//! against a real store.
#![cfg(feature = "gui")]

mod support;

use iced::keyboard::Modifiers;
use iced_test::selector::id;
use poshta::model::{FolderId, Role};
use poshta::ui::component::{folder_menu::Item, folder_tree, message_list};
use poshta::ui::screen::mailbox::{Editor, Mailbox, Message, Status};
use support::ui::{seeded, send, simulator};

fn folder(mailbox: &Mailbox, role: Role) -> FolderId {
    mailbox
        .tree()
        .folders()
        .iter()
        .find(|f| f.role == Some(role) && f.account_id.0 == 1)
        .unwrap()
        .id
}

fn list(message: message_list::Message) -> Message {
    Message::List(message)
}

#[tokio::test]
async fn messages_chosen_with_ctrl_are_dragged_onto_a_folder_and_the_move_undone() {
    let (_dir, service, mut mailbox) = seeded().await;
    let inbox = folder(&mailbox, Role::Inbox);
    let trash = folder(&mailbox, Role::Trash);
    let (_, rows) = mailbox.list().loaded();
    let (first, third) = (rows[0].id, rows[2].id);

    send(
        &mut mailbox,
        vec![
            list(message_list::Message::Pressed(0)),
            Message::MouseReleased,
            Message::Modifiers(Modifiers::CTRL),
            list(message_list::Message::Pressed(2)),
            Message::MouseReleased,
            Message::Modifiers(Modifiers::empty()),
        ],
    )
    .await;
    assert_eq!(mailbox.list().selection(), vec![first, third]);

    // Press one of them, leave its row, let go over Trash.
    send(
        &mut mailbox,
        vec![
            list(message_list::Message::Pressed(2)),
            list(message_list::Message::Left(2)),
            Message::Tree(folder_tree::Message::Hovered(trash)),
        ],
    )
    .await;
    assert_eq!(mailbox.status(), &Status::Dragging(2));
    assert!(
        simulator(&mailbox)
            .find("Drop on a folder to move 2 messages there.")
            .is_ok()
    );
    send(&mut mailbox, vec![Message::MouseReleased]).await;
    assert_eq!(
        service
            .message_count(trash, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        2
    );
    assert_eq!(mailbox.list().count(), 4);
    assert_eq!(
        mailbox.status(),
        &Status::Done("2 messages moved to “Trash”.".into())
    );

    // The status line offers Undo; clicking it puts both back.
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click("Undo").expect("Undo is offered");
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert_eq!(
        service
            .message_count(inbox, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        6
    );
    assert_eq!(
        service
            .message_count(trash, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        mailbox.status(),
        &Status::Done("2 messages put back.".into())
    );
    assert!(simulator(&mailbox).find("Undo").is_err(), "offered once");
}

#[tokio::test]
async fn delete_goes_to_trash_and_in_trash_asks_before_deleting_for_good() {
    let (_dir, service, mut mailbox) = seeded().await;
    let trash = folder(&mailbox, Role::Trash);
    send(
        &mut mailbox,
        vec![list(message_list::Message::Pressed(1)), Message::Delete],
    )
    .await;
    assert_eq!(
        service
            .message_count(trash, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        mailbox.status(),
        &Status::Done("One message moved to Trash.".into())
    );
    send(&mut mailbox, vec![Message::Undo]).await;
    assert_eq!(
        service
            .message_count(trash, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        0
    );

    // Shift+Delete asks first; Cancel keeps the message.
    send(
        &mut mailbox,
        vec![
            list(message_list::Message::Pressed(0)),
            Message::DeleteForever,
        ],
    )
    .await;
    assert!(matches!(
        mailbox.editor(),
        Some(Editor::DeleteMessages { .. })
    ));
    assert!(
        simulator(&mailbox)
            .find("Delete this message for good? This cannot be undone.")
            .is_ok()
    );
    send(&mut mailbox, vec![Message::EditorCancel]).await;
    assert_eq!(mailbox.list().count(), 6);
    send(
        &mut mailbox,
        vec![Message::DeleteForever, Message::EditorSubmit],
    )
    .await;
    assert_eq!(mailbox.list().count(), 5);
    assert_eq!(
        mailbox.status(),
        &Status::Done("One message deleted for good.".into())
    );
}

#[tokio::test]
async fn the_folder_context_menu_opens_on_right_click_and_acts() {
    let (_dir, service, mut mailbox) = seeded().await;
    let inbox = folder(&mailbox, Role::Inbox);
    let trash = folder(&mailbox, Role::Trash);

    // Right click on Inbox: its menu appears under it.
    send(
        &mut mailbox,
        vec![Message::Tree(folder_tree::Message::OpenMenu(inbox))],
    )
    .await;
    assert_eq!(mailbox.tree().menu(), Some(inbox));
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        assert!(ui.find("New subfolder…").is_ok());
        assert!(ui.find("Rename…").is_err(), "Inbox cannot be renamed");
        ui.click("Mark all as read").unwrap();
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert_eq!(mailbox.tree().menu(), None, "closed after choosing");
    assert_eq!(service.folder(inbox).await.unwrap().unread, 0);
    assert_eq!(
        mailbox.status(),
        &Status::Done("6 messages marked as read.".into())
    );

    // The keyboard opens it too (Shift+F10), and Esc closes it.
    send(&mut mailbox, vec![Message::FolderMenu]).await;
    assert_eq!(mailbox.tree().menu(), Some(inbox));
    send(&mut mailbox, vec![Message::CloseMenu]).await;
    assert_eq!(mailbox.tree().menu(), None);

    // New subfolder from the menu goes under the folder.
    send(
        &mut mailbox,
        vec![
            Message::Tree(folder_tree::Message::Chose(inbox, Item::NewSubfolder)),
            Message::EditorInput("Receipts".into()),
            Message::EditorSubmit,
        ],
    )
    .await;
    let receipts = mailbox
        .tree()
        .folders()
        .iter()
        .find(|f| f.name == "Receipts")
        .unwrap()
        .clone();
    assert_eq!(receipts.parent_id, Some(inbox));

    // Empty Trash asks, then deletes everything in it.
    send(
        &mut mailbox,
        vec![
            Message::Tree(folder_tree::Message::Select(inbox)),
            list(message_list::Message::Pressed(0)),
            Message::Delete,
        ],
    )
    .await;
    assert_eq!(
        service
            .message_count(trash, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        1
    );
    send(
        &mut mailbox,
        vec![Message::Tree(folder_tree::Message::OpenMenu(trash))],
    )
    .await;
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click("Empty…").unwrap();
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert!(matches!(
        mailbox.editor(),
        Some(Editor::Empty { count: 1, .. })
    ));
    send(&mut mailbox, vec![Message::EditorSubmit]).await;
    assert_eq!(
        service
            .message_count(trash, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_pop3_account_chooses_what_happens_to_mail_on_the_server() {
    use poshta::account::{NewAccount, Protocol, Security, Server};
    use poshta::store::pop3::Policy;
    use poshta::ui::screen::mailbox::Keep;

    let (_dir, service, _) = seeded().await;
    let account = service
        .add_account(NewAccount {
            name: "Shop".into(),
            email: "shop@example.test".into(),
            incoming: Server {
                protocol: Protocol::Pop3,
                host: "pop.example.test".into(),
                port: 995,
                security: Security::Tls,
                username: "shop".into(),
                extra_ca_pem: None,
                pinned_sha256: None,
            },
            outgoing: None,
        })
        .await
        .unwrap();
    let (mut mailbox, task) = Mailbox::new(service.clone());
    support::ui::settle(&mut mailbox, task).await;
    let inbox = mailbox
        .tree()
        .folders()
        .iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Inbox))
        .unwrap()
        .id;

    send(
        &mut mailbox,
        vec![Message::Tree(folder_tree::Message::OpenMenu(inbox))],
    )
    .await;
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        assert!(ui.find("Sync now").is_ok());
        ui.click("Mail on the server…").unwrap();
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    // Opens on the current choice: left on the server.
    assert!(matches!(
        mailbox.editor(),
        Some(Editor::ServerCopies {
            choice: Keep::Always,
            ..
        })
    ));
    assert!(
        simulator(&mailbox)
            .find("Shop: once a message is on this computer, the copy on the server is:")
            .is_ok()
    );
    // "Deleted after some days", then the days: digits only; then saved.
    send(
        &mut mailbox,
        vec![
            Message::EditorKeep(Keep::Days),
            Message::EditorInput(String::new()),
            Message::EditorInput("3x".into()),
            Message::EditorInput("30".into()),
        ],
    )
    .await;
    // The minutes between checks: 5 (the default) shown; digits only, and
    // none (or 0) cannot be saved.
    assert!(matches!(
        mailbox.editor(),
        Some(Editor::ServerCopies { minutes, .. }) if minutes == "5"
    ));
    send(
        &mut mailbox,
        vec![Message::EditorMinutes("0".into()), Message::EditorSubmit],
    )
    .await;
    assert!(mailbox.editor().is_some(), "0 minutes is not taken");
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        assert!(ui.find("Check for new mail every (minutes):").is_ok());
        ui.click(id(poshta::ui::screen::mailbox::CHECK_INPUT_ID))
            .unwrap();
        ui.tap_key(iced::keyboard::key::Named::Backspace);
        ui.typewrite("15m");
        ui.tap_key(iced::keyboard::key::Named::Enter);
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    assert!(mailbox.editor().is_none());
    assert_eq!(
        service.pop3_policy(account).await.unwrap(),
        Policy::AfterDays(30)
    );
    assert_eq!(
        service.check_interval(account).await.unwrap(),
        Some(std::time::Duration::from_secs(15 * 60))
    );
    assert_eq!(
        mailbox.status(),
        &Status::Done("Shop: setting saved; it applies from the next check.".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_dragged_onto_another_accounts_server_folder_is_uploaded_there() {
    use futures::TryStreamExt;
    let servers = support::servers();
    let alice = servers.user("alice");
    let name = support::unique("ui-upload");
    let mut session = support::imap::login(servers, alice).await;
    session.create(&name).await.unwrap();
    let (_dir, service, _) = seeded().await;
    let account = service
        .add_account(support::mailbox::imap_account(servers, alice))
        .await
        .unwrap();
    service.set_password(account, alice.password.clone());
    service.sync(account, |_| {}).await.unwrap();
    let (mut mailbox, task) = Mailbox::new(service.clone());
    support::ui::settle(&mut mailbox, task).await;
    let local_inbox = folder(&mailbox, Role::Inbox);
    let target = mailbox
        .tree()
        .folders()
        .iter()
        .find(|f| f.account_id == account && f.name == name)
        .unwrap()
        .id;
    send(
        &mut mailbox,
        vec![Message::Tree(folder_tree::Message::Select(local_inbox))],
    )
    .await;
    let (_, rows) = mailbox.list().loaded();
    let dragged = rows[0].id;

    send(
        &mut mailbox,
        vec![
            list(message_list::Message::Pressed(0)),
            list(message_list::Message::Left(0)),
            Message::Tree(folder_tree::Message::Hovered(target)),
            Message::MouseReleased,
        ],
    )
    .await;
    assert_eq!(
        mailbox.status(),
        &Status::Done(format!("One message moved to “{name}”."))
    );
    assert_eq!(
        service
            .message_count(target, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        service
            .message_count(local_inbox, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        5
    );
    // The account went online with the window (its password is known), so
    // its own connection uploads the message; else this does.
    service.push_changes().await.unwrap();
    let mut fetched = Vec::new();
    for _ in 0..100 {
        session.examine(&name).await.unwrap();
        fetched = session
            .uid_fetch("1:*", "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        if !fetched.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(fetched.len(), 1, "uploaded to the server");
    let message_id = service.message(dragged).await.unwrap().message_id.unwrap();
    let header = String::from_utf8_lossy(fetched[0].header().unwrap_or_default()).to_string();
    assert!(header.contains(&message_id), "{header} / {message_id}");
}

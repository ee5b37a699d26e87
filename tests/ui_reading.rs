//! Reading in the window against a real store: a newsletter rendered with
//! its remote content blocked and its links asked about, an attached
//! message read in place, the search box over a folder and over every
//! account, the list's orders, filters and conversations, and a
//! conversation shown as a stack (CPU renderer: ICED_TEST_BACKEND=tiny-skia).
#![cfg(feature = "gui")]

mod support;

use iced_test::selector::id;
use poshta::Service;
use poshta::model::{Flags, FolderId, Role, Sort};
use poshta::ui::component::message_list::{self, SEARCH_ID, Scope};
use poshta::ui::component::reader::{self, Reader};
use poshta::ui::screen::mailbox::{Mailbox, Message};
use std::path::Path;
use support::ui::{send, settle, simulator};

const NEWSLETTER: &str = "This week at Harbour Books: winter reading list";
const FORWARDED: &str = "Fw: Contract renewal terms";

/// Inbox: the newsletter, a forwarded message and three messages of a
/// conversation whose fourth (the reply sent) is in Sent.
async fn reading() -> (tempfile::TempDir, Service, Mailbox) {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::load(dir.path().to_path_buf()).await.unwrap();
    let folders = service.folders().await.unwrap();
    let role = |r| folders.iter().find(|f| f.role == Some(r)).unwrap().id;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for (file, folder) in [
        ("eml/newsletter_html.eml", role(Role::Inbox)),
        ("eml/forwarded_rfc822.eml", role(Role::Inbox)),
        ("mbox/conversation-inbox.mbox", role(Role::Inbox)),
        ("mbox/conversation-sent.mbox", role(Role::Sent)),
    ] {
        service
            .import(fixtures.join(file), folder, |_| {})
            .await
            .unwrap();
    }
    let (mut mailbox, task) = Mailbox::new(service.clone());
    settle(&mut mailbox, task).await;
    (dir, service, mailbox)
}

async fn click(mailbox: &mut Mailbox, label: &str) {
    let messages: Vec<_> = {
        let mut ui = simulator(mailbox);
        ui.click(label)
            .unwrap_or_else(|e| panic!("{label} not on screen: {e:?}"));
        ui.into_messages().collect()
    };
    send(mailbox, messages).await;
}

fn shown(mailbox: &Mailbox) -> &reader::Shown {
    match mailbox.reader() {
        Reader::Ready(shown) => shown,
        other => panic!("reader not ready: {other:?}"),
    }
}

fn on_screen(mailbox: &Mailbox, label: &str) -> bool {
    simulator(mailbox).find(label).is_ok()
}

#[tokio::test]
async fn a_newsletter_shows_its_structure_blocks_remote_content_and_asks_before_a_link() {
    let (_dir, _service, mut mailbox) = reading().await;
    click(&mut mailbox, NEWSLETTER).await;
    let document = &shown(&mailbox).view.rendered.document;
    assert!(document.blocked.len() >= 5, "{:?}", document.blocked);
    let note = format!(
        "Remote content blocked: {} items. Poshta never loads anything from the network to show a message.",
        document.blocked.len()
    );
    assert!(on_screen(&mailbox, &note));
    assert!(on_screen(
        &mailbox,
        "Harbour Books <news@harbourbooks.example>"
    ));
    // The addresses that were not loaded, on request.
    let first_blocked = document.blocked[0].clone();
    assert!(!on_screen(&mailbox, &first_blocked));
    click(&mut mailbox, "Show addresses").await;
    assert!(on_screen(&mailbox, &first_blocked));

    // A link asks first and shows where it goes.
    let target = "https://harbourbooks.example/b/1021?utm_source=nl".to_string();
    send(
        &mut mailbox,
        vec![Message::Reader(reader::Message::LinkClicked(
            target.clone(),
        ))],
    )
    .await;
    assert!(on_screen(
        &mailbox,
        "This link goes to harbourbooks.example. Open it in your browser?"
    ));
    assert!(on_screen(&mailbox, &target));
    click(&mut mailbox, "Cancel").await;
    assert!(!on_screen(&mailbox, &target));

    // Every header, and the source, on request.
    click(&mut mailbox, "All headers").await;
    assert!(on_screen(&mailbox, "Message-ID:"));
    click(&mut mailbox, "View source").await;
    assert!(on_screen(&mailbox, "The message as it arrived"));
}

#[tokio::test]
async fn an_attached_message_opens_in_place_and_back() {
    let (_dir, _service, mut mailbox) = reading().await;
    click(&mut mailbox, FORWARDED).await;
    let attachments = shown(&mailbox).view.attachments.clone();
    let index = attachments
        .iter()
        .position(|a| a.mime_type == "message/rfc822")
        .expect("the forwarded message is an attachment");
    assert!(on_screen(&mailbox, "Save all…"));
    send(
        &mut mailbox,
        vec![Message::Reader(reader::Message::OpenAttachment(index))],
    )
    .await;
    assert!(on_screen(&mailbox, "Attached message"));
    assert!(on_screen(&mailbox, "← Back"));
    assert!(on_screen(&mailbox, "Contract renewal terms"));
    click(&mut mailbox, "← Back").await;
    assert!(!on_screen(&mailbox, "← Back"));
    assert_eq!(shown(&mailbox).view.summary.subject, FORWARDED);
}

#[tokio::test]
async fn the_search_box_says_what_it_searched_and_widens_to_every_account() {
    let (_dir, _service, mut mailbox) = reading().await;
    let messages: Vec<_> = {
        let mut ui = simulator(&mailbox);
        ui.click(id(SEARCH_ID)).unwrap();
        ui.typewrite("Almaty");
        ui.tap_key(iced::keyboard::key::Named::Enter);
        ui.into_messages().collect()
    };
    send(&mut mailbox, messages).await;
    // The three in Inbox; the reply in Sent is outside this folder.
    assert_eq!(mailbox.list().count(), 3);
    let summary = mailbox.list().searching().unwrap().summary.clone();
    assert_eq!(summary, "3 found · local: 5 messages");
    assert!(on_screen(&mailbox, &summary));

    send(
        &mut mailbox,
        vec![Message::List(message_list::Message::SearchScope(
            Scope::All,
        ))],
    )
    .await;
    assert_eq!(mailbox.list().count(), 4);
    let (_, rows) = mailbox.list().loaded();
    assert!(rows.iter().any(|r| r.from_addr == "daniyar@example.com"));

    // Cleared: the folder again.
    click(&mut mailbox, "Clear search").await;
    assert!(mailbox.list().searching().is_none());
    assert_eq!(mailbox.list().count(), 5);
}

#[tokio::test]
async fn the_list_sorts_filters_and_folds_conversations() {
    let (_dir, service, mut mailbox) = reading().await;
    let list = |m: &Mailbox| m.list().loaded().1.to_vec();
    send(
        &mut mailbox,
        vec![Message::List(message_list::Message::Sort(Sort::Sender))],
    )
    .await;
    let senders: Vec<String> = list(&mailbox)
        .iter()
        .map(|r| r.sender().to_lowercase())
        .collect();
    let mut sorted = senders.clone();
    sorted.sort();
    assert_eq!(senders, sorted, "A to Z by sender");

    // Conversations: the three Almaty messages are one row of three.
    send(
        &mut mailbox,
        vec![
            Message::List(message_list::Message::Sort(Sort::Date)),
            Message::List(message_list::Message::ToggleThreads),
        ],
    )
    .await;
    let rows = list(&mailbox);
    assert_eq!(rows.len(), 3);
    let trip = rows.iter().find(|r| r.thread_size > 1).unwrap();
    assert_eq!(trip.subject, "Re: Trip to Almaty in March");
    assert_eq!(trip.from_addr, "dana.ospanova@example.kz", "its newest");
    assert_eq!(trip.thread_size, 3);
    assert!(on_screen(&mailbox, "3"), "the conversation's size");

    // Unread only: read one, and it leaves the filtered list.
    send(
        &mut mailbox,
        vec![Message::List(message_list::Message::ToggleThreads)],
    )
    .await;
    let newsletter = list(&mailbox)
        .into_iter()
        .find(|r| r.subject == NEWSLETTER)
        .unwrap();
    service.set_read(vec![newsletter.id], true).await.unwrap();
    send(
        &mut mailbox,
        vec![Message::List(message_list::Message::ToggleUnread)],
    )
    .await;
    let rows = list(&mailbox);
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| !r.flags.contains(Flags::SEEN)));
}

#[tokio::test]
async fn a_conversation_is_a_stack_across_folders() {
    let (_dir, _service, mut mailbox) = reading().await;
    let newest = mailbox
        .list()
        .loaded()
        .1
        .iter()
        .find(|r| r.from_addr == "dana.ospanova@example.kz")
        .unwrap()
        .clone();
    click(&mut mailbox, "Dana Ospanova").await;
    assert_eq!(shown(&mailbox).view.summary.id, newest.id);
    assert!(on_screen(&mailbox, "Conversation · 4 messages"));
    // The reply that was sent, in Sent, is one of the cards.
    click(&mut mailbox, "Daniyar Akhmetov").await;
    let open = &shown(&mailbox).view.summary;
    assert_eq!(open.from_addr, "daniyar@example.com");
    assert_ne!(open.folder_id, newest.folder_id);
    assert_ne!(open.folder_id, FolderId::ALL_INBOXES);
    assert!(on_screen(&mailbox, "Conversation · 4 messages"));
}

//! Driving the mailbox screen in tests: its update loop with Tasks run
//! to completion, a seeded store, and the iced simulator on its view.

use futures::StreamExt;
use iced::Task;
use iced_runtime::Action;
use poshta::Service;
use poshta::model::Role;
use poshta::ui::screen::mailbox::{Mailbox, Message};
use std::path::Path;

/// Run `task` and everything its messages lead to, until nothing is left.
/// Widget operations (focus, scrolling) need a live window and are skipped.
pub async fn settle(mailbox: &mut Mailbox, task: Task<Message>) {
    let mut queue = vec![task];
    while let Some(task) = queue.pop() {
        let Some(stream) = iced_runtime::task::into_stream(task) else {
            continue;
        };
        let outputs: Vec<Message> = stream
            .filter_map(|action| async move {
                match action {
                    Action::Output(message) => Some(message),
                    _ => None,
                }
            })
            .collect()
            .await;
        for message in outputs {
            queue.push(mailbox.update(message));
        }
    }
}

pub async fn send(mailbox: &mut Mailbox, messages: Vec<Message>) {
    for message in messages {
        let task = mailbox.update(message);
        settle(mailbox, task).await;
    }
}

/// A store with the sample mbox and the fixtures imported into Inbox.
pub async fn seeded() -> (tempfile::TempDir, Service, Mailbox) {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::load(dir.path().to_path_buf()).await.unwrap();
    let inbox = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.role == Some(Role::Inbox))
        .unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    service
        .import(fixtures.join("mbox/sample.mbox"), inbox.id, |_| {})
        .await
        .unwrap();
    service
        .import(fixtures.join("eml/simple_ascii.eml"), inbox.id, |_| {})
        .await
        .unwrap();
    let (mut mailbox, task) = Mailbox::new(service.clone());
    settle(&mut mailbox, task).await;
    (dir, service, mailbox)
}

pub fn simulator(mailbox: &Mailbox) -> iced_test::Simulator<'_, Message> {
    iced_test::simulator(mailbox.view())
}

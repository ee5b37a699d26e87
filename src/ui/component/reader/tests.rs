use super::*;
use crate::model::{Attachment, FolderId, MessageSummary};

fn view(id: i64, flags: Flags) -> Box<MessageView> {
    Box::new(MessageView {
        summary: MessageSummary {
            id: MessageId(id),
            folder_id: FolderId(1),
            subject: "Hi".into(),
            from_name: String::new(),
            from_addr: "a@b".into(),
            date: 0,
            flags,
            has_attachments: false,
            size: 1,
            thread_size: 1,
        },
        to: String::new(),
        cc: String::new(),
        reply_to: String::new(),
        followup_to: String::new(),
        message_id: None,
        references: Vec::new(),
        body: "text".into(),
        attachments: vec![
            attachment("report.pdf", "application/pdf"),
            attachment("invoice\u{202E}fdp.exe", "application/octet-stream"),
            attachment("forwarded.eml", "message/rfc822"),
        ],
        rendered: Default::default(),
    })
}

fn attachment(name: &str, mime_type: &str) -> Attachment {
    Attachment {
        filename: Some(name.into()),
        mime_type: mime_type.into(),
        size: 10,
    }
}

fn ready(id: i64) -> Reader {
    let mut reader = Reader::default();
    reader.open(MessageId(id));
    let action = reader.update(Message::Loaded(MessageId(id), Ok(view(id, Flags::SEEN))));
    assert_eq!(action, Action::LoadConversation(MessageId(id)));
    reader
}

#[test]
fn a_late_load_for_another_message_is_dropped() {
    let mut reader = Reader::default();
    reader.open(MessageId(1));
    reader.open(MessageId(2));
    reader.update(Message::Loaded(MessageId(1), Ok(view(1, Flags::SEEN))));
    assert_eq!(reader.shown(), Some(MessageId(2)));
    assert!(matches!(reader, Reader::Loading(_)));
    reader.update(Message::Loaded(MessageId(2), Ok(view(2, Flags::SEEN))));
    assert!(matches!(reader, Reader::Ready(_)));
}

#[test]
fn actions_ask_for_flag_changes() {
    assert_eq!(Reader::default().update(Message::ToggleFlag), Action::None);
    let mut reader = ready(7);
    assert_eq!(
        reader.update(Message::ToggleFlag),
        Action::SetFlagged(MessageId(7), true)
    );
    reader.set_flags(MessageId(7), Flags::SEEN.with(Flags::FLAGGED, true));
    assert_eq!(
        reader.update(Message::ToggleFlag),
        Action::SetFlagged(MessageId(7), false)
    );
    assert_eq!(
        reader.update(Message::MarkUnread),
        Action::SetRead(MessageId(7), false)
    );
}

#[test]
fn a_link_opens_only_after_it_was_shown() {
    let mut reader = ready(3);
    let target = "https://evil.example/login".to_string();
    assert_eq!(
        reader.update(Message::LinkClicked(target.clone())),
        Action::None
    );
    let Reader::Ready(shown) = &reader else {
        panic!("not ready")
    };
    assert_eq!(shown.link.as_deref(), Some(target.as_str()));
    assert_eq!(reader.update(Message::LinkOpen), Action::OpenLink(target));
    // Asked once: a second Open does nothing.
    assert_eq!(reader.update(Message::LinkOpen), Action::None);
}

#[test]
fn programs_are_asked_about_and_messages_open_in_place() {
    let mut reader = ready(4);
    assert_eq!(
        reader.update(Message::OpenAttachment(0)),
        Action::OpenAttachment(MessageId(4), 0)
    );
    // The right-to-left override hides ".exe": still a program.
    assert_eq!(reader.update(Message::OpenAttachment(1)), Action::None);
    assert_eq!(reader.update(Message::CancelOpen), Action::None);
    assert_eq!(reader.update(Message::OpenAnyway), Action::None);
    reader.update(Message::OpenAttachment(1));
    assert_eq!(
        reader.update(Message::OpenAnyway),
        Action::OpenAttachment(MessageId(4), 1)
    );
    assert_eq!(
        reader.update(Message::OpenAttachment(2)),
        Action::OpenAttached(MessageId(4), 2)
    );
}

#[test]
fn a_taken_name_is_offered_again_under_a_free_one() {
    let mut reader = ready(5);
    assert_eq!(
        reader.update(Message::SaveAttachment(0)),
        Action::SaveAttachment(MessageId(5), 0, "report.pdf".into())
    );
    let dir = std::path::PathBuf::from("/tmp/x");
    reader.offer_name(Conflict {
        index: 0,
        dir: dir.clone(),
        taken: "report.pdf".into(),
        suggested: "report (1).pdf".into(),
    });
    assert_eq!(
        reader.update(Message::SaveAsSuggested),
        Action::SaveTo(MessageId(5), 0, dir, "report (1).pdf".into())
    );
    assert_eq!(reader.update(Message::SaveAsSuggested), Action::None);
}

#[test]
fn sizes_read_like_a_file_manager() {
    assert_eq!(human_size(512), "512 B");
    assert_eq!(human_size(1_234_567), "1.2 MB");
}

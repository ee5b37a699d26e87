//! The reader: the selected message's headers and text body.

use crate::fl;
use crate::mime::reply::Kind;
use crate::model::{Flags, MessageId, MessageView};
use crate::ui::{UiError, icon, theme};
use iced::widget::{Column, button, column, container, row, rule, scrollable, text};
use iced::{Alignment, Element, Fill, Font, Theme, font};

#[derive(Debug, Default)]
pub enum Reader {
    #[default]
    Empty,
    Loading(MessageId),
    Ready(Box<MessageView>),
    Failed(MessageId, UiError),
}

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(MessageId, Result<Box<MessageView>, UiError>),
    MarkUnread,
    ToggleFlag,
    /// Reply, reply to all, or forward the message shown.
    Respond(Kind),
}

#[derive(Debug, PartialEq)]
pub enum Action {
    None,
    SetRead(MessageId, bool),
    SetFlagged(MessageId, bool),
    Respond(Box<MessageView>, Kind),
}

impl Reader {
    pub fn shown(&self) -> Option<MessageId> {
        match self {
            Reader::Empty => None,
            Reader::Loading(id) | Reader::Failed(id, _) => Some(*id),
            Reader::Ready(view) => Some(view.summary.id),
        }
    }

    /// Start showing `id`; the caller loads it and sends `Loaded`.
    pub fn open(&mut self, id: MessageId) {
        *self = Reader::Loading(id);
    }

    pub fn clear(&mut self) {
        *self = Reader::Empty;
    }

    /// Keep the shown flags in step with the list.
    pub fn set_flags(&mut self, id: MessageId, flags: Flags) {
        if let Reader::Ready(view) = self
            && view.summary.id == id
        {
            view.summary.flags = flags;
        }
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Loaded(id, result) => {
                // Only the message still wanted is shown.
                if self.shown() == Some(id) {
                    *self = match result {
                        Ok(view) => Reader::Ready(view),
                        Err(e) => Reader::Failed(id, e),
                    };
                }
                Action::None
            }
            Message::MarkUnread => match self {
                Reader::Ready(view) => Action::SetRead(view.summary.id, false),
                _ => Action::None,
            },
            Message::ToggleFlag => match self {
                Reader::Ready(view) => Action::SetFlagged(
                    view.summary.id,
                    !view.summary.flags.contains(Flags::FLAGGED),
                ),
                _ => Action::None,
            },
            Message::Respond(kind) => match self {
                Reader::Ready(view) => Action::Respond(view.clone(), kind),
                _ => Action::None,
            },
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        match self {
            Reader::Empty => centered(fl!("reader-empty")),
            Reader::Loading(_) => centered(fl!("reader-loading")),
            Reader::Failed(_, error) => centered(error.text()),
            Reader::Ready(view) => message_view(view),
        }
    }
}

fn centered<'a>(label: String) -> Element<'a, Message> {
    container(text(label).size(14).style(|t: &Theme| text::Style {
        color: Some(theme::muted(t)),
    }))
    .center(Fill)
    .into()
}

fn muted_label<'a>(label: String) -> iced::widget::Text<'a> {
    text(label).size(13).style(|t: &Theme| text::Style {
        color: Some(theme::muted(t)),
    })
}

fn header_line<'a>(label: String, value: String) -> Element<'a, Message> {
    row![
        container(muted_label(label)).width(64),
        text(value).size(13).width(Fill)
    ]
    .spacing(8)
    .into()
}

fn respond_buttons<'a>() -> Element<'a, Message> {
    let tool = |label: String, kind: Kind| {
        button(text(label).size(13))
            .style(theme::tool_button)
            .on_press(Message::Respond(kind))
    };
    row![
        tool(fl!("reader-reply"), Kind::Reply),
        tool(fl!("reader-reply-all"), Kind::ReplyAll),
        tool(fl!("reader-forward"), Kind::Forward),
        tool(fl!("reader-forward-attached"), Kind::ForwardAttached),
    ]
    .spacing(8)
    .wrap()
    .into()
}

fn message_view(view: &MessageView) -> Element<'_, Message> {
    let s = &view.summary;
    let subject = if s.subject.is_empty() {
        fl!("list-no-subject")
    } else {
        s.subject.clone()
    };
    let from = s.sender_mailbox();
    let flagged = s.flags.contains(Flags::FLAGGED);
    let actions = row![
        button(text(fl!("reader-mark-unread")).size(13))
            .style(theme::tool_button)
            .on_press(Message::MarkUnread),
        button(
            row![
                icon::view(
                    icon::star(),
                    13.0,
                    if flagged {
                        iced::Color::from_rgb8(0xe0, 0x8e, 0x0b)
                    } else {
                        iced::Color::from_rgb8(0x8a, 0x90, 0x99)
                    }
                ),
                text(if flagged {
                    fl!("reader-unflag")
                } else {
                    fl!("reader-flag")
                })
                .size(13)
            ]
            .spacing(6)
            .align_y(Alignment::Center)
        )
        .style(theme::tool_button)
        .on_press(Message::ToggleFlag),
    ]
    .spacing(8);

    let mut headers = Column::new()
        .spacing(4)
        .push(
            row![
                text(subject)
                    .size(20)
                    .font(Font {
                        weight: font::Weight::Bold,
                        ..Font::DEFAULT
                    })
                    .width(Fill),
                actions
            ]
            .spacing(12)
            .align_y(Alignment::Start),
        )
        .push(respond_buttons())
        .push(iced::widget::space().height(6))
        .push(header_line(fl!("reader-from"), from))
        .push(header_line(fl!("reader-to"), view.to.clone()));
    if !view.cc.is_empty() {
        headers = headers.push(header_line(fl!("reader-cc"), view.cc.clone()));
    }
    headers = headers.push(header_line(fl!("reader-date"), s.local_date()));
    if !view.attachments.is_empty() {
        let names = view
            .attachments
            .iter()
            .map(|a| {
                format!(
                    "{} ({})",
                    a.filename.as_deref().unwrap_or(&a.mime_type),
                    human_size(a.size)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        headers = headers.push(
            row![
                container(icon::view(icon::paperclip(), 14.0, theme::ICON)).width(64),
                text(names).size(13).width(Fill)
            ]
            .spacing(8),
        );
    }
    column![
        container(headers)
            .padding([16, 20])
            .width(Fill)
            .style(theme::header),
        rule::horizontal(1),
        scrollable(
            container(text(view.body.as_str()).size(14))
                .padding([16, 20])
                .width(Fill)
        )
        .height(Fill)
        .width(Fill),
    ]
    .into()
}

/// "1.2 MB"-style sizes with one decimal, decimal units as file managers use.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "kB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FolderId, MessageSummary};

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
            attachments: Vec::new(),
            rendered: Default::default(),
        })
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
        let mut reader = Reader::default();
        assert_eq!(reader.update(Message::ToggleFlag), Action::None);
        reader.open(MessageId(7));
        reader.update(Message::Loaded(MessageId(7), Ok(view(7, Flags::SEEN))));
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
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1_234_567), "1.2 MB");
    }
}

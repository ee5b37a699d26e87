//! The open message's header block: subject, the people with their real
//! addresses always beside their names, the date; every header field on
//! request.

use super::{Message, Shown};
use crate::fl;
use crate::mime::render::{Headers, Mailbox};
use crate::model::Flags;
use crate::ui::{icon, theme};
use iced::widget::{Column, button, column, container, row, scrollable, text};
use iced::{Alignment, Color, Element, Fill, Font, Theme, font};

fn muted_label<'a>(label: String) -> iced::widget::Text<'a> {
    text(label).size(13).style(|t: &Theme| text::Style {
        color: Some(theme::muted(t)),
    })
}

/// "Name <address>, address" with each address shown in full: a display
/// name alone ("PayPal") says nothing about who sent it.
pub fn mailboxes(list: &[Mailbox]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn people<'a>(label: String, list: &'a [Mailbox]) -> Element<'a, Message> {
    line(label, text(mailboxes(list)).size(13).width(Fill).into())
}

fn line<'a>(label: String, value: Element<'a, Message>) -> Element<'a, Message> {
    row![container(muted_label(label)).width(64), value]
        .spacing(8)
        .into()
}

pub fn view<'a>(shown: &'a Shown, headers: &'a Headers) -> Element<'a, Message> {
    let s = &shown.view.summary;
    let subject = if headers.subject.is_empty() {
        fl!("list-no-subject")
    } else {
        headers.subject.clone()
    };
    let flagged = s.flags.contains(Flags::FLAGGED);
    let tool = |label: String, message: Message| {
        button(text(label).size(13))
            .style(theme::tool_button)
            .on_press(message)
    };
    let actions = row![
        tool(fl!("reader-mark-unread"), Message::MarkUnread),
        button(
            row![
                icon::view(
                    icon::star(),
                    13.0,
                    if flagged {
                        Color::from_rgb8(0xe0, 0x8e, 0x0b)
                    } else {
                        Color::from_rgb8(0x8a, 0x90, 0x99)
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
    use crate::mime::reply::Kind;
    let respond = row![
        tool(fl!("reader-reply"), Message::Respond(Kind::Reply)),
        tool(fl!("reader-reply-all"), Message::Respond(Kind::ReplyAll)),
        tool(fl!("reader-forward"), Message::Respond(Kind::Forward)),
        tool(
            fl!("reader-forward-attached"),
            Message::Respond(Kind::ForwardAttached)
        ),
        tool(
            if shown.all_headers {
                fl!("reader-fewer-headers")
            } else {
                fl!("reader-all-headers")
            },
            Message::ToggleHeaders
        ),
        tool(fl!("reader-source"), Message::ShowSource),
    ]
    .spacing(8)
    .wrap();
    let mut out = Column::new()
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
        .push(respond)
        .push(iced::widget::space().height(6));
    out = out.push(people(fl!("reader-from"), &headers.from));
    if !headers.reply_to.is_empty() && headers.reply_to != headers.from {
        out = out.push(people(fl!("reader-reply-to"), &headers.reply_to));
    }
    out = out.push(people(fl!("reader-to"), &headers.to));
    if !headers.cc.is_empty() {
        out = out.push(people(fl!("reader-cc"), &headers.cc));
    }
    out = out.push(line(
        fl!("reader-date"),
        text(s.local_date()).size(13).into(),
    ));
    if shown.all_headers {
        out = out.push(all_fields(&headers.all));
    }
    out.into()
}

/// Every field as the message carries it (decoded and cleaned).
fn all_fields(all: &[(String, String)]) -> Element<'_, Message> {
    let rows = Column::with_children(all.iter().map(|(name, value)| {
        row![
            text(format!("{name}:"))
                .size(12)
                .font(Font::MONOSPACE)
                .width(180),
            text(value.as_str())
                .size(12)
                .font(Font::MONOSPACE)
                .width(Fill)
        ]
        .spacing(8)
        .into()
    }))
    .spacing(2);
    container(scrollable(rows).height(iced::Length::Shrink))
        .max_height(240)
        .padding([6, 0])
        .into()
}

/// The message as it arrived, selectable for copying, in place of the
/// body.
pub fn source(content: &iced::widget::text_editor::Content) -> Element<'_, Message> {
    column![
        row![
            muted_label(fl!("reader-source-title")).width(Fill),
            button(text(fl!("reader-source-close")).size(12))
                .style(theme::tool_button)
                .on_press(Message::CloseSource),
        ]
        .align_y(Alignment::Center),
        iced::widget::text_editor(content)
            .font(Font::MONOSPACE)
            .size(12)
            .height(Fill)
            .on_action(Message::SourceAction),
    ]
    .spacing(6)
    .height(Fill)
    .into()
}

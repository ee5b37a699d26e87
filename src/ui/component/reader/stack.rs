//! A conversation as a stack: every message of the thread, oldest first,
//! as a one-line card (sender, date, subject); the one being read opens
//! in place among them.

use super::Message;
use crate::fl;
use crate::model::{Flags, MessageId, MessageSummary};
use crate::ui::theme;
use iced::widget::{Column, button, container, row, scrollable, text};
use iced::{Alignment, Element, Fill, Font, Theme, font};

/// Cards above and below `open`, whose full view is `reader`.
pub fn view<'a>(
    conversation: &'a [MessageSummary],
    open: MessageId,
    reader: Element<'a, Message>,
) -> Element<'a, Message> {
    let position = conversation.iter().position(|m| m.id == open);
    let card = |m: &'a MessageSummary| -> Element<'a, Message> {
        let unread = !m.flags.contains(Flags::SEEN);
        let weight = if unread {
            font::Weight::Bold
        } else {
            font::Weight::Normal
        };
        button(
            row![
                text(m.sender())
                    .size(13)
                    .font(Font {
                        weight,
                        ..Font::DEFAULT
                    })
                    .width(180),
                text(if m.subject.is_empty() {
                    fl!("list-no-subject")
                } else {
                    m.subject.clone()
                })
                .size(13)
                .width(Fill),
                text(m.local_date())
                    .size(12)
                    .style(|t: &Theme| text::Style {
                        color: Some(theme::muted(t)),
                    }),
            ]
            .spacing(10)
            .align_y(Alignment::Center),
        )
        .style(theme::row(false))
        .padding([6, 20])
        .width(Fill)
        .on_press(Message::ShowInConversation(m.id))
        .into()
    };
    let (before, after) = match position {
        Some(p) => (&conversation[..p], &conversation[p + 1..]),
        None => (conversation, &conversation[..0]),
    };
    let title = container(
        text(fl!("reader-conversation", count = conversation.len()))
            .size(12)
            .style(|t: &Theme| text::Style {
                color: Some(theme::muted(t)),
            }),
    )
    .padding([6, 20]);
    let earlier = Column::new().push(title).extend(before.iter().map(card));
    // Earlier cards scroll on their own when the thread is long, so the
    // open message keeps most of the height.
    let mut out = Column::new()
        .push(container(scrollable(earlier.width(Fill))).max_height(200))
        .push(container(reader).height(Fill));
    if !after.is_empty() {
        out = out.push(
            container(scrollable(
                Column::with_children(after.iter().map(card)).width(Fill),
            ))
            .max_height(160),
        );
    }
    out.width(Fill).height(Fill).into()
}

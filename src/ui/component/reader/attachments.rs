//! The open message's attachments: name (as it will be saved, with its
//! real extension called out), type, size, and Open / Save, plus Save all.

use super::{Message, human_size};
use crate::fl;
use crate::mime::filename::{self, Risk};
use crate::model::Attachment;
use crate::ui::{icon, theme};
use iced::widget::{Column, button, container, row, text};
use iced::{Alignment, Element, Fill, Theme};

/// The name an attachment is shown and saved under.
pub fn shown_name(a: &Attachment) -> String {
    filename::sanitize(a.filename.as_deref(), &a.mime_type)
}

/// Whether opening it runs something: programs and scripts are asked
/// about first.
pub fn is_risky(a: &Attachment) -> bool {
    filename::risk(&shown_name(a), &a.mime_type) == Risk::Executable
}

pub fn view(attachments: &[Attachment]) -> Element<'_, Message> {
    let header = row![
        icon::view(icon::paperclip(), 14.0, theme::ICON),
        text(fl!("attachments-count", count = attachments.len()))
            .size(13)
            .width(Fill),
        button(text(fl!("attachments-save-all")).size(12))
            .style(theme::tool_button)
            .on_press(Message::SaveAll),
    ]
    .spacing(8)
    .align_y(Alignment::Center);
    let mut list = Column::new().spacing(2).push(header);
    for (index, a) in attachments.iter().enumerate() {
        list = list.push(entry(index, a));
    }
    container(list).padding([8, 0]).width(Fill).into()
}

fn entry(index: usize, a: &Attachment) -> Element<'_, Message> {
    let name = shown_name(a);
    // The extension that decides what opens it, always in sight: a name
    // like "report.pdf.exe" must not pass for a PDF.
    let extension = filename::real_extension(&name)
        .map(|e| e.to_uppercase())
        .unwrap_or_else(|| "—".into());
    let risky = is_risky(a);
    let badge = container(
        text(extension)
            .size(11)
            .style(move |t: &Theme| text::Style {
                color: Some(if risky {
                    theme::error_text(t)
                } else {
                    theme::muted(t)
                }),
            }),
    )
    .padding([1, 5])
    .style(theme::tag(3.0));
    let details = text(format!("{} · {}", a.mime_type, human_size(a.size)))
        .size(11)
        .style(|t: &Theme| text::Style {
            color: Some(theme::muted(t)),
        });
    let small = |label: String, message: Message| {
        button(text(label).size(12))
            .style(theme::tool_button)
            .padding([3, 8])
            .on_press(message)
    };
    row![
        container(icon::view(
            if risky {
                icon::program()
            } else {
                icon::for_mime(&a.mime_type)
            },
            16.0,
            theme::ICON
        ))
        .padding([0, 4]),
        iced::widget::column![
            row![text(name).size(13), badge]
                .spacing(6)
                .align_y(Alignment::Center),
            details
        ]
        .spacing(1)
        .width(Fill),
        small(fl!("attachment-open"), Message::OpenAttachment(index)),
        small(fl!("attachment-save"), Message::SaveAttachment(index)),
    ]
    .spacing(8)
    .align_y(Alignment::Center)
    .into()
}

//! Small monochrome SVG icons from `resources/icons`, tinted by the theme.

use crate::model::Role;
use iced::widget::svg::{self, Svg};
use iced::{Color, Length};
use std::sync::LazyLock;

macro_rules! icons {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            pub fn $name() -> svg::Handle {
                static HANDLE: LazyLock<svg::Handle> = LazyLock::new(|| {
                    svg::Handle::from_memory(include_bytes!(concat!("../../resources/icons/", $file)).as_slice())
                });
                HANDLE.clone()
            }
        )*
    };
}

icons! {
    inbox => "inbox.svg",
    sent => "sent.svg",
    drafts => "drafts.svg",
    trash => "trash.svg",
    junk => "junk.svg",
    archive => "archive.svg",
    outbox => "outbox.svg",
    folder => "folder.svg",
    account => "account.svg",
    star => "star.svg",
    paperclip => "paperclip.svg",
    file => "file.svg",
    image => "image.svg",
    message => "message.svg",
    program => "program.svg",
    calendar => "calendar.svg",
    unread => "unread.svg",
    conversation => "conversation.svg",
}

pub fn for_role(role: Option<Role>) -> svg::Handle {
    match role {
        Some(Role::Inbox) => inbox(),
        Some(Role::Sent) => sent(),
        Some(Role::Drafts) => drafts(),
        Some(Role::Trash) => trash(),
        Some(Role::Junk) => junk(),
        Some(Role::Archive) => archive(),
        Some(Role::Outbox) => outbox(),
        None => folder(),
    }
}

/// An attachment's icon, by its MIME type.
pub fn for_mime(mime_type: &str) -> svg::Handle {
    let mime = mime_type.to_ascii_lowercase();
    match mime.split_once('/') {
        Some(("image", _)) => image(),
        Some(("message", _)) => message(),
        Some(("text", "calendar")) | Some(("application", "ics")) => calendar(),
        Some(("application", sub))
            if sub.contains("zip") || sub.contains("tar") || sub.contains("compressed") =>
        {
            archive()
        }
        Some(("application", sub))
            if sub.contains("executable") || sub.contains("msdownload") || sub.ends_with("-sh") =>
        {
            program()
        }
        _ => file(),
    }
}

/// An icon `size` pixels square in `color`.
pub fn view<'a>(handle: svg::Handle, size: f32, color: Color) -> Svg<'a> {
    Svg::new(handle)
        .width(Length::Fixed(size))
        .height(Length::Fixed(size))
        .style(move |_, _| svg::Style { color: Some(color) })
}

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

/// An icon `size` pixels square in `color`.
pub fn view<'a>(handle: svg::Handle, size: f32, color: Color) -> Svg<'a> {
    Svg::new(handle)
        .width(Length::Fixed(size))
        .height(Length::Fixed(size))
        .style(move |_, _| svg::Style { color: Some(color) })
}

//! Poshta's look: a calm light palette and the few styles the panes share.

use iced::widget::{button, container, scrollable};
use iced::{Background, Border, Color, Theme, border};

pub const SIDEBAR_WIDTH: f32 = 250.0;

pub fn theme() -> Theme {
    Theme::custom(
        "Poshta",
        iced::theme::Palette {
            background: Color::from_rgb8(0xfb, 0xfb, 0xfc),
            text: Color::from_rgb8(0x1f, 0x23, 0x28),
            primary: Color::from_rgb8(0x25, 0x63, 0xc9),
            success: Color::from_rgb8(0x1a, 0x7f, 0x37),
            warning: Color::from_rgb8(0xb2, 0x6b, 0x00),
            danger: Color::from_rgb8(0xc4, 0x2b, 0x1c),
        },
    )
}

/// Secondary text (dates, counts, addresses).
pub fn muted(theme: &Theme) -> Color {
    let p = theme.extended_palette();
    p.background.base.text.scale_alpha(0.62)
}

pub fn accent(theme: &Theme) -> Color {
    theme.extended_palette().primary.base.color
}

pub fn sidebar(theme: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(
            theme.extended_palette().background.weak.color,
        )),
        ..container::Style::default()
    }
}

pub fn pane(theme: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(
            theme.extended_palette().background.base.color,
        )),
        ..container::Style::default()
    }
}

pub fn header(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.background.weakest.color)),
        border: Border {
            color: p.background.strong.color,
            width: 0.0,
            radius: 0.0.into(),
        },
        ..container::Style::default()
    }
}

pub fn status_bar(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.background.weak.color)),
        text_color: Some(muted(theme)),
        ..container::Style::default()
    }
}

/// A small outlined tag (a conversation's size, a file's extension).
pub fn tag(radius: f32) -> impl Fn(&Theme) -> container::Style {
    move |t| container::Style {
        border: Border::default()
            .rounded(radius)
            .width(1)
            .color(t.extended_palette().background.strong.color),
        ..container::Style::default()
    }
}

/// A note or question inside a pane (blocked content, "open this?").
pub fn notice(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(Color::from_rgb8(0xfd, 0xf6, 0xe3))),
        border: Border {
            color: p.background.strong.color,
            width: 1.0,
            radius: 4.0.into(),
        },
        ..container::Style::default()
    }
}

pub fn error_text(theme: &Theme) -> Color {
    theme.extended_palette().danger.base.color
}

/// A row in a list or tree: flat, highlighted when selected or hovered.
pub fn row(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let p = theme.extended_palette();
        let background = match (selected, status) {
            (true, _) => Some(p.primary.weak.color.scale_alpha(0.45)),
            (false, button::Status::Hovered) => Some(p.background.strong.color.scale_alpha(0.5)),
            _ => None,
        };
        button::Style {
            background: background.map(Background::Color),
            text_color: p.background.base.text,
            border: border::rounded(4),
            ..button::Style::default()
        }
    }
}

/// A message list row: chosen, under the pointer, or plain.
pub fn list_row(selected: bool, hovered: bool) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let p = theme.extended_palette();
        let background = if selected {
            Some(p.primary.weak.color.scale_alpha(0.45))
        } else if hovered {
            Some(p.background.strong.color.scale_alpha(0.5))
        } else {
            None
        };
        container::Style {
            background: background.map(Background::Color),
            text_color: Some(p.background.base.text),
            border: border::rounded(4),
            ..container::Style::default()
        }
    }
}

/// Small icons beside text (paperclips, the Outbox).
pub const ICON: iced::Color = iced::Color::from_rgb8(0x5f, 0x66, 0x70);

/// Connection states in the folder tree.
pub const ONLINE: iced::Color = iced::Color::from_rgb(0.13, 0.55, 0.29);
pub const BUSY: iced::Color = iced::Color::from_rgb(0.15, 0.42, 0.80);
pub const IDLE: iced::Color = iced::Color::from_rgb(0.45, 0.47, 0.50);
pub const FAILED: iced::Color = iced::Color::from_rgb(0.78, 0.16, 0.16);

/// A context menu's panel.
pub fn menu(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.background.base.color)),
        border: iced::Border {
            color: p.background.strong.color,
            width: 1.0,
            radius: 6.0.into(),
        },
        shadow: iced::Shadow {
            color: iced::Color::from_rgba(0.0, 0.0, 0.0, 0.15),
            offset: iced::Vector::new(0.0, 2.0),
            blur_radius: 6.0,
        },
        ..container::Style::default()
    }
}

pub fn menu_item(theme: &Theme, status: button::Status) -> button::Style {
    let p = theme.extended_palette();
    let hovered = matches!(status, button::Status::Hovered | button::Status::Pressed);
    button::Style {
        background: hovered.then(|| Background::Color(p.primary.weak.color.scale_alpha(0.5))),
        text_color: p.background.base.text,
        border: border::rounded(4),
        ..button::Style::default()
    }
}

/// A folder under the pointer while messages are dragged onto it.
pub fn drop_target(theme: &Theme, _status: button::Status) -> button::Style {
    let p = theme.extended_palette();
    button::Style {
        background: Some(Background::Color(p.primary.base.color.scale_alpha(0.3))),
        text_color: p.background.base.text,
        border: iced::Border {
            color: p.primary.base.color,
            width: 1.0,
            radius: 4.0.into(),
        },
        ..button::Style::default()
    }
}

/// The unread count beside a folder.
pub fn badge(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.primary.base.color)),
        text_color: Some(p.primary.base.text),
        border: border::rounded(9),
        ..container::Style::default()
    }
}

/// A slim scrollbar beside the content, never drawn over it.
pub fn scrollbar() -> scrollable::Direction {
    scrollable::Direction::Vertical(
        scrollable::Scrollbar::new()
            .width(6)
            .scroller_width(6)
            .margin(1)
            .spacing(2),
    )
}

/// Light outlined buttons for actions inside a pane.
pub fn tool_button(theme: &Theme, status: button::Status) -> button::Style {
    let p = theme.extended_palette();
    let background = match status {
        button::Status::Hovered | button::Status::Pressed => p.background.weak.color,
        _ => p.background.base.color,
    };
    button::Style {
        background: Some(Background::Color(background)),
        text_color: if status == button::Status::Disabled {
            muted(theme)
        } else {
            p.background.base.text
        },
        border: border::rounded(5).width(1).color(p.background.strong.color),
        ..button::Style::default()
    }
}

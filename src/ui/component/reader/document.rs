//! A rendered body (`mime::render::Document`) as widgets: each MIME part
//! in its own block, quotes as bars at the left, links that say where
//! they go. Nothing here can reach the network: images are the message's
//! own `cid:` parts, decoded once when the message loads.

use super::Message;
use crate::fl;
use crate::mime::render::{Block, BlockKind, Document, Event, EventTime, Headers, Part, Span};
use crate::ui::{icon, theme};
use iced::widget::{Column, column, container, image, rich_text, row, rule, span, text, tooltip};
use iced::{Alignment, Background, Border, Color, Element, Fill, Font, Theme, font};

/// Quote bars cycle through these, one per depth.
const QUOTE_COLORS: [Color; 3] = [
    Color::from_rgb(0.35, 0.55, 0.85),
    Color::from_rgb(0.35, 0.70, 0.50),
    Color::from_rgb(0.80, 0.55, 0.30),
];
/// Images wider than this are scaled down to it.
const IMAGE_WIDTH: f32 = 560.0;

/// The body: one block per part, a line between parts.
pub fn view<'a>(document: &'a Document, images: &'a [image::Handle]) -> Element<'a, Message> {
    let mut body = parts_view(&document.parts, images);
    if document.parts.is_empty() {
        body = body.push(text(fl!("reader-no-text")).size(14).style(muted));
    }
    if document.truncated {
        body = body.push(text(fl!("reader-truncated")).size(12).style(muted));
    }
    body.into()
}

fn parts_view<'a>(parts: &'a [Part], images: &'a [image::Handle]) -> Column<'a, Message> {
    let mut body = Column::new().spacing(14).width(Fill);
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            body = body.push(rule::horizontal(1));
        }
        body = body.push(match part {
            Part::Text(blocks) => blocks_view(blocks, images),
            Part::Image(index) => image_view(images, *index),
            Part::Event(event) => event_view(event),
            Part::Message { headers, parts } => message_view(headers, parts, images),
        });
    }
    body
}

/// A message forwarded whole, inside the one that carries it: its own
/// header lines, then its parts, in a frame.
fn message_view<'a>(
    headers: &'a Headers,
    parts: &'a [Part],
    images: &'a [image::Handle],
) -> Element<'a, Message> {
    let who = super::headers::mailboxes;
    let head = column![
        text(fl!("reader-attached-message")).size(12).style(muted),
        text(headers.subject.as_str()).size(15).font(Font {
            weight: font::Weight::Bold,
            ..Font::DEFAULT
        }),
        text(format!("{}: {}", fl!("reader-from"), who(&headers.from))).size(13),
        text(format!("{}: {}", fl!("reader-to"), who(&headers.to))).size(13),
    ]
    .push(headers.date.map(|d| {
        text(format!("{}: {}", fl!("reader-date"), local_time(d)))
            .size(13)
            .style(muted)
    }))
    .spacing(3);
    container(column![head, rule::horizontal(1), parts_view(parts, images)].spacing(10))
        .padding(12)
        .width(Fill)
        .style(frame)
        .into()
}

/// A calendar invitation as a card: what, when, where, who asks.
fn event_view(event: &Event) -> Element<'_, Message> {
    let kind = match event
        .method
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("CANCEL") => fl!("event-cancelled"),
        Some("REPLY") => fl!("event-reply"),
        _ => fl!("event-invitation"),
    };
    let when = match (&event.start, &event.end) {
        (Some(start), Some(end)) => format!("{} – {}", event_time(start), event_time(end)),
        (Some(start), None) => event_time(start),
        _ => String::new(),
    };
    let field = |label: String, value: String| {
        (!value.trim().is_empty()).then(|| {
            row![
                text(label).size(13).style(muted).width(90),
                text(value).size(13).width(Fill)
            ]
            .spacing(8)
        })
    };
    let organizer = event
        .organizer
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let card = column![
        row![
            icon::view(icon::calendar(), 18.0, theme::ICON),
            text(kind).size(12).style(muted),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
        text(event.summary.as_str()).size(17).font(Font {
            weight: font::Weight::Bold,
            ..Font::DEFAULT
        }),
    ]
    .push(field(fl!("event-when"), when))
    .push(field(fl!("event-where"), event.location.clone()))
    .push(field(fl!("event-organizer"), organizer))
    .push((!event.description.trim().is_empty()).then(|| text(event.description.as_str()).size(13)))
    .spacing(6);
    container(card).padding(12).width(Fill).style(frame).into()
}

/// A UTC time in the local zone; a floating or zoned one as written.
fn event_time(t: &EventTime) -> String {
    match t.utc {
        Some(utc) if !t.all_day => local_time(utc),
        _ => t.text.clone(),
    }
}

fn local_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| {
            d.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn frame(t: &Theme) -> container::Style {
    container::Style {
        border: Border::default()
            .rounded(6)
            .width(1)
            .color(t.extended_palette().background.strong.color),
        ..container::Style::default()
    }
}

fn muted(theme: &Theme) -> text::Style {
    text::Style {
        color: Some(theme::muted(theme)),
    }
}

/// Blocks grouped into runs of one quote depth, each run behind as many
/// bars as it is deep.
fn blocks_view<'a>(blocks: &'a [Block], images: &'a [image::Handle]) -> Element<'a, Message> {
    let mut out = Column::new().spacing(8).width(Fill);
    let mut start = 0;
    while start < blocks.len() {
        let depth = blocks[start].quote;
        let end = blocks[start..]
            .iter()
            .position(|b| b.quote != depth)
            .map_or(blocks.len(), |n| start + n);
        let run = Column::with_children(blocks[start..end].iter().map(|b| block_view(b, images)))
            .spacing(8)
            .width(Fill);
        out = out.push(quoted(run.into(), depth));
        start = end;
    }
    out.into()
}

fn quoted(content: Element<'_, Message>, depth: u8) -> Element<'_, Message> {
    (0..depth).rev().fold(content, |inner, level| {
        let color = QUOTE_COLORS[level as usize % QUOTE_COLORS.len()];
        row![
            container(column![])
                .width(3)
                .height(Fill)
                .style(move |_: &Theme| container::Style {
                    background: Some(Background::Color(color)),
                    ..container::Style::default()
                }),
            container(inner).width(Fill),
        ]
        .spacing(10)
        .height(iced::Shrink)
        .into()
    })
}

fn block_view<'a>(block: &'a Block, images: &'a [image::Handle]) -> Element<'a, Message> {
    match &block.kind {
        BlockKind::Paragraph | BlockKind::TableRow => paragraph(&block.spans, 14.0, false),
        BlockKind::Heading(level) => {
            let size = match level {
                1 => 22.0,
                2 => 19.0,
                3 => 17.0,
                _ => 15.0,
            };
            paragraph(&block.spans, size, true)
        }
        BlockKind::ListItem { depth, marker } => row![
            container(text(marker.as_str()).size(14))
                .width(22.0 + 18.0 * f32::from(*depth))
                .align_right(22.0 + 18.0 * f32::from(*depth))
                .padding(iced::Padding::ZERO.right(6)),
            paragraph(&block.spans, 14.0, false),
        ]
        .into(),
        BlockKind::Preformatted => container(paragraph_with(&block.spans, 13.0, false, true))
            .padding([6, 8])
            .width(Fill)
            .style(|t: &Theme| container::Style {
                background: Some(Background::Color(
                    t.extended_palette().background.weak.color,
                )),
                border: Border::default().rounded(4),
                ..container::Style::default()
            })
            .into(),
        BlockKind::Rule => rule::horizontal(1).into(),
        BlockKind::Image(index) => image_view(images, *index),
    }
}

fn image_view(images: &[image::Handle], index: usize) -> Element<'_, Message> {
    match images.get(index) {
        Some(handle) => container(
            image(handle.clone())
                .content_fit(iced::ContentFit::ScaleDown)
                .width(iced::Shrink),
        )
        .max_width(IMAGE_WIDTH)
        .into(),
        None => column![].into(),
    }
}

fn paragraph(spans: &[Span], size: f32, bold: bool) -> Element<'_, Message> {
    paragraph_with(spans, size, bold, false)
}

/// Text with its styles. A link whose words do not name where it goes is
/// followed by its real host in brackets, so "Your bank" pointing at
/// another site reads as such before anyone clicks; the click itself only
/// asks (see `Reader`), and links that are not http, https or mailto are
/// plain text. iced's rich text reports clicks but not which span the
/// pointer is over, so a paragraph with links shows their full targets
/// by the pointer while it hovers the paragraph.
fn paragraph_with(spans: &[Span], size: f32, bold: bool, mono: bool) -> Element<'_, Message> {
    let mut out: Vec<iced::widget::text::Span<'_, String>> = Vec::with_capacity(spans.len());
    let mut targets: Vec<&str> = Vec::new();
    for s in spans {
        let font = Font {
            weight: if s.bold || bold {
                font::Weight::Bold
            } else {
                font::Weight::Normal
            },
            style: if s.italic {
                font::Style::Italic
            } else {
                font::Style::Normal
            },
            ..if s.code || mono {
                Font::MONOSPACE
            } else {
                Font::DEFAULT
            }
        };
        let piece = span(s.text.as_str()).font(font);
        match &s.link {
            Some(link) if link.actionable() => {
                if !targets.contains(&link.target.as_str()) {
                    targets.push(&link.target);
                }
                out.push(piece.color(LINK).underline(true).link(link.target.clone()));
                if let Some(host) = link.host()
                    && !s.text.to_lowercase().contains(&host.to_lowercase())
                {
                    out.push(span(format!(" [{host}]")).size(size - 2.0).color(HOST));
                }
            }
            _ => out.push(piece),
        }
    }
    let text = rich_text(out)
        .size(size)
        .width(Fill)
        .on_link_click(Message::LinkClicked);
    if targets.is_empty() {
        return text.into();
    }
    tooltip(
        text,
        container(iced::widget::text(targets.join("\n")).size(12))
            .padding([4, 8])
            .max_width(IMAGE_WIDTH)
            .style(container::bordered_box),
        tooltip::Position::FollowCursor,
    )
    .into()
}

const LINK: Color = Color::from_rgb(0.15, 0.39, 0.79);
const HOST: Color = Color::from_rgb(0.45, 0.47, 0.50);

//! Blocks as plain text (for quoting), and a whole rendering as a stable
//! readable listing (for tests and debugging).

use super::{Block, BlockKind, Headers, Mailbox, Part, Rendered, Span};
use std::fmt::Write;

/// Blocks as text: blank lines between paragraphs, list items and table
/// rows on lines of their own, quoted blocks with "> " marks, link
/// targets after their text when it does not say them.
pub(super) fn blocks_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut prev: Option<&BlockKind> = None;
    // Images have no text to quote.
    for block in blocks
        .iter()
        .filter(|b| !matches!(b.kind, BlockKind::Image(_)))
    {
        let tight = matches!(
            (prev, &block.kind),
            (Some(BlockKind::ListItem { .. }), BlockKind::ListItem { .. })
                | (Some(BlockKind::TableRow), BlockKind::TableRow)
        );
        if prev.is_some() {
            out.push_str(if tight { "\n" } else { "\n\n" });
        }
        prev = Some(&block.kind);
        let quote = if block.quote > 0 {
            format!("{} ", ">".repeat(block.quote.into()))
        } else {
            String::new()
        };
        let (first, rest) = match &block.kind {
            BlockKind::ListItem { depth, marker } => {
                let indent = "  ".repeat((*depth).into());
                let pad = " ".repeat(marker.chars().count() + 1);
                if marker.is_empty() {
                    (format!("{indent}  "), format!("{indent}  "))
                } else {
                    (format!("{indent}{marker} "), format!("{indent}{pad}"))
                }
            }
            _ => (String::new(), String::new()),
        };
        let text = match &block.kind {
            BlockKind::Rule => "----".to_string(),
            _ => spans_text(&block.spans),
        };
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&quote);
            out.push_str(if i == 0 { &first } else { &rest });
            out.push_str(line);
        }
    }
    out
}

fn spans_text(spans: &[Span]) -> String {
    let mut text = String::new();
    for span in spans {
        text.push_str(&span.text);
        if let Some(link) = &span.link
            && span.text.trim() != link.target
            && span.text.trim() != link.target.trim_start_matches("mailto:")
        {
            let _ = write!(text, " <{}>", link.target);
        }
    }
    text
}

impl Rendered {
    /// A stable, readable listing of everything rendered: headers, each
    /// part and block with its kind, quote depth and styling, images,
    /// blocked resources and the quotable text.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        dump_headers(&mut out, &self.headers, "");
        let d = &self.document;
        dump_parts(&mut out, &d.parts, "");
        if !d.images.is_empty() {
            out.push_str("== images\n");
            for (i, img) in d.images.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{i}: {} {} bytes cid={} alt={:?}",
                    img.mime_type,
                    img.bytes.len(),
                    img.content_id.as_deref().unwrap_or("-"),
                    img.alt
                );
            }
        }
        if !d.blocked.is_empty() {
            out.push_str("== blocked\n");
            for url in &d.blocked {
                let _ = writeln!(out, "{url}");
            }
        }
        if d.truncated {
            out.push_str("== truncated\n");
        }
        out.push_str("== text\n");
        out.push_str(&self.text);
        out.push('\n');
        out
    }
}

fn mailboxes(list: &[Mailbox]) -> String {
    list.iter()
        .map(|m| match &m.name {
            Some(name) => format!("{name:?} <{}>", m.address),
            None => format!("<{}>", m.address),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn dump_headers(out: &mut String, h: &Headers, indent: &str) {
    let _ = writeln!(out, "{indent}subject: {}", h.subject);
    for (label, list) in [
        ("from", &h.from),
        ("to", &h.to),
        ("cc", &h.cc),
        ("reply-to", &h.reply_to),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "{indent}{label}: {}", mailboxes(list));
        }
    }
    if let Some(date) = h.date {
        let _ = writeln!(out, "{indent}date: {date}");
    }
    for (name, value) in &h.all {
        let _ = writeln!(out, "{indent}  | {name}: {value}");
    }
}

fn dump_parts(out: &mut String, parts: &[Part], indent: &str) {
    for part in parts {
        match part {
            Part::Text(blocks) => {
                let _ = writeln!(out, "{indent}== text part");
                for block in blocks {
                    dump_block(out, block, indent);
                }
            }
            Part::Image(i) => {
                let _ = writeln!(out, "{indent}== image part {i}");
            }
            Part::Event(e) => {
                let _ = writeln!(out, "{indent}== event");
                let when = |t: &Option<super::EventTime>| {
                    t.as_ref().map_or("-".to_string(), |t| match t.utc {
                        Some(utc) => format!("{} [{utc}]", t.text),
                        None => t.text.clone(),
                    })
                };
                let organizer = e
                    .organizer
                    .as_ref()
                    .map_or("-".to_string(), |o| mailboxes(std::slice::from_ref(o)));
                for (label, value) in [
                    ("method", e.method.clone().unwrap_or_default()),
                    ("what", e.summary.clone()),
                    ("start", when(&e.start)),
                    ("end", when(&e.end)),
                    ("where", e.location.clone()),
                    ("organizer", organizer),
                    ("status", e.status.clone().unwrap_or_default()),
                    ("description", e.description.replace('\n', "⏎")),
                ] {
                    let _ = writeln!(out, "{indent}  {label}: {value}");
                }
            }
            Part::Message { headers, parts } => {
                let _ = writeln!(out, "{indent}== message");
                let inner = format!("{indent}    ");
                dump_headers(out, headers, &inner);
                dump_parts(out, parts, &inner);
                let _ = writeln!(out, "{indent}== end of message");
            }
        }
    }
}

fn dump_block(out: &mut String, block: &Block, indent: &str) {
    let kind = match &block.kind {
        BlockKind::Paragraph => "p".to_string(),
        BlockKind::Heading(n) => format!("h{n}"),
        BlockKind::ListItem { depth, marker } => format!("li{depth} {marker:?}"),
        BlockKind::Preformatted => "pre".into(),
        BlockKind::Rule => "hr".into(),
        BlockKind::Image(i) => format!("img {i}"),
        BlockKind::TableRow => "row".into(),
    };
    let quote = ">".repeat(block.quote.into());
    let mut text = String::new();
    for span in &block.spans {
        let mut s = span.text.replace('\n', "⏎");
        if span.code {
            s = format!("`{s}`");
        }
        if span.italic {
            s = format!("_{s}_");
        }
        if span.bold {
            s = format!("*{s}*");
        }
        if let Some(link) = &span.link {
            let mark = if link.actionable() { "" } else { "!" };
            s = format!("[{s}]({mark}{})", link.target);
        }
        text.push_str(&s);
    }
    let _ = writeln!(out, "{indent}{quote}[{kind}] {text}");
}

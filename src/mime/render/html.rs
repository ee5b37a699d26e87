//! text/html read into blocks the way a browser lays text out, without
//! running or loading anything: script, style and head are dropped,
//! whitespace collapses, entities are decoded by the parser, and every
//! remote resource is recorded as blocked.

mod builder;
mod parse;

use super::resource::Blocked;
use super::walk::Budget;
use super::{Block, Link};
use builder::Builder;
use ego_tree::NodeRef;
use ego_tree::iter::Edge;
use scraper::Node;
use scraper::node::Element;

/// HTML source read per part, in bytes; the rest is dropped before
/// parsing (the text it could yield is capped far below this anyway).
const MAX_HTML_BYTES: usize = 8 * 1024 * 1024;
/// Descendants looked at to decide whether a table row holds data.
const MAX_ROW_SCAN: usize = 2000;

/// What the HTML reader needs from the message around it.
pub(super) struct Ctx<'a> {
    pub budget: &'a mut Budget,
    pub blocked: &'a mut Blocked,
    /// A `cid:` reference and its alt text to an index into the
    /// document's images, if the message has that image.
    pub resolve: &'a mut dyn FnMut(&str, &str) -> Option<usize>,
}

pub(super) fn render(src: &str, ctx: &mut Ctx<'_>) -> Vec<Block> {
    let mut end = src.len().min(MAX_HTML_BYTES);
    while !src.is_char_boundary(end) {
        end -= 1;
    }
    let (html, dropped) = parse::parse(src.get(..end).unwrap_or_default());
    for (name, attrs) in &dropped {
        ctx.blocked
            .attrs(name, attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    let mut b = Builder::new(ctx);
    // Where rendering is off (script, head, hidden): the node that began
    // it. Resources are still recorded inside.
    let mut skip: Option<ego_tree::NodeId> = None;
    let mut depth = 0usize;
    // Open elements within the depth limit, to undo on close.
    let mut open: Vec<(ego_tree::NodeId, builder::Undo)> = Vec::new();
    for edge in html.tree.root().traverse() {
        if b.stopped() {
            break;
        }
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    depth += 1;
                    resources(b.blocked(), node, el);
                    if skip.is_some() {
                        continue;
                    }
                    if hidden(el) {
                        skip = Some(node.id());
                    } else if depth <= super::MAX_HTML_DEPTH {
                        let undo = b.open(el, || data_row(node));
                        open.push((node.id(), undo));
                    }
                }
                Node::Text(t) if skip.is_none() => b.text(t),
                _ => {}
            },
            Edge::Close(node) => {
                if !node.value().is_element() {
                    continue;
                }
                depth = depth.saturating_sub(1);
                if skip == Some(node.id()) {
                    skip = None;
                } else if open.last().is_some_and(|(id, _)| *id == node.id())
                    && let Some((_, undo)) = open.pop()
                {
                    b.close(undo);
                }
            }
        }
    }
    b.finish()
}

/// Record what `el` would load, including a `<style>` sheet's URLs.
fn resources(blocked: &mut Blocked, node: NodeRef<'_, Node>, el: &Element) {
    blocked.element(el);
    if el.name() == "style" {
        for child in node.children() {
            if let Node::Text(t) = child.value() {
                blocked.css(t);
            }
        }
    }
}

/// Elements whose content is never shown: code, metadata, embedded
/// documents and media, form controls, and what the author hid.
fn hidden(el: &Element) -> bool {
    let dropped = matches!(
        el.name(),
        "script"
            | "style"
            | "head"
            | "title"
            | "template"
            | "iframe"
            | "frame"
            | "frameset"
            | "object"
            | "embed"
            | "applet"
            | "audio"
            | "video"
            | "canvas"
            | "svg"
            | "math"
            | "select"
            | "textarea"
            | "map"
            | "noembed"
            | "noframes"
    );
    dropped
        || el.attr("hidden").is_some()
        || el.attr("style").is_some_and(|s| {
            let s: String = s
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            s.contains("display:none") || s.contains("visibility:hidden")
        })
}

/// Whether a `<tr>` holds data (cells of inline text, read as one row)
/// rather than layout (cells holding paragraphs, images, other tables).
fn data_row(tr: NodeRef<'_, Node>) -> bool {
    let mut cells = 0;
    for (seen, node) in tr.descendants().enumerate() {
        if seen > MAX_ROW_SCAN {
            return false;
        }
        if let Node::Element(el) = node.value() {
            match el.name() {
                "td" | "th" => cells += 1,
                "tr" => {}
                name if builder::is_block(name) || name == "img" => return false,
                _ => {}
            }
        }
    }
    cells >= 2
}

/// A link for `href`, unless it points within the page or nowhere.
fn link(href: &str) -> Option<Link> {
    let href = href.trim();
    (!href.is_empty() && !href.starts_with('#')).then(|| Link::new(href))
}

#[cfg(test)]
mod tests;

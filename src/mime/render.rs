//! A message as the reader shows it: headers, and a document of blocks and
//! inline images built from each readable MIME part on its own.
//!
//! Nothing here touches the network. HTML is parsed into a tree and read,
//! never loaded: every remote resource it names (images, stylesheets,
//! frames, media, refreshes) is only recorded in [`Document::blocked`], and
//! images come only from the message's own `cid:` parts. Each MIME part
//! becomes its own [`Part`], so no part can wrap another's text in markup
//! (EFAIL). Input size, nesting, block count and text length are bounded,
//! and the whole run is under `catch_unwind` like [`super::parse`].

mod calendar;
mod clean;
mod dump;
mod headers;
mod html;
mod link;
mod plain;
mod resource;
mod walk;

pub use calendar::{Event, EventTime};
pub use clean::clean;
pub use link::Link;

use crate::error::{Error, Result};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Text kept across the whole document, in characters (as parse.rs keeps
/// for the body).
pub const MAX_TEXT_CHARS: usize = 2 * 1024 * 1024;
/// Blocks across the whole document.
pub const MAX_BLOCKS: usize = 20_000;
/// MIME nesting followed (multiparts and attached messages).
pub const MAX_MIME_DEPTH: usize = 16;
/// MIME parts looked at.
pub const MAX_PARTS: usize = 1_000;
/// HTML elements nested deeper than this lose their structure; their text
/// is still shown.
pub const MAX_HTML_DEPTH: usize = 128;
/// One inline image's bytes.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
/// All inline images' bytes together.
pub const MAX_IMAGES_BYTES: usize = 32 * 1024 * 1024;
/// Remote resources listed as blocked.
pub const MAX_BLOCKED: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub headers: Headers,
    pub document: Document,
    /// Plain text of the readable body, for reply/forward quoting and
    /// search: text/plain parts as written (flowed text joined), HTML as
    /// the blocks read, quoted blocks with "> " marks.
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    pub subject: String,
    pub from: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    /// Unix seconds.
    pub date: Option<i64>,
    /// Every header field in order, name and decoded value, cleaned and
    /// bounded.
    pub all: Vec<(String, String)>,
}

/// A display name and the actual address, both passed through [`clean`].
/// The reader shows both, so a name that looks like an address cannot
/// stand in for the real one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

/// "Name <address>", or the address alone when there is no name.
impl std::fmt::Display for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(name) => write!(f, "{name} <{}>", self.address),
            None => f.write_str(&self.address),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub parts: Vec<Part>,
    pub images: Vec<Image>,
    /// Remote resources that were NOT loaded (deduplicated, at most
    /// [`MAX_BLOCKED`]), e.g. "https://tracker.example/p.gif".
    pub blocked: Vec<String>,
    /// A limit cut the document short (text, blocks, nesting or parts).
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(Vec<Block>),
    /// An inline image not placed by any HTML part (index into
    /// [`Document::images`]).
    Image(usize),
    /// A calendar invitation (text/calendar), for the reader to lay out
    /// with its own labels.
    Event(Box<Event>),
    /// A message attached whole (message/rfc822): its headers and its own
    /// parts. Image indices still point into the outer document's images.
    Message {
        headers: Box<Headers>,
        parts: Vec<Part>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Without the angle brackets.
    pub content_id: Option<String>,
    pub mime_type: String,
    pub bytes: Vec<u8>,
    /// The HTML alt text, else the part's file name, else empty.
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// Quote depth: 0 = not quoted; text/plain "> " levels and HTML
    /// blockquote both set it.
    pub quote: u8,
    /// Span text may hold '\n' where the author broke the line (a plain
    /// text line end, an HTML `<br>`, a `<pre>` line).
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    Heading(u8),
    /// `depth` 0 is a top-level list. An empty `marker` continues the item
    /// above it (text after a nested list).
    ListItem {
        depth: u8,
        marker: String,
    },
    Preformatted,
    Rule,
    /// Index into [`Document::images`].
    Image(usize),
    /// A table row as readable text: the cells' spans, separated by " | "
    /// spans.
    TableRow,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub code: bool,
    pub link: Option<Link>,
}

impl Block {
    /// The block's text, spans joined.
    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}

/// Render raw RFC 5322 bytes. Malformed structure renders what it can;
/// only input that is not a message at all (or too large to accept) is an
/// error.
pub fn render(raw: &[u8]) -> Result<Rendered> {
    if raw.len() > super::parse::MAX_MESSAGE_BYTES {
        return Err(Error::TooLarge {
            what: "message",
            limit: super::parse::MAX_MESSAGE_BYTES,
        });
    }
    catch_unwind(AssertUnwindSafe(|| walk::render_unguarded(raw)))
        .map_err(|_| Error::UnreadableMessage)?
        .ok_or(Error::UnreadableMessage)
}

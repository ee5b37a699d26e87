//! Walking the MIME tree: which parts are shown, in what order, and
//! which images they place.

use super::headers::headers;
use super::resource::Blocked;
use super::{
    Block, BlockKind, Document, Headers, Image, MAX_BLOCKS, MAX_IMAGE_BYTES, MAX_IMAGES_BYTES,
    MAX_MIME_DEPTH, MAX_PARTS, MAX_TEXT_CHARS, Part, Rendered, calendar, dump, html, plain,
};
use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use mail_parser::{Encoding, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// What is left of the document's limits.
#[derive(Debug)]
pub(super) struct Budget {
    chars: usize,
    blocks: usize,
    /// A limit was reached and something was left out.
    pub truncated: bool,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            chars: MAX_TEXT_CHARS,
            blocks: MAX_BLOCKS,
            truncated: false,
        }
    }
}

impl Budget {
    /// `text`, cut to the characters left, which it uses up.
    pub fn take_text(&mut self, mut text: String) -> String {
        match text.char_indices().nth(self.chars) {
            Some((cut, _)) => {
                text.truncate(cut);
                self.chars = 0;
                self.truncated = true;
            }
            None => self.chars -= text.chars().count(),
        }
        text
    }

    /// Whether one more block fits.
    pub fn take_block(&mut self) -> bool {
        if self.blocks == 0 {
            self.truncated = true;
            return false;
        }
        self.blocks -= 1;
        true
    }
}

/// Parts rendered so far and their quotable text, in order.
#[derive(Default)]
struct Out {
    parts: Vec<Part>,
    text: Vec<String>,
}

impl Out {
    fn readable(&self) -> bool {
        self.parts.iter().any(|p| match p {
            Part::Text(blocks) => blocks.iter().any(|b| {
                matches!(b.kind, BlockKind::Image(_))
                    || b.spans.iter().any(|s| !s.text.trim().is_empty())
            }),
            _ => true,
        })
    }

    fn append(&mut self, other: Out) {
        self.parts.extend(other.parts);
        self.text.extend(other.text);
    }
}

#[derive(Default)]
struct Walker {
    budget: Budget,
    blocked: Blocked,
    images: Vec<Image>,
    image_bytes: usize,
    /// Image index by (message, part).
    image_of: HashMap<(usize, u32), usize>,
    /// Images an HTML part placed (not shown again on their own).
    placed: HashSet<usize>,
    /// Part id by Content-ID, per message.
    cids: HashMap<usize, HashMap<String, u32>>,
    parts_seen: usize,
}

pub(super) fn render_unguarded(raw: &[u8]) -> Option<Rendered> {
    let msg = MessageParser::default().parse(raw)?;
    if msg.headers().is_empty() {
        return None;
    }
    let mut walker = Walker::default();
    let mut out = Out::default();
    walker.part(&msg, 0, 0, &mut out);
    let parts = unplaced(out.parts, &walker.placed);
    let text = out
        .text
        .iter()
        .map(|t| t.trim_end_matches('\n'))
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    Some(Rendered {
        headers: headers(&msg),
        document: Document {
            parts,
            images: walker.images,
            blocked: walker.blocked.list,
            truncated: walker.budget.truncated,
        },
        text,
    })
}

/// `parts` without the stand-alone images that an HTML part placed.
fn unplaced(parts: Vec<Part>, placed: &HashSet<usize>) -> Vec<Part> {
    parts
        .into_iter()
        .filter_map(|p| match p {
            Part::Image(i) if placed.contains(&i) => None,
            Part::Message { headers, parts } => Some(Part::Message {
                headers,
                parts: unplaced(parts, placed),
            }),
            p => Some(p),
        })
        .collect()
}

/// The lowercased type and subtype of a part (text/plain when unsaid).
fn mime_type(part: &MessagePart<'_>) -> (String, String) {
    part.content_type().map_or_else(
        || ("text".into(), "plain".into()),
        |ct| {
            (
                ct.c_type.to_ascii_lowercase(),
                ct.c_subtype
                    .as_deref()
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
            )
        },
    )
}

fn is_attachment(part: &MessagePart<'_>) -> bool {
    part.content_disposition()
        .is_some_and(|d| d.is_attachment())
}

fn key(msg: &Message<'_>) -> usize {
    std::ptr::from_ref(msg) as usize
}

impl Walker {
    fn part(&mut self, msg: &Message<'_>, id: u32, depth: usize, out: &mut Out) {
        if depth > MAX_MIME_DEPTH || self.parts_seen >= MAX_PARTS {
            self.budget.truncated = true;
            return;
        }
        self.parts_seen += 1;
        let Some(part) = msg.parts.get(id as usize) else {
            return;
        };
        let (ctype, subtype) = mime_type(part);
        match &part.body {
            PartType::Multipart(children) => match subtype.as_str() {
                "alternative" => self.alternative(msg, children, depth + 1, out),
                "related" => self.related(msg, part, children, depth + 1, out),
                _ => {
                    for &child in children {
                        self.part(msg, child, depth + 1, out);
                    }
                }
            },
            PartType::Text(text) if ctype == "text" && subtype == "calendar" => {
                if let Some(event) = calendar::parse(text) {
                    out.text.push(event.text());
                    out.parts.push(Part::Event(Box::new(event)));
                }
            }
            PartType::Text(text) if !is_attachment(part) && shown_as_text(&ctype, &subtype) => {
                let flowed = part
                    .content_type()
                    .filter(|ct| super::super::flowed::is_flowed(ct.attribute("format")))
                    .map(|ct| {
                        ct.attribute("delsp")
                            .is_some_and(|d| d.eq_ignore_ascii_case("yes"))
                    });
                let text = relabelled(msg, part, text);
                let (blocks, text) = plain::render(&text, flowed, &mut self.budget);
                self.push_text(out, blocks, text);
            }
            PartType::Html(src) if !is_attachment(part) => {
                let src = relabelled(msg, part, src);
                let blocks = self.html(msg, &src);
                let text = dump::blocks_text(&blocks);
                self.push_text(out, blocks, text);
            }
            // A multipart with no boundary to split at: its body is text.
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) if ctype == "multipart" => {
                let text = decode_unlabelled(bytes);
                let (blocks, text) = plain::render(&text, None, &mut self.budget);
                self.push_text(out, blocks, text);
            }
            PartType::Binary(_) | PartType::InlineBinary(_) if !is_attachment(part) => {
                if let Some(i) = self.image(msg, id, "") {
                    out.parts.push(Part::Image(i));
                }
            }
            PartType::Message(inner) => self.message(inner, depth + 1, out),
            _ => {}
        }
    }

    fn push_text(&mut self, out: &mut Out, blocks: Vec<Block>, text: String) {
        if !blocks.is_empty() {
            out.parts.push(Part::Text(blocks));
            out.text.push(text);
        }
    }

    /// An attached message: its headers and its parts, nested.
    fn message(&mut self, msg: &Message<'_>, depth: usize, out: &mut Out) {
        let headers = headers(msg);
        let mut inner = Out::default();
        if depth <= MAX_MIME_DEPTH {
            self.part(msg, 0, depth, &mut inner);
        } else {
            self.budget.truncated = true;
        }
        let mut text = forwarded_header(&headers);
        text.push_str(&inner.text.join("\n\n"));
        out.text.push(self.budget.take_text(text));
        out.parts.push(Part::Message {
            headers: Box::new(headers),
            parts: inner.parts,
        });
    }

    /// The HTML alternative when it has something to read, else the next
    /// best; calendar alternatives are shown besides.
    fn alternative(&mut self, msg: &Message<'_>, children: &[u32], depth: usize, out: &mut Out) {
        let is_calendar = |id: &u32| {
            msg.parts
                .get(*id as usize)
                .is_some_and(|p| mime_type(p) == ("text".into(), "calendar".into()))
        };
        let mut order: Vec<u32> = children
            .iter()
            .rev()
            .copied()
            .filter(|id| !is_calendar(id))
            .collect();
        // HTML first wherever the sender put it (RFC 2046 says last).
        order.sort_by_key(|id| !self.has_html(msg, *id, 0));
        for id in order {
            let images = self.images.len();
            let mut scratch = Out::default();
            self.part(msg, id, depth, &mut scratch);
            if scratch.readable() {
                out.append(scratch);
                break;
            }
            self.forget_images_from(images);
        }
        for &id in children.iter().filter(|id| is_calendar(id)) {
            self.part(msg, id, depth, out);
        }
    }

    /// Whether the part is, or holds, an HTML part.
    fn has_html(&self, msg: &Message<'_>, id: u32, depth: usize) -> bool {
        match msg.parts.get(id as usize).map(|p| &p.body) {
            Some(PartType::Html(_)) => true,
            Some(PartType::Multipart(children)) if depth < 4 => {
                children.iter().any(|c| self.has_html(msg, *c, depth + 1))
            }
            _ => false,
        }
    }

    fn forget_images_from(&mut self, len: usize) {
        self.images.truncate(len);
        self.image_of.retain(|_, i| *i < len);
        self.placed.retain(|i| *i < len);
        self.image_bytes = self.images.iter().map(|i| i.bytes.len()).sum();
    }

    /// multipart/related: the root part (named by `start`, else the
    /// first), then whatever images it did not place.
    fn related(
        &mut self,
        msg: &Message<'_>,
        part: &MessagePart<'_>,
        children: &[u32],
        depth: usize,
        out: &mut Out,
    ) {
        let start = part
            .content_type()
            .and_then(|ct| ct.attribute("start"))
            .map(|s| {
                s.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            });
        let root = start
            .and_then(|s| {
                children.iter().copied().find(|c| {
                    msg.parts.get(*c as usize).and_then(|p| p.content_id()) == Some(s.as_str())
                })
            })
            .or_else(|| children.first().copied());
        let Some(root) = root else {
            return;
        };
        self.part(msg, root, depth, out);
        for &child in children.iter().filter(|c| **c != root) {
            // Style sheets and other resources of the root are not shown.
            if msg
                .parts
                .get(child as usize)
                .is_some_and(|p| mime_type(p).0 == "image")
            {
                self.part(msg, child, depth, out);
            }
        }
    }

    fn html(&mut self, msg: &Message<'_>, src: &str) -> Vec<Block> {
        // The HTML reader asks for images by Content-ID while the walker's
        // budget and blocked list are lent to it, so the image list is
        // lent to the lookup separately.
        let table = self.cid_table(msg);
        let mut placed = Vec::new();
        let mut images = std::mem::take(&mut self.images);
        let mut image_of = std::mem::take(&mut self.image_of);
        let mut image_bytes = self.image_bytes;
        let msg_key = key(msg);
        let mut resolve = |cid: &str, alt: &str| -> Option<usize> {
            let id = *table.get(cid)?;
            let i = match image_of.get(&(msg_key, id)) {
                Some(&i) => i,
                None => {
                    let image = image_from(msg.parts.get(id as usize)?, alt, image_bytes)?;
                    image_bytes += image.bytes.len();
                    images.push(image);
                    image_of.insert((msg_key, id), images.len() - 1);
                    images.len() - 1
                }
            };
            if let Some(image) = images.get_mut(i)
                && image.alt.is_empty()
            {
                image.alt = alt.to_string();
            }
            placed.push(i);
            Some(i)
        };
        let blocks = html::render(
            src,
            &mut html::Ctx {
                budget: &mut self.budget,
                blocked: &mut self.blocked,
                resolve: &mut resolve,
            },
        );
        self.images = images;
        self.image_of = image_of;
        self.image_bytes = image_bytes;
        self.placed.extend(placed);
        blocks
    }

    /// Content-ID to part id for `msg`, built once per message.
    fn cid_table(&mut self, msg: &Message<'_>) -> HashMap<String, u32> {
        self.cids
            .entry(key(msg))
            .or_insert_with(|| {
                msg.parts
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| {
                        let cid = p
                            .content_id()?
                            .trim()
                            .trim_start_matches('<')
                            .trim_end_matches('>');
                        Some((cid.to_string(), u32::try_from(i).ok()?))
                    })
                    .collect()
            })
            .clone()
    }

    /// The image in part `id`, registered once.
    fn image(&mut self, msg: &Message<'_>, id: u32, alt: &str) -> Option<usize> {
        if let Some(&i) = self.image_of.get(&(key(msg), id)) {
            return Some(i);
        }
        let image = image_from(msg.parts.get(id as usize)?, alt, self.image_bytes)?;
        self.image_bytes += image.bytes.len();
        self.images.push(image);
        self.image_of.insert((key(msg), id), self.images.len() - 1);
        Some(self.images.len() - 1)
    }
}

/// Text that did not decode under its label (8-bit bytes sent as UTF-8
/// or ASCII, or with no label), decoded again as what its bytes look
/// like. Only untransformed 8-bit bodies are retried: their bytes are
/// the message's own.
fn relabelled<'t>(msg: &Message<'_>, part: &MessagePart<'_>, text: &'t str) -> Cow<'t, str> {
    let label = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .unwrap_or("us-ascii")
        .to_ascii_lowercase();
    let utf8_or_ascii = matches!(label.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii")
        || mail_parser::decoders::charsets::map::charset_decoder(label.as_bytes()).is_none();
    if !text.contains('\u{FFFD}') || !utf8_or_ascii || part.encoding != Encoding::None {
        return Cow::Borrowed(text);
    }
    let Some(bytes) = msg
        .raw_message()
        .get(part.offset_body as usize..part.offset_end as usize)
    else {
        return Cow::Borrowed(text);
    };
    // The offsets must be this part's: its bytes read as UTF-8 give the
    // same damaged text.
    if String::from_utf8_lossy(bytes).trim_end() != text.trim_end() {
        return Cow::Borrowed(text);
    }
    match guess(bytes) {
        Some(encoding) => Cow::Owned(encoding.decode_without_bom_handling(bytes).0.into_owned()),
        None => Cow::Borrowed(text),
    }
}

/// The encoding `bytes` look like, unless it is UTF-8.
fn guess(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Allow);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, Utf8Detection::Allow);
    (encoding != encoding_rs::UTF_8).then_some(encoding)
}

/// Bytes with no charset to go by: UTF-8 if they are, else a guess.
fn decode_unlabelled(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => match guess(bytes) {
            Some(encoding) => encoding.decode_without_bom_handling(bytes).0,
            None => String::from_utf8_lossy(bytes),
        },
    }
}

/// Text parts shown as plain text. Other text types (CSS, CSV, vCard,
/// XML) are attachments; a multipart whose boundary never came is shown
/// as the text it is.
fn shown_as_text(ctype: &str, subtype: &str) -> bool {
    match ctype {
        "text" => matches!(subtype, "plain" | "enriched" | "richtext" | ""),
        "multipart" | "message" => true,
        _ => false,
    }
}

/// An inline image from a part, if it is a raster image within the
/// limits. SVG is left an attachment: it can name external files and
/// URLs for whatever draws it to load.
fn image_from(part: &MessagePart<'_>, alt: &str, used: usize) -> Option<Image> {
    let (ctype, subtype) = mime_type(part);
    if ctype != "image" || subtype.contains("svg") {
        return None;
    }
    let bytes = match &part.body {
        PartType::Binary(b) | PartType::InlineBinary(b) => b,
        _ => return None,
    };
    if bytes.len() > MAX_IMAGE_BYTES || used + bytes.len() > MAX_IMAGES_BYTES {
        return None;
    }
    let alt = if alt.is_empty() {
        part.attachment_name().map(super::clean).unwrap_or_default()
    } else {
        alt.to_string()
    };
    Some(Image {
        content_id: part
            .content_id()
            .map(|c| super::clean(c.trim().trim_start_matches('<').trim_end_matches('>'))),
        mime_type: format!("{ctype}/{subtype}"),
        bytes: bytes.to_vec(),
        alt,
    })
}

/// The lines above an attached message's text when it is quoted.
fn forwarded_header(headers: &Headers) -> String {
    let mut text = String::new();
    for (name, value) in &headers.all {
        if ["from", "date", "subject", "to", "cc"].contains(&name.to_ascii_lowercase().as_str()) {
            text.push_str(&format!("{name}: {value}\n"));
        }
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::super::render;
    use super::*;

    fn text_parts(parts: &[Part]) -> usize {
        parts
            .iter()
            .map(|p| match p {
                Part::Text(_) => 1,
                Part::Message { parts, .. } => text_parts(parts),
                _ => 0,
            })
            .sum()
    }

    #[test]
    fn nested_messages_stop_at_the_depth_limit() {
        let mut raw =
            "From: a@example.org\r\nSubject: innermost\r\n\r\ndeepest text\r\n".to_string();
        for i in 0..40 {
            raw = format!(
                "From: a@example.org\r\nSubject: level {i}\r\nContent-Type: message/rfc822\r\n\r\n{raw}"
            );
        }
        let r = render(raw.as_bytes()).unwrap();
        assert!(r.document.truncated);
        assert!(!r.text.contains("deepest text"));
    }

    #[test]
    fn multipart_depth_and_part_count_are_bounded() {
        let depth = 200;
        let mut raw = String::from(
            "From: a@example.org\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n",
        );
        for i in 0..depth {
            raw.push_str(&format!(
                "--b{i}\r\nContent-Type: multipart/mixed; boundary=b{}\r\n\r\n",
                i + 1
            ));
        }
        raw.push_str(&format!(
            "--b{depth}\r\nContent-Type: text/plain\r\n\r\nbottom\r\n"
        ));
        let r = render(raw.as_bytes()).unwrap();
        assert!(r.document.truncated);
        assert!(!r.text.contains("bottom"));

        let mut wide = String::from(
            "From: a@example.org\r\nSubject: wide\r\nContent-Type: multipart/mixed; boundary=w\r\n\r\n",
        );
        for i in 0..MAX_PARTS + 50 {
            wide.push_str(&format!(
                "--w\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n"
            ));
        }
        wide.push_str("--w--\r\n");
        let r = render(wide.as_bytes()).unwrap();
        assert!(r.document.truncated);
        assert!(text_parts(&r.document.parts) < MAX_PARTS);
        assert!(r.text.contains("part 0"));
    }

    #[test]
    fn not_a_message_is_an_error_but_odd_structure_is_not() {
        assert!(render(b"").is_err());
        let r =
            render(b"Subject: x\r\nContent-Type: multipart/mixed\r\n\r\nno boundary at all\r\n")
                .unwrap();
        assert!(r.text.contains("no boundary at all"));
        let r = render(b"Subject: x\r\nContent-Type: text/html\r\n\r\n<p>unclosed <b>bold <i>and")
            .unwrap();
        assert_eq!(r.text, "unclosed bold and");
    }

    #[test]
    fn svg_and_oversized_images_are_not_shown_inline() {
        let svg = "From: a@example.org\r\nSubject: svg\r\nContent-Type: multipart/mixed; boundary=s\r\n\r\n--s\r\nContent-Type: image/svg+xml\r\nContent-Disposition: inline\r\n\r\n<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=\"file:///etc/passwd\"/></svg>\r\n--s--\r\n";
        let r = render(svg.as_bytes()).unwrap();
        assert!(r.document.images.is_empty() && r.document.parts.is_empty());
        let big = format!(
            "From: a@example.org\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=s\r\n\r\n--s\r\nContent-Type: image/png\r\nContent-Disposition: inline\r\n\r\n{}\r\n--s--\r\n",
            "x".repeat(MAX_IMAGE_BYTES + 1)
        );
        let r = render(big.as_bytes()).unwrap();
        assert!(r.document.images.is_empty());
    }
}

//! Parse raw RFC 5322 bytes with mail-parser into an owned [`Parsed`].
//!
//! mail-parser has open panic reports on hostile input, so every parse runs
//! under `catch_unwind`: a bad message becomes an error for that message
//! only, never a crash of the app or an aborted import.

use crate::error::{Error, Result};
use crate::model::{Attachment, Flags};
use mail_parser::{Address, HeaderValue, MessageParser, MessagePart, MimeHeaders};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Largest message Poshta accepts into the store (a 50 MB attachment,
/// base64-encoded, fits).
pub const MAX_MESSAGE_BYTES: usize = 80 * 1024 * 1024;
/// The body text kept for display and indexing is cut here.
const MAX_BODY_CHARS: usize = 2 * 1024 * 1024;
const PREVIEW_CHARS: usize = 200;

/// Everything the store and the reader need from one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub subject: String,
    pub from_name: String,
    pub from_addr: String,
    pub to: String,
    pub cc: String,
    /// Where replies go, if not to the sender ("Name <addr>, ...").
    pub reply_to: String,
    /// Where replies to all go, on mailing lists that ask (RFC draft
    /// Mail-Followup-To), as written.
    pub followup_to: String,
    /// Unix seconds from the Date header, if it had a usable one.
    pub date: Option<i64>,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub body: String,
    pub preview: String,
    pub attachments: Vec<Attachment>,
    /// Flags recorded in the file by other mail programs (mbox `Status:`
    /// and `X-Status:` headers): R = read, A = answered, F = flagged.
    pub stored_flags: Flags,
}

impl Parsed {
    /// The conversation a message belongs to: the root of its References
    /// chain, else what it replies to, else itself.
    pub fn thread_key(&self) -> Option<String> {
        self.references
            .first()
            .cloned()
            .or_else(|| self.in_reply_to.clone())
            .or_else(|| self.message_id.clone())
    }
}

pub fn parse(raw: &[u8]) -> Result<Parsed> {
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(Error::TooLarge {
            what: "message",
            limit: MAX_MESSAGE_BYTES,
        });
    }
    catch_unwind(AssertUnwindSafe(|| parse_unguarded(raw)))
        .map_err(|_| Error::UnreadableMessage)?
        .ok_or(Error::UnreadableMessage)
}

/// Parse only the header of `raw` (up to the first empty line): the
/// envelope, for the message list. Body text, preview and attachments stay
/// empty; the full-text index pass reads those later with one full parse,
/// so a POP3 download does not decode every body twice.
pub fn parse_header(raw: &[u8]) -> Result<Parsed> {
    let header = parse(&raw[..header_end(raw)])?;
    // What mail-parser makes of a multipart header without its parts is
    // not the message's body.
    Ok(Parsed {
        body: String::new(),
        preview: String::new(),
        attachments: Vec::new(),
        ..header
    })
}

/// Where the header of `raw` ends: just after its empty line, else at the
/// end (a message that is all header).
fn header_end(raw: &[u8]) -> usize {
    let mut line_start = 0;
    for (i, byte) in raw.iter().enumerate() {
        if *byte == b'\n' {
            let line = &raw[line_start..i];
            if line.is_empty() || line == b"\r" {
                return i + 1;
            }
            line_start = i + 1;
        }
    }
    raw.len()
}

fn parse_unguarded(raw: &[u8]) -> Option<Parsed> {
    let msg = MessageParser::default().parse(raw)?;
    // Text with no header at all is not a message (a stray mbox chunk).
    if msg.headers().is_empty() {
        return None;
    }
    let (from_name, from_addr) = msg
        .from()
        .and_then(Address::first)
        .map(|a| {
            (
                a.name().unwrap_or_default().to_string(),
                a.address().unwrap_or_default().to_string(),
            )
        })
        .unwrap_or_default();
    let mut body: String = msg.body_text(0).map(|b| b.into_owned()).unwrap_or_default();
    // Flowed text (RFC 3676) is shown and searched as the lines written.
    if let Some(ct) = msg.text_part(0).and_then(|p| p.content_type())
        && ct.c_type.eq_ignore_ascii_case("text")
        && ct
            .c_subtype
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("plain"))
        && super::flowed::is_flowed(ct.attribute("format"))
    {
        let delsp = ct
            .attribute("delsp")
            .is_some_and(|d| d.eq_ignore_ascii_case("yes"));
        body = super::flowed::decode(&body, delsp);
    }
    truncate_chars(&mut body, MAX_BODY_CHARS);
    let preview = preview_of(&body);
    let attachments = msg.attachments().map(attachment_of).collect();
    Some(Parsed {
        subject: msg.subject().unwrap_or_default().trim().to_string(),
        from_name,
        from_addr,
        to: address_list(msg.to()),
        cc: address_list(msg.cc()),
        reply_to: address_list(msg.reply_to()),
        followup_to: msg
            .header_raw("Mail-Followup-To")
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
        date: msg.date().map(|d| d.to_timestamp()),
        message_id: msg.message_id().map(str::to_string),
        in_reply_to: first_text(msg.in_reply_to()),
        references: text_list(msg.references()),
        body,
        preview,
        attachments,
        stored_flags: stored_flags(&msg),
    })
}

fn attachment_of(part: &MessagePart<'_>) -> Attachment {
    Attachment {
        filename: part.attachment_name().map(str::to_string),
        mime_type: part
            .content_type()
            .map(|ct| match &ct.c_subtype {
                Some(sub) => format!("{}/{}", ct.c_type, sub),
                None => ct.c_type.to_string(),
            })
            .unwrap_or_else(|| "application/octet-stream".into())
            .to_ascii_lowercase(),
        size: part.len() as u64,
    }
}

/// The attachments of `raw`, in the order of [`Parsed::attachments`],
/// each with its decoded contents; with `only`, just that one (none if
/// there is no such index). Bounded by the message size limit.
pub fn attachment_contents(raw: &[u8], only: Option<usize>) -> Result<Vec<(Attachment, Vec<u8>)>> {
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(Error::TooLarge {
            what: "message",
            limit: MAX_MESSAGE_BYTES,
        });
    }
    catch_unwind(AssertUnwindSafe(|| {
        let msg = MessageParser::default().parse(raw)?;
        Some(
            msg.attachments()
                .enumerate()
                .filter(|(i, _)| only.is_none_or(|o| o == *i))
                .map(|(_, part)| (attachment_of(part), contents_of(part, raw)))
                .collect(),
        )
    }))
    .map_err(|_| Error::UnreadableMessage)?
    .ok_or(Error::UnreadableMessage)
}

/// The bytes of a part as sent, transfer encoding undone. mail-parser
/// turns text parts into UTF-8; a text attachment in another charset is
/// saved in its own, as the sender's program wrote it.
fn contents_of(part: &MessagePart<'_>, raw: &[u8]) -> Vec<u8> {
    let foreign_charset = part.is_text()
        && part
            .content_type()
            .and_then(|ct| ct.attribute("charset"))
            .is_some_and(|cs| {
                !(cs.eq_ignore_ascii_case("utf-8")
                    || cs.eq_ignore_ascii_case("utf8")
                    || cs.eq_ignore_ascii_case("us-ascii"))
            });
    if !foreign_charset {
        return part.contents().to_vec();
    }
    let body = raw
        .get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)
        .unwrap_or_default();
    let encoding = part
        .content_transfer_encoding()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let decoded = match encoding.as_str() {
        "base64" => mail_parser::decoders::base64::base64_decode(body),
        "quoted-printable" => {
            mail_parser::decoders::quoted_printable::quoted_printable_decode(body)
        }
        _ => Some(body.to_vec()),
    };
    decoded.unwrap_or_else(|| part.contents().to_vec())
}

fn stored_flags(msg: &mail_parser::Message<'_>) -> Flags {
    let letters: String = ["Status", "X-Status"]
        .iter()
        .filter_map(|h| msg.header_raw(*h))
        .collect();
    let mut flags = Flags::default();
    for (letter, flag) in [
        ('R', Flags::SEEN),
        ('A', Flags::ANSWERED),
        ('F', Flags::FLAGGED),
    ] {
        flags = flags.with(flag, letters.contains(letter));
    }
    flags
}

/// "Name <addr>, other@x" for display.
fn address_list(addr: Option<&Address<'_>>) -> String {
    let Some(addr) = addr else {
        return String::new();
    };
    addr.iter()
        .map(|a| match (a.name(), a.address()) {
            (Some(name), Some(address)) if !name.is_empty() => format!("{name} <{address}>"),
            (_, Some(address)) => address.to_string(),
            (Some(name), None) => name.to_string(),
            (None, None) => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn text_list(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn first_text(value: &HeaderValue<'_>) -> Option<String> {
    text_list(value).into_iter().next()
}

fn preview_of(body: &str) -> String {
    let mut preview = String::new();
    for word in body
        .lines()
        .filter(|l| !l.trim_start().starts_with('>'))
        .flat_map(str::split_whitespace)
    {
        if preview.chars().count() + word.chars().count() >= PREVIEW_CHARS {
            break;
        }
        if !preview.is_empty() {
            preview.push(' ');
        }
        preview.push_str(word);
    }
    preview
}

fn truncate_chars(s: &mut String, max: usize) {
    if let Some((idx, _)) = s.char_indices().nth(max) {
        s.truncate(idx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_envelope_and_body() {
        let raw = b"From: =?UTF-8?B?0JDQudCz0LXRgNC40Lw=?= <a@example.kz>\r\nTo: b@example.com, \"Bo\" <c@example.com>\r\nSubject: =?UTF-8?Q?=E4=BD=A0=E5=A5=BD?=\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <x@y>\r\nReferences: <r1@y> <r2@y>\r\n\r\nHello\r\n";
        let p = parse(raw).expect("parses");
        assert_eq!(p.subject, "你好");
        assert_eq!(p.from_name, "Айгерим");
        assert_eq!(p.from_addr, "a@example.kz");
        assert_eq!(p.to, "b@example.com, Bo <c@example.com>");
        assert_eq!(p.date, Some(1_795_428_000));
        assert_eq!(p.thread_key().as_deref(), Some("r1@y"));
        assert_eq!(p.body.trim(), "Hello");
    }

    #[test]
    fn header_parse_stops_at_the_empty_line() {
        let raw = b"Subject: =?UTF-8?B?0KHTmdC70LXQvA==?=\r\nMessage-ID: <h@y>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody text\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\nJVBE\r\n--b--\r\n";
        let header = parse_header(raw).expect("parses");
        assert_eq!(header.subject, "Сәлем");
        assert_eq!(header.message_id.as_deref(), Some("h@y"));
        assert!(header.body.is_empty() && header.attachments.is_empty());
        let full = parse(raw).expect("parses");
        assert_eq!(full.subject, header.subject);
        assert_eq!(full.attachments.len(), 1);
        assert_eq!(header_end(b"A: b\n\nbody"), 6);
        assert_eq!(header_end(b"A: b\r\n"), 6);
    }

    #[test]
    fn attachment_contents_are_decoded_in_their_own_charset() {
        let raw = b"From: a@example.test\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Disposition: attachment; filename=q.txt\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Disposition: attachment; filename=p.txt\r\n\r\ncaf\xe9\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=b.bin\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC/w==\r\n--b--\r\n";
        let all = attachment_contents(raw, None).expect("parses");
        let bytes: Vec<&[u8]> = all.iter().map(|(_, b)| b.as_slice()).collect();
        assert_eq!(bytes, [&b"caf\xe9"[..], b"caf\xe9", b"\x00\x01\x02\xff"]);
        let listed = parse(raw).expect("parses").attachments;
        let metadata: Vec<_> = all.into_iter().map(|(a, _)| a).collect();
        assert_eq!(metadata, listed);
        let one = attachment_contents(raw, Some(2)).expect("parses");
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0.filename.as_deref(), Some("b.bin"));
        assert!(
            attachment_contents(raw, Some(3))
                .expect("parses")
                .is_empty()
        );
    }

    #[test]
    fn rejects_oversized_input_without_parsing() {
        let raw = vec![b'a'; MAX_MESSAGE_BYTES + 1];
        assert!(matches!(parse(&raw), Err(Error::TooLarge { .. })));
    }

    #[test]
    fn preview_skips_quotes_and_is_bounded() {
        let body = format!("> quoted\n{}", "word ".repeat(500));
        let p = preview_of(&body);
        assert!(!p.contains("quoted"));
        assert!(p.chars().count() < PREVIEW_CHARS);
    }
}

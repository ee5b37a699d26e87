//! Building a message to send: RFC 5322 headers (RFC 2047 for non-ASCII
//! words, RFC 2231 for attachment names), a Message-ID and Date, the text
//! `format=flowed` with CRLF line ends, multipart/mixed when there are
//! attachments. lettre
//! writes the MIME; this module decides what goes in and refuses what
//! could smuggle a header in.

use crate::error::{Error, Result};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};

/// A message as the user wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outgoing {
    /// "Name <address>" or a bare address.
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// In the envelope only, never in the header.
    pub bcc: Vec<String>,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<OutgoingAttachment>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// Where replies should go, if not to `from`.
    pub reply_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingAttachment {
    pub name: String,
    /// e.g. "application/pdf"; anything unparsable goes as octet-stream.
    pub mime_type: String,
    pub data: Vec<u8>,
}

impl OutgoingAttachment {
    /// `data`, read from the file at `path`: named after the file, its type
    /// guessed from the name.
    pub fn from_file(path: &std::path::Path, data: Vec<u8>) -> Self {
        OutgoingAttachment {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "attachment".into()),
            mime_type: mime_guess::from_path(path)
                .first_or_octet_stream()
                .to_string(),
            data,
        }
    }
}

/// The message ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// Without angle brackets.
    pub message_id: String,
    pub raw: Vec<u8>,
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
}

pub fn build(outgoing: &Outgoing) -> Result<Built> {
    if outgoing.to.is_empty() && outgoing.cc.is_empty() && outgoing.bcc.is_empty() {
        return Err(Error::InvalidMessage("no recipient"));
    }
    build_message(outgoing, false)
}

/// A message still being written, as kept in a Drafts folder: recipients
/// may be missing. (lettre leaves Bcc out of every header; the draft's
/// own row here keeps it.)
pub fn build_draft(outgoing: &Outgoing) -> Result<Vec<u8>> {
    Ok(build_message(outgoing, true)?.raw)
}

fn build_message(outgoing: &Outgoing, draft: bool) -> Result<Built> {
    let from = mailbox(&outgoing.from)?;
    for field in [&outgoing.subject]
        .into_iter()
        .chain(outgoing.in_reply_to.as_ref())
        .chain(&outgoing.references)
    {
        if field.contains(['\r', '\n']) {
            return Err(Error::InvalidMessage("a line break in a header"));
        }
    }
    let message_id = new_message_id(from.email.domain());
    let mut builder = lettre::Message::builder()
        .from(from)
        .subject(outgoing.subject.trim())
        .message_id(Some(format!("<{message_id}>")))
        .date_now()
        .user_agent("Poshta".into());
    for to in &outgoing.to {
        builder = builder.to(mailbox(to)?);
    }
    if let Some(reply_to) = outgoing
        .reply_to
        .as_deref()
        .filter(|r| !r.trim().is_empty())
    {
        builder = builder.reply_to(mailbox(reply_to)?);
    }
    for cc in &outgoing.cc {
        builder = builder.cc(mailbox(cc)?);
    }
    for bcc in &outgoing.bcc {
        builder = builder.bcc(mailbox(bcc)?);
    }
    if let Some(id) = &outgoing.in_reply_to {
        builder = builder.in_reply_to(format!("<{}>", id.trim_matches(['<', '>'])));
    }
    if !outgoing.references.is_empty() {
        let list: Vec<String> = outgoing
            .references
            .iter()
            .map(|r| format!("<{}>", r.trim_matches(['<', '>'])))
            .collect();
        builder = builder.references(list.join(" "));
    }
    // Sent flowed (RFC 3676): long lines go as short ones that readers
    // who know the format join back.
    let flowed_type = ContentType::parse("text/plain; charset=utf-8; format=flowed")
        .map_err(|_| Error::InvalidMessage("the message could not be built"))?;
    if draft {
        // lettre wants someone to deliver to; a draft goes nowhere, so the
        // envelope is the writer's own (it is never used).
        let me = from_address(&outgoing.from)?;
        let envelope = lettre::address::Envelope::new(Some(me.clone()), vec![me])
            .map_err(|_| Error::InvalidMessage("an address that is not valid"))?;
        builder = builder.envelope(envelope);
    }
    let text = SinglePart::builder()
        .header(flowed_type)
        .body(crlf(&super::flowed::encode(&outgoing.body)));
    let message = if outgoing.attachments.is_empty() {
        builder.singlepart(text)
    } else {
        let mut parts = MultiPart::mixed().singlepart(text);
        for a in &outgoing.attachments {
            let mime_type = ContentType::parse(&a.mime_type)
                .unwrap_or_else(|_| ContentType::parse("application/octet-stream").unwrap());
            parts = parts
                .singlepart(Attachment::new(a.name.clone()).body(attachment_body(a), mime_type));
        }
        builder.multipart(parts)
    }
    .map_err(|_| Error::InvalidMessage("the message could not be built"))?;
    let envelope = message.envelope();
    Ok(Built {
        message_id,
        envelope_from: envelope.from().map(ToString::to_string).unwrap_or_default(),
        // Someone in both To and Cc (or twice in one) is sent one copy.
        envelope_to: {
            let mut seen = std::collections::HashSet::new();
            envelope
                .to()
                .iter()
                .map(ToString::to_string)
                .filter(|a| seen.insert(a.to_lowercase()))
                .collect()
        },
        raw: message.formatted(),
    })
}

/// The addresses of a "Name <addr>, other@x; third@y" list, as typed or
/// as found in a header: commas and semicolons inside quoted names or
/// angle brackets do not split.
pub fn split_addresses(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut current, mut quoted, mut angle) = (String::new(), false, false);
    for c in list.chars() {
        match c {
            '"' => quoted = !quoted,
            '<' => angle = true,
            '>' => angle = false,
            ',' | ';' if !quoted && !angle => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out.into_iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

/// An attachment's bytes as they go: base64, so that nothing on the way
/// (line ends, trailing spaces, a lone dot) can change a byte of a file,
/// text files included. A forwarded message (message/rfc822) may not be
/// base64-encoded (RFC 2046), so it goes as 8bit when its lines allow.
fn attachment_body(a: &OutgoingAttachment) -> Body {
    if a.mime_type.eq_ignore_ascii_case("message/rfc822")
        && let Ok(body) = Body::new_with_encoding(a.data.clone(), ContentTransferEncoding::EightBit)
    {
        return body;
    }
    Body::new_with_encoding(a.data.clone(), ContentTransferEncoding::Base64)
        .unwrap_or_else(Body::new)
}

/// Whether `text` is one address ("Name <address>" or "address") that a
/// message could carry.
pub fn check_address(text: &str) -> Result<()> {
    mailbox(text).map(drop)
}

fn from_address(text: &str) -> Result<lettre::Address> {
    Ok(mailbox(text)?.email)
}

/// "Name <address>" or "address", refusing line breaks and bad addresses.
fn mailbox(text: &str) -> Result<Mailbox> {
    if text.contains(['\r', '\n']) {
        return Err(Error::InvalidMessage("a line break in an address"));
    }
    text.trim()
        .parse()
        .map_err(|_| Error::InvalidMessage("an address that is not valid"))
}

/// Every line ending as CRLF (lone CR and LF included).
fn crlf(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    unified.replace('\n', "\r\n")
}

/// A Message-ID nobody else will make: time, process and a counter,
/// hashed, at the sender's domain.
fn new_message_id(domain: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let seed = format!(
        "{nanos}.{}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let hash = crate::net::tls::hex(&crate::net::tls::sha256(seed.as_bytes()));
    format!("{}@{domain}", &hash[..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Outgoing {
        Outgoing {
            from: "Айгерим <aigerim@example.kz>".into(),
            to: vec!["bob@example.test".into()],
            bcc: vec!["hidden@example.test".into()],
            subject: "Отчёт 报告".into(),
            body: ".leading dot\nFrom the start\r\nlast".into(),
            ..Outgoing::default()
        }
    }

    #[test]
    fn headers_are_encoded_and_bcc_stays_in_the_envelope() {
        let built = build(&sample()).unwrap();
        let text = String::from_utf8(built.raw.clone()).unwrap();
        let parsed = crate::mime::parse::parse(&built.raw).unwrap();
        assert_eq!(parsed.subject, "Отчёт 报告");
        assert_eq!(parsed.from_name, "Айгерим");
        assert_eq!(
            parsed.message_id.as_deref(),
            Some(built.message_id.as_str())
        );
        assert!(built.message_id.ends_with("@example.kz"));
        assert!(!text.to_ascii_lowercase().contains("bcc"), "{text}");
        assert_eq!(
            built.envelope_to,
            ["bob@example.test", "hidden@example.test"]
        );
        let mut twice = sample();
        twice.cc = vec!["Bob <BOB@example.test>".into()];
        assert_eq!(
            build(&twice).unwrap().envelope_to,
            ["bob@example.test", "hidden@example.test"],
            "one copy each"
        );
        // The transfer encoding ends the text with a line break.
        assert_eq!(
            parsed.body.replace("\r\n", "\n"),
            ".leading dot\nFrom the start\nlast\n"
        );
        assert!(text.lines().all(|l| l.len() <= 998));
    }

    #[test]
    fn addresses_split_on_commas_and_semicolons() {
        assert_eq!(
            split_addresses(" a@x.kz, Боб <b@y.kz>;; c@z "),
            ["a@x.kz", "Боб <b@y.kz>", "c@z"]
        );
        assert_eq!(
            split_addresses("\"Doe, John\" <j@x.com>, a@b"),
            ["\"Doe, John\" <j@x.com>", "a@b"]
        );
        assert!(split_addresses(" , ").is_empty());
    }

    #[test]
    fn line_breaks_cannot_inject_headers() {
        let mut bad = sample();
        bad.subject = "hi\r\nBcc: victim@example.test".into();
        assert!(matches!(build(&bad), Err(Error::InvalidMessage(_))));
        let mut bad = sample();
        bad.to = vec!["a@example.test\r\nX-Evil: 1".into()];
        assert!(matches!(build(&bad), Err(Error::InvalidMessage(_))));
        let mut none = sample();
        none.to.clear();
        none.bcc.clear();
        assert!(matches!(build(&none), Err(Error::InvalidMessage(_))));
    }

    #[test]
    fn attachments_keep_non_ascii_names_and_types() {
        let mut m = sample();
        m.attachments.push(OutgoingAttachment {
            name: "отчёт 2026.pdf".into(),
            mime_type: "application/pdf".into(),
            data: b"%PDF-1.4 data".to_vec(),
        });
        let built = build(&m).unwrap();
        let parsed = crate::mime::parse::parse(&built.raw).unwrap();
        assert_eq!(parsed.attachments.len(), 1);
        assert_eq!(
            parsed.attachments[0].filename.as_deref(),
            Some("отчёт 2026.pdf")
        );
        assert_eq!(parsed.attachments[0].mime_type, "application/pdf");
    }
}

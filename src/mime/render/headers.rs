//! The header block: who, to whom, when, what, and every field as sent.

use super::clean::clean;
use super::{Headers, Mailbox};
use mail_parser::{Address, Header, HeaderValue, Message};

/// Header fields listed in [`Headers::all`].
const MAX_FIELDS: usize = 500;
/// Characters of one listed value.
const MAX_VALUE: usize = 4096;
/// Mailboxes kept per address field (a list mail to thousands).
const MAX_MAILBOXES: usize = 1000;

pub(super) fn headers(msg: &Message<'_>) -> Headers {
    let all = msg
        .headers()
        .iter()
        .take(MAX_FIELDS)
        .map(|h| {
            let name = h.name.as_str();
            (bounded(clean(name)), bounded(clean(&value_text(msg, h))))
        })
        .collect();
    Headers {
        subject: clean(msg.subject().unwrap_or_default()),
        from: mailboxes(msg.from()),
        to: mailboxes(msg.to()),
        cc: mailboxes(msg.cc()),
        reply_to: mailboxes(msg.reply_to()),
        date: msg.date().map(|d| d.to_timestamp()),
        all,
    }
}

fn mailboxes(addr: Option<&Address<'_>>) -> Vec<Mailbox> {
    let Some(addr) = addr else {
        return Vec::new();
    };
    addr.iter()
        .take(MAX_MAILBOXES)
        .filter_map(|a| {
            let name = a.name().map(clean).filter(|n| !n.is_empty());
            let address = a.address().map(clean).unwrap_or_default();
            (name.is_some() || !address.is_empty()).then_some(Mailbox { name, address })
        })
        .collect()
}

fn address_text(addr: &Address<'_>) -> String {
    let one = |a: &mail_parser::Addr<'_>| match (a.name(), a.address()) {
        (Some(n), Some(ad)) if !n.is_empty() => format!("{n} <{ad}>"),
        (_, Some(ad)) => ad.to_string(),
        (Some(n), None) => n.to_string(),
        (None, None) => String::new(),
    };
    match addr {
        Address::List(list) => list
            .iter()
            .take(MAX_MAILBOXES)
            .map(one)
            .collect::<Vec<_>>()
            .join(", "),
        Address::Group(groups) => groups
            .iter()
            .take(MAX_MAILBOXES)
            .map(|g| {
                let members = g
                    .addresses
                    .iter()
                    .take(MAX_MAILBOXES)
                    .map(one)
                    .collect::<Vec<_>>()
                    .join(", ");
                match g.name.as_deref() {
                    Some(name) => format!("{name}: {members};"),
                    None => members,
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A field's value for the full header list: decoded where mail-parser
/// decodes it, as written where it is a trace or unknown structure.
fn value_text(msg: &Message<'_>, h: &Header<'_>) -> String {
    let ids = matches!(
        h.name.as_str().to_ascii_lowercase().as_str(),
        "message-id" | "in-reply-to" | "references" | "content-id" | "resent-message-id"
    );
    match &h.value {
        HeaderValue::Address(a) => address_text(a),
        HeaderValue::Text(t) if ids => format!("<{t}>"),
        HeaderValue::Text(t) => t.to_string(),
        HeaderValue::TextList(list) if ids => list
            .iter()
            .map(|t| format!("<{t}>"))
            .collect::<Vec<_>>()
            .join(" "),
        HeaderValue::TextList(list) => list.join(", "),
        HeaderValue::DateTime(d) => d.to_rfc822(),
        HeaderValue::ContentType(ct) => {
            let mut text = ct.c_type.to_string();
            if let Some(sub) = &ct.c_subtype {
                text = format!("{text}/{sub}");
            }
            for attr in ct.attributes.iter().flatten() {
                text.push_str(&format!("; {}={}", attr.name, attr.value));
            }
            text
        }
        _ => raw_value(msg, h).unwrap_or_default(),
    }
}

/// The value as written, if the field's offsets point into this
/// message's bytes (for an attached message they may not).
fn raw_value(msg: &Message<'_>, h: &Header<'_>) -> Option<String> {
    let raw = msg.raw_message();
    let field = raw.get(h.offset_field as usize..h.offset_start as usize)?;
    let name = h.name.as_str().as_bytes();
    if !field.get(..name.len())?.eq_ignore_ascii_case(name) {
        return None;
    }
    let value = raw.get(h.offset_start as usize..h.offset_end as usize)?;
    Some(String::from_utf8_lossy(value).into_owned())
}

fn bounded(mut s: String) -> String {
    if let Some((i, _)) = s.char_indices().nth(MAX_VALUE) {
        s.truncate(i);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    #[test]
    fn names_and_addresses_are_both_kept_and_cleaned() {
        let raw = b"From: \"Boss <boss@corp.example>\" <x@evil.example>\r\nTo: =?UTF-8?Q?Ann_=E2=80=AEnosirrah?= <ann@example.org>, bob@example.org\r\nSubject: Pay \xe2\x80\xaeinvoice\r\nX-Odd: a\r\n\tb\r\nDate: Tue, 1 Dec 2026 10:00:00 +0100\r\n\r\nbody\r\n";
        let msg = MessageParser::default().parse(&raw[..]).unwrap();
        let h = headers(&msg);
        assert_eq!(
            h.from,
            [Mailbox {
                name: Some("Boss <boss@corp.example>".into()),
                address: "x@evil.example".into()
            }]
        );
        assert_eq!(h.to[0].name.as_deref(), Some("Ann nosirrah"));
        assert_eq!(
            h.to[1],
            Mailbox {
                name: None,
                address: "bob@example.org".into()
            }
        );
        assert_eq!(h.subject, "Pay invoice");
        assert_eq!(h.date, Some(1_796_115_600));
        let names: Vec<_> = h.all.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["From", "To", "Subject", "X-Odd", "Date"]);
        assert_eq!(h.all[3].1, "a b");
        assert_eq!(h.all[4].1, "Tue, 1 Dec 2026 10:00:00 +0100");
    }
}

//! Replying to and forwarding a message: who it goes to, its subject, its
//! threading headers and its quoted text. The words around the quote (the
//! attribution line, the forwarded-message header) are the caller's, in
//! the user's language.

use crate::mime::compose::{Outgoing, OutgoingAttachment, split_addresses};
use crate::model::MessageView;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Reply,
    ReplyAll,
    /// The text inline, under a header block.
    Forward,
    /// The whole message attached as message/rfc822 (see
    /// [`original_attached`]).
    ForwardAttached,
}

/// A new message answering `original` (or forwarding it). `own` are the
/// user's addresses (left out of reply-all); `intro` goes above the
/// quoted or forwarded text.
pub fn respond(original: &MessageView, kind: Kind, own: &[String], intro: &str) -> Outgoing {
    let sender = original.summary.sender_mailbox();
    let reply_target = if original.reply_to.trim().is_empty() {
        vec![sender]
    } else {
        split_addresses(&original.reply_to)
    };
    let (to, cc) = match kind {
        Kind::Reply => (reply_target, Vec::new()),
        Kind::ReplyAll if !original.followup_to.trim().is_empty() => {
            (split_addresses(&original.followup_to), Vec::new())
        }
        Kind::ReplyAll => {
            let mut to = reply_target;
            to.extend(split_addresses(&original.to));
            (to, split_addresses(&original.cc))
        }
        Kind::Forward | Kind::ForwardAttached => (Vec::new(), Vec::new()),
    };
    let mut seen: Vec<String> = own.iter().map(|a| email_of(a)).collect();
    let mut keep = |list: Vec<String>| -> Vec<String> {
        list.into_iter()
            .filter(|a| {
                let email = email_of(a);
                let fresh = !email.is_empty() && !seen.contains(&email);
                seen.push(email);
                fresh
            })
            .collect()
    };
    let (to, cc) = {
        let to = keep(to);
        let cc = keep(cc);
        match kind {
            // A reply to one's own message goes back to where it went.
            Kind::Reply if to.is_empty() => (split_addresses(&original.to), cc),
            _ => (to, cc),
        }
    };
    let (subject, body, in_reply_to, references) = match kind {
        Kind::ForwardAttached => (
            prefixed("Fwd:", &original.summary.subject),
            String::new(),
            None,
            Vec::new(),
        ),
        Kind::Forward => (
            prefixed("Fwd:", &original.summary.subject),
            format!("\n\n{intro}\n\n{}", original.body),
            None,
            Vec::new(),
        ),
        _ => {
            let mut references = original.references.clone();
            references.extend(original.message_id.clone());
            (
                prefixed("Re:", &original.summary.subject),
                format!("\n\n{intro}\n{}", quote(&original.body)),
                original.message_id.clone(),
                references,
            )
        }
    };
    Outgoing {
        to,
        cc,
        subject,
        body,
        in_reply_to,
        references,
        ..Outgoing::default()
    }
}

/// The original message, whole, as an attachment named after its subject.
pub fn original_attached(subject: &str, raw: Vec<u8>) -> OutgoingAttachment {
    let name: String = subject
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(100)
        .collect();
    let name = match name.trim() {
        "" => "message".to_string(),
        trimmed => trimmed.to_string(),
    };
    OutgoingAttachment {
        name: format!("{name}.eml"),
        mime_type: "message/rfc822".into(),
        data: raw,
    }
}

/// `prefix` once in front of `subject`, whatever reply and forward
/// prefixes it had (Re:, RE:, Aw:, Fwd:, Fw:, stacked or not).
fn prefixed(prefix: &str, subject: &str) -> String {
    format!("{prefix} {}", super::subject::strip_prefixes(subject).0)
}

fn quote(body: &str) -> String {
    body.lines()
        .map(|l| {
            if l.starts_with('>') {
                format!(">{l}")
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The bare, lowercased address of "Name <addr>" or "addr".
fn email_of(address: &str) -> String {
    let inner = match (address.rfind('<'), address.rfind('>')) {
        (Some(open), Some(close)) if open < close => &address[open + 1..close],
        _ => address,
    };
    inner.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Flags, FolderId, MessageId, MessageSummary};

    fn original() -> MessageView {
        MessageView {
            summary: MessageSummary {
                id: MessageId(1),
                folder_id: FolderId(1),
                subject: "RE: Fwd: re: Бюджет".into(),
                from_name: "Ольга".into(),
                from_addr: "olga@example.kz".into(),
                date: 0,
                flags: Flags::default(),
                has_attachments: false,
                size: 1,
                thread_size: 1,
            },
            to: "Me <me@example.kz>, \"Doe, John\" <john@example.com>".into(),
            cc: "team@example.kz, ME@example.kz".into(),
            reply_to: String::new(),
            followup_to: String::new(),
            message_id: Some("m2@example.kz".into()),
            references: vec!["m1@example.kz".into()],
            body: "Line one\n> earlier".into(),
            attachments: Vec::new(),
            rendered: Default::default(),
        }
    }

    #[test]
    fn reply_goes_to_the_sender_with_threading_and_a_quote() {
        let r = respond(
            &original(),
            Kind::Reply,
            &["me@example.kz".into()],
            "Olga wrote:",
        );
        assert_eq!(r.to, ["Ольга <olga@example.kz>"]);
        assert!(r.cc.is_empty());
        assert_eq!(r.subject, "Re: Бюджет");
        assert_eq!(r.in_reply_to.as_deref(), Some("m2@example.kz"));
        assert_eq!(r.references, ["m1@example.kz", "m2@example.kz"]);
        assert_eq!(r.body, "\n\nOlga wrote:\n> Line one\n>> earlier");
    }

    #[test]
    fn reply_all_drops_own_addresses_and_honours_reply_to_and_followup_to() {
        let own = ["Me <me@example.kz>".to_string()];
        let r = respond(&original(), Kind::ReplyAll, &own, "");
        assert_eq!(
            r.to,
            [
                "Ольга <olga@example.kz>",
                "\"Doe, John\" <john@example.com>"
            ]
        );
        assert_eq!(r.cc, ["team@example.kz"]);

        let mut list = original();
        list.reply_to = "list@example.org".into();
        assert_eq!(
            respond(&list, Kind::Reply, &own, "").to,
            ["list@example.org"]
        );
        list.followup_to = "list@example.org, olga@example.kz".into();
        let r = respond(&list, Kind::ReplyAll, &own, "");
        assert_eq!(r.to, ["list@example.org", "olga@example.kz"]);
        assert!(r.cc.is_empty());
    }

    #[test]
    fn forward_as_attachment_carries_the_whole_message() {
        let raw =
            b"From: olga@example.kz\r\nSubject: a/b\r\nMessage-ID: <o@x>\r\n\r\nHi\r\n".to_vec();
        let f = respond(&original(), Kind::ForwardAttached, &[], "");
        assert_eq!((f.subject.as_str(), f.body.as_str()), ("Fwd: Бюджет", ""));
        let attached = original_attached("a/b: c", raw.clone());
        assert_eq!(attached.name, "a_b_ c.eml");
        let built = crate::mime::compose::build(&Outgoing {
            from: "me@example.kz".into(),
            to: vec!["you@example.kz".into()],
            attachments: vec![attached],
            ..f
        })
        .unwrap();
        let parsed = crate::mime::parse::parse(&built.raw).unwrap();
        assert_eq!(parsed.attachments.len(), 1);
        assert_eq!(parsed.attachments[0].mime_type, "message/rfc822");
        let text = String::from_utf8_lossy(&built.raw);
        assert!(text.contains("Message-ID: <o@x>"), "sent as it was: {text}");
    }

    #[test]
    fn forward_keeps_the_text_and_prefixes_once() {
        let f = respond(&original(), Kind::Forward, &[], "-- Forwarded --");
        assert!(f.to.is_empty());
        assert_eq!(f.subject, "Fwd: Бюджет");
        assert!(f.body.ends_with("-- Forwarded --\n\nLine one\n> earlier"));
        assert_eq!(f.in_reply_to, None);
    }
}

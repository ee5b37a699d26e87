//! A query as IMAP SEARCH keys (RFC 3501 §6.4.4), for messages whose
//! bodies are not here. IMAP matches substrings, so a prefix is its
//! stem and a phrase its words as written; `has:attachment` has no key
//! and is checked on the local rows the answer maps to.

use super::{Field, Query};

/// `UID SEARCH ...` in pieces: `text[0]`, a literal, `text[1]`, ... ,
/// `text[n]`. Non-ASCII values travel as literals (a quoted string is
/// 7-bit), with `CHARSET UTF-8` announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub text: Vec<String>,
    pub literals: Vec<Vec<u8>>,
}

/// The command for `query`'s terms, or `None` when it has none.
pub fn command(query: &Query) -> Option<Command> {
    if query.terms.is_empty() {
        return None;
    }
    let utf8 = query.terms.iter().any(|t| !quotable(&t.text));
    let mut cmd = Command {
        text: vec![String::from(if utf8 {
            "UID SEARCH CHARSET UTF-8"
        } else {
            "UID SEARCH"
        })],
        literals: Vec::new(),
    };
    for t in &query.terms {
        match t.field {
            Field::Any => cmd.key("TEXT", &t.text),
            Field::From => cmd.key("FROM", &t.text),
            Field::Subject => cmd.key("SUBJECT", &t.text),
            Field::To => {
                cmd.push(" OR");
                cmd.key("TO", &t.text);
                cmd.key("CC", &t.text);
            }
        }
    }
    Some(cmd)
}

/// Printable ASCII: safe in a quoted string.
fn quotable(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

impl Command {
    fn push(&mut self, s: &str) {
        if let Some(last) = self.text.last_mut() {
            last.push_str(s);
        }
    }

    fn key(&mut self, name: &str, value: &str) {
        self.push(&format!(" {name} "));
        if quotable(value) {
            let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
            self.push(&format!("\"{quoted}\""));
        } else {
            self.push(&format!("{{{}}}", value.len()));
            self.literals.push(value.as_bytes().to_vec());
            self.text.push(String::new());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(q: &str) -> Option<Command> {
        command(&Query::parse(q))
    }

    #[test]
    fn ascii_terms_are_quoted_keys() {
        let c = cmd(
            r#"from:anna to:bob subject:"weekly sync" invoi* "q3 report" has:attachment say"hi\"#,
        )
        .unwrap();
        assert_eq!(
            c.text,
            [
                r#"UID SEARCH FROM "anna" OR TO "bob" CC "bob" SUBJECT "weekly sync" TEXT "invoi" TEXT "q3 report" TEXT "say\"hi\\""#
            ]
        );
        assert!(c.literals.is_empty());
        assert_eq!(cmd("has:attachment"), None);
    }

    #[test]
    fn non_ascii_values_are_literals_in_utf8() {
        let c = cmd("отчёт report to:Әсел").unwrap();
        assert_eq!(
            c.text,
            [
                "UID SEARCH CHARSET UTF-8 TEXT {10}",
                " TEXT \"report\" OR TO {8}",
                " CC {8}",
                ""
            ]
        );
        assert_eq!(
            c.literals,
            ["отчёт".as_bytes(), "Әсел".as_bytes(), "Әсел".as_bytes()]
        );
    }
}

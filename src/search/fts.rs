//! The FTS5 side of a query: the MATCH expression, and the one text
//! transformation both indexing and querying apply.
//!
//! FTS5's `unicode61` tokenizer splits on spaces and punctuation, which
//! Chinese and Japanese text does not have: "年度报告已发送" is one token,
//! and a search for "报告" (report) would never find it. The `trigram`
//! tokenizer finds substrings but cannot match fewer than three
//! characters, and most Chinese words are two. So every Han or kana
//! character is indexed as a token of its own, and a CJK word in a query
//! becomes the phrase of its characters: "报告" matches "报 告" only where
//! the two stand side by side.

use super::{Field, Query};
use std::borrow::Cow;

/// The columns of `message_fts`, in order (see migration V13).
pub const COLUMNS: &str = "subject, sender, recipients, body, attachments";

/// Characters indexed one by one: CJK ideographs, kana and the CJK
/// compatibility forms.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}' // CJK Extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK Unified Ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK Compatibility Ideographs
        | '\u{20000}'..='\u{3134F}') // Extensions B to G
}

/// `text` with a space around every CJK character, so the tokenizer sees
/// each as a word. Text without any is returned as is.
pub fn segment(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_cjk) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for c in text.chars() {
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The MATCH expression for `query`'s terms, or `None` if it has none.
/// Every term is a quoted FTS5 string, so nothing typed is FTS5 syntax.
pub fn expression(query: &Query) -> Option<String> {
    let parts: Vec<String> = query
        .terms
        .iter()
        .map(|t| {
            let column = match t.field {
                Field::Any => "",
                Field::From => "sender : ",
                Field::To => "recipients : ",
                Field::Subject => "subject : ",
            };
            let star = if t.prefix { " *" } else { "" };
            format!(
                "{column}\"{}\"{star}",
                segment(&t.text).replace('"', "\"\"")
            )
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(q: &str) -> Option<String> {
        expression(&Query::parse(q))
    }

    #[test]
    fn terms_become_quoted_strings_with_columns() {
        assert_eq!(
            expr(r#"from:anna "q3 report" invoi* to:bob subject:"weekly sync""#).as_deref(),
            Some(
                r#"sender : "anna" AND "q3 report" AND "invoi" * AND recipients : "bob" AND subject : "weekly sync""#
            )
        );
        assert_eq!(expr(r#"say"hi""#).as_deref(), Some(r#""say""hi""""#));
        assert_eq!(expr("has:attachment"), None);
        assert_eq!(expr(""), None);
    }

    /// Why segmenting: unicode61 keeps a run of Han characters as one
    /// token, so a word inside it is never found; segmented, the word is
    /// found as adjacent characters, and the same characters apart are not.
    #[test]
    fn unicode61_needs_cjk_segmented() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');",
        )
        .unwrap();
        let text = "会议纪要：年度报告已发送。Қазақстан";
        db.execute("INSERT INTO t (rowid, body) VALUES (1, ?1)", [text])
            .unwrap();
        db.execute(
            "INSERT INTO t (rowid, body) VALUES (2, ?1)",
            [segment(text)],
        )
        .unwrap();
        let rows = |q: &str| -> Vec<i64> {
            let mut stmt = db
                .prepare("SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid")
                .unwrap();
            let expr = expression(&Query::parse(q)).unwrap();
            stmt.query_map([expr], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(rows("报告"), [2]);
        assert_eq!(rows("年度报告"), [2]);
        assert_eq!(rows("告报"), Vec::<i64>::new());
        assert_eq!(rows("报*"), [2]);
        assert_eq!(rows("ҚАЗАҚСТАН"), [1, 2]);
    }

    #[test]
    fn cjk_characters_stand_alone() {
        assert_eq!(segment("plain text"), "plain text");
        assert_eq!(segment("年度报告 ok"), " 年  度  报  告  ok");
        assert_eq!(expr("报告").as_deref(), Some(r#"" 报  告 ""#));
        assert_eq!(segment("テスト"), " テ  ス  ト ");
    }
}

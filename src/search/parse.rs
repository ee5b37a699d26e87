//! Reading what a person typed into a [`Query`]. Nothing here fails: a
//! piece that is not a well-formed operator or phrase is taken as the
//! words it holds.

use super::{Field, Query, Term};

/// Input past this many characters is ignored: a query is typed, and the
/// index work grows with it.
const MAX_CHARS: usize = 2_000;
/// And past this many terms.
const MAX_TERMS: usize = 32;

pub fn parse(input: &str) -> Query {
    let input: String = input.chars().take(MAX_CHARS).collect();
    let mut query = Query::default();
    let mut rest = input.as_str();
    while query.terms.len() < MAX_TERMS {
        rest = rest.trim_start();
        let Some(first) = rest.chars().next() else {
            break;
        };
        if first == '"'
            && let Some(end) = rest[1..].find('"')
        {
            push(&mut query, Field::Any, &rest[1..1 + end], false);
            rest = &rest[end + 2..];
            continue;
        }
        if first == '"' {
            // An unclosed quote: the rest is plain words.
            rest = &rest[1..];
            continue;
        }
        // An operator with a quoted value spans spaces: `subject:"weekly sync"`.
        if let Some((field, after)) = quoted_operator(rest)
            && let Some(end) = after.find('"')
        {
            push(&mut query, field, &after[..end], false);
            rest = &after[end + 1..];
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        word(&mut query, &rest[..end]);
        rest = &rest[end..];
    }
    query
}

/// `from:"`, `to:"`, `subject:"` at the start of `s`: the field, and what
/// follows the quote.
fn quoted_operator(s: &str) -> Option<(Field, &str)> {
    let (name, value) = s.split_once(':')?;
    let field = field(name)?;
    Some((field, value.strip_prefix('"')?))
}

fn field(name: &str) -> Option<Field> {
    match name.to_ascii_lowercase().as_str() {
        "from" => Some(Field::From),
        "to" => Some(Field::To),
        "subject" => Some(Field::Subject),
        _ => None,
    }
}

/// One whitespace-delimited piece: an operator with a word, or a word.
fn word(query: &mut Query, piece: &str) {
    // A value opening a quote that never closes is not an operator.
    if let Some((name, value)) = piece.split_once(':')
        && !value.is_empty()
        && !value.starts_with('"')
    {
        if name.eq_ignore_ascii_case("has") && value.eq_ignore_ascii_case("attachment") {
            query.has_attachment = true;
            return;
        }
        if let Some(field) = field(name) {
            let (text, prefix) = strip_star(value);
            push(query, field, text, prefix);
            return;
        }
    }
    let (text, prefix) = strip_star(piece);
    push(query, Field::Any, text, prefix);
}

/// `invoi*` is a prefix; a bare `*` is nothing.
fn strip_star(s: &str) -> (&str, bool) {
    let text = s.trim_end_matches('*');
    (text, text.len() != s.len() && !text.is_empty())
}

/// Add a term unless it holds nothing a word is made of (`-`, `:`),
/// which no index could find.
fn push(query: &mut Query, field: Field, text: &str, prefix: bool) {
    if !text.chars().any(char::is_alphanumeric) {
        return;
    }
    // One space between words: a phrase typed over lines is the same phrase.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    query.terms.push(Term {
        field,
        text,
        prefix,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(field: Field, text: &str, prefix: bool) -> Term {
        Term {
            field,
            text: text.into(),
            prefix,
        }
    }

    fn any(text: &str) -> Term {
        term(Field::Any, text, false)
    }

    #[test]
    fn words_are_all_required_terms() {
        assert_eq!(
            parse("  annual   report ").terms,
            [any("annual"), any("report")]
        );
        assert!(parse("").is_empty());
        assert!(parse("   ").is_empty());
    }

    #[test]
    fn prefix_phrase_and_operators_combine() {
        let q =
            parse(r#"from:anna has:attachment "q3 report" invoi* subject:"weekly  sync" to:bob*"#);
        assert!(q.has_attachment);
        assert_eq!(
            q.terms,
            [
                term(Field::From, "anna", false),
                any("q3 report"),
                term(Field::Any, "invoi", true),
                term(Field::Subject, "weekly sync", false),
                term(Field::To, "bob", true),
            ]
        );
        let q = parse("FROM:Anna Has:Attachment");
        assert!(q.has_attachment);
        assert_eq!(q.terms, [term(Field::From, "Anna", false)]);
    }

    #[test]
    fn malformed_pieces_are_taken_literally() {
        // Unclosed quotes, empty operators, unknown operators, lone stars.
        assert_eq!(
            parse(r#""annual report"#).terms,
            [any("annual"), any("report")]
        );
        assert_eq!(
            parse(r#"subject:"weekly sync"#).terms,
            [any("subject:\"weekly"), any("sync")]
        );
        assert_eq!(parse("from: anna").terms, [any("from:"), any("anna")]);
        assert_eq!(parse("has:pdf cc:x").terms, [any("has:pdf"), any("cc:x")]);
        assert!(parse("* ** - : \"\" \" ").is_empty());
        assert_eq!(parse("a*b*").terms, [term(Field::Any, "a*b", true)]);
        assert_eq!(parse("AND OR NOT NEAR(").terms.len(), 4);
        assert_eq!(parse(r#"x"y"#).terms, [any("x\"y")]);
    }

    #[test]
    fn unicode_words() {
        assert_eq!(
            parse("Қазақстан отчёт 年度报告").terms,
            [any("Қазақстан"), any("отчёт"), any("年度报告")]
        );
        assert_eq!(
            parse("от:x отч*").terms,
            [any("от:x"), term(Field::Any, "отч", true)]
        );
        // Multi-byte text around quotes and colons never splits a character.
        assert_eq!(parse("\"報告\"ä:\"ö").terms, [any("報告"), any("ä:\"ö")]);
    }

    #[test]
    fn input_is_bounded() {
        let long = "word ".repeat(10_000);
        assert_eq!(parse(&long).terms.len(), MAX_TERMS);
        let huge = "x".repeat(1_000_000);
        assert_eq!(parse(&huge).terms[0].text.len(), MAX_CHARS);
    }
}

//! text/plain: paragraphs at their quote depth, line breaks kept, web and
//! mail addresses made links.

use super::clean::clean_body;
use super::walk::Budget;
use super::{Block, BlockKind, Link, Span};
use crate::mime::flowed;

const TAB_STOP: usize = 8;

/// Blocks for `text`, and the text itself as it should be quoted (line
/// ends LF, flowed lines joined, controls dropped, within the budget).
pub(super) fn render(
    text: &str,
    flowed_delsp: Option<bool>,
    budget: &mut Budget,
) -> (Vec<Block>, String) {
    let text = text.replace("\r\n", "\n");
    let text = match flowed_delsp {
        Some(delsp) => flowed::decode(&text, delsp),
        None => text,
    };
    let text = clean_body(&expand_tabs(&text), false);
    let text = budget.take_text(text);
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut para_depth = 0;
    for line in text.split('\n') {
        let (depth, content) = quote_level(line);
        if content.trim().is_empty() || depth != para_depth {
            push(&mut blocks, &para, para_depth, budget);
            para.clear();
        }
        para_depth = depth;
        if !content.trim().is_empty() {
            para.push(content.trim_end());
        }
    }
    push(&mut blocks, &para, para_depth, budget);
    (blocks, text)
}

fn push(blocks: &mut Vec<Block>, lines: &[&str], depth: u8, budget: &mut Budget) {
    if lines.is_empty() || !budget.take_block() {
        return;
    }
    blocks.push(Block {
        kind: BlockKind::Paragraph,
        quote: depth,
        spans: linkify(&lines.join("\n")),
    });
}

/// How many `>` start the line (spaces between them allowed, as in
/// "> > text"), and the rest after one optional space.
pub(super) fn quote_level(line: &str) -> (u8, &str) {
    let mut depth: u8 = 0;
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start_matches(' ');
        // Only a single space may separate marks ("> > x"); indentation
        // before the first mark is not a quote.
        let gap = rest.len() - trimmed.len();
        match trimmed.strip_prefix('>') {
            Some(after) if (depth == 0 && gap == 0) || (depth > 0 && gap <= 1) => {
                depth = depth.saturating_add(1);
                rest = after;
            }
            _ => break,
        }
    }
    if depth == 0 {
        return (0, line);
    }
    (depth, rest.strip_prefix(' ').unwrap_or(rest))
}

/// Spans of `text` with http, https and mailto addresses as links.
pub(super) fn linkify(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut plain_from = 0;
    let mut i = 0;
    while let Some((start, _)) = ["https://", "http://", "mailto:"]
        .iter()
        .filter_map(|p| lower.get(i..)?.find(p).map(|at| (i + at, *p)))
        .min_by_key(|(at, _)| *at)
    {
        let rest = &text[start..];
        let len = rest
            .find(|c: char| c.is_whitespace() || "<>\"".contains(c))
            .unwrap_or(rest.len());
        let url = trim_url(&rest[..len]);
        if url.contains("//") && url.len() > "https://".len()
            || url.starts_with("mailto:") && url.len() > 7
        {
            if start > plain_from {
                spans.push(Span {
                    text: text[plain_from..start].to_string(),
                    ..Span::default()
                });
            }
            spans.push(Span {
                text: url.to_string(),
                link: Some(Link::new(url)),
                ..Span::default()
            });
            plain_from = start + url.len();
        }
        i = start + url.len().max(1);
    }
    if plain_from < text.len() || spans.is_empty() {
        spans.push(Span {
            text: text[plain_from..].to_string(),
            ..Span::default()
        });
    }
    spans
}

/// A URL found in prose without the punctuation that ends the sentence,
/// and without a closing bracket it did not open.
fn trim_url(url: &str) -> &str {
    let mut url = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
    while url.ends_with(')') && url.matches(')').count() > url.matches('(').count() {
        url = url[..url.len() - 1].trim_end_matches(['.', ',', ';', ':', '!', '?']);
    }
    url
}

fn expand_tabs(text: &str) -> String {
    if !text.contains('\t') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut col = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let n = TAB_STOP - col % TAB_STOP;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' => {
                out.push(c);
                col = 0;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str, flowed: Option<bool>) -> Vec<(u8, String)> {
        let mut budget = Budget::default();
        render(text, flowed, &mut budget)
            .0
            .iter()
            .map(|b| (b.quote, b.text()))
            .collect()
    }

    #[test]
    fn quote_levels_become_separate_blocks() {
        let text = "Hi Ann,\r\nsee below.\r\n\r\nOn Monday Bob wrote:\r\n> First level\r\n> still first\r\n>> second\r\n> > also second\r\n>>> third\r\n> back to one\r\n\r\n  > indented is not a quote\r\n-- \r\nBob";
        assert_eq!(
            blocks(text, None),
            [
                (0, "Hi Ann,\nsee below.".to_string()),
                (0, "On Monday Bob wrote:".into()),
                (1, "First level\nstill first".into()),
                (2, "second\nalso second".into()),
                (3, "third".into()),
                (1, "back to one".into()),
                (0, "  > indented is not a quote\n--\nBob".into()),
            ]
        );
    }

    #[test]
    fn flowed_lines_join_at_their_depth() {
        let text =
            "This is a long \r\nparagraph.\r\n> quoted soft \r\n> line\r\n>> deeper \r\n>> too\r\n";
        assert_eq!(
            blocks(text, Some(false)),
            [
                (0, "This is a long paragraph.".to_string()),
                (1, "quoted soft line".into()),
                (2, "deeper too".into()),
            ]
        );
    }

    #[test]
    fn links_in_prose() {
        let spans =
            linkify("See https://example.org/a_(b). Or (http://x.example/y), mailto:a@b.example!");
        let links: Vec<_> = spans
            .iter()
            .filter_map(|s| {
                s.link
                    .as_ref()
                    .map(|l| (s.text.as_str(), l.target.as_str()))
            })
            .collect();
        assert_eq!(
            links,
            [
                ("https://example.org/a_(b)", "https://example.org/a_(b)"),
                ("http://x.example/y", "http://x.example/y"),
                ("mailto:a@b.example", "mailto:a@b.example"),
            ]
        );
        let joined: String = spans.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            joined,
            "See https://example.org/a_(b). Or (http://x.example/y), mailto:a@b.example!"
        );
        assert_eq!(linkify("just http:// text").len(), 1);
    }

    #[test]
    fn tabs_expand_to_stops() {
        assert_eq!(expand_tabs("a\tb\n\tc"), "a       b\n        c");
    }
}

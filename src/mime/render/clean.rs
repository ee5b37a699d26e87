//! Making message-controlled text safe to show.

/// Neutralise bidi overrides and isolates and control characters in text
/// that is shown as one line (header values, names, addresses, link
/// targets): they are dropped, tabs and line breaks become spaces, and
/// runs of spaces shrink to one. Zero-width joiner and non-joiner stay:
/// emoji and several scripts need them, and they reorder nothing.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else if !hidden(c) {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Body text: the same controls dropped, but line breaks kept and tabs
/// kept as tabs inside preformatted text, and bidi marks kept (right-to-
/// left mail needs them; bidi in the body cannot forge a sender or a link
/// target, which are shown through [`clean`]).
pub(super) fn clean_body(text: &str, pre: bool) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' if pre => Some('\t'),
            '\t' | '\u{2028}' | '\u{2029}' => Some(' '),
            c if c.is_control() => None,
            c if format_char(c) && !bidi(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Characters [`clean`] drops: controls (Cc) and format characters (Cf)
/// other than the joiners.
pub(super) fn hidden(c: char) -> bool {
    c.is_control() || format_char(c) || bidi(c)
}

/// The bidi embedding, override and isolate controls and the direction
/// marks.
fn bidi(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Unicode general category Cf, less ZWNJ and ZWJ (kept on purpose) and
/// the bidi ones (handled by [`bidi`]).
fn format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{0600}'..='\u{0605}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{0890}'..='\u{0891}'
        | '\u{08E2}'
        | '\u{180E}'
        | '\u{200B}'
        | '\u{2060}'..='\u{2064}'
        | '\u{206A}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_bidi_and_controls_and_folds_whitespace() {
        assert_eq!(clean("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(
            clean("\u{2066}a\u{2069}\u{200E}b\u{200F}\u{061C}c\u{202A}\u{202B}\u{202C}\u{202D}"),
            "abc"
        );
        assert_eq!(clean(" Ann\t\r\n  Lee\u{0}\u{7}\u{1b}[31m "), "Ann Lee[31m");
        assert_eq!(clean("zero\u{200B}width\u{FEFF}\u{00AD}"), "zerowidth");
        assert_eq!(clean("tag\u{E0041}\u{E0042}s"), "tags");
        assert_eq!(clean("line\u{2028}sep\u{85}x"), "line sep x");
        // Joiners stay: a family emoji and Persian need them.
        assert_eq!(clean("👨\u{200D}👩"), "👨\u{200D}👩");
        assert_eq!(clean("می\u{200C}خواهم"), "می\u{200C}خواهم");
        assert_eq!(clean("Сәлем 你好"), "Сәлем 你好");
    }

    #[test]
    fn body_text_keeps_lines_and_direction_marks() {
        assert_eq!(clean_body("a\tb\nc\u{0}\u{200B}", false), "a b\nc");
        assert_eq!(clean_body("a\tb", true), "a\tb");
        assert_eq!(clean_body("\u{200F}שלום", false), "\u{200F}שלום");
    }
}

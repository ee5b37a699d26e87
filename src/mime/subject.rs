//! Subjects without their reply and forward prefixes, for threading,
//! sorting and writing a reply.

/// Prefixes mail programs put before a subject when replying or
/// forwarding, in lower case: English, German (AW, WG), Scandinavian (SV,
/// VS), Turkish (Ynt, İlt), Dutch (Antw, Doorst), French (TR), Italian
/// (R, RIF), Polish (Odp, PD), Portuguese/Spanish (RES, ENC, RV) and
/// Chinese ones.
const PREFIXES: &[&str] = &[
    "re", "fwd", "fw", "aw", "wg", "sv", "vs", "ynt", "ilt", "antw", "doorst", "tr", "rif", "odp",
    "pd", "res", "enc", "rv", "回复", "答复", "转发", "回覆", "轉寄",
];

/// `subject` with every leading reply/forward prefix ("Re:", "RE[2]:",
/// "Fwd:", "AW:", "回复：", stacked or not) and surrounding space removed,
/// and whether there was one.
pub fn strip_prefixes(subject: &str) -> (&str, bool) {
    let mut rest = subject.trim();
    let mut stripped = false;
    while let Some(after) = after_prefix(rest) {
        rest = after.trim_start();
        stripped = true;
    }
    (rest, stripped)
}

/// What follows one leading prefix of `s`, if it starts with one.
fn after_prefix(s: &str) -> Option<&str> {
    // The longest prefix is 6 characters; look no further than 8 plus a
    // counter, so a long subject is not lowered as a whole.
    let word: String = s
        .chars()
        .take_while(|c| c.is_alphabetic())
        .take(8)
        .flat_map(char::to_lowercase)
        .collect();
    if !PREFIXES.contains(&word.as_str()) {
        return None;
    }
    let word_len: usize = s
        .chars()
        .take_while(|c| c.is_alphabetic())
        .map(char::len_utf8)
        .sum();
    let mut rest = &s[word_len..];
    // "Re[2]:" and "Re(2):" count replies.
    for (open, close) in [('[', ']'), ('(', ')')] {
        if let Some(inner) = rest.strip_prefix(open)
            && let Some(end) = inner.find(close)
            && end > 0
            && inner[..end].bytes().all(|b| b.is_ascii_digit())
        {
            rest = &inner[end + 1..];
        }
    }
    let rest = rest.trim_start_matches(' ');
    rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))
}

/// The key a subject is sorted and matched by: without prefixes, in
/// lower case.
pub fn key(subject: &str) -> String {
    strip_prefixes(subject).0.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_stripped_in_any_case_and_stacked() {
        assert_eq!(strip_prefixes("Re: Hello"), ("Hello", true));
        assert_eq!(strip_prefixes("RE: Fwd: re: Бюджет"), ("Бюджет", true));
        assert_eq!(strip_prefixes("AW: SV: Ynt: x"), ("x", true));
        assert_eq!(strip_prefixes("Re[2]: x"), ("x", true));
        assert_eq!(strip_prefixes("Re (3): x").0, "Re (3): x");
        assert_eq!(strip_prefixes("回复：会议"), ("会议", true));
        assert_eq!(strip_prefixes("  Hello  "), ("Hello", false));
    }

    #[test]
    fn words_that_only_begin_like_a_prefix_stay() {
        assert_eq!(strip_prefixes("Report: Q3"), ("Report: Q3", false));
        assert_eq!(strip_prefixes("Re"), ("Re", false));
        assert_eq!(strip_prefixes("Review"), ("Review", false));
        assert_eq!(strip_prefixes("Resume: x"), ("Resume: x", false));
    }

    #[test]
    fn key_is_lower_case_without_prefixes() {
        assert_eq!(key("Re: ОТЧЁТ за Q3"), "отчёт за q3");
    }
}

//! `format=flowed` (RFC 3676): text sent as lines of at most [`WIDTH`]
//! characters, each break Poshta made marked by a trailing space, so a
//! reader that knows the format joins them back into the lines the user
//! wrote and one that does not still shows short lines. Quoted lines (`>`)
//! are sent as they are: rewrapping them would need their quote marks on
//! every piece, and they were the other writer's lines anyway.

/// Longest line sent, in characters, before the soft-break space (RFC
/// 3676 asks for at most 78; 72 leaves room for a quote mark or two).
pub const WIDTH: usize = 72;
/// The signature separator, whose trailing space is not a soft break.
const SIGNATURE: &str = "-- ";

/// `text` (lines ending in LF or CRLF) as flowed lines joined with LF.
/// Spaces at line ends are dropped (they would read as soft breaks), and
/// lines that start with a space, `>` (when not a quote) or `From ` get
/// one more space in front, which the reader removes (space-stuffing).
pub fn encode(text: &str) -> String {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line == SIGNATURE {
            out.push(line.to_string());
        } else if line.starts_with('>') {
            out.push(line.trim_end_matches(' ').to_string());
        } else {
            let line = line.trim_end_matches(' ');
            for piece in wrap(line) {
                let stuff = piece.starts_with([' ', '>']) || piece.starts_with("From ");
                out.push(if stuff {
                    format!(" {piece}")
                } else {
                    piece.to_string()
                });
            }
        }
    }
    out.join("\n")
}

/// Flowed text back as the lines it was made from, with the same line
/// ends (LF, or CRLF if it has any): soft-broken lines joined, their
/// spaces kept unless `delsp` (RFC 3676 `DelSp=yes`), space-stuffing
/// removed, quote marks kept as they were.
pub fn decode(text: &str, delsp: bool) -> String {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out: Vec<String> = Vec::new();
    // Whether the last line pushed ended in a soft break, at which depth.
    let mut open: Option<usize> = None;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let depth = line.bytes().take_while(|&b| b == b'>').count();
        let rest = line.get(depth..).unwrap_or_default();
        let content = rest.strip_prefix(' ').unwrap_or(rest);
        let soft = content.ends_with(' ') && content != SIGNATURE;
        match (open, out.last_mut()) {
            (Some(d), Some(last)) if d == depth => {
                if delsp {
                    last.pop();
                }
                last.push_str(content);
            }
            // A line of its own: unstuffed, or a quote as it came.
            _ if depth == 0 => out.push(content.to_string()),
            _ => out.push(line.to_string()),
        }
        open = soft.then_some(depth);
    }
    out.join(eol)
}

/// Whether a Content-Type's parameters say the text is flowed.
pub fn is_flowed(format: Option<&str>) -> bool {
    format.is_some_and(|f| f.trim().eq_ignore_ascii_case("flowed"))
}

/// `line` cut at spaces into pieces of at most [`WIDTH`] characters, the
/// space at each cut kept at the end of the piece before it. A word
/// longer than the width stays whole.
fn wrap(line: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = line;
    while rest.chars().count() > WIDTH {
        // Byte index just past the WIDTH-th character.
        // The first WIDTH characters and the one after, which may be
        // the space to cut at.
        let limit = rest
            .char_indices()
            .nth(WIDTH + 1)
            .map_or(rest.len(), |(i, _)| i);
        let head = rest.get(..limit).unwrap_or(rest);
        // Cut after the last space within the width; failing that after
        // the first space beyond it; failing that, not at all.
        let cut = match head.rfind(' ').filter(|&i| i > 0) {
            Some(i) => i + 1,
            None => match rest.get(limit..).and_then(|tail| tail.find(' ')) {
                Some(i) => limit + i + 1,
                None => break,
            },
        };
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    pieces.push(rest);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_without_trailing_spaces(text: &str) -> String {
        text.split('\n')
            .map(|l| {
                if l == SIGNATURE {
                    l
                } else {
                    l.trim_end_matches(' ')
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn long_lines_are_cut_at_spaces_and_come_back_whole() {
        let long = "Сәлеметсіз бе! Бұл хат өте ұзақ жолдан тұрады, оны бірнеше жолға бөлу керек, \
                    әйтпесе көптеген пошта бағдарламалары оны дұрыс көрсетпейді. Labas rytas, \
                    čia ilgas sakinys lietuviškai.";
        let text = format!(
            "{long}\n\n> a quoted line that is long enough to want wrapping, but it is a quote so it stays\n-- \nAigerim"
        );
        let sent = encode(&text);
        for line in sent.split('\n') {
            assert!(
                line.chars().count() <= WIDTH + 1 || line.starts_with('>'),
                "{line:?}"
            );
        }
        assert!(
            sent.lines().filter(|l| l.ends_with(' ')).count() >= 3,
            "{sent}"
        );
        assert_eq!(decode(&sent, false), text);
    }

    #[test]
    fn stuffing_and_odd_lines_survive() {
        for text in [
            "From the start\n>not a quote? it is one\n  two leading spaces\n.dot\nend  ",
            "a\r\nb\r\n",
            "",
            "word ".repeat(40).as_str(),
            &"x".repeat(200),
            &format!("{} tail", "y".repeat(100)),
            "-- \nsig",
            "-- trailing\n--",
        ] {
            let sent = encode(text);
            assert!(
                !sent.split('\n').any(|l| l.starts_with("From ")),
                "{sent:?}"
            );
            assert_eq!(
                decode(&sent, false),
                lines_without_trailing_spaces(&text.replace("\r\n", "\n")),
                "{text:?} sent as {sent:?}"
            );
        }
    }

    #[test]
    fn quotes_are_joined_only_at_the_same_depth() {
        assert_eq!(
            decode("> one \r\n> two\r\n>> deeper \r\n>>still\r\nplain", false),
            "> one two\r\n>> deeper still\r\nplain"
        );
        assert_eq!(decode("> soft \nunquoted", false), "> soft \nunquoted");
        assert_eq!(
            decode("Ein sehr lan \nges Wort", true),
            "Ein sehr langes Wort"
        );
        assert!(is_flowed(Some("Flowed")) && !is_flowed(Some("fixed")) && !is_flowed(None));
    }
}

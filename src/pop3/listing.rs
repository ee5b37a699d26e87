//! Parsing the replies of STAT, LIST and UIDL.
//!
//! Their contents come from the server and are treated as hostile: a line
//! that does not parse is skipped (and counted in the log), never trusted
//! and never a reason to panic.

/// Longest unique-id (RFC 1939 §7: 1 to 70 characters 0x21-0x7E).
const MAX_UID: usize = 70;

/// `nn mm` from the text of a `+OK` to STAT: message count and octets.
pub(super) fn parse_stat(text: &str) -> Option<(u32, u64)> {
    let mut words = text.split_ascii_whitespace();
    let count = words.next()?.parse().ok()?;
    let octets = words.next()?.parse().ok()?;
    Some((count, octets))
}

/// One scan listing of LIST: `msg SP octets` (anything after is ignored,
/// as RFC 1939 allows servers to add it).
fn parse_scan(line: &str) -> Option<(u32, u64)> {
    let mut words = line.split(' ');
    let msg = message_number(words.next()?)?;
    let octets = words.next()?.parse().ok()?;
    Some((msg, octets))
}

/// One line of UIDL: exactly `msg SP uid`, the uid kept as an opaque
/// string (it may look like a path; it is never used as one).
fn parse_uid(line: &str) -> Option<(u32, String)> {
    let (msg, uid) = line.split_once(' ')?;
    let msg = message_number(msg)?;
    let valid =
        (1..=MAX_UID).contains(&uid.len()) && uid.bytes().all(|b| (0x21..=0x7e).contains(&b));
    valid.then(|| (msg, uid.to_owned()))
}

/// A message number: 1 or more, decimal digits only (no sign, no spaces).
fn message_number(word: &str) -> Option<u32> {
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok().filter(|&n| n > 0)
}

pub(super) fn parse_list(body: &[u8]) -> Vec<(u32, u64)> {
    parse_lines(body, "LIST", parse_scan)
}

pub(super) fn parse_uidl(body: &[u8]) -> Vec<(u32, String)> {
    parse_lines(body, "UIDL", parse_uid)
}

/// Parses each CRLF line of an unstuffed multi-line body with `parse`,
/// skipping what does not parse.
fn parse_lines<T>(body: &[u8], what: &str, parse: impl Fn(&str) -> Option<T>) -> Vec<T> {
    let mut skipped = 0usize;
    let entries = body
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .filter_map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let entry = std::str::from_utf8(line).ok().and_then(&parse);
            skipped += usize::from(entry.is_none());
            entry
        })
        .collect();
    if skipped > 0 {
        tracing::debug!(skipped, "ignored malformed lines in the {what} reply");
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_needs_two_numbers() {
        assert_eq!(parse_stat("2 320"), Some((2, 320)));
        assert_eq!(parse_stat("0 0 extra"), Some((0, 0)));
        assert_eq!(parse_stat("2"), None);
        assert_eq!(parse_stat("two 320"), None);
        assert_eq!(parse_stat(""), None);
    }

    #[test]
    fn list_skips_what_does_not_parse() {
        let body = b"1 120\r\n2 200 extra\r\n0 5\r\nx 5\r\n3 -1\r\n+4 9\r\n\r\n5 99999999999\r\n";
        assert_eq!(parse_list(body), [(1, 120), (2, 200), (5, 99_999_999_999)]);
    }

    #[test]
    fn uidl_keeps_opaque_ids_and_skips_hostile_lines() {
        let overlong = format!("7 {}\r\n", "u".repeat(MAX_UID + 1));
        let longest = format!("8 {}\r\n", "v".repeat(MAX_UID));
        let mut body = b"1 whqtswO00WBw418f9t5JxYwZ\r\n\
            2 ../x\r\n\
            3 \r\n\
            3\r\n\
            x1 abc\r\n\
            -1 abc\r\n\
            4 two words\r\n\
            5 tab\there\r\n\
            6 caf\xc3\xa9\r\n\
            99999999999 big\r\n\
            \x00\xff\r\n"
            .to_vec();
        body.extend_from_slice(overlong.as_bytes());
        body.extend_from_slice(longest.as_bytes());
        body.extend_from_slice(b"9 ok\n");
        let uids = parse_uidl(&body);
        assert_eq!(
            uids,
            [
                (1, "whqtswO00WBw418f9t5JxYwZ".to_owned()),
                (2, "../x".to_owned()),
                (8, "v".repeat(MAX_UID)),
                (9, "ok".to_owned()),
            ]
        );
    }
}

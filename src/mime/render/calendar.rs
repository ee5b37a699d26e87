//! Calendar invitations (text/calendar, RFC 5545): the first event's
//! what, when, where and who, read by a small bounded parser. The reader
//! lays them out with its own labels.

use super::Mailbox;
use super::clean::{clean, clean_body};
use chrono::{NaiveDate, NaiveDateTime};

/// Calendar text read, in bytes.
const MAX_CALENDAR: usize = 1024 * 1024;
/// Characters of a description kept.
const MAX_DESCRIPTION: usize = 8 * 1024;
/// Characters of any other field kept.
const MAX_FIELD: usize = 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    /// The calendar's METHOD: REQUEST (an invitation), CANCEL, REPLY...
    pub method: Option<String>,
    pub summary: String,
    pub start: Option<EventTime>,
    pub end: Option<EventTime>,
    pub location: String,
    pub organizer: Option<Mailbox>,
    pub description: String,
    /// CONFIRMED, TENTATIVE, CANCELLED.
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventTime {
    /// Unix seconds, when the time is in UTC (the reader shows it in the
    /// local zone).
    pub utc: Option<i64>,
    /// Readable as written: "2026-12-10 14:00 UTC", "2026-12-10 14:00
    /// (Europe/Berlin)", "2026-12-10" for a whole day.
    pub text: String,
    pub all_day: bool,
}

impl Event {
    /// The event as lines of text, for quoting and search.
    pub fn text(&self) -> String {
        let when = match (&self.start, &self.end) {
            (Some(s), Some(e)) => format!("{} – {}", s.text, e.text),
            (Some(s), None) => s.text.clone(),
            _ => String::new(),
        };
        let organizer = self.organizer.as_ref().map(ToString::to_string);
        [
            Some(self.summary.clone()),
            Some(when),
            Some(self.location.clone()),
            organizer,
            Some(self.description.clone()),
        ]
        .into_iter()
        .flatten()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
    }
}

/// The first VEVENT of `text`, if it has one.
pub fn parse(text: &str) -> Option<Event> {
    let mut end = text.len().min(MAX_CALENDAR);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut event = Event::default();
    let mut stack: Vec<String> = Vec::new();
    let mut found = false;
    for line in unfold(text.get(..end)?) {
        let Some((name, params, value)) = property(&line) else {
            continue;
        };
        match name.as_str() {
            "BEGIN" => {
                if stack.len() > 16 {
                    return found.then_some(event);
                }
                stack.push(value.trim().to_ascii_uppercase());
                found |= stack.last().is_some_and(|c| c == "VEVENT");
                continue;
            }
            "END" => {
                if stack.pop().is_some_and(|c| c == "VEVENT") {
                    return Some(event);
                }
                continue;
            }
            _ => {}
        }
        match stack.last().map(String::as_str) {
            Some("VCALENDAR") if name == "METHOD" => {
                event.method = Some(bounded(&clean(value), MAX_FIELD))
            }
            Some("VEVENT") => match name.as_str() {
                "SUMMARY" => event.summary = bounded(&clean(&unescape(value)), MAX_FIELD),
                "LOCATION" => event.location = bounded(&clean(&unescape(value)), MAX_FIELD),
                "DESCRIPTION" => {
                    event.description =
                        bounded(clean_body(&unescape(value), false).trim(), MAX_DESCRIPTION)
                }
                "STATUS" => event.status = Some(bounded(&clean(value), MAX_FIELD)),
                "DTSTART" => event.start = time(&params, value),
                "DTEND" => event.end = time(&params, value),
                "ORGANIZER" => {
                    let address = value
                        .trim()
                        .get(..7)
                        .filter(|s| s.eq_ignore_ascii_case("mailto:"))
                        .map_or(value.trim(), |_| &value.trim()[7..]);
                    event.organizer = Some(Mailbox {
                        name: param(&params, "CN")
                            .map(|n| bounded(&clean(&n), MAX_FIELD))
                            .filter(|n| !n.is_empty()),
                        address: bounded(&clean(address), MAX_FIELD),
                    });
                }
                _ => {}
            },
            _ => {}
        }
    }
    found.then_some(event)
}

/// Content lines with folding undone (a line starting with a space or
/// tab continues the one before).
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(raw.to_string()),
        }
    }
    lines
}

/// A property's parameters, names upper-cased.
type Params = Vec<(String, String)>;

/// NAME;PARAM=x;PARAM="y:z":value as its upper-case name, its
/// parameters and its value.
fn property(line: &str) -> Option<(String, Params, &str)> {
    let mut quoted = false;
    let colon = line.char_indices().find_map(|(i, c)| {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => return Some(i),
            _ => {}
        }
        None
    })?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut pieces = split_unquoted(head, ';').into_iter();
    let name = pieces.next()?.trim().to_ascii_uppercase();
    let params = pieces
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((
                k.trim().to_ascii_uppercase(),
                v.trim().trim_matches('"').to_string(),
            ))
        })
        .collect();
    Some((name, params, value))
}

fn split_unquoted(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            out.push(&s[start..i]);
            start = i + 1;
        }
    }
    out.push(&s[start..]);
    out
}

fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// TEXT values: \n, \, \; and \\ escapes.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn time(params: &[(String, String)], value: &str) -> Option<EventTime> {
    let value = value.trim();
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y%m%d") {
        return Some(EventTime {
            utc: None,
            text: date.format("%Y-%m-%d").to_string(),
            all_day: true,
        });
    }
    let (local, utc) = match value.strip_suffix(['Z', 'z']) {
        Some(v) => (v, true),
        None => (value, false),
    };
    let Ok(at) = NaiveDateTime::parse_from_str(local, "%Y%m%dT%H%M%S") else {
        // Unreadable: shown as written rather than dropped.
        return Some(EventTime {
            utc: None,
            text: bounded(&clean(value), MAX_FIELD),
            all_day: false,
        });
    };
    let shown = at.format("%Y-%m-%d %H:%M");
    Some(if utc {
        EventTime {
            utc: Some(at.and_utc().timestamp()),
            text: format!("{shown} UTC"),
            all_day: false,
        }
    } else {
        let text = match param(params, "TZID") {
            Some(zone) => format!("{shown} ({})", bounded(&clean(&zone), 64)),
            None => shown.to_string(),
        };
        EventTime {
            utc: None,
            text,
            all_day: false,
        }
    })
}

fn bounded(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_first_event() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VTIMEZONE\r\nTZID:Asia/Almaty\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nSUMMARY:Quarterly review\\, budget \r\n and plans\r\nDTSTART;TZID=Asia/Almaty:20261210T140000\r\nDTEND:20261210T100000Z\r\nLOCATION:Room 4\\; 2nd floor\r\nORGANIZER;CN=\"Lee, Ann\";ROLE=CHAIR:MAILTO:ann@example.org\r\nDESCRIPTION:Agenda:\\n1. Numbers\\n2. Plans\r\nBEGIN:VALARM\r\nDESCRIPTION:Reminder\r\nEND:VALARM\r\nSTATUS:CONFIRMED\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Second\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let e = parse(ics).unwrap();
        assert_eq!(e.method.as_deref(), Some("REQUEST"));
        assert_eq!(e.summary, "Quarterly review, budget and plans");
        assert_eq!(
            e.start.as_ref().unwrap().text,
            "2026-12-10 14:00 (Asia/Almaty)"
        );
        let end = e.end.as_ref().unwrap();
        assert_eq!(
            (end.text.as_str(), end.utc),
            ("2026-12-10 10:00 UTC", Some(1_796_896_800))
        );
        assert_eq!(e.location, "Room 4; 2nd floor");
        assert_eq!(
            e.organizer,
            Some(Mailbox {
                name: Some("Lee, Ann".into()),
                address: "ann@example.org".into()
            })
        );
        assert_eq!(e.description, "Agenda:\n1. Numbers\n2. Plans");
        assert_eq!(e.status.as_deref(), Some("CONFIRMED"));
    }

    #[test]
    fn odd_input_is_bounded_and_never_fails() {
        assert_eq!(parse("not a calendar"), None);
        assert_eq!(parse("BEGIN:VCALENDAR\nEND:VCALENDAR"), None);
        let e =
            parse("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261224\nDTEND:garbage\nSUMMARY:\u{202E}x")
                .unwrap();
        assert!(e.start.as_ref().unwrap().all_day);
        assert_eq!(e.end.unwrap().text, "garbage");
        assert_eq!(e.summary, "x");
        let deep = "BEGIN:X\n".repeat(100_000);
        assert_eq!(parse(&deep), None);
    }
}

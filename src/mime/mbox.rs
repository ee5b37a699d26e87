//! Split an mbox file into messages.
//!
//! mail-parser ships an mbox iterator, but it grows a message without
//! bound; a damaged multi-gigabyte file with no separators would be read
//! into memory whole. This reader caps each message and skips the rest of
//! an oversized one, reporting it, so an import keeps going.

use super::parse::MAX_MESSAGE_BYTES;
use std::io::{self, BufRead};

/// One item read from an mbox file.
#[derive(Debug, PartialEq, Eq)]
pub enum Item {
    Message(Vec<u8>),
    /// A message longer than the cap; its bytes were skipped.
    Oversized,
}

pub struct Reader<R> {
    input: R,
    limit: usize,
    /// Set once the first `From ` line has been seen.
    started: bool,
    done: bool,
    /// Bytes consumed so far, for progress.
    pub consumed: u64,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Self {
        Self::with_limit(input, MAX_MESSAGE_BYTES)
    }

    pub fn with_limit(input: R, limit: usize) -> Self {
        Reader {
            input,
            limit,
            started: false,
            done: false,
            consumed: 0,
        }
    }

    /// Read one line (bounded: long lines are read in pieces).
    fn line(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        buf.clear();
        let n = std::io::Read::take(&mut self.input, 64 * 1024).read_until(b'\n', buf)?;
        self.consumed += n as u64;
        Ok(n)
    }

    fn next_item(&mut self) -> io::Result<Option<Item>> {
        let mut line = Vec::with_capacity(256);
        // Skip anything before the first separator.
        while !self.started {
            if self.line(&mut line)? == 0 {
                self.done = true;
                return Ok(None);
            }
            self.started = line.starts_with(b"From ");
        }
        let mut message = Vec::new();
        let mut oversized = false;
        let mut at_line_start = true;
        loop {
            if self.line(&mut line)? == 0 {
                self.done = true;
                break;
            }
            let starts_line = at_line_start;
            at_line_start = line.ends_with(b"\n");
            if starts_line && line.starts_with(b"From ") {
                break;
            }
            // mboxrd: ">From " (any number of '>') lost one '>' on write.
            let body: &[u8] = if starts_line && is_quoted_from(&line) {
                &line[1..]
            } else {
                &line
            };
            if oversized || message.len() + body.len() > self.limit {
                oversized = true;
                message = Vec::new();
                continue;
            }
            message.extend_from_slice(body);
        }
        if oversized {
            return Ok(Some(Item::Oversized));
        }
        // The blank line before the next separator belongs to the mbox.
        if message.ends_with(b"\r\n\r\n") {
            message.truncate(message.len() - 2);
        } else if message.ends_with(b"\n\n") {
            message.truncate(message.len() - 1);
        }
        Ok(Some(Item::Message(message)))
    }
}

fn is_quoted_from(line: &[u8]) -> bool {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    quotes > 0 && line[quotes..].starts_with(b"From ")
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = io::Result<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.next_item().transpose()
    }
}

/// True when the bytes look like an mbox (first line is a separator).
pub fn looks_like_mbox(head: &[u8]) -> bool {
    head.starts_with(b"From ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(data: &[u8], limit: usize) -> Vec<Item> {
        Reader::with_limit(data, limit)
            .collect::<io::Result<Vec<_>>>()
            .expect("reads")
    }

    #[test]
    fn splits_and_unquotes() {
        let data = b"From a@b Mon Nov 23 10:00:00 2026\nSubject: one\n\n>From here\n>>From there\n\nFrom c@d Mon Nov 23 10:00:00 2026\nSubject: two\n\nbody\n";
        assert_eq!(
            items(data, 1000),
            vec![
                Item::Message(b"Subject: one\n\nFrom here\n>From there\n".to_vec()),
                Item::Message(b"Subject: two\n\nbody\n".to_vec()),
            ]
        );
    }

    #[test]
    fn oversized_message_is_skipped_and_reading_continues() {
        let mut data = b"From a Mon Nov 23 10:00:00 2026\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 5000));
        data.extend_from_slice(b"\n\nFrom b Mon Nov 23 10:00:00 2026\nSubject: ok\n\nfine\n");
        assert_eq!(
            items(&data, 1000),
            vec![
                Item::Oversized,
                Item::Message(b"Subject: ok\n\nfine\n".to_vec())
            ]
        );
    }

    #[test]
    fn empty_and_separator_free_input() {
        assert!(items(b"", 100).is_empty());
        assert!(items(b"no separator here\n", 100).is_empty());
    }
}

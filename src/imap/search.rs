//! UID SEARCH with literals: async-imap's `uid_search` sends one line,
//! and a non-ASCII search string must travel as a literal.

use super::command::{answer, continuation, network_error};
use crate::error::Result;
use crate::search::imap::Command;
use async_imap::imap_proto::{MailboxDatum, Response};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

const CONTEXT: &str = "UID SEARCH";

/// Run `cmd` in the selected folder; the highest `max` UIDs it found,
/// highest first. A server answering with millions of UIDs costs at most
/// a few times `max` of memory here.
pub async fn uid_search<T>(
    session: &mut async_imap::Session<T>,
    cmd: &Command,
    max: usize,
) -> Result<Vec<u32>>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut pieces = cmd.text.iter();
    let first = pieces
        .next()
        .map(String::as_str)
        .unwrap_or("UID SEARCH ALL");
    // Every line but the last ends announcing the literal that follows.
    let tag = session
        .run_command(first)
        .await
        .map_err(|e| network_error(CONTEXT, e))?;
    for literal in &cmd.literals {
        continuation(session, &tag, CONTEXT).await?;
        let next = pieces.next().map(String::as_str).unwrap_or("");
        let stream = session.get_mut();
        for part in [literal.as_slice(), next.as_bytes(), b"\r\n"] {
            stream
                .write_all(part)
                .await
                .map_err(|e| network_error(CONTEXT, e))?;
        }
        stream
            .flush()
            .await
            .map_err(|e| network_error(CONTEXT, e))?;
    }
    let max = max.max(1);
    let mut uids: Vec<u32> = Vec::new();
    answer(session, &tag, CONTEXT, |response| {
        if let Response::MailboxData(MailboxDatum::Search(found)) = response {
            uids.extend(found.iter().copied().filter(|&u| u > 0));
            if uids.len() > 4 * max {
                keep_highest(&mut uids, max);
            }
        }
    })
    .await?;
    keep_highest(&mut uids, max);
    Ok(uids)
}

fn keep_highest(uids: &mut Vec<u32>, max: usize) {
    uids.sort_unstable_by(|a, b| b.cmp(a));
    uids.dedup();
    uids.truncate(max);
}

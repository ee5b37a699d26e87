//! Whole messages for offline reading and full-text search: every message
//! of a folder whose body is not here yet, newest first, fetched in batches
//! bounded by count and by bytes (so memory stays bounded whatever the
//! mailbox holds) and committed batch by batch.
//!
//! The network, the parsing and the store work overlap: while one batch is
//! committed, the next ones are parsed and another is on its way. At most
//! four batches (64 MB with the default bounds) are in memory at a time.

use super::Progress;
use super::imap::{Session, Stream, uid_set};
use super::pipeline::{Gate, Pipeline};
use crate::error::{Error, Result};
use crate::mime::parse;
use crate::model::{AccountId, FolderId, MessageId};
use crate::store::bodies::{FetchedBody, MissingBody};
use crate::store::{self, Shared};
use async_imap::types::Fetch;
use futures::TryStreamExt;
use std::collections::HashMap;

/// Default bounds of one `UID FETCH ... BODY.PEEK[]`.
pub const BATCH_MESSAGES: usize = 200;
pub const BATCH_BYTES: u64 = 16 * 1024 * 1024;

/// How much one batch may hold: at most `messages` messages and, unless a
/// single message is bigger on its own, at most `bytes` of announced size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub messages: usize,
    pub bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            messages: BATCH_MESSAGES,
            bytes: BATCH_BYTES,
        }
    }
}

fn imap_err(context: &'static str) -> impl Fn(async_imap::error::Error) -> Error {
    move |e| Error::Network {
        context,
        detail: e.to_string(),
    }
}

/// Split `missing` (already newest first) into consecutive batches within
/// `limits`. A message larger than the byte bound travels alone.
pub fn batches(missing: &[MissingBody], limits: Limits) -> Vec<&[MissingBody]> {
    let max_messages = limits.messages.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0u64;
    for (i, m) in missing.iter().enumerate() {
        let count = i - start;
        if count > 0 && (count >= max_messages || bytes.saturating_add(m.size) > limits.bytes) {
            out.push(&missing[start..i]);
            start = i;
            bytes = 0;
        }
        bytes = bytes.saturating_add(m.size);
    }
    if start < missing.len() {
        out.push(&missing[start..]);
    }
    out
}

/// Download every body of the account's folders that is not here yet,
/// INBOX first. Returns how many bodies were stored complete.
pub async fn download_account<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    account: AccountId,
    mut on_progress: impl FnMut(&Progress),
) -> Result<usize> {
    let folders = store.run(move |s| s.remote_folders(account)).await?;
    let count = folders.len();
    let mut stored = 0;
    for (index, (folder, remote_name)) in folders.into_iter().enumerate() {
        let mut progress = Progress {
            folder: crate::imap::mutf7::decode_lossy(&remote_name),
            folder_index: index,
            folder_count: count,
            stage: super::Stage::Bodies,
            ..Progress::default()
        };
        stored += download_folder(session, store, folder, &remote_name, |fetched, total| {
            progress.fetched = fetched;
            progress.to_fetch = total;
            on_progress(&progress);
        })
        .await?;
    }
    Ok(stored)
}

/// Download the missing bodies of one folder with the default [`Limits`];
/// `on_batch(done, to_do)` after each committed batch. Returns how many
/// bodies were stored complete.
pub async fn download_folder<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    folder: FolderId,
    remote_name: &str,
    on_batch: impl FnMut(usize, usize),
) -> Result<usize> {
    download_folder_with(
        session,
        store,
        folder,
        remote_name,
        Limits::default(),
        on_batch,
    )
    .await
}

/// [`download_folder`] with explicit batch bounds.
pub async fn download_folder_with<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    folder: FolderId,
    remote_name: &str,
    limits: Limits,
    mut on_batch: impl FnMut(usize, usize),
) -> Result<usize> {
    let missing = store.run(move |s| s.missing_bodies(folder)).await?;
    if missing.is_empty() {
        return Ok(0);
    }
    // Read-only: downloading never changes a flag or anything else.
    let mailbox = match session.examine(remote_name).await {
        Ok(mailbox) => mailbox,
        // Gone from the server since the last sync: the next sync drops it.
        Err(async_imap::error::Error::No(reason)) => {
            tracing::info!(folder = remote_name, %reason, "folder not downloadable");
            return Ok(0);
        }
        Err(e) => return Err(imap_err("EXAMINE")(e)),
    };
    let state = store.run(move |s| s.sync_state(folder)).await?;
    if state.uidvalidity.is_none() || state.uidvalidity != mailbox.uid_validity {
        // The UIDs here may name other messages now; the next header sync
        // sorts the folder out first.
        tracing::info!(
            folder = remote_name,
            "UIDVALIDITY not confirmed; bodies not downloaded"
        );
        return Ok(0);
    }

    let total = missing.len();
    let mut done = 0;
    let mut stored = 0;
    let mut report = |count: usize, n: usize| {
        done += count;
        stored += n;
        on_batch(done, total);
    };
    let mut pipeline = Pipeline::default();
    for batch in batches(&missing, limits) {
        let uids: Vec<u32> = batch.iter().map(|m| m.uid).collect();
        let fetches = match fetch_bodies(session, &uids).await {
            Ok(fetches) => fetches,
            Err(e) => {
                // What arrived whole before the failure is committed.
                pipeline.settle(0, &mut report).await?;
                return Err(e);
            }
        };
        // Three batches in flight besides the one arriving: memory stays
        // bounded whatever the mailbox holds.
        pipeline.settle(2, &mut report).await?;
        let ids: HashMap<u32, MessageId> = batch.iter().map(|m| (m.uid, m.id)).collect();
        let store = store.clone();
        pipeline.push(batch.len(), move |gate| {
            store_batch(&store, &fetches, &ids, gate)
        });
    }
    pipeline.settle(0, &mut report).await?;
    Ok(stored)
}

async fn fetch_bodies<T: Stream>(session: &mut Session<T>, uids: &[u32]) -> Result<Vec<Fetch>> {
    session
        .uid_fetch(uid_set(uids), "(UID BODY.PEEK[])")
        .await
        .map_err(imap_err("UID FETCH"))?
        .try_collect()
        .await
        .map_err(imap_err("UID FETCH"))
}

/// Parse (outside the store lock, so readers go on meanwhile), wait for
/// the batch before, then store the batch in one transaction.
fn store_batch(
    store: &Shared,
    fetches: &[Fetch],
    ids: &HashMap<u32, MessageId>,
    gate: Gate,
) -> Result<usize> {
    let parsed: Vec<(MessageId, &[u8], Option<parse::Parsed>)> = fetches
        .iter()
        .filter_map(|f| {
            let id = *ids.get(&f.uid?)?;
            let raw = f.body()?;
            Some((id, raw, parse::parse(raw).ok()))
        })
        .collect();
    let bodies: Vec<FetchedBody<'_>> = parsed
        .iter()
        .map(|(id, raw, p)| FetchedBody {
            id: *id,
            raw,
            parsed: p.as_ref(),
        })
        .collect();
    gate.wait();
    store::lock(store.mutex()).store_bodies(&bodies)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(sizes: &[u64]) -> Vec<MissingBody> {
        sizes
            .iter()
            .enumerate()
            .map(|(i, &size)| MissingBody {
                id: MessageId(i as i64 + 1),
                uid: (sizes.len() - i) as u32,
                size,
            })
            .collect()
    }

    fn shape(b: Vec<&[MissingBody]>) -> Vec<usize> {
        b.iter().map(|b| b.len()).collect()
    }

    #[test]
    fn batches_are_bounded_by_count_and_bytes() {
        let limits = Limits {
            messages: 3,
            bytes: 100,
        };
        assert_eq!(shape(batches(&missing(&[10; 7]), limits)), [3, 3, 1]);
        assert_eq!(
            shape(batches(&missing(&[60, 30, 20, 50, 50, 1]), limits)),
            [2, 2, 2]
        );
        // Bigger than the byte bound: alone, never dropped.
        assert_eq!(
            shape(batches(&missing(&[500, 10, 500, 500]), limits)),
            [1, 1, 1, 1]
        );
        assert!(batches(&[], limits).is_empty());
    }

    #[test]
    fn batches_keep_the_order_given() {
        let m = missing(&[10, 10, 10, 10]);
        let flat: Vec<u32> = batches(&m, Limits::default())
            .concat()
            .iter()
            .map(|m| m.uid)
            .collect();
        assert_eq!(flat, [4, 3, 2, 1]);
    }
}

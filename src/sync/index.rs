//! Catching up the full-text index after a sync run: the rows a header
//! sync queued (see `store::search_index`) get their full-text entries a
//! chunk per transaction, so the window keeps reading the store between
//! chunks.

use super::{Progress, Stage};
use crate::error::Result;
use crate::store::Shared;
use crate::store::search_index::CHUNK;

/// Index every queued message; `on_progress` before the first chunk and
/// after each. Then, as this ends every sync run, the run's messages join
/// the address book (`store::contacts`), so the composer does not wait for
/// that. Returns how many were indexed.
pub async fn catch_up(store: &Shared, on_progress: impl FnMut(&Progress)) -> Result<usize> {
    let indexed = index_queued(store, on_progress).await?;
    store.run(|s| s.learn_contacts()).await?;
    Ok(indexed)
}

async fn index_queued(store: &Shared, mut on_progress: impl FnMut(&Progress)) -> Result<usize> {
    let total = store.run(|s| s.pending_index()).await?;
    if total == 0 {
        return Ok(0);
    }
    let mut progress = Progress {
        stage: Stage::Indexing,
        to_fetch: total,
        ..Progress::default()
    };
    on_progress(&progress);
    loop {
        let done = store.run(|s| s.index_pending(CHUNK)).await?;
        if done == 0 {
            return Ok(progress.fetched);
        }
        // Rows synced meanwhile join the run.
        progress.fetched += done;
        progress.to_fetch = progress.to_fetch.max(progress.fetched);
        on_progress(&progress);
    }
}

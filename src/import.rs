//! Import `.eml` and mbox files into a local folder.
//!
//! Messages are committed in batches so a long import shows progress and a
//! crash loses at most the batch in flight; a message already present in
//! the folder (same Message-ID and size) is not stored twice, so running
//! an interrupted import again completes it.

use crate::error::{Error, Result};
use crate::mime::{mbox, parse};
use crate::model::FolderId;
use crate::store::messages::{self, NewMessage};
use crate::store::{Store, lock};
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;
use std::sync::Mutex;

const BATCH: usize = 200;

/// Where an import stands; also its final report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub imported: usize,
    /// Already in the folder.
    pub duplicates: usize,
    /// Unreadable or over the size limit; the import went on without them.
    pub failed: usize,
    pub bytes_read: u64,
    pub bytes_total: u64,
}

/// Import every message of the file at `path` into `folder`. The store is
/// locked per batch only, so the window keeps reading it meanwhile.
pub fn import_file(
    store: &Mutex<Store>,
    folder: FolderId,
    path: &Path,
    mut on_progress: impl FnMut(&Progress),
) -> Result<Progress> {
    // A server folder's messages are the server's: imported mail there
    // would never reach it (uploading is a later feature).
    if lock(store).folder(folder)?.account_id != crate::store::folders::LOCAL_ACCOUNT {
        return Err(Error::ImportTarget);
    }
    let open_err = |e| Error::io(format!("reading {}", path.display()), e);
    let mut file = File::open(path).map_err(open_err)?;
    let bytes_total = file.metadata().map_err(open_err)?.len();
    let mut head = [0u8; 5];
    let head_len = file.read(&mut head).map_err(open_err)?;
    file.rewind().map_err(open_err)?;
    let mut progress = Progress {
        bytes_total,
        ..Progress::default()
    };
    let fallback_date = file_date(path);
    if mbox::looks_like_mbox(&head[..head_len]) {
        let mut reader = mbox::Reader::new(BufReader::new(file));
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let item = reader.next().transpose().map_err(open_err)?;
            let finished = item.is_none();
            match item {
                Some(mbox::Item::Message(raw)) => batch.push(raw),
                Some(mbox::Item::Oversized) => progress.failed += 1,
                None => {}
            }
            if batch.len() >= BATCH || finished {
                progress.bytes_read = reader.consumed;
                store_batch(
                    &mut lock(store),
                    folder,
                    &batch,
                    fallback_date,
                    &mut progress,
                )?;
                batch.clear();
                on_progress(&progress);
            }
            if finished {
                break;
            }
        }
    } else {
        if bytes_total > parse::MAX_MESSAGE_BYTES as u64 {
            return Err(Error::TooLarge {
                what: "message",
                limit: parse::MAX_MESSAGE_BYTES,
            });
        }
        let mut raw = Vec::with_capacity(bytes_total as usize);
        BufReader::new(file)
            .read_to_end(&mut raw)
            .map_err(open_err)?;
        progress.bytes_read = raw.len() as u64;
        store_batch(
            &mut lock(store),
            folder,
            &[raw],
            fallback_date,
            &mut progress,
        )?;
        on_progress(&progress);
    }
    Ok(progress)
}

fn store_batch(
    store: &mut Store,
    folder: FolderId,
    batch: &[Vec<u8>],
    fallback_date: i64,
    progress: &mut Progress,
) -> Result<()> {
    let tx = store.batch()?;
    for raw in batch {
        let parsed = match parse::parse(raw) {
            Ok(parsed) => parsed,
            Err(e) => {
                tracing::warn!(error = %e, "skipping unreadable message");
                progress.failed += 1;
                continue;
            }
        };
        if let Some(id) = &parsed.message_id
            && messages::contains(&tx, folder, id, raw.len())?
        {
            progress.duplicates += 1;
            continue;
        }
        messages::insert(
            &tx,
            folder,
            &NewMessage {
                raw,
                parsed: &parsed,
                flags: parsed.stored_flags,
                fallback_date,
            },
        )?;
        progress.imported += 1;
    }
    tx.commit()?;
    Ok(())
}

/// A message without a Date header sorts by when the file was written.
fn file_date(path: &Path) -> i64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .unwrap_or_else(|| chrono::Utc::now().timestamp())
}

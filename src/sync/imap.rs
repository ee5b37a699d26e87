//! IMAP sync, recent first: folder list, then per folder the flags of
//! known messages, expunges, and new headers newest first in committed
//! batches. Bodies come later, on demand.

use super::{Progress, Summary};
use crate::error::{Error, Result};
use crate::imap::folders;
use crate::mime::parse;
use crate::model::{AccountId, Flags, FolderId};
use crate::store::Shared;
use crate::store::ops::Op;
use crate::store::remote::{self, RemoteHeader, SyncState};
use async_imap::types::{Fetch, Flag};
use futures::TryStreamExt;
use std::collections::HashSet;
use tokio::io::{AsyncRead, AsyncWrite};

/// Headers fetched and committed per round trip.
const BATCH: usize = 500;
/// The headers a message list needs; the body is not touched (PEEK). Only
/// the fields the list, threads and search use: servers answer these from
/// their cache (Dovecot), where the whole header means reading every file.
pub const HEADER_ITEMS: &str = "(UID FLAGS RFC822.SIZE INTERNALDATE \
    BODY.PEEK[HEADER.FIELDS (DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)])";

pub type Session<T> = async_imap::Session<T>;

pub trait Stream: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send> Stream for T {}

fn imap_err(context: &'static str) -> impl Fn(async_imap::error::Error) -> Error {
    move |e| Error::Network {
        context,
        detail: e.to_string(),
    }
}

/// Sync the folder list and every folder of `account`. Changes queued
/// here go to the server first, so the server's flags read afterwards
/// already include them.
pub async fn sync_account<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    account: AccountId,
    mut on_progress: impl FnMut(&Progress),
) -> Result<Summary> {
    replay(session, store, account).await?;
    let condstore = session
        .capabilities()
        .await
        .map_err(imap_err("CAPABILITY"))?
        .has_str("CONDSTORE");
    let listed: Vec<_> = session
        .list(Some(""), Some("*"))
        .await
        .map_err(imap_err("LIST"))?
        .try_collect::<Vec<_>>()
        .await
        .map_err(imap_err("LIST"))?;
    let remote: Vec<_> = listed.iter().filter_map(folders::from_list).collect();
    let mut folders = store
        .run(move |s| s.sync_folder_list(account, &remote))
        .await?;
    // INBOX first: it is what the user looks at first.
    folders.sort_by_key(|(_, name)| !name.eq_ignore_ascii_case("INBOX"));
    let mut summary = Summary {
        folders: folders.len(),
        ..Summary::default()
    };
    let count = folders.len();
    for (index, (folder, remote_name)) in folders.into_iter().enumerate() {
        let mut progress = Progress {
            folder: crate::imap::mutf7::decode_lossy(&remote_name),
            folder_index: index,
            folder_count: count,
            ..Progress::default()
        };
        on_progress(&progress);
        let s = sync_folder(
            session,
            store,
            folder,
            &remote_name,
            condstore,
            |fetched, total| {
                progress.fetched = fetched;
                progress.to_fetch = total;
                on_progress(&progress);
            },
        )
        .await?;
        summary.new_messages += s.new_messages;
        summary.flag_changes += s.flag_changes;
        summary.flags_checked += s.flags_checked;
        summary.removed += s.removed;
    }
    Ok(summary)
}

/// Sync one folder; `on_batch(fetched, to_fetch)` after each commit. With
/// `condstore` (RFC 7162, when the server offers it) only flags changed
/// since the last sync are read.
pub async fn sync_folder<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    folder: FolderId,
    remote_name: &str,
    condstore: bool,
    mut on_batch: impl FnMut(usize, usize),
) -> Result<Summary> {
    let mailbox = if condstore {
        // SELECT rather than EXAMINE: async-imap can only ask for
        // CONDSTORE on SELECT. Bodies are still only ever PEEKed.
        session
            .select_condstore(remote_name)
            .await
            .map_err(imap_err("SELECT"))?
    } else {
        session
            .examine(remote_name)
            .await
            .map_err(imap_err("EXAMINE"))?
    };
    let uidvalidity = mailbox.uid_validity.unwrap_or(0);
    let mut state = store.run(move |s| s.sync_state(folder)).await?;
    if state.uidvalidity.is_some_and(|v| v != uidvalidity) {
        // Every cached UID now means nothing: start the folder afresh.
        let dropped = store
            .run(move |s| s.reset_folder(folder, uidvalidity))
            .await?;
        tracing::info!(%folder, dropped, "UIDVALIDITY changed; folder cache dropped");
        state = SyncState::default();
    }
    let server_modseq = mailbox.highest_modseq.filter(|_| condstore);
    // Which flags to read: none if nothing changed since the last sync,
    // the changed ones if the server can tell, else all.
    let flag_query = match (state.highestmodseq, server_modseq) {
        (Some(ours), Some(theirs)) if ours == theirs => None,
        (Some(ours), Some(_)) => Some(format!("(UID FLAGS) (CHANGEDSINCE {ours})")),
        _ => Some("(UID FLAGS)".to_string()),
    };
    let known = store.run(move |s| s.uid_map(folder)).await?;
    let on_server: HashSet<u32> = if mailbox.exists == 0 {
        HashSet::new()
    } else {
        session
            .uid_search("ALL")
            .await
            .map_err(imap_err("UID SEARCH"))?
    };
    let mut summary = Summary::default();

    // Known messages: the server's flags win; vanished ones go.
    let expunged: Vec<u32> = known
        .keys()
        .filter(|uid| !on_server.contains(uid))
        .copied()
        .collect();
    let mut flag_updates = Vec::new();
    let max_known = known.keys().filter(|u| on_server.contains(u)).max();
    if let (Some(max_known), Some(query)) = (max_known, flag_query) {
        let fetches: Vec<Fetch> = session
            .uid_fetch(format!("1:{max_known}"), query)
            .await
            .map_err(imap_err("UID FETCH"))?
            .try_collect()
            .await
            .map_err(imap_err("UID FETCH"))?;
        summary.flags_checked = fetches.len();
        for f in &fetches {
            let (Some(uid), flags) = (f.uid, flags_of(f)) else {
                continue;
            };
            if known.get(&uid).is_some_and(|(_, old)| *old != flags) {
                flag_updates.push((uid, flags));
            }
        }
    }
    summary.flag_changes = flag_updates.len();
    summary.removed = expunged.len();
    if !flag_updates.is_empty() || !expunged.is_empty() {
        store
            .run(move |s| s.apply_remote_changes(folder, &flag_updates, &expunged))
            .await?;
    }

    // New messages, newest first, committed batch by batch.
    let mut new: Vec<u32> = on_server
        .iter()
        .filter(|uid| !known.contains_key(uid))
        .copied()
        .collect();
    new.sort_unstable_by(|a, b| b.cmp(a));
    let total = new.len();
    let mut fetched = 0;
    let mut report = |_: usize, stored: usize| {
        fetched += stored;
        on_batch(fetched, total);
    };
    // While one batch is committed the next is parsed and the one after
    // is on its way from the server.
    let mut pipeline = super::pipeline::Pipeline::default();
    for batch in new.chunks(BATCH) {
        let fetches = match fetch_headers(session, batch).await {
            Ok(fetches) => fetches,
            Err(e) => {
                // The batches that arrived whole are committed.
                pipeline.settle(0, &mut report).await?;
                return Err(e);
            }
        };
        // Headers are small: a few batches ahead keep the server busy
        // while a slow commit runs.
        pipeline.settle(3, &mut report).await?;
        let store = store.clone();
        pipeline.push(batch.len(), move |gate| {
            store_headers(&store, folder, &fetches, gate)
        });
    }
    pipeline.settle(0, &mut report).await?;
    summary.new_messages = fetched;
    let uidnext = mailbox.uid_next;
    store
        .run(move |s| {
            s.set_sync_state(
                folder,
                SyncState {
                    uidvalidity: Some(uidvalidity),
                    uidnext,
                    highestmodseq: server_modseq,
                },
            )
        })
        .await?;
    Ok(summary)
}

/// Send the account's queued operations to the server, oldest first,
/// forgetting each only once the server confirmed it. Returns how many
/// were applied.
pub async fn replay<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    account: AccountId,
) -> Result<usize> {
    let pending = store.run(move |s| s.pending_ops(account)).await?;
    // The selected folder and its UIDVALIDITY.
    let mut selected: Option<(String, Option<u32>)> = None;
    let mut applied = 0;
    for p in pending {
        if selected.as_ref().map(|(name, _)| name.as_str()) != Some(p.remote_name.as_str()) {
            match session.select(&p.remote_name).await {
                Ok(mailbox) => selected = Some((p.remote_name.clone(), mailbox.uid_validity)),
                // The folder is gone on the server: the change has nowhere
                // to go, and keeping it would block the queue for ever.
                Err(async_imap::error::Error::No(reason)) => {
                    tracing::warn!(folder = %p.remote_name, %reason, "dropping queued change");
                    let id = p.id;
                    store.run(move |s| s.finish_op(id)).await?;
                    continue;
                }
                Err(e) => return Err(imap_err("SELECT")(e)),
            }
        }
        let current_validity = selected.as_ref().and_then(|(_, v)| *v);
        match &p.op {
            // The mailbox was recreated since: these UIDs now name other
            // messages, and changing those would be worse than losing a flag.
            Op::Flags { uidvalidity, .. } if current_validity != Some(*uidvalidity) => {
                tracing::warn!(folder = %p.remote_name, "UIDVALIDITY changed; dropping queued flag change");
                let id = p.id;
                store.run(move |s| s.finish_op(id)).await?;
                continue;
            }
            Op::Flags { flag, on, uids, .. } => {
                let query = format!(
                    "{}FLAGS.SILENT ({})",
                    if *on { '+' } else { '-' },
                    flag_names(*flag).join(" ")
                );
                let _: Vec<Fetch> = session
                    .uid_store(uid_set(uids), query)
                    .await
                    .map_err(imap_err("UID STORE"))?
                    .try_collect()
                    .await
                    .map_err(imap_err("UID STORE"))?;
            }
        }
        let id = p.id;
        store.run(move |s| s.finish_op(id)).await?;
        applied += 1;
    }
    Ok(applied)
}

/// IMAP names of the flags in `flags`.
fn flag_names(flags: Flags) -> Vec<&'static str> {
    [
        (Flags::SEEN, "\\Seen"),
        (Flags::FLAGGED, "\\Flagged"),
        (Flags::ANSWERED, "\\Answered"),
        (Flags::DELETED, "\\Deleted"),
        (Flags::DRAFT, "\\Draft"),
        (Flags::FORWARDED, "$Forwarded"),
    ]
    .into_iter()
    .filter(|(f, _)| flags.contains(*f))
    .map(|(_, name)| name)
    .collect()
}

/// Fetch the whole raw message `uid` from `remote_name`. The caller stores
/// it; `Store::store_body` refuses to mark a short body complete.
pub async fn fetch_body<T: Stream>(
    session: &mut Session<T>,
    remote_name: &str,
    uid: u32,
) -> Result<Vec<u8>> {
    session
        .examine(remote_name)
        .await
        .map_err(imap_err("EXAMINE"))?;
    let fetches: Vec<Fetch> = session
        .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
        .await
        .map_err(imap_err("UID FETCH"))?
        .try_collect()
        .await
        .map_err(imap_err("UID FETCH"))?;
    fetches
        .iter()
        .find(|f| f.uid == Some(uid))
        .and_then(|f| f.body())
        .map(<[u8]>::to_vec)
        .ok_or(Error::NotFound {
            what: "message on the server",
        })
}

async fn fetch_headers<T: Stream>(session: &mut Session<T>, uids: &[u32]) -> Result<Vec<Fetch>> {
    session
        .uid_fetch(uid_set(uids), HEADER_ITEMS)
        .await
        .map_err(imap_err("UID FETCH"))?
        .try_collect()
        .await
        .map_err(imap_err("UID FETCH"))
}

/// Parse a batch of fetched headers (outside the store lock, so the list
/// can be read meanwhile), wait for the batch before, then insert them in
/// one transaction. Returns how many were stored.
fn store_headers(
    store: &Shared,
    folder: FolderId,
    fetches: &[Fetch],
    gate: super::pipeline::Gate,
) -> Result<usize> {
    let headers: Vec<Header> = fetches.iter().filter_map(header_of).collect();
    gate.wait();
    let mut store = crate::store::lock(store.mutex());
    let tx = store.batch()?;
    let rows: Vec<RemoteHeader> = headers
        .iter()
        .map(|h| RemoteHeader {
            uid: h.uid,
            flags: h.flags,
            size: h.size,
            internal_date: h.internal_date,
            parsed: &h.parsed,
            has_attachments: h.has_attachments,
        })
        .collect();
    remote::insert_headers(&tx, folder, &rows)?;
    tx.commit()?;
    Ok(headers.len())
}

/// A fetched header, parsed on the blocking pool.
struct Header {
    uid: u32,
    flags: Flags,
    size: u64,
    internal_date: i64,
    parsed: parse::Parsed,
    has_attachments: bool,
}

fn header_of(f: &Fetch) -> Option<Header> {
    let uid = f.uid?;
    let raw = f.header()?;
    // A header that cannot be parsed still becomes a row (so the message
    // is visible and can be opened), just with empty envelope fields.
    let parsed = parse::parse(raw).unwrap_or_default();
    // INTERNALDATE only stands in for a missing Date header.
    let internal_date = match parsed.date {
        Some(_) => 0,
        None => f.internal_date().map(|d| d.timestamp()).unwrap_or(0),
    };
    Some(Header {
        uid,
        flags: flags_of(f),
        size: u64::from(f.size.unwrap_or(0)),
        internal_date,
        has_attachments: is_mixed(raw),
        parsed,
    })
}

/// multipart/mixed is how attachments travel; the exact list is known
/// once the body is fetched.
fn is_mixed(header: &[u8]) -> bool {
    const FIELD: &[u8] = b"content-type:";
    const MIXED: &[u8] = b"multipart/mixed";
    header.split(|&b| b == b'\n').any(|line| {
        line.get(..FIELD.len())
            .is_some_and(|f| f.eq_ignore_ascii_case(FIELD))
            && line
                .windows(MIXED.len())
                .any(|w| w.eq_ignore_ascii_case(MIXED))
    })
}

fn flags_of(f: &Fetch) -> Flags {
    f.flags().fold(Flags::default(), |acc, flag| {
        let bit = match flag {
            Flag::Seen => Flags::SEEN,
            Flag::Flagged => Flags::FLAGGED,
            Flag::Answered => Flags::ANSWERED,
            Flag::Deleted => Flags::DELETED,
            Flag::Draft => Flags::DRAFT,
            Flag::Custom(c) if c.eq_ignore_ascii_case("$Forwarded") => Flags::FORWARDED,
            _ => return acc,
        };
        acc.with(bit, true)
    })
}

/// A compact UID set ("9:7,3") from UIDs in any order.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_set(&[9, 8, 7, 3, 1, 2, 12]), "1:3,7:9,12");
        assert_eq!(uid_set(&[5]), "5");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn mixed_multipart_marks_attachments() {
        assert!(is_mixed(
            b"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        ));
        assert!(!is_mixed(b"Content-Type: text/plain\r\n\r\n"));
        assert!(is_mixed(b"CONTENT-TYPE: Multipart/Mixed; boundary=b\r\n"));
        assert!(!is_mixed(b"Subject: multipart/mixed\r\n"));
    }
}

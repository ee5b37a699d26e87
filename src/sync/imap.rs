//! IMAP sync, recent first: folder list, then per folder the flags of
//! known messages, expunges, and new headers newest first in committed
//! batches. Bodies come later, on demand.

use super::{Progress, Summary};
use crate::error::{Error, Result};
use crate::imap::folders;
use crate::mime::parse;
use crate::model::{AccountId, Flags, FolderId, MessageId};
use crate::store::Shared;
use crate::store::remote::{self, RemoteHeader, SyncState};
use async_imap::types::{Fetch, Flag};
use futures::TryStreamExt;
use std::collections::{HashMap, HashSet};
use tokio::io::{AsyncRead, AsyncWrite};

/// Headers fetched and committed in the first round trip: the newest
/// screenful and more, on screen at once.
const FIRST_BATCH: usize = 500;
/// Later batches double up to this: fewer round trips, and fewer commits
/// rewriting the same index pages (each commit of random Message-IDs
/// touches most leaves of that index). 4,000 headers are about 2.5 MB,
/// so the list still fills every second or two on a slow link.
const MAX_BATCH: usize = 4_000;
/// The headers a message list needs; the body is not touched (PEEK). Only
/// the fields the list, threads and search use: servers answer these from
/// their cache (Dovecot), where the whole header means reading every file.
pub const HEADER_ITEMS: &str = "(UID FLAGS RFC822.SIZE INTERNALDATE \
    BODY.PEEK[HEADER.FIELDS (DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)])";

mod qresync;
mod replay;
pub use replay::replay;

pub type Session<T> = async_imap::Session<T>;

pub trait Stream: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send> Stream for T {}

/// A NO is the server declining this one command (a folder it cannot
/// open, say): [`Error::ServerRefused`]. Anything else means the
/// connection is no longer usable: [`Error::Network`].
fn imap_err(context: &'static str) -> impl Fn(async_imap::error::Error) -> Error {
    move |e| match e {
        async_imap::error::Error::No(detail) => Error::ServerRefused { context, detail },
        other => Error::Network {
            context,
            detail: other.to_string(),
        },
    }
}

/// Sync the folder list and every folder of `account`. Changes queued
/// here go to the server first, so the server's flags read afterwards
/// already include them.
pub async fn sync_account<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    account: AccountId,
    on_progress: impl FnMut(&Progress),
) -> Result<Summary> {
    sync_account_with(session, store, account, false, on_progress).await
}

/// [`sync_account`] on a session where `qresync` tells whether
/// `ENABLE QRESYNC` succeeded (only the caller that logged in knows).
pub async fn sync_account_with<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    account: AccountId,
    qresync: bool,
    mut on_progress: impl FnMut(&Progress),
) -> Result<Summary> {
    replay(session, store, account).await?;
    let condstore = session
        .capabilities()
        .await
        .map_err(imap_err("CAPABILITY"))?
        .has_str("CONDSTORE");
    let mode = Mode { condstore, qresync };
    let mut folders = sync_folder_list(session, store, account).await?;
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
        let s = match sync_folder_with(
            session,
            store,
            folder,
            &remote_name,
            mode,
            |fetched, total| {
                progress.fetched = fetched;
                progress.to_fetch = total;
                on_progress(&progress);
            },
        )
        .await
        {
            Ok(s) => s,
            // One folder the server cannot open must not keep the others
            // from syncing; it is tried again next time.
            Err(Error::ServerRefused { context, detail }) => {
                tracing::warn!(folder = %remote_name, context, %detail, "folder skipped");
                summary.skipped += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        summary.new_messages += s.new_messages;
        summary.flag_changes += s.flag_changes;
        summary.flags_checked += s.flags_checked;
        summary.removed += s.removed;
    }
    Ok(summary)
}

/// Make the store's folder list (and subscriptions) the server's.
/// Returns `(folder, server name)` of every listed folder.
pub async fn sync_folder_list<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    account: AccountId,
) -> Result<Vec<(FolderId, String)>> {
    let listed: Vec<_> = session
        .list(Some(""), Some("*"))
        .await
        .map_err(imap_err("LIST"))?
        .try_collect::<Vec<_>>()
        .await
        .map_err(imap_err("LIST"))?;
    let remote = folders::from_listing(&listed);
    let subscribed: HashSet<String> = session
        .lsub(Some(""), Some("*"))
        .await
        .map_err(imap_err("LSUB"))?
        .try_collect::<Vec<_>>()
        .await
        .map_err(imap_err("LSUB"))?
        .iter()
        .map(|name| name.name().to_string())
        .collect();
    store
        .run(move |s| {
            let folders = s.sync_folder_list(account, &remote)?;
            s.set_subscriptions(account, &subscribed)?;
            Ok(folders)
        })
        .await
}

/// Which extensions a folder sync may use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mode {
    /// RFC 7162 CONDSTORE offered: read only flags changed since last time.
    pub condstore: bool,
    /// RFC 7162 QRESYNC enabled on the session: expunges come as
    /// VANISHED too, so the folder's UIDs are never all listed.
    pub qresync: bool,
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
    on_batch: impl FnMut(usize, usize),
) -> Result<Summary> {
    let mode = Mode {
        condstore,
        qresync: false,
    };
    sync_folder_with(session, store, folder, remote_name, mode, on_batch).await
}

/// What changed on the server since the last sync of a folder.
struct Delta {
    expunged: Vec<u32>,
    flag_updates: Vec<(u32, Flags)>,
    /// UIDs on the server that may be new here.
    candidates: Vec<u32>,
    flags_checked: usize,
}

/// [`sync_folder`] with the extensions of `mode`.
pub async fn sync_folder_with<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    folder: FolderId,
    remote_name: &str,
    mode: Mode,
    mut on_batch: impl FnMut(usize, usize),
) -> Result<Summary> {
    let condstore = mode.condstore || mode.qresync;
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
    let mut carried = None;
    if state.uidvalidity.is_some_and(|v| v != uidvalidity) {
        // Every cached UID now means nothing: start the folder afresh,
        // keeping queued changes aside to give them the new UIDs.
        let (dropped, taken) = store
            .run(move |s| {
                let taken = s.carry_ops(folder)?;
                Ok((s.reset_folder(folder, uidvalidity)?, taken))
            })
            .await?;
        carried = Some(taken);
        tracing::info!(%folder, dropped, "UIDVALIDITY changed; folder cache dropped");
        state = SyncState::default();
    }
    let server_modseq = mailbox.highest_modseq.filter(|_| condstore);
    let known = store.run(move |s| s.uid_map(folder)).await?;
    let quick = match (mode.qresync, state.highestmodseq, server_modseq) {
        (true, Some(ours), Some(theirs)) if !known.is_empty() => Some((ours, theirs)),
        _ => None,
    };
    let delta = match quick {
        Some((ours, theirs)) => {
            quick_delta(
                session,
                &known,
                ours,
                theirs,
                state.uidnext,
                mailbox.uid_next,
            )
            .await?
        }
        None => full_delta(session, &known, &state, server_modseq, mailbox.exists).await?,
    };
    let Delta {
        expunged,
        flag_updates,
        candidates,
        flags_checked,
    } = delta;
    let mut summary = Summary {
        flags_checked,
        ..Summary::default()
    };
    summary.flag_changes = flag_updates.len();
    summary.removed = expunged.len();
    if !flag_updates.is_empty() || !expunged.is_empty() {
        store
            .run(move |s| s.apply_remote_changes(folder, &flag_updates, &expunged))
            .await?;
    }

    // New messages, newest first, committed batch by batch.
    // Moves and deletions queued here but not sent yet: the server still
    // has those messages, and they must not come back as new mail.
    let leaving = store.run(move |s| s.leaving_uids(folder)).await?;
    let mut new: Vec<u32> = candidates
        .into_iter()
        .filter(|uid| !known.contains_key(uid) && !leaving.contains(uid))
        .collect();
    // Rows moved or copied here locally whose UID the server did not
    // report (no UIDPLUS) wait to be matched by Message-ID.
    let waiting = store.run(move |s| s.has_waiting_rows(folder)).await?;
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
    let adopted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut rest = &new[..];
    let mut size = FIRST_BATCH;
    while !rest.is_empty() {
        let (batch, later) = rest.split_at(size.min(rest.len()));
        rest = later;
        size = (size * 2).min(MAX_BATCH);
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
        let adopted = waiting.then(|| adopted.clone());
        pipeline.push(batch.len(), move |gate| {
            store_headers(&store, folder, &fetches, gate, adopted.as_deref())
        });
    }
    pipeline.settle(0, &mut report).await?;
    // Mail moved here by this user is not new mail.
    summary.new_messages = fetched - adopted.load(std::sync::atomic::Ordering::Relaxed);
    if let Some(carried) = carried {
        let kept = store
            .run(move |s| s.restore_ops(folder, uidvalidity, carried))
            .await?;
        tracing::info!(%folder, kept, "queued changes given the new UIDs");
    }
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

/// Without QRESYNC: list every UID to find expunges and new mail, and
/// read the flags (only those changed since last time, with CONDSTORE).
async fn full_delta<T: Stream>(
    session: &mut Session<T>,
    known: &HashMap<u32, (MessageId, Flags)>,
    state: &SyncState,
    server_modseq: Option<u64>,
    exists: u32,
) -> Result<Delta> {
    // Which flags to read: none if nothing changed since the last sync,
    // the changed ones if the server can tell, else all.
    let flag_query = match (state.highestmodseq, server_modseq) {
        (Some(ours), Some(theirs)) if ours == theirs => None,
        (Some(ours), Some(_)) => Some(format!("(UID FLAGS) (CHANGEDSINCE {ours})")),
        _ => Some("(UID FLAGS)".to_string()),
    };
    let on_server: HashSet<u32> = if exists == 0 {
        HashSet::new()
    } else {
        session
            .uid_search("ALL")
            .await
            .map_err(imap_err("UID SEARCH"))?
    };
    let expunged: Vec<u32> = known
        .keys()
        .filter(|uid| !on_server.contains(uid))
        .copied()
        .collect();
    let mut flag_updates = Vec::new();
    let mut flags_checked = 0;
    let max_known = known.keys().filter(|u| on_server.contains(u)).max();
    if let (Some(max_known), Some(query)) = (max_known, flag_query) {
        let fetches: Vec<Fetch> = session
            .uid_fetch(format!("1:{max_known}"), query)
            .await
            .map_err(imap_err("UID FETCH"))?
            .try_collect()
            .await
            .map_err(imap_err("UID FETCH"))?;
        flags_checked = fetches.len();
        for f in &fetches {
            let (Some(uid), flags) = (f.uid, flags_of(f)) else {
                continue;
            };
            if known.get(&uid).is_some_and(|(_, old)| *old != flags) {
                flag_updates.push((uid, flags));
            }
        }
    }
    Ok(Delta {
        expunged,
        flag_updates,
        candidates: on_server.into_iter().collect(),
        flags_checked,
    })
}

/// With QRESYNC: flags changed and UIDs expunged since `ours` in one
/// command (none at all when the MODSEQ did not move), and only UIDs
/// above the highest known one asked for as possibly new.
async fn quick_delta<T: Stream>(
    session: &mut Session<T>,
    known: &HashMap<u32, (MessageId, Flags)>,
    ours: u64,
    theirs: u64,
    our_uidnext: Option<u32>,
    their_uidnext: Option<u32>,
) -> Result<Delta> {
    let max_known = known.keys().copied().max().unwrap_or(0);
    let changes = if ours == theirs {
        qresync::Changes::default()
    } else {
        qresync::changes_since(session, max_known, ours).await?
    };
    let expunged: Vec<u32> = changes
        .vanished
        .iter()
        .filter(|uid| known.contains_key(uid))
        .copied()
        .collect();
    let flags_checked = changes.flags.len();
    let flag_updates = changes
        .flags
        .into_iter()
        .filter(|(uid, flags)| known.get(uid).is_some_and(|(_, old)| old != flags))
        .collect();
    let grown = match (our_uidnext, their_uidnext) {
        (Some(ours), Some(theirs)) => theirs > ours,
        _ => true,
    };
    let candidates = if grown {
        // "n:*" always includes the highest UID, even below n.
        session
            .uid_search(format!("UID {}:*", max_known + 1))
            .await
            .map_err(imap_err("UID SEARCH"))?
            .into_iter()
            .filter(|uid| *uid > max_known)
            .collect()
    } else {
        Vec::new()
    };
    Ok(Delta {
        expunged,
        flag_updates,
        candidates,
        flags_checked,
    })
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

/// One message's header items, copied out of async-imap's response as it
/// arrives: a response keeps alive the whole read buffer it came in, which
/// for a batch of thousands added up to hundreds of megabytes.
struct RawHeader {
    uid: u32,
    flags: Flags,
    size: u64,
    /// INTERNALDATE, Unix seconds (0 if absent).
    internal_date: i64,
    header: Vec<u8>,
}

async fn fetch_headers<T: Stream>(
    session: &mut Session<T>,
    uids: &[u32],
) -> Result<Vec<RawHeader>> {
    let mut responses = session
        .uid_fetch(uid_set(uids), HEADER_ITEMS)
        .await
        .map_err(imap_err("UID FETCH"))?;
    let mut headers = Vec::with_capacity(uids.len());
    while let Some(f) = responses.try_next().await.map_err(imap_err("UID FETCH"))? {
        if let (Some(uid), Some(header)) = (f.uid, f.header()) {
            headers.push(RawHeader {
                uid,
                flags: flags_of(&f),
                size: u64::from(f.size.unwrap_or(0)),
                internal_date: f.internal_date().map_or(0, |d| d.timestamp()),
                header: header.to_vec(),
            });
        }
    }
    Ok(headers)
}

/// Parse a batch of fetched headers (outside the store lock, so the list
/// can be read meanwhile), wait for `gate` (the batch before), then insert
/// them in one transaction. Returns how many were stored. With `adopted`
/// (the folder has rows waiting for their UID), a header matching one of
/// them by Message-ID gives it its UID instead of becoming a new row, and
/// is counted there.
fn store_headers(
    store: &Shared,
    folder: FolderId,
    fetches: &[RawHeader],
    gate: super::pipeline::Gate,
    adopted: Option<&std::sync::atomic::AtomicUsize>,
) -> Result<usize> {
    let headers: Vec<Header> = fetches.iter().map(header_of).collect();
    gate.wait();
    let mut store = crate::store::lock(store.mutex());
    let tx = store.batch()?;
    let mut fresh = Vec::with_capacity(headers.len());
    for h in &headers {
        match adopted {
            Some(count) if remote::adopt_waiting(&tx, folder, h.uid, h.flags, &h.parsed)? => {
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            _ => fresh.push(h),
        }
    }
    let rows: Vec<RemoteHeader> = fresh
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

fn header_of(f: &RawHeader) -> Header {
    // A header that cannot be parsed still becomes a row (so the message
    // is visible and can be opened), just with empty envelope fields.
    let parsed = parse::parse(&f.header).unwrap_or_default();
    Header {
        uid: f.uid,
        flags: f.flags,
        size: f.size,
        // INTERNALDATE only stands in for a missing Date header.
        internal_date: if parsed.date.is_some() {
            0
        } else {
            f.internal_date
        },
        has_attachments: is_mixed(&f.header),
        parsed,
    }
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

/// Flags from their IMAP names (case-insensitive, as RFC 3501 says).
fn flags_from_names<'a>(names: impl Iterator<Item = &'a str>) -> Flags {
    names.fold(Flags::default(), |acc, name| {
        let bit = match name.to_ascii_lowercase().as_str() {
            "\\seen" => Flags::SEEN,
            "\\flagged" => Flags::FLAGGED,
            "\\answered" => Flags::ANSWERED,
            "\\deleted" => Flags::DELETED,
            "\\draft" => Flags::DRAFT,
            "$forwarded" => Flags::FORWARDED,
            _ => return acc,
        };
        acc.with(bit, true)
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

//! Checking a POP3 account for mail. The order is what keeps mail safe:
//! list what the server holds, download what is not here yet (RETRs
//! pipelined), commit each batch with the messages' keys, make the commits
//! durable, and only then delete on the server what the account's policy
//! says, which the server carries out at QUIT. A crash or a cut connection
//! at any point loses nothing and downloads nothing twice: a key is
//! committed with its message, and a deletion is only ever asked for a
//! key already committed.

use super::pipeline::{Gate, Pipeline};
use super::{Progress, Stage, Summary};
use crate::error::Result;
use crate::mime::parse::{self, MAX_MESSAGE_BYTES};
use crate::model::{AccountId, FolderId, Role};
use crate::pop3::Client;
use crate::store::pop3::Downloaded;
use crate::store::{self, Shared};
use std::collections::{HashMap, HashSet};

/// Messages committed per transaction, and the bytes a batch may hold:
/// small enough that memory stays bounded and a cut connection costs
/// little, large enough that commits do not dominate.
const BATCH_MESSAGES: usize = 100;
const BATCH_BYTES: u64 = 16 * 1024 * 1024;

/// One message on the server: its number in this session, size and key.
struct Listed {
    number: u32,
    size: u64,
    key: String,
}

/// Check `account` over a logged-in `client`: download, then delete on
/// the server per the account's policy, then QUIT. `summary.new_messages`
/// counts what was stored, `summary.removed` what the server deleted.
pub async fn check_account(
    mut client: Client,
    store: &Shared,
    account: AccountId,
    mut on_progress: impl FnMut(&Progress),
) -> Result<Summary> {
    let (inbox, policy) = store
        .run(move |s| {
            Ok((
                s.folder_by_role(account, Role::Inbox)?.id,
                s.pop3_policy(account)?,
            ))
        })
        .await?;
    let listed = listing(&mut client).await?;
    let on_server: HashSet<String> = listed.iter().map(|m| m.key.clone()).collect();
    // Keys the server no longer has are forgotten: deleted there, by us or
    // by anyone. The listing is complete, so nothing else is dropped.
    let known = {
        let on_server = on_server.clone();
        store
            .run(move |s| s.pop3_forget_gone(account, &on_server))
            .await?
    };
    let mut seen = HashSet::new();
    let new: Vec<&Listed> = listed
        .iter()
        // A key listed twice is one message (a broken server or true
        // duplicates without UIDL): stored once.
        .filter(|m| !known.contains(&m.key) && seen.insert(m.key.as_str()))
        .collect();
    let (mut wanted, too_large): (Vec<&Listed>, Vec<&Listed>) = new
        .into_iter()
        .partition(|m| m.size <= MAX_MESSAGE_BYTES as u64);
    // Newest first (servers number mail in arrival order), so the list
    // fills from the top while a long download runs.
    wanted.sort_unstable_by_key(|m| std::cmp::Reverse(m.number));
    for m in &too_large {
        tracing::warn!(
            size = m.size,
            "message too large to download; left on the server"
        );
    }

    let mut progress = Progress {
        folder: "Inbox".into(),
        folder_count: 1,
        to_fetch: wanted.len(),
        total_bytes: wanted.iter().map(|m| m.size).sum(),
        stage: Stage::Download,
        ..Progress::default()
    };
    on_progress(&progress);
    let stored = download(
        &mut client,
        store,
        account,
        inbox,
        &wanted,
        |count, bytes| {
            progress.fetched += count;
            progress.bytes += bytes;
            on_progress(&progress);
        },
    )
    .await?;

    // Deletions only for keys committed, and every commit is durable
    // (`Store::configure`): a power cut cannot undo a commit the server
    // was told to forget.
    let due = {
        let on_server = on_server.clone();
        store
            .run(move |s| s.pop3_due_for_deletion(account, policy, &on_server))
            .await?
    };
    let numbers: HashMap<&str, u32> = listed.iter().map(|m| (m.key.as_str(), m.number)).collect();
    let doomed: Vec<u32> = due
        .iter()
        .filter_map(|key| numbers.get(key.as_str()).copied())
        .collect();
    let mut removed = doomed.len();
    if !doomed.is_empty() {
        match client.dele_many(&doomed).await {
            Ok(()) => {}
            // One the server will not delete (locked): those marked so
            // far are still deleted at QUIT; the rest wait for next time.
            Err(crate::error::Error::ServerRefused { detail, .. }) => {
                tracing::warn!(%detail, "the server refused a deletion");
                removed = 0;
            }
            Err(e) => return Err(e),
        }
    }
    // The server deletes at QUIT; without its +OK nothing is known to be
    // deleted, and the next check reads the real state from the listing.
    client.quit().await?;
    Ok(Summary {
        folders: 1,
        new_messages: stored,
        removed,
        ..Summary::default()
    })
}

/// Every message's number, size and key. The key is the UIDL; a server
/// without UIDL gets "Message-ID size", read with TOP (headers only).
async fn listing(client: &mut Client) -> Result<Vec<Listed>> {
    let sizes = client.list().await?;
    let uidls: Option<HashMap<u32, String>> =
        client.uidl().await?.map(|list| list.into_iter().collect());
    let mut listed = Vec::with_capacity(sizes.len());
    for (number, size) in sizes {
        let key = match &uidls {
            Some(uidls) => match uidls.get(&number) {
                Some(uidl) => format!("uidl:{uidl}"),
                // Listed without a UIDL (or a hostile one we skipped):
                // without a key it cannot be kept track of; left alone.
                None => continue,
            },
            None => {
                let header = client.top(number, 0).await?;
                fallback_key(&header, size)
            }
        };
        listed.push(Listed { number, size, key });
    }
    Ok(listed)
}

/// The key of a message on a server without UIDL: its Message-ID and
/// size, or a digest of its header where it has no Message-ID.
fn fallback_key(header: &[u8], size: u64) -> String {
    match parse::parse(header).ok().and_then(|p| p.message_id) {
        Some(id) => format!("mid:{id} {size}"),
        None => format!(
            "hdr:{} {size}",
            crate::net::tls::hex(&crate::net::tls::sha256(header))
        ),
    }
}

/// RETR `wanted` (pipelined where the server allows) and commit them in
/// batches, in order; `on_batch(messages, bytes)` after each commit.
/// Returns how many were stored.
async fn download(
    client: &mut Client,
    store: &Shared,
    account: AccountId,
    inbox: FolderId,
    wanted: &[&Listed],
    mut on_batch: impl FnMut(usize, u64),
) -> Result<usize> {
    let keys: HashMap<u32, String> = wanted.iter().map(|m| (m.number, m.key.clone())).collect();
    let mut stored = 0;
    // The bytes of each batch in flight, oldest first (reports come in
    // the same order).
    let sizes = std::sync::Mutex::new(std::collections::VecDeque::new());
    let mut report = |count: usize, n: usize| {
        stored += n;
        let bytes = lock(&sizes).pop_front().unwrap_or(0);
        on_batch(count, bytes);
    };
    let mut pipeline = Pipeline::default();
    let mut batch: Vec<(String, Vec<u8>)> = Vec::new();
    let mut batch_bytes = 0;
    let mut retrievals = client.retrieve_sized(wanted.iter().map(|m| (m.number, m.size)).collect());
    loop {
        let next = match retrievals.next().await {
            None => None,
            Some(Ok(message)) => Some(message),
            // The server would not give this one message (locked, damaged):
            // it stays there, unknown here, and is asked for next time.
            Some(Err(crate::error::Error::ServerRefused { detail, .. })) => {
                tracing::warn!(%detail, "message not downloaded");
                continue;
            }
            Some(Err(e)) => {
                // What arrived whole before the failure is committed.
                drop(retrievals);
                pipeline.settle(0, &mut report).await?;
                return Err(e);
            }
        };
        let done = next.is_none();
        if let Some((number, raw)) = next {
            batch_bytes += raw.len() as u64;
            let key = keys.get(&number).cloned().unwrap_or_default();
            batch.push((key, raw));
        }
        if !batch.is_empty()
            && (done || batch.len() >= BATCH_MESSAGES || batch_bytes >= BATCH_BYTES)
        {
            // Two batches in flight besides the one arriving.
            pipeline.settle(2, &mut report).await?;
            let messages = std::mem::take(&mut batch);
            lock(&sizes).push_back(std::mem::take(&mut batch_bytes));
            let store = store.clone();
            pipeline.push(messages.len(), move |gate| {
                store_batch(&store, account, inbox, &messages, gate)
            });
        }
        if done {
            break;
        }
    }
    pipeline.settle(0, &mut report).await?;
    Ok(stored)
}

/// The batch sizes' queue (never poisoned in practice: nothing panics
/// while holding it).
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Parse the headers (outside the store lock), wait for the batch before, then commit
/// the messages with their keys in one transaction.
fn store_batch(
    store: &Shared,
    account: AccountId,
    inbox: FolderId,
    messages: &[(String, Vec<u8>)],
    gate: Gate,
) -> Result<usize> {
    // Only the header now, for the list; the index pass that follows the
    // download parses each body once, for its text, preview and
    // attachments. A message mail-parser cannot read is still kept (its
    // raw bytes can be viewed and exported): never lose what the server
    // may delete.
    let parsed: Vec<parse::Parsed> = messages
        .iter()
        .map(|(_, raw)| parse::parse_header(raw).unwrap_or_default())
        .collect();
    let downloaded: Vec<Downloaded<'_>> = messages
        .iter()
        .zip(&parsed)
        .map(|((key, raw), parsed)| Downloaded { key, raw, parsed })
        .collect();
    gate.wait();
    let ids = store::lock(store.mutex()).store_pop3_messages(account, inbox, &downloaded)?;
    Ok(ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_without_uidl_are_known_by_message_id_and_size() {
        let header = b"Message-ID: <a@example.test>\r\nSubject: x\r\n\r\n";
        assert_eq!(fallback_key(header, 120), "mid:a@example.test 120");
        assert_ne!(fallback_key(header, 121), fallback_key(header, 120));
        let bare = b"Subject: no id\r\n\r\n";
        let key = fallback_key(bare, 50);
        assert!(key.starts_with("hdr:") && key.ends_with(" 50"), "{key}");
        assert_eq!(key, fallback_key(bare, 50));
    }
}

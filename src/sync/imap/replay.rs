//! Sending queued local changes to the server, oldest first. Each is
//! forgotten only once the server confirmed it; one that can no longer
//! apply (its folder is gone, or was recreated under another UIDVALIDITY)
//! is dropped rather than allowed to touch other mail.

use super::{Session, Stream, imap_err, uid_set};
use crate::error::{Error, Result};
use crate::imap::command::{self, CopyUid};
use crate::model::{AccountId, Flags, FolderId, MessageId};
use crate::store::Shared;
use crate::store::ops::{Item, Op, Pending};
use async_imap::types::Fetch;
use futures::TryStreamExt;

/// What the server can do that changes how operations are sent.
struct Abilities {
    /// RFC 6851: an atomic UID MOVE.
    moves: bool,
    /// RFC 4315: UID EXPUNGE touches only the given UIDs.
    uidplus: bool,
}

/// Send the account's queued operations to the server, oldest first.
/// Returns how many were applied.
pub async fn replay<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    account: AccountId,
) -> Result<usize> {
    let _one_sender = store.sending().await;
    if store
        .run(move |s| s.next_pending_op(account, 0))
        .await?
        .is_none()
    {
        return Ok(0);
    }
    let caps = session
        .capabilities()
        .await
        .map_err(imap_err("CAPABILITY"))?;
    let abilities = Abilities {
        moves: caps.has_str("MOVE"),
        uidplus: caps.has_str("UIDPLUS"),
    };
    // The selected folder and its UIDVALIDITY.
    let mut selected: Option<(String, Option<u32>)> = None;
    let mut applied = 0;
    let mut last = 0;
    // Read afresh each time: replaying a move may fill in UIDs of the
    // operations after it.
    while let Some(p) = store.run(move |s| s.next_pending_op(account, last)).await? {
        last = p.id;
        if selected.as_ref().map(|(name, _)| name.as_str()) != Some(p.remote_name.as_str()) {
            match session.select(&p.remote_name).await {
                Ok(mailbox) => selected = Some((p.remote_name.clone(), mailbox.uid_validity)),
                // The folder is gone on the server: the change has nowhere
                // to go, and keeping it would block the queue for ever.
                Err(async_imap::error::Error::No(reason)) => {
                    drop_op(store, &p, &reason).await?;
                    continue;
                }
                Err(e) => return Err(imap_err("SELECT")(e)),
            }
        }
        let current = selected.as_ref().and_then(|(_, v)| *v);
        let made_under = p.op.uidvalidity();
        // 0: queued before the folder was first synced; its UIDs were
        // filled in later from the server's own answer.
        if made_under != 0 && current != Some(made_under) {
            let folder = p.folder;
            let cached = store.run(move |s| s.sync_state(folder)).await?.uidvalidity;
            if cached == Some(made_under) {
                // The mailbox was recreated and the store does not know
                // yet: the folder's next sync carries this change over to
                // the new UIDs of the same messages (see store::remap).
                continue;
            }
            drop_op(store, &p, "UIDVALIDITY changed").await?;
            continue;
        }
        let id = p.id;
        let outcome = match &p.op {
            Op::Flags { flag, on, uids, .. } => set_flags(session, uids, *flag, *on).await,
            Op::Expunge { items, .. } => {
                store.run(move |s| s.note_attempt(id)).await?;
                let uids = known_uids(items);
                if uids.is_empty() {
                    Ok(())
                } else {
                    expunge(session, &uids, &abilities).await
                }
            }
            Op::Append { messages } => match upload(session, store, &p, messages, current).await {
                Ok(()) => {
                    applied += 1;
                    continue;
                }
                other => other,
            },
            Op::Move { dest, items, .. } | Op::Copy { dest, items, .. } => {
                let is_move = matches!(p.op, Op::Move { .. });
                let result = transfer(session, store, &p, *dest, items, is_move, &abilities).await;
                if matches!(p.op, Op::Copy { .. }) && p.attempts > 0 {
                    // The retry looked into the destination folder.
                    selected = None;
                }
                // `transfer` finishes the operation itself.
                match result {
                    Ok(()) => {
                        applied += 1;
                        continue;
                    }
                    other => other,
                }
            }
        };
        match outcome {
            Ok(()) => store.run(move |s| s.finish_op(id)).await?,
            // Refused (a read-only folder, say): retrying would block the
            // queue for ever; the next sync shows the server's truth.
            Err(Error::ServerRefused { detail, .. }) => {
                drop_op(store, &p, &detail).await?;
                continue;
            }
            Err(e) => return Err(e),
        }
        applied += 1;
    }
    Ok(applied)
}

async fn drop_op(store: &Shared, p: &Pending, reason: &str) -> Result<()> {
    tracing::warn!(folder = %p.remote_name, %reason, op = ?p.op, "dropping queued change");
    let id = p.id;
    store.run(move |s| s.finish_op(id)).await
}

fn known_uids(items: &[Item]) -> Vec<u32> {
    items.iter().filter_map(|i| i.uid).collect()
}

async fn set_flags<T: Stream>(
    session: &mut Session<T>,
    uids: &[u32],
    flag: Flags,
    on: bool,
) -> Result<()> {
    let query = format!(
        "{}FLAGS.SILENT ({})",
        if on { '+' } else { '-' },
        flag_names(flag).join(" ")
    );
    let _: Vec<Fetch> = session
        .uid_store(uid_set(uids), query)
        .await
        .map_err(imap_err("UID STORE"))?
        .try_collect()
        .await
        .map_err(imap_err("UID STORE"))?;
    Ok(())
}

/// Mark deleted and expunge exactly these UIDs (all \Deleted mail of the
/// folder where the server lacks UIDPLUS, as other clients do too).
async fn expunge<T: Stream>(
    session: &mut Session<T>,
    uids: &[u32],
    abilities: &Abilities,
) -> Result<()> {
    set_flags(session, uids, Flags::DELETED, true).await?;
    if abilities.uidplus {
        let _: Vec<u32> = session
            .uid_expunge(uid_set(uids))
            .await
            .map_err(imap_err("UID EXPUNGE"))?
            .try_collect()
            .await
            .map_err(imap_err("UID EXPUNGE"))?;
    } else {
        let _: Vec<u32> = session
            .expunge()
            .await
            .map_err(imap_err("EXPUNGE"))?
            .try_collect()
            .await
            .map_err(imap_err("EXPUNGE"))?;
    }
    Ok(())
}

/// Move or copy the known UIDs of `items` to `dest`, then give the local
/// rows the UIDs the server reported (which also finishes the operation).
async fn transfer<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    p: &Pending,
    dest: FolderId,
    items: &[Item],
    is_move: bool,
    abilities: &Abilities,
) -> Result<()> {
    let id = p.id;
    let Some(dest_name) = store.run(move |s| s.remote_name(dest)).await? else {
        return Err(Error::ServerRefused {
            context: "UID MOVE",
            detail: "destination folder no longer exists".into(),
        });
    };
    let mut items: Vec<Item> = items.iter().filter(|i| i.uid.is_some()).copied().collect();
    let mut placed: Vec<(MessageId, u32)> = Vec::new();
    let mut validity = None;
    if !is_move && p.attempts > 0 {
        // An earlier try may have copied some already: copying those
        // again would leave the user with duplicates.
        let (done, dest_validity) = already_in(session, store, &dest_name, &items).await?;
        validity = dest_validity;
        items.retain(|i| !done.iter().any(|(m, _)| *m == i.message));
        placed = done;
        session
            .select(&p.remote_name)
            .await
            .map_err(imap_err("SELECT"))?;
    }
    if !items.is_empty() {
        store.run(move |s| s.note_attempt(id)).await?;
        let uids = known_uids(&items);
        let set = uid_set(&uids);
        let name = command::quote(&dest_name)?;
        let copied = if is_move && abilities.moves {
            command::run_for_copyuid(session, &format!("UID MOVE {set} {name}"), "UID MOVE").await?
        } else {
            let copied =
                command::run_for_copyuid(session, &format!("UID COPY {set} {name}"), "UID COPY")
                    .await?;
            if is_move {
                expunge(session, &uids, abilities).await?;
            }
            copied
        };
        if let Some(CopyUid { uidvalidity, pairs }) = copied {
            validity = Some(uidvalidity);
            for (from, to) in pairs {
                if let Some(item) = items.iter().find(|i| i.uid == Some(from)) {
                    placed.push((item.message, to));
                }
            }
        }
    }
    match validity {
        Some(v) => {
            store
                .run(move |s| s.resolve_copies(id, dest, v, &placed))
                .await
        }
        // No UIDPLUS: the next sync of `dest` finds the messages by their
        // Message-ID and gives the waiting rows their UIDs.
        None => store.run(move |s| s.finish_op(id)).await,
    }
}

/// Upload `messages` (moved or copied in from another account) into the
/// operation's folder, which is selected, under `validity`. A retry first
/// looks for each by Message-ID, as an earlier try may have stored it.
/// Rows get the UIDs the server reports (which finishes the operation);
/// without APPENDUID the folder's next sync matches them by Message-ID.
async fn upload<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    p: &Pending,
    messages: &[MessageId],
    validity: Option<u32>,
) -> Result<()> {
    let (id, folder) = (p.id, p.folder);
    let mut placed: Vec<(MessageId, u32)> = Vec::new();
    let mut attempted = false;
    for &message in messages {
        let Some(upload) = store.run(move |s| s.upload(message, folder)).await? else {
            // Moved on or deleted meanwhile: nothing to upload here.
            continue;
        };
        if p.attempts > 0
            && let Some(message_id) = &upload.message_id
            && let Some(uid) = uid_by_message_id(session, message_id).await?
        {
            placed.push((message, uid));
            continue;
        }
        if !attempted {
            store.run(move |s| s.note_attempt(id)).await?;
            attempted = true;
        }
        let flags = flag_names(upload.flags.with(Flags::DELETED, false));
        match command::append(session, &p.remote_name, &flags, &upload.raw).await? {
            Some(given) if Some(given.uidvalidity) == validity => placed.push((message, given.uid)),
            _ if upload.message_id.is_none() => {
                store
                    .run(move |s| s.uploaded_unmatchable(message, folder))
                    .await?;
            }
            // Found by its Message-ID at the folder's next sync.
            _ => {}
        }
    }
    match validity {
        Some(v) if !placed.is_empty() => {
            store
                .run(move |s| s.resolve_copies(id, folder, v, &placed))
                .await
        }
        _ => store.run(move |s| s.finish_op(id)).await,
    }
}

/// Which of `items` (copy rows) already exist in `dest_name`, found by
/// Message-ID, with their UIDs there; and the folder's UIDVALIDITY.
async fn already_in<T: Stream>(
    session: &mut Session<T>,
    store: &Shared,
    dest_name: &str,
    items: &[Item],
) -> Result<(Vec<(MessageId, u32)>, Option<u32>)> {
    let mailbox = session
        .examine(dest_name)
        .await
        .map_err(imap_err("EXAMINE"))?;
    let mut found = Vec::new();
    for item in items {
        let message = item.message;
        let Some(message_id) = store.run(move |s| s.message_id_header(message)).await? else {
            continue;
        };
        if let Some(uid) = uid_by_message_id(session, &message_id).await? {
            found.push((message, uid));
        }
    }
    Ok((found, mailbox.uid_validity))
}

/// The UID of the newest message with this Message-ID in the selected
/// folder, if any.
async fn uid_by_message_id<T: Stream>(
    session: &mut Session<T>,
    message_id: &str,
) -> Result<Option<u32>> {
    let query = format!("HEADER Message-ID {}", command::quote(message_id)?);
    let uids = session
        .uid_search(query)
        .await
        .map_err(imap_err("UID SEARCH"))?;
    Ok(uids.into_iter().max())
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

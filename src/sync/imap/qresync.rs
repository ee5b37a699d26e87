//! Quick resync (RFC 7162 QRESYNC): with the folder's last HIGHESTMODSEQ,
//! one command returns the flags changed since and the UIDs expunged
//! since (`VANISHED (EARLIER)`), so a sync never lists every UID of a
//! large folder to find the few that went away.

use super::{Session, Stream, flags_from_names};
use crate::error::Result;
use crate::imap::command;
use crate::model::Flags;
use async_imap::imap_proto::{AttributeValue, Response};

/// What changed in a folder since a modification sequence.
#[derive(Debug, Default)]
pub struct Changes {
    /// UIDs with their flags now.
    pub flags: Vec<(u32, Flags)>,
    /// UIDs (up to the highest one asked about) no longer in the folder.
    pub vanished: Vec<u32>,
}

/// `UID FETCH 1:max_uid (UID FLAGS) (CHANGEDSINCE since VANISHED)`.
/// Needs `ENABLE QRESYNC` on the session. Read through async-imap's
/// parser directly, as its FETCH stream drops VANISHED responses.
pub async fn changes_since<T: Stream>(
    session: &mut Session<T>,
    max_uid: u32,
    since: u64,
) -> Result<Changes> {
    let mut changes = Changes::default();
    let command = format!("UID FETCH 1:{max_uid} (UID FLAGS) (CHANGEDSINCE {since} VANISHED)");
    command::run(session, &command, "UID FETCH (VANISHED)", |response| {
        match response {
            Response::Vanished { uids, .. } => {
                for range in uids {
                    // Bounded by what we asked about, whatever was sent.
                    let end = (*range.end()).min(max_uid);
                    changes.vanished.extend(*range.start()..=end);
                }
            }
            Response::Fetch(_, attributes) => {
                let mut uid = None;
                let mut flags = Flags::default();
                for attribute in attributes {
                    match attribute {
                        AttributeValue::Uid(u) => uid = Some(*u),
                        AttributeValue::Flags(names) => {
                            flags = flags_from_names(names.iter().map(|n| n.as_ref()));
                        }
                        _ => {}
                    }
                }
                if let Some(uid) = uid {
                    changes.flags.push((uid, flags));
                }
            }
            _ => {}
        }
    })
    .await?;
    Ok(changes)
}

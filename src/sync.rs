//! Joining servers and the store: a sync run reads the server and commits
//! what it learns in batches, so the window fills while it runs.

pub mod backoff;
pub mod bodies;
pub mod checker;
pub mod idle;
pub mod imap;
pub mod index;
mod pipeline;
pub mod pop3;
pub mod status;
pub mod worker;

/// Where a sync run stands, for the status line and the CLI.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    /// The folder being synced (display name) and its place in the run.
    pub folder: String,
    pub folder_index: usize,
    pub folder_count: usize,
    /// Headers committed so far in this folder, of how many new ones.
    pub fetched: usize,
    pub to_fetch: usize,
    /// What `fetched`/`to_fetch` count.
    pub stage: Stage,
    /// Bytes downloaded so far, of how many (POP3 downloads).
    pub bytes: u64,
    pub total_bytes: u64,
}

/// The parts of a sync run, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stage {
    /// New messages' headers: the message list.
    #[default]
    Headers,
    /// Whole messages, for accounts kept for offline use.
    Bodies,
    /// New mail of a POP3 account (`bytes`/`total_bytes` count too).
    Download,
    /// Full-text rows of the new messages (`folder` is empty: the whole
    /// store's backlog).
    Indexing,
}

/// What a finished sync run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub folders: usize,
    pub new_messages: usize,
    pub flag_changes: usize,
    /// Flag responses read from the server: with CONDSTORE only those of
    /// messages changed since the last sync.
    pub flags_checked: usize,
    pub removed: usize,
    /// Folders the server would not open this time (tried again next).
    pub skipped: usize,
    /// Bodies downloaded for offline use (accounts that keep them).
    pub bodies: usize,
}

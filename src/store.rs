//! The local SQLite store: accounts, folders, messages, bodies, the outbox
//! and the queue of pending server operations.
//!
//! A [`Store`] owns one connection and is used from one thread at a time;
//! the service runs it on a blocking thread, never on the UI executor.

pub mod account_edit;
pub mod accounts;
pub mod actions;
pub mod bodies;
pub mod contacts;
pub mod drafts;
pub mod folders;
pub mod list;
pub mod messages;
pub mod migrations;
pub mod ops;
pub mod outbox;
pub mod pop3;
pub mod remap;
pub mod remote;
pub mod search;
pub mod search_index;
pub mod server_folders;
pub mod thread;
pub mod uploads;

use crate::error::{Error, Result};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Open (creating if needed) the store at `path`, check it and bring
    /// its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        }
        let conn = Connection::open(path)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure()?;
        store.quick_check()?;
        migrations::migrate(&mut store.conn)?;
        Ok(store)
    }

    fn configure(&self) -> Result<()> {
        // A rollback journal, not WAL: most of what a store takes in is new
        // mail, appended in new pages, which a rollback journal writes once
        // while WAL writes it twice (into the WAL, then into the file at a
        // checkpoint, each with an fsync). Measured on a POP3 download of
        // 727 MB: 4.3 s with WAL, 3.0 s without (README, Performance). WAL's
        // gain, readers that never wait for a writer, is small here: one
        // process uses one connection, and readers in another process wait
        // at most for a commit (busy timeout below). TRUNCATE empties the
        // journal instead of deleting it, one metadata change less a commit.
        let mode = self
            .conn
            .query_row("PRAGMA journal_mode = TRUNCATE", [], |row| {
                row.get::<_, String>(0)
            });
        if !matches!(&mode, Ok(mode) if mode == "truncate") {
            // A store left in WAL mode by an earlier version stays so while
            // another process has it open; FULL keeps it as durable.
            tracing::info!(?mode, "store journal mode unchanged (in use elsewhere)");
        }
        // FULL: a commit is on disk when it returns, so whatever a server is
        // told to delete afterwards (POP3 DELE, IMAP EXPUNGE) is already
        // safe here, power cut included.
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // Statement journals (every insert with a trigger writes one) and
        // sort scratch in memory, not in temp files: a sync's batches
        // otherwise spend more on these writes than on the data.
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        self.conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(())
    }

    /// A cheap consistency check at start-up, so damage is reported
    /// plainly instead of surfacing later as odd query errors.
    fn quick_check(&self) -> Result<()> {
        let result: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |row| row.get(0))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(Error::Corrupt {
                path: self.path.clone(),
                detail: result,
            })
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// Seconds since the epoch, for created/received timestamps.
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Lock a shared store. A panic elsewhere while holding the lock leaves the
/// connection intact (SQLite rolled back any open transaction when its
/// guard dropped), so a poisoned lock is still safe to use.
pub fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A store shared between the window, the CLI and sync workers. Work runs
/// on tokio's blocking pool, never on the caller's executor thread.
#[derive(Clone)]
pub struct Shared(Arc<Mutex<Store>>, Arc<tokio::sync::Mutex<()>>);

impl Shared {
    pub fn new(store: Store) -> Self {
        Shared(Arc::new(Mutex::new(store)), Default::default())
    }

    /// Held while queued server operations are sent: two senders at once
    /// (a live connection and a one-off sync) could read the same queue
    /// and apply a copy twice.
    pub async fn sending(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.1.lock().await
    }

    /// Run `work` against the store on the blocking pool.
    pub async fn run<R, F>(&self, work: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Store) -> Result<R> + Send + 'static,
    {
        let shared = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || work(&mut lock(&shared)))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
    }

    /// The lock itself, for work that already runs on a blocking thread
    /// and takes it per batch (imports).
    pub fn mutex(&self) -> &Mutex<Store> {
        &self.0
    }
}

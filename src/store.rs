//! The local SQLite store: accounts, folders, messages, bodies, the outbox
//! and the queue of pending server operations.
//!
//! A [`Store`] owns one connection and is used from one thread at a time;
//! the service runs it on a blocking thread, never on the UI executor.

pub mod accounts;
pub mod actions;
pub mod bodies;
pub mod drafts;
pub mod folders;
pub mod messages;
pub mod migrations;
pub mod ops;
pub mod outbox;
pub mod pop3;
pub mod remap;
pub mod remote;
pub mod search_index;
pub mod server_folders;
pub mod uploads;

use crate::error::{Error, Result};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// WAL size (4 kB pages) that triggers an automatic checkpoint.
const WAL_PAGES: i64 = 10_000;

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
        // WAL lets readers proceed during a sync's writes. NORMAL is safe
        // against app crashes; code that authorises a server-side delete
        // calls `durable_checkpoint` first (power-loss safety).
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // Statement journals (every insert with a trigger writes one) and
        // sort scratch in memory, not in temp files: a sync's batches
        // otherwise spend more on these writes than on the data.
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Checkpoints (each with an fsync) once the WAL holds 40 MB rather
        // than SQLite's 4 MB: a sync writes that much in a second, and each
        // checkpoint cost it as much as a batch of inserts. The run ends
        // with one (`checkpoint`), and the file is cut back to 64 MB.
        self.conn
            .pragma_update(None, "wal_autocheckpoint", WAL_PAGES)?;
        self.conn
            .pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
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

    /// Copy the WAL back into the main file without waiting for readers or
    /// writers (what is in use now is copied next time). For the end of
    /// a sync run, so the large WAL a run leaves does not linger.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Flush the WAL into the main file with a full sync: after this,
    /// committed data survives power loss too.
    pub fn durable_checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(FULL)", [], |_| Ok(()))?;
        Ok(())
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

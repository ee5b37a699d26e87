//! What the live connections publish: a status per account and a stream
//! of [`Event`]s the window listens to.

use super::Progress;
use crate::error::ErrorKind;
use crate::model::{AccountId, FolderId};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::broadcast;

/// How an online account learns about new mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushMode {
    /// The server tells us at once (IMAP IDLE).
    Idle,
    /// We ask every [`LiveConfig::poll_interval`](super::worker::LiveConfig::poll_interval).
    Polling,
}

/// What an account's connection is doing, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountStatus {
    /// No live connection (never started, stopped, or offline mode).
    Offline,
    Connecting,
    /// A full sync runs.
    Syncing(Progress),
    /// Logged in and waiting for changes.
    Online {
        push: PushMode,
    },
    /// The last attempt failed. With `retry_in` the worker tries again by
    /// itself after that long; without, it has stopped (a wrong or missing
    /// password, a certificate to confirm) until the user acts.
    Error {
        kind: ErrorKind,
        detail: String,
        retry_in: Option<Duration>,
        /// The server's certificate, when refusing it is why: what the
        /// window shows the user to decide on.
        certificate: Option<Box<crate::net::tls::RejectedCertificate>>,
    },
}

/// What the live connections tell the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Status {
        account: AccountId,
        status: AccountStatus,
    },
    /// `count` new messages were stored in `folder`, the account's INBOX.
    NewMail {
        account: AccountId,
        folder: FolderId,
        count: usize,
    },
    /// The worker changed the account's mail in the store: lists showing
    /// it should be reloaded.
    Changed { account: AccountId },
}

/// Every account's current status and the channel its changes go out on.
pub struct Board {
    events: broadcast::Sender<Event>,
    statuses: Mutex<HashMap<AccountId, AccountStatus>>,
}

/// Events buffered per receiver. A receiver that falls further behind
/// gets `Lagged` and should reload everything.
const EVENT_BUFFER: usize = 256;

impl Default for Board {
    fn default() -> Self {
        Self {
            events: broadcast::channel(EVENT_BUFFER).0,
            statuses: Mutex::default(),
        }
    }
}

impl Board {
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    pub fn status(&self, account: AccountId) -> AccountStatus {
        self.statuses()
            .get(&account)
            .cloned()
            .unwrap_or(AccountStatus::Offline)
    }

    /// Record `status` and announce it if it differs from the last one.
    pub fn set_status(&self, account: AccountId, status: AccountStatus) {
        let mut statuses = self.statuses();
        if statuses.get(&account) == Some(&status) {
            return;
        }
        statuses.insert(account, status.clone());
        // Sent under the lock, so receivers see statuses in the order
        // they were recorded. No receiver is not an error.
        let _ = self.events.send(Event::Status { account, status });
    }

    pub fn send(&self, event: Event) {
        let _ = self.events.send(event);
    }

    fn statuses(&self) -> std::sync::MutexGuard<'_, HashMap<AccountId, AccountStatus>> {
        self.statuses.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

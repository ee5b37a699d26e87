//! Live connections: one worker per IMAP account that stays logged in,
//! pushes local changes and brings in new mail as it arrives
//! (see `sync::worker`), plus the offline switch.

use super::{Inner, Service};
use crate::account::Protocol;
use crate::error::{Error, Result};
use crate::model::AccountId;
use crate::sync::status::{AccountStatus, Board, Event};
use crate::sync::worker::{Control, LiveConfig, Worker};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

/// The service's live state (a field of its `Inner`).
#[derive(Default)]
pub(super) struct Live {
    board: Arc<Board>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    offline: bool,
    config: LiveConfig,
    /// Accounts asked to be live. Kept while offline, so that going
    /// online again restarts them.
    wanted: HashSet<AccountId>,
    workers: HashMap<AccountId, Running>,
}

struct Running {
    control: Arc<Control>,
    task: JoinHandle<()>,
}

impl Running {
    fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

impl Drop for Live {
    /// The last `Service` handle is gone: workers log out and end (they
    /// hold no strong reference to the service, so this does run).
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        for running in state.workers.values() {
            running.control.stop();
        }
    }
}

impl Live {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Service {
    fn live(&self) -> &Live {
        &self.inner.live
    }

    /// Status changes, new mail and store changes from the live
    /// connections. A receiver that lags behind gets `Lagged`: reload.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.live().board.subscribe()
    }

    /// What `account`'s live connection is doing ([`AccountStatus::Offline`]
    /// if it has none).
    pub fn status(&self, account: AccountId) -> AccountStatus {
        self.live().board.status(account)
    }

    /// Timing for workers started from now on.
    pub fn set_live_config(&self, config: LiveConfig) {
        self.live().state().config = config;
    }

    pub fn live_config(&self) -> LiveConfig {
        self.live().state().config
    }

    pub fn is_offline(&self) -> bool {
        self.live().state().offline
    }

    /// Keep `account` (IMAP only) connected: start its worker unless one
    /// runs. In offline mode it is only remembered, and starts when the
    /// service goes online. A worker that stopped on an error (e.g. a
    /// wrong password) is started afresh.
    pub async fn go_online(&self, account: AccountId) -> Result<()> {
        let settings = self.account_settings(account).await?;
        if !settings
            .incoming
            .is_some_and(|s| s.protocol == Protocol::Imap)
        {
            return Err(Error::InvalidSettings("incoming server"));
        }
        let mut state = self.live().state();
        state.wanted.insert(account);
        if state.offline {
            self.live()
                .board
                .set_status(account, AccountStatus::Offline);
        } else if !state.workers.get(&account).is_some_and(Running::is_running) {
            self.spawn_worker(&mut state, account);
        }
        Ok(())
    }

    /// Sync all of `account` now: its worker does it over its connection
    /// (cutting a reconnection wait short); without a worker one starts,
    /// which syncs first thing. Nothing happens in offline mode.
    pub async fn sync_now(&self, account: AccountId) -> Result<()> {
        {
            let state = self.live().state();
            if state.offline {
                return Ok(());
            }
            if let Some(running) = state.workers.get(&account).filter(|r| r.is_running()) {
                running.control.sync_now();
                return Ok(());
            }
        }
        self.go_online(account).await
    }

    /// Offline: every worker logs out and ends, and none starts until
    /// `set_offline(false)`, which restarts those that were wanted. Local
    /// changes made meanwhile stay queued.
    pub async fn set_offline(&self, offline: bool) {
        if !offline {
            let mut state = self.live().state();
            state.offline = false;
            let wanted: Vec<AccountId> = state.wanted.iter().copied().collect();
            for account in wanted {
                if !state.workers.get(&account).is_some_and(Running::is_running) {
                    self.spawn_worker(&mut state, account);
                }
            }
            return;
        }
        let (stopped, wanted) = {
            let mut state = self.live().state();
            state.offline = true;
            let stopped: Vec<_> = state.workers.drain().map(|(_, r)| r).collect();
            (stopped, state.wanted.clone())
        };
        self.end(stopped).await;
        for account in wanted {
            self.live()
                .board
                .set_status(account, AccountStatus::Offline);
        }
    }

    /// Stop `account`'s worker and forget it was wanted (account removal).
    pub async fn stop(&self, account: AccountId) {
        let running = {
            let mut state = self.live().state();
            state.wanted.remove(&account);
            state.workers.remove(&account)
        };
        self.end(running.into_iter().collect()).await;
        self.live()
            .board
            .set_status(account, AccountStatus::Offline);
    }

    /// For `push_changes`: true if `account`'s queued changes are not to
    /// be sent on a connection of their own, because its worker sends them
    /// (it is nudged here) or because the service is offline.
    pub(super) fn leave_changes_to_worker(&self, account: AccountId) -> bool {
        let state = self.live().state();
        if state.offline {
            return true;
        }
        match state.workers.get(&account).filter(|r| r.is_running()) {
            Some(running) => {
                running.control.nudge();
                true
            }
            None => false,
        }
    }

    fn spawn_worker(&self, state: &mut State, account: AccountId) {
        let control = Arc::new(Control::default());
        // Weak: a worker must not keep the service alive (see Live's Drop).
        let service: Weak<Inner> = Arc::downgrade(&self.inner);
        let connect = move || {
            let service = service.clone();
            async move {
                let inner = service
                    .upgrade()
                    .ok_or_else(|| Error::Internal("the service was closed".into()))?;
                Service { inner }.imap_session(account).await
            }
        };
        let worker = Worker {
            account,
            store: self.inner.store.clone(),
            config: state.config,
            control: control.clone(),
            board: self.live().board.clone(),
            connect,
        };
        self.live()
            .board
            .set_status(account, AccountStatus::Connecting);
        let task = tokio::spawn(worker.run());
        state.workers.insert(account, Running { control, task });
    }

    /// Stop workers and wait until they logged out. Their LOGOUT is
    /// bounded by the liveness timeout; a worker still not done after
    /// twice that is aborted.
    async fn end(&self, workers: Vec<Running>) {
        for running in &workers {
            running.control.stop();
        }
        let patience = self.live_config().liveness_timeout * 2;
        for running in workers {
            let abort = running.task.abort_handle();
            if tokio::time::timeout(patience, running.task).await.is_err() {
                abort.abort();
            }
        }
    }
}

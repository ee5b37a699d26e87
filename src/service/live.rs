//! Live connections: one worker per IMAP account that stays logged in,
//! pushes local changes and brings in new mail as it arrives
//! (see `sync::worker`), a second one watching the folder on screen when
//! that is not an Inbox, plus the offline switch.

use super::{Inner, Service};
use crate::account::Protocol;
use crate::error::{Error, Result};
use crate::model::{AccountId, FolderId, Role};
use crate::sync::checker::Checker;
use crate::sync::status::{AccountStatus, Board, Event, PushMode};
use crate::sync::worker::{Control, LiveConfig, Target, Worker};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;
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
    /// The wanted accounts that are POP3 (checked, not kept connected).
    pop3: HashSet<AccountId>,
    /// The folder on screen (remembered while offline, to watch it again).
    on_screen: Option<FolderId>,
    /// The second connection watching it, when it has one.
    watch: Option<Watch>,
}

struct Watch {
    account: AccountId,
    folder: FolderId,
    running: Running,
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
        if let Some(watch) = &state.watch {
            watch.running.control.stop();
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

    /// Keep `account` live: an IMAP account stays connected, a POP3
    /// account is checked for mail now and every poll interval. Starts its
    /// worker unless one runs. In offline mode it is only remembered, and
    /// starts when the service goes online. A worker that stopped on an
    /// error (e.g. a wrong password) is started afresh.
    pub async fn go_online(&self, account: AccountId) -> Result<()> {
        let settings = self.account_settings(account).await?;
        let protocol = settings
            .incoming
            .map(|s| s.protocol)
            .filter(|p| matches!(p, Protocol::Imap | Protocol::Pop3))
            .ok_or(Error::InvalidSettings("incoming server"))?;
        let on_screen = {
            let mut state = self.live().state();
            state.wanted.insert(account);
            if protocol == Protocol::Pop3 {
                state.pop3.insert(account);
            }
            if state.offline {
                self.live()
                    .board
                    .set_status(account, AccountStatus::Offline);
            } else if !state.workers.get(&account).is_some_and(Running::is_running) {
                self.spawn_worker(&mut state, account);
            }
            state.on_screen
        };
        // The folder on screen may be this account's.
        self.watch_folder(on_screen).await
    }

    /// The folder now on screen (`None`: none). If it belongs to a live IMAP
    /// account and is not its Inbox (which the account's own connection
    /// watches), a second connection IDLEs there, so changes made elsewhere
    /// show up as they happen; the previous folder's watch ends.
    pub async fn watch_folder(&self, folder: Option<FolderId>) -> Result<()> {
        let target = match folder {
            Some(folder) => self.watchable(folder).await?,
            None => None,
        };
        let replaced = {
            let mut state = self.live().state();
            state.on_screen = folder;
            let keep = state.watch.as_ref().is_some_and(|w| {
                Some(w.folder) == folder && w.running.is_running() && !state.offline
            });
            if keep {
                return Ok(());
            }
            let replaced = state.watch.take();
            if let Some((account, name)) = target.filter(|(a, _)| state.wanted.contains(a))
                && !state.offline
                && let Some(folder) = folder
            {
                let target = Target::Folder {
                    folder,
                    remote_name: name,
                };
                let running = self.spawn(&state, account, target);
                state.watch = Some(Watch {
                    account,
                    folder,
                    running,
                });
            }
            replaced
        };
        if let Some(old) = replaced {
            self.end(vec![old.running]).await;
        }
        Ok(())
    }

    /// The folder being watched over a second connection, if any.
    pub fn watched_folder(&self) -> Option<FolderId> {
        let state = self.live().state();
        state
            .watch
            .as_ref()
            .filter(|w| w.running.is_running())
            .map(|w| w.folder)
    }

    /// `folder`'s account and server name, if a second connection could
    /// watch it: a server folder of an IMAP account, other than the Inbox.
    async fn watchable(&self, folder: FolderId) -> Result<Option<(AccountId, String)>> {
        let found = self
            .with_store(move |s| Ok((s.folder(folder)?, s.remote_name(folder)?)))
            .await;
        let (folder, remote_name) = match found {
            Ok(found) => found,
            // Removed meanwhile: nothing to watch.
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        if folder.role == Some(Role::Inbox) {
            return Ok(None);
        }
        Ok(remote_name.map(|name| (folder.account_id, name)))
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
            let on_screen = {
                let mut state = self.live().state();
                state.offline = false;
                let wanted: Vec<AccountId> = state.wanted.iter().copied().collect();
                for account in wanted {
                    if !state.workers.get(&account).is_some_and(Running::is_running) {
                        self.spawn_worker(&mut state, account);
                    }
                }
                state.on_screen
            };
            if let Err(error) = self.watch_folder(on_screen).await {
                tracing::warn!(%error, "cannot watch the folder on screen");
            }
            return;
        }
        let (stopped, wanted) = {
            let mut state = self.live().state();
            state.offline = true;
            let mut stopped: Vec<_> = state.workers.drain().map(|(_, r)| r).collect();
            stopped.extend(state.watch.take().map(|w| w.running));
            (stopped, state.wanted.clone())
        };
        self.end(stopped).await;
        for account in wanted {
            self.live()
                .board
                .set_status(account, AccountStatus::Offline);
        }
    }

    /// Connect `account` again with its current settings (a new pin, say):
    /// its worker and any watch on its folder end and start afresh, the
    /// connections made under the old settings with them. Nothing happens
    /// to an account not asked to be live; in offline mode it stays
    /// offline.
    pub(super) async fn reconnect(&self, account: AccountId) -> Result<()> {
        let running = {
            let mut state = self.live().state();
            if !state.wanted.contains(&account) {
                return Ok(());
            }
            let mut running: Vec<_> = state.workers.remove(&account).into_iter().collect();
            if state.watch.as_ref().is_some_and(|w| w.account == account) {
                running.extend(state.watch.take().map(|w| w.running));
            }
            running
        };
        self.end(running).await;
        self.go_online(account).await
    }

    /// Stop `account`'s worker and forget it was wanted (account removal).
    pub async fn stop(&self, account: AccountId) {
        let running = {
            let mut state = self.live().state();
            state.wanted.remove(&account);
            state.pop3.remove(&account);
            let mut running: Vec<_> = state.workers.remove(&account).into_iter().collect();
            if state.watch.as_ref().is_some_and(|w| w.account == account) {
                running.extend(state.watch.take().map(|w| w.running));
            }
            running
        };
        self.end(running).await;
        self.live()
            .board
            .set_status(account, AccountStatus::Offline);
    }

    /// How often `account` is checked for mail when its server cannot push
    /// it (`None`: every [`LiveConfig::poll_interval`]).
    pub async fn check_interval(&self, account: AccountId) -> Result<Option<Duration>> {
        self.with_store(move |s| s.check_interval(account)).await
    }

    /// The minutes between `account`'s checks as a person reads them: its
    /// own interval or the default, rounded up.
    pub async fn check_minutes(&self, account: AccountId) -> Result<u64> {
        let every = self
            .check_interval(account)
            .await?
            .unwrap_or(self.live_config().poll_interval);
        Ok(every.as_secs().div_ceil(60).max(1))
    }

    /// Set that interval (from a second to a day; `None`: the default). An
    /// account polling now starts over: it checks at once, then keeps the
    /// new interval rather than finishing the old wait.
    pub async fn set_check_interval(
        &self,
        account: AccountId,
        every: Option<Duration>,
    ) -> Result<()> {
        self.with_store(move |s| s.set_check_interval(account, every))
            .await?;
        let polling = matches!(
            self.status(account),
            AccountStatus::Online {
                push: PushMode::Polling
            }
        );
        if polling {
            self.stop(account).await;
            self.go_online(account).await?;
        }
        Ok(())
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
        self.live()
            .board
            .set_status(account, AccountStatus::Connecting);
        let running = if state.pop3.contains(&account) {
            self.spawn_checker(state, account)
        } else {
            self.spawn(state, account, Target::Account)
        };
        state.workers.insert(account, running);
        // Mail written while the account was offline goes now.
        self.send_in_background(account);
    }

    /// The service as a worker holds it: weakly, so a worker never keeps
    /// it alive (see Live's Drop).
    fn weak(&self) -> Weak<Inner> {
        Arc::downgrade(&self.inner)
    }

    fn spawn_checker(&self, state: &State, account: AccountId) -> Running {
        let control = Arc::new(Control::default());
        let service = self.weak();
        let connect = move || {
            let service = service.clone();
            async move { upgrade(&service)?.pop3_client(account).await }
        };
        let checker = Checker {
            account,
            store: self.inner.store.clone(),
            config: state.config,
            control: control.clone(),
            board: self.live().board.clone(),
            connect,
        };
        let task = tokio::spawn(checker.run());
        Running { control, task }
    }

    fn spawn(&self, state: &State, account: AccountId, target: Target) -> Running {
        let control = Arc::new(Control::default());
        let service = self.weak();
        let connect = move || {
            let service = service.clone();
            async move { upgrade(&service)?.imap_session(account).await }
        };
        let worker = Worker {
            account,
            target,
            store: self.inner.store.clone(),
            config: state.config,
            control: control.clone(),
            board: self.live().board.clone(),
            connect,
        };
        let task = tokio::spawn(worker.run());
        Running { control, task }
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

/// The service a worker's weak handle points to, unless it was closed.
fn upgrade(service: &Weak<Inner>) -> Result<Service> {
    let inner = service
        .upgrade()
        .ok_or_else(|| Error::Internal("the service was closed".into()))?;
    Ok(Service { inner })
}

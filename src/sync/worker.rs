//! The live connection of one IMAP account: connect, catch up, then stay
//! logged in and react to the server (IDLE, else polling) and to local
//! changes, reconnecting on its own after network trouble.
//!
//! What the worker is doing is published on a [`Board`]. The same worker,
//! aimed at one folder ([`Target::Folder`]), is the second connection that
//! watches the folder on screen when that is not the Inbox: IDLE applies
//! to the selected mailbox only, and the account's own connection keeps
//! the Inbox selected for new-mail notifications.

use super::backoff::Backoff;
use super::idle::{self, IdleError, Wake};
use super::status::{AccountStatus, Board, Event, PushMode};
use super::{Progress, imap as sync_imap};
use crate::error::{Error, ErrorKind, Result};
use crate::imap::connect::{self, Session, Timeouts};
use crate::model::{AccountId, FolderId, Role};
use crate::store::Shared;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// Timing of live connections. The defaults suit real servers; tests
/// shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveConfig {
    /// IDLE is ended and re-issued after this long. 25 minutes: RFC 2177
    /// lets servers log out a client idling 30 minutes and asks clients to
    /// re-issue at least every 29; the margin covers clock drift and slow
    /// links while costing one round trip per 25 minutes.
    pub idle_renew: Duration,
    /// Time between checks when the server has no IDLE (or it failed, or
    /// `force_polling`). 5 minutes: new mail shows up soon enough for
    /// most people while a server is asked only 12 times an hour.
    pub poll_interval: Duration,
    /// Bound on the small round trips that prove the connection alive
    /// (NOOP, IDLE, DONE, ID). 30 seconds: even a congested mobile link
    /// answers a NOOP well within that, and a dead connection is noticed
    /// in half a minute rather than at the next failed sync.
    pub liveness_timeout: Duration,
    /// Poll even if the server offers IDLE.
    pub force_polling: bool,
    /// First wait before reconnecting after a failure. 1 second: bridges a
    /// blip (Wi-Fi roaming, a server restart) almost unnoticed.
    pub backoff_base: Duration,
    /// Longest wait between reconnection attempts (the wait doubles up to
    /// this). 5 minutes: a server that stays down is asked 12 times an
    /// hour, and the user can always ask for "sync now".
    pub backoff_max: Duration,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            idle_renew: Duration::from_secs(25 * 60),
            poll_interval: Duration::from_secs(5 * 60),
            liveness_timeout: Duration::from_secs(30),
            force_polling: false,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(5 * 60),
        }
    }
}

/// How long to wait between checks of `account` when its server cannot
/// push mail: the account's own setting, else `config`'s. Read before
/// each wait, so a changed setting counts from the next one.
pub(super) async fn poll_interval(
    store: &Shared,
    account: AccountId,
    config: &LiveConfig,
) -> Duration {
    store
        .run(move |s| s.check_interval(account))
        .await
        .ok()
        .flatten()
        .unwrap_or(config.poll_interval)
}

/// How the service steers a running worker.
pub struct Control {
    wake: Notify,
    full_sync: AtomicBool,
    stop: watch::Sender<bool>,
}

impl Default for Control {
    fn default() -> Self {
        Self {
            wake: Notify::new(),
            full_sync: AtomicBool::new(false),
            stop: watch::channel(false).0,
        }
    }
}

impl Control {
    /// Local changes are queued: send them (and re-read the INBOX).
    pub fn nudge(&self) {
        // notify_one keeps a permit if the worker is busy, so a nudge
        // during a sync is not lost.
        self.wake.notify_one();
    }

    /// Sync the whole account now; also cuts a reconnection wait short.
    pub fn sync_now(&self) {
        self.full_sync.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Log out and end. Nothing is reported after this.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Whether a "sync now" is pending; clears it.
    pub(super) fn take_sync_request(&self) -> bool {
        self.full_sync.swap(false, Ordering::SeqCst)
    }

    pub fn is_stopping(&self) -> bool {
        *self.stop.borrow()
    }

    /// Resolves when the worker is to stop or act.
    pub(super) async fn interrupted(&self) -> Wake {
        let mut stop = self.stop.subscribe();
        tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => Wake::Stop,
            () = self.wake.notified() => Wake::Nudged,
        }
    }

    /// `work`, unless a stop comes first (then `None`; `work` is dropped
    /// mid-way and its connection with it).
    pub(super) async fn unless_stopped<T>(
        &self,
        work: impl Future<Output = Result<T>>,
    ) -> Result<Option<T>> {
        let mut stop = self.stop.subscribe();
        tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => Ok(None),
            result = work => result.map(Some),
        }
    }
}

/// Errors a retry cannot fix: the worker stops and waits for the user.
pub(super) fn is_permanent(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Authentication
            | ErrorKind::PasswordNeeded
            | ErrorKind::Certificate
            | ErrorKind::CertificateChanged
            | ErrorKind::InsecureServer
            | ErrorKind::InvalidSettings
            // The account was removed under the worker.
            | ErrorKind::NotFound
    )
}

/// What a worker keeps in step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The whole account: queued changes, every folder, then IDLE on the
    /// Inbox. Its state is the account's status.
    Account,
    /// One folder, re-read whenever the server reports a change there. It
    /// publishes no status (the account's connection does) and sends no
    /// queued changes.
    Folder {
        folder: FolderId,
        remote_name: String,
    },
}

/// One account's worker. `connect` opens a logged-in session.
pub struct Worker<C> {
    pub account: AccountId,
    pub target: Target,
    pub store: Shared,
    pub config: LiveConfig,
    pub control: Arc<Control>,
    pub board: Arc<Board>,
    pub connect: C,
}

/// How a connection ended without an error.
enum Ended {
    Stopped,
    /// The server refused IDLE; the session is spent.
    IdleRefused,
}

/// What a logged-in connection offers the worker.
#[derive(Debug, Clone, Copy)]
struct Offered {
    idle: bool,
    condstore: bool,
    /// ENABLE QRESYNC succeeded: folder syncs skip listing every UID.
    qresync: bool,
}

impl<C, F> Worker<C>
where
    C: Fn() -> F + Send + Sync,
    F: Future<Output = Result<Session>> + Send,
{
    /// Run until stopped or a permanent error.
    pub async fn run(self) {
        let mut backoff = Backoff::new(self.config.backoff_base, self.config.backoff_max);
        // Set once the server refused IDLE: poll for the rest of this run.
        let mut idle_refused = false;
        while !self.control.is_stopping() {
            self.report(AccountStatus::Connecting);
            let error = match self.connected(&mut backoff, idle_refused).await {
                Ok(Ended::Stopped) => return,
                Ok(Ended::IdleRefused) => {
                    // Not a failure of the connection: again at once.
                    idle_refused = true;
                    continue;
                }
                Err(e) => e,
            };
            let kind = error.kind();
            if is_permanent(kind) {
                tracing::warn!(account = %self.account, %error, "live connection stopped");
                self.report(AccountStatus::Error {
                    kind,
                    detail: error.to_string(),
                    retry_in: None,
                    certificate: error.rejected_certificate().cloned().map(Box::new),
                });
                return;
            }
            let delay = backoff.next_delay();
            tracing::info!(account = %self.account, %error, ?delay, "live connection lost; retrying");
            self.report(AccountStatus::Error {
                kind,
                detail: error.to_string(),
                retry_in: Some(delay),
                certificate: error.rejected_certificate().cloned().map(Box::new),
            });
            if !self.wait_to_retry(delay).await {
                return;
            }
        }
    }

    /// Report unless stopping: after a stop the service owns the status.
    /// A folder watch has none of its own.
    fn report(&self, status: AccountStatus) {
        if !self.control.is_stopping() && self.target == Target::Account {
            self.board.set_status(self.account, status);
        }
    }

    fn announce(&self, event: Event) {
        if !self.control.is_stopping() {
            self.board.send(event);
        }
    }

    /// Wait `delay` before reconnecting. A "sync now" ends the wait early;
    /// a nudge for local changes does not (they go out on reconnection).
    /// False if stopped.
    async fn wait_to_retry(&self, delay: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + delay;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => return true,
                wake = self.control.interrupted() => match wake {
                    Wake::Stop => return false,
                    _ if self.control.full_sync.load(Ordering::SeqCst) => return true,
                    _ => {}
                },
            }
        }
    }

    /// One connection from login to failure or stop.
    async fn connected(&self, backoff: &mut Backoff, idle_refused: bool) -> Result<Ended> {
        let Some(mut session) = self.control.unless_stopped((self.connect)()).await? else {
            return Ok(Ended::Stopped);
        };
        let Some(offered) = self
            .control
            .unless_stopped(self.prepare(&mut session))
            .await?
        else {
            return Ok(Ended::Stopped);
        };
        let first = async {
            match &self.target {
                Target::Account => self.full_sync(&mut session, offered).await,
                Target::Folder { .. } => self.sync_watched(&mut session, offered).await,
            }
        };
        if self.control.unless_stopped(first).await?.is_none() {
            return Ok(Ended::Stopped);
        }
        // Only a connection that got through a whole sync counts as good:
        // a server that accepts the login and then fails every time must
        // still see the waits grow.
        backoff.reset();
        loop {
            let push = if offered.idle && !idle_refused && !self.config.force_polling {
                PushMode::Idle
            } else {
                PushMode::Polling
            };
            self.report(AccountStatus::Online { push });
            let wake = match push {
                PushMode::Idle => {
                    let interrupt = self.control.interrupted();
                    let timeout = self.config.liveness_timeout;
                    match idle::idle(session, self.config.idle_renew, timeout, interrupt).await {
                        Ok((back, wake)) => {
                            session = back;
                            wake
                        }
                        Err(IdleError::Refused(text)) => {
                            tracing::warn!(account = %self.account, %text, "IDLE refused; polling instead");
                            return Ok(Ended::IdleRefused);
                        }
                        Err(IdleError::Failed(e)) => return Err(e),
                    }
                }
                PushMode::Polling => {
                    let every = poll_interval(&self.store, self.account, &self.config).await;
                    idle::poll(every, self.control.interrupted()).await
                }
            };
            if wake == Wake::Stop {
                self.log_out(session).await;
                return Ok(Ended::Stopped);
            }
            idle::check_alive(&mut session, self.config.liveness_timeout).await?;
            let work = async {
                if matches!(self.target, Target::Folder { .. }) {
                    self.sync_watched(&mut session, offered).await
                } else if self.control.full_sync.load(Ordering::SeqCst) {
                    self.full_sync(&mut session, offered).await
                } else {
                    self.sync_inbox(&mut session, offered, true).await?;
                    // A few new rows at most: quietly, without a status.
                    super::index::catch_up(&self.store, |_| {}).await.map(drop)
                }
            };
            if self.control.unless_stopped(work).await?.is_none() {
                return Ok(Ended::Stopped);
            }
        }
    }

    /// After login: the extensions sync uses, and who we are (ID, RFC 2971)
    /// so server admins can tell clients apart in their logs.
    async fn prepare(&self, session: &mut Session) -> Result<Offered> {
        let timeouts = Timeouts {
            command: self.config.liveness_timeout,
            ..Timeouts::default()
        };
        let enabled =
            connect::enable_extensions(session, &["CONDSTORE", "QRESYNC"], &timeouts).await?;
        let capabilities = tokio::time::timeout(timeouts.command, session.capabilities())
            .await
            .map_err(|_| Error::Network {
                context: "CAPABILITY",
                detail: "no answer".into(),
            })?
            .map_err(|e| Error::Network {
                context: "CAPABILITY",
                detail: e.to_string(),
            })?;
        if capabilities.has_str("ID") {
            let us = [
                ("name", Some("Poshta")),
                ("version", Some(env!("CARGO_PKG_VERSION"))),
            ];
            match tokio::time::timeout(timeouts.command, session.id(us)).await {
                Ok(Ok(_)) => {}
                // Only a courtesy: a refusal changes nothing, and a dead
                // connection shows at the next command.
                Ok(Err(error)) => tracing::debug!(%error, "ID failed"),
                Err(_) => {
                    return Err(Error::Network {
                        context: "ID",
                        detail: "no answer".into(),
                    });
                }
            }
        }
        Ok(Offered {
            idle: capabilities.has_str("IDLE"),
            condstore: capabilities.has_str("CONDSTORE"),
            qresync: enabled.has("QRESYNC"),
        })
    }

    /// Send queued changes and sync every folder, then download the
    /// bodies of an account kept for offline reading. The INBOX goes
    /// first on its own, so mail that arrived meanwhile is announced, and
    /// last, so it is the mailbox selected for IDLE (and what arrived
    /// during the run is announced too; with CONDSTORE that costs two
    /// round trips).
    async fn full_sync(&self, session: &mut Session, offered: Offered) -> Result<()> {
        self.control.full_sync.store(false, Ordering::SeqCst);
        self.report(AccountStatus::Syncing(Progress::default()));
        // Bodies wait until every folder's list is in.
        self.sync_inbox(session, offered, false).await?;
        sync_imap::sync_account_with(
            session,
            &self.store,
            self.account,
            offered.qresync,
            |progress| {
                self.report(AccountStatus::Syncing(progress.clone()));
            },
        )
        .await?;
        self.announce(Event::Changed {
            account: self.account,
        });
        if self.keeps_bodies().await? {
            let stored = super::bodies::download_account(session, &self.store, self.account, |p| {
                self.report(AccountStatus::Syncing(p.clone()));
            })
            .await?;
            if stored > 0 {
                self.announce(Event::Changed {
                    account: self.account,
                });
            }
        }
        self.sync_inbox(session, offered, true).await?;
        // The lists and bodies are all in; now what search needs.
        super::index::catch_up(&self.store, |progress| {
            self.report(AccountStatus::Syncing(progress.clone()));
        })
        .await
        .map(drop)
    }

    /// Send queued changes, then re-read the INBOX: new mail, flags
    /// changed elsewhere, expunges; with `bodies`, the new mail's bodies
    /// if the account keeps them. Leaves the INBOX selected for IDLE.
    async fn sync_inbox(
        &self,
        session: &mut Session,
        offered: Offered,
        bodies: bool,
    ) -> Result<()> {
        let replayed = sync_imap::replay(session, &self.store, self.account).await?;
        let Some((inbox, synced_before)) = self.inbox().await? else {
            // Not listed yet (first connection): the full sync finds it.
            return Ok(());
        };
        // INBOX is the one name every server understands in any case
        // (RFC 3501), and the only one the INBOX role is given for.
        let mode = sync_imap::Mode {
            condstore: offered.condstore,
            qresync: offered.qresync,
        };
        let summary =
            sync_imap::sync_folder_with(session, &self.store, inbox, "INBOX", mode, |_, _| {})
                .await?;
        if bodies {
            // Examined last, the INBOX stays selected for IDLE.
            self.new_bodies(session, &summary, inbox, "INBOX").await?;
        }
        // A first sync brings the whole mailbox, not news.
        if synced_before && summary.new_messages > 0 {
            self.announce(Event::NewMail {
                account: self.account,
                folder: inbox,
                count: summary.new_messages,
            });
        }
        if replayed + summary.new_messages + summary.flag_changes + summary.removed > 0 {
            self.announce(Event::Changed {
                account: self.account,
            });
        }
        Ok(())
    }

    /// Re-read the watched folder (leaving it selected for IDLE).
    async fn sync_watched(&self, session: &mut Session, offered: Offered) -> Result<()> {
        let Target::Folder {
            folder,
            remote_name,
        } = &self.target
        else {
            return Ok(());
        };
        let mode = sync_imap::Mode {
            condstore: offered.condstore,
            qresync: offered.qresync,
        };
        let summary = sync_imap::sync_folder_with(
            session,
            &self.store,
            *folder,
            remote_name,
            mode,
            |_, _| {},
        )
        .await?;
        self.new_bodies(session, &summary, *folder, remote_name)
            .await?;
        super::index::catch_up(&self.store, |_| {}).await?;
        if summary.new_messages + summary.flag_changes + summary.removed > 0 {
            self.announce(Event::Changed {
                account: self.account,
            });
        }
        Ok(())
    }

    /// Whether the account keeps every body for offline reading. Read at
    /// each sync, so a change counts from the next one.
    async fn keeps_bodies(&self) -> Result<bool> {
        let account = self.account;
        self.store.run(move |s| s.offline_bodies(account)).await
    }

    /// After `folder` was re-read: the bodies of the mail that just came,
    /// if the account keeps them. Quietly, like the check itself.
    async fn new_bodies(
        &self,
        session: &mut Session,
        synced: &super::Summary,
        folder: FolderId,
        remote_name: &str,
    ) -> Result<()> {
        if synced.new_messages == 0 || !self.keeps_bodies().await? {
            return Ok(());
        }
        super::bodies::download_folder(session, &self.store, folder, remote_name, |_, _| {})
            .await
            .map(drop)
    }

    /// The account's INBOX, and whether it was synced before.
    async fn inbox(&self) -> Result<Option<(FolderId, bool)>> {
        let account = self.account;
        self.store
            .run(move |s| match s.folder_by_role(account, Role::Inbox) {
                Ok(folder) => Ok(Some((
                    folder.id,
                    s.sync_state(folder.id)?.uidvalidity.is_some(),
                ))),
                Err(Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            })
            .await
    }

    /// LOGOUT, bounded: a dead connection must not hold up going offline.
    async fn log_out(&self, mut session: Session) {
        let bye = tokio::time::timeout(self.config.liveness_timeout, session.logout()).await;
        if !matches!(bye, Ok(Ok(()))) {
            tracing::debug!(account = %self.account, "LOGOUT unanswered");
        }
    }
}

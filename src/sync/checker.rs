//! The live side of a POP3 account: check for mail when it goes online,
//! when the user asks ("Get messages"), and every poll interval, with the
//! account's state and progress on the [`Board`] and news of new mail.
//! POP3 has nothing like IDLE, and a session locks the maildrop, so each
//! check is a connection of its own.

use super::backoff::Backoff;
use super::idle::{self, Wake};
use super::status::{AccountStatus, Board, Event, PushMode};
use super::worker::{Control, LiveConfig, is_permanent, poll_interval};
use super::{Progress, Summary};
use crate::error::Result;
use crate::model::{AccountId, Role};
use crate::pop3::Client;
use crate::store::Shared;
use std::future::Future;
use std::sync::Arc;

pub struct Checker<C> {
    pub account: AccountId,
    pub store: Shared,
    pub config: LiveConfig,
    pub control: Arc<Control>,
    pub board: Arc<Board>,
    /// Opens a logged-in connection.
    pub connect: C,
}

impl<C, F> Checker<C>
where
    C: Fn() -> F + Send + Sync,
    F: Future<Output = Result<Client>> + Send,
{
    /// Run until stopped or a permanent error (a refused password...).
    pub async fn run(self) {
        let mut backoff = Backoff::new(self.config.backoff_base, self.config.backoff_max);
        loop {
            self.report(AccountStatus::Connecting);
            let wait = match self.control.unless_stopped(self.check()).await {
                Ok(None) => return,
                Ok(Some((summary, first))) => {
                    backoff.reset();
                    self.announce_news(summary, first).await;
                    self.report(AccountStatus::Online {
                        push: PushMode::Polling,
                    });
                    poll_interval(&self.store, self.account, &self.config).await
                }
                Err(error) => {
                    let kind = error.kind();
                    let permanent = is_permanent(kind);
                    let delay = backoff.next_delay();
                    tracing::info!(account = %self.account, %error, "checking for mail failed");
                    self.report(AccountStatus::Error {
                        kind,
                        detail: error.to_string(),
                        retry_in: (!permanent).then_some(delay),
                        certificate: error.rejected_certificate().cloned().map(Box::new),
                    });
                    if permanent {
                        return;
                    }
                    delay
                }
            };
            if !self.wait(wait).await {
                return;
            }
        }
    }

    /// Wait `delay`, or until "get messages". A nudge about local changes
    /// does not count (POP3 has nothing to send). False once stopped.
    async fn wait(&self, delay: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + delay;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match idle::poll(left, self.control.interrupted()).await {
                Wake::Stop => return false,
                Wake::Timer | Wake::Server => return true,
                Wake::Nudged if self.control.take_sync_request() => return true,
                Wake::Nudged => {}
            }
        }
    }

    /// One check, and whether it was the account's first (which brings
    /// the whole mailbox, not news).
    async fn check(&self) -> Result<(Summary, bool)> {
        self.control.take_sync_request();
        let account = self.account;
        let first = self
            .store
            .run(move |s| Ok(!s.pop3_has_downloaded(account)?))
            .await?;
        let client = (self.connect)().await?;
        self.report(AccountStatus::Syncing(Progress::default()));
        let report = |progress: &Progress| self.report(AccountStatus::Syncing(progress.clone()));
        let summary = super::pop3::check_account(client, &self.store, account, report).await?;
        // The mail is in; now what search needs.
        super::index::catch_up(&self.store, report).await?;
        Ok((summary, first))
    }

    async fn announce_news(&self, summary: Summary, first: bool) {
        if summary.new_messages + summary.removed == 0 {
            return;
        }
        let account = self.account;
        self.announce(Event::Changed { account });
        if first || summary.new_messages == 0 {
            return;
        }
        if let Ok(inbox) = self
            .store
            .run(move |s| s.folder_by_role(account, Role::Inbox))
            .await
        {
            self.announce(Event::NewMail {
                account,
                folder: inbox.id,
                count: summary.new_messages,
            });
        }
    }

    fn report(&self, status: AccountStatus) {
        if !self.control.is_stopping() {
            self.board.set_status(self.account, status);
        }
    }

    fn announce(&self, event: Event) {
        if !self.control.is_stopping() {
            self.board.send(event);
        }
    }
}

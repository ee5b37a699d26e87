//! The mailbox screen following its accounts' live connections: the
//! status line and the tree show what each is doing, lists reload when a
//! connection changed mail, and new mail raises a notification.

use super::{Mailbox, Message, Status};
use crate::error::ErrorKind;
use crate::fl;
use crate::i18n;
use crate::model::{AccountId, FolderId};
use crate::sync::Stage;
use crate::sync::status::{AccountStatus, Event, PushMode};
use crate::ui::component::folder_tree;
use crate::ui::{UiError, live};
use iced::Task;

impl Mailbox {
    pub(super) fn live_event(&mut self, event: Event) -> Task<Message> {
        match event {
            Event::Status { account, status } => {
                let batch_committed = matches!(
                    &status,
                    AccountStatus::Syncing(p) if p.fetched > 0 && p.stage != Stage::Indexing
                );
                let follow = match &status {
                    AccountStatus::Connecting
                    | AccountStatus::Syncing(_)
                    | AccountStatus::Error { .. } => true,
                    // The end of what the status line was showing.
                    AccountStatus::Online { .. } | AccountStatus::Offline => matches!(
                        &self.status,
                        Status::Account(id, _) if *id == account
                    ),
                };
                self.tree.set_status(account, status.clone());
                let refused = match &status {
                    AccountStatus::Error {
                        certificate: Some(certificate),
                        ..
                    } => Some((**certificate).clone()),
                    _ => None,
                };
                if follow {
                    self.status = Status::Account(account, status);
                }
                if let Some(certificate) = refused {
                    return self.certificate_refused(account, certificate);
                }
                if batch_committed {
                    // The list fills as batches commit.
                    return Task::batch([self.refresh_list(), self.load_tree()]);
                }
                Task::none()
            }
            Event::Changed { .. } => Task::batch([self.refresh_list(), self.load_tree()]),
            Event::NewMail {
                account,
                folder,
                count,
            } => {
                let reload = Task::batch([self.refresh_list(), self.load_tree()]);
                if !live::should_notify(self.focused, self.list.folder(), folder) {
                    return reload;
                }
                let name = self.account_name(account);
                let summary = fl!("notify-new-mail-title", account = name.as_str());
                let body = fl!("notify-new-mail", count = count);
                Task::batch([reload, Task::future(live::notify(summary, body)).discard()])
            }
        }
    }

    /// Start (or wake) the account's live connection for a full sync.
    pub(super) fn start_sync(&mut self, account: AccountId) -> Task<Message> {
        self.status = Status::Account(account, AccountStatus::Connecting);
        let service = self.service.clone();
        Task::perform(async move { service.sync_now(account).await }, |r| {
            Message::SyncStarted(r.map_err(UiError::from))
        })
    }

    /// Tell the service which folder is on screen, so it can watch it
    /// over a second connection. Failing to is not the user's concern:
    /// the folder is still synced with its account.
    pub(super) fn watch(&self, folder: FolderId) -> Task<Message> {
        let service = self.service.clone();
        // All Inboxes is no folder to watch: Inboxes are watched anyway.
        let watched = (folder != FolderId::ALL_INBOXES).then_some(folder);
        Task::future(async move {
            if let Err(error) = service.watch_folder(watched).await {
                tracing::warn!(%error, %folder, "cannot watch the folder on screen");
            }
        })
        .discard()
    }

    pub(super) fn account_name(&self, account: AccountId) -> String {
        self.tree
            .account(account)
            .map(folder_tree::account_name)
            .unwrap_or_default()
    }

    /// Whether a sync of `account` is under way.
    pub(super) fn is_syncing(&self, account: AccountId) -> bool {
        matches!(
            self.tree.status(account),
            Some(AccountStatus::Connecting | AccountStatus::Syncing(_))
        )
    }

    /// The status line's words for an account's connection.
    pub(super) fn account_text(&self, account: AccountId, status: &AccountStatus) -> String {
        let name = self.account_name(account);
        let account = name.as_str();
        match status {
            AccountStatus::Connecting => fl!("sync-connecting", account = account),
            AccountStatus::Syncing(p) if p.stage == Stage::Indexing => fl!(
                "sync-indexing",
                account = account,
                done = p.fetched,
                total = p.to_fetch
            ),
            AccountStatus::Syncing(p) if p.stage == Stage::Download => fl!(
                "sync-downloading",
                account = account,
                fetched = p.fetched,
                total = p.to_fetch,
                done = megabytes(p.bytes),
                size = megabytes(p.total_bytes)
            ),
            AccountStatus::Syncing(p) if p.folder_count > 0 && p.stage == Stage::Bodies => {
                let index = p.folder_index + 1;
                fl!(
                    "sync-progress-bodies",
                    account = account,
                    folder = p.folder.as_str(),
                    index = index,
                    count = p.folder_count,
                    fetched = p.fetched,
                    total = p.to_fetch
                )
            }
            AccountStatus::Syncing(p) if p.folder_count > 0 => {
                let index = p.folder_index + 1;
                fl!(
                    "sync-progress",
                    account = account,
                    folder = p.folder.as_str(),
                    index = index,
                    count = p.folder_count,
                    fetched = p.fetched,
                    total = p.to_fetch
                )
            }
            AccountStatus::Syncing(_) => fl!("sync-connecting", account = account),
            AccountStatus::Online {
                push: PushMode::Idle,
            } => fl!("account-online", account = account),
            AccountStatus::Online {
                push: PushMode::Polling,
            } => fl!("account-polling", account = account),
            AccountStatus::Offline => fl!("account-offline", account = account),
            AccountStatus::Error {
                kind,
                retry_in: Some(wait),
                ..
            } => {
                let seconds = wait.as_secs().max(1);
                fl!(
                    "account-retry",
                    account = account,
                    reason = reason(*kind),
                    seconds = seconds
                )
            }
            AccountStatus::Error { kind, .. } => {
                fl!("account-error", account = account, reason = reason(*kind))
            }
        }
    }
}

fn reason(kind: ErrorKind) -> String {
    i18n::text(kind.message_id())
}

/// Bytes as megabytes with one decimal, for progress lines.
fn megabytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1_048_576.0)
}

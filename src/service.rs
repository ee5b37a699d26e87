//! The one door into Poshta's core. The GUI, the CLI and the tests all go
//! through this async API; store work runs on tokio's blocking pool, never
//! on the caller's executor thread.

use crate::account::{NewAccount, Protocol, Settings};
use crate::error::{Error, Result};
use crate::imap;
use crate::import::{self, Progress};
use crate::mime::{parse, render};
use crate::model::{
    Account, AccountId, Flags, Folder, FolderId, ListQuery, MessageId, MessageSummary, MessageView,
};
use crate::paths;
use crate::store::{Shared, Store};
use crate::sync;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod accounts;
mod actions;
mod attachments;
mod bodies;
mod folders;
mod live;
mod login;
mod passwords;
mod pins;
mod pop3;
mod search;
mod sending;
mod server_test;
mod setup;

pub use sending::SendReport;
pub use server_test::{ServerTest, test_servers};

#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

struct Inner {
    store: Shared,
    data_dir: PathBuf,
    /// Passwords given this session. Memory only: never written to disk
    /// (the OS keyring is their only persistent home).
    passwords: std::sync::Mutex<passwords::Passwords>,
    /// Per-account live connections and their status (see `live`).
    live: live::Live,
    /// Held while an outbox pass runs (see `sending`).
    sending: tokio::sync::Mutex<()>,
    /// Where account setup looks for settings (see `setup`).
    discovery: std::sync::Mutex<crate::account::discover::Settings>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("data_dir", &self.inner.data_dir)
            .finish()
    }
}

impl Service {
    /// Open the data directory (creating it and the store if needed).
    /// Blocking: call it before starting a UI, or through [`Service::load`].
    pub fn open(data_dir: &Path) -> Result<Service> {
        let mut store = Store::open(&paths::store_file(data_dir))?;
        // A send cut off by a crash may have gone out: never resent.
        store.recover_outbox()?;
        Ok(Service {
            inner: Arc::new(Inner {
                store: Shared::new(store),
                data_dir: data_dir.to_path_buf(),
                passwords: Default::default(),
                live: Default::default(),
                sending: Default::default(),
                discovery: std::sync::Mutex::new(crate::account::discover::Settings::from_env()),
            }),
        })
    }

    /// [`Service::open`] off the async executor.
    pub async fn load(data_dir: PathBuf) -> Result<Service> {
        blocking(move || Service::open(&data_dir)).await
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// Run `work` against the store on the blocking pool.
    async fn with_store<R, F>(&self, work: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Store) -> Result<R> + Send + 'static,
    {
        self.inner.store.run(work).await
    }

    pub async fn accounts(&self) -> Result<Vec<Account>> {
        self.with_store(|s| s.accounts()).await
    }

    pub async fn folders(&self) -> Result<Vec<Folder>> {
        self.with_store(|s| s.folders()).await
    }

    pub async fn folder(&self, id: FolderId) -> Result<Folder> {
        self.with_store(move |s| s.folder(id)).await
    }

    /// Rows `offset..offset+limit` of a folder in `query`'s order.
    pub async fn message_page(
        &self,
        folder: FolderId,
        query: ListQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<MessageSummary>> {
        self.with_store(move |s| s.message_page(folder, &query, offset, limit))
            .await
    }

    /// How many rows `message_page` has for `query`.
    pub async fn message_count(&self, folder: FolderId, query: ListQuery) -> Result<usize> {
        self.with_store(move |s| s.message_count(folder, &query))
            .await
    }

    /// Every message of `id`'s conversation across its account's
    /// folders, oldest first (see `Store::conversation`).
    pub async fn conversation(&self, id: MessageId) -> Result<Vec<MessageSummary>> {
        self.with_store(move |s| s.conversation(id)).await
    }

    /// A message for the reader: its headers, its rendered document (no
    /// remote content) and its readable text. A server
    /// message whose body is not here yet is fetched first and kept.
    pub async fn message(&self, id: MessageId) -> Result<MessageView> {
        let (summary, has_body) = self
            .with_store(move |s| Ok((s.message_summary(id)?, s.has_body(id)?)))
            .await?;
        if !has_body {
            self.fetch_body(id).await?;
        }
        let raw = self.raw_message(id).await?;
        blocking(move || {
            let parsed = parse::parse(&raw)?;
            let rendered = render::render(&raw)?;
            Ok(MessageView {
                summary,
                to: parsed.to,
                cc: parsed.cc,
                reply_to: parsed.reply_to,
                followup_to: parsed.followup_to,
                message_id: parsed.message_id,
                references: parsed.references,
                body: rendered.text.clone(),
                attachments: parsed.attachments,
                rendered,
            })
        })
        .await
    }

    /// A message's raw bytes as stored (its body must be here: see
    /// [`Service::message`], which fetches it).
    pub async fn raw_message(&self, id: MessageId) -> Result<Vec<u8>> {
        self.with_store(move |s| s.raw_message(id)).await
    }

    pub async fn set_read(&self, ids: Vec<MessageId>, read: bool) -> Result<usize> {
        self.set_flag(ids, Flags::SEEN, read).await
    }

    pub async fn set_flagged(&self, ids: Vec<MessageId>, flagged: bool) -> Result<usize> {
        self.set_flag(ids, Flags::FLAGGED, flagged).await
    }

    /// Mark messages answered (a reply to them was sent), here and on the
    /// server.
    pub async fn set_answered(&self, ids: Vec<MessageId>, answered: bool) -> Result<usize> {
        self.set_flag(ids, Flags::ANSWERED, answered).await
    }

    /// Mark messages forwarded (`$Forwarded` on an IMAP server).
    pub async fn set_forwarded(&self, ids: Vec<MessageId>, forwarded: bool) -> Result<usize> {
        self.set_flag(ids, Flags::FORWARDED, forwarded).await
    }

    /// Change a flag here at once (the store queues it for the server in
    /// the same commit), then tell the servers in the background.
    async fn set_flag(&self, ids: Vec<MessageId>, flag: Flags, on: bool) -> Result<usize> {
        let changed = self.with_store(move |s| s.set_flag(&ids, flag, on)).await?;
        self.changed_locally();
        Ok(changed)
    }

    /// Something was queued for a server: try to send it now, in the
    /// background. Failure leaves it queued for the next sync or change.
    fn changed_locally(&self) {
        let service = self.clone();
        tokio::spawn(async move {
            if let Err(error) = service.push_changes().await {
                tracing::info!(%error, "queued changes stay queued");
            }
        });
    }

    /// Send queued changes of every account whose password is known. A
    /// live account's worker sends them on its own connection instead,
    /// and in offline mode they stay queued.
    pub async fn push_changes(&self) -> Result<usize> {
        let accounts = self.with_store(|s| s.accounts_with_pending_ops()).await?;
        let mut applied = 0;
        for account in accounts {
            if self.leave_changes_to_worker(account) || !self.recall_password(account).await? {
                continue;
            }
            let mut session = self.imap_session(account).await?;
            applied += sync::imap::replay(&mut session, &self.inner.store, account).await?;
            let _ = session.logout().await;
        }
        Ok(applied)
    }

    /// Import an `.eml` or mbox file into `folder`, reporting progress
    /// after every committed batch.
    pub async fn import(
        &self,
        path: PathBuf,
        folder: FolderId,
        on_progress: impl FnMut(&Progress) + Send + 'static,
    ) -> Result<Progress> {
        let store = self.inner.store.clone();
        blocking(move || import::import_file(store.mutex(), folder, &path, on_progress)).await
    }

    pub async fn add_account(&self, new: NewAccount) -> Result<AccountId> {
        self.with_store(move |s| s.add_account(&new)).await
    }

    pub async fn account_settings(&self, id: AccountId) -> Result<Settings> {
        self.with_store(move |s| s.account_settings(id)).await
    }

    /// Remove an account and all of its local mail.
    pub async fn remove_account(&self, id: AccountId) -> Result<()> {
        // Its live connection goes first, so nothing writes to it after.
        self.stop(id).await;
        let servers = self
            .account_settings(id)
            .await
            .ok()
            .and_then(|s| s.incoming);
        self.with_store(move |s| s.remove_account(id)).await?;
        self.forget_kept_passwords(servers.into_iter().collect())
            .await;
        Ok(())
    }

    /// The account a message belongs to.
    pub async fn account_of_message(&self, id: MessageId) -> Result<AccountId> {
        let folder = self
            .with_store(move |s| s.message_summary(id))
            .await?
            .folder_id;
        Ok(self.folder(folder).await?.account_id)
    }

    /// `account`'s incoming server, which must speak `protocol`, and the
    /// password of this session for it.
    async fn incoming_login(
        &self,
        account: AccountId,
        protocol: Protocol,
    ) -> Result<(crate::account::Server, String)> {
        let settings = self.account_settings(account).await?;
        let server = settings
            .incoming
            .filter(|s| s.protocol == protocol)
            .ok_or(Error::InvalidSettings("incoming server"))?;
        let password = self.password(account).await?;
        Ok((server, password))
    }

    /// A failed login's error; a refused password is forgotten, so the
    /// next try asks again.
    fn login_failed(&self, account: AccountId, e: impl Into<Error>) -> Error {
        let e = e.into();
        if e.kind() == crate::ErrorKind::Authentication {
            self.password_refused(account);
        }
        e
    }

    /// A logged-in IMAP session for `account`.
    async fn imap_session(&self, account: AccountId) -> Result<imap::connect::Session> {
        let (server, password) = self.incoming_login(account, Protocol::Imap).await?;
        login::imap_session(&server, &password)
            .await
            .map_err(|e| self.login_failed(account, e))
    }

    /// Sync an IMAP account: folders, flags, new headers (newest first),
    /// reporting progress after every committed batch; then the bodies of
    /// accounts kept for offline use, then the new mail's search index.
    pub async fn sync(
        &self,
        account: AccountId,
        on_progress: impl FnMut(&sync::Progress),
    ) -> Result<sync::Summary> {
        let settings = self.account_settings(account).await?;
        if settings
            .incoming
            .is_some_and(|s| s.protocol == Protocol::Pop3)
        {
            return self.check_pop3(account, on_progress).await;
        }
        let bodies = self.offline_bodies(account).await?;
        self.sync_run(account, bodies, on_progress).await
    }

    /// [`Service::sync`], downloading every missing body whatever the
    /// account's setting.
    pub async fn sync_with_bodies(
        &self,
        account: AccountId,
        on_progress: impl FnMut(&sync::Progress),
    ) -> Result<sync::Summary> {
        self.sync_run(account, true, on_progress).await
    }

    async fn sync_run(
        &self,
        account: AccountId,
        bodies: bool,
        mut on_progress: impl FnMut(&sync::Progress),
    ) -> Result<sync::Summary> {
        let mut session = self.imap_session(account).await?;
        let enabled = imap::connect::enable_extensions(
            &mut session,
            &["CONDSTORE", "QRESYNC"],
            &imap::connect::Timeouts::default(),
        )
        .await?;
        let store = &self.inner.store;
        let mut summary = sync::imap::sync_account_with(
            &mut session,
            store,
            account,
            enabled.has("QRESYNC"),
            &mut on_progress,
        )
        .await?;
        if bodies {
            summary.bodies =
                sync::bodies::download_account(&mut session, store, account, &mut on_progress)
                    .await?;
        }
        // The work is committed; a failed goodbye changes nothing.
        let _ = session.logout().await;
        // Last, so rows whose body just came are indexed once, with it.
        sync::index::catch_up(store, &mut on_progress).await?;
        Ok(summary)
    }

    /// Download and keep the body of a message that came from a server.
    async fn fetch_body(&self, id: MessageId) -> Result<()> {
        let Some((folder, remote_name, uid)) =
            self.with_store(move |s| s.remote_location(id)).await?
        else {
            return Err(Error::NotFound {
                what: "message body",
            });
        };
        let account = self.folder(folder).await?.account_id;
        let mut session = self.imap_session(account).await?;
        let raw = sync::imap::fetch_body(&mut session, &remote_name, uid).await?;
        let _ = session.logout().await;
        let parsed = parse::parse(&raw).ok();
        self.with_store(move |s| s.store_body(id, &raw, parsed.as_ref()))
            .await?;
        Ok(())
    }
}

/// Blocking work (the store file, parsing, the keyring's D-Bus calls) run
/// off the async executor.
async fn blocking<R: Send + 'static>(
    work: impl FnOnce() -> Result<R> + Send + 'static,
) -> Result<R> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
}

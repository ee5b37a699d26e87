//! Bodies for offline use: the per-account setting and downloading every
//! body of an account that is not here yet.

use super::Service;
use crate::error::Result;
use crate::model::AccountId;
use crate::sync;

impl Service {
    /// Whether `account` downloads every body after its headers.
    pub async fn offline_bodies(&self, account: AccountId) -> Result<bool> {
        self.with_store(move |s| s.offline_bodies(account)).await
    }

    /// Turn downloading bodies for offline use on or off for `account`;
    /// kept in the store, so it holds from the next sync on.
    pub async fn set_offline_bodies(&self, account: AccountId, on: bool) -> Result<()> {
        self.with_store(move |s| s.set_offline_bodies(account, on))
            .await
    }

    /// Download every body of `account` not here yet (INBOX first, newest
    /// first), reporting progress after each committed batch. Returns how
    /// many bodies were stored complete.
    pub async fn download_bodies(
        &self,
        account: AccountId,
        on_progress: impl FnMut(&sync::Progress),
    ) -> Result<usize> {
        let mut session = self.imap_session(account).await?;
        let stored =
            sync::bodies::download_account(&mut session, &self.inner.store, account, on_progress)
                .await?;
        let _ = session.logout().await;
        Ok(stored)
    }
}

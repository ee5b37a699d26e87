//! Bodies for offline use: the per-account setting and downloading every
//! body of an account that is not here yet.

use super::Service;
use crate::error::Result;
use crate::model::AccountId;
use crate::sync::status::AccountStatus;

impl Service {
    /// Whether `account` downloads every body after its headers.
    pub async fn offline_bodies(&self, account: AccountId) -> Result<bool> {
        self.with_store(move |s| s.offline_bodies(account)).await
    }

    /// Turn downloading bodies for offline use on or off for `account`;
    /// kept in the store, so it holds from the next sync on. Turned on, a
    /// live account syncs again at once rather than at its next full sync
    /// (which may be days away): one waiting for mail, or one syncing now
    /// (it may have passed the point where the setting is read). One
    /// connecting reads it in the sync it is about to start.
    pub async fn set_offline_bodies(&self, account: AccountId, on: bool) -> Result<()> {
        self.with_store(move |s| s.set_offline_bodies(account, on))
            .await?;
        let live = matches!(
            self.status(account),
            AccountStatus::Online { .. } | AccountStatus::Syncing(_)
        );
        if on && live {
            self.sync_now(account).await?;
        }
        Ok(())
    }
}

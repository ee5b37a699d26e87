//! POP3 accounts: checking for mail and the download policy.

use super::Service;
use crate::account::Protocol;
use crate::error::{Error, Result};
use crate::model::AccountId;
use crate::pop3;
use crate::store::pop3::Policy;
use crate::sync;

impl Service {
    /// What happens on the server to `account`'s mail once it is here.
    pub async fn pop3_policy(&self, account: AccountId) -> Result<Policy> {
        self.with_store(move |s| s.pop3_policy(account)).await
    }

    pub async fn set_pop3_policy(&self, account: AccountId, policy: Policy) -> Result<()> {
        self.with_store(move |s| s.set_pop3_policy(account, policy))
            .await
    }

    /// Receive `account`'s mail over `incoming` from now on (IMAP to POP3
    /// or back), keeping every message stored here. From IMAP, every body
    /// not here yet is downloaded first (over the old server, so the
    /// password must be known): after the switch only the Inbox stays
    /// reachable. Nothing changes if that download fails.
    pub async fn switch_incoming(
        &self,
        account: AccountId,
        incoming: crate::account::Server,
    ) -> Result<()> {
        let current = self
            .account_settings(account)
            .await?
            .incoming
            .ok_or(Error::InvalidSettings("incoming server"))?;
        if current.protocol == Protocol::Imap && incoming.protocol == Protocol::Pop3 {
            self.sync_with_bodies(account, |_| {}).await?;
        }
        // The live connection speaks the old protocol.
        let was_live = self.status(account) != sync::status::AccountStatus::Offline;
        self.stop(account).await;
        self.with_store(move |s| s.switch_incoming(account, &incoming))
            .await?;
        if was_live {
            self.go_online(account).await?;
        }
        Ok(())
    }

    /// Download `account`'s new mail into its Inbox, then delete on the
    /// server what its policy says (see `sync::pop3`).
    pub(super) async fn check_pop3(
        &self,
        account: AccountId,
        mut on_progress: impl FnMut(&sync::Progress),
    ) -> Result<sync::Summary> {
        let client = self.pop3_client(account).await?;
        let store = &self.inner.store;
        let summary = sync::pop3::check_account(client, store, account, &mut on_progress).await?;
        sync::index::catch_up(store, on_progress).await?;
        Ok(summary)
    }

    /// A logged-in POP3 connection for `account`.
    pub(super) async fn pop3_client(&self, account: AccountId) -> Result<pop3::Client> {
        let (server, password) = self.incoming_login(account, Protocol::Pop3).await?;
        super::login::pop3_client(&server, &password)
            .await
            .map_err(|e| self.login_failed(account, e))
    }
}

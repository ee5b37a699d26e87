//! Changing server accounts: their name, address and servers (a kept
//! password follows its server), their order, and which folder serves as
//! Sent, Drafts or Trash.

use super::Service;
use crate::account::{NewAccount, Server};
use crate::error::{Error, Result};
use crate::model::{AccountId, FolderId, Role};

impl Service {
    /// Replace `id`'s name, address and servers (`outgoing: None` leaves it
    /// without one) in one transaction. The incoming protocol cannot
    /// change (an `InvalidSettings` error). A server moved to another host
    /// or port loses its certificate pin. If the incoming server's keyring
    /// entry is named differently now, a password kept under the old name
    /// moves to the new one; this session's password stays either way. A
    /// live account reconnects with the new settings.
    pub async fn update_account(
        &self,
        id: AccountId,
        name: String,
        email: String,
        incoming: Server,
        outgoing: Option<Server>,
    ) -> Result<()> {
        // It becomes the From of mail sent: one bare address.
        if email.trim().parse::<lettre::Address>().is_err() {
            return Err(Error::InvalidSettings("email address"));
        }
        let edit = NewAccount {
            name,
            email,
            incoming,
            outgoing,
        };
        let old = self
            .with_store(move |s| s.update_account(id, &edit))
            .await?
            .incoming;
        let new = self.account_settings(id).await?.incoming;
        if let (Some(old), Some(new)) = (old, new) {
            self.password_follows_server(id, old, new).await;
        }
        self.reconnect(id).await
    }

    /// Put server account `id` at `to_position` (0-based) among the server
    /// accounts, as [`Service::accounts`] lists them; past the end means
    /// last. Local Folders always stays last.
    pub async fn move_account(&self, id: AccountId, to_position: usize) -> Result<()> {
        self.with_store(move |s| s.move_account(id, to_position))
            .await
    }

    /// Let `folder`, one of `account`'s, serve as its `role` folder (Sent,
    /// Drafts, Trash, Junk or Archive) in place of the one that did: sent
    /// copies, drafts and deleted mail go there from now on, and folder
    /// syncs keep the choice while the folder exists. Refused
    /// (`InvalidSettings`) for Inbox and Outbox, for another account's
    /// folder, and for a folder that serves as another role.
    pub async fn set_special_folder(
        &self,
        account: AccountId,
        role: Role,
        folder: FolderId,
    ) -> Result<()> {
        self.with_store(move |s| s.set_special_folder(account, role, folder))
            .await
    }
}

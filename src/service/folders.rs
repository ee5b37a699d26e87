//! Folder tree changes. Local folders change in the store alone; server
//! folders change on the server first (CREATE, RENAME, DELETE,
//! SUBSCRIBE), then the store follows the server's own folder list.
//! They need a connection: unlike message actions they are not queued,
//! since a name the server refuses must be reported while the user is
//! still looking at it.

use super::Service;
use crate::error::{Error, Result};
use crate::imap::mutf7;
use crate::model::{AccountId, AccountKind, FolderId, MessageId};
use crate::store::folders::validate_name;
use crate::sync;

/// A NO from the server names a change it will not make.
fn refused(context: &'static str) -> impl Fn(async_imap::error::Error) -> Error {
    move |e| match e {
        async_imap::error::Error::No(detail) | async_imap::error::Error::Bad(detail) => {
            Error::ServerRefused { context, detail }
        }
        other => Error::Network {
            context,
            detail: other.to_string(),
        },
    }
}

impl Service {
    async fn on_server(&self, account: AccountId) -> Result<bool> {
        let kind = self
            .accounts()
            .await?
            .into_iter()
            .find(|a| a.id == account)
            .map(|a| a.kind);
        Ok(kind == Some(AccountKind::Imap))
    }

    /// The server name a folder called `name` gets under `parent`.
    async fn server_name(&self, parent: Option<FolderId>, name: &str) -> Result<String> {
        let name = validate_name(name)?.to_string();
        let Some(parent) = parent else {
            return Ok(mutf7::encode(&name));
        };
        let (parent_name, delimiter) = self.with_store(move |s| s.server_folder(parent)).await?;
        match delimiter {
            // The delimiter would make a level of hierarchy of its own.
            Some(d) if name.contains(d.as_str()) => Err(Error::InvalidName),
            Some(d) => Ok(format!("{parent_name}{d}{}", mutf7::encode(&name))),
            None => Err(Error::InvalidName),
        }
    }

    pub async fn create_folder(
        &self,
        account: AccountId,
        parent: Option<FolderId>,
        name: String,
    ) -> Result<FolderId> {
        if !self.on_server(account).await? {
            return self
                .with_store(move |s| s.create_folder(account, parent, &name))
                .await;
        }
        let remote = self.server_name(parent, &name).await?;
        let mut session = self.imap_session(account).await?;
        session.create(&remote).await.map_err(refused("CREATE"))?;
        session
            .subscribe(&remote)
            .await
            .map_err(refused("SUBSCRIBE"))?;
        let listed = sync::imap::sync_folder_list(&mut session, &self.inner.store, account).await?;
        let _ = session.logout().await;
        listed
            .into_iter()
            .find(|(_, n)| *n == remote)
            .map(|(id, _)| id)
            .ok_or(Error::NotFound { what: "folder" })
    }

    pub async fn rename_folder(&self, id: FolderId, name: String) -> Result<()> {
        let folder = self.folder(id).await?;
        let account = folder.account_id;
        if !self.on_server(account).await? {
            return self.with_store(move |s| s.rename_folder(id, &name)).await;
        }
        if folder.role.is_some() {
            return Err(Error::ProtectedFolder);
        }
        let (old, _) = self.with_store(move |s| s.server_folder(id)).await?;
        let new = self.server_name(folder.parent_id, &name).await?;
        let mut session = self.imap_session(account).await?;
        session
            .rename(&old, &new)
            .await
            .map_err(refused("RENAME"))?;
        let _ = session.unsubscribe(&old).await;
        let _ = session.subscribe(&new).await;
        let (o, n) = (old.clone(), new.clone());
        self.with_store(move |s| s.rename_server_folder(id, &o, &n))
            .await?;
        sync::imap::sync_folder_list(&mut session, &self.inner.store, account).await?;
        let _ = session.logout().await;
        Ok(())
    }

    /// Delete a folder; its messages go to Trash first (see
    /// `Store::delete_folder`). On a server the move to Trash is sent and
    /// confirmed before the folder is deleted there.
    pub async fn delete_folder(&self, id: FolderId) -> Result<usize> {
        let folder = self.folder(id).await?;
        let account = folder.account_id;
        if !self.on_server(account).await? {
            return self.with_store(move |s| s.delete_folder(id)).await;
        }
        if folder.role.is_some() {
            return Err(Error::ProtectedFolder);
        }
        let subtree = self.with_store(move |s| s.subtree(id)).await?;
        let mut messages: Vec<MessageId> = Vec::new();
        for f in &subtree {
            let f = *f;
            let all = crate::model::ListQuery::default();
            let count = self.message_count(f, all).await?;
            messages.extend(
                self.message_page(f, all, 0, count)
                    .await?
                    .into_iter()
                    .map(|m| m.id),
            );
        }
        let deleted = self
            .with_store(move |s| s.delete_messages(&messages))
            .await?;
        let mut session = self.imap_session(account).await?;
        sync::imap::replay(&mut session, &self.inner.store, account).await?;
        // Leave the doomed folders: a server may drop the connection of a
        // session whose selected mailbox it deletes.
        session.examine("INBOX").await.map_err(refused("EXAMINE"))?;
        // Deepest first: a server may refuse to delete a folder with
        // children.
        let mut names = Vec::new();
        for f in subtree {
            names.push(self.with_store(move |s| s.server_folder(f)).await?.0);
        }
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        for name in names {
            let _ = session.unsubscribe(&name).await;
            session.delete(&name).await.map_err(refused("DELETE"))?;
        }
        sync::imap::sync_folder_list(&mut session, &self.inner.store, account).await?;
        let _ = session.logout().await;
        Ok(deleted.to_trash.restore.len())
    }

    /// Subscribe to a server folder or not (other mail programs show only
    /// subscribed ones).
    pub async fn set_subscribed(&self, id: FolderId, on: bool) -> Result<()> {
        let account = self.folder(id).await?.account_id;
        if !self.on_server(account).await? {
            return Ok(());
        }
        let (name, _) = self.with_store(move |s| s.server_folder(id)).await?;
        let mut session = self.imap_session(account).await?;
        if on {
            session.subscribe(&name).await
        } else {
            session.unsubscribe(&name).await
        }
        .map_err(refused("SUBSCRIBE"))?;
        let _ = session.logout().await;
        self.with_store(move |s| s.set_subscribed(id, on)).await
    }
}

//! Message actions through the service: applied to the store at once,
//! then sent to the server in the background (queued until that works).

use super::Service;
use crate::error::{Error, Result};
use crate::model::{FolderId, MessageId};
use crate::store::actions::{Deleted, Undo};

impl Service {
    /// Move messages to `dest` (any account). Returns how to undo it.
    pub async fn move_messages(&self, ids: Vec<MessageId>, dest: FolderId) -> Result<Undo> {
        self.download_to_transfer(&ids, dest).await?;
        let undo = self
            .with_store(move |s| s.move_messages(&ids, dest))
            .await?;
        self.changed_locally();
        Ok(undo)
    }

    /// Copy messages to `dest` (any account). Returns the copies.
    pub async fn copy_messages(
        &self,
        ids: Vec<MessageId>,
        dest: FolderId,
    ) -> Result<Vec<MessageId>> {
        self.download_to_transfer(&ids, dest).await?;
        let copies = self
            .with_store(move |s| s.copy_messages(&ids, dest))
            .await?;
        self.changed_locally();
        Ok(copies)
    }

    /// Mail going to another account is uploaded from this store (and
    /// deleted from its old server only once it is here): fetch the
    /// bodies not downloaded yet. Needs the old server, so fails offline.
    async fn download_to_transfer(&self, ids: &[MessageId], dest: FolderId) -> Result<()> {
        let ids = ids.to_vec();
        let needed = self
            .with_store(move |s| s.bodies_needed_for(&ids, dest))
            .await?;
        if !needed.is_empty() && self.is_offline() {
            return Err(Error::Offline);
        }
        for id in needed {
            self.fetch_body(id).await?;
        }
        Ok(())
    }

    /// Delete to Trash, or for good for mail already in Trash.
    pub async fn delete_messages(&self, ids: Vec<MessageId>) -> Result<Deleted> {
        let deleted = self.with_store(move |s| s.delete_messages(&ids)).await?;
        self.changed_locally();
        Ok(deleted)
    }

    /// Delete messages for good, wherever they are.
    pub async fn expunge_messages(&self, ids: Vec<MessageId>) -> Result<usize> {
        let removed = self.with_store(move |s| s.expunge_messages(&ids)).await?;
        self.changed_locally();
        Ok(removed)
    }

    /// Delete every message of `folder` for good ("Empty Trash").
    pub async fn empty_folder(&self, folder: FolderId) -> Result<usize> {
        let removed = self.with_store(move |s| s.empty_folder(folder)).await?;
        self.changed_locally();
        Ok(removed)
    }

    pub async fn mark_folder_read(&self, folder: FolderId) -> Result<usize> {
        let changed = self.with_store(move |s| s.mark_folder_read(folder)).await?;
        self.changed_locally();
        Ok(changed)
    }

    /// Put moved or trashed messages back. Returns how many came back.
    pub async fn undo(&self, undo: Undo) -> Result<usize> {
        let restored = self.with_store(move |s| s.undo(&undo)).await?;
        self.changed_locally();
        Ok(restored)
    }
}

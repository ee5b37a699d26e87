//! Attachments: their decoded bytes, saving them into a folder the user
//! chose (never outside it, never over anything), opening them with the
//! desktop's default application, and attached messages for the reader.
//! An attachment is `(message, index)`, the index being its place in
//! [`crate::model::MessageView::attachments`].

use super::{Service, blocking};
use crate::attachment;
use crate::error::{Error, Result};
use crate::mime::{filename, parse};
use crate::model::{Attachment, MessageId};
use std::path::PathBuf;

impl Service {
    /// A message's raw bytes, its body fetched from the server first if it
    /// is not here yet.
    async fn raw_with_body(&self, id: MessageId) -> Result<Vec<u8>> {
        if !self.with_store(move |s| s.has_body(id)).await? {
            self.fetch_body(id).await?;
        }
        self.raw_message(id).await
    }

    /// Attachment `index` of message `id` and its decoded bytes.
    pub async fn attachment(&self, id: MessageId, index: usize) -> Result<(Attachment, Vec<u8>)> {
        let raw = self.raw_with_body(id).await?;
        blocking(move || {
            parse::attachment_contents(&raw, Some(index))?
                .pop()
                .ok_or(Error::NotFound { what: "attachment" })
        })
        .await
    }

    /// Save attachment `index` of message `id` into `dir`, named `name`
    /// (what the user typed in a save dialog) or else its own name, either
    /// way sanitized. An existing file of that name is left alone:
    /// [`Error::FileExists`] says which free name to offer instead.
    pub async fn save_attachment(
        &self,
        id: MessageId,
        index: usize,
        dir: PathBuf,
        name: Option<String>,
    ) -> Result<PathBuf> {
        let (meta, bytes) = self.attachment(id, index).await?;
        blocking(move || {
            let given = name.as_deref().or(meta.filename.as_deref());
            let safe = filename::sanitize(given, &meta.mime_type);
            attachment::save(&dir, &safe, &bytes)
        })
        .await
    }

    /// Save every attachment of message `id` into `dir`, taken names
    /// replaced by free ones ("name (1).ext"). Where each went, in order.
    pub async fn save_attachments(&self, id: MessageId, dir: PathBuf) -> Result<Vec<PathBuf>> {
        let raw = self.raw_with_body(id).await?;
        blocking(move || {
            let all = parse::attachment_contents(&raw, None)?;
            drop(raw);
            let named: Vec<(String, &[u8])> = all
                .iter()
                .map(|(meta, bytes)| {
                    let name = filename::sanitize(meta.filename.as_deref(), &meta.mime_type);
                    (name, bytes.as_slice())
                })
                .collect();
            attachment::save_all(&dir, named.iter().map(|(n, b)| (n.as_str(), *b)))
        })
        .await
    }

    /// Save attachment `index` of message `id` into this process's private
    /// folder (owner only) and open it with the desktop's default
    /// application for its type. The caller warns first about a risky one
    /// ([`filename::risk`]); this does not refuse. The saved file's path.
    pub async fn open_attachment(&self, id: MessageId, index: usize) -> Result<PathBuf> {
        let (meta, bytes) = self.attachment(id, index).await?;
        blocking(move || {
            let dir = attachment::open::private_dir()?;
            let name = filename::sanitize(meta.filename.as_deref(), &meta.mime_type);
            let path = attachment::save_all(&dir, [(name.as_str(), bytes.as_slice())])?
                .pop()
                .ok_or(Error::Internal("nothing saved".into()))?;
            attachment::open::launch(&path)?;
            Ok(path)
        })
        .await
    }

    /// The raw bytes of an attached message (`message/rfc822`, an `.eml`),
    /// for the reader to show like any other message.
    pub async fn attached_message(&self, id: MessageId, index: usize) -> Result<Vec<u8>> {
        let (meta, bytes) = self.attachment(id, index).await?;
        if !meta.is_message() {
            return Err(Error::NotFound {
                what: "attached message",
            });
        }
        Ok(bytes)
    }

    /// An attached message rendered for the reader, as [`Service::message`]
    /// renders the message itself.
    pub async fn render_attached(
        &self,
        id: MessageId,
        index: usize,
    ) -> Result<crate::mime::render::Rendered> {
        let raw = self.attached_message(id, index).await?;
        super::blocking(move || crate::mime::render::render(&raw)).await
    }
}

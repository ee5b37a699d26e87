//! What the reader asks of the mailbox: loading a message and its
//! conversation, its source, opening links and attachments, and saving
//! attachments through the desktop's file dialogs.

use super::{Mailbox, Message, Status};
use crate::Error;
use crate::fl;
use crate::model::{Flags, MessageId};
use crate::ui::UiError;
use crate::ui::component::reader;
use iced::Task;
use std::path::PathBuf;

/// How a save ended.
#[derive(Debug, Clone)]
pub enum Saved {
    One(PathBuf),
    All(Vec<PathBuf>),
    /// The chosen name was taken: nothing was written, this is free.
    Taken(reader::Conflict),
    /// The dialog was closed without choosing.
    Cancelled,
}

impl Mailbox {
    pub(super) fn reader_action(&mut self, action: reader::Action) -> Task<Message> {
        let service = self.service.clone();
        let to_reader = |m: reader::Message| Message::Reader(m);
        match action {
            reader::Action::None => Task::none(),
            reader::Action::SetRead(id, read) => self.set_flag(id, Flags::SEEN, read),
            reader::Action::SetFlagged(id, on) => self.set_flag(id, Flags::FLAGGED, on),
            reader::Action::Respond(view, kind) => self.respond(*view, kind),
            reader::Action::Show(id) => self.load_message(id),
            reader::Action::LoadConversation(id) => {
                Task::perform(async move { service.conversation(id).await }, move |r| {
                    to_reader(reader::Message::ConversationLoaded(
                        id,
                        r.map_err(UiError::from),
                    ))
                })
            }
            reader::Action::LoadSource(id) => Task::perform(
                async move {
                    let raw = service.raw_message(id).await?;
                    Ok(String::from_utf8_lossy(&raw).into_owned())
                },
                move |r: crate::Result<String>| {
                    to_reader(reader::Message::SourceLoaded(id, r.map_err(UiError::from)))
                },
            ),
            reader::Action::OpenLink(target) => Task::perform(
                async move { crate::desktop::open_link(&target).await },
                |r| match r {
                    Ok(()) => Message::ReadingDone(None),
                    Err(e) => Message::ReadingFailed(UiError::from(e)),
                },
            ),
            reader::Action::CopyLink(target) => {
                self.status = Status::Done(fl!("link-copied"));
                iced::clipboard::write(target)
            }
            reader::Action::OpenAttachment(id, index) => Task::perform(
                async move { service.open_attachment(id, index).await },
                |r| match r {
                    Ok(path) => Message::ReadingDone(Some(fl!(
                        "attachment-opened",
                        name = file_name(&path)
                    ))),
                    Err(e) => Message::ReadingFailed(UiError::from(e)),
                },
            ),
            reader::Action::OpenAttached(id, index) => Task::perform(
                async move { service.render_attached(id, index).await },
                move |r| {
                    to_reader(reader::Message::AttachedLoaded(
                        id,
                        r.map(Box::new).map_err(UiError::from),
                    ))
                },
            ),
            reader::Action::SaveAttachment(id, index, name) => Task::perform(
                async move {
                    let Some(file) = rfd::AsyncFileDialog::new()
                        .set_file_name(&name)
                        .save_file()
                        .await
                    else {
                        return Ok(Saved::Cancelled);
                    };
                    let path = file.path().to_path_buf();
                    let (dir, chosen) = split(&path);
                    save_one(&service, id, index, dir, chosen).await
                },
                Message::AttachmentSaved,
            ),
            reader::Action::SaveTo(id, index, dir, name) => Task::perform(
                async move { save_one(&service, id, index, dir, name).await },
                Message::AttachmentSaved,
            ),
            reader::Action::SaveAll(id) => Task::perform(
                async move {
                    let Some(folder) = rfd::AsyncFileDialog::new().pick_folder().await else {
                        return Ok(Saved::Cancelled);
                    };
                    let dir = folder.path().to_path_buf();
                    let saved = service
                        .save_attachments(id, dir)
                        .await
                        .map_err(UiError::from)?;
                    Ok(Saved::All(saved))
                },
                Message::AttachmentSaved,
            ),
        }
    }

    /// Show `id` in the reader, with its conversation once it is there.
    pub(super) fn load_message(&mut self, id: MessageId) -> Task<Message> {
        self.reader.open(id);
        let service = self.service.clone();
        Task::perform(async move { service.message(id).await }, move |r| {
            Message::Reader(reader::Message::Loaded(
                id,
                r.map(Box::new).map_err(UiError::from),
            ))
        })
    }

    pub(super) fn attachment_saved(&mut self, result: Result<Saved, UiError>) -> Task<Message> {
        match result {
            Ok(Saved::One(path)) => {
                self.status =
                    Status::Done(fl!("attachment-saved", path = path.display().to_string()));
            }
            Ok(Saved::All(paths)) => {
                let dir = paths
                    .first()
                    .and_then(|p| p.parent())
                    .map(|d| d.display().to_string())
                    .unwrap_or_default();
                self.status =
                    Status::Done(fl!("attachments-saved", count = paths.len(), dir = dir));
            }
            Ok(Saved::Taken(conflict)) => self.reader.offer_name(conflict),
            Ok(Saved::Cancelled) => {}
            Err(e) => return self.fail(e),
        }
        Task::none()
    }
}

/// Save one attachment as `name` in `dir`; a name already taken comes
/// back as the free one to offer, nothing written.
async fn save_one(
    service: &crate::service::Service,
    id: MessageId,
    index: usize,
    dir: PathBuf,
    name: String,
) -> Result<Saved, UiError> {
    match service
        .save_attachment(id, index, dir.clone(), Some(name.clone()))
        .await
    {
        Ok(path) => Ok(Saved::One(path)),
        Err(Error::FileExists { suggested, .. }) => Ok(Saved::Taken(reader::Conflict {
            index,
            dir,
            taken: name,
            suggested,
        })),
        Err(e) => Err(UiError::from(e)),
    }
}

/// The folder and file name the save dialog chose.
fn split(path: &std::path::Path) -> (PathBuf, String) {
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    (dir, file_name(path))
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

//! What the user does to messages and folders on the mailbox screen:
//! delete, move by dragging onto a folder, undo, and the folder context
//! menu. The service applies each to the store at once and sends it to
//! the server in the background; the screen only reloads and reports.

use super::{Editor, Mailbox, Message, Status};
use crate::fl;
use crate::model::{FolderId, MessageId};
use crate::store::actions::Undo;
use crate::ui::UiError;
use crate::ui::component::{folder_menu::Item, folder_tree};
use iced::Task;

/// A finished action: what to tell the user, how to take it back, and
/// which messages left the list.
#[derive(Debug, Clone)]
pub struct Done {
    pub text: String,
    pub undo: Option<Undo>,
    pub gone: Vec<MessageId>,
}

impl Mailbox {
    /// Delete (Delete key): to Trash, or, in the Trash, for good after
    /// asking. `forever` (Shift+Delete) always asks.
    pub(super) fn delete_selected(&mut self, forever: bool) -> Task<Message> {
        let ids = self.list.selection();
        if ids.is_empty() {
            return Task::none();
        }
        let in_trash = self.list.folder().is_some_and(|f| self.tree.is_in_trash(f));
        if forever || in_trash {
            return self.open_editor(Some(Editor::DeleteMessages { ids }));
        }
        let service = self.service.clone();
        self.act(async move {
            let deleted = service.delete_messages(ids.clone()).await?;
            let moved = deleted.to_trash.restore.len();
            let text = if deleted.expunged > 0 && moved == 0 {
                fl!("messages-deleted", count = deleted.expunged)
            } else {
                fl!("messages-trashed", count = moved)
            };
            Ok(Done {
                text,
                undo: Some(deleted.to_trash),
                gone: ids,
            })
        })
    }

    pub(super) fn delete_forever(&mut self, ids: Vec<MessageId>) -> Task<Message> {
        let service = self.service.clone();
        self.act(async move {
            let n = service.expunge_messages(ids.clone()).await?;
            Ok(Done {
                text: fl!("messages-deleted", count = n),
                undo: None,
                gone: ids,
            })
        })
    }

    pub(super) fn move_to(&mut self, ids: Vec<MessageId>, dest: FolderId) -> Task<Message> {
        if self.list.folder() == Some(dest) {
            return Task::none();
        }
        let name = self
            .tree
            .folder(dest)
            .map(folder_tree::display_name)
            .unwrap_or_default();
        let service = self.service.clone();
        self.act(async move {
            let undo = service.move_messages(ids.clone(), dest).await?;
            Ok(Done {
                text: fl!(
                    "messages-moved",
                    count = undo.restore.len(),
                    folder = name.as_str()
                ),
                undo: Some(undo),
                gone: ids,
            })
        })
    }

    /// Ctrl+Z or the Undo button: put the last moved messages back.
    pub(super) fn undo_last(&mut self) -> Task<Message> {
        let Some(undo) = self.undo.take() else {
            return Task::none();
        };
        let service = self.service.clone();
        self.act(async move {
            let n = service.undo(undo).await?;
            Ok(Done {
                text: fl!("messages-restored", count = n),
                undo: None,
                gone: Vec::new(),
            })
        })
    }

    /// The mouse button came up: dropping dragged messages on a folder
    /// moves them there.
    pub(super) fn mouse_released(&mut self) -> Task<Message> {
        let dragged = self.list.dragged();
        let target = self.tree.hovered();
        let action = self.list.release();
        self.tree.set_dragging(false);
        if matches!(self.status, Status::Dragging(_)) {
            self.status = Status::Ready;
        }
        let open = self.list_action(action);
        match (dragged, target) {
            (Some(ids), Some(folder)) => Task::batch([open, self.move_to(ids, folder)]),
            _ => open,
        }
    }

    /// While the pointer moves with the button down over the list.
    pub(super) fn track_drag(&mut self) {
        if let Some(ids) = self.list.dragged() {
            self.tree.set_dragging(true);
            self.status = Status::Dragging(ids.len());
        }
    }

    pub(super) fn menu_action(&mut self, folder: FolderId, item: Item) -> Task<Message> {
        let Some(f) = self.tree.folder(folder).cloned() else {
            return Task::none();
        };
        let service = self.service.clone();
        match item {
            Item::NewSubfolder => self.open_editor(Some(Editor::Create {
                account: f.account_id,
                parent: Some(f.id),
                name: String::new(),
            })),
            Item::Rename => self.open_editor(Some(Editor::Rename {
                folder: f.id,
                name: f.name.clone(),
            })),
            Item::Delete => self.open_editor(Some(Editor::Delete {
                folder: f.id,
                name: f.name.clone(),
                forever: self.tree.is_in_trash(f.id),
            })),
            Item::EmptyTrash => self.open_editor(Some(Editor::Empty {
                folder: f.id,
                name: folder_tree::display_name(&f),
                count: f.total,
            })),
            Item::Subscribe(on) => {
                let name = f.name.clone();
                self.act(async move {
                    service.set_subscribed(folder, on).await?;
                    let text = if on {
                        fl!("folder-subscribed", name = name.as_str())
                    } else {
                        fl!("folder-unsubscribed", name = name.as_str())
                    };
                    Ok(Done {
                        text,
                        undo: None,
                        gone: Vec::new(),
                    })
                })
            }
            Item::MarkAllRead => self.act(async move {
                let n = service.mark_folder_read(folder).await?;
                Ok(Done {
                    text: fl!("messages-marked-read", count = n),
                    undo: None,
                    gone: Vec::new(),
                })
            }),
            Item::SyncNow => self.sync_account(f.account_id),
            Item::ServerCopies => {
                let account = f.account_id;
                Task::perform(
                    async move {
                        let minutes = service.check_minutes(account).await?;
                        Ok((service.pop3_policy(account).await?, minutes))
                    },
                    move |r: crate::error::Result<_>| {
                        Message::ServerCopiesLoaded(account, r.map_err(UiError::from))
                    },
                )
            }
        }
    }

    pub(super) fn empty_folder(&mut self, folder: FolderId) -> Task<Message> {
        let service = self.service.clone();
        self.act(async move {
            let n = service.empty_folder(folder).await?;
            Ok(Done {
                text: fl!("messages-deleted", count = n),
                undo: None,
                gone: Vec::new(),
            })
        })
    }

    /// An action finished: report it, offer undo, reload what changed.
    pub(super) fn acted(&mut self, result: Result<Done, UiError>) -> Task<Message> {
        match result {
            Ok(done) => {
                self.list.forget(&done.gone);
                if done.gone.iter().any(|id| self.reader.shown() == Some(*id)) {
                    self.reader.clear();
                }
                self.status = Status::Done(done.text);
                self.undo = done.undo.filter(|u| !u.is_empty());
            }
            Err(e) => self.status = Status::Error(e),
        }
        Task::batch([self.refresh_list(), self.load_tree()])
    }

    pub(super) fn act(
        &mut self,
        work: impl Future<Output = crate::Result<Done>> + Send + 'static,
    ) -> Task<Message> {
        self.undo = None;
        Task::perform(work, |r| Message::Acted(r.map_err(UiError::from)))
    }
}

//! The inline prompt under the folder tree: new and renamed folder names,
//! delete confirmations, the session password of a server account, and a
//! POP3 account's choice of what happens to mail on the server. Its kinds,
//! its view, and what opening and submitting it does.

use super::{Mailbox, Message};
use crate::fl;
use crate::model::{AccountId, FolderId, MessageId};
use crate::store::folders::LOCAL_ACCOUNT;
use crate::store::pop3::Policy;
use crate::ui::UiError;
use crate::ui::theme;
use iced::Task;
use iced::widget::operation;
use iced::widget::{Column, button, checkbox, column, container, radio, row, text, text_input};
use iced::{Element, Theme};

pub const EDITOR_INPUT_ID: &str = "folder-name";
/// The minutes between checks in a POP3 account's prompt.
pub const CHECK_INPUT_ID: &str = "check-minutes";
pub const EDITOR_CONFIRM_ID: &str = "folder-confirm";

/// The inline prompt under the folder tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Editor {
    Create {
        account: AccountId,
        parent: Option<FolderId>,
        name: String,
    },
    Rename {
        folder: FolderId,
        name: String,
    },
    Delete {
        folder: FolderId,
        name: String,
        forever: bool,
    },
    /// Deleting messages for good (Shift+Delete, or Delete in Trash).
    DeleteMessages {
        ids: Vec<MessageId>,
    },
    /// Deleting all of a folder's messages for good ("Empty Trash").
    Empty {
        folder: FolderId,
        name: String,
        count: u32,
    },
    /// Asked before the first sync of a session; kept in the OS keyring
    /// when `remember` is ticked, else in memory only.
    Password {
        account: AccountId,
        name: String,
        password: String,
        remember: bool,
    },
    /// What a POP3 account does on the server with mail once it is here.
    ServerCopies {
        account: AccountId,
        name: String,
        choice: Keep,
        /// The days for [`Keep::Days`], as typed.
        days: String,
        /// Minutes between checks for mail, as typed.
        minutes: String,
    },
}

/// The prompt's view: a name, a password or a delete confirmation.
/// The choices of [`Editor::ServerCopies`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Always,
    Days,
    UntilDeletedHere,
    NotAtAll,
}

impl Keep {
    pub fn of(policy: Policy) -> (Keep, u32) {
        match policy {
            Policy::Leave => (Keep::Always, 14),
            Policy::AfterDays(days) => (Keep::Days, days),
            Policy::WhenDeletedHere => (Keep::UntilDeletedHere, 14),
            Policy::AtOnce => (Keep::NotAtAll, 14),
        }
    }

    /// The policy chosen, if the days (when they count) are a number.
    pub fn policy(self, days: &str) -> Option<Policy> {
        Some(match self {
            Keep::Always => Policy::Leave,
            Keep::Days => Policy::AfterDays(days.trim().parse().ok()?),
            Keep::UntilDeletedHere => Policy::WhenDeletedHere,
            Keep::NotAtAll => Policy::AtOnce,
        })
    }
}

/// Minutes between checks, as typed: 1 to a day's worth.
pub fn check_minutes(typed: &str) -> Option<u64> {
    typed
        .trim()
        .parse()
        .ok()
        .filter(|m| (1..=crate::store::accounts::MAX_CHECK_SECONDS / 60).contains(m))
}

fn server_copies<'a>(
    name: &str,
    choice: Keep,
    days: &'a str,
    minutes: &'a str,
) -> Element<'a, Message> {
    let option = |label: String, value: Keep| -> Element<'a, Message> {
        radio(label, value, Some(choice), Message::EditorKeep)
            .size(14)
            .text_size(12)
            .into()
    };
    let mut rows = Column::new()
        .spacing(6)
        .push(text(fl!("server-copies-prompt", account = name)).size(12));
    rows = rows
        .push(option(fl!("server-copies-always"), Keep::Always))
        .push(option(fl!("server-copies-days"), Keep::Days));
    if choice == Keep::Days {
        rows = rows.push(
            text_input(&fl!("server-copies-days-placeholder"), days)
                .id(EDITOR_INPUT_ID)
                .on_input(Message::EditorInput)
                .on_submit(Message::EditorSubmit)
                .size(13)
                .padding(6),
        );
    }
    rows.push(option(
        fl!("server-copies-until-deleted"),
        Keep::UntilDeletedHere,
    ))
    .push(option(fl!("server-copies-not-at-all"), Keep::NotAtAll))
    .push(text(fl!("check-every-label")).size(12))
    .push(
        text_input(&fl!("check-every-placeholder"), minutes)
            .id(CHECK_INPUT_ID)
            .on_input(Message::EditorMinutes)
            .on_submit(Message::EditorSubmit)
            .size(13)
            .padding(6),
    )
    .push(confirm_row(
        fl!("server-copies-save"),
        button::primary,
        choice.policy(days).is_some() && check_minutes(minutes).is_some(),
    ))
    .into()
}

pub(super) fn view(editor: &Editor) -> Element<'_, Message> {
    let body: Element<'_, Message> = match editor {
        Editor::Password {
            name,
            password,
            remember,
            ..
        } => column![
            text(fl!("password-prompt", account = name.as_str())).size(12),
            text_input(&fl!("password-placeholder"), password)
                .id(EDITOR_INPUT_ID)
                .secure(true)
                .on_input(Message::EditorInput)
                .on_submit(Message::EditorSubmit)
                .size(13)
                .padding(6),
            checkbox(*remember)
                .label(fl!("password-remember"))
                .on_toggle(Message::EditorRemember)
                .size(14)
                .text_size(12),
            confirm_row(
                fl!("password-connect"),
                button::primary,
                !password.is_empty()
            ),
        ]
        .spacing(6)
        .into(),
        Editor::ServerCopies {
            name,
            choice,
            days,
            minutes,
            ..
        } => server_copies(name, *choice, days, minutes),
        Editor::Create { name, .. } | Editor::Rename { name, .. } => {
            let confirm = if matches!(editor, Editor::Create { .. }) {
                fl!("folder-create-confirm")
            } else {
                fl!("folder-rename-confirm")
            };
            column![
                text_input(&fl!("folder-name-placeholder"), name)
                    .id(EDITOR_INPUT_ID)
                    .on_input(Message::EditorInput)
                    .on_submit(Message::EditorSubmit)
                    .size(13)
                    .padding(6),
                confirm_row(confirm, button::primary, !name.trim().is_empty()),
            ]
            .spacing(6)
            .into()
        }
        Editor::Delete { name, forever, .. } => {
            let question = if *forever {
                fl!("folder-delete-forever-confirm", name = name.as_str())
            } else {
                fl!("folder-delete-confirm", name = name.as_str())
            };
            column![
                text(question).size(12),
                confirm_row(fl!("folder-delete"), button::danger, true),
            ]
            .spacing(6)
            .into()
        }
        Editor::DeleteMessages { ids } => column![
            text(fl!("messages-delete-forever-confirm", count = ids.len())).size(12),
            confirm_row(fl!("action-delete"), button::danger, true),
        ]
        .spacing(6)
        .into(),
        Editor::Empty { name, count, .. } => column![
            text({
                let count = *count;
                fl!("folder-empty-confirm", count = count, name = name.as_str())
            })
            .size(12),
            confirm_row(fl!("folder-empty-confirm-action"), button::danger, true),
        ]
        .spacing(6)
        .into(),
    };
    container(body).padding([6, 10]).into()
}

/// The editor's confirm button (enabled when `enabled`) and Cancel.
fn confirm_row<'a>(
    label: String,
    style: fn(&Theme, button::Status) -> button::Style,
    enabled: bool,
) -> Element<'a, Message> {
    row![
        container(
            button(text(label).size(12))
                .style(style)
                .on_press_maybe(enabled.then_some(Message::EditorSubmit))
        )
        .id(EDITOR_CONFIRM_ID),
        button(text(fl!("action-cancel")).size(12))
            .style(theme::tool_button)
            .on_press(Message::EditorCancel),
    ]
    .spacing(6)
    .into()
}

impl Mailbox {
    pub(super) fn new_folder_editor(&self) -> Option<Editor> {
        // New folders go under the selected folder of a local account,
        // else at the top of Local Folders.
        let (account, parent) = match self.tree.selected() {
            Some(f) if f.account_id == LOCAL_ACCOUNT && f.role.is_none() => {
                (f.account_id, Some(f.id))
            }
            _ => (LOCAL_ACCOUNT, None),
        };
        Some(Editor::Create {
            account,
            parent,
            name: String::new(),
        })
    }

    pub(super) fn open_editor(&mut self, editor: Option<Editor>) -> Task<Message> {
        let Some(editor) = editor else {
            return Task::none();
        };
        let focus = !matches!(editor, Editor::Delete { .. });
        self.editor = Some(editor);
        if focus {
            Task::batch([
                operation::focus(EDITOR_INPUT_ID),
                operation::select_all(EDITOR_INPUT_ID),
            ])
        } else {
            Task::none()
        }
    }

    /// The selected folder if it is one the user made (renamable, deletable).
    pub(super) fn user_folder(&self) -> Option<&crate::model::Folder> {
        self.tree.selected().filter(|f| f.role.is_none())
    }

    pub(super) fn submit_editor(&mut self) -> Task<Message> {
        let Some(editor) = self.editor.clone() else {
            return Task::none();
        };
        let service = self.service.clone();
        let done =
            |r: crate::Result<Option<FolderId>>| Message::FolderEdited(r.map_err(UiError::from));
        match editor {
            Editor::Create {
                account,
                parent,
                name,
            } => Task::perform(
                async move { service.create_folder(account, parent, name).await.map(Some) },
                done,
            ),
            Editor::Rename { folder, name } => Task::perform(
                async move { service.rename_folder(folder, name).await.map(|()| None) },
                done,
            ),
            Editor::Delete { folder, .. } => Task::perform(
                async move { service.delete_folder(folder).await.map(|_| None) },
                done,
            ),
            Editor::DeleteMessages { ids } => {
                self.editor = None;
                self.delete_forever(ids)
            }
            Editor::Empty { folder, .. } => {
                self.editor = None;
                self.empty_folder(folder)
            }
            Editor::Password {
                account,
                password,
                remember,
                ..
            } => {
                self.service.set_password(account, password.clone());
                self.editor = None;
                let sync = self.start_sync(account);
                if !remember {
                    return sync;
                }
                // Kept in the keyring meanwhile; if it cannot be, the
                // session still has it and the status line says why.
                let service = self.service.clone();
                let keep = Task::perform(
                    async move { service.remember_password(account, password).await },
                    |r| Message::SyncStarted(r.map_err(UiError::from)),
                );
                Task::batch([sync, keep])
            }
            Editor::ServerCopies {
                account,
                name,
                choice,
                days,
                minutes,
            } => {
                let (Some(policy), Some(minutes)) = (choice.policy(&days), check_minutes(&minutes))
                else {
                    return Task::none();
                };
                self.editor = None;
                let every = std::time::Duration::from_secs(minutes * 60);
                self.act(async move {
                    service.set_pop3_policy(account, policy).await?;
                    service.set_check_interval(account, Some(every)).await?;
                    Ok(super::Done {
                        text: fl!("server-copies-saved", account = name.as_str()),
                        undo: None,
                        gone: Vec::new(),
                    })
                })
            }
        }
    }
}

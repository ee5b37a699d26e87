//! The main window's screen: folder tree, message list and reader side by
//! side (or the composer), a folder toolbar and a status line. Its state
//! and update loop live here; the layout in `view`, writing in `compose`,
//! prompts (and what submitting them does) in `editor`, message actions
//! in `actions`, accounts' live connections in `live`, the Outbox in
//! `outbox`, account setup in `setup`, refused certificates in
//! `certificate`.

use crate::fl;
use crate::import::Progress;
use crate::model::{AccountId, AccountKind, Flags, FolderId, MessageId, Role};
use crate::service::Service;
use crate::store::folders::LOCAL_ACCOUNT;
use crate::sync::status::{AccountStatus, Event};
use crate::ui::UiError;
use crate::ui::component::composer::Composer;
use crate::ui::component::{folder_tree, message_list, reader};

mod actions;
mod certificate;
mod compose;
mod editor;
mod live;
mod outbox;
mod reading;
mod search;
mod setup;
mod view;
use crate::store::actions::Undo;
pub use actions::Done;
pub use certificate::{Event as CertificateEvent, Prompt as CertificatePrompt};
pub use editor::{CHECK_INPUT_ID, EDITOR_CONFIRM_ID, EDITOR_INPUT_ID, Editor, Keep};
use futures::StreamExt;
use iced::Task;
use iced::widget::operation;
use std::path::PathBuf;

pub struct Mailbox {
    service: Service,
    tree: folder_tree::FolderTree,
    list: message_list::MessageList,
    reader: reader::Reader,
    editor: Option<Editor>,
    status: Status,
    /// Whether the window has the keyboard focus (for notifications).
    focused: bool,
    /// Offline mode: no connections until the user goes online again.
    offline: bool,
    /// How to take back the last move or delete, while it is offered.
    undo: Option<Undo>,
    /// A message being written (it takes the list's and reader's place).
    composer: Option<Composer>,
    /// What has not gone yet, and whether the Outbox is shown (in the
    /// list's and reader's place).
    unsent: Vec<crate::ui::component::outbox::Entry>,
    outbox_open: bool,
    /// Account setup, when open (in the list's and reader's place).
    setup: Option<crate::ui::screen::setup::Setup>,
    /// A refused server certificate awaiting the user's decision.
    certificate: Option<certificate::Prompt>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Ready,
    Importing(Progress),
    Imported(Progress),
    /// What an account's connection is doing (sync progress, errors).
    Account(AccountId, AccountStatus),
    /// Messages being dragged, and how many.
    Dragging(usize),
    /// An action finished; the text says what it did.
    Done(String),
    Error(UiError),
}

#[derive(Debug, Clone)]
pub enum Message {
    Tree(folder_tree::Message),
    List(message_list::Message),
    Reader(reader::Message),
    /// Something the reader asked for finished (with what to say).
    ReadingDone(Option<String>),
    ReadingFailed(UiError),
    AttachmentSaved(Result<reading::Saved, UiError>),
    TreeLoaded(Result<TreeData, UiError>),
    FlagsSaved(Result<(), UiError>),
    NewFolder,
    RenameFolder,
    DeleteFolder,
    EditorInput(String),
    /// The password prompt's "remember" box.
    EditorRemember(bool),
    /// A choice in the POP3 "mail on the server" prompt.
    EditorKeep(Keep),
    EditorSubmit,
    /// A POP3 account's current choice, to open its prompt with.
    /// A POP3 account's policy and minutes between checks, for its prompt.
    ServerCopiesLoaded(
        AccountId,
        Result<(crate::store::pop3::Policy, u64), UiError>,
    ),
    /// The minutes typed into that prompt.
    EditorMinutes(String),
    EditorCancel,
    FolderEdited(Result<Option<FolderId>, UiError>),
    Import,
    ImportPicked(Vec<PathBuf>),
    Importing(ImportEvent),
    GetMessages,
    /// What the accounts' live connections report.
    Live(Event),
    SyncStarted(Result<(), UiError>),
    WindowFocused(bool),
    ToggleOffline,
    OfflineChanged(bool),
    SelectNext,
    SelectPrevious,
    Modifiers(iced::keyboard::Modifiers),
    /// A file dropped on the window (attached while writing).
    FileDropped(std::path::PathBuf),
    MouseReleased,
    Delete,
    DeleteForever,
    Undo,
    Acted(Result<Done, UiError>),
    /// Shift+F10 or the Menu key: the selected folder's context menu.
    FolderMenu,
    CloseMenu,
    /// "Write": open the composer (once the accounts that send are known).
    Write,
    ComposerReady(Result<compose::Ready, UiError>),
    Composer(crate::ui::component::composer::Message),
    /// Show the Outbox.
    ShowOutbox,
    Outbox(crate::ui::component::outbox::Message),
    OutboxLoaded(Result<Vec<crate::ui::component::outbox::Entry>, UiError>),
    OutboxChanged,
    OutboxFailed(UiError),
    Sent(Result<compose::Sent, UiError>),
    /// Every few seconds while writing.
    AutosaveTick,
    DraftSaved(Result<i64, UiError>),
    DraftFound(Result<Option<Box<crate::store::drafts::Draft>>, UiError>),
    /// "Add account": open account setup.
    AddAccount,
    /// "Account settings": the selected folder's account in setup.
    EditAccount,
    AccountLoaded(Result<Box<(AccountId, crate::account::Settings)>, UiError>),
    Setup(crate::ui::screen::setup::Message),
    Certificate(certificate::Event),
    /// Tab (true) or Shift+Tab: move the keyboard focus.
    FocusNext(bool),
    /// Ctrl+F: into the search box.
    FocusSearch,
}

pub type TreeData = (Vec<crate::model::Account>, Vec<crate::model::Folder>);

#[derive(Debug, Clone)]
pub enum ImportEvent {
    Progress(Progress),
    Done(Result<Progress, UiError>),
}

impl Mailbox {
    pub fn new(service: Service) -> (Self, Task<Message>) {
        let mailbox = Mailbox {
            service,
            tree: Default::default(),
            list: Default::default(),
            reader: Default::default(),
            editor: None,
            status: Status::Ready,
            focused: true,
            offline: false,
            undo: None,
            composer: None,
            unsent: Vec::new(),
            outbox_open: false,
            setup: None,
            certificate: None,
        };
        let load = mailbox.load_tree();
        // Accounts whose password the keyring kept go online at once: an
        // IMAP account connects, a POP3 account checks for mail.
        let service = mailbox.service.clone();
        let online = Task::perform(
            async move {
                for account in service.recall_passwords().await? {
                    service.go_online(account).await?;
                }
                Ok(())
            },
            |r: crate::error::Result<()>| Message::SyncStarted(r.map_err(UiError::from)),
        );
        let recover = Self::recover_draft(&mailbox.service);
        (mailbox, Task::batch([load, online, recover]))
    }

    pub fn title(&self) -> String {
        match self.tree.selected() {
            Some(folder) => fl!(
                "app-title-folder",
                folder = folder_tree::display_name(folder)
            ),
            None => fl!("app-title"),
        }
    }

    pub fn service(&self) -> &Service {
        &self.service
    }

    pub fn editor(&self) -> Option<&Editor> {
        self.editor.as_ref()
    }

    pub fn status(&self) -> &Status {
        &self.status
    }

    pub fn list(&self) -> &message_list::MessageList {
        &self.list
    }

    pub fn composer(&self) -> Option<&Composer> {
        self.composer.as_ref()
    }

    pub fn reader(&self) -> &reader::Reader {
        &self.reader
    }

    pub fn tree(&self) -> &folder_tree::FolderTree {
        &self.tree
    }

    /// The folder tree, and the Outbox with it (both change with sends,
    /// syncs and moves).
    fn load_tree(&self) -> Task<Message> {
        Task::batch([
            Task::perform(folder_tree::load(self.service.clone()), |r| {
                Message::TreeLoaded(r.map_err(UiError::from))
            }),
            self.load_outbox(),
        ])
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::TreeLoaded(Ok((accounts, folders))) => {
                self.tree.set_data(accounts, folders);
                match (self.tree.selected(), self.list.folder()) {
                    (None, _) => match self.tree.default_folder() {
                        Some(id) => self.select_folder(id),
                        None => Task::none(),
                    },
                    (Some(folder), Some(shown)) if folder.id == shown => Task::none(),
                    (Some(folder), _) => {
                        let id = folder.id;
                        self.select_folder(id)
                    }
                }
            }
            Message::TreeLoaded(Err(e)) => self.fail(e),
            Message::Tree(msg) => match self.tree.update(msg) {
                folder_tree::Action::Selected(id) => {
                    self.outbox_open = false;
                    self.select_folder(id)
                }
                folder_tree::Action::Menu(id, item) => self.menu_action(id, item),
                folder_tree::Action::None => Task::none(),
            },
            Message::List(msg) => {
                let left = matches!(msg, message_list::Message::Left(_));
                // A new order or filter shows the list from its top.
                let to_top = matches!(
                    msg,
                    message_list::Message::Sort(_)
                        | message_list::Message::ToggleDirection
                        | message_list::Message::ToggleUnread
                        | message_list::Message::ToggleFlagged
                        | message_list::Message::ToggleAttachments
                        | message_list::Message::ToggleThreads
                        | message_list::Message::Searched(..)
                        | message_list::Message::SearchClear
                );
                let action = self.list.update(msg);
                if left {
                    self.track_drag();
                }
                let task = self.list_action(action);
                if to_top {
                    Task::batch([task, self.list_to_top()])
                } else {
                    task
                }
            }
            Message::Modifiers(modifiers) => {
                self.list.set_modifiers(modifiers);
                Task::none()
            }
            Message::MouseReleased => self.mouse_released(),
            Message::Delete => self.delete_selected(false),
            Message::DeleteForever => self.delete_selected(true),
            Message::Undo => self.undo_last(),
            Message::Acted(result) => self.acted(result),
            Message::FolderMenu => match self.tree.selected().map(|f| f.id) {
                Some(id) => {
                    self.tree.update(folder_tree::Message::OpenMenu(id));
                    Task::none()
                }
                None => Task::none(),
            },
            Message::CloseMenu => {
                self.tree.update(folder_tree::Message::CloseMenu);
                Task::none()
            }
            Message::Write if self.composer.is_some() => Task::none(),
            Message::Write => self.write(),
            Message::AddAccount => self.open_setup(),
            Message::EditAccount => self.edit_account(),
            Message::AccountLoaded(Ok(loaded)) => {
                let (account, settings) = *loaded;
                self.setup = Some(crate::ui::screen::setup::Setup::edit(account, settings));
                Task::none()
            }
            Message::AccountLoaded(Err(e)) => self.fail(e),
            Message::Setup(message) => self.setup_message(message),
            Message::Certificate(event) => self.certificate_event(event),
            Message::FocusSearch => operation::focus(message_list::SEARCH_ID),
            Message::FocusNext(true) => operation::focus_next(),
            Message::FocusNext(false) => operation::focus_previous(),
            Message::ComposerReady(Ok(ready)) => self.composer_ready(ready),
            Message::ComposerReady(Err(e)) => self.fail(e),
            Message::Composer(msg) => self.composer_message(msg),
            Message::ShowOutbox => {
                self.outbox_open = true;
                self.load_outbox()
            }
            Message::Outbox(msg) => self.outbox_message(msg),
            Message::OutboxLoaded(Ok(entries)) => self.outbox_loaded(entries),
            Message::OutboxLoaded(Err(e)) | Message::OutboxFailed(e) => self.fail(e),
            Message::OutboxChanged => self.load_tree(),
            Message::FileDropped(path) => self.file_dropped(path),
            Message::Sent(result) => self.sent(result),
            Message::AutosaveTick => self.autosave(),
            Message::DraftSaved(Ok(id)) => self.draft_saved(id),
            Message::DraftFound(Ok(draft)) => self.draft_found(draft),
            Message::DraftSaved(Err(e)) | Message::DraftFound(Err(e)) => self.fail(e),
            Message::SelectNext => {
                let action = self.list.select_next();
                self.list_action(action)
            }
            Message::SelectPrevious => {
                let action = self.list.select_previous();
                self.list_action(action)
            }
            Message::Reader(msg) => {
                let loaded = match &msg {
                    reader::Message::Loaded(id, Ok(_)) => Some(*id),
                    _ => None,
                };
                let action = self.reader.update(msg);
                // The list holds the newest flags (a mark-read may have
                // raced the load); the reader shows the same.
                if let Some(row) = loaded.and_then(|id| self.list.row(id)) {
                    self.reader.set_flags(row.id, row.flags);
                }
                self.reader_action(action)
            }
            Message::ReadingDone(said) => {
                if let Some(said) = said {
                    self.status = Status::Done(said);
                }
                Task::none()
            }
            Message::ReadingFailed(e) => self.fail(e),
            Message::AttachmentSaved(result) => self.attachment_saved(result),
            Message::FlagsSaved(Ok(())) => self.load_tree(),
            Message::FlagsSaved(Err(e)) => {
                // The optimistic change did not stick: show the truth again.
                let reload = self.refresh_list();
                Task::batch([self.fail(e), reload, self.load_tree()])
            }
            Message::NewFolder => self.open_editor(self.new_folder_editor()),
            Message::RenameFolder => {
                let editor = self.user_folder().map(|f| Editor::Rename {
                    folder: f.id,
                    name: f.name.clone(),
                });
                self.open_editor(editor)
            }
            Message::DeleteFolder => {
                let editor = self.user_folder().map(|f| Editor::Delete {
                    folder: f.id,
                    name: f.name.clone(),
                    forever: self.tree.is_in_trash(f.id),
                });
                self.open_editor(editor)
            }
            Message::EditorInput(value) => {
                match &mut self.editor {
                    Some(Editor::Create { name, .. } | Editor::Rename { name, .. }) => {
                        *name = value
                    }
                    Some(Editor::Password { password, .. }) => *password = value,
                    // Days are a number: anything else is not taken.
                    Some(Editor::ServerCopies { days, .. })
                        if value.chars().all(|c| c.is_ascii_digit()) && value.len() <= 4 =>
                    {
                        *days = value
                    }
                    _ => {}
                }
                Task::none()
            }
            Message::EditorRemember(on) => {
                if let Some(Editor::Password { remember, .. }) = &mut self.editor {
                    *remember = on;
                }
                Task::none()
            }
            Message::EditorKeep(keep) => {
                if let Some(Editor::ServerCopies { choice, .. }) = &mut self.editor {
                    *choice = keep;
                    if keep == Keep::Days {
                        return operation::focus(EDITOR_INPUT_ID);
                    }
                }
                Task::none()
            }
            Message::ServerCopiesLoaded(account, Ok((policy, minutes))) => {
                let name = self.account_name(account);
                let (choice, days) = Keep::of(policy);
                self.editor = Some(Editor::ServerCopies {
                    account,
                    name,
                    choice,
                    days: days.to_string(),
                    minutes: minutes.to_string(),
                });
                Task::none()
            }
            Message::EditorMinutes(value) => {
                if let Some(Editor::ServerCopies { minutes, .. }) = &mut self.editor
                    && value.chars().all(|c| c.is_ascii_digit())
                    && value.len() <= 4
                {
                    *minutes = value;
                }
                Task::none()
            }
            Message::ServerCopiesLoaded(_, Err(e)) => self.fail(e),
            Message::EditorCancel => {
                self.editor = None;
                Task::none()
            }
            Message::EditorSubmit => self.submit_editor(),
            Message::FolderEdited(Ok(created)) => {
                self.editor = None;
                self.status = Status::Ready;
                let select = created.map(|id| {
                    self.tree.update(folder_tree::Message::Select(id));
                    self.select_folder(id)
                });
                Task::batch([self.load_tree(), select.unwrap_or_else(Task::none)])
            }
            // Keep the prompt open so the user can correct the name.
            Message::FolderEdited(Err(e)) => self.fail(e),
            Message::Import => {
                let title = fl!("import-dialog-title");
                let filter = fl!("import-filter");
                Task::perform(
                    async move {
                        rfd::AsyncFileDialog::new()
                            .set_title(title)
                            .add_filter(filter, &["eml", "mbox", "mbx", "txt"])
                            .pick_files()
                            .await
                            .unwrap_or_default()
                            .into_iter()
                            .map(|f| f.path().to_path_buf())
                            .collect()
                    },
                    Message::ImportPicked,
                )
            }
            Message::ImportPicked(paths) => self.import(paths),
            Message::GetMessages => self.get_messages(),
            Message::Live(event) => self.live_event(event),
            Message::SyncStarted(Ok(())) => Task::none(),
            Message::SyncStarted(Err(e)) => self.fail(e),
            Message::WindowFocused(focused) => {
                self.focused = focused;
                Task::none()
            }
            Message::ToggleOffline => {
                let offline = !self.offline;
                let service = self.service.clone();
                Task::perform(
                    async move {
                        service.set_offline(offline).await;
                        offline
                    },
                    Message::OfflineChanged,
                )
            }
            Message::OfflineChanged(offline) => {
                self.offline = offline;
                Task::none()
            }
            Message::Importing(ImportEvent::Progress(p)) => {
                self.status = Status::Importing(p);
                Task::none()
            }
            Message::Importing(ImportEvent::Done(result)) => {
                self.status = match result {
                    Ok(p) => Status::Imported(p),
                    Err(e) => Status::Error(e),
                };
                Task::batch([self.refresh_list(), self.load_tree()])
            }
        }
    }

    fn fail(&mut self, error: UiError) -> Task<Message> {
        self.status = Status::Error(error);
        Task::none()
    }

    fn select_folder(&mut self, id: FolderId) -> Task<Message> {
        self.tree.update(folder_tree::Message::Select(id));
        self.reader.clear();
        let action = self.list.open_folder(id);
        Task::batch([
            self.list_action(action),
            self.watch(id),
            operation::scroll_to(
                message_list::SCROLL_ID,
                operation::AbsoluteOffset {
                    x: None,
                    y: Some(0.0),
                },
            ),
        ])
    }

    fn refresh_list(&mut self) -> Task<Message> {
        let action = self.list.refresh();
        self.list_action(action)
    }

    fn list_action(&mut self, action: message_list::Action) -> Task<Message> {
        match action {
            message_list::Action::None => Task::none(),
            message_list::Action::Fetch(request) => {
                let service = self.service.clone();
                Task::perform(
                    async move {
                        let count = service.message_count(request.folder, request.query).await?;
                        let rows = service
                            .message_page(
                                request.folder,
                                request.query,
                                request.start,
                                request.limit,
                            )
                            .await?;
                        Ok(message_list::Page { count, rows })
                    },
                    move |result: crate::Result<_>| {
                        Message::List(message_list::Message::Loaded(
                            request,
                            result.map_err(UiError::from),
                        ))
                    },
                )
            }
            message_list::Action::Search {
                text,
                scope,
                generation,
            } => self.search(text, scope, generation),
            message_list::Action::Open { id, scroll_to } => {
                let load = self.load_message(id);
                let scroll = match scroll_to {
                    Some(y) => operation::scroll_to(
                        message_list::SCROLL_ID,
                        operation::AbsoluteOffset {
                            x: None,
                            y: Some(y),
                        },
                    ),
                    None => Task::none(),
                };
                // Opening a message marks it read, as in every mail client.
                let unread = self
                    .list
                    .row(id)
                    .is_some_and(|r| !r.flags.contains(Flags::SEEN));
                let mark = if unread {
                    self.set_flag(id, Flags::SEEN, true)
                } else {
                    Task::none()
                };
                Task::batch([load, scroll, mark])
            }
        }
    }

    /// Change a flag at once on screen, then in the store.
    fn set_flag(&mut self, id: MessageId, flag: Flags, on: bool) -> Task<Message> {
        if let Some(row) = self.list.row(id) {
            let flags = row.flags.with(flag, on);
            self.list.set_flags(id, flags);
            self.reader.set_flags(id, flags);
        }
        let service = self.service.clone();
        Task::perform(
            async move {
                match flag {
                    Flags::SEEN => service.set_read(vec![id], on).await,
                    Flags::ANSWERED => service.set_answered(vec![id], on).await,
                    Flags::FORWARDED => service.set_forwarded(vec![id], on).await,
                    _ => service.set_flagged(vec![id], on).await,
                }
            },
            |r| Message::FlagsSaved(r.map(|_| ()).map_err(UiError::from)),
        )
    }

    /// "Get messages": sync the selected folder's server account, or the
    /// first server account; ask for its password first if needed.
    fn get_messages(&mut self) -> Task<Message> {
        let selected = self.tree.selected().map(|f| f.account_id);
        let accounts = self.tree.accounts();
        // The selected folder's account, else the first server account.
        let remote = |a: &&crate::model::Account| a.kind != AccountKind::Local;
        let Some(account) = accounts
            .iter()
            .filter(remote)
            .find(|a| Some(a.id) == selected)
            .or_else(|| accounts.iter().find(remote))
        else {
            return Task::none();
        };
        self.sync_account(account.id)
    }

    /// Sync `account` now, asking for its password first if needed.
    fn sync_account(&mut self, account: AccountId) -> Task<Message> {
        if self.is_syncing(account) || self.offline {
            return Task::none();
        }
        if self.service.has_password(account) {
            return self.start_sync(account);
        }
        let Some(found) = self.tree.account(account) else {
            return Task::none();
        };
        let editor = Editor::Password {
            account,
            name: folder_tree::account_name(found),
            password: String::new(),
            remember: true,
        };
        self.open_editor(Some(editor))
    }

    fn import(&mut self, paths: Vec<PathBuf>) -> Task<Message> {
        if paths.is_empty() {
            return Task::none();
        }
        let target = match self.tree.selected() {
            Some(f) if f.account_id == LOCAL_ACCOUNT => f.id,
            _ => match self
                .tree
                .folders()
                .iter()
                .find(|f| f.account_id == LOCAL_ACCOUNT && f.role == Some(Role::Inbox))
            {
                Some(inbox) => inbox.id,
                None => return Task::none(),
            },
        };
        self.status = Status::Importing(Progress::default());
        let service = self.service.clone();
        Task::run(import_stream(service, paths, target), Message::Importing)
    }
}

/// Import files one after another, reporting progress as batches commit.
fn import_stream(
    service: Service,
    paths: Vec<PathBuf>,
    folder: FolderId,
) -> impl futures::Stream<Item = ImportEvent> {
    let (tx, rx) = futures::channel::mpsc::unbounded();
    let work = async move {
        let mut total = Progress::default();
        for path in paths {
            let base = total;
            let tx = tx.clone();
            let p = service
                .import(path, folder, move |p| {
                    let _ = tx.unbounded_send(add(base, *p));
                })
                .await?;
            total = add(base, p);
        }
        Ok(total)
    };
    let done = futures::stream::once(work)
        .map(|r: crate::Result<Progress>| ImportEvent::Done(r.map_err(UiError::from)));
    futures::stream::select(rx.map(ImportEvent::Progress), done)
}

fn add(a: Progress, b: Progress) -> Progress {
    Progress {
        imported: a.imported + b.imported,
        duplicates: a.duplicates + b.duplicates,
        failed: a.failed + b.failed,
        bytes_read: a.bytes_read + b.bytes_read,
        bytes_total: a.bytes_total + b.bytes_total,
    }
}

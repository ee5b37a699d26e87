//! The folder tree: every account a root, its folders nested below with
//! their unread counts.

use crate::fl;
use crate::i18n;
use crate::model::{Account, AccountKind, Folder, FolderId, Role};
use crate::sync::Stage;
use crate::sync::status::AccountStatus;
use crate::ui::component::folder_menu::{self, Item};
use crate::ui::{icon, theme};
use iced::widget::{Column, button, container, mouse_area, row, scrollable, space, text};
use iced::{Alignment, Element, Fill, Font, font};

#[derive(Debug, Default)]
pub struct FolderTree {
    accounts: Vec<Account>,
    folders: Vec<Folder>,
    selected: Option<FolderId>,
    /// The folder under the pointer: where dragged messages would land.
    hovered: Option<FolderId>,
    /// Whether messages are being dragged (hovered folders light up).
    dragging: bool,
    /// The folder whose context menu is open.
    menu: Option<FolderId>,
    /// What each server account's connection is doing.
    statuses: std::collections::HashMap<crate::model::AccountId, AccountStatus>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Select(FolderId),
    Hovered(FolderId),
    Left(FolderId),
    OpenMenu(FolderId),
    CloseMenu,
    Chose(FolderId, Item),
}

pub enum Action {
    None,
    Selected(FolderId),
    Menu(FolderId, Item),
}

/// The name shown for a folder: special folders in the user's language.
pub fn display_name(folder: &Folder) -> String {
    match folder.role {
        Some(role) => i18n::text(&format!("folder-{}", role.as_str())),
        None => folder.name.clone(),
    }
}

pub fn account_name(account: &Account) -> String {
    match account.kind {
        AccountKind::Local => fl!("account-local"),
        _ => account.name.clone(),
    }
}

impl FolderTree {
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Select(id) => {
                self.selected = Some(id);
                // Choosing another folder closes an open menu.
                if self.menu != Some(id) {
                    self.menu = None;
                }
                Action::Selected(id)
            }
            Message::Hovered(id) => {
                self.hovered = Some(id);
                Action::None
            }
            Message::Left(id) => {
                if self.hovered == Some(id) {
                    self.hovered = None;
                }
                Action::None
            }
            Message::OpenMenu(id) => {
                self.menu = Some(id);
                if self.selected != Some(id) {
                    self.selected = Some(id);
                    return Action::Selected(id);
                }
                Action::None
            }
            Message::CloseMenu => {
                self.menu = None;
                Action::None
            }
            Message::Chose(id, item) => {
                self.menu = None;
                Action::Menu(id, item)
            }
        }
    }

    pub fn set_status(&mut self, account: crate::model::AccountId, status: AccountStatus) {
        self.statuses.insert(account, status);
    }

    pub fn status(&self, account: crate::model::AccountId) -> Option<&AccountStatus> {
        self.statuses.get(&account)
    }

    pub fn hovered(&self) -> Option<FolderId> {
        self.hovered
    }

    pub fn set_dragging(&mut self, dragging: bool) {
        self.dragging = dragging;
    }

    pub fn menu(&self) -> Option<FolderId> {
        self.menu
    }

    pub fn account(&self, id: crate::model::AccountId) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// Whether `id` is the Trash or a folder inside it.
    pub fn is_in_trash(&self, id: FolderId) -> bool {
        let mut current = self.folder(id);
        while let Some(folder) = current {
            if folder.role == Some(Role::Trash) {
                return true;
            }
            current = folder.parent_id.and_then(|p| self.folder(p));
        }
        false
    }

    /// The context menu's items for `id`.
    pub fn menu_items(&self, id: FolderId) -> Vec<Item> {
        let Some(folder) = self.folder(id) else {
            return Vec::new();
        };
        let kind = self
            .account(folder.account_id)
            .map_or(AccountKind::Local, |a| a.kind);
        let in_trash = folder.role != Some(Role::Trash) && self.is_in_trash(id);
        folder_menu::items(folder, kind, in_trash)
    }

    /// Replace the tree's data, keeping the selection when it still exists.
    pub fn set_data(&mut self, accounts: Vec<Account>, folders: Vec<Folder>) {
        self.accounts = accounts;
        self.folders = folders;
        if self.selected.is_some_and(|id| {
            id != FolderId::ALL_INBOXES && !self.folders.iter().any(|f| f.id == id)
        }) {
            self.selected = None;
        }
    }

    pub fn selected(&self) -> Option<&Folder> {
        let id = self.selected?;
        self.folders.iter().find(|f| f.id == id)
    }

    pub fn folder(&self, id: FolderId) -> Option<&Folder> {
        self.folders.iter().find(|f| f.id == id)
    }

    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    pub fn has_server_accounts(&self) -> bool {
        self.accounts.iter().any(|a| a.kind != AccountKind::Local)
    }

    pub fn folders(&self) -> &[Folder] {
        &self.folders
    }

    /// The first account's Inbox: what to show at start-up.
    pub fn default_folder(&self) -> Option<FolderId> {
        let account = self.accounts.first()?;
        self.folders
            .iter()
            .find(|f| f.account_id == account.id && f.role == Some(Role::Inbox))
            .or_else(|| self.folders.first())
            .map(|f| f.id)
    }

    /// Unread messages of every Inbox together, when there is more than
    /// one Inbox (only then is "All Inboxes" shown).
    pub fn all_inboxes_unread(&self) -> Option<u32> {
        let inboxes = self.folders.iter().filter(|f| f.role == Some(Role::Inbox));
        let (count, unread) = inboxes.fold((0, 0), |(n, u), f| (n + 1, u + f.unread));
        (count > 1).then_some(unread)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut items = Column::new().spacing(1).padding([8, 6]);
        if let Some(unread) = self.all_inboxes_unread() {
            items = items.push(self.all_inboxes_row(unread));
        }
        for account in &self.accounts {
            items = items.push(
                container(
                    row![
                        icon::view(
                            icon::account(),
                            15.0,
                            iced::Color::from_rgb8(0x55, 0x5b, 0x66)
                        ),
                        container(text(account_name(account)).size(13).font(Font {
                            weight: font::Weight::Bold,
                            ..Font::DEFAULT
                        }))
                        .width(Fill),
                    ]
                    .push(self.statuses.get(&account.id).map(status_badge))
                    .spacing(8)
                    .align_y(Alignment::Center),
                )
                .padding([8, 8]),
            );
            for (folder, depth) in crate::model::tree_order(&self.folders, account.id) {
                items = items.push(self.folder_row(folder, depth));
                if self.menu == Some(folder.id) {
                    let id = folder.id;
                    items = items.push(folder_menu::view(
                        &self.menu_items(id),
                        28.0 + 16.0 * depth as f32,
                        move |item| Message::Chose(id, item),
                    ));
                }
            }
        }
        scrollable(items)
            .direction(theme::scrollbar())
            .height(Fill)
            .into()
    }

    fn folder_row<'a>(&self, folder: &'a Folder, depth: usize) -> Element<'a, Message> {
        let selected = self.selected == Some(folder.id);
        let content = row_content(
            12.0 + 16.0 * depth as f32,
            folder.role,
            display_name(folder),
            folder.unread,
        );
        let target = self.dragging && self.hovered == Some(folder.id);
        let row = button(content)
            .width(Fill)
            .padding([6, 6])
            .on_press(Message::Select(folder.id));
        let row = if target {
            row.style(theme::drop_target)
        } else {
            row.style(theme::row(selected))
        };
        mouse_area(row)
            .on_enter(Message::Hovered(folder.id))
            .on_exit(Message::Left(folder.id))
            .on_right_press(Message::OpenMenu(folder.id))
            .into()
    }
}

impl FolderTree {
    /// "All Inboxes" with the unread count of them all. Not a drop target
    /// and without a menu: it is a view, not a folder.
    fn all_inboxes_row(&self, unread: u32) -> Element<'_, Message> {
        let content = row_content(4.0, Some(Role::Inbox), fl!("folder-all-inboxes"), unread);
        button(content)
            .width(Fill)
            .padding([6, 6])
            .style(theme::row(self.selected == Some(FolderId::ALL_INBOXES)))
            .on_press(Message::Select(FolderId::ALL_INBOXES))
            .into()
    }
}

/// A tree row's face: indent, the role's icon, the name (bold while
/// something is unread) and the unread badge.
fn row_content<'a, M: 'a>(
    indent: f32,
    role: Option<Role>,
    label: String,
    unread: u32,
) -> iced::widget::Row<'a, M> {
    let weight = if unread > 0 {
        font::Weight::Bold
    } else {
        font::Weight::Normal
    };
    let name = text(label)
        .size(14)
        .font(Font {
            weight,
            ..Font::DEFAULT
        })
        .wrapping(text::Wrapping::None);
    let count: Element<'a, M> = if unread > 0 {
        container(text(fl!("folder-unread", count = unread)).size(11))
            .padding([1, 7])
            .style(theme::badge)
            .into()
    } else {
        space().into()
    };
    row![
        space().width(indent),
        icon::view(
            icon::for_role(role),
            16.0,
            iced::Color::from_rgb8(0x4a, 0x55, 0x68)
        ),
        container(name).width(Fill).clip(true),
        count,
    ]
    .spacing(8)
    .align_y(Alignment::Center)
}

/// A word and a coloured dot for an account's connection.
fn status_badge(status: &AccountStatus) -> Element<'_, Message> {
    let (label, color) = match status {
        AccountStatus::Online { .. } => (fl!("account-state-online"), theme::ONLINE),
        AccountStatus::Connecting => (fl!("account-state-connecting"), theme::BUSY),
        AccountStatus::Syncing(p) if p.stage == Stage::Indexing => {
            (fl!("account-state-indexing"), theme::BUSY)
        }
        AccountStatus::Syncing(p) if p.stage == Stage::Download => {
            (fl!("account-state-downloading"), theme::BUSY)
        }
        AccountStatus::Syncing(p) if p.folder_count > 0 => {
            let index = p.folder_index + 1;
            (
                fl!(
                    "account-state-syncing",
                    index = index,
                    count = p.folder_count
                ),
                theme::BUSY,
            )
        }
        AccountStatus::Syncing(_) => (fl!("account-state-connecting"), theme::BUSY),
        AccountStatus::Offline => (fl!("account-state-offline"), theme::IDLE),
        AccountStatus::Error { .. } => (fl!("account-state-error"), theme::FAILED),
    };
    row![
        text("●").size(10).color(color),
        text(label).size(11).color(color),
    ]
    .spacing(4)
    .align_y(Alignment::Center)
    .into()
}

/// Data for the tree, loaded together so the view is never half-updated.
pub async fn load(service: crate::Service) -> crate::Result<(Vec<Account>, Vec<Folder>)> {
    Ok((service.accounts().await?, service.folders().await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AccountId;

    fn folder(id: i64, role: Option<Role>, name: &str) -> Folder {
        Folder {
            id: FolderId(id),
            account_id: AccountId(1),
            parent_id: None,
            name: name.into(),
            role,
            unread: 0,
            total: 0,
            subscribed: true,
        }
    }

    #[test]
    fn selection_survives_reload_only_if_folder_remains() {
        let account = Account {
            id: AccountId(1),
            kind: AccountKind::Local,
            name: "Local Folders".into(),
            email: None,
        };
        let mut tree = FolderTree::default();
        tree.set_data(
            vec![account.clone()],
            vec![
                folder(1, Some(Role::Inbox), "Inbox"),
                folder(2, None, "Projects"),
            ],
        );
        assert_eq!(tree.default_folder(), Some(FolderId(1)));
        assert!(matches!(
            tree.update(Message::Select(FolderId(2))),
            Action::Selected(FolderId(2))
        ));
        tree.set_data(
            vec![account.clone()],
            vec![
                folder(1, Some(Role::Inbox), "Inbox"),
                folder(2, None, "Work"),
            ],
        );
        assert_eq!(tree.selected().map(|f| f.name.as_str()), Some("Work"));
        tree.set_data(vec![account], vec![folder(1, Some(Role::Inbox), "Inbox")]);
        assert!(tree.selected().is_none());
    }
}

//! A folder's context menu (right click, Shift+F10 or the Menu key):
//! what can be done to this folder, shown under it in the tree.

use crate::fl;
use crate::model::{AccountKind, Folder, Role};
use crate::ui::theme;
use iced::widget::{Column, button, container, text};
use iced::{Element, Fill};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    NewSubfolder,
    Rename,
    Delete,
    /// Subscribe (true) or unsubscribe on the server.
    Subscribe(bool),
    MarkAllRead,
    EmptyTrash,
    SyncNow,
    /// A POP3 account's choice of what happens to mail on the server.
    ServerCopies,
}

/// The items that apply to `folder` of an account of `kind`.
pub fn items(folder: &Folder, kind: AccountKind, in_trash: bool) -> Vec<Item> {
    let server = kind == AccountKind::Imap;
    let user_folder = folder.role.is_none();
    let mut items = vec![Item::NewSubfolder];
    if user_folder {
        items.extend([Item::Rename, Item::Delete]);
        if server {
            items.push(Item::Subscribe(!folder.subscribed));
        }
    }
    if folder.unread > 0 {
        items.push(Item::MarkAllRead);
    }
    if (folder.role == Some(Role::Trash) || in_trash) && folder.total > 0 {
        items.push(Item::EmptyTrash);
    }
    if kind != AccountKind::Local {
        items.push(Item::SyncNow);
    }
    if kind == AccountKind::Pop3 && folder.role == Some(Role::Inbox) {
        items.push(Item::ServerCopies);
    }
    items
}

pub fn label(item: Item) -> String {
    match item {
        Item::NewSubfolder => fl!("menu-new-subfolder"),
        Item::Rename => fl!("menu-rename"),
        Item::Delete => fl!("menu-delete"),
        Item::Subscribe(true) => fl!("menu-subscribe"),
        Item::Subscribe(false) => fl!("menu-unsubscribe"),
        Item::MarkAllRead => fl!("menu-mark-read"),
        Item::EmptyTrash => fl!("menu-empty"),
        Item::SyncNow => fl!("menu-sync-now"),
        Item::ServerCopies => fl!("menu-server-copies"),
    }
}

pub fn view<'a, M: Clone + 'a>(
    items: &[Item],
    indent: f32,
    on_choose: impl Fn(Item) -> M,
) -> Element<'a, M> {
    let entries = Column::with_children(items.iter().map(|&item| {
        button(text(label(item)).size(13))
            .width(Fill)
            .padding([5, 10])
            .style(theme::menu_item)
            .on_press(on_choose(item))
            .into()
    }));
    container(container(entries).padding(4).style(theme::menu))
        .padding(iced::Padding {
            left: indent,
            right: 6.0,
            top: 2.0,
            bottom: 4.0,
        })
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountId, FolderId};

    fn folder(role: Option<Role>, unread: u32, total: u32) -> Folder {
        Folder {
            id: FolderId(5),
            account_id: AccountId(2),
            parent_id: None,
            name: "Work".into(),
            role,
            unread,
            total,
            subscribed: true,
        }
    }

    #[test]
    fn items_fit_the_folder() {
        let work = folder(None, 2, 3);
        assert_eq!(
            items(&work, AccountKind::Imap, false),
            vec![
                Item::NewSubfolder,
                Item::Rename,
                Item::Delete,
                Item::Subscribe(false),
                Item::MarkAllRead,
                Item::SyncNow
            ]
        );
        let trash = folder(Some(Role::Trash), 0, 4);
        assert_eq!(
            items(&trash, AccountKind::Local, false),
            vec![Item::NewSubfolder, Item::EmptyTrash]
        );
        let inbox = folder(Some(Role::Inbox), 0, 0);
        assert_eq!(
            items(&inbox, AccountKind::Pop3, false),
            vec![Item::NewSubfolder, Item::SyncNow, Item::ServerCopies]
        );
        let empty_trash = folder(Some(Role::Trash), 0, 0);
        assert!(!items(&empty_trash, AccountKind::Local, false).contains(&Item::EmptyTrash));
    }
}

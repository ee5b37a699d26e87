//! The mailbox screen's layout: the sidebar (actions, folder tree, folder
//! toolbar, inline prompt), the list and reader or the composer, and the
//! status line.

use super::{Mailbox, Message, Status, editor};
use crate::fl;
use crate::sync::status::AccountStatus;
use crate::ui::component::outbox;
use crate::ui::{icon, theme};
use iced::widget::{button, column, container, row, rule, text};
use iced::{Alignment, Element, Fill, FillPortion, Theme};

impl Mailbox {
    pub fn view(&self) -> Element<'_, Message> {
        let sidebar = column![
            container(
                row![
                    button(text(fl!("action-get-messages")).size(13))
                        .style(button::primary)
                        .on_press_maybe(
                            (!self.offline && self.tree.has_server_accounts())
                                .then_some(Message::GetMessages)
                        )
                        .width(Fill),
                    button(text(fl!("action-write")).size(13))
                        .style(theme::tool_button)
                        .on_press(Message::Write),
                ]
                .spacing(6)
            )
            .padding([10, 10]),
            self.tree.view().map(Message::Tree),
            self.outbox_entry(),
            self.folder_toolbar(),
        ]
        .push(self.editor.as_ref().map(editor::view));
        let sidebar = container(sidebar)
            .width(theme::SIDEBAR_WIDTH)
            .height(Fill)
            .style(theme::sidebar);
        let panes = match &self.composer {
            _ if self.certificate.is_some() && self.setup.is_none() => row![
                sidebar,
                rule::vertical(1),
                container(self.certificate_view())
                    .width(Fill)
                    .height(Fill)
                    .style(theme::pane),
            ],
            _ if self.setup.is_some() => row![
                sidebar,
                rule::vertical(1),
                container(self.setup.as_ref().map(|s| s.view().map(Message::Setup)))
                    .width(Fill)
                    .height(Fill)
                    .style(theme::pane),
            ],
            Some(composer) => row![
                sidebar,
                rule::vertical(1),
                container(composer.view().map(Message::Composer))
                    .width(Fill)
                    .height(Fill)
                    .style(theme::pane),
            ],
            None if self.outbox_open => row![
                sidebar,
                rule::vertical(1),
                container(outbox::view(&self.unsent).map(Message::Outbox))
                    .width(Fill)
                    .height(Fill)
                    .style(theme::pane),
            ],
            None => row![
                sidebar,
                rule::vertical(1),
                container(self.list.view().map(Message::List))
                    .width(FillPortion(2))
                    .height(Fill)
                    .style(theme::pane),
                rule::vertical(1),
                container(self.reader.view().map(Message::Reader))
                    .width(FillPortion(3))
                    .height(Fill)
                    .style(theme::pane),
            ],
        };
        column![panes.height(Fill), rule::horizontal(1), self.status_bar()].into()
    }

    /// "Outbox (n)" under the folders while something has not gone.
    fn outbox_entry(&self) -> Element<'_, Message> {
        if self.unsent.is_empty() {
            return column![].into();
        }
        let label = row![
            icon::view(icon::outbox(), 14.0, theme::ICON),
            text(fl!("outbox-entry", count = self.unsent.len())).size(13),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        container(
            button(label)
                .style(if self.outbox_open {
                    button::secondary
                } else {
                    button::text
                })
                .width(Fill)
                .on_press(Message::ShowOutbox),
        )
        .padding([2, 6])
        .into()
    }

    fn folder_toolbar(&self) -> Element<'_, Message> {
        let user_folder = self.user_folder().is_some();
        let small = |label: String, message: Option<Message>| {
            button(text(label).size(12))
                .style(button::text)
                .padding([4, 5])
                .on_press_maybe(message)
        };
        container(
            row![
                small(fl!("folder-new"), Some(Message::NewFolder)),
                small(
                    fl!("folder-rename"),
                    user_folder.then_some(Message::RenameFolder)
                ),
                small(
                    fl!("folder-delete"),
                    user_folder.then_some(Message::DeleteFolder)
                ),
                small(fl!("action-import"), Some(Message::Import)),
                small(fl!("action-add-account"), Some(Message::AddAccount)),
                small(
                    fl!("action-edit-account"),
                    self.selected_server_account().map(|_| Message::EditAccount)
                ),
            ]
            .spacing(2)
            // Longer words (Kazakh) go on to a second line.
            .wrap(),
        )
        .padding([4, 6])
        .into()
    }

    fn status_bar(&self) -> Element<'_, Message> {
        let (label, is_error) = match &self.status {
            Status::Ready => (fl!("status-ready"), false),
            Status::Importing(p) => (fl!("import-progress", count = p.imported), false),
            Status::Imported(p) => (
                fl!(
                    "import-done",
                    imported = p.imported,
                    duplicates = p.duplicates,
                    failed = p.failed
                ),
                false,
            ),
            Status::Account(account, status) => (
                self.account_text(*account, status),
                matches!(status, AccountStatus::Error { .. }),
            ),
            Status::Dragging(count) => {
                let count = *count;
                (fl!("drag-hint", count = count), false)
            }
            Status::Done(text) => (text.clone(), false),
            Status::Error(e) => (e.text(), true),
        };
        let undo = self.undo.is_some().then(|| {
            button(text(fl!("action-undo")).size(12))
                .style(button::text)
                .padding([0, 6])
                .on_press(Message::Undo)
        });
        let count = if self.list.folder().is_some() {
            fl!("list-count", count = self.list.count())
        } else {
            String::new()
        };
        container(
            row![
                text(label)
                    .size(12)
                    .width(Fill)
                    .style(move |t: &Theme| text::Style {
                        color: is_error.then(|| theme::error_text(t)),
                    }),
            ]
            .push(undo)
            .push(text(count).size(12))
            .push(self.tree.has_server_accounts().then(|| {
                // Like other mail programs: the online switch lives in
                // the status line, beside what it affects.
                let label = if self.offline {
                    fl!("action-go-online")
                } else {
                    fl!("action-work-offline")
                };
                button(text(label).size(12))
                    .style(button::text)
                    .padding([0, 6])
                    .on_press(Message::ToggleOffline)
            }))
            .spacing(12)
            .align_y(Alignment::Center),
        )
        .padding([4, 12])
        .width(Fill)
        .style(theme::status_bar)
        .into()
    }
}

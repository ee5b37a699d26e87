//! Above the list: the search box with its scope, and how the list is
//! ordered and narrowed (sort, unread / flagged / with attachments,
//! conversations). While a search is shown, what it searched takes the
//! second line.

use super::{Message, MessageList};
use crate::fl;
use crate::model::Sort;
use crate::ui::{icon, theme};
use iced::widget::{button, column, container, pick_list, row, text, text_input, tooltip};
use iced::{Alignment, Element, Fill, Theme};

pub const SEARCH_ID: &str = "search";

/// Where a search looks, relative to what is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    Folder,
    Account,
    All,
}

impl Scope {
    const ALL: [Scope; 3] = [Scope::Folder, Scope::Account, Scope::All];
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            Scope::Folder => fl!("search-scope-folder"),
            Scope::Account => fl!("search-scope-account"),
            Scope::All => fl!("search-scope-all"),
        })
    }
}

/// The sort choices as the picker shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortChoice(pub Sort);

impl SortChoice {
    const ALL: [SortChoice; 4] = [
        SortChoice(Sort::Date),
        SortChoice(Sort::Sender),
        SortChoice(Sort::Subject),
        SortChoice(Sort::Size),
    ];
}

impl std::fmt::Display for SortChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self.0 {
            Sort::Date => fl!("sort-date"),
            Sort::Sender => fl!("sort-sender"),
            Sort::Subject => fl!("sort-subject"),
            Sort::Size => fl!("sort-size"),
        })
    }
}

/// A filter as an icon that stays pressed while on, named by its tooltip:
/// four words would not fit the list's width in every language.
fn toggle<'a>(
    handle: iced::widget::svg::Handle,
    label: String,
    on: bool,
    message: Message,
) -> Element<'a, Message> {
    let face = button(icon::view(handle, 15.0, theme::ICON))
        .style(if on {
            button::secondary
        } else {
            theme::tool_button
        })
        .padding([4, 7])
        .on_press(message);
    tooltip(
        face,
        container(text(label).size(12))
            .padding([3, 6])
            .style(container::bordered_box),
        tooltip::Position::Bottom,
    )
    .into()
}

impl MessageList {
    pub(super) fn toolbar(&self) -> Element<'_, Message> {
        let search = row![
            text_input(&fl!("search-placeholder"), &self.search_text)
                .id(SEARCH_ID)
                .size(13)
                .padding([5, 8])
                .on_input(Message::SearchInput)
                .on_submit(Message::SearchSubmit)
                .width(Fill),
            pick_list(Scope::ALL, Some(self.scope), Message::SearchScope)
                .text_size(12)
                .padding([5, 8]),
        ]
        .spacing(6)
        .align_y(Alignment::Center);
        let second: Element<'_, Message> = match &self.search {
            Some(search) => row![
                text(search.summary.clone())
                    .size(12)
                    .width(Fill)
                    .style(|t: &Theme| text::Style {
                        color: Some(theme::muted(t)),
                    }),
                button(text(fl!("search-clear")).size(12))
                    .style(theme::tool_button)
                    .padding([3, 8])
                    .on_press(Message::SearchClear),
            ]
            .align_y(Alignment::Center)
            .into(),
            None => {
                let q = &self.query;
                row![
                    pick_list(SortChoice::ALL, Some(SortChoice(q.sort)), |c| {
                        Message::Sort(c.0)
                    })
                    .text_size(12)
                    .padding([3, 8]),
                    button(text(if q.descending { "↓" } else { "↑" }).size(13))
                        .style(theme::tool_button)
                        .padding([3, 8])
                        .on_press(Message::ToggleDirection),
                    iced::widget::space().width(Fill),
                    toggle(
                        icon::unread(),
                        fl!("filter-unread"),
                        q.filter.unread,
                        Message::ToggleUnread
                    ),
                    toggle(
                        icon::star(),
                        fl!("filter-flagged"),
                        q.filter.flagged,
                        Message::ToggleFlagged
                    ),
                    toggle(
                        icon::paperclip(),
                        fl!("filter-attachments"),
                        q.filter.attachments,
                        Message::ToggleAttachments
                    ),
                    toggle(
                        icon::conversation(),
                        fl!("list-threads"),
                        q.threads,
                        Message::ToggleThreads
                    ),
                ]
                .spacing(4)
                .align_y(Alignment::Center)
                .into()
            }
        };
        container(column![search, second].spacing(6))
            .padding([8, 10])
            .width(Fill)
            .style(theme::header)
            .into()
    }
}

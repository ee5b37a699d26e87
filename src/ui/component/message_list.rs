//! The message list: newest first, virtual. Only a window of rows around
//! what is on screen is loaded from the store; the rest of the scroll
//! height is empty space, so a folder of 100,000 messages costs what one
//! of 50 does.

mod toolbar;

use crate::fl;
use crate::model::{Flags, FolderId, ListQuery, MessageId, MessageSummary, Sort};
use crate::ui::{UiError, icon, theme};
use iced::keyboard::Modifiers;
use iced::widget::{Column, column, container, mouse_area, row, scrollable, space, text};
use iced::{Alignment, Element, Fill, Font, Theme, font, mouse};

/// Height of one row in logical pixels (two lines of text plus padding).
pub const ROW_HEIGHT: f32 = 56.0;
/// Rows loaded beyond each edge of the viewport, so scrolling a little
/// never shows blank rows while the next page loads.
const MARGIN: usize = 30;
/// Rows assumed visible before the first layout tells the real height.
const DEFAULT_VISIBLE: usize = 30;
pub const SCROLL_ID: &str = "message-list";
pub use toolbar::{SEARCH_ID, Scope};

#[derive(Debug, Default)]
pub struct MessageList {
    folder: Option<FolderId>,
    count: usize,
    /// Index of `rows[0]` in the folder's full list.
    start: usize,
    rows: Vec<MessageSummary>,
    scroll_y: f32,
    viewport_height: f32,
    selected: Option<(usize, MessageId)>,
    /// Bumped on every folder switch so a late page for the old folder is dropped.
    generation: u64,
    pending: Option<PageRequest>,
    error: Option<UiError>,
    /// More messages chosen with Ctrl or Shift held (the open one too).
    marked: Vec<MessageId>,
    modifiers: Modifiers,
    hovered: Option<usize>,
    /// The row the mouse button went down on, and whether the pointer
    /// has left it since (then it is a drag, not a click).
    pressed: Option<usize>,
    dragging: bool,
    /// How the folder is ordered and narrowed.
    query: ListQuery,
    search_text: String,
    scope: Scope,
    /// Search results, shown in the folder's place while set.
    search: Option<SearchShown>,
}

/// A search on screen: what it searched, in words, and which hits came
/// from a server.
#[derive(Debug, Clone)]
pub struct SearchShown {
    pub summary: String,
    pub server: Vec<MessageId>,
}

/// Rows `start..start+limit` of `folder`, asked of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub folder: FolderId,
    pub query: ListQuery,
    pub start: usize,
    pub limit: usize,
    pub generation: u64,
}

/// A page as loaded: the folder's current count and the rows.
#[derive(Debug, Clone)]
pub struct Page {
    pub count: usize,
    pub rows: Vec<MessageSummary>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Scrolled(scrollable::Viewport),
    Loaded(PageRequest, Result<Page, UiError>),
    /// The mouse button went down on a row.
    Pressed(usize),
    Hovered(usize),
    Left(usize),
    SearchInput(String),
    SearchSubmit,
    SearchScope(Scope),
    SearchClear,
    /// Hits for the search of that generation, and what was searched.
    Searched(u64, Result<(Vec<MessageSummary>, SearchShown), UiError>),
    Sort(Sort),
    ToggleDirection,
    ToggleUnread,
    ToggleFlagged,
    ToggleAttachments,
    ToggleThreads,
}

#[derive(Debug, PartialEq)]
pub enum Action {
    None,
    Fetch(PageRequest),
    /// Show this message; scroll the list to `scroll_to` first if set.
    Open {
        id: MessageId,
        scroll_to: Option<f32>,
    },
    /// Search for `text` where `scope` says, answering with `Searched`.
    Search {
        text: String,
        scope: Scope,
        generation: u64,
    },
}

impl MessageList {
    pub fn folder(&self) -> Option<FolderId> {
        self.folder
    }

    pub fn count(&self) -> usize {
        self.count
    }

    pub fn selected(&self) -> Option<MessageId> {
        self.selected.map(|(_, id)| id)
    }

    /// Rows currently loaded, with the index of the first.
    pub fn loaded(&self) -> (usize, &[MessageSummary]) {
        (self.start, &self.rows)
    }

    /// Switch to `folder`, from the top, and ask for its first page. The
    /// order and filters stay; a search ends.
    pub fn open_folder(&mut self, folder: FolderId) -> Action {
        self.generation += 1;
        *self = MessageList {
            folder: Some(folder),
            generation: self.generation,
            viewport_height: self.viewport_height,
            query: self.query,
            scope: self.scope,
            ..MessageList::default()
        };
        self.request(0)
    }

    /// The list again from the top, as `query` orders it.
    fn requery(&mut self) -> Action {
        match self.folder {
            Some(folder) if self.search.is_none() => self.open_folder(folder),
            _ => Action::None,
        }
    }

    pub fn searching(&self) -> Option<&SearchShown> {
        self.search.as_ref()
    }

    /// Reload the rows on screen (after an import or a flag change).
    pub fn refresh(&mut self) -> Action {
        self.pending = None;
        self.request(self.first_visible())
    }

    /// Update a row's flags in place (optimistic: the store has them too).
    pub fn set_flags(&mut self, id: MessageId, flags: Flags) {
        if let Some(row) = self.rows.iter_mut().find(|r| r.id == id) {
            row.flags = flags;
        }
    }

    pub fn row(&self, id: MessageId) -> Option<&MessageSummary> {
        self.rows.iter().find(|r| r.id == id)
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Scrolled(viewport) => {
                self.scroll_y = viewport.absolute_offset().y;
                self.viewport_height = viewport.bounds().height;
                self.ensure_loaded()
            }
            Message::Loaded(request, result) => {
                if request.generation != self.generation
                    || Some(request.folder) != self.folder
                    || self.search.is_some()
                {
                    return Action::None;
                }
                if self.pending == Some(request) {
                    self.pending = None;
                }
                match result {
                    Ok(page) => {
                        self.error = None;
                        self.count = page.count;
                        self.start = request.start;
                        self.rows = page.rows;
                        // The selected message may have moved (new mail above it).
                        if let Some((_, id)) = self.selected {
                            self.selected = self
                                .rows
                                .iter()
                                .position(|r| r.id == id)
                                .map(|pos| (self.start + pos, id))
                                .or(self.selected);
                        }
                        self.ensure_loaded()
                    }
                    Err(e) => {
                        self.error = Some(e);
                        Action::None
                    }
                }
            }
            Message::Pressed(index) => self.press(index),
            Message::SearchInput(text) => {
                self.search_text = text;
                Action::None
            }
            Message::SearchScope(scope) => {
                self.scope = scope;
                if self.search.is_some() {
                    return self.update(Message::SearchSubmit);
                }
                Action::None
            }
            Message::SearchSubmit => {
                if self.search_text.trim().is_empty() {
                    return self.update(Message::SearchClear);
                }
                self.generation += 1;
                Action::Search {
                    text: self.search_text.trim().to_string(),
                    scope: self.scope,
                    generation: self.generation,
                }
            }
            Message::Searched(generation, result) => {
                if generation != self.generation {
                    return Action::None;
                }
                match result {
                    Ok((rows, shown)) => {
                        self.error = None;
                        self.pending = None;
                        self.count = rows.len();
                        self.start = 0;
                        self.rows = rows;
                        self.selected = None;
                        self.marked.clear();
                        self.search = Some(shown);
                    }
                    Err(e) => self.error = Some(e),
                }
                Action::None
            }
            Message::SearchClear => {
                self.search_text.clear();
                self.search = None;
                self.error = None;
                self.generation += 1;
                match self.folder {
                    Some(folder) => self.open_folder(folder),
                    None => Action::None,
                }
            }
            Message::Sort(sort) => {
                // A new order starts as people expect it: newest, A to Z,
                // largest.
                self.query.descending = matches!(sort, Sort::Date | Sort::Size);
                self.query.sort = sort;
                self.requery()
            }
            Message::ToggleDirection => {
                self.query.descending = !self.query.descending;
                self.requery()
            }
            Message::ToggleUnread => {
                self.query.filter.unread = !self.query.filter.unread;
                self.requery()
            }
            Message::ToggleFlagged => {
                self.query.filter.flagged = !self.query.filter.flagged;
                self.requery()
            }
            Message::ToggleAttachments => {
                self.query.filter.attachments = !self.query.filter.attachments;
                self.requery()
            }
            Message::ToggleThreads => {
                self.query.threads = !self.query.threads;
                self.requery()
            }
            Message::Hovered(index) => {
                self.hovered = Some(index);
                Action::None
            }
            Message::Left(index) => {
                if self.hovered == Some(index) {
                    self.hovered = None;
                }
                if self.pressed == Some(index) {
                    self.dragging = true;
                }
                Action::None
            }
        }
    }

    pub fn set_modifiers(&mut self, modifiers: Modifiers) {
        self.modifiers = modifiers;
    }

    /// The messages an action applies to: those marked, else the open one.
    pub fn selection(&self) -> Vec<MessageId> {
        if self.marked.is_empty() {
            self.selected().into_iter().collect()
        } else {
            self.marked.clone()
        }
    }

    pub fn is_marked(&self, id: MessageId) -> bool {
        self.marked.contains(&id) || self.selected() == Some(id)
    }

    /// The messages being dragged, once the pointer has left the row it
    /// pressed.
    pub fn dragged(&self) -> Option<Vec<MessageId>> {
        (self.pressed.is_some() && self.dragging).then(|| self.selection())
    }

    /// The mouse button came up (anywhere). A press on one of several
    /// marked rows that did not become a drag chooses that row alone.
    pub fn release(&mut self) -> Action {
        let pressed = self.pressed.take();
        let dragged = std::mem::take(&mut self.dragging);
        match pressed {
            Some(index) if !dragged && self.marked.len() > 1 => {
                self.marked.clear();
                self.select(index, false)
            }
            _ => Action::None,
        }
    }

    /// Messages moved or deleted: no longer chosen.
    pub fn forget(&mut self, ids: &[MessageId]) {
        self.marked.retain(|id| !ids.contains(id));
        if self.selected().is_some_and(|id| ids.contains(&id)) {
            self.selected = None;
        }
    }

    fn press(&mut self, index: usize) -> Action {
        let Some(id) = self.id_at(index) else {
            return Action::None;
        };
        if self.modifiers.command() {
            // Ctrl: add or remove one, keeping the others.
            if self.marked.is_empty() {
                self.marked.extend(self.selected());
            }
            match self.marked.iter().position(|m| *m == id) {
                Some(pos) => {
                    self.marked.remove(pos);
                }
                None => self.marked.push(id),
            }
            return Action::None;
        }
        if self.modifiers.shift() {
            // Shift: everything between the open message and this one.
            let anchor = self.selected.map(|(i, _)| i).unwrap_or(index);
            let (from, to) = (anchor.min(index), anchor.max(index));
            self.marked = (from..=to).filter_map(|i| self.id_at(i)).collect();
            return Action::None;
        }
        self.pressed = Some(index);
        self.dragging = false;
        if self.marked.len() > 1 && self.marked.contains(&id) {
            // Maybe the start of dragging them all; `release` decides.
            return Action::None;
        }
        self.marked.clear();
        self.select(index, false)
    }

    fn id_at(&self, index: usize) -> Option<MessageId> {
        index
            .checked_sub(self.start)
            .and_then(|pos| self.rows.get(pos))
            .map(|r| r.id)
    }

    pub fn select_next(&mut self) -> Action {
        match self.selected {
            Some((i, _)) if i + 1 < self.count => self.select(i + 1, true),
            None if self.count > 0 => self.select(self.first_visible(), true),
            _ => Action::None,
        }
    }

    pub fn select_previous(&mut self) -> Action {
        match self.selected {
            Some((i, _)) if i > 0 => self.select(i - 1, true),
            _ => Action::None,
        }
    }

    fn select(&mut self, index: usize, keep_visible: bool) -> Action {
        let Some(row) = index
            .checked_sub(self.start)
            .and_then(|pos| self.rows.get(pos))
        else {
            return Action::None;
        };
        self.selected = Some((index, row.id));
        let top = index as f32 * ROW_HEIGHT;
        let scroll_to = if !keep_visible {
            None
        } else if top < self.scroll_y {
            Some(top)
        } else if top + ROW_HEIGHT > self.scroll_y + self.viewport_height
            && self.viewport_height > 0.0
        {
            Some(top + ROW_HEIGHT - self.viewport_height)
        } else {
            None
        };
        Action::Open {
            id: row.id,
            scroll_to,
        }
    }

    fn first_visible(&self) -> usize {
        (self.scroll_y / ROW_HEIGHT).max(0.0) as usize
    }

    fn visible_rows(&self) -> usize {
        if self.viewport_height > 0.0 {
            (self.viewport_height / ROW_HEIGHT).ceil() as usize + 1
        } else {
            DEFAULT_VISIBLE
        }
    }

    /// Ask for a new window when the viewport runs off the loaded rows.
    fn ensure_loaded(&mut self) -> Action {
        let first = self.first_visible();
        let last = (first + self.visible_rows()).min(self.count);
        let loaded_end = self.start + self.rows.len();
        let covered = first >= self.start && last <= loaded_end;
        if covered || self.count == 0 {
            return Action::None;
        }
        self.request(first)
    }

    fn request(&mut self, first: usize) -> Action {
        let Some(folder) = self.folder else {
            return Action::None;
        };
        if self.search.is_some() {
            return Action::None;
        }
        let request = PageRequest {
            folder,
            query: self.query,
            start: first.saturating_sub(MARGIN),
            limit: self.visible_rows() + 2 * MARGIN,
            generation: self.generation,
        };
        if self.pending == Some(request) {
            return Action::None;
        }
        self.pending = Some(request);
        Action::Fetch(request)
    }

    pub fn view(&self) -> Element<'_, Message> {
        if self.folder.is_none() && self.search.is_none() {
            return placeholder(fl!("list-no-folder"));
        }
        column![self.toolbar(), self.rows_view()].into()
    }

    fn rows_view(&self) -> Element<'_, Message> {
        if let Some(error) = &self.error {
            return placeholder(error.text());
        }
        if self.count == 0 && self.pending.is_none() {
            return placeholder(if self.search.is_some() {
                fl!("search-nothing")
            } else {
                fl!("list-empty")
            });
        }
        let above = self.start as f32 * ROW_HEIGHT;
        let below = self.count.saturating_sub(self.start + self.rows.len()) as f32 * ROW_HEIGHT;
        let rows = Column::with_children(self.rows.iter().enumerate().map(|(pos, m)| {
            let index = self.start + pos;
            let selected = self.is_marked(m.id);
            let hovered = self.hovered == Some(index);
            let server = self
                .search
                .as_ref()
                .is_some_and(|s| s.server.contains(&m.id));
            mouse_area(row_view(m, selected, hovered, server))
                .on_press(Message::Pressed(index))
                .on_enter(Message::Hovered(index))
                .on_exit(Message::Left(index))
                .interaction(mouse::Interaction::Pointer)
                .into()
        }));
        scrollable(column![space().height(above), rows, space().height(below)].width(Fill))
            .direction(theme::scrollbar())
            .spacing(0)
            .id(SCROLL_ID)
            .on_scroll(Message::Scrolled)
            .height(Fill)
            .width(Fill)
            .into()
    }
}

fn placeholder<'a, M: 'a>(label: String) -> Element<'a, M> {
    container(text(label).size(14).style(|t: &Theme| text::Style {
        color: Some(theme::muted(t)),
    }))
    .center(Fill)
    .into()
}

fn bold_if(on: bool) -> Font {
    Font {
        weight: if on {
            font::Weight::Bold
        } else {
            font::Weight::Normal
        },
        ..Font::DEFAULT
    }
}

fn row_view(
    m: &MessageSummary,
    selected: bool,
    hovered: bool,
    server: bool,
) -> Element<'_, Message> {
    let unread = !m.flags.contains(Flags::SEEN);
    let subject = if m.subject.is_empty() {
        fl!("list-no-subject")
    } else {
        m.subject.clone()
    };
    let marks = row![]
        .spacing(4)
        .push((m.thread_size > 1).then(|| badge(m.thread_size.to_string())))
        .push(server.then(|| badge(fl!("search-from-server"))))
        .push(
            m.has_attachments
                .then(|| icon::view(icon::paperclip(), 13.0, theme::ICON)),
        )
        .push(
            m.flags
                .contains(Flags::FLAGGED)
                .then(|| icon::view(icon::star(), 13.0, iced::Color::from_rgb8(0xe0, 0x8e, 0x0b))),
        );
    let top = row![
        container(
            text(m.sender().to_string())
                .size(14)
                .font(bold_if(unread))
                .wrapping(text::Wrapping::None)
        )
        .width(Fill)
        .clip(true),
        marks,
        text(format_date(m.date))
            .size(12)
            .style(|t: &Theme| text::Style {
                color: Some(theme::muted(t))
            }),
    ]
    .spacing(8)
    .align_y(Alignment::Center);
    let bottom = container(
        text(subject)
            .size(13)
            .font(bold_if(unread))
            .wrapping(text::Wrapping::None),
    )
    .width(Fill)
    .clip(true);
    let marker =
        container(space().width(3).height(Fill)).style(move |t: &Theme| container::Style {
            background: unread.then(|| theme::accent(t).into()),
            ..container::Style::default()
        });
    container(
        row![marker, column![top, bottom].spacing(4).width(Fill)]
            .spacing(10)
            .align_y(Alignment::Center),
    )
    .height(ROW_HEIGHT)
    .width(Fill)
    .padding([7, 12])
    .style(theme::list_row(selected, hovered))
    .into()
}

/// A small rounded tag: a conversation's size, "server" on a search hit.
fn badge<'a>(label: String) -> Element<'a, Message> {
    container(text(label).size(11).style(|t: &Theme| text::Style {
        color: Some(theme::muted(t)),
    }))
    .padding([0, 5])
    .style(theme::tag(7.0))
    .into()
}

/// Today: the time; this year: day and month; else the full date.
pub fn format_date(unix: i64) -> String {
    use chrono::{Datelike, Local, TimeZone};
    let Some(date) = Local.timestamp_opt(unix, 0).single() else {
        return String::new();
    };
    let now = Local::now();
    if date.date_naive() == now.date_naive() {
        date.format("%H:%M").to_string()
    } else if date.year() == now.year() {
        date.format("%d.%m").to_string()
    } else {
        date.format("%d.%m.%Y").to_string()
    }
}

#[cfg(test)]
mod tests;

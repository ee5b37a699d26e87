//! The reader: the open message (or the conversation it belongs to, as a
//! stack), its headers, rendered body and attachments. Its layout lives in
//! `headers`, `document` and `attachments`; here is what it holds and what
//! it asks the mailbox to do.

mod attachments;
mod document;
mod headers;
mod stack;

use crate::fl;
use crate::mime::render::Rendered;
use crate::mime::reply::Kind;
use crate::model::{Flags, MessageId, MessageSummary, MessageView};
use crate::ui::{UiError, theme};
use iced::widget::text_editor;
use iced::widget::{Column, button, column, container, image, row, rule, scrollable, text};
use iced::{Alignment, Element, Fill, Theme};

pub use attachments::{is_risky, shown_name};

#[derive(Debug, Default)]
pub enum Reader {
    #[default]
    Empty,
    Loading(MessageId),
    Ready(Box<Shown>),
    Failed(MessageId, UiError),
}

/// A message on screen and what the reader shows around it.
#[derive(Debug)]
pub struct Shown {
    pub view: Box<MessageView>,
    images: Vec<image::Handle>,
    all_headers: bool,
    blocked_open: bool,
    /// "View source": the raw message, once loaded.
    source: Option<text_editor::Content>,
    /// A link the user clicked, shown in full before it opens.
    link: Option<String>,
    /// An attachment that runs code, waiting for "Open anyway".
    risky: Option<usize>,
    /// Saving would have replaced a file: the free name offered instead.
    conflict: Option<Conflict>,
    /// The other messages of its conversation (itself included), oldest
    /// first, when there are any.
    conversation: Vec<MessageSummary>,
    /// An attached message opened in place (Back returns).
    attached: Option<(Box<Rendered>, Vec<image::Handle>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub index: usize,
    pub dir: std::path::PathBuf,
    pub taken: String,
    pub suggested: String,
}

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(MessageId, Result<Box<MessageView>, UiError>),
    ConversationLoaded(MessageId, Result<Vec<MessageSummary>, UiError>),
    MarkUnread,
    ToggleFlag,
    /// Reply, reply to all, or forward the message shown.
    Respond(Kind),
    ToggleHeaders,
    ToggleBlocked,
    ShowSource,
    SourceLoaded(MessageId, Result<String, UiError>),
    SourceAction(text_editor::Action),
    CloseSource,
    LinkClicked(String),
    LinkOpen,
    LinkCopy,
    LinkCancel,
    OpenAttachment(usize),
    OpenAnyway,
    CancelOpen,
    SaveAttachment(usize),
    SaveAll,
    /// Save under the free name offered after a clash.
    SaveAsSuggested,
    CancelSave,
    AttachedLoaded(MessageId, Result<Box<Rendered>, UiError>),
    CloseAttached,
    /// Show another message of the conversation.
    ShowInConversation(MessageId),
}

#[derive(Debug, PartialEq)]
pub enum Action {
    None,
    SetRead(MessageId, bool),
    SetFlagged(MessageId, bool),
    Respond(Box<MessageView>, Kind),
    /// Load the conversation of the message just shown.
    LoadConversation(MessageId),
    LoadSource(MessageId),
    OpenLink(String),
    CopyLink(String),
    /// Open with the desktop's application (after any warning).
    OpenAttachment(MessageId, usize),
    /// Render an attached message in place.
    OpenAttached(MessageId, usize),
    /// Ask where to save one attachment, suggesting its safe name.
    SaveAttachment(MessageId, usize, String),
    SaveTo(MessageId, usize, std::path::PathBuf, String),
    SaveAll(MessageId),
    Show(MessageId),
}

impl Reader {
    pub fn shown(&self) -> Option<MessageId> {
        match self {
            Reader::Empty => None,
            Reader::Loading(id) | Reader::Failed(id, _) => Some(*id),
            Reader::Ready(shown) => Some(shown.view.summary.id),
        }
    }

    /// Start showing `id`; the caller loads it and sends `Loaded`.
    pub fn open(&mut self, id: MessageId) {
        *self = Reader::Loading(id);
    }

    pub fn clear(&mut self) {
        *self = Reader::Empty;
    }

    /// Keep the shown flags in step with the list.
    pub fn set_flags(&mut self, id: MessageId, flags: Flags) {
        if let Reader::Ready(shown) = self
            && shown.view.summary.id == id
        {
            shown.view.summary.flags = flags;
        }
    }

    /// Saving clashed with an existing file: offer `suggested` instead.
    pub fn offer_name(&mut self, conflict: Conflict) {
        if let Reader::Ready(shown) = self {
            shown.conflict = Some(conflict);
        }
    }

    fn ready(&mut self) -> Option<&mut Shown> {
        match self {
            Reader::Ready(shown) => Some(shown),
            _ => None,
        }
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Loaded(id, result) => {
                // Only the message still wanted is shown.
                if self.shown() != Some(id) {
                    return Action::None;
                }
                match result {
                    Ok(view) => {
                        // The conversation stays while moving within it.
                        let conversation = match self {
                            Reader::Ready(old) if old.conversation.iter().any(|m| m.id == id) => {
                                std::mem::take(&mut old.conversation)
                            }
                            _ => Vec::new(),
                        };
                        let images = handles(&view.rendered);
                        *self = Reader::Ready(Box::new(Shown {
                            view,
                            images,
                            all_headers: false,
                            blocked_open: false,
                            source: None,
                            link: None,
                            risky: None,
                            conflict: None,
                            conversation,
                            attached: None,
                        }));
                        Action::LoadConversation(id)
                    }
                    Err(e) => {
                        *self = Reader::Failed(id, e);
                        Action::None
                    }
                }
            }
            Message::ShowInConversation(id) => {
                if let Reader::Ready(shown) = self {
                    // Keep the stack on screen while the other loads.
                    shown.view.summary.id = id;
                }
                Action::Show(id)
            }
            message => self.update_shown(message),
        }
    }

    /// Messages that act on the message on screen.
    fn update_shown(&mut self, message: Message) -> Action {
        let Some(shown) = self.ready() else {
            return Action::None;
        };
        let id = shown.view.summary.id;
        match message {
            Message::ConversationLoaded(of, Ok(list)) if of == id => {
                shown.conversation = if list.len() > 1 { list } else { Vec::new() };
            }
            Message::MarkUnread => return Action::SetRead(id, false),
            Message::ToggleFlag => {
                return Action::SetFlagged(id, !shown.view.summary.flags.contains(Flags::FLAGGED));
            }
            Message::Respond(kind) => return Action::Respond(shown.view.clone(), kind),
            Message::ToggleHeaders => shown.all_headers = !shown.all_headers,
            Message::ToggleBlocked => shown.blocked_open = !shown.blocked_open,
            Message::ShowSource => return Action::LoadSource(id),
            Message::SourceLoaded(of, Ok(raw)) if of == id => {
                shown.source = Some(text_editor::Content::with_text(&raw));
            }
            Message::SourceLoaded(_, Err(e)) => *self = Reader::Failed(id, e),
            Message::SourceAction(action) => {
                // Select and copy, never edit: it is the message as it came.
                if let Some(content) = &mut shown.source
                    && !action.is_edit()
                {
                    content.perform(action);
                }
            }
            Message::CloseSource => shown.source = None,
            Message::LinkClicked(target) => shown.link = Some(target),
            Message::LinkOpen => {
                if let Some(target) = shown.link.take() {
                    return Action::OpenLink(target);
                }
            }
            Message::LinkCopy => {
                if let Some(target) = shown.link.take() {
                    return Action::CopyLink(target);
                }
            }
            Message::LinkCancel => shown.link = None,
            Message::OpenAttachment(index) => {
                let Some(a) = shown.view.attachments.get(index) else {
                    return Action::None;
                };
                if a.is_message() {
                    return Action::OpenAttached(id, index);
                }
                if is_risky(a) {
                    shown.risky = Some(index);
                } else {
                    return Action::OpenAttachment(id, index);
                }
            }
            Message::OpenAnyway => {
                if let Some(index) = shown.risky.take() {
                    return Action::OpenAttachment(id, index);
                }
            }
            Message::CancelOpen => shown.risky = None,
            Message::SaveAttachment(index) => {
                if let Some(a) = shown.view.attachments.get(index) {
                    return Action::SaveAttachment(id, index, shown_name(a));
                }
            }
            Message::SaveAll => return Action::SaveAll(id),
            Message::SaveAsSuggested => {
                if let Some(c) = shown.conflict.take() {
                    return Action::SaveTo(id, c.index, c.dir, c.suggested);
                }
            }
            Message::CancelSave => shown.conflict = None,
            Message::AttachedLoaded(of, Ok(rendered)) if of == id => {
                let images = handles(&rendered);
                shown.attached = Some((rendered, images));
            }
            Message::AttachedLoaded(of, Err(e)) if of == id => {
                *self = Reader::Failed(id, e);
            }
            Message::CloseAttached => shown.attached = None,
            _ => {}
        }
        Action::None
    }

    pub fn view(&self) -> Element<'_, Message> {
        match self {
            Reader::Empty => centered(fl!("reader-empty")),
            Reader::Loading(_) => centered(fl!("reader-loading")),
            Reader::Failed(_, error) => centered(error.text()),
            Reader::Ready(shown) => shown.view(),
        }
    }
}

/// Image handles for the message's own inline images, made once: a
/// handle made in `view` would be a new image to upload every frame.
fn handles(rendered: &Rendered) -> Vec<image::Handle> {
    rendered
        .document
        .images
        .iter()
        .map(|i| image::Handle::from_bytes(i.bytes.clone()))
        .collect()
}

fn centered<'a>(label: String) -> Element<'a, Message> {
    container(text(label).size(14).style(|t: &Theme| text::Style {
        color: Some(theme::muted(t)),
    }))
    .center(Fill)
    .into()
}

impl Shown {
    fn view(&self) -> Element<'_, Message> {
        if let Some((rendered, images)) = &self.attached {
            return attached_view(rendered, images);
        }
        let rendered = &self.view.rendered;
        let head = container(headers::view(self, &rendered.headers))
            .padding([16, 20])
            .width(Fill)
            .style(theme::header);
        let body: Element<'_, Message> = match &self.source {
            Some(content) => container(headers::source(content))
                .padding([12, 20])
                .height(Fill)
                .into(),
            None => {
                let mut page = Column::new().spacing(12).padding([16, 20]).width(Fill);
                page = page.push(self.asking());
                page = page.push(self.blocked_note());
                if !self.view.attachments.is_empty() {
                    page = page.push(attachments::view(&self.view.attachments));
                }
                page = page.push(document::view(&rendered.document, &self.images));
                scrollable(page).height(Fill).width(Fill).into()
            }
        };
        let single = column![head, rule::horizontal(1), body];
        if self.conversation.is_empty() {
            single.into()
        } else {
            stack::view(&self.conversation, self.view.summary.id, single.into())
        }
    }

    /// A question waiting for an answer: a link to open, a program to
    /// run, a file name already taken.
    fn asking(&self) -> Option<Element<'_, Message>> {
        let small = |label: String, message: Message| {
            button(text(label).size(12))
                .style(theme::tool_button)
                .padding([3, 8])
                .on_press(message)
        };
        if let Some(target) = &self.link {
            let host = crate::mime::render::Link {
                target: target.clone(),
            }
            .host()
            .unwrap_or_default();
            return Some(bar(column![
                text(fl!("link-ask", host = host)).size(13),
                text(target.as_str()).size(12).font(iced::Font::MONOSPACE),
                row![
                    small(fl!("link-open"), Message::LinkOpen),
                    small(fl!("link-copy"), Message::LinkCopy),
                    small(fl!("action-cancel"), Message::LinkCancel),
                ]
                .spacing(8),
            ]));
        }
        if let Some(index) = self.risky {
            let name = self
                .view
                .attachments
                .get(index)
                .map(shown_name)
                .unwrap_or_default();
            return Some(bar(column![
                text(fl!("attachment-risky", name = name)).size(13),
                row![
                    small(fl!("attachment-open-anyway"), Message::OpenAnyway),
                    small(fl!("action-cancel"), Message::CancelOpen),
                ]
                .spacing(8),
            ]));
        }
        if let Some(c) = &self.conflict {
            return Some(bar(column![
                text(fl!("attachment-exists", name = c.taken.clone())).size(13),
                row![
                    small(
                        fl!("attachment-save-as", name = c.suggested.clone()),
                        Message::SaveAsSuggested
                    ),
                    small(fl!("action-cancel"), Message::CancelSave),
                ]
                .spacing(8),
            ]));
        }
        None
    }

    /// What was not loaded: remote images and styles are never fetched.
    fn blocked_note(&self) -> Option<Element<'_, Message>> {
        let blocked = &self.view.rendered.document.blocked;
        if blocked.is_empty() {
            return None;
        }
        let mut note = Column::new().spacing(4).push(
            row![
                text(fl!("reader-blocked", count = blocked.len()))
                    .size(12)
                    .width(Fill),
                button(
                    text(if self.blocked_open {
                        fl!("reader-blocked-hide")
                    } else {
                        fl!("reader-blocked-show")
                    })
                    .size(12)
                )
                .style(button::text)
                .padding([0, 4])
                .on_press(Message::ToggleBlocked),
            ]
            .align_y(Alignment::Center),
        );
        if self.blocked_open {
            for url in blocked {
                note = note.push(text(url.as_str()).size(11).style(|t: &Theme| text::Style {
                    color: Some(theme::muted(t)),
                }));
            }
        }
        Some(
            container(note)
                .padding([6, 10])
                .width(Fill)
                .style(theme::notice)
                .into(),
        )
    }
}

fn bar<'a>(content: Column<'a, Message>) -> Element<'a, Message> {
    container(content.spacing(6))
        .padding([8, 10])
        .width(Fill)
        .style(theme::notice)
        .into()
}

/// An attached message, read in place of the one that carries it.
fn attached_view<'a>(rendered: &'a Rendered, images: &'a [image::Handle]) -> Element<'a, Message> {
    let h = &rendered.headers;
    let who = headers::mailboxes;
    let head = column![
        row![
            button(text(fl!("reader-back")).size(13))
                .style(theme::tool_button)
                .on_press(Message::CloseAttached),
            text(fl!("reader-attached-message"))
                .size(12)
                .style(|t: &Theme| {
                    text::Style {
                        color: Some(theme::muted(t)),
                    }
                }),
        ]
        .spacing(10)
        .align_y(Alignment::Center),
        text(h.subject.as_str()).size(18),
        text(format!("{}: {}", fl!("reader-from"), who(&h.from))).size(13),
        text(format!("{}: {}", fl!("reader-to"), who(&h.to))).size(13),
    ]
    .spacing(4);
    column![
        container(head)
            .padding([16, 20])
            .width(Fill)
            .style(theme::header),
        rule::horizontal(1),
        scrollable(container(document::view(&rendered.document, images)).padding([16, 20]))
            .height(Fill)
            .width(Fill),
    ]
    .into()
}

/// "1.2 MB"-style sizes with one decimal, decimal units as file managers use.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "kB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests;

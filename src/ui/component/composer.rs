//! The composer: From (an account that can send), To, Cc, Bcc, Subject,
//! the text, and attachments. It only collects what the user writes; the
//! mailbox screen hands the message to the service's outbox.

use crate::fl;
use crate::mime::compose::{Outgoing, OutgoingAttachment, split_addresses};
use crate::model::{AccountId, MessageId};
use crate::store::drafts::Draft;
use crate::ui::component::reader::human_size;
use crate::ui::theme;
use iced::keyboard::{Key, key::Named};
use iced::widget::{
    Column, button, column, container, pick_list, row, rule, scrollable, text, text_editor,
    text_input,
};
use iced::{Alignment, Element, Fill};

/// Attachments above this make the composer warn (many servers refuse
/// messages over 25 MB once encoded).
pub const LARGE_ATTACHMENTS: usize = 18 * 1024 * 1024;
/// Id of the To field, focused when the composer opens.
pub const TO_INPUT_ID: &str = "composer-to";
/// Id of the text.
pub const BODY_ID: &str = "composer-body";

/// An account mail can be sent from, as the From list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub account: AccountId,
    pub label: String,
}

impl std::fmt::Display for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

#[derive(Debug)]
pub struct Composer {
    pub senders: Vec<Sender>,
    pub from: Option<Sender>,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub body: text_editor::Content,
    pub attachments: Vec<OutgoingAttachment>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// Handed to the outbox, waiting for the outcome.
    pub sending: bool,
    /// Why the last try did not go (localized).
    pub problem: Option<String>,
    /// Esc with something written: asking before throwing it away.
    pub confirm_discard: bool,
    /// The message this replies to, marked answered once this is sent.
    pub answering: Option<MessageId>,
    /// Its saved draft, once saved (see `store::drafts`).
    pub draft_id: Option<i64>,
    /// Changed since the last save.
    pub dirty: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    From(Sender),
    To(String),
    Cc(String),
    Bcc(String),
    Subject(String),
    Body(text_editor::Action),
    Attach,
    Attached(Vec<OutgoingAttachment>),
    Remove(usize),
    Send,
    Close,
    Discard,
    /// Keep it as a draft (reopened at the next start) and close.
    SaveAndClose,
    KeepWriting,
}

/// What the screen does next.
#[derive(Debug)]
pub enum Action {
    None,
    /// Show the file picker (the screen owns tasks).
    PickFiles,
    Send(AccountId, Box<Outgoing>),
    /// Closed; its draft is to be forgotten.
    Closed,
    /// Closed; its draft is to be saved and kept.
    Kept,
}

impl Composer {
    pub fn new(senders: Vec<Sender>, from: Option<AccountId>) -> Composer {
        let from = senders
            .iter()
            .find(|s| Some(s.account) == from)
            .or(senders.first())
            .cloned();
        Composer {
            senders,
            from,
            to: String::new(),
            cc: String::new(),
            bcc: String::new(),
            subject: String::new(),
            body: text_editor::Content::new(),
            attachments: Vec::new(),
            in_reply_to: None,
            references: Vec::new(),
            sending: false,
            problem: None,
            confirm_discard: false,
            answering: None,
            draft_id: None,
            dirty: false,
        }
    }

    /// Start from a saved draft (recovered at start).
    pub fn restore(&mut self, draft: Draft) {
        if let Some(from) = self
            .senders
            .iter()
            .find(|s| Some(s.account) == draft.account)
        {
            self.from = Some(from.clone());
        }
        self.fill(draft.message);
        self.answering = draft.answering;
        self.draft_id = draft.id;
    }

    /// What is written now, as a draft to save.
    pub fn draft(&self) -> Draft {
        Draft {
            id: self.draft_id,
            account: self.from.as_ref().map(|s| s.account),
            message: self.message(),
            answering: self.answering,
        }
    }

    /// Start from a prepared reply or forward of `original`.
    pub fn prefill(&mut self, draft: Outgoing, original: MessageId) {
        self.answering = draft.in_reply_to.is_some().then_some(original);
        self.fill(draft);
    }

    /// The fields from `m` (its From is the composer's own choice).
    fn fill(&mut self, m: Outgoing) {
        self.to = m.to.join(", ");
        self.cc = m.cc.join(", ");
        self.bcc = m.bcc.join(", ");
        self.subject = m.subject;
        self.body = text_editor::Content::with_text(&m.body);
        self.attachments = m.attachments;
        self.in_reply_to = m.in_reply_to;
        self.references = m.references;
    }

    /// Nothing written yet: closing loses nothing.
    pub fn is_blank(&self) -> bool {
        self.to.trim().is_empty()
            && self.cc.trim().is_empty()
            && self.bcc.trim().is_empty()
            && self.subject.trim().is_empty()
            && self.body.text().trim().is_empty()
            && self.attachments.is_empty()
    }

    pub fn update(&mut self, message: Message) -> Action {
        if matches!(
            message,
            Message::From(_)
                | Message::To(_)
                | Message::Cc(_)
                | Message::Bcc(_)
                | Message::Subject(_)
                | Message::Attached(_)
                | Message::Remove(_)
        ) || matches!(&message, Message::Body(action) if action.is_edit())
        {
            self.dirty = true;
        }
        match message {
            Message::From(sender) => self.from = Some(sender),
            Message::To(v) => self.to = v,
            Message::Cc(v) => self.cc = v,
            Message::Bcc(v) => self.bcc = v,
            Message::Subject(v) => self.subject = v,
            Message::Body(action) => self.body.perform(action),
            Message::Attach => return Action::PickFiles,
            Message::Attached(files) => self.attachments.extend(files),
            Message::Remove(i) => {
                if i < self.attachments.len() {
                    self.attachments.remove(i);
                }
            }
            Message::Send => return self.send(),
            Message::Close if self.is_blank() || self.confirm_discard => return Action::Closed,
            Message::Close => self.confirm_discard = true,
            Message::Discard => return Action::Closed,
            Message::SaveAndClose => return Action::Kept,
            Message::KeepWriting => self.confirm_discard = false,
        }
        Action::None
    }

    fn send(&mut self) -> Action {
        let Some(from) = &self.from else {
            return Action::None;
        };
        if self.sending || !self.has_recipient() {
            return Action::None;
        }
        let account = from.account;
        self.sending = true;
        self.problem = None;
        Action::Send(account, Box::new(self.message()))
    }

    fn message(&self) -> Outgoing {
        Outgoing {
            from: String::new(),
            to: split_addresses(&self.to),
            cc: split_addresses(&self.cc),
            bcc: split_addresses(&self.bcc),
            subject: self.subject.clone(),
            body: self.body.text(),
            attachments: self.attachments.clone(),
            in_reply_to: self.in_reply_to.clone(),
            references: self.references.clone(),
        }
    }

    fn has_recipient(&self) -> bool {
        [&self.to, &self.cc, &self.bcc]
            .iter()
            .any(|f| !split_addresses(f).is_empty())
    }

    /// The outbox did not take it, or the server refused it: back to
    /// writing, with the reason shown.
    pub fn failed(&mut self, problem: String) {
        self.sending = false;
        self.problem = Some(problem);
    }

    pub fn view(&self) -> Element<'_, Message> {
        let label = |s: String| text(s).size(12).width(70);
        let field = |name: String, value: &str, on_input: fn(String) -> Message| {
            row![
                label(name),
                text_input("", value)
                    .on_input(on_input)
                    .on_submit(Message::Send)
                    .size(13)
                    .padding(6)
            ]
            .spacing(8)
            .align_y(Alignment::Center)
        };
        let from = row![
            label(fl!("compose-from")),
            pick_list(self.senders.as_slice(), self.from.as_ref(), Message::From)
                .text_size(13)
                .width(Fill)
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        let to = row![
            label(fl!("compose-to")),
            text_input(&fl!("compose-to-placeholder"), &self.to)
                .id(TO_INPUT_ID)
                .on_input(Message::To)
                .size(13)
                .padding(6)
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        let body = text_editor(&self.body)
            .id(BODY_ID)
            .placeholder(fl!("compose-body-placeholder"))
            .on_action(Message::Body)
            .key_binding(|press| {
                let enter = matches!(press.key, Key::Named(Named::Enter));
                if enter && press.modifiers.command() {
                    return Some(text_editor::Binding::Custom(Message::Send));
                }
                if matches!(press.key, Key::Named(Named::Escape)) {
                    return Some(text_editor::Binding::Custom(Message::Close));
                }
                text_editor::Binding::from_key_press(press)
            })
            .size(14)
            .padding(8)
            .height(Fill);
        let header = column![
            from,
            to,
            field(fl!("compose-cc"), &self.cc, Message::Cc),
            field(fl!("compose-bcc"), &self.bcc, Message::Bcc),
            field(fl!("compose-subject"), &self.subject, Message::Subject),
        ]
        .spacing(6);
        column![
            container(header).padding([12, 16]).style(theme::header),
            rule::horizontal(1),
            container(body).padding([8, 16]).height(Fill),
            self.attachment_list(),
            rule::horizontal(1),
            container(self.actions()).padding([8, 16]),
        ]
        .into()
    }

    fn attachment_list(&self) -> Element<'_, Message> {
        if self.attachments.is_empty() {
            return column![].into();
        }
        let total: usize = self.attachments.iter().map(|a| a.data.len()).sum();
        let mut list = Column::new().spacing(4);
        for (i, a) in self.attachments.iter().enumerate() {
            list = list.push(
                row![
                    text(format!(
                        "📎 {} ({})",
                        a.name,
                        human_size(a.data.len() as u64)
                    ))
                    .size(12),
                    button(text(fl!("compose-remove")).size(11))
                        .style(button::text)
                        .padding([2, 6])
                        .on_press(Message::Remove(i)),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        }
        if total > LARGE_ATTACHMENTS {
            list = list.push(
                text(fl!("compose-large", size = human_size(total as u64)))
                    .size(12)
                    .style(|t: &iced::Theme| text::Style {
                        color: Some(theme::error_text(t)),
                    }),
            );
        }
        container(scrollable(list).height(iced::Length::Shrink))
            .padding([6, 16])
            .into()
    }

    fn actions(&self) -> Element<'_, Message> {
        if self.confirm_discard {
            return row![
                text(fl!("compose-discard-question")).size(13),
                button(text(fl!("compose-discard")).size(13))
                    .style(button::danger)
                    .on_press(Message::Discard),
                button(text(fl!("compose-save-draft")).size(13))
                    .style(button::secondary)
                    .on_press(Message::SaveAndClose),
                button(text(fl!("compose-keep-writing")).size(13))
                    .style(button::secondary)
                    .on_press(Message::KeepWriting),
            ]
            .spacing(10)
            .align_y(Alignment::Center)
            .into();
        }
        let can_send = !self.sending && self.from.is_some() && self.has_recipient();
        let mut actions = row![
            button(text(fl!("compose-send")).size(13))
                .style(button::primary)
                .on_press_maybe(can_send.then_some(Message::Send)),
            button(text(fl!("compose-attach")).size(13))
                .style(theme::tool_button)
                .on_press(Message::Attach),
            button(text(fl!("compose-close")).size(13))
                .style(button::text)
                .on_press(Message::Close),
        ]
        .spacing(10)
        .align_y(Alignment::Center);
        if self.sending {
            actions = actions.push(text(fl!("compose-sending")).size(12));
        }
        if let Some(problem) = &self.problem {
            actions =
                actions.push(
                    text(problem.clone())
                        .size(12)
                        .style(|t: &iced::Theme| text::Style {
                            color: Some(theme::error_text(t)),
                        }),
                );
        }
        actions.into()
    }
}

//! The composer: From (an account that can send), To, Cc, Bcc, Subject,
//! the text, and attachments. It only collects what the user writes; the
//! mailbox screen hands the message to the service's outbox.

use crate::fl;
use crate::mime::compose::{Outgoing, OutgoingAttachment, split_addresses};
use crate::model::{AccountId, MessageId};
use crate::store::drafts::Draft;
use crate::ui::component::reader::human_size;
use crate::ui::{icon, theme};
use iced::keyboard::{Key, key::Named};
use iced::widget::{
    Column, button, column, container, pick_list, row, rule, scrollable, text, text_editor,
    text_input,
};
use iced::{Alignment, Element, Fill};

/// Attachments above this make the composer warn when the server's own
/// limit is not known (many servers refuse messages over 25 MB once
/// encoded).
pub const LARGE_ATTACHMENTS: usize = 18 * 1024 * 1024;
/// Width of the field names, which the offers line up with.
const LABEL_WIDTH: f32 = 70.0;
/// Id of the To field, focused when the composer opens.
pub const TO_INPUT_ID: &str = "composer-to";
pub const CC_INPUT_ID: &str = "composer-cc";
pub const BCC_INPUT_ID: &str = "composer-bcc";
/// Id of the text.
pub const BODY_ID: &str = "composer-body";

/// An account mail can be sent from, as the From list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub account: AccountId,
    pub label: String,
    /// Put under new mail from it ('' for none).
    pub signature: String,
    /// The largest message its server takes, if known (EHLO SIZE).
    pub max_size: Option<u64>,
}

impl Sender {
    /// The signature as it goes under the text: after a blank line and
    /// the `-- ` separator readers recognise.
    fn signature_block(&self) -> String {
        match self.signature.trim_end() {
            "" => String::new(),
            signature => format!("\n\n-- \n{signature}"),
        }
    }
}

impl std::fmt::Display for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// An address field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    To,
    Cc,
    Bcc,
}

impl Field {
    fn input_id(self) -> &'static str {
        match self {
            Field::To => TO_INPUT_ID,
            Field::Cc => CC_INPUT_ID,
            Field::Bcc => BCC_INPUT_ID,
        }
    }
}

/// Addresses from the address book offered for what is being typed in
/// one address field; Up/Down choose, Enter or a click takes one.
#[derive(Debug, Clone, Default)]
pub struct Offers {
    field: Option<Field>,
    list: Vec<String>,
    chosen: usize,
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
    /// The message this forwards, marked forwarded once this is sent.
    pub forwarding: Option<MessageId>,
    /// Its saved draft, once saved (see `store::drafts`).
    pub draft_id: Option<i64>,
    /// Changed since the last save.
    pub dirty: bool,
    /// When a copy last went to Drafts (see the mailbox's autosave).
    pub filed_at: Option<std::time::Instant>,
    pub offers: Offers,
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
    /// The address book's answer for `typed` at the end of `Field`.
    Offered(Field, String, Vec<String>),
    /// Take offer number n.
    Accept(usize),
    OfferNext,
    OfferPrevious,
    /// Enter in an address field.
    Submit(Field),
    /// Ctrl+S: save the draft now.
    SaveDraft,
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
    /// Ask the address book about `typed`, at the end of this field.
    Complete(Field, String),
    /// Put the cursor back at the end of this field (an offer was taken).
    Focus(&'static str),
    /// Save the draft, and keep writing.
    Save,
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
        let signature = from.as_ref().map(Sender::signature_block);
        Composer {
            senders,
            from,
            to: String::new(),
            cc: String::new(),
            bcc: String::new(),
            subject: String::new(),
            body: text_editor::Content::with_text(&signature.unwrap_or_default()),
            attachments: Vec::new(),
            in_reply_to: None,
            references: Vec::new(),
            sending: false,
            problem: None,
            confirm_discard: false,
            answering: None,
            forwarding: None,
            draft_id: None,
            dirty: false,
            filed_at: None,
            offers: Offers::default(),
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
        self.forwarding = draft.in_reply_to.is_none().then_some(original);
        let signature = self.signature_block();
        self.fill(draft);
        let body = self.body.text();
        self.body = text_editor::Content::with_text(&format!("{body}{signature}"));
    }

    fn signature_block(&self) -> String {
        self.from
            .as_ref()
            .map(Sender::signature_block)
            .unwrap_or_default()
    }

    /// Another sender chosen: its signature takes the place of the last
    /// one's, if that is still where it was put.
    fn change_sender(&mut self, sender: Sender) {
        let old = self.signature_block();
        let new = sender.signature_block();
        let body = self.body.text();
        // The editor may add a final line break of its own.
        let trimmed = body.trim_end_matches('\n');
        if old != new && (old.is_empty() || trimmed.ends_with(old.trim_end_matches('\n'))) {
            let kept = trimmed
                .strip_suffix(old.trim_end_matches('\n'))
                .unwrap_or(trimmed);
            self.body = text_editor::Content::with_text(&format!("{kept}{new}"));
        }
        self.from = Some(sender);
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
            && self.body.text().trim() == self.signature_block().trim()
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
            Message::From(sender) => self.change_sender(sender),
            Message::To(v) => return self.address_typed(Field::To, v),
            Message::Cc(v) => return self.address_typed(Field::Cc, v),
            Message::Bcc(v) => return self.address_typed(Field::Bcc, v),
            Message::Offered(field, typed, list) => {
                // Only the answer for what the field still ends with.
                if last_address(self.field(field)) == typed {
                    self.offers = Offers {
                        field: (!list.is_empty()).then_some(field),
                        list,
                        chosen: 0,
                    };
                }
            }
            Message::Accept(i) => return self.accept(i),
            Message::OfferNext | Message::OfferPrevious if !self.offers.list.is_empty() => {
                let n = self.offers.list.len();
                let step = if matches!(message, Message::OfferNext) {
                    1
                } else {
                    n - 1
                };
                self.offers.chosen = (self.offers.chosen + step) % n;
            }
            Message::OfferNext | Message::OfferPrevious => {}
            Message::Submit(field) if self.offers.field == Some(field) => {
                return self.accept(self.offers.chosen);
            }
            Message::Submit(Field::To) => {}
            Message::Submit(_) => return self.send(),
            Message::SaveDraft => return Action::Save,
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
            // Esc first puts the offers away.
            Message::Close if self.offers.field.is_some() => self.offers = Offers::default(),
            Message::Close if self.is_blank() || self.confirm_discard => return Action::Closed,
            Message::Close => self.confirm_discard = true,
            Message::Discard => return Action::Closed,
            Message::SaveAndClose => return Action::Kept,
            Message::KeepWriting => self.confirm_discard = false,
        }
        Action::None
    }

    fn field(&self, field: Field) -> &str {
        match field {
            Field::To => &self.to,
            Field::Cc => &self.cc,
            Field::Bcc => &self.bcc,
        }
    }

    fn field_mut(&mut self, field: Field) -> &mut String {
        match field {
            Field::To => &mut self.to,
            Field::Cc => &mut self.cc,
            Field::Bcc => &mut self.bcc,
        }
    }

    /// A change in an address field: ask the address book about the
    /// address being typed at its end, if any.
    fn address_typed(&mut self, field: Field, value: String) -> Action {
        *self.field_mut(field) = value;
        let typed = last_address(self.field(field)).to_string();
        if typed.is_empty() {
            self.offers = Offers::default();
            return Action::None;
        }
        Action::Complete(field, typed)
    }

    /// Put offer `i` in place of the address being typed.
    fn accept(&mut self, i: usize) -> Action {
        let (Some(field), Some(offer)) = (self.offers.field, self.offers.list.get(i)) else {
            return Action::None;
        };
        let offer = offer.clone();
        let value = self.field_mut(field);
        value.truncate(last_address_start(value));
        let value_trimmed = value.trim_end().to_string();
        *value = if value_trimmed.is_empty() {
            format!("{offer}, ")
        } else {
            format!("{value_trimmed} {offer}, ")
        };
        self.offers = Offers::default();
        self.dirty = true;
        Action::Focus(field.input_id())
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
            // The account's, added by the outbox.
            reply_to: None,
        }
    }

    /// Whether these offers are shown under `field` (for tests and view).
    pub fn offered(&self, field: Field) -> &[String] {
        if self.offers.field == Some(field) {
            &self.offers.list
        } else {
            &[]
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
        let label = |s: String| text(s).size(12).width(LABEL_WIDTH);
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
        let address = |name: String, f: Field, placeholder: String| {
            let input = text_input(&placeholder, self.field(f))
                .id(f.input_id())
                .on_input(move |v| match f {
                    Field::To => Message::To(v),
                    Field::Cc => Message::Cc(v),
                    Field::Bcc => Message::Bcc(v),
                })
                .on_submit(Message::Submit(f))
                .size(13)
                .padding(6);
            column![
                row![label(name), input]
                    .spacing(8)
                    .align_y(Alignment::Center),
                self.offer_list(f),
            ]
        };
        let from = row![
            label(fl!("compose-from")),
            pick_list(self.senders.as_slice(), self.from.as_ref(), Message::From)
                .text_size(13)
                .width(Fill)
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
            address(fl!("compose-to"), Field::To, fl!("compose-to-placeholder")),
            address(fl!("compose-cc"), Field::Cc, String::new()),
            address(fl!("compose-bcc"), Field::Bcc, String::new()),
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

    /// The address book's offers under an address field.
    fn offer_list(&self, field: Field) -> Element<'_, Message> {
        let mut list = Column::new().spacing(2).padding(iced::Padding {
            left: LABEL_WIDTH + 8.0,
            ..iced::Padding::ZERO
        });
        for (i, offer) in self.offered(field).iter().enumerate() {
            let style = if i == self.offers.chosen {
                button::primary
            } else {
                button::text
            };
            list = list.push(
                button(text(offer.clone()).size(12))
                    .style(style)
                    .padding([3, 8])
                    .width(Fill)
                    .on_press(Message::Accept(i)),
            );
        }
        list.into()
    }

    /// Why the attachments may be too large to send, if they may: above
    /// the From server's own limit when it is known, else above
    /// [`LARGE_ATTACHMENTS`].
    pub fn size_warning(&self) -> Option<String> {
        let total: u64 = self.attachments.iter().map(|a| a.data.len() as u64).sum();
        // Base64 makes four bytes of three; the text and headers come on
        // top.
        let encoded = total / 3 * 4 + 16 * 1024;
        match self.from.as_ref().and_then(|s| s.max_size) {
            Some(max) if encoded > max => Some(fl!(
                "compose-too-large",
                size = human_size(encoded),
                limit = human_size(max)
            )),
            Some(_) => None,
            None if total > LARGE_ATTACHMENTS as u64 => {
                Some(fl!("compose-large", size = human_size(total)))
            }
            None => None,
        }
    }

    fn attachment_list(&self) -> Element<'_, Message> {
        if self.attachments.is_empty() {
            return column![].into();
        }
        let mut list = Column::new().spacing(4);
        for (i, a) in self.attachments.iter().enumerate() {
            list = list.push(
                row![
                    icon::view(icon::paperclip(), 12.0, theme::ICON),
                    text(format!("{} ({})", a.name, human_size(a.data.len() as u64))).size(12),
                    button(text(fl!("compose-remove")).size(11))
                        .style(button::text)
                        .padding([2, 6])
                        .on_press(Message::Remove(i)),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        }
        if let Some(warning) = self.size_warning() {
            list = list.push(text(warning).size(12).style(|t: &iced::Theme| text::Style {
                color: Some(theme::error_text(t)),
            }));
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

/// The address being typed at the end of an address field: what follows
/// the last comma or semicolon, trimmed.
fn last_address(value: &str) -> &str {
    value
        .get(last_address_start(value)..)
        .unwrap_or_default()
        .trim()
}

fn last_address_start(value: &str) -> usize {
    value.rfind([',', ';']).map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn composer(max_size: Option<u64>, attached: usize) -> Composer {
        let sender = Sender {
            account: AccountId(2),
            label: "Shop <shop@example.kz>".into(),
            signature: String::new(),
            max_size,
        };
        let mut c = Composer::new(vec![sender], None);
        c.update(Message::Attached(vec![OutgoingAttachment {
            name: "photo.jpg".into(),
            mime_type: "image/jpeg".into(),
            data: vec![0; attached],
        }]));
        c
    }

    #[test]
    fn attachments_are_weighed_against_the_servers_own_limit() {
        // 1 MB becomes about 1.4 MB in base64: over a 1 MB server limit.
        let warning = composer(Some(1_000_000), 1_000_000)
            .size_warning()
            .unwrap_or_default();
        assert!(
            warning.contains("1.0 MB"),
            "the limit is named: {warning:?}"
        );
        assert_eq!(composer(Some(50_000_000), 20_000_000).size_warning(), None);
        // Unknown limit: only above the general 18 MB.
        assert_eq!(composer(None, 1_000_000).size_warning(), None);
        assert!(composer(None, 19 * 1024 * 1024).size_warning().is_some());
    }

    #[test]
    fn offers_are_taken_in_place_of_what_is_being_typed() {
        let mut c = composer(None, 0);
        let Action::Complete(Field::Cc, typed) = c.update(Message::Cc("a@x.kz; ай".into()))
        else {
            panic!("the address book is asked");
        };
        assert_eq!(typed, "ай");
        c.update(Message::Offered(
            Field::Cc,
            "ай".into(),
            vec!["Айгерим <ai@x.kz>".into(), "Айдос <d@x.kz>".into()],
        ));
        assert_eq!(c.offered(Field::Cc).len(), 2);
        assert!(c.offered(Field::To).is_empty());
        c.update(Message::OfferNext);
        assert!(matches!(
            c.update(Message::Submit(Field::Cc)),
            Action::Focus(CC_INPUT_ID)
        ));
        assert_eq!(c.cc, "a@x.kz; Айдос <d@x.kz>, ");
        // A late answer for what is no longer typed is dropped.
        c.update(Message::Offered(
            Field::Cc,
            "ай".into(),
            vec!["Айгерим <ai@x.kz>".into()],
        ));
        assert!(c.offered(Field::Cc).is_empty());
        // Esc puts offers away before anything else.
        c.update(Message::Cc("a@x.kz; б".into()));
        c.update(Message::Offered(
            Field::Cc,
            "б".into(),
            vec!["b@x.kz".into()],
        ));
        assert!(matches!(c.update(Message::Close), Action::None));
        assert!(c.offered(Field::Cc).is_empty() && !c.confirm_discard);
    }
}

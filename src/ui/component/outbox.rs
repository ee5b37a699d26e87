//! The Outbox: every message that has not gone yet, with what became of
//! it (waiting, being sent, refused with the server's words, or of unknown
//! fate), and what the user can do: send a refused or unknown one again,
//! or throw one away. Shown in place of the list and reader.

use crate::fl;
use crate::mime::parse;
use crate::store::outbox::{Outgoing, State};
use crate::ui::{icon, theme};
use iced::widget::{Column, button, column, container, row, rule, scrollable, text};
use iced::{Alignment, Element, Fill};

/// One message as the Outbox shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub subject: String,
    pub to: String,
    pub state: State,
    pub problem: Option<String>,
}

impl Entry {
    pub fn from_outgoing(o: &Outgoing) -> Entry {
        let header = parse::parse_header(&o.raw).unwrap_or_default();
        Entry {
            id: o.id,
            subject: header.subject,
            to: o.envelope_to.join(", "),
            state: o.state,
            problem: o.last_error.clone(),
        }
    }

    /// What became of it, in words.
    pub fn state_text(&self) -> String {
        let reason = self.problem.clone().unwrap_or_default();
        match self.state {
            State::Queued => fl!("outbox-waiting"),
            State::Submitting => fl!("outbox-submitting"),
            State::Failed => fl!("outbox-failed", reason = reason),
            State::Unknown => fl!("outbox-unknown"),
            State::Sent | State::Copied => fl!("compose-sent"),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    SendAgain(i64),
    Delete(i64),
}

pub fn view(entries: &[Entry]) -> Element<'_, Message> {
    let title = row![
        icon::view(icon::outbox(), 16.0, theme::ICON),
        text(fl!("outbox-title")).size(16),
    ]
    .spacing(8)
    .align_y(Alignment::Center);
    let mut list = Column::new().spacing(10);
    if entries.is_empty() {
        list = list.push(text(fl!("outbox-empty")).size(13));
    }
    for entry in entries {
        let again = matches!(entry.state, State::Failed | State::Unknown);
        let gone = entry.state != State::Submitting;
        let subject = match entry.subject.trim() {
            "" => fl!("list-no-subject"),
            s => s.to_string(),
        };
        let state_style = move |t: &iced::Theme| text::Style {
            color: matches!(entry.state, State::Failed | State::Unknown)
                .then(|| theme::error_text(t)),
        };
        list = list.push(
            column![
                text(subject).size(14),
                text(fl!("outbox-to", to = entry.to.as_str())).size(12),
                text(entry.state_text()).size(12).style(state_style),
                row![]
                    .push(again.then(|| {
                        button(text(fl!("outbox-send-again")).size(12))
                            .style(button::secondary)
                            .on_press(Message::SendAgain(entry.id))
                    }))
                    .push(gone.then(|| {
                        button(text(fl!("outbox-delete")).size(12))
                            .style(button::text)
                            .on_press(Message::Delete(entry.id))
                    }))
                    .spacing(8),
                rule::horizontal(1),
            ]
            .spacing(4),
        );
    }
    container(column![title, scrollable(list).height(Fill)].spacing(14))
        .padding([14, 18])
        .width(Fill)
        .height(Fill)
        .into()
}

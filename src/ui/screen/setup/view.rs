//! Account setup's layout: one card per step, with the steps named above
//! it so the user sees where they are.

use super::{EMAIL_ID, Field, Fields, Message, NAME_ID, Outcome, PASSWORD_ID, Setup, Side, Step};
use crate::account::{Protocol, Security};
use crate::fl;
use crate::ui::component::certificate;
use crate::ui::theme;
use iced::widget::{
    Column, button, checkbox, column, container, radio, row, scrollable, text, text_input,
};
use iced::{Alignment, Element, Fill, Theme};

const LABEL_WIDTH: f32 = 150.0;

fn label<'a>(s: String) -> iced::widget::Text<'a> {
    text(s).size(13).width(LABEL_WIDTH)
}

fn muted<'a>(s: String) -> iced::widget::Text<'a> {
    text(s).size(12).style(|t: &Theme| text::Style {
        color: Some(theme::muted(t)),
    })
}

fn warning<'a>(s: String) -> iced::widget::Text<'a> {
    text(s).size(12).style(|t: &Theme| text::Style {
        color: Some(theme::error_text(t)),
    })
}

impl Setup {
    pub fn view(&self) -> Element<'_, Message> {
        let title = if self.editing.is_some() {
            fl!("setup-edit-title")
        } else {
            fl!("setup-title")
        };
        let body = match self.step {
            Step::Identity => self.identity(),
            Step::Discovering => {
                self.waiting(fl!("setup-discovering", address = self.email.trim()))
            }
            Step::Review => self.review(),
            Step::Testing => self.waiting(fl!("setup-testing")),
            Step::Tested | Step::Saving => self.tested(),
        };
        let card = column![text(title).size(20), self.steps(), body]
            .spacing(16)
            .push(self.problem.as_ref().map(|p| warning(p.clone())))
            .max_width(640);
        scrollable(container(card).padding(24).center_x(Fill))
            .height(Fill)
            .into()
    }

    /// "1 Address · 2 Servers · 3 Check", the current one in bold colour.
    fn steps(&self) -> Element<'_, Message> {
        let current = match self.step {
            Step::Identity | Step::Discovering => 0,
            Step::Review => 1,
            Step::Testing | Step::Tested | Step::Saving => 2,
        };
        let names = [
            fl!("setup-step-address"),
            fl!("setup-step-servers"),
            fl!("setup-step-check"),
        ];
        let mut steps = row![].spacing(16);
        for (i, name) in names.into_iter().enumerate() {
            let here = i == current;
            steps = steps.push(text(format!("{} {name}", i + 1)).size(13).style(
                move |t: &Theme| text::Style {
                    color: Some(if here {
                        theme::accent(t)
                    } else {
                        theme::muted(t)
                    }),
                },
            ));
        }
        steps.into()
    }

    fn identity(&self) -> Element<'_, Message> {
        let input =
            |id: &'static str, placeholder: String, value: &str, on: fn(String) -> Message| {
                text_input(&placeholder, value)
                    .id(id)
                    .on_input(on)
                    .on_submit(Message::Discover)
                    .size(14)
                    .padding(8)
            };
        let field = |name: String, widget: iced::widget::TextInput<'static, Message>| {
            row![label(name), widget]
                .spacing(8)
                .align_y(Alignment::Center)
        };
        column![
            muted(fl!("setup-intro")),
            field(
                fl!("setup-name"),
                input(
                    NAME_ID,
                    fl!("setup-name-placeholder"),
                    &self.name,
                    Message::Name
                )
            ),
            field(
                fl!("setup-email"),
                input(
                    EMAIL_ID,
                    fl!("setup-email-placeholder"),
                    &self.email,
                    Message::Email
                )
            ),
            field(
                fl!("setup-password"),
                input(
                    PASSWORD_ID,
                    String::new(),
                    &self.password,
                    Message::Password
                )
                .secure(true)
            ),
            row![
                container(text("")).width(LABEL_WIDTH),
                checkbox(self.remember)
                    .label(fl!("setup-remember"))
                    .on_toggle(Message::Remember)
                    .size(16)
                    .text_size(13),
            ]
            .spacing(8),
            row![
                button(text(fl!("setup-cancel")).size(13))
                    .style(button::secondary)
                    .on_press(Message::Cancel),
                button(text(fl!("setup-manual")).size(13))
                    .style(button::secondary)
                    .on_press(Message::Manual),
                container(text("")).width(Fill),
                button(text(fl!("setup-continue")).size(13))
                    .style(button::primary)
                    .on_press(Message::Discover),
            ]
            .spacing(8),
        ]
        .spacing(12)
        .into()
    }

    fn waiting(&self, what: String) -> Element<'_, Message> {
        column![
            text(what).size(14),
            button(text(fl!("setup-cancel")).size(13))
                .style(button::secondary)
                .on_press(Message::Cancel),
        ]
        .spacing(12)
        .into()
    }

    fn review(&self) -> Element<'_, Message> {
        let mut found = Column::new().spacing(4);
        if let Some(source) = self.source_text() {
            found = found.push(text(source).size(13));
        } else if self.editing.is_some() {
            found = found.push(text(fl!("setup-edit-intro")).size(13));
        } else {
            found = found.push(text(fl!("setup-manual-intro")).size(13));
        }
        for problem in self.problem_texts() {
            found = found.push(warning(problem));
        }
        let protocol = |p: Protocol, name: String| {
            radio(name, p, Some(self.protocol), Message::Protocol)
                .size(16)
                .text_size(13)
        };
        let receive = column![
            row![
                label(fl!("setup-receive-with")),
                protocol(Protocol::Imap, "IMAP".into()),
                protocol(Protocol::Pop3, "POP3".into()),
            ]
            .spacing(16)
            .align_y(Alignment::Center),
            row![
                container(text("")).width(LABEL_WIDTH),
                muted(match self.protocol {
                    Protocol::Pop3 => fl!("setup-pop3-explained"),
                    _ => fl!("setup-imap-explained"),
                })
                .width(Fill),
            ]
            .spacing(8),
        ]
        .spacing(4)
        .push(self.both_offered().then(|| {
            row![
                container(text("")).width(LABEL_WIDTH),
                muted(fl!("setup-both-offered")).width(Fill)
            ]
            .spacing(8)
        }));
        let incoming_title = match self.protocol {
            Protocol::Pop3 => fl!("setup-incoming-pop3"),
            _ => fl!("setup-incoming-imap"),
        };
        let back = (self.editing.is_none()).then(|| {
            button(text(fl!("setup-back")).size(13))
                .style(button::secondary)
                .on_press(Message::Back)
        });
        let identity = self.editing.map(|_| {
            let field = |name: String, value: &str, on: fn(String) -> Message| {
                row![
                    label(name),
                    text_input("", value)
                        .on_input(on)
                        .size(13)
                        .padding(6)
                        .width(Fill)
                ]
                .spacing(8)
                .align_y(Alignment::Center)
            };
            column![
                field(fl!("setup-name"), &self.name, Message::Name),
                field(fl!("setup-email"), &self.email, Message::Email),
                row![
                    label(fl!("setup-password")),
                    text_input(&fl!("setup-password-keep"), &self.password)
                        .id(PASSWORD_ID)
                        .secure(true)
                        .on_input(Message::Password)
                        .size(13)
                        .padding(6)
                        .width(Fill)
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            ]
            .spacing(8)
        });
        column![found]
            .push(identity)
            .push(
                column![
                    receive,
                    server(incoming_title, Side::Incoming, &self.incoming),
                    server(fl!("setup-outgoing"), Side::Outgoing, &self.outgoing),
                    muted(fl!("setup-nothing-sent-yet")),
                ]
                .spacing(16),
            )
            .push(
                row![]
                    .push(back)
                    .push(
                        button(text(fl!("setup-cancel")).size(13))
                            .style(button::secondary)
                            .on_press(Message::Cancel),
                    )
                    .push(container(text("")).width(Fill))
                    .push(
                        button(text(fl!("setup-test")).size(13))
                            .style(button::primary)
                            .on_press(Message::Test),
                    )
                    .spacing(8),
            )
            .spacing(16)
            .into()
    }

    fn tested(&self) -> Element<'_, Message> {
        let mut outcomes = Column::new().spacing(8);
        let incoming_name = match self.protocol {
            Protocol::Pop3 => fl!("setup-incoming-pop3"),
            _ => fl!("setup-incoming-imap"),
        };
        if let Some(outcome) = &self.incoming_outcome {
            outcomes = outcomes.push(outcome_row(incoming_name, &self.incoming, outcome));
        }
        if let Some(outcome) = &self.outgoing_outcome {
            outcomes = outcomes.push(outcome_row(fl!("setup-outgoing"), &self.outgoing, outcome));
        }
        // A refused certificate is decided on before anything else.
        let refused = [
            (Side::Incoming, &self.incoming_outcome, &self.incoming),
            (Side::Outgoing, &self.outgoing_outcome, &self.outgoing),
        ]
        .into_iter()
        .find_map(|(side, outcome, fields)| {
            let certificate = outcome.as_ref()?.certificate.as_ref()?;
            Some((side, certificate, fields))
        });
        if let Some((side, certificate, fields)) = refused {
            let port = fields.port.trim().parse().unwrap_or(0);
            return column![
                outcomes,
                container(certificate::view(
                    certificate,
                    fields.host.trim(),
                    port,
                    Message::Trust(side),
                    Message::DontTrust,
                ))
                .padding(16)
                .style(container::rounded_box),
            ]
            .spacing(16)
            .into();
        }
        let saving = self.step == Step::Saving;
        column![
            outcomes,
            row![
                button(text(fl!("setup-change-settings")).size(13))
                    .style(button::secondary)
                    .on_press_maybe((!saving).then_some(Message::Back)),
                button(text(fl!("setup-test-again")).size(13))
                    .style(button::secondary)
                    .on_press_maybe((!saving).then_some(Message::Test)),
                container(text("")).width(Fill),
                button(text(fl!("setup-finish")).size(13))
                    .style(button::primary)
                    .on_press_maybe((self.tested_ok() && !saving).then_some(Message::Finish)),
            ]
            .spacing(8),
        ]
        .spacing(16)
        .into()
    }
}

/// One server's fields: host, port, security, user name.
fn server(title: String, side: Side, fields: &Fields) -> Element<'_, Message> {
    let input = |field: Field, value: &str, width: f32| {
        text_input("", value)
            .id(super::input_id(side, field))
            .on_input(move |v| Message::Input(side, field, v))
            .on_submit(Message::Test)
            .size(13)
            .padding(6)
            .width(width)
    };
    let security = |s: Security, name: String| {
        radio(name, s, Some(fields.security), move |s| {
            Message::Security(side, s)
        })
        .size(14)
        .text_size(12)
    };
    column![
        text(title).size(15),
        row![
            label(fl!("setup-host")),
            input(Field::Host, &fields.host, 260.0),
            text(fl!("setup-port")).size(13),
            input(Field::Port, &fields.port, 70.0),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
        row![
            label(fl!("setup-security")),
            security(Security::Tls, fl!("setup-security-tls")),
            security(Security::StartTls, fl!("setup-security-starttls")),
            security(Security::Plain, fl!("setup-security-none")),
        ]
        .spacing(12)
        .align_y(Alignment::Center),
        row![
            label(fl!("setup-username")),
            input(Field::Username, &fields.username, 260.0),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
    ]
    .spacing(8)
    .push((fields.security == Security::Plain).then(|| {
        row![
            container(text("")).width(LABEL_WIDTH),
            warning(fl!("setup-insecure-warning")).width(Fill)
        ]
        .spacing(8)
    }))
    .into()
}

/// "Incoming (IMAP) imap.x:993 — connected and logged in", or why not.
fn outcome_row<'a>(name: String, fields: &Fields, outcome: &'a Outcome) -> Element<'a, Message> {
    let server = format!("{}:{}", fields.host.trim(), fields.port.trim());
    let (mark, said) = match &outcome.error {
        None => ("✓", fl!("setup-logged-in")),
        Some(error) => ("✗", error.text()),
    };
    let ok = outcome.ok();
    let headline = row![
        text(mark).size(16).style(move |t: &Theme| text::Style {
            color: Some(if ok {
                theme::ONLINE
            } else {
                theme::error_text(t)
            }),
        }),
        text(format!("{name} — {server}")).size(14),
    ]
    .spacing(8)
    .align_y(Alignment::Center);
    column![headline, text(said).size(13)]
        .push(
            outcome
                .error
                .as_ref()
                .filter(|_| outcome.certificate.is_none())
                .map(|e| muted(e.detail.clone())),
        )
        .spacing(2)
        .into()
}

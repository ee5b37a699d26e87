//! A live connection refused a server's certificate: the mailbox shows the
//! decision (why, the certificate's details and fingerprint) in the list's
//! and reader's place until the user trusts exactly that certificate for
//! the account's server, which reconnects, or declines, which leaves the
//! account stopped with the reason in the status line.

use super::{Mailbox, Message};
use crate::account::Direction;
use crate::model::AccountId;
use crate::net::tls::RejectedCertificate;
use crate::ui::UiError;
use crate::ui::component::certificate;
use iced::Element;
use iced::Task;
use iced::widget::{column, container, text};

/// The refused certificate and where it was presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub account: AccountId,
    pub host: String,
    pub port: u16,
    pub certificate: RejectedCertificate,
}

#[derive(Debug, Clone)]
pub enum Event {
    Opened(Result<Prompt, UiError>),
    Trust,
    DontTrust,
    Pinned(Result<(), UiError>),
}

impl Mailbox {
    pub fn certificate_prompt(&self) -> Option<&Prompt> {
        self.certificate.as_ref()
    }

    /// An account's connection refused `refused`: ask, unless already.
    pub(super) fn certificate_refused(
        &mut self,
        account: AccountId,
        refused: RejectedCertificate,
    ) -> Task<Message> {
        if self
            .certificate
            .as_ref()
            .is_some_and(|p| p.account == account)
        {
            return Task::none();
        }
        let service = self.service.clone();
        Task::perform(
            async move {
                let incoming = service
                    .account_settings(account)
                    .await?
                    .incoming
                    .ok_or(crate::Error::InvalidSettings("incoming server"))?;
                Ok(Prompt {
                    account,
                    host: incoming.host,
                    port: incoming.port,
                    certificate: refused,
                })
            },
            |r: crate::Result<Prompt>| {
                Message::Certificate(Event::Opened(r.map_err(UiError::from)))
            },
        )
    }

    pub(super) fn certificate_event(&mut self, event: Event) -> Task<Message> {
        match event {
            Event::Opened(Ok(prompt)) => {
                self.certificate = Some(prompt);
                Task::none()
            }
            Event::Opened(Err(e)) | Event::Pinned(Err(e)) => self.fail(e),
            Event::Trust => {
                let Some(prompt) = self.certificate.take() else {
                    return Task::none();
                };
                let service = self.service.clone();
                let pin = prompt.certificate.fingerprint_sha256;
                Task::perform(
                    async move {
                        // The stopped connection starts again under the pin.
                        service
                            .pin_certificate(prompt.account, Direction::Incoming, Some(pin))
                            .await
                    },
                    |r| Message::Certificate(Event::Pinned(r.map_err(UiError::from))),
                )
            }
            Event::DontTrust => {
                self.certificate = None;
                Task::none()
            }
            Event::Pinned(Ok(())) => Task::none(),
        }
    }

    pub(super) fn certificate_view(&self) -> Option<Element<'_, Message>> {
        let prompt = self.certificate.as_ref()?;
        let account = self.account_name(prompt.account);
        Some(
            container(
                column![
                    text(account).size(13),
                    certificate::view(
                        &prompt.certificate,
                        &prompt.host,
                        prompt.port,
                        Message::Certificate(Event::Trust),
                        Message::Certificate(Event::DontTrust),
                    ),
                ]
                .spacing(8)
                .max_width(640),
            )
            .padding(24)
            .center_x(iced::Fill)
            .into(),
        )
    }
}

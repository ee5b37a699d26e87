//! The mailbox screen's Outbox: the sidebar offers it while something has
//! not gone; opened, it takes the list's and reader's place, and sending a
//! message again or throwing it away goes through the service's outbox.

use super::{Mailbox, Message};
use crate::ui::UiError;
use crate::ui::component::outbox::{self, Entry};
use iced::Task;

impl Mailbox {
    /// Read what has not gone yet (after every send, sync and change).
    pub(super) fn load_outbox(&self) -> Task<Message> {
        let service = self.service.clone();
        Task::perform(
            async move {
                let unsent = service.unsent().await?;
                Ok(unsent.iter().map(Entry::from_outgoing).collect())
            },
            |r: crate::error::Result<Vec<Entry>>| Message::OutboxLoaded(r.map_err(UiError::from)),
        )
    }

    pub(super) fn outbox_loaded(&mut self, entries: Vec<Entry>) -> Task<Message> {
        self.unsent = entries;
        Task::none()
    }

    pub(super) fn outbox_message(&mut self, message: outbox::Message) -> Task<Message> {
        let service = self.service.clone();
        let work = async move {
            match message {
                outbox::Message::SendAgain(id) => {
                    service.send_again(id).await?;
                    let account = service.outgoing(id).await?.account;
                    // The outcome shows in the Outbox (or it leaves it).
                    if let Err(error) = service.send_queued(account).await {
                        tracing::info!(%error, "sent again later");
                    }
                }
                outbox::Message::Delete(id) => service.delete_outgoing(id).await?,
            }
            Ok(())
        };
        Task::perform(work, |r: crate::error::Result<()>| match r {
            Ok(()) => Message::OutboxChanged,
            Err(e) => Message::OutboxFailed(UiError::from(e)),
        })
    }

    /// What the Outbox shows, for tests.
    pub fn unsent(&self) -> &[Entry] {
        &self.unsent
    }

    pub fn outbox_open(&self) -> bool {
        self.outbox_open
    }
}

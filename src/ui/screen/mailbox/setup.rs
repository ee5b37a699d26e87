//! The mailbox screen's account setup: opened from the sidebar, shown in
//! the list's and reader's place; an added account joins the tree and
//! goes online at once.

use super::{Mailbox, Message, Status};
use crate::fl;
use crate::ui::UiError;
use crate::ui::screen::setup::{Action, Setup};
use iced::Task;

impl Mailbox {
    pub fn setup(&self) -> Option<&Setup> {
        self.setup.as_ref()
    }

    pub(super) fn open_setup(&mut self) -> Task<Message> {
        let (setup, task) = Setup::new();
        self.setup = Some(setup);
        task.map(Message::Setup)
    }

    /// The account of the selected folder, if it is a server account.
    pub(super) fn selected_server_account(&self) -> Option<crate::model::AccountId> {
        let account = self.tree.selected()?.account_id;
        self.tree
            .account(account)
            .filter(|a| a.kind != crate::model::AccountKind::Local)
            .map(|a| a.id)
    }

    pub(super) fn edit_account(&mut self) -> Task<Message> {
        let Some(account) = self.selected_server_account() else {
            return Task::none();
        };
        let service = self.service.clone();
        Task::perform(
            async move { service.account_settings(account).await },
            move |r| {
                Message::AccountLoaded(
                    r.map(|settings| Box::new((account, settings)))
                        .map_err(UiError::from),
                )
            },
        )
    }

    pub(super) fn setup_message(
        &mut self,
        message: crate::ui::screen::setup::Message,
    ) -> Task<Message> {
        let Some(setup) = &mut self.setup else {
            return Task::none();
        };
        match setup.update(message, &self.service) {
            Action::None => Task::none(),
            Action::Run(task) => task.map(Message::Setup),
            Action::Close => {
                self.setup = None;
                Task::none()
            }
            Action::Edited(_) => {
                self.setup = None;
                self.status = Status::Done(fl!("setup-saved"));
                self.load_tree()
            }
            Action::Added(account, keyring) => {
                self.setup = None;
                self.status = match keyring {
                    None => Status::Done(fl!("setup-added")),
                    // Said plainly: the password is not kept anywhere.
                    Some(error) => {
                        tracing::info!(detail = %error.detail, "password not kept");
                        Status::Done(fl!("setup-added-no-keyring"))
                    }
                };
                let service = self.service.clone();
                let online = Task::perform(async move { service.go_online(account).await }, |r| {
                    Message::SyncStarted(r.map_err(UiError::from))
                });
                Task::batch([self.load_tree(), online])
            }
        }
    }
}

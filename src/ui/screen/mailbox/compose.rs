//! The mailbox screen writing a message: the composer takes the place of
//! the list and the reader; "Send" puts the message in the outbox and
//! sends it at once, and the status line says what became of it.

use super::{Mailbox, Message, Status};
use crate::error::Result;
use crate::fl;
use crate::mime::compose::{Outgoing, OutgoingAttachment};
use crate::mime::reply::{self, Kind};
use crate::model::{AccountId, AccountKind, Flags, MessageId, MessageView};
use crate::store::drafts::Draft;
use crate::store::outbox::State;
use crate::ui::UiError;
use crate::ui::component::composer::{self, Action, Composer, Sender};
use iced::Task;
use iced::widget::operation;

/// How often, at most, autosave also files a copy in Drafts (on an IMAP
/// server, an upload each time).
const FILE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Largest file that can be attached (the store takes 80 MB messages;
/// base64 adds a third).
const MAX_ATTACHMENT: u64 = 50 * 1024 * 1024;

/// What happened to a message handed to the outbox.
#[derive(Debug, Clone)]
pub enum Sent {
    /// Gone out (and filed in Sent).
    Done,
    /// Waits in the outbox (offline, or the server could not be reached).
    Waiting(String),
    /// The server refused it: the reason.
    Refused(String),
    /// The connection went after the whole message was handed over.
    Unknown,
}

/// What the composer opens with: the accounts that can send, and for a
/// reply or forward, its account, the prepared message and the original.
#[derive(Debug, Clone)]
pub struct Ready {
    senders: Vec<Sender>,
    answer: Option<Box<(AccountId, Outgoing, MessageId)>>,
    /// A draft saved before (recovered at start).
    draft: Option<Box<Draft>>,
}

impl Mailbox {
    /// Open the composer, From preset to the selected folder's account.
    pub(super) fn write(&mut self) -> Task<Message> {
        self.open_composer(None, None, None)
    }

    /// At start: reopen the message being written when Poshta stopped.
    pub(super) fn recover_draft(service: &crate::service::Service) -> Task<Message> {
        let service = service.clone();
        Task::perform(async move { service.latest_draft().await }, |r| {
            Message::DraftFound(r.map(|d| d.map(Box::new)).map_err(UiError::from))
        })
    }

    pub(super) fn draft_found(&mut self, draft: Option<Box<Draft>>) -> Task<Message> {
        match draft {
            Some(draft) if self.composer.is_none() => self.open_composer(None, Some(draft), None),
            _ => Task::none(),
        }
    }

    /// Every few seconds while writing: save what changed; and at most
    /// once every [`FILE_EVERY`], a copy in Drafts (the server's too).
    pub(super) fn autosave(&mut self) -> Task<Message> {
        match &mut self.composer {
            Some(composer) if composer.dirty && !composer.sending => {
                composer.dirty = false;
                let file = composer
                    .filed_at
                    .is_none_or(|at| at.elapsed() >= FILE_EVERY);
                self.save_draft(false, file)
            }
            _ => Task::none(),
        }
    }

    /// Save the composer's draft; `close` closes the composer after;
    /// `file` puts a copy in the account's Drafts folder too.
    fn save_draft(&mut self, close: bool, file: bool) -> Task<Message> {
        let Some(composer) = &mut self.composer else {
            return Task::none();
        };
        if file {
            composer.filed_at = Some(std::time::Instant::now());
        }
        let draft = composer.draft();
        if close {
            self.composer = None;
            self.status = Status::Done(fl!("compose-draft-kept"));
        }
        let service = self.service.clone();
        Task::perform(
            async move {
                let id = service.save_draft(draft).await?;
                if file {
                    // Kept here already: a copy that cannot be made now
                    // is made at the next save.
                    if let Err(error) = service.file_draft(id).await {
                        tracing::warn!(%error, "draft not filed in Drafts");
                    }
                }
                Ok(id)
            },
            |r: Result<i64>| Message::DraftSaved(r.map_err(UiError::from)),
        )
    }

    pub(super) fn draft_saved(&mut self, id: i64) -> Task<Message> {
        if let Some(composer) = &mut self.composer {
            composer.draft_id = Some(id);
        }
        Task::none()
    }

    /// Forget the draft of a message sent or thrown away.
    fn forget_draft(&self, id: Option<i64>) -> Task<Message> {
        let Some(id) = id else {
            return Task::none();
        };
        let service = self.service.clone();
        Task::future(async move {
            if let Err(error) = service.delete_draft(id).await {
                tracing::warn!(%error, "a draft could not be forgotten");
            }
        })
        .discard()
    }

    /// Reply to, reply to all of, or forward `original`, From its account.
    pub(super) fn respond(&mut self, original: MessageView, kind: Kind) -> Task<Message> {
        if self.composer.is_some() {
            return Task::none();
        }
        let own: Vec<String> = self
            .tree
            .accounts()
            .iter()
            .filter_map(|a| a.email.clone())
            .collect();
        let s = &original.summary;
        let date = s.local_date();
        let intro = match kind {
            Kind::Forward => fl!(
                "compose-forwarded",
                sender = s.sender_mailbox(),
                date = date.as_str(),
                subject = s.subject.as_str()
            ),
            _ => fl!("compose-wrote", sender = s.sender(), date = date.as_str()),
        };
        let draft = reply::respond(&original, kind, &own, &intro);
        let account = self
            .tree
            .folders()
            .iter()
            .find(|f| f.id == s.folder_id)
            .map(|f| f.account_id);
        let answer = account.map(|a| Box::new((a, draft, s.id)));
        // Forwarded as an attachment: the whole message goes along.
        let attach = (kind == Kind::ForwardAttached).then_some((s.id, s.subject.clone()));
        self.open_composer(answer, None, attach)
    }

    fn open_composer(
        &mut self,
        mut answer: Option<Box<(AccountId, Outgoing, MessageId)>>,
        draft: Option<Box<Draft>>,
        attach: Option<(MessageId, String)>,
    ) -> Task<Message> {
        let service = self.service.clone();
        Task::perform(
            async move {
                if let (Some(answer), Some((id, subject))) = (answer.as_mut(), attach) {
                    let raw = service.raw_message(id).await?;
                    answer
                        .1
                        .attachments
                        .push(reply::original_attached(&subject, raw));
                }
                // From the store, not the tree: at start the tree may not
                // be loaded yet when a draft is recovered.
                let accounts = service.accounts().await?;
                let mut senders = Vec::new();
                for account in accounts.iter().filter(|a| a.kind != AccountKind::Local) {
                    let settings = service.account_settings(account.id).await?;
                    if let (Some(_), Some(email)) = (settings.outgoing, settings.email) {
                        senders.push(Sender {
                            account: account.id,
                            label: format!("{} <{email}>", account.name),
                            signature: service.signature(account.id).await?,
                            max_size: service.smtp_max_size(account.id).await?,
                        });
                    }
                }
                Ok(Ready {
                    senders,
                    answer,
                    draft,
                })
            },
            |r: Result<Ready>| Message::ComposerReady(r.map_err(UiError::from)),
        )
    }

    pub(super) fn composer_ready(&mut self, ready: Ready) -> Task<Message> {
        if ready.senders.is_empty() {
            self.status = Status::Done(fl!("compose-no-sender"));
            return Task::none();
        }
        if let Some(draft) = ready.draft {
            let mut composer = Composer::new(ready.senders, draft.account);
            composer.restore(*draft);
            self.composer = Some(composer);
            self.status = Status::Done(fl!("compose-recovered"));
            return operation::focus(composer::BODY_ID);
        }
        let Some(answer) = ready.answer else {
            let selected = self.tree.selected().map(|f| f.account_id);
            self.composer = Some(Composer::new(ready.senders, selected));
            return operation::focus(composer::TO_INPUT_ID);
        };
        let (account, draft, original) = *answer;
        let mut composer = Composer::new(ready.senders, Some(account));
        composer.prefill(draft, original);
        let focus = if composer.to.is_empty() {
            composer::TO_INPUT_ID
        } else {
            composer::BODY_ID
        };
        self.composer = Some(composer);
        operation::focus(focus)
    }

    pub(super) fn composer_message(&mut self, message: composer::Message) -> Task<Message> {
        let Some(composer) = &mut self.composer else {
            return Task::none();
        };
        match composer.update(message) {
            Action::None => Task::none(),
            Action::Closed => {
                let draft = composer.draft_id;
                self.composer = None;
                self.forget_draft(draft)
            }
            Action::Kept => self.save_draft(true, true),
            Action::PickFiles => {
                let title = fl!("compose-attach-title");
                Task::perform(pick_attachments(title), |r| {
                    Message::Composer(composer::Message::Attached(r))
                })
            }
            Action::Send(account, outgoing) => self.send(account, *outgoing),
            Action::Complete(field, typed) => {
                let service = self.service.clone();
                Task::perform(
                    async move {
                        let offers = service.suggest_addresses(typed.clone()).await;
                        (field, typed, offers)
                    },
                    |(field, typed, offers)| match offers {
                        Ok(list) => {
                            Message::Composer(composer::Message::Offered(field, typed, list))
                        }
                        // Writing goes on without offers.
                        Err(error) => {
                            tracing::warn!(%error, "address book not readable");
                            Message::Composer(composer::Message::Offered(field, typed, Vec::new()))
                        }
                    },
                )
            }
            Action::Focus(id) => {
                Task::batch([operation::focus(id), operation::move_cursor_to_end(id)])
            }
            Action::Save => {
                if let Some(composer) = &mut self.composer {
                    composer.dirty = false;
                }
                self.status = Status::Done(fl!("compose-draft-saved"));
                self.save_draft(false, true)
            }
        }
    }

    /// A file dropped on the window while writing: attached.
    pub(super) fn file_dropped(&mut self, path: std::path::PathBuf) -> Task<Message> {
        if self.composer.is_none() {
            return Task::none();
        }
        Task::perform(read_attachments(vec![path]), |r| {
            Message::Composer(composer::Message::Attached(r))
        })
    }

    fn send(&mut self, account: AccountId, outgoing: Outgoing) -> Task<Message> {
        let service = self.service.clone();
        Task::perform(
            async move {
                let id = service.queue_message(account, outgoing).await?;
                // In the outbox now: whatever happens next, it is not lost.
                if let Err(e) = service.send_queued(account).await {
                    return Ok(Sent::Waiting(UiError::from(e).text()));
                }
                let message = service.outgoing(id).await?;
                Ok(match message.state {
                    State::Sent | State::Copied => Sent::Done,
                    State::Failed => Sent::Refused(message.last_error.unwrap_or_default()),
                    State::Unknown => Sent::Unknown,
                    State::Queued | State::Submitting => Sent::Waiting(String::new()),
                })
            },
            |r: Result<Sent>| Message::Sent(r.map_err(UiError::from)),
        )
    }

    pub(super) fn sent(&mut self, result: std::result::Result<Sent, UiError>) -> Task<Message> {
        let Some(mut composer) = self.composer.take() else {
            return Task::none();
        };
        let outcome = match result {
            // Not taken into the outbox (a bad address...): fix and retry.
            Err(e) => {
                composer.failed(e.text());
                self.composer = Some(composer);
                return Task::none();
            }
            Ok(Sent::Refused(reason)) => {
                composer.failed(fl!("compose-refused", reason = reason.as_str()));
                self.composer = Some(composer);
                return Task::none();
            }
            Ok(outcome) => outcome,
        };
        // In the outbox now: the draft has done its job.
        let forget = self.forget_draft(composer.draft_id);
        // A reply that went out marks its original answered, a forward
        // forwarded ($Forwarded on the server).
        let answered = match (&outcome, composer.answering, composer.forwarding) {
            (Sent::Done, Some(original), _) => self.set_flag(original, Flags::ANSWERED, true),
            (Sent::Done, None, Some(original)) => self.set_flag(original, Flags::FORWARDED, true),
            _ => Task::none(),
        };
        self.status = Status::Done(match outcome {
            Sent::Done => fl!("compose-sent"),
            Sent::Unknown => fl!("compose-unknown"),
            Sent::Waiting(reason) => fl!("compose-waiting", reason = reason.as_str()),
            Sent::Refused(reason) => fl!("compose-refused", reason = reason.as_str()),
        });
        Task::batch([forget, answered, self.refresh_list(), self.load_tree()])
    }
}

/// Files the user picks, read (see [`read_attachments`]).
async fn pick_attachments(title: String) -> Vec<OutgoingAttachment> {
    let files = rfd::AsyncFileDialog::new()
        .set_title(title)
        .pick_files()
        .await
        .unwrap_or_default();
    read_attachments(files.iter().map(|f| f.path().to_path_buf()).collect()).await
}

/// The files at `paths` as attachments (each up to [`MAX_ATTACHMENT`]; a
/// larger or unreadable one, or a folder, is left out and logged).
async fn read_attachments(paths: Vec<std::path::PathBuf>) -> Vec<OutgoingAttachment> {
    let mut attachments = Vec::new();
    for path in paths {
        let fits = tokio::fs::metadata(&path)
            .await
            .is_ok_and(|m| m.is_file() && m.len() <= MAX_ATTACHMENT);
        let data = match fits {
            true => tokio::fs::read(&path).await,
            false => Err(std::io::ErrorKind::FileTooLarge.into()),
        };
        match data {
            Ok(data) => attachments.push(OutgoingAttachment::from_file(&path, data)),
            Err(error) => tracing::warn!(path = %path.display(), %error, "not attached"),
        }
    }
    attachments
}

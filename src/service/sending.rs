//! Sending: a message is built, put in the outbox (committed), then handed
//! to the account's submission server, each step's outcome committed
//! before the next (see `store::outbox`). A message whose fate is unknown
//! is never sent again without the user saying so.

use super::Service;
use crate::error::{Error, Result};
use crate::mime::compose::{self, Outgoing as Written};
use crate::model::AccountId;
use crate::smtp::{self, Outcome};
use crate::store::contacts::Contact;
use crate::store::drafts::Draft;
use crate::store::outbox::{Outgoing, State};
use std::time::Duration;

/// Addresses the composer offers at most for what is being typed.
const SUGGESTIONS: usize = 6;

/// What one pass over an account's outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Still queued (the connection broke before they were handed over).
    pub waiting: usize,
}

impl Service {
    /// Build `draft` as `account`'s (From: its address) and put it in the
    /// outbox. Returns its outbox id.
    pub async fn queue_message(&self, account: AccountId, mut draft: Written) -> Result<i64> {
        let settings = self.account_settings(account).await?;
        if settings.outgoing.is_none() {
            return Err(Error::InvalidSettings("outgoing server"));
        }
        draft.from = settings
            .email
            .ok_or(Error::InvalidSettings("email address"))?;
        let reply_to = self.with_store(move |s| s.reply_to(account)).await?;
        draft.reply_to = (!reply_to.is_empty()).then_some(reply_to);
        let built = compose::build(&draft)?;
        self.with_store(move |s| s.queue_outgoing(account, &built))
            .await
    }

    /// Tell Poshta that `account`'s server files sent mail in Sent by
    /// itself (Gmail does), so no copy of its own is kept or uploaded.
    pub async fn set_server_files_sent(&self, account: AccountId, files: bool) -> Result<()> {
        self.with_store(move |s| s.set_server_files_sent(account, files))
            .await
    }

    /// The largest message `account`'s submission server takes, as it
    /// said when last connected to (EHLO SIZE); `None` if unknown.
    pub async fn smtp_max_size(&self, account: AccountId) -> Result<Option<u64>> {
        self.with_store(move |s| s.smtp_max_size(account)).await
    }

    /// Where replies to `account`'s mail should go ("" for its own
    /// address). Refused unless it is one valid address.
    pub async fn set_reply_to(&self, account: AccountId, address: String) -> Result<()> {
        if !address.trim().is_empty() {
            compose::check_address(&address)?;
        }
        self.with_store(move |s| s.set_reply_to(account, &address))
            .await
    }

    /// The signature put under new mail from `account` ('' for none).
    pub async fn signature(&self, account: AccountId) -> Result<String> {
        self.with_store(move |s| s.signature(account)).await
    }

    pub async fn set_signature(&self, account: AccountId, signature: String) -> Result<()> {
        self.with_store(move |s| s.set_signature(account, &signature))
            .await
    }

    /// One message in the outbox.
    pub async fn outgoing(&self, id: i64) -> Result<Outgoing> {
        self.with_store(move |s| s.outgoing(id)).await
    }

    /// The outbox, oldest first; `account` narrows it.
    pub async fn outbox(&self, account: Option<AccountId>) -> Result<Vec<Outgoing>> {
        self.with_store(move |s| s.outbox(account, &[])).await
    }

    /// Send what `account` has queued, in the background (it went
    /// online: mail written offline goes now). Failures stay in the
    /// outbox with their reason.
    pub(super) fn send_in_background(&self, account: AccountId) {
        let service = self.clone();
        tokio::spawn(async move {
            if let Err(error) = service.send_queued(account).await {
                tracing::info!(%account, %error, "queued mail not sent yet");
            }
        });
    }

    /// Save a message being written (see `store::drafts`). Returns its id.
    pub async fn save_draft(&self, draft: Draft) -> Result<i64> {
        self.with_store(move |s| s.save_draft(&draft)).await
    }

    /// The message being written when Poshta last stopped, if any.
    pub async fn latest_draft(&self) -> Result<Option<Draft>> {
        self.with_store(|s| s.latest_draft()).await
    }

    /// File draft `id` (as last saved) in its account's Drafts folder, in
    /// place of its last copy there; an IMAP account's server gets the
    /// new copy and loses the old one in the background (queued, so it
    /// happens offline too, later).
    pub async fn file_draft(&self, id: i64) -> Result<()> {
        let draft = self.with_store(move |s| s.draft(id)).await?;
        let Some(account) = draft.account else {
            return Ok(());
        };
        let mut message = draft.message;
        message.from = self
            .account_settings(account)
            .await?
            .email
            .ok_or(Error::InvalidSettings("email address"))?;
        let raw = super::blocking(move || compose::build_draft(&message)).await?;
        if self
            .with_store(move |s| s.file_draft(id, &raw))
            .await?
            .is_some()
        {
            self.changed_locally();
        }
        Ok(())
    }

    /// Forget a draft: sent (it is in the outbox) or thrown away; its copy
    /// in Drafts goes too.
    pub async fn delete_draft(&self, id: i64) -> Result<()> {
        self.with_store(move |s| s.delete_draft(id)).await?;
        self.changed_locally();
        Ok(())
    }

    /// Addresses to offer for `typed` in an address field, the most used
    /// first, as they would be written there (see `store::contacts`).
    pub async fn suggest_addresses(&self, typed: String) -> Result<Vec<String>> {
        self.with_store(move |s| {
            s.learn_contacts()?;
            let found = s.contacts_matching(&typed, SUGGESTIONS)?;
            Ok(found.iter().map(Contact::display).collect())
        })
        .await
    }

    /// The user's decision to send a failed or unknown message again.
    pub async fn send_again(&self, id: i64) -> Result<()> {
        self.with_store(move |s| s.requeue_outgoing(id)).await
    }

    /// What has not gone yet: queued, being handed over, refused, or of
    /// unknown fate (the Outbox the window shows), oldest first.
    pub async fn unsent(&self) -> Result<Vec<Outgoing>> {
        self.with_store(|s| s.outbox(None, &State::UNSENT)).await
    }

    /// The user's decision to throw away a message that has not gone.
    pub async fn delete_outgoing(&self, id: i64) -> Result<()> {
        self.with_store(move |s| s.delete_outgoing(id)).await
    }

    /// Send `account`'s queued messages over one connection, then file
    /// each sent one in its Sent folder (uploaded to a server's Sent by a
    /// queued operation). Offline, nothing is sent.
    pub async fn send_queued(&self, account: AccountId) -> Result<SendReport> {
        // One pass at a time: a second waits, then finds nothing queued.
        let _one = self.inner.sending.lock().await;
        let queued = self
            .with_store(move |s| s.outbox(Some(account), &[State::Queued]))
            .await?;
        let mut report = SendReport {
            waiting: queued.len(),
            ..SendReport::default()
        };
        if queued.is_empty() || self.is_offline() {
            return Ok(report);
        }
        let server = self
            .account_settings(account)
            .await?
            .outgoing
            .ok_or(Error::InvalidSettings("outgoing server"))?;
        let password = self.password(account).await?;
        let timeouts = smtp::Timeouts::default();
        let smtp::Submission {
            mut connection,
            max_size,
        } = smtp::connect(&server, &password, &timeouts)
            .await
            .map_err(|e| self.login_failed(account, e))?;
        // Kept for the composer's warning about large attachments.
        self.with_store(move |s| s.set_smtp_max_size(account, max_size))
            .await?;
        let mut filed = false;
        for message in queued {
            let id = message.id;
            report.waiting -= 1;
            if !self.with_store(move |s| s.claim_outgoing(id)).await? {
                continue;
            }
            let outcome = match max_size {
                // Refused before a byte goes: the server said it would.
                Some(max) if message.raw.len() as u64 > max => Outcome::Failed {
                    detail: format!(
                        "the message is {} bytes; the server takes at most {max}",
                        message.raw.len()
                    ),
                },
                _ => {
                    smtp::submit(
                        &mut connection,
                        &message.envelope_from,
                        &message.envelope_to,
                        &message.raw,
                        timeouts.command,
                    )
                    .await
                }
            };
            let (state, note, go_on) = match &outcome {
                Outcome::Sent { refused, .. } => {
                    let note = (!refused.is_empty()).then(|| {
                        refused
                            .iter()
                            .map(|(address, reply)| format!("{address}: {reply}"))
                            .collect::<Vec<_>>()
                            .join("; ")
                    });
                    report.sent += 1;
                    (State::Sent, note, true)
                }
                Outcome::Failed { detail } => {
                    report.failed += 1;
                    (State::Failed, Some(detail.clone()), true)
                }
                Outcome::Retry { detail } => {
                    report.waiting += 1;
                    (State::Queued, Some(detail.clone()), false)
                }
                Outcome::Unknown { detail } => {
                    report.unknown += 1;
                    (State::Unknown, Some(detail.clone()), false)
                }
            };
            tracing::info!(%account, outbox = id, state = state.as_str(), "submission");
            self.with_store(move |s| s.set_outgoing_state(id, state, note.as_deref()))
                .await?;
            if state == State::Sent {
                filed |= self.with_store(move |s| s.file_sent(id)).await?.is_some();
            }
            if !go_on {
                // The connection is in doubt; the rest wait for next time.
                break;
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), connection.quit()).await;
        if filed {
            // The Sent copies of a server account go up now if they can;
            // else they stay queued and go with the next sync.
            if let Err(e) = self.push_changes().await {
                tracing::info!(%account, error = %e, "Sent copy not uploaded yet");
            }
        }
        Ok(report)
    }
}

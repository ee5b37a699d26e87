//! `send` (the text from stdin, through the same outbox as the window) and
//! `outbox` (what is in it, and sending a failed or unknown one again).

use crate::error::{Error, Result};
use crate::mime::compose::{Outgoing, OutgoingAttachment};
use crate::model::AccountId;
use crate::service::Service;
use clap::Subcommand;
use std::io::{Read, Write};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum SendCommand {
    /// Send a message from an account; its text is read from stdin. The
    /// password comes from $POSHTA_PASSWORD or the system keyring.
    Send {
        #[arg(long)]
        account: i64,
        #[arg(long, required = true)]
        to: Vec<String>,
        #[arg(long)]
        cc: Vec<String>,
        #[arg(long)]
        bcc: Vec<String>,
        #[arg(long, default_value = "")]
        subject: String,
        /// A file to attach (repeat for more).
        #[arg(long)]
        attach: Vec<PathBuf>,
        /// Keep it as a draft instead (the window opens it at its next
        /// start, to be finished there); prints the draft's id.
        #[arg(long)]
        draft: bool,
    },
    /// List the outbox: id, account, state, Message-ID, last error.
    Outbox,
    /// Send a failed message, or one whose fate is unknown, again.
    SendAgain { id: i64 },
}

pub async fn run(service: &Service, cmd: SendCommand, out: &mut impl Write) -> Result<()> {
    let w = |e| Error::io("writing output", e);
    match cmd {
        SendCommand::Send {
            account,
            to,
            cc,
            bcc,
            subject,
            attach,
            draft: keep,
        } => {
            let account = AccountId(account);
            let mut body = String::new();
            std::io::stdin()
                .read_to_string(&mut body)
                .map_err(|e| Error::io("reading the message text from stdin", e))?;
            let mut attachments = Vec::new();
            for path in attach {
                let data = std::fs::read(&path)
                    .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
                attachments.push(OutgoingAttachment::from_file(&path, data));
            }
            let draft = Outgoing {
                to,
                cc,
                bcc,
                subject,
                body,
                attachments,
                ..Outgoing::default()
            };
            if keep {
                let id = service
                    .save_draft(crate::store::drafts::Draft {
                        id: None,
                        account: Some(account),
                        message: draft,
                        answering: None,
                    })
                    .await?;
                writeln!(out, "draft {id}").map_err(w)?;
                return Ok(());
            }
            let id = service.queue_message(account, draft).await?;
            // stdin held the text: the password is the environment's or
            // the keyring's.
            if let Ok(password) = std::env::var("POSHTA_PASSWORD") {
                service.set_password(account, password);
            }
            let report = service.send_queued(account).await?;
            let message = service.outgoing(id).await?;
            writeln!(
                out,
                "{} sent, {} failed, {} unknown, {} waiting",
                report.sent, report.failed, report.unknown, report.waiting
            )
            .map_err(w)?;
            writeln!(
                out,
                "{id}\t{}\t{}",
                message.state.as_str(),
                message.last_error.as_deref().unwrap_or("")
            )
            .map_err(w)?;
        }
        SendCommand::Outbox => {
            for o in service.outbox(None).await? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    o.id,
                    o.account,
                    o.state.as_str(),
                    o.message_id,
                    o.last_error.as_deref().unwrap_or("")
                )
                .map_err(w)?;
            }
        }
        SendCommand::SendAgain { id } => {
            service.send_again(id).await?;
            let account = service.outgoing(id).await?.account;
            super::provide_password(service, account).await?;
            let report = service.send_queued(account).await?;
            writeln!(out, "{} sent, {} failed", report.sent, report.failed).map_err(w)?;
        }
    }
    Ok(())
}

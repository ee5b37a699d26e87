//! `flag`, `move`, `copy` and `delete`: the change is made in the store
//! at once and then sent to the server before the command returns (or
//! stays queued for the next run if the server cannot be reached).

use super::{provide_password, resolve};
use crate::error::{Error, Result};
use crate::model::{AccountKind, MessageId};
use crate::service::Service;
use clap::{Args, Subcommand};
use std::io::Write;

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Mark messages read or unread, flagged or not.
    Flag {
        #[arg(required = true)]
        ids: Vec<i64>,
        #[command(flatten)]
        change: FlagChange,
    },
    /// Move messages to another folder of the same account.
    Move {
        #[arg(required = true)]
        ids: Vec<i64>,
        /// Target folder (id or path, e.g. "Work/Archive").
        #[arg(long)]
        to: String,
    },
    /// Copy messages to another folder of the same account.
    Copy {
        #[arg(required = true)]
        ids: Vec<i64>,
        #[arg(long)]
        to: String,
    },
    /// Move messages to Trash (delete for good when already there).
    Delete {
        #[arg(required = true)]
        ids: Vec<i64>,
        /// Skip the Trash.
        #[arg(long)]
        for_good: bool,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct FlagChange {
    #[arg(long)]
    read: bool,
    #[arg(long)]
    unread: bool,
    #[arg(long)]
    flagged: bool,
    #[arg(long)]
    unflagged: bool,
}

impl ActionCommand {
    fn ids(&self) -> Vec<MessageId> {
        let (ActionCommand::Flag { ids, .. }
        | ActionCommand::Move { ids, .. }
        | ActionCommand::Copy { ids, .. }
        | ActionCommand::Delete { ids, .. }) = self;
        ids.iter().copied().map(MessageId).collect()
    }
}

pub async fn run(service: &Service, cmd: ActionCommand, out: &mut impl Write) -> Result<()> {
    let ids = cmd.ids();
    // The password first, so the change can go out as soon as it is made.
    let account = service.account_of_message(ids[0]).await?;
    let kind = service
        .accounts()
        .await?
        .into_iter()
        .find(|a| a.id == account)
        .map(|a| a.kind);
    let remote = kind == Some(AccountKind::Imap);
    if remote {
        provide_password(service, account).await?;
    }
    let report = match cmd {
        ActionCommand::Flag { change, .. } => {
            let n = match (change.read, change.unread, change.flagged) {
                (true, _, _) => service.set_read(ids, true).await?,
                (_, true, _) => service.set_read(ids, false).await?,
                (_, _, true) => service.set_flagged(ids, true).await?,
                _ => service.set_flagged(ids, false).await?,
            };
            format!("{n} messages changed")
        }
        ActionCommand::Move { to, .. } => {
            let dest = resolve(service, &to).await?.id;
            let undo = service.move_messages(ids, dest).await?;
            format!("{} messages moved", undo.restore.len())
        }
        ActionCommand::Copy { to, .. } => {
            let dest = resolve(service, &to).await?.id;
            let copies = service.copy_messages(ids, dest).await?;
            let new: Vec<String> = copies.iter().map(|c| c.to_string()).collect();
            format!("{} messages copied: {}", copies.len(), new.join(" "))
        }
        ActionCommand::Delete { for_good: true, .. } => {
            let n = service.expunge_messages(ids).await?;
            format!("{n} messages deleted for good")
        }
        ActionCommand::Delete { .. } => {
            let d = service.delete_messages(ids).await?;
            format!(
                "{} messages moved to Trash, {} deleted for good",
                d.to_trash.restore.len(),
                d.expunged
            )
        }
    };
    writeln!(out, "{report}").map_err(|e| Error::io("writing output", e))?;
    if remote {
        // Queued already; a failure here only means it goes out later.
        match service.push_changes().await {
            Ok(_) => {}
            Err(e) => eprintln!("not sent to the server yet ({e}); it stays queued"),
        }
    }
    Ok(())
}

//! `attachment list|save|open`: a message's attachments, by index, with
//! the name each would be saved under, its real extension and whether it
//! could run code.

use super::provide_password;
use crate::error::{Error, Result};
use crate::mime::filename::{self, Risk};
use crate::model::MessageId;
use crate::service::Service;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum AttachmentCommand {
    /// List a message's attachments: index, saved name, type, size, risk.
    List { id: i64 },
    /// Save attachments into a folder; never replaces a file there.
    Save {
        id: i64,
        #[command(flatten)]
        which: Which,
        /// The folder to save into.
        #[arg(long)]
        to: PathBuf,
        /// The name to save under (with --index), sanitized like any other.
        #[arg(long, conflicts_with = "all")]
        name: Option<String>,
    },
    /// Open an attachment with the desktop's default application.
    Open {
        id: i64,
        #[arg(long)]
        index: usize,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Which {
    #[arg(long)]
    index: Option<usize>,
    /// Every attachment; taken names get free ones ("name (1).ext").
    #[arg(long)]
    all: bool,
}

pub async fn run(service: &Service, cmd: AttachmentCommand, out: &mut impl Write) -> Result<()> {
    let id = MessageId(match &cmd {
        AttachmentCommand::List { id }
        | AttachmentCommand::Save { id, .. }
        | AttachmentCommand::Open { id, .. } => *id,
    });
    // A server message's body may have to be fetched first: ask for the
    // password once if so (the body is kept, so later steps have it).
    if let Err(Error::PasswordNeeded) = service.message(id).await {
        let account = service.account_of_message(id).await?;
        provide_password(service, account).await?;
    }
    let w = |e| Error::io("writing output", e);
    match cmd {
        AttachmentCommand::List { .. } => {
            let view = service.message(id).await?;
            for (index, a) in view.attachments.iter().enumerate() {
                let name = filename::sanitize(a.filename.as_deref(), &a.mime_type);
                let risk = match filename::risk(&name, &a.mime_type) {
                    Risk::Safe => "",
                    Risk::Executable => "\tEXECUTABLE",
                };
                let ext = filename::real_extension(&name).unwrap_or_else(|| "-".into());
                writeln!(
                    out,
                    "{index}\t{name}\t{}\t{} bytes\t.{ext}{risk}",
                    a.mime_type, a.size
                )
                .map_err(w)?;
            }
        }
        AttachmentCommand::Save {
            which, to, name, ..
        } => {
            let saved = match which.index {
                Some(index) => vec![service.save_attachment(id, index, to, name).await?],
                None => service.save_attachments(id, to).await?,
            };
            for path in saved {
                writeln!(out, "{}", path.display()).map_err(w)?;
            }
        }
        AttachmentCommand::Open { index, .. } => {
            let path = service.open_attachment(id, index).await?;
            writeln!(out, "{}", path.display()).map_err(w)?;
        }
    }
    Ok(())
}

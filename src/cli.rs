//! `poshta-cli`: the headless command line over the same [`Service`] the
//! window uses, for scripting, tests and benchmarks.

use crate::error::{Error, Result};
use crate::model::{AccountId, Flags, Folder, MessageId, MessageSummary};
use crate::service::Service;
use crate::store::folders::LOCAL_ACCOUNT;
use crate::sync::Stage;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

mod account;
mod actions;
mod attachment;
mod certificate;
mod discover;
mod list;
mod search;
mod send;

pub use account::AccountCommand;

#[derive(Debug, Parser)]
#[command(name = "poshta-cli", version, about = "Poshta mail client, headless")]
pub struct Cli {
    /// Data directory (default: $POSHTA_HOME, else the XDG data directory).
    #[arg(long, global = true)]
    pub home: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import .eml or mbox files into a folder.
    Import {
        /// Target folder (id or path such as "Inbox" or "Local Folders/Inbox").
        #[arg(long, default_value = "Inbox")]
        folder: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List every account's folders with unread and total counts.
    Folders,
    /// List a folder's messages, newest first unless told otherwise.
    List {
        folder: String,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[command(flatten)]
        how: list::ListArgs,
    },
    /// List a message's conversation across its account's folders,
    /// oldest first.
    Conversation { id: i64 },
    /// Print one message's headers and text.
    Show { id: i64 },
    /// Search mail: subject, people, text and attachment names here,
    /// and the server's own search for bodies not downloaded.
    Search(search::SearchArgs),
    /// Create, rename or delete local folders.
    #[command(subcommand)]
    Folder(FolderCommand),
    /// Sync an IMAP account: folders, flags and new messages. The password
    /// is read from $POSHTA_PASSWORD, else from the first line of stdin.
    Sync {
        account: i64,
        /// Also download every message body not here yet, for offline
        /// reading and full-text search.
        #[arg(long)]
        bodies: bool,
    },
    /// Add, list or remove server accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// List, save or open a message's attachments.
    #[command(subcommand)]
    Attachment(attachment::AttachmentCommand),
    #[command(flatten)]
    Action(actions::ActionCommand),
    #[command(flatten)]
    Send(send::SendCommand),
}

#[derive(Debug, Subcommand)]
pub enum FolderCommand {
    Create {
        name: String,
        /// Parent folder; default: top level of Local Folders.
        #[arg(long)]
        parent: Option<String>,
    },
    Rename {
        folder: String,
        name: String,
    },
    /// Delete a folder; its messages move to Trash.
    Delete {
        folder: String,
    },
}

/// Parse arguments and run; the process exit code.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    crate::logging::init();
    // One thread: a command does one thing at a time, and its blocking work
    // (the store) runs on tokio's blocking pool anyway. The thread that
    // waits on the sockets also runs the protocol, so no cross-thread
    // wake-up per read; with the multi-thread runtime a POP3 download of
    // 727 MB took 3.4 s instead of 2.9 s (README, Performance).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("poshta-cli: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, &mut std::io::stdout().lock())) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("poshta-cli: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

pub async fn run(cli: Cli, out: &mut impl Write) -> Result<()> {
    let given_home = cli.home.clone();
    let home = cli.home.unwrap_or_else(crate::paths::data_dir);
    let service = Service::load(home).await?;
    let w = |e| Error::io("writing output", e);
    match cli.command {
        Command::Import { folder, files } => {
            let folder = resolve(&service, &folder).await?;
            for file in files {
                let p = service.import(file.clone(), folder.id, |_| {}).await?;
                writeln!(
                    out,
                    "{}: {} imported, {} already present, {} unreadable",
                    file.display(),
                    p.imported,
                    p.duplicates,
                    p.failed
                )
                .map_err(w)?;
            }
        }
        Command::Folders => {
            let accounts = service.accounts().await?;
            let folders = service.folders().await?;
            for account in &accounts {
                writeln!(out, "{}", account.name).map_err(w)?;
                for (folder, depth) in crate::model::tree_order(&folders, account.id) {
                    writeln!(
                        out,
                        "{:>6}  {}{}  ({} unread, {} total)",
                        folder.id,
                        "  ".repeat(depth + 1),
                        folder.name,
                        folder.unread,
                        folder.total
                    )
                    .map_err(w)?;
                }
            }
        }
        Command::List {
            folder,
            offset,
            limit,
            how,
        } => {
            let folder = resolve(&service, &folder).await?;
            for m in service
                .message_page(folder.id, how.query(), offset, limit)
                .await?
            {
                write_summary(out, &m).map_err(w)?;
            }
        }
        Command::Conversation { id } => {
            for m in service.conversation(MessageId(id)).await? {
                write_summary(out, &m).map_err(w)?;
            }
        }
        Command::Show { id } => {
            let id = MessageId(id);
            let m = match service.message(id).await {
                // A server message not yet downloaded: ask for the password once.
                Err(Error::PasswordNeeded) => {
                    let account = service.account_of_message(id).await?;
                    provide_password(&service, account).await?;
                    service.message(id).await?
                }
                other => other?,
            };
            let s = &m.summary;
            writeln!(out, "From: {} <{}>", s.from_name, s.from_addr).map_err(w)?;
            writeln!(out, "To: {}", m.to).map_err(w)?;
            if !m.cc.is_empty() {
                writeln!(out, "Cc: {}", m.cc).map_err(w)?;
            }
            writeln!(out, "Date: {}", format_date(s.date)).map_err(w)?;
            writeln!(out, "Subject: {}", s.subject).map_err(w)?;
            for a in &m.attachments {
                writeln!(
                    out,
                    "Attachment: {} ({}, {} bytes)",
                    a.filename.as_deref().unwrap_or("-"),
                    a.mime_type,
                    a.size
                )
                .map_err(w)?;
            }
            writeln!(out, "\n{}", m.body).map_err(w)?;
        }
        Command::Search(args) => search::run(&service, args, out).await?,
        Command::Account(cmd) => account::run(&service, cmd, given_home.as_deref(), out).await?,
        Command::Action(cmd) => actions::run(&service, cmd, out).await?,
        Command::Attachment(cmd) => attachment::run(&service, cmd, out).await?,
        Command::Send(cmd) => send::run(&service, cmd, out).await?,
        Command::Sync { account, bodies } => {
            let account = AccountId(account);
            provide_password(&service, account).await?;
            let report = |p: &crate::sync::Progress| match p.stage {
                Stage::Indexing => eprintln!("search index: {}/{}", p.fetched, p.to_fetch),
                stage => eprintln!(
                    "[{}/{}] {}: {}/{}{}",
                    p.folder_index + 1,
                    p.folder_count,
                    p.folder,
                    p.fetched,
                    p.to_fetch,
                    if stage == Stage::Bodies {
                        " bodies"
                    } else {
                        ""
                    }
                ),
            };
            let summary = if bodies {
                service.sync_with_bodies(account, report).await?
            } else {
                service.sync(account, report).await?
            };
            writeln!(
                out,
                "{} folders, {} new messages, {} flag changes, {} removed",
                summary.folders, summary.new_messages, summary.flag_changes, summary.removed
            )
            .map_err(w)?;
            if bodies || summary.bodies > 0 {
                writeln!(out, "{} bodies downloaded", summary.bodies).map_err(w)?;
            }
        }
        Command::Folder(cmd) => match cmd {
            FolderCommand::Create { name, parent } => {
                let (account, parent) = match parent {
                    Some(p) => {
                        let p = resolve(&service, &p).await?;
                        (p.account_id, Some(p.id))
                    }
                    None => (LOCAL_ACCOUNT, None),
                };
                let id = service.create_folder(account, parent, name).await?;
                writeln!(out, "{id}").map_err(w)?;
            }
            FolderCommand::Rename { folder, name } => {
                let folder = resolve(&service, &folder).await?;
                service.rename_folder(folder.id, name).await?;
            }
            FolderCommand::Delete { folder } => {
                let folder = resolve(&service, &folder).await?;
                let moved = service.delete_folder(folder.id).await?;
                writeln!(out, "deleted; {moved} messages moved to Trash").map_err(w)?;
            }
        },
    }
    Ok(())
}

/// Give `account` its password for this run: POSHTA_PASSWORD if set,
/// else the one kept in the keyring, else the first line of stdin.
pub(crate) async fn provide_password(service: &Service, account: AccountId) -> Result<()> {
    if std::env::var_os("POSHTA_PASSWORD").is_none() && service.recall_password(account).await? {
        return Ok(());
    }
    service.set_password(account, read_password()?);
    Ok(())
}

/// The password for a CLI run: never an argument (it would show in `ps`).
fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("POSHTA_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io("reading the password from stdin", e))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(Error::PasswordNeeded);
    }
    Ok(password)
}

fn write_summary(out: &mut impl Write, m: &MessageSummary) -> std::io::Result<()> {
    let marks = format!(
        "{}{}{}",
        if m.flags.contains(Flags::SEEN) {
            ' '
        } else {
            'N'
        },
        if m.flags.contains(Flags::FLAGGED) {
            '*'
        } else {
            ' '
        },
        if m.has_attachments { '@' } else { ' ' },
    );
    writeln!(
        out,
        "{}\t{}\t{}\t{}\t{}{}",
        m.id,
        format_date(m.date),
        marks,
        m.sender(),
        m.subject,
        // A conversation of several messages (`list --threads`).
        match m.thread_size {
            0 | 1 => String::new(),
            n => format!(" ({n})"),
        }
    )
}

fn format_date(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Find a folder by id, by path within Local Folders ("Inbox",
/// "Projects/2026") or by full path ("Local Folders/Inbox").
async fn resolve(service: &Service, reference: &str) -> Result<Folder> {
    let folders = service.folders().await?;
    if let Ok(id) = reference.parse::<i64>()
        && let Some(f) = folders.iter().find(|f| f.id.0 == id)
    {
        return Ok(f.clone());
    }
    let accounts = service.accounts().await?;
    let wanted = reference.trim_matches('/').to_lowercase();
    let mut found = Vec::new();
    for account in &accounts {
        for (folder, _) in crate::model::tree_order(&folders, account.id) {
            let path = folder_path(&folders, folder).to_lowercase();
            let full = format!("{}/{}", account.name.to_lowercase(), path);
            if full == wanted || (account.id == LOCAL_ACCOUNT && path == wanted) {
                found.push(folder.clone());
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        _ => Err(Error::NotFound { what: "folder" }),
    }
}

fn folder_path(all: &[Folder], folder: &Folder) -> String {
    let mut parts = vec![folder.name.as_str()];
    let mut parent = folder.parent_id;
    while let Some(p) = parent.and_then(|id| all.iter().find(|f| f.id == id)) {
        parts.push(&p.name);
        parent = p.parent_id;
    }
    parts.reverse();
    parts.join("/")
}

//! `poshta-cli`: the headless command line over the same [`Service`] the
//! window uses, for scripting, tests and benchmarks.

use crate::account::{NewAccount, Protocol, Security, Server};
use crate::error::{Error, Result};
use crate::model::{AccountId, Flags, Folder, MessageId, MessageSummary};
use crate::service::Service;
use crate::store::folders::LOCAL_ACCOUNT;
use crate::store::pop3::Policy;
use crate::sync::Stage;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

mod actions;
mod discover;
mod send;

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
    /// List a folder's messages, newest first.
    List {
        folder: String,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Print one message's headers and text.
    Show { id: i64 },
    /// Search subject, people and text of all messages.
    Search {
        query: String,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
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
    #[command(flatten)]
    Action(actions::ActionCommand),
    #[command(flatten)]
    Send(send::SendCommand),
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an IMAP or POP3 account (with SMTP for sending). No password is
    /// stored.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// The IMAP server (or --pop3-host). Without either, the servers
        /// are discovered as `account discover` shows them.
        #[arg(long, conflicts_with = "pop3_host")]
        imap_host: Option<String>,
        /// With a known provider's settings: POP3 rather than IMAP.
        #[arg(long, conflicts_with_all = ["imap_host", "pop3_host"])]
        pop3: bool,
        /// Default: 993 with tls, 143 with starttls or plain.
        #[arg(long)]
        imap_port: Option<u16>,
        /// tls (default), starttls (required, never opportunistic) or plain.
        #[arg(long, default_value = "tls", value_parser = parse_security)]
        imap_security: Security,
        /// A POP3 server instead: mail is downloaded to this computer.
        #[arg(long)]
        pop3_host: Option<String>,
        /// Default: 995 with tls, 110 with starttls or plain.
        #[arg(long)]
        pop3_port: Option<u16>,
        #[arg(long, default_value = "tls", value_parser = parse_security)]
        pop3_security: Security,
        /// What happens on the POP3 server to mail once downloaded: leave
        /// (default), at-once, when-deleted (here, for good) or after-days.
        #[arg(long, default_value = "leave", value_parser = parse_policy)]
        pop3_policy: Policy,
        /// Days for --pop3-policy after-days.
        #[arg(long, default_value_t = 14)]
        pop3_days: u32,
        #[arg(long)]
        smtp_host: Option<String>,
        #[arg(long)]
        smtp_port: Option<u16>,
        #[arg(long, default_value = "tls", value_parser = parse_security)]
        smtp_security: Security,
        /// Login name; default: the email address.
        #[arg(long)]
        username: Option<String>,
        /// A PEM file with an extra CA certificate to trust for these servers.
        #[arg(long)]
        ca_file: Option<PathBuf>,
    },
    /// Change how an account checks for mail.
    Set {
        id: i64,
        /// Check every this many minutes (1 to 1440) when the server cannot
        /// push new mail (POP3, or IMAP without IDLE).
        #[arg(long, conflicts_with = "check_default")]
        check_every: Option<u64>,
        /// Check at the default interval (every 5 minutes) again.
        #[arg(long)]
        check_default: bool,
        /// What happens on the POP3 server to mail once downloaded: leave,
        /// at-once, when-deleted (here, for good) or after-days.
        #[arg(long, value_parser = parse_policy)]
        pop3_policy: Option<Policy>,
        /// Days for --pop3-policy after-days.
        #[arg(long, default_value_t = 14)]
        pop3_days: u32,
        /// yes if the server files sent mail in Sent itself (Gmail): then
        /// Poshta keeps no copy of its own.
        #[arg(long, value_parser = parse_yes_no)]
        server_files_sent: Option<bool>,
        /// The signature put under new mail from this account ("" for
        /// none; \n starts a new line).
        #[arg(long)]
        signature: Option<String>,
        /// Where replies to this account's mail should go ("" for its own
        /// address).
        #[arg(long)]
        reply_to: Option<String>,
    },
    /// Keep the account's password (read from POSHTA_PASSWORD or the first
    /// line of stdin) in the system keyring, so syncing needs no password.
    Password { id: i64 },
    /// List accounts with their servers and how often they are checked.
    List,
    /// Connect and log in to the account's servers (both at once) and say
    /// how each went; fails if either did. The password comes from
    /// $POSHTA_PASSWORD, the keyring, or stdin.
    Test { id: i64 },
    /// Show the servers account setup finds for an address: the shipped
    /// provider list, the domain's autoconfig (HTTPS), SRV and MX records,
    /// then common host names. Nothing is sent to them.
    Discover { address: String },
    /// Remove an account and all its local mail, once confirmed: asks on
    /// stdin (type "yes") unless --yes is given.
    Remove {
        id: i64,
        #[arg(long)]
        yes: bool,
    },
}

fn parse_policy(s: &str) -> std::result::Result<Policy, String> {
    match s {
        "leave" => Ok(Policy::Leave),
        "at-once" => Ok(Policy::AtOnce),
        "when-deleted" => Ok(Policy::WhenDeletedHere),
        // The days come from --pop3-days.
        "after-days" => Ok(Policy::AfterDays(0)),
        _ => Err(format!(
            "unknown policy {s:?}: use leave, at-once, when-deleted or after-days"
        )),
    }
}

fn parse_yes_no(s: &str) -> std::result::Result<bool, String> {
    match s {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(format!("{s:?}: use yes or no")),
    }
}

/// `policy` with the days of --pop3-days where it counts them.
fn with_days(policy: Policy, days: u32) -> Policy {
    match policy {
        Policy::AfterDays(_) => Policy::AfterDays(days),
        other => other,
    }
}

fn parse_security(s: &str) -> std::result::Result<Security, String> {
    Security::parse(s).ok_or_else(|| format!("unknown security {s:?}: use tls, starttls or plain"))
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
        } => {
            let folder = resolve(&service, &folder).await?;
            for m in service.message_page(folder.id, offset, limit).await? {
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
        Command::Search { query, limit } => {
            for m in service.search(query, limit).await? {
                write_summary(out, &m).map_err(w)?;
            }
        }
        Command::Account(cmd) => account_command(&service, cmd, out).await?,
        Command::Action(cmd) => actions::run(&service, cmd, out).await?,
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

async fn account_command(
    service: &Service,
    cmd: AccountCommand,
    out: &mut impl Write,
) -> Result<()> {
    let w = |e| Error::io("writing output", e);
    match cmd {
        AccountCommand::Add {
            name,
            email,
            imap_host,
            imap_port,
            imap_security,
            pop3_host,
            pop3,
            pop3_port,
            pop3_security,
            pop3_policy,
            pop3_days,
            smtp_host,
            smtp_port,
            smtp_security,
            username,
            ca_file,
        } => {
            let extra_ca_pem = match ca_file {
                Some(path) => Some(
                    std::fs::read(&path)
                        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?,
                ),
                None => None,
            };
            // Discovered servers come with their login names; only a
            // given --username replaces them.
            let given_username = username.clone();
            let username = username.unwrap_or_else(|| email.clone());
            let server = |protocol: Protocol, host: String, port: Option<u16>, security| Server {
                protocol,
                port: port.unwrap_or(protocol.default_port(security)),
                host,
                security,
                username: username.clone(),
                extra_ca_pem: extra_ca_pem.clone(),
                pinned_sha256: None,
            };
            let outgoing = smtp_host.map(|h| server(Protocol::Smtp, h, smtp_port, smtp_security));
            let (incoming, outgoing) = match (imap_host, pop3_host) {
                (Some(host), _) => (
                    server(Protocol::Imap, host, imap_port, imap_security),
                    outgoing,
                ),
                (None, Some(host)) => (
                    server(Protocol::Pop3, host, pop3_port, pop3_security),
                    outgoing,
                ),
                (None, None) => {
                    let (incoming, found) =
                        discover::servers(service, &email, pop3, given_username.as_deref()).await?;
                    let incoming = Server {
                        extra_ca_pem: extra_ca_pem.clone(),
                        ..incoming
                    };
                    let found = found.map(|s| Server {
                        extra_ca_pem: extra_ca_pem.clone(),
                        ..s
                    });
                    (incoming, outgoing.or(found))
                }
            };
            let pop3 = incoming.protocol == Protocol::Pop3;
            let new = NewAccount {
                incoming,
                outgoing,
                name,
                email,
            };
            let id = service.add_account(new).await?;
            if pop3 {
                service
                    .set_pop3_policy(id, with_days(pop3_policy, pop3_days))
                    .await?;
            }
            writeln!(out, "{id}").map_err(w)?;
        }
        AccountCommand::Set {
            id,
            check_every,
            check_default,
            pop3_policy,
            pop3_days,
            server_files_sent,
            signature,
            reply_to,
        } => {
            let id = AccountId(id);
            if let Some(address) = reply_to {
                service.set_reply_to(id, address).await?;
            }
            if let Some(signature) = signature {
                service
                    .set_signature(id, signature.replace("\\n", "\n"))
                    .await?;
            }
            if let Some(files) = server_files_sent {
                service.set_server_files_sent(id, files).await?;
            }
            if let Some(policy) = pop3_policy {
                service
                    .set_pop3_policy(id, with_days(policy, pop3_days))
                    .await?;
            }
            if let Some(minutes) = check_every {
                let every = Duration::from_secs(minutes.saturating_mul(60));
                service.set_check_interval(id, Some(every)).await?;
            } else if check_default {
                service.set_check_interval(id, None).await?;
            }
        }
        AccountCommand::List => {
            for account in service.accounts().await? {
                let settings = service.account_settings(account.id).await?;
                let describe = |s: &Option<Server>| match s {
                    Some(s) => format!(
                        "{} {}:{} ({})",
                        s.protocol.as_str(),
                        s.host,
                        s.port,
                        s.security.as_str()
                    ),
                    None => "-".into(),
                };
                // Local Folders are never checked.
                let every = match settings.incoming {
                    Some(_) => format!("every {} min", service.check_minutes(account.id).await?),
                    None => "-".into(),
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    account.id,
                    account.name,
                    account.email.as_deref().unwrap_or("-"),
                    describe(&settings.incoming),
                    describe(&settings.outgoing),
                    every
                )
                .map_err(w)?;
            }
        }
        AccountCommand::Password { id } => {
            service
                .remember_password(AccountId(id), read_password()?)
                .await?
        }
        AccountCommand::Discover { address } => discover::print(service, &address, out).await?,
        AccountCommand::Remove { id, yes } => {
            let account = AccountId(id);
            if !yes {
                confirm_removal(service, account).await?;
            }
            service.remove_account(account).await?
        }
        AccountCommand::Test { id } => {
            let account = AccountId(id);
            provide_password(service, account).await?;
            let settings = service.account_settings(account).await?;
            let test = service.test_account(account).await?;
            let servers = [
                ("incoming", settings.incoming.as_ref(), Some(&test.incoming)),
                (
                    "outgoing",
                    settings.outgoing.as_ref(),
                    test.outgoing.as_ref(),
                ),
            ];
            for (role, server, outcome) in servers {
                let (Some(server), Some(outcome)) = (server, outcome) else {
                    continue;
                };
                let verdict = match outcome {
                    Ok(()) => "ok".to_string(),
                    Err(e) => format!("failed: {e}"),
                };
                let line = format!(
                    "{role}\t{} {}:{}\t{verdict}",
                    server.protocol.as_str(),
                    server.host,
                    server.port
                );
                writeln!(out, "{line}").map_err(w)?;
            }
            if let Some(Err(e)) = [Some(test.incoming), test.outgoing]
                .into_iter()
                .flatten()
                .find(Result::is_err)
            {
                return Err(e);
            }
        }
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

/// Ask on stderr, read the answer from stdin: removing `account` takes its
/// local mail with it, so only "yes" goes on.
async fn confirm_removal(service: &Service, account: AccountId) -> Result<()> {
    let name = service
        .accounts()
        .await?
        .into_iter()
        .find(|a| a.id == account)
        .map(|a| a.name)
        .ok_or(Error::NotFound { what: "account" })?;
    let messages: u64 = service
        .folders()
        .await?
        .iter()
        .filter(|f| f.account_id == account)
        .map(|f| u64::from(f.total))
        .sum();
    eprint!(
        "Remove account {} ({name}) and the {messages} messages stored here for it? Type yes: ",
        account.0
    );
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io("reading the answer from stdin", e))?;
    match line.trim() {
        "yes" | "y" => Ok(()),
        _ => Err(Error::NotConfirmed),
    }
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
        "{}\t{}\t{}\t{}\t{}",
        m.id,
        format_date(m.date),
        marks,
        m.sender(),
        m.subject
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

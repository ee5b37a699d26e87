//! `account`: adding, changing, listing, testing and removing server
//! accounts.

use super::{discover, provide_password, read_password};
use crate::account::{NewAccount, Protocol, Security, Server};
use crate::error::{Error, Result};
use crate::model::AccountId;
use crate::service::Service;
use crate::store::pop3::Policy;
use clap::Subcommand;
use std::io::Write;
use std::path::PathBuf;

mod edit;

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
    /// Change an account: its name, address, servers, place in the list,
    /// special folders and how it checks for and keeps mail. What is not
    /// given stays as it is.
    #[command(visible_alias = "set")]
    Edit(edit::Edit),
    /// Keep the account's password (read from POSHTA_PASSWORD or the first
    /// line of stdin) in the system keyring, so syncing needs no password.
    Password { id: i64 },
    /// List accounts in their order, with their servers and how often
    /// they are checked.
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

pub async fn run(service: &Service, cmd: AccountCommand, out: &mut impl Write) -> Result<()> {
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
        AccountCommand::Edit(edit) => edit::run(service, edit).await?,
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

//! `account`: adding, changing, listing, testing and removing server
//! accounts, and the user's decision about a certificate a server was
//! refused for.

use super::{certificate, provide_password, read_password};
use crate::account::{Direction, NewAccount, Protocol, Security, Server};
use crate::error::{Error, Result};
use crate::model::AccountId;
use crate::net::tls;
use crate::service::Service;
use crate::store::pop3::Policy;
use clap::{ArgGroup, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};

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
        /// Trust exactly the certificate with this SHA-256 fingerprint (as
        /// `account test` prints it) on the incoming server, and on the
        /// SMTP server too when it has the same host name, in place of
        /// checking it against the CAs. `account trust` sets each server's
        /// on its own.
        #[arg(long, value_name = "HEX", value_parser = parse_fingerprint)]
        sha256: Option<[u8; 32]>,
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
    /// how each went; fails if either did. For a refused certificate it
    /// says why, shows the certificate and the command that trusts it. The
    /// password comes from $POSHTA_PASSWORD, the keyring, or stdin.
    Test { id: i64 },
    /// Trust exactly one certificate on one of the account's servers, in
    /// place of checking it against the CAs: the one whose SHA-256
    /// fingerprint `account test` showed. Any other certificate there is
    /// refused again. Or --forget it, to check against the CAs again.
    #[command(group(ArgGroup::new("server").required(true).args(["incoming", "outgoing"])))]
    #[command(group(ArgGroup::new("decision").required(true).args(["sha256", "forget"])))]
    Trust {
        id: i64,
        /// The IMAP or POP3 server.
        #[arg(long)]
        incoming: bool,
        /// The SMTP server.
        #[arg(long)]
        outgoing: bool,
        /// The certificate's fingerprint: 64 hex digits, in pairs separated
        /// by colons or not, in either case.
        #[arg(long, value_name = "HEX", value_parser = parse_fingerprint)]
        sha256: Option<[u8; 32]>,
        /// Stop trusting the certificate trusted there.
        #[arg(long)]
        forget: bool,
    },
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

fn parse_fingerprint(s: &str) -> std::result::Result<[u8; 32], String> {
    tls::parse_sha256(s).map_err(|e| format!("not a SHA-256 fingerprint: {e}"))
}

/// Runs an account command; `home` is the --home given, if any, for the
/// commands it suggests.
pub async fn run(
    service: &Service,
    cmd: AccountCommand,
    home: Option<&Path>,
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
            sha256,
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
                        super::discover::servers(service, &email, pop3, given_username.as_deref())
                            .await?;
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
            let (incoming, outgoing) = pinned(incoming, outgoing, sha256);
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
                        "{} {}:{} ({}{})",
                        s.protocol.as_str(),
                        s.host,
                        s.port,
                        s.security.as_str(),
                        if s.pinned_sha256.is_some() {
                            ", pinned"
                        } else {
                            ""
                        }
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
        AccountCommand::Trust {
            id,
            incoming,
            outgoing: _,
            sha256,
            forget: _,
        } => {
            // clap requires one of each pair: --outgoing if not --incoming,
            // --forget if no --sha256.
            let account = AccountId(id);
            let direction = if incoming {
                Direction::Incoming
            } else {
                Direction::Outgoing
            };
            let settings = service.account_settings(account).await?;
            let server = match direction {
                Direction::Incoming => settings.incoming,
                Direction::Outgoing => settings.outgoing,
            }
            .ok_or(Error::NotFound { what: "server" })?;
            service.pin_certificate(account, direction, sha256).await?;
            let place = format!(
                "{} {}:{}",
                server.protocol.as_str(),
                server.host,
                server.port
            );
            match sha256 {
                Some(pin) => writeln!(
                    out,
                    "{place}: only the certificate with SHA-256 {} is trusted",
                    tls::hex(&pin)
                ),
                None => writeln!(
                    out,
                    "{place}: no certificate pinned; the certificate is checked against the CAs"
                ),
            }
            .map_err(w)?;
        }
        AccountCommand::Discover { address } => {
            super::discover::print(service, &address, out).await?
        }
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
                (
                    Direction::Incoming,
                    settings.incoming.as_ref(),
                    Some(&test.incoming),
                ),
                (
                    Direction::Outgoing,
                    settings.outgoing.as_ref(),
                    test.outgoing.as_ref(),
                ),
            ];
            for (direction, server, outcome) in servers {
                let (Some(server), Some(outcome)) = (server, outcome) else {
                    continue;
                };
                let verdict = match outcome {
                    Ok(()) => "ok".to_string(),
                    // The details follow on lines of their own.
                    Err(e) if e.rejected_certificate().is_some() => {
                        "failed: the server's certificate was refused".to_string()
                    }
                    Err(e) => format!("failed: {e}"),
                };
                let line = format!(
                    "{}\t{} {}:{}\t{verdict}",
                    direction.as_str(),
                    server.protocol.as_str(),
                    server.host,
                    server.port
                );
                writeln!(out, "{line}").map_err(w)?;
                if let Some(certificate) =
                    outcome.as_ref().err().and_then(Error::rejected_certificate)
                {
                    let trust = certificate::TrustCommand {
                        account,
                        direction,
                        server,
                        home,
                    };
                    certificate::explain(out, certificate, &trust).map_err(w)?;
                }
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

/// The servers with `pin` (from `account add --sha256`): the incoming one,
/// and the outgoing one when it is on the same host, as one self-hosted
/// machine usually serves both with one certificate. A certificate is
/// trusted where the user saw it, so another host gets no pin.
fn pinned(
    mut incoming: Server,
    mut outgoing: Option<Server>,
    pin: Option<[u8; 32]>,
) -> (Server, Option<Server>) {
    if pin.is_some() {
        incoming.pinned_sha256 = pin;
        if let Some(out) = outgoing
            .as_mut()
            .filter(|out| out.host.trim().eq_ignore_ascii_case(incoming.host.trim()))
        {
            out.pinned_sha256 = pin;
        }
    }
    (incoming, outgoing)
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

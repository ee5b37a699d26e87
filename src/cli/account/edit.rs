//! `account edit` (alias `set`): change any of an account's settings,
//! leaving what is not given as it is.

use super::{parse_policy, parse_security, parse_yes_no, with_days};
use crate::account::{Protocol, Security, Server};
use crate::cli::folder_path;
use crate::error::{Error, Result};
use crate::model::{AccountId, FolderId, Role};
use crate::service::Service;
use crate::store::pop3::Policy;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Edit {
    id: i64,
    /// The account's name, as the folder tree shows it.
    #[arg(long)]
    name: Option<String>,
    /// The address mail from this account is sent from.
    #[arg(long)]
    email: Option<String>,
    /// The IMAP server (an IMAP account's; an account does not change
    /// between IMAP and POP3 here).
    #[arg(long)]
    imap_host: Option<String>,
    #[arg(long)]
    imap_port: Option<u16>,
    /// tls, starttls or plain. Without --imap-port, a server on the old
    /// security's standard port moves to the new one's.
    #[arg(long, value_parser = parse_security)]
    imap_security: Option<Security>,
    /// The POP3 server (a POP3 account's).
    #[arg(long)]
    pop3_host: Option<String>,
    #[arg(long)]
    pop3_port: Option<u16>,
    #[arg(long, value_parser = parse_security)]
    pop3_security: Option<Security>,
    /// The SMTP server; given to an account without one, it gets one
    /// (tls on the standard port unless told otherwise).
    #[arg(long)]
    smtp_host: Option<String>,
    #[arg(long)]
    smtp_port: Option<u16>,
    #[arg(long, value_parser = parse_security)]
    smtp_security: Option<Security>,
    /// Login name on both servers.
    #[arg(long)]
    username: Option<String>,
    /// Where the account goes in the list: 1 is first (Local Folders
    /// always stays last).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    position: Option<u32>,
    /// yes: download every message body in the background, for reading
    /// offline and searching whole messages (IMAP).
    #[arg(long, value_parser = parse_yes_no)]
    offline_bodies: Option<bool>,
    /// The folder sent mail is filed in: its path within the account
    /// (like "Archive/2026") or its id.
    #[arg(long, value_name = "PATH")]
    sent_folder: Option<String>,
    /// The folder drafts are kept in.
    #[arg(long, value_name = "PATH")]
    drafts_folder: Option<String>,
    /// The folder deleted mail goes to.
    #[arg(long, value_name = "PATH")]
    trash_folder: Option<String>,
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
}

/// One server's options as given.
struct ServerEdit {
    host: Option<String>,
    port: Option<u16>,
    security: Option<Security>,
}

impl ServerEdit {
    fn is_empty(&self) -> bool {
        self.host.is_none() && self.port.is_none() && self.security.is_none()
    }

    /// `server` with what was given. A security change without a port
    /// moves a server on the old security's standard port to the new
    /// one's (993 to 143 for IMAP going to STARTTLS), as people expect.
    fn apply(&self, mut server: Server) -> Server {
        if let Some(host) = &self.host {
            server.host.clone_from(host);
        }
        if let Some(security) = self.security {
            if self.port.is_none() && server.port == server.protocol.default_port(server.security) {
                server.port = server.protocol.default_port(security);
            }
            server.security = security;
        }
        if let Some(port) = self.port {
            server.port = port;
        }
        server
    }
}

pub async fn run(service: &Service, edit: Edit) -> Result<()> {
    let id = AccountId(edit.id);
    let settings = service.account_settings(id).await?;
    // Everything that can be refused is checked before anything changes.
    let mut special = Vec::new();
    for (role, path) in [
        (Role::Sent, &edit.sent_folder),
        (Role::Drafts, &edit.drafts_folder),
        (Role::Trash, &edit.trash_folder),
    ] {
        if let Some(path) = path {
            special.push((role, folder_of(service, id, path).await?));
        }
    }
    let imap = ServerEdit {
        host: edit.imap_host,
        port: edit.imap_port,
        security: edit.imap_security,
    };
    let pop3 = ServerEdit {
        host: edit.pop3_host,
        port: edit.pop3_port,
        security: edit.pop3_security,
    };
    let smtp = ServerEdit {
        host: edit.smtp_host,
        port: edit.smtp_port,
        security: edit.smtp_security,
    };
    let servers_edited =
        !(imap.is_empty() && pop3.is_empty() && smtp.is_empty()) || edit.username.is_some();
    if servers_edited || edit.name.is_some() || edit.email.is_some() {
        let mut incoming = settings
            .incoming
            .ok_or(Error::InvalidSettings("incoming server"))?;
        let (given, other) = match incoming.protocol {
            Protocol::Pop3 => (&pop3, &imap),
            _ => (&imap, &pop3),
        };
        if !other.is_empty() {
            return Err(Error::InvalidSettings(
                "the incoming protocol cannot change",
            ));
        }
        incoming = given.apply(incoming);
        let mut outgoing = match settings.outgoing {
            Some(server) => Some(smtp.apply(server)),
            None if smtp.is_empty() => None,
            None => Some(new_smtp(&smtp, &incoming)?),
        };
        if let Some(username) = &edit.username {
            incoming.username.clone_from(username);
            if let Some(out) = &mut outgoing {
                out.username.clone_from(username);
            }
        }
        let name = edit.name.unwrap_or(settings.name);
        let email = edit
            .email
            .or(settings.email)
            .ok_or(Error::InvalidSettings("email address"))?;
        service
            .update_account(id, name, email, incoming, outgoing)
            .await?;
    }
    if let Some(position) = edit.position {
        let to = usize::try_from(position - 1).unwrap_or(usize::MAX);
        service.move_account(id, to).await?;
    }
    if let Some(on) = edit.offline_bodies {
        service.set_offline_bodies(id, on).await?;
    }
    for (role, folder) in special {
        service.set_special_folder(id, role, folder).await?;
    }
    if let Some(address) = edit.reply_to {
        service.set_reply_to(id, address).await?;
    }
    if let Some(signature) = edit.signature {
        service
            .set_signature(id, signature.replace("\\n", "\n"))
            .await?;
    }
    if let Some(files) = edit.server_files_sent {
        service.set_server_files_sent(id, files).await?;
    }
    if let Some(policy) = edit.pop3_policy {
        service
            .set_pop3_policy(id, with_days(policy, edit.pop3_days))
            .await?;
    }
    if let Some(minutes) = edit.check_every {
        let every = Duration::from_secs(minutes.saturating_mul(60));
        service.set_check_interval(id, Some(every)).await?;
    } else if edit.check_default {
        service.set_check_interval(id, None).await?;
    }
    Ok(())
}

/// An SMTP server for an account that had none: the host is needed; the
/// login and extra CA are the incoming server's.
fn new_smtp(given: &ServerEdit, incoming: &Server) -> Result<Server> {
    let host = given.host.clone().ok_or(Error::InvalidSettings(
        "outgoing server: --smtp-host is needed",
    ))?;
    let security = given.security.unwrap_or_default();
    Ok(Server {
        protocol: Protocol::Smtp,
        host,
        port: given.port.unwrap_or(Protocol::Smtp.default_port(security)),
        security,
        username: incoming.username.clone(),
        extra_ca_pem: incoming.extra_ca_pem.clone(),
        pinned_sha256: None,
    })
}

/// `account`'s folder at `path` ("Archive/2026", any case) or with that
/// id.
async fn folder_of(service: &Service, account: AccountId, path: &str) -> Result<FolderId> {
    let folders = service.folders().await?;
    let wanted = path.trim_matches('/').to_lowercase();
    let mine = || folders.iter().filter(|f| f.account_id == account);
    let found = mine()
        .find(|f| folder_path(&folders, f).to_lowercase() == wanted)
        .or_else(|| {
            let id = path.parse::<i64>().ok()?;
            mine().find(|f| f.id.0 == id)
        });
    found
        .map(|f| f.id)
        .ok_or(Error::NotFound { what: "folder" })
}

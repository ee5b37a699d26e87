//! `account discover` and `account add` without servers: what account
//! setup finds for an address, printed for a person to check.

use crate::account::discover::{Offer, Problem, Source};
use crate::account::{Protocol, Server};
use crate::error::{Error, Result};
use crate::service::Service;
use std::io::Write;

/// Print what discovery finds for `address`; an error if nothing.
pub async fn print(service: &Service, address: &str, out: &mut impl Write) -> Result<()> {
    let offer = service.discover(address).await?;
    let w = |e| Error::io("writing output", e);
    for problem in &offer.problems {
        writeln!(out, "note\t{}", problem_text(problem)).map_err(w)?;
    }
    if let Some(source) = &offer.source {
        writeln!(out, "found by\t{}", source_text(source)).map_err(w)?;
    }
    for server in [&offer.imap, &offer.pop3, &offer.smtp]
        .into_iter()
        .flatten()
    {
        writeln!(
            out,
            "{}\t{}:{}\t{}\t{}",
            server.protocol.as_str(),
            server.host,
            server.port,
            server.security.as_str(),
            server.username
        )
        .map_err(w)?;
    }
    if !offer.found() {
        return Err(Error::InvalidSettings(
            "incoming server (none found: give --imap-host or --pop3-host)",
        ));
    }
    Ok(())
}

/// The servers discovery finds for `address`: IMAP unless `pop3` (or the
/// only protocol found), and SMTP if found. `username` replaces the
/// offered login names when given.
pub async fn servers(
    service: &Service,
    address: &str,
    pop3: bool,
    username: Option<&str>,
) -> Result<(Server, Option<Server>)> {
    let Offer {
        imap,
        pop3: pop,
        smtp,
        ..
    } = service.discover(address).await?;
    let incoming = if pop3 { pop.or(imap) } else { imap.or(pop) };
    let mut incoming = incoming.ok_or(Error::InvalidSettings(
        "incoming server (none found: give --imap-host or --pop3-host)",
    ))?;
    if pop3 && incoming.protocol != Protocol::Pop3 {
        return Err(Error::InvalidSettings(
            "incoming server (no POP3 server found)",
        ));
    }
    let mut outgoing = smtp;
    if let Some(name) = username {
        incoming.username = name.to_string();
        if let Some(s) = &mut outgoing {
            s.username = name.to_string();
        }
    }
    Ok((incoming, outgoing))
}

fn source_text(source: &Source) -> String {
    match source {
        Source::Provider(name) => format!("Poshta's provider list ({name})"),
        Source::Autoconfig(url) => format!("autoconfig at {url}"),
        Source::Srv => "DNS SRV records".into(),
        Source::Mx(name) => format!("the domain's mail exchanger ({name})"),
        Source::Guess => "guessing common host names (unverified)".into(),
    }
}

fn problem_text(problem: &Problem) -> String {
    match problem {
        Problem::AutoconfigTooLarge { url } => format!("{url}: answer too large, ignored"),
        Problem::AutoconfigMalformed { url, detail } => {
            format!("{url}: not a valid configuration ({detail}), ignored")
        }
        Problem::AutoconfigInsecure { url } => {
            format!("{url}: offers only unencrypted connections, ignored")
        }
    }
}

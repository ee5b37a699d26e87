//! `poshta-cli search`: the hits with where each was found, then what
//! was searched (`local: 12,431 messages · server: Archive`) and which
//! server folders could not be.

use super::{resolve, write_summary};
use crate::error::{Error, Result};
use crate::model::{AccountId, FolderId};
use crate::search::{Origin, Scope, SearchResults};
use crate::service::Service;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Words (all required), prefix*, "a phrase", from:, to: (To and
    /// Cc), subject: (each with a word or a quoted phrase), has:attachment.
    pub query: String,
    /// Only this folder (its id or path; "all-inboxes" for every Inbox).
    #[arg(long, conflicts_with = "account")]
    pub folder: Option<String>,
    /// Only this account's folders.
    #[arg(long)]
    pub account: Option<i64>,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

pub async fn run(service: &Service, args: SearchArgs, out: &mut impl Write) -> Result<()> {
    let scope = match (&args.folder, args.account) {
        (Some(f), _) if f.eq_ignore_ascii_case("all-inboxes") => {
            Scope::Folder(FolderId::ALL_INBOXES)
        }
        (Some(f), _) => Scope::Folder(resolve(service, f).await?.id),
        (None, Some(a)) => Scope::Account(AccountId(a)),
        (None, None) => Scope::All,
    };
    // A password from the environment is the searched account's; never
    // read from stdin, so a search cannot stop to wait for one.
    if let Ok(password) = std::env::var("POSHTA_PASSWORD") {
        let account = match scope {
            Scope::Folder(f) if f != FolderId::ALL_INBOXES => {
                Some(service.folder(f).await?.account_id)
            }
            Scope::Account(a) => Some(a),
            _ => None,
        };
        if let Some(account) = account {
            service.set_password(account, password);
        }
    }
    let results = service.search(args.query, scope, args.limit).await?;
    write(out, &results).map_err(|e| Error::io("writing output", e))
}

fn write(out: &mut impl Write, results: &SearchResults) -> std::io::Result<()> {
    for hit in &results.hits {
        let origin = match hit.origin {
            Origin::Local => "local",
            Origin::Server => "server",
        };
        write!(out, "{origin}\t")?;
        write_summary(out, &hit.summary)?;
    }
    write!(out, "local: {} messages", thousands(results.local_messages))?;
    if !results.server_folders.is_empty() {
        write!(out, " · server: {}", results.server_folders.join(", "))?;
    }
    writeln!(out)?;
    for (folder, kind) in &results.server_failures {
        let why = kind.message_id().trim_start_matches("error-");
        writeln!(out, "not searched on the server: {folder} ({why})")?;
    }
    Ok(())
}

/// 12431 → "12,431".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(12_431), "12,431");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}

//! The DNS side of discovery: SRV records (RFC 6186), MX hosts, and which
//! common host names exist under a domain. Also the address lookups of
//! the autoconfig fetch, so one (configurable) resolver answers all.

use super::{Found, Settings, server};
use crate::account::{Protocol, Security};
use crate::error::{Error, Result};
use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub type Resolver = Arc<hickory_resolver::TokioResolver>;

/// The system's resolver, or one asking only `settings.name_server`.
pub fn resolver(settings: &Settings) -> Result<Resolver> {
    let mut options = ResolverOpts::default();
    // A person is waiting: a dead name server costs seconds, not minutes.
    options.timeout = Duration::from_secs(3);
    options.attempts = 2;
    let builder = match settings.name_server {
        Some(at) => {
            let servers = NameServerConfigGroup::from_ips_clear(&[at.ip()], at.port(), true);
            hickory_resolver::Resolver::builder_with_config(
                ResolverConfig::from_parts(None, vec![], servers),
                TokioConnectionProvider::default(),
            )
        }
        None => hickory_resolver::Resolver::builder_tokio().map_err(|e| Error::Network {
            context: "reading the system's DNS settings",
            detail: e.to_string(),
        })?,
    };
    Ok(Arc::new(builder.with_options(options).build()))
}

/// Whether `host` is a syntactically valid DNS name (what a server we
/// offer, or a domain we look up, must be).
pub fn valid_host(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// RFC 6186: `_imaps`/`_imap`, `_pop3s`/`_pop3` and
/// `_submissions`/`_submission` under the domain. Implicit TLS records
/// win over STARTTLS ones; a target of "." means "not offered".
pub async fn srv(resolver: &Resolver, domain: &str, address: &str) -> Found {
    let lookup = |service: &'static str| {
        let name = format!("{service}._tcp.{domain}.");
        async move { best_srv(resolver, &name).await }
    };
    let (imaps, imap, pop3s, pop3, submissions, submission) = tokio::join!(
        lookup("_imaps"),
        lookup("_imap"),
        lookup("_pop3s"),
        lookup("_pop3"),
        lookup("_submissions"),
        lookup("_submission"),
    );
    let pick = |protocol, tls: Option<(String, u16)>, starttls: Option<(String, u16)>| {
        tls.map(|(host, port)| server(protocol, &host, port, Security::Tls, address))
            .or_else(|| {
                starttls
                    .map(|(host, port)| server(protocol, &host, port, Security::StartTls, address))
            })
    };
    Found {
        imap: pick(Protocol::Imap, imaps, imap),
        pop3: pick(Protocol::Pop3, pop3s, pop3),
        smtp: pick(Protocol::Smtp, submissions, submission),
        ..Found::default()
    }
}

/// The most preferred usable target of the SRV records at `name`.
async fn best_srv(resolver: &Resolver, name: &str) -> Option<(String, u16)> {
    let lookup = resolver.srv_lookup(name).await.ok()?;
    let mut records: Vec<_> = lookup.iter().collect();
    // Lowest priority first; among equals the heaviest (no random pick:
    // the user should see the same answer twice).
    records.sort_by_key(|r| (r.priority(), std::cmp::Reverse(r.weight())));
    records.into_iter().find_map(|r| {
        let host = r.target().to_ascii();
        let host = host.trim_end_matches('.');
        (r.port() != 0 && valid_host(host)).then(|| (host.to_string(), r.port()))
    })
}

/// The domain's MX hosts, most preferred first.
pub async fn mx_hosts(resolver: &Resolver, domain: &str) -> Vec<String> {
    let Ok(lookup) = resolver.mx_lookup(format!("{domain}.")).await else {
        return Vec::new();
    };
    let mut records: Vec<_> = lookup.iter().collect();
    records.sort_by_key(|r| r.preference());
    records
        .into_iter()
        .map(|r| {
            r.exchange()
                .to_ascii()
                .trim_end_matches('.')
                .to_ascii_lowercase()
        })
        .collect()
}

/// Common host names that exist under the domain, on the standard
/// implicit-TLS ports. Unverified: the connection test that follows the
/// review is what tells whether a mail server answers there.
pub async fn guess(resolver: &Resolver, domain: &str, address: &str) -> Found {
    let exists = |prefix: &'static str| {
        let host = format!("{prefix}.{domain}");
        async move {
            let found = resolver
                .lookup_ip(format!("{host}."))
                .await
                .is_ok_and(|ips| ips.iter().next().is_some());
            found.then_some(host)
        }
    };
    let (imap, pop, pop3, smtp, mail) = tokio::join!(
        exists("imap"),
        exists("pop"),
        exists("pop3"),
        exists("smtp"),
        exists("mail")
    );
    let port = |protocol: Protocol| protocol.default_port(Security::Tls);
    let at = |protocol, host: Option<String>| {
        host.or_else(|| mail.clone())
            .map(|host| server(protocol, &host, port(protocol), Security::Tls, address))
    };
    Found {
        imap: at(Protocol::Imap, imap),
        pop3: at(Protocol::Pop3, pop.or(pop3)),
        smtp: at(Protocol::Smtp, smtp),
        ..Found::default()
    }
}

/// Address lookups for the autoconfig fetch through the same resolver.
pub struct HttpResolver(pub Resolver);

impl reqwest::dns::Resolve for HttpResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = self.0.clone();
        let host = format!("{}.", name.as_str());
        Box::pin(async move {
            let ips = resolver.lookup_ip(host).await?;
            // The port is the URL's; reqwest puts it in.
            let addrs: Vec<SocketAddr> = ips.iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::valid_host;

    #[test]
    fn host_names_are_checked_label_by_label() {
        for good in ["imap.mail.kz", "mail.kz.", "xn--80ak6aa92e.com", "a-b.c"] {
            assert!(valid_host(good), "{good}");
        }
        for bad in [
            "",
            ".",
            "a..b",
            "-a.kz",
            "a-.kz",
            "a b.kz",
            "a/b",
            "пошта.kz",
            &"a".repeat(64),
        ] {
            assert!(!valid_host(bad), "{bad}");
        }
    }
}

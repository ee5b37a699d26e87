//! Finding an address's servers for account setup, the way people expect
//! from Thunderbird: the shipped provider list, the domain's autoconfig
//! XML over HTTPS, DNS SRV records (RFC 6186), the domain's MX hosts led
//! back to a known provider, and last a guess at common host names.
//!
//! All sources are asked at once; the answer is the most trusted source
//! that found an incoming server, taken as soon as every more trusted one
//! has answered. Nothing found here is used before the user has seen it
//! and no password is sent anywhere while discovering.

mod autoconfig;
mod dns;

pub use dns::valid_host;

use super::{Protocol, Security, Server, providers};
use crate::error::{Error, Result};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where discovery asks. The defaults are the system's name servers and
/// HTTPS on port 443 with the system's roots; tests (and people debugging
/// a domain's setup) point it elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// A name server to ask instead of the system's (`/etc/resolv.conf`).
    pub name_server: Option<SocketAddr>,
    /// The port autoconfig is fetched from, instead of 443.
    pub https_port: Option<u16>,
    /// A PEM file of an extra CA trusted for autoconfig's HTTPS.
    pub extra_ca: Option<PathBuf>,
}

impl Settings {
    /// The defaults, changed by `POSHTA_DISCOVERY_DNS` (`ip:port`),
    /// `POSHTA_DISCOVERY_HTTPS_PORT` and `POSHTA_DISCOVERY_CA` (a PEM file).
    pub fn from_env() -> Settings {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Settings {
            name_server: var("POSHTA_DISCOVERY_DNS").and_then(|v| v.parse().ok()),
            https_port: var("POSHTA_DISCOVERY_HTTPS_PORT").and_then(|v| v.parse().ok()),
            extra_ca: var("POSHTA_DISCOVERY_CA").map(PathBuf::from),
        }
    }
}

/// Where a found setting came from, most trusted first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// The provider list shipped with Poshta (by the address's domain).
    Provider(String),
    /// The domain's autoconfig XML (the URL it was read from).
    Autoconfig(String),
    /// The domain's SRV records.
    Srv,
    /// The domain's MX hosts belong to this shipped provider.
    Mx(String),
    /// Host names that exist under the domain (imap., smtp., mail., ...).
    Guess,
}

/// What went wrong with a source, for the user to read beside the result
/// (a source that simply has nothing is not a problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The autoconfig answer was larger than any real one.
    AutoconfigTooLarge { url: String },
    /// The autoconfig answer was not the XML it should be.
    AutoconfigMalformed { url: String, detail: String },
    /// The autoconfig answer offered only unencrypted connections, which
    /// Poshta does not set up on a server's say-so.
    AutoconfigInsecure { url: String },
}

/// What discovery found for an address: the servers the user reviews.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Offer {
    pub imap: Option<Server>,
    pub pop3: Option<Server>,
    pub smtp: Option<Server>,
    /// Where the incoming server came from; `None` if nothing was found.
    pub source: Option<Source>,
    pub problems: Vec<Problem>,
}

impl Offer {
    /// Whether there is anything to receive mail with.
    pub fn found(&self) -> bool {
        self.imap.is_some() || self.pop3.is_some()
    }
}

/// What one source found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Found {
    imap: Option<Server>,
    pop3: Option<Server>,
    smtp: Option<Server>,
    problems: Vec<Problem>,
    /// Says more than the source it answers for (which provider an MX
    /// host led to).
    source: Option<Source>,
}

impl Found {
    fn incoming(&self) -> bool {
        self.imap.is_some() || self.pop3.is_some()
    }
}

/// The longest discovery takes as a whole: a person is waiting.
const DEADLINE: Duration = Duration::from_secs(20);

/// The domain of `address` (lower case), or why it is not an address.
pub fn domain_of(address: &str) -> Result<String> {
    let address = address.trim();
    match address.rsplit_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && dns::valid_host(domain)
                && !domain.chars().all(|c| c.is_ascii_digit() || c == '.') =>
        {
            Ok(domain.to_ascii_lowercase())
        }
        _ => Err(Error::InvalidSettings("email address")),
    }
}

/// Find `address`'s servers, asking every source at once.
pub async fn discover(address: &str, settings: &Settings) -> Result<Offer> {
    let domain = domain_of(address)?;
    let address = address.trim();
    // The shipped list needs no network and is the most trusted.
    if let Some(provider) = providers::for_address(address) {
        return Ok(merge(
            &[Source::Provider(provider.name.clone())],
            vec![Some(provider_found(provider, address))],
        ));
    }
    let resolver = dns::resolver(settings)?;
    let http = autoconfig::client(settings, &resolver)?;
    let isp = autoconfig::isp_url(&domain, address, settings);
    let well_known = autoconfig::well_known_url(&domain, settings);
    let sources: Vec<(Source, futures::future::BoxFuture<'_, Found>)> = vec![
        (
            Source::Autoconfig(isp.clone()),
            Box::pin(autoconfig::fetch(&http, isp, address)),
        ),
        (
            Source::Autoconfig(well_known.clone()),
            Box::pin(autoconfig::fetch(&http, well_known, address)),
        ),
        (Source::Srv, Box::pin(dns::srv(&resolver, &domain, address))),
        (
            Source::Mx(String::new()),
            Box::pin(mx(&resolver, &domain, address)),
        ),
        (
            Source::Guess,
            Box::pin(dns::guess(&resolver, &domain, address)),
        ),
    ];
    let (sources, futures): (Vec<_>, Vec<_>) = sources.into_iter().unzip();
    let mut pending: FuturesUnordered<_> = futures
        .into_iter()
        .enumerate()
        .map(|(i, f)| async move { (i, f.await) })
        .collect();
    let mut answers: Vec<Option<Found>> = vec![None; sources.len()];
    let _ = tokio::time::timeout(DEADLINE, async {
        while let Some((i, found)) = pending.next().await {
            answers[i] = Some(found);
            // Done once the most trusted answered source with an incoming
            // server has no more trusted source still out.
            let decided = answers
                .iter()
                .take_while(|a| a.is_some())
                .any(|a| a.as_ref().is_some_and(Found::incoming));
            if decided {
                break;
            }
        }
    })
    .await;
    Ok(merge(&sources, answers))
}

/// One offer from the sources' answers (in `sources`' order of trust):
/// incoming from the most trusted source that has it, and outgoing from
/// that source too unless it had none. Every source's problems are kept.
fn merge(sources: &[Source], answers: Vec<Option<Found>>) -> Offer {
    let mut offer = Offer::default();
    for (source, found) in sources.iter().zip(answers) {
        let Some(found) = found else { continue };
        let incoming = found.incoming();
        offer.problems.extend(found.problems);
        if offer.source.is_none() && incoming {
            offer.source = Some(found.source.unwrap_or_else(|| source.clone()));
            offer.imap = found.imap;
            offer.pop3 = found.pop3;
            offer.smtp = found.smtp;
        } else if offer.smtp.is_none() && offer.source.is_some() {
            offer.smtp = found.smtp;
        }
    }
    offer
}

fn provider_found(provider: &providers::Provider, address: &str) -> Found {
    Found {
        imap: provider.server(Protocol::Imap, address),
        pop3: provider.server(Protocol::Pop3, address),
        smtp: provider.server(Protocol::Smtp, address),
        problems: Vec::new(),
        source: None,
    }
}

/// A custom domain whose mail a shipped provider hosts: its MX hosts end
/// in that provider's suffixes.
async fn mx(resolver: &dns::Resolver, domain: &str, address: &str) -> Found {
    for host in dns::mx_hosts(resolver, domain).await {
        if let Some(provider) = providers::for_mx(&host) {
            return Found {
                source: Some(Source::Mx(provider.name.clone())),
                ..provider_found(provider, address)
            };
        }
    }
    Found::default()
}

/// A server as discovery offers it: no CA or pin of its own yet.
fn server(protocol: Protocol, host: &str, port: u16, security: Security, username: &str) -> Server {
    Server {
        protocol,
        host: host.trim_end_matches('.').to_ascii_lowercase(),
        port,
        security,
        username: username.to_string(),
        extra_ca_pem: None,
        pinned_sha256: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(host: &str, smtp: bool) -> Found {
        Found {
            imap: Some(server(Protocol::Imap, host, 993, Security::Tls, "u")),
            pop3: None,
            smtp: smtp.then(|| server(Protocol::Smtp, host, 465, Security::Tls, "u")),
            ..Found::default()
        }
    }

    #[test]
    fn the_most_trusted_source_with_an_incoming_server_wins() {
        let sources = [
            Source::Autoconfig("a".into()),
            Source::Autoconfig("b".into()),
            Source::Srv,
            Source::Mx(String::new()),
            Source::Guess,
        ];
        let bad = Found {
            problems: vec![Problem::AutoconfigInsecure { url: "a".into() }],
            ..Found::default()
        };
        let offer = merge(
            &sources,
            vec![
                Some(bad),
                None,
                Some(found("srv.kz", false)),
                None,
                Some(found("guess.kz", true)),
            ],
        );
        assert_eq!(offer.source, Some(Source::Srv));
        assert_eq!(offer.imap.unwrap().host, "srv.kz");
        // SRV had no submission record: the next source's SMTP fills in.
        assert_eq!(offer.smtp.unwrap().host, "guess.kz");
        assert_eq!(offer.problems.len(), 1);
    }

    #[test]
    fn nothing_found_is_an_empty_offer() {
        let offer = merge(
            &[Source::Srv, Source::Guess],
            vec![None, Some(Found::default())],
        );
        assert!(!offer.found());
        assert_eq!(offer.source, None);
        assert_eq!(offer.smtp, None);
    }

    #[test]
    fn only_real_addresses_have_a_domain() {
        assert_eq!(domain_of(" Aigerim@Mail.KZ ").unwrap(), "mail.kz");
        for bad in [
            "",
            "@mail.kz",
            "aigerim",
            "a@",
            "a@-x.kz",
            "a@x..kz",
            "a@127.0.0.1",
            "a@b c.kz",
        ] {
            assert!(domain_of(bad).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn a_shipped_provider_needs_no_network() {
        // A name server that does not exist: the provider list answers.
        let settings = Settings {
            name_server: Some("127.0.0.1:9".parse().unwrap()),
            ..Settings::default()
        };
        let offer = discover("li@163.com", &settings).await.unwrap();
        assert_eq!(offer.source, Some(Source::Provider("NetEase 163".into())));
        let imap = offer.imap.unwrap();
        assert_eq!(
            (imap.host.as_str(), imap.port, imap.security),
            ("imap.163.com", 993, Security::Tls)
        );
        assert_eq!(imap.username, "li@163.com");
        assert!(offer.smtp.is_some());
    }
}

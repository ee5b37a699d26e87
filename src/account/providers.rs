//! Well-known mail providers' settings, shipped with Poshta
//! (`resources/providers.toml`): the first place account setup looks for
//! an address's servers, and where an MX host of a custom domain leads
//! back to. Read once, at first use; the file is checked by the tests, so
//! a bad entry cannot ship.

use super::{Protocol, Security, Server};
use serde::Deserialize;
use std::sync::OnceLock;

const PROVIDERS: &str = include_str!("../../resources/providers.toml");

/// One provider as the file describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Provider {
    pub name: String,
    pub domains: Vec<String>,
    pub mx: Vec<String>,
    pub imap: Option<Endpoint>,
    pub pop3: Option<Endpoint>,
    pub smtp: Endpoint,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub security: String,
}

#[derive(Deserialize)]
struct File {
    provider: Vec<Provider>,
}

/// Every shipped provider.
pub fn all() -> &'static [Provider] {
    static ALL: OnceLock<Vec<Provider>> = OnceLock::new();
    ALL.get_or_init(|| match toml::from_str::<File>(PROVIDERS) {
        Ok(file) => file.provider,
        // Checked by the tests; never expected in a build.
        Err(error) => {
            tracing::error!(%error, "the provider list does not parse");
            Vec::new()
        }
    })
}

/// The provider serving `address`'s domain, if shipped.
pub fn for_address(address: &str) -> Option<&'static Provider> {
    let domain = address.rsplit_once('@')?.1.trim().to_ascii_lowercase();
    all().iter().find(|p| p.domains.contains(&domain))
}

/// The provider whose mail servers `mx_host` belongs to (a custom domain
/// hosted there), if shipped.
pub fn for_mx(mx_host: &str) -> Option<&'static Provider> {
    let host = mx_host.trim_end_matches('.').to_ascii_lowercase();
    all().iter().find(|p| {
        p.mx.iter()
            .any(|suffix| host == *suffix || host.ends_with(&format!(".{suffix}")))
    })
}

impl Provider {
    /// `protocol`'s server for `address` (the user name is the whole
    /// address at every shipped provider), if the provider offers it.
    pub fn server(&self, protocol: Protocol, address: &str) -> Option<Server> {
        let endpoint = match protocol {
            Protocol::Imap => self.imap.as_ref()?,
            Protocol::Pop3 => self.pop3.as_ref()?,
            Protocol::Smtp => &self.smtp,
        };
        Some(Server {
            protocol,
            host: endpoint.host.clone(),
            port: endpoint.port,
            security: Security::parse(&endpoint.security)?,
            username: address.trim().to_string(),
            extra_ca_pem: None,
            pinned_sha256: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_entry_is_usable_and_secure() {
        let all = all();
        assert!(all.len() >= 15, "the file parses: {}", all.len());
        let mut domains = std::collections::HashSet::new();
        for p in all {
            assert!(!p.domains.is_empty() && !p.mx.is_empty(), "{}", p.name);
            for d in &p.domains {
                assert!(domains.insert(d.clone()), "{d} listed twice");
                assert_eq!(d, &d.to_ascii_lowercase());
            }
            assert!(p.imap.is_some() || p.pop3.is_some(), "{}", p.name);
            for protocol in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
                if let Some(s) = p.server(protocol, "a@b.kz") {
                    // No plaintext, ever; implicit TLS on its own ports.
                    assert_ne!(s.security, Security::Plain, "{}", p.name);
                    let implicit = matches!(s.port, 993 | 995 | 465);
                    assert_eq!(implicit, s.security == Security::Tls, "{} {s:?}", p.name);
                }
            }
            let endpoints = [&p.imap, &p.pop3].into_iter().flatten().chain([&p.smtp]);
            for e in endpoints {
                assert!(
                    Security::parse(&e.security).is_some(),
                    "{}: {}",
                    p.name,
                    e.security
                );
            }
        }
    }

    #[test]
    fn addresses_and_mx_hosts_lead_to_their_provider() {
        let p = for_address("Aigerim@Mail.RU").unwrap();
        assert_eq!(p.name, "Mail.ru");
        let imap = p.server(Protocol::Imap, "Aigerim@Mail.RU").unwrap();
        assert_eq!((imap.host.as_str(), imap.port), ("imap.mail.ru", 993));
        assert_eq!(imap.username, "Aigerim@Mail.RU");
        assert_eq!(for_address("li@qq.com").unwrap().name, "QQ Mail");
        assert!(for_address("someone@example.kz").is_none());
        assert!(for_address("no-at-sign").is_none());
        assert_eq!(for_mx("alt1.aspmx.l.google.com.").unwrap().name, "Gmail");
        assert_eq!(for_mx("mx.yandex.net").unwrap().name, "Yandex Mail");
        assert!(
            for_mx("notgoogle.com").is_none(),
            "a suffix, not a substring"
        );
        let icloud = for_address("a@icloud.com").unwrap();
        assert!(icloud.server(Protocol::Pop3, "a@icloud.com").is_none());
    }
}

//! Thunderbird's autoconfig XML (`config-v1.1.xml`), as a domain publishes
//! it at `autoconfig.<domain>` or under `<domain>/.well-known/`.
//!
//! Fetched over HTTPS only, redirects included: an answer over plain HTTP
//! could be written by anyone on the path, and the user is about to send
//! a password to whatever server it names. The answer is read up to a
//! bound, and offers of unencrypted connections are dropped.

use super::dns::{HttpResolver, Resolver};
use super::{Found, Problem, Settings, server};
use crate::account::{Protocol, Security, Server};
use crate::error::{Error, Result};
use quick_xml::events::Event;
use std::sync::Arc;
use std::time::Duration;

/// Real answers are a few kilobytes; this leaves room for long comments.
pub const MAX_BYTES: usize = 256 * 1024;

/// The HTTPS client discovery fetches with.
pub fn client(settings: &Settings, resolver: &Resolver) -> Result<reqwest::Client> {
    let extra_ca = match &settings.extra_ca {
        Some(path) => Some(std::fs::read(path).map_err(|source| Error::Io {
            context: format!("reading {}", path.display()),
            source,
        })?),
        None => None,
    };
    let tls = crate::net::tls::client_config(extra_ca.as_deref()).map_err(|e| Error::Network {
        context: "setting up TLS for account discovery",
        detail: e.to_string(),
    })?;
    reqwest::Client::builder()
        .use_preconfigured_tls((*tls).clone())
        .https_only(true)
        .http1_only()
        // Mail connections use no proxy either: discovery must see the
        // network the account will.
        .no_proxy()
        .dns_resolver(Arc::new(HttpResolver(resolver.clone())))
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("Poshta/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Network {
            context: "setting up account discovery",
            detail: e.to_string(),
        })
}

fn origin(host: &str, settings: &Settings) -> String {
    match settings.https_port {
        Some(port) => format!("https://{host}:{port}"),
        None => format!("https://{host}"),
    }
}

/// The provider's own autoconfig host, told the address as Thunderbird
/// does (some providers answer per user).
pub fn isp_url(domain: &str, address: &str, settings: &Settings) -> String {
    let mut url = format!(
        "{}/mail/config-v1.1.xml",
        origin(&format!("autoconfig.{domain}"), settings)
    );
    url.push_str("?emailaddress=");
    url.extend(address.bytes().map(|b| match b {
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
            (b as char).to_string()
        }
        _ => format!("%{b:02X}"),
    }));
    url
}

pub fn well_known_url(domain: &str, settings: &Settings) -> String {
    format!(
        "{}/.well-known/autoconfig/mail/config-v1.1.xml",
        origin(domain, settings)
    )
}

/// What `url` offers for `address`. No answer (no such host, not found,
/// refused, timed out) finds nothing; a bad answer is a problem to show.
pub async fn fetch(client: &reqwest::Client, url: String, address: &str) -> Found {
    let body = match get(client, &url).await {
        Ok(Some(body)) => body,
        Ok(None) => return Found::default(),
        Err(problem) => {
            return Found {
                problems: vec![problem],
                ..Found::default()
            };
        }
    };
    match parse(&body, address) {
        Ok((found, plaintext_offered)) if !found.incoming() && plaintext_offered => Found {
            problems: vec![Problem::AutoconfigInsecure { url }],
            ..found
        },
        Ok((found, _)) => found,
        Err(detail) => Found {
            problems: vec![Problem::AutoconfigMalformed { url, detail }],
            ..Found::default()
        },
    }
}

/// The body at `url`, read up to [`MAX_BYTES`]; `None` if there is none.
async fn get(client: &reqwest::Client, url: &str) -> std::result::Result<Option<Vec<u8>>, Problem> {
    let too_large = || Problem::AutoconfigTooLarge {
        url: url.to_string(),
    };
    let mut response = match client.get(url).send().await {
        Ok(response) if response.status().is_success() => response,
        Ok(response) => {
            tracing::debug!(url, status = %response.status(), "no autoconfig");
            return Ok(None);
        }
        Err(e) => {
            tracing::debug!(url, error = %e, "no autoconfig");
            return Ok(None);
        }
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(Some(body)),
            Err(e) => {
                tracing::debug!(url, error = %e, "autoconfig cut off");
                return Ok(None);
            }
        }
    }
}

/// One `incomingServer` or `outgoingServer` element as read.
#[derive(Default)]
struct Element {
    kind: String,
    hostname: String,
    port: String,
    socket_type: String,
    username: String,
    authentication: Vec<String>,
}

/// The servers `xml` offers for `address`: the first usable one of each
/// protocol, in the document's order of preference. Unencrypted offers
/// are dropped; an answer with only those finds nothing. Beside it:
/// whether any was dropped (to say why such an answer was not used).
fn parse(xml: &[u8], address: &str) -> std::result::Result<(Found, bool), String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let mut found = Found::default();
    let mut current: Option<(bool, Element)> = None;
    let mut field = String::new();
    let mut saw_config = false;
    let mut plaintext_offered = false;
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                match name.as_str() {
                    "clientConfig" => saw_config = true,
                    "incomingServer" | "outgoingServer" => {
                        let kind = e
                            .try_get_attribute("type")
                            .map_err(|e| e.to_string())?
                            .map(|a| String::from_utf8_lossy(&a.value).to_ascii_lowercase())
                            .unwrap_or_default();
                        current = Some((
                            name == "incomingServer",
                            Element {
                                kind,
                                ..Element::default()
                            },
                        ));
                    }
                    _ => {}
                }
                field = name;
            }
            Event::Text(t) => {
                if let Some((_, element)) = &mut current {
                    let text = t.decode().map_err(|e| e.to_string())?.trim().to_string();
                    match field.as_str() {
                        "hostname" => element.hostname = text,
                        "port" => element.port = text,
                        "socketType" => element.socket_type = text,
                        "username" => element.username = text,
                        "authentication" => element.authentication.push(text),
                        _ => {}
                    }
                }
            }
            Event::End(e) => {
                let name = e.local_name();
                if matches!(name.as_ref(), b"incomingServer" | b"outgoingServer")
                    && let Some((incoming, element)) = current.take()
                {
                    plaintext_offered |= element.socket_type.eq_ignore_ascii_case("plain");
                    take(&mut found, incoming, element, address);
                }
                field.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_config {
        return Err("not an autoconfig document (no clientConfig)".into());
    }
    Ok((found, plaintext_offered))
}

/// Keep `element` in `found` if it is the first usable one of its kind.
fn take(found: &mut Found, incoming: bool, element: Element, address: &str) {
    let slot = match (incoming, element.kind.as_str()) {
        (true, "imap") => &mut found.imap,
        (true, "pop3") => &mut found.pop3,
        (false, "smtp") => &mut found.smtp,
        _ => return,
    };
    if slot.is_none() {
        *slot = usable(&element, address);
    }
}

fn usable(element: &Element, address: &str) -> Option<Server> {
    let protocol = match element.kind.as_str() {
        "imap" => Protocol::Imap,
        "pop3" => Protocol::Pop3,
        _ => Protocol::Smtp,
    };
    let security = match element.socket_type.to_ascii_uppercase().as_str() {
        "SSL" | "TLS" => Security::Tls,
        "STARTTLS" => Security::StartTls,
        _ => return None,
    };
    // Passwords are all Poshta sends; an OAuth-only server is no use.
    let by_password = element.authentication.is_empty()
        || element
            .authentication
            .iter()
            .any(|a| a.starts_with("password-") || a == "plain" || a == "secure");
    let port: u16 = element.port.parse().ok().filter(|p| *p != 0)?;
    if !by_password || !super::dns::valid_host(&element.hostname) {
        return None;
    }
    let (local, domain) = address.rsplit_once('@').unwrap_or((address, ""));
    let username = match element.username.as_str() {
        "" => address.to_string(),
        name => name
            .replace("%EMAILADDRESS%", address)
            .replace("%EMAILLOCALPART%", local)
            .replace("%EMAILDOMAIN%", domain),
    };
    Some(server(
        protocol,
        &element.hostname,
        port,
        security,
        &username,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="mail.kz">
    <domain>mail.kz</domain>
    <incomingServer type="imap">
      <hostname>imap.mail.kz</hostname><port>143</port>
      <socketType>plain</socketType><username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>oauth.mail.kz</hostname><port>993</port>
      <socketType>SSL</socketType><authentication>OAuth2</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>IMAP.mail.kz</hostname><port>993</port>
      <socketType>SSL</socketType><username>%EMAILLOCALPART%</username>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.mail.kz</hostname><port>995</port>
      <socketType>SSL</socketType><username>%EMAILADDRESS%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.mail.kz</hostname><port>587</port>
      <socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username>
      <authentication>password-encrypted</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>"#;

    #[test]
    fn the_first_secure_password_server_of_each_kind_is_taken() {
        let (found, _) = parse(XML.as_bytes(), "aigerim@mail.kz").unwrap();
        let imap = found.imap.unwrap();
        assert_eq!(
            (imap.host.as_str(), imap.port, imap.security),
            ("imap.mail.kz", 993, Security::Tls)
        );
        assert_eq!(imap.username, "aigerim");
        let pop3 = found.pop3.unwrap();
        assert_eq!(
            (pop3.port, pop3.username.as_str()),
            (995, "aigerim@mail.kz")
        );
        let smtp = found.smtp.unwrap();
        assert_eq!((smtp.port, smtp.security), (587, Security::StartTls));
    }

    #[test]
    fn only_plaintext_offers_find_nothing() {
        let xml = r#"<clientConfig><emailProvider>
            <incomingServer type="imap"><hostname>imap.x.kz</hostname><port>143</port>
            <socketType>plain</socketType></incomingServer></emailProvider></clientConfig>"#;
        let (found, plaintext_offered) = parse(xml.as_bytes(), "a@x.kz").unwrap();
        assert!(!found.incoming());
        assert!(plaintext_offered);
        let (_, plaintext_offered) =
            parse(XML.replace("plain", "SSL").as_bytes(), "a@x.kz").unwrap();
        assert!(!plaintext_offered);
    }

    #[test]
    fn broken_or_foreign_documents_are_refused() {
        for bad in [
            "<clientConfig><incomingServer type=\"imap\"></outgoingServer>",
            "<html><body>Not here</body></html>",
            "not xml at all",
            "",
        ] {
            assert!(parse(bad.as_bytes(), "a@x.kz").is_err(), "{bad}");
        }
    }

    #[test]
    fn hostile_host_names_and_ports_are_dropped() {
        for (host, port) in [
            ("imap.x.kz/evil", "993"),
            ("imap.x.kz", "0"),
            ("imap.x.kz", "99999"),
            ("", "993"),
        ] {
            let xml = format!(
                r#"<clientConfig><incomingServer type="imap"><hostname>{host}</hostname>
                <port>{port}</port><socketType>SSL</socketType></incomingServer></clientConfig>"#
            );
            assert!(
                parse(xml.as_bytes(), "a@x.kz").unwrap().0.imap.is_none(),
                "{host}:{port}"
            );
        }
    }

    #[test]
    fn the_address_is_escaped_in_the_url() {
        let url = isp_url("x.kz", "a+b@x.kz", &Settings::default());
        assert_eq!(
            url,
            "https://autoconfig.x.kz/mail/config-v1.1.xml?emailaddress=a%2Bb%40x.kz"
        );
    }
}

//! Link targets from mail. The reader shows [`Link::target`] and opens
//! only what [`Link::actionable`] allows; both read the URL the way a
//! browser would (WHATWG parsing), so what is shown is what would open.

use super::clean::hidden;
use url::Url;

/// Longest target kept, in bytes (tracking links run to a few KB).
const MAX_TARGET: usize = 8 * 1024;
/// The mailto fields a link may fill in; others (`attach`, `attachment`,
/// anything a mail program might act on) are dropped.
const MAILTO_FIELDS: [&str; 6] = ["to", "cc", "bcc", "subject", "body", "in-reply-to"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Link {
    /// The target as it will be opened: controls, bidi marks and
    /// whitespace removed; http(s) normalised (lowercase scheme, IDN hosts
    /// as punycode); mailto without fields beyond [`MAILTO_FIELDS`].
    pub target: String,
}

/// The scheme `text` starts with as RFC 3986 spells one (a letter, then
/// letters, digits, "+", "-" or "."), lowercased: for strings a URL
/// parser refuses, which may still name a scheme.
pub(super) fn written_scheme(text: &str) -> Option<String> {
    let (scheme, _) = text.split_once(':')?;
    let valid = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then(|| scheme.to_ascii_lowercase())
}

impl Link {
    pub fn new(href: &str) -> Link {
        let cleaned: String = href
            .trim()
            .chars()
            .filter(|&c| !hidden(c))
            .take(MAX_TARGET)
            .collect();
        let target = match Url::parse(&cleaned) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url.to_string(),
            Ok(url) if url.scheme() == "mailto" => mailto(url.as_str()),
            _ => cleaned,
        };
        Link { target }
    }

    /// The scheme, lowercased ("https", "mailto", "javascript"), if the
    /// target has one.
    pub fn scheme(&self) -> Option<String> {
        match Url::parse(&self.target) {
            Ok(url) => Some(url.scheme().to_string()),
            Err(_) => written_scheme(&self.target),
        }
    }

    /// The host the link leads to, as the network would see it (after any
    /// `user@` part, IDN as punycode); for mailto, the first recipient's
    /// domain.
    pub fn host(&self) -> Option<String> {
        let url = Url::parse(&self.target).ok()?;
        if url.scheme() == "mailto" {
            let to = url.path().split(',').next()?;
            let decoded = percent_decode(to);
            let (_, domain) = decoded.rsplit_once('@')?;
            let domain = domain.trim().to_lowercase();
            return (!domain.is_empty()).then_some(domain);
        }
        url.host_str().map(str::to_string)
    }

    /// Only http, https and mailto may be opened, and only with somewhere
    /// to go.
    pub fn actionable(&self) -> bool {
        match self.scheme().as_deref() {
            Some("http" | "https") => Url::parse(&self.target)
                .ok()
                .and_then(|u| u.host_str().map(|h| !h.is_empty()))
                .unwrap_or(false),
            Some("mailto") => self.host().is_some(),
            _ => false,
        }
    }
}

/// `mailto:` with only the [`MAILTO_FIELDS`] kept, each as it was encoded
/// (mailto's "+" is a plus, so no form decoding and re-encoding).
fn mailto(target: &str) -> String {
    let Some((head, query)) = target.split_once('?') else {
        return target.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = percent_decode(pair.split('=').next().unwrap_or_default());
            MAILTO_FIELDS.contains(&key.to_ascii_lowercase().as_str())
        })
        .collect();
    if kept.is_empty() {
        head.to_string()
    } else {
        format!("{head}?{}", kept.join("&"))
    }
}

pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(s: &str) -> Link {
        Link::new(s)
    }

    #[test]
    fn only_web_and_mail_links_open() {
        for good in [
            "https://example.org/a?b=c#d",
            "HTTP://EXAMPLE.ORG/",
            "mailto:ann@example.org?subject=Hi",
            "  https://example.org/  ",
        ] {
            assert!(link(good).actionable(), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            " \u{1}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "smb://host/share",
            "mailbox:///x",
            "vbscript:x",
            "http://",
            "mailto:",
            "/relative/path",
            "#anchor",
            "",
        ] {
            assert!(!link(bad).actionable(), "{bad:?}");
        }
        assert_eq!(
            link("JaVaScRiPt:alert(1)").scheme().as_deref(),
            Some("javascript")
        );
        assert_eq!(link("HTTPS://x.example").scheme().as_deref(), Some("https"));
        assert_eq!(link("no scheme").scheme(), None);
    }

    #[test]
    fn host_is_the_one_the_network_sees() {
        let l = link("https://good.example@evil.example/login");
        assert_eq!(l.host().as_deref(), Some("evil.example"));
        assert!(l.target.contains("@evil.example"), "{}", l.target);
        assert_eq!(
            link("https://good.example:pw@evil.example:8443/")
                .host()
                .as_deref(),
            Some("evil.example")
        );
        // WHATWG reads a backslash as a slash: the host ends there.
        assert_eq!(
            link("https://evil.example\\@good.example/")
                .host()
                .as_deref(),
            Some("evil.example")
        );
        // IDN and homoglyphs show as punycode.
        assert_eq!(
            link("https://пример.рф/").host().as_deref(),
            Some("xn--e1afmkfd.xn--p1ai")
        );
        assert_eq!(
            link("https://аpple.com/").host().as_deref(),
            Some("xn--pple-43d.com")
        );
        assert_eq!(
            link("HTTPS://Example.ORG/Path").host().as_deref(),
            Some("example.org")
        );
        // Whitespace, controls and bidi inside are removed before reading.
        let l = link("https://exa\nmple.org/\u{202E}gpj.exe\t");
        assert_eq!(l.host().as_deref(), Some("example.org"));
        assert!(!l.target.contains('\u{202E}'));
        assert_eq!(link("https://[::1]:8080/").host().as_deref(), Some("[::1]"));
        assert_eq!(
            link("mailto:Ann@Example.ORG").host().as_deref(),
            Some("example.org")
        );
        assert_eq!(link("javascript:alert(1)").host(), None);
    }

    #[test]
    fn mailto_keeps_only_plain_fields() {
        let l = link(
            "mailto:x@y.example?attach=~/.ssh/id_rsa&subject=a+b&Attachment=/etc/passwd&body=hi",
        );
        assert_eq!(l.target, "mailto:x@y.example?subject=a+b&body=hi");
        assert_eq!(
            link("mailto:x@y.example?attach=/x").target,
            "mailto:x@y.example"
        );
    }
}

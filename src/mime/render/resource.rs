//! Remote resources named by HTML and CSS. None is ever loaded; each is
//! recorded so the reader can say what was kept out.

use super::MAX_BLOCKED;
use super::clean::hidden;
use scraper::node::Element;
use std::collections::HashSet;

/// Longest URL recorded, in characters.
const MAX_URL: usize = 2048;
/// CSS read for URLs per style sheet or attribute, in bytes.
const MAX_CSS: usize = 256 * 1024;

/// The blocked list, deduplicated and capped.
#[derive(Debug, Default)]
pub(super) struct Blocked {
    pub list: Vec<String>,
    seen: HashSet<String>,
    /// More were found than the cap keeps.
    pub overflow: bool,
}

impl Blocked {
    /// Record `url` if it would reach the network: anything with a scheme
    /// other than `cid:` and `data:`, and scheme-relative `//host` forms.
    /// Relative paths have no base to resolve against and go nowhere.
    pub fn add(&mut self, url: &str) {
        let url: String = url
            .trim()
            .chars()
            .filter(|&c| !hidden(c))
            .take(MAX_URL)
            .collect();
        if !remote(&url) || self.seen.contains(&url) {
            return;
        }
        if self.list.len() >= MAX_BLOCKED {
            self.overflow = true;
            return;
        }
        self.seen.insert(url.clone());
        self.list.push(url);
    }

    /// Every resource an element's attributes name. `<a href>` is a link,
    /// not a resource, and is left to the caller.
    pub fn element(&mut self, el: &Element) {
        self.attrs(el.name(), el.attrs());
    }

    /// The same for an element given by name and attributes.
    pub fn attrs<'a>(&mut self, name: &str, attrs: impl Iterator<Item = (&'a str, &'a str)>) {
        let attrs: Vec<(&str, &str)> = attrs.collect();
        let refresh = name == "meta"
            && attrs
                .iter()
                .any(|(k, v)| *k == "http-equiv" && v.trim().eq_ignore_ascii_case("refresh"));
        for (attr, value) in attrs {
            match attr {
                "src" | "lowsrc" | "dynsrc" | "poster" | "background" | "codebase" | "longdesc" => {
                    self.add(value)
                }
                "srcset" | "imagesrcset" => self.srcset(value),
                "data" if name == "object" => self.add(value),
                "archive" if matches!(name, "object" | "applet") => {
                    value.split([' ', ',']).for_each(|v| self.add(v))
                }
                // <link> (stylesheets, icons, preloads) and SVG's
                // <image>/<use>/<feImage> (href or xlink:href).
                "href" if matches!(name, "link" | "image" | "use" | "feimage" | "feImage") => {
                    self.add(value)
                }
                "style" => self.css(value),
                "content" if refresh => self.add(refresh_url(value)),
                _ => {}
            }
        }
    }

    /// `srcset`: comma-separated candidates, each a URL and a descriptor.
    fn srcset(&mut self, value: &str) {
        for candidate in value.split(',') {
            if let Some(url) = candidate.split_whitespace().next() {
                self.add(url);
            }
        }
    }

    /// `url(...)`, `@import "..."` and `image-set("...")` in CSS, after
    /// comments and escapes are undone as a CSS tokenizer would.
    pub fn css(&mut self, css: &str) {
        let css = unescape_css(css.get(..floor(css, MAX_CSS)).unwrap_or_default());
        let lower = css.to_ascii_lowercase();
        let mut i = 0;
        while let Some(found) = find_any(&lower, i, &["url(", "@import", "image-set("]) {
            let (at, token) = found;
            let mut rest = &css[at + token.len()..];
            rest = rest.trim_start();
            if token == "@import" && rest.to_ascii_lowercase().starts_with("url(") {
                // Read on the next round as url(.
                i = at + token.len();
                continue;
            }
            let url = if token == "url(" {
                match rest.chars().next() {
                    Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or_default(),
                    _ => rest.split(')').next().unwrap_or_default().trim(),
                }
            } else {
                // @import "x" / image-set("x" 1x, 'y' 2x): quoted strings.
                let end = if token == "@import" {
                    rest.find(';').unwrap_or(rest.len())
                } else {
                    rest.find(')').unwrap_or(rest.len())
                };
                for s in quoted(&rest[..end]) {
                    self.add(s);
                }
                ""
            };
            self.add(url);
            i = at + token.len();
        }
    }
}

fn remote(url: &str) -> bool {
    if url.starts_with("//") || url.starts_with("\\\\") {
        return true;
    }
    super::link::written_scheme(url)
        .is_some_and(|scheme| !matches!(scheme.as_str(), "cid" | "data" | "about"))
}

/// The URL of `<meta http-equiv=refresh content="5; url=...">`.
fn refresh_url(content: &str) -> &str {
    let lower = content.to_ascii_lowercase();
    let Some(at) = lower.find("url") else {
        // "5; http://x" is read as a URL by browsers too.
        return content.split_once([';', ',']).map_or("", |(_, u)| u.trim());
    };
    let rest = content[at + 3..].trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    rest.trim_matches(|c| c == '"' || c == '\'')
}

/// The first of `needles` in `hay` at or after `from`.
fn find_any<'a>(hay: &str, from: usize, needles: &[&'a str]) -> Option<(usize, &'a str)> {
    needles
        .iter()
        .filter_map(|n| hay.get(from..)?.find(n).map(|i| (from + i, *n)))
        .min_by_key(|(i, _)| *i)
}

/// The quoted strings in `s`.
fn quoted(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find(['"', '\'']) {
        let q = &rest[start..start + 1];
        let after = &rest[start + 1..];
        let Some(end) = after.find(q) else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

/// CSS with comments removed and backslash escapes decoded (`\75 rl(` is
/// `url(` to a browser).
fn unescape_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '\\' => {
                let mut hex = String::new();
                while hex.len() < 6 {
                    match chars.peek() {
                        Some(h) if h.is_ascii_hexdigit() => {
                            hex.push(*h);
                            chars.next();
                        }
                        _ => break,
                    }
                }
                if hex.is_empty() {
                    if let Some(next) = chars.next()
                        && next != '\n'
                    {
                        out.push(next);
                    }
                } else {
                    if chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                    let code = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The largest char boundary at or below `max`.
fn floor(s: &str, max: usize) -> usize {
    let mut i = max.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn css(s: &str) -> Vec<String> {
        let mut b = Blocked::default();
        b.css(s);
        b.list
    }

    #[test]
    fn css_urls_in_every_form() {
        assert_eq!(
            css(
                r#"a{background:url(http://x.example/1.png)} b{background:URL( "https://x.example/2.png" )}
                 @import 'http://x.example/3.css'; @import url(http://x.example/4.css);
                 i{background-image:image-set("http://x.example/5.png" 1x, 'http://x.example/6.png' 2x)}
                 u{background:\75 rl(http://x.example/7.png)} /* url(http://x.example/comment) */
                 s{background:url(cid:local) url(data:image/png;base64,AAAA) url(rel.png)}"#
            ),
            [
                "http://x.example/1.png",
                "https://x.example/2.png",
                "http://x.example/3.css",
                "http://x.example/4.css",
                "http://x.example/5.png",
                "http://x.example/6.png",
                "http://x.example/7.png",
            ]
        );
    }

    #[test]
    fn dedupes_caps_and_ignores_local_forms() {
        let mut b = Blocked::default();
        for _ in 0..3 {
            b.add(" https://t.example/p.gif ");
        }
        b.add("cid:x");
        b.add("data:image/gif;base64,R0lG");
        b.add("images/x.png");
        b.add("//cdn.example/x.png");
        assert_eq!(b.list, ["https://t.example/p.gif", "//cdn.example/x.png"]);
        for i in 0..MAX_BLOCKED * 2 {
            b.add(&format!("https://t.example/{i}"));
        }
        assert_eq!(b.list.len(), MAX_BLOCKED);
        assert!(b.overflow);
    }

    #[test]
    fn refresh_targets() {
        assert_eq!(
            refresh_url("0; URL='http://x.example/r'"),
            "http://x.example/r"
        );
        assert_eq!(
            refresh_url("5;url=http://x.example/r"),
            "http://x.example/r"
        );
        assert_eq!(refresh_url("5, http://x.example/r"), "http://x.example/r");
    }
}

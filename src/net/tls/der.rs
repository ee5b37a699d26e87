//! Just enough DER to show a refused certificate to a user: subject,
//! issuer, validity, and whether it issued itself. Never panics; anything
//! unexpected yields `None`.

/// Longest attribute value kept, in characters.
const MAX_VALUE_CHARS: usize = 256;

pub(super) struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    /// Issuer and subject names are byte-identical.
    pub self_issued: bool,
}

impl CertInfo {
    pub fn parse(der: &[u8]) -> Option<Self> {
        let (tag, cert, _) = tlv(der)?;
        expect(tag, SEQUENCE)?;
        let (tag, tbs, _) = tlv(cert)?;
        expect(tag, SEQUENCE)?;
        let mut rest = tbs;
        // Optional explicit [0] version.
        let (tag, _, after) = tlv(rest)?;
        if tag == 0xA0 {
            rest = after;
        }
        let (tag, _serial, after) = tlv(rest)?;
        expect(tag, INTEGER)?;
        let (tag, _signature, after) = tlv(after)?;
        expect(tag, SEQUENCE)?;
        let (tag, issuer, after) = tlv(after)?;
        expect(tag, SEQUENCE)?;
        let (tag, validity, after) = tlv(after)?;
        expect(tag, SEQUENCE)?;
        let (tag, subject, _) = tlv(after)?;
        expect(tag, SEQUENCE)?;

        let (not_before, not_after) = match tlv(validity) {
            Some((tag, value, rest)) => {
                let first = time(tag, value);
                let second = tlv(rest).and_then(|(tag, value, _)| time(tag, value));
                (first, second)
            }
            None => (None, None),
        };
        Some(Self {
            subject: name(subject),
            issuer: name(issuer),
            not_before,
            not_after,
            self_issued: issuer == subject,
        })
    }
}

const INTEGER: u8 = 0x02;
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;

fn expect(tag: u8, wanted: u8) -> Option<()> {
    (tag == wanted).then_some(())
}

/// Splits one tag-length-value off `input`: (tag, value, rest).
/// Single-byte tags and definite lengths up to 4 bytes only.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, input) = input.split_first()?;
    if tag & 0x1F == 0x1F {
        return None; // multi-byte tag: not used in these fields
    }
    let (&first, mut input) = input.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 {
            return None; // indefinite or absurd length
        }
        let (bytes, rest) = input.split_at_checked(count)?;
        input = rest;
        bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    let (value, rest) = input.split_at_checked(len)?;
    Some((tag, value, rest))
}

/// `CN=localhost, O=Example`: known attributes in certificate order.
fn name(mut rdns: &[u8]) -> String {
    let mut parts = Vec::new();
    while let Some((tag, set, rest)) = tlv(rdns) {
        rdns = rest;
        if tag != SET {
            continue;
        }
        let mut atvs = set;
        while let Some((tag, atv, rest)) = tlv(atvs) {
            atvs = rest;
            if tag != SEQUENCE {
                continue;
            }
            let Some((OID, oid, value)) = tlv(atv) else {
                continue;
            };
            let (Some(label), Some((vtag, value, _))) = (label(oid), tlv(value)) else {
                continue;
            };
            if let Some(text) = string(vtag, value) {
                parts.push(format!("{label}={text}"));
            }
        }
    }
    parts.join(", ")
}

fn label(oid: &[u8]) -> Option<&'static str> {
    Some(match oid {
        [0x55, 0x04, 0x03] => "CN",
        [0x55, 0x04, 0x06] => "C",
        [0x55, 0x04, 0x07] => "L",
        [0x55, 0x04, 0x08] => "ST",
        [0x55, 0x04, 0x0A] => "O",
        [0x55, 0x04, 0x0B] => "OU",
        [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01] => "emailAddress",
        _ => return None,
    })
}

/// Decodes a directory string and makes it safe to display.
fn string(tag: u8, value: &[u8]) -> Option<String> {
    let raw: String = match tag {
        // UTF8String, PrintableString, IA5String
        0x0C | 0x13 | 0x16 => String::from_utf8_lossy(value).into_owned(),
        // TeletexString: treat as Latin-1, as most software does.
        0x14 => value.iter().map(|&b| char::from(b)).collect(),
        // BMPString: UTF-16BE.
        0x1E => {
            let units = value
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
        _ => return None,
    };
    Some(
        raw.chars()
            .take(MAX_VALUE_CHARS)
            .map(|c| {
                if c.is_control() || is_bidi_control(c) {
                    char::REPLACEMENT_CHARACTER
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// Characters that reorder text: a subject could use them to look like
/// another name in a trust dialog.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// UTCTime / GeneralizedTime (`...Z`) as `YYYY-MM-DD HH:MM:SS UTC`.
fn time(tag: u8, value: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(value).ok()?;
    let digits = text.strip_suffix('Z')?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let full = match (tag, digits.len()) {
        (0x17, 12) => {
            // RFC 5280: two-digit years 50..99 are 19xx.
            let century = if digits < "5" { "20" } else { "19" };
            format!("{century}{digits}")
        }
        (0x18, 14) => digits.to_owned(),
        _ => return None,
    };
    let d = full.as_bytes();
    let s = |range: std::ops::Range<usize>| std::str::from_utf8(d.get(range)?).ok();
    Some(format!(
        "{}-{}-{} {}:{}:{} UTC",
        s(0..4)?,
        s(4..6)?,
        s(6..8)?,
        s(8..10)?,
        s(10..12)?,
        s(12..14)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::tls::fixture::{A_CERT, TEST_CA_PEM, der_of};

    #[test]
    fn strings_are_made_safe_to_display() {
        let shown = string(0x0C, "evil\u{202E}gpj.exe\r\nCN=bank".as_bytes()).unwrap();
        assert_eq!(shown, "evil\u{FFFD}gpj.exe\u{FFFD}\u{FFFD}CN=bank");
        assert_eq!(
            string(0x1E, &[0x00, 0x41, 0x04, 0x16]).as_deref(),
            Some("A\u{416}")
        );
        assert_eq!(string(0x14, &[0xE9]).as_deref(), Some("\u{E9}"));
        assert_eq!(string(0x04, b"octets"), None);
        let long = "x".repeat(1000);
        assert_eq!(
            string(0x0C, long.as_bytes()).map(|s| s.chars().count()),
            Some(MAX_VALUE_CHARS)
        );
    }

    #[test]
    fn times_follow_rfc_5280() {
        assert_eq!(
            time(0x17, b"491231235959Z").as_deref(),
            Some("2049-12-31 23:59:59 UTC")
        );
        assert_eq!(
            time(0x17, b"500101000000Z").as_deref(),
            Some("1950-01-01 00:00:00 UTC")
        );
        assert_eq!(
            time(0x18, b"21261030160000Z").as_deref(),
            Some("2126-10-30 16:00:00 UTC")
        );
        assert_eq!(time(0x17, b"491231235959+0100"), None);
        assert_eq!(time(0x17, b"4912312359Z"), None);
        assert_eq!(time(0x18, b"2126103016000xZ"), None);
    }

    #[test]
    fn der_reader_extracts_names_and_validity() {
        let info = CertInfo::parse(&der_of(TEST_CA_PEM)).unwrap();
        assert_eq!(info.subject, "CN=poshta unit-test CA");
        assert_eq!(info.issuer, "CN=poshta unit-test CA");
        assert!(info.self_issued);
        // UTCTime, then GeneralizedTime (year 2126).
        assert_eq!(info.not_before.as_deref(), Some("2026-11-23 15:03:54 UTC"));
        assert_eq!(info.not_after.as_deref(), Some("2126-10-30 15:03:54 UTC"));
    }

    #[test]
    fn der_reader_survives_truncated_and_corrupted_input() {
        let der = der_of(A_CERT).to_vec();
        for len in 0..der.len() {
            let _ = CertInfo::parse(&der[..len]);
        }
        for i in 0..der.len() {
            for flip in [0x01, 0x80, 0xFF] {
                let mut bad = der.clone();
                bad[i] ^= flip;
                let _ = CertInfo::parse(&bad);
            }
        }
        assert!(CertInfo::parse(b"").is_none());
        assert!(CertInfo::parse(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).is_none());
        assert!(CertInfo::parse(&[0x30, 0x80, 0x00, 0x00]).is_none());
    }
}

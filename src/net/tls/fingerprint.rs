//! Reading a SHA-256 fingerprint a person typed or pasted, so it can be
//! pinned.
//!
//! Two spellings are accepted, in either case: 64 hex digits, or 32 pairs
//! separated by colons (as `account test`, browsers and
//! `openssl x509 -fingerprint -sha256` print it). Anything else is refused
//! rather than repaired: a pin that is not exactly what was shown would
//! trust the wrong certificate or, more likely, none.

/// Why a text is not a SHA-256 fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FingerprintError {
    #[error("a SHA-256 fingerprint has 64 hex digits, this has {0}")]
    Length(usize),
    #[error("{0:?} is not a hex digit")]
    NotHex(char),
    #[error("colons go between every pair of hex digits (AB:CD:...) or nowhere")]
    Separators,
}

/// The 32 bytes of `text`, e.g. `AB:CD:...` or `abcd...`; surrounding
/// white space is ignored.
pub fn parse_sha256(text: &str) -> Result<[u8; 32], FingerprintError> {
    let text = text.trim();
    let digits: Vec<char> = if text.contains(':') {
        let pairs: Vec<&str> = text.split(':').collect();
        if pairs.iter().any(|pair| pair.chars().count() != 2) {
            return Err(FingerprintError::Separators);
        }
        pairs.iter().flat_map(|pair| pair.chars()).collect()
    } else {
        text.chars().collect()
    };
    if let Some(&bad) = digits.iter().find(|c| !c.is_ascii_hexdigit()) {
        return Err(FingerprintError::NotHex(bad));
    }
    let mut out = [0; 32];
    if digits.len() != out.len() * 2 {
        return Err(FingerprintError::Length(digits.len()));
    }
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        // Both are ASCII hex digits (checked above).
        let nibble = |c: char| c.to_digit(16).unwrap_or(0) as u8;
        *byte = (nibble(pair[0]) << 4) | nibble(pair[1]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::tls::fixture::{A_CERT, A_FINGERPRINT, pin_of};
    use crate::net::tls::hex;

    #[test]
    fn the_printed_form_and_plain_hex_in_any_case_read_the_same() {
        let pin = pin_of(A_CERT);
        let plain = A_FINGERPRINT.replace(':', "");
        for text in [
            A_FINGERPRINT.to_owned(),
            A_FINGERPRINT.to_lowercase(),
            plain.clone(),
            plain.to_lowercase(),
            format!("  {A_FINGERPRINT}\n"),
        ] {
            assert_eq!(parse_sha256(&text), Ok(pin), "{text:?}");
        }
        assert_eq!(hex(&parse_sha256(&plain).unwrap()), A_FINGERPRINT);
    }

    #[test]
    fn malformed_fingerprints_say_what_is_wrong() {
        let plain = A_FINGERPRINT.replace(':', "");
        assert_eq!(parse_sha256(""), Err(FingerprintError::Length(0)));
        assert_eq!(
            parse_sha256(&plain[..62]),
            Err(FingerprintError::Length(62))
        );
        assert_eq!(
            parse_sha256(&format!("{plain}00")),
            Err(FingerprintError::Length(66))
        );
        assert_eq!(
            parse_sha256(&A_FINGERPRINT[..A_FINGERPRINT.len() - 3]),
            Err(FingerprintError::Length(62))
        );
        assert_eq!(
            parse_sha256(&format!("{}g", &plain[..63])),
            Err(FingerprintError::NotHex('g'))
        );
        assert_eq!(
            parse_sha256(&format!("{}ж", &plain[..63])),
            Err(FingerprintError::NotHex('ж'))
        );
        // A lost or moved colon: not guessed at.
        assert_eq!(
            parse_sha256(&A_FINGERPRINT.replacen(':', "", 1)),
            Err(FingerprintError::Separators)
        );
        assert_eq!(
            parse_sha256(&format!("{A_FINGERPRINT}:")),
            Err(FingerprintError::Separators)
        );
        // SHA-1 (20 bytes) is not accepted in its place.
        assert_eq!(
            parse_sha256(&A_FINGERPRINT[..59]),
            Err(FingerprintError::Length(40))
        );
    }
}

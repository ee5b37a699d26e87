//! IMAP modified UTF-7 mailbox names (RFC 3501 §5.1.3).
//!
//! Servers send and expect mailbox names in this 7-bit form; the UI shows
//! the decoded Unicode. Decoding is not injective (a server may encode
//! characters it could have sent directly), so the raw name received from
//! the server must be kept for commands instead of re-encoding the
//! display name.

/// Modified base64: standard alphabet with ',' in place of '/'.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/// Why a name is not valid modified UTF-7. `at` is the byte offset in the
/// input: of the offending character, or of the '&' opening the bad run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("shifted run at byte {at} has no closing '-'")]
    Unterminated { at: usize },
    #[error("invalid modified base64 character {ch:?} at byte {at}")]
    InvalidBase64 { at: usize, ch: char },
    #[error("shifted run at byte {at} does not hold whole UTF-16 code units")]
    IncompleteUnit { at: usize },
    #[error("shifted run at byte {at} ends with non-zero padding bits")]
    NonZeroPadding { at: usize },
    #[error("shifted run at byte {at} holds an unpaired UTF-16 surrogate")]
    UnpairedSurrogate { at: usize },
    #[error("NUL character at byte {at}")]
    Nul { at: usize },
    #[error("character {ch:?} at byte {at} must be base64-encoded")]
    Unshifted { at: usize, ch: char },
}

/// Decodes a mailbox name strictly.
///
/// A shifted run holding only printable US-ASCII is accepted although the
/// RFC forbids producing it: rejecting it would leave such a folder without
/// a readable name and gains nothing, since the raw name is what commands
/// use. Each run must be complete on its own; a surrogate pair split across
/// two runs is rejected.
pub fn decode(name: &str) -> Result<String, DecodeError> {
    let mut out = String::with_capacity(name.len());
    let mut pos = 0;
    while let Some(rest) = name.get(pos..).filter(|r| !r.is_empty()) {
        let Some(amp) = rest.find('&') else {
            literal(rest, pos, &mut out)?;
            break;
        };
        literal(&rest[..amp], pos, &mut out)?;
        let start = pos + amp;
        let after = &rest[amp + 1..];
        let end = after
            .find('-')
            .ok_or(DecodeError::Unterminated { at: start })?;
        decode_run(&after[..end], start, &mut out)?;
        pos = start + 1 + end + 1;
    }
    Ok(out)
}

/// Decodes what it can and never fails, so any name a server sends can be
/// shown. An invalid or unterminated run, and any raw character that should
/// have been encoded, is kept verbatim.
pub fn decode_lossy(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(end) = after.find('-') else {
            out.push_str(&rest[amp..]);
            return out;
        };
        let mark = out.len();
        if decode_run(&after[..end], amp, &mut out).is_err() {
            out.truncate(mark);
            out.push_str(&rest[amp..amp + end + 2]);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Encodes a mailbox name. Infallible: every Unicode string has a form.
/// U+0000 is encoded too, but [`decode`] rejects it; callers validate names
/// before creating folders.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut units = Vec::new();
    for ch in name.chars() {
        if ch == '&' {
            flush(&mut units, &mut out);
            out.push_str("&-");
        } else if (' '..='~').contains(&ch) {
            flush(&mut units, &mut out);
            out.push(ch);
        } else {
            units.extend_from_slice(ch.encode_utf16(&mut [0; 2]));
        }
    }
    flush(&mut units, &mut out);
    out
}

/// Writes pending UTF-16 units as one shifted run.
fn flush(units: &mut Vec<u16>, out: &mut String) {
    if units.is_empty() {
        return;
    }
    out.push('&');
    let (mut acc, mut bits) = (0u32, 0u32);
    for unit in units.drain(..) {
        acc = (acc << 16) | u32::from(unit);
        bits += 16;
        while bits >= 6 {
            bits -= 6;
            out.push(char::from(ALPHABET[((acc >> bits) & 63) as usize]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (6 - bits)) & 63) as usize]));
    }
    out.push('-');
}

/// Copies unshifted text, which must be printable US-ASCII.
fn literal(text: &str, at: usize, out: &mut String) -> Result<(), DecodeError> {
    for (i, ch) in text.char_indices() {
        match ch {
            '\0' => return Err(DecodeError::Nul { at: at + i }),
            ' '..='~' => {}
            _ => return Err(DecodeError::Unshifted { at: at + i, ch }),
        }
    }
    out.push_str(text);
    Ok(())
}

/// Decodes the body of one shifted run (between '&' and '-'), which starts
/// at byte `at`. On error `out` may hold part of the run.
fn decode_run(run: &str, at: usize, out: &mut String) -> Result<(), DecodeError> {
    if run.is_empty() {
        out.push('&');
        return Ok(());
    }
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut units = Vec::with_capacity(run.len() * 6 / 16);
    for (i, ch) in run.char_indices() {
        let value = u8::try_from(ch)
            .ok()
            .and_then(|b| ALPHABET.iter().position(|&a| a == b))
            .ok_or(DecodeError::InvalidBase64 { at: at + 1 + i, ch })?;
        acc = (acc << 6) | value as u32;
        bits += 6;
        if bits >= 16 {
            bits -= 16;
            units.push((acc >> bits) as u16);
            acc &= (1 << bits) - 1;
        }
    }
    // Canonical runs leave fewer than 6 bits, all zero; 6 or more means an
    // odd byte count or a superfluous character.
    if bits >= 6 {
        return Err(DecodeError::IncompleteUnit { at });
    }
    if acc != 0 {
        return Err(DecodeError::NonZeroPadding { at });
    }
    for ch in char::decode_utf16(units) {
        match ch {
            Ok('\0') => return Err(DecodeError::Nul { at }),
            Ok(ch) => out.push(ch),
            Err(_) => return Err(DecodeError::UnpairedSurrogate { at }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAIRS: &[(&str, &str)] = &[
        ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
        ("&", "&-"),
        ("Отправленные", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"),
        ("Жіберілгендер", "&BBYEVgQxBDUEQARWBDsEMwQ1BD0ENAQ1BEA-"),
        ("Қоқыс", "&BJoEPgSbBEsEQQ-"),
        ("📧 Mail", "&2D3c5w- Mail"),
        (
            "Входящие/2024 & Архив",
            "&BBIERQQ+BDQETwRJBDgENQ-/2024 &- &BBAEQARFBDgEMg-",
        ),
        ("日&本", "&ZeU-&-&Zyw-"),
        ("aéb", "a&AOk-b"),
        ("INBOX", "INBOX"),
        ("", ""),
    ];

    #[test]
    fn known_pairs() {
        for &(plain, wire) in PAIRS {
            assert_eq!(encode(plain), wire, "encode {plain:?}");
            assert_eq!(decode(wire).as_deref(), Ok(plain), "decode {wire:?}");
            assert_eq!(decode_lossy(wire), plain, "decode_lossy {wire:?}");
        }
    }

    #[test]
    fn round_trip() {
        let names = [
            "a&b&&c",
            "Tab\there",
            "line\nbreak",
            "\u{7f}\u{80}\u{ff}",
            "\u{ffff}\u{10000}",
            "👨‍👩‍👧 family",
            "&-&-",
            "-&-",
            "mixed Ελληνικά and עברית/∑",
            "\u{1}",
        ];
        for name in names {
            let wire = encode(name);
            assert!(wire.bytes().all(|b| (0x20..0x7f).contains(&b)), "{wire:?}");
            assert_eq!(decode(&wire).as_deref(), Ok(name), "{wire:?}");
        }
    }

    #[test]
    fn accepts_encoded_printable_ascii() {
        assert_eq!(decode("&AGEAYgBj-").as_deref(), Ok("abc"));
    }

    #[test]
    fn errors() {
        use DecodeError::*;
        let cases = [
            ("ab&U,BTFw", Unterminated { at: 2 }),
            ("&U,B!w-", InvalidBase64 { at: 4, ch: '!' }),
            ("&U/A-", InvalidBase64 { at: 2, ch: '/' }),
            ("&U,A=-", InvalidBase64 { at: 4, ch: '=' }),
            ("&U,BT-", IncompleteUnit { at: 0 }),
            ("&U,AA-", IncompleteUnit { at: 0 }),
            ("&U,B-", NonZeroPadding { at: 0 }),
            ("x&2D0-", UnpairedSurrogate { at: 1 }),
            ("&3Oc-", UnpairedSurrogate { at: 0 }),
            ("&2D0-&3Oc-", UnpairedSurrogate { at: 0 }),
            ("&AAA-", Nul { at: 0 }),
            ("a\0", Nul { at: 1 }),
            ("日本", Unshifted { at: 0, ch: '日' }),
            ("a\tb", Unshifted { at: 1, ch: '\t' }),
        ];
        for (wire, err) in cases {
            assert_eq!(decode(wire), Err(err), "{wire:?}");
        }
    }

    #[test]
    fn lossy_keeps_garbage_verbatim() {
        assert_eq!(decode_lossy("a&U,B!w-b&ZeU-"), "a&U,B!w-b日");
        assert_eq!(decode_lossy("&AAA-&2D0-x"), "&AAA-&2D0-x");
        assert_eq!(decode_lossy("日本/&Zyw-/&U,BTFw"), "日本/本/&U,BTFw");
        assert_eq!(decode_lossy("&-&&-&"), "&&&-&");
        assert_eq!(decode_lossy("&"), "&");
    }
}

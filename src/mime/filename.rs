//! Attachment names are written by whoever sent the mail. Before one
//! becomes a file name it is made safe here: one plain component, nothing
//! invisible that reorders or hides characters, nothing Windows would
//! refuse or treat as a device, never hidden, bounded in length.
//!
//! mail-parser has already decoded RFC 2047 encoded words and RFC 2231
//! parameters (continuations and charsets included; see the tests), so
//! what arrives is the name as the sender meant it, hostile or not.

/// Longest name written, in bytes (most file systems allow 255; the rest
/// leaves room for " (12)" and a temporary suffix).
pub const MAX_NAME_BYTES: usize = 200;
/// A longer "extension" is not one worth keeping when a name is cut.
const MAX_EXTENSION_BYTES: usize = 32;
/// The name of an attachment that has none (or nothing usable left).
const FALLBACK: &str = "attachment";

mod risk;

use risk::is_risky_extension;
pub use risk::{Risk, risk};

/// A safe file name for an attachment named `name` (as decoded from its
/// header) of type `mime_type`. Idempotent: a sanitized name comes back
/// unchanged.
pub fn sanitize(name: Option<&str>, mime_type: &str) -> String {
    let visible: String = name
        .unwrap_or_default()
        .chars()
        .filter(|c| !is_invisible(*c))
        .collect();
    // Only the last component: "../../etc/passwd", "C:\Windows\x.dll" and
    // "\\server\share\x.exe" all end in a plain name.
    let last = visible
        .split(['/', '\\'])
        .rev()
        .find(|part| !trim_ends(part).is_empty())
        .unwrap_or_default();
    let replaced: String = last
        .chars()
        .map(|c| if WINDOWS_INVALID.contains(&c) { '_' } else { c })
        .collect();
    // Leading dots would hide the file (and ".." is no name); Windows drops
    // trailing dots and spaces, so "x.exe." would become "x.exe" there.
    let mut name = trim_ends(&replaced).to_string();
    if is_windows_device(&name) {
        name.insert(0, '_');
    }
    let name = cap_length(name);
    if name.is_empty() {
        return match guessed_extension(mime_type) {
            Some(ext) => format!("{FALLBACK}.{ext}"),
            None => FALLBACK.to_string(),
        };
    }
    name
}

/// The extension that decides how a desktop opens `name`: the last one,
/// of the name as it would be saved (`report.pdf.exe` → `exe`; the
/// reversed `invoice\u{202E}fdp.exe` → `exe`), in lower case.
pub fn real_extension(name: &str) -> Option<String> {
    extension_of(&sanitize(Some(name), "")).map(str::to_ascii_lowercase)
}

/// Characters Windows does not allow in a file name.
const WINDOWS_INVALID: &[char] = &['<', '>', ':', '"', '|', '?', '*'];

/// Controls (Cc), line and paragraph separators and the format
/// characters (Cf) that reorder or hide text: bidi embeddings, overrides
/// and isolates, marks, zero-width spaces, the BOM, tags. ZWJ and ZWNJ
/// stay: Persian, Indic scripts and emoji need them, and they reorder
/// nothing.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        | '\u{AD}' | '\u{600}'..='\u{605}' | '\u{61C}' | '\u{6DD}' | '\u{70F}'
        | '\u{890}'..='\u{891}' | '\u{8E2}' | '\u{180E}'
        | '\u{200B}' | '\u{200E}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

fn trim_ends(name: &str) -> &str {
    name.trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace())
}

/// CON, PRN, AUX, NUL, COM1-9, LPT1-9 (and the superscript digits Windows
/// also accepts), with any extension, in any case: opening one on Windows
/// opens the device.
fn is_windows_device(name: &str) -> bool {
    let base = name.split('.').next().unwrap_or_default().trim_end();
    let upper = base.to_uppercase();
    if matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL") {
        return true;
    }
    let mut chars = upper.chars();
    let prefix: String = chars.by_ref().take(3).collect();
    let digit: String = chars.collect();
    (prefix == "COM" || prefix == "LPT")
        && matches!(
            digit.as_str(),
            "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
        )
}

/// The extension of a sanitized name, as written.
fn extension_of(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then_some(ext)
}

/// Cut `name` to [`MAX_NAME_BYTES`] on a character boundary, keeping a
/// short extension so the type (and its risk) stays visible.
fn cap_length(name: String) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let ext = extension_of(&name)
        .filter(|e| e.len() <= MAX_EXTENSION_BYTES)
        .map(str::to_string);
    let room = match &ext {
        Some(ext) => MAX_NAME_BYTES - ext.len() - 1,
        None => MAX_NAME_BYTES,
    };
    let mut cut = room;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let stem = trim_ends(&name[..cut]);
    match ext {
        Some(ext) if !stem.is_empty() => format!("{stem}.{ext}"),
        _ => stem.to_string(),
    }
}

/// An extension for an unnamed attachment of `mime_type`; never one that
/// would make it a program.
fn guessed_extension(mime_type: &str) -> Option<&'static str> {
    let mime = mime_type.trim().to_ascii_lowercase();
    // mime_guess lists extensions alphabetically ("asm" first for
    // text/plain): the usual one for common types.
    let usual = match mime.as_str() {
        "text/plain" => Some("txt"),
        "text/html" => Some("html"),
        "image/jpeg" => Some("jpg"),
        "message/rfc822" => Some("eml"),
        "application/octet-stream" | "" => return None,
        _ => None,
    };
    usual.or_else(|| {
        mime_guess::get_mime_extensions_str(&mime)?
            .iter()
            .copied()
            .find(|ext| !is_risky_extension(ext))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(name: &str) -> String {
        sanitize(Some(name), "application/octet-stream")
    }

    #[test]
    fn only_the_last_path_component_is_kept() {
        assert_eq!(clean("../../etc/passwd"), "passwd");
        assert_eq!(clean("..\\..\\x"), "x");
        assert_eq!(clean("/etc/passwd"), "passwd");
        assert_eq!(clean("C:\\Windows\\evil.dll"), "evil.dll");
        assert_eq!(clean("\\\\server\\share\\x.exe"), "x.exe");
        assert_eq!(clean("dir/"), "dir");
        assert_eq!(clean("a/../b/.."), "b");
    }

    #[test]
    fn dot_names_and_hidden_files_do_not_survive() {
        assert_eq!(clean(".."), "attachment");
        assert_eq!(clean("../.."), "attachment");
        assert_eq!(clean("."), "attachment");
        assert_eq!(clean(".bashrc"), "bashrc");
        assert_eq!(clean("...profile"), "profile");
        assert_eq!(clean("../.ssh/authorized_keys"), "authorized_keys");
    }

    #[test]
    fn controls_and_nul_are_dropped() {
        assert_eq!(clean("safe\0.exe"), "safe.exe");
        assert_eq!(clean("a\r\nb\tc\u{7}\u{7F}\u{85}.txt"), "abc.txt");
    }

    #[test]
    fn bidi_and_format_characters_are_dropped() {
        assert_eq!(clean("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        for c in [
            '\u{202A}',
            '\u{202B}',
            '\u{202C}',
            '\u{202D}',
            '\u{202E}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{200E}',
            '\u{200F}',
            '\u{061C}',
            '\u{200B}',
            '\u{FEFF}',
            '\u{2028}',
            '\u{E0041}',
            '\u{AD}',
        ] {
            assert_eq!(clean(&format!("a{c}b.pdf")), "ab.pdf", "U+{:04X}", c as u32);
        }
        // Joiners that scripts need stay.
        assert_eq!(clean("می\u{200C}خواهم.txt"), "می\u{200C}خواهم.txt");
    }

    #[test]
    fn windows_devices_are_prefixed_in_any_case_with_any_extension() {
        for name in [
            "CON",
            "con.txt",
            "CON.txt",
            "Prn.pdf",
            "aux",
            "NUL.tar.gz",
            "com1",
            "COM9.x",
            "lpt1",
            "LPT9.doc",
            "COM¹.txt",
            "con .txt",
        ] {
            assert_eq!(clean(name), format!("_{name}"), "{name}");
        }
        for name in [
            "CONSOLE.txt",
            "com10.txt",
            "com0",
            "lpt.txt",
            "nulls",
            "icon.png",
        ] {
            assert_eq!(clean(name), name, "{name}");
        }
    }

    #[test]
    fn characters_windows_refuses_are_replaced() {
        assert_eq!(clean("a<b>c:d\"e|f?g*h.txt"), "a_b_c_d_e_f_g_h.txt");
        // A drive letter with no separator after it.
        assert_eq!(clean("C:evil.dll"), "C_evil.dll");
    }

    #[test]
    fn trailing_dots_and_spaces_are_trimmed() {
        assert_eq!(clean("report.exe. . ."), "report.exe");
        assert_eq!(clean("  notes.txt  "), "notes.txt");
    }

    #[test]
    fn long_names_are_cut_on_a_char_boundary_keeping_the_extension() {
        let long = format!("{}.pdf", "a".repeat(300));
        let cut = clean(&long);
        assert_eq!(cut.len(), MAX_NAME_BYTES);
        assert!(cut.ends_with(".pdf"));
        // Three-byte characters: the cut may not split one.
        let wide = format!("{}.exe", "я".repeat(150));
        let cut = clean(&wide);
        assert!(cut.len() <= MAX_NAME_BYTES, "{}", cut.len());
        assert!(cut.ends_with(".exe") && cut.starts_with("я"));
        // No sensible extension: the whole name is cut.
        let no_ext = format!("x.{}", "b".repeat(300));
        assert_eq!(clean(&no_ext).len(), MAX_NAME_BYTES);
    }

    #[test]
    fn empty_names_get_a_fallback_with_an_extension_from_the_type() {
        assert_eq!(sanitize(None, "application/pdf"), "attachment.pdf");
        assert_eq!(sanitize(Some(""), "text/plain"), "attachment.txt");
        assert_eq!(sanitize(Some("\u{202E}"), "image/png"), "attachment.png");
        assert_eq!(sanitize(None, "message/rfc822"), "attachment.eml");
        assert_eq!(sanitize(None, "application/octet-stream"), "attachment");
        assert_eq!(sanitize(None, "nonsense"), "attachment");
        // A type whose extension would be a program never lends it.
        let exe = sanitize(None, "application/x-msdownload");
        assert_eq!(risk(&exe, "application/octet-stream"), Risk::Safe, "{exe}");
    }

    #[test]
    fn sanitizing_twice_changes_nothing() {
        for name in [
            "../../etc/passwd",
            "CON.txt",
            "invoice\u{202E}fdp.exe",
            &"ж".repeat(300),
            " .x. ",
            "a:b",
        ] {
            let once = clean(name);
            assert_eq!(clean(&once), once, "{name:?}");
        }
    }

    #[test]
    fn the_real_extension_is_the_last_one() {
        assert_eq!(real_extension("report.pdf.exe").as_deref(), Some("exe"));
        assert_eq!(
            real_extension("invoice\u{202E}fdp.exe").as_deref(),
            Some("exe")
        );
        assert_eq!(real_extension("Photo.JPG").as_deref(), Some("jpg"));
        assert_eq!(real_extension("x.exe.").as_deref(), Some("exe"));
        assert_eq!(real_extension("README"), None);
        assert_eq!(real_extension(".bashrc"), None);
    }

    #[test]
    fn programs_scripts_and_macros_are_risky_documents_are_not() {
        for name in [
            "report.pdf.exe",
            "setup.MSI",
            "run.sh",
            "tool.py",
            "x.ps1",
            "a.bat",
            "a.cmd",
            "a.scr",
            "a.js",
            "a.vbs",
            "a.lnk",
            "a.jar",
            "a.desktop",
            "App.AppImage",
            "budget.xlsm",
            "letter.docm",
            "invoice\u{202E}fdp.exe",
        ] {
            assert_eq!(
                risk(name, "application/octet-stream"),
                Risk::Executable,
                "{name}"
            );
        }
        for mime in [
            "application/x-executable",
            "application/x-sh",
            "Application/X-MSDownload",
            "application/vnd.ms-excel.sheet.macroEnabled.12",
        ] {
            assert_eq!(risk("data", mime), Risk::Executable, "{mime}");
        }
        for name in [
            "report.pdf",
            "photo.jpg",
            "notes.txt",
            "exe.pdf",
            "archive.zip",
        ] {
            assert_eq!(risk(name, "application/pdf"), Risk::Safe, "{name}");
        }
    }

    /// Names arrive decoded by mail-parser: RFC 2231 (charset, language,
    /// continuations, percent-encoding) and RFC 2047 in a quoted name.
    #[test]
    fn mail_parser_decodes_encoded_names_before_they_get_here() {
        let cases: &[(&str, &str)] = &[
            (
                "Content-Disposition: attachment;\r\n filename*=utf-8''invoice%E2%80%AEfdp.exe",
                "invoice\u{202E}fdp.exe",
            ),
            (
                "Content-Disposition: attachment;\r\n filename*0*=utf-8''%D0%BE%D1%82;\r\n filename*1*=%D1%87%D1%91%D1%82;\r\n filename*2=\".pdf\"",
                "отчёт.pdf",
            ),
            (
                "Content-Disposition: attachment;\r\n filename*0=\"long\";\r\n filename*1=\"name.txt\"",
                "longname.txt",
            ),
            (
                "Content-Disposition: attachment;\r\n filename*=iso-8859-1'fr'caf%E9.txt",
                "café.txt",
            ),
            (
                "Content-Disposition: attachment;\r\n filename*=utf-8''..%2F..%2Fx",
                "../../x",
            ),
            (
                "Content-Disposition: attachment;\r\n filename=\"=?utf-8?q?..=2F..=2Fx?=\"",
                "../../x",
            ),
            (
                "Content-Disposition: attachment;\r\n filename=\"=?UTF-8?B?aW52b2ljZeKArmZkcC5leGU=?=\"",
                "invoice\u{202E}fdp.exe",
            ),
        ];
        for (header, expected) in cases {
            let raw = format!(
                "From: a@example.test\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
                 --b\r\nContent-Type: text/plain\r\n\r\nhi\r\n\
                 --b\r\nContent-Type: application/octet-stream\r\n{header}\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b--\r\n"
            );
            let parsed = crate::mime::parse::parse(raw.as_bytes()).expect("parses");
            let got = parsed.attachments[0].filename.as_deref();
            assert_eq!(got, Some(*expected), "{header}");
            let safe = sanitize(got, "application/octet-stream");
            assert!(!safe.contains(['/', '\\', '\u{202E}']), "{safe}");
        }
    }
}

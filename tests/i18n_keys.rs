//! Every locale carries every message English has, with the same
//! placeholders, and no stale extras. Runs without the GUI feature.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// message id → the `{ $var }` names it uses.
fn messages(file: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current = None;
    for line in text.lines() {
        let starts_message =
            line.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && line.contains('=');
        if starts_message {
            let id = line
                .split('=')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            out.entry(id.clone()).or_default();
            current = Some(id);
        } else if line.starts_with('#') || line.trim().is_empty() {
            current = None;
            continue;
        }
        if let Some(id) = &current {
            let vars = out.entry(id.clone()).or_default();
            for piece in line.split("$").skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                vars.insert(name);
            }
        }
    }
    out
}

#[test]
fn every_locale_has_every_english_message() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n");
    let english = messages(&root.join("en/poshta.ftl"));
    assert!(english.len() > 20, "English source looks truncated");
    let mut locales = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let lang = dir.file_name().unwrap().to_string_lossy().to_string();
        if lang == "en" {
            continue;
        }
        locales += 1;
        let theirs = messages(&dir.join("poshta.ftl"));
        for (id, vars) in &english {
            let Some(their_vars) = theirs.get(id) else {
                panic!("{lang} lacks message `{id}`");
            };
            assert_eq!(vars, their_vars, "{lang}: `{id}` uses other placeholders");
        }
        for id in theirs.keys() {
            assert!(
                english.contains_key(id),
                "{lang} has `{id}`, unknown in English"
            );
        }
    }
    assert!(locales >= 2, "expected kk and zh-CN at least");
}

#[test]
fn every_error_kind_has_an_english_message() {
    use poshta::ErrorKind::*;
    let english = messages(&Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n/en/poshta.ftl"));
    for kind in [
        Storage,
        Io,
        NotFound,
        InvalidName,
        NameTaken,
        ProtectedFolder,
        ProtectedAccount,
        UnreadableMessage,
        TooLarge,
        InvalidSettings,
        Network,
        Certificate,
        CertificateChanged,
        Authentication,
        InsecureServer,
        PasswordNeeded,
        NotConfirmed,
        ImportTarget,
        CrossAccount,
        ServerRefused,
        Offline,
        Keyring,
        FileExists,
        UnsafeLink,
        InvalidMessage,
        Internal,
    ] {
        assert!(english.contains_key(kind.message_id()), "{kind:?}");
    }
}

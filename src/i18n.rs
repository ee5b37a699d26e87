//! Translations through Fluent. English (i18n/en) is the source and the
//! fallback; `fl!` checks message ids against it at compile time.
//!
//! The language follows `POSHTA_LANG`, else the desktop locale in the
//! POSIX order `LC_ALL`, `LC_MESSAGES`, `LANG`.

use i18n_embed::LanguageLoader;
use i18n_embed::fluent::{FluentLanguageLoader, fluent_language_loader};
use rust_embed::RustEmbed;
use std::sync::LazyLock;
use unic_langid::LanguageIdentifier;

#[derive(RustEmbed)]
#[folder = "i18n/"]
struct Localizations;

pub static LOADER: LazyLock<FluentLanguageLoader> = LazyLock::new(|| {
    let loader: FluentLanguageLoader = fluent_language_loader!();
    // The English file is embedded at build time; failing to load it is a
    // build defect, reported once and otherwise ignored (ids show instead).
    if let Err(e) = loader.load_fallback_language(&Localizations) {
        tracing::error!(error = %e, "loading English strings");
    }
    // Isolation marks around arguments confuse fixed layouts; the strings
    // we interpolate are short labels and numbers.
    loader.set_use_isolating(false);
    loader
});

/// Look up a message id at compile-time-checked call sites.
#[macro_export]
macro_rules! fl {
    ($id:literal) => {{
        i18n_embed_fl::fl!($crate::i18n::LOADER, $id)
    }};
    ($id:literal, $($args:expr),* $(,)?) => {{
        i18n_embed_fl::fl!($crate::i18n::LOADER, $id, $($args),*)
    }};
}

/// Look up an id only known at run time (error kinds, folder roles).
pub fn text(id: &str) -> String {
    LOADER.get(id)
}

/// Select the user's language. Call once at start-up.
pub fn init() {
    let requested = requested_languages(|name| std::env::var(name).ok());
    if let Err(e) = i18n_embed::select(&*LOADER, &Localizations, &requested) {
        tracing::warn!(error = %e, "selecting language");
    }
}

/// The languages the environment asks for, best first.
pub fn requested_languages(env: impl Fn(&str) -> Option<String>) -> Vec<LanguageIdentifier> {
    ["POSHTA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| env(name))
        .find(|v| !v.is_empty())
        .and_then(|v| parse_locale(&v))
        .into_iter()
        .collect()
}

/// "kk_KZ.UTF-8@latin" → kk-KZ; "C"/"POSIX" → none (English).
fn parse_locale(value: &str) -> Option<LanguageIdentifier> {
    let tag = value
        .split(['.', '@'])
        .next()
        .unwrap_or_default()
        .replace('_', "-");
    if tag.is_empty() || tag == "C" || tag == "POSIX" {
        return None;
    }
    tag.parse().ok()
}

/// The languages shipped, for settings and tests.
pub fn available() -> Vec<LanguageIdentifier> {
    LOADER
        .available_languages(&Localizations)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_variables_in_posix_order() {
        let env = |name: &str| match name {
            "LC_MESSAGES" => Some("zh_CN.UTF-8".to_string()),
            "LANG" => Some("kk_KZ.UTF-8".to_string()),
            _ => None,
        };
        assert_eq!(
            requested_languages(env),
            vec!["zh-CN".parse::<LanguageIdentifier>().unwrap()]
        );
        let c = |name: &str| (name == "LANG").then(|| "C".to_string());
        assert!(requested_languages(c).is_empty());
    }

    #[test]
    fn override_wins_and_strings_follow_it() {
        let env = |name: &str| match name {
            "POSHTA_LANG" => Some("kk".to_string()),
            "LANG" => Some("en_US.UTF-8".to_string()),
            _ => None,
        };
        let requested = requested_languages(env);
        let loader: FluentLanguageLoader = fluent_language_loader!();
        loader.load_fallback_language(&Localizations).unwrap();
        i18n_embed::select(&loader, &Localizations, &requested).unwrap();
        assert_eq!(loader.current_languages()[0].to_string(), "kk");
        assert_ne!(loader.get("folder-inbox"), "Inbox");
        assert_eq!(available().len(), 3);
    }
}

//! Folder names and roles from LIST responses.

use super::mutf7;
use crate::model::Role;
use crate::store::remote::RemoteFolder;
use async_imap::types::{Name, NameAttribute};

/// Longest hierarchy kept; deeper names are flattened into their last
/// level so a hostile LIST cannot build unbounded trees.
const MAX_DEPTH: usize = 32;

/// The folders of a LIST response. Roles come from special-use
/// attributes; only a server that marks none of its folders (no
/// SPECIAL-USE) has them guessed from names, so a user's own folder
/// called "Архив" never takes the place of the server's Archive.
pub fn from_listing(listed: &[Name]) -> Vec<RemoteFolder> {
    let special_use = listed
        .iter()
        .any(|n| role_from_attributes(n.attributes()).is_some());
    listed
        .iter()
        .filter_map(|n| from_list(n, !special_use))
        .collect()
}

/// Turn one LIST entry into a folder, or `None` for `\Noselect` and
/// `\NonExistent` placeholders that hold no mail.
fn from_list(name: &Name, guess_roles: bool) -> Option<RemoteFolder> {
    let attrs = name.attributes();
    let placeholder = |a: &NameAttribute<'_>| match a {
        NameAttribute::NoSelect => true,
        // RFC 5258 \NonExistent arrives as an extension attribute.
        NameAttribute::Extension(e) => e.eq_ignore_ascii_case("\\NonExistent"),
        _ => false,
    };
    if attrs.iter().any(placeholder) {
        return None;
    }
    let raw = name.name();
    let delimiter = name.delimiter().map(str::to_string);
    let decoded = mutf7::decode_lossy(raw);
    let mut path: Vec<String> = match &delimiter {
        Some(d) if !d.is_empty() => decoded.split(d.as_str()).map(str::to_string).collect(),
        _ => vec![decoded.clone()],
    };
    if path.len() > MAX_DEPTH || path.iter().any(String::is_empty) {
        path = vec![decoded];
    }
    let role = role_from_attributes(attrs).or_else(|| {
        if guess_roles || raw.eq_ignore_ascii_case("INBOX") {
            role_from_name(raw, &path)
        } else {
            None
        }
    });
    Some(RemoteFolder {
        remote_name: raw.to_string(),
        delimiter,
        path,
        role,
    })
}

/// RFC 6154 special-use attributes.
fn role_from_attributes(attrs: &[NameAttribute<'_>]) -> Option<Role> {
    attrs.iter().find_map(|a| match a {
        NameAttribute::Sent => Some(Role::Sent),
        NameAttribute::Drafts => Some(Role::Drafts),
        NameAttribute::Trash => Some(Role::Trash),
        NameAttribute::Junk => Some(Role::Junk),
        NameAttribute::Archive => Some(Role::Archive),
        _ => None,
    })
}

/// Servers without SPECIAL-USE: recognise the usual names in the
/// languages people use them in (top-level folders only).
fn role_from_name(raw: &str, path: &[String]) -> Option<Role> {
    if raw.eq_ignore_ascii_case("INBOX") {
        return Some(Role::Inbox);
    }
    let [name] = path else {
        return None;
    };
    let name = name.to_lowercase();
    const NAMES: &[(Role, &[&str])] = &[
        (
            Role::Sent,
            &[
                "sent",
                "sent items",
                "sent messages",
                "sent mail",
                "отправленные",
                "жіберілгендер",
                "жіберілген",
                "изпратени",
                "已发送",
                "已發送",
                "gesendet",
                "envoyés",
                "enviados",
                "inviata",
                "wysłane",
            ],
        ),
        (
            Role::Drafts,
            &[
                "drafts",
                "draft",
                "черновики",
                "черновиктер",
                "чернови",
                "草稿",
                "草稿箱",
                "entwürfe",
                "brouillons",
                "borradores",
            ],
        ),
        (
            Role::Trash,
            &[
                "trash",
                "deleted",
                "deleted items",
                "deleted messages",
                "bin",
                "корзина",
                "удаленные",
                "себет",
                "қоқыс шелегі",
                "кошче",
                "已删除",
                "垃圾箱",
                "papierkorb",
                "corbeille",
                "papelera",
            ],
        ),
        (
            Role::Junk,
            &[
                "junk",
                "spam",
                "junk e-mail",
                "junk email",
                "спам",
                "垃圾邮件",
                "nevyžádaná pošta",
            ],
        ),
        (
            Role::Archive,
            &["archive", "archives", "архив", "мұрағат", "归档", "archiv"],
        ),
    ];
    NAMES
        .iter()
        .find(|(_, names)| names.contains(&name.as_str()))
        .map(|(role, _)| *role)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> Vec<String> {
        vec![s.to_string()]
    }

    #[test]
    fn names_are_recognised_in_several_languages() {
        assert_eq!(role_from_name("INBOX", &path("INBOX")), Some(Role::Inbox));
        assert_eq!(role_from_name("x", &path("Отправленные")), Some(Role::Sent));
        assert_eq!(role_from_name("x", &path("已删除")), Some(Role::Trash));
        assert_eq!(role_from_name("x", &path("Spam")), Some(Role::Junk));
        assert_eq!(role_from_name("x", &path("Projects")), None);
        // Only top-level folders count: "Work/Sent" is the user's own.
        assert_eq!(
            role_from_name("x", &["Work".to_string(), "Sent".to_string()]),
            None
        );
    }
}

//! Plain data shared by the store, the service and its callers.

/// Row ids are wrapped so a folder id can never be passed as a message id.
macro_rules! id_type {
    ($name:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(AccountId);
id_type!(FolderId);
id_type!(MessageId);

impl FolderId {
    /// Every account's Inbox merged, newest first: a view the list and
    /// the tree show like a folder, never a stored one (SQLite row ids
    /// are positive).
    pub const ALL_INBOXES: FolderId = FolderId(-1);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// The built-in "Local Folders" account: no server at all.
    Local,
    Imap,
    Pop3,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Local => "local",
            AccountKind::Imap => "imap",
            AccountKind::Pop3 => "pop3",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "local" => Some(AccountKind::Local),
            "imap" => Some(AccountKind::Imap),
            "pop3" => Some(AccountKind::Pop3),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub kind: AccountKind,
    pub name: String,
    pub email: Option<String>,
}

/// What a folder is for; drives icons, localized names and protections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Inbox,
    Sent,
    Drafts,
    Trash,
    Junk,
    Archive,
    Outbox,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Inbox,
        Role::Sent,
        Role::Drafts,
        Role::Trash,
        Role::Junk,
        Role::Archive,
        Role::Outbox,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Inbox => "inbox",
            Role::Sent => "sent",
            Role::Drafts => "drafts",
            Role::Trash => "trash",
            Role::Junk => "junk",
            Role::Archive => "archive",
            Role::Outbox => "outbox",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub id: FolderId,
    pub account_id: AccountId,
    pub parent_id: Option<FolderId>,
    pub name: String,
    pub role: Option<Role>,
    pub unread: u32,
    pub total: u32,
    /// Server folders only: whether the account subscribes to it (always
    /// true for local folders).
    pub subscribed: bool,
}

/// Message flags as a bit set, mirroring the IMAP system flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Flags(pub u32);

impl Flags {
    pub const SEEN: Flags = Flags(1);
    pub const FLAGGED: Flags = Flags(1 << 1);
    pub const ANSWERED: Flags = Flags(1 << 2);
    pub const DELETED: Flags = Flags(1 << 3);
    pub const DRAFT: Flags = Flags(1 << 4);
    pub const FORWARDED: Flags = Flags(1 << 5);

    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn with(self, other: Flags, on: bool) -> Flags {
        if on {
            Flags(self.0 | other.0)
        } else {
            Flags(self.0 & !other.0)
        }
    }
}

/// One row of the message list: what is needed to draw it, nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSummary {
    pub id: MessageId,
    pub folder_id: FolderId,
    pub subject: String,
    pub from_name: String,
    pub from_addr: String,
    /// Unix seconds (UTC).
    pub date: i64,
    pub flags: Flags,
    pub has_attachments: bool,
    pub size: u64,
    /// With [`ListQuery::threads`]: how many messages of this row's
    /// conversation the listed folder holds (that match the filter); 1
    /// otherwise.
    pub thread_size: u32,
}

/// How a message list is ordered and narrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListQuery {
    pub sort: Sort,
    /// Largest, newest or last in the alphabet first.
    pub descending: bool,
    pub filter: Filter,
    /// One row per conversation: its newest message in the folder (that
    /// matches the filter), ordered by the same sort.
    pub threads: bool,
}

impl Default for ListQuery {
    /// Newest first, everything, one row per message.
    fn default() -> Self {
        ListQuery {
            sort: Sort::Date,
            descending: true,
            filter: Filter::default(),
            threads: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sort {
    #[default]
    Date,
    /// The display name, else the address, in any case.
    Sender,
    /// Without "Re:", "Fwd:" and their kin, in any case.
    Subject,
    Size,
}

/// Only messages that are all of these (none set: every message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Filter {
    pub unread: bool,
    pub flagged: bool,
    pub attachments: bool,
}

impl MessageSummary {
    /// The name to show for the sender: display name, else the address.
    pub fn sender(&self) -> &str {
        if self.from_name.trim().is_empty() {
            &self.from_addr
        } else {
            &self.from_name
        }
    }

    /// The sender as a mailbox: "Name <address>", else the address.
    pub fn sender_mailbox(&self) -> String {
        match self.from_name.trim() {
            "" => self.from_addr.clone(),
            name => format!("{name} <{}>", self.from_addr),
        }
    }

    /// The date in the local time zone, as the reader shows it.
    pub fn local_date(&self) -> String {
        chrono::DateTime::from_timestamp(self.date, 0)
            .map(|d| {
                d.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: Option<String>,
    pub mime_type: String,
    pub size: u64,
}

impl Attachment {
    /// A whole message (message/rfc822 or message/global), or one sent
    /// as a file named .eml: the reader opens it rather than another
    /// program.
    pub fn is_message(&self) -> bool {
        let mime = self.mime_type.to_ascii_lowercase();
        matches!(mime.as_str(), "message/rfc822" | "message/global")
            || self
                .filename
                .as_deref()
                .is_some_and(|n| n.to_ascii_lowercase().ends_with(".eml"))
    }
}

/// A message opened in the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageView {
    pub summary: MessageSummary,
    pub to: String,
    pub cc: String,
    /// Reply-To and Mail-Followup-To, as address lists (empty if absent).
    pub reply_to: String,
    pub followup_to: String,
    pub message_id: Option<String>,
    /// The References chain, oldest first.
    pub references: Vec<String>,
    /// The readable text body, for replies and forwards: the rendered
    /// document as text ([`crate::mime::render::Rendered::text`]), so
    /// HTML-only mail quotes what the reader shows.
    pub body: String,
    pub attachments: Vec<Attachment>,
    /// What the reader shows: cleaned headers with every name and address,
    /// and the document of blocks and inline images (nothing remote).
    pub rendered: crate::mime::render::Rendered,
}

/// An account's folders depth-first, each with its depth.
pub fn tree_order(folders: &[Folder], account: AccountId) -> Vec<(&Folder, usize)> {
    fn walk<'a>(
        all: &'a [Folder],
        account: AccountId,
        parent: Option<FolderId>,
        depth: usize,
        out: &mut Vec<(&'a Folder, usize)>,
    ) {
        for f in all
            .iter()
            .filter(|f| f.account_id == account && f.parent_id == parent)
        {
            out.push((f, depth));
            walk(all, account, Some(f.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(folders, account, None, 0, &mut out);
    out
}

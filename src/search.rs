//! Searching mail: the query language people type, where to look, and
//! what came back. The local part runs on the store's full-text index
//! (`store::search`); messages whose bodies are still on an IMAP server
//! are searched there too (`service::search`), and the two merge by date.
//!
//! The language: words (all required), `invoi*` (prefix), `"annual
//! report"` (phrase), `from:`, `to:` (To and Cc), `subject:` (each taking
//! a word, a prefix or a quoted phrase) and `has:attachment`. Anything
//! else, malformed pieces included, is searched for as written.

pub mod fts;
pub mod imap;
pub mod parse;

use crate::error::ErrorKind;
use crate::model::{AccountId, FolderId, MessageSummary};

/// Where a search looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One folder; [`FolderId::ALL_INBOXES`] means every Inbox.
    Folder(FolderId),
    Account(AccountId),
    All,
}

/// Which part of a message a term must be found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Anywhere: subject, people, body text, attachment names.
    Any,
    From,
    /// To and Cc.
    To,
    Subject,
}

/// One required piece of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub field: Field,
    /// As typed (quotes and a trailing `*` removed).
    pub text: String,
    /// Words starting with `text` match (`invoi*`).
    pub prefix: bool,
}

/// A parsed query: every term is required.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
    pub has_attachment: bool,
}

impl Query {
    /// Never fails: what cannot be read as an operator is a plain term.
    pub fn parse(input: &str) -> Query {
        parse::parse(input)
    }

    /// Nothing to look for: such a query finds nothing.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && !self.has_attachment
    }

    /// Whether a message's body text can decide this query. Envelope
    /// fields and attachment flags are in the local index for every
    /// message, body or not, so only `Field::Any` terms need a server to
    /// search the bodies that are not here.
    pub fn needs_bodies(&self) -> bool {
        self.terms.iter().any(|t| t.field == Field::Any)
    }
}

/// Where a hit was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// In the local index.
    Local,
    /// By the server's SEARCH, in a message whose body is not here.
    Server,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub summary: MessageSummary,
    pub origin: Origin,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResults {
    /// Newest first, local and server hits merged by date.
    pub hits: Vec<Hit>,
    /// Messages the local index covered in scope (every message's
    /// envelope, and the text of those whose body is here).
    pub local_messages: usize,
    /// Display names (full paths) of the folders searched on a server.
    pub server_folders: Vec<String>,
    /// Folders whose server search failed (or could not start: offline,
    /// no password), with why; their local results still count.
    pub server_failures: Vec<(String, ErrorKind)>,
}

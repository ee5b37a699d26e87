//! How `poshta-cli list` orders and narrows a folder's messages.

use crate::model::{Filter, ListQuery, Sort};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SortBy {
    Date,
    Sender,
    Subject,
    Size,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Order by date (default), sender, subject (without "Re:") or size.
    #[arg(long, value_enum, default_value = "date")]
    sort: SortBy,
    /// Ascending: oldest, smallest or A first (default: descending).
    #[arg(long)]
    asc: bool,
    /// Only unread messages.
    #[arg(long)]
    unread: bool,
    /// Only flagged messages.
    #[arg(long)]
    flagged: bool,
    /// Only messages with attachments.
    #[arg(long)]
    attachments: bool,
    /// One line per conversation (its newest message), with its size.
    #[arg(long)]
    threads: bool,
}

impl ListArgs {
    pub fn query(&self) -> ListQuery {
        ListQuery {
            sort: match self.sort {
                SortBy::Date => Sort::Date,
                SortBy::Sender => Sort::Sender,
                SortBy::Subject => Sort::Subject,
                SortBy::Size => Sort::Size,
            },
            descending: !self.asc,
            filter: Filter {
                unread: self.unread,
                flagged: self.flagged,
                attachments: self.attachments,
            },
            threads: self.threads,
        }
    }
}

//! Searching from the list's search box: where to look (this folder, its
//! account, everything), and the words that say what was searched.

use super::{Mailbox, Message};
use crate::fl;
use crate::model::FolderId;
use crate::search::{Origin, Scope, SearchResults};
use crate::ui::UiError;
use crate::ui::component::message_list::{self, SCROLL_ID};
use iced::Task;
use iced::widget::operation;

/// Hits shown at most: a search is for finding, not for listing a folder.
const LIMIT: usize = 500;

impl Mailbox {
    pub(super) fn search(
        &mut self,
        text: String,
        scope: message_list::Scope,
        generation: u64,
    ) -> Task<Message> {
        let folder = self.list.folder();
        let account = folder
            .filter(|f| *f != FolderId::ALL_INBOXES)
            .and_then(|f| self.tree.folder(f))
            .map(|f| f.account_id);
        let scope = match (scope, folder, account) {
            (message_list::Scope::Folder, Some(folder), _) => Scope::Folder(folder),
            (message_list::Scope::Account, _, Some(account)) => Scope::Account(account),
            _ => Scope::All,
        };
        let service = self.service.clone();
        Task::perform(
            async move { service.search(text, scope, LIMIT).await },
            move |r| {
                Message::List(message_list::Message::Searched(
                    generation,
                    r.map(shown).map_err(UiError::from),
                ))
            },
        )
    }

    pub(super) fn list_to_top(&self) -> Task<Message> {
        operation::scroll_to(
            SCROLL_ID,
            operation::AbsoluteOffset {
                x: None,
                y: Some(0.0),
            },
        )
    }
}

/// The hits, and "local: 12,431 messages · server: Archive" (with any
/// folder the server could not search).
fn shown(results: SearchResults) -> (Vec<crate::model::MessageSummary>, message_list::SearchShown) {
    let mut summary = vec![fl!("search-summary-local", count = results.local_messages)];
    if !results.server_folders.is_empty() {
        summary.push(fl!(
            "search-summary-server",
            folders = results.server_folders.join(", ")
        ));
    }
    for (folder, kind) in &results.server_failures {
        summary.push(fl!(
            "search-summary-failed",
            folder = folder.clone(),
            reason = crate::i18n::text(kind.message_id())
        ));
    }
    let server = results
        .hits
        .iter()
        .filter(|h| h.origin == Origin::Server)
        .map(|h| h.summary.id)
        .collect();
    let found = fl!("search-found", count = results.hits.len());
    let rows = results.hits.into_iter().map(|h| h.summary).collect();
    (
        rows,
        message_list::SearchShown {
            summary: format!("{found} · {}", summary.join(" · ")),
            server,
        },
    )
}

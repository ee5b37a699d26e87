//! Search: the local index first, then, for messages whose bodies are
//! still on an IMAP server, that server's own SEARCH, merged by date.
//! Folders of one account share one session; a server that fails, or an
//! app that is offline, leaves the local results and says which folders
//! went unsearched and why.

use super::Service;
use crate::error::{Error, ErrorKind, Result};
use crate::imap::connect::Session;
use crate::model::{AccountId, MessageId};
use crate::search::{self, Hit, Origin, Query, Scope, SearchResults};
use crate::store::search::ServerFolder;
use std::collections::HashSet;
use std::time::Duration;

/// Folders asked per search, across accounts: each costs a round trip
/// and the server's scan of that folder's mail.
const MAX_SERVER_FOLDERS: usize = 16;
/// UIDs taken from one folder's answer, the highest (newest) first.
const MAX_SERVER_UIDS: usize = 5_000;
/// One folder's EXAMINE and SEARCH: a server scanning a large folder's
/// bodies can take a while, but a silent one must not hang the search.
const FOLDER_TIMEOUT: Duration = Duration::from_secs(60);

impl Service {
    /// Search `scope` for `query` (see [`crate::search`] for the
    /// language): the newest `limit` hits, local and server ones merged.
    pub async fn search(&self, query: String, scope: Scope, limit: usize) -> Result<SearchResults> {
        let query = Query::parse(&query);
        let asked = query.clone();
        let server = query.needs_bodies();
        let (local, local_messages, folders) = self
            .with_store(move |s| {
                let local = s.search(&asked, scope, limit)?;
                let count = s.scope_message_count(scope)?;
                let folders = if server {
                    s.server_search_folders(scope)?
                } else {
                    Vec::new()
                };
                Ok((local, count, folders))
            })
            .await?;
        let mut results = SearchResults {
            local_messages,
            ..Default::default()
        };
        let found: HashSet<MessageId> = local.iter().map(|m| m.id).collect();
        results.hits = local
            .into_iter()
            .map(|summary| Hit {
                summary,
                origin: Origin::Local,
            })
            .collect();
        if let Some(command) = search::imap::command(&query)
            && limit > 0
        {
            let folders = folders.into_iter().take(MAX_SERVER_FOLDERS).collect();
            let ask = ServerSearch {
                command: &command,
                has_attachment: query.has_attachment,
                limit,
                found: &found,
            };
            self.search_servers(&ask, folders, &mut results).await;
        }
        results
            .hits
            .sort_by_key(|h| std::cmp::Reverse((h.summary.date, h.summary.id.0)));
        results.hits.truncate(limit);
        Ok(results)
    }

    /// Ask each account's server about its folders, one session per
    /// account, adding hits and recording failures in `results`.
    async fn search_servers(
        &self,
        ask: &ServerSearch<'_>,
        folders: Vec<ServerFolder>,
        results: &mut SearchResults,
    ) {
        let mut accounts: Vec<(AccountId, Vec<ServerFolder>)> = Vec::new();
        for f in folders {
            match accounts.last_mut() {
                Some((account, list)) if *account == f.account => list.push(f),
                _ => accounts.push((f.account, vec![f])),
            }
        }
        for (account, folders) in accounts {
            let failed = |results: &mut SearchResults, folders: &[ServerFolder], kind| {
                for f in folders {
                    results.server_failures.push((f.display.clone(), kind));
                }
            };
            if self.is_offline() {
                failed(results, &folders, ErrorKind::Offline);
                continue;
            }
            let mut session = match self.imap_session(account).await {
                Ok(session) => session,
                Err(e) => {
                    tracing::info!(%e, account = account.0, "search: no server session");
                    failed(results, &folders, e.kind());
                    continue;
                }
            };
            for (i, folder) in folders.iter().enumerate() {
                let asked =
                    tokio::time::timeout(FOLDER_TIMEOUT, search_folder(&mut session, ask, folder))
                        .await
                        .unwrap_or_else(|_| {
                            Err(Error::Network {
                                context: "UID SEARCH",
                                detail: "timed out".into(),
                            })
                        });
                let uids = match asked {
                    Ok(uids) => uids,
                    Err(e) => {
                        tracing::info!(%e, folder = folder.display, "search: server failed");
                        results
                            .server_failures
                            .push((folder.display.clone(), e.kind()));
                        if e.kind() == ErrorKind::ServerRefused {
                            continue;
                        }
                        // The connection is gone or in an unknown state.
                        failed(results, &folders[i + 1..], e.kind());
                        break;
                    }
                };
                results.server_folders.push(folder.display.clone());
                match self.server_rows(ask, folder, uids).await {
                    Ok(hits) => results.hits.extend(hits),
                    Err(e) => results
                        .server_failures
                        .push((folder.display.clone(), e.kind())),
                }
            }
            let _ = session.logout().await;
        }
    }

    /// The rows a folder's answer names that the local search did not
    /// find, newest first, at most `limit`.
    async fn server_rows(
        &self,
        ask: &ServerSearch<'_>,
        folder: &ServerFolder,
        uids: Vec<u32>,
    ) -> Result<Vec<Hit>> {
        let (id, has_attachment) = (folder.folder, ask.has_attachment);
        let mut rows = self
            .with_store(move |s| s.server_hits(id, &uids, has_attachment))
            .await?;
        rows.retain(|m| !ask.found.contains(&m.id));
        rows.sort_by_key(|m| std::cmp::Reverse((m.date, m.id.0)));
        rows.truncate(ask.limit);
        Ok(rows
            .into_iter()
            .map(|summary| Hit {
                summary,
                origin: Origin::Server,
            })
            .collect())
    }
}

/// What every folder of one search is asked.
struct ServerSearch<'a> {
    command: &'a search::imap::Command,
    has_attachment: bool,
    limit: usize,
    /// Messages the local index already found.
    found: &'a HashSet<MessageId>,
}

/// EXAMINE (read only) and SEARCH one folder. UIDs of another
/// UIDVALIDITY than the store's name other messages: none are taken.
async fn search_folder(
    session: &mut Session,
    ask: &ServerSearch<'_>,
    folder: &ServerFolder,
) -> Result<Vec<u32>> {
    let mailbox = session
        .examine(&folder.remote_name)
        .await
        .map_err(|e| match e {
            async_imap::error::Error::No(detail) => Error::ServerRefused {
                context: "EXAMINE",
                detail,
            },
            other => Error::Network {
                context: "EXAMINE",
                detail: other.to_string(),
            },
        })?;
    if mailbox.uid_validity != Some(folder.uidvalidity) {
        tracing::info!(
            folder = folder.display,
            "search: UIDVALIDITY changed, next sync resyncs"
        );
        return Ok(Vec::new());
    }
    crate::imap::search::uid_search(session, ask.command, MAX_SERVER_UIDS).await
}

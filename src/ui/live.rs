//! The window's side of the live connections: the service's events as a
//! subscription, and a desktop notification when new mail arrives where
//! the user is not already looking.

use crate::Service;
use crate::model::FolderId;
use crate::sync::status::Event;
use iced::Subscription;
use std::hash::{Hash, Hasher};

/// The service, identified by its data directory (one per window).
struct Source(Service);

impl Hash for Source {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.data_dir().hash(state);
    }
}

/// Every event of the service's live connections.
pub fn events(service: &Service) -> Subscription<Event> {
    Subscription::run_with(Source(service.clone()), |source| {
        futures::stream::unfold(source.0.subscribe(), |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(event) => return Some((event, rx)),
                    // Missed some: the next ones still describe the
                    // current state, and lists reload on any event.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
    })
}

/// New mail deserves a notification unless the user is looking at that
/// very folder in a focused window.
pub fn should_notify(focused: bool, shown: Option<FolderId>, folder: FolderId) -> bool {
    !(focused && shown == Some(folder))
}

/// Raise a freedesktop notification. Without a notification service
/// (a bare session) this fails, which is logged and otherwise ignored:
/// the folder's unread count still shows the news.
pub async fn notify(summary: String, body: String) {
    let result = notify_rust::Notification::new()
        .appname("Poshta")
        .icon("mail-unread")
        .summary(&summary)
        .body(&body)
        .show_async()
        .await;
    if let Err(error) = result {
        tracing::info!(%error, "no desktop notification");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_only_when_looking_at_that_folder() {
        let inbox = FolderId(3);
        assert!(!should_notify(true, Some(inbox), inbox));
        assert!(should_notify(false, Some(inbox), inbox));
        assert!(should_notify(true, Some(FolderId(4)), inbox));
        assert!(should_notify(true, None, inbox));
    }
}

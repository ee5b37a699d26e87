//! Handing a link from a message to the desktop: the browser for http
//! and https, the mail program for mailto. Nothing else leaves Poshta,
//! whatever the reader was asked, and the target is read again here the
//! way the reader showed it (cleaned, IDN hosts as punycode).

use crate::error::{Error, Result};
use crate::mime::render::Link;

pub async fn open_link(target: &str) -> Result<()> {
    let link = Link::new(target);
    if !link.actionable() {
        return Err(Error::UnsafeLink);
    }
    let target = link.target;
    tokio::task::spawn_blocking(move || {
        open::that_detached(&target).map_err(|e| Error::io("opening a link", e))
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_web_and_mail_links_are_handed_on() {
        for target in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,x",
        ] {
            assert!(matches!(open_link(target).await, Err(Error::UnsafeLink)));
        }
    }
}

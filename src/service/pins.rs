//! The user's decision about a certificate a server was refused for:
//! trust exactly that certificate on that server, or stop trusting it.

use super::Service;
use crate::account::Direction;
use crate::error::Result;
use crate::model::AccountId;

impl Service {
    /// Accept exactly the certificate whose SHA-256 is `fingerprint` on
    /// `account`'s incoming or outgoing server, whatever else is wrong with
    /// it (self-signed, expired, another name), and no other certificate
    /// there; `None` removes the pin. The fingerprint is the one a refusal
    /// carried ([`Error::rejected_certificate`]), shown to and accepted by
    /// the user: nothing here connects to find it.
    ///
    /// A live incoming connection starts again at once under the new
    /// decision, so a pinned server comes online and an unpinned one is
    /// verified afresh.
    ///
    /// [`Error::rejected_certificate`]: crate::Error::rejected_certificate
    pub async fn pin_certificate(
        &self,
        account: AccountId,
        direction: Direction,
        fingerprint: Option<[u8; 32]>,
    ) -> Result<()> {
        self.with_store(move |s| s.pin_certificate(account, direction, fingerprint))
            .await?;
        if direction == Direction::Incoming {
            self.reconnect(account).await?;
        }
        Ok(())
    }
}

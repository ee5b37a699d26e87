//! Account setup: finding an address's servers (see `account::discover`),
//! trying the reviewed settings before anything is saved, and adding the
//! account with its password.

use super::Service;
use super::server_test::{ServerTest, test_servers};
use crate::account::discover::{self, Offer};
use crate::account::{NewAccount, Server};
use crate::error::{Error, Result};
use crate::model::AccountId;

impl Service {
    /// Find the servers of `address` (nothing is sent to them).
    pub async fn discover(&self, address: &str) -> Result<Offer> {
        let settings = self.discovery_settings();
        discover::discover(address, &settings).await
    }

    /// Where discovery looks from now on (tests point it at their peers).
    pub fn set_discovery_settings(&self, settings: discover::Settings) {
        *self
            .inner
            .discovery
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = settings;
    }

    fn discovery_settings(&self) -> discover::Settings {
        self.inner
            .discovery
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Try settings not saved yet: with `password`, else (editing
    /// `account`) the password it already has.
    pub async fn test_settings(
        &self,
        account: Option<AccountId>,
        incoming: Server,
        outgoing: Option<Server>,
        password: Option<String>,
    ) -> Result<ServerTest> {
        let password = match (password, account) {
            (Some(password), _) => password,
            (None, Some(account)) => self.password(account).await?,
            (None, None) => return Err(Error::PasswordNeeded),
        };
        Ok(test_servers(&incoming, outgoing.as_ref(), &password).await)
    }

    /// Add `new` with `password` for this session, kept in the OS keyring
    /// too if `remember`. The account exists whatever the keyring says;
    /// its error comes back beside the id so the user can be told the
    /// password will be asked for again next time.
    pub async fn create_account(
        &self,
        new: NewAccount,
        password: String,
        remember: bool,
    ) -> Result<(AccountId, Option<Error>)> {
        let id = self.add_account(new).await?;
        if !remember {
            self.set_password(id, password);
            return Ok((id, None));
        }
        match self.remember_password(id, password).await {
            Ok(()) => Ok((id, None)),
            Err(e @ Error::Keyring(_)) => Ok((id, Some(e))),
            Err(e) => Err(e),
        }
    }
}

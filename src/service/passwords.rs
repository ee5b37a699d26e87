//! Account passwords: given for this session (kept in memory only), or
//! kept in the OS keyring (see `account::secret`) when the user asks
//! Poshta to remember them. The keyring is asked about an account once a
//! session: a password the server refused is not taken from it again (a
//! stale one costs one failed login, not one per retry), and a keyring
//! that had none, or could not be reached, is not asked again on every
//! change sent to the server.

use super::{Service, blocking};
use crate::account::secret;
use crate::error::{Error, Result};
use crate::model::AccountId;
use std::collections::{HashMap, HashSet};
use std::sync::MutexGuard;

#[derive(Default)]
pub(super) struct Passwords {
    given: HashMap<AccountId, String>,
    /// Accounts the keyring is not asked about again this session: the
    /// server refused its password, or it had none, or was not reachable.
    keyring_done: HashSet<AccountId>,
}

impl Service {
    /// Whether `account` has a password this session.
    pub fn has_password(&self, account: AccountId) -> bool {
        self.passwords().given.contains_key(&account)
    }

    /// Use `password` for `account` until the program ends.
    pub fn set_password(&self, account: AccountId, password: String) {
        let mut passwords = self.passwords();
        passwords.keyring_done.remove(&account);
        passwords.given.insert(account, password);
    }

    /// [`Service::set_password`], and keep it in the OS keyring for the
    /// sessions to come. The session has it even when the keyring cannot
    /// be reached; that error is returned so the user can be told.
    pub async fn remember_password(&self, account: AccountId, password: String) -> Result<()> {
        self.set_password(account, password.clone());
        let incoming = self
            .account_settings(account)
            .await?
            .incoming
            .ok_or(Error::InvalidSettings("incoming server"))?;
        blocking(move || secret::set(&incoming, &password)).await
    }

    /// Give `account` its password from the OS keyring unless it has one
    /// this session or the keyring was asked already. True if it has one
    /// now. A keyring that cannot be reached counts as none kept: the user
    /// is asked instead.
    pub async fn recall_password(&self, account: AccountId) -> Result<bool> {
        {
            let passwords = self.passwords();
            if passwords.given.contains_key(&account) {
                return Ok(true);
            }
            if passwords.keyring_done.contains(&account) {
                return Ok(false);
            }
        }
        let Some(incoming) = self.account_settings(account).await?.incoming else {
            return Ok(false);
        };
        let kept = blocking(move || secret::get(&incoming)).await;
        let mut passwords = self.passwords();
        passwords.keyring_done.insert(account);
        match kept {
            Ok(Some(password)) => {
                passwords.given.entry(account).or_insert(password);
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(e) => {
                tracing::info!(%account, error = %e, "no password from the keyring");
                Ok(false)
            }
        }
    }

    /// At start: every server account whose password the keyring kept,
    /// recalled into this session (they can go online without asking).
    pub async fn recall_passwords(&self) -> Result<Vec<AccountId>> {
        let mut recalled = Vec::new();
        for account in self.accounts().await? {
            if self.recall_password(account.id).await? {
                recalled.push(account.id);
            }
        }
        Ok(recalled)
    }

    /// The password to log in to `account` with: this session's, else the
    /// keyring's.
    pub(super) async fn password(&self, account: AccountId) -> Result<String> {
        self.recall_password(account).await?;
        self.passwords()
            .given
            .get(&account)
            .cloned()
            .ok_or(Error::PasswordNeeded)
    }

    /// The server refused `account`'s password: forget it for this session
    /// (the next try asks the user again).
    pub(super) fn password_refused(&self, account: AccountId) {
        let mut passwords = self.passwords();
        passwords.given.remove(&account);
        passwords.keyring_done.insert(account);
    }

    /// Forget the keyring's passwords of `removed` (an account's servers)
    /// that no remaining account logs in with. Best effort: the account is
    /// gone either way, and an entry left behind names no account of ours.
    pub(super) async fn forget_kept_passwords(&self, removed: Vec<crate::account::Server>) {
        let mut in_use = HashSet::new();
        if let Ok(accounts) = self.accounts().await {
            for account in accounts {
                if let Ok(settings) = self.account_settings(account.id).await {
                    in_use.extend(settings.incoming.as_ref().map(secret::entry_name));
                }
            }
        }
        for server in removed {
            if in_use.contains(&secret::entry_name(&server)) {
                continue;
            }
            if let Err(e) = blocking(move || secret::delete(&server)).await {
                tracing::info!(error = %e, "a kept password could not be forgotten");
            }
        }
    }

    /// `account`'s incoming server was `old` and is `new` now (an edit).
    /// This session's password stays; the keyring is asked again (it may
    /// know the new server). If the entry name changed, a password kept
    /// under the old one moves to the new one, unless that holds one
    /// already (the same login of another account: left as it is), and
    /// the old entry goes unless another account still uses it. Best
    /// effort: the settings are saved either way, and without a kept
    /// password the user is asked, as always. The log names entries,
    /// never a password.
    pub(super) async fn password_follows_server(
        &self,
        account: AccountId,
        old: crate::account::Server,
        new: crate::account::Server,
    ) {
        self.passwords().keyring_done.remove(&account);
        let (from, to) = (secret::entry_name(&old), secret::entry_name(&new));
        if from == to {
            return;
        }
        let moved = blocking(move || {
            let Some(password) = secret::get(&old)? else {
                return Ok(None);
            };
            if secret::get(&new)?.is_none() {
                secret::set(&new, &password)?;
            }
            Ok(Some(old))
        })
        .await;
        match moved {
            Ok(Some(old)) => {
                tracing::info!(%account, %from, %to, "kept password moved");
                self.forget_kept_passwords(vec![old]).await;
            }
            Ok(None) => {}
            Err(e) => tracing::info!(%account, %from, %to, error = %e, "kept password not moved"),
        }
    }

    fn passwords(&self) -> MutexGuard<'_, Passwords> {
        self.inner
            .passwords
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

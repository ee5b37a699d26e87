//! Account setup: finding an address's servers (see `account::discover`).

use super::Service;
use crate::account::discover::{self, Offer};
use crate::error::Result;

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
}

//! Poshta: a desktop email client. This crate is the core (store, message
//! format, protocols, service facade) plus, behind the `gui` feature, the
//! iced window.

pub mod account;
pub mod attachment;
pub mod cli;
pub mod desktop;
pub mod error;
pub mod imap;
pub mod import;
pub mod logging;
pub mod mime;
pub mod model;
pub mod net;
pub mod paths;
pub mod pop3;
pub mod search;
pub mod service;
pub mod smtp;
pub mod store;
pub mod sync;

#[cfg(feature = "gui")]
pub mod i18n;
#[cfg(feature = "gui")]
pub mod ui;

pub use error::{Error, ErrorKind, Result};
pub use service::Service;

//! Whole-window screens.

pub mod mailbox;
pub mod setup;

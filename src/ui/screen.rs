//! Whole-window screens.

pub mod mailbox;

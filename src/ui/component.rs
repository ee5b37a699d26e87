//! Reusable parts of screens, each with its own Message/update/view.

pub mod certificate;
pub mod composer;
pub mod folder_menu;
pub mod folder_tree;
pub mod message_list;
pub mod outbox;
pub mod reader;

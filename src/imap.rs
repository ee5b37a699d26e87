//! IMAP client side: connecting securely, naming folders, and what the
//! sync engine needs from a session. Knows nothing of the store.

pub mod command;
pub mod connect;
pub mod folders;
pub mod mutf7;
pub mod search;

//! Message format: turning raw RFC 5322 bytes into what Poshta stores and
//! shows. Parsing is isolated here so its limits and panic guard live in
//! one place.

pub mod compose;
pub mod filename;
pub mod flowed;
pub mod mbox;
pub mod parse;
pub mod render;
pub mod reply;
pub mod subject;

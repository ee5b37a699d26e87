//! Keyboard shortcuts as data: one table from keys to commands, read by
//! the key subscription and shown in help later.

use crate::ui::screen::mailbox::{self, Mailbox};
use iced::Subscription;
use iced::keyboard::{self, Key, Modifiers, key::Named};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    NextMessage,
    PreviousMessage,
    Import,
    GetMessages,
    NewFolder,
    RenameFolder,
    ToggleFlag,
    MarkUnread,
    Cancel,
}

/// A key: a named key or a character, and whether Ctrl must be held.
#[derive(Debug, Clone, Copy)]
pub enum Trigger {
    Named(Named),
    Char(&'static str),
}

pub const TABLE: &[(Trigger, bool, Command)] = &[
    (
        Trigger::Named(Named::ArrowDown),
        false,
        Command::NextMessage,
    ),
    (Trigger::Char("j"), false, Command::NextMessage),
    (
        Trigger::Named(Named::ArrowUp),
        false,
        Command::PreviousMessage,
    ),
    (Trigger::Char("k"), false, Command::PreviousMessage),
    (Trigger::Char("i"), true, Command::Import),
    (Trigger::Named(Named::F5), false, Command::GetMessages),
    (Trigger::Char("t"), true, Command::GetMessages),
    (Trigger::Char("n"), true, Command::NewFolder),
    (Trigger::Named(Named::F2), false, Command::RenameFolder),
    (Trigger::Char("s"), false, Command::ToggleFlag),
    (Trigger::Char("u"), false, Command::MarkUnread),
    (Trigger::Named(Named::Escape), false, Command::Cancel),
];

/// The command bound to a key press, if any.
pub fn lookup(key: &Key, modifiers: Modifiers) -> Option<Command> {
    TABLE.iter().find_map(|(trigger, ctrl, command)| {
        let key_matches = match (trigger, key.as_ref()) {
            (Trigger::Named(n), Key::Named(k)) => *n == k,
            (Trigger::Char(c), Key::Character(k)) => c.eq_ignore_ascii_case(k),
            _ => false,
        };
        let mods_match = modifiers.command() == *ctrl && !modifiers.alt();
        (key_matches && mods_match).then_some(*command)
    })
}

/// Keys no widget took (typing in a text field never triggers these).
pub fn subscription() -> Subscription<Command> {
    keyboard::listen().filter_map(|event| match event {
        keyboard::Event::KeyPressed { key, modifiers, .. } => lookup(&key, modifiers),
        _ => None,
    })
}

/// What a command means on the mailbox screen right now.
pub fn to_message(command: Command, mailbox: &Mailbox) -> Option<mailbox::Message> {
    use crate::ui::component::reader;
    Some(match command {
        Command::NextMessage => mailbox::Message::SelectNext,
        Command::PreviousMessage => mailbox::Message::SelectPrevious,
        Command::Import => mailbox::Message::Import,
        Command::GetMessages => mailbox::Message::GetMessages,
        Command::NewFolder => mailbox::Message::NewFolder,
        Command::RenameFolder => mailbox::Message::RenameFolder,
        Command::ToggleFlag => mailbox::Message::Reader(reader::Message::ToggleFlag),
        Command::MarkUnread => mailbox::Message::Reader(reader::Message::MarkUnread),
        Command::Cancel if mailbox.editor().is_some() => mailbox::Message::EditorCancel,
        Command::Cancel => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_maps_keys_with_their_modifiers() {
        let down = Key::Named(Named::ArrowDown);
        assert_eq!(
            lookup(&down, Modifiers::empty()),
            Some(Command::NextMessage)
        );
        let i = Key::Character("i".into());
        assert_eq!(lookup(&i, Modifiers::CTRL), Some(Command::Import));
        assert_eq!(lookup(&i, Modifiers::empty()), None);
        let f5 = Key::Named(Named::F5);
        assert_eq!(lookup(&f5, Modifiers::empty()), Some(Command::GetMessages));
        let j = Key::Character("J".into());
        assert_eq!(lookup(&j, Modifiers::SHIFT), Some(Command::NextMessage));
        assert_eq!(lookup(&j, Modifiers::ALT), None);
    }
}

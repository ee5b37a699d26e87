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
    Delete,
    DeleteForever,
    Undo,
    FolderMenu,
    Write,
    Reply,
    ReplyAll,
    Forward,
    SaveDraft,
    Cancel,
    AddAccount,
    /// Ctrl+F: the search box.
    Search,
    /// Tab and Shift+Tab: the next or previous field (text fields leave
    /// Tab to the window).
    FocusNext,
    FocusPrevious,
}

/// A key: a named key or a character.
#[derive(Debug, Clone, Copy)]
pub enum Trigger {
    Named(Named),
    Char(&'static str),
}

/// The modifiers a binding wants. Alt is never held. `Plain` ignores
/// Shift (so `j` and `J` both move), `Shift` requires it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mods {
    Plain,
    Ctrl,
    Shift,
    CtrlShift,
}

const CTRL: Mods = Mods::Ctrl;
const NONE: Mods = Mods::Plain;

pub const TABLE: &[(Trigger, Mods, Command)] = &[
    (Trigger::Named(Named::ArrowDown), NONE, Command::NextMessage),
    (Trigger::Char("j"), NONE, Command::NextMessage),
    (
        Trigger::Named(Named::ArrowUp),
        NONE,
        Command::PreviousMessage,
    ),
    (Trigger::Char("k"), NONE, Command::PreviousMessage),
    (Trigger::Char("i"), CTRL, Command::Import),
    (Trigger::Named(Named::F5), NONE, Command::GetMessages),
    (Trigger::Char("t"), CTRL, Command::GetMessages),
    (Trigger::Char("n"), CTRL, Command::NewFolder),
    (Trigger::Named(Named::F2), NONE, Command::RenameFolder),
    (Trigger::Char("s"), NONE, Command::ToggleFlag),
    (Trigger::Char("u"), NONE, Command::MarkUnread),
    (Trigger::Named(Named::Escape), NONE, Command::Cancel),
    (Trigger::Named(Named::Delete), NONE, Command::Delete),
    (
        Trigger::Named(Named::Delete),
        Mods::Shift,
        Command::DeleteForever,
    ),
    (Trigger::Char("z"), CTRL, Command::Undo),
    (Trigger::Char("m"), CTRL, Command::Write),
    (Trigger::Char("r"), CTRL, Command::Reply),
    (Trigger::Char("r"), Mods::CtrlShift, Command::ReplyAll),
    (Trigger::Char("l"), CTRL, Command::Forward),
    // Single keys as in other mail programs: R, Shift+R, F.
    (Trigger::Char("r"), NONE, Command::Reply),
    (Trigger::Char("r"), Mods::Shift, Command::ReplyAll),
    (Trigger::Char("f"), NONE, Command::Forward),
    (Trigger::Char("f"), CTRL, Command::Search),
    (Trigger::Char("s"), CTRL, Command::SaveDraft),
    (Trigger::Named(Named::F10), Mods::Shift, Command::FolderMenu),
    (Trigger::Char("a"), Mods::CtrlShift, Command::AddAccount),
    (Trigger::Named(Named::Tab), NONE, Command::FocusNext),
    (
        Trigger::Named(Named::Tab),
        Mods::Shift,
        Command::FocusPrevious,
    ),
    (
        Trigger::Named(Named::ContextMenu),
        NONE,
        Command::FolderMenu,
    ),
];

/// The command bound to a key press, if any.
pub fn lookup(key: &Key, modifiers: Modifiers) -> Option<Command> {
    // A Shift binding wins over the plain one of the same key.
    let mut best = None;
    for (trigger, mods, command) in TABLE {
        let key_matches = match (trigger, key.as_ref()) {
            (Trigger::Named(n), Key::Named(k)) => *n == k,
            (Trigger::Char(c), Key::Character(k)) => c.eq_ignore_ascii_case(k),
            _ => false,
        };
        let mods_match = !modifiers.alt()
            && match mods {
                Mods::Plain => !modifiers.command(),
                Mods::Ctrl => modifiers.command(),
                Mods::Shift => !modifiers.command() && modifiers.shift(),
                Mods::CtrlShift => modifiers.command() && modifiers.shift(),
            };
        // With Shift held, a binding that asks for it wins.
        let specific = matches!(mods, Mods::Shift | Mods::CtrlShift);
        if key_matches && mods_match && (best.is_none() || specific) {
            best = Some(*command);
        }
    }
    best
}

/// Keys no widget took (typing in a text field never triggers these).
pub fn subscription() -> Subscription<Command> {
    keyboard::listen().filter_map(|event| match event {
        keyboard::Event::KeyPressed { key, modifiers, .. } => lookup(&key, modifiers),
        _ => None,
    })
}

/// What the mailbox needs from the mouse and modifier keys besides
/// widget messages: Ctrl/Shift for choosing several messages, and the
/// button coming up anywhere to end a drag.
pub fn pointer_subscription() -> Subscription<mailbox::Message> {
    iced::event::listen_with(|event, _status, _window| match event {
        iced::Event::Keyboard(keyboard::Event::ModifiersChanged(m)) => {
            Some(mailbox::Message::Modifiers(m))
        }
        iced::Event::Mouse(iced::mouse::Event::ButtonReleased(iced::mouse::Button::Left)) => {
            Some(mailbox::Message::MouseReleased)
        }
        iced::Event::Window(iced::window::Event::Focused) => {
            Some(mailbox::Message::WindowFocused(true))
        }
        iced::Event::Window(iced::window::Event::Unfocused) => {
            Some(mailbox::Message::WindowFocused(false))
        }
        iced::Event::Window(iced::window::Event::FileDropped(path)) => {
            Some(mailbox::Message::FileDropped(path))
        }
        _ => None,
    })
}

/// What a command means on the mailbox screen right now.
pub fn to_message(command: Command, mailbox: &Mailbox) -> Option<mailbox::Message> {
    use crate::mime::reply::Kind;
    use crate::ui::component::{composer, reader};
    match command {
        Command::FocusNext => return Some(mailbox::Message::FocusNext(true)),
        Command::FocusPrevious => return Some(mailbox::Message::FocusNext(false)),
        _ => {}
    }
    // In account setup only Esc counts: it closes setup.
    if mailbox.setup().is_some() {
        use crate::ui::screen::setup;
        return match command {
            Command::Cancel => Some(mailbox::Message::Setup(setup::Message::Cancel)),
            _ => None,
        };
    }
    // While writing, list keys (j, k, s, Delete...) are not for the list;
    // Up and Down choose among the address book's offers.
    if mailbox.composer().is_some() {
        return match command {
            Command::NextMessage => Some(mailbox::Message::Composer(composer::Message::OfferNext)),
            Command::PreviousMessage => {
                Some(mailbox::Message::Composer(composer::Message::OfferPrevious))
            }
            Command::SaveDraft => Some(mailbox::Message::Composer(composer::Message::SaveDraft)),
            // Esc in the composer (outside its text) closes it, asking
            // first if something was written.
            Command::Cancel => Some(mailbox::Message::Composer(composer::Message::Close)),
            Command::GetMessages => Some(mailbox::Message::GetMessages),
            _ => None,
        };
    }
    Some(match command {
        Command::NextMessage => mailbox::Message::SelectNext,
        Command::PreviousMessage => mailbox::Message::SelectPrevious,
        Command::Import => mailbox::Message::Import,
        Command::GetMessages => mailbox::Message::GetMessages,
        Command::NewFolder => mailbox::Message::NewFolder,
        Command::RenameFolder => mailbox::Message::RenameFolder,
        Command::ToggleFlag => mailbox::Message::Reader(reader::Message::ToggleFlag),
        Command::MarkUnread => mailbox::Message::Reader(reader::Message::MarkUnread),
        Command::Delete => mailbox::Message::Delete,
        Command::DeleteForever => mailbox::Message::DeleteForever,
        Command::Undo => mailbox::Message::Undo,
        Command::FolderMenu => mailbox::Message::FolderMenu,
        Command::Write => mailbox::Message::Write,
        Command::Reply => mailbox::Message::Reader(reader::Message::Respond(Kind::Reply)),
        Command::ReplyAll => mailbox::Message::Reader(reader::Message::Respond(Kind::ReplyAll)),
        Command::Forward => mailbox::Message::Reader(reader::Message::Respond(Kind::Forward)),
        Command::SaveDraft | Command::FocusNext | Command::FocusPrevious => return None,
        Command::AddAccount => mailbox::Message::AddAccount,
        Command::Search => mailbox::Message::FocusSearch,
        Command::Cancel if mailbox.editor().is_some() => mailbox::Message::EditorCancel,
        Command::Cancel if mailbox.tree().menu().is_some() => mailbox::Message::CloseMenu,
        Command::Cancel if mailbox.list().searching().is_some() => {
            mailbox::Message::List(crate::ui::component::message_list::Message::SearchClear)
        }
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
        let delete = Key::Named(Named::Delete);
        assert_eq!(lookup(&delete, Modifiers::empty()), Some(Command::Delete));
        assert_eq!(
            lookup(&delete, Modifiers::SHIFT),
            Some(Command::DeleteForever)
        );
        let r = Key::Character("r".into());
        assert_eq!(lookup(&r, Modifiers::CTRL), Some(Command::Reply));
        assert_eq!(
            lookup(&r, Modifiers::CTRL | Modifiers::SHIFT),
            Some(Command::ReplyAll)
        );
        let tab = Key::Named(Named::Tab);
        assert_eq!(lookup(&tab, Modifiers::empty()), Some(Command::FocusNext));
        assert_eq!(lookup(&tab, Modifiers::SHIFT), Some(Command::FocusPrevious));
        let a = Key::Character("A".into());
        assert_eq!(
            lookup(&a, Modifiers::CTRL | Modifiers::SHIFT),
            Some(Command::AddAccount)
        );
        assert_eq!(lookup(&r, Modifiers::empty()), Some(Command::Reply));
        let shift_r = Key::Character("R".into());
        assert_eq!(lookup(&shift_r, Modifiers::SHIFT), Some(Command::ReplyAll));
        let f = Key::Character("f".into());
        assert_eq!(lookup(&f, Modifiers::empty()), Some(Command::Forward));
        assert_eq!(lookup(&f, Modifiers::CTRL), Some(Command::Search));
        let z = Key::Character("z".into());
        assert_eq!(lookup(&z, Modifiers::CTRL), Some(Command::Undo));
        assert_eq!(lookup(&z, Modifiers::empty()), None);
    }
}

//! The iced window: a thin layer over [`Service`]. Screens are an enum so
//! only one can be live; each owns its Message, update and view.

pub mod component;
pub mod icon;
pub mod live;
pub mod screen;
pub mod shortcut;
pub mod theme;

use crate::error::ErrorKind;
use crate::fl;
use crate::service::Service;
use iced::widget::{column, container, text};
use iced::{Element, Fill, Size, Subscription, Task, Theme, window};
use screen::mailbox;
use std::path::PathBuf;

pub const APP_ID: &str = "org.poshta.Poshta";

/// A core error as the UI keeps it: a kind to localize and the log text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiError {
    pub kind: ErrorKind,
    pub detail: String,
}

impl From<crate::Error> for UiError {
    fn from(error: crate::Error) -> Self {
        tracing::warn!(%error, "operation failed");
        UiError {
            kind: error.kind(),
            detail: error.to_string(),
        }
    }
}

impl UiError {
    /// The localized sentence shown to the user.
    pub fn text(&self) -> String {
        crate::i18n::text(self.kind.message_id())
    }
}

pub enum Screen {
    Loading,
    Failed { path: PathBuf, error: UiError },
    Mailbox(Box<mailbox::Mailbox>),
}

pub struct App {
    data_dir: PathBuf,
    screen: Screen,
}

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<Service, UiError>),
    Mailbox(mailbox::Message),
    Shortcut(shortcut::Command),
}

impl App {
    pub fn new(data_dir: PathBuf) -> (Self, Task<Message>) {
        let load = Task::perform(Service::load(data_dir.clone()), |r| {
            Message::Loaded(r.map_err(UiError::from))
        });
        (
            App {
                data_dir,
                screen: Screen::Loading,
            },
            load,
        )
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn title(&self) -> String {
        match &self.screen {
            Screen::Mailbox(m) => m.title(),
            _ => fl!("app-title"),
        }
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        match (message, &mut self.screen) {
            (Message::Loaded(Ok(service)), _) => {
                let (mailbox, task) = mailbox::Mailbox::new(service);
                self.screen = Screen::Mailbox(Box::new(mailbox));
                task.map(Message::Mailbox)
            }
            (Message::Loaded(Err(error)), _) => {
                self.screen = Screen::Failed {
                    path: self.data_dir.clone(),
                    error,
                };
                Task::none()
            }
            (Message::Mailbox(msg), Screen::Mailbox(mailbox)) => {
                mailbox.update(msg).map(Message::Mailbox)
            }
            (Message::Shortcut(command), Screen::Mailbox(mailbox)) => {
                match shortcut::to_message(command, mailbox) {
                    Some(msg) => mailbox.update(msg).map(Message::Mailbox),
                    None => Task::none(),
                }
            }
            _ => Task::none(),
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        match &self.screen {
            Screen::Loading => container(text(fl!("reader-loading"))).center(Fill).into(),
            Screen::Failed { path, error } => container(
                column![
                    text(fl!("error-startup", path = path.display().to_string())).size(16),
                    text(error.text()).size(14),
                    text(error.detail.clone()).size(12),
                ]
                .spacing(8),
            )
            .center(Fill)
            .padding(24)
            .into(),
            Screen::Mailbox(mailbox) => mailbox.view().map(Message::Mailbox),
        }
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let live = match &self.screen {
            Screen::Mailbox(mailbox) => live::events(mailbox.service())
                .map(|event| Message::Mailbox(mailbox::Message::Live(event))),
            _ => Subscription::none(),
        };
        // While a message is being written, it is saved every few seconds.
        let autosave = match &self.screen {
            Screen::Mailbox(mailbox) if mailbox.composer().is_some() => {
                iced::time::every(std::time::Duration::from_secs(3))
                    .map(|_| Message::Mailbox(mailbox::Message::AutosaveTick))
            }
            _ => Subscription::none(),
        };
        Subscription::batch([
            shortcut::subscription().map(Message::Shortcut),
            shortcut::pointer_subscription().map(Message::Mailbox),
            live,
            autosave,
        ])
    }

    pub fn theme(&self) -> Theme {
        theme::theme()
    }
}

/// Open the window; returns when it closes.
pub fn run(data_dir: PathBuf) -> iced::Result {
    crate::i18n::init();
    iced::application(move || App::new(data_dir.clone()), App::update, App::view)
        .window(window::Settings {
            size: Size::new(1280.0, 800.0),
            min_size: Some(Size::new(760.0, 460.0)),
            #[cfg(target_os = "linux")]
            platform_specific: window::settings::PlatformSpecific {
                application_id: APP_ID.into(),
                ..Default::default()
            },
            ..Default::default()
        })
        .title(App::title)
        .subscription(App::subscription)
        .theme(App::theme)
        .run()
}

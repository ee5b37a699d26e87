//! Account setup, shown in place of the list and reader: name, address
//! and password; the servers Poshta found (or typed by hand) to review;
//! then a test of both servers, with a certificate decision where one is
//! refused; then the account is added. Nothing is sent to a server before
//! the user has seen its settings and pressed "Test".

mod view;

use crate::account::discover::{self, Offer, Problem, Source};
use crate::account::{NewAccount, Protocol, Security, Server, Settings};
use crate::fl;
use crate::model::AccountId;
use crate::net::tls::RejectedCertificate;
use crate::service::{ServerTest, Service};
use crate::ui::UiError;
use iced::Task;
use iced::widget::operation;

pub const NAME_ID: &str = "setup-name";
pub const EMAIL_ID: &str = "setup-email";
pub const PASSWORD_ID: &str = "setup-password";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Name, address, password.
    Identity,
    Discovering,
    /// The servers to check or change.
    Review,
    Testing,
    /// Each server's outcome (and a certificate to decide on).
    Tested,
    Saving,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Incoming,
    Outgoing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Host,
    Port,
    Username,
}

/// The widget id of a server field (for focus and tests).
pub fn input_id(side: Side, field: Field) -> &'static str {
    match (side, field) {
        (Side::Incoming, Field::Host) => "setup-incoming-host",
        (Side::Incoming, Field::Port) => "setup-incoming-port",
        (Side::Incoming, Field::Username) => "setup-incoming-username",
        (Side::Outgoing, Field::Host) => "setup-outgoing-host",
        (Side::Outgoing, Field::Port) => "setup-outgoing-port",
        (Side::Outgoing, Field::Username) => "setup-outgoing-username",
    }
}

/// One server's settings as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub host: String,
    pub port: String,
    pub security: Security,
    pub username: String,
    /// The certificate the user chose to trust, with the host and port it
    /// was presented at: it counts only while the fields still name them
    /// (as the store keeps a pin only for its server).
    pinned: Option<Pin>,
    extra_ca: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pin {
    host: String,
    port: u16,
    sha256: [u8; 32],
}

impl Fields {
    fn of(server: &Server) -> Fields {
        Fields {
            host: server.host.clone(),
            port: server.port.to_string(),
            security: server.security,
            username: server.username.clone(),
            pinned: server.pinned_sha256.map(|sha256| Pin {
                host: server.host.clone(),
                port: server.port,
                sha256,
            }),
            extra_ca: server.extra_ca_pem.clone(),
        }
    }

    fn blank(protocol: Protocol, username: &str) -> Fields {
        Fields {
            port: protocol.default_port(Security::Tls).to_string(),
            username: username.to_string(),
            ..Fields::default()
        }
    }

    /// The server these fields describe, if they are complete.
    fn server(&self, protocol: Protocol) -> Option<Server> {
        let host = self.host.trim();
        let port = self.port.trim().parse().ok().filter(|p| *p != 0)?;
        if !discover::valid_host(host) && host.parse::<std::net::IpAddr>().is_err() {
            return None;
        }
        if self.username.trim().is_empty() {
            return None;
        }
        let pinned_sha256 = self
            .pinned
            .as_ref()
            .filter(|pin| pin.port == port && pin.host.eq_ignore_ascii_case(host))
            .map(|pin| pin.sha256);
        Some(Server {
            protocol,
            host: host.to_ascii_lowercase(),
            port,
            security: self.security,
            username: self.username.trim().to_string(),
            extra_ca_pem: self.extra_ca.clone(),
            pinned_sha256,
        })
    }
}

/// What trying one server gave, as the window keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub error: Option<UiError>,
    /// The certificate refused, when that is why it failed.
    pub certificate: Option<RejectedCertificate>,
}

impl Outcome {
    fn of(result: crate::Result<()>) -> Outcome {
        match result {
            Ok(()) => Outcome {
                error: None,
                certificate: None,
            },
            Err(e) => Outcome {
                certificate: e.rejected_certificate().cloned(),
                error: Some(UiError::from(e)),
            },
        }
    }

    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

pub struct Setup {
    /// The account being edited; `None` while adding one.
    editing: Option<AccountId>,
    step: Step,
    pub name: String,
    pub email: String,
    pub password: String,
    pub remember: bool,
    pub protocol: Protocol,
    pub incoming: Fields,
    pub outgoing: Fields,
    /// What discovery found (to switch between its IMAP and POP3), or
    /// `None` in manual mode.
    offer: Option<Offer>,
    incoming_outcome: Option<Outcome>,
    outgoing_outcome: Option<Outcome>,
    /// Why the current step cannot go on, in words.
    problem: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Name(String),
    Email(String),
    Password(String),
    Remember(bool),
    /// Identity done: look the servers up.
    Discover,
    /// Identity done: type the servers by hand.
    Manual,
    Discovered(Result<Box<Offer>, UiError>),
    Protocol(Protocol),
    Input(Side, Field, String),
    Security(Side, Security),
    Back,
    Test,
    Tested(Box<(Outcome, Option<Outcome>)>),
    /// Trust the refused certificate of that side and test again.
    Trust(Side),
    DontTrust,
    Finish,
    Saved(Result<(AccountId, Option<UiError>), UiError>),
    Cancel,
}

/// What the mailbox does after an update.
pub enum Action {
    None,
    Run(Task<Message>),
    Close,
    /// The account was added; the keyring's problem if the password could
    /// not be kept there.
    Added(AccountId, Option<UiError>),
    /// An existing account's settings were saved.
    Edited(AccountId),
}

impl Setup {
    /// A new account, starting with the address.
    pub fn new() -> (Setup, Task<Message>) {
        let setup = Setup {
            editing: None,
            step: Step::Identity,
            name: String::new(),
            email: String::new(),
            password: String::new(),
            remember: true,
            protocol: Protocol::Imap,
            incoming: Fields::default(),
            outgoing: Fields::default(),
            offer: None,
            incoming_outcome: None,
            outgoing_outcome: None,
            problem: None,
        };
        (setup, operation::focus(NAME_ID))
    }

    /// An existing account's settings, at the review: the same fields and
    /// test, then saved in its place. The password is its current one
    /// unless a new one is typed.
    pub fn edit(account: AccountId, settings: Settings) -> Setup {
        let email = settings.email.clone().unwrap_or_default();
        let incoming = settings.incoming.as_ref();
        Setup {
            editing: Some(account),
            step: Step::Review,
            name: settings.name.clone(),
            email: email.clone(),
            password: String::new(),
            remember: true,
            protocol: incoming.map_or(Protocol::Imap, |s| s.protocol),
            incoming: incoming.map(Fields::of).unwrap_or_default(),
            outgoing: settings
                .outgoing
                .as_ref()
                .map(Fields::of)
                .unwrap_or_else(|| Fields::blank(Protocol::Smtp, &email)),
            offer: None,
            incoming_outcome: None,
            outgoing_outcome: None,
            problem: None,
        }
    }

    pub fn editing(&self) -> Option<AccountId> {
        self.editing
    }

    pub fn step(&self) -> Step {
        self.step
    }

    pub fn update(&mut self, message: Message, service: &Service) -> Action {
        match message {
            Message::Name(name) => self.name = name,
            Message::Email(email) => {
                self.email = email;
                self.problem = None;
            }
            Message::Password(password) => self.password = password,
            Message::Remember(remember) => self.remember = remember,
            Message::Discover if self.step == Step::Identity => {
                if let Some(problem) = self.identity_problem() {
                    self.problem = Some(problem);
                    return Action::None;
                }
                self.step = Step::Discovering;
                self.problem = None;
                let service = service.clone();
                let address = self.email.trim().to_string();
                return Action::Run(Task::perform(
                    async move { service.discover(&address).await },
                    |r| Message::Discovered(r.map(Box::new).map_err(UiError::from)),
                ));
            }
            Message::Manual if self.step == Step::Identity => {
                if let Some(problem) = self.identity_problem() {
                    self.problem = Some(problem);
                    return Action::None;
                }
                self.fill(None);
            }
            Message::Discovered(result) if self.step == Step::Discovering => match result {
                Ok(offer) => self.fill(Some(*offer)),
                Err(error) => {
                    self.fill(None);
                    self.problem = Some(error.text());
                }
            },
            // An account keeps its protocol (its mail is stored that way).
            Message::Protocol(_) if self.editing.is_some() => {}
            Message::Protocol(protocol) => self.switch_protocol(protocol),
            Message::Input(side, field, value) => {
                let fields = self.fields_mut(side);
                match field {
                    Field::Host => fields.host = value,
                    Field::Port => fields.port = value,
                    Field::Username => fields.username = value,
                }
                self.problem = None;
            }
            Message::Security(side, security) => {
                let protocol = self.side_protocol(side);
                let fields = self.fields_mut(side);
                // The standard port of the old choice follows the new one.
                if fields.port == protocol.default_port(fields.security).to_string() {
                    fields.port = protocol.default_port(security).to_string();
                }
                fields.security = security;
            }
            Message::Back => {
                self.problem = None;
                self.step = match self.step {
                    Step::Review if self.editing.is_none() => Step::Identity,
                    Step::Tested => Step::Review,
                    step => step,
                };
            }
            Message::Test if matches!(self.step, Step::Review | Step::Tested) => {
                return self.test(service);
            }
            Message::Tested(outcomes) if self.step == Step::Testing => {
                let (incoming, outgoing) = *outcomes;
                self.incoming_outcome = Some(incoming);
                self.outgoing_outcome = outgoing;
                self.step = Step::Tested;
            }
            Message::Trust(side) if self.step == Step::Tested => {
                let outcome = match side {
                    Side::Incoming => &self.incoming_outcome,
                    Side::Outgoing => &self.outgoing_outcome,
                };
                if let Some(certificate) = outcome.as_ref().and_then(|o| o.certificate.as_ref()) {
                    let sha256 = certificate.fingerprint_sha256;
                    let fields = self.fields_mut(side);
                    // Tested, so the fields name a whole server.
                    if let Ok(port) = fields.port.trim().parse() {
                        let host = fields.host.trim().to_string();
                        fields.pinned = Some(Pin { host, port, sha256 });
                    }
                    return self.test(service);
                }
            }
            Message::DontTrust => {
                self.step = Step::Review;
                self.problem = Some(fl!("setup-certificate-refused"));
            }
            Message::Finish if self.step == Step::Tested && self.tested_ok() => {
                return self.save(service);
            }
            Message::Saved(Ok((account, _))) if self.editing.is_some() => {
                return Action::Edited(account);
            }
            Message::Saved(Ok((account, keyring))) => return Action::Added(account, keyring),
            Message::Saved(Err(error)) => {
                self.step = Step::Tested;
                self.problem = Some(error.text());
            }
            Message::Cancel => return Action::Close,
            _ => {}
        }
        Action::None
    }

    /// Why the first step cannot go on yet, if it cannot.
    fn identity_problem(&self) -> Option<String> {
        if discover::domain_of(&self.email).is_err() {
            return Some(fl!("setup-bad-address"));
        }
        if self.password.is_empty() {
            return Some(fl!("setup-no-password"));
        }
        None
    }

    /// Go to the review with what was found (or blank fields).
    fn fill(&mut self, offer: Option<Offer>) {
        let address = self.email.trim().to_string();
        let found = offer.as_ref().filter(|o| o.found());
        self.protocol = match found {
            Some(o) if o.imap.is_none() => Protocol::Pop3,
            _ => Protocol::Imap,
        };
        self.incoming = found
            .and_then(|o| o.imap.as_ref().or(o.pop3.as_ref()))
            .map(Fields::of)
            .unwrap_or_else(|| Fields::blank(Protocol::Imap, &address));
        self.outgoing = offer
            .as_ref()
            .and_then(|o| o.smtp.as_ref())
            .map(Fields::of)
            .unwrap_or_else(|| Fields::blank(Protocol::Smtp, &address));
        self.offer = offer;
        self.incoming_outcome = None;
        self.outgoing_outcome = None;
        self.step = Step::Review;
    }

    fn switch_protocol(&mut self, protocol: Protocol) {
        if protocol == self.protocol {
            return;
        }
        self.protocol = protocol;
        let offered = self.offer.as_ref().and_then(|o| match protocol {
            Protocol::Pop3 => o.pop3.as_ref(),
            _ => o.imap.as_ref(),
        });
        self.incoming = match offered {
            Some(server) => Fields::of(server),
            None => Fields {
                port: protocol.default_port(self.incoming.security).to_string(),
                pinned: None,
                ..self.incoming.clone()
            },
        };
    }

    fn side_protocol(&self, side: Side) -> Protocol {
        match side {
            Side::Incoming => self.protocol,
            Side::Outgoing => Protocol::Smtp,
        }
    }

    fn fields_mut(&mut self, side: Side) -> &mut Fields {
        match side {
            Side::Incoming => &mut self.incoming,
            Side::Outgoing => &mut self.outgoing,
        }
    }

    /// The reviewed servers, or why they are not complete.
    fn servers(&self) -> Result<(Server, Option<Server>), String> {
        let incoming = self
            .incoming
            .server(self.protocol)
            .ok_or_else(|| fl!("setup-incomplete-incoming"))?;
        let outgoing = if self.outgoing.host.trim().is_empty() {
            None
        } else {
            Some(
                self.outgoing
                    .server(Protocol::Smtp)
                    .ok_or_else(|| fl!("setup-incomplete-outgoing"))?,
            )
        };
        Ok((incoming, outgoing))
    }

    fn test(&mut self, service: &Service) -> Action {
        let (incoming, outgoing) = match self.servers() {
            Ok(servers) => servers,
            Err(problem) => {
                self.problem = Some(problem);
                self.step = Step::Review;
                return Action::None;
            }
        };
        self.problem = None;
        self.step = Step::Testing;
        let service = service.clone();
        let editing = self.editing;
        let password = (!self.password.is_empty()).then(|| self.password.clone());
        Action::Run(Task::perform(
            async move {
                service
                    .test_settings(editing, incoming, outgoing, password)
                    .await
            },
            |result| {
                let outcomes = match result {
                    Ok(ServerTest { incoming, outgoing }) => {
                        (Outcome::of(incoming), outgoing.map(Outcome::of))
                    }
                    Err(e) => (Outcome::of(Err(e)), None),
                };
                Message::Tested(Box::new(outcomes))
            },
        ))
    }

    /// Both servers took the password.
    pub fn tested_ok(&self) -> bool {
        self.incoming_outcome.as_ref().is_some_and(Outcome::ok)
            && self.outgoing_outcome.as_ref().is_none_or(Outcome::ok)
    }

    fn save(&mut self, service: &Service) -> Action {
        let Ok((incoming, outgoing)) = self.servers() else {
            self.step = Step::Review;
            return Action::None;
        };
        self.step = Step::Saving;
        if let Some(account) = self.editing {
            return self.save_edit(service, account, incoming, outgoing);
        }
        let email = self.email.trim().to_string();
        let name = match self.name.trim() {
            "" => email.clone(),
            name => name.to_string(),
        };
        let new = NewAccount {
            name,
            email,
            incoming,
            outgoing,
        };
        let (service, password, remember) = (service.clone(), self.password.clone(), self.remember);
        Action::Run(Task::perform(
            async move { service.create_account(new, password, remember).await },
            |result| {
                Message::Saved(
                    result
                        .map(|(id, keyring)| (id, keyring.map(UiError::from)))
                        .map_err(UiError::from),
                )
            },
        ))
    }

    fn save_edit(
        &self,
        service: &Service,
        account: AccountId,
        incoming: Server,
        outgoing: Option<Server>,
    ) -> Action {
        let service = service.clone();
        let (name, email) = (self.name.trim().to_string(), self.email.trim().to_string());
        let password = (!self.password.is_empty()).then(|| self.password.clone());
        Action::Run(Task::perform(
            async move {
                service
                    .update_account(account, name, email, incoming, outgoing)
                    .await?;
                // A new password typed here replaces this session's.
                if let Some(password) = password {
                    service.set_password(account, password);
                }
                Ok((account, None))
            },
            |r: crate::Result<(AccountId, Option<UiError>)>| {
                Message::Saved(r.map_err(UiError::from))
            },
        ))
    }

    /// Where the reviewed settings came from, in words.
    pub fn source_text(&self) -> Option<String> {
        let offer = self.offer.as_ref()?;
        Some(match &offer.source {
            Some(Source::Provider(name)) => fl!("setup-found-provider", provider = name.as_str()),
            Some(Source::Autoconfig(_)) => fl!("setup-found-autoconfig"),
            Some(Source::Srv) => fl!("setup-found-srv"),
            Some(Source::Mx(name)) => fl!("setup-found-mx", provider = name.as_str()),
            Some(Source::Guess) => fl!("setup-found-guess"),
            None => fl!("setup-found-nothing"),
        })
    }

    /// What went wrong while looking, in words.
    pub fn problem_texts(&self) -> Vec<String> {
        let Some(offer) = &self.offer else {
            return Vec::new();
        };
        offer
            .problems
            .iter()
            .map(|p| match p {
                Problem::AutoconfigTooLarge { .. } => fl!("setup-problem-too-large"),
                Problem::AutoconfigMalformed { .. } => fl!("setup-problem-malformed"),
                Problem::AutoconfigInsecure { .. } => fl!("setup-problem-insecure"),
            })
            .collect()
    }

    /// Whether discovery offered both IMAP and POP3.
    pub fn both_offered(&self) -> bool {
        self.offer
            .as_ref()
            .is_some_and(|o| o.imap.is_some() && o.pop3.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trusted_certificate_counts_only_at_its_host_and_port() {
        let mut fields = Fields {
            host: "Mail.Example.kz".into(),
            port: "993".into(),
            username: "aigerim".into(),
            pinned: Some(Pin {
                host: "mail.example.kz".into(),
                port: 993,
                sha256: [7; 32],
            }),
            ..Fields::default()
        };
        let pin = |f: &Fields| f.server(Protocol::Imap).unwrap().pinned_sha256;
        assert_eq!(
            pin(&fields),
            Some([7; 32]),
            "host names compare without case"
        );
        fields.host = "imap.example.kz".into();
        assert_eq!(pin(&fields), None, "another host");
        fields.host = "mail.example.kz".into();
        fields.port = "994".into();
        assert_eq!(pin(&fields), None, "another port");
        fields.port = "993".into();
        assert_eq!(
            pin(&fields),
            Some([7; 32]),
            "back at the server it was trusted for"
        );
    }
}

//! What the server says it can do, asked only once the connection is
//! final, and the extensions switched on after login.

use std::collections::BTreeSet;

use async_imap::imap_proto::{self, Response, Status};
use tokio::io::AsyncWriteExt;

use super::{Client, ConnectError, Session, Step, Timeouts, with_timeout};

/// Capability names as the server listed them, upper-cased so lookups
/// ignore case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities(BTreeSet<String>);

impl Capabilities {
    /// Whether `name` (e.g. `IDLE`, `AUTH=PLAIN`) is listed.
    pub fn has(&self, name: &str) -> bool {
        self.0.contains(&name.to_ascii_uppercase())
    }

    /// Whether SASL mechanism `mechanism` is listed as `AUTH=<mechanism>`.
    pub fn has_auth(&self, mechanism: &str) -> bool {
        self.has(&format!("AUTH={mechanism}"))
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn insert_proto(&mut self, capability: &imap_proto::Capability<'_>) {
        let name = match capability {
            imap_proto::Capability::Imap4rev1 => "IMAP4REV1".to_owned(),
            imap_proto::Capability::Auth(mechanism) => format!("AUTH={mechanism}"),
            imap_proto::Capability::Atom(atom) => atom.to_string(),
        };
        self.0.insert(name.to_ascii_uppercase());
    }
}

impl<S: AsRef<str>> FromIterator<S> for Capabilities {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(|name| name.as_ref().to_ascii_uppercase())
                .collect(),
        )
    }
}

/// Tag for the CAPABILITY sent outside async-imap (its own are `A0001`...).
const CAPABILITY_TAG: &str = "C1";

/// `CAPABILITY` on a fresh async-imap client (which has no public command
/// API before login): written raw, read through async-imap's parser.
pub(super) async fn query_capabilities(client: &mut Client) -> Result<Capabilities, ConnectError> {
    let step = Step::Capability;
    let stream = client.get_mut();
    stream
        .write_all(format!("{CAPABILITY_TAG} CAPABILITY\r\n").as_bytes())
        .await
        .map_err(ConnectError::io(step))?;
    stream.flush().await.map_err(ConnectError::io(step))?;

    let mut capabilities = None;
    loop {
        let response = client
            .read_response()
            .await
            .map_err(ConnectError::io(step))?
            .ok_or(ConnectError::eof(step))?;
        match response.parsed() {
            Response::Capabilities(list) => {
                let mut set = Capabilities::default();
                for capability in list {
                    set.insert_proto(capability);
                }
                capabilities = Some(set);
            }
            Response::Done { tag, status, .. } if tag.0 == CAPABILITY_TAG => {
                return match (status, capabilities) {
                    (Status::Ok, Some(set)) => Ok(set),
                    (Status::Ok, None) => Err(ConnectError::Protocol {
                        step,
                        detail: "no CAPABILITY response".to_owned(),
                    }),
                    _ => Err(ConnectError::Protocol {
                        step,
                        detail: "CAPABILITY refused".to_owned(),
                    }),
                };
            }
            Response::Data {
                status: Status::Bye,
                ..
            } => return Err(ConnectError::Bye),
            _ => {}
        }
    }
}

/// Extensions the sync engine can use, in the order to enable them.
/// `UTF8=ACCEPT` changes how mailbox names travel (UTF-8 instead of
/// modified UTF-7): enable it only if the caller handles that.
pub const SYNC_EXTENSIONS: &[&str] = &["CONDSTORE", "QRESYNC", "UTF8=ACCEPT"];

/// Sends `ENABLE` for those of `wanted` the server offers after login
/// (RFC 5161), and returns what it reports enabled. Without the `ENABLE`
/// capability nothing is sent and the result is empty.
pub async fn enable_extensions(
    session: &mut Session,
    wanted: &[&str],
    timeouts: &Timeouts,
) -> Result<Capabilities, ConnectError> {
    let step = Step::Enable;
    let valid_atom = |name: &&str| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"=+-_.".contains(&b))
    };
    if !wanted.iter().all(valid_atom) {
        return Err(ConnectError::Internal("extension names must be atoms"));
    }
    let offered: Capabilities = with_timeout(step, timeouts.command, async {
        let capabilities = session
            .capabilities()
            .await
            .map_err(|e| enable_error(step, e))?;
        Ok(capabilities
            .iter()
            .map(|c| match c {
                async_imap::types::Capability::Imap4rev1 => "IMAP4REV1".to_owned(),
                async_imap::types::Capability::Auth(m) => format!("AUTH={m}"),
                async_imap::types::Capability::Atom(a) => a.clone(),
            })
            .collect())
    })
    .await?;
    let to_enable: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|name| offered.has(name))
        .collect();
    if !offered.has("ENABLE") || to_enable.is_empty() {
        return Ok(Capabilities::default());
    }

    with_timeout(step, timeouts.command, async {
        let tag = session
            .run_command(format!("ENABLE {}", to_enable.join(" ")))
            .await
            .map_err(|e| enable_error(step, e))?;
        let mut enabled = Capabilities::default();
        loop {
            let response = session
                .read_response()
                .await
                .map_err(ConnectError::io(step))?
                .ok_or(ConnectError::eof(step))?;
            match response.parsed() {
                // imap-proto parses `* ENABLED ...` as a capability list.
                Response::Capabilities(list) => {
                    for capability in list {
                        enabled.insert_proto(capability);
                    }
                }
                Response::Done {
                    tag: done, status, ..
                } if *done == tag => {
                    return match status {
                        Status::Ok => Ok(enabled),
                        _ => Err(ConnectError::Protocol {
                            step,
                            detail: "ENABLE refused".to_owned(),
                        }),
                    };
                }
                _ => {}
            }
        }
    })
    .await
}

fn enable_error(step: Step, error: async_imap::error::Error) -> ConnectError {
    match error {
        async_imap::error::Error::Io(source) => ConnectError::Io { step, source },
        async_imap::error::Error::ConnectionLost => ConnectError::eof(step),
        other => ConnectError::Protocol {
            step,
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_ignore_case() {
        let caps: Capabilities = ["IMAP4rev1", "auth=plain", "Idle"].into_iter().collect();
        assert!(caps.has("IDLE"));
        assert!(caps.has_auth("PLAIN"));
        assert!(caps.has("imap4rev1"));
        assert!(!caps.has("STARTTLS"));
    }
}

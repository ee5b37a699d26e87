//! Handing one message to the submission server, and what became of it.
//! The line that matters is the final dot: before it the server has not
//! taken the message, so a failure can be retried; after it, a lost reply
//! leaves the outcome unknown, and only the user may decide to send again.

use lettre::Address;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server took it. `refused` lists recipients it would not take
    /// (address, the server's reply); the others get the message.
    Sent {
        reply: String,
        refused: Vec<(String, String)>,
    },
    /// Refused for good: every recipient, the sender or the message.
    Failed { detail: String },
    /// Not handed over, and may be tried again (a 4xx, or the connection
    /// went before the message's end was sent).
    Retry { detail: String },
    /// The connection went (or timed out) after the whole message was
    /// sent: it may be on its way. Never sent again by itself.
    Unknown { detail: String },
}

/// Submit `raw` (CRLF line ends) from `from` to `to` over `connection`.
/// `timeout` bounds each command, and the message's own transfer.
pub async fn submit(
    connection: &mut AsyncSmtpConnection,
    from: &str,
    to: &[String],
    raw: &[u8],
    timeout: Duration,
) -> Outcome {
    let sender: Address = match from.parse() {
        Ok(address) => address,
        Err(e) => {
            return Outcome::Failed {
                detail: format!("sender {from}: {e}"),
            };
        }
    };
    let mut parameters = Vec::new();
    if !raw.is_ascii() {
        if !connection
            .server_info()
            .supports_feature(Extension::EightBitMime)
        {
            return Outcome::Failed {
                detail: "the server does not accept 8-bit messages (8BITMIME)".into(),
            };
        }
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    if !from.is_ascii() || to.iter().any(|a| !a.is_ascii()) {
        if !connection
            .server_info()
            .supports_feature(Extension::SmtpUtfEight)
        {
            return Outcome::Failed {
                detail: "the server does not accept non-ASCII addresses (SMTPUTF8)".into(),
            };
        }
        parameters.push(MailParameter::SmtpUtfEight);
    }
    let before_data = |e: Result<lettre::transport::smtp::Error, ()>| match e {
        Ok(e) if e.is_permanent() => Outcome::Failed {
            detail: e.to_string(),
        },
        Ok(e) => Outcome::Retry {
            detail: e.to_string(),
        },
        Err(()) => Outcome::Retry {
            detail: "timed out".into(),
        },
    };
    if let Err(e) = command(connection, Mail::new(Some(sender), parameters), timeout).await {
        return before_data(e);
    }
    let mut refused = Vec::new();
    let mut accepted = 0;
    for recipient in to {
        let address: Address = match recipient.parse() {
            Ok(address) => address,
            Err(e) => {
                refused.push((recipient.clone(), e.to_string()));
                continue;
            }
        };
        match command(connection, Rcpt::new(address, Vec::new()), timeout).await {
            Ok(()) => accepted += 1,
            Err(Ok(e)) if e.is_permanent() => refused.push((recipient.clone(), e.to_string())),
            Err(e) => return before_data(e),
        }
    }
    if accepted == 0 {
        let detail = refused
            .iter()
            .map(|(address, reply)| format!("{address}: {reply}"))
            .collect::<Vec<_>>()
            .join("; ");
        return Outcome::Failed { detail };
    }
    if let Err(e) = command(connection, Data, timeout).await {
        return before_data(e);
    }
    // The message and its final dot, then the verdict. A reply is a
    // verdict; no reply is not.
    let transfer = timeout + Duration::from_secs(raw.len() as u64 / (100 * 1024));
    match tokio::time::timeout(transfer, connection.message(raw)).await {
        Ok(Ok(reply)) => Outcome::Sent {
            reply: reply.message().collect::<Vec<_>>().join(" "),
            refused,
        },
        Ok(Err(e)) if e.is_permanent() => Outcome::Failed {
            detail: e.to_string(),
        },
        Ok(Err(e)) if e.is_transient() => Outcome::Retry {
            detail: e.to_string(),
        },
        Ok(Err(e)) => Outcome::Unknown {
            detail: e.to_string(),
        },
        Err(_) => Outcome::Unknown {
            detail: "no reply after the message was sent".into(),
        },
    }
}

/// One command; `Err(Err(()))` is a timeout.
async fn command(
    connection: &mut AsyncSmtpConnection,
    command: impl std::fmt::Display,
    timeout: Duration,
) -> Result<(), Result<lettre::transport::smtp::Error, ()>> {
    match tokio::time::timeout(timeout, connection.command(command)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(Ok(e)),
        Err(_) => Err(Err(())),
    }
}

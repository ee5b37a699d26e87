//! What async-imap is given, and logs, instead of the user name and
//! password, encoded exactly as async-imap encodes it, so the stream can
//! find the placeholder and swap in the real bytes (see
//! [`ImapStream`](super::ImapStream)).

pub(super) const USER_PLACEHOLDER: &str = "[user withheld]";
pub(super) const PASSWORD_PLACEHOLDER: &str = "[password withheld]";

/// A SASL PLAIN authenticator that answers with placeholder credentials;
/// the stream swaps in the real ones.
pub(super) struct PlaceholderPlain {
    pub(super) answered: bool,
}

impl PlaceholderPlain {
    pub(super) fn message(user: &str, password: &str) -> Vec<u8> {
        let mut message = Vec::with_capacity(user.len() + password.len() + 2);
        message.push(0);
        message.extend_from_slice(user.as_bytes());
        message.push(0);
        message.extend_from_slice(password.as_bytes());
        message
    }
}

impl async_imap::Authenticator for PlaceholderPlain {
    type Response = Vec<u8>;

    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        if std::mem::replace(&mut self.answered, true) {
            // A second challenge for PLAIN is bogus: answer empty, which
            // the server rejects, instead of repeating anything.
            return Vec::new();
        }
        Self::message(USER_PLACEHOLDER, PASSWORD_PLACEHOLDER)
    }
}

/// An IMAP quoted string, escaped exactly as async-imap escapes LOGIN
/// arguments. The caller has already refused CR, LF and NUL.
pub(super) fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::connect::{ImapStream, socket_pair};
    use crate::net::base64::encode as base64;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn quoting_matches_async_imap() {
        assert_eq!(quote(r#"pa"ss\word"#), r#""pa\"ss\\word""#);
    }

    /// The PLAIN placeholder async-imap will encode is exactly what the
    /// stream is armed to replace.
    #[tokio::test]
    async fn plain_placeholder_round_trips_through_base64() {
        let (client, mut server) = socket_pair().await;
        let mut stream = ImapStream::plain(client);
        let placeholder = PlaceholderPlain::message(USER_PLACEHOLDER, PASSWORD_PLACEHOLDER);
        let real = PlaceholderPlain::message("alice", "pw");
        stream.arm(base64(&placeholder), base64(&real));
        let mut auth = PlaceholderPlain { answered: false };
        let first = async_imap::Authenticator::process(&mut auth, b"");
        let second = async_imap::Authenticator::process(&mut auth, b"");
        assert!(second.is_empty());
        stream.write_all(&base64(&first)).await.unwrap();
        stream.write_all(b"\r\n").await.unwrap();
        stream.flush().await.unwrap();
        assert!(stream.disarm());
        drop(stream);
        let mut received = Vec::new();
        server.read_to_end(&mut received).await.unwrap();
        assert_eq!(received, b"AGFsaWNlAHB3\r\n");
    }
}

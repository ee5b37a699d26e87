//! Commands whose answers async-imap drops: UID MOVE and UID COPY report
//! the new UIDs in a `COPYUID` response code (RFC 4315, RFC 6851), and
//! APPEND the new UID in `APPENDUID`, which is what lets a moved message
//! keep its local row, body included.

use crate::error::{Error, Result};
use async_imap::imap_proto::rfc4315::UidSetMember;
use async_imap::imap_proto::{Response, ResponseCode, Status};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

/// The UIDs messages received in the destination, source UID → new UID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyUid {
    pub uidvalidity: u32,
    pub pairs: Vec<(u32, u32)>,
}

/// Where an APPEND put the message (RFC 4315).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendUid {
    pub uidvalidity: u32,
    pub uid: u32,
}

/// An IMAP quoted string: backslash and double quote escaped. Mailbox
/// names reach here from the server's own LIST, but are checked anyway.
pub fn quote(value: &str) -> Result<String> {
    if value.contains(['\r', '\n', '\0']) {
        return Err(Error::InvalidName);
    }
    Ok(format!(
        "\"{}\"",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// Run `command`, handing every response to `each` (the final tagged one
/// too), until its tagged answer. NO or BAD is [`Error::ServerRefused`];
/// a BYE or a closed connection is [`Error::Network`].
pub async fn run<T>(
    session: &mut async_imap::Session<T>,
    command: &str,
    context: &'static str,
    each: impl FnMut(&Response<'_>),
) -> Result<()>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let tag = session
        .run_command(command)
        .await
        .map_err(|e| network_error(context, e))?;
    answer(session, &tag, context, each).await
}

pub(crate) fn network_error(context: &'static str, e: impl std::fmt::Display) -> Error {
    Error::Network {
        context,
        detail: e.to_string(),
    }
}

/// Read responses to the command tagged `tag` until its tagged answer
/// (see [`run`]).
pub(crate) async fn answer<T>(
    session: &mut async_imap::Session<T>,
    tag: &async_imap::imap_proto::RequestId,
    context: &'static str,
    mut each: impl FnMut(&Response<'_>),
) -> Result<()>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let network = |detail: String| Error::Network { context, detail };
    loop {
        let response = session
            .read_response()
            .await
            .map_err(|e| network(e.to_string()))?
            .ok_or_else(|| network("connection closed".into()))?;
        let parsed = response.parsed();
        each(parsed);
        match parsed {
            Response::Data {
                status: Status::Bye,
                outcome,
            } => return Err(network(format!("BYE {:?}", outcome.information))),
            Response::Done {
                tag: done,
                status,
                outcome,
            } if done == tag => {
                return match status {
                    Status::Ok => Ok(()),
                    _ => Err(Error::ServerRefused {
                        context,
                        detail: outcome.information.as_deref().unwrap_or("").to_string(),
                    }),
                };
            }
            _ => {}
        }
    }
}

/// Run `command` and read its answer, keeping a `COPYUID` if one comes
/// (untagged with MOVE, tagged with COPY). Anything unsolicited on the
/// way is ignored, as the next sync reads the state it describes anyway.
pub async fn run_for_copyuid<T>(
    session: &mut async_imap::Session<T>,
    command: &str,
    context: &'static str,
) -> Result<Option<CopyUid>>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut found = None;
    run(session, command, context, |response| match response {
        Response::Data {
            status: Status::Ok,
            outcome,
        }
        | Response::Done {
            status: Status::Ok,
            outcome,
            ..
        } => {
            if let Some(code) = outcome.code.as_ref().and_then(copy_uid) {
                found = Some(code);
            }
        }
        _ => {}
    })
    .await?;
    Ok(found)
}

/// APPEND `raw` to `mailbox` with `flags` (IMAP flag names), sending the
/// message as a literal once the server asks for it. Bare LFs become
/// CRLF, as IMAP requires. Returns the `APPENDUID` if the server gave one.
pub async fn append<T>(
    session: &mut async_imap::Session<T>,
    mailbox: &str,
    flags: &[&str],
    raw: &[u8],
) -> Result<Option<AppendUid>>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    const CONTEXT: &str = "APPEND";
    let literal = crlf(raw);
    let command = format!(
        "APPEND {} ({}) {{{}}}",
        quote(mailbox)?,
        flags.join(" "),
        literal.len()
    );
    let tag = session
        .run_command(&command)
        .await
        .map_err(|e| network_error(CONTEXT, e))?;
    continuation(session, &tag, CONTEXT).await?;
    let stream = session.get_mut();
    stream
        .write_all(&literal)
        .await
        .map_err(|e| network_error(CONTEXT, e))?;
    stream
        .write_all(b"\r\n")
        .await
        .map_err(|e| network_error(CONTEXT, e))?;
    stream
        .flush()
        .await
        .map_err(|e| network_error(CONTEXT, e))?;
    let mut found = None;
    answer(session, &tag, CONTEXT, |response| {
        if let Response::Done {
            status: Status::Ok,
            outcome,
            ..
        } = response
            && let Some(ResponseCode::AppendUid(uidvalidity, uids)) = outcome.code.as_ref()
            && let Some(&[uid]) = expand(uids).as_deref()
        {
            found = Some(AppendUid {
                uidvalidity: *uidvalidity,
                uid,
            });
        }
    })
    .await?;
    Ok(found)
}

/// Wait for the server to ask for a literal (`+`) of the command tagged
/// `tag`, or refuse it (too large, say).
pub(crate) async fn continuation<T>(
    session: &mut async_imap::Session<T>,
    tag: &async_imap::imap_proto::RequestId,
    context: &'static str,
) -> Result<()>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    loop {
        let response = session
            .read_response()
            .await
            .map_err(|e| network_error(context, e))?
            .ok_or_else(|| network_error(context, "connection closed"))?;
        match response.parsed() {
            Response::Continue { .. } => return Ok(()),
            Response::Done {
                tag: done, outcome, ..
            } if done == tag => {
                return Err(Error::ServerRefused {
                    context,
                    detail: outcome.information.as_deref().unwrap_or("").to_string(),
                });
            }
            _ => {}
        }
    }
}

/// `raw` with every bare LF made CRLF.
fn crlf(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let bare = raw
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || raw[i - 1] != b'\r'));
    if !bare {
        return std::borrow::Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
    for (i, &b) in raw.iter().enumerate() {
        if b == b'\n' && (i == 0 || raw[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    std::borrow::Cow::Owned(out)
}

fn copy_uid(code: &ResponseCode<'_>) -> Option<CopyUid> {
    let ResponseCode::CopyUid(uidvalidity, from, to) = code else {
        return None;
    };
    let (from, to) = (expand(from)?, expand(to)?);
    (from.len() == to.len()).then(|| CopyUid {
        uidvalidity: *uidvalidity,
        pairs: from.into_iter().zip(to).collect(),
    })
}

/// The UIDs of a uid-set, in the order given (RFC 4315 pairs source and
/// destination sets by position). A set larger than any batch we send
/// is refused rather than expanded.
fn expand(set: &[UidSetMember]) -> Option<Vec<u32>> {
    const LIMIT: usize = 1 << 20;
    let mut out = Vec::new();
    for member in set {
        match member {
            UidSetMember::Uid(uid) => out.push(*uid),
            UidSetMember::UidRange(range) => {
                let (a, b) = (*range.start(), *range.end());
                let (lo, hi) = (a.min(b), a.max(b));
                if (hi - lo) as usize + out.len() >= LIMIT {
                    return None;
                }
                // "5:3" lists them downwards.
                if a <= b {
                    out.extend(lo..=hi);
                } else {
                    out.extend((lo..=hi).rev());
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copyuid_pairs_by_position() {
        let code = ResponseCode::CopyUid(
            9,
            vec![UidSetMember::Uid(4), UidSetMember::UidRange(7..=8)],
            vec![UidSetMember::UidRange(100..=102)],
        );
        assert_eq!(
            copy_uid(&code),
            Some(CopyUid {
                uidvalidity: 9,
                pairs: vec![(4, 100), (7, 101), (8, 102)]
            })
        );
        let uneven = ResponseCode::CopyUid(9, vec![UidSetMember::Uid(4)], vec![]);
        assert_eq!(copy_uid(&uneven), None);
    }

    #[test]
    fn literals_get_crlf_line_ends() {
        assert_eq!(&*crlf(b"a\r\nb\r\n"), b"a\r\nb\r\n");
        assert_eq!(&*crlf(b"\na\nb\r\nc\n"), b"\r\na\r\nb\r\nc\r\n");
    }

    #[test]
    fn names_are_quoted_and_checked() {
        assert_eq!(quote(r#"a"b\c"#).unwrap(), r#""a\"b\\c""#);
        assert!(quote("a\r\nb").is_err());
    }
}

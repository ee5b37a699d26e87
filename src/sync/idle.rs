//! Waiting on a live connection until there is something to do: the
//! server reports a change (IDLE, RFC 2177), a timer runs out (IDLE
//! renewal or the next poll), or the worker is asked to act or stop.
//!
//! Every wait ends with the session back in the normal command state, so
//! the caller can check the connection ([`check_alive`]) and sync.

use crate::error::{Error, Result};
use async_imap::extensions::idle::IdleResponse;
use std::future::Future;
use std::time::Duration;

use super::imap::{Session, Stream};

/// Why a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// The server sent something about the selected mailbox (new mail,
    /// a flag changed, a message expunged).
    Server,
    /// The IDLE renewal period or the poll interval passed.
    Timer,
    /// Someone asked the worker to act (local changes, "sync now").
    Nudged,
    /// The worker is to stop and log out.
    Stop,
}

/// Why [`idle`] gave up; either way the session is gone.
#[derive(Debug)]
pub enum IdleError {
    /// The server refused IDLE (with this text) although it advertised
    /// it: the caller falls back to polling instead of reconnecting in a
    /// loop.
    Refused(String),
    /// The connection failed.
    Failed(Error),
}

fn network(context: &'static str) -> impl Fn(async_imap::error::Error) -> Error {
    move |e| Error::Network {
        context,
        detail: e.to_string(),
    }
}

fn timed_out(context: &'static str, after: Duration) -> Error {
    Error::Network {
        context,
        detail: format!("no answer within {after:?}"),
    }
}

/// IDLE on the selected mailbox until the server reports a change,
/// `renew` passes, or `interrupt` resolves (with its [`Wake`]). Then DONE,
/// giving the session back.
///
/// `renew` is an absolute bound: the server's own keepalives (`* OK Still
/// here`) do not extend it, so IDLE is re-issued in time for servers that
/// drop clients idling 30 minutes (RFC 2177 asks for at least every 29).
/// `reply_timeout` bounds the IDLE and DONE round trips.
pub async fn idle<T: Stream>(
    session: Session<T>,
    renew: Duration,
    reply_timeout: Duration,
    interrupt: impl Future<Output = Wake>,
) -> Result<(Session<T>, Wake), IdleError> {
    let mut handle = session.idle();
    match tokio::time::timeout(reply_timeout, handle.init()).await {
        Err(_) => return Err(IdleError::Failed(timed_out("IDLE", reply_timeout))),
        // async-imap reports a tagged BAD to IDLE as "connection refused"
        // carrying the server's text; a closed connection has no text.
        Ok(Err(async_imap::error::Error::Io(e)))
            if e.kind() == std::io::ErrorKind::ConnectionRefused && !e.to_string().is_empty() =>
        {
            return Err(IdleError::Refused(e.to_string()));
        }
        Ok(Err(e)) => return Err(IdleError::Failed(network("IDLE")(e))),
        Ok(Ok(())) => {}
    }
    let wake = {
        // Keep the stop source alive: dropping it would end the wait at
        // once. This code never triggers it, so a "manual interrupt" from
        // async-imap can only mean the server closed the stream.
        let (wait, _stop) = handle.wait_with_timeout(renew);
        tokio::select! {
            result = wait => match result {
                Ok(IdleResponse::NewData(_)) => Wake::Server,
                Ok(IdleResponse::Timeout) => Wake::Timer,
                Ok(IdleResponse::ManualInterrupt) => {
                    return Err(IdleError::Failed(Error::Network {
                        context: "IDLE",
                        detail: "the server closed the connection".into(),
                    }));
                }
                Err(e) => return Err(IdleError::Failed(network("IDLE")(e))),
            },
            () = tokio::time::sleep(renew) => Wake::Timer,
            wake = interrupt => wake,
        }
    };
    let session = tokio::time::timeout(reply_timeout, handle.done())
        .await
        .map_err(|_| IdleError::Failed(timed_out("DONE", reply_timeout)))?
        .map_err(|e| IdleError::Failed(network("DONE")(e)))?;
    drain_unsolicited(&session);
    Ok((session, wake))
}

/// Polling: wait `interval` or until `interrupt` resolves.
pub async fn poll(interval: Duration, interrupt: impl Future<Output = Wake>) -> Wake {
    tokio::select! {
        () = tokio::time::sleep(interval) => Wake::Timer,
        wake = interrupt => wake,
    }
}

/// NOOP within `timeout`: a connection that went silent (a dropped Wi-Fi,
/// a NAT that forgot us) is noticed here instead of hanging the next sync.
pub async fn check_alive<T: Stream>(session: &mut Session<T>, timeout: Duration) -> Result<()> {
    tokio::time::timeout(timeout, session.noop())
        .await
        .map_err(|_| timed_out("NOOP", timeout))?
        .map_err(network("NOOP"))?;
    drain_unsolicited(session);
    Ok(())
}

/// The untagged EXISTS/FETCH/EXPUNGE async-imap set aside. The worker
/// re-reads the mailbox instead of interpreting them, so they are only
/// dropped (the channel is bounded and would otherwise keep stale ones).
fn drain_unsolicited<T: Stream>(session: &Session<T>) {
    while session.unsolicited_responses.try_recv().is_ok() {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};

    /// What the scripted server does once IDLE is sent.
    #[derive(Clone, Copy)]
    enum Script {
        /// `+ idling`, then new mail.
        NewMail,
        /// `+ idling`, then nothing.
        Quiet,
        /// Refuses IDLE.
        Bad,
        /// Hangs up instead of answering IDLE.
        HangUp,
        /// `+ idling`, then hangs up.
        HangUpIdling,
    }

    /// A logged-in session on a scripted server.
    async fn session(script: Script) -> Session<DuplexStream> {
        let (client, server) = tokio::io::duplex(4096);
        tokio::spawn(serve(server, script));
        async_imap::Client::new(client)
            .login("user", "password")
            .await
            .map_err(|(e, _)| e)
            .unwrap()
    }

    async fn serve(stream: DuplexStream, script: Script) {
        let (read, mut write) = tokio::io::split(stream);
        let mut lines = BufReader::new(read).lines();
        let mut idle_tag = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            let (tag, command) = line.split_once(' ').unwrap_or((&line, ""));
            let reply = match command {
                "IDLE" => {
                    idle_tag = tag.to_string();
                    match script {
                        Script::NewMail => "+ idling\r\n* 3 EXISTS\r\n".to_string(),
                        Script::Quiet => "+ idling\r\n".to_string(),
                        Script::Bad => format!("{tag} BAD not here\r\n"),
                        Script::HangUp => return,
                        Script::HangUpIdling => {
                            let _ = write.write_all(b"+ idling\r\n").await;
                            return;
                        }
                    }
                }
                _ if tag == "DONE" => format!("{idle_tag} OK IDLE done\r\n"),
                _ => format!("{tag} OK done\r\n"),
            };
            if write.write_all(reply.as_bytes()).await.is_err() {
                return;
            }
        }
    }

    const SECOND: Duration = Duration::from_secs(1);

    #[tokio::test]
    async fn new_mail_wakes_and_the_session_comes_back() {
        let never = std::future::pending();
        let (mut session, wake) = idle(session(Script::NewMail).await, SECOND * 60, SECOND, never)
            .await
            .unwrap();
        assert_eq!(wake, Wake::Server);
        check_alive(&mut session, SECOND).await.unwrap();
    }

    #[tokio::test]
    async fn an_interrupt_or_the_renewal_ends_a_quiet_idle() {
        let nudge = async { Wake::Nudged };
        let (_, wake) = idle(session(Script::Quiet).await, SECOND * 60, SECOND, nudge)
            .await
            .unwrap();
        assert_eq!(wake, Wake::Nudged);
        let never = std::future::pending();
        let renew = Duration::from_millis(50);
        let (_, wake) = idle(session(Script::Quiet).await, renew, SECOND, never)
            .await
            .unwrap();
        assert_eq!(wake, Wake::Timer);
    }

    #[tokio::test]
    async fn a_refusal_is_told_apart_from_a_hang_up() {
        let never = || std::future::pending();
        let refused = idle(session(Script::Bad).await, SECOND, SECOND, never()).await;
        assert!(
            matches!(&refused, Err(IdleError::Refused(text)) if text.contains("not here")),
            "{:?}",
            refused.map(|(_, w)| w)
        );
        for script in [Script::HangUp, Script::HangUpIdling] {
            let gone = idle(session(script).await, SECOND * 60, SECOND, never()).await;
            assert!(
                matches!(
                    gone,
                    Err(IdleError::Failed(Error::Network {
                        context: "IDLE",
                        ..
                    }))
                ),
                "{:?}",
                gone.map(|(_, w)| w)
            );
        }
    }
}

//! Pipelined RETR and DELE (RFC 2449 PIPELINING).
//!
//! Over a long round trip, waiting for each reply before sending the next
//! command leaves the link idle; with PIPELINING a window of commands stays
//! in flight, topped up as replies are consumed. Without it, exactly one.

use std::collections::VecDeque;

use super::client::{Client, Reply};
use crate::error::{Error, Result};

/// Most commands in flight at once.
pub(super) const MAX_IN_FLIGHT: usize = 16;
/// Most expected octets (from LIST sizes) in flight at once; one message
/// is always allowed, however large.
const MAX_IN_FLIGHT_OCTETS: u64 = 8 * 1024 * 1024;

const RETR: &str = "POP3 RETR";
const DELE: &str = "POP3 DELE";

/// Messages being retrieved, handed out in the order asked for. Dropping
/// it early is fine: the replies still in flight are read off and
/// discarded before the client's next command.
pub struct Retrievals<'a> {
    client: &'a mut Client,
    /// Not sent yet: message number and expected size, if known.
    waiting: VecDeque<(u32, u64)>,
    /// Sent, reply not read yet.
    in_flight: VecDeque<(u32, u64)>,
    started: bool,
    finished: bool,
    /// An error from sending ahead, reported on the next call.
    deferred: Option<Error>,
}

impl Client {
    /// Retrieves `msgs` in order, pipelined when the server allows it.
    pub fn retrieve(&mut self, msgs: Vec<u32>) -> Retrievals<'_> {
        self.retrieve_sized(msgs.into_iter().map(|msg| (msg, 0)).collect())
    }

    /// Like [`retrieve`](Self::retrieve) with each message's size from
    /// [`list`](Self::list), so the window also stays under a few MB.
    pub fn retrieve_sized(&mut self, msgs: Vec<(u32, u64)>) -> Retrievals<'_> {
        Retrievals {
            client: self,
            waiting: msgs.into(),
            in_flight: VecDeque::new(),
            started: false,
            finished: false,
            deferred: None,
        }
    }

    /// Marks `msgs` deleted, pipelined when the server allows it. Stops
    /// sending at the first `-ERR` and reports it once the replies in
    /// flight are read; messages marked before stay marked (see
    /// [`rset`](Self::rset)).
    pub async fn dele_many(&mut self, msgs: &[u32]) -> Result<()> {
        self.drain(DELE).await?;
        let window = self.window();
        let mut waiting = msgs.iter();
        let mut in_flight = VecDeque::new();
        let mut refused = None;
        loop {
            if refused.is_none() {
                let mut batch = Vec::new();
                let mut count = 0;
                while in_flight.len() < window {
                    let Some(&msg) = waiting.next() else { break };
                    in_flight.push_back(msg);
                    batch.extend_from_slice(format!("DELE {msg}\r\n").as_bytes());
                    count += 1;
                }
                if count > 0 {
                    self.send(&batch, count, Reply::Single, DELE).await?;
                }
            }
            let Some(msg) = in_flight.pop_front() else {
                break;
            };
            let status = self.status(DELE).await?;
            if !status.is_ok() && refused.is_none() {
                refused = Some(Error::ServerRefused {
                    context: DELE,
                    detail: format!("message {msg}: {}", status.text),
                });
            }
        }
        refused.map_or(Ok(()), Err)
    }
}

impl Retrievals<'_> {
    /// The next message as `(number, raw bytes)`, or `None` when all are
    /// done. A `-ERR` for one message is returned as its error and the
    /// rest continue; any other error ends the retrieval.
    pub async fn next(&mut self) -> Option<Result<(u32, Vec<u8>)>> {
        if self.finished {
            return None;
        }
        if let Some(error) = self.deferred.take() {
            return Some(self.fail(error));
        }
        if let Err(error) = self.top_up().await {
            return Some(self.fail(error));
        }
        let Some((msg, size)) = self.in_flight.pop_front() else {
            self.finished = true;
            return None;
        };
        let limit = self.client.max_message;
        let item = match self.client.multi_reply(RETR, limit, size).await {
            Ok(body) => Ok((msg, body)),
            Err(Error::ServerRefused { context, detail }) => Err(Error::ServerRefused {
                context,
                detail: format!("message {msg}: {detail}"),
            }),
            Err(error) => return Some(self.fail(error)),
        };
        // Ask for the next one before the caller stores this one, so the
        // server is busy meanwhile.
        if let Err(error) = self.top_up().await {
            self.deferred = Some(error);
        }
        Some(item)
    }

    fn fail(&mut self, error: Error) -> Result<(u32, Vec<u8>)> {
        self.finished = true;
        Err(error)
    }

    /// Sends RETRs for waiting messages while the window has room.
    async fn top_up(&mut self) -> Result<()> {
        if !self.started {
            // Replies left over from an abandoned pipeline come first.
            self.client.drain(RETR).await?;
            self.started = true;
        }
        let window = self.client.window();
        let mut octets: u64 = self.in_flight.iter().map(|&(_, size)| size).sum();
        let mut batch = Vec::new();
        let mut count = 0;
        while let Some(&(msg, size)) = self.waiting.front() {
            let busy = !self.in_flight.is_empty();
            if self.in_flight.len() >= window
                || (busy && octets.saturating_add(size) > MAX_IN_FLIGHT_OCTETS)
            {
                break;
            }
            self.waiting.pop_front();
            self.in_flight.push_back((msg, size));
            octets = octets.saturating_add(size);
            batch.extend_from_slice(format!("RETR {msg}\r\n").as_bytes());
            count += 1;
        }
        if count > 0 {
            self.client.send(&batch, count, Reply::Multi, RETR).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pop3::script::{Server, client_with};
    use std::time::Duration;

    fn message(n: u32) -> Vec<u8> {
        format!("Subject: {n}\r\n\r\nbody {n}\r\n").into_bytes()
    }

    async fn answer_retr(server: &mut Server, n: u32) {
        server.send(b"+OK message follows\r\n").await;
        server.send(&message(n)).await;
        server.send(b".\r\n").await;
    }

    #[tokio::test]
    async fn pipelined_retr_keeps_several_in_flight_and_keeps_order() {
        let (mut client, mut server) = client_with(b"PIPELINING\r\nUIDL\r\n").await;
        let script = tokio::spawn(async move {
            // All three requests arrive before the first answer.
            for n in [3, 1, 2] {
                assert_eq!(server.line().await, format!("RETR {n}\r\n").into_bytes());
            }
            for n in [3, 1, 2] {
                answer_retr(&mut server, n).await;
            }
            server
        });
        let mut retrievals = client.retrieve(vec![3, 1, 2]);
        let mut got = Vec::new();
        while let Some(item) = retrievals.next().await {
            got.push(item.unwrap());
        }
        let want: Vec<_> = [3, 1, 2].into_iter().map(|n| (n, message(n))).collect();
        assert_eq!(got, want);
        drop(script.await.unwrap());
    }

    #[tokio::test]
    async fn the_window_respects_expected_sizes() {
        let (mut client, mut server) = client_with(b"PIPELINING\r\n").await;
        let script = tokio::spawn(async move {
            // 5 MB + 5 MB exceed the window: the second waits.
            assert_eq!(server.line().await, b"RETR 1\r\n");
            assert!(server.silent_for(Duration::from_millis(100)).await);
            answer_retr(&mut server, 1).await;
            assert_eq!(server.line().await, b"RETR 2\r\n");
            answer_retr(&mut server, 2).await;
            server
        });
        let big = 5 * 1024 * 1024;
        let mut retrievals = client.retrieve_sized(vec![(1, big), (2, big)]);
        assert_eq!(retrievals.next().await.unwrap().unwrap().0, 1);
        assert_eq!(retrievals.next().await.unwrap().unwrap().0, 2);
        assert!(retrievals.next().await.is_none());
        drop(script.await.unwrap());
    }

    #[tokio::test]
    async fn without_pipelining_one_at_a_time() {
        let (mut client, mut server) = client_with(b"UIDL\r\nTOP\r\n").await;
        let script = tokio::spawn(async move {
            for n in 1..=3 {
                assert_eq!(server.line().await, format!("RETR {n}\r\n").into_bytes());
                assert!(server.silent_for(Duration::from_millis(100)).await);
                if n == 2 {
                    server.send(b"-ERR no such message\r\n").await;
                } else {
                    answer_retr(&mut server, n).await;
                }
            }
            server
        });
        let mut retrievals = client.retrieve(vec![1, 2, 3]);
        assert_eq!(retrievals.next().await.unwrap().unwrap(), (1, message(1)));
        let err = retrievals.next().await.unwrap().unwrap_err();
        assert!(matches!(err, Error::ServerRefused { .. }), "{err:?}");
        assert_eq!(retrievals.next().await.unwrap().unwrap(), (3, message(3)));
        assert!(retrievals.next().await.is_none());
        drop(script.await.unwrap());
    }

    #[tokio::test]
    async fn an_abandoned_pipeline_is_drained_before_the_next_command() {
        let (mut client, mut server) = client_with(b"PIPELINING\r\n").await;
        let script = tokio::spawn(async move {
            server.expect(b"RETR 1\r\nRETR 2\r\n").await;
            answer_retr(&mut server, 1).await;
            answer_retr(&mut server, 2).await;
            server.expect(b"NOOP\r\n").await;
            server.send(b"+OK\r\n").await;
            server
        });
        let mut retrievals = client.retrieve(vec![1, 2]);
        assert_eq!(retrievals.next().await.unwrap().unwrap().0, 1);
        drop(retrievals);
        client.noop().await.unwrap();
        drop(script.await.unwrap());
    }

    #[tokio::test]
    async fn dele_many_is_pipelined_and_reports_a_refusal() {
        let (mut client, mut server) = client_with(b"PIPELINING\r\n").await;
        let script = tokio::spawn(async move {
            server.expect(b"DELE 1\r\nDELE 2\r\nDELE 3\r\n").await;
            server
                .send(b"+OK\r\n-ERR message 2 already deleted\r\n+OK\r\n")
                .await;
            server.expect(b"DELE 4\r\n").await;
            server.send(b"+OK\r\n").await;
            server
        });
        let err = client.dele_many(&[1, 2, 3]).await.unwrap_err();
        assert!(
            matches!(&err, Error::ServerRefused { detail, .. } if detail.starts_with("message 2")),
            "{err:?}"
        );
        client.dele_many(&[4]).await.unwrap();
        drop(script.await.unwrap());
    }
}

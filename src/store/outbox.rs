//! The outbox: every message to send, as a persisted state machine.
//!
//! queued → submitting → sent → copied (filed in the account's Sent), or
//! failed (the server's reply kept), or unknown (the connection went after
//! the whole message was handed over: it may be on its way, so it is never
//! sent again by itself). A row still `submitting` when the store opens
//! was cut off mid-way by a crash: its fate is unknown too.

use super::{Store, now};
use crate::error::{Error, Result};
use crate::mime::compose::Built;
use crate::mime::parse;
use crate::model::{AccountId, Flags, MessageId, Role};
use crate::store::ops::{self, Op};
use rusqlite::{OptionalExtension, params};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Queued,
    Submitting,
    Sent,
    Failed,
    Unknown,
    Copied,
}

impl State {
    /// Not gone (yet): what the window's Outbox lists.
    pub const UNSENT: [State; 4] = [
        State::Queued,
        State::Submitting,
        State::Failed,
        State::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Submitting => "submitting",
            State::Sent => "sent",
            State::Failed => "failed",
            State::Unknown => "unknown",
            State::Copied => "copied",
        }
    }

    fn parse(s: &str) -> State {
        match s {
            "queued" => State::Queued,
            "submitting" => State::Submitting,
            "sent" => State::Sent,
            "failed" => State::Failed,
            "copied" => State::Copied,
            _ => State::Unknown,
        }
    }
}

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: i64,
    pub account: AccountId,
    pub message_id: String,
    pub raw: Vec<u8>,
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub state: State,
    /// The server's words on the last failure (per recipient where it
    /// refused some), or why the outcome is unknown.
    pub last_error: Option<String>,
    pub attempts: u32,
}

const COLUMNS: &str = "id, account_id, message_id, raw, envelope_from, envelope_to, state, \
                       last_error, attempts";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Outgoing> {
    let to: String = r.get(5)?;
    Ok(Outgoing {
        id: r.get(0)?,
        account: AccountId(r.get(1)?),
        message_id: r.get(2)?,
        raw: r.get(3)?,
        envelope_from: r.get(4)?,
        envelope_to: to.lines().map(str::to_string).collect(),
        state: State::parse(&r.get::<_, String>(6)?),
        last_error: r.get(7)?,
        attempts: r.get(8)?,
    })
}

impl Store {
    /// Put a built message in the outbox for `account`.
    pub fn queue_outgoing(&mut self, account: AccountId, built: &Built) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO outbox (account_id, message_id, raw, envelope_from, envelope_to,
                                 created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![
                account.0,
                built.message_id,
                built.raw,
                built.envelope_from,
                built.envelope_to.join("\n"),
                now()
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    pub fn outgoing(&self, id: i64) -> Result<Outgoing> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
                [id],
                row,
            )
            .optional()?
            .ok_or(Error::NotFound { what: "message" })
    }

    /// The messages in the outbox in one of `states` (any state if none
    /// given), oldest first; `account` narrows it. Only those rows, and
    /// their bytes, are read: the outbox keeps every message sent.
    pub fn outbox(&self, account: Option<AccountId>, states: &[State]) -> Result<Vec<Outgoing>> {
        let wanted = if states.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
            format!(" AND state IN ({})", names.join(", "))
        };
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE (?1 IS NULL OR account_id = ?1){wanted} ORDER BY id"
        ))?;
        let rows = stmt.query_map([account.map(|a| a.0)], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Move `id` to `state` (committed before anything else happens: the
    /// order of these writes is what makes a crash safe).
    pub fn set_outgoing_state(&mut self, id: i64, state: State, error: Option<&str>) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET state = ?2, last_error = ifnull(?3, last_error), updated_at = ?4
             WHERE id = ?1",
            params![id, state.as_str(), error, now()],
        )?;
        Ok(())
    }

    /// Take `id` from queued to submitting; false if it is not queued any
    /// more (another window or command took it first): then it is not
    /// this caller's to send.
    pub fn claim_outgoing(&mut self, id: i64) -> Result<bool> {
        Ok(self.conn().execute(
            "UPDATE outbox SET state = 'submitting', attempts = attempts + 1, updated_at = ?2
             WHERE id = ?1 AND state = 'queued'",
            params![id, now()],
        )? == 1)
    }

    /// Rows a crash left `submitting` become `unknown`. Returns how many.
    pub fn recover_outbox(&mut self) -> Result<usize> {
        Ok(self.conn().execute(
            "UPDATE outbox SET state = 'unknown',
                    last_error = 'Poshta stopped while sending this message'
             WHERE state = 'submitting'",
            [],
        )?)
    }

    /// The user decided: send `id` again (from failed or unknown).
    pub fn requeue_outgoing(&mut self, id: i64) -> Result<()> {
        let changed = self.conn().execute(
            "UPDATE outbox SET state = 'queued' WHERE id = ?1 AND state IN ('failed', 'unknown')",
            [id],
        )?;
        if changed == 0 {
            return Err(Error::NotFound { what: "message" });
        }
        Ok(())
    }

    /// Throw away a message that has not gone (queued, failed, or unknown);
    /// one being handed over right now is not touched.
    pub fn delete_outgoing(&mut self, id: i64) -> Result<()> {
        let changed = self.conn().execute(
            "DELETE FROM outbox WHERE id = ?1 AND state IN ('queued', 'failed', 'unknown')",
            [id],
        )?;
        if changed == 0 {
            return Err(Error::NotFound { what: "message" });
        }
        Ok(())
    }

    /// File a sent message in its account's Sent folder, read, and mark it
    /// copied, in one transaction. In a server's Sent folder the copy is
    /// uploaded by a queued operation (retried by itself, never the send).
    /// Returns the Sent folder's new row, or None if there is none: the
    /// account's server files sent mail itself (then it is `copied`), or
    /// it has no Sent folder yet (an IMAP account never synced: it stays
    /// `sent`).
    pub fn file_sent(&mut self, id: i64) -> Result<Option<MessageId>> {
        let outgoing = self.outgoing(id)?;
        if self.server_files_sent(outgoing.account)? {
            self.set_outgoing_state(id, State::Copied, None)?;
            return Ok(None);
        }
        let Ok(sent) = self.folder_by_role(outgoing.account, Role::Sent) else {
            return Ok(None);
        };
        let on_server = self.remote_name(sent.id)?.is_some();
        let parsed = parse::parse(&outgoing.raw).unwrap_or_default();
        let tx = self.conn_mut().transaction()?;
        let message = super::messages::NewMessage {
            raw: &outgoing.raw,
            parsed: &parsed,
            flags: Flags::SEEN,
            fallback_date: now(),
        };
        let row = super::messages::insert(&tx, sent.id, &message)?;
        if on_server {
            let op = Op::Append {
                messages: vec![row],
            };
            ops::queue(&tx, outgoing.account, sent.id, &op)?;
        }
        tx.execute(
            "UPDATE outbox SET state = 'copied', updated_at = ?2 WHERE id = ?1",
            params![id, now()],
        )?;
        tx.commit()?;
        Ok(Some(row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{NewAccount, Protocol, Security, Server};

    #[test]
    fn a_send_cut_off_by_a_crash_is_unknown_after_the_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let mut store = Store::open(&path).unwrap();
        let server = |protocol| Server {
            protocol,
            host: "mail.example.test".into(),
            port: 465,
            security: Security::Tls,
            username: "me".into(),
            extra_ca_pem: None,
            pinned_sha256: None,
        };
        let account = store
            .add_account(&NewAccount {
                name: "A".into(),
                email: "me@example.test".into(),
                incoming: server(Protocol::Pop3),
                outgoing: Some(server(Protocol::Smtp)),
            })
            .unwrap();
        let built = crate::mime::compose::build(&crate::mime::compose::Outgoing {
            from: "me@example.test".into(),
            to: vec!["you@example.test".into()],
            subject: "cut off".into(),
            body: "text".into(),
            ..Default::default()
        })
        .unwrap();
        let id = store.queue_outgoing(account, &built).unwrap();
        assert!(store.claim_outgoing(id).unwrap());
        assert!(!store.claim_outgoing(id).unwrap(), "claimed once");
        drop(store);

        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.recover_outbox().unwrap(), 1);
        let outgoing = store.outgoing(id).unwrap();
        assert_eq!(outgoing.state, State::Unknown);
        assert_eq!(outgoing.attempts, 1);
        assert_eq!(outgoing.envelope_to, ["you@example.test"]);
        // Only the user sends it again.
        store.requeue_outgoing(id).unwrap();
        assert_eq!(store.outgoing(id).unwrap().state, State::Queued);
        assert!(
            store.requeue_outgoing(id).is_err(),
            "only failed or unknown"
        );
    }
}

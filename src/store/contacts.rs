//! The address book the composer completes addresses from: everyone mail
//! was received from or sent to, counted. It is learned from the messages
//! themselves, a chunk at a time from where it stopped (a message id), so
//! no sync or download pays for it and an older store fills up on first
//! use. Sent mail (in a Sent folder, or from one of the user's own
//! addresses) counts for its recipients, other mail for its sender; junk
//! counts for nobody.

use super::Store;
use crate::error::Result;
use crate::mime::compose::split_addresses;
use rusqlite::{Transaction, params};
use std::collections::HashSet;

/// Messages read per transaction while learning.
const CHUNK: i64 = 5_000;
/// A message sent to someone says more about whom the user writes to
/// than one received from them.
const SENT_WEIGHT: i64 = 4;

/// Someone mail can be addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub address: String,
}

impl Contact {
    /// As typed in an address field: `Name <address>`, the name quoted
    /// when it holds a character that separates addresses.
    pub fn display(&self) -> String {
        if self.name.is_empty() {
            self.address.clone()
        } else if self.name.contains([',', ';', '"', '<', '>', '@']) {
            let name = self.name.replace('"', "");
            format!("\"{name}\" <{}>", self.address)
        } else {
            format!("{} <{}>", self.name, self.address)
        }
    }
}

impl Store {
    /// Count the messages not counted yet into the address book. Returns
    /// how many messages were read.
    pub fn learn_contacts(&mut self) -> Result<usize> {
        let own: HashSet<String> = {
            let mut stmt = self
                .conn()
                .prepare("SELECT lower(email) FROM account WHERE email IS NOT NULL")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut read = 0;
        loop {
            let tx = self.conn_mut().transaction()?;
            let (count, last) = learn_chunk(&tx, &own)?;
            if let Some(last) = last {
                tx.execute("UPDATE contact_progress SET learned_through = ?1", [last])?;
            }
            tx.commit()?;
            read += count;
            if (count as i64) < CHUNK {
                return Ok(read);
            }
        }
    }

    /// Up to `limit` contacts whose name or address contains `typed`
    /// (any case), the most used first.
    pub fn contacts_matching(&self, typed: &str, limit: usize) -> Result<Vec<Contact>> {
        let typed = typed.trim().to_lowercase();
        if typed.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT name, address FROM contact WHERE instr(search, ?1) > 0
              ORDER BY sent * ?2 + received DESC, last_seen DESC, address LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![typed, SENT_WEIGHT, limit as i64], |r| {
            Ok(Contact {
                name: r.get(0)?,
                address: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Count the next [`CHUNK`] messages; how many were read and the last id.
fn learn_chunk(tx: &Transaction<'_>, own: &HashSet<String>) -> Result<(usize, Option<i64>)> {
    let mut stmt = tx.prepare_cached(
        "SELECT m.id, ifnull(f.role, ''), m.from_name, m.from_addr, m.to_list, m.cc_list,
                ifnull(m.date, 0)
           FROM message m JOIN folder f ON f.id = m.folder_id
          WHERE m.id > (SELECT learned_through FROM contact_progress)
          ORDER BY m.id LIMIT ?1",
    )?;
    let mut rows = stmt.query([CHUNK])?;
    let (mut count, mut last) = (0, None);
    while let Some(r) = rows.next()? {
        count += 1;
        last = Some(r.get::<_, i64>(0)?);
        let role: String = r.get(1)?;
        let from_addr: String = r.get::<_, String>(3)?.to_lowercase();
        let date: i64 = r.get(6)?;
        match role.as_str() {
            "junk" | "drafts" | "outbox" => {}
            _ if role == "sent" || own.contains(&from_addr) => {
                let to: String = r.get(4)?;
                let cc: String = r.get(5)?;
                for (name, address) in split_addresses(&format!("{to}, {cc}"))
                    .iter()
                    .filter_map(|a| mailbox(a))
                {
                    if !own.contains(&address) {
                        count_contact(tx, &name, &address, 0, 1, date)?;
                    }
                }
            }
            _ => {
                if let Some((_, address)) = mailbox(&from_addr) {
                    let name: String = r.get(2)?;
                    count_contact(tx, name.trim(), &address, 1, 0, date)?;
                }
            }
        }
    }
    Ok((count, last))
}

fn count_contact(
    tx: &Transaction<'_>,
    name: &str,
    address: &str,
    received: i64,
    sent: i64,
    date: i64,
) -> Result<()> {
    let search = format!("{} {address}", name.to_lowercase());
    tx.prepare_cached(
        "INSERT INTO contact (address, name, search, received, sent, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (address) DO UPDATE SET
            name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END,
            search = CASE WHEN excluded.name <> '' THEN excluded.search ELSE search END,
            received = received + excluded.received,
            sent = sent + excluded.sent,
            last_seen = max(last_seen, excluded.last_seen)",
    )?
    .execute(params![address, name, search, received, sent, date])?;
    Ok(())
}

/// The name and lower-case address of "Name <address>" or "address";
/// `None` for anything that is not an address.
fn mailbox(text: &str) -> Option<(String, String)> {
    let (name, address) = match (text.rfind('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => (
            text.get(..open)?.trim().trim_matches('"').trim(),
            text.get(open + 1..close)?,
        ),
        _ => ("", text),
    };
    let address = address.trim().to_lowercase();
    let valid = address.len() <= 254
        && address.contains('@')
        && !address.starts_with('@')
        && !address.ends_with('@')
        && !address.contains(|c: char| c.is_whitespace() || c == ',' || c == ';');
    valid.then(|| (name.to_string(), address))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailboxes_are_read_leniently_and_checked() {
        assert_eq!(
            mailbox("\"Doe, John\" <J@Example.COM>"),
            Some(("Doe, John".into(), "j@example.com".into()))
        );
        assert_eq!(mailbox(" a@b.kz "), Some((String::new(), "a@b.kz".into())));
        assert_eq!(mailbox("Undisclosed recipients"), None);
        assert_eq!(mailbox("<@x>"), None);
    }

    #[test]
    fn names_that_separate_addresses_are_quoted() {
        let c = |name: &str| Contact {
            name: name.into(),
            address: "a@b.kz".into(),
        };
        assert_eq!(c("").display(), "a@b.kz");
        assert_eq!(c("Айгерим").display(), "Айгерим <a@b.kz>");
        assert_eq!(c("Doe, John").display(), "\"Doe, John\" <a@b.kz>");
        assert_eq!(
            split_addresses(&c("Doe, John").display()),
            [c("Doe, John").display()]
        );
    }
}

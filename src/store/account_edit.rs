//! Changing a server account after it was added: its name, address and
//! servers, its place in the account list, and which of its folders
//! serves as Sent, Drafts, Trash and the like.

use super::Store;
use super::accounts::put_server;
use super::folders::LOCAL_ACCOUNT;
use crate::account::{Direction, NewAccount, Protocol, Settings};
use crate::error::{Error, Result};
use crate::model::{AccountId, FolderId, Role};
use rusqlite::params;

impl Store {
    /// Replace `id`'s name, address and both servers with `edit`'s in one
    /// transaction (no outgoing server: it has none from now on). Returns
    /// the settings as they were, for what depends on them (the keyring
    /// entry of the password).
    ///
    /// The incoming protocol stays: going from IMAP to POP3 or back moves
    /// mail around and is `switch_incoming`'s job. A pin is a decision
    /// about one certificate seen at one host and port, so a server whose
    /// host or port changes loses it, whatever `edit` carries (`put_server`
    /// sees to that for every replaced server).
    pub fn update_account(&mut self, id: AccountId, edit: &NewAccount) -> Result<Settings> {
        if id == LOCAL_ACCOUNT {
            return Err(Error::ProtectedAccount);
        }
        let name = checked_text(&edit.name, "account name")?;
        let email = checked_text(&edit.email, "email address")?;
        let old = self.account_settings(id)?;
        let old_incoming = old
            .incoming
            .as_ref()
            .ok_or(Error::InvalidSettings("incoming server"))?;
        if edit.incoming.protocol != old_incoming.protocol {
            return Err(Error::InvalidSettings(
                "the incoming protocol cannot change",
            ));
        }
        if edit
            .outgoing
            .as_ref()
            .is_some_and(|s| s.protocol != Protocol::Smtp)
        {
            return Err(Error::InvalidSettings("outgoing server"));
        }
        let tx = self.conn_mut().transaction()?;
        tx.execute(
            "UPDATE account SET name = ?2, email = ?3 WHERE id = ?1",
            params![id.0, name, email],
        )?;
        put_server(&tx, id, Direction::Incoming, &edit.incoming)?;
        match &edit.outgoing {
            Some(server) => put_server(&tx, id, Direction::Outgoing, server)?,
            None => {
                tx.execute(
                    "DELETE FROM account_server WHERE account_id = ?1 AND direction = 'outgoing'",
                    [id.0],
                )?;
            }
        }
        tx.commit()?;
        Ok(old)
    }

    /// Put server account `id` at `to` (0-based) among the server
    /// accounts, the others keeping their order; past the end means last.
    /// Local Folders stays after them all.
    pub fn move_account(&mut self, id: AccountId, to: usize) -> Result<()> {
        if id == LOCAL_ACCOUNT {
            return Err(Error::ProtectedAccount);
        }
        let tx = self.conn_mut().transaction()?;
        let mut order: Vec<i64> = tx
            .prepare("SELECT id FROM account WHERE kind != 'local' ORDER BY position, id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let from = order
            .iter()
            .position(|&a| a == id.0)
            .ok_or(Error::NotFound { what: "account" })?;
        let moving = order.remove(from);
        order.insert(to.min(order.len()), moving);
        // Renumbered from 1, as `add_account` counts: well below Local
        // Folders' position, which stays as the first migration set it.
        let mut set = tx.prepare("UPDATE account SET position = ?2 WHERE id = ?1")?;
        for (position, account) in (1i64..).zip(&order) {
            set.execute(params![account, position])?;
        }
        drop(set);
        tx.commit()?;
        Ok(())
    }

    /// Let `folder` serve as `account`'s `role` folder (Sent, Drafts,
    /// Trash, Junk or Archive), in place of the one that did. The choice
    /// outlasts folder syncs (the server's special-use flags no longer
    /// move the role) until the folder is gone from the server.
    ///
    /// Refused for the Inbox and Outbox roles, for another account's
    /// folder, and for a folder serving as another role already (it would
    /// lose that one: a Trash-less account deletes for good).
    pub fn set_special_folder(
        &mut self,
        account: AccountId,
        role: Role,
        folder: FolderId,
    ) -> Result<()> {
        if matches!(role, Role::Inbox | Role::Outbox) {
            return Err(Error::InvalidSettings("that folder role cannot be chosen"));
        }
        let chosen = self.folder(folder)?;
        if chosen.account_id != account {
            return Err(Error::InvalidSettings("a folder of another account"));
        }
        if chosen.role.is_some_and(|r| r != role) {
            return Err(Error::InvalidSettings("the folder serves as another role"));
        }
        let tx = self.conn_mut().transaction()?;
        tx.execute(
            "UPDATE folder SET role = NULL, role_chosen = 0
             WHERE account_id = ?1 AND role = ?2 AND id != ?3",
            params![account.0, role.as_str(), folder.0],
        )?;
        tx.execute(
            "UPDATE folder SET role = ?2, role_chosen = 1 WHERE id = ?1",
            params![folder.0, role.as_str()],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// `text` trimmed, unless it is empty or holds a control character (a
/// line break in a name or address would end up in a mail header).
fn checked_text<'a>(text: &'a str, what: &'static str) -> Result<&'a str> {
    let text = text.trim();
    if text.is_empty() || text.chars().any(char::is_control) {
        return Err(Error::InvalidSettings(what));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Security, Server};
    use crate::store::remote::RemoteFolder;

    fn server(protocol: Protocol, host: &str, port: u16) -> Server {
        Server {
            protocol,
            host: host.into(),
            port,
            security: Security::Tls,
            username: "aigerim".into(),
            extra_ca_pem: None,
            pinned_sha256: Some([7; 32]),
        }
    }

    fn account(name: &str) -> NewAccount {
        NewAccount {
            name: name.into(),
            email: "aigerim@example.kz".into(),
            incoming: server(Protocol::Imap, "imap.example.kz", 993),
            outgoing: Some(server(Protocol::Smtp, "smtp.example.kz", 465)),
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        (dir, store)
    }

    fn names(store: &Store) -> Vec<String> {
        store
            .accounts()
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect()
    }

    #[test]
    fn an_edit_replaces_name_address_and_servers_and_returns_the_old_ones() {
        let (_dir, mut store) = store();
        let id = store.add_account(&account("Work")).unwrap();
        let mut edit = account(" Жұмыс ");
        edit.email = "aigerim@mail.kz".into();
        edit.incoming.security = Security::StartTls;
        edit.incoming.username = "a.n".into();
        edit.outgoing = None;

        let old = store.update_account(id, &edit).unwrap();
        assert_eq!(old.name, "Work");
        assert!(old.outgoing.is_some());
        let now = store.account_settings(id).unwrap();
        assert_eq!(now.name, "Жұмыс");
        assert_eq!(now.email.as_deref(), Some("aigerim@mail.kz"));
        assert_eq!(now.incoming.as_ref(), Some(&edit.incoming));
        assert_eq!(now.outgoing, None, "the SMTP server is gone");

        let mut edit = edit.clone();
        edit.outgoing = Some(server(Protocol::Smtp, "smtp.mail.kz", 587));
        store.update_account(id, &edit).unwrap();
        let outgoing = store.account_settings(id).unwrap().outgoing.unwrap();
        assert_eq!(outgoing.host, "smtp.mail.kz");
        assert_eq!(outgoing.pinned_sha256, Some([7; 32]), "a new server's pin");
    }

    #[test]
    fn a_server_keeps_its_pin_only_at_the_same_host_and_port() {
        let (_dir, mut store) = store();
        let id = store.add_account(&account("Work")).unwrap();
        let pins = |store: &Store| {
            let s = store.account_settings(id).unwrap();
            (
                s.incoming.unwrap().pinned_sha256,
                s.outgoing.unwrap().pinned_sha256,
            )
        };

        // Security and user name are no part of what was pinned.
        let mut edit = account("Work");
        edit.incoming.security = Security::StartTls;
        edit.incoming.host = "IMAP.example.kz".into();
        store.update_account(id, &edit).unwrap();
        assert_eq!(pins(&store), (Some([7; 32]), Some([7; 32])));

        edit.incoming.host = "mail.example.kz".into();
        store.update_account(id, &edit).unwrap();
        assert_eq!(pins(&store), (None, Some([7; 32])), "another host");

        let mut edit = account("Work");
        edit.incoming.host = "mail.example.kz".into();
        edit.incoming.pinned_sha256 = None;
        edit.outgoing.as_mut().unwrap().port = 587;
        store.update_account(id, &edit).unwrap();
        assert_eq!(pins(&store), (None, None), "another port");
    }

    #[test]
    fn an_edit_keeps_the_incoming_protocol_and_takes_nothing_unusable() {
        let (_dir, mut store) = store();
        let id = store.add_account(&account("Work")).unwrap();
        let before = store.account_settings(id).unwrap();
        let refused = |store: &mut Store, edit: NewAccount| {
            let e = store.update_account(id, &edit).unwrap_err();
            assert!(matches!(e, Error::InvalidSettings(_)), "{e:?}");
        };

        let mut edit = account("Work");
        edit.incoming = server(Protocol::Pop3, "pop.example.kz", 995);
        refused(&mut store, edit);
        let mut edit = account("Work");
        edit.outgoing = Some(server(Protocol::Imap, "imap.example.kz", 993));
        refused(&mut store, edit);
        refused(&mut store, account("  "));
        let mut edit = account("Work");
        edit.email = "a@example.kz\r\nBcc: b@example.kz".into();
        refused(&mut store, edit);
        let mut edit = account("Work");
        edit.incoming.host = " ".into();
        refused(&mut store, edit);
        assert_eq!(
            store.account_settings(id).unwrap(),
            before,
            "nothing changed"
        );

        assert!(matches!(
            store.update_account(LOCAL_ACCOUNT, &account("Local")),
            Err(Error::ProtectedAccount)
        ));
        assert!(matches!(
            store.update_account(AccountId(999), &account("None")),
            Err(Error::NotFound { .. })
        ));
    }

    #[test]
    fn accounts_move_among_themselves_and_local_folders_stay_last() {
        let (_dir, mut store) = store();
        let a = store.add_account(&account("A")).unwrap();
        let b = store.add_account(&account("B")).unwrap();
        let c = store.add_account(&account("C")).unwrap();
        assert_eq!(names(&store), ["A", "B", "C", "Local Folders"]);

        store.move_account(c, 0).unwrap();
        assert_eq!(names(&store), ["C", "A", "B", "Local Folders"]);
        store.move_account(c, 1).unwrap();
        assert_eq!(names(&store), ["A", "C", "B", "Local Folders"]);
        store.move_account(a, 99).unwrap();
        assert_eq!(names(&store), ["C", "B", "A", "Local Folders"]);
        store.move_account(b, 2).unwrap();
        assert_eq!(names(&store), ["C", "A", "B", "Local Folders"]);

        // One added later comes after the others, still before Local Folders.
        store.add_account(&account("D")).unwrap();
        assert_eq!(names(&store), ["C", "A", "B", "D", "Local Folders"]);

        assert!(matches!(
            store.move_account(LOCAL_ACCOUNT, 0),
            Err(Error::ProtectedAccount)
        ));
        assert!(matches!(
            store.move_account(AccountId(999), 0),
            Err(Error::NotFound { .. })
        ));
    }

    fn listed(name: &str, role: Option<Role>) -> RemoteFolder {
        RemoteFolder {
            remote_name: name.into(),
            delimiter: Some("/".into()),
            path: name.split('/').map(String::from).collect(),
            role,
        }
    }

    fn role_of(store: &Store, account: AccountId, role: Role) -> Option<String> {
        let folder = store.folder_by_role(account, role).ok()?;
        store.remote_name(folder.id).unwrap()
    }

    #[test]
    fn a_chosen_special_folder_outlasts_folder_syncs_until_it_is_gone() {
        let (_dir, mut store) = store();
        let account = store.add_account(&account("Work")).unwrap();
        let list = vec![
            listed("INBOX", Some(Role::Inbox)),
            listed("Sent", Some(Role::Sent)),
            listed("Trash", Some(Role::Trash)),
            listed("Archive", None),
            listed("Archive/2026", None),
        ];
        let ids = store.sync_folder_list(account, &list).unwrap();
        let id = |name: &str| ids.iter().find(|(_, n)| n == name).unwrap().0;

        store
            .set_special_folder(account, Role::Sent, id("Archive/2026"))
            .unwrap();
        assert_eq!(
            role_of(&store, account, Role::Sent).as_deref(),
            Some("Archive/2026")
        );
        assert_eq!(store.folder(id("Sent")).unwrap().role, None);
        // Chosen again: nothing changes.
        store
            .set_special_folder(account, Role::Sent, id("Archive/2026"))
            .unwrap();

        // The server still flags its own Sent: the choice stands.
        store.sync_folder_list(account, &list).unwrap();
        assert_eq!(
            role_of(&store, account, Role::Sent).as_deref(),
            Some("Archive/2026")
        );
        assert_eq!(store.folder(id("Sent")).unwrap().role, None);
        assert_eq!(
            role_of(&store, account, Role::Trash).as_deref(),
            Some("Trash")
        );
        // A special folder is protected like the server's own.
        assert!(matches!(
            store.rename_folder(id("Archive/2026"), "2027"),
            Err(Error::ProtectedFolder)
        ));

        // Deleted on the server: its role goes back to the server's choice.
        let shorter: Vec<_> = list
            .iter()
            .filter(|f| f.remote_name != "Archive/2026")
            .cloned()
            .collect();
        store.sync_folder_list(account, &shorter).unwrap();
        assert_eq!(
            role_of(&store, account, Role::Sent).as_deref(),
            Some("Sent")
        );
        store.sync_folder_list(account, &list).unwrap();
        assert_eq!(
            role_of(&store, account, Role::Sent).as_deref(),
            Some("Sent"),
            "a folder listed again is not chosen again"
        );
    }

    #[test]
    fn a_special_folder_is_one_of_the_accounts_own_and_has_no_other_role() {
        let (_dir, mut store) = store();
        let work = store.add_account(&account("Work")).unwrap();
        let home = store.add_account(&account("Home")).unwrap();
        let ids = store
            .sync_folder_list(
                work,
                &[
                    listed("INBOX", Some(Role::Inbox)),
                    listed("Trash", Some(Role::Trash)),
                    listed("Old", None),
                ],
            )
            .unwrap();
        let (inbox, trash, old) = (ids[0].0, ids[1].0, ids[2].0);
        let refused = |store: &mut Store, account, role, folder| {
            let e = store.set_special_folder(account, role, folder).unwrap_err();
            assert!(matches!(e, Error::InvalidSettings(_)), "{e:?}");
        };
        refused(&mut store, home, Role::Trash, old);
        refused(&mut store, work, Role::Sent, trash);
        refused(&mut store, work, Role::Drafts, inbox);
        refused(&mut store, work, Role::Inbox, old);
        refused(&mut store, work, Role::Outbox, old);
        assert!(matches!(
            store.set_special_folder(work, Role::Drafts, FolderId(999)),
            Err(Error::NotFound { .. })
        ));
        assert_eq!(role_of(&store, work, Role::Trash).as_deref(), Some("Trash"));

        // A local folder serves too (in Local Folders, or a POP3 account).
        let mine = store
            .create_folder(LOCAL_ACCOUNT, None, "Junk mail")
            .unwrap();
        store
            .set_special_folder(LOCAL_ACCOUNT, Role::Junk, mine)
            .unwrap();
        assert_eq!(
            store.folder_by_role(LOCAL_ACCOUNT, Role::Junk).unwrap().id,
            mine
        );
    }
}

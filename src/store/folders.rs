//! Accounts and folders.

use super::Store;
use crate::error::{Error, Result};
use crate::model::{Account, AccountId, AccountKind, Folder, FolderId, Role};
use rusqlite::{OptionalExtension, Row, params};

/// The built-in Local Folders account created by the first migration.
pub const LOCAL_ACCOUNT: AccountId = AccountId(1);

const FOLDER_COLUMNS: &str =
    "id, account_id, parent_id, name, role, unread_count, total_count, subscribed";

fn folder_from_row(row: &Row<'_>) -> rusqlite::Result<Folder> {
    let role: Option<String> = row.get(4)?;
    Ok(Folder {
        id: FolderId(row.get(0)?),
        account_id: AccountId(row.get(1)?),
        parent_id: row.get::<_, Option<i64>>(2)?.map(FolderId),
        name: row.get(3)?,
        role: role.as_deref().and_then(Role::parse),
        unread: row.get(5)?,
        total: row.get(6)?,
        subscribed: row.get(7)?,
    })
}

/// Folder names become IMAP mailbox names later: no control characters,
/// no path-like tricks, a sane length.
pub fn validate_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > 200
        || name == "."
        || name == ".."
        || name.contains('/')
        || name.chars().any(char::is_control)
    {
        return Err(Error::InvalidName);
    }
    Ok(name)
}

impl Store {
    pub fn accounts(&self) -> Result<Vec<Account>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, kind, name, email FROM account ORDER BY position, id")?;
        let rows = stmt.query_map([], |row| {
            let kind: String = row.get(1)?;
            Ok(Account {
                id: AccountId(row.get(0)?),
                kind: AccountKind::parse(&kind).unwrap_or(AccountKind::Local),
                name: row.get(2)?,
                email: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every folder of every account, in display order within a parent.
    pub fn folders(&self) -> Result<Vec<Folder>> {
        let sql = format!(
            "SELECT {FOLDER_COLUMNS} FROM folder
             ORDER BY account_id,
                      -- Special folders first, in the order mail clients use.
                      CASE role WHEN 'inbox' THEN 0 WHEN 'drafts' THEN 1 WHEN 'sent' THEN 2
                                WHEN 'outbox' THEN 3 WHEN 'archive' THEN 4 WHEN 'junk' THEN 5
                                WHEN 'trash' THEN 6 ELSE 7 END,
                      position, name COLLATE NOCASE"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([], folder_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn folder(&self, id: FolderId) -> Result<Folder> {
        let sql = format!("SELECT {FOLDER_COLUMNS} FROM folder WHERE id = ?1");
        self.conn()
            .query_row(&sql, [id.0], folder_from_row)
            .optional()?
            .ok_or(Error::NotFound { what: "folder" })
    }

    pub fn folder_by_role(&self, account: AccountId, role: Role) -> Result<Folder> {
        let sql =
            format!("SELECT {FOLDER_COLUMNS} FROM folder WHERE account_id = ?1 AND role = ?2");
        self.conn()
            .query_row(&sql, params![account.0, role.as_str()], folder_from_row)
            .optional()?
            .ok_or(Error::NotFound { what: "folder" })
    }

    /// Create a user folder in `account`, under `parent` or at the top.
    pub fn create_folder(
        &mut self,
        account: AccountId,
        parent: Option<FolderId>,
        name: &str,
    ) -> Result<FolderId> {
        let name = validate_name(name)?;
        if let Some(parent) = parent
            && self.folder(parent)?.account_id != account
        {
            return Err(Error::NotFound { what: "folder" });
        }
        self.conn()
            .execute(
                "INSERT INTO folder (account_id, parent_id, name) VALUES (?1, ?2, ?3)",
                params![account.0, parent.map(|p| p.0), name],
            )
            .map_err(name_conflict)?;
        Ok(FolderId(self.conn().last_insert_rowid()))
    }

    pub fn rename_folder(&mut self, id: FolderId, name: &str) -> Result<()> {
        let name = validate_name(name)?;
        if self.folder(id)?.role.is_some() {
            return Err(Error::ProtectedFolder);
        }
        self.conn()
            .execute(
                "UPDATE folder SET name = ?2 WHERE id = ?1",
                params![id.0, name],
            )
            .map_err(name_conflict)?;
        Ok(())
    }

    /// Ids of `id` and every folder below it.
    pub fn subtree(&self, id: FolderId) -> Result<Vec<FolderId>> {
        let mut stmt = self.conn().prepare_cached(
            "WITH RECURSIVE sub(id) AS (
                 SELECT ?1 UNION ALL SELECT f.id FROM folder f JOIN sub ON f.parent_id = sub.id
             ) SELECT id FROM sub",
        )?;
        let rows = stmt.query_map([id.0], |row| Ok(FolderId(row.get(0)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Delete a user folder and its subfolders. Their messages go to the
    /// account's Trash first, as users expect; a folder already inside the
    /// Trash is deleted for good. Returns how many messages moved to Trash.
    pub fn delete_folder(&mut self, id: FolderId) -> Result<usize> {
        let folder = self.folder(id)?;
        if folder.role.is_some() {
            return Err(Error::ProtectedFolder);
        }
        let trash = self.folder_by_role(folder.account_id, Role::Trash).ok();
        let doomed = self.subtree(id)?;
        let in_trash = trash.as_ref().is_some_and(|t| {
            self.subtree(t.id)
                .map(|ids| ids.contains(&id))
                .unwrap_or(false)
        });
        let tx = self.conn_mut().transaction()?;
        let mut moved = 0;
        if let (Some(trash), false) = (trash, in_trash) {
            for folder in &doomed {
                moved += tx.execute(
                    "UPDATE message SET folder_id = ?2, uid = NULL WHERE folder_id = ?1",
                    params![folder.0, trash.id.0],
                )?;
            }
        }
        tx.execute("DELETE FROM folder WHERE id = ?1", [id.0])?;
        tx.commit()?;
        Ok(moved)
    }
}

fn name_conflict(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::SqliteFailure(err, _)
            if err.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Error::NameTaken
        }
        other => other.into(),
    }
}

//! Numbered schema migrations keyed on `PRAGMA user_version`. Migration N
//! takes the schema from version N-1 to N; each runs in one transaction,
//! so a crash mid-migration leaves the previous version intact.

use crate::error::{Error, Result};
use rusqlite::Connection;

/// Index i holds migration i+1. Append only; never edit a shipped entry.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14];

pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn current_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, latest_version())
}

pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    apply(conn, MIGRATIONS, target)
}

/// Apply `migrations` up to version `target`. Public so tests can check
/// upgrades from any version and that a failing step changes nothing.
pub fn apply(conn: &mut Connection, migrations: &[&str], target: i64) -> Result<()> {
    let found = current_version(conn)?;
    let supported = migrations.len() as i64;
    if found > supported {
        return Err(Error::SchemaTooNew { found, supported });
    }
    for version in (found + 1)..=target.min(supported) {
        let sql = migrations[(version - 1) as usize];
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // Rows the new columns need computed by Rust, in the same
        // transaction as the schema that holds them.
        if sql == V12 {
            super::thread::backfill(&tx)?;
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "store migrated");
    }
    Ok(())
}

const V1: &str = r#"
CREATE TABLE account (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('local', 'imap', 'pop3')),
    name        TEXT NOT NULL,
    email       TEXT,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE folder (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    parent_id     INTEGER REFERENCES folder(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    -- The server's own name (IMAP modified UTF-7, full path); NULL locally.
    remote_name   TEXT,
    delimiter     TEXT,
    role          TEXT CHECK (role IN ('inbox', 'sent', 'drafts', 'trash', 'junk', 'archive', 'outbox')),
    position      INTEGER NOT NULL DEFAULT 0,
    subscribed    INTEGER NOT NULL DEFAULT 1,
    uidvalidity   INTEGER,
    uidnext       INTEGER,
    highestmodseq INTEGER,
    -- Kept current by the triggers below so the folder tree never counts rows.
    unread_count  INTEGER NOT NULL DEFAULT 0,
    total_count   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX folder_sibling_name ON folder(account_id, ifnull(parent_id, 0), name);
CREATE UNIQUE INDEX folder_account_role ON folder(account_id, role) WHERE role IS NOT NULL;

CREATE TABLE message (
    id              INTEGER PRIMARY KEY,
    folder_id       INTEGER NOT NULL REFERENCES folder(id) ON DELETE CASCADE,
    uid             INTEGER,
    message_id      TEXT,
    in_reply_to     TEXT,
    thread_key      TEXT,
    subject         TEXT NOT NULL DEFAULT '',
    from_name       TEXT NOT NULL DEFAULT '',
    from_addr       TEXT NOT NULL DEFAULT '',
    to_list         TEXT NOT NULL DEFAULT '',
    cc_list         TEXT NOT NULL DEFAULT '',
    date            INTEGER NOT NULL,
    received_at     INTEGER NOT NULL,
    size            INTEGER NOT NULL,
    flags           INTEGER NOT NULL DEFAULT 0,
    has_attachments INTEGER NOT NULL DEFAULT 0,
    preview         TEXT NOT NULL DEFAULT '',
    -- 'partial' marks a body cut short in transit: never shown as whole.
    body_state      TEXT NOT NULL DEFAULT 'none' CHECK (body_state IN ('none', 'partial', 'complete'))
) STRICT;
-- The message list: newest first within a folder, ties broken by id.
CREATE INDEX message_folder_date ON message(folder_id, date DESC, id DESC);
CREATE UNIQUE INDEX message_folder_uid ON message(folder_id, uid) WHERE uid IS NOT NULL;
CREATE INDEX message_message_id ON message(message_id) WHERE message_id IS NOT NULL;
CREATE INDEX message_thread ON message(thread_key) WHERE thread_key IS NOT NULL;

-- Raw bytes live apart from the envelope so list scans never page them in.
CREATE TABLE message_body (
    message_id INTEGER PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
    raw        BLOB NOT NULL
) STRICT;

CREATE TABLE attachment (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    filename   TEXT,
    mime_type  TEXT NOT NULL,
    size       INTEGER NOT NULL
) STRICT;
CREATE INDEX attachment_message ON attachment(message_id);

-- Full-text index, rowid = message.id. Contentless: the text is already in
-- message/message_body; contentless_delete lets triggers remove rows.
CREATE VIRTUAL TABLE message_fts USING fts5(
    subject, sender, recipients, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    message_id     TEXT NOT NULL,
    raw            BLOB NOT NULL,
    envelope_from  TEXT NOT NULL,
    envelope_to    TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'submitting', 'sent', 'failed', 'unknown', 'copied')),
    last_error     TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

-- Server operations applied locally first and replayed when online.
CREATE TABLE pending_op (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    folder_id  INTEGER REFERENCES folder(id) ON DELETE CASCADE,
    payload    TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TRIGGER message_counts_insert AFTER INSERT ON message BEGIN
    UPDATE folder SET total_count = total_count + 1,
                      unread_count = unread_count + (NEW.flags & 1 = 0)
     WHERE id = NEW.folder_id;
END;
CREATE TRIGGER message_counts_delete AFTER DELETE ON message BEGIN
    UPDATE folder SET total_count = total_count - 1,
                      unread_count = unread_count - (OLD.flags & 1 = 0)
     WHERE id = OLD.folder_id;
    DELETE FROM message_fts WHERE rowid = OLD.id;
END;
CREATE TRIGGER message_counts_update AFTER UPDATE OF flags, folder_id ON message BEGIN
    UPDATE folder SET total_count = total_count - 1,
                      unread_count = unread_count - (OLD.flags & 1 = 0)
     WHERE id = OLD.folder_id;
    UPDATE folder SET total_count = total_count + 1,
                      unread_count = unread_count + (NEW.flags & 1 = 0)
     WHERE id = NEW.folder_id;
END;

-- The built-in Local Folders account, present from the first start.
INSERT INTO account (id, kind, name, position, created_at)
    VALUES (1, 'local', 'Local Folders', 1000000, unixepoch());
INSERT INTO folder (account_id, name, role, position) VALUES
    (1, 'Inbox',  'inbox',  0),
    (1, 'Drafts', 'drafts', 1),
    (1, 'Sent',   'sent',   2),
    (1, 'Trash',  'trash',  3);
"#;

/// Server settings of an account: where it receives and sends mail. The
/// password is never stored here (it belongs in the OS keyring).
const V2: &str = r#"
CREATE TABLE account_server (
    account_id    INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    direction     TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    protocol      TEXT NOT NULL CHECK (protocol IN ('imap', 'pop3', 'smtp')),
    host          TEXT NOT NULL,
    port          INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    security      TEXT NOT NULL CHECK (security IN ('tls', 'starttls', 'plain')),
    username      TEXT NOT NULL,
    -- An extra CA to trust for this server, PEM.
    extra_ca_pem  BLOB,
    -- The SHA-256 of the one certificate the user chose to accept here.
    pinned_sha256 BLOB CHECK (pinned_sha256 IS NULL OR length(pinned_sha256) = 32),
    PRIMARY KEY (account_id, direction)
) STRICT;
CREATE UNIQUE INDEX folder_remote_name ON folder(account_id, remote_name) WHERE remote_name IS NOT NULL;
"#;

/// Per account: keep every message's body for offline reading and search
/// (downloaded after the headers on each sync). Off by default.
///
/// And no automatic merging of full-text segments on every commit: a sync
/// commits a batch at a time, and FTS5's incremental merging (with the
/// tombstones of rows re-indexed once their body arrives) cost more than
/// the indexing itself. Segments are still merged once 16 pile up on a
/// level (crisismerge), which keeps searches fast.
const V3: &str = r#"
ALTER TABLE account ADD COLUMN offline_bodies INTEGER NOT NULL DEFAULT 0 CHECK (offline_bodies IN (0, 1));
INSERT INTO message_fts (message_fts, rank) VALUES ('automerge', 0);
"#;

/// Messages whose full-text row is still to be written. A header sync
/// queues its rows here instead of tokenising them in the transaction
/// that makes them visible: the list lands sooner, and the index catches
/// up right after (see `store::search_index`). A removed message leaves
/// the queue with its row.
const V4: &str = r#"
CREATE TABLE index_queue (message_id INTEGER PRIMARY KEY) STRICT;
DROP TRIGGER message_counts_delete;
CREATE TRIGGER message_counts_delete AFTER DELETE ON message BEGIN
    UPDATE folder SET total_count = total_count - 1,
                      unread_count = unread_count - (OLD.flags & 1 = 0)
     WHERE id = OLD.folder_id;
    DELETE FROM message_fts WHERE rowid = OLD.id;
    DELETE FROM index_queue WHERE message_id = OLD.id;
END;
"#;

/// POP3 accounts: the download policy, and every message downloaded under
/// its server key (the UIDL, or Message-ID and size where the server has
/// no UIDL), so nothing is stored twice and nothing is deleted from the
/// server before it is committed here. `message_id` turns NULL when the
/// local copy is deleted for good, which is what the "delete from the
/// server when deleted here" policy waits for.
const V5: &str = r#"
ALTER TABLE account ADD COLUMN pop3_policy TEXT NOT NULL DEFAULT 'leave'
    CHECK (pop3_policy IN ('leave', 'after_days', 'when_deleted', 'at_once'));
ALTER TABLE account ADD COLUMN pop3_days INTEGER NOT NULL DEFAULT 14 CHECK (pop3_days >= 0);
CREATE TABLE pop3_seen (
    account_id    INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    message_id    INTEGER REFERENCES message(id) ON DELETE SET NULL,
    downloaded_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, key)
) STRICT;
CREATE INDEX pop3_seen_message ON pop3_seen(message_id) WHERE message_id IS NOT NULL;
"#;

/// No index on `thread_key`: nothing looks rows up by it yet, and its
/// random text keys made every batch of new headers rewrite most of its
/// pages. Conversations will want a compact (hashed) key when they come.
const V6: &str = r#"
DROP INDEX message_thread;
"#;

/// How often an account without push (POP3, or IMAP without IDLE) is
/// checked for mail, in seconds; NULL: the app's default.
const V7: &str = r#"
ALTER TABLE account ADD COLUMN check_seconds INTEGER
    CHECK (check_seconds IS NULL OR check_seconds BETWEEN 1 AND 86400);
"#;

/// Messages being written, saved every few seconds so a crash or a kill
/// loses at most those seconds; each is reopened at the next start.
const V8: &str = r#"
CREATE TABLE draft (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER REFERENCES account(id) ON DELETE SET NULL,
    to_list     TEXT NOT NULL,
    cc_list     TEXT NOT NULL,
    bcc_list    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    in_reply_to TEXT,
    refs        TEXT NOT NULL,
    answering   INTEGER REFERENCES message(id) ON DELETE SET NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE TABLE draft_attachment (
    draft_id  INTEGER NOT NULL REFERENCES draft(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (draft_id, position)
) STRICT;
"#;

/// Servers that file sent mail in Sent themselves (Gmail does): Poshta
/// then keeps no copy of its own, or there would be two.
const V9: &str = r#"
ALTER TABLE account ADD COLUMN server_files_sent INTEGER NOT NULL DEFAULT 0
    CHECK (server_files_sent IN (0, 1));
"#;
/// The address book the composer completes from: everyone mail came from
/// or went to, with how often (`store::contacts`). `search` is the name
/// and address in lower case (SQLite folds ASCII only); `learned_through`
/// is the last message id counted, so learning goes on where it stopped.
const V10: &str = r#"
CREATE TABLE contact (
    address   TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    search    TEXT NOT NULL,
    received  INTEGER NOT NULL DEFAULT 0,
    sent      INTEGER NOT NULL DEFAULT 0,
    last_seen INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE contact_progress (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    learned_through INTEGER NOT NULL
) STRICT;
INSERT INTO contact_progress VALUES (1, 0);
-- The text the composer puts under a new message from this account, and
-- where replies to its mail should go ('' for the sender).
ALTER TABLE account ADD COLUMN signature TEXT NOT NULL DEFAULT '';
ALTER TABLE account ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
-- The submission server's SIZE (RFC 1870) when last connected; NULL unknown.
ALTER TABLE account ADD COLUMN smtp_max_size INTEGER;
-- A draft's copy as a message in its account's Drafts folder (uploaded to
-- an IMAP server's), replaced at each save that files one.
ALTER TABLE draft ADD COLUMN copy_id INTEGER REFERENCES message(id) ON DELETE SET NULL;
"#;

/// A folder the user chose for its role (Sent, Drafts, Trash...): the
/// server's special-use flags no longer move that role elsewhere at the
/// next folder sync (see `remote::sync_folder_list`).
const V11: &str = r#"
ALTER TABLE folder ADD COLUMN role_chosen INTEGER NOT NULL DEFAULT 0 CHECK (role_chosen IN (0, 1));
"#;

/// Conversations and the keys the list sorts by (`store::thread`,
/// `store::list`). `thread_id` is a `thread` row, shared by every message
/// of one conversation within one account; a merged thread points at the
/// one it joined. `thread_ref` remembers Message-IDs that a stored message
/// refers to but that are not here (a reply synced before what it answers,
/// newest first), so the answered message joins the reply's thread when
/// it comes. The folder-thread index serves the threaded list, the
/// conversation and merges alike; its new keys mostly land at its end
/// (new threads get the highest ids). `sender_key` and `subject_key` are
/// lower-cased by Rust (SQLite folds ASCII only), the subject without
/// "Re:" and kin. Existing rows are threaded by `thread::backfill` in
/// this migration's transaction.
const V12: &str = r#"
ALTER TABLE message ADD COLUMN thread_id INTEGER;
ALTER TABLE message ADD COLUMN sender_key TEXT NOT NULL DEFAULT '';
ALTER TABLE message ADD COLUMN subject_key TEXT NOT NULL DEFAULT '';
CREATE TABLE thread (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    merged_into INTEGER
) STRICT;
CREATE INDEX thread_account ON thread(account_id);
CREATE TABLE thread_ref (
    account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    thread_id  INTEGER NOT NULL,
    PRIMARY KEY (account_id, message_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX message_folder_thread ON message(folder_id, thread_id, date);
-- Without these a screen sorted by sender, subject or size sorts the whole
-- folder: 35-215 ms at 100,000 messages (README, Performance).
CREATE INDEX message_folder_sender ON message(folder_id, sender_key);
CREATE INDEX message_folder_subject ON message(folder_id, subject_key);
CREATE INDEX message_folder_size ON message(folder_id, size);
"#;

/// The full-text index gains the attachments' names, and CJK text is
/// indexed a character at a time (`search::fts`). A contentless table
/// cannot take a column or re-tokenise, so it is made anew and every
/// message queued: the index catches up in the background chunks of
/// `store::search_index` (and a search catches up first).
const V13: &str = r#"
DROP TABLE message_fts;
CREATE VIRTUAL TABLE message_fts USING fts5(
    subject, sender, recipients, body, attachments,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO message_fts (message_fts, rank) VALUES ('automerge', 0);
INSERT OR IGNORE INTO index_queue (message_id) SELECT id FROM message;
"#;

/// A huge folder's list without scans (README, Performance).
///
/// `head` marks the newest message of its conversation in its folder
/// (ties by id; a message with no thread is its own): the threaded list is
/// then its heads, walked on a sort index like the flat list instead of
/// probing the folder-thread index for every row passed. New rows come in
/// as heads, which most are (new mail is the newest of its thread), and
/// the triggers below settle the thread: one row changes, usually none.
///
/// The sort indexes end in the columns the filters and `head` test, so
/// skipping to a page deep in a filtered or threaded list reads only the
/// index (a filter's middle page otherwise looked up half the folder's
/// rows). `id` is named before them so ties keep their order.
///
/// The folder row counts flagged rows, rows with attachments and threads
/// alongside unread and total, so the list's count for any single filter
/// or the threads is one row read (the flagged count was a scan).
const V14: &str = r#"
ALTER TABLE message ADD COLUMN head INTEGER NOT NULL DEFAULT 1 CHECK (head IN (0, 1));
UPDATE message SET head = 0 WHERE thread_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM message n
    WHERE n.folder_id = message.folder_id AND n.thread_id = message.thread_id
      AND (n.date > message.date OR (n.date = message.date AND n.id > message.id)));

DROP INDEX message_folder_date;
DROP INDEX message_folder_sender;
DROP INDEX message_folder_subject;
DROP INDEX message_folder_size;
DROP INDEX message_folder_thread;
CREATE INDEX message_folder_date ON message(folder_id, date DESC, id DESC, flags, has_attachments, head);
CREATE INDEX message_folder_sender ON message(folder_id, sender_key, id, flags, has_attachments, head);
CREATE INDEX message_folder_subject ON message(folder_id, subject_key, id, flags, has_attachments, head);
CREATE INDEX message_folder_size ON message(folder_id, size, id, flags, has_attachments, head);
-- A thread's newest in a folder is its last entry here; the filter
-- columns let a filtered threaded list test "newer in its thread" here.
CREATE INDEX message_folder_thread ON message(folder_id, thread_id, date, id, flags, has_attachments);
-- Finds a thread's head in a folder without walking the thread.
CREATE INDEX message_head ON message(folder_id, thread_id) WHERE head = 1;

ALTER TABLE folder ADD COLUMN flagged_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE folder ADD COLUMN attachment_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE folder ADD COLUMN thread_count INTEGER NOT NULL DEFAULT 0;
UPDATE folder SET
    flagged_count = (SELECT count(*) FROM message WHERE folder_id = folder.id AND flags & 2 != 0),
    attachment_count = (SELECT count(*) FROM message
                        WHERE folder_id = folder.id AND has_attachments != 0),
    thread_count = (SELECT count(*) FROM message WHERE folder_id = folder.id AND head = 1);

DROP TRIGGER message_counts_insert;
DROP TRIGGER message_counts_delete;
DROP TRIGGER message_counts_update;
CREATE TRIGGER message_counts_insert AFTER INSERT ON message BEGIN
    UPDATE folder SET total_count = total_count + 1,
                      unread_count = unread_count + (NEW.flags & 1 = 0),
                      flagged_count = flagged_count + (NEW.flags & 2 != 0),
                      attachment_count = attachment_count + (NEW.has_attachments != 0),
                      thread_count = thread_count + NEW.head
     WHERE id = NEW.folder_id;
END;
CREATE TRIGGER message_counts_delete AFTER DELETE ON message BEGIN
    UPDATE folder SET total_count = total_count - 1,
                      unread_count = unread_count - (OLD.flags & 1 = 0),
                      flagged_count = flagged_count - (OLD.flags & 2 != 0),
                      attachment_count = attachment_count - (OLD.has_attachments != 0),
                      thread_count = thread_count - OLD.head
     WHERE id = OLD.folder_id;
    DELETE FROM message_fts WHERE rowid = OLD.id;
    DELETE FROM index_queue WHERE message_id = OLD.id;
END;
CREATE TRIGGER message_counts_update AFTER UPDATE OF flags, folder_id, has_attachments
ON message BEGIN
    UPDATE folder SET total_count = total_count - 1,
                      unread_count = unread_count - (OLD.flags & 1 = 0),
                      flagged_count = flagged_count - (OLD.flags & 2 != 0),
                      attachment_count = attachment_count - (OLD.has_attachments != 0),
                      thread_count = thread_count - OLD.head
     WHERE id = OLD.folder_id;
    UPDATE folder SET total_count = total_count + 1,
                      unread_count = unread_count + (NEW.flags & 1 = 0),
                      flagged_count = flagged_count + (NEW.flags & 2 != 0),
                      attachment_count = attachment_count + (NEW.has_attachments != 0),
                      thread_count = thread_count + NEW.head
     WHERE id = NEW.folder_id;
END;
-- Apart, so a head stepping down (a quarter of new mail) writes one
-- folder row once. Only the triggers below change `head`, never with
-- `folder_id` in the same statement.
CREATE TRIGGER message_thread_count AFTER UPDATE OF head ON message
WHEN OLD.head != NEW.head BEGIN
    UPDATE folder SET thread_count = thread_count + NEW.head - OLD.head WHERE id = NEW.folder_id;
END;

-- A new row is a head unless its thread has a newer message here; an
-- older head steps down.
CREATE TRIGGER message_head_insert AFTER INSERT ON message WHEN NEW.thread_id IS NOT NULL BEGIN
    UPDATE message SET head = 0
     WHERE folder_id = NEW.folder_id AND thread_id = NEW.thread_id AND head = 1
       AND id != (SELECT n.id FROM message n
                  WHERE n.folder_id = NEW.folder_id AND n.thread_id = NEW.thread_id
                  ORDER BY n.date DESC, n.id DESC LIMIT 1);
END;
-- A head leaving: the next newest of its thread there steps up.
CREATE TRIGGER message_head_delete AFTER DELETE ON message
WHEN OLD.head = 1 AND OLD.thread_id IS NOT NULL BEGIN
    UPDATE message SET head = 1
     WHERE id = (SELECT n.id FROM message n
                 WHERE n.folder_id = OLD.folder_id AND n.thread_id = OLD.thread_id
                 ORDER BY n.date DESC, n.id DESC LIMIT 1);
END;
-- Moved to another folder or thread (a move, a merge, a rethread): as a
-- delete from where it was and an insert where it is.
CREATE TRIGGER message_head_update AFTER UPDATE OF folder_id, thread_id ON message
WHEN OLD.folder_id != NEW.folder_id OR OLD.thread_id IS NOT NEW.thread_id BEGIN
    UPDATE message SET head = 1
     WHERE OLD.head = 1 AND OLD.thread_id IS NOT NULL
       AND id = (SELECT n.id FROM message n
                 WHERE n.folder_id = OLD.folder_id AND n.thread_id = OLD.thread_id
                 ORDER BY n.date DESC, n.id DESC LIMIT 1);
    UPDATE message SET head = 0
     WHERE folder_id = NEW.folder_id AND thread_id = NEW.thread_id AND head = 1
       AND id != (SELECT n.id FROM message n
                  WHERE n.folder_id = NEW.folder_id AND n.thread_id = NEW.thread_id
                  ORDER BY n.date DESC, n.id DESC LIMIT 1);
    UPDATE message SET head = 1
     WHERE id = NEW.id AND head = 0 AND (NEW.thread_id IS NULL OR id = (
           SELECT n.id FROM message n
           WHERE n.folder_id = NEW.folder_id AND n.thread_id = NEW.thread_id
           ORDER BY n.date DESC, n.id DESC LIMIT 1));
END;
"#;

//! The SQLite store: schema and migrations, message insertion, the paged
//! list the window reads, folder counts, full-text search, folder rules.

use poshta::mime::parse::parse;
use poshta::model::{Flags, FolderId, MessageId, Role};
use poshta::store::folders::LOCAL_ACCOUNT;
use poshta::store::messages::{self, NewMessage};
use poshta::store::{Store, migrations};
use poshta::{Error, ErrorKind};
use rusqlite::Connection;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("poshta.sqlite3")).unwrap();
    (dir, store)
}

fn raw(n: usize, subject: &str, date: i64) -> Vec<u8> {
    let date = chrono::DateTime::from_timestamp(date, 0)
        .unwrap()
        .to_rfc2822();
    format!(
        "From: Sender {n} <s{n}@example.com>\r\nTo: me@example.com\r\nSubject: {subject}\r\n\
         Date: {date}\r\nMessage-ID: <m{n}@example.com>\r\n\r\nBody number {n}.\r\n"
    )
    .into_bytes()
}

fn add(store: &mut Store, folder: FolderId, items: &[(usize, &str, i64)]) -> Vec<MessageId> {
    let tx = store.batch().unwrap();
    let mut ids = Vec::new();
    for (n, subject, date) in items {
        let raw = raw(*n, subject, *date);
        let parsed = parse(&raw).unwrap();
        ids.push(
            messages::insert(
                &tx,
                folder,
                &NewMessage {
                    raw: &raw,
                    parsed: &parsed,
                    flags: Flags::default(),
                    fallback_date: 0,
                },
            )
            .unwrap(),
        );
    }
    tx.commit().unwrap();
    ids
}

fn inbox(store: &Store) -> FolderId {
    store.folder_by_role(LOCAL_ACCOUNT, Role::Inbox).unwrap().id
}

#[test]
fn fresh_store_is_at_latest_schema_with_a_rollback_journal_fk_and_strict_tables() {
    let (_dir, store) = store();
    let conn = Connection::open(store.path()).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, migrations::latest_version());
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    // Not WAL (which a file keeps): a rollback journal, which each
    // connection picks for itself (this one gets SQLite's default).
    assert_eq!(mode, "delete");
    assert!(!store.path().with_extension("sqlite3-wal").exists());
    // Every ordinary table is STRICT: a text in an INTEGER column fails.
    let strict: Vec<(String, i64)> = conn
        .prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'message_fts%'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(strict.len(), 16, "{strict:?}");
    assert!(strict.iter().all(|(_, s)| *s == 1), "{strict:?}");
    let bad = conn.execute(
        "INSERT INTO account (kind, name, created_at) VALUES ('local', 'x', 'not a number')",
        [],
    );
    assert!(bad.is_err());
}

#[test]
fn local_folders_exist_from_the_start() {
    let (_dir, store) = store();
    let accounts = store.accounts().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].id, LOCAL_ACCOUNT);
    let roles: Vec<_> = store.folders().unwrap().iter().map(|f| f.role).collect();
    assert_eq!(
        roles,
        vec![
            Some(Role::Inbox),
            Some(Role::Drafts),
            Some(Role::Sent),
            Some(Role::Trash)
        ]
    );
}

#[test]
fn migrations_are_stepwise_idempotent_and_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.sqlite3");
    let mut conn = Connection::open(&path).unwrap();
    migrations::migrate_to(&mut conn, 0).unwrap();
    assert_eq!(migrations::current_version(&conn).unwrap(), 0);
    migrations::migrate(&mut conn).unwrap();
    migrations::migrate(&mut conn).unwrap();
    assert_eq!(
        migrations::current_version(&conn).unwrap(),
        migrations::latest_version()
    );

    // A later migration that fails half-way leaves the schema untouched.
    let mut steps: Vec<&str> = migrations::MIGRATIONS.to_vec();
    steps.push("CREATE TABLE half_done (x INTEGER) STRICT; THIS IS NOT SQL;");
    let err = migrations::apply(&mut conn, &steps, steps.len() as i64);
    assert!(err.is_err());
    assert_eq!(
        migrations::current_version(&conn).unwrap(),
        migrations::latest_version()
    );
    let exists: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(exists, 0);

    // A store written by a newer Poshta is refused, not downgraded.
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    match Store::open(&path) {
        Err(Error::SchemaTooNew { found: 99, .. }) => {}
        other => panic!("expected SchemaTooNew, got {:?}", other.err()),
    }
}

#[test]
fn a_damaged_file_is_reported_as_a_storage_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("poshta.sqlite3");
    std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
    let err = Store::open(&path).err().expect("must not open");
    assert_eq!(err.kind(), ErrorKind::Storage);
}

#[test]
fn pages_are_newest_first_and_counts_follow_flags() {
    let (_dir, mut store) = store();
    let inbox = inbox(&store);
    let items: Vec<(usize, String, i64)> = (0..250)
        .map(|n| {
            (
                n,
                format!("Message {n}"),
                1_700_000_000 + (n as i64 % 100) * 60,
            )
        })
        .collect();
    let refs: Vec<(usize, &str, i64)> =
        items.iter().map(|(n, s, d)| (*n, s.as_str(), *d)).collect();
    let ids = add(&mut store, inbox, &refs);

    assert_eq!(
        store
            .message_count(inbox, &poshta::model::ListQuery::default())
            .unwrap(),
        250
    );
    let all: Vec<_> = (0..5)
        .flat_map(|page| {
            store
                .message_page(inbox, &poshta::model::ListQuery::default(), page * 50, 50)
                .unwrap()
        })
        .collect();
    assert_eq!(all.len(), 250);
    // Sorted by date descending, ties by id descending, no row twice.
    for pair in all.windows(2) {
        assert!((pair[0].date, pair[0].id) > (pair[1].date, pair[1].id));
    }
    assert!(
        store
            .message_page(inbox, &poshta::model::ListQuery::default(), 250, 50)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .message_page(inbox, &poshta::model::ListQuery::default(), 240, 50)
            .unwrap()
            .len(),
        10
    );

    let folder = store.folder(inbox).unwrap();
    assert_eq!((folder.unread, folder.total), (250, 250));
    assert_eq!(store.set_flag(&ids[..10], Flags::SEEN, true).unwrap(), 10);
    // Setting a flag that is already set changes nothing and counts nothing.
    assert_eq!(store.set_flag(&ids[..10], Flags::SEEN, true).unwrap(), 0);
    assert_eq!(store.folder(inbox).unwrap().unread, 240);
    store.set_flag(&ids[..3], Flags::SEEN, false).unwrap();
    assert_eq!(store.folder(inbox).unwrap().unread, 243);
    let flagged = store.set_flag(&ids[5..6], Flags::FLAGGED, true).unwrap();
    assert_eq!(flagged, 1);
    assert!(
        store
            .message_summary(ids[5])
            .unwrap()
            .flags
            .contains(Flags::FLAGGED)
    );
}

#[test]
fn bodies_are_stored_apart_and_byte_exact() {
    let (_dir, mut store) = store();
    let inbox = inbox(&store);
    let ids = add(&mut store, inbox, &[(1, "Hello", 1_700_000_000)]);
    assert_eq!(
        store.raw_message(ids[0]).unwrap(),
        raw(1, "Hello", 1_700_000_000)
    );
    assert!(matches!(
        store.raw_message(MessageId(9999)),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn full_text_search_finds_words_in_any_script_and_forgets_deleted_mail() {
    let (_dir, mut store) = store();
    let inbox = inbox(&store);
    add(
        &mut store,
        inbox,
        &[
            (1, "Quarterly report", 1_700_000_000),
            (2, "Встреча в четверг", 1_700_000_100),
            (3, "Жиналыс кестесі", 1_700_000_200),
        ],
    );
    let hits = |store: &mut Store, q: &str| -> Vec<String> {
        store
            .search(
                &poshta::search::Query::parse(q),
                poshta::search::Scope::All,
                10,
            )
            .unwrap()
            .into_iter()
            .map(|m| m.subject)
            .collect()
    };
    assert_eq!(hits(&mut store, "quarterly"), vec!["Quarterly report"]);
    assert_eq!(hits(&mut store, "ЧЕТВЕРГ"), vec!["Встреча в четверг"]);
    assert_eq!(hits(&mut store, "кестесі"), vec!["Жиналыс кестесі"]);
    assert_eq!(hits(&mut store, "number 2"), vec!["Встреча в четверг"]);
    // Query syntax characters are taken literally, never an SQL error.
    assert!(hits(&mut store, "\"unbalanced AND (").is_empty());

    let folder = store.create_folder(LOCAL_ACCOUNT, None, "Reports").unwrap();
    let trash = store.folder_by_role(LOCAL_ACCOUNT, Role::Trash).unwrap().id;
    add(&mut store, folder, &[(4, "Zebra findings", 1_700_000_300)]);
    store.delete_folder(folder).unwrap();
    assert_eq!(
        hits(&mut store, "zebra"),
        vec!["Zebra findings"],
        "moved to Trash, still found"
    );
    let sub = store
        .create_folder(LOCAL_ACCOUNT, Some(trash), "Old")
        .unwrap();
    add(&mut store, sub, &[(5, "Yak shaving", 1_700_000_400)]);
    store.delete_folder(sub).unwrap();
    assert!(
        hits(&mut store, "yak").is_empty(),
        "deleted from inside Trash: gone"
    );
}

#[test]
fn folders_can_be_created_renamed_nested_and_deleted_into_trash() {
    let (_dir, mut store) = store();
    let projects = store
        .create_folder(LOCAL_ACCOUNT, None, "Projects")
        .unwrap();
    let y2026 = store
        .create_folder(LOCAL_ACCOUNT, Some(projects), "2026")
        .unwrap();
    assert!(matches!(
        store.create_folder(LOCAL_ACCOUNT, None, "Projects"),
        Err(Error::NameTaken)
    ));
    // The same name under another parent is fine.
    store
        .create_folder(LOCAL_ACCOUNT, Some(projects), "Projects")
        .unwrap();
    for bad in ["", "  ", "a/b", "..", "tab\there"] {
        assert!(
            matches!(
                store.create_folder(LOCAL_ACCOUNT, None, bad),
                Err(Error::InvalidName)
            ),
            "{bad:?}"
        );
    }
    store.rename_folder(projects, "Work").unwrap();
    assert_eq!(store.folder(projects).unwrap().name, "Work");
    let inbox = inbox(&store);
    assert!(matches!(
        store.rename_folder(inbox, "Post"),
        Err(Error::ProtectedFolder)
    ));
    assert!(matches!(
        store.delete_folder(inbox),
        Err(Error::ProtectedFolder)
    ));

    add(&mut store, y2026, &[(1, "a", 1), (2, "b", 2)]);
    add(&mut store, projects, &[(3, "c", 3)]);
    let moved = store.delete_folder(projects).unwrap();
    assert_eq!(moved, 3);
    assert!(matches!(store.folder(y2026), Err(Error::NotFound { .. })));
    let trash = store.folder_by_role(LOCAL_ACCOUNT, Role::Trash).unwrap();
    assert_eq!((trash.total, trash.unread), (3, 3));
}

#[test]
fn all_inboxes_merge_every_accounts_inbox_newest_first() {
    use poshta::account::{NewAccount, Protocol, Security, Server};
    let (_dir, mut store) = store();
    let account = store
        .add_account(&NewAccount {
            name: "Shop".into(),
            email: "shop@example.kz".into(),
            incoming: Server {
                protocol: Protocol::Pop3,
                host: "pop.example.kz".into(),
                port: 995,
                security: Security::Tls,
                username: "shop@example.kz".into(),
                extra_ca_pem: None,
                pinned_sha256: None,
            },
            outgoing: None,
        })
        .unwrap();
    let shop = store.folder_by_role(account, Role::Inbox).unwrap().id;
    let local = inbox(&store);
    let sent = store.folder_by_role(LOCAL_ACCOUNT, Role::Sent).unwrap().id;
    add(
        &mut store,
        local,
        &[(1, "local old", 1_000), (2, "local new", 3_000)],
    );
    add(
        &mut store,
        shop,
        &[(3, "shop middle", 2_000), (4, "shop newest", 4_000)],
    );
    add(&mut store, sent, &[(5, "not an inbox", 5_000)]);

    let all = FolderId::ALL_INBOXES;
    let subjects: Vec<String> = store
        .message_page(all, &poshta::model::ListQuery::default(), 0, 10)
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(
        subjects,
        ["shop newest", "local new", "shop middle", "local old"]
    );
    let second: Vec<String> = store
        .message_page(all, &poshta::model::ListQuery::default(), 1, 2)
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(second, ["local new", "shop middle"], "paged like a folder");
    assert_eq!(
        store
            .message_count(all, &poshta::model::ListQuery::default())
            .unwrap(),
        4
    );
    assert_eq!(store.all_inboxes_counts().unwrap(), (4, 4));
}

//! Counts and pages against the same list worked out from every row, for
//! every sort, filter and the threads, after each way a message is added,
//! flagged, moved, deleted or rethreaded: the counters and thread heads
//! the triggers keep must never drift.

use super::*;
use crate::mime::parse::Parsed;
use crate::model::{Attachment, MessageId, Role};
use crate::store::folders::LOCAL_ACCOUNT;
use crate::store::messages::{self, NewMessage};

const T0: i64 = 1_790_000_000;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    inbox: FolderId,
    trash: FolderId,
    sent: FolderId,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    let folder = |role| store.folder_by_role(LOCAL_ACCOUNT, role).unwrap().id;
    let (inbox, trash, sent) = (folder(Role::Inbox), folder(Role::Trash), folder(Role::Sent));
    Fixture {
        _dir: dir,
        store,
        inbox,
        trash,
        sent,
    }
}

/// Message `n`, replying to `parent` if given, from one of a few senders.
fn put(
    store: &mut Store,
    folder: FolderId,
    n: u32,
    parent: Option<u32>,
    date: i64,
    flags: Flags,
    attached: bool,
) -> MessageId {
    let parent = parent.map(|p| format!("m{p}@x"));
    let parsed = Parsed {
        subject: format!(
            "{}subject {}",
            if parent.is_some() { "Re: " } else { "" },
            n % 5
        ),
        from_name: format!("Sender {}", n % 3),
        from_addr: "s@example.test".into(),
        date: Some(date),
        message_id: Some(format!("m{n}@x")),
        in_reply_to: parent.clone(),
        references: parent.into_iter().collect(),
        attachments: if attached {
            vec![Attachment {
                filename: Some("a.pdf".into()),
                mime_type: "application/pdf".into(),
                size: 10,
            }]
        } else {
            Vec::new()
        },
        ..Parsed::default()
    };
    let tx = store.batch().unwrap();
    let id = messages::insert(
        &tx,
        folder,
        &NewMessage {
            raw: b"Subject: x\r\n\r\nx",
            parsed: &parsed,
            flags,
            fallback_date: 0,
        },
    )
    .unwrap();
    tx.commit().unwrap();
    id
}

struct Row {
    id: i64,
    thread: Option<i64>,
    date: i64,
    flags: u32,
    attached: bool,
    sender: String,
    subject: String,
    size: i64,
}

/// `q`'s list of `folder` from every row, the way the list defines it:
/// (id, thread size) in order.
fn expected(store: &Store, folder: FolderId, q: &ListQuery) -> Vec<(i64, u32)> {
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT id, thread_id, date, flags, has_attachments, sender_key, subject_key, size
             FROM message WHERE folder_id = ?1",
        )
        .unwrap();
    let rows: Vec<Row> = stmt
        .query_map([folder.0], |r| {
            Ok(Row {
                id: r.get(0)?,
                thread: r.get(1)?,
                date: r.get(2)?,
                flags: r.get(3)?,
                attached: r.get(4)?,
                sender: r.get(5)?,
                subject: r.get(6)?,
                size: r.get(7)?,
            })
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let f = q.filter;
    let matching: Vec<&Row> = rows
        .iter()
        .filter(|r| !f.unread || r.flags & 1 == 0)
        .filter(|r| !f.flagged || r.flags & 2 != 0)
        .filter(|r| !f.attachments || r.attached)
        .collect();
    let mut listed: Vec<(&Row, u32)> = if q.threads {
        let same = |a: &Row, b: &Row| (a.thread.is_some() && a.thread == b.thread) || a.id == b.id;
        matching
            .iter()
            .filter(|r| {
                !matching
                    .iter()
                    .any(|t| same(t, r) && (t.date, t.id) > (r.date, r.id))
            })
            .map(|r| (*r, matching.iter().filter(|t| same(t, r)).count() as u32))
            .collect()
    } else {
        matching.iter().map(|r| (*r, 1)).collect()
    };
    listed.sort_by(|(a, _), (b, _)| {
        let by = match q.sort {
            Sort::Date => a.date.cmp(&b.date),
            Sort::Sender => a.sender.cmp(&b.sender),
            Sort::Subject => a.subject.cmp(&b.subject),
            Sort::Size => a.size.cmp(&b.size),
        };
        by.then(a.id.cmp(&b.id))
    });
    if q.descending {
        listed.reverse();
    }
    listed.into_iter().map(|(r, n)| (r.id, n)).collect()
}

/// Every query's count and pages (from the top, across the middle, at
/// the end, read from either end) match the list worked out from rows.
fn check(store: &Store, folder: FolderId, step: &str) {
    let filters = [
        Filter::default(),
        Filter {
            unread: true,
            ..Filter::default()
        },
        Filter {
            flagged: true,
            ..Filter::default()
        },
        Filter {
            attachments: true,
            ..Filter::default()
        },
        Filter {
            unread: true,
            flagged: true,
            attachments: false,
        },
    ];
    for threads in [false, true] {
        for filter in filters {
            for sort in [Sort::Date, Sort::Sender, Sort::Subject, Sort::Size] {
                for descending in [false, true] {
                    let q = ListQuery {
                        sort,
                        descending,
                        filter,
                        threads,
                    };
                    let want = expected(store, folder, &q);
                    let count = store.message_count(folder, &q).unwrap();
                    assert_eq!(count, want.len(), "{step}: count of {q:?}");
                    for (offset, limit) in [(0, 100), (0, 2), (3, 2), (want.len() / 2, 3)]
                        .into_iter()
                        .chain([(want.len().saturating_sub(2), 2), (want.len(), 2)])
                    {
                        let page: Vec<(i64, u32)> = store
                            .message_page(folder, &q, offset, limit)
                            .unwrap()
                            .into_iter()
                            .map(|s| (s.id.0, s.thread_size))
                            .collect();
                        let end = want.len().min(offset + limit);
                        let slice = want.get(offset.min(end)..end).unwrap_or_default();
                        assert_eq!(page, slice, "{step}: {q:?} at {offset}+{limit}");
                    }
                }
            }
        }
    }
}

fn check_all(f: &Fixture, step: &str) {
    for folder in [f.inbox, f.trash, f.sent] {
        check(&f.store, folder, step);
    }
}

#[test]
fn counts_and_pages_follow_every_change() {
    let mut f = fixture();
    let (inbox, trash, sent) = (f.inbox, f.trash, f.sent);
    // Threads of a few messages, replies stored before and after what
    // they answer, equal dates, some read, flagged or with attachments.
    let mut ids = Vec::new();
    for n in 0..24u32 {
        let parent = match n % 6 {
            2 | 5 => n.checked_sub(2),
            3 => Some(n + 2),
            _ => None,
        };
        let date = T0 + i64::from(n / 2) * 60 - if n % 5 == 0 { 3600 } else { 0 };
        let flags = match n % 4 {
            0 => Flags::SEEN,
            1 => Flags::FLAGGED,
            2 => Flags::SEEN.with(Flags::FLAGGED, true),
            _ => Flags::default(),
        };
        let folder = if n % 7 == 6 { sent } else { inbox };
        ids.push(put(
            &mut f.store,
            folder,
            n,
            parent,
            date,
            flags,
            n % 6 == 1,
        ));
    }
    check_all(&f, "added");

    // A message linking two threads merges them (m30 answers m0 and
    // names m3 in its References).
    let parsed_merge = |store: &mut Store| {
        let parsed = Parsed {
            subject: "Re: subject 0".into(),
            from_addr: "t@example.test".into(),
            date: Some(T0 - 7200),
            message_id: Some("m30@x".into()),
            in_reply_to: Some("m0@x".into()),
            references: vec!["m3@x".into(), "m0@x".into()],
            ..Parsed::default()
        };
        let tx = store.batch().unwrap();
        let id = messages::insert(
            &tx,
            inbox,
            &NewMessage {
                raw: b"Subject: x\r\n\r\nx",
                parsed: &parsed,
                flags: Flags::default(),
                fallback_date: 0,
            },
        )
        .unwrap();
        tx.commit().unwrap();
        id
    };
    ids.push(parsed_merge(&mut f.store));
    check_all(&f, "merged");

    f.store.set_flag(&ids[3..9], Flags::FLAGGED, true).unwrap();
    f.store.set_flag(&ids[0..5], Flags::FLAGGED, false).unwrap();
    f.store.set_flag(&ids[10..20], Flags::SEEN, true).unwrap();
    f.store.set_flag(&ids[12..14], Flags::SEEN, false).unwrap();
    check_all(&f, "flagged");

    // A body arriving tells whether the message has attachments.
    f.store
        .conn()
        .execute(
            "UPDATE message SET has_attachments = 1 - has_attachments WHERE id IN (?1, ?2)",
            [ids[2].0, ids[7].0],
        )
        .unwrap();
    check_all(&f, "attachments known");

    // Newest of a thread moved away, then one in the middle; then back.
    let undo = f.store.move_messages(&[ids[17], ids[4]], sent).unwrap();
    check_all(&f, "moved");
    f.store.undo(&undo).unwrap();
    check_all(&f, "moved back");

    // To the Trash, then for good from there and from the Inbox.
    f.store
        .delete_messages(&[ids[20], ids[1], ids[11]])
        .unwrap();
    check_all(&f, "to trash");
    f.store.delete_messages(&[ids[20]]).unwrap();
    f.store.expunge_messages(&[ids[23], ids[2]]).unwrap();
    check_all(&f, "expunged");

    f.store.copy_messages(&[ids[5], ids[8]], trash).unwrap();
    check_all(&f, "copied");
    f.store.mark_folder_read(inbox).unwrap();
    check_all(&f, "all read");
    f.store.empty_folder(trash).unwrap();
    check_all(&f, "trash emptied");
}

#[test]
fn a_thread_merge_in_a_batch_keeps_one_head_per_folder() {
    let mut f = fixture();
    let inbox = f.inbox;
    // Two threads in the Inbox and the Sent folder, then the message
    // joining them, older than both.
    for (n, folder) in [(0, inbox), (1, inbox), (2, f.sent), (3, f.sent)] {
        put(
            &mut f.store,
            folder,
            n,
            None,
            T0 + i64::from(n),
            Flags::default(),
            false,
        );
    }
    check_all(&f, "two threads");
    let parsed = Parsed {
        subject: "joins".into(),
        date: Some(T0 - 60),
        message_id: Some("m9@x".into()),
        references: vec!["m0@x".into(), "m1@x".into(), "m2@x".into(), "m3@x".into()],
        ..Parsed::default()
    };
    let tx = f.store.batch().unwrap();
    messages::insert(
        &tx,
        inbox,
        &NewMessage {
            raw: b"Subject: x\r\n\r\nx",
            parsed: &parsed,
            flags: Flags::default(),
            fallback_date: 0,
        },
    )
    .unwrap();
    tx.commit().unwrap();
    let threads = ListQuery {
        threads: true,
        ..ListQuery::default()
    };
    assert_eq!(f.store.message_count(inbox, &threads).unwrap(), 1);
    assert_eq!(f.store.message_count(f.sent, &threads).unwrap(), 1);
    check_all(&f, "joined");
}

//! Conversations and list orders on mail synced from Dovecot: a message
//! sent through Postfix, answered through the real send path (its copy
//! filed in Sent) and answered back, is one conversation across Inbox
//! and Sent; a folder of varied mail sorts and filters as asked.

mod support;

use poshta::Service;
use poshta::account::{Protocol, Security};
use poshta::mime::compose::Outgoing;
use poshta::mime::reply::{self, Kind};
use poshta::model::{AccountId, Filter, FolderId, ListQuery, MessageSummary, Role, Sort};
use support::sending::*;
use support::server;

/// An IMAP account of `user`'s that sends over implicit TLS, its folder
/// list synced.
async fn imap_account(home: &std::path::Path, user: &support::User) -> (Service, AccountId) {
    let servers = support::servers();
    let (service, account) = account(
        home,
        server(Protocol::Imap, servers.imaps, Security::Tls, user),
        server(Protocol::Smtp, servers.submissions, Security::Tls, user),
        &user.address,
    )
    .await;
    service.set_password(account, user.password.clone());
    service.sync(account, |_| {}).await.unwrap();
    (service, account)
}

async fn folder(service: &Service, account: AccountId, role: Role) -> FolderId {
    let folders = service.folders().await.unwrap();
    folders
        .iter()
        .find(|f| f.account_id == account && f.role == Some(role))
        .unwrap()
        .id
}

/// Every row of `folder` in `query`'s order.
async fn all_rows(service: &Service, folder: FolderId, query: ListQuery) -> Vec<MessageSummary> {
    let count = service.message_count(folder, query).await.unwrap();
    let rows = service
        .message_page(folder, query, 0, count + 10)
        .await
        .unwrap();
    assert_eq!(rows.len(), count, "count and page agree for {query:?}");
    rows
}

/// Send `message` from `account` and return its Message-ID.
async fn send(service: &Service, account: AccountId, message: Outgoing) -> String {
    let id = service.queue_message(account, message).await.unwrap();
    let report = service.send_queued(account).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    outgoing(service, account, id).await.message_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_filed_in_sent_joins_the_inbox_conversation() {
    let servers = support::servers();
    let (alice, bob) = (servers.user("alice"), servers.user("bob"));
    let (_bob_home, bob_service, bob_account) = pop3_sender(bob).await;
    let alice_home = tempfile::tempdir().unwrap();
    let (service, account) = imap_account(alice_home.path(), alice).await;
    let tag = support::unique("conversation");

    // Bob writes to Alice through Postfix submission.
    let first = Outgoing {
        to: vec![alice.address.clone()],
        subject: format!("Plan {tag}"),
        body: "Shall we?\n".into(),
        ..Outgoing::default()
    };
    let first_id = send(&bob_service, bob_account, first).await;
    wait_for(alice, "INBOX", &first_id).await;
    service.sync(account, |_| {}).await.unwrap();
    let inbox = folder(&service, account, Role::Inbox).await;
    let sent = folder(&service, account, Role::Sent).await;
    let ours = |rows: Vec<MessageSummary>| -> Vec<MessageSummary> {
        rows.into_iter()
            .filter(|m| m.subject.contains(&tag))
            .collect()
    };
    let received = ours(all_rows(&service, inbox, ListQuery::default()).await);
    assert_eq!(received.len(), 1);

    // Alice answers as the window does: the reader's view, the reply
    // composer's message, the outbox; the copy is filed in Sent.
    let view = service.message(received[0].id).await.unwrap();
    let answer = reply::respond(
        &view,
        Kind::Reply,
        std::slice::from_ref(&alice.address),
        "Bob wrote:",
    );
    let answer_id = send(&service, account, answer).await;
    wait_for(bob, "INBOX", &answer_id).await;
    wait_for(alice, "Sent", &answer_id).await;

    // Bob answers that, naming only the chain (no Inbox message of
    // Alice's is its direct parent).
    let again = Outgoing {
        to: vec![alice.address.clone()],
        subject: format!("Re: Plan {tag}"),
        body: "Yes.\n".into(),
        in_reply_to: Some(answer_id.clone()),
        references: vec![first_id.clone(), answer_id.clone()],
        ..Outgoing::default()
    };
    let again_id = send(&bob_service, bob_account, again).await;
    wait_for(alice, "INBOX", &again_id).await;
    service.sync(account, |_| {}).await.unwrap();

    let in_inbox = ours(all_rows(&service, inbox, ListQuery::default()).await);
    assert_eq!(in_inbox.len(), 2);
    let filed = ours(all_rows(&service, sent, ListQuery::default()).await);
    assert_eq!(filed.len(), 1, "one Sent copy, the server's adopted");

    let conversation = service.conversation(in_inbox[1].id).await.unwrap();
    let shape: Vec<(FolderId, &str)> = conversation
        .iter()
        .map(|m| (m.folder_id, m.subject.as_str()))
        .collect();
    let plan = format!("Plan {tag}");
    let re = format!("Re: Plan {tag}");
    assert_eq!(
        shape,
        vec![
            (inbox, plan.as_str()),
            (sent, re.as_str()),
            (inbox, re.as_str())
        ],
        "oldest first, across Inbox and Sent"
    );
    assert_eq!(conversation[2].id, in_inbox[0].id);
    // Asked from the Sent copy: the same conversation.
    let from_sent = service.conversation(filed[0].id).await.unwrap();
    assert_eq!(from_sent, conversation);

    let threads = ListQuery {
        threads: true,
        ..ListQuery::default()
    };
    let rows = ours(all_rows(&service, inbox, threads).await);
    assert_eq!(rows.len(), 1, "one row for the conversation: {rows:?}");
    assert_eq!(rows[0].id, in_inbox[0].id, "its newest message");
    assert_eq!(
        rows[0].thread_size, 2,
        "two of its messages are in the Inbox"
    );
    let rows = ours(all_rows(&service, sent, threads).await);
    assert_eq!((rows.len(), rows[0].thread_size), (1, 1));
}

/// One message for the sorting folder: its Message-ID, sender, subject,
/// date (days after a fixed one), body length and flags.
struct Mail {
    key: &'static str,
    from: &'static str,
    subject: &'static str,
    day: u32,
    body: usize,
    flags: &'static str,
    attachment: bool,
    replies_to: Option<&'static str>,
}

const MAILS: &[Mail] = &[
    Mail {
        key: "m1",
        from: "Zoë <z@example.test>",
        subject: "Re: apple",
        day: 1,
        body: 3000,
        flags: "(\\Seen)",
        attachment: false,
        replies_to: None,
    },
    Mail {
        key: "m2",
        from: "b@example.test",
        subject: "Banana",
        day: 2,
        body: 1000,
        flags: "(\\Seen \\Flagged)",
        attachment: false,
        replies_to: None,
    },
    Mail {
        key: "m3",
        from: "alice A <a@example.test>",
        subject: "cherry",
        day: 3,
        body: 5000,
        flags: "()",
        attachment: true,
        replies_to: None,
    },
    Mail {
        key: "m4",
        from: "Dana <d@example.test>",
        subject: "Fwd: Date",
        day: 4,
        body: 2000,
        flags: "(\\Flagged)",
        attachment: false,
        replies_to: None,
    },
    Mail {
        key: "m5",
        from: "Bob <bob@example.test>",
        subject: "Eggplant",
        day: 5,
        body: 4000,
        flags: "()",
        attachment: false,
        replies_to: Some("m3"),
    },
];

fn raw(mail: &Mail, tag: &str) -> Vec<u8> {
    let date = chrono::DateTime::from_timestamp(1_780_000_000 + i64::from(mail.day) * 86_400, 0)
        .unwrap()
        .to_rfc2822();
    let mut head = format!(
        "From: {}\r\nTo: alice@example.test\r\nSubject: {}\r\nDate: {date}\r\n\
         Message-ID: <{}.{tag}@example.test>\r\nMIME-Version: 1.0\r\n",
        mail.from, mail.subject, mail.key
    );
    if let Some(parent) = mail.replies_to {
        head += &format!(
            "In-Reply-To: <{parent}.{tag}@example.test>\r\nReferences: <{parent}.{tag}@example.test>\r\n"
        );
    }
    let text = "x".repeat(mail.body);
    let message = if mail.attachment {
        format!(
            "{head}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
             Content-Type: text/plain\r\n\r\n{text}\r\n--b\r\n\
             Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\
             Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
        )
    } else {
        format!("{head}Content-Type: text/plain\r\n\r\n{text}\r\n")
    };
    message.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_folder_sorts_filters_and_threads_as_asked() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let tag = support::unique("sorting");
    let mailbox = format!("Sorting-{tag}");
    let mut session = support::imap::login(servers, alice).await;
    session.create(&mailbox).await.unwrap();
    for mail in MAILS {
        session
            .append(&mailbox, Some(mail.flags), None, &raw(mail, &tag))
            .await
            .unwrap();
    }
    session.logout().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let (service, account) = imap_account(home.path(), alice).await;
    let folders = service.folders().await.unwrap();
    let folder = folders
        .iter()
        .find(|f| f.account_id == account && f.name == mailbox)
        .unwrap()
        .id;

    // The subjects of the rows for `query`, and their thread sizes.
    let listed = |query: ListQuery| {
        let service = service.clone();
        async move {
            all_rows(&service, folder, query)
                .await
                .into_iter()
                .map(|m| (m.subject, m.thread_size))
                .collect::<Vec<_>>()
        }
    };
    let subjects = |query: ListQuery| async move {
        listed(query)
            .await
            .into_iter()
            .map(|(s, _)| s)
            .collect::<Vec<_>>()
    };
    let by = |sort: Sort, descending: bool| ListQuery {
        sort,
        descending,
        ..ListQuery::default()
    };
    let (apple, banana, cherry, date, egg) =
        ("Re: apple", "Banana", "cherry", "Fwd: Date", "Eggplant");
    assert_eq!(
        subjects(by(Sort::Date, true)).await,
        [egg, date, cherry, banana, apple]
    );
    assert_eq!(
        subjects(by(Sort::Date, false)).await,
        [apple, banana, cherry, date, egg]
    );
    // Display name else address, in any case: alice A, b@, Bob, Dana, Zoë.
    assert_eq!(
        subjects(by(Sort::Sender, false)).await,
        [cherry, banana, egg, date, apple]
    );
    assert_eq!(
        subjects(by(Sort::Sender, true)).await,
        [apple, date, egg, banana, cherry]
    );
    // Without Re:/Fwd:, in any case: apple, Banana, cherry, Date, Eggplant.
    assert_eq!(
        subjects(by(Sort::Subject, false)).await,
        [apple, banana, cherry, date, egg]
    );
    assert_eq!(
        subjects(by(Sort::Size, true)).await,
        [cherry, egg, apple, date, banana]
    );
    // A page from the middle.
    let page = service
        .message_page(folder, by(Sort::Sender, false), 1, 2)
        .await
        .unwrap();
    let page: Vec<&str> = page.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(page, [banana, egg]);

    let only = |filter: Filter| ListQuery {
        filter,
        ..ListQuery::default()
    };
    let unread = Filter {
        unread: true,
        ..Filter::default()
    };
    let flagged = Filter {
        flagged: true,
        ..Filter::default()
    };
    let attachments = Filter {
        attachments: true,
        ..Filter::default()
    };
    assert_eq!(subjects(only(unread)).await, [egg, date, cherry]);
    assert_eq!(subjects(only(flagged)).await, [date, banana]);
    assert_eq!(subjects(only(attachments)).await, [cherry]);
    let both = Filter {
        unread: true,
        flagged: true,
        ..Filter::default()
    };
    assert_eq!(subjects(only(both)).await, [date]);

    // Eggplant answers cherry: one row for both, the newest, sized 2.
    let threads = ListQuery {
        threads: true,
        ..ListQuery::default()
    };
    assert_eq!(
        listed(threads).await,
        [
            (egg.to_string(), 2),
            (date.to_string(), 1),
            (banana.to_string(), 1),
            (apple.to_string(), 1)
        ]
    );
    let threads_by_subject = ListQuery {
        sort: Sort::Subject,
        descending: false,
        ..threads
    };
    assert_eq!(
        subjects(threads_by_subject).await,
        [apple, banana, date, egg],
        "a thread sorts by its newest message"
    );
    let unread_threads = ListQuery {
        filter: unread,
        ..threads
    };
    assert_eq!(
        listed(unread_threads).await,
        [(egg.to_string(), 2), (date.to_string(), 1)]
    );
}

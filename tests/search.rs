//! Search against real Dovecot: the query language on synced mail, bodies
//! not downloaded found by the server's own SEARCH (and locally once
//! downloaded, never twice), scopes across two accounts, a server that
//! cannot be reached; and exact counts on a store of 100,000 messages.

mod support;

use poshta::ErrorKind;
use poshta::account::Server;
use poshta::model::{AccountId, FolderId, MessageId};
use poshta::search::{Hit, Origin, Query, Scope, SearchResults};
use poshta::service::Service;

/// A message with these headers and text, and an attachment if named.
fn mail(
    n: i64,
    from: &str,
    to: &str,
    cc: &str,
    subject: &str,
    body: &str,
    attachment: Option<&str>,
) -> Vec<u8> {
    let date = chrono::DateTime::from_timestamp(1_795_000_000 + n * 3600, 0)
        .unwrap()
        .to_rfc2822();
    let head = format!(
        "From: {from}\r\nTo: {to}\r\n{}Subject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <{}@example.test>\r\nMIME-Version: 1.0\r\n",
        if cc.is_empty() {
            String::new()
        } else {
            format!("Cc: {cc}\r\n")
        },
        support::unique("search"),
    );
    let text = format!(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    );
    let raw = match attachment {
        None => format!("{head}{text}"),
        Some(name) => format!(
            "{head}Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n{text}--b1\r\n\
             Content-Type: application/octet-stream\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\nAAECAwQF\r\n--b1--\r\n"
        ),
    };
    raw.into_bytes()
}

/// A new server folder of `user`'s holding `messages`, in the order given
/// (so UIDs 1, 2, ...): its name.
async fn server_folder(user: &support::User, tag: &str, messages: &[Vec<u8>]) -> String {
    let mut imap = support::imap::login(support::servers(), user).await;
    let name = support::unique(tag);
    imap.create(&name).await.unwrap();
    for raw in messages {
        imap.append(&name, None, None, raw).await.unwrap();
    }
    imap.logout().await.unwrap();
    name
}

async fn folder_named(service: &Service, name: &str) -> FolderId {
    service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no folder {name}"))
        .id
}

/// The subjects of the hits and where each came from.
fn found(results: &SearchResults) -> Vec<(String, Origin)> {
    results
        .hits
        .iter()
        .map(|h| (h.summary.subject.clone(), h.origin))
        .collect()
}

async fn search(service: &Service, query: &str, scope: Scope) -> SearchResults {
    service
        .search(query.into(), scope, 50)
        .await
        .unwrap_or_else(|e| panic!("{query}: {e}"))
}

fn id_of(results: &SearchResults, subject: &str) -> MessageId {
    results
        .hits
        .iter()
        .find(|h| h.summary.subject == subject)
        .map(|h: &Hit| h.summary.id)
        .unwrap_or_else(|| panic!("no hit {subject}: {:?}", found(results)))
}

#[tokio::test]
async fn a_body_not_here_is_searched_on_the_server_until_it_is_downloaded() {
    let servers = support::servers();
    let alice = servers.user("alice");
    let messages = [
        mail(
            1,
            "Anna Karimova <anna@example.test>",
            "alice@example.test",
            "",
            "Plans",
            "We met in zanzibarfig. Жиналыс өтті. 年度报告已发送。",
            Some("plan.pdf"),
        ),
        mail(
            2,
            "Boris <boris@example.test>",
            "alice@example.test",
            "",
            "Other",
            "zanzibarfig too, met in passing",
            None,
        ),
        mail(
            3,
            "Anna Karimova <anna@example.test>",
            "alice@example.test",
            "",
            "Noise",
            "nothing to see",
            None,
        ),
    ];
    let name = server_folder(alice, "Remote", &messages).await;
    let (home, service, account) = support::mailbox::service(servers, alice).await;
    // Headers only: no body is here.
    service.sync(account, |_| {}).await.unwrap();
    let folder = folder_named(&service, &name).await;

    let all = search(&service, "zanzibarfig", Scope::All).await;
    assert_eq!(
        found(&all),
        [
            ("Other".into(), Origin::Server),
            ("Plans".into(), Origin::Server)
        ],
        "newest first"
    );
    assert!(
        all.server_folders.contains(&name),
        "{:?}",
        all.server_folders
    );
    assert!(all.server_failures.is_empty(), "{:?}", all.server_failures);
    assert!(all.local_messages >= 3);

    let scoped = |q: &'static str| {
        let service = service.clone();
        async move { search(&service, q, Scope::Folder(folder)).await }
    };
    let server = |s: &str| vec![(s.to_string(), Origin::Server)];
    // Operators and forms the server is asked in its own terms.
    assert_eq!(
        found(&scoped("from:anna zanzibarfig").await),
        server("Plans")
    );
    assert_eq!(
        found(&scoped("has:attachment zanzibarfig").await),
        server("Plans")
    );
    assert_eq!(found(&scoped("zanzibar*").await).len(), 2);
    assert_eq!(
        found(&scoped("\"met in zanzibarfig\"").await),
        server("Plans")
    );
    // Non-ASCII travels as a UTF-8 literal.
    assert_eq!(found(&scoped("Жиналыс").await), server("Plans"));
    assert_eq!(found(&scoped("报告").await), server("Plans"));
    assert_eq!(found(&scoped("zanzibarfig absentword").await), []);
    let one = scoped("zanzibarfig").await;
    assert_eq!(one.server_folders, std::slice::from_ref(&name));
    assert_eq!(one.local_messages, 3);

    // The command line says where each hit came from and what was searched.
    let folder_arg = folder.0.to_string();
    let out = support::cli::ok(support::cli::run(
        home.path(),
        &[("POSHTA_PASSWORD", alice.password.as_str())],
        &["search", "zanzibarfig", "--folder", &folder_arg],
        b"",
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[..2].iter().all(|l| l.starts_with("server\t")),
        "{out}"
    );
    assert!(
        lines[0].contains("Other") && lines[1].contains("Plans"),
        "{out}"
    );
    assert_eq!(lines[2], format!("local: 3 messages · server: {name}"));

    // Downloaded: now the local index finds it, and only once.
    let plans = id_of(&all, "Plans");
    service.message(plans).await.unwrap();
    let again = scoped("zanzibarfig").await;
    assert_eq!(
        found(&again),
        [
            ("Other".into(), Origin::Server),
            ("Plans".into(), Origin::Local)
        ]
    );
    assert_eq!(
        found(&scoped("plan.pdf").await),
        [("Plans".into(), Origin::Local)]
    );
}

#[tokio::test]
async fn operators_prefixes_phrases_and_scripts_on_synced_mail() {
    let servers = support::servers();
    let bob = servers.user("bob");
    let messages = [
        mail(
            1,
            "Anna Karimova <anna@example.test>",
            "bob@example.test",
            "Dana <dana@example.test>",
            "Weekly sync notes",
            "The quarterly invoice is attached.",
            Some("q3-figures.xlsx"),
        ),
        mail(
            2,
            "Boris <boris@example.test>",
            "team@example.test",
            "",
            "Annual report draft",
            "Please review the annual report before Friday. Қазақстан жиналысы. 会议纪要：年度报告已发送。",
            None,
        ),
        mail(
            3,
            "Dana <dana@example.test>",
            "bob@example.test",
            "",
            "Re: weekly planning",
            "sync later; the report annual numbers, invoicing",
            None,
        ),
    ];
    let name = server_folder(bob, "Ops", &messages).await;
    let (_home, service, account) = support::mailbox::service(servers, bob).await;
    service.sync_with_bodies(account, |_| {}).await.unwrap();
    let folder = folder_named(&service, &name).await;

    let cases: &[(&str, &[&str])] = &[
        ("from:anna", &["Weekly sync notes"]),
        ("FROM:Karimova", &["Weekly sync notes"]),
        ("to:dana", &["Weekly sync notes"]),
        (
            "to:bob@example.test",
            &["Re: weekly planning", "Weekly sync notes"],
        ),
        (
            "subject:weekly",
            &["Re: weekly planning", "Weekly sync notes"],
        ),
        ("subject:\"weekly sync\"", &["Weekly sync notes"]),
        ("subject:sync", &["Weekly sync notes"]),
        ("has:attachment", &["Weekly sync notes"]),
        ("q3-figures.xlsx", &["Weekly sync notes"]),
        ("figures", &["Weekly sync notes"]),
        ("invoice", &["Weekly sync notes"]),
        ("invoic*", &["Re: weekly planning", "Weekly sync notes"]),
        ("\"annual report\"", &["Annual report draft"]),
        (
            "annual report",
            &["Re: weekly planning", "Annual report draft"],
        ),
        (
            "from:anna has:attachment \"quarterly invoice\"",
            &["Weekly sync notes"],
        ),
        ("from:boris has:attachment", &[]),
        ("қазақстан", &["Annual report draft"]),
        ("ҚАЗАҚСТАН", &["Annual report draft"]),
        ("жиналыс*", &["Annual report draft"]),
        ("报告", &["Annual report draft"]),
        ("纪要", &["Annual report draft"]),
        ("年度报告", &["Annual report draft"]),
        ("报告已", &["Annual report draft"]),
        ("告报", &[]),
        // Malformed input is searched for as written, never an error.
        // (`subject:"weekly` is the phrase "subject weekly", found nowhere.)
        ("subject:\"weekly", &[]),
        ("sync:", &["Re: weekly planning", "Weekly sync notes"]),
        (
            "\"annual report",
            &["Re: weekly planning", "Annual report draft"],
        ),
        ("NEAR( AND OR invoice", &[]),
        ("* - : \"\"", &[]),
    ];
    for (query, expected) in cases {
        let results = search(&service, query, Scope::Folder(folder)).await;
        let got: Vec<String> = results
            .hits
            .iter()
            .map(|h| h.summary.subject.clone())
            .collect();
        assert_eq!(got, *expected, "{query}");
        assert!(
            results.hits.iter().all(|h| h.origin == Origin::Local),
            "{query}"
        );
        assert!(
            results.server_folders.is_empty(),
            "every body is here: {query}"
        );
    }
}

#[tokio::test]
async fn scopes_are_a_folder_an_account_every_inbox_or_everything() {
    let servers = support::servers();
    let (carol, other) = (servers.user("carol"), servers.user("pop2"));
    let word = |n| {
        mail(
            n,
            "x@example.test",
            "y@example.test",
            "",
            &format!("scoped {n}"),
            "scopeword here",
            None,
        )
    };
    let inbox_mail = |n| {
        mail(
            n,
            "x@example.test",
            "y@example.test",
            "",
            &format!("inbox {n}"),
            "inboxword here",
            None,
        )
    };
    let a = server_folder(carol, "ScopeA", &[word(1)]).await;
    let _b = server_folder(carol, "ScopeB", &[word(2)]).await;
    let _c = server_folder(other, "ScopeC", &[word(3)]).await;
    for (user, n) in [(carol, 4), (other, 5)] {
        let mut imap = support::imap::login(servers, user).await;
        imap.append("INBOX", None, None, &inbox_mail(n))
            .await
            .unwrap();
        imap.logout().await.unwrap();
    }
    let (_home, service, first) = support::mailbox::service(servers, carol).await;
    let second = service
        .add_account(support::mailbox::imap_account(servers, other))
        .await
        .unwrap();
    service.set_password(second, other.password.clone());
    for account in [first, second] {
        service.sync_with_bodies(account, |_| {}).await.unwrap();
    }
    let folder_a = folder_named(&service, &a).await;
    let count = |r: &SearchResults| r.hits.len();

    let r = search(&service, "scopeword", Scope::Folder(folder_a)).await;
    assert_eq!((count(&r), r.local_messages), (1, 1));
    assert_eq!(
        count(&search(&service, "scopeword", Scope::Account(first)).await),
        2
    );
    assert_eq!(
        count(&search(&service, "scopeword", Scope::Account(second)).await),
        1
    );
    assert_eq!(count(&search(&service, "scopeword", Scope::All).await), 3);
    let every_inbox = search(&service, "inboxword", Scope::Folder(FolderId::ALL_INBOXES)).await;
    assert_eq!(
        found(&every_inbox),
        [
            ("inbox 5".into(), Origin::Local),
            ("inbox 4".into(), Origin::Local)
        ]
    );
    assert_eq!(
        count(&search(&service, "inboxword", Scope::Folder(folder_a)).await),
        0
    );
    assert_eq!(
        count(&search(&service, "inboxword", Scope::Account(AccountId(999))).await),
        0
    );
    // The account's own folders only: another account's Inbox is not in it.
    assert_eq!(
        found(&search(&service, "inboxword", Scope::Account(second)).await),
        [("inbox 5".into(), Origin::Local)]
    );
}

#[tokio::test]
async fn a_server_out_of_reach_leaves_the_local_hits_and_says_so() {
    let servers = support::servers();
    let user = servers.user("pop3");
    let messages = [
        mail(
            1,
            "a@example.test",
            "b@example.test",
            "",
            "here",
            "reachword one",
            None,
        ),
        mail(
            2,
            "a@example.test",
            "b@example.test",
            "",
            "there",
            "reachword two",
            None,
        ),
    ];
    let name = server_folder(user, "Reach", &messages).await;
    let (home, service, account) = support::mailbox::service(servers, user).await;
    service.sync(account, |_| {}).await.unwrap();
    let folder = folder_named(&service, &name).await;
    let first = search(&service, "reachword", Scope::Folder(folder)).await;
    service.message(id_of(&first, "here")).await.unwrap();
    let both = search(&service, "reachword", Scope::Folder(folder)).await;
    assert_eq!(
        found(&both),
        [
            ("there".into(), Origin::Server),
            ("here".into(), Origin::Local)
        ]
    );

    // Offline: the server is not asked.
    service.set_offline(true).await;
    let offline = search(&service, "reachword", Scope::Folder(folder)).await;
    assert_eq!(found(&offline), [("here".into(), Origin::Local)]);
    assert_eq!(
        offline.server_failures,
        [(name.clone(), ErrorKind::Offline)]
    );
    assert!(offline.server_folders.is_empty());
    service.set_offline(false).await;

    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let settings = service.account_settings(account).await.unwrap();
    let incoming = Server {
        host: "127.0.0.1".into(),
        port,
        ..settings.incoming.unwrap()
    };
    service
        .update_account(
            account,
            settings.name,
            settings.email.unwrap(),
            incoming,
            None,
        )
        .await
        .unwrap();
    let unreachable = search(&service, "reachword", Scope::Folder(folder)).await;
    assert_eq!(found(&unreachable), [("here".into(), Origin::Local)]);
    assert_eq!(
        unreachable.server_failures,
        [(name.clone(), ErrorKind::Network)]
    );
    assert!(unreachable.server_folders.is_empty());
    let out = support::cli::ok(support::cli::run(
        home.path(),
        &[("POSHTA_PASSWORD", user.password.as_str())],
        &["search", "reachword", "--account", &account.0.to_string()],
        b"",
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("local\t") && lines[0].contains("here"),
        "{out}"
    );
    assert_eq!(
        lines[1..],
        [
            "local: 2 messages".to_string(),
            format!("not searched on the server: {name} (network)")
        ]
    );
}

/// 100,000 messages written in one transaction through the store's own
/// insert code, and exact hit counts for each kind of query.
#[test]
fn exact_counts_on_a_hundred_thousand_messages() {
    use poshta::mime::parse::Parsed;
    use poshta::model::{Attachment, Flags, Role};
    use poshta::store::Store;
    use poshta::store::folders::LOCAL_ACCOUNT;
    use poshta::store::messages::{NewMessage, insert};

    const N: usize = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("big.sqlite3")).unwrap();
    let inbox = store.folder_by_role(LOCAL_ACCOUNT, Role::Inbox).unwrap().id;
    let archive = store.create_folder(LOCAL_ACCOUNT, None, "Archive").unwrap();
    let senders = [
        "Anna Karimova <anna@example.test>",
        "Boris <boris@example.test>",
        "Dana <dana@example.test>",
    ];
    let tx = store.batch().unwrap();
    for i in 0..N {
        let (from_name, from_addr) = senders[i % 3].split_once(" <").unwrap();
        let mut body = format!("Message number {i}. ");
        body.push_str(match i % 10 {
            0 => "The invoice is due. ",
            1 => "Invoicing starts. ",
            _ => "Nothing due. ",
        });
        body.push_str(match i % 100 {
            0 => "See the annual report. ",
            50 => "The report, annual as ever. ",
            _ => "",
        });
        if i % 5_000 == 0 {
            body.push_str("年度报告已发送。");
        }
        let attachments = if i % 1_000 == 0 {
            vec![Attachment {
                filename: Some(format!("budget-{i}.xlsx")),
                mime_type: "application/octet-stream".into(),
                size: 10,
            }]
        } else {
            Vec::new()
        };
        let parsed = Parsed {
            subject: if i % 4 == 0 {
                format!("Жиналыс {i}")
            } else {
                format!("Update {i}")
            },
            from_name: from_name.into(),
            from_addr: from_addr.trim_end_matches('>').into(),
            to: "team@example.test".into(),
            date: Some(1_700_000_000 + i as i64),
            message_id: Some(format!("<{i}@example.test>")),
            body,
            attachments,
            ..Parsed::default()
        };
        let raw = format!("Subject: {i}\r\n\r\nx\r\n");
        let msg = NewMessage {
            raw: raw.as_bytes(),
            parsed: &parsed,
            flags: Flags::default(),
            fallback_date: 0,
        };
        insert(&tx, if i % 2 == 0 { inbox } else { archive }, &msg).unwrap();
    }
    tx.commit().unwrap();

    let mut count = |q: &str, scope: Scope| store.search(&Query::parse(q), scope, N).unwrap().len();
    assert_eq!(count("invoice", Scope::All), 10_000);
    assert_eq!(count("invoic*", Scope::All), 20_000);
    assert_eq!(count("\"annual report\"", Scope::All), 1_000);
    assert_eq!(count("annual report", Scope::All), 2_000);
    assert_eq!(count("from:anna", Scope::All), 33_334);
    assert_eq!(count("from:anna invoice", Scope::All), 3_334);
    assert_eq!(count("has:attachment", Scope::All), 100);
    assert_eq!(count("budget", Scope::All), 100);
    assert_eq!(count("has:attachment invoice", Scope::All), 100);
    assert_eq!(count("subject:жиналыс", Scope::All), 25_000);
    assert_eq!(count("报告", Scope::All), 20);
    assert_eq!(count("invoicing", Scope::Folder(inbox)), 0);
    assert_eq!(count("invoicing", Scope::Folder(archive)), 10_000);
    assert_eq!(count("invoice", Scope::Account(LOCAL_ACCOUNT)), 10_000);
    assert_eq!(count("nowhere", Scope::All), 0);
    // Newest first, and the limit holds.
    let top = store
        .search(&Query::parse("invoice"), Scope::All, 3)
        .unwrap();
    let dates: Vec<i64> = top.iter().map(|m| m.date).collect();
    assert_eq!(dates, [1_700_099_990, 1_700_099_980, 1_700_099_970]);
    assert_eq!(store.scope_message_count(Scope::All).unwrap(), N);
    assert_eq!(
        store.scope_message_count(Scope::Folder(archive)).unwrap(),
        N / 2
    );
}

//! Sending through Postfix's submission ports on loopback (delivering into
//! Dovecot, read back over IMAP): every kind of attachment, the outbox's
//! states, the Sent and Drafts copies, the address book, the command line.
//! The faults are in sending_faults.rs.

mod support;

use futures::TryStreamExt;
use mail_parser::MimeHeaders;
use poshta::Service;
use poshta::account::{Protocol, Security};
use poshta::mime::compose::OutgoingAttachment;
use poshta::model::{AccountId, Role};
use poshta::store::drafts::Draft;
use poshta::store::outbox::State;
use std::time::{Duration, Instant};
use support::sending::*;
use support::server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pop3_account_sends_through_postfix_and_files_its_copy_here() {
    let servers = support::servers();
    let (sender, bob) = (servers.user("pop1"), servers.user("bob"));
    let (_home, service, account) = pop3_sender(sender).await;
    let subject = format!("Отчёт {}", support::unique("pop3-send"));
    // Replies to this account's mail go to the shop's desk.
    service
        .set_reply_to(account, "Дүкен <desk@example.kz>".into())
        .await
        .unwrap();
    let id = service
        .queue_message(account, draft(&bob.address, &subject))
        .await
        .unwrap();
    let report = service.send_queued(account).await.unwrap();
    assert_eq!((report.sent, report.failed, report.unknown), (1, 0, 0));
    let sent = &outgoing(&service, account, id).await;
    assert_eq!(sent.state, State::Copied, "{:?}", sent.last_error);
    assert!(
        service
            .set_reply_to(account, "not an address".into())
            .await
            .is_err()
    );
    // Postfix's message_size_limit, from its EHLO.
    assert_eq!(
        service.smtp_max_size(account).await.unwrap(),
        Some(52_428_800)
    );

    // Bob has it, as written, without the Bcc.
    let raw = wait_for(bob, "INBOX", &sent.message_id).await;
    let parsed = poshta::mime::parse::parse(&raw).unwrap();
    assert_eq!(parsed.subject, subject);
    assert_eq!(parsed.to, format!("Боб <{}>", bob.address));
    assert_eq!(parsed.reply_to, "Дүкен <desk@example.kz>");
    assert_eq!(
        parsed.body.replace("\r\n", "\n"),
        BODY,
        "the text arrives exactly as written"
    );
    // As sent: flowed, the long line in pieces marked by a trailing space.
    let wire = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let flowed = wire.body_text(0).unwrap();
    assert!(String::from_utf8_lossy(&raw).contains("format=flowed"));
    assert!(
        flowed.lines().filter(|l| l.ends_with(' ')).count() >= 2,
        "{flowed}"
    );
    assert!(flowed.lines().all(|l| l.chars().count() <= 73), "{flowed}");
    assert_eq!(parsed.attachments.len(), 1);
    assert_eq!(
        parsed.attachments[0].filename.as_deref(),
        Some("есеп 2026.pdf")
    );
    let text = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    assert!(
        !text.contains("hidden@example.test"),
        "Bcc stays out of the header"
    );

    // The POP3 account's own Sent folder has the copy, read.
    let folders = service.folders().await.unwrap();
    let sent_folder = folders
        .iter()
        .find(|f| f.account_id == account && f.role == Some(Role::Sent))
        .unwrap();
    let rows = service
        .message_page(sent_folder.id, poshta::model::ListQuery::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].subject, subject);
    assert!(rows[0].flags.contains(poshta::model::Flags::SEEN));

    // The address book: Bob, written to, ranks above someone mail only
    // came from (delivered to this POP3 account by Dovecot); names match
    // in any case, Kazakh letters too.
    let mut session = support::imap::login(servers, sender).await;
    for n in 0..2 {
        let raw = format!(
            "From: Ғалия Сейітова <galiya@example.kz>\r\nTo: {}\r\nSubject: Сәлем {n}\r\n\
             Message-ID: <{}@example.kz>\r\n\r\nХат.\r\n",
            sender.address,
            support::unique("contact")
        );
        session
            .append("INBOX", None, None, raw.as_bytes())
            .await
            .unwrap();
    }
    session.logout().await.unwrap();
    service.sync(account, |_| {}).await.unwrap();
    let offers = service.suggest_addresses("ҒАЛ".into()).await.unwrap();
    assert_eq!(offers, ["Ғалия Сейітова <galiya@example.kz>"]);
    let offers = service.suggest_addresses("@".into()).await.unwrap();
    let bob_offer = format!("Боб <{}>", bob.address);
    assert_eq!(offers.first(), Some(&bob_offer), "{offers:?}");
    assert!(offers.contains(&"Ғалия Сейітова <galiya@example.kz>".to_string()));
    assert!(
        !offers
            .iter()
            .any(|o| o.contains(&sender.address) || o.contains("hidden@")),
        "neither the user nor a Bcc: {offers:?}"
    );

    // Nothing is sent twice.
    let again = service.send_queued(account).await.unwrap();
    assert_eq!(again, poshta::service::SendReport::default());

    // Written offline: it waits in the outbox, and goes once the account
    // is back online.
    service.set_offline(true).await;
    service.go_online(account).await.unwrap();
    let later = service
        .queue_message(account, draft(&bob.address, &format!("{subject} later")))
        .await
        .unwrap();
    let waiting = service.send_queued(account).await.unwrap();
    assert_eq!((waiting.sent, waiting.waiting), (0, 1));
    service.set_offline(false).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let outbox = service.outbox(Some(account)).await.unwrap();
        if outbox
            .iter()
            .any(|o| o.id == later && o.state == State::Copied)
        {
            break;
        }
        assert!(Instant::now() < deadline, "{outbox:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    service.stop(account).await;
}

/// Attachments of every kind, with names in four scripts, one of 10 MB,
/// sent through Postfix and read back from Dovecot: each arrives byte for
/// byte, under its name and type, and the subject too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_attachment_arrives_byte_for_byte() {
    let servers = support::servers();
    let (sender, bob) = (servers.user("pop7"), servers.user("bob"));
    let (_home, service, account) = pop3_sender(sender).await;
    // Bytes no encoding may touch: every byte value, bare LF and CR,
    // trailing spaces, a line of dots, and 10 MB that does not compress.
    let mut every_byte: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    every_byte.extend_from_slice(b"\n.\r\n..\rend   \n");
    let mut big = vec![0u8; 10 * 1024 * 1024];
    let mut x: u32 = 0x2545_f491;
    for b in big.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let files: Vec<(&str, &str, Vec<u8>)> = vec![
        ("есеп 2026.pdf", "application/pdf", every_byte.clone()),
        ("报告.png", "image/png", every_byte[..5000].to_vec()),
        (
            "ataskaita-ąčęėįšųūž.txt",
            "text/plain",
            b"line one\nline two  \r\n.\n\tend".to_vec(),
        ),
        (
            "Прайс.csv",
            "text/csv",
            "товар;цена\r\nчай;5\r\n".as_bytes().to_vec(),
        ),
        (
            "archive.zip",
            "application/zip",
            every_byte[1000..9000].to_vec(),
        ),
        (
            "forwarded.eml",
            "message/rfc822",
            b"From: a@example.test\r\nSubject: inner\r\n\r\nInner text.\r\n".to_vec(),
        ),
        ("big.bin", "application/octet-stream", big),
    ];
    let subject = format!(
        "Файлдар · 文件 · Файлы · Failai {}",
        support::unique("attachments")
    );
    let mut message = draft(&bob.address, &subject);
    message.bcc.clear();
    message.attachments = files
        .iter()
        .map(|(name, mime_type, data)| OutgoingAttachment {
            name: (*name).into(),
            mime_type: (*mime_type).into(),
            data: data.clone(),
        })
        .collect();
    let id = service.queue_message(account, message).await.unwrap();
    let report = service.send_queued(account).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let message_id = outgoing(&service, account, id).await.message_id;
    let raw = wait_for(bob, "INBOX", &message_id).await;

    // Non-ASCII names as RFC 2231 parameters.
    assert!(String::from_utf8_lossy(&raw).contains("filename*"));
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(parsed.subject(), Some(subject.as_str()));
    assert_eq!(parsed.attachment_count(), files.len());
    for (i, (name, mime_type, data)) in files.iter().enumerate() {
        let part = parsed.attachment(i as u32).unwrap();
        assert_eq!(part.attachment_name(), Some(*name));
        let ct = part.content_type().unwrap();
        let found = format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default());
        assert_eq!(&found, mime_type, "{name}");
        assert!(
            part.contents() == data.as_slice(),
            "{name}: the bytes changed"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imap_account_sends_over_starttls_and_its_copy_goes_to_the_servers_sent() {
    let servers = support::servers();
    let (sender, bob) = (servers.user("carol"), servers.user("bob"));
    let home = tempfile::tempdir().unwrap();
    let (service, account) = account(
        home.path(),
        server(Protocol::Imap, servers.imaps, Security::Tls, sender),
        server(
            Protocol::Smtp,
            servers.submission_starttls,
            Security::StartTls,
            sender,
        ),
        &sender.address,
    )
    .await;
    service.set_password(account, sender.password.clone());
    // The folder list first, so Sent is known.
    service.sync(account, |_| {}).await.unwrap();
    let subject = support::unique("imap-send");
    let id = service
        .queue_message(account, draft(&bob.address, &subject))
        .await
        .unwrap();
    let report = service.send_queued(account).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let message_id = outgoing(&service, account, id).await.message_id;
    wait_for(bob, "INBOX", &message_id).await;
    // One copy in the server's Sent (uploaded with APPEND).
    let copy = wait_for(sender, "Sent", &message_id).await;
    assert!(String::from_utf8_lossy(&copy).contains(&subject));

    // A server that files sent mail itself (Gmail): no copy of ours.
    service.set_server_files_sent(account, true).await.unwrap();
    let id = service
        .queue_message(account, draft(&bob.address, &format!("{subject} 2")))
        .await
        .unwrap();
    assert_eq!(service.send_queued(account).await.unwrap().sent, 1);
    let second = outgoing(&service, account, id).await;
    assert_eq!(second.state, State::Copied);
    wait_for(bob, "INBOX", &second.message_id).await;
    service.push_changes().await.unwrap();
    let mut session = support::imap::login(servers, sender).await;
    session.select("Sent").await.unwrap();
    let found = session
        .uid_search(format!("HEADER Message-ID \"<{}>\"", second.message_id))
        .await
        .unwrap();
    assert!(found.is_empty(), "no copy uploaded");
    let _ = session.logout().await;

    // A draft filed twice: the server's Drafts holds one copy, the last
    // one, flagged \Draft; once it is sent (the draft forgotten), none.
    let mut message = draft(&bob.address, &format!("{subject} draft"));
    let mut saved = Draft {
        id: None,
        account: Some(account),
        message: message.clone(),
        answering: None,
    };
    let draft_id = service.save_draft(saved.clone()).await.unwrap();
    service.file_draft(draft_id).await.unwrap();
    message.subject = format!("{subject} draft, second save");
    saved.id = Some(draft_id);
    saved.message = message;
    service.save_draft(saved).await.unwrap();
    service.file_draft(draft_id).await.unwrap();
    let in_drafts = || async {
        service.push_changes().await.unwrap();
        let mut session = support::imap::login(servers, sender).await;
        session.select("Drafts").await.unwrap();
        let uids = session
            .uid_search(format!("SUBJECT \"{subject} draft\" UNDELETED"))
            .await
            .unwrap();
        let mut found = Vec::new();
        if !uids.is_empty() {
            let set: Vec<String> = uids.iter().map(u32::to_string).collect();
            let fetched: Vec<_> = session
                .uid_fetch(set.join(","), "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            for f in &fetched {
                let draft_flag = f.flags().any(|x| x == async_imap::types::Flag::Draft);
                let header = String::from_utf8_lossy(f.header().unwrap_or_default()).into_owned();
                found.push((draft_flag, header));
            }
        }
        let _ = session.logout().await;
        found
    };
    let found = in_drafts().await;
    assert_eq!(found.len(), 1, "exactly one copy: {found:?}");
    assert!(found[0].0, "flagged \\Draft");
    assert!(found[0].1.contains("second save"), "{found:?}");
    service.delete_draft(draft_id).await.unwrap();
    assert_eq!(in_drafts().await, [], "gone once sent");
}

/// `poshta-cli account add` of a POP3 account of `user`'s over implicit
/// TLS, sending through `smtp_port`, in `home`; its id.
fn cli_pop3_account(home: &std::path::Path, user: &support::User, smtp_port: u16) -> String {
    let servers = support::servers();
    let (pop3_port, smtp_port) = (servers.pop3s.to_string(), smtp_port.to_string());
    let ca = servers.ca_pem.to_string_lossy().to_string();
    let args = [
        "account",
        "add",
        "--name",
        "Shop",
        "--email",
        &user.address,
        "--pop3-host",
        &servers.tls_host,
        "--pop3-port",
        &pop3_port,
        "--smtp-host",
        &servers.tls_host,
        "--smtp-port",
        &smtp_port,
        "--ca-file",
        &ca,
    ];
    let password = [("POSHTA_PASSWORD", user.password.as_str())];
    let out = support::cli::run(home, &password, &args, b"");
    support::cli::ok(out).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_sends_text_from_stdin_with_an_attachment() {
    let servers = support::servers();
    let (sender, bob) = (servers.user("pop2"), servers.user("bob"));
    let home = tempfile::tempdir().unwrap();
    let password = [("POSHTA_PASSWORD", sender.password.as_str())];
    let cli = |args: &[&str], stdin: &[u8]| {
        support::cli::ok(support::cli::run(home.path(), &password, args, stdin))
    };
    let id = cli_pop3_account(home.path(), sender, servers.submissions);
    let attachment = home.path().join("прайс.csv");
    std::fs::write(&attachment, "item;price\r\ntea;5\r\n").unwrap();
    let subject = support::unique("cli-send");
    let attach = attachment.to_str().unwrap();
    let send = |subject: &str, more: &[&str], text: &[u8]| {
        let mut args = vec!["send", "--account", id.trim(), "--to", &bob.address];
        args.extend(["--subject", subject, "--attach", attach]);
        args.extend(more);
        cli(&args, text)
    };
    let out = send(&subject, &[], b"Prices attached.\n");
    assert!(
        out.starts_with("1 sent, 0 failed, 0 unknown, 0 waiting"),
        "{out}"
    );
    let listed = cli(&["outbox"], b"");
    let line = listed.lines().next().unwrap();
    assert!(line.contains("\tcopied\t"), "{listed}");
    let message_id = line.split('\t').nth(3).unwrap();
    let raw = wait_for(bob, "INBOX", message_id).await;
    let parsed = poshta::mime::parse::parse(&raw).unwrap();
    assert_eq!(parsed.subject, subject);
    assert_eq!(parsed.attachments[0].filename.as_deref(), Some("прайс.csv"));
    assert_eq!(parsed.attachments[0].mime_type, "text/csv");

    // --draft keeps it for the window instead, with its attachment and a
    // signature set here; nothing more goes out.
    cli(
        &["account", "set", id.trim(), "--signature", "Shop\\nАлматы"],
        b"",
    );
    let out = send("later", &["--draft"], b"To finish in the window.\n");
    assert!(out.starts_with("draft "), "{out}");
    let service = Service::load(home.path().to_path_buf()).await.unwrap();
    let draft = service.latest_draft().await.unwrap().expect("kept");
    assert_eq!(draft.message.subject, "later");
    assert_eq!(
        draft.message.attachments[0].data,
        b"item;price\r\ntea;5\r\n"
    );
    let account = AccountId(id.trim().parse().unwrap());
    assert_eq!(service.signature(account).await.unwrap(), "Shop\nАлматы");
    assert_eq!(cli(&["outbox"], b"").lines().count(), 1);
}

/// `account test`: both servers tried, each reported on its own line in
/// plain words; a wrong password or an unreachable server fails it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_test_reports_each_server() {
    let servers = support::servers();
    let user = servers.user("pop8");
    let home = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = |password: &str, args: &[&str]| {
        support::cli::run(home.path(), &[("POSHTA_PASSWORD", password)], args, b"")
    };
    let add = |smtp_port: u16| cli_pop3_account(home.path(), user, smtp_port);
    let good = add(servers.submissions);
    let out = support::cli::ok(run(&user.password, &["account", "test", &good]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("incoming\tpop3 ") && lines[0].ends_with("\tok"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("outgoing\tsmtp ") && lines[1].ends_with("\tok"),
        "{out}"
    );

    let refused = run("not the password", &["account", "test", &good]);
    assert!(!refused.status.success());
    let out = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(out.matches("\tfailed: ").count(), 2, "{out}");
    assert!(
        !out.contains("not the password"),
        "no password in the output"
    );

    let unreachable = add(closed);
    let out = run(&user.password, &["account", "test", &unreachable]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().next().unwrap().ends_with("\tok"), "{text}");
    assert!(text.lines().nth(1).unwrap().contains("failed"), "{text}");
}

//! Attachments saved and opened safely. Hostile names travel through real
//! Dovecot and Poshta's IMAP sync, then are saved with the service: every
//! file lands inside the chosen folder under a safe name, nothing is
//! overwritten, no symlink is followed. A 25 MB attachment is fetched on
//! demand and saved byte-exact; an attached .eml comes back byte-exact;
//! opening goes through the real xdg-open to a recorder registered as the
//! default application.

mod support;

use poshta::Error;
use poshta::Service;
use poshta::mime::filename::{self, Risk};
use poshta::model::{FolderId, MessageId, Role};
use poshta::store::folders::LOCAL_ACCOUNT;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A multipart message whose attachments carry the given header lines
/// (Content-Type and Content-Disposition) and base64 bodies.
fn message_with(tag: &str, parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut raw = format!(
        "From: Mallory <m@example.test>\r\nTo: alice@example.test\r\n\
         Subject: {tag}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
         Message-ID: <{tag}@example.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"=b=\"\r\n\r\n\
         --=b=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n"
    )
    .into_bytes();
    for (headers, body) in parts {
        raw.extend_from_slice(b"--=b=\r\n");
        raw.extend_from_slice(headers.as_bytes());
        raw.extend_from_slice(b"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        for line in poshta::net::base64::encode(body).chunks(76) {
            raw.extend_from_slice(line);
            raw.extend_from_slice(b"\r\n");
        }
    }
    raw.extend_from_slice(b"--=b=--\r\n");
    raw
}

fn part(disposition: &str, body: &[u8]) -> (String, Vec<u8>) {
    (
        format!(
            "Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n {disposition}"
        ),
        body.to_vec(),
    )
}

/// Deterministic bytes that compress badly.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Put `raw` into a fresh mailbox of alice's over IMAP, sync the account
/// with the service (headers only) and return the message's id.
async fn on_server(
    service: &Service,
    account: poshta::model::AccountId,
    tag: &str,
    raw: &[u8],
) -> MessageId {
    let servers = support::servers();
    let mut session = support::imap::login(servers, servers.user("alice")).await;
    let mailbox = support::unique(tag);
    session.create(&mailbox).await.unwrap();
    session.append(&mailbox, None, None, raw).await.unwrap();
    session.logout().await.unwrap();
    service.sync(account, |_| {}).await.unwrap();
    let folder = service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == account && f.name == mailbox)
        .unwrap();
    let page = service
        .message_page(folder.id, Default::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    page[0].id
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `path` is a regular file directly inside `dir` (both resolved).
fn assert_inside(path: &Path, dir: &Path) {
    let meta = std::fs::symlink_metadata(path).unwrap();
    assert!(
        meta.file_type().is_file(),
        "{} is not a plain file",
        path.display()
    );
    let resolved = path.canonicalize().unwrap();
    assert_eq!(resolved.parent().unwrap(), dir.canonicalize().unwrap());
}

#[tokio::test]
async fn hostile_names_from_the_server_are_saved_safely_inside_the_folder() {
    let servers = support::servers();
    let (_home, service, account) = support::mailbox::service(servers, servers.user("alice")).await;
    let long = format!("{}.pdf", "a".repeat(296));
    let long_2231: String = long
        .as_bytes()
        .chunks(60)
        .enumerate()
        .map(|(i, c)| format!("filename*{i}=\"{}\";\r\n ", std::str::from_utf8(c).unwrap()))
        .collect();
    // (header parameters, the safe name expected, risky?)
    let cases: Vec<(String, String, Risk)> = vec![
        (
            "filename=\"../../etc/passwd\"".into(),
            "passwd".into(),
            Risk::Safe,
        ),
        (
            "filename*=utf-8''..%5C..%5Cx".into(),
            "x".into(),
            Risk::Safe,
        ),
        (
            "filename*=utf-8''C%3A%5CWindows%5Cevil.dll".into(),
            "evil.dll".into(),
            Risk::Executable,
        ),
        (
            "filename*=utf-8''%5C%5Cserver%5Cshare%5Cx.exe".into(),
            "x.exe".into(),
            Risk::Executable,
        ),
        (
            "filename=\"=?utf-8?q?safe=00name.txt?=\"".into(),
            "safename.txt".into(),
            Risk::Safe,
        ),
        // invoice<RLO>fdp.exe, shown as "invoiceexe.pdf" if the override lived.
        (
            "filename=\"=?UTF-8?B?aW52b2ljZeKArmZkcC5leGU=?=\"".into(),
            "invoicefdp.exe".into(),
            Risk::Executable,
        ),
        (
            "filename*=utf-8''bill%E2%80%AEfdp.scr".into(),
            "billfdp.scr".into(),
            Risk::Executable,
        ),
        (
            "filename=\"report.pdf.exe\"".into(),
            "report.pdf.exe".into(),
            Risk::Executable,
        ),
        (
            long_2231.trim_end().trim_end_matches(';').into(),
            format!("{}.pdf", "a".repeat(196)),
            Risk::Safe,
        ),
        ("filename=\"CON.txt\"".into(), "_CON.txt".into(), Risk::Safe),
        (
            "filename=\"existing.txt\"".into(),
            "existing.txt".into(),
            Risk::Safe,
        ),
        (
            "filename=\"link.txt\"".into(),
            "link.txt".into(),
            Risk::Safe,
        ),
    ];
    let parts: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(i, (disposition, _, _))| part(disposition, &noise(1000 + i, i as u64 + 7)))
        .collect();
    let raw = message_with(&support::unique("hostile"), &parts);
    let id = on_server(&service, account, "hostile", &raw).await;

    let view = service.message(id).await.unwrap();
    assert_eq!(view.attachments.len(), cases.len());
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    std::fs::write(dir.path().join("existing.txt"), b"mine").unwrap();
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink(&victim, &link).unwrap();

    for (index, (disposition, expected, risk)) in cases.iter().enumerate() {
        let listed = &view.attachments[index];
        let safe = filename::sanitize(listed.filename.as_deref(), &listed.mime_type);
        assert_eq!(&safe, expected, "{disposition}");
        // The hostile form reached the client decoded, and the sanitizer
        // is what made it safe.
        if !["report.pdf.exe", "existing.txt", "link.txt"].contains(&expected.as_str()) {
            assert_ne!(
                listed.filename.as_deref(),
                Some(expected.as_str()),
                "{disposition}"
            );
        }
        assert_eq!(
            filename::risk(listed.filename.as_deref().unwrap_or(""), &listed.mime_type),
            *risk,
            "{disposition}"
        );
        let saved = service
            .save_attachment(id, index, dir.path().to_path_buf(), None)
            .await;
        match expected.as_str() {
            "existing.txt" | "link.txt" => {
                let stem = expected.trim_end_matches(".txt");
                match saved {
                    Err(Error::FileExists { name, suggested }) => {
                        assert_eq!(&name, expected);
                        assert_eq!(suggested, format!("{stem} (1).txt"));
                    }
                    other => panic!("{expected}: {other:?}"),
                }
            }
            _ => {
                let path = saved.unwrap_or_else(|e| panic!("{disposition}: {e}"));
                assert_eq!(path.file_name().unwrap().to_str().unwrap(), expected);
                assert!(path.file_name().unwrap().len() <= 200);
                assert_inside(&path, dir.path());
                assert_eq!(mode(&path), 0o600);
                assert_eq!(std::fs::read(&path).unwrap(), parts[index].1, "{expected}");
            }
        }
    }
    assert_eq!(
        filename::real_extension("report.pdf.exe").as_deref(),
        Some("exe")
    );
    // Nothing overwritten, nothing followed.
    assert_eq!(
        std::fs::read(dir.path().join("existing.txt")).unwrap(),
        b"mine"
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), victim);
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
    // Nothing landed anywhere but the chosen folder (the traversal names
    // would have reached its grandparent).
    let grandparent = dir.path().parent().unwrap();
    assert!(!grandparent.join("etc").exists() && !grandparent.join("x").exists());

    // The user's own name for one is sanitized too.
    let typed = service
        .save_attachment(
            id,
            0,
            dir.path().to_path_buf(),
            Some("../typed\u{202E}.txt".into()),
        )
        .await
        .unwrap();
    assert_eq!(typed, dir.path().join("typed.txt"));

    // Save all: every taken name (the earlier saves, the file, the link)
    // gets a free one; nothing is replaced.
    let before = std::fs::read_dir(dir.path()).unwrap().count();
    let all = service
        .save_attachments(id, dir.path().to_path_buf())
        .await
        .unwrap();
    assert_eq!(all.len(), cases.len());
    for (index, path) in all.iter().enumerate() {
        assert_inside(path, dir.path());
        assert_eq!(mode(path), 0o600);
        assert_eq!(std::fs::read(path).unwrap(), parts[index].1);
    }
    let names: Vec<String> = all
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into())
        .collect();
    assert_eq!(names[0], "passwd (1)");
    assert_eq!(names[10], "existing (1).txt");
    assert_eq!(names[11], "link (1).txt");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        before + cases.len()
    );
    assert_eq!(
        std::fs::read(dir.path().join("existing.txt")).unwrap(),
        b"mine"
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), victim);
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
}

#[tokio::test]
async fn a_25_mb_attachment_is_fetched_on_demand_and_saved_byte_exact() {
    let servers = support::servers();
    let (_home, service, account) = support::mailbox::service(servers, servers.user("alice")).await;
    let big = noise(25 * 1024 * 1024, 25);
    let raw = message_with(
        &support::unique("big"),
        &[part("filename=\"big.bin\"", &big)],
    );
    let id = on_server(&service, account, "big", &raw).await;
    // Headers only so far: the body comes when the attachment is asked for.
    assert!(matches!(
        service.raw_message(id).await,
        Err(Error::NotFound { .. })
    ));
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let path = service
        .save_attachment(id, 0, dir.path().to_path_buf(), None)
        .await
        .unwrap();
    eprintln!(
        "25 MB attachment fetched and saved in {:?}",
        started.elapsed()
    );
    assert_eq!(path, dir.path().join("big.bin"));
    assert_eq!(mode(&path), 0o600);
    assert!(std::fs::read(&path).unwrap() == big, "saved bytes differ");
    // The body is kept: the message is whole and byte-exact in the store.
    assert!(service.raw_message(id).await.unwrap() == raw);
}

async fn local_inbox(service: &Service) -> FolderId {
    service
        .folders()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.account_id == LOCAL_ACCOUNT && f.role == Some(Role::Inbox))
        .unwrap()
        .id
}

/// An outer message carrying `inner` as message/rfc822 after a PDF.
fn forwarding(inner: &[u8], pdf: &[u8]) -> Vec<u8> {
    let mut raw = message_with(
        &support::unique("outer"),
        &[(
            "Content-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"".into(),
            pdf.to_vec(),
        )],
    );
    raw.truncate(raw.len() - b"--=b=--\r\n".len());
    raw.extend_from_slice(
        b"--=b=\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n\r\n",
    );
    raw.extend_from_slice(inner);
    raw.extend_from_slice(b"\r\n--=b=--\r\n");
    raw
}

fn inner_message() -> Vec<u8> {
    b"From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: =?utf-8?q?Inner_=C3=A9?=\r\n\
      Message-ID: <inner@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
      The inner text.\r\n.leading dot\r\n\r\nLast line.\r\n"
        .to_vec()
}

fn pdf() -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    pdf.extend(noise(4096, 3));
    pdf
}

#[tokio::test]
async fn an_attached_message_comes_back_byte_exact() {
    let home = tempfile::tempdir().unwrap();
    let service = Service::load(home.path().to_path_buf()).await.unwrap();
    let inner = inner_message();
    let eml = home.path().join("outer.eml");
    std::fs::write(&eml, forwarding(&inner, &pdf())).unwrap();
    let inbox = local_inbox(&service).await;
    service.import(eml, inbox, |_| {}).await.unwrap();
    let id = service
        .message_page(inbox, Default::default(), 0, 1)
        .await
        .unwrap()[0]
        .id;
    let view = service.message(id).await.unwrap();
    assert_eq!(view.attachments[1].mime_type, "message/rfc822");
    let attached = service.attached_message(id, 1).await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&attached),
        String::from_utf8_lossy(&inner)
    );
    assert!(attached == inner);
    // It reads as a message of its own.
    let parsed = poshta::mime::parse::parse(&attached).unwrap();
    assert_eq!(parsed.subject, "Inner é");
    // A PDF is no message; an index past the end is no attachment.
    assert!(matches!(
        service.attached_message(id, 0).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        service.attachment(id, 2).await,
        Err(Error::NotFound { .. })
    ));
}

/// The CLI over a home holding the forwarding message: list, save (a
/// conflict fails with the free name), and open through the real xdg-open
/// to a recorder set as the default application for PDFs.
#[test]
fn the_cli_lists_saves_and_opens_through_the_default_application() {
    let home = tempfile::tempdir().unwrap();
    let pdf = pdf();
    let eml = home.path().join("outer.eml");
    std::fs::write(&eml, forwarding(&inner_message(), &pdf)).unwrap();
    let cli = |args: &[&str], env: &[(&str, &str)]| support::cli::run(home.path(), env, args, b"");
    support::cli::ok(cli(&["import", eml.to_str().unwrap()], &[]));
    let listing = support::cli::ok(cli(&["list", "Inbox"], &[]));
    let id = listing.split('\t').next().unwrap().trim().to_string();

    let list = support::cli::ok(cli(&["attachment", "list", &id], &[]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines[0].starts_with("0\treport.pdf\tapplication/pdf\t"),
        "{list}"
    );
    assert!(
        lines[1].starts_with("1\tfwd.eml\tmessage/rfc822\t"),
        "{list}"
    );

    let to = tempfile::tempdir().unwrap();
    let dest = to.path().to_str().unwrap();
    let saved = support::cli::ok(cli(
        &["attachment", "save", &id, "--index", "0", "--to", dest],
        &[],
    ));
    assert_eq!(saved.trim(), to.path().join("report.pdf").to_str().unwrap());
    let again = cli(
        &["attachment", "save", &id, "--index", "0", "--to", dest],
        &[],
    );
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("report (1).pdf"), "{stderr}");
    let all = support::cli::ok(cli(
        &["attachment", "save", &id, "--all", "--to", dest],
        &[],
    ));
    let all: Vec<&str> = all.lines().collect();
    assert_eq!(
        all,
        [
            to.path().join("report (1).pdf").to_str().unwrap(),
            to.path().join("fwd.eml").to_str().unwrap()
        ]
    );
    assert_eq!(std::fs::read(to.path().join("report.pdf")).unwrap(), pdf);

    // A desktop whose default application for PDFs records what it is
    // given: a .desktop file and mimeapps.list in private XDG folders.
    let desk = tempfile::tempdir().unwrap();
    let data = desk.path().join("data");
    let config = desk.path().join("config");
    let runtime = desk.path().join("runtime");
    std::fs::create_dir_all(data.join("applications")).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    std::fs::create_dir(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    let received = desk.path().join("received");
    let recorder = desk.path().join("record.sh");
    std::fs::write(
        &recorder,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{}.tmp' && mv '{0}.tmp' '{0}'\n",
            received.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&recorder, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        data.join("applications/poshta-test-recorder.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=Recorder\nExec={} %f\nMimeType=application/pdf;\n",
            recorder.display()
        ),
    )
    .unwrap();
    std::fs::write(
        config.join("mimeapps.list"),
        "[Default Applications]\napplication/pdf=poshta-test-recorder.desktop\n",
    )
    .unwrap();
    let env = [
        ("XDG_DATA_HOME", data.to_str().unwrap()),
        ("XDG_CONFIG_HOME", config.to_str().unwrap()),
        ("XDG_RUNTIME_DIR", runtime.to_str().unwrap()),
        // xdg-open's generic path asks for a display before it looks up
        // the default application; nothing connects to it.
        ("DISPLAY", ":99"),
        ("XDG_CURRENT_DESKTOP", ""),
        ("DESKTOP_SESSION", ""),
        ("BROWSER", "/bin/false"),
    ];
    let opened = support::cli::ok(cli(&["attachment", "open", &id, "--index", "0"], &env));
    let opened = PathBuf::from(opened.trim());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !received.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let got = PathBuf::from(
        std::fs::read_to_string(&received).expect("the default application was not started"),
    );
    assert_eq!(got, opened);
    let folder = got.parent().unwrap();
    assert_eq!(folder.parent().unwrap(), runtime);
    assert_eq!(mode(folder), 0o700);
    assert_eq!(mode(&got), 0o600);
    assert_eq!(got.file_name().unwrap(), "report.pdf");
    assert_eq!(std::fs::read(&got).unwrap(), pdf);
}

//! Importing real-world `.eml` samples and mbox files through the service,
//! as the CLI and the window do.

use poshta::Service;
use poshta::model::{Flags, Role};
use poshta::store::folders::LOCAL_ACCOUNT;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Rows of a fixture's EXPECTED.tsv, header skipped.
fn expected(file: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

async fn service() -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::load(dir.path().to_path_buf()).await.unwrap();
    (dir, service)
}

async fn inbox(service: &Service) -> poshta::model::FolderId {
    let folders = service.folders().await.unwrap();
    folders
        .iter()
        .find(|f| f.account_id == LOCAL_ACCOUNT && f.role == Some(Role::Inbox))
        .unwrap()
        .id
}

#[tokio::test]
async fn eml_samples_decode_headers_bodies_and_attachments() {
    let (_dir, service) = service().await;
    let inbox = inbox(&service).await;
    let rows = expected(&fixtures().join("eml/EXPECTED.tsv"));
    assert!(rows.len() >= 8);
    for row in &rows {
        let [file, subject, from, body_part, attachments] = &row[..] else {
            panic!("bad row {row:?}");
        };
        let progress = service
            .import(fixtures().join("eml").join(file), inbox, |_| {})
            .await
            .unwrap();
        assert_eq!(progress.imported, 1, "{file}");
        // The newest-first list is sorted by Date; find the message by subject.
        let page = service
            .message_page(inbox, poshta::model::ListQuery::default(), 0, 100)
            .await
            .unwrap();
        let summary = page
            .iter()
            .find(|m| &m.subject == subject)
            .unwrap_or_else(|| panic!("{file}: subject {subject:?} not in {page:#?}"));
        assert_eq!(&summary.from_addr, from, "{file}");
        let view = service.message(summary.id).await.unwrap();
        assert!(
            view.body.contains(body_part.as_str()),
            "{file}: body lacks {body_part:?}: {}",
            view.body
        );
        assert_eq!(
            view.attachments.len(),
            attachments.parse::<usize>().unwrap(),
            "{file}"
        );
        assert_eq!(
            summary.has_attachments,
            !view.attachments.is_empty(),
            "{file}"
        );
    }
    assert_eq!(
        service
            .message_count(inbox, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        rows.len()
    );
}

#[tokio::test]
async fn reimporting_stores_nothing_twice() {
    let (_dir, service) = service().await;
    let inbox = inbox(&service).await;
    let file = fixtures().join("eml/simple_ascii.eml");
    assert_eq!(
        service
            .import(file.clone(), inbox, |_| {})
            .await
            .unwrap()
            .imported,
        1
    );
    let again = service.import(file, inbox, |_| {}).await.unwrap();
    assert_eq!((again.imported, again.duplicates), (0, 1));
    assert_eq!(
        service
            .message_count(inbox, poshta::model::ListQuery::default())
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn mbox_import_keeps_order_unquotes_from_and_reports_progress() {
    let (_dir, service) = service().await;
    let folder = service
        .create_folder(LOCAL_ACCOUNT, None, "Archive 2026".into())
        .await
        .unwrap();
    let path = fixtures().join("mbox/sample.mbox");
    let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = reports.clone();
    let done = service
        .import(path.clone(), folder, move |p| sink.lock().unwrap().push(*p))
        .await
        .unwrap();
    let subjects: Vec<String> = expected(&fixtures().join("mbox/EXPECTED.tsv"))
        .into_iter()
        .map(|row| row[0].clone())
        .collect();
    assert_eq!(done.imported, subjects.len());
    let last = *reports.lock().unwrap().last().unwrap();
    assert_eq!(last, done);
    assert_eq!(last.bytes_read, std::fs::metadata(&path).unwrap().len());

    let page = service
        .message_page(folder, poshta::model::ListQuery::default(), 0, 100)
        .await
        .unwrap();
    let mut listed: Vec<String> = page.iter().map(|m| m.subject.clone()).collect();
    listed.sort();
    let mut wanted = subjects.clone();
    wanted.sort();
    assert_eq!(listed, wanted);
    // No body keeps the mboxrd escape ">From ".
    let mut unescaped = false;
    for m in &page {
        let view = service.message(m.id).await.unwrap();
        assert!(!view.body.contains(">From "), "{}", view.body);
        unescaped |= view.body.lines().any(|l| l.starts_with("From "));
    }
    assert!(unescaped, "the sample has a body line starting with From");
}

#[tokio::test]
async fn unreadable_input_is_skipped_and_reported_not_fatal() {
    let (dir, service) = service().await;
    let inbox = inbox(&service).await;
    let mbox = dir.path().join("mixed.mbox");
    std::fs::write(
        &mbox,
        b"From a Mon Nov 23 10:00:00 2026\nSubject: good one\nMessage-ID: <g@x>\nStatus: RO\nX-Status: F\n\nfine\n\nFrom b Mon Nov 23 10:00:00 2026\n\n",
    )
    .unwrap();
    let p = service.import(mbox, inbox, |_| {}).await.unwrap();
    assert_eq!((p.imported, p.failed), (1, 1));
    let page = service
        .message_page(inbox, poshta::model::ListQuery::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(page[0].subject, "good one");
    assert!(page[0].flags.contains(Flags::SEEN) && page[0].flags.contains(Flags::FLAGGED));

    let missing = service
        .import(dir.path().join("nope.eml"), inbox, |_| {})
        .await;
    assert_eq!(missing.unwrap_err().kind(), poshta::ErrorKind::Io);
}

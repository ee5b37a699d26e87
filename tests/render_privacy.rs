//! Nothing is fetched while a message is shown, replied to or forwarded.
//!
//! A loopback HTTP server counts every connection. Messages whose HTML
//! names it in every form a resource can take (images, srcset, CSS url()
//! and @import, style sheets, media, frames, objects, refreshes,
//! backgrounds), at the top level, in an alternative, in an attached
//! message and in CSS alone, go through the store and `Service::message`
//! as the window does, then through reply, reply-all, forward and forward
//! as attachment. The server must see no connection, and every URL must
//! be reported as blocked.

use poshta::Service;
use poshta::mime::compose;
use poshta::mime::render::{self, Part};
use poshta::mime::reply::{self, Kind};
use poshta::model::{MessageView, Role};
use poshta::store::folders::LOCAL_ACCOUNT;
use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Counts connections to a loopback port until dropped.
struct Beacon {
    port: u16,
    hits: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Beacon {
    fn start() -> Beacon {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (hits.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        h.fetch_add(1, Ordering::SeqCst);
                        let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                        let mut buf = [0u8; 1024];
                        let _ = stream.read(&mut buf);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Beacon {
            port,
            hits,
            stop,
            thread: Some(thread),
        }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Beacon {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Every remote-resource form, each URL unique, and the URLs.
fn hostile_html(base: &str, tag: &str) -> (String, Vec<String>) {
    let u = |name: &str| format!("{base}/{tag}/{name}");
    let html = format!(
        r#"<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{css}">
<link rel="icon" href="{icon}">
<link rel="preload" as="image" imagesrcset="{preload} 1x">
<meta http-equiv="refresh" content="0; url={refresh}">
<style>@import "{import}"; @import url({import_url}); body {{ background: url('{style_bg}') }}</style>
<script src="{script}"></script>
</head><body background="{body_bg}">
<p>Visible text of {tag}.</p>
<img src="{img}" alt="">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="{srcset1} 1x, {srcset2} 2x">
<picture><source srcset="{picture}"><img src="{picture_img}"></picture>
<p style="background-image: url(&quot;{inline_style}&quot;)">styled</p>
<video poster="{poster}" src="{video}"><source src="{video_source}"><track src="{track}"></video>
<audio src="{audio}"><source src="{audio_source}"></audio>
<object data="{object}"></object>
<embed src="{embed}">
<iframe src="{iframe}"></iframe>
<table background="{table_bg}"><tr><td background="{td_bg}">cell</td><td>two</td></tr></table>
<input type="image" src="{input}">
<svg><image href="{svg_image}"/><use xlink:href="{svg_use}"/></svg>
<noscript><img src="{noscript}"></noscript>
<div style="display:none"><img src="{hidden}"></div>
<p><a href="{base}/{tag}/clicked">a link, not a resource</a></p>
</body></html>"#,
        css = u("link.css"),
        icon = u("icon.ico"),
        preload = u("preload.png"),
        refresh = u("refresh"),
        import = u("import.css"),
        import_url = u("import-url.css"),
        style_bg = u("style-bg.png"),
        script = u("script.js"),
        body_bg = u("body-bg.png"),
        img = u("img.png"),
        srcset1 = u("srcset-1x.png"),
        srcset2 = u("srcset-2x.png"),
        picture = u("picture.webp"),
        picture_img = u("picture.png"),
        inline_style = u("inline-style.png"),
        poster = u("poster.png"),
        video = u("video.mp4"),
        video_source = u("video-source.mp4"),
        track = u("track.vtt"),
        audio = u("audio.mp3"),
        audio_source = u("audio-source.ogg"),
        object = u("object.swf"),
        embed = u("embed.swf"),
        iframe = u("iframe.html"),
        table_bg = u("table-bg.png"),
        td_bg = u("td-bg.png"),
        input = u("input.png"),
        svg_image = u("svg-image.png"),
        svg_use = u("svg-use.svg"),
        noscript = u("noscript.png"),
        hidden = u("hidden.png"),
    );
    let urls = [
        "link.css",
        "icon.ico",
        "preload.png",
        "refresh",
        "import.css",
        "import-url.css",
        "style-bg.png",
        "script.js",
        "body-bg.png",
        "img.png",
        "srcset-1x.png",
        "srcset-2x.png",
        "picture.webp",
        "picture.png",
        "inline-style.png",
        "poster.png",
        "video.mp4",
        "video-source.mp4",
        "track.vtt",
        "audio.mp3",
        "audio-source.ogg",
        "object.swf",
        "embed.swf",
        "iframe.html",
        "table-bg.png",
        "td-bg.png",
        "input.png",
        "svg-image.png",
        "svg-use.svg",
        "noscript.png",
        "hidden.png",
    ]
    .iter()
    .map(|n| u(n))
    .collect();
    (html, urls)
}

fn css_only(base: &str) -> (String, Vec<String>) {
    let u = |name: &str| format!("{base}/css/{name}");
    let html = format!(
        r#"<html><head><style>
/* url({comment}) is a comment */
@import url("{a}") screen;
.x {{ background: \75 rl({b}); }}
.y {{ background-image: image-set("{c}" 1x, '{d}' 2x); }}
@font-face {{ font-family: F; src: url({e}) format("woff2"); }}
</style></head><body><p style="list-style: url({f})">CSS only.</p></body></html>"#,
        comment = u("comment.png"),
        a = u("a.css"),
        b = u("escaped.png"),
        c = u("set-1x.png"),
        d = u("set-2x.png"),
        e = u("font.woff2"),
        f = u("list.png"),
    );
    let urls = [
        "a.css",
        "escaped.png",
        "set-1x.png",
        "set-2x.png",
        "font.woff2",
        "list.png",
    ]
    .iter()
    .map(|n| u(n))
    .collect();
    (html, urls)
}

fn header(subject: &str, id: &str, content_type: &str) -> String {
    format!(
        "From: Sender <sender@example.org>\r\nTo: me@example.org, other@example.org\r\nCc: cc@example.org\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\nMessage-ID: <{id}@example.org>\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n"
    )
}

/// The messages, each with the URLs it must report.
fn messages(base: &str) -> Vec<(String, Vec<u8>, Vec<String>)> {
    let mut out = Vec::new();
    // 1. HTML with a cid image beside the remote forms (multipart/related).
    let (html, urls) = hostile_html(base, "related");
    let html = html.replace(
        "<p>Visible",
        "<img src=\"cid:dot@example.org\" alt=\"dot\"><p>Visible",
    );
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYGAAAAAEAAH2FzhVAAAAAElFTkSuQmCC";
    let raw = format!(
        "{}--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <dot@example.org>\r\nContent-Transfer-Encoding: base64\r\n\r\n{png}\r\n--r--\r\n",
        header("Related", "related", "multipart/related; boundary=\"r\"")
    );
    out.push(("related".to_string(), raw.into_bytes(), urls));
    // 2. multipart/alternative.
    let (html, urls) = hostile_html(base, "alternative");
    let raw = format!(
        "{}--a\r\nContent-Type: text/plain\r\n\r\nPlain version.\r\n--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--a--\r\n",
        header(
            "Alternative",
            "alternative",
            "multipart/alternative; boundary=\"a\""
        )
    );
    out.push(("alternative".to_string(), raw.into_bytes(), urls));
    // 3. In an attached message.
    let (html, urls) = hostile_html(base, "nested");
    let inner = format!(
        "{}{html}\r\n",
        header("Inner", "inner", "text/html; charset=utf-8")
    );
    let raw = format!(
        "{}--m\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--m\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=inner.eml\r\n\r\n{inner}\r\n--m--\r\n",
        header("Nested", "nested", "multipart/mixed; boundary=\"m\"")
    );
    out.push(("nested".to_string(), raw.into_bytes(), urls));
    // 4. CSS alone.
    let (html, urls) = css_only(base);
    let raw = format!(
        "{}{html}\r\n",
        header("Css", "css", "text/html; charset=utf-8")
    );
    out.push(("css".to_string(), raw.into_bytes(), urls));
    // 5. EFAIL's shape: an open attribute in one part, a secret in the
    // next, the close in a third.
    let raw = format!(
        "{}--e\r\nContent-Type: text/html\r\n\r\n<img src=\"{base}/efail/x?\r\n--e\r\nContent-Type: text/plain\r\n\r\nSECRET-PLAINTEXT\r\n--e\r\nContent-Type: text/html\r\n\r\n\">\r\n--e--\r\n",
        header("Efail", "efail", "multipart/mixed; boundary=\"e\"")
    );
    out.push(("efail".to_string(), raw.into_bytes(), Vec::new()));
    out
}

/// Every blocked URL of a rendering, attached messages included.
fn blocked(r: &render::Rendered) -> &[String] {
    &r.document.blocked
}

async fn open(
    service: &Service,
    inbox: poshta::model::FolderId,
    dir: &std::path::Path,
    name: &str,
    raw: &[u8],
) -> MessageView {
    let path = dir.join(format!("{name}.eml"));
    std::fs::write(&path, raw).unwrap();
    let done = service.import(path, inbox, |_| {}).await.unwrap();
    assert_eq!(done.imported, 1, "{name}");
    let page = service
        .message_page(inbox, Default::default(), 0, 1000)
        .await
        .unwrap();
    let id = page
        .iter()
        .find(|m| {
            m.subject.eq_ignore_ascii_case(name)
                || m.subject.to_lowercase().contains(&name.to_lowercase())
        })
        .unwrap_or_else(|| panic!("{name} not in {page:#?}"))
        .id;
    service.message(id).await.unwrap()
}

#[tokio::test]
async fn showing_replying_and_forwarding_fetch_nothing() {
    let beacon = Beacon::start();
    // The counter works: one deliberate connection is seen.
    drop(std::net::TcpStream::connect(("127.0.0.1", beacon.port)).unwrap());
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while beacon.hits() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(beacon.hits(), 1, "the beacon counts connections");

    let base = format!("http://127.0.0.1:{}", beacon.port);
    let dir = tempfile::tempdir().unwrap();
    let service = Service::load(dir.path().join("data")).await.unwrap();
    let inbox = service
        .folders()
        .await
        .unwrap()
        .iter()
        .find(|f| f.account_id == LOCAL_ACCOUNT && f.role == Some(Role::Inbox))
        .unwrap()
        .id;
    let own = vec!["me@example.org".to_string()];

    for (name, raw, urls) in messages(&base) {
        let view = open(&service, inbox, dir.path(), &name, &raw).await;
        let r = &view.rendered;
        for url in &urls {
            assert!(
                blocked(r).contains(url),
                "{name}: {url} not in blocked {:#?}",
                blocked(r)
            );
        }
        assert!(
            !blocked(r).iter().any(|b| b.ends_with("/clicked")),
            "{name}: a link is not a resource"
        );
        assert!(!view.body.is_empty(), "{name}: no text to quote");
        if name == "related" {
            assert_eq!(
                r.document.images.len(),
                1,
                "the cid image is the only image"
            );
        }
        if name == "nested" {
            assert!(
                r.document
                    .parts
                    .iter()
                    .any(|p| matches!(p, Part::Message { .. }))
            );
        }
        if name == "efail" {
            assert_eq!(r.document.parts.len(), 2, "{:#?}", r.document.parts);
            assert!(
                blocked(r).iter().all(|b| !b.contains("SECRET")),
                "parts joined: {:?}",
                blocked(r)
            );
            assert!(view.body.contains("SECRET-PLAINTEXT"));
        }

        for kind in [
            Kind::Reply,
            Kind::ReplyAll,
            Kind::Forward,
            Kind::ForwardAttached,
        ] {
            let mut out = reply::respond(&view, kind, &own, "Sender wrote:");
            out.from = "me@example.org".into();
            if matches!(kind, Kind::Forward | Kind::ForwardAttached) {
                out.to = vec!["friend@example.org".into()];
            }
            if kind == Kind::ForwardAttached {
                let original = service.raw_message(view.summary.id).await.unwrap();
                out.attachments
                    .push(reply::original_attached(&view.summary.subject, original));
            }
            let built = compose::build(&out).unwrap();
            compose::build_draft(&out).unwrap();
            // The response itself, opened as it would be in Sent.
            let again = render::render(&built.raw).unwrap();
            if kind == Kind::ForwardAttached {
                for url in &urls {
                    assert!(
                        blocked(&again).contains(url),
                        "{name} forwarded: {url} not blocked"
                    );
                }
            }
        }
    }
    // Give any stray connection time to arrive before counting.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(beacon.hits(), 1, "something was fetched from the beacon");
}

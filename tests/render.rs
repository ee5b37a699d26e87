//! Golden tests of the display model: every sample in tests/fixtures/eml
//! is rendered and its dump compared with `<name>.golden` beside it.
//! `POSHTA_BLESS=1` rewrites the goldens (then read every changed one).

use poshta::mime::render::{self, BlockKind, Part};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eml")
}

#[test]
fn every_sample_renders_as_its_golden() {
    let bless = std::env::var_os("POSHTA_BLESS").is_some_and(|v| v == "1");
    let mut samples: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    samples.sort();
    assert!(samples.len() >= 20, "{samples:?}");
    let mut failed = Vec::new();
    for sample in &samples {
        let raw = std::fs::read(sample).unwrap();
        let rendered = render::render(&raw).unwrap_or_else(|e| panic!("{sample:?}: {e}"));
        let dump = rendered.dump();
        let golden = sample.with_extension("golden");
        if bless {
            std::fs::write(&golden, &dump).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden)
            .unwrap_or_else(|_| panic!("{golden:?} missing: run with POSHTA_BLESS=1"));
        if expected != dump {
            failed.push(format!("{}:\n{dump}", golden.display()));
        }
    }
    assert!(
        failed.is_empty(),
        "differs from golden:\n{}",
        failed.join("\n")
    );
}

fn sample(name: &str) -> render::Rendered {
    render::render(&std::fs::read(fixtures().join(name)).unwrap()).unwrap()
}

/// The points of the goldens that matter most, stated so a careless
/// re-bless cannot lose them.
#[test]
fn what_the_goldens_must_show() {
    let news = sample("newsletter_html.eml");
    for url in [
        "https://t.harbourbooks.example/open.gif?u=5531",
        "https://cdn.harbourbooks.example/logo.png",
        "https://cdn.harbourbooks.example/mail.css",
        "https://cdn.harbourbooks.example/bg.jpg",
        "https://fonts.example/serif.css",
        "https://cdn.harbourbooks.example/banner.jpg",
    ] {
        assert!(
            news.document.blocked.iter().any(|b| b == url),
            "{url} not blocked"
        );
    }
    assert!(
        !news.text.contains("Preview: 20% off"),
        "hidden preheader shown"
    );
    assert!(
        news.text.contains("Monday–Friday | 9:00 – 19:00"),
        "{}",
        news.text
    );

    let cid = sample("inline_cid_image.eml");
    let Part::Text(blocks) = &cid.document.parts[0] else {
        panic!("{:?}", cid.document.parts)
    };
    let placed: Vec<usize> = blocks
        .iter()
        .filter_map(|b| match b.kind {
            BlockKind::Image(i) => Some(i),
            _ => None,
        })
        .collect();
    assert_eq!(placed.len(), 2);
    // The unreferenced inline image shows on its own; the attached one
    // does not show at all.
    assert_eq!(cid.document.parts.len(), 2);
    assert!(matches!(cid.document.parts[1], Part::Image(_)));
    assert_eq!(cid.document.images.len(), 3);
    assert!(
        cid.document
            .images
            .iter()
            .all(|i| i.mime_type == "image/png")
    );

    let flowed = sample("cyrillic_koi8r_flowed.eml");
    let Part::Text(blocks) = &flowed.document.parts[0] else {
        panic!()
    };
    let quotes: Vec<u8> = blocks.iter().map(|b| b.quote).collect();
    assert!(quotes.contains(&1) && quotes.contains(&2), "{quotes:?}");

    let fwd = sample("forwarded_rfc822.eml");
    assert!(
        fwd.document
            .parts
            .iter()
            .any(|p| matches!(p, Part::Message { .. }))
    );
    let invite = sample("calendar_invite.eml");
    let events = invite
        .document
        .parts
        .iter()
        .filter(|p| matches!(p, Part::Event(_)))
        .count();
    assert_eq!(
        events, 1,
        "the .ics attachment is the same invitation, shown once"
    );
}

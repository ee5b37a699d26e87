use super::super::resource::Blocked;
use super::super::walk::Budget;
use super::*;
use crate::mime::render::{BlockKind, dump::blocks_text};

fn blocks(src: &str) -> Vec<Block> {
    let mut budget = Budget::default();
    let mut blocked = Blocked::default();
    render(
        src,
        &mut Ctx {
            budget: &mut budget,
            blocked: &mut blocked,
            resolve: &mut |cid, _| (cid == "logo@x").then_some(7),
        },
    )
}

fn text(src: &str) -> String {
    blocks_text(&blocks(src))
}

#[test]
fn paragraphs_collapse_whitespace_and_decode_entities() {
    assert_eq!(
        text(
            "<p>  Hello,\n\t <b>world</b>&nbsp;&amp; &lt;friends&gt; &#x263A; &eacute;</p><p>two<br>lines</p>"
        ),
        "Hello, world\u{a0}& <friends> ☺ é\n\ntwo\nlines"
    );
    let b = blocks(
        "<p>a <b>bold <i>both</i></b> <code>x()</code> <a href='https://e.example/'>link</a></p>",
    );
    let spans: Vec<_> = b[0]
        .spans
        .iter()
        .map(|s| {
            (
                s.text.as_str(),
                s.bold,
                s.italic,
                s.code,
                s.link.as_ref().map(|l| l.target.as_str()),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("a ", false, false, false, None),
            ("bold ", true, false, false, None),
            ("both", true, true, false, None),
            (" ", false, false, false, None),
            ("x()", false, false, true, None),
            (" ", false, false, false, None),
            ("link", false, false, false, Some("https://e.example/")),
        ]
    );
}

#[test]
fn script_style_head_and_hidden_text_are_dropped() {
    assert_eq!(
        text(
            "<html><head><title>T</title><style>p{color:red}</style></head><body><script>alert(1)</script><p>seen</p><div style='display: none'>preheader</div><p hidden>h</p><noscript>no script</noscript></body></html>"
        ),
        "seen\n\nno script"
    );
}

#[test]
fn nested_lists_keep_depth_and_numbers() {
    let b = blocks(
        "<ol start=3><li>three<ul><li>dot</li><li>dot two<ol><li>deep</li></ol></li></ul>after</li><li>four</li></ol>",
    );
    let kinds: Vec<_> = b
        .iter()
        .map(|b| match &b.kind {
            BlockKind::ListItem { depth, marker } => (*depth, marker.clone(), b.text()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (0, "3.".to_string(), "three".to_string()),
            (1, "•".into(), "dot".into()),
            (1, "•".into(), "dot two".into()),
            (2, "1.".into(), "deep".into()),
            (0, "".into(), "after".into()),
            (0, "4.".into(), "four".into()),
        ]
    );
    assert_eq!(
        blocks_text(&b),
        "3. three\n  • dot\n  • dot two\n    1. deep\n  after\n4. four"
    );
}

#[test]
fn data_tables_become_rows_and_layout_tables_do_not() {
    let b = blocks(
        "<table><tr><th>Item</th><th>Price</th></tr><tr><td>Tea</td><td> 3 &euro; </td></tr><tr><td>only</td><td></td></tr></table>\
         <table><tr><td><p>Layout one</p></td><td><h2>Layout two</h2></td></tr></table>",
    );
    let rows: Vec<_> = b.iter().map(|b| (b.kind.clone(), b.text())).collect();
    assert_eq!(
        rows,
        [
            (BlockKind::TableRow, "Item | Price".to_string()),
            (BlockKind::TableRow, "Tea | 3 €".into()),
            (BlockKind::Paragraph, "only".into()),
            (BlockKind::Paragraph, "Layout one".into()),
            (BlockKind::Heading(2), "Layout two".into()),
        ]
    );
    assert!(b[0].spans[0].bold, "header cells are bold");
}

#[test]
fn blockquote_pre_rule_and_images() {
    let b = blocks(
        "<p>top</p><blockquote>one<blockquote><p>two</p></blockquote>one again</blockquote>\
         <pre>  a\n    b</pre><hr><img src='cid:logo@x' alt='Logo'><img src='http://t.example/p.gif' alt='Sale'>",
    );
    let got: Vec<_> = b
        .iter()
        .map(|b| (b.kind.clone(), b.quote, b.text()))
        .collect();
    assert_eq!(
        got,
        [
            (BlockKind::Paragraph, 0, "top".to_string()),
            (BlockKind::Paragraph, 1, "one".into()),
            (BlockKind::Paragraph, 2, "two".into()),
            (BlockKind::Paragraph, 1, "one again".into()),
            (BlockKind::Preformatted, 0, "  a\n    b".into()),
            (BlockKind::Rule, 0, "".into()),
            (BlockKind::Image(7), 0, "".into()),
            (BlockKind::Paragraph, 0, "Sale".into()),
        ]
    );
}

#[test]
fn deep_nesting_keeps_the_text_without_the_structure() {
    let depth = 50_000;
    let src = format!(
        "{}deep text{}",
        "<div><blockquote>".repeat(depth),
        "</blockquote></div>".repeat(depth)
    );
    let b = blocks(&src);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].text(), "deep text");
    assert!(b[0].quote as usize <= super::super::MAX_HTML_DEPTH);
}

#[test]
fn text_and_blocks_are_bounded() {
    let src = "<p>word</p>".repeat(super::super::MAX_BLOCKS + 10);
    let mut budget = Budget::default();
    let mut blocked = Blocked::default();
    let b = render(
        &src,
        &mut Ctx {
            budget: &mut budget,
            blocked: &mut blocked,
            resolve: &mut |_, _| None,
        },
    );
    assert_eq!(b.len(), super::super::MAX_BLOCKS);
    assert!(budget.truncated);
}

#[test]
fn links_that_go_nowhere_safe_stay_text() {
    let b = blocks(
        "<a href='javascript:alert(1)'>js</a> <a href='#top'>top</a> <a href=' HTTPS://Example.ORG/x '>web</a>",
    );
    let links: Vec<_> = b[0]
        .spans
        .iter()
        .map(|s| s.link.as_ref().map(|l| (l.target.clone(), l.actionable())))
        .collect();
    assert_eq!(
        links,
        [
            Some(("javascript:alert(1)".to_string(), false)),
            None,
            Some(("https://example.org/x".to_string(), true)),
        ]
    );
}

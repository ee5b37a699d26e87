//! Parsing HTML with a bound on nesting. html5ever builds the tree as a
//! browser would, but several of its steps scan the whole stack of open
//! elements, so tens of thousands of nested tags cost quadratic time.
//! Browsers cap tree depth for the same reason; here start tags nested
//! deeper than [`MAX_OPEN`] in the source are left out of the tree (their
//! text stays), and their attributes are kept so the resources they name
//! are still recorded.

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{TreeBuilder, TreeBuilderOpts};
use scraper::{Html, HtmlTreeSink};
use std::cell::{Cell, RefCell};

/// Start tags open at once, counted in the source (unclosed `<p>` and
/// `<li>` count too, so this is above the depth the reader keeps).
const MAX_OPEN: usize = 256;
/// Left-out tags whose attributes are kept.
const MAX_DROPPED: usize = 10_000;

/// A left-out start tag: its name and attributes.
pub(super) type Dropped = (String, Vec<(String, String)>);

/// Elements that never hold content (no end tag to wait for).
fn void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

struct Shallow {
    builder: TreeBuilder<<HtmlTreeSink as html5ever::interface::TreeSink>::Handle, HtmlTreeSink>,
    open: Cell<usize>,
    dropped: RefCell<Vec<Dropped>>,
}

impl TokenSink for Shallow {
    type Handle = <HtmlTreeSink as html5ever::interface::TreeSink>::Handle;

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<Self::Handle> {
        if let Token::TagToken(tag) = &token {
            let leaf = tag.self_closing || void(&tag.name);
            match tag.kind {
                TagKind::StartTag if !leaf => {
                    let open = self.open.get() + 1;
                    self.open.set(open);
                    if open > MAX_OPEN {
                        let mut dropped = self.dropped.borrow_mut();
                        if dropped.len() < MAX_DROPPED {
                            dropped.push((
                                tag.name.to_string(),
                                tag.attrs
                                    .iter()
                                    .map(|a| (a.name.local.to_string(), a.value.to_string()))
                                    .collect(),
                            ));
                        }
                        return TokenSinkResult::Continue;
                    }
                }
                TagKind::EndTag => self.open.set(self.open.get().saturating_sub(1)),
                TagKind::StartTag => {}
            }
        }
        self.builder.process_token(token, line)
    }

    fn end(&self) {
        self.builder.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// `src` as a document, scripting off (so `<noscript>` reads as markup,
/// as in a browser without scripts), with the start tags it left out.
pub(super) fn parse(src: &str) -> (Html, Vec<Dropped>) {
    let opts = TreeBuilderOpts {
        scripting_enabled: false,
        ..Default::default()
    };
    let sink = Shallow {
        builder: TreeBuilder::new(HtmlTreeSink::new(Html::new_document()), opts),
        open: Cell::new(0),
        dropped: RefCell::new(Vec::new()),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(src));
    // A Script result only pauses for a script to run; none ever does.
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    let dropped = tokenizer.sink.dropped.take();
    (
        html5ever::interface::TreeSink::finish(tokenizer.sink.builder.sink),
        dropped,
    )
}

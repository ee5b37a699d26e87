//! Turning the open/close/text events of an HTML walk into blocks.

use super::super::clean::clean_body;
use super::super::resource::Blocked;
use super::{Ctx, link};
use crate::mime::render::{Block, BlockKind, Link, Span};
use scraper::node::Element;

/// Elements that start and end a block of their own.
pub(super) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "plaintext"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
            | "xmp"
    )
}

/// What closing an element undoes.
#[derive(Debug, Default)]
pub(super) struct Undo {
    block: bool,
    bold: bool,
    italic: bool,
    code: bool,
    link: bool,
    pre: bool,
    quote: bool,
    list: bool,
    item: bool,
    /// A data-row cell; true for a header cell (shown bold).
    cell: Option<bool>,
    row: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Style {
    bold: bool,
    italic: bool,
    code: bool,
    link: Option<Link>,
}

struct List {
    ordered: bool,
    next: i64,
}

pub(super) struct Builder<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    blocks: Vec<Block>,
    /// The inline run of the block being built (or of the current cell).
    spans: Vec<Span>,
    kind: BlockKind,
    /// Collapsed whitespace waiting to become one space before the next
    /// word, in the style it was written in.
    space: Option<Style>,
    bold: u32,
    italic: u32,
    code: u32,
    links: Vec<Link>,
    pre: u32,
    quote: u8,
    lists: Vec<List>,
    /// Depths of the list items open.
    items: Vec<u8>,
    /// The cells finished so far in a data row.
    row: Option<Vec<Vec<Span>>>,
    stopped: bool,
}

impl<'c, 'a> Builder<'c, 'a> {
    pub fn new(ctx: &'c mut Ctx<'a>) -> Self {
        Builder {
            ctx,
            blocks: Vec::new(),
            spans: Vec::new(),
            kind: BlockKind::Paragraph,
            space: None,
            bold: 0,
            italic: 0,
            code: 0,
            links: Vec::new(),
            pre: 0,
            quote: 0,
            lists: Vec::new(),
            items: Vec::new(),
            row: None,
            stopped: false,
        }
    }

    pub fn stopped(&self) -> bool {
        self.stopped
    }

    pub fn blocked(&mut self) -> &mut Blocked {
        self.ctx.blocked
    }

    pub fn finish(mut self) -> Vec<Block> {
        self.end_row();
        self.flush();
        self.blocks
    }

    pub fn open(&mut self, el: &Element, data_row: impl FnOnce() -> bool) -> Undo {
        let name = el.name();
        let mut undo = Undo::default();
        match name {
            "br" => self.newline(),
            "hr" => {
                self.flush();
                self.push(BlockKind::Rule, Vec::new());
            }
            "img" => self.image(el),
            "input"
                if el
                    .attr("type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("image")) =>
            {
                self.image(el)
            }
            "tr" if self.row.is_none() && data_row() => {
                self.flush();
                self.row = Some(Vec::new());
                undo.row = true;
            }
            "td" | "th" if self.row.is_some() => {
                self.spans.clear();
                self.space = None;
                let header = name == "th";
                if header {
                    self.bold += 1;
                }
                undo.cell = Some(header);
            }
            _ if is_block(name) => {
                self.flush();
                undo.block = true;
                self.open_block(el, &mut undo);
            }
            _ => {}
        }
        match name {
            "b" | "strong" => undo.bold = true,
            "i" | "em" | "cite" | "dfn" | "var" => undo.italic = true,
            "code" | "tt" | "kbd" | "samp" => undo.code = true,
            "a" => {
                if let Some(l) = el.attr("href").and_then(link) {
                    self.links.push(l);
                    undo.link = true;
                }
            }
            _ => {}
        }
        // Emphasis the way newsletters write it.
        if let Some(style) = el.attr("style") {
            let style: String = style
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            undo.bold |= [
                "font-weight:bold",
                "font-weight:700",
                "font-weight:800",
                "font-weight:900",
            ]
            .iter()
            .any(|s| style.contains(s));
            undo.italic |= style.contains("font-style:italic");
        }
        self.bold += u32::from(undo.bold);
        self.italic += u32::from(undo.italic);
        self.code += u32::from(undo.code);
        undo
    }

    fn open_block(&mut self, el: &Element, undo: &mut Undo) {
        let name = el.name();
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = name.as_bytes().get(1).map_or(1, |b| b - b'0');
                self.kind = BlockKind::Heading(level);
            }
            "ul" | "ol" | "menu" | "dir" => {
                let start = el.attr("start").and_then(|s| s.trim().parse().ok());
                self.lists.push(List {
                    ordered: name == "ol",
                    next: start.unwrap_or(1),
                });
                undo.list = true;
            }
            "li" => {
                let depth = u8::try_from(self.lists.len().saturating_sub(1)).unwrap_or(u8::MAX);
                let marker = match self.lists.last_mut() {
                    Some(list) if list.ordered => {
                        let marker = format!("{}.", list.next);
                        list.next = list.next.saturating_add(1);
                        marker
                    }
                    _ => "•".to_string(),
                };
                self.kind = BlockKind::ListItem { depth, marker };
                self.items.push(depth);
                undo.item = true;
            }
            "blockquote" => {
                self.quote = self.quote.saturating_add(1);
                undo.quote = true;
            }
            "pre" | "listing" | "xmp" | "plaintext" => {
                self.pre += 1;
                self.kind = BlockKind::Preformatted;
                undo.pre = true;
            }
            _ => {}
        }
    }

    pub fn close(&mut self, undo: Undo) {
        self.bold -= u32::from(undo.bold);
        self.italic -= u32::from(undo.italic);
        self.code -= u32::from(undo.code);
        if undo.link {
            self.links.pop();
        }
        if let Some(header) = undo.cell {
            let cell = std::mem::take(&mut self.spans);
            if let Some(row) = self.row.as_mut() {
                row.push(cell);
            }
            self.space = None;
            if header {
                self.bold -= 1;
            }
        }
        if undo.row {
            self.end_row();
        }
        if undo.block {
            self.flush();
        }
        if undo.item {
            self.items.pop();
        }
        if undo.list {
            self.lists.pop();
        }
        if undo.quote {
            self.quote = self.quote.saturating_sub(1);
        }
        if undo.pre {
            self.pre -= 1;
        }
        if undo.block {
            self.kind = self.default_kind();
        }
    }

    pub fn text(&mut self, text: &str) {
        let style = self.style();
        if self.pre > 0 {
            let text = clean_body(&text.replace("\r\n", "\n"), true);
            self.append(&text, style);
            return;
        }
        let text = clean_body(text, false);
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if matches!(c, ' ' | '\n' | '\r' | '\u{c}') {
                if self.space.is_none() {
                    self.space = Some(style.clone());
                }
                continue;
            }
            if let Some(space_style) = self.space.take()
                && !self.at_line_start(&out)
            {
                // The space keeps the style of where it was written:
                // "<b>bold </b>x" has a bold space, "a <code>x</code>"
                // a plain one.
                if space_style == style {
                    out.push(' ');
                } else {
                    self.append(" ", space_style);
                }
            }
            out.push(c);
        }
        self.append(&out, style);
    }

    fn style(&self) -> Style {
        Style {
            bold: self.bold > 0,
            italic: self.italic > 0,
            code: self.code > 0,
            link: self.links.last().cloned(),
        }
    }

    fn newline(&mut self) {
        self.space = None;
        let style = self.style();
        self.append("\n", style);
    }

    /// Whether a space here would start a line (nothing yet, or just
    /// after a line break).
    fn at_line_start(&self, pending: &str) -> bool {
        match pending.chars().last() {
            Some(c) => c == '\n',
            None => self
                .spans
                .iter()
                .rev()
                .find_map(|s| s.text.chars().last())
                .is_none_or(|c| c == '\n'),
        }
    }

    fn image(&mut self, el: &Element) {
        let alt = el.attr("alt").map(super::super::clean).unwrap_or_default();
        let src = el.attr("src").unwrap_or_default().trim();
        if let Some(cid) = src
            .get(..4)
            .filter(|s| s.eq_ignore_ascii_case("cid:"))
            .and(src.get(4..))
        {
            let cid = super::super::link::percent_decode(cid);
            if let Some(i) = (self.ctx.resolve)(&cid, &alt) {
                self.flush();
                self.push(BlockKind::Image(i), Vec::new());
                self.kind = self.default_kind();
                return;
            }
        }
        // Not shown: what the author said it was, as a browser does.
        if !alt.is_empty() {
            let style = self.style();
            self.space.get_or_insert(style.clone());
            self.text(&alt);
            self.space.get_or_insert(style);
        }
    }

    /// Add text in `style` to the run, within the budget.
    fn append(&mut self, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        let text = self.ctx.budget.take_text(text.to_string());
        if text.is_empty() {
            self.stopped = true;
            return;
        }
        let Style {
            bold,
            italic,
            code,
            link,
        } = style;
        match self.spans.last_mut() {
            Some(last)
                if last.bold == bold
                    && last.italic == italic
                    && last.code == code
                    && last.link == link =>
            {
                last.text.push_str(&text)
            }
            _ => self.spans.push(Span {
                text,
                bold,
                italic,
                code,
                link,
            }),
        }
    }

    /// End the block being built, if it has anything to read.
    fn flush(&mut self) {
        if let Some(row) = self.row.as_mut() {
            // Inside a data row text waits for its row to end.
            if !self.spans.is_empty() {
                row.push(std::mem::take(&mut self.spans));
            }
            return;
        }
        let spans = trim(std::mem::take(&mut self.spans), self.pre > 0);
        self.space = None;
        if !spans.is_empty() {
            let kind = std::mem::replace(&mut self.kind, BlockKind::Paragraph);
            self.push(kind, spans);
        }
        self.kind = self.default_kind();
    }

    fn end_row(&mut self) {
        let Some(cells) = self.row.take() else {
            return;
        };
        let cells: Vec<Vec<Span>> = cells
            .into_iter()
            .map(|c| trim(c, false))
            .filter(|c| !c.is_empty())
            .collect();
        let kind = if cells.len() > 1 {
            BlockKind::TableRow
        } else {
            BlockKind::Paragraph
        };
        let mut spans = Vec::new();
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                spans.push(Span {
                    text: " | ".into(),
                    ..Span::default()
                });
            }
            spans.extend(cell);
        }
        if !spans.is_empty() {
            self.push(kind, spans);
        }
        self.space = None;
    }

    fn push(&mut self, kind: BlockKind, spans: Vec<Span>) {
        if !self.ctx.budget.take_block() {
            self.stopped = true;
            return;
        }
        self.blocks.push(Block {
            kind,
            quote: self.quote,
            spans,
        });
    }

    /// The kind of a block that starts without an element saying what it
    /// is: more of an open list item, else preformatted inside <pre>,
    /// else a paragraph.
    fn default_kind(&self) -> BlockKind {
        if self.pre > 0 {
            BlockKind::Preformatted
        } else if let Some(&depth) = self.items.last() {
            BlockKind::ListItem {
                depth,
                marker: String::new(),
            }
        } else {
            BlockKind::Paragraph
        }
    }
}

/// `spans` without leading and trailing blank text (spaces and line
/// breaks; only line breaks inside <pre>) and without empty spans; empty
/// if nothing readable is left.
fn trim(mut spans: Vec<Span>, pre: bool) -> Vec<Span> {
    let blank = |c: char| {
        if pre {
            c == '\n'
        } else {
            c == ' ' || c == '\n'
        }
    };
    while let Some(first) = spans.first_mut() {
        let cut = first.text.len() - first.text.trim_start_matches(blank).len();
        first.text.drain(..cut);
        if first.text.is_empty() {
            spans.remove(0);
        } else {
            break;
        }
    }
    while let Some(last) = spans.last_mut() {
        let kept = last.text.trim_end_matches(blank).len();
        last.text.truncate(kept);
        if last.text.is_empty() {
            spans.pop();
        } else {
            break;
        }
    }
    spans.retain(|s| !s.text.is_empty());
    if spans.iter().all(|s| s.text.trim().is_empty()) {
        spans.clear();
    }
    spans
}

//! Markdown: an article's events, its reader text, and its HTML with marks.
//!
//! The article is read as CommonMark with tables, footnotes and strikethrough, through one
//! event stream ([`Shown`]). From it come the *reader text*, the text a reader sees with block
//! boundaries as white space, which anchoring searches; and the HTML, into which the marker
//! wraps anchored ranges of that same reader text. A long article's stream is walked twice,
//! once for each, rather than kept (events take tens of bytes each, and a hostile article has
//! one for every byte or two); a short one's is kept between the two. Either way it is the
//! same stream, so a range found in the reader text always lands on the right words of the
//! page.
//!
//! Safety lives here too: raw HTML is shown as text unless the site allows it, link and image
//! URLs with script-running schemes are neutralised, and no control character reaches the
//! HTML. This module does no I/O.

use std::collections::VecDeque;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::mark::{self, Span, Tags};

/// A parsed article, ready to be searched and rendered.
pub struct Article<'a> {
    body: &'a str,
    rules: Rules<'a>,
    /// The event stream, while the article is short enough to keep it; taken by `render`.
    events: Option<Vec<Event<'a>>>,
    /// The reader text, before folding.
    pub reader: String,
    pieces: Vec<Piece>,
    /// Every link and image destination, as written, in source order (for link checking).
    pub links: Vec<Link>,
}

/// Articles up to this long keep their events between reading and rendering; longer ones
/// are read again to render (see the module's comment).
const KEEP_EVENTS_UP_TO: usize = 256 * 1024;

/// A link or image destination as the author wrote it (before any rewriting), and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    /// Byte range in the parsed text: the URL itself when it is written there, else the
    /// whole link (a reference link's URL sits in its definition).
    pub source: Range<usize>,
}

/// An event that carries reader text: where its text sits in `reader`, and in the source.
#[derive(Debug, Clone)]
struct Piece {
    /// Its place in the event stream.
    event: usize,
    /// Whether it is inline code (its marks go inside a `<code>` element).
    code: bool,
    reader: Range<usize>,
    source_start: usize,
}

fn parser_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// True for tags whose start and end are block boundaries (white space in the reader text).
fn is_block(tag: &Tag) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::Superscript
            | Tag::Subscript
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// How Markdown is turned into HTML, beyond CommonMark.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rules<'b> {
    /// Pass raw HTML through; otherwise it is shown as text (and comments are dropped).
    pub allow_raw_html: bool,
    /// Resolve relative link and image URLs against this URL (root-relative, ending in `/`),
    /// so the HTML reads the same on any page (notes are shown on speaker pages too).
    pub link_base: Option<&'b str>,
}

impl<'a> Article<'a> {
    /// Parses `body` with the safety `rules`.
    pub fn parse(body: &'a str, rules: Rules<'a>) -> Self {
        let mut shown = Shown::new(body, rules);
        let mut kept = (body.len() <= KEEP_EVENTS_UP_TO).then(Vec::new);
        let mut reader = String::with_capacity(body.len());
        let mut pieces = Vec::new();
        let mut image_depth = 0usize;
        for (i, (event, source_start)) in (&mut shown).enumerate() {
            match &event {
                Event::Start(Tag::Image { .. }) => image_depth += 1,
                Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
                Event::Start(tag) if is_block(tag) => push_boundary(&mut reader),
                Event::End(tag) if is_block_end(tag) => push_boundary(&mut reader),
                Event::SoftBreak | Event::HardBreak | Event::Rule => push_boundary(&mut reader),
                // Image alt text is an attribute, not text on the page.
                Event::Text(text) | Event::Code(text) if image_depth == 0 => {
                    let start = reader.len();
                    reader.push_str(text);
                    pieces.push(Piece {
                        event: i,
                        code: matches!(event, Event::Code(_)),
                        reader: start..reader.len(),
                        source_start,
                    });
                }
                _ => {}
            }
            if let Some(kept) = &mut kept {
                kept.push(event);
            }
        }
        Article {
            body,
            rules,
            events: kept,
            reader,
            pieces,
            links: shown.links,
        }
    }

    /// The byte offset in the Markdown source where reader byte `pos` came from (at the start of
    /// the text run holding it, plus the lines inside the run: close enough to name a line).
    pub fn source_line_offset(&self, pos: usize) -> (usize, usize) {
        let idx = self
            .pieces
            .partition_point(|p| p.reader.end <= pos)
            .min(self.pieces.len().saturating_sub(1));
        match self.pieces.get(idx) {
            Some(p) => {
                let mut inner = pos.clamp(p.reader.start, p.reader.end);
                while !self.reader.is_char_boundary(inner) {
                    inner -= 1;
                }
                let extra_lines = self.reader[p.reader.start..inner].matches('\n').count();
                (p.source_start, extra_lines)
            }
            None => (0, 0),
        }
    }

    /// Renders the article to HTML, wrapping each `(reader range, annotation)` in elements
    /// written by `tags`. Ranges are in reader-text bytes and must be sorted by start.
    pub fn render(&mut self, marks: &[(Range<usize>, u32)], tags: &mut impl Tags) -> String {
        // The marked text runs, by their place in the event stream.
        let mut marked: VecDeque<(usize, String)> = VecDeque::new();
        let mut spans: Vec<Span> = Vec::new();
        // The marks that have started and may not have ended: each piece looks at those
        // only, so a mark is looked at once per piece it covers, not once per piece.
        let mut active: Vec<&(Range<usize>, u32)> = Vec::new();
        let mut waiting = marks.iter().peekable();
        for piece in &self.pieces {
            spans.clear();
            active.retain(|(range, _)| range.end > piece.reader.start);
            while let Some(m) = waiting.next_if(|(range, _)| range.start < piece.reader.end) {
                active.push(m);
            }
            for (range, ann) in active.iter().copied() {
                let start = range.start.max(piece.reader.start);
                let end = range.end.min(piece.reader.end);
                if start < end {
                    spans.push(Span {
                        range: start - piece.reader.start..end - piece.reader.start,
                        ann: *ann,
                    });
                }
            }
            if spans.is_empty() {
                continue;
            }
            let text = &self.reader[piece.reader.clone()];
            let mut html = String::with_capacity(text.len() + 64 * spans.len());
            if piece.code {
                html.push_str("<code>");
            }
            mark::mark_run(text, &spans, tags, &mut html);
            if piece.code {
                html.push_str("</code>");
            }
            marked.push_back((piece.event, html));
        }
        let events: Box<dyn Iterator<Item = Event<'a>>> = match self.events.take() {
            Some(kept) => Box::new(kept.into_iter()),
            None => Box::new(Shown::new(self.body, self.rules).map(|(event, _)| event)),
        };
        let events = events.enumerate().map(|(i, event)| match marked.front() {
            Some((at, _)) if *at == i => {
                let (_, html) = marked.pop_front().expect("a front was found");
                Event::InlineHtml(CowStr::from(html))
            }
            _ => event,
        });
        let mut out = String::with_capacity(self.reader.len() * 2);
        pulldown_cmark::html::push_html(&mut out, events);
        out
    }
}

/// Renders a short Markdown text (an annotation note) to HTML, with the same rules.
pub fn render_note(text: &str, rules: Rules<'_>) -> String {
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, Shown::new(text, rules).map(|(e, _)| e));
    out
}

/// Where a link's URL is written: inside the link's source (last, since a title may follow
/// the URL but text never does), or the link's first line when it is not there.
fn link_at(body: &str, url: &str, link: Range<usize>) -> Link {
    let written = &body[link.clone()];
    let source = match written.rfind(url).filter(|_| !url.is_empty()) {
        Some(i) => link.start + i..link.start + i + url.len(),
        None => link.start..link.start + written.find('\n').unwrap_or(written.len()),
    };
    Link {
        url: url.to_string(),
        source,
    }
}

/// The events of a Markdown text as brief shows them, each with the source offset it starts
/// at: cleaned by the safety rules ([`Cleaner`]), and adjacent text events (the parser splits
/// at entities, brackets and unmatched emphasis) merged into one, so that a run is marked as
/// one. Reading and rendering an article both walk this stream, so its n-th event is the same
/// in both. It notes every link and image destination as written on the way.
struct Shown<'a, 'b> {
    body: &'a str,
    parser: pulldown_cmark::OffsetIter<'a>,
    clean: Cleaner<'a, 'b>,
    /// What the cleaner makes of one event, in a buffer reused for every event.
    emitted: Vec<Event<'a>>,
    run: TextRun<'a>,
    ready: VecDeque<(Event<'a>, usize)>,
    links: Vec<Link>,
}

impl<'a, 'b> Shown<'a, 'b> {
    fn new(body: &'a str, rules: Rules<'b>) -> Self {
        Shown {
            body,
            parser: Parser::new_ext(body, parser_options()).into_offset_iter(),
            clean: Cleaner::new(rules),
            emitted: Vec::new(),
            run: TextRun::default(),
            ready: VecDeque::new(),
            links: Vec::new(),
        }
    }
}

impl<'a> Iterator for Shown<'a, '_> {
    type Item = (Event<'a>, usize);

    fn next(&mut self) -> Option<Self::Item> {
        while self.ready.is_empty() {
            let Some((event, range)) = self.parser.next() else {
                self.run.flush(&mut self.ready);
                break;
            };
            if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = &event {
                self.links.push(link_at(self.body, dest_url, range.clone()));
            }
            self.clean.push(event, &mut self.emitted);
            for event in self.emitted.drain(..) {
                match text_without_controls(event) {
                    Event::Text(text) => self.run.push(text, range.start),
                    event => {
                        self.run.flush(&mut self.ready);
                        self.ready.push_back((event, range.start));
                    }
                }
            }
        }
        self.ready.pop_front()
    }
}

/// Text events waiting to be merged into one: the first as the parser gave it, and, once a
/// second comes, all of them in one growing string (so that merging stays linear however
/// many pieces a run has).
#[derive(Default)]
struct TextRun<'a> {
    first: Option<(CowStr<'a>, usize)>,
    joined: Option<String>,
}

impl<'a> TextRun<'a> {
    fn push(&mut self, text: CowStr<'a>, source: usize) {
        match (&self.first, &mut self.joined) {
            (None, _) => self.first = Some((text, source)),
            (Some(_), Some(joined)) => joined.push_str(&text),
            (Some((first, _)), None) => {
                let mut joined = String::with_capacity(first.len() + text.len());
                joined.push_str(first);
                joined.push_str(&text);
                self.joined = Some(joined);
            }
        }
    }

    /// Ends the run: its text becomes one event, from the source offset of its first piece.
    fn flush(&mut self, ready: &mut VecDeque<(Event<'a>, usize)>) {
        if let Some((first, source)) = self.first.take() {
            let text = self.joined.take().map_or(first, CowStr::from);
            ready.push_back((Event::Text(text), source));
        }
    }
}

fn push_boundary(reader: &mut String) {
    if !reader.is_empty() && !reader.ends_with('\n') {
        reader.push('\n');
    }
}

/// Applies the safety and link rules to the parser's events, one at a time. Raw HTML blocks
/// are buffered whole, so a comment spread over several lines is dropped whole.
struct Cleaner<'a, 'b> {
    rules: Rules<'b>,
    /// Inside a raw HTML block (when raw HTML is not allowed): its text so far.
    html_block: Option<String>,
    /// Inside an inline HTML comment that spans several events.
    in_inline_comment: bool,
    _events: std::marker::PhantomData<Event<'a>>,
}

fn is_comment(html: &str) -> bool {
    let t = html.trim();
    t.starts_with("<!--") && t.ends_with("-->")
}

impl<'a, 'b> Cleaner<'a, 'b> {
    fn new(rules: Rules<'b>) -> Self {
        Cleaner {
            rules,
            html_block: None,
            in_inline_comment: false,
            _events: std::marker::PhantomData,
        }
    }

    /// Appends to `out` the events to emit for `event` (none, one, or a buffered block).
    fn push(&mut self, event: Event<'a>, out: &mut Vec<Event<'a>>) {
        if !self.rules.allow_raw_html {
            if let Some(buf) = &mut self.html_block {
                match event {
                    Event::End(TagEnd::HtmlBlock) => {
                        let html = self.html_block.take().unwrap_or_default();
                        if is_comment(&html) || html.trim().is_empty() {
                            return;
                        }
                        // Shown as text, in a paragraph of its own.
                        out.extend([
                            Event::Start(Tag::Paragraph),
                            Event::Text(CowStr::from(html.trim_end().to_string())),
                            Event::End(TagEnd::Paragraph),
                        ]);
                    }
                    Event::Html(h) | Event::Text(h) => buf.push_str(&h),
                    _ => {}
                }
                return;
            }
            if self.in_inline_comment {
                if let Event::InlineHtml(h) = &event {
                    self.in_inline_comment = !h.contains("-->");
                }
                return;
            }
            match event {
                Event::Start(Tag::HtmlBlock) => {
                    self.html_block = Some(String::new());
                    return;
                }
                Event::InlineHtml(h) | Event::Html(h) => {
                    if h.trim_start().starts_with("<!--") {
                        self.in_inline_comment = !h.contains("-->");
                        return;
                    }
                    out.push(Event::Text(h));
                    return;
                }
                _ => {}
            }
        }
        out.push(self.rewrite(event));
    }

    /// Neutralises script URLs, resolves relative ones, and gives footnotes ids that cannot
    /// collide with annotation ids (which never contain `_`).
    fn rewrite(&self, event: Event<'a>) -> Event<'a> {
        let base = self.rules.link_base;
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: resolve_url(safe_url(dest_url, false), base),
                title: without_controls(title),
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: resolve_url(safe_url(dest_url, true), base),
                title: without_controls(title),
                id,
            }),
            Event::FootnoteReference(label) => Event::FootnoteReference(footnote_id(&label)),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                Event::Start(Tag::FootnoteDefinition(footnote_id(&label)))
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => Event::Start(
                Tag::CodeBlock(CodeBlockKind::Fenced(without_controls(info))),
            ),
            other => other,
        }
    }
}

/// An event's text with each stray control character shown as U+FFFD: Markdown can spell
/// one (`&#1;`), and a note may hold one from a YAML escape (`"\x01"`); no page shows one
/// raw (see `scan::is_stray_control`).
fn text_without_controls(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Text(t) => Event::Text(without_controls(t)),
        Event::Code(t) => Event::Code(without_controls(t)),
        Event::Html(t) => Event::Html(without_controls(t)),
        Event::InlineHtml(t) => Event::InlineHtml(without_controls(t)),
        other => other,
    }
}

/// `text` with each stray control character shown as U+FFFD (see `scan::is_stray_control`).
fn without_controls(text: CowStr<'_>) -> CowStr<'_> {
    match crate::scan::without_controls(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clean) => CowStr::from(clean),
    }
}

fn footnote_id(label: &str) -> CowStr<'static> {
    CowStr::from(format!("fn_{label}"))
}

/// True for URLs that name a scheme (`https:`, `mailto:`) or a host (`//x.org`).
fn is_absolute_url(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    let scheme_len = url
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'))
        .unwrap_or(url.len());
    scheme_len > 0
        && url[..1].chars().all(|c| c.is_ascii_alphabetic())
        && url[scheme_len..].starts_with(':')
}

/// Resolves a relative URL against `base` (a root-relative folder URL ending in `/`).
pub fn resolve_url<'u>(url: CowStr<'u>, base: Option<&str>) -> CowStr<'u> {
    let Some(base) = base else {
        return url;
    };
    if url.is_empty() || url.starts_with('/') || is_absolute_url(&url) {
        return url;
    }
    let (path, rest) = match url.find(['?', '#']) {
        Some(i) => (&url[..i], &url[i..]),
        None => (&url[..], ""),
    };
    let mut segments: Vec<&str> = base.trim_end_matches('/').split('/').collect();
    let mut last = "";
    for seg in path.split('/') {
        match seg {
            "." => last = "",
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
                last = "";
            }
            s => {
                if !last.is_empty() {
                    segments.push(last);
                }
                last = s;
            }
        }
    }
    let mut out = segments.join("/");
    out.push('/');
    out.push_str(last);
    out.push_str(rest);
    CowStr::from(out)
}

/// Replaces URLs whose scheme can run script (`javascript:`, `vbscript:`, and `data:` except
/// for images) with `#`. Browsers ignore white space and control characters inside a scheme,
/// so those are ignored here too.
pub fn safe_url(url: CowStr<'_>, is_image: bool) -> CowStr<'_> {
    if is_dangerous_url(&url, is_image) {
        CowStr::Borrowed("#")
    } else {
        url
    }
}

pub fn is_dangerous_url(url: &str, is_image: bool) -> bool {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take_while(|&c| c != ':' && c != '/' && c != '?' && c != '#')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let has_colon = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .nth(scheme.chars().count())
        == Some(':');
    if !has_colon {
        return false;
    }
    match scheme.as_str() {
        "javascript" | "vbscript" => true,
        "data" => !is_image,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> Rules<'static> {
        Rules::default()
    }

    fn raw_ok() -> Rules<'static> {
        Rules {
            allow_raw_html: true,
            link_base: None,
        }
    }

    struct Bracket;
    impl Tags for Bracket {
        fn open(&mut self, ann: u32, out: &mut String) {
            out.push_str(&format!("<mark data-ann=\"a{ann}\">"));
        }
        fn close(&mut self, _: u32, out: &mut String) {
            out.push_str("</mark>");
        }
    }

    #[test]
    fn reader_text_drops_markup_and_keeps_block_boundaries() {
        let a = Article::parse(
            "One *two* [three](http://x.org) `four`\nfive.\n\n- six\n- seven\n",
            plain(),
        );
        assert_eq!(a.reader, "One two three four\nfive.\nsix\nseven\n");
    }

    #[test]
    fn an_article_read_again_renders_as_one_whose_events_were_kept() {
        let bodies = [
            "One *two* [three](http://x.org) `four`\nfive &amp; six.\n\n- six\n- seven\n",
            "*a **a ***a [x] <b>raw</b> <!-- c --> &#1;\n\n| a | b |\n|---|---|\n| c | d |\n",
            "Text.[^q1] ![alt *x*](i.png)\n\n[^q1]: The note.\n\n<div>\nblock\n</div>\n",
        ];
        for body in bodies {
            for rules in [plain(), raw_ok()] {
                let marks = [(0..3, 0), (2..9, 1), (5..6, 2)];
                let mut kept = Article::parse(body, rules);
                let mut again = Article::parse(body, rules);
                assert!(kept.events.is_some());
                again.events = None;
                assert_eq!(
                    kept.render(&marks, &mut Bracket),
                    again.render(&marks, &mut Bracket),
                    "{body:?}"
                );
            }
        }
    }

    #[test]
    fn marks_across_emphasis_stay_well_formed() {
        let mut a = Article::parse("One *two* three", plain());
        let html = a.render(&[(2..10, 0)], &mut Bracket);
        assert_eq!(
            html,
            "<p>On<mark data-ann=\"a0\">e </mark><em><mark data-ann=\"a0\">two</mark></em><mark data-ann=\"a0\"> th</mark>ree</p>\n"
        );
    }

    #[test]
    fn raw_html_is_text_unless_allowed() {
        let mut a = Article::parse(
            "<script>alert(1)</script>\n\nHi <b>x</b> <!-- note -->",
            plain(),
        );
        let html = a.render(&[], &mut Bracket);
        assert!(!html.contains("<script"), "{html}");
        // A raw HTML block is shown as text, in a paragraph of its own.
        assert!(
            html.contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
            "{html}"
        );
        assert!(!html.contains("note"), "{html}");
        let allowed = Article::parse("Hi <b>x</b>", raw_ok()).render(&[], &mut Bracket);
        assert!(allowed.contains("<b>x</b>"));
    }

    #[test]
    fn script_urls_are_neutralised() {
        for url in [
            "javascript:alert(1)",
            " JaVa\tScRiPt:alert(1)",
            "vbscript:x",
            "data:text/html,<script>",
        ] {
            assert!(is_dangerous_url(url, false), "{url}");
        }
        assert!(!is_dangerous_url("data:image/png;base64,AAAA", true));
        assert!(!is_dangerous_url("https://example.org/a:b", false));
        assert!(!is_dangerous_url("/javascript:x", false));
        let html = Article::parse("[x](javascript:alert(1))", plain()).render(&[], &mut Bracket);
        assert!(html.contains("href=\"#\""), "{html}");
    }

    #[test]
    fn comments_are_dropped_whole_even_over_several_lines() {
        let html = Article::parse(
            "Before.\n\n<!--\nA note to self\nover lines\n-->\n\nMiddle <!-- one\nmore --> end.\n",
            plain(),
        )
        .render(&[], &mut Bracket);
        assert!(
            !html.contains("note to self") && !html.contains("more"),
            "{html}"
        );
        assert!(!html.contains("<p></p>"), "{html}");
        assert!(html.contains("Middle") && html.contains("end."), "{html}");
    }

    #[test]
    fn footnote_ids_cannot_collide_with_annotation_ids() {
        let html =
            Article::parse("Text.[^q1]\n\n[^q1]: The note.\n", plain()).render(&[], &mut Bracket);
        assert!(
            html.contains("id=\"fn_q1\"") && html.contains("href=\"#fn_q1\""),
            "{html}"
        );
        assert!(!html.contains("id=\"q1\""), "{html}");
    }

    #[test]
    fn links_are_kept_as_written_with_where_their_url_is() {
        let body =
            "A [b](../b/#x \"t\") and ![i](i.png).\n\n[r][ref] <https://e.org/>\n\n[ref]: /abs/\n";
        let a = Article::parse(body, plain());
        let found: Vec<(&str, &str)> = a
            .links
            .iter()
            .map(|l| (l.url.as_str(), &body[l.source.clone()]))
            .collect();
        assert_eq!(
            found,
            [
                ("../b/#x", "../b/#x"),
                ("i.png", "i.png"),
                ("/abs/", "[r][ref]"),
                ("https://e.org/", "https://e.org/"),
            ]
        );
    }

    #[test]
    fn relative_urls_resolve_against_the_base() {
        let base = Some("/briefs/briefings/x/");
        let r = |u: &'static str| resolve_url(CowStr::Borrowed(u), base).to_string();
        assert_eq!(r("img.png"), "/briefs/briefings/x/img.png");
        assert_eq!(r("#q1"), "/briefs/briefings/x/#q1");
        assert_eq!(r("../y/"), "/briefs/briefings/y/");
        assert_eq!(r("./a/b.html?x=1"), "/briefs/briefings/x/a/b.html?x=1");
        assert_eq!(r("/abs/"), "/abs/");
        assert_eq!(r("https://e.org/a"), "https://e.org/a");
        assert_eq!(r("mailto:a@b.org"), "mailto:a@b.org");
        assert_eq!(r("//cdn.org/x"), "//cdn.org/x");
    }
}

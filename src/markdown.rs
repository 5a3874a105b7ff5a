//! Markdown: an article's events, its reader text, and its HTML with marks.
//!
//! The article is parsed once (CommonMark with tables, footnotes and strikethrough). From the
//! events come the *reader text*, the text a reader sees with block boundaries as white space,
//! which anchoring searches; and the HTML, into which the marker wraps anchored ranges of that
//! same reader text. Both come from one event list, so a range found in the reader text always
//! lands on the right words of the page.
//!
//! Safety lives here too: raw HTML is shown as text unless the site allows it, and link and
//! image URLs with script-running schemes are neutralised. This module does no I/O.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::mark::{self, Span, Tags};

/// A parsed article, ready to be searched and rendered.
pub struct Article<'a> {
    events: Vec<Event<'a>>,
    /// The reader text, before folding.
    pub reader: String,
    pieces: Vec<Piece>,
}

/// An event that carries reader text: where its text sits in `reader`, and in the source.
#[derive(Debug, Clone)]
struct Piece {
    event: usize,
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

impl<'a> Article<'a> {
    /// Parses `body`. With `allow_raw_html` false, raw HTML is turned into text (HTML comments
    /// are dropped: they are the writer's, not the reader's).
    pub fn parse(body: &'a str, allow_raw_html: bool) -> Self {
        let mut events: Vec<Event<'a>> = Vec::new();
        let mut sources: Vec<usize> = Vec::new();
        for (event, range) in Parser::new_ext(body, parser_options()).into_offset_iter() {
            let event = match sanitize(event, allow_raw_html) {
                Some(e) => e,
                None => continue,
            };
            // Adjacent text events (the parser splits at entities and brackets) are merged so
            // that a run is marked as one.
            if let (Event::Text(new), Some(Event::Text(prev))) = (&event, events.last_mut()) {
                let mut joined = prev.to_string();
                joined.push_str(new);
                *prev = CowStr::from(joined);
                continue;
            }
            events.push(event);
            sources.push(range.start);
        }

        let mut reader = String::with_capacity(body.len());
        let mut pieces = Vec::new();
        let mut image_depth = 0usize;
        for (i, event) in events.iter().enumerate() {
            match event {
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
                        reader: start..reader.len(),
                        source_start: sources[i],
                    });
                }
                _ => {}
            }
        }
        Article {
            events,
            reader,
            pieces,
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
                let inner = pos.clamp(p.reader.start, p.reader.end);
                let extra_lines = self.reader[p.reader.start..inner].matches('\n').count();
                (p.source_start, extra_lines)
            }
            None => (0, 0),
        }
    }

    /// Renders the article to HTML, wrapping each `(reader range, annotation)` in elements
    /// written by `tags`. Ranges are in reader-text bytes and must be sorted by start.
    pub fn render(&self, marks: &[(Range<usize>, u32)], tags: &mut impl Tags) -> String {
        let mut events: Vec<Event<'_>> = self.events.clone();
        let mut spans: Vec<Span> = Vec::new();
        for piece in &self.pieces {
            spans.clear();
            for (range, ann) in marks {
                if range.start >= piece.reader.end {
                    break;
                }
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
            let is_code = matches!(events[piece.event], Event::Code(_));
            if is_code {
                html.push_str("<code>");
            }
            mark::mark_run(text, &spans, tags, &mut html);
            if is_code {
                html.push_str("</code>");
            }
            events[piece.event] = Event::InlineHtml(CowStr::from(html));
        }
        let mut out = String::with_capacity(self.reader.len() * 2);
        pulldown_cmark::html::push_html(&mut out, events.into_iter());
        out
    }
}

/// Renders a short Markdown text (an annotation note) to HTML, with the same safety rules.
pub fn render_note(text: &str, allow_raw_html: bool) -> String {
    let article = Article::parse(text, allow_raw_html);
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, article.events.into_iter());
    out
}

fn push_boundary(reader: &mut String) {
    if !reader.is_empty() && !reader.ends_with('\n') {
        reader.push('\n');
    }
}

/// Applies the safety rules to one event; `None` drops it.
fn sanitize(event: Event<'_>, allow_raw_html: bool) -> Option<Event<'_>> {
    Some(match event {
        Event::Html(html) | Event::InlineHtml(html) if !allow_raw_html => {
            let t = html.trim();
            if t.starts_with("<!--") && t.ends_with("-->") {
                return None;
            }
            Event::Text(html)
        }
        Event::Start(Tag::HtmlBlock) if !allow_raw_html => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) if !allow_raw_html => Event::End(TagEnd::Paragraph),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url, false),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url, true),
            title,
            id,
        }),
        other => other,
    })
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
            false,
        );
        assert_eq!(a.reader, "One two three four\nfive.\nsix\nseven\n");
    }

    #[test]
    fn marks_across_emphasis_stay_well_formed() {
        let a = Article::parse("One *two* three", false);
        let html = a.render(&[(2..10, 0)], &mut Bracket);
        assert_eq!(
            html,
            "<p>On<mark data-ann=\"a0\">e </mark><em><mark data-ann=\"a0\">two</mark></em><mark data-ann=\"a0\"> th</mark>ree</p>\n"
        );
    }

    #[test]
    fn raw_html_is_text_unless_allowed() {
        let a = Article::parse(
            "<script>alert(1)</script>\n\nHi <b>x</b> <!-- note -->",
            false,
        );
        let html = a.render(&[], &mut Bracket);
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("note"), "{html}");
        let allowed = Article::parse("Hi <b>x</b>", true).render(&[], &mut Bracket);
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
        let html = Article::parse("[x](javascript:alert(1))", false).render(&[], &mut Bracket);
        assert!(html.contains("href=\"#\""), "{html}");
    }
}

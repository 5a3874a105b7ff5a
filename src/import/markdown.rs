//! The extracted article as Markdown that brief reads back exactly: safe, plain CommonMark.
//!
//! Readability's HTML is first made into what Markdown can say: embedded players, forms and
//! scripts go; figures, captions and other containers become plain blocks; links point at
//! absolute web addresses (or lose their link and keep their words); images are placed by
//! [`Images`]; control characters are dropped. Then dom_query's Markdown writer, which
//! escapes every character with a meaning in Markdown (`<`, `*`, `[`, a `#` or `-` that
//! starts a line, ...), writes it. What it leaves, a `&` that would spell a character
//! reference, is escaped here. So no raw HTML reaches the briefing, whatever the page held.
//! This module does no I/O.

use dom_query::{Document, NodeRef};

use super::images::Images;
use super::url::WebUrl;
use crate::scan::is_stray_control;

/// Elements whose content is no part of the article's text, removed with it.
const REMOVED: &str = "script, style, noscript, template, iframe, frame, frameset, object, embed, \
     video, audio, source, track, canvas, svg, math, form, button, input, select, textarea, \
     dialog, map, link, meta, head";

/// Containers the Markdown writer does not know, made into blocks it does.
const AS_BLOCKS: &str = "figure, figcaption, header, footer, main, aside, nav, address, details, \
     summary, hgroup, center, dl, dt, dd";

/// Inline elements the writer marks with `*`, `**` or `~~`.
const EMPHASIS: &str = "em, i, strong, b, s, del, strike";
const EMPHASIS_NAMES: [&str; 7] = ["em", "i", "strong", "b", "s", "del", "strike"];

/// Blocks whose Markdown is checked, and made plain, one by one.
const BLOCK_NAMES: [&str; 14] = [
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "td",
    "th",
    "blockquote",
    "div",
    "pre",
    "body",
];

/// Stands in for a `&` to escape while the Markdown writer runs (it would escape a `\`).
/// A private-use character: no page's text means anything by it, and it is dropped from
/// the text beforehand anyway.
const AMPERSAND: char = '\u{E000}';

/// The article's HTML (from Readability) as Markdown. Links are resolved against `base`.
pub fn to_markdown(article_html: &str, base: Option<&WebUrl>, images: &mut Images) -> Converted {
    let doc = Document::from(article_html);
    let Some(body) = doc.body() else {
        return Converted {
            markdown: String::new(),
            exact: true,
            players: 0,
        };
    };
    let players = doc.select(PLAYERS).length();
    doc.select(REMOVED).remove();
    doc.select(AS_BLOCKS).rename("div");
    for node in doc.select("a").nodes() {
        resolve_link(node, base);
    }
    for node in doc.select("img").nodes() {
        place_image(node, images);
    }
    for node in body.descendants() {
        if node.is_text() {
            clean_text(&node);
        }
    }
    for node in doc.select(EMPHASIS).nodes() {
        spaces_outside(node);
    }
    for block in blocks_with_emphasis(&doc) {
        if !reads_back(&block) {
            // The writer's marks can run into each other (`*a***b**` for `<em>a</em><strong>b`)
            // and show as text; the block's words matter more than its emphasis.
            for node in block.descendants() {
                if EMPHASIS_NAMES.iter().any(|n| node.has_name(n)) {
                    unwrap(&node);
                }
            }
        }
    }
    // Lists whose items hold blocks (headings, paragraphs in containers) can come out with
    // those blocks unindented, so that they read as text; such lists are written as plain
    // blocks, and as a last resort every list is.
    if !reads_back(&body) {
        flatten_lists(&doc, true);
        if !reads_back(&body) {
            flatten_lists(&doc, false);
        }
    }
    let markdown = tidy(&body.md(None));
    let exact = reads_back(&body);
    Converted {
        markdown,
        exact,
        players,
    }
}

/// Markdown, whether it reads back as exactly the article's words, and how many embedded
/// players it left out.
pub struct Converted {
    pub markdown: String,
    pub exact: bool,
    pub players: usize,
}

/// Embedded players and frames: part of the article, but nothing Markdown can hold.
const PLAYERS: &str = "iframe, video, audio, object, embed";

/// Elements that make a list item hold blocks rather than a line of text.
const BLOCKS_IN_ITEMS: &str =
    "h1, h2, h3, h4, h5, h6, div, article, section, blockquote, table, pre, p";

/// Makes lists into plain blocks: those whose items hold blocks, or all of them.
fn flatten_lists(doc: &Document, only_with_blocks: bool) {
    for list in doc.select("ul, ol").nodes() {
        let holds_blocks = list.descendants().iter().any(|n| n.is(BLOCKS_IN_ITEMS));
        if only_with_blocks && !holds_blocks {
            continue;
        }
        for node in list.descendants() {
            if node.has_name("li") || node.has_name("ul") || node.has_name("ol") {
                node.rename("div");
            }
        }
        list.rename("div");
    }
}

/// The nearest block (paragraph, item, heading, cell, ...) around each emphasised run, once
/// each, innermost first: a block is checked after the blocks inside it were made right.
fn blocks_with_emphasis<'a>(doc: &'a Document) -> Vec<NodeRef<'a>> {
    let mut seen = std::collections::HashSet::new();
    let mut blocks = Vec::new();
    for node in doc.select(EMPHASIS).nodes() {
        let block = node
            .ancestors_it(None)
            .find(|a| BLOCK_NAMES.iter().any(|n| a.has_name(n)));
        if let Some(block) = block
            && seen.insert(block.id)
        {
            let depth = block.ancestors_it(None).count();
            blocks.push((depth, block));
        }
    }
    blocks.sort_by_key(|(depth, _)| std::cmp::Reverse(*depth));
    blocks.into_iter().map(|(_, b)| b).collect()
}

/// Whether the Markdown the writer makes of `node` reads back as its text (white space aside).
fn reads_back(node: &NodeRef) -> bool {
    let want: String = node
        .text()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == AMPERSAND { '&' } else { c })
        .collect();
    let md = tidy(&node.md(None));
    let got: String = reader_text(&md)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    got == want
}

/// Stands for raw HTML in [`reader_text`]: no page's text has it there, so Markdown that holds
/// raw HTML never reads back as the page.
const RAW_HTML: char = '\u{fffd}';

/// The text a reader sees in Markdown (image descriptions aside, which are no text of the
/// page), line breaks as spaces, raw HTML as [`RAW_HTML`].
fn reader_text(md: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut text = String::with_capacity(md.len());
    let mut in_image = 0usize;
    for event in Parser::new_ext(md, options) {
        match event {
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            _ if in_image > 0 => {}
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::Html(_) | Event::InlineHtml(_) => text.push(RAW_HTML),
            _ => {}
        }
    }
    text
}

/// A link keeps an absolute web or mail address; any other (a fragment of the original page,
/// a script, a relative address with no page address to resolve it) gives way to its words.
fn resolve_link(a: &NodeRef, base: Option<&WebUrl>) {
    let href = a.attr("href").map(|h| h.to_string()).unwrap_or_default();
    let resolved = match base {
        Some(b) => b.join(&href),
        None => WebUrl::parse(&href)
            .map(|_| href.trim().to_string())
            .or_else(|| {
                super::url::scheme_of(&href)
                    .filter(|s| s == "mailto")
                    .map(|_| href.trim().to_string())
            }),
    };
    match resolved {
        Some(url) => {
            a.remove_all_attrs();
            a.set_attr("href", &url);
        }
        None => unwrap(a),
    }
}

/// An image keeps the address [`Images`] gives it and its `alt`, or goes.
fn place_image(img: &NodeRef, images: &mut Images) {
    let src = ["src", "data-src"]
        .iter()
        .find_map(|k| img.attr(k).filter(|v| !v.trim().is_empty()))
        .map(|v| v.to_string())
        .or_else(|| first_srcset(img));
    match src.and_then(|s| images.place(&s)) {
        Some(src) => {
            let alt = img.attr("alt").map(|a| a.to_string());
            img.remove_all_attrs();
            img.set_attr("src", &src);
            if let Some(alt) = alt {
                img.set_attr("alt", &alt);
            }
        }
        None => img.remove_from_parent(),
    }
}

fn first_srcset(img: &NodeRef) -> Option<String> {
    let set = img.attr("srcset")?;
    let first = set.split(',').next()?.split_whitespace().next()?;
    Some(first.to_string())
}

/// Moves white space at the edges of an emphasised run outside it: `<em>word </em>` must be
/// `*word* `, since CommonMark does not close `*word *`.
fn spaces_outside(el: &NodeRef) {
    let texts: Vec<NodeRef> = el
        .descendants()
        .into_iter()
        .filter(|n| n.is_text())
        .collect();
    if let Some(last) = texts.last()
        && trimmed(last, str::trim_end)
    {
        el.after_html(" ");
    }
    if let Some(first) = texts.first()
        && trimmed(first, str::trim_start)
    {
        el.before_html(" ");
    }
}

/// Trims a text node with `trim`; whether there was anything to trim.
fn trimmed(text_node: &NodeRef, trim: fn(&str) -> &str) -> bool {
    let text = text_node.text();
    let kept = trim(&text);
    let changed = kept.len() < text.len();
    if changed {
        text_node.set_text(kept);
    }
    changed
}

/// Replaces an element by its children.
fn unwrap(node: &NodeRef) {
    if let Some(first) = node.first_child() {
        node.insert_siblings_before(&first);
    }
    node.remove_from_parent();
}

/// Drops control characters and escapes a `&` that Markdown would read as a character
/// reference (outside code, where references are not read).
fn clean_text(node: &NodeRef) {
    let text = node.text();
    let in_code = node
        .ancestors_it(None)
        .any(|a| a.has_name("code") || a.has_name("pre"));
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    for (i, &c) in chars.iter().enumerate() {
        if (c.is_ascii() && is_stray_control(c as u8)) || c == AMPERSAND || c == '\u{7f}' {
            changed = true;
        } else if c == '&' && !in_code && starts_reference(&chars[i + 1..]) {
            out.push(AMPERSAND);
            changed = true;
        } else {
            out.push(c);
        }
    }
    if changed {
        node.set_text(out);
    }
}

/// Whether the text after a `&` would make it a character reference: `amp;`, `#38;`, `#x26;`.
fn starts_reference(after: &[char]) -> bool {
    let name = after
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    name > 0 && name <= 32 && after.get(name) == Some(&';')
}

/// The writer's output made tidy: escaped ampersands put back, lines of white space emptied,
/// no runs of blank lines, one line feed at the end.
fn tidy(md: &str) -> String {
    let md = md.replace(AMPERSAND, "\\&");
    let mut out = String::with_capacity(md.len());
    let mut blank = 0;
    for line in md.lines() {
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    // A hard break ("  " at a line's end) before a blank line would be kept as spaces.
    let mut tidy: String = out
        .split('\n')
        .map(|l| l.trim_end_matches(' ').to_string() + if l.ends_with("  ") { "  " } else { "" })
        .collect::<Vec<_>>()
        .join("\n");
    tidy = tidy.trim_end().to_string();
    if !tidy.is_empty() {
        tidy.push('\n');
    }
    tidy
}

/// The number of words in Markdown text (for the report).
pub fn word_count(md: &str) -> usize {
    md.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn convert(html: &str, base: Option<&str>) -> String {
        let base = base.and_then(WebUrl::parse);
        let mut images = Images::new(Path::new("/nonexistent/page.html"), base.as_ref(), false);
        to_markdown(html, base.as_ref(), &mut images).markdown
    }

    #[test]
    fn hostile_text_stays_text() {
        let md = convert(
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; *a* _b_ [c](d) `e` a &amp;amp; b &amp;#1; AT&amp;T</p>\
             <p>---</p><p># no</p><p>1. no</p><p>&gt; no</p><p>a\u{1}b\u{e000}c</p>",
            None,
        );
        let html = render(&md);
        assert!(!html.contains("<script"), "{md}\n{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; *a* _b_ [c](d) `e` a &amp;amp; b &amp;#1; AT&amp;T"), "{md}\n{html}");
        assert!(
            !html.contains("<hr")
                && !html.contains("<h1")
                && !html.contains("<ol")
                && !html.contains("<blockquote"),
            "{html}"
        );
        assert!(html.contains("<p>abc</p>"), "{html}");
    }

    #[test]
    fn links_are_absolute_web_addresses_or_words() {
        let md = convert(
            "<p><a href='/rel'>rel</a> <a href='#frag'>frag</a> <a href='javascript:alert(1)'>js</a> \
             <a href='https://x.example/a_(b)' title=t onclick=x>abs</a></p>",
            Some("https://news.example/world/story"),
        );
        assert_eq!(
            md,
            "[rel](https://news.example/rel) frag js [abs](https://x.example/a_(b))\n"
        );
        let md = convert("<p><a href='/rel'>rel</a></p>", None);
        assert_eq!(md, "rel\n");
    }

    #[test]
    fn hostile_addresses_stay_one_link() {
        // Addresses with white space are not addresses: the words stay, the link goes.
        let md = convert(
            "<p><a href='https://x.example/a)b\"c<d>e'>one</a> \
             <a href='https://x.example/a) [two](javascript:alert(1)'>two</a> \
             <img src='https://x.example/i.png\"onerror=\"alert(1)' alt='a] [b'></p>",
            None,
        );
        let html = render(&md);
        assert_eq!(html.matches("<a ").count(), 1, "{md}\n{html}");
        assert_eq!(html.matches("<img ").count(), 1, "{md}\n{html}");
        assert!(html.contains("> two"), "{md}\n{html}");
        assert!(!html.contains("javascript"), "{md}\n{html}");
        assert!(
            !html.contains("onerror=\"") && !html.contains("<d>"),
            "{md}\n{html}"
        );
    }

    #[test]
    fn lists_of_blocks_become_plain_blocks_when_they_would_show_marks() {
        // The shape of a news site's list of teasers (The New York Times en Español).
        let html = "<ol><li><article><p>First</p></article></li><li><ol><li><article>\
                    <figure><span>Photo</span><a href='https://x.example/t'><img src='https://x.example/a.png' alt=''></a>\
                    <figcaption><span><span>Credit</span>Erik Carter</span></figcaption></figure>\
                    <div><h3>On Tech</h3><h2><a href='https://x.example/t'>Videogames</a></h2>\
                    <p>Teaser text.</p></div></article></li></ol></li></ol>";
        let mut images = Images::new(Path::new("/nonexistent/page.html"), None, false);
        let converted = to_markdown(html, None, &mut images);
        assert!(converted.exact, "{}", converted.markdown);
        let html = render(&converted.markdown);
        assert!(
            html.contains("<h3>On Tech</h3>"),
            "{}\n{html}",
            converted.markdown
        );
        // A list of plain items stays a list.
        let list = convert(
            "<ul><li>one <em>a</em></li><li>two<ul><li>three</li></ul></li></ul>",
            None,
        );
        assert_eq!(list, "- one *a*\n- two\n    - three\n");
    }

    #[test]
    fn players_and_forms_go_and_figures_keep_their_captions() {
        let html = "<p>Before</p><iframe src='https://player'>fallback</iframe><video>v</video>\
             <form><input value=x><button>Share</button></form>\
             <figure><img src='https://img.example/a.jpg' alt='A cat'><figcaption>The cat</figcaption></figure>\
             <dl><dt>Term</dt><dd>Definition</dd></dl>";
        let mut images = Images::new(Path::new("/nonexistent/page.html"), None, false);
        assert_eq!(to_markdown(html, None, &mut images).players, 2);
        let md = convert(html, None);
        assert_eq!(
            md,
            "Before\n\n![A cat](https://img.example/a.jpg)\n\nThe cat\n\nTerm\n\nDefinition\n"
        );
    }

    #[test]
    fn emphasis_closes_where_the_words_end() {
        let md = convert(
            "<p>a <em>\u{ab}quoted\u{bb} </em>word and<strong> bold</strong>.</p>",
            None,
        );
        assert_eq!(md, "a *\u{ab}quoted\u{bb}* word and **bold**.\n");
        assert!(
            render(&md).contains("<em>\u{ab}quoted\u{bb}</em> word and <strong>bold</strong>.")
        );
    }

    /// The text a reader sees in Markdown, white space collapsed.
    fn reader_text(md: &str) -> String {
        super::reader_text(md)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    proptest::proptest! {
        /// Whatever a page's paragraph says, the Markdown reads back as the same words, and
        /// never as raw HTML.
        #[test]
        fn text_reads_back_as_it_was(text in "[a-zA-Z0-9 *_`<>&#;!|~()+=:'\"\\\\\\[\\]-]{0,40}") {
            let html = format!("<p>{}</p>", text.replace('&', "&amp;").replace('<', "&lt;"));
            let md = convert(&html, None);
            let want = text.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(reader_text(&md), want, "{}", md);
        }
    }

    proptest::proptest! {
        /// Runs of emphasis, code and links around any text read back as the same words.
        #[test]
        fn inline_markup_reads_back_as_it_was(
            runs in proptest::collection::vec((0..5u8, "[a-zA-Z *_`&;#<\\[\\]]{0,12}"), 0..8)
        ) {
            let mut html = String::from("<p>");
            let mut want = String::new();
            for (kind, text) in &runs {
                let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
                html.push_str(&match kind {
                    0 => escaped,
                    1 => format!("<em>{escaped}</em>"),
                    2 => format!("<strong>{escaped}</strong>"),
                    3 => format!("<code>{escaped}</code>"),
                    _ => format!("<a href=\"https://x.example/\">{escaped}</a>"),
                });
                want.push_str(text);
            }
            html.push_str("</p>");
            let md = convert(&html, None);
            // White space aside: the writer puts a space between two code spans, which would
            // otherwise run together.
            let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            proptest::prop_assert_eq!(squeeze(&reader_text(&md)), squeeze(&want), "{}\n{}", html, md);
        }
    }

    fn render(md: &str) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(md));
        html
    }
}

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

/// Stands in for a `&` to escape while the Markdown writer runs (it would escape a `\`).
/// A private-use character: no page's text means anything by it, and it is dropped from
/// the text beforehand anyway.
const AMPERSAND: char = '\u{E000}';

/// The article's HTML (from Readability) as Markdown. Links are resolved against `base`.
pub fn to_markdown(article_html: &str, base: Option<&WebUrl>, images: &mut Images) -> String {
    let doc = Document::from(article_html);
    let Some(body) = doc.body() else {
        return String::new();
    };
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
    tidy(&body.md(None))
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
        to_markdown(html, base.as_ref(), &mut images)
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
    fn players_and_forms_go_and_figures_keep_their_captions() {
        let md = convert(
            "<p>Before</p><iframe src='https://player'>fallback</iframe><video>v</video>\
             <form><input value=x><button>Share</button></form>\
             <figure><img src='https://img.example/a.jpg' alt='A cat'><figcaption>The cat</figcaption></figure>\
             <dl><dt>Term</dt><dd>Definition</dd></dl>",
            None,
        );
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

    fn render(md: &str) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(md));
        html
    }
}

//! The built-in briefing, speaker and question pages (`templates/briefing.html`,
//! `speaker.html` and `question.html`, each inside `base.html`), written straight from their
//! views: the same bytes Tera makes of those templates, without Tera.
//!
//! Tera spent more than a third of a build's instructions on these pages: turning each view
//! into its values (every map entry hashed with SipHash), looking each attribute up again
//! while it renders, and freeing it all. A page is written here only while the site overrides
//! neither its template nor `base.html` ([`super::Renderer`] decides); a site's own templates
//! always go through Tera. The templates stay the definition of the pages: debug builds render
//! every such page both ways and stop on any difference, so the whole test suite holds the two
//! to the same bytes, and `tests/it/native.rs` compares them in any build. Change one, change the
//! other.
//!
//! Everything from content is escaped as the templates escape it (`templates::escape_html`,
//! Tera's own with control characters replaced); only HTML that `brief` made and sanitised
//! (`*_html`, the JSON-LD) is written as it is, as the templates' `safe` does. It does no I/O.

use std::io::Write;

use super::view::{
    BriefingLink, BriefingView, DateView, DeepLink, MarkRef, PageMeta, Shared, SiteView,
    SpeakerLink,
};
use super::{QuestionPageView, SpeakerPageView, TimelineEntry};
use crate::model::{QuestionStatus, SpeakerKind};

/// A page being written. Writing into a `Vec` cannot fail.
struct Out(Vec<u8>);

impl Out {
    fn raw(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }

    /// Text from content, escaped as the templates' autoescaping does.
    fn text(&mut self, s: &str) {
        super::templates::escape_html(s, &mut self.0).expect("writing into a Vec cannot fail");
    }

    fn number(&mut self, n: usize) {
        write!(self.0, "{n}").expect("writing into a Vec cannot fail");
    }

    /// A deep link (`page#id`), escaped, without making it a `String` first.
    fn deep_link(&mut self, link: &DeepLink) {
        let (page, id) = link.parts();
        self.text(page);
        self.raw("#");
        self.text(id);
    }

    /// Tera's `pluralize`: `s` unless exactly one.
    fn plural_s(&mut self, n: usize) {
        if n != 1 {
            self.raw("s");
        }
    }
}

/// `<a href="url">text</a>`, both escaped.
fn link(o: &mut Out, url: &str, text: &str) {
    o.raw("<a href=\"");
    o.text(url);
    o.raw("\">");
    o.text(text);
    o.raw("</a>");
}

/// A briefing's page: `base.html` with `briefing.html`'s blocks. `size` is a guess of its
/// length, to size the buffer once.
pub fn briefing_page(site: &SiteView, page: &PageMeta, b: &BriefingView, size: usize) -> Vec<u8> {
    let mut out = Out(Vec::with_capacity(size));
    base(&mut out, site, page, |o| head(o, b), |o| content(o, b));
    out.0
}

/// `base.html`, with `head` and `content` writing its two blocks.
fn base(
    o: &mut Out,
    site: &SiteView,
    page: &PageMeta,
    head: impl FnOnce(&mut Out),
    content: impl FnOnce(&mut Out),
) {
    let kind = page.kind;
    o.raw("<!doctype html>\n<html lang=\"");
    o.text(&site.language);
    o.raw("\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
    if kind == "index" {
        o.text(&site.title);
    } else {
        o.text(&page.title);
        o.raw(" · ");
        o.text(&site.title);
    }
    o.raw("</title>\n");
    if let Some(d) = site.description.as_deref().filter(|d| !d.is_empty()) {
        o.raw("<meta name=\"description\" content=\"");
        o.text(d);
        o.raw("\">");
    }
    o.raw("\n");
    if let Some(p) = page.permalink.as_deref().filter(|p| !p.is_empty()) {
        o.raw("<link rel=\"canonical\" href=\"");
        o.text(p);
        o.raw("\">");
    }
    o.raw("\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"");
    o.text(&site.stylesheet_url);
    o.raw("\">\n");
    let base_url = site.base_url.as_deref().filter(|u| !u.is_empty());
    if let Some(u) = base_url {
        o.raw("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"");
        o.text(&site.title);
        o.raw("\" href=\"");
        o.text(u);
        o.raw("feed.xml\">");
    }
    o.raw("\n");
    head(o);
    o.raw("\n</head>\n<body class=\"page-");
    o.text(kind);
    o.raw("\">\n<a class=\"skip\" href=\"#main_\">Skip to content</a>\n<header class=\"site-header\">\n  <div class=\"site-header-inner\">\n    <a class=\"site-title\" href=\"");
    o.text(&site.base_path);
    o.raw("\">");
    o.text(&site.title);
    o.raw("</a>\n    <nav class=\"site-nav\" aria-label=\"Site\">\n      <ul>\n");
    let current = |o: &mut Out, on: bool| {
        if on {
            o.raw(" aria-current=\"page\"");
        }
    };
    let nav = [
        ("", "Briefings", kind == "index"),
        (
            "speakers/",
            "Speakers",
            kind == "speakers" || kind == "speaker",
        ),
        (
            "questions/",
            "Questions",
            kind == "questions" || kind == "question",
        ),
        ("tags/", "Tags", kind == "tags" || kind == "tag"),
        ("search/", "Search", kind == "search"),
    ];
    for (path, label, on) in nav {
        o.raw("        <li><a href=\"");
        o.text(&site.base_path);
        o.raw(path);
        o.raw("\"");
        current(o, on);
        o.raw(">");
        o.raw(label);
        o.raw("</a></li>\n");
    }
    o.raw("      </ul>\n    </nav>\n  </div>\n</header>\n<main id=\"main_\" tabindex=\"-1\">\n");
    content(o);
    o.raw("\n</main>\n<footer class=\"site-footer\">\n  <p>");
    link(o, &site.base_path, &site.title);
    if let Some(d) = site.description.as_deref().filter(|d| !d.is_empty()) {
        o.raw(" · ");
        o.text(d);
    }
    o.raw("</p>\n  ");
    if let Some(u) = base_url {
        o.raw("<p><a href=\"");
        o.text(u);
        o.raw("feed.xml\">Atom feed</a></p>");
    }
    o.raw("\n</footer>\n<script src=\"");
    o.text(&site.script_url);
    o.raw("\" defer></script>\n</body>\n</html>\n");
}

/// `briefing.html`'s `head` block.
fn head(o: &mut Out, b: &BriefingView) {
    o.raw("\n<link rel=\"alternate\" type=\"application/ld+json\" href=\"");
    o.text(&b.annotations_url);
    o.raw("\" title=\"Annotations (W3C Web Annotation)\">\n<script type=\"application/ld+json\">");
    o.raw(&b.schema_json);
    o.raw("</script>\n");
}

/// Tera's truth of an optional number: present and not zero.
fn some_number(n: Option<usize>) -> Option<usize> {
    n.filter(|&n| n != 0)
}

/// Tera's truth of an optional text: present and not empty.
fn some_text(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// `briefing.html`'s `content` block.
fn content(o: &mut Out, b: &BriefingView) {
    let s = &b.summary;
    o.raw("<article class=\"briefing\" aria-labelledby=\"title_\">\n  <header class=\"briefing-head\">\n    <p class=\"kicker\">");
    time(o, &s.date);
    if let Some(d) = some_text(&s.dateline) {
        o.raw("<span aria-hidden=\"true\"> · </span><span class=\"dateline\">");
        o.text(d);
        o.raw("</span>");
    }
    if s.draft {
        o.raw(" <span class=\"badge\">Draft</span>");
    }
    o.raw("</p>\n    <h1 id=\"title_\">");
    o.text(&s.title);
    o.raw("</h1>\n    ");
    if let Some(summary) = some_text(&s.summary) {
        o.raw("<p class=\"lede\">");
        o.text(summary);
        o.raw("</p>");
    }
    o.raw("\n    <p class=\"byline\">");
    if let Some(author) = some_text(&b.author) {
        o.raw("<span>By ");
        o.text(author);
        o.raw("</span>");
    }
    if let Some(source) = &b.source {
        o.raw("<span>Source: ");
        match some_text(&source.url) {
            Some(url) => {
                o.raw("<a href=\"");
                o.text(url);
                o.raw("\" rel=\"noopener\">");
                o.text(&source.name);
                o.raw("</a>");
            }
            None => o.text(&source.name),
        }
        o.raw("</span>");
    }
    if !b.quotes.is_empty() || !b.highlights.is_empty() {
        o.raw("<span>");
        o.number(b.quotes.len());
        o.raw(" quote");
        o.plural_s(b.quotes.len());
        o.raw(", ");
        o.number(b.highlights.len());
        o.raw(" highlight");
        o.plural_s(b.highlights.len());
        o.raw("</span>");
    }
    if !b.speakers.is_empty() || !b.questions.is_empty() {
        o.raw("<span><a href=\"#panel_\">Speakers and questions</a></span>");
    }
    o.raw("</p>\n    ");
    if !s.tag_links.is_empty() {
        o.raw("<ul class=\"tags\" aria-label=\"Tags\">");
        for t in &s.tag_links {
            o.raw("<li>");
            link(o, &t.url, &t.name);
            o.raw("</li>");
        }
        o.raw("</ul>");
    }
    o.raw(concat!(
        "\n  </header>\n\n",
        "  <div class=\"focus-bar\" id=\"focus_\" hidden>\n",
        "    <p class=\"focus-what\"><span class=\"focus-label\">Showing</span> <strong class=\"focus-name\"></strong> <span class=\"focus-count\"></span></p>\n",
        "    <p class=\"focus-nav\">\n",
        "      <button type=\"button\" class=\"btn\" data-step=\"-1\">‹ Previous</button>\n",
        "      <button type=\"button\" class=\"btn\" data-step=\"1\">Next ›</button>\n",
        "      <button type=\"button\" class=\"btn btn-clear\" data-clear=\"\">Show all</button>\n",
        "    </p>\n",
        "  </div>\n",
        "  <p class=\"vh\" role=\"status\" id=\"live_\"></p>\n\n",
        "  <div class=\"article-body\" id=\"text_\">\n",
    ));
    o.raw(&b.body_html);
    o.raw("\n  </div>\n\n  ");
    if !b.speakers.is_empty() || !b.questions.is_empty() || !b.notes.is_empty() {
        panel(o, b);
    }
    o.raw("\n\n  ");
    if !b.notes.is_empty() {
        notes(o, b);
    }
    o.raw("\n\n  <footer class=\"briefing-foot\">\n    <p class=\"machine\"><a href=\"");
    o.text(&b.annotations_url);
    o.raw(
        "\">These annotations as W3C Web Annotations (JSON-LD)</a></p>\n  </footer>\n</article>\n",
    );
}

/// A speaker's or question's links from the panel to its marks (`Notes 1 2 3`), and the
/// button that shows only those (`focus` is `speaker` or `question`).
fn panel_notes(o: &mut Out, marks: &[MarkRef], focus: &str, id: &str, label: &str, name: &str) {
    o.raw("\n          <p class=\"refs\"><span class=\"refs-label\">Notes</span> ");
    for (i, m) in marks.iter().enumerate() {
        o.raw("<a class=\"ref\" href=\"#");
        o.text(&m.id);
        o.raw("\" aria-label=\"note ");
        o.number(m.number);
        o.raw("\">");
        o.number(m.number);
        o.raw("</a>");
        if i + 1 < marks.len() {
            o.raw(" ");
        }
    }
    o.raw("</p>\n          <button type=\"button\" class=\"btn focus-btn\" data-focus=\"");
    o.raw(focus);
    o.raw("\" data-id=\"");
    o.text(id);
    o.raw("\" aria-pressed=\"false\" hidden>");
    o.raw(label);
    o.raw("<span class=\"vh\">: ");
    o.text(name);
    o.raw("</span></button>\n          ");
}

/// How a speaker's kind reads on a page.
fn kind_label(kind: SpeakerKind) -> &'static str {
    match kind {
        SpeakerKind::Person => "Person",
        SpeakerKind::Organisation => "Organisation",
        SpeakerKind::Group => "Group",
    }
}

/// A question's status as a class name and as it reads.
fn status(status: QuestionStatus) -> (&'static str, &'static str) {
    match status {
        QuestionStatus::Open => ("open", "Open"),
        QuestionStatus::Resolved => ("resolved", "Resolved"),
    }
}

/// ` · <a href="…">in context</a>`: the link from a card back to the spot in its briefing.
fn in_context(o: &mut Out, url: &DeepLink) {
    o.raw(" · <a href=\"");
    o.deep_link(url);
    o.raw("\">in context</a>");
}

/// `, via <a>…</a>` for each person who relayed a quote.
fn via_links(o: &mut Out, via: &[Shared<SpeakerLink>]) {
    for v in via {
        o.raw(", via ");
        link(o, &v.url, &v.name);
    }
}

/// `<div class="note-body">…</div>` when the annotation has a note (already HTML).
fn note_body(o: &mut Out, note_html: &Option<String>) {
    if let Some(html) = some_text(note_html) {
        o.raw("<div class=\"note-body\">");
        o.raw(html);
        o.raw("</div>");
    }
}

/// `<time datetime="2023-06-08">8 June 2023</time>`.
fn time(o: &mut Out, d: &DateView) {
    o.raw("<time datetime=\"");
    o.text(&d.iso);
    o.raw("\">");
    o.text(&d.display);
    o.raw("</time>");
}

/// The panel: speakers, questions and the key to the marks.
fn panel(o: &mut Out, b: &BriefingView) {
    o.raw("\n  <aside class=\"panel\" id=\"panel_\" aria-labelledby=\"panel_h\" tabindex=\"-1\">\n    <h2 id=\"panel_h\" class=\"panel-title\">In this briefing</h2>\n    ");
    if !b.speakers.is_empty() {
        o.raw("\n    <section class=\"panel-sec\" aria-labelledby=\"psp_h\">\n      <h3 id=\"psp_h\" class=\"panel-h\">Speakers</h3>\n      <ul class=\"spk-list\">\n      ");
        for s in &b.speakers {
            let sp: &SpeakerLink = &s.speaker;
            o.raw("\n        <li class=\"spk");
            if let Some(slot) = some_number(s.slot) {
                o.raw(" sp-");
                o.number(slot);
            }
            o.raw("\" data-speaker=\"");
            o.text(&sp.id);
            o.raw("\" data-short=\"");
            o.text(&sp.short_name);
            o.raw("\" data-name=\"");
            o.text(&sp.name);
            o.raw(
                "\">\n          <p class=\"spk-name\"><span class=\"swatch\" aria-hidden=\"true\">",
            );
            o.text(&sp.initials);
            o.raw("</span> ");
            link(o, &sp.url, &sp.name);
            o.raw("</p>\n          <p class=\"spk-meta\">");
            if let Some(role) = some_text(&sp.role) {
                o.text(role);
                o.raw(". ");
            }
            o.raw("<span class=\"kind\">");
            o.raw(kind_label(sp.kind));
            o.raw("</span>, ");
            o.number(s.quote_count);
            o.raw(" quote");
            o.plural_s(s.quote_count);
            if s.marks.len() > s.quote_count {
                let highlights = s.marks.len() - s.quote_count;
                o.raw(", ");
                o.number(highlights);
                o.raw(" highlight");
                o.plural_s(highlights);
            }
            if s.marks.is_empty() {
                o.raw("; relays or takes positions only");
            }
            o.raw("</p>\n          ");
            if !s.marks.is_empty() {
                panel_notes(o, &s.marks, "speaker", &sp.id, "Show only theirs", &sp.name);
            }
            o.raw("\n        </li>\n      ");
        }
        o.raw("\n      </ul>\n    </section>\n    ");
    }
    o.raw("\n    ");
    if !b.questions.is_empty() {
        o.raw("\n    <section class=\"panel-sec\" aria-labelledby=\"pq_h\">\n      <h3 id=\"pq_h\" class=\"panel-h\">Questions</h3>\n      <ul class=\"q-list\">\n      ");
        for q in &b.questions {
            questions_item(o, q);
        }
        o.raw("\n      </ul>\n    </section>\n    ");
    }
    o.raw("\n    ");
    if !b.notes.is_empty() {
        o.raw(concat!(
            "\n    <details class=\"key\">\n",
            "      <summary>How to read the marks</summary>\n",
            "      <ul class=\"key-list\">\n",
            "        <li><span class=\"sample quote sp-1\">Quoted words</span> are underlined in the speaker’s colour and line style; the speaker is named at their first quote. The panel above shows each speaker’s style.</li>\n",
            "        <li><span class=\"sample hl-fact\">Fact</span> a checked fact.</li>\n",
            "        <li><span class=\"sample hl-claim\">Claim</span> a claim to weigh, not a fact.</li>\n",
            "        <li><span class=\"sample hl-context\">Context</span> background the reader needs.</li>\n",
            "        <li><span class=\"sample hl-question\">Question</span> a passage that raises a question.</li>\n",
            "        <li>Numbers lead to the notes: beside the text on wide screens, under a button on small ones, at the end in print.</li>\n",
            "      </ul>\n",
            "    </details>\n",
            "    ",
        ));
    }
    o.raw("\n  </aside>\n  ");
}

/// One question in the panel, with the positions taken on it here.
fn questions_item(o: &mut Out, q: &super::view::QuestionInBriefing) {
    let ql = &q.question;
    o.raw("\n        <li class=\"q\" data-question=\"");
    o.text(&ql.id);
    o.raw("\" data-name=\"");
    o.text(&ql.title);
    o.raw("\">\n          <p class=\"q-title\"><a href=\"");
    o.text(&ql.url);
    o.raw("\">");
    o.text(&ql.title);
    let (status, label) = status(ql.status);
    o.raw("</a> <span class=\"status status-");
    o.raw(status);
    o.raw("\">");
    o.raw(label);
    o.raw("</span></p>\n          ");
    if let Some(prompt) = some_text(&ql.prompt) {
        o.raw("<p class=\"q-prompt\">");
        o.text(prompt);
        o.raw("</p>");
    }
    o.raw("\n          ");
    if !q.positions.is_empty() {
        o.raw("\n          <ul class=\"positions\" aria-label=\"Positions\">\n          ");
        for p in &q.positions {
            o.raw("\n            <li class=\"pos");
            if let Some(slot) = some_number(p.slot) {
                o.raw(" sp-");
                o.number(slot);
            }
            o.raw("\"><span class=\"swatch\" aria-hidden=\"true\">");
            o.text(&p.speaker.initials);
            o.raw("</span> <span class=\"pos-text\"><a href=\"");
            o.text(&p.speaker.url);
            o.raw("\" class=\"pos-who\">");
            o.text(&p.speaker.name);
            o.raw("</a>: ");
            o.text(&p.stance);
            if !p.quotes.is_empty() {
                o.raw(" <span class=\"refs-inline\">");
                for (i, r) in p.quotes.iter().enumerate() {
                    if let Some(n) = some_number(r.number) {
                        o.raw("<a class=\"ref\" href=\"#");
                        o.text(&r.id);
                        o.raw("\" aria-label=\"note ");
                        o.number(n);
                        o.raw("\">");
                        o.number(n);
                        o.raw("</a>");
                        if i + 1 < p.quotes.len() {
                            o.raw(" ");
                        }
                    }
                }
                o.raw("</span>");
            }
            o.raw("</span></li>\n          ");
        }
        o.raw("\n          </ul>\n          ");
    }
    o.raw("\n          ");
    if !q.marks.is_empty() {
        panel_notes(
            o,
            &q.marks,
            "question",
            &ql.id,
            "Show only this question",
            &ql.title,
        );
    }
    o.raw("\n        </li>\n      ");
}

/// A speaker's full and short name in a note, linked to their page.
fn note_who(o: &mut Out, sp: &SpeakerLink) {
    o.raw("<a href=\"");
    o.text(&sp.url);
    o.raw("\"><span class=\"full\">");
    o.text(&sp.name);
    o.raw("</span><span class=\"short\">");
    o.text(&sp.short_name);
    o.raw("</span></a>");
}

/// Tera's `capitalize`: the first character upper case, the rest lower case.
fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => first.to_uppercase().collect::<String>() + &chars.as_str().to_lowercase(),
    }
}

/// The endnotes, one per annotation in reading order.
fn notes(o: &mut Out, b: &BriefingView) {
    o.raw("\n  <section class=\"endnotes\" aria-labelledby=\"notes_h\">\n    <h2 id=\"notes_h\" class=\"notes-title\">Notes</h2>\n    <ol class=\"notes\">\n    ");
    for n in &b.notes {
        o.raw("\n      <li id=\"n_");
        o.text(&n.id);
        o.raw("\" class=\"note note-");
        o.text(n.class);
        o.raw(" k-");
        o.text(n.kind);
        if let Some(slot) = some_number(n.slot) {
            o.raw(" sp-");
            o.number(slot);
        }
        o.raw("\" data-for=\"");
        o.text(&n.id);
        o.raw("\" data-n=\"");
        o.number(n.number);
        o.raw("\"");
        if let Some(sp) = &n.speaker {
            o.raw(" data-speaker=\"");
            o.text(&sp.id);
            o.raw("\"");
        }
        if !n.questions.is_empty() {
            o.raw(" data-q=\"");
            for (i, q) in n.questions.iter().enumerate() {
                o.text(&q.id);
                if i + 1 < n.questions.len() {
                    o.raw(" ");
                }
            }
            o.raw("\"");
        }
        o.raw(">\n        <p class=\"note-head\"><span class=\"note-num\">");
        o.number(n.number);
        o.raw("</span>");
        if n.class == "quote" {
            o.raw("\n          <span class=\"note-who\">");
            if let Some(sp) = &n.speaker {
                note_who(o, sp);
            }
            for v in &n.via {
                o.raw(", via ");
                note_who(o, v);
            }
            o.raw("</span>");
            if n.kind != "direct" {
                o.raw(" <span class=\"note-kind\">");
                o.raw(match n.kind {
                    "indirect" => "Reported",
                    _ => "Paraphrase",
                });
                o.raw("</span>");
            }
        } else {
            o.raw("\n          <span class=\"note-kind\">");
            o.text(&capitalized(n.kind));
            o.raw("</span>");
            if let Some(sp) = &n.speaker {
                o.raw(" <span class=\"note-who\">");
                note_who(o, sp);
                o.raw("</span>");
            }
        }
        o.raw("</p>\n        <p class=\"note-excerpt\"><a class=\"note-back\" href=\"#");
        o.text(&n.id);
        o.raw("\"><span class=\"vh\">Back to the text: </span>“");
        o.text(&n.excerpt);
        o.raw("”</a></p>\n        ");
        note_body(o, &n.note_html);
        o.raw("\n      </li>\n    ");
    }
    o.raw("\n    </ol>\n  </section>\n  ");
}

/// Stops a debug build where the page written here and Tera's differ, showing where.
pub fn assert_same(native: &[u8], tera: &[u8], template: &str, url: &str) {
    if native == tera {
        return;
    }
    let at = native
        .iter()
        .zip(tera)
        .position(|(a, b)| a != b)
        .unwrap_or(native.len().min(tera.len()));
    let around = |page: &[u8]| {
        let from = at.saturating_sub(120);
        String::from_utf8_lossy(&page[from..(at + 120).min(page.len())]).into_owned()
    };
    panic!(
        "the built-in page {url} differs from {template}'s at byte {at}:\n\
         written here:\n{}\n\nby Tera:\n{}",
        around(native),
        around(tera)
    );
}

/// A speaker's page: `base.html` with `speaker.html`'s content block.
pub fn speaker_page(site: &SiteView, page: &PageMeta, s: &SpeakerPageView, size: usize) -> Vec<u8> {
    let mut out = Out(Vec::with_capacity(size));
    base(&mut out, site, page, |_| {}, |o| speaker_content(o, s));
    out.0
}

/// A briefing's title and date, linked, as the speaker page shows where words come from.
fn briefing_dated(o: &mut Out, b: &BriefingLink) {
    link(o, &b.url, &b.title);
    o.raw(", ");
    time(o, &b.date);
}

/// `speaker.html`'s `content` block.
fn speaker_content(o: &mut Out, s: &SpeakerPageView) {
    let sp = &s.speaker;
    o.raw("<article class=\"speaker-page sp-1\" aria-labelledby=\"title_\">\n  <header class=\"page-head\">\n    <p class=\"kicker\">");
    o.raw(kind_label(sp.kind));
    o.raw("</p>\n    <h1 id=\"title_\"><span class=\"swatch swatch-lg\" aria-hidden=\"true\">");
    o.text(&sp.initials);
    o.raw("</span> ");
    o.text(&sp.name);
    o.raw("</h1>\n    ");
    if let Some(role) = some_text(&sp.role) {
        o.raw("<p class=\"lede\">");
        o.text(role);
        o.raw("</p>");
    }
    o.raw("\n    <p class=\"meta\">");
    o.number(s.quotes.len());
    o.raw(" quote");
    o.plural_s(s.quotes.len());
    o.raw(" · ");
    o.number(s.positions.len());
    o.raw(" position");
    o.plural_s(s.positions.len());
    if !s.relayed.is_empty() {
        o.raw(" · relayed ");
        o.number(s.relayed.len());
        o.raw(" quote");
        o.plural_s(s.relayed.len());
    }
    o.raw(" · in ");
    o.number(s.briefings.len());
    o.raw(" briefing");
    o.plural_s(s.briefings.len());
    o.raw("</p>\n    ");
    let homepage = some_text(&s.homepage);
    if homepage.is_some() || !s.same_as.is_empty() {
        o.raw("\n    <ul class=\"links\">\n      ");
        if let Some(url) = homepage {
            o.raw("<li><a href=\"");
            o.text(url);
            o.raw("\" rel=\"noopener\">Website</a></li>");
        }
        o.raw("\n      ");
        for u in &s.same_as {
            o.raw("<li><a href=\"");
            o.text(u);
            o.raw("\" rel=\"noopener\">");
            o.text(&truncated(
                &u.replace("https://", "").replace("http://", ""),
                48,
            ));
            o.raw("</a></li>");
        }
        o.raw("\n    </ul>\n    ");
    }
    o.raw("\n    ");
    if let Some(local) = &s.local_to {
        o.raw("<p class=\"meta\">Described in ");
        link(o, &local.url, &local.title);
        o.raw(" only.</p>");
    }
    o.raw("\n  </header>\n\n  <div class=\"two-col\">\n    <div>\n      <section class=\"section\" aria-labelledby=\"quotes_h\">\n        <h2 id=\"quotes_h\">Quotes, oldest first</h2>\n        ");
    if s.quotes.is_empty() {
        o.raw("<p class=\"empty\">No quotes recorded.</p>");
    } else {
        let mut shown = "";
        for q in &s.quotes {
            let b: &BriefingLink = &q.briefing;
            o.raw("\n          ");
            if b.slug != shown {
                o.raw("<h3 class=\"brief-h\">");
                link(o, &b.url, &b.title);
                o.raw(" <span class=\"meta\">· ");
                time(o, &b.date);
                o.raw("</span></h3>");
                shown = &b.slug;
            }
            o.raw("\n          <figure class=\"quote-card\">\n            <blockquote cite=\"");
            o.deep_link(&q.url);
            o.raw("\"><p>“");
            o.text(&q.text);
            o.raw("”</p></blockquote>\n            <figcaption class=\"cite\">");
            o.raw(match q.kind {
                "indirect" => "Reported speech",
                "paraphrase" => "Paraphrase",
                _ => "Quote",
            });
            via_links(o, &q.via);
            in_context(o, &q.url);
            for (i, x) in q.questions.iter().enumerate() {
                o.raw(if i == 0 { " · on " } else { ", " });
                link(o, &x.url, &x.title);
            }
            o.raw("</figcaption>\n            ");
            note_body(o, &q.note_html);
            o.raw("\n          </figure>\n        ");
        }
        o.raw("\n        ");
    }
    o.raw("\n      </section>\n      ");
    if !s.relayed.is_empty() {
        o.raw("\n      <section class=\"section\" aria-labelledby=\"relayed_h\">\n        <h2 id=\"relayed_h\">Quotes they relayed</h2>\n        ");
        for q in &s.relayed {
            o.raw("\n        <figure class=\"quote-card\">\n          <blockquote cite=\"");
            o.deep_link(&q.url);
            o.raw("\"><p>“");
            o.text(&q.text);
            o.raw("”</p></blockquote>\n          <figcaption class=\"cite\">");
            link(o, &q.speaker.url, &q.speaker.name);
            for v in &q.via {
                o.raw(", via ");
                if v.id == sp.id {
                    o.raw("<strong>");
                    o.text(&v.name);
                    o.raw("</strong>");
                } else {
                    link(o, &v.url, &v.name);
                }
            }
            o.raw(" · ");
            briefing_dated(o, &q.briefing);
            in_context(o, &q.url);
            o.raw("</figcaption>\n        </figure>\n        ");
        }
        o.raw("\n      </section>\n      ");
    }
    o.raw("\n      ");
    if !s.highlights.is_empty() {
        o.raw("\n      <section class=\"section\" aria-labelledby=\"hl_h\">\n        <h2 id=\"hl_h\">Highlighted passages</h2>\n        ");
        for h in &s.highlights {
            o.raw("\n        <figure class=\"quote-card\">\n          <blockquote cite=\"");
            o.deep_link(&h.url);
            o.raw("\"><p><span class=\"sample hl-");
            o.text(h.kind);
            o.raw("\">");
            o.text(&h.text);
            o.raw("</span></p></blockquote>\n          <figcaption class=\"cite\">");
            o.text(&capitalized(h.kind));
            o.raw(" · ");
            briefing_dated(o, &h.briefing);
            in_context(o, &h.url);
            o.raw("</figcaption>\n          ");
            note_body(o, &h.note_html);
            o.raw("\n        </figure>\n        ");
        }
        o.raw("\n      </section>\n      ");
    }
    o.raw("\n    </div>\n    <aside class=\"side\" aria-label=\"Positions and briefings\">\n      <h2>Positions</h2>\n      ");
    if s.positions.is_empty() {
        o.raw("<p class=\"empty\">No positions recorded.</p>");
    } else {
        o.raw("\n      <ul>\n      ");
        for p in &s.positions {
            o.raw("\n        <li><a href=\"");
            o.text(&p.question.url);
            o.raw("\"><strong>");
            o.text(&p.question.title);
            o.raw("</strong></a><br>");
            o.text(p.stance);
            o.raw("<br><span class=\"meta\">");
            briefing_dated(o, &p.briefing);
            o.raw("</span></li>\n      ");
        }
        o.raw("\n      </ul>\n      ");
    }
    o.raw("\n      <h2>Briefings</h2>\n      ");
    if s.briefings.is_empty() {
        o.raw("<p class=\"empty\">Not in any briefing yet.</p>");
    } else {
        o.raw("\n      <ul>");
        for b in &s.briefings {
            o.raw("<li>");
            link(o, &b.url, &b.title);
            o.raw("<br><span class=\"meta\">");
            time(o, &b.date);
            o.raw("</span></li>");
        }
        o.raw("</ul>\n      ");
    }
    o.raw("\n    </aside>\n  </div>\n</article>\n");
}

/// Tera's `truncate` (without its `unicode` feature): the first `length` characters and `…`.
fn truncated(s: &str, length: usize) -> String {
    match s.char_indices().nth(length) {
        Some((at, _)) => [&s[..at], "…"].concat(),
        None => s.to_string(),
    }
}

/// A question's page: `base.html` with `question.html`'s content block.
pub fn question_page(
    site: &SiteView,
    page: &PageMeta,
    q: &QuestionPageView,
    size: usize,
) -> Vec<u8> {
    let mut out = Out(Vec::with_capacity(size));
    base(&mut out, site, page, |_| {}, |o| question_content(o, q));
    out.0
}

/// `question.html`'s `content` block.
fn question_content(o: &mut Out, q: &QuestionPageView) {
    let ql = &q.question;
    let (status, label) = status(ql.status);
    o.raw("\n<article class=\"question-page\" aria-labelledby=\"title_\">\n  <header class=\"page-head\">\n    <p class=\"kicker\">Question <span class=\"status status-");
    o.raw(status);
    o.raw("\">");
    o.raw(label);
    o.raw("</span></p>\n    <h1 id=\"title_\">");
    o.text(&ql.title);
    o.raw("</h1>\n    ");
    if let Some(prompt) = some_text(&ql.prompt) {
        o.raw("<p class=\"lede\">");
        o.text(prompt);
        o.raw("</p>");
    }
    o.raw("\n    ");
    if let Some(resolution) = some_text(&q.resolution) {
        o.raw("<div class=\"resolution\"><p><strong>Resolution.</strong> ");
        o.text(resolution);
        o.raw("</p></div>");
    }
    o.raw("\n    ");
    if let Some(local) = &q.local_to {
        o.raw("<p class=\"meta\">Raised in ");
        link(o, &local.url, &local.title);
        o.raw(".</p>");
    }
    o.raw("\n  </header>\n\n  ");
    if !q.speakers.is_empty() {
        o.raw("\n  <section class=\"section\" aria-labelledby=\"moves_h\">\n    <h2 id=\"moves_h\">Who moved, who held</h2>\n    <ul class=\"moves\">\n    ");
        for (i, h) in q.speakers.iter().enumerate() {
            o.raw("\n      <li class=\"sp-");
            o.number(i % 8 + 1);
            o.raw(
                "\">\n        <p class=\"moves-who\"><span class=\"swatch\" aria-hidden=\"true\">",
            );
            o.text(&h.speaker.initials);
            o.raw("</span> ");
            link(o, &h.speaker.url, &h.speaker.name);
            o.raw("\n          ");
            o.raw(if h.moved {
                "<span class=\"move move-moved\">Moved</span>"
            } else if h.stances.len() > 1 {
                "<span class=\"move move-held\">Held</span>"
            } else {
                "<span class=\"move move-new\">One stance</span>"
            });
            o.raw("</p>\n        <ol class=\"stance-steps\" aria-label=\"Stances, oldest first\">");
            for (j, s) in h.stances.iter().enumerate() {
                o.raw(if s.changed {
                    "<li class=\"changed\">"
                } else {
                    "<li>"
                });
                time(o, &s.briefing.date);
                if s.changed {
                    o.raw(" <span class=\"move move-moved\">Changed</span>");
                } else if j > 0 {
                    o.raw(" <span class=\"move move-held\">Same</span>");
                }
                o.raw("<br>");
                o.text(s.stance);
                o.raw("</li>");
            }
            o.raw("</ol>\n      </li>\n    ");
        }
        o.raw("\n    </ul>\n  </section>\n  ");
    }
    o.raw("\n\n  <section class=\"section\" aria-labelledby=\"timeline_h\">\n    <h2 id=\"timeline_h\">The debate, briefing by briefing</h2>\n    ");
    if q.timeline.is_empty() {
        o.raw("<p class=\"empty\">No briefing bears on this question yet.</p>");
    } else {
        o.raw("\n    <ol class=\"timeline\">\n    ");
        for t in &q.timeline {
            timeline_entry(o, t);
        }
        o.raw("\n    </ol>\n    ");
    }
    o.raw("\n  </section>\n</article>\n");
}

/// One briefing in a question's timeline: the positions taken in it, its quotes and
/// highlights on the question.
fn timeline_entry(o: &mut Out, t: &TimelineEntry) {
    let b: &BriefingLink = &t.briefing;
    o.raw("\n      <li>\n        <p class=\"kicker\">");
    time(o, &b.date);
    o.raw("</p>\n        <h3>");
    link(o, &b.url, &b.title);
    o.raw("</h3>\n        ");
    if !t.positions.is_empty() {
        o.raw("\n        <ul class=\"positions-t\" aria-label=\"Positions\">\n        ");
        for p in &t.positions {
            o.raw("<li class=\"sp-");
            o.number(p.slot);
            o.raw("\"><span class=\"swatch\" aria-hidden=\"true\">");
            o.text(&p.speaker.initials);
            o.raw("</span>\n            <p class=\"stance\"><a class=\"who\" href=\"");
            o.text(&p.speaker.url);
            o.raw("\">");
            o.text(&p.speaker.name);
            o.raw("</a>");
            o.raw(match p.change {
                "moved" => " <span class=\"move move-moved\">Moved</span>",
                "held" => " <span class=\"move move-held\">Held</span>",
                _ => " <span class=\"move move-new\">First stance</span>",
            });
            o.raw("<br>");
            o.text(p.stance);
            for (i, r) in p.quotes.iter().enumerate() {
                if i == 0 {
                    o.raw(" <span class=\"meta\">Quotes:</span>");
                }
                o.raw(" <a class=\"ref\" href=\"");
                o.deep_link(&r.url);
                o.raw("\" title=\"");
                o.text(&r.text);
                o.raw("\">");
                o.number(some_number(r.number).unwrap_or(i + 1));
                o.raw("<span class=\"vh\">: “");
                o.text(&r.text);
                o.raw("”</span></a>");
            }
            o.raw("</p>\n          </li>\n        ");
        }
        o.raw("\n        </ul>\n        ");
    }
    o.raw("\n        ");
    if !t.quotes.is_empty() {
        o.raw("\n        <details class=\"t-quotes\"");
        if t.positions.is_empty() {
            o.raw(" open");
        }
        o.raw(">\n          <summary>");
        o.number(t.quotes.len());
        o.raw(" quote");
        o.plural_s(t.quotes.len());
        o.raw(" on this question</summary>\n          ");
        for q in &t.quotes {
            o.raw("\n          <figure class=\"quote-card\">\n            <blockquote cite=\"");
            o.deep_link(&q.url);
            o.raw("\"><p>“");
            o.text(&q.text);
            o.raw("”</p></blockquote>\n            <figcaption class=\"cite\">");
            link(o, &q.speaker.url, &q.speaker.name);
            via_links(o, &q.via);
            o.raw(match q.kind {
                "indirect" => " (reported)",
                "paraphrase" => " (paraphrase)",
                _ => "",
            });
            in_context(o, &q.url);
            o.raw("</figcaption>\n          </figure>\n          ");
        }
        o.raw("\n        </details>\n        ");
    }
    o.raw("\n        ");
    if !t.highlights.is_empty() {
        o.raw("\n        <ul class=\"t-highlights\">\n        ");
        for h in &t.highlights {
            o.raw("<li><span class=\"note-kind\">");
            o.text(&capitalized(h.kind));
            o.raw("</span> <a href=\"");
            o.deep_link(&h.url);
            o.raw("\">");
            o.text(&h.text);
            o.raw("</a></li>");
        }
        o.raw("\n        </ul>\n        ");
    }
    o.raw("\n      </li>\n    ");
}

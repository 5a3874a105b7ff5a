//! The per-briefing stage: parse the article, anchor every annotation, mark the HTML; and,
//! unless raw HTML is allowed, refuse the briefing's files that could run script.
//!
//! One call per briefing, independent of all others, so the build runs it in parallel and
//! `serve` can redo it for just the briefing an edit touched. The result is owned data
//! ([`Processed`]); no I/O happens here.

use std::ops::Range;

use crate::anchor::{self, Miss};
use crate::diag::{Diagnostic, Diagnostics, HintBudget, LineIndex};
use crate::fold::{Folded, fold};
use crate::mark::{Tags, escape_into};
use crate::markdown::{Article, Rules};
use crate::model::{Annotation, AnnotationKind, ArticleText, Briefing};

/// A briefing's article after anchoring and marking.
#[derive(Debug, Clone, Default)]
pub struct Processed {
    /// The article as HTML, with marks.
    pub body_html: String,
    /// The folded reader text, which `annotations.jsonld` positions point into.
    pub reader_text: String,
    /// Per annotation (same order as `Briefing::annotations`): the folded ranges it covers.
    pub anchors: Vec<Vec<Range<usize>>>,
    /// The article's links as written, offsets into the body (checked by `links` after
    /// rendering, when every output path is known).
    pub links: Vec<crate::markdown::Link>,
}

impl Processed {
    /// Keeps only what the list pages and the link check need once the briefing's own page
    /// is written: its links, and the start of its text when the feed lists the briefing
    /// (`in_feed`), for its summary.
    pub fn slim(&mut self, in_feed: bool) {
        // Enough for a 280-character summary in any script (at most 4 bytes a character).
        const KEEP: usize = 1200;
        let mut end = self.reader_text.len().min(if in_feed { KEEP } else { 0 });
        while !self.reader_text.is_char_boundary(end) {
            end -= 1;
        }
        self.reader_text.truncate(end);
        self.reader_text.shrink_to_fit();
        self.body_html = String::new();
        self.anchors = Vec::new();
        // Kept for the link check; collected by pushing, so with room to spare.
        self.links.shrink_to_fit();
    }
}

/// Anchors and renders one briefing. `allow_raw_html` comes from the site configuration.
pub fn process(
    b: &Briefing,
    text: &ArticleText,
    allow_raw_html: bool,
) -> Result<Processed, Diagnostics> {
    let rules = Rules {
        allow_raw_html,
        link_base: None,
    };
    let mut article = Article::parse(text.body(), rules);
    let folded = Folded::new(&article.reader);
    let mut diags = Diagnostics::default();
    if !allow_raw_html {
        diags.extend(crate::active::diagnostics(&b.active_files));
    }
    let mut anchors = Vec::with_capacity(b.annotations.len());
    let selectors: Vec<&crate::model::Selector> =
        b.annotations.iter().map(|a| &a.selector).collect();
    let misses = Misses {
        b,
        text,
        lines: std::cell::OnceCell::new(),
        folded: &folded,
        article: &article,
        budget: HintBudget::default(),
    };
    for (a, placed) in b
        .annotations
        .iter()
        .zip(anchor::locate_all(&folded.text, &selectors))
    {
        match placed {
            Ok(ranges) => anchors.push(ranges),
            Err(miss) => diags.push(misses.diagnostic(a, &miss)),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }

    // Marks in reader-text bytes, sorted by start, as the renderer wants them.
    let mut marks: Vec<(Range<usize>, u32)> = anchors
        .iter()
        .enumerate()
        .flat_map(|(i, ranges)| ranges.iter().map(move |r| (r.clone(), i as u32)))
        .map(|(r, i)| (folded.raw_range(r), i))
        .collect();
    marks.sort_by_key(|(r, i)| (r.start, std::cmp::Reverse(r.end), *i));
    let mut tags = MarkTags::new(&b.annotations, &anchors);
    let body_html = article.render(&marks, &mut tags);
    Ok(Processed {
        body_html,
        reader_text: folded.text,
        anchors,
        links: article.links,
    })
}

/// How many speaker styles the stylesheet defines (`sp-1` ... `sp-8`); later speakers reuse
/// them in turn, and their labels and notes still tell them apart.
pub const SPEAKER_SLOTS: usize = 8;

/// Each speaker's style slot on a briefing's page (1-based): speakers that quotes and
/// highlights are attributed to take slots in the order their first annotation appears in
/// `annotations` (quotes first, in file order), modulo [`SPEAKER_SLOTS`]. The marks and the
/// page's speaker panel both use it, so a speaker's colour and line style agree between text
/// and panel.
#[derive(Debug, Default)]
pub struct SpeakerSlots<'a>(std::collections::HashMap<&'a str, usize>);

impl<'a> SpeakerSlots<'a> {
    pub fn of(annotations: &'a [Annotation]) -> Self {
        let mut slots = std::collections::HashMap::new();
        for id in annotations.iter().filter_map(Annotation::speaker) {
            let next = slots.len() % SPEAKER_SLOTS + 1;
            slots.entry(id).or_insert(next);
        }
        SpeakerSlots(slots)
    }

    /// The slot of speaker `id`, if it has one.
    pub fn get(&self, id: &str) -> Option<usize> {
        self.0.get(id).copied()
    }
}

/// Annotation indexes in reading order: by where their first range starts, the longer first
/// when two start together (it is the outer mark), then by index. An annotation's note number
/// is its place here plus one; the marks and the page's notes both use this order, so the
/// numbers agree by construction.
pub fn reading_order(anchors: &[Vec<Range<usize>>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..anchors.len()).collect();
    order.sort_by_key(|&i| {
        let first = anchors[i].first();
        (
            first.map_or(usize::MAX, |r| r.start),
            std::cmp::Reverse(first.map_or(0, |r| r.end)),
            i,
        )
    });
    order
}

/// Each annotation's note number (1-based, by annotation index), from [`reading_order`].
pub fn note_numbers(anchors: &[Vec<Range<usize>>]) -> Vec<usize> {
    let mut numbers = vec![0; anchors.len()];
    for (n, i) in reading_order(anchors).into_iter().enumerate() {
        numbers[i] = n + 1;
    }
    numbers
}

/// Writes each annotation's `<mark>` elements: `data-ann`, classes for the stylesheet, the
/// speaker and question ids the page script filters on, and, on the annotation's first piece
/// only, its `id`, its note number (`data-n`) and `aria-details` pointing at its note
/// (`n_<id>`; `_` cannot occur in an annotation id, so the two never collide). Only attributes
/// are written here, never text: the text inside a mark must stay exactly the article's
/// (FORMAT.md, "What a build writes").
struct MarkTags<'a> {
    annotations: &'a [Annotation],
    opened: Vec<bool>,
    /// Note numbers by annotation index.
    numbers: Vec<usize>,
    slots: SpeakerSlots<'a>,
    /// Speakers whose first quote in reading order has been opened; that quote is labelled.
    labelled: std::collections::HashSet<&'a str>,
}

impl<'a> MarkTags<'a> {
    fn new(annotations: &'a [Annotation], anchors: &[Vec<Range<usize>>]) -> Self {
        MarkTags {
            annotations,
            opened: vec![false; annotations.len()],
            numbers: note_numbers(anchors),
            slots: SpeakerSlots::of(annotations),
            labelled: Default::default(),
        }
    }

    /// The class list: kind classes, the speaker's slot, and `first` on the first piece of a
    /// speaker's first quote in reading order (where the stylesheet shows the speaker's name).
    fn classes(&mut self, a: &'a Annotation, first_piece: bool) -> String {
        let mut class = match &a.kind {
            AnnotationKind::Quote { kind, .. } => {
                ["ann quote quote-", quote_kind_name(*kind)].concat()
            }
            AnnotationKind::Highlight { kind, .. } => {
                ["ann hl hl-", highlight_kind_name(*kind)].concat()
            }
        };
        if let Some(speaker) = a.speaker() {
            if let Some(slot) = self.slots.get(speaker) {
                class.push_str(&format!(" sp-{slot}"));
            }
            if first_piece && a.is_quote() && self.labelled.insert(speaker) {
                class.push_str(" first");
            }
        }
        class
    }
}

/// Writes ` name="value"` with the value escaped.
fn attr(name: &str, value: &str, out: &mut String) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape_into(value, out);
    out.push('"');
}

impl Tags for MarkTags<'_> {
    fn open(&mut self, ann: u32, out: &mut String) {
        let a = &self.annotations[ann as usize];
        let first_piece = !std::mem::replace(&mut self.opened[ann as usize], true);
        out.push_str("<mark");
        attr("data-ann", &a.id, out);
        if first_piece {
            attr("id", &a.id, out);
        }
        let class = self.classes(a, first_piece);
        attr("class", &class, out);
        if let Some(speaker) = a.speaker() {
            attr("data-speaker", speaker, out);
        }
        if !a.questions.is_empty() {
            attr("data-q", &a.questions.join(" "), out);
        }
        if first_piece {
            attr("data-n", &self.numbers[ann as usize].to_string(), out);
            attr("aria-details", &["n_", &a.id].concat(), out);
        }
        out.push('>');
    }

    fn close(&mut self, _ann: u32, out: &mut String) {
        out.push_str("</mark>");
    }
}

pub fn quote_kind_name(k: crate::model::QuoteKind) -> &'static str {
    use crate::model::QuoteKind::*;
    match k {
        Direct => "direct",
        Indirect => "indirect",
        Paraphrase => "paraphrase",
    }
}

pub fn highlight_kind_name(k: crate::model::HighlightKind) -> &'static str {
    use crate::model::HighlightKind::*;
    match k {
        Claim => "claim",
        Fact => "fact",
        Context => "context",
        Question => "question",
    }
}

/// What the diagnostics of one briefing's misses share: the article, its lines (indexed when
/// the first miss needs a line) and the work they may spend on hints.
struct Misses<'a> {
    b: &'a Briefing,
    text: &'a ArticleText,
    lines: std::cell::OnceCell<LineIndex<'a>>,
    folded: &'a Folded,
    article: &'a Article<'a>,
    budget: HintBudget,
}

impl Misses<'_> {
    /// The line of the Markdown file where folded byte `pos` of the reader text sits.
    fn line_of(&self, pos: usize) -> usize {
        let raw = self.folded.raw_offset(pos, self.article.reader.len());
        let (offset, extra) = self.article.source_line_offset(raw);
        let lines = self.lines.get_or_init(|| LineIndex::new(&self.text.text));
        lines.pos(self.text.body_start + offset).line + extra
    }
}

/// A short, single-line excerpt of `text[range]` with a little context on each side.
fn excerpt(text: &str, range: Range<usize>) -> String {
    let start = floor(text, range.start.saturating_sub(30));
    let end = ceil(text, (range.end + 30).min(text.len()));
    let mut s = String::new();
    if start > 0 {
        s.push_str("...");
    }
    // The match itself may be long: its middle goes, not its context.
    let middle = &text[floor(text, range.start)..ceil(text, range.end)];
    s.push_str(&text[start..floor(text, range.start)]);
    s.push_str(&crate::diag::clip(middle, 120));
    s.push_str(&text[ceil(text, range.end)..end]);
    if end < text.len() {
        s.push_str("...");
    }
    s
}

/// The longest value a help line offers to paste; a longer one is shown cut.
const PASTE_MAX: usize = 300;

/// `key: value` to paste into the annotations file, the value quoted for YAML.
fn paste(key: &str, value: &str) -> String {
    format!("`{key}: {}`", crate::yaml::quote(value))
}

/// The words of the article's reader text that folded range `r` covers, as the article has
/// them, on one line (white space is not significant when matching).
fn words_of(article: &Article, folded: &Folded, r: Range<usize>) -> String {
    if r.is_empty() {
        return String::new();
    }
    let raw = &article.reader[folded.raw_range(r)];
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `r` widened to the whole words it cuts: a passage found by edit distance may start or end
/// inside a word (punctuation around it stays out, as the annotation may have left it out).
fn whole_words(doc: &str, r: Range<usize>) -> Range<usize> {
    let start = doc[..r.start]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric())
        .last()
        .map_or(r.start, |(i, _)| i);
    let end = doc[r.end..]
        .char_indices()
        .take_while(|(_, c)| c.is_alphanumeric())
        .last()
        .map_or(r.end, |(i, c)| r.end + i + c.len_utf8());
    // Only a word cut on both sides of the edge is widened.
    let cut = |at: usize| {
        let before = doc[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let after = doc[at..].chars().next().is_some_and(char::is_alphanumeric);
        before && after
    };
    (if cut(r.start) { start } else { r.start })..(if cut(r.end) { end } else { r.end })
}

/// The `prefix` (or, with `before == false`, the `suffix`) that would fit the match at `m`:
/// of the whole words around it, those closest to what was written. `None` when what was
/// written fits already, or nothing stands there.
fn fitting_context(
    doc: &str,
    m: &Range<usize>,
    written: &str,
    before: bool,
) -> Option<Range<usize>> {
    let written = fold(written);
    let fits = match before {
        true => anchor::has_prefix(doc, m.start, &written),
        false => anchor::has_suffix(doc, m.end, &written),
    };
    if fits {
        return None;
    }
    (1..=8)
        .filter_map(|n| match before {
            true => anchor::last_words_range(doc, m.start, n),
            false => anchor::first_words_range(doc, m.end, n),
        })
        .min_by_key(|r| strsim::levenshtein(&doc[r.clone()], &written))
}

fn floor(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl Misses<'_> {
    /// The diagnostic of annotation `a`'s miss.
    fn diagnostic(&self, a: &Annotation, miss: &Miss) -> Diagnostic {
        let (b, folded, article) = (self.b, self.folded, self.article);
        let file = b.annotations_path.clone().unwrap_or_else(|| b.path.clone());
        let what = if a.is_quote() { "quote" } else { "highlight" };
        let doc = folded.text.as_str();
        let line_of = |pos: usize| self.line_of(pos);
        let md = crate::diag::display_path(&b.path);
        let at = |d: Diagnostic| d.at(file.clone(), Some(a.text_pos));
        match miss {
        Miss::NotFound { part, from } => {
            let needle = fold(&a.selector.parts[*part]);
            let split = a.selector.parts.len() > 1;
            let part_name = match split {
                true => format!("part {} of the {what} `{}`", part + 1, a.id),
                false => format!("the text of the {what} `{}`", a.id),
            };
            let after = if *part > 0 { " after the part before it" } else { "" };
            let d = at(Diagnostic::error(
                "text-not-found",
                format!("{part_name} is not in the article{after}"),
            ));
            let search = &doc[*from..];
            // The search compares every character of the article with the text's first 200.
            let work = search.len().saturating_mul(needle.len().min(200));
            if !self.budget.allow(work) {
                return d.help(format!(
                    "copy the words from {md} exactly as the article has them (quotes, dashes and white space may differ, nothing else)"
                ));
            }
            let help = match anchor::closest_passage(search, &needle) {
                Some((r, dist)) if dist * 2 < needle.chars().count().max(2) => {
                    let r = whole_words(search, r);
                    let found = words_of(article, folded, from + r.start..from + r.end);
                    let line = line_of(from + r.start);
                    let differs = match anchor::first_difference(&needle, &search[r.clone()]) {
                        Some((want, have)) => format!(
                            " (it has \"{}\" where the annotation has \"{}\")",
                            crate::diag::clip(&have, 80),
                            crate::diag::clip(&want, 80)
                        ),
                        None => String::new(),
                    };
                    match (found.chars().count() <= PASTE_MAX, split) {
                        (true, false) => format!(
                            "the closest passage is at {md}:{line}{differs}; to mark it, write {}",
                            paste("text", &found)
                        ),
                        (true, true) => format!(
                            "the closest passage is at {md}:{line}{differs}; to mark it, write this part as {}",
                            crate::yaml::quote(&found)
                        ),
                        (false, _) => format!(
                            "the closest passage, at {md}:{line}, is \"{}\"{differs}; copy the words exactly as the article has them (quotes, dashes and white space may differ, nothing else)",
                            crate::diag::clip(&found, 120)
                        ),
                    }
                }
                _ => format!(
                    "nothing in {md} comes close; check that this annotation belongs to this article and copy its words from the article"
                ),
            };
            d.help(help)
        }
        Miss::ContextNotFound { matches } => {
            let mut d = at(Diagnostic::error(
                "text-not-found",
                format!(
                    "the text of the {what} `{}` is in the article, but never with the given `prefix`/`suffix`",
                    a.id
                ),
            ));
            for r in matches.iter().take(10) {
                d = d.note(format!("found at {md}:{}: \"{}\"", line_of(r.start), excerpt(doc, r.clone())));
            }
            // Each match's context is compared with what was written.
            let written = a.selector.prefix.as_ref().map_or(0, String::len)
                + a.selector.suffix.as_ref().map_or(0, String::len);
            match self.budget.allow(matches.len().saturating_mul(64 + written * 8)) {
                true => d.help(context_help(a, matches, folded, article, &md, &line_of)),
                false => d.help(CONTEXT_HELP),
            }
        }
        Miss::Ambiguous { matches } => {
            let mut d = at(Diagnostic::error(
                "ambiguous-text",
                format!(
                    "the text of the {what} `{}` is found {} times in the article",
                    a.id,
                    matches.len()
                ),
            ));
            // Each shown match's context is compared with every other match's.
            let shown = matches.len().min(10);
            if !self.budget.allow(matches.len().saturating_mul(shown * 16)) {
                return d.help("add a `prefix` or `suffix` (the words right before or after the text) that only the match you mean has, or `occurrence: N`");
            }
            for (i, r) in matches.iter().enumerate().take(shown) {
                let (prefix, suffix) = anchor::disambiguators(doc, matches, i);
                let fix = match (prefix, suffix) {
                    (Some(p), Some(s)) if s.len() < p.len() => paste("suffix", &s),
                    (Some(p), _) => paste("prefix", &p),
                    (None, Some(s)) => paste("suffix", &s),
                    (None, None) => format!("`occurrence: {}`", i + 1),
                };
                d = d.note(format!(
                    "match {} at {md}:{}: \"{}\" (pick it with {fix})",
                    i + 1,
                    line_of(r.start),
                    excerpt(doc, r.clone())
                ));
            }
            d.help("add the `prefix` or `suffix` shown for the match you mean (or `occurrence: N`)")
        }
        Miss::OccurrenceOutOfRange { wanted, found } => Diagnostic::error(
            "occurrence-out-of-range",
            format!(
                "`occurrence: {wanted}` asks for match {wanted}, but the {what} `{}` matches {found} time{}",
                a.id,
                if *found == 1 { "" } else { "s" }
            ),
        )
        .at(file.clone(), Some(a.occurrence_pos.unwrap_or(a.text_pos)))
        .help(format!("use an occurrence from 1 to {found}")),
    }
    }
}

/// The help for a text found without its `prefix`/`suffix`, when no fitting values are shown.
const CONTEXT_HELP: &str = "`prefix` must be the words right before the text and `suffix` the words right after it; fix or remove them";

/// The help for a text found, but never with its `prefix`/`suffix`: the values that would
/// fit the match whose context is closest to what was written, to paste.
fn context_help(
    a: &Annotation,
    matches: &[Range<usize>],
    folded: &Folded,
    article: &Article,
    md: &str,
    line_of: &dyn Fn(usize) -> usize,
) -> String {
    let doc = folded.text.as_str();
    let (prefix, suffix) = (a.selector.prefix.as_deref(), a.selector.suffix.as_deref());
    let distance = |r: &Option<Range<usize>>, written: Option<&str>| {
        r.as_ref().map_or(0, |r| {
            strsim::levenshtein(&doc[r.clone()], &fold(written.unwrap_or_default()))
        })
    };
    let best = matches
        .iter()
        .map(|m| {
            let p = prefix.and_then(|w| fitting_context(doc, m, w, true));
            let s = suffix.and_then(|w| fitting_context(doc, m, w, false));
            (m, p, s)
        })
        .min_by_key(|(_, p, s)| distance(p, prefix) + distance(s, suffix));
    let fixes: Vec<String> = best
        .iter()
        .flat_map(|(_, p, s)| {
            let p = p
                .clone()
                .map(|r| paste("prefix", &words_of(article, folded, r)));
            let s = s
                .clone()
                .map(|r| paste("suffix", &words_of(article, folded, r)));
            p.into_iter().chain(s)
        })
        .filter(|f| f.chars().count() <= PASTE_MAX)
        .collect();
    match (best, fixes.is_empty()) {
        (Some((m, _, _)), false) => format!(
            "`prefix` must be the words right before the text and `suffix` the words right after it; at {md}:{} they are: write {}",
            line_of(m.start),
            fixes.join(" and ")
        ),
        _ => CONTEXT_HELP.to_string(),
    }
}

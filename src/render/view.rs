//! Typed views: exactly what each template receives, documented in docs/templates.md.
//!
//! Views are plain serde structs built from the model and the processed articles. Text fields
//! are plain text (templates escape them); fields named `*_html` hold HTML that `brief` made and
//! sanitised itself (the article, notes), which templates print with `| safe`. Building a view
//! does no I/O.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::article::{
    Processed, SpeakerSlots, highlight_kind_name, note_numbers, quote_kind_name, reading_order,
};
use crate::date::Date;
use crate::markdown::{Rules, render_note};
use crate::model::{
    Annotation, AnnotationKind, Briefing, Question, QuestionStatus, Site, Speaker, SpeakerKind,
};

/// A link that many views show (a speaker, a question, a briefing), made once and serialised
/// for templates at most once: wherever it appears, Tera clones the serialised value (a few
/// reference counts) instead of serialising the link again. On a site of 10,000 briefings
/// speakers are named hundreds of thousands of times. The value is made when a link is first
/// serialised, not with the link: while the built-in pages are written natively most links
/// never reach Tera, and a briefing's value (an ordered map of its fields) was a twentieth of
/// a large build's peak memory. Other serialisers (JSON) see the link's own fields.
pub struct Shared<T>(Arc<(T, OnceLock<tera::Value>)>);

impl<T> Shared<T> {
    pub fn new(link: T) -> Self {
        Shared(Arc::new((link, OnceLock::new())))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0.0
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.0 == other.0.0
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.0.fmt(f)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (link, value) = &*self.0;
        value
            .get_or_init(|| tera::Value::from_serializable(link))
            .serialize(serializer)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: Option<String>,
    pub language: String,
    /// Absolute base URL ending in `/` (`https://example.org/briefs/`), if configured.
    pub base_url: Option<String>,
    /// The path every internal link starts with (`/briefs/`).
    pub base_path: String,
    /// URL of the stylesheet, versioned by its content so hosts may cache it forever.
    pub stylesheet_url: String,
    /// URL of the script, versioned likewise.
    pub script_url: String,
}

/// What every page has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageMeta {
    /// The page's `<title>` (without the site title).
    pub title: String,
    /// Root-relative URL of this page.
    pub url: String,
    /// Absolute URL, when the site has a base URL.
    pub permalink: Option<String>,
    /// `index`, `briefing`, `speakers`, `speaker`, `questions`, `question` or `404`.
    pub kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DateView {
    /// `2023-06-08`
    pub iso: String,
    /// `8 June 2023`
    pub display: String,
    /// `2023-06-08T00:00:00Z`
    pub rfc3339: String,
}

impl From<&Date> for DateView {
    fn from(d: &Date) -> Self {
        DateView {
            iso: d.iso(),
            display: d.display(),
            rfc3339: d.rfc3339.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeakerLink {
    pub id: String,
    pub name: String,
    pub role: Option<String>,
    /// `person`, `organisation` or `group`.
    pub kind: SpeakerKind,
    /// Initials for a compact label ("AR").
    pub initials: String,
    /// A short name for labels beside the text: a person's surname ("Rasmussen"), an
    /// organisation's or group's name, shortened at a word when long ("Polish Ministry of…").
    pub short_name: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionLink {
    pub id: String,
    pub title: String,
    pub prompt: Option<String>,
    /// `open` or `resolved`.
    pub status: QuestionStatus,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BriefingLink {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub date: DateView,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceView {
    pub name: String,
    pub url: Option<String>,
}

/// A link to one annotation on its briefing's page (`/briefings/<slug>/#<id>`), written out
/// only when serialised: views keep one for every quote and highlight of the site, and all
/// of a briefing's share its page's URL.
#[derive(Debug, Clone, PartialEq)]
pub struct DeepLink {
    page: Arc<str>,
    id: Box<str>,
}

impl DeepLink {
    pub fn new(page: &Arc<str>, id: &str) -> Self {
        DeepLink {
            page: page.clone(),
            id: id.into(),
        }
    }

    /// The briefing page's URL and the annotation's id: the link is `page#id`.
    pub fn parts(&self) -> (&str, &str) {
        (&self.page, &self.id)
    }
}

impl std::fmt::Display for DeepLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.page, self.id)
    }
}

impl Serialize for DeepLink {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Not `collect_str`: Tera's serializer would format into a String through `Display`.
        serializer.serialize_str(&[&self.page, "#", &*self.id].concat())
    }
}

/// A quote as shown beside the article and on speaker pages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuoteView {
    pub id: String,
    /// The quoted words, folded (parts joined with a space).
    pub text: Arc<str>,
    /// `direct`, `indirect` or `paraphrase`.
    pub kind: &'static str,
    pub speaker: Shared<SpeakerLink>,
    /// Who relayed the words, nearest first.
    pub via: Vec<Shared<SpeakerLink>>,
    pub questions: Vec<Shared<QuestionLink>>,
    pub note_html: Option<String>,
    /// Deep link into the briefing page (`.../briefings/<slug>/#<id>`).
    pub url: DeepLink,
    /// The briefing it is in (for the speaker and question pages, which list quotes from
    /// many briefings).
    pub briefing: Shared<BriefingLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HighlightView {
    pub id: String,
    pub text: Arc<str>,
    /// `claim`, `fact`, `context` or `question`.
    pub kind: &'static str,
    pub speaker: Option<Shared<SpeakerLink>>,
    pub questions: Vec<Shared<QuestionLink>>,
    pub note_html: Option<String>,
    pub url: DeepLink,
    /// The briefing it is in.
    pub briefing: Shared<BriefingLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuoteRef {
    pub id: String,
    pub text: Arc<str>,
    pub url: DeepLink,
    /// The quote's note number in its briefing (see [`NoteView::number`]).
    pub number: Option<usize>,
}

/// A link to one annotation of the briefing page, by its note number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkRef {
    pub id: String,
    /// See [`NoteView::number`].
    pub number: usize,
    /// `quote` or `highlight`.
    pub class: &'static str,
}

/// One annotation's note, in reading order: shown in the margin beside the text on wide
/// screens, behind a toggle on narrow ones, and as a numbered endnote without script and in
/// print. Every annotation has one, with or without a written `note`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteView {
    /// 1-based, in the order the annotations start in the article (the order of their marks'
    /// first pieces), so it matches the stylesheet's counter of marks.
    pub number: usize,
    pub id: String,
    /// `quote` or `highlight`.
    pub class: &'static str,
    /// A quote's kind (`direct`, `indirect`, `paraphrase`) or a highlight's (`claim`, `fact`,
    /// `context`, `question`).
    pub kind: &'static str,
    pub speaker: Option<Shared<SpeakerLink>>,
    /// The speaker's style slot on this page (1 to 8), as in the marks' `sp-N` class.
    pub slot: Option<usize>,
    /// Who relayed a quote, nearest first.
    pub via: Vec<Shared<SpeakerLink>>,
    pub questions: Vec<Shared<QuestionLink>>,
    /// The marked words, folded.
    pub text: Arc<str>,
    /// The first words of `text`, to remind an endnote's reader what it annotates.
    pub excerpt: String,
    pub note_html: Option<String>,
}

/// A tag and its page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TagLink {
    /// The tag as written in the front matter.
    pub name: String,
    /// The tag's folder name under `tags/`.
    pub slug: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionView {
    pub speaker: Shared<SpeakerLink>,
    pub stance: String,
    pub quotes: Vec<QuoteRef>,
    /// `held` or `moved` when the annotations say so (extension `shift:`), else `none`.
    pub shift: Option<crate::model::Shift>,
    /// The speaker's style slot on this page, as in [`SpeakerInBriefing::slot`] (so that a
    /// template need not search the speakers for it).
    pub slot: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeakerInBriefing {
    pub speaker: Shared<SpeakerLink>,
    pub quote_count: usize,
    /// The speaker's style slot on this page (1 to 8), as in the marks' `sp-N` class; none for
    /// a speaker who only relays quotes or takes positions.
    pub slot: Option<usize>,
    /// Their quotes and highlights on this page, in reading order.
    pub marks: Vec<MarkRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionInBriefing {
    pub question: Shared<QuestionLink>,
    pub positions: Vec<PositionView>,
    /// The quotes and highlights on this page that bear on the question, in reading order.
    pub marks: Vec<MarkRef>,
}

/// A briefing as listed on the index page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BriefingSummary {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub date: DateView,
    pub summary: Option<String>,
    pub dateline: Option<String>,
    pub tags: Vec<String>,
    /// `tags` with their pages.
    pub tag_links: Vec<TagLink>,
    pub draft: bool,
    pub speakers: Vec<Shared<SpeakerLink>>,
    pub questions: Vec<Shared<QuestionLink>>,
    pub quote_count: usize,
}

/// Everything the briefing page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BriefingView {
    #[serde(flatten)]
    pub summary: BriefingSummary,
    pub source: Option<SourceView>,
    /// Who wrote the article, as the front matter's `author` says.
    pub author: Option<String>,
    /// The article with its marks (sanitised HTML made by `brief`).
    pub body_html: String,
    pub quotes: Vec<QuoteView>,
    pub highlights: Vec<HighlightView>,
    /// Speakers quoted, relayed or taking a position here, by first appearance.
    pub speakers: Vec<SpeakerInBriefing>,
    /// Questions this briefing bears on, with the positions taken in it.
    pub questions: Vec<QuestionInBriefing>,
    /// Every annotation's note, in reading order.
    pub notes: Vec<NoteView>,
    pub annotations_url: String,
    /// schema.org JSON-LD for a `<script type="application/ld+json">` element, made safe to
    /// embed (no `<` characters).
    pub schema_json: String,
    /// The briefing as other pages link to it, made once for all of them.
    #[serde(skip)]
    pub link: Shared<BriefingLink>,
}

impl BriefingView {
    /// The view without what only its own page shows (the article, its JSON-LD, its notes
    /// and the links from its panel to its marks): what the speaker, question and list pages
    /// keep in memory for every briefing.
    pub fn slim(mut self) -> Self {
        self.body_html = String::new();
        self.schema_json = String::new();
        self.notes = Vec::new();
        for s in &mut self.speakers {
            s.marks = Vec::new();
        }
        for q in &mut self.questions {
            q.marks = Vec::new();
            // Filtered as they were collected, so they kept room for four (most hold one).
            q.positions.shrink_to_fit();
            for p in &mut q.positions {
                p.quotes.shrink_to_fit();
            }
        }
        // Lists grown by pushing keep up to half their room empty.
        self.quotes.shrink_to_fit();
        self.highlights.shrink_to_fit();
        self.speakers.shrink_to_fit();
        self.questions.shrink_to_fit();
        self
    }
}

/// Builds links and views with the site's URL scheme.
pub struct Urls {
    pub base_path: String,
    pub base_url: Option<String>,
}

impl Urls {
    pub fn briefing(&self, slug: &str) -> String {
        format!("{}briefings/{slug}/", self.base_path)
    }
    pub fn speaker(&self, id: &str) -> String {
        format!("{}speakers/{id}/", self.base_path)
    }
    pub fn question(&self, id: &str) -> String {
        format!("{}questions/{id}/", self.base_path)
    }
    /// The page of the tag whose slug is `slug` (see [`crate::render::tags::slug`]).
    pub fn tag(&self, slug: &str) -> String {
        format!("{}tags/{slug}/", self.base_path)
    }
    /// The absolute URL of a root-relative one, or the URL as it is when the site has no
    /// base URL (machine-readable data and feeds want absolute URLs where they can).
    pub fn absolute(&self, url: &str) -> String {
        self.permalink(url).unwrap_or_else(|| url.to_string())
    }

    /// The absolute URL of a root-relative one.
    pub fn permalink(&self, url: &str) -> Option<String> {
        let base = self.base_url.as_deref()?;
        let rel = url.strip_prefix(&self.base_path).unwrap_or(url);
        Some([base, rel].concat())
    }
}

pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .collect();
    let pick: Vec<&str> = match words.len() {
        0 => name.split_whitespace().take(1).collect(),
        1 => words,
        n => vec![words[0], words[n - 1]],
    };
    pick.iter().filter_map(|w| w.chars().next()).collect()
}

/// Words after a surname that are not the surname.
const NAME_SUFFIXES: [&str; 7] = ["Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"];

/// Longest short name, in characters, before it is cut at a word.
const SHORT_NAME_MAX: usize = 24;

/// See [`SpeakerLink::short_name`]. A person's name is taken to end with the surname when its
/// last word has a capital ("Rasmussen", "al-Rashid"); otherwise ("the spokesperson") the whole
/// name is kept.
pub fn short_name(name: &str, kind: SpeakerKind) -> String {
    let words: Vec<&str> = name
        .split_whitespace()
        .filter(|w| !NAME_SUFFIXES.contains(w))
        .collect();
    let has_capital = |w: &&str| w.chars().any(char::is_uppercase);
    match words.last() {
        Some(last) if kind == SpeakerKind::Person && words.len() > 1 && has_capital(last) => {
            last.to_string()
        }
        _ => shorten(name, SHORT_NAME_MAX),
    }
}

/// `text` cut at the last word boundary within `max` characters, with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        if !out.is_empty() && out.chars().count() + 1 + word.chars().count() > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > max {
        out = out.chars().take(max).collect();
    }
    out.push('…');
    out
}

pub fn speaker_link(s: &Speaker, urls: &Urls) -> SpeakerLink {
    SpeakerLink {
        id: s.id.clone(),
        name: s.name.clone(),
        role: s.role.clone(),
        kind: s.kind,
        initials: initials(&s.name),
        short_name: short_name(&s.name, s.kind),
        url: urls.speaker(&s.id),
    }
}

pub fn question_link(q: &Question, urls: &Urls) -> QuestionLink {
    QuestionLink {
        id: q.id.clone(),
        title: q.title.clone(),
        prompt: q.prompt.clone(),
        status: q.status,
        url: urls.question(&q.id),
    }
}

pub fn briefing_link(b: &Briefing, urls: &Urls) -> BriefingLink {
    BriefingLink {
        slug: b.slug.clone(),
        title: b.title.clone(),
        url: urls.briefing(&b.slug),
        date: (&b.date).into(),
    }
}

/// Every site-wide speaker's and question's link, made once and shared by every view that
/// shows them (a site of 10,000 briefings names speakers hundreds of thousands of times).
pub struct Links {
    speakers: HashMap<String, Shared<SpeakerLink>>,
    questions: HashMap<String, Shared<QuestionLink>>,
}

impl Links {
    pub fn new(site: &Site, urls: &Urls) -> Self {
        Links {
            speakers: site
                .speakers
                .iter()
                .map(|(id, s)| (id.clone(), Shared::new(speaker_link(s, urls))))
                .collect(),
            questions: site
                .questions
                .iter()
                .map(|(id, q)| (id.clone(), Shared::new(question_link(q, urls))))
                .collect(),
        }
    }
}

/// Looks up speakers and questions, resolved ids being guaranteed to exist. Within a
/// briefing, its own local definitions come first.
pub struct Lookup<'a> {
    pub site: &'a Site,
    pub urls: &'a Urls,
    pub links: &'a Links,
    /// The briefing's own definitions, by id, each with its link made once.
    local: Option<Local<'a>>,
}

/// A briefing's local speakers and questions.
struct Local<'a> {
    speakers: HashMap<&'a str, (&'a Speaker, Shared<SpeakerLink>)>,
    questions: HashMap<&'a str, (&'a Question, Shared<QuestionLink>)>,
}

impl<'a> Lookup<'a> {
    /// Lookups of the site-wide definitions only.
    pub fn new(site: &'a Site, urls: &'a Urls, links: &'a Links) -> Self {
        Lookup {
            site,
            urls,
            links,
            local: None,
        }
    }

    /// The same lookup, seen from inside briefing `b`.
    pub fn within(&self, b: &'a Briefing) -> Lookup<'a> {
        let has_local = !b.local_speakers.is_empty() || !b.local_questions.is_empty();
        let local = has_local.then(|| Local {
            speakers: (b.local_speakers.iter())
                .map(|s| (s.id.as_str(), (s, Shared::new(speaker_link(s, self.urls)))))
                .collect(),
            questions: (b.local_questions.iter())
                .map(|q| (q.id.as_str(), (q, Shared::new(question_link(q, self.urls)))))
                .collect(),
        });
        Lookup {
            local,
            ..Lookup::new(self.site, self.urls, self.links)
        }
    }

    fn local_speaker(&self, id: &str) -> Option<&(&'a Speaker, Shared<SpeakerLink>)> {
        self.local.as_ref()?.speakers.get(id)
    }

    /// The speaker `id` as this lookup sees it (the briefing's own definition first).
    pub fn speaker_model(&self, id: &str) -> Option<&'a Speaker> {
        match self.local_speaker(id) {
            Some((s, _)) => Some(s),
            None => self.site.speakers.get(id),
        }
    }

    pub fn speaker(&self, id: &str) -> Shared<SpeakerLink> {
        if let Some((_, link)) = self.local_speaker(id) {
            return link.clone();
        }
        match self.links.speakers.get(id) {
            Some(link) => link.clone(),
            // Unreachable after resolve; render a plain label rather than fail.
            None => Shared::new(SpeakerLink {
                id: id.to_string(),
                name: id.to_string(),
                role: None,
                kind: SpeakerKind::Person,
                initials: initials(id),
                short_name: id.to_string(),
                url: self.urls.speaker(id),
            }),
        }
    }

    pub fn question(&self, id: &str) -> Shared<QuestionLink> {
        if let Some((_, link)) = self.local.as_ref().and_then(|l| l.questions.get(id)) {
            return link.clone();
        }
        match self.links.questions.get(id) {
            Some(link) => link.clone(),
            None => Shared::new(QuestionLink {
                id: id.to_string(),
                title: id.to_string(),
                prompt: None,
                status: QuestionStatus::Open,
                url: self.urls.question(id),
            }),
        }
    }
}

/// The folded text annotation `a` (at `index` of its briefing) covers, as views keep it:
/// the very text of its selector when they are the same (most quotes are written as the
/// article has them), so a large site does not hold every quoted passage twice.
pub fn view_text(a: &Annotation, p: &Processed, index: usize) -> Arc<str> {
    let ranges = p.anchors.get(index).map(Vec::as_slice).unwrap_or(&[]);
    match (&a.selector.parts[..], ranges) {
        ([part], [r]) if p.reader_text.get(r.clone()) == Some(&**part) => part.clone(),
        _ => anchored_text(p, index).into(),
    }
}

/// The folded text an annotation covers (parts joined with a space).
pub fn anchored_text(p: &Processed, index: usize) -> String {
    p.anchors
        .get(index)
        .map(|ranges| {
            ranges
                .iter()
                .map(|r| &p.reader_text[r.clone()])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// A note's HTML, its relative links resolved against the briefing's URL (`page`) so that it
/// reads the same on speaker and question pages.
fn note_html(a: &Annotation, page: &str, allow_html: bool) -> Option<String> {
    let rules = Rules {
        allow_raw_html: allow_html,
        link_base: Some(page),
    };
    Some(render_note(a.note.as_deref()?, rules))
}

pub fn quote_view(
    a: &Annotation,
    text: Arc<str>,
    page: &Arc<str>,
    link: &Shared<BriefingLink>,
    look: &Lookup,
    allow_html: bool,
) -> Option<QuoteView> {
    let AnnotationKind::Quote { speaker, via, kind } = &a.kind else {
        return None;
    };
    Some(QuoteView {
        id: a.id.clone(),
        text,
        kind: quote_kind_name(*kind),
        speaker: look.speaker(speaker),
        via: via.iter().map(|v| look.speaker(v)).collect(),
        questions: a.questions.iter().map(|q| look.question(q)).collect(),
        note_html: note_html(a, page, allow_html),
        url: DeepLink::new(page, &a.id),
        briefing: link.clone(),
    })
}

pub fn highlight_view(
    a: &Annotation,
    text: Arc<str>,
    page: &Arc<str>,
    link: &Shared<BriefingLink>,
    look: &Lookup,
    allow_html: bool,
) -> Option<HighlightView> {
    let AnnotationKind::Highlight { kind, speaker } = &a.kind else {
        return None;
    };
    Some(HighlightView {
        id: a.id.clone(),
        text,
        kind: highlight_kind_name(*kind),
        speaker: speaker.as_deref().map(|s| look.speaker(s)),
        questions: a.questions.iter().map(|q| look.question(q)).collect(),
        note_html: note_html(a, page, allow_html),
        url: DeepLink::new(page, &a.id),
        briefing: link.clone(),
    })
}

/// The distinct ids among `ids`, in order of first appearance.
fn first_appearances<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    ids.filter(|id| seen.insert(*id)).collect()
}

/// Speaker ids of a briefing in order of first appearance: quotes (speaker, then via),
/// highlights, positions.
pub fn briefing_speaker_ids(b: &Briefing) -> Vec<&str> {
    fn via(a: &Annotation) -> &[String] {
        match &a.kind {
            AnnotationKind::Quote { via, .. } => via,
            AnnotationKind::Highlight { .. } => &[],
        }
    }
    first_appearances(
        b.annotations
            .iter()
            .flat_map(|a| {
                a.speaker()
                    .into_iter()
                    .chain(via(a).iter().map(String::as_str))
            })
            .chain(b.positions.iter().map(|p| p.speaker.as_str())),
    )
}

/// Question ids of a briefing in order of first appearance: annotations, then positions.
pub fn briefing_question_ids(b: &Briefing) -> Vec<&str> {
    first_appearances(
        b.annotations
            .iter()
            .flat_map(|a| a.questions.iter().map(String::as_str))
            .chain(b.positions.iter().map(|p| p.question.as_str())),
    )
}

pub fn summary_view(b: &Briefing, look: &Lookup) -> BriefingSummary {
    BriefingSummary {
        slug: b.slug.clone(),
        title: b.title.clone(),
        url: look.urls.briefing(&b.slug),
        date: (&b.date).into(),
        summary: b.summary.clone(),
        dateline: b.dateline.clone(),
        tags: b.tags.clone(),
        tag_links: crate::render::tags::links(&b.tags, look.urls),
        draft: b.draft,
        // Mapped from borrowed lists: collected from `into_iter`, the links would reuse the
        // lists of ids in place, twice as wide as they need, for as long as the view is kept.
        speakers: briefing_speaker_ids(b)
            .iter()
            .map(|s| look.speaker(s))
            .collect(),
        questions: briefing_question_ids(b)
            .iter()
            .map(|q| look.question(q))
            .collect(),
        quote_count: b.quotes().count(),
    }
}

/// What building one briefing's view looks up again and again, worked out once, so that the
/// view takes time in proportion to the briefing, however many annotations, speakers and
/// questions it has.
struct BriefingIndex<'b> {
    /// Annotation index by id.
    by_id: HashMap<&'b str, usize>,
    /// Note numbers by annotation index.
    numbers: Vec<usize>,
    slots: SpeakerSlots<'b>,
}

fn position_view(
    b: &Briefing,
    p: &crate::model::Position,
    page: &Arc<str>,
    look: &Lookup,
    processed: &Processed,
    index: &BriefingIndex,
) -> PositionView {
    PositionView {
        speaker: look.speaker(&p.speaker),
        stance: p.stance.clone(),
        quotes: p
            .quotes
            .iter()
            .filter_map(|qid| {
                let i = *index.by_id.get(qid.as_str())?;
                Some(QuoteRef {
                    id: qid.clone(),
                    text: view_text(&b.annotations[i], processed, i),
                    url: DeepLink::new(page, qid),
                    number: index.numbers.get(i).copied(),
                })
            })
            .collect(),
        shift: p.shift,
        slot: index.slots.get(&p.speaker),
    }
}

pub fn briefing_view(
    b: &Briefing,
    processed: &Processed,
    look: &Lookup,
    schema_json: String,
) -> BriefingView {
    let allow_html = look.site.config.allow_raw_html;
    let page: Arc<str> = look.urls.briefing(&b.slug).into();
    let link = Shared::new(briefing_link(b, look.urls));
    let index = BriefingIndex {
        by_id: (b.annotations.iter().enumerate())
            .map(|(i, a)| (a.id.as_str(), i))
            .collect(),
        numbers: note_numbers(&processed.anchors),
        slots: SpeakerSlots::of(&b.annotations),
    };
    let mut quotes = Vec::new();
    let mut highlights = Vec::new();
    // Where each annotation's view went: `Ok` into `quotes`, `Err` into `highlights`.
    let mut view_at: Vec<Option<Result<usize, usize>>> = Vec::with_capacity(b.annotations.len());
    for (i, a) in b.annotations.iter().enumerate() {
        let text = view_text(a, processed, i);
        view_at.push(if a.is_quote() {
            quote_view(a, text, &page, &link, look, allow_html).map(|v| {
                quotes.push(v);
                Ok(quotes.len() - 1)
            })
        } else {
            highlight_view(a, text, &page, &link, look, allow_html).map(|v| {
                highlights.push(v);
                Err(highlights.len() - 1)
            })
        });
    }
    let order = reading_order(&processed.anchors);
    // Each speaker's and each question's marks, in reading order, and each speaker's quotes.
    let mut speaker_marks: HashMap<&str, Vec<MarkRef>> = HashMap::new();
    let mut question_marks: HashMap<&str, Vec<MarkRef>> = HashMap::new();
    let mut quote_counts: HashMap<&str, usize> = HashMap::new();
    for &i in &order {
        let a = &b.annotations[i];
        let mark = || mark_ref(a, index.numbers[i]);
        if let Some(s) = a.speaker() {
            speaker_marks.entry(s).or_default().push(mark());
            if a.is_quote() {
                *quote_counts.entry(s).or_default() += 1;
            }
        }
        for q in &a.questions {
            question_marks.entry(q).or_default().push(mark());
        }
    }
    let speakers = briefing_speaker_ids(b)
        .into_iter()
        .map(|id| SpeakerInBriefing {
            speaker: look.speaker(id),
            quote_count: quote_counts.get(id).copied().unwrap_or(0),
            slot: index.slots.get(id),
            marks: speaker_marks.remove(id).unwrap_or_default(),
        })
        .collect();
    let mut positions_of: HashMap<&str, Vec<PositionView>> = HashMap::new();
    for p in &b.positions {
        let view = position_view(b, p, &page, look, processed, &index);
        positions_of.entry(&p.question).or_default().push(view);
    }
    let questions = briefing_question_ids(b)
        .into_iter()
        .map(|qid| QuestionInBriefing {
            question: look.question(qid),
            positions: positions_of.remove(qid).unwrap_or_default(),
            marks: question_marks.remove(qid).unwrap_or_default(),
        })
        .collect();
    let notes = order
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let a = &b.annotations[i];
            let slot = a.speaker().and_then(|s| index.slots.get(s));
            let view = match view_at[i] {
                Some(Ok(q)) => NoteOf::Quote(&quotes[q]),
                Some(Err(h)) => NoteOf::Highlight(&highlights[h]),
                None => NoteOf::Nothing(a),
            };
            note_view(n + 1, view, slot)
        })
        .collect();
    BriefingView {
        summary: summary_view(b, look),
        source: b.source.as_ref().map(|s| SourceView {
            name: s.name.clone(),
            url: s
                .url
                .clone()
                .filter(|u| !crate::markdown::is_dangerous_url(u, false)),
        }),
        author: b.author.clone(),
        body_html: processed.body_html.clone(),
        quotes,
        highlights,
        speakers,
        questions,
        notes,
        annotations_url: format!("{page}annotations.jsonld"),
        schema_json,
        link,
    }
}

fn mark_ref(a: &Annotation, number: usize) -> MarkRef {
    MarkRef {
        id: a.id.clone(),
        number,
        class: if a.is_quote() { "quote" } else { "highlight" },
    }
}

/// Words kept in a note's excerpt.
const EXCERPT_WORDS: usize = 8;

/// The first [`EXCERPT_WORDS`] words of `text`, with an ellipsis when cut.
pub fn excerpt(text: &str) -> String {
    // Only as far as the words it shows: a note's text can be a long passage.
    let mut words = text.split_whitespace();
    let shown: Vec<&str> = words.by_ref().take(EXCERPT_WORDS).collect();
    match words.next() {
        Some(_) => format!("{}…", shown.join(" ")),
        None => shown.join(" "),
    }
}

/// What a note is made from: the annotation's quote or highlight view (already rendered
/// once), or, for an annotation without a view, the annotation itself.
enum NoteOf<'v> {
    Quote(&'v QuoteView),
    Highlight(&'v HighlightView),
    Nothing(&'v Annotation),
}

/// Note `number` of a briefing's page.
fn note_view(number: usize, of: NoteOf, slot: Option<usize>) -> NoteView {
    match of {
        NoteOf::Quote(q) => NoteView {
            number,
            id: q.id.clone(),
            class: "quote",
            kind: q.kind,
            speaker: Some(q.speaker.clone()),
            slot,
            via: q.via.clone(),
            questions: q.questions.clone(),
            excerpt: excerpt(&q.text),
            text: q.text.clone(),
            note_html: q.note_html.clone(),
        },
        NoteOf::Highlight(h) => NoteView {
            number,
            id: h.id.clone(),
            class: "highlight",
            kind: h.kind,
            speaker: h.speaker.clone(),
            slot,
            via: Vec::new(),
            questions: h.questions.clone(),
            excerpt: excerpt(&h.text),
            text: h.text.clone(),
            note_html: h.note_html.clone(),
        },
        NoteOf::Nothing(a) => NoteView {
            number,
            id: a.id.clone(),
            class: "highlight",
            kind: "context",
            speaker: None,
            slot,
            via: Vec::new(),
            questions: Vec::new(),
            excerpt: String::new(),
            text: "".into(),
            note_html: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_keep_a_surname_or_a_short_whole_name() {
        assert_eq!(
            short_name("Anders Fogh Rasmussen", SpeakerKind::Person),
            "Rasmussen"
        );
        assert_eq!(
            short_name("Martin Luther King Jr.", SpeakerKind::Person),
            "King"
        );
        assert_eq!(
            short_name("The spokesperson", SpeakerKind::Person),
            "The spokesperson"
        );
        assert_eq!(
            short_name("Ahmed bin Abdulaziz al-Rashid", SpeakerKind::Person),
            "al-Rashid"
        );
        assert_eq!(short_name("Sputnik", SpeakerKind::Organisation), "Sputnik");
        assert_eq!(
            short_name(
                "Polish Ministry of Foreign Affairs",
                SpeakerKind::Organisation
            ),
            "Polish Ministry of…"
        );
    }

    #[test]
    fn shorten_cuts_an_overlong_word_too() {
        assert_eq!(
            shorten("Donaudampfschifffahrtsgesellschaft", 10),
            "Donaudampf…"
        );
        assert_eq!(shorten("short", 10), "short");
    }

    fn annotation(text: &str) -> Annotation {
        Annotation {
            id: "q1".to_string(),
            kind: AnnotationKind::Highlight {
                kind: crate::model::HighlightKind::Claim,
                speaker: None,
            },
            selector: crate::model::Selector {
                parts: vec![text.into()],
                prefix: None,
                suffix: None,
                occurrence: None,
            },
            questions: Vec::new(),
            note: None,
            note_pos: None,
            text_pos: crate::diag::Pos::new(1, 1),
            occurrence_pos: None,
        }
    }

    #[test]
    fn view_texts_share_the_selector_text_when_it_is_the_anchored_text() {
        let processed = Processed {
            reader_text: "He said \"no\" and left.".to_string(),
            anchors: vec![vec![3..12]],
            ..Processed::default()
        };
        // Written as the article has it: the very same text, not a copy.
        let same = annotation("said \"no\"");
        let text = view_text(&same, &processed, 0);
        assert!(Arc::ptr_eq(&text, &same.selector.parts[0]));
        // Written with curly quotes: the view shows the article's (folded) words.
        let curly = annotation("said \u{201C}no\u{201D}");
        let text = view_text(&curly, &processed, 0);
        assert_eq!(&*text, "said \"no\"");
        assert!(!Arc::ptr_eq(&text, &curly.selector.parts[0]));
    }

    #[test]
    fn deep_links_are_written_out_when_serialised() {
        let page: Arc<str> = "/briefings/a/".into();
        let link = DeepLink::new(&page, "q1");
        assert_eq!(link.to_string(), "/briefings/a/#q1");
        assert_eq!(
            serde_json::to_string(&link).expect("serialises"),
            "\"/briefings/a/#q1\""
        );
        let value = tera::Value::from_serializable(&link);
        assert_eq!(value.as_str(), Some("/briefings/a/#q1"));
    }

    #[test]
    fn shared_links_serialise_as_their_fields_for_json_and_tera() {
        let link = Shared::new(QuestionLink {
            id: "q".to_string(),
            title: "Q".to_string(),
            prompt: None,
            status: QuestionStatus::Open,
            url: "/questions/q/".to_string(),
        });
        let json = serde_json::to_string(&link).expect("serialises");
        assert_eq!(
            json,
            r#"{"id":"q","title":"Q","prompt":null,"status":"open","url":"/questions/q/"}"#
        );
        let mut c = tera::Context::new();
        c.insert("links", &vec![link.clone(), link]);
        let rendered = tera::Tera::default()
            .render_str(
                "{% for l in links %}{{ l.title }}:{{ l.url }};{% endfor %}",
                &c,
                false,
            )
            .expect("renders");
        assert_eq!(rendered, "Q:/questions/q/;Q:/questions/q/;");
    }

    #[test]
    fn excerpts_keep_eight_words() {
        assert_eq!(excerpt("a b c"), "a b c");
        assert_eq!(excerpt("  a\tb\n  c "), "a b c");
        assert_eq!(excerpt(""), "");
        let eight = "one two three four five six seven eight";
        assert_eq!(excerpt(eight), eight);
        assert_eq!(excerpt(&format!("{eight} ")), eight);
        assert_eq!(
            excerpt("one two three four five six seven eight nine"),
            "one two three four five six seven eight…"
        );
    }
}

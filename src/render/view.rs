//! Typed views: exactly what each template receives, documented in docs/templates.md.
//!
//! Views are plain serde structs built from the model and the processed articles. Text fields
//! are plain text (templates escape them); fields named `*_html` hold HTML that `brief` made and
//! sanitised itself (the article, notes), which templates print with `| safe`. Building a view
//! does no I/O.

use serde::Serialize;

use crate::article::{Processed, highlight_kind_name, quote_kind_name};
use crate::date::Date;
use crate::markdown::render_note;
use crate::model::{
    Annotation, AnnotationKind, Briefing, Question, QuestionStatus, Site, Speaker, SpeakerKind,
};

#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
pub struct SpeakerLink {
    pub id: String,
    pub name: String,
    pub role: Option<String>,
    /// `person`, `organisation` or `group`.
    pub kind: SpeakerKind,
    /// Initials for a compact label ("AR").
    pub initials: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionLink {
    pub id: String,
    pub title: String,
    pub prompt: Option<String>,
    /// `open` or `resolved`.
    pub status: QuestionStatus,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BriefingLink {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub date: DateView,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub name: String,
    pub url: Option<String>,
}

/// A quote as shown beside the article and on speaker pages.
#[derive(Debug, Clone, Serialize)]
pub struct QuoteView {
    pub id: String,
    /// The quoted words, folded (parts joined with a space).
    pub text: String,
    /// `direct`, `indirect` or `paraphrase`.
    pub kind: &'static str,
    pub speaker: SpeakerLink,
    /// Who relayed the words, nearest first.
    pub via: Vec<SpeakerLink>,
    pub questions: Vec<QuestionLink>,
    pub note_html: Option<String>,
    /// Deep link into the briefing page (`.../briefings/<slug>/#<id>`).
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HighlightView {
    pub id: String,
    pub text: String,
    /// `claim`, `fact`, `context` or `question`.
    pub kind: &'static str,
    pub speaker: Option<SpeakerLink>,
    pub questions: Vec<QuestionLink>,
    pub note_html: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuoteRef {
    pub id: String,
    pub text: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PositionView {
    pub speaker: SpeakerLink,
    pub stance: String,
    pub quotes: Vec<QuoteRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpeakerInBriefing {
    pub speaker: SpeakerLink,
    pub quote_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionInBriefing {
    pub question: QuestionLink,
    pub positions: Vec<PositionView>,
}

/// A briefing as listed on the index page.
#[derive(Debug, Clone, Serialize)]
pub struct BriefingSummary {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub date: DateView,
    pub summary: Option<String>,
    pub dateline: Option<String>,
    pub tags: Vec<String>,
    pub draft: bool,
    pub speakers: Vec<SpeakerLink>,
    pub questions: Vec<QuestionLink>,
    pub quote_count: usize,
}

/// Everything the briefing page shows.
#[derive(Debug, Clone, Serialize)]
pub struct BriefingView {
    #[serde(flatten)]
    pub summary: BriefingSummary,
    pub source: Option<SourceView>,
    /// The article with its marks (sanitised HTML made by `brief`).
    pub body_html: String,
    pub quotes: Vec<QuoteView>,
    pub highlights: Vec<HighlightView>,
    /// Speakers quoted, relayed or taking a position here, by first appearance.
    pub speakers: Vec<SpeakerInBriefing>,
    /// Questions this briefing bears on, with the positions taken in it.
    pub questions: Vec<QuestionInBriefing>,
    pub annotations_url: String,
    /// schema.org JSON-LD for a `<script type="application/ld+json">` element, made safe to
    /// embed (no `<` characters).
    pub schema_json: String,
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
    /// The absolute URL of a root-relative one.
    pub fn permalink(&self, url: &str) -> Option<String> {
        let base = self.base_url.as_deref()?;
        let rel = url.strip_prefix(&self.base_path).unwrap_or(url);
        Some(format!("{base}{rel}"))
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

pub fn speaker_link(s: &Speaker, urls: &Urls) -> SpeakerLink {
    SpeakerLink {
        id: s.id.clone(),
        name: s.name.clone(),
        role: s.role.clone(),
        kind: s.kind,
        initials: initials(&s.name),
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

/// Looks up speakers and questions, resolved ids being guaranteed to exist. Within a
/// briefing, its own local definitions come first.
pub struct Lookup<'a> {
    pub site: &'a Site,
    pub urls: &'a Urls,
    pub briefing: Option<&'a Briefing>,
}

impl<'a> Lookup<'a> {
    /// The same lookup, seen from inside briefing `b`.
    pub fn within(&self, b: &'a Briefing) -> Lookup<'a> {
        Lookup {
            site: self.site,
            urls: self.urls,
            briefing: Some(b),
        }
    }

    fn local_speaker(&self, id: &str) -> Option<&'a Speaker> {
        self.briefing?.local_speakers.iter().find(|s| s.id == id)
    }

    fn local_question(&self, id: &str) -> Option<&'a Question> {
        self.briefing?.local_questions.iter().find(|q| q.id == id)
    }

    pub fn speaker(&self, id: &str) -> SpeakerLink {
        match self
            .local_speaker(id)
            .or_else(|| self.site.speakers.get(id))
        {
            Some(s) => speaker_link(s, self.urls),
            // Unreachable after resolve; render a plain label rather than fail.
            None => SpeakerLink {
                id: id.to_string(),
                name: id.to_string(),
                role: None,
                kind: SpeakerKind::Person,
                initials: initials(id),
                url: self.urls.speaker(id),
            },
        }
    }

    pub fn question(&self, id: &str) -> QuestionLink {
        match self
            .local_question(id)
            .or_else(|| self.site.questions.get(id))
        {
            Some(q) => question_link(q, self.urls),
            None => QuestionLink {
                id: id.to_string(),
                title: id.to_string(),
                prompt: None,
                status: QuestionStatus::Open,
                url: self.urls.question(id),
            },
        }
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

pub fn quote_view(
    b: &Briefing,
    a: &Annotation,
    text: String,
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
        note_html: a.note.as_deref().map(|n| render_note(n, allow_html)),
        url: format!("{}#{}", look.urls.briefing(&b.slug), a.id),
    })
}

pub fn highlight_view(
    b: &Briefing,
    a: &Annotation,
    text: String,
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
        note_html: a.note.as_deref().map(|n| render_note(n, allow_html)),
        url: format!("{}#{}", look.urls.briefing(&b.slug), a.id),
    })
}

/// Speaker ids of a briefing in order of first appearance: quotes (speaker, then via),
/// highlights, positions.
pub fn briefing_speaker_ids(b: &Briefing) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    fn via(a: &Annotation) -> Vec<&str> {
        match &a.kind {
            AnnotationKind::Quote { via, .. } => via.iter().map(String::as_str).collect(),
            AnnotationKind::Highlight { .. } => Vec::new(),
        }
    }
    let all = b
        .annotations
        .iter()
        .flat_map(|a| a.speaker().into_iter().chain(via(a)))
        .chain(b.positions.iter().map(|p| p.speaker.as_str()));
    for id in all {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// Question ids of a briefing in order of first appearance: annotations, then positions.
pub fn briefing_question_ids(b: &Briefing) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    for q in b
        .annotations
        .iter()
        .flat_map(|a| a.questions.iter())
        .chain(b.positions.iter().map(|p| &p.question))
    {
        if !ids.contains(&q.as_str()) {
            ids.push(q);
        }
    }
    ids
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
        draft: b.draft,
        speakers: briefing_speaker_ids(b)
            .into_iter()
            .map(|s| look.speaker(s))
            .collect(),
        questions: briefing_question_ids(b)
            .into_iter()
            .map(|q| look.question(q))
            .collect(),
        quote_count: b.quotes().count(),
    }
}

pub fn position_view(
    b: &Briefing,
    p: &crate::model::Position,
    look: &Lookup,
    processed: &Processed,
) -> PositionView {
    PositionView {
        speaker: look.speaker(&p.speaker),
        stance: p.stance.clone(),
        quotes: p
            .quotes
            .iter()
            .filter_map(|qid| {
                let i = b.annotations.iter().position(|a| &a.id == qid)?;
                Some(QuoteRef {
                    id: qid.clone(),
                    text: anchored_text(processed, i),
                    url: format!("{}#{qid}", look.urls.briefing(&b.slug)),
                })
            })
            .collect(),
    }
}

pub fn briefing_view(
    b: &Briefing,
    processed: &Processed,
    look: &Lookup,
    schema_json: String,
) -> BriefingView {
    let allow_html = look.site.config.allow_raw_html;
    let mut quotes = Vec::new();
    let mut highlights = Vec::new();
    for (i, a) in b.annotations.iter().enumerate() {
        let text = anchored_text(processed, i);
        if a.is_quote() {
            quotes.extend(quote_view(b, a, text, look, allow_html));
        } else {
            highlights.extend(highlight_view(b, a, text, look, allow_html));
        }
    }
    let speakers = briefing_speaker_ids(b)
        .into_iter()
        .map(|id| SpeakerInBriefing {
            speaker: look.speaker(id),
            quote_count: b.quotes().filter(|q| q.speaker() == Some(id)).count(),
        })
        .collect();
    let questions = briefing_question_ids(b)
        .into_iter()
        .map(|qid| QuestionInBriefing {
            question: look.question(qid),
            positions: b
                .positions
                .iter()
                .filter(|p| p.question == qid)
                .map(|p| position_view(b, p, look, processed))
                .collect(),
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
        body_html: processed.body_html.clone(),
        quotes,
        highlights,
        speakers,
        questions,
        annotations_url: format!("{}annotations.jsonld", look.urls.briefing(&b.slug)),
        schema_json,
    }
}

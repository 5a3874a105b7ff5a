//! The validated site: what `resolve` produces and every later stage reads.
//!
//! Nothing here is raw input: ids are checked, references resolve, dates exist. A `Site` is
//! loaded once and then only read (anchoring and rendering run in parallel over it), so it
//! holds no interior mutability and does no I/O.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::config::Config;
use crate::date::Date;
use crate::diag::Pos;

#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    /// Every speaker: the site-wide ones, then those defined locally by a briefing.
    pub speakers: BTreeMap<String, Speaker>,
    pub questions: BTreeMap<String, Question>,
    /// Newest first; ties broken by slug so the order never depends on the file system.
    /// Shared (`Arc`) so that `serve` can reassemble the site after an edit without copying.
    pub briefings: Vec<Arc<Briefing>>,
    /// Files under `static/`, relative to it.
    pub static_files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SpeakerKind {
    #[default]
    Person,
    Organisation,
    Group,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum QuestionStatus {
    #[default]
    Open,
    Resolved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    #[default]
    Direct,
    Indirect,
    Paraphrase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum HighlightKind {
    Claim,
    Fact,
    #[default]
    Context,
    Question,
}

/// Where something was defined, for diagnostics and for telling local from site-wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub pos: Pos,
    /// The slug of the briefing that defined it locally; `None` for site-wide.
    pub local_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Speaker {
    pub id: String,
    pub name: String,
    pub role: Option<String>,
    pub kind: SpeakerKind,
    pub url: Option<String>,
    pub same_as: Vec<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub title: String,
    pub prompt: Option<String>,
    pub status: QuestionStatus,
    pub resolution: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct Briefing {
    pub slug: String,
    /// Where the slug comes from: the `slug:` value, or the start of the article file.
    pub slug_pos: Pos,
    /// The article, relative to the site root.
    pub path: PathBuf,
    /// The annotations file, when there is one.
    pub annotations_path: Option<PathBuf>,
    pub title: String,
    pub date: Date,
    pub summary: Option<String>,
    pub dateline: Option<String>,
    /// Who wrote the article (plain text).
    pub author: Option<String>,
    pub source: Option<SourceRef>,
    pub tags: Vec<String>,
    pub draft: bool,
    /// Quotes first, then highlights, each in file order.
    pub annotations: Vec<Annotation>,
    pub positions: Vec<Position>,
    /// Speakers and questions defined by this briefing's annotations file. They shadow
    /// nothing (redefining a site-wide id is an error), but two briefings may each define the
    /// same local id; each briefing's page uses its own definition.
    pub local_speakers: Vec<Speaker>,
    pub local_questions: Vec<Question>,
    /// Files beside a folder briefing's `index.md`, relative to the site root.
    pub assets: Vec<PathBuf>,
    /// Those of its files that could run script when opened (refused unless raw HTML is
    /// allowed; see `active`).
    pub active_files: Vec<crate::active::ActiveFile>,
}

/// A briefing's article file as read when the site was loaded: its unit holds it until the
/// briefing's pages are made (anchoring reads it, and the positions of its links are taken
/// from it then), and no stage reads the article from anywhere else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleText {
    /// The whole file.
    pub text: Arc<str>,
    /// Where the Markdown body starts, after the front matter.
    pub body_start: usize,
}

impl ArticleText {
    pub fn body(&self) -> &str {
        self.text.get(self.body_start..).unwrap_or_default()
    }
}

impl Briefing {
    pub fn quotes(&self) -> impl Iterator<Item = &Annotation> {
        self.annotations.iter().filter(|a| a.is_quote())
    }

    pub fn highlights(&self) -> impl Iterator<Item = &Annotation> {
        self.annotations.iter().filter(|a| !a.is_quote())
    }

    pub fn annotation(&self, id: &str) -> Option<&Annotation> {
        self.annotations.iter().find(|a| a.id == id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    pub name: String,
    pub url: Option<String>,
    /// Where `url` is written in the front matter (for the link check).
    pub url_pos: Option<Pos>,
}

#[derive(Debug, Clone)]
pub struct Annotation {
    pub id: String,
    pub kind: AnnotationKind,
    pub selector: Selector,
    pub questions: Vec<String>,
    pub note: Option<String>,
    /// Where the note is written, for diagnostics about its links.
    pub note_pos: Option<Pos>,
    /// Where the annotation's `text` (or `parts`) is written, for anchoring diagnostics.
    pub text_pos: Pos,
    /// Where its `occurrence` is written, if it has one.
    pub occurrence_pos: Option<Pos>,
}

impl Annotation {
    pub fn is_quote(&self) -> bool {
        matches!(self.kind, AnnotationKind::Quote { .. })
    }

    pub fn speaker(&self) -> Option<&str> {
        match &self.kind {
            AnnotationKind::Quote { speaker, .. } => Some(speaker),
            AnnotationKind::Highlight { speaker, .. } => speaker.as_deref(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum AnnotationKind {
    Quote {
        speaker: String,
        via: Vec<String>,
        kind: QuoteKind,
    },
    Highlight {
        kind: HighlightKind,
        speaker: Option<String>,
    },
}

/// What to look for in the article: one text, or the parts of a split quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// Shared with the views that show the quoted words (see `render::view::view_text`).
    pub parts: Vec<Arc<str>>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub occurrence: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Position {
    pub question: String,
    pub speaker: String,
    pub stance: String,
    pub quotes: Vec<String>,
    /// Said by the editor; `None` lets the question page compare wordings.
    pub shift: Option<Shift>,
}

/// How a stance relates to the same speaker's previous one on the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shift {
    Held,
    Moved,
}

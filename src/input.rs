//! The shapes of the input files, exactly as FORMAT.md writes them.
//!
//! These structs only describe what may be written (`deny_unknown_fields`, so a typo is an
//! error with a did-you-mean) and keep the position of every value a later check may need to
//! point at. They hold no meaning of their own: `resolve` turns them into the model.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::model::{HighlightKind, QuestionStatus, QuoteKind, Shift, SpeakerKind};
use crate::yaml::Entries;

pub type Id = Spanned<String>;

/// A key written with nothing after it (`quotes:`) means an empty list, not a type error:
/// that is how skeleton files look.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    // Required fields are `Option` so that `resolve` can report them missing at a useful
    // position (the parser would point at the end of the mapping).
    pub title: Option<Spanned<String>>,
    pub date: Option<Spanned<String>>,
    pub slug: Option<Spanned<String>>,
    pub summary: Option<String>,
    pub dateline: Option<String>,
    /// Extension: who wrote the article.
    pub author: Option<String>,
    pub source: Option<SourceIn>,
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    #[serde(default)]
    pub draft: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceIn {
    pub name: String,
    pub url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeakerIn {
    pub name: Option<Spanned<String>>,
    pub role: Option<String>,
    #[serde(default)]
    pub kind: SpeakerKind,
    pub url: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub same_as: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionIn {
    pub title: Option<Spanned<String>>,
    pub prompt: Option<String>,
    #[serde(default)]
    pub status: QuestionStatus,
    pub resolution: Option<String>,
}

pub type SpeakersFile = Entries<Spanned<SpeakerIn>>;
pub type QuestionsFile = Entries<Spanned<QuestionIn>>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnotationsFile {
    #[serde(default)]
    pub speakers: Entries<Spanned<SpeakerIn>>,
    #[serde(default)]
    pub questions: Entries<Spanned<QuestionIn>>,
    #[serde(default, deserialize_with = "nullable")]
    pub quotes: Vec<Spanned<QuoteIn>>,
    #[serde(default, deserialize_with = "nullable")]
    pub highlights: Vec<Spanned<HighlightIn>>,
    #[serde(default, deserialize_with = "nullable")]
    pub positions: Vec<Spanned<PositionIn>>,
}

/// What quotes and highlights share: where they are and what they bear on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteIn {
    pub id: Option<Id>,
    pub text: Option<Spanned<String>>,
    pub parts: Option<Spanned<Vec<Spanned<String>>>>,
    pub speaker: Option<Id>,
    #[serde(default)]
    pub kind: QuoteKind,
    #[serde(default, deserialize_with = "nullable")]
    pub via: Vec<Id>,
    #[serde(default, deserialize_with = "nullable")]
    pub questions: Vec<Id>,
    pub note: Option<Spanned<String>>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub occurrence: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HighlightIn {
    pub id: Option<Id>,
    pub text: Option<Spanned<String>>,
    /// Extension: a highlight may be split like a quote.
    pub parts: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub kind: HighlightKind,
    pub speaker: Option<Id>,
    #[serde(default, deserialize_with = "nullable")]
    pub questions: Vec<Id>,
    pub note: Option<Spanned<String>>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub occurrence: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionIn {
    pub question: Option<Id>,
    pub speaker: Option<Id>,
    pub stance: Option<Spanned<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub quotes: Vec<Id>,
    /// Extension: whether this stance keeps or changes the speaker's previous one on the
    /// question. Without it, any change in the stance's wording counts as a move.
    pub shift: Option<Shift>,
}

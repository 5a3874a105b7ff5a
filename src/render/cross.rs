//! The pages that follow one speaker or one question across every briefing, and the index
//! of who appears where that they are made from.
//!
//! A briefing's view *mentions* speakers and questions (a quote by a speaker, a quote a
//! speaker relayed, a highlight, a position). [`mentions`] lists them for one view; the
//! [`CrossIndex`] holds them for the whole site, so that each page looks at its own mentions
//! only. A page is made from *parts*, one per briefing ([`SpeakerPart`], [`QuestionPart`]):
//! what it shows of that briefing, built from the briefing's mentions and nothing else. The
//! engine compares a changed briefing's parts before and after an edit to know which pages
//! to make again; since the pages are built from the same parts, that comparison is exactly
//! what the pages read. Nothing here does I/O.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::view::*;
use crate::markdown::is_dangerous_url;
use crate::model::{Question, Shift, Site, Speaker};

/// Where a speaker or a question appears in one briefing's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mention {
    /// `quotes[i]`: by the speaker, or bearing on the question.
    Quote(u32),
    /// `quotes[i]`, relayed by the speaker (`via`).
    Relayed(u32),
    /// `highlights[i]`: attributed to the speaker, or bearing on the question.
    Highlight(u32),
    /// `questions[q].positions[p]`: the speaker's, or one on the question.
    Position(u32, u32),
}

/// Who a mention is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Of<'v> {
    Speaker(&'v str),
    Question(&'v str),
}

/// Every mention in a briefing's view, in page order: its quotes (each by its speaker, then
/// relayed by each of its `via`, then bearing on each of its questions), its highlights, then
/// its positions. A list that names an id twice mentions it once.
pub fn mentions<'v>(v: &'v BriefingView, mut each: impl FnMut(Of<'v>, Mention)) {
    for (k, q) in v.quotes.iter().enumerate() {
        let k = k as u32;
        each(Of::Speaker(&q.speaker.id), Mention::Quote(k));
        for r in first_of_each(&q.via, |l| &l.id).filter(|r| r.id != q.speaker.id) {
            each(Of::Speaker(&r.id), Mention::Relayed(k));
        }
        for l in first_of_each(&q.questions, |l| &l.id) {
            each(Of::Question(&l.id), Mention::Quote(k));
        }
    }
    for (k, h) in v.highlights.iter().enumerate() {
        let k = k as u32;
        if let Some(s) = &h.speaker {
            each(Of::Speaker(&s.id), Mention::Highlight(k));
        }
        for l in first_of_each(&h.questions, |l| &l.id) {
            each(Of::Question(&l.id), Mention::Highlight(k));
        }
    }
    for (qi, q) in v.questions.iter().enumerate() {
        for (pi, p) in q.positions.iter().enumerate() {
            let m = Mention::Position(qi as u32, pi as u32);
            each(Of::Speaker(&p.speaker.id), m);
            each(Of::Question(&q.question.id), m);
        }
    }
}

/// The links of a list, each id once.
fn first_of_each<T>(links: &[Shared<T>], id: fn(&T) -> &str) -> impl Iterator<Item = &Shared<T>> {
    let mut seen = std::collections::HashSet::new();
    links.iter().filter(move |l| seen.insert(id(l)))
}

/// Mentions by id.
pub type ById<'v> = BTreeMap<&'v str, Vec<Mention>>;

/// The mentions of each speaker and each question in one view, by id.
pub type ViewMentions<'v> = (ById<'v>, ById<'v>);

/// [`mentions`] of one view, grouped by speaker and by question.
pub fn mentions_by_id(v: &BriefingView) -> ViewMentions<'_> {
    let mut out: ViewMentions = Default::default();
    mentions(v, |of, m| match of {
        Of::Speaker(id) => out.0.entry(id).or_default().push(m),
        Of::Question(id) => out.1.entry(id).or_default().push(m),
    });
    out
}

/// What a speaker's page shows of one briefing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeakerPart<'v> {
    pub briefing: &'v Shared<BriefingLink>,
    pub quotes: Vec<&'v QuoteView>,
    pub relayed: Vec<&'v QuoteView>,
    pub highlights: Vec<&'v HighlightView>,
    pub positions: Vec<PositionOnQuestion<'v>>,
}

impl<'v> SpeakerPart<'v> {
    /// The part of the briefing `v` made of the speaker's `mentions` in it.
    pub fn of(v: &'v BriefingView, mentions: impl IntoIterator<Item = Mention>) -> Self {
        let mut part = SpeakerPart {
            briefing: &v.link,
            quotes: Vec::new(),
            relayed: Vec::new(),
            highlights: Vec::new(),
            positions: Vec::new(),
        };
        for m in mentions {
            match m {
                Mention::Quote(k) => part.quotes.push(&v.quotes[k as usize]),
                Mention::Relayed(k) => part.relayed.push(&v.quotes[k as usize]),
                Mention::Highlight(k) => part.highlights.push(&v.highlights[k as usize]),
                Mention::Position(qi, pi) => {
                    let q = &v.questions[qi as usize];
                    let p = &q.positions[pi as usize];
                    part.positions.push(PositionOnQuestion {
                        briefing: v.link.clone(),
                        question: q.question.clone(),
                        stance: &p.stance,
                        quotes: &p.quotes,
                    });
                }
            }
        }
        part
    }
}

/// What a question's page shows of one briefing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionPart<'v> {
    pub briefing: &'v Shared<BriefingLink>,
    pub positions: Vec<&'v PositionView>,
    pub quotes: Vec<&'v QuoteView>,
    pub highlights: Vec<&'v HighlightView>,
}

impl<'v> QuestionPart<'v> {
    /// The part of the briefing `v` made of the question's `mentions` in it.
    pub fn of(v: &'v BriefingView, mentions: impl IntoIterator<Item = Mention>) -> Self {
        let mut part = QuestionPart {
            briefing: &v.link,
            positions: Vec::new(),
            quotes: Vec::new(),
            highlights: Vec::new(),
        };
        for m in mentions {
            match m {
                Mention::Quote(k) | Mention::Relayed(k) => part.quotes.push(&v.quotes[k as usize]),
                Mention::Highlight(k) => part.highlights.push(&v.highlights[k as usize]),
                Mention::Position(qi, pi) => part
                    .positions
                    .push(&v.questions[qi as usize].positions[pi as usize]),
            }
        }
        part
    }
}

/// A speaker's or question's mentions, as (briefing index, mention), newest briefing first.
type Mentions = Vec<(u32, Mention)>;

/// A list of mentions briefing by briefing, oldest briefing first: (briefing index, its
/// mentions in page order).
fn by_briefing(mentions: &[(u32, Mention)]) -> impl Iterator<Item = (usize, &[(u32, Mention)])> {
    mentions
        .chunk_by(|a, b| a.0 == b.0)
        .rev()
        .map(|group| (group[0].0 as usize, group))
}

/// Who appears where, and in what, computed once for all speaker and question pages. Indexes
/// are into `site.briefings` (newest first) and into each briefing's view.
pub struct CrossIndex {
    speakers: BTreeMap<String, Mentions>,
    questions: BTreeMap<String, Mentions>,
    /// The briefings with local speakers or questions, by slug.
    with_locals: HashMap<String, usize>,
}

impl CrossIndex {
    /// The index of every speaker and question. `views[i]` belongs to `site.briefings[i]`.
    pub fn build(site: &Site, views: &[&BriefingView]) -> Self {
        Self::build_for(site, views, None)
    }

    /// The index of the given speakers and questions only, or of all with `None`: enough for
    /// their pages (an edit in `serve` makes a few again).
    pub fn build_for(
        site: &Site,
        views: &[&BriefingView],
        only: Option<(&[&str], &[&str])>,
    ) -> Self {
        let speaker_wanted = |id: &str| only.is_none_or(|(s, _)| s.contains(&id));
        let question_wanted = |id: &str| only.is_none_or(|(_, q)| q.contains(&id));
        let mut speakers: BTreeMap<String, Mentions> = BTreeMap::new();
        let mut questions: BTreeMap<String, Mentions> = BTreeMap::new();
        for (i, v) in views.iter().enumerate() {
            mentions(v, |of, m| match of {
                Of::Speaker(id) if speaker_wanted(id) => push(&mut speakers, id, i, m),
                Of::Question(id) if question_wanted(id) => push(&mut questions, id, i, m),
                _ => {}
            });
        }
        let with_locals = (site.briefings.iter().enumerate())
            .filter(|(_, b)| !b.local_speakers.is_empty() || !b.local_questions.is_empty())
            .map(|(i, b)| (b.slug.clone(), i))
            .collect();
        CrossIndex {
            speakers,
            questions,
            with_locals,
        }
    }

    /// How many mentions a speaker has: about how large their page is.
    pub fn speaker_weight(&self, id: &str) -> usize {
        self.speakers.get(id).map_or(0, Vec::len)
    }

    /// How many mentions a question has.
    pub fn question_weight(&self, id: &str) -> usize {
        self.questions.get(id).map_or(0, Vec::len)
    }

    fn mentions_of_speaker(&self, id: &str) -> &[(u32, Mention)] {
        self.speakers.get(id).map_or(&[], Vec::as_slice)
    }

    fn mentions_of_question(&self, id: &str) -> &[(u32, Mention)] {
        self.questions.get(id).map_or(&[], Vec::as_slice)
    }

    /// The briefing a local speaker or question is defined in.
    fn local_link(
        &self,
        site: &Site,
        local_to: &Option<String>,
        urls: &Urls,
    ) -> Option<BriefingLink> {
        let i = *self.with_locals.get(local_to.as_ref()?)?;
        Some(briefing_link(&site.briefings[i], urls))
    }

    /// Speaker `s`'s page, from their parts of `views`, oldest briefing first.
    pub fn speaker_page<'v>(
        &self,
        s: &Speaker,
        views: &[&'v BriefingView],
        site: &Site,
        urls: &Urls,
    ) -> SpeakerPageView<'v> {
        let mut page = SpeakerPageView {
            speaker: speaker_link(s, urls),
            homepage: s.url.clone().filter(|u| !is_dangerous_url(u, false)),
            same_as: (s.same_as.iter())
                .filter(|u| !is_dangerous_url(u, false))
                .cloned()
                .collect(),
            local_to: self.local_link(site, &s.origin.local_to, urls),
            quotes: Vec::new(),
            relayed: Vec::new(),
            highlights: Vec::new(),
            positions: Vec::new(),
            briefings: Vec::new(),
        };
        for (i, mentions) in by_briefing(self.mentions_of_speaker(&s.id)) {
            let part = SpeakerPart::of(views[i], mentions.iter().map(|&(_, m)| m));
            page.briefings.push(part.briefing.clone());
            page.quotes.extend(part.quotes);
            page.relayed.extend(part.relayed);
            page.highlights.extend(part.highlights);
            page.positions.extend(part.positions);
        }
        page
    }

    /// Question `q`'s page, from its parts of `views`: the debate briefing by briefing,
    /// oldest first, and each speaker's stances over time.
    pub fn question_page<'v>(
        &self,
        q: &Question,
        views: &[&'v BriefingView],
        site: &Site,
        urls: &Urls,
    ) -> QuestionPageView<'v> {
        let mut timeline = Vec::new();
        let mut histories: Vec<StanceHistory> = Vec::new();
        // Each speaker's place in `histories`: a question can have hundreds of speakers.
        let mut slot_of: HashMap<&'v str, usize> = HashMap::new();
        for (i, mentions) in by_briefing(self.mentions_of_question(&q.id)) {
            let part = QuestionPart::of(views[i], mentions.iter().map(|&(_, m)| m));
            let link = part.briefing.clone();
            let mut positions = Vec::with_capacity(part.positions.len());
            for p in part.positions {
                let at = *slot_of.entry(p.speaker.id.as_str()).or_insert_with(|| {
                    histories.push(StanceHistory {
                        speaker: p.speaker.clone(),
                        stances: Vec::new(),
                        moved: false,
                    });
                    histories.len() - 1
                });
                let history = &mut histories[at];
                // The editor's word (`shift:`) first; otherwise a new wording is a move.
                let has_previous = !history.stances.is_empty();
                let changed = has_previous
                    && match p.shift {
                        Some(Shift::Moved) => true,
                        Some(Shift::Held) => false,
                        None => history
                            .stances
                            .last()
                            .is_some_and(|prev| prev.stance != p.stance),
                    };
                history.moved |= changed;
                history.stances.push(StanceAt {
                    briefing: link.clone(),
                    stance: &p.stance,
                    changed,
                });
                // The first stance of this wording in this briefing decides the label.
                // (Only this briefing's stances, at the end, can match.)
                let first = history
                    .stances
                    .iter()
                    .enumerate()
                    .rev()
                    .take_while(|(_, s)| s.briefing.slug == link.slug)
                    .filter(|(_, s)| s.stance == p.stance)
                    .last()
                    .map_or(history.stances.len() - 1, |(i, _)| i);
                positions.push(TimelinePosition {
                    speaker: &p.speaker,
                    stance: &p.stance,
                    quotes: &p.quotes,
                    shift: p.shift,
                    slot: at % crate::article::SPEAKER_SLOTS + 1,
                    change: match (history.stances[first].changed, first) {
                        (true, _) => "moved",
                        (false, 0) => "new",
                        (false, _) => "held",
                    },
                });
            }
            timeline.push(TimelineEntry {
                briefing: link,
                positions,
                quotes: part.quotes,
                highlights: part.highlights,
            });
        }
        QuestionPageView {
            question: question_link(q, urls),
            resolution: q.resolution.clone(),
            local_to: self.local_link(site, &q.origin.local_to, urls),
            timeline,
            speakers: histories,
        }
    }
}

/// Adds a mention to `id`'s list; the id is copied only the first time it is seen (this runs
/// for every mention in every briefing).
fn push(map: &mut BTreeMap<String, Mentions>, id: &str, i: usize, m: Mention) {
    let at = (i as u32, m);
    match map.get_mut(id) {
        Some(list) => list.push(at),
        None => {
            map.insert(id.to_owned(), vec![at]);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionOnQuestion<'a> {
    pub briefing: Shared<BriefingLink>,
    pub question: Shared<QuestionLink>,
    pub stance: &'a str,
    pub quotes: &'a [QuoteRef],
}

/// The speaker page: who they are and everything they said or relayed, oldest first. It
/// borrows the briefings' views: a speaker's page can show thousands of quotes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeakerPageView<'a> {
    #[serde(flatten)]
    pub speaker: SpeakerLink,
    /// Their own page elsewhere (from `url:`), if safe to link.
    pub homepage: Option<String>,
    pub same_as: Vec<String>,
    /// Set when the speaker is defined locally by one briefing.
    pub local_to: Option<BriefingLink>,
    pub quotes: Vec<&'a QuoteView>,
    /// Quotes by others that this speaker relayed (`via`).
    pub relayed: Vec<&'a QuoteView>,
    pub highlights: Vec<&'a HighlightView>,
    pub positions: Vec<PositionOnQuestion<'a>>,
    pub briefings: Vec<Shared<BriefingLink>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry<'a> {
    pub briefing: Shared<BriefingLink>,
    pub positions: Vec<TimelinePosition<'a>>,
    pub quotes: Vec<&'a QuoteView>,
    pub highlights: Vec<&'a HighlightView>,
}

/// A position in the question's timeline, with what the page shows of its speaker's history
/// (worked out here once, not searched for by the template for every position).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelinePosition<'a> {
    // The fields of the position (`PositionView`), but for its slot on the briefing page.
    pub speaker: &'a Shared<SpeakerLink>,
    pub stance: &'a str,
    pub quotes: &'a [QuoteRef],
    pub shift: Option<Shift>,
    /// The speaker's colour slot, 1 to 8, by order of first position on the question.
    pub slot: usize,
    /// `"moved"`, `"held"` (the same stance again) or `"new"` (the speaker's first stance).
    pub change: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceAt<'a> {
    pub briefing: Shared<BriefingLink>,
    pub stance: &'a str,
    /// True when the stance differs from this speaker's previous one on the question.
    pub changed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceHistory<'a> {
    pub speaker: Shared<SpeakerLink>,
    pub stances: Vec<StanceAt<'a>>,
    /// True when the speaker's stance changed at least once.
    pub moved: bool,
}

/// The question page: the debate briefing by briefing, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionPageView<'a> {
    #[serde(flatten)]
    pub question: QuestionLink,
    pub resolution: Option<String>,
    pub local_to: Option<BriefingLink>,
    pub timeline: Vec<TimelineEntry<'a>>,
    /// Each speaker's stances over time, speakers in order of first position.
    pub speakers: Vec<StanceHistory<'a>>,
}

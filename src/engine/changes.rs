//! Which pages beyond its own a changed briefing makes again: a speaker's or question's page
//! when that page's part of the briefing differs before and after the change, the lists when
//! the briefing's list entry does. Parts and entries are what those pages are built from
//! (`render::cross`, `render::lists`), so the comparison is exactly what the pages read;
//! nothing here knows which fields a template shows.

use std::collections::{BTreeSet, HashSet};

use super::pages::Maker;
use super::unit::Made;
use crate::model::{Question, Site, Speaker};
use crate::render::cross::{
    ById, Mention, QuestionPart, SpeakerPart, ViewMentions, mentions_by_id,
};
use crate::render::view::BriefingView;

/// The pages that depend on the changed briefings.
#[derive(Debug, Default)]
pub struct Dependents {
    pub speakers: BTreeSet<String>,
    pub questions: BTreeSet<String>,
    /// Whether the pages that list the whole site depend on them.
    pub lists: bool,
}

impl Dependents {
    /// Every page of the site.
    pub fn everything(site: &Site) -> Self {
        Dependents {
            speakers: site.speakers.keys().cloned().collect(),
            questions: site.questions.keys().cloned().collect(),
            lists: true,
        }
    }

    /// The pages that show something of these briefings that differs between what their
    /// pages were made from (`None`: it was not there) and what they are made from now
    /// (`None`: it is gone).
    pub fn of(changes: &[(Option<&Made>, Option<&Made>)]) -> Self {
        let mut out = Dependents::default();
        for &(old, new) in changes {
            out.lists |= old.map(Made::list_entry) != new.map(Made::list_entry);
            let (old_view, new_view) = (old.map(|m| &*m.view), new.map(|m| &*m.view));
            out.speakers
                .extend(changed(old_view, new_view, |(s, _)| s, SpeakerPart::of));
            out.questions
                .extend(changed(old_view, new_view, |(_, q)| q, QuestionPart::of));
            // A local definition shows on its own page and in the lists.
            if locals(old) != locals(new) {
                out.lists = true;
                for m in old.into_iter().chain(new) {
                    out.speakers
                        .extend(m.briefing.local_speakers.iter().map(|s| s.id.clone()));
                    out.questions
                        .extend(m.briefing.local_questions.iter().map(|q| q.id.clone()));
                }
            }
        }
        out
    }

    /// Who makes these pages.
    pub fn makers(&self) -> HashSet<Maker> {
        let speakers = self.speakers.iter().map(|s| Maker::Speaker(s.clone()));
        let questions = self.questions.iter().map(|q| Maker::Question(q.clone()));
        let lists = self.lists.then_some(Maker::Lists);
        speakers.chain(questions).chain(lists).collect()
    }
}

/// A briefing's local speakers and questions.
fn locals(m: Option<&Made>) -> Option<(&[Speaker], &[Question])> {
    m.map(|m| {
        (
            &m.briefing.local_speakers[..],
            &m.briefing.local_questions[..],
        )
    })
}

/// The ids (speakers or questions, as `pick` chooses) whose part of a briefing differs
/// between its `old` and `new` view, a part being made by `part` from the id's mentions.
fn changed<'v, P: PartialEq>(
    old: Option<&'v BriefingView>,
    new: Option<&'v BriefingView>,
    pick: for<'m> fn(&'m ViewMentions<'v>) -> &'m ById<'v>,
    part: fn(&'v BriefingView, Vec<Mention>) -> P,
) -> Vec<String> {
    let old_m = old.map(mentions_by_id);
    let new_m = new.map(mentions_by_id);
    let ids: BTreeSet<&str> = (old_m.iter().chain(&new_m))
        .flat_map(|m| pick(m).keys().copied())
        .collect();
    let part_of = |v: Option<&'v BriefingView>, m: &Option<_>, id: &str| {
        let mentions = m.as_ref().and_then(|m| pick(m).get(id).cloned())?;
        Some(part(v?, mentions))
    };
    ids.into_iter()
        .filter(|id| part_of(old, &old_m, id) != part_of(new, &new_m, id))
        .map(str::to_string)
        .collect()
}

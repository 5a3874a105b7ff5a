//! Resolving: from parsed input to the validated model.
//!
//! Every id is checked against `[a-z0-9-]+`, duplicates name both places, every reference to a
//! speaker, question or quote must resolve (with a did-you-mean when it does not), and unused
//! definitions and fragile selectors are warned about. Nothing here reads the disk or looks at
//! the article text; anchoring is a later stage.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_saphyr::Spanned;

use crate::config::Config;
use crate::date::Date;
use crate::diag::{Diagnostic, Diagnostics, HintBudget, Pos, clip};
use crate::input::{self, Id};
use crate::load::{RawBriefing, RegistryFiles};
use crate::model::{
    Annotation, AnnotationKind, Briefing, Origin, Position, Question, Selector, Site, SourceRef,
    Speaker,
};
use crate::yaml::{self, did_you_mean};

pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn suggest_id(id: &str) -> String {
    crate::slug::slugify(id)
}

/// A required field, or a `missing-field` error at `at` (the item that lacks it).
fn required<'a, T>(
    field: &'a Option<Spanned<T>>,
    name: &str,
    what: &str,
    example: &str,
    (file, at): (&Path, Pos),
    diags: &mut Diagnostics,
) -> Option<&'a Spanned<T>> {
    if field.is_none() {
        diags.push(
            Diagnostic::error("missing-field", format!("{what} has no `{name}`"))
                .at(file, Some(at))
                .help(format!("add the required field, e.g. `{name}: {example}`")),
        );
    }
    field.as_ref()
}

fn id_pos(id: &Id) -> Pos {
    yaml::spanned_pos(id, 0)
}

fn check_id(id: &Id, what: &str, file: &Path, diags: &mut Diagnostics) -> bool {
    if is_valid_id(&id.value) {
        return true;
    }
    let suggestion = clip(&suggest_id(&id.value), 60).into_owned();
    let help = if suggestion.is_empty() {
        "ids use only lower-case letters a-z, digits and `-`".to_string()
    } else {
        format!("ids use only lower-case letters a-z, digits and `-`; for example `{suggestion}`")
    };
    diags.push(
        Diagnostic::error(
            "invalid-id",
            format!("the {what} id `{}` is not valid", clip(&id.value, 60)),
        )
        .at(file, Some(id_pos(id)))
        .help(help),
    );
    false
}

/// The site-wide speakers and questions, validated.
#[derive(Debug, Clone, Default)]
pub struct Registries {
    pub speakers: BTreeMap<String, Speaker>,
    pub questions: BTreeMap<String, Question>,
    /// Speakers and questions that are defined but not in the maps, for their own errors.
    pub broken_speakers: Broken,
    pub broken_questions: Broken,
}

/// Ids that are defined, but whose definitions were dropped for errors of their own (already
/// reported): what refers to them is not reported again, and is left out of the model with
/// them. `all` when the whole file could not be read: then any id may be one of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Broken {
    pub ids: BTreeSet<String>,
    pub all: bool,
}

impl Broken {
    fn covers(&self, id: &str) -> bool {
        self.all || self.ids.contains(id)
    }
}

pub fn resolve_registries(files: &RegistryFiles) -> (Registries, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut reg = Registries::default();
    if let Some(file) = &files.speakers {
        reg.broken_speakers = broken_of(file);
        for (id, s) in file.entries.iter().flat_map(|e| &e.0) {
            let known = Known(&reg.speakers, &EMPTY_SPEAKERS);
            match speaker_from(id, s, &file.path, None, known, &mut diags) {
                Some(sp) => {
                    reg.speakers.insert(sp.id.clone(), sp);
                }
                None => note_broken(id, known, &mut reg.broken_speakers),
            }
        }
    }
    if let Some(file) = &files.questions {
        reg.broken_questions = broken_of(file);
        for (id, q) in file.entries.iter().flat_map(|e| &e.0) {
            let known = Known(&reg.questions, &EMPTY_QUESTIONS);
            match question_from(id, q, &file.path, None, known, &mut diags) {
                Some(qu) => {
                    reg.questions.insert(qu.id.clone(), qu);
                }
                None => note_broken(id, known, &mut reg.broken_questions),
            }
        }
    }
    (reg, diags)
}

/// What a registry file's own read lost: the entries that could not be read, or everything.
fn broken_of<T>(file: &crate::load::Registry<T>) -> Broken {
    Broken {
        ids: file.broken.iter().cloned().collect(),
        all: file.entries.is_none(),
    }
}

/// A definition was dropped: unless the id was already defined (a duplicate, whose first
/// definition stands), it is now a broken one.
fn note_broken<T>(id: &Id, known: Known<T>, broken: &mut Broken) {
    if known.get(&id.value).is_none() {
        broken.ids.insert(id.value.clone());
    }
}

/// Resolves one parsed briefing against the site-wide registries. Drafts resolve to nothing
/// unless `include_drafts`; so does a briefing with errors (they are in `diags`).
pub fn resolve_one(
    raw: RawBriefing,
    reg: &Registries,
    include_drafts: bool,
    diags: &mut Diagnostics,
) -> Option<Arc<Briefing>> {
    if raw.front.draft && !include_drafts {
        return None;
    }
    resolve_briefing(raw, reg, diags).map(Arc::new)
}

/// Puts the site together from its resolved briefings: orders them, checks what needs the
/// whole site (duplicate slugs; unused definitions, when `all_resolved`), and merges local
/// speakers and questions into the shared maps.
pub fn assemble<'a>(
    root: &Path,
    config: Config,
    reg: &Registries,
    units: impl Iterator<Item = &'a Option<Arc<Briefing>>>,
    static_files: Vec<PathBuf>,
    all_resolved: bool,
) -> (Site, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut briefings: Vec<Arc<Briefing>> = units.flatten().cloned().collect();
    briefings.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
    check_duplicate_slugs(&briefings, &mut diags);
    let locals_sp = briefings.iter().flat_map(|b| &b.local_speakers);
    let locals_q = briefings.iter().flat_map(|b| &b.local_questions);
    // A briefing that failed to resolve is missing here, and with it the uses it makes:
    // warning about "unused" definitions then would only mislead.
    if all_resolved {
        check_usage(
            &briefings,
            reg.speakers
                .values()
                .chain(locals_sp)
                .map(|s| (s.id.clone(), s.origin.clone())),
            reg.questions
                .values()
                .chain(locals_q)
                .map(|q| (q.id.clone(), q.origin.clone())),
            &mut diags,
        );
    }

    // Locals join the shared maps oldest briefing first, so the oldest definition names the
    // speaker's (or question's) page; each briefing's own page still uses its own.
    let mut speakers = reg.speakers.clone();
    let mut questions = reg.questions.clone();
    for b in briefings.iter().rev() {
        for sp in &b.local_speakers {
            match speakers.get(&sp.id) {
                Some(first) if !same_speaker(first, sp) => {
                    diags.push(local_conflict("speaker", &sp.id, &sp.origin, &first.origin))
                }
                Some(_) => {}
                None => {
                    speakers.insert(sp.id.clone(), sp.clone());
                }
            }
        }
        for q in &b.local_questions {
            match questions.get(&q.id) {
                Some(first) if !same_question(first, q) => {
                    diags.push(local_conflict("question", &q.id, &q.origin, &first.origin))
                }
                Some(_) => {}
                None => {
                    questions.insert(q.id.clone(), q.clone());
                }
            }
        }
    }

    (
        Site {
            root: root.to_path_buf(),
            config,
            speakers,
            questions,
            briefings,
            static_files,
        },
        diags,
    )
}

fn same_speaker(a: &Speaker, b: &Speaker) -> bool {
    (&a.name, &a.role, a.kind, &a.url, &a.same_as) == (&b.name, &b.role, b.kind, &b.url, &b.same_as)
}

fn same_question(a: &Question, b: &Question) -> bool {
    (&a.title, &a.prompt, a.status, &a.resolution) == (&b.title, &b.prompt, b.status, &b.resolution)
}

/// Two briefings define the same local id differently: they share one page, named after the
/// older definition.
fn local_conflict(what: &str, id: &str, here: &Origin, first: &Origin) -> Diagnostic {
    Diagnostic::warning(
        "local-conflict",
        format!("the local {what} `{id}` is also defined, differently, by another briefing"),
    )
    .at(&here.file, Some(here.pos))
    .note_at("the older definition, which names the shared page, is here", &first.file, Some(first.pos))
    .help(format!(
        "if both mean the same {what}, define it once in content/{what}s.yaml; otherwise give one of them another id"
    ))
}

/// A second definition of an id: a local one over a site-wide one (`redefined-*`), or two of
/// the same scope (`duplicate-id`); both places are named.
fn already_defined(
    what: &str,
    id: &Id,
    file: &Path,
    local_to: Option<&str>,
    prev: &Origin,
) -> Diagnostic {
    let (code, msg, help) = if local_to.is_some() && prev.local_to.is_none() {
        (
            if what == "speaker" {
                "redefined-speaker"
            } else {
                "redefined-question"
            },
            format!(
                "the local {what} `{}` redefines a site-wide {what}",
                id.value
            ),
            format!(
                "remove it here and use the site-wide one, or give the local {what} another id"
            ),
        )
    } else {
        (
            "duplicate-id",
            format!("the {what} `{}` is defined twice", id.value),
            "remove one of the two definitions or give one another id".to_string(),
        )
    };
    Diagnostic::error(code, msg)
        .at(file, Some(id_pos(id)))
        .note_at("first defined here", &prev.file, Some(prev.pos))
        .help(help)
}

fn speaker_from(
    id: &Id,
    s: &Spanned<input::SpeakerIn>,
    file: &Path,
    local_to: Option<&str>,
    known: Known<Speaker>,
    diags: &mut Diagnostics,
) -> Option<Speaker> {
    if !check_id(id, "speaker", file, diags) {
        return None;
    }
    if let Some(prev) = known.get(&id.value) {
        diags.push(already_defined("speaker", id, file, local_to, &prev.origin));
        return None;
    }
    let v = &s.value;
    let what = format!("the speaker `{}`", id.value);
    let at = (file, id_pos(id));
    let name = required(&v.name, "name", &what, "Anders Fogh Rasmussen", at, diags)?;
    if name.value.trim().is_empty() {
        diags.push(
            Diagnostic::error("missing-field", format!("{what} has an empty name"))
                .at(file, Some(yaml::spanned_pos(name, 0)))
                .help("give the speaker's name, e.g. `name: Anders Fogh Rasmussen`"),
        );
    }
    Some(Speaker {
        id: id.value.clone(),
        name: name.value.trim().to_string(),
        role: v.role.clone(),
        kind: v.kind,
        url: v.url.clone(),
        same_as: v.same_as.clone(),
        origin: Origin {
            file: file.to_path_buf(),
            pos: id_pos(id),
            local_to: local_to.map(str::to_string),
        },
    })
}

fn question_from(
    id: &Id,
    q: &Spanned<input::QuestionIn>,
    file: &Path,
    local_to: Option<&str>,
    known: Known<Question>,
    diags: &mut Diagnostics,
) -> Option<Question> {
    if !check_id(id, "question", file, diags) {
        return None;
    }
    if let Some(prev) = known.get(&id.value) {
        diags.push(already_defined(
            "question",
            id,
            file,
            local_to,
            &prev.origin,
        ));
        return None;
    }
    let v = &q.value;
    let what = format!("the question `{}`", id.value);
    let at = (file, id_pos(id));
    let example = "Security guarantees vs. membership";
    let title = required(&v.title, "title", &what, example, at, diags)?;
    if title.value.trim().is_empty() {
        diags.push(
            Diagnostic::error("missing-field", format!("{what} has an empty title"))
                .at(file, Some(yaml::spanned_pos(title, 0)))
                .help(
                    "give the question a title, e.g. `title: Security guarantees vs. membership`",
                ),
        );
    }
    Some(Question {
        id: id.value.clone(),
        title: title.value.trim().to_string(),
        prompt: v.prompt.clone(),
        status: v.status,
        resolution: v.resolution.clone(),
        origin: Origin {
            file: file.to_path_buf(),
            pos: id_pos(id),
            local_to: local_to.map(str::to_string),
        },
    })
}

/// The ids a briefing may refer to: the site-wide ones and its own.
/// Site-wide definitions and a briefing's own, looked up together without copying either.
struct Known<'a, T>(&'a BTreeMap<String, T>, &'a BTreeMap<String, T>);

// Not derived: the derive would ask `T: Copy`, and only the references are copied.
impl<T> Clone for Known<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Known<'_, T> {}

impl<'a, T> Known<'a, T> {
    fn get(&self, id: &str) -> Option<&'a T> {
        self.0.get(id).or_else(|| self.1.get(id))
    }

    fn len(&self) -> usize {
        self.0.len() + self.1.len()
    }

    fn ids(&self) -> Vec<&'a str> {
        self.0
            .keys()
            .chain(self.1.keys())
            .map(String::as_str)
            .collect()
    }
}

static EMPTY_SPEAKERS: BTreeMap<String, Speaker> = BTreeMap::new();
static EMPTY_QUESTIONS: BTreeMap<String, Question> = BTreeMap::new();

/// The ids a briefing may refer to: the site-wide ones and its own, and those of each that
/// were dropped for their own errors.
struct Scope<'a> {
    file: &'a Path,
    speakers: Known<'a, Speaker>,
    questions: Known<'a, Question>,
    broken_speakers: [&'a Broken; 2],
    broken_questions: [&'a Broken; 2],
    hints: HintBudget,
}

/// What a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ref {
    /// A definition in the model.
    Found,
    /// A definition dropped for its own error (reported there, so not again here). What
    /// refers to it leaves it out, or is left out itself where it cannot do without it.
    Broken,
    /// Nothing: reported.
    Unknown,
}

impl Scope<'_> {
    /// Looks a reference up; an unknown one is reported, one to a broken definition is not.
    fn check_ref(&self, id: &Id, kind: &str, diags: &mut Diagnostics) -> Ref {
        let (found, broken, code) = match kind {
            "speaker" => (
                self.speakers.get(&id.value).is_some(),
                self.broken_speakers,
                "unknown-speaker",
            ),
            _ => (
                self.questions.get(&id.value).is_some(),
                self.broken_questions,
                "unknown-question",
            ),
        };
        if found {
            return Ref::Found;
        }
        if broken.iter().any(|b| b.covers(&id.value)) {
            return Ref::Broken;
        }
        // A did-you-mean compares the id with every id the briefing may use.
        let count = match kind {
            "speaker" => self.speakers.len(),
            _ => self.questions.len(),
        };
        let pool = self
            .hints
            .allow(count.saturating_mul(32))
            .then(|| match kind {
                "speaker" => self.speakers.ids(),
                _ => self.questions.ids(),
            });
        diags.push(unknown_ref(code, kind, id, pool.as_deref(), self.file));
        Ref::Unknown
    }

    /// The references that name definitions, without those that name broken ones; `None`
    /// when one names nothing (it is reported).
    fn keep_found(&self, ids: &[Id], kind: &str, diags: &mut Diagnostics) -> Option<Vec<String>> {
        let mut kept = Vec::with_capacity(ids.len());
        let mut ok = true;
        for id in ids {
            match self.check_ref(id, kind, diags) {
                Ref::Found => kept.push(id.value.clone()),
                Ref::Broken => {}
                Ref::Unknown => ok = false,
            }
        }
        ok.then_some(kept)
    }

    fn found(&self, id: &Id, kind: &str, diags: &mut Diagnostics) -> bool {
        self.check_ref(id, kind, diags) == Ref::Found
    }
}

/// The error for an id that names nothing; `pool` is what it could have named, when there is
/// room left for a did-you-mean (see [`HintBudget`]).
fn unknown_ref(
    code: &'static str,
    kind: &str,
    id: &Id,
    pool: Option<&[&str]>,
    file: &Path,
) -> Diagnostic {
    let registry = match kind {
        "speaker" => "content/speakers.yaml or this file's `speakers:`",
        "question" => "content/questions.yaml or this file's `questions:`",
        _ => "this file's `quotes:`",
    };
    let pool = pool.unwrap_or_default();
    let help = match did_you_mean(&id.value, pool) {
        Some(s) => format!("did you mean `{s}`?"),
        None if pool.is_empty() => format!("define it in {registry}"),
        None => format!(
            "define it in {registry}, or use one of: {}",
            pool.iter().take(12).copied().collect::<Vec<_>>().join(", ")
        ),
    };
    Diagnostic::error(code, format!("unknown {kind} `{}`", clip(&id.value, 60)))
        .at(file, Some(id_pos(id)))
        .help(help)
}

fn resolve_briefing(
    raw: RawBriefing,
    reg: &Registries,
    diags: &mut Diagnostics,
) -> Option<Briefing> {
    let (site_speakers, site_questions) = (&reg.speakers, &reg.questions);
    let path = raw.path.clone();
    let fm = &raw.front;
    let off = raw.front_line_offset;

    let slug_pos = fm
        .slug
        .as_ref()
        .map_or(Pos::new(1, 1), |s| yaml::spanned_pos(s, off));
    let slug = match &fm.slug {
        Some(s) => {
            if !is_valid_id(&s.value) {
                diags.push(
                    Diagnostic::error(
                        "invalid-slug",
                        format!("the slug `{}` is not valid", clip(&s.value, 60)),
                    )
                    .at(&path, Some(yaml::spanned_pos(s, off)))
                    .help(format!(
                        "slugs use only lower-case letters a-z, digits and `-`; for example `{}`",
                        suggest_id(&s.value)
                    )),
                );
            }
            s.value.clone()
        }
        None => {
            if !is_valid_id(&raw.default_slug) {
                diags.push(
                    Diagnostic::error(
                        "invalid-slug",
                        format!("the file name gives the slug `{}`, which is not valid", raw.default_slug),
                    )
                    .at(&path, Some(Pos::new(1, 1)))
                    .help(format!(
                        "rename the file, or set `slug: {}` in the front matter (slugs use only a-z, 0-9 and `-`)",
                        suggest_id(&raw.default_slug)
                    )),
                );
            }
            raw.default_slug.clone()
        }
    };
    let front = (path.as_path(), Pos::new(1, 1));
    let title = required(
        &fm.title,
        "title",
        "the front matter",
        "The headline",
        front,
        diags,
    );
    if title.is_some_and(|t| t.value.trim().is_empty()) {
        diags.push(
            Diagnostic::error("missing-field", "the title is empty")
                .at(&path, title.map(|t| yaml::spanned_pos(t, off)))
                .help("give the briefing a title in the front matter"),
        );
    }
    let title = title.map_or(String::new(), |t| t.value.trim().to_string());
    let date = required(
        &fm.date,
        "date",
        "the front matter",
        "2023-06-08",
        front,
        diags,
    )
    .and_then(|date| match Date::parse(&date.value) {
        Ok(d) => Some(d),
        Err(why) => {
            diags.push(
                Diagnostic::error("invalid-date", format!("invalid date: {why}"))
                    .at(&path, Some(yaml::spanned_pos(date, off)))
                    .help(
                        "write the date as YYYY-MM-DD (a full RFC 3339 timestamp is also accepted)",
                    ),
            );
            None
        }
    });

    let mut own_speakers = Vec::new();
    let mut own_questions = Vec::new();
    let mut annotations = Vec::new();
    let mut positions = Vec::new();
    if let Some((file, ann)) = &raw.annotations {
        let mut local_sp: BTreeMap<String, Speaker> = BTreeMap::new();
        let mut broken_sp = Broken::default();
        for (id, s) in &ann.speakers.0 {
            let known = Known(site_speakers, &local_sp);
            match speaker_from(id, s, file, Some(&slug), known, diags) {
                Some(sp) => {
                    local_sp.insert(sp.id.clone(), sp.clone());
                    own_speakers.push(sp);
                }
                None => note_broken(id, known, &mut broken_sp),
            }
        }
        let mut local_q: BTreeMap<String, Question> = BTreeMap::new();
        let mut broken_q = Broken::default();
        for (id, q) in &ann.questions.0 {
            let known = Known(site_questions, &local_q);
            match question_from(id, q, file, Some(&slug), known, diags) {
                Some(qu) => {
                    local_q.insert(qu.id.clone(), qu.clone());
                    own_questions.push(qu);
                }
                None => note_broken(id, known, &mut broken_q),
            }
        }
        let scope = Scope {
            file,
            speakers: Known(site_speakers, &local_sp),
            questions: Known(site_questions, &local_q),
            broken_speakers: [&reg.broken_speakers, &broken_sp],
            broken_questions: [&reg.broken_questions, &broken_q],
            hints: HintBudget::default(),
        };
        let (resolved, dropped) = resolve_annotations(ann, &scope, diags);
        annotations = resolved;
        positions = resolve_positions(ann, &scope, &annotations, &dropped, diags);
    }

    // With other errors the briefing still goes on to anchoring, minus the broken
    // annotations, so that one run reports every problem; the errors stop the build anyway.
    let date = date?;
    let briefing = Briefing {
        local_speakers: own_speakers,
        local_questions: own_questions,
        slug,
        slug_pos,
        path: raw.path,
        annotations_path: raw.annotations.map(|(p, _)| p),
        title,
        date,
        summary: fm.summary.clone(),
        dateline: fm.dateline.clone(),
        author: fm.author.clone(),
        source: fm.source.as_ref().map(|s| SourceRef {
            name: s.name.clone(),
            url: s.url.as_ref().map(|u| u.value.clone()),
            url_pos: s.url.as_ref().map(|u| yaml::spanned_pos(u, off)),
        }),
        tags: fm.tags.clone(),
        draft: fm.draft,
        annotations,
        positions,
        assets: raw.assets,
        active_files: raw.active_files,
    };
    Some(briefing)
}

/// The fields quotes and highlights share, borrowed from either.
struct Common<'a> {
    item: Pos,
    id: Option<&'a Id>,
    text: &'a Option<Spanned<String>>,
    parts: &'a Option<Spanned<Vec<Spanned<String>>>>,
    questions: &'a [Id],
    note: &'a Option<Spanned<String>>,
    prefix: &'a Option<String>,
    suffix: &'a Option<String>,
    occurrence: &'a Option<Spanned<u32>>,
}

/// A briefing's quotes and highlights, and the ids of those left out for errors (theirs, or
/// those of what they need), which positions may then name without being reported again.
fn resolve_annotations(
    ann: &input::AnnotationsFile,
    scope: &Scope,
    diags: &mut Diagnostics,
) -> (Vec<Annotation>, BTreeSet<String>) {
    // Sized once: a large site keeps every briefing's list, and growing it by doubling
    // would leave a third of it empty.
    let mut out = Vec::with_capacity(ann.quotes.len() + ann.highlights.len());
    let mut dropped = BTreeSet::new();
    let mut keep = |a: Result<Annotation, String>| match a {
        Ok(a) => out.push(a),
        Err(id) => {
            dropped.insert(id);
        }
    };
    let mut seen: HashMap<String, Pos> = HashMap::new();
    for (n, q) in ann.quotes.iter().enumerate() {
        let v = &q.value;
        let common = Common {
            item: yaml::spanned_pos(q, 0),
            id: v.id.as_ref(),
            text: &v.text,
            parts: &v.parts,
            questions: &v.questions,
            note: &v.note,
            prefix: &v.prefix,
            suffix: &v.suffix,
            occurrence: &v.occurrence,
        };
        let item = (scope.file, yaml::spanned_pos(q, 0));
        let what = format!("quote {}", n + 1);
        let speaker = required(&v.speaker, "speaker", &what, "rasmussen", item, diags);
        // A quote cannot do without its speaker; a broken `via` speaker is left out of it.
        let has_speaker = speaker.is_some_and(|s| scope.found(s, "speaker", diags));
        let via = scope.keep_found(&v.via, "speaker", diags);
        let ok = has_speaker && via.is_some();
        let kind = AnnotationKind::Quote {
            speaker: speaker.map(|s| s.value.clone()).unwrap_or_default(),
            via: via.unwrap_or_default(),
            kind: v.kind,
        };
        keep(annotation_from(
            &common,
            format!("q{}", n + 1),
            (kind, ok),
            "quote",
            scope,
            &mut seen,
            diags,
        ));
    }
    for (n, h) in ann.highlights.iter().enumerate() {
        let v = &h.value;
        let common = Common {
            item: yaml::spanned_pos(h, 0),
            id: v.id.as_ref(),
            text: &v.text,
            parts: &v.parts,
            questions: &v.questions,
            note: &v.note,
            prefix: &v.prefix,
            suffix: &v.suffix,
            occurrence: &v.occurrence,
        };
        // A highlight's speaker is optional: a broken one is left out.
        let (speaker, ok) = match &v.speaker {
            None => (None, true),
            Some(s) => match scope.check_ref(s, "speaker", diags) {
                Ref::Found => (Some(s.value.clone()), true),
                Ref::Broken => (None, true),
                Ref::Unknown => (None, false),
            },
        };
        let kind = AnnotationKind::Highlight {
            kind: v.kind,
            speaker,
        };
        keep(annotation_from(
            &common,
            format!("h{}", n + 1),
            (kind, ok),
            "highlight",
            scope,
            &mut seen,
            diags,
        ));
    }
    (out, dropped)
}

/// One quote or highlight, given its `kind` and whether what the kind refers to was found;
/// `Err(id)` when it is left out (every error is reported).
fn annotation_from(
    c: &Common,
    default_id: String,
    (kind, refs_found): (AnnotationKind, bool),
    what: &str,
    scope: &Scope,
    seen: &mut HashMap<String, Pos>,
    diags: &mut Diagnostics,
) -> Result<Annotation, String> {
    let file = scope.file;
    let before = diags.len();
    let (id, id_at) = match c.id {
        Some(id) => {
            check_id(id, what, file, diags);
            (id.value.clone(), id_pos(id))
        }
        None => (default_id, c.item),
    };
    if let Some(first) = seen.get(&id) {
        diags.push(
            Diagnostic::error("duplicate-id", format!("two annotations have the id `{id}`"))
                .at(file, Some(id_at))
                .note_at("first used here", file, Some(*first))
                .help("ids must be unique in a briefing; rename one (quotes default to q1, q2, ..., highlights to h1, h2, ...)"),
        );
    } else {
        seen.insert(id.clone(), id_at);
    }
    let questions = scope
        .keep_found(c.questions, "question", diags)
        .unwrap_or_default();

    let (parts, text_pos) = match (c.text, c.parts) {
        (Some(t), None) => (
            vec![(t.value.clone(), yaml::spanned_pos(t, 0))],
            yaml::spanned_pos(t, 0),
        ),
        (None, Some(p)) => {
            let pos = yaml::spanned_pos(p, 0);
            if p.value.is_empty() {
                diags.push(
                    Diagnostic::error("empty-text", format!("the {what} `{id}` has an empty `parts` list"))
                        .at(file, Some(pos))
                        .help("list the pieces of the split quote, e.g. parts: [\"first half\", \"second half\"]"),
                );
            }
            (
                p.value
                    .iter()
                    .map(|s| (s.value.clone(), yaml::spanned_pos(s, 0)))
                    .collect(),
                pos,
            )
        }
        (Some(t), Some(_)) => {
            diags.push(
                Diagnostic::error("text-and-parts", format!("the {what} `{id}` has both `text` and `parts`"))
                    .at(file, Some(yaml::spanned_pos(t, 0)))
                    .help("keep `text` for a quote in one piece, or `parts` for a quote split by its attribution; not both"),
            );
            return Err(id);
        }
        (None, None) => {
            diags.push(
                Diagnostic::error("text-and-parts", format!("the {what} `{id}` has no `text`"))
                    .at(file, Some(c.item))
                    .help("add `text: \"the words as they appear in the article\"` (or `parts: [...]` for a split quote)"),
            );
            return Err(id);
        }
    };
    for (text, pos) in &parts {
        // Folding leaves nothing of a text exactly when it is all white space.
        if text.trim().is_empty() {
            diags.push(
                Diagnostic::error("empty-text", format!("the {what} `{id}` has an empty text"))
                    .at(file, Some(*pos))
                    .help("write the words of the article this annotation marks"),
            );
        }
    }
    if let Some(occ) = c.occurrence.as_ref().filter(|o| o.value == 0) {
        diags.push(
            Diagnostic::error("occurrence-out-of-range", "`occurrence` counts from 1")
                .at(file, Some(yaml::spanned_pos(occ, 0)))
                .help("write `occurrence: 1` for the first match, 2 for the second, ..."),
        );
    }
    let words = parts
        .first()
        .map_or(0, |(t, _)| t.split_whitespace().take(3).count());
    if words < 3 && parts.len() == 1 && c.prefix.is_none() && c.suffix.is_none() && words > 0 {
        diags.push(
            Diagnostic::warning(
                "fragile-quote",
                format!("the {what} `{id}` is shorter than three words and has no `prefix` or `suffix`"),
            )
            .at(file, Some(text_pos))
            .help("short texts easily match somewhere else after an edit; add `prefix:` or `suffix:` with the words around it"),
        );
    }
    if diags.has_errors_since(before) || !refs_found {
        return Err(id);
    }
    Ok(Annotation {
        id,
        kind,
        selector: Selector {
            parts: parts.into_iter().map(|(t, _)| t.into()).collect(),
            prefix: c.prefix.clone(),
            suffix: c.suffix.clone(),
            occurrence: c.occurrence.as_ref().map(|o| o.value),
        },
        questions,
        note: c.note.as_ref().map(|n| n.value.clone()),
        note_pos: c.note.as_ref().map(|n| yaml::spanned_pos(n, 0)),
        text_pos,
        occurrence_pos: c.occurrence.as_ref().map(|o| yaml::spanned_pos(o, 0)),
    })
}

/// A briefing's positions. A quote left out for an error (`dropped`) is left out of the
/// positions that list it, without another error.
fn resolve_positions(
    ann: &input::AnnotationsFile,
    scope: &Scope,
    annotations: &[Annotation],
    dropped: &BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Vec<Position> {
    let quote_ids: Vec<&str> = annotations
        .iter()
        .filter(|a| a.is_quote())
        .map(|a| a.id.as_str())
        .collect();
    let mut out = Vec::with_capacity(ann.positions.len());
    for p in &ann.positions {
        let v = &p.value;
        let item = (scope.file, yaml::spanned_pos(p, 0));
        let (Some(question), Some(speaker), Some(stance)) = (
            required(
                &v.question,
                "question",
                "the position",
                "guarantees-vs-membership",
                item,
                diags,
            ),
            required(
                &v.speaker,
                "speaker",
                "the position",
                "rasmussen",
                item,
                diags,
            ),
            required(
                &v.stance,
                "stance",
                "the position",
                "Guarantees cannot replace membership.",
                item,
                diags,
            ),
        ) else {
            continue;
        };
        let mut ok = scope.found(question, "question", diags);
        ok &= scope.found(speaker, "speaker", diags);
        if stance.value.trim().is_empty() {
            diags.push(
                Diagnostic::error("missing-field", "the position has an empty `stance`")
                    .at(scope.file, Some(yaml::spanned_pos(stance, 0)))
                    .help("say in one line where the speaker stands on the question"),
            );
            ok = false;
        }
        let mut quotes = Vec::with_capacity(v.quotes.len());
        for q in &v.quotes {
            if dropped.contains(&q.value) && annotations.iter().all(|a| a.id != q.value) {
                continue;
            }
            quotes.push(q.value.clone());
            match annotations.iter().find(|a| a.id == q.value) {
                Some(a) if a.is_quote() => {
                    if a.speaker() != Some(speaker.value.as_str()) {
                        diags.push(
                            Diagnostic::warning(
                                "position-speaker-mismatch",
                                format!(
                                    "the quote `{}` is by `{}`, not by `{}` whose position this is",
                                    q.value,
                                    a.speaker().unwrap_or("?"),
                                    speaker.value
                                ),
                            )
                            .at(scope.file, Some(id_pos(q)))
                            .help("link quotes by the position's own speaker, or check the speaker of the quote"),
                        );
                    }
                }
                _ => {
                    diags.push(unknown_ref(
                        "unknown-quote",
                        "quote",
                        q,
                        scope
                            .hints
                            .allow(quote_ids.len() * 32)
                            .then_some(&quote_ids[..]),
                        scope.file,
                    ));
                    ok = false;
                }
            }
        }
        if ok {
            out.push(Position {
                question: question.value.clone(),
                speaker: speaker.value.clone(),
                stance: stance.value.trim().to_string(),
                quotes,
                shift: v.shift,
            });
        }
    }
    out
}

fn check_duplicate_slugs(briefings: &[Arc<Briefing>], diags: &mut Diagnostics) {
    let mut by_slug: BTreeMap<&str, Vec<&Briefing>> = BTreeMap::new();
    for b in briefings {
        by_slug.entry(&b.slug).or_default().push(b);
    }
    for (slug, mut same) in by_slug {
        if same.len() < 2 {
            continue;
        }
        same.sort_by(|a, b| a.path.cmp(&b.path));
        let files: Vec<String> = same
            .iter()
            .map(|b| crate::diag::display_path(&b.path))
            .collect();
        let mut d = Diagnostic::error(
            "duplicate-slug",
            format!("{} briefings have the slug `{slug}`: {}", same.len(), files.join(" and ")),
        )
        .at(&same[1].path, Some(same[1].slug_pos))
        .help("every briefing needs its own slug: set `slug:` in one front matter, or rename one file");
        for other in same.iter().filter(|b| b.path != same[1].path) {
            d = d.note_at(
                "the same slug comes from here",
                &other.path,
                Some(other.slug_pos),
            );
        }
        diags.push(d);
    }
}

/// The speaker and question ids a briefing refers to.
pub fn uses(b: &Briefing) -> (BTreeSet<&str>, BTreeSet<&str>) {
    let mut speakers = BTreeSet::new();
    let mut questions = BTreeSet::new();
    for a in &b.annotations {
        speakers.extend(a.speaker());
        speakers.extend(via_of(a));
        questions.extend(a.questions.iter().map(String::as_str));
    }
    for p in &b.positions {
        speakers.insert(p.speaker.as_str());
        questions.insert(p.question.as_str());
    }
    (speakers, questions)
}

/// Warns about speakers and questions, site-wide or local, that nothing refers to. A local
/// definition counts as used only by its own briefing.
fn check_usage(
    briefings: &[Arc<Briefing>],
    speakers: impl Iterator<Item = (String, Origin)>,
    questions: impl Iterator<Item = (String, Origin)>,
    diags: &mut Diagnostics,
) {
    // What the whole site refers to, for site-wide definitions; a local definition looks at
    // its own briefing only. One pass over the briefings, not one per definition.
    let mut site_wide: (BTreeSet<&str>, BTreeSet<&str>) = Default::default();
    for b in briefings {
        let (s, q) = uses(b);
        site_wide.0.extend(s);
        site_wide.1.extend(q);
    }
    // What each briefing with local definitions refers to, worked out once for all of them.
    let local_uses: HashMap<&str, (BTreeSet<&str>, BTreeSet<&str>)> = briefings
        .iter()
        .filter(|b| !b.local_speakers.is_empty() || !b.local_questions.is_empty())
        .map(|b| (b.slug.as_str(), uses(b)))
        .collect();
    let used = |id: &str, origin: &Origin, questions: bool| {
        let has = |u: &(BTreeSet<&str>, BTreeSet<&str>)| match questions {
            true => u.1.contains(id),
            false => u.0.contains(id),
        };
        match &origin.local_to {
            // A briefing that failed to resolve is not here; its errors say enough.
            Some(slug) => local_uses.get(slug.as_str()).is_none_or(has),
            None => has(&site_wide),
        }
    };
    for (id, origin) in speakers {
        if !used(&id, &origin, false) {
            diags.push(unused("unused-speaker", "speaker", &id, &origin));
        }
    }
    for (id, origin) in questions {
        if !used(&id, &origin, true) {
            diags.push(unused("unused-question", "question", &id, &origin));
        }
    }
}

fn via_of(a: &Annotation) -> impl Iterator<Item = &str> {
    match &a.kind {
        AnnotationKind::Quote { via, .. } => via.as_slice(),
        AnnotationKind::Highlight { .. } => &[],
    }
    .iter()
    .map(String::as_str)
}

fn unused(code: &'static str, what: &str, id: &str, origin: &Origin) -> Diagnostic {
    Diagnostic::warning(code, format!("the {what} `{id}` is defined but never used"))
        .at(&origin.file, Some(origin.pos))
        .help("refer to it from a quote, highlight or position, or remove it")
}

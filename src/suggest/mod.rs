//! `brief suggest`: drafts an article's annotations, its direct quotes with their speakers, and
//! `brief check --coverage`: warns about direct quotes that no annotation covers.
//!
//! The pipeline, per article: `reader` (the reader text by paragraph), `quotes` (quotation
//! spans), `words` and `names` (tokens and mentions around them), `attribution` (who speaks,
//! who relayed it), `speakers` (ids), `selector` (what makes each text anchor exactly once),
//! then [`draft`] puts it together and `yaml_out` writes it. Hand-written rules only: no
//! model, no network. Every stage takes time in proportion to the article.
//!
//! This module reads and writes files for the command, but must not print: it returns a
//! [`crate::Report`] (diagnostics with file, line, column and `help:`) and the text to print,
//! and `cli` shows them.

mod attribution;
mod coverage;
mod lexicon;
mod names;
mod quotes;
mod reader;
mod selector;
mod speakers;
mod words;
mod yaml_out;

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use coverage::add_coverage;
pub use speakers::Proposal;
pub use yaml_out::render as render_draft;

use attribution::{Attribution, How};
use quotes::{Ending, Kind, Quotation};
use reader::Reader;
use speakers::Choice;

use crate::diag::{Diagnostic, Pos};
use crate::load::ArticleFiles;
use crate::model::{Briefing, Speaker};
use crate::{BuildOptions, Report};

/// One suggested quote, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftQuote {
    pub id: String,
    /// The quoted words as the article has them (white space collapsed); several for a quote
    /// split by its attribution or running over paragraphs.
    pub parts: Vec<String>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub occurrence: Option<u32>,
    pub speaker: String,
    pub via: Vec<String>,
    /// What is uncertain, written as `# check:` comments.
    pub notes: Vec<String>,
    /// Where the quote anchors in the folded reader text.
    pub folded: Vec<Range<usize>>,
}

/// A draft annotations file.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub quotes: Vec<DraftQuote>,
    /// New speakers, for the file's `speakers:` block.
    pub speakers: Vec<Proposal>,
    /// Quoted words not taken as quotes (titles, terms, scare quotes), described for a comment.
    pub set_aside: Vec<String>,
}

/// What the draft may not reuse: ids of known speakers and of existing annotations.
#[derive(Debug, Clone, Default)]
pub struct Taken {
    pub speaker_ids: BTreeSet<String>,
    pub annotation_ids: BTreeSet<String>,
}

/// An article's quotations and who says them, before any id is chosen.
pub struct Analysis {
    pub reader: Reader,
    quotations: Vec<Quotation>,
    entities: Vec<attribution::Entity>,
    attributions: Vec<Option<Attribution>>,
}

impl Analysis {
    /// Finds the quotes of an article body and their speakers.
    pub fn new(body: &str, allow_raw_html: bool) -> Analysis {
        let reader = Reader::new(body, allow_raw_html);
        let quotations = quotes::find(&reader);
        let paras = words::tokenize(&reader, &quotations);
        let (entities, attributions) = attribution::attribute(&paras, &quotations);
        Analysis {
            reader,
            quotations,
            entities,
            attributions,
        }
    }

    /// The folded ranges of every direct quote found (not titles, terms or scare quotes), with
    /// the raw offset where each starts.
    pub fn quote_ranges(&self) -> Vec<(usize, Vec<Range<usize>>)> {
        self.quotations
            .iter()
            .zip(&self.attributions)
            .filter(|(_, a)| a.is_some())
            .map(|(q, _)| {
                let ranges = q
                    .segments
                    .iter()
                    .map(|s| self.reader.folded_range(s.inner.clone()))
                    .collect();
                (q.first().inner.start, ranges)
            })
            .collect()
    }
}

/// Drafts the annotations of an article body. `known` are the speakers names are matched to
/// (site-wide, and the existing file's own); `taken` the ids a new one may not use.
pub fn draft(body: &str, allow_raw_html: bool, known: &[Speaker], taken: &Taken) -> Draft {
    let analysis = Analysis::new(body, allow_raw_html);
    let Analysis {
        reader,
        quotations,
        entities,
        attributions,
    } = &analysis;
    let wanted: Vec<usize> = attributions
        .iter()
        .flatten()
        .flat_map(|a| std::iter::once(a.speaker).chain(a.via.iter().copied()))
        .collect();
    let mut speaker_ids = taken.speaker_ids.clone();
    speaker_ids.extend(known.iter().map(|s| s.id.clone()));
    let (choices, proposals) = speakers::choose(entities, &wanted, known, &speaker_ids);

    let mut out = Draft {
        speakers: proposals,
        ..Draft::default()
    };
    let mut ids = speakers::Ids::new(taken.annotation_ids.clone());
    let folded: Vec<Vec<Range<usize>>> = quotations
        .iter()
        .map(|q| {
            q.segments
                .iter()
                .map(|s| reader.folded_range(s.inner.clone()))
                .collect()
        })
        .collect();
    let doc = &reader.folded.text;
    let contexts = selector::contexts(doc, &folded);
    let mut surname_noted: BTreeSet<usize> = BTreeSet::new();
    for (((q, a), folded), context) in quotations
        .iter()
        .zip(attributions)
        .zip(folded)
        .zip(contexts)
    {
        let Some(a) = a else {
            out.set_aside.push(describe_set_aside(reader, q));
            continue;
        };
        let Some(choice) = &choices[a.speaker] else {
            continue;
        };
        // A match by surname is worth checking once, at the speaker's first quote.
        let first_time = surname_noted.insert(a.speaker);
        let mut notes = speaker_notes(a, choice, &entities[a.speaker], first_time);
        notes.extend(quote_notes(q));
        let parts: Vec<String> = q
            .segments
            .iter()
            .map(|s| collapse_white_space(&reader.text[s.inner.clone()]))
            .collect();
        let Some(context) = context else {
            out.set_aside.push(format!(
                "{} could not be anchored exactly once",
                short(&parts[0])
            ));
            continue;
        };
        let id = ids.fresh(&quote_id(&parts[0]));
        let via = a
            .via
            .iter()
            .filter_map(|&v| choices[v].as_ref())
            .map(|c| c.id().to_string())
            .filter(|id| id != choice.id())
            .fold(Vec::new(), |mut list, id| {
                if !list.contains(&id) {
                    list.push(id);
                }
                list
            });
        out.quotes.push(DraftQuote {
            id,
            parts,
            prefix: context.prefix,
            suffix: context.suffix,
            occurrence: context.occurrence,
            speaker: choice.id().to_string(),
            via,
            notes,
            folded,
        });
    }
    // Only speakers that a written quote uses are proposed.
    let used: BTreeSet<&str> = out
        .quotes
        .iter()
        .flat_map(|q| std::iter::once(q.speaker.as_str()).chain(q.via.iter().map(String::as_str)))
        .collect();
    out.speakers.retain(|p| used.contains(p.id.as_str()));
    out
}

fn collapse_white_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first words of a text, for messages.
fn short(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() > 8 {
        format!("\"{} ...\"", words[..8].join(" "))
    } else {
        format!("\"{}\"", words.join(" "))
    }
}

fn describe_set_aside(reader: &Reader, q: &Quotation) -> String {
    let text = short(&reader.text[q.first().inner.clone()]);
    match q.kind {
        Kind::Title => format!("{text} looks like a title"),
        Kind::Term => format!("{text} looks like a term or a name"),
        Kind::Fragment => {
            format!("{text}: a few words nobody is said to have said (a scare quote?)")
        }
        Kind::Speech => format!("{text}: nobody found to attribute it to"),
    }
}

/// An id from the quote's first words: stable, readable links (`#we-remain-fully-committed`).
fn quote_id(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().take(4).collect();
    let mut id = speakers::slug(&words.join(" "));
    if id.len() > 32 {
        id.truncate(32);
        id = id.trim_end_matches('-').to_string();
    }
    // `slug` says "speaker" when the words hold no letter or digit at all.
    if id == "speaker" || id.is_empty() {
        "quote".to_string()
    } else {
        id
    }
}

fn speaker_notes(
    a: &Attribution,
    choice: &Choice,
    e: &attribution::Entity,
    first_time: bool,
) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(t) = &a.through {
        notes.push(format!("speaker from \"{t}\", taken to be {}", e.name));
    }
    let how = match a.how {
        How::After | How::Between | How::Before => None,
        How::LaterInSentence => Some("the attribution comes later in the sentence"),
        How::SentenceBefore => {
            Some("no attribution in the sentence; the person the sentence before is about")
        }
        How::QuoteBefore => Some("no attribution in the sentence; the speaker of the quote before"),
        How::SentenceAfter => Some("no attribution before it; the person named right after"),
        How::Guess => Some("no attribution found; the person named last"),
    };
    notes.extend(how.map(str::to_string));
    if let (Choice::BySurname(id), true) = (choice, first_time) {
        notes.push(format!(
            "\"{}\" matched to the speaker `{id}` by surname",
            e.name
        ));
    }
    notes
}

fn quote_notes(q: &Quotation) -> Vec<String> {
    let mut notes = Vec::new();
    match q.ending {
        Ending::Closed => {}
        Ending::ParagraphEnd => {
            notes.push("no closing quotation mark; taken to end with its paragraph".to_string())
        }
        Ending::LoneMark => {
            notes.push("the closing quotation mark stands alone in the next paragraph".to_string())
        }
    }
    if q.kind == Kind::Fragment {
        notes.push("a few words only: a partial quote, or a scare quote?".to_string());
    }
    notes
}

// ---------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------

/// What `brief suggest` does with the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Print it.
    Print,
    /// Write the annotations file beside the article; replace an existing one only if `force`.
    Write { force: bool },
    /// Add the quotes an existing annotations file lacks (or write a new one).
    Merge,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// The article, as given on the command line.
    pub article: PathBuf,
    pub mode: Mode,
}

/// What the command did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub report: Report,
    /// The draft, to print (`Mode::Print`).
    pub yaml: Option<String>,
    /// The file written, relative to the site root, and how many quotes it gained.
    pub written: Option<(PathBuf, usize)>,
}

impl Outcome {
    fn fail(mut self, d: Diagnostic) -> Outcome {
        self.report.diagnostics.push(d);
        self
    }
}

/// Runs `brief suggest`.
pub fn run(opts: &Options) -> Outcome {
    let mut out = Outcome::default();
    let build = BuildOptions {
        root: opts.root.clone(),
        drafts: true,
        ..BuildOptions::default()
    };
    let mut scratch = crate::diag::Diagnostics::default();
    // Only a broken brief.yaml stops us; template or registry problems are `check`'s to report.
    let Some(shared) = crate::engine::Inputs::load(&build, &mut scratch) else {
        out.report.add(scratch);
        return out;
    };
    let rel = match article_path(&opts.root, &opts.article) {
        Ok(rel) => rel,
        Err(d) => return out.fail(d),
    };
    let files = ArticleFiles {
        article: rel.clone(),
        annotations: None,
        assets: Vec::new(),
    };
    let unit = crate::engine::Unit::load(&opts.root, &files, &shared.registries, true);
    let Some(text) = unit.text.clone().filter(|_| unit.briefing.is_some()) else {
        out.report.diagnostics.extend(unit.diags.iter().cloned());
        out.report.keep_sources(unit.sources.iter());
        return out;
    };
    let allow_html = shared.config.allow_raw_html;
    let ann_rel = rel.with_extension("yaml");
    let ann_exists = opts.root.join(&ann_rel).is_file();
    let site_speakers: Vec<Speaker> = shared.registries.speakers.values().cloned().collect();

    match opts.mode {
        Mode::Print => {
            let taken = taken_ids(&site_speakers, None);
            let d = draft(text.body(), allow_html, &site_speakers, &taken);
            out.yaml = Some(yaml_out::render(&d, &crate::diag::display_path(&rel)));
            out
        }
        Mode::Write { force } => {
            if ann_exists && !force {
                return out.fail(
                    Diagnostic::error(
                        "annotations-exist",
                        format!("{} already exists", crate::diag::display_path(&ann_rel)),
                    )
                    .at(&ann_rel, None)
                    .help("pass --force to replace it, or --merge to add only the quotes it lacks"),
                );
            }
            let taken = taken_ids(&site_speakers, None);
            let d = draft(text.body(), allow_html, &site_speakers, &taken);
            let text = yaml_out::render(&d, &crate::diag::display_path(&rel));
            write_file(out, &opts.root, &ann_rel, &text, d.quotes.len())
        }
        Mode::Merge if !ann_exists => {
            let taken = taken_ids(&site_speakers, None);
            let d = draft(text.body(), allow_html, &site_speakers, &taken);
            let text = yaml_out::render(&d, &crate::diag::display_path(&rel));
            write_file(out, &opts.root, &ann_rel, &text, d.quotes.len())
        }
        Mode::Merge => merge(out, opts, &shared, &rel, &ann_rel, &site_speakers),
    }
}

/// Adds to an existing annotations file the suggested quotes it does not cover yet.
fn merge(
    mut out: Outcome,
    opts: &Options,
    shared: &crate::engine::Inputs,
    rel: &Path,
    ann_rel: &Path,
    site_speakers: &[Speaker],
) -> Outcome {
    let files = ArticleFiles {
        article: rel.to_path_buf(),
        annotations: Some(ann_rel.to_path_buf()),
        assets: Vec::new(),
    };
    let unit = crate::engine::Unit::load(&opts.root, &files, &shared.registries, true);
    let allow_html = shared.config.allow_raw_html;
    let processed = (unit.briefing.as_ref().zip(unit.text.as_ref()))
        .filter(|_| !unit.diags.has_errors())
        .map(|(b, text)| (b.clone(), crate::article::process(b, text, allow_html)));
    let (existing, anchors) = match processed {
        Some((b, Ok(p))) => (b, p.anchors),
        Some((_, Err(d))) => {
            out.report.diagnostics.extend(d);
            return merge_blocked(out, &unit, ann_rel);
        }
        None => {
            out.report.diagnostics.extend(unit.diags.iter().cloned());
            return merge_blocked(out, &unit, ann_rel);
        }
    };
    let covered = coverage::Covered::new(
        existing
            .annotations
            .iter()
            .zip(&anchors)
            .filter(|(a, _)| a.is_quote())
            .flat_map(|(_, r)| r.iter().cloned())
            .collect(),
    );
    let mut known: Vec<Speaker> = site_speakers.to_vec();
    known.extend(existing.local_speakers.iter().cloned());
    let taken = taken_ids(&known, Some(&existing));
    let body = unit.text.as_ref().map_or("", |t| t.body());
    let mut d = draft(body, allow_html, &known, &taken);
    d.quotes
        .retain(|q| covered.share(&q.folded) < coverage::COVERED);
    let used: BTreeSet<&str> = d
        .quotes
        .iter()
        .flat_map(|q| std::iter::once(q.speaker.as_str()).chain(q.via.iter().map(String::as_str)))
        .collect();
    d.speakers.retain(|p| used.contains(p.id.as_str()));
    let Ok(old) = std::fs::read_to_string(opts.root.join(ann_rel)) else {
        return out.fail(io_error(ann_rel, "cannot read"));
    };
    match yaml_out::merge(&old, &d.quotes, &d.speakers) {
        Ok(text) => {
            let added = d.quotes.len();
            if added == 0 {
                out.written = Some((ann_rel.to_path_buf(), 0));
                return out;
            }
            write_file(out, &opts.root, ann_rel, &text, added)
        }
        Err(yaml_out::MergeError::FlowStyle { key, line }) => out.fail(
            Diagnostic::error(
                "merge-flow-style",
                format!("cannot add to `{key}:`, which is written in flow style ([...])"),
            )
            .at(ann_rel, Some(Pos::new(line, 1)))
            .help(format!(
                "write `{key}:` in block style (one `- ` item per line), then run --merge again"
            )),
        ),
    }
}

fn merge_blocked(mut out: Outcome, unit: &crate::engine::Unit, ann_rel: &Path) -> Outcome {
    out.report.keep_sources(unit.sources.iter());
    out.fail(
        Diagnostic::error(
            "merge-blocked",
            format!(
                "cannot merge into {}: it has errors",
                crate::diag::display_path(ann_rel)
            ),
        )
        .at(ann_rel, None)
        .help("fix the errors above (`brief check` lists them), then run --merge again"),
    )
}

/// The ids a new speaker or quote may not take.
fn taken_ids(known: &[Speaker], existing: Option<&Briefing>) -> Taken {
    let mut t = Taken {
        speaker_ids: known.iter().map(|s| s.id.clone()).collect(),
        annotation_ids: BTreeSet::new(),
    };
    if let Some(b) = existing {
        t.annotation_ids
            .extend(b.annotations.iter().map(|a| a.id.clone()));
        // Default ids (q1, h1, ...) of annotations written without one.
        let n = b.annotations.len();
        t.annotation_ids
            .extend((1..=n).flat_map(|i| [format!("q{i}"), format!("h{i}")]));
    }
    t
}

fn io_error(rel: &Path, what: &str) -> Diagnostic {
    Diagnostic::error(
        "io-error",
        format!("{what} {}", crate::diag::display_path(rel)),
    )
    .at(rel, None)
    .help("check that the folder exists and is writable")
}

/// Writes the annotations file: a new one, or over the one `--force` or `--merge` replaces.
fn write_file(mut out: Outcome, root: &Path, rel: &Path, text: &str, added: usize) -> Outcome {
    let existing = match root.join(rel).is_file() {
        true => crate::save::Existing::Replace,
        false => crate::save::Existing::Refuse,
    };
    if let Err(d) = crate::save::save(root, rel, text.as_bytes(), existing) {
        return out.fail(d);
    }
    out.written = Some((rel.to_path_buf(), added));
    out
}

/// The article's path relative to the site root. A relative path is taken from the site root
/// if the file is there (`content/...`), else from the current folder.
fn article_path(root: &Path, given: &Path) -> Result<PathBuf, Diagnostic> {
    let shown = crate::diag::display_path(given);
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let candidates = if given.is_absolute() {
        vec![given.to_path_buf()]
    } else {
        vec![root.join(given), cwd.join(given)]
    };
    let Some(found) = candidates.into_iter().find(|p| p.is_file()) else {
        return Err(
            Diagnostic::error("article-not-found", format!("there is no article {shown}")).help(
                "give the article's Markdown file, e.g. `brief suggest content/2023/example.md`",
            ),
        );
    };
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (root_c, file_c) = (canon(root), canon(&found));
    let rel = file_c.strip_prefix(&root_c).map(Path::to_path_buf);
    match rel {
        Ok(rel) if rel.starts_with(crate::load::CONTENT_DIR) && rel.extension().is_some_and(|e| e == "md") => Ok(rel),
        _ => Err(Diagnostic::error(
            "not-an-article",
            format!("{shown} is not an article of this site"),
        )
        .help("articles are Markdown files under the site's content/ folder (use --root to choose the site)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggest(md: &str) -> Draft {
        draft(md, false, &[], &Taken::default())
    }

    #[test]
    fn a_repeated_quote_gets_context_that_anchors_it_once() {
        let md = "\"We will not give up,\" Anna Nowak said.\n\nLater, Jan Kowalski said: \"We will not give up.\"\n";
        let d = suggest(md);
        assert_eq!(d.quotes.len(), 2);
        assert_eq!(d.quotes[0].parts, ["We will not give up"]);
        assert!(
            d.quotes
                .iter()
                .any(|q| q.prefix.is_some() || q.suffix.is_some())
        );
        assert_eq!(d.quotes[0].speaker, "anna-nowak");
        assert_eq!(d.quotes[1].speaker, "jan-kowalski");
    }

    #[test]
    fn short_quotes_get_a_prefix_and_titles_are_set_aside() {
        let md = "Mayor Denise Harlow called it \"fair enough.\" The report \"Building a Safer City\" says so.\n";
        let d = suggest(md);
        assert_eq!(d.quotes.len(), 1);
        assert!(d.quotes[0].prefix.is_some());
        assert_eq!(d.set_aside.len(), 1);
        assert_eq!(d.speakers[0].role.as_deref(), Some("Mayor"));
    }

    #[test]
    fn ids_come_from_the_first_words() {
        assert_eq!(
            quote_id("We remain fully committed to Ohio"),
            "we-remain-fully-committed"
        );
        assert_eq!(quote_id("..."), "quote");
    }
}

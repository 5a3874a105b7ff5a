//! The pages that list the whole site: the index (a page per [`INDEX_PAGE_SIZE`] briefings),
//! the lists of speakers and questions, 404, tags, search and its index, the feed, the
//! sitemap, `robots.txt`, and the stylesheet and script.
//!
//! They are made from one [`ListEntry`] per briefing and from the site's registries and
//! configuration, and from nothing else: the engine compares a changed briefing's entry
//! before and after an edit to know whether to make these pages again, so what an entry holds
//! is exactly what these pages read of a briefing. Nothing here does I/O.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use super::cross::{Mention, Of, mentions};
use super::templates::{SCRIPT, STYLESHEET};
use super::view::*;
use super::{Page, Renderer, Sink, deliver, feeds, finish, search, split, tags};
use crate::diag::{Diagnostic, Diagnostics};
use crate::fingerprint::{Fingerprint, Fingerprinting};
use crate::model::{QuestionStatus, SpeakerKind};

/// Briefings per page of the index.
pub const INDEX_PAGE_SIZE: usize = 50;

/// What the pages that list the whole site read of one briefing: its summary, the start of
/// its text (which the feed shows when it has no summary), its quotes' ids, speakers and
/// words (which search finds), and who and what it mentions and how (which the lists of
/// speakers and questions count). Two entries are equal when all of that is.
#[derive(Debug, Clone)]
pub struct ListEntry<'v> {
    pub summary: &'v BriefingSummary,
    pub excerpt: Option<&'v str>,
    view: &'v BriefingView,
}

impl<'v> ListEntry<'v> {
    pub fn of(v: &'v BriefingView, excerpt: Option<&'v str>) -> Self {
        ListEntry {
            summary: &v.summary,
            excerpt: excerpt.filter(|_| v.summary.summary.is_none()),
            view: v,
        }
    }

    /// `(id, speaker id, quoted words)` of its quotes.
    pub fn quotes(&self) -> impl Iterator<Item = (&'v str, &'v str, &'v str)> {
        (self.view.quotes.iter()).map(|q| (q.id.as_str(), q.speaker.id.as_str(), &*q.text))
    }

    /// Who and what it mentions, and how.
    pub fn mentions(&self) -> Vec<(Of<'v>, Mention)> {
        let mut all = Vec::new();
        mentions(self.view, |of, m| all.push((of, m)));
        all
    }
}

impl PartialEq for ListEntry<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.summary == other.summary
            && self.excerpt == other.excerpt
            && self.quotes().eq(other.quotes())
            && self.mentions() == other.mentions()
    }
}

/// Where an index page sits among the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pagination {
    /// This page's number, from 1.
    pub number: usize,
    /// How many index pages there are.
    pub count: usize,
    /// How many briefings in all.
    pub total: usize,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub first_url: String,
    pub last_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeakerSummary {
    pub speaker: SpeakerLink,
    pub quote_count: usize,
    pub position_count: usize,
    pub briefing_count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionSummary {
    pub question: QuestionLink,
    pub position_count: usize,
    pub briefing_count: usize,
    /// The newest briefing bearing on the question.
    pub latest: Option<BriefingLink>,
}

/// Every site-wide page, each handed to `sink` as it is made (the index has a page per 50
/// briefings: thousands for a large archive); returns their paths. `entries[i]` belongs to
/// the site's `i`-th briefing.
pub fn site_pages(
    r: &Renderer,
    entries: &[ListEntry],
    sink: Sink,
) -> Result<Vec<PathBuf>, Diagnostics> {
    let urls = r.urls();
    let base = &urls.base_path;
    let summaries: Vec<&BriefingSummary> = entries.iter().map(|e| e.summary).collect();
    let (mut paths, mut diags) = split(index_pages(r, &summaries, sink));
    // The search index (hundreds of megabytes on a large site) is written as it is made, and
    // its fingerprint versions the URL the search page fetches it by.
    let mut print = Fingerprint::default();
    let streamed = sink.stream(PathBuf::from(search::INDEX_PATH), &mut |out| {
        print = Fingerprint::default();
        let print = &mut print;
        search::write_index(r.site(), entries, &mut Fingerprinting::new(out, print))
    });
    match streamed {
        Ok(()) => paths.push(PathBuf::from(search::INDEX_PATH)),
        Err(d) => diags.push(d),
    }
    let index_print = print.hex();
    let mut emit = |made: Result<Page, Diagnostic>| match made.and_then(|p| deliver(sink, p)) {
        Ok(path) => paths.push(path),
        Err(d) => diags.push(d),
    };
    let (speakers, questions) = summaries_of(r, entries);
    let meta = r.meta("Speakers", format!("{base}speakers/"), "speakers");
    emit(r.page(
        "speakers.html",
        "speakers/index.html".into(),
        &meta,
        "speakers",
        &speakers,
    ));
    let meta = r.meta("Questions", format!("{base}questions/"), "questions");
    emit(r.page(
        "questions.html",
        "questions/index.html".into(),
        &meta,
        "questions",
        &questions,
    ));
    let meta = r.meta("Page not found", format!("{base}404.html"), "404");
    let newest: Vec<&&BriefingSummary> = summaries.iter().take(5).collect();
    emit(r.page("404.html", "404.html".into(), &meta, "briefings", &newest));
    let context = |title: &str, url: String, kind| r.context(&r.meta(title, url, kind));
    for made in tags::pages(&summaries, urls, r.templates(), &context) {
        emit(made);
    }
    let count = entries.len();
    for made in search::pages(&index_print, count, urls, r.templates(), &context) {
        emit(made);
    }
    let file = |path: &str, bytes: Vec<u8>| {
        Ok(Page {
            path: PathBuf::from(path),
            bytes,
        })
    };
    let config = &r.site().config;
    if let Some(feed) = feeds::atom(config, entries, urls) {
        emit(file("feed.xml", feed.into_bytes()));
    }
    if let Some(map) = feeds::sitemap(r.site(), &summaries, urls) {
        emit(file("sitemap.xml", map.into_bytes()));
    }
    // A site's own static/robots.txt (with rules of its own) is copied instead.
    let own_robots = r.site().static_files.iter().any(|f| f == "robots.txt");
    if let Some(robots) = feeds::robots(urls).filter(|_| !own_robots) {
        emit(file("robots.txt", robots.into_bytes()));
    }
    let (css, js) = r.asset_paths();
    emit(file(css, STYLESHEET.as_bytes().to_vec()));
    emit(file(js, SCRIPT.as_bytes().to_vec()));
    finish(paths, diags)
}

/// The list of briefings, newest first, [`INDEX_PAGE_SIZE`] to a page: `index.html`, then
/// `page/2/index.html`, ... (a newsroom archive would make one page unreadably long).
fn index_pages(
    r: &Renderer,
    summaries: &[&BriefingSummary],
    sink: Sink,
) -> Vec<Result<PathBuf, Diagnostic>> {
    let base = &r.urls().base_path;
    let title = &r.site().config.title;
    let chunks: Vec<&[&BriefingSummary]> = match summaries.is_empty() {
        true => vec![&[]],
        false => summaries.chunks(INDEX_PAGE_SIZE).collect(),
    };
    let count = chunks.len();
    let url = |n: usize| match n {
        1 => base.clone(),
        n => format!("{base}page/{n}/"),
    };
    chunks
        .par_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let number = i + 1;
            let (page_title, path) = match number {
                1 => (title.clone(), PathBuf::from("index.html")),
                n => (
                    format!("{title}, page {n}"),
                    PathBuf::from(format!("page/{n}/index.html")),
                ),
            };
            let mut c = r.context(&r.meta(&page_title, url(number), "index"));
            c.insert("briefings", chunk);
            c.insert(
                "pagination",
                &Pagination {
                    number,
                    count,
                    total: summaries.len(),
                    prev_url: (number > 1).then(|| url(number - 1)),
                    next_url: (number < count).then(|| url(number + 1)),
                    first_url: url(1),
                    last_url: url(count),
                },
            );
            deliver(sink, r.page_of_context("index.html", path, &c)?)
        })
        .collect()
}

/// Every speaker and every question with how often they appear: speakers people first, then
/// by name; questions open first, then by title.
fn summaries_of(
    r: &Renderer,
    entries: &[ListEntry],
) -> (Vec<SpeakerSummary>, Vec<QuestionSummary>) {
    #[derive(Default)]
    struct Counts {
        quotes: usize,
        positions: usize,
        briefings: usize,
        /// The newest briefing mentioning it (entries are newest first).
        newest: Option<usize>,
    }
    let mut counts: HashMap<Of, Counts> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let mut seen_here: HashSet<Of> = HashSet::new();
        for (of, m) in e.mentions() {
            let c = counts.entry(of).or_default();
            c.quotes += usize::from(matches!((of, m), (Of::Speaker(_), Mention::Quote(_))));
            c.positions += usize::from(matches!(m, Mention::Position(..)));
            if seen_here.insert(of) {
                c.briefings += 1;
                c.newest.get_or_insert(i);
            }
        }
    }
    let site = r.site();
    let urls = r.urls();
    let none = Counts::default();
    let mut speakers: Vec<SpeakerSummary> = (site.speakers.values())
        .map(|s| {
            let c = counts.get(&Of::Speaker(&s.id)).unwrap_or(&none);
            SpeakerSummary {
                speaker: speaker_link(s, urls),
                quote_count: c.quotes,
                position_count: c.positions,
                briefing_count: c.briefings,
            }
        })
        .collect();
    speakers.sort_by(|a, b| {
        let people_first = |k: SpeakerKind| k != SpeakerKind::Person;
        (people_first(a.speaker.kind), &a.speaker.name, &a.speaker.id).cmp(&(
            people_first(b.speaker.kind),
            &b.speaker.name,
            &b.speaker.id,
        ))
    });
    let mut questions: Vec<QuestionSummary> = (site.questions.values())
        .map(|q| {
            let c = counts.get(&Of::Question(&q.id)).unwrap_or(&none);
            QuestionSummary {
                question: question_link(q, urls),
                position_count: c.positions,
                briefing_count: c.briefings,
                latest: c.newest.map(|i| briefing_link(&site.briefings[i], urls)),
            }
        })
        .collect();
    questions.sort_by(|a, b| {
        let resolved = |s: QuestionStatus| s == QuestionStatus::Resolved;
        let key = |q: &QuestionSummary| {
            (
                resolved(q.question.status),
                q.question.title.clone(),
                q.question.id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    (speakers, questions)
}

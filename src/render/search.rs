//! Client-side search: a compact index written at build time (`search-index.json`), the small
//! script that searches it in the browser (`assets/search.<hash>.js`), and the search page
//! (`search/index.html`).
//!
//! Hand-written rather than Pagefind: Pagefind is a separate binary run over the built pages,
//! while a site of this kind (hundreds to a few thousand briefings) is served well by one JSON
//! file and a 3 KB script (docs/deploy.md gives the numbers and where that stops being true).
//! The index holds what readers search for (titles, summaries, tags, speakers, quotes, question
//! titles), never article bodies, to stay small. Everything is made from the briefing views,
//! and the index is written as it is made (never held whole); the order is the site's, so two
//! builds write the same bytes.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

use serde::Serialize;

use super::Page;
use super::lists::ListEntry;
use super::templates::{SEARCH_SCRIPT, Templates};
use super::view::Urls;
use crate::diag::Diagnostic;
use crate::model::Site;

/// Where the index is written, under the output folder.
pub const INDEX_PATH: &str = "search-index.json";

/// Bumped when the index's shape changes, so a script can tell.
const INDEX_VERSION: u32 = 1;

/// The whole index. Speakers and questions are listed once; briefings refer to them by
/// position, which keeps a name said in 200 briefings from being written 200 times.
#[derive(Serialize)]
struct Index<'a> {
    version: u32,
    /// `[id, name]`, in id order.
    speakers: Vec<[&'a str; 2]>,
    /// `[id, title]`, in id order.
    questions: Vec<[&'a str; 2]>,
    /// Newest first, as on the front page.
    briefings: Entries<'a>,
}

/// The briefings' entries, each made as it is serialised (none are held).
struct Entries<'a> {
    entries: &'a [ListEntry<'a>],
    speaker_at: HashMap<&'a str, usize>,
    question_at: HashMap<&'a str, usize>,
}

#[derive(Serialize)]
struct Entry<'a> {
    slug: &'a str,
    title: &'a str,
    /// `YYYY-MM-DD`.
    date: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [String],
    /// Positions in `speakers`: everyone quoted, relaying or taking a position here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    speakers: Vec<usize>,
    /// Positions in `questions`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    questions: Vec<usize>,
    /// `[annotation id, position of the speaker in speakers, quoted words]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    quotes: Vec<(&'a str, usize, &'a str)>,
}

impl<'a> Entries<'a> {
    fn entry(&self, e: &'a ListEntry<'a>) -> Entry<'a> {
        let s = e.summary;
        Entry {
            slug: &s.slug,
            title: &s.title,
            date: &s.date.iso,
            summary: s.summary.as_deref(),
            tags: &s.tags,
            speakers: (s.speakers.iter())
                .filter_map(|x| self.speaker_at.get(x.id.as_str()).copied())
                .collect(),
            questions: (s.questions.iter())
                .filter_map(|x| self.question_at.get(x.id.as_str()).copied())
                .collect(),
            quotes: (e.quotes())
                .filter_map(|(id, speaker, text)| Some((id, *self.speaker_at.get(speaker)?, text)))
                .collect(),
        }
    }
}

impl Serialize for Entries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.entries.iter().map(|e| self.entry(e)))
    }
}

/// Writes the index as JSON into `out`, as it is made: at 100,000 briefings it is some 200
/// megabytes, which a build need not hold beside everything else. `entries[i]` belongs to
/// `site.briefings[i]`.
pub fn write_index(site: &Site, entries: &[ListEntry], out: &mut dyn Write) -> io::Result<()> {
    let index = Index {
        version: INDEX_VERSION,
        speakers: site
            .speakers
            .values()
            .map(|s| [s.id.as_str(), s.name.as_str()])
            .collect(),
        questions: site
            .questions
            .values()
            .map(|q| [q.id.as_str(), q.title.as_str()])
            .collect(),
        briefings: Entries {
            entries,
            speaker_at: positions(site.speakers.keys()),
            question_at: positions(site.questions.keys()),
        },
    };
    serde_json::to_writer(&mut *out, &index)?;
    out.write_all(b"\n")
}

/// Each id's position in the list of ids.
fn positions<'a>(ids: impl Iterator<Item = &'a String>) -> HashMap<&'a str, usize> {
    ids.enumerate().map(|(i, id)| (id.as_str(), i)).collect()
}

/// What the search page template receives as `search`.
#[derive(Serialize)]
struct SearchView {
    /// The index's URL, with a content hash as query so browsers refetch it when it changes
    /// (hosts ignore the query, so the file keeps its stable name).
    index_url: String,
    script_url: String,
    briefing_count: usize,
}

/// The search page and its script, each one or the reason its template failed; the index
/// is written first (`write_index`), and `index_print` is its fingerprint.
/// `context(title, url, kind)` makes a page's base context, as for every other page.
pub fn pages(
    index_print: &str,
    briefing_count: usize,
    urls: &Urls,
    templates: &Templates,
    context: &dyn Fn(&str, String, &'static str) -> tera::Context,
) -> Vec<Result<Page, Diagnostic>> {
    let print = crate::fingerprint::Fingerprint::of(SEARCH_SCRIPT.as_bytes());
    let script = format!("assets/search.{}.js", print.hex());
    let view = SearchView {
        index_url: format!("{}{INDEX_PATH}?v={index_print}", urls.base_path),
        script_url: format!("{}{script}", urls.base_path),
        briefing_count,
    };
    let mut c = context("Search", format!("{}search/", urls.base_path), "search");
    c.insert("search", &view);
    let page = templates.render("search.html", &c).map(|bytes| Page {
        path: PathBuf::from("search/index.html"),
        bytes,
    });
    vec![
        page,
        Ok(Page {
            path: PathBuf::from(script),
            bytes: SEARCH_SCRIPT.as_bytes().to_vec(),
        }),
    ]
}

//! The record of the pages a build made: each page's path, what made it (a briefing, a
//! speaker, a question, or the site's lists) and, where links may need them, its element
//! ids. The link check looks links up in it; an update that makes a page's maker again
//! learns from it which of the maker's pages are gone. It holds no page's bytes and does no
//! I/O.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diag::{Diagnostic, display_path};
use crate::links;
use crate::render::{Page, PageSink, Stream, collect};

/// What makes a page: the pages of one maker are made together.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Maker {
    /// A briefing's page and annotations, by slug.
    Briefing(String),
    Speaker(String),
    Question(String),
    /// The pages that list the whole site (index, lists, tags, search, feed, assets...).
    Lists,
}

impl Maker {
    /// Who makes the page at `path` (an output path, with `/`).
    pub fn of(path: &str) -> Maker {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["briefings", slug, _] => Maker::Briefing((*slug).to_string()),
            ["speakers", id, "index.html"] => Maker::Speaker((*id).to_string()),
            ["questions", id, "index.html"] => Maker::Question((*id).to_string()),
            _ => Maker::Lists,
        }
    }
}

/// A page made: what made it, and its ids when they were read.
#[derive(Debug, Clone)]
pub struct Record {
    pub maker: Maker,
    pub ids: Option<HashSet<String>>,
}

/// Every page made, by output path (with `/`).
pub type Records = HashMap<String, Record>;

impl links::Pages for Records {
    fn has(&self, path: &str) -> bool {
        self.contains_key(path)
    }

    fn ids(&self, path: &str) -> Option<&HashSet<String>> {
        self.get(path)?.ids.as_ref()
    }

    fn paths(&self) -> Vec<&str> {
        self.keys().map(String::as_str).collect()
    }
}

/// The pages made during one update, handed on to where they go.
pub struct Recorder<'o> {
    /// Where pages go: written into the staging folder, kept for `serve`, or dropped.
    to: To<'o>,
    /// Whether to read each HTML page's ids (for links with a `#fragment`).
    ids: bool,
    made: Mutex<Vec<(String, Record)>>,
    kept: Mutex<Vec<Page>>,
}

/// Where a recorder hands pages on to.
pub enum To<'o> {
    Nowhere,
    Staging(&'o crate::write::Staging),
    /// Kept, to be handed over when the update succeeds.
    Kept,
}

impl<'o> Recorder<'o> {
    pub fn new(to: To<'o>, ids: bool) -> Self {
        Recorder {
            to,
            ids,
            made: Mutex::new(Vec::new()),
            kept: Mutex::new(Vec::new()),
        }
    }

    fn note(&self, path: &Path, bytes: Option<&[u8]>) {
        let path = display_path(path);
        let ids = match (self.ids, bytes) {
            (true, Some(bytes)) if links::may_have_ids(Path::new(&path)) => Some(
                links::html_ids(bytes)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            ),
            _ => None,
        };
        let record = Record {
            maker: Maker::of(&path),
            ids,
        };
        lock(&self.made).push((path, record));
    }

    /// The pages recorded, and those kept.
    pub fn finish(self) -> (Vec<(String, Record)>, Vec<Page>) {
        let made = self.made.into_inner().unwrap_or_else(|e| e.into_inner());
        let kept = self.kept.into_inner().unwrap_or_else(|e| e.into_inner());
        (made, kept)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl PageSink for Recorder<'_> {
    fn page(&self, page: Page) -> Result<(), Diagnostic> {
        self.note(&page.path, Some(&page.bytes));
        match &self.to {
            To::Nowhere => Ok(()),
            To::Staging(s) => s.write(&page),
            To::Kept => {
                lock(&self.kept).push(page);
                Ok(())
            }
        }
    }

    fn stream(&self, path: PathBuf, write: Stream) -> Result<(), Diagnostic> {
        match &self.to {
            // Nothing reads these bytes (only HTML pages have ids).
            To::Nowhere if !links::may_have_ids(&path) => {
                self.note(&path, None);
                Ok(())
            }
            To::Staging(s) if !links::may_have_ids(&path) => {
                self.note(&path, None);
                s.stream(&path, write)
            }
            _ => self.page(collect(path, write)?),
        }
    }
}

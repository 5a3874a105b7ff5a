//! `brief`: a static site generator for annotated news briefings.
//!
//! The whole build is one short pipeline, which `build`, `check` and `serve` all run through
//! the [`engine`]:
//!
//! 1. `config`: read `brief.yaml`;
//! 2. `load`: walk `content/` and parse every file (in parallel);
//! 3. `resolve`: check ids and references, producing the [`model::Site`];
//! 4. `article`: per briefing, in parallel: parse the Markdown, `anchor` every annotation in
//!    the reader text, and `mark` it in the HTML;
//! 5. `render`: build typed views and run the Tera templates, in memory;
//! 6. `write`: swap the new output folder in, atomically.
//!
//! Every stage returns diagnostics as values; only the binary prints.

#![forbid(unsafe_code)]
// Diagnostics travel on the error path only, where their size costs nothing measurable;
// boxing them everywhere would only add noise.
#![allow(clippy::result_large_err)]

pub mod active;
pub mod anchor;
pub mod article;
pub mod cli;
pub mod config;
pub mod date;
pub mod diag;
pub mod engine;
pub mod fingerprint;
pub mod fold;
pub mod import;
pub mod input;
pub mod links;
pub mod load;
pub mod mark;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod resolve;
pub mod save;
pub mod scaffold;
pub mod scan;
pub mod serve;
pub mod slug;
pub mod suggest;
pub mod write;
pub mod yaml;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use config::Overrides;
use diag::{Diagnostic, Diagnostics, Sources};

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub overrides: Overrides,
    /// Include briefings marked `draft: true`.
    pub drafts: bool,
    /// Write the output (`build`), or stop after rendering in memory (`check`).
    pub write: bool,
    /// Replace an output folder that brief did not write (`build --force`).
    pub force: bool,
}

/// Time spent in each stage, for `--timings` and the benchmarks.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub load: Duration,
    pub anchor: Duration,
    pub render: Duration,
    pub write: Duration,
}

/// The outcome of a run: its diagnostics (with the sources to show them), and what was made.
#[derive(Debug, Default)]
pub struct Report {
    pub diagnostics: Diagnostics,
    pub sources: Sources,
    pub briefings: usize,
    pub pages: usize,
    pub output_dir: Option<PathBuf>,
    pub timings: Timings,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.diagnostics.has_errors()
    }

    pub fn add(&mut self, d: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(d);
    }

    /// Keeps the texts of the files that diagnostics point at, for snippets.
    pub fn keep_sources<'a>(&mut self, texts: impl Iterator<Item = &'a (PathBuf, Arc<str>)>) {
        let named: std::collections::HashSet<&std::path::Path> = named_files(&self.diagnostics)
            .map(PathBuf::as_path)
            .collect();
        if named.is_empty() {
            return;
        }
        for (path, text) in texts {
            if named.contains(path.as_path()) {
                self.sources.insert(path.clone(), text.clone());
            }
        }
    }

    /// Reads, from disk, the texts of files that diagnostics point at and that were not kept
    /// when read (only files with problems of their own are kept while building).
    pub fn read_missing_sources(&mut self, root: &std::path::Path) {
        let missing: std::collections::BTreeSet<PathBuf> = named_files(&self.diagnostics)
            .filter(|f| !self.sources.contains_key(f.as_path()))
            .cloned()
            .collect();
        for path in missing {
            if let Ok((text, _)) = load::read_content(root, &path) {
                self.sources.insert(path, text);
            }
        }
    }
}

/// The files diagnostics point at, their notes' included.
fn named_files(diags: &Diagnostics) -> impl Iterator<Item = &PathBuf> {
    diags
        .iter()
        .flat_map(|d| d.file.iter().chain(d.notes.iter().flat_map(|n| &n.file)))
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Runs the pipeline once over the whole site: `build` (with `opts.write`, into the output
/// folder) or `check` (nothing is written). The report says what went wrong, if anything; on
/// any error nothing is written and the previous output stays as it was.
pub fn build(opts: &BuildOptions) -> Report {
    let output = match opts.write {
        true => engine::Output::Folder,
        false => engine::Output::Nowhere,
    };
    let mut engine = engine::Engine::new(opts.clone());
    let update = engine.update(&engine::Changes::All, output, &engine::never);
    // A large site's values take a while to free and nothing waits for them: at exit the
    // process ends without finishing.
    rayon::spawn(move || drop(engine));
    update.report
}

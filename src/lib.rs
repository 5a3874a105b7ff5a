//! `brief`: a static site generator for annotated news briefings.
//!
//! The whole build is one short pipeline ([`build`]):
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

// Diagnostics travel on the error path only, where their size costs nothing measurable;
// boxing them everywhere would only add noise.
#![allow(clippy::result_large_err)]

pub mod anchor;
pub mod article;
pub mod cli;
pub mod config;
pub mod date;
pub mod diag;
pub mod fold;
pub mod input;
pub mod load;
pub mod mark;
pub mod markdown;
pub mod model;
pub mod render;
pub mod resolve;
pub mod write;
pub mod yaml;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use article::Processed;
use config::Overrides;
use diag::{Diagnostic, Diagnostics, Sources};
use model::Site;
use render::templates::{self, Templates};

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub overrides: Overrides,
    /// Include briefings marked `draft: true`.
    pub drafts: bool,
    /// Write the output (`build`), or stop after rendering in memory (`check`).
    pub write: bool,
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

    fn add(&mut self, d: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(d);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Runs the pipeline. The report says what went wrong, if anything; on any error nothing is
/// written and the previous output stays as it was.
pub fn build(opts: &BuildOptions) -> Report {
    let mut report = Report::default();
    let start = Instant::now();
    let Some((site, templates)) = load_site(opts, &mut report) else {
        return finish(report);
    };
    report.timings.load = start.elapsed();

    let start = Instant::now();
    let processed = process_all(&site, &mut report);
    report.timings.anchor = start.elapsed();
    report.briefings = site.briefings.len();
    if report.failed() {
        return finish(report);
    }
    if opts.write && site.config.base_url.is_none() {
        report.add([Diagnostic::error("missing-field", "brief.yaml has no `base_url`")
            .at(config::CONFIG_FILE, Some(diag::Pos::new(1, 1)))
            .help("add `base_url: https://example.org/` (where the site will live), or pass --base-url URL")]);
        return finish(report);
    }

    let start = Instant::now();
    let output = match render::render_site(&site, &processed, &templates) {
        Ok(o) => o,
        Err(d) => {
            report.add(d);
            return finish(report);
        }
    };
    report.timings.render = start.elapsed();
    report.pages = output.pages.len();

    if opts.write {
        let start = Instant::now();
        if let Err(d) = write::write_output(&site.root, &site.config.output_dir, &output) {
            report.add([d]);
        }
        report.timings.write = start.elapsed();
        report.output_dir = Some(site.config.output_dir.clone());
    }
    finish(report)
}

fn finish(mut report: Report) -> Report {
    report.diagnostics = std::mem::take(&mut report.diagnostics).sorted();
    report
}

/// Stages 1 to 3, and the templates. `None` when the site cannot be loaded at all.
pub fn load_site(opts: &BuildOptions, report: &mut Report) -> Option<(Site, Templates)> {
    let (config, config_text) = match config::load(&opts.root, &opts.overrides) {
        Ok(c) => c,
        Err(d) => {
            if let Ok(text) = std::fs::read_to_string(opts.root.join(config::CONFIG_FILE)) {
                report
                    .sources
                    .insert(PathBuf::from(config::CONFIG_FILE), text.into());
            }
            report.add(d);
            return None;
        }
    };
    report
        .sources
        .insert(PathBuf::from(config::CONFIG_FILE), config_text.into());
    let (loaded, diags) = load::load(&opts.root);
    report.add(diags);
    let mut sources = std::mem::take(&mut report.sources);
    let site_templates = templates::read_site_templates(&opts.root, &mut sources);
    let (mut site, diags) = resolve::resolve(&opts.root, config, loaded, opts.drafts);
    report.add(diags);
    sources.append(&mut site.sources);
    let templates = match site_templates.and_then(|t| Templates::new(&t, &sources)) {
        Ok(t) => Some(t),
        Err(d) => {
            report.add(d);
            None
        }
    };
    report.sources = sources;
    Some((site, templates?))
}

/// Stage 4 for every briefing, in parallel.
pub fn process_all(site: &Site, report: &mut Report) -> Vec<Processed> {
    let allow_html = site.config.allow_raw_html;
    let results: Vec<Result<Processed, Diagnostics>> = site
        .briefings
        .par_iter()
        .map(|b| article::process(b, allow_html))
        .collect();
    let mut processed = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(p) => processed.push(p),
            Err(d) => {
                report.add(d);
                processed.push(Processed::default());
            }
        }
    }
    processed
}

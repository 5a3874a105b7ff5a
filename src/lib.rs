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
pub mod workspace;
pub mod write;
pub mod yaml;

use std::path::PathBuf;
use std::sync::Arc;
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

/// One article through the per-briefing stages: its files, what resolving made of it, the
/// texts read (for diagnostics) and the problems found. `serve` keeps these and redoes only
/// the units an edit touched.
#[derive(Debug, Clone)]
pub struct Unit {
    pub files: load::ArticleFiles,
    /// The briefing, unless it has errors or is a skipped draft.
    pub resolved: Option<Arc<model::Briefing>>,
    pub sources: Vec<(PathBuf, Arc<str>)>,
    pub diags: Diagnostics,
}

/// Loads and resolves one article (stages 2 and 3 for one briefing).
pub fn load_unit(
    root: &std::path::Path,
    files: &load::ArticleFiles,
    reg: &resolve::Registries,
    drafts: bool,
) -> Unit {
    let loaded = load::load_briefing(root, files);
    let mut diags = loaded.diags;
    // A draft that is not being built is not checked either (its annotations may be half
    // written); `check` includes drafts, so it still reports them.
    if !drafts && loaded.raw.as_ref().is_some_and(|r| r.front.draft) {
        diags = Diagnostics::default();
    }
    let resolved = loaded
        .raw
        .and_then(|raw| resolve::resolve_one(raw, reg, drafts, &mut diags));
    Unit {
        files: files.clone(),
        resolved,
        sources: loaded.sources,
        diags,
    }
}

/// The inputs shared by every briefing: configuration, registries, templates.
pub struct Shared {
    pub config: config::Config,
    pub registries: resolve::Registries,
    /// `None` when a template is broken; content is still checked.
    pub templates: Option<Templates>,
    /// Texts of brief.yaml, the registries and the site's templates, for diagnostics.
    pub sources: Vec<(PathBuf, Arc<str>)>,
}

/// Stage 1 and the site-wide inputs. `None` when the configuration is broken (the report
/// says why).
pub fn load_shared(opts: &BuildOptions, report: &mut Report) -> Option<Shared> {
    let mut sources: Vec<(PathBuf, Arc<str>)> = Vec::new();
    let config = match config::read(&opts.root) {
        Ok(mut text) => {
            let file = std::path::Path::new(config::CONFIG_FILE);
            if let Some((clean, warning)) = load::replace_controls(&text, file) {
                report.add([warning]);
                text = clean;
            }
            let parsed = config::parse(&text, &opts.root, &opts.overrides);
            sources.push((PathBuf::from(config::CONFIG_FILE), text.into()));
            parsed.map_err(|d| report.add(d)).ok()
        }
        Err(d) => {
            report.add(d);
            None
        }
    };
    if opts.write && config.as_ref().is_some_and(|c| c.base_url.is_none()) {
        report.add([Diagnostic::error("missing-field", "brief.yaml has no `base_url`")
            .at(config::CONFIG_FILE, Some(diag::Pos::new(1, 1)))
            .help("add `base_url: https://example.org/` (where the site will live), or pass --base-url URL")]);
    }
    let mut diags = Diagnostics::default();
    let files = load::load_registries(&opts.root, &mut diags);
    let (registries, more) = resolve::resolve_registries(&files);
    sources.extend(files.sources);
    diags.extend(more);
    let templates = match templates::read_site_templates(&opts.root) {
        Ok(site_templates) => {
            sources.extend(
                site_templates
                    .iter()
                    .map(|t| (t.path.clone(), t.text.clone())),
            );
            Templates::new(&site_templates)
                .map_err(|d| diags.extend(d))
                .ok()
        }
        Err(d) => {
            diags.extend(d);
            None
        }
    };
    report.add(diags);
    Some(Shared {
        config: config?,
        registries,
        templates,
        sources,
    })
}

/// Runs the pipeline. The report says what went wrong, if anything; on any error nothing is
/// written and the previous output stays as it was.
pub fn build(opts: &BuildOptions) -> Report {
    let mut report = Report::default();
    let mut texts = Vec::new();
    run(opts, &mut report, &mut texts);
    report.keep_sources(texts.iter());
    report.read_missing_sources(&opts.root);
    report.diagnostics = std::mem::take(&mut report.diagnostics).sorted();
    report
}

/// The pipeline itself. `texts` collects the texts read of files with diagnostics; keeping
/// every file's text would hold the whole site in memory for the rare failed build.
fn run(opts: &BuildOptions, report: &mut Report, texts: &mut Vec<(PathBuf, Arc<str>)>) {
    let start = Instant::now();
    // Walking the content folder and reading the site-wide files wait on different things.
    let ((shared, shared_report), (files, diags)) = rayon::join(
        || {
            let mut r = Report::default();
            (load_shared(opts, &mut r), r)
        },
        || {
            let mut diags = Diagnostics::default();
            (load::find_files(&opts.root, &mut diags), diags)
        },
    );
    report.add(shared_report.diagnostics);
    report.add(diags);
    let Some(shared) = shared else {
        return;
    };
    texts.extend(shared.sources.iter().cloned());
    // A unit without problems gives back the texts it read for snippets (its article's text
    // stays in its briefing); only files with problems keep theirs.
    let units: Vec<Unit> = files
        .articles
        .par_iter()
        .map(|f| {
            let mut u = load_unit(&opts.root, f, &shared.registries, opts.drafts);
            if u.diags.is_empty() {
                u.sources = Vec::new();
            }
            u
        })
        .collect();
    for u in &units {
        report.add(u.diags.iter().cloned());
        texts.extend(u.sources.iter().cloned());
    }
    let (site, diags) = resolve::assemble(
        &opts.root,
        shared.config,
        &shared.registries,
        units.iter().map(|u| &u.resolved),
        files.static_files,
        // Whatever an error left out (a briefing, a registry entry, a quote) would make what
        // it uses look unused.
        !report.failed(),
    );
    drop(units);
    report.add(diags);
    report.timings.load = start.elapsed();
    report.briefings = site.briefings.len();

    let templates = match &shared.templates {
        Some(t) if !report.failed() => t,
        // Nothing will be rendered (the report says why), but every article is still
        // anchored, so that one run reports every problem.
        _ => {
            let start = Instant::now();
            process_all(&site, report);
            report.timings.anchor = start.elapsed();
            return;
        }
    };

    // Stages 4 to 6 in one pass: each briefing is anchored, rendered and written (into a
    // staging folder) before the next is taken up, so no article's HTML outlives its page.
    // The staging folder replaces the output only if everything succeeded, links included.
    let start = Instant::now();
    let staging = match opts.write {
        true => match write::Staging::create(&site.root, &site.config.output_dir, opts.force) {
            Ok(s) => Some(s),
            Err(d) => {
                report.add([d]);
                return;
            }
        },
        false => None,
    };
    // Pages' ids matter only to links with a fragment; without any, reading every page for
    // ids would be work on the hot path for nothing.
    let fragments = site.briefings.par_iter().any(|b| may_link_fragment(b));
    let sink = Output {
        staging: staging.as_ref(),
        fragments,
        ids: Default::default(),
    };
    let anchoring = std::sync::atomic::AtomicU64::new(0);
    let allow_html = site.config.allow_raw_html;
    let process = |b: &model::Briefing| {
        let start = Instant::now();
        let p = article::process(b, allow_html);
        let nanos = start.elapsed().as_nanos() as u64;
        anchoring.fetch_add(nanos, std::sync::atomic::Ordering::Relaxed);
        p
    };
    let rendered = render::render_site_into(&site, templates, &process, &sink);
    // Anchoring ran inside the render pass on every thread: report its share of the pass.
    let threads = rayon::current_num_threads().max(1) as u64;
    report.timings.anchor = Duration::from_nanos(anchoring.into_inner() / threads);
    let render::Rendered {
        copies,
        processed,
        views,
    } = match rendered {
        Ok(r) => r,
        Err(d) => {
            report.add(d);
            return;
        }
    };
    drop_later(views);
    let ids = sink.ids.into_inner().unwrap_or_else(|e| e.into_inner());
    report.pages = ids.len() + copies.len();
    let targets = links::Targets::from_ids(ids, copies.iter().map(|c| c.to.as_path()));
    let broken = links::check(&site, &processed.iter().collect::<Vec<_>>(), &targets);
    // Broken links point into articles: their snippets come from the model's texts.
    if !broken.is_empty() {
        let named: std::collections::HashSet<&PathBuf> = named_files(&broken).collect();
        texts.extend(
            site.briefings
                .iter()
                .filter(|b| named.contains(&b.path))
                .map(|b| (b.path.clone(), b.text.clone())),
        );
    }
    report.add(broken);
    report.timings.render = start.elapsed().saturating_sub(report.timings.anchor);
    if report.failed() {
        return;
    }

    if let Some(staging) = staging {
        let start = Instant::now();
        let result = copies
            .par_iter()
            .try_for_each(|c| staging.copy(c))
            .and_then(|()| staging.commit());
        if let Err(d) = result {
            report.add([d]);
        }
        report.timings.write = start.elapsed();
        report.output_dir = Some(site.config.output_dir.clone());
    }
    drop_later((site, processed));
}

/// Where a build's pages go: into the staging folder (nowhere for `check`), each page's ids
/// noted for the link check when some link has a fragment (without one, reading every page
/// for ids would be work on the hot path for nothing).
struct Output<'s> {
    staging: Option<&'s write::Staging>,
    fragments: bool,
    /// Each page's path, with its ids when `fragments`.
    ids: std::sync::Mutex<Vec<(String, std::collections::HashSet<String>)>>,
}

impl Output<'_> {
    fn note(&self, found: (String, std::collections::HashSet<String>)) {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(found);
    }
}

impl render::PageSink for Output<'_> {
    fn page(&self, page: render::Page) -> Result<(), Diagnostic> {
        self.note(match self.fragments {
            true => links::page_ids(&page.path, &page.bytes),
            false => (diag::display_path(&page.path), Default::default()),
        });
        match self.staging {
            Some(s) => s.write(&page),
            None => Ok(()),
        }
    }

    fn stream(&self, path: PathBuf, write: render::Stream) -> Result<(), Diagnostic> {
        if self.fragments && links::may_have_ids(&path) {
            return self.page(render::collect(path, write)?);
        }
        self.note((diag::display_path(&path), Default::default()));
        match self.staging {
            Some(s) => s.stream(&path, write),
            // `check`: nothing is written, and no other page needs these bytes.
            None => Ok(()),
        }
    }
}

/// Frees `value` on a pool thread. A large site's model takes a while to free and nothing
/// waits for it; at exit the process ends without finishing.
fn drop_later<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}

/// Whether a briefing's article, notes or source may link to a `#fragment` (see
/// [`links::may_have_fragment`]).
fn may_link_fragment(b: &model::Briefing) -> bool {
    links::may_have_fragment(b.body()) || links::values_may_link_fragment(b)
}

/// Stage 4 for every briefing, in parallel. `result[i]` belongs to `site.briefings[i]`.
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

//! The workspace: a whole build kept in memory, updated by redoing only what an edit touched.
//!
//! `serve` holds one. A change to `brief.yaml`, the registries or a template rebuilds
//! everything; a change to an article or its annotations reloads, re-anchors and re-renders
//! that briefing, then re-renders the pages that depend on it (its speakers and questions, old
//! and new, the lists, the feed). Pages live in memory; `static/` and briefing assets are
//! served from their source files. While the site has errors the last good pages are kept and
//! the report says what is wrong; the next good save renders everything that went stale.
//! An update can be told that it is no longer wanted (a newer save came in): it stops at the
//! next stage or briefing, keeps what it finished (loaded units, anchored articles) and leaves
//! everything it did not finish to the next update, whatever paths that one is given.
//! This module does no printing and writes nothing to disk.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::article::{self, Processed};
use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{self, CONTENT_DIR, STATIC_DIR};
use crate::model::{Briefing, Site};
use crate::render::view::{BriefingView, HighlightView, QuoteView};
use crate::render::{self, CrossIndex, RenderedBriefing, Renderer, feeds};
use crate::{BuildOptions, Report, Shared, Unit};

/// What one update did.
#[derive(Debug, Default)]
pub struct Update {
    /// The diagnostics after the update (the site has errors if any is an error).
    pub report: Report,
    /// Output paths whose bytes changed or appeared.
    pub changed: Vec<PathBuf>,
    /// Output paths that no longer exist.
    pub removed: Vec<PathBuf>,
    /// True when everything was rebuilt.
    pub full: bool,
    /// True when the update stopped early because it was superseded: nothing was rendered,
    /// the report is empty, and what is left to do waits for the next update.
    pub superseded: bool,
}

impl Update {
    fn superseded() -> Update {
        Update {
            superseded: true,
            ..Update::default()
        }
    }
}

/// Asked between stages and between briefings while an update runs: once it answers true
/// (a newer save came in, say), the update stops at the next such point. A briefing already
/// being anchored or rendered is finished first.
pub type Superseded<'a> = &'a (dyn Fn() -> bool + Sync);

/// Never supersedes: the update runs to its end.
fn never() -> bool {
    false
}

/// What an output path is served from.
pub enum Served<'a> {
    Page(&'a [u8]),
    /// A file copied as is: its path on disk.
    File(PathBuf),
}

pub struct Workspace {
    opts: BuildOptions,
    shared: Option<Shared>,
    /// Per article (relative path): what loading and resolving made of it.
    units: BTreeMap<PathBuf, Unit>,
    /// Problems found by walking `content/` (orphans, stray files), by file.
    walk_diags: BTreeMap<PathBuf, Vec<Diagnostic>>,
    static_files: Vec<PathBuf>,
    site: Option<Site>,
    /// Whether `site` was assembled from units without errors and with no diagnostics.
    assembled_clean: bool,
    /// Per article path: its anchored article and its view, for valid briefings.
    processed: HashMap<PathBuf, Arc<Processed>>,
    anchor_diags: HashMap<PathBuf, Diagnostics>,
    views: HashMap<PathBuf, Arc<BriefingView>>,
    /// The views in the order of the last rendered site; empty when that order may have
    /// changed since.
    view_table: Vec<Arc<BriefingView>>,
    /// Per article path: the link diagnostics of its last check.
    link_diags: HashMap<PathBuf, Vec<Diagnostic>>,
    /// Articles with a link to a `#fragment` (their checks depend on other pages' ids).
    fragment_links: BTreeSet<PathBuf>,
    /// Per article path: the feed's excerpt of its text as last rendered.
    excerpts: HashMap<PathBuf, String>,
    /// The output: rendered pages, and files copied as is (output path -> source path).
    pages: BTreeMap<PathBuf, Arc<Vec<u8>>>,
    copies: BTreeMap<PathBuf, PathBuf>,
    /// Articles whose pages are stale because they changed since the last render (which
    /// may have been skipped because the site had errors), and those briefings as they were
    /// at the last render: their speakers and questions need new pages too.
    stale: BTreeSet<PathBuf>,
    stale_old: Vec<Arc<Briefing>>,
    stale_all: bool,
    /// Articles an update was given but stopped before reloading: the next update does.
    unreloaded: BTreeSet<PathBuf>,
}

/// Why a render stopped without changing the output.
enum Halt {
    Failed(Diagnostics),
    Superseded,
}

/// How a changed path affects the build.
#[derive(Debug, PartialEq, Eq)]
enum Scope {
    Everything,
    Article(PathBuf),
    Static,
    Nothing,
}

impl Workspace {
    /// A workspace for `opts.root`; nothing is loaded until [`Workspace::rebuild`].
    pub fn new(opts: BuildOptions) -> Self {
        Workspace {
            opts,
            shared: None,
            units: BTreeMap::new(),
            walk_diags: BTreeMap::new(),
            static_files: Vec::new(),
            site: None,
            assembled_clean: false,
            processed: HashMap::new(),
            anchor_diags: HashMap::new(),
            views: HashMap::new(),
            view_table: Vec::new(),
            link_diags: HashMap::new(),
            fragment_links: BTreeSet::new(),
            excerpts: HashMap::new(),
            pages: BTreeMap::new(),
            copies: BTreeMap::new(),
            stale: BTreeSet::new(),
            stale_old: Vec::new(),
            stale_all: true,
            unreloaded: BTreeSet::new(),
        }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.opts
    }

    /// What to serve at an output path (`briefings/x/index.html`), if anything.
    pub fn get(&self, path: &Path) -> Option<Served<'_>> {
        if let Some(bytes) = self.pages.get(path) {
            return Some(Served::Page(bytes));
        }
        self.copies
            .get(path)
            .map(|src| Served::File(self.opts.root.join(src)))
    }

    /// Every output path, pages and copies.
    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.pages.keys().chain(self.copies.keys())
    }

    /// One rendered page, shared rather than copied (`serve` keeps a table of them).
    pub fn page(&self, path: &Path) -> Option<Arc<Vec<u8>>> {
        self.pages.get(path).cloned()
    }

    /// The rendered pages (without copied files), by output path.
    pub fn pages(&self) -> impl Iterator<Item = (&PathBuf, &[u8])> {
        self.pages.iter().map(|(p, b)| (p, b.as_slice()))
    }

    /// Loads and renders everything.
    pub fn rebuild(&mut self) -> Update {
        self.rebuild_until(&never)
    }

    /// [`Workspace::rebuild`], stopping early once `superseded` says so. Stopped before every
    /// unit is loaded, the next update rebuilds everything again; after that, it renders
    /// everything.
    pub fn rebuild_until(&mut self, superseded: Superseded) -> Update {
        let mut report = Report::default();
        self.stale_all = true;
        self.unreloaded.clear();
        self.shared = crate::load_shared(&self.opts, &mut report);
        if superseded() {
            self.shared = None;
            return Update::superseded();
        }
        let mut diags = Diagnostics::default();
        let files = load::find_files(&self.opts.root, &mut diags);
        self.walk_diags.clear();
        for d in diags {
            let key = d.file.clone().unwrap_or_default();
            self.walk_diags.entry(key).or_default().push(d);
        }
        self.static_files = files.static_files;
        self.units.clear();
        self.processed.clear();
        self.anchor_diags.clear();
        self.views.clear();
        self.excerpts.clear();
        if let Some(shared) = &self.shared {
            let (root, drafts) = (&self.opts.root, self.opts.drafts);
            let units: Option<Vec<Unit>> = files
                .articles
                .par_iter()
                .map(|f| {
                    (!superseded()).then(|| crate::load_unit(root, f, &shared.registries, drafts))
                })
                .collect();
            let Some(units) = units else {
                self.shared = None;
                return Update::superseded();
            };
            self.units = units
                .into_iter()
                .map(|u| (u.files.article.clone(), u))
                .collect();
        }
        let touched: Vec<PathBuf> = self.units.keys().cloned().collect();
        self.finish(report, &touched, Vec::new(), superseded)
    }

    /// Applies changes to files (absolute paths, or relative to the site root).
    pub fn apply(&mut self, changed: &[PathBuf]) -> Update {
        self.apply_until(changed, &never)
    }

    /// [`Workspace::apply`], stopping early once `superseded` says so. A stopped update
    /// needs no second call with the same paths: the next update (with whatever changed
    /// since, or nothing) does what it left.
    pub fn apply_until(&mut self, changed: &[PathBuf], superseded: Superseded) -> Update {
        let scopes: Vec<Scope> = changed.iter().map(|p| self.scope_of(p)).collect();
        if self.shared.is_none() || scopes.contains(&Scope::Everything) {
            return self.rebuild_until(superseded);
        }
        // The shared inputs are unchanged, so their diagnostics (if any) were errors that forced
        // a rebuild; a fresh report holds everything else, recomputed below.
        let report = Report::default();
        let mut articles: BTreeSet<PathBuf> = BTreeSet::new();
        let mut statics = false;
        for scope in scopes {
            match scope {
                Scope::Article(a) => {
                    articles.insert(a);
                }
                Scope::Static => statics = true,
                Scope::Everything | Scope::Nothing => {}
            }
        }
        if statics {
            let mut diags = Diagnostics::default();
            self.static_files = load::find_files(&self.opts.root, &mut diags).static_files;
        }
        articles.append(&mut self.unreloaded);
        let mut old_pages_of: Vec<Arc<Briefing>> = Vec::new();
        for article in &articles {
            if superseded() {
                // The next update reloads them all again, so that it assembles the site with
                // every one of them; the briefings as they were rendered are kept for it.
                self.stale_old.extend(old_pages_of);
                self.unreloaded.append(&mut articles);
                return Update::superseded();
            }
            if let Some(b) = self.units.get(article).and_then(|u| u.resolved.clone()) {
                old_pages_of.push(b);
            }
            self.reload_article(article);
        }
        let touched: Vec<PathBuf> = articles.into_iter().collect();
        self.finish(report, &touched, old_pages_of, superseded)
    }

    /// Reloads one article's unit, or drops it if the article is gone.
    fn reload_article(&mut self, article: &Path) {
        self.processed.remove(article);
        self.anchor_diags.remove(article);
        // The view stays until the next render, which compares it with the new one.
        let ann = article.with_extension("yaml");
        self.walk_diags.remove(&ann);
        let root = &self.opts.root;
        if !root.join(article).is_file() {
            self.units.remove(article);
            if root.join(&ann).is_file() {
                self.walk_diags
                    .insert(ann.clone(), vec![load::orphan(&ann)]);
            }
            return;
        }
        let Some(shared) = &self.shared else {
            return;
        };
        let files = load::article_files(root, article);
        let unit = crate::load_unit(root, &files, &shared.registries, self.opts.drafts);
        self.units.insert(article.to_path_buf(), unit);
    }

    /// Which part of the build a changed file belongs to.
    fn scope_of(&self, path: &Path) -> Scope {
        let root = &self.opts.root;
        let rel = path.strip_prefix(root).unwrap_or(path);
        if rel == Path::new(crate::config::CONFIG_FILE)
            || rel.starts_with(crate::render::templates::TEMPLATES_DIR)
            || load::is_registry(rel)
        {
            return Scope::Everything;
        }
        if rel.starts_with(STATIC_DIR) {
            return Scope::Static;
        }
        if !rel.starts_with(CONTENT_DIR) {
            return Scope::Nothing;
        }
        let name = rel.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.as_deref().is_none_or(|n| n.starts_with('.')) {
            return Scope::Nothing;
        }
        match rel.extension().and_then(|e| e.to_str()) {
            Some("md") => Scope::Article(rel.to_path_buf()),
            Some("yaml") => Scope::Article(rel.with_extension("md")),
            _ => match owning_folder_briefing(root, rel) {
                Some(article) => Scope::Article(article),
                // A new folder or a file no briefing owns: walk again.
                None if root.join(rel).is_dir() => Scope::Everything,
                None => Scope::Nothing,
            },
        }
    }

    /// Assembles the site from the units, anchors the touched articles, and renders what
    /// depends on them. `old` are the touched briefings as they were before the change.
    fn finish(
        &mut self,
        mut report: Report,
        touched: &[PathBuf],
        old: Vec<Arc<Briefing>>,
        superseded: Superseded,
    ) -> Update {
        let mut update = Update {
            full: self.stale_all,
            ..Update::default()
        };
        let Some(shared) = &self.shared else {
            report.diagnostics = std::mem::take(&mut report.diagnostics).sorted();
            update.report = report;
            return update;
        };
        for d in self.walk_diags.values().flatten() {
            report.diagnostics.push(d.clone());
        }
        for u in self.units.values() {
            report.add(u.diags.iter().cloned());
        }
        let all_resolved = !report.failed();
        let (site, diags) = match self.reassemble_in_place(touched, all_resolved) {
            Some(site) => (site, Diagnostics::default()),
            None => {
                // The order may change: the view table is made again at the next render.
                self.view_table.clear();
                crate::resolve::assemble(
                    &self.opts.root,
                    shared.config.clone(),
                    &shared.registries,
                    self.units.values().map(|u| &u.resolved),
                    self.static_files.clone(),
                    all_resolved,
                )
            }
        };
        self.assembled_clean = all_resolved && diags.is_empty();
        report.add(diags);

        // From here on the touched briefings' pages are stale until a render succeeds.
        self.stale.extend(touched.iter().cloned());
        self.stale_old.extend(old);

        // Anchor what changed (everything after a rebuild), in parallel. When superseded,
        // the briefings anchored so far are kept; the others are anchored by a later update.
        let allow_html = site.config.allow_raw_html;
        let todo: Vec<&Arc<Briefing>> = self
            .among(&site, self.stale.iter())
            .into_iter()
            .filter(|b| {
                !self.processed.contains_key(&b.path) && !self.anchor_diags.contains_key(&b.path)
            })
            .collect();
        let results: Vec<(PathBuf, Result<Processed, Diagnostics>)> = todo
            .par_iter()
            .filter(|_| !superseded())
            .map(|b| (b.path.clone(), article::process(b, allow_html)))
            .collect();
        for (path, r) in results {
            match r {
                Ok(p) => {
                    self.processed.insert(path, Arc::new(p));
                }
                Err(d) => {
                    self.anchor_diags.insert(path, d);
                }
            }
        }
        // (Entries leave with their briefing: an article that leaves the site was touched.)
        for d in self.anchor_diags.values() {
            report.add(d.iter().cloned());
        }
        report.briefings = site.briefings.len();

        if superseded() {
            self.site = Some(site);
            return Update::superseded();
        }
        if report.failed() || shared.templates.is_none() {
            self.keep_sources(&mut report);
            report.diagnostics = std::mem::take(&mut report.diagnostics).sorted();
            update.report = report;
            self.site = Some(site);
            return update;
        }
        let paths_before = self.pages.len() + self.copies.len();
        let rendered = self.render(&site, superseded);
        match rendered {
            Err(Halt::Superseded) => {
                self.site = Some(site);
                return Update::superseded();
            }
            Ok((changed, removed)) => {
                let paths_changed =
                    !removed.is_empty() || self.pages.len() + self.copies.len() != paths_before;
                report.add(self.check_links(&site, paths_changed));
                update.changed = changed;
                update.removed = removed;
                self.stale.clear();
                self.stale_old.clear();
                self.stale_all = false;
            }
            Err(Halt::Failed(d)) => report.add(d),
        }
        report.pages = self.pages.len();
        self.keep_sources(&mut report);
        report.diagnostics = std::mem::take(&mut report.diagnostics).sorted();
        update.report = report;
        self.site = Some(site);
        update
    }

    /// The last assembled site with the touched briefings swapped in, when that is exactly
    /// what assembling again would give: the last assembly was clean, every briefing resolves,
    /// and each touched briefing keeps its slug, date, local definitions and the speakers and
    /// questions it uses (so its place in the order and every site-wide check stay the same).
    /// Assembling 10,000 briefings again was a visible share of each edit's time.
    fn reassemble_in_place(&self, touched: &[PathBuf], all_resolved: bool) -> Option<Site> {
        let before = self.site.as_ref()?;
        if !(self.assembled_clean && all_resolved) || self.stale_all {
            return None;
        }
        if before.static_files != self.static_files {
            return None;
        }
        let mut site = before.clone();
        for path in touched {
            let new = self.units.get(path)?.resolved.clone()?;
            let at = site.briefings.iter().position(|b| &b.path == path)?;
            let old = &site.briefings[at];
            let same = old.slug == new.slug
                && old.date == new.date
                && old.local_speakers == new.local_speakers
                && old.local_questions == new.local_questions
                && crate::resolve::uses(old) == crate::resolve::uses(&new);
            if !same {
                return None;
            }
            site.briefings[at] = new;
        }
        Some(site)
    }

    /// The site's briefings at `paths` (every briefing when everything is stale): found one
    /// by one when they are few, which is the common case of an edit, rather than by a pass
    /// that hashes all 10,000 paths.
    fn among<'s, 'p>(
        &self,
        site: &'s Site,
        paths: impl Iterator<Item = &'p PathBuf>,
    ) -> Vec<&'s Arc<Briefing>> {
        if self.stale_all {
            return site.briefings.iter().collect();
        }
        let paths: BTreeSet<&PathBuf> = paths.collect();
        if paths.len() > 16 {
            return site
                .briefings
                .iter()
                .filter(|b| paths.contains(&b.path))
                .collect();
        }
        paths
            .into_iter()
            .filter_map(|p| site.briefings.iter().find(|b| &b.path == p))
            .collect()
    }

    /// Keeps the texts of the files the report's diagnostics name (nothing to do, and nothing
    /// collected, on a clean update).
    fn keep_sources(&self, report: &mut Report) {
        if report.diagnostics.0.is_empty() {
            return;
        }
        let shared = self.shared.iter().flat_map(|s| s.sources.iter());
        report.keep_sources(shared.chain(self.units.values().flat_map(|u| u.sources.iter())));
    }

    /// Checks links against the pages and copies now held. Every briefing's links are checked
    /// again when a path appeared or went, or when some link has a fragment (pages' ids may
    /// have changed); otherwise only the briefings rendered again, the others' results kept.
    fn check_links(&mut self, site: &Site, paths_changed: bool) -> Diagnostics {
        let processed = &self.processed;
        let processed_of = |b: &Briefing| processed.get(&b.path).map_or(&EMPTY, |p| p.as_ref());
        // Which briefings link to a fragment: worked out again only for those re-rendered.
        if self.stale_all {
            self.fragment_links.clear();
        }
        let rechecked: Vec<(PathBuf, bool)> = self
            .among(site, self.stale.iter())
            .into_iter()
            .map(|b| {
                let linking = crate::links::links_to_fragments(b, processed_of(b));
                (b.path.clone(), linking)
            })
            .collect();
        for (path, linking) in rechecked {
            match linking {
                true => self.fragment_links.insert(path),
                false => self.fragment_links.remove(&path),
            };
        }
        let all = self.stale_all
            || paths_changed
            || self.link_diags.is_empty()
            || !self.fragment_links.is_empty();
        let to_check = match all {
            true => site.briefings.iter().collect(),
            false => self.among(site, self.stale.iter()),
        };
        let items: Vec<(&Briefing, &Processed)> = to_check
            .into_iter()
            .map(|b| (b.as_ref(), processed_of(b)))
            .collect();
        let pages = &self.pages;
        let targets = crate::links::Targets::new(
            move || pages.iter().map(|(p, b)| (p.as_path(), b.as_slice())),
            self.copies.keys().map(PathBuf::as_path),
        );
        let results = crate::links::check_each(site, &items, &targets);
        if all {
            self.link_diags.clear();
        }
        for ((b, _), d) in items.iter().zip(results) {
            self.link_diags.insert(b.path.clone(), d);
        }
        let mut diags = Diagnostics::default();
        for d in self.link_diags.values() {
            diags.extend(d.iter().cloned());
        }
        diags.sorted()
    }

    /// Renders the stale briefings and every page that depends on them; returns the output
    /// paths changed and removed. Superseded while the briefings' pages are rendered, it
    /// changes nothing; once they are, it finishes.
    fn render(
        &mut self,
        site: &Site,
        superseded: Superseded,
    ) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Halt> {
        let Some(templates) = self.shared.as_ref().and_then(|s| s.templates.as_ref()) else {
            return Ok((Vec::new(), Vec::new()));
        };
        let r = Renderer::new(site, templates);
        let everything = self.stale_all;
        let stale: Vec<&Arc<Briefing>> = site
            .briefings
            .iter()
            .filter(|b| {
                everything || self.stale.contains(&b.path) || !self.views.contains_key(&b.path)
            })
            .collect();
        let results: Option<Vec<(PathBuf, RenderedBriefing)>> = stale
            .par_iter()
            .map(|b| {
                (!superseded()).then(|| {
                    let p = self.processed.get(&b.path).cloned().unwrap_or_default();
                    (b.path.clone(), r.briefing(b, &p))
                })
            })
            .collect();
        // Nothing has changed yet: the views below are what the next render compares with.
        let Some(results) = results.filter(|_| !superseded()) else {
            return Err(Halt::Superseded);
        };
        let mut diags = Diagnostics::default();
        let mut new_pages: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
        // Each re-rendered (or removed) briefing's view before and after, to see which
        // dependent pages really change.
        let mut before: Vec<(Option<Arc<BriefingView>>, PathBuf)> = Vec::new();
        for (path, result) in results {
            match result {
                Ok((view, pages)) => {
                    let old = self.views.insert(path.clone(), Arc::new(view.slim()));
                    before.push((old, path));
                    new_pages.extend(pages.into_iter().map(|p| (p.path, p.bytes)));
                }
                Err(d) => diags.push(d),
            }
        }
        if diags.has_errors() {
            return Err(Halt::Failed(diags.sorted()));
        }
        let wanted = before
            .iter()
            .map(|(_, p)| p)
            .chain(self.stale_old.iter().map(|b| &b.path));
        let new_models: HashMap<&Path, &Briefing> = self
            .among(site, wanted)
            .into_iter()
            .map(|b| (b.path.as_path(), b.as_ref()))
            .collect();
        for b in &self.stale_old {
            if !new_models.contains_key(b.path.as_path()) {
                before.push((self.views.remove(&b.path), b.path.clone()));
            }
        }
        // The first version recorded since the last render is the one that was rendered.
        let mut old_models: BTreeMap<&Path, &Briefing> = BTreeMap::new();
        for b in &self.stale_old {
            old_models.entry(b.path.as_path()).or_insert(b.as_ref());
        }
        // The built-in question page shows no quote notes, nor does the speaker page for quotes
        // the speaker relayed; a site's own template (or base) might.
        let builtin = |name| templates.is_builtin(name) && templates.is_builtin("base.html");
        let full_quotes_on_questions = !builtin("question.html");
        let full_quotes_on_speakers = !builtin("speaker.html");
        let changes: Vec<Change> = before
            .iter()
            .map(|(old, path)| Change {
                full_quotes_on_questions,
                full_quotes_on_speakers,
                old: old.as_deref(),
                new: self.views.get(path).map(|v| v.as_ref()),
                old_model: old_models.get(path.as_path()).copied(),
                new_model: new_models.get(path.as_path()).copied(),
                old_excerpt: self.excerpts.get(path).map(String::as_str),
                new_excerpt: self
                    .processed
                    .get(path)
                    .map(|p| feeds::excerpt(&p.reader_text)),
            })
            .collect();

        // Every view in site order. Kept between renders: while the site is reassembled in
        // place (same briefings, same order) only the re-rendered rows change.
        if everything || self.view_table.len() != site.briefings.len() {
            self.view_table = site
                .briefings
                .iter()
                .filter_map(|b| self.views.get(&b.path).cloned())
                .collect();
        } else {
            let rows: Vec<(usize, Arc<BriefingView>)> = before
                .iter()
                .filter_map(|(_, path)| {
                    let at = site.briefings.iter().position(|b| &b.path == path)?;
                    Some((at, self.views.get(path)?.clone()))
                })
                .collect();
            for (at, view) in rows {
                self.view_table[at] = view;
            }
        }
        let views: Vec<&BriefingView> = self.view_table.iter().map(|v| v.as_ref()).collect();

        let (lists, speakers, questions): (bool, Vec<&str>, Vec<&str>) = if everything {
            (
                true,
                site.speakers.keys().map(String::as_str).collect(),
                site.questions.keys().map(String::as_str).collect(),
            )
        } else {
            let mut sp: BTreeSet<&str> = BTreeSet::new();
            let mut qu: BTreeSet<&str> = BTreeSet::new();
            for c in &changes {
                sp.extend(c.changed_speakers());
                qu.extend(c.changed_questions());
            }
            (
                changes.iter().any(Change::touches_lists),
                sp.into_iter().collect(),
                qu.into_iter().collect(),
            )
        };
        let only = (!lists).then_some((speakers.as_slice(), questions.as_slice()));
        let index = (lists || !speakers.is_empty() || !questions.is_empty())
            .then(|| CrossIndex::build_for(site, &views, only));
        if let Some(index) = &index {
            let made = std::sync::Mutex::new(Vec::new());
            let sink = |page: render::Page| {
                made.lock().unwrap_or_else(|e| e.into_inner()).push(page);
                Ok(())
            };
            let site_pages = if lists {
                // Only the lists need every processed article (the feed's excerpts).
                let processed: Vec<&Processed> = site
                    .briefings
                    .iter()
                    .map(|b| self.processed.get(&b.path).map_or(&EMPTY, |p| p.as_ref()))
                    .collect();
                r.site_pages(&views, &processed, index, &sink)
            } else {
                Ok(Vec::new())
            };
            for result in [
                site_pages,
                r.speaker_pages(&speakers, &views, index, &sink),
                r.question_pages(&questions, &views, index, &sink),
            ] {
                if let Err(d) = result {
                    diags.extend(d);
                }
            }
            let made = made.into_inner().unwrap_or_else(|e| e.into_inner());
            new_pages.extend(made.into_iter().map(|p| (p.path, p.bytes)));
        }
        if diags.has_errors() {
            return Err(Halt::Failed(diags.sorted()));
        }
        // After a full render every excerpt is made; otherwise only the re-rendered
        // briefings' (below) can have changed.
        for b in site.briefings.iter().filter(|_| everything) {
            if let (false, Some(p)) = (
                self.excerpts.contains_key(&b.path),
                self.processed.get(&b.path),
            ) {
                self.excerpts
                    .insert(b.path.clone(), feeds::excerpt(&p.reader_text));
            }
        }
        for (_, path) in &before {
            match self.processed.get(path) {
                Some(p) => {
                    self.excerpts
                        .insert(path.clone(), feeds::excerpt(&p.reader_text));
                }
                None => {
                    self.excerpts.remove(path);
                }
            }
        }

        let copy_list = r.copies();
        let clashes = render::collisions(self.pages.keys().chain(new_pages.keys()), &copy_list);
        if clashes.has_errors() {
            return Err(Halt::Failed(clashes));
        }

        // Pages of briefings, speakers and questions that no longer exist (only possible when
        // the lists changed, and then every site-wide page was rendered again).
        let mut removed: Vec<PathBuf> = match lists {
            true => {
                let expected = expected_paths(site);
                self.pages
                    .keys()
                    .filter(|p| !expected.contains(p.as_path()) && !new_pages.contains_key(*p))
                    .cloned()
                    .collect()
            }
            false => Vec::new(),
        };
        if everything {
            removed = self
                .pages
                .keys()
                .filter(|p| !new_pages.contains_key(*p))
                .cloned()
                .collect();
        }
        for p in &removed {
            self.pages.remove(p);
        }
        let mut changed = Vec::new();
        for (path, bytes) in new_pages {
            if self.pages.get(&path).is_none_or(|old| **old != bytes) {
                changed.push(path.clone());
                self.pages.insert(path, Arc::new(bytes));
            }
        }
        let copies: BTreeMap<PathBuf, PathBuf> =
            copy_list.into_iter().map(|c| (c.to, c.from)).collect();
        for (to, from) in &copies {
            if self.copies.get(to) != Some(from) {
                changed.push(to.clone());
            }
        }
        removed.extend(
            self.copies
                .keys()
                .filter(|k| !copies.contains_key(*k))
                .cloned(),
        );
        self.copies = copies;
        Ok((changed, removed))
    }
}

/// One briefing as it was at the last render and as it is now (either side absent when it
/// was added or removed). Decides which dependent pages must be rendered again: a page is
/// skipped only when what it shows of this briefing is equal on both sides, so comparing
/// more than a page shows costs a render, never a stale page.
struct Change<'a> {
    /// Whether question pages may show everything of a quote or highlight (a site's own
    /// template), or only what the built-in one shows (not their notes).
    full_quotes_on_questions: bool,
    /// The same for the quotes a speaker relayed, on speaker pages.
    full_quotes_on_speakers: bool,
    old: Option<&'a BriefingView>,
    new: Option<&'a BriefingView>,
    old_model: Option<&'a Briefing>,
    new_model: Option<&'a Briefing>,
    old_excerpt: Option<&'a str>,
    new_excerpt: Option<String>,
}

impl<'a> Change<'a> {
    fn sides(&self) -> impl Iterator<Item = &'a BriefingView> {
        self.old.into_iter().chain(self.new)
    }

    fn locals_differ(&self) -> bool {
        let locals = |b: Option<&'a Briefing>| b.map(|b| (&b.local_speakers, &b.local_questions));
        locals(self.old_model) != locals(self.new_model)
    }

    /// Lists, index pages, tags, search, feed and sitemap show summaries, quotes (without
    /// notes), who speaks and on which question.
    fn touches_lists(&self) -> bool {
        let key = |v: Option<&'a BriefingView>| {
            v.map(|v| {
                let quotes: Vec<_> = v
                    .quotes
                    .iter()
                    .map(|q| (&q.id, &q.text, &q.speaker, &q.via, &q.questions, q.kind))
                    .collect();
                let highlights: Vec<_> = v
                    .highlights
                    .iter()
                    .map(|h| (&h.id, &h.text, &h.speaker, &h.questions, h.kind))
                    .collect();
                let questions: Vec<_> = v
                    .questions
                    .iter()
                    .map(|q| (&q.question, &q.positions))
                    .collect();
                let speakers: Vec<_> = v.speakers.iter().map(|s| &s.speaker).collect();
                (&v.summary, quotes, highlights, questions, speakers)
            })
        };
        self.old.is_none()
            || self.new.is_none()
            || key(self.old) != key(self.new)
            || self.old_excerpt != self.new_excerpt.as_deref()
            || self.locals_differ()
    }

    /// Speakers whose page shows something of this briefing that changed.
    fn changed_speakers(&self) -> Vec<&'a str> {
        let mut ids: BTreeSet<&'a str> = self
            .sides()
            .flat_map(|v| v.speakers.iter().map(|s| s.speaker.id.as_str()))
            .collect();
        for b in self.old_model.into_iter().chain(self.new_model) {
            ids.extend(b.local_speakers.iter().map(|s| s.id.as_str()));
        }
        let part = |v: Option<&'a BriefingView>, id: &str| {
            v.map(|v| {
                let quotes: Vec<&QuoteView> =
                    v.quotes.iter().filter(|q| q.speaker.id == id).collect();
                // Quotes the speaker relayed: the built-in page shows no note or question.
                let full = self.full_quotes_on_speakers;
                let relayed: Vec<_> = v
                    .quotes
                    .iter()
                    .filter(|q| q.speaker.id != id && q.via.iter().any(|s| s.id == id))
                    .map(|q| {
                        (
                            &q.id,
                            &q.text,
                            &q.url,
                            &q.speaker,
                            &q.via,
                            full.then_some(q),
                        )
                    })
                    .collect();
                let highlights: Vec<&HighlightView> = v
                    .highlights
                    .iter()
                    .filter(|h| h.speaker.as_ref().is_some_and(|s| s.id == id))
                    .collect();
                let positions: Vec<_> = v
                    .questions
                    .iter()
                    .flat_map(|q| q.positions.iter().map(move |p| (&q.question, p)))
                    .filter(|(_, p)| p.speaker.id == id)
                    .collect();
                (&v.summary, quotes, relayed, highlights, positions)
            })
        };
        let locals = self.locals_differ();
        ids.into_iter()
            .filter(|id| locals || part(self.old, id) != part(self.new, id))
            .collect()
    }

    /// Questions whose page shows something of this briefing that changed.
    fn changed_questions(&self) -> Vec<&'a str> {
        let mut ids: BTreeSet<&'a str> = BTreeSet::new();
        for v in self.sides() {
            ids.extend(v.questions.iter().map(|q| q.question.id.as_str()));
            ids.extend(
                v.quotes
                    .iter()
                    .flat_map(|q| q.questions.iter().map(|l| l.id.as_str())),
            );
            ids.extend(
                v.highlights
                    .iter()
                    .flat_map(|h| h.questions.iter().map(|l| l.id.as_str())),
            );
        }
        for b in self.old_model.into_iter().chain(self.new_model) {
            ids.extend(b.local_questions.iter().map(|q| q.id.as_str()));
        }
        let part = |v: Option<&'a BriefingView>, id: &str| {
            v.map(|v| {
                let on: Vec<_> = v.questions.iter().filter(|q| q.question.id == id).collect();
                let full = self.full_quotes_on_questions;
                let quotes: Vec<_> = v
                    .quotes
                    .iter()
                    .filter(|q| q.questions.iter().any(|l| l.id == id))
                    .map(|q| (q, full.then_some(&q.note_html)))
                    .map(|(q, note)| (&q.id, &q.text, q.kind, &q.speaker, &q.via, &q.url, note))
                    .collect();
                let highlights: Vec<_> = v
                    .highlights
                    .iter()
                    .filter(|h| h.questions.iter().any(|l| l.id == id))
                    .map(|h| (h, full.then_some((&h.note_html, &h.speaker))))
                    .map(|(h, more)| (&h.id, &h.text, h.kind, &h.url, more))
                    .collect();
                (&v.summary, on, quotes, highlights)
            })
        };
        let locals = self.locals_differ();
        ids.into_iter()
            .filter(|id| locals || part(self.old, id) != part(self.new, id))
            .collect()
    }
}

static EMPTY: Processed = Processed {
    body_html: String::new(),
    reader_text: String::new(),
    anchors: Vec::new(),
    links: Vec::new(),
};

/// The output paths whose pages a site has (briefing, speaker and question pages; the
/// site-wide pages are always re-rendered).
fn expected_paths(site: &Site) -> std::collections::HashSet<PathBuf> {
    let mut set = std::collections::HashSet::new();
    for b in &site.briefings {
        let dir = PathBuf::from("briefings").join(&b.slug);
        set.insert(dir.join("index.html"));
        set.insert(dir.join("annotations.jsonld"));
    }
    for id in site.speakers.keys() {
        set.insert(PathBuf::from("speakers").join(id).join("index.html"));
    }
    for id in site.questions.keys() {
        set.insert(PathBuf::from("questions").join(id).join("index.html"));
    }
    set
}

/// The `index.md` whose folder holds `rel`, if any.
fn owning_folder_briefing(root: &Path, rel: &Path) -> Option<PathBuf> {
    rel.ancestors()
        .skip(1)
        .take_while(|d| *d != Path::new(CONTENT_DIR))
        .map(|d| d.join("index.md"))
        .find(|index| root.join(index).is_file())
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::config::Overrides;

    /// A copy of the repository's sample site in a temporary folder.
    fn sample_site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        fs::copy(repo.join("brief.yaml"), dir.path().join("brief.yaml")).unwrap();
        for entry in walkdir::WalkDir::new(repo.join("content")) {
            let entry = entry.unwrap();
            let to = dir.path().join(entry.path().strip_prefix(repo).unwrap());
            if entry.file_type().is_dir() {
                fs::create_dir_all(&to).unwrap();
            } else {
                fs::copy(entry.path(), &to).unwrap();
            }
        }
        dir
    }

    fn workspace(root: &Path) -> Workspace {
        Workspace::new(BuildOptions {
            root: root.to_path_buf(),
            overrides: Overrides::default(),
            drafts: false,
            write: false,
            force: false,
        })
    }

    /// Every output path with what it serves (a copy: its source, relative to the site).
    fn output(ws: &Workspace) -> Vec<(PathBuf, Vec<u8>)> {
        let mut all: Vec<(PathBuf, Vec<u8>)> = ws
            .paths()
            .map(|p| match ws.get(p) {
                Some(Served::Page(bytes)) => (p.clone(), bytes.to_vec()),
                Some(Served::File(src)) => {
                    let rel = src.strip_prefix(&ws.opts.root).unwrap_or(&src);
                    (p.clone(), rel.to_string_lossy().as_bytes().to_vec())
                }
                None => unreachable!("a listed path serves nothing"),
            })
            .collect();
        all.sort();
        all
    }

    /// The output of a fresh build of the site as it is now.
    fn fresh(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut ws = workspace(root);
        assert!(!ws.rebuild().report.failed(), "the fresh build failed");
        output(&ws)
    }

    fn assert_same(ws: &Workspace, expected: &[(PathBuf, Vec<u8>)], step: &str) {
        let got = output(ws);
        let paths = |o: &[(PathBuf, Vec<u8>)]| o.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(
            paths(&got),
            paths(expected),
            "{step}: different output paths"
        );
        for ((p, x), (_, y)) in got.iter().zip(expected) {
            assert!(x == y, "{step}: {} differs from a fresh build", p.display());
        }
    }

    fn edit(root: &Path, rel: &str, from: &str, to: &str) -> PathBuf {
        let path = root.join(rel);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
        path
    }

    type Edit = fn(&Path) -> Vec<PathBuf>;

    /// Edits of every scope but brief.yaml's (which rebuilds everything, see below): a note,
    /// words the lists show, a date (the order changes), a removed briefing, and a removal
    /// saved with a note (so that an update can stop between two articles).
    const EDITS: [(&str, Edit); 5] = [
        ("a note", |root| {
            vec![edit(
                root,
                "content/2023/nato-troops-ukraine.yaml",
                "Sputnik's summary",
                "An edited summary",
            )]
        }),
        ("a title", |root| {
            vec![edit(
                root,
                "content/2023/after-vilnius.md",
                "who moved, who held",
                "who moved",
            )]
        }),
        ("a date", |root| {
            vec![edit(
                root,
                "content/2023/after-vilnius.md",
                "date: 2023-07-13",
                "date: 2023-06-01",
            )]
        }),
        ("a removal", |root| {
            let md = root.join("content/2023/after-vilnius.md");
            let yaml = md.with_extension("yaml");
            fs::remove_file(&md).unwrap();
            fs::remove_file(&yaml).unwrap();
            vec![md, yaml]
        }),
        ("a removal and a note", |root| {
            let md = root.join("content/2023/after-vilnius.md");
            fs::remove_file(&md).unwrap();
            fs::remove_file(md.with_extension("yaml")).unwrap();
            let yaml = edit(
                root,
                "content/2023/nato-troops-ukraine.yaml",
                "Sputnik's summary",
                "An edited summary",
            );
            vec![md, yaml]
        }),
    ];

    /// Says "superseded" from its `n`th question on (counting from 0).
    fn stop_after(n: usize) -> impl Fn() -> bool + Sync {
        let asked = AtomicUsize::new(0);
        move || asked.fetch_add(1, Ordering::SeqCst) >= n
    }

    /// The newer save that supersedes an update: another briefing's note.
    fn newer_save(root: &Path) -> PathBuf {
        edit(
            root,
            "content/2023/nato-ukraine-council.yaml",
            "note:",
            "note: Newer.",
        )
    }

    /// Stopped at its first, second, ... question, an update followed by one given only what
    /// changed since (a newer save, or nothing) leaves exactly the output of a fresh build.
    #[test]
    fn an_update_stopped_anywhere_is_completed_by_the_next() {
        for (name, make_edit) in EDITS {
            for with_newer in [false, true] {
                let expected = {
                    let site = sample_site();
                    make_edit(site.path());
                    if with_newer {
                        newer_save(site.path());
                    }
                    fresh(site.path())
                };
                for stopped_at in 0.. {
                    let site = sample_site();
                    let root = site.path();
                    let mut ws = workspace(root);
                    assert!(!ws.rebuild().report.failed());
                    let paths = make_edit(root);
                    let update = ws.apply_until(&paths, &stop_after(stopped_at));
                    if !update.superseded {
                        // Asked fewer times than that: every stopping point was tried.
                        assert!(stopped_at > 2, "{name}: the update was hardly asked");
                        if !with_newer {
                            assert_same(&ws, &expected, &format!("{name}, not stopped"));
                        }
                        break;
                    }
                    assert!(update.changed.is_empty() && update.removed.is_empty());
                    assert!(update.report.diagnostics.0.is_empty());
                    // The next update is given only what changed since.
                    let newer: Vec<PathBuf> =
                        with_newer.then(|| newer_save(root)).into_iter().collect();
                    let update = ws.apply(&newer);
                    assert!(!update.superseded && !update.report.failed(), "{name}");
                    let step = format!(
                        "{name}, stopped at question {stopped_at}, newer save: {with_newer}"
                    );
                    assert_same(&ws, &expected, &step);
                }
            }
        }
    }

    /// A rebuild (the first build, or after brief.yaml changed) stopped anywhere, then the
    /// workspace brought up to date by the next update.
    #[test]
    fn a_rebuild_stopped_anywhere_is_completed_by_the_next_update() {
        let expected = {
            let site = sample_site();
            newer_save(site.path());
            fresh(site.path())
        };
        for stopped_at in 0.. {
            let site = sample_site();
            let root = site.path();
            let mut ws = workspace(root);
            if !ws.rebuild_until(&stop_after(stopped_at)).superseded {
                assert!(stopped_at > 2, "the rebuild was hardly asked");
                break;
            }
            let update = ws.apply(&[newer_save(root)]);
            assert!(!update.superseded && !update.report.failed());
            assert!(update.full, "what the stopped rebuild left is done in full");
            assert_same(&ws, &expected, &format!("stopped at question {stopped_at}"));
        }
    }

    /// What a stopped update finished is kept: the next one does not anchor it again.
    #[test]
    fn a_stopped_update_keeps_the_briefings_it_anchored() {
        let site = sample_site();
        let root = site.path();
        let mut ws = workspace(root);
        assert!(!ws.rebuild().report.failed());
        let md = edit(
            root,
            "content/2023/after-vilnius.md",
            "Five weeks ago",
            "Five weeks before",
        );
        let key = PathBuf::from("content/2023/after-vilnius.md");
        // Stopped once anchoring is over (asked before reloading the article, before anchoring
        // it, and after): its pages wait, its anchoring is kept.
        assert!(
            ws.apply_until(std::slice::from_ref(&md), &stop_after(2))
                .superseded
        );
        assert!(
            ws.processed.contains_key(&key),
            "the anchored article is kept"
        );
        assert!(ws.stale.contains(&key), "its pages are still to render");
        let update = ws.apply(&[md]);
        assert!(
            update
                .changed
                .contains(&PathBuf::from("briefings/after-vilnius/index.html"))
        );
        assert_same(&ws, &fresh(root), "after the stopped update");
    }
}

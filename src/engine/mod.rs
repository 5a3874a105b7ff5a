//! The engine: the one pipeline that `build`, `check` and `serve` run.
//!
//! It keeps a site as values: the site-wide [`Inputs`], one [`Unit`] per briefing, the
//! assembled [`Site`], and the record of the pages made. [`Engine::update`] brings them up to
//! date with the files on disk and makes the pages that changed:
//!
//! 1. **reload** what changed (everything the first time, or when `brief.yaml`, a registry or
//!    a template changed; otherwise the edited briefings);
//! 2. **assemble** the site from the units;
//! 3. **make** each changed briefing's pages (anchor, view, page), in parallel;
//! 4. **make** the speaker, question and list pages whose parts changed (see `changes`);
//! 5. **check** links and collisions;
//! 6. hand the pages over (`Output`): written into a staging folder that replaces the output
//!    only if everything succeeded, kept for `serve`, or dropped for `check`.
//!
//! `build` and `check` run it once over everything; `serve` keeps an engine and updates it
//! after each save. An update can be told that it is no longer wanted (a newer save came
//! in): it stops at the next stage or briefing, and what it did not finish waits for the
//! next update. On errors nothing is handed over, and the next update makes again whatever
//! was left unmade. This module prints nothing.

mod changes;
mod inputs;
mod pages;
mod unit;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{self, CONTENT_DIR, STATIC_DIR};
use crate::model::{ArticleText, Site};
use crate::render::cross::CrossIndex;
use crate::render::lists::{self, ListEntry};
use crate::render::view::BriefingView;
use crate::render::{self, Copy, Page, Renderer};
use crate::{BuildOptions, Report, links, write};
pub use inputs::Inputs;
use pages::{Maker, Recorder, Records, To};
pub use unit::{Made, Unit};

/// Where an update's pages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Nowhere (`check`): pages are made and checked, then dropped.
    Nowhere,
    /// Into the output folder (`build`), which is replaced only when everything succeeded.
    Folder,
    /// Handed over in [`Update::pages`] (`serve`).
    Kept,
}

/// What one update did.
#[derive(Debug, Default)]
pub struct Update {
    pub report: Report,
    /// The pages made (with [`Output::Kept`], when the update succeeded).
    pub pages: Vec<Page>,
    /// Output paths of pages no longer made.
    pub removed: Vec<PathBuf>,
    /// Every file copied as is, as it now stands.
    pub copies: Vec<Copy>,
    /// True when everything was made again.
    pub full: bool,
    /// True when the update stopped because it was superseded: nothing was handed over, the
    /// report is empty, and what is left to do waits for the next update.
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

/// Asked between stages and between briefings while an update runs: once it answers true,
/// the update stops at the next such point.
pub type Superseded<'a> = &'a (dyn Fn() -> bool + Sync);

/// Never supersedes: the update runs to its end.
pub fn never() -> bool {
    false
}

/// Which files changed.
#[derive(Debug, Clone)]
pub enum Changes {
    /// Everything may have (the first update).
    All,
    /// These files, absolute or relative to the site root.
    Files(Vec<PathBuf>),
}

/// What the next update must make again, because it changed since the pages were last made
/// (and that update failed or was superseded, or has not run).
#[derive(Debug, Default)]
struct Dirty {
    all: bool,
    /// Articles reloaded whose pages are not made yet.
    units: BTreeSet<PathBuf>,
    /// Articles a superseded update did not get to reload.
    unloaded: BTreeSet<PathBuf>,
    /// Briefings gone since their pages were made: what their pages were made from.
    gone: Vec<Made>,
}

pub struct Engine {
    opts: BuildOptions,
    inputs: Option<Arc<Inputs>>,
    /// Files found by walking `content/` and `static/`, and the problems found doing so.
    static_files: Vec<PathBuf>,
    walk_diags: BTreeMap<PathBuf, Vec<Diagnostic>>,
    units: BTreeMap<PathBuf, Unit>,
    /// The site last assembled, and whether it was assembled without any diagnostic.
    site: Option<Site>,
    assembled_clean: bool,
    dirty: Dirty,
    /// Every page made, and each briefing's link diagnostics as last checked.
    records: Records,
    link_diags: BTreeMap<PathBuf, Vec<Diagnostic>>,
}

impl Engine {
    /// An engine for `opts.root`; nothing is read until the first update.
    pub fn new(opts: BuildOptions) -> Self {
        Engine {
            opts,
            inputs: None,
            static_files: Vec::new(),
            walk_diags: BTreeMap::new(),
            units: BTreeMap::new(),
            site: None,
            assembled_clean: false,
            dirty: Dirty {
                all: true,
                ..Dirty::default()
            },
            records: Records::new(),
            link_diags: BTreeMap::new(),
        }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.opts
    }

    /// The files copied as they are (those of the site last assembled).
    pub fn copies(&self) -> Vec<Copy> {
        match (&self.site, &self.inputs) {
            (Some(site), Some(inputs)) => match &inputs.templates {
                Some(t) => Renderer::new(site, t).copies(),
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Brings the site up to date with `changes` and makes what changed; see the module's
    /// comment. With [`Output::Folder`], the output folder is replaced at the end.
    pub fn update(&mut self, changes: &Changes, output: Output, superseded: Superseded) -> Update {
        let start = Instant::now();
        let mut report = Report::default();
        if !self.reload(changes, superseded) {
            return Update::superseded();
        }
        let Some(inputs) = self.inputs.clone() else {
            // The configuration cannot be read: nothing else can be.
            report.add(self.walk_diags.values().flatten().cloned());
            return self.finish(report, Vec::new(), Vec::new());
        };
        report.add(self.walk_diags.values().flatten().cloned());
        for u in self.units.values() {
            report.add(u.diags.iter().cloned());
        }
        let site = self.assemble(&mut report);
        report.briefings = site.briefings.len();
        report.timings.load = start.elapsed();
        if superseded() {
            self.site = Some(site);
            return Update::superseded();
        }
        let templates = match &inputs.templates {
            Some(t) if !report.failed() => t,
            // Nothing is made (the report says why), but every article is still anchored,
            // so that one run reports every problem.
            _ => {
                let start = Instant::now();
                self.anchor_dirty(&site, &mut report);
                report.timings.anchor = start.elapsed();
                self.site = Some(site);
                return self.finish(report, Vec::new(), Vec::new());
            }
        };
        let start = Instant::now();
        let staging = match output {
            Output::Folder => {
                let out = &site.config.output_dir;
                match write::Staging::create(&site.root, out, self.opts.force) {
                    Ok(s) => Some(s),
                    Err(d) => {
                        report.add([d]);
                        self.site = Some(site);
                        return self.finish(report, Vec::new(), Vec::new());
                    }
                }
            }
            _ => None,
        };
        let to = match (&staging, output) {
            (Some(s), _) => To::Staging(s),
            (None, Output::Kept) => To::Kept,
            (None, _) => To::Nowhere,
        };
        // Pages' ids matter only to links with a fragment; `serve` must know them all, since
        // an edit can add such a link to any briefing at any time.
        let units = &self.units;
        let ids = output == Output::Kept
            || (site.briefings.par_iter()).any(|b| {
                let text = units.get(&b.path).and_then(|u| u.text.as_ref());
                links::values_may_link_fragment(b)
                    || text.is_some_and(|t| links::may_have_fragment(t.body()))
            });
        let recorder = Recorder::new(to, ids);
        let r = Renderer::new(&site, templates);
        let all = self.dirty.all;
        // A build's units give their article up once their pages are made; `serve`'s keep it
        // until the update succeeds, since a failed one makes them again.
        let keep_texts = output == Output::Kept;
        let made = self.make(&r, &recorder, keep_texts, &mut report, superseded);
        let Some(made) = made else {
            self.site = Some(site);
            return Update::superseded();
        };
        let (recorded, kept) = recorder.finish();
        let copies = r.copies();
        if report.failed() {
            self.site = Some(site);
            return self.finish(report, Vec::new(), Vec::new());
        }
        // The record is what was handed over: on a failure below, the pages made now are
        // made again by the next update, and the record is as before.
        let before = self.records.clone();
        let removed = self.record(&made, recorded, ids);
        report.pages = self.records.len() + copies.len();
        report.add(self.check(&site, &copies, &made));
        if report.failed() {
            self.records = before;
        }
        report.timings.render = start.elapsed().saturating_sub(report.timings.anchor);
        if report.failed() {
            // Nothing is handed over: everything changed is made again by the next update.
            self.site = Some(site);
            return self.finish(report, Vec::new(), Vec::new());
        }
        if let Some(staging) = staging {
            let start = Instant::now();
            let written = copies
                .par_iter()
                .try_for_each(|c| staging.copy(c))
                .and_then(|()| staging.commit());
            report.timings.write = start.elapsed();
            if let Err(d) = written {
                report.add([d]);
                self.site = Some(site);
                return self.finish(report, Vec::new(), Vec::new());
            }
            report.output_dir = Some(site.config.output_dir.clone());
        }
        self.site = Some(site);
        self.made(made.fresh);
        let mut update = self.finish(report, kept, removed);
        update.full = all;
        update.copies = copies;
        update
    }

    /// Reloads what `changes` touched; false when superseded before every change was read.
    fn reload(&mut self, changes: &Changes, superseded: Superseded) -> bool {
        let files = match changes {
            Changes::Files(files) if self.inputs.is_some() && !self.dirty.all => files,
            _ => return self.reload_all(superseded),
        };
        let mut articles: BTreeSet<PathBuf> = std::mem::take(&mut self.dirty.unloaded);
        let mut statics = false;
        for f in files {
            let rel = f.strip_prefix(&self.opts.root).unwrap_or(f);
            match self.scope_of(rel) {
                Scope::Everything => return self.reload_all(superseded),
                Scope::Article(a) => {
                    articles.insert(a);
                }
                Scope::Static => statics = true,
                Scope::Nothing => {}
            }
        }
        if statics {
            let mut diags = Diagnostics::default();
            self.static_files = load::find_files(&self.opts.root, &mut diags).static_files;
        }
        let paths: Vec<PathBuf> = articles.iter().cloned().collect();
        for (i, article) in paths.iter().enumerate() {
            if superseded() {
                self.dirty.unloaded.extend(paths[i..].iter().cloned());
                return false;
            }
            self.reload_article(article);
        }
        true
    }

    /// Reads everything again.
    fn reload_all(&mut self, superseded: Superseded) -> bool {
        let mut diags = Diagnostics::default();
        let (inputs, files) = rayon::join(
            || {
                let mut d = Diagnostics::default();
                (Inputs::load(&self.opts, &mut d), d)
            },
            || load::find_files(&self.opts.root, &mut diags),
        );
        let (inputs, input_diags) = inputs;
        self.dirty = Dirty {
            all: true,
            ..Dirty::default()
        };
        self.site = None;
        self.walk_diags.clear();
        for d in input_diags.into_iter().chain(diags) {
            let key = d.file.clone().unwrap_or_default();
            self.walk_diags.entry(key).or_default().push(d);
        }
        self.static_files = files.static_files;
        self.units.clear();
        self.inputs = inputs.map(Arc::new);
        let Some(inputs) = self.inputs.clone() else {
            return true;
        };
        let (root, drafts) = (&self.opts.root, self.opts.drafts);
        let units: Option<Vec<Unit>> = files
            .articles
            .par_iter()
            .map(|f| (!superseded()).then(|| Unit::load(root, f, &inputs.registries, drafts)))
            .collect();
        let Some(units) = units else {
            self.inputs = None;
            return false;
        };
        self.units = units.into_iter().map(|u| (u.path().clone(), u)).collect();
        true
    }

    /// Reloads one article's unit, or drops it if the article is gone.
    fn reload_article(&mut self, article: &Path) {
        let root = &self.opts.root;
        let ann = article.with_extension("yaml");
        self.walk_diags.remove(&ann);
        self.dirty.units.insert(article.to_path_buf());
        let old = self.units.remove(article);
        let old_made = old.and_then(|u| u.made);
        if !root.join(article).is_file() {
            self.dirty.gone.extend(old_made);
            if root.join(&ann).is_file() {
                self.walk_diags
                    .insert(ann.clone(), vec![load::orphan(&ann)]);
            }
            return;
        }
        let Some(inputs) = &self.inputs else {
            return;
        };
        let files = load::article_files(root, article);
        let mut unit = Unit::load(root, &files, &inputs.registries, self.opts.drafts);
        // What its pages were made from stays until they are made again.
        unit.made = old_made;
        self.units.insert(article.to_path_buf(), unit);
    }

    /// Which part of the site a changed file (relative to the root) belongs to.
    fn scope_of(&self, rel: &Path) -> Scope {
        if Inputs::is_input(rel) {
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
        let root = &self.opts.root;
        match rel.extension().and_then(|e| e.to_str()) {
            Some("md") => Scope::Article(rel.to_path_buf()),
            Some("yaml") => Scope::Article(rel.with_extension("md")),
            _ => match load::owning_folder_briefing(root, rel) {
                Some(article) => Scope::Article(article),
                // A new folder or a file no briefing owns: walk again.
                None if root.join(rel).is_dir() => Scope::Everything,
                None => Scope::Nothing,
            },
        }
    }

    /// The site from the units: the last site with the changed briefings swapped in when that
    /// is exactly what assembling again would give, else assembled again.
    fn assemble(&mut self, report: &mut Report) -> Site {
        let inputs = self.inputs.as_ref().expect("inputs are loaded");
        let all_resolved = !report.failed();
        if let Some(site) = self.swap_in(all_resolved) {
            return site;
        }
        let (site, diags) = crate::resolve::assemble(
            &self.opts.root,
            inputs.config.clone(),
            &inputs.registries,
            self.units.values().map(|u| &u.briefing),
            self.static_files.clone(),
            // Whatever an error left out (a briefing, a registry entry, a quote) would make
            // what it uses look unused.
            all_resolved,
        );
        self.assembled_clean = all_resolved && diags.is_empty();
        report.add(diags);
        site
    }

    /// The last assembled site with the changed briefings swapped in, when the last assembly
    /// was clean, every briefing resolves, no briefing came or went, and each changed one
    /// keeps its slug, date, local definitions and the speakers and questions it uses (so
    /// its place in the order and every site-wide check stay the same). Assembling a large
    /// site again was a visible share of each edit's time.
    fn swap_in(&self, all_resolved: bool) -> Option<Site> {
        let before = self.site.as_ref()?;
        if !(self.assembled_clean && all_resolved) || self.dirty.all {
            return None;
        }
        if before.static_files != self.static_files || !self.dirty.gone.is_empty() {
            return None;
        }
        let mut site = before.clone();
        let at: std::collections::HashMap<&Path, usize> = match self.dirty.units.len() {
            0 => Default::default(),
            _ => (site.briefings.iter().enumerate())
                .map(|(i, b)| (b.path.as_path(), i))
                .collect(),
        };
        let mut swaps = Vec::new();
        for path in &self.dirty.units {
            let new = self.units.get(path)?.briefing.clone()?;
            let i = *at.get(path.as_path())?;
            let old = &before.briefings[i];
            let same = old.slug == new.slug
                && old.date == new.date
                && old.local_speakers == new.local_speakers
                && old.local_questions == new.local_questions
                && crate::resolve::uses(old) == crate::resolve::uses(&new);
            if !same {
                return None;
            }
            swaps.push((i, new));
        }
        for (i, new) in swaps {
            site.briefings[i] = new;
        }
        Some(site)
    }

    /// Anchors the briefings not anchored since they were loaded, for their diagnostics
    /// only (nothing is made while the site has errors); adds every briefing's.
    fn anchor_dirty(&mut self, site: &Site, report: &mut Report) {
        let allow_html = site.config.allow_raw_html;
        let todo: Vec<(&PathBuf, &Arc<crate::model::Briefing>, &ArticleText)> = (self.units.iter())
            .filter(|(_, u)| u.anchor_diags.is_none())
            .filter_map(|(p, u)| Some((p, u.briefing.as_ref()?, u.text.as_ref()?)))
            .collect();
        let found: Vec<(PathBuf, Diagnostics)> = todo
            .par_iter()
            .map(|(p, b, text)| {
                let diags = crate::article::process(b, text, allow_html)
                    .err()
                    .unwrap_or_default();
                ((*p).clone(), diags)
            })
            .collect();
        for (path, diags) in found {
            if let Some(u) = self.units.get_mut(&path) {
                u.anchor_diags = Some(diags);
            }
        }
        for u in self.units.values() {
            report.add(u.anchor_diags.iter().flat_map(|d| d.iter().cloned()));
        }
    }

    /// Makes the pages of the changed briefings and every page that depends on them. `None`
    /// when superseded (before any unit's new state was kept).
    fn make(
        &mut self,
        r: &Renderer,
        sink: &Recorder,
        keep_texts: bool,
        report: &mut Report,
        superseded: Superseded,
    ) -> Option<MadeNow> {
        let site = r.site();
        let all = self.dirty.all;
        // The briefings whose pages are made now: every one, or the changed ones.
        let mut todo: Vec<(PathBuf, Arc<crate::model::Briefing>, ArticleText)> = Vec::new();
        for b in (site.briefings.iter()).filter(|b| all || self.dirty.units.contains(&b.path)) {
            let Some(u) = self.units.get_mut(&b.path) else {
                continue;
            };
            let text = match keep_texts {
                true => u.text.clone(),
                false => u.text.take(),
            };
            todo.extend(text.map(|t| (b.path.clone(), b.clone(), t)));
        }
        let anchoring = std::sync::atomic::AtomicU64::new(0);
        let results: Option<Vec<(PathBuf, Result<Made, Diagnostics>)>> = todo
            .into_par_iter()
            .map(|(path, b, text)| {
                if superseded() {
                    return None;
                }
                let start = Instant::now();
                let made = unit::make(&b, &text, r, &mut |page| render::PageSink::page(sink, page));
                let nanos = start.elapsed().as_nanos() as u64;
                anchoring.fetch_add(nanos, std::sync::atomic::Ordering::Relaxed);
                Some((path, made))
            })
            .collect();
        let threads = rayon::current_num_threads().max(1) as u64;
        report.timings.anchor = Duration::from_nanos(anchoring.into_inner() / threads);
        let results = results.filter(|_| !superseded())?;
        // From here on the update runs to its end.
        let mut now = MadeNow {
            all,
            ..MadeNow::default()
        };
        for (path, result) in results {
            let Some(u) = self.units.get_mut(&path) else {
                continue;
            };
            match result {
                Ok(made) => {
                    u.anchor_diags = Some(Diagnostics::default());
                    now.makers
                        .insert(Maker::Briefing(made.briefing.slug.clone()));
                    if let Some(old) = &u.made {
                        now.makers
                            .insert(Maker::Briefing(old.briefing.slug.clone()));
                    }
                    now.fresh.insert(path.clone(), made);
                }
                Err(d) => u.anchor_diags = Some(d),
            }
            now.units.push(path);
        }
        for u in self.units.values() {
            report.add(u.anchor_diags.iter().flat_map(|d| d.iter().cloned()));
        }
        // Briefings gone: their pages go.
        for g in &self.dirty.gone {
            now.makers.insert(Maker::Briefing(g.briefing.slug.clone()));
        }
        if report.failed() {
            return Some(now);
        }
        // What each briefing's pages are made from now, in site order.
        let table: Vec<&Made> = (site.briefings.iter())
            .filter_map(|b| {
                now.fresh
                    .get(&b.path)
                    .or(self.units.get(&b.path)?.made.as_ref())
            })
            .collect();
        if table.len() != site.briefings.len() {
            report.add([Diagnostic::error(
                "internal",
                "a briefing's pages were not made; this is a bug in brief",
            )
            .help("please report it with the site that shows it")]);
            return Some(now);
        }
        let views: Vec<&BriefingView> = table.iter().map(|m| &*m.view).collect();
        let depends = match all {
            true => changes::Dependents::everything(site),
            false => {
                let old = |path: &PathBuf| self.units.get(path).and_then(|u| u.made.as_ref());
                let mut pairs: Vec<(Option<&Made>, Option<&Made>)> = (now.fresh.iter())
                    .map(|(path, new)| (old(path), Some(new)))
                    .collect();
                pairs.extend(self.dirty.gone.iter().map(|g| (Some(g), None)));
                changes::Dependents::of(&pairs)
            }
        };
        now.makers.extend(depends.makers());
        let speakers: Vec<&str> = depends.speakers.iter().map(String::as_str).collect();
        let questions: Vec<&str> = depends.questions.iter().map(String::as_str).collect();
        let only = (!all).then_some((speakers.as_slice(), questions.as_slice()));
        let index = CrossIndex::build_for(site, &views, only);
        let entries: Vec<ListEntry> = match depends.lists {
            true => table.iter().map(|m| m.list_entry()).collect(),
            false => Vec::new(),
        };
        let (listed, (by_speaker, by_question)) = rayon::join(
            || match depends.lists {
                true => lists::site_pages(r, &entries, sink).map(drop),
                false => Ok(()),
            },
            || {
                rayon::join(
                    || r.speaker_pages(&speakers, &views, &index, sink),
                    || r.question_pages(&questions, &views, &index, sink),
                )
            },
        );
        for result in [listed, by_speaker.map(drop), by_question.map(drop)] {
            if let Err(d) = result {
                report.add(d);
            }
        }
        Some(now)
    }

    /// Keeps what the pages handed over were made from: nothing is left to make again.
    fn made(&mut self, fresh: BTreeMap<PathBuf, Made>) {
        for (path, made) in fresh {
            if let Some(u) = self.units.get_mut(&path) {
                u.made = Some(made);
            }
        }
        self.dirty = Dirty::default();
    }

    /// Notes the pages made; returns the paths of pages no longer made: after making
    /// everything, those not made now; otherwise those of a maker that made pages now but not
    /// these.
    fn record(
        &mut self,
        made: &MadeNow,
        recorded: Vec<(String, pages::Record)>,
        ids: bool,
    ) -> Vec<PathBuf> {
        let made_now: HashSet<&str> = recorded.iter().map(|(p, _)| p.as_str()).collect();
        let gone: Vec<String> = (self.records.iter())
            .filter(|(p, rec)| {
                (made.all || made.makers.contains(&rec.maker)) && !made_now.contains(p.as_str())
            })
            .map(|(p, _)| p.clone())
            .collect();
        for p in &gone {
            self.records.remove(p);
        }
        if !ids {
            // Ids are kept for every page or for none.
            for rec in self.records.values_mut() {
                rec.ids = None;
            }
        }
        self.records.extend(recorded);
        gone.into_iter().map(PathBuf::from).collect()
    }

    /// Links and collisions: every briefing's links when pages came or went or some link
    /// has a fragment (pages' ids may have changed); otherwise those of the briefings made
    /// again, the others' results kept.
    fn check(&mut self, site: &Site, copies: &[Copy], made: &MadeNow) -> Diagnostics {
        let mut diags = render::collisions(self.records.keys().map(String::as_str), copies);
        let fragments = self.records.values().any(|r| r.ids.is_some());
        let all =
            made.all || fragments || !made.makers.iter().all(|m| matches!(m, Maker::Briefing(_)));
        let units = &self.units;
        let items: Vec<(&crate::model::Briefing, &[links::LinkAt])> = (site.briefings.iter())
            .filter(|b| all || made.fresh.contains_key(&b.path))
            .filter_map(|b| {
                let m = made
                    .fresh
                    .get(&b.path)
                    .or(units.get(&b.path)?.made.as_ref())?;
                Some((b.as_ref(), m.links.as_slice()))
            })
            .collect();
        let targets = links::Targets::new(&self.records, copies);
        let results = links::check_each(site, &items, &targets);
        if all {
            self.link_diags.clear();
        }
        for ((b, _), d) in items.iter().zip(results) {
            self.link_diags.insert(b.path.clone(), d);
        }
        for d in self.link_diags.values() {
            diags.extend(d.iter().cloned());
        }
        diags
    }

    /// The update's result: its report sorted, with the texts its diagnostics name.
    fn finish(&mut self, mut report: Report, pages: Vec<Page>, removed: Vec<PathBuf>) -> Update {
        if !report.diagnostics.is_empty() {
            let inputs = self.inputs.iter().flat_map(|i| i.sources.iter());
            let units = self.units.values().flat_map(|u| u.sources.iter());
            report.keep_sources(inputs.chain(units));
            report.read_missing_sources(&self.opts.root);
        }
        report.diagnostics = std::mem::take(&mut report.diagnostics).sorted();
        Update {
            report,
            pages,
            removed,
            ..Update::default()
        }
    }
}

/// What one update made.
#[derive(Debug, Default)]
struct MadeNow {
    /// Whether everything was made.
    all: bool,
    /// The articles whose pages were made (or that failed to anchor).
    units: Vec<PathBuf>,
    /// What the pages made now were made from, by article; kept in the units only if the
    /// update succeeds.
    fresh: BTreeMap<PathBuf, Made>,
    /// Who made pages.
    makers: HashSet<Maker>,
}

/// How a changed path affects the site.
#[derive(Debug, PartialEq, Eq)]
enum Scope {
    Everything,
    Article(PathBuf),
    Static,
    Nothing,
}

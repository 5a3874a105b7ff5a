//! Rendering: from the site and its processed articles to the bytes of every output file.
//!
//! Rendering does no I/O: it makes [`Page`]s (in memory) and lists the files to [`Copy`]; it
//! hands pages to a sink of the caller's as they are made, and the `write` stage puts them on
//! disk. Shared data (the site view) is serialised once and cloned
//! cheaply into each page's context; briefing views are built once, in parallel, and reused
//! by the speaker and question pages.

pub mod feeds;
pub mod jsonld;
mod native;
pub mod search;
pub mod tags;
pub mod templates;
pub mod view;

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use crate::article::Processed;
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown::is_dangerous_url;
use crate::model::{Briefing, QuestionStatus, Shift, Site, SpeakerKind};
use templates::{SCRIPT, STYLESHEET, Templates};
use view::*;

/// A file to write, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// A file to copy as is: from (relative to the site root) to (relative to the output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub from: PathBuf,
    pub to: PathBuf,
}

/// A short content hash for cache-busting asset names (FNV-1a; not for security).
fn fingerprint(data: &str) -> String {
    let mut print = Fingerprint::default();
    print.update(data.as_bytes());
    print.hex()
}

/// FNV-1a over bytes given in any number of pieces, for [`fingerprint`] and for files
/// written in pieces (the search index), whose hash is known only once they are written.
#[derive(Debug, Clone, Copy)]
struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }
}

impl Fingerprint {
    fn update(&mut self, data: &[u8]) {
        for &b in data {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The high 32 bits, in hex.
    fn hex(self) -> String {
        format!("{:08x}", self.0 >> 32)
    }
}

/// A writer that fingerprints the bytes it passes on.
struct Fingerprinting<'w> {
    out: &'w mut dyn Write,
    print: &'w mut Fingerprint,
}

impl Write for Fingerprinting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.print.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Briefings per page of the index.
pub const INDEX_PAGE_SIZE: usize = 50;

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

/// Writes a page of a built-in template without Tera (see [`native`]): the site, the page,
/// its view and a guess of its size.
type NativeWriter<V> = fn(&SiteView, &PageMeta, &V, usize) -> Vec<u8>;

/// How one kind of page with a [`native`] writer is made.
struct PageWay {
    /// The template, e.g. `briefing.html`.
    template: &'static str,
    /// Whether [`native`] writes it: the site overrides neither it nor `base.html`.
    native: bool,
    /// The size of the last page written, to size the next one's buffer.
    last_size: AtomicUsize,
}

impl PageWay {
    fn new(templates: &Templates, template: &'static str) -> Self {
        PageWay {
            template,
            native: templates.is_builtin(template) && templates.is_builtin("base.html"),
            last_size: AtomicUsize::new(0),
        }
    }
}

/// A briefing's view and pages, or why its template failed.
pub type RenderedBriefing = Result<(BriefingView, Vec<Page>), Diagnostic>;

/// Renders pages of one site. Holds what every page shares, serialised once.
pub struct Renderer<'a> {
    site: &'a Site,
    templates: &'a Templates,
    urls: Urls,
    links: Links,
    site_view: SiteView,
    /// The site view as a Tera value: shared maps, so each page's copy is cheap.
    site_value: tera::Value,
    /// Briefing, speaker and question pages: written by [`native`] or by Tera.
    briefing_page: PageWay,
    speaker_page: PageWay,
    question_page: PageWay,
    css_name: String,
    js_name: String,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, templates: &'a Templates) -> Self {
        let urls = Urls {
            base_path: site.config.base_path(),
            base_url: site.config.base_url.clone(),
        };
        let css_name = format!("assets/style.{}.css", fingerprint(STYLESHEET));
        let js_name = format!("assets/brief.{}.js", fingerprint(SCRIPT));
        let site_view = SiteView {
            title: site.config.title.clone(),
            description: site.config.description.clone(),
            language: site.config.language.clone(),
            base_url: site.config.base_url.clone(),
            base_path: urls.base_path.clone(),
            stylesheet_url: format!("{}{css_name}", urls.base_path),
            script_url: format!("{}{js_name}", urls.base_path),
        };
        Renderer {
            links: Links::new(site, &urls),
            site,
            templates,
            site_value: tera::Value::from_serializable(&site_view),
            site_view,
            briefing_page: PageWay::new(templates, "briefing.html"),
            speaker_page: PageWay::new(templates, "speaker.html"),
            question_page: PageWay::new(templates, "question.html"),
            urls,
            css_name,
            js_name,
        }
    }

    fn look(&self) -> Lookup<'_> {
        Lookup::new(self.site, &self.urls, &self.links)
    }

    fn meta(&self, title: &str, url: String, kind: &'static str) -> PageMeta {
        PageMeta {
            title: title.to_string(),
            permalink: self.urls.permalink(&url),
            url,
            kind,
        }
    }

    fn context(&self, title: &str, url: String, kind: &'static str) -> tera::Context {
        self.context_of(&self.meta(title, url, kind))
    }

    fn context_of(&self, meta: &PageMeta) -> tera::Context {
        let mut c = tera::Context::new();
        c.insert_value("site", self.site_value.clone());
        c.insert("page", meta);
        c
    }

    fn page(&self, template: &str, path: PathBuf, c: &tera::Context) -> Result<Page, Diagnostic> {
        Ok(Page {
            path,
            bytes: self.templates.render(template, c)?,
        })
    }

    /// A briefing's page and its `annotations.jsonld`, and the view other pages reuse.
    pub fn briefing(&self, b: &Briefing, p: &Processed) -> RenderedBriefing {
        let look = self.look().within(b);
        let view = briefing_view(b, p, &look, jsonld::schema_org(b, p, &look));
        let meta = self.meta(&b.title, self.urls.briefing(&b.slug), "briefing");
        let dir = PathBuf::from("briefings").join(&b.slug);
        let html = Page {
            path: dir.join("index.html"),
            bytes: self.page_of(&self.briefing_page, native::briefing_page, &meta, &view)?,
        };
        let collection = Page {
            path: dir.join("annotations.jsonld"),
            bytes: jsonld::annotation_collection(b, p, &look),
        };
        Ok((view, vec![html, collection]))
    }

    /// A page of `template`, which receives `view` as `key`.
    fn tera_page(
        &self,
        template: &str,
        meta: &PageMeta,
        key: &'static str,
        view: &impl Serialize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut c = self.context_of(meta);
        c.insert(key, view);
        self.templates.render(template, &c)
    }

    /// A page of `way.template`, which receives `view` as `meta.kind`: written by `write`
    /// while the template is the built-in one, else rendered by Tera. Debug builds check a
    /// written page against Tera's.
    fn page_of<V: Serialize>(
        &self,
        way: &PageWay,
        write: NativeWriter<V>,
        meta: &PageMeta,
        view: &V,
    ) -> Result<Vec<u8>, Diagnostic> {
        if !way.native {
            return self.tera_page(way.template, meta, meta.kind, view);
        }
        let guess = way.last_size.load(Ordering::Relaxed);
        let mut bytes = write(&self.site_view, meta, view, guess + guess / 8);
        way.last_size.store(bytes.len(), Ordering::Relaxed);
        templates::fit(&mut bytes);
        if cfg!(debug_assertions)
            && let Ok(tera) = self.tera_page(way.template, meta, meta.kind, view)
        {
            native::assert_same(&bytes, &tera, way.template, &meta.url);
        }
        Ok(bytes)
    }

    /// The pages that list the whole site: index, speaker and question lists, 404, tags,
    /// search, feed, sitemap, robots.txt, and the stylesheet and script, each handed to
    /// `sink` as it is made (the index has a page per 50 briefings: thousands for a large
    /// archive); returns their paths. `views[i]` and `processed[i]` belong to
    /// `site.briefings[i]`.
    pub fn site_pages(
        &self,
        views: &[&BriefingView],
        processed: &[&Processed],
        index: &CrossIndex,
        sink: Sink,
    ) -> Result<Vec<PathBuf>, Diagnostics> {
        let base = &self.urls.base_path;
        let summaries: Vec<&BriefingSummary> = views.iter().map(|v| &v.summary).collect();
        let (mut paths, mut diags) = split(self.index_pages(&summaries, sink));
        // Each page goes to the sink as soon as it is made, and the search index (hundreds of
        // megabytes on a large site) is written as it is made.
        let mut print = Fingerprint::default();
        let streamed = sink.stream(PathBuf::from(search::INDEX_PATH), &mut |out| {
            print = Fingerprint::default();
            let print = &mut print;
            search::write_index(self.site, views, &mut Fingerprinting { out, print })
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

        let mut c = self.context("Speakers", format!("{base}speakers/"), "speakers");
        c.insert(
            "speakers",
            &index.speaker_summaries(self.site, &self.look()),
        );
        emit(self.page("speakers.html", "speakers/index.html".into(), &c));

        let mut c = self.context("Questions", format!("{base}questions/"), "questions");
        c.insert(
            "questions",
            &index.question_summaries(self.site, &self.look()),
        );
        emit(self.page("questions.html", "questions/index.html".into(), &c));

        let mut c = self.context("Page not found", format!("{base}404.html"), "404");
        c.insert("briefings", &summaries.iter().take(5).collect::<Vec<_>>());
        emit(self.page("404.html", "404.html".into(), &c));
        let context = |title: &str, url: String, kind| self.context(title, url, kind);
        for made in tags::pages(&summaries, &self.urls, self.templates, &context) {
            emit(made);
        }
        for made in search::pages(
            &index_print,
            views.len(),
            &self.urls,
            self.templates,
            &context,
        ) {
            emit(made);
        }
        let file = |path: &str, bytes: Vec<u8>| {
            Ok(Page {
                path: PathBuf::from(path),
                bytes,
            })
        };
        if let Some(feed) = feeds::atom(self.site, processed, &self.urls) {
            emit(file("feed.xml", feed.into_bytes()));
        }
        if let Some(map) = feeds::sitemap(self.site, &self.urls) {
            emit(file("sitemap.xml", map.into_bytes()));
        }
        // A site's own static/robots.txt (with rules of its own) is copied instead.
        let own_robots = self.site.static_files.iter().any(|f| f == "robots.txt");
        if let Some(robots) = feeds::robots(&self.urls).filter(|_| !own_robots) {
            emit(file("robots.txt", robots.into_bytes()));
        }
        emit(file(&self.css_name, STYLESHEET.as_bytes().to_vec()));
        emit(file(&self.js_name, SCRIPT.as_bytes().to_vec()));
        finish(paths, diags)
    }

    /// The list of briefings, newest first, [`INDEX_PAGE_SIZE`] to a page: `index.html`, then
    /// `page/2/index.html`, ... (a newsroom archive would make one page unreadably long).
    fn index_pages(
        &self,
        summaries: &[&BriefingSummary],
        sink: Sink,
    ) -> Vec<Result<PathBuf, Diagnostic>> {
        let base = &self.urls.base_path;
        let chunks: Vec<&[&BriefingSummary]> = if summaries.is_empty() {
            vec![&[]]
        } else {
            summaries.chunks(INDEX_PAGE_SIZE).collect()
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
                let title = match number {
                    1 => self.site.config.title.clone(),
                    n => format!("{}, page {n}", self.site.config.title),
                };
                let mut c = self.context(&title, url(number), "index");
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
                let path = match number {
                    1 => PathBuf::from("index.html"),
                    n => PathBuf::from(format!("page/{n}/index.html")),
                };
                deliver(sink, self.page("index.html", path, &c)?)
            })
            .collect()
    }

    /// The pages of the given speakers, in parallel, each handed to `sink` as it is made;
    /// returns their paths.
    pub fn speaker_pages(
        &self,
        ids: &[&str],
        views: &[&BriefingView],
        index: &CrossIndex,
        sink: Sink,
    ) -> Result<Vec<PathBuf>, Diagnostics> {
        let speakers: Vec<_> = ids
            .iter()
            .filter_map(|id| self.site.speakers.get(*id))
            .collect();
        let weight = |s: &crate::model::Speaker| index.mentions_of_speaker(&s.id).len();
        let way = (&self.speaker_page, native::speaker_page as _);
        self.entity_pages(&speakers, "speaker", sink, weight, way, |s| {
            let view = index.speaker_page(s, views, self.site, &self.look());
            (
                s.name.as_str(),
                s.id.as_str(),
                self.urls.speaker(&s.id),
                view,
            )
        })
    }

    /// The pages of the given questions, in parallel, each handed to `sink` as it is made;
    /// returns their paths.
    pub fn question_pages(
        &self,
        ids: &[&str],
        views: &[&BriefingView],
        index: &CrossIndex,
        sink: Sink,
    ) -> Result<Vec<PathBuf>, Diagnostics> {
        let questions: Vec<_> = ids
            .iter()
            .filter_map(|id| self.site.questions.get(*id))
            .collect();
        let weight = |q: &crate::model::Question| index.mentions_of_question(&q.id).len();
        let way = (&self.question_page, native::question_page as _);
        self.entity_pages(&questions, "question", sink, weight, way, |q| {
            let view = index.question_page(q, views, self.site, &self.look());
            (
                q.title.as_str(),
                q.id.as_str(),
                self.urls.question(&q.id),
                view,
            )
        })
    }

    /// One page per item at `<kind>s/<id>/`, made as `way` says (its template receives the
    /// item's view as `<kind>`), and handed to `sink`. `make` gives (title, id, URL, view);
    /// `weight` tells roughly how large an item's page is (the briefings it appears in).
    fn entity_pages<'i, T: Sync, V: Serialize>(
        &self,
        items: &[&'i T],
        kind: &'static str,
        sink: Sink,
        weight: impl Fn(&T) -> usize + Sync,
        (way, write): (&PageWay, NativeWriter<V>),
        make: impl Fn(&'i T) -> (&'i str, &'i str, String, V) + Sync,
    ) -> Result<Vec<PathBuf>, Diagnostics> {
        // Largest pages first, each a task of its own: on a large site a page can take a
        // hundred times another's, and handed out in runs of pages, the last run kept one
        // core busy for a fifth of a second while the other had nothing left to do.
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(weight(items[i])));
        let mut results: Vec<(usize, Result<PathBuf, Diagnostic>)> = order
            .par_iter()
            .with_max_len(1)
            .map(|&i| {
                let (title, id, url, view) = make(items[i]);
                let meta = self.meta(title, url, kind);
                let bytes = self.page_of(way, write, &meta, &view);
                drop(view);
                let path = PathBuf::from(format!("{kind}s"))
                    .join(id)
                    .join("index.html");
                let page = bytes.map(|bytes| Page { path, bytes });
                (i, page.and_then(|p| deliver(sink, p)))
            })
            .collect();
        results.sort_unstable_by_key(|(i, _)| *i);
        let (paths, diags) = split(results.into_iter().map(|(_, r)| r).collect());
        finish(paths, diags)
    }

    /// Files copied as they are: folder briefings' assets and `static/`.
    pub fn copies(&self) -> Vec<Copy> {
        let mut copies = Vec::new();
        for b in &self.site.briefings {
            copies.extend(briefing_copies(b));
        }
        for f in &self.site.static_files {
            copies.push(Copy {
                from: PathBuf::from(crate::load::STATIC_DIR).join(f),
                to: f.clone(),
            });
        }
        copies
    }
}

/// A folder briefing's files, copied beside its page.
pub fn briefing_copies(b: &Briefing) -> Vec<Copy> {
    if b.assets.is_empty() {
        return Vec::new(); // most briefings: no folder to work out
    }
    let dir = b.path.parent().map(PathBuf::from).unwrap_or_default();
    b.assets
        .iter()
        .map(|asset| Copy {
            from: asset.clone(),
            to: PathBuf::from("briefings")
                .join(&b.slug)
                .join(asset.strip_prefix(&dir).unwrap_or(asset)),
        })
        .collect()
}

/// The paths of the pages made, and the diagnostics of those that failed.
fn split(results: Vec<Result<PathBuf, Diagnostic>>) -> (Vec<PathBuf>, Diagnostics) {
    let mut paths = Vec::with_capacity(results.len());
    let mut diags = Diagnostics::default();
    for r in results {
        match r {
            Ok(p) => paths.push(p),
            Err(d) => diags.push(d),
        }
    }
    (paths, diags)
}

/// The paths of the pages made, or every diagnostic when one of them is an error.
fn finish(paths: Vec<PathBuf>, diags: Diagnostics) -> Result<Vec<PathBuf>, Diagnostics> {
    match diags.has_errors() {
        true => Err(diags.sorted()),
        false => Ok(paths),
    }
}

/// Hands `page` to `sink`; its path, for the collision and link checks.
fn deliver(sink: Sink, page: Page) -> Result<PathBuf, Diagnostic> {
    let path = page.path.clone();
    sink.page(page)?;
    Ok(path)
}

/// What [`render_site_into`] leaves once every page is in the sink, in site order.
pub struct Rendered {
    /// The files to copy as they are.
    pub copies: Vec<Copy>,
    /// Each briefing's slimmed [`Processed`], for the link check.
    pub processed: Vec<Processed>,
    /// Each briefing's slimmed view. Nothing needs them any more: they are returned so that
    /// the caller can free them off the critical path (at 10,000 briefings freeing them took
    /// a tenth of a second, on the build's last stretch, which runs on fewer cores).
    pub views: Vec<BriefingView>,
}

/// Where rendered pages go, from any thread: `build` writes each and forgets it, `serve`
/// keeps them. Any `Fn(Page) -> Result<(), Diagnostic>` is one.
pub trait PageSink: Sync {
    fn page(&self, page: Page) -> Result<(), Diagnostic>;

    /// A file too large to hold beside everything else (the search index of a large site),
    /// which `write` writes in pieces. By default the pieces are collected into one page.
    fn stream(&self, path: PathBuf, write: Stream) -> Result<(), Diagnostic> {
        self.page(collect(path, write)?)
    }
}

impl<F: Fn(Page) -> Result<(), Diagnostic> + Sync> PageSink for F {
    fn page(&self, page: Page) -> Result<(), Diagnostic> {
        self(page)
    }
}

/// Writes a streamed file's bytes into the writer it is given.
pub type Stream<'w> = &'w mut dyn FnMut(&mut dyn Write) -> io::Result<()>;

pub type Sink<'s> = &'s dyn PageSink;

/// A streamed file as one page. Writing into memory fails only if a serialiser does.
pub fn collect(path: PathBuf, write: Stream) -> Result<Page, Diagnostic> {
    let mut bytes = Vec::new();
    match write(&mut bytes) {
        Ok(()) => Ok(Page { path, bytes }),
        Err(e) => Err(Diagnostic::error(
            "io-error",
            format!("cannot make {}: {e}", path.display()),
        )
        .help("this is a bug in brief; please report it with the site that shows it")),
    }
}

/// Anchors and marks one briefing's article (stage 4); the caller's, so it can time it.
pub type Process<'s> = &'s (dyn Fn(&Briefing) -> Result<Processed, Diagnostics> + Sync);

/// Processes and renders every briefing in one parallel pass, then renders the pages that
/// list the site, handing each page to `sink` as soon as it is made: no article's HTML
/// outlives its page, and a site of any size never sits in memory whole. Rendering itself
/// does no I/O; the sink is the caller's.
pub fn render_site_into(
    site: &Site,
    templates: &Templates,
    process: Process,
    sink: Sink,
) -> Result<Rendered, Diagnostics> {
    let r = Renderer::new(site, templates);
    // Pages' paths matter only where a copied file would land on one: copies are few, and a
    // large site has hundreds of thousands of pages.
    let copies = r.copies();
    let copied: std::collections::HashSet<&PathBuf> = copies.iter().map(|c| &c.to).collect();
    let clashing = |paths: Vec<PathBuf>| paths.into_iter().filter(|p| copied.contains(p));
    // Per briefing: what the list pages need of it, and those of its pages' paths.
    type Kept = (BriefingView, Processed, Vec<PathBuf>);
    let rendered: Vec<Result<Kept, Diagnostics>> = site
        .briefings
        .par_iter()
        .enumerate()
        .map(|(i, b)| {
            let mut p = process(b)?;
            let (view, pages) = r.briefing(b, &p).map_err(|d| Diagnostics(vec![d]))?;
            // Briefings are newest first; only the feed's need their text's start.
            p.slim(i < feeds::FEED_ENTRIES);
            let paths = pages
                .into_iter()
                .map(|page| deliver(sink, page))
                .collect::<Result<_, _>>()
                .map_err(|d| Diagnostics(vec![d]))?;
            Ok((view.slim(), p, clashing(paths).collect()))
        })
        .collect();
    let mut diags = Diagnostics::default();
    let mut kept = Vec::with_capacity(rendered.len());
    let mut processed = Vec::with_capacity(rendered.len());
    let mut paths: Vec<PathBuf> = Vec::new();
    for result in rendered {
        match result {
            Ok((v, p, ps)) => {
                kept.push(v);
                processed.push(p);
                paths.extend(ps);
            }
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        return Err(diags.sorted());
    }
    let views: Vec<&BriefingView> = kept.iter().collect();
    let index = CrossIndex::build(site, &views);
    let speakers: Vec<&str> = site.speakers.keys().map(String::as_str).collect();
    let questions: Vec<&str> = site.questions.keys().map(String::as_str).collect();
    // The three kinds of list pages at once: the site's lists have long serial stretches (the
    // search index, the feed) that the other two keep the second core busy through.
    let (listed, (by_speaker, by_question)) = rayon::join(
        || {
            let processed: Vec<&Processed> = processed.iter().collect();
            r.site_pages(&views, &processed, &index, sink)
        },
        || {
            rayon::join(
                || r.speaker_pages(&speakers, &views, &index, sink),
                || r.question_pages(&questions, &views, &index, sink),
            )
        },
    );
    for result in [listed, by_speaker, by_question] {
        match result {
            Ok(p) => paths.extend(clashing(p)),
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        return Err(diags.sorted());
    }
    let clashes = collisions(paths.iter(), &copies);
    if clashes.has_errors() {
        return Err(clashes);
    }
    Ok(Rendered {
        copies,
        processed,
        views: kept,
    })
}

/// Files copied as they are must not replace generated pages, nor each other.
pub fn collisions<'p>(pages: impl Iterator<Item = &'p PathBuf>, copies: &[Copy]) -> Diagnostics {
    if copies.is_empty() {
        return Diagnostics::default();
    }
    // Copies are few beside pages: look the pages up among them, not the other way round.
    let targets: std::collections::HashSet<&PathBuf> = copies.iter().map(|c| &c.to).collect();
    let generated: std::collections::HashSet<&PathBuf> =
        pages.filter(|p| targets.contains(p)).collect();
    let mut seen: BTreeMap<&PathBuf, &PathBuf> = BTreeMap::new();
    let mut diags = Diagnostics::default();
    for c in copies {
        let to = crate::diag::display_path(&c.to);
        if generated.contains(&c.to) {
            diags.push(
                Diagnostic::error(
                    "output-collision",
                    format!(
                        "{} would replace the page brief writes at {to}",
                        crate::diag::display_path(&c.from)
                    ),
                )
                .at(&c.from, None)
                .help("rename or move the file: brief generates this path itself"),
            );
        } else if let Some(first) = seen.insert(&c.to, &c.from) {
            diags.push(
                Diagnostic::error(
                    "output-collision",
                    format!(
                        "{} and {} would both be copied to {to}",
                        crate::diag::display_path(first),
                        crate::diag::display_path(&c.from)
                    ),
                )
                .at(&c.from, None)
                .help("rename or move one of them"),
            );
        }
    }
    diags
}

/// A URL from YAML that is safe in an `href`, or `None`.
fn safe_href(url: &Option<String>) -> Option<String> {
    url.clone().filter(|u| !is_dangerous_url(u, false))
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionOnQuestion<'a> {
    pub briefing: Shared<BriefingLink>,
    pub question: Shared<QuestionLink>,
    pub stance: &'a str,
    pub quotes: &'a [QuoteRef],
}

/// The speaker page: who they are and everything they said or relayed, oldest first. It
/// borrows the briefings' views: a speaker's page can show thousands of quotes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeakerPageView<'a> {
    #[serde(flatten)]
    pub speaker: SpeakerLink,
    /// Their own page elsewhere (from `url:`), if safe to link.
    pub homepage: Option<String>,
    pub same_as: Vec<String>,
    /// Set when the speaker is defined locally by one briefing.
    pub local_to: Option<BriefingLink>,
    pub quotes: Vec<&'a QuoteView>,
    /// Quotes by others that this speaker relayed (`via`).
    pub relayed: Vec<&'a QuoteView>,
    pub highlights: Vec<&'a HighlightView>,
    pub positions: Vec<PositionOnQuestion<'a>>,
    pub briefings: Vec<Shared<BriefingLink>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry<'a> {
    pub briefing: Shared<BriefingLink>,
    pub positions: Vec<TimelinePosition<'a>>,
    pub quotes: Vec<&'a QuoteView>,
    pub highlights: Vec<&'a HighlightView>,
}

/// A position in the question's timeline, with what the page shows of its speaker's history
/// (worked out here once, not searched for by the template for every position).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelinePosition<'a> {
    // The fields of the position (`PositionView`), but for its slot on the briefing page.
    pub speaker: &'a Shared<SpeakerLink>,
    pub stance: &'a str,
    pub quotes: &'a [QuoteRef],
    pub shift: Option<crate::model::Shift>,
    /// The speaker's colour slot, 1 to 8, by order of first position on the question.
    pub slot: usize,
    /// `"moved"`, `"held"` (the same stance again) or `"new"` (the speaker's first stance).
    pub change: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceAt<'a> {
    pub briefing: Shared<BriefingLink>,
    pub stance: &'a str,
    /// True when the stance differs from this speaker's previous one on the question.
    pub changed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceHistory<'a> {
    pub speaker: Shared<SpeakerLink>,
    pub stances: Vec<StanceAt<'a>>,
    /// True when the speaker's stance changed at least once.
    pub moved: bool,
}

/// The question page: the debate briefing by briefing, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionPageView<'a> {
    #[serde(flatten)]
    pub question: QuestionLink,
    pub resolution: Option<String>,
    pub local_to: Option<BriefingLink>,
    pub timeline: Vec<TimelineEntry<'a>>,
    /// Each speaker's stances over time, speakers in order of first position.
    pub speakers: Vec<StanceHistory<'a>>,
}

/// Where a speaker or a question appears in one briefing's view.
#[derive(Debug, Clone, Copy)]
enum Mention {
    /// `quotes[i]`: by the speaker, or bearing on the question.
    Quote(u32),
    /// `quotes[i]`, relayed by the speaker (`via`).
    Relayed(u32),
    /// `highlights[i]`: attributed to the speaker, or bearing on the question.
    Highlight(u32),
    /// `questions[q].positions[p]`: the speaker's, or one on the question.
    Position(u32, u32),
}

/// A speaker's or question's mentions, as (briefing index, mention), newest briefing first.
type Mentions = Vec<(u32, Mention)>;

/// Adds a mention to `id`'s list; the id is copied only the first time it is seen (this runs
/// between the two parallel passes, for every mention in every briefing).
fn push_mention(map: &mut BTreeMap<String, Mentions>, id: &str, i: usize, m: Mention) {
    let at = (i as u32, m);
    match map.get_mut(id) {
        Some(list) => list.push(at),
        None => {
            map.insert(id.to_owned(), vec![at]);
        }
    }
}

/// The links of a list, each id once (a list may name one twice; its page shows it once).
fn first_of_each<T>(links: &[Shared<T>], id: fn(&T) -> &str) -> impl Iterator<Item = &Shared<T>> {
    let mut seen = std::collections::HashSet::new();
    links.iter().filter(move |l| seen.insert(id(l)))
}

/// A list of mentions briefing by briefing, oldest briefing first: (briefing index, its
/// mentions in page order).
fn by_briefing(mentions: &[(u32, Mention)]) -> impl Iterator<Item = (usize, &[(u32, Mention)])> {
    mentions
        .chunk_by(|a, b| a.0 == b.0)
        .rev()
        .map(|group| (group[0].0 as usize, group))
}

/// Who appears where, and in what, computed once for all speaker and question pages, so that
/// each page looks at its own mentions only. Indexes are into `site.briefings` (newest first)
/// and into each briefing's view.
pub struct CrossIndex {
    speakers: BTreeMap<String, Mentions>,
    questions: BTreeMap<String, Mentions>,
    /// The briefings with local speakers or questions, by slug.
    with_locals: HashMap<String, usize>,
}

impl CrossIndex {
    pub fn build(site: &Site, views: &[&BriefingView]) -> Self {
        Self::build_for(site, views, None)
    }

    /// The index of the given speakers and questions only, or of all with `None`: enough for
    /// their pages (`serve` re-renders a few after an edit), not for the lists.
    pub fn build_for(
        site: &Site,
        views: &[&BriefingView],
        only: Option<(&[&str], &[&str])>,
    ) -> Self {
        let speaker_wanted = |id: &str| only.is_none_or(|(s, _)| s.contains(&id));
        let question_wanted = |id: &str| only.is_none_or(|(_, q)| q.contains(&id));
        let mut speakers: BTreeMap<String, Mentions> = BTreeMap::new();
        let mut questions: BTreeMap<String, Mentions> = BTreeMap::new();
        let mut speaker = |id: &str, i, m| {
            if speaker_wanted(id) {
                push_mention(&mut speakers, id, i, m);
            }
        };
        let mut question = |id: &str, i, m| {
            if question_wanted(id) {
                push_mention(&mut questions, id, i, m);
            }
        };
        for (i, v) in views.iter().enumerate() {
            for (k, q) in v.quotes.iter().enumerate() {
                let k = k as u32;
                speaker(&q.speaker.id, i, Mention::Quote(k));
                // Relayed by someone else, once however often the list names them.
                for r in first_of_each(&q.via, |l| &l.id).filter(|r| r.id != q.speaker.id) {
                    speaker(&r.id, i, Mention::Relayed(k));
                }
                for l in first_of_each(&q.questions, |l| &l.id) {
                    question(&l.id, i, Mention::Quote(k));
                }
            }
            for (k, h) in v.highlights.iter().enumerate() {
                let k = k as u32;
                if let Some(s) = &h.speaker {
                    speaker(&s.id, i, Mention::Highlight(k));
                }
                for l in first_of_each(&h.questions, |l| &l.id) {
                    question(&l.id, i, Mention::Highlight(k));
                }
            }
            for (qi, q) in v.questions.iter().enumerate() {
                for (pi, p) in q.positions.iter().enumerate() {
                    let m = Mention::Position(qi as u32, pi as u32);
                    speaker(&p.speaker.id, i, m);
                    question(&q.question.id, i, m);
                }
            }
        }
        let with_locals = (site.briefings.iter().enumerate())
            .filter(|(_, b)| !b.local_speakers.is_empty() || !b.local_questions.is_empty())
            .map(|(i, b)| (b.slug.clone(), i))
            .collect();
        CrossIndex {
            speakers,
            questions,
            with_locals,
        }
    }

    fn mentions_of_speaker(&self, id: &str) -> &[(u32, Mention)] {
        self.speakers.get(id).map_or(&[], Vec::as_slice)
    }

    fn mentions_of_question(&self, id: &str) -> &[(u32, Mention)] {
        self.questions.get(id).map_or(&[], Vec::as_slice)
    }

    fn speaker_summaries(&self, site: &Site, look: &Lookup) -> Vec<SpeakerSummary> {
        // Every speaker's quotes and positions, counted in one pass over the site.
        let mut quotes: HashMap<&str, usize> = HashMap::new();
        let mut positions: HashMap<&str, usize> = HashMap::new();
        for b in &site.briefings {
            for q in b.quotes().filter_map(|q| q.speaker()) {
                *quotes.entry(q).or_default() += 1;
            }
            for p in &b.positions {
                *positions.entry(&p.speaker).or_default() += 1;
            }
        }
        let count = |counts: &HashMap<&str, usize>, id: &str| counts.get(id).copied();
        let mut out: Vec<SpeakerSummary> = site
            .speakers
            .values()
            .map(|s| SpeakerSummary {
                speaker: speaker_link(s, look.urls),
                quote_count: count(&quotes, &s.id).unwrap_or(0),
                position_count: count(&positions, &s.id).unwrap_or(0),
                briefing_count: by_briefing(self.mentions_of_speaker(&s.id)).count(),
            })
            .collect();
        out.sort_by(|a, b| {
            let people_first = |k: SpeakerKind| k != SpeakerKind::Person;
            (people_first(a.speaker.kind), &a.speaker.name, &a.speaker.id).cmp(&(
                people_first(b.speaker.kind),
                &b.speaker.name,
                &b.speaker.id,
            ))
        });
        out
    }

    fn question_summaries(&self, site: &Site, look: &Lookup) -> Vec<QuestionSummary> {
        let mut positions: HashMap<&str, usize> = HashMap::new();
        for p in site.briefings.iter().flat_map(|b| &b.positions) {
            *positions.entry(&p.question).or_default() += 1;
        }
        let mut out: Vec<QuestionSummary> = site
            .questions
            .values()
            .map(|q| {
                let mentions = self.mentions_of_question(&q.id);
                QuestionSummary {
                    question: question_link(q, look.urls),
                    position_count: positions.get(q.id.as_str()).copied().unwrap_or(0),
                    briefing_count: by_briefing(mentions).count(),
                    latest: mentions
                        .first()
                        .map(|&(i, _)| briefing_link(&site.briefings[i as usize], look.urls)),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            let resolved = |s: QuestionStatus| s == QuestionStatus::Resolved;
            (
                resolved(a.question.status),
                &a.question.title,
                &a.question.id,
            )
                .cmp(&(
                    resolved(b.question.status),
                    &b.question.title,
                    &b.question.id,
                ))
        });
        out
    }

    fn local_link(
        &self,
        site: &Site,
        local_to: &Option<String>,
        look: &Lookup,
    ) -> Option<BriefingLink> {
        let i = *self.with_locals.get(local_to.as_ref()?)?;
        Some(briefing_link(&site.briefings[i], look.urls))
    }

    fn speaker_page<'v>(
        &self,
        s: &crate::model::Speaker,
        views: &[&'v BriefingView],
        site: &Site,
        look: &Lookup,
    ) -> SpeakerPageView<'v> {
        let mut page = SpeakerPageView {
            speaker: speaker_link(s, look.urls),
            homepage: safe_href(&s.url),
            same_as: s
                .same_as
                .iter()
                .filter(|u| !is_dangerous_url(u, false))
                .cloned()
                .collect(),
            local_to: self.local_link(site, &s.origin.local_to, look),
            quotes: Vec::new(),
            relayed: Vec::new(),
            highlights: Vec::new(),
            positions: Vec::new(),
            briefings: Vec::new(),
        };
        for (i, mentions) in by_briefing(self.mentions_of_speaker(&s.id)) {
            let v: &'v BriefingView = views[i];
            let link = &v.link;
            page.briefings.push(link.clone());
            for &(_, m) in mentions {
                match m {
                    Mention::Quote(k) => page.quotes.push(&v.quotes[k as usize]),
                    Mention::Relayed(k) => page.relayed.push(&v.quotes[k as usize]),
                    Mention::Highlight(k) => page.highlights.push(&v.highlights[k as usize]),
                    Mention::Position(qi, pi) => {
                        let q = &v.questions[qi as usize];
                        let p = &q.positions[pi as usize];
                        page.positions.push(PositionOnQuestion {
                            briefing: link.clone(),
                            question: q.question.clone(),
                            stance: &p.stance,
                            quotes: &p.quotes,
                        });
                    }
                }
            }
        }
        page
    }

    fn question_page<'v>(
        &self,
        q: &crate::model::Question,
        views: &[&'v BriefingView],
        site: &Site,
        look: &Lookup,
    ) -> QuestionPageView<'v> {
        let mut timeline = Vec::new();
        let mut histories: Vec<StanceHistory> = Vec::new();
        // Each speaker's place in `histories`: a question can have hundreds of speakers.
        let mut slot_of: std::collections::HashMap<&'v str, usize> = Default::default();
        for (i, mentions) in by_briefing(self.mentions_of_question(&q.id)) {
            let v: &'v BriefingView = views[i];
            let link = v.link.clone();
            let mut positions = Vec::new();
            let (mut quotes, mut highlights) = (Vec::new(), Vec::new());
            for &(_, m) in mentions {
                let p = match m {
                    Mention::Quote(k) | Mention::Relayed(k) => {
                        quotes.push(&v.quotes[k as usize]);
                        continue;
                    }
                    Mention::Highlight(k) => {
                        highlights.push(&v.highlights[k as usize]);
                        continue;
                    }
                    Mention::Position(qi, pi) => &v.questions[qi as usize].positions[pi as usize],
                };
                let at = *slot_of.entry(p.speaker.id.as_str()).or_insert_with(|| {
                    histories.push(StanceHistory {
                        speaker: p.speaker.clone(),
                        stances: Vec::new(),
                        moved: false,
                    });
                    histories.len() - 1
                });
                let history = &mut histories[at];
                // The editor's word (`shift:`) first; otherwise a new wording is a move.
                let has_previous = !history.stances.is_empty();
                let changed = has_previous
                    && match p.shift {
                        Some(Shift::Moved) => true,
                        Some(Shift::Held) => false,
                        None => history
                            .stances
                            .last()
                            .is_some_and(|prev| prev.stance != p.stance),
                    };
                history.moved |= changed;
                history.stances.push(StanceAt {
                    briefing: link.clone(),
                    stance: &p.stance,
                    changed,
                });
                // The first stance of this wording in this briefing decides the label.
                // (Only this briefing's stances, at the end, can match.)
                let first = history
                    .stances
                    .iter()
                    .enumerate()
                    .rev()
                    .take_while(|(_, s)| s.briefing.slug == link.slug)
                    .filter(|(_, s)| s.stance == p.stance)
                    .last()
                    .map_or(history.stances.len() - 1, |(i, _)| i);
                positions.push(TimelinePosition {
                    speaker: &p.speaker,
                    stance: &p.stance,
                    quotes: &p.quotes,
                    shift: p.shift,
                    slot: at % 8 + 1,
                    change: match (history.stances[first].changed, first) {
                        (true, _) => "moved",
                        (false, 0) => "new",
                        (false, _) => "held",
                    },
                });
            }
            timeline.push(TimelineEntry {
                briefing: link,
                positions,
                quotes,
                highlights,
            });
        }
        QuestionPageView {
            question: question_link(q, look.urls),
            resolution: q.resolution.clone(),
            local_to: self.local_link(site, &q.origin.local_to, look),
            timeline,
            speakers: histories,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes at most three bytes a write, as a writer may.
    struct Trickle(Vec<u8>);

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(3);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_fingerprint_taken_while_writing_is_the_fingerprint_of_what_was_written() {
        let text = "{\"version\":1,\"briefings\":[\"Zelensky — «security»\"]}\n";
        let mut out = Trickle(Vec::new());
        let mut print = Fingerprint::default();
        let mut writer = Fingerprinting {
            out: &mut out,
            print: &mut print,
        };
        writer.write_all(text.as_bytes()).unwrap();
        let print = print.hex();
        assert_eq!(out.0, text.as_bytes());
        assert_eq!(print, fingerprint(text));
        assert_ne!(print, fingerprint("{}"));
    }

    #[test]
    fn a_streamed_file_reaches_a_plain_sink_as_one_page() {
        let got = std::sync::Mutex::new(Vec::new());
        let sink = |page: Page| {
            got.lock().unwrap().push(page);
            Ok(())
        };
        let sink: Sink = &sink;
        let mut write = |out: &mut dyn Write| {
            out.write_all(b"[1,")?;
            out.write_all(b"2]")
        };
        sink.stream(PathBuf::from("x.json"), &mut write).unwrap();
        let got = got.into_inner().unwrap();
        assert_eq!(
            got,
            vec![Page {
                path: PathBuf::from("x.json"),
                bytes: b"[1,2]".to_vec()
            }]
        );
    }
}

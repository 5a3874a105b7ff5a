//! Rendering: from the site and its briefings' views to the bytes of every output file.
//!
//! Every page is a Tera template given a context of typed views (docs/templates.md). This
//! module holds what every page shares (the site's values, serialised once; the URL scheme;
//! the speakers' and questions' links) in a [`Renderer`], and makes a briefing's own pages;
//! `cross` makes the speaker and question pages, `lists` the pages that list the whole site.
//! Rendering does no I/O: pages are handed to a [`PageSink`] of the caller's as they are
//! made, and the files to copy are listed as [`Copy`]s. Which pages to make, and when, is
//! the engine's business.

pub mod cross;
pub mod feeds;
pub mod jsonld;
pub mod lists;
pub mod search;
pub mod tags;
pub mod templates;
pub mod view;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::article::Processed;
use crate::diag::{Diagnostic, Diagnostics};
use crate::fingerprint::Fingerprint;
use crate::model::{Briefing, Site};
use cross::CrossIndex;
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

/// A briefing's view and pages, or why its template failed.
pub type RenderedBriefing = Result<(BriefingView, Vec<Page>), Diagnostic>;

/// Renders pages of one site. Holds what every page shares, serialised once.
pub struct Renderer<'a> {
    site: &'a Site,
    templates: &'a Templates,
    urls: Urls,
    links: Links,
    /// The site view as a Tera value: shared maps, so each page's copy is cheap.
    site_value: tera::Value,
    css_name: String,
    js_name: String,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, templates: &'a Templates) -> Self {
        let urls = Urls {
            base_path: site.config.base_path(),
            base_url: site.config.base_url.clone(),
        };
        let css_name = format!(
            "assets/style.{}.css",
            Fingerprint::of(STYLESHEET.as_bytes()).hex()
        );
        let js_name = format!(
            "assets/brief.{}.js",
            Fingerprint::of(SCRIPT.as_bytes()).hex()
        );
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
            urls,
            css_name,
            js_name,
        }
    }

    pub fn site(&self) -> &'a Site {
        self.site
    }

    pub fn templates(&self) -> &'a Templates {
        self.templates
    }

    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// The output paths of the stylesheet and the script (named by their content).
    pub fn asset_paths(&self) -> (&str, &str) {
        (&self.css_name, &self.js_name)
    }

    fn look(&self) -> Lookup<'_> {
        Lookup::new(self.site, &self.urls, &self.links)
    }

    /// What every template receives as `page`.
    pub fn meta(&self, title: &str, url: String, kind: &'static str) -> PageMeta {
        PageMeta {
            title: title.to_string(),
            permalink: self.urls.permalink(&url),
            url,
            kind,
        }
    }

    /// The context every page starts from: `site` and `page`.
    pub fn context(&self, meta: &PageMeta) -> tera::Context {
        let mut c = tera::Context::new();
        c.insert_value("site", self.site_value.clone());
        c.insert("page", meta);
        c
    }

    /// The page at `path` of `template`, which receives `value` as `key`.
    pub fn page(
        &self,
        template: &str,
        path: PathBuf,
        meta: &PageMeta,
        key: &'static str,
        value: &impl Serialize,
    ) -> Result<Page, Diagnostic> {
        let mut c = self.context(meta);
        c.insert(key, value);
        self.page_of_context(template, path, &c)
    }

    /// The page at `path` of `template`, with the context `c`.
    pub fn page_of_context(
        &self,
        template: &str,
        path: PathBuf,
        c: &tera::Context,
    ) -> Result<Page, Diagnostic> {
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
        let html = self.page(
            "briefing.html",
            dir.join("index.html"),
            &meta,
            "briefing",
            &view,
        )?;
        let collection = Page {
            path: dir.join("annotations.jsonld"),
            bytes: jsonld::annotation_collection(b, p, &look),
        };
        Ok((view, vec![html, collection]))
    }

    /// The pages of the given speakers, in parallel, each handed to `sink` as it is made;
    /// returns their paths. `views[i]` belongs to `site.briefings[i]`.
    pub fn speaker_pages(
        &self,
        ids: &[&str],
        views: &[&BriefingView],
        index: &CrossIndex,
        sink: Sink,
    ) -> Result<Vec<PathBuf>, Diagnostics> {
        let speakers: Vec<_> = (ids.iter())
            .filter_map(|id| self.site.speakers.get(*id))
            .collect();
        let weight = |s: &crate::model::Speaker| index.speaker_weight(&s.id);
        self.entity_pages(&speakers, "speaker", sink, weight, |s| {
            let view = index.speaker_page(s, views, self.site, &self.urls);
            (
                s.name.as_str(),
                s.id.as_str(),
                self.urls.speaker(&s.id),
                view,
            )
        })
    }

    /// The pages of the given questions, as [`Renderer::speaker_pages`].
    pub fn question_pages(
        &self,
        ids: &[&str],
        views: &[&BriefingView],
        index: &CrossIndex,
        sink: Sink,
    ) -> Result<Vec<PathBuf>, Diagnostics> {
        let questions: Vec<_> = (ids.iter())
            .filter_map(|id| self.site.questions.get(*id))
            .collect();
        let weight = |q: &crate::model::Question| index.question_weight(&q.id);
        self.entity_pages(&questions, "question", sink, weight, |q| {
            let view = index.question_page(q, views, self.site, &self.urls);
            (
                q.title.as_str(),
                q.id.as_str(),
                self.urls.question(&q.id),
                view,
            )
        })
    }

    /// One page per item at `<kind>s/<id>/`, of the template `<kind>.html` (which receives the
    /// item's view as `<kind>`), each handed to `sink`. `make` gives (title, id, URL, view);
    /// `weight` tells roughly how large an item's page is.
    fn entity_pages<'i, T: Sync, V: Serialize>(
        &self,
        items: &[&'i T],
        kind: &'static str,
        sink: Sink,
        weight: impl Fn(&T) -> usize + Sync,
        make: impl Fn(&'i T) -> (&'i str, &'i str, String, V) + Sync,
    ) -> Result<Vec<PathBuf>, Diagnostics> {
        // Largest pages first, each a task of its own: on a large site a page can take a
        // hundred times another's, and handed out in runs of pages, the last run kept one
        // core busy while the other had nothing left to do.
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(weight(items[i])));
        let template = format!("{kind}.html");
        let mut results: Vec<(usize, Result<PathBuf, Diagnostic>)> = order
            .par_iter()
            .with_max_len(1)
            .map(|&i| {
                let (title, id, url, view) = make(items[i]);
                let meta = self.meta(title, url, kind);
                let path = PathBuf::from(format!("{kind}s"))
                    .join(id)
                    .join("index.html");
                let page = self.page(&template, path, &meta, kind, &view);
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
pub(crate) fn split(results: Vec<Result<PathBuf, Diagnostic>>) -> (Vec<PathBuf>, Diagnostics) {
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
pub(crate) fn finish(paths: Vec<PathBuf>, diags: Diagnostics) -> Result<Vec<PathBuf>, Diagnostics> {
    match diags.has_errors() {
        true => Err(diags.sorted()),
        false => Ok(paths),
    }
}

/// Hands `page` to `sink`; its path, for the collision and link checks.
pub(crate) fn deliver(sink: Sink, page: Page) -> Result<PathBuf, Diagnostic> {
    let path = page.path.clone();
    sink.page(page)?;
    Ok(path)
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

/// Files copied as they are must not replace generated pages (`pages`: their output paths,
/// with `/`), nor each other.
pub fn collisions<'p>(pages: impl Iterator<Item = &'p str>, copies: &[Copy]) -> Diagnostics {
    if copies.is_empty() {
        return Diagnostics::default();
    }
    // Copies are few beside pages: look the pages up among them, not the other way round.
    let targets: std::collections::HashMap<String, &Copy> = (copies.iter())
        .map(|c| (crate::diag::display_path(&c.to), c))
        .collect();
    let generated: std::collections::HashSet<&str> =
        pages.filter(|p| targets.contains_key(*p)).collect();
    let mut seen: BTreeMap<&PathBuf, &PathBuf> = BTreeMap::new();
    let mut diags = Diagnostics::default();
    for c in copies {
        let to = crate::diag::display_path(&c.to);
        if generated.contains(to.as_str()) {
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

#[cfg(test)]
mod tests {
    use super::*;

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

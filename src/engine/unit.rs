//! One briefing through the pipeline: its files, what loading and resolving made of it, and,
//! once its pages are made, what the other pages need of it (its view and its list entry)
//! and the links to check. A unit's diagnostics are about its own files only, so an error in
//! one briefing never shows in another. This module reads the unit's files (through `load`)
//! and makes its pages (through `render`); it never looks at another unit.

use std::path::PathBuf;
use std::sync::Arc;

use crate::article::{self, Processed};
use crate::diag::Diagnostics;
use crate::links::{self, LinkAt};
use crate::model::{ArticleText, Briefing};
use crate::render::lists::ListEntry;
use crate::render::view::BriefingView;
use crate::render::{Page, Renderer, feeds};
use crate::{load, resolve};

/// One article and everything made from it.
#[derive(Debug)]
pub struct Unit {
    pub files: load::ArticleFiles,
    /// The texts read, for the snippets of diagnostics.
    pub sources: Vec<(PathBuf, Arc<str>)>,
    /// Problems found loading and resolving it.
    pub diags: Diagnostics,
    /// The briefing, unless it has errors or is a draft left out.
    pub briefing: Option<Arc<Briefing>>,
    /// Its article file, until its pages are made (see [`ArticleText`]).
    pub text: Option<ArticleText>,
    /// Problems found anchoring it: anchoring is done again only when the unit is reloaded.
    pub anchor_diags: Option<Diagnostics>,
    /// What its pages were made from, when they were last made (successfully).
    pub made: Option<Made>,
}

/// What the other pages and the link check need of a briefing whose pages are made.
#[derive(Debug, Clone)]
pub struct Made {
    /// The briefing its pages were made from.
    pub briefing: Arc<Briefing>,
    /// Its view, without what only its own page shows.
    pub view: Arc<BriefingView>,
    /// The start of its text, for the feed.
    pub excerpt: Option<String>,
    /// The links of its article, for the link check.
    pub links: Vec<LinkAt>,
}

impl Made {
    pub fn list_entry(&self) -> ListEntry<'_> {
        ListEntry::of(&self.view, self.excerpt.as_deref())
    }
}

impl Unit {
    /// Loads and resolves one article.
    pub fn load(
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
        let text = loaded.raw.as_ref().map(|raw| ArticleText {
            text: raw.text.clone(),
            body_start: raw.body_start,
        });
        let briefing = loaded
            .raw
            .and_then(|raw| resolve::resolve_one(raw, reg, drafts, &mut diags));
        // The texts read are kept for the snippets of diagnostics; a unit without any gives
        // them back (the article's stays in `text` until its pages are made).
        let sources = match diags.is_empty() {
            true => Vec::new(),
            false => loaded.sources,
        };
        Unit {
            files: files.clone(),
            sources,
            diags,
            text: text.filter(|_| briefing.is_some()),
            briefing,
            anchor_diags: None,
            made: None,
        }
    }

    pub fn path(&self) -> &PathBuf {
        &self.files.article
    }
}

/// Anchors a briefing and makes its pages: its page and `annotations.jsonld`, which go to
/// `deliver`; returns what other pages need of it. Anchoring problems come back as `Err`.
pub fn make(
    b: &Arc<Briefing>,
    text: &ArticleText,
    r: &Renderer,
    deliver: &mut dyn FnMut(Page) -> Result<(), crate::diag::Diagnostic>,
) -> Result<Made, Diagnostics> {
    let p = article::process(b, text, r.site().config.allow_raw_html)?;
    let (view, pages) = r.briefing(b, &p).map_err(Diagnostics::from)?;
    for page in pages {
        deliver(page).map_err(Diagnostics::from)?;
    }
    Ok(made_of(b, text, p, view))
}

/// What is kept of a briefing once its pages are made: no article's HTML outlives its page.
fn made_of(b: &Arc<Briefing>, text: &ArticleText, p: Processed, view: BriefingView) -> Made {
    Made {
        briefing: b.clone(),
        excerpt: b.summary.is_none().then(|| feeds::excerpt(&p.reader_text)),
        links: links::positions(text, p.links),
        view: Arc::new(view.slim()),
    }
}

//! `brief import PAGE.html`: a new briefing from a saved web page.
//!
//! The page is read and decoded (`page`), its metadata read (`meta`), its article extracted by
//! Readability (the dom_smoothie crate), made into Markdown (`markdown`) with its images linked
//! or copied (`images`), and written as `content/<slug>.md` (or, with `--folder`,
//! `content/<slug>/index.md` and the images) with the front matter `new briefing` writes,
//! filled in. The new briefing is then checked as `brief check` would; if that finds an error
//! in it, what was written is removed again, so an import either makes a briefing that
//! checks clean or leaves the site as it was.
//!
//! It never fetches anything (links and images stay where they are on the web), never
//! overwrites a file (every target is checked before the first is written, and each is
//! created through `save`), and never prints: the CLI shows the [`Outcome`].

mod images;
mod markdown;
mod meta;
mod page;
mod url;

use std::path::{Path, PathBuf};

use dom_smoothie::Readability;

use crate::date::Date;
use crate::diag::{Diagnostic, Diagnostics};
use crate::load::CONTENT_DIR;
use crate::scaffold::{self, Fields};
use crate::{BuildOptions, Report};

pub use page::{MAX_DEPTH, MAX_NESTING_WORK, MAX_PAGE_BYTES};
pub use url::WebUrl;

/// What `brief import` is asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The site root (holding brief.yaml).
    pub root: PathBuf,
    /// The saved page (absolute, or relative to the current folder).
    pub page: PathBuf,
    /// The article's address, over the page's own.
    pub url: Option<String>,
    /// The briefing's date, for a page that states none.
    pub date: Option<String>,
    /// The briefing's slug, instead of one made from the title.
    pub slug: Option<String>,
    /// Make a folder briefing, with the images saved beside the page copied into it.
    pub folder: bool,
}

/// What an import did: the report (errors, or warnings about what was left out and what the
/// check found), and, when it succeeded, the files written and a summary.
#[derive(Debug, Default)]
pub struct Outcome {
    pub report: Report,
    /// The files written, relative to the site root; the article last.
    pub written: Vec<PathBuf>,
    pub summary: Option<Summary>,
}

/// What the new briefing holds, for the CLI's report.
#[derive(Debug, Clone)]
pub struct Summary {
    pub article: PathBuf,
    pub title: String,
    pub date: String,
    /// Where the date came from: "--date", or a place in the page.
    pub date_from: &'static str,
    pub words: usize,
    pub images_linked: usize,
    pub images_copied: usize,
    pub charset: &'static str,
    /// Errors the check found elsewhere in the site (not in the new briefing).
    pub errors_elsewhere: usize,
}

/// Imports the page, writes the briefing, checks it.
pub fn run(req: &Request) -> Outcome {
    let mut outcome = Outcome::default();
    match import(req, &mut outcome.report) {
        Ok(made) => {
            outcome.written = made.written;
            outcome.summary = Some(made.summary);
        }
        Err(d) => outcome.report.add([d]),
    }
    outcome
}

struct Made {
    written: Vec<PathBuf>,
    summary: Summary,
}

/// The briefing an import makes, before it is written.
struct Draft {
    title: String,
    date: String,
    date_from: &'static str,
    slug: String,
    markdown: String,
    images: Vec<images::Copy>,
    images_linked: usize,
    charset: &'static str,
    /// What was left out or assumed, reported once the briefing is written.
    warnings: Vec<Diagnostic>,
}

fn import(req: &Request, report: &mut Report) -> Result<Made, Diagnostic> {
    scaffold::require_site(&req.root, "brief import")?;
    let url = req.url.as_deref().map(parse_url).transpose()?;
    let date = req.date.as_deref().map(parse_date).transpose()?;
    let slug = req.slug.as_deref().map(parse_slug).transpose()?;
    let draft = extract(req, url, date, slug)?;
    let files = files_of(&draft, req.folder);
    let article = files.last().map(|(p, _)| p.clone()).unwrap_or_default();
    if let Some(other) = scaffold::same_slug(&req.root, &draft.slug) {
        return Err(Diagnostic::error(
            "file-exists",
            format!("a briefing named `{}` already exists", draft.slug),
        )
        .at(other, None)
        .help("pass another name with --slug, or move the existing briefing away"));
    }
    let created = scaffold::create_all(&req.root, &files)?;
    report.add(draft.warnings);
    let errors_elsewhere = check_new(&req.root, &created, report)?;
    let summary = Summary {
        article,
        words: markdown::word_count(&draft.markdown),
        images_copied: draft.images.len(),
        title: draft.title,
        date: draft.date,
        date_from: draft.date_from,
        images_linked: draft.images_linked,
        charset: draft.charset,
        errors_elsewhere,
    };
    Ok(Made {
        written: created.files,
        summary,
    })
}

fn parse_url(u: &str) -> Result<WebUrl, Diagnostic> {
    WebUrl::parse(u).ok_or_else(|| {
        Diagnostic::error(
            "invalid-url",
            format!("--url {u}: not an http:// or https:// address"),
        )
        .help("give the article's full address, e.g. --url https://example.org/news/story")
    })
}

fn parse_date(d: &str) -> Result<(String, &'static str), Diagnostic> {
    Date::parse(d)
        .map(|_| (d.trim().to_string(), "--date"))
        .map_err(|why| {
            Diagnostic::error("invalid-date", format!("--date {d}: {why}"))
                .help("write the date as YYYY-MM-DD, e.g. --date 2024-05-14")
        })
}

fn parse_slug(s: &str) -> Result<String, Diagnostic> {
    let valid = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        return Ok(s.to_string());
    }
    let suggestion = crate::slug::slugify(s);
    Err(Diagnostic::error(
        "invalid-slug",
        format!("--slug {s}: a slug is made of a-z, 0-9 and -"),
    )
    .help(if suggestion.is_empty() {
        "write it with a-z, 0-9 and -, e.g. --slug council-vote".to_string()
    } else {
        format!("write --slug {suggestion}")
    }))
}

/// Reads the page and makes the briefing's text, in memory.
fn extract(
    req: &Request,
    url: Option<WebUrl>,
    date: Option<(String, &'static str)>,
    slug: Option<String>,
) -> Result<Draft, Diagnostic> {
    let page = page::read(&req.page)?;
    // Warnings are reported only when the import goes on to write: on an error they are noise.
    let mut warnings: Vec<Diagnostic> = page.warning.iter().cloned().collect();
    let doc = dom_query::Document::from(page.text.as_str());
    let extra = meta::read_extra(&doc, &page.text);
    let mut readability = Readability::with_document(doc, None, None)
        .map_err(|e| no_article(&req.page, &e.to_string()))?;
    let found = meta::Found::from(readability.get_article_metadata(readability.parse_json_ld()));
    if !readability.is_probably_readable() {
        return Err(no_article(
            &req.page,
            "it has no passage long enough to be an article",
        ));
    }
    let article = readability
        .parse()
        .map_err(|e| no_article(&req.page, &e.to_string()))?;
    let meta = meta::combine(found, extra, article.byline.clone());
    let page_url = url.or(meta.url.clone());
    // Relative links resolve against `<base href>` when the page has one, as in a browser.
    let base = meta.base.clone().or(page_url.clone());
    let mut images = images::Images::new(&req.page, base.as_ref(), req.folder);
    let converted = markdown::to_markdown(&article.content, base.as_ref(), &mut images);
    let body = converted.markdown;
    if markdown::word_count(&body) == 0 {
        return Err(no_article(
            &req.page,
            "what Readability found holds no text",
        ));
    }
    warnings.extend(images.warnings());
    if converted.players > 0 {
        warnings.push(
            Diagnostic::warning(
                "media-left-out",
                format!(
                    "{} embedded player{} (video, audio or a frame) left out: Markdown cannot hold them",
                    converted.players,
                    if converted.players == 1 { "" } else { "s" }
                ),
            )
            .at(&req.page, None)
            .help("if the article depends on one, link to it from the text by hand"),
        );
    }
    if !converted.exact {
        warnings.push(
            Diagnostic::warning(
                "inexact-markdown",
                "some of the article's structure could not be written as Markdown exactly, so a few marks may show as text",
            )
            .at(&req.page, None)
            .help("read the new briefing through and correct what looks wrong before annotating it"),
        );
    }
    let title = meta
        .title
        .clone()
        .or_else(|| meta::clean(Some(&article.title)))
        .ok_or_else(|| missing_title(&req.page))?;
    let (date, date_from) = date_of(meta.date.clone(), date, &req.page, &mut warnings)?;
    let slug = slug.unwrap_or_else(|| slug_of(&title, &date));
    let source = source_of(&meta, page_url.as_ref());
    if source.is_none() {
        warnings.push(Diagnostic::warning(
            "missing-source",
            "the page names no site and no address, so the briefing has no `source`",
        )
        .at(&req.page, None)
        .help("pass the article's address with --url, or add `source:` (name and url) to the front matter"));
    }
    let fields = Fields {
        title: &title,
        date: &date,
        summary: meta.description.as_deref(),
        author: meta.author.as_deref(),
        source: source.as_ref().map(|(n, u)| (n.as_str(), u.as_deref())),
    };
    let markdown = format!("---\n{}---\n{body}", fields.to_yaml());
    Ok(Draft {
        title,
        date,
        date_from,
        slug,
        markdown,
        images_linked: images.linked,
        images: images.copies,
        charset: page.charset,
        warnings,
    })
}

/// The page's date, else `--date`; a `--date` that differs from the page's is reported, since
/// the page is taken to know better (the front matter can still be edited).
fn date_of(
    from_page: Option<(String, &'static str)>,
    given: Option<(String, &'static str)>,
    page: &Path,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(String, &'static str), Diagnostic> {
    match (from_page, given) {
        (Some(found), Some((given, _))) => {
            if !given.starts_with(&found.0) {
                warnings.push(
                    Diagnostic::warning(
                        "date-not-used",
                        format!(
                            "the page dates the article {} (in {}), so --date {given} was not used",
                            found.0, found.1
                        ),
                    )
                    .at(page, None)
                    .help(
                        "if the page is wrong, correct `date:` in the new briefing's front matter",
                    ),
                );
            }
            Ok(found)
        }
        (Some(found), None) => Ok(found),
        (None, Some(given)) => Ok(given),
        (None, None) => Err(missing_date(page)),
    }
}

/// The slug from the title, or from the date for a title with no Latin letters or digits.
fn slug_of(title: &str, date: &str) -> String {
    let slug = scaffold::slug(title);
    if slug.is_empty() {
        format!("briefing-{date}")
    } else {
        slug
    }
}

/// `source:`: the site's name (or its host) and the article's address, when either is known.
fn source_of(meta: &meta::PageMeta, url: Option<&WebUrl>) -> Option<(String, Option<String>)> {
    let name = meta
        .site_name
        .clone()
        .or_else(|| url.map(WebUrl::site_host))?;
    Some((name, url.map(WebUrl::to_string)))
}

/// The files to write, relative to the site root: images first, the article last, so that an
/// import that stops half-way never leaves an article pointing at missing images.
fn files_of(draft: &Draft, folder: bool) -> Vec<(PathBuf, Vec<u8>)> {
    let content = Path::new(CONTENT_DIR);
    if !folder {
        let article = content.join(format!("{}.md", draft.slug));
        return vec![(article, draft.markdown.clone().into_bytes())];
    }
    let dir = content.join(&draft.slug);
    let mut files: Vec<(PathBuf, Vec<u8>)> = draft
        .images
        .iter()
        .map(|c| (dir.join(&c.name), c.bytes.clone()))
        .collect();
    files.push((dir.join("index.md"), draft.markdown.clone().into_bytes()));
    files
}

/// Checks the site as `brief check` does and keeps what concerns the new files. An error
/// there removes them again. Returns how many errors the rest of the site has.
fn check_new(
    root: &Path,
    created: &scaffold::Created,
    report: &mut Report,
) -> Result<usize, Diagnostic> {
    let written = &created.files;
    let checked = crate::build(&BuildOptions {
        root: root.to_path_buf(),
        drafts: true,
        write: false,
        ..BuildOptions::default()
    });
    let concerns = |d: &Diagnostic| {
        let named = d
            .file
            .iter()
            .chain(d.notes.iter().filter_map(|n| n.file.as_ref()));
        named.into_iter().any(|f| written.contains(f))
    };
    let (ours, others): (Vec<Diagnostic>, Vec<Diagnostic>) =
        checked.diagnostics.0.into_iter().partition(|d| concerns(d));
    let ours = Diagnostics(ours);
    for d in ours.iter() {
        for f in d.file.iter() {
            if let Some(text) = checked.sources.get(f) {
                report.sources.insert(f.clone(), text.clone());
            }
        }
    }
    let failed = ours.has_errors();
    report.add(ours);
    if failed {
        scaffold::remove_created(root, created);
        return Err(Diagnostic::error(
            "import-check-failed",
            "the imported briefing does not pass `brief check`, so it was not kept",
        )
        .help("the errors above say why; fix what they name (in the site, or with --slug), then import again"));
    }
    Ok(others.iter().filter(|d| d.is_error()).count())
}

fn no_article(page: &Path, why: &str) -> Diagnostic {
    Diagnostic::error(
        "no-article",
        format!("no article found in the page: {why}"),
    )
    .at(page, None)
    .help("save the article's own page, not a list of articles or a home page; for a very short article, use `brief new briefing` and paste its text")
}

fn missing_title(page: &Path) -> Diagnostic {
    Diagnostic::error(
        "missing-title",
        "the page has no title",
    )
    .at(page, None)
    .help("use `brief new briefing \"Title\"` and paste the article's text, or add a <title> to the page")
}

fn missing_date(page: &Path) -> Diagnostic {
    Diagnostic::error(
        "missing-date",
        "the page does not say when the article was published",
    )
    .at(page, None)
    .help("pass the date with --date YYYY-MM-DD")
}

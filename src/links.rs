//! Link checking: every internal link in an article or a note must lead to a file of the
//! output, and a briefing's `source.url` should (one that does not is only a warning: it names
//! where the text comes from, which the same host may serve from elsewhere).
//!
//! It runs after rendering, in memory, against the output paths (generated pages and copied
//! files), so it sees exactly what a static host will serve. *Internal* means relative
//! (`../other/`, `timeline.svg`, `#q1`), root-relative (`/briefs/speakers/x/`), or an `http:`
//! or `https:` URL under the site's base URL (same host and port, path under the base path);
//! every other URL is external and is never fetched: this module does
//! no I/O and no networking. A fragment (`#q1`) must name an `id` in the target page when that
//! page is one `brief` generated (the rendered HTML is scanned, so annotation ids, footnotes and
//! template ids all count); fragments into copied files are not checked. Raw HTML links (with
//! `allow_raw_html`) are not checked either: only Markdown links and images are.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::diag::{Diagnostic, HintBudget, LineIndex, Pos, display_path};
use crate::markdown::{self, Article, Rules};
use crate::model::{Briefing, Site};

/// The output's pages as the link check sees them.
pub trait Pages: Sync {
    /// Whether there is a page at `path` (an output path, with `/`).
    fn has(&self, path: &str) -> bool;
    /// The element ids of the HTML page at `path`, when they were read.
    fn ids(&self, path: &str) -> Option<&HashSet<String>>;
    /// Every page's path.
    fn paths(&self) -> Vec<&str>;
}

/// What links may lead to: the generated pages and the files copied as they are.
pub struct Targets<'a> {
    pages: &'a dyn Pages,
    copies: HashSet<String>,
    /// Every path, sorted, so that did-you-mean ties are broken the same way on every run;
    /// made only when a link is broken.
    sorted: OnceLock<Vec<String>>,
}

/// Whether a Markdown body may hold a link with a `#fragment`: a `#` anywhere but in the
/// marker of an ATX heading. Errs on the side of yes (a heading's text with a `#` in it), so
/// that checking can skip reading pages' ids only when no link could need them.
pub fn may_have_fragment(body: &str) -> bool {
    // Only a line with a `#` can say yes, so only those are looked at: most articles have
    // none, or only in headings. (Looking at every line was 1% of a build.)
    let bytes = body.as_bytes();
    let mut from = 0;
    while let Some(hash) = memchr::memchr(b'#', &bytes[from..]).map(|i| from + i) {
        let start = memchr::memrchr(b'\n', &bytes[..hash]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &bytes[hash..]).map_or(bytes.len(), |i| hash + i);
        let mut line = &body[start..end];
        // As `str::lines`, which ends a line before the `\r` of a `\r\n`.
        if end < bytes.len() {
            line = line.strip_suffix('\r').unwrap_or(line);
        }
        if line_may_have_fragment(line) {
            return true;
        }
        from = end;
    }
    false
}

/// One line (without its line break) of [`may_have_fragment`].
fn line_may_have_fragment(line: &str) -> bool {
    let line = line.trim_start();
    let text = match line.trim_start_matches('#') {
        rest if rest.len() < line.len() && (rest.is_empty() || rest.starts_with([' ', '\t'])) => {
            rest
        }
        _ => line,
    };
    text.contains('#')
}

/// Whether a page can hold ids that links point at (only HTML pages are read for them).
pub fn may_have_ids(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".html")
}

impl<'a> Targets<'a> {
    /// The pages made, and the output paths of the files copied.
    pub fn new(pages: &'a dyn Pages, copies: &[crate::render::Copy]) -> Self {
        Targets {
            pages,
            copies: copies.iter().map(|c| display_path(&c.to)).collect(),
            sorted: OnceLock::new(),
        }
    }

    fn contains(&self, path: &str) -> bool {
        self.pages.has(path) || self.copies.contains(path)
    }

    /// How many output paths there are.
    fn count(&self) -> usize {
        self.sorted().len()
    }

    fn sorted(&self) -> &[String] {
        self.sorted.get_or_init(|| {
            let mut all: Vec<String> = self.pages.paths().into_iter().map(str::to_string).collect();
            all.extend(self.copies.iter().cloned());
            all.sort();
            all.dedup();
            all
        })
    }

    /// The ids of a generated HTML page.
    fn ids(&self, file: &str) -> Option<&HashSet<String>> {
        if !file.ends_with(".html") {
            return None;
        }
        self.pages.ids(file)
    }

    /// The output file a path (relative to the base path, decoded) is served from: folder URLs
    /// serve their `index.html`, and a folder named without its trailing `/` too (static hosts
    /// redirect it).
    fn file_for(&self, path: &str) -> Option<String> {
        let candidates = if path.is_empty() || path.ends_with('/') {
            vec![format!("{path}index.html")]
        } else {
            vec![path.to_string(), format!("{path}/index.html")]
        };
        candidates.into_iter().find(|c| self.contains(c))
    }

    /// The closest existing URL path (folder URLs for pages) other than `except` (the page the
    /// link is on: pointing back at it helps no one), if it is close enough to be a likely typo.
    fn closest(&self, path: &str, except: &str) -> Option<String> {
        let mut best: Option<(f64, &str)> = None;
        for p in self.sorted() {
            let url = p.strip_suffix("index.html").unwrap_or(p);
            // Paths of very different lengths are never close: skip them cheaply, since a site
            // with many broken links would otherwise compare every link with every path.
            let (a, b) = (path.len() as f64, url.len() as f64);
            if (a - b).abs() > 0.5 * a.max(b) {
                continue;
            }
            let score = similarity(path, url);
            if url != except && score >= 0.75 && best.is_none_or(|(s, _)| score > s) {
                best = Some((score, url));
            }
        }
        best.map(|(_, url)| url.to_string())
    }
}

/// How alike two paths are, from 0 to 1. In the same folder only the last names are compared
/// (Jaro-Winkler, kind to short slugs: `b` is like `bee`, not like `a`); across folders, the
/// whole paths (normalised Levenshtein: `speaker/x/` is like `speakers/x/`).
fn similarity(wanted: &str, candidate: &str) -> f64 {
    let split = |p: &'_ str| -> (String, String) {
        let p = p.trim_end_matches('/');
        match p.rsplit_once('/') {
            Some((dir, name)) => (dir.to_string(), name.to_string()),
            None => (String::new(), p.to_string()),
        }
    };
    let ((wanted_dir, wanted_name), (dir, name)) = (split(wanted), split(candidate));
    if wanted_dir == dir {
        strsim::jaro_winkler(&wanted_name, &name)
    } else {
        strsim::normalized_levenshtein(wanted, candidate)
    }
}

/// Checks the links of the given briefings, each with its article's links (as
/// `markdown::Article::links` found them); one result per briefing, so that `serve` can keep
/// the results of briefings an edit did not touch.
pub fn check_each(
    site: &Site,
    items: &[(&Briefing, &[LinkAt])],
    targets: &Targets<'_>,
) -> Vec<Vec<Diagnostic>> {
    let scheme = Scheme::of(site);
    items
        .par_iter()
        .map(|(b, p)| {
            let found = Found {
                hints: HintBudget::default(),
            };
            let (mut diags, fragments) = check_briefing(site, b, p, &scheme, targets, &found);
            diags.extend(check_fragments(fragments, targets, &found));
            diags
        })
        .collect()
}

/// Whether a briefing's notes or its `source.url` may link to a `#fragment`.
pub fn values_may_link_fragment(b: &Briefing) -> bool {
    b.source
        .as_ref()
        .and_then(|s| s.url.as_deref())
        .is_some_and(|u| u.contains('#'))
        || b.annotations
            .iter()
            .any(|a| a.note.as_deref().is_some_and(|n| n.contains('#')))
}

/// The site's URL scheme, as links see it.
struct Scheme {
    /// `/` or `/briefs/`.
    base_path: String,
    /// The base URL without its scheme (`//example.org/briefs/`), if there is one.
    base_authority: Option<String>,
}

impl Scheme {
    fn of(site: &Site) -> Self {
        Scheme {
            base_path: site.config.base_path(),
            base_authority: site
                .config
                .base_url
                .as_deref()
                .and_then(|u| u.find("//").map(|i| u[i..].to_string())),
        }
    }
}

/// One link, where it is written, and the page it is written on. The URL and the page may
/// be short-lived (`'w`); where the link is written lives as long as the site (`'a`).
struct Written<'w, 'a> {
    url: &'w str,
    kind: Kind,
    file: &'a Path,
    at: At,
    /// The output folder of the page the link is on (`briefings/<slug>/`).
    page_dir: &'w str,
}

/// What a link is, which decides how bad it is for it to lead nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A link or image in an article or a note: an error (`broken-link`).
    Link,
    /// The front matter's `source.url`: it names where the text comes from, which may be a
    /// page the same host serves from elsewhere, so only a warning (`broken-source-link`).
    Source,
}

impl Kind {
    fn broken(self, message: String) -> Diagnostic {
        match self {
            Kind::Link => Diagnostic::error("broken-link", message),
            Kind::Source => Diagnostic::warning("broken-source-link", message),
        }
    }
}

/// Where a link is written; a line and column are worked out only for broken links.
enum At {
    /// In the article, or in a YAML value (a note, the front matter's `source.url`): its
    /// position in the file.
    Value(Pos),
}

/// What the diagnostics of one briefing's broken links share: the work they may spend on
/// hints.
struct Found {
    hints: HintBudget,
}

impl At {
    fn pos(&self, _found: &Found) -> Pos {
        match self {
            At::Value(pos) => *pos,
        }
    }
}

/// An article's link as written, and where: what the link check needs of an article, taken
/// while its text is at hand (the check runs once every page is made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkAt {
    pub url: String,
    pub pos: Pos,
}

/// Where each of an article's links (as `markdown::Article::links` found them in its body)
/// is written in its file.
pub fn positions(text: &crate::model::ArticleText, links: Vec<markdown::Link>) -> Vec<LinkAt> {
    if links.is_empty() {
        return Vec::new();
    }
    let lines = LineIndex::new(&text.text);
    links
        .into_iter()
        .map(|l| {
            let (start, end) = (
                text.body_start + l.source.start,
                text.body_start + l.source.end,
            );
            let len = text.text.get(start..end).map_or(0, |s| s.chars().count());
            LinkAt {
                url: l.url,
                pos: lines.pos(start).with_len(len),
            }
        })
        .collect()
}

/// A link to a found page whose fragment remains to be checked, once all links are resolved.
struct FragmentCheck<'a> {
    kind: Kind,
    /// The target page's output path, and the link's decoded fragment.
    file: String,
    fragment: String,
    /// The message should the fragment be missing (its position is worked out only then).
    message: String,
    link_file: &'a Path,
    at: At,
}

/// Where a link leads, relative to the site's base path.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    External,
    /// A path under the base path (decoded, no leading `/`), and its fragment if any.
    Internal {
        path: String,
        fragment: Option<String>,
    },
    /// A root-relative path that does not start with the base path.
    Outside(String),
}

fn check_briefing<'a>(
    site: &Site,
    b: &'a Briefing,
    article_links: &'a [LinkAt],
    scheme: &Scheme,
    targets: &Targets<'_>,
    found: &Found,
) -> (Vec<Diagnostic>, Vec<FragmentCheck<'a>>) {
    let page_dir = format!("briefings/{}/", b.slug);
    let mut written: Vec<Written<'_, 'a>> = article_links
        .iter()
        .map(|l| Written {
            url: &l.url,
            kind: Kind::Link,
            file: &b.path,
            at: At::Value(l.pos),
            page_dir: &page_dir,
        })
        .collect();
    let rules = Rules {
        allow_raw_html: site.config.allow_raw_html,
        link_base: None,
    };
    // A Markdown link needs `[` or `<` (autolinks); most notes have neither and are not parsed.
    let notes: Vec<(Vec<markdown::Link>, Pos)> = b
        .annotations
        .iter()
        .filter_map(|a| {
            let note = a.note.as_deref().filter(|n| n.contains(['[', '<']))?;
            Some((
                Article::parse(note, rules).links,
                a.note_pos.unwrap_or(a.text_pos),
            ))
        })
        .collect();
    let notes_file = b.annotations_path.as_deref().unwrap_or(&b.path);
    for (links, pos) in &notes {
        for l in links {
            written.push(Written {
                url: &l.url,
                kind: Kind::Link,
                file: notes_file,
                at: At::Value(*pos),
                page_dir: &page_dir,
            });
        }
    }
    if let Some(source) = &b.source
        && let (Some(url), Some(pos)) = (source.url.as_deref(), source.url_pos)
    {
        written.push(Written {
            url,
            kind: Kind::Source,
            file: &b.path,
            at: At::Value(pos),
            page_dir: &page_dir,
        });
    }
    let mut diags = Vec::new();
    let mut fragments = Vec::new();
    for w in written {
        match check_link(w, scheme, targets, found) {
            Ok(Some(f)) => fragments.push(f),
            Ok(None) => {}
            Err(d) => diags.push(d),
        }
    }
    (diags, fragments)
}

/// Checks one link's path; a fragment is returned to be checked later, against the page.
fn check_link<'a>(
    w: Written<'_, 'a>,
    scheme: &Scheme,
    targets: &Targets<'_>,
    found: &Found,
) -> Result<Option<FragmentCheck<'a>>, Diagnostic> {
    let page_url = format!("{}{}", scheme.base_path, w.page_dir);
    let broken = |message: String| w.kind.broken(message).at(w.file, Some(w.at.pos(found)));
    match resolve(w.url, &page_url, scheme) {
        Resolved::External => Ok(None),
        Resolved::Outside(path) => {
            let d = broken(format!(
                "broken link: `{}` is outside the site, which is served under `{}`",
                w.url, scheme.base_path
            ));
            let inside = path.trim_start_matches('/');
            Err(match targets.file_for(inside) {
                Some(_) => d.help(format!(
                    "did you mean `{}{inside}`? Links relative to the page (`{}`) work under any base URL",
                    scheme.base_path,
                    relative_url(w.page_dir, inside)
                )),
                None => d.help(format!(
                    "root-relative links must start with the base path `{}`; prefer links relative to the page (`../other-slug/`), which work under any base URL, or write a full URL (https://...) for pages outside the site",
                    scheme.base_path
                )),
            })
        }
        Resolved::Internal { path, fragment } => match targets.file_for(&path) {
            Some(file) => Ok(fragment.map(|fragment| FragmentCheck {
                kind: w.kind,
                message: format!(
                    "broken link: `{}` leads to `{}`, which has no element with id `{fragment}`",
                    w.url,
                    display_url(&scheme.base_path, &path)
                ),
                file,
                fragment,
                link_file: w.file,
                at: w.at,
            })),
            None => {
                let mut d = broken(format!(
                    "broken link: `{}` leads to no page or file of the site",
                    w.url
                ));
                let resolved = display_url(&scheme.base_path, &path);
                if !w.url.starts_with(&resolved) {
                    d = d.note(format!("it resolves to `{resolved}`"));
                }
                // A did-you-mean compares the path with every output path.
                let near = match found.hints.allow(targets.count().saturating_mul(32)) {
                    true => targets.closest(&path, w.page_dir),
                    false => None,
                };
                Err(match near {
                    Some(near) => d.help(format!(
                        "did you mean `{}`?",
                        restyle(w.url, &near, w.page_dir, scheme)
                    )),
                    None => d.help(match w.kind {
                        Kind::Link => "link to a page brief generates (`../<slug>/`, `../../speakers/<id>/`, `../../questions/<id>/`), a file of the briefing's folder, or a file from static/; external links need a full URL (https://...)",
                        Kind::Source => "the source is under the site's base URL, where this build writes nothing: if it is a file of the site, fix the path (a file of the briefing's folder, or from static/); a page the host serves from elsewhere may stay, with this warning",
                    }),
                })
            }
        },
    }
}

/// Fragments grouped by page, so each page's HTML is scanned for ids once.
fn check_fragments<'a>(
    checks: Vec<FragmentCheck<'a>>,
    targets: &Targets<'_>,
    found: &Found,
) -> Vec<Diagnostic> {
    let mut by_page: BTreeMap<String, Vec<FragmentCheck>> = BTreeMap::new();
    for c in checks {
        by_page.entry(c.file.clone()).or_default().push(c);
    }
    let mut diags = Vec::new();
    for (file, checks) in by_page {
        // Copied files and non-HTML pages are not ours to read.
        let Some(ids) = targets.ids(&file) else {
            continue;
        };
        let mut sorted: Vec<&str> = Vec::new();
        for c in checks {
            if ids.contains(c.fragment.as_str()) {
                continue;
            }
            // A did-you-mean compares the fragment with every id of the page.
            let near = match found.hints.allow(ids.len().saturating_mul(32)) {
                true => {
                    if sorted.is_empty() {
                        sorted = ids.iter().map(String::as_str).collect();
                        sorted.sort_unstable();
                    }
                    crate::yaml::did_you_mean(&c.fragment, &sorted)
                }
                false => None,
            };
            let help = match near {
                Some(near) => format!("did you mean `#{near}`?"),
                None => "link to an annotation id of that briefing (`#q1`, `#h2`, or an `id:` from its annotations file), or remove the fragment".to_string(),
            };
            diags.push(
                c.kind
                    .broken(c.message)
                    .at(c.link_file, Some(c.at.pos(found)))
                    .help(help),
            );
        }
    }
    diags
}

/// Every `id="..."` value in generated HTML. Text in generated pages is escaped, so the
/// pattern only occurs inside tags (and a stray match would only make the check lenient).
pub fn html_ids(html: &[u8]) -> HashSet<&str> {
    let text = std::str::from_utf8(html).unwrap_or("");
    let mut ids = HashSet::new();
    let mut rest = text;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        if let Some(end) = rest.find('"') {
            ids.insert(&rest[..end]);
            rest = &rest[end..];
        }
    }
    ids
}

/// Where `url`, written on the page at `page_url` (root-relative, ending in `/`), leads.
fn resolve(url: &str, page_url: &str, scheme: &Scheme) -> Resolved {
    let url = url.trim();
    let absolute = after_scheme(url);
    let rooted = match absolute {
        // A URL with a scheme or a host (script URLs included: the page already shows them
        // as `#`) is internal only when it is a web URL under the base URL.
        Some(rest) => match under_base(rest, scheme).filter(|_| is_web(url)) {
            Some(path) => path,
            None => return Resolved::External,
        },
        None => {
            markdown::resolve_url(pulldown_cmark::CowStr::Borrowed(url), Some(page_url)).to_string()
        }
    };
    let (path, fragment) = match rooted.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f)).filter(|f| !f.is_empty())),
        None => (rooted.as_str(), None),
    };
    let path = percent_decode(path.split('?').next().unwrap_or(""));
    match path.strip_prefix(&scheme.base_path) {
        Some(inside) => Resolved::Internal {
            path: inside.to_string(),
            fragment,
        },
        // The base path without its trailing slash is the site's front page too.
        None if path == scheme.base_path.trim_end_matches('/') => Resolved::Internal {
            path: String::new(),
            fragment,
        },
        // A full URL elsewhere on the same host is another site, as far as this one knows.
        None if absolute.is_some() => Resolved::External,
        None => Resolved::Outside(path),
    }
}

/// What follows the scheme of `scheme:rest` (`//host/path` for web URLs), or the URL itself
/// when it starts with `//`; `None` for URLs without a scheme or host.
fn after_scheme(url: &str) -> Option<&str> {
    if url.starts_with("//") {
        return Some(url);
    }
    let colon = url.find(':')?;
    let name = &url[..colon];
    let is_scheme = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    is_scheme.then(|| &url[colon + 1..])
}

/// Whether a URL with a scheme or host is one a browser fetches from a web server: `http:`,
/// `https:` (in any case) or scheme-relative (`//host/...`).
fn is_web(url: &str) -> bool {
    let scheme = url.split_once(':').map_or("", |(s, _)| s);
    url.starts_with("//")
        || scheme.eq_ignore_ascii_case("http")
        || scheme.eq_ignore_ascii_case("https")
}

/// `//host/path...` as a root-relative URL, when it is under the base URL (host compared
/// without regard to case, scheme ignored so `http:` and `https:` links both count).
fn under_base(authority_and_path: &str, scheme: &Scheme) -> Option<String> {
    let base = scheme.base_authority.as_deref()?;
    let host_len = base[2..].find('/').map_or(base.len(), |i| i + 2);
    let (host, _) = base.split_at(host_len);
    let given_host = authority_and_path.get(..host_len)?;
    if !given_host.eq_ignore_ascii_case(host) {
        return None;
    }
    let path = &authority_and_path[host_len..];
    if !(path.is_empty() || path.starts_with(['/', '?', '#'])) {
        // `//example.org:8080/` or `//example.org.evil/`: another host.
        return None;
    }
    Some(if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    })
}

/// Decodes `%XX` escapes (as UTF-8); anything malformed is kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A path under the base path as a root-relative URL, for messages.
fn display_url(base_path: &str, path: &str) -> String {
    format!("{base_path}{path}")
}

/// `target` (a path under the base path) relative to the folder `dir` (also under it, ending
/// in `/`): `briefings/a/` to `briefings/b/` is `../b/`.
fn relative_url(dir: &str, target: &str) -> String {
    let dir: Vec<&str> = dir.trim_end_matches('/').split('/').collect();
    let target: Vec<&str> = target.split('/').collect();
    let common = dir
        .iter()
        .zip(&target[..target.len() - 1])
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(dir.len() - common);
    out.push_str(&target[common..].join("/"));
    if out.is_empty() {
        out.push_str("./");
    }
    out
}

/// A suggested target written the way the author wrote the link: relative, root-relative or
/// absolute, keeping its fragment.
fn restyle(original: &str, target: &str, page_dir: &str, scheme: &Scheme) -> String {
    let fragment = original.find('#').map_or("", |i| &original[i..]);
    let url = if original.starts_with('/') && !original.starts_with("//") {
        format!("{}{target}", scheme.base_path)
    } else if original.contains("://") || original.starts_with("//") {
        let base = scheme.base_authority.as_deref().unwrap_or("//");
        let scheme_part = original.split_once("//").map_or("", |(s, _)| s);
        format!("{scheme_part}{base}{target}")
    } else {
        relative_url(page_dir, target)
    };
    format!("{url}{fragment}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme(base: &str) -> Scheme {
        Scheme {
            base_path: base
                .split_once("://")
                .and_then(|(_, r)| r.find('/').map(|i| r[i..].to_string()))
                .unwrap_or_else(|| "/".into()),
            base_authority: base.find("//").map(|i| base[i..].to_string()),
        }
    }

    /// The line-by-line reading `may_have_fragment` must agree with.
    fn may_have_fragment_by_lines(body: &str) -> bool {
        body.lines().any(|line| {
            let line = line.trim_start();
            let text = match line.trim_start_matches('#') {
                rest if rest.len() < line.len()
                    && (rest.is_empty() || rest.starts_with([' ', '\t'])) =>
                {
                    rest
                }
                _ => line,
            };
            text.contains('#')
        })
    }

    #[test]
    fn fragments_are_looked_for_only_where_a_hash_is_and_as_line_by_line() {
        assert!(!may_have_fragment(
            "## Heading\n\nText [a](b.md).\n#\r\n  ### \n"
        ));
        assert!(may_have_fragment("Text [a](#top).\n"));
        assert!(may_have_fragment("## Heading with # in it\n"));
        assert!(may_have_fragment("#hashtag\n"));
        assert!(!may_have_fragment(""));
        // Every body of up to four pieces from these: all line ends, heading markers, a `#`
        // at the start, middle and end of a line and of the text.
        let pieces = [
            "#", "##", " ", "\t", "\n", "\r\n", "\r", "a", "é", "# x", "x#",
        ];
        let mut bodies = vec![String::new()];
        let mut last = bodies.clone();
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|b| pieces.iter().map(move |p| format!("{b}{p}")))
                .collect();
            bodies.extend(last.iter().cloned());
        }
        for body in &bodies {
            assert_eq!(
                may_have_fragment(body),
                may_have_fragment_by_lines(body),
                "{body:?}"
            );
        }
    }

    fn internal(path: &str, fragment: Option<&str>) -> Resolved {
        Resolved::Internal {
            path: path.into(),
            fragment: fragment.map(String::from),
        }
    }

    #[test]
    fn links_resolve_against_the_page_and_the_base() {
        let s = scheme("https://example.org/briefs/");
        let page = "/briefs/briefings/a/";
        let r = |u| resolve(u, page, &s);
        assert_eq!(r("../b/"), internal("briefings/b/", None));
        assert_eq!(r("img.png"), internal("briefings/a/img.png", None));
        assert_eq!(r("#q1"), internal("briefings/a/", Some("q1")));
        assert_eq!(
            r("../../speakers/x/?a=1#p"),
            internal("speakers/x/", Some("p"))
        );
        assert_eq!(r("/briefs/questions/"), internal("questions/", None));
        assert_eq!(r("/briefs"), internal("", None));
        assert_eq!(r("/speakers/x/"), Resolved::Outside("/speakers/x/".into()));
        assert_eq!(
            r("https://EXAMPLE.org/briefs/tags/"),
            internal("tags/", None)
        );
        assert_eq!(r("http://example.org/briefs/"), internal("", None));
        assert_eq!(
            r("//example.org/briefs/a%20b.png"),
            internal("a b.png", None)
        );
        assert_eq!(r("https://example.org/other/"), Resolved::External);
        assert_eq!(r("https://elsewhere.org/briefs/"), Resolved::External);
        assert_eq!(r("mailto:a@example.org"), Resolved::External);
        assert_eq!(r("javascript:alert(1)"), Resolved::External);
        // Only web URLs are the site; the base host on another port, or a longer host name,
        // is another site.
        assert_eq!(r("ftp://example.org/briefs/x"), Resolved::External);
        assert_eq!(r("HTTPS://example.org/briefs/x"), internal("x", None));
        assert_eq!(r("https://example.org:8080/briefs/x"), Resolved::External);
        assert_eq!(r("https://example.org.evil/briefs/x"), Resolved::External);
        assert_eq!(r("https://user@example.org/briefs/x"), Resolved::External);
        assert_eq!(r("https://example.org"), Resolved::External);
        assert_eq!(r("https://example.org/briefsx/"), Resolved::External);
        assert_eq!(
            r("https://example.org/briefs/desk?a=1#q2"),
            internal("desk", Some("q2"))
        );
    }

    #[test]
    fn without_a_base_url_absolute_links_are_external() {
        let s = Scheme {
            base_path: "/".into(),
            base_authority: None,
        };
        assert_eq!(
            resolve("https://example.org/", "/briefings/a/", &s),
            Resolved::External
        );
        assert_eq!(
            resolve("/x.png", "/briefings/a/", &s),
            internal("x.png", None)
        );
    }

    #[test]
    fn suggestions_keep_the_style_of_the_link() {
        let s = scheme("https://example.org/briefs/");
        let dir = "briefings/a/";
        assert_eq!(restyle("../bb/#q1", "briefings/b/", dir, &s), "../b/#q1");
        assert_eq!(
            restyle("/briefs/x", "speakers/x/", dir, &s),
            "/briefs/speakers/x/"
        );
        assert_eq!(
            restyle("https://example.org/briefs/y", "tags/y/", dir, &s),
            "https://example.org/briefs/tags/y/"
        );
        assert_eq!(relative_url(dir, "briefings/a/t.svg"), "t.svg");
        assert_eq!(relative_url(dir, "briefings/a/"), "./");
        assert_eq!(relative_url(dir, ""), "../../");
        assert_eq!(relative_url(dir, "speakers/x/"), "../../speakers/x/");
    }

    /// Pages by path, without ids.
    struct Listed(Vec<&'static str>);

    impl Pages for Listed {
        fn has(&self, path: &str) -> bool {
            self.0.contains(&path)
        }
        fn ids(&self, _: &str) -> Option<&HashSet<String>> {
            None
        }
        fn paths(&self) -> Vec<&str> {
            self.0.clone()
        }
    }

    #[test]
    fn targets_serve_folders_from_their_index() {
        let pages = Listed(vec!["briefings/a/index.html"]);
        let copies = [crate::render::Copy {
            from: "static/img/logo.png".into(),
            to: "img/logo.png".into(),
        }];
        let t = Targets::new(&pages, &copies);
        assert_eq!(
            t.file_for("briefings/a/").as_deref(),
            Some("briefings/a/index.html")
        );
        assert_eq!(
            t.file_for("briefings/a").as_deref(),
            Some("briefings/a/index.html")
        );
        assert_eq!(t.file_for("img/logo.png").as_deref(), Some("img/logo.png"));
        assert_eq!(t.file_for("img/logo.jpg"), None);
        assert_eq!(
            t.closest("briefings/aa/", "x/").as_deref(),
            Some("briefings/a/")
        );
        assert_eq!(t.closest("briefings/aa/", "briefings/a/"), None);
        assert_eq!(t.closest("questions/zzz/", "x/"), None);
        assert_eq!(
            t.closest("img/logo.jgp", "x/").as_deref(),
            Some("img/logo.png")
        );
        assert_eq!(
            t.closest("imgs/logo.png", "x/").as_deref(),
            Some("img/logo.png")
        );
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("a%20b%C3%A9"), "a bé");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn ids_are_read_from_tags() {
        let ids = html_ids(b"<mark id=\"q1\" class=\"a\"><li id=\"fn_1\">id=\"no\"</li>");
        assert!(ids.contains("q1") && ids.contains("fn_1"));
        assert!(!ids.contains("no"));
    }
}

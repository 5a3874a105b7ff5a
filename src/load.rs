//! Loading: walk `content/`, read every file once, and parse it into input values.
//!
//! Each briefing is read and parsed on its own ([`load_briefing`]), so callers can run them in
//! parallel and `serve` can reload just one. Problems become diagnostics and loading goes on,
//! so one run reports everything. A folder briefing's files are looked at too, for content
//! that could run script (`active`). This module reads the disk but decides nothing about
//! meaning (references, ids): that is `resolve`'s job.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::active::{self, ActiveFile};
use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::input::{AnnotationsFile, FrontMatter, QuestionsFile, SpeakersFile};
use crate::yaml;
use crate::yaml::Entries;

pub const CONTENT_DIR: &str = "content";
pub const STATIC_DIR: &str = "static";

/// The files of one briefing: its article, its annotations, and (for a folder briefing) the
/// files beside it. Paths are relative to the site root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleFiles {
    pub article: PathBuf,
    pub annotations: Option<PathBuf>,
    pub assets: Vec<PathBuf>,
}

/// What `content/` and `static/` hold, by role.
#[derive(Debug, Default)]
pub struct ContentFiles {
    pub articles: Vec<ArticleFiles>,
    /// Files under `static/`, relative to it.
    pub static_files: Vec<PathBuf>,
}

/// The site-wide registries as parsed (each `None` when there is no such file), with the
/// texts read.
#[derive(Default)]
pub struct RegistryFiles {
    pub speakers: Option<Registry<SpeakersFile>>,
    pub questions: Option<Registry<QuestionsFile>>,
    pub sources: Vec<(PathBuf, Arc<str>)>,
}

/// One registry file as read. Its errors are reported; what they cost is said here, so that
/// what refers to it is not reported again.
#[derive(Debug)]
pub struct Registry<T> {
    pub path: PathBuf,
    /// Every entry, or every entry but the broken ones; `None` when the file could not be
    /// read at all.
    pub entries: Option<T>,
    /// The ids of the entries that could not be read.
    pub broken: Vec<String>,
}

/// One article as parsed, with the texts read and the problems found.
pub struct LoadedBriefing {
    pub raw: Option<RawBriefing>,
    pub sources: Vec<(PathBuf, Arc<str>)>,
    pub diags: Diagnostics,
}

pub struct RawBriefing {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub front: FrontMatter,
    /// Lines before the front matter's YAML (the opening `---`), for positions.
    pub front_line_offset: usize,
    pub body_start: usize,
    pub annotations: Option<(PathBuf, AnnotationsFile)>,
    /// The slug the file name gives (the stem, or the folder of an `index.md`).
    pub default_slug: String,
    pub assets: Vec<PathBuf>,
    /// Those of `assets` that could run script when opened (see [`active_files`]).
    pub active_files: Vec<ActiveFile>,
}

/// What the walk found, by role.
#[derive(Default)]
struct Walk {
    articles: Vec<PathBuf>,
    annotations: Vec<PathBuf>,
    others: Vec<PathBuf>,
}

/// Walks `content/` and `static/` and sorts what is there by role. Orphan annotation files
/// and files that belong to no briefing are reported here.
pub fn find_files(root: &Path, diags: &mut Diagnostics) -> ContentFiles {
    let walk = walk_content(root, diags);
    // Hashed, not ordered: `Path`'s ordering compares component by component, and a site of
    // 10,000 briefings made these lookups a serial tenth of a second.
    let article_set: HashSet<&Path> = walk.articles.iter().map(PathBuf::as_path).collect();
    let annotation_set: HashSet<&Path> = walk.annotations.iter().map(PathBuf::as_path).collect();
    for ann in &walk.annotations {
        if !article_set.contains(ann.with_extension("md").as_path()) {
            diags.push(orphan(ann));
        }
    }
    let mut assets = assign_assets(&walk, diags);
    let articles = walk
        .articles
        .iter()
        .map(|path| {
            let ann = path.with_extension("yaml");
            ArticleFiles {
                article: path.clone(),
                annotations: annotation_set.contains(ann.as_path()).then_some(ann),
                assets: assets.remove(path).unwrap_or_default(),
            }
        })
        .collect();
    ContentFiles {
        articles,
        static_files: walk_static(root, diags),
    }
}

/// The error for an annotations file with no article beside it.
pub fn orphan(ann: &Path) -> Diagnostic {
    Diagnostic::error(
        "orphan-annotations",
        format!(
            "{} has no article: there is no {} beside it",
            display(ann),
            file_name(&ann.with_extension("md"))
        ),
    )
    .at(ann, Some(Pos::new(1, 1)))
    .help("rename it to match its article's file name (same stem, .yaml), or remove it")
}

/// The files of the briefing whose article is `article`, found without walking the whole
/// site (for `serve`, after an edit).
pub fn article_files(root: &Path, article: &Path) -> ArticleFiles {
    let ann = article.with_extension("yaml");
    let annotations = root.join(&ann).is_file().then_some(ann);
    let mut assets = Vec::new();
    let is_folder_briefing = article.file_name().is_some_and(|n| n == "index.md");
    if let (true, Some(dir)) = (is_folder_briefing, article.parent()) {
        let mut diags = Diagnostics::default();
        let walk = walk_dir(root, &root.join(dir), &mut diags);
        let index_dirs: Vec<&Path> = walk
            .articles
            .iter()
            .filter(|p| p.file_name().is_some_and(|n| n == "index.md"))
            .filter_map(|p| p.parent())
            .collect();
        for f in &walk.others {
            let owner = f.ancestors().skip(1).find(|d| index_dirs.contains(d));
            if owner == Some(dir) {
                assets.push(f.clone());
            }
        }
    }
    ArticleFiles {
        article: article.to_path_buf(),
        annotations,
        assets,
    }
}

/// Reads and parses `content/speakers.yaml` and `content/questions.yaml`, when present.
pub fn load_registries(root: &Path, diags: &mut Diagnostics) -> RegistryFiles {
    let mut files = RegistryFiles::default();
    files.speakers = load_registry(root, "speakers", &mut files.sources, diags);
    files.questions = load_registry(root, "questions", &mut files.sources, diags);
    files
}

/// Is `rel` (relative to the root) one of the two registry files?
pub fn is_registry(rel: &Path) -> bool {
    rel == Path::new(CONTENT_DIR).join("speakers.yaml")
        || rel == Path::new(CONTENT_DIR).join("questions.yaml")
}

fn display(p: &Path) -> String {
    crate::diag::display_path(p)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Walks `content/` following symlinks that stay inside the site; a loop or a link out of the
/// site is an error, never a hang or a silent skip.
fn walk_content(root: &Path, diags: &mut Diagnostics) -> Walk {
    let content = root.join(CONTENT_DIR);
    if !content.is_dir() {
        diags.push(
            Diagnostic::error("missing-content", "the site has no content/ folder")
                .at(crate::config::CONFIG_FILE, None)
                .help("create content/ beside brief.yaml and put one Markdown file per briefing in it"),
        );
        return Walk::default();
    }
    walk_dir(root, &content, diags)
}

/// Walks `dir` (inside `content/`) and sorts its files by role.
fn walk_dir(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Walk {
    let mut walk = Walk::default();
    for rel in walk_files(root, dir, diags) {
        let name = file_name(&rel);
        let parent_is_content = rel.parent() == Some(Path::new(CONTENT_DIR));
        match rel.extension().and_then(|e| e.to_str()) {
            Some("md") => walk.articles.push(rel),
            Some("yaml")
                if parent_is_content && (name == "speakers.yaml" || name == "questions.yaml") => {}
            Some("yaml") => walk.annotations.push(rel),
            _ => walk.others.push(rel),
        }
    }
    walk
}

/// Every file under `dir`, relative to `root`, in a stable order. Symbolic links are followed
/// only where they stay inside the site; a link out of it or a loop is an error, never a
/// hang. Hidden files (editor swap files, `.DS_Store`) are never part of a site.
pub fn walk_files(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut it = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(walk_error(root, &e));
                continue;
            }
        };
        let rel = relative(root, entry.path());
        let hidden = entry.depth() > 0 && file_name(&rel).starts_with('.');
        if hidden {
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink()
            && !std::fs::canonicalize(entry.path()).is_ok_and(|t| t.starts_with(&canonical_root))
        {
            diags.push(
                Diagnostic::error(
                    "symlink-outside",
                    format!(
                        "{} is a symbolic link to a place outside the site",
                        display(&rel)
                    ),
                )
                .at(rel, None)
                .help("copy the file into the site instead of linking to it"),
            );
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        if entry.file_type().is_file() {
            files.push(rel);
        }
    }
    files
}

fn walk_error(root: &Path, e: &walkdir::Error) -> Diagnostic {
    let path = e.path().map(|p| relative(root, p)).unwrap_or_default();
    if e.loop_ancestor().is_some() {
        Diagnostic::error(
            "symlink-loop",
            format!(
                "{} is a symbolic link that loops back to a folder above it",
                display(&path)
            ),
        )
        .at(path, None)
        .help("remove the link or point it at a folder that does not contain it")
    } else {
        Diagnostic::error("io-error", format!("cannot read {}: {e}", display(&path)))
            .at(path, None)
            .help("check that the file exists and is readable")
    }
}

/// Gives each file that is not an article or annotations to the folder briefing
/// (`index.md`) whose folder holds it; anything else is reported, not silently dropped.
fn assign_assets(walk: &Walk, diags: &mut Diagnostics) -> BTreeMap<PathBuf, Vec<PathBuf>> {
    let index_dirs: BTreeMap<&Path, &PathBuf> = walk
        .articles
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "index.md"))
        .filter_map(|p| p.parent().map(|d| (d, p)))
        .collect();
    let mut assets: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for file in &walk.others {
        let owner = file
            .ancestors()
            .skip(1)
            .take_while(|d| *d != Path::new(CONTENT_DIR))
            .find_map(|d| index_dirs.get(d));
        match owner {
            Some(article) => assets.entry((*article).clone()).or_default().push(file.clone()),
            None => diags.push(
                Diagnostic::warning(
                    "stray-file",
                    format!("{} belongs to no briefing and is not copied", display(file)),
                )
                .at(file, None)
                .help("put shared files in static/, or make the briefing a folder (content/<slug>/index.md) and put the file beside index.md"),
            ),
        }
    }
    assets
}

fn walk_static(root: &Path, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let dir = root.join(STATIC_DIR);
    if !dir.is_dir() {
        return Vec::new();
    }
    walk_files(root, &dir, diags)
        .into_iter()
        .map(|rel| {
            rel.strip_prefix(STATIC_DIR)
                .map(Path::to_path_buf)
                .unwrap_or(rel)
        })
        .collect()
}

fn relative(root: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(root).unwrap_or(p).to_path_buf()
}

/// Reads a content file (an article, an annotations file, a registry, brief.yaml) as UTF-8
/// text, with its stray control characters replaced (see [`replace_controls`]), and the
/// warning about them, if it had any. Every read of a content file goes through here, so a
/// file read again (to render it, or to show a snippet) is the same text.
pub fn read_content(root: &Path, rel: &Path) -> Result<(Arc<str>, Option<Diagnostic>), Diagnostic> {
    let text = read_text(root, rel)?;
    Ok(match replace_controls(&text, rel) {
        Some((clean, warning)) => (Arc::from(clean), Some(warning)),
        None => (text, None),
    })
}

/// The text of the file `rel` with each control character other than tab, line feed and
/// carriage return replaced by U+FFFD, and a warning at the first, when it has any. Such
/// characters are invisible, XML (the feed) forbids them, and YAML too.
pub fn replace_controls(text: &str, rel: &Path) -> Option<(String, Diagnostic)> {
    let first = crate::scan::first_stray_control(text)?;
    let clean = crate::scan::without_controls(text).into_owned();
    let count = text
        .bytes()
        .filter(|&b| crate::scan::is_stray_control(b))
        .count();
    let code = text.as_bytes()[first];
    let mut d = Diagnostic::warning(
        "control-character",
        format!(
            "{} holds a control character (U+{code:04X}), shown as U+FFFD (\u{fffd})",
            display(rel)
        ),
    )
    .at(rel, Some(Pos::of_offset(&clean, first)));
    if count > 1 {
        d = d.note(format!("and {} more in this file", count - 1));
    }
    let help = "delete it: control characters are invisible in most editors and not allowed in \
                the feed; they usually come with text copied out of a PDF or a word processor";
    Some((clean, d.help(help)))
}

/// Reads a file as UTF-8 text; the error names the first bad byte's line and column.
pub fn read_text(root: &Path, rel: &Path) -> Result<Arc<str>, Diagnostic> {
    let bytes = std::fs::read(root.join(rel)).map_err(|e| {
        Diagnostic::error("io-error", format!("cannot read {}: {e}", display(rel)))
            .at(rel, None)
            .help("check that the file exists and is readable")
    })?;
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3); // a byte order mark is not content
            }
            Ok(Arc::from(s))
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let good = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            Err(Diagnostic::error(
                "not-utf8",
                format!("{} is not valid UTF-8 text", display(rel)),
            )
            .at(rel, Some(Pos::of_offset(&good, valid)))
            .help("save the file as UTF-8 (most editors offer this under \"Save with encoding\")"))
        }
    }
}

/// Reads `content/<what>.yaml`, entry by entry: one broken entry costs only itself.
fn load_registry<V: serde::de::DeserializeOwned + std::fmt::Debug>(
    root: &Path,
    what: &str,
    sources: &mut Vec<(PathBuf, Arc<str>)>,
    diags: &mut Diagnostics,
) -> Option<Registry<Entries<V>>> {
    let rel = Path::new(CONTENT_DIR).join(format!("{what}.yaml"));
    if !root.join(&rel).is_file() {
        return None;
    }
    let unread = |d: Diagnostic| {
        d.note(format!(
            "until this file can be read, references to {what} are not checked"
        ))
    };
    let mut registry = Registry {
        path: rel.clone(),
        entries: None,
        broken: Vec::new(),
    };
    let text = match read_content(root, &rel) {
        Ok((text, warning)) => {
            diags.extend(warning);
            text
        }
        Err(d) => {
            diags.push(unread(d));
            return Some(registry);
        }
    };
    sources.push((rel.clone(), text.clone()));
    if yaml::is_blank(&text) {
        registry.entries = Some(Entries::default());
        return Some(registry);
    }
    match yaml::parse_entries::<V>(&text, &rel) {
        Ok(read) => {
            for (id, d) in read.broken {
                registry.broken.push(id);
                diags.push(d);
            }
            registry.entries = Some(read.entries);
        }
        Err(d) => diags.push(unread(d)),
    }
    Some(registry)
}

/// Reads and parses one briefing's article and annotations.
pub fn load_briefing(root: &Path, files: &ArticleFiles) -> LoadedBriefing {
    let mut loaded = LoadedBriefing {
        raw: None,
        sources: Vec::new(),
        diags: Diagnostics::default(),
    };
    let annotations = files
        .annotations
        .as_ref()
        .and_then(|ann| load_annotations(root, ann, &mut loaded));
    let path = files.article.as_path();
    let text = match read_content(root, path) {
        Ok((t, warning)) => {
            loaded.diags.extend(warning);
            t
        }
        Err(d) => {
            loaded.diags.push(d);
            return loaded;
        }
    };
    loaded.sources.push((path.to_path_buf(), text.clone()));
    let (yaml_range, body_start) = match split_front_matter(&text) {
        Ok(split) => split,
        Err(d) => {
            loaded.diags.push(d.at(path, Some(Pos::new(1, 1))));
            return loaded;
        }
    };
    if yaml::is_blank(&text[yaml_range.clone()]) {
        loaded.diags.push(
            Diagnostic::error("missing-field", "the front matter is empty")
                .at(path, Some(Pos::new(1, 1)))
                .help("write at least `title: ...` and `date: YYYY-MM-DD` between the two `---` lines"),
        );
        return loaded;
    }
    let front: FrontMatter = match yaml::parse(&text[yaml_range], path, 1) {
        Ok(f) => f,
        Err(d) => {
            loaded.diags.push(d);
            return loaded;
        }
    };
    let active_files = active_files(root, &files.assets, &mut loaded.diags);
    loaded.raw = Some(RawBriefing {
        active_files,
        path: path.to_path_buf(),
        text,
        front,
        front_line_offset: 1,
        body_start,
        annotations,
        default_slug: default_slug(path),
        assets: files.assets.clone(),
    });
    loaded
}

/// The files of a folder briefing that could run script when a reader opens them (see
/// [`crate::active`]): those refused by name, and those whose text starts like markup and
/// holds active content. Of any other file only the first bytes are read. Whether they are
/// errors depends on `allow_raw_html`, which `article` knows.
fn active_files(root: &Path, assets: &[PathBuf], diags: &mut Diagnostics) -> Vec<ActiveFile> {
    let mut found = Vec::new();
    for asset in assets {
        if let Some(what) = active::refused_by_name(&file_name(asset)) {
            found.push(ActiveFile {
                path: asset.clone(),
                pos: None,
                what: what.to_string(),
                by_name: true,
            });
            continue;
        }
        match read_if_markup(&root.join(asset)) {
            Ok(Some(bytes)) => {
                if let Some(f) = active::scan(&bytes) {
                    found.push(ActiveFile {
                        path: asset.clone(),
                        pos: Some(active::pos_of_offset(&bytes, f.offset)),
                        what: f.what,
                        by_name: false,
                    });
                }
            }
            Ok(None) => {}
            Err(e) => diags.push(
                Diagnostic::error("io-error", format!("cannot read {}: {e}", display(asset)))
                    .at(asset, None)
                    .help("check that the file exists and is readable"),
            ),
        }
    }
    found
}

/// The whole file, if its first bytes say it must be scanned ([`active::needs_scan`]).
fn read_if_markup(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    (&mut file).take(512).read_to_end(&mut bytes)?;
    if !active::needs_scan(&bytes) {
        return Ok(None);
    }
    file.read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

fn load_annotations(
    root: &Path,
    ann: &Path,
    loaded: &mut LoadedBriefing,
) -> Option<(PathBuf, AnnotationsFile)> {
    let (text, warning) = read_content(root, ann)
        .map_err(|d| loaded.diags.push(d))
        .ok()?;
    loaded.diags.extend(warning);
    loaded.sources.push((ann.to_path_buf(), text.clone()));
    if yaml::is_blank(&text) {
        return Some((ann.to_path_buf(), AnnotationsFile::default()));
    }
    match yaml::parse::<AnnotationsFile>(&text, ann, 0) {
        Ok(a) => Some((ann.to_path_buf(), a)),
        Err(d) => {
            loaded.diags.push(d);
            None
        }
    }
}

/// The file stem, or the folder name for `index.md`.
fn default_slug(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem == "index"
        && let Some(dir) = path.parent().and_then(Path::file_name)
    {
        return dir.to_string_lossy().into_owned();
    }
    stem
}

/// Finds the YAML between the opening `---` line and the closing `---` (or `...`) line.
/// Returns the YAML's byte range and where the body starts.
fn split_front_matter(text: &str) -> Result<(std::ops::Range<usize>, usize), Diagnostic> {
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_line_end].trim_end() != "---" {
        return Err(Diagnostic::error(
            "front-matter-missing",
            "the article has no front matter",
        )
        .help("start the file with a `---` line, then `title: ...` and `date: YYYY-MM-DD`, then a closing `---` line, then the article"));
    }
    let mut offset = first_line_end;
    for line in text[first_line_end..].split_inclusive('\n') {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            return Ok((first_line_end..offset, offset + line.len()));
        }
        offset += line.len();
    }
    Err(
        Diagnostic::error("front-matter-unclosed", "the front matter is never closed").help(
            "add a line with just `---` after the front matter fields, before the article text",
        ),
    )
}

/// The `index.md` whose folder holds `rel` (a path under `content/`), if any: the folder
/// briefing a file belongs to.
pub fn owning_folder_briefing(root: &Path, rel: &Path) -> Option<PathBuf> {
    rel.ancestors()
        .skip(1)
        .take_while(|d| *d != Path::new(CONTENT_DIR))
        .map(|d| d.join("index.md"))
        .find(|index| root.join(index).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split_from_the_body() {
        let text = "---\ntitle: T\n---\nBody\n";
        let (yaml, body) = split_front_matter(text).unwrap();
        assert_eq!(&text[yaml], "title: T\n");
        assert_eq!(&text[body..], "Body\n");
        assert_eq!(
            split_front_matter("title: T\n").unwrap_err().code,
            "front-matter-missing"
        );
        assert_eq!(
            split_front_matter("---\ntitle: T\n").unwrap_err().code,
            "front-matter-unclosed"
        );
    }

    #[test]
    fn slugs_default_to_the_stem_or_the_folder() {
        assert_eq!(default_slug(Path::new("content/2023/a-b.md")), "a-b");
        assert_eq!(
            default_slug(Path::new("content/vilnius/index.md")),
            "vilnius"
        );
    }
}

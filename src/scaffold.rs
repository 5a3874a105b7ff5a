//! Scaffolding: `brief new site DIR` and `brief new briefing "Title"`, and what `brief import`
//! shares with them: slugs from titles, the front matter's fields, creating files safely.
//!
//! A new site is complete and clean: `brief check` and `brief build` pass on it at once with no
//! warnings, and its example briefing shows every kind of annotation. A new briefing is an
//! article with front matter and an annotations file whose every section is commented out (so
//! it is valid and empty until the analyst fills it in).
//!
//! This module must never overwrite anything, nor delete anything but what it created itself
//! in the same run (when a later file of the run cannot be written): every file it would create is checked
//! first, and each is then created through `save` without replacing, so a file that appeared
//! meanwhile is not replaced either, and no link leads a file out of the site. It reads the clock only for today's date (UTC, from `SystemTime`), and it
//! prints nothing: the CLI reports the files created or the diagnostic returned.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::CONFIG_FILE;
use crate::date::Date;
use crate::diag::Diagnostic;
use crate::load::CONTENT_DIR;
use crate::save::{self, Existing};

/// The longest slug made from a title, in bytes; longer titles are cut at a word.
const MAX_SLUG: usize = 60;

/// Creates a new site in `dir` (which may exist, but must not hold any of the files). Returns
/// the files created, relative to `dir`.
pub fn new_site(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let title = site_title(dir);
    let files: Vec<(PathBuf, String)> = vec![
        (CONFIG_FILE.into(), site_config(&title)),
        (
            ".gitignore".into(),
            "# The build output; the previous one, which the next build writes into; the build lock.\npublic/\n.public.brief-*\n".into(),
        ),
        (
            Path::new(CONTENT_DIR).join("speakers.yaml"),
            SPEAKERS.into(),
        ),
        (
            Path::new(CONTENT_DIR).join("questions.yaml"),
            QUESTIONS.into(),
        ),
        (
            Path::new(CONTENT_DIR).join("old-bridge.md"),
            EXAMPLE_ARTICLE.into(),
        ),
        (
            Path::new(CONTENT_DIR).join("old-bridge.yaml"),
            EXAMPLE_ANNOTATIONS.into(),
        ),
    ];
    create_all(dir, &files).map(|c| c.files)
}

/// What `brief new briefing` is asked for.
#[derive(Debug, Clone)]
pub struct NewBriefing {
    /// The site root (holding brief.yaml).
    pub root: PathBuf,
    pub title: String,
    /// `YYYY-MM-DD` (or an RFC 3339 timestamp); today (UTC) when `None`.
    pub date: Option<String>,
    /// Make a folder briefing (`content/<slug>/index.md`), which can hold images.
    pub folder: bool,
}

/// Creates a briefing's article and annotations skeleton. Returns the files created,
/// relative to the site root.
pub fn new_briefing(req: &NewBriefing) -> Result<Vec<PathBuf>, Diagnostic> {
    require_site(&req.root, "brief new briefing")?;
    let title = req.title.trim();
    if title.is_empty() {
        return Err(
            Diagnostic::error("missing-field", "the briefing's title is empty")
                .help("give the headline in quotes: brief new briefing \"Council sets a date\""),
        );
    }
    let date = match &req.date {
        Some(d) => Date::parse(d)
            .map(|_| d.trim().to_string())
            .map_err(|why| {
                Diagnostic::error("invalid-date", format!("--date {d}: {why}"))
                    .help("write the date as YYYY-MM-DD, e.g. --date 2024-05-14")
            })?,
        None => today(),
    };
    let mut slug = slug(title);
    if slug.is_empty() {
        // A title in a script without a transliteration here (Cyrillic, Greek, CJK...).
        slug = format!("briefing-{}", &date[..10.min(date.len())]);
    }
    let (article, annotations) = if req.folder {
        let dir = Path::new(CONTENT_DIR).join(&slug);
        (dir.join("index.md"), dir.join("index.yaml"))
    } else {
        let base = Path::new(CONTENT_DIR).join(&slug);
        (base.with_extension("md"), base.with_extension("yaml"))
    };
    if let Some(other) = same_slug(&req.root, &slug) {
        return Err(Diagnostic::error(
            "file-exists",
            format!("a briefing named `{slug}` already exists"),
        )
        .at(other, None)
        .help("choose another title, or open the existing briefing"));
    }
    let shown = crate::diag::display_path(&annotations);
    let files = vec![
        (article, article_skeleton(title, &date, &shown)),
        (annotations.clone(), annotations_skeleton(&annotations)),
    ];
    create_all(&req.root, &files).map(|c| c.files)
}

/// That `root` is a site (holds brief.yaml), for `command`, which writes into it.
pub fn require_site(root: &Path, command: &str) -> Result<(), Diagnostic> {
    if root.join(CONFIG_FILE).is_file() {
        return Ok(());
    }
    Err(Diagnostic::error(
        "missing-config",
        format!("no {CONFIG_FILE} in {}", root.display()),
    )
    .help(format!(
        "run `{command}` inside a site, pass --root DIR, or create a site with `brief new site DIR`"
    )))
}

/// What [`create_all`] made: the files, and the folders that did not exist before, in the
/// order they were made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Created {
    pub files: Vec<PathBuf>,
    pub folders: Vec<PathBuf>,
}

/// Checks that none of `files` exists under `dir`, then creates them all, in order (each
/// through [`save`], which never replaces a file that appeared meanwhile). When one cannot be
/// written, what this call created is removed again, so nothing is left half made.
pub fn create_all<T: AsRef<[u8]>>(
    dir: &Path,
    files: &[(PathBuf, T)],
) -> Result<Created, Diagnostic> {
    for (rel, _) in files {
        let path = dir.join(rel);
        if fs::symlink_metadata(&path).is_ok() {
            return Err(exists(&path));
        }
        if dir.exists() {
            save::check(dir, rel, Existing::Refuse)?;
        }
    }
    fs::create_dir_all(dir).map_err(|e| {
        Diagnostic::error("io-error", format!("cannot create {}: {e}", dir.display()))
            .help("check that the folder's parent exists and is writable")
    })?;
    let mut created = Created::default();
    for (rel, bytes) in files {
        let new_folders = missing_folders(dir, rel);
        if let Err(d) = save::save(dir, rel, bytes.as_ref(), Existing::Refuse) {
            created.folders.extend(new_folders);
            remove_created(dir, &created);
            return Err(d);
        }
        created.folders.extend(new_folders);
        created.files.push(rel.clone());
    }
    Ok(created)
}

/// The folders on the way to `rel` that do not exist yet, outermost first.
fn missing_folders(dir: &Path, rel: &Path) -> Vec<PathBuf> {
    let mut missing: Vec<PathBuf> = rel
        .ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty() && fs::symlink_metadata(dir.join(a)).is_err())
        .map(Path::to_path_buf)
        .collect();
    missing.reverse();
    missing
}

/// Removes what [`create_all`] created, after a later step failed: its files, then the
/// folders it made, innermost first, each only while empty. Never anything else.
pub fn remove_created(dir: &Path, created: &Created) {
    for rel in created.files.iter().rev() {
        let _ = fs::remove_file(dir.join(rel));
    }
    for folder in created.folders.iter().rev() {
        let _ = fs::remove_dir(dir.join(folder));
    }
}

fn exists(path: &Path) -> Diagnostic {
    Diagnostic::error("file-exists", format!("{} already exists", path.display()))
        .at(path, None)
        .help("brief never overwrites a file: choose another name or folder, or move the file away first")
}

/// An article elsewhere under `content/` that would get the same slug from its name.
pub fn same_slug(root: &Path, slug: &str) -> Option<PathBuf> {
    let content = root.join(CONTENT_DIR);
    walkdir::WalkDir::new(&content)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .find(|p| {
            let name = p.file_name().and_then(|n| n.to_str());
            let parent = p
                .parent()
                .and_then(|d| d.file_name())
                .and_then(|n| n.to_str());
            name == Some(format!("{slug}.md").as_str())
                || (name == Some("index.md") && parent == Some(slug))
        })
        .map(|p| p.strip_prefix(root).map(Path::to_path_buf).unwrap_or(p))
}

/// A slug from a title: lower-case ASCII letters and digits, words joined by `-`, common
/// accented letters transliterated (`é` is `e`, `ß` is `ss`), apostrophes dropped so that
/// "Ukraine's" is `ukraines`, and cut at a word past [`MAX_SLUG`] bytes. Letters of other
/// scripts are dropped, so the result may be empty.
pub fn slug(title: &str) -> String {
    let mut slug = crate::slug::slugify(title);
    if let Some(cut) = slug.get(MAX_SLUG..).and_then(|rest| rest.find('-')) {
        slug.truncate(MAX_SLUG + cut);
    }
    slug
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The calendar date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The site's title from its folder name (`my-briefs` gives "My briefs").
fn site_title(dir: &Path) -> String {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let words = name.replace(['-', '_', '.'], " ");
    let words = words.trim();
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Briefings".to_string(),
    }
}

fn site_config(title: &str) -> String {
    format!(
        "# The site's settings. Every field is described in brief's docs/format.md.\n\
         title: {}\n\
         # Where the site will be served: replace it with your address, or pass --base-url to\n\
         # `brief build`. A sub-path works too (https://example.org/briefs/).\n\
         base_url: https://example.org/\n\
         description: Annotated news briefings.\n\
         language: en\n",
        crate::yaml::quote(title)
    )
}

/// The fields a new article's front matter starts with, one a line, each value quoted for
/// YAML where it is text: `new briefing` writes the title and date, `import` all it found.
#[derive(Debug, Clone, Default)]
pub struct Fields<'a> {
    pub title: &'a str,
    /// `YYYY-MM-DD` or an RFC 3339 timestamp, written as it is.
    pub date: &'a str,
    pub summary: Option<&'a str>,
    pub author: Option<&'a str>,
    /// The source's name, and its address when known.
    pub source: Option<(&'a str, Option<&'a str>)>,
}

impl Fields<'_> {
    pub fn to_yaml(&self) -> String {
        let quote = crate::yaml::quote;
        let mut out = format!("title: {}\ndate: {}\n", quote(self.title), self.date);
        if let Some(summary) = self.summary {
            out.push_str(&format!("summary: {}\n", quote(summary)));
        }
        if let Some(author) = self.author {
            out.push_str(&format!("author: {}\n", quote(author)));
        }
        if let Some((name, url)) = self.source {
            out.push_str(&format!("source:\n  name: {}\n", quote(name)));
            if let Some(url) = url {
                out.push_str(&format!("  url: {}\n", quote(url)));
            }
        }
        out
    }
}

fn article_skeleton(title: &str, date: &str, annotations: &str) -> String {
    let fields = Fields {
        title,
        date,
        ..Fields::default()
    };
    format!(
        "---\n\
         {}\
         # summary: One or two sentences for the lists, the search and the feed.\n\
         # author: Who wrote the article\n\
         # dateline: CITY\n\
         # source:\n\
         #   name: The outlet the text comes from\n\
         #   url: https://example.org/the-original-article\n\
         # tags: [topic]\n\
         # draft: true\n\
         ---\n\
         Paste the article's text here, then annotate it in {annotations}.\n",
        fields.to_yaml()
    )
}

fn annotations_skeleton(path: &Path) -> String {
    let article = crate::diag::display_path(&path.with_extension("md"));
    format!(
        "# The annotations of {article}. Every section is commented out, so this file is valid\n\
         # and empty: uncomment what you need. A `text` is copied from the article exactly\n\
         # (quotes, dashes and white space may differ, nothing else).\n{ANNOTATIONS_GUIDE}"
    )
}

const ANNOTATIONS_GUIDE: &str = r#"#
# quotes:
#   - id: first-quote                  # optional: q1, q2, ... by default
#     text: "the words as the article has them"
#     speaker: speaker-id              # from content/speakers.yaml, or `speakers:` below
#     kind: direct                     # direct, indirect or paraphrase
#     via: [outlet-id]                 # who relayed the words, nearest first
#     questions: [question-id]         # from content/questions.yaml, or `questions:` below
#     note: Context for the reader, in Markdown; links may be relative, e.g. [x](../other-slug/).
#   - text: "a quote split by its attribution"
#     parts: ["the first part,", "and the second"]   # use instead of `text`
#     speaker: speaker-id
#   - text: "words that occur twice"
#     prefix: "the words just before"  # or suffix: "...", or occurrence: 2
#     speaker: speaker-id
#
# highlights:
#   - text: "a claim, fact or piece of context from the article"
#     kind: claim                      # claim, fact, context or question
#     note: Why it matters.
#
# positions:
#   - question: question-id
#     speaker: speaker-id
#     stance: One sentence stating where the speaker stands.
#     quotes: [first-quote]
#
# Speakers and questions that only this briefing uses may be defined here:
# speakers:
#   speaker-id:
#     name: Full Name
#     role: Their role
# questions:
#   question-id:
#     title: The question, as a question?
"#;

const SPEAKERS: &str = "# Speakers known to every briefing, by id (a-z, 0-9 and -).\n\
ada-okafor:
  name: Ada Okafor
  role: Mayor of Rivertown
  kind: person

wei-chen:
  name: Wei Chen
  role: Chair of the Rivertown Cyclists' Association
  kind: person

rivertown-gazette:
  name: The Rivertown Gazette
  role: Local daily newspaper
  kind: organisation
";

const QUESTIONS: &str = "# Questions followed across briefings, by id.\n\
bridge-reopening:
  title: When will the Old Bridge reopen?
  prompt: The council closed the bridge in March for repairs. Will it reopen before winter?
  status: open
";

const EXAMPLE_ARTICLE: &str = r#"---
title: Council sets a date for the Old Bridge to reopen
date: 2024-05-14
summary: An example briefing, made up for this new site. The mayor promises the bridge for September; cyclists have heard that before.
dateline: RIVERTOWN
source:
  name: The Rivertown Gazette (an invented example)
  url: https://example.com/old-bridge
tags: [example, transport]
---
RIVERTOWN — The Old Bridge will reopen to traffic "by the first week of September, and not a
day later," Mayor Ada Okafor told the city council on Tuesday.

Repairs to the 1890 bridge began in March, when inspectors found cracks in two of its three
arches. The works are expected to cost 4.2 million euros.

Cyclists were not convinced. "We have heard September before, and then it was November," said
Wei Chen, who chairs the Rivertown Cyclists' Association. He said the association would keep its
temporary ferry running until the bridge is open.

According to the Gazette, the mayor later added that the council would publish the contractor's
schedule online.
"#;

const EXAMPLE_ANNOTATIONS: &str = r#"# The annotations of old-bridge.md: who said what, and what the article states.
# Each `text` is copied from the article (quotes, dashes and white space may differ).

quotes:
  - id: reopen-september
    text: "by the first week of September, and not a day later"
    speaker: ada-okafor
    questions: [bridge-reopening]
    note: The council's timetable, published in March, said "late summer".

  - id: heard-before
    text: "We have heard September before, and then it was November"
    speaker: wei-chen
    questions: [bridge-reopening]

  - id: schedule-online
    text: "the council would publish the contractor's schedule online"
    speaker: ada-okafor
    kind: indirect
    via: [rivertown-gazette]

highlights:
  - id: cracks
    text: "cracks in two of its three arches"
    kind: fact

  - id: cost
    text: "expected to cost 4.2 million euros"
    kind: claim
    note: The council's estimate. Every position on the reopening is on [the question's page](../../questions/bridge-reopening/).

positions:
  - question: bridge-reopening
    speaker: ada-okafor
    stance: The bridge reopens in the first week of September.
    quotes: [reopen-september]

  - question: bridge-reopening
    speaker: wei-chen
    stance: Doubts the September date; the ferry keeps running until the bridge is open.
    quotes: [heard-before]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_ascii_words() {
        assert_eq!(slug("Council sets a date"), "council-sets-a-date");
        assert_eq!(slug("  Zelenskyy: “Absurd”!  "), "zelenskyy-absurd");
        assert_eq!(
            slug("Ukraine's path, Poland’s view"),
            "ukraines-path-polands-view"
        );
        assert_eq!(
            slug("Fußball in Łódź, Málaga & Øresund"),
            "fussball-in-lodz-malaga-oresund"
        );
        assert_eq!(slug("G7 pledges 2023"), "g7-pledges-2023");
        assert_eq!(slug("Україна"), "");
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let s = slug(&"word ".repeat(40));
        assert!(s.len() <= MAX_SLUG + 4 && !s.ends_with('-'), "{s}");
    }

    #[test]
    fn days_become_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_722), (2023, 12, 31));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert!(Date::parse(&today()).is_ok());
    }

    #[test]
    fn a_failed_creation_removes_only_what_it_made() {
        let site = tempfile::tempdir().unwrap();
        fs::create_dir_all(site.path().join("content/kept")).unwrap();
        let files = vec![
            (PathBuf::from("content/new/a/one.md"), "1"),
            (PathBuf::from("content/kept/two.md"), "2"),
        ];
        let created = create_all(site.path(), &files).unwrap();
        assert_eq!(
            created.folders,
            [Path::new("content/new"), Path::new("content/new/a")]
        );
        remove_created(site.path(), &created);
        assert!(!site.path().join("content/new").exists());
        // A folder that was there before stays, empty or not.
        assert!(site.path().join("content/kept").is_dir());
        assert!(!site.path().join("content/kept/two.md").exists());
    }

    #[test]
    fn fields_are_quoted_for_yaml() {
        let fields = Fields {
            title: r#"A: "b" \ c"#,
            date: "2024-05-14",
            summary: Some("# not a comment"),
            author: Some("Ann O'Neil"),
            source: Some(("News: Daily", Some("https://example.org/a?b=c#d"))),
        };
        assert_eq!(
            fields.to_yaml(),
            "title: 'A: \"b\" \\ c'\ndate: 2024-05-14\nsummary: \"# not a comment\"\n\
             author: \"Ann O'Neil\"\nsource:\n  name: \"News: Daily\"\n  url: \"https://example.org/a?b=c#d\"\n"
        );
    }
}

//! Watching a site's sources for `serve`: which folders are watched, and which changed paths
//! matter.
//!
//! `brief.yaml` (through a watch on the site root itself, which also sees `content/`,
//! `templates/` or `static/` appear), and `content/`, `templates/` and `static/` recursively;
//! never the output folder or anything else in the root (a repository's `target/`, say).
//! Events are debounced by notify-debouncer-full; editors' save patterns (atomic renames,
//! several writes in a row, swap, backup and probe files) reduce to the site files they
//! touched, handed over on the debouncer's own thread as they arrive, also while a rebuild
//! runs. This module must not print and must not build; the serve loop does both.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify_debouncer_full::notify::{self, EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache};

use crate::config::CONFIG_FILE;

/// How long an event is held back, so that the others of the same save join it (same-kind
/// events on one path are merged; the debouncer delivers each event this long after it
/// happened, checked every [`TICK`]). Editors finish a save (write, rename, delete the
/// backup) within a few milliseconds, and a save that arrives while a rebuild runs
/// supersedes it. Every reload waits this long: keep it short.
pub const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often the debouncer delivers due events.
pub const TICK: Duration = Duration::from_millis(5);

/// The folders watched recursively, when they exist.
pub const SOURCE_DIRS: [&str; 3] = ["content", "templates", "static"];

pub struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
    watched: Vec<PathBuf>,
}

/// What one batch of events means for the build.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Site files that changed, appeared or went away (absolute).
    pub paths: Vec<PathBuf>,
    /// The watcher lost events: everything must be rebuilt.
    pub rescan: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan
    }
}

impl Watcher {
    /// Starts watching `root`. Each debounced batch that names site files is handed to
    /// `on_changes`, and the watcher's own errors to `on_errors`, on the debouncer's thread.
    pub fn start(
        root: &Path,
        mut on_changes: impl FnMut(Changes) + Send + 'static,
        mut on_errors: impl FnMut(Vec<notify::Error>) + Send + 'static,
    ) -> Result<Watcher, notify::Error> {
        let at = root.to_path_buf();
        let handler = move |result: DebounceEventResult| match result {
            Ok(events) => {
                let found = changes(&at, &events);
                if !found.is_empty() {
                    on_changes(found);
                }
            }
            Err(errors) => on_errors(errors),
        };
        let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, Some(TICK), handler)?;
        debouncer.watch(root, RecursiveMode::NonRecursive)?;
        let mut w = Watcher {
            debouncer,
            root: root.to_path_buf(),
            watched: Vec::new(),
        };
        w.watch_new_dirs()?;
        Ok(w)
    }

    /// Watches the source folders that exist now and are not watched yet (a `static/`
    /// created after the server started, a `content/` deleted and restored).
    pub fn watch_new_dirs(&mut self) -> Result<(), notify::Error> {
        self.watched.retain(|d| d.is_dir());
        for name in SOURCE_DIRS {
            let dir = self.root.join(name);
            if dir.is_dir() && !self.watched.contains(&dir) {
                self.debouncer.watch(&dir, RecursiveMode::Recursive)?;
                self.watched.push(dir);
            }
        }
        Ok(())
    }
}

/// The site files named by a batch of debounced events.
pub fn changes(root: &Path, events: &[DebouncedEvent]) -> Changes {
    let mut out = Changes::default();
    for e in events {
        if e.need_rescan() {
            out.rescan = true;
            continue;
        }
        // Opening, reading or closing a file changes nothing (the rebuild itself reads them;
        // a write was already reported as a modification).
        if let EventKind::Access(_) = e.kind {
            continue;
        }
        for p in &e.paths {
            if is_site_file(root, p) && !out.paths.contains(p) {
                out.paths.push(p.clone());
            }
        }
    }
    out.paths.sort();
    out
}

/// `brief.yaml`, or a file under a source folder that is not hidden or temporary.
pub fn is_site_file(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    if rel == Path::new(CONFIG_FILE) {
        return true;
    }
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let Some(first) = parts.next() else {
        return false;
    };
    if !SOURCE_DIRS.contains(&first.as_ref()) {
        return false;
    }
    parts.all(|name| !is_ignored_name(&name))
}

/// Names editors and tools use for files of their own: hidden files (`.x.swp`, `.#x`,
/// `.x.tmp`), backups (`x~`, `x.bak`, `x.orig`), vim's `4913` probe and swap files, emacs'
/// `#x#` autosaves, and the temporary files of atomic saves (`x.tmp`, `x.yaml.tmp.1234`).
pub fn is_ignored_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || [
            ".swp",
            ".swo",
            ".swx",
            ".tmp",
            ".bak",
            ".orig",
            ".part",
            ".crdownload",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
        || lower.contains(".tmp.")
        || lower.contains(".sb-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_site_sources_count() {
        let root = Path::new("/site");
        for p in [
            "/site/brief.yaml",
            "/site/content/2023/a.yaml",
            "/site/content/2023/a.md",
            "/site/content/2023/folder/photo.jpg",
            "/site/templates/base.html",
            "/site/static/logo.svg",
        ] {
            assert!(is_site_file(root, Path::new(p)), "{p}");
        }
        for p in [
            "/site",
            "/site/README.md",
            "/site/public/index.html",
            "/site/target/debug/x",
            "/elsewhere/content/a.md",
            "/site/content/2023/.a.yaml.swp",
            "/site/content/2023/a.yaml~",
            "/site/content/2023/4913",
            "/site/content/2023/#a.yaml#",
            "/site/content/2023/.#a.yaml",
            "/site/content/2023/a.yaml.tmp",
            "/site/content/2023/a.yaml.tmp.12345",
            "/site/content/.git/x",
            "/site/static/.DS_Store",
            "/site/content/2023/a.swx",
        ] {
            assert!(!is_site_file(root, Path::new(p)), "{p}");
        }
    }
}

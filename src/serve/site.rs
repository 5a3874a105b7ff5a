//! The site as `serve` holds it: an [`Engine`] kept between saves, and every output file it
//! serves, pages in memory and copied files by their source path. Each update hands the
//! engine the files saved; the pages it makes replace the ones held, and the paths whose
//! bytes changed are told. This module must not print and writes nothing to disk.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use axum::body::Bytes;

use super::snapshot::Entry;
use crate::BuildOptions;
use crate::Report;
use crate::engine::{Changes, Engine, Output, Superseded, never};

/// What one update changed in what is served.
#[derive(Debug, Default)]
pub struct Applied {
    pub report: Report,
    /// Output paths whose contents changed or appeared.
    pub changed: Vec<PathBuf>,
    /// Output paths no longer served.
    pub removed: Vec<PathBuf>,
    /// True when everything was made again.
    pub full: bool,
    /// True when the update stopped because it was superseded (nothing changed).
    pub superseded: bool,
}

pub struct Served {
    engine: Engine,
    root: PathBuf,
    files: BTreeMap<PathBuf, Entry>,
}

impl Served {
    /// A site for `opts.root`; nothing is read until the first update.
    pub fn new(opts: BuildOptions) -> Self {
        Served {
            root: opts.root.clone(),
            engine: Engine::new(opts),
            files: BTreeMap::new(),
        }
    }

    pub fn options(&self) -> &BuildOptions {
        self.engine.options()
    }

    /// Every output file served.
    pub fn files(&self) -> &BTreeMap<PathBuf, Entry> {
        &self.files
    }

    /// A page's bytes, or `None` for a copied file or nothing.
    pub fn page(&self, path: &Path) -> Option<&[u8]> {
        match self.files.get(path)? {
            Entry::Page(bytes) => Some(bytes),
            Entry::File(_) => None,
        }
    }

    /// The pages (without copied files), by output path.
    pub fn pages(&self) -> impl Iterator<Item = (&PathBuf, &[u8])> {
        self.files.iter().filter_map(|(p, e)| match e {
            Entry::Page(bytes) => Some((p, &bytes[..])),
            Entry::File(_) => None,
        })
    }

    /// Reads and makes everything.
    pub fn rebuild(&mut self) -> Applied {
        self.update(&Changes::All, &never)
    }

    /// Reads the files changed (absolute, or relative to the site root) and makes what
    /// depends on them.
    pub fn apply(&mut self, changed: &[PathBuf]) -> Applied {
        self.update(&Changes::Files(changed.to_vec()), &never)
    }

    /// Brings the site up to date with `changes`, stopping early once `superseded` says so.
    pub fn update(&mut self, changes: &Changes, superseded: Superseded) -> Applied {
        let update = self.engine.update(changes, Output::Kept, superseded);
        let mut applied = Applied {
            full: update.full,
            superseded: update.superseded,
            ..Applied::default()
        };
        if update.superseded || update.report.failed() {
            applied.report = update.report;
            return applied;
        }
        let copies: HashMap<PathBuf, Entry> = (update.copies.iter())
            .map(|c| (c.to.clone(), Entry::File(self.root.join(&c.from))))
            .collect();
        for p in update.removed {
            if self.files.remove(&p).is_some() && !copies.contains_key(&p) {
                applied.removed.push(p);
            }
        }
        for page in update.pages {
            let same =
                matches!(self.files.get(&page.path), Some(Entry::Page(b)) if *b == page.bytes);
            if !same {
                applied.changed.push(page.path.clone());
                self.files
                    .insert(page.path, Entry::Page(Bytes::from(page.bytes)));
            }
        }
        // Copied files: those gone, and those new or from another source.
        let gone: Vec<PathBuf> = (self.files.iter())
            .filter(|(p, e)| matches!(e, Entry::File(_)) && !copies.contains_key(*p))
            .map(|(p, _)| p.clone())
            .collect();
        for p in gone {
            self.files.remove(&p);
            applied.removed.push(p);
        }
        for (to, entry) in copies {
            let same = matches!((self.files.get(&to), &entry), (Some(Entry::File(a)), Entry::File(b)) if a == b);
            if !same {
                applied.changed.push(to.clone());
                self.files.insert(to, entry);
            }
        }
        applied.changed.sort();
        applied.removed.sort();
        applied.report = update.report;
        applied
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::config::Overrides;
    use crate::engine::Changes;

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

    fn workspace(root: &Path) -> Served {
        Served::new(BuildOptions {
            root: root.to_path_buf(),
            overrides: Overrides::default(),
            drafts: false,
            write: false,
            force: false,
        })
    }

    /// Every output path with what it serves (a copy: its source, relative to the site).
    fn output(ws: &Served) -> Vec<(PathBuf, Vec<u8>)> {
        let mut all: Vec<(PathBuf, Vec<u8>)> = ws
            .files()
            .iter()
            .map(|(p, e)| match e {
                Entry::Page(bytes) => (p.clone(), bytes.to_vec()),
                Entry::File(src) => {
                    let rel = src.strip_prefix(&ws.root).unwrap_or(src);
                    (p.clone(), rel.to_string_lossy().as_bytes().to_vec())
                }
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

    fn assert_same(ws: &Served, expected: &[(PathBuf, Vec<u8>)], step: &str) {
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
                    let update = ws.update(&Changes::Files(paths), &stop_after(stopped_at));
                    if !update.superseded {
                        // Asked fewer times than that: every stopping point was tried.
                        assert!(stopped_at >= 2, "{name}: the update was hardly asked");
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
    /// site brought up to date by the next update.
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
            if !ws.update(&Changes::All, &stop_after(stopped_at)).superseded {
                assert!(stopped_at > 2, "the rebuild was hardly asked");
                break;
            }
            let update = ws.apply(&[newer_save(root)]);
            assert!(!update.superseded && !update.report.failed());
            assert!(update.full, "what the stopped rebuild left is done in full");
            assert_same(&ws, &expected, &format!("stopped at question {stopped_at}"));
        }
    }
}

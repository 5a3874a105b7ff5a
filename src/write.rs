//! Writing: put rendered pages on disk without ever leaving a half-built site.
//!
//! Everything is written into a fresh staging folder beside the output folder, which is swapped
//! in with two renames only when every file is written. A failed or interrupted build leaves the
//! previous output exactly as it was (at worst a stale staging folder, removed next time).
//! This is the only stage that writes to disk.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::render::{Copy, Page};

fn fail(what: &str, path: &Path, e: io::Error) -> Diagnostic {
    Diagnostic::error(
        "io-error",
        format!("cannot {what} {}: {e}", path.display()),
    )
    .help("check that the output folder's parent exists and is writable, and that the disk is not full")
}

/// A fresh folder beside the output folder that receives the new site, file by file (from
/// any thread), and replaces the output folder only on [`Staging::commit`]. Dropped without
/// a commit, it removes itself and the output folder stays as it was.
pub struct Staging {
    dir: PathBuf,
    out_dir: PathBuf,
    root: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the staging folder for `out_dir`; `root` is the site root, for copies.
    pub fn create(root: &Path, out_dir: &Path) -> Result<Staging, Diagnostic> {
        refuse_foreign_folder(out_dir)?;
        let parent = parent_of(out_dir);
        fs::create_dir_all(parent).map_err(|e| fail("create", parent, e))?;
        let name = name_of(out_dir);
        remove_stale_staging(parent, &name);
        let dir = parent.join(format!(".{name}.brief-staging-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(|e| fail("create", &dir, e))?;
        Ok(Staging {
            dir,
            out_dir: out_dir.to_path_buf(),
            root: root.to_path_buf(),
            committed: false,
        })
    }

    /// Writes one page (its folder is created as needed).
    pub fn write(&self, page: &Page) -> Result<(), Diagnostic> {
        let path = self.dir.join(&page.path);
        write_creating_dirs(&path, &page.bytes).map_err(|e| fail("write", &path, e))
    }

    /// Copies one file of the site as it is.
    pub fn copy(&self, c: &Copy) -> Result<(), Diagnostic> {
        let (from, to) = (self.root.join(&c.from), self.dir.join(&c.to));
        if let Some(d) = to.parent() {
            fs::create_dir_all(d).map_err(|e| fail("create", d, e))?;
        }
        fs::copy(&from, &to)
            .map(|_| ())
            .map_err(|e| fail("copy", &from, e))
    }

    /// Swaps the new site in: old output aside, new one in, old one removed.
    pub fn commit(mut self) -> Result<(), Diagnostic> {
        let parent = parent_of(&self.out_dir).to_path_buf();
        let name = name_of(&self.out_dir);
        swap_in(&self.dir, &self.out_dir, &parent, &name)
            .map_err(|e| fail("replace", &self.out_dir, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn parent_of(out_dir: &Path) -> &Path {
    out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn name_of(out_dir: &Path) -> String {
    out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".to_string())
}

/// Writes a file; creates its folder only when the first attempt says it is missing, so the
/// common case costs one system call sequence, not a `stat` per folder level.
fn write_creating_dirs(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match fs::write(path, bytes) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(d) = path.parent() {
                fs::create_dir_all(d)?;
            }
            fs::write(path, bytes)
        }
        other => other,
    }
}

/// Replaces `out_dir` with `staging`: old output aside, new one in, old one removed.
fn swap_in(staging: &Path, out_dir: &Path, parent: &Path, name: &str) -> io::Result<()> {
    if !out_dir.exists() {
        return fs::rename(staging, out_dir);
    }
    let old = parent.join(format!(".{name}.brief-old-{}", std::process::id()));
    let _ = fs::remove_dir_all(&old);
    fs::rename(out_dir, &old)?;
    if let Err(e) = fs::rename(staging, out_dir) {
        // Put the previous output back before reporting.
        let _ = fs::rename(&old, out_dir);
        return Err(e);
    }
    remove_tree(&old);
    Ok(())
}

/// Removes a folder tree, its second level in parallel: an old output of thousands of pages
/// is most of the write stage's time otherwise, and it is all file-system calls.
fn remove_tree(dir: &Path) {
    let children = |d: &Path| -> Vec<PathBuf> {
        fs::read_dir(d)
            .map(|it| it.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    let level2: Vec<PathBuf> = children(dir)
        .into_iter()
        .flat_map(|c| if c.is_dir() { children(&c) } else { vec![c] })
        .collect();
    level2.par_iter().for_each(|p| {
        let _ = if p.is_dir() {
            fs::remove_dir_all(p)
        } else {
            fs::remove_file(p)
        };
    });
    let _ = fs::remove_dir_all(dir);
}

/// Staging and old folders of builds that were killed midway.
fn remove_stale_staging(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with(&format!(".{name}.brief-staging-"))
            || n.starts_with(&format!(".{name}.brief-old-"))
        {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// Building replaces the whole output folder; refuse to replace a folder that is not empty and
/// does not look like a site `brief` built (no `index.html`, no `404.html`).
fn refuse_foreign_folder(out_dir: &Path) -> Result<(), Diagnostic> {
    if out_dir.is_file() {
        return Err(Diagnostic::error(
            "bad-output-dir",
            format!("the output path {} is a file", out_dir.display()),
        )
        .help("choose a folder for the output, e.g. --output public"));
    }
    let Ok(mut entries) = fs::read_dir(out_dir) else {
        return Ok(()); // does not exist yet
    };
    let empty = entries.next().is_none();
    if empty || out_dir.join("index.html").is_file() || out_dir.join("404.html").is_file() {
        return Ok(());
    }
    Err(Diagnostic::error(
        "bad-output-dir",
        format!(
            "the output folder {} holds files that brief did not write",
            out_dir.display()
        ),
    )
    .help("building replaces the whole output folder; choose an empty or new folder, or empty this one first"))
}

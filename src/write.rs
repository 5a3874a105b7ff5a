//! Writing: put a rendered [`Output`] on disk without ever leaving a half-built site.
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
use crate::render::Output;

/// Writes `output` to `out_dir` atomically. `root` is the site root, for copies.
pub fn write_output(root: &Path, out_dir: &Path, output: &Output) -> Result<(), Diagnostic> {
    let fail = |what: &str, path: &Path, e: io::Error| {
        Diagnostic::error(
            "io-error",
            format!("cannot {what} {}: {e}", path.display()),
        )
        .help("check that the output folder's parent exists and is writable, and that the disk is not full")
    };
    refuse_foreign_folder(out_dir)?;
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| fail("create", parent, e))?;
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".to_string());
    remove_stale_staging(parent, &name);
    let staging = parent.join(format!(".{name}.brief-staging-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|e| fail("create", &staging, e))?;

    let result = fill(root, &staging, output);
    if let Err((path, e)) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(fail("write", &path, e));
    }
    swap_in(&staging, out_dir, parent, &name).map_err(|e| {
        let _ = fs::remove_dir_all(&staging);
        fail("replace", out_dir, e)
    })
}

/// Writes every page and copy into `dir`; directories first, then files in parallel.
fn fill(root: &Path, dir: &Path, output: &Output) -> Result<(), (PathBuf, io::Error)> {
    let mut dirs: Vec<PathBuf> = output
        .pages
        .iter()
        .map(|p| &p.path)
        .chain(output.copies.iter().map(|c| &c.to))
        .filter_map(|p| p.parent().map(|d| dir.join(d)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        fs::create_dir_all(d).map_err(|e| (d.clone(), e))?;
    }
    output.pages.par_iter().try_for_each(|page| {
        let path = dir.join(&page.path);
        fs::write(&path, &page.bytes).map_err(|e| (path, e))
    })?;
    output.copies.par_iter().try_for_each(|c| {
        let to = dir.join(&c.to);
        fs::copy(root.join(&c.from), &to)
            .map(|_| ())
            .map_err(|e| (root.join(&c.from), e))
    })
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
    let _ = fs::remove_dir_all(&old);
    Ok(())
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

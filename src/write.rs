//! Writing: put rendered pages on disk without ever leaving a half-built site.
//!
//! Everything is written into a staging folder beside the output folder, which is swapped in
//! with renames only when every file is written. A failed or interrupted build leaves the
//! previous output exactly as it was.
//!
//! The staging folder is not made fresh each time: the output a build replaces is kept as
//! `.<name>.brief-spare` and the next build writes into it, overwriting files in place and
//! removing what it did not write. Creating and deleting tens of thousands of files per build
//! was most of a large build's time (ext4 searches past recently deleted inodes on every
//! create). The price is a second copy of the output on disk, which may be deleted at any
//! time.
//!
//! This is the only stage that writes to disk.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::render::{Copy, Page, Stream};

fn fail(what: &str, path: &Path, e: io::Error) -> Diagnostic {
    Diagnostic::error(
        "io-error",
        format!("cannot {what} {}: {e}", path.display()),
    )
    .help("check that the output folder's parent exists and is writable, and that the disk is not full")
}

/// A folder beside the output folder that receives the new site, file by file (from any
/// thread), and replaces the output folder only on [`Staging::commit`]. Dropped without a
/// commit, it is kept as the spare for the next build and the output stays as it was.
pub struct Staging {
    dir: PathBuf,
    out_dir: PathBuf,
    root: PathBuf,
    /// Every file written, relative to `dir`: whatever else the spare held is removed.
    written: Mutex<Vec<PathBuf>>,
    committed: bool,
}

impl Staging {
    /// Prepares the staging folder for `out_dir` (the previous build's spare, when there is
    /// one); `root` is the site root, for copies.
    pub fn create(root: &Path, out_dir: &Path) -> Result<Staging, Diagnostic> {
        refuse_foreign_folder(out_dir)?;
        let parent = parent_of(out_dir);
        fs::create_dir_all(parent).map_err(|e| fail("create", parent, e))?;
        let name = name_of(out_dir);
        remove_stale_staging(parent, &name);
        let dir = parent.join(format!(".{name}.brief-staging-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        // Renaming claims the spare: a second build running at the same time finds none.
        let spare = spare_of(out_dir);
        if !(spare.is_dir() && fs::rename(&spare, &dir).is_ok()) {
            fs::create_dir_all(&dir).map_err(|e| fail("create", &dir, e))?;
        }
        Ok(Staging {
            dir,
            out_dir: out_dir.to_path_buf(),
            root: root.to_path_buf(),
            written: Mutex::new(Vec::new()),
            committed: false,
        })
    }

    fn record(&self, rel: &Path) {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(rel.to_path_buf());
    }

    /// Writes one page (its folder is created as needed).
    pub fn write(&self, page: &Page) -> Result<(), Diagnostic> {
        let path = self.dir.join(&page.path);
        self.record(&page.path);
        write_over(&self.dir, &path, &page.bytes).map_err(|e| fail("write", &path, e))
    }

    /// Writes one file in pieces, as `write` makes them, through a buffer: for files too
    /// large to hold in memory beside the rest of a build.
    pub fn stream(&self, rel: &Path, write: Stream) -> Result<(), Diagnostic> {
        let path = self.dir.join(rel);
        self.record(rel);
        stream_over(&self.dir, &path, write).map_err(|e| fail("write", &path, e))
    }

    /// Copies one file of the site as it is.
    pub fn copy(&self, c: &Copy) -> Result<(), Diagnostic> {
        let (from, to) = (self.root.join(&c.from), self.dir.join(&c.to));
        self.record(&c.to);
        clear_the_way(&self.dir, &to).map_err(|e| fail("create", &to, e))?;
        fs::copy(&from, &to)
            .map(|_| ())
            .map_err(|e| fail("copy", &from, e))
    }

    /// Removes what the spare held that this build did not write, then swaps the new site
    /// in: old output aside (it becomes the next spare), new one in.
    pub fn commit(mut self) -> Result<(), Diagnostic> {
        let written = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        prune(&self.dir, &written).map_err(|e| fail("clean", &self.dir, e))?;
        swap_in(&self.dir, &self.out_dir).map_err(|e| fail("replace", &self.out_dir, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let spare = spare_of(&self.out_dir);
            if spare.exists() || fs::rename(&self.dir, &spare).is_err() {
                let _ = fs::remove_dir_all(&self.dir);
            }
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

/// Where the output a build replaces is kept for the next build to write into.
pub fn spare_of(out_dir: &Path) -> PathBuf {
    parent_of(out_dir).join(format!(".{}.brief-spare", name_of(out_dir)))
}

/// Writes a file over whatever the spare held there. The common cases cost one system-call
/// sequence: no `stat` per folder level; folders are made only when the first attempt says
/// they are missing. (Comparing with the old bytes first was tried: reading a spare that has
/// left the page cache made builds several times slower.)
///
/// The old file is not truncated first: its blocks are written over and the file is cut only
/// when the new bytes are shorter. Truncating to zero made ext4 free every block, allocate
/// them again and, on close, start writing the file back at once (its `auto_da_alloc`
/// safeguard for files replaced by truncation).
fn write_over(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (mut f, old_len) = open_over(dir, path)?;
    f.write_all(bytes)?;
    cut(&f, old_len, bytes.len() as u64)
}

/// [`write_over`] for a file written in pieces.
fn stream_over(dir: &Path, path: &Path, write: Stream) -> io::Result<()> {
    let (f, old_len) = open_over(dir, path)?;
    let mut out = io::BufWriter::with_capacity(STREAM_BUFFER, f);
    write(&mut out)?;
    let mut f = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    let len = f.stream_position()?;
    cut(&f, old_len, len)
}

/// How much of a streamed file is gathered before each write.
const STREAM_BUFFER: usize = 256 * 1024;

/// Opens the spare's file at `path` for writing over, or a new one; with its length.
fn open_over(dir: &Path, path: &Path) -> io::Result<(fs::File, u64)> {
    let open = || -> io::Result<(fs::File, u64)> {
        let f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        let len = f.metadata()?.len();
        Ok((f, len))
    };
    open().or_else(|_| {
        // A missing folder, or a spare whose file is a folder now (or the reverse).
        clear_the_way(dir, path)?;
        open()
    })
}

/// Cuts what is left of the old file's bytes past the new ones.
fn cut(f: &fs::File, old_len: u64, new_len: u64) -> io::Result<()> {
    if old_len > new_len {
        f.set_len(new_len)?;
    }
    Ok(())
}

/// Makes `path` writable as a file inside `dir`: its folders exist (a file of the spare
/// standing where one must be is removed) and no folder stands at `path` itself.
fn clear_the_way(dir: &Path, path: &Path) -> io::Result<()> {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let mut at = dir.to_path_buf();
    if let Some(folders) = rel.parent() {
        for part in folders.components() {
            at.push(part);
            match fs::symlink_metadata(&at) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    fs::remove_file(&at)?;
                    create_dir(&at)?;
                }
                Err(_) => create_dir(&at)?,
            }
        }
    }
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        fs::remove_dir_all(path)?;
    }
    Ok(())
}

/// Creates a folder, which another thread may have just created.
fn create_dir(path: &Path) -> io::Result<()> {
    match fs::create_dir(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        other => other,
    }
}

/// Removes every file and folder under `dir` that is neither written nor holds something
/// written. Folders are walked in parallel: a spare holds tens of thousands of them.
fn prune(dir: &Path, written: &[PathBuf]) -> io::Result<()> {
    let files: HashSet<&Path> = written.iter().map(PathBuf::as_path).collect();
    let folders: HashSet<&Path> = written
        .iter()
        .flat_map(|p| p.ancestors().skip(1))
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    prune_folder(dir, Path::new(""), &files, &folders)
}

fn prune_folder(
    dir: &Path,
    rel: &Path,
    files: &HashSet<&Path>,
    folders: &HashSet<&Path>,
) -> io::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir.join(rel))?.collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|e| {
        let child = rel.join(e.file_name());
        let is_dir = e.file_type()?.is_dir();
        match (
            is_dir,
            folders.contains(child.as_path()),
            files.contains(child.as_path()),
        ) {
            (true, true, _) => prune_folder(dir, &child, files, folders),
            (true, false, _) => fs::remove_dir_all(e.path()),
            (false, _, true) => Ok(()),
            (false, _, false) => fs::remove_file(e.path()),
        }
    })
}

/// Replaces `out_dir` with `staging`; the previous output becomes the spare.
fn swap_in(staging: &Path, out_dir: &Path) -> io::Result<()> {
    if !out_dir.exists() {
        return fs::rename(staging, out_dir);
    }
    let spare = spare_of(out_dir);
    let _ = fs::remove_dir_all(&spare);
    fs::rename(out_dir, &spare)?;
    if let Err(e) = fs::rename(staging, out_dir) {
        // Put the previous output back before reporting.
        let _ = fs::rename(&spare, out_dir);
        return Err(e);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `text` in pieces of `piece` bytes.
    fn in_pieces(text: &[u8], piece: usize) -> impl FnMut(&mut dyn Write) -> io::Result<()> + '_ {
        move |out| text.chunks(piece).try_for_each(|c| out.write_all(c))
    }

    #[test]
    fn a_streamed_file_is_written_over_a_longer_one_and_cut_to_its_length() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("search-index.json");
        fs::write(&path, vec![b'x'; 10_000]).unwrap();
        stream_over(tmp.path(), &path, &mut in_pieces(b"{\"short\":1}\n", 5)).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"{\"short\":1}\n");
    }

    #[test]
    fn a_streamed_file_longer_than_its_buffer_arrives_whole_in_a_new_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a/b/index.json");
        let text: Vec<u8> = (0..STREAM_BUFFER * 3 + 17)
            .map(|i| (i % 251) as u8)
            .collect();
        stream_over(tmp.path(), &path, &mut in_pieces(&text, 7)).unwrap();
        assert_eq!(fs::read(&path).unwrap(), text);
        // Over itself, shorter: nothing of the old bytes is left.
        stream_over(tmp.path(), &path, &mut in_pieces(&text[..100], 64)).unwrap();
        assert_eq!(fs::read(&path).unwrap(), &text[..100]);
    }

    #[test]
    fn a_stream_that_fails_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("index.json");
        let mut failing = |_: &mut dyn Write| -> io::Result<()> { Err(io::Error::other("no")) };
        assert!(stream_over(tmp.path(), &path, &mut failing).is_err());
    }
}

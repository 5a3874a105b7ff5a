//! Writing: put rendered pages on disk without ever leaving a half-built site, and without
//! touching anything brief did not write.
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
//! What may be replaced, reused or deleted is decided by `output`: only folders holding
//! brief's marker, never through a symbolic link, and a build holds the output's lock from
//! start to end. A spare is brief's folder but not its contents' guarantee (a repository can
//! carry one), so before a spare is written into, every link and special file in it is
//! removed: writes then never pass through a link.
//!
//! This is the only stage that writes the output.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::output::{self, Found};
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
    /// Replace an output folder that is not brief's (`--force`).
    force: bool,
    /// Every file written, relative to `dir`: whatever else the spare held is removed.
    written: Mutex<Vec<PathBuf>>,
    committed: bool,
    _lock: output::Lock,
}

impl Staging {
    /// Prepares the staging folder for `out_dir` (the previous build's spare, when there is
    /// one); `root` is the site root, for copies. With `force`, an output folder (and a
    /// spare) that brief did not write will be replaced; without it, either is an error.
    pub fn create(root: &Path, out_dir: &Path, force: bool) -> Result<Staging, Diagnostic> {
        let parent = out_dir.parent().unwrap_or(Path::new("/"));
        fs::create_dir_all(parent).map_err(|e| fail("create", parent, e))?;
        let lock = output::lock(out_dir)?;
        may_replace_output(out_dir, force)?;
        remove_stale_staging(out_dir);
        let spare = spare_of(out_dir);
        let dir = match take_spare(&spare, out_dir, force)? {
            Some(dir) => dir,
            None => new_staging(out_dir)?,
        };
        Ok(Staging {
            dir,
            out_dir: out_dir.to_path_buf(),
            root: root.to_path_buf(),
            force,
            written: Mutex::new(vec![PathBuf::from(output::MARKER)]),
            committed: false,
            _lock: lock,
        })
    }

    /// Notes a file written. (Hidden files of the site are never published, so nothing of
    /// the site's can take the marker's name.)
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
        swap_in(&self.dir, &self.out_dir, self.force)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let spare = spare_of(&self.out_dir);
            let free = matches!(output::classify(&spare), Ok(Found::Missing));
            if !free || fs::rename(&self.dir, &spare).is_err() {
                let _ = fs::remove_dir_all(&self.dir);
            }
        }
    }
}

/// Where the output a build replaces is kept for the next build to write into.
pub fn spare_of(out_dir: &Path) -> PathBuf {
    output::sibling(out_dir, "spare")
}

/// A name beside `out_dir` that nothing has, for a folder of this build's.
fn free_sibling(out_dir: &Path, what: &str) -> PathBuf {
    let pid = std::process::id();
    (0..)
        .map(|n| output::sibling(out_dir, &format!("{what}-{pid}-{n}")))
        .find(|p| fs::symlink_metadata(p).is_err())
        .expect("an unused name")
}

/// A new, marked staging folder.
fn new_staging(out_dir: &Path) -> Result<PathBuf, Diagnostic> {
    loop {
        let dir = free_sibling(out_dir, "staging");
        match fs::create_dir(&dir) {
            Ok(()) => {
                return output::mark(&dir)
                    .map(|()| dir.clone())
                    .map_err(|e| fail("create", &dir, e));
            }
            // Taken between the look and the create: try the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(fail("create", &dir, e)),
        }
    }
}

/// Whether the output folder may be replaced at the end of the build.
fn may_replace_output(out_dir: &Path, force: bool) -> Result<(), Diagnostic> {
    match output::classify(out_dir).map_err(|e| fail("read", out_dir, e))? {
        Found::Missing | Found::Ours | Found::Empty => Ok(()),
        Found::Foreign if force => Ok(()),
        Found::Foreign => Err(foreign_output(out_dir)),
        Found::Link(to) => Err(output_is_a_link(out_dir, to)),
        Found::NotAFolder => Err(output_is_a_file(out_dir)),
    }
}

/// Claims the previous build's spare as this build's staging folder, with every link in it
/// removed. `None` when there is none to reuse.
fn take_spare(spare: &Path, out_dir: &Path, force: bool) -> Result<Option<PathBuf>, Diagnostic> {
    let found = output::classify(spare).map_err(|e| fail("read", spare, e))?;
    match found {
        Found::Missing => Ok(None),
        Found::Ours => {
            let dir = free_sibling(out_dir, "staging");
            fs::rename(spare, &dir).map_err(|e| fail("reuse", spare, e))?;
            remove_links(&dir).map_err(|e| fail("clean", &dir, e))?;
            Ok(Some(dir))
        }
        // An empty folder holds nothing to lose.
        Found::Empty => fs::remove_dir(spare)
            .map(|()| None)
            .map_err(|e| fail("remove", spare, e)),
        // Only the link itself goes, never what it leads to.
        Found::Link(_) | Found::NotAFolder if force => fs::remove_file(spare)
            .map(|()| None)
            .map_err(|e| fail("remove", spare, e)),
        Found::Foreign if force => fs::remove_dir_all(spare)
            .map(|()| None)
            .map_err(|e| fail("remove", spare, e)),
        other => Err(foreign_spare(spare, &other)),
    }
}

/// Removes every symbolic link and special file under `dir`, so that no write into it can
/// pass through one. Folders are walked in parallel: a spare holds tens of thousands.
fn remove_links(dir: &Path) -> io::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|e| {
        let kind = e.file_type()?;
        if kind.is_dir() {
            remove_links(&e.path())
        } else if kind.is_file() {
            Ok(())
        } else {
            fs::remove_file(e.path())
        }
    })
}

fn foreign_output(out_dir: &Path) -> Diagnostic {
    Diagnostic::error(
        "foreign-output",
        format!(
            "the output folder {} holds files that brief did not write",
            out_dir.display()
        ),
    )
    .help(format!(
        "a build replaces its whole output folder, so brief only replaces folders it built (they hold a `{}` file); choose an empty or new folder with --output, or pass --force to let brief delete everything in this one and build there (if an earlier version of brief built it, --force once is enough)",
        output::MARKER
    ))
}

fn output_is_a_link(out_dir: &Path, to: Option<PathBuf>) -> Diagnostic {
    let target = to
        .map(|t| format!(" (to {})", t.display()))
        .unwrap_or_default();
    Diagnostic::error(
        "output-is-a-link",
        format!("the output folder {} is a symbolic link{target}", out_dir.display()),
    )
    .help("brief replaces its output folder by renaming, and never through a link: name the folder the link leads to with --output, or build elsewhere")
}

fn output_is_a_file(out_dir: &Path) -> Diagnostic {
    Diagnostic::error(
        "bad-output-dir",
        format!("the output path {} is a file", out_dir.display()),
    )
    .help("choose a folder for the output, e.g. --output public")
}

fn foreign_spare(spare: &Path, found: &Found) -> Diagnostic {
    let what = match found {
        Found::Link(Some(to)) => format!("is a symbolic link (to {})", to.display()),
        Found::Link(None) => "is a symbolic link".to_string(),
        Found::NotAFolder => "is a file".to_string(),
        _ => "is a folder that brief did not write".to_string(),
    };
    Diagnostic::error(
        "foreign-spare",
        format!(
            "{} {what}; brief keeps the previous output there and would replace it",
            spare.display()
        ),
    )
    .help("move it away or delete it if it is not yours (a copied or cloned site can carry one), or pass --force to let brief remove it (a link is removed, never what it leads to)")
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

/// Replaces `out_dir` with `staging`. The previous output becomes the spare when it is
/// brief's; an empty folder, or with `force` one that is not brief's, is removed once the new
/// output stands in its place. What stands there is looked at again: the build took a while.
fn swap_in(staging: &Path, out_dir: &Path, force: bool) -> Result<(), Diagnostic> {
    let replace = |e| fail("replace", out_dir, e);
    match output::classify(out_dir).map_err(replace)? {
        Found::Missing => fs::rename(staging, out_dir).map_err(replace),
        Found::Ours => {
            let spare = spare_of(out_dir);
            match output::classify(&spare).map_err(|e| fail("read", &spare, e))? {
                Found::Missing => {}
                Found::Ours => fs::remove_dir_all(&spare).map_err(|e| fail("remove", &spare, e))?,
                other => return Err(foreign_spare(&spare, &other)),
            }
            exchange(staging, out_dir, &spare).map(|_| ())
        }
        Found::Empty => exchange(staging, out_dir, &free_sibling(out_dir, "old"))
            .and_then(|old| fs::remove_dir(&old).map_err(|e| fail("remove", &old, e))),
        Found::Foreign if force => exchange(staging, out_dir, &free_sibling(out_dir, "old"))
            .and_then(|old| fs::remove_dir_all(&old).map_err(|e| fail("remove", &old, e))),
        Found::Foreign => Err(foreign_output(out_dir)),
        Found::Link(to) => Err(output_is_a_link(out_dir, to)),
        Found::NotAFolder => Err(output_is_a_file(out_dir)),
    }
}

/// Moves `out_dir` to `aside` and `staging` to `out_dir`, putting the old one back if the
/// second rename fails. Returns where the old output went.
fn exchange(staging: &Path, out_dir: &Path, aside: &Path) -> Result<PathBuf, Diagnostic> {
    fs::rename(out_dir, aside).map_err(|e| fail("replace", out_dir, e))?;
    if let Err(e) = fs::rename(staging, out_dir) {
        let _ = fs::rename(aside, out_dir);
        return Err(fail("replace", out_dir, e));
    }
    Ok(aside.to_path_buf())
}

/// Staging and old folders of builds that were killed midway: brief's own (marked) only.
fn remove_stale_staging(out_dir: &Path) {
    let parent = out_dir.parent().unwrap_or(Path::new("/"));
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let ours = |what: &str| {
        output::sibling(out_dir, what)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let (staging, old) = (ours("staging-"), ours("old-"));
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        let stale = n.starts_with(&staging) || n.starts_with(&old);
        if stale && matches!(output::classify(&e.path()), Ok(Found::Ours)) {
            let _ = fs::remove_dir_all(e.path());
        }
    }
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

//! Which folders brief owns, and the rules before anything is replaced or deleted.
//!
//! A build replaces its whole output folder and keeps the replaced one as a spare, so the
//! question "may this folder go?" must have a sure answer. It is: only a real folder (not a
//! symbolic link) holding brief's marker file, [`MARKER`], which brief writes first into every
//! folder it builds. A folder without the marker that holds anything is someone's, and is
//! never touched unless the user said `--force`. Paths are resolved through the file system
//! (symbolic links in their parents followed) before they are compared with the site.
//!
//! This module decides and names; it writes nothing but the marker and the lock file, and it
//! deletes nothing.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

use crate::diag::Diagnostic;

/// The file that makes a folder brief's own: an output folder, its spare, a staging folder.
pub const MARKER: &str = ".brief-output";

/// The marker's first line: what [`is_ours`] looks for.
const MARKER_HEAD: &str = "brief-output: 1";

const MARKER_TEXT: &str = "brief-output: 1\n\
This folder was written by `brief build`. The next build replaces it, keeps it beside the new\n\
output as a spare and writes into it later. brief replaces or deletes only folders that hold\n\
this file.\n";

/// What stands at a path where brief wants a folder of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Nothing.
    Missing,
    /// A real folder with brief's marker.
    Ours,
    /// A real, empty folder.
    Empty,
    /// A real folder with something in it and no marker.
    Foreign,
    /// A symbolic link (to where it points, when that can be read).
    Link(Option<PathBuf>),
    /// A file, or anything else that is not a folder.
    NotAFolder,
}

/// Looks at `path` without following a symbolic link at its end.
pub fn classify(path: &Path) -> io::Result<Found> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        return Ok(Found::Link(fs::read_link(path).ok()));
    }
    if !meta.is_dir() {
        return Ok(Found::NotAFolder);
    }
    if is_ours(path) {
        return Ok(Found::Ours);
    }
    match fs::read_dir(path)?.next() {
        None => Ok(Found::Empty),
        Some(_) => Ok(Found::Foreign),
    }
}

/// Whether `dir` holds brief's marker as a regular file (a link named like it does not count).
fn is_ours(dir: &Path) -> bool {
    let path = dir.join(MARKER);
    let Ok(meta) = fs::symlink_metadata(&path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    let mut head = [0u8; MARKER_HEAD.len()];
    fs::File::open(&path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == *MARKER_HEAD.as_bytes())
}

/// Writes brief's marker into `dir`, a folder brief has just made.
pub fn mark(dir: &Path) -> io::Result<()> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dir.join(MARKER))
        .and_then(|mut f| io::Write::write_all(&mut f, MARKER_TEXT.as_bytes()))
}

/// Makes `path` absolute (against `base`) and resolves it through the file system: every
/// symbolic link on the way is followed and `..` means the parent of where a link led, as it
/// does for the system. The last part is kept as it is even when it is a link, so that the
/// caller can see the link; parts that do not exist yet are taken as written.
pub fn resolve(base: &Path, path: &Path) -> PathBuf {
    let joined = base.join(path);
    let Some(last) = joined.file_name().map(PathBuf::from) else {
        // `/`, or a path ending in `..`: nothing is left to keep as it is.
        return resolve_all(&joined);
    };
    let parent = joined.parent().unwrap_or(Path::new("/"));
    resolve_all(parent).join(last)
}

/// [`resolve`] with the last part followed too.
fn resolve_all(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    let mut parts = path.components();
    while let Some(part) = parts.next() {
        match part {
            Component::RootDir | Component::Prefix(_) | Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                let next = out.join(name);
                match fs::canonicalize(&next) {
                    Ok(real) => out = real,
                    // Missing from here on: nothing further can be a link.
                    Err(_) => {
                        out = next;
                        for rest in parts.by_ref() {
                            match rest {
                                Component::ParentDir => {
                                    out.pop();
                                }
                                Component::Normal(n) => out.push(n),
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// The site root as the file system names it (links followed), or as given when it cannot be
/// resolved.
pub fn real(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| resolve_all(path))
}

/// Why a folder brief would replace (the output, or its spare) must not be it: it is, holds
/// or lies inside something of the site's own, or a place no build may ever replace.
/// Both paths must be resolved ([`resolve`], [`real`]).
pub fn protected_reason(root: &Path, dir: &Path) -> Option<String> {
    if dir == root {
        return Some("is the site root".to_string());
    }
    if root.starts_with(dir) {
        return Some("contains the site root".to_string());
    }
    for own in ["content", "templates", "static"] {
        let p = root.join(own);
        if dir.starts_with(&p) {
            return Some(format!("is inside the site's {own}/ folder"));
        }
    }
    if dir.parent().is_none() {
        return Some("is the root of the file system".to_string());
    }
    let home = std::env::var_os("HOME").map(|h| real(Path::new(&h)));
    if home.is_some_and(|h| h == dir) {
        return Some("is your home folder".to_string());
    }
    let cwd = std::env::current_dir().map(|c| real(&c));
    if cwd.is_ok_and(|c| c.starts_with(dir)) {
        return Some("is or contains the current folder".to_string());
    }
    None
}

/// Holds the lock that keeps two builds from writing the same output at once; released
/// when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct Lock {
    _file: fs::File,
}

/// The lock file beside `out_dir`: it lives as long as the parent folder, since removing a
/// lock file that another process may be opening would let two builds in.
pub fn lock_path(out_dir: &Path) -> PathBuf {
    sibling(out_dir, "lock")
}

/// `.<name>.brief-<what>` beside `out_dir`: where brief keeps what belongs to an output.
pub fn sibling(out_dir: &Path, what: &str) -> PathBuf {
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".to_string());
    parent.join(format!(".{name}.brief-{what}"))
}

/// Takes the output's lock, or says who holds it.
pub fn lock(out_dir: &Path) -> Result<Lock, Diagnostic> {
    let path = lock_path(out_dir);
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        // A link in the lock's place is not followed: brief writes through no link.
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(|e| {
            Diagnostic::error(
                "io-error",
                format!("cannot create the lock file {}: {e}", path.display()),
            )
            .help("check that the output folder's parent exists and is writable; if the lock file is a symbolic link, remove it")
        })?;
    match file.try_lock() {
        Ok(()) => Ok(Lock { _file: file }),
        Err(fs::TryLockError::WouldBlock) => Err(Diagnostic::error(
            "output-locked",
            format!("another build is writing {}", out_dir.display()),
        )
        .help("wait for it to finish, or choose another --output")),
        Err(fs::TryLockError::Error(e)) => Err(Diagnostic::error(
            "io-error",
            format!("cannot lock {}: {e}", path.display()),
        )
        .help("the file system of the output folder must support file locks")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn only_a_real_folder_with_the_marker_is_ours() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        assert_eq!(classify(&t.join("none")).unwrap(), Found::Missing);
        fs::create_dir(t.join("empty")).unwrap();
        assert_eq!(classify(&t.join("empty")).unwrap(), Found::Empty);
        fs::create_dir(t.join("ours")).unwrap();
        mark(&t.join("ours")).unwrap();
        assert_eq!(classify(&t.join("ours")).unwrap(), Found::Ours);
        fs::create_dir(t.join("docs")).unwrap();
        fs::write(t.join("docs/index.html"), "mine").unwrap();
        assert_eq!(classify(&t.join("docs")).unwrap(), Found::Foreign);
        // A marker that is not brief's text, or a link named like the marker.
        fs::create_dir(t.join("fake")).unwrap();
        fs::write(t.join("fake").join(MARKER), "hello").unwrap();
        assert_eq!(classify(&t.join("fake")).unwrap(), Found::Foreign);
        fs::create_dir(t.join("linked")).unwrap();
        symlink(t.join("ours").join(MARKER), t.join("linked").join(MARKER)).unwrap();
        assert_eq!(classify(&t.join("linked")).unwrap(), Found::Foreign);
        // A link to a folder of ours is a link, not ours.
        symlink(t.join("ours"), t.join("link")).unwrap();
        assert_eq!(
            classify(&t.join("link")).unwrap(),
            Found::Link(Some(t.join("ours")))
        );
        fs::write(t.join("file"), "x").unwrap();
        assert_eq!(classify(&t.join("file")).unwrap(), Found::NotAFolder);
    }

    #[test]
    fn paths_are_resolved_through_links_in_their_parents() {
        let tmp = tempfile::tempdir().unwrap();
        let t = fs::canonicalize(tmp.path()).unwrap();
        fs::create_dir_all(t.join("a/b")).unwrap();
        symlink(t.join("a/b"), t.join("l")).unwrap();
        // `l/..` is the parent of where `l` leads, not the folder holding `l`.
        assert_eq!(resolve(&t, Path::new("l/../out")), t.join("a/out"));
        assert_eq!(resolve(&t, Path::new("l/new/x")), t.join("a/b/new/x"));
        // The last part stays a link, for the caller to see.
        assert_eq!(resolve(&t, Path::new("l")), t.join("l"));
        assert_eq!(resolve(&t, Path::new("/")), PathBuf::from("/"));
    }

    #[test]
    fn outputs_never_hold_the_site_or_places_no_build_may_replace() {
        let root = Path::new("/site");
        assert!(protected_reason(root, Path::new("/site")).is_some());
        assert!(protected_reason(root, Path::new("/")).is_some());
        assert!(protected_reason(root, Path::new("/site/content")).is_some());
        assert!(protected_reason(root, Path::new("/site/static/x")).is_some());
        assert!(protected_reason(root, Path::new("/site/public")).is_none());
        assert!(protected_reason(root, Path::new("/elsewhere/out")).is_none());
    }

    #[test]
    fn a_second_lock_on_the_same_output_is_refused_until_the_first_is_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = lock(&out).unwrap();
        let second = lock(&out).unwrap_err();
        assert_eq!(second.code, "output-locked");
        drop(first);
        lock(&out).unwrap();
    }
}

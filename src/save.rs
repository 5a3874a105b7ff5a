//! Saving a file into the site: the one way brief writes the user's own files (`new site`,
//! `new briefing`, `suggest --write` and `--merge`).
//!
//! A save is atomic: the bytes go to a temporary file beside the target, which then takes the
//! target's place by a rename (or, when nothing may be replaced, by a hard link, which fails
//! if the target appeared meanwhile). A crash leaves the old file or the new one, never half
//! of one. A save never leaves the site: every folder on the way is checked, and a symbolic
//! link is followed only when it leads to a place inside the site.
//!
//! This module does not decide what to write or whether a file may be replaced; the caller
//! says so with [`Existing`].

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use crate::diag::{Diagnostic, display_path};
use crate::output;

/// What to do when the target exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// It is an error (`file-exists`); nothing is written.
    Refuse,
    /// The new bytes replace the file's (its permissions are kept).
    Replace,
}

/// Writes `bytes` to `rel` (relative to `root`), creating its folders as needed.
pub fn save(root: &Path, rel: &Path, bytes: &[u8], existing: Existing) -> Result<(), Diagnostic> {
    let target = target_in_site(&output::real(root), rel, Folders::Create)?;
    may_write(&target, rel, existing)?;
    write_atomically(&target, bytes, existing).map_err(|e| io_error(rel, &e))
}

/// Whether [`save`] would write `rel`, without writing or creating anything: so that a
/// command writing several files can refuse before the first.
pub fn check(root: &Path, rel: &Path, existing: Existing) -> Result<(), Diagnostic> {
    let target = target_in_site(&output::real(root), rel, Folders::Look)?;
    may_write(&target, rel, existing)
}

/// Whether the folders on the way to a file are made ([`save`]) or only looked at ([`check`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Folders {
    Create,
    Look,
}

fn may_write(target: &Path, rel: &Path, existing: Existing) -> Result<(), Diagnostic> {
    match fs::symlink_metadata(target) {
        Ok(m) if m.is_dir() => Err(Diagnostic::error(
            "io-error",
            format!("cannot write {}: it is a folder", display_path(rel)),
        )
        .at(rel, None)
        .help("move the folder away, or choose another name")),
        Ok(_) if existing == Existing::Refuse => Err(exists(rel)),
        _ => Ok(()),
    }
}

/// Where `rel` really is: its folders created and checked one by one, links followed only
/// inside the site, and a link at the end replaced by where it leads (inside the site).
fn target_in_site(root: &Path, rel: &Path, mode: Folders) -> Result<PathBuf, Diagnostic> {
    let Some(name) = rel.file_name() else {
        return Err(outside(rel, None));
    };
    let mut at = root.to_path_buf();
    if let Some(folders) = rel.parent() {
        for part in folders.components() {
            let Component::Normal(part) = part else {
                return Err(outside(rel, None));
            };
            at.push(part);
            if mode == Folders::Look && fs::symlink_metadata(&at).is_err() {
                // Missing from here on: all of it would be made inside the site.
                return Ok(root.join(rel));
            }
            match fs::create_dir(&at) {
                Ok(()) => continue,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_error(rel, &e)),
            }
            // It existed: it may be a link; where it leads must be inside the site.
            at = fs::canonicalize(&at).map_err(|e| io_error(rel, &e))?;
            if !at.starts_with(root) {
                return Err(outside(rel, Some(&at)));
            }
            if !at.is_dir() {
                return Err(Diagnostic::error(
                    "io-error",
                    format!(
                        "cannot write {}: {} is a file",
                        display_path(rel),
                        at.display()
                    ),
                )
                .at(rel, None)
                .help("a folder is needed there; move the file away"));
            }
        }
    }
    let target = at.join(name);
    match fs::symlink_metadata(&target) {
        Ok(m) if m.file_type().is_symlink() => match fs::canonicalize(&target) {
            Ok(real) if real.starts_with(root) => Ok(real),
            Ok(real) => Err(outside(rel, Some(&real))),
            // A link to nothing: writing would create a file wherever it points.
            Err(_) => Err(outside(rel, fs::read_link(&target).ok().as_deref())),
        },
        _ => Ok(target),
    }
}

/// A temporary file beside `target`, then a rename (or, with [`Existing::Refuse`], a hard
/// link that fails if `target` appeared meanwhile).
fn write_atomically(target: &Path, bytes: &[u8], existing: Existing) -> io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let (temp, mut file) = temp_file(dir, target)?;
    let result = (|| {
        file.write_all(bytes)?;
        if existing == Existing::Replace
            && let Ok(old) = fs::metadata(target)
        {
            file.set_permissions(old.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        match existing {
            Existing::Replace => fs::rename(&temp, target),
            Existing::Refuse => link_new(&temp, target),
        }
    })();
    if result.is_err() || existing == Existing::Refuse {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Gives `temp`'s file the name `target` unless something already has it.
fn link_new(temp: &Path, target: &Path) -> io::Result<()> {
    match fs::hard_link(temp, target) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            // A file system without hard links: check, then rename (not atomic against
            // another writer, but never over a file seen to exist).
            if fs::symlink_metadata(target).is_ok() {
                return Err(io::ErrorKind::AlreadyExists.into());
            }
            fs::rename(temp, target)
        }
        other => other,
    }
}

/// Creates a new temporary file in `dir`, named after `target`.
fn temp_file(dir: &Path, target: &Path) -> io::Result<(PathBuf, fs::File)> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let pid = std::process::id();
    for n in 0.. {
        let temp = dir.join(format!(".{name}.brief-tmp-{pid}-{n}"));
        // `create_new` never follows a link: it fails on any existing name.
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(f) => return Ok((temp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!("an unused temporary name")
}

fn exists(rel: &Path) -> Diagnostic {
    Diagnostic::error(
        "file-exists",
        format!("{} already exists", display_path(rel)),
    )
    .at(rel, None)
    .help(
        "brief never overwrites a file: choose another name or folder, or move the file away first",
    )
}

fn outside(rel: &Path, to: Option<&Path>) -> Diagnostic {
    let to = to
        .map(|t| format!(" (it leads to {})", t.display()))
        .unwrap_or_default();
    Diagnostic::error(
        "symlink-outside",
        format!(
            "cannot write {}: the way there leaves the site{to}",
            display_path(rel)
        ),
    )
    .at(rel, None)
    .help("brief writes only inside the site folder; replace the symbolic link with a real file or folder")
}

fn io_error(rel: &Path, e: &io::Error) -> Diagnostic {
    Diagnostic::error(
        "io-error",
        format!("cannot write {}: {e}", display_path(rel)),
    )
    .at(rel, None)
    .help("check that the folder exists and is writable, and that the disk is not full")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn a_new_file_is_created_with_its_folders_and_no_temporary_file_is_left() {
        let site = tempfile::tempdir().unwrap();
        save(
            site.path(),
            Path::new("content/a/b.yaml"),
            b"x: 1\n",
            Existing::Refuse,
        )
        .unwrap();
        assert_eq!(
            fs::read(site.path().join("content/a/b.yaml")).unwrap(),
            b"x: 1\n"
        );
        assert_eq!(names(&site.path().join("content/a")), ["b.yaml"]);
    }

    #[test]
    fn an_existing_file_is_refused_or_replaced_as_asked() {
        let site = tempfile::tempdir().unwrap();
        let rel = Path::new("a.yaml");
        fs::write(site.path().join(rel), "old").unwrap();
        let e = save(site.path(), rel, b"new", Existing::Refuse).unwrap_err();
        assert_eq!(e.code, "file-exists");
        assert_eq!(fs::read_to_string(site.path().join(rel)).unwrap(), "old");
        save(site.path(), rel, b"new", Existing::Replace).unwrap();
        assert_eq!(fs::read_to_string(site.path().join(rel)).unwrap(), "new");
        assert_eq!(names(site.path()), ["a.yaml"]);
    }

    #[test]
    fn links_out_of_the_site_are_never_written_through() {
        let site = tempfile::tempdir().unwrap();
        let away = tempfile::tempdir().unwrap();
        fs::write(away.path().join("victim.yaml"), "precious").unwrap();
        fs::create_dir(site.path().join("content")).unwrap();
        // A link at the end, to a file outside; a dangling link; a folder link outside.
        symlink(
            away.path().join("victim.yaml"),
            site.path().join("content/a.yaml"),
        )
        .unwrap();
        symlink(
            away.path().join("new.yaml"),
            site.path().join("content/b.yaml"),
        )
        .unwrap();
        symlink(away.path(), site.path().join("content/far")).unwrap();
        for (rel, existing) in [
            ("content/a.yaml", Existing::Replace),
            ("content/b.yaml", Existing::Refuse),
            ("content/b.yaml", Existing::Replace),
            ("content/far/c.yaml", Existing::Refuse),
            ("content/far/deeper/c.yaml", Existing::Refuse),
        ] {
            let e = save(site.path(), Path::new(rel), b"evil", existing).unwrap_err();
            assert_eq!(e.code, "symlink-outside", "{rel}");
        }
        assert_eq!(
            fs::read_to_string(away.path().join("victim.yaml")).unwrap(),
            "precious"
        );
        assert_eq!(names(away.path()), ["victim.yaml"]);
    }

    #[test]
    fn a_link_inside_the_site_is_followed_and_stays_a_link() {
        let site = tempfile::tempdir().unwrap();
        fs::create_dir_all(site.path().join("content/real")).unwrap();
        fs::write(site.path().join("content/real/a.yaml"), "old").unwrap();
        symlink("real/a.yaml", site.path().join("content/a.yaml")).unwrap();
        save(
            site.path(),
            Path::new("content/a.yaml"),
            b"new",
            Existing::Replace,
        )
        .unwrap();
        assert_eq!(
            fs::read_to_string(site.path().join("content/real/a.yaml")).unwrap(),
            "new"
        );
        assert!(
            fs::symlink_metadata(site.path().join("content/a.yaml"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn parent_folders_in_the_path_are_refused() {
        let site = tempfile::tempdir().unwrap();
        let e = save(site.path(), Path::new("../x.yaml"), b"x", Existing::Refuse).unwrap_err();
        assert_eq!(e.code, "symlink-outside");
    }
}

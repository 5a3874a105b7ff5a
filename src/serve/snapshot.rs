//! What the HTTP server answers from: a copy of the served site's output table, taken after
//! each rebuild, so that requests never wait for a rebuild and never see one half done.
//!
//! Pages are shared with the served site (no bytes are copied); copied files are kept as the
//! path of their source, inside the site. While the site has errors the last good output
//! stays, and the error overlay is kept beside it. This module must not print, must not
//! build anything, and must not touch the disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::body::Bytes;

use super::site::{Applied, Served};

/// One output path's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A rendered page, in memory.
    Page(Bytes),
    /// A file copied as is: its source path (absolute, inside the site root).
    File(PathBuf),
}

pub struct Snapshot {
    /// The path part of the base URL, `/` or `/briefs/`: every page lives below it.
    pub base_path: String,
    /// The site root, canonical: copied files are served only from below it.
    pub root: PathBuf,
    /// Output path (`briefings/x/index.html`) -> contents.
    entries: HashMap<PathBuf, Entry>,
    /// The error page, while the last rebuild failed.
    pub overlay: Option<Bytes>,
    /// Counts the builds published: a page served from this one reloads once a newer one is.
    pub generation: u64,
}

impl Snapshot {
    pub fn new(root: &Path, base_path: String) -> Self {
        Snapshot {
            base_path,
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            entries: HashMap::new(),
            overlay: None,
            generation: 0,
        }
    }

    pub fn get(&self, path: &Path) -> Option<Entry> {
        self.entries.get(path).cloned()
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.entries.contains_key(path)
    }

    /// How many output files there are.
    pub fn file_count(&self) -> usize {
        self.entries.len()
    }

    /// Takes the served site's whole output table.
    pub fn replace(&mut self, served: &Served) {
        self.set(
            served
                .files()
                .iter()
                .map(|(p, e)| (p.clone(), e.clone()))
                .collect(),
        );
    }

    /// Serves exactly these files.
    pub fn set(&mut self, entries: HashMap<PathBuf, Entry>) {
        self.entries = entries;
    }

    /// Applies what an update changed and removed.
    pub fn apply(&mut self, served: &Served, applied: &Applied) {
        for p in &applied.removed {
            self.entries.remove(p);
        }
        for p in &applied.changed {
            match served.files().get(p) {
                Some(e) => {
                    self.entries.insert(p.clone(), e.clone());
                }
                None => {
                    self.entries.remove(p);
                }
            }
        }
    }
}

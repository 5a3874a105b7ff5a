//! What the HTTP server answers from: a copy of the workspace's output table, taken after
//! each rebuild, so that requests never wait for a rebuild and never see one half done.
//!
//! Pages are shared with the workspace (no bytes are copied); copied files are kept as the
//! path of their source, inside the site. While the site has errors the last good output
//! stays, and the error overlay is kept beside it. This module must not print, must not
//! build anything, and must not touch the disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;

use crate::workspace::{Served, Update, Workspace};

/// One output path's contents.
#[derive(Clone)]
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

/// Lets a page's `Arc<Vec<u8>>` back a `Bytes` without copying it.
struct SharedPage(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedPage {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
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

    /// The whole output table of a workspace, to swap in with [`Snapshot::replace`].
    pub fn entries_of(ws: &Workspace) -> HashMap<PathBuf, Entry> {
        ws.paths()
            .filter_map(|p| entry_of(ws, p).map(|e| (p.clone(), e)))
            .collect()
    }

    pub fn replace(&mut self, entries: HashMap<PathBuf, Entry>) {
        self.entries = entries;
    }

    /// Applies what an incremental update changed and removed.
    pub fn apply(&mut self, ws: &Workspace, update: &Update) {
        for p in &update.removed {
            self.entries.remove(p);
        }
        for p in &update.changed {
            match entry_of(ws, p) {
                Some(e) => {
                    self.entries.insert(p.clone(), e);
                }
                None => {
                    self.entries.remove(p);
                }
            }
        }
    }
}

fn entry_of(ws: &Workspace, path: &Path) -> Option<Entry> {
    if let Some(page) = ws.page(path) {
        return Some(Entry::Page(Bytes::from_owner(SharedPage(page))));
    }
    match ws.get(path)? {
        Served::File(src) => Some(Entry::File(src)),
        // `page` found nothing, so this cannot happen; copy rather than panic.
        Served::Page(bytes) => Some(Entry::Page(Bytes::copy_from_slice(bytes))),
    }
}

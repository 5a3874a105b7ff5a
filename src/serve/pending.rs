//! The saves waiting for `serve`'s rebuild thread, and the generation counter that tells a
//! rebuild it has been superseded.
//!
//! The watcher adds each batch of changed site files and counts one generation up; the
//! rebuild thread takes everything waiting at once, with the generation it has reached. A
//! rebuild whose generation is no longer the latest is building files that have changed
//! again since (or misses newer ones): it stops, and the next rebuild takes the newer files
//! (the workspace keeps what the stopped one left to do). So the newest state is always the
//! one built, and nothing waits in a queue that grows: files saved many times wait once. The
//! rebuild thread sleeps on a condition variable while nothing waits (no polling). This
//! module must not print and must not build.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use super::watch::Changes;

#[derive(Default)]
pub struct Pending {
    waiting: Mutex<Waiting>,
    arrived: Condvar,
    /// Goes up with every batch added (only while `waiting` is locked).
    latest: AtomicU64,
}

#[derive(Default)]
struct Waiting {
    paths: BTreeSet<PathBuf>,
    rescan: bool,
}

impl Waiting {
    fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan
    }
}

/// The files one rebuild applies.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Job {
    /// Site files that changed (absolute), sorted.
    pub paths: Vec<PathBuf>,
    /// Events were lost: everything must be rebuilt.
    pub rescan: bool,
    /// The generation these files are as of.
    pub generation: u64,
}

impl Pending {
    /// Adds a batch of changes (never empty) and wakes the rebuild thread.
    pub fn add(&self, changes: Changes) {
        if changes.is_empty() {
            return;
        }
        let mut w = self.lock();
        w.paths.extend(changes.paths);
        w.rescan |= changes.rescan;
        self.latest.fetch_add(1, Ordering::AcqRel);
        drop(w);
        self.arrived.notify_one();
    }

    /// Waits until something waits, then takes all of it.
    pub fn take(&self) -> Job {
        let mut w = self.lock();
        while w.is_empty() {
            w = self.arrived.wait(w).unwrap_or_else(|e| e.into_inner());
        }
        self.take_locked(&mut w)
    }

    /// Takes what waits now, which may be nothing.
    pub fn take_now(&self) -> Job {
        let mut w = self.lock();
        self.take_locked(&mut w)
    }

    /// True once something newer than `generation` was added.
    pub fn superseded(&self, generation: u64) -> bool {
        self.latest.load(Ordering::Acquire) != generation
    }

    fn take_locked(&self, w: &mut Waiting) -> Job {
        Job {
            paths: std::mem::take(&mut w.paths).into_iter().collect(),
            rescan: std::mem::take(&mut w.rescan),
            generation: self.latest.load(Ordering::Acquire),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Waiting> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn changes(paths: &[&str]) -> Changes {
        Changes {
            paths: paths.iter().map(PathBuf::from).collect(),
            rescan: false,
        }
    }

    #[test]
    fn a_newer_batch_supersedes_the_job_taken_and_is_taken_once() {
        let p = Pending::default();
        assert_eq!(p.take_now(), Job::default());
        p.add(changes(&["/s/content/a.md"]));
        let job = p.take_now();
        assert_eq!(job.paths, [PathBuf::from("/s/content/a.md")]);
        assert!(!p.superseded(job.generation));

        p.add(changes(&["/s/content/b.md"]));
        p.add(changes(&["/s/content/c.md", "/s/content/b.md"]));
        assert!(p.superseded(job.generation));
        let next = p.take_now();
        assert_eq!(
            next.paths,
            [PathBuf::from("/s/content/b.md"), "/s/content/c.md".into()]
        );
        assert!(!p.superseded(next.generation));
        let left = p.take_now();
        assert!(left.paths.is_empty() && !left.rescan, "nothing is left");
        assert_eq!(left.generation, next.generation, "nothing is counted twice");
        p.add(Changes::default());
        assert!(
            !p.superseded(next.generation),
            "an empty batch is no change"
        );
    }

    #[test]
    fn take_waits_for_a_batch_from_another_thread() {
        let p = Arc::new(Pending::default());
        let adder = {
            let p = p.clone();
            std::thread::spawn(move || {
                p.add(Changes {
                    paths: Vec::new(),
                    rescan: true,
                })
            })
        };
        let job = p.take();
        adder.join().unwrap();
        assert!(job.rescan && job.paths.is_empty());
        assert_eq!(job.generation, 1);
    }
}

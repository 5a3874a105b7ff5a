//! Live reload for `serve`: the script every served HTML page gets, the event stream it
//! listens to, and the state that stream follows (which build the server shows, and whether
//! a rebuild is running).
//!
//! The rebuild thread reports through [`Live`] (a `tokio::sync::watch` channel: only the
//! latest state is kept, so a slow page never holds anything up). Each page's stream says
//! `reload` once a build newer than the page's is shown, and `building` once a rebuild has
//! been running for [`INDICATOR_DELAY`]; the script then shows a small status line. The
//! script sets text with `textContent` only, so a file name is never read as HTML. This
//! module must not print, must not build, and knows nothing of the site: it is added to
//! pages by the server only, never to built output.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::response::sse::Event;
use futures_util::Stream;
use tokio::sync::watch;

/// A rebuild shorter than this is not shown: most rebuilds end well before.
pub const INDICATOR_DELAY: Duration = Duration::from_millis(300);
/// How long a page waits before reconnecting after the server went away.
const RETRY: Duration = Duration::from_secs(1);

/// What the pages are told about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// The build the server shows (0 before the first is published).
    pub shown: u64,
    /// The rebuild under way, if any.
    pub building: Option<Building>,
}

/// A rebuild under way (and the ones it superseded, which count from the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Building {
    pub since: Instant,
    /// What started it, as printed: `content/2023/a.md changed`.
    pub what: String,
}

/// The rebuild thread's side: says what the server shows and what it is doing.
pub struct Live {
    status: watch::Sender<Status>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            status: watch::Sender::new(Status::default()),
        }
    }
}

impl Live {
    /// A rebuild started (or, already running, is now also for `what`).
    pub fn building(&self, what: &str) {
        self.status.send_modify(|s| {
            let since = s.building.as_ref().map_or_else(Instant::now, |b| b.since);
            s.building = Some(Building {
                since,
                what: what.to_string(),
            });
        });
    }

    /// Build `generation` is what the server now shows; no rebuild is running.
    pub fn shown(&self, generation: u64) {
        self.status.send_modify(|s| {
            s.shown = generation;
            s.building = None;
        });
    }

    /// The build the server shows.
    pub fn current(&self) -> u64 {
        self.status.borrow().shown
    }

    /// The event stream of a page showing build `since`.
    pub fn events(&self, since: u64) -> impl Stream<Item = Result<Event, Infallible>> + use<> {
        let follow = Follow {
            status: self.status.subscribe(),
            page: since,
            announced: None,
            started: false,
        };
        futures_util::stream::unfold(follow, |mut f| async move {
            let note = f.next().await?;
            Some((Ok(event(&note)), f))
        })
    }
}

/// What a page is told next.
#[derive(Debug, PartialEq, Eq)]
enum Note {
    /// The stream is open (and, after the server restarted, the page may reload).
    Init,
    /// A newer build is shown.
    Reload,
    /// A rebuild has been running for a moment.
    Building(String),
    /// The rebuild that was announced is over without a newer build (nothing to reload).
    Idle,
}

/// One page's stream: what it was told so far.
struct Follow {
    status: watch::Receiver<Status>,
    /// The build the page shows.
    page: u64,
    /// What the page was last told is being built.
    announced: Option<String>,
    started: bool,
}

/// What to do next, given the latest status.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Tell(Note),
    /// Nothing to say before this moment (unless the status changes).
    WaitUntil(Instant),
    /// Nothing to say until the status changes.
    Wait,
}

impl Follow {
    /// The next note; `None` when the server is shutting down.
    async fn next(&mut self) -> Option<Note> {
        loop {
            let status = self.status.borrow_and_update().clone();
            match self.step(&status, Instant::now()) {
                Step::Tell(note) => return Some(note),
                Step::WaitUntil(due) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(due.into()) => {}
                        changed = self.status.changed() => changed.ok()?,
                    }
                }
                Step::Wait => self.status.changed().await.ok()?,
            }
        }
    }

    /// Decides what to say about `status` at `now`, and records it as said.
    fn step(&mut self, status: &Status, now: Instant) -> Step {
        if !self.started {
            self.started = true;
            return Step::Tell(Note::Init);
        }
        if status.shown > self.page {
            self.page = status.shown;
            self.announced = None;
            return Step::Tell(Note::Reload);
        }
        match &status.building {
            Some(b) if self.announced.as_ref() != Some(&b.what) => {
                let due = b.since + INDICATOR_DELAY;
                if now < due {
                    return Step::WaitUntil(due);
                }
                self.announced = Some(b.what.clone());
                Step::Tell(Note::Building(b.what.clone()))
            }
            None if self.announced.is_some() => {
                self.announced = None;
                Step::Tell(Note::Idle)
            }
            _ => Step::Wait,
        }
    }
}

/// The event for a note. Each has data: browsers drop an event without any.
fn event(note: &Note) -> Event {
    match note {
        Note::Init => Event::default().event("init").data("{}").retry(RETRY),
        Note::Reload => Event::default().event("reload").data("{}"),
        Note::Building(what) => Event::default().event("building").data(building_data(what)),
        Note::Idle => Event::default().event("idle").data("{}"),
    }
}

/// `{"what":"..."}`: JSON, so that no file name can break the event's line.
fn building_data(what: &str) -> String {
    serde_json::json!({ "what": what }).to_string()
}

/// The script added at the end of every served HTML page showing build `generation`.
pub fn script(events_path: &str, generation: u64) -> Bytes {
    Bytes::from(format!(
        "<script data-events=\"{events_path}?since={generation}\">{SCRIPT}</script>"
    ))
}

/// Reloads on `reload`, and after the server restarted (the stream broke, then opened
/// again); shows what is being rebuilt in a status line (`role=status`, read out politely by
/// screen readers, present while empty so that they follow it).
const SCRIPT: &str = r#"(() => {
  const url = document.currentScript.dataset.events;
  let region = null, shown = null;
  const say = (text) => {
    if (shown) { shown.remove(); shown = null; }
    if (!text) return;
    shown = document.createElement("span");
    shown.style.cssText = "display:inline-block;padding:.35rem .8rem;border-radius:1rem;background:#0b57d0;color:#fff;font:14px/1.4 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.4);max-width:100%;overflow-wrap:anywhere";
    shown.textContent = text;
    region.append(shown);
  };
  addEventListener("pageshow", () => {
    if (!region) {
      region = document.createElement("div");
      region.id = "brief-rebuilding";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      region.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483647;max-width:calc(100% - 2rem);margin:0;pointer-events:none";
      (document.body || document.documentElement).append(region);
    }
    say("");
    const source = new EventSource(url);
    const reload = () => { source.close(); location.reload(); };
    source.addEventListener("reload", reload);
    source.addEventListener("building", (e) => {
      say("Rebuilding the site (" + JSON.parse(e.data).what + ")\u2026");
    });
    source.addEventListener("idle", () => say(""));
    const broken = () => {
      source.removeEventListener("error", broken);
      source.addEventListener("init", reload);
    };
    source.addEventListener("error", broken);
    addEventListener("pagehide", () => {
      source.removeEventListener("error", broken);
      source.close();
    }, { once: true });
  });
})();"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn follow(page: u64) -> Follow {
        let (_, rx) = watch::channel(Status::default());
        Follow {
            status: rx,
            page,
            announced: None,
            started: true,
        }
    }

    fn building(since: Instant, what: &str, shown: u64) -> Status {
        Status {
            shown,
            building: Some(Building {
                since,
                what: what.into(),
            }),
        }
    }

    #[test]
    fn a_rebuild_is_announced_once_after_the_delay_and_a_newer_build_reloads() {
        let t0 = Instant::now();
        let mut f = follow(3);
        let status = building(t0, "content/a.md changed", 3);
        assert_eq!(f.step(&status, t0), Step::WaitUntil(t0 + INDICATOR_DELAY));
        let later = t0 + INDICATOR_DELAY;
        assert_eq!(
            f.step(&status, later),
            Step::Tell(Note::Building("content/a.md changed".into()))
        );
        assert_eq!(f.step(&status, later), Step::Wait, "said once");
        // Superseded by another save: the same rebuild, for something new.
        let status = building(t0, "2 files changed", 3);
        assert_eq!(
            f.step(&status, later),
            Step::Tell(Note::Building("2 files changed".into()))
        );
        let done = Status {
            shown: 4,
            building: None,
        };
        assert_eq!(f.step(&done, later), Step::Tell(Note::Reload));
        assert_eq!(f.step(&done, later), Step::Wait);
    }

    #[test]
    fn a_short_rebuild_is_never_announced() {
        let t0 = Instant::now();
        let mut f = follow(1);
        assert!(matches!(
            f.step(&building(t0, "x", 1), t0),
            Step::WaitUntil(_)
        ));
        let done = Status {
            shown: 2,
            building: None,
        };
        assert_eq!(f.step(&done, t0), Step::Tell(Note::Reload));
    }

    #[test]
    fn a_page_older_than_the_shown_build_reloads_at_once_and_an_announced_rebuild_ends() {
        let mut f = follow(1);
        let shown = Status {
            shown: 2,
            building: None,
        };
        assert_eq!(f.step(&shown, Instant::now()), Step::Tell(Note::Reload));

        let t0 = Instant::now();
        let mut f = follow(2);
        let _ = f.step(&building(t0, "x", 2), t0 + INDICATOR_DELAY);
        assert_eq!(f.step(&shown, t0), Step::Tell(Note::Idle));
        assert_eq!(f.step(&shown, t0), Step::Wait);
    }

    #[test]
    fn the_first_note_is_init_and_building_data_is_json() {
        let mut f = follow(0);
        f.started = false;
        assert_eq!(
            f.step(&Status::default(), Instant::now()),
            Step::Tell(Note::Init)
        );
        let data = building_data("content/<b>\n\"x\".md changed");
        assert_eq!(data, r#"{"what":"content/<b>\n\"x\".md changed"}"#);
    }

    #[test]
    fn the_script_sets_text_only() {
        assert!(!SCRIPT.contains("innerHTML") && !SCRIPT.contains("insertAdjacentHTML"));
        let tag = script("/_brief/livereload/event-stream", 7);
        let tag = std::str::from_utf8(&tag).unwrap();
        assert!(
            tag.starts_with("<script data-events=\"/_brief/livereload/event-stream?since=7\">")
        );
        assert!(tag.ends_with("</script>") && !SCRIPT.contains("</script"));
    }
}

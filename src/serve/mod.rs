//! `brief serve`: the site built in memory, served over HTTP, rebuilt on every save, with the
//! browser told to reload.
//!
//! This is the serve loop, a command-line loop like `cli`, and the only part of `serve` that
//! prints: the address, each rebuild's diagnostics and times. It wires the parts together:
//! [`watch`] says which site files changed and hands them to [`pending`] as they arrive, one
//! rebuild thread owns the [`Workspace`] and applies them (a rebuild that a newer save
//! supersedes stops, and the next one takes both), [`snapshot`] is what the server answers
//! from, [`http`] answers, [`live`] tells the pages to reload (and that a rebuild is running),
//! and [`overlay`] draws the errors for the browser. Build work never runs on the async
//! runtime, the server never waits for it, and nothing here writes to the site or to its
//! output folder.

mod http;
mod live;
mod overlay;
mod pending;
pub mod site;
mod snapshot;
mod watch;

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;

use crate::config::{self, Overrides};
use crate::diag;
use crate::engine::Changes;
use crate::{BuildOptions, Report};
use site::{Applied, Served};

use live::Live;
use pending::{Job, Pending};

/// What `brief serve` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub port: u16,
    pub bind: IpAddr,
    pub drafts: bool,
    pub open: bool,
}

/// How many ports above `--port` are tried when it is taken.
const PORT_TRIES: u16 = 20;
/// How long in-flight requests get to finish after Ctrl-C.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// Runs the server until Ctrl-C (or SIGTERM); returns the exit code.
pub fn run(opts: Options) -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("brief-serve")
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the server: {e}");
            return 1;
        }
    };
    let code = rt.block_on(serve(opts));
    // Event streams never end by themselves; do not wait for them.
    rt.shutdown_timeout(Duration::from_millis(100));
    code
}

async fn serve(opts: Options) -> i32 {
    let base_path = configured_base_path(&opts.root);
    let listener = match bind(opts.bind, opts.port).await {
        Ok(l) => l,
        Err(msg) => {
            eprintln!("error: {msg}");
            return 1;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: cannot read the server's address: {e}");
            return 1;
        }
    };
    let base_url = site_url(addr, &base_path);

    // Watch before the first build, so that saves made while it runs are not lost.
    let pending = Arc::new(Pending::default());
    let watching = {
        let pending = pending.clone();
        watch::Watcher::start(
            &opts.root,
            move |changes| pending.add(changes),
            |errors| {
                for e in errors {
                    eprintln!("warning: file watcher: {e}");
                }
            },
        )
    };
    let watcher = match watching {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!("warning: cannot watch {}: {e}", opts.root.display());
            None
        }
    };

    // The first build, on a blocking thread like every build after it.
    let build_opts = BuildOptions {
        root: opts.root.clone(),
        overrides: Overrides {
            base_url: Some(base_url.clone()),
            output_dir: None,
        },
        drafts: opts.drafts,
        write: false,
        force: false,
    };
    let started = Instant::now();
    let first = {
        let (pending, root) = (pending.clone(), opts.root.clone());
        tokio::task::spawn_blocking(move || first_build(build_opts, &pending, &root)).await
    };
    let Ok((served, update)) = first else {
        eprintln!("error: the first build panicked");
        return 1;
    };
    if update
        .report
        .diagnostics
        .iter()
        .any(|d| d.code == "missing-config")
    {
        // Not a site folder: nothing to serve.
        print_report(&update.report);
        return 1;
    }
    let mut snap = snapshot::Snapshot::new(&opts.root, base_path.clone());
    snap.replace(&served);
    snap.overlay = overlay_of(&update.report);
    print_report(&update.report);
    if update.report.failed() {
        eprintln!("the site has errors: the browser shows them until a save fixes them");
    } else {
        eprintln!(
            "built {} briefing{}, {} files in {} ms",
            update.report.briefings,
            plural(update.report.briefings),
            snap.file_count(),
            started.elapsed().as_millis()
        );
    }
    let state: http::Shared = Arc::new(RwLock::new(snap));
    let live = Arc::new(Live::default());

    match watcher {
        Some(watcher) => {
            let rebuilder = Rebuilder {
                served,
                watcher,
                pending,
                state: state.clone(),
                live: live.clone(),
                root: opts.root.clone(),
                base_path,
                shown: update.report.diagnostics.0.clone(),
            };
            let spawned = std::thread::Builder::new()
                .name("brief-rebuild".into())
                .spawn(move || rebuilder.run());
            if let Err(e) = spawned {
                eprintln!(
                    "warning: cannot start the rebuild thread ({e}): pages will not follow edits"
                );
            }
        }
        None => eprintln!("warning: pages will not follow edits; restart to rebuild"),
    }

    let app = http::router(http::App {
        snapshot: state,
        live,
    });
    eprintln!("serving {base_url}  (Ctrl-C to stop)");
    if opts.open {
        open_browser(&base_url);
    }

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .into_future(),
    );
    tokio::pin!(server);
    tokio::select! {
        _ = shutdown_signal() => {}
        result = &mut server => {
            // The server stopped by itself: only an I/O error can do that.
            if let Ok(Err(e)) = result {
                eprintln!("error: the server stopped: {e}");
                return 1;
            }
            return 0;
        }
    }
    eprintln!("stopping");
    let _ = stop_tx.send(());
    // In-flight requests may finish; open event streams are cut.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await;
    0
}

/// Waits for Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Binds `ip:port`, or the next free port above it when that one is taken.
async fn bind(ip: IpAddr, port: u16) -> Result<tokio::net::TcpListener, String> {
    let mut port = port;
    for _ in 0..PORT_TRIES {
        match tokio::net::TcpListener::bind(SocketAddr::new(ip, port)).await {
            Ok(l) => return Ok(l),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && port != 0 => {
                let Some(next) = port.checked_add(1) else {
                    break;
                };
                eprintln!("port {port} is in use; trying {next}");
                port = next;
            }
            Err(e) => {
                return Err(format!(
                    "cannot listen on {}: {e}",
                    SocketAddr::new(ip, port)
                ));
            }
        }
    }
    Err(format!(
        "no free port from {} to {port} on {ip}; pass --port with another number",
        port.saturating_sub(PORT_TRIES - 1)
    ))
}

/// The path of brief.yaml's `base_url` (`/briefs/`), which the served site keeps so that its
/// links work as they will when deployed; `/` when there is none or brief.yaml is broken.
fn configured_base_path(root: &Path) -> String {
    config::load(root, &Overrides::default())
        .map(|(c, _)| c.base_path())
        .unwrap_or_else(|_| "/".to_string())
}

/// `http://127.0.0.1:1111/briefs/`: the served site's own address.
fn site_url(addr: SocketAddr, base_path: &str) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}{base_path}", SocketAddr::new(ip, addr.port()))
}

/// The first build. Saves made while it runs supersede it: it stops, and the site is
/// brought up to date with them before anything is served.
fn first_build(opts: BuildOptions, pending: &Pending, root: &Path) -> (Served, Applied) {
    let mut served = Served::new(opts);
    // Files saved before now are read by this build itself.
    let generation = pending.take_now().generation;
    let mut update = served.update(&Changes::All, &|| pending.superseded(generation));
    while update.superseded {
        // What the stopped update left is done by the next, given only the newer files.
        let job = pending.take();
        update = served.update(&Changes::Files(paths_of(root, &job)), &|| {
            pending.superseded(job.generation)
        });
    }
    (served, update)
}

/// The rebuild thread: owns the served site, applies the saves, publishes each result and
/// tells the pages.
struct Rebuilder {
    served: Served,
    /// Kept to watch the source folders created later (and, dropped, it would stop).
    watcher: watch::Watcher,
    pending: Arc<Pending>,
    state: http::Shared,
    live: Arc<Live>,
    root: PathBuf,
    /// The path of the base URL the workspace builds for (the snapshot takes it on publish).
    base_path: String,
    /// The diagnostics printed last.
    shown: Vec<diag::Diagnostic>,
}

impl Rebuilder {
    /// Waits for saves and rebuilds, for as long as the server runs.
    fn run(mut self) {
        loop {
            let job = self.pending.take();
            self.rebuild(job);
        }
    }

    /// Applies `job`; while a newer save supersedes the update under way, applies that one
    /// (which also does what the stopped one left). Then publishes the update that ran to its
    /// end and prints what it did.
    fn rebuild(&mut self, mut job: Job) {
        let started = Instant::now();
        let mut applied: BTreeSet<PathBuf> = BTreeSet::new();
        let config_file = self.root.join(config::CONFIG_FILE);
        let (update, what) = loop {
            let paths = paths_of(&self.root, &job);
            applied.extend(paths.iter().cloned());
            let what = describe(&self.root, &applied);
            self.live.building(&what);
            if let Err(e) = self.watcher.watch_new_dirs() {
                eprintln!("warning: file watcher: {e}");
            }
            let base_changed = paths.contains(&config_file) && self.rebase();
            let generation = job.generation;
            let pending = &self.pending;
            let superseded = || pending.superseded(generation);
            let changes = match base_changed {
                true => Changes::All,
                false => Changes::Files(paths),
            };
            let update = self.served.update(&changes, &superseded);
            if !update.superseded {
                break (update, what);
            }
            eprintln!(
                "{what}: saved again during the rebuild (after {} ms); rebuilding with the newer files",
                started.elapsed().as_millis()
            );
            job = self.pending.take();
        };
        let generation = self.publish(&update);
        self.live.shown(generation);
        self.print(&update, &what, started.elapsed());
    }

    /// When brief.yaml's base URL moved to another path, starts a site for the new one.
    /// Returns true when it did (the caller then rebuilds everything).
    fn rebase(&mut self) -> bool {
        let new_path = match config::load(&self.root, &Overrides::default()) {
            Ok((c, _)) => c.base_path(),
            Err(_) => return false,
        };
        if self.base_path == new_path {
            return false;
        }
        let mut opts = self.served.options().clone();
        let Some(old_url) = opts.overrides.base_url.as_deref() else {
            return false;
        };
        let origin = old_url.strip_suffix(&self.base_path).unwrap_or(old_url);
        let new_url = format!("{origin}{new_path}");
        eprintln!("base_url changed: now serving {new_url}");
        opts.overrides.base_url = Some(new_url);
        self.base_path = new_path;
        self.served = Served::new(opts);
        true
    }

    /// Makes an update visible to the server; returns the generation it is published as.
    fn publish(&self, update: &Applied) -> u64 {
        let overlay = overlay_of(&update.report);
        let mut snap = self.state.write().unwrap_or_else(|e| e.into_inner());
        match update.full {
            true => snap.replace(&self.served),
            false => snap.apply(&self.served, update),
        }
        snap.overlay = overlay;
        snap.base_path.clone_from(&self.base_path);
        snap.generation += 1;
        snap.generation
    }

    /// One line per rebuild; the diagnostics when they changed, not again on every save.
    fn print(&mut self, update: &Applied, what: &str, took: Duration) {
        let diags = &update.report.diagnostics;
        let same = diags.0 == self.shown;
        if !same {
            print_report(&update.report);
            self.shown = diags.0.clone();
        }
        if update.report.failed() {
            eprintln!(
                "{what}: the site has {}errors ({} ms); the browser shows them",
                if same { "the same " } else { "" },
                took.as_millis()
            );
        } else {
            let n = update.changed.len() + update.removed.len();
            let warnings = diags.warning_count();
            eprintln!(
                "{what}: {n} file{} updated in {} ms{}{}",
                plural(n),
                took.as_millis(),
                if update.full { " (full rebuild)" } else { "" },
                if same && warnings > 0 {
                    format!(", {warnings} warning{} as before", plural(warnings))
                } else {
                    String::new()
                }
            );
        }
    }
}

/// The files a job applies; brief.yaml stands for "everything" when events were lost.
fn paths_of(root: &Path, job: &Job) -> Vec<PathBuf> {
    let mut paths = job.paths.clone();
    if job.rescan {
        paths.push(root.join(config::CONFIG_FILE));
    }
    paths
}

fn overlay_of(report: &Report) -> Option<Bytes> {
    report
        .failed()
        .then(|| Bytes::from(overlay::render(report)))
}

/// `content/2023/a.yaml changed`, or how many files did.
fn describe(root: &Path, paths: &BTreeSet<PathBuf>) -> String {
    match paths.len() {
        1 => {
            let one = paths.iter().next().map(PathBuf::as_path).unwrap_or(root);
            format!(
                "{} changed",
                diag::display_path(one.strip_prefix(root).unwrap_or(one))
            )
        }
        n => format!("{n} files changed"),
    }
}

fn print_report(report: &Report) {
    if report.diagnostics.0.is_empty() {
        return;
    }
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stderr().is_terminal();
    let text = diag::render_human(&report.diagnostics, &report.sources, color);
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Opens the site in a browser with `xdg-open`, when there is one; never fails.
fn open_browser(url: &str) {
    let found = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| dir.join("xdg-open").is_file())
    });
    if !found {
        eprintln!("--open: no xdg-open found; open {url} yourself");
        return;
    }
    let spawned = std::process::Command::new("xdg-open")
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        // Reap it when it exits, so that no zombie is left behind.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => eprintln!("--open: cannot run xdg-open ({e}); open {url} yourself"),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_url_keeps_the_base_path_and_never_names_an_unspecified_address() {
        let a: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        assert_eq!(site_url(a, "/"), "http://127.0.0.1:1111/");
        assert_eq!(site_url(a, "/briefs/"), "http://127.0.0.1:1111/briefs/");
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(site_url(any, "/"), "http://127.0.0.1:8080/");
        let v6: SocketAddr = "[::]:8080".parse().unwrap();
        assert_eq!(site_url(v6, "/"), "http://[::1]:8080/");
    }
}

//! `brief serve`: the site built in memory, served over HTTP, rebuilt on every save, with the
//! browser told to reload.
//!
//! This is the serve loop, a command-line loop like `cli`, and the only part of `serve` that
//! prints: the address, each rebuild's diagnostics and times. It wires the parts together:
//! [`watch`] says which site files changed, one rebuild thread owns the [`Workspace`] and
//! applies them, [`snapshot`] is what the server answers from, [`http`] answers, and
//! [`overlay`] draws the errors for the browser. Build work never runs on the async runtime,
//! and nothing here writes to the site or to its output folder.

mod http;
mod overlay;
mod snapshot;
mod watch;

use std::io::{IsTerminal, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use notify_debouncer_full::DebounceEventResult;
use tower_livereload::Reloader;

use crate::config::{self, Overrides};
use crate::diag;
use crate::workspace::{Update, Workspace};
use crate::{BuildOptions, Report};

pub use http::EVENTS_PREFIX;

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
    let watching = match watch::Watcher::start(&opts.root) {
        Ok(pair) => Some(pair),
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
    let first = tokio::task::spawn_blocking(move || {
        let mut ws = Workspace::new(build_opts);
        let update = ws.rebuild();
        (ws, update)
    })
    .await;
    let Ok((ws, update)) = first else {
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
    snap.replace(snapshot::Snapshot::entries_of(&ws));
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

    let livereload = http::livereload();
    let reloader = livereload.reloader();
    match watching {
        Some((watcher, events)) => {
            let (state, reloader) = (state.clone(), reloader.clone());
            let root = opts.root.clone();
            let shown = update.report.diagnostics.0.clone();
            let spawned = std::thread::Builder::new()
                .name("brief-rebuild".into())
                .spawn(move || rebuild_loop(ws, watcher, events, state, reloader, &root, shown));
            if let Err(e) = spawned {
                eprintln!(
                    "warning: cannot start the rebuild thread ({e}): pages will not follow edits"
                );
            }
        }
        None => eprintln!("warning: pages will not follow edits; restart to rebuild"),
    }

    let app = http::router(state, livereload);
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

/// The rebuild thread: waits for changes, applies them all at once (events that arrive
/// during a rebuild are handled together by the next one), publishes the result and tells
/// the pages to reload.
fn rebuild_loop(
    mut ws: Workspace,
    mut watcher: watch::Watcher,
    events: Receiver<DebounceEventResult>,
    state: http::Shared,
    reloader: Reloader,
    root: &Path,
    mut shown: Vec<diag::Diagnostic>,
) {
    while let Ok(first) = events.recv() {
        let mut batch = vec![first];
        batch.extend(events.try_iter());
        let mut found = Vec::new();
        for result in batch {
            match result {
                Ok(evs) => found.extend(evs),
                Err(errors) => {
                    for e in errors {
                        eprintln!("warning: file watcher: {e}");
                    }
                }
            }
        }
        let changes = watch::changes(root, &found);
        if changes.is_empty() {
            continue;
        }
        let started = Instant::now();
        if let Err(e) = watcher.watch_new_dirs() {
            eprintln!("warning: file watcher: {e}");
        }
        let mut paths = changes.paths;
        if changes.rescan {
            // Events were lost: brief.yaml stands for "everything".
            paths.push(root.join(config::CONFIG_FILE));
        }
        let base_changed = paths.iter().any(|p| p == &root.join(config::CONFIG_FILE))
            && rebase(&mut ws, &state, root);
        let update = if base_changed {
            ws.rebuild()
        } else {
            ws.apply(&paths)
        };
        publish(&state, &ws, &update);
        reloader.reload();
        let took = started.elapsed();
        // Diagnostics are printed when they change, not again on every save.
        let diags = &update.report.diagnostics;
        let same = diags.0 == shown;
        if !same {
            print_report(&update.report);
            shown = diags.0.clone();
        }
        let what = describe(root, &paths);
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

/// When brief.yaml's base URL moved to another path, starts a workspace for the new one.
/// Returns true when it did (the caller then rebuilds everything).
fn rebase(ws: &mut Workspace, state: &http::Shared, root: &Path) -> bool {
    let new_path = match config::load(root, &Overrides::default()) {
        Ok((c, _)) => c.base_path(),
        Err(_) => return false,
    };
    let mut snap = state.write().unwrap_or_else(|e| e.into_inner());
    if snap.base_path == new_path {
        return false;
    }
    let mut opts = ws.options().clone();
    let Some(old_url) = opts.overrides.base_url.as_deref() else {
        return false;
    };
    let origin = old_url.strip_suffix(&snap.base_path).unwrap_or(old_url);
    let new_url = format!("{origin}{new_path}");
    eprintln!("base_url changed: now serving {new_url}");
    opts.overrides.base_url = Some(new_url);
    snap.base_path = new_path;
    *ws = Workspace::new(opts);
    true
}

/// Makes an update visible to the server.
fn publish(state: &http::Shared, ws: &Workspace, update: &Update) {
    let overlay = overlay_of(&update.report);
    if update.full {
        let entries = snapshot::Snapshot::entries_of(ws);
        let mut snap = state.write().unwrap_or_else(|e| e.into_inner());
        snap.replace(entries);
        snap.overlay = overlay;
    } else {
        let mut snap = state.write().unwrap_or_else(|e| e.into_inner());
        snap.apply(ws, update);
        snap.overlay = overlay;
    }
}

fn overlay_of(report: &Report) -> Option<Bytes> {
    report
        .failed()
        .then(|| Bytes::from(overlay::render(report)))
}

/// `content/2023/a.yaml changed`, or how many files did.
fn describe(root: &Path, paths: &[PathBuf]) -> String {
    match paths {
        [one] => format!(
            "{} changed",
            diag::display_path(one.strip_prefix(root).unwrap_or(one))
        ),
        many => format!("{} files changed", many.len()),
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

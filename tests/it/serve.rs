//! `brief serve` from the outside: the binary started on a free loopback port with a copy of
//! the sample site, spoken to over raw HTTP/1.1.
//!
//! Pages and their media types, HEAD, redirects, the site's 404 page; the live-reload event
//! after an edit and the new content within two seconds; a broken annotations file shown as
//! an error overlay (file and line) and the recovery on the next good save; a save during a
//! slow rebuild superseding it, the server answering meanwhile and the pages told that a
//! rebuild runs; traversal attempts; 50 clients × 20 requests; a taken port. The
//! headless-Chromium tests at the end run `tests/browser/serve_reload.mjs` and
//! `serve_building.mjs` when Node, playwright-core and Chromium are there.
//! Every request goes to 127.0.0.1; every loop is bounded; every server is killed by a guard.

use crate::common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_brief");
const EVENTS: &str = "/_brief/livereload/event-stream";
const SEED_YAML: &str = "content/2023/nato-troops-ukraine.yaml";
const SEED_MD: &str = "content/2023/nato-troops-ukraine.md";
const SEED_PAGE: &str = "briefings/nato-troops-ukraine/";

// ---------------------------------------------------------------------------------------------
// The site and the server
// ---------------------------------------------------------------------------------------------

/// A temporary folder holding `site/`, a copy of the repository's sample site, and
/// `secret.txt` beside it (which no request may ever read).
fn sample_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::create_dir_all(&root).unwrap();
    fs::copy(repo.join("brief.yaml"), root.join("brief.yaml")).unwrap();
    common::copy_dir(&repo.join("content"), &root.join("content"));
    fs::write(
        dir.path().join("secret.txt"),
        "TOP-SECRET-OUTSIDE-THE-SITE\n",
    )
    .unwrap();
    (dir, root)
}

/// A running `brief serve`; killed when dropped, also when a test panics.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// The site's address, `http://127.0.0.1:PORT/briefs/`.
    url: String,
    /// The path part of `url`, `/briefs/`.
    base: String,
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(root: &Path, port: u16) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--root"])
            .arg(root)
            .args(["--port", &port.to_string()])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start brief serve");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = loop {
            let found = log
                .lock()
                .unwrap()
                .lines()
                .find_map(|l| l.strip_prefix("serving "))
                .and_then(|rest| rest.split_whitespace().next())
                .map(str::to_string);
            if let Some(url) = found {
                break url;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("brief serve exited with {status}:\n{}", log.lock().unwrap());
            }
            assert!(
                Instant::now() < deadline,
                "brief serve did not start within 60 s:\n{}",
                log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let rest = url.strip_prefix("http://").expect("an http:// address");
        let slash = rest.find('/').unwrap();
        let addr: SocketAddr = rest[..slash].parse().expect("a socket address");
        let base = rest[slash..].to_string();
        Server {
            child,
            addr,
            url,
            base,
            log,
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// GET a path below the site's base path.
    fn get(&self, rel: &str) -> Response {
        request(self.addr, "GET", &format!("{}{rel}", self.base), &[])
    }

    /// GET as a browser navigating does.
    fn get_page(&self, rel: &str) -> Response {
        request(
            self.addr,
            "GET",
            &format!("{}{rel}", self.base),
            &[("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")],
        )
    }

    fn events(&self) -> Events {
        Events::connect(self.addr)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 client
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request (the target exactly as given, unnormalised) on a new connection.
fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)]) -> Response {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the response");
    parse_response(&raw, method == "HEAD")
}

fn parse_response(raw: &[u8], head: bool) -> Response {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head_text = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked && !head {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&data[..eol])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .expect("chunk size");
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
    out
}

/// A connection to the live-reload event stream (Server-Sent Events).
struct Events {
    stream: TcpStream,
    seen: String,
}

impl Events {
    fn connect(addr: SocketAddr) -> Events {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        write!(
            stream,
            "GET {EVENTS} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut ev = Events {
            stream,
            seen: String::new(),
        };
        assert!(
            ev.wait_for("event: init", Duration::from_secs(5)),
            "no init event: {}",
            ev.seen
        );
        assert!(ev.seen.starts_with("HTTP/1.1 200"), "{}", ev.seen);
        assert!(ev.seen.contains("text/event-stream"), "{}", ev.seen);
        // Browsers drop an event that has no data line.
        assert!(ev.seen.contains("event: init\ndata: "), "{}", ev.seen);
        ev.seen.clear();
        ev
    }

    /// Reads until `what` arrives or `timeout` passes.
    fn wait_for(&mut self, what: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 4096];
        while !self.seen.contains(what) {
            if Instant::now() >= deadline {
                return false;
            }
            match self.stream.read(&mut buf) {
                Ok(0) => return self.seen.contains(what),
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("event stream: {e}"),
            }
        }
        true
    }
}

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let path = root.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    let new = f(text.clone());
    assert_ne!(text, new, "the edit of {rel} changed nothing");
    fs::write(&path, new).unwrap();
}

/// How many paragraphs make an article whose processing takes seconds (the binary is built
/// with the tests' profile, so an optimised one gets ten times more).
fn slow_paragraphs() -> usize {
    if cfg!(debug_assertions) {
        60_000
    } else {
        600_000
    }
}

/// `text` with [`slow_paragraphs`] paragraphs more.
fn slow_article(text: &str) -> String {
    let mut out = text.to_string();
    for i in 0..slow_paragraphs() {
        out.push_str(&format!(
            "\n\nSlow paragraph {i}, with *emphasis*, `code` and enough words to make it long."
        ));
    }
    out
}

/// Polls `check` on fresh responses for up to `timeout`.
fn eventually(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn serves_the_site_with_the_right_types_redirects_and_404() {
    let (_dir, root) = sample_site();
    let server = Server::start(&root, free_port());
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    assert_eq!(
        server.base, "/briefs/",
        "the base path of brief.yaml's base_url is kept"
    );

    let index = server.get("");
    assert_eq!(index.status, 200, "{}", server.log());
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = index.text();
    assert!(html.contains("Ukraine Security Briefings"));
    assert!(html.contains(EVENTS), "the live-reload script is injected");
    assert_eq!(index.header("cache-control"), Some("no-store"));

    // Links point at the server itself.
    let page = server.get(SEED_PAGE);
    assert_eq!(page.status, 200);
    let page_html = page.text();
    assert!(page_html.contains("<mark"), "a marked briefing page");
    assert!(!page_html.contains("https://example.org/briefs/briefings"));

    // HEAD: same headers, no body.
    let head = request(
        server.addr,
        "HEAD",
        &format!("{}{SEED_PAGE}", server.base),
        &[],
    );
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(page.body.len().to_string().as_str())
    );

    // Redirects: the root to the base path, a folder to its slash.
    let root_redirect = request(server.addr, "GET", "/", &[]);
    assert_eq!(root_redirect.status, 302);
    assert_eq!(root_redirect.header("location"), Some("/briefs/"));
    let folder = server.get("briefings/nato-troops-ukraine");
    assert_eq!(folder.status, 302);
    assert_eq!(
        folder.header("location"),
        Some("/briefs/briefings/nato-troops-ukraine/")
    );

    // Media types of everything the site links to.
    for (rel, ctype) in [
        (
            "briefings/nato-troops-ukraine/annotations.jsonld",
            "application/ld+json",
        ),
        ("sitemap.xml", "application/xml"),
        ("feed.xml", "application/atom+xml"),
    ] {
        let r = server.get(rel);
        assert_eq!(r.status, 200, "{rel}");
        assert_eq!(r.header("content-type"), Some(ctype), "{rel}");
        assert!(!r.text().contains(EVENTS), "no script injected into {rel}");
    }
    for (attr, ctype) in [
        ("stylesheet\" href=\"", "text/css; charset=utf-8"),
        ("<script src=\"", "text/javascript; charset=utf-8"),
    ] {
        let Some(start) = html.find(attr) else {
            panic!("no {attr} in the front page");
        };
        let url = &html[start + attr.len()..];
        let url = &url[..url.find('"').unwrap()];
        let r = request(server.addr, "GET", url, &[]);
        assert_eq!(r.status, 200, "{url}");
        assert_eq!(r.header("content-type"), Some(ctype), "{url}");
    }

    // Not found: the site's own 404 page, with the reload script.
    let missing = server.get_page("no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let text = missing.text();
    assert!(text.contains("Page not found"), "{text}");
    assert!(text.contains(EVENTS));
    assert_eq!(request(server.addr, "GET", "/elsewhere/", &[]).status, 404);

    // Only GET and HEAD.
    let post = request(
        server.addr,
        "POST",
        &server.base,
        &[("Content-Length", "0")],
    );
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}

#[test]
fn an_edit_reloads_a_broken_save_shows_the_overlay_and_a_fix_recovers() {
    let (_dir, root) = sample_site();
    let server = Server::start(&root, free_port());
    assert_eq!(server.get(SEED_PAGE).status, 200, "{}", server.log());

    // An annotations edit: a reload event and the new text, within two seconds.
    let mut events = server.events();
    let started = Instant::now();
    edit(&root, SEED_YAML, |t| {
        t.replacen("Sputnik's summary", "Served-and-edited summary", 1)
    });
    assert!(
        events.wait_for("event: reload", Duration::from_secs(2)),
        "no reload event within 2 s of the edit:\n{}",
        server.log()
    );
    let page = server.get_page(SEED_PAGE);
    assert!(
        page.status == 200 && page.text().contains("Served-and-edited summary"),
        "the new content is not served:\n{}",
        server.log()
    );
    assert!(started.elapsed() < Duration::from_secs(2));

    // A broken save (YAML that does not parse): the terminal and the browser say where;
    // the server keeps running.
    let mut events = server.events();
    let good = fs::read_to_string(root.join(SEED_YAML)).unwrap();
    let needle = "    speaker: rasmussen\n";
    let offset = good.find(needle).expect("a speaker line");
    let broken_line = good[..offset].lines().count() + 1;
    let broken = good.replacen(
        needle,
        "    speaker: rasmussen: <script>alert(1)</script>\n",
        1,
    );
    fs::write(root.join(SEED_YAML), broken).unwrap();
    assert!(
        events.wait_for("event: reload", Duration::from_secs(2)),
        "no reload event after the broken save:\n{}",
        server.log()
    );
    let overlay = server.get_page(SEED_PAGE);
    assert_eq!(overlay.status, 500, "{}", overlay.text());
    let text = overlay.text();
    assert!(text.contains("brief-error-overlay"), "{text}");
    let at = "content/2023/nato-troops-ukraine.yaml:";
    let line: usize = text
        .split(at)
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the overlay names no file and line:\n{text}"));
    assert_eq!(line, broken_line, "the overlay points at the broken line");
    assert!(text.contains(EVENTS), "the overlay reloads by itself");
    assert!(!text.contains("<script>alert"), "escaped");
    assert!(
        eventually(Duration::from_secs(2), || server
            .log()
            .contains("nato-troops-ukraine.yaml:")),
        "the terminal shows the diagnostic:\n{}",
        server.log()
    );
    // Other HTML pages show the overlay too; stylesheets and data are still served.
    assert_eq!(server.get_page("").status, 500);
    assert_eq!(server.get("sitemap.xml").status, 200);

    // The fix: the pages come back without a restart.
    let mut events = server.events();
    fs::write(root.join(SEED_YAML), &good).unwrap();
    assert!(
        events.wait_for("event: reload", Duration::from_secs(2)),
        "no reload event after the fix:\n{}",
        server.log()
    );
    let page = server.get_page(SEED_PAGE);
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("Served-and-edited summary"));
    assert!(!page.text().contains("brief-error-overlay"));
}

#[test]
fn a_save_during_a_slow_rebuild_supersedes_it_while_the_server_answers() {
    let (_dir, root) = sample_site();
    let server = Server::start(&root, free_port());
    let md = root.join(SEED_MD);
    let good = fs::read_to_string(&md).unwrap();
    let mut events = server.events();

    fs::write(&md, slow_article(&good)).unwrap();
    // Once the rebuild has run for a moment, the pages are told, with what it is for.
    assert!(
        events.wait_for("event: building", Duration::from_secs(60)),
        "no building event during a slow rebuild:\n{}\n{}",
        events.seen,
        server.log()
    );
    assert!(
        events.seen.contains(
            "event: building\ndata: {\"what\":\"content/2023/nato-troops-ukraine.md changed\"}"
        ),
        "{}",
        events.seen
    );
    assert!(!events.seen.contains("event: reload"), "{}", events.seen);

    // The rebuild is running: the server answers at once, with the last good page.
    let asked = Instant::now();
    let page = server.get_page(SEED_PAGE);
    let waited = asked.elapsed();
    assert_eq!(page.status, 200, "{}", server.log());
    assert!(page.text().contains("Poland and the Baltic states"));
    assert!(!page.text().contains("Slow paragraph"));
    assert!(
        waited < Duration::from_secs(5),
        "a request waited {waited:?} for the rebuild"
    );
    assert_eq!(server.get("sitemap.xml").status, 200);

    // The fix, saved while the slow rebuild runs, supersedes it: the next reload shows the
    // fix, and the slow article's pages are never published.
    let fixed = format!("{good}\nA paragraph saved while the slow rebuild ran.\n");
    fs::write(&md, &fixed).unwrap();
    assert!(
        events.wait_for("event: reload", Duration::from_secs(120)),
        "no reload after the fix:\n{}",
        server.log()
    );
    let page = server.get_page(SEED_PAGE);
    let text = page.text();
    assert_eq!(page.status, 200, "{text}");
    assert!(
        text.contains("A paragraph saved while the slow rebuild ran."),
        "the first reload does not show the fix:\n{}",
        server.log()
    );
    assert!(!text.contains("Slow paragraph"));
    assert!(
        eventually(Duration::from_secs(5), || server
            .log()
            .contains("nato-troops-ukraine.md changed: 2 files updated")),
        "{}",
        server.log()
    );
    assert!(
        server.log().contains("saved again"),
        "the slow rebuild was not superseded:\n{}",
        server.log()
    );
}

#[test]
fn editor_save_patterns_are_followed_and_temporary_files_ignored() {
    let (_dir, root) = sample_site();
    let server = Server::start(&root, free_port());
    let path = root.join(SEED_YAML);
    let dir = path.parent().unwrap().to_path_buf();

    // An atomic save: write a temporary file beside it, rename it over the original, as
    // many editors do; vim's probe and backup files come and go around it.
    let mut events = server.events();
    fs::write(dir.join("4913"), "").unwrap();
    fs::remove_file(dir.join("4913")).unwrap();
    fs::write(dir.join(".nato-troops-ukraine.yaml.swp"), "swap").unwrap();
    let text = fs::read_to_string(&path).unwrap();
    fs::copy(&path, dir.join("nato-troops-ukraine.yaml~")).unwrap();
    let tmp = dir.join(".nato-troops-ukraine.yaml.tmp");
    fs::write(
        &tmp,
        text.replacen("Sputnik's summary", "Atomically saved summary", 1),
    )
    .unwrap();
    fs::rename(&tmp, &path).unwrap();
    fs::remove_file(dir.join("nato-troops-ukraine.yaml~")).unwrap();
    assert!(
        events.wait_for("event: reload", Duration::from_secs(2)),
        "no reload after an atomic save:\n{}",
        server.log()
    );
    assert!(eventually(Duration::from_secs(2), || {
        server
            .get(SEED_PAGE)
            .text()
            .contains("Atomically saved summary")
    }));

    // Several writes in a row: the last one wins.
    for i in 0..5 {
        fs::write(
            &path,
            text.replacen("Sputnik's summary", &format!("Burst {i} summary"), 1),
        )
        .unwrap();
    }
    assert!(
        eventually(Duration::from_secs(2), || server
            .get(SEED_PAGE)
            .text()
            .contains("Burst 4 summary")),
        "{}",
        server.log()
    );

    // Only a temporary file changes: no rebuild, no reload. (Wait for the burst's last
    // rebuild to be over first.)
    let settled = |log: &str| log.lines().count();
    let mut before = settled(&server.log());
    assert!(eventually(Duration::from_secs(5), || {
        std::thread::sleep(Duration::from_millis(300));
        let now = settled(&server.log());
        std::mem::replace(&mut before, now) == now
    }));
    let mut events = server.events();
    fs::write(dir.join(".nato-troops-ukraine.yaml.swp"), "swap again").unwrap();
    fs::write(dir.join("#nato-troops-ukraine.yaml#"), "autosave").unwrap();
    assert!(
        !events.wait_for("event: reload", Duration::from_millis(500)),
        "a swap file triggered a reload:\n{}",
        server.log()
    );
    assert!(!server.log().contains(".swp"), "{}", server.log());
    fs::remove_file(dir.join("#nato-troops-ukraine.yaml#")).unwrap();
}

#[test]
fn traversal_attempts_never_reach_files_outside_the_output() {
    let (_dir, root) = sample_site();
    let server = Server::start(&root, free_port());
    let b = server.base.clone();
    let mut targets: Vec<String> = vec![
        "/../brief.yaml".into(),
        "/%2e%2e/brief.yaml".into(),
        "/..%2fbrief.yaml".into(),
        "/%2e%2e%2fcontent/speakers.yaml".into(),
        "/../secret.txt".into(),
        "/../../secret.txt".into(),
        "//etc/passwd".into(),
        "/etc/passwd".into(),
        "/%2fetc%2fpasswd".into(),
        "/..\\brief.yaml".into(),
        "/..%5cbrief.yaml".into(),
        "/%5c..%5cbrief.yaml".into(),
        "/brief.yaml%00.html".into(),
        "/%c0%ae%c0%ae/brief.yaml".into(),
        "http://127.0.0.1/../brief.yaml".into(),
    ];
    for t in [
        "../brief.yaml",
        "%2e%2e/brief.yaml",
        "%2E%2E/%2E%2E/secret.txt",
        "..%2fbrief.yaml",
        "..%2f..%2fsecret.txt",
        "%2e%2e%2fcontent/speakers.yaml",
        "briefings/../../brief.yaml",
        "briefings/%2e%2e/%2e%2e/brief.yaml",
        "brief.yaml",
        "content/speakers.yaml",
        "content/2023/nato-troops-ukraine.yaml",
        "content/2023/nato-troops-ukraine.md",
        "..\\..\\brief.yaml",
        "%5c%5c127.0.0.1%5cbrief.yaml",
        "C:%5cWindows%5cwin.ini",
        "/etc/passwd",
        "%2fetc%2fpasswd",
        "./brief.yaml",
        "briefings/./../../brief.yaml",
    ] {
        targets.push(format!("{b}{t}"));
    }
    let secrets = [
        "base_url:",
        "TOP-SECRET",
        "name: Anders Fogh Rasmussen",
        "root:x:0:0",
        "quotes:\n",
    ];
    for t in &targets {
        let r = request(server.addr, "GET", t, &[]);
        assert!(
            r.status == 400 || r.status == 404,
            "{t} answered {}: {}",
            r.status,
            r.text()
        );
        let text = r.text();
        for s in secrets {
            assert!(!text.contains(s), "{t} leaked {s:?}");
        }
    }
    // The server is still fine afterwards.
    assert_eq!(server.get("").status, 200);
}

#[test]
fn fifty_clients_twenty_requests_each() {
    let (_dir, root) = sample_site();
    let server = Server::start(&root, free_port());
    let paths: Vec<String> = [
        "",
        SEED_PAGE,
        "briefings/vilnius-summit/",
        "speakers/",
        "questions/",
        "briefings/nato-troops-ukraine/annotations.jsonld",
        "sitemap.xml",
        "no/such/page/",
    ]
    .iter()
    .map(|p| format!("{}{p}", server.base))
    .collect();
    let paths = Arc::new(paths);
    let started = Instant::now();
    let workers: Vec<_> = (0..50)
        .map(|w| {
            let (paths, addr) = (paths.clone(), server.addr);
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 0..20 {
                    let p = &paths[(w + i) % paths.len()];
                    let r = request(addr, "GET", p, &[]);
                    let expected = if p.ends_with("no/such/page/") {
                        404
                    } else {
                        200
                    };
                    if r.status != expected || r.body.is_empty() {
                        failures.push(format!("{p}: {}", r.status));
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("a client panicked"))
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "1000 requests took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_taken_port_is_reported_and_the_next_one_used() {
    let (_dir, root) = sample_site();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let server = Server::start(&root, port);
    assert_ne!(server.addr.port(), port);
    assert!(
        server.log().contains(&format!("port {port} is in use")),
        "{}",
        server.log()
    );
    assert_eq!(server.get("").status, 200);
}

#[test]
fn the_reload_script_is_never_in_built_output() {
    let (dir, root) = sample_site();
    let out = dir.path().join("out");
    let status = Command::new(BIN)
        .args(["build", "--root"])
        .arg(&root)
        .arg("--output")
        .arg(&out)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = fs::read(entry.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("livereload")
                    && !text.contains("EventSource")
                    && !text.contains("brief-rebuilding"),
                "{} has the reload script",
                entry.path().display()
            );
            pages += 1;
        }
    }
    assert!(pages > 5);
}

// ---------------------------------------------------------------------------------------------
// Headless Chromium
// ---------------------------------------------------------------------------------------------

/// Skips (with a notice) when Node, playwright-core or Chromium is missing, except in CI.
fn browser_prerequisites() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let mut missing = Vec::new();
    if Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_or(true, |s| !s.success())
    {
        missing.push("node");
    }
    if !dir
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        missing.push("tests/browser/node_modules (run `npm ci` in tests/browser)");
    }
    if !Path::new("/usr/bin/chromium").is_file() {
        missing.push("/usr/bin/chromium (Debian package `chromium`)");
    }
    if missing.is_empty() {
        return Some(dir);
    }
    let msg = format!("missing {}", missing.join(", "));
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the browser test cannot run in CI: {msg}");
    }
    eprintln!("NOTICE: skipping the headless-Chromium serve test: {msg}");
    None
}

/// Runs one of the serve scripts of tests/browser with `env`, against `server`; returns what
/// it printed, after checking that it succeeded and printed `expected`.
fn run_browser_script(
    dir: &Path,
    script: &str,
    env: &[(&str, std::ffi::OsString)],
    server: &Server,
    expected: &str,
) -> String {
    let output = Command::new("node")
        .arg(dir.join(script))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run node");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        output.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}\nserver:\n{}",
        output.status,
        server.log()
    );
    assert!(stdout.contains(expected), "{stdout}");
    stdout.trim().to_string()
}

#[test]
fn a_browser_page_reloads_by_itself_after_an_edit() {
    let Some(dir) = browser_prerequisites() else {
        return;
    };
    let (tmp, root) = sample_site();
    let server = Server::start(&root, free_port());
    let env = [
        ("BRIEF_URL", format!("{}{SEED_PAGE}", server.url).into()),
        ("BRIEF_FILE", root.join(SEED_YAML).into()),
        ("BRIEF_PROFILE", tmp.path().join("chromium-profile").into()),
    ];
    let out = run_browser_script(&dir, "serve_reload.mjs", &env, &server, "reloaded");
    eprintln!("{out}");
}

#[test]
fn a_browser_page_shows_that_a_slow_rebuild_is_running() {
    let Some(dir) = browser_prerequisites() else {
        return;
    };
    let (tmp, root) = sample_site();
    let server = Server::start(&root, free_port());
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    fs::create_dir_all(&artifacts).unwrap();
    let env = [
        ("BRIEF_URL", format!("{}{SEED_PAGE}", server.url).into()),
        ("BRIEF_DIR", root.join("content/2023").into()),
        ("BRIEF_PARAGRAPHS", slow_paragraphs().to_string().into()),
        ("BRIEF_PROFILE", tmp.path().join("chromium-profile").into()),
        (
            "BRIEF_SCREENSHOT",
            artifacts.join("serve-rebuilding.png").into(),
        ),
    ];
    let out = run_browser_script(&dir, "serve_building.mjs", &env, &server, "indicator shown");
    eprintln!("{out}");
}

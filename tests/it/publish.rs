//! Publishing: the sample site built for a sub-path and served from a parent folder by a plain
//! static file server, crawled link by link; the feed and sitemap read by real parsers
//! (`feed-rs`, `quick-xml`); `robots.txt` and the search index; scaffolded sites and briefings
//! that check and build clean; byte-identical rebuilds; and `broken-link` diagnostics.
//!
//! The server and the crawler are written here, on `std::net` only, and know nothing of the
//! crate: they see the output as a browser and a static host would.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use common::*;
use serde_json::Value;

/// The crawl gives up past this many fetches (the sample site has about 50 files).
const MAX_FETCHES: usize = 2_000;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------------
// A static file server: loopback only, one connection at a time, stopped on drop.
// ---------------------------------------------------------------------------------------------

struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `root` on `listener` the way static hosts do: `/x/` serves `x/index.html`, `/x`
    /// (a folder) redirects to `/x/`, and a missing file gets `not_found` with status 404.
    fn start(listener: TcpListener, root: PathBuf, not_found: PathBuf) -> Server {
        let addr = listener.local_addr().expect("listener address");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = respond(stream, &root, &not_found);
                }
            }
        });
        Server {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn respond(mut stream: TcpStream, root: &Path, not_found: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let request = String::from_utf8_lossy(&request);
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = percent_decode(target.split(['?', '#']).next().unwrap_or("/"));
    let (status, headers, body) = if path.split('/').any(|s| s == "..") {
        ("400 Bad Request", String::new(), Vec::new())
    } else {
        let file = root.join(path.trim_start_matches('/'));
        if file.is_dir() && !path.ends_with('/') {
            let location = format!("Location: {path}/\r\n");
            ("301 Moved Permanently", location, Vec::new())
        } else {
            let file = if file.is_dir() {
                file.join("index.html")
            } else {
                file
            };
            match fs::read(&file) {
                Ok(bytes) => ("200 OK", content_type(&file), bytes),
                Err(_) => (
                    "404 Not Found",
                    content_type(not_found),
                    fs::read(not_found).unwrap_or_default(),
                ),
            }
        }
    };
    let head = format!(
        "HTTP/1.0 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)
}

fn content_type(file: &Path) -> String {
    let t = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("svg") => "image/svg+xml",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    format!("Content-Type: {t}\r\n")
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// An HTTP/1.0 client and a crawler
// ---------------------------------------------------------------------------------------------

struct Response {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

fn get(addr: SocketAddr, path: &str) -> Response {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let content_type = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Type: "))
        .unwrap_or("")
        .to_string();
    Response {
        status,
        content_type,
        body: raw[split + 4..].to_vec(),
    }
}

/// `href` (as written on the page at `page`, a path) as a path on this server plus its
/// fragment, or `None` for other hosts and non-web schemes.
fn resolve(page: &str, href: &str, origin: &str) -> Option<(String, Option<String>)> {
    let href = href.trim();
    let (href, fragment) = match href.split_once('#') {
        Some((h, f)) => (h, Some(f.to_string())),
        None => (href, None),
    };
    let path = if let Some(rest) = href.strip_prefix(origin) {
        if rest.is_empty() {
            "/".to_string()
        } else {
            rest.to_string()
        }
    } else if href.starts_with("//") || href.split(['/', '?']).next()?.contains(':') {
        return None;
    } else if href.starts_with('/') {
        href.to_string()
    } else if href.is_empty() {
        page.to_string()
    } else if href.starts_with('?') {
        format!("{}{href}", page.split('?').next().unwrap_or(page))
    } else {
        let dir = &page[..=page.split('?').next()?.rfind('/')?];
        normalize(&format!("{dir}{href}"))
    };
    Some((path, fragment))
}

/// Removes `.` and `..` segments from an absolute path (its query kept as is).
fn normalize(path: &str) -> String {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (path, String::new()),
    };
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("/{}{query}", out.join("/"))
}

/// Every `href`, `src` and `data-index` on an HTML page, and every `id`.
fn page_links_and_ids(html: &str) -> (Vec<String>, BTreeSet<String>) {
    let tokens = tokenize(html).unwrap_or_else(|e| panic!("page does not tokenize: {e}"));
    let mut links = Vec::new();
    let mut ids = BTreeSet::new();
    for (_, t) in &tokens {
        for attr in ["href", "src", "data-index"] {
            if let Some(v) = t.attr(attr) {
                links.push(v.to_string());
            }
        }
        if let Some(id) = t.attr("id") {
            ids.insert(id.to_string());
        }
    }
    (links, ids)
}

/// What a crawl found: every path fetched with its response, and the problems.
struct Crawl {
    fetched: BTreeMap<String, Response>,
    /// How many links to an id were checked.
    fragments: usize,
    problems: Vec<String>,
}

/// Fetches `start` and everything it links to on this server, breadth first; a link to an
/// id checks that the id is on the target page.
fn crawl(addr: SocketAddr, start: &[String]) -> Crawl {
    let origin = format!("http://{addr}");
    let mut queue: VecDeque<(String, String)> = start
        .iter()
        .map(|s| (s.clone(), "(start)".to_string()))
        .collect();
    let mut fetched: BTreeMap<String, Response> = BTreeMap::new();
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut fragments: Vec<(String, String, String)> = Vec::new();
    let mut problems = Vec::new();
    while let Some((path, from)) = queue.pop_front() {
        if fetched.contains_key(&path) {
            continue;
        }
        assert!(fetched.len() < MAX_FETCHES, "the crawl does not end");
        let r = get(addr, &path);
        if r.status != 200 {
            problems.push(format!("{path} (linked from {from}): HTTP {}", r.status));
        }
        if r.status == 200 && r.content_type.starts_with("text/html") {
            let html = String::from_utf8_lossy(&r.body).into_owned();
            let (links, page_ids) = page_links_and_ids(&html);
            ids.insert(path.clone(), page_ids);
            for href in links {
                if let Some((target, fragment)) = resolve(&path, &href, &origin) {
                    if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                        fragments.push((target.clone(), f, path.clone()));
                    }
                    queue.push_back((target, path.clone()));
                }
            }
        }
        fetched.insert(path, r);
    }
    let checked = fragments.len();
    for (target, fragment, from) in fragments {
        if let Some(page) = ids.get(&target)
            && !page.contains(&percent_decode(&fragment))
        {
            problems.push(format!(
                "{target}#{fragment} (linked from {from}): no such id"
            ));
        }
    }
    Crawl {
        fetched,
        fragments: checked,
        problems,
    }
}

/// The sample site built for `http://<addr>/briefs/` into `<tmp>/root/briefs/`, served from
/// `<tmp>/root`.
fn serve_sample_under_sub_path() -> (tempfile::TempDir, Server, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().unwrap();
    let out = tmp.path().join("root").join("briefs");
    let base = format!("http://{addr}/briefs/");
    build_ok(&repo_root(), &out, &["--base-url", &base]);
    let server = Server::start(listener, tmp.path().join("root"), out.join("404.html"));
    (tmp, server, out)
}

/// Front matter `date:` of each sample briefing, by slug.
fn sample_dates() -> BTreeMap<String, String> {
    published(&repo_root(), false)
        .into_iter()
        .map(|b| {
            let text = fs::read_to_string(&b.md).unwrap();
            let date = text
                .lines()
                .find_map(|l| l.strip_prefix("date:"))
                .expect("a date line")
                .trim()
                .to_string();
            (b.slug, date)
        })
        .collect()
}

#[test]
fn the_sample_site_under_a_sub_path_has_no_broken_links_or_assets() {
    let (_tmp, server, out) = serve_sample_under_sub_path();
    let addr = server.addr;
    let crawl = crawl(addr, &["/briefs/".to_string()]);
    assert!(
        crawl.problems.is_empty(),
        "broken internal links:\n{}",
        crawl.problems.join("\n")
    );
    // Not vacuous: every page, asset and link to an annotation of the sample was followed.
    assert!(crawl.fetched.len() > 35, "{:?}", crawl.fetched.keys());
    assert!(crawl.fragments > 20, "{} links to ids", crawl.fragments);
    for path in crawl.fetched.keys() {
        assert!(
            path.starts_with("/briefs/"),
            "a link leaves the sub-path: {path}"
        );
    }
    // Every page the build wrote is reachable by following links from the front page.
    let pages: Vec<String> = snapshot(&out)
        .keys()
        .map(|p| display(p))
        .filter(|p| p.ends_with("index.html"))
        .map(|p| format!("/briefs/{}", p.trim_end_matches("index.html")))
        .collect();
    assert!(
        pages.iter().any(|p| p.starts_with("/briefs/tags/")),
        "{pages:?}"
    );
    assert!(pages.contains(&"/briefs/search/".to_string()), "{pages:?}");
    let unreached: Vec<&String> = pages
        .iter()
        .filter(|p| !crawl.fetched.contains_key(*p))
        .collect();
    assert!(
        unreached.is_empty(),
        "pages no link leads to: {unreached:?}"
    );
}

#[test]
fn the_not_found_page_works_from_any_depth() {
    let (_tmp, server, _out) = serve_sample_under_sub_path();
    let r = get(server.addr, "/briefs/no/such/page/");
    assert_eq!(r.status, 404);
    let html = String::from_utf8_lossy(&r.body).into_owned();
    let (links, _) = page_links_and_ids(&html);
    let origin = format!("http://{}", server.addr);
    // `#main_` (the skip link) points into the 404 page itself, wherever it is shown.
    let targets: Vec<String> = links
        .iter()
        .filter(|h| !h.starts_with('#'))
        .filter_map(|h| resolve("/briefs/no/such/page/", h, &origin))
        .map(|(path, _)| path)
        .collect();
    assert!(targets.len() > 5, "{links:?}");
    let crawl = crawl(server.addr, &targets);
    let broken: Vec<&String> = crawl
        .problems
        .iter()
        .filter(|p| p.contains("(start)"))
        .collect();
    assert!(
        broken.is_empty(),
        "404.html links that break off the root: {broken:?}"
    );
}

#[test]
fn the_feed_parses_and_lists_every_briefing_under_the_sub_path() {
    let (_tmp, server, _out) = serve_sample_under_sub_path();
    let base = format!("http://{}/briefs/", server.addr);
    let r = get(server.addr, "/briefs/feed.xml");
    assert_eq!(r.status, 200);
    let feed = feed_rs::parser::parse(&r.body[..]).expect("feed-rs parses feed.xml");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.id, base);
    assert!(feed.updated.is_some(), "the feed has <updated>");
    assert!(
        feed.links
            .iter()
            .any(|l| l.rel.as_deref() == Some("self") && l.href == format!("{base}feed.xml")),
        "{:?}",
        feed.links
    );
    let dates = sample_dates();
    assert_eq!(feed.entries.len(), dates.len());
    let mut previous = None;
    let mut ids = BTreeSet::new();
    for e in &feed.entries {
        let slug =
            e.id.strip_prefix(&format!("{base}briefings/"))
                .and_then(|s| s.strip_suffix('/'))
                .unwrap_or_else(|| panic!("entry id {} is not a briefing URL", e.id));
        assert!(ids.insert(e.id.clone()), "duplicate id {}", e.id);
        assert_eq!(e.links.len(), 1, "{:?}", e.links);
        assert_eq!(e.links[0].href, e.id);
        assert!(e.title.as_ref().is_some_and(|t| !t.content.is_empty()));
        assert!(e.summary.as_ref().is_some_and(|s| !s.content.is_empty()));
        let updated = e.updated.expect("entry <updated>");
        assert_eq!(e.published, Some(updated));
        assert_eq!(
            updated.format("%Y-%m-%d").to_string(),
            dates[slug][..10],
            "{slug}"
        );
        assert!(
            previous.is_none_or(|p| p >= updated),
            "entries newest first"
        );
        previous = Some(updated);
        assert_eq!(
            get(server.addr, &e.id[base.len() - 8..]).status,
            200,
            "{}",
            e.id
        );
    }
}

#[test]
fn the_sitemap_and_robots_point_at_pages_under_the_sub_path() {
    use quick_xml::events::Event;
    let (_tmp, server, out) = serve_sample_under_sub_path();
    let base = format!("http://{}/briefs/", server.addr);
    let xml = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut urls: Vec<(String, Option<String>)> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    loop {
        match reader.read_event().expect("sitemap.xml is well-formed XML") {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                if path.is_empty() {
                    assert_eq!(name, "urlset");
                    let ns = e
                        .try_get_attribute("xmlns")
                        .unwrap()
                        .expect("the sitemap namespace");
                    assert_eq!(&*ns.value, "http://www.sitemaps.org/schemas/sitemap/0.9");
                }
                if name == "url" {
                    urls.push((String::new(), None));
                }
                path.push(name);
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                let text = t.into_inner().into_owned();
                let last = urls.last_mut();
                match (path.last().map(String::as_str), last) {
                    (Some("loc"), Some(u)) => u.0.push_str(&text),
                    (Some("lastmod"), Some(u)) => u.1 = Some(text),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let locs: BTreeSet<&str> = urls.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(locs.len(), urls.len(), "duplicate <loc>");
    for (loc, lastmod) in &urls {
        assert!(loc.starts_with(&base), "{loc} is not under {base}");
        let r = get(server.addr, &loc[base.len() - 8..]);
        assert_eq!(r.status, 200, "{loc}");
        assert!(r.content_type.starts_with("text/html"), "{loc}");
        if let Some(d) = lastmod {
            assert!(
                d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-',
                "{d}"
            );
        }
    }
    // Every briefing, speaker and question page is listed; briefings with their date.
    let dates = sample_dates();
    for (slug, date) in &dates {
        let url = format!("{base}briefings/{slug}/");
        let entry = urls.iter().find(|(l, _)| *l == url);
        assert_eq!(
            entry.and_then(|e| e.1.clone()).as_deref(),
            Some(&date[..10]),
            "{url}"
        );
    }
    for dir in ["speakers", "questions"] {
        for page in snapshot(&out.join(dir)).keys() {
            let url = format!(
                "{base}{dir}/{}",
                display(page).trim_end_matches("index.html")
            );
            assert!(locs.contains(url.as_str()), "{url} is not in the sitemap");
        }
    }

    let robots = get(server.addr, "/briefs/robots.txt");
    assert_eq!(robots.status, 200);
    let robots = String::from_utf8(robots.body).unwrap();
    assert!(robots.contains("User-agent: *"), "{robots}");
    assert!(
        robots
            .lines()
            .any(|l| l == format!("Sitemap: {base}sitemap.xml")),
        "{robots}"
    );
}

#[test]
fn the_search_index_is_compact_and_points_at_real_pages() {
    let (_tmp, server, out) = serve_sample_under_sub_path();
    let page = get(server.addr, "/briefs/search/");
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.body).into_owned();
    assert!(
        html.contains("<noscript>") && html.contains("needs JavaScript"),
        "{html}"
    );
    let index_url = tokenize(&html)
        .unwrap()
        .iter()
        .find_map(|(_, t)| t.attr("data-index").map(String::from))
        .expect("the search form names its index");
    assert!(
        index_url.starts_with("/briefs/search-index.json?v="),
        "{index_url}"
    );
    let r = get(server.addr, &index_url);
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("application/json"));
    // The version browsers cache by is the index's own content hash (FNV-1a, high 32 bits).
    let fnv = r.body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    assert!(
        index_url.ends_with(&format!("?v={:08x}", fnv >> 32)),
        "{index_url}"
    );
    let index: Value = serde_json::from_slice(&r.body).expect("the index is JSON");
    assert_eq!(index["version"], 1);
    let speakers = index["speakers"].as_array().unwrap();
    let briefings = index["briefings"].as_array().unwrap();
    assert_eq!(briefings.len(), sample_dates().len());
    let mut quotes = 0;
    for b in briefings {
        let slug = b["slug"].as_str().unwrap();
        assert_eq!(
            get(server.addr, &format!("/briefs/briefings/{slug}/")).status,
            200
        );
        assert!(b["title"].as_str().is_some_and(|t| !t.is_empty()));
        for q in b["quotes"].as_array().into_iter().flatten() {
            quotes += 1;
            let who = q[1].as_u64().unwrap() as usize;
            assert!(who < speakers.len(), "{q}");
            let html =
                fs::read_to_string(out.join(format!("briefings/{slug}/index.html"))).unwrap();
            let id = q[0].as_str().unwrap();
            assert!(html.contains(&format!(" id=\"{id}\"")), "#{id} on {slug}");
        }
    }
    assert!(quotes > 10, "the sample's quotes are indexed");
    // Compact: no article bodies, one line of JSON.
    assert!(r.body.len() < 16 * 1024, "{} bytes", r.body.len());
    assert_eq!(r.body.iter().filter(|&&b| b == b'\n').count(), 1);
}

#[test]
fn two_builds_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let base = "https://example.org/briefs/";
    build_ok(&repo_root(), &a, &["--base-url", base]);
    build_ok(&repo_root(), &b, &["--base-url", base]);
    let first = snapshot(&a);
    assert!(first.contains_key(Path::new("search-index.json")));
    assert!(first.contains_key(Path::new("robots.txt")));
    assert_same_snapshot(&first, &snapshot(&b), "second build of the sample site");
}

#[test]
fn a_static_robots_txt_replaces_the_generated_one() {
    let own = "User-agent: *\nDisallow: /private/\n";
    let root = site(&[
        ("brief.yaml", CONFIG),
        (
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\n---\nText.\n",
        ),
        ("static/robots.txt", own),
    ]);
    let out = root.path().join("public");
    build_ok(root.path(), &out, &[]);
    assert_eq!(fs::read_to_string(out.join("robots.txt")).unwrap(), own);
}

#[test]
fn the_github_pages_workflow_builds_for_the_pages_address_and_uploads_public() {
    let text = fs::read_to_string(repo_root().join("docs/github-pages.yml")).unwrap();
    let workflow: Value = serde_saphyr::from_str(&text).expect("the workflow is valid YAML");
    let steps = workflow["jobs"]["build"]["steps"]
        .as_array()
        .expect("build steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs.iter().any(|r| r.contains("rustup")), "{runs:?}");
    assert!(runs.iter().any(|r| r.contains("cargo install")), "{runs:?}");
    assert!(
        runs.iter().any(|r| r.contains("brief build --base-url")),
        "{runs:?}"
    );
    assert!(
        workflow["env"]["BASE_URL"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://") && u.contains(".github.io/")),
        "{text}"
    );
    assert!(
        steps.iter().any(|s| s["with"]["path"] == "public"),
        "{text}"
    );
    let deploy = workflow["jobs"]["deploy"]["steps"][0]["uses"]
        .as_str()
        .unwrap();
    assert!(deploy.starts_with("actions/deploy-pages@"), "{deploy}");
}

// ---------------------------------------------------------------------------------------------
// Scaffolding
// ---------------------------------------------------------------------------------------------

/// `brief check` and `brief build` on `root`: exit 0 and not one diagnostic.
#[track_caller]
fn assert_clean(root: &Path) {
    let (run, diags) = check_json_run(root);
    run.assert_code(0);
    assert!(diags.is_empty(), "check reports: {diags:#?}");
    let out = root.join("public");
    let run = build_ok(root, &out, &[]);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(out.join("index.html").is_file());
}

#[test]
fn a_new_site_checks_and_builds_clean_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("my-briefs");
    let run = brief(&["new", "site", &path_str(&root)]);
    run.assert_code(0);
    for file in [
        "brief.yaml",
        ".gitignore",
        "content/speakers.yaml",
        "content/questions.yaml",
    ] {
        assert!(root.join(file).is_file(), "{file} missing\n{}", run.stderr);
    }
    assert!(
        fs::read_to_string(root.join(".gitignore"))
            .unwrap()
            .contains("public/")
    );
    assert_clean(&root);
    // The example is annotated: its page has quotes, a highlight and a position.
    let page = snapshot(&root.join("public"))
        .into_iter()
        .find(|(p, _)| display(p).starts_with("briefings/") && display(p).ends_with("index.html"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .expect("the example briefing's page");
    assert!(page.matches("data-ann=").count() >= 4, "{page}");
    let out = root.join("public");
    assert!(check_data_ann_contract(&root, &out) >= 4);

    // Never over an existing site.
    let before = snapshot(&root);
    let again = brief(&["new", "site", &path_str(&root)]);
    again.assert_code(1);
    assert!(again.stderr.contains("file-exists"), "{}", again.stderr);
    assert_same_snapshot(&before, &snapshot(&root), "a second `brief new site`");
}

#[test]
fn a_new_briefing_has_a_slug_from_its_title_and_checks_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    brief(&["new", "site", &path_str(&root)]).assert_code(0);
    let r = path_str(&root);
    let run = brief(&[
        "new",
        "briefing",
        "Łódź's mayor: “No” to the São Paulo plan",
        "--root",
        &r,
    ]);
    run.assert_code(0);
    let md = root.join("content/lodzs-mayor-no-to-the-sao-paulo-plan.md");
    let yaml = md.with_extension("yaml");
    let text = fs::read_to_string(&md).unwrap_or_else(|e| panic!("{e}\n{}", run.stderr));
    assert!(
        text.contains("title: \"Łódź's mayor: “No” to the São Paulo plan\""),
        "{text}"
    );
    let date = text.lines().find_map(|l| l.strip_prefix("date: ")).unwrap();
    assert!(
        date.len() == 10 && date.starts_with("20"),
        "today's date: {date}"
    );
    let skeleton = fs::read_to_string(&yaml).unwrap();
    assert!(skeleton.contains("# quotes:") && skeleton.contains("# positions:"));
    assert!(
        skeleton
            .lines()
            .all(|l| l.trim().is_empty() || l.starts_with('#')),
        "every line of the skeleton is a comment:\n{skeleton}"
    );
    assert_clean(&root);

    // A folder briefing with a given date.
    brief(&[
        "new",
        "briefing",
        "Summit day",
        "--folder",
        "--date",
        "2024-02-29",
        "--root",
        &r,
    ])
    .assert_code(0);
    let index = fs::read_to_string(root.join("content/summit-day/index.md")).unwrap();
    assert!(index.contains("date: 2024-02-29"), "{index}");
    assert!(root.join("content/summit-day/index.yaml").is_file());
    assert_clean(&root);

    // Refusals: the same title again, and a date that does not exist.
    let before = snapshot(&root.join("content"));
    let again = brief(&["new", "briefing", "Summit day", "--root", &r]);
    again.assert_code(1);
    assert!(
        again.stderr.contains("file-exists") && again.stderr.contains("help:"),
        "{}",
        again.stderr
    );
    let bad = brief(&[
        "new",
        "briefing",
        "Other",
        "--date",
        "2023-02-29",
        "--root",
        &r,
    ]);
    bad.assert_code(1);
    assert!(bad.stderr.contains("invalid-date"), "{}", bad.stderr);
    assert_same_snapshot(
        &before,
        &snapshot(&root.join("content")),
        "refused `new briefing`",
    );
}

#[test]
fn a_new_briefing_outside_a_site_says_how_to_start_one() {
    let tmp = tempfile::tempdir().unwrap();
    let run = brief(&["new", "briefing", "X", "--root", &path_str(tmp.path())]);
    run.assert_code(1);
    assert!(run.stderr.contains("brief new site"), "{}", run.stderr);
    assert!(
        fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing was written"
    );
}

// ---------------------------------------------------------------------------------------------
// Link checking
// ---------------------------------------------------------------------------------------------

#[test]
fn broken_links_are_reported_with_file_line_and_column() {
    let article = lines(&[
        "---",                                                              // 1
        "title: A",                                                         // 2
        "date: 2024-01-02",                                                 // 3
        "---",                                                              // 4
        "Good: [b](../b/), [b's quote](../b/#said), [top](#q1).",           // 5
        "Typo: [b](../bb/) and a missing [image](pic.png).",                // 6
        "Wrong id: [there](../b/#sayd). Off the base: [x](/briefings/b/).", // 7
        "External: [e](https://elsewhere.org/x), [m](mailto:a@b.c).",       // 8
    ]);
    let annotations = lines(&[
        "quotes:",                                           // 1
        "  - text: \"Good: b, b's quote, top\"",             // 2
        "    speaker: s",                                    // 3
        "    note: See [the list](../../speakers/nobody/).", // 4
    ]);
    let root = a_and_b_under_briefs(&article, &annotations, &[]);
    let (run, diags) = check_json_run(root.path());
    run.assert_code(1);
    let broken: Vec<(String, u64, u64, String)> = diags
        .iter()
        .filter(|d| d["code"] == "broken-link")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["help"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let at: Vec<(&str, u64, u64)> = broken.iter().map(|b| (b.0.as_str(), b.1, b.2)).collect();
    assert_eq!(
        at,
        [
            ("content/a.md", 6, 11),
            ("content/a.md", 6, 41),
            ("content/a.md", 7, 19),
            ("content/a.md", 7, 50),
            ("content/a.yaml", 4, 11),
        ],
        "{diags:#?}"
    );
    assert!(
        broken[0].3.contains("did you mean `../b/`?"),
        "{}",
        broken[0].3
    );
    assert!(
        broken[2].3.contains("did you mean `#said`?"),
        "{}",
        broken[2].3
    );
    assert!(
        broken[3].3.contains("did you mean `/briefs/briefings/b/`?"),
        "{}",
        broken[3].3
    );
    assert!(
        diags.iter().all(|d| d["code"] == "broken-link"),
        "{diags:#?}"
    );

    // `build` refuses too, and writes nothing.
    let out = root.path().join("public");
    build(root.path(), &out, &[]).assert_code(1);
    assert!(!out.exists());
}

#[test]
fn absolute_links_under_the_base_url_are_checked_like_relative_ones() {
    let article = lines(&[
        "---",                                               // 1
        "title: A",                                          // 2
        "date: 2024-01-02",                                  // 3
        "source:",                                           // 4
        "  name: Our own archive",                           // 5
        "  url: https://example.org/briefs/briefings/nope/", // 6
        "---",                                               // 7
        "Good: [b](https://example.org/briefs/briefings/b/), [q](http://example.org/briefs/briefings/b/#said),", // 8
        "[c](HTTPS://EXAMPLE.ORG/briefs/briefings/b?ref=x), [home](https://example.org/briefs),", // 9
        "[s](//example.org/briefs/speakers/s/), [logo](https://example.org/briefs/img/logo.png).", // 10
        "Broken: [bb](https://example.org/briefs/briefings/bb/), [id](https://example.org/briefs/briefings/b/#sayd).", // 11
        "Elsewhere: [o](https://example.org/other/), [p](https://example.org:8443/briefs/x/),", // 12
        "[f](ftp://example.org/briefs/x), [e](https://example.org.evil/briefs/x), [r](https://example.org/).", // 13
    ]);
    let annotations = lines(&[
        "quotes:",                                                                // 1
        "  - text: \"Good: b, q, c, home, s, logo\"",                             // 2
        "    speaker: s",                                                         // 3
        "    note: See [the list](https://example.org/briefs/speakers/nobody/).", // 4
    ]);
    let root = a_and_b_under_briefs(&article, &annotations, &[("static/img/logo.png", "png")]);
    let (run, diags) = check_json_run(root.path());
    run.assert_code(1);
    let found: Vec<(&str, &str, u64, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("broken-source-link", "content/a.md", 6, 8),
            ("broken-link", "content/a.md", 11, 14),
            ("broken-link", "content/a.md", 11, 62),
            ("broken-link", "content/a.yaml", 4, 11),
        ],
        "{diags:#?}"
    );
    let help = |i: usize| diags[i]["help"].as_str().unwrap_or("");
    assert!(
        help(1).contains("did you mean `https://example.org/briefs/briefings/b/`?"),
        "{}",
        help(1)
    );
    assert!(help(2).contains("did you mean `#said`?"), "{}", help(2));
    assert_eq!(diags[0]["severity"], "warning");

    // The source alone is only a warning: the site builds.
    let fixed = article
        .replace("briefings/bb/", "briefings/b/")
        .replace("#sayd", "#said");
    write_files(
        root.path(),
        &[
            ("content/a.md", &fixed),
            ("content/a.yaml", &annotations.replace("nobody", "s")),
        ],
    );
    let out = root.path().join("public");
    let run = build_ok(root.path(), &out, &[]);
    assert!(
        run.stderr.contains("warning[broken-source-link]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("0 errors, 1 warning"), "{}", run.stderr);
    // A source that is a file of the site passes.
    let own_file = fixed.replace("briefings/nope/", "img/logo.png");
    write_files(root.path(), &[("content/a.md", &own_file)]);
    assert_eq!(check_json(root.path()), Vec::<Value>::new());
}

/// `a` (with `article` and `annotations`) and `b` (with the quote `said`), by the speaker
/// `s`, under the base URL `https://example.org/briefs/`, with `extra` files.
fn a_and_b_under_briefs(
    article: &str,
    annotations: &str,
    extra: &[(&str, &str)],
) -> tempfile::TempDir {
    let mut files = vec![
        (
            "brief.yaml",
            "title: T\nbase_url: https://example.org/briefs/\n",
        ),
        ("content/speakers.yaml", "s:\n  name: S\n"),
        ("content/a.md", article),
        ("content/a.yaml", annotations),
        (
            "content/b.md",
            "---\ntitle: B\ndate: 2024-01-01\n---\nShe said it twice and more.\n",
        ),
        (
            "content/b.yaml",
            "quotes:\n  - id: said\n    text: She said it twice\n    speaker: s\n",
        ),
    ];
    files.extend_from_slice(extra);
    site(&files)
}

/// Two briefings, `a` linking to `b`.
fn a_links_to_b() -> tempfile::TempDir {
    site(&[
        ("brief.yaml", CONFIG),
        (
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-02\n---\nSee [b](../b/).\n",
        ),
        (
            "content/b.md",
            "---\ntitle: B\ndate: 2024-01-01\n---\nText.\n",
        ),
    ])
}

#[test]
fn serve_reports_links_broken_by_an_edit_to_another_briefing() {
    use brief::serve::site::Served as Workspace;
    let root = a_links_to_b();
    let mut ws = Workspace::new(brief::BuildOptions {
        root: root.path().to_path_buf(),
        ..Default::default()
    });
    let codes = |u: &brief::serve::site::Applied| -> Vec<&'static str> {
        u.report.diagnostics.iter().map(|d| d.code).collect()
    };
    let first = ws.rebuild();
    assert!(codes(&first).is_empty(), "{:?}", first.report.diagnostics);
    // Renaming b's slug breaks a's link, though a did not change.
    write_files(
        root.path(),
        &[(
            "content/b.md",
            "---\ntitle: B\ndate: 2024-01-01\nslug: bee\n---\nText.\n",
        )],
    );
    let edited = ws.apply(&[root.path().join("content/b.md")]);
    assert_eq!(
        codes(&edited),
        ["broken-link"],
        "{:?}",
        edited.report.diagnostics
    );
    let d = &edited.report.diagnostics.0[0];
    assert_eq!(d.file.as_deref(), Some(Path::new("content/a.md")));
    assert_eq!(d.help.as_deref(), Some("did you mean `../bee/`?"));
}

/// `serve` checks again only the links of briefings an edit touched (when no path appeared or
/// went): the other briefings' broken links must still be reported, and every update must
/// report what a fresh check reports.
#[test]
fn serve_keeps_reporting_broken_links_of_briefings_an_edit_did_not_touch() {
    use brief::serve::site::Served as Workspace;
    let root = a_links_to_b();
    let opts = brief::BuildOptions {
        root: root.path().to_path_buf(),
        ..Default::default()
    };
    let mut ws = Workspace::new(opts.clone());
    let found = |u: &brief::serve::site::Applied| -> Vec<(String, Option<PathBuf>)> {
        let d = &u.report.diagnostics;
        d.iter()
            .map(|d| (d.message.clone(), d.file.clone()))
            .collect()
    };
    let fresh = || found(&Workspace::new(opts.clone()).rebuild());
    assert!(found(&ws.rebuild()).is_empty());

    let mut edit = |rel: &str, text: &str| {
        write_files(root.path(), &[(rel, text)]);
        ws.apply(&[root.path().join(rel)])
    };
    let broken = edit(
        "content/b.md",
        "---\ntitle: B\ndate: 2024-01-01\n---\nSee [nowhere](../nowhere/).\n",
    );
    assert_eq!(found(&broken).len(), 1, "{:?}", found(&broken));
    assert_eq!(found(&broken), fresh());

    // An edit elsewhere that moves no page: b's link is not checked again, but still reported.
    let elsewhere = edit(
        "content/a.md",
        "---\ntitle: A\ndate: 2024-01-02\n---\nSee [b](../b/) again.\n",
    );
    assert_eq!(found(&elsewhere), found(&broken));
    assert_eq!(found(&elsewhere), fresh());

    let fixed = edit(
        "content/b.md",
        "---\ntitle: B\ndate: 2024-01-01\n---\nSee [a](../a/).\n",
    );
    assert!(found(&fixed).is_empty(), "{:?}", found(&fixed));
}

fn display(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Fragments are checked against the ids of the page they point into: an annotation id
/// resolves, a missing one is a `broken-link` at the line of the link.
#[test]
fn fragment_links_resolve_to_annotation_ids() {
    let article =
        |title: &str, body: &str| format!("---\ntitle: {title}\ndate: 2024-01-01\n---\n{body}\n");
    let site = common::site(&[
        ("brief.yaml", "title: T\nbase_url: https://example.org/\n"),
        ("content/speakers.yaml", "m:\n  name: M\n"),
        (
            "content/a.md",
            &article("A", "The minister said the plan stands firm today."),
        ),
        (
            "content/a.yaml",
            "quotes:\n  - id: firm\n    text: the plan stands firm today\n    speaker: m\n",
        ),
        (
            "content/b.md",
            &article(
                "B",
                "See [the quote](../a/#firm).\n\nAnd [this one](../a/#gone).",
            ),
        ),
    ]);
    let diags = common::check_json(site.path());
    let broken: Vec<_> = diags
        .iter()
        .filter(|d| d["code"] == "broken-link")
        .collect();
    assert_eq!(broken.len(), 1, "{diags:#?}");
    assert_eq!(broken[0]["file"], "content/b.md");
    assert_eq!(broken[0]["line"], 7);
    assert!(broken[0]["message"].as_str().unwrap().contains("gone"));
}

#[test]
fn new_site_and_new_briefing_never_write_through_a_link_out_of_the_site() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, away) = (tmp.path().join("site"), tmp.path().join("away"));
    fs::create_dir_all(&root).unwrap();
    fs::create_dir_all(&away).unwrap();
    // The new site's content/ folder is a link to a folder outside it.
    std::os::unix::fs::symlink(&away, root.join("content")).unwrap();
    let run = brief(&["new", "site", &path_str(&root)]);
    run.assert_code(1);
    assert!(run.stderr.contains("symlink-outside"), "{}", run.stderr);
    assert!(
        fs::read_dir(&away).unwrap().next().is_none(),
        "written outside"
    );

    // A site whose content/ holds a link to a folder outside: a folder briefing there.
    fs::remove_file(root.join("content")).unwrap();
    brief(&["new", "site", &path_str(&root)]).assert_code(0);
    std::os::unix::fs::symlink(&away, root.join("content/summit-day")).unwrap();
    let r = path_str(&root);
    let run = brief(&["new", "briefing", "Summit day", "--folder", "--root", &r]);
    run.assert_code(1);
    assert!(
        fs::read_dir(&away).unwrap().next().is_none(),
        "written outside"
    );
}

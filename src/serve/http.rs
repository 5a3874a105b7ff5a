//! The HTTP side of `serve`: maps request paths to the output table and answers.
//!
//! Only what the current [`Snapshot`] lists is ever served: rendered pages from memory, and
//! copied files from their source inside the site root. A request path is percent-decoded
//! one segment at a time and refused (400) when a segment is empty, `.` or `..`, or holds a
//! slash, a backslash, NUL or another control character, however it was encoded; so no
//! request can name anything the table does not hold. Every HTML answer ends with the live
//! reload script ([`live::script`]), and [`EVENTS_PATH`] answers its event stream. This
//! module must not print, must not build, and must not read any file that is not a copy
//! listed in the table (and inside the site root once symlinks are resolved). It never
//! blocks the runtime, and never waits for a rebuild: files are read on a blocking thread,
//! and the snapshot's lock is only held for a lookup.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::Sse;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use super::live::{self, Live};
use super::snapshot::{Entry, Snapshot};

/// Where pages listen for reload events (Server-Sent Events).
pub const EVENTS_PATH: &str = "/_brief/livereload/event-stream";

pub type Shared = Arc<RwLock<Snapshot>>;

/// What the handlers answer from: the output table, and the live-reload state.
#[derive(Clone)]
pub struct App {
    pub snapshot: Shared,
    pub live: Arc<Live>,
}

/// The whole application: the output table, the live-reload event stream, and a no-store
/// cache policy.
pub fn router(app: App) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .fallback(handle)
        .with_state(app)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// The event stream of a page showing build `?since=N` (the build shown now, without it).
async fn events(State(app): State<App>, uri: Uri) -> impl IntoResponse {
    let since = uri
        .query()
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("since="))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| app.live.current());
    Sse::new(app.live.events(since))
}

/// What a request resolves to, decided under the snapshot's lock.
enum Outcome {
    BadRequest,
    Redirect(String),
    Found(Bytes, &'static str),
    File(PathBuf, PathBuf, &'static str),
    NotFound(Option<Bytes>),
    Overlay(Bytes),
}

async fn handle(State(app): State<App>, method: Method, headers: HeaderMap, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and HEAD are served\n",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let (outcome, generation) = {
        let snap = app.snapshot.read().unwrap_or_else(|e| e.into_inner());
        (resolve(&snap, &uri, wants_html(&headers)), snap.generation)
    };
    let mut response = match outcome {
        Outcome::BadRequest => text(StatusCode::BAD_REQUEST, "bad request path\n"),
        Outcome::Redirect(to) => redirect(&to),
        Outcome::Found(bytes, ctype) => respond(StatusCode::OK, ctype, bytes),
        Outcome::Overlay(bytes) => respond(StatusCode::INTERNAL_SERVER_ERROR, HTML, bytes),
        Outcome::NotFound(page) => not_found(page),
        Outcome::File(root, src, ctype) => {
            let read = tokio::task::spawn_blocking(move || read_confined(&root, &src)).await;
            match read {
                Ok(Some(bytes)) => respond(StatusCode::OK, ctype, Bytes::from(bytes)),
                _ => {
                    let page = {
                        let snap = app.snapshot.read().unwrap_or_else(|e| e.into_inner());
                        not_found_page(&snap)
                    };
                    not_found(page)
                }
            }
        }
    };
    if response.headers().get(header::CONTENT_TYPE) == Some(&HeaderValue::from_static(HTML)) {
        response = with_script(response, live::script(EVENTS_PATH, generation));
    }
    response
}

/// Appends the live-reload script to an HTML answer, without copying the page.
fn with_script(response: Response, script: Bytes) -> Response {
    let (mut parts, body) = response.into_parts();
    let length = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(length) = length {
        parts.headers.insert(
            header::CONTENT_LENGTH,
            HeaderValue::from(length + script.len()),
        );
    }
    let tail = futures_util::stream::once(async move { Ok::<Bytes, axum::Error>(script) });
    let body = Body::from_stream(futures_util::StreamExt::chain(
        body.into_data_stream(),
        tail,
    ));
    Response::from_parts(parts, body)
}

fn resolve(snap: &Snapshot, uri: &Uri, html: bool) -> Outcome {
    let raw = uri.path();
    let Some((segments, trailing)) = decode_path(raw) else {
        return Outcome::BadRequest;
    };
    let base: Vec<String> = snap
        .base_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode(s).unwrap_or_else(|| s.to_string()))
        .collect();
    let inside = segments.len() >= base.len() && segments.iter().zip(&base).all(|(a, b)| a == b);
    if !inside {
        // `/` leads to the front page when the site lives below a base path.
        if segments.is_empty() {
            return Outcome::Redirect(snap.base_path.clone());
        }
        return not_found_outcome(snap, html);
    }
    let rest = &segments[base.len()..];
    if rest.is_empty() && !trailing {
        // `/briefs` -> `/briefs/`, so that relative links resolve.
        return Outcome::Redirect(snap.base_path.clone());
    }
    let mut rel: PathBuf = rest.iter().collect();
    let is_dir = trailing || rest.is_empty();
    if is_dir {
        rel.push("index.html");
    }
    let ctype = content_type(&rel);
    if let Some(overlay) = &snap.overlay
        && (html || ctype == HTML)
    {
        return Outcome::Overlay(overlay.clone());
    }
    match snap.get(&rel) {
        Some(Entry::Page(bytes)) => Outcome::Found(bytes, ctype),
        Some(Entry::File(src)) => Outcome::File(snap.root.clone(), src, ctype),
        None if !is_dir && snap.contains(&rel.join("index.html")) => {
            let mut to = format!("{raw}/");
            if let Some(q) = uri.query() {
                to.push('?');
                to.push_str(q);
            }
            Outcome::Redirect(to)
        }
        None => not_found_outcome(snap, html),
    }
}

fn not_found_outcome(snap: &Snapshot, html: bool) -> Outcome {
    match &snap.overlay {
        Some(overlay) if html => Outcome::Overlay(overlay.clone()),
        _ => Outcome::NotFound(not_found_page(snap)),
    }
}

fn not_found_page(snap: &Snapshot) -> Option<Bytes> {
    match snap.get(Path::new("404.html")) {
        Some(Entry::Page(bytes)) => Some(bytes),
        _ => None,
    }
}

/// Does the client want a page (a browser navigating), rather than a stylesheet or data?
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Splits a raw request path into percent-decoded segments, and says whether it ends with
/// `/`. `None` when the path is malformed or a segment could step outside its folder.
pub(crate) fn decode_path(raw: &str) -> Option<(Vec<String>, bool)> {
    let rest = raw.strip_prefix('/')?;
    if rest.is_empty() {
        return Some((Vec::new(), true));
    }
    let (body, trailing) = match rest.strip_suffix('/') {
        Some(b) => (b, true),
        None => (rest, false),
    };
    let mut segments = Vec::new();
    for raw_segment in body.split('/') {
        let s = percent_decode(raw_segment)?;
        if s.is_empty()
            || s == "."
            || s == ".."
            || s.contains(['/', '\\'])
            || s.chars().any(char::is_control)
        {
            return None;
        }
        segments.push(s);
    }
    Some((segments, trailing))
}

/// `%XX` escapes to bytes; the result must be UTF-8. `None` on a broken escape.
fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_string());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Reads a copied file if, with every symlink resolved, it still lies inside the site.
fn read_confined(root: &Path, src: &Path) -> Option<Vec<u8>> {
    let real = src.canonicalize().ok()?;
    if !real.starts_with(root) || !real.is_file() {
        return None;
    }
    std::fs::read(real).ok()
}

const HTML: &str = "text/html; charset=utf-8";

/// The media type of an output file, by its extension.
pub(crate) fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => HTML,
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("jsonld") => "application/ld+json",
        // The site's Atom feed.
        Some("xml") if path.file_stem().is_some_and(|s| s == "feed" || s == "atom") => {
            "application/atom+xml"
        }
        Some("xml") => "application/xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("ico") => "image/vnd.microsoft.icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        Some("otf") => "font/otf",
        Some("pdf") => "application/pdf",
        Some("mp3") => "audio/mpeg",
        Some("ogg") => "audio/ogg",
        Some("mp4") => "video/mp4",
        Some("webm") => "video/webm",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

fn respond(status: StatusCode, ctype: &'static str, body: Bytes) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    // Set explicitly so that HEAD answers carry it too (live reload adds its script's length).
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    *r.body_mut() = Body::from(body);
    r
}

fn text(status: StatusCode, msg: &'static str) -> Response {
    respond(
        status,
        "text/plain; charset=utf-8",
        Bytes::from_static(msg.as_bytes()),
    )
}

fn not_found(page: Option<Bytes>) -> Response {
    match page {
        Some(bytes) => respond(StatusCode::NOT_FOUND, HTML, bytes),
        None => respond(
            StatusCode::NOT_FOUND,
            HTML,
            Bytes::from_static(
                b"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><h1>Not found</h1></body></html>\n",
            ),
        ),
    }
}

fn redirect(to: &str) -> Response {
    let mut r = text(StatusCode::FOUND, "redirecting\n");
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(raw: &str) -> Option<Vec<String>> {
        decode_path(raw).map(|(s, _)| s)
    }

    #[test]
    fn paths_that_could_leave_the_output_are_refused() {
        for raw in [
            "/../brief.yaml",
            "/%2e%2e/brief.yaml",
            "/%2E%2E/brief.yaml",
            "/..%2fbrief.yaml",
            "/..%2Fbrief.yaml",
            "/%2e%2e%2fcontent/speakers.yaml",
            "/a/./b",
            "/a/%2e/b",
            "//etc/passwd",
            "/%2fetc%2fpasswd",
            "/..\\brief.yaml",
            "/..%5cbrief.yaml",
            "/a%00b",
            "/a%0ab",
            "/%zz",
            "/%4",
            "/%ff%fe",
            "relative/path",
            "",
            "/a//b",
        ] {
            assert_eq!(segs(raw), None, "{raw} accepted");
        }
    }

    #[test]
    fn ordinary_paths_decode() {
        assert_eq!(decode_path("/"), Some((vec![], true)));
        assert_eq!(
            decode_path("/briefings/x/"),
            Some((vec!["briefings".into(), "x".into()], true))
        );
        assert_eq!(
            decode_path("/a%20b/caf%C3%A9.html"),
            Some((vec!["a b".into(), "café.html".into()], false))
        );
        assert_eq!(segs("/..a/b..c"), Some(vec!["..a".into(), "b..c".into()]));
    }

    fn outcome(snap: &Snapshot, uri: &str, html: bool) -> String {
        match resolve(snap, &uri.parse().unwrap(), html) {
            Outcome::BadRequest => "400".into(),
            Outcome::Redirect(to) => format!("302 {to}"),
            Outcome::Found(b, _) => format!("200 {}", String::from_utf8_lossy(&b)),
            Outcome::File(..) => "file".into(),
            Outcome::NotFound(_) => "404".into(),
            Outcome::Overlay(_) => "overlay".into(),
        }
    }

    #[test]
    fn requests_resolve_below_the_base_path_only() {
        let mut snap = Snapshot::new(Path::new("/nonexistent"), "/my%20briefs/".into());
        let page = |t: &'static str| Entry::Page(Bytes::from_static(t.as_bytes()));
        snap.set(
            [
                ("index.html", page("front")),
                ("briefings/x/index.html", page("x")),
                ("404.html", page("missing")),
            ]
            .into_iter()
            .map(|(p, e)| (PathBuf::from(p), e))
            .collect(),
        );
        assert_eq!(outcome(&snap, "/", true), "302 /my%20briefs/");
        assert_eq!(outcome(&snap, "/my%20briefs", true), "302 /my%20briefs/");
        assert_eq!(outcome(&snap, "/my%20briefs/", true), "200 front");
        assert_eq!(outcome(&snap, "/my%20briefs/index.html", true), "200 front");
        assert_eq!(
            outcome(&snap, "/my%20briefs/briefings/x?a=1", true),
            "302 /my%20briefs/briefings/x/?a=1"
        );
        assert_eq!(outcome(&snap, "/my%20briefs/briefings/x/", false), "200 x");
        assert_eq!(outcome(&snap, "/index.html", true), "404");
        assert_eq!(outcome(&snap, "/my%20briefs/nope/", true), "404");
        assert_eq!(outcome(&snap, "/my%20briefs/../index.html", true), "400");

        // While the site has errors, pages give way to the overlay; other files do not.
        snap.overlay = Some(Bytes::from_static(b"errors"));
        assert_eq!(
            outcome(&snap, "/my%20briefs/briefings/x/", false),
            "overlay"
        );
        assert_eq!(outcome(&snap, "/my%20briefs/nope", true), "overlay");
        assert_eq!(outcome(&snap, "/my%20briefs/nope.css", false), "404");
    }

    #[test]
    fn content_types_by_extension() {
        for (p, t) in [
            ("index.html", HTML),
            ("x/annotations.jsonld", "application/ld+json"),
            ("style.0a1b.css", "text/css; charset=utf-8"),
            ("brief.0a1b.js", "text/javascript; charset=utf-8"),
            ("feed.xml", "application/atom+xml"),
            ("sitemap.xml", "application/xml"),
            ("a.PNG", "image/png"),
            ("f.woff2", "font/woff2"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(p)), t, "{p}");
        }
    }
}

//! `brief import` through the binary: the front matter and body it writes from real saved
//! pages (tests/import, trimmed from Readability's test suite), a declared legacy charset, the
//! images of a folder briefing, and every refusal (no article, not HTML, too large, too deep,
//! unknown charset, no date, an existing file, a link out of the site), each of which must
//! leave the site exactly as it was. `quality` measures it on the whole suite (ignored
//! unless pointed at a copy).

mod quality;

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// A saved page shipped under tests/import.
fn page(name: &str) -> String {
    path_str(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/import")
            .join(name),
    )
}

/// A new site with a content folder and nothing in it.
fn empty_site() -> tempfile::TempDir {
    site(&[("brief.yaml", CONFIG), ("content/.keep", "")])
}

fn import(root: &Path, page: &str, extra: &[&str]) -> Run {
    let root = path_str(root);
    let mut args = vec!["import", "--root", &root, page];
    args.extend_from_slice(extra);
    brief(&args)
}

/// The article `import` wrote: its front matter (as brief reads it) and its body.
fn written(root: &Path, rel: &str) -> (brief::input::FrontMatter, String) {
    let text =
        fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel} was not written: {e}"));
    front_and_body(&text)
}

/// An article's front matter (as brief reads it) and body.
fn front_and_body(text: &str) -> (brief::input::FrontMatter, String) {
    let rest = text.strip_prefix("---\n").expect("front matter first");
    let end = rest.find("\n---\n").expect("front matter closed");
    let fm = brief::yaml::parse(&rest[..end + 1], Path::new("article.md"), 1)
        .unwrap_or_else(|d| panic!("the front matter does not read back: {d:?}\n{text}"));
    (fm, rest[end + 5..].to_string())
}

/// Errors and warnings of `brief check` on the site.
fn errors(root: &Path) -> Vec<Value> {
    check_json(root)
        .into_iter()
        .filter(|d| d["severity"] == "error")
        .collect()
}

/// Asserts that `words` occur in `text` in this order.
#[track_caller]
fn assert_in_order(text: &str, words: &[&str]) {
    let mut from = 0;
    for w in words {
        match text[from..].find(w) {
            Some(i) => from += i + w.len(),
            None => panic!("{w:?} is missing or out of order in:\n{text}"),
        }
    }
}

/// A refused import: exit 1, the code in the output with a `help:`.
#[track_caller]
fn assert_error(run: &Run, code: &str) {
    run.assert_code(1);
    assert!(
        run.stderr.contains(&format!("error[{code}]")) && run.stderr.contains("help:"),
        "expected {code}:\n{}",
        run.stderr
    );
}

/// A refused import into an empty site, which stays empty.
#[track_caller]
fn assert_refused(root: &Path, run: &Run, code: &str) {
    assert_error(run, code);
    let files: Vec<PathBuf> = snapshot(&root.join("content")).into_keys().collect();
    assert_eq!(files, [PathBuf::from(".keep")], "nothing may be written");
}

/// A refused import that leaves `content/` as it was.
#[track_caller]
fn assert_refused_leaving(root: &Path, before: &Snapshot, run: &Run, code: &str) {
    assert_error(run, code);
    assert_same_snapshot(before, &snapshot(&root.join("content")), "a refused import");
}

type Snapshot = std::collections::BTreeMap<PathBuf, Vec<u8>>;

#[test]
fn a_bbc_page_becomes_a_briefing_that_checks_clean() {
    let dir = empty_site();
    let run = import(dir.path(), &page("bbc-obama.html"), &[]);
    run.assert_code(0);
    let rel = "content/obama-admits-us-gun-laws-are-his-biggest-frustration.md";
    assert!(
        run.stderr
            .contains(&format!("next: brief suggest {rel} --write")),
        "{}",
        run.stderr
    );
    let (fm, body) = written(dir.path(), rel);
    // The title without " - BBC News", the date from the JSON-LD, the canonical address.
    assert_eq!(
        fm.title.unwrap().value,
        "Obama admits US gun laws are his 'biggest frustration'"
    );
    assert_eq!(fm.date.unwrap().value, "2015-07-24");
    let source = fm.source.unwrap();
    assert_eq!(source.name, "BBC News");
    assert_eq!(
        source.url.unwrap().value,
        "http://www.bbc.com/news/world-us-canada-33646704"
    );
    assert_eq!(
        fm.summary.as_deref(),
        Some(
            "President Barack Obama tells the BBC his failure to pass \"common sense gun safety laws\" is the greatest frustration of his presidency."
        )
    );
    // The byline is the site's own name, which is no author.
    assert_eq!(fm.author, None);
    assert_in_order(
        &body,
        &[
            "President Barack Obama has admitted that his failure to pass \"common sense gun safety laws\"",
            "## Kenya trip",
            "Mr Obama was speaking to the BBC at the White House",
        ],
    );
    // Navigation, share buttons and related links are left behind.
    for chrome in [
        "Share this story",
        "About sharing",
        "WhatsApp",
        "More on this story",
        "Obama urges UK to stay in European Union",
        "View comments",
    ] {
        assert!(
            !body.contains(chrome),
            "{chrome:?} is not the article:\n{body}"
        );
    }
    // Links and images point at absolute addresses; no raw HTML.
    assert!(body.contains("](http://www.bbc.co.uk/news/uk-politics-33647154)"));
    assert!(body.contains("![") && !body.contains("](/"), "{body}");
    assert!(!body.contains('<') || body.contains("\\<"), "{body}");
    assert_eq!(errors(dir.path()), Vec::<Value>::new());
    let out = dir.path().join("public");
    build_ok(dir.path(), &out, &[]);
}

#[test]
fn a_windows_1252_page_is_decoded_and_its_author_shown() {
    let dir = empty_site();
    let run = import(dir.path(), &page("liberation-nepal-windows-1252.html"), &[]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("read as windows-1252"),
        "{}",
        run.stderr
    );
    // Its Dailymotion player cannot be Markdown, and the report says so.
    assert!(
        run.stderr
            .contains("warning[media-left-out]: 1 embedded player"),
        "{}",
        run.stderr
    );
    let rel = "content/un-troisieme-francais-mort-dans-le-seisme-au-nepal.md";
    let (fm, body) = written(dir.path(), rel);
    assert_eq!(
        fm.title.unwrap().value,
        "Un troisième Français mort dans le séisme au Népal"
    );
    assert_eq!(fm.date.unwrap().value, "2015-04-30");
    assert_eq!(fm.source.unwrap().name, "Libération.fr");
    assert_eq!(fm.author.as_deref(), Some("AFP"));
    assert_in_order(
        &body,
        &[
            "Un troisième Français a été tué dans le tremblement de terre samedi au Népal",
            "*«d’encore plus de 200»* personnes",
            "L’appareil, mis à disposition par Airbus",
        ],
    );
    for chrome in [
        "Recevoir la newsletter",
        "Politique",
        "Sur le même sujet",
        "Imprimer",
    ] {
        assert!(
            !body.contains(chrome),
            "{chrome:?} is not the article:\n{body}"
        );
    }
    // The author is on the page (built natively in the binary, and compared with Tera's
    // rendering in debug builds).
    let out = dir.path().join("public");
    build_ok(dir.path(), &out, &[]);
    let html = fs::read_to_string(
        out.join("briefings/un-troisieme-francais-mort-dans-le-seisme-au-nepal/index.html"),
    )
    .unwrap();
    assert!(
        html.contains("<p class=\"byline\"><span>By AFP</span><span>Source: "),
        "{html}"
    );
}

#[test]
fn an_existing_briefing_is_never_overwritten() {
    let dir = empty_site();
    import(dir.path(), &page("bbc-obama.html"), &[]).assert_code(0);
    let before = snapshot(&dir.path().join("content"));
    let again = import(dir.path(), &page("bbc-obama.html"), &[]);
    assert_refused_leaving(dir.path(), &before, &again, "file-exists");
    // Another slug is another briefing; the same slug as a folder briefing is refused too.
    import(
        dir.path(),
        &page("bbc-obama.html"),
        &["--slug", "obama-guns"],
    )
    .assert_code(0);
    assert!(dir.path().join("content/obama-guns.md").is_file());
    let folder = import(
        dir.path(),
        &page("bbc-obama.html"),
        &["--slug", "obama-guns", "--folder"],
    );
    folder.assert_code(1);
    assert!(
        folder.stderr.contains("error[file-exists]"),
        "{}",
        folder.stderr
    );
}

#[test]
fn pages_that_are_not_articles_are_refused_and_nothing_is_written() {
    let dir = empty_site();
    let tmp = tempfile::tempdir().unwrap();
    let list = import(dir.path(), &page("list-page.html"), &[]);
    assert_refused(dir.path(), &list, "no-article");

    for (name, bytes, code) in [
        (
            "report.pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
            "not-html",
        ),
        (
            "page.html.gz",
            b"\x1f\x8b\x08\x00\x00\x00".to_vec(),
            "not-html",
        ),
        (
            "photo.html",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            "not-html",
        ),
        (
            "latin1.html",
            b"<html><body><p>Caf\xe9 au lait</p></body></html>".to_vec(),
            "unknown-charset",
        ),
        (
            "klingon.html",
            b"<html><head><meta charset=\"klingon\"></head><body><p>x</p></body></html>".to_vec(),
            "unknown-charset",
        ),
        (
            "deep.html",
            format!("<html><body>{}x</body></html>", "<div>".repeat(5000)).into_bytes(),
            "page-too-deep",
        ),
    ] {
        let path = tmp.path().join(name);
        fs::write(&path, bytes).unwrap();
        let run = import(dir.path(), &path_str(&path), &[]);
        assert_refused(dir.path(), &run, code);
    }
    // The position of the first byte that is not UTF-8.
    let run = import(dir.path(), &path_str(&tmp.path().join("latin1.html")), &[]);
    assert!(run.stderr.contains("latin1.html:1:"), "{}", run.stderr);

    let missing = import(dir.path(), &path_str(&tmp.path().join("nope.html")), &[]);
    assert_refused(dir.path(), &missing, "io-error");
}

#[test]
fn a_page_over_the_size_limit_is_refused_before_it_is_parsed() {
    let dir = empty_site();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("huge.html");
    let limit = brief::import::MAX_PAGE_BYTES as usize;
    let mut page = b"<html><body>".to_vec();
    page.resize(limit + 1, b' ');
    fs::write(&path, page).unwrap();
    let started = std::time::Instant::now();
    let run = import(dir.path(), &path_str(&path), &[]);
    assert_refused(dir.path(), &run, "page-too-large");
    assert!(started.elapsed().as_secs() < 10, "refused quickly");
}

/// An invented article (written for these tests), with the metadata a news page has, minus
/// what `meta` leaves out.
fn article(head: &str, figure: &str) -> String {
    let para = "The council met on Tuesday evening and, after a long debate about the cost of the \
                repairs, the state of the arches and the needs of the cyclists who cross the river \
                every morning, voted to reopen the Old Bridge before the first week of September.";
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Bridge to reopen | Rivertown Gazette</title>\
         <meta property=\"og:site_name\" content=\"Rivertown Gazette\">\
         <meta property=\"og:title\" content=\"Bridge to reopen | Rivertown Gazette\">{head}</head><body>\
         <nav><a href=\"/\">Front page</a> <a href=\"/sport\">Sport pages</a></nav>\
         <article><h1>Bridge to reopen</h1><p>{para}</p>{figure}<p>{para}</p><p>{para}</p><p>{para}</p></article>\
         <footer>Copyright the Rivertown Gazette</footer></body></html>"
    )
}

#[test]
fn the_date_comes_from_the_page_or_from_date_and_otherwise_is_an_error() {
    let dir = empty_site();
    let tmp = tempfile::tempdir().unwrap();
    let undated = tmp.path().join("undated.html");
    fs::write(&undated, article("", "")).unwrap();
    let run = import(dir.path(), &path_str(&undated), &[]);
    assert_refused(dir.path(), &run, "missing-date");
    assert!(run.stderr.contains("--date"), "{}", run.stderr);
    let bad = import(dir.path(), &path_str(&undated), &["--date", "2024-02-30"]);
    assert_refused(dir.path(), &bad, "invalid-date");
    import(dir.path(), &path_str(&undated), &["--date", "2024-05-14"]).assert_code(0);
    let (fm, body) = written(dir.path(), "content/bridge-to-reopen.md");
    assert_eq!(fm.date.unwrap().value, "2024-05-14");
    assert_eq!(fm.title.unwrap().value, "Bridge to reopen");
    // No address anywhere: the source is the site's name alone, and relative links lose
    // their link but keep their words.
    let source = fm.source.unwrap();
    assert_eq!(
        (source.name.as_str(), source.url),
        ("Rivertown Gazette", None)
    );
    assert!(
        !body.contains("Front page") && !body.contains("Copyright"),
        "{body}"
    );

    // A page's own date wins over --date, with a warning; `<time datetime>` counts.
    let dated = tmp.path().join("dated.html");
    fs::write(
        &dated,
        article(
            "",
            "<p><time datetime=\"2024-06-01T09:00:00+02:00\">1 June</time></p>",
        ),
    )
    .unwrap();
    let run = import(
        dir.path(),
        &path_str(&dated),
        &["--date", "2024-05-14", "--slug", "dated"],
    );
    run.assert_code(0);
    assert!(
        run.stderr.contains("warning[date-not-used]"),
        "{}",
        run.stderr
    );
    assert_eq!(
        written(dir.path(), "content/dated.md")
            .0
            .date
            .unwrap()
            .value,
        "2024-06-01"
    );
}

#[test]
fn url_overrides_the_canonical_address_and_bad_arguments_are_refused() {
    let dir = empty_site();
    let run = import(
        dir.path(),
        &page("bbc-obama.html"),
        &[
            "--url",
            "https://www.bbc.co.uk/news/world-us-canada-33646704",
            "--slug",
            "guns",
        ],
    );
    run.assert_code(0);
    let (fm, _) = written(dir.path(), "content/guns.md");
    assert_eq!(
        fm.source.unwrap().url.unwrap().value,
        "https://www.bbc.co.uk/news/world-us-canada-33646704"
    );
    let dir = empty_site();
    let bad_url = import(
        dir.path(),
        &page("bbc-obama.html"),
        &["--url", "javascript:alert(1)"],
    );
    assert_refused(dir.path(), &bad_url, "invalid-url");
    let bad_slug = import(
        dir.path(),
        &page("bbc-obama.html"),
        &["--slug", "Obama Guns"],
    );
    assert_refused(dir.path(), &bad_slug, "invalid-slug");
    assert!(
        bad_slug.stderr.contains("--slug obama-guns"),
        "{}",
        bad_slug.stderr
    );
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

/// A page saved with its images, as a browser does: `Story.html` and `Story_files/`, plus an
/// SVG with a script, a link out of the folder and a file outside it.
fn saved_page_with_images(tmp: &Path) -> PathBuf {
    let saved = tmp.join("Downloads");
    fs::create_dir_all(saved.join("Story_files")).unwrap();
    fs::write(saved.join("Story_files/Bridge Photo.JPG"), PNG).unwrap();
    fs::write(
        saved.join("Story_files/logo.svg"),
        "<svg onload=\"alert(1)\"/>",
    )
    .unwrap();
    fs::write(tmp.join("private.png"), PNG).unwrap();
    std::os::unix::fs::symlink(
        tmp.join("private.png"),
        saved.join("Story_files/linked.png"),
    )
    .unwrap();
    let figure = "<figure><img src=\"./Story_files/Bridge%20Photo.JPG\" alt=\"The bridge\">\
                  <figcaption>The Old Bridge in May</figcaption></figure>\
                  <p><img src=\"Story_files/logo.svg\" alt=\"logo\"><img src=\"../private.png\" alt=\"p\">\
                  <img src=\"Story_files/linked.png\" alt=\"l\"><img src=\"https://cdn.example/map.png\" alt=\"Map\"></p>";
    let page = saved.join("Story.html");
    fs::write(
        &page,
        article(
            "<meta property=\"article:published_time\" content=\"2024-05-14T08:00:00Z\">",
            figure,
        ),
    )
    .unwrap();
    page
}

#[test]
fn folder_imports_copy_the_saved_images_that_are_safe() {
    let dir = empty_site();
    let tmp = tempfile::tempdir().unwrap();
    let page = saved_page_with_images(tmp.path());

    // Without --folder, files beside the page are left out, and the warning says how.
    let run = import(dir.path(), &path_str(&page), &["--slug", "linked"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("warning[image-left-out]") && run.stderr.contains("--folder"),
        "{}",
        run.stderr
    );
    let (_, body) = written(dir.path(), "content/linked.md");
    assert!(
        body.contains("![Map](https://cdn.example/map.png)"),
        "{body}"
    );
    assert!(!body.contains("Story_files"), "{body}");

    let run = import(dir.path(), &path_str(&page), &["--folder"]);
    run.assert_code(0);
    let folder = dir.path().join("content/bridge-to-reopen");
    let mut names: Vec<String> = fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Only the real image inside the page's folder, under a safe name and its true type.
    assert_eq!(names, ["bridge-photo.png", "index.md"]);
    assert_eq!(fs::read(folder.join("bridge-photo.png")).unwrap(), PNG);
    let (_, body) = written(dir.path(), "content/bridge-to-reopen/index.md");
    assert_in_order(
        &body,
        &[
            "![The bridge](bridge-photo.png)",
            "The Old Bridge in May",
            "![Map](https://cdn.example/map.png)",
        ],
    );
    for why in [
        "left out (not a PNG, JPEG",
        "2 images left out (outside the page's folder)",
    ] {
        assert!(run.stderr.contains(why), "{why}: {}", run.stderr);
    }
    assert_eq!(errors(dir.path()), Vec::<Value>::new());
    let out = dir.path().join("public");
    build_ok(dir.path(), &out, &[]);
    assert!(
        out.join("briefings/bridge-to-reopen/bridge-photo.png")
            .is_file()
    );
}

#[test]
fn a_link_out_of_the_site_is_never_written_through() {
    let dir = empty_site();
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, dir.path().join("content/evil")).unwrap();
    let page = saved_page_with_images(tmp.path());
    let run = import(
        dir.path(),
        &path_str(&page),
        &["--folder", "--slug", "evil"],
    );
    run.assert_code(1);
    assert!(
        run.stderr.contains("error[symlink-outside]"),
        "{}",
        run.stderr
    );
    assert!(
        fs::read_dir(&outside).unwrap().next().is_none(),
        "nothing written outside"
    );
}

#[test]
fn an_import_that_would_not_check_clean_is_taken_back() {
    // Another briefing already has the slug the title gives, by its front matter.
    let dir = site(&[
        ("brief.yaml", CONFIG),
        (
            "content/older.md",
            "---\ntitle: Older\ndate: 2024-01-01\nslug: obama-admits-us-gun-laws-are-his-biggest-frustration\n---\nText.\n",
        ),
    ]);
    let before = snapshot(&dir.path().join("content"));
    let run = import(dir.path(), &page("bbc-obama.html"), &[]);
    assert_refused_leaving(dir.path(), &before, &run, "import-check-failed");
    assert!(
        run.stderr.contains("error[duplicate-slug]"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_folder_import_that_would_not_check_clean_leaves_no_folder_behind() {
    let dir = site(&[
        ("brief.yaml", CONFIG),
        (
            "content/older.md",
            "---\ntitle: Older\ndate: 2024-01-01\nslug: bridge-to-reopen\n---\nText.\n",
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let page = saved_page_with_images(tmp.path());
    let before = snapshot(&dir.path().join("content"));
    let run = import(dir.path(), &path_str(&page), &["--folder"]);
    assert_refused_leaving(dir.path(), &before, &run, "import-check-failed");
    assert!(!dir.path().join("content/bridge-to-reopen").exists());
}

#[test]
fn errors_elsewhere_in_the_site_do_not_stop_an_import() {
    let dir = site(&[
        ("brief.yaml", CONFIG),
        ("content/broken.md", "---\ntitle: Broken\n---\nNo date.\n"),
    ]);
    let run = import(dir.path(), &page("bbc-obama.html"), &["--slug", "guns"]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("the site has 1 error elsewhere: run brief check")
            && !run.stderr.contains("missing-field"),
        "{}",
        run.stderr
    );
    assert!(dir.path().join("content/guns.md").is_file());
}

#[test]
fn outside_a_site_import_says_how_to_start_one() {
    let tmp = tempfile::tempdir().unwrap();
    let run = import(tmp.path(), &page("bbc-obama.html"), &[]);
    run.assert_code(1);
    assert!(run.stderr.contains("error[missing-config]") && run.stderr.contains("brief new site"));
    assert!(
        fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing was written"
    );
}

#[test]
fn import_help_describes_every_option() {
    let run = brief(&["import", "--help"]);
    run.assert_code(0);
    for option in [
        "PAGE.html",
        "--url",
        "--date",
        "--slug",
        "--folder",
        "brief suggest",
    ] {
        assert!(run.stdout.contains(option), "{option}:\n{}", run.stdout);
    }
}

//! The output contract (FORMAT.md, "What a build writes"), checked on the fixture sites under
//! tests/fixtures and on the repository's own sample site, through the `brief` binary.
//!
//! Every build goes to a temporary output folder, so the fixtures stay clean and each test sees
//! only its own output.

use crate::common;

use std::fs;
use std::path::Path;

use common::*;
use tempfile::TempDir;

/// Builds `root` into a fresh temporary folder (`<tmp>/out`, which does not exist yet, so the
/// build must create it) and requires exit 0.
fn build_fresh(root: &Path, extra: &[&str]) -> (TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build_ok(root, &out, extra);
    (tmp, out)
}

/// The fixture sites under tests/fixtures.
const FIXTURES: [&str; 3] = ["markdown", "anchoring", "overlap"];

/// What every page of a clean build of `root` must satisfy: every page is well-formed, every
/// mark honours the data-ann contract, and every annotations.jsonld is a Web Annotation
/// collection with a TextQuoteSelector per annotation. (That the pages exist at all is
/// [`fixtures_write_every_promised_file`]'s job, so one missing feature does not hide another.)
fn full_contract(root: &Path) {
    let (_tmp, out) = build_fresh(root, &[]);
    assert_all_html_well_formed(&out);
    let checked = check_data_ann_contract(root, &out);
    let expected: usize = published(root, false)
        .iter()
        .map(|b| b.annotations().len())
        .sum();
    assert_eq!(checked, expected, "every annotation was checked");
    for briefing in published(root, false) {
        check_annotations_jsonld(&out, &briefing);
    }
}

#[test]
fn fixtures_write_every_promised_file() {
    // index, 404, feed, sitemap, speaker and question lists, and a page per briefing, speaker
    // (site-wide and local) and question, plus each briefing's annotations.jsonld.
    for name in FIXTURES {
        let root = fixture(name);
        let (_tmp, out) = build_fresh(&root, &[]);
        assert_outputs_exist(&root, &out, false);
    }
}

/// `brief check` on a fixture reports no error (warnings are allowed: they are advice).
fn check_clean(root: &Path) {
    let (run, diags) = check_json_run(root);
    let errors: Vec<_> = diags.iter().filter(|d| d["severity"] == "error").collect();
    assert!(errors.is_empty(), "fixture has errors: {errors:#?}");
    run.assert_code(0);
}

#[test]
fn markdown_fixture_honours_the_contract() {
    // Quotes across emphasis, strong, links, code spans, soft line breaks, list items, table
    // cells, headings, blockquotes, paragraphs, escaped characters and footnotes.
    full_contract(&fixture("markdown"));
}

#[test]
fn anchoring_fixture_honours_the_contract() {
    // Folding of quotes, dashes and ellipses both ways, prefix reaching into the previous
    // paragraph, suffix, occurrence, parts, a folder briefing, nested folders, local speakers
    // and questions, an empty annotations file, an article without one, and a draft.
    full_contract(&fixture("anchoring"));
}

#[test]
fn overlap_fixture_honours_the_contract() {
    // Partial overlaps, nesting, identical spans, and overlaps that cross inline and block
    // boundaries: the page must stay well-formed with every piece carrying its ids.
    full_contract(&fixture("overlap"));
}

#[test]
fn fixtures_check_without_errors() {
    for name in FIXTURES {
        check_clean(&fixture(name));
    }
}

#[test]
fn check_writes_nothing() {
    // `check` loads and anchors everything but writes nothing: no output folder appears and the
    // site's files are untouched.
    let root = site(&[
        ("brief.yaml", CONFIG),
        (
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\n---\nHello there.\n",
        ),
    ]);
    let before = snapshot(root.path());
    check_clean(root.path());
    assert_same_snapshot(&before, &snapshot(root.path()), "brief check");
}

#[test]
fn builds_are_byte_identical() {
    // Two builds of the same input give the same bytes, whether into a fresh folder or over a
    // previous build.
    for name in FIXTURES {
        let root = fixture(name);
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        build_ok(&root, &a, &[]);
        let first = snapshot(&a);
        assert!(!first.is_empty(), "{name}: the build wrote nothing");
        build_ok(&root, &b, &[]);
        assert_same_snapshot(&first, &snapshot(&b), &format!("{name}: second build"));
        build_ok(&root, &a, &[]);
        assert_same_snapshot(&first, &snapshot(&a), &format!("{name}: rebuild in place"));
    }
}

#[test]
fn drafts_are_built_only_with_the_flag() {
    let root = fixture("anchoring");
    let draft = briefings(&root)
        .into_iter()
        .find(|b| b.draft)
        .expect("the anchoring fixture has a draft");

    let (_tmp, out) = build_fresh(&root, &[]);
    assert!(
        !out.join("briefings").join(&draft.slug).exists(),
        "a draft was built without --drafts"
    );
    // The feed and sitemap are checked when present; that they exist is another test's job.
    for file in ["index.html", "sitemap.xml", "feed.xml"] {
        let Ok(text) = fs::read_to_string(out.join(file)) else {
            assert_ne!(file, "index.html", "no index.html");
            continue;
        };
        assert!(
            !text.contains(&draft.title) && !text.contains(&format!("briefings/{}/", draft.slug)),
            "{file} mentions the draft without --drafts"
        );
    }

    let (_tmp, out) = build_fresh(&root, &["--drafts"]);
    for file in ["index.html", "annotations.jsonld"] {
        let path = out.join("briefings").join(&draft.slug).join(file);
        assert!(path.is_file(), "{} missing with --drafts", path.display());
    }
    check_data_ann_contract_with(&root, &out, true);
    check_annotations_jsonld(&out, &draft);
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains(&draft.title),
        "index.html does not list the draft with --drafts"
    );
}

#[test]
fn index_lists_briefings_newest_first() {
    let root = fixture("anchoring");
    let (_tmp, out) = build_fresh(&root, &[]);
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    // Dates in the fixture: plain (06-14) > empty-notes (06-13) > nested (06-11) >
    // field-report (06-10) > choosing-matches (06-09) > typography (06-08).
    let order = [
        "No annotations file",
        "An empty annotations file",
        "A briefing in nested folders",
        "Field report from Kharkiv",
        "Prefix, suffix, occurrence and parts",
        "Typography folding",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|t| {
            index
                .find(t)
                .unwrap_or_else(|| panic!("index.html does not list {t:?}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "index.html is not newest first: {order:?} at {positions:?}"
    );
}

#[test]
fn folder_briefings_and_static_files_are_copied() {
    let root = fixture("anchoring");
    let (_tmp, out) = build_fresh(&root, &[]);
    for (from, to) in [
        (
            "content/field-report/credits.txt",
            "briefings/field-report/credits.txt",
        ),
        ("static/extra.css", "extra.css"),
    ] {
        let want = fs::read(root.join(from)).unwrap();
        let got = fs::read(out.join(to)).unwrap_or_else(|e| panic!("{to}: {e}"));
        assert_eq!(got, want, "{to} is not a copy of {from}");
    }
    // The slug comes from front matter when given, else the stem, else the folder.
    for slug in [
        "choosing-matches",
        "field-report",
        "nested",
        "empty-notes",
        "plain",
    ] {
        assert!(
            out.join("briefings")
                .join(slug)
                .join("index.html")
                .is_file(),
            "no page for slug {slug}"
        );
    }
}

#[test]
fn sitemap_uses_the_base_url_and_the_flag_overrides_it() {
    // FORMAT.md: the briefing's page is `<base_url>briefings/<slug>/`.
    let root = fixture("overlap");
    let (_tmp, out) = build_fresh(&root, &[]);
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).expect("sitemap.xml is written");
    assert!(
        sitemap.contains("https://example.org/briefings/overlap/"),
        "sitemap.xml:\n{sitemap}"
    );
    let (_tmp, out) = build_fresh(&root, &["--base-url", "https://mirror.example.net/sub/"]);
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).expect("sitemap.xml is written");
    assert!(
        sitemap.contains("https://mirror.example.net/sub/briefings/overlap/"),
        "sitemap.xml with --base-url:\n{sitemap}"
    );
}

#[test]
fn annotation_ids_are_stable_link_targets() {
    // `briefings/<slug>/#<id>` must keep working: explicit ids are used as written, and the
    // defaults are q<n> / h<n> by position among quotes / highlights.
    let root = fixture("anchoring");
    let (_tmp, out) = build_fresh(&root, &[]);
    let page = fs::read_to_string(out.join("briefings/choosing-matches/index.html")).unwrap();
    let marks = read_marks(&page).unwrap();
    for id in ["q1", "q2", "q3", "wait-and-decide", "h1"] {
        assert_eq!(
            marks.ids.get(id).map(Vec::len),
            Some(1),
            "no single element with id={id:?}"
        );
    }
}

#[test]
fn sample_site_honours_the_contract() {
    // The repository's own sample site, when there is one.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !root.join("brief.yaml").exists() {
        eprintln!("no brief.yaml at the repository root: nothing to check");
        return;
    }
    let (_tmp, out) = build_fresh(root, &[]);
    assert_all_html_well_formed(&out);
    let checked = check_data_ann_contract(root, &out);
    assert!(checked > 0, "the sample site has no annotations to check");
    for briefing in published(root, false) {
        check_annotations_jsonld(&out, &briefing);
    }
    assert_outputs_exist(root, &out, false);
}

/// docs/templates.md: a quote and a highlight name their briefing wherever they are listed,
/// the briefing page included.
#[test]
fn quotes_and_highlights_name_their_briefing() {
    let s = common::site(&[
        ("brief.yaml", "title: T\nbase_url: https://example.org/\n"),
        ("content/speakers.yaml", "anna:\n  name: Anna A\n"),
        (
            "content/a.md",
            "---\ntitle: The first\ndate: 2024-01-01\n---\nAnna said one thing. It was true.\n",
        ),
        (
            "content/a.yaml",
            "quotes:\n  - text: one thing\n    speaker: anna\nhighlights:\n  - text: It was true\n    kind: fact\n",
        ),
        (
            "templates/briefing.html",
            "{% for q in briefing.quotes %}[{{ q.id }} in {{ q.briefing.title }} at {{ q.briefing.url }}]{% endfor %}{% for h in briefing.highlights %}[{{ h.id }} in {{ h.briefing.title }}]{% endfor %}",
        ),
    ]);
    let out = s.path().join("out");
    common::build_ok(s.path(), &out, &[]);
    let page = fs::read_to_string(out.join("briefings/a/index.html")).unwrap();
    assert_eq!(page, "[q1 in The first at /briefings/a/][h1 in The first]");
}

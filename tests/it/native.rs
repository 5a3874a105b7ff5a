//! The built-in briefing, speaker and question pages are written without Tera
//! (`src/render/native.rs`), and must be byte for byte what Tera makes of their templates in
//! `templates/` (with `base.html`).
//!
//! Each site is built twice through the CLI: as it is (the native pages), and with copies of
//! the three built-in templates that differ only by a Tera comment, which makes them the
//! site's own templates and sends the pages through Tera. The two outputs must be identical.
//! (Debug builds also compare every page they write both ways; this test holds in any build.)

use crate::common;

use std::fs;
use std::path::Path;

use common::*;

const BUILTIN_BRIEFING: &str = include_str!("../../templates/briefing.html");
const BUILTIN_SPEAKER: &str = include_str!("../../templates/speaker.html");
const BUILTIN_QUESTION: &str = include_str!("../../templates/question.html");

/// Builds `root` as it is, and a copy of it whose `briefing.html`, `speaker.html` and
/// `question.html` go through Tera, and asserts the outputs are the same. Returns how many
/// briefing, speaker and question pages were compared.
fn assert_native_is_tera(root: &Path, extra: &[&str]) -> usize {
    let out = tempfile::tempdir().unwrap();
    build_ok(root, &out.path().join("native"), extra);

    let copy = tempfile::tempdir().unwrap();
    copy_dir(root, copy.path());
    write_files(
        copy.path(),
        &[
            (
                "templates/briefing.html",
                &format!("{BUILTIN_BRIEFING}{{# the site's own copy #}}"),
            ),
            (
                "templates/speaker.html",
                &format!("{BUILTIN_SPEAKER}{{# the site's own copy #}}"),
            ),
            (
                "templates/question.html",
                &format!("{BUILTIN_QUESTION}{{# the site's own copy #}}"),
            ),
        ],
    );
    build_ok(copy.path(), &out.path().join("tera"), extra);

    let native = snapshot(&out.path().join("native"));
    let tera = snapshot(&out.path().join("tera"));
    assert_same_snapshot(&tera, &native, &root.display().to_string());
    native
        .keys()
        .filter(|p| {
            // `briefings/<slug>/index.html`, `speakers/<id>/index.html`, `questions/...`
            ["briefings", "speakers", "questions"]
                .iter()
                .any(|kind| p.starts_with(kind))
                && p.ends_with("index.html")
                && p.components().count() == 3
        })
        .count()
}

#[test]
fn the_sample_site_is_written_as_tera_writes_it() {
    let site = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(repo.join("brief.yaml"), site.path().join("brief.yaml")).unwrap();
    copy_dir(&repo.join("content"), &site.path().join("content"));
    // Four briefings and the speakers.
    assert!(assert_native_is_tera(site.path(), &[]) > 4);
}

#[test]
fn the_fixture_sites_are_written_as_tera_writes_them_drafts_included() {
    for name in ["anchoring", "markdown", "overlap"] {
        assert!(
            assert_native_is_tera(&fixture(name), &["--drafts"]) >= 1,
            "{name}"
        );
    }
}

/// Everything a briefing page can show, and text that must be escaped in every place it can
/// appear: sources with and without a URL, a dateline, a draft, tags, relayed quotes, every
/// kind of quote and highlight, a highlight with a speaker, questions open and resolved, with
/// and without a prompt, positions with and without quotes, notes, a speaker with a role and
/// one without, an organisation and a group, a description; a speaker's website and other
/// pages (one long enough to be cut), and a speaker defined by one briefing only.
#[test]
fn every_part_of_the_page_and_every_escape_is_written_as_tera_writes_it() {
    let odd = "A & B <i>\"quoted\"</i> 'single' ’curly’ é";
    let config = format!(
        "title: {:?}\ndescription: \"About <b>it</b> & more\"\nlanguage: en-GB\nbase_url: https://example.org/x/\n",
        format!("Site {odd}")
    );
    let article = |title: &str, extra: &str, body: &str| {
        format!("---\ntitle: {title:?}\ndate: 2024-05-06\n{extra}---\n{body}\n")
    };
    let body = "The minister said \"we will <not> stop & never yield\" on Monday. \
                Officials reported that the talks had stalled. \
                The alliance, a critic argued, was never going to agree. \
                Supplies rose by 10% in May.\n\n## A heading\n\nMore text here for context. Someone said keep calm & carry on.";
    let annotations = "\
speakers:
  local-one:
    name: Local <One> & Co
quotes:
  - id: q4
    speaker: local-one
    text: keep calm & carry on
  - id: q1
    speaker: minister
    text: we will <not> stop & never yield
    note: The **first** <em>note</em> & more.
    questions: [membership]
  - id: q2
    speaker: officials
    kind: indirect
    via: [critic]
    text: the talks had stalled
  - id: q3
    speaker: critic
    kind: paraphrase
    text: was never going to agree
    questions: [membership, guarantees]
highlights:
  - id: h1
    kind: fact
    text: Supplies rose by 10% in May
    speaker: officials
    questions: [guarantees]
  - id: h2
    kind: context
    text: More text here for context
positions:
  - speaker: minister
    question: membership
    stance: For, \"soon\" & <fast>
    quotes: [q1]
  - speaker: critic
    question: guarantees
    stance: Against
";
    let speakers = format!(
        "\
minister:
  name: {odd:?}
  role: Minister of <Things> & \"Stuff\"
  url: https://example.org/minister?a=1&b=\"2\"
  same_as:
    - https://www.wikidata.org/wiki/Q1234567890123456789012345678901234567890&x=<y>
    - http://short.example/é
officials:
  name: The Officials' Office
  kind: organisation
critic:
  name: Critics & Co
  kind: group
"
    );
    let questions = "\
membership:
  title: Membership <now> & \"later\"
  prompt: Will it \"happen\" & when?
guarantees:
  title: Guarantees
  status: resolved
  resolution: Agreed <in> July & \"final\".
";
    let root = site(&[
        ("brief.yaml", &config),
        ("content/speakers.yaml", &speakers),
        ("content/questions.yaml", questions),
        (
            "content/one.md",
            &article(
                &format!("One {odd}"),
                &format!(
                    "summary: {odd:?}\ndateline: \"Kyiv & <Lviv>\"\ntags: [\"a&b\", \"<c>\"]\n\
                     source:\n  name: {odd:?}\n  url: https://example.org/a?b=1&c=\"2\"\n"
                ),
                body,
            ),
        ),
        ("content/one.yaml", annotations),
        (
            "content/two.md",
            &article(
                "Two",
                "draft: true\nsource:\n  name: Wire & co\n",
                "Nothing marked here.",
            ),
        ),
    ]);
    // Two briefings, four speakers, two questions.
    assert_eq!(assert_native_is_tera(root.path(), &["--drafts"]), 2 + 4 + 2);
}

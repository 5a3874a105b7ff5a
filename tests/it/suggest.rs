//! `brief suggest` and `brief check --coverage` through the binary: printing a draft, `--write`
//! and `--force`, `--merge` adding only what is missing, coverage warnings, and that every
//! suggestion for the evaluation articles passes `brief check`.

use crate::common;

use std::fs;
use std::path::Path;

use common::*;
use serde_json::Value;

/// Two quotes by a site-wide speaker (by surname) and one by a new speaker with a role.
const ARTICLE: &str = "---\ntitle: Talks\ndate: 2024-01-01\n---\n\
    Former NATO Secretary General Anders Rasmussen said on Monday that the talks had \"gone \
    nowhere at all.\"\n\n\
    \"We need a clear path for Ukraine,\" Rasmussen told reporters.\n\n\
    \"Nobody expected a deal this week,\" said Maria Lopez, a spokeswoman for the ministry.\n";

const SPEAKERS: &str =
    "rasmussen:\n  name: Anders Fogh Rasmussen\n  role: Former NATO Secretary General\n";

fn talks_site() -> tempfile::TempDir {
    site(&[
        ("brief.yaml", CONFIG),
        ("content/speakers.yaml", SPEAKERS),
        ("content/talks.md", ARTICLE),
    ])
}

fn root_of(dir: &tempfile::TempDir) -> String {
    dir.path().to_string_lossy().into_owned()
}

fn suggest(root: &str, extra: &[&str]) -> Run {
    let mut args = vec!["suggest", "--root", root, "content/talks.md"];
    args.extend_from_slice(extra);
    brief(&args)
}

fn parse(yaml: &str) -> brief::input::AnnotationsFile {
    brief::yaml::parse(yaml, Path::new("draft.yaml"), 0)
        .unwrap_or_else(|d| panic!("the draft is not a valid annotations file: {d:?}\n{yaml}"))
}

fn errors(diags: &[Value]) -> Vec<&Value> {
    diags.iter().filter(|d| d["severity"] == "error").collect()
}

#[test]
fn suggest_prints_a_valid_draft_with_speakers_matched_and_proposed() {
    let dir = talks_site();
    let run = suggest(&root_of(&dir), &[]);
    run.assert_code(0);
    let draft = parse(&run.stdout);
    let texts: Vec<String> = draft
        .quotes
        .iter()
        .map(|q| q.value.text.as_ref().unwrap().value.clone())
        .collect();
    assert_eq!(
        texts,
        [
            "gone nowhere at all.",
            "We need a clear path for Ukraine",
            "Nobody expected a deal this week"
        ]
    );
    let speakers: Vec<&str> = draft
        .quotes
        .iter()
        .map(|q| q.value.speaker.as_ref().unwrap().value.as_str())
        .collect();
    assert_eq!(speakers, ["rasmussen", "rasmussen", "maria-lopez"]);
    let (id, lopez) = &draft.speakers.0[0];
    assert_eq!(id.value, "maria-lopez");
    assert_eq!(
        lopez.value.role.as_deref(),
        Some("Spokeswoman for the ministry")
    );
    // Nothing was written.
    assert!(!dir.path().join("content/talks.yaml").exists());
}

#[test]
fn write_does_not_overwrite_without_force() {
    let dir = talks_site();
    let root = root_of(&dir);
    let file = dir.path().join("content/talks.yaml");
    suggest(&root, &["--write"]).assert_code(0);
    let first = fs::read_to_string(&file).unwrap();
    parse(&first);

    fs::write(&file, "# mine\n").unwrap();
    let again = suggest(&root, &["--write"]);
    again.assert_code(1);
    assert!(
        again.stderr.contains("annotations-exist"),
        "{}",
        again.stderr
    );
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(fs::read_to_string(&file).unwrap(), "# mine\n");

    suggest(&root, &["--write", "--force"]).assert_code(0);
    assert_eq!(fs::read_to_string(&file).unwrap(), first);
    let (run, diags) = check_json_run(dir.path());
    assert!(errors(&diags).is_empty(), "{}", run.stdout);
}

#[test]
fn force_needs_write_and_excludes_merge() {
    let dir = talks_site();
    let root = root_of(&dir);
    suggest(&root, &["--force"]).assert_code(2);
    suggest(&root, &["--merge", "--force"]).assert_code(2);
}

#[test]
fn merge_adds_only_the_missing_quotes_and_keeps_the_file() {
    let dir = talks_site();
    let root = root_of(&dir);
    let file = dir.path().join("content/talks.yaml");
    let mine = "# Annotated by hand.\nquotes:\n  - id: clear-path\n    text: \"We need a clear path for Ukraine\"\n    speaker: rasmussen  # checked\n";
    fs::write(&file, mine).unwrap();

    let run = suggest(&root, &["--merge"]);
    run.assert_code(0);
    assert!(run.stderr.contains("2 quotes"), "{}", run.stderr);
    let merged = fs::read_to_string(&file).unwrap();
    assert!(merged.starts_with(mine), "{merged}");
    let draft = parse(&merged);
    let texts: Vec<String> = draft
        .quotes
        .iter()
        .map(|q| q.value.text.as_ref().unwrap().value.clone())
        .collect();
    assert_eq!(
        texts,
        [
            "We need a clear path for Ukraine",
            "gone nowhere at all.",
            "Nobody expected a deal this week"
        ]
    );
    assert_eq!(draft.speakers.0.len(), 1, "only the new speaker is added");
    let (run, diags) = check_json_run(dir.path());
    assert!(errors(&diags).is_empty(), "{}", run.stdout);

    // Nothing is missing any more: a second merge leaves the file alone.
    let again = suggest(&root, &["--merge"]);
    again.assert_code(0);
    assert!(again.stderr.contains("0 quotes"), "{}", again.stderr);
    assert_eq!(fs::read_to_string(&file).unwrap(), merged);
}

#[test]
fn merge_refuses_a_broken_annotations_file() {
    let dir = talks_site();
    let file = dir.path().join("content/talks.yaml");
    fs::write(
        &file,
        "quotes:\n  - text: \"not in the article at all\"\n    speaker: rasmussen\n",
    )
    .unwrap();
    let run = suggest(&root_of(&dir), &["--merge"]);
    run.assert_code(1);
    assert!(run.stderr.contains("text-not-found"), "{}", run.stderr);
    assert!(run.stderr.contains("merge-blocked"), "{}", run.stderr);
}

#[test]
fn suggest_explains_a_missing_article() {
    let dir = talks_site();
    let run = suggest(&root_of(&dir), &[]);
    run.assert_code(0);
    let missing = brief(&["suggest", "--root", &root_of(&dir), "content/nope.md"]);
    missing.assert_code(1);
    assert!(
        missing.stderr.contains("article-not-found"),
        "{}",
        missing.stderr
    );
    let not_article = brief(&["suggest", "--root", &root_of(&dir), "brief.yaml"]);
    not_article.assert_code(1);
    assert!(
        not_article.stderr.contains("not-an-article"),
        "{}",
        not_article.stderr
    );
}

#[test]
fn coverage_warns_about_quotes_no_annotation_covers() {
    let dir = talks_site();
    let root = root_of(&dir);
    // The second quote (line 7 of the article) is annotated; the first and third are not.
    fs::write(
        dir.path().join("content/talks.yaml"),
        "quotes:\n  - text: \"We need a clear path for Ukraine\"\n    speaker: rasmussen\n",
    )
    .unwrap();
    let plain = brief(&["check", "--root", &root, "--format", "json"]);
    plain.assert_code(0);
    assert!(
        !plain.stdout.contains("uncovered-quote"),
        "{}",
        plain.stdout
    );

    let run = brief(&["check", "--root", &root, "--format", "json", "--coverage"]);
    run.assert_code(0);
    let diags: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|d: &Value| d["code"] == "uncovered-quote")
        .collect();
    let lines: Vec<u64> = diags.iter().map(|d| d["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [5, 9], "{}", run.stdout);
    for d in &diags {
        assert_eq!(d["severity"], "warning");
        assert_eq!(d["file"], "content/talks.md");
        assert!(d["column"].as_u64().unwrap() > 1);
        assert!(d["help"].as_str().unwrap().contains("--merge"));
    }
    let human = brief(&["check", "--root", &root, "--coverage"]);
    assert!(
        human.stderr.contains("warning[uncovered-quote]"),
        "{}",
        human.stderr
    );
}

/// Every evaluation article: `suggest --write` into one site, then `check` passes and finds
/// every quote covered.
#[test]
fn check_passes_on_the_suggestions_for_every_evaluation_article() {
    let eval = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suggest_eval");
    let speakers = fs::read_to_string(eval.join("speakers.yaml")).unwrap();
    let dir = site(&[("brief.yaml", CONFIG), ("content/speakers.yaml", &speakers)]);
    let root = root_of(&dir);
    let mut names = Vec::new();
    for entry in fs::read_dir(&eval).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".md") {
            fs::copy(eval.join(&name), dir.path().join("content").join(&name)).unwrap();
            names.push(stem.to_string());
        }
    }
    assert!(names.len() >= 12);
    for name in &names {
        let article = format!("content/{name}.md");
        brief(&["suggest", "--root", &root, &article, "--write"]).assert_code(0);
    }
    let run = brief(&["check", "--root", &root, "--format", "json", "--coverage"]);
    let problems: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| {
            let d: Value = serde_json::from_str(l).unwrap();
            d["severity"] == "error"
                || d["code"] == "uncovered-quote"
                || d["code"] == "fragile-quote"
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    run.assert_code(0);
}

#[test]
fn write_force_and_merge_never_follow_a_link_out_of_the_site() {
    let dir = talks_site();
    let root = root_of(&dir);
    let away = tempfile::tempdir().unwrap();
    let victim = away.path().join("victim.yaml");
    let link = dir.path().join("content/talks.yaml");
    // A link to nothing outside: --write would create the file there.
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let run = suggest(&root, &["--write"]);
    run.assert_code(1);
    assert!(run.stderr.contains("symlink-outside"), "{}", run.stderr);
    assert!(!victim.exists(), "a file was created outside the site");
    // A link to someone's file outside: --force must not overwrite it, --merge not append.
    fs::write(&victim, "quotes: []\n").unwrap();
    for extra in [&["--write", "--force"][..], &["--merge"][..]] {
        let run = suggest(&root, extra);
        run.assert_code(1);
        assert!(
            run.stderr.contains("symlink-outside"),
            "{extra:?}: {}",
            run.stderr
        );
        assert_eq!(
            fs::read_to_string(&victim).unwrap(),
            "quotes: []\n",
            "{extra:?}"
        );
    }
    assert_eq!(fs::read_dir(away.path()).unwrap().count(), 1);
}

#[test]
fn a_replaced_annotations_file_is_whole_and_no_temporary_file_is_left() {
    let dir = talks_site();
    let root = root_of(&dir);
    suggest(&root, &["--write"]).assert_code(0);
    suggest(&root, &["--write", "--force"]).assert_code(0);
    let mut names: Vec<String> = fs::read_dir(dir.path().join("content"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["speakers.yaml", "talks.md", "talks.yaml"]);
}

// -------------------------------------------------------------------------------------------
// Linear time and robustness, through the library
// -------------------------------------------------------------------------------------------

/// Drafts `body` with no known speakers.
fn draft(body: &str) -> brief::suggest::Draft {
    brief::suggest::draft(body, false, &[], &brief::suggest::Taken::default())
}

/// The folded reader text anchoring searches, as `check` makes it.
fn folded(body: &str) -> String {
    let article = brief::markdown::Article::parse(body, brief::markdown::Rules::default());
    brief::fold::Folded::new(&article.reader).text
}

/// Every suggested quote anchors, with its selector, exactly where it was found.
fn assert_anchored(body: &str, d: &brief::suggest::Draft) {
    let doc = folded(body);
    for q in &d.quotes {
        let selector = brief::model::Selector {
            parts: q.parts.iter().map(|p| p.as_str().into()).collect(),
            prefix: q.prefix.clone(),
            suffix: q.suffix.clone(),
            occurrence: q.occurrence,
        };
        let found = brief::anchor::locate(&doc, &selector);
        assert_eq!(found.as_ref().ok(), Some(&q.folded), "{q:?}");
    }
}

/// Each of these articles of sixteen thousand quotes takes two or three seconds in a debug
/// build (a quarter of that in a release build); anything quadratic in the number of quotes,
/// paragraphs, mentions or entities takes minutes (the first version took over two minutes on
/// the first one in a release build). The bound is about ten times what they take, for a
/// loaded machine.
#[test]
fn suggest_takes_linear_time_on_many_quoted_paragraphs() {
    const LIMIT: std::time::Duration = std::time::Duration::from_secs(30);
    let repeated = format!(
        "Mayor Anna Nowak spoke on Monday.\n\n{}",
        "He said \"we will go there now,\" and left.\n\n".repeat(16_000)
    );
    let distinct: String = (0..16_000)
        .map(|i| {
            format!("Jan Kowalski{i} told Reuters: \"plan number {i} is ready,\" and left.\n\n")
        })
        .collect();
    // One paragraph holding every quote: sentences, mentions and quotes of one paragraph.
    let one_paragraph: String = (0..16_000)
        .map(|i| format!("Anna Nowak said \"we will go there {i},\" and left. "))
        .collect();
    for (what, body) in [
        ("one quote repeated", &repeated),
        ("distinct quotes and speakers", &distinct),
        ("one long paragraph", &one_paragraph),
    ] {
        let start = std::time::Instant::now();
        let d = draft(body);
        let took = start.elapsed();
        assert!(took < LIMIT, "{what}: {took:?}");
        assert_eq!(d.quotes.len(), 16_000, "{what}");
    }
}

#[test]
fn a_quote_repeated_many_times_is_told_apart_by_occurrence() {
    let body = "Anna Nowak spoke.\n\n".to_string()
        + &"She said \"we will go there now,\" and left.\n\n".repeat(20);
    let d = draft(&body);
    assert_eq!(d.quotes.len(), 20);
    assert_eq!(d.quotes[19].occurrence, Some(20));
    assert_eq!(d.quotes[19].id, "we-will-go-there-20");
    assert_anchored(&body, &d);
}

const PIECES: &[&str] = &[
    "\"",
    "\u{201C}",
    "\u{201D}",
    "'",
    "said",
    "told",
    "Reuters",
    "as quoted by",
    "according to",
    "in an interview with the BBC,",
    "he",
    "she",
    "it",
    "the minister",
    "Anna Nowak",
    "Ukraine's President Volodymyr Zelensky",
    "the Kremlin",
    ",",
    ".",
    ":",
    "\n\n",
    "\n",
    "- ",
    "> ",
    "```\n",
    "We will win",
    "no",
    "\u{2014}",
    "\u{e9}t\u{e9}",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Whatever the article, `suggest` does not panic, writes a file `check` reads, and every
    /// quote it suggests anchors where it was found.
    #[test]
    fn suggest_never_panics_and_its_quotes_anchor(
        picks in proptest::collection::vec(0..PIECES.len(), 0..80)
    ) {
        let body: String = picks.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
        let d = draft(&body);
        let yaml = brief::suggest::render_draft(&d, "content/x.md");
        brief::yaml::parse::<brief::input::AnnotationsFile>(&yaml, Path::new("x.yaml"), 0)
            .unwrap_or_else(|e| panic!("{e:?}\n{yaml}"));
        assert_anchored(&body, &d);
    }
}

//! Work that must grow about linearly with the input, whatever the input: articles and
//! annotation files a hostile or careless author could write, each checked through the CLI
//! within a generous time limit (about ten times what a debug build takes on a two-core
//! machine). Each input is large enough that a stage taking time in proportion to its square
//! would take minutes: these tests failed, or ran for minutes, before those stages were made
//! linear (the lists and the table took memory in proportion to the square of the nesting,
//! and the identical highlights, quadratic in a stage that is quick per pair, only guard it).
//! Not benchmarks: they only catch work that grows faster than the input.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::common;

const SPEAKERS: &str = "ada:\n  name: Ada Okafor\n";
const ARTICLE_HEAD: &str = "---\ntitle: Hostile\ndate: 2024-01-01\n---\n";

/// Checks a one-briefing site with this article body and annotations file, and asserts that
/// `check` ends with `code` within `limit`. Returns the JSON diagnostics.
fn check_within(
    what: &str,
    body: &str,
    annotations: &str,
    code: i32,
    limit: Duration,
) -> Vec<serde_json::Value> {
    let article = format!("{ARTICLE_HEAD}{body}\n");
    let root = common::site(&[
        ("brief.yaml", common::CONFIG),
        ("content/speakers.yaml", SPEAKERS),
        ("content/a.md", &article),
        ("content/a.yaml", annotations),
    ]);
    let start = Instant::now();
    let (run, diags) = common::check_json_run(root.path());
    let took = start.elapsed();
    run.assert_code(code);
    assert!(
        took < limit,
        "{what}: `brief check` took {took:?} (limit {limit:?})"
    );
    diags
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn codes(diags: &[serde_json::Value]) -> Vec<&str> {
    diags.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

#[test]
fn unmatched_emphasis_in_an_article() {
    let body = "*a **a ***a ".repeat(80_000);
    check_within("emphasis", &body, "", 0, secs(10));
}

#[test]
fn many_identical_overlapping_highlights() {
    let body = "The bridge has cracks in two of its three arches, the report says.";
    let hl = "  - text: cracks in two of its three arches\n    kind: fact\n";
    let annotations = format!("highlights:\n{}", hl.repeat(20_000));
    check_within("identical highlights", body, &annotations, 0, secs(30));
}

#[test]
fn many_annotations_with_notes_and_broken_links() {
    let n = 5_000;
    let mut body = String::new();
    let mut annotations = String::from("highlights:\n");
    for i in 0..n {
        write!(body, "Word{i} is here. ").unwrap();
        writeln!(
            annotations,
            "  - text: \"Word{i} is here.\"\n    kind: fact\n    note: \"See [this](#nowhere{i}).\""
        )
        .unwrap();
    }
    let diags = check_within("notes", &body, &annotations, 1, secs(40));
    let mut expected = vec!["broken-link"; n];
    expected.push("unused-speaker");
    let mut found = codes(&diags);
    found.sort_unstable();
    assert_eq!(found, expected);
}

#[test]
fn many_broken_links_on_one_long_line_shown_as_people_read_them() {
    let body: String = (0..5_000)
        .map(|i| format!("[l{i}](../nowhere{i}/) "))
        .collect();
    let article = format!("{ARTICLE_HEAD}{body}\n");
    let root = common::site(&[("brief.yaml", common::CONFIG), ("content/a.md", &article)]);
    let start = Instant::now();
    let run = common::brief(&["check", "--root", &common::path_str(root.path())]);
    let took = start.elapsed();
    run.assert_code(1);
    assert_eq!(
        run.stderr.matches("error[broken-link]").count()
            + run.stdout.matches("error[broken-link]").count(),
        5_000
    );
    assert!(took < secs(40), "links: took {took:?}");
}

#[test]
fn a_quote_in_many_parts() {
    let n = 60_000;
    let body: String = (0..n).map(|i| format!("p{i} ")).collect();
    let parts: String = (0..n)
        .step_by(2)
        .map(|i| format!("      - \"p{i}\"\n"))
        .collect();
    let annotations = format!("quotes:\n  - speaker: ada\n    parts:\n{parts}");
    check_within("parts", &body, &annotations, 0, secs(10));
}

#[test]
fn many_local_speakers_each_quoted() {
    let n = 8_000;
    let mut body = String::new();
    let mut speakers = String::from("speakers:\n");
    let mut quotes = String::from("quotes:\n");
    for i in 0..n {
        write!(body, "Said{i} these words. ").unwrap();
        writeln!(speakers, "  sp{i}:\n    name: Speaker {i}").unwrap();
        writeln!(
            quotes,
            "  - text: \"Said{i} these words.\"\n    speaker: sp{i}"
        )
        .unwrap();
    }
    // The site-wide speaker is never used: one warning.
    let diags = check_within(
        "speakers",
        &body,
        &format!("{speakers}{quotes}"),
        0,
        secs(25),
    );
    assert_eq!(codes(&diags), ["unused-speaker"]);
}

#[test]
fn many_unknown_speakers_and_texts_not_found() {
    let n = 2_000;
    let body = "Only a short article about nothing much at all. ".repeat(1_000);
    let mut annotations = String::from("speakers:\n");
    for i in 0..n {
        writeln!(annotations, "  local-speaker-{i}:\n    name: Local {i}").unwrap();
    }
    annotations.push_str("quotes:\n");
    for i in 0..n {
        // Each text is missing (a closest passage is looked for in the whole article), and
        // each speaker unknown among many (a did-you-mean compares it with every one).
        writeln!(
            annotations,
            "  - text: \"nothing here {i} at all\"\n    speaker: ada\n  - text: \"Only a short\"\n    prefix: \"much at all.\"\n    occurrence: {}\n    speaker: local-speakr-{i}",
            i + 1
        )
        .unwrap();
    }
    let diags = check_within("misses", &body, &annotations, 1, secs(40));
    let count = |code: &str| codes(&diags).iter().filter(|c| **c == code).count();
    assert_eq!((count("text-not-found"), count("unknown-speaker")), (n, n));
    // Later misses come without a suggestion, but still say how to fix them.
    assert!(
        diags
            .iter()
            .all(|d| d["help"].as_str().is_some_and(|h| !h.is_empty()))
    );
    let suggested = |code: &str, hint: &str| {
        (diags.iter())
            .filter(|d| d["code"] == code && d["help"].as_str().unwrap().contains(hint))
            .count()
    };
    assert!(suggested("unknown-speaker", "did you mean `local-speaker-") > 0);
    assert!(suggested("text-not-found", "closest passage") > 0);
}

#[test]
fn a_common_word_found_everywhere_by_many_annotations() {
    let body = "the cat and the dog and the bird. ".repeat(5_000);
    let hl = "  - text: the\n    kind: fact\n    occurrence: 2\n";
    let ambiguous = "  - text: and the\n    kind: fact\n";
    let annotations = format!(
        "highlights:\n{}{}",
        hl.repeat(5_000),
        ambiguous.repeat(2_000)
    );
    let diags = check_within("common word", &body, &annotations, 1, secs(40));
    assert_eq!(
        codes(&diags)
            .iter()
            .filter(|c| **c == "ambiguous-text")
            .count(),
        2_000
    );
}

#[test]
fn deeply_nested_lists_and_a_large_table() {
    let mut body: String = (1..1_500)
        .map(|i| format!("{}x\n", "- ".repeat(i)))
        .collect();
    body.push_str("\n\n| a | b | c |\n|---|---|---|\n");
    body.push_str(&"| cracks in | two of | three arches |\n".repeat(100_000));
    check_within("lists and table", &body, "", 0, secs(40));
}

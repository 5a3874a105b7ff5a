//! Diagnostics (FORMAT.md, "Errors"): one test per diagnostic code, each with a minimal broken
//! site whose every line is known, so the test can require the right file and line. Also the
//! exit codes, the human format, and that a failed build leaves the previous output alone.
//!
//! YAML and Markdown here are written with `lines(&[...])`: element `i` of the slice is line
//! `i + 1`, and the comments give the line numbers the assertions use.

use crate::common;

use std::path::Path;

use common::*;
use serde_json::Value;
use tempfile::TempDir;

const SPEAKERS: &str = "alice:\n  name: Alice\n";

/// An article in which "the talks were" occurs twice and "talks were constructive" once.
const ARTICLE: &str = "---\ntitle: Talks\ndate: 2024-01-01\n---\n\
                       Alice said that the talks were constructive and useful.\n\n\
                       Later she repeated that the talks were useful.\n";

/// A site with one speaker (`alice`), one article, and the given annotations file.
fn with_annotations(yaml: &str) -> TempDir {
    site(&[
        ("brief.yaml", CONFIG),
        ("content/speakers.yaml", SPEAKERS),
        ("content/a.md", ARTICLE),
        ("content/a.yaml", yaml),
    ])
}

/// Like [`with_annotations`], with a site-wide question `peace` too.
fn with_question(yaml: &str) -> TempDir {
    let root = with_annotations(yaml);
    write_files(
        root.path(),
        &[("content/questions.yaml", "peace:\n  title: Peace?\n")],
    );
    root
}

/// Runs `brief check --format json` on `root` and requires: the exit code (1 when errors, 0
/// for warnings only), and a diagnostic with `code` at `file` on one of `lines`, with the
/// severity its code implies, a column, and a non-empty message and help. Returns it.
#[track_caller]
fn expect_diag(root: &Path, code: &str, file: &str, lines: &[u64]) -> Value {
    let warning = matches!(
        code,
        "unused-speaker" | "unused-question" | "fragile-quote" | "position-speaker-mismatch"
    );
    let (run, diags) = check_json_run(root);
    let found = diags
        .iter()
        .find(|d| d["code"] == code && d["file"] == file && lines.contains(&line_of(d)))
        .unwrap_or_else(|| {
            panic!(
                "no {code} diagnostic at {file}:{lines:?}\ndiagnostics: {diags:#?}\nstderr:\n{}",
                run.stderr
            )
        })
        .clone();
    run.assert_code(if warning { 0 } else { 1 });
    let severity = if warning { "warning" } else { "error" };
    assert_eq!(found["severity"], severity, "{found:#}");
    assert!(
        found["column"].as_u64().is_some_and(|c| c >= 1),
        "column: {found:#}"
    );
    assert!(
        found["message"]
            .as_str()
            .is_some_and(|m| !m.trim().is_empty()),
        "message: {found:#}"
    );
    assert!(
        found["help"].as_str().is_some_and(|h| !h.trim().is_empty()),
        "help: {found:#}"
    );
    found
}

fn line_of(d: &Value) -> u64 {
    d["line"].as_u64().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// YAML shape
// ---------------------------------------------------------------------------------------------

#[test]
fn yaml_syntax() {
    let root = with_annotations(&lines(&[
        "quotes:",                    // 1
        "  - text: talks were: nice", // 2: `: ` inside a plain scalar
        "    speaker: alice",         // 3
    ]));
    expect_diag(root.path(), "yaml-syntax", "content/a.yaml", &[2]);
}

#[test]
fn yaml_syntax_in_front_matter() {
    // Front matter lines count from the top of the .md file.
    let root = site(&[
        ("brief.yaml", CONFIG),
        (
            "content/a.md",
            &lines(&[
                "---",                    // 1
                "title: A",               // 2
                "date: 2024-01-01",       // 3
                "tags: [one, two",        // 4: unclosed flow sequence
                "summary: broken: again", // 5
                "---",                    // 6
                "Body.",
            ]),
        ),
    ]);
    let diags = check_json(root.path());
    assert!(
        diags.iter().any(|d| d["code"] == "yaml-syntax"
            && d["file"] == "content/a.md"
            && (4..=5).contains(&line_of(d))),
        "{diags:#?}"
    );
}

#[test]
fn unknown_field() {
    let root = with_annotations(&lines(&[
        "quotes:",                               // 1
        "  - text: \"talks were constructive\"", // 2
        "    speaker: alice",                    // 3
        "    colour: red",                       // 4
    ]));
    expect_diag(root.path(), "unknown-field", "content/a.yaml", &[4]);
}

#[test]
fn unknown_top_level_key() {
    // FORMAT.md: "Unknown keys are errors", at the top of the file too.
    let root = with_annotations(&lines(&[
        "quotes: []",    // 1
        "higlights: []", // 2
    ]));
    let found = expect_diag(root.path(), "unknown-field", "content/a.yaml", &[2]);
    // A typo this close deserves a suggestion.
    assert!(
        found["help"].as_str().unwrap().contains("highlights"),
        "{found:#}"
    );
}

#[test]
fn wrong_type() {
    let root = with_annotations(&lines(&[
        "quotes:",                               // 1
        "  - text: \"talks were constructive\"", // 2
        "    speaker: alice",                    // 3
        "    occurrence: first",                 // 4
    ]));
    expect_diag(root.path(), "wrong-type", "content/a.yaml", &[4]);
}

#[test]
fn missing_field() {
    // The quote has no speaker; the error points at the quote (its first line).
    let root = with_annotations(&lines(&[
        "quotes:",                               // 1
        "  - text: \"talks were constructive\"", // 2
        "    kind: direct",                      // 3
    ]));
    expect_diag(root.path(), "missing-field", "content/a.yaml", &[2]);
}

#[test]
fn missing_field_in_front_matter() {
    let root = site(&[
        ("brief.yaml", CONFIG),
        (
            "content/a.md",
            &lines(&["---", "title: A", "---", "No date."]),
        ),
    ]);
    let (run, diags) = check_json_run(root.path());
    run.assert_code(1);
    assert!(
        diags.iter().any(|d| d["code"] == "missing-field"
            && d["file"] == "content/a.md"
            && d["message"].as_str().unwrap_or("").contains("date")),
        "{diags:#?}"
    );
}

#[test]
fn missing_field_in_config() {
    let root = site(&[("brief.yaml", "base_url: https://example.org/\n")]);
    let (run, diags) = check_json_run(root.path());
    run.assert_code(1);
    assert!(
        diags.iter().any(|d| d["code"] == "missing-field"
            && d["file"] == "brief.yaml"
            && d["message"].as_str().unwrap_or("").contains("title")),
        "{diags:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Ids and references
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_id() {
    let root = with_annotations(&lines(&[
        "quotes:",                               // 1
        "  - id: Not_Valid",                     // 2
        "    text: \"talks were constructive\"", // 3
        "    speaker: alice",                    // 4
    ]));
    expect_diag(root.path(), "invalid-id", "content/a.yaml", &[2]);
}

#[test]
fn duplicate_id() {
    // Reported at the second occurrence.
    let root = with_annotations(&lines(&[
        "quotes:",                               // 1
        "  - id: same",                          // 2
        "    text: \"talks were constructive\"", // 3
        "    speaker: alice",                    // 4
        "  - id: same",                          // 5
        "    text: \"Later she repeated\"",      // 6
        "    speaker: alice",                    // 7
    ]));
    expect_diag(root.path(), "duplicate-id", "content/a.yaml", &[5]);
}

#[test]
fn duplicate_id_between_a_quote_and_a_highlight() {
    // Ids are unique in the briefing, not only among quotes: `#same` must name one thing.
    let root = with_annotations(&lines(&[
        "quotes:",                               // 1
        "  - id: same",                          // 2
        "    text: \"talks were constructive\"", // 3
        "    speaker: alice",                    // 4
        "highlights:",                           // 5
        "  - id: same",                          // 6
        "    text: \"Later she repeated\"",      // 7
    ]));
    expect_diag(root.path(), "duplicate-id", "content/a.yaml", &[6]);
}

#[test]
fn unknown_speaker() {
    let root = with_annotations(&lines(&[
        "quotes:",                               // 1
        "  - text: \"talks were constructive\"", // 2
        "    speaker: alcie",                    // 3
    ]));
    let found = expect_diag(root.path(), "unknown-speaker", "content/a.yaml", &[3]);
    // The id is one typo away from a known one: the help should say so.
    assert!(
        found["help"].as_str().unwrap().contains("alice"),
        "{found:#}"
    );
}

#[test]
fn unknown_speaker_in_via() {
    let root = with_annotations(&lines(&[
        "quotes:",                               // 1
        "  - text: \"talks were constructive\"", // 2
        "    speaker: alice",                    // 3
        "    via: [nobody]",                     // 4
    ]));
    expect_diag(root.path(), "unknown-speaker", "content/a.yaml", &[4]);
}

#[test]
fn unknown_question() {
    let root = with_annotations(&lines(&[
        "quotes:",                               // 1
        "  - text: \"talks were constructive\"", // 2
        "    speaker: alice",                    // 3
        "    questions: [nope]",                 // 4
    ]));
    expect_diag(root.path(), "unknown-question", "content/a.yaml", &[4]);
}

#[test]
fn unknown_quote() {
    let root = with_question(&lines(&[
        "quotes:",                               // 1
        "  - id: talks",                         // 2
        "    text: \"talks were constructive\"", // 3
        "    speaker: alice",                    // 4
        "positions:",                            // 5
        "  - question: peace",                   // 6
        "    speaker: alice",                    // 7
        "    stance: For more talks.",           // 8
        "    quotes: [nope]",                    // 9
    ]));
    expect_diag(root.path(), "unknown-quote", "content/a.yaml", &[9]);
}

#[test]
fn redefined_speaker() {
    let root = with_annotations(&lines(&[
        "speakers:",                             // 1
        "  alice:",                              // 2: also a site-wide speaker
        "    name: Alice Again",                 // 3
        "quotes:",                               // 4
        "  - text: \"talks were constructive\"", // 5
        "    speaker: alice",                    // 6
    ]));
    expect_diag(root.path(), "redefined-speaker", "content/a.yaml", &[2]);
}

#[test]
fn redefined_question() {
    let root = with_question(&lines(&[
        "questions:",                            // 1
        "  peace:",                              // 2: also a site-wide question
        "    title: Peace again?",               // 3
        "quotes:",                               // 4
        "  - text: \"talks were constructive\"", // 5
        "    speaker: alice",                    // 6
        "    questions: [peace]",                // 7
    ]));
    expect_diag(root.path(), "redefined-question", "content/a.yaml", &[2]);
}

#[test]
fn orphan_annotations() {
    let root = with_annotations("");
    write_files(root.path(), &[("content/lonely.yaml", "highlights: []\n")]);
    expect_diag(
        root.path(),
        "orphan-annotations",
        "content/lonely.yaml",
        &[1],
    );
}

// ---------------------------------------------------------------------------------------------
// Articles
// ---------------------------------------------------------------------------------------------

/// A site whose only article is `content/a.md` with the given text.
fn with_article(md: &str) -> TempDir {
    site(&[("brief.yaml", CONFIG), ("content/a.md", md)])
}

#[test]
fn front_matter_missing() {
    let root = with_article("Just a body, no front matter.\n");
    expect_diag(root.path(), "front-matter-missing", "content/a.md", &[1]);
}

#[test]
fn front_matter_unclosed() {
    let root = with_article(&lines(&["---", "title: A", "date: 2024-01-01", "Body."]));
    expect_diag(root.path(), "front-matter-unclosed", "content/a.md", &[1]);
}

#[test]
fn invalid_date() {
    let root = with_article(&lines(&[
        "---",              // 1
        "title: A",         // 2
        "date: 2024-13-45", // 3
        "---",              // 4
        "Body.",            // 5
    ]));
    expect_diag(root.path(), "invalid-date", "content/a.md", &[3]);
}

#[test]
fn not_utf8() {
    let root = with_article("");
    // Latin-1 "é" on line 5.
    write_bytes(
        root.path(),
        "content/a.md",
        b"---\ntitle: A\ndate: 2024-01-01\n---\nCaf\xe9 talks.\n",
    );
    expect_diag(root.path(), "not-utf8", "content/a.md", &[5]);
}

#[test]
fn duplicate_slug() {
    // a.md takes its slug from its stem; sub/b.md claims the same slug on line 4.
    let root = with_article(&lines(&[
        "---",
        "title: A",
        "date: 2024-01-01",
        "---",
        "A.",
    ]));
    write_files(
        root.path(),
        &[(
            "content/sub/b.md",
            &lines(&[
                "---",              // 1
                "title: B",         // 2
                "date: 2024-01-02", // 3
                "slug: a",          // 4
                "---",              // 5
                "B.",
            ]),
        )],
    );
    expect_diag(root.path(), "duplicate-slug", "content/sub/b.md", &[4]);
}

#[test]
fn invalid_slug() {
    let root = with_article(&lines(&[
        "---",              // 1
        "title: A",         // 2
        "date: 2024-01-01", // 3
        "slug: Not A Slug", // 4
        "---",              // 5
        "Body.",
    ]));
    expect_diag(root.path(), "invalid-slug", "content/a.md", &[4]);
}

// ---------------------------------------------------------------------------------------------
// Configuration and templates
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_config() {
    // No brief.yaml: the error must say how to make one.
    let root = site(&[("content/a.md", "---\ntitle: A\ndate: 2024-01-01\n---\nA.\n")]);
    let (run, diags) = check_json_run(root.path());
    run.assert_code(1);
    let found = diags
        .iter()
        .find(|d| d["code"] == "missing-config")
        .unwrap_or_else(|| panic!("no missing-config: {diags:#?}\n{}", run.stderr));
    let text = format!("{} {}", found["message"], found["help"]);
    assert!(text.contains("brief.yaml"), "{found:#}");
    assert!(
        found["help"].as_str().is_some_and(|h| !h.trim().is_empty()),
        "{found:#}"
    );

    // The same through `build`, in the human format.
    let out = root.path().join("out");
    let run = build(root.path(), &out, &[]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("error[missing-config]") && run.stderr.contains("brief.yaml"),
        "{}",
        run.stderr
    );
    assert!(!out.exists(), "a failed build created its output folder");
}

#[test]
fn invalid_base_url() {
    let root = site(&[("brief.yaml", "title: T\nbase_url: not a url\n")]);
    expect_diag(root.path(), "invalid-base-url", "brief.yaml", &[2]);
}

#[test]
fn bad_output_dir() {
    // The output folder may not be the site root, content/, templates/ or static/.
    for dir in ["content", ".", "static"] {
        let root = site(&[(
            "brief.yaml",
            &lines(&[
                "title: T",                       // 1
                "base_url: https://example.org/", // 2
                &format!("output_dir: {dir}"),    // 3
            ]),
        )]);
        expect_diag(root.path(), "bad-output-dir", "brief.yaml", &[3]);
    }
}

/// A good site with a replacement `templates/briefing.html`.
fn with_template(template: &str) -> TempDir {
    let root = with_annotations(&lines(&[
        "quotes:",
        "  - text: \"talks were constructive\"",
        "    speaker: alice",
    ]));
    write_files(root.path(), &[("templates/briefing.html", template)]);
    root
}

#[test]
fn template_syntax() {
    let root = with_template(&lines(&[
        "<!doctype html>", // 1
        "<p>Briefing</p>", // 2
        "{% if %}",        // 3: an `if` without a condition
        "<p>never</p>",    // 4
        "{% endif %}",     // 5
    ]));
    expect_diag(
        root.path(),
        "template-syntax",
        "templates/briefing.html",
        &[3],
    );
}

#[test]
fn template_render() {
    // Valid syntax, but the variable does not exist: found when the page is rendered.
    let root = with_template(&lines(&[
        "<!doctype html>",                      // 1
        "<p>{{ no_such_variable.at_all }}</p>", // 2
    ]));
    let out = root.path().join("out");
    let run = build(root.path(), &out, &[]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("error[template-render]")
            && run.stderr.contains(" --> templates/briefing.html:2:"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Anchoring (the line is that of the annotation's `text:` key)
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_text() {
    let root = with_annotations(&lines(&[
        "quotes:",            // 1
        "  - text: \"\"",     // 2
        "    speaker: alice", // 3
    ]));
    expect_diag(root.path(), "empty-text", "content/a.yaml", &[2]);
}

#[test]
fn text_and_parts_both() {
    let root = with_annotations(&lines(&[
        "quotes:",                                       // 1
        "  - text: \"talks were constructive\"",         // 2
        "    parts: [\"talks were\", \"constructive\"]", // 3
        "    speaker: alice",                            // 4
    ]));
    expect_diag(root.path(), "text-and-parts", "content/a.yaml", &[2]);
}

#[test]
fn text_and_parts_neither() {
    let root = with_annotations(&lines(&[
        "quotes:",            // 1
        "  - speaker: alice", // 2: the quote has neither text nor parts
        "    kind: direct",   // 3
    ]));
    expect_diag(root.path(), "text-and-parts", "content/a.yaml", &[2]);
}

#[test]
fn occurrence_out_of_range() {
    // "talks were constructive" occurs once: the line to change is the `occurrence:` line.
    let root = with_annotations(&lines(&[
        "quotes:",                               // 1
        "  - text: \"talks were constructive\"", // 2
        "    speaker: alice",                    // 3
        "    occurrence: 3",                     // 4
    ]));
    let found = expect_diag(
        root.path(),
        "occurrence-out-of-range",
        "content/a.yaml",
        &[4],
    );
    assert_eq!(found["column"], 17, "{found:#}");
}

#[test]
fn text_not_found_shows_the_closest_passage() {
    let root = with_annotations(&lines(&[
        "quotes:",                                              // 1
        "  - text: \"the talks were destructive and useless\"", // 2
        "    speaker: alice",                                   // 3
    ]));
    let found = expect_diag(root.path(), "text-not-found", "content/a.yaml", &[2]);
    let text = format!("{} {}", found["message"], found["help"]);
    assert!(
        text.contains("talks were constructive"),
        "the closest passage is not shown: {found:#}"
    );
}

#[test]
fn ambiguous_text() {
    // "the talks were" occurs in both paragraphs.
    let root = with_annotations(&lines(&[
        "quotes:",                      // 1
        "  - text: \"the talks were\"", // 2
        "    speaker: alice",           // 3
    ]));
    expect_diag(root.path(), "ambiguous-text", "content/a.yaml", &[2]);
}

// ---------------------------------------------------------------------------------------------
// Warnings: reported, but the exit code stays 0
// ---------------------------------------------------------------------------------------------

#[test]
fn unused_speaker() {
    let root = with_annotations(&lines(&[
        "quotes:",
        "  - text: \"talks were constructive\"",
        "    speaker: alice",
    ]));
    write_files(
        root.path(),
        &[(
            "content/speakers.yaml",
            &lines(&[
                "alice:",        // 1
                "  name: Alice", // 2
                "bob:",          // 3: never quoted
                "  name: Bob",   // 4
            ]),
        )],
    );
    expect_diag(root.path(), "unused-speaker", "content/speakers.yaml", &[3]);
}

#[test]
fn unused_question() {
    let root = with_annotations(&lines(&[
        "quotes:",
        "  - text: \"talks were constructive\"",
        "    speaker: alice",
        "    questions: [peace]",
    ]));
    write_files(
        root.path(),
        &[(
            "content/questions.yaml",
            &lines(&[
                "peace:",          // 1
                "  title: Peace?", // 2
                "war:",            // 3: never referenced
                "  title: War?",   // 4
            ]),
        )],
    );
    expect_diag(
        root.path(),
        "unused-question",
        "content/questions.yaml",
        &[3],
    );
}

#[test]
fn fragile_quote() {
    // FORMAT.md does not define "fragile"; this quote is fragile by any reading: a single
    // common word, told apart from its twin only by `occurrence`, with no prefix or suffix.
    let root = with_annotations(&lines(&[
        "quotes:",            // 1
        "  - text: useful",   // 2
        "    speaker: alice", // 3
        "    occurrence: 2",  // 4
    ]));
    expect_diag(root.path(), "fragile-quote", "content/a.yaml", &[2, 4]);
}

#[test]
fn position_speaker_mismatch() {
    // The position is bob's, but the quote it cites is alice's. The line is that of the cited
    // quote id, or of the position's speaker.
    let root = with_question(&lines(&[
        "speakers:",                             // 1
        "  bob:",                                // 2
        "    name: Bob",                         // 3
        "quotes:",                               // 4
        "  - id: talks",                         // 5
        "    text: \"talks were constructive\"", // 6
        "    speaker: alice",                    // 7
        "    questions: [peace]",                // 8
        "positions:",                            // 9
        "  - question: peace",                   // 10
        "    speaker: bob",                      // 11
        "    stance: For more talks.",           // 12
        "    quotes: [talks]",                   // 13
    ]));
    expect_diag(
        root.path(),
        "position-speaker-mismatch",
        "content/a.yaml",
        &[11, 13],
    );
}

// ---------------------------------------------------------------------------------------------
// Exit codes, the human format, all errors at once, and a failed build
// ---------------------------------------------------------------------------------------------

/// Annotations with an unknown speaker on line 3.
fn unknown_speaker_yaml() -> String {
    lines(&[
        "quotes:",                               // 1
        "  - text: \"talks were constructive\"", // 2
        "    speaker: nobody",                   // 3
    ])
}

#[test]
fn build_reports_errors_in_the_human_format() {
    let root = with_annotations(&unknown_speaker_yaml());
    let out = root.path().join("out");
    let run = build(root.path(), &out, &[]);
    run.assert_code(1);
    for needle in [
        "error[unknown-speaker]",
        " --> content/a.yaml:3:",
        "speaker: nobody",
        "help:",
    ] {
        assert!(
            run.stderr.contains(needle),
            "{needle:?} missing from:\n{}",
            run.stderr
        );
    }
}

#[test]
fn check_reports_warnings_in_the_human_format() {
    // Warnings only: printed rustc-style, and the exit code stays 0.
    let root = with_annotations(&lines(&[
        "quotes:",
        "  - text: \"talks were constructive\"",
        "    speaker: alice",
    ]));
    write_files(
        root.path(),
        &[(
            "content/speakers.yaml",
            "alice:\n  name: Alice\nbob:\n  name: Bob\n",
        )],
    );
    let run = brief(&["check", "--root", &path_str(root.path())]);
    run.assert_code(0);
    for needle in [
        "warning[unused-speaker]",
        " --> content/speakers.yaml:3:",
        "help:",
    ] {
        assert!(
            run.stderr.contains(needle),
            "{needle:?} missing from:\n{}",
            run.stderr
        );
    }
}

#[test]
fn all_errors_are_reported_not_only_the_first() {
    let root = with_annotations(&unknown_speaker_yaml());
    write_files(
        root.path(),
        &[("content/b.md", "---\ntitle: B\ndate: 2024-02-30\n---\nB.\n")],
    );
    let (run, diags) = check_json_run(root.path());
    run.assert_code(1);
    for (code, file) in [
        ("unknown-speaker", "content/a.yaml"),
        ("invalid-date", "content/b.md"),
    ] {
        assert!(
            diags.iter().any(|d| d["code"] == code && d["file"] == file),
            "no {code} in {file}: {diags:#?}"
        );
    }
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        &["build", "--nope"][..],
        &["frobnicate"],
        &["check", "--format", "xml"],
    ] {
        brief(args).assert_code(2);
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_alone() {
    let root = with_annotations(&lines(&[
        "quotes:",
        "  - text: \"talks were constructive\"",
        "    speaker: alice",
    ]));
    let out = root.path().join("out");
    build_ok(root.path(), &out, &[]);
    let before = snapshot(&out);
    assert!(!before.is_empty());

    // Break the site, and also change what a successful build would write.
    write_files(
        root.path(),
        &[
            ("content/a.yaml", &unknown_speaker_yaml()),
            (
                "content/c.md",
                "---\ntitle: C\ndate: 2024-03-01\n---\nNew.\n",
            ),
        ],
    );
    build(root.path(), &out, &[]).assert_code(1);
    assert_same_snapshot(&before, &snapshot(&out), "output after a failed build");
}

#[test]
fn diagnostics_never_panic_on_garbage() {
    // Odd but possible inputs: every one must end in diagnostics, never a panic (the runner
    // asserts no exit 101 on every run).
    let cases: &[(&str, &str)] = &[
        ("content/a.yaml", "- just\n- a list\n"),
        ("content/a.yaml", "quotes: {a: 1}\n"),
        (
            "content/a.yaml",
            "quotes:\n  - text: [1, 2]\n    speaker: alice\n",
        ),
        ("content/a.md", "---\n---\n"),
        ("content/a.md", "---\ntitle: [\n---\n"),
        ("content/speakers.yaml", "- not a map\n"),
        ("brief.yaml", "[]\n"),
    ];
    for (file, text) in cases {
        let root = with_annotations("");
        write_files(root.path(), &[(file, text)]);
        let (run, diags) = check_json_run(root.path());
        assert_eq!(run.code, Some(1), "{file}: {text:?}\n{}", run.stderr);
        assert!(
            diags.iter().any(|d| d["severity"] == "error"),
            "{file}: {text:?}: exit 1 without an error diagnostic"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Isolation: each defect is reported once, at its own place, and nowhere else
// ---------------------------------------------------------------------------------------------

/// `(file, line, code)` of every diagnostic; the line is 0 when there is none.
fn places(diags: &[Value]) -> Vec<(String, u64, String)> {
    let mut all: Vec<(String, u64, String)> = diags
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                line_of(d),
                d["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    all.sort();
    all
}

/// Requires `brief check` to report exactly `expected` (file, line, code), no more, no fewer,
/// and `brief build` to report the same codes and to write nothing. Returns check's
/// diagnostics.
#[track_caller]
fn expect_exactly(root: &Path, expected: &[(&str, u64, &str)]) -> Vec<Value> {
    let (run, diags) = check_json_run(root);
    let mut want: Vec<(String, u64, String)> = expected
        .iter()
        .map(|(f, l, c)| (f.to_string(), *l, c.to_string()))
        .collect();
    want.sort();
    assert_eq!(
        places(&diags),
        want,
        "diagnostics differ\n{diags:#?}\nstderr:\n{}",
        run.stderr
    );
    let errors = diags.iter().any(|d| d["severity"] == "error");
    run.assert_code(if errors { 1 } else { 0 });
    for d in &diags {
        for field in ["message", "help"] {
            assert!(
                d[field].as_str().is_some_and(|m| !m.trim().is_empty()),
                "no {field}: {d:#}"
            );
        }
    }

    let out = root.join("out");
    let built = build(root, &out, &["--drafts"]);
    let mut codes: Vec<&str> = built
        .stderr
        .lines()
        .filter_map(|l| {
            l.strip_prefix("error[")
                .or_else(|| l.strip_prefix("warning["))
        })
        .filter_map(|l| l.split_once(']').map(|(code, _)| code))
        .collect();
    codes.sort();
    let mut want_codes: Vec<&str> = expected.iter().map(|(_, _, c)| *c).collect();
    want_codes.sort();
    assert_eq!(
        codes, want_codes,
        "build reports otherwise:\n{}",
        built.stderr
    );
    if errors {
        built.assert_code(1);
        assert!(!out.exists(), "a build with errors wrote its output");
    }
    diags
}

/// The example site `brief new site` makes (an annotated briefing, content/old-bridge.md,
/// and its speakers and questions), with `files` added.
fn example_site(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    brief(&["new", "site", &path_str(&root)]).assert_code(0);
    write_files(&root, files);
    // The site lives in a subfolder so that the temporary folder is removed with it.
    let site = tempfile::tempdir().unwrap();
    copy_dir(&root, site.path());
    site
}

/// A second, correct briefing beside the example one.
const SECOND_MD: &str =
    "---\ntitle: Second\ndate: 2024-05-02\n---\nThe mayor said hello to everyone.\n";

#[test]
fn an_unknown_speaker_is_reported_once_and_nowhere_else() {
    let root = example_site(&[
        ("content/second.md", SECOND_MD),
        (
            "content/second.yaml",
            &lines(&[
                "quotes:",                              // 1
                "  - text: \"said hello to everyone\"", // 2
                "    speaker: nobody",                  // 3
            ]),
        ),
    ]);
    expect_exactly(
        root.path(),
        &[("content/second.yaml", 3, "unknown-speaker")],
    );
}

#[test]
fn a_bad_or_missing_date_is_reported_once_and_nowhere_else() {
    for (front, line, code) in [
        ("date: 2024-02-30", 3, "invalid-date"),
        ("slug: second", 1, "missing-field"),
    ] {
        let md = format!("---\ntitle: Second\n{front}\n---\nThe mayor said hello to everyone.\n");
        let root = example_site(&[("content/second.md", &md)]);
        expect_exactly(root.path(), &[("content/second.md", line, code)]);
    }
}

#[test]
fn a_broken_annotations_file_is_reported_once_and_nowhere_else() {
    for (yaml, line, code) in [
        (
            "quotes:\n  - text: \"said hello\n    speaker: [\n",
            2,
            "yaml-syntax",
        ),
        ("quotes: []\ncolour: red\n", 2, "unknown-field"),
    ] {
        let root = example_site(&[
            ("content/second.md", SECOND_MD),
            ("content/second.yaml", yaml),
        ]);
        expect_exactly(root.path(), &[("content/second.yaml", line, code)]);
    }
}

#[test]
fn an_orphan_annotations_file_is_reported_once_and_nowhere_else() {
    let root = example_site(&[("content/lonely.yaml", "highlights: []\n")]);
    expect_exactly(
        root.path(),
        &[("content/lonely.yaml", 1, "orphan-annotations")],
    );
}

#[test]
fn a_broken_template_is_reported_once_and_nowhere_else() {
    let root = example_site(&[("templates/briefing.html", "<p>\n{% if %}\n</p>\n")]);
    expect_exactly(
        root.path(),
        &[("templates/briefing.html", 2, "template-syntax")],
    );
}

#[cfg(unix)]
#[test]
fn a_bad_symbolic_link_is_reported_once_and_nowhere_else() {
    let root = example_site(&[]);
    let outside = tempfile::tempdir().unwrap();
    write_files(outside.path(), &[("away.md", SECOND_MD)]);
    std::os::unix::fs::symlink(
        outside.path().join("away.md"),
        root.path().join("content/away.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        root.path().join("nowhere.md"),
        root.path().join("content/gone.md"),
    )
    .unwrap();
    expect_exactly(
        root.path(),
        &[
            ("content/away.md", 0, "symlink-outside"),
            ("content/gone.md", 0, "io-error"),
        ],
    );
}

#[test]
fn with_errors_elsewhere_every_briefing_that_loaded_is_still_anchored() {
    // The example's second quote loses a word; another briefing has an unknown speaker. Both
    // are reported, and nothing else.
    let (file, text) = example_with_line(
        "old-bridge.yaml",
        12,
        "    text: \"We have heard September, and then it was November\"",
    );
    let root = example_site(&[
        (&file, &text),
        ("content/second.md", SECOND_MD),
        (
            "content/second.yaml",
            "quotes:\n  - text: \"said hello to everyone\"\n    speaker: nobody\n",
        ),
    ]);
    let diags = expect_exactly(
        root.path(),
        &[
            ("content/old-bridge.yaml", 12, "text-not-found"),
            ("content/second.yaml", 3, "unknown-speaker"),
        ],
    );
    let help = diags[0]["help"].as_str().unwrap();
    assert!(
        help.contains("`text: \"We have heard September before, and then it was November\"`"),
        "{help}"
    );
}

/// `content/<file>` of the example site with line `line` (1-based) replaced by `with`.
fn example_with_line(file: &str, line: usize, with: &str) -> (String, String) {
    let site = example_site(&[]);
    let text = std::fs::read_to_string(site.path().join("content").join(file)).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[line - 1] = with;
    (format!("content/{file}"), lines.join("\n") + "\n")
}

#[test]
fn a_position_does_not_report_a_quote_left_out_for_its_own_error() {
    let root = example_site(&[
        ("content/second.md", SECOND_MD),
        (
            "content/second.yaml",
            &lines(&[
                "quotes:",                         // 1
                "  - id: hello",                   // 2
                "    text: \"\"",                  // 3: empty
                "    speaker: ada-okafor",         // 4
                "  - id: everyone",                // 5
                "    text: \"hello to everyone\"", // 6
                "    speaker: nobody",             // 7: unknown
                "positions:",                      // 8
                "  - question: bridge-reopening",  // 9
                "    speaker: ada-okafor",         // 10
                "    stance: Says hello.",         // 11
                "    quotes: [hello, everyone]",   // 12
            ]),
        ),
    ]);
    expect_exactly(
        root.path(),
        &[
            ("content/second.yaml", 3, "empty-text"),
            ("content/second.yaml", 7, "unknown-speaker"),
        ],
    );
}

#[test]
fn one_bad_registry_entry_costs_only_itself() {
    // rivertown-gazette (lines 12-15) gets a kind that does not exist; the other two speakers
    // are still defined, and rivertown-gazette, which the example quotes `via`, still counts
    // as defined.
    let (file, text) = example_with_line("speakers.yaml", 15, "  kind: organisatoin");
    let root = example_site(&[(&file, &text)]);
    expect_exactly(root.path(), &[("content/speakers.yaml", 15, "wrong-type")]);

    // ada-okafor (lines 2-5) without its name.
    let (file, text) = example_with_line("speakers.yaml", 3, "  # no name");
    let root = example_site(&[(&file, &text)]);
    expect_exactly(
        root.path(),
        &[("content/speakers.yaml", 2, "missing-field")],
    );
}

#[test]
fn a_local_speaker_with_an_error_still_counts_as_defined() {
    let root = example_site(&[
        ("content/second.md", SECOND_MD),
        (
            "content/second.yaml",
            &lines(&[
                "speakers:",                            // 1
                "  mayor:",                             // 2: no name
                "    role: Mayor",                      // 3
                "quotes:",                              // 4
                "  - text: \"said hello to everyone\"", // 5
                "    speaker: mayor",                   // 6
            ]),
        ),
    ]);
    expect_exactly(root.path(), &[("content/second.yaml", 2, "missing-field")]);
}

#[test]
fn references_into_a_registry_that_cannot_be_read_are_not_checked() {
    // A tab indents `status:` (line 5): the whole file cannot be read.
    let (file, text) = example_with_line("questions.yaml", 5, "\tstatus: open");
    let root = example_site(&[(&file, &text)]);
    let diags = expect_exactly(root.path(), &[("content/questions.yaml", 5, "yaml-syntax")]);
    let notes = diags[0]["notes"].to_string();
    assert!(notes.contains("not checked"), "{:#}", diags[0]);

    // The same for speakers.yaml: an unclosed quote.
    let (file, text) = example_with_line("speakers.yaml", 3, "  name: \"Ada Okafor");
    let root = example_site(&[(&file, &text)]);
    let diags = expect_exactly(root.path(), &[("content/speakers.yaml", 3, "yaml-syntax")]);
    assert!(
        diags[0]["notes"].to_string().contains("not checked"),
        "{:#}",
        diags[0]
    );
}

// ---------------------------------------------------------------------------------------------
// YAML errors in the words of the format, at the line to fix
// ---------------------------------------------------------------------------------------------

/// Requires a diagnostic's words to be the format's: no Rust, serde or parser wording.
#[track_caller]
fn assert_format_words(d: &Value) {
    let text = format!("{} {} {}", d["message"], d["help"], d["notes"]);
    for word in [
        "Option<",
        "u32",
        "from_str",
        "serde",
        "scalar",
        "Budget",
        "deserializ",
        "indicator",
        "breached",
        "struct ",
        "sequence",
        "block collection",
        "end of input",
    ] {
        assert!(!text.contains(word), "{word:?} in {d:#}");
    }
}

/// The only diagnostic of a check that must report exactly one, at `file:line` with `code`;
/// in the format's words.
#[track_caller]
fn only(root: &Path, file: &str, line: u64, code: &str) -> Value {
    let diags = expect_exactly(root, &[(file, line, code)]);
    assert_format_words(&diags[0]);
    diags[0].clone()
}

fn text_of(d: &Value) -> String {
    format!("{} {}", d["message"], d["help"])
}

#[test]
fn an_unclosed_quote_is_reported_where_the_quoted_text_opens() {
    // Line 12's text loses its closing quote; the parser notices at line 17.
    let (file, text) = example_with_line(
        "old-bridge.yaml",
        12,
        "    text: \"We have heard September before, and then it was November",
    );
    let root = example_site(&[(&file, &text)]);
    let d = only(root.path(), &file, 12, "yaml-syntax");
    assert_eq!(d["column"], 11, "{d:#}");
    let words = text_of(&d);
    assert!(
        words.contains("never closed") && words.contains('"'),
        "{d:#}"
    );
    assert!(!words.contains("a list needs"), "{d:#}");
}

#[test]
fn a_tab_is_reported_on_its_own_line() {
    let (file, text) = example_with_line("old-bridge.yaml", 13, "\tspeaker: wei-chen");
    let root = example_site(&[(&file, &text)]);
    let d = only(root.path(), &file, 13, "yaml-syntax");
    assert!(
        text_of(&d).contains("indent with spaces, not tabs"),
        "{d:#}"
    );
}

#[test]
fn wrong_indentation_is_reported_on_its_line_with_the_indentation_expected() {
    // Three spaces: neither a field of the item (4) nor a new item (2).
    let (file, text) = example_with_line("old-bridge.yaml", 13, "   speaker: wei-chen");
    let root = example_site(&[(&file, &text)]);
    let d = only(root.path(), &file, 13, "yaml-syntax");
    let words = text_of(&d);
    assert!(words.contains("indented by 3 spaces"), "{d:#}");
    assert!(words.contains("indent it by 4 spaces"), "{d:#}");

    // Six: deeper than the field above it, which has its value.
    let (file, text) = example_with_line("old-bridge.yaml", 13, "      speaker: wei-chen");
    let root = example_site(&[(&file, &text)]);
    let d = only(root.path(), &file, 13, "yaml-syntax");
    assert!(text_of(&d).contains("indent it by 4 spaces"), "{d:#}");

    // An item's field at the items' indentation.
    let (file, text) = example_with_line("old-bridge.yaml", 13, "  speaker: wei-chen");
    let root = example_site(&[(&file, &text)]);
    let d = only(root.path(), &file, 13, "yaml-syntax");
    assert!(text_of(&d).contains("by 4 spaces"), "{d:#}");
}

#[test]
fn a_duplicate_key_names_both_lines() {
    let site = example_site(&[]);
    let mut text = std::fs::read_to_string(site.path().join("content/old-bridge.yaml")).unwrap();
    text.push_str("quotes: []\n"); // line 42; the first `quotes:` is on line 4
    let root = example_site(&[("content/old-bridge.yaml", &text)]);
    let d = only(root.path(), "content/old-bridge.yaml", 42, "duplicate-key");
    assert_eq!(d["notes"][0]["line"], 4, "{d:#}");

    // In a quote: the second `text:`.
    let (file, text) = example_with_line("old-bridge.yaml", 13, "    text: \"again\"");
    let root = example_site(&[(&file, &text)]);
    let d = only(root.path(), &file, 13, "duplicate-key");
    assert_eq!(d["notes"][0]["line"], 12, "{d:#}");
}

#[test]
fn an_empty_brief_yaml_says_the_title_is_missing() {
    for text in ["", "# nothing yet\n"] {
        let root = example_site(&[("brief.yaml", text)]);
        let d = only(root.path(), "brief.yaml", 1, "missing-field");
        assert!(text_of(&d).contains("title"), "{d:#}");
    }
}

#[test]
fn values_of_the_wrong_kind_are_told_in_the_words_of_the_format() {
    // (file, line to replace, its new text, the line reported, code, words the message has)
    #[rustfmt::skip]
    let cases: &[(&str, usize, &str, u64, &str, &str)] = &[
        // A quote without its speaker is reported at the quote.
        ("old-bridge.yaml", 13, "    speaker:", 11, "missing-field", "has no `speaker`"),
        ("old-bridge.yaml", 14, "    questions: [bridge-reopening, ~]", 14, "missing-field", "an item of `questions` is empty"),
        ("old-bridge.yaml", 14, "    occurrence: -1", 14, "wrong-type", "`occurrence` must be a whole number above 0"),
        ("old-bridge.yaml", 14, "    occurrence: 99999999999", 14, "wrong-type", "a whole number no larger than 4,294,967,295"),
        ("old-bridge.yaml", 14, "    questions: bridge-reopening", 14, "wrong-type", "`questions` must be a list"),
        ("old-bridge.yaml", 14, "    kind: quoted", 14, "wrong-type", "`quoted` is not an allowed value for `kind`"),
        ("old-bridge.yaml", 15, "---", 15, "yaml-syntax", "second YAML document"),
        ("old-bridge.md", 7, "  name:", 7, "missing-field", "`name` has no value"),
        ("old-bridge.md", 9, "tags: [example, [transport]]", 9, "wrong-type", "each item of `tags` must be text"),
        ("old-bridge.md", 9, "draft: perhaps", 9, "wrong-type", "`draft` must be `true` or `false`"),
        ("speakers.yaml", 5, "  kind: persn", 5, "wrong-type", "did you mean `person`?"),
    ];
    for (file, line, with, at, code, words) in cases {
        let (file, text) = example_with_line(file, *line, with);
        let root = example_site(&[(&file, &text)]);
        let d = only(root.path(), &file, *at, code);
        assert!(text_of(&d).contains(words), "{file}:{line} {with:?}: {d:#}");
    }
}

#[test]
fn a_text_with_a_colon_or_after_its_quotes_gets_the_value_to_paste() {
    let (file, text) =
        example_with_line("old-bridge.yaml", 12, "    text: We have heard: September");
    let root = example_site(&[(&file, &text)]);
    let d = only(root.path(), &file, 12, "yaml-syntax");
    assert!(
        text_of(&d).contains("`text: \\\"We have heard: September\\\"`"),
        "{d:#}"
    );

    let (file, text) = example_with_line(
        "old-bridge.yaml",
        12,
        "    text: \"We have heard\" September before",
    );
    let root = example_site(&[(&file, &text)]);
    let d = only(root.path(), &file, 12, "yaml-syntax");
    assert!(
        text_of(&d).contains("`text: '\\\"We have heard\\\" September before'`"),
        "{d:#}"
    );
}

// ---------------------------------------------------------------------------------------------
// Fixes to paste: the exact YAML value that would work
// ---------------------------------------------------------------------------------------------

/// An article in which "Hello world" is said twice, once after `meeting "`.
const HELLO: &str = "---\ntitle: Hello\ndate: 2024-01-01\n---\n\
                     Before the meeting \"Hello world\" was said, and later \"Hello world\" again.\n\n\
                     There is a clear possibility of rain \u{2014} she said.\n";

/// The single diagnostic of `code` for `content/a.yaml` (beside [`HELLO`]) on line 2.
#[track_caller]
fn hello_diag(yaml: &str, code: &str, line: u64) -> Value {
    let root = site(&[
        ("brief.yaml", CONFIG),
        ("content/speakers.yaml", SPEAKERS),
        ("content/a.md", HELLO),
        ("content/a.yaml", yaml),
    ]);
    let diags = expect_exactly(root.path(), &[("content/a.yaml", line, code)]);
    assert_format_words(&diags[0]);
    diags[0].clone()
}

#[test]
fn a_text_not_found_gets_the_closest_passage_to_paste() {
    let d = hello_diag(
        &lines(&[
            "quotes:",
            "  - text: \"there is a clear posibility of rain\"", // 2
            "    speaker: alice",
        ]),
        "text-not-found",
        2,
    );
    let help = d["help"].as_str().unwrap();
    assert!(
        help.contains("`text: \"There is a clear possibility of rain\"`"),
        "{help}"
    );
    assert!(help.contains("content/a.md:7"), "{help}");
}

#[test]
fn a_part_not_found_gets_the_part_to_paste() {
    let d = hello_diag(
        &lines(&[
            "quotes:",
            "  - parts: [\"Before the\", \"meting Hello\"]", // 2
            "    speaker: alice",
        ]),
        "text-not-found",
        2,
    );
    let help = d["help"].as_str().unwrap();
    assert!(
        help.contains("write this part as 'meeting \"Hello'"),
        "{help}"
    );
}

#[test]
fn a_prefix_or_suffix_that_never_fits_gets_the_one_that_does() {
    // The words before the text end with the quotation mark, which the prefix lacks.
    let d = hello_diag(
        &lines(&[
            "quotes:",
            "  - text: \"Hello world\"", // 2
            "    speaker: alice",
            "    prefix: meeting",
        ]),
        "text-not-found",
        2,
    );
    let help = d["help"].as_str().unwrap();
    assert!(help.contains("`prefix: 'meeting \"'`"), "{help}");

    let d = hello_diag(
        &lines(&[
            "quotes:",
            "  - text: \"Hello world\"", // 2
            "    speaker: alice",
            "    suffix: again",
        ]),
        "text-not-found",
        2,
    );
    let help = d["help"].as_str().unwrap();
    assert!(help.contains("`suffix: '\" again.'`"), "{help}");
}

#[test]
fn an_ambiguous_text_offers_contexts_quoted_for_yaml() {
    let root = site(&[
        ("brief.yaml", CONFIG),
        ("content/speakers.yaml", SPEAKERS),
        ("content/a.md", HELLO),
        (
            "content/a.yaml",
            &lines(&["quotes:", "  - text: \"Hello world\"", "    speaker: alice"]),
        ),
    ]);
    let diags = expect_exactly(
        root.path(),
        &[
            ("content/a.yaml", 2, "ambiguous-text"),
            ("content/a.yaml", 2, "fragile-quote"),
        ],
    );
    let notes = diags
        .iter()
        .find(|d| d["code"] == "ambiguous-text")
        .unwrap()["notes"]
        .to_string();
    assert!(notes.contains("`suffix: '\\\" was'`"), "{notes}");
    assert!(notes.contains("`prefix: 'later \\\"'`"), "{notes}");
}

#[test]
fn a_huge_text_not_found_makes_no_huge_line() {
    let huge = "there is a clear possibility of rain ".repeat(30_000); // 1 MB
    let yaml = format!("quotes:\n  - text: \"{huge}\"\n    speaker: alice\n");
    let root = site(&[
        ("brief.yaml", CONFIG),
        ("content/speakers.yaml", SPEAKERS),
        ("content/a.md", HELLO),
        ("content/a.yaml", &yaml),
    ]);
    let diags = expect_exactly(root.path(), &[("content/a.yaml", 2, "text-not-found")]);
    let d = diags[0].to_string();
    assert!(d.len() < 2000, "{} bytes: {}", d.len(), &d[..2000]);
    let run = brief(&["check", "--root", &path_str(root.path())]);
    let longest = run.stderr.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 1000, "a line of {longest} bytes");
}

// ---------------------------------------------------------------------------------------------
// `brief check --format github`
// ---------------------------------------------------------------------------------------------

#[test]
fn check_writes_github_workflow_commands() {
    let root = example_site(&[
        ("content/second.md", SECOND_MD),
        (
            "content/second.yaml",
            &lines(&[
                "quotes:",                              // 1
                "  - text: \"said hello to everyone\"", // 2
                "    speaker: nobody",                  // 3
                "  - text: hello",                      // 4: fragile
                "    speaker: ada-okafor",              // 5
            ]),
        ),
    ]);
    let run = brief(&[
        "check",
        "--root",
        &path_str(root.path()),
        "--format",
        "github",
    ]);
    run.assert_code(1);
    // `brief` runs in the temporary folder: files are named from there.
    let site = root.path().file_name().unwrap().to_str().unwrap();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert_eq!(
        lines[1],
        format!(
            "::warning file={site}/content/second.yaml,line=4,col=11,title=fragile-quote::\
             the quote `q2` is shorter than three words and has no `prefix` or `suffix`%0A\
             help: short texts easily match somewhere else after an edit; add `prefix:` or \
             `suffix:` with the words around it"
        )
    );
    assert!(
        lines[0].starts_with(&format!(
            "::error file={site}/content/second.yaml,line=3,col=14,title=unknown-speaker::unknown speaker `nobody`%0Ahelp: "
        )),
        "{}",
        lines[0]
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn the_github_pages_workflow_checks_before_it_builds_and_publishes_no_pull_request() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/github-pages.yml");
    let text = std::fs::read_to_string(path).unwrap();
    let workflow: Value = serde_saphyr::from_str(&text).unwrap();
    let runs: Vec<&str> = workflow["jobs"]["build"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    let check = runs
        .iter()
        .position(|r| r.contains("brief check --format github"));
    let build = runs.iter().position(|r| r.contains("brief build"));
    assert!(check.is_some() && check < build, "{runs:?}");
    assert!(workflow["on"].get("pull_request").is_some(), "{text}");
    assert_eq!(
        workflow["jobs"]["deploy"]["if"], "github.event_name != 'pull_request'",
        "{text}"
    );
}

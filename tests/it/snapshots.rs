//! Snapshots of the human diagnostic format: what a writer sees, exactly.

use crate::common;

/// The site the snapshot is taken on: a typo, an ambiguous short quote, an unknown speaker.
fn broken_site() -> tempfile::TempDir {
    common::site(&[
        ("brief.yaml", "title: T\nbase_url: https://example.org/\n"),
        (
            "content/speakers.yaml",
            "rasmussen:\n  name: Anders Fogh Rasmussen\n",
        ),
        (
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\n---\nSecurity guarantees need to cover intelligence sharing, he said.\nHe said no. She said no.\n",
        ),
        (
            "content/a.yaml",
            "quotes:\n  - text: guarantes need to cover inteligence sharing\n    speaker: rasmussen\n  - text: said no\n    speaker: rasmussen\n  - text: Security guarantees need\n    speaker: rasmusen\n",
        ),
    ])
}

const EXPECTED: &str = r#"error[text-not-found]: the text of the quote `q1` is not in the article
 --> content/a.yaml:2:11
  |
2 |   - text: guarantes need to cover inteligence sharing
  |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  |
help: the closest passage is at content/a.md:5 (it has "guarantees need to cover intelligence" where the annotation has "guarantes need to cover inteligence"); to mark it, write `text: "guarantees need to cover intelligence sharing"`

error[ambiguous-text]: the text of the quote `q2` is found 2 times in the article
 --> content/a.yaml:4:11
  |
4 |   - text: said no
  |           ^^^^^^^
  |
note: match 1 at content/a.md:6: "...lligence sharing, he said. He said no. She said no." (pick it with `prefix: "He"`)
note: match 2 at content/a.md:6: "...ing, he said. He said no. She said no." (pick it with `prefix: "She"`)
help: add the `prefix` or `suffix` shown for the match you mean (or `occurrence: N`)

warning[fragile-quote]: the quote `q2` is shorter than three words and has no `prefix` or `suffix`
 --> content/a.yaml:4:11
  |
4 |   - text: said no
  |           ^^^^^^^
  |
help: short texts easily match somewhere else after an edit; add `prefix:` or `suffix:` with the words around it

error[unknown-speaker]: unknown speaker `rasmusen`
 --> content/a.yaml:7:14
  |
7 |     speaker: rasmusen
  |              ^^^^^^^^
  |
help: did you mean `rasmussen`?

3 errors, 1 warning
"#;

#[test]
fn the_human_format_is_stable() {
    let site = broken_site();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_brief"))
        .args(["check", "--root"])
        .arg(site.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr, EXPECTED, "the human format changed:\n{stderr}");
}

#[test]
fn colour_is_off_when_not_on_a_terminal_even_without_no_color() {
    let site = broken_site();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_brief"))
        .args(["check", "--root"])
        .arg(site.path())
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains('\u{1b}'), "escape codes in piped output");
    assert_eq!(stderr, EXPECTED);
}

//! Robustness: random articles with random annotations, some of them broken on purpose, must
//! never panic the pipeline; whenever the build succeeds, its pages honour the data-ann
//! contract. This is the fuzzing harness that runs with the test suite (see
//! docs/format.md, "Fuzzing", for running it longer).

use crate::common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use brief::config::Overrides;
use brief::{BuildOptions, build};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "delta",
    "NATO",
    "Kyiv",
    "it's",
    "“quoted”",
    "—",
    "…",
    "a&b",
    "<b>",
    "x",
    "said",
];

/// One piece of an article: a word with some Markdown around it, or a block break.
#[derive(Debug, Clone)]
enum Piece {
    Word(usize),
    Emphasis(usize),
    Strong(usize),
    Code(usize),
    Link(usize),
    SoftBreak,
    Paragraph,
    ListItem,
    Quote,
    Heading,
    Footnote,
}

fn piece() -> impl Strategy<Value = Piece> {
    let w = 0..WORDS.len();
    prop_oneof![
        6 => w.clone().prop_map(Piece::Word),
        1 => w.clone().prop_map(Piece::Emphasis),
        1 => w.clone().prop_map(Piece::Strong),
        1 => w.clone().prop_map(Piece::Code),
        1 => w.prop_map(Piece::Link),
        1 => Just(Piece::SoftBreak),
        1 => Just(Piece::Paragraph),
        1 => Just(Piece::ListItem),
        1 => Just(Piece::Quote),
        1 => Just(Piece::Heading),
        1 => Just(Piece::Footnote),
    ]
}

/// The Markdown of an article, and the words a reader sees, in order.
fn article(pieces: &[Piece]) -> (String, Vec<&'static str>) {
    let mut md = String::from("Start ");
    let mut words = vec!["Start"];
    let mut line_start = false;
    for p in pieces {
        // A line that starts with a lone HTML tag starts an HTML block (CommonMark), which
        // shows the lines after it as they are written: keep `<b>` off the start of a line.
        let word = match p {
            Piece::Word(i) | Piece::Emphasis(i) | Piece::Strong(i) | Piece::Code(i) => Some(*i),
            Piece::Link(i) => Some(*i),
            _ => None,
        };
        if line_start && word.is_some_and(|i| WORDS[i].starts_with('<')) {
            md.push_str("x ");
            words.push("x");
        }
        line_start = matches!(
            p,
            Piece::SoftBreak | Piece::Paragraph | Piece::ListItem | Piece::Quote | Piece::Heading
        );
        match p {
            Piece::Word(i) => {
                md.push_str(WORDS[*i]);
                words.push(WORDS[*i]);
            }
            Piece::Emphasis(i) => {
                md.push_str(&format!("*{}*", WORDS[*i]));
                words.push(WORDS[*i]);
            }
            Piece::Strong(i) => {
                md.push_str(&format!("**{}**", WORDS[*i]));
                words.push(WORDS[*i]);
            }
            Piece::Code(i) => {
                md.push_str(&format!("`{}`", WORDS[*i]));
                words.push(WORDS[*i]);
            }
            Piece::Link(i) => {
                md.push_str(&format!("[{}](https://example.com/x)", WORDS[*i]));
                words.push(WORDS[*i]);
            }
            Piece::SoftBreak => md.push('\n'),
            Piece::Paragraph => md.push_str("\n\n"),
            Piece::ListItem => md.push_str("\n\n- "),
            Piece::Quote => md.push_str("\n\n> "),
            Piece::Heading => md.push_str("\n\n## "),
            Piece::Footnote => md.push_str("[^n]"),
        }
        md.push(' ');
    }
    md.push_str("\n\n[^n]: A footnote.\n");
    (md, words)
}

/// A double-quoted YAML string.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Annotations over word spans; `spans` index into `words`. With `breakage`, one character of
/// the YAML is replaced, which may or may not break it.
fn annotations(
    words: &[&str],
    spans: &[(usize, usize, bool)],
    breakage: Option<(usize, char)>,
) -> String {
    let mut yaml = String::from("speakers:\n  someone:\n    name: Some One\nquotes:\n");
    for (i, &(a, len, split)) in spans.iter().enumerate() {
        let start = a % words.len();
        let end = (start + 1 + len).min(words.len());
        let text: Vec<&str> = words[start..end].to_vec();
        yaml.push_str(&format!(
            "  - id: a{i}\n    speaker: someone\n    occurrence: 1\n"
        ));
        if split && text.len() >= 2 {
            let mid = text.len() / 2;
            yaml.push_str(&format!(
                "    parts: [{}, {}]\n",
                q(&text[..mid].join(" ")),
                q(&text[mid..].join(" "))
            ));
        } else {
            yaml.push_str(&format!("    text: {}\n", q(&text.join(" "))));
        }
    }
    if let Some((at, c)) = breakage {
        let mut chars: Vec<char> = yaml.chars().collect();
        let i = at % chars.len();
        chars[i] = c;
        yaml = chars.into_iter().collect();
    }
    yaml
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn random_sites_never_panic_and_successful_builds_honour_the_contract(
        pieces in proptest::collection::vec(piece(), 1..40),
        spans in proptest::collection::vec((0usize..64, 0usize..6, any::<bool>()), 0..6),
        breakage in proptest::option::weighted(0.3, (0usize..4096, prop_oneof![Just(':'), Just('"'), Just(' '), Just('\n'), Just('['), Just('x')])),
    ) {
        let (md, words) = article(&pieces);
        let yaml = annotations(&words, &spans, breakage);
        let site = common::site(&[
            ("brief.yaml", "title: Fuzz\nbase_url: https://example.org/\n"),
            ("content/a.md", &format!("---\ntitle: A\ndate: 2024-01-01\n---\n{md}")),
            ("content/a.yaml", &yaml),
        ]);
        let out = site.path().join("out");
        let opts = BuildOptions {
            root: site.path().to_path_buf(),
            overrides: Overrides { output_dir: Some(out.clone()), base_url: None },
            drafts: false,
            write: true,
            force: false,
        };
        let report = catch_unwind(AssertUnwindSafe(|| build(&opts)));
        prop_assert!(report.is_ok(), "the build panicked on:\n{md}\n---\n{yaml}");
        let report = report.unwrap();
        if breakage.is_none() {
            // Every span is a run of the article's words, so it must anchor.
            prop_assert!(!report.failed(), "{:?}\n{md}\n---\n{yaml}", report.diagnostics);
        }
        if !report.failed() {
            common::check_data_ann_contract(site.path(), &out);
        }
        // Rendering the diagnostics must not panic either.
        let _ = brief::diag::render_human(&report.diagnostics, &report.sources, false);
    }
}

//! Differential test of the fast YAML reader against serde-saphyr.
//!
//! `brief::yaml::fast::from_str` may decline a document (`None`), but whenever it accepts one,
//! serde-saphyr (with duplicate keys passed through, as `brief::yaml::parse` calls it) must
//! accept it too and give the same value: the same `Debug` text, so every `Spanned` position
//! (line, column, span offset, length and byte info) included.
//!
//! - `core_documents_are_read_alike`: random annotations, front matter, speakers and questions
//!   files inside the subset the fast reader supports. Both readers must accept them, alike.
//! - `mutated_documents_are_read_alike_when_accepted`: the same documents with a few random
//!   edits (YAML indicators, tabs, BOMs, deleted ranges, duplicated or re-indented lines,
//!   values replaced by `null`, `True`, `0x1F`, `4294967296`...). Whatever the fast reader
//!   accepts, serde-saphyr must read alike.
//! - `real_content_is_read_alike_when_accepted`: every YAML file and front matter under
//!   `content/` and `tests/fixtures/`.
//!
//! A failure is reported with the document minimized, escaped, and both readings. Set
//! `PROPTEST_CASES=N` to run N cases per property instead of the defaults below; the ignored
//! tests `one_document` and `show_generated_documents` help to look into a document and into
//! the generators.

use std::cell::Cell;
use std::fmt::Debug;
use std::panic::catch_unwind;
use std::path::{Path, PathBuf};

use brief::input::{AnnotationsFile, FrontMatter, QuestionsFile, SpeakersFile};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use serde::de::DeserializeOwned;

const CORE_CASES: u32 = 400;
const MUTATED_CASES: u32 = 1500;

// ---------------------------------------------------------------------------------------------
// The two readers

/// The reference: how `brief::yaml::parse` calls serde-saphyr.
fn saphyr<T: DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
    };
    serde_saphyr::from_str_with_options::<T>(text, options)
}

/// Both readings of one document, as `Debug` text.
struct Readings {
    /// `Err` if the fast reader panicked.
    fast: Result<Option<String>, String>,
    saphyr: Result<String, String>,
}

fn read_both<T: DeserializeOwned + Debug>(text: &str) -> Readings {
    let fast = catch_unwind(|| brief::yaml::fast::from_str::<T>(text).map(|v| format!("{v:?}")))
        .map_err(|panic| {
            panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default()
        });
    Readings {
        fast,
        saphyr: saphyr::<T>(text)
            .map(|v| format!("{v:?}"))
            .map_err(|e| e.to_string()),
    }
}

/// The four kinds of YAML document `brief` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Annotations,
    FrontMatter,
    Speakers,
    Questions,
}

const KINDS: [Kind; 4] = [
    Kind::Annotations,
    Kind::FrontMatter,
    Kind::Speakers,
    Kind::Questions,
];

impl Kind {
    fn read(self, text: &str) -> Readings {
        match self {
            Kind::Annotations => read_both::<AnnotationsFile>(text),
            Kind::FrontMatter => read_both::<FrontMatter>(text),
            Kind::Speakers => read_both::<SpeakersFile>(text),
            Kind::Questions => read_both::<QuestionsFile>(text),
        }
    }

    fn index(self) -> usize {
        KINDS.iter().position(|&k| k == self).unwrap()
    }
}

/// What can go wrong with one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    /// The fast reader panicked.
    Panicked,
    /// The fast reader accepted a document serde-saphyr rejects.
    AcceptedInvalid,
    /// Both readers accepted the document, with different values.
    Different,
    /// A document of the supported subset that serde-saphyr rejects: the generator is wrong.
    Invalid,
    /// The fast reader declined a document of the supported subset.
    Declined,
}

/// What is wrong with `r`, the readings of one document. With `in_subset`, both readers must
/// also accept the document.
fn problem(r: &Readings, in_subset: bool) -> Option<Problem> {
    match (&r.fast, &r.saphyr) {
        (Err(_), _) => Some(Problem::Panicked),
        (Ok(Some(_)), Err(_)) => Some(Problem::AcceptedInvalid),
        (Ok(Some(fast)), Ok(reference)) if fast != reference => Some(Problem::Different),
        (Ok(None), Err(_)) if in_subset => Some(Problem::Invalid),
        (Ok(None), Ok(_)) if in_subset => Some(Problem::Declined),
        _ => None,
    }
}

/// A failure report: the document (as is and escaped) and both readings.
fn report(kind: Kind, text: &str, problem: &str) -> String {
    let r = kind.read(text);
    let fast = match &r.fast {
        Ok(Some(v)) => v.clone(),
        Ok(None) => "None (declined)".to_string(),
        Err(panic) => format!("panicked: {panic}"),
    };
    let saphyr = match &r.saphyr {
        Ok(v) => v.clone(),
        Err(e) => format!("Err: {e}"),
    };
    let mut s = format!(
        "{problem} ({kind:?} document):\n{text}\n-- escaped: {text:?}\n-- fast:   {fast}\n-- saphyr: {saphyr}\n"
    );
    if let (Ok(Some(a)), Ok(b)) = (&r.fast, &r.saphyr) {
        let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
        let context = |v: &str| {
            let near = |i: usize| (0..=i.min(v.len())).rev().find(|&i| v.is_char_boundary(i));
            let (from, to) = (near(at.saturating_sub(80)), near(at + 80));
            v[from.unwrap_or(0)..to.unwrap_or(v.len())].to_string()
        };
        s.push_str(&format!(
            "-- first difference at byte {at}:\n   fast:   …{}…\n   saphyr: …{}…\n",
            context(a),
            context(b)
        ));
    }
    s
}

/// Shrinks `text` while `fails` holds: drops whole lines, then runs of characters.
fn minimize(text: &str, fails: impl Fn(&str) -> bool) -> String {
    let mut text = text.to_string();
    loop {
        let before = text.len();
        let mut i = 0;
        loop {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            if i >= lines.len() {
                break;
            }
            let candidate = [&lines[..i], &lines[i + 1..]].concat().concat();
            if fails(&candidate) {
                text = candidate;
            } else {
                i += 1;
            }
        }
        for chunk in [16, 4, 1] {
            let mut i = 0;
            loop {
                let bounds: Vec<usize> = text
                    .char_indices()
                    .map(|(b, _)| b)
                    .chain([text.len()])
                    .collect();
                if i + 1 >= bounds.len() {
                    break;
                }
                let end = bounds[(i + chunk).min(bounds.len() - 1)];
                let candidate = format!("{}{}", &text[..bounds[i]], &text[end..]);
                if fails(&candidate) {
                    text = candidate;
                } else {
                    i += chunk;
                }
            }
        }
        if text.len() == before {
            return text;
        }
    }
}

/// How many documents of each kind were read, valid for serde-saphyr, accepted by `fast`.
#[derive(Default)]
struct Tally {
    read: [Cell<usize>; 4],
    valid: [Cell<usize>; 4],
    accepted: [Cell<usize>; 4],
}

impl Tally {
    fn add(&self, kind: Kind, r: &Readings) {
        let k = kind.index();
        let bump = |c: &Cell<usize>, yes: bool| c.set(c.get() + usize::from(yes));
        bump(&self.read[k], true);
        bump(&self.valid[k], r.saphyr.is_ok());
        bump(&self.accepted[k], matches!(r.fast, Ok(Some(_))));
    }

    fn print(&self, what: &str) {
        for kind in KINDS {
            let k = kind.index();
            eprintln!(
                "{what}: {kind:?}: {} documents, {} valid for serde-saphyr, {} accepted by the fast reader",
                self.read[k].get(),
                self.valid[k].get(),
                self.accepted[k].get()
            );
        }
    }
}

/// Checks `cases` documents from `documents` (or `PROPTEST_CASES`). A failing document is
/// shrunk by proptest, then further by [`minimize`], and reported with both readings. No
/// regression file is written.
fn run(what: &str, default_cases: u32, documents: BoxedStrategy<(Kind, String)>, in_subset: bool) {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_cases);
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        // Shrinking through the generators is slow and weak; `minimize` does better, except
        // for declined documents.
        max_shrink_iters: 1000,
        ..ProptestConfig::default()
    };
    let tally = Tally::default();
    let result = TestRunner::new(config).run(&documents, |(kind, text)| {
        let r = kind.read(&text);
        tally.add(kind, &r);
        match problem(&r, in_subset) {
            Some(p) => Err(TestCaseError::fail(format!("{p:?}"))),
            None => Ok(()),
        }
    });
    tally.print(what);
    if let Err(TestError::Fail(_, (kind, text))) = result {
        let found = problem(&kind.read(&text), in_subset).expect("a failing document");
        if found == Problem::Declined {
            // Cutting the document up would soon leave the subset: report it as shrunk.
            panic!("{}", report(kind, &text, &format!("{found:?}")));
        }
        let small = minimize(&text, |t| {
            t.ends_with('\n') == text.ends_with('\n')
                && problem(&kind.read(t), in_subset) == Some(found)
        });
        panic!(
            "{}-- before minimizing: {text:?}",
            report(kind, &small, &format!("{found:?}"))
        );
    } else if let Err(e) = result {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Words

/// Words that may start a plain scalar or one of its lines: no indicator first, and none that
/// YAML would read as null, a boolean or a number.
const FIRST_WORDS: &[&str] = &[
    "alliance",
    "Security",
    "summit",
    "NATO",
    "G7",
    "x",
    "Zelenskyy",
    "café",
    "über",
    "Łódź",
    "naïve",
    "émigré",
    "ünd",
    "日本",
    "Ελλάδα",
    "Київ",
    "😀ok",
    "🇺🇦",
    "Poland's",
    "a.b",
    "well-known",
    "C#",
    "a:b",
    "Q57289",
];

/// Words that may follow a space inside a plain scalar: inner punctuation, but never ` #`,
/// `: ` or a trailing `:`.
const INNER_WORDS: &[&str] = &[
    "it's",
    "\"quoted\"",
    "'single'",
    "*emphasis*",
    "**strong**",
    "a,b",
    "end.",
    "(note)",
    "12:30",
    "2023-06-08",
    "3.5",
    "42",
    "—",
    "…",
    "-",
    "100%",
    "@handle",
    "`code`",
    "[link](../x/#frag)",
    "&amp;",
    "!bang",
    "?",
    "|pipe",
    "x]",
    "{y}",
    ">",
    "ł",
    "true",
    "null",
    "~",
    "a\\b",
    "https://example.org/a?b=c#d",
];

/// Extra words for quoted scalars: what a plain one could not hold.
const QUOTED_ONLY_WORDS: &[&str] = &[
    "key: value",
    "# not a comment",
    "- item",
    "[a, b]",
    "{a: b}",
    "&anchor",
    "*alias",
    "!tag",
    "|",
    ">",
    "%",
    "@",
    "`",
    "ends:",
    " ",
    "",
];

/// Escapes a double-quoted scalar may use.
const ESCAPES: &[&str] = &[
    "\\\"", "\\\\", "\\n", "\\t", "\\/", "\\u00e9", "\\x41", "\\u263A",
];

/// Ids that come up again, so that a mapping of ids sometimes holds a key twice.
const COMMON_IDS: &[&str] = &[
    "rasmussen",
    "speaker-3",
    "guarantees-vs-membership",
    "q1",
    "the-guardian",
];

fn first_word() -> BoxedStrategy<&'static str> {
    select(FIRST_WORDS).boxed()
}

fn inner_word() -> BoxedStrategy<&'static str> {
    prop_oneof![select(FIRST_WORDS), select(INNER_WORDS)].boxed()
}

fn any_word() -> BoxedStrategy<&'static str> {
    prop_oneof![
        3 => select(FIRST_WORDS),
        3 => select(INNER_WORDS),
        2 => select(QUOTED_ONLY_WORDS),
    ]
    .boxed()
}

/// Words joined by one space, now and then two.
fn join_words(words: &[&str], wide: &[bool]) -> String {
    let mut s = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            s.push_str(if wide[i % wide.len()] { "  " } else { " " });
        }
        s.push_str(w);
    }
    s
}

/// One line of a plain scalar: a safe first word, then any inner words.
fn plain_line(max_words: usize) -> BoxedStrategy<String> {
    (
        first_word(),
        vec(inner_word(), 0..max_words),
        vec(prop::bool::weighted(0.1), 1..4),
    )
        .prop_map(|(first, rest, wide)| {
            let mut words = vec![first];
            words.extend(rest);
            join_words(&words, &wide)
        })
        .boxed()
}

/// `[a-z0-9-]` ids, as written for speakers, questions and quotes.
fn id() -> BoxedStrategy<String> {
    prop_oneof![
        2 => select(COMMON_IDS).prop_map(String::from),
        3 => "[a-z][a-z0-9]{0,7}(-[a-z0-9]{1,8}){0,3}"
            .prop_filter("a word YAML reads as something else", |s| !matches!(
                s.as_str(),
                "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "nan" | "inf"
            )),
    ]
    .boxed()
}

fn comment_text() -> BoxedStrategy<String> {
    (
        prop::bool::weighted(0.8),
        vec(any_word(), 0..6),
        vec(prop::bool::weighted(0.1), 1..3),
    )
        .prop_map(|(space, words, wide)| {
            let text = join_words(&words, &wide);
            if space { format!(" {text}") } else { text }
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Layout: spaces, comments, blank lines

fn spaces(range: std::ops::RangeInclusive<usize>) -> BoxedStrategy<String> {
    range.prop_map(|n| " ".repeat(n)).boxed()
}

/// Nothing, or a comment after a value: `   # ...`.
fn trailing_comment() -> BoxedStrategy<String> {
    prop_oneof![
        4 => Just(String::new()),
        1 => (spaces(1..=4), comment_text()).prop_map(|(s, c)| format!("{s}#{c}")),
    ]
    .boxed()
}

/// A blank line or a full-line comment at any indentation.
fn filler_line() -> BoxedStrategy<String> {
    prop_oneof![
        Just("\n".to_string()),
        (spaces(0..=8), comment_text()).prop_map(|(s, c)| format!("{s}#{c}\n")),
    ]
    .boxed()
}

/// What may stand between two entries: usually nothing, else blank lines and comments.
fn between_entries() -> BoxedStrategy<String> {
    prop_oneof![
        5 => Just(String::new()),
        1 => vec(filler_line(), 1..=3).prop_map(|lines| lines.concat()),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Scalars. A value generator gets the indentation of its key and returns everything after the
// key's colon, final line break included.

/// A line break inside a scalar: the next line indented deeper than the key.
fn continuation_indent(key_indent: usize) -> BoxedStrategy<String> {
    spaces(key_indent + 1..=key_indent + 4)
}

/// A plain scalar, on one line or wrapped over several.
fn plain_scalar(key_indent: usize) -> BoxedStrategy<String> {
    prop_oneof![
        3 => plain_line(8),
        1 => (
            plain_line(6),
            vec((continuation_indent(key_indent), plain_line(5)), 1..=3)
        )
            .prop_map(|(first, rest)| {
                let mut s = first;
                for (indent, line) in rest {
                    s.push_str(&format!("\n{indent}{line}"));
                }
                s
            }),
    ]
    .boxed()
}

/// How a quoted scalar goes on at a space: on the same line, on the next (folded to a space),
/// after a blank line (a line break), or after an escaped line break (`\`, double quotes only).
#[derive(Debug, Clone, Copy)]
enum Gap {
    Space,
    DoubleSpace,
    Glued,
    Fold,
    BlankLine,
    Escaped,
}

fn gap(wrapped: bool, double: bool) -> BoxedStrategy<Gap> {
    if !wrapped {
        return prop_oneof![
            8 => Just(Gap::Space),
            1 => Just(Gap::DoubleSpace),
            1 => Just(Gap::Glued),
        ]
        .boxed();
    }
    let wrapping = prop_oneof![
        8 => Just(Gap::Space),
        1 => Just(Gap::Glued),
        3 => Just(Gap::Fold),
        1 => Just(Gap::BlankLine),
    ];
    if double {
        prop_oneof![12 => wrapping, 1 => Just(Gap::Escaped)].boxed()
    } else {
        wrapping.boxed()
    }
}

/// A quoted scalar's pieces joined by gaps, lines after a break indented deeper than the key.
fn quoted(
    key_indent: usize,
    quote: char,
    pieces: BoxedStrategy<Vec<String>>,
) -> BoxedStrategy<String> {
    let double = quote == '"';
    prop::bool::weighted(0.3)
        .prop_flat_map(move |wrapped| {
            (
                pieces.clone(),
                vec(gap(wrapped, double), 1..6),
                vec(continuation_indent(key_indent), 1..4),
            )
        })
        .prop_map(move |(pieces, gaps, indents)| {
            let mut s = String::from(quote);
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 {
                    let indent = &indents[i % indents.len()];
                    match gaps[i % gaps.len()] {
                        Gap::Space => s.push(' '),
                        Gap::DoubleSpace => s.push_str("  "),
                        Gap::Glued => {}
                        Gap::Fold => s.push_str(&format!("\n{indent}")),
                        Gap::BlankLine => s.push_str(&format!("\n\n{indent}")),
                        Gap::Escaped => s.push_str(&format!(" \\\n{indent}")),
                    }
                }
                s.push_str(piece);
            }
            s.push(quote);
            s
        })
        .boxed()
}

fn double_quoted(key_indent: usize) -> BoxedStrategy<String> {
    let piece = prop_oneof![
        4 => any_word().prop_map(|w| w.replace('\\', "\\\\").replace('"', "\\\"")),
        1 => select(ESCAPES).prop_map(String::from),
    ];
    quoted(key_indent, '"', vec(piece, 0..8).boxed())
        .prop_filter("declined: a blank line after an escaped line break", |s| {
            !escaped_break_before_blank_line(s)
        })
        .boxed()
}

/// Whether a line of a double-quoted scalar ends in an escaped line break (an odd number of
/// `\`) and the next line is blank. The fast reader declines that rare case, so the core
/// documents leave it out.
fn escaped_break_before_blank_line(s: &str) -> bool {
    let lines: Vec<&str> = s.split('\n').collect();
    lines.windows(2).any(|pair| {
        let backslashes = pair[0].len() - pair[0].trim_end_matches('\\').len();
        backslashes % 2 == 1 && pair[1].trim().is_empty()
    })
}

fn single_quoted(key_indent: usize) -> BoxedStrategy<String> {
    let piece = prop_oneof![
        5 => any_word().prop_map(|w| w.replace('\'', "''")),
        1 => Just("''".to_string()),
    ];
    quoted(key_indent, '\'', vec(piece, 0..8).boxed())
}

/// `key: <scalar>   # comment`, the scalar written by `scalar`.
fn inline(scalar: BoxedStrategy<String>) -> BoxedStrategy<String> {
    (spaces(1..=3), scalar, trailing_comment())
        .prop_map(|(s, v, c)| format!("{s}{v}{c}\n"))
        .boxed()
}

/// Free text: plain, double- or single-quoted, maybe wrapped.
fn text_scalar(key_indent: usize) -> BoxedStrategy<String> {
    prop_oneof![
        3 => plain_scalar(key_indent),
        2 => double_quoted(key_indent),
        1 => single_quoted(key_indent),
    ]
    .boxed()
}

fn text(key_indent: usize) -> BoxedStrategy<String> {
    prop_oneof![5 => inline(text_scalar(key_indent)), 1 => block_scalar(key_indent)].boxed()
}

/// One line of a block scalar's body, before its indentation: text (which may look like a
/// comment or a mapping, and in a literal scalar may be indented further), or a blank line
/// holding a few spaces or none.
#[derive(Debug, Clone)]
enum BodyLine {
    Text(String),
    Deeper(String),
    Blank(usize),
}

fn body_line(literal: bool) -> BoxedStrategy<BodyLine> {
    let text = prop_oneof![
        6 => plain_line(6),
        1 => plain_line(3).prop_map(|l| format!("# {l}")),
        1 => plain_line(3).prop_map(|l| format!("{l}: {l} #x")),
    ];
    let deeper =
        (spaces(1..=3), plain_line(4)).prop_map(|(s, l)| BodyLine::Deeper(format!("{s}{l}")));
    if literal {
        prop_oneof![5 => text.prop_map(BodyLine::Text), 1 => deeper, 2 => (0..3usize).prop_map(BodyLine::Blank)].boxed()
    } else {
        prop_oneof![5 => text.prop_map(BodyLine::Text), 2 => (0..3usize).prop_map(BodyLine::Blank)]
            .boxed()
    }
}

/// `key: |` or `key: >` (maybe `-` to strip the last line break) and the lines below,
/// indented deeper than the key; blank lines inside and after.
fn block_scalar(key_indent: usize) -> BoxedStrategy<String> {
    (any::<bool>(), any::<bool>(), 1..=4usize, trailing_comment())
        .prop_flat_map(move |(literal, strip, deeper, comment)| {
            (
                Just((literal, strip, key_indent + deeper, comment)),
                plain_line(6),
                vec(body_line(literal), 0..6),
                0..3usize,
            )
        })
        .prop_map(
            |((literal, strip, indent, comment), first, body, trailing_blanks)| {
                let pad = " ".repeat(indent);
                let mut s = format!(
                    " {}{}{comment}\n{pad}{first}\n",
                    if literal { '|' } else { '>' },
                    if strip { "-" } else { "" }
                );
                for line in body {
                    match line {
                        BodyLine::Text(t) | BodyLine::Deeper(t) => {
                            s.push_str(&format!("{pad}{t}\n"))
                        }
                        BodyLine::Blank(n) => {
                            s.push_str(&format!("{}\n", " ".repeat(n.min(indent))))
                        }
                    }
                }
                // The body must end on a line of text: blank lines after it come last.
                s.push_str(&format!("{pad}{}\n", "end"));
                s.push_str(&"\n".repeat(trailing_blanks));
                // A comment indented as deep as the body would belong to it (the fast reader
                // declines one deeper in a folded scalar): a comment at the margin ends the
                // body before whatever comments stand between the entries.
                s.push_str("#\n");
                s
            },
        )
        .boxed()
}

/// `key:` with nothing after it (null), maybe a comment.
fn null() -> BoxedStrategy<String> {
    prop_oneof![
        3 => Just("\n".to_string()),
        1 => (spaces(1..=3), comment_text()).prop_map(|(s, c)| format!("{s}#{c}\n")),
    ]
    .boxed()
}

/// An optional field's value: usually `value`, sometimes null.
fn or_null(value: BoxedStrategy<String>) -> BoxedStrategy<String> {
    prop_oneof![4 => value, 1 => null()].boxed()
}

/// An id, plain or (rarely) quoted.
fn id_scalar() -> BoxedStrategy<String> {
    prop_oneof![
        6 => id(),
        1 => id().prop_map(|s| format!("\"{s}\"")),
        1 => id().prop_map(|s| format!("'{s}'")),
    ]
    .boxed()
}

fn id_value() -> BoxedStrategy<String> {
    inline(id_scalar())
}

fn keyword(values: &'static [&'static str]) -> BoxedStrategy<String> {
    inline(select(values).prop_map(String::from).boxed())
}

fn number() -> BoxedStrategy<String> {
    inline(
        prop_oneof![3 => 0u32..20, 1 => any::<u32>()]
            .prop_map(|n| n.to_string())
            .boxed(),
    )
}

fn date() -> BoxedStrategy<String> {
    let day = (1990u32..2040, 1u32..=12, 1u32..=28);
    let scalar = prop_oneof![
        4 => day.clone().prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        1 => day.clone().prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}T08:30:00Z")),
        1 => day.prop_map(|(y, m, d)| format!("\"{y}-{m:02}-{d:02}\"")),
    ];
    inline(scalar.boxed())
}

fn url_scalar() -> BoxedStrategy<String> {
    prop_oneof![
        4 => id().prop_map(|p| format!("https://example.org/{p}")),
        1 => id().prop_map(|p| format!("https://www.wikidata.org/wiki/{p}#x")),
        1 => id().prop_map(|p| format!("\"https://example.org/{p}?a=1&b=2\"")),
    ]
    .boxed()
}

fn url() -> BoxedStrategy<String> {
    inline(url_scalar())
}

// ---------------------------------------------------------------------------------------------
// Lists

/// An item in a one-line flow list: an id or a short text, plain or quoted.
fn flow_item(texts: bool) -> BoxedStrategy<String> {
    if !texts {
        return id_scalar();
    }
    let flow_safe = |w: &&str| !w.contains([',', '[', ']', '{', '}', '#']);
    let plain = (
        first_word().prop_filter("flow indicator", flow_safe),
        vec(inner_word().prop_filter("flow indicator", flow_safe), 0..4),
    )
        .prop_map(|(first, rest)| {
            let mut words = vec![first];
            words.extend(rest);
            words.join(" ")
        });
    prop_oneof![
        1 => plain,
        2 => vec(any_word(), 0..5).prop_map(|w| format!(
            "\"{}\"",
            w.join(" ").replace('\\', "\\\\").replace('"', "\\\"")
        )),
        1 => vec(any_word(), 0..5).prop_map(|w| format!("'{}'", w.join(" ").replace('\'', "''"))),
    ]
    .boxed()
}

/// `[a, b]`, `[ "x y", 'z' ]`, `[]`.
fn flow_list(item: BoxedStrategy<String>) -> BoxedStrategy<String> {
    (vec(item, 0..4), spaces(0..=1), spaces(0..=1), spaces(0..=2))
        .prop_map(|(items, inner, before_comma, after_comma)| {
            if items.is_empty() {
                return format!("[{inner}]");
            }
            let sep = format!("{before_comma},{after_comma}");
            format!("[{inner}{}{inner}]", items.join(&sep))
        })
        .boxed()
}

/// A block list, `key:` then `- item` lines. `item(indent)` writes one item whose first line
/// starts at column `indent` (its leading spaces are replaced by the dash); the dash stands at
/// the key's own column or deeper, the item 1 to 3 columns after the dash.
fn block_list(
    key_indent: usize,
    item: impl Fn(usize) -> BoxedStrategy<String> + Clone + 'static,
) -> BoxedStrategy<String> {
    let dash_column = prop_oneof![
        2 => Just(key_indent),
        4 => Just(key_indent + 2),
        1 => Just(key_indent + 4),
        1 => Just(key_indent + 1),
    ];
    (dash_column, trailing_comment(), between_entries())
        .prop_flat_map(move |(dash, comment, before)| {
            let item = item.clone();
            let one = prop_oneof![6 => Just(0usize), 1 => Just(1), 1 => Just(2)].prop_flat_map(
                move |extra| {
                    let start = dash + 2 + extra;
                    item(start).prop_map(move |text| {
                        format!(
                            "{}-{}{}",
                            " ".repeat(dash),
                            " ".repeat(1 + extra),
                            &text[start..]
                        )
                    })
                },
            );
            (
                Just(format!("{comment}\n{before}")),
                vec((one, between_entries()), 1..=4),
            )
        })
        .prop_map(|(head, items)| {
            let mut s = head;
            for (i, (item, between)) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(between);
                }
                s.push_str(item);
            }
            s
        })
        .boxed()
}

/// One scalar item of a block list, at column `indent`.
fn scalar_item(indent: usize, texts: bool) -> BoxedStrategy<String> {
    let scalar = if texts {
        text_scalar(indent)
    } else {
        id_scalar()
    };
    (scalar, trailing_comment())
        .prop_map(move |(v, c)| format!("{}{v}{c}\n", " ".repeat(indent)))
        .boxed()
}

/// A list of ids (`texts == false`) or of texts: one-line flow list or block list.
fn list(key_indent: usize, texts: bool) -> BoxedStrategy<String> {
    prop_oneof![
        3 => inline(flow_list(flow_item(texts))),
        2 => block_list(key_indent, move |i| scalar_item(i, texts)),
    ]
    .boxed()
}

fn url_list(key_indent: usize) -> BoxedStrategy<String> {
    let item = |indent: usize| {
        (url_scalar(), trailing_comment())
            .prop_map(move |(v, c)| format!("{}{v}{c}\n", " ".repeat(indent)))
            .boxed()
    };
    prop_oneof![
        3 => inline(flow_list(url_scalar())),
        1 => block_list(key_indent, item),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Mappings

/// A value generator, given its key's indentation.
type Value = fn(usize) -> BoxedStrategy<String>;

/// A block mapping at column `indent` holding a non-empty random subset of `fields` in a
/// random order, with blank lines and comments between entries (never before the first).
fn mapping(indent: usize, fields: &[(&'static str, Value)]) -> BoxedStrategy<String> {
    mapping_requiring(indent, 0, fields)
}

/// [`mapping`], but the first `required` fields are always there.
fn mapping_requiring(
    indent: usize,
    required: usize,
    fields: &[(&'static str, Value)],
) -> BoxedStrategy<String> {
    let n = fields.len();
    let keys: Vec<&'static str> = fields.iter().map(|(k, _)| *k).collect();
    let values: Vec<BoxedStrategy<String>> = fields.iter().map(|(_, v)| v(indent)).collect();
    (
        values,
        vec(prop::bool::weighted(0.55), n),
        Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
        vec(between_entries(), n),
    )
        .prop_map(move |(values, mut present, order, between)| {
            present[..required].fill(true);
            if !present.contains(&true) {
                present[order[0]] = true;
            }
            let mut s = String::new();
            for (nth, &i) in order.iter().filter(|&&i| present[i]).enumerate() {
                if nth > 0 {
                    s.push_str(&between[i]);
                }
                s.push_str(&format!("{}{}:{}", " ".repeat(indent), keys[i], values[i]));
            }
            s
        })
        .boxed()
}

/// A nested block mapping under `key:`, indented 1 to 4 columns deeper.
fn nested(
    key_indent: usize,
    body: impl Fn(usize) -> BoxedStrategy<String> + 'static,
) -> BoxedStrategy<String> {
    (
        prop_oneof![1 => Just(1usize), 6 => Just(2), 1 => Just(3), 2 => Just(4)],
        trailing_comment(),
        between_entries(),
    )
        .prop_flat_map(move |(step, comment, before)| {
            body(key_indent + step).prop_map(move |b| format!("{comment}\n{before}{b}"))
        })
        .boxed()
}

/// A mapping from ids to entries (`speakers.yaml`, `questions.yaml`, or the `speakers:` and
/// `questions:` of an annotations file) at column `indent`. Ids may repeat.
fn entries(indent: usize, entry: Value) -> BoxedStrategy<String> {
    vec((id(), between_entries()), 1..=4)
        .prop_flat_map(move |ids| {
            let values: Vec<_> = ids
                .iter()
                .enumerate()
                .map(|(i, (id, between))| {
                    let between = if i > 0 { between.as_str() } else { "" };
                    let head = format!("{between}{}{id}:", " ".repeat(indent));
                    nested(indent, entry).prop_map(move |v| format!("{head}{v}"))
                })
                .collect();
            values
        })
        .prop_map(|entries| entries.concat())
        .boxed()
}

// The fields of each input struct (src/input.rs), with values of the right type.

fn speaker(indent: usize) -> BoxedStrategy<String> {
    mapping(
        indent,
        &[
            ("name", text),
            ("role", |i| or_null(text(i))),
            ("kind", |_| keyword(&["person", "organisation", "group"])),
            ("url", |_| or_null(url())),
            ("same_as", |i| or_null(url_list(i))),
        ],
    )
}

fn question(indent: usize) -> BoxedStrategy<String> {
    mapping(
        indent,
        &[
            ("title", text),
            ("prompt", |i| or_null(text(i))),
            ("status", |_| keyword(&["open", "resolved"])),
            ("resolution", |i| or_null(text(i))),
        ],
    )
}

fn parts(key_indent: usize) -> BoxedStrategy<String> {
    or_null(list(key_indent, true))
}

fn quote(indent: usize) -> BoxedStrategy<String> {
    mapping(
        indent,
        &[
            ("id", |_| id_value()),
            ("text", text),
            ("parts", parts),
            ("speaker", |_| id_value()),
            ("kind", |_| keyword(&["direct", "indirect", "paraphrase"])),
            ("via", |i| or_null(list(i, false))),
            ("questions", |i| or_null(list(i, false))),
            ("note", |i| or_null(text(i))),
            ("prefix", |i| or_null(text(i))),
            ("suffix", |i| or_null(text(i))),
            ("occurrence", |_| or_null(number())),
        ],
    )
}

fn highlight(indent: usize) -> BoxedStrategy<String> {
    mapping(
        indent,
        &[
            ("id", |_| id_value()),
            ("text", text),
            ("parts", parts),
            ("kind", |_| {
                keyword(&["claim", "fact", "context", "question"])
            }),
            ("speaker", |_| id_value()),
            ("questions", |i| or_null(list(i, false))),
            ("note", |i| or_null(text(i))),
            ("prefix", |i| or_null(text(i))),
            ("suffix", |i| or_null(text(i))),
            ("occurrence", |_| or_null(number())),
        ],
    )
}

fn position(indent: usize) -> BoxedStrategy<String> {
    mapping(
        indent,
        &[
            ("question", |_| id_value()),
            ("speaker", |_| id_value()),
            ("stance", text),
            ("quotes", |i| or_null(list(i, false))),
            ("shift", |_| or_null(keyword(&["held", "moved"]))),
        ],
    )
}

fn source(indent: usize) -> BoxedStrategy<String> {
    mapping_requiring(indent, 1, &[("name", text), ("url", |_| or_null(url()))])
}

// ---------------------------------------------------------------------------------------------
// Documents

/// Blank lines and comments, then maybe a `---` line, before the content; some after it.
fn document(body: BoxedStrategy<String>) -> BoxedStrategy<String> {
    let start = prop_oneof![4 => Just(String::new()), 1 => Just("---\n".to_string())];
    (
        vec(filler_line(), 0..=2),
        start,
        vec(filler_line(), 0..=2),
        body,
        vec(filler_line(), 0..=2),
        // The last line need not end in a line break (and may end in spaces).
        prop_oneof![4 => Just(None), 1 => Just(Some("")), 1 => Just(Some("  "))],
    )
        .prop_map(|(before, start, after_start, body, end, unterminated)| {
            let mut doc = [
                before.concat(),
                start,
                after_start.concat(),
                body,
                end.concat(),
            ]
            .concat();
            if let Some(spaces) = unterminated
                && doc.ends_with('\n')
            {
                doc.pop();
                doc.push_str(spaces);
            }
            doc
        })
        .boxed()
}

fn annotations_file() -> BoxedStrategy<String> {
    document(mapping(
        0,
        &[
            ("speakers", |i| nested(i, |j| entries(j, speaker))),
            ("questions", |i| nested(i, |j| entries(j, question))),
            ("quotes", |i| or_null(block_list(i, quote))),
            ("highlights", |i| or_null(block_list(i, highlight))),
            ("positions", |i| or_null(block_list(i, position))),
        ],
    ))
}

fn front_matter() -> BoxedStrategy<String> {
    document(mapping(
        0,
        &[
            ("title", text),
            ("date", |_| date()),
            ("slug", |_| id_value()),
            ("summary", |i| or_null(text(i))),
            ("dateline", |i| or_null(text(i))),
            ("source", |i| or_null(nested(i, source))),
            ("tags", |i| or_null(list(i, false))),
            ("draft", |_| keyword(&["true", "false"])),
        ],
    ))
}

fn speakers_file() -> BoxedStrategy<String> {
    document(entries(0, speaker))
}

fn questions_file() -> BoxedStrategy<String> {
    document(entries(0, question))
}

/// A document in the subset the fast reader supports, annotations files most often.
fn core_document() -> BoxedStrategy<(Kind, String)> {
    prop_oneof![
        4 => annotations_file().prop_map(|t| (Kind::Annotations, t)),
        2 => front_matter().prop_map(|t| (Kind::FrontMatter, t)),
        1 => speakers_file().prop_map(|t| (Kind::Speakers, t)),
        1 => questions_file().prop_map(|t| (Kind::Questions, t)),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Mutations

/// What a mutation may insert anywhere.
const INSERTIONS: &[&str] = &[
    ": ", " #", "#", "\t", "&a ", "*a", "!t ", "{", "}", "[", "]", "|", ">", "'", "\"", "\\", "- ",
    "---", "\r", "\n", "  ", "\u{feff}", "é", ",", "?", "null", "~", "%",
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert(Index, &'static str),
    Delete(Index, usize),
    DuplicateLine(Index),
    Reindent(Index, isize),
    /// Replaces what follows a line's first `: ` (or its `- `) with another scalar.
    ReplaceValue(Index, &'static str),
}

/// Scalars YAML may read as something other than a string, or that test a type's edges.
const SPECIAL_SCALARS: &[&str] = &[
    "null",
    "Null",
    "NULL",
    "~",
    "true",
    "True",
    "FALSE",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "0",
    "-1",
    "+1",
    "007",
    "0x1F",
    "0o17",
    "1_000",
    "1e3",
    ".5",
    "1.0",
    ".inf",
    "-.inf",
    ".nan",
    "4294967295",
    "4294967296",
    "-0",
    "12:30",
    "2023-06-08",
    "\"\"",
    "''",
    "\"2\"",
    "'held'",
    "\"open\"",
    "Direct",
    "fact ",
    "held # c",
    "[]",
    "[x]",
    "{}",
    "- x",
    "x: y",
];

fn mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        4 => (any::<Index>(), select(INSERTIONS)).prop_map(|(at, s)| Mutation::Insert(at, s)),
        2 => (any::<Index>(), 1usize..=8).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => any::<Index>().prop_map(Mutation::DuplicateLine),
        2 => (any::<Index>(), select(&[-2isize, -1, 1, 2][..]))
            .prop_map(|(at, d)| Mutation::Reindent(at, d)),
        2 => (any::<Index>(), select(SPECIAL_SCALARS))
            .prop_map(|(at, s)| Mutation::ReplaceValue(at, s)),
    ]
    .boxed()
}

impl Mutation {
    fn apply(&self, text: &str) -> String {
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        match self {
            Mutation::Insert(at, s) => {
                let i = *at.get(&boundaries);
                format!("{}{s}{}", &text[..i], &text[i..])
            }
            Mutation::Delete(at, n) => {
                let first = at.index(boundaries.len());
                let start = boundaries[first];
                let end = boundaries[(first + n).min(boundaries.len() - 1)];
                format!("{}{}", &text[..start], &text[end..])
            }
            Mutation::DuplicateLine(at) if !lines.is_empty() => {
                let i = at.index(lines.len());
                let mut line = lines[i].to_string();
                if !line.ends_with('\n') {
                    line.insert(0, '\n');
                }
                let mut out = lines[..=i].concat();
                out.push_str(&line);
                out.push_str(&lines[i + 1..].concat());
                out
            }
            Mutation::Reindent(at, delta) if !lines.is_empty() => {
                let i = at.index(lines.len());
                let line = lines[i];
                let changed = if *delta > 0 {
                    format!("{}{line}", " ".repeat(delta.unsigned_abs()))
                } else {
                    let strip = line.len() - line.trim_start_matches(' ').len();
                    line[strip.min(delta.unsigned_abs())..].to_string()
                };
                format!(
                    "{}{changed}{}",
                    lines[..i].concat(),
                    lines[i + 1..].concat()
                )
            }
            Mutation::ReplaceValue(at, value) => {
                let value_start = |line: &str| {
                    let item = line.trim_start_matches(' ');
                    let dash = (item.starts_with("- ")).then_some(line.len() - item.len() + 2);
                    line.find(": ").map(|i| i + 2).or(dash)
                };
                let candidates: Vec<usize> = (0..lines.len())
                    .filter(|&i| value_start(lines[i]).is_some())
                    .collect();
                if candidates.is_empty() {
                    return text.to_string();
                }
                let i = *at.get(&candidates);
                let line = lines[i];
                let start = value_start(line).unwrap_or(0);
                let end = if line.ends_with('\n') {
                    line.len() - 1
                } else {
                    line.len()
                };
                format!(
                    "{}{}{value}{}{}",
                    lines[..i].concat(),
                    &line[..start],
                    &line[end..],
                    lines[i + 1..].concat()
                )
            }
            Mutation::DuplicateLine(_) | Mutation::Reindent(..) => text.to_string(),
        }
    }
}

fn mutated_document() -> BoxedStrategy<(Kind, String)> {
    (core_document(), vec(mutation(), 1..=3))
        .prop_map(|((kind, text), mutations)| {
            let text = mutations.iter().fold(text, |t, m| m.apply(&t));
            (kind, text)
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// The properties

#[test]
fn core_documents_are_read_alike() {
    run("core", CORE_CASES, core_document(), true);
}

#[test]
fn mutated_documents_are_read_alike_when_accepted() {
    run("mutated", MUTATED_CASES, mutated_document(), false);
}

/// Every file under `dir` whose name ends with `ext`.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .collect()
}

/// The YAML between an article's first `---` line and the next `---` (or `...`) line.
fn front_matter_of(text: &str) -> Option<&str> {
    let first = text.find('\n')? + 1;
    if text[..first].trim_end() != "---" {
        return None;
    }
    let mut end = first;
    for line in text[first..].split_inclusive('\n') {
        if matches!(line.trim_end(), "---" | "...") {
            return Some(&text[first..end]);
        }
        end += line.len();
    }
    None
}

#[test]
fn real_content_is_read_alike_when_accepted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut documents: Vec<(PathBuf, Kind, String)> = Vec::new();
    for dir in ["content", "tests/fixtures"] {
        let dir = root.join(dir);
        for path in files(&dir, "yaml") {
            let in_content = path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|d| d == "content");
            let kind = match path.file_name().and_then(|n| n.to_str()) {
                Some("brief.yaml") => continue, // site configuration, not read by `fast`
                Some("speakers.yaml") if in_content => Kind::Speakers,
                Some("questions.yaml") if in_content => Kind::Questions,
                _ => Kind::Annotations,
            };
            let text = std::fs::read_to_string(&path).unwrap();
            documents.push((path, kind, text));
        }
        for path in files(&dir, "md") {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Some(yaml) = front_matter_of(&text) {
                documents.push((path, Kind::FrontMatter, yaml.to_string()));
            }
        }
    }
    assert!(!documents.is_empty(), "no content found under {root:?}");

    let tally = Tally::default();
    let mut failures = Vec::new();
    for (path, kind, text) in &documents {
        let r = kind.read(text);
        tally.add(*kind, &r);
        if matches!(r.fast, Ok(None)) {
            eprintln!("declined by the fast reader: {}", path.display());
        }
        if let Some(p) = problem(&r, false) {
            failures.push(format!(
                "{}: {}",
                path.display(),
                report(*kind, text, &format!("{p:?}"))
            ));
        }
    }
    tally.print("real content");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `YAML_DIFF_FILE=doc.yaml YAML_DIFF_KIND=annotations cargo test --test yaml_differential
/// one_document -- --ignored --nocapture` reads one document (kinds: annotations,
/// front-matter, speakers, questions) with both readers and reports on it, minimized if they
/// disagree.
#[test]
#[ignore]
fn one_document() {
    let path = std::env::var("YAML_DIFF_FILE").expect("set YAML_DIFF_FILE");
    let kind = match std::env::var("YAML_DIFF_KIND").as_deref() {
        Ok("front-matter") => Kind::FrontMatter,
        Ok("speakers") => Kind::Speakers,
        Ok("questions") => Kind::Questions,
        _ => Kind::Annotations,
    };
    let text = std::fs::read_to_string(path).unwrap();
    match problem(&kind.read(&text), true) {
        None => eprintln!("{}", report(kind, &text, "read alike")),
        Some(p @ (Problem::Declined | Problem::Invalid)) => {
            eprintln!("{}", report(kind, &text, &format!("{p:?}")));
        }
        Some(found) => {
            let small = minimize(&text, |t| {
                t.ends_with('\n') == text.ends_with('\n')
                    && problem(&kind.read(t), false) == Some(found)
            });
            eprintln!("{}", report(kind, &small, &format!("{found:?}")));
        }
    }
}

/// `cargo test --test yaml_differential show_generated_documents -- --ignored --nocapture`
/// shows a few generated documents, to see what the generators write.
#[test]
#[ignore]
fn show_generated_documents() {
    use proptest::strategy::ValueTree;
    let mut runner = TestRunner::default();
    for _ in 0..8 {
        let (kind, text) = core_document().new_tree(&mut runner).unwrap().current();
        eprintln!("----- {kind:?}\n{text}");
    }
    for _ in 0..4 {
        let (kind, text) = mutated_document().new_tree(&mut runner).unwrap().current();
        eprintln!("----- mutated {kind:?}\n{text:?}");
    }
}

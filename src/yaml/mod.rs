//! YAML input: parsing with serde-saphyr and turning its errors into diagnostics.
//!
//! serde-saphyr (not the archived serde_yaml) because it knows where every *valid* value sits
//! (`Spanned<T>`), which our errors need: an unknown speaker id is valid YAML, and the error
//! must still point at it. Duplicate keys are passed through to [`Entries`] so that a duplicate
//! id can name both places. This module knows the shape of no particular file.
//!
//! Most documents are read by [`fast`] instead, a reader for the plain part of YAML that
//! content files use; whatever it declines goes to serde-saphyr.

pub mod fast;
mod nodes;

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Location, Spanned};

use crate::diag::{Diagnostic, Pos};

/// Parses `text` (from `file`) as `T`. `line_offset` is added to every line, for YAML embedded
/// in a larger file (front matter).
pub fn parse<T: DeserializeOwned + fmt::Debug>(
    text: &str,
    file: &Path,
    line_offset: usize,
) -> Result<T, Diagnostic> {
    if let Some(value) = fast::from_str::<T>(text) {
        #[cfg(debug_assertions)]
        check_fast_read(text, &value);
        return Ok(value);
    }
    saphyr(text).map_err(|e| error_to_diagnostic(&e, file, line_offset))
}

/// Reads `text` with serde-saphyr, as this project configures it.
pub fn saphyr<T: DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    let options = serde_saphyr::options! {
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
    };
    serde_saphyr::from_str_with_options::<T>(text, options)
}

/// Debug builds (every test run) hold each fast read to serde-saphyr's, positions included.
#[cfg(debug_assertions)]
fn check_fast_read<T: DeserializeOwned + fmt::Debug>(text: &str, fast: &T) {
    let fast = format!("{fast:?}");
    match saphyr::<T>(text) {
        Ok(slow) => assert_eq!(fast, format!("{slow:?}"), "fast YAML read differs:\n{text}"),
        Err(e) => panic!("fast YAML read accepted what serde-saphyr rejects ({e}):\n{text}"),
    }
}

/// The position of a spanned value, shifted by `line_offset`.
pub fn pos(loc: &Location, line_offset: usize) -> Pos {
    let len = loc.span().len();
    Pos::new(loc.line() as usize + line_offset, loc.column() as usize).with_len(len as usize)
}

pub fn spanned_pos<T>(s: &Spanned<T>, line_offset: usize) -> Pos {
    pos(&s.referenced, line_offset)
}

fn error_to_diagnostic(e: &serde_saphyr::Error, file: &Path, line_offset: usize) -> Diagnostic {
    let message = plain_message(e);
    let position = e
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| Pos::new(l.line() as usize + line_offset, l.column() as usize));
    let (code, help) = classify(&message);
    Diagnostic::error(code, message)
        .at(file, position)
        .help(help)
}

/// The parser's message without its own location prefix or snippet (we draw our own).
fn plain_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    // "line 3 column 5: unknown field ..." -> "unknown field ..."
    let msg = match first.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(first, |(_, m)| m),
        None => first,
    };
    let mut msg = msg.trim();
    // "... at line 2, column 3": the position is shown separately.
    if let Some(i) = msg.rfind(" at line ")
        && msg[i + 9..].split(", column ").count() == 2
    {
        msg = &msg[..i];
    }
    let msg = msg
        .strip_suffix(", set DuplicateKeyPolicy in Options if acceptable")
        .unwrap_or(msg);
    msg.to_string()
}

/// Sorts a parser message into a diagnostic code and a `help:` line that says what to do.
fn classify(msg: &str) -> (&'static str, String) {
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let (field, expected) = split_expected(rest);
        let help = match did_you_mean(&field, &expected) {
            Some(s) => format!(
                "did you mean `{s}`? Valid fields here: {}",
                expected.join(", ")
            ),
            None => format!(
                "remove it; valid fields here: {}",
                if expected.is_empty() {
                    "none".to_string()
                } else {
                    expected.join(", ")
                }
            ),
        };
        ("unknown-field", help)
    } else if let Some(rest) = msg.strip_prefix("unknown variant ") {
        let (value, expected) = split_expected(rest);
        let help = match did_you_mean(&value, &expected) {
            Some(s) => format!(
                "did you mean `{s}`? Allowed values: {}",
                expected.join(", ")
            ),
            None => format!("use one of: {}", expected.join(", ")),
        };
        ("wrong-type", help)
    } else if msg.starts_with("missing field") {
        (
            "missing-field",
            "add the field: it is required here (see docs/format.md)".to_string(),
        )
    } else if msg.starts_with("duplicate field") || msg.starts_with("duplicate mapping key") {
        (
            "duplicate-key",
            "each key may appear once in a mapping; remove or rename one of them".to_string(),
        )
    } else if msg.starts_with("invalid type")
        || msg.starts_with("invalid value")
        || msg.starts_with("invalid ")
        || msg.starts_with("expected")
        || msg.starts_with("cannot deserialize")
    {
        (
            "wrong-type",
            "this value has the wrong type; see docs/format.md for what the field takes (a list needs `[a, b]` or `- ` items, a mapping needs `key: value` lines)".to_string(),
        )
    } else {
        (
            "yaml-syntax",
            "fix the YAML syntax here; quote text that contains `: `, `#` or starts with a quote, e.g. text: \"...\"".to_string(),
        )
    }
}

/// Splits "`foo`, expected one of a, b" into ("foo", ["a", "b"]).
fn split_expected(rest: &str) -> (String, Vec<String>) {
    let (name, expected) = rest.split_once(", expected").unwrap_or((rest, ""));
    let name = name.trim().trim_matches('`').to_string();
    let expected = expected
        .trim()
        .trim_start_matches("one of")
        .trim()
        .split(',')
        .map(|s| s.trim().trim_matches('`').to_string())
        .filter(|s| !s.is_empty() && s != "nothing")
        .collect();
    (name, expected)
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a, S: AsRef<str>>(word: &str, candidates: &'a [S]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c.as_ref()), c.as_ref()))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A mapping read in file order, duplicates kept, keys with their positions: the shape of
/// `speakers.yaml` and `questions.yaml`.
#[derive(Debug)]
pub struct Entries<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping from ids to entries")
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Entries::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        d.deserialize_map(EntriesVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Quote {
        text: String,
        speaker: String,
    }

    fn err(yaml: &str) -> Diagnostic {
        parse::<Vec<Quote>>(yaml, Path::new("a.yaml"), 0).unwrap_err()
    }

    #[test]
    fn unknown_fields_suggest_the_closest_valid_one() {
        let d = err("- text: hi\n  spekaer: x\n");
        assert_eq!(d.code, "unknown-field");
        assert_eq!(d.pos.map(|p| (p.line, p.column)), Some((2, 3)));
        let help = d.help.unwrap();
        assert!(help.contains("did you mean `speaker`"), "{help}");
    }

    #[test]
    fn syntax_and_missing_fields_are_told_apart() {
        assert_eq!(err("- text: \"hi\n  speaker: x\n").code, "yaml-syntax");
        assert_eq!(err("- text: hi\n").code, "missing-field");
        assert_eq!(err("- text: [a]\n  speaker: x\n").code, "wrong-type");
    }

    #[test]
    fn entries_keep_duplicates_with_positions() {
        let e: Entries<String> = parse("a: x\nb: y\na: z\n", Path::new("s.yaml"), 0).unwrap();
        let keys: Vec<_> =
            e.0.iter()
                .map(|(k, _)| (k.value.as_str(), k.referenced.line()))
                .collect();
        assert_eq!(keys, [("a", 1), ("b", 2), ("a", 3)]);
    }
}

//! YAML input: parsing with serde-saphyr and turning its errors into diagnostics.
//!
//! serde-saphyr (not the archived serde_yaml) because it knows where every *valid* value sits
//! (`Spanned<T>`), which our errors need: an unknown speaker id is valid YAML, and the error
//! must still point at it. Duplicate keys are passed through to [`Entries`] so that a duplicate
//! id can name both places. This module knows the shape of no particular file.
//!
//! Most documents are read by [`fast`] instead, a reader for the plain part of YAML that
//! content files use; whatever it declines goes to serde-saphyr.

mod explain;
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
    saphyr(text).map_err(|e| explain::diagnostic(&e, text, file, line_offset))
}

/// An empty document, or one with only comments, means "nothing here".
pub fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "~" || t == "null"
    })
}

/// Reads `text` with serde-saphyr, as this project configures it.
pub fn saphyr<T: DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    // A large registry or annotations file is still content: the fast reader reads one of any
    // size, and a file it declines (for a tab, say) must not then fail for its size. Aliases
    // and nesting, which no content file needs, keep serde-saphyr's limits.
    let options = serde_saphyr::options! {
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
        budget: serde_saphyr::budget! {
            max_events: usize::MAX,
            max_nodes: usize::MAX,
            max_total_scalar_bytes: usize::MAX,
        },
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

/// `s` as a YAML scalar that reads back as exactly `s`, to paste after `key: `: in double
/// quotes, or in single quotes when it holds a double quote mark (so that a quote mark needs
/// no backslash).
pub fn quote(s: &str) -> String {
    if s.contains('"') && !s.chars().any(char::is_control) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    double_quoted(s)
}

/// `s` as a double-quoted YAML scalar, escaped where needed.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
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

/// A mapping from ids to entries as [`parse_entries`] reads it.
#[derive(Debug)]
pub struct EntriesRead<V> {
    /// The entries that could be read, in file order, positions as in the whole file.
    pub entries: Entries<V>,
    /// The ids of the entries that could not be read, each with its error.
    pub broken: Vec<(String, Diagnostic)>,
}

/// Reads a mapping from ids to entries (the shape of `speakers.yaml` and `questions.yaml`) so
/// that one entry's error costs that entry only: the others are read, and the broken ones are
/// named with their errors. `Err` when the document cannot be read as a whole (a syntax error,
/// or no mapping at the top).
pub fn parse_entries<V: DeserializeOwned + fmt::Debug>(
    text: &str,
    file: &Path,
) -> Result<EntriesRead<V>, Diagnostic> {
    let whole = match parse::<Entries<V>>(text, file, 0) {
        Ok(entries) => {
            return Ok(EntriesRead {
                entries,
                broken: Vec::new(),
            });
        }
        Err(d) => d,
    };
    read_entry_by_entry(text, file).ok_or(whole)
}

/// [`parse_entries`] once the whole document has failed: each top-level entry is read on its
/// own (the lines from its key to the next key), then the document again with the broken
/// entries' lines blanked, so that the good entries keep their positions in the file. `None`
/// when that cannot be done: the keys cannot be read, two share a line (a flow mapping), an
/// entry refers to an anchor elsewhere, or every entry reads on its own.
fn read_entry_by_entry<V: DeserializeOwned + fmt::Debug>(
    text: &str,
    file: &Path,
) -> Option<EntriesRead<V>> {
    let keys = saphyr::<Entries<serde::de::IgnoredAny>>(text).ok()?;
    let starts: Vec<usize> = keys
        .0
        .iter()
        .map(|(k, _)| k.referenced.line() as usize)
        .collect();
    if starts.first().is_none_or(|&l| l == 0) || starts.windows(2).any(|w| w[0] >= w[1]) {
        return None;
    }
    let line_starts = line_starts(text);
    let byte_of_line = |line: usize| line_starts.get(line - 1).copied().unwrap_or(text.len());
    let mut broken = Vec::new();
    let mut blank = Vec::new();
    for (i, (key, _)) in keys.0.iter().enumerate() {
        let first = starts[i];
        let end = starts
            .get(i + 1)
            .map_or(text.len(), |&next| byte_of_line(next));
        let chunk = &text[byte_of_line(first)..end];
        if let Err(e) = saphyr::<Entries<V>>(chunk) {
            if refers_to_anchor(&e) {
                return None;
            }
            broken.push((
                key.value.clone(),
                explain::diagnostic(&e, chunk, file, first - 1),
            ));
            blank.push(byte_of_line(first)..end);
        }
    }
    if broken.is_empty() {
        return None;
    }
    let mut patched = String::with_capacity(text.len());
    let mut at = 0;
    for r in &blank {
        patched.push_str(&text[at..r.start]);
        patched.extend(text[r.clone()].chars().filter(|&c| c == '\n'));
        at = r.end;
    }
    patched.push_str(&text[at..]);
    let entries = parse::<Entries<V>>(&patched, file, 0).ok()?;
    Some(EntriesRead { entries, broken })
}

/// The byte offset where each line starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect()
}

/// Whether an error is about an alias or anchor, which a piece of a document read alone may
/// have lost to another piece.
fn refers_to_anchor(e: &serde_saphyr::Error) -> bool {
    matches!(
        e.without_snippet(),
        serde_saphyr::Error::UnknownAnchor { .. } | serde_saphyr::Error::AliasError { .. }
    )
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
    fn a_broken_entry_costs_only_itself_and_the_others_keep_their_positions() {
        let text = "a:\n  text: x\n  speaker: y\nb:\n  text: [x]\n  speaker: y\nc:\n  text: z\n  speaker: w\n";
        let read: EntriesRead<Quote> = parse_entries(text, Path::new("s.yaml")).unwrap();
        let keys: Vec<_> = read
            .entries
            .0
            .iter()
            .map(|(k, q)| (k.value.as_str(), k.referenced.line(), q.text.as_str()))
            .collect();
        assert_eq!(keys, [("a", 1, "x"), ("c", 7, "z")]);
        let broken: Vec<_> = read
            .broken
            .iter()
            .map(|(id, d)| (id.as_str(), d.code, d.pos.map(|p| p.line)))
            .collect();
        assert_eq!(broken, [("b", "wrong-type", Some(5))]);

        // A syntax error: nothing can be read.
        let d = parse_entries::<Quote>("a:\n  text: \"x\n", Path::new("s.yaml")).unwrap_err();
        assert_eq!(d.code, "yaml-syntax");
    }

    #[test]
    fn control_characters_are_left_to_serde_saphyr_which_rejects_them() {
        for text in [
            "- text: a\u{1}b\n  speaker: x\n",
            "- text: \"a\u{0}b\"\n  speaker: x\n",
        ] {
            assert!(fast::from_str::<Vec<Quote>>(text).is_none(), "{text:?}");
            assert_eq!(err(text).code, "yaml-syntax", "{text:?}");
        }
        // Written as escapes they are valid YAML, read alike by both.
        let q: Vec<Quote> = parse(
            "- text: \"a\\x01b\"\n  speaker: x\n",
            Path::new("a.yaml"),
            0,
        )
        .unwrap();
        assert_eq!(q[0].text, "a\u{1}b");
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

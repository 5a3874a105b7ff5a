//! YAML errors in the words of the format: where the problem really is, what is wrong with the
//! field or value, and how to fix it.
//!
//! The parser reports where it noticed a problem, in its own words ("invalid trailing content
//! after double-quoted scalar", six lines after the quote that was never closed). This module
//! reads the document's lines itself ([`Outline`]) to find the cause: an unclosed quote where
//! it opens, a tab on the line it indents, the line whose indentation matches nothing above
//! it, a `: ` in an unquoted text, both places of a repeated key. It runs only on the error
//! path and never decides whether a document is valid: the parser does. What it cannot place
//! is reported where the parser stopped, in plain words. No Rust, serde or parser wording
//! reaches the user.

use std::path::Path;

use serde_saphyr::Error;
use serde_saphyr::budget::BudgetBreach;

use super::{did_you_mean, quote};
use crate::diag::{Diagnostic, Pos, clip};

/// The diagnostic for parser error `e` in `text` (of `file`, whose lines are shifted by
/// `line_offset`).
pub(super) fn diagnostic(e: &Error, text: &str, file: &Path, line_offset: usize) -> Diagnostic {
    let e = e.without_snippet();
    let at = e
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| (l.line() as usize, l.column().max(1) as usize));
    let found = Explained::of(e, text, at);
    let shift = |p: Pos| Pos {
        line: p.line + line_offset,
        ..p
    };
    let mut d = Diagnostic::error(found.code, found.message)
        .at(file, found.pos.map(shift))
        .help(found.help);
    for (message, pos) in found.notes {
        d = d.note_at(message, file, Some(shift(pos)));
    }
    d
}

/// A diagnostic's parts, before they are given a file.
struct Explained {
    code: &'static str,
    message: String,
    pos: Option<Pos>,
    help: String,
    notes: Vec<(String, Pos)>,
}

impl Explained {
    fn new(code: &'static str, message: String, pos: Option<Pos>, help: String) -> Self {
        Explained {
            code,
            message,
            pos,
            help,
            notes: Vec::new(),
        }
    }

    fn of(e: &Error, text: &str, at: Option<(usize, usize)>) -> Explained {
        let outline = Outline::read(text);
        let pos = at.map(|(l, c)| Pos::new(l, c).with_len(value_len(text, l, c)));
        let field = at.and_then(|(l, c)| outline.field_at(l, c));
        match e {
            Error::SerdeUnknownField {
                field: name,
                expected,
                ..
            } => unknown_field(name, expected, at.map(|(l, c)| key_pos(text, l, c, name))),
            Error::SerdeUnknownVariant {
                variant, expected, ..
            } => unknown_value(variant, expected, field.as_ref(), pos),
            Error::SerdeMissingField { field: name, .. } => Explained::new(
                "missing-field",
                match &field {
                    Some(f) => format!("{} has no `{name}`", f.described()),
                    None => format!("`{name}` is missing"),
                },
                pos,
                format!("add `{name}:` with its value (see docs/format.md)"),
            ),
            Error::NullIntoString { .. } => Explained::new(
                "missing-field",
                match &field {
                    Some(f) if f.item => format!("an item of `{}` is empty", f.key),
                    Some(f) => format!("`{}` has no value", f.key),
                    None => "a value is missing".to_string(),
                },
                pos,
                match &field {
                    Some(f) if f.item => {
                        format!("write the item's text, or remove it from `{}`", f.key)
                    }
                    Some(f) => format!("write the value after `{}:`, or remove the line", f.key),
                    None => "write the value, or remove the line".to_string(),
                },
            ),
            Error::MultipleDocuments { .. } => Explained::new(
                "yaml-syntax",
                "a line with only `---` starts a second YAML document; a file holds one"
                    .to_string(),
                at.and_then(|(l, _)| document_start(text, l)).or(pos),
                "remove the `---` line, or turn it into a comment (`# ---`)".to_string(),
            ),
            Error::Budget { breach, .. } => too_large(breach, pos),
            Error::Message { msg, .. } if msg.starts_with("duplicate field") => {
                let name = msg.split('`').nth(1).unwrap_or_default();
                duplicate_key(&outline, name, pos)
            }
            Error::DuplicateMappingKey { key, .. } => {
                duplicate_key(&outline, key.as_deref().unwrap_or_default(), pos)
            }
            Error::InvalidScalar { ty, .. } => {
                wrong_type(expected_words(ty), text, field.as_ref(), at)
            }
            Error::InvalidBooleanStrict { .. } => {
                wrong_type(Expected::Boolean, text, field.as_ref(), at)
            }
            Error::Unexpected { expected, .. } => {
                wrong_type(expected_words(expected), text, field.as_ref(), at)
            }
            Error::SerdeInvalidType { expected, .. }
            | Error::SerdeInvalidValue { expected, .. } => {
                wrong_type(expected_words(expected), text, field.as_ref(), at)
            }
            // Everything else is a problem of syntax: look for its cause before where the
            // parser stopped (or on the next line, where a tab ends a scalar above it).
            _ => outline
                .first_problem(at.map(|(l, _)| l + 1))
                .map(|p| p.explained())
                .unwrap_or_else(|| not_yaml(pos)),
        }
    }
}

/// The `---` line at or before line `line` that starts a document.
fn document_start(text: &str, line: usize) -> Option<Pos> {
    let lines: Vec<&str> = text.split('\n').take(line).collect();
    let i = lines.iter().rposition(|l| l.starts_with("---"))?;
    Some(Pos::new(i + 1, 1).with_len(3))
}

/// A syntax error whose cause could not be placed: where the parser stopped.
fn not_yaml(pos: Option<Pos>) -> Explained {
    Explained::new(
        "yaml-syntax",
        "this is not valid YAML".to_string(),
        pos,
        "check this line and the one before it: every field is `name: value`, list items start with `- `, and a text that contains `: `, ` #` or starts with a quote mark must be quoted".to_string(),
    )
}

fn unknown_field(name: &str, expected: &[&str], pos: Option<Pos>) -> Explained {
    let valid = if expected.is_empty() {
        "none".to_string()
    } else {
        expected.join(", ")
    };
    let help = match did_you_mean(name, expected) {
        Some(s) => format!("did you mean `{s}`? Valid fields here: {valid}"),
        None => format!("remove it; valid fields here: {valid}"),
    };
    Explained::new(
        "unknown-field",
        format!("unknown field `{}`", clip(name, 60)),
        pos,
        help,
    )
}

fn unknown_value(
    value: &str,
    expected: &[&str],
    field: Option<&Field>,
    pos: Option<Pos>,
) -> Explained {
    let allowed = expected.join(", ");
    let of = field.map_or(String::new(), |f| format!(" for `{}`", f.key));
    let help = match did_you_mean(value, expected) {
        Some(s) => format!("did you mean `{s}`? Allowed values: {allowed}"),
        None => format!("use one of: {allowed}"),
    };
    Explained::new(
        "wrong-type",
        format!("`{}` is not an allowed value{of}", clip(value, 60)),
        pos,
        help,
    )
}

fn too_large(breach: &BudgetBreach, pos: Option<Pos>) -> Explained {
    let what = match breach {
        BudgetBreach::Depth { .. } => "its values are nested too deeply",
        BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } => {
            "it uses too many aliases (`*name`)"
        }
        BudgetBreach::ScalarBytes { .. } => "its texts add up to more than 64 MB",
        BudgetBreach::Documents { .. } => "it holds more than one YAML document",
        _ => "it holds too many values",
    };
    Explained::new(
        "yaml-syntax",
        format!("this file is too large to read: {what}"),
        pos,
        "split it up, or shorten it; annotation files need none of YAML's aliases or deep nesting"
            .to_string(),
    )
}

/// A repeated key, with both places when the outline finds them.
fn duplicate_key(outline: &Outline, name: &str, pos: Option<Pos>) -> Explained {
    let mut d = Explained::new(
        "duplicate-key",
        format!("`{name}` is written twice in the same mapping"),
        pos,
        format!("keep one `{name}:` and remove or merge the other (each field may appear once)"),
    );
    if let Some((first, second)) = outline.duplicate(name) {
        d.pos = Some(second);
        d.notes
            .push((format!("`{name}` is first written here"), first));
    }
    d
}

/// What a value should have been, in the format's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Text,
    Number,
    Boolean,
    List,
    Mapping,
    Other,
}

fn expected_words(serde: &str) -> Expected {
    let s = serde.trim_start_matches("a ").trim_start_matches("an ");
    if s.contains("string") || s == "char" {
        Expected::Text
    } else if s.starts_with('u') && s[1..].chars().all(|c| c.is_ascii_digit())
        || s.starts_with('i') && s[1..].chars().all(|c| c.is_ascii_digit())
        || s.contains("integer")
        || s == "usize"
    {
        Expected::Number
    } else if s.contains("bool") {
        Expected::Boolean
    } else if s.contains("sequence") || s.contains("list") {
        Expected::List
    } else if s.contains("map") || s.starts_with("struct") {
        Expected::Mapping
    } else {
        Expected::Other
    }
}

fn wrong_type(
    expected: Expected,
    text: &str,
    field: Option<&Field>,
    at: Option<(usize, usize)>,
) -> Explained {
    let found = at.map(|(l, c)| found_words(text, l, c));
    let pos = at.map(|(l, c)| Pos::new(l, c).with_len(value_len(text, l, c)));
    let key = field.map(|f| f.key.as_str());
    let (want, help) = match expected {
        Expected::Text => (
            "text",
            match field {
                Some(f) if f.item => format!(
                    "write each item of `{}` as text, in quotes if it starts with `[`, `{{` or a quote mark",
                    f.key
                ),
                Some(f) => format!(
                    "write it as text, in quotes if it starts with `[`, `{{` or a quote mark: `{}: \"...\"`",
                    f.key
                ),
                None => "write it as text, in quotes: \"...\"".to_string(),
            },
        ),
        Expected::Number => (
            "a whole number",
            match key {
                Some("occurrence") => {
                    "write the number of the match, counting from 1: `occurrence: 2`".to_string()
                }
                Some(k) => format!("write a whole number: `{k}: 2`"),
                None => "write a whole number, e.g. 2".to_string(),
            },
        ),
        Expected::Boolean => (
            "`true` or `false`",
            format!("write `{0}: true` or `{0}: false`", key.unwrap_or("draft")),
        ),
        Expected::List => (
            "a list",
            match key {
                Some(k) => {
                    format!("write a list: `{k}: [a, b]`, or one `- ` item per line under `{k}:`")
                }
                None => "write a list: `[a, b]`, or one `- ` item per line".to_string(),
            },
        ),
        Expected::Mapping => (
            "a mapping (`field: value` lines)",
            match field {
                Some(f) if f.item => format!(
                    "write each item of `{}` as its fields: `- field: value`, with the item's other fields on the lines under it, indented alike (see docs/format.md)",
                    f.key
                ),
                Some(f) => format!(
                    "write `{}:` on a line of its own, with its fields indented under it (see docs/format.md)",
                    f.key
                ),
                None => "write `field: value` lines (see docs/format.md)".to_string(),
            },
        ),
        Expected::Other => (
            "another kind of value",
            "see docs/format.md for what this field takes".to_string(),
        ),
    };
    let what = match field {
        Some(f) if f.item => format!("each item of `{}`", f.key),
        Some(f) => format!("`{}`", f.key),
        None => "the file".to_string(),
    };
    // A number written in digits that does not fit is a number, only too large (or below 0).
    let digits = |f: &str| {
        f.trim_matches('`')
            .trim_start_matches(['-', '+'])
            .chars()
            .all(|c| c.is_ascii_digit())
    };
    let want = match (&found, expected) {
        (Some(f), Expected::Number) if f.len() > 2 && digits(f) => match f.starts_with("`-") {
            true => "a whole number above 0",
            false => "a whole number no larger than 4,294,967,295",
        },
        _ => want,
    };
    let not = found.map_or(String::new(), |f| format!(", not {f}"));
    Explained::new(
        "wrong-type",
        format!("{what} must be {want}{not}"),
        pos,
        help,
    )
}

/// What the value at (`line`, `column`) is, in the format's words.
fn found_words(text: &str, line: usize, column: usize) -> String {
    let rest = rest_of_line(text, line, column);
    let value = strip_comment(rest).trim_end();
    match value.chars().next() {
        Some('[') => "a list".to_string(),
        Some('{') => "a mapping".to_string(),
        Some('-') if value == "-" || value.starts_with("- ") => "a list".to_string(),
        None => "nothing".to_string(),
        _ if Outline::key_of(value)
            .is_some_and(|(_, after)| after.is_empty() || value.len() > after.len()) =>
        {
            "a mapping".to_string()
        }
        _ => format!("`{}`", clip(value, 40)),
    }
}

/// The text of line `line` (1-based) from column `column` (1-based, in characters).
fn rest_of_line(text: &str, line: usize, column: usize) -> &str {
    let l = text
        .split('\n')
        .nth(line.saturating_sub(1))
        .unwrap_or_default()
        .trim_end_matches('\r');
    l.char_indices()
        .nth(column.saturating_sub(1))
        .map_or("", |(i, _)| &l[i..])
}

/// How many characters to underline for the value at (`line`, `column`): up to a comment or
/// the end of the line.
fn value_len(text: &str, line: usize, column: usize) -> usize {
    strip_comment(rest_of_line(text, line, column))
        .trim_end()
        .chars()
        .count()
}

/// Where key `name` is written on `line`, at or after `column` when it is there.
fn key_pos(text: &str, line: usize, column: usize, name: &str) -> Pos {
    let l = rest_of_line(text, line, 1);
    let col = l.find(name).map_or(column, |i| l[..i].chars().count() + 1);
    Pos::new(line, col).with_len(name.chars().count())
}

/// `s` without a trailing ` # comment` (a `#` after a space, outside quotes).
fn strip_comment(s: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if (c == '"' || c == '\'') && (prev == ' ' || i == 0) => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return &s[..i],
            None => {}
        }
        prev = c;
    }
    s
}

/// The field a value belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Field {
    key: String,
    /// The value is an item of the field's list.
    item: bool,
}

impl Field {
    fn described(&self) -> String {
        match self.item {
            true => format!("an item of `{}`", self.key),
            false => format!("`{}`", self.key),
        }
    }
}

/// A problem found in a document's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    /// A tab in the indentation, at this column.
    Tab { line: usize, column: usize },
    /// A quoted text that opens here and never closes (before the structure resumes).
    UnclosedQuote {
        line: usize,
        column: usize,
        mark: char,
        len: usize,
    },
    /// A text that starts with a quote mark and goes on after the closing one.
    TrailingAfterQuote {
        line: usize,
        column: usize,
        key: String,
        value: String,
    },
    /// `: ` inside a plain (unquoted) value.
    ColonInPlain {
        line: usize,
        column: usize,
        key: String,
        value: String,
    },
    /// A `[` or `{` that is never closed.
    UnclosedFlow {
        line: usize,
        column: usize,
        bracket: char,
    },
    /// A line indented to match nothing above it; `expected` are the indentations that
    /// would continue something, innermost first, with a line that has it.
    BadIndent {
        line: usize,
        indent: usize,
        expected: Vec<(usize, String)>,
    },
    /// A line indented more than the field above it, which already has a value.
    OverIndented {
        line: usize,
        indent: usize,
        sibling: (usize, usize),
    },
    /// A `- ` item among fields, or a field among `- ` items, at the same indentation.
    Mixed {
        line: usize,
        indent: usize,
        item: bool,
        other: usize,
        /// For an item: the indentation of the nearest list above, and a line that has it.
        list: Option<(usize, String)>,
    },
}

impl Problem {
    fn line(&self) -> usize {
        match self {
            Problem::Tab { line, .. }
            | Problem::UnclosedQuote { line, .. }
            | Problem::TrailingAfterQuote { line, .. }
            | Problem::ColonInPlain { line, .. }
            | Problem::UnclosedFlow { line, .. }
            | Problem::BadIndent { line, .. }
            | Problem::OverIndented { line, .. }
            | Problem::Mixed { line, .. } => *line,
        }
    }

    fn explained(&self) -> Explained {
        let syntax = |message: String, pos: Pos, help: String| {
            Explained::new("yaml-syntax", message, Some(pos), help)
        };
        let spaces = |n: usize| format!("{n} space{}", if n == 1 { "" } else { "s" });
        match self {
            Problem::Tab { line, column } => syntax(
                "this line is indented with a tab".to_string(),
                Pos::new(*line, *column),
                "indent with spaces, not tabs (YAML does not allow tabs in indentation)".to_string(),
            ),
            Problem::UnclosedQuote {
                line,
                column,
                mark,
                len,
            } => syntax(
                format!("the quoted text that starts here is never closed: it has no closing `{mark}`"),
                Pos::new(*line, *column).with_len(*len),
                match mark {
                    '"' => "end the text with `\"` on this line; to put a `\"` inside it, write `\\\"`, or put the whole text in single quotes ('...') instead".to_string(),
                    _ => "end the text with `'` on this line; to put a `'` inside it, write it twice (`''`), or put the whole text in double quotes (\"...\") instead".to_string(),
                },
            ),
            Problem::TrailingAfterQuote {
                line,
                column,
                key,
                value,
            } => syntax(
                format!("the text ends at its second quote mark, and `{}` follows it", clip(after_first_quoted(value), 40)),
                Pos::new(*line, *column).with_len(value.chars().count()),
                format!("a text that starts with a quote mark must end with it; quote the whole text: `{key}: {}`", clip(&quote(value), 200)),
            ),
            Problem::ColonInPlain {
                line,
                column,
                key,
                value,
            } => syntax(
                "`: ` inside a text that is not quoted starts another field".to_string(),
                Pos::new(*line, *column).with_len(value.chars().count()),
                format!("quote the whole text: `{key}: {}`", clip(&quote(value), 200)),
            ),
            Problem::UnclosedFlow {
                line,
                column,
                bracket,
            } => {
                let (what, close) = match bracket {
                    '[' => ("list", ']'),
                    _ => ("mapping", '}'),
                };
                syntax(
                    format!("the {what} that opens here with `{bracket}` is never closed"),
                    Pos::new(*line, *column),
                    format!("close it with `{close}` on the same line, e.g. `[one, two]`; quote items that contain `,`, `[` or `]`"),
                )
            }
            Problem::BadIndent {
                line,
                indent,
                expected,
            } => {
                let options: Vec<String> = expected
                    .iter()
                    .map(|(n, like)| format!("{}, {like}", spaces(*n)))
                    .collect();
                syntax(
                    format!("this line is indented by {}, which lines it up with nothing above it", spaces(*indent)),
                    Pos::new(*line, 1).with_len((*indent).max(1)),
                    format!("indent it by {}", options.join(", or by ")),
                )
            }
            Problem::OverIndented {
                line,
                indent,
                sibling: (n, l),
            } => syntax(
                format!("this line is indented by {}, more than the line above it, which already has its value", spaces(*indent)),
                Pos::new(*line, 1).with_len((*indent).max(1)),
                format!("indent it by {}, like line {l}, if it is another field of the same item; if it continues the text above, put that text in quotes", spaces(*n)),
            ),
            Problem::Mixed {
                line,
                indent,
                item,
                other,
                list,
            } => syntax(
                match item {
                    true => format!("this `- ` item is indented by {}, like the fields on line {other}, not like list items", spaces(*indent)),
                    false => format!("this field is indented by {}, like the `- ` items on line {other}, not like fields", spaces(*indent)),
                },
                Pos::new(*line, 1).with_len((*indent).max(1)),
                match (item, list) {
                    (true, Some((n, like))) => format!("indent it by {}, {like}, to make it another item of that list", spaces(*n)),
                    (true, None) => "indent a list's items further than the field whose list they are, all by the same amount".to_string(),
                    (false, _) => format!("indent it further, by {}, to make it a field of the item above; or start a new item with `- `", spaces(indent + 2)),
                },
            ),
        }
    }
}

/// What follows the first quoted part of `value` (which starts with a quote mark).
fn after_first_quoted(value: &str) -> &str {
    let mark = value.chars().next().unwrap_or('"');
    match closing_quote(&value[1..], mark) {
        Some(i) => value[1 + i + 1..].trim(),
        None => value,
    }
}

/// The byte index in `s` of the quote `mark` that closes a quoted scalar opened just before
/// `s`: `\"` is an escape in double quotes, `''` in single ones.
fn closing_quote(s: &str, mark: char) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if mark == '"' && b == b'\\' {
            i += 2;
            continue;
        }
        if b == mark as u8 {
            if mark == '\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// One level of block structure: a mapping or list at an indentation.
#[derive(Debug, Clone)]
struct Level {
    indent: usize,
    list: bool,
    /// The last line at this level, and what starts it there (`- ` or `key:`), for the help.
    line: usize,
    label: String,
    /// The keys written at this level so far, with their positions.
    keys: Vec<(String, Pos)>,
}

impl Level {
    fn new(indent: usize, list: bool, line: usize, label: String) -> Self {
        Level {
            indent,
            list,
            line,
            label,
            keys: Vec::new(),
        }
    }

    /// How to refer to this level's indentation in a help line.
    fn like(&self) -> (usize, String) {
        (
            self.indent,
            format!("like `{}` on line {}", self.label, self.line),
        )
    }
}

/// A multi-line construct still open: a quoted text or a flow collection.
#[derive(Debug, Clone, Copy)]
struct Open {
    line: usize,
    column: usize,
    mark: char,
    /// Continuation lines must be indented further than this.
    parent: usize,
    len: usize,
    /// For a flow collection: how many brackets are open.
    depth: usize,
}

/// What a document's lines say about its structure: the first problem in it, the field each
/// value belongs to, repeated keys. A small reader of block YAML's lines, for explaining
/// errors only.
#[derive(Debug, Default)]
struct Outline {
    problems: Vec<Problem>,
    /// `(line, column, field)` for every key (at the key's column and, when it has a value
    /// on its line, at the value's) and every `- ` item (at the item's column). A value
    /// that opens a one-line `[...]` list is marked `item`.
    fields: Vec<(usize, usize, Field)>,
    /// Repeated keys: the first place and the second, by key.
    duplicates: Vec<(String, Pos, Pos)>,
    /// `(line, column, field)` where the block value of a field starts (the first line under
    /// `key:`): a value there is the field's, whatever the line itself holds.
    block_starts: Vec<(usize, usize, Field)>,
}

/// One line of the document.
struct Line<'a> {
    number: usize,
    raw: &'a str,
    indent: usize,
    /// The line after its indentation.
    content: &'a str,
}

impl<'a> Line<'a> {
    fn new(number: usize, raw: &'a str) -> Self {
        let raw = raw.trim_end_matches('\r');
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        Line {
            number,
            raw,
            indent,
            content: &raw[indent..],
        }
    }

    fn blank(&self) -> bool {
        self.content.trim().is_empty()
    }

    fn is_item(&self) -> bool {
        self.content == "-" || self.content.starts_with("- ")
    }

    /// The column of byte `byte` of the line.
    fn column(&self, byte: usize) -> usize {
        char_col(self.raw, byte)
    }
}

/// The state of reading an outline, line by line.
#[derive(Default)]
struct Reader {
    out: Outline,
    levels: Vec<Level>,
    /// The previous line opened a block (`key:` or `- ` with nothing after it): its
    /// indentation, whether a key opened it, and the field whose block it is.
    opened: Option<(usize, bool, Field)>,
    quoted: Option<Open>,
    flow: Option<Open>,
    /// A `|` or `>` text is open; its lines are indented further than this.
    block_scalar: Option<usize>,
    /// The last field with its value on its line: its indentation and line.
    last_valued: Option<(usize, usize)>,
    /// The fields whose blocks the current line is in, with the blocks' indentations.
    parents: Vec<(usize, Field)>,
}

/// What to do after a line.
type Step = Result<(), Problem>;

impl Outline {
    fn read(text: &str) -> Outline {
        let mut r = Reader::default();
        for (n, raw) in text.split('\n').enumerate() {
            if let Err(p) = r.line(&Line::new(n + 1, raw)) {
                r.out.problems.push(p);
                return r.out;
            }
        }
        if let Some(open) = r.quoted {
            r.out.problems.push(open.unclosed_quote());
        } else if let Some(open) = r.flow {
            r.out.problems.push(open.unclosed_flow());
        }
        r.out
    }

    /// `content` as `key: value`: the plain key and the rest after `: ` (empty when the key
    /// ends the line).
    fn key_of(content: &str) -> Option<(&str, &str)> {
        let first = content.chars().next()?;
        if "#[]{}&*!|>%@`\"',?-".contains(first)
            && !(first == '-' && !content.starts_with("- ") && content.len() > 1)
        {
            return None;
        }
        let bytes = content.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'#' && i > 0 && bytes[i - 1] == b' ' {
                return None;
            }
            if bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
                let key = content[..i].trim_end();
                let value = content[i + 1..].trim_start_matches(' ');
                return (!key.is_empty()).then_some((key, value));
            }
            i += 1;
        }
        None
    }

    /// The first problem, on a line before `limit` when the parser said where it stopped.
    fn first_problem(&self, limit: Option<usize>) -> Option<&Problem> {
        self.problems
            .first()
            .filter(|p| limit.is_none_or(|l| p.line() <= l))
    }

    /// The field the value at (`line`, `column`) belongs to: the key before it on its line,
    /// or the key whose block holds it.
    fn field_at(&self, line: usize, column: usize) -> Option<Field> {
        if let Some((_, _, f)) = self
            .block_starts
            .iter()
            .find(|(l, c, _)| *l == line && *c == column)
        {
            return Some(f.clone());
        }
        self.fields
            .iter()
            .filter(|(l, c, _)| *l == line && *c <= column)
            .max_by_key(|(_, c, _)| *c)
            .or_else(|| self.fields.iter().rfind(|(l, _, f)| *l == line && f.item))
            .map(|(_, _, f)| f.clone())
    }

    /// Both places of key `name` written twice in one mapping.
    fn duplicate(&self, name: &str) -> Option<(Pos, Pos)> {
        self.duplicates
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, a, b)| (*a, *b))
    }
}

impl Open {
    fn unclosed_quote(&self) -> Problem {
        Problem::UnclosedQuote {
            line: self.line,
            column: self.column,
            mark: self.mark,
            len: self.len,
        }
    }

    fn unclosed_flow(&self) -> Problem {
        Problem::UnclosedFlow {
            line: self.line,
            column: self.column,
            bracket: self.mark,
        }
    }
}

impl Reader {
    fn line(&mut self, l: &Line) -> Step {
        if self.inside_open(l)? {
            return Ok(());
        }
        if l.blank() || l.content.starts_with('#') {
            return Ok(());
        }
        if l.indent == 0 && (l.content.starts_with("---") || l.content.starts_with("...")) {
            // A new document starts afresh.
            let out = std::mem::take(&mut self.out);
            *self = Reader {
                out,
                ..Reader::default()
            };
            return Ok(());
        }
        let lead = &l.raw[..l.raw.len() - l.raw.trim_start().len()];
        if let Some(tab) = lead.find('\t') {
            return Err(Problem::Tab {
                line: l.number,
                column: tab + 1,
            });
        }
        if !self.place(l)? {
            // The continuation of a plain text above.
            return Ok(());
        }
        self.contents(l)
    }

    /// Whether the line belongs to a quoted text, `[...]` or block text still open (or ends
    /// it); an open one the line cannot belong to is the problem.
    fn inside_open(&mut self, l: &Line) -> Result<bool, Problem> {
        if let Some(open) = self.quoted {
            if l.blank() {
                return Ok(true);
            }
            if l.indent <= open.parent {
                return Err(open.unclosed_quote());
            }
            if closing_quote(l.raw, open.mark).is_some() {
                self.quoted = None;
            }
            return Ok(true);
        }
        if let Some(mut open) = self.flow {
            if l.blank() {
                return Ok(true);
            }
            if l.indent <= open.parent {
                return Err(open.unclosed_flow());
            }
            open.depth = flow_depth(l.raw, open.depth);
            self.flow = (open.depth > 0).then_some(open);
            return Ok(true);
        }
        if let Some(parent) = self.block_scalar {
            if l.blank() || l.indent > parent {
                return Ok(true);
            }
            self.block_scalar = None;
        }
        Ok(false)
    }

    /// Fits the line's indentation into the levels open above it. `false` when the line
    /// continues a plain text instead.
    fn place(&mut self, l: &Line) -> Result<bool, Problem> {
        let (indent, item) = (l.indent, l.is_item());
        let label = label_of(l.content);
        if let Some((p, by_key, field)) = self.opened.take()
            && (indent > p || (by_key && item && indent == p))
        {
            let start = (l.number, l.column(indent), field.clone());
            self.out.block_starts.push(start);
            self.parents.push((indent, field));
            self.levels
                .push(Level::new(indent, item, l.number, label.clone()));
            self.last_valued = None;
        }
        let popped = pop_to(&mut self.levels, indent);
        self.parents.retain(|(i, _)| *i <= indent);
        let Some(top) = self.levels.last() else {
            self.levels.push(Level::new(indent, item, l.number, label));
            return Ok(true);
        };
        if top.indent < indent {
            return self.deeper(l, popped);
        }
        // An indentless list (`key:` then `- ` lines at the key's indentation) ends at the
        // next key.
        let under_key =
            self.levels.len() > 1 && self.levels[self.levels.len() - 2].indent == indent;
        if top.list && !item && under_key {
            self.levels.pop();
            self.parents.pop();
        } else if top.list != item {
            return Err(self.mixed(l, top));
        }
        if let Some(top) = self.levels.last_mut() {
            top.line = l.number;
            top.label = label;
        }
        Ok(true)
    }

    /// A line indented further than the block it is in, which nothing opened.
    fn deeper(&self, l: &Line, popped: Vec<Level>) -> Result<bool, Problem> {
        let top = self.levels.last().expect("a level above");
        if !popped.is_empty() {
            let mut expected: Vec<(usize, String)> = popped.iter().map(Level::like).collect();
            expected.push(top.like());
            expected.dedup_by_key(|(i, _)| *i);
            return Err(Problem::BadIndent {
                line: l.number,
                indent: l.indent,
                expected,
            });
        }
        if l.is_item() || Outline::key_of(l.content).is_some() {
            let sibling = self.last_valued.unwrap_or((top.indent, top.line));
            return Err(Problem::OverIndented {
                line: l.number,
                indent: l.indent,
                sibling,
            });
        }
        Ok(false)
    }

    /// A `- ` item at the indentation of fields, or a field at that of items.
    fn mixed(&self, l: &Line, top: &Level) -> Problem {
        // For a stray item, the list it may belong to.
        let list = self.levels.iter().rev().find(|lv| lv.list).map(Level::like);
        Problem::Mixed {
            line: l.number,
            indent: l.indent,
            item: l.is_item(),
            other: top.line,
            list,
        }
    }

    /// The line's `- ` items, key and value.
    fn contents(&mut self, l: &Line) -> Step {
        let mut col = l.indent;
        let mut rest = l.content;
        let field_here = self.parents.last().map(|(_, f)| f.clone());
        while rest == "-" || rest.starts_with("- ") {
            let after = rest[1..].trim_start_matches(' ');
            col += rest.len() - after.len();
            rest = after;
            let field = field_here.clone().unwrap_or_default();
            self.out.fields.push((
                l.number,
                l.column(col),
                Field {
                    item: true,
                    ..field.clone()
                },
            ));
            if rest.is_empty() {
                self.opened = Some((
                    l.indent,
                    false,
                    Field {
                        item: true,
                        ..field
                    },
                ));
                return Ok(());
            }
            if rest.starts_with("- ") || rest == "-" {
                // A list in a list: content files have none; not followed further.
                return Ok(());
            }
            if Outline::key_of(rest).is_some() {
                self.levels
                    .push(Level::new(col, false, l.number, label_of(rest)));
            }
        }
        let Some((key, value)) = Outline::key_of(rest) else {
            // A text item (or a document that is one text).
            let at = At {
                line: l,
                byte: col,
                parent: col,
            };
            return at.value(None, rest, self);
        };
        self.key(l, col, key);
        let value_byte = col + (rest.len() - value.len());
        let field = Field {
            key: key.to_string(),
            item: false,
        };
        if strip_comment(value).trim_end().is_empty() {
            self.opened = Some((col, true, field));
            return Ok(());
        }
        let in_list = value.starts_with('[');
        let at_value = l.column(value_byte) + usize::from(in_list);
        self.out.fields.push((
            l.number,
            at_value,
            Field {
                item: in_list,
                ..field
            },
        ));
        self.last_valued = Some((col, l.number));
        let at = At {
            line: l,
            byte: value_byte,
            parent: col,
        };
        at.value(Some(key), value, self)
    }

    /// Notes key `key`, written at byte `col`, in the mapping it is in.
    fn key(&mut self, l: &Line, col: usize, key: &str) {
        let pos = Pos::new(l.number, l.column(col)).with_len(key.chars().count());
        let field = Field {
            key: key.to_string(),
            item: false,
        };
        self.out.fields.push((l.number, pos.column, field));
        if let Some(level) = self.levels.last_mut() {
            if let Some((_, first)) = level.keys.iter().find(|(k, _)| k == key) {
                self.out.duplicates.push((key.to_string(), *first, pos));
            }
            level.keys.push((key.to_string(), pos));
        }
    }
}

/// What starts a line, for a help line: `- `, or its key with the colon.
fn label_of(content: &str) -> String {
    if content == "-" || content.starts_with("- ") {
        return "- ".to_string();
    }
    match Outline::key_of(content) {
        Some((key, _)) => format!("{}:", clip(key, 30)),
        None => clip(content, 30).into_owned(),
    }
}

/// Closes the levels deeper than `indent`; returns them, innermost first.
fn pop_to(levels: &mut Vec<Level>, indent: usize) -> Vec<Level> {
    let mut popped = Vec::new();
    while levels.last().is_some_and(|l| l.indent > indent) {
        popped.extend(levels.pop());
    }
    popped
}

/// The 1-based column (in characters) of byte `byte` of `line`.
fn char_col(line: &str, byte: usize) -> usize {
    line.get(..byte).map_or(byte, |s| s.chars().count()) + 1
}

/// The depth of flow brackets after `line`, starting at `depth`; quoted texts are skipped.
fn flow_depth(line: &str, mut depth: usize) -> usize {
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth = depth.saturating_sub(1),
            '"' | '\'' => {
                if let Some(end) = closing_quote(&line[i + 1..], c) {
                    let skip = line[i + 1..i + 1 + end + 1].chars().count();
                    for _ in 0..skip {
                        chars.next();
                    }
                }
            }
            '#' if i > 0 && line.as_bytes()[i - 1] == b' ' => break,
            _ => {}
        }
        if depth == 0 {
            break;
        }
    }
    depth
}

/// Where a value is written: its line, and the byte where it starts.
struct At<'l, 'a> {
    line: &'l Line<'a>,
    byte: usize,
    /// The indentation its continuation lines must exceed.
    parent: usize,
}

impl At<'_, '_> {
    /// A problem with `value` (of `key`), or the multi-line construct it opens.
    fn value(&self, key: Option<&str>, value: &str, r: &mut Reader) -> Step {
        let Some(first) = value.chars().next() else {
            return Ok(());
        };
        let open = |mark, depth| Open {
            line: self.line.number,
            column: self.line.column(self.byte),
            mark,
            parent: self.parent,
            len: value.chars().count(),
            depth,
        };
        match first {
            '"' | '\'' => match closing_quote(&value[1..], first) {
                Some(end) if !strip_comment(&value[1 + end + 1..]).trim().is_empty() => {
                    Err(Problem::TrailingAfterQuote {
                        line: self.line.number,
                        column: self.line.column(self.byte),
                        key: key.unwrap_or("text").to_string(),
                        value: strip_comment(value).trim_end().to_string(),
                    })
                }
                Some(_) => Ok(()),
                None => {
                    r.quoted = Some(open(first, 0));
                    Ok(())
                }
            },
            '[' | '{' => {
                let depth = flow_depth(value, 0);
                if depth > 0 {
                    r.flow = Some(open(first, depth));
                }
                Ok(())
            }
            '|' | '>' => {
                r.block_scalar = Some(self.parent);
                Ok(())
            }
            '&' | '*' | '!' => Ok(()),
            _ => {
                let plain = strip_comment(value).trim_end();
                match (key, plain.contains(": ")) {
                    (Some(key), true) => Err(Problem::ColonInPlain {
                        line: self.line.number,
                        column: self.line.column(self.byte),
                        key: key.to_string(),
                        value: plain.to_string(),
                    }),
                    _ => Ok(()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> Option<Problem> {
        Outline::read(text).problems.into_iter().next()
    }

    #[test]
    fn an_unclosed_quote_is_found_where_it_opens() {
        let text = "quotes:\n  - id: a\n    text: \"by the first week\n    speaker: x\n  - id: b\n    text: \"more\"\n";
        assert!(matches!(
            problem(text),
            Some(Problem::UnclosedQuote {
                line: 3,
                column: 11,
                mark: '"',
                ..
            })
        ));
        // A quoted text may go on over lines indented under it.
        let ok = "quotes:\n  - text: \"by the first\n      week\"\n    speaker: x\n";
        assert_eq!(problem(ok), None);
    }

    #[test]
    fn tabs_and_indentation_are_placed_on_their_own_line() {
        assert_eq!(
            problem("a:\n  b: c\n\td: e\n"),
            Some(Problem::Tab { line: 3, column: 1 })
        );
        assert!(matches!(
            problem("quotes:\n  - id: a\n    text: b\n   speaker: c\n"),
            Some(Problem::BadIndent {
                line: 4,
                indent: 3,
                ..
            })
        ));
        assert!(matches!(
            problem("quotes:\n  - id: a\n    text: b\n      speaker: c\n"),
            Some(Problem::OverIndented {
                line: 4,
                indent: 6,
                sibling: (4, 3)
            })
        ));
        assert!(matches!(
            problem("quotes:\n  - id: a\n  text: b\n"),
            Some(Problem::Mixed {
                line: 3,
                item: false,
                ..
            })
        ));
    }

    #[test]
    fn valid_block_yaml_has_no_problem() {
        let text = "# c\nquotes:\n  - id: a  # x\n    text: \"a: b\"\n    parts: [\"x, y\", z]\n    note: |\n      one: two\n\n      three\n    questions:\n    - q1\n    - q2\n    speaker: x\nhighlights:\n- text: 'it''s'\n  note: >\n    folded\npositions: []\n";
        assert_eq!(problem(text), None);
        let fields = Outline::read(text).fields;
        assert!(
            fields
                .iter()
                .any(|(l, _, f)| *l == 11 && f.key == "questions" && f.item),
            "{fields:?}"
        );
    }

    #[test]
    fn a_value_on_the_lines_under_a_key_is_that_key_s() {
        let o = Outline::read("quotes:\n  text: a\n  speaker: b\n");
        let quotes = Field {
            key: "quotes".to_string(),
            item: false,
        };
        assert_eq!(o.field_at(2, 3), Some(quotes));
        assert_eq!(o.field_at(2, 9).map(|f| f.key), Some("text".to_string()));
        assert_eq!(
            o.field_at(3, 12).map(|f| f.key),
            Some("speaker".to_string())
        );
    }

    #[test]
    fn duplicate_keys_name_both_places() {
        let o = Outline::read("quotes:\n- text: a\nhighlights: []\nquotes: []\n");
        let (first, second) = o.duplicate("quotes").unwrap();
        assert_eq!((first.line, second.line), (1, 4));
    }

    #[test]
    fn colons_and_trailing_text_get_a_pasteable_fix() {
        let p = problem("quotes:\n  - text: talks were: nice\n").unwrap();
        let e = p.explained();
        assert_eq!(e.pos.map(|p| (p.line, p.column)), Some((2, 11)));
        assert!(
            e.help.contains("`text: \"talks were: nice\"`"),
            "{}",
            e.help
        );
        let p = problem("quotes:\n  - text: \"no\" he said\n").unwrap();
        assert!(
            p.explained().help.contains("`text: '\"no\" he said'`"),
            "{p:?}"
        );
    }

    #[test]
    fn no_valid_file_of_the_repository_has_a_problem() {
        // A problem found in a valid part of a file would be reported instead of the real
        // one: every YAML file the tests and examples hold must read clean.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for dir in ["tests/fixtures", "tests/suggest_eval", "docs"] {
            for entry in walkdir::WalkDir::new(root.join(dir)) {
                let path = entry.unwrap().into_path();
                let text = match path.extension().and_then(|e| e.to_str()) {
                    Some("yaml" | "yml") => std::fs::read_to_string(&path).unwrap(),
                    Some("md") => {
                        let text = std::fs::read_to_string(&path).unwrap();
                        match text
                            .strip_prefix("---\n")
                            .and_then(|t| t.split_once("\n---"))
                        {
                            Some((front, _)) => front.to_string(),
                            None => continue,
                        }
                    }
                    _ => continue,
                };
                if super::super::saphyr::<serde::de::IgnoredAny>(&text).is_err() {
                    continue;
                }
                seen += 1;
                assert_eq!(problem(&text), None, "{}", path.display());
            }
        }
        assert!(seen > 40, "{seen}");
    }

    #[test]
    fn broken_documents_never_panic() {
        // Every one-character edit of a document with quotes, lists, a block text and
        // non-ASCII text: each one the parser rejects goes through this module.
        let text = "quotes:\n  - id: a\n    text: \"é «x» y\"\n    parts: ['a', \"b\"]\n    note: |\n      n: o\n    questions:\n    - q\nhighlights: []\n";
        for (i, _) in text.char_indices() {
            for c in [' ', '\t', '"', '\'', ':', '-', '[', '{', '\n', '#', 'é'] {
                let mut edited = text.to_string();
                edited.insert(i, c);
                let _ = super::super::parse::<crate::input::AnnotationsFile>(
                    &edited,
                    Path::new("a.yaml"),
                    0,
                );
                let mut cut = text.to_string();
                cut.remove(i);
                let _ = super::super::parse::<crate::input::AnnotationsFile>(
                    &cut,
                    Path::new("a.yaml"),
                    0,
                );
            }
        }
    }
}

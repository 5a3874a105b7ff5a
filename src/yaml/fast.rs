//! A fast reader for the plain YAML that content files are written in.
//!
//! serde-saphyr reads a briefing's annotations at about 30 ns a byte, a quarter of a whole
//! build. Nearly every content file uses a small part of YAML: block mappings with plain keys,
//! block lists, plain and quoted scalars (wrapped over lines or not), `|` and `>` block
//! scalars, one-line flow lists and comments. This module reads exactly that part into a tree
//! of [`Node`]s carrying the positions serde-saphyr would give; [`super::nodes`] deserialises
//! our input structs from it.
//!
//! It must never read a document differently from serde-saphyr. So it *declines* (returns
//! `None`) whatever it is not certain of: tabs, carriage returns and other control characters,
//! byte order marks, anchors, tags, flow mappings, quoted keys, indentation indicators, a type
//! it would have to guess, and every error. The caller then parses with serde-saphyr, which also words the
//! diagnostics. Declining costs time, never correctness; `tests/it/yaml_differential.rs` holds
//! the two readers to the same results, positions included, and debug builds check every
//! document they read. It does no I/O.

use std::borrow::Cow;

use memchr::{memchr, memchr2, memchr3};
use serde::de::DeserializeOwned;

/// Reads `text` into `T` if it lies within the subset this module knows; `None` otherwise.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    let root = Reader::new(text).document()?;
    T::deserialize(super::nodes::NodeDe(&root)).ok()
}

/// One YAML node and where it is.
pub(super) struct Node<'a> {
    pub kind: Kind<'a>,
    pub at: At,
}

pub(super) enum Kind<'a> {
    /// Nothing after `key:`.
    Null,
    /// A plain scalar, which a schema may read as a null, a number or a boolean.
    Plain(Cow<'a, str>),
    /// A quoted or block scalar: a string, whatever it spells.
    Str(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    Map(Vec<(Node<'a>, Node<'a>)>),
}

/// A position as serde-saphyr reports it: line and column from 1, offset and length in
/// characters, and the same in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct At {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
    pub len: u32,
    pub byte_offset: u32,
    pub byte_len: u32,
}

impl At {
    /// The same place with no length: where serde-saphyr puts a mapping or a block list.
    fn point(self) -> At {
        At {
            len: 0,
            byte_len: 0,
            ..self
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    /// The line `pos` is on, from 1, and the byte where that line starts.
    line: u32,
    line_start: usize,
    /// Character offsets are byte offsets when the text is ASCII; otherwise they are counted
    /// forward from the last place counted (positions are asked for in increasing order).
    ascii: bool,
    counted_bytes: usize,
    counted_chars: usize,
}

/// Bytes that may not start a plain scalar (YAML's indicators). Some may in YAML when a
/// non-space follows (`-x`); this reader declines them all.
fn is_indicator(c: u8) -> bool {
    matches!(
        c,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

/// The null spellings of YAML's core schema.
pub(super) fn is_null(s: &str) -> bool {
    matches!(s, "null" | "Null" | "NULL" | "~")
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader {
            text,
            b: text.as_bytes(),
            pos: 0,
            line: 1,
            line_start: 0,
            ascii: text.is_ascii(),
            counted_bytes: 0,
            counted_chars: 0,
        }
    }

    fn document(mut self) -> Option<Node<'a>> {
        // Tabs and carriage returns change how white space is read, other control characters
        // are errors (YAML forbids them); a byte order mark is an error in some places and
        // not in others.
        if crate::scan::first_where(self.b, |c| (c < 0x20) & (c != b'\n')).is_some()
            || memchr::memmem::find(self.b, "\u{feff}".as_bytes()).is_some()
        {
            return None;
        }
        let mut indent = self.next_content_line()??;
        if indent == 0 && self.b[self.pos..].starts_with(b"---") {
            if !matches!(self.b.get(self.pos + 3), None | Some(b'\n')) {
                return None;
            }
            self.next_line();
            indent = self.next_content_line()??;
        }
        self.pos = self.line_start + indent;
        let root = self.block_node(indent)?;
        match self.next_content_line()? {
            None => Some(root),
            Some(_) => None,
        }
    }

    // ---- lines ----

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Moves to the start of the next line, or to the end of the text (which then counts as
    /// the start of a line: the last line need not end in a line break).
    fn next_line(&mut self) {
        match memchr(b'\n', &self.b[self.pos..]) {
            Some(i) => {
                self.pos += i + 1;
                self.line += 1;
            }
            None => self.pos = self.b.len(),
        }
        self.line_start = self.pos;
    }

    /// From the start of a line, skips blank and comment lines. Leaves `pos` at the start of
    /// the next line with content and returns its indentation; `Some(None)` at the end.
    fn next_content_line(&mut self) -> Option<Option<usize>> {
        if self.pos != self.line_start {
            return None;
        }
        loop {
            if self.pos >= self.b.len() {
                return Some(None);
            }
            let indent = self.spaces_at(self.pos);
            match self.b.get(self.pos + indent) {
                None => {
                    self.next_line();
                    return Some(None);
                }
                Some(b'\n' | b'#') => self.next_line(),
                Some(_) => return Some(Some(indent)),
            }
        }
    }

    /// How many spaces start at byte `p`.
    fn spaces_at(&self, p: usize) -> usize {
        self.b[p..].iter().take_while(|&&c| c == b' ').count()
    }

    fn skip_spaces(&mut self) -> usize {
        let n = self.spaces_at(self.pos);
        self.pos += n;
        n
    }

    /// After a value: spaces, perhaps a comment, then the end of the line.
    fn end_of_line(&mut self) -> Option<()> {
        let spaces = self.skip_spaces();
        match self.peek() {
            None | Some(b'\n') => {
                self.next_line();
                Some(())
            }
            Some(b'#') if spaces > 0 => {
                self.next_line();
                Some(())
            }
            Some(_) => None,
        }
    }

    // ---- positions ----

    fn chars_to(&mut self, byte: usize) -> usize {
        if self.ascii {
            return byte;
        }
        if byte < self.counted_bytes {
            self.counted_bytes = 0;
            self.counted_chars = 0;
        }
        self.counted_chars += count_chars(&self.b[self.counted_bytes..byte]);
        self.counted_bytes = byte;
        self.counted_chars
    }

    /// The position of `start`, which must be on the current line, with no length yet.
    fn at(&mut self, start: usize) -> At {
        let column = if self.ascii {
            start - self.line_start
        } else {
            count_chars(&self.b[self.line_start..start])
        };
        At {
            line: self.line,
            column: column as u32 + 1,
            offset: self.chars_to(start) as u32,
            len: 0,
            byte_offset: start as u32,
            byte_len: 0,
        }
    }

    /// `at` stretched to end at byte `end`.
    fn until(&mut self, at: At, end: usize) -> At {
        At {
            len: (self.chars_to(end) - at.offset as usize) as u32,
            byte_len: (end - at.byte_offset as usize) as u32,
            ..at
        }
    }

    fn span(&mut self, start: usize, end: usize) -> At {
        let at = self.at(start);
        self.until(at, end)
    }

    // ---- block structure ----

    fn at_seq_entry(&self) -> bool {
        self.peek() == Some(b'-') && matches!(self.b.get(self.pos + 1), None | Some(b' ' | b'\n'))
    }

    /// The end of the plain key at `pos` (`key:` followed by a space or the end of the line).
    fn key_end(&self) -> Option<usize> {
        let rest = &self.b[self.pos..];
        let first = *rest.first()?;
        if !(first.is_ascii_alphanumeric() || first == b'_') {
            return None;
        }
        let len = rest.iter().take_while(|&&c| is_key_byte(c)).count();
        if rest.get(len) != Some(&b':') || !matches!(rest.get(len + 1), None | Some(b' ' | b'\n')) {
            return None;
        }
        Some(self.pos + len)
    }

    /// A mapping or a list starting at `pos`, whose lines are indented by `indent`.
    fn block_node(&mut self, indent: usize) -> Option<Node<'a>> {
        if self.at_seq_entry() {
            self.block_seq(indent, false)
        } else if self.key_end().is_some() {
            self.block_map(indent)
        } else {
            None
        }
    }

    /// A block mapping whose keys sit at column `indent` (the first may follow a `- `).
    fn block_map(&mut self, indent: usize) -> Option<Node<'a>> {
        let at = self.at(self.pos);
        let mut entries = Vec::new();
        loop {
            let key_end = self.key_end()?;
            let key = Node {
                kind: Kind::Plain(Cow::Borrowed(&self.text[self.pos..key_end])),
                at: self.span(self.pos, key_end),
            };
            self.pos = key_end + 1;
            let value = self.map_value(indent)?;
            entries.push((key, value));
            match self.next_content_line()? {
                Some(i) if i == indent => {
                    self.pos += i;
                    if self.at_seq_entry() {
                        return None;
                    }
                }
                Some(i) if i > indent => return None,
                _ => break,
            }
        }
        Some(Node {
            kind: Kind::Map(entries),
            at,
        })
    }

    /// What follows `key:` in a mapping at `indent`: a value on the same line, a block on the
    /// lines below (a list may sit at the key's own indentation), or nothing.
    fn map_value(&mut self, indent: usize) -> Option<Node<'a>> {
        self.skip_spaces();
        if !matches!(self.peek(), None | Some(b'\n' | b'#')) {
            return self.inline_value(indent);
        }
        let null = Node {
            kind: Kind::Null,
            at: self.at(self.pos),
        };
        self.next_line();
        match self.next_content_line()? {
            Some(i) if i > indent => {
                self.pos += i;
                self.block_node(i)
            }
            Some(i) if i == indent => {
                let line_start = self.pos;
                self.pos += i;
                if self.at_seq_entry() {
                    self.block_seq(i, true)
                } else {
                    self.pos = line_start;
                    Some(null)
                }
            }
            _ => Some(null),
        }
    }

    /// A block list whose dashes sit at column `indent`. serde-saphyr places it at its first
    /// dash, or, when the dashes sit at the indentation of the key it is the value of, at its
    /// first item.
    fn block_seq(&mut self, indent: usize, indentless: bool) -> Option<Node<'a>> {
        let dash = self.at(self.pos);
        let mut items = Vec::new();
        loop {
            self.pos += 1;
            if self.skip_spaces() == 0 || matches!(self.peek(), None | Some(b'\n' | b'#')) {
                return None;
            }
            let item = if self.at_seq_entry() {
                return None;
            } else if self.key_end().is_some() {
                self.block_map(self.pos - self.line_start)?
            } else {
                self.inline_value(indent)?
            };
            items.push(item);
            match self.next_content_line()? {
                Some(i) if i == indent => {
                    let line_start = self.pos;
                    self.pos += i;
                    if !self.at_seq_entry() {
                        // A key at the list's own indentation ends a list that was a value.
                        self.pos = line_start;
                        break;
                    }
                }
                Some(i) if i > indent => return None,
                _ => break,
            }
        }
        let at = if indentless {
            items[0].at.point()
        } else {
            dash
        };
        Some(Node {
            kind: Kind::Seq(items),
            at,
        })
    }

    /// A scalar or a flow list on the current line (a plain or quoted scalar may go on over
    /// lines indented more than `indent`). Leaves `pos` at the start of the next line.
    fn inline_value(&mut self, indent: usize) -> Option<Node<'a>> {
        let node = match self.peek()? {
            b'"' | b'\'' => self.quoted_scalar(Some(indent))?,
            b'[' => self.flow_seq()?,
            b'|' | b'>' => return self.block_scalar(indent),
            c if is_indicator(c) => return None,
            _ => return self.plain(indent),
        };
        self.end_of_line()?;
        Some(node)
    }

    // ---- scalars ----

    /// A plain scalar in a block, folded over its continuation lines.
    fn plain(&mut self, indent: usize) -> Option<Node<'a>> {
        let start = self.pos;
        let at = self.at(start);
        let (mut end, mut commented) = self.plain_line(start)?;
        let mut folded: Option<String> = None;
        loop {
            self.pos = end;
            self.next_line();
            if commented || self.pos >= self.b.len() {
                break;
            }
            let spaces = self.spaces_at(self.pos);
            let first = self.b.get(self.pos + spaces).copied();
            if spaces <= indent || matches!(first, None | Some(b'\n' | b'#')) {
                break;
            }
            if is_indicator(first?) {
                return None;
            }
            let piece = self.pos + spaces;
            let (piece_end, piece_commented) = self.plain_line(piece)?;
            let folded = folded.get_or_insert_with(|| self.text[start..end].to_owned());
            folded.push(' ');
            folded.push_str(&self.text[piece..piece_end]);
            (end, commented) = (piece_end, piece_commented);
        }
        // Whatever is indented more after a comment or a blank line would be read on as part
        // of this scalar (or be an error); not worth the risk.
        if let Some(i) = self.next_content_line()?
            && i > indent
        {
            return None;
        }
        let value = match folded {
            Some(s) => Cow::Owned(s),
            None => Cow::Borrowed(&self.text[start..end]),
        };
        let at = self.until(at, end);
        Some(Node {
            kind: Kind::Plain(value),
            at,
        })
    }

    /// One line of a plain scalar from `start`: where its text ends (trailing spaces off) and
    /// whether a comment follows. Declines a `: ` inside, which YAML reads as a mapping.
    fn plain_line(&self, start: usize) -> Option<(usize, bool)> {
        let line_end = memchr(b'\n', &self.b[start..]).map_or(self.b.len(), |i| start + i);
        let mut end = line_end;
        let mut commented = false;
        let mut from = start;
        while let Some(i) = memchr2(b':', b'#', &self.b[from..line_end]) {
            let p = from + i;
            if self.b[p] == b':' {
                if matches!(self.b.get(p + 1), None | Some(b' ' | b'\n')) {
                    return None;
                }
            } else if self.b[p - 1] == b' ' {
                end = p;
                commented = true;
                break;
            }
            from = p + 1;
        }
        while end > start && self.b[end - 1] == b' ' {
            end -= 1;
        }
        (end > start).then_some((end, commented))
    }

    /// A quoted scalar at `pos`: double-quoted with backslash escapes, or single-quoted with
    /// `''` for a quote. `indent` is the indentation its continuation lines must exceed;
    /// `None` allows none (inside a flow list). Leaves `pos` after the closing quote.
    fn quoted_scalar(&mut self, indent: Option<usize>) -> Option<Node<'a>> {
        let start = self.pos;
        let double = self.b[start] == b'"';
        let at = self.at(start);
        let mut p = start + 1;
        let mut out = String::new();
        let mut owned = false;
        loop {
            let rest = &self.b[p..];
            let i = p + match double {
                true => memchr3(b'"', b'\\', b'\n', rest)?,
                false => memchr2(b'\'', b'\n', rest)?,
            };
            match self.b[i] {
                b'\n' => {
                    owned = true;
                    out.push_str(self.text[p..i].trim_end_matches(' '));
                    self.pos = i;
                    p = self.continuation(indent?, Some(&mut out))?;
                }
                // Only looked for in double quotes.
                b'\\' => {
                    owned = true;
                    out.push_str(&self.text[p..i]);
                    if self.b.get(i + 1) == Some(&b'\n') {
                        self.pos = i + 1;
                        p = self.continuation(indent?, None)?;
                    } else {
                        p = unescape(self.b, i + 1, &mut out)?;
                    }
                }
                _ if !double && self.b.get(i + 1) == Some(&b'\'') => {
                    owned = true;
                    out.push_str(&self.text[p..=i]);
                    p = i + 2;
                }
                _ => {
                    self.pos = i + 1;
                    let value = match owned {
                        true => {
                            out.push_str(&self.text[p..i]);
                            Cow::Owned(out)
                        }
                        false => Cow::Borrowed(&self.text[start + 1..i]),
                    };
                    return Some(self.quoted(at, value));
                }
            }
        }
    }

    fn quoted(&mut self, at: At, value: Cow<'a, str>) -> Node<'a> {
        let at = self.until(at, self.pos);
        Node {
            kind: Kind::Str(value),
            at,
        }
    }

    /// At the line break inside a quoted scalar: folds it (one break is a space, each blank
    /// line a newline; `out` is `None` after an escaped break, which folds to nothing) and
    /// returns where the text goes on.
    fn continuation(&mut self, indent: usize, out: Option<&mut String>) -> Option<usize> {
        self.next_line();
        let mut blank_lines = 0;
        loop {
            let spaces = self.spaces_at(self.pos);
            match self.b.get(self.pos + spaces)? {
                b'\n' => {
                    blank_lines += 1;
                    self.next_line();
                }
                _ if spaces <= indent => return None,
                _ => {
                    match out {
                        Some(out) if blank_lines == 0 => out.push(' '),
                        Some(out) => out.extend(std::iter::repeat_n('\n', blank_lines)),
                        None if blank_lines == 0 => {}
                        None => return None,
                    }
                    return Some(self.pos + spaces);
                }
            }
        }
    }

    /// A block scalar (`|` literal or `>` folded, perhaps with `-` to strip the last line
    /// break) whose lines are indented more than `indent`. serde-saphyr places it at its first
    /// line of text and lets it run to the first character of the line that ends it.
    /// Leaves `pos` at the start of that line.
    fn block_scalar(&mut self, indent: usize) -> Option<Node<'a>> {
        let literal = self.peek() == Some(b'|');
        self.pos += 1;
        let strip = self.peek() == Some(b'-');
        if strip {
            self.pos += 1;
        }
        // An indentation indicator or `+` (keep) make end_of_line decline.
        self.end_of_line()?;
        let content_indent = self.spaces_at(self.pos);
        if content_indent <= indent
            || matches!(self.b.get(self.pos + content_indent), None | Some(b'\n'))
        {
            return None;
        }
        let start = self.pos + content_indent;
        let at = self.at(start);
        let mut value = String::new();
        let mut blank_lines = 0;
        let mut first = true;
        let end = loop {
            let spaces = self.spaces_at(self.pos);
            let text_start = self.pos + spaces;
            match self.b.get(text_start) {
                None => break text_start,
                Some(b'\n') if spaces > content_indent => return None,
                Some(b'\n') => {
                    blank_lines += 1;
                    self.next_line();
                    continue;
                }
                Some(_) if spaces < content_indent => break text_start,
                Some(_) if spaces > content_indent && !literal => return None,
                Some(_) => {}
            }
            let line_end = memchr(b'\n', &self.b[self.pos..]).map(|i| self.pos + i)?;
            let text = &self.text[self.pos + content_indent..line_end];
            if !first {
                match (literal, blank_lines) {
                    (false, 0) => value.push(' '),
                    (false, n) => value.extend(std::iter::repeat_n('\n', n)),
                    (true, n) => value.extend(std::iter::repeat_n('\n', n + 1)),
                }
            }
            value.push_str(text);
            first = false;
            blank_lines = 0;
            self.next_line();
        };
        if !strip {
            value.push('\n');
        }
        let at = self.until(at, end);
        Some(Node {
            kind: Kind::Str(Cow::Owned(value)),
            at,
        })
    }

    /// A flow list on one line: `[a, "b c", 'd']`. Its position is its `[`, one character long.
    fn flow_seq(&mut self) -> Option<Node<'a>> {
        let start = self.pos;
        let at = self.span(start, start + 1);
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_spaces();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Some(Node {
                kind: Kind::Seq(items),
                at,
            });
        }
        loop {
            self.skip_spaces();
            let item = match self.peek()? {
                b'"' | b'\'' => self.quoted_scalar(None)?,
                c if is_indicator(c) => return None,
                _ => self.flow_plain()?,
            };
            items.push(item);
            self.skip_spaces();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    break;
                }
                _ => return None,
            }
        }
        Some(Node {
            kind: Kind::Seq(items),
            at,
        })
    }

    /// A plain scalar inside a flow list: up to a `,` or `]` on the same line.
    fn flow_plain(&mut self) -> Option<Node<'a>> {
        let start = self.pos;
        let mut end = start;
        loop {
            match *self.b.get(end)? {
                b',' | b']' => break,
                b'\n' | b'[' | b'{' | b'}' => return None,
                b':' if matches!(
                    self.b.get(end + 1),
                    None | Some(b' ' | b'\n' | b',' | b'[' | b']' | b'{' | b'}')
                ) =>
                {
                    return None;
                }
                b'#' if self.b[end - 1] == b' ' => return None,
                _ => end += 1,
            }
        }
        self.pos = end;
        while end > start && self.b[end - 1] == b' ' {
            end -= 1;
        }
        let at = self.span(start, end);
        Some(Node {
            kind: Kind::Plain(Cow::Borrowed(&self.text[start..end])),
            at,
        })
    }
}

/// Characters in UTF-8 `bytes`: the bytes that do not continue a character.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&c| (c as i8) >= -0x40).count()
}

/// Decodes the escape whose letter is at `i` into `out`; returns the index after it.
fn unescape(b: &[u8], i: usize, out: &mut String) -> Option<usize> {
    let simple = match *b.get(i)? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        letter => {
            let digits = match letter {
                b'x' => 2,
                b'u' => 4,
                b'U' => 8,
                _ => return None,
            };
            let hex = std::str::from_utf8(b.get(i + 1..i + 1 + digits)?).ok()?;
            if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
            return Some(i + 1 + digits);
        }
    };
    out.push(simple);
    Some(i + 1)
}

//! Folding: the normal form in which annotation texts are compared with the article.
//!
//! FORMAT.md: runs of white space become one space, curly quotes become straight ones, en and
//! em dashes become `-`, and `…` becomes `...`. Case is kept. [`Folded`] also remembers, for
//! every byte it produced, which byte range of the original text it came from, so a match in
//! folded text can be mapped back onto the article. This module knows nothing of Markdown.

use std::ops::Range;

use crate::scan;

/// Folds one character, or returns `None` for white space (which the callers collapse).
#[inline]
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' => "\"",
        '\u{2013}' | '\u{2014}' => "-",
        '\u{2026}' => "...",
        c if c.is_whitespace() => return None,
        _ => return Some(""),
    })
}

/// Folds `s` for comparison; leading and trailing white space is dropped.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_folded(&mut out, s, &mut ());
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Where each folded byte came from: [`Folded`] keeps it, [`fold`] does not.
trait Origins {
    /// One byte pushed, from the raw character at `start` of `len` bytes.
    fn byte(&mut self, start: usize, len: usize);
    /// Raw bytes `start..end` pushed as they are (plain ASCII).
    fn run(&mut self, start: usize, end: usize);
}

impl Origins for () {
    fn byte(&mut self, _: usize, _: usize) {}
    fn run(&mut self, _: usize, _: usize) {}
}

impl Origins for Vec<(u32, u32)> {
    fn byte(&mut self, start: usize, len: usize) {
        self.push((start as u32, (start + len) as u32));
    }
    fn run(&mut self, start: usize, end: usize) {
        self.extend((start as u32..end as u32).map(|k| (k, k + 1)));
    }
}

/// ASCII white space as `char::is_whitespace` sees it.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// The end of the run of bytes from `start` that fold to themselves: ASCII, with single
/// spaces between words (a space is copied only after a byte of the run that is not one).
/// Eight bytes at a time where it can: most of any article is such a run.
fn ascii_run(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    loop {
        let space_may_follow = i > start && bytes[i - 1] != b' ';
        if scan::word_at(bytes, i).is_some_and(|w| plain_word(w, space_may_follow)) {
            i += 8;
            continue;
        }
        let copied = match bytes.get(i) {
            Some(b' ') => space_may_follow,
            Some(&b) => b.is_ascii() && !is_ascii_space(b),
            None => false,
        };
        if !copied {
            return i;
        }
        i += 1;
    }
}

/// Whether all eight bytes of `w` fold to themselves inside a run: ASCII, no control
/// character (so no white space but spaces; other controls are left to the byte loop), no two
/// spaces in a row, and a first space only if `space_may_follow`.
fn plain_word(w: u64, space_may_follow: bool) -> bool {
    if !scan::ascii_from_space(w) {
        return false;
    }
    let spaces = scan::bytes_equal(w, b' ');
    // `0x80` marks the first byte.
    spaces & (spaces << 8) == 0 && (space_may_follow || spaces & 0x80 == 0)
}

/// Appends the folding of `s` to `out`, telling `origins` where each byte pushed came from.
/// White space is collapsed against whatever `out` already ends with, and never pushed at the
/// very start. Runs of plain ASCII (most of any article) are copied whole.
fn push_folded(out: &mut String, s: &str, origins: &mut impl Origins) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run = ascii_run(bytes, i);
        if run > i {
            out.push_str(&s[i..run]);
            origins.run(i, run);
            i = run;
            continue;
        }
        let c = s[i..].chars().next().expect("i is a char boundary");
        let len = c.len_utf8();
        match fold_char(c) {
            None => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                    origins.byte(i, len);
                }
            }
            Some("") => {
                out.push(c);
                for _ in 0..len {
                    origins.byte(i, len);
                }
            }
            Some(rep) => {
                out.push_str(rep);
                for _ in 0..rep.len() {
                    origins.byte(i, len);
                }
            }
        }
        i += len;
    }
}

/// A folded text with a map back to the raw text it came from.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    pub text: String,
    /// For each byte of `text`, the raw byte range of the character that produced it.
    origin: Vec<(u32, u32)>,
}

impl Folded {
    /// Folds `raw`, keeping the map. Trailing white space is dropped.
    pub fn new(raw: &str) -> Self {
        let mut text = String::with_capacity(raw.len());
        let mut origin = Vec::with_capacity(raw.len());
        push_folded(&mut text, raw, &mut origin);
        if text.ends_with(' ') {
            text.pop();
            origin.pop();
        }
        Folded { text, origin }
    }

    /// The raw byte range that the folded range `r` (non-empty) came from.
    pub fn raw_range(&self, r: Range<usize>) -> Range<usize> {
        debug_assert!(r.start < r.end && r.end <= self.origin.len());
        self.origin[r.start].0 as usize..self.origin[r.end - 1].1 as usize
    }

    /// The raw byte offset where folded byte `i` came from (the end of the raw text for
    /// `i == len`).
    pub fn raw_offset(&self, i: usize, raw_len: usize) -> usize {
        self.origin.get(i).map_or(raw_len, |o| o.0 as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_white_space_quotes_dashes_and_ellipses() {
        assert_eq!(
            fold("  \u{201C}Yes\u{201D}\u{2014}it\u{2019}s\n\n so\u{2026} "),
            "\"Yes\"-it's so..."
        );
        assert_eq!(fold("Case Matters"), "Case Matters");
        assert_eq!(fold("a\u{a0}\tb"), "a b");
    }

    /// The folding as FORMAT.md states it, one character at a time, with each byte's origin.
    fn reference(raw: &str) -> (String, Vec<(u32, u32)>) {
        let (mut text, mut origin) = (String::new(), Vec::new());
        for (i, c) in raw.char_indices() {
            let at = (i as u32, (i + c.len_utf8()) as u32);
            let piece = match fold_char(c) {
                None if text.is_empty() || text.ends_with(' ') => continue,
                None => " ".to_string(),
                Some("") => c.to_string(),
                Some(rep) => rep.to_string(),
            };
            origin.extend(std::iter::repeat_n(at, piece.len()));
            text.push_str(&piece);
        }
        if text.ends_with(' ') {
            text.pop();
            origin.pop();
        }
        (text, origin)
    }

    #[test]
    fn the_fast_path_folds_as_the_rules_say() {
        let alphabet = [
            "a", "B", "1", ".", " ", "  ", "\t", "\n", "\r\n", "\u{a0}", "\u{2019}", "\u{201C}",
            "\u{2014}", "\u{2026}", "é", "ß", "\u{0b}", "-", "\u{1}", "\u{7f}",
            // Longer plain pieces, so that runs of eight bytes and more (read a word at a
            // time) start and end at every offset.
            "plain", "Words, ", "x y", "ab  cd", "12345678", " z ",
        ];
        // A fixed pseudo-random walk over the alphabet: the same cases on every run.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..4000 {
            let mut raw = String::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                raw.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let (text, origin) = reference(&raw);
            let folded = Folded::new(&raw);
            assert_eq!(folded.text, text, "{raw:?}");
            assert_eq!(folded.origin, origin, "{raw:?}");
            assert_eq!(fold(&raw), text.trim_end(), "{raw:?}");
        }
    }

    /// `resolve` relies on this to find empty texts without folding them.
    #[test]
    fn only_white_space_folds_to_nothing() {
        for s in [
            "",
            " ",
            "\t\n\r",
            "\u{a0}\u{2003}\u{3000}",
            "a",
            " \u{2026} ",
            "\u{200b}",
            "\u{201C}\u{201D}",
            "\u{2014}",
            "x\u{a0}",
        ] {
            assert_eq!(fold(s).is_empty(), s.trim().is_empty(), "{s:?}");
        }
    }

    #[test]
    fn maps_folded_ranges_back_to_raw_text() {
        let raw = "a \u{2026}  b\u{201D}";
        let f = Folded::new(raw);
        assert_eq!(f.text, "a ... b\"");
        // "..." comes from the three bytes of the ellipsis.
        assert_eq!(&raw[f.raw_range(2..5)], "\u{2026}");
        assert_eq!(&raw[f.raw_range(6..8)], "b\u{201D}");
        // A range inside the ellipsis still maps onto whole characters.
        assert_eq!(&raw[f.raw_range(3..4)], "\u{2026}");
    }
}

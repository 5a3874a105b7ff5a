//! The marker: wraps spans of one text run in properly nested elements.
//!
//! Spans may overlap or nest in any way. Elements are opened and closed inside the run, so the
//! result is well-formed wherever the run sits in the page; a span that crosses another one's
//! end is closed and reopened (a "continuation piece"). The text under the elements of a span is
//! exactly that span's text. This module writes HTML for one run only; it knows nothing of
//! Markdown, annotations or templates.

use std::ops::Range;

use crate::scan;

/// One span to wrap: a byte range of the run and the caller's annotation number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub range: Range<usize>,
    pub ann: u32,
}

/// Writes the opening and closing tags for an annotation; the caller decides the element and
/// its attributes (and whether this is the annotation's first piece, which carries its `id`).
pub trait Tags {
    fn open(&mut self, ann: u32, out: &mut String);
    fn close(&mut self, ann: u32, out: &mut String);
}

/// Appends `text` to `out`, escaped, with `spans` wrapped in elements written by `tags`.
/// Spans must lie on character boundaries of `text`; empty spans are ignored.
pub fn mark_run(text: &str, spans: &[Span], tags: &mut impl Tags, out: &mut String) {
    if spans.is_empty() {
        escape_into(text, out);
        return;
    }
    let mut cuts: Vec<usize> = Vec::with_capacity(spans.len() * 2 + 2);
    cuts.push(0);
    cuts.push(text.len());
    for s in spans {
        cuts.push(s.range.start.min(text.len()));
        cuts.push(s.range.end.min(text.len()));
    }
    cuts.sort_unstable();
    cuts.dedup();

    // Spans wider first, so that where several start together the longest is the outermost
    // and stays open longest; ties broken by annotation number for determinism.
    let mut order: Vec<&Span> = spans
        .iter()
        .filter(|s| !s.range.is_empty() && s.range.start < text.len())
        .collect();
    order.sort_by(|a, b| {
        (a.range.start, std::cmp::Reverse(a.range.end), a.ann).cmp(&(
            b.range.start,
            std::cmp::Reverse(b.range.end),
            b.ann,
        ))
    });

    // The open spans, innermost last, and for each the earliest end among it and those
    // below it: the deepest span that ends at a cut is found by a binary search, not by
    // looking through every open span at every cut.
    let mut open: Vec<(&Span, usize)> = Vec::new();
    let mut next_start = 0;
    for w in cuts.windows(2) {
        let (at, next) = (w[0], w[1]);
        // Close every open span that ends here; spans above it that go on are reopened.
        let deepest = open.partition_point(|&(_, earliest_end)| earliest_end > at);
        if deepest < open.len() {
            let mut reopen = Vec::new();
            while open.len() > deepest {
                let (s, _) = open.pop().expect("stack is longer than `deepest`");
                tags.close(s.ann, out);
                if s.range.end > at {
                    reopen.push(s);
                }
            }
            for s in reopen.into_iter().rev() {
                tags.open(s.ann, out);
                push_open(&mut open, s);
            }
        }
        while let Some(&s) = order.get(next_start).filter(|s| s.range.start == at) {
            tags.open(s.ann, out);
            push_open(&mut open, s);
            next_start += 1;
        }
        escape_into(&text[at..next], out);
    }
    while let Some((s, _)) = open.pop() {
        tags.close(s.ann, out);
    }
}

/// Opens `s` on the stack of open spans, with the earliest end among it and those below it.
fn push_open<'s>(open: &mut Vec<(&'s Span, usize)>, s: &'s Span) {
    let below = open.last().map_or(usize::MAX, |&(_, end)| end);
    open.push((s, below.min(s.range.end)));
}

/// HTML-escapes text for element content and attribute values (the five characters that
/// are markup in either), and shows each stray control character as U+FFFD (no page holds
/// one; see [`scan::is_stray_control`]). The one HTML escape of the project: the marks, the
/// templates' autoescaping and the feed all use it. Text is looked at eight bytes at a time:
/// most text needs no escape.
pub fn escape_into(text: &str, out: &mut String) {
    out.reserve(text.len());
    escape_pieces(text, |piece| out.push_str(piece));
}

/// [`escape_into`], handing the escaped text to `push` piece by piece.
pub fn escape_pieces(text: &str, mut push: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut last = 0;
    let mut i = 0;
    let at_special = |at: usize, last: &mut usize, push: &mut dyn FnMut(&str)| {
        if let Some(escaped) = escape_of(bytes[at]) {
            push(&text[*last..at]);
            push(escaped);
            *last = at + 1;
        }
    };
    while let Some(w) = scan::word_at(bytes, i) {
        let found = specials_in(w);
        if found == 0 {
            i += 8;
            continue;
        }
        // The lowest byte marked is one to look at (a tab or line break, say, needs nothing).
        let at = i + scan::first_marked(found);
        at_special(at, &mut last, &mut push);
        i = at + 1;
    }
    for at in i..bytes.len() {
        at_special(at, &mut last, &mut push);
    }
    push(&text[last..]);
}

fn escape_of(b: u8) -> Option<&'static str> {
    Some(match b {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&quot;",
        b'\'' => "&#39;",
        b if scan::is_stray_control(b) => "\u{fffd}",
        _ => return None,
    })
}

/// Marks the bytes of `w` that may need escaping: the five specials exactly, and bytes below
/// the space (control characters: the lowest one marked is exact, others above it may not
/// be, and each is looked at again).
fn specials_in(w: u64) -> u64 {
    scan::bytes_equal(w, b'&')
        | scan::bytes_equal(w, b'<')
        | scan::bytes_equal(w, b'>')
        | scan::bytes_equal(w, b'"')
        | scan::bytes_equal(w, b'\'')
        | scan::bytes_below_space(w)
}

pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 8);
    escape_into(text, &mut s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `<m a=N>` and `</m>` so tests can read the structure at a glance.
    struct Plain;
    impl Tags for Plain {
        fn open(&mut self, ann: u32, out: &mut String) {
            out.push_str(&format!("<m{ann}>"));
        }
        fn close(&mut self, ann: u32, out: &mut String) {
            out.push_str(&format!("</m{ann}>"));
        }
    }

    fn run(text: &str, spans: &[(usize, usize, u32)]) -> String {
        let spans: Vec<Span> = spans
            .iter()
            .map(|&(s, e, ann)| Span { range: s..e, ann })
            .collect();
        let mut out = String::new();
        mark_run(text, &spans, &mut Plain, &mut out);
        out
    }

    #[test]
    fn nests_a_span_inside_another() {
        assert_eq!(
            run("abcdef", &[(0, 6, 0), (2, 4, 1)]),
            "<m0>ab<m1>cd</m1>ef</m0>"
        );
    }

    #[test]
    fn reopens_the_inner_span_when_spans_cross() {
        assert_eq!(
            run("abcdef", &[(0, 4, 0), (2, 6, 1)]),
            "<m0>ab<m1>cd</m1></m0><m1>ef</m1>"
        );
    }

    #[test]
    fn identical_spans_nest_in_annotation_order() {
        assert_eq!(run("ab", &[(0, 2, 1), (0, 2, 0)]), "<m0><m1>ab</m1></m0>");
    }

    #[test]
    fn escapes_text_and_ignores_empty_spans() {
        assert_eq!(run("<a&b>", &[(1, 1, 0)]), "&lt;a&amp;b&gt;");
    }

    /// The word-at-a-time escape against one byte at a time, with every special character at
    /// every offset of a word, next to plain and multi-byte characters.
    #[test]
    fn escapes_every_special_byte_wherever_it_stands() {
        let reference = |text: &str| -> String {
            text.chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    '\t' | '\n' | '\r' => c.to_string(),
                    c if c < ' ' => "\u{fffd}".to_string(),
                    c => c.to_string(),
                })
                .collect()
        };
        let controls = [
            "\u{0}", "\u{1}", "\t", "\n", "\r", "\u{1f}", "\u{7f}", "\n&", "\u{1b}<",
        ];
        for special in ["&", "<", ">", "\"", "'", "é", "€", "a", "&<"]
            .into_iter()
            .chain(controls)
        {
            for before in 0..18 {
                for after in [0, 1, 7, 8, 9] {
                    let text = format!(
                        "{}{special}{}{special}",
                        "x".repeat(before),
                        "\u{2019}".repeat(after)
                    );
                    assert_eq!(escape(&text), reference(&text), "{text:?}");
                }
            }
        }
    }
}

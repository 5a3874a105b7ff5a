//! The article as `suggest` reads it: the reader text split into paragraphs, and the map from
//! reader offsets to the folded text that anchoring searches.
//!
//! It must not build a reader text of its own: it takes `markdown::Article`'s, so every offset
//! it hands out lands where anchoring will look. It only adds what the reader text does not
//! say, which line breaks end a block and which are soft breaks inside one. No I/O, and no
//! knowledge of quotes or speakers.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::fold::Folded;
use crate::markdown::{Article, Rules};

/// An article's reader text, by paragraph.
pub struct Reader {
    /// The reader text with line breaks inside a block turned into spaces. Same length as
    /// `Article::reader`, so offsets are interchangeable.
    pub text: String,
    /// The blocks (paragraphs, headings, list items, table cells) as trimmed byte ranges of
    /// `text`, in order. Empty blocks and code blocks (nobody's words) are left out.
    pub paragraphs: Vec<Range<usize>>,
    /// The folded text anchoring searches, with its map back to `text`.
    pub folded: Folded,
}

impl Reader {
    pub fn new(body: &str, allow_raw_html: bool) -> Reader {
        let rules = Rules {
            allow_raw_html,
            ..Rules::default()
        };
        let article = Article::parse(body, rules);
        let blocks = Innermost::new(&block_ranges(body));
        let mut bytes = article.reader.clone().into_bytes();
        for (i, b) in article.reader.bytes().enumerate() {
            if b == b'\n' && i > 0 && is_soft_break(&article, &blocks, i) {
                bytes[i] = b' ';
            }
        }
        // Only ASCII newlines were replaced by ASCII spaces, so the text is still UTF-8.
        let text = String::from_utf8(bytes).unwrap_or_else(|_| article.reader.clone());
        let code = code_ranges(body);
        let paragraphs = split_paragraphs(&text)
            .into_iter()
            .filter(|p| {
                let (source, _) = article.source_line_offset(p.start);
                // Code blocks are sorted and apart: only the last one starting at or before
                // `source` may hold it.
                let k = code.partition_point(|c| c.start <= source);
                !k.checked_sub(1).is_some_and(|k| code[k].contains(&source))
            })
            .collect();
        let folded = Folded::new(&text);
        Reader {
            text,
            paragraphs,
            folded,
        }
    }

    /// The folded offset that raw offset `raw` maps to: the first folded byte that comes from
    /// `raw` or later.
    pub fn folded_offset(&self, raw: usize) -> usize {
        let len = self.folded.text.len();
        let raw_len = self.text.len();
        // `raw_offset` never decreases, so the first folded byte at or after `raw` can be
        // found by bisection.
        let (mut lo, mut hi) = (0, len);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.folded.raw_offset(mid, raw_len) < raw {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The folded range of the raw range `r`.
    pub fn folded_range(&self, r: Range<usize>) -> Range<usize> {
        self.folded_offset(r.start)..self.folded_offset(r.end)
    }

    /// The index of the paragraph holding raw offset `at` (the last one starting at or before).
    pub fn paragraph_of(&self, at: usize) -> usize {
        self.paragraphs
            .partition_point(|p| p.start <= at)
            .saturating_sub(1)
    }
}

/// The source byte ranges of every block-level element, from a parse of our own. Used only to
/// tell which reader line breaks fall inside one block.
fn block_ranges(body: &str) -> Vec<Range<usize>> {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    Parser::new_ext(body, options)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(tag) if is_block(&tag) => Some(range),
            _ => None,
        })
        .collect()
}

/// The source byte ranges of code blocks.
fn code_ranges(body: &str) -> Vec<Range<usize>> {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    Parser::new_ext(body, options)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(_)) => Some(range),
            _ => None,
        })
        .collect()
}

fn is_block(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
    )
}

/// The smallest block holding each source offset, as a sorted list of stretches: looked up by
/// bisection, where comparing every block with every line break would be quadratic.
struct Innermost {
    /// (where the stretch starts, the innermost block there), sorted by start.
    stretches: Vec<(usize, Option<Range<usize>>)>,
}

impl Innermost {
    /// `blocks` as pulldown-cmark gives them: in document order, each nested one inside its
    /// parent.
    fn new(blocks: &[Range<usize>]) -> Innermost {
        let mut stretches: Vec<(usize, Option<Range<usize>>)> = vec![(0, None)];
        let mut open: Vec<Range<usize>> = Vec::new();
        let close_until = |at: usize, open: &mut Vec<Range<usize>>, out: &mut Vec<_>| {
            while let Some(top) = open.last().filter(|b| b.end <= at).cloned() {
                open.pop();
                out.push((top.end, open.last().cloned()));
            }
        };
        for b in blocks {
            close_until(b.start, &mut open, &mut stretches);
            open.push(b.clone());
            stretches.push((b.start, Some(b.clone())));
        }
        close_until(usize::MAX, &mut open, &mut stretches);
        // A later stretch starting at the same place replaces an earlier one.
        let mut out: Vec<(usize, Option<Range<usize>>)> = Vec::with_capacity(stretches.len());
        for s in stretches {
            match out.last_mut() {
                Some(last) if last.0 == s.0 => *last = s,
                _ => out.push(s),
            }
        }
        Innermost { stretches: out }
    }

    /// The smallest block holding source offset `at`.
    fn at(&self, at: usize) -> Option<&Range<usize>> {
        let k = self.stretches.partition_point(|s| s.0 <= at);
        self.stretches.get(k.checked_sub(1)?)?.1.as_ref()
    }
}

/// True when the reader line break at `i` joins two pieces of text of the same block (a soft
/// break, or a line inside a code block), rather than ending a block.
fn is_soft_break(article: &Article, blocks: &Innermost, i: usize) -> bool {
    // The start of the character before the break (offsets must be character boundaries).
    let prev = article.reader[..i]
        .char_indices()
        .next_back()
        .map_or(0, |(j, _)| j);
    let (before, _) = article.source_line_offset(prev);
    // The piece holding the character after the break: a code block's text ends with its own
    // last line break, which must still end the block.
    let (after, _) = article.source_line_offset(i + 1);
    if before == after {
        return true;
    }
    match (blocks.at(before), blocks.at(after)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn split_paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text
        .match_indices('\n')
        .chain(std::iter::once((text.len(), "")))
    {
        let line = &text[start..i];
        let lead = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            out.push(start + lead..start + lead + trimmed.len());
        }
        start = i + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_breaks_join_lines_and_blank_lines_split_paragraphs() {
        let r = Reader::new("One *two*\nthree.\n\n- four\n- five\n\n## Six\n", false);
        let paras: Vec<&str> = r.paragraphs.iter().map(|p| &r.text[p.clone()]).collect();
        assert_eq!(paras, ["One two three.", "four", "five", "Six"]);
        let r = Reader::new("Text.\n\n```\n\"code,\" he said.\n```\n\nMore.\n", false);
        let paras: Vec<&str> = r.paragraphs.iter().map(|p| &r.text[p.clone()]).collect();
        assert_eq!(paras, ["Text.", "More."]);
    }

    #[test]
    fn the_innermost_block_is_the_smallest_holding_the_offset() {
        let body = "Intro.\n\n- one\n  two\n- three\n\n> quoted\n> more\n>\n> - nested\n\n| a | b |\n|---|---|\n| c | d |\n";
        let blocks = block_ranges(body);
        let innermost = Innermost::new(&blocks);
        for at in 0..=body.len() {
            let naive = blocks
                .iter()
                .filter(|r| r.contains(&at))
                .min_by_key(|r| r.len());
            assert_eq!(innermost.at(at), naive, "at {at}");
        }
    }

    #[test]
    fn folded_offsets_follow_the_raw_text() {
        let r = Reader::new("A \u{201C}b\u{201D}  \u{2026} c\n", false);
        assert_eq!(r.folded.text, "A \"b\" ... c");
        let at = r.text.find('c').unwrap();
        assert_eq!(r.folded_offset(at), r.folded.text.find('c').unwrap());
        let b = r.text.find('b').unwrap();
        assert_eq!(r.folded_range(b..b + 1), 3..4);
    }
}

//! The `prefix`, `suffix` or `occurrence` that makes each suggested text anchor exactly where
//! it was found, checked with the anchoring code itself.
//!
//! The anchoring code searches the whole article for each text, which is quadratic over an
//! article with thousands of quotes. So this module finds every quote's matches in one pass
//! over the folded text ([`Matches`], a trie of the quotes read at each place), and hands the anchoring code only a short excerpt: the
//! neighbourhood of each match, joined by a character the reader text never holds. A text found
//! more than [`MAX_COMPARED`] times is told apart by its `occurrence` alone.
//!
//! It must not decide what a quote is, nor write YAML: it takes folded ranges and returns
//! selectors.

use std::collections::HashMap;
use std::ops::Range;

use crate::anchor;
use crate::model::Selector;

/// The selector fields a text needs besides its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub occurrence: Option<u32>,
}

/// Texts found more often than this are told apart by `occurrence`: comparing the context of
/// every match with every other is quadratic in their number.
pub const MAX_COMPARED: usize = 8;

/// Bytes of context kept around a match in an excerpt: far more than the eight words a
/// prefix or suffix may have.
const MARGIN: usize = 400;

/// What joins the neighbourhoods in an excerpt. The reader text never holds it (CommonMark
/// turns NUL into U+FFFD, and content files are read without control characters), so no
/// match, prefix or suffix can run across a junction unnoticed.
const JOINT: char = '\0';

/// Every match, in the folded text, of each of a set of texts: what `anchor::find_all` finds
/// for each, in one pass over the text.
pub struct Matches<'a> {
    found: HashMap<&'a str, Vec<Range<usize>>>,
}

/// Up to eight bytes as a number, zeros after them.
fn chunk(bytes: &[u8]) -> u64 {
    let mut key = [0u8; 8];
    let n = bytes.len().min(8);
    key[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(key)
}

/// The first `n` bytes (1 to 8) of a chunk.
fn first_bytes(chunk: u64, n: usize) -> u64 {
    if n >= 8 {
        chunk
    } else {
        chunk & ((1u64 << (8 * n)) - 1)
    }
}

/// A trie of the texts by eight-byte chunks: from a place in the folded text, each chunk read
/// leads to the texts that go on the same way, so texts that share their first words ("we
/// will go there now 1", "... 2") are not each compared at every place those words stand.
#[derive(Default)]
struct Node<'a> {
    /// Texts whose last chunk (1 to 8 bytes) is read here: by its length and bytes.
    ends: HashMap<(usize, u64), Vec<&'a str>>,
    /// The lengths of those last chunks.
    lengths: Vec<usize>,
    /// Texts that go on for more than eight bytes, by their next chunk.
    next: HashMap<u64, Node<'a>>,
}

impl<'a> Node<'a> {
    fn insert(&mut self, text: &'a str) {
        let bytes = text.as_bytes();
        let mut node = self;
        let mut at = 0;
        while bytes.len() - at > 8 {
            node = node.next.entry(chunk(&bytes[at..])).or_default();
            at += 8;
        }
        let rest = bytes.len() - at;
        node.ends
            .entry((rest, chunk(&bytes[at..])))
            .or_default()
            .push(text);
        if !node.lengths.contains(&rest) {
            node.lengths.push(rest);
        }
    }

    /// The texts that stand at byte `at` of `doc`, each with its end.
    fn visit(&self, doc: &[u8], at: usize, found: &mut impl FnMut(&'a str)) {
        let mut node = self;
        let mut i = at;
        while i < doc.len() {
            let here = chunk(&doc[i..]);
            for &n in &node.lengths {
                if i + n <= doc.len() {
                    for &t in node
                        .ends
                        .get(&(n, first_bytes(here, n)))
                        .into_iter()
                        .flatten()
                    {
                        found(t);
                    }
                }
            }
            if i + 8 > doc.len() {
                break;
            }
            match node.next.get(&here) {
                Some(n) => node = n,
                None => break,
            }
            i += 8;
        }
    }
}

impl<'a> Matches<'a> {
    /// Finds every match of every text in `doc`, overlapping ones included, as
    /// `anchor::find_all` does: at each character boundary, the texts that start there.
    pub fn new(doc: &'a str, texts: &[&'a str]) -> Matches<'a> {
        let mut trie = Node::default();
        let mut found: HashMap<&'a str, Vec<Range<usize>>> = HashMap::new();
        for &t in texts.iter().filter(|t| !t.is_empty()) {
            if found.insert(t, Vec::new()).is_none() {
                trie.insert(t);
            }
        }
        let bytes = doc.as_bytes();
        for at in (0..bytes.len()).filter(|&i| doc.is_char_boundary(i)) {
            trie.visit(bytes, at, &mut |t| {
                found.entry(t).or_default().push(at..at + t.len());
            });
        }
        Matches { found }
    }

    /// The matches of `text` (one of the texts given to `new`), in order.
    pub fn of(&self, text: &str) -> &[Range<usize>] {
        self.found.get(text).map_or(&[], Vec::as_slice)
    }
}

/// The selector that anchors `ranges` (a quote's parts, in the folded text `doc`) there and
/// nowhere else; `matches` are all the matches of its first part. `None` when no selector can.
pub fn unique(doc: &str, ranges: &[Range<usize>], matches: &[Range<usize>]) -> Option<Context> {
    let first = ranges.first()?;
    let me = matches.iter().position(|r| r.start == first.start)?;
    let last_end = ranges.last()?.end;
    if matches.len() > MAX_COMPARED {
        // Only the parts are checked here: the count is that of every match of the text.
        let excerpt = Excerpt::new(doc, &matches[me..=me], first.start..last_end);
        excerpt.selector(ranges)?;
        return Some(Context {
            occurrence: Some(me as u32 + 1),
            ..Context::default()
        });
    }
    Excerpt::new(doc, matches, first.start..last_end).selector(ranges)
}

/// The neighbourhoods of some matches, joined by [`JOINT`]: a short text in which anchoring
/// finds what it would find in the whole article.
struct Excerpt {
    text: String,
    /// Where each neighbourhood is: its start in the excerpt and in the folded text, its length.
    pieces: Vec<(usize, usize, usize)>,
}

/// The nearest character boundary of `doc` at or before `at`.
fn floor_boundary(doc: &str, mut at: usize) -> usize {
    at = at.min(doc.len());
    while !doc.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The nearest character boundary of `doc` at or after `at`.
fn ceil_boundary(doc: &str, mut at: usize) -> usize {
    at = at.min(doc.len());
    while !doc.is_char_boundary(at) {
        at += 1;
    }
    at
}

impl Excerpt {
    /// The neighbourhoods of `matches`; the quote's own (`own`, from its first part's start to
    /// its last part's end) reaches over all its parts.
    fn new(doc: &str, matches: &[Range<usize>], own: Range<usize>) -> Excerpt {
        let spans: Vec<Range<usize>> = matches
            .iter()
            .map(|m| {
                let end = if m.start == own.start {
                    m.end.max(own.end)
                } else {
                    m.end
                };
                floor_boundary(doc, m.start.saturating_sub(MARGIN))
                    ..ceil_boundary(doc, end.saturating_add(MARGIN))
            })
            .collect();
        let merged = super::coverage::merged(spans);
        let mut text = String::new();
        let mut pieces = Vec::with_capacity(merged.len());
        for s in merged {
            if !text.is_empty() {
                text.push(JOINT);
            }
            pieces.push((text.len(), s.start, s.len()));
            text.push_str(&doc[s]);
        }
        Excerpt { text, pieces }
    }

    /// Where folded offset `at` is in the excerpt.
    fn to_excerpt(&self, at: usize) -> Option<usize> {
        self.pieces
            .iter()
            .find(|&&(_, start, len)| start <= at && at <= start + len)
            .map(|&(here, start, _)| here + at - start)
    }

    /// The selector for `ranges` (folded offsets), worked out in the excerpt.
    fn selector(&self, ranges: &[Range<usize>]) -> Option<Context> {
        let local: Option<Vec<Range<usize>>> = ranges
            .iter()
            .map(|r| Some(self.to_excerpt(r.start)?..self.to_excerpt(r.end)?))
            .collect();
        let ctx = unique_selector(&self.text, &local?)?;
        // A context word that ran over a junction is not in the article.
        let crosses = |s: &Option<String>| s.as_deref().is_some_and(|s| s.contains(JOINT));
        (!crosses(&ctx.prefix) && !crosses(&ctx.suffix)).then_some(ctx)
    }
}

fn has_word(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// `prefix`, grown word by word (up to three more) until it holds a word, not only marks.
fn words_before(doc: &str, at: usize, prefix: &str) -> String {
    let words: Vec<&str> = doc[..at].trim_end().split(' ').collect();
    let have = prefix.split(' ').count();
    let mut n = have;
    while n < words.len() && n < have + 3 && !has_word(&words[words.len() - n..].join(" ")) {
        n += 1;
    }
    words[words.len() - n.min(words.len())..].join(" ")
}

/// The `prefix`, `suffix` or `occurrence` that makes the quote at `ranges` anchor there and
/// nowhere else in `doc`, checked with the anchoring code itself. A short text gets a prefix
/// even when it is unique, so that it survives small edits (and `check` does not call it
/// fragile).
fn unique_selector(doc: &str, ranges: &[Range<usize>]) -> Option<Context> {
    let first = ranges.first()?;
    let text = &doc[first.clone()];
    let matches = anchor::find_all(doc, text, 0);
    let me = matches.iter().position(|r| r.start == first.start)?;
    let short_text = text.split_whitespace().count() < 3 && ranges.len() == 1;
    let mut ctx = Context::default();
    if matches.len() > 1 || short_text {
        match anchor::disambiguators(doc, &matches, me) {
            (Some(p), Some(s)) if s.len() < p.len() && has_word(&s) => ctx.suffix = Some(s),
            // A longer prefix still singles the match out; one made of a quotation mark alone
            // would mean little to a reader.
            (Some(p), _) => ctx.prefix = Some(words_before(doc, first.start, &p)),
            (None, Some(s)) => ctx.suffix = Some(s),
            (None, None) => ctx.occurrence = Some(me as u32 + 1),
        }
    }
    let selector = Selector {
        parts: ranges.iter().map(|r| doc[r.clone()].into()).collect(),
        prefix: ctx.prefix.clone(),
        suffix: ctx.suffix.clone(),
        occurrence: ctx.occurrence,
    };
    match anchor::locate(doc, &selector) {
        Ok(found) if found == ranges => Some(ctx),
        _ if ctx.occurrence.is_none() => {
            // The context words did not single it out after all: count instead.
            let by_count = Selector {
                prefix: None,
                suffix: None,
                occurrence: Some(me as u32 + 1),
                ..selector
            };
            (anchor::locate(doc, &by_count).ok()? == ranges).then_some(Context {
                occurrence: by_count.occurrence,
                ..Context::default()
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_those_the_anchoring_code_finds() {
        let doc = "aa aaa \u{e9}t\u{e9} said no. no? nono said \u{e9}t\u{e9} we will go there now 1, we will go there now 12";
        let texts = [
            "aa",
            "no",
            "said no",
            "\u{e9}t\u{e9}",
            "missing",
            "a",
            "we will go there now 1",
            "we will go there now 12",
            "we will ",
            "we will go there now 123",
        ];
        let m = Matches::new(doc, &texts);
        for t in texts {
            assert_eq!(m.of(t), anchor::find_all(doc, t, 0), "{t:?}");
        }
    }

    #[test]
    fn excerpts_give_the_selector_the_whole_text_would() {
        let filler = "word ".repeat(200);
        let doc = format!("Anna said no. {filler} Jan said no. {filler} Eva said no.");
        let matches = anchor::find_all(&doc, "no.", 0);
        for m in &matches {
            let ranges = std::slice::from_ref(m);
            assert_eq!(
                unique(&doc, ranges, &matches),
                unique_selector(&doc, ranges),
                "{m:?}"
            );
        }
    }

    #[test]
    fn a_text_found_very_often_is_counted() {
        let doc = "He said \"go now\" and left. ".repeat(MAX_COMPARED + 2);
        let matches = anchor::find_all(&doc, "go now", 0);
        let ctx = unique(&doc, &matches[3..4], &matches).expect("a selector");
        assert_eq!(ctx.occurrence, Some(4));
    }
}

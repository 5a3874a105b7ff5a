//! The `prefix`, `suffix` or `occurrence` that makes each suggested text anchor exactly where
//! it was found, checked with the anchoring code itself.
//!
//! Every quote's matches are found in one pass over the folded text, and every proposed
//! selector is checked in one more ([`anchor::locate_all`]), so drafting takes time in
//! proportion to the article and its quotes, however many there are. A text found more than
//! [`MAX_COMPARED`] times is told apart by its `occurrence` alone.
//!
//! It must not decide what a quote is, nor write YAML: it takes folded ranges and returns
//! selectors.

use std::ops::Range;

use crate::anchor::{self, Occurrences};
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

/// For each quote (its parts' ranges in the folded text `doc`), the context that anchors it
/// there and nowhere else; `None` for a quote no selector anchors alone. A short text gets a
/// prefix even when it is unique, so that it survives small edits (and `check` does not call
/// it fragile).
pub fn contexts(doc: &str, quotes: &[Vec<Range<usize>>]) -> Vec<Option<Context>> {
    let text = |ranges: &Vec<Range<usize>>| doc.get(ranges.first()?.clone());
    let found = Occurrences::find(doc, quotes.iter().filter_map(text).map(str::to_owned));
    let proposed: Vec<Option<Context>> = quotes
        .iter()
        .map(|ranges| propose(doc, ranges, &found.of(text(ranges)?)))
        .collect();
    // Each proposal is kept if anchoring finds the quote with it, exactly where it is.
    let mut chosen = confirmed(doc, quotes, &proposed);
    // Context words that did not single a quote out after all: count instead.
    let counted: Vec<Option<Context>> = (quotes.iter().zip(&proposed).zip(&chosen))
        .map(|((ranges, proposal), chosen)| match (proposal, chosen) {
            (Some(p), None) if p.occurrence.is_none() => {
                let first = ranges.first()?;
                let me = found
                    .of(text(ranges)?)
                    .partition_point(|r| r.start < first.start);
                Some(Context {
                    occurrence: Some(me as u32 + 1),
                    ..Context::default()
                })
            }
            _ => None,
        })
        .collect();
    for (chosen, by_count) in chosen.iter_mut().zip(confirmed(doc, quotes, &counted)) {
        if chosen.is_none() {
            *chosen = by_count;
        }
    }
    chosen
}

/// The proposals that anchor their quote exactly where it is, in one pass of anchoring.
fn confirmed(
    doc: &str,
    quotes: &[Vec<Range<usize>>],
    proposals: &[Option<Context>],
) -> Vec<Option<Context>> {
    let selectors: Vec<Option<Selector>> = quotes
        .iter()
        .zip(proposals)
        .map(|(ranges, ctx)| {
            let ctx = ctx.as_ref()?;
            Some(Selector {
                parts: ranges.iter().map(|r| doc[r.clone()].into()).collect(),
                prefix: ctx.prefix.clone(),
                suffix: ctx.suffix.clone(),
                occurrence: ctx.occurrence,
            })
        })
        .collect();
    let asked: Vec<&Selector> = selectors.iter().flatten().collect();
    let mut placed = anchor::locate_all(doc, &asked).into_iter();
    quotes
        .iter()
        .zip(proposals)
        .zip(&selectors)
        .map(|((ranges, ctx), selector)| {
            selector.as_ref()?;
            let found = placed.next()?;
            (found.ok()? == *ranges).then(|| ctx.clone()).flatten()
        })
        .collect()
}

fn has_word(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// `prefix`, grown word by word (up to three more) until it holds a word, not only marks.
/// Only those words before `at` are read.
fn words_before(doc: &str, at: usize, prefix: &str) -> String {
    let have = prefix.split(' ').count();
    let most = have + 3;
    let mut words: Vec<&str> = doc[..at].trim_end().rsplitn(most + 1, ' ').collect();
    words.truncate(most);
    words.reverse();
    let mut n = have;
    while n < words.len() && n < most && !has_word(&words[words.len() - n..].join(" ")) {
        n += 1;
    }
    words[words.len() - n.min(words.len())..].join(" ")
}

/// The context that should single out the quote at `ranges` among `matches` (every match of
/// its first part, in order), before anchoring confirms it.
fn propose(doc: &str, ranges: &[Range<usize>], matches: &[Range<usize>]) -> Option<Context> {
    let first = ranges.first()?;
    let me = matches
        .binary_search_by_key(&first.start, |r| r.start)
        .ok()?;
    let mut ctx = Context::default();
    if matches.len() > MAX_COMPARED {
        ctx.occurrence = Some(me as u32 + 1);
        return Some(ctx);
    }
    let text = &doc[first.clone()];
    let short_text = text.split_whitespace().count() < 3 && ranges.len() == 1;
    if matches.len() > 1 || short_text {
        match anchor::disambiguators(doc, matches, me) {
            (Some(p), Some(s)) if s.len() < p.len() && has_word(&s) => ctx.suffix = Some(s),
            // A longer prefix still singles the match out; one made of a quotation mark alone
            // would mean little to a reader.
            (Some(p), _) => ctx.prefix = Some(words_before(doc, first.start, &p)),
            (None, Some(s)) => ctx.suffix = Some(s),
            (None, None) => ctx.occurrence = Some(me as u32 + 1),
        }
    }
    Some(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every(doc: &str, text: &str) -> Vec<Range<usize>> {
        (0..doc.len())
            .filter(|&i| doc.is_char_boundary(i) && doc[i..].starts_with(text))
            .map(|i| i..i + text.len())
            .collect()
    }

    #[test]
    fn each_quote_gets_the_context_that_singles_it_out() {
        let filler = "word ".repeat(200);
        let doc = format!("Anna said no. {filler} Jan said no. {filler} Eva said no.");
        let quotes: Vec<Vec<Range<usize>>> =
            every(&doc, "no.").into_iter().map(|m| vec![m]).collect();
        let found = contexts(&doc, &quotes);
        let prefixes: Vec<Option<&str>> = found
            .iter()
            .map(|c| c.as_ref().unwrap().prefix.as_deref())
            .collect();
        assert_eq!(
            prefixes,
            [Some("Anna said"), Some("Jan said"), Some("Eva said")]
        );
    }

    #[test]
    fn a_text_found_very_often_is_counted() {
        let doc = "He said \"go now\" and left. ".repeat(MAX_COMPARED + 2);
        let matches = every(&doc, "go now");
        let found = contexts(&doc, &[vec![matches[3].clone()]]);
        assert_eq!(found[0].as_ref().unwrap().occurrence, Some(4));
    }

    #[test]
    fn the_words_before_grow_until_they_hold_a_word() {
        assert_eq!(words_before("he said \" - \"", 13, "\""), "said \" - \"");
        assert_eq!(words_before("x", 1, "x"), "x");
    }
}

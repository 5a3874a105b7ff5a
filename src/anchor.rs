//! Anchoring: finding an annotation's text in the article's folded reader text.
//!
//! The rules are FORMAT.md's: exact match after folding, `prefix` and `suffix` must stand right
//! before and after (white space at the junction aside), `occurrence` picks among what is left,
//! and `parts` are found one after another. When a text cannot be placed exactly once, this
//! module says why in a [`Miss`], and finds the closest passage or the shortest context that
//! would make a match unique. It works on plain strings: no Markdown, no files, no I/O.

use std::ops::Range;

use crate::fold::fold;
use crate::model::Selector;

/// Why a selector could not be placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// Part `part` (0 for a plain text) is nowhere after byte `from`.
    NotFound { part: usize, from: usize },
    /// The text is found, but never with the given prefix and suffix.
    ContextNotFound { matches: Vec<Range<usize>> },
    /// More than one match and nothing to choose.
    Ambiguous { matches: Vec<Range<usize>> },
    /// `occurrence` asks for a match that does not exist.
    OccurrenceOutOfRange { wanted: u32, found: usize },
}

/// Finds the selector in `doc` (folded text). On success, one range per part.
pub fn locate(doc: &str, sel: &Selector) -> Result<Vec<Range<usize>>, Miss> {
    let parts: Vec<String> = sel.parts.iter().map(|p| fold(p)).collect();
    let first = parts.first().map(String::as_str).unwrap_or("");
    let all = find_all(doc, first, 0);
    if all.is_empty() {
        return Err(Miss::NotFound { part: 0, from: 0 });
    }
    let prefix = sel.prefix.as_deref().map(fold).filter(|p| !p.is_empty());
    let suffix = sel.suffix.as_deref().map(fold).filter(|s| !s.is_empty());
    let fitting: Vec<Range<usize>> = all
        .iter()
        .filter(|r| {
            prefix
                .as_deref()
                .is_none_or(|p| has_prefix(doc, r.start, p))
        })
        .filter(|r| suffix.as_deref().is_none_or(|s| has_suffix(doc, r.end, s)))
        .cloned()
        .collect();
    let chosen = match (fitting.len(), sel.occurrence) {
        (0, _) => return Err(Miss::ContextNotFound { matches: all }),
        (n, Some(k)) if k == 0 || k as usize > n => {
            return Err(Miss::OccurrenceOutOfRange {
                wanted: k,
                found: n,
            });
        }
        (_, Some(k)) => fitting[k as usize - 1].clone(),
        (1, None) => fitting[0].clone(),
        (_, None) => return Err(Miss::Ambiguous { matches: fitting }),
    };
    let mut ranges = vec![chosen];
    for (i, part) in parts.iter().enumerate().skip(1) {
        let from = ranges.last().map_or(0, |r| r.end);
        match find_all(doc, part, from).into_iter().next() {
            Some(r) => ranges.push(r),
            None => return Err(Miss::NotFound { part: i, from }),
        }
    }
    Ok(ranges)
}

/// Bytes of a needle the searcher looks for; the rest is compared at each find.
const SEARCH_HEAD: usize = 24;

/// Every match of `needle` in `doc` at or after `from`, overlapping ones included.
pub fn find_all(doc: &str, needle: &str, from: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    // One searcher for every match: std's `str::find` sets up its searcher on each call.
    // Setting one up takes time in proportion to what it looks for, and a quote runs to
    // hundreds of bytes: it looks for the quote's start, and each find is checked whole.
    let head = &needle.as_bytes()[..needle.len().min(SEARCH_HEAD)];
    let finder = memchr::memmem::Finder::new(head);
    let mut at = from;
    while let Some(i) = doc.get(at..).and_then(|rest| finder.find(rest.as_bytes())) {
        let start = at + i;
        if doc.as_bytes()[start..].starts_with(needle.as_bytes()) {
            out.push(start..start + needle.len());
        }
        at = start + doc[start..].chars().next().map_or(1, char::len_utf8);
    }
    out
}

/// True when `prefix` stands right before `at`; one space at the junction is not significant.
pub fn has_prefix(doc: &str, at: usize, prefix: &str) -> bool {
    let before = &doc[..at];
    let before = before.strip_suffix(' ').unwrap_or(before);
    before.ends_with(prefix)
}

pub fn has_suffix(doc: &str, at: usize, suffix: &str) -> bool {
    let after = &doc[at..];
    let after = after.strip_prefix(' ').unwrap_or(after);
    after.starts_with(suffix)
}

/// The shortest prefix and the shortest suffix (whole words, up to eight) that single out the
/// match at `target` among `matches`.
pub fn disambiguators(
    doc: &str,
    matches: &[Range<usize>],
    target: usize,
) -> (Option<String>, Option<String>) {
    let me = &matches[target];
    let prefix = (1..=8).find_map(|n| {
        let p = last_words(&doc[..me.start], n)?;
        let unique = matches
            .iter()
            .enumerate()
            .all(|(i, r)| i == target || !has_prefix(doc, r.start, &p));
        unique.then_some(p)
    });
    let suffix = (1..=8).find_map(|n| {
        let s = first_words(&doc[me.end..], n)?;
        let unique = matches
            .iter()
            .enumerate()
            .all(|(i, r)| i == target || !has_suffix(doc, r.end, &s));
        unique.then_some(s)
    });
    (prefix, suffix)
}

/// The last `n` words of `s` (with their punctuation), or `None` if `s` has fewer.
fn last_words(s: &str, n: usize) -> Option<String> {
    let s = s.trim_end();
    let words: Vec<&str> = s.split(' ').collect();
    if words.len() < n || s.is_empty() {
        return None;
    }
    Some(words[words.len() - n..].join(" "))
}

fn first_words(s: &str, n: usize) -> Option<String> {
    let s = s.trim_start();
    let words: Vec<&str> = s.split(' ').collect();
    if words.len() < n || s.is_empty() {
        return None;
    }
    Some(words[..n].join(" "))
}

/// Where the last `n` words before byte `at` of `doc` are (their punctuation included; the
/// space at the junction is not), or `None` if there are fewer.
pub fn last_words_range(doc: &str, at: usize, n: usize) -> Option<Range<usize>> {
    let end = doc[..at].trim_end().len();
    let words = last_words(&doc[..end], n)?;
    Some(end - words.len()..end)
}

/// Where the first `n` words after byte `at` of `doc` are, or `None` if there are fewer.
pub fn first_words_range(doc: &str, at: usize, n: usize) -> Option<Range<usize>> {
    let start = at + (doc[at..].len() - doc[at..].trim_start().len());
    let words = first_words(&doc[start..], n)?;
    Some(start..start + words.len())
}

/// The passage of `doc` closest to `needle` by edit distance (approximate substring matching,
/// Sellers' algorithm), and that distance. Long needles are located by their first 200
/// characters, which keeps this fast on long articles.
pub fn closest_passage(doc: &str, needle: &str) -> Option<(Range<usize>, usize)> {
    const PROBE: usize = 200;
    let doc_chars: Vec<(usize, char)> = doc.char_indices().collect();
    let needle_chars: Vec<char> = needle.chars().collect();
    if doc_chars.is_empty() || needle_chars.is_empty() {
        return None;
    }
    let probe = &needle_chars[..needle_chars.len().min(PROBE)];
    let m = probe.len();
    // cost[i], start[i]: best alignment of probe[..i] ending at the current doc position.
    let mut cost: Vec<usize> = (0..=m).collect();
    let mut start: Vec<usize> = vec![0; m + 1];
    let mut best = (usize::MAX, 0, 0); // (cost, start char, end char)
    for (j, &(_, dc)) in doc_chars.iter().enumerate() {
        let (mut diag_cost, mut diag_start) = (0, j); // row 0: free start here
        cost[0] = 0;
        start[0] = j + 1;
        for i in 1..=m {
            let sub = diag_cost + usize::from(probe[i - 1] != dc);
            let del = cost[i] + 1; // skip a doc char
            let ins = cost[i - 1] + 1; // skip a needle char
            let (old_cost, old_start) = (cost[i], start[i]);
            let (c, s) = if sub <= del && sub <= ins {
                (sub, diag_start)
            } else if del <= ins {
                (del, start[i])
            } else {
                (ins, start[i - 1])
            };
            cost[i] = c;
            start[i] = s;
            diag_cost = old_cost;
            diag_start = old_start;
        }
        if cost[m] < best.0 {
            best = (cost[m], start[m], j + 1);
        }
    }
    let (distance, s, mut e) = best;
    if needle_chars.len() > m {
        // Extend past the probe by the rest of the needle's length.
        e = (e + needle_chars.len() - m).min(doc_chars.len());
    }
    let byte = |c: usize| doc_chars.get(c).map_or(doc.len(), |&(b, _)| b);
    Some((byte(s)..byte(e), distance))
}

/// The first stretch where `expected` and `found` differ, word by word, as
/// (`expected` words, `found` words); `None` when they are equal.
pub fn first_difference(expected: &str, found: &str) -> Option<(String, String)> {
    let a: Vec<&str> = expected.split(' ').collect();
    let b: Vec<&str> = found.split(' ').collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if head == a.len() && head == b.len() {
        return None;
    }
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let take = |w: &[&str], end: usize| {
        let span = &w[head..end];
        let text = span.join(" ");
        if span.len() > 12 {
            format!("{} ...", span[..12].join(" "))
        } else {
            text
        }
    };
    Some((take(&a, a.len() - tail), take(&b, b.len() - tail)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(text: &str) -> Selector {
        Selector {
            parts: vec![text.into()],
            prefix: None,
            suffix: None,
            occurrence: None,
        }
    }

    fn one(r: Range<usize>) -> Vec<Range<usize>> {
        std::iter::once(r).collect()
    }

    const DOC: &str = "He said \"no\". She said \"no\". They said yes.";

    #[test]
    fn a_unique_text_is_found() {
        assert_eq!(locate(DOC, &sel("They said")), Ok(one(29..38)));
    }

    #[test]
    fn a_repeated_text_needs_context() {
        assert!(matches!(
            locate(DOC, &sel("said \"no\"")),
            Err(Miss::Ambiguous { .. })
        ));
        let with_prefix = Selector {
            prefix: Some("She ".into()),
            ..sel("said \"no\"")
        };
        assert_eq!(locate(DOC, &with_prefix), Ok(one(18..27)));
        // The junction space may be left out of the prefix.
        let tight = Selector {
            prefix: Some("She".into()),
            ..sel("said \"no\"")
        };
        assert_eq!(locate(DOC, &tight), Ok(one(18..27)));
        let second = Selector {
            occurrence: Some(2),
            ..sel("said \"no\"")
        };
        assert_eq!(locate(DOC, &second), Ok(one(18..27)));
        let third = Selector {
            occurrence: Some(3),
            ..sel("said \"no\"")
        };
        assert_eq!(
            locate(DOC, &third),
            Err(Miss::OccurrenceOutOfRange {
                wanted: 3,
                found: 2
            })
        );
    }

    #[test]
    fn parts_are_found_in_order() {
        let split = Selector {
            parts: vec!["He said".into(), "said".into()],
            ..sel("")
        };
        assert_eq!(locate(DOC, &split), Ok(vec![0..7, 18..22]));
        let missing = Selector {
            parts: vec!["They said".into(), "He said".into()],
            ..sel("")
        };
        assert_eq!(
            locate(DOC, &missing),
            Err(Miss::NotFound { part: 1, from: 38 })
        );
    }

    #[test]
    fn long_needles_match_whole_not_by_their_start() {
        // The searcher looks for the first SEARCH_HEAD bytes; the rest must match too.
        let head = "the allies agreed that Ukr";
        assert!(head.len() > SEARCH_HEAD);
        let doc = format!("{head}aine's future. {head}ainian troops. é{head}aine's future.");
        let found = find_all(&doc, &format!("{head}aine's future"), 0);
        let starts: Vec<usize> = found.iter().map(|r| r.start).collect();
        assert_eq!(starts, [0, doc.rfind(head).unwrap()]);
        for r in &found {
            assert_eq!(&doc[r.clone()], format!("{head}aine's future"));
        }
        // Overlapping matches of a long repetitive needle are all found.
        let doc = "ab".repeat(40);
        let needle = "ab".repeat(30);
        assert_eq!(find_all(&doc, &needle, 0).len(), 11);
        assert_eq!(find_all(&doc, &needle, 1).len(), 10);
    }

    #[test]
    fn the_shortest_context_that_disambiguates_is_suggested() {
        let matches = find_all(DOC, "said \"no\"", 0);
        assert_eq!(
            disambiguators(DOC, &matches, 1),
            (Some("She".into()), Some(". They".into()))
        );
    }

    #[test]
    fn the_closest_passage_is_found_despite_typos() {
        let doc = "Rasmussen said security guarantees need to cover intelligence sharing.";
        let (r, d) = closest_passage(doc, "guarantes need to cover inteligence").unwrap();
        assert_eq!(&doc[r], "guarantees need to cover intelligence");
        assert_eq!(d, 2);
        assert_eq!(
            first_difference("need to cover inteligence", "need to cover intelligence"),
            Some(("inteligence".into(), "intelligence".into()))
        );
    }
}

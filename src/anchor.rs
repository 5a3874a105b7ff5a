//! Anchoring: finding an annotation's text in the article's folded reader text.
//!
//! The rules are FORMAT.md's: exact match after folding, `prefix` and `suffix` must stand right
//! before and after (white space at the junction aside), `occurrence` picks among what is left,
//! and `parts` are found one after another. When a text cannot be placed exactly once, this
//! module says why in a [`Miss`], and finds the closest passage or the shortest context that
//! would make a match unique. It works on plain strings: no Markdown, no files, no I/O.
//!
//! A briefing's selectors are placed together ([`locate_all`]): every text they look for, and
//! each text joined with its prefix and suffix, is found in one pass over the article
//! (Aho-Corasick), and selectors that are the same are placed once. So anchoring takes time in
//! proportion to the article, the annotations and the matches, never to the article times the
//! annotations, whatever a hostile annotations file holds.

use std::ops::Range;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::fold::fold;
use crate::model::Selector;

/// Matches of a text, in order of where they start. Shared: many annotations can look for
/// the same text, and a miss keeps the matches it names.
pub type Matches = Arc<[Range<usize>]>;

/// Why a selector could not be placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// Part `part` (0 for a plain text) is nowhere after byte `from`.
    NotFound { part: usize, from: usize },
    /// The text is found, but never with the given prefix and suffix.
    ContextNotFound { matches: Matches },
    /// More than one match and nothing to choose.
    Ambiguous { matches: Matches },
    /// `occurrence` asks for a match that does not exist.
    OccurrenceOutOfRange { wanted: u32, found: usize },
}

/// What a selector looks for, folded as the article is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Search {
    parts: Vec<String>,
    prefix: Option<String>,
    suffix: Option<String>,
    occurrence: Option<u32>,
}

impl Search {
    fn of(sel: &Selector) -> Self {
        let context = |c: &Option<String>| c.as_deref().map(fold).filter(|c| !c.is_empty());
        Search {
            parts: sel.parts.iter().map(|p| fold(p)).collect(),
            prefix: context(&sel.prefix),
            suffix: context(&sel.suffix),
            occurrence: sel.occurrence,
        }
    }

    fn first(&self) -> &str {
        self.parts.first().map_or("", String::as_str)
    }

    /// The first part with its prefix before it and its suffix after it, each with or
    /// without the junction space, and where the first part starts in each.
    fn in_context(&self) -> Vec<(String, usize)> {
        let first = self.first();
        let befores: Vec<String> = match &self.prefix {
            Some(p) => vec![p.clone(), format!("{p} ")],
            None => vec![String::new()],
        };
        let afters: Vec<String> = match &self.suffix {
            Some(s) => vec![s.clone(), format!(" {s}")],
            None => vec![String::new()],
        };
        let mut out = Vec::with_capacity(4);
        for before in &befores {
            for after in &afters {
                out.push((format!("{before}{first}{after}"), before.len()));
            }
        }
        out
    }

    fn has_context(&self) -> bool {
        self.prefix.is_some() || self.suffix.is_some()
    }

    /// Whether this selector's context is best checked by looking for the text with its
    /// context, rather than at each of the text's matches: when it has many.
    fn context_searched(&self, matches: usize) -> bool {
        let context = self.prefix.as_ref().map_or(0, String::len)
            + self.suffix.as_ref().map_or(0, String::len);
        context > 0 && matches.saturating_mul(context) > CONTEXT_CHECKED_UP_TO
    }
}

/// Above this much work (a text's matches times its context's length), the matches that stand
/// in their context are found by a search for the text with its context.
const CONTEXT_CHECKED_UP_TO: usize = 1 << 12;

/// Every match of each of a set of texts in a document, overlapping ones included, found in
/// one pass over it.
pub struct Occurrences {
    /// Each needle with its matches, by needle.
    by_needle: Vec<(String, Matches)>,
}

/// Above this much work (the text's length times the needles' total length, which bounds
/// what searching for each needle on its own can cost), needles are looked for together.
const SEARCH_ONE_BY_ONE_UP_TO: usize = 1 << 25;

impl Occurrences {
    pub fn find(doc: &str, needles: impl Iterator<Item = String>) -> Self {
        let mut patterns: Vec<String> = needles.filter(|n| !n.is_empty()).collect();
        patterns.sort_unstable();
        patterns.dedup();
        let bytes: usize = patterns.iter().map(String::len).sum();
        // A few needles in a short text, nearly every briefing, are found fastest one by one;
        // otherwise one pass finds them all, in time linear in the text and the matches.
        let found = match doc.len().saturating_mul(bytes) <= SEARCH_ONE_BY_ONE_UP_TO {
            true => patterns.iter().map(|p| one_by_one(doc, p)).collect(),
            false => together(doc, &patterns),
        };
        Occurrences {
            by_needle: patterns
                .into_iter()
                .zip(found)
                .map(|(p, ranges)| (p, Matches::from(ranges)))
                .collect(),
        }
    }

    /// The matches of `needle` (one of the texts looked for; none for any other), in order.
    pub fn of(&self, needle: &str) -> Matches {
        match self
            .by_needle
            .binary_search_by(|(n, _)| n.as_str().cmp(needle))
        {
            Ok(i) => self.by_needle[i].1.clone(),
            Err(_) => Matches::from([]),
        }
    }
}

/// Bytes of a needle the searcher looks for; the rest is compared at each find (setting a
/// searcher up takes time in proportion to what it looks for, and a quote runs to hundreds
/// of bytes).
const SEARCH_HEAD: usize = 24;

/// Every match of `needle` in `doc`, overlapping ones included: each search starts a
/// character after the last find. Each find costs at most the text's and the needle's
/// length, so this is for short texts and needles.
fn one_by_one(doc: &str, needle: &str) -> Vec<Range<usize>> {
    let head = &needle.as_bytes()[..needle.len().min(SEARCH_HEAD)];
    let finder = memchr::memmem::Finder::new(head);
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = doc.get(at..).and_then(|rest| finder.find(rest.as_bytes())) {
        let start = at + i;
        if doc.as_bytes()[start..].starts_with(needle.as_bytes()) {
            out.push(start..start + needle.len());
        }
        at = start + doc[start..].chars().next().map_or(1, char::len_utf8);
    }
    out
}

/// Every match of each of `patterns` in `doc`, overlapping ones included, in one pass.
fn together(doc: &str, patterns: &[String]) -> Vec<Vec<Range<usize>>> {
    let mut found: Vec<Vec<Range<usize>>> = vec![Vec::new(); patterns.len()];
    // Not the DFA the crate would choose for few patterns: building one takes time that
    // grows faster than a long pattern does, and a quote can be megabytes long.
    let searcher = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(patterns)
        .expect("plain-text patterns of a size brief reads always build");
    // Matches come by where they end; those of one needle, all of a length, come by where
    // they start too.
    for m in searcher.find_overlapping_iter(doc) {
        found[m.pattern().as_usize()].push(m.range());
    }
    found
}

/// Finds every selector in `doc` (folded text); one result per selector, in their order.
/// On success, one range per part.
pub fn locate_all(doc: &str, selectors: &[&Selector]) -> Vec<Result<Vec<Range<usize>>, Miss>> {
    let searches: Vec<Search> = selectors.iter().map(|s| Search::of(s)).collect();
    let parts = Occurrences::find(doc, searches.iter().flat_map(|s| s.parts.iter().cloned()));
    // Texts with many matches and a context: the text with its context is looked for too.
    let in_context = Occurrences::find(
        doc,
        (searches.iter())
            .filter(|s| s.context_searched(parts.of(s.first()).len()))
            .flat_map(|s| s.in_context().into_iter().map(|(text, _)| text)),
    );
    // The same selector twice is placed once: in order, each after the same one before it
    // takes its result.
    let mut order: Vec<usize> = (0..searches.len()).collect();
    order.sort_by(|&a, &b| searches[a].cmp(&searches[b]));
    let mut placed: Vec<Option<Result<Vec<Range<usize>>, Miss>>> = vec![None; searches.len()];
    for (k, &i) in order.iter().enumerate() {
        let same = k
            .checked_sub(1)
            .map(|j| order[j])
            .filter(|&j| searches[j] == searches[i]);
        placed[i] = Some(match same {
            Some(j) => placed[j].clone().expect("placed before"),
            None => place(doc, &searches[i], &parts, &in_context),
        });
    }
    placed
        .into_iter()
        .map(|p| p.expect("every selector placed"))
        .collect()
}

/// Finds one selector in `doc` (folded text). On success, one range per part.
pub fn locate(doc: &str, sel: &Selector) -> Result<Vec<Range<usize>>, Miss> {
    locate_all(doc, &[sel]).remove(0)
}

/// Places one selector among the matches of its parts (and of its first part in its
/// context, when that was looked for).
fn place(
    doc: &str,
    search: &Search,
    parts: &Occurrences,
    in_context: &Occurrences,
) -> Result<Vec<Range<usize>>, Miss> {
    let all = parts.of(search.first());
    if all.is_empty() {
        return Err(Miss::NotFound { part: 0, from: 0 });
    }
    let fitting = match (search.has_context(), search.context_searched(all.len())) {
        (false, _) => all.clone(),
        (true, false) => fitting_here(doc, search, &all),
        (true, true) => fitting_found(search, in_context),
    };
    let chosen = match (fitting.len(), search.occurrence) {
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
    for (i, part) in search.parts.iter().enumerate().skip(1) {
        let from = ranges.last().map_or(0, |r| r.end);
        let matches = parts.of(part);
        match matches.get(matches.partition_point(|r| r.start < from)) {
            Some(r) => ranges.push(r.clone()),
            None => return Err(Miss::NotFound { part: i, from }),
        }
    }
    Ok(ranges)
}

/// The matches of a selector's first part that stand in its context, checked one by one.
fn fitting_here(doc: &str, search: &Search, all: &[Range<usize>]) -> Matches {
    all.iter()
        .filter(|r| (search.prefix.as_deref()).is_none_or(|p| has_prefix(doc, r.start, p)))
        .filter(|r| (search.suffix.as_deref()).is_none_or(|s| has_suffix(doc, r.end, s)))
        .cloned()
        .collect()
}

/// The matches of a selector's first part that stand in its context: where the text with
/// its context matches.
fn fitting_found(search: &Search, in_context: &Occurrences) -> Matches {
    let len = search.first().len();
    let mut starts: Vec<usize> = search
        .in_context()
        .iter()
        .flat_map(|(text, at)| {
            (in_context.of(text).iter())
                .map(|r| r.start + at)
                .collect::<Vec<_>>()
        })
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts.into_iter().map(|s| s..s + len).collect()
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

/// The last `n` words of `s` (with their punctuation), or `None` if `s` has fewer. Only those
/// words are read, however long `s` is.
fn last_words(s: &str, n: usize) -> Option<String> {
    let s = s.trim_end();
    let pieces: Vec<&str> = s.rsplitn(n + 1, ' ').collect();
    if s.is_empty() || pieces.len() < n {
        return None;
    }
    let len = pieces[..n].iter().map(|w| w.len()).sum::<usize>() + n.saturating_sub(1);
    Some(s[s.len() - len..].to_string())
}

/// The first `n` words of `s`, or `None` if `s` has fewer; only those words are read.
fn first_words(s: &str, n: usize) -> Option<String> {
    let s = s.trim_start();
    let pieces: Vec<&str> = s.splitn(n + 1, ' ').collect();
    if s.is_empty() || pieces.len() < n {
        return None;
    }
    let len = pieces[..n].iter().map(|w| w.len()).sum::<usize>() + n.saturating_sub(1);
    Some(s[..len].to_string())
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
    fn a_context_checked_at_each_match_or_searched_with_the_text_fits_the_same_matches() {
        let doc = "He said no. She said no . said no, and they said no. Said no; said nothing.";
        let contexts = [
            (Some("He"), None),
            (Some("she"), None),
            (Some("."), Some(",")),
            (None, Some(". Said")),
            (Some("they"), Some(".")),
            (Some("no ."), Some("")),
            (Some("nobody"), None),
            (None, Some("thing")),
        ];
        for (prefix, suffix) in contexts {
            let sel = Selector {
                prefix: prefix.map(str::to_string),
                suffix: suffix.map(str::to_string),
                ..sel("said no")
            };
            let search = Search::of(&sel);
            let all = every_place(doc, search.first());
            let in_context =
                Occurrences::find(doc, search.in_context().into_iter().map(|(t, _)| t));
            assert_eq!(
                fitting_here(doc, &search, &all),
                fitting_found(&search, &in_context),
                "{prefix:?} {suffix:?}"
            );
        }
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

    /// Every match of `needle` in `doc`, looked for at every place.
    fn every_place(doc: &str, needle: &str) -> Vec<Range<usize>> {
        (0..doc.len())
            .filter(|&i| doc.is_char_boundary(i) && doc[i..].starts_with(needle))
            .map(|i| i..i + needle.len())
            .collect()
    }

    #[test]
    fn occurrences_are_every_match_of_every_text_overlapping_ones_included() {
        let head = "the allies agreed that Ukr";
        let docs = [
            format!("{head}aine's future. {head}ainian troops. é{head}aine's future."),
            "ab".repeat(40),
            "aa aaa été said no. no? nono said été, we will go there now 1, now 12".into(),
        ];
        let texts = [
            format!("{head}aine's future"),
            "ab".repeat(30),
            "aa".into(),
            "no".into(),
            "été".into(),
            "missing".into(),
            "we will go there now 1".into(),
            "now 1".into(),
            String::new(),
        ];
        let patterns: Vec<String> = texts.iter().filter(|t| !t.is_empty()).cloned().collect();
        for doc in &docs {
            let found = Occurrences::find(doc, texts.iter().cloned());
            let at_once = together(doc, &patterns);
            for t in &texts {
                let want = match t.is_empty() {
                    true => Vec::new(),
                    false => every_place(doc, t),
                };
                assert_eq!(&found.of(t)[..], &want[..], "{t:?} in {doc:?}");
                if let Some(i) = patterns.iter().position(|p| p == t) {
                    assert_eq!(at_once[i], want, "together: {t:?} in {doc:?}");
                    assert_eq!(one_by_one(doc, t), want, "one by one: {t:?} in {doc:?}");
                }
            }
        }
        assert_eq!(every_place(&"ab".repeat(40), &"ab".repeat(30)).len(), 11);
    }

    #[test]
    fn the_words_at_either_end_are_read_alike_however_they_are_counted() {
        // The reference: every word of the text, split as the folded text is (one space).
        let reference = |s: &str, n: usize, last: bool| {
            let t = if last { s.trim_end() } else { s.trim_start() };
            let words: Vec<&str> = t.split(' ').collect();
            if words.len() < n || t.is_empty() {
                return None;
            }
            let w = if last {
                &words[words.len() - n..]
            } else {
                &words[..n]
            };
            Some(w.join(" "))
        };
        for s in ["a b c", "one", "", "x  y", " lead", "trail ", "é ü, q. r"] {
            for n in 1..=5 {
                assert_eq!(last_words(s, n), reference(s, n, true), "{s:?} {n}");
                assert_eq!(first_words(s, n), reference(s, n, false), "{s:?} {n}");
            }
        }
    }

    #[test]
    fn the_shortest_context_that_disambiguates_is_suggested() {
        let matches = every_place(DOC, "said \"no\"");
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

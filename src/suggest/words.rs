//! Words around the quotes: each paragraph as a list of tokens (words, punctuation, and the
//! quotations as single opaque tokens) and its sentences.
//!
//! Attribution reads these tokens and never looks inside a quotation, so the words people said
//! are never mistaken for the reporter's "X said". This module must not know names or verbs:
//! it only cuts text into tokens and sentences.

use std::ops::Range;

use super::lexicon;
use super::quotes::{Kind, Quotation};
use super::reader::Reader;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    Word,
    Punct(char),
    /// A segment of quotation number `.0` (an index into the quotations).
    Quote(usize),
    /// A title or term in quotation marks: a word-like token that is nobody's words.
    Opaque,
}

#[derive(Debug, Clone)]
pub struct Tok {
    pub kind: TokKind,
    /// The word as written (empty for quotes).
    pub text: String,
}

impl Tok {
    pub fn is_word(&self, w: &str) -> bool {
        self.kind == TokKind::Word && self.text.eq_ignore_ascii_case(w)
    }

    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokKind::Punct(c)
    }

    pub fn is_capitalised(&self) -> bool {
        self.kind == TokKind::Word && self.text.chars().next().is_some_and(char::is_uppercase)
    }

    pub fn lower(&self) -> String {
        self.text.to_lowercase()
    }
}

/// One paragraph's tokens and sentences (token index ranges).
#[derive(Debug, Clone, Default)]
pub struct Para {
    pub tokens: Vec<Tok>,
    pub sentences: Vec<Range<usize>>,
    /// (quotation, token) for each quotation segment, sorted: where a quote's tokens are.
    quotes: Vec<(usize, usize)>,
}

impl Para {
    /// The sentence holding token `i`.
    pub fn sentence_of(&self, i: usize) -> Range<usize> {
        // Sentences are in order and apart: the last one starting at or before `i`.
        let k = self.sentences.partition_point(|s| s.start <= i);
        k.checked_sub(1)
            .map(|k| self.sentences[k].clone())
            .filter(|s| s.contains(&i))
            .unwrap_or(i..i + 1)
    }

    /// The token indices of the segments of quotation `q` in this paragraph.
    pub fn quote_tokens(&self, q: usize) -> Vec<usize> {
        let from = self.quotes.partition_point(|&(qi, _)| qi < q);
        self.quotes[from..]
            .iter()
            .take_while(|&&(qi, _)| qi == q)
            .map(|&(_, t)| t)
            .collect()
    }
}

/// Tokenizes every paragraph; quotation segments become single tokens.
pub fn tokenize(reader: &Reader, quotes: &[Quotation]) -> Vec<Para> {
    let text = &reader.text;
    let mut per_para: Vec<Vec<(Range<usize>, TokKind)>> = vec![Vec::new(); reader.paragraphs.len()];
    for (qi, q) in quotes.iter().enumerate() {
        let kind = match q.kind {
            Kind::Title | Kind::Term => TokKind::Opaque,
            Kind::Speech | Kind::Fragment => TokKind::Quote(qi),
        };
        for s in &q.segments {
            if let Some(list) = per_para.get_mut(s.paragraph) {
                list.push((s.outer.clone(), kind));
            }
        }
    }
    reader
        .paragraphs
        .iter()
        .zip(per_para)
        .map(|(p, mut quoted)| {
            quoted.sort_by_key(|(r, _)| r.start);
            let tokens = tokens_of(text, p.clone(), &quoted);
            let sentences = sentences_of(&tokens, text, quotes);
            let mut quotes: Vec<(usize, usize)> = tokens
                .iter()
                .enumerate()
                .filter_map(|(i, t)| match t.kind {
                    TokKind::Quote(q) => Some((q, i)),
                    _ => None,
                })
                .collect();
            quotes.sort_unstable();
            Para {
                tokens,
                sentences,
                quotes,
            }
        })
        .collect()
}

fn tokens_of(text: &str, para: Range<usize>, quoted: &[(Range<usize>, TokKind)]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut at = para.start;
    for (r, kind) in quoted {
        if r.start < at {
            continue;
        }
        plain_tokens(text, at..r.start, &mut out);
        out.push(Tok {
            kind: *kind,
            text: if *kind == TokKind::Opaque {
                text[r.clone()].to_string()
            } else {
                String::new()
            },
        });
        at = r.end;
    }
    plain_tokens(text, at..para.end, &mut out);
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '\'' | '\u{2019}' | '-' | '.' | '&' | '%')
}

/// Abbreviations whose full stop does not end a sentence: the lexicon's, initials ("J.") and
/// words with a full stop inside ("e.g.").
fn is_abbreviation(word: &str) -> bool {
    let w = word.to_lowercase();
    lexicon::is_abbreviation(&w)
        || (w.len() == 2 && w.starts_with(|c: char| c.is_alphabetic()))
        || w.trim_end_matches('.').contains('.')
}

fn plain_tokens(text: &str, range: Range<usize>, out: &mut Vec<Tok>) {
    let s = &text[range.clone()];
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c.is_whitespace() {
            continue;
        }
        if !is_word_char(c) || matches!(c, '.' | '-' | '\'' | '\u{2019}') {
            out.push(Tok {
                kind: TokKind::Punct(c),
                text: c.to_string(),
            });
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = iter.peek() {
            if !is_word_char(d) {
                break;
            }
            end = j + d.len_utf8();
            iter.next();
        }
        push_word(text, range.start + i..range.start + end, out);
    }
}

/// Pushes a word, splitting a final full stop off unless the word is an abbreviation, and
/// dropping quotation-like apostrophes at its ends.
fn push_word(text: &str, mut r: Range<usize>, out: &mut Vec<Tok>) {
    let mut trailing: Vec<char> = Vec::new();
    loop {
        let w = &text[r.clone()];
        let Some(last) = w.chars().last() else { return };
        let strip = match last {
            '.' => !is_abbreviation(w),
            '-' | '\'' | '\u{2019}' => !w.ends_with("s'") && !w.ends_with("s\u{2019}"),
            _ => false,
        };
        if !strip || w.len() == last.len_utf8() {
            break;
        }
        let cut = r.end - last.len_utf8();
        trailing.push(last);
        r.end = cut;
    }
    out.push(Tok {
        kind: TokKind::Word,
        text: text[r].to_string(),
    });
    for c in trailing.into_iter().rev() {
        out.push(Tok {
            kind: TokKind::Punct(c),
            text: c.to_string(),
        });
    }
}

/// True when quotation `q`'s words end a sentence inside the marks (`... right one."`).
fn quote_ends_with_full_stop(text: &str, quotes: &[Quotation], q: usize) -> bool {
    quotes
        .get(q)
        .is_some_and(|q| text[q.last().inner.clone()].ends_with('.'))
}

/// Splits at `.`, `?` and `!`, and after a quotation ending with a full stop when a capital or
/// another quotation follows. A question mark inside a quote does not end the sentence: `"Why?"
/// she asked.`
fn sentences_of(tokens: &[Tok], text: &str, quotes: &[Quotation]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1);
        let ends = match t.kind {
            TokKind::Punct('.' | '?' | '!') => true,
            TokKind::Quote(q) => {
                quote_ends_with_full_stop(text, quotes, q)
                    && next
                        .is_some_and(|n| n.is_capitalised() || matches!(n.kind, TokKind::Quote(_)))
            }
            _ => false,
        };
        if ends {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        out.push(start..tokens.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::quotes;

    fn words(md: &str) -> Vec<Vec<String>> {
        let r = Reader::new(md, false);
        let q = quotes::find(&r);
        let paras = tokenize(&r, &q);
        let p = &paras[0];
        p.sentences
            .iter()
            .map(|s| {
                p.tokens[s.clone()]
                    .iter()
                    .map(|t| match t.kind {
                        TokKind::Quote(_) => "Q".to_string(),
                        _ => t.text.clone(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn quotes_are_single_tokens_and_sentences_split_after_them() {
        assert_eq!(
            words("\"We won,\" Dr. Smith said. \"It was hard.\" He left.\n"),
            [
                vec!["Q", "Dr.", "Smith", "said", "."],
                vec!["Q"],
                vec!["He", "left", "."]
            ]
        );
    }

    #[test]
    fn possessives_and_hyphens_stay_in_words() {
        assert_eq!(
            words("Britain's ex-NATO chief, the employers' group.\n"),
            [vec![
                "Britain's",
                "ex-NATO",
                "chief",
                ",",
                "the",
                "employers'",
                "group",
                "."
            ]]
        );
    }
}

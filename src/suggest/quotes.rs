//! Finding quotation spans: pairing double quotation marks paragraph by paragraph (curly or
//! straight), following a quote over several paragraphs, closing unbalanced ones, joining a
//! quote split by its attribution (`"...," he said, "..."`), and setting titles and terms
//! (`the so-called "coalition of the willing"`) apart from quotes.
//!
//! It must not decide who speaks: that is `attribution`'s job. Single quotation marks are
//! never paired (apostrophes make them unreliable); they stay inside the quote that holds them.

use std::ops::Range;

use super::lexicon;
use super::reader::Reader;

/// How a quotation mark may be read, from the mark itself and the characters around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Open,
    Close,
    /// Between two words or two punctuation marks: closes an open quote, else opens one.
    Either,
    /// Alone between spaces (or on a line of its own): can only close.
    Lone,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    at: usize,
    len: usize,
    dir: Dir,
}

/// One stretch of quoted words inside one paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// From the opening mark (or the paragraph start) to just after the closing mark (or the
    /// paragraph end): what the quote occupies in the paragraph.
    pub outer: Range<usize>,
    /// The quoted words, trimmed, without a trailing comma.
    pub inner: Range<usize>,
    /// The words ended with a comma inside the marks (`"...,"`): the sentence goes on.
    pub trailing_comma: bool,
    pub paragraph: usize,
}

/// How the last segment of a quotation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Closed,
    /// The paragraph ended with the quote still open, and nothing continued it.
    ParagraphEnd,
    /// The closing mark stands alone in the next paragraph (as in the seed article).
    LoneMark,
}

/// What a quotation is, judged from its words and what stands right before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Somebody's words.
    Speech,
    /// A few words only: somebody's words if an attribution says so, else a scare quote.
    Fragment,
    /// A title in title case ("Building a Safer City").
    Title,
    /// A term or name (`so-called "..."`, `described it as a "..."`).
    Term,
}

#[derive(Debug, Clone)]
pub struct Quotation {
    /// In order; more than one when the quote runs over paragraphs or is split by its
    /// attribution.
    pub segments: Vec<Segment>,
    pub ending: Ending,
    /// The segments were joined across an attribution ("...," he said, "...").
    pub split: bool,
    pub kind: Kind,
}

impl Quotation {
    pub fn first(&self) -> &Segment {
        &self.segments[0]
    }

    pub fn last(&self) -> &Segment {
        &self.segments[self.segments.len() - 1]
    }

    /// The number of words quoted.
    pub fn word_count(&self, text: &str) -> usize {
        self.segments
            .iter()
            .map(|s| text[s.inner.clone()].split_whitespace().count())
            .sum()
    }
}

/// Finds every quotation in the article, in order, with its kind.
pub fn find(reader: &Reader) -> Vec<Quotation> {
    let mut found = pair_marks(reader);
    for q in &mut found {
        let para_start = reader.paragraphs[q.first().paragraph].start;
        q.kind = classify(&reader.text, para_start, q);
    }
    join_split_quotes(&reader.text, found)
}

fn is_double_mark(c: char) -> bool {
    matches!(
        c,
        '"' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{AB}' | '\u{BB}'
    )
}

fn opens_after(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '(' | '[' | '{' | '\u{2014}' | '\u{2013}' | '/' | '\u{2018}'
        )
}

fn closes_before(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '.' | ','
                | ';'
                | ':'
                | '!'
                | '?'
                | ')'
                | ']'
                | '}'
                | '\u{2014}'
                | '\u{2013}'
                | '\''
                | '\u{2019}'
                | '\u{2026}'
                | '-'
        )
}

/// Reads one mark from its shape and its neighbours. Curly marks say their direction, but a
/// curly mark that plainly sits the wrong way round (a closing mark before a word at the
/// start of a line) is read by its position, as a straight one is.
fn direction(mark: char, prev: Option<char>, next: Option<char>) -> Dir {
    let may_open = prev.is_none_or(opens_after) && next.is_some_and(|c| !c.is_whitespace());
    let may_close = prev.is_some_and(|c| !c.is_whitespace()) && next.is_none_or(closes_before);
    let by_position = match (may_open, may_close) {
        (true, false) => Dir::Open,
        (false, true) => Dir::Close,
        (true, true) => Dir::Either,
        (false, false) if prev.is_none_or(char::is_whitespace) => Dir::Lone,
        (false, false) => Dir::Either,
    };
    match mark {
        '\u{201C}' | '\u{201E}' | '\u{201F}' | '\u{AB}' if by_position != Dir::Close => Dir::Open,
        '\u{201D}' | '\u{BB}' if by_position != Dir::Open => {
            if by_position == Dir::Lone {
                Dir::Lone
            } else {
                Dir::Close
            }
        }
        _ => by_position,
    }
}

fn marks_in(text: &str, range: Range<usize>) -> Vec<Mark> {
    let para = &text[range.clone()];
    let chars: Vec<(usize, char)> = para.char_indices().collect();
    let mut out = Vec::new();
    for (i, &(at, c)) in chars.iter().enumerate() {
        if !is_double_mark(c) {
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j].1);
        let next = chars.get(i + 1).map(|&(_, c)| c);
        out.push(Mark {
            at: range.start + at,
            len: c.len_utf8(),
            dir: direction(c, prev, next),
        });
    }
    out
}

/// True for a paragraph that is nothing but one quotation mark.
fn is_lone_mark_paragraph(text: &str, range: &Range<usize>) -> bool {
    let t = text[range.clone()].trim();
    t.chars().count() == 1 && t.chars().all(is_double_mark)
}

/// True when the paragraph opens with a quotation mark: how English marks a quote that goes on
/// from the paragraph before.
fn starts_with_opening_mark(text: &str, range: &Range<usize>) -> bool {
    marks_in(text, range.clone())
        .first()
        .is_some_and(|m| m.at == range.start && matches!(m.dir, Dir::Open | Dir::Either))
}

/// A segment from `open` (the mark) to `close` (the closing mark's range, or the end of the
/// paragraph), with the quoted words trimmed.
fn segment(
    text: &str,
    open: Range<usize>,
    close: Range<usize>,
    paragraph: usize,
) -> Option<Segment> {
    let raw = &text[open.end..close.start];
    let lead = raw.len() - raw.trim_start().len();
    let mut words = raw.trim();
    let trailing_comma = words.ends_with(',');
    words = words.trim_end_matches(',').trim_end();
    if words.is_empty() {
        return None;
    }
    let start = open.end + lead;
    Some(Segment {
        outer: open.start..close.end,
        inner: start..start + words.len(),
        trailing_comma,
        paragraph,
    })
}

/// An open quote while pairing: where it opened, the segments of the paragraphs before, and
/// how deeply quotes are nested inside it.
struct Open {
    mark: Range<usize>,
    segments: Vec<Segment>,
    depth: usize,
}

/// Pairs the marks of every paragraph. A quote still open at a paragraph's end goes on into the
/// next paragraph if that one opens with a mark; it closes on a paragraph holding only a mark;
/// otherwise it ends with its paragraph.
fn pair_marks(reader: &Reader) -> Vec<Quotation> {
    let text = &reader.text;
    let paras = &reader.paragraphs;
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    let mut skip_next = false;
    for (pi, para) in paras.iter().enumerate() {
        if std::mem::take(&mut skip_next) || is_lone_mark_paragraph(text, para) {
            continue;
        }
        let mut marks = marks_in(text, para.clone()).into_iter().peekable();
        if let Some(o) = open.as_mut() {
            // The opening mark of a continued quote only restarts it.
            if let Some(m) = marks.next() {
                o.mark = m.at..m.at + m.len;
            }
        }
        for m in marks {
            let here = m.at..m.at + m.len;
            match (open.as_mut(), m.dir) {
                (None, Dir::Open | Dir::Either) => {
                    open = Some(Open {
                        mark: here,
                        segments: Vec::new(),
                        depth: 1,
                    });
                }
                (None, _) => {} // a stray closing mark
                // `... text, "said Jane`: a closing mark typed with a space before it, not a
                // quote inside the quote.
                (Some(o), Dir::Open)
                    if o.depth == 1
                        && text.as_bytes()[m.at] == b'"'
                        && text[o.mark.end..m.at]
                            .trim_end()
                            .ends_with([',', '.', '?', '!']) =>
                {
                    let o = open.take().expect("a quote is open");
                    let seg = segment(text, o.mark.clone(), here, pi);
                    finish(&mut out, o.segments, seg, Ending::Closed);
                }
                (Some(o), Dir::Open) => o.depth += 1,
                (Some(o), _) if o.depth > 1 => o.depth -= 1,
                (Some(_), _) => {
                    let o = open.take().expect("a quote is open");
                    let seg = segment(text, o.mark.clone(), here, pi);
                    finish(&mut out, o.segments, seg, Ending::Closed);
                }
            }
        }
        let Some(mut o) = open.take() else { continue };
        let seg = segment(text, o.mark.clone(), para.end..para.end, pi);
        let next = paras.get(pi + 1);
        if next.is_some_and(|n| is_lone_mark_paragraph(text, n)) {
            skip_next = true;
            finish(&mut out, o.segments, seg, Ending::LoneMark);
        } else if next.is_some_and(|n| starts_with_opening_mark(text, n)) {
            o.segments.extend(seg);
            o.depth = 1;
            open = Some(o);
        } else {
            finish(&mut out, o.segments, seg, Ending::ParagraphEnd);
        }
    }
    out
}

fn finish(
    out: &mut Vec<Quotation>,
    mut segments: Vec<Segment>,
    last: Option<Segment>,
    ending: Ending,
) {
    segments.extend(last);
    if segments.is_empty() {
        return;
    }
    out.push(Quotation {
        segments,
        ending,
        split: false,
        kind: Kind::Speech,
    });
}

/// Up to `n` words of the paragraph right before byte `at`, lower-cased, nearest last.
fn words_before(text: &str, para_start: usize, at: usize, n: usize) -> Vec<String> {
    // A few words need only the last stretch of the paragraph, not all of it.
    let mut from = at.saturating_sub(n * 40).max(para_start);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..at];
    let words: Vec<String> = before
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    words[words.len().saturating_sub(n)..].to_vec()
}

/// Short words that stay lower case inside a title.
fn is_minor_word(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "and"
            | "or"
            | "nor"
            | "but"
            | "of"
            | "in"
            | "on"
            | "at"
            | "to"
            | "for"
            | "by"
            | "with"
            | "from"
            | "as"
            | "vs"
            | "vs."
            | "via"
            | "into"
            | "over"
            | "under"
            | "up"
            | "per"
            | "than"
            | "that"
    )
}

/// "Building a Safer City", "Make Warsaw Work": every word capitalised but the short ones, and
/// no sentence inside.
fn is_title_case(words: &str) -> bool {
    let tokens: Vec<&str> = words
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    if tokens.len() < 2 || tokens.len() > 20 {
        return false;
    }
    let inner = words.trim_end_matches(['.', '!', '?', ',']);
    if inner.contains(['.', '!', '?', ';']) {
        return false;
    }
    let capitalised = |w: &str| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
    };
    let all_title = tokens
        .iter()
        .enumerate()
        .all(|(i, w)| capitalised(w) || (i > 0 && is_minor_word(w)));
    // An all-capitals shout ("NO WAY") or a lone name is not a title.
    let mixed = tokens.iter().any(|w| w.chars().any(char::is_lowercase));
    all_title && mixed
}

/// How many words are short enough to be a scare quote, a term or a partial quote.
const FRAGMENT_WORDS: usize = 3;

/// How many words a quoted noun phrase ("the father of chaos") may have and still be taken as
/// a label rather than somebody's words, when no verb attributes it.
const NOUN_PHRASE_WORDS: usize = 6;

/// True for words that open with a lower-case article: "the father of chaos", "a costly
/// gimmick".
fn starts_with_article(words: &str) -> bool {
    words
        .split_whitespace()
        .next()
        .is_some_and(|w| matches!(w, "the" | "a" | "an"))
}

/// True when the quote is a sentence of its own: it opens a paragraph or follows the end of a
/// sentence, starts with a capital, and ends like a sentence (`"It's just adjourned."`).
fn is_own_sentence(text: &str, para_start: usize, q: &Quotation) -> bool {
    let seg = q.first();
    let before = text[para_start..seg.outer.start].trim_end();
    let after_sentence = before.is_empty()
        || before.ends_with(['.', '?', '!', ':'])
        || before
            .strip_suffix(is_double_mark)
            .is_some_and(|b| b.trim_end().ends_with(['.', '?', '!']));
    let words = &text[q.last().inner.clone()];
    let capital = text[seg.inner.clone()].starts_with(char::is_uppercase);
    let ends = words.ends_with(['.', '?', '!']) || q.last().trailing_comma;
    after_sentence && capital && ends
}

fn classify(text: &str, para_start: usize, q: &Quotation) -> Kind {
    let seg = q.first();
    let words = &text[seg.inner.clone()];
    let count = q.word_count(text);
    let before = words_before(text, para_start, seg.outer.start, 8);
    if q.segments.len() == 1 && is_title_case(words) {
        return Kind::Title;
    }
    if count <= 5
        && before
            .iter()
            .rev()
            .take(3)
            .any(|w| lexicon::is_term_marker(w))
    {
        return Kind::Term;
    }
    // `described its invasion as a "special military operation"`: the article stands outside
    // the marks, so the quoted words are a name for something, not a phrase somebody said.
    let article_outside = before
        .last()
        .is_some_and(|w| matches!(w.as_str(), "a" | "an" | "the"));
    let named = before.iter().any(|w| lexicon::is_naming_verb(w));
    if count <= FRAGMENT_WORDS && article_outside && named {
        return Kind::Term;
    }
    if count <= FRAGMENT_WORDS && !is_own_sentence(text, para_start, q) {
        return Kind::Fragment;
    }
    // `Lorenz, "the father of chaos," started`: a noun phrase is a label unless a verb
    // attributes it (`called the scheme "a costly gimmick"`), as a few words are.
    if count <= NOUN_PHRASE_WORDS && starts_with_article(words) && q.segments.len() == 1 {
        return Kind::Fragment;
    }
    Kind::Speech
}

/// True when `between` (the text from one quote's closing mark to the next one's opening mark)
/// is an attribution the sentence runs through: `he said,`, `adding that`, `said Smith,`.
fn is_interrupting_attribution(between: &str) -> bool {
    let t = between.trim();
    if t.is_empty() || t.contains(['.', '!', '?', ';', '\n']) {
        return false;
    }
    let words: Vec<&str> = t
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    let ends_open = t.ends_with(',') || t.ends_with(':') || words.last() == Some(&"that");
    words.len() <= 10 && ends_open && words.iter().any(|w| lexicon::is_speech_verb(w))
}

/// Joins a quote that ends with a comma to the next one in the same paragraph when only an
/// attribution stands between them: one quote, two `parts`.
fn join_split_quotes(text: &str, found: Vec<Quotation>) -> Vec<Quotation> {
    let mut out: Vec<Quotation> = Vec::with_capacity(found.len());
    for q in found {
        if let Some(prev) = out.last_mut() {
            let (a, b) = (prev.last(), q.first());
            let between = &text[a.outer.end..b.outer.start];
            // The comma may stand inside the marks (`"...," he said`) or after them
            // (`"...", he said`).
            let comma = a.trailing_comma || between.trim_start().starts_with(',');
            let joinable = prev.ending == Ending::Closed
                && a.paragraph == b.paragraph
                && comma
                && !matches!(prev.kind, Kind::Title | Kind::Term)
                && !matches!(q.kind, Kind::Title | Kind::Term)
                && is_interrupting_attribution(between);
            if joinable {
                prev.segments.extend(q.segments);
                prev.ending = q.ending;
                prev.split = true;
                prev.kind = Kind::Speech;
                continue;
            }
        }
        out.push(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotes(md: &str) -> Vec<(Vec<String>, Kind)> {
        let r = Reader::new(md, false);
        find(&r)
            .into_iter()
            .map(|q| {
                let parts = q
                    .segments
                    .iter()
                    .map(|s| r.text[s.inner.clone()].to_string())
                    .collect();
                (parts, q.kind)
            })
            .collect()
    }

    fn texts(md: &str) -> Vec<Vec<String>> {
        quotes(md).into_iter().map(|(p, _)| p).collect()
    }

    #[test]
    fn straight_and_curly_marks_pair() {
        assert_eq!(
            texts("\"We will win,\" he said. \u{201C}Nobody doubts it.\u{201D}\n"),
            [vec!["We will win"], vec!["Nobody doubts it."]]
        );
    }

    #[test]
    fn a_quote_split_by_its_attribution_is_one_quote_in_parts() {
        assert_eq!(
            texts("\"Minsk knows where they take off,\" he said, \"and so do we.\"\n"),
            [vec!["Minsk knows where they take off", "and so do we."]]
        );
        // After a full stop the second quote is a new one.
        assert_eq!(
            texts("\"One two three,\" he said. \"Four five six.\"\n").len(),
            2
        );
    }

    #[test]
    fn a_quote_goes_on_over_paragraphs_that_open_with_a_mark() {
        assert_eq!(
            texts("\"First paragraph of it.\n\n\"Second paragraph,\" she said.\n"),
            [vec!["First paragraph of it.", "Second paragraph"]]
        );
    }

    #[test]
    fn unbalanced_quotes_end_with_their_paragraph_or_a_lone_mark() {
        let md = "He said that \"they can avoid this question.\n\n\"\n\n\"I don't think so,\" he said.\n";
        assert_eq!(
            texts(md),
            [
                vec!["they can avoid this question."],
                vec!["I don't think so"]
            ]
        );
        let md = "She said \"it is over and done with.\n\nNext paragraph.\n";
        assert_eq!(texts(md), [vec!["it is over and done with."]]);
    }

    #[test]
    fn titles_terms_and_fragments_are_told_apart() {
        let kinds = |md: &str| quotes(md).into_iter().map(|(_, k)| k).collect::<Vec<_>>();
        assert_eq!(
            kinds("The report, \"Building a Safer City,\" found it.\n"),
            [Kind::Title]
        );
        assert_eq!(
            kinds("The so-called \"coalition of the willing\" met.\n"),
            [Kind::Term]
        );
        assert_eq!(
            kinds("Russia described it as a \"special military operation\".\n"),
            [Kind::Term]
        );
        assert_eq!(kinds("He said it was \"ruled out.\"\n"), [Kind::Fragment]);
        assert_eq!(kinds("\"It is not over yet,\" she said.\n"), [Kind::Speech]);
        assert_eq!(kinds("He left. \"Lucas can play.\"\n"), [Kind::Speech]);
        assert_eq!(kinds("\"Nato\" is their spelling.\n"), [Kind::Fragment]);
    }

    #[test]
    fn curly_marks_next_to_each_other_are_read_without_a_panic() {
        // A curly closing mark right before a quote: the mark is three bytes long.
        assert_eq!(texts("\" \u{201D} \u{201C} \u{201C}").len(), 1);
    }

    #[test]
    fn a_closing_mark_after_a_space_still_closes() {
        assert_eq!(
            texts("\"Unclosed and text, \"said Jane Doe.\n\n\"Next one,\" he said.\n"),
            [vec!["Unclosed and text"], vec!["Next one"]]
        );
        assert_eq!(
            texts("\"He said \"no\" to me twice,\" Mary said.\n"),
            [vec!["He said \"no\" to me twice"]]
        );
    }

    #[test]
    fn nested_single_quotes_stay_inside() {
        assert_eq!(
            texts("\"They say 'generous,' we say 'not enough,'\" he said.\n"),
            [vec!["They say 'generous,' we say 'not enough,'"]]
        );
    }
}

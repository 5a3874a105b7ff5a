//! Mentions of people and organisations in a paragraph's tokens: names with the titles and
//! appositives that give their role ("Former NATO Secretary General Anders Rasmussen", "Priya
//! Natarajan, an analyst at Bernstein"), descriptions ("the ex-official", "the agency"),
//! pronouns, and "who" after a name.
//!
//! It only reads one paragraph's tokens, and must not decide who a pronoun or description
//! refers to, nor who speaks (that is `attribution`), nor which speaker id a name gets
//! (`speakers`).

use std::ops::Range;

use super::lexicon::{self, Gender};
use super::words::{Para, Tok, TokKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionKind {
    /// A proper name ("Anders Rasmussen", "Environment Agency", "TASS").
    Named,
    /// A description with a determiner ("the mayor", "its defence ministry").
    Nominal,
    /// "he", "she", "they", "it".
    Pronoun,
    /// "who" right after a name and a comma.
    Relative,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    Person,
    Org,
    /// A name that may be a person, a place or a thing; it speaks only if a verb says so.
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Mention {
    pub kind: MentionKind,
    /// The tokens of the phrase itself.
    pub tokens: Range<usize>,
    /// One past the last token that belongs to the phrase, appositive included: the verb of
    /// "X, a spokesman for Y, said" comes right after it.
    pub span_end: usize,
    /// The name (Named), the description without its determiner (Nominal), or the pronoun.
    pub name: String,
    pub role: Option<String>,
    pub entity: EntityKind,
    /// For descriptions: the head noun and the other content words, lower case.
    pub head: String,
    pub modifiers: Vec<String>,
    /// For descriptions: the capitalised words among the modifiers ("Yle" in "the Yle
    /// broadcaster"), as written; they name whom the description fits.
    pub proper: Vec<String>,
    /// "the ..." or "this ...": refers back to someone already named.
    pub definite: bool,
    pub gender: Option<Gender>,
}

fn is_determiner(w: &str) -> bool {
    matches!(
        w.to_lowercase().as_str(),
        "the" | "a" | "an" | "its" | "their" | "his" | "her" | "this" | "that"
    )
}

fn is_possessive(w: &str) -> bool {
    w.ends_with("'s") || w.ends_with("\u{2019}s") || w.ends_with("s'") || w.ends_with("s\u{2019}")
}

fn strip_possessive(w: &str) -> &str {
    w.strip_suffix("'s")
        .or_else(|| w.strip_suffix("\u{2019}s"))
        .or_else(|| w.strip_suffix('\''))
        .or_else(|| w.strip_suffix('\u{2019}'))
        .unwrap_or(w)
}

fn is_acronym(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

/// True for a capitalised word that may belong to a name here (not a sentence's first word
/// that is only capitalised by position, nor a day or month).
fn is_name_word(toks: &[Tok], i: usize, sentence_start: bool) -> bool {
    let t = &toks[i];
    // "the Sunday Times": a day's name in the name of an outlet or organisation.
    let in_a_name = || {
        word(toks, i + 1).is_some_and(|n| {
            n.is_capitalised() && (lexicon::is_media_word(&n.text) || lexicon::is_org_word(&n.text))
        })
    };
    if !t.is_capitalised()
        || (lexicon::is_calendar_word(&t.text) && !in_a_name())
        || t.lower().ends_with("-year-old")
    {
        return false;
    }
    !(sentence_start && lexicon::is_sentence_word(&t.text))
}

fn word(toks: &[Tok], i: usize) -> Option<&Tok> {
    toks.get(i).filter(|t| t.kind == TokKind::Word)
}

/// Where a dateline at the start of a paragraph ends ("MOSCOW (UrduPoint News / Sputnik -
/// 08th June, 2023)", "ODESA, Ukraine —"): the place and the agency are nobody's subject.
fn dateline_end(toks: &[Tok]) -> usize {
    let Some(first) = word(toks, 0) else { return 0 };
    let shouted = first.text.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && first
            .text
            .chars()
            .all(|c| !c.is_alphabetic() || c.is_uppercase());
    if !shouted {
        return 0;
    }
    let is_dash = |t: &Tok| matches!(t.kind, TokKind::Punct('\u{2014}' | '\u{2013}' | '-'));
    if toks.get(1).is_some_and(|t| t.is_punct('(')) {
        let close = toks.iter().position(|t| t.is_punct(')')).unwrap_or(0);
        return close + 1 + usize::from(toks.get(close + 1).is_some_and(is_dash));
    }
    toks.iter().take(8).position(is_dash).map_or(0, |d| d + 1)
}

/// "the Russian said", "the 24-year-old said": a nationality or an age standing for a person.
pub fn is_person_epithet(w: &str) -> bool {
    let lower = w.to_lowercase();
    let demonym = ["an", "ian", "ese", "ish", "ch", "ard", "ite", "ot", "iot"]
        .iter()
        .any(|s| lower.ends_with(s));
    demonym || lower.ends_with("-year-old")
}

/// Finds every mention in the paragraph, in order.
pub fn mentions(para: &Para) -> Vec<Mention> {
    let toks = &para.tokens;
    // Sorted, as the sentences are.
    let starts: Vec<usize> = para.sentences.iter().map(|s| s.start).collect();
    let mut out = Vec::new();
    let mut i = dateline_end(toks);
    while i < toks.len() {
        let Some(t) = word(toks, i) else {
            i += 1;
            continue;
        };
        let lower = t.lower();
        if matches!(lower.as_str(), "he" | "she" | "they" | "it") {
            out.push(simple(MentionKind::Pronoun, i, lower));
            i += 1;
            continue;
        }
        if matches!(lower.as_str(), "who" | "which") && i > 0 && toks[i - 1].is_punct(',') {
            out.push(simple(MentionKind::Relative, i, lower));
            i += 1;
            continue;
        }
        let sentence_start = starts.binary_search(&i).is_ok();
        match epithet(toks, i).or_else(|| noun_phrase(toks, i, sentence_start)) {
            Some(m) => {
                i = m.tokens.end.max(i + 1);
                out.push(m);
            }
            None => i += 1,
        }
    }
    attach_appositives(toks, &mut out);
    out
}

fn simple(kind: MentionKind, i: usize, name: String) -> Mention {
    let gender = match name.as_str() {
        "he" => Some(Gender::Male),
        "she" => Some(Gender::Female),
        _ => None,
    };
    Mention {
        kind,
        tokens: i..i + 1,
        span_end: i + 1,
        name,
        role: None,
        entity: EntityKind::Unknown,
        head: String::new(),
        modifiers: Vec::new(),
        proper: Vec::new(),
        definite: false,
        gender,
    }
}

/// Names and descriptions longer than this are not read as one: it keeps a run of capitalised
/// words from being read over and over, and no title and name is this long.
const MAX_PHRASE_WORDS: usize = 16;

/// Reads a noun phrase starting at token `i`: an optional determiner, then titles, roles and
/// capitalised words. It is a name when it ends in capitalised words that are not titles, a
/// description when it ends in a role or organisation noun after a determiner.
fn noun_phrase(toks: &[Tok], i: usize, sentence_start: bool) -> Option<Mention> {
    let mut j = i;
    let mut det: Option<String> = None;
    if word(toks, i).is_some_and(|t| is_determiner(&t.text)) {
        det = Some(toks[i].lower());
        j += 1;
    } else if word(toks, i).is_some_and(|t| t.is_word("one"))
        && word(toks, i + 1).is_some_and(|t| t.is_word("of"))
        && word(toks, i + 2).is_some_and(|t| t.is_word("the"))
    {
        det = Some("one of the".into());
        j += 3;
    } else if word(toks, i).is_some_and(|t| t.is_word("one"))
        && word(toks, i + 1).is_some_and(|t| !t.is_word("of"))
    {
        // "one African delegate", "one official": an unnamed person.
        det = Some("one".into());
        j += 1;
    } else if word(toks, i).is_some_and(|t| t.is_capitalised() && is_possessive(&t.text))
        && word(toks, i + 1).is_some_and(|t| {
            !t.is_capitalised() && (lexicon::is_role_word(&t.text) || lexicon::is_org_word(&t.text))
        })
    {
        // "Hungary's foreign minister": the owner works as a determiner, and stays in the
        // description.
        det = Some("the".into());
    }
    let body = j;
    while let Some(t) = word(toks, j).filter(|_| j - body < MAX_PHRASE_WORDS) {
        let first = j == body && det.is_none() && sentence_start;
        let prev = j
            .checked_sub(1)
            .and_then(|p| word(toks, p))
            .filter(|_| j > body);
        let accept = if t.is_capitalised() {
            is_name_word(toks, j, first)
        } else if lexicon::is_name_particle(&t.text) {
            prev.is_some_and(Tok::is_capitalised)
                && word(toks, j + 1).is_some_and(Tok::is_capitalised)
        } else if t.is_word("of") {
            // "Ministry of Defence", "Chief of the Defence Staff", "Secretary of State".
            let after = if word(toks, j + 1).is_some_and(|n| n.is_word("the")) {
                j + 2
            } else {
                j + 1
            };
            prev.is_some_and(|p| lexicon::is_role_word(&p.text) || lexicon::is_org_word(&p.text))
                && prev.is_some_and(Tok::is_capitalised)
                && word(toks, after).is_some_and(Tok::is_capitalised)
        } else if t.is_word("the") {
            prev.is_some_and(|p| p.is_word("of")) && j > body
        } else if t.is_word("and") {
            // "London School of Hygiene and Tropical Medicine": only inside an "of" name.
            toks[body..j].iter().any(|p| p.is_word("of"))
                && word(toks, j + 1).is_some_and(Tok::is_capitalised)
        } else {
            let w = t.text.as_str();
            lexicon::is_role_word(w)
                || lexicon::is_org_word(w)
                || lexicon::is_person_noun(w)
                || w.starts_with("ex-")
                || (det.is_some() && is_possessive(w))
                // "an unnamed Ukrainian commander": an adjective that goes on to a noun.
                || (det.is_some() && lexicon::is_description_adjective(w) && j + 1 < toks.len())
        };
        if !accept {
            break;
        }
        j += 1;
    }
    // A trailing "of"/"and"/"the" belongs to what follows, not to the phrase.
    while j > body
        && word(toks, j - 1)
            .is_some_and(|t| t.is_word("of") || t.is_word("and") || t.is_word("the"))
    {
        j -= 1;
    }
    if j == body {
        return None;
    }
    let phrase = &toks[body..j];
    let name_start = name_run_start(phrase);
    if name_start < phrase.len() {
        return Some(named(toks, i, body, j, name_start, det.is_some()));
    }
    let det = det?;
    Some(nominal(toks, i, body, j, &det))
}

/// "the Spaniard", "the 24-year-old": a one-word description of a person, as a description.
fn epithet(toks: &[Tok], i: usize) -> Option<Mention> {
    let (det, w) = (word(toks, i)?, word(toks, i + 1)?);
    if !det.is_word("the") || !is_person_epithet(&w.text) || lexicon::is_org_word(&w.text) {
        return None;
    }
    // "the Dutch news agency" is no person: the word must stand alone, followed by a verb or
    // by punctuation ("the Russian said", "the Spaniard shrugged", "the 24-year-old, who").
    let stands_alone = match word(toks, i + 2) {
        None => true,
        Some(n) => {
            let w = n.lower();
            lexicon::is_speech_verb(&w)
                || w.ends_with("ed")
                || matches!(
                    w.as_str(),
                    "is" | "was" | "has" | "had" | "will" | "would" | "also" | "then" | "later"
                )
        }
    };
    if !stands_alone {
        return None;
    }
    Some(Mention {
        kind: MentionKind::Nominal,
        tokens: i..i + 2,
        span_end: i + 2,
        name: format!("{} {}", det.text, w.text),
        role: None,
        entity: EntityKind::Person,
        head: "person".into(),
        modifiers: Vec::new(),
        proper: Vec::new(),
        definite: true,
        gender: None,
    })
}

/// Where the trailing run of capitalised words starts (after the last possessive before it, or
/// lower-case word); `phrase.len()` when the phrase does not end in one.
fn name_run_start(phrase: &[Tok]) -> usize {
    let mut k = phrase.len();
    while k > 0 {
        let t = &phrase[k - 1];
        // "J.C. Chandor's film": a possessive ends the name it closes.
        let inside = t.is_capitalised() && (!is_possessive(&t.text) || k == phrase.len());
        let joiner = (t.is_word("of")
            || t.is_word("the")
            || t.is_word("and")
            || lexicon::is_name_particle(&t.text))
            && k < phrase.len();
        if !(inside || joiner) {
            break;
        }
        k -= 1;
    }
    // The run may not start with a joiner.
    while k < phrase.len() && !phrase[k].is_capitalised() {
        k += 1;
    }
    k
}

/// True when the capitalised run names an organisation: an acronym, a run ending in an
/// organisation word ("Environment Agency"), a news outlet's name, or one whose "of" follows
/// an organisation word ("Ministry of Defence").
fn is_org_name(run: &[Tok]) -> bool {
    let last = run.last().map(|t| t.text.as_str()).unwrap_or("");
    if run.len() == 1 && is_acronym(last) {
        return true;
    }
    if lexicon::is_org_word(last) {
        return true;
    }
    // "Fox News Latino", "Financial Times": an outlet, unless a first name opens the run.
    let outlet = run.iter().any(|t| lexicon::is_media_word(&t.text));
    if run.len() >= 2 && outlet && lexicon::gender_of_first_name(&run[0].text).is_none() {
        return true;
    }
    run.iter()
        .position(|t| t.is_word("of"))
        .is_some_and(|p| p > 0 && lexicon::is_org_word(&run[p - 1].text))
}

fn join(toks: &[Tok]) -> String {
    toks.iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn named(
    toks: &[Tok],
    i: usize,
    body: usize,
    end: usize,
    run_start: usize,
    has_det: bool,
) -> Mention {
    let phrase = &toks[body..end];
    let run = &phrase[run_start..];
    let (kind, name_toks, role_toks) = if is_org_name(run) {
        (EntityKind::Org, run, &phrase[..run_start])
    } else {
        // A person's name is the capitalised words after the last title: "Deputy Prime Minister
        // Oleksandr Kubrakov".
        let mut k = run.len();
        while k > 0 && !lexicon::is_role_word(&run[k - 1].text) && !is_acronym(&run[k - 1].text) {
            k -= 1;
        }
        if k == run.len() {
            // Ends in a title ("Kremlin spokesman"?) or an acronym: a name of a thing.
            let kind = if run.len() == 1 && is_acronym(&run[0].text) {
                EntityKind::Org
            } else {
                EntityKind::Unknown
            };
            (kind, run, &phrase[..run_start])
        } else {
            // "Ukrainian Oleksandr Usyk": a nationality before the name is not part of it.
            while run.len() - k > 2 && lexicon::is_nationality(&run[k].text) {
                k += 1;
            }
            (EntityKind::Unknown, &run[k..], &phrase[..run_start + k])
        }
    };
    let role_toks: Vec<&Tok> = role_toks
        .iter()
        .filter(|t| !is_possessive(&t.text) || t.is_capitalised())
        .collect();
    let gender = role_toks
        .iter()
        .find_map(|t| lexicon::gender_of_title(&t.text))
        .or_else(|| {
            name_toks
                .first()
                .and_then(|t| lexicon::gender_of_first_name(&t.text))
                .filter(|_| name_toks.len() > 1)
        });
    let role = role_toks
        .iter()
        .filter(|t| {
            lexicon::gender_of_title(&t.text).is_none()
                || lexicon::is_role_word(&t.text) && !is_honorific(&t.text)
        })
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let role = real_role(role).filter(|_| kind != EntityKind::Org);
    let mut entity = kind;
    if entity == EntityKind::Unknown && name_toks.len() > 1 {
        // Two capitalised words or more are a person's name, unless a title says nothing and
        // they read as a place: after "the" or a preposition, or with a word like "Sea".
        let after_preposition = place_before(toks, i);
        let place = name_toks.iter().any(|t| lexicon::is_place_word(&t.text));
        let evidence = role.is_some() || gender.is_some();
        // "a Margaret Hamilton Lego minifigure" is a thing, whatever its first name says.
        let a_thing = has_det && modifies_a_noun(toks, end);
        if (evidence && !a_thing)
            || !(has_det || after_preposition || place || modifies_a_noun(toks, end))
        {
            entity = EntityKind::Person;
        }
    }
    let name = join(name_toks);
    Mention {
        kind: MentionKind::Named,
        tokens: i..end,
        span_end: end,
        name: strip_possessive(&name).to_string(),
        role,
        entity,
        head: String::new(),
        modifiers: Vec::new(),
        proper: Vec::new(),
        definite: false,
        gender,
    }
}

/// A role as written, unless it says no more than whose or where from: "Ukraine's",
/// "Ukrainian" or "US" alone is not a role ("Ukraine's President" is).
fn real_role(role: String) -> Option<String> {
    let says_something = role.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}');
        let whose = is_possessive(w) || lexicon::is_nationality(w) || is_acronym(w);
        !(whose || w.eq_ignore_ascii_case("the"))
    });
    says_something.then_some(role)
}

/// True when a preposition of place stands before token `i`: "a flight to San Diego", "in
/// Selby" ("according to X" is no place).
fn place_before(toks: &[Tok], i: usize) -> bool {
    let Some(before) = i.checked_sub(1).and_then(|b| word(toks, b)) else {
        return false;
    };
    if before.is_word("to") {
        return !i
            .checked_sub(2)
            .and_then(|b| word(toks, b))
            .is_some_and(|t| t.is_word("according") || lexicon::is_speech_verb(&t.text));
    }
    is_preposition(&before.text)
}

fn is_preposition(w: &str) -> bool {
    matches!(
        w.to_lowercase().as_str(),
        "in" | "at"
            | "on"
            | "from"
            | "near"
            | "into"
            | "across"
            | "outside"
            | "inside"
            | "around"
            | "throughout"
            | "towards"
            | "toward"
            | "through"
            | "via"
            | "within"
    )
}

/// True when the word after a capitalised run looks like a noun it qualifies ("Grand Slam
/// quarter-final", "Black Sea ports") rather than what a person's name is followed by: a
/// verb, punctuation or nothing.
fn modifies_a_noun(toks: &[Tok], end: usize) -> bool {
    let Some(next) = word(toks, end) else {
        return false;
    };
    let w = next.lower();
    let verb_like = w.ends_with("ed")
        || (w.ends_with('s') && !w.ends_with("ss"))
        || lexicon::is_speech_verb(&w)
        || matches!(
            w.as_str(),
            "is" | "was"
                | "has"
                | "had"
                | "have"
                | "will"
                | "would"
                | "can"
                | "could"
                | "did"
                | "does"
                | "do"
                | "may"
                | "might"
                | "must"
                | "should"
                | "also"
                | "then"
                | "later"
                | "who"
                | "on"
                | "in"
                | "at"
                | "to"
                | "and"
                | "but"
                | "for"
                | "of"
                | "with"
                | "from"
                | "after"
                | "before"
                | "during"
                | "by"
        );
    !verb_like && !next.is_capitalised()
}

fn is_honorific(w: &str) -> bool {
    matches!(
        w.to_lowercase().trim_end_matches('.'),
        "mr" | "mrs" | "ms" | "miss" | "sir" | "dame"
    )
}

/// Words of a description that say nothing about who is meant.
fn is_empty_modifier(w: &str) -> bool {
    matches!(
        w,
        "former" | "ex" | "retired" | "then" | "current" | "new" | "outgoing" | "acting"
    ) || lexicon::is_description_adjective(w)
}

fn nominal(toks: &[Tok], i: usize, body: usize, mut end: usize, det: &str) -> Mention {
    // "a spokesman for the prime minister", "a source in the ministry": the phrase may go on
    // with what the role is of.
    if word(toks, end).is_some_and(|t| {
        ["for", "of", "at", "in", "from"]
            .iter()
            .any(|w| t.is_word(w))
    }) {
        let mut k = end + 1;
        if word(toks, k).is_some_and(|t| t.is_word("the")) {
            k += 1;
        }
        let start = k;
        while word(toks, k).is_some_and(|t| {
            t.is_capitalised() || lexicon::is_role_word(&t.text) || lexicon::is_org_word(&t.text)
        }) {
            k += 1;
        }
        // "a member of the audience": one plain noun that ends the phrase.
        let ends_phrase = |i: usize| {
            toks.get(i)
                .is_none_or(|t| matches!(t.kind, TokKind::Punct(_)))
        };
        if k == start && word(toks, k).is_some() && ends_phrase(k + 1) {
            k += 1;
        }
        if k > start {
            end = k;
        }
    }
    let phrase = &toks[body..end];
    let head_index = phrase
        .iter()
        .position(|t| {
            ["for", "of", "at", "in", "from"]
                .iter()
                .any(|w| t.is_word(w))
        })
        .unwrap_or(phrase.len());
    let head_tok = &phrase[head_index.saturating_sub(1)];
    let head = strip_possessive(&head_tok.lower())
        .trim_start_matches("ex-")
        .to_string();
    let org = lexicon::is_org_word(&head) && !lexicon::is_person_noun(&head);
    let modifiers = phrase[..head_index.saturating_sub(1)]
        .iter()
        .map(|t| strip_possessive(&t.lower()).to_string())
        .map(|w| w.strip_prefix("ex-").map(str::to_string).unwrap_or(w))
        .filter(|w| !is_empty_modifier(w))
        .collect();
    let gender = phrase
        .iter()
        .find_map(|t| lexicon::gender_of_title(&t.text));
    let proper = phrase[..head_index.saturating_sub(1)]
        .iter()
        .filter(|t| t.is_capitalised() && !is_possessive(&t.text))
        .map(|t| t.text.clone())
        .collect();
    Mention {
        kind: MentionKind::Nominal,
        tokens: i..end,
        span_end: end,
        name: join(&toks[i..end]),
        role: None,
        entity: if org {
            EntityKind::Org
        } else {
            EntityKind::Person
        },
        head,
        modifiers,
        proper,
        definite: matches!(det, "the" | "this" | "that"),
        gender,
    }
}

/// Tokens an appositive may run to: "Tyler Besecker, president of Mercer Island-based Dana F.
/// Besecker Company, the largest buyer of Pacific halibut" is about half of it.
const MAX_APPOSITIVE: usize = 40;

/// Where an appositive after token `from` (a comma) ends: the next comma, or the end of the
/// sentence. `None` when what follows the comma is not a role ("who ...", a verb, a name).
fn appositive_end(toks: &[Tok], from: usize) -> Option<(usize, bool)> {
    let first = word(toks, from + 1)?;
    let starts_like_role = is_determiner(&first.text)
        && !matches!(
            first.lower().as_str(),
            "his" | "her" | "their" | "its" | "this" | "that"
        )
        || (!first.is_capitalised() && lexicon::is_role_word(&first.text))
        || (first.is_capitalised() && lexicon::is_role_word(&first.text));
    if !starts_like_role {
        return None;
    }
    let mut k = from + 1;
    while let Some(t) = toks.get(k) {
        if k > from + MAX_APPOSITIVE {
            return None;
        }
        match t.kind {
            TokKind::Punct(',') => return Some((k, true)),
            TokKind::Punct('.' | '?' | '!' | ';' | ':') | TokKind::Quote(_) => {
                return Some((k, false));
            }
            TokKind::Word if lexicon::is_speech_verb(&t.text) && !t.is_word("head") => return None,
            _ => {}
        }
        k += 1;
    }
    Some((k, false))
}

fn role_text(toks: &[Tok]) -> String {
    let words: Vec<&str> = toks
        .iter()
        .filter(|t| t.kind != TokKind::Punct(','))
        .map(|t| t.text.as_str())
        .collect();
    let skip = usize::from(
        words
            .first()
            .is_some_and(|w| matches!(w.to_lowercase().as_str(), "a" | "an" | "the")),
    );
    words[skip..].join(" ")
}

/// Attaches roles written around a name, and drops the mentions inside them:
/// "Priya Natarajan, an analyst at Bernstein," (after), "Hungary's foreign minister, Péter
/// Szijjártó," (before), "Professor Alan Reddy of the London School ..." (a name's "of").
fn attach_appositives(toks: &[Tok], out: &mut Vec<Mention>) {
    let mut k = 0;
    while k < out.len() {
        let m = out[k].clone();
        // "In Selby, publican Gary Holmes ...": a name after a preposition is a place.
        let after_preposition = m.tokens.start > 0 && place_before(toks, m.tokens.start);
        // "said Priya Natarajan, an analyst at Bernstein.": an appositive that runs to the end
        // of the sentence only follows a name that a verb just introduced.
        let after_verb = m.tokens.start > 0
            && word(toks, m.tokens.start - 1)
                .is_some_and(|t| lexicon::is_speech_verb(&t.text) || t.is_word("to"));
        if m.kind == MentionKind::Named && m.entity != EntityKind::Org && !after_preposition {
            if toks.get(m.span_end).is_some_and(|t| t.is_punct(',')) {
                if let Some((end, comma)) =
                    appositive_end(toks, m.span_end).filter(|&(_, comma)| comma || after_verb)
                {
                    let role = real_role(role_text(&toks[m.span_end + 1..end]));
                    let mm = &mut out[k];
                    if mm.role.is_none() {
                        mm.role = role;
                    }
                    mm.entity = EntityKind::Person;
                    mm.span_end = if comma { end + 1 } else { end };
                    let span = m.span_end..end;
                    remove_inside(out, k, span);
                }
            } else if word(toks, m.span_end)
                .is_some_and(|t| t.is_word("of") || t.is_word("with") || t.is_word("at"))
            {
                // "Alan Reddy of the London School of Hygiene", "James Hall with the New York
                // Police Department": the organisation is the role.
                if let Some(next) = out
                    .get(k + 1)
                    .filter(|n| n.entity == EntityKind::Org && n.tokens.start <= m.span_end + 2)
                {
                    let (org, end) = (next.name.clone(), next.span_end);
                    let mm = &mut out[k];
                    if mm.role.is_none() {
                        mm.role = Some(org);
                    }
                    mm.entity = EntityKind::Person;
                    mm.span_end = end;
                    out.remove(k + 1);
                }
            }
            // "Hungary's foreign minister, Péter Szijjártó,": a description, a comma, the name.
            if k > 0 {
                let prev = out[k - 1].clone();
                let adjacent = prev.kind == MentionKind::Nominal
                    && prev.entity == EntityKind::Person
                    && prev.span_end + 1 == m.tokens.start
                    && toks.get(prev.span_end).is_some_and(|t| t.is_punct(','));
                if adjacent {
                    let mm = &mut out[k];
                    if mm.role.is_none() {
                        mm.role = real_role(role_text(&toks[prev.tokens.clone()]));
                    }
                    mm.entity = EntityKind::Person;
                    mm.gender = mm.gender.or(prev.gender);
                    mm.tokens.start = prev.tokens.start;
                    if toks.get(mm.span_end).is_some_and(|t| t.is_punct(',')) {
                        mm.span_end += 1;
                    }
                    out.remove(k - 1);
                    continue;
                }
            }
        }
        k += 1;
    }
}

fn remove_inside(out: &mut Vec<Mention>, keep: usize, span: Range<usize>) {
    let mut idx = 0;
    out.retain(|m| {
        let i = idx;
        idx += 1;
        i == keep || !(span.start <= m.tokens.start && m.tokens.start < span.end)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::{quotes, reader::Reader, words};

    fn found(md: &str) -> Vec<(MentionKind, String, Option<String>, EntityKind)> {
        let r = Reader::new(md, false);
        let q = quotes::find(&r);
        let paras = words::tokenize(&r, &q);
        mentions(&paras[0])
            .into_iter()
            .map(|m| (m.kind, m.name, m.role, m.entity))
            .collect()
    }

    fn named(md: &str) -> Vec<(String, Option<String>)> {
        found(md)
            .into_iter()
            .filter(|m| m.0 == MentionKind::Named)
            .map(|m| (m.1, m.2))
            .collect()
    }

    fn s(x: &str) -> String {
        x.to_string()
    }

    #[test]
    fn titles_before_a_name_are_its_role() {
        assert_eq!(
            named("Former NATO Secretary General Anders Rasmussen said on Wednesday.\n"),
            [(
                s("Anders Rasmussen"),
                Some(s("Former NATO Secretary General"))
            )]
        );
        assert_eq!(
            named("It was, Kremlin spokesman Dmitry Peskov told reporters.\n"),
            [(s("Dmitry Peskov"), Some(s("Kremlin spokesman")))]
        );
        assert_eq!(
            named("Spokeswoman Ingrid de Vries was quoted.\n"),
            [(s("Ingrid de Vries"), Some(s("Spokeswoman")))]
        );
    }

    #[test]
    fn a_possessive_or_a_nationality_alone_is_no_role() {
        assert_eq!(
            named("Ukraine's Volodymyr Zelensky said so.\n"),
            [(s("Volodymyr Zelensky"), None)]
        );
        assert_eq!(
            named("Ukrainian Oleksandr Usyk said so.\n"),
            [(s("Oleksandr Usyk"), None)]
        );
        assert_eq!(
            named("Polish Prime Minister Donald Tusk said so.\n"),
            [(s("Donald Tusk"), Some(s("Polish Prime Minister")))]
        );
        assert_eq!(
            named("Ukraine's President Volodymyr Zelensky said so.\n"),
            [(s("Volodymyr Zelensky"), Some(s("Ukraine's President")))]
        );
    }

    #[test]
    fn appositives_give_roles_and_organisations_are_told_apart() {
        assert_eq!(
            named("\"Fine,\" said Priya Natarajan, an analyst at Bernstein.\n"),
            [(s("Priya Natarajan"), Some(s("analyst at Bernstein")))]
        );
        assert_eq!(
            named("Hungary's foreign minister, Péter Szijjártó, said so.\n"),
            [(s("Péter Szijjártó"), Some(s("Hungary's foreign minister")))]
        );
        let m = found("Britain's Ministry of Defence said no.\n");
        assert_eq!(m[0].1, "Ministry of Defence");
        assert_eq!(m[0].3, EntityKind::Org);
    }

    #[test]
    fn descriptions_and_pronouns_are_mentions() {
        let m = found("The former Norwegian prime minister said he would.\n");
        assert_eq!(m[0].0, MentionKind::Nominal);
        assert_eq!(m[0].1, "The former Norwegian prime minister");
        assert_eq!(m[1].0, MentionKind::Pronoun);
        let m = found("A spokesman for the prime minister said it.\n");
        assert_eq!(m[0].1, "A spokesman for the prime minister");
    }
}

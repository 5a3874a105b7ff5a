//! Who said each quote, and who relayed it. Mentions are first resolved in reading order into
//! entities (a name met again, to the latest entity it fits; "the mayor" to the person whose
//! role says mayor; "she" to the last woman or unknown person named); then each quote looks
//! for its attribution: right after it (`"...," X said`, `"...," said X`), between its parts,
//! before it (`X said: "..."`, `according to X, ...`, `A quoted X as saying "..."`), later in
//! its sentence, in the sentence after a quote standing alone, and at last in the sentence or
//! paragraph before or the quote before (a quote paragraph with no attribution keeps the last
//! speaker). The relays are read around the quote (`as quoted by X`, `told X`, `in an
//! interview with X`, `according to X`, `X reported`), nearest first.
//!
//! It must not pick speaker ids nor write YAML: it returns entities and, per quote, which
//! entity speaks, who relayed the words, and how sure the rule that decided is.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::lexicon::{self, Gender};
use super::names::{self, EntityKind, Mention, MentionKind};
use super::quotes::{Kind, Quotation};
use super::words::{Para, TokKind};

/// A person or organisation the article talks about.
#[derive(Debug, Clone)]
pub struct Entity {
    pub name: String,
    pub role: Option<String>,
    pub kind: EntityKind,
    /// From a title or a first name.
    pub gender: Option<Gender>,
    /// From a pronoun that was taken to stand for the entity: weaker evidence, since the
    /// pronoun may have been read wrong.
    pub pronoun_gender: Option<Gender>,
}

/// Which rule found the speaker, from the surest to the least sure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// `"...," X said` or `"...," said X`.
    After,
    /// `"...," he said, "..."`: between the parts of a split quote.
    Between,
    /// `X said: "..."`, `X said the deal was "..."`.
    Before,
    /// A verb later in the sentence: `"..." of a conflict, X told reporters`.
    LaterInSentence,
    /// No attribution in the sentence: the person the sentence before is about.
    SentenceBefore,
    /// No attribution in the sentence: the speaker of the quote before.
    QuoteBefore,
    /// No attribution before: the first person named in the next sentence (a lead quote).
    SentenceAfter,
    /// Nothing says who: the person named last.
    Guess,
}

#[derive(Debug, Clone)]
pub struct Attribution {
    pub speaker: usize,
    /// Who relayed the words, nearest the quote first.
    pub via: Vec<usize>,
    pub how: How,
    /// The pronoun or description that stood for the speaker ("he", "the ex-official").
    pub through: Option<String>,
}

/// A mention and the entity it was resolved to.
#[derive(Debug, Clone)]
struct Resolved {
    mention: Mention,
    entity: Option<usize>,
}

struct Ctx<'a> {
    paras: &'a [Para],
    mentions: Vec<Vec<Resolved>>,
    entities: Vec<Entity>,
    /// The entities by the keys of their names (`name_keys`): a name met again is looked up
    /// among the few it may stand for, not among every entity.
    by_key: HashMap<String, Vec<usize>>,
    /// When each entity was last mentioned (a count of mentions resolved so far).
    seen: Vec<usize>,
    clock: usize,
}

impl Ctx<'_> {
    /// Adds an entity; its index.
    fn add(&mut self, e: Entity) -> usize {
        let i = self.entities.len();
        self.index(i, &e.name);
        self.entities.push(e);
        self.seen.push(0);
        i
    }

    /// Notes that entity `i` was just mentioned.
    fn mentioned(&mut self, i: usize) {
        self.clock += 1;
        self.seen[i] = self.clock;
    }

    /// Files entity `i` under the keys of `name`.
    fn index(&mut self, i: usize, name: &str) {
        for key in name_keys(&name_key(name)) {
            let list = self.by_key.entry(key).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }

    /// The entities a name may stand for: those sharing its surname, its first two words, or
    /// (for a one-word name) its first word; the latest [`KEY_CANDIDATES`] of each, in order.
    fn candidates(&self, name: &str) -> Vec<usize> {
        let key = name_key(name);
        let mut out: Vec<usize> = name_keys(&key)
            .iter()
            .filter(|k| key.len() == 1 || !k.starts_with("first:"))
            .filter_map(|k| self.by_key.get(k))
            .flat_map(|list| &list[list.len().saturating_sub(KEY_CANDIDATES)..])
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Attributes every quotation. Titles and terms get `None`, and so does a fragment (a few
/// words) that no verb attributes: that is a scare quote.
pub fn attribute(paras: &[Para], quotes: &[Quotation]) -> (Vec<Entity>, Vec<Option<Attribution>>) {
    let mut ctx = Ctx {
        paras,
        mentions: paras
            .iter()
            .map(|p| {
                names::mentions(p)
                    .into_iter()
                    .map(|mention| Resolved {
                        mention,
                        entity: None,
                    })
                    .collect()
            })
            .collect(),
        entities: Vec::new(),
        by_key: HashMap::new(),
        seen: Vec::new(),
        clock: 0,
    };
    mark_speakers_as_people(&mut ctx);
    resolve_mentions(&mut ctx);
    let mut out: Vec<Option<Attribution>> = Vec::with_capacity(quotes.len());
    for (qi, q) in quotes.iter().enumerate() {
        let a = match q.kind {
            Kind::Title | Kind::Term => None,
            Kind::Speech | Kind::Fragment => attribute_one(&mut ctx, quotes, qi, &out),
        };
        let keep = match (&a, q.kind) {
            (Some(a), Kind::Fragment) => matches!(a.how, How::After | How::Before | How::Between),
            (Some(_), _) => true,
            (None, _) => false,
        };
        out.push(a.filter(|_| keep));
    }
    (ctx.entities, out)
}

// ---------------------------------------------------------------------------------------------
// Resolving mentions, in reading order
// ---------------------------------------------------------------------------------------------

/// A name that a speech verb follows ("Lejins said") or precedes ("said Lejins") is a person
/// or an organisation, not a place: lets "he" find people named without a title.
fn mark_speakers_as_people(ctx: &mut Ctx) {
    for (p, list) in ctx.mentions.iter_mut().enumerate() {
        let toks = &ctx.paras[p].tokens;
        for r in list.iter_mut() {
            let m = &mut r.mention;
            if m.kind != MentionKind::Named || m.entity != EntityKind::Unknown {
                continue;
            }
            let next_is_verb = toks
                .get(m.span_end)
                .is_some_and(|t| t.kind == TokKind::Word && lexicon::is_speech_verb(&t.text));
            let prev_is_verb = m.tokens.start > 0
                && toks[m.tokens.start - 1].kind == TokKind::Word
                && lexicon::is_speech_verb(&toks[m.tokens.start - 1].text);
            if (next_is_verb || prev_is_verb) && m.name.split_whitespace().count() > 1 {
                m.entity = EntityKind::Person;
            }
        }
    }
}

/// How many entities of one key a name is compared with: a story with a thousand Nowaks is not
/// one to draft by machine.
const KEY_CANDIDATES: usize = 64;

/// The keys a name is filed under: its surname (same person, same organisation), its first two
/// words (a name that extends another) and its first word (a one-word name that shortens an
/// organisation's).
fn name_keys(key: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(last) = key.last() {
        out.push(format!("last:{last}"));
    }
    if let Some(first) = key.first() {
        out.push(format!("first:{first}"));
    }
    if key.len() >= 2 {
        out.push(format!("two:{} {}", key[0], key[1]));
    }
    out
}

/// Lower-cased name words with diacritics folded, for comparing names.
pub fn name_key(name: &str) -> Vec<String> {
    crate::slug::ascii_fold(name)
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|w| !w.is_empty() && w != "the")
        .collect()
}

fn same_person(a: &str, b: &str) -> bool {
    let (a, b) = (name_key(a), name_key(b));
    let (Some(sa), Some(sb)) = (a.last(), b.last()) else {
        return false;
    };
    if sa != sb {
        return false;
    }
    if a.len() < 2 || b.len() < 2 {
        return true;
    }
    let (fa, fb) = (&a[0], &b[0]);
    fa == fb
        || fa.len() == 1 && fb.starts_with(fa.as_str())
        || fb.len() == 1 && fa.starts_with(fb.as_str())
}

/// "Te Kaurinui" and "Te Kaurinui Robert Parata": one name is the first words, two or more, of
/// the other.
fn extends(a: &str, b: &str) -> bool {
    let (a, b) = (name_key(a), name_key(b));
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    short.len() >= 2 && long.starts_with(short)
}

fn same_org(a: &str, b: &str) -> bool {
    let (a, b) = (name_key(a), name_key(b));
    !a.is_empty() && a == b
}

/// True when a one-word name `m` may stand for the organisation `e`: "Veridian" for
/// "Veridian Systems", "the Commission" for "the European Commission".
fn shortens_org(e: &str, m: &str) -> bool {
    let (e, m) = (name_key(e), name_key(m));
    m.len() == 1 && (e.first() == m.first() || e.last() == m.last())
}

fn find_or_add_named(ctx: &mut Ctx, m: &Mention) -> usize {
    // Of two people who fit ("Gille" when John and Ellen Gille were named), the one named
    // last.
    let fits = ctx.candidates(&m.name).into_iter().filter(|&i| {
        let e = &ctx.entities[i];
        match (m.entity, e.kind) {
            (EntityKind::Org, EntityKind::Org) => {
                same_org(&e.name, &m.name) || shortens_org(&e.name, &m.name)
            }
            // A one-word name met as an organisation.
            (EntityKind::Org, _) | (_, EntityKind::Org) => {
                same_org(&e.name, &m.name)
                    || (e.kind == EntityKind::Org && shortens_org(&e.name, &m.name))
            }
            // Only two people may share their first names: "a Margaret Hamilton Lego
            // minifigure" is a thing named after Margaret Hamilton.
            _ => {
                same_person(&e.name, &m.name)
                    || (e.kind == EntityKind::Person
                        && m.entity == EntityKind::Person
                        && extends(&e.name, &m.name))
            }
        }
    });
    // A name of a person or of unknown kind is first a person's ("Lorenz" when Edward Lorenz
    // and the Lorenz Center were both named), an organisation's name an organisation's.
    let wanted_org = m.entity == EntityKind::Org;
    let found = fits.min_by_key(|&i| {
        let other_kind = (ctx.entities[i].kind == EntityKind::Org) != wanted_org;
        (other_kind, std::cmp::Reverse(ctx.seen[i]), i)
    });
    match found {
        Some(i) => {
            let longer =
                m.name.split_whitespace().count() > ctx.entities[i].name.split_whitespace().count();
            if longer {
                ctx.entities[i].name = m.name.clone();
                ctx.index(i, &m.name);
            }
            let e = &mut ctx.entities[i];
            if e.role.is_none() {
                e.role = m.role.clone();
            }
            if e.kind == EntityKind::Unknown {
                e.kind = m.entity;
            }
            e.gender = e.gender.or(m.gender);
            i
        }
        None => ctx.add(Entity {
            name: m.name.clone(),
            role: m.role.clone(),
            kind: m.entity,
            gender: m.gender,
            pronoun_gender: None,
        }),
    }
}

/// How many mentions back a pronoun or description may look for whom it stands for: far more
/// than a story keeps a person in mind, and it keeps each look-up short.
const LOOK_BACK: usize = 400;

/// Entities mentioned before paragraph `p`, token `t`, most recent first (each once), among
/// the last [`LOOK_BACK`] mentions.
fn recent<'c>(ctx: &'c Ctx, p: usize, t: usize) -> impl Iterator<Item = usize> + 'c {
    let last = p.min(ctx.mentions.len().saturating_sub(1));
    let mut seen: HashSet<usize> = HashSet::new();
    (0..=last)
        .rev()
        .take(LOOK_BACK)
        .flat_map(move |pi| {
            let list = &ctx.mentions[pi];
            let end = if pi == p {
                list.partition_point(|r| r.mention.tokens.start < t)
            } else {
                list.len()
            };
            list[..end].iter().rev()
        })
        .take(LOOK_BACK)
        .filter_map(|r| r.entity)
        .filter(move |&e| seen.insert(e))
}

fn is_person_like(e: &Entity) -> bool {
    e.kind == EntityKind::Person
}

fn gender_fits(e: &Entity, g: Option<Gender>) -> bool {
    match (e.gender.or(e.pronoun_gender), g) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// The words of a role or name, lower case, for matching descriptions.
fn role_words(e: &Entity) -> Vec<String> {
    let mut words = name_key(e.role.as_deref().unwrap_or(""));
    words.extend(name_key(&e.name));
    words
        .into_iter()
        .map(|w| {
            w.trim_end_matches("'s")
                .trim_start_matches("ex-")
                .to_string()
        })
        .collect()
}

/// Heads that fit any organisation named before: "the company", "the firm".
fn is_generic_org_head(head: &str) -> bool {
    matches!(
        head,
        "company"
            | "firm"
            | "group"
            | "carrier"
            | "airline"
            | "maker"
            | "manufacturer"
            | "developer"
            | "retailer"
            | "lender"
            | "insurer"
            | "broadcaster"
            | "club"
            | "team"
            | "country"
            | "chipmaker"
            | "automaker"
            | "startup"
            | "giant"
    )
}

/// Heads that fit any person: "the official", "the ex-official".
fn is_generic_person_head(head: &str) -> bool {
    matches!(
        head,
        "official"
            | "man"
            | "woman"
            | "source"
            | "aide"
            | "insider"
            | "politician"
            | "veteran"
            | "person"
            | "teenager"
            | "youngster"
    )
}

/// The entity a description refers back to: the most recent one whose role or name holds the
/// description's head noun and its other words ("the former Norwegian prime minister" fits
/// nobody whose role lacks "prime").
fn resolve_description(ctx: &Ctx, m: &Mention, p: usize, t: usize) -> Option<usize> {
    if !m.definite {
        return None;
    }
    let candidates = recent(ctx, p, t);
    candidates.into_iter().find(|&i| {
        let e = &ctx.entities[i];
        let org = m.entity == EntityKind::Org;
        // "the newspaper", "the agency": the news outlet named last.
        if org && lexicon::is_media_word(&m.head) && m.proper.is_empty() {
            return e.kind != EntityKind::Person
                && e.name.split_whitespace().any(lexicon::is_media_word);
        }
        // "the company" after "Netflix added ...": a one-word name of unknown kind may be the
        // company (or country) a generic description stands for.
        if org && is_generic_org_head(&m.head) {
            let fits = e.kind == EntityKind::Org
                || (e.kind == EntityKind::Unknown && e.name.split_whitespace().count() == 1);
            let words = role_words(e);
            return fits && m.proper.iter().all(|w| words.contains(&w.to_lowercase()));
        }
        if org != (e.kind == EntityKind::Org) {
            return false;
        }
        if !org && is_generic_person_head(&m.head) {
            return is_person_like(e)
                && m.modifiers.iter().all(|w| role_words(e).contains(w))
                && gender_fits(e, m.gender);
        }
        let words = role_words(e);
        words.contains(&m.head)
            && m.modifiers.iter().all(|w| words.contains(w))
            && gender_fits(e, m.gender)
    })
}

fn resolve_pronoun(ctx: &Ctx, m: &Mention, p: usize, t: usize) -> Option<usize> {
    let candidates = recent(ctx, p, t);
    match m.name.as_str() {
        "he" | "she" => candidates
            .into_iter()
            .find(|&i| is_person_like(&ctx.entities[i]) && gender_fits(&ctx.entities[i], m.gender)),
        "it" | "they" => candidates
            .into_iter()
            .find(|&i| ctx.entities[i].kind == EntityKind::Org),
        _ => None,
    }
}

/// Resolves every mention in reading order, so that a pronoun sees what came before it.
fn resolve_mentions(ctx: &mut Ctx) {
    for p in 0..ctx.mentions.len() {
        for k in 0..ctx.mentions[p].len() {
            let m = ctx.mentions[p][k].mention.clone();
            let t = m.tokens.start;
            let entity = match m.kind {
                MentionKind::Named => Some(find_or_add_named(ctx, &m)),
                MentionKind::Nominal => {
                    resolve_description(ctx, &m, p, t).or_else(|| introduce_unnamed(ctx, &m, p))
                }
                MentionKind::Pronoun => resolve_pronoun(ctx, &m, p, t),
                MentionKind::Relative => k.checked_sub(1).and_then(|j| ctx.mentions[p][j].entity),
            };
            if let (Some(e), MentionKind::Nominal, EntityKind::Org) = (entity, m.kind, m.entity)
                && ctx.entities[e].kind == EntityKind::Unknown
            {
                ctx.entities[e].kind = EntityKind::Org;
            }
            if let (Some(e), MentionKind::Pronoun) = (entity, m.kind) {
                // "she" said of someone whose gender was unknown tells it from now on.
                let ent = &mut ctx.entities[e];
                ent.pronoun_gender = ent.pronoun_gender.or(m.gender);
            }
            if let Some(e) = entity {
                ctx.mentioned(e);
            }
            ctx.mentions[p][k].entity = entity;
        }
    }
}

/// "A source in the ministry told Sputnik ...": an unnamed speaker introduced with "a" or
/// "one" becomes an entity, so that "the source said" later refers back to it.
fn introduce_unnamed(ctx: &mut Ctx, m: &Mention, p: usize) -> Option<usize> {
    if m.definite {
        return None;
    }
    let next = ctx.paras[p].tokens.get(m.span_end)?;
    if next.kind != TokKind::Word || !lexicon::is_speech_verb(&next.text) {
        return None;
    }
    Some(add_described(ctx, m))
}

/// A new entity known only by its description ("a source in the ministry"); its index.
fn add_described(ctx: &mut Ctx, m: &Mention) -> usize {
    ctx.add(Entity {
        name: description_name(m),
        role: None,
        kind: m.entity,
        gender: m.gender,
        pronoun_gender: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Finding the attribution of one quote
// ---------------------------------------------------------------------------------------------

/// Where a mention sits: paragraph and index in that paragraph's mentions.
type MentionAt = (usize, usize);

struct Found {
    speaker: MentionAt,
    via: Option<MentionAt>,
}

fn mention_ending_at(ctx: &Ctx, p: usize, end: usize, lo: usize) -> Option<MentionAt> {
    ctx.mentions[p]
        .iter()
        .position(|r| r.mention.span_end == end && r.mention.tokens.start >= lo)
        .map(|k| (p, k))
}

fn mention_starting_at(ctx: &Ctx, p: usize, start: usize) -> Option<MentionAt> {
    ctx.mentions[p]
        .iter()
        .position(|r| r.mention.tokens.start == start)
        .map(|k| (p, k))
}

fn word_at<'a>(ctx: &'a Ctx, p: usize, i: usize) -> Option<&'a str> {
    ctx.paras[p]
        .tokens
        .get(i)
        .filter(|t| t.kind == TokKind::Word)
        .map(|t| t.text.as_str())
}

fn is_word_at(ctx: &Ctx, p: usize, i: usize, w: &str) -> bool {
    word_at(ctx, p, i).is_some_and(|x| x.eq_ignore_ascii_case(w))
}

/// Token indices in `lo..hi` that introduce reported words.
fn speech_verbs(ctx: &Ctx, p: usize, lo: usize, hi: usize) -> Vec<usize> {
    (lo..hi)
        .filter(|&i| {
            let Some(w) = word_at(ctx, p, i) else {
                return false;
            };
            let w = w.to_lowercase();
            match w.as_str() {
                "according" => is_word_at(ctx, p, i + 1, "to"),
                "shot" | "hit" | "fired" => is_word_at(ctx, p, i + 1, "back"),
                "went" => is_word_at(ctx, p, i + 1, "on"),
                "came" => is_word_at(ctx, p, i + 1, "from"),
                // "quoted X as saying": the verb is "quoted".
                "saying" if is_word_at(ctx, p, i.wrapping_sub(1), "as") => false,
                _ => lexicon::is_speech_verb(&w),
            }
        })
        .collect()
}

/// The subject of the verb at `k`: the mention right before it (over "also", "on Monday" and
/// the like), past an appositive or relative clause between commas, or, after "and", the
/// subject of the verb before. A participle ("..., telling residents") takes the subject of
/// its sentence.
fn subject_of(ctx: &Ctx, p: usize, k: usize, lo: usize) -> Option<MentionAt> {
    let toks = &ctx.paras[p].tokens;
    let verb = word_at(ctx, p, k).unwrap_or("").to_lowercase();
    let mut j = k;
    let mut skipped = 0;
    while j > lo && skipped < 4 && word_at(ctx, p, j - 1).is_some_and(lexicon::is_skippable) {
        if mention_ending_at(ctx, p, j, lo).is_some() {
            break;
        }
        j -= 1;
        skipped += 1;
    }
    j = past_asides(ctx, p, j, lo);
    if let Some(m) = mention_ending_at(ctx, p, j, lo) {
        return Some(m);
    }
    if j <= lo {
        return None;
    }
    if verb.ends_with("ing") && toks[j - 1].is_punct(',') {
        // "Rasmussen said, noting that ...": the subject of the verb the participle hangs on.
        let finite = speech_verbs(ctx, p, lo, j - 1)
            .into_iter()
            .rev()
            .filter(|&v| !word_at(ctx, p, v).unwrap_or("").ends_with("ing"))
            .find_map(|v| subject_of(ctx, p, v, lo));
        return finite.or_else(|| sentence_subject(ctx, p, lo, k));
    }
    if toks[j - 1].is_punct(',') {
        // "X, a spokesman for Y, said" / "Hungary's minister, Péter Szijjártó, said".
        let close = j - 1;
        let open = (lo..close)
            .rev()
            .find(|&i| toks[i].is_punct(',') || matches!(toks[i].kind, TokKind::Quote(_)))?;
        if !toks[open].is_punct(',') {
            return None;
        }
        if let Some(m) = mention_starting_at(ctx, p, open + 1)
            && ctx.mentions[p][m.1].mention.span_end >= close
        {
            return Some(m);
        }
        return mention_ending_at(ctx, p, open, lo);
    }
    if is_word_at(ctx, p, j - 1, "and") || is_word_at(ctx, p, j - 1, "but") {
        // "X praised the "..." and said ...": the subject may stand before an earlier quote
        // of the same sentence.
        let start = ctx.paras[p].sentence_of(k).start.min(lo);
        let earlier = speech_verbs(ctx, p, start, j - 1);
        return earlier
            .into_iter()
            .rev()
            .find_map(|v| subject_of(ctx, p, v, start))
            .or_else(|| sentence_subject(ctx, p, start, k));
    }
    None
}

/// Where the words before token `j` start once asides are passed over: a parenthesis
/// ("Dawn Addiego (R-Burlington) said") and a comma-enclosed adverb ("X, for example, said"),
/// so that the verb finds its subject.
fn past_asides(ctx: &Ctx, p: usize, mut j: usize, lo: usize) -> usize {
    let toks = &ctx.paras[p].tokens;
    loop {
        if j > lo && toks[j - 1].is_punct(')') {
            match (lo..j - 1).rev().take(12).find(|&i| toks[i].is_punct('(')) {
                Some(open) => j = open,
                None => return j,
            }
        } else if j > lo && toks[j - 1].is_punct(',') {
            let open = (lo..j - 1).rev().take(4).find(|&i| toks[i].is_punct(','));
            let adverb = open.is_some_and(|o| {
                (o + 1..j - 1).all(|i| {
                    toks[i].kind == TokKind::Word
                        && !toks[i].is_capitalised()
                        && mention_starting_at(ctx, p, i).is_none()
                })
            });
            match open.filter(|_| adverb) {
                Some(o) => j = o,
                None => return j,
            }
        } else {
            return j;
        }
    }
}

/// Words that open a subordinate clause: the sentence's subject comes after its comma.
fn is_subordinator(w: &str) -> bool {
    matches!(
        w.to_lowercase().as_str(),
        "if" | "even"
            | "when"
            | "while"
            | "after"
            | "although"
            | "though"
            | "because"
            | "since"
            | "as"
            | "before"
            | "until"
            | "unless"
            | "once"
            | "despite"
            | "asked"
            | "speaking"
    )
}

/// The first mention of the sentence (after a leading subordinate clause), when it comes
/// before token `k`.
fn sentence_subject(ctx: &Ctx, p: usize, lo: usize, k: usize) -> Option<MentionAt> {
    let toks = &ctx.paras[p].tokens;
    let lo = if word_at(ctx, p, lo).is_some_and(is_subordinator) {
        (lo..k)
            .find(|&i| toks[i].is_punct(','))
            .map_or(lo, |i| i + 1)
    } else {
        lo
    };
    ctx.mentions[p]
        .iter()
        .position(|r| {
            r.mention.tokens.start >= lo
                && r.mention.tokens.start < k
                && r.mention.kind != MentionKind::Relative
        })
        .map(|i| (p, i))
}

/// `said X`: the mention right after the verb, if nothing but punctuation or a preposition
/// follows it ("said he was ..." is not an attribution).
fn inverted_subject(ctx: &Ctx, p: usize, k: usize, hi: usize) -> Option<MentionAt> {
    let m = mention_starting_at(ctx, p, k + 1)?;
    // Right after the name itself: an appositive ("said X, a lawyer with Y, which ...") is
    // part of the attribution.
    let end = ctx.mentions[p][m.1].mention.tokens.end;
    let toks = &ctx.paras[p].tokens;
    let ok = end >= hi
        || toks.get(end).is_none_or(|t| {
            matches!(t.kind, TokKind::Punct(_) | TokKind::Quote(_))
                || ["of", "in", "at", "on", "from", "after", "during", "who"]
                    .iter()
                    .any(|w| t.is_word(w))
        });
    ok.then_some(m)
}

/// `A quoted X as saying`, `X was quoted (by A) as saying`, `according to X`.
fn special_forms(ctx: &Ctx, p: usize, k: usize, lo: usize) -> Option<Found> {
    let w = word_at(ctx, p, k)?.to_lowercase();
    if w == "came" {
        // "a question came from a member of the audience: "...""
        let m = mention_starting_at(ctx, p, k + 2)?;
        return Some(Found {
            speaker: m,
            via: None,
        });
    }
    if w == "according" {
        // "according to X", or "according to a statement from X".
        let m = mention_starting_at(ctx, p, k + 2).or_else(|| {
            (k + 3..k + 7)
                .find(|&i| {
                    ["from", "by", "of"]
                        .iter()
                        .any(|x| is_word_at(ctx, p, i, x))
                })
                .and_then(|i| mention_starting_at(ctx, p, i + 1))
        })?;
        return Some(Found {
            speaker: m,
            via: None,
        });
    }
    if !matches!(w.as_str(), "quoted" | "quoting" | "cited" | "citing") {
        return None;
    }
    let passive = k > 0
        && ["was", "were", "is", "been", "being"]
            .iter()
            .any(|x| is_word_at(ctx, p, k - 1, x));
    if passive {
        let speaker = subject_of(ctx, p, k - 1, lo)?;
        let via = if is_word_at(ctx, p, k + 1, "by") {
            mention_starting_at(ctx, p, k + 2)
        } else {
            None
        };
        return Some(Found { speaker, via });
    }
    let speaker = mention_starting_at(ctx, p, k + 1)?;
    let via = subject_of(ctx, p, k, lo);
    Some(Found { speaker, via })
}

/// An attribution at the start of `lo..hi` (right after a closing mark): `, X said`, `, said
/// X`, `, the Guardian quoted X as saying`.
fn attribution_right_after(ctx: &Ctx, p: usize, lo: usize, hi: usize) -> Option<Found> {
    let toks = &ctx.paras[p].tokens;
    let mut start = if toks
        .get(lo)
        .is_some_and(|t| matches!(t.kind, TokKind::Punct(',')))
    {
        lo + 1
    } else {
        lo
    };
    // `"...," as Reuters reported, "..."`.
    if is_word_at(ctx, p, start, "as") {
        start += 1;
    }
    // Only the first verb may be the attribution; later ones belong to other clauses.
    let k = *speech_verbs(ctx, p, start, hi.min(start + 10)).first()?;
    if let Some(f) = special_forms(ctx, p, k, start) {
        return Some(f);
    }
    if k == start
        && let Some(m) = inverted_subject(ctx, p, k, hi)
    {
        return Some(Found {
            speaker: m,
            via: None,
        });
    }
    let m = subject_of(ctx, p, k, start)?;
    (ctx.mentions[p][m.1].mention.tokens.start == start).then_some(Found {
        speaker: m,
        via: None,
    })
}

/// The attribution before a quote, nearest verb first. For a fragment only the nearest verb
/// counts: `an effect researchers describe as "herd protection"` is not MacLeod's phrase just
/// because "MacLeod said" opens the sentence.
fn attribution_before(ctx: &Ctx, p: usize, lo: usize, hi: usize, fragment: bool) -> Option<Found> {
    for k in speech_verbs(ctx, p, lo, hi).into_iter().rev() {
        if let Some(f) = special_forms(ctx, p, k, lo) {
            return Some(f);
        }
        if let Some(m) = subject_of(ctx, p, k, lo) {
            return Some(Found {
                speaker: m,
                via: None,
            });
        }
        if fragment {
            return None;
        }
    }
    None
}

fn attribution_later(ctx: &Ctx, p: usize, lo: usize, hi: usize) -> Option<Found> {
    for k in speech_verbs(ctx, p, lo, hi) {
        if let Some(f) = special_forms(ctx, p, k, lo) {
            return Some(f);
        }
        if let Some(m) = subject_of(ctx, p, k, lo) {
            return Some(Found {
                speaker: m,
                via: None,
            });
        }
        if let Some(m) = inverted_subject(ctx, p, k, hi) {
            return Some(Found {
                speaker: m,
                via: None,
            });
        }
    }
    None
}

/// The token range after token `t` up to the end of its sentence or the next quote.
fn after_window(para: &Para, t: usize) -> (usize, usize) {
    let sentence = para.sentence_of(t);
    let end = (t + 1..sentence.end)
        .find(|&i| matches!(para.tokens[i].kind, TokKind::Quote(_)))
        .unwrap_or(sentence.end);
    (t + 1, end)
}

/// The token range before token `t` back to the start of its sentence or the quote before.
fn before_window(para: &Para, t: usize) -> (usize, usize) {
    let sentence = para.sentence_of(t);
    let start = (sentence.start..t)
        .rev()
        .find(|&i| matches!(para.tokens[i].kind, TokKind::Quote(_)))
        .map_or(sentence.start, |i| i + 1);
    (start, t)
}

/// Where the segments of quotation `qi` sit: (paragraph, token).
fn positions(ctx: &Ctx, q: &Quotation, qi: usize) -> Vec<(usize, usize)> {
    let mut paras: Vec<usize> = q.segments.iter().map(|s| s.paragraph).collect();
    paras.dedup();
    paras
        .into_iter()
        .flat_map(|p| {
            ctx.paras[p]
                .quote_tokens(qi)
                .into_iter()
                .map(move |t| (p, t))
        })
        .collect()
}

fn attribute_one(
    ctx: &mut Ctx,
    quotes: &[Quotation],
    qi: usize,
    done: &[Option<Attribution>],
) -> Option<Attribution> {
    let q = &quotes[qi];
    let at = positions(ctx, q, qi);
    let (&(p0, t0), &(pl, tl)) = (at.first()?, at.last()?);
    let fragment = q.kind == Kind::Fragment;

    let mut found: Option<(Found, How)> = None;
    for pair in at.windows(2) {
        let ((pa, ta), (pb, tb)) = (pair[0], pair[1]);
        if pa == pb && found.is_none() {
            found = attribution_right_after(ctx, pa, ta + 1, tb).map(|f| (f, How::Between));
        }
    }
    let (alo, ahi) = after_window(&ctx.paras[pl], tl);
    let (blo, bhi) = before_window(&ctx.paras[p0], t0);
    if found.is_none() {
        found = attribution_right_after(ctx, pl, alo, ahi).map(|f| (f, How::After));
    }
    if found.is_none() {
        found = attribution_before(ctx, p0, blo, bhi, fragment).map(|f| (f, How::Before));
    }
    if found.is_none() && !fragment {
        found = attribution_later(ctx, pl, alo, ahi).map(|f| (f, How::LaterInSentence));
    }
    if let Some((f, how)) = found
        && let Some(speaker) = entity_of(ctx, f.speaker, p0, t0)
    {
        let mut relayed: Vec<MentionAt> = f.via.into_iter().collect();
        relayed.extend(relays_around(ctx, &at, (blo, ahi)));
        relayed.extend(relays_of_introduction(ctx, p0, t0, f.speaker));
        let mut via: Vec<usize> = Vec::new();
        for v in relayed {
            if let Some(e) = entity_of(ctx, v, p0, t0)
                && !via.contains(&e)
            {
                via.push(e);
            }
        }
        via.retain(|&v| v != speaker);
        let m = &ctx.mentions[f.speaker.0][f.speaker.1].mention;
        let through = matches!(
            m.kind,
            MentionKind::Pronoun | MentionKind::Nominal | MentionKind::Relative
        )
        .then(|| m.name.clone());
        return Some(Attribution {
            speaker,
            via,
            how,
            through,
        });
    }
    if fragment {
        return same_sentence_speaker(ctx, qi, done, (p0, blo));
    }
    fallback(ctx, quotes, qi, done, (p0, t0))
}

/// The relays named around a quote at `at` (its segments' positions), within its before and
/// after windows (`blo` in the first paragraph, `ahi` in the last), nearest the quote first.
fn relays_around(ctx: &Ctx, at: &[(usize, usize)], (blo, ahi): (usize, usize)) -> Vec<MentionAt> {
    let (Some(&(p0, t0)), Some(&(pl, tl))) = (at.first(), at.last()) else {
        return Vec::new();
    };
    // (distance from the quote, mention)
    let mut found: Vec<(usize, MentionAt)> = Vec::new();
    let mut scan = |p: usize, lo: usize, hi: usize, distance: &dyn Fn(usize) -> usize| {
        for (i, m) in relays_in(ctx, p, lo, hi) {
            found.push((distance(i), m));
        }
    };
    scan(p0, blo, t0, &|i| t0 - i);
    for pair in at.windows(2) {
        let ((pa, ta), (pb, tb)) = (pair[0], pair[1]);
        if pa == pb {
            scan(pa, ta + 1, tb, &|i| i - ta);
        }
    }
    scan(pl, tl + 1, ahi, &|i| i - tl);
    found.sort_by_key(|&(d, _)| d);
    found.into_iter().map(|(_, m)| m).collect()
}

/// The relays of the sentence that introduced a quote's speaker: `In an interview with the
/// BBC, X urged allies to move faster. "...," he said.` The sentence before the quote's, in
/// the same paragraph, counts when it holds no quote and names the speaker.
fn relays_of_introduction(ctx: &Ctx, p: usize, t0: usize, speaker: MentionAt) -> Vec<MentionAt> {
    let para = &ctx.paras[p];
    let sentence = para.sentence_of(t0);
    let Some(last) = sentence.start.checked_sub(1) else {
        return Vec::new();
    };
    let before = para.sentence_of(last);
    let has_quote =
        (before.start..before.end).any(|i| matches!(para.tokens[i].kind, TokKind::Quote(_)));
    let who = ctx.mentions[speaker.0][speaker.1].entity;
    let names_speaker = who.is_some()
        && mentions_in(ctx, p, before.clone()).any(|k| ctx.mentions[p][k].entity == who);
    if has_quote || !names_speaker {
        return Vec::new();
    }
    // Only the interview itself: what an outlet "reported" there need not be these words.
    let interview = |i: usize| {
        word_at(ctx, p, i).is_some_and(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "interview" | "interviews" | "told" | "telling" | "speaking" | "spoke" | "talking"
            )
        })
    };
    relays_in(ctx, p, before.start, before.end)
        .into_iter()
        .filter(|&(i, _)| interview(i))
        .map(|(_, m)| m)
        .collect()
}

/// The indices of the mentions of paragraph `p` that start inside `range`.
fn mentions_in<'c>(
    ctx: &'c Ctx,
    p: usize,
    range: Range<usize>,
) -> impl Iterator<Item = usize> + 'c {
    let list = &ctx.mentions[p];
    let from = list.partition_point(|r| r.mention.tokens.start < range.start);
    (from..list.len()).take_while(move |&k| list[k].mention.tokens.start < range.end)
}

/// True when the mention names a news outlet: "Reuters", "the Sunday Times", "the newspaper".
fn is_outlet(ctx: &Ctx, (p, k): MentionAt) -> bool {
    let r = &ctx.mentions[p][k];
    let m = &r.mention;
    let named = |name: &str| name.split_whitespace().any(lexicon::is_media_word);
    match m.kind {
        // "Portuguese broadcaster RTP": the words before the name say what it is.
        MentionKind::Named => ctx.paras[p].tokens[m.tokens.clone()]
            .iter()
            .any(|t| t.kind == TokKind::Word && lexicon::is_media_word(&t.text)),
        // "a news conference" is no outlet.
        MentionKind::Nominal if m.head == "news" => false,
        MentionKind::Nominal => {
            lexicon::is_media_word(&m.head)
                || r.entity.is_some_and(|e| named(&ctx.entities[e].name))
        }
        _ => false,
    }
}

/// Relays named in tokens `lo..hi` of paragraph `p`, with the token where each is named: `as
/// quoted by X`, `was quoted by X`, `X quoted ...`, `told X` and `speaking to X` (a news
/// outlet), `in an interview with X`, `according to X`, `X reported`.
fn relays_in(ctx: &Ctx, p: usize, lo: usize, hi: usize) -> Vec<(usize, MentionAt)> {
    let mut out = Vec::new();
    for i in lo..hi {
        let Some(w) = word_at(ctx, p, i) else {
            continue;
        };
        let w = w.to_lowercase();
        let after_by = || {
            is_word_at(ctx, p, i + 1, "by")
                .then(|| mention_starting_at(ctx, p, i + 2))
                .flatten()
        };
        let found = match w.as_str() {
            "quoted" | "cited" | "reported" | "relayed" if is_word_at(ctx, p, i + 1, "by") => {
                after_by()
            }
            "quoted" | "quoting" | "cited" | "citing" => (i > lo)
                .then(|| subject_of(ctx, p, i, lo))
                .flatten()
                .filter(|&m| is_outlet(ctx, m)),
            "reported" | "reports" | "reporting" => mention_ending_at(ctx, p, i, lo)
                .or_else(|| subject_of(ctx, p, i, lo))
                .filter(|&m| is_outlet(ctx, m)),
            "told" | "telling" | "tells" => {
                mention_starting_at(ctx, p, i + 1).filter(|&m| is_outlet(ctx, m))
            }
            "speaking" | "spoke" | "talking" | "talked"
                if is_word_at(ctx, p, i + 1, "to") || is_word_at(ctx, p, i + 1, "with") =>
            {
                mention_starting_at(ctx, p, i + 2).filter(|&m| is_outlet(ctx, m))
            }
            "interview" | "interviews"
                if ["with", "to", "on", "by"]
                    .iter()
                    .any(|x| is_word_at(ctx, p, i + 1, x)) =>
            {
                mention_starting_at(ctx, p, i + 2)
            }
            "according" if is_word_at(ctx, p, i + 1, "to") => mention_starting_at(ctx, p, i + 2),
            _ => None,
        };
        out.extend(found.map(|m| (i, m)));
    }
    out
}

/// `X said the transit was "..." and should not be a pretext for "..."`: a fragment with no
/// verb of its own, right after an attributed quote of the same sentence, is the same person's.
fn same_sentence_speaker(
    ctx: &Ctx,
    qi: usize,
    done: &[Option<Attribution>],
    (p, window_start): (usize, usize),
) -> Option<Attribution> {
    let before = window_start.checked_sub(1)?;
    let TokKind::Quote(prev) = ctx.paras[p].tokens.get(before)?.kind else {
        return None;
    };
    if prev >= qi {
        return None;
    }
    let a = done.get(prev)?.as_ref()?;
    matches!(a.how, How::After | How::Before | How::Between).then(|| Attribution {
        how: How::Before,
        ..a.clone()
    })
}

/// The entity a mention found as a speaker stands for, creating one for a description that
/// names nobody met before ("a spokesman for the prime minister", "its defence ministry").
fn entity_of(ctx: &mut Ctx, at: MentionAt, p0: usize, t0: usize) -> Option<usize> {
    let r = ctx.mentions[at.0][at.1].clone();
    if let Some(e) = r.entity {
        return Some(e);
    }
    let m = &r.mention;
    let e = match m.kind {
        MentionKind::Nominal if m.definite && m.entity == EntityKind::Person => {
            // "the former Norwegian prime minister": someone already in the story; the person
            // the story is about is the best guess.
            recent(ctx, p0, t0).into_iter().find(|&i| {
                is_person_like(&ctx.entities[i]) && gender_fits(&ctx.entities[i], m.gender)
            })
        }
        MentionKind::Nominal => Some(add_described(ctx, m)),
        MentionKind::Named => Some(find_or_add_named(ctx, m)),
        _ => None,
    }?;
    if ctx.entities[e].kind == EntityKind::Unknown {
        ctx.entities[e].kind = if ctx.entities[e].name.split_whitespace().count() > 1 {
            EntityKind::Person
        } else {
            EntityKind::Org
        };
    }
    ctx.mentions[at.0][at.1].entity = Some(e);
    Some(e)
}

/// A speaker name for an unnamed source: "its defence ministry" becomes "Defence ministry",
/// and "the Yle broadcaster" is Yle.
fn description_name(m: &Mention) -> String {
    if let [name] = m.proper.as_slice()
        && m.entity == EntityKind::Org
        && !names::is_person_epithet(name)
    {
        return name.clone();
    }
    let words: Vec<&str> = m.name.split_whitespace().collect();
    let skip = usize::from(words.first().is_some_and(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "the" | "a" | "an" | "its" | "their" | "his" | "her"
        )
    }));
    let text = words[skip..].join(" ");
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => text,
    }
}

/// `"Nobody wants this war." The words came from X, who ...` or `"..." X said so on
/// Friday.`: a quote that is a sentence of its own, opening its paragraph, attributed by the
/// sentence right after it (a speech verb among its first words, or "came from X").
fn attributed_after(ctx: &mut Ctx, p: usize, t0: usize) -> Option<usize> {
    let para = &ctx.paras[p];
    let sentence = para.sentence_of(t0);
    if t0 != 0 || sentence.end >= para.tokens.len() {
        return None;
    }
    let next = para.sentence_of(sentence.end);
    let quoted = (next.start..next.end).any(|i| matches!(para.tokens[i].kind, TokKind::Quote(_)));
    if quoted {
        return None;
    }
    let hi = next.end.min(next.start + 10);
    let came_from = (next.start..hi)
        .find(|&i| is_word_at(ctx, p, i, "came") && is_word_at(ctx, p, i + 1, "from"))
        .and_then(|i| mention_starting_at(ctx, p, i + 2));
    let by_verb = || {
        speech_verbs(ctx, p, next.start, hi)
            .into_iter()
            .find_map(|k| {
                subject_of(ctx, p, k, next.start).or_else(|| inverted_subject(ctx, p, k, next.end))
            })
    };
    let m = came_from.or_else(by_verb)?;
    entity_of(ctx, m, p, t0).filter(|&e| ctx.entities[e].kind != EntityKind::Unknown)
}

/// `He said Isaac chose a period of unrest. \n\n "I thought it was a cool opportunity ..."`: a
/// quote opening its paragraph, after a paragraph that ends with what somebody said (a speech
/// verb and its subject, no quote), is that person's.
fn speaker_of_paragraph_before(ctx: &mut Ctx, p: usize, t0: usize) -> Option<usize> {
    if t0 != 0 || p == 0 {
        return None;
    }
    let prev = &ctx.paras[p - 1];
    let last = prev.sentences.last()?.clone();
    let quoted = (last.start..last.end).any(|i| matches!(prev.tokens[i].kind, TokKind::Quote(_)));
    if quoted {
        return None;
    }
    let hi = last.end.min(last.start + 8);
    let m = speech_verbs(ctx, p - 1, last.start, hi)
        .into_iter()
        .find_map(|k| subject_of(ctx, p - 1, k, last.start))?;
    let e = entity_of(ctx, m, p, t0)?;
    is_person_like(&ctx.entities[e]).then_some(e)
}

/// No attribution in the sentence: the person the previous sentence of the paragraph is about,
/// else the speaker of a quote in this or the previous paragraph, else the first person named
/// in the next sentence (a quote that opens the story), else the person named last.
fn fallback(
    ctx: &mut Ctx,
    quotes: &[Quotation],
    qi: usize,
    done: &[Option<Attribution>],
    (p0, t0): (usize, usize),
) -> Option<Attribution> {
    let para = &ctx.paras[p0];
    let sentence = para.sentence_of(t0);
    let make = |speaker, how| {
        Some(Attribution {
            speaker,
            via: Vec::new(),
            how,
            through: None,
        })
    };
    if sentence.start > 0 {
        let before = para.sentence_of(sentence.start - 1);
        let person = ctx.mentions[p0]
            .iter()
            .filter(|r| before.contains(&r.mention.tokens.start))
            .find_map(|r| r.entity.filter(|&e| is_person_like(&ctx.entities[e])));
        let has_quote =
            (before.start..before.end).any(|i| matches!(para.tokens[i].kind, TokKind::Quote(_)));
        if let Some(e) = person.filter(|_| !has_quote) {
            return make(e, How::SentenceBefore);
        }
    }
    if let Some(e) = attributed_after(ctx, p0, t0) {
        return make(e, How::SentenceAfter);
    }
    if let Some(e) = speaker_of_paragraph_before(ctx, p0, t0) {
        return make(e, How::SentenceBefore);
    }
    // Quotes are in reading order: the walk back stops at the first one too far away.
    let previous = (0..qi)
        .rev()
        .take_while(|&j| quotes[j].last().paragraph + 2 > p0)
        .find_map(|j| Some(done.get(j)?.as_ref()?.speaker));
    if let Some(e) = previous {
        return make(e, How::QuoteBefore);
    }
    let next_sentence = if sentence.end < para.tokens.len() {
        Some((p0, sentence.clone()))
    } else {
        ctx.paras
            .get(p0 + 1)
            .and_then(|n| n.sentences.first().cloned())
            .map(|s| (p0 + 1, s))
    };
    if let Some((pn, s)) = next_sentence {
        let range = if pn == p0 {
            sentence.end..para.sentence_of(sentence.end).end
        } else {
            s
        };
        let person = ctx.mentions[pn]
            .iter()
            .filter(|r| range.contains(&r.mention.tokens.start))
            .find_map(|r| r.entity.filter(|&e| is_person_like(&ctx.entities[e])));
        if let Some(e) = person {
            return make(e, How::SentenceAfter);
        }
    }
    let last = recent(ctx, p0, t0)
        .into_iter()
        .find(|&e| is_person_like(&ctx.entities[e]));
    last.and_then(|e| make(e, How::Guess))
}

#[cfg(test)]
mod tests {
    use crate::suggest::{quotes, reader::Reader, words};

    use super::*;

    /// The entities and attributions of `md`.
    fn attributed(md: &str) -> (Vec<Entity>, Vec<Option<Attribution>>) {
        let r = Reader::new(md, false);
        let q = quotes::find(&r);
        let paras = words::tokenize(&r, &q);
        attribute(&paras, &q)
    }

    /// The speaker's name (and the relay's) for each quote of `md`, `None` when set aside.
    fn who(md: &str) -> Vec<Option<(String, Option<String>)>> {
        let (entities, attributions) = attributed(md);
        attributions
            .into_iter()
            .map(|a| {
                a.map(|a| {
                    let via = a.via.first().map(|&v| entities[v].name.clone());
                    (entities[a.speaker].name.clone(), via)
                })
            })
            .collect()
    }

    fn names(md: &str) -> Vec<String> {
        who(md)
            .into_iter()
            .map(|w| w.map_or("-".into(), |(n, _)| n))
            .collect()
    }

    #[test]
    fn attributions_after_the_quote_in_both_orders() {
        let md = "\"We are ready,\" Anna Kowalska said.\n\n\"So are we,\" said Jan Nowak, a spokesman for the army.\n";
        assert_eq!(names(md), ["Anna Kowalska", "Jan Nowak"]);
    }

    #[test]
    fn quoted_as_saying_gives_a_relay() {
        let md = "The Guardian quoted Mark Ellis as saying that \"the plan has failed badly.\"\n\n\
                  Jane Roe was quoted by the agency TASS as saying \"nothing has changed at all.\"\n\n\
                  Minister Mari Rantanen was cited by the Yle broadcaster as saying it was \"as long as necessary.\"\n";
        assert_eq!(
            who(md),
            [
                Some(("Mark Ellis".into(), Some("Guardian".into()))),
                Some(("Jane Roe".into(), Some("TASS".into()))),
                Some(("Mari Rantanen".into(), Some("Yle".into())))
            ]
        );
    }

    #[test]
    fn pronouns_and_descriptions_find_the_right_person() {
        let md = "Mayor Denise Harlow met Council member Rafael Ortiz.\n\n\
                  \"We had a deal on the table,\" he said.\n\n\
                  The mayor disagreed. \"There was never a deal,\" she said.\n";
        assert_eq!(names(md), ["Rafael Ortiz", "Denise Harlow"]);
        let md = "Former minister Piotr Nowak spoke on Monday.\n\n\
                  The ex-official also said that \"the talks were a waste of time.\"\n";
        assert_eq!(names(md), ["Piotr Nowak"]);
    }

    #[test]
    fn according_to_and_participles() {
        let md = "According to Ursula Pachl, deputy director of BEUC, the rules show that \"the law has teeth.\"\n\n\
                  Britain's Environment Agency issued a warning, telling residents that there was a \"danger to life\".\n";
        assert_eq!(names(md), ["Ursula Pachl", "Environment Agency"]);
    }

    #[test]
    fn quotes_without_attribution_keep_the_last_speaker_or_look_ahead() {
        let md = "\"We are not there yet.\"\n\n\
                  With those words, governor Elena Moravec ended the meeting.\n\n\
                  \"Rates stay where they are for now,\" she said.\n\n\
                  \"We will look again in June.\"\n";
        assert_eq!(
            names(md),
            ["Elena Moravec", "Elena Moravec", "Elena Moravec"]
        );
    }

    /// Each quote's speaker and every relay, nearest first.
    fn relays(md: &str) -> Vec<(String, Vec<String>)> {
        let (entities, attributions) = attributed(md);
        attributions
            .into_iter()
            .flatten()
            .map(|a| {
                let via = a.via.iter().map(|&v| entities[v].name.clone()).collect();
                (entities[a.speaker].name.clone(), via)
            })
            .collect()
    }

    fn s(x: &str) -> String {
        x.to_string()
    }

    #[test]
    fn relays_are_found_around_the_quote_nearest_first() {
        let md = "Ukraine's President Volodymyr Zelensky said it needed \"seven more systems,\" as quoted by the Sunday Times.\n\n\
                  \"Poland will not stand aside,\" Donald Tusk told Reuters.\n\n\
                  \"We are ready,\" Anna Nowak told Reuters, according to TASS.\n\n\
                  \"We are not,\" Jan Kowalski told reporters at a news conference.\n";
        assert_eq!(
            relays(md),
            [
                (s("Volodymyr Zelensky"), vec![s("Sunday Times")]),
                (s("Donald Tusk"), vec![s("Reuters")]),
                (s("Anna Nowak"), vec![s("Reuters"), s("TASS")]),
                (s("Jan Kowalski"), vec![]),
            ]
        );
    }

    #[test]
    fn an_interview_named_in_the_sentence_before_is_a_relay() {
        let md = "In an interview with the BBC, Anders Rasmussen urged allies to act. \"We are running out of time,\" he said.\n";
        assert_eq!(relays(md), [(s("Anders Rasmussen"), vec![s("BBC")])]);
    }

    #[test]
    fn a_lone_quote_is_attributed_by_the_sentence_after_it() {
        let md = "Giorgia Meloni spoke first.\n\n\
                  \"Nobody wants this war to go on.\" The words came from Péter Szijjártó, who spoke later.\n";
        assert_eq!(names(md), ["Péter Szijjártó"]);
    }

    #[test]
    fn organisations_speak_and_descriptions_find_them() {
        let md = "The Kremlin said the deliveries would \"change nothing on the ground.\"\n\n\
                  The European Commission met. \"The money is there,\" the Commission said.\n";
        assert_eq!(names(md), ["Kremlin", "European Commission"]);
    }

    #[test]
    fn scare_quotes_without_a_speaker_are_set_aside() {
        let md = "MacLeod said the team found fewer infections, an effect researchers describe as \"herd protection,\" in families.\n";
        assert_eq!(names(md), ["-"]);
        let md = "BEIJING (Sputnik - 1st May, 2024) China's Foreign Ministry lodged a protest, calling him \"a troublemaker.\"\n";
        assert_eq!(names(md), ["Foreign Ministry"]);
    }
}

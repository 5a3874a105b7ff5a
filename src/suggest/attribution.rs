//! Who said each quote. Mentions are first resolved in reading order into entities (a name
//! met again, "the mayor" to the person whose role says mayor, "she" to the last woman or
//! unknown person named); then each quote looks for its attribution: right after it (`"...,"
//! X said`, `"...," said X`), between its parts, before it (`X said: "..."`, `according to
//! X, ...`, `A quoted X as saying "..."`), later in its sentence, and at last in the sentence
//! before or the quote before (a quote paragraph with no attribution keeps the last speaker).
//!
//! It must not pick speaker ids nor write YAML: it returns entities and, per quote, which
//! entity speaks, who relayed the words, and how sure the rule that decided is.

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
    pub gender: Option<Gender>,
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
    pub via: Option<usize>,
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

fn same_org(a: &str, b: &str) -> bool {
    let (a, b) = (name_key(a), name_key(b));
    !a.is_empty() && a == b
}

fn find_or_add_named(ctx: &mut Ctx, m: &Mention) -> usize {
    let found = ctx.entities.iter().position(|e| match (m.entity, e.kind) {
        (EntityKind::Org, EntityKind::Org) => same_org(&e.name, &m.name),
        (EntityKind::Org, _) | (_, EntityKind::Org) => {
            // "Veridian" after "Veridian Systems"; a one-word name met as an organisation.
            same_org(&e.name, &m.name)
                || (m.name.split_whitespace().count() == 1
                    && name_key(&e.name).first() == name_key(&m.name).first()
                    && e.kind == EntityKind::Org)
        }
        _ => same_person(&e.name, &m.name),
    });
    match found {
        Some(i) => {
            let e = &mut ctx.entities[i];
            if m.name.split_whitespace().count() > e.name.split_whitespace().count() {
                e.name = m.name.clone();
            }
            if e.role.is_none() {
                e.role = m.role.clone();
            }
            if e.kind == EntityKind::Unknown {
                e.kind = m.entity;
            }
            e.gender = e.gender.or(m.gender);
            i
        }
        None => {
            ctx.entities.push(Entity {
                name: m.name.clone(),
                role: m.role.clone(),
                kind: m.entity,
                gender: m.gender,
            });
            ctx.entities.len() - 1
        }
    }
}

/// Entities mentioned before paragraph `p`, token `t`, most recent first (each once).
fn recent(ctx: &Ctx, p: usize, t: usize) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for pi in (0..=p.min(ctx.mentions.len().saturating_sub(1))).rev() {
        for r in ctx.mentions[pi].iter().rev() {
            if pi == p && r.mention.tokens.start >= t {
                continue;
            }
            if let Some(e) = r.entity
                && !out.contains(&e)
            {
                out.push(e);
            }
        }
    }
    out
}

fn is_person_like(e: &Entity) -> bool {
    e.kind == EntityKind::Person
}

fn gender_fits(e: &Entity, g: Option<Gender>) -> bool {
    match (e.gender, g) {
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
                ent.gender = ent.gender.or(m.gender);
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
    ctx.entities.push(Entity {
        name: description_name(m),
        role: None,
        kind: m.entity,
        gender: m.gender,
    });
    ctx.entities.len() - 1
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
    let start = if toks
        .get(lo)
        .is_some_and(|t| matches!(t.kind, TokKind::Punct(',')))
    {
        lo + 1
    } else {
        lo
    };
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
        let via = f.via.and_then(|v| entity_of(ctx, v, p0, t0));
        let m = &ctx.mentions[f.speaker.0][f.speaker.1].mention;
        let through = matches!(
            m.kind,
            MentionKind::Pronoun | MentionKind::Nominal | MentionKind::Relative
        )
        .then(|| m.name.clone());
        return Some(Attribution {
            speaker,
            via: via.filter(|&v| v != speaker),
            how,
            through,
        });
    }
    if fragment {
        return same_sentence_speaker(ctx, qi, done, (p0, blo));
    }
    fallback(ctx, quotes, qi, done, (p0, t0))
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
            via: None,
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
    let previous = (0..qi).rev().find_map(|j| {
        let a = done.get(j)?.as_ref()?;
        let near = quotes[j].last().paragraph + 2 > p0;
        near.then_some(a.speaker)
    });
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

    /// The speaker's name (and the relay's) for each quote of `md`, `None` when set aside.
    fn who(md: &str) -> Vec<Option<(String, Option<String>)>> {
        let r = Reader::new(md, false);
        let q = quotes::find(&r);
        let paras = words::tokenize(&r, &q);
        let (entities, attributions) = attribute(&paras, &q);
        attributions
            .into_iter()
            .map(|a| {
                a.map(|a| {
                    let via = a.via.map(|v| entities[v].name.clone());
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

    #[test]
    fn scare_quotes_without_a_speaker_are_set_aside() {
        let md = "MacLeod said the team found fewer infections, an effect researchers describe as \"herd protection,\" in families.\n";
        assert_eq!(names(md), ["-"]);
        let md = "BEIJING (Sputnik - 1st May, 2024) China's Foreign Ministry lodged a protest, calling him \"a troublemaker.\"\n";
        assert_eq!(names(md), ["Foreign Ministry"]);
    }
}

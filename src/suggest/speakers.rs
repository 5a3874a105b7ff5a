//! Speaker ids for the entities that speak: a site-wide (or this file's) speaker when the
//! name matches (the full name, or the surname with compatible first names; organisations by
//! their whole name), else a new local speaker with an id made from the name.
//!
//! It must not look at the article: it only compares names, and says how each id was chosen
//! so that the YAML can flag a guess.

use std::collections::{BTreeSet, HashMap};

use super::attribution::{Entity, name_key};
use super::names::EntityKind;
use crate::model::{Speaker, SpeakerKind};

/// A speaker the draft defines in its own `speakers:` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: String,
    pub name: String,
    pub role: Option<String>,
    pub kind: SpeakerKind,
}

/// How an entity got its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The same name as a known speaker.
    Known(String),
    /// A known speaker with the same surname (and no first name that contradicts it).
    BySurname(String),
    /// A new speaker, proposed in the draft.
    New(String),
}

impl Choice {
    pub fn id(&self) -> &str {
        match self {
            Choice::Known(id) | Choice::BySurname(id) | Choice::New(id) => id,
        }
    }
}

/// An id from a name: lower-case ASCII letters and digits, words joined by `-`.
pub fn slug(name: &str) -> String {
    let s = crate::slug::slugify(name);
    if s.is_empty() {
        "speaker".to_string()
    } else {
        s
    }
}

/// Surnames this close are the same name spelled two ways ("Zelensky", "Zelenskyy").
const SURNAME_SIMILARITY: f64 = 0.93;

fn first_names_agree(a: &[String], b: &[String]) -> bool {
    if a.len() < 2 || b.len() < 2 {
        return true;
    }
    let (fa, fb) = (&a[0], &b[0]);
    fa == fb
        || (fa.len() == 1 && fb.starts_with(fa.as_str()))
        || (fb.len() == 1 && fa.starts_with(fb.as_str()))
        || strsim::jaro_winkler(fa, fb) >= 0.9
}

/// True when both names have a first name and a surname, and both are the same.
fn same_ends(a: &[String], b: &[String]) -> bool {
    a.len() >= 2 && b.len() >= 2 && a.first() == b.first() && a.last() == b.last()
}

fn match_person(e: &Entity, known: &[Speaker]) -> Option<Choice> {
    let key = name_key(&e.name);
    let surname = key.last()?;
    let people = || known.iter().filter(|s| s.kind == SpeakerKind::Person);
    if let Some(s) = people().find(|s| name_key(&s.name) == key) {
        return Some(Choice::Known(s.id.clone()));
    }
    let by_surname: Vec<&Speaker> = people()
        .filter(|s| {
            let k = name_key(&s.name);
            k.last().is_some_and(|l| {
                l == surname || strsim::jaro_winkler(l, surname) >= SURNAME_SIMILARITY
            }) && first_names_agree(&k, &key)
        })
        .collect();
    match by_surname.as_slice() {
        // "Anders Rasmussen" for "Anders Fogh Rasmussen": the same first and last names.
        [one] if same_ends(&name_key(&one.name), &key) => Some(Choice::Known(one.id.clone())),
        [one] => Some(Choice::BySurname(one.id.clone())),
        _ => None,
    }
}

fn match_org(e: &Entity, known: &[Speaker]) -> Option<Choice> {
    let key = name_key(&e.name);
    known
        .iter()
        .filter(|s| s.kind != SpeakerKind::Person)
        .find(|s| name_key(&s.name) == key || s.id == slug(&e.name))
        .map(|s| Choice::Known(s.id.clone()))
}

/// Chooses an id for each entity in `wanted` (entity indices), proposing new speakers for
/// those no known speaker matches. `taken` holds every id already in use.
pub fn choose(
    entities: &[Entity],
    wanted: &[usize],
    known: &[Speaker],
    taken: &BTreeSet<String>,
) -> (Vec<Option<Choice>>, Vec<Proposal>) {
    let mut choices: Vec<Option<Choice>> = vec![None; entities.len()];
    let mut proposals: Vec<Proposal> = Vec::new();
    let mut ids = Ids::new(taken.clone());
    for &i in wanted {
        if choices[i].is_some() {
            continue;
        }
        let e = &entities[i];
        let matched = match e.kind {
            EntityKind::Org => match_org(e, known),
            EntityKind::Person => match_person(e, known),
            EntityKind::Unknown => match_person(e, known).or_else(|| match_org(e, known)),
        };
        let choice = matched.unwrap_or_else(|| {
            let id = ids.fresh(&slug(&e.name));
            proposals.push(Proposal {
                id: id.clone(),
                name: e.name.clone(),
                role: e.role.clone().map(|r| capitalise(&r)),
                kind: if e.kind == EntityKind::Org {
                    SpeakerKind::Organisation
                } else {
                    SpeakerKind::Person
                },
            });
            Choice::New(id)
        });
        choices[i] = Some(choice);
    }
    (choices, proposals)
}

/// Ids handed out so far, and for each base the next number to try: numbering the hundredth
/// `we-will-go-there` starts where the ninety-ninth ended, not at 2.
pub struct Ids {
    used: BTreeSet<String>,
    next: HashMap<String, usize>,
}

impl Ids {
    /// `used`: the ids that are taken already.
    pub fn new(used: BTreeSet<String>) -> Ids {
        Ids {
            used,
            next: HashMap::new(),
        }
    }

    /// `base` if it is free, else `base-2`, `base-3`, ...; the id is taken from then on.
    pub fn fresh(&mut self, base: &str) -> String {
        let id = if self.used.contains(base) {
            let n = self.next.entry(base.to_string()).or_insert(2);
            loop {
                let id = format!("{base}-{n}");
                *n += 1;
                if !self.used.contains(&id) {
                    break id;
                }
            }
        } else {
            base.to_string()
        };
        self.used.insert(id.clone());
        id
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;
    use crate::model::Origin;

    fn speaker(id: &str, name: &str, kind: SpeakerKind) -> Speaker {
        Speaker {
            id: id.into(),
            name: name.into(),
            role: None,
            kind,
            url: None,
            same_as: Vec::new(),
            origin: Origin {
                file: "content/speakers.yaml".into(),
                pos: Pos::new(1, 1),
                local_to: None,
            },
        }
    }

    fn entity(name: &str, kind: EntityKind) -> Entity {
        Entity {
            name: name.into(),
            role: Some("former minister".into()),
            kind,
            gender: None,
            pronoun_gender: None,
        }
    }

    #[test]
    fn ids_are_numbered_past_those_taken() {
        let taken: BTreeSet<String> = ["go", "go-2", "go-4"].map(String::from).into();
        let mut ids = Ids::new(taken);
        let got: Vec<String> = (0..3).map(|_| ids.fresh("go")).collect();
        assert_eq!(got, ["go-3", "go-5", "go-6"]);
        assert_eq!(ids.fresh("stay"), "stay");
        assert_eq!(ids.fresh("stay"), "stay-2");
    }

    #[test]
    fn slugs_fold_diacritics() {
        assert_eq!(slug("Laurynas Kasčiūnas"), "laurynas-kasciunas");
        assert_eq!(slug("André Villas-Boas"), "andre-villas-boas");
        assert_eq!(slug("O'Brien"), "obrien");
        assert_eq!(slug("???"), "speaker");
    }

    #[test]
    fn names_match_by_full_name_or_surname() {
        let known = [
            speaker("rasmussen", "Anders Fogh Rasmussen", SpeakerKind::Person),
            speaker("zelenskyy", "Volodymyr Zelenskyy", SpeakerKind::Person),
            speaker("the-guardian", "The Guardian", SpeakerKind::Organisation),
        ];
        let entities = [
            entity("Anders Rasmussen", EntityKind::Person),
            entity("Zelensky", EntityKind::Person),
            entity("Guardian", EntityKind::Org),
            entity("Lars Rasmussen", EntityKind::Person),
        ];
        let (choices, proposals) = choose(&entities, &[0, 1, 2, 3], &known, &BTreeSet::new());
        assert_eq!(choices[0], Some(Choice::Known("rasmussen".into())));
        assert_eq!(choices[1], Some(Choice::BySurname("zelenskyy".into())));
        assert_eq!(choices[2], Some(Choice::Known("the-guardian".into())));
        assert_eq!(choices[3], Some(Choice::New("lars-rasmussen".into())));
        assert_eq!(proposals[0].role.as_deref(), Some("Former minister"));
    }
}

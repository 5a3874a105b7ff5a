//! Word lists for `suggest`: speech verbs, titles and roles, organisation words, the words of
//! news outlets' names, nationalities, calendar words, abbreviations, and the first names and
//! titles whose usual gender lets "he" and "she" pick the right person.
//!
//! Lookups only. It must not read articles or decide anything, so that the rules using these
//! lists stay readable and a missing word is fixed by adding one line. Each list is a file in
//! `lexicon/`, built into the binary: one word or phrase a line, in lower case, each once;
//! blank lines and lines starting with `#` are left out. A list is read into a set the first
//! time it is looked up, and never changes after that.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

/// One list: the text of its data file and, once it is first needed, the set of its words.
struct WordList {
    #[cfg_attr(not(test), allow(dead_code))]
    file: &'static str,
    text: &'static str,
    words: OnceLock<HashSet<&'static str>>,
}

impl WordList {
    const fn new(file: &'static str, text: &'static str) -> Self {
        WordList {
            file,
            text,
            words: OnceLock::new(),
        }
    }

    /// True when the list holds `word`, whatever its case.
    fn contains(&self, word: &str) -> bool {
        let words = self.words.get_or_init(|| entries(self.text).collect());
        words.contains(lower(word).as_ref())
    }
}

/// The entries of a list file: its lines, trimmed, without blank lines and `#` comments.
fn entries(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// The word in lower case, copied only when it has to change (most words looked up are plain
/// lower-case ASCII).
fn lower(word: &str) -> Cow<'_, str> {
    if word.is_ascii() && !word.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(word.to_lowercase())
    }
}

/// A list read from `lexicon/<file>`.
macro_rules! word_list {
    ($file:literal) => {
        WordList::new($file, include_str!(concat!("lexicon/", $file)))
    };
}

static SPEECH_VERBS: WordList = word_list!("speech_verbs.txt");
static PLACE_WORDS: WordList = word_list!("place_words.txt");
static NAMING_VERBS: WordList = word_list!("naming_verbs.txt");
static TERM_MARKERS: WordList = word_list!("term_markers.txt");
static ROLE_WORDS: WordList = word_list!("role_words.txt");
static ORG_WORDS: WordList = word_list!("org_words.txt");
static PERSON_NOUNS: WordList = word_list!("person_nouns.txt");
static MALE_NAMES: WordList = word_list!("male_names.txt");
static FEMALE_NAMES: WordList = word_list!("female_names.txt");
static MALE_TITLES: WordList = word_list!("male_titles.txt");
static FEMALE_TITLES: WordList = word_list!("female_titles.txt");
static WEEKDAYS: WordList = word_list!("weekdays.txt");
static MONTHS: WordList = word_list!("months.txt");
static SENTENCE_WORDS: WordList = word_list!("sentence_words.txt");
static SKIPPABLE: WordList = word_list!("skippable.txt");
static NAME_PARTICLES: WordList = word_list!("name_particles.txt");
static ABBREVIATIONS: WordList = word_list!("abbreviations.txt");
static MEDIA_WORDS: WordList = word_list!("media_words.txt");
static NATIONALITIES: WordList = word_list!("nationalities.txt");
static DESCRIPTION_ADJECTIVES: WordList = word_list!("description_adjectives.txt");

/// Every list, for the tests that check them all.
#[cfg(test)]
static ALL_LISTS: [&WordList; 20] = [
    &SPEECH_VERBS,
    &PLACE_WORDS,
    &NAMING_VERBS,
    &TERM_MARKERS,
    &ROLE_WORDS,
    &ORG_WORDS,
    &PERSON_NOUNS,
    &MALE_NAMES,
    &FEMALE_NAMES,
    &MALE_TITLES,
    &FEMALE_TITLES,
    &WEEKDAYS,
    &MONTHS,
    &SENTENCE_WORDS,
    &SKIPPABLE,
    &NAME_PARTICLES,
    &ABBREVIATIONS,
    &MEDIA_WORDS,
    &NATIONALITIES,
    &DESCRIPTION_ADJECTIVES,
];

pub fn is_speech_verb(word: &str) -> bool {
    SPEECH_VERBS.contains(word)
}

pub fn is_naming_verb(word: &str) -> bool {
    NAMING_VERBS.contains(word)
}

pub fn is_term_marker(word: &str) -> bool {
    TERM_MARKERS.contains(word)
}

pub fn is_role_word(word: &str) -> bool {
    let w = word.trim_start_matches("ex-").trim_start_matches("Ex-");
    ROLE_WORDS.contains(w) || ROLE_WORDS.contains(word)
}

pub fn is_place_word(word: &str) -> bool {
    PLACE_WORDS.contains(word)
}

pub fn is_org_word(word: &str) -> bool {
    ORG_WORDS.contains(word.trim_end_matches("'s").trim_end_matches("\u{2019}s"))
}

pub fn is_person_noun(word: &str) -> bool {
    PERSON_NOUNS.contains(word) || is_role_word(word)
}

pub fn is_sentence_word(word: &str) -> bool {
    SENTENCE_WORDS.contains(word) || WEEKDAYS.contains(word)
}

pub fn is_skippable(word: &str) -> bool {
    SKIPPABLE.contains(word) || WEEKDAYS.contains(word)
}

pub fn is_name_particle(word: &str) -> bool {
    NAME_PARTICLES.contains(word)
}

/// Day and month names, which are capitalised without being names.
pub fn is_calendar_word(word: &str) -> bool {
    WEEKDAYS.contains(word) || MONTHS.contains(word)
}

/// Abbreviations (with their full stop) after which a sentence goes on: "Dr.", "U.S.".
pub fn is_abbreviation(word: &str) -> bool {
    ABBREVIATIONS.contains(word)
}

/// Words that name news outlets, or are part of their names: "Reuters", "the Sunday Times",
/// "the newspaper". Words told something by a news outlet were relayed by it.
pub fn is_media_word(word: &str) -> bool {
    MEDIA_WORDS.contains(word.trim_end_matches("'s").trim_end_matches("\u{2019}s"))
}

/// Adjectives of nationality ("Ukrainian", "Polish"): a role of their own is no role.
pub fn is_nationality(word: &str) -> bool {
    NATIONALITIES.contains(word)
}

/// Words that may stand between the determiner and the noun of a description of a person
/// without saying who it is: "an unnamed Ukrainian commander", "a senior official".
pub fn is_description_adjective(word: &str) -> bool {
    DESCRIPTION_ADJECTIVES.contains(word)
}

/// A person's usual gender from their first name, when the lists know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
}

pub fn gender_of_first_name(first: &str) -> Option<Gender> {
    let female = FEMALE_NAMES.contains(first);
    let male = MALE_NAMES.contains(first);
    match (male, female) {
        (true, false) => Some(Gender::Male),
        (false, true) => Some(Gender::Female),
        _ => None,
    }
}

/// The gender a title or honorific implies ("Mrs.", "Queen", "spokeswoman").
pub fn gender_of_title(word: &str) -> Option<Gender> {
    let title = word.trim_end_matches('.');
    if MALE_TITLES.contains(title) {
        Some(Gender::Male)
    } else if FEMALE_TITLES.contains(title) {
        Some(Gender::Female)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entries of a list, in file order.
    fn words_of(list: &WordList) -> Vec<&'static str> {
        entries(list.text).collect()
    }

    #[test]
    fn lookups_ignore_case() {
        assert!(is_speech_verb("Said"));
        assert!(is_role_word("Minister"));
        assert!(is_org_word("Ministry"));
        assert!(is_org_word("agency's"));
        assert!(is_calendar_word("March"));
        assert!(!is_calendar_word("May"));
        assert!(is_abbreviation("Dr."));
        assert_eq!(gender_of_first_name("Kaja"), Some(Gender::Female));
        assert_eq!(gender_of_first_name("Anders"), Some(Gender::Male));
        assert_eq!(gender_of_first_name("Zyx"), None);
        assert_eq!(gender_of_title("Mrs."), Some(Gender::Female));
        assert_eq!(gender_of_title("Spokesman"), Some(Gender::Male));
        assert_eq!(gender_of_title("Minister"), None);
    }

    #[test]
    fn list_files_skip_comments_and_blank_lines() {
        let text = "# Verbs.\n\nsaid\n  told  \n   # indented comment\nsaid so\n";
        assert_eq!(
            entries(text).collect::<Vec<_>>(),
            ["said", "told", "said so"]
        );
    }

    #[test]
    fn every_list_is_lower_case_and_holds_each_entry_once() {
        for list in ALL_LISTS {
            let words = words_of(list);
            assert!(!words.is_empty(), "{} has no entries", list.file);
            let mut seen = HashSet::new();
            for word in words {
                assert_eq!(
                    word,
                    word.to_lowercase(),
                    "{}: {word:?} is not in lower case",
                    list.file
                );
                assert!(
                    !word.contains('#') && !word.contains('\t') && !word.contains("  "),
                    "{}: {word:?} is not one word or phrase (comments take a line of their own)",
                    list.file
                );
                assert!(seen.insert(word), "{}: {word:?} is listed twice", list.file);
            }
        }
    }

    #[test]
    fn every_list_file_is_checked() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/suggest/lexicon");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("src/suggest/lexicon is readable")
            .map(|e| {
                e.expect("a directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        files.sort();
        let mut checked: Vec<String> = ALL_LISTS.iter().map(|l| l.file.to_string()).collect();
        checked.sort();
        assert_eq!(
            files, checked,
            "every file in lexicon/ is a list in ALL_LISTS"
        );
    }

    #[test]
    fn no_name_or_title_is_both_male_and_female() {
        for (male, female) in [(&MALE_NAMES, &FEMALE_NAMES), (&MALE_TITLES, &FEMALE_TITLES)] {
            let men: HashSet<_> = words_of(male).into_iter().collect();
            let both: Vec<_> = words_of(female)
                .into_iter()
                .filter(|w| men.contains(w))
                .collect();
            assert!(
                both.is_empty(),
                "{} and {} both hold {both:?}: keep each in the list of its usual gender, or \
                 in neither when it is common for both",
                male.file,
                female.file
            );
        }
    }

    #[test]
    fn names_have_the_gender_of_the_people_who_bear_them() {
        // Liz Truss, Giorgia Meloni, Mette Frederiksen.
        for name in ["Liz", "Giorgia", "Mette"] {
            assert_eq!(gender_of_first_name(name), Some(Gender::Female), "{name}");
        }
        // Common for women and men alike: they fit both "he" and "she".
        for name in ["Alexis", "Jean"] {
            assert_eq!(gender_of_first_name(name), None, "{name}");
        }
    }
}

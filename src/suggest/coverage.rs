//! `brief check --coverage`: a warning (`uncovered-quote`) for every direct quote of an article
//! that the briefing's quote annotations leave (mostly) unmarked.
//!
//! It loads the site on its own, through the same per-article stages as the build, and only
//! adds warnings to the check's report: it must not change what `check` itself reports, nor
//! print.

use std::ops::Range;

use super::Analysis;
use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::markdown::{Article, Rules};
use crate::model::{ArticleText, Briefing};
use crate::{BuildOptions, Report};

/// A quote counts as annotated when quote annotations cover at least this share of its
/// characters: an analyst may leave out a few words ("...") or split it by sentence.
pub const COVERED: f64 = 0.5;

/// What the annotations of a briefing cover: their ranges, sorted and merged, so that the share
/// of a quote they cover is found by bisection (an article may have thousands of both).
pub struct Covered(Vec<Range<usize>>);

/// `ranges` sorted, with those that overlap or touch joined into one.
pub fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

impl Covered {
    pub fn new(mut ranges: Vec<Range<usize>>) -> Covered {
        ranges.retain(|r| !r.is_empty());
        Covered(merged(ranges))
    }

    /// How many bytes of `r` the ranges cover.
    fn inside(&self, r: &Range<usize>) -> usize {
        let from = self.0.partition_point(|c| c.end <= r.start);
        self.0[from..]
            .iter()
            .take_while(|c| c.start < r.end)
            .map(|c| c.end.min(r.end) - c.start.max(r.start))
            .sum()
    }

    /// The share of the characters of `ranges` that fall inside the covered ranges.
    pub fn share(&self, ranges: &[Range<usize>]) -> f64 {
        let total: usize = ranges.iter().map(Range::len).sum();
        if total == 0 {
            return 1.0;
        }
        let inside: usize = ranges.iter().map(|r| self.inside(r)).sum();
        inside as f64 / total as f64
    }
}

/// Adds an `uncovered-quote` warning to `report` for each direct quote no annotation covers,
/// in every briefing of the site (drafts included) that anchors without errors.
pub fn add_coverage(opts: &BuildOptions, report: &mut Report) {
    let mut scratch = Diagnostics::default();
    let Some(shared) = crate::engine::Inputs::load(opts, &mut scratch) else {
        return;
    };
    let mut diags = Diagnostics::default();
    let files = crate::load::find_files(&opts.root, &mut diags);
    let allow_html = shared.config.allow_raw_html;
    let mut warnings = Diagnostics::default();
    let mut texts = Vec::new();
    for f in &files.articles {
        let unit = crate::engine::Unit::load(&opts.root, f, &shared.registries, true);
        let (Some(b), Some(text)) = (unit.briefing.as_ref(), unit.text.as_ref()) else {
            continue;
        };
        // A briefing whose annotations do not anchor has errors enough already.
        let Ok(processed) = crate::article::process(b, text, allow_html) else {
            continue;
        };
        let covered = Covered::new(
            b.annotations
                .iter()
                .zip(&processed.anchors)
                .filter(|(a, _)| a.is_quote())
                .flat_map(|(_, r)| r.iter().cloned())
                .collect(),
        );
        let before = warnings.0.len();
        uncovered(b, text, allow_html, &covered, &mut warnings);
        if warnings.0.len() > before {
            texts.extend(unit.sources.iter().cloned());
        }
    }
    report.diagnostics.extend(warnings);
    report.keep_sources(texts.iter());
    report.diagnostics = std::mem::take(&mut report.diagnostics).sorted();
}

fn uncovered(
    b: &Briefing,
    text: &ArticleText,
    allow_html: bool,
    covered: &Covered,
    out: &mut Diagnostics,
) {
    let analysis = Analysis::new(text.body(), allow_html);
    let rules = Rules {
        allow_raw_html: allow_html,
        ..Rules::default()
    };
    let article = Article::parse(text.body(), rules);
    let file = b
        .annotations_path
        .clone()
        .unwrap_or_else(|| b.path.with_extension("yaml"));
    for (raw_start, ranges) in analysis.quote_ranges() {
        if covered.share(&ranges) >= COVERED {
            continue;
        }
        let first = &analysis.reader.folded.text[ranges[0].clone()];
        let words: Vec<&str> = first.split_whitespace().take(8).collect();
        let ellipsis = if first.split_whitespace().count() > 8 {
            " ..."
        } else {
            ""
        };
        let pos = source_pos(text, &article, &analysis.reader.text, raw_start);
        out.push(
            Diagnostic::warning(
                "uncovered-quote",
                format!("the direct quote \"{}{ellipsis}\" has no quote annotation", words.join(" ")),
            )
            .at(&b.path, Some(pos))
            .help(format!(
                "annotate it in {} (`brief suggest --merge {}` adds the quotes it lacks), or ignore this if it is not a quote",
                crate::diag::display_path(&file),
                crate::diag::display_path(&b.path)
            )),
        );
    }
}

/// The line and column in the article file where the quote starting at reader byte `raw`
/// is written.
fn source_pos(text: &ArticleText, article: &Article, reader: &str, raw: usize) -> Pos {
    let (offset, extra) = article.source_line_offset(raw);
    let line = Pos::of_offset(&text.text, text.body_start + offset).line + extra;
    let probe: String = reader[raw..].chars().take(16).collect();
    let probe = probe.split('\n').next().unwrap_or("");
    let column = line_text(&text.text, line)
        .and_then(|l| l.find(probe).map(|i| l[..i].chars().count() + 1))
        .unwrap_or(1);
    Pos::new(line, column).with_len(probe.chars().count())
}

fn line_text(text: &str, line: usize) -> Option<&str> {
    text.lines().nth(line.checked_sub(1)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The share of `ranges` that `covered` covers; ranges as (start, end) pairs.
    fn share(ranges: &[(usize, usize)], covered: &[(usize, usize)]) -> f64 {
        let r = |v: &[(usize, usize)]| v.iter().map(|&(a, b)| a..b).collect::<Vec<_>>();
        Covered::new(r(covered)).share(&r(ranges))
    }

    #[test]
    fn shares_count_characters_inside_the_covered_ranges() {
        assert_eq!(share(&[(0, 10)], &[(0, 5)]), 0.5);
        assert_eq!(share(&[(0, 4), (10, 14)], &[(0, 4), (12, 20)]), 0.75);
        assert_eq!(share(&[(0, 4)], &[]), 0.0);
        // Overlapping and unsorted annotations count each character once.
        assert_eq!(share(&[(0, 10)], &[(6, 8), (0, 3), (2, 5), (7, 9)]), 0.8);
    }
}

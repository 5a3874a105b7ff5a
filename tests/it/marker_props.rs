//! Property tests for the marker: whatever the spans, the HTML is well-formed and the text
//! under each annotation's elements is exactly that annotation's text.

use std::collections::BTreeMap;

use brief::mark::{Span, Tags, mark_run};
use proptest::prelude::*;

/// Writes `<mark data-ann="N">` so the checker below can read ids back.
struct Numbered;
impl Tags for Numbered {
    fn open(&mut self, ann: u32, out: &mut String) {
        out.push_str(&format!("<mark data-ann=\"{ann}\">"));
    }
    fn close(&mut self, _: u32, out: &mut String) {
        out.push_str("</mark>");
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Walks the marker's output: checks nesting, and collects per annotation the text under its
/// elements, in document order.
fn text_per_annotation(html: &str) -> Result<BTreeMap<u32, String>, String> {
    let mut stack: Vec<u32> = Vec::new();
    let mut texts: BTreeMap<u32, String> = BTreeMap::new();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<mark data-ann=\"") {
            let end = after.find("\">").ok_or("unterminated open tag")?;
            let ann: u32 = after[..end].parse().map_err(|_| "bad id")?;
            stack.push(ann);
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("</mark>") {
            stack.pop().ok_or("close without open")?;
            rest = after;
        } else {
            if rest.starts_with('<') {
                return Err(format!("unexpected raw `<` at {rest:?}"));
            }
            let end = rest.find('<').unwrap_or(rest.len());
            let text = unescape(&rest[..end]);
            for ann in &stack {
                texts.entry(*ann).or_default().push_str(&text);
            }
            rest = &rest[end..];
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed marks: {stack:?}"));
    }
    Ok(texts)
}

/// Text with the characters that need escaping and some multi-byte ones.
fn text_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('b'),
            Just(' '),
            Just('<'),
            Just('&'),
            Just('"'),
            Just('\''),
            Just('é'),
            Just('\u{201C}'),
        ],
        0..40,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn marks_are_well_formed_and_cover_exactly_their_span(
        text in text_strategy(),
        raw_spans in proptest::collection::vec((0usize..64, 0usize..64), 0..8),
    ) {
        // Snap random offsets to character boundaries of the text.
        let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let spans: Vec<Span> = raw_spans
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| {
                let (a, b) = (bounds[a % bounds.len()], bounds[b % bounds.len()]);
                Span { range: a.min(b)..a.max(b), ann: i as u32 }
            })
            .collect();
        let mut html = String::new();
        mark_run(&text, &spans, &mut Numbered, &mut html);
        let texts = text_per_annotation(&html).map_err(|e| TestCaseError::fail(format!("{e} in {html}")))?;

        // All the text is there once, in order.
        let all = unescape(&html.replace("</mark>", "").split("<mark").map(|p| p.split_once("\">").map_or(p, |(_, t)| t)).collect::<String>());
        prop_assert_eq!(&all, &text);
        for s in &spans {
            let want = &text[s.range.clone()];
            let got = texts.get(&s.ann).map(String::as_str).unwrap_or("");
            prop_assert_eq!(got, want, "annotation {} in {}", s.ann, html);
        }
    }
}

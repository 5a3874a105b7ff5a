//! Tests of the test helpers themselves (tests/common): the folding, the HTML tokenizer, the
//! well-formedness check and the data-ann contract checker. A checker that cannot fail proves
//! nothing, so each one is shown both accepting a good page and rejecting bad ones. These tests
//! do not run the binary.

use crate::common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use common::*;

#[test]
fn fold_follows_format_md() {
    assert_eq!(
        fold("  \u{201C}Don\u{2019}t\u{201D}\u{2014}it\u{2013}was\u{2026}\n\n  \t ok "),
        "\"Don't\"-it-was... ok"
    );
    assert_eq!(fold("\u{2018}a\u{2019}  b\u{a0}c"), "'a' b c");
    assert_eq!(fold("Case Stays"), "Case Stays");
    assert_eq!(fold_no_ws(" a b\n c "), "abc");
}

#[test]
fn entities_are_decoded() {
    assert_eq!(
        decode_entities("&amp;&lt;&gt;&quot;&#39;&#x27;&nbsp;&#8212;&#X2026;&rsquo;"),
        "&<>\"''\u{a0}\u{2014}\u{2026}\u{2019}"
    );
    // A bare ampersand, or an unknown name, stays as written.
    assert_eq!(
        decode_entities("AT&T & co &bogus; &"),
        "AT&T & co &bogus; &"
    );
}

#[test]
fn tokenizer_reads_attributes_comments_doctype_and_raw_text() {
    let html = "<!DOCTYPE html><!-- <p> not a tag --><p class=\"a b\" data-ann='x y' hidden \
                id=z title=\"&quot;q&quot;\">t&amp;t<br><img src=\"a.png\"/></p>\
                <script>if (a < b) { document.write('</p>') }</script><style>p>a{}</style>";
    let tokens: Vec<Token> = tokenize(html)
        .unwrap()
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(tokens[0], Token::Doctype("DOCTYPE html".into()));
    assert_eq!(tokens[1], Token::Comment(" <p> not a tag ".into()));
    let p = &tokens[2];
    assert_eq!(p.attr("class"), Some("a b"));
    assert_eq!(p.attr("data-ann"), Some("x y"));
    assert_eq!(p.attr("hidden"), Some(""));
    assert_eq!(p.attr("id"), Some("z"));
    assert_eq!(p.attr("title"), Some("\"q\""));
    assert_eq!(tokens[3], Token::Text("t&t".into()));
    assert!(matches!(&tokens[4], Token::Start { name, .. } if name == "br"));
    assert!(matches!(&tokens[5], Token::Start { name, self_closing: true, .. } if name == "img"));
    assert_eq!(
        tokens[8],
        Token::RawText("if (a < b) { document.write('</p>') }".into())
    );
    assert_eq!(tokens[11], Token::RawText("p>a{}".into()));
    assert_well_formed(html);
}

#[test]
fn well_formedness_is_enforced() {
    assert!(well_formed("<html><body><p>a<br>b</p><hr/></body></html>").is_ok());
    for bad in [
        "<div><p>unclosed</div>",
        "<p><em>crossed</p></em>",
        "<p>a</p></p>",
        "<p>a<br></br></p>",
        "<p>3 < 4</p>",
        "<p>never closed",
        "<p class=\"open>",
        "<!-- never closed",
    ] {
        assert!(well_formed(bad).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn marks_collect_nested_and_split_pieces() {
    let html = "<p>x <mark id=\"a\" data-ann=\"a\">one <mark id=\"b\" data-ann=\"a b\">two\
                </mark></mark><mark data-ann=\"b\"> three</mark></p>\
                <p><mark data-ann=\"b\">four</mark></p>";
    let marks = read_marks(html).unwrap();
    assert_eq!(marks.text["a"], "one two");
    // Text nodes are joined as they are: the block boundary adds no space (the contract
    // compares without white space for that reason).
    assert_eq!(marks.text["b"], "two threefour");
    assert_eq!(marks.first_piece["a"], 0);
    assert_eq!(marks.first_piece["b"], 1);
    assert_eq!(marks.ids["b"], vec![(Some("a b".to_string()), Some(1))]);
}

/// A one-briefing site whose annotations the hand-written pages below must honour.
fn contract_site() -> tempfile::TempDir {
    site(&[
        ("brief.yaml", CONFIG),
        (
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\n---\nSaid \u{201C}yes\u{201D} twice.\n",
        ),
        (
            "content/a.yaml",
            &lines(&[
                "quotes:",
                "  - text: '\"yes\" twice'",
                "    speaker: x",
                "  - id: split",
                "    parts: [Said, twice]",
                "    speaker: x",
                "highlights:",
                "  - text: 'yes'",
            ]),
        ),
        (
            "content/draft.md",
            "---\ntitle: D\ndate: 2024-01-01\ndraft: true\n---\nNo.\n",
        ),
    ])
}

/// Runs the contract checker against `page` as briefings/a/index.html.
fn contract_on(page: &str) -> Result<usize, String> {
    let site = contract_site();
    let out = tempfile::tempdir().unwrap();
    write_files(out.path(), &[("briefings/a/index.html", page)]);
    catch_unwind(AssertUnwindSafe(|| {
        check_data_ann_contract_with(site.path(), out.path(), false)
    }))
    .map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| "panic".into())
    })
}

const GOOD_PAGE: &str = "<!doctype html><html><body><p>\
    <span id=\"split\" data-ann=\"split\">Said</span> \
    <span id=\"q1\" data-ann=\"q1\">&ldquo;<span id=\"h1\" data-ann=\"q1 h1\">yes</span>&rdquo; \
    <span data-ann=\"split\">twice</span></span>.</p></body></html>";

#[test]
fn contract_checker_accepts_a_page_that_honours_it() {
    assert_eq!(contract_on(GOOD_PAGE), Ok(3));
}

#[test]
fn contract_checker_rejects_pages_that_break_it() {
    let cases = [
        // The note's text inside the mark: more than the quote.
        (
            GOOD_PAGE.replace("twice</span></span>", "twice</span> (note)</span>"),
            "q1",
        ),
        // The id on a later piece rather than the first.
        (
            GOOD_PAGE
                .replace(
                    "<span data-ann=\"split\">twice",
                    "<span id=\"split\" data-ann=\"split\">twice",
                )
                .replace(
                    "<span id=\"split\" data-ann=\"split\">Said",
                    "<span data-ann=\"split\">Said",
                ),
            "split",
        ),
        // No element with the id.
        (GOOD_PAGE.replace("id=\"h1\" ", ""), "h1"),
        // The id twice.
        (GOOD_PAGE.replace("<p>", "<p><a id=\"q1\"></a>"), "q1"),
        // An id no annotation has.
        (
            GOOD_PAGE.replace("data-ann=\"q1 h1\"", "data-ann=\"q1 h1 h9\""),
            "h9",
        ),
        // Not well-formed.
        (GOOD_PAGE.replace("</p>", ""), "well-formed"),
    ];
    for (page, needle) in cases {
        let err = contract_on(&page).expect_err(&page);
        assert!(err.contains(needle), "expected {needle:?} in {err}");
    }
}

#[test]
fn briefings_are_read_independently_of_the_crate() {
    let site = contract_site();
    let all = briefings(site.path());
    assert_eq!(
        all.iter().map(|b| (&*b.slug, b.draft)).collect::<Vec<_>>(),
        [("a", false), ("draft", true)]
    );
    let ids: Vec<String> = all[0].annotations().into_iter().map(|a| a.id).collect();
    assert_eq!(ids, ["q1", "split", "h1"]);
    assert_eq!(all[0].annotations()[1].expected, "Said twice");
    assert!(
        expected_outputs(site.path(), false).contains(&"briefings/a/annotations.jsonld".into())
    );
    assert!(!expected_outputs(site.path(), false).contains(&"briefings/draft/index.html".into()));
    assert!(expected_outputs(site.path(), true).contains(&"briefings/draft/index.html".into()));
    assert!(
        fixture("markdown").starts_with(Path::new(env!("CARGO_MANIFEST_DIR"))),
        "fixtures live in the repository"
    );
}

#[test]
fn jsonld_checker_accepts_items_and_rejects_missing_ones() {
    let site = contract_site();
    let briefing = briefings(site.path()).remove(0);
    let out = tempfile::tempdir().unwrap();
    let item = |exact: &str| {
        serde_json::json!({
            "type": "Annotation",
            "target": {"selector": [
                {"type": "TextQuoteSelector", "exact": exact, "prefix": "", "suffix": ""},
                {"type": "TextPositionSelector", "start": 0, "end": 1}
            ]}
        })
    };
    let good = serde_json::json!({
        "type": "AnnotationCollection",
        "first": {"items": [item("\u{201C}yes\u{201D} twice"), item("Said"), item("yes")]}
    });
    write_files(
        out.path(),
        &[("briefings/a/annotations.jsonld", &good.to_string())],
    );
    check_annotations_jsonld(out.path(), &briefing);

    let bad = serde_json::json!({"type": "AnnotationCollection", "items": [item("yes")]});
    write_files(
        out.path(),
        &[("briefings/a/annotations.jsonld", &bad.to_string())],
    );
    let result = catch_unwind(AssertUnwindSafe(|| {
        check_annotations_jsonld(out.path(), &briefing)
    }));
    assert!(result.is_err(), "a collection missing items was accepted");
}

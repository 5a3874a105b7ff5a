//! The question page's "who moved, who held": the editor's `shift:` wins over wording.

use crate::common;

fn site(second_stance: &str, second_shift: &str) -> tempfile::TempDir {
    let article = |date: &str| {
        format!(
            "---\ntitle: On {date}\ndate: {date}\n---\nThe minister said the plan stands firm today.\n"
        )
    };
    common::site(&[
        ("brief.yaml", "title: T\nbase_url: https://example.org/\n"),
        ("content/speakers.yaml", "minister:\n  name: The Minister\n"),
        (
            "content/questions.yaml",
            "plan:\n  title: Will the plan stand?\n",
        ),
        ("content/a.md", &article("2024-01-01")),
        (
            "content/a.yaml",
            "quotes:\n  - text: the plan stands firm today\n    speaker: minister\npositions:\n  - question: plan\n    speaker: minister\n    stance: The plan stands.\n",
        ),
        ("content/b.md", &article("2024-02-01")),
        (
            "content/b.yaml",
            &format!(
                "quotes:\n  - text: the plan stands firm today\n    speaker: minister\npositions:\n  - question: plan\n    speaker: minister\n    stance: {second_stance}\n{second_shift}"
            ),
        ),
    ])
}

fn who_moved(stance: &str, shift: &str) -> String {
    let s = site(stance, shift);
    let out = s.path().join("out");
    common::build_ok(s.path(), &out, &[]);
    let page = std::fs::read_to_string(out.join("questions/plan/index.html")).unwrap();
    let start = page
        .find("Who moved, who held")
        .expect("the section is there");
    page[start..]
        .split("</section>")
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn a_new_wording_counts_as_a_move_unless_the_editor_says_held() {
    let reworded = "Still standing, in other words.";
    assert!(who_moved(reworded, "").contains("move-moved"));
    let held = who_moved(reworded, "    shift: held\n");
    assert!(!held.contains("move-moved"), "{held}");
    assert!(held.contains("move-held"), "{held}");
}

#[test]
fn the_editor_can_say_moved_for_the_same_wording_too() {
    let same = "The plan stands.";
    assert!(!who_moved(same, "").contains("move-moved"));
    assert!(who_moved(same, "    shift: moved\n").contains("move-moved"));
}

/// A position is styled as its speaker is on the page showing it: on the briefing page by
/// the speaker's quotes there, on the question page by who took a position on it first.
#[test]
fn a_position_takes_its_speakers_style_on_each_page() {
    let s = common::site(&[
        ("brief.yaml", "title: T\nbase_url: https://example.org/\n"),
        (
            "content/speakers.yaml",
            "anna:\n  name: Anna A\nboris:\n  name: Boris B\ncarl:\n  name: Carl C\n",
        ),
        (
            "content/questions.yaml",
            "plan:\n  title: Will the plan stand?\n",
        ),
        (
            "content/a.md",
            "---\ntitle: A\ndate: 2024-01-01\n---\nAnna said one thing. Boris said another thing.\n",
        ),
        (
            "content/a.yaml",
            "quotes:\n  - text: one thing\n    speaker: anna\n  - text: another thing\n    speaker: boris\npositions:\n  - question: plan\n    speaker: boris\n    stance: It stands.\n  - question: plan\n    speaker: carl\n    stance: It falls.\n",
        ),
    ]);
    let out = s.path().join("out");
    common::build_ok(s.path(), &out, &[]);
    let read = |page: &str| std::fs::read_to_string(out.join(page)).unwrap();
    let briefing = read("briefings/a/index.html");
    let positions: Vec<&str> = briefing
        .match_indices("<li class=\"pos")
        .map(|(i, _)| &briefing[i..i + briefing[i..].find('>').unwrap()])
        .collect();
    // Boris is the second speaker quoted here; Carl is quoted nowhere on the page.
    assert_eq!(positions, ["<li class=\"pos sp-2\"", "<li class=\"pos\""]);
    let question = read("questions/plan/index.html");
    let timeline = &question[question.find("positions-t").expect("the timeline")..];
    let slots: Vec<&str> = timeline
        .match_indices("<li class=\"sp-")
        .map(|(i, _)| &timeline[i..i + 17])
        .collect();
    // On the question page Boris took the first position, Carl the second.
    assert_eq!(slots, ["<li class=\"sp-1\">", "<li class=\"sp-2\">"]);
}

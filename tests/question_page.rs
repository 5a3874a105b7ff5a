//! The question page's "who moved, who held": the editor's `shift:` wins over wording.

mod common;

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

//! The output folder across builds: a build writes into the spare folder the previous build
//! left (`.<name>.brief-spare`), overwriting it in place; whatever the spare held, the
//! output must be exactly what a build into a new folder makes.

mod common;

use std::fs;
use std::path::Path;

use common::*;

fn briefing(title: &str, date: &str, text: &str) -> String {
    format!("---\ntitle: {title}\ndate: {date}\n---\n{text}\n")
}

/// Builds `root` into `out` and into a new folder, and asserts both hold the same files.
fn assert_like_a_fresh_build(root: &Path, out: &Path, what: &str) {
    build_ok(root, out, &[]);
    let fresh = tempfile::tempdir().unwrap();
    let fresh_out = fresh.path().join("public");
    build_ok(root, &fresh_out, &[]);
    assert_same_snapshot(&snapshot(&fresh_out), &snapshot(out), what);
}

fn remove(root: &Path, rel: &str) {
    let path = root.join(rel);
    if path.is_dir() {
        fs::remove_dir_all(path).unwrap();
    } else {
        fs::remove_file(path).unwrap();
    }
}

#[test]
fn rebuilds_into_the_spare_equal_a_fresh_build() {
    let root = site(&[
        ("brief.yaml", CONFIG),
        ("content/a.md", &briefing("A", "2024-01-01", "Alpha text.")),
        (
            "content/b/index.md",
            &briefing("B", "2024-01-02", "Beta text ![map](map.txt)."),
        ),
        ("content/b/map.txt", "a map"),
        ("static/docs/readme.txt", "docs as a folder"),
    ]);
    let (root, out) = (root.path(), root.path().join("public"));
    let spare = root.join(".public.brief-spare");

    // 1: a new output folder; no spare yet.
    assert_like_a_fresh_build(root, &out, "first build");
    // 2: the first output becomes the spare.
    assert_like_a_fresh_build(root, &out, "same site again");
    assert!(spare.is_dir(), "the replaced output is kept as the spare");

    // 3: a briefing and its asset gone, one added, a folder of the spare now a file.
    remove(root, "content/b");
    remove(root, "static/docs");
    write_files(
        root,
        &[
            ("content/c.md", &briefing("C", "2024-01-03", "Gamma text.")),
            ("static/docs", "docs as a file"),
        ],
    );
    assert_like_a_fresh_build(root, &out, "briefing removed, folder now a file");
    assert!(!out.join("briefings/b").exists());

    // 4 and 5: `docs` a folder again. Build 4 writes into build 2's output (a folder there
    // too); build 5 into build 3's, where `docs` is a file.
    remove(root, "static/docs");
    write_files(
        root,
        &[("static/docs/readme.txt", "docs as a folder again")],
    );
    assert_like_a_fresh_build(root, &out, "file now a folder");
    assert_like_a_fresh_build(root, &out, "file of the spare now a folder");

    // Nothing but the output and its spare beside the site's own files.
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".public.brief-spare",
            "brief.yaml",
            "content",
            "public",
            "static"
        ]
    );
}

#[test]
fn a_failed_build_keeps_the_output_and_the_next_one_recovers() {
    let root = site(&[
        ("brief.yaml", CONFIG),
        ("content/a.md", &briefing("A", "2024-01-01", "Alpha.")),
    ]);
    let (root, out) = (root.path(), root.path().join("public"));
    build_ok(root, &out, &[]);
    build_ok(root, &out, &[]);
    let before = snapshot(&out);

    // The spare is written into before the error is known (a link is checked last).
    write_files(
        root,
        &[(
            "content/b.md",
            &briefing("B", "2024-01-02", "See [nothing](../missing/)."),
        )],
    );
    build(root, &out, &[]).assert_code(1);
    assert_same_snapshot(&before, &snapshot(&out), "output after a failed build");

    remove(root, "content/b.md");
    write_files(
        root,
        &[("content/c.md", &briefing("C", "2024-01-03", "Gamma."))],
    );
    assert_like_a_fresh_build(root, &out, "build after a failed one");
}

//! The output folder across builds: a build writes into the spare folder the previous build
//! left (`.<name>.brief-spare`), overwriting it in place; whatever the spare held, the
//! output must be exactly what a build into a new folder makes. And brief replaces, reuses
//! or deletes only folders it provably wrote: whatever links or folders stand in the way,
//! nothing of anyone else's is lost.

use crate::common;

use std::fs;
use std::os::unix::fs::symlink;
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
            ".public.brief-lock",
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

/// A site whose build succeeds, in `dir/site`, with an outside folder `dir/victim` holding
/// someone's files.
fn site_and_victim() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (root, victim) = (dir.path().join("site"), dir.path().join("victim"));
    write_files(
        &root,
        &[
            ("brief.yaml", CONFIG),
            (".gitignore", "public/\n"),
            ("content/a.md", &briefing("A", "2024-01-01", "Alpha.")),
        ],
    );
    write_files(
        &victim,
        &[
            ("thesis.txt", "four years of work"),
            ("index.html", "<p>mine</p>"),
        ],
    );
    (dir, root, victim)
}

/// Asserts the error code of a run that must fail, and that it printed `words`.
#[track_caller]
fn refused(run: &Run, code: &str, words: &str) {
    run.assert_code(1);
    assert!(
        run.stderr.contains(&format!("error[{code}]")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(words), "{}", run.stderr);
}

#[track_caller]
fn untouched(victim: &Path) {
    assert_eq!(
        fs::read_to_string(victim.join("thesis.txt")).unwrap(),
        "four years of work"
    );
    assert_eq!(
        fs::read_to_string(victim.join("index.html")).unwrap(),
        "<p>mine</p>"
    );
    assert_eq!(
        fs::read_dir(victim).unwrap().count(),
        2,
        "nothing added to {}",
        victim.display()
    );
}

#[test]
fn a_spare_that_is_a_link_is_never_followed() {
    let (_dir, root, victim) = site_and_victim();
    let out = root.join("public");
    symlink(&victim, root.join(".public.brief-spare")).unwrap();
    refused(&build(&root, &out, &[]), "foreign-spare", "symbolic link");
    untouched(&victim);
    assert!(!out.exists());
    // Twice, with an output in place: still nothing is followed.
    fs::remove_file(root.join(".public.brief-spare")).unwrap();
    build_ok(&root, &out, &[]);
    fs::remove_dir_all(root.join(".public.brief-spare")).ok();
    symlink(&victim, root.join(".public.brief-spare")).unwrap();
    refused(&build(&root, &out, &[]), "foreign-spare", "symbolic link");
    untouched(&victim);
    // --force removes the link itself, never what it leads to.
    build_ok(&root, &out, &["--force"]);
    untouched(&victim);
    assert!(!fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
    assert!(out.join("index.html").is_file());
}

#[test]
fn a_spare_that_links_to_the_site_itself_deletes_nothing() {
    let (_dir, root, _victim) = site_and_victim();
    symlink(".", root.join(".public.brief-spare")).unwrap();
    refused(
        &build(&root, &root.join("public"), &[]),
        "foreign-spare",
        "symbolic link",
    );
    for f in ["brief.yaml", ".gitignore", "content/a.md"] {
        assert!(root.join(f).is_file(), "{f} is gone");
    }
    assert!(
        !root.join("index.html").exists(),
        "output files in the site root"
    );
}

#[test]
fn a_spare_folder_holding_someones_files_is_refused() {
    let (_dir, root, _victim) = site_and_victim();
    write_files(&root, &[(".public.brief-spare/notes.txt", "mine")]);
    refused(
        &build(&root, &root.join("public"), &[]),
        "foreign-spare",
        "did not write",
    );
    assert_eq!(
        fs::read_to_string(root.join(".public.brief-spare/notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn an_output_folder_brief_did_not_write_is_refused_until_forced() {
    let (_dir, root, victim) = site_and_victim();
    // `docs/` with someone's index.html: an earlier output only in looks.
    refused(&build(&root, &victim, &[]), "foreign-output", "--force");
    refused(&build(&root, &victim, &[]), "foreign-output", "--force");
    untouched(&victim);
    assert!(fs::read_dir(victim.parent().unwrap()).unwrap().all(|e| {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        !name.contains("brief-spare") && !name.contains("brief-staging")
    }));
    // --force replaces it: the folder's own files are gone, the new output is there.
    build_ok(&root, &victim, &["--force"]);
    assert!(!victim.join("thesis.txt").exists());
    assert!(victim.join("briefings/a/index.html").is_file());
    // From then on it is brief's: no --force needed.
    build_ok(&root, &victim, &[]);
}

#[test]
fn an_empty_folder_may_be_the_output() {
    let (_dir, root, _victim) = site_and_victim();
    let out = root.join("public");
    fs::create_dir(&out).unwrap();
    build_ok(&root, &out, &[]);
    build_ok(&root, &out, &[]);
    assert!(out.join("index.html").is_file());
}

#[test]
fn an_output_named_through_a_link_is_resolved_before_it_is_compared_with_the_site() {
    let (dir, root, _victim) = site_and_victim();
    // `up` leads to the folder holding the site: the output would hold the site.
    symlink(dir.path(), root.join("up")).unwrap();
    let run = build(&root, &root.join("up"), &[]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("error[output-is-a-link]"),
        "{}",
        run.stderr
    );
    // A link in the path's middle: `here/content` is the site's content/ folder.
    symlink(&root, dir.path().join("here")).unwrap();
    refused(
        &build(&root, &dir.path().join("here/content"), &[]),
        "bad-output-dir",
        "content/",
    );
    refused(
        &build(&root, &dir.path().join("here/."), &[]),
        "output-is-a-link",
        "symbolic link",
    );
    refused(
        &build(&root, &root.join("up/site"), &[]),
        "bad-output-dir",
        "site root",
    );
    // `here/public` is the site's own public/: allowed, and written there.
    build_ok(&root, &dir.path().join("here/public"), &[]);
    build_ok(&root, &dir.path().join("here/public"), &[]);
    assert!(root.join("public/index.html").is_file());
    for f in ["brief.yaml", "content/a.md"] {
        assert!(root.join(f).is_file(), "{f} is gone");
    }
}

#[test]
fn an_output_folder_that_is_a_link_is_refused_and_its_target_kept() {
    let (_dir, root, victim) = site_and_victim();
    symlink(&victim, root.join("public")).unwrap();
    let run = build(&root, &root.join("public"), &["--force"]);
    refused(&run, "output-is-a-link", "symbolic link");
    untouched(&victim);
}

#[test]
fn a_forged_spare_cannot_lead_writes_out_through_its_links() {
    let (_dir, root, victim) = site_and_victim();
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    build_ok(&root, &out, &[]);
    // A spare, marked as brief's, whose files and folders are links out of the site.
    let spare = root.join(".public.brief-spare");
    fs::remove_file(spare.join("index.html")).unwrap();
    symlink(victim.join("index.html"), spare.join("index.html")).unwrap();
    fs::remove_dir_all(spare.join("briefings")).unwrap();
    symlink(&victim, spare.join("briefings")).unwrap();
    build_ok(&root, &out, &[]);
    untouched(&victim);
    assert!(out.join("briefings/a/index.html").is_file());
}

#[test]
fn leftovers_of_killed_builds_are_removed_only_when_they_are_briefs() {
    let (_dir, root, _victim) = site_and_victim();
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    // A killed build's staging folder (marked), and someone's folder with a like name.
    let ours = root.join(".public.brief-staging-1-0");
    fs::create_dir(&ours).unwrap();
    fs::copy(out.join(".brief-output"), ours.join(".brief-output")).unwrap();
    write_files(&root, &[(".public.brief-staging-2-0/mine.txt", "mine")]);
    build_ok(&root, &out, &[]);
    assert!(!ours.exists());
    assert_eq!(
        fs::read_to_string(root.join(".public.brief-staging-2-0/mine.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_second_build_into_the_same_output_waits_for_none_and_says_so() {
    let (_dir, root, _victim) = site_and_victim();
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    let before = snapshot(&out);
    // Another build holds the lock (as `brief build` does from start to end).
    let lock = fs::File::create(root.join(".public.brief-lock")).unwrap();
    lock.lock().unwrap();
    refused(
        &build(&root, &out, &[]),
        "output-locked",
        "another build is writing",
    );
    assert_same_snapshot(&before, &snapshot(&out), "output while locked");
    drop(lock);
    build_ok(&root, &out, &[]);
}

#[test]
fn a_site_file_named_like_the_marker_does_not_take_its_place() {
    let (_dir, root, _victim) = site_and_victim();
    write_files(&root, &[("static/.brief-output", "not brief's")]);
    let out = root.join("public");
    build_ok(&root, &out, &[]);
    assert!(
        fs::read_to_string(out.join(".brief-output"))
            .unwrap()
            .starts_with("brief-output: 1\n")
    );
    build_ok(&root, &out, &[]);
}

//! Incremental rebuilds: after every edit, the workspace's pages must be exactly what a fresh
//! full build of the same files gives, and an edit must not re-render unrelated briefings.

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};

use brief::serve::site::Served as Workspace;
use brief::{BuildOptions, config::Overrides};

/// A copy of the repository's sample site in a temporary folder.
fn sample_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(repo.join("brief.yaml"), dir.path().join("brief.yaml")).unwrap();
    common::copy_dir(&repo.join("content"), &dir.path().join("content"));
    dir
}

fn opts(root: &Path) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        overrides: Overrides::default(),
        drafts: false,
        write: false,
        force: false,
    }
}

fn snapshot(ws: &Workspace) -> Vec<(PathBuf, Vec<u8>)> {
    ws.pages().map(|(p, b)| (p.clone(), b.to_vec())).collect()
}

/// The workspace must agree with a fresh one built from the same files.
fn assert_same_as_fresh(ws: &Workspace, root: &Path, step: &str) {
    let mut fresh = Workspace::new(opts(root));
    let update = fresh.rebuild();
    assert!(!update.report.failed(), "{step}: fresh build failed");
    let (a, b) = (snapshot(ws), snapshot(&fresh));
    let paths_a: Vec<&PathBuf> = a.iter().map(|(p, _)| p).collect();
    let paths_b: Vec<&PathBuf> = b.iter().map(|(p, _)| p).collect();
    assert_eq!(paths_a, paths_b, "{step}: different sets of pages");
    for ((p, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{step}: {} differs from a fresh build", p.display());
    }
}

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) -> PathBuf {
    let path = root.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    let new = f(text.clone());
    assert_ne!(text, new, "the edit of {rel} changed nothing");
    fs::write(&path, new).unwrap();
    path
}

const SEED_YAML: &str = "content/2023/nato-troops-ukraine.yaml";
const SEED_MD: &str = "content/2023/nato-troops-ukraine.md";

#[test]
fn edits_rebuild_only_what_depends_on_them_and_match_a_full_build() {
    let site = sample_site();
    let root = site.path();
    let mut ws = Workspace::new(opts(root));
    let first = ws.rebuild();
    assert!(!first.report.failed(), "{:?}", first.report.diagnostics);
    assert!(first.full);
    assert_same_as_fresh(&ws, root, "start");

    // A note changes: that briefing's page changes, no other briefing's page does.
    let changed_file = edit(root, SEED_YAML, |t| {
        t.replacen("Sputnik's summary", "Edited: Sputnik's summary", 1)
    });
    let update = ws.apply(&[changed_file]);
    assert!(!update.report.failed(), "{:?}", update.report.diagnostics);
    assert!(!update.full);
    assert!(
        update
            .changed
            .contains(&PathBuf::from("briefings/nato-troops-ukraine/index.html")),
        "{:?}",
        update.changed
    );
    for other in ["vilnius-summit", "nato-ukraine-council", "after-vilnius"] {
        let page = PathBuf::from("briefings").join(other).join("index.html");
        assert!(!update.changed.contains(&page), "{other} re-rendered");
    }
    assert_same_as_fresh(&ws, root, "note edited");

    // A stance changes: the question and speaker pages follow, the lists need not.
    let stance = edit(root, SEED_YAML, |t| {
        t.replacen(
            "stance: A clear possibility",
            "stance: A real possibility",
            1,
        )
    });
    let update = ws.apply(&[stance]);
    assert!(!update.report.failed(), "{:?}", update.report.diagnostics);
    assert!(
        update
            .changed
            .contains(&PathBuf::from("questions/troops-on-the-ground/index.html")),
        "{:?}",
        update.changed
    );
    assert_same_as_fresh(&ws, root, "stance edited");

    // A local speaker is renamed in the folder briefing that defines it.
    let local = edit(root, "content/2023/vilnius-summit/index.yaml", |t| {
        t.replacen(
            "name: A senior Polish diplomat",
            "name: A Polish diplomat",
            1,
        )
    });
    let update = ws.apply(&[local]);
    assert!(!update.report.failed(), "{:?}", update.report.diagnostics);
    assert!(
        update
            .changed
            .contains(&PathBuf::from("speakers/polish-diplomat/index.html"))
    );
    assert_same_as_fresh(&ws, root, "local speaker renamed");

    // The article's words change (a quote stays where it is): the page and the feed follow.
    let words = edit(root, SEED_MD, |t| {
        t.replacen("Wednesday", "on Wednesday", 1)
    });
    let update = ws.apply(&[words]);
    assert!(!update.report.failed(), "{:?}", update.report.diagnostics);
    assert_same_as_fresh(&ws, root, "article words edited");

    // A broken annotation: errors are reported and the last good pages are kept.
    let before = snapshot(&ws);
    let broken = edit(root, SEED_YAML, |t| {
        t.replacen("speaker: rasmussen", "speaker: rasmusen", 1)
    });
    let update = ws.apply(std::slice::from_ref(&broken));
    assert!(update.report.failed());
    assert!(
        update
            .report
            .diagnostics
            .iter()
            .any(|d| d.code == "unknown-speaker")
    );
    assert_eq!(
        snapshot(&ws),
        before,
        "pages changed while the site was broken"
    );

    // Repaired: everything stale is rendered again.
    edit(root, SEED_YAML, |t| {
        t.replacen("speaker: rasmusen", "speaker: rasmussen", 1)
    });
    let update = ws.apply(&[broken]);
    assert!(!update.report.failed(), "{:?}", update.report.diagnostics);
    assert_same_as_fresh(&ws, root, "repaired");

    // The article's title changes: index and speaker pages follow.
    let md = edit(root, SEED_MD, |t| {
        t.replacen("title: ", "title: Updated ", 1)
    });
    let update = ws.apply(&[md]);
    assert!(
        update.changed.contains(&PathBuf::from("index.html")),
        "{:?} {:?}",
        update.changed,
        update.report.diagnostics
    );
    assert!(
        update
            .changed
            .contains(&PathBuf::from("speakers/rasmussen/index.html"))
    );
    assert_same_as_fresh(&ws, root, "title edited");

    // The date changes so that the briefing moves in the order: the site is assembled again
    // (the last assembled site is reused only while slug, date, locals and uses stay).
    let moved = edit(root, SEED_MD, |t| {
        t.replacen("date: 2023-06-08", "date: 2023-07-20", 1)
    });
    let update = ws.apply(&[moved]);
    assert!(!update.report.failed(), "{:?}", update.report.diagnostics);
    assert!(update.changed.contains(&PathBuf::from("index.html")));
    assert_same_as_fresh(&ws, root, "date edited");

    // The only quotes of a speaker go to another one: the speakers the briefing uses change,
    // and the first one is now unused (a warning a reused site would miss).
    let respoken = edit(root, "content/2023/after-vilnius.yaml", |t| {
        t.replace("speaker: polish-mfa", "speaker: stoltenberg")
    });
    let update = ws.apply(&[respoken]);
    assert!(!update.report.failed(), "{:?}", update.report.diagnostics);
    assert!(
        update
            .report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("polish-mfa")),
        "{:?}",
        update.report.diagnostics
    );
    let mut fresh = Workspace::new(opts(root));
    let fresh_update = fresh.rebuild();
    let codes = |u: &brief::serve::site::Applied| -> Vec<(&'static str, Option<PathBuf>)> {
        u.report
            .diagnostics
            .iter()
            .map(|d| (d.code, d.file.clone()))
            .collect()
    };
    assert_eq!(codes(&update), codes(&fresh_update));
    assert_same_as_fresh(&ws, root, "quote given to another speaker");

    // A new briefing appears, then is deleted again.
    let new_md = root.join("content/2023/new-one.md");
    fs::write(
        &new_md,
        "---\ntitle: New one\ndate: 2023-08-01\n---\nRasmussen said nothing new today at all.\n",
    )
    .unwrap();
    fs::write(
        root.join("content/2023/new-one.yaml"),
        "quotes:\n  - text: nothing new today at all\n    speaker: rasmussen\n    kind: indirect\n",
    )
    .unwrap();
    let update = ws.apply(std::slice::from_ref(&new_md));
    assert!(!update.report.failed(), "{:?}", update.report.diagnostics);
    assert!(
        update
            .changed
            .contains(&PathBuf::from("briefings/new-one/index.html"))
    );
    assert_same_as_fresh(&ws, root, "briefing added");
    fs::remove_file(&new_md).unwrap();
    let update = ws.apply(std::slice::from_ref(&new_md));
    assert!(
        update.report.failed(),
        "an orphan annotations file is an error"
    );
    fs::remove_file(root.join("content/2023/new-one.yaml")).unwrap();
    let update = ws.apply(&[new_md.with_extension("yaml")]);
    assert!(!update.report.failed(), "{:?}", update.report.diagnostics);
    assert!(
        update
            .removed
            .contains(&PathBuf::from("briefings/new-one/index.html"))
    );
    assert_same_as_fresh(&ws, root, "briefing removed");

    // A registry change rebuilds everything.
    let reg = edit(root, "content/speakers.yaml", |t| {
        t.replacen(
            "name: Anders Fogh Rasmussen",
            "name: Anders F. Rasmussen",
            1,
        )
    });
    let update = ws.apply(&[reg]);
    assert!(update.full);
    assert_same_as_fresh(&ws, root, "registry edited");
}

#[test]
fn workspace_pages_equal_the_built_output() {
    let site = sample_site();
    let root = site.path();
    let mut ws = Workspace::new(opts(root));
    assert!(!ws.rebuild().report.failed());
    let out = tempfile::tempdir().unwrap();
    let report = brief::build(&BuildOptions {
        root: root.to_path_buf(),
        overrides: Overrides {
            output_dir: Some(out.path().join("public")),
            base_url: None,
        },
        drafts: false,
        write: true,
        force: false,
    });
    assert!(!report.failed(), "{:?}", report.diagnostics);
    for (path, bytes) in ws.pages() {
        let written = fs::read(out.path().join("public").join(path)).unwrap();
        assert!(written == bytes, "{} differs", path.display());
    }
}

/// The workspace skips a speaker or question page when what the built-in template shows of an
/// edited briefing is unchanged (neither shows the notes of relayed quotes or of quotes on a
/// question). A site's own templates may show them: then those pages must follow the edit.
#[test]
fn pages_of_a_sites_own_templates_follow_edits_the_built_in_ones_do_not_show() {
    let dir = sample_site();
    let root = dir.path();
    let block = |body: &str| {
        format!("{{% extends \"base.html\" %}}{{% block content %}}{body}{{% endblock content %}}")
    };
    fs::create_dir_all(root.join("templates")).unwrap();
    fs::write(
        root.join("templates/speaker.html"),
        block("{% for q in speaker.relayed %}<div>{{ q.note_html | safe }}</div>{% endfor %}"),
    )
    .unwrap();
    fs::write(
        root.join("templates/question.html"),
        block(
            "{% for t in question.timeline %}{% for q in t.quotes %}<div>{{ q.note_html | safe }}</div>{% endfor %}{% endfor %}",
        ),
    )
    .unwrap();
    let mut ws = Workspace::new(opts(root));
    assert!(!ws.rebuild().report.failed());

    // The first quote is relayed by Sputnik and bears on troops-on-the-ground.
    let note = edit(root, SEED_YAML, |t| {
        t.replacen("Sputnik's summary", "Sputnik's own summary", 1)
    });
    let update = ws.apply(&[note]);
    assert!(!update.report.failed(), "{:?}", update.report.diagnostics);
    for page in [
        "speakers/sputnik/index.html",
        "questions/troops-on-the-ground/index.html",
    ] {
        assert!(
            update.changed.contains(&PathBuf::from(page)),
            "{page} not re-rendered: {:?}",
            update.changed
        );
    }
    assert_same_as_fresh(&ws, root, "note shown by the site's own templates");
}

#[test]
fn an_edit_that_puts_script_in_a_briefings_file_is_refused_until_it_is_undone() {
    let plain = "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\"/></svg>\n";
    let root = common::site(&[
        ("brief.yaml", common::CONFIG),
        (
            "content/desk/index.md",
            "---\ntitle: Desk\ndate: 2024-01-01\n---\nSee ![the timeline](timeline.svg).\n",
        ),
        ("content/desk/timeline.svg", plain),
    ]);
    let mut ws = Workspace::new(opts(root.path()));
    let codes = |u: brief::serve::site::Applied| -> Vec<&'static str> {
        u.report.diagnostics.iter().map(|d| d.code).collect()
    };
    assert_eq!(codes(ws.rebuild()), Vec::<&str>::new());
    let svg = edit(root.path(), "content/desk/timeline.svg", |t| {
        t.replace("<rect", "<rect onclick=\"alert(1)\"")
    });
    assert_eq!(
        codes(ws.apply(std::slice::from_ref(&svg))),
        ["active-content"]
    );
    fs::write(&svg, plain).unwrap();
    assert_eq!(codes(ws.apply(&[svg])), Vec::<&str>::new());
    assert_same_as_fresh(&ws, root.path(), "the script removed again");
}

//! Symbolic links: followed inside the site, refused out of it, and a loop is an error that
//! ends, never a hang.
#![cfg(unix)]

use crate::common;

use std::os::unix::fs::symlink;
use std::time::{Duration, Instant};

const ARTICLE: &str = "---\ntitle: A\ndate: 2024-01-01\n---\nHello there, reader.\n";

fn base() -> tempfile::TempDir {
    common::site(&[
        ("brief.yaml", "title: T\nbase_url: https://example.org/\n"),
        ("content/a.md", ARTICLE),
    ])
}

#[test]
fn a_link_inside_the_site_is_followed() {
    let site = base();
    std::fs::create_dir_all(site.path().join("drafts/b")).unwrap();
    std::fs::write(
        site.path().join("drafts/b/index.md"),
        ARTICLE.replace("A\n", "B\n"),
    )
    .unwrap();
    symlink(site.path().join("drafts/b"), site.path().join("content/b")).unwrap();
    let out = site.path().join("out");
    common::build_ok(site.path(), &out, &[]);
    assert!(out.join("briefings/b/index.html").is_file());
}

#[test]
fn a_link_out_of_the_site_is_an_error() {
    let site = base();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), ARTICLE).unwrap();
    symlink(outside.path(), site.path().join("content/elsewhere")).unwrap();
    let diags = common::check_json(site.path());
    let d = diags
        .iter()
        .find(|d| d["code"] == "symlink-outside")
        .unwrap_or_else(|| panic!("no symlink-outside in {diags:?}"));
    assert_eq!(d["file"], "content/elsewhere");
}

#[test]
fn a_link_loop_is_an_error_not_a_hang() {
    let site = base();
    symlink(
        site.path().join("content"),
        site.path().join("content/loop"),
    )
    .unwrap();
    let start = Instant::now();
    let diags = common::check_json(site.path());
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(
        diags.iter().any(|d| d["code"] == "symlink-loop"),
        "{diags:?}"
    );
}

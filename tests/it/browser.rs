//! The reader's pages in a real headless Chromium: runs the node suite in tests/browser/
//! (screenshots, axe-core audits, focus, deep links, keyboard, narrow screens, no JavaScript).
//!
//! The suite needs node, the npm packages of tests/browser (`npm ci` there) and Debian's
//! Chromium. Without them this test prints what is missing and passes, so `cargo test` works on
//! a fresh machine; with `CI=true` a missing piece is a failure. It must not download anything.

use std::path::Path;
use std::process::Command;

/// Why the suite cannot run here, if it cannot.
fn missing_piece(dir: &Path, chromium: &str) -> Option<String> {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("node is not installed".into());
    }
    for package in ["playwright-core", "axe-core"] {
        if !dir.join("node_modules").join(package).is_dir() {
            return Some(format!(
                "npm package {package} (run `npm ci` in tests/browser)"
            ));
        }
    }
    if !Path::new(chromium).exists() {
        return Some(format!(
            "Chromium at {chromium} (`apt-get install -y chromium`)"
        ));
    }
    None
}

#[test]
fn reader_pages_in_headless_chromium() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if let Some(what) = missing_piece(&dir, &chromium) {
        assert!(!in_ci, "browser tests cannot run in CI: missing {what}");
        eprintln!("browser tests skipped: missing {what}");
        return;
    }
    let out = Command::new("node")
        .arg(dir.join("run.mjs"))
        .env("BRIEF_BIN", env!("CARGO_BIN_EXE_brief"))
        .env("CHROMIUM", &chromium)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "the browser suite failed (exit {:?}); see the output above and target/browser-artifacts/",
        out.status.code()
    );
}

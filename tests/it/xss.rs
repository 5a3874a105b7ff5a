//! Output safety: classic XSS payloads in every YAML field and in the Markdown must come out as
//! text. The built site may contain only the scripts `brief` itself writes, no event-handler
//! attributes and no script URLs. A folder briefing's own files may not carry script either
//! (unless the site allows raw HTML), and no page holds a control character.

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "{{ site.title }}{% raw %}",
];

fn payload(i: usize) -> String {
    PAYLOADS[i % PAYLOADS.len()].to_string()
}

/// A YAML double-quoted string holding `s`.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn hostile_site(root: &Path) {
    write(
        root,
        "brief.yaml",
        &format!(
            "title: {}\nbase_url: https://example.org/\ndescription: {}\n",
            q(&payload(0)),
            q(&payload(1))
        ),
    );
    write(
        root,
        "content/speakers.yaml",
        &format!(
            "evil:\n  name: {}\n  role: {}\n  kind: organisation\n  url: {}\n  same_as: [{}]\n",
            q(&payload(2)),
            q(&payload(3)),
            q("javascript:alert(1)"),
            q("javascript:alert(2)"),
        ),
    );
    write(
        root,
        "content/questions.yaml",
        &format!(
            "evil-q:\n  title: {}\n  prompt: {}\n  status: resolved\n  resolution: {}\n",
            q(&payload(1)),
            q(&payload(0)),
            q(&payload(3)),
        ),
    );
    let body = format!(
        "Intro <script>alert('md')</script> and <img src=x onerror=alert(1)> text.\n\n\
         <div onclick=\"alert(1)\">block html</div>\n\n\
         A [link](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD4=) and \
         ![img](javascript:alert(1)) and [vb](vbscript:msgbox(1)).\n\n\
         The speaker said {} loudly.\n",
        "\"hello &lt;b&gt; there\""
    );
    write(
        root,
        "content/evil.md",
        &format!(
            "---\ntitle: {}\ndate: 2024-01-01\nsummary: {}\ndateline: {}\nsource:\n  name: {}\n  url: {}\ntags: [{}]\n---\n{body}",
            q(&payload(0)),
            q(&payload(1)),
            q(&payload(2)),
            q(&payload(3)),
            q("javascript:alert(1)"),
            q(&payload(1)),
        ),
    );
    write(
        root,
        "content/evil.yaml",
        &format!(
            "speakers:\n  local-evil:\n    name: {}\n    role: {}\n\
             questions:\n  local-q:\n    title: {}\n    prompt: {}\n\
             quotes:\n  - text: \"hello <b> there\"\n    speaker: evil\n    via: [local-evil]\n    questions: [evil-q, local-q]\n    note: {}\n\
             highlights:\n  - text: \"said\"\n    suffix: \" \\\"hello\"\n    kind: claim\n    speaker: local-evil\n    note: {}\n\
             positions:\n  - question: evil-q\n    speaker: evil\n    stance: {}\n    quotes: [q1]\n",
            q(&payload(0)),
            q(&payload(1)),
            q(&payload(2)),
            q(&payload(3)),
            q("<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"),
            q(&payload(1)),
            q(&payload(0)),
        ),
    );
}

/// Every `<script` tag in `html`, with its attributes.
fn script_tags(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    lower
        .match_indices("<script")
        .map(|(i, _)| lower[i..].split('>').next().unwrap_or("").to_string())
        .collect()
}

fn assert_safe(path: &Path, html: &str) {
    for tag in script_tags(html) {
        let ours = tag.starts_with("<script src=\"/assets/brief.")
            || tag.starts_with("<script src=\"/assets/search.")
            || tag == "<script type=\"application/ld+json\"";
        assert!(
            ours,
            "{}: a script brief did not write: {tag}",
            path.display()
        );
    }
    for (tag, attrs) in tags(html) {
        for (name, value) in attrs {
            assert!(
                !name.starts_with("on"),
                "{}: event handler attribute `{name}` on <{tag}>",
                path.display()
            );
            if name == "href" || name == "src" {
                let v = value.trim().to_ascii_lowercase();
                assert!(
                    !v.starts_with("javascript:")
                        && !v.starts_with("vbscript:")
                        && !v.starts_with("data:text"),
                    "{}: script URL {value} in <{tag}>",
                    path.display()
                );
            }
        }
    }
}

/// Every start tag of `html` with its attributes, parsed the way a browser would split them
/// (quoted values may hold anything but their own quote).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' || i + 1 >= b.len() || !b[i + 1].is_ascii_alphabetic() {
            if b[i..].starts_with(b"<!--") {
                i += b[i..]
                    .windows(3)
                    .position(|w| w == b"-->")
                    .map_or(b.len(), |e| e + 3);
            } else {
                i += 1;
            }
            continue;
        }
        i += 1;
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let a = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
                i += 1;
            }
            let attr = html[a..i].to_ascii_lowercase();
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let quote = b[i];
                    let v = i + 1;
                    i = v + html[v..]
                        .bytes()
                        .position(|c| c == quote)
                        .unwrap_or(b.len() - v);
                    value = html[v..i].to_string();
                    i += 1;
                } else {
                    let v = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = html[v..i].to_string();
                }
            }
            attrs.push((attr, value));
        }
        out.push((name, attrs));
    }
    out
}

/// Builds the site into its `public/` through the binary; the build must succeed.
fn build_ok(root: &Path) {
    let run = Command::new(env!("CARGO_BIN_EXE_brief"))
        .args(["build", "--root"])
        .arg(root)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn payloads_in_every_field_come_out_as_text() {
    let site = tempfile::tempdir().unwrap();
    hostile_site(site.path());
    let out = site.path().join("public");
    build_ok(site.path());
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = fs::read_to_string(entry.path()).unwrap();
            assert_safe(entry.path(), &html);
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} pages checked");
    // The payload text itself is still there, escaped, for readers to see.
    let page = fs::read_to_string(out.join("briefings/evil/index.html")).unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(&#39;md&#39;)&lt;/script&gt;")
            || page.contains("&lt;script&gt;alert('md')&lt;/script&gt;")
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn raw_html_passes_only_when_the_site_allows_it() {
    let site = tempfile::tempdir().unwrap();
    write(
        site.path(),
        "brief.yaml",
        "title: T\nbase_url: https://example.org/\nallow_raw_html: true\n",
    );
    write(
        site.path(),
        "content/a.md",
        "---\ntitle: A\ndate: 2024-01-01\n---\nSome <b>bold</b> words.\n",
    );
    build_ok(site.path());
    let page = fs::read_to_string(site.path().join("public/briefings/a/index.html")).unwrap();
    assert!(page.contains("<b>bold</b>"), "{page}");
}

/// `(file, line, column)` of every diagnostic with `code`, in the order reported.
fn places(diags: &[serde_json::Value], code: &str) -> Vec<(String, Option<u64>, Option<u64>)> {
    diags
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64(),
                d["column"].as_u64(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A folder briefing's own files
// ---------------------------------------------------------------------------------------------

/// A folder briefing `desk` with the given files beside its `index.md`, under `brief.yaml`.
fn folder_site(config: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let mut all = vec![
        ("brief.yaml", config),
        (
            "content/desk/index.md",
            "---\ntitle: Desk\ndate: 2024-01-01\n---\nSee ![the timeline](timeline.svg).\n",
        ),
    ];
    all.extend_from_slice(files);
    common::site(&all)
}

const PLAIN_SVG: &str = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\">\n\
                         <rect width=\"1\" height=\"1\"/><text>On = off</text></svg>\n";

#[test]
fn a_briefings_files_that_could_run_script_are_refused_unless_raw_html_is_allowed() {
    let files = [
        (
            "content/desk/timeline.svg",
            "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\">\n  \
             <script>alert(document.cookie)</script>\n</svg>\n",
        ),
        (
            "content/desk/chart.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"\n     onload=\"alert(1)\"/>\n",
        ),
        ("content/desk/notes.html", "<p>Notes</p>\n"),
        ("content/desk/more/app.js", "alert(1)\n"),
        ("content/desk/map.svgz", "\u{1f}\u{8b}compressed"),
        (
            "content/desk/data.xml",
            "<?xml version=\"1.0\"?>\n<root>\n<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">\
             alert(1)</x:script></root>\n",
        ),
        // What is not markup, or is plain markup, is copied as it is.
        ("content/desk/plain.svg", PLAIN_SVG),
        ("content/desk/photo.png", "\u{89}PNG\r\n\u{1a}\n<script>"),
        ("content/desk/figures.csv", "year,count\n2023,4\n"),
        (
            "content/desk/readme.txt",
            "see javascript: and onload= here\n",
        ),
    ];
    let root = folder_site(common::CONFIG, &files);
    let (run, diags) = common::check_json_run(root.path());
    run.assert_code(1);
    assert_eq!(
        places(&diags, "active-content"),
        [
            ("content/desk/chart.svg".to_string(), Some(2), Some(6)),
            ("content/desk/data.xml".to_string(), Some(3), Some(1)),
            ("content/desk/map.svgz".to_string(), None, None),
            ("content/desk/more/app.js".to_string(), None, None),
            ("content/desk/notes.html".to_string(), None, None),
            ("content/desk/timeline.svg".to_string(), Some(3), Some(3)),
        ],
        "{diags:#?}"
    );
    assert!(
        diags.iter().all(|d| d["code"] == "active-content"),
        "{diags:#?}"
    );
    for d in &diags {
        let (message, help) = (d["message"].as_str().unwrap(), d["help"].as_str().unwrap());
        assert!(
            message.starts_with(d["file"].as_str().unwrap()),
            "{message}"
        );
        assert!(help.contains("`allow_raw_html: true`"), "{help}");
    }
    let timeline = diags
        .iter()
        .find(|d| d["file"] == "content/desk/timeline.svg")
        .unwrap();
    assert!(
        timeline["message"]
            .as_str()
            .unwrap()
            .contains("`<script>` element"),
        "{timeline}"
    );

    // `build` refuses and writes nothing.
    let out = root.path().join("public");
    let run = common::build(root.path(), &out, &[]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("content/desk/notes.html is an HTML page"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());

    // A site that trusts its writers copies them all, as they are.
    let trusting = format!("{}allow_raw_html: true\n", common::CONFIG);
    let root = folder_site(&trusting, &files);
    common::build_ok(root.path(), &out, &[]);
    for (name, text) in files {
        let copied = out
            .join("briefings/desk")
            .join(name.trim_start_matches("content/desk/"));
        assert_eq!(fs::read(&copied).unwrap(), text.as_bytes(), "{name}");
    }
}

#[test]
fn disguised_scripts_in_svg_are_refused() {
    let payloads = [
        // Namespaced, in capitals, entity-obfuscated, hidden where HTML and XML disagree.
        "<svg:script xmlns:svg=\"http://www.w3.org/2000/svg\">alert(1)</svg:script>",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<a xlink:href=\"jav&#x09;ascript:alert(1)\"><text>x</text></a>",
        "<a href=\"&#106;&#97;vascript&colon;alert(1)\"><text>x</text></a>",
        "<a><set attributeName=\"href\" to=\"javascript:alert(1)\"/><text>x</text></a>",
        "<a><animate attributeName=\"onclick\" to=\"alert(1)\"/></a>",
        "<use href=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+#x\"/>",
        "<foreignObject><iframe xmlns=\"http://www.w3.org/1999/xhtml\" src=\"x\"/></foreignObject>",
        "<![CDATA[ ><img src=x onerror=alert(1)> ]]>",
        "<!--><img src=x onerror=alert(1)>-->",
        "<rect width=\"1\"onclick=\"alert(1)\"/>",
    ];
    let files: Vec<(String, String)> = payloads
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                format!("content/desk/p{i:02}.svg"),
                format!(
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" \
                         xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n{p}\n</svg>\n"
                ),
            )
        })
        .collect();
    let mut with_doctype = files.clone();
    with_doctype.push((
        "content/desk/entity.svg".to_string(),
        "<!DOCTYPE svg [\n<!ENTITY s \"&#60;script&#62;alert(1)&#60;/script&#62;\">\n]>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\">&s;</svg>\n"
            .to_string(),
    ));
    with_doctype.push((
        "content/desk/xslt.svg".to_string(),
        "<?xml version=\"1.0\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"t.xsl\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"
            .to_string(),
    ));
    let borrowed: Vec<(&str, &str)> = with_doctype
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let root = folder_site(common::CONFIG, &borrowed);
    let (run, diags) = common::check_json_run(root.path());
    run.assert_code(1);
    let refused: BTreeSet<String> = places(&diags, "active-content")
        .into_iter()
        .map(|(file, _, _)| file)
        .collect();
    let expected: BTreeSet<String> = with_doctype.iter().map(|(f, _)| f.clone()).collect();
    assert_eq!(refused, expected, "{diags:#?}");
    // Each payload is on line 2 of its file, and the error says so.
    for (file, line, _) in places(&diags, "active-content") {
        if file.contains("/p") {
            assert_eq!(line, Some(2), "{file}");
        }
    }
}

#[test]
fn the_site_owners_static_files_are_not_checked() {
    let root = folder_site(
        common::CONFIG,
        &[
            ("content/desk/timeline.svg", PLAIN_SVG),
            ("static/widget.html", "<script>owner()</script>\n"),
            ("static/js/site.js", "owner()\n"),
            ("static/logo.svg", "<svg onload=\"owner()\"/>\n"),
        ],
    );
    let out = root.path().join("public");
    common::build_ok(root.path(), &out, &[]);
    assert_eq!(
        fs::read_to_string(out.join("js/site.js")).unwrap(),
        "owner()\n"
    );
    assert!(out.join("widget.html").is_file() && out.join("logo.svg").is_file());
    assert_eq!(
        fs::read_to_string(out.join("briefings/desk/timeline.svg")).unwrap(),
        PLAIN_SVG
    );
}

// ---------------------------------------------------------------------------------------------
// Control characters
// ---------------------------------------------------------------------------------------------

/// Every byte of every output file that is a control character other than tab and line breaks.
fn stray_controls(out: &Path) -> Vec<(std::path::PathBuf, usize)> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = fs::read(entry.path()).unwrap();
            if let Some(i) = bytes
                .iter()
                .position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            {
                found.push((entry.path().to_path_buf(), i));
            }
        }
    }
    found
}

#[test]
fn control_characters_never_reach_a_page_and_raw_ones_are_warned_about_where_they_are() {
    let root = common::site(&[
        (
            "brief.yaml",
            "title: \"Site\\x01\"\nbase_url: https://example.org/\ndescription: Desk\u{7}\n",
        ),
        (
            "content/speakers.yaml",
            "s:\n  name: \"S\\0\"\n  role: Ro\u{1b}le\n",
        ),
        (
            "content/a.md",
            &common::lines(&[
                "---",                                     // 1
                "title: A\u{0}B",                          // 2
                "date: 2024-01-01",                        // 3
                "summary: \"sum\\fmary\"",                 // 4
                "---",                                     // 5
                "Body with a NUL \u{0} and a bell \u{7}.", // 6
                "Escaped: &#1; &#27; and `code \u{8}`.",   // 7
                "The quoted \u{c}words are here.",         // 8
            ]),
        ),
        (
            "content/a.yaml",
            &common::lines(&[
                "quotes:",                                      // 1
                "  - text: \"The quoted \u{c}words are here\"", // 2
                "    speaker: s",                               // 3
                "    note: \"A note\\x02 with \\e an escape\"", // 4
            ]),
        ),
    ]);
    let (run, diags) = common::check_json_run(root.path());
    run.assert_code(0);
    assert_eq!(
        places(&diags, "control-character"),
        [
            ("brief.yaml".to_string(), Some(3), Some(18)),
            ("content/a.md".to_string(), Some(2), Some(9)),
            ("content/a.yaml".to_string(), Some(2), Some(23)),
            ("content/speakers.yaml".to_string(), Some(3), Some(11)),
        ],
        "{diags:#?}"
    );
    let article = diags
        .iter()
        .find(|d| d["code"] == "control-character" && d["file"] == "content/a.md")
        .unwrap();
    assert!(
        article["message"].as_str().unwrap().contains("U+0000"),
        "{article}"
    );
    assert_eq!(
        article["notes"][0]["message"], "and 4 more in this file",
        "{article}"
    );
    assert!(
        diags.iter().all(|d| d["code"] == "control-character"),
        "only the warnings, and the quote still anchors: {diags:#?}"
    );

    let out = root.path().join("public");
    let build = common::build_ok(root.path(), &out, &[]);
    assert!(build.stderr.contains("4 warnings"), "{}", build.stderr);
    assert_eq!(stray_controls(&out), [], "control characters in the output");
    let page = fs::read_to_string(out.join("briefings/a/index.html")).unwrap();
    for shown in [
        "A\u{fffd}B",
        "NUL \u{fffd} and a bell \u{fffd}",
        "Escaped: \u{fffd} \u{fffd}",
    ] {
        assert!(page.contains(shown), "{shown:?} in {page}");
    }
    assert!(page.contains("<code>code \u{fffd}</code>"), "{page}");
    assert!(
        page.contains("A note\u{fffd} with \u{fffd} an escape"),
        "{page}"
    );
    let feed = fs::read_to_string(out.join("feed.xml")).unwrap();
    assert!(feed.contains("<title>Site\u{fffd}</title>"), "{feed}");
    assert!(feed.contains("sum\u{fffd}mary"), "{feed}");
}

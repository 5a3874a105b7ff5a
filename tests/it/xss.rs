//! Output safety: classic XSS payloads in every YAML field and in the Markdown must come out as
//! text. The built site may contain only the scripts `brief` itself writes, no event-handler
//! attributes and no script URLs.

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

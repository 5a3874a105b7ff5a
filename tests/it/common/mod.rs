//! Helpers shared by the integration tests: temporary sites, running the `brief` binary, a small
//! HTML tokenizer, and an independent checker of the `data-ann` output contract (FORMAT.md,
//! "What a build writes").
//!
//! Nothing here calls into the crate: the checker re-derives what the page must contain from the
//! site's files alone, so a bug shared by the crate's anchoring and rendering code cannot hide
//! itself. Each test binary uses a different subset of these helpers, hence `allow(dead_code)`.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

/// The binary under test, built by Cargo for integration tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_brief");

/// The `brief.yaml` most test sites use.
pub const CONFIG: &str = "title: Test Site\nbase_url: https://example.org/\n";

// ---------------------------------------------------------------------------------------------
// Sites on disk
// ---------------------------------------------------------------------------------------------

/// Writes a site into a fresh temporary folder: each `(path, contents)` pair is a file relative
/// to the site root; parent folders are created as needed.
pub fn site(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("create a temporary site folder");
    write_files(dir.path(), files);
    dir
}

/// Writes (or overwrites) files under `root`.
/// Copies a folder and everything in it (a fixture or the sample site, to change it).
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (rel, contents) in files {
        write_bytes(root, rel, contents.as_bytes());
    }
}

/// Writes one file of raw bytes (for not-UTF-8 input) under `root`.
pub fn write_bytes(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
    }
    fs::write(&path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Joins lines with `\n` (and ends with one), so a test can count YAML or Markdown lines by
/// their index in the slice: element `i` is line `i + 1`.
pub fn lines(lines: &[&str]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// A fixture site shipped under `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Every file under `dir` (recursively) with its bytes, keyed by its path relative to `dir`.
/// Two equal snapshots mean byte-identical folders.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    if dir.exists() {
        snapshot_into(dir, dir, &mut out);
    }
    out
}

fn snapshot_into(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for entry in sorted_entries(dir) {
        let path = entry.path();
        if path.is_dir() {
            snapshot_into(base, &path, out);
        } else {
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            out.insert(path.strip_prefix(base).unwrap().to_path_buf(), bytes);
        }
    }
}

fn sorted_entries(dir: &Path) -> Vec<fs::DirEntry> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read dir {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    entries
}

/// Panics with the first difference between two snapshots (missing, extra or changed file),
/// since dumping whole folders would bury the cause.
pub fn assert_same_snapshot(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
    what: &str,
) {
    for (path, bytes) in before {
        match after.get(path) {
            None => panic!("{what}: {} disappeared", path.display()),
            Some(b) if b != bytes => {
                let at = bytes.iter().zip(b).position(|(x, y)| x != y);
                let at = at.unwrap_or(bytes.len().min(b.len()));
                let ctx = |v: &[u8]| {
                    String::from_utf8_lossy(&v[at.saturating_sub(60)..(at + 60).min(v.len())])
                        .into_owned()
                };
                panic!(
                    "{what}: {} differs at byte {at}\n  before: {:?}\n  after:  {:?}",
                    path.display(),
                    ctx(bytes),
                    ctx(b)
                );
            }
            Some(_) => {}
        }
    }
    for path in after.keys() {
        assert!(
            before.contains_key(path),
            "{what}: {} appeared",
            path.display()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------

/// What one run of `brief` did.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    /// The exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing everything the run printed when it differs.
    #[track_caller]
    pub fn assert_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(expected),
            "`brief {}` exited with {:?}, expected {expected}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs `brief` with `args` and captures its output. Every run in every test also asserts the
/// binary did not panic: a panic (exit 101) is never an acceptable answer to user input.
pub fn brief(args: &[&str]) -> Run {
    let output = Command::new(BIN)
        .args(args)
        // Plain output: no colour codes in the human format that the tests search.
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        // A neutral working folder, so a missing `--root` cannot pick up the repository.
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run the brief binary");
    let run = Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        run.code != Some(101) && !run.stderr.contains("panicked at"),
        "`brief {}` panicked:\n{}",
        run.args.join(" "),
        run.stderr
    );
    run
}

/// `brief build --root <root> --output <output> [extra...]`.
pub fn build(root: &Path, output: &Path, extra: &[&str]) -> Run {
    let (root, output) = (path_str(root), path_str(output));
    let mut args = vec!["build", "--root", &root, "--output", &output];
    args.extend_from_slice(extra);
    brief(&args)
}

/// Builds and requires success; returns the run for further inspection.
#[track_caller]
pub fn build_ok(root: &Path, output: &Path, extra: &[&str]) -> Run {
    let run = build(root, output, extra);
    run.assert_code(0);
    run
}

/// `brief check --root <root> --format json`, with the diagnostics parsed. Every non-empty line
/// of stdout must be one JSON object: that is the machine format's whole contract.
pub fn check_json_run(root: &Path) -> (Run, Vec<Value>) {
    let root = path_str(root);
    let run = brief(&["check", "--root", &root, "--format", "json"]);
    let diags = run
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l:?}"));
            assert!(v.is_object(), "stdout line is not a JSON object: {l:?}");
            v
        })
        .collect();
    (run, diags)
}

/// The diagnostics `brief check --format json` reports for the site at `root`.
pub fn check_json(root: &Path) -> Vec<Value> {
    check_json_run(root).1
}

pub fn path_str(p: &Path) -> String {
    p.to_str().expect("test paths are UTF-8").to_string()
}

// ---------------------------------------------------------------------------------------------
// Folding (FORMAT.md, "How a text is found in the article")
// ---------------------------------------------------------------------------------------------

/// Folds text the way FORMAT.md says both sides are folded before comparing: runs of white
/// space become one space, curly quotes become straight ones, en and em dashes become `-`, and
/// `…` becomes `...`. Leading and trailing white space is dropped. Case is kept.
///
/// Written here again, on purpose, rather than calling the crate's folding: the tests must not
/// share a mistake with the code they check.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            '\u{2018}' | '\u{2019}' => out.push('\''),
            '\u{201C}' | '\u{201D}' => out.push('"'),
            '\u{2013}' | '\u{2014}' => out.push('-'),
            '\u{2026}' => out.push_str("..."),
            c => out.push(c),
        }
    }
    out
}

/// Folded, then with every white space character removed: the contract compares marked text
/// "when white space is ignored on both sides", because a block boundary cannot sit in a mark.
pub fn fold_no_ws(s: &str) -> String {
    fold(s).chars().filter(|c| !c.is_whitespace()).collect()
}

// ---------------------------------------------------------------------------------------------
// A small HTML tokenizer
// ---------------------------------------------------------------------------------------------

/// Elements that never have content or an end tag.
pub const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Elements whose content is raw text (not markup, and not reader text).
const RAW_TEXT_ELEMENTS: &[&str] = &["script", "style"];

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Doctype(String),
    Comment(String),
    Start {
        name: String,
        /// Attribute names lowercased, values with entities decoded; a bare attribute has "".
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    End {
        name: String,
    },
    /// Text with entities decoded.
    Text(String),
    /// The content of a `script` or `style` element.
    RawText(String),
}

impl Token {
    pub fn attr(&self, wanted: &str) -> Option<&str> {
        match self {
            Token::Start { attrs, .. } => attrs
                .iter()
                .find(|(n, _)| n == wanted)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }
}

/// Splits `html` into tokens, each with the byte offset where it starts. Good enough for the
/// well-formed HTML a generator writes, and strict where that matters: an unterminated tag or
/// comment, or a `<` that starts no tag, is an error (text must escape it as `&lt;`).
pub fn tokenize(html: &str) -> Result<Vec<(usize, Token)>, String> {
    let b = html.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i] != b'<' {
            let end = html[i..].find('<').map_or(html.len(), |j| i + j);
            tokens.push((start, Token::Text(decode_entities(&html[i..end]))));
            i = end;
            continue;
        }
        let rest = &html[i..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            let end = comment
                .find("-->")
                .ok_or_else(|| format!("unterminated comment at byte {i}"))?;
            tokens.push((start, Token::Comment(comment[..end].to_string())));
            i += 4 + end + 3;
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            let end = rest
                .find('>')
                .ok_or_else(|| format!("unterminated declaration at byte {i}"))?;
            tokens.push((start, Token::Doctype(rest[2..end].trim().to_string())));
            i += end + 1;
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after
                .find('>')
                .ok_or_else(|| format!("unterminated end tag at byte {i}"))?;
            let name = after[..end].trim().to_ascii_lowercase();
            if name.is_empty() || !name.chars().all(is_name_char) {
                return Err(format!(
                    "malformed end tag {:?} at byte {i}",
                    &rest[..end + 3]
                ));
            }
            tokens.push((start, Token::End { name }));
            i += 2 + end + 1;
        } else if rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            let (token, len) = parse_start_tag(rest).map_err(|e| format!("{e} at byte {i}"))?;
            i += len;
            let raw_name = match &token {
                Token::Start {
                    name,
                    self_closing: false,
                    ..
                } if RAW_TEXT_ELEMENTS.contains(&name.as_str()) => Some(name.clone()),
                _ => None,
            };
            tokens.push((start, token));
            if let Some(name) = raw_name {
                // Raw text runs to the matching end tag, whatever it contains.
                let close = format!("</{name}");
                let end = html[i..]
                    .to_ascii_lowercase()
                    .find(&close)
                    .ok_or_else(|| format!("<{name}> at byte {start} is never closed"))?;
                tokens.push((i, Token::RawText(html[i..i + end].to_string())));
                i += end;
            }
        } else {
            return Err(format!(
                "unescaped '<' in text at byte {i}: {:?}",
                &rest[..rest.len().min(40)]
            ));
        }
    }
    Ok(tokens)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == ':' || c == '_'
}

/// Parses the start tag at the beginning of `s` (which starts with `<` and a letter); returns
/// the token and the number of bytes it spans.
fn parse_start_tag(s: &str) -> Result<(Token, usize), String> {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() && is_name_char(b[i] as char) {
        i += 1;
    }
    let name = s[1..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            None => return Err(format!("unterminated <{name}> tag")),
            Some(b'>') => {
                let token = Token::Start {
                    name,
                    attrs,
                    self_closing: false,
                };
                return Ok((token, i + 1));
            }
            Some(b'/') if b.get(i + 1) == Some(&b'>') => {
                let token = Token::Start {
                    name,
                    attrs,
                    self_closing: true,
                };
                return Ok((token, i + 2));
            }
            Some(b'"' | b'\'' | b'<' | b'=') => {
                return Err(format!("malformed attribute in <{name}>"));
            }
            Some(_) => {}
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !b"=>/\"'<".contains(&b[i]) {
            i += 1;
        }
        let attr_name = s[name_start..i].to_ascii_lowercase();
        if attr_name.is_empty() {
            // A stray '/' inside the tag, as in `<a / href=x>`: skip it.
            i += 1;
            continue;
        }
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = s[i + 1..]
                        .find(q as char)
                        .ok_or_else(|| format!("unterminated attribute {attr_name} in <{name}>"))?;
                    value = decode_entities(&s[i + 1..i + 1 + end]);
                    i += 1 + end + 1;
                }
                Some(_) => {
                    let v_start = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = decode_entities(&s[v_start..i]);
                }
                None => return Err(format!("unterminated <{name}> tag")),
            }
        }
        attrs.push((attr_name, value));
    }
}

/// Decodes character references: the named ones an HTML writer commonly uses, and decimal and
/// hexadecimal numeric ones. Anything else (a bare `&`, an unknown name) is kept as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest[1..]
            .find(';')
            .filter(|&semi| semi <= 10)
            .and_then(|semi| decode_entity(&rest[1..1 + semi]).map(|c| (c, semi + 2)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "ldquo" => '\u{201C}',
        "rdquo" => '\u{201D}',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "hellip" => '\u{2026}',
        "copy" => '\u{a9}',
        "middot" => '\u{b7}',
        "laquo" => '\u{ab}',
        "raquo" => '\u{bb}',
        "larr" => '\u{2190}',
        "rarr" => '\u{2192}',
        "times" => '\u{d7}',
        _ => return None,
    })
}

/// Checks that every non-void element is closed, in order, and that no void element has an end
/// tag. Returns the problem (with some surrounding HTML) instead of panicking, so callers can
/// name the page.
pub fn well_formed(html: &str) -> Result<(), String> {
    let tokens = tokenize(html)?;
    let mut stack: Vec<(usize, String)> = Vec::new();
    let context = |at: usize| {
        let from = floor_boundary(html, at.saturating_sub(80));
        let to = floor_boundary(html, (at + 80).min(html.len()));
        html[from..to].to_string()
    };
    for (at, token) in &tokens {
        match token {
            // `<x/>` is accepted for any element: SVG inlined in a template uses it.
            Token::Start {
                name, self_closing, ..
            } if !self_closing && !VOID_ELEMENTS.contains(&name.as_str()) => {
                stack.push((*at, name.clone()));
            }
            Token::End { name } => {
                if VOID_ELEMENTS.contains(&name.as_str()) {
                    return Err(format!(
                        "end tag </{name}> for a void element at byte {at}: …{}…",
                        context(*at)
                    ));
                }
                match stack.pop() {
                    Some((_, open)) if &open == name => {}
                    Some((open_at, open)) => {
                        return Err(format!(
                            "</{name}> at byte {at} closes <{open}> opened at byte {open_at}: …{}…",
                            context(*at)
                        ));
                    }
                    None => {
                        return Err(format!(
                            "</{name}> at byte {at} closes nothing: …{}…",
                            context(*at)
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    match stack.last() {
        Some((at, name)) => Err(format!(
            "<{name}> opened at byte {at} is never closed: …{}…",
            context(*at)
        )),
        None => Ok(()),
    }
}

/// Panics unless `html` is well-formed (see [`well_formed`]).
#[track_caller]
pub fn assert_well_formed(html: &str) {
    if let Err(e) = well_formed(html) {
        panic!("HTML is not well-formed: {e}");
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

// ---------------------------------------------------------------------------------------------
// Reading a page: what text each `data-ann` id covers
// ---------------------------------------------------------------------------------------------

/// An element carrying an `id`: its `data-ann` (if any) and its index among the elements that
/// carry `data-ann` (if it is one).
pub type IdCarrier = (Option<String>, Option<usize>);

/// What a briefing page says about its annotations.
#[derive(Debug, Default)]
pub struct Marks {
    /// For each id listed in some `data-ann`, the text under the elements listing it, in
    /// document order (text nested in two elements that both list it is counted once).
    pub text: BTreeMap<String, String>,
    /// For each id listed in some `data-ann`, the index (in document order among elements
    /// carrying `data-ann`) of the first element that lists it.
    pub first_piece: BTreeMap<String, usize>,
    /// For every `id="..."` attribute on the page: the `data-ann` of each element carrying it,
    /// plus its index among `data-ann` elements (if it carries one).
    pub ids: BTreeMap<String, Vec<IdCarrier>>,
}

/// Walks the text nodes of a (well-formed) page in document order and collects, for every
/// annotation id, the text under the elements whose `data-ann` lists it.
pub fn read_marks(html: &str) -> Result<Marks, String> {
    well_formed(html)?;
    let mut marks = Marks::default();
    // Each open element with the ids its data-ann lists (empty when it has none).
    let mut stack: Vec<Vec<String>> = Vec::new();
    let mut ann_elements = 0usize;
    for (_, token) in tokenize(html)? {
        match &token {
            Token::Start {
                name, self_closing, ..
            } => {
                let ann = token.attr("data-ann");
                let ids: Vec<String> = ann
                    .map(|a| a.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default();
                let index = ann.map(|_| {
                    ann_elements += 1;
                    ann_elements - 1
                });
                if let Some(index) = index {
                    for id in &ids {
                        marks.first_piece.entry(id.clone()).or_insert(index);
                        // An id listed on an empty element still counts as present.
                        marks.text.entry(id.clone()).or_default();
                    }
                }
                if let Some(id) = token.attr("id") {
                    marks
                        .ids
                        .entry(id.to_string())
                        .or_default()
                        .push((ann.map(str::to_string), index));
                }
                if !self_closing && !VOID_ELEMENTS.contains(&name.as_str()) {
                    stack.push(ids);
                }
            }
            Token::End { .. } => {
                stack.pop();
            }
            Token::Text(text) => {
                let active: BTreeSet<&String> = stack.iter().flatten().collect();
                for id in active {
                    marks.text.entry(id.clone()).or_default().push_str(text);
                }
            }
            Token::Doctype(_) | Token::Comment(_) | Token::RawText(_) => {}
        }
    }
    Ok(marks)
}

// ---------------------------------------------------------------------------------------------
// Reading a site's content independently of the crate
// ---------------------------------------------------------------------------------------------

/// One briefing as the site's files describe it.
#[derive(Debug, Clone)]
pub struct Briefing {
    pub md: PathBuf,
    /// The sidecar annotations file, if there is one.
    pub yaml: Option<PathBuf>,
    pub slug: String,
    pub title: String,
    pub draft: bool,
    /// The annotations file parsed generically (`Null` when absent or empty).
    pub annotations: Value,
}

/// One quote or highlight with the id the output must use for it.
#[derive(Debug, Clone)]
pub struct Annotation {
    pub id: String,
    pub is_quote: bool,
    /// `text`, or the `parts` joined with a space.
    pub expected: String,
    /// True when the annotation is written with `parts`.
    pub has_parts: bool,
}

/// Reads every briefing under `<site_root>/content`, in path order.
pub fn briefings(site_root: &Path) -> Vec<Briefing> {
    let mut mds = Vec::new();
    collect_md(&site_root.join("content"), &mut mds);
    mds.into_iter().map(|md| read_briefing(&md)).collect()
}

fn collect_md(dir: &Path, out: &mut Vec<PathBuf>) {
    if !dir.is_dir() {
        return;
    }
    for entry in sorted_entries(dir) {
        let path = entry.path();
        if path.is_dir() {
            collect_md(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

fn read_briefing(md: &Path) -> Briefing {
    let text = fs::read_to_string(md).unwrap_or_else(|e| panic!("read {}: {e}", md.display()));
    let front = front_matter(&text).unwrap_or_else(|| panic!("{}: no front matter", md.display()));
    let front: Value = serde_saphyr::from_str(front)
        .unwrap_or_else(|e| panic!("{}: front matter: {e}", md.display()));
    let stem = md.file_stem().unwrap().to_str().unwrap();
    let default_slug = if stem == "index" {
        md.parent().unwrap().file_name().unwrap().to_str().unwrap()
    } else {
        stem
    };
    let slug = front["slug"].as_str().unwrap_or(default_slug).to_string();
    let yaml = md.with_extension("yaml");
    let (yaml, annotations) = if yaml.exists() {
        let text =
            fs::read_to_string(&yaml).unwrap_or_else(|e| panic!("read {}: {e}", yaml.display()));
        let value: Value = serde_saphyr::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: YAML: {e}", yaml.display()));
        (Some(yaml), value)
    } else {
        (None, Value::Null)
    };
    Briefing {
        md: md.to_path_buf(),
        yaml,
        slug,
        title: front["title"].as_str().unwrap_or_default().to_string(),
        draft: front["draft"].as_bool().unwrap_or(false),
        annotations,
    }
}

/// The YAML between the opening `---` line and the next `---` line.
fn front_matter(text: &str) -> Option<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some(&body[..offset]);
        }
        offset += line.len();
    }
    None
}

impl Briefing {
    /// The quotes and highlights with their ids: an explicit `id`, else `q<n>` / `h<n>` where
    /// `n` is the 1-based position among the quotes (or highlights).
    pub fn annotations(&self) -> Vec<Annotation> {
        let mut out = Vec::new();
        for (key, prefix, is_quote) in [("quotes", 'q', true), ("highlights", 'h', false)] {
            let Some(items) = self.annotations[key].as_array() else {
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                // `id: 3` is the id "3": YAML scalars are strings to the format.
                let id = match &item["id"] {
                    Value::String(s) => s.clone(),
                    Value::Null => format!("{prefix}{}", i + 1),
                    other => other.to_string(),
                };
                let (expected, has_parts) = match item["parts"].as_array() {
                    Some(parts) => {
                        let parts: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
                        (parts.join(" "), true)
                    }
                    // A plain `text: yes` or `text: 2024` is not a string to a generic YAML
                    // reader; fixtures must quote such texts, so say so rather than guess.
                    None => match &item["text"] {
                        Value::String(s) => (s.clone(), false),
                        Value::Null => (String::new(), false),
                        other => panic!(
                            "{}: {id}: text {other} is not a YAML string; quote it",
                            self.md.display()
                        ),
                    },
                };
                out.push(Annotation {
                    id,
                    is_quote,
                    expected,
                    has_parts,
                });
            }
        }
        out
    }

    /// The ids defined in this briefing's local `speakers:` or `questions:` map.
    pub fn local_ids(&self, key: &str) -> Vec<String> {
        map_keys(&self.annotations[key])
    }

    /// The briefing's page under an output folder.
    pub fn page(&self, output: &Path) -> PathBuf {
        output.join("briefings").join(&self.slug).join("index.html")
    }
}

fn map_keys(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The ids of a site-wide registry file (`speakers.yaml` or `questions.yaml`), if present.
pub fn registry_ids(site_root: &Path, file: &str) -> Vec<String> {
    let path = site_root.join("content").join(file);
    match fs::read_to_string(&path) {
        Ok(text) => map_keys(
            &serde_saphyr::from_str::<Value>(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        ),
        Err(_) => Vec::new(),
    }
}

/// The briefings a build includes: all of them with `--drafts`, else all but drafts.
pub fn published(site_root: &Path, drafts: bool) -> Vec<Briefing> {
    briefings(site_root)
        .into_iter()
        .filter(|b| drafts || !b.draft)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The data-ann contract
// ---------------------------------------------------------------------------------------------

/// Checks every published (non-draft) briefing's page in `output` against the `data-ann`
/// contract. See [`check_data_ann_contract_with`].
#[track_caller]
pub fn check_data_ann_contract(site_root: &Path, output: &Path) -> usize {
    check_data_ann_contract_with(site_root, output, false)
}

/// For every briefing a build with (or without) `--drafts` includes, reads its page and checks:
/// - the page is well-formed HTML;
/// - for each quote and highlight, the text under the elements whose `data-ann` lists its id,
///   folded, equals its folded `text` (or joined `parts`) once all white space is removed;
/// - exactly one element carries `id="<annotation id>"`, it lists that id in its `data-ann`,
///   and it is the first piece of the annotation;
/// - no `data-ann` lists an id that is not one of the briefing's annotations.
///
/// All problems of all pages are gathered, then reported in one panic naming slug and id.
/// Returns how many annotations were checked, so callers can tell the check was not vacuous.
#[track_caller]
pub fn check_data_ann_contract_with(site_root: &Path, output: &Path, drafts: bool) -> usize {
    let mut problems = Vec::new();
    let mut checked = 0;
    for briefing in published(site_root, drafts) {
        let slug = &briefing.slug;
        let page = briefing.page(output);
        let html = match fs::read_to_string(&page) {
            Ok(html) => html,
            Err(e) => {
                problems.push(format!("[{slug}] cannot read {}: {e}", page.display()));
                continue;
            }
        };
        let marks = match read_marks(&html) {
            Ok(marks) => marks,
            Err(e) => {
                problems.push(format!("[{slug}] page is not well-formed: {e}"));
                continue;
            }
        };
        let annotations = briefing.annotations();
        for ann in &annotations {
            checked += 1;
            problems.extend(check_one(slug, ann, &marks));
        }
        let known: BTreeSet<&str> = annotations.iter().map(|a| a.id.as_str()).collect();
        for id in marks.text.keys() {
            if !known.contains(id.as_str()) {
                problems.push(format!(
                    "[{slug}] data-ann lists {id:?}, which is not an annotation of this briefing \
                     (known: {known:?})"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "data-ann contract violated in {} (output {}):\n- {}",
        site_root.display(),
        output.display(),
        problems.join("\n- ")
    );
    checked
}

fn check_one(slug: &str, ann: &Annotation, marks: &Marks) -> Vec<String> {
    let id = &ann.id;
    let mut problems = Vec::new();
    let want = fold_no_ws(&ann.expected);
    match marks.text.get(id) {
        None => problems.push(format!(
            "[{slug}#{id}] no element has data-ann listing {id:?}"
        )),
        Some(got) if fold_no_ws(got) != want => problems.push(format!(
            "[{slug}#{id}] marked text differs from the annotation's text\n    \
             expected (folded): {:?}\n    marked   (folded): {:?}",
            fold(&ann.expected),
            fold(got)
        )),
        Some(_) => {}
    }
    match marks.ids.get(id).map(Vec::as_slice) {
        None | Some([]) => problems.push(format!("[{slug}#{id}] no element has id={id:?}")),
        Some([(ann_attr, index)]) => {
            let lists_id = ann_attr
                .as_deref()
                .is_some_and(|a| a.split_whitespace().any(|x| x == id));
            if !lists_id {
                problems.push(format!(
                    "[{slug}#{id}] the element with id={id:?} has data-ann={ann_attr:?}, which \
                     does not list {id:?}"
                ));
            } else if *index != marks.first_piece.get(id).copied() {
                problems.push(format!(
                    "[{slug}#{id}] id={id:?} is not on the first piece of the annotation"
                ));
            }
        }
        Some(many) => problems.push(format!(
            "[{slug}#{id}] {} elements have id={id:?}; exactly one must",
            many.len()
        )),
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// annotations.jsonld
// ---------------------------------------------------------------------------------------------

/// Every selector object in an annotation's `target` (which may be one target or a list, each
/// with one selector or a list).
fn selectors(item: &Value) -> Vec<&Value> {
    let targets: Vec<&Value> = match &item["target"] {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        t => vec![t],
    };
    targets
        .into_iter()
        .flat_map(|t| match &t["selector"] {
            Value::Array(a) => a.iter().collect::<Vec<_>>(),
            Value::Null => Vec::new(),
            s => vec![s],
        })
        .collect()
}

/// Checks `briefings/<slug>/annotations.jsonld`: valid JSON, `"type": "AnnotationCollection"`,
/// and one item per quote or highlight, each with a `TextQuoteSelector` whose `exact` is
/// non-empty; for annotations written with `text`, some item's `exact` matches that text
/// (folded, white space ignored). Items may sit in `items` or in `first.items`.
#[track_caller]
pub fn check_annotations_jsonld(output: &Path, briefing: &Briefing) {
    let slug = &briefing.slug;
    let path = output
        .join("briefings")
        .join(slug)
        .join("annotations.jsonld");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("[{slug}] read {path:?}: {e}"));
    let doc: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("[{slug}] annotations.jsonld is not JSON: {e}\n{text}"));
    assert_eq!(
        doc["type"], "AnnotationCollection",
        "[{slug}] annotations.jsonld type\n{text}"
    );
    let items: Vec<&Value> = doc["items"]
        .as_array()
        .or_else(|| doc["first"]["items"].as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let quote_selectors = |item: &Value| -> Vec<String> {
        selectors(item)
            .into_iter()
            .filter(|s| s["type"] == "TextQuoteSelector")
            .map(|s| s["exact"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let anchored: Vec<&Value> = items
        .iter()
        .copied()
        .filter(|i| !quote_selectors(i).is_empty())
        .collect();
    let annotations = briefing.annotations();
    assert_eq!(
        anchored.len(),
        annotations.len(),
        "[{slug}] annotations.jsonld should hold one item with a TextQuoteSelector per quote and \
         highlight ({:?})\n{text}",
        annotations.iter().map(|a| &a.id).collect::<Vec<_>>()
    );
    for item in &anchored {
        for exact in quote_selectors(item) {
            assert!(
                !exact.trim().is_empty(),
                "[{slug}] a TextQuoteSelector has an empty exact\n{text}"
            );
        }
    }
    for ann in annotations.iter().filter(|a| !a.has_parts) {
        let want = fold_no_ws(&ann.expected);
        assert!(
            anchored
                .iter()
                .any(|i| quote_selectors(i).iter().any(|e| fold_no_ws(e) == want)),
            "[{slug}#{}] no TextQuoteSelector has exact matching {:?}\n{text}",
            ann.id,
            ann.expected
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The pages a build writes
// ---------------------------------------------------------------------------------------------

/// The output files FORMAT.md promises for a site: the index, not-found page, feed, sitemap,
/// speaker and question lists, a page and an annotations file per briefing, and a page per
/// speaker and per question (site-wide and local to an included briefing).
pub fn expected_outputs(site_root: &Path, drafts: bool) -> Vec<String> {
    let mut out: Vec<String> = [
        "index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "speakers/index.html",
        "questions/index.html",
    ]
    .map(String::from)
    .to_vec();
    let included = published(site_root, drafts);
    let mut speakers: BTreeSet<String> = registry_ids(site_root, "speakers.yaml")
        .into_iter()
        .collect();
    let mut questions: BTreeSet<String> = registry_ids(site_root, "questions.yaml")
        .into_iter()
        .collect();
    for b in &included {
        out.push(format!("briefings/{}/index.html", b.slug));
        out.push(format!("briefings/{}/annotations.jsonld", b.slug));
        speakers.extend(b.local_ids("speakers"));
        questions.extend(b.local_ids("questions"));
    }
    out.extend(
        speakers
            .iter()
            .map(|id| format!("speakers/{id}/index.html")),
    );
    out.extend(
        questions
            .iter()
            .map(|id| format!("questions/{id}/index.html")),
    );
    out
}

/// Panics listing every expected output file that is missing.
#[track_caller]
pub fn assert_outputs_exist(site_root: &Path, output: &Path, drafts: bool) {
    let missing: Vec<String> = expected_outputs(site_root, drafts)
        .into_iter()
        .filter(|rel| !output.join(rel).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "missing output files under {}: {missing:#?}\npresent: {:#?}",
        output.display(),
        snapshot(output).keys().collect::<Vec<_>>()
    );
}

/// Asserts every `.html` file under `output` is well-formed.
#[track_caller]
pub fn assert_all_html_well_formed(output: &Path) {
    let mut problems = Vec::new();
    for (rel, bytes) in snapshot(output) {
        if rel.extension().is_some_and(|e| e == "html") {
            let html = String::from_utf8_lossy(&bytes);
            if let Err(e) = well_formed(&html) {
                problems.push(format!("{}: {e}", rel.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "malformed pages:\n{}",
        problems.join("\n")
    );
}

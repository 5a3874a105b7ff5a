//! Diagnostics: every problem a user can cause, as a value that knows where it came from.
//!
//! A [`Diagnostic`] carries a severity, a stable code (for `--format json` and for tests), the
//! file relative to the site root, a line and column, a message, and a `help:` line that says how
//! to fix it. Pipeline stages return diagnostics; they never print. Only the CLI (and `serve`'s
//! overlay) turn them into text, with [`render_human`], [`to_json_line`] or
//! [`to_github_line`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// How bad a diagnostic is. Errors fail the build; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A position in a source file: 1-based line and column (in characters), and how many
/// characters to underline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub len: usize,
}

impl Pos {
    pub fn new(line: usize, column: usize) -> Self {
        Pos {
            line: line.max(1),
            column: column.max(1),
            len: 1,
        }
    }

    pub fn with_len(mut self, len: usize) -> Self {
        self.len = len.max(1);
        self
    }

    /// The position of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Pos::new(line, before[line_start..].chars().count() + 1)
    }
}

/// A secondary location or remark attached to a diagnostic ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub message: String,
    pub file: Option<PathBuf>,
    pub pos: Option<Pos>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// Path relative to the site root (or absolute when outside it).
    pub file: Option<PathBuf>,
    pub pos: Option<Pos>,
    pub help: Option<String>,
    pub notes: Vec<Note>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            file: None,
            pos: None,
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, file: impl Into<PathBuf>, pos: Option<Pos>) -> Self {
        self.file = Some(file.into());
        self.pos = pos;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, message: impl Into<String>) -> Self {
        self.notes.push(Note {
            message: message.into(),
            file: None,
            pos: None,
        });
        self
    }

    pub fn note_at(mut self, message: impl Into<String>, file: &Path, pos: Option<Pos>) -> Self {
        self.notes.push(Note {
            message: message.into(),
            file: Some(file.to_path_buf()),
            pos,
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key that groups diagnostics by file and position, so output is stable whatever
    /// order the parallel stages finished in.
    fn sort_key(&self) -> (Option<&Path>, Option<Pos>, Severity, &str, &str) {
        (
            self.file.as_deref(),
            self.pos,
            self.severity,
            self.code,
            &self.message,
        )
    }
}

/// Every diagnostic of a run, in a stable order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    pub fn sorted(mut self) -> Self {
        self.0.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.0.dedup();
        self
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// The text of every file a run read, keyed by the same relative paths diagnostics use, so
/// that snippets can be shown without reading the disk again.
pub type Sources = BTreeMap<PathBuf, Arc<str>>;

/// Renders diagnostics the way rustc does: title, ` --> file:line:col`, the source line with
/// the span underlined, notes and `help:`.
pub fn render_human(diags: &Diagnostics, sources: &Sources, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags.iter() {
        out.push_str(&render_one(d, sources, &renderer));
        out.push_str("\n\n");
    }
    let (errors, warnings) = (diags.error_count(), diags.warning_count());
    if errors + warnings > 0 {
        let _ = write!(
            out,
            "{} error{}, {} warning{}",
            errors,
            plural(errors),
            warnings,
            plural(warnings)
        );
        out.push('\n');
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn render_one(d: &Diagnostic, sources: &Sources, renderer: &Renderer) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let path = d.file.as_ref().map(|p| display_path(p));
    let note_paths: Vec<Option<String>> = d
        .notes
        .iter()
        .map(|n| n.file.as_ref().map(|p| display_path(p)))
        .collect();
    let mut group = Group::with_title(level.primary_title(&d.message).id(d.code));
    if let Some(path) = &path {
        group = group.element(snippet_for(
            path,
            d.file.as_deref(),
            d.pos,
            sources,
            AnnotationKind::Primary,
            "",
        ));
    }
    let mut report: Vec<Group> = vec![group];
    for (note, p) in d.notes.iter().zip(&note_paths) {
        let mut g = Group::with_title(Level::NOTE.secondary_title(&note.message));
        if let (Some(file), Some(p)) = (&note.file, p) {
            g = g.element(snippet_for(
                p,
                Some(file),
                note.pos,
                sources,
                AnnotationKind::Context,
                "",
            ));
        }
        report.push(g);
    }
    if let Some(help) = &d.help {
        report.push(Group::with_title(Level::HELP.secondary_title(help)));
    }
    renderer.render(&report)
}

/// Builds a snippet showing the diagnostic's line, or a bare ` --> path` when the source text is
/// unknown (a file that could not be read, say).
fn snippet_for<'a>(
    path: &'a str,
    file: Option<&Path>,
    pos: Option<Pos>,
    sources: &'a Sources,
    kind: AnnotationKind,
    label: &'a str,
) -> annotate_snippets::Element<'a> {
    let text = file.and_then(|f| sources.get(f));
    match (text, pos) {
        (Some(text), Some(pos)) => {
            let line_text = line_of(text, pos.line);
            let start = byte_of_column(line_text, pos.column);
            let end = byte_of_column(line_text, pos.column + pos.len).max(start);
            let end = if end == start && start < line_text.len() {
                start + line_text[start..].chars().next().map_or(0, char::len_utf8)
            } else {
                end
            };
            Snippet::source(line_text)
                .line_start(pos.line)
                .path(path)
                .annotation(kind.span(start..end).label(label))
                .into()
        }
        (_, Some(pos)) => annotate_snippets::Origin::path(path)
            .line(pos.line)
            .char_column(pos.column)
            .into(),
        _ => annotate_snippets::Origin::path(path).into(),
    }
}

/// The text of 1-based line `line`, without its line break (empty past the end).
fn line_of(text: &str, line: usize) -> &str {
    text.split_inclusive('\n')
        .nth(line.saturating_sub(1))
        .map_or("", |l| l.trim_end_matches(['\n', '\r']))
}

fn byte_of_column(line: &str, column: usize) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `s` cut to at most `max` characters, with an ellipsis where it was cut: a diagnostic quotes
/// what was written, and a 5 MB quote must not make a 5 MB line.
pub fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => s.into(),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
            format!("{}\u{2026}", &s[..end]).into()
        }
    }
}

/// Paths in diagnostics always use `/`, whatever the platform, so output and tests agree.
pub fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// One machine-readable record: `{"file", "line", "column", "severity", "code", "message",
/// "help"}`. Notes are folded into `notes` so nothing a human sees is lost.
pub fn to_json_line(d: &Diagnostic) -> String {
    let record = serde_json::json!({
        "file": d.file.as_ref().map(|p| display_path(p)),
        "line": d.pos.map(|p| p.line),
        "column": d.pos.map(|p| p.column),
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "help": d.help,
        "notes": d.notes.iter().map(|n| serde_json::json!({
            "message": n.message,
            "file": n.file.as_ref().map(|p| display_path(p)),
            "line": n.pos.map(|p| p.line),
            "column": n.pos.map(|p| p.column),
        })).collect::<Vec<_>>(),
    });
    record.to_string()
}

/// One GitHub Actions workflow command for a diagnostic (`::error file=…,line=…,col=…,
/// title=…::message`, or `::warning …`), so that a pull request shows it on the line it names.
/// `prefix` goes before the file: the site's folder inside the repository. The message carries
/// the notes and the help on lines of their own.
pub fn to_github_line(d: &Diagnostic, prefix: &Path) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = Vec::new();
    if let Some(file) = &d.file {
        properties.push(format!(
            "file={}",
            github_property(&display_path(&prefix.join(file)))
        ));
        if let Some(pos) = d.pos {
            properties.push(format!("line={}", pos.line));
            properties.push(format!("col={}", pos.column));
        }
    }
    properties.push(format!("title={}", github_property(d.code)));
    let mut message = d.message.clone();
    for n in &d.notes {
        let _ = write!(message, "\nnote: {}", n.message);
        if let Some(file) = &n.file {
            let _ = write!(message, " ({}", display_path(file));
            if let Some(pos) = n.pos {
                let _ = write!(message, ":{}:{}", pos.line, pos.column);
            }
            message.push(')');
        }
    }
    if let Some(help) = &d.help {
        let _ = write!(message, "\nhelp: {help}");
    }
    format!(
        "::{command} {}::{}",
        properties.join(","),
        github_data(&message)
    )
}

/// A workflow command's message, escaped as GitHub reads it back.
fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: `,` and `:` separate properties, so they are escaped
/// too.
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_lines_escape_what_github_reads_specially() {
        let d = Diagnostic::error("unknown-speaker", "100% wrong,\r\nreally")
            .at("content/a, b:c.yaml", Some(Pos::new(3, 14)))
            .note_at(
                "first here",
                Path::new("content/x.yaml"),
                Some(Pos::new(1, 2)),
            )
            .help("did you mean `alice`?");
        assert_eq!(
            to_github_line(&d, Path::new("site")),
            "::error file=site/content/a%2C b%3Ac.yaml,line=3,col=14,title=unknown-speaker::\
             100%25 wrong,%0D%0Areally%0Anote: first here (content/x.yaml:1:2)%0Ahelp: did you mean `alice`?"
        );
        let w = Diagnostic::warning("stray-file", "x");
        assert_eq!(
            to_github_line(&w, Path::new("")),
            "::warning title=stray-file::x"
        );
    }

    #[test]
    fn clip_cuts_long_texts_with_an_ellipsis() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("0123456789", 10), "0123456789");
        assert_eq!(clip("0123456789abc", 10), "012345678\u{2026}");
        assert_eq!(clip("ééééé", 3), "éé\u{2026}");
    }
}

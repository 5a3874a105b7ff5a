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

    /// The position of byte `offset` in `text`. It reads the text up to `offset`: where many
    /// positions in one text are wanted, use a [`LineIndex`].
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Pos::new(line, before[line_start..].chars().count() + 1)
    }
}

/// Where the lines of a text start, and how many characters come before every
/// [`LineIndex::STRIDE`]-th byte: it turns any number of byte offsets into positions, and
/// line numbers into lines, each in time independent of where in the text it is. Without
/// it, a thousand errors on the last line of a long article would each read the whole
/// article again.
#[derive(Debug)]
pub struct LineIndex<'t> {
    text: &'t str,
    /// The byte offset of each line's start.
    starts: Vec<usize>,
    /// `chars[i]`: the characters before byte `floor_char_boundary(i * STRIDE)`.
    chars: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    const STRIDE: usize = 1024;

    pub fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        let mut chars = Vec::with_capacity(text.len() / Self::STRIDE + 1);
        let mut count = 0;
        let mut at = 0;
        for i in 0..=text.len() / Self::STRIDE {
            let next = floor_char_boundary(text, i * Self::STRIDE);
            count += text[at..next].chars().count();
            chars.push(count);
            at = next;
        }
        LineIndex {
            text,
            starts,
            chars,
        }
    }

    /// The characters before byte `offset` (a char boundary).
    fn chars_before(&self, offset: usize) -> usize {
        let i = offset / Self::STRIDE;
        let from = floor_char_boundary(self.text, i * Self::STRIDE);
        self.chars[i] + self.text[from..offset].chars().count()
    }

    /// The position of byte `offset`.
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        Pos::new(
            line,
            self.chars_before(offset) - self.chars_before(start) + 1,
        )
    }

    /// The byte offset of 1-based `column` (in characters) of 1-based `line` (its end when
    /// the line is shorter).
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let end = start + self.line(line).len();
        let wanted = self.chars_before(start) + column.saturating_sub(1);
        // The last checkpoint at or before the wanted character, then at most a stride.
        let i = self
            .chars
            .partition_point(|&c| c <= wanted)
            .saturating_sub(1);
        let from = floor_char_boundary(self.text, i * Self::STRIDE).clamp(start, end);
        let skip = wanted.saturating_sub(self.chars_before(from));
        self.text[from..end]
            .char_indices()
            .nth(skip)
            .map_or(end, |(k, _)| from + k)
    }

    /// The text of 1-based line `line`, without its line break (empty past the end).
    pub fn line(&self, line: usize) -> &'t str {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map_or(self.text.len(), |&e| e);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// The work one file's diagnostics may spend on hints: did-you-means, closest passages, the
/// context that would single out a match. Each compares what was written with a whole list or
/// a whole article, so a file with thousands of mistakes would otherwise take time in
/// proportion to its mistakes times the site or the article. Past this allowance, which a file
/// with an ordinary number of mistakes never comes near, its later diagnostics still say what
/// is wrong and how to fix it, without a hint.
#[derive(Debug)]
pub struct HintBudget(std::cell::Cell<usize>);

impl Default for HintBudget {
    fn default() -> Self {
        // About a tenth of a second of comparisons.
        HintBudget(std::cell::Cell::new(50_000_000))
    }
}

impl HintBudget {
    /// Whether a hint costing about `work` comparisons may be looked for; if so, it is spent.
    pub fn allow(&self, work: usize) -> bool {
        let left = self.0.get();
        let allowed = work <= left;
        if allowed {
            self.0.set(left - work);
        }
        allowed
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

    /// How many diagnostics there are: a mark for [`Diagnostics::has_errors_since`].
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether an error came after `mark` (a [`Diagnostics::len`] taken earlier): what a
    /// stage asks after each item, without looking through what came before it again.
    pub fn has_errors_since(&self, mark: usize) -> bool {
        self.0[mark.min(self.0.len())..]
            .iter()
            .any(Diagnostic::is_error)
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
    let mut lines = Lines::new(sources);
    for d in diags.iter() {
        out.push_str(&render_one(d, &mut lines, &renderer));
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

/// The sources' lines, each file indexed when a diagnostic first needs it.
struct Lines<'s> {
    sources: &'s Sources,
    indexes: std::collections::HashMap<&'s Path, LineIndex<'s>>,
}

impl<'s> Lines<'s> {
    fn new(sources: &'s Sources) -> Self {
        Lines {
            sources,
            indexes: Default::default(),
        }
    }

    /// The part of `pos`'s line in `file` from `before` characters before it to `after`
    /// characters after its end, and where `pos`'s span is in that part, if the text is known.
    fn window(
        &mut self,
        file: &Path,
        pos: Pos,
        around: usize,
    ) -> Option<(&'s str, std::ops::Range<usize>)> {
        let (path, text) = self.sources.get_key_value(file)?;
        let index = self
            .indexes
            .entry(path.as_path())
            .or_insert_with(|| LineIndex::new(text));
        let line_start = index.offset_of(pos.line, 1);
        let at = |column: usize| index.offset_of(pos.line, column) - line_start;
        let line = index.line(pos.line);
        let first = pos.column.saturating_sub(around).max(1);
        let shown = pos.len.min(around);
        let (from, start) = (at(first), at(pos.column));
        let (end, to) = (at(pos.column + shown), at(pos.column + shown + around));
        Some((&line[from..to], start - from..end - from))
    }
}

fn render_one(d: &Diagnostic, lines: &mut Lines, renderer: &Renderer) -> String {
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
            lines,
            AnnotationKind::Primary,
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
                lines,
                AnnotationKind::Context,
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
/// unknown (a file that could not be read, say). A long line is shown around the span only:
/// the renderer cuts it to the terminal's width anyway, and would otherwise measure the
/// whole line for each diagnostic on it.
fn snippet_for<'a, 's: 'a>(
    path: &'a str,
    file: Option<&Path>,
    pos: Option<Pos>,
    lines: &mut Lines<'s>,
    kind: AnnotationKind,
) -> annotate_snippets::Element<'a> {
    const AROUND: usize = 400;
    let window = file.zip(pos).and_then(|(f, p)| lines.window(f, p, AROUND));
    match (window, pos) {
        (Some((window, span)), Some(pos)) => {
            let end = if span.is_empty() && span.start < window.len() {
                span.start
                    + window[span.start..]
                        .chars()
                        .next()
                        .map_or(0, char::len_utf8)
            } else {
                span.end
            };
            Snippet::source(window)
                .line_start(pos.line)
                .path(path)
                .annotation(kind.span(span.start..end).label(""))
                .into()
        }
        (_, Some(pos)) => annotate_snippets::Origin::path(path)
            .line(pos.line)
            .char_column(pos.column)
            .into(),
        _ => annotate_snippets::Origin::path(path).into(),
    }
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

    #[test]
    fn a_line_index_places_every_offset_as_reading_from_the_start_does() {
        // Lines of every length around the index's stride, with characters of every width.
        let mut text = String::new();
        for (i, len) in [0, 1, 1023, 1024, 1025, 3000, 5].into_iter().enumerate() {
            for k in 0..len {
                text.push(['a', 'é', '€', '𝄞'][(i + k) % 4]);
            }
            text.push(if i % 2 == 0 { '\n' } else { '\r' });
            if i % 2 == 1 {
                text.push('\n');
            }
        }
        let index = LineIndex::new(&text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let pos = Pos::of_offset(&text, offset);
            assert_eq!(index.pos(offset), pos, "{offset}");
            let start = offset
                - text[..offset]
                    .rfind('\n')
                    .map_or(offset, |i| offset - i - 1);
            let line_end = start + index.line(pos.line).len();
            if offset <= line_end {
                assert_eq!(index.offset_of(pos.line, pos.column), offset, "{offset}");
            }
        }
        assert_eq!(index.line(1).chars().count(), 0);
        assert_eq!(index.line(3).chars().count(), 1023);
        assert_eq!(index.line(99), "");
        assert_eq!(index.offset_of(99, 1), text.len());
        assert_eq!(
            index.offset_of(3, 5000),
            index.offset_of(3, 1) + index.line(3).len()
        );
    }
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
